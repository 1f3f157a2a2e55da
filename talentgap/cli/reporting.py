"""Compose the planner's ``report.html`` from a run's results.

The report follows the questions a planner asks, in order: where will the
shortages be and how sure are we; how accurate was the model last time,
against simple rules; what should we fund and what does the money buy; and
what happened to the input rows. A last section, for the analyst, names the
settings and file columns behind the words.

Examples
--------
>>> from talentgap.cli.config import Config
>>> from talentgap.cli.pipeline import run
>>> from talentgap.cli.outputs import charts
>>> config = Config.from_dict({"forecast": {"model": "naive", "n_samples": 100},
...                              "output": {"fan_charts": 1}})
>>> result = run(config, steps=("forecast",), demo=True)
>>> report = build_report(result, charts(result), command="forecast")
>>> report
Report('Skill-gap forecast', sections=5, tables=6, figures=4)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._arguments import interval_columns
from talentgap._words import count_words
from talentgap.cli._flag_meanings import flag_meanings
from talentgap.cli._notes import plain_note, qualifies_intervals, skip_sentence, skip_warning
from talentgap.cli._report_analyst import analyst_section
from talentgap.cli._report_front import (
    front_matter,
    interval_notes,
    probability_cell,
)
from talentgap.cli._report_headline import (
    estimate_words,
    headline_figures,
    headline_text,
    subtitle,
    totals_text,
)
from talentgap.cli._report_plan import (
    levels_section,
    plan_section,
    years_section,
)
from talentgap.cli._report_tables import (
    add_table,
    cell_name,
    flag_words,
    flags_any_period,
)
from talentgap.cli._report_targets import first_screen_words
from talentgap.cli._wording import (
    backtest_verdict,
    levels_in_words,
    method_words,
    model_name,
    per_period,
)
from talentgap.cli.outputs import top_shortages_table
from talentgap.cli.pipeline import RunResult
from talentgap.models import gap_flags
from talentgap.report import Report

__all__ = ["build_report", "flag_meanings", "headline_text", "totals_text", "masked_note",
           "analogue_note"]

_TITLES = {"demo": "Skill-gap forecast and training plan (demo data)",
           "forecast": "Skill-gap forecast", "backtest": "Skill-gap forecast accuracy",
           "plan": "Training quota plan", "features": "Skill-gap panel"}


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
    report = Report(_TITLES.get(command, "talentgap report"), subtitle=subtitle(result))
    report.add_key_figures(headline_figures(result))
    words = headline_text(result)
    if words:
        report.add_text(words)
    targets = first_screen_words(result)
    if targets:
        report.add_text(targets)
    estimates = estimate_words(result)   # on which assumptions the figures rest
    if estimates:
        report.add_text(estimates)
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
    analyst_section(report, result)   # the settings and columns behind the words
    return report


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
    # every cell short in the last period, largest first: the table shows the first
    # [output] top of them and says how many more forecast.csv has
    table = top_shortages_table(result.forecast, keys=keys, n=len(result.forecast))
    top = table.head(config.output.top)
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
                  f"{table['period'].iloc[0]}",
                  notes=f"the gap lies between the low and the high end "
                  f"of its {level:g}% interval with {level:g}% probability; warning flags: "
                  f"those {span}.",
                  max_rows=config.output.top,
                  source=f"forecast.csv, its rows of {table['period'].iloc[0]} with a gap above "
                         "0 (sheet forecast of results.xlsx)",
                  float_format={c: probability_cell if c == "p_shortage" else "{:,.0f}"
                                for c in shown[len(keys):-1]})
    # the notes that qualify these intervals stand by the table, not at the report's end
    freq = getattr(result.forecast["period"].iloc[0], "freqstr", "Q")
    for note in interval_notes(result, freq=freq, levels=result.config.data.skill_levels or ()):
        report.add_note(note)
    analogues = analogue_note(result)
    if analogues is not None:
        report.add_note(analogues)
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
                  caption="Warning flags and what they mean",
                  notes=f"the forecast has {len(fc):,} "
                        f"cell-{per}s ({len(fc) // max(n_periods, 1):,} cells × {n_periods} "
                        f"{per}s), and one cell-{per} can raise several flags.")
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
        fallback_reason=why["fallback_reason"].map(method_words, na_action="ignore")
        .astype(object).fillna("none"), flags=flag_words(why["flags"]),
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
        caption=f"What drives each gap from its last observed period to {period}",
        notes=f"the expected gap in {period} minus the gap in the last observed period is the "
              "change due to demand plus the change due to supply (persons; supply falling "
              "widens the gap).",
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


def _weight_words(result: RunResult) -> str:
    """What a responding enterprise stands for: its design weight, or itself alone."""
    surveys = result.reports.get("surveys")
    keys = getattr(surveys, "row_keys", None)
    if keys is None or "weight" in keys.columns:
        return ("Each responding enterprise stands for as many enterprises as its design "
                "weight (the surveys table's weight column), so a cell's demand is the "
                "weighted total of the hard-to-fill vacancies reported.")
    return ("The surveys table has no weight column, so every responding enterprise counts "
            "once: the estimates are unweighted sample counts (a cell's demand is the sum of "
            "the hard-to-fill vacancies its respondents reported), not totals for all "
            "enterprises. If the file holds design weights under another name, map that "
            "column to weight ([data] surveys_columns) and run again.")


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


def analogue_note(result: RunResult) -> str | None:
    """Every cell whose demand is forecast from its declared analogue, with the ratio.

    None when no cell is (no ``[forecast.analogues]``, or every declared cell
    has history enough of its own).
    """
    inner = getattr(result.gap_model, "demand_model_", None)
    used = getattr(inner, "analogue_rows_", None)
    if used is None or not (used >= 0).any():
        return None
    keys = [k for k in result.config.data.keys if k in inner.arrays_.ids.columns]
    rows = np.flatnonzero(used >= 0)
    ids = inner.arrays_.ids.astype(str).reset_index(drop=True)
    mine, theirs = ids.iloc[rows].reset_index(drop=True), ids.iloc[used[rows]]
    # the analogue named by the key values that differ from the cell's (the declared ones)
    differs = mine[keys].to_numpy() != theirs[keys].to_numpy()
    per = per_period(str(inner.arrays_.freq))
    cells = [f"{cell_name(row, keys)} from "
             f"{' / '.join(theirs[keys].to_numpy()[i][differs[i]])} × {ratio:.3g} "
             f"({count_words(int(n), per)} of history)"
             for i, (row, ratio, n) in enumerate(zip(
                 mine.to_dict("records"), inner.analogue_ratio_[rows],
                 inner.arrays_.n_obs[rows], strict=True))]  # the few cells declared
    many = len(cells) > 1
    return (f"The demand of {len(cells)} cell{'s' if many else ''} with a short history "
            "is forecast from the series declared as "
            f"{'their' if many else 'its'} analogue ([forecast.analogues]), multiplied by the "
            f"ratio of {'their' if many else 'its'} recent level to the analogue's: "
            f"{'; '.join(cells)}. Their intervals are at least as wide as the analogue's, "
            "scaled by the same ratio; the uncertainty of a ratio taken from a few "
            "observations is not in them, so read these forecasts as a first estimate.")


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
        report.add_text(_design_words(result) + " " + _weight_words(result))
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
