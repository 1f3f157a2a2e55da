"""Comparing plans: the naive proportional rule, a comparison table, shortfall vs budget.

A planner wants to see what the optimiser buys over the rule of thumb
"fund places in proportion to the gap", and how the shortfall falls as the
budget grows. :func:`proportional_plan` builds the rule-of-thumb plan on the
same inputs as :func:`~talentgap.planning.allocate_quotas`,
:func:`compare_plans` tabulates any number of plans and
:func:`plot_shortfall_vs_budget` draws the shortfall of each rule against
the budget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from talentgap.errors import PlanningError
from talentgap.planning._axes import money_text, readable_axis, readable_count_axis
from talentgap.planning._crosswalk import build_network
from talentgap.planning._params import fmt, money_scale
from talentgap.planning._plan import QuotaPlan, shortfall_words
from talentgap.planning._plan_tables import assemble, assemble_network
from talentgap.planning._problem import build_problem
from talentgap.planning._solve import spent

__all__ = ["proportional_plan", "compare_plans", "plot_shortfall_vs_budget"]

_BISECTIONS = 200
_PLACE_TOL = 1e-9
_SUMMARY_COLUMNS = [
    "budget", "total_cost", "budget_used", "places", "expected_certified",
    "shortfall_before", "shortfall_after", "shortage_reduction", "surplus_after",
]


def _scaled(t: float, gap: np.ndarray, lower: np.ndarray, top: np.ndarray) -> np.ndarray:
    return np.clip(t * gap, lower, top)


def proportional_plan(
    gap_forecast: pd.DataFrame,
    *,
    budget: float,
    cost_per_trainee,
    pass_rate,
    absorption=1.0,
    capacity=None,
    min_quota=0,
    lead_time=0,
    integer: str = "round",
    keys=("region", "industry"),
    period=None,
    value: str = "gap",
    crosswalk: pd.DataFrame | None = None,
) -> QuotaPlan:
    """The rule of thumb: places in proportion to each cell's expected gap.

    Places are ``q_c = t * max(gap_c, 0)`` with one factor ``t`` for all
    cells, chosen so the plan spends as much of the budget as it can; each
    cell is held within its minimum and capacity and never funded beyond the
    places that close its expected gap (``gap_c / (pass_rate * absorption)``).
    ``gap_c`` is the expected gap at the cell's arrival period: the same
    numbers :func:`~talentgap.planning.allocate_quotas` plans on, so only
    the rule differs. Whole places: floor, then one more place to the cells
    with the largest remainders while the budget allows.

    Parameters
    ----------
    gap_forecast, budget, cost_per_trainee, pass_rate, absorption, capacity, \
