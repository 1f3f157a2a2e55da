"""Variances of survey totals and ratios from per-cell moments.

Shared by the in-memory estimates (:mod:`talentgap.features.survey`, raw
sums of squares) and the partitioned ones
(:mod:`talentgap.features.distributed`, centred sums): for a ratio both give
``sum((z - mean z)^2) = syy - 2 R sxy + R^2 sxx`` because the linearised
scores sum to 0.

The interval part turns an estimate, its standard error and a quantile into
confidence bounds: :func:`symmetric_interval` (``estimate -/+ q se``) and
:func:`log_interval` (the same on the log scale of a positive total, with
the upper bound of a count total taken one reported unit further).
"""

from __future__ import annotations

import numpy as np

__all__ = ["variance_factor", "snap_noise", "total_variance", "ratio_variance",
           "symmetric_interval", "log_interval"]


def variance_factor(n: np.ndarray) -> np.ndarray:
    """``n/(n-1)`` where ``n > 1``, NaN elsewhere (no variance from one respondent)."""
    factor = n - 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(n, factor, out=factor)
    factor[n <= 1] = np.nan
    return factor


def snap_noise(raw: np.ndarray, limit: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """``factor * raw`` where ``raw > limit``, else ``factor * 0``.

    Values at or below ``limit`` (a tiny multiple of the sums they come
    from) are rounding noise around zero, or negative; they become exactly 0.
    NaN stays NaN. Works in place on ``raw`` and returns it.
    """
    with np.errstate(invalid="ignore"):
        np.maximum(raw, 0.0, out=raw)
        raw *= raw > limit  # times 1.0 or 0.0
        raw += 0.0  # a -0.0 becomes 0.0
        raw *= factor
    return raw


def total_variance(total: np.ndarray, sum_squares: np.ndarray,
                         factor: np.ndarray, n: np.ndarray) -> np.ndarray:
    """``n/(n-1) * sum((w y - T/n)^2)`` from ``T = sum(w y)`` and ``sum((w y)^2)``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = total * total
        raw /= n
        np.subtract(sum_squares, raw, out=raw)
    return snap_noise(raw, sum_squares * 1e-12, factor)


def ratio_variance(numerator: np.ndarray, denominator: np.ndarray, syy: np.ndarray,
                         sxy: np.ndarray, sxx: np.ndarray,
                         factor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ratio ``Y/X`` and its linearised variance from the moments of ``w y`` and ``w x``.

    ``sum(z^2) = (syy - 2 R sxy + R^2 sxx) / X^2`` with ``z = w (y - R x) / X``.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = numerator / denominator
        ratio[denominator == 0] = np.nan
        raw = 2 * ratio
        raw *= sxy
        np.subtract(syy, raw, out=raw)  # syy - 2 R sxy
        squared = ratio * ratio
        squared *= sxx  # R^2 sxx
        raw += squared
        limit = np.add(syy, squared, out=squared)
        limit *= 1e-12
        variance = snap_noise(raw, limit, factor)
        limit = np.multiply(denominator, denominator, out=limit)
        variance /= limit
    return ratio, variance


def symmetric_interval(estimate: np.ndarray, se: np.ndarray,
                       q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``estimate -/+ q * se``: the Wald (or ``t``) interval."""
    half = q * se
    return estimate - half, estimate + half


def log_interval(estimate: np.ndarray, se: np.ndarray, q: np.ndarray,
                 step: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Interval of a positive total on the log scale, with a one-unit upper step.

    The delta method gives ``se(log T) = se / T``, so the bounds are
    ``T exp(-q se / T)`` and ``T exp(q se / T)``: never below 0, and longer
    above the estimate than below it, as the sampling distribution of a
    total of skewed non-negative values is (the delta method on a
    transformed scale, as R ``survey``'s ``svyciprop(method="logit")`` does
    for proportions). With ``step`` (the
    weight of one more reported unit, per row), the upper bound is that of
    the total with one more unit of value 1 at that weight,
    ``T' = T + step`` with variance ``se^2 + step^2`` -- the device of Fay &
    Feuer (1997, *Statistics in Medicine* 16, 791-801) for weighted counts,
    with the mean weight as in Tiwari, Clegg & Zou (2006, *Statistical
    Methods in Medical Research* 15, 547-569). It keeps a sampled total
    whose respondents all reported the same count (standard error 0, most
    often all zeros) from getting an interval of width 0.

    Parameters
    ----------
    estimate, se, q : numpy.ndarray
        Estimates (>= 0), standard errors and quantiles (e.g. ``t`` on the
        estimate's degrees of freedom), aligned.
    step : numpy.ndarray, optional
        Weight of one more unit per estimate (0 for none; a cell without
        sampling error, such as a take-all cell, should get 0).

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper bounds. Where the estimate is not positive and the
        standard error is, the symmetric interval (the log is undefined);
        a NaN estimate or standard error gives NaN bounds.

    Examples
    --------
    >>> import numpy as np
    >>> lo, hi = log_interval(np.array([100.0, 0.0]), np.array([20.0, 0.0]),
    ...                       np.array([2.0, 2.0]), step=np.array([0.0, 5.0]))
    >>> lo.round(2).tolist(), hi.round(2).tolist()
    ([67.03, 0.0], [149.18, 36.95])

    The second total is 0 with SE 0 (every respondent reported 0); with one
    more unit at weight 5 its upper bound is ``5 exp(2 * 5 / 5)``.
    """
    estimate = np.asarray(estimate, dtype=np.float64)
    se = np.asarray(se, dtype=np.float64)
    q = np.broadcast_to(np.asarray(q, dtype=np.float64), estimate.shape)
    step = np.zeros_like(estimate) if step is None else np.asarray(step, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        positive = estimate > 0
        lo = np.where(positive, estimate * np.exp(-q * se / estimate), estimate - q * se)
        lo = np.where(se == 0, estimate, lo)  # nothing to widen below
        top = estimate + step
        spread = np.sqrt(se * se + step * step)
        hi = np.where(top > 0, top * np.exp(q * spread / top), estimate + q * se)
        hi = np.where((se == 0) & (step == 0), estimate, hi)
    missing = np.isnan(estimate) | np.isnan(se)
    lo[missing] = np.nan
    hi[missing] = np.nan
    return lo, hi
