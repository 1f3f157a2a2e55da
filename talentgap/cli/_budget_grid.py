"""The budgets a one-period plan run compares, its budget curve, and what ends the curve.

``talentgap plan`` solves the plan at a few multiples of the budget
(:data:`BUDGET_MULTIPLES`) and draws the budget curve
(:func:`talentgap.planning.budget_curve`). Two kinds of budget are left out,
each with a note saying why:

* budgets below the cost of the minimum quotas (``[plan] min_quota``): no
  plan is possible with less, so they would stop the run; the curve's grid
  then starts at that cost instead of 0;
* larger budgets than one that already buys the smallest shortfall
  reachable: more money buys nothing there.

:func:`curve_limit` says what ends the curve: the capacities, places that
already cover the need the plan is chosen against, or places that cost
nothing.
"""

from __future__ import annotations

import numpy as np

from talentgap import planning
from talentgap._words import money_words

__all__ = ["BUDGET_MULTIPLES", "CLOSING_SHARE", "CURVE_POINTS", "budget_comparison",
           "curve_limit", "minimum_cost", "optimised_curve"]

#: Budgets of the shortfall-vs-budget comparison, as multiples of the plan's budget.
BUDGET_MULTIPLES = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
#: Share of the expected shortfall whose closing budget the report states.
CLOSING_SHARE = 0.95
#: Budgets of the budget curve's grid.
CURVE_POINTS = 8
_SAME = 1e-6   # relative: two shortfalls this close are the same (one plan, solver noise)


def minimum_cost(plan: planning.QuotaPlan) -> float:
    """The cost of a plan's minimum quotas: no budget below it has a plan.

    The minimum places (whole places upward, unless places are not rounded)
    of each cell or programme times their cost, from the plan's ``quotas``
    table; 0 without minimum quotas.

    Examples
    --------
    >>> import pandas as pd
    >>> needs = pd.DataFrame({"region": "N", "industry": ["textiles", "robots"],
    ...                       "period": "2026", "gap": [30.0, 10.0]})
    >>> plan = planning.allocate_quotas(needs, budget=10_000, cost_per_trainee=100,
    ...                                 pass_rate=1.0, min_quota=10)
    >>> minimum_cost(plan)
    2000.0
    """
    quotas = plan.quotas
    if not {"min_quota", "cost_per_trainee"} <= set(quotas.columns):
        return 0.0
    least = quotas["min_quota"].to_numpy(dtype=np.float64)
    if str(plan.summary.get("integer", "none")) != "none":
        least = np.ceil(least - 1e-9)
    cost = quotas["cost_per_trainee"].to_numpy(dtype=np.float64)
    return float(np.nansum(least * cost))


def _same(before: float, after: float) -> bool:
    return before - after <= _SAME * max(abs(before), 1.0)


def budget_comparison(plan, proportional, solve, *, budget: float, currency: str = ""
                      ) -> tuple[dict, list[str]]:
    """The plans of the budget comparison, by label, and notes on the budgets left out.

    Parameters
    ----------
    plan, proportional : QuotaPlan
        The optimised plan and the proportional rule at ``budget`` (reused,
        not solved again).
    solve : callable
        ``solve(budget)`` -> ``(optimised, proportional)`` at another budget.
    budget : float
        The plan's budget; the comparison's budgets are
        :data:`BUDGET_MULTIPLES` of it.
    currency : str, default ""
        The unit of money of the notes.

    Returns
    -------
    plans : dict of str -> QuotaPlan
        ``"optimised, budget <b>"`` and ``"proportional, budget <b>"`` per
        budget kept, smallest first (the input of
        :func:`talentgap.planning.compare_plans`).
    notes : list of str
        Why budgets were left out: those below the cost of the minimum
        quotas (whose cost starts the budget curve), and those above a
        budget that already buys the smallest shortfall (the first larger
        budget that changes nothing is solved, the others are not).
    """
    floor = minimum_cost(plan)
    plans, low, high = {}, [], []
    reached = None   # optimised shortfall of the last budget kept from the plan's up
    for multiple in BUDGET_MULTIPLES:
        total = budget * multiple
        if multiple == 1.0:
            pair = (plan, proportional)
        elif total == budget:   # a budget of 0: every multiple is the plan's own
            continue
        elif total < floor:
            low.append(total)
            continue
        elif multiple > 1.0 and high:
            high.append(total)
            continue
        else:
            pair = solve(total)
        after = float(pair[0].summary["shortfall_after"])
        if multiple > 1.0 and reached is not None and _same(reached, after):
            high.append(total)
            continue
        if multiple >= 1.0:
            reached = after
        plans[f"optimised, budget {total:,.0f}"] = pair[0]
        plans[f"proportional, budget {total:,.0f}"] = pair[1]
    notes = []
    if low:
        notes.append(
            f"The comparison of budgets leaves out {_listed(low, currency)}: the minimum "
            f"quotas cost {money_words(floor, currency)}, and no plan funds them with less; "
            "the budget curve starts at that cost.")
    elif floor > 0:
        notes.append(f"The budget curve starts at {money_words(floor, currency)}, the cost of "
                     "the minimum quotas: no plan funds them with less.")
    if high:
        kept = max(float(p.summary["budget"]) for p in plans.values())
        notes.append(
            f"The comparison of budgets leaves out {_listed(high, currency)}: "
            f"{money_words(kept, currency)} already buys the smallest expected shortfall "
            f"reachable ({reached:,.0f} persons); more money buys nothing.")
    return plans, notes


