"""One training plan over several funding periods: places that keep serving while they stay.

:func:`allocate_multiyear` is what :func:`~talentgap.planning.allocate_quotas`
runs when it is given ``periods=``. Decision ``q[c, s] >= 0``: places funded
in cell ``c`` in funding period ``s``. They certify ``L_c`` periods later
(the lead time), each yielding ``y_c = p_c a_c`` workers (pass rate x
absorption), of whom a share ``1 - e_c`` stays each further period (``e_c``
the exit rate: retirement, mortality, leaving the trade). Workers present in
need period ``t`` from the plan::

    W[c, t] = sum_{s : s + L_c <= t} y_c q[c, s] (1 - e_c)^(t - s - L_c)

Needs per cell and need period: the **market need** ``N[c, t, k]`` (the
forecast gap, ``k = 1..K`` its scenarios) and, optionally, the **policy
need** ``P[c, t]`` (workers short of a policy target, deterministic). The
plan minimises the weighted expected shortfall summed over cell-periods::

    minimise   sum_{c,t} w_m[c] (1/K) sum_k max(N[c,t,k] - W[c,t], 0)
             + sum_{c,t} w_p[c] max(P[c,t] - W[c,t], 0)
    subject to sum_c cost_cs q[c, s] <= B_s           (each budget row)
               sum_{c in e} cost_cs q[c, s] <= B_e    (budget envelopes)
               sum_{c in g} q[c, s] <= C_g            (shared capacity groups)
               sum_{c in g} q[c, s] >= M_g            (their min_places, if given)
               removed shortfall of region r >= share_r x its shortfall  (equity)
               min_cs <= q[c, s] <= cap_cs

(cost, minimum and capacity are per cell, or per cell and funding period
when given as tables with a ``period`` column).

With ``surplus_penalty = lam > 0`` the objective also charges
``lam w_m[c] (1/K) sum_k max(W[c,t] - N[c,t,k], 0)`` per cell-period: the
plan's workers beyond the market need (none for the policy need). Since
``max(W - N, 0) = max(N - W, 0) + W - N`` this is the market shortfall with
weight ``(1 + lam) w_m`` plus a cost per place of ``lam`` x its
market-weighted workers over the need periods, less the constant
``lam sum w_m mean_k N`` (added back to every objective reported). A
penalised plan takes the same routes as one without a penalty (the per-cell
guide and the route by classes below carry the steeper pieces and the cost
per place); its rounding prices places by the penalised objective, and with
equity rules whole places come from the integer program.

The same workers count against both needs: a certified worker who takes a
vacant post also raises the skilled stock; a policy need with ``per_worker``
``r_c`` counts ``r_c W[c, t]`` (held as need ``P / r_c`` at weight
``w_p r_c`` in the unit of ``W``). Each shortfall term is convex and
piecewise linear in ``W[c, t]``, which is linear in ``q``; the program
(:mod:`talentgap.planning._multiyear_program`) holds one bounded variable per
linear piece and one row per cell-period and need, and is solved by HiGHS
(:mod:`talentgap.planning._multiyear_lp`).
Large programs are first solved with runs of consecutive pieces merged into
one column (the chord of the shortfall over the run, which lies above it);
after each solve the reduced costs of every piece (and the tightness of every
row with a dual) are checked against the exact program, and only the runs
around each cell-period's optimum, or holding a piece the check rejects, are
cut shorter, until the check passes: the solution and duals are then the
exact program's. When the plan has no per-cell minimums or capacities, no
policy need and no equity rule, the second solve is cut around each cell's
own optimum at the first solve's prices on the coupling rows (budgets,
envelopes, capacity groups), found for every cell at once by
:mod:`talentgap.planning._multiyear_cells`.
Large plans of that form (a policy need allowed) whose cells fall into
classes that share costs, pass rates, exit rates, weights and coupling rows
are solved exactly as a merged plan with one cell per class
(:mod:`talentgap.planning._multiyear_classes`), and their ties decided by
the same rule (:mod:`talentgap.planning._multiyear_class_ties`).
With one funding period, one need period, ``e = 0`` and no policy need it is
the single-period program of :mod:`talentgap.planning.quotas`.

Programmes
----------
With a crosswalk the decision is ``q[u, s]``: places of programme ``u`` (a
``program`` in a location, as in single-period programme plans) funded in
``s``. Its graduates join each cell ``c`` it feeds with the crosswalk share
``sigma_uc`` and the flow's absorption ``a_uc``, and leave at the cell's
exit rate::

    W[c, t] = sum_{u, s : s + L_u <= t} sigma_uc a_uc p_u q[u, s] (1 - e_c)^(t - s - L_u)

Cost, pass rate, lead time, minimum and capacity are per programme;
budgets, envelopes and shared capacity groups are rows over programmes,
needs, weights and equity rules stay per cell. The per-cell shortcut of
the second round does not apply; the tie rule's need of a programme is the
share-weighted need of the cells it feeds at its arrival, and rounding
prices a programme's place by the shortfall it removes in every cell it
serves.

Least cost
----------
When the money is not all needed, many plans leave the same weighted
shortfall (places funded years early, or more places than any need, where
every such plan already meets the needs). A cost stage keeps the objective
within ``tie_tolerance`` of the optimum (with the default, on the optimal
face) and every constraint, and minimises the money spent; the tie rule below
then chooses among the plans that spend no more
(:mod:`talentgap.planning._multiyear_cost`). The order is lexicographic, so
the shortfall optimum cannot move, and the reported duals stay those of the
shortfall problem. It is skipped when a budget over every funding period (or
each period's own) binds, since every optimal plan then spends it.

Ties
----
When several plans reach the optimum (every cell short with the same value
per unit of money) a second stage keeps the objective within
``tie_tolerance`` x (the weighted shortfall with no plan) of the optimum and,
among those plans, picks the one closest in total absolute places to
spreading each funding period's money in proportion to need (the weighted
expected need in the period the places arrive). ``summary["optimum_unique"]``
is False, and :attr:`~talentgap.planning.QuotaPlan.notes` says so, when this
moved places. For continuous places the second stage holds only what can
move at no cost: a piece or a place whose reduced cost in the first stage
is not zero stays where the first stage put it (it could move by at most
the tolerance divided by that cost). With the default tolerance the rows
whose dual is not zero also stay tight (every optimal plan keeps them so),
which leaves a small program over the places that can still move
(:mod:`talentgap.planning._multiyear_ties`).

When the money is not all needed, places whose workers would come on top of
the largest need of every period they serve change nothing in the objective
either; after the tie rule (and rounding) they are taken out, latest funding
period first, and the notes say how many
(:mod:`talentgap.planning._trim`).

Whole places
------------
``integer="round"`` (the default) starts from the continuous plan after the
tie stage and floors every ``q[c, s]`` (minimum quotas were rounded up and
capacities down to whole places first). Flooring keeps every budget,
envelope and capacity row; if it breaks an equity rule, the places of that
rule's cells are rounded up instead and the money is taken back, least
shortfall lost first, from cells whose rules can spare it. Then whole places
are added in rounds: every place that still fits is priced by the weighted
expected shortfall it removes over the need periods it serves, divided by
what it takes from the binding rows at their values per unit in the
continuous plan (for one budget row: the shortfall removed per unit of
money, the single-period rule). Each cell offers its next few places in the
order adding one at a time would take them, and the cells' places are taken
best first while they fit and while no cell already served would have a
better next place, which is (nearly always) what adding one place at a time
would do; a round is a few vectorised passes over the candidates, and a
plan takes about ten rounds. The result keeps every constraint,
removes no less shortfall than the floored plan and, on small random plans,
stays within 1% of the shortfall with no plan of the integer optimum
(usually much closer). If no rounding keeps an equity rule, the integer
program is solved instead (``integer="exact"``).

``integer="exact"`` solves the integer program by branch and bound to a
relative gap of 1e-4 or for at most ``time_limit`` seconds; stopped by the
limit it keeps the best whole plan found (a warning and a note give its gap;
the cost and tie stages are then skipped), or rounds the continuous plan if
it found none.
"""

