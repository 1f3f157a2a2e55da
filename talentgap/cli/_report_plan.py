"""The report's plan sections: the plan, the plan over the years, and the view by skill level.

Their sentences about the plan are in :mod:`talentgap.cli._report_plan_words`.

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

from talentgap.cli._budget_cuts import add_budget_cuts
from talentgap.cli._by_level import ALL_LEVELS, detail_keys, level_totals
from talentgap.cli._committed_places import committed_sentence
from talentgap.cli._notes import plain_note, plain_plan_note, small_classes_note
from talentgap.cli._report_plan_tables import (
    all_years_words,
    binding_sentences,
    certified_words,
    funded_rows,
    held_note_words,
    plan_years_table,
    run_levels,
    shared_budget_front_loaded,
)
from talentgap.cli._report_plan_words import (  # also public here, as before
    arrival_shortfall,
    cut_text,
    front_loaded_words,
    held_need,
    held_words,
    objective_words,
    pass_rate_note,
    plan_quantile,
    quantile_note,
    years_closing_text,
)
from talentgap.cli._report_plan_words import funding_years_words as _funding_years
from talentgap.cli._report_plan_words import objective_total_words as _objective_total
from talentgap.cli._report_plan_words import years_words as _years
from talentgap.cli._report_tables import (
    add_table,
    is_multiyear,
    shortfall_period,
    shortfall_span,
    shortfall_unit,
)
from talentgap.cli._report_targets import region_table, targets_section
from talentgap.cli._wording import level_words, levels_in_words
from talentgap.cli.outputs import level_view, places_by_year, plan_summary
from talentgap.cli.pipeline import RunResult
from talentgap.report import Report

__all__ = ["arrival_shortfall", "cut_text", "front_loaded_words",
           "held_need", "held_words", "levels_section", "plan_section", "years_closing_text",
           "years_section", "objective_words", "pass_rate_note", "plan_quantile",
           "quantile_note"]

_NUMBERS = ("cost", "expected_certified", "gap_before", "gap_after")


def _levels(result: RunResult) -> list[str]:
    """The skill-level codes of the run, to show them in words in free text."""
    return run_levels(result)


#: Names of the plans in the plan summary table.
_PLAN_NAMES = {"optimised": "optimised plan",
               "proportional": "proportional rule (places in proportion to the gap)"}


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
        intro += committed_sentence(s)   # places already funded, counted first
    else:
        why = ("the last forecast period: training and certification take time, so places "
               "funded now serve the latest period forecast"
               if result.config.plan.period is None else "the period set in the configuration")
        funded = str(s["period"])   # the places count lead_time periods later
        need = shortfall_period(result)
        if need != funded:
            why += (f"; the places are funded in {funded} and count from {need}, once their "
                    "trainees certify")
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
                       "shortfall"),
              notes=f"cost in {currency or 'money'}; expected shortfall "
                    f"{shortfall_span(result)}, in {shortfall_unit(result)}"
                    f"{all_years_words(result)}.", max_rows=None,
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
    notes = f"{order}; cost in {currency}" if currency else order   # how to read it
    if "gap_before" in shown:
        notes += ("; gaps before and after the plan are expected gaps in "
                  f"{shortfall_period(result)} (persons)")
    whole = bool((funded["quota"] == funded["quota"].round()).all())
    if not whole:
        notes += "; places are not rounded to whole numbers in this plan"
    if "expected_certified" in shown:  # totals come from the unrounded values
        notes += ("; figures are rounded to whole persons, so they may not add up to the "
                  "plan's totals")
    formats = {c: "{:,.0f}" for c in shown if c in _NUMBERS}
    formats["quota"] = "{:,.0f}" if whole else "{:,.1f}"
    add_table(report, result, levels_in_words(funded[shown]), caption=caption, max_rows=30,
              float_format=formats, source="quotas.csv (sheet quotas of results.xlsx)",
              notes=notes + ".")
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
             f"{_funding_years(result)} for {s['total_cost']:,.0f} of a {budget} budget. "
             f"By {last['period']}, "
             f"{last['workers']:,.0f} of the certified workers are still in their trade."
             f"{certified_words(result, last['period'])} "
             f"The expected shortfall of vacancies summed over {s['need_periods']} falls from "
             f"{s['shortfall_before']:,.0f} to {s['shortfall_after']:,.0f} person-years")
    if result.policy is not None:
        words += (f". The shortfall against the "
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
               "present and expected shortfalls")
    notes = ("the shortfalls are persons in the year; added over the years they give the "
             "person-years of the plan section")
    if shared:
        notes += (f"; the budget, {budget}, is for the whole plan, not per year: it is "
                    "shared by the funding years and shown in full on each of their rows, "
                    "and the cost to date is how much of it is spent by the end of the year")
    if "policy_shortfall_before" in table.columns:
        notes += (f"; the shortfall against the targets is that of the "
                    f"{level_words(result.config.targets.plan_level)} target, the one the "
                    "plan serves")
    funding = {int(str(y)[:4]) for y in result.config.plan.years}
    need_only = [int(str(y)[:4]) for y in years["period"] if int(str(y)[:4]) not in funding]
    if need_only:
        one = len(need_only) == 1
        notes += (f"; no places are funded in {_years(need_only)} (not "
                    f"{'a funding year' if one else 'funding years'}): the places of earlier "
                    f"years serve {'its' if one else 'their'} need")
    held = held_need(result)
    if held is not None:  # mark the years whose need is the last forecast year's
        marked = table["year"].map(lambda y: f"{y} *" if int(str(y)[:4]) in held[1] else str(y))
        table = table.assign(year=marked)
        notes += (f"; * the forecast reaches only to {held[0]}: the needs of "
                    f"{_years(held[1])} are held at {held[0]}'s level")
    add_table(report, result, table, caption=caption, max_rows=None, float_format="{:,.0f}",
              shortfall="persons", notes=notes + ".")
    if funded.empty:
        report.add_text("No places are funded in any year.")
    else:
        _places_per_year(report, result)
    for note in plan.notes:
        report.add_note(held_note_words(plain_note(plain_plan_note(note), levels=_levels(result))),
                        kind="info")
    if result.target_path is not None:
        targets_section(report, result, figures)
