"""The planner's report reads as a planner needs: units, defined totals, plain constraints."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from talentgap.cli import main
from talentgap.cli._notes import plain_constraints, plain_plan_note
from talentgap.cli._wording import (
    backtest_verdict,
    column_header,
    coverage_band,
    coverage_verdict,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "national_targets.toml"


def page_text(path: Path) -> str:
    """The visible text of a report, tags and styles removed, spaces collapsed."""
    page = path.read_text(encoding="utf-8")
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    body = body.replace("<wbr>", "")  # line-break hints inside long names
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def demo_out(naive_demo_out):
    """``talentgap demo`` with a naive model and charts off: its output folder."""
    return naive_demo_out


@pytest.fixture(scope="module")
def demo_text(demo_out):
    """The demo report's text."""
    return page_text(demo_out / "report.html")


@pytest.fixture(scope="module")
def national_text(national_out):
    """The national-target example's multi-year plan: the report's text."""
    return page_text(national_out / "report.html"), pd.read_csv(national_out / "quotas.csv")


def _rows(**columns) -> pd.DataFrame:
    """Rows of a plan's constraints table (every constraint binds, one objective)."""
    return pd.DataFrame({"binds": True, "objective": "expected shortfall", **columns})


def test_binding_constraints_get_currency_and_persons():
    budget = _rows(kind=["budget"], words=["budget"], limit=[5_000_000.0], used=[4_998_000.0],
                   unit=["money"], value=[7.5e-05])
    summary = pd.Series({"integer": "round", "shortfall_after": 10.0})
    assert plain_constraints(budget, currency="yuan", summary=summary) == [
        "budget is fully used: 4,998,000 of 5,000,000 yuan spent; each extra 10,000 yuan of "
        "it closes about 0.75 persons of the expected shortfall; the 2,000 yuan left buys no "
        "further useful place"]
    capacity = _rows(kind=["capacity"], words=["capacity of textiles in Brackenford"],
                     limit=[150.0], used=[150.0], unit=["places"], value=[0.12],
                     objective="weighted expected shortfall")
    assert plain_constraints(capacity, unit="person-years") == [
        "capacity of textiles in Brackenford is reached (150 places); one more place of "
        "capacity closes about 0.12 person-years of the weighted expected shortfall"]
    # a rate too small to read is given for 10, 100 or 1,000 places, never as 0.0057
    small = plain_constraints(capacity.assign(value=0.0057))[0]
    assert "each 100 more places of capacity close about 0.57 persons" in small
    assert "0.0057" not in small
    money = _rows(kind=["budget_envelope"], words=["the budget cap of programme welding"],
                  limit=[40_000.0], used=[40_000.0], unit=["money"], value=[8.1e-05])
    assert plain_constraints(money, currency="yuan") == [
        "the budget cap of programme welding is reached (40,000 yuan); each extra 10,000 yuan "
        "of it closes about 0.81 persons of the expected shortfall"]
    # a proportional plan's capacity has no value: no effect is claimed
    reached = capacity.assign(value=float("nan"))
    assert plain_constraints(reached) == [
        "capacity of textiles in Brackenford is reached (150 places)"]
    # continuous places spend the budget up to its sum's rounding: no "5,000,000.0 of 5,000,000"
    spent = _rows(kind=["budget"], words=["budget"], limit=[5e6], used=[5e6 - 1e-6],
                  unit=["money"], value=[9.5e-05])
    line = plain_constraints(spent, currency="yuan", summary=pd.Series({"integer": "none"}))[0]
    assert line.startswith("budget is fully used: 5,000,000 of 5,000,000 yuan spent; ")


def test_the_solver_tolerance_is_left_out_of_notes():
    note = ("several plans are equally good: they leave the same weighted expected "
            "shortfall (within 1e-09 of the shortfall with no plan); among them ...")
    assert plain_plan_note(note) == ("several plans are equally good: they leave the "
                                     "same weighted expected shortfall; among them ...")


