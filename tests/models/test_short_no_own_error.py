"""Series of two seasons whose backtests cannot be scaled honestly: calibrated by history class."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.models import AutoForecaster
from talentgap.models import _intervals as intervals_module
from talentgap.models._conformal import (
    conformal_quantiles,
    series_scale,
    short_histories,
    short_history_limit,
)
from talentgap.models.baselines import Naive

HORIZON = 4
LEVELS = [80, 95]


def walks(lengths: list[int], seed: int) -> pd.DataFrame:
    """Random walks around 200, one per length, all ending in 2026Q4."""
    rng = np.random.default_rng(seed)
    frames = []
    for i, length in enumerate(lengths):
        frames.append(pd.DataFrame({
            "id": f"{'eight' if length == 8 else 'long'}{i:03d}",
            "period": pd.period_range(end="2026Q4", periods=length, freq="Q"),
            "value": 200 + np.cumsum(rng.normal(0, 5, length))}))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return walks([24] * 30 + [8] * 10, seed=0)


def _two_season_rule_only(monkeypatch) -> None:
    """The rule before: short means under two seasons, whatever the backtests allow."""
    monkeypatch.setattr(intervals_module, "short_histories",
                        lambda n_obs, errors, scale, m: n_obs < short_history_limit(m))


def _widths(out: pd.DataFrame, level: int) -> pd.Series:
    return out[f"hi_{level}"] - out[f"lo_{level}"]


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
@pytest.mark.parametrize("model", [Naive, AutoForecaster], ids=["naive", "auto"])
def test_eight_quarters_widen_and_long_series_are_unchanged(table, model, monkeypatch):
    fitted = model().fit(table, keys=["id"])
    eight = (fitted.arrays_.n_obs == 8)
    np.testing.assert_array_equal(fitted._short_histories(HORIZON), eight)
    new = fitted.predict(HORIZON, level=LEVELS)
    _two_season_rule_only(monkeypatch)
    old = model().fit(table, keys=["id"]).predict(HORIZON, level=LEVELS)
    long = new["id"].str.startswith("long")
    pd.testing.assert_frame_equal(new[long], old[long])
    np.testing.assert_allclose(new["mean"], old["mean"])
    for level in LEVELS:
        wider = _widths(new, level)[~long] - _widths(old, level)[~long]
        assert (wider >= -1e-9).all()
        assert (wider > 1e-9).mean() > 0.5, wider.describe()


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_eight_quarter_intervals_are_their_class_quantiles(table):
    fitted = Naive().fit(table, keys=["id"])
    eight = fitted.arrays_.n_obs == 8
    out = fitted.predict(HORIZON, level=[80])
    scale = series_scale(fitted.arrays_.values, 4) * fitted._difficulty(HORIZON)
    assert (fitted._difficulty(HORIZON)[eight] == 1.0).all()  # no scaled error of their own
    relative = (_widths(out, 80).to_numpy().reshape(-1, HORIZON) / scale[:, None])[eight]
    # windows of 8 quarters of the long series, forecast 4 steps, never inside the pool
    errors = fitted.short_history_errors([8], HORIZON)[8]
    lower, upper = conformal_quantiles(errors[:, None, :], np.ones(len(errors)), [80])[80]
    pooled_lo, pooled_hi = fitted._conformal(HORIZON, [80])[80]
    expected = np.fmax(upper, pooled_hi) - np.fmin(lower, pooled_lo)
    assert (expected > pooled_hi - pooled_lo).any()
    np.testing.assert_allclose(relative, np.broadcast_to(expected, relative.shape))


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_eight_quarters_with_a_shorter_horizon_keep_the_pooled_calibration(table, monkeypatch):
    # 2 steps: origin 0 leaves 6 quarters, enough for two seasonal differences
    fitted = Naive().fit(table, keys=["id"])
    assert not fitted._short_histories(2).any()
    new = fitted.predict(2, level=LEVELS)
    _two_season_rule_only(monkeypatch)
    pd.testing.assert_frame_equal(new, Naive().fit(table, keys=["id"]).predict(2, level=LEVELS))


def test_short_histories_names_both_kinds():
    # 12 quarters with scaled errors; 8 quarters, none of whose origins could be
    # scaled; 5 quarters, under two seasons although its errors could be scaled
    errors = np.ones((3, 2, HORIZON))
    scale = np.array([[1.0, 2.0], [np.nan, np.nan], [1.0, 1.0]])
    short = short_histories(np.array([12, 8, 5]), errors, scale, 4)
    assert short.tolist() == [False, True, True]
    # errors that are all missing count as none of its own, too
    errors[0] = np.nan
    assert short_histories(np.array([12, 8, 5]), errors, scale, 4).tolist() == [True] * 3
