"""Compose the planner's ``report.html`` from a run's results.

The report follows the questions a planner asks, in order: where will the
shortages be and how sure are we; how accurate was the model last time,
against simple rules; what should we fund and what does the money buy; and
what happened to the input rows.

Examples
--------
>>> from talentgap.cli.config import Config
>>> from talentgap.cli.pipeline import run
>>> from talentgap.cli.outputs import charts
>>> result = run(Config.from_dict({"forecast": {"model": "naive", "n_samples": 100}}),
...              steps=("forecast",), demo=True)
>>> report = build_report(result, charts(result), command="forecast")
>>> report
Report('Skill-gap forecast', sections=4, tables=5, figures=7)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._arguments import interval_columns
from talentgap._words import money_words
from talentgap.cli._by_level import ALL_LEVELS, level_totals
from talentgap.cli._notes import plain_note, qualifies_intervals, skip_sentence, skip_warning
from talentgap.cli._report_front import (
    front_matter,
    interval_notes,
    probability_cell,
    probability_words,
)
from talentgap.cli._report_plan import (
    cut_text,
    held_need,
    held_words,
    levels_section,
    objective_words,
    plan_quantile,
    plan_section,
    years_closing_text,
    years_section,
)
from talentgap.cli._report_plan_tables import cheapest_place
from talentgap.cli._report_tables import (
    add_table,
    cell_name,
    flag_words,
    flags_any_period,
    is_multiyear,
    key_words,
    shortfall_span,
    shortfall_unit,
)
from talentgap.cli._report_targets import first_screen_words, rough_reach_cost, target_reach
from talentgap.cli._totals import LIKELY_SHORT, last_period_totals
from talentgap.cli._wording import (
    backtest_verdict,
    level_words,
    levels_in_words,
    method_words,
    model_name,
    per_period,
)
from talentgap.cli.outputs import level_view, top_shortages_table
from talentgap.cli.pipeline import RunResult
from talentgap.models import gap_flags
from talentgap.report import Report

__all__ = ["build_report", "flag_meanings", "headline_text", "totals_text", "masked_note"]

_TITLES = {"demo": "Skill-gap forecast and training plan (demo data)",
           "forecast": "Skill-gap forecast", "backtest": "Skill-gap forecast accuracy",
           "plan": "Training quota plan", "features": "Skill-gap panel"}


def _least_change() -> str:
    change = gap_flags.LEAST_CHANGE
    return f"{change:g} person" + ("" if change == 1 else "s")


def flag_meanings(season_length: int = 1) -> dict[str, str]:
    """Each warning flag of a gap forecast in words, with its threshold.

    The thresholds are read from :mod:`talentgap.models.gap_flags`, so the
    words follow the code.

    Parameters
    ----------
    season_length : int, default 1
        Periods in a year of the forecast (4 for quarters); the demand and
        supply flags compare whole years.

    Returns
    -------
    dict of str -> str
        One sentence per code of :data:`talentgap.models.gap_flags.FLAGS`.

    Examples
    --------
    >>> print(flag_meanings(4)["rising_demand"])
    Forecast demand over the year (4 quarters) up to the flagged forecast period exceeds demand
    over the last observed year (4 quarters) by more than 10% (and by at least 1 person per
    period).
    """
    unit = {4: "quarters", 12: "months"}.get(season_length, "periods")
    year = "year" if season_length == 1 else f"year ({season_length} {unit})"
    span = max(2 * season_length, 4)
    return {
        "rising_demand": f"Forecast demand over the {year} up to the flagged forecast period "
                         f"exceeds demand over the last observed {year} by more than "
                         f"{gap_flags.RISING_DEMAND:.0%} (and by at least "
                         f"{_least_change()} per period).",
        "falling_supply": f"Forecast supply over the {year} up to the flagged forecast period "
                          f"is more than {gap_flags.FALLING_SUPPLY:.0%} below supply over the "
                          f"last observed {year} (and by at least "
                          f"{_least_change()} per period).",
        "persistent_gap": f"The observed gap was positive in each of the last "
                          f"{gap_flags.PERSISTENT_PERIODS} {unit} and the forecast gap is "
                          "positive too.",
        "thin_data": f"Over the last {span} {unit} the survey had fewer than "
                     f"{gap_flags.THIN_RESPONDENTS:g} respondents per {unit[:-1]} on average, "
                     f"or more than {gap_flags.THIN_MISSING_SHARE:.0%} of those {unit} have no "
                     "demand estimate: the forecast rests on little data.",
        "short_history": "The cell has too short a history for the full models, or too short "
                         "to check its own past forecasts this far ahead: its forecast comes "
                         "from a simpler fallback or from few observations (named, with the "
                         "periods used, in the table of how the largest gaps were forecast "
                         "and in the output file forecast.csv) and its interval is set from "
                         "cells with as much history; read both with care.",
        "last_period_missing": "The cell's demand or supply was not observed in the last "
                               "period(s) before the forecast (for example its rows were "
                               "left out as invalid): its forecast starts from its last "
                               "observed period (named in the output file forecast.csv), so "
                               "each forecast period is one step or more further ahead than "
                               "for the other cells, and its interval is that of a forecast "
                               "so far ahead.",
        "outlier_in_history": "An observed demand or supply value of the cell changed from "
                              "the one before (a year before, for seasonal data) by far more "
                              "than any of its other changes (beyond "
                              f"{gap_flags.OUTLIER_FENCE_IQR:g} interquartile ranges of them): "
                              "a data error, or a survey estimate one large respondent "
                              "moved. The interval is kept from widening "
                              "with it, but the forecast may follow it; the run's warnings "
                              "name the period and the value: check it, and correct an error "
                              "(or set [forecast] outliers = \"mask\" to leave out such a "
                              "value when the series comes back after it; a value in the "
                              "last season, or the start of a new level, is kept).",
        "outlier_masked": "A past demand or supply value of the cell changed by far more "
                          "than any of its other changes and, as the run's settings ask "
                          "([forecast] outliers = \"mask\"), was set aside as a likely data "
                          "error: the forecast fills it in from the periods around it. The "
                          "notes on the input data and the output file masked_values.csv "
                          "name it: if it was a real change, the forecast leaves it out.",
        "no_demand_data": "Demand was never observed: no forecast is made.",
        "no_supply_data": "No certified workers were ever observed for the cell: supply is "
                          "taken as 0 (known future supply still counts).",
    }


def build_report(result: RunResult, figures: dict, *, command: str) -> Report:
    """The run's report: headline figures, shortages, accuracy, plan and data notes.

    Parameters
    ----------
    result : RunResult
    figures : dict of str -> matplotlib Figure
        As :func:`talentgap.cli.outputs.charts` returns.
    command : str
        The command that ran (sets the title).

    Returns
    -------
    talentgap.report.Report
    """
    keys = list(result.config.data.keys)
    report = Report(_TITLES.get(command, "talentgap report"), subtitle=_subtitle(result))
    report.add_key_figures(_headline(result))
    words = headline_text(result)
    if words:
        report.add_text(words)
    targets = first_screen_words(result)
    if targets:
        report.add_text(targets)
    totals = totals_text(result)
    if totals:
        report.add_text(totals)
    for text, kind in front_matter(result):  # outputs, simulation noise, a missing font
        if kind is None:
            report.add_text(text)
        else:
            report.add_note(text, kind=kind)
    if result.forecast is not None:
        _forecast_section(report, result, figures, keys)
        levels_section(report, result, figures)
    if result.backtests:
        _backtest_section(report, result, figures)
    if result.plan is not None:
        plan_section(report, result, figures)
        if result.config.plan.years:
            years_section(report, result, figures)
    _data_section(report, result)
    return report


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
            if len(larger):
                row = larger.iloc[-1]
                sentences.append(
                    f"With {money_words(float(row['budget']), currency)} the expected shortfall "
                    f"would fall to {float(row['shortfall_after']):,.0f} persons "
                    f"({float(row['share_closed']):.0%} of it closed); the plan section "
                    "compares the budgets in between.")
        if result.budget_curve is not None:
            sentences.append(_closing_text(result.budget_curve, currency,
                                           shortfall_unit(result), where=f" in {s['period']}"))
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


def _closing_text(curve, currency: str, unit: str, *, where: str = "") -> str:
    """What budget closes the curve's share of the expected shortfall, or what no budget can.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.planning import BudgetCurve
    >>> table = pd.DataFrame({"shortfall_after": [100.0, 60.0, 40.0],
    ...                       "share_closed": [0.0, 0.4, 0.6]},
    ...                      index=pd.Index([0.0, 1e6, 2e6], name="budget"))
    >>> print(_closing_text(BudgetCurve(table, float("nan"), 0.95, None, "market"),
    ...                     "yuan", "persons", where=" in 2026Q4"))
    No budget closes 95% of it under the capacities: beyond about 2 million yuan more money
    buys nothing, and the expected shortfall then falls to 40 persons (60% closed).
    """
    share = f"{curve.share:.0%}"
    if np.isfinite(curve.closing_budget):
        return (f"Closing {share} of the expected shortfall{where} takes at most about "
                f"{money_words(curve.closing_budget, currency)} (the smallest of the budgets "
                "tried that does).")
    last = curve.table.iloc[-1]
    return (f"No budget closes {share} of it under the capacities: beyond about "
            f"{money_words(float(curve.table.index.max()), currency)} more money buys nothing, "
            f"and the expected shortfall then falls to {float(last['shortfall_after']):,.0f} "
            f"{unit} ({float(last['share_closed']):.0%} closed).")


def _subtitle(result: RunResult) -> str | None:
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


def _headline(result: RunResult) -> dict:
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
    figures = {f"Regions reaching the {level_words(level)} target in {reach['year']}, with "
               "the plan": f"{n} of {reach['regions']}" for level, n in
               sorted(reach["reach"].items(), key=lambda item: item[0] != "skilled")}
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
                f"The expected shortfall adds the persons short over all cells in {s['period']} "
                f"and averages over {counted} of demand and supply: it is larger than the sum "
                "of positive expected gaps because a cell whose expected gap is a surplus is "
                "still short in some scenarios. "
                + ("The plan is judged by the expected shortfall; "
                   if plan_quantile(result) is None else
                   f"The plan is chosen against the {objective_words(result)} and its "
                   "expected shortfall is shown for comparison; ")
                + "the gaps before and after the plan in its table are expected gaps per cell.")
    return " ".join(words)


def _forecast_section(report: Report, result: RunResult, figures: dict, keys) -> None:
    config = result.config
    level = config.forecast.levels[0]
    report.add_section(
        "Largest expected shortages",
        intro=f"The cells where demand for skilled workers is expected to exceed certified "
              f"supply by the most in the last forecast period, with {level:g}% intervals "
              "for the gap and the probability that there is a shortage at all. The intervals "
              "come from simulating demand and supply together, so they carry the "
              "uncertainty of both." + _population_words(result))
    table = top = top_shortages_table(result.forecast, keys=keys, n=config.output.top)
    if table.empty:
        report.add_text("No cell has a positive expected gap in the last forecast period.")
    else:
        shown = [*keys, "gap", *interval_columns(level, prefix="gap"), "p_shortage",
                 "flag"]  # demand and supply are in forecast.csv
        # the flags of any forecast period, as in the table of how each gap was forecast
        flags = flags_any_period(result.forecast, keys)
        table = table.drop(columns="flag").merge(flags, on=keys, how="left", validate="1:1")
        table = levels_in_words(table.assign(flag=flag_words(table["flag"])))
        first, last = result.forecast["period"].min(), result.forecast["period"].max()
        span = (f"raised in {last}" if first == last else
                f"raised in any forecast period ({first}–{last})")
        add_table(report, result, table[shown], caption=f"Largest expected gaps in "
                  f"{table['period'].iloc[0]}; the gap lies between the low and the high end "
                  f"of its {level:g}% interval with {level:g}% probability; warning flags: "
                  f"those {span}",
                  max_rows=config.output.top,
                  float_format={c: probability_cell if c == "p_shortage" else "{:,.0f}"
                                for c in shown[len(keys):-1]})
    # the notes that qualify these intervals stand by the table, not at the report's end
    freq = getattr(result.forecast["period"].iloc[0], "freqstr", "Q")
    for note in interval_notes(result, freq=freq, levels=result.config.data.skill_levels or ()):
        report.add_note(note)
    if "top_shortages" in figures:
        report.add_figure(figures["top_shortages"], caption="Largest expected shortages",
                          alt="Ranked bars of the largest expected gaps with intervals")
    for stem, caption in (("gap_heatmap", "Expected gap per industry and region"),
                          ("p_shortage_heatmap", "Probability of a shortage per cell")):
        if stem in figures:
            report.add_figure(figures[stem], caption=caption, alt=caption)
    fans = sorted((stem for stem in figures if stem.startswith("fan_")),
                  key=lambda stem: int(stem.removeprefix("fan_")))
    if fans:
        report.add_section(
            "Fan charts of the largest shortages",
            intro="Observed gap and its forecast with shaded intervals, one chart per cell.")
        # the charts follow the ranking the fan charts were drawn from (outputs.charts)
        ranked = top_shortages_table(result.forecast, keys=keys, n=len(fans))
        names = [cell_name(row, keys) for _, row in ranked.iterrows()]
        for rank, stem in enumerate(fans):
            cell = names[rank] if rank < len(names) else f"cell {rank + 1}"
            report.add_figure(figures[stem], caption=f"Gap history and forecast: {cell}",
                              alt=f"Fan chart of the gap of {cell}")
    flagged = result.forecast[result.forecast["flag"].fillna("") != ""]
    if not flagged.empty:
        counts = flagged["flag"].str.split(";").explode().value_counts()
        meanings = flag_meanings(_season_length(result))
        table = pd.DataFrame({"flag": flag_words(pd.Series(counts.index)),
                              "rows": counts.to_numpy(),
                              "meaning": [meanings.get(c, "") for c in counts.index]})
        fc = result.forecast
        per = per_period(getattr(fc["period"].iloc[0], "freqstr", "Q"))
        n_periods = int(fc["period"].nunique())
        add_table(report, result, table, max_rows=None,
                  caption=f"Warning flags and what they mean; the forecast has {len(fc):,} "
                          f"cell-{per}s ({len(fc) // max(n_periods, 1):,} cells × {n_periods} "
                          f"{per}s), and one cell-{per} can raise several flags")
    if result.gap_model is not None and not top.empty:
        _explanation_tables(report, result, top, keys)


def _season_length(result: RunResult) -> int:
    model = result.gap_model
    inner = None if model is None else (model.demand_model_ or model.supply_model_)
    return int(getattr(inner, "season_length_", 1))


def _explanation_tables(report: Report, result: RunResult, top: pd.DataFrame, keys) -> None:
    """How each of the largest gaps was forecast, and what drives its change."""
    model = result.gap_model
    horizon = int(result.forecast["period"].nunique())
    cells = top[keys].drop_duplicates()
    why = cells.merge(model.explain(horizon), on=keys, how="left", validate="1:1")
    why = levels_in_words(why.assign(
        fallback_reason=why["fallback_reason"].fillna("none"), flags=flag_words(why["flags"]),
        demand_model=why["demand_model"].map(method_words, na_action="ignore"),
        supply_model=why["supply_model"].map(method_words, na_action="ignore")))
    why["history"] = [f"{d:.0f} / {s:.0f}" if pd.notna(d) and pd.notna(s) else None
                      for d, s in zip(why["demand_n_obs"], why["supply_n_obs"], strict=True)]
    shown = [*keys, "demand_model", "supply_model", "history", "fallback_reason", "flags"]
    intro = ("For each cell: the models that forecast its demand and supply (with their "
             "weights in the combination), how many periods of history they used, any "
             "fallback and the flags raised over the forecast periods.")
    if (why["fallback_reason"] == "none").all():  # say it once instead of a column of "none"
        shown.remove("fallback_reason")
        intro += " None of these cells needed a fallback."
    report.add_section("How the largest gaps were forecast", intro=intro)
    add_table(report, result, why[shown],
              caption="Models, history and fallbacks of the largest gaps", max_rows=None)
    period = top["period"].iloc[0]
    drivers = cells.merge(model.gap_drivers(horizon, period=period), on=keys, how="left",
                          validate="1:1")
    drivers = levels_in_words(
        drivers.assign(last_observed=drivers["last_observed"].astype(str)))
    add_table(
        report, result, drivers[[*keys, "last_observed", "gap_now", "gap_then",
                                 "due_to_demand", "due_to_supply"]],
        caption=f"What drives each gap from its last observed period to {period}: the "
                f"expected gap in {period} minus the gap in the last observed period is the "
                "change due to demand plus the change due to supply (persons; supply falling "
                "widens the gap)",
        max_rows=None, float_format="{:,.0f}")


def _population_words(result: RunResult) -> str:
    """What the gap intervals are for, when the model took the sampling error out."""
    if getattr(result.gap_model, "demand_se_", None) is None:
        return ""
    return (" They are intervals for the true gap in the population: the sampling error of "
            "the survey's demand estimates is taken out of them, so a later survey estimate, "
            "which has a sampling error of its own, can fall outside more often.")


def _sampling_backtest_words(result: RunResult) -> str:
    """How the gap model's intervals were compared with survey estimates in the backtest."""
    gap = (result.backtests or {}).get("GapForecaster")
    if gap is None or "actual_se" not in gap.forecasts.columns:
        return ""
    return (" The gaps observed are survey estimates with a sampling error of their own, while "
            "the gap model's intervals are for the true gap: before they were compared, each "
            "of its intervals was widened by the standard error of the estimate it was "
            "compared with. The simple rules' intervals are built from the estimates and "
            "include that error already.")


