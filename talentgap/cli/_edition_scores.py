"""The scores of ``talentgap evaluate`` in words: CSV labels, report section, text and JSON.

What was scored is said per quantity (periods, cells, and why the edition's
other cell-periods were not scored), next to the scores of the stored
forecast and the simple rules.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from talentgap.cli._wording import coverage_band, coverage_sentence, per_period
from talentgap.report import Report

__all__ = ["labelled", "score_report", "print_scores"]


def labelled(table: pd.DataFrame, scores) -> pd.DataFrame:
    """A score table for its CSV: the edition and its origin first, and, next to coverage,
    what the intervals compared were (``intervals``)."""
    out = pd.concat([pd.DataFrame({"edition": scores.edition, "origin": str(scores.origin)},
                                  index=table.index), table], axis=1)
    if "method" in out.columns and any(str(c).startswith("coverage_") for c in out.columns):
        widened = bool(_sampling_words(scores))
        out["intervals"] = [
            "" if method != "edition" else
            "stored, widened by the sampling error of the later estimate"
            if widened and quantity != "supply" else "stored"
            for method, quantity in zip(out["method"], out["quantity"], strict=True)]
    return out


def _scored_words(row, other_cells: pd.DataFrame | None = None) -> str:
    """``gap: 2023Q2..2023Q4 (3 periods), 64 cells, 192 of 256 cell-periods; 64 not scored...``

    ``other_cells`` (:attr:`EditionScores.other_cells`) names the cells gone.
    """
    if not row["n_points"]:
        text = f"{row['quantity']}: not scored"
    else:
        span = int((row["last_period"] - row["first_period"]).n) + 1
        listed = (f"{row['n_periods']} period{'s' * (row['n_periods'] != 1)}"
                  if span == row["n_periods"] else
                  f"{row['n_periods']} of {span} periods: {row['periods']}")
        span_text = (str(row["first_period"]) if span == 1
                     else f"{row['first_period']}..{row['last_period']}")
        text = (f"{row['quantity']}: {span_text} ({listed}), "
                f"{row['n_cells']} cells, {row['n_points']} of the {row['n_forecast']} "
                "cell-periods forecast")
    why = [f"{row[column]} {words}" for column, words in _NOT_SCORED.items()
           if row.get(column, 0)]
    why = [w.replace("{why}", _NO_VALUE.get(row["quantity"], "")).replace(
        "{cells}", _gone_examples(other_cells, row["quantity"])) for w in why]
    if row["n_not_scored"]:
        text += f"; {row['n_not_scored']} not scored: {', '.join(why)}"
    return text


#: Why a later value may be missing in a period, by quantity (the cell has later values in
#: other periods; a cell without any is counted as ``cell_missing``).
_NO_VALUE = {"supply": " (no training row reaches that period)",
             "demand": " (no survey answers that period)",
             "gap": " (its demand or supply missing that period)"}
#: Why an edition's cell-period was not scored, by column of ``EditionScores.scored``.
_NOT_SCORED = {"cell_missing": "in cells without any later value (gone from the later "
                               "data{cells})",
               "not_in_actuals": "not in the later data",
               "actual_missing": "without a later value in that period{why}",
               "forecast_missing": "without a stored forecast"}


def _cell_names(rows: pd.DataFrame, *, limit: int = 3) -> str:
    """``Amberfield/drones, Dunhollow/textiles`` (the key values of up to ``limit`` rows: the
    columns before ``period`` or ``reason``)."""
    end = next(i for i, c in enumerate(rows.columns) if c in ("period", "reason"))
    keys = list(rows.columns[:end])
    names = ["/".join(str(v) for v in values) for values in rows[keys].head(limit).to_numpy()]
    return ", ".join(names) + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def _gone_examples(other_cells: pd.DataFrame | None, quantity: str) -> str:
    """``, e.g. Dunhollow/textiles``: the cells without a later value of ``quantity``."""
    if other_cells is None or not len(other_cells):
        return ""
    gone = other_cells[(other_cells["reason"] == "no later value")
                       & other_cells["quantities"].str.split().map(lambda q: quantity in q)]
    return f": {_cell_names(gone)}" if len(gone) else ""


#: The scores' methods in words: the stored forecast and the two simple rules.
_METHOD_WORDS = {"edition": "stored forecast",
                 "naive": "naive rule (the last value carries on)",
                 "seasonal_naive": "seasonal naive rule (the same season a year before)"}
_RULES = ("naive", "seasonal_naive")


def _score_headers(columns, per: str) -> dict[str, str]:
    """Plain headers with units of the score tables' columns (``coverage_<level>`` too)."""
    words = {"by": "Grouped by", "group": "Group", "quantity": "Quantity",
             "method": "Forecast", "n_points": "Cell-periods compared",
             "direction": "Share of changes in the right direction (0–1)",
             "mase": "MASE: error against the seasonal naive rule in sample (below 1 is "
                     "better)",
             "mae": f"Mean absolute error (persons per {per})",
             "bias": f"Mean error, forecast minus actual (persons per {per})",
             "first_period": "First period scored", "last_period": "Last period scored"}
    for column in columns:
        if str(column).startswith("coverage_"):
            level = float(str(column).removeprefix("coverage_"))
            words[column] = f"Share of actual values inside the {level:g}% interval (0–1)"
        elif str(column).startswith("n_coverage_"):
            level = float(str(column).removeprefix("n_coverage_"))
            words[column] = f"Cell-periods compared with the {level:g}% interval"
    return {c: words[c] for c in columns if c in words}