def _listed(budgets: list[float], currency: str) -> str:
    words = [money_words(b, currency) for b in budgets]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def optimised_curve(needs, floor: float, **plan_kwargs) -> planning.BudgetCurve:
    """The budget curve of the optimised plan, its grid starting at the cost of the minimums.

    Without minimum quotas (``floor`` 0) this is
    ``budget_curve(needs, CURVE_POINTS, share=CLOSING_SHARE, **plan_kwargs)``:
    :data:`CURVE_POINTS` budgets from 0 to the money that buys the smallest
    shortfall. With them no plan exists below ``floor``, so the grid runs
    from ``floor`` to ``floor`` plus the money that buys the smallest
    shortfall without minimums (an upper bound of the money needed with
    them: the minimums add at most their own cost).
    """
    if floor <= 0:
        return planning.budget_curve(needs, CURVE_POINTS, share=CLOSING_SHARE, **plan_kwargs)
    free = {name: value for name, value in plan_kwargs.items() if name != "min_quota"}
    top = float(planning.budget_curve(needs, 2, share=CLOSING_SHARE, **free).table.index.max())
    grid = np.linspace(floor, floor + top, CURVE_POINTS)
    return planning.budget_curve(needs, grid, share=CLOSING_SHARE, **plan_kwargs)


def curve_limit(curve: planning.BudgetCurve, solve, *, min_class: bool = False) -> dict:
    """What ends a budget curve: the least budget of its grid with its smallest shortfall.

    Parameters
    ----------
    curve : BudgetCurve
    solve : callable
        ``solve(budget)`` -> the optimised plan at that budget (one more solve).
    min_class : bool, default False
        The plan has a minimum class size (returned as ``min_class``).

    Returns
    -------
    dict
        ``budget`` (the money spent by the plan at the least budget of the
        grid whose expected shortfall is the curve's last), ``units``
        (cells, or programmes), ``unit`` (their name), ``at_capacity``
        (those whose places are at their capacity there), ``free`` (places
        cost nothing: the plan spends nothing yet funds places), ``risk``
        and ``quantile`` (what the plan is chosen against), ``objective``
        (its words, the value ``marginal_value`` refers to), ``short``
        (with the expected shortfall as objective, cells below their
        capacities still short in some scenario: no class of the minimum
        size runs there, or places are whole; 0 otherwise) and
        ``min_class``.
    """
    after = curve.table["shortfall_after"].to_numpy(dtype=np.float64)
    first = int(np.flatnonzero([_same(a, after[-1]) for a in after])[0])
    budget = float(curve.table.index[first])
    plan = solve(budget)
    quotas, s = plan.quotas, plan.summary
    capacity = quotas["capacity"].to_numpy(dtype=np.float64) if "capacity" in quotas else (
        np.full(len(quotas), np.inf))
    places = quotas["quota"].to_numpy(dtype=np.float64)
    full = np.isfinite(capacity) & (places >= capacity - 1e-6)
    short = 0
    if str(s.get("risk", "expected")) != "quantile" and "shortfall_after" in quotas:
        left = quotas["shortfall_after"].to_numpy(dtype=np.float64)
        short = int((~full & (left > 1e-6)).sum())
    spent = float(s["total_cost"])   # the money that buys it: the grid's step may overshoot
    return {"budget": spent if 0 < spent < budget else budget, "units": len(quotas),
            "at_capacity": int(full.sum()),
            "short": short, "min_class": bool(min_class),
            "unit": "programmes" if "program" in quotas.columns else "cells",
            "free": float(s["total_cost"]) <= 0 < float(s["places"]),
            "risk": str(s.get("risk", "expected")), "quantile": s.get("quantile"),
            "objective": str(s.get("objective_basis", "expected shortfall"))}
