"""Upgrade places count the same in ``talentgap plan``, ``plan --model`` and ``POST /v1/plan``.

Every region x industry certifies 30 new ordinary workers and upgrades 10
ordinary workers to technicians each quarter. Upgraded workers already hold
jobs in their cells, so a place of a region x industry cell yields
30 / 40 = 0.75 of its certified workers for the cell's needs: its
absorption is scaled by 0.75 (0.9 x 0.75 = 0.675). The run saves those
shares with its model, and the service and ``talentgap plan --model`` plan
with them, so the three give the same places, single-period and per year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

import talentgap as tg
from talentgap.cli.config import Config
from talentgap.cli.main import main
from talentgap.cli.pipeline import run, saved_config
from talentgap.models.persistence import load_with_metadata
from talentgap.service.app import create_app

KEYS = ["region", "industry"]
SCALED = 0.9 * 30 / 40   # absorption x the share of a place's certified new to its cell
PLAN = {"cost_per_trainee": 1000, "pass_rate": 0.8, "absorption": 0.9, "lead_time": 1,
        "capacity": 40}


def _inputs(folder) -> dict:
    """The input tables (2 regions x 2 industries, 12 quarters) and their [data] settings."""
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=5)
    cells = data.employment[["period", "region", "industry"]].drop_duplicates()
    employment = pd.concat([cells.assign(skill_level=level, employment=n) for level, n in
                            {"none": 3000, "ordinary": 700, "technician": 300}.items()],
                           ignore_index=True)
    training = pd.concat([cells.assign(skill_level="ordinary", from_level="", trained=35,
                                       certified=30),
                          cells.assign(skill_level="technician", from_level="ordinary",
                                       trained=15, certified=10)], ignore_index=True)
    for name, table in (("surveys", data.surveys), ("training", training),
                        ("employment", employment)):
        tg.io.write_table(table, folder / f"{name}.csv")
    return {"surveys": str(folder / "surveys.csv"), "training": str(folder / "training.csv"),
            "employment": str(folder / "employment.csv"), "freq": "Q",
            "skill_levels": ["none", "ordinary", "technician"],
            "high_skilled": ["technician"], "unskilled": ["none"]}


def _served(tmp_path_factory, plan: dict, **tables):
    folder = tmp_path_factory.mktemp("upgrades")
    settings = {"data": _inputs(folder), "plan": {**PLAN, **plan},
                "forecast": {"model": "naive", "n_samples": 40, "random_state": 0}, **tables}
    result = run(Config.from_dict(settings), steps=("plan",))
    path = folder / "model"
    result.gap_model.save(path, config=saved_config(result))
    return result, TestClient(create_app(path)), path


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    return _served(tmp_path_factory, {"budget": 6e4})


@pytest.fixture(scope="module")
def yearly(tmp_path_factory):
    return _served(tmp_path_factory, {"years": [2022, 2023], "budget": 6e4})


@pytest.fixture(scope="module")
def targeted(tmp_path_factory):
    return _served(tmp_path_factory, {"years": [2022], "budget": 6e4, "exit_rate": 0.1},
                   targets={"skilled_share": 0.3, "high_skilled_share": 0.35,
                            "target_year": 2023, "plan_level": "skilled"})


def test_the_run_scales_its_places_by_their_new_workers(single, yearly, targeted):
    for result, _, _ in (single, yearly, targeted):
        quotas = result.plan.quotas
        np.testing.assert_allclose(quotas["absorption"], SCALED, rtol=1e-12)
        assert result.plan.summary["places"] > 0


def test_the_saved_model_carries_the_shares(single):
    _, _, path = single
    saved = load_with_metadata(path)[0]["config"]["plan"]["place_entrants"]
    assert [entry["keys"] for entry in saved] == [KEYS]
    assert saved[0]["entrants"] == [0.75] * 4


def _same_places(cli: pd.DataFrame, api: pd.DataFrame, on: list[str]) -> None:
    both = cli.merge(api, on=on, suffixes=("_cli", "_api"), validate="1:1")
    assert len(both) == len(cli) == len(api)
    assert (both["quota_cli"] == both["quota_api"]).all()
    np.testing.assert_allclose(both["absorption_api"], SCALED, rtol=1e-9)
    np.testing.assert_allclose(both["expected_certified_api"],
                               both["expected_certified_cli"], rtol=1e-9)


def test_single_period_plan_from_the_api_equals_the_cli_plan(single):
    result, client, _ = single
    body = client.post("/v1/plan", json={})
    assert body.status_code == 200, body.text
    api = pd.DataFrame(body.json()["quotas"])
    _same_places(result.plan.quotas, api, KEYS)
    assert body.json()["summary"]["places"] == result.plan.summary["places"]


def test_a_requested_absorption_is_scaled_too(single):
    _, client, _ = single
    body = client.post("/v1/plan", json={"absorption": 0.8}).json()
    np.testing.assert_allclose(pd.DataFrame(body["quotas"])["absorption"], 0.8 * 0.75)


def test_yearly_plan_from_the_api_equals_the_cli_plan(yearly):
    result, client, _ = yearly
    body = client.post("/v1/plan", json={"periods": ["2022", "2023"]})
    assert body.status_code == 200, body.text
    api = pd.DataFrame(body.json()["quotas"])
    cli = result.plan.quotas.assign(period=lambda f: f["period"].astype(str))
    _same_places(cli, api, [*KEYS, "period"])
    summary = body.json()["summary"]
    assert summary["places"] == result.plan.summary["places"] > 0
    assert summary["shortfall_after"] == pytest.approx(
        float(result.plan.summary["shortfall_after"]), rel=1e-9)


def test_plan_with_the_saved_model_equals_the_run(single, tmp_path):
    result, _, path = single
    out = tmp_path / "out"
    assert main(["plan", "--model", str(path), "--out", str(out), "--no-charts",
                 "--no-report"]) == 0
    quotas = pd.read_csv(out / "quotas.csv")
    np.testing.assert_allclose(quotas["absorption"], SCALED, rtol=1e-9)
    both = result.plan.quotas.merge(quotas, on=KEYS, suffixes=("_run", "_model"),
                                    validate="1:1")
    assert len(both) == 4 and (both["quota_run"] == both["quota_model"]).all()


def test_plan_against_the_saved_policy_need_equals_the_cli_plan(targeted):
    result, client, _ = targeted
    body = client.post("/v1/plan", json={"periods": ["2022"]})
    assert body.status_code == 200, body.text
    api = pd.DataFrame(body.json()["quotas"])
    cli = result.plan.quotas.assign(period=lambda f: f["period"].astype(str))
    _same_places(cli, api, [*KEYS, "period"])
    assert body.json()["summary"]["places"] == result.plan.summary["places"] > 0


def test_a_programme_plan_without_saved_programme_shares_says_its_places_count_whole(single):
    # the run planned by cell: its shares say nothing of programmes the request names
    result, client, _ = single
    industries = sorted(result.plan.quotas["industry"].astype(str).unique())
    body = client.post("/v1/plan", json={"crosswalk": [
        {"program": f"course {i}", "industry": industry, "share": 1.0}
        for i, industry in enumerate(industries)]})
    assert body.status_code == 200, body.text
    np.testing.assert_allclose(pd.DataFrame(body.json()["quotas"])["absorption"], 0.9)
    assert any("no shares for this plan's program x region units" in w
               for w in body.json()["warnings"])
