"""Conformal prediction intervals from rolling-origin forecast errors.

The method, for horizon step ``h`` and coverage level ``1 - a``:

1. **Errors.** Origin ``k`` of the rolling-origin backtest holds out each
   series' last ``H + k`` periods, refits and forecasts ``H`` steps; its
   errors are ``e = actual - forecast``.
2. **Scale-free errors, without look-ahead.** Each error is divided by a
   scale of its series: the mean absolute seasonal difference (the MASE
   denominator, :func:`series_scale`) computed from the series *without the
   H periods that origin forecast* (:func:`calibration_scales`). A scale
   computed from the whole series would contain the very actuals the errors
   are measured against: a window with a large surprise also has large
   differences, so its scaled error shrinks. On short series that bias is
   large (on the yearly Tourism series, 80% intervals covered 70% of the
   actuals), while the forecast being issued has no future in its scale.
   A window's scale is the same statistic as the series' own scale (the
   seasonal differences, or the fallback the series needs); a window that
   leaves too little data for it contributes no errors.
   The statistic is the geometric mean of its value over the whole series
   and over the series' recent periods (:func:`recent_periods`: four
   seasons, at least 8 periods, before the forecast or the window). A series
   whose movements grew or faded over the years is then scaled by what it
   does now, while the long history keeps the scale steady: with the whole
   series alone, the long series of a data set (whose early, smaller
   movements dilute the scale) were under-covered and the short ones
   over-covered; with the recent periods alone, the noise of a few
   differences widened the intervals. A difference far outside the
   series' own (beyond ``10`` interquartile ranges of its differences,
   :func:`difference_fences`) is left out of the statistic: it is a data
   error, one value typed 50 times too large, say, not a movement of the
   series (with it, such a value made one series' scale 160 times its usual
   size). :func:`outlying_values` names such values, and the forecasters
   warn about them when fitted.
3. **Pooling.** The ``n`` scaled errors of all series and origins at step
   ``h`` are pooled, so that short series borrow calibration from the
   others (one series has only ``n_windows`` errors per step).
4. **Finite-sample quantiles of signed errors.** With ``r = ceil((n + 1)(1 -
   a/2))``, the upper bound is the ``r``-th smallest scaled error and the
   lower bound the ``r``-th largest: each tail holds at most ``a/2`` of a new
   exchangeable error, so the interval covers at least ``1 - a`` (split
   conformal prediction, Vovk, Gammerman & Shafer 2005; Lei et al. 2018,
   section 5.2, for the two one-sided quantiles; Stankeviciute et al. 2021
   for multi-horizon forecasts). Signed errors keep a systematic bias of the
   forecasts (a growth they undershoot, say) in the interval, which may then
   be asymmetric. A step with too few errors for the tails (``n + 1 < 2/a``:
   fewer than 9 for 80%, 39 for 95%) uses the symmetric conformal quantile of
   ``|e|``, rank ``ceil((n + 1)(1 - a))``; with fewer still (``n + 1 < 1/a``)
   the largest ``|e|``, with a :class:`~talentgap.errors.DataQualityWarning`.
5. **Shape.** The interval contains the point forecast (lower <= 0 <=
   upper), its width never shrinks with the horizon (a narrower step is
   widened equally on both sides), and a wider level contains a narrower
   one. The bounds are ``mean + lower * s`` and ``mean + upper * s`` with
   ``s`` the series' scale from all its data times its difficulty factor
   (step 7), clipped at 0 for count data. Before the ranks are taken, a
   pooled scaled error beyond the step's far fences (``10`` interquartile
   ranges beyond its quartiles) is set to the fence: the widest bounds of a
   small pool (a 95% bound from 50 errors is the largest of them) then
   reach the fence, not a data error hundreds of typical errors out; ranks
   inside the fences do not move.
6. **Short histories (Mondrian by history length).** A series with fewer
   than :func:`short_history_limit` observations (two seasons, at least 4)
   has no rolling-origin errors of its own, a scale estimated from a few
   differences, and a forecast from a fallback model; the errors pooled
   from long series understate its uncertainty (80% intervals covered
   61-65% of the truth for cells with 2-8 quarters on synthetic data). So
   does a series none of whose backtest errors can be scaled without the
   periods they forecast (step 2; e.g. 8 quarters and a 4-step horizon):
   :func:`short_histories` names both kinds.
   Such series are calibrated within their own class: for each history
   length ``k`` present, windows of ``k`` consecutive observations of the
   longer series (from their first observation, shifted by ``0 ..
   n_windows - 1`` periods; :func:`short_windows`) are forecast by the same
   model as a ``k``-observation series would be and scaled by the same
   statistic computed from those ``k`` observations. Their scaled errors
   give the class's conformal quantiles as in steps 4 and 5 (Mondrian
   conformal prediction with the history length as taxonomy; Vovk,
   Gammerman & Shafer 2005, ch. 4), never narrower than the pooled ones.
   Series with more observations keep the pooled quantiles unchanged.
7. **Difficulty of each series (locally adaptive scale).** The MASE scale
   of step 2 measures how much a series moves, not how hard it is to
   forecast: a smooth trend moves a lot and is easy, a noisy series the
   reverse. Pooled quantiles then mix easy and hard series, and one band
   is too wide for the first and too narrow for the second; at 95% the
   hard series' errors set the band for all. Each series'
   scale is therefore multiplied by a difficulty factor
   (:func:`difficulty_factors`; normalised conformal prediction,
   Papadopoulos, Vovk & Gammerman 2011; Lei et al. 2018, section 5.2): the
   square root of the mean of its absolute scaled backtest errors relative
   to the pool's median at the same step, with one origin's worth of
   pseudo-errors at the pool's level (a series without backtest errors
   keeps factor 1). A relative error above the pool's "far out" fence at
   its step (``Q3 + 3 IQR``, about 5 times the median error) counts as the
   fence, so the errors one data error causes do not make the series look
   hundreds of times harder than it is. The square root pools the series' estimate half-way
   (geometrically) towards the common level, because the few, overlapping
   origins of one series measure its difficulty with much noise. The
   errors of origin ``k`` are scaled by the factor estimated from the
   errors of the other origins whose actuals origin ``k`` does not forecast
   (cross-fitted; origins one period apart share most of their actuals, and
   leaving out only origin ``k`` let a large error shrink itself: 95%
   intervals covered 93% of simulated AR(1) series instead of 95%). The
   forecast's factor is the mean of the origins' factors: estimated from
   as many errors as those, it is shrunk as much towards 1 (a factor from
   all errors would be less so, and intervals of hard series too wide).
"""

