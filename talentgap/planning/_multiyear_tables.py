"""The tables of a multi-year plan: the assembled :class:`~talentgap.planning.QuotaPlan`.

From the checked problem, the first stage's solution (optimum and duals) and
the final places, :func:`assemble_plan` builds the plan's tables: places per
cell (or programme) and funding period, workers and shortfalls per cell and
need period, totals per period, the summary, the binding constraints with
their marginal values and sentences, and the notes on ties, places left
unfunded and funding periods that come too late
(see :mod:`talentgap.planning.multiyear`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.planning._committed import COMMITTED_BASIS, committed_words
from talentgap.planning._constraint_sentences import PERSON_PERIODS
from talentgap.planning._constraints import ConstraintRows
from talentgap.planning._multiyear_lp import (
    DUAL_TOL,
    Program,
    Solution,
    plan_objective,
    weighted_shortfall,
)
from talentgap.planning._multiyear_problem import YearsProblem
from talentgap.planning._multiyear_ties import need_reference
from talentgap.planning._params import fmt
from talentgap.planning._plan import (
    QuotaPlan,
    objective_basis,
    shortfall_basis,
    shortfall_note,
    words_later,
)
from talentgap.planning._plan_tables import cost_per_certified, plan_label
from talentgap.planning._tables import freq_code

__all__ = ["assemble_plan"]

def _spent(problem: YearsProblem, q: np.ndarray) -> list[np.ndarray]:
    return [family.matrix @ q for family in problem.rows()]


def _binding(problem: YearsProblem, program: Program, first: Solution, q: np.ndarray
             ) -> tuple[ConstraintRows, dict]:
    """Binding constraints (rows of the constraints table, worded on first read:
    :func:`~talentgap.planning._plan.words_later`) and their marginal values by name."""
    decisions = _decisions(problem)   # the cell (or programme) and period of each decision
    rows, marginal = ConstraintRows(problem.objective_name(), labels=decisions.columns), {}
    used = np.concatenate(_spent(problem, q)) if problem.rows() else np.zeros(0)
    removed = _equity_removed(problem, q)
    scale = float(problem.cost.max()) or 1.0
    funding = problem.funding.astype(str)
    for r, info in enumerate(program.rows):
        value = float(first.row_value[r])
        spent = round(float(used[r]), 6) if r < used.size else np.nan  # solver noise in the sum
        if info.kind == "equity":
            spent = float(removed[problem.equity.names.index(info.name)])
        # the funding period a row is about: budget[2026], capacity_group[g, 2026], ...
        at = (pd.DataFrame({"period": [funding[info.funding]]}) if info.funding >= 0
              else None)
        if info.kind == "budget":
            marginal[info.name] = value
            rows.add("budget", [info.name], [info.words], binds=value * scale > DUAL_TOL,
                     limit=info.limit, used=spent, unit="money", value=value, sentence=[""],
                     at=at)
            continue
        if value <= DUAL_TOL:
            continue
        limit = info.limit
        if info.kind in ("equity", "capacity_group_min"):   # raising these costs
            value = -value
            if info.kind == "capacity_group_min":   # -sum q <= -min: shown as places
                limit, spent = -limit, -spent
        marginal[info.name] = value
        rows.add(info.kind, [info.name], [info.words], binds=True, limit=limit, used=spent,
                 unit=info.unit, value=value, sentence=[""], at=at)
    cap = np.flatnonzero(first.capacity_value > DUAL_TOL)
    low = np.flatnonzero((first.min_value > DUAL_TOL) & (problem.lower > 0))
    for kind, words, at, bound, value in (
            ("capacity", "capacity of", cap, problem.upper, first.capacity_value[cap]),
            ("min_quota", "minimum quota of", low, problem.lower, -first.min_value[low])):
        names = [problem.decision_name(i) for i in at]
        marginal.update({f"{kind}[{n}]": float(v) for n, v in zip(names, value, strict=True)})
        rows.add(kind, [f"{kind}[{n}]" for n in names], [f"{words} {n}" for n in names],
                 binds=True, limit=bound[at], used=q[at], unit="places", value=value,
                 at=decisions.iloc[at], sentence=[""] * len(names))
    return rows, marginal


def _decisions(problem: YearsProblem) -> pd.DataFrame:
    """One row per decision: its cell's (or programme's) key columns and funding ``period``."""
    units = problem.units if problem.units is not None else problem.cells
    out = units.iloc[problem.decision_cell()].reset_index(drop=True)
    out["period"] = problem.funding.astype(str)[problem.decision_year()]
    return out


def _equity_removed(problem: YearsProblem, q: np.ndarray) -> np.ndarray:
    """Per equity rule: the weighted shortfall its cells lose at places ``q``.

    The left-hand side of the rule's row in the program (its pieces filled
    as far as the plan's workers reach): the weighted shortfall with no plan
    less the one at ``q`` (market and policy need, the scenarios the plan is
    optimised against), summed over the need periods and the rule's cells.
    """
    eq = problem.equity
    if not eq.names:
        return np.zeros(0)
    q = np.asarray(q, dtype=np.float64)
    gone = weighted_shortfall(problem, np.zeros(q.size)) - weighted_shortfall(problem, q)
    return eq.member @ gone.reshape(problem.n_cells, problem.n_need).sum(axis=1)


def _notes(problem: YearsProblem, program: Program, first: Solution, q: np.ndarray,
           moved: bool, trimmed: float = 0.0) -> list[str]:
    notes = []
    if moved:  # q: the tie rule's plan (before any rounding)
        shifted = float(np.abs(q - first.q).sum()) / 2
        notes.append(
            f"several plans are equally good: they leave the same {problem.objective_name()} "
            f"(within {problem.tie_tolerance:g} of the shortfall with no plan); among them "
            "talentgap chose the one closest to spreading each funding period's money over "
            f"the {'cells' if problem.units is None else 'programmes'} in proportion to their "
            f"need ({fmt(shifted)} places differ from the first such plan found)")
    if trimmed > 1e-9:
        what = problem.objective_name()
        if problem.surplus_penalty:
            what = what.removesuffix(" plus the surplus penalty") + " and only add surplus"
        notes.append(
            f"{fmt(trimmed)} places that would remove no {what} (their "
            "workers would come on top of the largest need of every period they serve) are "
            "not funded; their money is left unspent")
    arrival = problem.funding.asi8[None, :] + problem.lead[:, None]
    late = (arrival > problem.need.asi8.max()).all(axis=0)
    for s in np.flatnonzero(late):
        notes.append(f"places funded in {problem.funding[s]} arrive after the last need period "
                     f"{problem.need[-1]} and count for nothing; the plan funds only the "
                     "minimum quotas there")
    return notes


def assemble_plan(problem: YearsProblem, program: Program, first: Solution, q: np.ndarray,
                  moved: bool, tied: np.ndarray | None = None, trimmed: float = 0.0) -> QuotaPlan:
    """The plan of places ``q``: its tables, summary, binding constraints and notes.

    ``first`` is the first stage's solution (the duals), ``moved`` whether the
    tie rule moved places, ``tied`` the tie rule's plan before rounding (for
    the note on ties; default ``q``) and ``trimmed`` the places taken out as
    unneeded.
    """
    n, n_t = problem.n_cells, problem.n_need
    dec_cell, dec_year = problem.decision_cell(), problem.decision_year()
    tgt_cell, tgt_year = problem.target_cell(), problem.target_year()
    y = problem.yield_
    if problem.integer != "none":
        q = np.round(q).astype(np.int64)
    cost = problem.cost * q
    workers = problem.transfer @ q
    ev = problem.market
    gap_before = ev.mean()
    short_before = ev.shortfall(np.zeros(n * n_t))
    short_after = ev.shortfall(workers)
    policy, policy_after = problem.policy_shown(workers)   # persons
    dtype = problem.funding.dtype

    programmes = problem.units is not None
    quotas = (problem.units if programmes else problem.cells).iloc[dec_cell].reset_index(
        drop=True)
    quotas["period"] = pd.arrays.PeriodArray(problem.funding.asi8[dec_year], dtype=dtype)
    quotas["arrival_period"] = pd.arrays.PeriodArray(
        problem.funding.asi8[dec_year] + problem.lead[dec_cell], dtype=dtype)
    per_certified = cost_per_certified(problem.cost, y[dec_cell])
    columns = {
        "quota": q, "cost": cost, "expected_certified": y[dec_cell] * q,
        "worker_periods": np.asarray(problem.transfer.sum(axis=0)).ravel() * q,
        "need_at_arrival": need_reference(problem),
        "cost_per_trainee": problem.cost, "pass_rate": problem.pass_rate[dec_cell],
        "absorption": problem.absorption[dec_cell],
        # exits are per cell: a programme's workers leave the cell they joined
        "exit_rate": None if programmes else problem.exit_rate[dec_cell],
        "lead_time": problem.lead[dec_cell], "cost_per_certified": per_certified,
        "min_quota": problem.min_quota, "capacity": problem.capacity,
        "capacity_value": first.capacity_value,
    }
    if programmes:
        del columns["exit_rate"]
        feeds, fed_by = _feeds(problem)
        columns["feeds"] = feeds[dec_cell]
    quotas = pd.concat([quotas, pd.DataFrame(columns)], axis=1)

    cells = problem.cells.iloc[tgt_cell].reset_index(drop=True)
    cells["period"] = pd.arrays.PeriodArray(problem.need.asi8[tgt_year], dtype=dtype)
    columns = {"workers": workers, "gap_before": gap_before, "gap_after": gap_before - workers,
               "shortfall_before": short_before, "shortfall_after": short_after,
               "shortage_reduction": short_before - short_after}
    if problem.policy is not None:
        columns.update(policy_need=policy, policy_shortfall_after=policy_after)
        if problem.policy_rate is not None:   # the workers counted toward the policy need
            columns["policy_workers"] = problem.policy_rate[tgt_cell] * workers
    if programmes:
        columns["places"] = _arriving_places(problem, q)
        columns["fed_by"] = fed_by[tgt_cell]
    if problem.committed is not None:   # places already funded: the needs are net of them;
        columns["committed_workers"] = problem.committed   # a later column: kept last
    cells = pd.concat([cells, pd.DataFrame(columns)], axis=1)

    years = _years(problem, q, cost, workers, short_before, short_after, policy, policy_after)
    rows, marginal = _binding(problem, program, first, q)
    budget_total = _budget_total(problem)
    total_cost = float(cost.sum())
    # a policy need no place reaches (per_worker 0) is left out of the program: added back
    objective = float(plan_objective(problem, q).sum()) + problem.policy_constant
    label = plan_label(problem, "optimised over " + ", ".join(str(p) for p in problem.funding))
    summary = {
        "rule": "optimised", "risk": problem.risk,
        "quantile": problem.quantile if problem.quantile is not None else np.nan,
        "integer": problem.integer,
        "period": ", ".join(str(p) for p in problem.funding),
        "need_periods": f"{problem.need[0]} to {problem.need[-1]}",
        "cells": n, "source": problem.source, "scenarios": int(ev.count.max()),
        **({"programmes": problem.n_units} if programmes else {}),
        "budget": budget_total, "total_cost": total_cost,
        "budget_left": budget_total - total_cost,
        "budget_used": total_cost / budget_total if budget_total > 0 else np.nan,
        "places": float(q.sum()), "expected_certified": float((y[dec_cell] * q).sum()),
        "shortfall_before": float(short_before.sum()),
        "shortfall_after": float(short_after.sum()),
        "shortage_reduction": float(short_before.sum() - short_after.sum()),
        "shortfall_basis": shortfall_basis(problem.source, int(ev.count.max())),
        "policy_shortfall_before": float(policy.sum()),
        "policy_shortfall_after": float(policy_after.sum()),
        "surplus_before": float(ev.surplus(np.zeros(n * n_t)).sum()),
        "surplus_after": float(ev.surplus(workers).sum()),
        "surplus_penalty": problem.surplus_penalty,
        "objective": objective,
        "objective_basis": objective_basis(problem.risk, problem.quantile,
                                           problem.surplus_penalty, problem.source,
                                           weights=True, policy=problem.policy is not None),
        "lp_objective": program.before + first.lp_objective + problem.policy_constant,
        "optimum_unique": not moved,
        "tie_tolerance": problem.tie_tolerance,
    }
    committed_notes = []
    if problem.committed is not None:
        summary.update(committed_places=problem.committed_places,
                       committed_arriving=problem.committed_arriving,
                       committed_workers=float(problem.committed.sum()),
                       before_plan=COMMITTED_BASIS)
        committed_notes.append(committed_words(problem.committed_places,
                                               problem.committed_arriving, problem.need))
    return words_later(QuotaPlan(
        quotas=quotas,
        summary=pd.Series(summary, dtype=object, name=label),
        marginal_value=pd.Series(marginal, dtype=np.float64, name="marginal_value"),
        binding=rows.sentences, keys=problem.unit_keys if programmes else problem.keys,
        rule="optimised", label=label, cells=cells,
        cell_keys=problem.keys, years=years,
        notes=[shortfall_note(problem.source, int(ev.count.max()),
                             periods=PERSON_PERIODS[freq_code(problem.need.dtype)]),
               *committed_notes,
               *_notes(problem, program, first, q if tied is None else tied, moved, trimmed)],
        constraints=rows.frame(),
    ))


def _arriving_places(problem: YearsProblem, q: np.ndarray) -> np.ndarray:
    """Per target (cell x need period): programme places arriving there, times their share.

    A place funded in ``s`` whose programme feeds the cell with share
    ``sigma`` counts ``sigma`` in the need period it arrives in (none when it
    arrives after the last need period).
    """
    unit, _, share, _ = problem.edges()
    target, found = problem.arrival_targets()
    places = share[:, None] * np.asarray(q, dtype=np.float64).reshape(-1, problem.n_funding)[unit]
    return np.bincount(target[found], weights=places[found],
                       minlength=problem.n_cells * problem.n_need)


def _feeds(problem: YearsProblem) -> tuple[np.ndarray, np.ndarray]:
    """Per programme the industries it feeds with their shares; per cell its programmes."""
    unit, cell, share, _ = problem.edges()
    target = [k for k in problem.keys if k not in problem.unit_keys][0]
    to = problem.cells[target].astype(str).to_numpy(dtype=object)[cell]
    program = problem.units["program"].astype(str).to_numpy(dtype=object)[unit]
    percent = pd.Series(100 * share).map("{:.3g}%".format).to_numpy(dtype=object)
    order = np.lexsort((to, -share, unit))
    feeds = _join(unit[order], (to + " " + percent)[order], problem.n_units)
    order = np.lexsort((program, cell))
    first = np.r_[True, (cell[order][1:] != cell[order][:-1])
                  | (program[order][1:] != program[order][:-1])]
    order = order[first]  # a programme named once per cell
    return feeds, _join(cell[order], program[order], problem.n_cells)


def _join(group: np.ndarray, text: np.ndarray, n: int) -> np.ndarray:
    """``", "``-joined ``text`` per group (``group`` sorted), ``""`` for groups without any."""
    out = np.full(n, "", dtype=object)
    if not group.size:
        return out
    head = np.r_[True, group[1:] != group[:-1]]
    pieces = np.where(head, "", ", ") + text
    out[group[head]] = np.add.reduceat(pieces, np.flatnonzero(head))
    return out


def _budget_total(problem: YearsProblem) -> float:
    rows = problem.budgets
    if "budget[total]" in rows.names:
        return float(min(rows.limit[rows.names.index("budget[total]")],
                         rows.limit[: len(problem.funding)].sum()))
    return float(rows.limit.sum())


def _years(problem: YearsProblem, q, cost, workers, short_before, short_after, policy,
           policy_after) -> pd.DataFrame:
    """Per period (funding and need periods): places, cost, budget, workers and shortfalls."""
    funding, need = problem.funding.asi8, problem.need.asi8
    every = np.union1d(funding, need)
    n_p = every.size
    fund_at = np.searchsorted(every, funding)[problem.decision_year()]
    need_at = np.searchsorted(every, need)[problem.target_year()]
    budget = np.full(n_p, np.nan)
    rows = problem.budgets
    if rows.names[0] != "budget":
        budget[np.searchsorted(every, funding)] = rows.limit[: funding.size]
    out = pd.DataFrame({
        "period": pd.arrays.PeriodArray(every, dtype=problem.funding.dtype),
        "places": np.bincount(fund_at, weights=q.astype(np.float64), minlength=n_p),
        "cost": np.bincount(fund_at, weights=cost, minlength=n_p),
        "budget": budget,
        "workers": np.bincount(need_at, weights=workers, minlength=n_p),
        "shortfall_before": np.bincount(need_at, weights=short_before, minlength=n_p),
        "shortfall_after": np.bincount(need_at, weights=short_after, minlength=n_p),
    })
    if problem.policy is not None:
        out["policy_shortfall_before"] = np.bincount(need_at, weights=policy, minlength=n_p)
        out["policy_shortfall_after"] = np.bincount(need_at, weights=policy_after,
                                                    minlength=n_p)
    if problem.committed is not None:   # a later column: last, so positions stay
        out["committed_workers"] = np.bincount(need_at, weights=problem.committed,
                                               minlength=n_p)
    return out
