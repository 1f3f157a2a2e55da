"""The report's plan sections: the plan, the plan over the years, and the view by skill level.

Examples
--------
>>> from talentgap.cli.config import Config
>>> from talentgap.cli.pipeline import DEMO_PLAN, run
>>> from talentgap.report import Report
>>> result = run(Config.from_dict({"forecast": {"model": "naive", "n_samples": 100},
...                                "plan": DEMO_PLAN}), steps=("plan",), demo=True)
>>> report = Report("Plan")
>>> plan_section(report, result, {})
>>> "Training quota plan" in report.to_html()
True
"""

from __future__ import annotations

import pandas as pd

from talentgap._words import money_words, percentile_words
from talentgap.cli._budget_cuts import add_budget_cuts
from talentgap.cli._by_level import ALL_LEVELS, detail_keys, level_totals
from talentgap.cli._notes import plain_note, plain_plan_note, small_classes_note
from talentgap.cli._report_plan_tables import (
    all_years_words,
    binding_sentences,
    certified_words,
    funded_rows,
    plan_years_table,
    run_levels,
    shared_budget_front_loaded,
)
from talentgap.cli._report_tables import (
    add_table,
    is_multiyear,
    shortfall_period,
    shortfall_span,
    shortfall_unit,
)
from talentgap.cli._report_targets import region_table, target_reach, targets_section
from talentgap.cli._target_table import target_year_words
from talentgap.cli._wording import level_words, levels_in_words
from talentgap.cli.outputs import level_view, places_by_year, plan_summary
from talentgap.cli.pipeline import RunResult
from talentgap.report import Report

__all__ = ["arrival_shortfall", "cut_text", "front_loaded_words",
           "held_need", "held_words", "levels_section", "plan_section", "years_closing_text",
           "years_section"]

_NUMBERS = ("cost", "expected_certified", "gap_before", "gap_after")


def _years(periods) -> str:
    """``2025–2029`` for consecutive years, else ``2025, 2027 and 2029``.

    Examples
    --------
    >>> _years([2025, 2026, 2027]), _years(["2025", "2027"]), _years([2026])
    ('2025–2027', '2025 and 2027', '2026')
    """
    years = [int(str(p)[:4]) for p in periods]
    if len(years) > 2 and years == list(range(years[0], years[0] + len(years))):
        return f"{years[0]}–{years[-1]}"
    names = [str(y) for y in years]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _funding_years(result: RunResult) -> str:
    """The funding years of a multi-year plan in words."""
    years = result.config.plan.years
    return _years(years) if years else str(result.plan.summary["period"])


def _levels(result: RunResult) -> list[str]:
    """The skill-level codes of the run, to show them in words in free text."""
    return run_levels(result)

def held_need(result: RunResult) -> tuple[int, list[int]] | None:
    """The last forecast year of a multi-year plan and the later need years held at its level.

    None when the forecast reaches every need year (or the plan is not
    multi-year).

    Examples
    --------
    >>> from talentgap.cli.config import Config
    >>> r = RunResult(Config.from_dict({}), forecast_reach=pd.Period("2028Q4"))
    >>> r.plan = type("Plan", (), {"years": pd.DataFrame({"period": [2027, 2028, 2029, 2030]})})
    >>> held_need(r)
    (2028, [2029, 2030])
    """
    reach, plan = result.forecast_reach, result.plan
    if reach is None or plan is None or getattr(plan, "years", None) is None:
        return None
    held = [int(str(p)[:4]) for p in plan.years["period"]
            if int(str(p)[:4]) > reach.year]
    return (reach.year, held) if held else None


def held_words(held: tuple[int, list[int]]) -> str:
    """``needs after 2028 held at 2028's level`` for :func:`held_need`'s answer."""
    return f"needs after {held[0]} held at {held[0]}'s level"


#: Names of the plans in the plan summary table.
_PLAN_NAMES = {"optimised": "optimised plan",
               "proportional": "proportional rule (places in proportion to the gap)"}


