"""Solvers for programme plans: the crosswalk LP, its MILP and safe rounding.

Places ``q_u`` per programme reach the targets (cells at their arrival
period) through the crosswalk, ``x_t = sum_e a_e q_u(e)`` certified workers
with ``a_e = pass_rate_u * absorption_e * share_e``. Each target's objective
``f_t(x)`` (expected shortfall plus the surplus penalty over its scenarios)
is convex and piecewise linear, so it is written in the "delta" form as in
:mod:`talentgap.planning._solve`, now over all of ``[0, inf)``::

    minimise   sum_j slope_j s_j
    subject to sum_{j in t} s_j - sum_e a_e q_u(e) = 0      for every fed target t
               sum_u cost_u q_u <= budget
               0 <= s_j <= length_j,   lower_u <= q_u <= upper_u

The last piece of a target (past its largest scenario) has slope
``surplus_penalty`` and no end. The budget row's dual, negated, is the
objective removed per unit of money; the reduced costs of the bounds on
``q_u`` are the values of a programme's capacity and minimum quota per place.

**Programmes that each feed one target** (every programme of the crosswalk
sends its graduates to one industry, as when each industry trains its own
people) make the problem separable by target: the places of the programmes
feeding a target are substitutes, used cheapest per certified worker first
(``cost_u / a_u``), each up to its capacity, and one without capacity ends
the chain (dearer ones stay at their minimums). Each link of such a chain is
a per-cell problem over the target's scenarios shifted by the supply of the
links before it, and the whole is the one-budget continuous knapsack of
:mod:`talentgap.planning._knapsack`, solved by a sorted greedy fill without
an LP solver (a national plan has tens of millions of pieces and tens of
thousands of link rows, beyond what the LP solves in minutes). The duals
follow from the optimum: with ``w_t`` the objective removed per certified
worker at target ``t``'s optimum (the right slope of ``f_t``) and ``mu`` the
budget's value, a programme at its capacity is worth ``a_u * (w_t - mu *
cost_u / a_u)`` per place, and a binding minimum costs ``mu * cost_u - a_u *
w_t^-`` (the left slope) per place. Rounding follows the programme rule of
:func:`round_network` (the same places as for any network); each place then
costs the scenarios of its one target.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from talentgap.errors import PlanningError
from talentgap.planning._crosswalk import Network
from talentgap.planning._knapsack import solve_knapsack
from talentgap.planning._problem import Problem, Scenarios
from talentgap.planning._solve import (
    MIP_GAP,
    PLACE_TOL,
    VALUE_TOL,
    pieces_of,
    shrink_to_budget,
    spent,
)

__all__ = ["NetworkLP", "Links", "as_links", "solve_network_lp", "solve_network_highs",
           "solve_network_milp",
           "round_network", "repair_network", "fit_network_budget", "objective_at"]


@dataclass(frozen=True)
class NetworkLP:
    places: np.ndarray
    budget_value: float
    capacity_value: np.ndarray
    min_value: np.ndarray


_PAIR_BLOCK = 1 << 22  # scenarios per block of pairs in objective_at (bounds its memory)


def objective_at(sc: Scenarios, targets: np.ndarray, x: np.ndarray, penalty: float
                 ) -> np.ndarray:
    """``f_t(x)`` for pairs of target ``targets[i]`` and certified workers ``x[i]``.

    A block of pairs at a time (each pair's sum is the same whatever the block).
    """
    targets = np.asarray(targets, dtype=np.int64)
    x = np.asarray(x, dtype=np.float64)
    ends = np.cumsum(sc.count[targets])
    if not ends.size or ends[-1] <= _PAIR_BLOCK:
        return _objective_block(sc, targets, x, penalty)
    cuts = np.searchsorted(ends, np.arange(_PAIR_BLOCK, int(ends[-1]), _PAIR_BLOCK),
                           side="right")
    bounds = np.unique(np.concatenate([[0], cuts, [targets.size]]))
    return np.concatenate([_objective_block(sc, targets[lo:hi], x[lo:hi], penalty)
                           for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)])


def _objective_one(sc: Scenarios, t: int, x: float, penalty: float) -> float:
    """:func:`objective_at` of one target, summed in the same order (the same bits)."""
    lo, hi = int(sc.start[t]), int(sc.start[t] + sc.count[t])
    g, w = sc.value[lo:hi], sc.weight[lo:hi]
    value = w * np.maximum(g - x, 0.0)
    if penalty:
        value = value + penalty * w * np.maximum(x - g, 0.0)
    return float(np.bincount(np.zeros(value.size, dtype=np.intp), weights=value,
                             minlength=1)[0])


def _objective_block(sc: Scenarios, targets: np.ndarray, x: np.ndarray, penalty: float
                     ) -> np.ndarray:
    counts = sc.count[targets]
    total = int(counts.sum())
    pair = np.repeat(np.arange(targets.size), counts)
    k = int(counts[0]) if counts.size else 0
    if counts.size and (counts == k).all():  # sample paths: as many scenarios everywhere
        idx = (sc.start[targets][:, None] + np.arange(k)).ravel()
    else:
        offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        idx = np.repeat(sc.start[targets], counts) + offset
    g, w, xx = sc.value[idx], sc.weight[idx], x[pair]
    value = w * np.maximum(g - xx, 0.0)
    if penalty:
        value = value + penalty * w * np.maximum(xx - g, 0.0)
    return np.bincount(pair, weights=value, minlength=targets.size)


def _useful(problem: Network) -> np.ndarray:
    """Per programme, places past which every target it feeds is past its largest scenario."""
    a = problem.edge_yield
    top = np.maximum(problem.plan.maximum(), 0.0)[problem.edge_target]
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.where(a > 0, top / a, 0.0)
    out = np.zeros(problem.n_units)
    np.maximum.at(out, problem.edge_unit, need)
    return out


def _matrices(problem: Network, upper: np.ndarray):
    """Objective, constraint rows and bounds of the LP (columns: places, then pieces)."""
    n_units, n_targets = problem.n_units, problem.n_targets
    a = problem.edge_yield
    fed = np.bincount(problem.edge_target, weights=(a > 0).astype(float),
                      minlength=n_targets) > 0
    pieces = pieces_of(problem.plan, np.zeros(n_targets), fed.astype(np.float64),
                     problem.surplus_penalty, x_max=np.full(n_targets, np.inf))
    m = pieces.cell.size
    row_of_target = np.full(n_targets, -1, dtype=np.int64)
    row_of_target[fed] = np.arange(int(fed.sum()))
    link_edges = np.flatnonzero(a > 0)
    rows = np.concatenate([row_of_target[problem.edge_target[link_edges]],
                           row_of_target[pieces.cell]])
    cols = np.concatenate([problem.edge_unit[link_edges], n_units + np.arange(m)])
    data = np.concatenate([-a[link_edges], np.ones(m)])
    a_eq = sp.csr_matrix((data, (rows, cols)), shape=(int(fed.sum()), n_units + m))
    scale = float(problem.cost.max()) if problem.cost.max() > 0 else 1.0
    a_ub = sp.csr_matrix((problem.cost / scale, (np.zeros(n_units, dtype=np.int64),
                                                 np.arange(n_units))), shape=(1, n_units + m))
    b_ub = np.array([problem.budget / scale])
    c = np.concatenate([np.zeros(n_units), pieces.slope])
    low = np.concatenate([problem.lower, np.zeros(m)])
    high = np.concatenate([upper, pieces.length])
    return c, a_eq, a_ub, b_ub, low, high


@dataclass(frozen=True)
class Links:
    """A network whose programmes each feed one target, as a per-cell problem.

    ``cells`` is a :class:`~talentgap.planning._problem.Problem` with one
    cell per link of the targets' chains (see the module notes): yield,
    cost and room (capacity above the minimum) of the link's programme,
    lower bound 0, and the target's scenarios less the certified workers of
    every minimum quota and of the cheaper links before it (a target no
    programme feeds may be a cell with yield 0). ``rows[i]`` is a cell with
    a programme and ``unit[i]`` that programme; programmes in no link stay
    at their minimum.
    """

    cells: Problem
    unit: np.ndarray
    rows: np.ndarray

    def places(self, problem: Network, link_places: np.ndarray) -> np.ndarray:
        """Places per programme from places per cell (beyond the minimums)."""
        out = problem.lower.astype(np.float64, copy=True)
        out[self.unit] += link_places[self.rows]
        return np.clip(out, problem.lower, problem.upper)



def as_links(problem: Network) -> Links | None:
    """The per-cell form of ``problem`` if every programme feeds one target, else None.

    Made once per problem (the LP and the rounding both use it).
    """
    if "_links" not in problem.__dict__:  # derived from the frozen fields only
        object.__setattr__(problem, "_links", _links(problem))
    return problem.__dict__["_links"]


def _links(problem: Network) -> Links | None:
    n = problem.n_units
    if problem.edge_unit.size != n or np.bincount(problem.edge_unit, minlength=n).max() > 1:
        return None
    edge = np.empty(n, dtype=np.int64)
    edge[problem.edge_unit] = np.arange(n)
    target = problem.edge_target[edge]
    a = problem.edge_yield[edge]
    lower, upper, cost = problem.lower, problem.upper, problem.cost
    x0 = np.bincount(target, weights=a * lower, minlength=problem.n_targets)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_certified = np.where(a > 0, cost / np.where(a > 0, a, 1.0), np.inf)
    # each target's feeders, cheapest per certified worker first (then in programme order)
    order = np.lexsort((np.arange(n), per_certified, target))
    order = order[a[order] > 0]
    room = (upper - lower)[order]
    own = target[order]
    begins = np.ones(own.size, dtype=bool)
    begins[1:] = own[1:] != own[:-1]
    group = np.cumsum(begins) - 1
    first = np.flatnonzero(begins)
    # a feeder without capacity ends its target's chain: dearer ones are never used
    unbounded = np.isinf(room).astype(np.int64)
    before = np.cumsum(unbounded) - unbounded
    keep = before == before[first][group]
    flow = np.where(np.isinf(room), 0.0, a[order] * room)
    done = np.cumsum(flow) - flow
    shift = x0[own] + done - done[first][group]
    order, own, shift, room = order[keep], own[keep], shift[keep], room[keep]
    sc = problem.plan
    if own.size == np.unique(own).size and not shift.any():
        # one link per fed target and nothing before it: the targets' own scenarios
        links, unit_of = problem.n_targets, np.full(problem.n_targets, -1, dtype=np.int64)
        unit_of[own] = order
        plan = sc
    else:
        links, unit_of = own.size, order
        counts = sc.count[own]
        start = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        at = np.repeat(sc.start[own] - start, counts) + np.arange(int(counts.sum()))
        cell = np.repeat(np.arange(links, dtype=np.int64), counts)
        plan = Scenarios(cell=cell, value=sc.value[at] - np.repeat(shift, counts),
                         weight=np.asarray(sc.weight)[at], count=counts, start=start)
    used = unit_of >= 0
    pick = np.where(used, unit_of, 0)
    cells = Problem(
        keys=problem.keys, cells=pd.DataFrame(index=pd.RangeIndex(links)),
        period=problem.period, arrival=problem.target_arrival[:0], cost=np.where(
            used, cost[pick], 1.0), pass_rate=np.where(used, a[pick], 0.0),
        absorption=np.ones(links), capacity=np.where(used, (upper - lower)[pick], 0.0),
        min_quota=np.zeros(links), lower=np.zeros(links),
        upper=np.where(used, (upper - lower)[pick], 0.0),
        budget=max(problem.budget - spent(cost, lower), 0.0),
        surplus_penalty=problem.surplus_penalty, evaluate=plan, plan=plan, risk=problem.risk,
        quantile=problem.quantile, integer=problem.integer, source=problem.source)
    return Links(cells, unit_of[used], np.flatnonzero(used))


def _slopes(problem: Network, certified: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Objective removed per certified worker at each target: right and left slopes of f_t.

    Scenarios within a relative ``1e-9`` of the certified workers count as
    at them (the greedy fill's sums of piece lengths end there up to rounding).
    Sample paths weigh their scenarios equally: then the scenarios above are
    counted by a binary search in each target's sorted values.
    """
    sc, lam = problem.plan, problem.surplus_penalty
    tol = 1e-9 * np.maximum(np.abs(certified), 1.0)
    w = np.asarray(sc.weight, dtype=np.float64)
    if w.ndim == 1 and w.size and w.strides == (0,):   # one weight for every scenario
        count = sc.count.astype(np.float64)
        above = sc.count - _rank(sc, certified + tol, strict=False)
        at_or_above = sc.count - _rank(sc, certified - tol, strict=True)
        right, left, total = above * w[0], at_or_above * w[0], count * w[0]
    else:
        x = certified[sc.cell]
        w = np.broadcast_to(w, sc.value.shape)
        n = problem.n_targets
        total = np.bincount(sc.cell, weights=w, minlength=n)
        right = np.bincount(sc.cell, weights=np.where(sc.value > x + tol[sc.cell], w, 0.0),
                            minlength=n)
        left = np.bincount(sc.cell, weights=np.where(sc.value >= x - tol[sc.cell], w, 0.0),
                           minlength=n)
    if lam:
        right, left = right - lam * (total - right), left - lam * (total - left)
    return right, left


def _rank(sc: Scenarios, x: np.ndarray, *, strict: bool) -> np.ndarray:
    """Per target, how many of its sorted scenarios are below ``x`` (``<=`` unless strict)."""
    lo = sc.start.copy()
    hi = sc.start + sc.count
    while True:
        open_ = lo < hi
        if not open_.any():
            return lo - sc.start
        mid = (lo + hi) // 2
        value = sc.value[np.minimum(mid, sc.value.size - 1)]
        below = (value < x) if strict else (value <= x)
        lo = np.where(open_ & below, mid + 1, lo)
        hi = np.where(open_ & ~below, mid, hi)


def _solve_links(problem: Network, links: Links) -> NetworkLP:
    """:func:`solve_network_lp` for programmes that each feed one target (module notes)."""
    res = solve_knapsack(links.cells)
    places = links.places(problem, res.places)
    mu = float(res.budget_value)
    n = problem.n_units
    edge = np.empty(n, dtype=np.int64)
    edge[problem.edge_unit] = np.arange(n)
    target, a = problem.edge_target[edge], problem.edge_yield[edge]
    right, left = _slopes(problem, problem.certified(places))
    cost = problem.cost
    at_capacity = np.isfinite(problem.upper) & (places >= problem.upper - PLACE_TOL)
    capacity_value = np.where(at_capacity, np.maximum(a * right[target] - mu * cost, 0.0),
                              0.0) + 0.0
    at_minimum = (problem.lower > 0) & (places <= problem.lower + PLACE_TOL)
    min_value = np.where(at_minimum, np.maximum(mu * cost - a * left[target], 0.0), 0.0) + 0.0
    return NetworkLP(places, mu, capacity_value, min_value)


def solve_network_lp(problem: Network) -> NetworkLP:
    """The LP relaxation: continuous places, the budget dual and the bound duals.

    Programmes that each feed one target are solved as a per-cell knapsack
    (module notes); other networks by HiGHS.
    """
    links = as_links(problem)
    if links is not None:
        return _solve_links(problem, links)
    return solve_network_highs(problem)


def solve_network_highs(problem: Network) -> NetworkLP:
    """The LP relaxation of any programme network by HiGHS (interior point, then simplex)."""
    n = problem.n_units
    useful = _useful(problem)
    upper = np.maximum(problem.lower, np.minimum(problem.upper, useful))
    c, a_eq, a_ub, b_ub, low, high = _matrices(problem, upper)
    bounds = np.column_stack([low, high])
    kw = dict(A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=np.zeros(a_eq.shape[0]), bounds=bounds)
    res = linprog(c, method="highs-ipm", options={"presolve": False}, **kw)
    if res.status != 0:  # numerical trouble in the interior point: let HiGHS choose
        res = linprog(c, method="highs", **kw)
    if res.status != 0:
        raise PlanningError(f"the programme quota LP could not be solved: {res.message}")
    places = np.clip(res.x[:n], problem.lower, upper)
    scale = float(problem.cost.max()) if problem.cost.max() > 0 else 1.0
    budget_value = max(0.0, -float(res.ineqlin.marginals[0]) / scale)  # (never -0.0)
    at_capacity = np.isfinite(problem.upper) & (upper >= problem.upper)
    capacity_value = np.where(at_capacity, np.maximum(-res.upper.marginals[:n], 0.0), 0.0) + 0.0
    min_value = np.where(problem.lower > 0, np.maximum(res.lower.marginals[:n], 0.0), 0.0) + 0.0
    return NetworkLP(places, budget_value, capacity_value, min_value)


def solve_network_milp(problem: Network) -> np.ndarray:
    """Whole places per programme by branch and bound (:func:`scipy.optimize.milp`)."""
    n = problem.n_units
    useful = np.ceil(_useful(problem) - 1e-12)
    upper = np.maximum(problem.lower, np.minimum(problem.upper, useful))
    c, a_eq, a_ub, b_ub, low, high = _matrices(problem, upper)
    integrality = np.zeros(c.size)
    integrality[:n] = 1
    res = milp(c, constraints=[LinearConstraint(a_eq, 0.0, 0.0),
                               LinearConstraint(a_ub, -np.inf, b_ub)],
               integrality=integrality, bounds=Bounds(low, high),
               options={"mip_rel_gap": MIP_GAP})
    if res.x is None or not res.success:
        raise PlanningError(f"the integer programme quota problem could not be solved: "
                            f"{res.message}")
    return np.clip(np.round(res.x[:n]), problem.lower, problem.upper)


def _change(problem: Network, places: np.ndarray, step: float) -> np.ndarray:
    """Per programme, the objective change of ``step`` more places (negative = better)."""
    x = problem.certified(places)
    sc, lam = problem.plan, problem.surplus_penalty
    t, a = problem.edge_target, problem.edge_yield
    now = objective_at(sc, t, x[t], lam)
    moved = objective_at(sc, t, x[t] + step * a, lam)
    return np.bincount(problem.edge_unit, weights=moved - now, minlength=problem.n_units)


def repair_network(problem: Network, places: np.ndarray) -> np.ndarray:
    """Remove places (least objective lost per unit cost first) until the budget holds."""
    cost = problem.cost
    while spent(cost, places) > problem.budget:
        candidates = (places - 1 >= problem.lower) & (cost > 0)
        if not candidates.any():  # pragma: no cover - minimums were checked to fit
            raise PlanningError("the minimum quotas do not fit the budget")
        loss = _change(problem, places, -1.0)
        ratio = np.where(candidates, loss / np.where(cost > 0, cost, 1.0), np.inf)
        places[int(np.argmin(ratio))] -= 1
    return places


class _Gains:
    """Objective removed by one more place per programme, kept current as places change.

    Each value is summed exactly as :func:`_change` sums it (per edge over the
    target's scenarios, then per programme over its edges in edge order), so
    it is bit for bit what a full recomputation would give. A new place in
    programme ``u`` moves only the targets ``u`` feeds: only the edges into
    those targets and the programmes owning them are recomputed.
    """

    def __init__(self, problem: Network, places: np.ndarray):
        self.problem = problem
        self.places = places
        self.a = problem.edge_yield
        self.edges_by_target = _groups(problem.edge_target, problem.n_targets)
        self.edges_by_unit = _groups(problem.edge_unit, problem.n_units)
        self.x = problem.certified(places)
        self.delta = self._delta(np.arange(self.a.size))
        self.value = -np.bincount(problem.edge_unit, weights=self.delta,
                                  minlength=problem.n_units)
        # every programme feeds one target: a place changes one target, summed in scalars
        self.single = bool(problem.edge_unit.size == problem.n_units and np.bincount(
            problem.edge_unit, minlength=problem.n_units).max(initial=0) <= 1)
        if self.single:
            self.edge_of_unit = np.empty(problem.n_units, dtype=np.int64)
            self.edge_of_unit[problem.edge_unit] = np.arange(problem.n_units)

    def _delta(self, edges: np.ndarray) -> np.ndarray:
        """Per edge, the change of its target's objective if its programme adds a place."""
        p = self.problem
        t = p.edge_target[edges]
        once, back = np.unique(t, return_inverse=True)  # each target's objective once
        now = objective_at(p.plan, once, self.x[once], p.surplus_penalty)[back.ravel()]
        moved = objective_at(p.plan, t, self.x[t] + self.a[edges], p.surplus_penalty)
        return moved - now

    def add(self, u: int) -> np.ndarray:
        """One more place in programme ``u``; returns the programmes whose value changed."""
        p = self.problem
        self.places[u] += 1
        if self.single:
            return self._add_single(u)
        targets = np.unique(p.edge_target[_members(self.edges_by_unit, [u])])
        into = _members(self.edges_by_target, targets)  # every edge into those targets
        local = np.searchsorted(targets, p.edge_target[into])
        self.x[targets] = np.bincount(local, weights=self.a[into] * self.places[
            p.edge_unit[into]], minlength=targets.size)
        self.delta[into] = self._delta(into)
        units = np.unique(p.edge_unit[into])
        edges = _members(self.edges_by_unit, units)
        self.value[units] = -np.bincount(np.searchsorted(units, p.edge_unit[edges]),
                                         weights=self.delta[edges], minlength=units.size)
        return units


    def _add_single(self, u: int) -> np.ndarray:
        """:meth:`add` when each programme feeds one target: the same sums, in scalars."""
        p = self.problem
        t = int(p.edge_target[self.edge_of_unit[u]])
        order, start = self.edges_by_target
        into = order[start[t]:start[t + 1]]  # in edge order (a stable sort by target)
        x = 0.0
        for e in into.tolist():  # summed one by one from 0, as bincount sums them
            x += float(self.a[e] * self.places[p.edge_unit[e]])
        self.x[t] = x
        now = _objective_one(p.plan, t, x, p.surplus_penalty)
        for e in into.tolist():
            moved = _objective_one(p.plan, t, float(x + self.a[e]), p.surplus_penalty)
            self.delta[e] = moved - now
        units = np.unique(p.edge_unit[into])
        self.value[units] = -(0.0 + self.delta[self.edge_of_unit[units]])
        return units


def _groups(owner: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Edges grouped by owner, each group in edge order: (edge numbers, group starts)."""
    order = np.argsort(owner, kind="stable")
    return order, np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=n))])


def _members(groups: tuple[np.ndarray, np.ndarray], owners) -> np.ndarray:
    """The edges of the given owners, in edge order."""
    order, start = groups
    owners = np.asarray(owners, dtype=np.int64)
    counts = start[owners + 1] - start[owners]
    offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.sort(order[np.repeat(start[owners], counts) + offset])


def round_network(problem: Network, lp_places: np.ndarray) -> np.ndarray:
    """Whole places that never break budget, capacity or minimums.

    Floor the LP places, then add one place at a time to the programme whose
    next place removes the most objective per unit cost (the lowest-numbered
    programme on a tie), while the budget allows and the place removes
    something.

    The programmes wait in a priority queue keyed by that ratio. A place
    changes the value of the next place only for programmes sharing a target
    with the one funded; their values are recomputed (exactly as a full pass
    would, see :class:`_Gains`) and queued again, and outdated entries are
    skipped when they come up. So each place costs the scenarios of the
    targets it touches, not of every target.
    """
    lower, upper, cost = problem.lower, problem.upper, problem.cost
    places = np.clip(np.floor(lp_places + PLACE_TOL), lower, upper)
    places = repair_network(problem, places)
    gains = _Gains(problem, places)
    version = np.zeros(problem.n_units, dtype=np.int64)
    left = problem.budget - spent(cost, places)
    heap: list[tuple[float, int, int]] = []

    def push(units: np.ndarray) -> None:
        value = gains.value[units]
        ok = (value > VALUE_TOL) & (places[units] + 1 <= upper[units]) & (cost[units] <= left)
        with np.errstate(divide="ignore"):
            ratio = np.where(cost[units] > 0, value / np.where(cost[units] > 0, cost[units], 1.0),
                             math.inf)
        for u, r in zip(units[ok].tolist(), ratio[ok].tolist(), strict=True):
            heapq.heappush(heap, (-r, u, int(version[u])))

    push(np.arange(problem.n_units))
    while heap:
        _, u, seen = heapq.heappop(heap)
        if seen != version[u] or cost[u] > left:
            continue  # outdated, or no longer affordable (money only shrinks)
        changed = gains.add(u)
        version[changed] += 1
        left = problem.budget - spent(cost, places)
        push(changed)
    return repair_network(problem, places)


def fit_network_budget(problem: Network, places: np.ndarray) -> np.ndarray:
    """Continuous places scaled back onto the budget if solver tolerance overshot it."""
    return shrink_to_budget(problem, places)
