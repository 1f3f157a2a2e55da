"""The report's headline, subtitle, key figures and totals: the first screen a planner reads."""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._words import money_words, percentile_words
from talentgap.cli._by_level import ALL_LEVELS, level_totals
from talentgap.cli._plan_levels import UPGRADES_LEFT_OUT
from talentgap.cli._reach_bound import capacity_bound_words
from talentgap.cli._report_front import (
    probability_words,
)
from talentgap.cli._report_plan_tables import cheapest_place
from talentgap.cli._report_plan_words import (
    cut_text,
    held_need,
    held_words,
    objective_words,
    plan_quantile,
    years_closing_text,
)
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

__all__ = ["headline_text", "totals_text", "headline_figures", "shortfall_figures",
           "region_shares_text", "estimate_words", "subtitle"]


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
        first = top.iloc[0]
        sentences.append(f"In {last['period'].iloc[0]} the largest expected shortage is in "
                         f"{cell_name(first, keys)}: {first['gap']:,.0f} persons short in the "
                         f"{per} on average, "
                         f"{probability_words(first['p_shortage'], n_paths)}.")
        for rank, (_, row) in zip(("second", "third"), top.iloc[1:].iterrows(), strict=False):
            # one short sentence per cell, not one long list
            sentences.append(f"The {rank} is {cell_name(row, keys)} ({row['gap']:,.0f} "
                             f"persons, {probability_words(row['p_shortage'], n_paths)}).")
        sure = int((last["p_shortage"] >= LIKELY_SHORT).sum())
        sentences.append(f"{sure} of {len(last)} cells are short with a probability "
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
    No budget closes 95% of it. Beyond about 2 million yuan more money buys nothing. 3 of the
    4 cells are then at their capacities and the places of the other one cover its
    80th-percentile gap. The plan is chosen against that gap, which more places there would
    not lower. The expected shortfall then falls to 40 persons (60% closed).
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
        return (f"No budget closes {share} of it, as places cost nothing here. Money does not "
                "limit the plan: the capacities do. With the places they allow "
                f"{falls.replace(' then ', ' ')}.")
    stop = float(limit["budget"])
    # short sentences: what no budget does, where money stops helping, why, what it reaches
    words = (f"No budget closes {share} of it. Beyond about {money_words(stop, currency)} "
             "more money buys nothing")
    if budget is not None and budget > stop * (1 + 1e-9):
        words += (f" (the budget of {money_words(budget, currency)} is more than the plan "
                  "can use)")
    why = _stop_words(limit)
    return f"{words}. {why[:1].upper()}{why[1:]}. {falls[:1].upper()}{falls[1:]}."


def _stop_words(limit: dict) -> str:
    """Why more places stop helping: capacities, and the need already covered elsewhere."""
    n, full, units = int(limit["units"]), int(limit["at_capacity"]), limit["unit"]
    one = units[:-1]
    if limit["risk"] == "quantile":
        q = pd.to_numeric(pd.Series([limit.get("quantile")]), errors="coerce").iloc[0]
        gap = f"{percentile_words(float(q))} gap" if pd.notna(q) else "quantile gap"
        covered = (f"cover {{its}} {gap}. The plan is chosen against that gap, which "
                   "more places there would not lower")
    else:
        covered = ("already cover {its} simulated gaps. One more place there would not lower "
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
        figures.update(shortfall_figures(result))
        cuts = getattr(result, "budget_cuts", None) if is_multiyear(result) else None
        if cuts is not None and len(cuts) > 1:   # the smallest budget the run compared
            least, full = cuts.iloc[-1], cuts.iloc[0]
            more = f"+{least['shortfall_after'] - full['shortfall_after']:,.0f} of vacancies"
            if pd.notna(least["policy_shortfall_after"]):
                extra = least["policy_shortfall_after"] - full["policy_shortfall_after"]
                more += f", +{extra:,.0f} against the target"
            figures[f"At {least['share']:.0%} of the budget: places; more expected shortfall "
                    f"({shortfall_unit(result)})"] = f"{least['places']:,.0f}; {more}"
        money = region_shares_text(result)
        if money:
            figures["Where the money goes (share of the cost, largest regions)"] = money
        figures.update(_target_figures(result))
    return figures


def estimate_words(result: RunResult) -> str:
    """One sentence near the headline: the plan's figures are estimates, on which assumptions.

    For a plan: expected figures are averages over the simulated futures,
    and the workers a place adds rest on the pass rate and the absorption
    (averages over the funded places); with targets, the shares are
    projections. "" without a plan.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> quotas = pd.DataFrame({"quota": [10.0, 30.0], "pass_rate": [0.6, 0.7],
    ...                        "absorption": [0.8, 0.9]})
    >>> r = NS(plan=NS(quotas=quotas, summary=pd.Series({"scenarios": 200})),
    ...        config=NS(targets=NS(given=True)))
    >>> print(estimate_words(r))
    The plan's figures are estimates, not certainties. "Expected" means the average over 200 simulated futures of the gap. The workers a place adds assume that 68% of its trainees certify (pass rate) and 88% of those take a job in their trade (absorption). The target shares are projections on these assumptions.
    """  # noqa: E501
    plan = getattr(result, "plan", None)
    if plan is None:
        return ""
    quotas, s = plan.quotas, plan.summary
    parts = []
    n = s.get("scenarios")
    if n is not None and pd.notna(n):
        parts.append(f"\"Expected\" means the average over {int(n):,} simulated futures of "
                     "the gap")
    if {"quota", "pass_rate", "absorption"} <= set(quotas.columns) and len(quotas):
        weight = quotas["quota"].clip(lower=0).to_numpy(dtype=float)
        weight = weight if weight.sum() > 0 else np.ones(len(quotas))
        rate = float(np.average(quotas["pass_rate"], weights=weight))
        taken = float(np.average(quotas["absorption"], weights=weight))
        parts.append(f"The workers a place adds assume that {rate:.0%} of its trainees certify "
                     f"(pass rate) and {taken:.0%} of those take a job in their trade "
                     "(absorption)")
    if getattr(getattr(result.config, "targets", None), "given", False):
        parts.append("The target shares are projections on these assumptions")
    if not parts:
        return ""
    return "The plan's figures are estimates, not certainties. " + ". ".join(parts) + "."


def _before_after(before: float, after: float) -> str:
    """``75,899 → 63,853 (16% less)``: a shortfall before and after the plan."""
    text = f"{before:,.0f} → {after:,.0f}"
    return text + (f" ({1 - after / before:.0%} less)" if before > 0 else "")


def shortfall_figures(result: RunResult) -> dict:
    """The key figures of the plan's shortfall: of vacancies and, with targets, against them.

    A plan that also serves a policy target minimises both parts together
    (the vacancies plus the workers short of the target, times ``[plan]
    policy_weight``), so both are shown, labelled, each with its cut.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> import pandas as pd
    >>> s = pd.Series({"need_periods": "2025 to 2026", "shortfall_before": 200.0,
    ...                "shortfall_after": 150.0,
    ...                "policy_shortfall_before": 1000.0, "policy_shortfall_after": 960.0})
    >>> r = NS(plan=NS(summary=s, years=None),
    ...        config=NS(plan=NS(years=(2025, 2026)), targets=NS(plan_level="skilled")))
    >>> for label, value in shortfall_figures(r).items():
    ...     print(f"{label}: {value}")
    Expected shortfall of vacancies summed over 2025 to 2026 (person-years): before → after: 200 → 150 (25% less)
    Expected shortfall against the skilled target summed over 2025 to 2026 (person-years): before → after: 1,000 → 960 (4% less)
    """  # noqa: E501
    s = result.plan.summary
    span, unit = shortfall_span(result), shortfall_unit(result)
    policy = ("policy_shortfall_before" in s and "policy_shortfall_after" in s
              and pd.notna(s["policy_shortfall_before"]))
    market = " of vacancies" if policy else ""
    figures = {f"Expected shortfall{market} {span} ({unit}): before → after": _before_after(
        float(s["shortfall_before"]), float(s["shortfall_after"]))}
    if policy:
        served = level_words(result.config.targets.plan_level)
        figures[f"Expected shortfall against the {served} target {span} ({unit}): before → "
                "after"] = _before_after(float(s["policy_shortfall_before"]),
                                         float(s["policy_shortfall_after"]))
    return figures


def region_shares_text(result: RunResult, *, top: int = 3) -> str:
    """``B 37%, A 15%, C 12%``: the regions with the largest shares of the plan's cost.

    "" without a ``region`` key or without spending.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> quotas = pd.DataFrame({"region": ["A", "A", "B", "C"], "cost": [3e5, 2e5, 4e5, 1e5]})
    >>> region_shares_text(NS(plan=NS(quotas=quotas)), top=2)
    'A 50%, B 40%; other regions 10%'
    """
    quotas = result.plan.quotas
    if "region" not in quotas.columns or "cost" not in quotas.columns:
        return ""
    cost = quotas.groupby("region", observed=True)["cost"].sum()
    total = float(cost.sum())
    if total <= 0:
        return ""
    cost = cost[cost > 0].sort_values(ascending=False, kind="stable")
    text = ", ".join(f"{region} {value / total:.0%}" for region, value in cost.head(top).items())
    if len(cost) > top:
        text += f"; other regions {float(cost.iloc[top:].sum()) / total:.0%}"
    return text


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
        when = (f"in {reach['year']}" if len(reach["years"]) == 1 else
                f"in its own target year ({reach['years'][0]}–{reach['years'][-1]})")
        figures[f"Regions reaching the {level_words(level)} target {when}, with "
                "the plan"] = value
    rough = rough_reach_cost(result)
    if rough is not None:
        served = level_words(result.config.targets.plan_level)
        figures[f"Rough cost of reaching the {served} target in {rough['year']} (estimate, "
                "formula below)"] = "~" + money_words(rough["cost"], result.config.output.currency,
                                                       figures=2) + (
            f"; not reachable by {rough['year']} within the current capacities"
            if capacity_bound_words(result.plan.quotas, int(str(rough["year"])[:4]),
                                    rough["places"]) else "")
    return figures


def _upgrades_clause(result: RunResult) -> str:
    """``; upgrade training left out ...`` when the run's notes say supply leaves it out."""
    if not any(str(note).startswith(UPGRADES_LEFT_OUT) for note in result.notes):
        return ""
    return ("; upgrade training between skilled levels is left out, as its workers already "
            "hold jobs in their cell: see the notes")


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
    words = [f"How the totals are counted: a cell's gap in a {per} is demand minus supply, "
             f"in persons. Demand is the skill-shortage vacancies employers are expected to "
             f"report in that {per}'s survey. Supply is the certified workers expected to "
             f"become available to the cell during the {per}{_upgrades_clause(result)}. A "
             f"positive gap is a shortage. Each {per}'s "
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
                f"years {s.get('need_periods', '')}, and averages over {counted}. A year's "
                "need is the average of its periods' gaps, so the shortfall is counted in "
                "person-years.")
            if result.policy is not None:
                weight = float(result.config.plan.policy_weight)
                times = "as much" if weight == 1 else f"{weight:g} times as much"
                served = level_words(result.config.targets.plan_level)
                words.append(
                    f"The plan also serves the policy's {served} target. It minimises the "
                    "weighted expected shortfall: the vacancies left unfilled plus the workers "
                    f"short of that target, each such worker counted {times} as a vacancy.")
        else:
            words.append(
                "The expected shortfall adds the persons short over all cells in "
                f"{shortfall_period(result)} "
                f"and averages over {counted} of demand and supply. It is larger than the sum "
                "of positive expected gaps: a cell whose expected gap is a surplus is "
                "still short in some scenarios. "
                + ("The plan is judged by the expected shortfall; "
                   if plan_quantile(result) is None else
                   f"The plan is chosen against the {objective_words(result)} and its "
                   "expected shortfall is shown for comparison; ")
                + "the gaps before and after the plan in its table are expected gaps per cell.")
    return " ".join(words)