def _closing_year(result: RunResult) -> tuple[int, str]:
    """The row of the per-year table the headline speaks of, and how to name its year.

    The target year when the plan has targets and the year is in the table
    (from whichever source the targets came: ``[targets] target_year`` or
    the rows of a targets file; with several, the latest, named as such:
    :func:`talentgap.cli._report_targets.target_reach`); otherwise the last
    need year, with a word on a target year outside the table.
    """
    years = [int(str(p)[:4]) for p in result.plan.years["period"]]
    reach = target_reach(result) if result.target_path is not None else None
    targets = reach["years"] if reach is not None else []
    if not targets:
        return len(years) - 1, ""
    target = targets[-1]
    if target in years:
        return years.index(target), f", {target_year_words(targets)},"
    # outside the years the plan counts
    return len(years) - 1, (f" (the last year the plan counts; {target_year_words(targets)} "
                            f"is {target})")


def arrival_shortfall(result: RunResult) -> dict | None:
    """A multi-year plan's expected shortfall over the years its places can reach.

    Places funded in the first funding year certify ``lead_time`` years
    later: the years before cannot gain from the plan, and a cut counted
    over them is diluted. Returns ``first`` and ``last`` (the years from the
    first arrival on), ``before``, ``after`` (their shortfalls summed, from
    the per-year table) and ``early`` (the years before, in words), or None
    when every counted year can be reached (``lead_time = 0``).
    """
    years = result.plan.years
    labels = years["period"].astype(str).str[:4].astype(int).to_numpy()
    first = int(str(result.config.plan.years[0])[:4]) + int(result.config.plan.lead_time)
    reach = labels >= first
    if reach.all() or not reach.any():
        return None
    return {"first": first, "last": int(labels[-1]),
            "before": float(years.loc[reach, "shortfall_before"].sum()),
            "after": float(years.loc[reach, "shortfall_after"].sum()),
            "early": _years(labels[~reach].tolist())}


def cut_text(result: RunResult, before: float, after: float, cut: float) -> str:
    """What the budget buys and how much of the expected shortfall it cuts, over which years.

    One figure, the key figure's (every counted year); a multi-year plan
    whose places arrive a lead time after funding also names the years no
    place can reach.
    """
    s, currency = result.plan.summary, result.config.output.currency
    unit, span = shortfall_unit(result), shortfall_span(result)
    bought = (f"A budget of {money_words(float(s['budget']), currency)} funds "
              f"{float(s['places']):,.0f} training places and cuts the expected shortfall")
    reach = arrival_shortfall(result) if is_multiyear(result) else None
    if reach is None or reach["before"] <= 0:
        return f"{bought} from {before:,.0f} to {after:,.0f} {unit} {span} ({cut:.0%} less)."
    lead = int(result.config.plan.lead_time)
    return (f"{bought} {span} from {before:,.0f} to {after:,.0f} {unit} ({cut:.0%} less). "
            f"No place can cut it in {reach['early']}: a place certifies {lead} "
            f"year{'' if lead == 1 else 's'} after it is funded, so the first arrive in "
            f"{reach['first']}.")


