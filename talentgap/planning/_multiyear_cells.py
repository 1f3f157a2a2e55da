"""One cell's multi-year plan at given prices, solved for every cell at once with numpy.

With a price on each coupling row (budgets, envelopes, capacity groups) the
multi-year program falls apart into one small program per cell: places
``q[s] >= 0`` in funding period ``s``, each costing its price ``p[s]``
(the prices of the rows it uses), against the weighted expected shortfall of
the workers they bring. Places funded in ``s`` arrive in ``a_s = s + L``
and stay with survival ``r`` per period (one minus the per-period exit
rate), so in need period ``t`` the cell has ``W_t = y r^(t - a_1) U_j``
workers, where ``j`` is the last funding period that has arrived by ``t``
and ``U_j = sum_{i <= j} q_i r^(a_1 - a_i)`` (``y`` = pass rate x
absorption). ``q >= 0`` is ``0 <= U_1 <= U_2 <= ...``: the cell's program is
an isotonic chain

    minimise  sum_j H_j(U_j)   subject to  0 <= U_1 <= ... <= U_J,

    H_j(U) = sum_{t: j(t) = j} w mean_k max(N[t, k] - y r^(t - a_1) U, 0) + b_j U,
    b_j = p_j r^(a_j - a_1) - p_{j+1} r^(a_{j+1} - a_1),

with each ``H_j`` convex and piecewise linear. An optimum has some
partition of ``1..J`` into runs of equal ``U`` (blocks); each block's value
minimises the sum of its ``H_j`` (on ``U >= 0``). With ``J`` at most
:data:`MAX_RUN` funding periods every one of the ``2^(J-1)`` partitions is
tried: the block minimisers come from the sorted breakpoints of every cell
at once (cumulative sums of the derivative's jumps), a partition is a
candidate when its blocks' minimisers can be chosen non-decreasing, and
the candidate with the least objective is the cell's optimum (it is a
feasible plan, and the optimum's own partition is among the candidates).

A cell's optimum is reported as possibly not unique when a block's
minimisers form an interval, when another partition reaches the same
objective with other places, or when a funding period whose places arrive
after the last need period has a zero price. Cells reported unique have
the same places in every optimal plan at these prices.

First the partition of single periods is tried: when its minimisers are
already in order it is the optimum, and only the other cells go through
every partition. :func:`check_cells` tests given places against the same
optimality conditions in one pass (no sorting), and :func:`lagrangian`
turns the cells' optima into the program's dual bound.

A surplus penalty ``lam`` changes nothing in this form. Since
``max(W - N, 0) = max(N - W, 0) + W - N``, the penalised market term of a
target is ``(1 + lam) w mean_k max(N[t, k] - W_t, 0) + lam w W_t`` less a
constant: the shortfall with a ``(1 + lam)`` times larger weight, and a
linear cost per place of ``lam`` x the market-weighted workers it adds
(:meth:`~talentgap.planning._multiyear_problem.YearsProblem.surplus_cost`),
which is added to the place's price. The constant
(:meth:`~talentgap.planning._multiyear_problem.YearsProblem.surplus_constant`)
is left out of every value here.

These are the per-cell steps of a price decomposition of the multi-year
program: the second round of the program's solve is cut around the cells'
optima (:func:`~talentgap.planning._multiyear_lp.cell_guide`), and the
plans by classes are checked with :func:`check_cells`.
:func:`chain_form` says whether a problem has the form they solve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from talentgap._frequencies import periods_per_year
from talentgap.planning._multiyear_problem import YearsProblem

__all__ = ["CellPlans", "chain_form", "solve_cells", "check_cells", "lagrangian", "MAX_RUN"]

#: Most funding periods (that arrive by the last need period) a cell may have.
MAX_RUN = 6
_CHUNK = 2_000_000        # breakpoints handled at once (cells x scenarios x need periods)
_REL = 1e-9               # relative tolerance of "the same objective" and "flat"


@dataclass(frozen=True)
class CellPlans:
    """Every cell's optimum at given prices.

    ``q`` per decision (index ``c * n_funding + s``), ``value`` per cell (the
    cell's weighted shortfall plus its places' price), ``unique`` per cell
    (False when another plan of the cell may reach the same value).
    """

    q: np.ndarray
    value: np.ndarray
    unique: np.ndarray


def survival(problem: YearsProblem) -> np.ndarray:
    """Per cell: the share of workers who stay one more need period."""
    per_year = periods_per_year(problem.funding.freqstr)
    exits = 1.0 - (1.0 - problem.exit_rate) ** (1.0 / per_year)
    return 1.0 - exits


def _market_weight(problem: YearsProblem) -> np.ndarray:
    """Per cell: the market shortfall's weight, ``(1 + lam)`` x it with a surplus penalty."""
    return problem.weight_market * (1.0 + problem.surplus_penalty)


