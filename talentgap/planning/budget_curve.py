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

The grid's end (``max_budget`` not given) is the money beyond which more
budget no longer changes the plan: the budget rows' values are 0 (for a plan
with a minimum class size, the values of the plan without the rule, since
money below one class buys nothing yet still counts) *and* four times the
money leaves the same objective and shortfall. What stops it is
:attr:`BudgetCurve.limit`: the capacities, the need, or the budget
envelopes (which the curve does not scale; a warning says so when they are
the limit).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap._arguments import check_count
from talentgap.errors import ParameterError, PlanningError, warn
from talentgap.planning._axes import money_text, readable_axis, readable_count_axis
from talentgap.planning._multiyear_lp import DUAL_TOL
from talentgap.planning._params import fmt, money_scale
from talentgap.planning._plan import QuotaPlan, constraint_rows, shortfall_words
from talentgap.planning._tables import period_column_ordinals
from talentgap.planning.quotas import allocate_quotas
from talentgap.planning.scenarios import compare_plans

__all__ = ["BudgetCurve", "budget_curve", "plot_budget_curve"]

_GROWTH = 4.0
_BISECTIONS = 6
_MAX_PROBES = 40
#: The closing budget is refined by bisection to within this share of itself.
CLOSING_TOLERANCE = 0.01
#: Relative change of the objective or shortfall that counts as "more money changes the plan".
_SAME = 1e-6
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
        extra unit of money; with per-period budgets, per extra unit of the
        total spread as the profile is) and ``marginal_value_objective``
        (the objective it is the value for) and, for multi-year
        plans, the per-period columns of
        :func:`~talentgap.planning.compare_plans`. With ``period=``, the
        shortfall and share columns are those of that need period. With a
        minimum class size, ``marginal_value`` is the value of money to the
        plan without the rule (places bought one at a time): money below one
        class buys nothing at once, but it is not "not the limit". With
        ``risk="quantile"`` it is the value for the quantile objective
        (``marginal_value_objective`` says which), not the slope of
        ``shortfall_after`` (the expected shortfall).
    closing_budget : float
        About the smallest budget whose plan closes ``share`` of the expected
        need: the first budget of the grid that does, refined by bisection
        between it and the grid point below to within ``closing_tolerance``
        (NaN if none does: the grid ends too low, or lead times keep places
        from arriving in time).
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
    closing_tolerance : float
        The money within which ``closing_budget`` is the smallest closing
        budget (1% of it; 0 when it is the grid's first budget; NaN when
        there is none).
    limit : str
        What stops more money from lowering the shortfall at the money the
        grid ends at, when it was found (``max_budget`` not given):
        ``"budget envelopes"``, ``"capacities"`` or ``"need"`` (every need
        met, or met at the quantile for ``risk="quantile"``; with a minimum
        class size, no further class is worth its cost); ``""`` when not
        known (a grid given, or ``max_budget``).

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
    closing_tolerance: float = np.nan
    limit: str = ""


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


def _changes(more: QuotaPlan, plan: QuotaPlan) -> bool:
    """``more`` (a plan with more money) leaves less objective or shortfall than ``plan``."""
    for name in ("objective", "shortfall_after", "policy_shortfall_after"):
        a, b = float(more.summary.get(name, np.nan)), float(plan.summary.get(name, np.nan))
        if np.isfinite(a) and np.isfinite(b) and a < b - _SAME * max(abs(b), 1.0):
            return True
    return False