from __future__ import annotations

import logging
import time

import pandas as pd

from talentgap.planning._multiyear_problem import build_years_problem
from talentgap.planning._multiyear_stages import plan_years
from talentgap.planning._plan import QuotaPlan
from talentgap.planning._solve import DEFAULT_TIME_LIMIT

__all__ = ["allocate_multiyear", "DEFAULT_EXIT_RATE", "DEFAULT_TIE_TOLERANCE"]

logger = logging.getLogger(__name__)

#: Share of a cell's certified workers who leave it per year (the skilled-stock
#: projection's default, see :func:`talentgap.planning.workforce.project_skilled_stock`).
DEFAULT_EXIT_RATE = 0.03
#: Objective the tie rule may give up, as a share of the weighted shortfall with no plan.
DEFAULT_TIE_TOLERANCE = 1e-9


def allocate_multiyear(
    needs: pd.DataFrame,
    *,
    periods,
    budget,
    cost_per_trainee,
    pass_rate,
    absorption=1.0,
    capacity=None,
    min_quota=0,
    lead_time=0,
    exit_rate=DEFAULT_EXIT_RATE,
    risk: str = "expected",
    quantile: float | None = None,
    surplus_penalty: float = 0.0,
    integer: str = "round",
    keys=("region", "industry"),
    value: str = "gap",
    total_budget: float | None = None,
    policy_need: pd.DataFrame | None = None,
    need_weights=None,
    capacity_groups: pd.DataFrame | None = None,
    budget_envelopes: pd.DataFrame | None = None,
    equity=None,
    tie_tolerance: float = DEFAULT_TIE_TOLERANCE,
    crosswalk: pd.DataFrame | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    min_class_size=None,
    committed: pd.DataFrame | None = None,
) -> QuotaPlan:
    """Places per cell and funding period that minimise the weighted expected shortfall.

    Called by :func:`~talentgap.planning.allocate_quotas` when ``periods=``
    is given; the parameters shared with it mean the same (see there), per
    cell (or programme) and the same in every funding period, except that
    ``cost_per_trainee``, ``capacity``, ``min_quota`` and ``min_class_size``
    may change by funding period. The model is in
    :mod:`talentgap.planning.multiyear`.

    Parameters
    ----------
    needs : pandas.DataFrame
        The market need: a forecast table (``<keys...>, period, gap``) or
        sample paths (``<keys...>, period, sample, gap``) with every cell
        at every period. Its periods are the **need periods**: shortfalls
        are counted there and summed.
    periods : sequence of period labels
        The funding periods, e.g. ``[2026, 2027]``, in the needs table's
        frequency. Places funded in ``s`` arrive in ``s + lead_time``;
        places that arrive after the last need period count for nothing.
    budget : float or pandas.DataFrame
        One number for the whole plan, or a table ``period, budget`` with
        one row per funding period (money per period).
    cost_per_trainee, capacity, min_quota : float or pandas.DataFrame
        One number, a per-cell table (key columns and the value), or a
        table with a ``period`` column as well: one row per cell (or
        programme) and funding period, every pair exactly once; key columns
        may be a subset of the keys (``industry, period, capacity``) or
        none (``period, cost_per_trainee``: the same for every cell). A
        place funded in ``s`` costs that period's cost in every budget row
        and envelope; ``.quotas`` shows each row's own values.
    exit_rate : float or pandas.DataFrame, default 0.03
        Share of a cell's certified workers who leave it per year, in
        [0, 1] (the skilled-stock projection's default). For quarterly
        (monthly) periods the per-period rate is ``1 - (1 - e) ** (1 / 4)``
        (``1 / 12``).
    risk, quantile
        As for :func:`~talentgap.planning.allocate_quotas`; a quantile plan
        counts each cell-period's quantile gap as its market need.
    surplus_penalty : float, default 0.0
        Weight, >= 0, of the expected workers the plan adds beyond the market
        need of each need period (``max(W - N, 0)`` per cell-period and
        scenario), relative to one worker of shortfall of the same cell: it
        is multiplied by the cell's market weight. The policy need has no
        surplus term. ``summary["objective"]`` then includes it, the
        budget values are net of it, and shortfalls are still reported
        without it (see "Surplus penalty" in the methods page).
    integer : {"round", "exact", "none"}, default "round"
        Whole places by rounding the continuous plan (see "Whole places" in
        :mod:`talentgap.planning.multiyear`), whole places by branch and
        bound (:func:`scipy.optimize.milp`, to a relative gap of 1e-4 of
        the objective, within ``time_limit``), or continuous places. Whole
        plans report the duals of the continuous program.
    time_limit : float or None, default 60
        Seconds the integer programs of ``integer="exact"`` may take (None:
        no limit); the cost and tie stages share what the first leaves (at
        least a tenth each). At the limit the plan is the best whole plan
        found, not proven optimal (a
        :class:`~talentgap.errors.DataQualityWarning` and a note give its
        relative gap), or, if none was found, the rounded plan
        (``summary["integer"]`` is then ``"round"``).
    crosswalk : pandas.DataFrame, optional
        ``program, industry, share`` (optionally by region), as for
        :func:`~talentgap.planning.allocate_quotas`: places are then planned
        per programme, region and funding period (see "Programmes" in
        :mod:`talentgap.planning.multiyear`). ``cost_per_trainee``,
        ``pass_rate``, ``lead_time``, ``min_quota`` and ``capacity`` are per
        programme, ``absorption`` per programme-industry flow, ``exit_rate``
        per cell; ``capacity_groups`` and ``budget_envelopes`` name
        programmes by ``program`` and/or the location keys.
    min_class_size : float or pandas.DataFrame, optional
        The smallest class that can run: each cell (or programme) and
        funding period gets no places or at least this many (and at most its
        capacity). One number, or a table as for ``capacity`` (cells without
        a row have no minimum class; a ``period`` column sets it per funding
        period). A cell-period with ``min_quota`` above 0 always runs, so its
        minimum is at least the class size. ``integer="exact"`` decides which
        classes run in the integer program; the other settings decide from
        the continuous plan (see "Minimum class size" in the methods page,
        docs/methods.md). None (the default): no rule.
    total_budget : float, optional
        With a per-period budget table, a cap on the plan's total as well.
    policy_need : pandas.DataFrame, optional
        ``<keys...>, period, policy_need``: workers short of a policy target
        per cell and need period (persons, >= 0), e.g. from the policy
        targets. Cell-periods without a row have no policy need. An
        optional column ``per_worker`` (>= 0, one value per cell, default
        1) gives the policy workers each of a place's workers adds (e.g.
        the high-skilled workers per worker new to the cell, upgrades
        included): the policy need then counts ``per_worker x W``, and
        ``plan.cells`` shows them as ``policy_workers``.
    need_weights : mapping, optional
        ``{"market": w_m, "policy": w_p}``, each a number >= 0 or a per-cell
        table (key columns and a ``market`` / ``policy`` column): the weight
        of one worker of shortfall of that need. Default 1 for both. Weights
        set priorities between cells, too.
    capacity_groups : pandas.DataFrame, optional
        Shared capacity, one row per member: ``group, capacity`` and key
        columns naming the member cells (e.g. ``industry`` alone makes every
        region's cell of that industry a member). ``capacity`` is the places
        per funding period for the whole group, repeated on each of its rows.
        An optional ``min_places`` column (repeated likewise) is the places
        per funding period the whole group must have at least: a minimum per
        group, where ``min_quota`` keyed by ``industry`` gives its minimum to
        each member cell. Either column may be left out (no limit, no
        minimum). A minimum above the group's capacity, above its members'
        capacities or above what a budget allows after the minimum quotas
        raises :class:`~talentgap.errors.PlanningError` naming the group; the
        plan reports a binding minimum as ``capacity_group_min[group,
        period]``, its marginal value negative (the shortfall one more
        required place adds).
    budget_envelopes : pandas.DataFrame, optional
        ``<some keys>, budget`` (e.g. ``region, budget``): money the cells of
        each row may spend over the plan; with a ``period`` column, per
        funding period. Cells without a row are limited by the budget only.
    equity : float or pandas.DataFrame, optional
        A share in [0, 1] (per region), or a table ``<some keys>, share``:
        each group's plan must remove at least that share of its weighted
        expected shortfall over the need periods.
    tie_tolerance : float, default 1e-9
        In [0, 1): how much of the weighted shortfall with no plan the tie
        rule may give up to move towards a need-proportional plan (see
        "Ties" in :mod:`talentgap.planning.multiyear`). The default decides
        exact ties only (it is the solver's precision); 0.01 also treats
        plans within 1% of that shortfall of the optimum as tied.
    committed : pandas.DataFrame, optional
        Places already funded, e.g. by last year's plan: ``<unit keys...>,
        period, places``, one row per unit and funding period, where the
        unit keys are the cell keys (with a crosswalk ``program`` and the
        location keys) and ``period`` the funding period, at or before the
        plan's first (it may lie before the need periods). Their workers
        reach the cells by the plan's own rules (pass rate, absorption, lead
        time, exits; with a crosswalk through its shares), cost nothing in
        the budgets, envelopes and capacities, and count against every need
        they reach (the market need's scenarios and the policy need) before
        the plan's places: the plan fills what they leave (see "Places
        already funded" in the methods page). The plan's "before" figures
        (``gap_before``, ``shortfall_before``, ``policy_need``,
        ``policy_shortfall_before``) then count them, and
        ``summary["before_plan"]`` says so.

    Returns
    -------
    QuotaPlan
        ``.quotas``: one row per cell x funding period (``<keys...>,
        period, arrival_period, quota, cost, expected_certified,
        worker_periods`` — workers present summed over the need periods —,
        ``need_at_arrival`` and the parameters, with ``capacity_value``);
        with a crosswalk one row per programme x funding period
        (``program, <location keys...>, period, ...``, the parameters
        without ``exit_rate``, and ``feeds``: the industries and shares).
        ``.cells``: one row per cell x need period (``workers``,
        ``gap_before``, ``gap_after``, ``shortfall_before``,
        ``shortfall_after`` and, with a policy need, ``policy_need``,
        ``policy_shortfall_after``, with ``per_worker`` also
        ``policy_workers``; with a crosswalk ``places``, the
        programmes' places arriving in the cell then, times their share, and
        ``fed_by``, the programmes feeding the cell). With a crosswalk
        ``.keys`` are the programme keys and ``.summary["programmes"]``
        counts them. ``.years``: places, cost, budget and
        shortfalls per period. ``.summary``: totals; ``shortfall_*`` is the
        market need's expected shortfall summed over the need cell-periods,
        ``policy_shortfall_*`` the policy need's, ``surplus_after`` the
        expected workers beyond the market need with the plan, summed over
        the need cell-periods (``mean_k max(W - N[k], 0)``): it includes the
        surplus the forecast has without any plan (scenarios where the gap
        is negative), which is ``surplus_before``, so the plan's own
        addition is ``surplus_after - surplus_before``; ``objective`` the weighted
        sum plus ``surplus_penalty`` (also reported) x the weighted surplus
        (``objective_basis`` says which, in words),
        ``optimum_unique`` the tie flag; with ``committed``, ``.cells``
        and ``.years`` have a column ``committed_workers`` (their workers
        present per cell and need period), and ``.summary`` has
        ``committed_places``, ``committed_arriving`` (their certified
        workers arriving in the need periods), ``committed_workers`` (the
        column's sum) and ``before_plan``. ``.marginal_value``: one entry
        per budget row (``"budget"`` or ``"budget[2026]"``, weighted
        shortfall removed per unit of money, net of the surplus penalty),
        then each binding envelope, capacity group, capacity, minimum and
        equity rule. ``.binding``: the
        same in words. ``.notes``: the tie rule, the cost stage (money saved
        among equally good plans), a time limit reached and late funding
        periods.

    Raises
    ------
    PlanningError
        A parameter or table breaks its rule (naming the table, column and
        rows), or the constraints conflict (naming the rows that do, e.g.
        ``budget[2026]`` and ``min_quota[textiles in Northvale, 2026]``).
    SchemaError
        The needs table lacks a column or has missing or duplicate values.

    Examples
    --------
    Two cells, need periods 2026-2028, places funded in 2026 and 2027
    arrive a year later, 10% of workers leave each year, one number for the
    whole budget (7,000 = 70 places). A place in A funded in 2026 serves
    2027 and, at 0.9, 2028; A's 2027 need is only 20, so after 20 places
    the best use of money is A in 2027 (1 worker per 100) over B (0.5
    workers per 100 for 2027 places, 0.5 x 1.9 for 2026 places):

    >>> import pandas as pd
    >>> from talentgap.planning import allocate_quotas
    >>> needs = pd.DataFrame({
    ...     "region": "Northvale", "industry": ["A"] * 3 + ["B"] * 3,
    ...     "period": ["2026", "2027", "2028"] * 2,
    ...     "gap": [30.0, 20.0, 80.0, 20.0, 40.0, 60.0]})
    >>> plan = allocate_quotas(
    ...     needs, periods=[2026, 2027], budget=7_000, cost_per_trainee=100,
    ...     pass_rate=pd.DataFrame({"industry": ["A", "B"], "pass_rate": [1.0, 0.5]}),
    ...     lead_time=1, exit_rate=0.1, integer="none")
    >>> plan.quotas.round({"quota": 6})[["industry", "period", "quota"]]
      industry period  quota
    0        A   2026   20.0
    1        A   2027   50.0
    2        B   2026    0.0
    3        B   2027    0.0
    >>> plan.summary[["shortfall_before", "shortfall_after"]].astype(float).round(6).tolist()
    [250.0, 162.0]
    >>> round(float(plan.marginal_value["budget"]), 6)   # one more unit: 1 / 100 worker
    0.01

    Costs may change by funding period. If a place in A costs 200 in 2027,
    A in 2027 removes 1 worker per 200: after A's 20 places of 2026 the
    money buys places in B in 2026 instead (0.95 workers per 100):

    >>> cost = pd.DataFrame({"industry": ["A", "A", "B", "B"],
    ...                      "period": [2026, 2027, 2026, 2027],
    ...                      "cost_per_trainee": [100.0, 200.0, 100.0, 100.0]})
    >>> plan = allocate_quotas(
    ...     needs, periods=[2026, 2027], budget=7_000, cost_per_trainee=cost,
    ...     pass_rate=pd.DataFrame({"industry": ["A", "B"], "pass_rate": [1.0, 0.5]}),
    ...     lead_time=1, exit_rate=0.1, integer="none")
    >>> plan.quotas.round({"quota": 6})[["industry", "period", "quota", "cost_per_trainee"]]
      industry period  quota  cost_per_trainee
    0        A   2026   20.0             100.0
    1        A   2027    0.0             200.0
    2        B   2026   50.0             100.0
    3        B   2027    0.0             100.0

    One programme sends half its graduates to A and half to B; 20% leave
    each year and each year's budget buys 10 places. Places of 2026 give A
    and B 5 workers in 2026 and 4 in 2027, those of 2027 five more in 2027.
    One more unit of 2026 money removes 0.5 / 100 (A in 2026) + 0.4 / 100
    (B in 2027; A's 2027 need of 8 is met):

    >>> needs = pd.DataFrame({"region": "Northvale", "industry": ["A", "A", "B", "B"],
    ...                       "period": ["2026", "2027"] * 2, "gap": [10.0, 8.0, 0.0, 20.0]})
    >>> crosswalk = pd.DataFrame({"program": "welding", "industry": ["A", "B"],
    ...                           "share": [0.5, 0.5]})
    >>> plan = allocate_quotas(
    ...     needs, periods=[2026, 2027], crosswalk=crosswalk, cost_per_trainee=100,
    ...     budget=pd.DataFrame({"period": [2026, 2027], "budget": [1_000.0, 1_000.0]}),
    ...     pass_rate=1.0, exit_rate=0.2, integer="none")
    >>> plan.quotas.round({"quota": 6})[["program", "period", "quota", "feeds"]]
       program period  quota         feeds
    0  welding   2026   10.0  A 50%, B 50%
    1  welding   2027   10.0  A 50%, B 50%
    >>> plan.summary[["shortfall_before", "shortfall_after"]].astype(float).round(6).tolist()
    [38.0, 16.0]
    >>> plan.marginal_value.round(6).to_dict()
    {'budget[2026]': 0.009, 'budget[2027]': 0.005}

    A surplus penalty: one cell needs 4 workers in 2026 and 10 in 2027, and
    places stay. Without the penalty every plan with 4 to 10 places in 2026
    and the rest in 2027 meets both needs; with it only 4 and 6 leave no
    worker beyond the need:

    >>> needs = pd.DataFrame({"region": "Northvale", "industry": "A",
    ...                       "period": ["2026", "2027"], "gap": [4.0, 10.0]})
    >>> plan = allocate_quotas(needs, periods=[2026, 2027], budget=10_000,
    ...                        cost_per_trainee=100, pass_rate=1.0, exit_rate=0.0,
    ...                        surplus_penalty=0.5)
    >>> plan.quotas["quota"].tolist()
    [4, 6]
    >>> plan.summary[["surplus_after", "surplus_penalty", "objective"]].tolist()
    [0.0, 0.5, 0.0]

    Places already funded: last year's plan paid for 100 places in 2025
    that certify in 2026 (lead time 1), 40 workers at a yield of 0.4, of whom
    36 are still there in 2027 (10% leave a year). They count before the
    plan's places, which fund only what remains of 2027's need (64 workers,
    160 places); 2026's need is out of the plan's reach either way:

    >>> needs = pd.DataFrame({"region": "Northvale", "industry": "A",
    ...                       "period": ["2026", "2027"], "gap": [50.0, 100.0]})
    >>> done = pd.DataFrame({"region": "Northvale", "industry": "A", "period": [2025],
    ...                      "places": [100]})
    >>> plan = allocate_quotas(needs, periods=[2026], budget=1e6, cost_per_trainee=100,
    ...                        pass_rate=0.5, absorption=0.8, lead_time=1, exit_rate=0.1,
    ...                        committed=done)
    >>> plan.quotas["quota"].tolist()
    [160]
    >>> plan.cells[["period", "committed_workers", "shortfall_before", "shortfall_after"]]
      period  committed_workers  shortfall_before  shortfall_after
    0   2026               40.0              10.0             10.0
    1   2027               36.0              64.0              0.0
    """
    clock = [time.perf_counter()]

    def lap(stage: str) -> None:
        clock.append(time.perf_counter())
        logger.debug("multi-year plan: %s took %.3f s", stage, clock[-1] - clock[-2])

    problem = build_years_problem(
        needs, periods=periods, keys=keys, value=value, budget=budget,
        total_budget=total_budget, cost_per_trainee=cost_per_trainee, pass_rate=pass_rate,
        absorption=absorption, capacity=capacity, min_quota=min_quota, lead_time=lead_time,
        exit_rate=exit_rate, risk=risk, quantile=quantile,
        surplus_penalty=surplus_penalty, integer=integer, policy_need=policy_need,
        need_weights=need_weights, capacity_groups=capacity_groups,
        budget_envelopes=budget_envelopes, equity=equity, tie_tolerance=tie_tolerance,
        crosswalk=crosswalk, time_limit=time_limit, min_class_size=min_class_size,
        committed=committed,
    )
    lap("reading the inputs")
    return plan_years(problem, clock, lap)