def _with_surplus_cost(problem: YearsProblem, price: np.ndarray) -> np.ndarray:
    """Cells x funding periods: ``price`` plus the surplus penalty's cost per place."""
    price = np.asarray(price, dtype=np.float64).reshape(problem.n_cells, problem.n_funding)
    if not problem.surplus_penalty:
        return price
    return price + problem.surplus_cost().reshape(problem.n_cells, problem.n_funding)


def chain_form(problem: YearsProblem, *, policy: bool = False, bounds: bool = False
               ) -> str | None:
    """Why the cells' programs are not isotonic chains this module solves (None: they are).

    They are when places are per cell (not per programme) and continuous
    (a surplus penalty is allowed: see the module docstring), every
    decision is bounded only by ``q >= 0`` (no minimum quotas or
    capacities per cell, unless ``bounds``: :func:`check_cells` takes them
    with their prices, :func:`solve_cells` does not), there is no policy
    need (unless ``policy``:
    :func:`check_cells` takes one, :func:`solve_cells` does not), no
    equity rule and no minimum places of a capacity group, every
    target has the same number of scenarios, workers stay with a survival
    above 0, every cell's yield is positive and at most :data:`MAX_RUN`
    funding periods arrive by the last need period.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.planning._multiyear_problem import build_years_problem
    >>> needs = pd.DataFrame({"region": "N", "industry": ["A", "A", "B", "B"],
    ...                       "period": ["2027", "2028"] * 2, "gap": [5.0, 8.0, 3.0, 4.0]})
    >>> problem = build_years_problem(
    ...     needs, periods=[2026, 2027], keys=["region", "industry"], value="gap",
    ...     budget=1_000, total_budget=None, cost_per_trainee=100, pass_rate=1.0,
    ...     absorption=1.0, capacity=None, min_quota=0, lead_time=1, exit_rate=0.1,
    ...     risk="expected", quantile=None, surplus_penalty=0.0, integer="none",
    ...     policy_need=None, need_weights=None, capacity_groups=None,
    ...     budget_envelopes=None, equity=None, tie_tolerance=1e-9)
    >>> chain_form(problem) is None
    True
    """
    if problem.units is not None:
        return "programmes"
    if problem.integer == "exact":
        return "whole places"
    if problem.policy is not None and not policy:
        return "a policy need"
    if problem.equity.names:
        return "equity rules"
    if problem.group_mins is not None and problem.group_mins.size:
        return "minimum places per capacity group"
    if not bounds and ((problem.lower != 0).any() or np.isfinite(problem.upper).any()):
        return "minimum quotas or capacities per cell"
    count = problem.market_plan.count
    if count.size == 0 or (count != count[0]).any() or count[0] < 1:
        return "targets with different numbers of scenarios"
    if (survival(problem) <= 0).any() or (problem.yield_ <= 0).any():
        return "cells whose places bring no workers who stay"
    last = problem.need.asi8.max()
    for lead in np.unique(problem.lead):
        if int((problem.funding.asi8 + lead <= last).sum()) > MAX_RUN:
            return f"more than {MAX_RUN} funding periods"
    return None