def _saturation(plan_at, base, profile) -> tuple[float, QuotaPlan]:
    """About the smallest total beyond which more money does not change the plan.

    Grows the total by ``_GROWTH`` until no budget row binds and the grown
    total leaves the same objective and shortfall (a zero dual alone is not
    enough: with a minimum class size money below one class leaves it at
    0), then bisects (``_BISECTIONS`` times) for the least total whose plan
    is as good as that one, and returns the money that plan spends when a
    plan solved at it is as good too (with whole places it may not be: then
    a total a little above it, or the bisection's).
    """
    probe = _total(base)[0] if base is not None and _total(base)[0] > 0 else 1e6
    low = 0.0
    plan = plan_at(probe)
    for _ in range(_MAX_PROBES):
        more = plan_at(probe * _GROWTH)
        if _saturated(plan) and not _changes(more, plan):
            break
        low, probe, plan = probe, probe * _GROWTH, more
    else:
        raise PlanningError(f"the shortfall still falls at a budget of {fmt(probe)}; "
                            "pass max_budget= or a list of budgets")
    high, best = probe, plan
    for _ in range(_BISECTIONS):
        mid = 0.5 * (low + high)
        candidate = plan_at(mid)
        if not _changes(best, candidate):
            high, plan = mid, candidate
        else:
            low = mid
    # the money the plan spends; with whole places or classes a plan solved at exactly
    # that money may lose its last place (rounding), so bisect up from it a few times
    low = _money_needed(plan, profile)
    for _ in range(_BISECTIONS // 2 if low < high else 0):
        candidate = plan_at(low)
        if not _changes(plan, candidate):
            return low, candidate
        low = 0.5 * (low + high)
    return high, plan


def _limit(plan: QuotaPlan) -> str:
    """What stops more money from lowering the shortfall of a saturated plan."""
    mv = plan.marginal_value
    scale = float(plan.quotas["cost_per_trainee"].max()) if "cost_per_trainee" in \
        plan.quotas.columns else 1.0
    envelopes = [k for k in mv.index if str(k).startswith("budget_envelope[")]
    if envelopes and bool((np.nan_to_num(mv[envelopes].to_numpy(np.float64))
                           * max(scale, 1.0) > DUAL_TOL).any()):
        return "budget envelopes"
    rows = constraint_rows(plan)   # numbers only: no plan of the curve is worded
    if len(rows) and bool((rows["kind"].astype(str).str.startswith("capacity")
                           & rows["binds"].astype(bool)).any()):
        return "capacities"
    return "need"


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
                            f"{arrival.astype(str).iloc[0]} (its funding period plus "
                            "lead_time); to plan for that need, pass the funding period as "
                            "funding_period= (budget_curve's own period= only measures)")
    return table, str(arrival.astype(str).iloc[0])