def _score_verdict(summary: pd.DataFrame) -> str:
    """Per quantity: the stored forecast's MASE against the rules', coverage against its level.

    The thresholds are the backtest verdict's
    (:func:`talentgap.cli._wording.coverage_band`).
    """
    words = []
    for quantity, rows in summary.groupby("quantity", sort=False):
        own = rows[rows["method"] == "edition"]
        rules = rows[rows["method"].isin(_RULES)].dropna(subset=["mase"])
        if own.empty or pd.isna(own["mase"].iloc[0]):
            continue
        mase = float(own["mase"].iloc[0])
        text = f"{str(quantity).capitalize()}: the stored forecast's MASE is {mase:.2f}"
        if len(rules):
            best = rules.sort_values("mase").iloc[0]
            rule = _METHOD_WORDS[str(best["method"])].split(" (")[0]
            compared = ("below" if mase < best["mase"] else
                        "above" if mase > best["mase"] else "equal to")
            text += (f", {compared} the better simple rule's ({rule}, {best['mase']:.2f})"
                     + ("" if compared == "below" else ": it does not beat the simple rules"))
        for column in [c for c in rows.columns if str(c).startswith("coverage_")]:
            coverage = own[column].iloc[0]
            if pd.notna(coverage):
                level = float(str(column).removeprefix("coverage_"))
                text += f"; its {coverage_sentence(coverage, level, what='the actual values')}"
        words.append(text + ".")
    return " ".join(words)


def _score_table(report: Report, table: pd.DataFrame, per: str, **options) -> None:
    """A score table with the methods and headers in words and numbers rounded to read."""
    formats = {c: "{:.2f}" for c in table.columns
               if c in ("direction", "mase") or str(c).startswith("coverage_")}
    formats.update({c: "{:,.1f}" for c in ("mae", "bias") if c in table.columns})
    table = table.assign(method=table["method"].map(_METHOD_WORDS).fillna(table["method"]))
    headers = _score_headers(table.columns, per)
    report.add_table(table.rename(columns=headers), max_rows=options.pop("max_rows", None),
                     float_format={headers.get(c, c): f for c, f in formats.items()},
                     **options)


def _sampling_words(scores) -> str:
    """What the stored demand and gap intervals were widened by, when they were."""
    sampled = scores.points.loc[scores.points["quantity"] != "supply", "actual_se"]
    if not (sampled > 0).any():
        return ""
    return ("The stored demand and gap intervals are for the true values in the population, "
            "while the values observed later are survey estimates with a sampling error of "
            "their own: each interval was widened by the standard error of the estimate it "
            "is compared with. Supply is counted from training records and compared as "
            "stored. ")


def _scored_span(scored: pd.DataFrame) -> str:
    """``scored on 2023Q1–2023Q4`` or, when the quantities differ, one span per quantity."""
    done = scored[scored["n_points"] > 0]
    spans = {str(r["quantity"]): (f"{r['first_period']}" if r["first_period"] == r["last_period"]
                                  else f"{r['first_period']}–{r['last_period']}")
             for _, r in done.iterrows()}
    if len(set(spans.values())) == 1:
        return f"scored on {next(iter(spans.values()))}"
    return "scored on " + ", ".join(f"{q} {span}" for q, span in spans.items())


