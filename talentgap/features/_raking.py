"""The steps of bounded raking: one margin's factors, the error, and when to stop.

:func:`talentgap.features.calibrate_weights` iterates over the margins
(:class:`~talentgap.features._margins.Margin`) with :func:`fit_margin`, which
solves the exact update of one margin's factors (classic IPF without bounds,
Newton steps on the truncated weights with bounds; see
:mod:`talentgap.features.calibration`), measures the result with
:func:`max_error` and gives up early when :func:`stalled` says ``tol``
cannot be reached in the sweeps left.
"""

from __future__ import annotations

import numpy as np

from talentgap.features._groups import group_sum
from talentgap.features._margins import Margin

__all__ = ["STALL_SWEEPS", "STALL_DROP", "fit_margin", "max_error", "stalled"]

_NEWTON_STEPS = 60  # per margin step, to solve the bounded factor equations
_INNER_RTOL = 0.01  # each margin step is solved to this fraction of tol
STALL_SWEEPS = 10  # raking stops early when the error fell by less than
STALL_DROP = 0.01  # this share over that many sweeps and cannot reach tol in time


def fit_margin(margin: Margin, ratio: np.ndarray, w0: np.ndarray, lo, hi,
               tol: float) -> None:
    """One raking step on ``margin``: update the untruncated ratios in place.

    Every category ``g`` gets the factor ``c_g`` solving
    ``sum_{i in g} d_i * clip(c_g * a_i, lo, hi) = target_g`` (``a`` = ``ratio``),
    which is the exact minimisation of the calibration dual over the margin's
    multipliers (Deville & Särndal 1992). Without bounds the solution is the
    classic IPF factor ``target / current_total``. With bounds each factor is
    found by Newton steps on the piecewise-linear left-hand side, safeguarded
    by a bracket, for all categories at once. ``lo`` and ``hi`` are numbers
    or per-row arrays (``lo = hi = 1`` holds a row's weight fixed).
    """
    codes, n_cells = margin.codes, len(margin.target)
    active = margin.active
    target = np.nan_to_num(margin.target)
    da = w0 * ratio
    if np.ndim(lo) == 0 and lo == 0 and not np.isfinite(hi):
        c = np.ones(n_cells)
        np.divide(target, group_sum(codes, n_cells, da), out=c, where=active)
        ratio *= c[codes]
        return
    c = np.ones(n_cells)
    below = np.zeros(n_cells)            # factors known to give too small a total
    above = np.full(n_cells, np.inf)     # factors known to give too large a total
    for _ in range(_NEWTON_STEPS):
        scaled = c[codes] * ratio
        total = group_sum(codes, n_cells, w0 * np.clip(scaled, lo, hi))
        residual = target - total
        todo = active & (np.abs(residual) > _INNER_RTOL * tol * target)
        if not todo.any():
            break
        free = (scaled > lo) & (scaled < hi)
        slope = group_sum(codes, n_cells, np.where(free, da, 0.0))
        below = np.where(todo & (residual > 0), np.maximum(below, c), below)
        above = np.where(todo & (residual < 0), np.minimum(above, c), above)
        with np.errstate(invalid="ignore", divide="ignore"):
            newton = c + residual / slope
            fallback = np.where(np.isinf(above), 4.0 * c,
                                np.where(below == 0, 0.25 * c, np.sqrt(below * above)))
        ok = (slope > 0) & (newton > below) & (newton < above)
        c = np.where(todo, np.where(ok, newton, fallback), c)
    ratio *= c[codes]


def max_error(margins: list[Margin], w: np.ndarray) -> tuple[float, int, int]:
    """Largest relative error over all margins, with its margin and cell."""
    worst, where = -1.0, (0, 0)
    for k, margin in enumerate(margins):
        err = margin.relative_error(w)
        cell = int(np.argmax(err)) if err.size else 0
        if err.size and err[cell] > worst:
            worst, where = float(err[cell]), (k, cell)
    return max(worst, 0.0), *where


def stalled(history: list[float], tol: float, max_iter: int) -> bool:
    """Whether the error has stopped falling: raking cannot reach ``tol`` within ``max_iter``.

    True when the error fell by less than :data:`STALL_DROP` (relative) over
    the last :data:`STALL_SWEEPS` sweeps *and*, at that pace, would not reach
    ``tol`` in the sweeps left; a slow run that would still converge in time
    goes on.
    """
    sweeps = len(history) - 1
    if sweeps < STALL_SWEEPS:
        return False
    now, before = history[-1], history[-1 - STALL_SWEEPS]
    if now > tol and before > 0 and now >= before * (1 - STALL_DROP):
        if now >= before:
            return True
        pace = (now / before) ** (1.0 / STALL_SWEEPS)  # error factor per sweep
        return sweeps + np.log(tol / now) / np.log(pace) > max_iter
    return False