@pytest.mark.parametrize(("mase", "coverage", "words"), [
    (0.8, 0.78, ["MASE of 0.80 is below 1: its errors are smaller than",
                 "within 5 percentage points of 80%: they can be read as stated"]),
    (1.01, 0.75, ["is about 1: its errors are about as large as",
                  "within 5 percentage points"]),
    (1.3, 0.60, ["is above 1: its errors are larger than",
                 "20 percentage points short of 80% (more than 5): the intervals are too "
                 "narrow"]),
    (0.9, 0.97, ["17 percentage points above 80% (more than 5): the intervals are wider "
                 "than they need to be"]),
])
def test_backtest_verdict_judges_against_stated_thresholds(mase, coverage, words):
    board = pd.DataFrame({"model": ["GapForecaster", "naive"], "mae": [80.8, 94.9],
                          "mase": [mase, 1.2], "smape": [124.3, 130.0],
                          "coverage_80": [coverage, 0.8]})
    text = backtest_verdict(board, level=80)
    assert text.startswith("How good is this? The gap model (demand and supply forecast "
                           "apart) ranks first in the backtest.")
    # the old, awkward sentence is gone: no "GapForecaster is the most accurate model: its"
    assert "is the most accurate model:" not in text and "GapForecaster" not in text
    assert ("missed the actual gap by 81 persons on average, 15% less than the better simple "
            "rule (the naive rule, which missed by 95).") in text
    assert "(0.95 to 1.05 counts as about the same)" in text  # the threshold it compares with
    for part in words:
        assert part in text
    assert "sMAPE column (124 on a scale of 0 to 200)" in text


@pytest.mark.parametrize(("coverage_95", "words"), [
    (0.94, "Its 95% intervals contained 94.0% of the actual gaps, within 2.5 percentage "
           "points of 95%: they can be read as stated."),
    (0.90, "Its 95% intervals contained 90.0% of the actual gaps, 5.0 percentage points short "
           "of 95% (more than 2.5): the intervals are too narrow"),
])
def test_backtest_verdict_judges_the_95_intervals_with_their_own_band(coverage_95, words):
    board = pd.DataFrame({"model": ["GapForecaster", "naive"], "mae": [80.8, 94.9],
                          "coverage_80": [0.76, 0.8], "coverage_95": [coverage_95, 0.9]})
    text = backtest_verdict(board, level=[80, 95])
    assert ("Its 80% intervals contained 76% of the actual gaps, within 5 percentage points "
            "of 80%") in text
    assert words in text
    assert text.index("80% intervals") < text.index("95% intervals")


def test_coverage_band_is_the_one_threshold_of_the_verdicts():
    assert [coverage_band(level) for level in (50, 80, 90, 95)] == [5.0, 5.0, 5.0, 2.5]
    assert coverage_verdict(0.925, 95).startswith("within 2.5 percentage points")
    assert coverage_verdict(0.92, 95).startswith("3.0 percentage points short of 95%")


def test_backtest_verdict_when_a_simple_rule_wins():
    board = pd.DataFrame({"model": ["seasonal_naive", "GapForecaster"], "mae": [90.0, 99.0],
                          "mase": [1.1, 1.2]})
    text = backtest_verdict(board)
    assert text.startswith("How good is this? A simple rule ranks first in the backtest, the "
                           "seasonal naive rule (the gap a year before): no model beat it")


def test_backtest_verdict_says_when_the_first_model_misses_by_more_than_a_rule():
    # ranked first by MASE, but a simple rule misses by less on average
    board = pd.DataFrame({"model": ["GapForecaster", "naive"], "mae": [15.7, 14.2],
                          "mase": [1.46, 1.59]})
    text = backtest_verdict(board)
    assert ("missed the actual gap by 16 persons on average, 11% more than the better simple "
            "rule (the naive rule, which missed by 14): on this measure it does not beat the "
            "simple rules, so read its forecasts with care.") in text


def test_demo_report_defines_its_totals_with_units(demo_text):
    text = demo_text
    assert "How the totals are counted: a cell's gap in a quarter" in text
    assert "Sum of positive expected gaps" in text
    assert re.search(r"Expected shortfall in \d{4}Q\d \(persons\): before → after", text)
    assert re.search(r"cuts the expected shortfall from [\d,]+ to [\d,]+ persons in \d{4}Q\d",
                     text)
    # the same before and after figures in the key figures, the headline and the plan table
    before, after = re.search(r"before → after ([\d,]+) → ([\d,]+)", text).groups()
    assert f"from {before} to {after} persons" in text
    assert re.search(rf"optimised plan [\d,]+ [\d,]+ [\d,]+ {before} {after}", text)


def test_demo_report_shows_the_currency_and_plain_constraints(demo_text):
    text = demo_text
    assert re.search(r"[\d,]+ of [\d,]+ yuan", text)  # cost of the plan, of the budget
    assert re.search(r"within a budget of [\d,]+ yuan", text)
    assert re.search(r"Optimised plan and proportional rule .*? Notes: cost in yuan; expected "
                     r"shortfall in \d{4}Q\d, in persons\.", text)
    assert re.search(r"each extra [\d,]+ yuan of it closes about [\d.]+ persons", text)
    assert "removes about" not in text
    assert "the last forecast period: training and certification take time" in text
    assert not re.search(r"\b\d+(\.\d+)?e[+-]?\d+\b", text)  # no scientific notation


