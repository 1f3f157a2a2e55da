"""The report's headline, subtitle, key figures and totals: the first screen a planner reads."""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._words import money_words, percentile_words
from talentgap.cli._by_level import ALL_LEVELS, level_totals
from talentgap.cli._report_front import (
    probability_words,
)
from talentgap.cli._report_plan import (
    cut_text,
    held_need,
    held_words,
    objective_words,
    plan_quantile,
    years_closing_text,
)
from talentgap.cli._report_plan_tables import cheapest_place
from talentgap.cli._report_tables import (
    cell_name,
    is_multiyear,
    key_words,
    shortfall_period,
    shortfall_span,
    shortfall_unit,
)
from talentgap.cli._report_targets import rough_reach_cost, target_reach
from talentgap.cli._totals import LIKELY_SHORT, last_period_totals
from talentgap.cli._wording import (
    level_words,
    model_name,
    per_period,
)
from talentgap.cli.outputs import level_view
from talentgap.cli.pipeline import RunResult

__all__ = ["headline_text", "totals_text", "headline_figures", "subtitle"]


def headline_text(result: RunResult) -> str:
    """One paragraph in words: where the largest expected shortages are, how sure, what the
    budget buys and what a larger budget would do (only figures the run computed)."""
    config, fc = result.config, result.forecast
    if fc is None or not fc["gap"].notna().any():
        return ""
    keys = list(config.data.keys)
    currency = config.output.currency
    last = fc[fc["period"] == fc["period"].max()]
    top = last.nlargest(3, "gap")
    top = top[top["gap"] > 0]
    sentences = []
    if len(top):
        per = per_period(getattr(last["period"].iloc[0], "freqstr", "Q"))
        n_paths = config.forecast.n_samples  # p_shortage is a share of these paths
        cells = [f"{cell_name(row, keys)} ({row['gap']:,.0f} persons short in the {per} on "
                 f"average, {probability_words(row['p_shortage'], n_paths)})"
                 for _, row in top.iterrows()]
        where = cells[0] if len(cells) == 1 else ", ".join(cells[:-1]) + " and " + cells[-1]
        sure = int((last["p_shortage"] >= LIKELY_SHORT).sum())
        sentences.append(f"In {last['period'].iloc[0]} the largest expected shortages are in "
                         f"{where}. {sure} of {len(last)} cells are short with a probability "
                         f"of at least {LIKELY_SHORT:.0%}.")
    else:
        sentences.append(f"No cell is expected to be short in {last['period'].iloc[0]}.")
    by_level = _levels_headline(result)
    if by_level:
        sentences.append(by_level)
    plan = result.plan
    if plan is not None:
        s = plan.summary
        before, after = float(s["shortfall_before"]), float(s["shortfall_after"])
        cut = 1 - after / before if before > 0 else 0.0
        cheapest = cheapest_place(plan)
        if (float(s["places"]) <= 0 and cheapest is not None
                and float(s["budget"]) < cheapest and s.get("integer", "none") != "none"):
            sentences.append(
                f"A budget of {money_words(float(s['budget']), currency)} is below the cost of "
                f"one training place (the cheapest costs {money_words(cheapest, currency)}): it "
                f"funds no place and leaves the expected shortfall at {before:,.0f} "
                f"{shortfall_unit(result)} {shortfall_span(result)}.")
        else:
            sentences.append(cut_text(result, before, after, cut))
        comparison = result.comparison
        if comparison is not None and "rule" in comparison:
            best = comparison[comparison["rule"] == "optimised"].sort_values("budget")
            larger = best[best["budget"] > float(s["budget"]) * (1 + 1e-9)]
            # only a budget that buys less shortfall is worth naming
            larger = larger[larger["shortfall_after"] < after - 1e-6 * max(after, 1.0)]
            if len(larger):
                row = larger.iloc[-1]
                sentences.append(
                    f"With {money_words(float(row['budget']), currency)} the expected shortfall "
                    f"would fall to {float(row['shortfall_after']):,.0f} persons "
                    f"({float(row['share_closed']):.0%} of it closed); the plan section "
                    "compares the budgets in between.")
        if result.budget_curve is not None:
            sentences.append(_closing_text(result.budget_curve, currency,
                                           shortfall_unit(result),
                                           where=f" in {shortfall_period(result)}",
                                           limit=result.curve_limit,
                                           budget=float(s["budget"])))
        elif is_multiyear(result) and len(plan.years):
            sentences.append(years_closing_text(result))
    return " ".join(sentences)


