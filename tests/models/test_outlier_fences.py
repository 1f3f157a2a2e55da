"""Tests of the fences that keep one data error out of a series' intervals.

(talentgap.models._conformal: difference_fences, outlying_values, the scale,
difficulty and pooled-quantile fences; talentgap.models._outliers; the
``outlier_in_history`` flag of talentgap.models.gap_flags.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning
from talentgap.models._conformal import (
    conformal_quantiles,
    difference_fences,
    difficulty_factors,
    outlying_values,
    series_scale,
)
from talentgap.models.gap_flags import FLAGS, gap_flags

PERIODS = pd.period_range("2019Q1", periods=24, freq="Q")


def seasonal_panel(n_series: int = 10, seed: int = 5) -> pd.DataFrame:
    """Quarterly counts of about 240 with a trend, a season and noise (sd 6)."""
    rng = np.random.default_rng(seed)
    t = np.arange(PERIODS.size)
    rows = []
    for i in range(n_series):
        y = 200 + 2 * t + 10 * np.sin(2 * np.pi * t / 4) + rng.normal(0, 6, t.size)
        rows.append(pd.DataFrame({"id": f"s{i}", "period": PERIODS, "value": np.round(y)}))
    return pd.concat(rows, ignore_index=True)


def with_error(panel: pd.DataFrame, series: str = "s0", at: int = 17,
               factor: float = 50.0) -> pd.DataFrame:
    out = panel.copy()
    hit = (out["id"] == series) & (out["period"] == PERIODS[at])
    out.loc[hit, "value"] *= factor
    return out


def test_fences_lie_far_outside_normal_changes():
    rng = np.random.default_rng(0)
    diff = rng.normal(0, 1, size=(2000, 20))
    lower, upper = difference_fences(diff)
    assert np.median(upper) > 12 and np.median(lower) < -12   # 13.5 sd for many changes
    assert (upper > 4).all() and (lower < -4).all()             # and beyond 4 sd with 20
    assert ((diff > upper[:, None]) | (diff < lower[:, None])).sum() == 0


def test_no_fence_for_few_or_tied_differences():
    lower, upper = difference_fences(np.array([[1.0, 2.0, 3.0, 500.0, np.nan, np.nan],  # few
                                               [0, 0, 0, 0, 0, 5.0],      # one change not 0
                                               [2, 2, 2, 2, 2, 2.0]]))    # IQR 0
    assert np.isinf(lower).all() and np.isinf(upper).all()


def test_one_data_error_barely_moves_the_scale():
    values = seasonal_panel(1)["value"].to_numpy()[None, :]
    clean = series_scale(values, 4)[0]
    spoiled = values.copy()
    spoiled[0, 17] *= 50
    assert series_scale(spoiled, 4)[0] == pytest.approx(clean, rel=0.2)
    # without the fence the two changes into and out of the error set the scale
    assert np.abs(np.diff(spoiled[0, [13, 17, 21]])).mean() > 100 * clean


def test_scale_of_normal_series_is_the_plain_mean():
    rng = np.random.default_rng(3)
    values = np.cumsum(rng.normal(0, 1, size=(300, 24)), axis=1)
    whole = np.abs(np.diff(values, axis=1)).mean(axis=1)
    recent = np.abs(np.diff(values[:, -8:], axis=1)).mean(axis=1)
    np.testing.assert_allclose(series_scale(values, 1), np.sqrt(whole * recent), rtol=1e-12)


def test_gross_errors_count_as_large_not_as_hundreds_in_the_difficulty():
    rng = np.random.default_rng(1)
    errors = rng.normal(0, 1, size=(40, 5, 4))
    _, clean = difficulty_factors(errors, np.ones((40, 5)))
    spoiled = errors.copy()
    spoiled[0, [0, 1, 2, 3], [3, 2, 1, 0]] = 1000.0   # one data error seen by 4 origins
    _, factor = difficulty_factors(spoiled, np.ones((40, 5)))
    assert factor[0] < 2.5        # was about 20 without the fence
    np.testing.assert_allclose(factor[1:], clean[1:], rtol=0.05)


def test_a_gross_pooled_error_stops_at_the_fence():
    errors = np.arange(-24.0, 25.0).reshape(49, 1, 1)
    spoiled = errors.copy()
    spoiled[-1] = 1e6
    clean80 = conformal_quantiles(errors, np.ones(49), [80])[80]
    lower, upper = conformal_quantiles(spoiled, np.ones(49), [80, 95])[95]
    assert upper[0] < 300          # the largest error: the fence, not 1e6
    lo80, hi80 = conformal_quantiles(spoiled, np.ones(49), [80])[80]
    assert (lo80, hi80) == (clean80[0], clean80[1])   # ranks inside the fences unchanged


def test_outlying_values_name_the_error_not_its_way_back():
    values = seasonal_panel(3)["value"].to_numpy().reshape(3, -1).copy()
    assert not outlying_values(values, 4).any()
    values[0, 17] *= 50
    values[1, 23] *= 50      # the last value
    hit = outlying_values(values, 4)
    assert [np.flatnonzero(row).tolist() for row in hit] == [[17], [23], []]


def test_normal_series_are_rarely_outlying():
    rng = np.random.default_rng(7)
    values = 100 + np.cumsum(rng.normal(0, 1, size=(500, 24)), axis=1)
    assert outlying_values(values, 1).sum() == 0
    intermittent = np.where(rng.random((200, 24)) < 0.7, 0.0, rng.poisson(3, (200, 24)))
    assert outlying_values(intermittent, 1).sum() <= 2


def test_interval_of_the_series_with_the_error_stays_near_the_clean_one():
    clean, spoiled = seasonal_panel(), with_error(seasonal_panel())
    widths = []
    for panel in (clean, spoiled):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)
            p = tg.models.SeasonalNaive().fit(panel, keys=["id"]).predict(4, level=[80])
        s0 = p[p["id"] == "s0"]
        widths.append((s0["hi_80"] - s0["lo_80"]).to_numpy())
    # was 1,400 times as wide (up to 32,669 for a series of about 240)
    assert (widths[1] < 2.0 * widths[0]).all()


def test_fit_warns_with_series_period_and_value():
    spoiled = with_error(seasonal_panel())
    with pytest.warns(DataQualityWarning, match=r"column 'value'.*id=s0 at 2023Q2 \(1"):
        tg.models.SeasonalNaive().fit(spoiled, keys=["id"])
    with pytest.warns(DataQualityWarning, match=r"id=s0 at 2023Q2"):
        tg.models.AutoForecaster(candidates={"naive": tg.models.Naive()}).fit(
            spoiled, keys=["id"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        tg.models.SeasonalNaive().fit(seasonal_panel(), keys=["id"])


def test_outlier_in_history_flag():
    t = np.arange(12.0)
    demand = np.vstack([20 + t + np.tile([0.0, 1.0, -1.0, 0.5], 3)] * 2)
    demand[0, 6] *= 50
    history = {"demand": demand, "supply": np.full((2, 12), 10.0)}
    mean = np.full((2, 2), 30.0)
    out = gap_flags(history, mean, np.full((2, 2), 10.0), mean - 10.0, season_length=1,
                    has_demand=np.array([True, True]), has_supply=np.array([True, True]))
    assert ["outlier_in_history" in code for code in out[:, 0]] == [True, False]
    assert "outlier_in_history" in FLAGS
    codes = out[0, 0].split(";")
    assert codes == [c for c in FLAGS if c in codes]


def test_five_errors_are_enough_for_the_pooled_fence():
    # one series, five origins: the data error is one of the five errors at its step
    errors = np.array([1.0, -2.0, 0.5, -1.0, 1e6]).reshape(1, 5, 1)
    lower, upper = conformal_quantiles(errors, np.ones((1, 5)), [80])[80]
    assert upper[0] < 100 and lower[0] > -100
    four = conformal_quantiles(errors[:, 1:], np.ones((1, 4)), [80])[80]
    assert four[1][0] == 1e6       # too few to tell an error from the rest: left as it is
