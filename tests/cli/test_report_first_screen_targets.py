"""The plan report's first screen answers a director's questions on the targets.

A run with skilled and high-skilled targets on constant cohorts: the first
screen says how far the plan leaves each target in the target year, where
the money goes, and what reaching the target would roughly take; the
binding constraints say what their values are changes of; periods, units
and the three worker figures say what they count; the targets section says
what ``policy_need.csv`` holds. Every figure is checked against the run's
CSV files.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest
from _constant_cohorts import TWO_YEAR_PLAN_CONFIG, write_constant_cohorts

from talentgap.cli._notes import plain_constraints
from talentgap.cli._wording import column_header
from talentgap.cli.main import main
from talentgap.cli.outputs import WORKBOOK_SHEETS

CONFIG = TWO_YEAR_PLAN_CONFIG + """[targets]
skilled_share = 0.3
high_skilled_share = 0.35
target_year = 2023
plan_level = "skilled"

[output]
currency = "yuan"
fan_charts = 0  # the report's fan charts are not read here
"""


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("first_screen")
    write_constant_cohorts(folder, {"none": 3000, "ordinary": 700, "technician": 300},
                           {"ordinary": 36, "technician": 4})
    (folder / "plan.toml").write_text(CONFIG, encoding="utf-8")
    out = folder / "out"
    assert main(["plan", "--config", str(folder / "plan.toml"), "--out", str(out),
                 "--no-charts"]) == 0
    page = (out / "report.html").read_text("utf-8")
    first = page.split("<section", 1)[0]  # the header, key figures and headline paragraphs
    tables = {name: pd.read_csv(out / f"{name}.csv") for name in
              ("target_path", "quotas", "plan_years", "plan_summary", "policy_need")}
    return _text(first), _text(page), page, tables


def test_first_screen_says_how_far_the_plan_leaves_each_target(run):
    first, _, _, t = run
    path = t["target_path"]
    at = path[(path["period"] == 2023) & path["share_with_plan"].notna()
              & (path["region"] != "all regions")]  # the regions, not their sum
    skilled = at[at["skill_level"] == "skilled"]
    reach = int((skilled["share_with_plan"] >= skilled["target_share"]).sum())
    assert reach == 0  # constant cohorts stay near 23% skilled, far from 30%
    low, high = skilled["share_with_plan"].min(), skilled["share_with_plan"].max()
    assert (f"no region reaches the 30% skilled target (skilled workers as a share of "
            f"employment). With the plan the regions' shares are {100 * low:.1f}–"
            f"{100 * high:.1f}%") in first
    assert f"Regions reaching the skilled target in 2023, with the plan 0 of {len(skilled)}" \
        in first
    assert "Regions reaching the high-skilled target in 2023, with the plan" in first
    # a place trains like its cell, 4 technicians in 40 (fewer than the 30% of skilled
    # workers who are high-skilled): the high-skilled share falls everywhere
    assert "The plan lowers the high-skilled share in every region" in first


def test_first_screen_says_where_the_money_goes(run):
    first, _, _, t = run
    q = t["quotas"]
    by = q.groupby("region")[["quota", "cost"]].sum().sort_values("cost", ascending=False)
    top = by.index[0]
    share = by["cost"].iloc[0] / by["cost"].sum()
    assert (f"Where the money goes: {top} {share:.0%} of the cost "
            f"({by['quota'].iloc[0]:,.0f} places, {by['cost'].iloc[0]:,.0f} yuan)") in first


def test_first_screen_gives_a_rough_cost_of_reaching_the_target(run):
    first, _, _, t = run
    years = t["plan_years"].set_index("period")
    left = float(years.loc[2023, "policy_shortfall_after"])
    places = left / (0.8 * 0.9)
    cost = places * 1000
    assert left > 0
    assert (f"Rough estimate of what reaching the skilled target in 2023 would take: the plan "
            f"leaves {left:,.0f} persons short of it. At 0.72 workers per place (pass rate "
            f"0.80 × absorption 0.90) that is about {float(f'{places:.3g}'):,.0f} more "
            "places") in first
    assert "persons short ÷ workers per place × cost per place" in first
    assert "an order of magnitude only" in first
    assert "Rough cost of reaching the skilled target in 2023 (estimate, formula below) ~" \
        in first
    rounded = float(f"{cost:.2g}")
    shown = (f"{rounded:,.0f} yuan" if rounded < 1e6 else f"{rounded / 1e6:g} million yuan")
    assert f"about {shown}, against a budget of 200,000 yuan for the whole plan" in first


def test_capacity_values_are_net_of_the_money_taken_from_other_cells():
    rows = pd.DataFrame({"kind": ["budget", "capacity"], "words": ["budget", "capacity of A"],
                         "binds": [True, True], "limit": [1000.0, 400.0],
                         "used": [1000.0, 400.0], "unit": ["money", "places"],
                         "value": [1e-4, 0.0027], "objective": "weighted expected shortfall"})
    lines = plain_constraints(rows, currency="yuan", unit="person-years")
    assert lines[1] == ("capacity of A is reached (400 places); each 100 more places of "
                        "capacity close about 0.27 person-years of the weighted expected "
                        "shortfall, net of what the same money would close in other cells (the "
                        "budget is fully used, so the money comes from there)")
    free = plain_constraints(rows.assign(binds=[False, True]), currency="yuan")
    assert "net of what the same money" not in free[1]


def test_binding_constraints_give_the_total_they_refer_to(run):
    _, text, _, t = run
    s = t["plan_summary"].iloc[0]
    total = s["shortfall_after"] + s["policy_shortfall_after"]
    np.testing.assert_allclose(s["objective"], total, rtol=1e-6)
    assert (f"the effects are changes of the weighted expected shortfall, which the plan "
            f"leaves at {s['objective']:,.0f} person-years, {s['shortfall_after']:,.0f} of "
            f"vacancies plus {s['policy_shortfall_after']:,.0f} against the skilled "
            "target") in text


def test_periods_and_units_are_named(run):
    first, _, page, _ = run
    subtitle = re.search(r'<p class="subtitle">(.*?)</p>', page).group(1)
    assert "tables of the next 4 quarters (" in subtitle
    assert "plan years 2022–2023, plan needs counted 2022–2024 and forecast to" in subtitle
    assert "on forecasts to" not in subtitle
    assert re.search(r"Sum of positive expected gaps, \d{4}Q4 \(persons in the quarter\)",
                     first)
    assert "(persons in the quarter)" in first and "(person-years)" in first
    assert column_header("gap_then") == ("Expected gap in the last forecast period (persons "
                                         "per quarter)")


def test_the_worker_figures_say_what_they_count(run):
    first, text, _, t = run
    q, years = t["quotas"], t["plan_years"].set_index("period")
    by_then = q.loc[q["arrival_period"] <= 2023, "expected_certified"].sum()
    total = q["expected_certified"].sum()
    assert total > by_then > 0  # the places of 2023 certify in 2024
    assert (f"number {years.loc[2023, 'workers']:,.0f}. By then {by_then:,.0f} will have "
            "certified and taken a job in their trade, counted before any leave it. All the "
            f"plan's places add {total:,.0f} once the last have certified in 2024.") in first
    assert "Expected workers added by all the plan's places" in text
    assert "places funded in 2023 count though they certify in 2024" in text


def test_policy_need_is_a_regions_shortfall_shared_out(run):
    _, text, _, t = run
    need = t["policy_need"]
    region = need.groupby(["region", "period"])[["target_stock", "projected_stock",
                                                 "policy_need_skilled"]].sum()
    np.testing.assert_allclose(region["policy_need_skilled"], (region["target_stock"]
                               - region["projected_stock"]).clip(lower=0), rtol=1e-9)
    # in words in the text, by its column name in the section for the analyst
    assert ("A region's shortfall is its target number of skilled workers minus its projected "
            "number, summed over its cells and floored at 0. It is shared out among the "
            "region's cells in proportion to their projected employment.") in text
    assert "So a cell's need is not its own target minus its own projection" in text
    analyst = text.rsplit("For the analyst: settings and columns", 1)[1].replace("_ ", "_")
    assert ("policy_need_skilled (policy_need.csv) the region's shortfall against the skilled "
            "target") in analyst
    assert "not a cell's own target_stock - projected_stock" in analyst
    assert "not a cell's target_stock - projected_stock" in WORKBOOK_SHEETS["policy_need"]



def _half_targeted():
    """Four regions in the target year: a skilled target in each, a high-skilled one in two
    (one reached), as ``target_path`` holds them (no target: a missing share)."""
    from types import SimpleNamespace

    year = pd.Period("2029", freq="Y")
    rows = [{"region": r, "skill_level": "skilled", "period": year, "target_share": 0.3,
             "share_with_plan": s, "share_without_plan": s - 0.01}
            for r, s in zip("ABCD", [0.31, 0.25, 0.26, 0.27], strict=True)]
    rows += [{"region": r, "skill_level": "high_skilled", "period": year, "target_share": t,
              "share_with_plan": 0.3, "share_without_plan": 0.29}
             for r, t in zip("ABCD", [0.35, 0.3, np.nan, np.nan], strict=True)]
    return SimpleNamespace(
        target_path=pd.DataFrame(rows),
        plan=SimpleNamespace(years=pd.DataFrame(), quotas=pd.DataFrame()),
        config=SimpleNamespace(targets=SimpleNamespace(target_year=2029, plan_level="skilled"),
                               output=SimpleNamespace(currency="yuan")))


def test_regions_without_a_target_are_not_counted_as_missing_it():
    from talentgap.cli._report_headline import _target_figures
    from talentgap.cli._report_targets import _reach_words, target_reach

    result = _half_targeted()
    reach = target_reach(result)
    assert reach["reach"] == {"skilled": 1, "high_skilled": 1}
    assert reach["targeted"] == {"skilled": 4, "high_skilled": 2} and reach["regions"] == 4
    figures = _target_figures(result)
    assert figures["Regions reaching the skilled target in 2029, with the plan"] == "1 of 4"
    assert figures["Regions reaching the high-skilled target in 2029, with the plan"] == (
        "1 of 2 with a target (2 of 4 regions have no high-skilled target)")
    at = reach["at"]
    words = _reach_words(at[at["skill_level"] == "high_skilled"], "high_skilled")
    assert words.startswith("1 of the 2 regions with a high-skilled target reach its "
                            "high-skilled target")
    assert words.endswith("(2 other regions have no high-skilled target)")
    assert _reach_words(at[at["skill_level"] == "skilled"], "skilled").startswith(
        "1 of 4 regions reach")