def test_demo_plan_names_the_period_its_shortfall_is_of(demo_out, demo_text):
    # places funded in `period` count a lead time later: shortfalls and gaps are arrival's
    summary = pd.read_csv(demo_out / "plan_summary.csv")
    funded, arrival = summary["period"].iloc[0], summary["arrival_period"].iloc[0]
    assert (pd.Period(arrival, freq="Q") - pd.Period(funded, freq="Q")).n == 1
    assert (summary["arrival_period"] == arrival).all()  # the proportional rule's too
    quotas = pd.read_csv(demo_out / "quotas.csv")
    forecast = pd.read_csv(demo_out / "forecast.csv")
    keys = ["region", "industry", "skill_level"]
    both = quotas.merge(forecast[forecast["period"] == arrival], on=keys)
    assert len(both) == len(quotas)
    assert (both["gap_before"] - both["gap"]).abs().max() < 1e-6
    text = demo_text
    assert f"Expected shortfall in {arrival} (persons): before → after" in text
    assert re.search(rf"cuts the expected shortfall from [\d,]+ to [\d,]+ persons in {arrival}",
                     text)
    assert f"Notes: cost in yuan; expected shortfall in {arrival}, in persons." in text
    assert f"are expected gaps in {arrival} (persons)" in text
    assert f"persons short over all cells in {arrival}" in text
    assert f"expected shortfall in {funded}" not in text and f"gaps in {funded}" not in text
    assert f"the places are funded in {funded} and count from {arrival}" in text
    # per-cell figures are rounded; the totals come from the unrounded values
    assert "figures are rounded to whole persons, so they may not add up to the plan's " in text


def test_demo_workbook_keeps_true_false_as_booleans(demo_out):
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(demo_out / "results.xlsx", read_only=True)["plan_summary"]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("optimum_unique")
    assert [row[0] for row in rows[1:]] == ["optimised", "proportional"]
    assert isinstance(rows[1][column], bool)      # TRUE or FALSE, not 0.0 or 1.0
    assert rows[2][column] in (None, "")          # the proportional rule has none
    csv = pd.read_csv(demo_out / "plan_summary.csv")
    assert str(rows[1][column]) == str(csv["optimum_unique"].iloc[0])


def test_demo_report_explains_intervals_and_weights(demo_text):
    assert ("the gap lies between the low and the high end of its 80% interval with 80% "
            "probability") in demo_text
    assert "stands for as many enterprises as its design weight" in demo_text


def test_demo_report_says_how_good_the_backtest_is(demo_text):
    assert "How good is this? The gap model (demand and supply forecast apart) ranks first" in (
        demo_text)
    assert "sMAPE" not in demo_text  # not scored for gaps, which cross 0
    assert "MASE is the measure to read" not in demo_text
    assert "beats the in-sample seasonal naive error" not in demo_text  # jargon gone
    assert "Two simple rules are the yardstick" in demo_text


def test_no_rejected_rows_no_pointer_to_a_rejected_file(demo_text):
    assert "rejected.csv" not in demo_text
    assert "no row was rejected" in demo_text


@pytest.mark.slow
def test_multiyear_report_counts_person_years_and_names_funding_years(national_text):
    text, quotas = national_text
    # the key figures give both parts of the shortfall, labelled
    assert re.search(r"Expected shortfall of vacancies summed over 2025 to 2030 "
                     r"\(person-years\)", text)
    assert re.search(r"Expected shortfall against the skilled target summed over 2025 to 2030 "
                     r"\(person-years\)", text)
    assert re.search(r"the expected shortfall summed over 2025 to 2030 from [\d,]+ to "
                     r"[\d,]+ person-years", text)
    assert "Places funded per cell and year" in text
    assert "Funding year" in text and "funding_year" not in text
    assert "each such worker counted as much as a vacancy" in text
    # the rows of the largest quota show their funding year with them
    top = quotas[quotas["quota"] == quotas["quota"].max()].head(5)
    for row in top.itertuples(index=False):
        assert f"{row.region} {row.industry} {row.period} " in text
    assert re.search(r"each extra [\d,]+ yuan of it closes about [\d.]+ person-years", text)
    assert "1e-" not in text and "1e+" not in text
    # the workers added are those who certify and take a job, as the column says
    assert re.search(r"By then [\d,]+ will have certified and taken a job in their trade, "
                     r"counted before any leave it\.", text)
    assert "certified by then" not in text