from __future__ import annotations

import logging

import numpy as np

from talentgap._numeric import nanmean
from talentgap.errors import DataQualityWarning, warn

__all__ = ["series_scale", "recent_periods", "calibration_scales", "conformal_quantiles",
           "interval_bounds", "short_history_limit", "short_histories", "short_windows",
           "difficulty_factors", "difference_fences", "outlying_values", "OWN_FENCE_IQR",
           "OWN_FENCE_MIN", "DIFFICULTY_FENCE_IQR"]

logger = logging.getLogger(__name__)


#: Differences smaller than this share of the values differenced are rounding, counted as 0.
_ROUNDING = 1e-9


#: How many interquartile ranges beyond its quartiles one of a series' own differences
#: may lie before it counts as a data error (:func:`difference_fences`).
OWN_FENCE_IQR = 10.0

#: Fewest observed differences a series needs before its own differences are fenced.
OWN_FENCE_MIN = 5

#: How many interquartile ranges above the upper quartile of the pooled relative
#: errors one error may count in a series' difficulty (Tukey's "far out" fence).
DIFFICULTY_FENCE_IQR = 3.0


def _row_quantile(ordered: np.ndarray, count: np.ndarray, share: float) -> np.ndarray:
    """Linear-interpolation quantile of each row's first ``count`` (sorted) values."""
    position = share * np.maximum(count - 1, 0)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, np.maximum(count - 1, 0))
    low = np.take_along_axis(ordered, below[:, None], axis=1)[:, 0]
    high = np.take_along_axis(ordered, above[:, None], axis=1)[:, 0]
    return low + (position - below) * (high - low)


