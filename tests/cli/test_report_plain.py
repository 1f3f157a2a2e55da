"""The report in a planner's words: notes, levels, binding limits and charts without codes."""

from __future__ import annotations

import dataclasses
import html
import json
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from talentgap._words import rounded_number
from talentgap.cli import outputs, pipeline
from talentgap.cli._notes import plain_constraints, plain_note
from talentgap.cli._report_plan_tables import binding_sentences
from talentgap.cli._wording import level_words, levels_in_text
from talentgap.cli.commands import build_config
from talentgap.cli.main import build_parser
from talentgap.cli.reporting import build_report

EXIT = ("the mean exit share per period of the skilled stock is outside [0, 1] in 1 cell and is "
        "clipped (stock changes the inflows do not explain): general_equipment in Copperwick: "
        "-0.01891")
SHORT_EXITS = ("exit rates of the high_skilled stock in 2 cells rest on fewer than 3 years of "
               "stock changes and are uncertain: textiles in Ashmere: 2 changes; robots in "
               "Ashmere: 2 changes")
HELD = ("the gap model's sample paths reach 2028; the market need of 2029-2030 is held at its "
        "2028 level (per sample path)")
SKIPPED = ("7 series-window pair(s) skipped: the series has no observation up to that "
           "window's cutoff")
MASE = ("MASE/RMSSE undefined (NaN) for 3 series-window pair(s): the data up to the cutoff has "
        "no pair of values 4 period(s) apart, or is constant over them (scale 0)")
SHORT = ("no series is long enough to calibrate the sample paths of series with [9, 10] "
         "observations; their paths use the errors pooled over all series, which are likely too "
         "narrow for them")
CONFORMAL = ("too few rolling-origin errors for 95% intervals at horizons [3, 4]; those "
             "intervals use the largest error seen and may be too narrow; use more windows or "
             "more series")


def visible_text(page: str) -> str:
    """The text a reader sees: styles and tags removed, line-break hints too."""
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    body = body.replace("<wbr>", "")
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """The demo's run (naive model, few samples), its charts and its report's text."""
    out = tmp_path_factory.mktemp("plain")
    args = build_parser().parse_args(
        ["demo", "--out", str(out), "--set", "forecast.n_samples=200",
         "--set", 'forecast.model="naive"'])
    config = build_config(args)
    result = pipeline.run(config, steps=("features", "backtest", "forecast", "plan"), demo=True)
    figures = outputs.charts(result)
    text = visible_text(build_report(result, figures, command="demo").to_html())
    yield result, figures, text
    plt.close("all")


def test_level_words_is_the_one_helper():
    assert level_words("high_skilled") == "high-skilled"
    column = level_words(pd.Series(["skilled", "high_skilled"], dtype="category"))
    assert column.tolist() == ["skilled", "high-skilled"]
    # whole codes only: "skilled" inside "high_skilled" is not a level of its own
    assert levels_in_text("textiles / high_skilled and skilled_trades", ["skilled",
                                                                         "high_skilled"]) == (
        "textiles / high-skilled and skilled_trades")


def test_numbers_are_rounded_for_reading():
    # prose rounds to two significant figures at every size (12,345.678 once read "12,346")
    assert [rounded_number(v) for v in (12345.678, 4.567, 0.01891, -0.000081234)] == [
        "12,000", "4.6", "0.019", "-0.000081"]


@pytest.mark.parametrize(("message", "old", "new"), [
    (EXIT, ["-0.01891", "exit share", "clipped", "inflows"],
     ["For 1 cell the skilled workforce grew by more than the newly certified workers explain",
      "the plan takes no one to leave there", "general_equipment in Copperwick (-1.9% a "
      "quarter)."]),
    (HELD, ["sample paths", "per sample path"],
     ["The forecast reaches only to 2028: the plan takes the vacancies of 2029–2030 to stay "
      "at their 2028 level."]),
    (SKIPPED, ["series-window", "pair(s)", "cutoff"],
     ["The backtest left out 7 cases where a cell had no data yet"]),
    (MASE, ["RMSSE", "NaN", "series-window"],
     ["MASE could not be computed in 3 cases", "left out of the MASE column."]),
    (SHORT, ["[9, 10]", "calibrate", "observations"],
     ["The cells with only 9 or 10 quarters of history are too short to check their own past "
      "forecast errors"]),
    (CONFORMAL, ["rolling-origin", "horizons [3, 4]"],
     ["Too few past forecast errors were available to set the 95% intervals 3 to 4 quarters "
      "ahead"]),
])
def test_known_warnings_become_plain_sentences(message, old, new):
    text = plain_note(message)
    for words in old:
        assert words not in text, (words, text)
    for words in new:
        assert words in text, (words, text)
    assert not text[0].islower() and text.endswith(".")


