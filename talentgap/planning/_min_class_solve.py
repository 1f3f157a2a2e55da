"""The minimum class size on the rounding path: open or close the classes the LP splits.

The linear program may give a decision (a cell, or a cell and funding
period) a few places, fewer than a class (see
:mod:`talentgap.planning._min_class`). This module decides, from the linear
program, which such *split* decisions run a full class and which close:

1. solve the linear program;
2. for every split decision compare the objective a full class removes
   there, per place, with what a place takes from the binding rows at the
   program's values per unit of them (for one budget: the shortfall removed
   per unit of money at the margin, times the place's cost);
3. close every split decision whose class is worth less than its price and
   solve again; when all are worth their price, open the best value per
   price first, as many as the room the plan leaves in its rows pays for;
4. repeat until no decision is split (at most one round per decision: each
   round settles at least one), then fix every decision as closed (none) or
   open (at least a class) and solve and round as without the rule.

In a multi-year plan, rows that ask for places (a group's ``min_places``, an
equity rule) can leave no plan once a round's decisions are settled
together: the round then settles one decision at a time, and if no single
step leaves a plan the integer program decides the classes instead.

Each round settles some decisions for good, so the rule is a greedy
heuristic: it keeps every budget, capacity and minimum, and every plan it
returns keeps the rule, but it need not be the best such plan; the integer
program (``integer="exact"``) is.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from talentgap.errors import PlanningError
from talentgap.planning._knapsack import KnapsackResult, solve_knapsack
from talentgap.planning._min_class import (
    CLASS_TOL,
    ClassRounds,
    active_classes,
    fix_classes,
    open_or_close,
)
from talentgap.planning._multiyear_lp import Solution, build_program, plan_objective, solve
from talentgap.planning._multiyear_problem import YearsProblem
from talentgap.planning._params import fmt, left_over, plural
from talentgap.planning._plan import QuotaPlan
from talentgap.planning._problem import Problem
from talentgap.planning._solve import VALUE_TOL

__all__ = ["settle_classes", "settle_year_classes", "fixed_classes", "fixed_year_classes",
           "relaxed_budget_value", "relaxed_year_values", "reported_values", "with_class_row"]


# --------------------------------------------------------------------------- one period


def settle_classes(problem: Problem) -> tuple[Problem, KnapsackResult, ClassRounds]:
    """The per-cell plan with every class decided: the problem with fixed bounds, its LP.

    The objective is separable by cell, so a class's gain is exact:
    ``f_c(0) - f_c(y_c N_c)``.
    """
    size = problem.min_class
    n = problem.n_cells
    y, lam = problem.yield_, problem.surplus_penalty
    gain = (problem.plan.objective(np.zeros(n), lam)
            - problem.plan.objective(y * size, lam))
    rows = sp.csr_matrix(problem.cost[None, :])
    limit = np.array([problem.budget])
    current, closed, raised, rounds = problem, 0, 0, 0
    while True:
        lp = solve_knapsack(current)
        rounds += 1
        opened, shut = open_or_close(lp.places, size, current.lower, current.upper, gain,
                                     lp.budget_value * problem.cost, rows, limit)
        if opened.size == 0 and shut.size == 0 or rounds > n:
            break
        lower, upper = current.lower.copy(), current.upper.copy()
        upper[shut] = 0.0
        lower[opened] = np.maximum(lower[opened], size[opened])
        current = replace(current, lower=lower, upper=upper)
        closed, raised = closed + shut.size, raised + opened.size
    return fixed_classes(current, lp.places), lp, ClassRounds(closed, raised, rounds)


def fixed_classes(problem: Problem, places: np.ndarray) -> Problem:
    """The problem with each class as ``places`` has it: closed, or at least a class."""
    lower, upper = fix_classes(problem.min_class, problem.lower, problem.upper, places)
    return replace(problem, lower=lower, upper=upper)


def reported_values(original, fixed, values: np.ndarray, *, bound: str) -> np.ndarray:
    """Bound values with those of the bounds the rule set (not the caller's) left out.

    ``bound`` is the side ``values`` belong to: ``"upper"`` (capacities) or
    ``"lower"`` (minimums). Only a move of that side is the rule's: a class
    that runs raises its cell's lower bound, yet a capacity it fills is
    still the caller's and its value is reported.
    """
    side = "upper" if bound == "upper" else "lower"
    moved = getattr(fixed, side) != getattr(original, side)
    return np.where(moved, 0.0, values)


def relaxed_budget_value(original: Problem) -> float:
    """The budget's value in a class plan: the dual of the plan without the class rule.

    Once the classes are fixed, the linear program's budget dual says what
    money buys *within* the classes that run; it is 0 when the open classes
    are full even though the money left (less than one class) would buy a
    class elsewhere. The value of money to a plan with the rule is the
    value of the relaxation on the caller's bounds: the shortfall removed
    per extra unit of money were places bought one at a time. It is 0 only
    when the money is not the limit even for divisible places (capacities
    and needs are exhausted).
    """
    return float(solve_knapsack(replace(original, min_class=None)).budget_value)


def relaxed_year_values(original: YearsProblem, row_value: np.ndarray) -> np.ndarray:
    """``row_value`` with each budget row's value from the plan without the class rule.

    :func:`relaxed_budget_value` for a multi-year plan: the budget rows
    (``budget``, ``budget[<period>]``) take the dual of the linear
    relaxation on the caller's bounds; other rows keep ``row_value``.
    """
    relaxed = replace(original, integer="none", min_class=None)
    program = build_program(relaxed)
    values = np.asarray(row_value, dtype=np.float64).copy()
    budget = np.array([r for r, info in enumerate(program.rows) if info.kind == "budget"],
                      dtype=np.intp)
    if budget.size and int(budget.max()) < values.size:
        values[budget] = solve(relaxed, program).row_value[budget]
    return values


# --------------------------------------------------------------------------- multi-year


def _class_gains(problem: YearsProblem, q: np.ndarray, decisions: np.ndarray) -> np.ndarray:
    """Objective a full class removes at each of ``decisions``, the others at ``q``.

    Closing and opening one decision changes the workers of the targets its
    places reach; the objective is evaluated target by target for all the
    decisions at once, in layers so that no target is changed twice in one
    evaluation (a target is reached by at most a few decisions: its cell's
    funding periods, or the programmes feeding it).
    """
    size = problem.min_class
    gain = np.zeros(q.size)
    if decisions.size == 0:
        return gain
    workers = problem.transfer @ q
    part = problem.transfer[:, decisions].tocoo()
    target, j, value = part.row, part.col, part.data
    order = np.lexsort((j, target))
    target, j, value = target[order], j[order], value[order]
    first = np.searchsorted(target, target)     # the first pair of each target
    layer = np.arange(target.size) - first
    for r in range(int(layer.max()) + 1 if layer.size else 0):
        pick = layer == r
        t, d, v = target[pick], decisions[j[pick]], value[pick]
        opened, closed = workers.copy(), workers.copy()
        opened[t] += v * (size[d] - q[d])
        closed[t] -= v * q[d]
        change = (plan_objective(problem, q, workers=closed)
                  - plan_objective(problem, q, workers=opened))
        np.add.at(gain, d, change[t])
    return gain


def settle_year_classes(problem: YearsProblem) -> tuple[YearsProblem, ClassRounds]:
    """The multi-year plan with every class decided (the rounding path's rule).

    Prices are the first stage's row values (budgets, envelopes, shared
    capacity groups) times each place's entries in those rows.
    """
    size = problem.min_class
    families = problem.rows()
    n_q = problem.n_units * problem.n_funding
    rows = (sp.vstack([f.matrix for f in families], format="csr") if families
            else sp.csr_matrix((0, n_q)))
    limit = (np.concatenate([f.limit for f in families]) if families else np.zeros(0))
    current, closed, raised, rounds = problem, 0, 0, 0
    sol: Solution = solve(current, build_program(current))
    while True:
        rounds += 1
        price = np.asarray(rows.T @ sol.row_value[:rows.shape[0]]).ravel()
        split = active_classes(size, current.lower, current.upper)
        split = split[(sol.q[split] > CLASS_TOL) & (sol.q[split] < size[split] - CLASS_TOL)]
        gain = _class_gains(current, sol.q, split)
        opened, shut = open_or_close(sol.q, size, current.lower, current.upper, gain, price,
                                     rows, limit)
        if opened.size == 0 and shut.size == 0 or rounds > n_q:
            break
        step = _settled(current, opened, shut)
        if step is None:
            # settling them together leaves a row unmet (a group's min_places, an equity
            # rule, a budget those need): settle one decision, as the rule prefers if it can
            per_place = np.divide(gain, size, out=np.zeros_like(gain), where=size > 0)
            opened, shut, step = _one_at_a_time(current, opened, shut, per_place)
        if step is None:    # a dead end of the greedy rule: the integer program decides
            return _by_integer_program(problem, current, opened, shut), ClassRounds(
                closed, raised, rounds, by_integer=True)
        current, sol = step
        closed, raised = closed + shut.size, raised + opened.size
    return fixed_year_classes(current, sol.q), ClassRounds(closed, raised, rounds)


def _with_classes(problem: YearsProblem, opened: np.ndarray, shut: np.ndarray
                  ) -> YearsProblem:
    """``problem`` with the ``shut`` decisions closed and the ``opened`` ones at a class."""
    lower, upper = problem.lower.copy(), problem.upper.copy()
    upper[shut] = 0.0
    lower[opened] = np.maximum(lower[opened], problem.min_class[opened])
    return replace(problem, lower=lower, upper=upper)


def _one_at_a_time(problem: YearsProblem, opened: np.ndarray, shut: np.ndarray,
                   per_place: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, tuple[YearsProblem, Solution] | None]:
    """One decision settled when ``opened`` and ``shut`` together leave no plan.

    Tried in order until a plan exists: close one of ``shut`` (least value per
    place first), open one of ``opened`` (most first), then the other way
    round: open one of ``shut``, close one of ``opened``. Returns the move
    taken and its problem and LP (or the first move and None if none has a plan).
    """
    none = opened[:0]
    moves = [*((none, shut[i:i + 1]) for i in np.argsort(per_place[shut], kind="stable")),
             *((opened[i:i + 1], none) for i in np.argsort(-per_place[opened], kind="stable")),
             *((shut[i:i + 1], none) for i in np.argsort(-per_place[shut], kind="stable")),
             *((none, opened[i:i + 1]) for i in np.argsort(per_place[opened], kind="stable"))]
    for up, down in moves:
        step = _settled(problem, up, down)
        if step is not None:
            return up, down, step
    up, down = moves[0]
    return up, down, None


def _by_integer_program(problem: YearsProblem, current: YearsProblem, opened: np.ndarray,
                        shut: np.ndarray) -> YearsProblem:
    """The classes as the integer program decides them, from the caller's bounds.

    For when every way of settling one more split decision leaves no plan
    (the decisions closed or opened so far rule out every plan that keeps
    the rows): a plan with the rule may still exist, and the integer program
    finds it. If there is none, the integer program's error names the rows
    in conflict; if its time limit runs out first, the greedy rule's does.
    """
    exact = replace(problem, integer="exact")
    whole = solve(exact, build_program(exact))
    if whole.no_whole_plan:
        trial = _with_classes(current, opened, shut)
        solve(trial, build_program(trial))   # raises, naming the rows in conflict
        raise PlanningError("no plan keeps the minimum class size with every budget, "
                            "capacity and minimum")
    return fixed_year_classes(problem, whole.q)


def _settled(problem: YearsProblem, opened: np.ndarray, shut: np.ndarray
             ) -> tuple[YearsProblem, Solution] | None:
    """The problem with these classes settled and its LP, or None if no plan meets it."""
    trial = _with_classes(problem, opened, shut)
    try:
        return trial, solve(trial, build_program(trial))
    except PlanningError:
        return None


def fixed_year_classes(problem: YearsProblem, q: np.ndarray) -> YearsProblem:
    """:func:`fixed_classes` for a multi-year problem."""
    lower, upper = fix_classes(problem.min_class, problem.lower, problem.upper, q)
    return replace(problem, lower=lower, upper=upper)


# --------------------------------------------------------------------------- reporting


def with_class_row(plan: QuotaPlan, size: np.ndarray, places: np.ndarray, *,
                   decision: str = "cell", cost: np.ndarray | None = None) -> QuotaPlan:
    """The plan with the rule as a row of its constraints and a line of its binding list.

    ``size`` and ``places`` are per decision (the plan's cell, or cell and
    funding period, order). The row (kind ``"min_class_size"``) has the
    smallest class size as its ``limit``, the classes that run as ``used``
    (unit ``"classes"``) and no value (the rule has no dual); it binds when
    a class runs at exactly its minimum.

    With ``cost`` (per place, per decision), a budget row whose money is the
    limit (its value, the relaxation's, is > 0) but has money left says so:
    the money left is less than the cheapest class a decision without one
    could run (or buys no further useful class), never "not the limit".
    """
    ruled = size > 0
    funded = places > CLASS_TOL
    running = int((ruled & funded).sum())
    at_least = int((ruled & funded & (np.abs(places - size) <= CLASS_TOL)).sum())
    closed = int((ruled & ~funded).sum())
    given = size[ruled]
    what = (fmt(float(given.min())) if given.min() == given.max()
            else f"{fmt(float(given.min()))} to {fmt(float(given.max()))}")
    sentence = (f"minimum class size {what} places: {plural(running, decision)} "
                f"{'runs' if running == 1 else 'run'} a class ({fmt(at_least)} at exactly the "
                f"minimum) and {plural(closed, decision)} {'gets' if closed == 1 else 'get'} "
                "no places")
    objective = (str(plan.constraints["objective"].iloc[0]) if len(plan.constraints)
                 else "")
    row = pd.DataFrame({"kind": ["min_class_size"], "name": ["min_class_size"],
                        "words": ["minimum class size"], "binds": [at_least > 0],
                        "limit": [float(given.min())], "used": [float(running)],
                        "unit": ["classes"], "value": [np.nan], "objective": [objective],
                        "sentence": [sentence]})
    for label in plan.constraints.columns.difference(row.columns):   # about no one cell
        row[label] = pd.Series([None], dtype=object)
    constraints, binding = plan.constraints, list(plan.binding)
    if cost is not None and len(constraints):
        unopened = ruled & ~funded
        cheapest = (float((size * np.asarray(cost, np.float64))[unopened].min())
                    if unopened.any() else np.nan)
        constraints, binding = _class_money_words(constraints, binding, cheapest)
    table = (row if constraints.empty
             else pd.concat([constraints, row], ignore_index=True))
    return replace(plan, constraints=table, binding=[*binding, sentence])


def _class_money_words(constraints: pd.DataFrame, binding: list[str], cheapest: float
                       ) -> tuple[pd.DataFrame, list[str]]:
    """Budget rows of a class plan whose money is the limit but is not all spent.

    Such a row's value (the relaxation's) is > 0, so more money would lower
    the shortfall, but what is left buys no class: its sentence says so
    (keeping the value per unit of money), and the row binds.
    """
    constraints = constraints.copy()
    for i in np.flatnonzero((constraints["kind"] == "budget").to_numpy()):
        value = float(constraints["value"].iloc[i])
        limit, used = float(constraints["limit"].iloc[i]), float(constraints["used"].iloc[i])
        left = left_over(limit, used)
        if not (np.isfinite(value) and value * max(cheapest, 1.0) > VALUE_TOL and left):
            continue
        old = str(constraints["sentence"].iloc[i])
        words = str(constraints["words"].iloc[i])
        line = f"{words} is the limit: {fmt(used)} of {fmt(limit)} spent; "
        line += (f"the money left ({fmt(left)}) is less than one class ({fmt(cheapest)})"
                 if np.isfinite(cheapest) and left < cheapest
                 else f"the {fmt(left)} left buys no further useful class")
        rate = [part for part in old.split("; ") if part.startswith("each extra")]
        if rate:
            line += f"; were places bought one at a time, {rate[0]}"
        constraints.iloc[i, constraints.columns.get_loc("sentence")] = line
        constraints.iloc[i, constraints.columns.get_loc("binds")] = True
        binding = [line if b == old else b for b in binding]
    return constraints, binding
