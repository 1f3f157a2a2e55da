"""Training quotas under a budget: the sample-average-approximation linear program.

Decision ``q_c >= 0``: training places funded in cell ``c``. Each place yields
``y_c = p_c * a_c`` certified workers who stay (pass rate x absorption). With
scenarios ``k = 1..K`` of the gap ``g_ck`` at the period the trainees arrive
in (methods page, docs/methods.md, "Quota allocation")::

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
can bind) instead of ``K`` rows per cell. With one budget row and per-cell
bounds it is a continuous knapsack over convex pieces, solved exactly
without an LP solver (:mod:`talentgap.planning._knapsack`): after the
minimum quotas, every piece is taken in order of shortfall removed per unit
of money until the money ends, the last piece partly. The LP (HiGHS'
interior-point method on sparse matrices, :func:`~talentgap.planning._solve.solve_lp`)
remains for programme plans and as the tests' oracle; the tests also check it
against the literal form above.

Ties
----
When several cells remove the same shortfall per unit of money where the
budget runs out (equal costs, yields and gaps far from closed), every split
of the last money among them is optimal. The plan spreads it in proportion
to the need each still has at that value, so a larger gap never gets fewer
places than a smaller one worth the same per place, and says so:
``summary["optimum_unique"]`` is False and :attr:`QuotaPlan.notes` explains.
Rounding (``integer="round"``) gives the places left after flooring to the
cells with the largest remaining fraction among equally valuable ones.

Duals
-----
``res.ineqlin.marginals`` is the derivative of the minimum with respect to
each right-hand side (<= 0 for these rows). The budget row's, negated, is
the expected shortfall removed per extra unit of budget; a capacity row's,
negated and times ``y_c``, the shortfall removed per extra place of
capacity. The greedy fill gives the same values directly: the budget's is
the shortfall removed per unit of money by the marginal piece (0 when money
is left over), a binding capacity's what its cut piece removes per place
beyond what that place's money removes at the margin. Integer plans report
the duals of their LP relaxation.

Programmes
----------
With a crosswalk (``program, industry, share``) the decision is places per
programme and region, and each cell's certified workers are a sum over the
programmes feeding it. The objective still separates by cell, so the same
delta form applies, with one equality row per cell linking its pieces to
the programmes' places (:mod:`talentgap.planning._network_solve`); the
duals of the bounds on places give the capacity and minimum-quota values.
The crosswalk and the targets (cells at their arrival periods) are read in
:mod:`talentgap.planning._crosswalk`.
"""

from __future__ import annotations

import pandas as pd

from talentgap.errors import DataQualityWarning, PlanningError, warn
from talentgap.planning._crosswalk import build_network
from talentgap.planning._knapsack import solve_knapsack
from talentgap.planning._min_class import class_note
from talentgap.planning._min_class_solve import (
    fixed_classes,
    relaxed_budget_value,
    reported_values,
    settle_classes,
    with_class_row,
)
from talentgap.planning._network_solve import (
    fit_network_budget,
    repair_network,
    round_network,
    solve_network_lp,
    solve_network_milp,
)
from talentgap.planning._params import fmt
from talentgap.planning._plan import QuotaPlan
from talentgap.planning._plan_tables import assemble, assemble_network, plan_label
from talentgap.planning._problem import build_problem
from talentgap.planning._solve import (
    DEFAULT_TIME_LIMIT,
    MIP_GAP,
    check_time_limit,
    fit_budget,
    repair,
    round_places,
    solve_milp,
)
from talentgap.planning._trim import trim_network
from talentgap.planning.multiyear import (
    DEFAULT_EXIT_RATE,
    DEFAULT_TIE_TOLERANCE,
    allocate_multiyear,
)

__all__ = ["QuotaPlan", "allocate_quotas"]

# --------------------------------------------------------------------------- public


