"""Building a single-period :class:`~talentgap.planning._plan.QuotaPlan` from places.

Every rule (the optimised LP, its integer versions, the proportional rule)
ends in a vector of places; :func:`assemble` (places per cell) and
:func:`assemble_network` (places per programme, through a crosswalk) turn it
into the plan's tables, its marginal values and the binding constraints in
words.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._words import percentile_words
from talentgap.planning._constraints import ConstraintRows
from talentgap.planning._crosswalk import Network
from talentgap.planning._params import cell_names, fmt, plural
from talentgap.planning._plan import QuotaPlan, words_later
from talentgap.planning._plan_words import objective_basis, shortfall_basis, shortfall_note
from talentgap.planning._problem import Problem
from talentgap.planning._solve import PLACE_TOL, VALUE_TOL

__all__ = ["arrival_label", "assemble", "assemble_network", "cost_per_certified", "plan_label"]

_CELL_COLUMNS = ["expected_certified", "planned_gap", "gap_before", "gap_after",
                 "shortfall_before", "shortfall_after", "shortage_reduction"]
_MAX_SHOWN = 5


def arrival_label(arrival: pd.arrays.PeriodArray) -> str:
    """The period (or periods) whose gap a single-period plan closes, as a label.

    Places funded in ``period`` count ``lead_time`` periods later, at their
    arrival period: one label when every cell shares the lead time, else the
    distinct arrival periods in order, ``", "``-separated.

    Examples
    --------
    >>> arrival_label(pd.array(pd.PeriodIndex(["2025Q4", "2025Q4"], freq="Q")))
    '2025Q4'
    >>> arrival_label(pd.array(pd.PeriodIndex(["2026Q1", "2025Q4"], freq="Q")))
    '2025Q4, 2026Q1'
    """
    return ", ".join(str(p) for p in pd.PeriodIndex(arrival).unique().sort_values())


def plan_label(problem, head: str = "optimised") -> str:
    """The label of an optimised plan (:attr:`QuotaPlan.label`): its rule and how it weighs risk.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> plan_label(SimpleNamespace(risk="quantile", quantile=0.9, surplus_penalty=0.5))
    'optimised, 90th-percentile gap, surplus penalty 0.5'
    """
    label = head
    if problem.risk == "quantile":
        label += f", {percentile_words(problem.quantile)} gap"
    if problem.surplus_penalty:
        label += f", surplus penalty {problem.surplus_penalty:g}"
    return label


def cost_per_certified(cost, yield_) -> np.ndarray:
    """Cost of one certified worker who stays: ``cost_per_trainee / yield``.

    ``yield`` is certified workers who stay per place (``pass_rate *
    absorption``). Where it is 0 no place ever gives one: the cost is
    ``inf`` when places cost money and NaN (undefined, not 0) when they cost
    nothing, without a numpy warning.

    Examples
    --------
    >>> cost_per_certified(np.array([900.0, 900.0, 0.0]), np.array([0.9, 0.0, 0.0]))
    array([1000.,   inf,   nan])
    """
    cost = np.asarray(cost, dtype=np.float64)
    yield_ = np.asarray(yield_, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return cost / yield_


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


def _binding(problem: Problem | Network, places: np.ndarray, summary: dict,
             budget_value: float, capacity_value: np.ndarray, min_value: np.ndarray, rule: str,
             unmet: np.ndarray) -> ConstraintRows:
    """Which constraints bind: rows of the constraints table (worded by :func:`words_later`).

    ``unmet`` > 0 where a place would still serve a gap.
    """
    decisions = problem.units if isinstance(problem, Network) else problem.cells
    rows = ConstraintRows(problem.objective_name(), labels=list(decisions.columns))
    spent, budget = summary["total_cost"], problem.budget
    if rule == "optimised":
        positive = problem.cost[problem.cost > 0]
        money_binds = budget_value * (positive.max() if positive.size else 1.0) > VALUE_TOL
    else:  # no dual: the budget binds if no cell with unmet gap can still afford a place
        step = 1.0 if problem.integer != "none" else PLACE_TOL
        room = (places + step <= problem.upper) & (unmet > 0)
        money_binds = (bool(room.any())
                       and not (problem.cost[room] * step <= budget - spent).any())
    rows.add("budget", ["budget"], ["budget"], binds=money_binds, limit=budget, used=spent,
             unit="money", value=budget_value if rule == "optimised" else np.nan,
             sentence=[""])
    full = (np.flatnonzero(capacity_value > VALUE_TOL) if rule == "optimised"
            else np.flatnonzero(np.isfinite(problem.upper) & (places >= problem.upper)
                                & (places > 0)))
    _add_places(rows, problem, "capacity", "capacity of", full, problem.upper, places,
                capacity_value[full] if rule == "optimised" else np.nan, decisions)
    low = np.flatnonzero(min_value > VALUE_TOL)
    _add_places(rows, problem, "min_quota", "minimum quota of", low, problem.lower, places,
                -min_value[low], decisions)
    return rows


def _add_places(rows: ConstraintRows, problem, kind: str, words: str, at: np.ndarray,
                limit: np.ndarray, places: np.ndarray, value, decisions: pd.DataFrame) -> None:
    """Rows of a per-decision bound that binds (capacity or minimum quota) at ``at``."""
    names = [problem.name(c) for c in at]
    rows.add(kind, [f"{kind}[{n}]" for n in names], [f"{words} {n}" for n in names],
             binds=True, limit=limit[at], used=places[at], unit="places", value=value,
             at=decisions.iloc[at], sentence=[""] * len(names))


def assemble(problem: Problem, places: np.ndarray, *, rule: str, label: str,
             budget_value: float, capacity_value: np.ndarray, lp_objective: float,
             optimum_unique: bool | None = None, notes: list[str] | None = None
             ) -> QuotaPlan:
    """Build the :class:`QuotaPlan` of a per-cell plan for given places (every rule).

    ``optimum_unique`` (optimised plans) adds ``summary["optimum_unique"]``;
    ``notes`` become the plan's :attr:`QuotaPlan.notes`.
    """
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
    per_certified = cost_per_certified(problem.cost, y)
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
    cells = quotas[[*problem.keys, "arrival_period"]].assign(places=places)
    cells = pd.concat([cells, quotas[_CELL_COLUMNS]], axis=1)
    total_cost = float(cost.sum())
    summary = {
        "rule": rule,
        "risk": problem.risk,
        "quantile": problem.quantile if problem.quantile is not None else np.nan,
        "integer": problem.integer,
        "period": str(problem.period),
        "arrival_period": arrival_label(problem.arrival),
        "cells": problem.n_cells,
        "source": problem.source,
        "scenarios": int(ev.count.max()),
        **_totals(problem, total_cost, places, certified, certified, short_before,
                  short_after, lp_objective),
    }
    if optimum_unique is not None:
        summary["optimum_unique"] = bool(optimum_unique)
    rows = _binding(problem, places, summary, budget_value, capacity_value, min_value, rule,
                    short_after)
    return words_later(QuotaPlan(
        quotas=quotas,
        summary=pd.Series(summary, dtype=object, name=label),
        marginal_value=_marginal_values(problem, rule, budget_value, capacity_value,
                                        min_value),
        binding=rows.sentences,
        keys=problem.keys,
        rule=rule,
        label=label,
        cells=cells,
        cell_keys=problem.keys,
        notes=[shortfall_note(problem.source, summary["scenarios"]), *(notes or [])],
        constraints=rows.frame(),
    ))


def _unsupplied_row(rows: ConstraintRows, problem: Network, short_after: np.ndarray) -> None:
    """The cells no programme feeds: one row if there are any (no constraint: no numbers)."""
    unfed = np.flatnonzero(~problem.fed)
    if unfed.size == 0:
        return
    names = cell_names(problem.targets, problem.keys, unfed[:_MAX_SHOWN])
    more = f"; and {unfed.size - len(names)} more" if unfed.size > len(names) else ""
    left = float(short_after[unfed].sum())
    rows.add("unsupplied_cells", ["unsupplied_cells"], ["cells no programme feeds"],
             binds=False,
             sentence=[f"no programme feeds {plural(unfed.size, 'cell')} of the gap forecast, "
                       f"so {'it gets' if unfed.size == 1 else 'they get'} no supply (expected "
                       f"shortfall {fmt(left)} left as it is): {'; '.join(names)}{more}"])


def assemble_network(problem: Network, places: np.ndarray, *, rule: str, label: str,
                     budget_value: float, capacity_value: np.ndarray, min_value: np.ndarray,
                     lp_objective: float) -> QuotaPlan:
    """Build the :class:`QuotaPlan` of a programme plan for given places (every rule)."""
    if problem.integer != "none":
        places = np.round(places).astype(np.int64)
    n = problem.n_units
    cost = problem.cost * places
    per_target = problem.certified(places)
    yield_ = problem.yield_
    certified = yield_ * places
    ev = problem.evaluate
    gap_before = ev.mean()
    short_before = ev.shortfall(np.zeros(problem.n_targets))
    short_after = ev.shortfall(per_target)
    per_certified = cost_per_certified(problem.cost, yield_)
    min_value = np.where(places <= problem.lower + PLACE_TOL, min_value, 0.0)
    quotas = problem.units.copy()
    quotas["period"] = pd.array([problem.period] * n, dtype=problem.arrival.dtype)
    quotas["arrival_period"] = problem.arrival
    extra = {
        "quota": places,
        "cost": cost,
        "expected_certified": certified,
        "feeds": problem.feeds(),
        "cost_per_trainee": problem.cost,
        "pass_rate": problem.pass_rate,
        "absorption": problem.absorption,
        "share_in_forecast": problem.share_in_forecast,
        "cost_per_certified": per_certified,
        "min_quota": problem.min_quota,
        "capacity": problem.capacity,
        "capacity_value": capacity_value,
    }
    quotas = pd.concat([quotas, pd.DataFrame(extra)], axis=1)
    attributed = np.bincount(problem.edge_target,
                             weights=problem.edge_share * places[problem.edge_unit],
                             minlength=problem.n_targets)
    cells = problem.targets.copy()
    cells["arrival_period"] = problem.target_arrival
    cells = pd.concat([cells, pd.DataFrame({
        "places": attributed,
        "expected_certified": per_target,
        "planned_gap": problem.plan.mean(),
        "gap_before": gap_before,
        "gap_after": gap_before - per_target,
        "shortfall_before": short_before,
        "shortfall_after": short_after,
        "shortage_reduction": short_before - short_after,
        "fed_by": problem.fed_by(),
    })], axis=1)
    total_cost = float(cost.sum())
    summary = {
        "rule": rule,
        "risk": problem.risk,
        "quantile": problem.quantile if problem.quantile is not None else np.nan,
        "integer": problem.integer,
        "period": str(problem.period),
        "arrival_period": arrival_label(problem.target_arrival),
        "cells": problem.n_targets,
        "programmes": n,
        "unsupplied_cells": int((~problem.fed).sum()),
        "source": problem.source,
        "scenarios": int(ev.count.max()),
        **_totals(problem, total_cost, places, certified, per_target, short_before,
                  short_after, lp_objective),
    }
    # a programme still has work to do if a cell it feeds (with yield) has unmet gap left
    serves = (problem.edge_yield > 0) & (short_after[problem.edge_target] > 0)
    unmet = np.bincount(problem.edge_unit, weights=serves.astype(float), minlength=n)
    rows = _binding(problem, places, summary, budget_value, capacity_value, min_value, rule,
                    unmet)
    _unsupplied_row(rows, problem, short_after)
    return words_later(QuotaPlan(
        quotas=quotas,
        summary=pd.Series(summary, dtype=object, name=label),
        marginal_value=_marginal_values(problem, rule, budget_value, capacity_value,
                                        min_value),
        binding=rows.sentences,
        keys=problem.unit_keys,
        rule=rule,
        label=label,
        cells=cells,
        cell_keys=problem.keys,
        notes=[shortfall_note(problem.source, summary["scenarios"])],
        constraints=rows.frame(),
    ))


def _marginal_values(problem, rule: str, budget_value: float, capacity_value: np.ndarray,
                     min_value: np.ndarray) -> pd.Series:
    """The LP duals a planner reads: budget, then each binding capacity and minimum.

    Capacities and minimums are named by ``problem.name`` (a cell or a
    programme); a binding minimum's value is negative (raising it costs).
    """
    marginal = {"budget": budget_value if rule == "optimised" else np.nan}
    for i in np.flatnonzero(capacity_value > VALUE_TOL):
        marginal[f"capacity[{problem.name(i)}]"] = float(capacity_value[i])
    for i in np.flatnonzero(min_value > VALUE_TOL):
        marginal[f"min_quota[{problem.name(i)}]"] = -float(min_value[i])
    return pd.Series(marginal, dtype=np.float64, name="marginal_value")


def _totals(problem, total_cost: float, places: np.ndarray, certified: np.ndarray,
            per_target: np.ndarray, short_before: np.ndarray, short_after: np.ndarray,
            lp_objective: float) -> dict:
    """The summary's money and shortfall figures, shared by cell and programme plans.

    ``certified`` is counted per funded unit, ``per_target`` per cell the
    graduates reach (the same array for cell plans).
    """
    ev = problem.evaluate
    return {
        "budget": problem.budget,
        "total_cost": total_cost,
        "budget_left": problem.budget - total_cost,
        "budget_used": total_cost / problem.budget if problem.budget > 0 else np.nan,
        "places": float(places.sum()),
        "expected_certified": float(certified.sum()),
        "shortfall_before": float(short_before.sum()),
        "shortfall_after": float(short_after.sum()),
        "shortage_reduction": float(short_before.sum() - short_after.sum()),
        "shortfall_basis": shortfall_basis(problem.source, int(ev.count.max())),
        "surplus_before": float(ev.surplus(np.zeros_like(per_target)).sum()),
        "surplus_after": float(ev.surplus(per_target).sum()),
        "objective": float(problem.plan.objective(per_target, problem.surplus_penalty).sum()),
        "objective_basis": objective_basis(problem.risk, problem.quantile,
                                           problem.surplus_penalty, problem.source),
        "lp_objective": lp_objective,
    }
