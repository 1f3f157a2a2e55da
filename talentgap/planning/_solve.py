"""Solvers behind :func:`~talentgap.planning.allocate_quotas`: LP, MILP and safe rounding.

See :mod:`talentgap.planning.quotas` for the program. Each cell's objective
``f_c(x)`` in certified workers ``x`` is convex and piecewise linear; the LP
holds one bounded variable per linear piece (the "delta" form), one budget
row and one row per capacity that can bind, and is solved with HiGHS'
interior-point method and crossover on sparse matrices.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from talentgap.errors import PlanningError
from talentgap.planning._min_class import class_columns
from talentgap.planning._problem import Problem, Scenarios

__all__ = ["LPResult", "solve_lp", "solve_milp", "round_places", "repair", "fit_budget",
           "gain", "pieces_of", "spent", "shrink_to_budget", "tie_key",
           "check_time_limit", "mip_options", "mip_words",
           "PLACE_TOL", "VALUE_TOL", "MIP_GAP", "DEFAULT_TIME_LIMIT"]

PLACE_TOL = 1e-6      # LP places within this of a whole number count as that number
VALUE_TOL = 1e-7      # objective change per place below which a constraint does not bind
#: Relative optimality gap at which ``integer="exact"`` stops: the best whole plan found
#: is then within this share of the objective of the best possible one (1e-4: 5 persons
#: of a shortfall of 50,000 removed, far below the forecast's sampling error).
MIP_GAP = 1e-4
#: Seconds ``integer="exact"`` may spend in branch and bound before it takes the best
#: whole plan found so far (see :func:`mip_options`).
DEFAULT_TIME_LIMIT = 60.0


@dataclass(frozen=True)
class _Pieces:
    """Linear pieces of every cell's objective in certified workers, in order."""

    cell: np.ndarray
    length: np.ndarray
    slope: np.ndarray


def pieces_of(sc: Scenarios, x0: np.ndarray, yield_: np.ndarray, penalty: float,
            x_max: np.ndarray | None = None) -> _Pieces:
    """Pieces of ``f_c`` on ``[x0_c, x_max_c]`` (LP: only the decreasing ones past ``x0``).

    The piece ending at the ``i``-th smallest scenario value of a cell (rank
    ``r`` of ``K``) has ``K - r`` scenarios above it and ``r`` below, so its
    slope is ``-(K - r)/K + penalty * r/K``.
    """
    if sc.value.size == 0:
        empty = np.zeros(0)
        return _Pieces(np.zeros(0, dtype=np.int64), empty, empty)
    if x_max is None:
        return _decreasing_pieces(sc, x0, yield_, penalty)
    cell, value = sc.cell, sc.value
    rank = np.arange(value.size) - sc.start[cell]
    prev = np.empty_like(value)
    prev[1:] = value[:-1]
    prev[rank == 0] = -np.inf
    start = np.maximum(prev, x0[cell])
    end = value if x_max is None else np.minimum(value, x_max[cell])
    k = sc.count[cell]
    slope = -(k - rank) / k + penalty * rank / k
    length = end - start
    keep = (length > 0) & (yield_[cell] > 0)
    if x_max is None:
        keep &= slope < 0
        return _Pieces(cell[keep], length[keep], slope[keep])
    # past the largest scenario every piece has slope `penalty`
    last = sc.maximum()
    tail_start = np.maximum(last, x0)
    tail = np.flatnonzero((x_max > tail_start) & (yield_ > 0))
    cells = np.concatenate([cell[keep], tail])
    lengths = np.concatenate([length[keep], x_max[tail] - tail_start[tail]])
    slopes = np.concatenate([slope[keep], np.full(tail.size, penalty)])
    order = np.argsort(cells, kind="stable")
    return _Pieces(cells[order], lengths[order], slopes[order])