def years_closing_text(result: RunResult) -> str:
    """What a multi-year plan's budgets buy by the target (or last need) year; what limits it.

    Only the plan's own per-year figures: no budget curve is drawn for a
    multi-year plan (one plan per budget would be too slow), so the sentence
    says what the plan leaves short and which constraints bind.
    """
    plan = result.plan
    years = plan.years
    funded = years[years["places"] > 0]
    at, which = _closing_year(result)
    last, year = years.iloc[at], years["period"].iloc[at]
    places = funded["places"].round().to_numpy()
    if len(funded) > 1 and (places == places[0]).all():
        spent = (f"{places[0]:,.0f} places in each of {funded['period'].iloc[0]}–"
                 f"{funded['period'].iloc[-1]}")
    else:
        spent = ", ".join(f"{row.places:,.0f} places in {row.period}"
                          for row in funded.itertuples(index=False)) or "no places"
    table = plan_years_table(result)
    shared = bool(table["budget_for"].str.endswith("(shared)").any())
    idle = [int(str(p)[:4]) for p in table.loc[(table["budget_for"] != "")
                                                & (table["places"] <= 0), "period"]]
    if shared and idle and len(funded):
        spent += f" and none in {_years(idle)}"
    buy = "the budget buys" if shared else "the budgets buy"
    before, after = float(last["shortfall_before"]), float(last["shortfall_after"])
    words = (f"Over the funding years {buy} {spent}. By {year}{which} the plan's "
             f"certified workers still in their trade are expected to number "
             f"{float(last['workers']):,.0f}"
             f"{certified_words(result, year)}, and the expected shortfall in {year}")
    held = held_need(result)
    in_held = held is not None and int(str(year)[:4]) in held[1]
    words += f" ({held_words(held)})" if in_held else ""
    words += f" falls from {before:,.0f} to {after:,.0f} persons"
    words += f" ({1 - after / before:.0%} closed, {after / before:.0%} left)" if before > 0 else ""
    if "policy_shortfall_before" in years.columns and pd.notna(last["policy_shortfall_before"]):
        served = level_words(result.config.targets.plan_level)
        words += (f"; the shortfall against the {served} target in {year} falls from "
                  f"{float(last['policy_shortfall_before']):,.0f} to "
                  f"{float(last['policy_shortfall_after']):,.0f} persons")
    words += "."
    limits_table = plan.constraints
    binds, kind = limits_table["binds"].to_numpy(dtype=bool), limits_table["kind"]
    budgets = int((binds & (kind == "budget").to_numpy()).sum())
    capacities = int((binds & (kind == "capacity").to_numpy()).sum())
    others = int((binds & ~kind.isin(["budget", "capacity"]).to_numpy()).sum())
    n_years = int(years["budget"].notna().sum()) if "budget" in years.columns else 0
    limits = []
    if budgets:
        limits.append("the budget is fully used" if budgets == 1 else
                      f"the budgets of all {budgets} funding years are fully used"
                      if budgets == n_years else f"{budgets} budget limits are fully used")
    if capacities:
        limits.append("one cell reaches its training capacity in one funding year"
                      if capacities == 1 else f"cells reach their training capacity "
                      f"{capacities} times over the funding years")
    if others:
        limits.append(f"{others} other limit{'s bind' if others > 1 else ' binds'}")
    if limits:
        listed = limits[0] if len(limits) == 1 else ", ".join(limits[:-1]) + " and " + limits[-1]
        words += (f" What limits the plan: {listed}; the plan section lists each binding "
                  "constraint. More money "
                  + ("would close more of it." if budgets else "alone would not close more."))
    else:
        words += " No budget or capacity limits the plan."
    return words


def levels_section(report: Report, result: RunResult, figures: dict) -> None:
    """Totals per skill level (and occupation) and the heatmap per level, when cells have them."""
    view = level_view(result)
    if view is None:
        return
    key, period = view["key"], view["period"]
    fc = result.forecast[result.forecast["period"] == period]
    plan = result.plan
    multiyear = is_multiyear(result)
    named = key.replace("_", " ")
    report.add_section(
        f"Gaps and places by {named}",
        intro=f"The cells are split by {named}. Per {named} in {period}: expected demand, "
              "supply and gap added over the cells, the sum of the positive expected gaps"
              + (", and the training places and cost of the plan" if plan is not None else "")
              + (". Levels are listed in their declared order" if view["order"] else "")
              + ".")
    if "gap_heatmap_by_level" in figures:
        caption = (f"Expected gap in {period} per {view['rows'].replace('_', ' ')} and "
                   f"{view['cols'].replace('_', ' ')}, one panel per {named}, all on one colour "
                   "scale (red: shortage, blue: surplus)")
        report.add_figure(figures["gap_heatmap_by_level"], caption=caption, alt=caption)
    if "p_shortage_heatmap_by_level" in figures:
        caption = (f"Probability of a shortage in {period} per cell, one panel per {named} "
                   "(0–1, darker is likelier)")
        report.add_figure(figures["p_shortage_heatmap_by_level"], caption=caption, alt=caption)
    for level_key in detail_keys(result.config.data.keys):
        order = view["order"] if level_key == key else ()
        quotas = plan.quotas if plan is not None else None
        cells = plan.cells if plan is not None and not multiyear else None
        table = level_totals(fc, key=level_key, order=order, quotas=quotas, cells=cells)
        total = f"all {level_key.replace('_', ' ')}s" if level_key != "skill_level" else None
        if total is not None:
            table[level_key] = table[level_key].replace(ALL_LEVELS, total)
        else:
            table = levels_in_words(table)
        caption = f"Totals by {level_key.replace('_', ' ')} in {period}"
        if plan is not None and "places" in table.columns:
            caption += (f"; places and cost summed over the funding years {plan.summary['period']}"
                        if multiyear else "; places and cost of the optimised plan")
        add_table(report, result, table, caption=caption, max_rows=None,
                  float_format="{:,.0f}")
        if level_key == key and "places" in table.columns:
            report.add_text(_places_by_level(table, level_key))