def test_demo_headline_says_what_budget_closes_the_shortfall_or_what_none_can(demo_text):
    # the demo caps each cell at 150 places: no budget closes 95% of the shortfall
    match = re.search(r"No budget closes 95% of it\. Beyond about ([0-9.]+) million yuan more "
                      r"money buys nothing\. ([0-9,]+) of the ([0-9,]+) cells are then at "
                      r"their capacities [^;]*?\. The expected shortfall then falls to "
                      r"([0-9,]+) persons \(([0-9]+)% closed\)", demo_text)
    assert match, demo_text[:2000]
    assert 0 < int(match.group(5)) < 95
    assert 0 < int(match.group(2).replace(",", "")) <= int(match.group(3).replace(",", ""))


def test_no_table_header_in_the_demo_report_is_a_raw_column_name(demo_out):
    page = (demo_out / "report.html").read_text(encoding="utf-8")
    headers = [html.unescape(re.sub(r"<[^>]+>", "", h))
               for h in re.findall(r"<th[^>]*>(.*?)</th>", page, flags=re.S)]
    assert len(headers) > 20
    raw = sorted({h for h in headers if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", h)
                  or h in {"gap", "quota", "cost", "plan", "model", "region", "mae"}})
    assert not raw, raw
    for words in ("Expected gap before the plan (persons per quarter)",
                  "Probability of a shortage (0–1)", "Cost (yuan)",
                  "Expected shortfall after the plan (persons)"):
        assert words in headers


def test_column_headers_follow_frequency_currency_and_level():
    assert column_header("gap_lo_95", freq="M") == (
        "Gap, low end of the 95% interval (persons per month)")
    assert column_header("coverage_80") == "Share of actual gaps inside the 80% interval (0–1)"
    assert column_header("budget", currency="yuan") == "Budget (yuan)"
    assert column_header("cost") == "Cost"
    assert column_header("shortfall_before", shortfall="person-years") == (
        "Expected shortfall before the plan (person-years)")
    assert column_header("some_new_column") == "Some new column"


def test_tie_note_in_plain_words():
    from talentgap.planning.quotas import _tie_notes

    note = _tie_notes(3)[0]
    assert note.startswith("several plans are equally good: 3 cells remove the same shortfall")
    assert "in proportion to their remaining need" in note
    assert "optimum" not in note and "solver" not in note


def test_a_plan_for_a_set_period_gets_its_closing_budget_in_that_period():
    from talentgap.cli.config import Config
    from talentgap.cli.pipeline import DEMO_PLAN, run
    from talentgap.cli.reporting import headline_text

    config = Config.from_dict({"forecast": {"model": "naive", "n_samples": 200},
                               "plan": {**DEMO_PLAN, "period": "2025Q2"},
                               "output": {"currency": "yuan"}})
    result = run(config, steps=("plan",), demo=True)
    curve, summary = result.budget_curve, result.plan.summary
    # funded in 2025Q2, the places count a lead time later: the need is 2025Q3's
    assert (str(summary["period"]), summary["arrival_period"]) == ("2025Q2", "2025Q3")
    # measured in the plan's own need period: the same shortfall before any place
    assert curve.table["shortfall_before"].iloc[0] == pytest.approx(
        float(summary["shortfall_before"]))
    text = headline_text(result)
    assert re.search(r"(Closing 95% of the expected shortfall in 2025Q3 takes (at most )?about "
                     r"[0-9.]+ million yuan|No budget closes 95% of it\. Beyond about)",
                     text), text


def test_a_multiyear_plan_says_what_its_budgets_buy_and_leave(tmp_path):
    out = tmp_path / "out"
    assert main(["demo", "--out", str(out), "--no-charts", "--set", "forecast.n_samples=200",
                 "--set", 'forecast.model="naive"', "--set", "plan.years=[2025, 2026]",
                 "--set", "plan.lead_time=1"]) == 0
    text = page_text(out / "report.html")
    years = pd.read_csv(out / "plan_years.csv")
    funded = years[years["places"] > 0]
    bought = ", ".join(f"{row.places:,.0f} places in {row.period}"
                       for row in funded.itertuples(index=False))
    # the demo has one budget for both years: "the budget buys"
    assert f"Over the funding years the budget buys {bought}" in text
    last = years.iloc[-1]
    assert (f"The expected shortfall in {years['period'].iloc[-1]} falls from "
            f"{last['shortfall_before']:,.0f} to {last['shortfall_after']:,.0f} persons") in text
    assert "What limits the plan: the budget is fully used" in text
    assert "More money would close more of it." in text
    assert "Closing 95%" not in text  # no budget curve is drawn for a multi-year plan
    assert "year(s)" not in text and "certify 1 year later" in text
    assert "training places over 2025 and 2026 for" in text
    assert re.search(r"Year Training places Cost \(yuan\)", text)  # not "Period"
