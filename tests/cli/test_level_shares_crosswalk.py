"""With ``[plan] crosswalk``, level needs and entrant shares read training by programme.

Two programmes in the North region, training in 2024. Welding is recorded
under ``construction`` and certifies 30 new ``ordinary`` workers and upgrades
10 ordinary workers to ``technician`` (high-skilled); the crosswalk sends
half of its output to ``equipment``. Sewing is recorded under ``equipment``
and certifies 20 new ordinary workers (and, for the level cells, 5 new
technicians); the crosswalk does not name it, so it keeps its industry.

By hand, ``equipment`` receives 15 new ordinary workers and 5 upgraded
technicians from welding, and sewing's 20 (and 5): the cells' training is
that of the programmes feeding them, not the training recorded under their
industry (sewing's alone).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _constant_cohorts import LEVEL_KEYS_CONFIG, ONE_YEAR_TARGETS, write_constant_cohorts

import talentgap as tg
from talentgap.cli._plan_inputs import plan_crosswalk
from talentgap.cli._plan_levels import entrant_shares, joins_skilled, policy_yields
from talentgap.cli._targets import need_by_level
from talentgap.cli.config import Config
from talentgap.cli.main import main

WELDING = pd.DataFrame({
    "period": "2024", "region": "North", "industry": "construction", "program": "welding",
    "skill_level": ["ordinary", "technician"], "from_level": ["", "ordinary"],
    "trained": [35, 15], "certified": [30, 10]})
SEWING = pd.DataFrame({
    "period": "2024", "region": "North", "industry": "equipment", "program": "sewing",
    "skill_level": ["ordinary", "technician"], "from_level": ["", ""],
    "trained": [25, 8], "certified": [20, 5]})


def _config(tmp_path, keys) -> Config:
    path = tmp_path / "crosswalk.csv"
    pd.DataFrame({"program": ["welding", "welding"],
                  "industry": ["construction", "equipment"],
                  "share": [0.5, 0.5]}).to_csv(path, index=False)
    return Config.from_dict({
        "data": {"keys": keys, "freq": "Y",
                 "skill_levels": ["none", "ordinary", "technician"],
                 "high_skilled": ["technician"], "unskilled": ["none"]},
        "plan": {"years": [2025], "budget": 1e5, "cost_per_trainee": 1000,
                 "crosswalk": str(path)},
        "targets": {"skilled_share": 0.3, "target_year": 2026, "plan_level": "skilled"}})


def _by_cell(table: pd.DataFrame, column: str) -> dict:
    keys = [c for c in ("industry", "skill_level") if c in table.columns]
    return {tuple(row[keys]): row[column] for _, row in table.iterrows()}


def test_level_cells_share_the_skilled_need_by_the_programmes_feeding_them(tmp_path):
    config = _config(tmp_path, ["region", "industry", "skill_level"])
    training = pd.concat([WELDING, SEWING], ignore_index=True)
    # the forecast supply of each level cell, as the panel counts it through the crosswalk
    pipeline = pd.DataFrame({
        "region": "North", "industry": ["construction", "construction", "equipment",
                                        "equipment"],
        "skill_level": ["ordinary", "technician"] * 2, "period": "2026",
        "supply": [15.0, 5.0, 35.0, 10.0]})
    need = pd.DataFrame({"region": "North", "industry": ["construction", "equipment"],
                         "period": "2026", "policy_need": [40.0, 80.0]})
    out = _by_cell(need_by_level(need, pipeline, config, "skilled", training), "policy_need")
    # equipment's technicians: 5 upgrades (no new skilled worker) and 5 new of 10 certified,
    # so half of their supply of 10 adds skilled workers: 80 shared 35 : 5 (by the
    # training recorded under equipment, sewing's new technicians alone: 35 : 10)
    assert out[("equipment", "ordinary")] == pytest.approx(80.0 * 35 / 40)
    assert out[("equipment", "technician")] == pytest.approx(80.0 * 5 / 40)
    # construction's technicians are welding's upgrades alone: none of its skilled need
    assert out[("construction", "ordinary")] == pytest.approx(40.0)
    assert ("construction", "technician") not in out


def test_entrant_shares_per_cell_take_the_programmes_feeding_it(tmp_path):
    config = _config(tmp_path, ["region", "industry"])
    training = pd.concat([WELDING, SEWING.iloc[:1]], ignore_index=True)
    per_cell, per_programme = entrant_shares(config, training)
    # construction: welding's half, 15 new of 20 certified; equipment: the other half and
    # sewing's 20 new, 35 of 40 (by the training recorded there, sewing's alone: 1)
    assert _by_cell(per_cell, "entrants") == pytest.approx(
        {("construction",): 0.75, ("equipment",): 35 / 40})
    assert per_programme.set_index("program")["entrants"].to_dict() == pytest.approx(
        {"sewing": 1.0, "welding": 30 / 40})
    assert set(per_programme["region"]) == {"North"}


def test_high_skilled_training_joins_skilled_by_the_programmes_feeding_the_cell(tmp_path):
    # the technicians of equipment: welding's 5 upgrades (no new skilled worker) and sewing's
    # 5 new, so half of them add a skilled worker (sewing's alone, recorded there: all);
    # construction's are welding's other 5 upgrades: none
    config = _config(tmp_path, ["region", "industry", "skill_level"])
    training = pd.concat([WELDING, SEWING], ignore_index=True)
    need = pd.DataFrame({"region": "North", "industry": ["construction", "equipment"],
                         "period": "2026"})
    np.testing.assert_allclose(joins_skilled(training, config, need), [0.0, 0.5])
    alone = Config.from_dict({**config.to_dict(), "plan": {
        **config.to_dict()["plan"], "crosswalk": None}})
    np.testing.assert_allclose(joins_skilled(training, alone, need), [0.0, 1.0])


def test_the_policy_yield_weights_the_programmes_as_the_entrant_share_does(tmp_path):
    # high-skilled target: welding certifies 40 (30 new, 10 upgraded to technician), sewing
    # 25 (20 + 5 technicians, all new). Equipment gets half of welding's and all of sewing's:
    # 15 + 25 = 40 new and 5 + 5 = 10 technicians of 20 + 25 = 45 certified, r = 10 / 40.
    # Construction: 15 new, 5 technicians, r = 1/3. Weighting the programmes by their
    # crosswalk shares alone, equipment would take (0.5 x 0.25 + 0.2) / (0.5 x 0.75 + 1).
    config = _config(tmp_path, ["region", "industry"])
    config = Config.from_dict({**config.to_dict(), "targets": {
        "high_skilled_share": 0.4, "target_year": 2026, "plan_level": "high_skilled"}})
    training = pd.concat([WELDING, SEWING], ignore_index=True)
    policy = pd.DataFrame({"region": "North", "industry": ["construction", "equipment"],
                           "period": "2026", "policy_need": [10.0, 20.0]})
    crosswalk = plan_crosswalk(config)
    out = policy_yields(policy, config, {"training": training}, crosswalk)
    assert _by_cell(out, "per_worker") == pytest.approx(
        {("construction",): 5 / 15, ("equipment",): 10 / 40})
    per_cell, _ = entrant_shares(config, training)   # the table plans by cell scale by
    assert _by_cell(per_cell, "entrants") == pytest.approx(
        {("construction",): 15 / 20, ("equipment",): 40 / 45})
    assert _by_cell(per_cell, "policy_share") == pytest.approx(
        {("construction",): 5 / 20, ("equipment",): 10 / 45})


def test_without_a_crosswalk_cells_keep_their_recorded_training(tmp_path):
    config = _config(tmp_path, ["region", "industry"])
    config = Config.from_dict({**config.to_dict(), "plan": {
        **config.to_dict()["plan"], "crosswalk": None}})
    training = pd.concat([WELDING, SEWING.iloc[:1]], ignore_index=True)
    (per_cell,) = entrant_shares(config, training)
    assert _by_cell(per_cell, "entrants") == pytest.approx(
        {("construction",): 0.75, ("equipment",): 1.0})


# ---- the same through `talentgap plan` ------------------------------------------------------
# Cells by region x industry x skill_level (levels unskilled, skilled, high_skilled), every
# quarter the programmes above in each region: the panel's supply of a level cell and the
# share of its industry's skilled need it takes, by hand.

@pytest.fixture(scope="module")
def plan_out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("level_shares_crosswalk")
    write_constant_cohorts(folder, {"unskilled": 3000, "skilled": 700, "high_skilled": 300},
                           {"skilled": 1}, detail=True)
    cells = pd.read_csv(folder / "employment.csv")[["period", "region", "industry"]]
    cells = cells.drop_duplicates()
    first, second = sorted(cells["industry"].unique())
    one, two = cells[cells["industry"] == first], cells[cells["industry"] == second]
    training = pd.concat([
        one.assign(program="welding", skill_level="skilled", from_level="", trained=35,
                   certified=30),
        one.assign(program="welding", skill_level="high_skilled", from_level="skilled",
                   trained=15, certified=10),
        two.assign(program="sewing", skill_level="skilled", from_level="", trained=25,
                   certified=20),
        two.assign(program="sewing", skill_level="high_skilled", from_level="", trained=8,
                   certified=5)], ignore_index=True)
    tg.io.write_table(training, folder / "training.csv")
    pd.DataFrame({"program": ["welding", "welding"], "industry": [first, second],
                  "share": [0.5, 0.5]}).to_csv(folder / "crosswalk.csv", index=False)
    plan = ONE_YEAR_TARGETS.replace("[plan]\n", '[plan]\ncrosswalk = "crosswalk.csv"\n')
    (folder / "plan.toml").write_text(LEVEL_KEYS_CONFIG + plan + 'plan_level = "skilled"\n',
                                      encoding="utf-8")
    assert main(["plan", "--config", str(folder / "plan.toml"), "--out", str(folder / "out"),
                 "--no-charts", "--no-report"]) == 0
    return folder / "out", first, second


def test_a_plan_by_level_shares_the_need_by_the_programmes_feeding_each_level(plan_out):
    out, first, second = plan_out
    panel = pd.read_csv(out / "panel.csv").dropna(subset=["supply"])
    supply = panel.groupby(["industry", "skill_level"])["supply"].agg(["min", "max"])
    assert supply["min"].equals(supply["max"])
    assert supply["min"].to_dict() == pytest.approx({
        (first, "high_skilled"): 5.0, (first, "skilled"): 15.0,
        (second, "high_skilled"): 10.0, (second, "skilled"): 35.0})
    need = pd.read_csv(out / "policy_need.csv").set_index(["region", "industry", "period"])
    split = pd.read_csv(out / "plan_cells.csv").pivot_table(
        index=["region", "industry", "period"], columns="skill_level", values="policy_need")
    share = split.div(need["policy_need_skilled"].reindex(split.index), axis=0)
    assert (need["policy_need_skilled"] > 0).all()
    # second industry: 35 skilled of 35 and 5 of its 10 high-skilled supply add skilled
    # workers (the training recorded there alone says all 10: 35 : 10)
    rows = share.xs(second, level="industry")
    np.testing.assert_allclose(rows["skilled"], 35 / 40, rtol=1e-9)
    np.testing.assert_allclose(rows["high_skilled"], 5 / 40, rtol=1e-9)
    rows = share.xs(first, level="industry")  # welding's upgrades add no skilled worker
    np.testing.assert_allclose(rows["skilled"], 1.0, rtol=1e-9)
    np.testing.assert_allclose(rows["high_skilled"].fillna(0.0), 0.0, atol=1e-12)
