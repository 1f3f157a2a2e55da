"""Pooled conformal quantiles of scaled errors, the difficulty of each series, the bounds.

Steps 3-5 and 7 of the interval method (:mod:`talentgap.models._conformal`):
the finite-sample quantiles of the pooled scaled signed errors per horizon
step (:func:`conformal_quantiles`), each series' difficulty factor
(:func:`difficulty_factors`), and the bounds they give around the point
forecasts (:func:`interval_bounds`).
"""

from __future__ import annotations

import numpy as np

from talentgap.errors import DataQualityWarning, warn
from talentgap.models._conformal.scales import OWN_FENCE_MIN, difference_fences

__all__ = ["conformal_quantiles", "interval_bounds", "difficulty_factors",
           "DIFFICULTY_FENCE_IQR"]

#: How many interquartile ranges above the upper quartile of the pooled relative
#: errors one error may count in a series' difficulty (Tukey's "far out" fence).
DIFFICULTY_FENCE_IQR = 3.0


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
        The errors' scales
        (:func:`~talentgap.models._conformal.scales.calibration_scales`); NaN
        leaves them out.

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

    The fences of :func:`~talentgap.models._conformal.scales.difference_fences`
    (``k`` = :data:`~talentgap.models._conformal.scales.OWN_FENCE_IQR`
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

    See :mod:`talentgap.models._conformal` for the method.

    Parameters
    ----------
    errors : numpy.ndarray, shape (n_series, n_windows, horizon)
        ``actual - forecast`` of past rolling-origin forecasts (NaN where
        unavailable).
    scale : numpy.ndarray, shape (n_series,) or (n_series, n_windows)
        Positive scale per series, or per series and origin (see
        :func:`~talentgap.models._conformal.scales.calibration_scales`); NaN
        leaves the errors out.
    levels : list of float
        Coverage levels in percent, e.g. ``[80, 95]``.

    Returns
    -------
    dict of float to (numpy.ndarray, numpy.ndarray)
        For each level, the lower (<= 0) and upper (>= 0) quantile per
        horizon step, each of shape ``(horizon,)``. A step without errors
        takes the interval of the step before it (NaN if there is none),
        with a ``DataQualityWarning``, as does a step with too few errors
        for the level. A step whose only errors are those of series of
        scale 0 (series that never changed, forecast without error) gets
        ``(0, 0)`` without a warning.

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
    # errors of series that never changed (scale 0) are 0/0: left out of the pool
    still = (np.isfinite(errors) & (scale == 0)).reshape(-1, horizon).any(axis=0)
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
            if n == 0 and still[step]:
                lower[step], upper[step] = 0.0, 0.0
                continue
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
    """``mean + lower * scale`` and ``mean + upper * scale`` per level, clipped at 0 if asked.

    A series of scale 0 (one that never changed) gets its point forecast as
    both bounds, whatever the quantiles (even NaN ones, when no other series
    left an error to pool).
    """
    bounds = {}
    still = (np.asarray(scale) == 0)[:, None]
    for level, (lower, upper) in quantiles.items():
        lo = mean + np.where(still, 0.0, lower[None, :] * scale[:, None])
        hi = mean + np.where(still, 0.0, upper[None, :] * scale[:, None])
        if nonnegative:
            lo, hi = np.maximum(lo, 0.0), np.maximum(hi, 0.0)
        bounds[level] = (lo, hi)
    return bounds
