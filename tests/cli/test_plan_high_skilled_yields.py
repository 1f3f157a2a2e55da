"""A plan serving the high-skilled target alone counts vacancies and high-skilled workers apart.

One region, two industries (cells without a skill level). Each quarter the
first industry certifies 20 new technicians (high-skilled); the second
certifies 20 new technicians and upgrades 20 ordinary workers it already
employs to technicians. With a pass rate of 0.8 and an absorption of 0.9 a
place yields 0.72 certified workers who stay, by hand:

- first industry: all of them new to the cell, all high-skilled: 0.72
  vacancies filled and 0.72 high-skilled workers per place;
- second industry: half of them new to the cell (20 of 40): 0.36 vacancies
  filled (absorption 0.45) and still 0.72 high-skilled workers per place,
  2 per worker new to the cell.

The plan's cells show the vacancies filled (``workers``) and the
high-skilled workers counted toward the policy need (``policy_workers``),
the target path adds the same high-skilled workers to the stock, ``POST
/v1/plan`` (the shares saved with the model, the saved policy need) plans the
same places, and ``talentgap plan --model`` scales its places by the same
saved shares.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli.config import Config
from talentgap.cli.main import main
from talentgap.cli.pipeline import run, saved_config
from talentgap.models.persistence import load_with_metadata

KEYS = ["region", "industry"]
PASS, ABSORB = 0.8, 0.9
NEW_PER_PLACE = {0: PASS * ABSORB, 1: PASS * ABSORB * 0.5}   # by industry, in sorted order
HIGH_PER_PLACE = PASS * ABSORB


def _settings(folder) -> dict:
    data = tg.datasets.make_synthetic(n_regions=1, industries=2, n_periods=12, seed=5)
    cells = data.employment[["period", "region", "industry"]].drop_duplicates()
    second = sorted(cells["industry"].unique())[1]
    employment = pd.concat([cells.assign(skill_level=level, employment=n) for level, n in
                            {"none": 3000, "ordinary": 700, "technician": 300}.items()],
                           ignore_index=True)
    training = pd.concat([
        cells.assign(program="new", skill_level="technician", from_level="", trained=25,
                     certified=20),
        cells[cells["industry"] == second].assign(program="upgrade", skill_level="technician",
                                                  from_level="ordinary", trained=25,
                                                  certified=20)], ignore_index=True)
    for name, table in (("surveys", data.surveys), ("training", training),
                        ("employment", employment)):
        tg.io.write_table(table, folder / f"{name}.csv")
    return {
        "data": {"surveys": str(folder / "surveys.csv"),
                 "training": str(folder / "training.csv"),
                 "employment": str(folder / "employment.csv"), "freq": "Q",
                 "skill_levels": ["none", "ordinary", "technician"],
                 "high_skilled": ["technician"], "unskilled": ["none"]},
        "forecast": {"model": "naive", "n_samples": 50, "random_state": 0},
        "plan": {"years": [2022], "budget": 2e5, "cost_per_trainee": 1000,
                 "pass_rate": PASS, "absorption": ABSORB, "lead_time": 1, "exit_rate": 0.1},
        "targets": {"high_skilled_share": 0.55, "target_year": 2023,
                    "plan_level": "high_skilled"}}


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    folder = tmp_path_factory.mktemp("high_skilled_yields")
    settings = _settings(folder)
    result = run(Config.from_dict(settings), steps=("plan",))
    path = folder / "model"
    result.gap_model.save(path, config=saved_config(result))
    (folder / "run.toml").write_text("\n".join(   # the same run without its targets
        f"[{table}]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in values.items())
        for table, values in settings.items() if table != "targets"), encoding="utf-8")
    return result, path


def _by_industry(table: pd.DataFrame) -> pd.DataFrame:
    return table.assign(industry=table["industry"].astype(str)).sort_values(
        "industry", kind="stable").reset_index(drop=True)


def test_a_place_fills_vacancies_by_its_new_workers_only(ran):
    result, _ = ran
    quotas = _by_industry(result.plan.quotas)
    assert (quotas["quota"] > 0).all()
    np.testing.assert_allclose(quotas["expected_certified"] / quotas["quota"],
                               [NEW_PER_PLACE[0], NEW_PER_PLACE[1]], rtol=1e-12)
    cells = _by_industry(result.plan.cells[result.plan.cells["period"].astype(str) == "2023"])
    np.testing.assert_allclose(cells["workers"] / quotas["quota"],
                               [NEW_PER_PLACE[0], NEW_PER_PLACE[1]], rtol=1e-12)


def test_a_place_adds_its_high_skilled_workers_upgrades_included(ran):
    result, _ = ran
    quotas = _by_industry(result.plan.quotas)
    cells = _by_industry(result.plan.cells[result.plan.cells["period"].astype(str) == "2023"])
    np.testing.assert_allclose(cells["policy_workers"] / quotas["quota"], HIGH_PER_PLACE,
                               rtol=1e-12)
    np.testing.assert_allclose(cells["policy_shortfall_after"],
                               np.maximum(cells["policy_need"] - cells["policy_workers"], 0.0),
                               rtol=1e-12, atol=1e-9)


def test_the_stocks_take_the_same_workers(ran, tmp_path):
    result, _ = ran
    cells = result.plan.cells[result.plan.cells["period"].astype(str) == "2023"]
    path = result.target_path
    rows = path[(path["period"].astype(str) == "2023") & (path["region"] != "all regions")]
    high = rows[rows["skill_level"] == "high_skilled"].iloc[0]
    skilled = rows[rows["skill_level"] == "skilled"].iloc[0]
    assert high["workers_with_plan"] - high["workers_without_plan"] == pytest.approx(
        cells["policy_workers"].sum(), rel=1e-9)
    assert skilled["workers_with_plan"] - skilled["workers_without_plan"] == pytest.approx(
        cells["workers"].sum(), rel=1e-9)   # upgraded workers were skilled already


def test_the_saved_shares_carry_the_high_skilled_part(ran):
    _, path = ran
    saved = load_with_metadata(path)[0]["config"]["plan"]["place_entrants"]
    assert [entry["keys"] for entry in saved] == [KEYS]
    assert saved[0]["entrants"] == [1.0, 0.5] and saved[0]["policy_share"] == [1.0, 1.0]


def test_plan_with_the_saved_model_scales_places_by_the_saved_shares(ran, tmp_path):
    # plan --model reads no input table, so it plans without [targets]: the saved shares,
    # now with their high-skilled part, still scale each place to its new workers
    result, path = ran
    out = tmp_path / "out"
    assert main(["plan", "--model", str(path), "--config", str(path.parent / "run.toml"),
                 "--out", str(out), "--no-charts", "--no-report"]) == 0
    quotas = _by_industry(pd.read_csv(out / "quotas.csv"))
    np.testing.assert_allclose(quotas["absorption"], _by_industry(result.plan.quotas)[
        "absorption"], rtol=1e-12)
    np.testing.assert_allclose(quotas["absorption"], [ABSORB, ABSORB * 0.5], rtol=1e-12)


def test_the_service_plans_the_same_places(ran):
    pytest.importorskip("fastapi", reason="the service extra is not installed")
    from fastapi.testclient import TestClient

    from talentgap.service.app import create_app

    result, path = ran
    body = TestClient(create_app(path)).post("/v1/plan", json={"periods": ["2022"]})
    assert body.status_code == 200, body.text
    api = _by_industry(pd.DataFrame(body.json()["quotas"]))
    assert api["quota"].tolist() == _by_industry(result.plan.quotas)["quota"].tolist()
    summary = body.json()["summary"]
    assert summary["policy_shortfall_after"] == pytest.approx(
        float(result.plan.summary["policy_shortfall_after"]), rel=1e-9)
