"""Conformal intervals from rolling-origin errors (talentgap.models._conformal), by hand."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning
from talentgap.models._conformal import (
    calibration_scales,
    conformal_quantiles,
    difficulty_factors,
    interval_bounds,
    recent_periods,
    series_scale,
    short_history_limit,
    short_windows,
)
from talentgap.models._conformal.quantiles import _rank

NAN = np.nan


def as_errors(values, horizon: int = 1) -> np.ndarray:
    """Errors of one series per value, one origin, shape (n, 1, horizon)."""
    return np.asarray(values, dtype=np.float64).reshape(-1, 1, horizon)


def interval(values, level: float) -> tuple[float, float]:
    """(lower, upper) quantile of one horizon step; fails on any DataQualityWarning."""
    errors = as_errors(values)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        lower, upper = conformal_quantiles(errors, np.ones(len(values)), [level])[level]
    return float(lower[0]), float(upper[0])


# ---- series_scale -------------------------------------------------------------------------------
def test_series_scale_and_its_fallbacks():
    values = np.array([
        [1.0, 5.0, 2.0, 7.0, 3.0],     # seasonal (m = 2) differences 1, 2, 1
        [1.0, 2.0, 1.0, 2.0, 1.0],     # seasonal differences all 0 -> lag 1: 1
        [NAN, NAN, 5.0, 5.0, 5.0],     # constant -> mean |y|
        [NAN, NAN, NAN, NAN, -7.0],    # one value -> mean |y|
        [NAN, NAN, 0.0, 0.0, 0.0],     # all zero -> 1
        [NAN, NAN, NAN, 2.0, 6.0],     # shorter than m + 1 -> lag 1: 4
        [0.0, 0.0, 0.0, 0.0, 0.0],     # never changed in two seasons or more -> 0
    ])
    np.testing.assert_allclose(series_scale(values, 2), [4 / 3, 1.0, 5.0, 7.0, 1.0, 4.0, 0.0])


def test_series_scale_lag_longer_than_the_table():
    values = np.array([[NAN, 1.0, 3.0, 6.0], [2.0, 2.0, 2.0, 2.0]])
    # m = 4 leaves no seasonal difference at all: lag 1, then mean |y|
    np.testing.assert_allclose(series_scale(values, 4), [2.5, 2.0])
    # m = 1: four equal values are two seasons without a change -> 0
    np.testing.assert_allclose(series_scale(values, 1), [2.5, 0.0])


def test_series_scale_is_always_positive_and_finite():
    values = np.array([[NAN, NAN, NAN], [0.0, 0.0, NAN], [1e300, -1e300, 1e300]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the overflow in the last row
        scale = series_scale(values, 1)
    assert np.isfinite(scale).all() and (scale > 0).all()
    assert scale[:2].tolist() == [1.0, 1.0]


def test_series_scale_is_the_geometric_mean_of_the_whole_and_the_recent_statistic():
    # m = 1: the recent periods are the last 8. Twelve changes of 1, then seven of 4.
    grown = np.concatenate([np.arange(13.0), 12.0 + 4.0 * np.arange(1.0, 9.0)])
    whole = np.mean(np.abs(np.diff(grown)))                      # (12 + 8 * 4) / 20 = 2.2
    recent = np.mean(np.abs(np.diff(grown[-recent_periods(1):])))  # 4.0
    assert recent_periods(1) == 8 and whole == pytest.approx(2.2) and recent == 4.0
    np.testing.assert_allclose(series_scale(grown[None, :], 1), [np.sqrt(whole * recent)])
    # a series no longer than the recent periods: both halves are the same statistic
    short = np.array([[NAN, 1.0, 5.0, 2.0, 7.0]])
    np.testing.assert_allclose(series_scale(short, 1), [np.mean([4.0, 3.0, 5.0])])


def test_series_scale_keeps_the_whole_statistic_where_the_recent_periods_lack_it():
    # m = 2: recent periods max(4 * 2, 8) = 8. The last 8 values are flat: seasonal
    # differences 0 there, so the whole-series seasonal statistic is kept alone
    values = np.concatenate([[0.0, 4.0, 0.0, 4.0, 2.0, 2.0], np.full(8, 2.0)])[None, :]
    whole = np.mean(np.abs(values[0, 2:] - values[0, :-2]))
    assert whole > 0
    np.testing.assert_allclose(series_scale(values, 2), [whole])


# ---- calibration_scales -------------------------------------------------------------------------
def test_each_origin_is_scaled_without_the_periods_it_forecast():
    values = np.array([[1.0, 2.0, 3.0, 4.0, 10.0, 11.0]])
    errors = np.ones((1, 3, 2))
    # origin k forecast the 2 periods ending k before the last; differences touching them
    # are left out. k = 0 (10, 11 held out): 1, 1, 1; k = 1 (4, 10): 1, 1;
    # k = 2 (3, 4): 1 and 11 - 10 = 1. The jump 4 -> 10 is always inside the window.
    np.testing.assert_allclose(calibration_scales(errors, values, 1), [[1.0, 1.0, 1.0]])
    # the whole-series scale has the jump in it: (1 + 1 + 1 + 6 + 1) / 5
    assert series_scale(values, 1).item() == 2.0


def test_origin_scales_keep_the_statistic_of_the_series_own_scale():
    # m = 2, horizon 2, two origins.
    values = np.array([
        [1.0, 5.0, 2.0, 7.0, 3.0, 9.0, 4.0, 11.0],
        [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0],
        [NAN, NAN, NAN, NAN, 1.0, 5.0, 2.0, 7.0],
    ])
    errors = np.ones((3, 2, 2))
    scales = calibration_scales(errors, values, 2)
    # row 0 (seasonal differences 1, 2, 1, 2, 1, 2): k = 0 keeps 1, 2, 1, 2 -> 1.5;
    # k = 1 holds out 9 and 4, keeping 1, 2, 1 -> 4/3
    np.testing.assert_allclose(scales[0], [1.5, 4 / 3])
    # row 1: seasonal differences all 0, so its own scale is the lag-1 fallback (1), and
    # so is every origin's
    assert series_scale(values, 2)[1] == 1.0
    np.testing.assert_allclose(scales[1], [1.0, 1.0])
    # row 2: its own scale is seasonal (1 and 2 -> 1.5), but no window leaves a seasonal
    # difference: no scale (NaN) rather than a lag-1 or mean |y| stand-in on another footing
    assert series_scale(values, 2)[2] == 1.5
    assert np.isnan(scales[2]).all()


def test_series_too_short_for_any_origin_scale_fall_back_to_whole_series_scales():
    values = np.array([[NAN, 1.0, 5.0, 2.0, 7.0], [NAN, NAN, 3.0, 6.0, 4.0]])
    errors = np.ones((2, 1, 3))
    with pytest.warns(DataQualityWarning, match="whole-series scales"):
        scales = calibration_scales(errors, values, 2)
    np.testing.assert_allclose(scales[:, 0], series_scale(values, 2))


def test_origins_without_a_backtest_get_no_scale():
    values = np.array([[1.0, 2.0, 4.0, 7.0, 11.0]])
    errors = np.ones((1, 5, 2))
    errors[:, 3:] = NAN                      # cuts 5 and 6 >= 5 periods: no backtest
    # k = 0 keeps 1, 2, 4: 1.5; k = 1 keeps 1, 2 and 11: 1; k = 2 keeps 1 and 7, 11: 4
    np.testing.assert_allclose(calibration_scales(errors, values, 1),
                               [[1.5, 1.0, 4.0, NAN, NAN]])


def test_origin_scales_take_the_recent_periods_before_the_window_they_forecast():
    # m = 1, recent periods 8, horizon 2, one origin (k = 0: the last 2 periods held out).
    # 10 changes of 1, then 8 changes of 3, then the 2 forecast periods with a jump.
    values = np.concatenate([np.arange(11.0), 10.0 + 3.0 * np.arange(1.0, 9.0),
                             [100.0, 101.0]])[None, :]
    kept = values[0, :-2]
    whole = np.mean(np.abs(np.diff(kept)))                      # (10 + 8 * 3) / 18
    recent = np.mean(np.abs(np.diff(kept[-8:])))                # 3.0
    scales = calibration_scales(np.ones((1, 1, 2)), values, 1)
    np.testing.assert_allclose(scales, [[np.sqrt(whole * recent)]])


# ---- conformal_quantiles ------------------------------------------------------------------------
def test_rank_is_the_finite_sample_conformal_rank_and_exact_on_whole_numbers():
    assert [_rank(9, level) for level in (80, 90, 50, 10)] == [8, 9, 5, 1]
    # (n + 1) * level / 100 is a whole number here; computed as (n + 1) * (1 - (1 - level
    # / 100)) it would come out a hair above it, and the ceiling take the next error
    for level, n, rank in [(56, 24, 14), (55, 99, 55), (68, 74, 51), (95, 19, 19),
                           (97.5, 39, 39)]:
        assert _rank(n, level) == rank


@pytest.mark.parametrize(("level", "n", "rank"), [(80, 19, 18), (90, 19, 19), (60, 24, 20),
                                                  (95, 39, 39), (80, 29, 27)])
def test_signed_tails_take_the_finite_sample_rank_from_each_end(level, n, rank):
    # errors 1..n shifted to be centred: the upper bound is the rank-th smallest, the
    # lower bound the rank-th largest, rank = ceil((n + 1)(1 - a/2))
    values = np.arange(1.0, n + 1.0) - (n + 1) / 2
    lower, upper = interval(values[::-1], level)
    assert upper == values[rank - 1] and lower == values[n - rank]


def test_finite_sample_correction_widens_small_samples():
    # 19 errors -9..9: the plain 90% empirical quantile is 7.2; the conformal rank
    # ceil(20 * 0.9) = 18 gives 8
    values = np.arange(-9.0, 10.0)
    lower, upper = interval(values, 80)
    assert (lower, upper) == (-8.0, 8.0)
    assert upper > np.quantile(values, 0.9) and lower < np.quantile(values, 0.1)
    # 8 errors, too few for the 80% tails (n + 1 < 10): the symmetric |e| rank
    # ceil(9 * 0.8) = 8 of 8, where the plain 80% quantile of |e| is 6.6
    small = np.array([1.0, -2.0, 3.0, -4.0, 5.0, -6.0, 7.0, -8.0])
    lower, upper = interval(small, 80)
    assert (lower, upper) == (-8.0, 8.0)
    assert upper > np.quantile(np.abs(small), 0.8)


def test_biased_errors_give_an_asymmetric_interval_that_contains_the_forecast():
    # forecasts that always undershoot: errors 1..19 (n = 19, 80%: ranks 18 and 2)
    lower, upper = interval(np.arange(1.0, 20.0), 80)
    assert upper == 18.0
    assert lower == 0.0          # the 2nd smallest error, 2, is above 0: clipped to 0


def test_too_few_errors_for_the_tails_use_the_symmetric_quantile():
    # n = 5: 80% tails need n >= 9, the symmetric quantile n >= 4: rank ceil(6 * 0.8) = 5
    lower, upper = interval([1.0, -5.0, 2.0, 4.0, -3.0], 80)
    assert (lower, upper) == (-5.0, 5.0)


def test_too_few_errors_warn_and_use_the_largest():
    with pytest.warns(DataQualityWarning, match=r"95% intervals at horizons \[1\]"):
        q = conformal_quantiles(as_errors([1.0, 5.0, 2.0, 4.0, 3.0]), np.ones(5), [80, 95])
    # 80%: rank ceil(6 * 0.8) = 5 <= 5; 95%: rank 6 > 5 -> the largest, 5
    assert [b.tolist() for b in q[80]] == [[-5.0], [5.0]]
    assert [b.tolist() for b in q[95]] == [[-5.0], [5.0]]


def test_errors_are_scaled_and_pooled_over_series():
    errors = np.array([[[2.0]], [[-4.0]], [[30.0]], [[-10.0]], [[NAN]]])
    scale = np.array([2.0, 2.0, 10.0, 10.0, 1.0])
    # scaled errors 1, -2, 3, -1 (the NaN is left out); n = 4, 50%: the tails need
    # ceil(5 * 0.75) = 4 <= 4: the 4th smallest, 3, and the 4th largest, -2
    q = conformal_quantiles(errors, scale, [50])
    assert [b.tolist() for b in q[50]] == [[-2.0], [3.0]]


def test_a_scale_per_origin_and_nan_scales_leave_errors_out():
    errors = np.array([[[1.0], [8.0]], [[-3.0], [5.0]]])       # 2 series x 2 origins
    scale = np.array([[1.0, 4.0], [1.0, NAN]])
    # scaled: 1, 2, -3 (5 has no scale); n = 3, 50%: symmetric rank ceil(4 * 0.5) = 2 of
    # |z| 1, 2, 3 -> 2 (the 50% tails need n >= 3: ceil(4 * 0.75) = 3: z = 2 and -3)
    q = conformal_quantiles(errors, scale, [50])
    assert [b.tolist() for b in q[50]] == [[-3.0], [2.0]]


def test_width_never_shrinks_with_the_horizon_and_a_gap_borrows_the_step_before():
    errors = np.full((19, 1, 4), NAN)
    errors[:, 0, 0] = np.arange(-9.0, 10.0)          # step 1: [-8, 8]
    errors[:, 0, 2] = np.arange(-9.0, 10.0) / 10     # step 3: [-0.8, 0.8] -> widened
    errors[:, 0, 3] = np.arange(0.0, 19.0)           # step 4: [1 -> 0, 17], width 17
    with pytest.warns(DataQualityWarning, match=r"80% intervals at horizons \[2\]"):
        lower, upper = conformal_quantiles(errors, np.ones(19), [80])[80]
    np.testing.assert_allclose(lower, [-8.0, -8.0, -8.0, 0.0])
    np.testing.assert_allclose(upper, [8.0, 8.0, 8.0, 17.0])


def test_narrow_step_is_widened_equally_on_both_sides():
    errors = np.zeros((19, 1, 2))
    errors[:, 0, 0] = np.arange(-9.0, 10.0)          # [-8, 8], width 16
    errors[:, 0, 1] = np.arange(-9.0, 10.0) / 2 + 3  # [-1, 7], width 8 -> [-5, 11]
    lower, upper = conformal_quantiles(errors, np.ones(19), [80])[80]
    np.testing.assert_allclose(lower, [-8.0, -5.0])
    np.testing.assert_allclose(upper, [8.0, 11.0])


def test_levels_are_nested():
    rng = np.random.default_rng(0)
    errors = rng.standard_t(3, size=(40, 5, 6))
    q = conformal_quantiles(errors, np.ones(40), [50, 80, 95])
    for narrow, wide in [(50, 80), (80, 95)]:
        assert (q[wide][0] <= q[narrow][0]).all() and (q[narrow][1] <= q[wide][1]).all()
    for lower, upper in q.values():
        assert (lower <= 0).all() and (upper >= 0).all()
        assert (np.diff(upper - lower) >= -1e-12).all()


def test_no_errors_at_all_give_nan():
    with pytest.warns(DataQualityWarning):
        q = conformal_quantiles(np.full((3, 2, 2), NAN), np.ones(3), [80])
    assert np.isnan(q[80][0]).all() and np.isnan(q[80][1]).all()


# ---- interval_bounds ----------------------------------------------------------------------------
def test_interval_bounds_and_nonnegative_clipping():
    mean = np.array([[1.0, 2.0], [10.0, 10.0]])
    scale = np.array([2.0, 1.0])
    quantiles = {80.0: (np.array([-1.0, -1.5]), np.array([0.5, 2.0])),
                 95.0: (np.array([-2.0, -3.0]), np.array([2.0, 3.0]))}
    free = interval_bounds(mean, scale, quantiles, nonnegative=False)
    np.testing.assert_allclose(free[80.0][0], [[-1.0, -1.0], [9.0, 8.5]])
    np.testing.assert_allclose(free[80.0][1], [[2.0, 6.0], [10.5, 12.0]])
    np.testing.assert_allclose(free[95.0][0], [[-3.0, -4.0], [8.0, 7.0]])
    clipped = interval_bounds(mean, scale, quantiles, nonnegative=True)
    np.testing.assert_allclose(clipped[80.0][0], [[0.0, 0.0], [9.0, 8.5]])
    np.testing.assert_allclose(clipped[95.0][0], [[0.0, 0.0], [8.0, 7.0]])
    np.testing.assert_allclose(clipped[95.0][1], free[95.0][1])
    # a negative mean: both bounds clipped
    below = interval_bounds(np.array([[-5.0]]), np.array([1.0]),
                            {80.0: (np.array([-1.0]), np.array([1.0]))}, True)
    assert [b.item() for b in below[80.0]] == [0.0, 0.0]


# ---- calibration on simulated series ------------------------------------------------------------
def random_walk_backtest(seed: int, shortest: int, longest: int, n_series: int = 2000,
                         horizon: int = 4, windows: int = 5):
    """Right-aligned random walks of random lengths, naive backtest errors and the future."""
    rng = np.random.default_rng(seed)
    length = rng.integers(shortest, longest + 1, size=n_series)
    paths = np.cumsum(rng.normal(size=(n_series, longest + horizon)), axis=1)
    values = paths[:, :longest].copy()
    values[np.arange(longest)[None, :] < (longest - length)[:, None]] = NAN
    errors = np.full((n_series, windows, horizon), NAN)
    for k in range(windows):
        cut = horizon + k
        start = longest - cut
        errors[:, k] = values[:, start:start + horizon] - values[:, [start - 1]]
    mean = np.repeat(values[:, [-1]], horizon, axis=1)
    return values, errors, mean, paths[:, longest:]


def coverage(values, errors, mean, future, scale) -> dict[float, float]:
    bounds = interval_bounds(mean, series_scale(values, 1),
                             conformal_quantiles(errors, scale, [80, 95]), nonnegative=False)
    return {level: float(np.mean((future >= lo) & (future <= hi)))
            for level, (lo, hi) in bounds.items()}


@pytest.mark.parametrize(("shortest", "longest"), [(10, 40), (10, 14)])
def test_random_walks_of_10_to_40_years_get_calibrated_intervals(shortest, longest):
    # Naive forecasts of Gaussian random walks: backtest errors and the errors of the real
    # forecast are exchangeable, so the intervals should cover close to their level.
    values, errors, mean, future = random_walk_backtest(0, shortest, longest)
    covered = coverage(values, errors, mean, future, calibration_scales(errors, values, 1))
    assert 0.77 <= covered[80] <= 0.85
    assert 0.935 <= covered[95] <= 0.98
    # Scaled by whole-series scales, the errors are divided by differences that include
    # their own actuals, look smaller than they are, and the intervals cover less.
    leaky = coverage(values, errors, mean, future, series_scale(values, 1))
    assert leaky[95] < covered[95] - 0.01
    assert leaky[80] < covered[80]


# ---- difficulty factors (locally adaptive scale) ------------------------------------------------
def test_difficulty_is_the_half_pooled_mean_error_relative_to_the_pool():
    # 3 series, 2 origins, 2 steps; the pooled medians per step are 1 and 2
    errors = np.array([[[1.0, 2.0], [1.0, -2.0]],
                       [[-1.0, 2.0], [1.0, 2.0]],
                       [[4.0, 8.0], [-2.0, 4.0]]])
    per_origin, overall = difficulty_factors(errors, np.ones((3, 2)))
    # relative errors of series 2: 4, 4 (origin 0) and 2, 2 (origin 1); 2 pseudo-errors of 1
    np.testing.assert_allclose(overall[:2], [1.0, 1.0])
    # each origin's factor uses only errors at periods that origin does not forecast: for
    # origin 0 (the last 2 periods) origin 1's first step (relative error 2), for origin 1
    # origin 0's last step (4)
    np.testing.assert_allclose(per_origin[2], [np.sqrt((2 + 2) / (1 + 2)),
                                               np.sqrt((4 + 2) / (1 + 2))])
    # the forecast's factor is as precise as those: their mean
    np.testing.assert_allclose(overall, per_origin.mean(axis=1))


def test_difficulty_without_errors_or_scale_is_one_and_scales_count():
    errors = np.array([[[NAN], [NAN]], [[2.0], [2.0]], [[2.0], [2.0]]])
    per_origin, overall = difficulty_factors(errors, np.array([[1.0, 1.0], [1.0, 1.0],
                                                               [NAN, NAN]]))
    np.testing.assert_allclose(overall, [1.0, 1.0, 1.0])      # no errors / no scale
    assert np.all(np.isfinite(per_origin))
    # the same errors on a series twice as volatile are half as hard
    _, overall = difficulty_factors(np.full((3, 2, 1), 2.0),
                                    np.array([[1.0, 1.0], [1.0, 1.0], [2.0, 2.0]]))
    assert overall[2] == pytest.approx(np.sqrt((0.5 + 1) / 2))


def ar_backtest(seed: int, n_series: int = 3000, length: int = 40, horizon: int = 4,
                windows: int = 5):
    """AR(1) series, half with phi = 0 and half with phi = 0.9, forecast by their true model.

    The forecast errors of step ``h`` are normal with standard deviation
    ``sqrt(sum_{j<h} phi**(2j))``; relative to the lag-1 scale (MASE
    denominator) the phi = 0.9 series are 2.4 times as hard to forecast.
    """
    rng = np.random.default_rng(seed)
    phi = np.where(np.arange(n_series) % 2 == 0, 0.0, 0.9)
    total = length + horizon + 50
    noise = rng.normal(size=(n_series, total))
    paths = np.zeros((n_series, total))
    for t in range(1, total):   # a short loop over time, vectorised over series
        paths[:, t] = phi * paths[:, t - 1] + noise[:, t]
    paths = paths[:, 50:]
    values = paths[:, :length]
    powers = phi[:, None] ** np.arange(1, horizon + 1)[None, :]
    errors = np.full((n_series, windows, horizon), NAN)
    for k in range(windows):
        start = length - horizon - k
        errors[:, k] = values[:, start:start + horizon] - values[:, [start - 1]] * powers
    mean = values[:, [-1]] * powers
    sd = np.sqrt(np.cumsum(phi[:, None] ** (2 * np.arange(horizon))[None, :], axis=1))
    return values, errors, mean, paths[:, length:], phi, sd


def test_ar_intervals_cover_their_level_and_follow_the_true_quantiles():
    values, errors, mean, future, phi, sd = ar_backtest(0)
    scale = calibration_scales(errors, values, 1)
    per_origin, overall = difficulty_factors(errors, scale)
    hard = phi > 0
    assert np.median(overall[hard]) > 1.2 * np.median(overall[~hard])
    results = {}
    for adaptive in (False, True):
        quantiles = conformal_quantiles(errors, scale * per_origin if adaptive else scale,
                                        [80, 95])
        factor = overall if adaptive else 1.0
        bounds = interval_bounds(mean, series_scale(values, 1) * factor, quantiles, False)
        results[adaptive] = {}
        for level, (lo, hi) in bounds.items():
            inside = (future >= lo) & (future <= hi)
            true_width = 2 * {80: 1.2816, 95: 1.96}[level] * sd
            results[adaptive][level] = (
                float(inside.mean()), float(inside[hard].mean()), float(inside[~hard].mean()),
                float(np.mean(np.abs(np.log((hi - lo) / true_width)))))
    for level, (low, high) in {80: (0.77, 0.83), 95: (0.93, 0.97)}.items():
        covered, covered_hard, covered_easy, width_error = results[True][level]
        assert low <= covered <= high
        # closer to the level in both kinds of series, and widths closer to the true ones
        plain = results[False][level]
        assert abs(covered_hard - level / 100) < abs(plain[1] - level / 100)
        assert abs(covered_easy - level / 100) < abs(plain[2] - level / 100)
        assert width_error < plain[3]


# ---- short histories ----------------------------------------------------------------------------
def test_short_windows_keep_only_windows_inside_each_series():
    n_obs = np.array([10, 5, 7])
    rows, columns = short_windows(n_obs, 10, 3, 4, 5)
    # series 0: offsets 0..3 fit (3 + 4 + j <= 10); series 1 none; series 2 offset 0
    assert rows.tolist() == [0, 0, 0, 0, 2]
    np.testing.assert_array_equal(columns[0], np.arange(7))
    np.testing.assert_array_equal(columns[-1], np.arange(3, 10))   # series 2 starts at column 3
    assert short_history_limit(4) == 8 and short_history_limit(2) == 4


def test_differences_that_are_rounding_count_as_zero():
    """Equal estimates that differ in the last bit gave a scale of 5e-17: every error it
    divided became enormous, and so did the series' difficulty factor."""
    tied = np.array([[0.1 + 0.2, 0.3]])                    # 0.30000000000000004 and 0.3
    assert tied[0, 0] != tied[0, 1]
    # no movement: the next statistic, the mean level, is the scale
    assert series_scale(tied, 1)[0] == pytest.approx(0.3)


@pytest.mark.slow
def test_the_demo_cell_with_tied_estimates_keeps_a_sane_forecast():
    keys = ["region", "industry", "skill_level"]
    data = tg.datasets.load_demo()
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1, keys=keys)
    early = panel[panel["period"] <= panel["period"].max() - 12]
    forecast = tg.models.GapForecaster(keys=keys, n_samples=200).fit(early).predict(4)
    # Ashmere's high-skilled robot operators had two equal estimates (26.444...) that
    # differed in the last bit: their paths reached 1.6e8 persons
    assert forecast["demand"].max() < 3 * early["demand"].max()
