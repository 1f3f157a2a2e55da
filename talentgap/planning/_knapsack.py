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
_BLOCK = 1 << 20   # pieces per block where the greedy fill walks the sorted pieces


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
    # Full-size (one value per piece) arrays are made in place and dropped when done:
    # at 34M pieces each float64 one is 0.27 GB.
    cell, slope = pieces.cell, pieces.slope
    with np.errstate(invalid="ignore"):  # 0 * inf: a cell nobody stays in has no pieces
        cap_room = y * (upper - lower)
    length, straddle = _cut_at_capacity(cell, pieces.length, cap_room)
    del pieces                                       # its lengths are cut now
    with np.errstate(divide="ignore"):
        per_certified = problem.cost / y
    ratio = np.empty(cell.size)
    for lo in range(0, cell.size, _BLOCK):
        rows = slice(lo, lo + _BLOCK)
        ratio[rows] = _ratios(slope[rows], per_certified[cell[rows]])
    room = max(problem.budget - float(np.dot(problem.cost, lower)), 0.0)
    # best ratio first; within a cell ratios strictly fall, so the stable sort keeps its order
    np.negative(ratio, out=ratio)
    order = np.argsort(ratio, kind="stable")
    del ratio                                        # read again only near the margin

    def ratio_at(rows: np.ndarray) -> np.ndarray:
        return _ratios(slope[rows], per_certified[cell[rows]])

    def money_at(rows: np.ndarray) -> np.ndarray:
        return per_certified[cell[rows]] * length[rows]

    spend = _RunningSpend(order, money_at)
    k = spend.first_over(room)                       # pieces order[:k] fit whole
    budget_value = 0.0
    tied = 0
    if k >= order.size:
        taken = length.copy()
    else:
        taken = np.zeros(cell.size)
        r = ratio_at(order[k:k + 1])[0]
        # the pieces tied with the marginal one (contiguous in the sorted order)
        a, b = _tie_run(ratio_at, order, k, r)
        for start in range(0, a, _BLOCK):
            rows = order[start:min(start + _BLOCK, a)]
            taken[rows] = length[rows]
        left = room - (spend.at(a - 1) if a > 0 else 0.0)
        group = order[a:b]
        money = money_at(group)
        share = min(left / float(money.sum()), 1.0) if money.sum() > 0 else 0.0
        taken[group] = share * length[group]
        tied = int(np.count_nonzero(length[group] > 0)) if b - a > 1 else 1
        budget_value = float(r) if np.isfinite(r) else 0.0
    del order, spend
    filled = np.bincount(cell, weights=taken, minlength=n)
    certified = y * lower + filled
    with np.errstate(divide="ignore", invalid="ignore"):
        places = np.where(y > 0, certified / y, lower)
    places = np.clip(places, lower, upper)
    # a capacity binds where its cut piece is used to the end: it is worth what that
    # piece removes beyond the money's value at the margin
    with np.errstate(invalid="ignore"):
        at_cap = filled >= cap_room * (1.0 - TIE_RTOL)
    full = straddle & at_cap[cell]
    value = np.maximum(-slope[full] - budget_value * per_certified[cell[full]], 0.0)
    capacity_value[cell[full]] = value * y[cell[full]]
    return KnapsackResult(places, budget_value, capacity_value, tied)


def _cut_at_capacity(cell: np.ndarray, piece: np.ndarray, cap_room: np.ndarray,
                     block: int = _BLOCK) -> tuple[np.ndarray, np.ndarray]:
    """Every piece cut at its cell's capacity, and whether the capacity cuts it.

    Pieces come sorted by cell, each cell's in order; the capacity cuts the
    piece it ends inside, or the one it ends exactly where it starts. What a
    cell used before a piece is the running total over all pieces minus that
    total where the cell's pieces begin, computed a block at a time (the
    running total carried over, so the numbers are those of one ``cumsum``).
    """
    length = np.empty(piece.size)
    straddle = np.empty(piece.size, dtype=bool)
    total, offset, last_cell = 0.0, 0.0, None
    for lo in range(0, piece.size, block):
        hi = min(lo + block, piece.size)
        part, own = piece[lo:hi], cell[lo:hi]
        used = part.copy()
        if lo:
            used[0] = total + used[0]
        np.cumsum(used, out=used)                    # the running total over all pieces
        total = float(used[-1])
        used -= part                                 # ... before each piece
        begins = np.empty(own.size, dtype=bool)      # where a cell's pieces begin
        begins[1:] = own[1:] != own[:-1]
        begins[0] = last_cell is None or own[0] != last_cell
        offsets = np.concatenate([[offset], used[begins]])
        used -= offsets[np.cumsum(begins)]           # ... within the piece's cell
        offset, last_cell = float(offsets[-1]), own[-1]
        room = cap_room[own]
        cut = np.subtract(room, used, out=length[lo:hi])
        np.clip(cut, 0.0, part, out=cut)
        np.less(cut, part, out=straddle[lo:hi])
        straddle[lo:hi] &= used <= room
    return length, straddle


def _ratios(slope: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Objective removed per unit of money of every piece (inf where it costs nothing, or
    so little that the ratio passes the largest float: it is filled first either way)."""
    ratio = np.full(slope.size, np.inf)
    with np.errstate(divide="ignore", over="ignore"):
        np.divide(-slope, coef, out=ratio, where=coef > 0)
    return ratio


class _RunningSpend:
    """The money spent after each piece in ``order`` (a running sum), a block at a time.

    ``np.cumsum`` adds one value at a time, so a block's sums started from the
    previous block's last one are the very numbers of one cumulative sum over
    all pieces, without holding that full-size array.
    """

    def __init__(self, order: np.ndarray, money_at) -> None:
        self.order, self.money_at = order, money_at
        self.carry = [0.0]                           # the sum before each block done

    def _block(self, j: int) -> np.ndarray:
        money = self.money_at(self.order[j * _BLOCK:(j + 1) * _BLOCK])
        if j:
            money[0] = self.carry[j] + money[0]
        return np.cumsum(money, out=money)

    def first_over(self, room: float) -> int:
        """Pieces whose running sum stays <= ``room`` (``searchsorted(..., "right")``)."""
        for j in range(-(-self.order.size // _BLOCK)):
            sums = self._block(j)
            inside = int(np.searchsorted(sums, room, side="right"))
            if inside < sums.size:
                return j * _BLOCK + inside
            self.carry.append(float(sums[-1]))
        return self.order.size

    def at(self, i: int) -> float:
        """The running sum after piece ``order[i]`` (its block was reached)."""
        return float(self._block(i // _BLOCK)[i % _BLOCK])


def _tie_run(ratio_at, order: np.ndarray, k: int, r: float,
             block: int = 4096) -> tuple[int, int]:
    """``a, b``: the run ``order[a:b]`` of pieces within ``TIE_RTOL`` of ``r`` around ``k``.

    ``ratio_at(rows)`` gives the pieces' ratios. Looks at ``block`` pieces at
    a time outwards from ``k``, so no full-size array is made for a run that
    is short (the usual case).
    """
    def near(lo: int, hi: int) -> np.ndarray:
        return np.abs(ratio_at(order[lo:hi]) - r) <= TIE_RTOL * r

    a = k
    while a > 0:
        lo = max(a - block, 0)
        run = near(lo, a)
        if run.all():
            a = lo
            continue
        a = lo + run.size - int(np.argmin(run[::-1]))
        break
    b = k + 1
    while b < order.size:
        hi = min(b + block, order.size)
        run = near(b, hi)
        if run.all():
            b = hi
            continue
        b += int(np.argmin(run))
        break
    return a, b