def test_binding_lines_of_one_kind_share_one_step():
    """Budget lines share one sum of money, capacity lines one number of places, so the
    lines of one list compare at a glance; the smallest effect keeps 2 significant figures."""
    lines = plain_constraints(pd.DataFrame({
        "kind": ["budget", "budget", "capacity", "capacity"],
        "words": ["the budget for 2025", "the budget for 2026", "capacity of textiles in Ashmere",
                  "capacity of textiles in Dunhollow"],
        "binds": True, "limit": [1000.0, 1000.0, 400.0, 400.0],
        "used": [1000.0, 1000.0, 400.0, 400.0], "unit": ["money", "money", "places", "places"],
        "value": [1.6e-4, 8.1e-5, 0.0057, 0.043], "objective": "expected shortfall"}),
        currency="yuan", unit="person-years")
    assert "each extra 10,000 yuan of it closes about 1.6 person-years" in lines[0]
    assert "each extra 10,000 yuan of it closes about 0.81 person-years" in lines[1]
    assert "each 100 more places of capacity close about 0.57 person-years" in lines[2]
    assert "each 100 more places of capacity close about 4.3 person-years" in lines[3]


def test_exit_notes_say_which_workforce_they_are_about():
    high = EXIT.replace("the skilled stock", "the high_skilled stock").replace(
        "-0.01891", "-0.0144")
    skilled, high_skilled = plain_note(EXIT), plain_note(high)
    assert skilled.startswith("For 1 cell the skilled workforce grew by more than")
    assert high_skilled.startswith("For 1 cell the high-skilled workforce grew by more than")
    assert "(-1.4% a quarter)" in high_skilled and "high_skilled" not in high_skilled
    falling = plain_note(high.replace("-0.0144", "1.25"), freq="Y")
    assert falling.startswith("For 1 cell the high-skilled workforce fell by more than all its "
                              "workers leaving would explain each year")
    short = plain_note(SHORT_EXITS)
    assert short.startswith("For 2 cells the share of high-skilled workers leaving the trade is "
                            "estimated from less than 3 years of data")
    assert "stock changes" not in short


def test_other_warnings_get_a_capital_rounded_numbers_and_levels_in_words():
    text = plain_note("residuals of 2 nodes of high_skilled have scale 1.23456e-05",
                      levels=["high_skilled"])
    assert text == "Residuals of 2 nodes of high-skilled have scale 0.000012."


def test_report_notes_are_translated_and_the_library_text_is_not(demo_run):
    result, figures, _ = demo_run
    noted = dataclasses.replace(result, notes=[EXIT, HELD, SKIPPED])
    text = visible_text(build_report(noted, figures, command="demo").to_html())
    assert "-0.01891" not in text and "series-window" not in text
    assert "sample paths reach" not in text
    assert "Warning: For 1 cell the skilled workforce grew" in text
    assert "Warning: The forecast reaches only to 2028" in text
    assert EXIT in noted.notes  # the run keeps the library's own wording


def test_report_shows_skill_levels_in_words(demo_run):
    _, _, text = demo_run
    assert "high_skilled" not in text
    assert "/ high-skilled" in text                       # headline and captions
    assert "The plan funds" in text and "for high-skilled (" in text
    assert re.search(r"high-skilled \| |high-skilled \d", text) or " high-skilled " in text


def test_binding_lines_start_with_a_capital_and_read_plainly(demo_run):
    result, _, text = demo_run
    # the library's own lines are unchanged
    assert any(line.startswith("budget is fully used") for line in result.plan.binding)
    assert re.search(r"Budget is fully used: [\d,]+ of [\d,]+ yuan spent; each extra [\d,]+ "
                     r"yuan of it closes about [\d.]+ persons", text)
    assert "Capacity of " in text and " is reached (150 places)" in text
    assert " binds (" not in text and "capacity of clothing" not in text
    assert re.search(r"the [\d,]+ yuan left buys", text)


def test_plan_outputs_carry_the_constraints_table(demo_run, tmp_path):
    result, _, _ = demo_run
    outputs.write_tables(result, tmp_path, parquet=False)
    table = pd.read_csv(tmp_path / "plan_binding.csv")
    # the library's columns, with the sentence moved after the cell's key columns
    assert sorted(table.columns) == sorted(result.plan.constraints.columns)
    assert table.columns[-1] == "sentence"
    assert {"region", "industry", "skill_level"} <= set(table.columns)
    # the sentences the report prints, with the currency (the library's lines have none)
    assert table["sentence"].tolist() == binding_sentences(result)
    assert table.loc[0, "sentence"].startswith("Budget is fully used: ")
    assert " yuan spent; " in table.loc[0, "sentence"]
    assert table.loc[0, "kind"] == "budget" and table.loc[0, "limit"] == 5_000_000
    doc = outputs.summary(result, command="demo", out=tmp_path, files=[])
    rows = doc["plan"]["constraints"]
    assert [row["sentence"] for row in rows] == doc["plan"]["binding"]
    assert rows[0]["value"] == pytest.approx(result.plan.marginal_value["budget"])
    assert json.loads(json.dumps(doc, allow_nan=False))["plan"]["constraints"] == rows