def budget_curve(
    needs: pd.DataFrame,
    budgets=10,
    *,
    share: float = 0.95,
    period=None,
    need: str = "both",
    max_budget: float | None = None,
    funding_period=None,
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
        row binds and four times the money changes neither the objective nor
        the shortfall, then bisecting to within 1/64 of the last step).
    share : float, default 0.95
        In (0, 1]: the share of the expected need to close, for
        ``closing_budget``.
    period : period label, optional
        Measure the shortfall and its share in this need period only (e.g.
        2028 for "closes the need by 2028"); default: summed over all need
        periods. For a single-period plan it must be the plan's arrival
        period (``funding_period + lead_time``).
    need : {"both", "market", "policy"}, default "both"
        Which need must close ``share``: the market need, the policy need, or
        each of them (a plan without a policy need counts the market need).
    max_budget : float, optional
        The grid's end (>= 0) when ``budgets`` is a number of points.
    funding_period : period label, optional
        The single-period plan's funding period: ``allocate_quotas(period=)``
        (this function's own ``period`` measures the shortfall). Default:
        as :func:`~talentgap.planning.allocate_quotas`.
    **plan_kwargs
        Every other argument of :func:`~talentgap.planning.allocate_quotas`,
        the same at each budget. A ``budget`` table (``period, budget``) is the
        per-period profile of the grid's totals; a number is ignored.

    Returns
    -------
    BudgetCurve
        ``.table`` (one row per budget), ``.closing_budget`` (about the
        least money closing ``share``: refined between grid points by
        bisection to within 1% of it, a few more solves), ``.limit`` and
        the settings; see :class:`BudgetCurve`.

    Raises
    ------
    ParameterError
        If ``budgets``, ``share``, ``need`` or ``max_budget`` are invalid.
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
    if max_budget is not None and (
            isinstance(max_budget, bool) or not isinstance(max_budget, (numbers.Real, np.number))
            or not math.isfinite(max_budget) or max_budget < 0):
        raise ParameterError(f"max_budget must be a finite number >= 0 (the grid's end), got "
                             f"{max_budget!r}")
    if funding_period is not None:
        plan_kwargs["period"] = funding_period
    base = plan_kwargs.pop("budget", None)
    profile = None
    if base is not None:
        _, profile = _total(base)

    def plan_at(total: float) -> QuotaPlan:
        return allocate_quotas(needs, budget=_budget(total, profile), **plan_kwargs)

    cache: dict[float, QuotaPlan] = {}
    saturated_at, limit = math.inf, ""
    if isinstance(budgets, (numbers.Real, np.number)):  # a number of points: 5.0 is refused
        budgets = check_count(budgets, "budgets", minimum=2,
                              detail=" (points of the curve) or a list of budgets")
        if max_budget is None:
            saturated_at, saturated_plan = _saturation(plan_at, base, profile)
            max_budget = saturated_at
            limit = _limit(saturated_plan)
            if limit == "budget envelopes":
                warn(f"the budget envelopes are the limit: beyond a total of about "
                     f"{fmt(saturated_at)} more money lowers the shortfall no further"
                     " unless the envelopes grow too (budget_curve keeps them "
                     "fixed); the curve ends there", stacklevel=2)
        grid = np.linspace(0.0, float(max_budget), int(budgets))
    else:
        grid = np.asarray(list(budgets), dtype=np.float64)
        if grid.ndim != 1 or grid.size == 0 or not np.all(np.isfinite(grid)) or (grid < 0).any():
            raise ParameterError("budgets must be finite numbers >= 0")
        grid = np.unique(grid)
    # above a saturated budget the optimum is the same (continuous places only)
    integer = plan_kwargs.get("integer")
    reuse = (integer == "none" or (integer is None and plan_kwargs.get("periods") is not None)
             ) and plan_kwargs.get("min_class_size") is None
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

    table, label, ok = _curve_table(plans, grid, period, share, need)
    if profile is not None and "marginal_value" in table.columns:
        table["marginal_value"] = _profile_values(plans, profile)
    basis = str(table.attrs.pop("shortfall_basis", ""))
    hit = np.flatnonzero(ok)
    closing, tolerance = np.nan, np.nan
    if hit.size:
        closing, tolerance = float(grid[hit[0]]), 0.0
        if hit[0] > 0:
            closing, tolerance = _refine(plan_at, float(grid[hit[0] - 1]), closing,
                                         lambda plan: bool(_curve_table(
                                             [plan], np.zeros(1), period, share, need)[2][0]))
    return BudgetCurve(table=table, closing_budget=closing, share=float(share), period=label,
                       need=need, shortfall_basis=basis, closing_tolerance=tolerance,
                       limit=limit)


def _profile_values(plans: list[QuotaPlan], profile: pd.DataFrame) -> np.ndarray:
    """Per plan, the objective removed per extra unit of the total spread as the profile is.

    ``sum_s w_s v_s`` over the funding periods' budget rows (``w`` the
    profile's shares, ``v`` the rows' values). The plan's own budgets give
    the same weights except at a total of 0, where they are all 0 and only
    the profile says how one more unit would be spread.
    """
    weights = pd.to_numeric(profile["budget"]).to_numpy(np.float64)
    weights = weights / weights.sum()
    wanted, code = period_column_ordinals(profile["period"], "budget")
    out = np.full(len(plans), np.nan)
    for i, plan in enumerate(plans):   # one row per budget of the grid, not per cell
        rows = constraint_rows(plan)
        if not len(rows) or "period" not in rows.columns:
            continue
        rows = rows[(rows["kind"] == "budget") & rows["name"].astype(str).str.startswith(
            "budget[")]
        if not len(rows):
            continue
        ordinals, _ = period_column_ordinals(rows["period"].astype(str), "budget rows", code)
        value = plan.marginal_value.reindex(rows["name"].astype(str)).to_numpy(np.float64)
        hit = np.array([np.flatnonzero(ordinals == o) for o in wanted], dtype=object)
        if all(len(h) == 1 for h in hit):
            out[i] = float(np.dot(weights, value[[int(h[0]) for h in hit]]))
    return out


def _refine(plan_at, low: float, high: float, closes) -> tuple[float, float]:
    """Bisect between a budget that does not close the share and one that does.

    Returns the least closing budget found and the tolerance within which it
    is the smallest (``CLOSING_TOLERANCE`` of it): the shortfall after an
    LP plan falls monotonically with the budget, so a few solves suffice.
    """
    while high - low > CLOSING_TOLERANCE * high:
        mid = 0.5 * (low + high)
        if closes(plan_at(mid)):
            high = mid
        else:
            low = mid
    return high, high - low


def _curve_table(plans: list[QuotaPlan], grid: np.ndarray, period, share: float, need: str
                 ) -> tuple[pd.DataFrame, str | None, np.ndarray]:
    """The curve's table, its need period label and which rows close ``share``."""
    table = compare_plans(list(plans), by=None)
    label = None
    if period is not None:
        table, label = _period_columns(table, plans, period)
    basis = (str(table["shortfall_basis"].iloc[0]) if "shortfall_basis" in table.columns
             and table["shortfall_basis"].nunique() == 1 else "")
    table = table.drop(columns=[c for c in ("label", "rule", "shortfall_basis", "budget",
                                            "budget_used") if c in table.columns])
    if "risk" in table.columns:
        table = table.drop(columns="risk")
    table.insert(0, "budget", grid)
    table = table.set_index("budget")
    table.attrs["shortfall_basis"] = basis
    table["share_closed"] = _closed(table, "")
    has_policy = "policy_shortfall_before" in table.columns and bool(
        (table["policy_shortfall_before"].fillna(0).to_numpy() > 0).any())
    if "policy_shortfall_before" in table.columns:
        table["policy_share_closed"] = _closed(table.fillna(0.0), "policy_")
    ok = table["share_closed"].to_numpy() >= share - 1e-9
    if has_policy and need in ("policy", "both"):
        policy_ok = table["policy_share_closed"].to_numpy() >= share - 1e-9
        ok = policy_ok if need == "policy" else ok & policy_ok
    return table, label, ok


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
