"""Training quotas under a budget: the sample-average-approximation linear program.

Decision ``q_c >= 0``: training places funded in cell ``c``. Each place yields
``y_c = p_c * a_c`` certified workers who stay (pass rate x absorption). With
scenarios ``k = 1..K`` of the gap ``g_ck`` at the period the trainees arrive
in (METHODS.md, "Quota allocation")::

    minimise   (1/K) sum_k sum_c u_ck  +  surplus_penalty * (1/K) sum_k sum_c v_ck
    subject to u_ck - v_ck = g_ck - y_c * q_c,   u_ck, v_ck >= 0
               sum_c cost_c * q_c <= budget,     min_c <= q_c <= cap_c

``u`` is the unmet gap (shortfall), ``v`` the certified workers beyond the
gap (surplus). This is the sample-average approximation of the expected
unmet gap (Shapiro, Dentcheva & Ruszczynski, *Lectures on Stochastic
Programming*, 2nd ed., 2014, ch. 5); with one scenario and no surplus
penalty it reduces to filling cells in order of cost per certified worker
``cost_c / y_c`` until each gap closes or the budget ends.

How it is solved
----------------
The objective separates by cell: ``f_c(x) = (1/K) sum_k [max(g_ck - x, 0) +
surplus_penalty * max(x - g_ck, 0)]`` of the certified workers ``x = y_c q_c``
is convex and piecewise linear with its breakpoints at the sorted scenario
values. The solver writes ``x`` as the sum of its pieces (the "delta" form of
a convex piecewise-linear function): a variable ``s_cj`` in ``[0, length_j]``
per piece, with the piece's slope as cost and ``cost_c / y_c`` per certified
worker in the budget row. Convexity makes the pieces fill in order, so this
LP has the same optimum, the same optimal value function and therefore the
same budget dual as the form above, but one row (plus one per capacity that
can bind) instead of ``K`` rows per cell. It is solved by
:func:`scipy.optimize.linprog` with HiGHS' interior-point method and
crossover on sparse matrices (HiGHS' presolve and dual simplex scale badly on
the many bound flips of this structure; 2,000 cells x 200 samples solve in a
few seconds). The tests check it against the literal form above.

Duals
-----
``res.ineqlin.marginals`` is the derivative of the minimum with respect to
each right-hand side (<= 0 for these rows). The budget row's, negated, is
the expected shortfall removed per extra unit of budget; a capacity row's,
negated and times ``y_c``, the shortfall removed per extra place of
capacity. Integer plans report the duals of their LP relaxation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from talentgap.planning._params import fmt, ordinal
from talentgap.planning._problem import Problem, build_problem
from talentgap.planning._solve import (
    PLACE_TOL,
    VALUE_TOL,
    fit_budget,
    repair,
    round_places,
    solve_lp,
    solve_milp,
)

__all__ = ["QuotaPlan", "allocate_quotas", "assemble"]

# --------------------------------------------------------------------------- the result


@dataclass(frozen=True, repr=False)
class QuotaPlan:
    """A training plan: places per cell, its cost and the shortfall it leaves.

    Attributes
    ----------
    quotas : pandas.DataFrame
        One row per cell: the key columns, ``period`` (the cohort's period),
        ``arrival_period`` (``period + lead_time``, the gap it is scored on),
        ``quota`` (places; integers unless ``integer="none"``), ``cost``,
        ``expected_certified`` (``quota * pass_rate * absorption``),
        ``planned_gap`` (the gap the plan was optimised against: the expected
        gap, or its quantile), ``gap_before`` / ``gap_after`` (expected gap
        without / with the plan; negative = surplus), ``shortfall_before`` /
        ``shortfall_after`` (expected unmet gap, the mean of ``max(gap, 0)``
        over the scenarios), ``shortage_reduction`` (their difference), the
        parameters used (``cost_per_trainee``, ``pass_rate``, ``absorption``,
        ``cost_per_certified``, ``min_quota``, ``capacity``) and
        ``capacity_value`` (objective removed per extra place of capacity; 0
        where capacity does not bind).
    summary : pandas.Series
        ``rule``, ``risk``, ``quantile``, ``integer``, ``period``, ``cells``,
        ``source`` (``"forecast"`` or ``"samples"``: which input form was read),
        ``scenarios`` (most samples of a cell; 1 for a forecast table),
        ``budget``, ``total_cost`` (never above ``budget``), ``budget_left``,
        ``budget_used`` (share, 0-1), ``places``, ``expected_certified``,
        ``shortfall_before``, ``shortfall_after``,
        ``shortage_reduction``, ``surplus_after``, ``objective`` (the planning
        objective of this plan) and ``lp_objective`` (the optimum of the LP
        relaxation; NaN for rules without an LP).
    marginal_value : pandas.Series
        Objective removed per unit increase of a constraint's limit (the LP
        duals): ``"budget"`` (per unit of money), ``"capacity[<cell>]"`` (per
        place) for each binding capacity and ``"min_quota[<cell>]"`` (per
        place, <= 0) for each binding minimum. With ``surplus_penalty=0`` and
        ``risk="expected"`` the objective is the expected shortfall.
    binding : list of str
        Which constraints bind, in words.
    keys : tuple of str
        The cell key columns.
    rule : str
        ``"optimised"`` or ``"proportional"``.
    label : str
        A short description of the rule, used by :func:`compare_plans`.
    """

    quotas: pd.DataFrame
    summary: pd.Series
    marginal_value: pd.Series
    binding: list[str] = field(default_factory=list)
    keys: tuple[str, ...] = ("region", "industry")
    rule: str = "optimised"
    label: str = "optimised"

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"QuotaPlan(label={self.label!r}, cells={s['cells']}, places={fmt(s['places'])}, "
            f"cost={fmt(s['total_cost'])} of {fmt(s['budget'])}, "
            f"shortfall {fmt(s['shortfall_before'])} -> {fmt(s['shortfall_after'])})"
        )


# --------------------------------------------------------------------------- assembling


def _min_quota_value(problem: Problem, places: np.ndarray, budget_value: float) -> np.ndarray:
    """Objective added per place forced by a minimum quota (0 where it does not bind).

    The reduced cost of the lower bound: a place required by the minimum
    removes ``-y_c f_c'(x0-)`` of the objective (the left slope at the
    minimum's certified workers ``x0``) but uses money worth
    ``budget_value * cost_c`` in the best other cell.
    """
    y, lower, sc = problem.yield_, problem.lower, problem.plan
    lam = problem.surplus_penalty
    out = np.zeros(problem.n_cells)
    for c in np.flatnonzero((lower > 0) & (places <= lower + PLACE_TOL)):
        window = slice(sc.start[c], sc.start[c] + sc.count[c])
        g, w = sc.value[window], sc.weight[window]
        x0 = y[c] * lower[c]
        left_slope = -w[g >= x0].sum() + lam * w[g < x0].sum()
        out[c] = max(budget_value * problem.cost[c] + y[c] * left_slope, 0.0)
    return out


def _binding(problem: Problem, places: np.ndarray, summary: dict, budget_value: float,
             capacity_value: np.ndarray, min_value: np.ndarray, rule: str,
             unmet: np.ndarray) -> list[str]:
    what = problem.objective_name()
    lines = []
    spent, budget = summary["total_cost"], problem.budget
    left = budget - spent
    if rule == "optimised":
        positive = problem.cost[problem.cost > 0]
        money_binds = budget_value * (positive.max() if positive.size else 1.0) > VALUE_TOL
    else:  # no dual: the budget binds if no cell with unmet gap can still afford a place
        step = 1.0 if problem.integer != "none" else PLACE_TOL
        room = (places + step <= problem.upper) & (unmet > 0)
        money_binds = bool(room.any()) and not (problem.cost[room] * step <= left).any()
    if money_binds:
        line = f"budget is fully used: {fmt(spent)} of {fmt(budget)} spent"
        if rule == "optimised":
            line += (f"; each extra unit of budget removes {budget_value:.4g} of the {what} "
                     f"({fmt(1000 * budget_value)} per 1,000)")
        if left > 0 and problem.integer != "none":
            line += f"; the {fmt(left)} left buys no further useful place"
        lines.append(line)
    elif summary["shortfall_after"] <= 1e-9:
        lines.append(f"every expected gap is closed: {fmt(spent)} of {fmt(budget)} spent, "
                     f"{fmt(left)} not needed")
    else:
        lines.append(f"budget is not the limit: {fmt(spent)} of {fmt(budget)} spent; more money "
                     f"would not reduce the {what}")
    for c in np.flatnonzero(capacity_value > VALUE_TOL):
        lines.append(f"capacity of {problem.name(c)} binds ({fmt(problem.upper[c])} places); "
                     f"one more place of capacity removes {capacity_value[c]:.4g} of the {what}")
    if rule != "optimised":
        for c in np.flatnonzero(np.isfinite(problem.upper) & (places >= problem.upper)
                                & (places > 0)):
            lines.append(f"capacity of {problem.name(c)} is reached "
                         f"({fmt(problem.upper[c])} places)")
    for c in np.flatnonzero(min_value > VALUE_TOL):
        lines.append(f"minimum quota of {problem.name(c)} binds ({fmt(problem.lower[c])} "
                     f"places); each required place adds {min_value[c]:.4g} to the {what}, as "
                     "the money would do more elsewhere")
    return lines


def assemble(problem: Problem, places: np.ndarray, *, rule: str, label: str,
             budget_value: float, capacity_value: np.ndarray, lp_objective: float
             ) -> QuotaPlan:
    """Build the :class:`QuotaPlan` tables for given places (shared by every rule)."""
    y = problem.yield_
    if problem.integer != "none":
        places = np.round(places).astype(np.int64)
    certified = y * places
    cost = problem.cost * places
    ev = problem.evaluate
    gap_before = ev.mean()
    short_before = ev.shortfall(np.zeros(problem.n_cells))
    short_after = ev.shortfall(certified)
    planned = problem.plan.mean()
    with np.errstate(divide="ignore"):
        per_certified = problem.cost / y
    min_value = (_min_quota_value(problem, places, budget_value) if rule == "optimised"
                 else np.zeros(problem.n_cells))
    quotas = problem.cells.copy()
    quotas["period"] = pd.array([problem.period] * problem.n_cells, dtype=problem.arrival.dtype)
    quotas["arrival_period"] = problem.arrival
    extra = {
        "quota": places,
        "cost": cost,
        "expected_certified": certified,
        "planned_gap": planned,
        "gap_before": gap_before,
        "gap_after": gap_before - certified,
        "shortfall_before": short_before,
        "shortfall_after": short_after,
        "shortage_reduction": short_before - short_after,
        "cost_per_trainee": problem.cost,
        "pass_rate": problem.pass_rate,
        "absorption": problem.absorption,
        "cost_per_certified": per_certified,
        "min_quota": problem.min_quota,
        "capacity": problem.capacity,
        "capacity_value": capacity_value,
    }
    quotas = pd.concat([quotas, pd.DataFrame(extra)], axis=1)
    total_cost = float(cost.sum())
    objective = float(problem.plan.objective(certified, problem.surplus_penalty).sum())
    summary = {
        "rule": rule,
        "risk": problem.risk,
        "quantile": problem.quantile if problem.quantile is not None else np.nan,
        "integer": problem.integer,
        "period": str(problem.period),
        "cells": problem.n_cells,
        "source": problem.source,
        "scenarios": int(ev.count.max()),
        "budget": problem.budget,
        "total_cost": total_cost,
        "budget_left": problem.budget - total_cost,
        "budget_used": total_cost / problem.budget if problem.budget > 0 else np.nan,
        "places": float(places.sum()),
        "expected_certified": float(certified.sum()),
        "shortfall_before": float(short_before.sum()),
        "shortfall_after": float(short_after.sum()),
        "shortage_reduction": float(short_before.sum() - short_after.sum()),
        "surplus_after": float(ev.surplus(certified).sum()),
        "objective": objective,
        "lp_objective": lp_objective,
    }
    binding = _binding(problem, places, summary, budget_value, capacity_value, min_value, rule,
                       short_after)
    marginal = {"budget": budget_value if rule == "optimised" else np.nan}
    for c in np.flatnonzero(capacity_value > VALUE_TOL):
        marginal[f"capacity[{problem.name(c)}]"] = float(capacity_value[c])
    for c in np.flatnonzero(min_value > VALUE_TOL):
        marginal[f"min_quota[{problem.name(c)}]"] = -float(min_value[c])
    return QuotaPlan(
        quotas=quotas,
        summary=pd.Series(summary, dtype=object, name=label),
        marginal_value=pd.Series(marginal, dtype=np.float64, name="marginal_value"),
        binding=binding,
        keys=problem.keys,
        rule=rule,
        label=label,
    )


# --------------------------------------------------------------------------- public


def allocate_quotas(
    gap_forecast: pd.DataFrame,
    *,
    budget: float,
    cost_per_trainee,
    pass_rate,
    absorption=1.0,
    capacity=None,
    min_quota=0,
    lead_time=0,
    risk: str = "expected",
    quantile: float | None = None,
    surplus_penalty: float = 0.0,
    integer: str = "round",
    keys=("region", "industry"),
    period=None,
    value: str = "gap",
) -> QuotaPlan:
    """Allocate training places to cells so the expected unmet gap is smallest for the money.

    Solves the sample-average-approximation LP of METHODS.md ("Quota
    allocation"; see :mod:`talentgap.planning.quotas` for the formulation
    and how it is solved) and rounds to whole places.

    Parameters
    ----------
    gap_forecast : pandas.DataFrame
        Either

        (a) a **forecast table**, one row per cell x period:
            ``<keys...>, period, gap`` and optionally interval columns
            ``gap_lo_<L>``, ``gap_hi_<L>`` (as from ``GapForecaster.predict``;
            ``L`` is the central interval level in percent, so ``gap_hi_80``
            is the 0.9 quantile). The ``gap`` column is the single scenario
            (the mean); the intervals are used only by ``quantile=``.
        (b) a **scenarios table** of sample paths, ``K`` rows per cell x
            period: ``<keys...>, period, sample, gap``. Each sample is one
            equally likely scenario; cells may have different ``K``.

        The presence of a ``sample`` column selects (b). Other columns are
        ignored. Gaps are in workers (positive = shortage).
    budget : float
        Money available, >= 0, in the unit of ``cost_per_trainee``.
    cost_per_trainee : float or pandas.DataFrame
        Cost of one training place, >= 0.
    pass_rate : float or pandas.DataFrame
        Share of trainees who certify, in (0, 1].
    absorption : float or pandas.DataFrame, default 1.0
        Share of certified trainees who stay and take a job in the cell, in [0, 1].
    capacity : float or pandas.DataFrame, optional
        Most places a cell can train (``inf`` or None: no limit).
    min_quota : float or pandas.DataFrame, default 0
        Fewest places per cell.
    lead_time : int or pandas.DataFrame, default 0
        Periods between the cohort's period (``period``) and the period its
        certified graduates become available, as in
        :func:`talentgap.features.training_supply`. The plan for cell ``c``
        is scored on the gap at ``period + lead_time_c`` (its
        ``arrival_period``), so a per-cell lead time shifts which forecast
        period each cell's trainees count against.
    risk : {"expected", "quantile"}, default "expected"
        ``"expected"`` minimises the expected unmet gap over the scenarios.
        ``"quantile"`` (implied by passing ``quantile``) plans to cover the
        ``quantile`` gap of each cell instead.
    quantile : float, optional
        In (0, 1), e.g. 0.8: plan against the per-cell 80th-percentile gap
        (one scenario per cell). From a scenarios table it is the per-cell
        quantile over the samples (numpy's linear method); from a forecast
        table it is interpolated linearly in the normal score between the
        mean (taken as the median) and the interval bounds, extrapolated
        from the outermost pair: ``gap_hi_80`` gives the 0.9 quantile
        exactly and, with one interval, the normal approximation for others.
    surplus_penalty : float, default 0.0
        Weight, >= 0, of expected certified workers beyond the gap (training
        people for jobs that are not there). 0 means only the shortfall counts.
    integer : {"round", "exact", "none"}, default "round"
        ``"round"``: floor the LP places, then add places one at a time where
        the next place removes the most objective per unit cost, while the
        budget allows (never breaks budget, capacity or minimums). ``"exact"``:
        solve the integer program with :func:`scipy.optimize.milp` (relative
        gap 1e-6; slower on large problems). ``"none"``: continuous places.
        Minimums round up and capacities down to whole places unless ``"none"``.
    keys : sequence of str, default ("region", "industry")
        The cell key columns of ``gap_forecast`` and of any per-cell table.
    period : str or pandas.Period, optional
        The cohort's period. Default: the last period of ``gap_forecast``
        minus the largest lead time, so that (with ``lead_time=0``) the plan
        targets the last forecast period.
    value : str, default "gap"
        The column holding the gap (e.g. ``"mean"`` for ``AutoForecaster``
        output, whose intervals ``lo_<L>``/``hi_<L>`` are then recognised).

    Returns
    -------
    QuotaPlan
        ``.quotas`` (one row per cell), ``.summary``, ``.marginal_value``,
        ``.binding``; see :class:`QuotaPlan`.

    Raises
    ------
    PlanningError
        If a parameter is out of range (negative cost, a pass rate outside
        (0, 1], a capacity below the minimum quota), a per-cell table misses
        a cell, the minimum quotas cost more than the budget, or a cell has
        no forecast row for its arrival period. The message names the
        constraint, the cells and by how much it fails.
    SchemaError
        If ``gap_forecast`` lacks a key, ``period`` or gap column, or has
        missing gaps or duplicate rows.

    Notes
    -----
    A per-cell parameter table is a DataFrame with one or more key columns
    (a subset of ``keys``: costs may vary by industry only) and a column
    named like the parameter, e.g. ``industry, cost_per_trainee``.
    ``summary["shortfall_before"]`` and ``["shortfall_after"]`` are always
    expected shortfalls over the forecast's own scenarios (the mean for a
    forecast table), so plans of different risk settings compare on one
    yardstick; the plan's ``objective`` is on the scenarios it optimised.

    Examples
    --------
    Three cells; e-commerce is cheapest per certified worker (400) but can
    train only 30 people, construction comes next (600 / 0.8 = 750):

    >>> import numpy as np
    >>> import pandas as pd
    >>> from talentgap.planning import allocate_quotas
    >>> forecast = pd.DataFrame({
    ...     "region": ["Northvale", "Northvale", "Southvale"],
    ...     "industry": ["textiles", "construction", "e-commerce"],
    ...     "period": ["2026", "2026", "2026"],
    ...     "gap": [100.0, 60.0, 50.0],
    ... })
    >>> trades = pd.DataFrame({
    ...     "industry": ["textiles", "construction", "e-commerce"],
    ...     "cost_per_trainee": [1000.0, 600.0, 400.0],
    ...     "pass_rate": [0.5, 0.8, 1.0],
    ...     "capacity": [np.inf, np.inf, 30],
    ... })
    >>> plan = allocate_quotas(
    ...     forecast, budget=40_000,
    ...     cost_per_trainee=trades[["industry", "cost_per_trainee"]],
    ...     pass_rate=trades[["industry", "pass_rate"]],
    ...     capacity=trades[["industry", "capacity"]])
    >>> plan.quotas[["industry", "quota", "cost", "gap_after"]]
           industry  quota     cost  gap_after
    0  construction     46  27600.0       23.2
    1      textiles      0      0.0      100.0
    2    e-commerce     30  12000.0       20.0
    >>> plan.summary[["total_cost", "shortfall_before", "shortfall_after"]].tolist()
    [39600.0, 210.0, 143.2]
    >>> round(float(plan.marginal_value["budget"]) * 750, 6)   # 1 / 750 per unit of money
    1.0
    >>> plan.binding[1]
    'capacity of e-commerce in Southvale binds (30 places); one more place of capacity removes 0.4667 of the expected shortfall'
    """  # noqa: E501
    problem = build_problem(
        gap_forecast, keys=keys, value=value, period=period, budget=budget,
        cost_per_trainee=cost_per_trainee, pass_rate=pass_rate, absorption=absorption,
        capacity=capacity, min_quota=min_quota, lead_time=lead_time, risk=risk,
        quantile=quantile, surplus_penalty=surplus_penalty, integer=integer,
    )
    lp = solve_lp(problem)
    lam = problem.surplus_penalty
    lp_objective = float(problem.plan.objective(problem.yield_ * lp.places, lam).sum())
    if problem.integer == "exact":
        places = repair(problem, solve_milp(problem))
    elif problem.integer == "round":
        places = round_places(problem, lp.places)
    else:
        places = fit_budget(problem, lp.places)
    label = "optimised"
    if problem.risk == "quantile":
        label += f", {ordinal(problem.quantile)} gap"
    if lam:
        label += f", surplus penalty {lam:g}"
    return assemble(problem, places, rule="optimised", label=label,
                    budget_value=lp.budget_value, capacity_value=lp.capacity_value,
                    lp_objective=lp_objective)