def _backtest_section(report: Report, result: RunResult, figures: dict) -> None:
    bt = result.config.backtest
    per = per_period(getattr(result.panel["period"].iloc[0], "freqstr", "Q")
                     if result.panel is not None and len(result.panel) else "Q")
    horizon = result.config.forecast.horizon
    report.add_section(
        "Backtest accuracy against baselines",
        intro=f"How well would the forecast have done in the past? Each model was fitted again "
              f"on the data up to {bt.n_windows} earlier points in time, and its forecasts for "
              f"the 1 to {horizon} {per}s after each point were compared with the gaps then "
              "observed. Two simple rules are the yardstick: repeating the last observed gap "
              f"(naive) and repeating the gap of the same {per} a year before (seasonal "
              "naive). A model is worth using if it misses by less than they do."
              + _sampling_backtest_words(result))
    board = result.leaderboard.assign(model=result.leaderboard["model"].map(model_name))
    formats = {c: "{:.2f}" if c == "mase" or c.startswith("coverage") else
               "{:.0f}" if c == "smape" else "{:,.1f}"
               for c in board.columns if c not in ("model", "rank", "n_series")}
    add_table(report, result, board, max_rows=None, float_format=formats,
              caption="Backtest leaderboard (mean over cells)")
    verdict = backtest_verdict(result.leaderboard, level=result.config.forecast.levels)
    if verdict:
        report.add_text(verdict)
    if "error_by_horizon" in figures:
        report.add_figure(figures["error_by_horizon"], caption=f"Mean absolute error of each "
                          f"model by {per}s ahead (persons; lower is better)",
                          alt="Backtest error against horizon per model")