def _places_by_level(table: pd.DataFrame, key: str) -> str:
    """The plan's places per level in words, with each level's share of all places."""
    levels = table[table[key] != ALL_LEVELS]
    total = float(levels["places"].sum())
    if total <= 0:
        return f"The plan funds no places at any {key.replace('_', ' ')}."
    parts = [f"{row.places:,.0f} for {getattr(row, key)} ({row.places / total:.0%})"
             for row in levels.itertuples(index=False)]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"The plan funds {total:,.0f} training places: {listed}."


def plan_quantile(result: RunResult) -> float | None:
    """The quantile a plan is made against (``risk = "quantile"``), or None."""
    s = result.plan.summary
    if str(s.get("risk", "expected")) != "quantile":
        return None
    q = pd.to_numeric(pd.Series([s.get("quantile")]), errors="coerce").iloc[0]
    return float(q) if pd.notna(q) else result.config.plan.quantile


def objective_words(result: RunResult) -> str:
    """What the plan minimises: ``expected shortfall`` or the shortfall against a quantile gap.

    Examples
    --------
    >>> from talentgap.cli.config import Config
    >>> from talentgap.cli.pipeline import run
    >>> result = run(Config.from_dict({"forecast": {"model": "naive", "n_samples": 100},
    ...                               "plan": {"budget": 1e6, "cost_per_trainee": 6000,
    ...                                        "risk": "quantile", "quantile": 0.8}}),
    ...              steps=("forecast", "plan"), demo=True)
    >>> objective_words(result)
    "shortfall against each cell's 80th-percentile gap"
    """
    q = plan_quantile(result)
    if q is None:
        return "expected shortfall"
    return f"shortfall against each cell's {percentile_words(q)} gap"


def quantile_note(result: RunResult) -> str:
    """For a plan made against a quantile gap: what that means and why surplus cells get places.

    Empty for a plan that minimises the expected shortfall.
    """
    q = plan_quantile(result)
    if q is None:
        return ""
    return (f" The plan guards against the worse outcomes (risk = \"quantile\", quantile "
            f"{q:g}): each cell is planned for the gap it exceeds with a probability of only "
            f"{1 - q:.0%}, not for its expected gap, so a cell whose expected gap is a surplus "
            f"is funded when its {percentile_words(q)} gap is still a shortage. The shortfalls "
            "in the tables are expected shortfalls, shown for comparison: the plan is not "
            "chosen to make them smallest, and the proportional rule can leave a smaller one.")


def pass_rate_note(result: RunResult) -> str:
    """The plan's pass rate and its source when ``[plan] pass_rate`` is not set (else "").

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> config = SimpleNamespace(plan=SimpleNamespace(pass_rate=0.69))
    >>> pass_rate_note(SimpleNamespace(config=config, pass_rate_basis="observed: ..."))[:50]
    ' Pass rate of every place: 0.69, observed: ... (th'
    """
    basis = getattr(result, "pass_rate_basis", None)
    if basis is None:
        return ""
    return (f" Pass rate of every place: {float(result.config.plan.pass_rate):.2f}, {basis} "
            "(the pass_rate setting in the [plan] part of the configuration is not set; set "
            "it to plan with another rate, or give a CSV of rates per cell).")


def _objective_total(result: RunResult) -> str:
    """The shortfall the constraints' effects are changes of, with its parts, in words."""
    s = result.plan.summary
    total = pd.to_numeric(pd.Series([s.get("objective")]), errors="coerce").iloc[0]
    if result.policy is None or pd.isna(total) or "policy_shortfall_after" not in s:
        return ""
    weight = float(result.config.plan.policy_weight)
    times = "" if weight == 1 else f"{weight:g} × "
    words = (f"; the effects are changes of the weighted expected shortfall, which the plan "
             f"leaves at {float(total):,.0f} {shortfall_unit(result)}, "
             f"{float(s['shortfall_after']):,.0f} of vacancies plus {times}"
             f"{float(s['policy_shortfall_after']):,.0f} against the "
             f"{level_words(result.config.targets.plan_level)} target")
    penalty = float(s.get("surplus_penalty", 0) or 0)
    if penalty > 0 and pd.notna(s.get("surplus_after")):
        words += f" plus {penalty:g} × {float(s['surplus_after']):,.0f} of surplus"
    return words


