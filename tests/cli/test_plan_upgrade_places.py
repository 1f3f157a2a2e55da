"""`talentgap plan` with upgrade training: supply, places and stocks by one net-inflow rule.

Every region x industry certifies 30 new ordinary workers and upgrades 10
ordinary workers to technicians (high-skilled) each quarter. Cells by region
x industry hold every level: the upgrades fill no vacancy (their workers
hold jobs there already), so supply counts the 30 new workers; a place
trains like the cell, so 30 of its 40 certified workers are new and skilled,
and for each of them 10 / 30 of a worker is upgraded into the high-skilled
stock. By level, the upgrades are supply of the technician cells and each of
their places adds a high-skilled worker and no skilled one.
"""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from _constant_cohorts import INPUTS_CONFIG, ONE_YEAR_TARGETS, write_constant_cohorts

from talentgap.cli._plan_levels import place_absorption, plan_stock_workers
from talentgap.cli._targets import joint_need, need_by_level
from talentgap.cli.config import Config
from talentgap.cli.main import main
from talentgap.features import SkillLevels

WORKERS = {"none": 3000, "ordinary": 700, "technician": 300}
CERTIFIED = {"ordinary": 30, "technician": 10}
LEVELS = SkillLevels(order=("none", "ordinary", "technician"), high_skilled=("technician",),
                     unskilled=("none",))

CONFIG = INPUTS_CONFIG + ONE_YEAR_TARGETS + 'plan_level = "skilled"\n'


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("upgrade_places")
    write_constant_cohorts(folder, WORKERS, CERTIFIED)
    training = pd.read_csv(folder / "training.csv")
    training["from_level"] = np.where(training["skill_level"] == "technician", "ordinary", "")
    training.to_csv(folder / "training.csv", index=False)
    (folder / "run.toml").write_text(CONFIG, encoding="utf-8")
    assert main(["plan", "--config", str(folder / "run.toml"), "--out",
                 str(folder / "out"), "--no-charts"]) == 0
    return folder / "out"


def test_supply_of_a_region_industry_cell_leaves_the_upgrades_out(out):
    panel = pd.read_csv(out / "panel.csv")
    assert panel["supply"].dropna().unique().tolist() == [30.0]


def test_a_place_yields_the_workers_new_to_its_cell(out):
    quotas = pd.read_csv(out / "quotas.csv")
    assert quotas["absorption"].unique().tolist() == [0.75]  # 30 of 40 certified are new
    funded = quotas[quotas["quota"] > 0]
    assert len(funded) > 0
    np.testing.assert_allclose(funded["expected_certified"], funded["quota"] * 0.8 * 0.75)


def test_the_plans_workers_join_the_stocks_by_the_cells_mix(out):
    path = pd.read_csv(out / "target_path.csv")
    rows = path[(path["period"] == 2023) & (path["region"] != "all regions")]
    skilled = rows[rows["skill_level"] == "skilled"].set_index("region")
    high = rows[rows["skill_level"] == "high_skilled"].set_index("region")
    added = skilled["workers_with_plan"] - skilled["workers_without_plan"]
    assert (added > 0).all()
    np.testing.assert_allclose(high["workers_with_plan"] - high["workers_without_plan"],
                               added * 10 / 30, rtol=1e-9)
    np.testing.assert_allclose(high["denominator_with_plan"] - high["denominator_without_plan"],
                               added, rtol=1e-9)


def test_the_report_says_upgrades_are_left_out_with_their_count(out):
    page = html.unescape(re.sub(r"<[^>]+>", " ", (out / "report.html").read_text("utf-8")))
    page = " ".join(page.split())
    # 2 regions x 2 industries x 12 quarters of 10 upgraded workers
    assert ("Upgrade training is left out of the supply of cells without a skill level: 48 "
            "training rows with a from_level that is not an unskilled level (480 certified)"
            ) in page
    assert ("Supply is the certified workers expected to become available to the cell during "
            "the quarter; upgrade training between skilled levels is left out, as its workers "
            "already hold jobs in their cell: see the notes") in page
    assert "all of them join the skilled stock" not in page


# ---- the parts, by hand ----------------------------------------------------------------------

def _config(keys, plan_level="skilled") -> Config:
    return Config.from_dict({
        "data": {"keys": keys, "freq": "Y", "skill_levels": list(LEVELS.order),
                 "high_skilled": ["technician"], "unskilled": ["none"]},
        "plan": {"years": [2025], "budget": 1e5, "cost_per_trainee": 1000},
        "targets": {"skilled_share": 0.3, "high_skilled_share": 0.35, "target_year": 2026,
                    "plan_level": plan_level}})


