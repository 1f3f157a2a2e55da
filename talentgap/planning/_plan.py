"""The result of a quota allocation: :class:`QuotaPlan`, and building it from places.

Every rule (the optimised LP, its integer versions, the proportional rule)
ends in a vector of places; :func:`assemble` (places per cell) and
:func:`assemble_network` (places per programme, through a crosswalk) turn it
into the plan's tables, its marginal values and the binding constraints in
words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from talentgap._words import percentile_words
from talentgap.planning._constraint_sentences import plan_sentences
from talentgap.planning._constraints import ConstraintRows, empty_constraints
from talentgap.planning._crosswalk import Network
from talentgap.planning._params import cell_names, fmt, plural
from talentgap.planning._plan_words import (
    PAID_ELSEWHERE,
    below_one_place,
    objective_basis,
    shortfall_basis,
    shortfall_note,
    shortfall_words,
)
from talentgap.planning._problem import Problem
from talentgap.planning._solve import PLACE_TOL, VALUE_TOL

__all__ = ["PAID_ELSEWHERE", "QuotaPlan", "arrival_label", "assemble", "assemble_network",
           "below_one_place", "constraint_rows", "cost_per_certified", "objective_basis",
           "plan_label", "shortfall_basis", "shortfall_note", "shortfall_words", "words_later"]

_CELL_COLUMNS = ["expected_certified", "planned_gap", "gap_before", "gap_after",
                 "shortfall_before", "shortfall_after", "shortage_reduction"]
_MAX_SHOWN = 5


@dataclass(frozen=True, repr=False)
class QuotaPlan:
    """A training plan: places per cell (or programme), its cost and the shortfall it leaves.

    Attributes
    ----------
    quotas : pandas.DataFrame
        One row per decision: per cell, or per programme when a crosswalk
        was given.

        *Per cell*: the key columns, ``period`` (the cohort's period),
        ``arrival_period`` (``period + lead_time``, the gap it is scored on),
        ``quota`` (places; integers unless ``integer="none"``), ``cost``,
        ``expected_certified`` (``quota * pass_rate * absorption``),
        ``planned_gap`` (the gap the plan was optimised against: the expected
        gap, or its quantile), ``gap_before`` / ``gap_after`` (expected gap
        without / with the plan; negative = surplus), ``shortfall_before`` /
        ``shortfall_after`` (unmet gap: from sample paths the expected
        shortfall, the mean of ``max(gap, 0)`` over the scenarios; from a
        forecast table the shortfall of the expected gap, ``max(E[gap], 0)``,
        as ``summary["shortfall_basis"]`` says), ``shortage_reduction`` (their difference), the
        parameters used (``cost_per_trainee``, ``pass_rate``, ``absorption``,
        ``cost_per_certified``, ``min_quota``, ``capacity``) and
        ``capacity_value`` (objective removed per extra place of capacity; 0
        where capacity does not bind). ``cost_per_certified`` is
        ``cost_per_trainee / (pass_rate * absorption)``: ``inf`` where no
        place certifies a worker who stays but places cost money, NaN where
        they also cost nothing.

        *Per programme* (with a crosswalk): ``program`` and the forecast's
        keys other than ``industry`` (e.g. ``region``), ``period``,
        ``arrival_period``, ``quota``, ``cost``, ``expected_certified``
        (certified graduates who stay in the forecast's cells:
        ``quota * pass_rate * share_in_forecast * absorption``), ``feeds``
        (the industries fed and their shares, e.g. ``"textiles 60%,
        construction 40%"``), ``cost_per_trainee``, ``pass_rate``,
        ``absorption`` (share-weighted over the industries fed),
        ``share_in_forecast`` (share of the graduates going to cells of the
        forecast; below 1 when the crosswalk names industries the forecast
        lacks), ``cost_per_certified``, ``min_quota``, ``capacity`` and
        ``capacity_value``. The gaps are in :attr:`cells`.
    cells : pandas.DataFrame
        One row per cell of the gap forecast at the period the plan's
        trainees arrive in (a cell fed by programmes of different lead times
        has one row per arrival period): the cell keys, ``arrival_period``,
        ``places`` (training places serving the cell: its quota, or with a
        crosswalk the programmes' places times their share going to the
        cell), ``expected_certified`` (certified workers who arrive and
        stay), ``planned_gap``, ``gap_before``, ``gap_after``,
        ``shortfall_before``, ``shortfall_after``, ``shortage_reduction`` and,
        with a crosswalk, ``fed_by`` (the programmes feeding the cell; ``""``
        for a cell no programme feeds, which gets no supply).
    summary : pandas.Series
        ``rule``, ``risk``, ``quantile``, ``integer``, ``period`` (when the
        places are funded and trained), ``arrival_period`` (when they count:
        ``period + lead_time``, the period whose gap the plan closes and the
        shortfalls below are of; with lead times that differ by cell, the
        arrival periods in order, ``", "``-separated), ``cells``
        (rows of :attr:`cells`),
        ``source`` (``"forecast"`` or ``"samples"``: which input form was read),
        ``scenarios`` (most samples of a cell; 1 for a forecast table),
        ``budget``, ``total_cost`` (never above ``budget``), ``budget_left``,
        ``budget_used`` (share, 0-1), ``places``, ``expected_certified``,
        ``shortfall_before``, ``shortfall_after``,
        ``shortage_reduction``, ``shortfall_basis`` (which shortfall these
        are: ``"shortfall of the expected gap"`` from a forecast table,
        ``"expected shortfall (mean over N scenarios)"`` from sample paths;
        see :func:`shortfall_basis`), ``surplus_before`` and ``surplus_after``
        (expected workers beyond the market need, ``E[max(x - g, 0)]``, without
        and with the plan: both include the surplus of cells whose gap may be
        negative without any plan, so the plan's own addition is their
        difference), ``objective`` (the planning
        objective of this plan: the sum over the cells of what
        ``objective_basis`` names, e.g. ``"expected shortfall"`` or, with
        ``risk="quantile"``, ``"shortfall against the 90th-percentile gap"``,
        plus ``surplus_penalty`` x the surplus beyond that gap; see
        :func:`objective_basis`) and ``lp_objective`` (the optimum of the LP
        relaxation; NaN for rules without an LP). With a crosswalk also
        ``programmes`` (rows of :attr:`quotas`) and ``unsupplied_cells``
        (cells no programme feeds). Shortfalls are summed over all cells,
        fed or not.
    marginal_value : pandas.Series
        Objective removed per unit increase of a constraint's limit (the LP
        duals): ``"budget"`` (per unit of money), ``"capacity[<name>]"`` (per
        place) for each binding capacity and ``"min_quota[<name>]"`` (per
        place, <= 0) for each binding minimum, where ``<name>`` is a cell
        (``"textiles in Northvale"``) or a programme (``"CNC machining in
        Northvale"``). With ``surplus_penalty=0`` and ``risk="expected"`` the
        objective is the expected shortfall.
    binding : list of str
        Which constraints bind, in words; with a crosswalk also which cells
        no programme feeds. The same list as ``constraints["sentence"]``;
        both are worded on their first read, so plans that are only compared
        by their numbers (a budget curve's) cost no wording.
    keys : tuple of str
        The key columns of :attr:`quotas` (the cell keys, or ``program``
        and the location keys).
    rule : str
        ``"optimised"`` or ``"proportional"``.
    label : str
        A short description of the rule, used by :func:`compare_plans`.
    cell_keys : tuple of str
        The key columns of :attr:`cells` (the gap forecast's keys).
    years : pandas.DataFrame
        Multi-year plans (``periods=``) only, else empty: one row per
        funding or need period with ``places`` and ``cost`` funded in it,
        its ``budget`` (NaN unless budgets are per period), ``workers``
        from the plan present in it and the shortfalls before and after.
    notes : list of str
        Remarks on the plan: first which shortfall its figures are (as
        ``summary["shortfall_basis"]``), then how it was chosen, e.g. that
        the optimum was not unique and how the tie was decided.
    constraints : pandas.DataFrame
        The constraints of :attr:`binding` as a table, one row per sentence
        in the same order: ``kind`` (``"budget"``, ``"capacity"``,
        ``"min_quota"``; multi-year plans also ``"budget_envelope"``,
        ``"capacity_group"`` and ``"equity"``; programme plans
        ``"unsupplied_cells"`` for the cells no programme feeds), ``name``
        (as :attr:`marginal_value` names it, e.g. ``"budget[2026]"`` or
        ``"capacity[textiles in Northvale]"``), ``words`` (the constraint in
        words, e.g. ``"capacity of textiles in Northvale"``), ``binds``
        (bool), ``limit`` (the budget, capacity, minimum quota or, for an
        equity rule, the shortfall it must remove), ``used`` (money spent or
        places funded against the limit; for an equity rule the weighted
        shortfall the plan removes in its cells, summed over the need periods
        as the rule counts it: at least ``limit``, equal to it where the rule
        binds and places are continuous; NaN where not known), ``unit``
        (``"money"``, ``"places"`` or ``"shortfall"``), ``value``,
        ``objective`` (what ``value`` is measured in, e.g. ``"expected
        shortfall"``) and ``sentence`` (the line of :attr:`binding`).
        ``value`` is the objective removed per unit increase of the limit,
        the :attr:`marginal_value` entry of ``name``: positive for budgets
        and capacities, negative for minimum quotas and equity rules (raising
        those adds ``-value`` to the objective per required place or worker
        of shortfall), 0 for a budget that does not bind and NaN where the
        rule has no LP (the proportional rule) or the row is no constraint.

    Examples
    --------
    A plan is what :func:`~talentgap.planning.allocate_quotas` returns. Here
    robotics certifies a worker for 150 and textiles for 200 (100 a place,
    half pass), so robotics is served first:

    >>> import pandas as pd
    >>> from talentgap.planning import allocate_quotas
    >>> needs = pd.DataFrame({"region": "Northvale", "industry": ["textiles", "robotics"],
    ...                       "period": "2026", "gap": [300.0, 100.0]})
    >>> trades = pd.DataFrame({"industry": ["textiles", "robotics"],
    ...                        "cost_per_trainee": [100.0, 150.0], "pass_rate": [0.5, 1.0]})
    >>> plan = allocate_quotas(needs, budget=20_000,
    ...                        cost_per_trainee=trades[["industry", "cost_per_trainee"]],
    ...                        pass_rate=trades[["industry", "pass_rate"]])
    >>> plan
    QuotaPlan(label='optimised', cells=2, places=150, cost=20,000 of 20,000, shortfall 400 -> 275)
    >>> plan.quotas[["industry", "quota", "cost", "cost_per_certified", "gap_after"]]
       industry  quota     cost  cost_per_certified  gap_after
    0  robotics    100  15000.0               150.0        0.0
    1  textiles     50   5000.0               200.0      275.0
    >>> plan.summary[["total_cost", "shortfall_before", "shortfall_after"]].tolist()
    [20000.0, 400.0, 275.0]

    The budget binds: another 100 would fund one more textiles place and
    remove half a person of shortfall.

    >>> float(plan.marginal_value["budget"])
    0.005
    >>> plan.constraints[["kind", "binds", "limit", "used"]]
         kind  binds    limit     used
    0  budget   True  20000.0  20000.0
    """

    quotas: pd.DataFrame
    summary: pd.Series
    marginal_value: pd.Series
    binding: list[str] = field(default_factory=list)
    keys: tuple[str, ...] = ("region", "industry")
    rule: str = "optimised"
    label: str = "optimised"
    cells: pd.DataFrame = field(default_factory=pd.DataFrame)
    cell_keys: tuple[str, ...] = ("region", "industry")
    years: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    constraints: pd.DataFrame = field(default_factory=empty_constraints)

    def __repr__(self) -> str:
        s = self.summary
        what = (f"programmes={s['programmes']}, cells={s['cells']}" if "programmes" in s
                else f"cells={s['cells']}")
        return (
            f"QuotaPlan(label={self.label!r}, {what}, places={fmt(s['places'])}, "
            f"cost={fmt(s['total_cost'])} of {fmt(s['budget'])}, "
            f"shortfall {fmt(s['shortfall_before'])} -> {fmt(s['shortfall_after'])})"
        )


class _WordedOnRead:
    """:attr:`QuotaPlan.binding` and :attr:`QuotaPlan.constraints`, worded on first read.

    A plan builder leaves the sentences blank (:func:`words_later`); the first
    read of either attribute fills both with
    :func:`~talentgap.planning._constraint_sentences.plan_sentences`, so code
    that reads only numbers (the budget curve's grid of plans,
    :func:`constraint_rows`) words nothing.
    """

    def __init__(self, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, plan, owner=None):
        if plan is None:
            return self
        state = vars(plan)
        if state.pop("_unworded", False):   # off first: the wording reads the plain table
            try:
                lines = plan_sentences(plan)
            except BaseException:
                state["_unworded"] = True
                raise
            state["_constraints"] = state["_constraints"].assign(sentence=lines)
            state["_binding"] = lines
        return state[self.slot]

    def __set__(self, plan, value) -> None:
        vars(plan)[self.slot] = value


QuotaPlan.binding = _WordedOnRead("binding")
QuotaPlan.constraints = _WordedOnRead("constraints")


def words_later(plan: QuotaPlan) -> QuotaPlan:
    """``plan``, its :attr:`~QuotaPlan.binding` and ``constraints["sentence"]`` to be worded
    anew (:func:`~talentgap.planning._constraint_sentences.plan_sentences`) on first read."""
    vars(plan)["_unworded"] = True
    return plan


def constraint_rows(plan: QuotaPlan) -> pd.DataFrame:
    """:attr:`QuotaPlan.constraints` without wording it: its ``sentence`` may still be blank.

    For code that reads only the numbers (``kind``, ``name``, ``binds``,
    ``period``, ...) of many plans, as :func:`~talentgap.planning.budget_curve` does.
    """
    return vars(plan)["_constraints"]


# --------------------------------------------------------------------------- assembling


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