def plan_section(report: Report, result: RunResult, figures: dict) -> None:
    """The plan: its summary against the proportional rule, binding limits, places per cell."""
    plan = result.plan
    s = plan.summary
    currency = result.config.output.currency
    budget = f"{s['budget']:,.0f} {currency}".strip()
    if is_multiyear(result):
        unit = ("training programme in each region" if "program" in plan.quotas.columns
                else "cell")
        intro = (f"Places per {unit} and funding year ({_funding_years(result)}) that "
                 f"minimise the {objective_words(result)} "
                 f"summed over the years {s.get('need_periods', '')} within a budget "
                 f"of {budget} in all, counting pass rates and absorption.")
    else:
        why = ("the last forecast period: training and certification take time, so places "
               "funded now serve the latest period forecast"
               if result.config.plan.period is None else "the period set in the configuration")
        funded = str(s["period"])   # the places count lead_time periods later
        need = shortfall_period(result)
        if need != funded:
            why += (f"; the places are funded in {funded} and count from {need}, once their "
                    "trainees certify ([plan] lead_time)")
        intro = (f"Places per cell that minimise the {objective_words(result)} in "
                 f"{need} ({why}) within a budget of {budget}, counting pass rates and "
                 "absorption, compared with funding places in proportion to each cell's "
                 "expected gap.")
    intro += quantile_note(result) + pass_rate_note(result)
    if not currency:
        intro += (" No currency is configured (the currency setting in the [output] part of the "
                  "configuration), so sums of money are shown without a unit.")
    penalty = result.config.plan.surplus_penalty
    if penalty:
        intro += (f" Each certified worker the plan would add beyond the need counts against it "
                  f"as {penalty:g} of a worker short (the surplus penalty): places that would "
                  "mostly train people for posts that are not there are left out; the "
                  "shortfalls shown do not include it.")
    report.add_section("Training quota plan", intro=intro)
    columns = ["plan", "total_cost", "places", "expected_certified",
               "shortfall_before", "shortfall_after", "shortage_reduction"]
    summary = plan_summary(result)
    if is_multiyear(result):  # every place's workers, once certified, before exits
        summary = summary.rename(columns={"expected_certified": "certified_all_years"})
        columns[columns.index("expected_certified")] = "certified_all_years"
    compared = bool((summary["plan"] == "proportional").any())
    summary = summary.assign(plan=summary["plan"].map(_PLAN_NAMES).fillna(summary["plan"]))
    add_table(report, result, summary[[c for c in columns if c in summary]],
              caption=("Optimised plan and proportional rule" if compared else
                       "Optimised plan: cost, places, expected workers added and expected "
                       "shortfall") + f" (cost in "
              f"{currency or 'money'}; expected shortfall {shortfall_span(result)}, in "
              f"{shortfall_unit(result)}{all_years_words(result)})", max_rows=None,
              float_format="{:,.0f}")
    if not compared and is_multiyear(result):
        report.add_text("A plan over several funding years is not compared with the "
                        "proportional rule (places in proportion to each cell's expected "
                        "gap): that rule divides one period's budget and has no form over "
                        "several funding years, so no plan_comparison.csv is written.")
    add_budget_cuts(report, result)  # the same plan at smaller budgets, its surplus workers
    if len(plan.constraints):
        lines = binding_sentences(result)[:12]
        report.add_text("Binding constraints (the limits that shape the plan, and what "
                        f"relaxing each would buy{_objective_total(result)}):\n\n"
                        + "\n\n".join(lines))
        if len(plan.constraints) > 12:
            report.add_text(f"... and {len(plan.constraints) - 12} more, all listed in the output "
                            "file plan_binding.csv (one line per constraint).")
    if not is_multiyear(result):  # a multi-year plan's notes follow its per-year table
        for note in plan.notes:
            report.add_note(plain_note(plain_plan_note(note), levels=_levels(result)),
                            kind="info")
    funded, order = funded_rows(plan.quotas, result.config.data.keys)
    ids = [c for c in ("program", *result.config.data.keys) if c in funded.columns]
    if "period" in funded.columns and is_multiyear(result):
        ids.append("funding_year")  # a cell is funded in several years
        funded = funded.assign(funding_year=funded["period"].astype(str))
    shown = [c for c in (*ids, "quota", "cost", "expected_certified", "gap_before",
                         "gap_after", "feeds") if c in funded.columns]
    unit = "programme" if "program" in ids else "cell"
    caption = f"Places funded per {unit}" + (" and year" if "funding_year" in ids else "")
    caption += f" ({order}); cost in {currency}" if currency else f" ({order})"
    if "gap_before" in shown:
        caption += ("; gaps before and after the plan are expected gaps in "
                    f"{shortfall_period(result)} (persons)")
    whole = bool((funded["quota"] == funded["quota"].round()).all())
    if not whole:
        caption += "; places are not rounded to whole numbers in this plan"
    if "expected_certified" in shown:  # totals come from the unrounded values
        caption += ("; figures are rounded to whole persons, so they may not add up to the "
                    "plan's totals")
    formats = {c: "{:,.0f}" for c in shown if c in _NUMBERS}
    formats["quota"] = "{:,.0f}" if whole else "{:,.1f}"
    add_table(report, result, levels_in_words(funded[shown]), caption=caption, max_rows=30,
              float_format=formats, source="quotas.csv (sheet quotas of results.xlsx)")
    small = (None if result.config.plan.min_class_size is not None  # the plan keeps a class
             else small_classes_note(plan.quotas, list(result.config.data.keys)))
    if small:
        report.add_note(small)
    region_table(report, result)  # places and cost per region, all regions first
    if "shortfall_vs_budget" in figures and result.comparison is not None:
        report.add_figure(figures["shortfall_vs_budget"],
                          caption="Expected shortfall against budget, optimised vs "
                          "proportional", alt="Shortfall against budget for both rules")


