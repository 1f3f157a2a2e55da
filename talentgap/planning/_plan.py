"""The result of a quota allocation: :class:`QuotaPlan`, worded on first read.

Every rule (the optimised LP, its integer versions, the proportional rule)
ends in a :class:`QuotaPlan`, built from its places by
:mod:`talentgap.planning._plan_tables` (one period) or
:mod:`talentgap.planning._multiyear_tables` (several funding periods). Its
binding constraints in words are written on their first read
(:func:`words_later`); :func:`constraint_rows` reads the numbers without them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from talentgap.planning._constraint_sentences import plan_sentences
from talentgap.planning._constraints import empty_constraints
from talentgap.planning._params import fmt
from talentgap.planning._plan_words import (
    PAID_ELSEWHERE,
    below_one_place,
    objective_basis,
    shortfall_basis,
    shortfall_note,
    shortfall_words,
)

__all__ = ["PAID_ELSEWHERE", "QuotaPlan", "below_one_place", "constraint_rows",
           "objective_basis", "shortfall_basis", "shortfall_note", "shortfall_words",
           "words_later"]


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