TRAINING = pd.DataFrame({
    "period": "2024", "region": "North", "industry": "textiles",
    "program": ["basic", "upgrade"], "skill_level": ["ordinary", "technician"],
    "from_level": [None, "ordinary"], "trained": [70, 50], "certified": [60, 40]})


def _result(cells: pd.DataFrame, config: Config, **plan) -> SimpleNamespace:
    keys = [k for k in config.data.keys]
    return SimpleNamespace(config=config, plan=SimpleNamespace(
        cells=cells, cell_keys=tuple(keys), keys=tuple(plan.get("keys", keys)),
        quotas=plan.get("quotas")))


def test_level_cells_count_upgrade_places_once():
    # all technician places are upgrades: +1 high-skilled and no skilled worker each (the
    # doubled count was +1 of each); ordinary places: +1 skilled
    config = _config(["region", "industry", "skill_level"], ["skilled", "high_skilled"])
    cells = pd.DataFrame({"region": "North", "industry": "textiles",
                          "skill_level": ["ordinary", "technician"],
                          "period": pd.PeriodIndex(["2026", "2026"], freq="Y"),
                          "workers": [12.0, 100.0]})
    got = plan_stock_workers(_result(cells, config), {"training": TRAINING})
    assert got.loc[("North", pd.Period("2026", "Y"))].tolist() == [12.0, 100.0]


def test_region_industry_cells_count_new_workers_and_their_upgrades():
    # the plan's 90 workers are new skilled workers (60 of every 100 certified), each with
    # 40 / 60 of an upgraded high-skilled worker (the count was 90 skilled, 0 high-skilled)
    config = _config(["region", "industry"])
    cells = pd.DataFrame({"region": "North", "industry": "textiles",
                          "period": pd.PeriodIndex(["2026"], freq="Y"), "workers": [90.0]})
    got = plan_stock_workers(_result(cells, config), {"training": TRAINING})
    assert got.iloc[0].tolist() == pytest.approx([90.0, 60.0])
    params = place_absorption({"absorption": 0.9}, config, {"training": TRAINING}, None,
                              cells)
    assert params["absorption"]["absorption"].tolist() == pytest.approx([0.9 * 0.6])


def test_programme_plans_take_each_programmes_levels():
    config = _config(["region", "industry"])
    crosswalk = pd.DataFrame({"program": ["basic", "upgrade"],
                              "industry": ["textiles", "textiles"], "share": [1.0, 1.0]})
    cells = pd.DataFrame({"region": ["North"], "industry": ["textiles"],
                          "period": pd.PeriodIndex(["2026"], freq="Y")})
    params = place_absorption({"absorption": 1.0}, config, {"training": TRAINING}, crosswalk,
                              cells)
    table = params["absorption"].set_index("program")["absorption"]
    assert table.to_dict() == {"basic": 1.0, "upgrade": 0.0}  # upgrades fill no vacancy


def test_the_skilled_need_goes_to_levels_that_add_skilled_workers():
    config = _config(["region", "industry", "skill_level"])
    pipeline = pd.DataFrame({"region": "North", "industry": "textiles",
                             "skill_level": ["ordinary", "technician"], "period": "2026",
                             "supply": [30.0, 30.0]})
    need = pd.DataFrame({"region": ["North"], "industry": ["textiles"], "period": ["2026"],
                         "policy_need": [50.0]})
    out = need_by_level(need, pipeline, config, "skilled", TRAINING)
    assert out["skill_level"].tolist() == ["ordinary"] and out["policy_need"].tolist() == [50.0]
    before = need_by_level(need, pipeline, config, "skilled")  # by supply alone: halves
    assert before["policy_need"].tolist() == [25.0, 25.0]


def test_high_skilled_upgrades_do_not_count_toward_the_skilled_need():
    policy = pd.DataFrame({"policy_need": [10.0, 2.0], "policy_need_high_skilled": [4.0, 7.0],
                           "target_share_high_skilled": [0.4, 0.5],
                           "high_skilled_adds_skilled": [0.0, 0.5]})
    parts = joint_need(policy)
    # f = 0: a = N = 4, b = S = 10; f = 0.5: f N = 3.5 > S = 2, a = (7 - 0.5 x 2) / 0.75
    assert parts["need_high_skilled"].tolist() == pytest.approx([4.0, 8.0])
    assert parts["need_skilled"].tolist() == pytest.approx([10.0, 0.0])
