"""Variances of survey totals and ratios from per-cell moments.

Shared by the in-memory estimates (:mod:`talentgap.features.survey`, raw
sums of squares) and the partitioned ones
(:mod:`talentgap.features.distributed`, centred sums): for a ratio both give
``sum((z - mean z)^2) = syy - 2 R sxy + R^2 sxx`` because the linearised
scores sum to 0.
"""

from __future__ import annotations

import numpy as np

__all__ = ["variance_factor", "snap_noise", "total_variance", "ratio_variance", "ratio_scores",
           "NOISE"]

#: Relative size under which a variance is rounding noise around an exact 0: a variance at or
#: below ``NOISE`` times the sum of squares of the magnitudes it was computed from (before
#: any cancelling) is 0.
NOISE = 1e-12


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


def ratio_scores(y: np.ndarray, x: np.ndarray, ratio: np.ndarray,
                 total_x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Linearised ratio scores ``(y - R x) / X`` and their sizes ``(|y| + |R x|) / |X|``.

    Where every ``y = R x`` the scores cancel to rounding noise (``1e-17``
    instead of 0), so a variance of the scores alone cannot tell an exact 0
    from a small one; the sizes are the magnitudes before cancelling, what
    such a variance is compared with (see :data:`NOISE`). Works on row
    scores and on sums of them alike (PSU or block totals).

    Examples
    --------
    >>> import numpy as np
    >>> y, x = np.array([0.1, 0.2]), np.array([0.3, 0.6])
    >>> score, size = ratio_scores(y, x, np.full(2, 0.3 / 0.9), np.full(2, 0.9))
    >>> bool(np.all(np.abs(score) < 1e-15)), size.round(4).tolist()
    (True, [0.2222, 0.4444])
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        part = ratio * x
        score = (y - part) / total_x
        size = (np.abs(y) + np.abs(part)) / np.abs(total_x)
    return score, size


def total_variance(total: np.ndarray, sum_squares: np.ndarray,
                         factor: np.ndarray, n: np.ndarray) -> np.ndarray:
    """``n/(n-1) * sum((w y - T/n)^2)`` from ``T = sum(w y)`` and ``sum((w y)^2)``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = total * total
        raw /= n
        np.subtract(sum_squares, raw, out=raw)
    return snap_noise(raw, sum_squares * NOISE, factor)


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
        limit *= NOISE
        variance = snap_noise(raw, limit, factor)
        limit = np.multiply(denominator, denominator, out=limit)
        variance /= limit
    return ratio, variance
