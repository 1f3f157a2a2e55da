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
lies outside (skewed paths of small counts). A standard error of 0 (a
take-all cell, or a counted quantity) leaves the interval as it is.

A NaN standard error is not 0: it marks an estimate whose sampling error
could not be estimated, typically a cell-period with a single respondent,
which is the noisiest estimate there is. Treating it as 0 would judge an
unwidened interval against it and count a miss against the forecast that is
really the survey's. Its widened bounds are NaN instead: the interval
metrics (:func:`talentgap.evaluation.coverage`,
:func:`~talentgap.evaluation.interval_score`) leave such points out, as they
leave out missing actuals, and a
:class:`~talentgap.errors.DataQualityWarning` says how many there were. The
point forecast is scored as usual.
"""

from __future__ import annotations

import numpy as np

from talentgap._arguments import check_levels
from talentgap.errors import warn

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
        (0: none; NaN: not known, the widened bounds are NaN).
    level : float
        The intervals' coverage level in percent, e.g. 80.
    center : array-like, optional
        The forecast each interval is around (default: the interval's
        midpoint); moved into the interval where it lies outside.

    Returns
    -------
    lower, upper : numpy.ndarray
        The widened bounds (float64, the shape of the inputs broadcast); NaN
        where ``se`` is NaN.

    Warns
    -----
    DataQualityWarning
        When some ``se`` are NaN (with finite bounds), with their count.

    Examples
    --------
    >>> lower, upper = with_sampling_error([80.0, 80.0], [120.0, 120.0], [0.0, 30.0], level=80)
    >>> lower.round(1).tolist(), upper.round(1).tolist()   # z = 1.2816; sqrt(20**2 + 38.4**2)
    ([80.0, 56.7], [120.0, 143.3])
    """
    se = np.asarray(se, dtype=np.float64)
    from scipy.stats import norm  # here, not at the top: importing evaluation stays light

    z = float(norm.ppf(0.5 + check_levels([level])[0] / 200.0))
    lower = np.asarray(lower, dtype=np.float64)
    upper = np.asarray(upper, dtype=np.float64)
    unknown = np.broadcast_to(np.isnan(se), np.broadcast(lower, upper, se).shape)
    unknown_count = int((unknown & np.isfinite(lower + upper)).sum())
    if unknown_count:
        warn(f"{unknown_count} of {unknown.size} intervals are compared with estimates "
             "without a standard error (NaN, e.g. a cell-period with a single respondent); "
             "their widened bounds are NaN and interval scores leave them out")
    middle = (lower + upper) / 2.0 if center is None else np.asarray(center, dtype=np.float64)
    middle = np.clip(middle, lower, upper)
    spread = np.square(z * se)  # NaN where se is: the widened bound is not known
    return (middle - np.sqrt(np.square(middle - lower) + spread),
            middle + np.sqrt(np.square(upper - middle) + spread))
