"""The planner's report reads as a planner needs: units, defined totals, plain constraints."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from talentgap.cli import main
from talentgap.cli._wording import backtest_verdict, plain_constraint

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "national_targets.toml"


def page_text(path: Path) -> str:
    """The visible text of a report, tags and styles removed, spaces collapsed."""
    page = path.read_text(encoding="utf-8")
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    body = body.replace("<wbr>", "")  # line-break hints inside long names
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def demo_text(tmp_path_factory):
    """``talentgap demo`` with a naive model and charts off: the report's text."""
    out = tmp_path_factory.mktemp("demo_words")
    code = main(["demo", "--out", str(out), "--no-charts", "--set", "forecast.n_samples=200",
                 "--set", 'forecast.model="naive"'])
    assert code == 0
    return page_text(out / "report.html")


@pytest.fixture(scope="module")
def national_text(tmp_path_factory):
    """The national-target example's multi-year plan: the report's text."""
    out = tmp_path_factory.mktemp("national_words")
    assert main(["plan", "--config", str(EXAMPLE), "--out", str(out), "--no-charts"]) == 0
    return page_text(out / "report.html"), pd.read_csv(out / "quotas.csv")


def test_binding_constraints_get_currency_and_persons():
    line = ("budget is fully used: 4,998,000 of 5,000,000 spent; each extra 10,000 of it "
            "removes about 0.75 of the expected shortfall; the 2,000 left buys no place")
    assert plain_constraint(line, currency="yuan") == (
        "budget is fully used: 4,998,000 of 5,000,000 yuan spent; each extra 10,000 yuan of "
        "it closes about 0.75 persons of the expected shortfall; the 2,000 left buys no place")
    capacity = ("capacity of textiles in Brackenford binds (150 places); one more place of "
                "capacity removes about 0.12 of the weighted expected shortfall")
    assert plain_constraint(capacity, unit="person-years").endswith(
        "one more place of capacity closes about 0.12 person-years of the weighted expected "
        "shortfall")


def test_the_solver_tolerance_is_left_out_of_notes():
    note = ("the optimum is not unique: several plans leave the same weighted expected "
            "shortfall (within 1e-09 of the shortfall with no plan); of these ...")
    assert plain_constraint(note) == ("the optimum is not unique: several plans leave the "
                                      "same weighted expected shortfall; of these ...")


@pytest.mark.parametrize(("mase", "coverage", "words"), [
    (0.8, 0.78, ["MASE of 0.80 is below 1", "within 5 points of 80%: well calibrated"]),
    (1.01, 0.75, ["is about 1, so its errors are about as large as", "within 5 points"]),
    (1.3, 0.60, ["is above 1, so its errors are larger than",
                 "20 points short of 80%: the intervals are too narrow"]),
    (0.9, 0.97, ["17 points above 80%: the intervals are wider than they need to be"]),
])
def test_backtest_verdict_judges_against_stated_thresholds(mase, coverage, words):
    board = pd.DataFrame({"model": ["GapForecaster", "naive"], "mase": [mase, 1.2],
                          "smape": [124.3, 130.0], "coverage_80": [coverage, 0.8]})
    text = backtest_verdict(board, level=80)
    assert text.startswith("How good is this? GapForecaster is the most accurate model")
    for part in words:
        assert part in text
    assert "sMAPE (124 on 0–200)" in text


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
    assert re.search(rf"optimised [\d,]+ [\d,]+ [\d,]+ {before} {after}", text)


def test_demo_report_shows_the_currency_and_plain_constraints(demo_text):
    text = demo_text
    assert re.search(r"[\d,]+ of [\d,]+ yuan", text)  # cost of the plan, of the budget
    assert re.search(r"within a budget of [\d,]+ yuan", text)
    assert re.search(r"proportional rule \(cost in yuan; expected shortfall in \d{4}Q\d, in "
                     r"persons\)", text)
    assert re.search(r"each extra [\d,]+ yuan of it closes about [\d.]+ persons", text)
    assert "removes about" not in text
    assert "the last forecast period: training and certification take time" in text
    assert not re.search(r"\b\d+(\.\d+)?e[+-]?\d+\b", text)  # no scientific notation


def test_demo_report_explains_intervals_and_weights(demo_text):
    assert "the gap lies between gap_lo_80 and gap_hi_80 with 80% probability" in demo_text
    assert "stands for as many enterprises as its design weight" in demo_text


def test_demo_report_says_how_good_the_backtest_is(demo_text):
    assert "How good is this?" in demo_text
    assert "MASE is the measure to read" in demo_text


def test_no_rejected_rows_no_pointer_to_a_rejected_file(demo_text):
    assert "rejected.csv" not in demo_text
    assert "no row was rejected" in demo_text


@pytest.mark.slow
def test_multiyear_report_counts_person_years_and_names_funding_years(national_text):
    text, quotas = national_text
    assert re.search(r"Expected shortfall summed over 2025 to 2030 \(person-years\)", text)
    assert re.search(r"to [\d,]+ person-years summed over 2025 to 2030", text)
    assert "Places funded per cell and year" in text
    assert "funding_year" in text
    assert "counts a worker short of the targets as much as a vacancy" in text
    # the rows of the largest quota show their funding year with them
    top = quotas[quotas["quota"] == quotas["quota"].max()].head(5)
    for row in top.itertuples(index=False):
        assert f"{row.region} {row.industry} {row.period} " in text
    assert re.search(r"each extra [\d,]+ yuan of it closes about [\d.]+ person-years", text)
    assert "1e-" not in text and "1e+" not in text


def test_demo_headline_says_what_budget_closes_the_shortfall_or_what_none_can(demo_text):
    # the demo caps each cell at 150 places: no budget closes 95% of the shortfall
    match = re.search(r"No budget closes 95% of it under the capacities: beyond about "
                      r"([0-9.]+) million yuan more money buys nothing, and the expected "
                      r"shortfall then falls to ([0-9,]+) persons \(([0-9]+)% closed\)", demo_text)
    assert match, demo_text[:2000]
    assert 0 < int(match.group(3)) < 95
