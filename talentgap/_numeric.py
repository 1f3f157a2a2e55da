"""Small numeric helpers that stay silent, so they are safe in concurrent calls.

``numpy.nanmean`` warns ("Mean of empty slice") on all-NaN slices, and silencing
it with :func:`warnings.catch_warnings` swaps process-wide state, which is not
safe while other threads run. :func:`nanmean` computes the same without any
warning.
"""

from __future__ import annotations

import numpy as np

__all__ = ["nanmean"]


def nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    """Mean of the non-NaN values along ``axis``; NaN where there are none, and no warning.

    Examples
    --------
    >>> nanmean(np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan]]), axis=1)
    array([ 2., nan])
    """
    values = np.asarray(values, dtype=np.float64)
    count = np.sum(~np.isnan(values), axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(values, axis=axis) / count
    return np.where(count > 0, mean, np.nan)