def allocate_quotas(
    gap_forecast,
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
    integer: str | None = None,
    keys=("region", "industry"),
    period=None,
    value: str = "gap",
    crosswalk: pd.DataFrame | None = None,
    periods=None,
    exit_rate=None,
    total_budget: float | None = None,
    policy_need: pd.DataFrame | None = None,
    need_weights=None,
    capacity_groups: pd.DataFrame | None = None,
    budget_envelopes: pd.DataFrame | None = None,
    equity=None,
    tie_tolerance: float = DEFAULT_TIE_TOLERANCE,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    min_class_size=None,
    committed: pd.DataFrame | None = None,
) -> QuotaPlan:
    """Allocate training places to cells so the expected unmet gap is smallest for the money.

    With a ``crosswalk`` the places go to training programmes instead, each
    feeding several industries (see "Programmes" below). With ``periods``
    it plans several funding periods at once against the needs of every
    forecast period (see "Multi-year plans" below).

    Solves the sample-average-approximation LP of the methods page
    (docs/methods.md, "Quota allocation"; see :mod:`talentgap.planning.quotas`
    for the formulation and how it is solved) and rounds to whole places.

    Parameters
    ----------
    gap_forecast : pandas.DataFrame or talentgap.models.SamplePaths
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
        (c) **compact sample paths** as ``GapForecaster.sample_paths``
            returns them: read as (b) without building the long table (only
            each cell's paths at the period its trainees arrive in are read;
            ``keys`` must be the paths' key columns).

        The presence of a ``sample`` column selects (b). Other columns are
        ignored. Gaps are in workers (positive = shortage). A cell whose gap
        is missing at every period and in every sample (no demand data: the
        gap model's flag ``no_demand_data``) is left out: it gets no places,
        and a :class:`~talentgap.errors.DataQualityWarning` and a note in
        ``.notes`` name it. A gap missing only at some periods or samples of
        a cell is an error.
    budget : float or pandas.DataFrame
        Money available, >= 0, in the unit of ``cost_per_trainee``. With
        ``periods``, one number for the whole plan or a table
        ``period, budget`` with one row per funding period.
    cost_per_trainee : float or pandas.DataFrame
        Cost of one training place, >= 0. With ``periods``, the cost,
        capacity and minimum may also change by funding period: a table
        with key columns (or none), ``period`` and the value, one row per
        cell (or programme) and funding period, e.g.
        ``pd.DataFrame({"period": [2026, 2027], "cost_per_trainee":
        [100.0, 105.0]})`` for places that cost 5% more in 2027 everywhere.
    pass_rate : float or pandas.DataFrame
        Share of trainees who certify, in (0, 1].
    absorption : float or pandas.DataFrame, default 1.0
        Share of certified trainees who stay and take a job in the cell, in [0, 1].
        Pass the ``absorption`` the gap forecast's panel was built with
        (:func:`talentgap.features.build_panel`): the panel's supply of past
        training and the plan's places then count the same share of
        certified workers. Nothing checks that they agree; a plan at 0.85 on
        a panel at 1.0 counts the past cohorts in full and so understates
        the gap it plans for.
    capacity : float or pandas.DataFrame, optional
        Most places a cell can train (``inf`` or None: no limit); with
        ``periods``, per funding period (also by year, as ``cost_per_trainee``).
        A table may list only some cells: the others have no limit (a key
        value no cell has, such as a misspelt region, is an error naming the
        closest one).
    min_quota : float or pandas.DataFrame, default 0
        Fewest places per cell; with ``periods``, per funding period (also
        by year, as ``cost_per_trainee``).
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
        With ``periods``, per cell-period against the market need, times the
        cell's market weight (see :mod:`talentgap.planning.multiyear`).
    integer : {"round", "exact", "none"}, optional
        Default ``"round"``, with or without ``periods``.
        ``"round"``: floor the LP places, then add places one at a time where
        the next place removes the most objective per unit cost, while the
        budget allows (never breaks budget, capacity or minimums); with
        ``periods``, the same in batches over funding periods, keeping every
        budget, envelope, capacity group and equity rule (see "Whole places"
        in :mod:`talentgap.planning.multiyear`). ``"exact"``:
        solve the integer program with :func:`scipy.optimize.milp` (it stops
        at a relative gap of 1e-4 of the objective, far below the forecast's
        sampling error, or after ``time_limit`` seconds; slower on large
        problems). ``"none"``: continuous places.
        Minimums round up and capacities down to whole places unless ``"none"``.
    time_limit : float or None, default 60
        Seconds ``integer="exact"`` may spend in branch and bound (None: no
        limit). When they run out the plan is the best whole plan found so
        far, with a :class:`~talentgap.errors.DataQualityWarning` and a note
        giving its relative gap to the bound (not proven optimal); if none
        was found, the rounded plan (``integer="round"``), with a warning.
    min_class_size : float or pandas.DataFrame, optional
        The smallest class that can run: each cell gets no places or at
        least this many (and at most its capacity); with ``periods``, each
        cell and funding period (also by year, as ``capacity``). One number
        or a per-cell table as ``capacity`` (cells without a row have no
        minimum class). A cell with ``min_quota`` above 0 always runs, so
        its minimum is at least the class size. ``integer="exact"`` decides
        which classes run in the integer program (one yes/no decision per
        cell); the other settings decide from the LP, closing the classes
        worth less per place than the money they take and raising the others
        to a full class (see "Minimum class size" in the methods page);
        ``.notes`` say how many. Not with a crosswalk unless ``periods`` is
        given. None (the default): no rule.
    keys : sequence of str, default ("region", "industry")
        The cell key columns of ``gap_forecast`` and of any per-cell table.
    period : str or pandas.Period, optional
        The cohort's period. Default: the last period of ``gap_forecast``
        minus the largest lead time, so that (with ``lead_time=0``) the plan
        targets the last forecast period.
    value : str, default "gap"
        The column holding the gap (e.g. ``"mean"`` for ``AutoForecaster``
        output, whose intervals ``lo_<L>``/``hi_<L>`` are then recognised).
    crosswalk : pandas.DataFrame, optional
        Columns ``program, industry, share`` (as for
        :func:`talentgap.features.training_supply`), optionally ``region``
        (or another key of the forecast other than ``industry``) when shares
        differ by region: the share of each programme's certified graduates
        going to each industry, >= 0 and summing to 1 per programme (within
        1e-6). Other columns are ignored. Places are then planned per
        programme and region; see "Programmes". With ``periods``, per
        programme, region and funding period; see "Multi-year plans".
    periods : sequence of period labels, optional
        Funding periods, e.g. ``[2026, 2027]``: plan places per cell (or
        programme) and funding period against the needs of every period of
        ``gap_forecast`` (the need periods); ``period`` is then not used.
        See "Multi-year plans".
    exit_rate, total_budget, policy_need, need_weights, capacity_groups, \
budget_envelopes, equity, tie_tolerance, committed
        Multi-year plans only (they need ``periods``): the exit rate per
        year (default 0.03), a cap on the total over per-period budgets,
        a second need ``<keys...>, period, policy_need``, the weights of the
        market and policy needs, shared capacity per group of cells, money
        envelopes per region (or other keys), equity rules, the tie
        tolerance and the places already funded (``<keys...>, period,
        places``, counted before the plan's); see
        :func:`talentgap.planning.multiyear.allocate_multiyear`.

    Returns
    -------
    QuotaPlan
        ``.quotas`` (one row per cell, or per programme and region with a
        crosswalk, or per cell and funding period with ``periods``),
        ``.cells`` (gaps before and after, one row per cell, or per cell and
        need period with ``periods``),
        ``.summary``, ``.marginal_value``, ``.binding``; see
        :class:`QuotaPlan`.

    Raises
    ------
    PlanningError
        If a parameter is out of range (negative cost, a pass rate outside
        (0, 1], a capacity below the minimum quota), a per-cell table misses
        a cell (or programme), the minimum quotas cost more than the budget,
        or a cell has no forecast row for its arrival period. The message
        names the constraint, the cells or programmes and by how much it
        fails.
    SchemaError
        If ``gap_forecast`` lacks a key, ``period`` or gap column, or has
        missing gaps or duplicate rows; or a crosswalk row has a missing
        key, a share that is negative or not a number, or a programme's
        shares do not sum to 1 (as in
        :func:`talentgap.features.training_supply`; naming the rows).

    Warns
    -----
    DataQualityWarning
        With a crosswalk, for crosswalk rows that lead to cells the gap
        forecast does not have (those graduates count for nothing) and
        programmes that feed no cell of the forecast (left out of the plan).

    Notes
    -----
    A per-cell parameter table is a DataFrame with one or more key columns
    (a subset of ``keys``: costs may vary by industry only) and a column
    named like the parameter, e.g. ``industry, cost_per_trainee``.
    ``summary["shortfall_before"]`` and ``["shortfall_after"]`` are always
    measured on the forecast's own scenarios, so plans of different risk
    settings compare on one yardstick; the plan's ``objective`` is on the
    scenarios it optimised. From sample paths they are the *expected
    shortfall* ``E[max(g - c, 0)]`` (the mean over the scenarios); from a
    forecast table, with one expected gap per cell, the *shortfall of the
    expected gap* ``max(E[g] - c, 0)``, which is smaller wherever the gap
    may fall on either side of ``c`` (Jensen's inequality).
    ``summary["shortfall_basis"]`` and the first of ``.notes`` say which, as
    :func:`compare_plans` and the plots do: compare plans of one basis.

    **Programmes.** With a crosswalk the decision is ``q_u`` places per
    programme ``u`` (a ``program`` in a region). A place yields
    ``pass_rate_u * absorption * share`` expected certified workers who stay
    in each industry the programme feeds, in the programme's own region;
    each cell's certified workers are the sum over the programmes feeding
    it, and the LP minimises the same objective as above over the cells
    (:mod:`talentgap.planning._network_solve` has the program). Then
    ``cost_per_trainee``, ``pass_rate``, ``capacity``, ``min_quota`` and
    ``lead_time`` are per programme: scalars or tables keyed by ``program``
    and, optionally, ``region``; ``absorption`` may also be keyed by
    ``industry`` (the share of a programme's graduates who stay in that
    industry). ``.marginal_value`` and ``.binding`` name programmes, e.g.
    ``"capacity[CNC machining in Northvale]"``. Cells no programme feeds
    keep their gap; ``.binding`` says which they are and ``.cells`` shows
    ``fed_by == ""`` for them.

    **Multi-year plans.** With ``periods`` the decision is places per cell
    (or, with a crosswalk, per programme) and funding period. Places funded
    in ``s`` arrive in ``s + lead_time`` and their certified workers stay,
    less ``exit_rate`` a year, through every later need period, so one place
    reduces the shortfall of several periods. A programme's graduates join
    the cells it feeds with the crosswalk shares and leave each at that
    cell's exit rate; budgets, envelopes, capacities, minimums and shared
    capacity groups then apply to programmes (named by ``program`` and the
    location keys), equity rules and needs to cells. The plan minimises the (weighted) expected shortfall summed
    over the cell-periods of ``gap_forecast`` and of ``policy_need``, under
    the budget rows, envelopes, shared capacity groups, capacities,
    minimums and equity rules; ties are decided in favour of the plan
    closest to spreading places in proportion to need, and
    ``summary["optimum_unique"]`` and ``.notes`` say when that happened.
    ``.marginal_value`` has one budget entry per budget row (``"budget"``,
    or ``"budget[2026]"`` per funding period). The model, its outputs and
    an example are in :func:`talentgap.planning.multiyear.allocate_multiyear`.
    With one funding period, one need period, ``exit_rate=0`` and no policy
    need the plan is the single-period plan (with a crosswalk, the
    single-period programme plan).

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
    'capacity of e-commerce in Southvale is reached (30 places); one more place of capacity closes about 0.47 persons of the shortfall of the expected gap, net of what the same money would close in other cells (the budget is fully used, so the money comes from there)'

    Two programmes in one region: welding sends 60% of its graduates to
    construction and 40% to equipment making; machining sends all to
    equipment making. A place costs 100 and everybody certifies, so 8,000
    buys 80 workers, exactly the gap: only 50 welders (30 for construction,
    20 for equipment) and 30 machinists close both cells:

    >>> forecast = pd.DataFrame({"region": "Northvale", "period": "2026",
    ...                          "industry": ["construction", "equipment"],
    ...                          "gap": [30.0, 50.0]})
    >>> crosswalk = pd.DataFrame({
    ...     "program": ["welding", "welding", "machining"],
    ...     "industry": ["construction", "equipment", "equipment"],
    ...     "share": [0.6, 0.4, 1.0]})
    >>> plan = allocate_quotas(forecast, crosswalk=crosswalk, budget=8_000,
    ...                        cost_per_trainee=100, pass_rate=1.0)
    >>> plan.quotas[["program", "quota", "feeds"]]
         program  quota                            feeds
    0  machining     30                    equipment 100%
    1    welding     50  construction 60%, equipment 40%
    >>> plan.cells[["industry", "places", "gap_before", "gap_after"]]
           industry  places  gap_before  gap_after
    0  construction    30.0        30.0        0.0
    1     equipment    50.0        50.0        0.0
    """  # noqa: E501
    if periods is not None:
        return allocate_multiyear(
            gap_forecast, periods=periods, budget=budget, cost_per_trainee=cost_per_trainee,
            pass_rate=pass_rate, absorption=absorption, capacity=capacity,
            min_quota=min_quota, lead_time=lead_time,
            exit_rate=DEFAULT_EXIT_RATE if exit_rate is None else exit_rate, risk=risk,
            quantile=quantile, surplus_penalty=surplus_penalty,
            integer="round" if integer is None else integer, keys=keys, value=value,
            total_budget=total_budget, policy_need=policy_need, need_weights=need_weights,
            capacity_groups=capacity_groups, budget_envelopes=budget_envelopes,
            equity=equity, tie_tolerance=tie_tolerance, crosswalk=crosswalk,
            time_limit=time_limit, min_class_size=min_class_size, committed=committed)
    _single_period_only(exit_rate=exit_rate, total_budget=total_budget,
                        policy_need=policy_need, need_weights=need_weights,
                        capacity_groups=capacity_groups, budget_envelopes=budget_envelopes,
                        equity=equity, committed=committed)
    integer = "round" if integer is None else integer
    if crosswalk is not None:
        if min_class_size is not None:
            raise PlanningError(
                "min_class_size with a crosswalk applies to multi-year programme plans only; "
                "pass periods=, e.g. periods=[2026], or leave min_class_size out")
        return _allocate_programmes(
            gap_forecast, crosswalk, keys=keys, value=value, period=period, budget=budget,
            cost_per_trainee=cost_per_trainee, pass_rate=pass_rate, absorption=absorption,
            capacity=capacity, min_quota=min_quota, lead_time=lead_time, risk=risk,
            quantile=quantile, surplus_penalty=surplus_penalty, integer=integer)
    problem = build_problem(
        gap_forecast, keys=keys, value=value, period=period, budget=budget,
        cost_per_trainee=cost_per_trainee, pass_rate=pass_rate, absorption=absorption,
        capacity=capacity, min_quota=min_quota, lead_time=lead_time, risk=risk,
        quantile=quantile, surplus_penalty=surplus_penalty, integer=integer,
        min_class_size=min_class_size,
    )
    reported, rounds = problem, None   # the caller's bounds; `problem` gets the classes fixed
    if problem.min_class is not None and problem.integer != "exact":
        problem, lp, rounds = settle_classes(problem)
    else:
        lp = solve_knapsack(problem)
    lam = problem.surplus_penalty
    limit = check_time_limit(time_limit)
    whole, mip_note = (solve_milp(problem, time_limit=limit)
                       if problem.integer == "exact" else (None, None))
    if problem.min_class is not None and problem.integer == "exact":
        if whole is not None:   # the LP with the classes as the integer program has them
            problem = fixed_classes(problem, whole)
            lp = solve_knapsack(problem)
        else:
            problem, lp, rounds = settle_classes(problem)
    lp_objective = float(problem.plan.objective(problem.yield_ * lp.places, lam).sum())
    notes = [*problem.notes, *_tie_notes(lp.tied)]
    if mip_note is not None:
        if whole is None:
            mip_note += "; no whole plan was found by then, so the places are rounded instead"
        warn(mip_note, DataQualityWarning, stacklevel=2)
        notes.append(mip_note)
    if problem.min_class is not None:
        notes.append(class_note(problem.min_class, rounds, exact=rounds is None))
    if whole is not None:
        places = repair(problem, whole)
        # the rounded spread, if it is as good as the integer program's pick
        if lp.tied > 1 and mip_note is None:
            spread = round_places(problem, lp.places)
            chosen = float(problem.plan.objective(problem.yield_ * places, lam).sum())
            if float(problem.plan.objective(problem.yield_ * spread, lam).sum()) <= (
                    chosen + MIP_GAP * max(abs(chosen), 1.0)):
                places = spread
    elif problem.integer in ("round", "exact"):
        places = round_places(problem, lp.places)
    else:
        places = fit_budget(problem, lp.places)
    # with classes the fixed LP's dual is not the value of money: the relaxation's is
    budget_value = (lp.budget_value if problem.min_class is None
                    else relaxed_budget_value(reported))
    plan = assemble(reported, places, rule="optimised", label=plan_label(problem),
                    budget_value=budget_value,
                    capacity_value=reported_values(reported, problem, lp.capacity_value,
                                                   bound="upper"),
                    lp_objective=lp_objective, optimum_unique=lp.tied <= 1,
                    notes=notes)
    return (plan if problem.min_class is None
            else with_class_row(plan, problem.min_class, places, cost=problem.cost))


