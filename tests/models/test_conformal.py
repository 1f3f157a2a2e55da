"""Conformal intervals from rolling-origin errors (talentgap.models._conformal), by hand."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from talentgap.errors import DataQualityWarning
from talentgap.models._conformal import conformal_quantiles, interval_bounds, series_scale

NAN = np.nan


def as_errors(values, horizon: int = 1) -> np.ndarray:
    """Errors of one series per value, one origin, shape (n, 1, horizon)."""
    return np.asarray(values, dtype=np.float64).reshape(-1, 1, horizon)


def quantile(values, level: float) -> float:
    errors = as_errors(values)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        return float(conformal_quantiles(errors, np.ones(len(values)), [level])[level][0])


# ---- series_scale -------------------------------------------------------------------------------
def test_series_scale_and_its_fallbacks():
    values = np.array([
        [1.0, 5.0, 2.0, 7.0, 3.0],     # seasonal (m = 2) differences 1, 2, 1
        [1.0, 2.0, 1.0, 2.0, 1.0],     # seasonal differences all 0 -> lag 1: 1
        [NAN, NAN, 5.0, 5.0, 5.0],     # constant -> mean |y|
        [NAN, NAN, NAN, NAN, -7.0],    # one value -> mean |y|
        [0.0, 0.0, 0.0, 0.0, 0.0],     # all zero -> 1
        [NAN, NAN, NAN, 2.0, 6.0],     # shorter than m + 1 -> lag 1: 4
    ])
    np.testing.assert_allclose(series_scale(values, 2), [4 / 3, 1.0, 5.0, 7.0, 1.0, 4.0])


def test_series_scale_lag_longer_than_the_table():
    values = np.array([[NAN, 1.0, 3.0, 6.0], [2.0, 2.0, 2.0, 2.0]])
    # m = 4 leaves no seasonal difference at all: lag 1, then mean |y|
    np.testing.assert_allclose(series_scale(values, 4), [2.5, 2.0])
    np.testing.assert_allclose(series_scale(values, 1), [2.5, 2.0])


def test_series_scale_is_always_positive_and_finite():
    values = np.array([[NAN, NAN, NAN], [0.0, 0.0, NAN], [1e300, -1e300, 1e300]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the overflow in the last row
        scale = series_scale(values, 1)
    assert np.isfinite(scale).all() and (scale > 0).all()
    assert scale[:2].tolist() == [1.0, 1.0]


# ---- conformal_quantiles ------------------------------------------------------------------------
@pytest.mark.parametrize(("level", "expected"), [(80, 8.0), (90, 9.0), (50, 5.0), (10, 1.0)])
def test_finite_sample_rank(level, expected):
    # n = 9 errors 1..9: the quantile is the ceil(10 * level / 100)-th smallest
    assert quantile(np.arange(9.0, 0.0, -1.0), level) == expected


@pytest.mark.parametrize(("level", "n", "rank"), [(56, 24, 14), (55, 99, 55), (68, 74, 51),
                                                  (95, 19, 19), (97.5, 39, 39)])
def test_rank_is_exact_where_it_is_a_whole_number(level, n, rank):
    # (n + 1) * level / 100 is a whole number here; computed as (n + 1) * (1 - (1 - level
    # / 100)) it used to come out a hair above it, and the ceiling took the next error.
    assert quantile(np.arange(1.0, n + 1.0), level) == rank


def test_errors_are_absolute_scaled_and_pooled_over_series():
    errors = np.array([[[2.0]], [[-4.0]], [[30.0]], [[-10.0]], [[NAN]]])
    scale = np.array([2.0, 2.0, 10.0, 10.0, 1.0])
    # scaled |errors|: 1, 2, 3, 1 (the NaN is left out); 50%: rank ceil(5 * 0.5) = 3 -> 2
    q = conformal_quantiles(errors, scale, [50])
    assert q[50].tolist() == [2.0]


def test_too_few_errors_warn_and_use_the_largest():
    with pytest.warns(DataQualityWarning, match=r"95% intervals at horizons \[1\]"):
        q = conformal_quantiles(as_errors([1.0, 5.0, 2.0, 4.0, 3.0]), np.ones(5), [80, 95])
    # 80%: rank ceil(6 * 0.8) = 5 <= 5; 95%: rank 6 > 5 -> the largest, 5
    assert q[80].tolist() == [5.0] and q[95].tolist() == [5.0]


def test_a_horizon_without_errors_borrows_from_the_shorter_ones():
    errors = np.full((10, 1, 3), NAN)
    errors[:, 0, 0] = np.arange(1.0, 11.0)        # step 1: 1..10
    errors[:, 0, 2] = np.arange(1.0, 11.0) / 10   # step 3: smaller errors
    with pytest.warns(DataQualityWarning, match=r"80% intervals at horizons \[2\]"):
        q = conformal_quantiles(errors, np.ones(10), [80])
    # step 1: rank ceil(11 * 0.8) = 9 -> 9; step 2 has none: 9; step 3: 0.9, raised to 9
    # (quantiles never shrink with the horizon)
    assert q[80].tolist() == [9.0, 9.0, 9.0]


def test_no_errors_at_all_give_nan():
    with pytest.warns(DataQualityWarning):
        q = conformal_quantiles(np.full((3, 2, 2), NAN), np.ones(3), [80])
    assert np.isnan(q[80]).all()


# ---- interval_bounds ----------------------------------------------------------------------------
def test_interval_bounds_and_nonnegative_clipping():
    mean = np.array([[1.0, 2.0], [10.0, 10.0]])
    scale = np.array([2.0, 1.0])
    quantiles = {80.0: np.array([1.0, 1.5]), 95.0: np.array([2.0, 3.0])}
    free = interval_bounds(mean, scale, quantiles, nonnegative=False)
    np.testing.assert_allclose(free[80.0][0], [[-1.0, -1.0], [9.0, 8.5]])
    np.testing.assert_allclose(free[80.0][1], [[3.0, 5.0], [11.0, 11.5]])
    np.testing.assert_allclose(free[95.0][0], [[-3.0, -4.0], [8.0, 7.0]])
    clipped = interval_bounds(mean, scale, quantiles, nonnegative=True)
    np.testing.assert_allclose(clipped[80.0][0], [[0.0, 0.0], [9.0, 8.5]])
    np.testing.assert_allclose(clipped[95.0][0], [[0.0, 0.0], [8.0, 7.0]])
    np.testing.assert_allclose(clipped[95.0][1], free[95.0][1])
    # a negative mean: both bounds clipped
    below = interval_bounds(np.array([[-5.0]]), np.array([1.0]), {80.0: np.array([1.0])}, True)
    assert [b.item() for b in below[80.0]] == [0.0, 0.0]
