"""A series' own differences, and the far fences that tell a data error from a movement.

Part of step 2 of the interval method (:mod:`talentgap.models._conformal`):
:func:`differences` are a series' signed changes ``y_t - y_{t-lag}``, those
of rounding size set to 0, and :func:`difference_fences` their far fences,
:data:`OWN_FENCE_IQR` interquartile ranges beyond the quartiles once a series
has :data:`OWN_FENCE_MIN` changes other than 0. A change beyond its fences is
a data error (one value typed 50 times too large, say), not a movement:
:mod:`talentgap.models._conformal.scales` leaves it out of the series' scale,
names the values behind it, and re-exports these names.

Examples
--------
>>> import numpy as np
>>> diff = differences(np.array([[10.0, 11, 10, 12, 11, 10, 500, 11, 12, 10]]), 1)
>>> diff.tolist()
[[1.0, -1.0, 2.0, -1.0, -1.0, 490.0, -489.0, 1.0, -2.0]]
>>> lower, upper = difference_fences(diff)
>>> lower.tolist(), upper.tolist()
([-21.0], [21.0])
"""

from __future__ import annotations

import numpy as np

__all__ = ["OWN_FENCE_IQR", "OWN_FENCE_MIN", "difference_fences", "differences"]

#: Differences smaller than this share of the values differenced are rounding, counted as 0.
_ROUNDING = 1e-9


#: How many interquartile ranges beyond its quartiles one of a series' own differences
#: may lie before it counts as a data error (:func:`difference_fences`).
OWN_FENCE_IQR = 10.0

#: Fewest observed differences a series needs before its own differences are fenced.
OWN_FENCE_MIN = 5


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


def differences(values: np.ndarray, lag: int) -> np.ndarray:
    """Signed ``y_t - y_{t-lag}``, (n_series, n_periods - lag); rounding-size ones are 0."""
    first, second = values[:, :-lag], values[:, lag:]
    diff = second - first
    with np.errstate(invalid="ignore"):
        diff[np.abs(diff) <= _ROUNDING * np.fmax(np.abs(first), np.abs(second))] = 0.0
    return diff
