"""Intervals for a population value, widened to judge them against survey estimates.

A :class:`~talentgap.models.GapForecaster` forecasts the population demand and
gap of a cell: its intervals leave out the sampling error of the surveys. What
is observed later is again a survey estimate, off the population value by its
own sampling error, so an interval for the population value holds a later
estimate less often than its level says even when it is right. Before such an
interval is compared with an estimate, :func:`with_sampling_error` adds that
estimate's sampling error to it.

For an interval ``[lower, upper]`` at level ``L`` around a centre ``c`` and an
estimate with standard error ``se``, each half-width is combined with the
matching normal half-width of the sampling error::

    lower' = c - sqrt((c - lower)**2 + (z * se)**2)
    upper' = c + sqrt((upper - c)**2 + (z * se)**2),   z = Phi^-1(1/2 + L/200)

which is exact when the forecast's error and the sampling error are
independent and normal, and otherwise an approximation that keeps the
interval's asymmetry. ``c`` is the forecast, moved into the interval when it
lies outside (skewed paths of small counts). A standard error of 0 or NaN
leaves the interval as it is.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from talentgap._arguments import check_levels

__all__ = ["with_sampling_error"]


def with_sampling_error(lower, upper, se, *, level: float,
                        center=None) -> tuple[np.ndarray, np.ndarray]:
    """Widen intervals for population values into intervals for their survey estimates.

    See the module docstring for the formula.

    Parameters
    ----------
    lower, upper : array-like
        Bounds of the intervals for the population values, at ``level``
        percent.
    se : array-like
        Standard error of each estimate the interval will be compared with
        (0 or NaN: none).
    level : float
        The intervals' coverage level in percent, e.g. 80.
    center : array-like, optional
        The forecast each interval is around (default: the interval's
        midpoint); moved into the interval where it lies outside.

    Returns
    -------
    lower, upper : numpy.ndarray
        The widened bounds (float64, the shape of the inputs broadcast).

    Examples
    --------
    >>> lower, upper = with_sampling_error([80.0, 80.0], [120.0, 120.0], [0.0, 30.0], level=80)
    >>> lower.round(1).tolist(), upper.round(1).tolist()   # z = 1.2816; sqrt(20**2 + 38.4**2)
    ([80.0, 56.7], [120.0, 143.3])
    """
    z = float(norm.ppf(0.5 + check_levels([level])[0] / 200.0))
    lower = np.asarray(lower, dtype=np.float64)
    upper = np.asarray(upper, dtype=np.float64)
    se = np.nan_to_num(np.asarray(se, dtype=np.float64), nan=0.0)
    middle = (lower + upper) / 2.0 if center is None else np.asarray(center, dtype=np.float64)
    middle = np.clip(middle, lower, upper)
    spread = np.square(z * se)
    return (middle - np.sqrt(np.square(middle - lower) + spread),
            middle + np.sqrt(np.square(upper - middle) + spread))