def score_report(scores) -> Report:
    """A report section on how the edition did against what happened, next to the baselines."""
    per = per_period(scores.origin.freqstr)
    report = Report(f"Forecast edition {scores.edition} against what happened",
                    subtitle=f"origin {scores.origin}; {_scored_span(scores.scored)}")
    levels = [float(str(c).removeprefix("coverage_")) for c in scores.summary.columns
              if str(c).startswith("coverage_")]
    bands = " and ".join(f"{coverage_band(level):g} percentage points of {level:g}%"
                         for level in levels)
    good = ("A good stored forecast has a MASE below the simple rules' and a share of actual "
            "values inside each interval near its level"
            + (f" (within {bands})" if bands else "") + ".")
    seasonal = (scores.summary["method"] == "seasonal_naive").any()
    rules = ("two simple rules fitted on the same history: the naive rule (the last value "
             "carries on) and the seasonal naive rule (the same season a year before)"
             if seasonal else "a simple rule fitted on the same history: the naive rule (the "
             "last value carries on; with yearly data it is also the seasonal naive rule)")
    report.add_section(
        "How the stored forecast did",
        intro=f"Each stored forecast is compared with the values observed later, next to "
              f"{rules}. The share of changes in the right direction counts the cell-periods "
              "whose change from the origin went the way the forecast said (left out for the "
              "naive rule, which never changes); MASE divides the mean absolute error by the "
              "typical error of the seasonal naive rule in the history (below 1 beats that "
              "rule); the interval columns give the share of actual values inside the stored "
              "intervals. " + _sampling_words(scores) + good)
    scored = scores.scored.assign(**{
        "not scored, why": [_scored_words(row, scores.other_cells).partition(" not scored: ")[2]
                            for _, row in scores.scored.iterrows()]})
    report.add_table(
        scored[["quantity", "first_period", "last_period", "periods", "n_cells", "n_points",
                "n_forecast", "n_not_scored", "not scored, why"]].rename(columns={
                    "quantity": "Quantity", "first_period": "First period scored",
                    "last_period": "Last period scored", "periods": "Periods scored",
                    "n_cells": "Cells scored", "n_points": "Cell-periods scored",
                    "n_forecast": "Cell-periods forecast by the edition",
                    "n_not_scored": "Cell-periods not scored", "not scored, why": "Why not"}),
        caption="What was scored: per quantity, the periods and cells with both a stored "
                "forecast and a later value")
    _other_tables(report, scores)
    _score_table(report, scores.summary, per,
                 caption="All cells, per quantity (gap, demand, supply) and forecast")
    for note in _score_notes(scores):
        report.add_text(note)
    verdict = _score_verdict(scores.summary)
    if verdict:
        report.add_text(verdict)
    gap = scores.groups[scores.groups["quantity"] == "gap"]
    if len(gap):
        report.add_text("Per industry and per region, for the gap: " + good[0].lower()
                        + good[1:] + " A group where the stored forecast's MASE is above the "
                        "simple rules' is one where the forecast did worse than repeating the "
                        "past.")
        _score_table(report, gap, per, caption="The gap per group (industry, region)",
                     max_rows=60)
    return report


def _revision_note(scores) -> str:
    """The history the later data revised, per quantity, with the largest change; or ``""``."""
    revised = getattr(scores, "revised", None)
    if revised is None or not len(revised):
        return ""
    compared = scores.scored.set_index("quantity")["history_compared"]
    parts = []
    for quantity, rows in revised.groupby("quantity", sort=False):
        first, last = rows["period"].min(), rows["period"].max()
        span = str(first) if first == last else f"{first}–{last}"
        share = rows["relative_change"].abs().dropna()
        size = (f", by a median of {share.median():.0%} of the earlier value"
                if len(share) else "")
        top = rows.iloc[0]
        parts.append(f"{quantity} {len(rows):,} of {int(compared[quantity]):,} cell-periods "
                     f"({span}){size}, e.g. {_cell_names(rows.iloc[:1])} "
                     f"{top['period']}: {top['stored']:,.1f} -> {top['later']:,.1f}")
    return ("The later data revise the history the edition was fitted on (periods up to its "
            f"origin {scores.origin}): " + "; ".join(parts) + ". The forecast was made from "
            "the earlier values, so its errors here partly measure the revision rather than "
            "the forecast (every changed value: edition_revisions.csv).")


def _other_cells_note(scores) -> str:
    """The cells with later values that the edition does not have; or ``""``."""
    other = getattr(scores, "other_cells", None)
    if other is None or not len(other):
        return ""
    new = other[other["reason"] == "not in the edition"]
    if not len(new):
        return ""
    return (f"{len(new)} cell{'s' * (len(new) != 1)} with later values "
            f"{'are' if len(new) != 1 else 'is'} not in the edition (a new trade or region "
            f"since its origin) and not scored: {_cell_names(new)} (every cell not scored: "
            "edition_cells_not_scored.csv).")