def _places_per_year(report: Report, result: RunResult) -> None:
    """The funded programmes (or cells) with their places in each funding year."""
    wide = places_by_year(result.plan.quotas)
    wide = wide[wide["total"] > 0].sort_values("total", ascending=False, kind="stable")
    programmes = "program" in wide.columns
    years = set(result.plan.quotas["period"].astype(str))
    ids = [("programme" if c == "program" else c.replace("_", " ")) for c in wide.columns
           if c not in years and c != "total"]
    unit = ", ".join(ids[:-1]) + " and " + ids[-1] if programmes and len(ids) > 1 else "cell"
    caption = f"Places per {unit} (funded ones, most places first) in each funding year"
    if programmes:
        names = wide["program"].astype(str).unique().tolist()
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        report.add_text(f"Places go to {len(names)} training programme"
                        f"{'s' if len(names) > 1 else ''}: {listed}; graduates join the "
                        "industries their programme trains for, in its region.")
    whole = bool((wide["total"] == wide["total"].round()).all())
    add_table(report, result, levels_in_words(wide), caption=caption, max_rows=30,
              float_format="{:,.0f}" if whole else "{:,.1f}",
              source="plan_places.csv (sheet plan_places of results.xlsx)")


def years_section(report: Report, result: RunResult, figures: dict) -> None:
    """Places and cost per year, in words, and the target path per region."""
    plan, years = result.plan, result.plan.years
    s = plan.summary
    funded = years[years["places"] > 0]
    last = years.iloc[-1]
    budget = f"{s['budget']:,.0f} {result.config.output.currency}".strip()
    currency = result.config.output.currency
    words = (f"The plan funds {s['places']:,.0f} training places over "
             f"{_funding_years(result)} for {s['total_cost']:,.0f} of a {budget} budget; "
             f"by {last['period']}, "
             f"{last['workers']:,.0f} of the certified workers are still in their trade"
             f"{certified_words(result, last['period'])}, and "
             f"the expected shortfall of vacancies summed over {s['need_periods']} falls from "
             f"{s['shortfall_before']:,.0f} to {s['shortfall_after']:,.0f} person-years")
    if result.policy is not None:
        words += (f"; the shortfall against the "
                  f"{level_words(result.config.targets.plan_level)} target falls from "
                  f"{s['policy_shortfall_before']:,.0f} to {s['policy_shortfall_after']:,.0f} "
                  "person-years")
    lead = int(result.config.plan.lead_time)
    report.add_section(
        "Plan over the years",
        intro="Places are funded in each plan year and certify "
              f"{lead} year{'' if lead == 1 else 's'} later; each year after that, a share of "
              "the certified workers equal to the exit rate leaves the trade (retirement, "
              "moving, changing jobs). A year's need for workers is the average of its "
              "quarters' expected gaps.")
    report.add_text(words + ".")
    early = shared_budget_front_loaded(result)
    if early is not None:
        report.add_text(front_loaded_words(result, *early))
    years = plan_years_table(result)  # as plan_years.csv: the budget said on every row
    shared = bool(years["budget_for"].str.endswith("(shared)").any())
    shown = [c for c in ("period", "places", "cost", "cost_to_date" if shared else None,
                         "budget", "workers", "shortfall_before", "shortfall_after",
                         "policy_shortfall_before", "policy_shortfall_after")
             if c in years.columns]
    money_unit = currency or "money"
    table = years[shown].rename(columns={"period": "year"})
    caption = (f"Per year: places funded, cost and budget ({money_unit}), plan workers "
               "present and expected shortfalls (persons in the year; added over the years "
               "they give the person-years of the plan section)")
    if shared:
        caption += (f"; the budget, {budget}, is for the whole plan, not per year: it is "
                    "shared by the funding years and shown in full on each of their rows, "
                    "and the cost to date is how much of it is spent by the end of the year")
    if "policy_shortfall_before" in table.columns:
        caption += (f"; the shortfall against the targets is that of the "
                    f"{level_words(result.config.targets.plan_level)} target, the one the "
                    "plan serves")
    funding = {int(str(y)[:4]) for y in result.config.plan.years}
    need_only = [int(str(y)[:4]) for y in years["period"] if int(str(y)[:4]) not in funding]
    if need_only:
        one = len(need_only) == 1
        caption += (f"; no places are funded in {_years(need_only)} (not "
                    f"{'a funding year' if one else 'funding years'}): the places of earlier "
                    f"years serve {'its' if one else 'their'} need")
    held = held_need(result)
    if held is not None:  # mark the years whose need is the last forecast year's
        marked = table["year"].map(lambda y: f"{y} *" if int(str(y)[:4]) in held[1] else str(y))
        table = table.assign(year=marked)
        caption += (f"; * the forecast reaches only to {held[0]}: the needs of "
                    f"{_years(held[1])} are held at {held[0]}'s level")
    add_table(report, result, table, caption=caption, max_rows=None, float_format="{:,.0f}",
              shortfall="persons")
    if funded.empty:
        report.add_text("No places are funded in any year.")
    else:
        _places_per_year(report, result)
    for note in plan.notes:
        report.add_note(plain_note(plain_plan_note(note), levels=_levels(result)),
                        kind="info")
    if result.target_path is not None:
        targets_section(report, result, figures)


