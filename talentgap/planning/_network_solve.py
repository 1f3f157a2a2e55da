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
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from talentgap.errors import PlanningError
from talentgap.planning._crosswalk import Network
from talentgap.planning._problem import Scenarios
from talentgap.planning._solve import (
    MIP_GAP,
    PLACE_TOL,
    VALUE_TOL,
    pieces_of,
    shrink_to_budget,
    spent,
)

__all__ = ["NetworkLP", "solve_network_lp", "solve_network_milp", "round_network",
           "repair_network", "fit_network_budget", "objective_at"]


@dataclass(frozen=True)
class NetworkLP:
    places: np.ndarray
    budget_value: float
    capacity_value: np.ndarray
    min_value: np.ndarray


def objective_at(sc: Scenarios, targets: np.ndarray, x: np.ndarray, penalty: float
                 ) -> np.ndarray:
    """``f_t(x)`` for pairs of target ``targets[i]`` and certified workers ``x[i]``."""
    targets = np.asarray(targets, dtype=np.int64)
    counts = sc.count[targets]
    total = int(counts.sum())
    pair = np.repeat(np.arange(targets.size), counts)
    offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    idx = np.repeat(sc.start[targets], counts) + offset
    g, w, xx = sc.value[idx], sc.weight[idx], np.asarray(x, dtype=np.float64)[pair]
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


def solve_network_lp(problem: Network) -> NetworkLP:
    """The LP relaxation: continuous places, the budget dual and the bound duals."""
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

    def _delta(self, edges: np.ndarray) -> np.ndarray:
        """Per edge, the change of its target's objective if its programme adds a place."""
        p = self.problem
        t = p.edge_target[edges]
        now = objective_at(p.plan, t, self.x[t], p.surplus_penalty)
        moved = objective_at(p.plan, t, self.x[t] + self.a[edges], p.surplus_penalty)
        return moved - now

    def add(self, u: int) -> np.ndarray:
        """One more place in programme ``u``; returns the programmes whose value changed."""
        p = self.problem
        self.places[u] += 1
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