def _design_words(result: RunResult) -> str:
    """The survey design in words: what the uncertainty of a cell's demand assumes."""
    survey = result.config.survey
    per = per_period(getattr(result.panel["period"].iloc[0], "freqstr", "Q"))
    if not survey.declared:
        return ("No survey design was declared (strata, sampling clusters or population "
                "counts), so the uncertainty of each cell's demand is worked out as if the "
                f"responding enterprises of each cell and {per} were a random sample from a "
                "large population.")
    return (survey.describe() + " (A PSU, primary sampling unit, is the group of "
            "enterprises drawn together; the finite-population correction narrows the "
            "uncertainty where much of the population was surveyed; a lonely PSU is the only "
            "one sampled in its stratum.)")


def masked_note(result: RunResult, *, limit: int = 3) -> str | None:
    """The values ``[forecast] outliers = "mask"`` set aside: how many, and a few of them.

    None when the gap model masked nothing (or was not asked to).

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> from talentgap.cli.config import Config
    >>> masked = pd.DataFrame({"region": ["Ashmere"], "industry": ["textiles"],
    ...                        "period": [pd.Period("2023Q2", freq="Q")], "column": ["demand"],
    ...                        "value": [12345.0], "change": [12100.0], "lag": [4],
    ...                        "fence": [850.0]})
    >>> run = SimpleNamespace(config=Config(), gap_model=SimpleNamespace(masked_values_=masked))
    >>> print(masked_note(run))
    1 past value was set aside as a likely data error ([forecast] outliers = "mask") and
    filled in from the periods around it before the forecast: it changed from the value a year
    before by far more than the cell's other changes (beyond 10 interquartile ranges of them):
    Ashmere / textiles, demand in 2023Q2: 12,345 (a change of +12,100, past the limit of +850
    its other changes set). Every such value is listed in the output file masked_values.csv.
    """
    masked = getattr(result.gap_model, "masked_values_", None)
    if masked is None or not len(masked):
        return None
    keys, count = list(result.config.data.keys), len(masked)
    before = {1: "the value before"}
    lags = masked["lag"].astype(int).unique()
    span = " or ".join(before.get(int(lag), "the value a year before") for lag in sorted(lags))
    shown = []
    for row in masked.head(limit).to_dict("records"):  # a few examples
        shown.append(f"{cell_name(row, keys)}, {row['column']} in {row['period']}: "
                     f"{row['value']:,.0f} (a change of {row['change']:+,.0f}, past the "
                     f"limit of {row['fence']:+,.0f} its other changes set)")
    values = "1 past value was" if count == 1 else f"{count:,} past values were"
    it = "it" if count == 1 else "them"
    each = "it" if count == 1 else "each"
    more = "" if count <= limit else f" and {count - limit:,} more"
    return (f"{values} set aside as a likely data error ([forecast] outliers = \"mask\") "
            f"and filled in from the periods around {it} before the forecast: {each} "
            f"changed from {span} by far more than the cell's other changes (beyond "
            f"{gap_flags.OUTLIER_FENCE_IQR:g} interquartile ranges of them): "
            f"{'; '.join(shown)}{more}. Every such value is listed in the output file "
            "masked_values.csv.")


