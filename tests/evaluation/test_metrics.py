"""Forecast accuracy metrics: hand-computed values, conventions and errors."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talentgap.errors import DataQualityWarning, ParameterError
from talentgap.evaluation import metrics as mt
from talentgap.evaluation.metrics import (
    METRICS,
    bias,
    coverage,
    interval_score,
    mae,
    mape,
    mase,
    pinball,
    rmse,
    rmsse,
    smape,
)

Y = [1.0, 2.0, 3.0]
F = [2.0, 2.0, 5.0]   # errors f - y: 1, 0, 2


# ---- hand-computed values ----------------------------------------------------------------------
@pytest.mark.parametrize(("metric", "kwargs", "expected"), [
    (mae, {}, 1.0),
    (rmse, {}, np.sqrt(5 / 3)),
    (bias, {}, 1.0),
    (mape, {}, 100 * (1 / 1 + 0 / 2 + 2 / 3) / 3),
    (smape, {}, 200 * (1 / 3 + 0 / 4 + 2 / 8) / 3),
    # y_train 1, 2, 4, 7 -> lag-1 differences 1, 2, 3: scale 2 (abs), 14/3 (squares)
    (mase, {"y_train": [1, 2, 4, 7]}, 1.0 / 2.0),
    (rmsse, {"y_train": [1, 2, 4, 7]}, np.sqrt((5 / 3) / (14 / 3))),
    # q = 0.9: under-forecast 0 -> 0.9*0; y - f = -1, 0, -2 -> (q - 1)(y - f) = 0.1, 0, 0.2
    (pinball, {"quantile": 0.9}, 0.3 / 3),
])
def test_point_metrics_match_hand_computed_values(metric, kwargs, expected):
    assert metric(Y, F, **kwargs) == pytest.approx(expected, rel=1e-12)


def test_bias_sign_is_forecast_minus_actual():
    assert bias([10.0], [12.0]) == 2.0
    assert bias([10.0], [7.0]) == -3.0


def test_mase_scale_uses_the_seasonal_lag():
    # quarterly: a season of +2 per year on top of a steady rise
    y_train = [1.0, 2.0, 3.0, 4.0, 3.0, 4.0, 5.0, 6.0]
    # lag 4: differences 2, 2, 2, 2 -> scale 2;  lag 1: 1, 1, 1, -1, 1, 1, 1 -> scale 1
    assert mase([10.0, 10.0], [11.0, 7.0], y_train=y_train, season_length=4) == 1.0
    assert mase([10.0, 10.0], [11.0, 7.0], y_train=y_train, season_length=1) == 2.0
    assert rmsse([10.0], [12.0], y_train=y_train, season_length=4) == pytest.approx(1.0)


def test_mase_skips_differences_with_a_missing_value():
    # differences: 1 (2-1), NaN, NaN, 3 (7-4): scale 2
    assert mase([0.0], [4.0], y_train=[1.0, 2.0, np.nan, 4.0, 7.0]) == 2.0


def test_mase_of_constant_training_series_is_nan_with_warning():
    with pytest.warns(DataQualityWarning, match="scale 0"):
        assert np.isnan(mase([1.0], [2.0], y_train=[5.0, 5.0, 5.0]))


def test_smape_zero_over_zero_counts_zero_and_range_ends():
    assert smape([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert smape([0.0, 0.0], [0.0, 2.0]) == 100.0    # 200 * mean(0, 1)
    assert smape([0.0], [5.0]) == 200.0
    assert smape([1.0], [-1.0]) == 200.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), min_size=1,
                max_size=30))
def test_smape_lies_in_0_200(pairs):
    y, f = np.array(pairs).T
    assert 0.0 <= smape(y, f) <= 200.0 + 1e-9


def test_mape_leaves_out_zero_actuals_with_a_warning():
    with pytest.warns(DataQualityWarning, match="1 such point"):
        value = mape([0.0, 2.0, 4.0], [1.0, 1.0, 5.0])
    assert value == pytest.approx(100 * (0.5 + 0.25) / 2)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), min_size=1,
                max_size=20))
def test_pinball_at_median_is_half_the_mae(pairs):
    y, f = np.array(pairs).T
    assert pinball(y, f, quantile=0.5) == pytest.approx(mae(y, f) / 2, rel=1e-9, abs=1e-9)


def test_pinball_weights_under_and_over_forecasts_asymmetrically():
    assert pinball([10.0], [8.0], quantile=0.9) == pytest.approx(1.8)   # 0.9 * 2
    assert pinball([10.0], [12.0], quantile=0.9) == pytest.approx(0.2)  # 0.1 * 2


@pytest.mark.parametrize(("y", "expected"), [
    (2.0, 4.0),                  # inside [0, 4]: the width
    (5.0, 4.0 + 10 * 1.0),       # above by 1: width + (2/0.2) * 1
    (-1.5, 4.0 + 10 * 1.5),      # below by 1.5
    (0.0, 4.0),                  # on a bound counts as inside
])
def test_interval_score_below_inside_above(y, expected):
    assert interval_score([y], lower=[0.0], upper=[4.0], level=80) == pytest.approx(expected)


def test_interval_score_is_scaled_pinball_of_the_bounds():
    rng = np.random.default_rng(1)
    y = rng.normal(size=50)
    lo, hi = -1 + rng.normal(0, 0.2, 50), 1 + rng.normal(0, 0.2, 50)
    a = 1 - 90 / 100
    expected = (2 / a) * (pinball(y, lo, quantile=a / 2) + pinball(y, hi, quantile=1 - a / 2))
    assert interval_score(y, lower=lo, upper=hi, level=90) == pytest.approx(expected)


def test_coverage_counts_bounds_as_inside_and_skips_missing_bounds():
    assert coverage([1.0, 5.0, 9.0, 4.0], lower=[0, 0, 0, 4], upper=[4, 4, 10, 8]) == 0.75
    assert coverage([1.0, 5.0], lower=[0.0, np.nan], upper=[4.0, 6.0]) == 1.0


def test_missing_pairs_are_left_out():
    assert mae([1.0, np.nan, 3.0], [2.0, 5.0, np.nan]) == 1.0
    assert np.isnan(mae([np.nan], [1.0]))
    assert np.isnan(rmse([], []))


def test_accepts_pandas_nullable_and_lists():
    y = pd.Series([1.0, None, 3.0], dtype="Float64")
    assert mae(y, pd.Series([2.0, 2.0, 5.0])) == pytest.approx(1.5)


def test_every_registered_metric_takes_the_shared_signature():
    shared = ["y_true", "y_pred", "y_train", "season_length", "lower", "upper", "level",
              "quantile"]
    for name, function in METRICS.items():
        assert list(inspect.signature(function).parameters) == shared, name
        value = function([1.0, 2.0, 3.0, 4.0], [1.5, 2.0, 2.5, 4.5], y_train=[1.0, 2.0, 4.0],
                         season_length=1, lower=[1.0, 1.0, 1.0, 1.0],
                         upper=[2.0, 3.0, 3.0, 5.0], level=80, quantile=0.5)
        assert np.isfinite(value), name
    assert set(METRICS) == set(mt.__all__) - {"METRICS", "INTERVAL_METRICS", "SCALED_METRICS",
                                              "evaluate"}


# ---- errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("call", "match"), [
    (lambda: mae([1.0, 2.0], [1.0]), "y_pred has 1 values but y_true has 2"),
    (lambda: coverage([1.0], lower=[0.0, 1.0], upper=[2.0]), "lower has 2 values"),
    (lambda: mae([[1.0, 2.0]], [[1.0, 2.0]]), "must be 1-D"),
    (lambda: mae([1.0, np.inf], [1.0, 2.0]), "infinite"),
    (lambda: mae(["a"], [1.0]), "must hold numbers"),
    (lambda: mase([1.0], [1.0]), "needs y_train"),
    (lambda: mase([1.0], [1.0], y_train=[1.0, 2.0, 3.0, 4.0], season_length=4),
     "at least season_length \\+ 1 = 5 values"),
    (lambda: mase([1.0], [1.0], y_train=[1.0, 2.0], season_length=0), "season_length == 0"),
    (lambda: pinball([1.0], [1.0]), "needs quantile"),
    (lambda: pinball([1.0], [1.0], quantile=1.5), "quantile == 1.5"),
    (lambda: interval_score([1.0], lower=[0.0], upper=[2.0]), "needs level"),
    (lambda: interval_score([1.0], lower=[0.0], upper=[2.0], level=100), "level"),
    (lambda: interval_score([1.0], lower=[0.0], upper=[2.0], level=[80, 95]), "one level"),
    (lambda: coverage([1.0]), "needs lower= and upper="),
    (lambda: coverage([1.0, 2.0], lower=[0.0, 3.0], upper=[2.0, 1.0]),
     "lower > upper at 1 point"),
])
def test_bad_input_raises_parameter_error(call, match):
    with pytest.raises(ParameterError, match=match):
        call()
