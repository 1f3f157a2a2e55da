"""A short series whose observations are all 0 borrows its history class's scale.

With nothing but zeros a series has no change and no level to scale its
interval by; the fallback of 1 person gave it an 80% interval of about
[0, 1.3] next to series of hundreds. Its scale is now the median scale of
the windows that calibrate its history class (docs/methods.md, forecast
intervals, step 2), in the forecasters' intervals and in the gap model's
sample paths.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.models._conformal import (
    class_scales,
    series_scale,
    short_windows,
    uninformative_scales,
    window_scales,
)

PERIODS = pd.period_range("2019Q1", periods=24, freq="Q")


def _panel(zeros: int, seed: int = 0) -> pd.DataFrame:
    """Four noisy series of 100-400 persons and one new one: ``zeros`` observations of 0."""
    rng = np.random.default_rng(seed)
    rows = [pd.DataFrame({"region": "R1", "industry": ind, "period": PERIODS,
                          "value": np.round(100 * (i + 1) + rng.normal(0, 10 * (i + 1), 24))})
            for i, ind in enumerate("abcd")]
    rows.append(pd.DataFrame({"region": "R1", "industry": "new", "period": PERIODS[-zeros:],
                              "value": 0.0}))
    return pd.concat(rows, ignore_index=True)


def test_uninformative_only_short_runs_of_zeros():
    values = np.full((5, 8), np.nan)
    values[0, -1] = 0.0                  # one zero: no statistic
    values[1, -4:] = 0.0                 # four zeros, under two seasons: none either
    values[2] = 0.0                      # eight zeros: never changed (scale 0)
    values[3, -2:] = [0.0, 3.0]          # a change
    values[4, -1] = 2.0                  # a level
    assert uninformative_scales(values, 4).tolist() == [True, True, False, False, False]
    assert series_scale(values, 4).tolist() == [1.0, 1.0, 0.0, 3.0, 2.0]


def test_class_scale_is_the_median_of_the_class_windows_by_hand():
    values = np.array([[np.nan] * 5 + [0.0, 0.0, 0.0],
                       [10.0, 12, 15, 11, 13, 16, 12, 14],
                       [50.0, 58, 54, 66, 60, 70, 64, 61],
                       [7.0, 7, 7, 7, 7, 7, 7, 7]])
    n_obs = np.array([3, 8, 8, 8])
    got = class_scales(values, n_obs, 1, 2, 2)
    # windows of 3 observations followed by 2 actuals, starting 0 and 1 periods in
    rows, columns = short_windows(n_obs, 8, 3, 2, 2)
    windows = values[rows[:, None], columns[:, :3]]
    # each window's scale by hand: mean |lag-1 change| (too few periods for the recent
    # part to differ), the flat windows of the last series 7 (their level)
    by_hand = [np.mean(np.abs(np.diff(w))) if np.ptp(w) else w[0] for w in windows]
    assert sorted(by_hand) == sorted(window_scales(windows, 1).tolist())
    assert got[0] == pytest.approx(np.median(by_hand))
    np.testing.assert_array_equal(got[1:], series_scale(values, 1)[1:])


def test_zero_windows_take_the_median_of_the_other_windows():
    windows = np.array([[0.0, 0.0], [0.0, 0.0], [10.0, 13.0], [20.0, 25.0], [30.0, 39.0]])
    assert window_scales(windows, 4).tolist() == [5.0, 5.0, 3.0, 5.0, 9.0]
    assert np.isnan(window_scales(np.zeros((3, 2)), 4)).all()


def test_class_scale_falls_back_to_the_other_series_then_to_one():
    # no series long enough for windows of 2 observations + 4 actuals
    values = np.array([[np.nan, 0.0, 0.0], [4.0, 6.0, 9.0], [10.0, 10.0, 20.0]])
    got = class_scales(values, np.array([2, 3, 3]), 1, 4, 3)
    own = series_scale(values, 1)
    assert got[0] == pytest.approx(np.median(own[1:]))
    lone = np.array([[np.nan, 0.0, 0.0]])
    assert class_scales(lone, np.array([2]), 1, 4, 3).tolist() == [1.0]


@pytest.mark.parametrize("zeros", [1, 2, 4])
def test_zero_series_interval_has_its_class_width(zeros):
    data = _panel(zeros)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = tg.models.AutoForecaster().fit(data, target="value",
                                            keys=["region", "industry"])
        out = fc.predict(4, level=[80, 95])
    new = out[out["industry"] == "new"]
    row = int(np.flatnonzero(fc.arrays_.ids["industry"].to_numpy() == "new")[0])
    n_obs = fc.arrays_.n_obs
    rows, columns = short_windows(n_obs, fc.arrays_.values.shape[1], zeros, 4,
                                  int(fc.n_windows))
    windows = fc.arrays_.values[rows[:, None], columns[:, :zeros]]
    borrowed = np.median(window_scales(windows, 4))
    assert fc._series_scales(4)[row] == pytest.approx(borrowed)
    # the class's windows come from series of 100-400 persons: tens of persons at least,
    # not the 1 person of the fallback (80% upper bounds of 1.3-3.1 before)
    assert borrowed > 10
    assert (new["hi_80"] > 10).all()
    assert (new["hi_95"] >= new["hi_80"]).all()
    assert (new["lo_80"] >= 0).all()
    # the other series' intervals do not depend on the zeros' scale
    others = out[out["industry"] != "new"].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alone = tg.models.AutoForecaster().fit(
            data[data["industry"] != "new"], target="value",
            keys=["region", "industry"]).predict(4, level=[80, 95])
    np.testing.assert_allclose(others["hi_80"], alone["hi_80"], rtol=1e-9)


def test_gap_paths_of_a_zero_cell_use_the_class_scale():
    data = tg.datasets.make_synthetic(n_regions=3, industries=2, n_periods=20, seed=1)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    last = panel["period"].max()
    # a new trade in one region: its one survey estimate found no shortage
    new = panel[(panel["industry"] == panel["industry"].iloc[0])
                & (panel["period"] == last)].iloc[:1].copy()
    new["industry"] = "ecommerce"
    new["demand"] = 0.0
    new["demand_se"] = 0.0
    panel = pd.concat([panel, new], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gap = tg.models.GapForecaster(n_samples=400, random_state=0).fit(panel)
        out = gap.predict(4, level=[80])
    cell = out[out["industry"] == "ecommerce"]
    model = gap.demand_model_
    row = int(np.flatnonzero(model.arrays_.ids["industry"].to_numpy() == "ecommerce")[0])
    assert model.arrays_.n_obs[row] == 1
    assert model._series_scales(4)[row] > 10 * series_scale(model.arrays_.values, 4)[row]
    # the fallback scale of 1 person kept the demand paths within a few persons of 0
    assert (cell["demand_hi_80"] > 10).all()