def front_loaded_words(result: RunResult, year: str, cost: float, total: float) -> str:
    """Why one budget shared by the funding years is mostly spent in the first, and the remedy.

    Examples
    --------
    >>> from talentgap.cli.config import Config
    >>> r = RunResult(Config.from_dict({"plan": {"years": [2025, 2026, 2027],
    ...                                          "lead_time": 1},
    ...                                 "output": {"currency": "yuan"}}))
    >>> print(front_loaded_words(r, "2025", 9.8e6, 1e7))  # doctest: +NORMALIZE_WHITESPACE
    The budget is one sum shared by the funding years, and 98% of the plan's cost (9,800,000
    of 10,000,000 yuan) falls in 2025: a place funded early adds workers for more of the years
    the plan counts (a place funded in 2025 adds workers from 2026 to 2028, one funded in
    2027 only in 2028), so the cheapest way to cut the shortfall summed over the years is to
    fund places as early as it can. To spread the places over the years, give a budget per
    year ([plan] budget = { 2025 = ..., 2026 = ..., 2027 = ... }).
    """
    settings = result.config.plan
    funding = [int(str(y)[:4]) for y in settings.years]
    lead = int(settings.lead_time)
    last_need = funding[-1] + lead
    money = f" {result.config.output.currency}".rstrip()
    per_year = ", ".join(f"{y} = ..." for y in funding[:3]) + (", ..." if len(funding) > 3
                                                                else "")
    return (f"The budget is one sum shared by the funding years, and {cost / total:.0%} of "
            f"the plan's cost ({cost:,.0f} of {total:,.0f}{money}) falls in {year}: a place "
            "funded early adds workers for more of the years the plan counts (a place funded "
            f"in {funding[0]} adds workers from {funding[0] + lead} to {last_need}, one funded "
            f"in {funding[-1]} only in {last_need}), so the cheapest way to cut the shortfall "
            "summed over the years is to fund places as early as it can. To spread the places "
            f"over the years, give a budget per year ([plan] budget = {{ {per_year} }}).")