def _other_tables(report: Report, scores) -> None:
    """The cells not scored as a whole, and the largest revisions of the edition's history."""
    other = getattr(scores, "other_cells", None)
    if other is not None and len(other):
        report.add_table(other.rename(columns={
            "reason": "Why not scored", "quantities": "Quantities",
            "n_periods": "Periods", "first_period": "From", "last_period": "To"}),
            caption="Cells not scored: not in the edition (later values, no forecast), or "
                    "without any later value in the periods forecast", max_rows=30)
    revised = getattr(scores, "revised", None)
    if revised is not None and len(revised):
        report.add_table(revised.rename(columns={
            "period": "Period", "quantity": "Quantity", "stored": "Value the edition knew",
            "later": "Value in the later data", "change": "Change",
            "relative_change": "Change (share of the earlier value)"}),
            caption="History revised by the later data (largest changes first per quantity)",
            max_rows=20, float_format={"Value the edition knew": "{:,.1f}",
                                       "Value in the later data": "{:,.1f}",
                                       "Change": "{:+,.1f}",
                                       "Change (share of the earlier value)": "{:+.0%}"})


def _score_notes(scores) -> list[str]:
    """What the score tables leave out or widen, in words (report, text and JSON summaries)."""
    notes = [note for note in (_revision_note(scores), _other_cells_note(scores)) if note]
    summary = scores.summary
    own = summary[summary["method"] == "edition"]
    counts = {}  # the same counts at every level: one sentence
    for column in [c for c in summary.columns if str(c).startswith("coverage_")]:
        short = own[own[f"n_{column}"] < own["n_points"]]
        if len(short):
            parts = ", ".join(f"{r['quantity']} {int(r[f'n_{column}'])} of "
                              f"{int(r['n_points'])}" for _, r in short.iterrows())
            counts.setdefault(parts, []).append(str(column).removeprefix("coverage_") + "%")
    for parts, levels in counts.items():
        notes.append(f"The {' and '.join(levels)} coverage count{'s' * (len(levels) == 1)} "
                     f"only the cell-periods with an interval to compare ({parts}): an "
                     "estimate without a standard error (a single respondent) cannot widen "
                     "its interval and is left out.")
    if _sampling_words(scores):
        notes.append("Demand and gap intervals were widened by the sampling error of the "
                     "later estimates before coverage was counted; supply intervals are "
                     "compared as stored.")
    if (summary["method"] == "naive").any():
        notes.append("The naive rule forecasts no change, so its share of changes in the "
                     "right direction is about 0 by construction: it is left out (blank).")
    if not (summary["method"] == "seasonal_naive").any():
        notes.append("With a season of one period (yearly data) the seasonal naive rule is "
                     "the naive rule: it is not shown separately.")
    return notes


def print_scores(args: argparse.Namespace, scores, files: list[Path], *,
                 latest: bool = False, stocks=None, stock_notes: list[str] = ()) -> None:
    """The terminal summary (text or JSON) of ``talentgap evaluate``.

    ``stocks`` (:class:`talentgap.editions.StockScores` or None) and
    ``stock_notes`` are the stored workforce projection against the stocks
    observed later (:mod:`talentgap.cli._edition_stocks`).
    """
    summary = scores.summary
    chosen = " (the latest forecast origin in the store)" if latest else ""
    if args.format == "json":
        scored = scores.scored.astype({"first_period": str, "last_period": str})
        doc = {"edition": scores.edition, "origin": str(scores.origin),
               "edition_chosen": "latest origin" if latest else "named",
               "periods": [str(p) for p in scores.periods],
               "scored": json.loads(scored.to_json(orient="records")),
               "summary": json.loads(summary.astype(
                   {"first_period": str, "last_period": str}).to_json(orient="records")),
               "notes": _score_notes(scores),
               "history_revised": int(len(scores.revised)),
               "cells_not_scored": json.loads(scores.other_cells.astype(
                   {"first_period": str, "last_period": str}).to_json(orient="records")),
               "stocks": ([] if stocks is None else
                          json.loads(stocks.stocks.to_json(orient="records"))),
               "stock_notes": list(stock_notes),
               "files": [str(f) for f in files]}
        print(json.dumps(doc, indent=2))
        return
    lines = [f"talentgap evaluate: edition {scores.edition}{chosen} (origin {scores.origin}); "
             f"wrote {len(files)} files to {files[0].parent}",
             "  scored, per quantity:"]
    lines += [f"    {_scored_words(row, scores.other_cells)}"
              for _, row in scores.scored.iterrows()]
    shown = summary.drop(columns=[c for c in summary.columns
                                  if str(c).startswith("n_coverage_")]).copy()
    for column in shown.columns[2:]:
        if column not in ("n_points", "first_period", "last_period"):
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    lines += ["  " + line for line in shown.to_string(index=False).splitlines()]
    lines += [f"  note: {note}" for note in _score_notes(scores)]
    if stock_notes:
        lines.append("  workforce projection against the observed stocks:")
        lines += [f"    {note}" for note in stock_notes]
    print("\n".join(lines))