def _levels_headline(result: RunResult) -> str:
    """How the positive expected gaps (and the plan's places) split over the skill levels."""
    view = level_view(result)
    if view is None:
        return ""
    key, period = view["key"], view["period"]
    fc = result.forecast[result.forecast["period"] == period]
    plan = result.plan
    table = level_totals(fc, key=key, order=view["order"],
                         quotas=None if plan is None else plan.quotas)
    table = table[table[key] != ALL_LEVELS]
    short = float(table["positive_gap"].sum())
    if short <= 0 or len(table) > 6:
        return ""
    named = key.replace("_", " ")
    parts = [f"{row.positive_gap / short:.0%} at {_level(key, getattr(row, key))}"
             for row in table.itertuples(index=False)]
    parts[0] = parts[0].replace(" at ", " are at ", 1)
    words = (f"By {named}: of the positive expected gaps in {period}, "
             + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]))
    places = float(table["places"].sum()) if "places" in table.columns else 0.0
    if places > 0:
        shares = [f"{row.places / places:.0%} to {_level(key, getattr(row, key))}"
                  for row in table.itertuples(index=False)]
        words += ("; the plan's places go " + (shares[0] if len(shares) == 1 else
                                               ", ".join(shares[:-1]) + " and " + shares[-1]))
    return words + "."


def _level(key: str, value) -> str:
    """A level's name in words (skill levels: ``high-skilled``)."""
    return level_words(str(value)) if key == "skill_level" else str(value)


def _closing_text(curve, currency: str, unit: str, *, where: str = "",
                  limit: dict | None = None, budget: float | None = None) -> str:
    """What budget closes the curve's share of the expected shortfall, or what no budget can.

    ``limit`` (:func:`talentgap.cli._budget_grid.curve_limit`) says what ends
    the curve: places that cost nothing (money limits nothing), the
    capacities, or places that already cover the need the plan is chosen
    against (every scenario's gap for the expected shortfall, the quantile
    gap with ``risk = "quantile"``). Without it the sentence names the
    plan's limits in general. ``budget`` is the plan's: above the money
    that buys the smallest shortfall, the sentence says it is more than the
    plan can use.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.planning import BudgetCurve
    >>> table = pd.DataFrame({"shortfall_after": [100.0, 60.0, 40.0],
    ...                       "share_closed": [0.0, 0.4, 0.6]},
    ...                      index=pd.Index([0.0, 1e6, 2e6], name="budget"))
    >>> curve = BudgetCurve(table, float("nan"), 0.95, None, "market")
    >>> limit = {"budget": 2e6, "units": 4, "unit": "cells", "at_capacity": 3,
    ...          "free": False, "risk": "quantile", "quantile": 0.8}
    >>> print(_closing_text(curve, "yuan", "persons", limit=limit))
    No budget closes 95% of it: beyond about 2 million yuan more money buys nothing, as 3 of
    the 4 cells are then at their capacities and the places of the other one cover its
    80th-percentile gap (the plan is chosen against that gap, which more places there would
    not lower); the expected shortfall then falls to 40 persons (60% closed).
    """
    share = f"{curve.share:.0%}"
    if np.isfinite(curve.closing_budget):
        within = float(getattr(curve, "closing_tolerance", np.nan))
        if np.isfinite(within) and within > 0:   # refined between the grid's budgets
            return (f"Closing {share} of the expected shortfall{where} takes about "
                    f"{money_words(curve.closing_budget, currency)} (to within "
                    f"{money_words(within, currency)}).")
        return (f"Closing {share} of the expected shortfall{where} takes at most about "
                f"{money_words(curve.closing_budget, currency)} (the smallest of the budgets "
                "tried that does).")
    last = curve.table.iloc[-1]
    falls = (f"the expected shortfall then falls to {float(last['shortfall_after']):,.0f} "
             f"{unit} ({float(last['share_closed']):.0%} closed)")
    if limit is None:
        return (f"No budget closes {share} of it under the plan's limits: beyond about "
                f"{money_words(float(curve.table.index.max()), currency)} more money buys "
                f"nothing, and {falls}.")
    if limit["free"]:
        return (f"No budget closes {share} of it: places cost nothing here (free_places in "
                "the [plan] part of the configuration), so money does not limit the plan, "
                f"the capacities do; with the places they allow {falls.replace(' then ', ' ')}.")
    stop = float(limit["budget"])
    words = f"No budget closes {share} of it: beyond about {money_words(stop, currency)} "
    if budget is not None and budget > stop * (1 + 1e-9):
        words += (f"more money buys nothing (the budget of {money_words(budget, currency)} is "
                  "more than the plan can use)")
    else:
        words += "more money buys nothing"
    return f"{words}, as {_stop_words(limit)}; {falls}."