def solve_cells(problem: YearsProblem, price: np.ndarray) -> CellPlans:
    """Every cell's optimal places when each decision costs ``price`` (objective units).

    Parameters
    ----------
    problem : YearsProblem
        A problem of the form :func:`chain_form` accepts.
    price : numpy.ndarray
        Per decision (index ``c * n_funding + s``), the objective a place
        costs: the coupling rows' prices times its coefficients, >= 0. The
        surplus penalty's cost per place is added here.

    Returns
    -------
    CellPlans
        With a surplus penalty ``value`` is the cell's penalised objective
        without its constant, plus the places' price.

    Examples
    --------
    One cell, need periods 2027 and 2028, 4 workers short in each for sure,
    places funded in 2026 arrive in 2027 and stay (no exits): a 2026 place
    removes 2 of the shortfall, a 2027 place 1. At a price of 1.5 per place
    only 2026 places pay, 4 of them:

    >>> import numpy as np, pandas as pd
    >>> from talentgap.planning._multiyear_problem import build_years_problem
    >>> needs = pd.DataFrame({"region": "N", "industry": "A", "period": ["2027", "2028"],
    ...                       "gap": [4.0, 4.0]})
    >>> problem = build_years_problem(
    ...     needs, periods=[2026, 2027], keys=["region", "industry"], value="gap",
    ...     budget=1_000, total_budget=None, cost_per_trainee=100, pass_rate=1.0,
    ...     absorption=1.0, capacity=None, min_quota=0, lead_time=1, exit_rate=0.0,
    ...     risk="expected", quantile=None, surplus_penalty=0.0, integer="none",
    ...     policy_need=None, need_weights=None, capacity_groups=None,
    ...     budget_envelopes=None, equity=None, tie_tolerance=1e-9)
    >>> plans = solve_cells(problem, np.array([1.5, 1.5]))
    >>> plans.q.tolist(), plans.value.tolist(), plans.unique.tolist()
    ([4.0, 0.0], [6.0], [True])
    """
    n, n_f = problem.n_cells, problem.n_funding
    q = np.zeros(n * n_f)
    value = np.zeros(n)
    unique = np.ones(n, dtype=bool)
    price = _with_surplus_cost(problem, price)
    k = int(problem.market_plan.count[0])
    chunk = max(1, _CHUNK // (k * problem.n_need))
    for lead in np.unique(problem.lead):
        members = np.flatnonzero(problem.lead == lead)
        for lo in range(0, members.size, chunk):
            cells = members[lo:lo + chunk]
            cq, cv, cu = _solve_group(problem, cells, int(lead), price[cells])
            q.reshape(n, n_f)[cells] = cq
            value[cells] = cv
            unique[cells] = cu
    return CellPlans(q, value, unique)


# --------------------------------------------------------------------------- one group


def _solve_group(problem: YearsProblem, cells: np.ndarray, lead: int, price: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Places, value and uniqueness of ``cells`` (all with lead time ``lead``)."""
    m, n_f, n_t = cells.size, problem.n_funding, problem.n_need
    k = int(problem.market_plan.count[0])
    need = problem.need.asi8
    arrival = problem.funding.asi8 + lead
    n_j = int((arrival <= need.max()).sum())
    target = cells[:, None] * n_t + np.arange(n_t)[None, :]                    # m x T
    gap = problem.market_plan.value.reshape(-1, k)[target]                     # m x T x K
    weight = _market_weight(problem)[cells]
    q = np.zeros((m, n_f))
    late = price[:, n_j:]
    unique = ~(late <= 0).any(axis=1)       # a free place that serves no need: any amount
    if n_j == 0:
        return q, weight * np.maximum(gap, 0.0).mean(axis=2).sum(axis=1), unique
    seg = np.searchsorted(arrival[:n_j], need, side="right") - 1               # T, -1: before
    served = seg >= 0
    r = survival(problem)[cells]
    y = problem.yield_[cells]
    d = r[:, None] ** (need - arrival[0])[None, :].astype(np.float64)          # m x T
    e = r[:, None] ** (arrival[:n_j] - arrival[0])[None, :].astype(np.float64)  # m x J
    pe = price[:, :n_j] * e
    beta = pe - np.concatenate([pe[:, 1:], np.zeros((m, 1))], axis=1)
    c = np.where(served[None, :], weight[:, None] * y[:, None] * d, 0.0)       # m x T
    const = (weight[:, None] * np.maximum(gap, 0.0).mean(axis=2) * ~served[None, :]).sum(1)
    x_t = gap / (y[:, None, None] * d[:, :, None])          # breakpoints in U, per target
    jump_t = c / k
    everyone = np.arange(m)

    def block(a: int, b: int, sub: np.ndarray):
        """Minimisers, least value and flatness of the run a..b for the cells ``sub``."""
        ts = np.flatnonzero((seg >= a) & (seg <= b))
        bet = beta[sub, a:b + 1].sum(axis=1)
        if ts.size == 0:   # no need period in the run: b U alone
            low = np.where(bet >= 0, 0.0, np.inf)
            high = np.where(bet > 0, 0.0, np.inf)
            return low, high, np.zeros(sub.size), np.abs(bet) <= _REL * (np.abs(bet) + 1e-300)
        x = x_t[sub][:, ts, :].reshape(sub.size, ts.size * k)
        jump = np.repeat(jump_t[sub][:, ts], k, axis=1)
        if ts.size > 1:    # the runs' breakpoints merged, per cell
            order = np.argsort(x, axis=1, kind="stable")
            x = np.take_along_axis(x, order, axis=1)
            jump = np.take_along_axis(jump, order, axis=1)
        return _block(x, jump, bet)

    # each funding period alone: if the minimisers are in order, that is the optimum
    single = [block(j, j, everyone) for j in range(n_j)]
    best_u = np.zeros((m, n_j))
    fits = np.ones(m, dtype=bool)
    best_value = np.zeros(m)
    before = np.zeros(m)
    single_flat = np.zeros(m, dtype=bool)
    for j, (low, high, best, flat) in enumerate(single):
        level = np.maximum(low, before)
        fits &= np.isfinite(low) & (level <= high * (1 + _REL) + _REL)
        best_u[:, j] = np.where(np.isfinite(level), level, 0.0)
        best_value += best
        single_flat |= flat
        before = level
    best_value = np.where(fits, best_value, np.inf)
    unique &= ~(fits & single_flat)
    rest = np.flatnonzero(~fits)
    if rest.size:
        u, v, one = _partitions(n_j, rest, block)
        best_u[rest], best_value[rest] = u, v
        unique[rest] &= one
    u_prev = np.concatenate([np.zeros((m, 1)), best_u[:, :-1]], axis=1)
    q[:, :n_j] = np.maximum(e * (best_u - u_prev), 0.0)
    return q, best_value + const, unique


def _partitions(n_j: int, sub: np.ndarray, block) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every partition of the funding periods into runs, for the cells ``sub``.

    Returns the levels ``U`` of the least objective among the partitions
    whose runs' minimisers can be chosen in order, that objective, and
    whether no other partition reaches it with other levels (and no run
    of the chosen one is flat).
    """
    m = sub.size
    runs = {(a, b): block(a, b, sub) for a in range(n_j) for b in range(a, n_j)}
    best_value = np.full(m, np.inf)
    best_u = np.zeros((m, n_j))
    best_flat = np.zeros(m, dtype=bool)
    values, us = [], []
    for mask in range(1 << (n_j - 1)):
        edges = [0, *[j + 1 for j in range(n_j - 1) if mask >> j & 1], n_j]
        u = np.zeros((m, n_j))
        total = np.zeros(m)
        fits = np.ones(m, dtype=bool)
        run_flat = np.zeros(m, dtype=bool)
        before = np.zeros(m)
        for a, b1 in zip(edges[:-1], edges[1:], strict=True):
            low, high, best, flat = runs[a, b1 - 1]
            level = np.maximum(low, before)
            fits &= np.isfinite(low) & (level <= high * (1 + _REL) + _REL)
            u[:, a:b1] = np.where(np.isfinite(level), level, 0.0)[:, None]
            total = total + best
            run_flat |= flat
            before = level
        total = np.where(fits, total, np.inf)
        better = total < best_value
        best_value = np.where(better, total, best_value)
        best_u[better] = u[better]
        best_flat = np.where(better, run_flat, best_flat)
        values.append(total)
        us.append(u)
    scale = np.abs(best_value) + 1.0
    unique = ~best_flat
    for total, u in zip(values, us, strict=True):
        same = np.abs(total - best_value) <= _REL * scale
        other = (np.abs(u - best_u) > _REL * (1.0 + np.abs(best_u))).any(axis=1)
        unique &= ~(same & other)
    return best_u, best_value, unique


def _block(x: np.ndarray, jump: np.ndarray, beta: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One run's minimisers ``[low, high]`` on ``U >= 0``, its least value, and flatness.

    ``x`` holds the run's breakpoints in ``U``, sorted per cell, and ``jump``
    the derivative's jump at each; the run's objective is ``sum jump *
    max(x - U, 0) + beta * U``.
    """
    m = x.shape[0]
    rows = np.arange(m)
    jm = jump
    cs = np.cumsum(jm, axis=1)
    total = cs[:, -1]
    thr = total - beta            # the right derivative is >= 0 once the jumps reach thr
    reach = cs >= thr[:, None]
    i = np.argmax(reach, axis=1)
    low = np.where(thr <= 0, -np.inf, np.where(reach[rows, i], x[rows, i], np.inf))
    over = cs > thr[:, None]
    i = np.argmax(over, axis=1)
    high = np.where(thr < 0, -np.inf, np.where(over[rows, i], x[rows, i], np.inf))
    low, high = np.maximum(low, 0.0), np.maximum(high, 0.0)
    # the least value, at U = low: sum_{x > U} jump (x - U) + beta U
    at = np.where(np.isfinite(low), low, 0.0)
    above = (x > at[:, None]) & (jm > 0)
    tail = (jm * np.where(above, x - at[:, None], 0.0)).sum(axis=1)
    best = tail + beta * at
    best = np.where(np.isfinite(low), best, -np.inf)
    scale = np.abs(total) + np.abs(beta) + 1e-300
    # the derivative within rounding of 0 on an interval of U >= 0: after a breakpoint
    # followed by a larger one, or before the first breakpoint when that is above 0
    step = np.concatenate([x[:, 1:], np.full((m, 1), np.inf)], axis=1) > x
    near = ((np.abs(cs - thr[:, None]) <= _REL * scale[:, None]) & step
            & (x >= 0)).any(axis=1)
    first = np.argmax(jm > 0, axis=1)
    first_x = np.where(jm[rows, first] > 0, x[rows, first], np.inf)
    near |= (np.abs(thr) <= _REL * scale) & (first_x > 0)
    flat = near | (high > low * (1 + _REL) + _REL)
    return low, high, best, flat


# --------------------------------------------------------------------------- checking a plan


def check_cells(problem: YearsProblem, price: np.ndarray, q: np.ndarray, *,
                tol: float = 1e-9, bound_price: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
    """Per cell: whether places ``q`` are optimal at ``price``, and whether uniquely so.

    The optimality conditions of the isotonic chain at the levels ``U``
    that ``q`` gives: in each run of equal levels (a level set) the
    right-derivative of the objective summed over every tail of the run is
    >= 0 and the left-derivative summed over every head of the run is <= 0
    (at level 0 the whole run may only rise). Every direction the chain
    allows is a positive combination of raising a tail and lowering a head
    of some run, so when all these are strictly away from 0 no other plan
    is as good: the optimum is unique. ``tol`` is relative to the size of
    the derivatives. One pass over the scenarios: no sorting. A policy need
    adds its weighted step at the policy need's size; a surplus penalty
    steepens the market steps and adds its cost per place to ``price``
    (see the module docstring).

    Minimum quotas and capacities per decision (``problem.lower``,
    ``problem.upper``) are checked through their prices: ``bound_price``
    per decision, > 0 for a capacity that binds (objective removed per
    extra place of it), < 0 for a minimum quota that binds. Places are
    optimal when they keep their bounds, a bound has a price only where the
    places sit on it (a positive price at the capacity, a negative one at a
    minimum above 0), and the chain (bounded by ``q >= 0`` only) is optimal
    at ``price + bound_price``: then no plan within the bounds does better
    (the bounds' prices are a Lagrange multiplier of them), and when the
    chain's optimum at those prices is unique so is the plan's.

    Examples
    --------
    The one-cell case of :func:`solve_cells`: 4 places funded in 2026 are
    optimal, and the only optimum; 3 are not optimal:

    >>> import numpy as np, pandas as pd
    >>> from talentgap.planning._multiyear_problem import build_years_problem
    >>> needs = pd.DataFrame({"region": "N", "industry": "A", "period": ["2027", "2028"],
    ...                       "gap": [4.0, 4.0]})
    >>> problem = build_years_problem(
    ...     needs, periods=[2026, 2027], keys=["region", "industry"], value="gap",
    ...     budget=1_000, total_budget=None, cost_per_trainee=100, pass_rate=1.0,
    ...     absorption=1.0, capacity=None, min_quota=0, lead_time=1, exit_rate=0.0,
    ...     risk="expected", quantile=None, surplus_penalty=0.0, integer="none",
    ...     policy_need=None, need_weights=None, capacity_groups=None,
    ...     budget_envelopes=None, equity=None, tie_tolerance=1e-9)
    >>> check_cells(problem, np.array([1.5, 1.5]), np.array([4.0, 0.0]))
    (array([ True]), array([ True]))
    >>> check_cells(problem, np.array([1.5, 1.5]), np.array([3.0, 0.0]))[0]
    array([False])
    """
    n, n_f = problem.n_cells, problem.n_funding
    optimal = np.ones(n, dtype=bool)
    unique = np.ones(n, dtype=bool)
    price = _with_surplus_cost(problem, price)
    q = np.asarray(q, dtype=np.float64).reshape(n, n_f)
    if bound_price is not None:
        bound = np.asarray(bound_price, dtype=np.float64).reshape(n, n_f)
        price = price + bound
        optimal &= _bounds_kept(problem, q, bound, tol)
    elif (problem.lower != 0).any() or np.isfinite(problem.upper).any():
        optimal &= _bounds_kept(problem, q, np.zeros((n, n_f)), tol)
    k = int(problem.market_plan.count[0])
    chunk = max(1, _CHUNK // (k * problem.n_need))
    for lead in np.unique(problem.lead):
        members = np.flatnonzero(problem.lead == lead)
        for lo in range(0, members.size, chunk):
            cells = members[lo:lo + chunk]
            optimal[cells], unique[cells] = _check_group(problem, cells, int(lead),
                                                         price[cells], q[cells], tol)
    return optimal, unique


def _bounds_kept(problem: YearsProblem, q: np.ndarray, bound: np.ndarray, tol: float
                 ) -> np.ndarray:
    """Per cell: places within their bounds, and bound prices only where places sit on them."""
    n, n_f = q.shape
    lower = problem.lower.reshape(n, n_f)
    upper = problem.upper.reshape(n, n_f)
    near_low = tol * (1.0 + np.abs(lower))
    near_up = tol * (1.0 + np.abs(np.where(np.isfinite(upper), upper, 0.0)))
    inside = (q >= lower - near_low) & (q <= upper + near_up)
    # a capacity's price (> 0) at the capacity, a minimum's (< 0) at a minimum above 0
    at_up = np.isfinite(upper) & (q >= upper - near_up)
    at_low = (lower > 0) & (q <= lower + near_low)
    size = tol * (1.0 + np.abs(bound))
    priced = (bound <= size) | at_up
    priced &= (bound >= -size) | at_low
    return (inside & priced).all(axis=1)


def _check_group(problem: YearsProblem, cells: np.ndarray, lead: int, price: np.ndarray,
                 q: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    m, n_t = cells.size, problem.n_need
    k = int(problem.market_plan.count[0])
    need = problem.need.asi8
    arrival = problem.funding.asi8 + lead
    n_j = int((arrival <= need.max()).sum())
    late_price, late_q = price[:, n_j:], q[:, n_j:]
    # a place that serves no need: optimal at 0 when its price is >= 0, unique when > 0
    optimal = ((late_q <= tol) | (np.abs(late_price) <= tol)).all(axis=1) & (
        late_price >= -tol).all(axis=1)
    unique = (late_price > tol).all(axis=1)
    if n_j == 0:
        return optimal, unique
    seg = np.searchsorted(arrival[:n_j], need, side="right") - 1
    served = seg >= 0
    r = survival(problem)[cells]
    y = problem.yield_[cells]
    d = r[:, None] ** (need - arrival[0])[None, :].astype(np.float64)
    e = r[:, None] ** (arrival[:n_j] - arrival[0])[None, :].astype(np.float64)
    pe = price[:, :n_j] * e
    beta = pe - np.concatenate([pe[:, 1:], np.zeros((m, 1))], axis=1)
    c = np.where(served[None, :], _market_weight(problem)[cells][:, None] * y[:, None] * d,
                 0.0)
    u = np.cumsum(q[:, :n_j] / e, axis=1)                                  # m x J levels
    gap = problem.market_plan.value.reshape(-1, k)[cells[:, None] * n_t
                                                   + np.arange(n_t)[None, :]]
    # workers at each need period, and the share of scenarios above (right) / at or above
    at = np.where(served[None, :], y[:, None] * d * u[:, np.maximum(seg, 0)], 0.0)
    # a level recomputed from the places is off by rounding: a scenario within that of
    # the workers is taken to be where they are (right: raise them, left: lower them)
    slack = tol * (1.0 + np.abs(at))
    right, left = beta.copy(), beta.copy()
    for t in np.flatnonzero(served):
        g, w, near = gap[:, t, :], at[:, t, None], slack[:, t, None]
        right[:, seg[t]] -= c[:, t] * (g > w + near).mean(axis=1)
        left[:, seg[t]] -= c[:, t] * (g >= w - near).mean(axis=1)
    size = np.abs(beta) + np.zeros((m, n_j))
    for t in np.flatnonzero(served):
        size[:, seg[t]] += c[:, t]
    if problem.policy is not None:   # a policy need: one more step, at its size
        policy = problem.policy[cells[:, None] * n_t + np.arange(n_t)[None, :]]
        c_p = np.where(served[None, :],
                       problem.weight_policy[cells][:, None] * y[:, None] * d, 0.0)
        for t in np.flatnonzero(served):
            p, w, near = policy[:, t], at[:, t], slack[:, t]
            right[:, seg[t]] -= c_p[:, t] * (p > w + near)
            left[:, seg[t]] -= c_p[:, t] * (p >= w - near)
            size[:, seg[t]] += c_p[:, t]
    eps = tol * (size.sum(axis=1) + 1e-300)
    level_tol = tol * (1.0 + np.abs(u))
    # runs of equal levels; a new run where the level rises
    new = np.ones((m, n_j), dtype=bool)
    new[:, 1:] = u[:, 1:] > u[:, :-1] + level_tol[:, 1:]
    zero = u <= level_tol
    for j0 in range(n_j):
        for j1 in range(j0, n_j):
            # cells where j0..j1 is exactly one run
            run = new[:, j0] & ~new[:, j0 + 1:j1 + 1].any(axis=1)
            if j1 + 1 < n_j:
                run &= new[:, j1 + 1]
            if not run.any():
                continue
            for i in range(j0, j1 + 1):
                # raise levels i..j1, lower levels j0..i
                optimal &= ~run | (right[:, i:j1 + 1].sum(axis=1) >= -eps)
                unique &= ~run | (right[:, i:j1 + 1].sum(axis=1) > eps)
                can_lower = ~zero[:, j0]
                optimal &= ~run | ~can_lower | (left[:, j0:i + 1].sum(axis=1) <= eps)
                unique &= ~run | ~can_lower | (left[:, j0:i + 1].sum(axis=1) < -eps)
    return optimal, unique


# --------------------------------------------------------------------------- the dual bound


def lagrangian(problem: YearsProblem, row_price: np.ndarray) -> tuple[float, np.ndarray]:
    """The Lagrangian bound at prices on the coupling rows, and the rows' use there.

    ``row_price`` holds one price per coupling row (budgets, then budget
    envelopes, then capacity groups, as :meth:`YearsProblem.rows` lists
    them), in objective per unit of the row's limit (money or places),
    >= 0. Returns ``sum over cells of their least value - price . limit``
    minus the weighted shortfall with no places, which is at most the
    program's optimal objective change (weak duality) and equal to it at
    optimal prices (with a surplus penalty, the change of the penalised
    objective), and the rows' use by the cells' optimal places (a
    supergradient of the bound is use - limit).

    Examples
    --------
    One cell as in :func:`solve_cells` with a budget of 300 (3 places of
    100, each removing 2 of the shortfall): at the budget's optimal price,
    2 / 100 per unit of money, the bound is the optimum's change, -6:

    >>> import numpy as np, pandas as pd
    >>> from talentgap.planning._multiyear_problem import build_years_problem
    >>> needs = pd.DataFrame({"region": "N", "industry": "A", "period": ["2027", "2028"],
    ...                       "gap": [4.0, 4.0]})
    >>> problem = build_years_problem(
    ...     needs, periods=[2026, 2027], keys=["region", "industry"], value="gap",
    ...     budget=300, total_budget=None, cost_per_trainee=100, pass_rate=1.0,
    ...     absorption=1.0, capacity=None, min_quota=0, lead_time=1, exit_rate=0.0,
    ...     risk="expected", quantile=None, surplus_penalty=0.0, integer="none",
    ...     policy_need=None, need_weights=None, capacity_groups=None,
    ...     budget_envelopes=None, equity=None, tie_tolerance=1e-9)
    >>> bound, use = lagrangian(problem, np.array([0.02]))
    >>> round(bound, 9)
    -6.0
    """
    families = problem.rows()
    n_q = problem.n_cells * problem.n_funding
    a = (sp.vstack([f.matrix for f in families], format="csr") if families
         else sp.csr_matrix((0, n_q)))
    limit = np.concatenate([f.limit for f in families]) if families else np.zeros(0)
    row_price = np.asarray(row_price, dtype=np.float64)
    plans = solve_cells(problem, a.T @ row_price)
    cell = problem.target_cell()
    before = float((_market_weight(problem)[cell]
                    * problem.market_plan.shortfall(np.zeros(cell.size))).sum())
    return float(plans.value.sum() - row_price @ limit) - before, a @ plans.q