def test_report_has_no_raw_numbers_codes_or_jargon(demo_run):
    _, _, text = demo_run
    assert not re.search(r"\d\.\d{4,}", text)               # no number with 4+ decimals
    assert not re.search(r"\b\d+(\.\d+)?e[+-]?\d+\b", text)  # no scientific notation
    assert "joint sample paths" not in text
    assert "Cells (region × industry × skill level)" in text
    assert "Sum of positive expected gaps, 2025Q4 (persons in the quarter)" in text
    assert "persons short in the quarter on average" in text
    assert "ending at the period" not in text and "(4 quarters)" in text
    assert "Cell-quarters of the forecast with the flag" in text
    assert "exponential smoothing" in text or "last value" in text  # methods in words
    assert "seasonal_naive" not in text
    assert "each cell-period is treated as its own stratum" not in text
    assert "as if the responding enterprises of each cell and quarter were a random" in text


def test_charts_label_levels_in_words(demo_run):
    _, figures, _ = demo_run
    bars = figures["top_shortages"].axes[0]
    labels = [t.get_text() for t in bars.get_yticklabels()]
    assert any("high-skilled" in label for label in labels), labels
    assert not any("high_skilled" in label for label in labels), labels
    fans = [figures[k].axes[0].get_title() for k in figures if k.startswith("fan_")]
    assert fans and not any("high_skilled" in title for title in fans), fans
    panels = [ax.get_title() for ax in figures["gap_heatmap_by_level"].axes if ax.images]
    assert panels == ["skill level: skilled", "skill level: high-skilled"]
    horizon = figures["error_by_horizon"].axes[0]
    assert horizon.get_title() == "Mean absolute error by horizon (lower is better)"
    assert horizon.get_ylabel() == "mean absolute error (persons)"
    budget = figures["shortfall_vs_budget"].axes[0]
    assert budget.get_ylabel() == "expected shortfall after training (persons)"


@pytest.mark.parametrize(("scale", "unit"), [(1.0, "persons"), (1e4, "millions of persons")])
def test_shortfall_chart_keeps_the_plots_unit_in_persons(scale, unit):
    comparison = pd.DataFrame({
        "label": ["optimised"] * 2 + ["proportional to gap"] * 2,
        "budget": [4e7, 8e7] * 2,
        "shortfall_after": [5_700.0 * scale, 2_200.0 * scale, 8_300.0 * scale, 3_400.0 * scale],
        "shortfall_before": 13_100.0 * scale,
        "shortfall_basis": "expected shortfall (mean over 1,000 scenarios)"})
    config = build_config(build_parser().parse_args(["demo", "--out", "unused"]))
    figures = outputs.charts(pipeline.RunResult(config=config, comparison=comparison))
    axes = figures["shortfall_vs_budget"].axes[0]
    assert axes.get_ylabel() == f"expected shortfall after training ({unit})"
    ticks = [t.get_text() for t in axes.get_yticklabels() if t.get_text()]
    digits = max(len(t.replace(",", "")) for t in ticks)
    assert digits <= 3 if scale > 1 else digits >= 4, ticks  # 20 (millions) or 12,000
    plt.close("all")


def test_models_table_pairs_the_history_and_drops_an_all_none_fallback_column(demo_run):
    result, _, text = demo_run
    table = text[text.index("Models, history and fallbacks"):]
    table = table[:table.index("Table 4") if "Table 4" in table else None]
    assert "History in quarters: demand / supply" in table
    assert re.search(r"\b\d+ / \d+\b", table)
    assert "Periods of demand history" not in text
    explained = result.gap_model.explain(4)
    if (explained["fallback_reason"].isna()).all():
        assert "None of these cells needed a fallback." in text
        assert "Fallback used" not in table


def test_report_says_the_gap_intervals_are_for_the_population(demo_run):
    result, _, text = demo_run
    assert result.gap_model.demand_se_ is not None
    assert "They are intervals for the true gap in the population" in text
    assert ("before they were compared, each of its intervals was widened by the standard "
            "error of the estimate it was compared with") in text
    gap = result.backtests["GapForecaster"].forecasts
    assert (gap["actual_se"] > 0).mean() > 0.9


def test_intervals_for_the_estimates_keep_the_sampling_error(tmp_path):
    """``[forecast] intervals = "estimates"``: the paths keep the sampling error, the backtest
    compares them with the estimates as they are, and the report says nothing else."""
    args = build_parser().parse_args(
        ["demo", "--out", str(tmp_path), "--set", "forecast.n_samples=100",
         "--set", 'forecast.model="naive"', "--set", 'forecast.intervals="estimates"'])
    config = build_config(args)
    assert config.forecast.intervals == "estimates"
    result = pipeline.run(config, steps=("features", "backtest", "forecast"), demo=True)
    assert result.gap_model.demand_se_ is None
    assert "actual_se" not in result.backtests["GapForecaster"].forecasts.columns
    text = visible_text(build_report(result, {}, command="demo").to_html())
    assert "intervals for the true gap in the population" not in text
    assert "widened by the standard error" not in text
