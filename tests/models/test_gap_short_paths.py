"""Sample paths of short histories: widened to their history class's interval width."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning
from talentgap.models import GapForecaster
from talentgap.models._conformal import calibration_scales, series_scale
from talentgap.models._gap_paths import short_history_widening
from talentgap.models.baselines import Naive

HORIZON = 4


def walks(lengths: list[int], seed: int, *, end: str = "2026Q4") -> pd.DataFrame:
    """Random walks around 200, one per length, each ending at ``end``."""
    rng = np.random.default_rng(seed)
    frames = []
    for i, length in enumerate(lengths):
        values = 200 + np.cumsum(rng.normal(0, 5, length))
        frames.append(pd.DataFrame({
            "id": f"s{i:03d}", "period": pd.period_range(end=end, periods=length, freq="Q"),
            "value": values}))
    return pd.concat(frames, ignore_index=True)


def widening(lengths: list[int], seed: int = 0):
    model = Naive().fit(walks(lengths, seed), keys=["id"])
    errors = model.cv_errors(HORIZON)
    scale = series_scale(model.arrays_.values, model.season_length_)
    return model, errors, short_history_widening(model, errors, scale, HORIZON)


def test_two_seasons_without_own_calibration_are_widened():
    lengths = [24] * 30 + [8] * 10
    model, errors, (lower, upper, uncalibrated) = widening(lengths)
    assert uncalibrated == {}
    eight = model.arrays_.n_obs == 8
    # 8 quarters, 4 steps: every origin leaves too little to scale its errors honestly
    calibrated = calibration_scales(errors, model.arrays_.values, model.season_length_)
    assert not (np.isfinite(errors) & np.isfinite(calibrated)[:, :, None])[eight].any()
    assert (model.short_history_factors(HORIZON)[eight] > 1.0).all()  # the same rule inside
    assert (np.maximum(lower, upper)[eight] > 1.0).all()
    assert (lower[eight] >= 1.0).all() and (upper[eight] >= 1.0).all()
    assert (lower[~eight] == 1.0).all() and (upper[~eight] == 1.0).all()
    # one pair of factors per history length
    assert np.unique(lower[eight]).size == 1 and np.unique(upper[eight]).size == 1


def test_lengths_no_longer_series_calibrates_stay_at_one_and_are_counted():
    lengths = [10] * 30 + [7] * 5   # windows of 7 + 4 actuals need 11 observations
    _, _, (lower, upper, uncalibrated) = widening(lengths)
    assert (lower == 1.0).all() and (upper == 1.0).all()
    assert uncalibrated == {7: 5}


def test_uncalibrated_lengths_of_both_sides_warn_once_in_words():
    # demand and supply short at different lengths: one warning, lengths in words, not a list
    frames = []
    rng = np.random.default_rng(3)
    for i, length in enumerate([10] * 30 + [8] * 5):  # 8 + 4 actuals: no window of 10
        values = 200 + np.cumsum(rng.normal(0, 5, length))
        frame = pd.DataFrame({"industry": f"s{i:03d}", "region": "r",
                              "period": pd.period_range(end="2026Q4", periods=length,
                                                        freq="Q"),
                              "demand": values, "supply": values / 4})
        if length == 8:  # supply one period shorter than demand in the short cells
            frame.loc[frame.index[0], "supply"] = np.nan
        frames.append(frame)
    panel = pd.concat(frames, ignore_index=True)
    gap = GapForecaster(forecaster=Naive(), n_samples=50, sampling_se=None).fit(panel)
    with pytest.warns(DataQualityWarning) as caught:
        gap.predict(HORIZON)
    messages = [str(w.message) for w in caught if "long enough to calibrate the sample paths"
                in str(w.message)]
    assert messages == ["no series is long enough to calibrate the sample paths of series "
                        "with 7 or 8 observations (5 demand series with 8, 5 supply series "
                        "with 7); their paths use the errors pooled over all series, which "
                        "are likely too narrow for them"]


DRIFT = 1.0


def growing(seed: int) -> pd.DataFrame:
    """Random walks with drift: a last-value forecast undershoots them."""
    rng = np.random.default_rng(seed)
    frames = []
    for i, length in enumerate([24] * 40 + [5] * 10):
        values = 200 + np.cumsum(rng.normal(DRIFT, 5, length))
        frames.append(pd.DataFrame({
            "industry": f"s{i:03d}", "region": "r",
            "period": pd.period_range(end="2026Q4", periods=length, freq="Q"),
            "demand": values, "supply": values / 4}))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_short_cells_paths_reach_their_class_interval_on_each_side():
    gap = GapForecaster(forecaster=Naive(), n_samples=4000, sampling_se=None).fit(growing(1))
    paths = gap.sample_paths(HORIZON).demand.astype(np.float64)
    inner = gap.demand_model_.predict(HORIZON, level=[80])
    mean = inner["mean"].to_numpy().reshape(-1, HORIZON)
    below = (mean - inner["lo_80"].to_numpy().reshape(-1, HORIZON))
    above = (inner["hi_80"].to_numpy().reshape(-1, HORIZON) - mean)
    short = gap.demand_model_.arrays_.n_obs == 5
    rows = gap.demand_.rows[short]
    # the class's interval leans upwards: a 5-quarter walk's last value undershoots its growth
    assert (above[short] / below[short]).mean() > 1.4
    reach_up = np.quantile(paths, 0.9, axis=2)[rows] - mean[short]
    reach_down = mean[short] - np.quantile(paths, 0.1, axis=2)[rows]
    # one pair of factors per length: each side matches the class's on average over the steps
    assert 0.9 < (reach_up / above[short]).mean() < 1.1
    assert 0.9 < (reach_down / below[short]).mean() < 1.1
    # one factor for both sides would have left the upper side short of the class's bound
    assert (reach_up / reach_down).mean() > 1.4


def panel(seed: int) -> pd.DataFrame:
    demand = walks([24] * 40 + [5] * 10, seed)
    supply = walks([24] * 40 + [5] * 10, seed + 100)
    out = demand.rename(columns={"value": "demand"})
    out["supply"] = supply["value"].to_numpy() / 4
    out["region"] = "r"
    return out.rename(columns={"id": "industry"})


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_short_cells_paths_are_as_wide_as_their_class_interval():
    gap = GapForecaster(forecaster=Naive(), n_samples=4000).fit(panel(0))
    demand = gap.sample_paths(HORIZON).demand.astype(np.float64)
    spread = np.quantile(demand, 0.9, axis=2) - np.quantile(demand, 0.1, axis=2)
    inner = gap.demand_model_.predict(HORIZON, level=[80])
    width = (inner["hi_80"] - inner["lo_80"]).to_numpy().reshape(-1, HORIZON)
    short = gap.demand_model_.arrays_.n_obs == 5
    ratio = spread[gap.demand_.rows[short]] / width[short]
    # one factor per length matches the class's width on average over the steps
    assert 0.9 < ratio.mean() < 1.1
    # and the short cells' paths are wider than the long cells' relative to their scale
    scale = series_scale(gap.demand_model_.arrays_.values, 4)
    relative = spread[gap.demand_.rows].mean(axis=1) / scale
    assert relative[short].min() > relative[~short].max()


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_cells_calibrated_as_short_are_flagged_short_history():
    # 8-quarter cells: two seasons, yet at 4 steps no backtest can be scored honestly
    eight = walks([24] * 30 + [8] * 10, 3).rename(columns={"id": "industry",
                                                            "value": "demand"})
    eight["supply"] = eight["demand"] / 4
    eight["region"] = "r"
    gap = GapForecaster(forecaster=Naive(), n_samples=200).fit(eight)
    n_obs = gap.explain(HORIZON).set_index("industry")["demand_n_obs"]
    for horizon, expected in ((HORIZON, n_obs == 8), (2, n_obs < 0)):
        flags = gap.predict(horizon).groupby("industry")["flag"].first()
        flagged = flags.str.contains("short_history").reindex(n_obs.index)
        assert flagged.tolist() == expected.tolist()