def _data_section(report: Report, result: RunResult) -> None:
    masked = masked_note(result)
    if not result.reports and not result.notes and result.panel is None and masked is None:
        return
    rejected = result.rejected is not None and len(result.rejected) > 0
    report.add_section("Input data and notes",
                       intro="Every input row is accounted for: kept, or rejected with "
                       "its rule" + (" (the rejected rows are listed, with the rule each "
                                     "breaks, in the output file rejected.csv)."
                                     if rejected else "; no row was rejected."))
    if result.panel is not None:
        report.add_text(_design_words(result) + " Each responding enterprise "
                        "stands for as many enterprises as its design weight (the surveys "
                        "table's weight column, 1 where there is none), so a cell's demand is "
                        "the weighted total of the hard-to-fill vacancies reported.")
    if result.reports:
        rows = [{"table": name, "rows_in": r.rows_in, "kept": r.rows_kept,
                 "rejected": r.rows_rejected} for name, r in result.reports.items()]
        add_table(report, result, pd.DataFrame(rows), caption="Input rows", max_rows=None)
    freq = getattr(result.panel["period"].iloc[0], "freqstr", "Q") if (
        result.panel is not None and len(result.panel)) else "Q"
    levels = list(result.config.data.skill_levels or ())
    if result.forecast is not None and "skill_level" in result.forecast.columns:
        levels += result.forecast["skill_level"].dropna().astype(str).unique().tolist()
    # the skipped rows are worded from the reports' counts, not from the note's text
    skipped = skip_sentence(result.reports) if result.rejected is not None else None
    noted = skip_warning(result.reports)
    shown = dict.fromkeys([skipped] if skipped else [])
    shown.update(dict.fromkeys(plain_note(note, freq=freq, levels=levels)
                               for note in result.notes[:20]
                               if note != noted and not qualifies_intervals(note)))
    if masked is not None:
        shown[masked] = None
    for note in shown:
        report.add_note(note)