def _stop_words(limit: dict) -> str:
    """Why more places stop helping: capacities, and the need already covered elsewhere."""
    n, full, units = int(limit["units"]), int(limit["at_capacity"]), limit["unit"]
    one = units[:-1]
    if limit["risk"] == "quantile":
        q = pd.to_numeric(pd.Series([limit.get("quantile")]), errors="coerce").iloc[0]
        gap = f"{percentile_words(float(q))} gap" if pd.notna(q) else "quantile gap"
        covered = (f"cover {{its}} {gap} (the plan is chosen against that gap, which "
                   "more places there would not lower)")
    else:
        covered = ("already cover {its} simulated gaps, so one more place would not lower "
                   "the expected shortfall")
    short = int(limit.get("short", 0))
    if short:   # cells left short below their capacities: no class runs, or whole places
        why = ("no class of the minimum size runs there" if limit.get("min_class")
               else "places are whole")
        return (f"{full:,} of the {n:,} {units} are then at their capacities and "
                f"{short:,} others stay short ({why}), while the places of the rest "
                + covered.format(its="their"))
    if full >= n:
        return f"every {one}'s places are then at its capacity"
    rest = n - full
    them, its = ("the other one", "its") if rest == 1 else (f"the other {rest:,}", "their")
    if full == 0:
        return f"the places of every {one} then " + covered.format(its="its")
    return (f"{full:,} of the {n:,} {units} are then at their capacities and the places of "
            f"{them} " + covered.format(its=its))


def subtitle(result: RunResult) -> str | None:
    parts = []
    if result.panel is not None:
        parts.append(f"history {result.panel['period'].min()}–{result.panel['period'].max()}")
    reach, plan = result.forecast_reach, result.plan
    planned = reach is not None and plan is not None and result.forecast is not None
    if result.forecast is not None:
        fc = result.forecast["period"]
        if planned:  # the tables' periods apart from the longer forecast of the plan's needs
            per = per_period(getattr(fc.max(), "freqstr", "Q"))
            n = fc.nunique()
            parts.append(f"tables of the next {n} {per}{'s' if n > 1 else ''} "
                         f"({fc.min()}–{fc.max()})")
        else:
            parts.append(f"forecast {fc.min()}–{fc.max()}")
    if planned:
        funding = [int(str(y)[:4]) for y in result.config.plan.years]
        years = [int(str(p)[:4]) for p in plan.years["period"]]
        words = f"plan years {_span(funding)}"
        if years[-1] > funding[-1]:  # the places of the last years serve later needs
            words += f", plan needs counted {_span(years)} and forecast to {reach}"
        else:
            words += f", plan needs forecast to {reach}"
        held = held_need(result)
        parts.append(words + (f" ({held_words(held)})" if held else ""))
    return ", ".join(parts) or None


def _span(years: list[int]) -> str:
    """``2025–2028`` for consecutive years, ``2025`` for one, else ``2025, 2027``.

    Examples
    --------
    >>> _span([2025, 2026, 2027, 2028]), _span([2026]), _span([2025, 2027])
    ('2025–2028', '2026', '2025, 2027')
    """
    if len(years) == 1:
        return str(years[0])
    if years == list(range(years[0], years[0] + len(years))):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)


def headline_figures(result: RunResult) -> dict:
    figures = {}
    keys = list(result.config.data.keys)
    if result.panel is not None:
        figures[f"Cells ({key_words(keys)})"] = int(
            result.panel.groupby(keys, observed=True).ngroups)
    if result.forecast is not None:
        totals = last_period_totals(result.forecast)
        period = totals["last_period"]
        per = per_period(getattr(result.forecast["period"].max(), "freqstr", "Q"))
        figures[f"Sum of positive expected gaps, {period} (persons in the {per})"] = int(
            round(totals["sum_positive_expected_gaps"]))
        figures[f"Net expected gap, {period}: shortages minus surpluses (persons in the "
                f"{per})"] = int(round(totals["net_expected_gap"]))
        figures["Cells short with a probability of "
                f"{totals['likely_short_min_p_shortage']:.0%} or more"] = (
            totals["cells_likely_short"])
    if result.leaderboard is not None:
        best = result.leaderboard.iloc[0]
        # the short name: the table and the verdict below say what it is
        figures["Most accurate in backtest"] = model_name(str(best["model"])).split(" (")[0]
    if result.plan is not None:
        s = result.plan.summary
        figures["Training places funded"] = int(round(float(s["places"])))
        currency = result.config.output.currency
        figures["Cost of the plan, of the budget"] = (
            f"{float(s['total_cost']):,.0f} of {float(s['budget']):,.0f} {currency}".strip())
        figures[f"Expected shortfall {shortfall_span(result)} ({shortfall_unit(result)}): "
                "before → after"] = (
            f"{s['shortfall_before']:,.0f} → {s['shortfall_after']:,.0f}")
        figures.update(_target_figures(result))
    return figures


