"""Why the high-skilled share can fall with the plan: the target path's counts and the report.

Every cell keeps 3,000 workers without a certificate, 700 ordinary and 300
technicians (high-skilled), so without the plan 30% of the skilled workers
are high-skilled. The plan's places are per region x industry and train like
the cell's recent training. Where that is 36 new ordinary workers and 4 new
technicians a quarter, a place adds a skilled worker of whom a tenth is
high-skilled: the skilled workers, the denominator of the high-skilled
share, grow faster than the high-skilled, so the share falls. Where it is 10
ordinary workers and 30 technicians, three quarters of the plan's workers
are high-skilled, and the share rises.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest
from _constant_cohorts import INPUTS_CONFIG, ONE_YEAR_TARGETS, write_constant_cohorts

from talentgap.cli._report_targets import falling_share_words
from talentgap.cli._targets import high_skilled_share_falls
from talentgap.cli.main import main

WORKERS = {"none": 3000, "ordinary": 700, "technician": 300}
CERTIFIED = {"ordinary": 36, "technician": 4}
CERTIFIED_HIGH = {"ordinary": 10, "technician": 30}  # cells training mostly technicians

CONFIG = INPUTS_CONFIG + ONE_YEAR_TARGETS + 'plan_level = "{plan_level}"\n'


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("share_falls")
    write_constant_cohorts(folder, WORKERS, CERTIFIED)
    return folder


def _run(folder, plan_level: str):
    config = folder / f"{plan_level}.toml"
    config.write_text(CONFIG.format(plan_level=plan_level), encoding="utf-8")
    out = folder / f"out_{plan_level}"
    assert main(["plan", "--config", str(config), "--out", str(out), "--no-charts",
                 "--set", "output.fan_charts=0"]) == 0  # fan charts are not read here
    page = html.unescape(re.sub(r"<[^>]+>", " ", (out / "report.html").read_text("utf-8")))
    return pd.read_csv(out / "target_path.csv"), " ".join(page.split())


@pytest.fixture(scope="module")
def skilled_plan(folder):
    return _run(folder, "skilled")


@pytest.fixture(scope="module")
def high_plan(tmp_path_factory):
    folder = tmp_path_factory.mktemp("share_rises")
    write_constant_cohorts(folder, WORKERS, CERTIFIED_HIGH)
    return _run(folder, "high_skilled")


def _at(path: pd.DataFrame, level: str, year: int = 2023) -> pd.DataFrame:
    return path[(path["skill_level"] == level) & (path["period"] == year)
                & (path["region"] != "all regions")].set_index("region")


def test_projected_shares_are_their_counts(skilled_plan):
    path, _ = skilled_plan
    projected = path.dropna(subset=["share_with_plan"])
    np.testing.assert_allclose(projected["share_without_plan"], projected[
        "workers_without_plan"] / projected["denominator_without_plan"], rtol=1e-12)
    np.testing.assert_allclose(projected["share_with_plan"], projected[
        "workers_with_plan"] / projected["denominator_with_plan"], rtol=1e-12)
    assert set(path["share_of"]) == {"employment", "skilled"}
    assert (path.loc[path["skill_level"] == "high_skilled", "share_of"] == "skilled").all()
    skilled, high = _at(path, "skilled"), _at(path, "high_skilled")
    # employment does not change with the plan; the plan's workers are the skilled added,
    # which are the high-skilled share's denominator
    assert (skilled["denominator_with_plan"] == skilled["denominator_without_plan"]).all()
    added = skilled["workers_with_plan"] - skilled["workers_without_plan"]
    assert (added > 0).all()
    np.testing.assert_allclose(high["denominator_with_plan"] - high["denominator_without_plan"],
                               added, rtol=1e-9)


def test_a_plan_of_ordinary_workers_lowers_the_high_skilled_share(skilled_plan):
    path, page = skilled_plan
    high = _at(path, "high_skilled")
    # a place trains like its cell: 4 of every 40 certified are new technicians
    added_high = high["workers_with_plan"] - high["workers_without_plan"]
    added = high["denominator_with_plan"] - high["denominator_without_plan"]
    assert (added > 0).all()
    np.testing.assert_allclose(added_high, added * 4 / 40, rtol=1e-9)
    assert (high["share_with_plan"] < high["share_without_plan"] - 0.002).all()
    falls = high_skilled_share_falls(path, 2023)
    assert sorted(falls["region"]) == sorted(high.index)
    first = falls.iloc[0]
    row = high.loc[first["region"]]
    added = row["denominator_with_plan"] - row["denominator_without_plan"]
    assert (f"in 2023 the plan's certified workers still in their trade in {first['region']} "
            f"number {added:,.0f}, {added / 10:,.0f} of them (10.0%) high-skilled, while "
            f"{100 * row['share_without_plan']:.1f}% of the skilled workers there are "
            "high-skilled without the plan") in page
    assert (f"falls from {100 * row['share_without_plan']:.1f}% without the plan to "
            f"{100 * row['share_with_plan']:.1f}% with it") in page
    assert "For the same reason it falls in 1 other region:" in page
    assert "the denominator of the high-skilled share" in page


def test_a_plan_of_high_skilled_workers_does_not_get_the_sentence(high_plan):
    path, page = high_plan
    high = _at(path, "high_skilled")
    assert (high["share_with_plan"] > high["share_without_plan"]).all()
    assert high_skilled_share_falls(path, 2023).empty
    assert "Why the high-skilled share can fall" not in page
    assert "the denominator of the high-skilled share" not in page


def test_the_targets_section_says_what_each_share_is_of(skilled_plan, high_plan):
    for (_, page), level in ((skilled_plan, "skilled"), (high_plan, "high-skilled")):
        assert ("Two shares are targets: the skilled share, skilled workers as a percentage "
                "of employment") in page
        assert "high-skilled workers as a percentage of skilled workers" in page
        assert f"The plan's places serve the vacancies and the {level} target" in page


def test_the_target_table_labels_each_number(skilled_plan):
    _, page = skilled_plan
    table = page[page.index("Target shares per region"):]
    assert ("Region Share Observed in 2021 (%) Path starts from, 2021Q4 (%) Target in 2023 "
            "(%) Projected in 2023 without the plan (%) Projected in 2023 with the plan (%)"
            ) in table
    # skilled rows first, each naming its share and denominator
    skilled = table.index("skilled, % of employment")
    assert skilled < table.index("high-skilled, % of skilled workers")


def _path(without, with_plan, added, high):
    n = len(without)
    return pd.DataFrame({
        "region": [f"R{i}" for i in range(n)], "skill_level": "high_skilled",
        "period": pd.PeriodIndex(["2029"] * n, freq="Y"),
        "share_without_plan": without, "share_with_plan": with_plan,
        "workers_without_plan": 300.0, "workers_with_plan": 300.0 + np.asarray(high),
        "denominator_without_plan": 1000.0,
        "denominator_with_plan": 1000.0 + np.asarray(added)})


def test_falls_are_those_the_report_can_show():
    # R0 falls 2.7 points, R1 rises, R2 falls by less than the table's 0.1 points shows
    path = _path([0.30, 0.30, 0.30], [300 / 1100, 0.35, 0.29996], [100.0, 100.0, 1.0],
                 [0.0, 50.0, 0.0])
    falls = high_skilled_share_falls(path, 2029)
    assert falls["region"].tolist() == ["R0"]
    assert falls.loc[0, "plan_workers"] == 100.0 and falls.loc[0, "plan_high_skilled"] == 0.0
    assert high_skilled_share_falls(path, 2028).empty
    assert falling_share_words(falls.iloc[:0]) == ""
    assert "none of them high-skilled" in falling_share_words(falls)


def test_falls_come_largest_first_with_the_plans_high_skilled_share():
    path = _path([0.30, 0.30], [0.29, 0.25], [100.0, 400.0], [20.0, 40.0])
    falls = high_skilled_share_falls(path, 2029)
    assert falls["region"].tolist() == ["R1", "R0"]
    np.testing.assert_allclose(falls["plan_high_skilled_share"], [0.1, 0.2])
    words = falling_share_words(falls)
    assert "in R1 number 400, 40 of them (10.0%) high-skilled" in words
    assert "but only 40 as high-skilled workers" in words
    assert "it falls in 1 other region: R0 from 30.0% to 29.0%." in words


@pytest.mark.parametrize(("level", "title"), [
    ("skilled", "Skilled workers as % of employment, by region"),
    ("high_skilled", "High-skilled workers as % of skilled workers, by region")])
def test_figure_legend_says_what_the_table_says(level, title):
    from talentgap.cli.outputs import target_path_figure

    periods = pd.PeriodIndex(["2024", "2025"], freq="Y")
    path = pd.DataFrame({"region": "R0", "skill_level": level, "period": periods,
                         "observed_share": [0.3, np.nan], "target_share": [np.nan, 0.32],
                         "share_without_plan": [np.nan, 0.30],
                         "share_with_plan": [np.nan, 0.31]})
    fig = target_path_figure(path, skill_level=level)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["observed (last observed period of the year)", "target path",
                      "projected without the plan", "projected with the plan"]
    assert fig.get_suptitle() == title


def test_the_policy_shortfall_names_the_target_the_plan_serves(skilled_plan, high_plan):
    for (_, page), level in ((skilled_plan, "skilled"), (high_plan, "high-skilled")):
        assert f"The plan also serves the policy's {level} target" in page
        assert f"The shortfall against the {level} target in 2023 falls from" in page
        assert (f"the shortfall against the targets is that of the {level} target, the one "
                "the plan serves") in page
        assert "short of the targets" not in page