min_quota, lead_time, keys, period, value, crosswalk
        As for :func:`~talentgap.planning.allocate_quotas`.
    integer : {"round", "none"}, default "round"
        Whole places or continuous places.

    Returns
    -------
    QuotaPlan
        With ``rule="proportional"``; it has no LP, so ``marginal_value``
        holds NaN for ``"budget"`` and ``summary["lp_objective"]`` is NaN.

    Raises
    ------
    PlanningError
        As :func:`~talentgap.planning.allocate_quotas`.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.planning import proportional_plan
    >>> forecast = pd.DataFrame({"region": ["N", "N"], "industry": ["textiles", "robots"],
    ...                          "period": ["2026", "2026"], "gap": [300.0, 100.0]})
    >>> plan = proportional_plan(forecast, budget=20_000, cost_per_trainee=100, pass_rate=1.0)
    >>> plan.quotas[["industry", "quota"]]
       industry  quota
    0    robots     50
    1  textiles    150
    """
    if integer not in ("round", "none"):
        raise PlanningError(f"proportional_plan: integer={integer!r}; use 'round' or 'none'")
    common = dict(keys=keys, value=value, period=period, budget=budget,
                  cost_per_trainee=cost_per_trainee, pass_rate=pass_rate, absorption=absorption,
                  capacity=capacity, min_quota=min_quota, lead_time=lead_time, risk="expected",
                  quantile=None, surplus_penalty=0.0, integer=integer)
    label = "proportional to gap"
    if crosswalk is not None:
        network = build_network(gap_forecast, crosswalk, stacklevel=3, **common)
        gap = np.maximum(network.evaluate.mean(), 0.0)
        # each cell's gap is split over the programmes feeding it by their shares
        a, t = network.edge_yield, network.edge_target
        fed_share = np.bincount(t, weights=np.where(a > 0, network.edge_share, 0.0),
                                minlength=network.n_targets)
        with np.errstate(divide="ignore", invalid="ignore"):
            part = np.where(a > 0, network.edge_share / fed_share[t], 0.0) * gap[t]
        served = np.bincount(network.edge_unit, weights=part, minlength=network.n_units)
        places = _proportional_places(network, served, network.yield_, integer)
        return assemble_network(network, places, rule="proportional", label=label,
                                budget_value=np.nan,
                                capacity_value=np.zeros(network.n_units),
                                min_value=np.zeros(network.n_units), lp_objective=np.nan)
    problem = build_problem(gap_forecast, **common)
    gap = np.maximum(problem.evaluate.mean(), 0.0)
    places = _proportional_places(problem, gap, problem.yield_, integer)
    return assemble(problem, places, rule="proportional", label=label,
                    budget_value=np.nan, capacity_value=np.zeros(problem.n_cells),
                    lp_objective=np.nan)


def _proportional_places(problem, gap: np.ndarray, y: np.ndarray, integer: str) -> np.ndarray:
    """Places ``t * gap`` within bounds and the places closing ``gap``, spending the budget."""
    lower, upper, cost = problem.lower, problem.upper, problem.cost
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.where(y > 0, gap / y, 0.0)
    if integer == "round":
        need = np.ceil(need - _PLACE_TOL)
    top = np.maximum(lower, np.minimum(upper, need))
    if spent(cost, top) <= problem.budget:
        places = top
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            t_high = float(np.max(np.where(gap > 0, top / gap, 0.0)))
        t_low = 0.0
        for _ in range(_BISECTIONS):
            t_mid = 0.5 * (t_low + t_high)
            if spent(cost, _scaled(t_mid, gap, lower, top)) <= problem.budget:
                t_low = t_mid
            else:
                t_high = t_mid
        places = _scaled(t_low, gap, lower, top)
    if integer == "round":
        places = _round_by_remainder(cost, places, lower, top, problem.budget)
    return places


def _round_by_remainder(cost: np.ndarray, places: np.ndarray, lower: np.ndarray,
                        top: np.ndarray, budget: float) -> np.ndarray:
    """Floor, then one more place to the largest remainders in turn while the budget allows.

    The rule is sequential: in order of remainder, a cell gets its place if
    it still fits the money left (``budget - spent``, recomputed after every
    place). Here the places are given in blocks: with ``left`` exact, a cell
    dearer than ``left`` cannot fit later either (money only shrinks), and
    the cheaper ones fit in turn while their running cost stays below
    ``left`` by more than the rounding error of ``spent``. Only the cell where
    a block ends is decided on its own, exactly as the sequential rule
    decides it, so the places are the same. Free places (cost 0) change no
    sum and fit whenever the floor fits.
    """
    whole = np.clip(np.floor(places + 1e-6), lower, top)
    order = np.argsort(-(places - whole), kind="stable")
    done = np.flatnonzero(places[order] - whole[order] <= _PLACE_TOL)
    todo = order[:done[0] if done.size else order.size]
    todo = todo[whole[todo] + 1 <= top[todo]]
    eps = np.finfo(np.float64).eps
    # rounding error of budget - spent(cost, whole) and of a running cost, generously
    slack = 8.0 * (cost.size + todo.size + 4) * eps * (float(np.abs(cost * top).sum())
                                                      + abs(budget))
    left = budget - spent(cost, whole)
    free = cost[todo] == 0  # fit whenever money is not already over, change no sum
    if left >= 0:
        whole[todo[free]] += 1
    todo = todo[~free]
    i = 0
    while i < todo.size:
        rest = todo[i:]
        fits = np.flatnonzero(cost[rest] <= left)
        running = np.cumsum(cost[rest[fits]])
        sure = int(np.searchsorted(running, left - slack, side="right"))
        whole[rest[fits[:sure]]] += 1
        if sure == fits.size:
            break
        c = rest[fits[sure]]  # decided on its own, with the exact money left
        left = budget - spent(cost, whole)
        if cost[c] <= left:
            whole[c] += 1
            if spent(cost, whole) > budget:  # the sum's last bit
                whole[c] -= 1
            left = budget - spent(cost, whole)
        i += int(fits[sure]) + 1
    return whole


def compare_plans(plans, *, by: str | None = "industry", per_year: bool = True
                  ) -> pd.DataFrame:
    """Tabulate cost, shortfall and places by group (and per year) for several plans.

    Parameters
    ----------
    plans : sequence of QuotaPlan or mapping of name -> QuotaPlan
        E.g. optimised and proportional plans at several budgets. Without
        names, each row is named ``"<label>, budget <budget>"``, the budget
        to three significant figures (``"optimised, budget 812 million"``;
        in full where that would give two different budgets one name).
    by : str or None, default "industry"
        A key column: one ``quota[<value>]`` column per value with the
        plan's places summed over the other keys. None: no such columns.
        For a programme plan (made with a crosswalk) ``by`` may be a key of
        its quotas (``"program"``, ``"region"``) or of its cells
        (``"industry"``: the places serving each industry, i.e. each
        programme's places times its share going there; fractional).
    per_year : bool, default True
        For multi-year plans (made with ``periods=``), add one column per
        period of :attr:`~talentgap.planning.QuotaPlan.years` and measure:
        ``places[<period>]``, ``cost[<period>]``, ``shortfall_before[<period>]``,
        ``shortfall_after[<period>]`` (and ``policy_shortfall_before/after``
        with a policy need) and, with per-period budgets,
        ``marginal_value[<period>]``. Plans without that period hold NaN.

    Returns
    -------
    pandas.DataFrame
        Indexed by plan name (``plan``), with ``label``, ``rule``, ``risk``,
        ``shortfall_basis`` (which shortfall the plan's figures are: the
        ``"shortfall of the expected gap"`` of a plan on a forecast table, or
        the ``"expected shortfall (mean over N scenarios)"`` of one on
        sample paths; the two differ, so compare plans of one basis),
        ``budget``, ``total_cost``, ``budget_used``, ``places``,
        ``expected_certified``, ``shortfall_before``, ``shortfall_after``,
        ``shortage_reduction``, ``share_closed`` (``shortage_reduction /
        shortfall_before``, 0-1; NaN when there is no shortfall),
        ``surplus_after``, ``marginal_value`` (objective removed per extra
        unit of money: of a budget given as one number; with per-period
        budgets, of one more unit of the total spread over the periods in
        the budgets' proportions, i.e. the budget-weighted mean of the
        periods' values, which ``marginal_value[<period>]`` gives one by one
        with ``per_year=True``; NaN for rules without an LP),
        ``marginal_value_objective`` (which objective ``marginal_value``
        removes: the plan's ``objective_basis``, e.g. the shortfall against
        the 80th-percentile gap under ``risk="quantile"``, not the expected
        shortfall of ``shortfall_after``) and the ``quota[...]`` columns.
        When any plan is multi-year, also
        ``policy_shortfall_before``, ``policy_shortfall_after`` and
        ``policy_share_closed`` (the policy need's, 0 without one; NaN for
        single-period plans), then the per-year columns.

    Raises
    ------
    PlanningError
        If ``plans`` is empty or holds something else than plans, or ``by``
        is not a key of every plan.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.planning import allocate_quotas, compare_plans, proportional_plan
    >>> forecast = pd.DataFrame({"region": ["N", "N"], "industry": ["textiles", "robots"],
    ...                          "period": ["2026", "2026"], "gap": [300.0, 100.0]})
    >>> costs = pd.DataFrame({"industry": ["textiles", "robots"],
    ...                       "cost_per_trainee": [200.0, 100.0]})
    >>> params = dict(budget=20_000, cost_per_trainee=costs, pass_rate=1.0)
    >>> table = compare_plans([allocate_quotas(forecast, **params),
    ...                        proportional_plan(forecast, **params)])
    >>> table.index.tolist()
    ['optimised, budget 20,000', 'proportional to gap, budget 20,000']
    >>> table["shortfall_basis"].tolist()
    ['shortfall of the expected gap', 'shortfall of the expected gap']
    >>> table[["shortfall_after", "quota[robots]", "quota[textiles]"]].to_numpy().tolist()
    [[250.0, 100.0, 50.0], [286.0, 28.0, 86.0]]
    """
    if isinstance(plans, QuotaPlan):
        plans = [plans]
    if isinstance(plans, Mapping):
        items = [(str(name), plan) for name, plan in plans.items()]
    elif isinstance(plans, Sequence):
        items = [(None, plan) for plan in plans]
    else:
        raise PlanningError(f"plans must be a list or dict of QuotaPlan, got "
                            f"{type(plans).__name__}")
    if not items:
        raise PlanningError("compare_plans needs at least one plan")
    rows, names, quota_columns, year_columns = [], [], {}, {}
    multiyear = any(len(plan.years) for _, plan in items if isinstance(plan, QuotaPlan))
    for name, plan in items:
        if not isinstance(plan, QuotaPlan):
            raise PlanningError(f"compare_plans takes QuotaPlan objects, got "
                                f"{type(plan).__name__}")
        s = plan.summary
        row = {"label": plan.label, "rule": plan.rule, "risk": s["risk"],
               "shortfall_basis": s.get("shortfall_basis", "")}
        row.update({c: float(s[c]) for c in _SUMMARY_COLUMNS})
        row["share_closed"] = _share(row["shortfall_before"], row["shortfall_after"])
        row["marginal_value"] = _budget_value(plan)
        row["marginal_value_objective"] = str(s.get("objective_basis", ""))
        if multiyear:
            before = float(s.get("policy_shortfall_before", np.nan))
            after = float(s.get("policy_shortfall_after", np.nan))
            row.update(policy_shortfall_before=before, policy_shortfall_after=after,
                       policy_share_closed=_share(before, after))
            if per_year:
                for column, value in _year_values(plan).items():
                    year_columns[column] = None
                    row[column] = value
        if by is not None:
            quota_keys = _quota_keys(plan)
            if by in quota_keys:
                sums = plan.quotas.groupby(by, observed=True, sort=True)["quota"].sum()
            elif by in plan.cell_keys and "places" in plan.cells.columns:
                sums = plan.cells.groupby(by, observed=True, sort=True)["places"].sum()
            elif by in plan.cell_keys and "program" in quota_keys:
                raise PlanningError(
                    f"by={by!r}: plan {plan.label!r} has places per programme over several "
                    f"periods and no places per {by}; use by= one of {list(quota_keys)}")
            else:
                keys = list(dict.fromkeys([*quota_keys, *plan.cell_keys]))
                raise PlanningError(f"by={by!r} is not a key of plan {plan.label!r} "
                                    f"(keys {keys})")
            for group, places in sums.items():
                column = f"quota[{group}]"
                quota_columns[column] = group
                row[column] = places
        rows.append(row)
        names.append(name if name is not None else (plan.label, float(s["budget"])))
    table = pd.DataFrame(rows, index=pd.Index(_plan_names(names), name="plan"))
    ordered = sorted(quota_columns, key=lambda c: str(quota_columns[c]))
    table[ordered] = table[ordered].fillna(0)
    values = table[ordered].to_numpy(dtype=np.float64)
    if ordered and np.all(values == np.round(values)):
        table[ordered] = table[ordered].astype(np.int64)
    base = [c for c in table.columns if c not in quota_columns and c not in year_columns]
    return table[base + ordered + _year_order(year_columns)]


def _quota_keys(plan: QuotaPlan) -> tuple[str, ...]:
    """The key columns of a plan's quotas: ``plan.keys``, or ``program`` and the location keys
    of a programme plan whose ``keys`` name its cells (a multi-year programme plan)."""
    columns = plan.quotas.columns
    if all(k in columns for k in plan.keys):
        return tuple(plan.keys)
    return tuple(k for k in ("program", *plan.keys) if k in columns)


def _plan_names(names: list) -> list[str]:
    """Row names: given names, else ``"<label>, budget <money>"``; repeats numbered ``#2``...

    The money is :func:`~talentgap.planning._axes.money_text` (three
    significant figures), or :func:`fmt` in full when two different budgets
    of one label would round to the same text.
    """
    budgets: dict[tuple[str, str], set] = {}
    for name in names:
        if not isinstance(name, str):
            budgets.setdefault((name[0], money_text(name[1])), set()).add(name[1])
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        if not isinstance(name, str):
            label, budget = name
            money = money_text(budget)
            money = fmt(budget) if len(budgets[label, money]) > 1 else money
            name = f"{label}, budget {money}"
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return unique


def _budget_value(plan: QuotaPlan) -> float:
    """Objective removed per extra unit of the plan's total money.

    One budget: its value. Per-period budgets (``budget[<period>]``): the
    value of one more unit of the total spread over the periods as the
    budgets are, ``sum_s B_s v_s / sum_s B_s``.
    """
    mv = plan.marginal_value
    if "budget" in mv.index:
        return float(mv["budget"])
    rows = plan.constraints
    if not len(rows) or "kind" not in rows.columns:
        return np.nan
    years = rows[(rows["kind"] == "budget") & rows["name"].astype(str).str.startswith("budget[")]
    if not len(years):
        return np.nan
    limit = pd.to_numeric(years["limit"]).to_numpy(np.float64)
    names = years["name"].astype(str).to_numpy()
    value = mv.reindex(names).to_numpy(np.float64)
    if not limit.sum() > 0 or not np.isfinite(value).all():
        return np.nan
    return float(np.dot(limit, value) / limit.sum())


def _share(before: float, after: float) -> float:
    """Share of a shortfall removed, 0-1; NaN when there was none."""
    return (before - after) / before if before > 0 else np.nan


_YEAR_MEASURES = ("places", "cost", "shortfall_before", "shortfall_after",
                  "policy_shortfall_before", "policy_shortfall_after", "marginal_value")


def _year_values(plan: QuotaPlan) -> dict[str, float]:
    """``"<measure>[<period>]" -> value`` from a multi-year plan's years table."""
    years = plan.years
    if not len(years):
        return {}
    labels = years["period"].astype(str).to_numpy()
    out = {}
    for measure in _YEAR_MEASURES[:-1]:
        if measure in years.columns:
            values = years[measure].to_numpy(dtype=np.float64)
            out.update({f"{measure}[{p}]": float(v) for p, v in zip(labels, values,
                                                                   strict=True)})
    for p in labels:
        if f"budget[{p}]" in plan.marginal_value.index:
            out[f"marginal_value[{p}]"] = float(plan.marginal_value[f"budget[{p}]"])
    return out


def _year_order(columns: Mapping[str, None]) -> list[str]:
    """Per-year columns grouped by measure, periods in order within each."""
    def key(column: str):
        measure, _, period = column.partition("[")
        return _YEAR_MEASURES.index(measure), period
    return sorted(columns, key=key)


def plot_shortfall_vs_budget(comparison, *, ax=None, chosen_budget=None, curve=None):
    """Shortfall after training against the budget, one line per rule.

    The shortfall is the one the plans report (their ``shortfall_basis``):
    the expected shortfall of plans on sample paths, the shortfall of the
    expected gap of plans on a forecast table; the axis says which. Plans
    of both kinds in one table are drawn with their basis in the legend.

    Parameters
    ----------
    comparison : pandas.DataFrame or sequence of QuotaPlan
        The table of :func:`compare_plans` (columns ``label``, ``budget``,
        ``shortfall_after``, ``shortfall_before``, ``shortfall_basis``), or
        plans to compare.
    ax : matplotlib.axes.Axes, optional
        Where to draw. By default a new figure from
        ``matplotlib.pyplot.subplots``, as pandas and scikit-learn plots do,
        so a notebook shows it inline; this function never shows it itself. Close it
        with ``plt.close(ax.figure)`` when drawing many in a script.
    chosen_budget : float, optional
        The budget of the plan chosen: marked by a vertical line.
    curve : pandas.DataFrame, optional
        Further optimised plans over a wider range of budgets, e.g.
        :attr:`BudgetCurve.table <talentgap.planning.BudgetCurve>` (index
        ``budget``, column ``shortfall_after``): drawn as a dashed line, so
        the chart reaches the budget beyond which money stops helping.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (``ax.figure`` is the figure, e.g. to ``savefig``).
        The shortfall axis starts at 0, so the share a budget closes reads
        from the heights of the lines.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from talentgap.planning import (allocate_quotas, compare_plans,
    ...                                 plot_shortfall_vs_budget, proportional_plan)
    >>> forecast = pd.DataFrame({"region": ["N", "N"], "industry": ["textiles", "robots"],
    ...                          "period": ["2026", "2026"], "gap": [300.0, 100.0]})
    >>> costs = pd.DataFrame({"industry": ["textiles", "robots"],
    ...                       "cost_per_trainee": [200.0, 100.0]})
    >>> plans = [rule(forecast, budget=b, cost_per_trainee=costs, pass_rate=0.8)
    ...          for rule in (allocate_quotas, proportional_plan)
    ...          for b in (10_000, 30_000, 60_000)]
    >>> ax = plot_shortfall_vs_budget(compare_plans(plans))
    >>> [line.get_label() for line in ax.get_lines()]
    ['optimised', 'proportional to gap', 'no training']
    >>> ax.get_ylabel()
    'shortfall of the expected gap after training (workers)'
    >>> float(ax.get_ylim()[0])
    0.0
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    table = comparison
    if not isinstance(table, pd.DataFrame):
        table = compare_plans(comparison, by=None)
    missing = [c for c in ("label", "budget", "shortfall_after") if c not in table.columns]
    if missing:
        raise PlanningError(f"the comparison table needs columns {missing}; "
                            "make it with compare_plans")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
    bases = (table["shortfall_basis"] if "shortfall_basis" in table.columns
             else pd.Series("", index=table.index))
    words = shortfall_words(bases)
    lines = table["label"].astype(str)
    if words == "shortfall" and bases.nunique() > 1:  # one line per rule and basis
        lines = lines + " (" + bases.map(lambda b: shortfall_words([b])) + ")"
    for name, group in table.groupby(lines.to_numpy(), sort=False):
        group = group.sort_values("budget")
        ax.plot(group["budget"].to_numpy(), group["shortfall_after"].to_numpy(), marker="o",
                label=str(name))
    budgets = table["budget"].to_numpy(dtype=np.float64)
    if curve is not None and len(curve):
        wide = curve.sort_index()
        ax.plot(wide.index.to_numpy(dtype=np.float64),
                wide["shortfall_after"].to_numpy(dtype=np.float64), linestyle="--",
                marker=".", color="tab:blue", alpha=0.6, label="optimised, wider range")
        budgets = np.concatenate([budgets, wide.index.to_numpy(dtype=np.float64)])
    if chosen_budget is not None and np.isfinite(float(chosen_budget)):
        ax.axvline(float(chosen_budget), color="black", linestyle=":", linewidth=1,
                   label="chosen budget")
    if "shortfall_before" in table.columns:
        before = np.unique(table["shortfall_before"].to_numpy(dtype=np.float64).round(9))
        if before.size == 1:
            ax.axhline(before[0], linestyle="--", color="grey", label="no training")
    scale, unit = money_scale(float(np.nanmax(budgets)))
    readable_axis(ax.xaxis, scale=scale)
    workers = readable_count_axis(ax.yaxis, table["shortfall_after"])
    ax.set_xlabel(f"budget{unit}")
    ax.set_ylabel(f"{words} after training ({workers})")
    ax.set_title(f"{words[0].upper()}{words[1:]} vs budget")
    # the shortfall axis starts at 0: a small cut must not look steep; the legend sits beside
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
              frameon=False)
    return ax