def _target_figures(result: RunResult) -> dict:
    """Key figures of a run with targets: regions reaching each, a rough cost of the rest."""
    reach = target_reach(result)
    if reach is None:
        return {}
    figures = {}
    for level, n in sorted(reach["reach"].items(), key=lambda item: item[0] != "skilled"):
        targeted, regions = reach["targeted"][level], reach["regions"]
        if targeted == 0:
            continue
        value = f"{n} of {targeted}"
        if targeted < regions:  # regions without a target at this level neither reach nor miss
            value += (f" with a target ({regions - targeted} of {regions} regions have no "
                      f"{level_words(level)} target)")
        figures[f"Regions reaching the {level_words(level)} target in {reach['year']}, with "
                "the plan"] = value
    rough = rough_reach_cost(result)
    if rough is not None:
        served = level_words(result.config.targets.plan_level)
        figures[f"Rough cost of reaching the {served} target in {rough['year']} (estimate, "
                "formula below)"] = "~" + money_words(rough["cost"], result.config.output.currency,
                                                       figures=2)
    return figures


def totals_text(result: RunResult) -> str:
    """What the report's totals count, in words, so each figure is defined where it appears.

    The sum of positive expected gaps adds the cells' expected gaps (the
    ``gap`` column of the shortage table) where they are above 0; the
    expected shortfall, by which the plan is judged, adds the persons short
    over all cells in each simulated scenario and averages over the
    scenarios, so it counts the cells with an expected surplus that are
    short in some scenarios too, and is the larger of the two.

    Examples
    --------
    >>> from talentgap.cli.config import Config
    >>> from talentgap.cli.pipeline import run
    >>> result = run(Config.from_dict({"forecast": {"model": "naive", "n_samples": 100}}),
    ...              steps=("forecast",), demo=True)
    >>> totals_text(result).startswith("How the totals are counted: a cell's gap")
    True
    """
    fc = result.forecast
    if fc is None or not fc["gap"].notna().any():
        return ""
    last = fc["period"].max()
    freq = getattr(last, "freqstr", "")
    per = {"Q": "quarter", "M": "month"}.get(str(freq)[:1], "year")
    words = [f"How the totals are counted: a cell's gap in a {per} is the skill-shortage "
             f"vacancies employers are expected to report in that {per}'s survey (demand) "
             "minus the certified workers expected to become available to the cell during "
             f"the {per} (supply), in persons; a positive gap is a shortage. Each {per}'s "
             "gap stands on its own: gaps of different periods are not added up, as a post "
             "still open a period later would be counted twice. The sum of positive "
             f"expected gaps adds, over the cells, the expected gaps in {last} that are above "
             "0 (the expected-gap column of the table of largest expected gaps)."]
    if result.plan is not None:
        s = result.plan.summary
        scenarios = s.get("scenarios")
        counted = (f"{int(scenarios):,} simulated scenarios" if pd.notna(scenarios)
                   else "the simulated scenarios")
        if is_multiyear(result):
            words.append(
                "The expected shortfall adds the persons short over all cells and over the "
                f"years {s.get('need_periods', '')} (a year's need is the average of its "
                f"periods' gaps) and averages over {counted}, so it is counted in "
                "person-years.")
            if result.policy is not None:
                weight = float(result.config.plan.policy_weight)
                times = "as much" if weight == 1 else f"{weight:g} times as much"
                served = level_words(result.config.targets.plan_level)
                words.append(
                    f"The plan also serves the policy's {served} target: its weighted expected "
                    f"shortfall counts a worker short of that target {times} as a vacancy (the "
                    "policy_weight setting in the [plan] part of the configuration).")
        else:
            words.append(
                "The expected shortfall adds the persons short over all cells in "
                f"{shortfall_period(result)} "
                f"and averages over {counted} of demand and supply: it is larger than the sum "
                "of positive expected gaps because a cell whose expected gap is a surplus is "
                "still short in some scenarios. "
                + ("The plan is judged by the expected shortfall; "
                   if plan_quantile(result) is None else
                   f"The plan is chosen against the {objective_words(result)} and its "
                   "expected shortfall is shown for comparison; ")
                + "the gaps before and after the plan in its table are expected gaps per cell.")
    return " ".join(words)
