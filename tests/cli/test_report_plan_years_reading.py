"""A multi-year plan as a planner reads it: headline year, workbook, captions, words, budgets.

Every number the report shows is checked against the CSV files the same run
writes (``plan_years.csv``, ``plan_binding.csv``), so the two cannot drift.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from talentgap.cli import outputs
from talentgap.cli._report_plan_tables import binding_sentences
from talentgap.cli.config import Config
from talentgap.cli.pipeline import run
from talentgap.cli.reporting import build_report

DATA = Path(__file__).resolve().parents[2] / "datasets"
YEARS = [2025, 2026, 2027]
TARGET_YEAR = 2026   # neither the first nor the last need year (2025-2028)


def _config(budget, *, targets: bool = True) -> Config:
    config = {
        "data": {"surveys": str(DATA / "surveys.csv"), "training": str(DATA / "training.csv"),
                 "employment": str(DATA / "employment.csv"), "freq": "Q",
                 "keys": ["region", "industry"],
                 "skill_levels": ["unskilled", "skilled", "high_skilled"],
                 "high_skilled": ["high_skilled"], "unskilled": ["unskilled"]},
        "forecast": {"model": "naive", "n_samples": 100},
        "plan": {"years": YEARS, "budget": budget, "cost_per_trainee": 6000,
                 "pass_rate": 0.67, "absorption": 0.85, "capacity": 200, "lead_time": 1,
                 "exit_rate": 0.03},
        "output": {"currency": "yuan"}}
    if targets:
        config["targets"] = {"skilled_share": 0.30, "target_year": TARGET_YEAR}
    return Config.from_dict(config)


def _text(report) -> str:
    """The text a reader of the report sees."""
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", report.to_html(), flags=re.S)
    body = body.replace("<wbr>", "")
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def _planned(budget, folder: Path, *, targets: bool = True):
    result = run(_config(budget, targets=targets), steps=("forecast", "plan"))
    outputs.write_tables(result, folder, parquet=False)
    return result, _text(build_report(result, {}, command="plan")), folder


@pytest.fixture(scope="module")
def per_year(tmp_path_factory):
    """A plan with a budget per funding year and a skilled-share target for 2026."""
    budget = {str(y): b for y, b in zip(YEARS, (4e6, 5e6, 3e6), strict=True)}
    return _planned(budget, tmp_path_factory.mktemp("per_year"))


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """The same plan with one budget for all funding years."""
    return _planned(12e6, tmp_path_factory.mktemp("shared"), targets=False)


def _row(years: pd.DataFrame, year: int) -> pd.Series:
    return years[years["period"].astype(str) == str(year)].iloc[0]


# ---- 1. the headline speaks of the target year, the header of the configured years ---------
def test_headline_gives_the_target_years_figures(per_year):
    _, text, out = per_year
    years = pd.read_csv(out / "plan_years.csv")
    row = _row(years, TARGET_YEAR)
    assert f"By {TARGET_YEAR}, the target year, the plan's certified workers still in their " \
           f"trade are expected to number {row['workers']:,.0f}" in text
    assert (f"The expected shortfall in {TARGET_YEAR} falls from {row['shortfall_before']:,.0f} "
            f"to {row['shortfall_after']:,.0f} persons") in text
    assert (f"The shortfall against the skilled target in {TARGET_YEAR} falls from "
            f"{row['policy_shortfall_before']:,.0f} to {row['policy_shortfall_after']:,.0f} "
            "persons") in text
    assert "The shortfall against the skilled target in 2028" not in text


def test_header_names_the_configured_plan_years_and_the_need_years_apart(per_year):
    _, text, _ = per_year
    assert "plan years 2025–2027, plan needs counted 2025–2028 and forecast to" in text
    assert "plan years 2025–2028" not in text


def test_shortfall_cut_is_counted_from_the_first_year_places_arrive(per_year):
    _, text, out = per_year
    years = pd.read_csv(out / "plan_years.csv")
    summary = pd.read_csv(out / "plan_summary.csv").iloc[0]   # the key figure's total
    before, after = summary["shortfall_before"], summary["shortfall_after"]
    assert before > after > 0
    # one figure for the cut, its span named, and the year no place can reach
    assert (f"cuts the expected shortfall summed over 2025 to 2028 from {before:,.0f} to "
            f"{after:,.0f} person-years ({1 - after / before:.0%} less). No place can cut it "
            "in 2025: a place certifies 1 year after it is funded, so the first arrive in "
            "2026.") in text
    assert "before any place has arrived" not in text
    first = _row(years, 2025)
    assert first["shortfall_before"] == pytest.approx(first["shortfall_after"])


# ---- 2. the workbook: sheets named as their CSV files, contents first, target tables --------
def test_workbook_sheets_are_named_as_the_csv_files_with_contents_first(per_year):
    _, _, out = per_year
    book = load_workbook(out / "results.xlsx", read_only=True)
    names = book.sheetnames
    assert names[0] == "contents"
    # the sheets of earlier releases keep their places; later ones come after them
    assert names[1:] == ["quotas", "plan_places", "plan_years", "plan_summary", "plan_binding",
                         "plan_cells", "plan_marginal_value", "policy_need", "target_path",
                         "forecast", "plan_regions", "target_path_national",
                         "plan_budget_cuts"]
    assert all(len(name) <= 31 for name in names)
    contents = pd.read_excel(out / "results.xlsx", sheet_name="contents")
    assert contents["sheet"].tolist() == names[1:]
    assert contents["file"].tolist() == [f"{name}.csv" for name in names[1:]]
    for name in names[1:]:
        csv = pd.read_csv(out / f"{name}.csv")
        sheet = pd.read_excel(out / "results.xlsx", sheet_name=name)
        assert list(sheet.columns) == list(csv.columns), name
        assert len(sheet) == len(csv), name


# ---- 3. the summary table is titled by what it shows --------------------------------------
def test_multiyear_summary_table_promises_no_comparison_it_lacks(per_year):
    _, text, out = per_year
    assert pd.read_csv(out / "plan_summary.csv")["plan"].tolist() == ["optimised"]
    assert not (out / "plan_comparison.csv").exists()
    assert "Optimised plan and proportional rule" not in text
    assert "Optimised plan: cost, places, expected workers added and expected shortfall" in text
    assert "is not compared with the proportional rule" in text


def test_one_period_summary_table_still_names_both_rules(tmp_path):
    config = Config.from_dict({"forecast": {"model": "naive", "n_samples": 100},
                               "plan": {"budget": 1_000_000, "cost_per_trainee": 6000}})
    result = run(config, steps=("forecast", "plan"), demo=True)
    text = _text(build_report(result, {}, command="plan"))
    assert "Optimised plan and proportional rule" in text
    assert "is not compared with the proportional rule" not in text


# ---- 4. words: workers added; the binding sentences with their units --------------------------
def test_expected_certified_is_called_workers_added(per_year):
    _, text, _ = per_year
    assert "Expected workers added: certified and taking jobs in the trade (persons)" in text
    assert "Expected certified workers" not in text


def test_binding_sentences_of_csv_and_report_are_one_with_units(per_year):
    result, text, out = per_year
    table = pd.read_csv(out / "plan_binding.csv")
    assert table.columns[-1] == "sentence"
    budgets = table[table["kind"] == "budget"]
    assert len(budgets) == len(YEARS)
    for line in table["sentence"].head(12):
        assert line in text
    for line in budgets["sentence"]:
        assert re.search(r"[\d,]+ of [\d,]+ yuan spent", line), line
        assert "person-years of the weighted expected shortfall" in line, line
    assert table["sentence"].tolist() == binding_sentences(result)


# ---- 5. one budget for all years: the column says so, and the report says why it is front-loaded
def test_shared_budget_fills_the_budget_column_and_the_cost_to_date(shared):
    _, _, out = shared
    years = pd.read_csv(out / "plan_years.csv")
    funded = years["period"].isin(YEARS)
    assert (years.loc[funded, "budget"] == 12e6).all()
    assert years.loc[~funded, "budget"].isna().all()
    assert (years.loc[funded, "budget_for"] == "2025–2027 (shared)").all()
    assert years["cost_to_date"].tolist() == pytest.approx(years["cost"].cumsum().tolist())
    assert list(years.columns[:6]) == ["period", "places", "cost", "budget", "budget_for",
                                       "cost_to_date"]


def test_front_loaded_shared_budget_is_explained(shared):
    _, text, out = shared
    years = pd.read_csv(out / "plan_years.csv")
    first, total = float(years["cost"].iloc[0]), float(years["cost"].sum())
    assert first > 0.5 * total   # the plan spends most of one budget in its first year
    assert (f"The budget is one sum shared by the funding years, and {first / total:.0%} of "
            f"the plan's cost ({first:,.0f} of {total:,.0f} yuan) falls in 2025: a place funded "
            "early adds workers for more of the years the plan counts") in text
    assert "give a budget for each funding year (2025, 2026, 2027) in the configuration" in text
    assert "Cost to date (yuan)" in text
    assert "Over the funding years the budget buys" in text


def test_budgets_per_year_need_no_such_sentence(per_year):
    _, text, out = per_year
    years = pd.read_csv(out / "plan_years.csv", dtype={"budget_for": str})
    funded = years["period"].isin(YEARS)
    assert years.loc[funded, "budget_for"].tolist() == [str(y) for y in YEARS]
    assert years.loc[funded, "budget"].tolist() == [4e6, 5e6, 3e6]
    assert "one sum shared by the funding years" not in text
    assert "Over the funding years the budgets buy" in text