def difference_fences(diff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the far fences beyond which one of its own signed differences is a data error.

    ``Q1 - k * IQR`` and ``Q3 + k * IQR`` of the row's observed differences
    (``k`` = :data:`OWN_FENCE_IQR`; Tukey's fences, ten times as wide as his
    "far out" ones): for normal changes 14 standard deviations out, never
    reached by a series' own movements, but far inside the two changes a
    value typed 50 times too large makes (into it and out of it). The
    quartiles are those of the row's changes other than 0: a count that
    stayed the same says nothing about how large its changes are, and with
    them the quartiles of an intermittent series (mostly 0, now and then a
    few) lie a fraction of a person apart. A row with fewer than
    :data:`OWN_FENCE_MIN` such changes, or with an IQR of 0, is not fenced
    (infinite fences).

    Parameters
    ----------
    diff : numpy.ndarray, shape (n_series, n_differences)
        Signed differences, NaN where not observed.

    Returns
    -------
    lower, upper : numpy.ndarray, each (n_series,)

    Examples
    --------
    >>> diff = np.array([[-2.0, -1.0, 0.0, 1.0, 2.0, 1.0, 0.0, 9000.0]])
    >>> lower, upper = difference_fences(diff)      # quartiles of the 6 non-zero: -0.5, 1.75
    >>> lower.tolist(), upper.tolist()
    ([-23.0], [24.25])
    """
    if diff.shape[1] == 0:
        return np.full(diff.shape[0], -np.inf), np.full(diff.shape[0], np.inf)
    diff = np.where(diff == 0, np.nan, diff)
    count = np.sum(~np.isnan(diff), axis=1)
    ordered = np.sort(diff, axis=1)  # NaN last
    q1, q3 = _row_quantile(ordered, count, 0.25), _row_quantile(ordered, count, 0.75)
    spread = OWN_FENCE_IQR * (q3 - q1)
    fenced = (count >= OWN_FENCE_MIN) & (spread > 0)
    return np.where(fenced, q1 - spread, -np.inf), np.where(fenced, q3 + spread, np.inf)


def _differences(values: np.ndarray, lag: int) -> np.ndarray:
    """Signed ``y_t - y_{t-lag}``, (n_series, n_periods - lag); rounding-size ones are 0."""
    first, second = values[:, :-lag], values[:, lag:]
    diff = second - first
    with np.errstate(invalid="ignore"):
        diff[np.abs(diff) <= _ROUNDING * np.fmax(np.abs(first), np.abs(second))] = 0.0
    return diff


def _mean_abs_diff(values: np.ndarray, lag: int) -> np.ndarray:
    """Mean of ``|y_t - y_{t-lag}|`` over each row's observed pairs (NaN if none).

    Two values equal up to floating-point rounding (one estimate summed in
    two orders, say) differ by 0, not by 1e-17: a scale of 1e-17 would blow
    every error it divides up by as much. A difference beyond the row's own
    far fences (:func:`difference_fences`) is left out: it is a data error
    (or a break no other change of the series comes near), not the typical
    movement the scale measures; with it, one value typed 50 times too
    large made a series' scale 160 times its usual size.

    Examples
    --------
    >>> values = np.array([[0.1 + 0.2, 0.3, 0.5]])
    >>> float(values[0, 0] - values[0, 1]) != 0.0, _mean_abs_diff(values[:, :2], 1).tolist()
    (True, [0.0])
    >>> _mean_abs_diff(values, 1).tolist()     # (0 + 0.2) / 2
    [0.1]
    >>> spike = np.array([[10.0, 11, 10, 12, 11, 10, 500, 11, 12, 10]])
    >>> # quartiles of the 9 changes -1 and 1: the jumps 490 and -489 are left out
    >>> round(float(_mean_abs_diff(spike, 1)[0]), 2)
    1.29
    """
    if values.shape[1] <= lag:
        return np.full(values.shape[0], np.nan)
    diff = _differences(values, lag)
    lower, upper = difference_fences(diff)
    diff = np.abs(np.where((diff < lower[:, None]) | (diff > upper[:, None]), np.nan, diff))
    count = np.sum(~np.isnan(diff), axis=1)
    total = np.nansum(diff, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def _scale_options(values: np.ndarray, season_length: int) -> np.ndarray:
    """The statistics a series' scale is chosen from, in order, shape (4, n_series)."""
    level = nanmean(np.abs(values), axis=1)  # NaN for all-NaN rows
    return np.stack([_mean_abs_diff(values, season_length), _mean_abs_diff(values, 1), level,
                     np.ones(values.shape[0])])


def _usable(scale: np.ndarray) -> np.ndarray:
    return (scale > 0) & np.isfinite(scale)


def _scale_choice(values: np.ndarray, season_length: int) -> tuple[np.ndarray, np.ndarray]:
    """Each series' whole-series statistic and which of :func:`_scale_options` it is."""
    options = _scale_options(values, season_length)
    choice = np.argmax(_usable(options), axis=0)  # the last option (1) is always usable
    return options[choice, np.arange(values.shape[0])], choice


def outlying_values(values: np.ndarray, season_length: int) -> np.ndarray:
    """Where a value changes by far more than its series' other changes: a likely data error.

    The changes are the differences the series' scale is built from (a
    season apart, or one period apart where the series is too short for
    that; :func:`series_scale`); a value is *outlying* when its change from
    the value before lies beyond the series' own far fences
    (:func:`difference_fences`), except when that change only takes the
    series back from an outlying value (the way out of a spike). Series
    scaled by their level or by 1 have no such changes.

    Parameters
    ----------
    values : numpy.ndarray, shape (n_series, n_periods)
        Right-aligned series (NaN where not observed).
    season_length : int

    Returns
    -------
    numpy.ndarray of bool, same shape as ``values``

    Examples
    --------
    >>> values = np.array([[10.0, 11, 10, 12, 11, 10, 500, 11, 12, 10],
    ...                    [10.0, 11, 10, 12, 11, 10, 500, 510, 505, 511]])
    >>> np.flatnonzero(outlying_values(values, 1)[0]).tolist()   # the spike, not its way back
    [6]
    >>> np.flatnonzero(outlying_values(values, 1)[1]).tolist()   # the start of a new level
    [6]
    """
    _, choice = _scale_choice(values, season_length)
    out = np.zeros(values.shape, dtype=bool)
    for lag, rows in ((int(season_length), choice == 0), (1, choice == 1)):  # two lags
        if not rows.any() or values.shape[1] <= lag:
            continue
        diff = _differences(values[rows], lag)
        lower, upper = difference_fences(diff)
        with np.errstate(invalid="ignore"):
            beyond = np.where(diff > upper[:, None], 1, np.where(diff < lower[:, None], -1, 0))
        back = np.zeros(beyond.shape, dtype=bool)
        back[:, lag:] = beyond[:, lag:] * beyond[:, :-lag] < 0
        out[np.flatnonzero(rows)[:, None], np.arange(lag, values.shape[1])[None, :]] = (
            (beyond != 0) & ~back)
    return out


def recent_periods(season_length: int) -> int:
    """How many of a series' last periods its scale also looks at: 4 seasons, at least 8.

    Examples
    --------
    >>> recent_periods(4), recent_periods(12), recent_periods(1)
    (16, 48, 8)
    """
    return max(4 * int(season_length), 8)


def _with_recent(whole: np.ndarray, recent_values: np.ndarray, season_length: int,
                 choice: np.ndarray) -> np.ndarray:
    """Geometric mean of the whole-series statistic and the same one over recent periods.

    Where the recent periods do not allow the statistic (or it is 0 there),
    the whole-series one is kept; a NaN whole-series statistic stays NaN.
    """
    recent = _scale_options(recent_values, season_length)[choice, np.arange(whole.shape[0])]
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        product = whole * recent
        # sqrt(x * x) is exactly x; the product of square roots only where the product
        # overflows or underflows
        blended = np.where(_usable(product), np.sqrt(product), np.sqrt(whole) * np.sqrt(recent))
    return np.where(_usable(recent) & _usable(whole) & _usable(blended), blended, whole)


def series_scale(values: np.ndarray, season_length: int) -> np.ndarray:
    """Typical one-step change of each series: the MASE denominator, with its recent level.

    ``mean(|y_t - y_{t-m}|)`` over each row's observed values, falling back
    to lag 1 where the series is shorter than ``m + 1``, then to ``mean(|y|)``,
    then to 1, so the result is always positive and finite. The statistic
    is the geometric mean of its value over the whole row and over the
    row's last :func:`recent_periods` periods (the whole-row value alone
    where those do not allow it).

    Parameters
    ----------
    values : numpy.ndarray, shape (n_series, n_periods)
        Right-aligned series (NaN before each one's first observation).
    season_length : int

    Returns
    -------
    numpy.ndarray, shape (n_series,)

    Examples
    --------
    >>> import numpy as np
    >>> series_scale(np.array([[1.0, 2.0, 4.0], [np.nan, 5.0, 5.0]]), 1).tolist()
    [1.5, 5.0]
    >>> # 12 calm changes of 1, then 8 periods changing by 4: sqrt(2.2 * 4)
    >>> grown = np.concatenate([np.arange(13.0), 12 + 4 * np.arange(1.0, 9.0)])
    >>> round(float(series_scale(grown[None, :], 1)[0]), 3)
    2.966
    """
    whole, choice = _scale_choice(values, season_length)
    recent = values[:, max(0, values.shape[1] - recent_periods(season_length)):]
    return _with_recent(whole, recent, season_length, choice)


def calibration_scales(errors: np.ndarray, values: np.ndarray,
                       season_length: int) -> np.ndarray:
    """Scale of each series for the errors of each rolling origin, without look-ahead.

    For origin ``k`` (which forecast the ``H`` periods ending ``k`` periods
    before each series' last one), the statistic :func:`series_scale` uses
    for the series, computed with those ``H`` periods left out: differences
    that involve a held-out period are dropped. NaN where the rest of the
    series does not allow that statistic (the window's errors then do not
    calibrate). Only if that leaves no usable error at all are the
    whole-series scales used, with a ``DataQualityWarning``.

    Parameters
    ----------
    errors : numpy.ndarray, shape (n_series, n_windows, horizon)
        Backtest errors (only their shape and finiteness are used).
    values : numpy.ndarray, shape (n_series, n_periods)
        The right-aligned series the backtests were run on.
    season_length : int

    Returns
    -------
    numpy.ndarray, shape (n_series, n_windows)

    Examples
    --------
    >>> import numpy as np
    >>> values = np.array([[1.0, 2.0, 3.0, 4.0, 10.0, 11.0]])
    >>> errors = np.ones((1, 2, 1))
    >>> series_scale(values, 1).tolist()  # the jump 4 -> 10 is in it
    [2.0]
    >>> # origin 0 forecast 11: diffs 1, 1, 1, 6; origin 1 forecast 10: diffs 1, 1, 1
    >>> calibration_scales(errors, values, 1).tolist()
    [[2.25, 1.0]]
    """
    n_series, windows, horizon = errors.shape
    width = values.shape[1]
    _, choice = _scale_choice(values, season_length)
    rows = np.arange(n_series)
    out = np.full((n_series, windows), np.nan)
    for k in range(windows):  # a handful of origins
        cut = horizon + k
        if cut >= width:
            break
        held_out = values.copy()
        held_out[:, width - cut:width - cut + horizon] = np.nan
        whole = _scale_options(held_out, season_length)[choice, rows]
        # recent: the periods just before the window (and the few after it, as in the whole)
        recent = held_out[:, max(0, width - cut - recent_periods(season_length)):]
        scale = _with_recent(whole, recent, season_length, choice)
        out[:, k] = np.where(_usable(scale), scale, np.nan)
    finite = np.isfinite(errors)
    if finite.any() and not (finite & np.isfinite(out)[:, :, None]).any():
        warn(
            "the series are too short to scale backtest errors without the periods they "
            "forecast; intervals use whole-series scales and may be too narrow; use longer "
            "series or more series", DataQualityWarning, stacklevel=3)
        out = np.repeat(series_scale(values, season_length)[:, None], windows, axis=1)
    return out


def difficulty_factors(errors: np.ndarray,
                       scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How hard each series is to forecast, relative to the pool (step 7 of the method).

    With ``u = |e| / s`` the absolute scaled errors and ``d_h`` their pooled
    median at step ``h``, a series' difficulty is ``sqrt((sum(u / d_h) + H) /
    (count + H))`` over its errors: the mean relative error with ``H`` (one
    origin's steps) pseudo-errors at the pool's level 1, square-rooted to
    pool it half-way towards that level. Each origin's factor is computed
    from the errors of the other origins at periods it does not forecast.

    Parameters
    ----------
    errors : numpy.ndarray, shape (n_series, n_windows, horizon)
        Backtest errors (NaN where unavailable).
    scale : numpy.ndarray, shape (n_series, n_windows)
        The errors' scales (:func:`calibration_scales`); NaN leaves them out.

    Returns
    -------
    per_origin : numpy.ndarray, shape (n_series, n_windows)
        Factor for the errors of each origin, estimated from the errors of
        the other origins at periods that origin does not forecast.
    overall : numpy.ndarray, shape (n_series,)
        Factor for the forecast being issued: the mean of ``per_origin``.

    Examples
    --------
    >>> import numpy as np
    >>> errors = np.array([[[1.0], [1.0]], [[-1.0], [1.0]], [[4.0], [-2.0]]])  # 2 origins
    >>> per_origin, overall = difficulty_factors(errors, np.ones((3, 2)))
    >>> per_origin.round(3).tolist()   # the third is harder than the median series
    [[1.0, 1.0], [1.0, 1.0], [1.225, 1.581]]
    >>> overall.round(3).tolist()
    [1.0, 1.0, 1.403]
    """
    horizon = errors.shape[2]
    with np.errstate(invalid="ignore", divide="ignore"):
        size = np.abs(errors) / np.asarray(scale, dtype=np.float64)[:, :, None]
    size[~np.isfinite(size)] = np.nan
    typical = np.full(horizon, np.nan)
    has = np.isfinite(size).reshape(-1, horizon).any(axis=0)
    typical[has] = np.nanmedian(size.reshape(-1, horizon)[:, has], axis=0)
    typical = np.where(typical > 0, typical, np.nan)   # a step all-zero says nothing
    relative = _held_in(size / typical)
    found = np.isfinite(relative)
    relative = np.where(found, relative, 0.0)
    windows = errors.shape[1]
    # periods between each error's actual and the series' last one: origin k, step j -> k + H-1-j
    before_end = np.arange(windows)[:, None] + (horizon - 1 - np.arange(horizon))[None, :]
    per_origin = np.empty((errors.shape[0], windows))
    for k in range(windows):  # a handful of origins
        keep = (before_end < k) | (before_end >= k + horizon)  # actuals k does not forecast
        per_origin[:, k] = _half_pooled(np.sum(relative * keep, axis=(1, 2)),
                                        np.sum(found & keep, axis=(1, 2)), horizon)
    # the forecast's factor: the origins' mean, estimated as precisely as the ones that scaled
    # the calibration errors (a factor from all the errors would be less shrunk than those)
    if windows == 0:  # no origins: no evidence either way
        return per_origin, np.ones(errors.shape[0])
    return per_origin, per_origin.mean(axis=1)


def _held_in(relative: np.ndarray) -> np.ndarray:
    """Relative errors (n_series, n_windows, horizon) above the pool's far fence set to it.

    Per step, the fence is ``Q3 + k * IQR`` of the pooled finite values (``k``
    = :data:`DIFFICULTY_FENCE_IQR`, Tukey's "far out" fence; for normal
    errors 3.6 standard deviations, 5.4 times the median error, passed by
    3 errors in 10,000): a data error that a series' backtests forecast
    from, or were scored against, then counts as a large error, not as
    hundreds of typical ones, in that series' difficulty (one value typed 50
    times too large made a factor of 10.5, against about 1 without it).
    """
    pooled = relative.reshape(-1, relative.shape[2])
    has = np.isfinite(pooled).sum(axis=0) >= OWN_FENCE_MIN
    if not has.any():
        return relative
    fence = np.full(relative.shape[2], np.inf)
    q1, q3 = np.nanquantile(pooled[:, has], [0.25, 0.75], axis=0)
    fence[has] = np.where(q3 > q1, q3 + DIFFICULTY_FENCE_IQR * (q3 - q1), np.inf)
    return np.minimum(relative, fence)  # NaN stays NaN


def _half_pooled(total: np.ndarray, count: np.ndarray, prior: int) -> np.ndarray:
    """``sqrt`` of the mean relative error with ``prior`` pseudo-errors of 1."""
    return np.sqrt((total + prior) / (count + prior))


def _within_fences(values: np.ndarray) -> np.ndarray:
    """A step's pooled scaled errors, those beyond its far fences set to the fence.

    The fences of :func:`difference_fences` (``k`` = :data:`OWN_FENCE_IQR`
    interquartile ranges beyond the quartiles) of the pool itself: a data
    error in one series then widens the other series' widest intervals (a
    95% bound from a pool of 50 errors is its largest) to the fence, not to
    hundreds of typical errors. Ranks inside the fences do not move.
    """
    lower, upper = difference_fences(values[None, :])
    return np.clip(values, lower[0], upper[0])


def _rank(n: int, share_percent: float) -> int:
    """``ceil((n + 1) * share_percent / 100)``, exact where that is a whole number.

    (``1 - (1 - 0.55)`` is not 0.55 in floating point, so the share is passed
    in percent and the product rounded before the ceiling.)
    """
    return int(np.ceil(round((n + 1) * share_percent, 6) / 100.0))


def conformal_quantiles(errors: np.ndarray, scale: np.ndarray,
                        levels: list[float]) -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """Per-horizon lower and upper quantiles of pooled scaled signed errors.

    See the module docstring for the method.

    Parameters
    ----------
    errors : numpy.ndarray, shape (n_series, n_windows, horizon)
        ``actual - forecast`` of past rolling-origin forecasts (NaN where
        unavailable).
    scale : numpy.ndarray, shape (n_series,) or (n_series, n_windows)
        Positive scale per series, or per series and origin (see
        :func:`calibration_scales`); NaN leaves the errors out.
    levels : list of float
        Coverage levels in percent, e.g. ``[80, 95]``.

    Returns
    -------
    dict of float to (numpy.ndarray, numpy.ndarray)
        For each level, the lower (<= 0) and upper (>= 0) quantile per
        horizon step, each of shape ``(horizon,)``. A step without errors
        takes the interval of the step before it (NaN if there is none),
        with a ``DataQualityWarning``, as does a step with too few errors
        for the level.

    Examples
    --------
    >>> import numpy as np
    >>> errors = np.arange(-9.0, 10.0).reshape(19, 1, 1)   # -9 .. 9
    >>> lower, upper = conformal_quantiles(errors, np.ones(19), [80])[80]
    >>> lower.tolist(), upper.tolist()     # ranks ceil(20 * 0.9) = 18 from each end
    ([-8.0], [8.0])
    """
    scale = np.asarray(scale, dtype=np.float64)
    scale = scale[:, None, None] if scale.ndim == 1 else scale[:, :, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = errors / scale
    horizon = scaled.shape[2]
    pooled = [np.sort(_within_fences(col[np.isfinite(col)]))
              for col in scaled.reshape(-1, horizon).T]
    magnitudes = [np.sort(np.abs(values)) for values in pooled]
    out = {}
    previous = None
    for level in sorted(levels):
        lower, upper = np.full(horizon, np.nan), np.full(horizon, np.nan)
        short = []
        for step, (values, sizes) in enumerate(zip(pooled, magnitudes, strict=True)):
            n = values.size
            if n == 0:
                short.append(step + 1)
                continue
            tail = _rank(n, (100.0 + level) / 2.0)     # 1 - a/2, in percent
            if tail <= n:
                lower[step], upper[step] = values[n - tail], values[tail - 1]
                continue
            rank = _rank(n, level)                      # symmetric: 1 - a
            if rank > n:
                short.append(step + 1)
                rank = n
            lower[step], upper[step] = -sizes[rank - 1], sizes[rank - 1]
        if short:
            warn(
                f"too few rolling-origin errors for {level:g}% intervals at horizons {short}; "
                "those intervals use the largest error seen and may be too narrow; "
                "use more windows or more series", DataQualityWarning, stacklevel=3)
        # a step without errors takes the interval of the step before it
        filled = np.maximum.accumulate(np.where(np.isnan(lower), 0, np.arange(horizon)))
        lower, upper = lower[filled], upper[filled]
        lower, upper = np.minimum(lower, 0.0), np.maximum(upper, 0.0)
        width = upper - lower
        widest = np.fmax.accumulate(width)
        lower, upper = lower - (widest - width) / 2, upper + (widest - width) / 2
        if previous is not None:
            lower, upper = np.minimum(lower, previous[0]), np.maximum(upper, previous[1])
        out[level] = previous = (lower, upper)
    return out


def interval_bounds(mean: np.ndarray, scale: np.ndarray,
                    quantiles: dict[float, tuple[np.ndarray, np.ndarray]],
                    nonnegative: bool) -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """``mean + lower * scale`` and ``mean + upper * scale`` per level, clipped at 0 if asked."""
    bounds = {}
    for level, (lower, upper) in quantiles.items():
        lo = mean + lower[None, :] * scale[:, None]
        hi = mean + upper[None, :] * scale[:, None]
        if nonnegative:
            lo, hi = np.maximum(lo, 0.0), np.maximum(hi, 0.0)
        bounds[level] = (lo, hi)
    return bounds


def short_history_limit(season_length: int) -> int:
    """Fewest observations for a series to use the pooled interval calibration.

    Two seasons, and at least 4: with fewer, neither the seasonal difference
    nor a fitted model says much about the series.

    Examples
    --------
    >>> short_history_limit(4), short_history_limit(12), short_history_limit(1)
    (8, 24, 4)
    """
    return max(2 * int(season_length), 4)


def short_histories(n_obs: np.ndarray, errors: np.ndarray, scale: np.ndarray,
                    season_length: int) -> np.ndarray:
    """Which series are calibrated by their history class (step 6), not the pool.

    A series is *short* when it has fewer than :func:`short_history_limit`
    observations, or when none of its backtest errors has a scale computed
    without the periods it forecast (:func:`calibration_scales`): its own
    backtests then say nothing honest about it, and its forecast comes from
    fits to a handful of observations. With 8 quarters and a 4-step horizon,
    for instance, every origin leaves at most 4 observations besides the
    held-out ones, too few for a seasonal difference.

    Parameters
    ----------
    n_obs : numpy.ndarray of int, shape (n_series,)
        Observations per series.
    errors : numpy.ndarray, shape (n_series, n_windows, horizon)
        Backtest errors (only their finiteness is used).
    scale : numpy.ndarray, shape (n_series, n_windows)
        Their scales without look-ahead (:func:`calibration_scales`, or a
        positive multiple of it); NaN where an origin cannot be scaled.
    season_length : int

    Returns
    -------
    numpy.ndarray of bool, shape (n_series,)

    Examples
    --------
    >>> import numpy as np
    >>> values = np.arange(24.0).reshape(2, 12) ** 1.5
    >>> values[1, :4] = np.nan                     # the second series: 8 quarters
    >>> errors = np.ones((2, 2, 4))
    >>> scale = calibration_scales(errors, values, 4)
    >>> np.isfinite(scale).tolist()                # no origin of the second can be scaled
    [[True, True], [False, False]]
    >>> short_histories(np.array([12, 8]), errors, scale, 4).tolist()
    [False, True]
    """
    own = (np.isfinite(errors) & np.isfinite(scale)[:, :, None]).any(axis=(1, 2))
    return (np.asarray(n_obs) < short_history_limit(season_length)) | ~own


def short_windows(n_obs: np.ndarray, width: int, length: int, horizon: int,
                  n_windows: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows of ``length`` observations followed by ``horizon`` actuals, in long series.

    Window ``j`` (``j = 0 .. n_windows - 1``) of a series starts ``j`` periods
    after its first observation; only windows whose ``horizon`` periods after
    the ``length`` ones lie inside the series are kept.

    Parameters
    ----------
    n_obs : numpy.ndarray of int, shape (n_series,)
        Observations per series (right-aligned in a table of ``width`` columns).
    width : int
        Columns of the right-aligned table.
    length, horizon, n_windows : int

    Returns
    -------
    rows : numpy.ndarray of int, shape (n_kept,)
        Series of each kept window.
    columns : numpy.ndarray of int, shape (n_kept, length + horizon)
        Table columns of each window: the ``length`` observations, then the
        ``horizon`` actuals.

    Examples
    --------
    >>> rows, columns = short_windows(np.array([3, 6]), 6, 2, 2, 3)
    >>> rows.tolist(), columns.tolist()
    ([1, 1, 1], [[0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5]])
    """
    offsets = np.arange(max(int(n_windows), 1))
    first = width - np.asarray(n_obs, dtype=np.int64)
    fits = offsets[None, :] + length + horizon <= np.asarray(n_obs)[:, None]
    rows, offset = np.nonzero(fits)
    columns = (first[rows] + offset)[:, None] + np.arange(length + horizon)[None, :]
    return rows, columns
