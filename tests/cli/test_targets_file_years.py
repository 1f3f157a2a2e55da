"""A plan against targets from a file: its target years, bases, totals and joint need.

A ``[targets] file`` gives each row its own ``target_year`` (and optional
``base_year``); the report reads the targets in those years, never in the
last need year, and the headline's workers are those of the target year.
The path of a file's target starts from the base share as an inline
target's does. ``plan_regions.csv`` adds the plan's places and cost up by
region; ``target_path.csv`` has the shares of all regions together, from the
summed counts; ``policy_need.csv`` gives the parts of the joint need whose
sum is the report's shortfall against both targets.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest
from _constant_cohorts import LEVEL_KEYS_CONFIG, TWO_YEAR_PLAN, write_constant_cohorts

from talentgap.cli._totals import ALL_REGIONS, national_shares, region_totals
from talentgap.cli.main import main

WORKERS = {"unskilled": 3000, "skilled": 700, "high_skilled": 300}
CERTIFIED = {"skilled": 30, "high_skilled": 10}

CONFIG = LEVEL_KEYS_CONFIG + TWO_YEAR_PLAN + """[targets]
file = "targets.csv"
plan_level = ["skilled", "high_skilled"]

[output]
currency = "yuan"
fan_charts = 0  # the report's fan charts are not read here
"""


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _targets(years: dict[str, int]) -> str:
    """A targets file: 30% skilled everywhere, +2 points high-skilled, per-region years."""
    rows = ["region,skill_level,share,delta_points,target_year"]
    rows += [f"{region},skilled,0.3,,{year}" for region, year in years.items()]
    rows += [f"{region},high_skilled,,2.0,{year}" for region, year in years.items()]
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("targets_file_years")
    write_constant_cohorts(folder, WORKERS, CERTIFIED, detail=True)
    (folder / "plan.toml").write_text(CONFIG, encoding="utf-8")
    out = {}
    for name, years in {"one": {"Amberfield": 2023, "Ashmere": 2023},
                        "two": {"Amberfield": 2023, "Ashmere": 2024},
                        "early": {"Amberfield": 2022, "Ashmere": 2022}}.items():
        (folder / "targets.csv").write_text(_targets(years), encoding="utf-8")
        assert main(["plan", "--config", str(folder / "plan.toml"), "--out",
                     str(folder / name), "--no-charts"]) == 0
        out[name] = folder / name
    return out


def test_the_report_reads_a_files_targets_in_their_target_year(runs):
    out = runs["one"]
    text = _text((out / "report.html").read_text("utf-8"))
    assert "Against the targets in 2023, the target year:" in text
    assert "the target for 2023, and the projections for 2023" in text
    assert "Regions reaching the skilled target in 2023, with the plan" in text
    assert "in 2024, the target year" not in text and "target for 2024" not in text
    # the headline's workers are those of 2023, not of 2024 (the last need year)
    years = pd.read_csv(out / "plan_years.csv").set_index("period")
    assert years.loc[2023, "workers"] > 0
    assert round(years.loc[2024, "workers"]) != round(years.loc[2023, "workers"])
    assert (f"By 2023, the target year, the plan's certified workers still in their trade "
            f"are expected to number {years.loc[2023, 'workers']:,.0f}") in text


def test_several_target_years_are_each_regions_own(runs):
    out = runs["two"]
    text = _text((out / "report.html").read_text("utf-8"))
    path = pd.read_csv(out / "target_path.csv")
    given = path[path["target_share"].notna()]
    assert given.groupby("region")["target_year"].unique().map(list).to_dict() == {
        "Amberfield": [2023], "Ashmere": [2024]}
    assert "Against the targets, each region's read in its own target year (2023 or 2024):" \
        in text
    assert "each region's target in its own target year (2023 and 2024)" in text
    assert "By 2024, the latest of the target years 2023 and 2024," in text
    assert "Regions reaching the skilled target in its own target year (2023–2024)" in text
    table = text.split("Target shares per region:", 1)[1].split("The targets are the", 1)[0]
    assert "Target year" in table and "Target in its target year (%)" in table


def test_places_certifying_after_a_files_target_year_are_warned(runs):
    text = _text((runs["early"] / "report.html").read_text("utf-8"))
    assert "certify after the target year 2022" in text
    assert "certify after the target year" not in _text(
        (runs["one"] / "report.html").read_text("utf-8"))


def test_a_files_target_path_starts_from_the_base_share(runs):
    out = runs["one"]
    path = pd.read_csv(out / "target_path.csv")
    given = path[path["target_share"].notna() & (path["region"] != ALL_REGIONS)]
    assert set(given["base_period"]) == {"2021Q4"}
    # 1,000 skilled of 4,000 employed; 300 high-skilled of 1,000 skilled, every quarter
    base = given.set_index("skill_level")["base_share"]
    np.testing.assert_allclose(base.loc["skilled"], 0.25, rtol=1e-12)
    np.testing.assert_allclose(base.loc["high_skilled"], 0.30, rtol=1e-12)
    high = given[(given["skill_level"] == "high_skilled") & (given["period"] == 2023)]
    np.testing.assert_allclose(high["target_share"], 0.30 + 0.02, rtol=1e-12)
    text = _text((out / "report.html").read_text("utf-8"))
    assert "Path starts from, 2021Q4 (%)" in text
    assert " 30.00 32.00 " in text  # the base share next to the target built on it


def test_plan_regions_adds_up_the_places_and_cost(runs):
    out = runs["one"]
    regions = pd.read_csv(out / "plan_regions.csv")
    quotas = pd.read_csv(out / "quotas.csv")
    # long: the same columns whatever the funding periods, no total row, so the rows add up
    assert regions.columns.tolist() == ["region", "period", "places", "cost"]
    assert ALL_REGIONS not in set(regions["region"])
    assert sorted(regions["region"].unique()) == sorted(quotas["region"].unique())
    assert sorted(regions["period"].unique()) == [2022, 2023]
    assert not regions.duplicated(["region", "period"]).any()
    by = quotas.groupby(["region", "period"])[["quota", "cost"]].sum()
    got = regions.set_index(["region", "period"]).loc[by.index]
    np.testing.assert_allclose(got["places"], by["quota"], rtol=1e-12)
    np.testing.assert_allclose(got["cost"], by["cost"], rtol=1e-12)
    assert regions["cost"].sum() == pytest.approx(quotas["cost"].sum())
    assert pd.read_excel(out / "results.xlsx", sheet_name="plan_regions").shape == \
        regions.shape
    text = _text((out / "report.html").read_text("utf-8"))
    assert "Places and cost per region over the funding years: all regions first" in text


def test_per_region_files_keep_their_column_types(runs):
    pq = pytest.importorskip("pyarrow.parquet")
    out = runs["one"]
    for name in ("target_path", "plan_regions", "policy_need"):
        region = pq.read_schema(out / f"{name}.parquet").field("region").type
        assert str(region).startswith("dictionary<values=string"), (name, region)
    assert "region" not in pq.read_schema(out / "target_path_national.parquet").names
    assert str(pq.read_schema(out / "target_path.parquet").field("target_year").type) == "int64"
    path = pd.read_csv(out / "target_path.csv", dtype=str, keep_default_na=False)
    assert set(path["target_year"]) == {"2023", ""}   # a year, not 2023.0; empty: no target
    assert (path.loc[path["target_year"] == "", "target_share"] == "").all()


def test_the_joint_need_is_the_shortfall_against_both_targets(runs):
    out = runs["one"]
    need = pd.read_csv(out / "policy_need.csv")
    assert "policy_need" not in need.columns and "policy_need_skilled" in need.columns
    joint = (need["joint_need_high_skilled"] + need["joint_need_skilled"]).groupby(
        need["period"]).sum()
    years = pd.read_csv(out / "plan_years.csv").set_index("period")
    np.testing.assert_allclose(joint.loc[years.index], years["policy_shortfall_before"],
                               rtol=1e-9)
    # a worker short of both targets is counted once: at least the larger need, per cell
    per_cell = need["joint_need_high_skilled"] + need["joint_need_skilled"]
    larger = np.maximum(need["policy_need_skilled"], need["policy_need_high_skilled"])
    assert (per_cell >= larger - 1e-9).all()
    text = _text((out / "report.html").read_text("utf-8"))
    assert "(N - h S) / (1 - h) high-skilled workers and no others" in text


def test_national_shares_are_ratios_of_summed_counts_not_mean_shares():
    year = pd.PeriodIndex(["2025", "2025"], freq="Y")
    path = pd.DataFrame({"region": ["A", "B"], "skill_level": "skilled", "period": year,
                         "share_of": "employment", "workers_without_plan": [10.0, 90.0],
                         "workers_with_plan": [10.0, 90.0],
                         "denominator_without_plan": [100.0, 300.0],
                         "denominator_with_plan": [100.0, 300.0]})
    observed = pd.DataFrame({"period": pd.PeriodIndex(["2024"] * 2, freq="Y"),
                             "employment": [100, 300], "skilled": [10, 90]})
    out = national_shares(path, observed).set_index("period")
    # 100 of 400, not the mean of 10% and 30%
    assert out.loc[pd.Period("2025", "Y"), "share_without_plan"] == pytest.approx(0.25)
    assert out.loc[pd.Period("2024", "Y"), "observed_share"] == pytest.approx(0.25)
    assert set(out["region"]) == {ALL_REGIONS} and out["target_share"].isna().all()


def test_region_totals_falls_back_on_the_first_key():
    quotas = pd.DataFrame({"province": ["P", "Q", "P"], "quota": [1.0, 5.0, 2.0],
                           "cost": [10.0, 50.0, 20.0]})
    table = region_totals(quotas, ["province", "industry"])
    assert table["province"].tolist() == [ALL_REGIONS, "Q", "P"]
    assert table["places"].tolist() == [8.0, 5.0, 3.0]
    assert region_totals(quotas.drop(columns="province"), ["province"]) is None
