"""GET /v1/model shows the saved shares of a place's workers new to its cell.

A run with upgrade training saves, per plan unit, the share of its certified
workers new to their cell (``[plan] place_entrants``); POST /v1/plan scales
each unit's absorption by it. The model's description lists those shares, so
a client reading it sees what scales its plans: here the model's first cell
has 0.5, and a plan with absorption 0.9 places as a plan on the same model
without shares whose absorption is 0.45 there.
"""

from __future__ import annotations

import copy

import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.service import ServiceSettings, create_app

PLAN = {"budget": 2e5, "cost_per_trainee": 5000, "pass_rate": 0.8, "horizon": 4}


def _client(path) -> TestClient:
    return TestClient(create_app(path, settings=ServiceSettings(plan_workers=0)))


@pytest.fixture(scope="module")
def cells(gap_model):
    return gap_model.cells_[["region", "industry"]].astype(str).to_dict("records")


@pytest.fixture(scope="module")
def with_shares(gap_model, cells, tmp_path_factory):
    """The conftest's gap model saved with shares: 0.5 for its first cell, 1 elsewhere, and an
    entry of shares outside 0-1 (left out at load)."""
    shares = [0.5] + [1.0] * (len(cells) - 1)
    entry = {"keys": ["region", "industry"],
             "values": {k: [cell[k] for cell in cells] for k in ("region", "industry")},
             "entrants": shares}
    bad = {"keys": ["region"], "values": {"region": ["x"]}, "entrants": [1.5]}
    config = {"forecast": {"horizon": 4}, "plan": {"place_entrants": [entry, bad]}}
    return copy.copy(gap_model).save(tmp_path_factory.mktemp("entrants") / "gap",
                                     config=config)


def test_the_model_lists_the_saved_shares(with_shares, cells):
    info = _client(with_shares).get("/v1/model").json()
    assert info["place_entrants"] == [
        {"keys": ["region", "industry"],
         "values": {k: [cell[k] for cell in cells] for k in ("region", "industry")},
         "entrants": [0.5 if i == 0 else 1.0 for i in range(len(cells))],
         "policy_share": None}]


def test_a_model_saved_without_shares_lists_none(model_dir):
    info = _client(model_dir).get("/v1/model").json()
    assert info["place_entrants"] == []
    assert "plan_defaults" in info and "targets" in info   # the other fields stay


def test_the_listed_shares_are_those_the_plan_scales_by(with_shares, model_dir, cells):
    shown = _client(with_shares).get("/v1/model").json()["place_entrants"][0]
    scaled = _client(with_shares).post("/v1/plan", json={**PLAN, "absorption": 0.9})
    absorption = [{"cell": {k: shown["values"][k][i] for k in shown["keys"]},
                   "value": 0.9 * share} for i, share in enumerate(shown["entrants"])]
    plain = _client(model_dir).post("/v1/plan", json={**PLAN, "absorption": absorption})
    unscaled = _client(model_dir).post("/v1/plan", json={**PLAN, "absorption": 0.9})
    assert scaled.status_code == plain.status_code == unscaled.status_code == 200, scaled.text
    assert scaled.json()["quotas"] == plain.json()["quotas"]
    assert scaled.json()["quotas"] != unscaled.json()["quotas"]


def test_the_openapi_schema_describes_the_field(with_shares):
    schemas = _client(with_shares).get("/openapi.json").json()["components"]["schemas"]
    field = schemas["ModelInfoV1"]["properties"]["place_entrants"]
    assert "absorption" in field["description"] and field["examples"][0][0]["entrants"]
    assert field["items"]["$ref"].endswith("/PlaceEntrants")
    entry = schemas["PlaceEntrants"]["properties"]
    assert entry["entrants"]["description"] and entry["policy_share"]["description"]
    assert "place_entrants" not in schemas["ModelInfoV1"].get("required", [])


def test_the_model_lists_the_saved_policy_shares(gap_model, cells, tmp_path):
    """The saved ``policy_share`` (the plan's policy yield) is listed with the entrants."""
    entry = {"keys": ["region", "industry"],
             "values": {k: [cell[k] for cell in cells] for k in ("region", "industry")},
             "entrants": [0.5] * len(cells), "policy_share": [1.0] * len(cells)}
    path = copy.copy(gap_model).save(tmp_path / "gap", config={
        "forecast": {"horizon": 4}, "plan": {"place_entrants": [entry]}})
    assert _client(path).get("/v1/model").json()["place_entrants"] == [entry]