def _decreasing_pieces(sc: Scenarios, x0: np.ndarray, yield_: np.ndarray, penalty: float,
                       block: int = 1 << 20) -> _Pieces:
    """:func:`pieces_of` without ``x_max``, a block of scenarios at a time.

    The same arithmetic on the same values (so the same bits), but only the
    pieces kept are stored, in arrays sized once: at 34M scenarios about 3
    scenario-sized arrays instead of about 10 alive at once.
    """
    cell, value = sc.cell, sc.value
    size = value.size
    out = None
    filled = 0
    for lo in range(0, size, block):
        hi = min(lo + block, size)
        v, c = value[lo:hi], cell[lo:hi]
        length = np.empty_like(v)                    # start of each piece, then its length
        length[1:] = v[:-1]
        if lo:
            length[0] = value[lo - 1]
        length[np.arange(lo, hi) == sc.start[c]] = -np.inf   # rank 0: a cell's first
        np.maximum(length, x0[c], out=length)
        np.subtract(v, length, out=length)
        keep = length > 0
        keep &= (yield_ > 0)[c]
        index = np.flatnonzero(keep)
        kept_cell = c[index]
        rank = (index + lo) - sc.start[kept_cell]
        k = sc.count[kept_cell]
        slope = -(k - rank) / k + penalty * rank / k
        falling = slope < 0
        parts = (kept_cell[falling], length[index[falling]], slope[falling])
        if out is None:
            out = [np.empty(size, dtype=part.dtype) for part in parts]
        for target, part in zip(out, parts, strict=True):
            target[filled:filled + part.size] = part
        filled += parts[0].size
    for target in out:
        target.resize(filled, refcheck=False)        # in place: no second copy
    return _Pieces(*out)


def spent(cost: np.ndarray, places: np.ndarray) -> float:
    """Money a plan spends, summed exactly as the plan's ``total_cost`` is.

    Every budget check uses this sum: another order of summation (``np.dot``)
    can differ in the last bit and let ``total_cost`` exceed the budget.
    """
    return float((cost * places).sum())


# --------------------------------------------------------------------------- solvers


def check_time_limit(time_limit) -> float | None:
    """``time_limit`` as seconds (a number > 0), or None (no limit); else PlanningError.

    Examples
    --------
    >>> check_time_limit(30)
    30.0
    >>> check_time_limit(0)
    Traceback (most recent call last):
    ...
    talentgap.errors.PlanningError: time_limit must be a number of seconds > 0 (or None: no limit), e.g. 60; got 0
    """  # noqa: E501
    if time_limit is None:
        return None
    ok = isinstance(time_limit, (int, float)) and not isinstance(time_limit, bool)
    if not ok or not math.isfinite(time_limit) or time_limit <= 0:
        raise PlanningError("time_limit must be a number of seconds > 0 (or None: no limit), "
                            f"e.g. 60; got {time_limit!r}")
    return float(time_limit)


def mip_options(time_limit: float | None) -> dict:
    """The options of :func:`scipy.optimize.milp`: :data:`MIP_GAP` and the time limit.

    When the limit is reached the result has ``status`` 1 and, if branch and
    bound found one, the best whole plan so far in ``x`` and its relative
    gap to the bound in ``mip_gap``.
    """
    options = {"mip_rel_gap": MIP_GAP}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    return options


def mip_words(res, time_limit: float | None) -> str:
    """A note on an integer program stopped by its time limit (``res`` from milp)."""
    gap = getattr(res, "mip_gap", None)
    gap_words = (f"the best whole plan found is within {100 * float(gap):.3g}% of the "
                 "bound on the best possible one" if gap is not None and np.isfinite(gap)
                 else "the gap to the best possible plan is unknown")
    return (f"the integer program reached its time limit of {time_limit:g} s before it "
            f"proved the plan optimal: {gap_words} (relative gap; the solver stops at "
            f"{MIP_GAP:g}); raise time_limit for a proven optimum")


@dataclass(frozen=True)
class LPResult:
    places: np.ndarray
    budget_value: float
    capacity_value: np.ndarray


