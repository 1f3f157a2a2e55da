"""The budget curve: expected shortfall after the plan against the budget.

"What budget closes the expected need by year y?" :func:`budget_curve` solves
the plan at a grid of budgets (every other argument fixed) and reports, per
budget, the expected shortfall after the plan for each need and the share of
it closed, and the smallest budget on the grid that closes a chosen share of
the need (in one need period, or summed over all of them).
:func:`plot_budget_curve` draws it.

With a budget per funding period (a ``period, budget`` table) the table is
the **profile**: each budget on the grid is a total, spread over the periods
in the table's proportions. Each budget is one LP solve; once a budget leaves
money unused with no budget row binding (more money would not reduce the
shortfall), the larger budgets of the grid reuse that plan.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap._arguments import check_count
from talentgap.errors import ParameterError, PlanningError
from talentgap.planning._axes import money_text, readable_axis, readable_count_axis
from talentgap.planning._multiyear_lp import DUAL_TOL
from talentgap.planning._params import fmt, money_scale
from talentgap.planning._plan import QuotaPlan, shortfall_words
from talentgap.planning._tables import period_column_ordinals
from talentgap.planning.quotas import allocate_quotas
from talentgap.planning.scenarios import compare_plans

__all__ = ["BudgetCurve", "budget_curve", "plot_budget_curve"]

_GROWTH = 4.0
_BISECTIONS = 6
_MAX_PROBES = 40
_NEEDS = ("market", "policy", "both")


@dataclass(frozen=True)
class BudgetCurve:
    """Expected shortfall after the plan at each budget of a grid.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per budget (index ``budget``, the plan's total money):
        ``total_cost``, ``places``, ``shortfall_before``,
        ``shortfall_after``, ``share_closed`` (market need) and, with a
        policy need, ``policy_shortfall_before``, ``policy_shortfall_after``,
        ``policy_share_closed``; ``marginal_value`` (shortfall removed per
        extra unit of money; NaN with per-period budgets) and, for multi-year
        plans, the per-period columns of
        :func:`~talentgap.planning.compare_plans`. With ``period=``, the
        shortfall and share columns are those of that need period.
    closing_budget : float
        The smallest budget of the grid whose plan closes ``share`` of the
        expected need (NaN if none does: the grid ends too low, or lead
        times keep places from arriving in time).
    share : float
        The share asked, 0-1.
    period : str or None
        The need period the shares are measured in; None: all need periods.
    need : str
        ``"market"``, ``"policy"`` or ``"both"`` (each need closes the share).
    shortfall_basis : str
        Which shortfall the table's figures are (the plans'
        ``summary["shortfall_basis"]``): ``"shortfall of the expected gap"``
        for needs given as a forecast table, ``"expected shortfall (mean
        over N scenarios)"`` for sample paths.

    Examples
    --------
    Forty workers short over two cells; places cost 100 and all pass:

    >>> needs = pd.DataFrame({"region": "N", "industry": ["textiles", "robots"],
    ...                       "period": "2026", "gap": [30.0, 10.0]})
    >>> curve = budget_curve(needs, [0, 2_000, 4_000], share=0.5, cost_per_trainee=100,
    ...                      pass_rate=1.0, integer="none")
    >>> curve.table[["places", "shortfall_after", "share_closed"]].to_numpy().tolist()
    [[0.0, 40.0, 0.0], [20.0, 20.0, 0.5], [40.0, 0.0, 1.0]]
    >>> curve.closing_budget, curve.shortfall_basis  # the least money closing half
    (2000.0, 'shortfall of the expected gap')
    """

    table: pd.DataFrame
    closing_budget: float
    share: float
    period: str | None
    need: str
    shortfall_basis: str = ""


def _total(budget) -> tuple[float, pd.DataFrame | None]:
    """The total of a base budget and its per-period profile (None for one number)."""
    if isinstance(budget, pd.DataFrame):
        if "budget" not in budget.columns:
            raise PlanningError(f"the budget table needs a 'budget' column; columns are "
                                f"{list(budget.columns)}")
        values = pd.to_numeric(budget["budget"]).to_numpy(dtype=np.float64)
        total = float(values.sum())
        if not np.isfinite(total) or total <= 0 or (values < 0).any():
            raise PlanningError("a budget profile needs finite budgets >= 0 with a total > 0")
        return total, budget
    if isinstance(budget, numbers.Real) and not isinstance(budget, bool):
        return float(budget), None
    raise PlanningError(f"budget must be a number or a table period, budget, got "
                        f"{type(budget).__name__}")


def _budget(total: float, profile: pd.DataFrame | None):
    if profile is None:
        return float(total)
    out = profile.copy()
    values = pd.to_numeric(out["budget"]).to_numpy(dtype=np.float64)
    out["budget"] = values * (total / values.sum())
    return out


def _saturated(plan: QuotaPlan) -> bool:
    """No budget row binds: more money would not reduce the shortfall.

    The budget rows are ``budget`` and ``budget[<period>]``, the money the curve
    varies; a binding budget envelope (``budget_envelope[...]``) is not one.
    """
    mv = plan.marginal_value
    values = mv[[k for k in mv.index if str(k) == "budget"
                 or str(k).startswith("budget[")]].to_numpy(np.float64)
    cost = float(plan.quotas["cost_per_trainee"].max()) if "cost_per_trainee" in \
        plan.quotas.columns else 1.0
    return bool(values.size) and bool(np.all(np.nan_to_num(values) * max(cost, 1.0) <= DUAL_TOL))


def _money_needed(plan: QuotaPlan, profile: pd.DataFrame | None) -> float:
    """The smallest total (on the profile) that buys a saturated plan."""
    if profile is None or not len(plan.years):
        return float(plan.summary["total_cost"])
    years = plan.years.set_index(plan.years["period"].astype(str))["cost"]
    labels = profile["period"].astype(str).to_numpy()
    weights = pd.to_numeric(profile["budget"]).to_numpy(np.float64)
    weights = weights / weights.sum()
    spent = years.reindex(labels).fillna(0.0).to_numpy(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(weights > 0, spent / weights, np.where(spent > 0, np.inf, 0.0))
    return float(scale.max())


def _saturation(plan_at, base, profile) -> tuple[float, QuotaPlan]:
    """The smallest total (within 1/2**_BISECTIONS of it) at which no budget row binds."""
    probe = _total(base)[0] if base is not None and _total(base)[0] > 0 else 1e6
    low = 0.0
    for _ in range(_MAX_PROBES):
        plan = plan_at(probe)
        if _saturated(plan):
            break
        low, probe = probe, probe * _GROWTH
    else:
        raise PlanningError(f"the shortfall still falls at a budget of {fmt(probe)}; "
                            "pass max_budget= or a list of budgets")
    high = probe
    for _ in range(_BISECTIONS):
        mid = 0.5 * (low + high)
        candidate = plan_at(mid)
        if _saturated(candidate):
            high, plan = mid, candidate
        else:
            low = mid
    return min(high, _money_needed(plan, profile)), plan


def _closed(table: pd.DataFrame, prefix: str) -> np.ndarray:
    """Share of a need closed per row, 1 where there was nothing to close."""
    before = table[f"{prefix}shortfall_before"].to_numpy(np.float64)
    after = table[f"{prefix}shortfall_after"].to_numpy(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(before > 0, 1.0 - after / before, 1.0)


def _period_columns(table: pd.DataFrame, plans: list[QuotaPlan], period) -> tuple[
        pd.DataFrame, str]:
    """The shortfall columns of one need period in place of the totals."""
    first = plans[0]
    if len(first.years):
        labels = first.years["period"]
        ordinals, code = period_column_ordinals(labels, "years")
        wanted, _ = period_column_ordinals(pd.Series([period], dtype=object), "period", code)
        hit = np.flatnonzero(ordinals == wanted[0])
        if not hit.size:
            raise PlanningError(f"period {period!r} is not a need period of the plan; periods "
                                f"are {labels.astype(str).tolist()}")
        label = str(labels.iloc[hit[0]])
        table = table.copy()
        for column in ("shortfall_before", "shortfall_after", "policy_shortfall_before",
                       "policy_shortfall_after"):
            if f"{column}[{label}]" in table.columns:
                table[column] = table[f"{column}[{label}]"]
        return table, label
    cells = first.cells
    arrival = cells["arrival_period"] if "arrival_period" in cells.columns else cells["period"]
    ordinals, code = period_column_ordinals(arrival, "cells")
    wanted, _ = period_column_ordinals(pd.Series([period], dtype=object), "period", code)
    if not (ordinals == wanted[0]).any():
        raise PlanningError(f"period {period!r} is not the plan's arrival period "
                            f"{arrival.astype(str).iloc[0]}")
    return table, str(arrival.astype(str).iloc[0])


def budget_curve(
    needs: pd.DataFrame,
    budgets=10,
    *,
    share: float = 0.95,
    period=None,
    need: str = "both",
    max_budget: float | None = None,
    **plan_kwargs,
) -> BudgetCurve:
    """Expected shortfall after the plan at a grid of budgets, and the budget that closes it.

    Parameters
    ----------
    needs : pandas.DataFrame
        The needs table of :func:`~talentgap.planning.allocate_quotas`.
    budgets : int or sequence of float, default 10
        The budgets (totals, >= 0), or how many evenly spaced budgets from 0
        to the money that buys the smallest shortfall reachable
        (``max_budget``, found by solving at growing budgets until no budget
        row binds, then bisecting to within 1/64 of the last step).
    share : float, default 0.95
        In (0, 1]: the share of the expected need to close, for
        ``closing_budget``.
    period : period label, optional
        Measure the shortfall and its share in this need period only (e.g.
        2028 for "closes the need by 2028"); default: summed over all need
        periods.
    need : {"both", "market", "policy"}, default "both"
        Which need must close ``share``: the market need, the policy need, or
        each of them (a plan without a policy need counts the market need).
    max_budget : float, optional
        The grid's end when ``budgets`` is a number of points.
    **plan_kwargs
        Every other argument of :func:`~talentgap.planning.allocate_quotas`,
        the same at each budget. A ``budget`` table (``period, budget``) is the
        per-period profile of the grid's totals; a number is ignored.

    Returns
    -------
    BudgetCurve
        ``.table`` (one row per budget), ``.closing_budget`` and the
        settings; see :class:`BudgetCurve`.

    Raises
    ------
    ParameterError
        If ``budgets``, ``share`` or ``need`` are invalid.
    PlanningError
        As :func:`~talentgap.planning.allocate_quotas`, or if ``period`` is
        not a need period.

    Examples
    --------
    Two cells short of 300 and 100 workers; places cost 100 and all pass:

    >>> import pandas as pd
    >>> from talentgap.planning import budget_curve
    >>> needs = pd.DataFrame({"region": "N", "industry": ["textiles", "robots"],
    ...                       "period": "2026", "gap": [300.0, 100.0]})
    >>> curve = budget_curve(needs, [0, 10_000, 20_000, 38_000, 40_000, 50_000],
    ...                      cost_per_trainee=100, pass_rate=1.0, integer="none")
    >>> curve.table["shortfall_after"].tolist()
    [400.0, 300.0, 200.0, 20.0, 0.0, 0.0]
    >>> curve.closing_budget
    38000.0
    """
    if need not in _NEEDS:
        raise ParameterError(f"need={need!r}; use one of {list(_NEEDS)}")
    if (isinstance(share, bool) or not isinstance(share, numbers.Real)
            or not 0 < share <= 1):
        raise ParameterError(f"share must be in (0, 1], got {share!r}")
    if "gap_forecast" in plan_kwargs:
        raise ParameterError("pass the needs table as the first argument, not gap_forecast=")
    base = plan_kwargs.pop("budget", None)
    profile = None
    if base is not None:
        _, profile = _total(base)

    def plan_at(total: float) -> QuotaPlan:
        return allocate_quotas(needs, budget=_budget(total, profile), **plan_kwargs)

    cache: dict[float, QuotaPlan] = {}
    saturated_at = math.inf
    if isinstance(budgets, (numbers.Real, np.number)):  # a number of points: 5.0 is refused
        budgets = check_count(budgets, "budgets", minimum=2,
                              detail=" (points of the curve) or a list of budgets")
        if max_budget is None:
            saturated_at, saturated_plan = _saturation(plan_at, base, profile)
            max_budget = saturated_at
        grid = np.linspace(0.0, float(max_budget), int(budgets))
    else:
        grid = np.asarray(list(budgets), dtype=np.float64)
        if grid.ndim != 1 or grid.size == 0 or not np.all(np.isfinite(grid)) or (grid < 0).any():
            raise ParameterError("budgets must be finite numbers >= 0")
        grid = np.unique(grid)
    # above a saturated budget the optimum is the same (continuous places only)
    integer = plan_kwargs.get("integer")
    reuse = integer == "none" or (integer is None and plan_kwargs.get("periods") is not None)
    plans = []
    for total in grid:
        if total >= saturated_at and reuse:
            plans.append(saturated_plan)
            continue
        if total not in cache:
            cache[total] = plan_at(float(total))
            if _saturated(cache[total]) and total < saturated_at:
                saturated_at, saturated_plan = float(total), cache[total]
        plans.append(cache[total])

    table = compare_plans(list(plans), by=None)
    label = None
    if period is not None:
        table, label = _period_columns(table, plans, period)
    basis = (str(table["shortfall_basis"].iloc[0]) if "shortfall_basis" in table.columns
             and table["shortfall_basis"].nunique() == 1 else "")
    table = table.drop(columns=[c for c in ("label", "rule", "risk", "shortfall_basis", "budget",
                                            "budget_used") if c in table.columns])
    table.insert(0, "budget", grid)
    table = table.set_index("budget")
    table["share_closed"] = _closed(table, "")
    has_policy = "policy_shortfall_before" in table.columns and bool(
        (table["policy_shortfall_before"].fillna(0).to_numpy() > 0).any())
    if "policy_shortfall_before" in table.columns:
        table["policy_share_closed"] = _closed(table.fillna(0.0), "policy_")
    ok = table["share_closed"].to_numpy() >= share - 1e-9
    if has_policy and need in ("policy", "both"):
        policy_ok = table["policy_share_closed"].to_numpy() >= share - 1e-9
        ok = policy_ok if need == "policy" else ok & policy_ok
    hit = np.flatnonzero(ok)
    closing = float(grid[hit[0]]) if hit.size else np.nan
    return BudgetCurve(table=table, closing_budget=closing, share=float(share), period=label,
                       need=need, shortfall_basis=basis)


def plot_budget_curve(curve: BudgetCurve, *, ax=None):
    """Shortfall after the plan against the budget, per need.

    The shortfall is the curve's ``shortfall_basis`` (the expected
    shortfall of plans on sample paths, the shortfall of the expected gap
    of plans on a forecast table); the axis says which.

    Parameters
    ----------
    curve : BudgetCurve
        From :func:`budget_curve`.
    ax : matplotlib.axes.Axes, optional
        Where to draw. By default a new figure from
        ``matplotlib.pyplot.subplots``, as pandas and scikit-learn plots do,
        so a notebook shows it inline; this function never shows it itself. Close it
        with ``plt.close(ax.figure)`` when drawing many in a script.

    Returns
    -------
    matplotlib.axes.Axes
        One line per need, the level that closes ``curve.share`` of it
        (dotted) and the closing budget (vertical, to three significant
        figures in the legend); round ticks as many as their labels' width
        allows, plain numbers with thousands separators (money in thousands,
        millions or billions as the axis label says, never an offset or
        scientific notation), the legend outside the plot.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.planning import budget_curve, plot_budget_curve
    >>> needs = pd.DataFrame({"region": "N", "industry": ["textiles", "robots"],
    ...                       "period": "2026", "gap": [300.0, 100.0]})
    >>> curve = budget_curve(needs, 5, cost_per_trainee=100, pass_rate=1.0)
    >>> ax = plot_budget_curve(curve)
    >>> [line.get_label() for line in ax.get_lines()][:2]
    ['market need', 'market need: 95% closed']
    >>> ax.get_title()
    'Budget curve: shortfall of the expected gap vs budget'
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    if not isinstance(curve, BudgetCurve):
        raise PlanningError(f"plot_budget_curve takes a BudgetCurve, got "
                            f"{type(curve).__name__}")
    table = curve.table
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.0), layout="constrained")
    budget = table.index.to_numpy(np.float64)
    needs = [("market need", "")]
    if "policy_shortfall_before" in table.columns and (
            table["policy_shortfall_before"].fillna(0).to_numpy() > 0).any():
        needs.append(("policy need", "policy_"))
    for label, prefix in needs:
        after = table[f"{prefix}shortfall_after"].to_numpy(np.float64)
        line, = ax.plot(budget, after, marker="o", markersize=3, label=label)
        before = float(table[f"{prefix}shortfall_before"].iloc[0])
        ax.axhline((1 - curve.share) * before, color=line.get_color(), linestyle=":",
                   label=f"{label}: {curve.share:.0%} closed")
    if np.isfinite(curve.closing_budget):
        ax.axvline(curve.closing_budget, color="grey", linestyle="--",
                   label=f"closing budget {money_text(curve.closing_budget)}")
    scale, unit = money_scale(float(np.nanmax(budget)) if budget.size else 0.0)
    readable_axis(ax.xaxis, scale=scale)
    workers = readable_count_axis(ax.yaxis, *(table[f"{prefix}shortfall_after"]
                                               for _, prefix in needs))
    ax.set_xlabel(f"budget, total over the plan{unit}")
    where = f"in {curve.period}" if curve.period is not None else "summed over need periods"
    words = shortfall_words([curve.shortfall_basis])
    ax.set_ylabel(f"{words} after, {where}\n({workers})")
    ax.set_title(f"Budget curve: {words} vs budget")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    return ax