def _tie_notes(tied: int) -> list[str]:
    if tied <= 1:
        return []
    return [f"several plans are equally good: {tied} cells remove the same shortfall per unit "
            "of money where the budget runs out; among those plans talentgap spread the last "
            "money over these cells in proportion to their remaining need"]


def _single_period_only(**given) -> None:
    named = [name for name, value in given.items() if value is not None]
    if named:
        raise PlanningError(f"{', '.join(named)} {'apply' if len(named) > 1 else 'applies'} "
                            "to multi-year plans only; pass periods=, e.g. periods=[2026, 2027]")




def _allocate_programmes(gap_forecast, crosswalk, **kw) -> QuotaPlan:
    """:func:`allocate_quotas` with a crosswalk: places per programme."""
    problem = build_network(gap_forecast, crosswalk, stacklevel=4, **kw)
    lp = solve_network_lp(problem)
    lam = problem.surplus_penalty
    lp_objective = float(problem.plan.objective(problem.certified(lp.places), lam).sum())
    if problem.integer == "exact":
        places = repair_network(problem, solve_network_milp(problem))
    elif problem.integer == "round":
        places = round_network(problem, lp.places)
    else:
        places = fit_network_budget(problem, lp.places)
    places, trimmed = trim_network(problem, places, whole=problem.integer != "none")
    plan = assemble_network(problem, places, rule="optimised", label=plan_label(problem),
                            budget_value=lp.budget_value, capacity_value=lp.capacity_value,
                            min_value=lp.min_value, lp_objective=lp_objective)
    plan.notes.extend(problem.notes)
    if trimmed > 0:
        plan.notes.append(f"{fmt(trimmed)} places whose graduates would only add to cells whose "
                          "largest need is already met are not funded; their money is left "
                          "unspent")
    return plan