def solve_lp(problem: Problem) -> LPResult:
    """The LP relaxation: continuous places, the budget dual and capacity duals."""
    y, lower, upper = problem.yield_, problem.lower, problem.upper
    n = problem.n_cells
    x0 = y * lower
    pieces = pieces_of(problem.plan, x0, y, problem.surplus_penalty)
    capacity_value = np.zeros(n)
    m = pieces.cell.size
    if m == 0:
        return LPResult(lower.copy(), 0.0, capacity_value)
    with np.errstate(invalid="ignore"):  # 0 * inf: a cell nobody stays in has no pieces
        cap_room = y * (upper - lower)
    # pieces that start past the capacity can never be used: drop them (the piece that
    # straddles the capacity stays whole, so the capacity row is what binds)
    total = np.cumsum(pieces.length)
    first = np.searchsorted(pieces.cell, pieces.cell)
    used_before = total - pieces.length - (total[first] - pieces.length[first])
    keep = used_before <= cap_room[pieces.cell]
    if not keep.all():
        pieces = _Pieces(pieces.cell[keep], pieces.length[keep], pieces.slope[keep])
    m = pieces.cell.size
    with np.errstate(divide="ignore"):
        per_certified = problem.cost / y
    coef = per_certified[pieces.cell]
    scale = float(coef.max()) if coef.max() > 0 else 1.0
    room = problem.budget - float(np.dot(problem.cost, lower))
    # capacity rows only where the pieces reach past the capacity
    reach = np.bincount(pieces.cell, weights=pieces.length, minlength=n)
    capped = np.flatnonzero(np.isfinite(upper) & (reach > cap_room))
    row_of_cell = np.full(n, -1, dtype=np.int64)
    row_of_cell[capped] = 1 + np.arange(capped.size)
    in_cap = row_of_cell[pieces.cell] >= 0
    rows = np.concatenate([np.zeros(m, dtype=np.int64), row_of_cell[pieces.cell[in_cap]]])
    cols = np.concatenate([np.arange(m), np.flatnonzero(in_cap)])
    data = np.concatenate([coef / scale, np.ones(int(in_cap.sum()))])
    a_ub = sp.csr_matrix((data, (rows, cols)), shape=(1 + capped.size, m))
    b_ub = np.concatenate([[max(room, 0.0) / scale], cap_room[capped]])
    bounds = np.column_stack([np.zeros(m), pieces.length])
    res = linprog(pieces.slope, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs-ipm",
                  options={"presolve": False})
    if res.status != 0:  # numerical trouble in the interior point: let HiGHS choose
        res = linprog(pieces.slope, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if res.status != 0:
        raise PlanningError(f"the quota LP could not be solved: {res.message}")
    certified = x0 + np.bincount(pieces.cell, weights=res.x, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        places = np.where(y > 0, certified / y, lower)
    places = np.clip(places, lower, upper)
    duals = -np.asarray(res.ineqlin.marginals, dtype=np.float64)
    budget_value = max(0.0, float(duals[0]) / scale)  # (never -0.0)
    capacity_value[capped] = np.maximum(duals[1:], 0.0) * y[capped]
    return LPResult(places, budget_value, capacity_value)


def solve_milp(problem: Problem, *, time_limit: float | None = None
               ) -> tuple[np.ndarray | None, str | None]:
    """Whole places by branch and bound (:func:`scipy.optimize.milp`), and a note.

    The note is None when the plan is proven optimal (within
    :data:`MIP_GAP`); when ``time_limit`` seconds run out it says so (the
    places are then the best whole plan found), and the places are None if
    no whole plan was found by then.
    """
    y, lower, upper = problem.yield_, problem.lower, problem.upper
    n = problem.n_cells
    sc = problem.plan
    with np.errstate(divide="ignore", invalid="ignore"):
        useful = np.where(y > 0, np.ceil(np.maximum(sc.maximum(), 0.0) / y - 1e-12), 0.0)
    # past ceil(max gap / yield) another place only adds cost and surplus
    top = np.maximum(lower, np.minimum(upper, useful))
    if problem.min_class is not None:   # a class may run although fewer places would do
        top = np.maximum(top, np.minimum(upper, np.where(y > 0, problem.min_class, 0.0)))
    active = np.flatnonzero((top > lower) & (y > 0))
    places = lower.copy()
    if active.size == 0:
        return places, None
    x0 = y * lower
    x_max = np.where(np.isin(np.arange(n), active), y * top, x0)
    pieces = pieces_of(sc, x0, y, problem.surplus_penalty, x_max=x_max)
    m = pieces.cell.size
    column = np.full(n, -1, dtype=np.int64)
    column[active] = m + np.arange(active.size)
    # link: sum of a cell's pieces = y * (q - lower)
    link_rows = np.searchsorted(active, pieces.cell)
    link = sp.csr_matrix(
        (np.concatenate([np.ones(m), -y[active]]),
         (np.concatenate([link_rows, np.arange(active.size)]),
          np.concatenate([np.arange(m), column[active]]))),
        shape=(active.size, m + active.size))
    cost_scale = float(problem.cost.max()) if problem.cost.max() > 0 else 1.0
    budget_row = sp.csr_matrix(
        (problem.cost[active] / cost_scale, (np.zeros(active.size, dtype=np.int64),
                                             column[active])),
        shape=(1, m + active.size))
    fixed = float(np.dot(problem.cost, lower)) - float(np.dot(problem.cost[active],
                                                             lower[active]))
    constraints = [
        LinearConstraint(link, -y[active] * lower[active], -y[active] * lower[active]),
        LinearConstraint(budget_row, -np.inf, (problem.budget - fixed) / cost_scale),
    ]
    k = active.size
    n_z = 0
    if problem.min_class is not None:   # one binary per class: q >= N z, q <= top z
        classes = class_columns(problem.min_class[active], lower[active], top[active],
                                top[active], k)
        if classes is not None:
            n_z = classes[0].size
            constraints = [LinearConstraint(sp.hstack([c.A, sp.csr_matrix((c.A.shape[0], n_z))]),
                                            c.lb, c.ub) for c in constraints]
            constraints.append(LinearConstraint(
                sp.hstack([sp.csr_matrix((2 * n_z, m)), classes[1]]), -np.inf, 0.0))
    res = milp(
        np.concatenate([pieces.slope, np.zeros(k + n_z)]),
        constraints=constraints,
        integrality=np.concatenate([np.zeros(m), np.ones(k + n_z)]),
        bounds=Bounds(np.concatenate([np.zeros(m), lower[active], np.zeros(n_z)]),
                      np.concatenate([pieces.length, top[active], np.ones(n_z)])),
        options=mip_options(time_limit),
    )
    note = None
    if res.status == 1:   # the time limit: the best whole plan so far, if any
        note = mip_words(res, time_limit)
        if res.x is None:
            return None, note
    elif res.x is None or not res.success:
        raise PlanningError(f"the integer quota problem could not be solved: {res.message}")
    places[active] = np.round(res.x[m:m + k])
    return places, note


def gain(problem: Problem, c: int, q: float) -> float:
    """Objective removed by one more place in cell ``c`` (at ``q`` places)."""
    y = problem.yield_[c]
    lam = problem.surplus_penalty
    return (problem.plan.cell_objective(c, y * q, lam)
            - problem.plan.cell_objective(c, y * (q + 1), lam))


def repair(problem: Problem, places: np.ndarray) -> np.ndarray:
    """Remove places (least objective lost per unit cost first) until the budget holds."""
    cost = problem.cost
    while spent(cost, places) > problem.budget:
        candidates = np.flatnonzero((places - 1 >= problem.lower) & (cost > 0))
        if candidates.size == 0:  # pragma: no cover - minimums were checked to fit
            raise PlanningError("the minimum quotas do not fit the budget")
        places[_least_loss(problem, places, candidates)] -= 1
    return places


def _least_loss(problem: Problem, places: np.ndarray, candidates: np.ndarray) -> int:
    """The candidate whose last place loses the least objective per unit cost (first on a tie).

    The loss is :func:`gain` at one place fewer. It is estimated for every
    candidate at once (sums in another order), then :func:`gain` itself is
    evaluated only for the candidates whose estimate is within its rounding
    error bound of the smallest, so the choice is the one :func:`gain` over
    every candidate would make.
    """
    y, lam, sc = problem.yield_, problem.surplus_penalty, problem.plan
    q = places[candidates]
    before = np.zeros(problem.n_cells)
    after = np.zeros(problem.n_cells)
    before[candidates] = y[candidates] * (q - 1)
    after[candidates] = y[candidates] * q
    obj_before = sc.objective(before, lam)[candidates]
    obj_after = sc.objective(after, lam)[candidates]
    c = problem.cost[candidates]
    ratio = (obj_before - obj_after) / c
    # every sum of k non-negative terms is within (k + 1) eps of the sum of their magnitudes,
    # which is the objective itself; generous factors cover both orders and the subtraction
    eps = np.finfo(np.float64).eps
    k = sc.count[candidates]
    bound = (8.0 * (k + 4) * eps * (np.abs(obj_before) + np.abs(obj_after)) / c
             + 4.0 * eps * np.abs(ratio) + np.finfo(np.float64).tiny)
    short = candidates[ratio - bound <= np.min(ratio + bound)]
    exact = np.array([gain(problem, int(i), places[i] - 1) for i in short])
    return int(short[np.argmin(exact / problem.cost[short])])


def round_places(problem: Problem, lp_places: np.ndarray) -> np.ndarray:
    """Whole places that never break budget, capacity or minimums.

    Floor the LP places, then add one place at a time to the cell whose next
    place removes the most objective per unit cost (to 10 significant
    digits; on a tie, the cell with the largest LP remainder), while the
    budget allows and the place removes something.
    """
    lower, upper, cost = problem.lower, problem.upper, problem.cost
    places = np.clip(np.floor(lp_places + PLACE_TOL), lower, upper)
    places = repair(problem, places)
    left = problem.budget - spent(cost, places)
    y = problem.yield_
    lam = problem.surplus_penalty
    now = problem.plan.objective(y * places, lam)
    after = problem.plan.objective(y * (places + 1), lam)
    gains = now - after
    open_ = np.flatnonzero((gains > VALUE_TOL) & (places + 1 <= upper) & (cost <= left))
    with np.errstate(divide="ignore"):
        key = tie_key(np.where(cost[open_] > 0, gains[open_] / cost[open_], math.inf))
    heap = list(zip((-key).tolist(), (places[open_] - lp_places[open_]).tolist(),
                    open_.tolist(), strict=True))
    heapq.heapify(heap)
    while heap:
        _, _, c = heapq.heappop(heap)
        if cost[c] > left:
            continue  # money only shrinks: this cell is done
        places[c] += 1
        left = problem.budget - spent(cost, places)
        if places[c] + 1 <= upper[c] and cost[c] <= left:
            g = gain(problem, c, places[c])
            if g > VALUE_TOL:
                ratio = g / cost[c] if cost[c] > 0 else math.inf
                heapq.heappush(heap, (-tie_key(ratio), float(places[c] - lp_places[c]), c))
    return repair(problem, places)  # guards against rounding in the running total


def tie_key(ratio):
    """Values per unit cost to 10 significant digits: equal places differ only in their last bits.

    Equally valuable places in different cells (or periods) differ only in
    the last bits of their sums; rounded to 10 significant digits they tie,
    and the rounding rule breaks the tie (the largest LP remainder first).
    One value (a float) is rounded by Python's ``round(value, 9 -
    floor(log10(value)))``; an array by ``rint(value * 10**d) / 10**d`` with the
    same ``d``, which agrees except for a value within a bit or two of a half
    at the tenth figure (a key either way: such places do not tie with the
    ones that round the other way under either rule). Values that are not
    finite and positive are returned as they are. The one rule of both
    rounding passes (one period: :func:`round_places`; several:
    :mod:`talentgap.planning._multiyear_round`).

    Examples
    --------
    >>> tie_key(0.1 + 0.2) == tie_key(0.3) == 0.3
    True
    >>> tie_key(np.array([2 / 3, 12345678915.0, 0.0, np.inf])).tolist()
    [0.6666666667, 12345678920.0, 0.0, inf]
    """
    if np.ndim(ratio) == 0:
        value = float(ratio)
        if not math.isfinite(value) or value <= 0:
            return value
        return round(value, 9 - math.floor(math.log10(value)))
    ratio = np.asarray(ratio, dtype=np.float64)
    out = ratio.copy()
    keyed = np.isfinite(ratio) & (ratio > 0)
    x = ratio[keyed]
    scale = 10.0 ** np.minimum(9 - np.floor(np.log10(x)), 300.0)   # 1e-300 and below: 0
    out[keyed] = np.rint(x * scale) / scale
    return out


def fit_budget(problem: Problem, places: np.ndarray) -> np.ndarray:
    """Continuous places scaled back onto the budget if solver tolerance overshot it."""
    return shrink_to_budget(problem, places)


def shrink_to_budget(problem, places: np.ndarray) -> np.ndarray:
    """Places moved towards the minimums until they cost no more than the budget."""
    total = spent(problem.cost, places)
    if total <= problem.budget:
        return places
    base = spent(problem.cost, problem.lower)
    share = (problem.budget - base) / (total - base)
    step = np.finfo(np.float64).eps
    while share > 0:
        out = problem.lower + (places - problem.lower) * share
        if spent(problem.cost, out) <= problem.budget:
            return out
        share -= step  # the last bit of the sum can still be over
        step *= 2
    return problem.lower.copy()
