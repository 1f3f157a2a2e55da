"""The one-budget per-cell plan as a continuous knapsack over convex pieces.

Without a crosswalk the LP of :mod:`talentgap.planning.quotas` has one
budget row, bounds per cell and a separable convex piecewise-linear
objective. Its exact optimum is a greedy fill (Dantzig's rule for the
continuous knapsack): the minimum quotas first, then every decreasing piece
of every cell in order of objective removed per unit of money, until the
money runs out, the last piece partly. Convexity makes each cell's pieces
come in their own order, and a capacity only shortens the piece it cuts.

The budget's dual is the ratio of the marginal piece (0 when the budget does
not bind); a capacity's dual is what its cut piece removes beyond what the
same money removes at the margin. When several pieces tie at the margin the
optimum is not unique; the money left is then spread over the tied pieces
in proportion to their lengths (the need each still has at that value), so
no cell is favoured by its position in the table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from talentgap.planning._problem import Problem
from talentgap.planning._solve import LPResult, pieces_of

__all__ = ["KnapsackResult", "solve_knapsack", "TIE_RTOL"]

TIE_RTOL = 1e-12   # ratios this close (relative) count as a tie at the margin


@dataclass(frozen=True)
class KnapsackResult(LPResult):
    """:class:`~talentgap.planning._solve.LPResult` plus the tie at the margin.

    ``tied`` is the number of cells sharing the marginal value per unit of
    money when the budget ends among them (0 or 1: the optimum is unique in
    the places; 2 or more: it is not, and the money was spread by need).
    """

    tied: int = 0


def solve_knapsack(problem: Problem) -> KnapsackResult:
    """The LP relaxation of a per-cell plan with one budget, solved by a sorted greedy fill.

    Gives the same places (where the optimum is unique), objective, budget
    dual and capacity duals as :func:`~talentgap.planning._solve.solve_lp`,
    in ``O(P log P)`` for ``P`` pieces.

    Parameters
    ----------
    problem : Problem
        A checked per-cell problem (no crosswalk).

    Returns
    -------
    KnapsackResult
        Continuous places, the budget's value (objective removed per extra
        unit of money), the capacity values per cell (per extra place) and
        the number of cells tied at the margin.

    Examples
    --------
    Two cells short by 10 and 30 workers, 100 per place, everyone certifies,
    money for 20 places: both are worth the same per place, so the 20 places
    go 5 and 15, in proportion to the gaps.

    >>> import pandas as pd
    >>> from talentgap.planning._problem import build_problem
    >>> table = pd.DataFrame({"region": "North", "industry": ["a", "b"],
    ...                       "period": "2026", "gap": [10.0, 30.0]})
    >>> problem = build_problem(
    ...     table, keys=["region", "industry"], value="gap", period=None, budget=2000.0,
    ...     cost_per_trainee=100.0, pass_rate=1.0, absorption=1.0, capacity=None,
    ...     min_quota=0, lead_time=0, risk="expected", quantile=None, surplus_penalty=0.0,
    ...     integer="none")
    >>> res = solve_knapsack(problem)
    >>> res.places.tolist(), res.budget_value, res.tied
    ([5.0, 15.0], 0.01, 2)
    """
    y, lower, upper = problem.yield_, problem.lower, problem.upper
    n = problem.n_cells
    capacity_value = np.zeros(n)
    pieces = pieces_of(problem.plan, y * lower, y, problem.surplus_penalty)
    if pieces.cell.size == 0:
        return KnapsackResult(lower.copy(), 0.0, capacity_value)
    cell, slope = pieces.cell, pieces.slope
    with np.errstate(invalid="ignore"):  # 0 * inf: a cell nobody stays in has no pieces
        cap_room = y * (upper - lower)
    # cut every cell's pieces at its capacity (pieces_of sorts them by cell, in order)
    total = np.cumsum(pieces.length)
    first = np.searchsorted(cell, cell)
    used_before = total - pieces.length - (total[first] - pieces.length[first])
    length = np.clip(cap_room[cell] - used_before, 0.0, pieces.length)
    # the piece a capacity cuts: it ends inside it, or exactly where it starts
    straddle = (length < pieces.length) & (used_before <= cap_room[cell])
    with np.errstate(divide="ignore"):
        per_certified = problem.cost / y
    coef = per_certified[cell]
    with np.errstate(divide="ignore"):
        ratio = np.where(coef > 0, -slope / coef, np.inf)
    money = coef * length
    room = max(problem.budget - float(np.dot(problem.cost, lower)), 0.0)
    # best ratio first; within a cell ratios strictly fall, so the stable sort keeps its order
    order = np.argsort(-ratio, kind="stable")
    spend = np.cumsum(money[order])
    taken = np.zeros(cell.size)
    k = int(np.searchsorted(spend, room, side="right"))   # pieces order[:k] fit whole
    budget_value = 0.0
    tied = 0
    if k >= order.size:
        taken[order] = length[order]
    else:
        r = ratio[order[k]]
        # the pieces tied with the marginal one (contiguous in the sorted order)
        near = np.abs(ratio[order] - r) <= TIE_RTOL * r
        a = k
        while a > 0 and near[a - 1]:
            a -= 1
        b = k + 1 + int(np.argmin(np.append(near[k + 1:], False)))
        taken[order[:a]] = length[order[:a]]
        left = room - (spend[a - 1] if a > 0 else 0.0)
        group = order[a:b]
        share = min(left / float(money[group].sum()), 1.0) if money[group].sum() > 0 else 0.0
        taken[group] = share * length[group]
        tied = int(np.count_nonzero(length[group] > 0)) if b - a > 1 else 1
        budget_value = float(r) if np.isfinite(r) else 0.0
    certified = y * lower + np.bincount(cell, weights=taken, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        places = np.where(y > 0, certified / y, lower)
    places = np.clip(places, lower, upper)
    # a capacity binds where its cut piece is used to the end: it is worth what that
    # piece removes beyond the money's value at the margin
    filled = np.bincount(cell, weights=taken, minlength=n)
    with np.errstate(invalid="ignore"):
        at_cap = filled >= cap_room * (1.0 - TIE_RTOL)
    full = straddle & at_cap[cell]
    value = np.maximum(-slope[full] - budget_value * coef[full], 0.0)
    capacity_value[cell[full]] = value * y[cell[full]]
    return KnapsackResult(places, budget_value, capacity_value, tied)
