"""``min_class_size`` on ``POST /v1/plan``: the library's plan, its OpenAPI field, 422s."""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.service import create_app

KEYS = ["region", "industry"]
#: Electromechanical places are cheap, so the plan without the rule funds a few textiles
#: places with the money left over.
COSTS = {"construction_engineering": 1000.0, "electromechanical_technology": 300.0,
         "textiles": 1000.0}
BODY = {"budget": 20_000, "pass_rate": 0.8, "horizon": 3,
        "cost_per_trainee": [{"cell": {"industry": k}, "value": v} for k, v in COSTS.items()]}
COST_TABLE = pd.DataFrame({"industry": list(COSTS), "cost_per_trainee": list(COSTS.values())})


@pytest.fixture(scope="module")
def client(model_dir):
    return TestClient(create_app(model_dir))


def _library(gap_model, **extra):
    return tg.planning.allocate_quotas(gap_model.sample_paths(3), budget=20_000,
                                       cost_per_trainee=COST_TABLE, pass_rate=0.8, **extra)


def test_the_api_plan_is_the_librarys_and_keeps_the_rule(client, gap_model):
    reply = client.post("/v1/plan", json={**BODY, "min_class_size": 25})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    want = _library(gap_model, min_class_size=25)
    got = pd.DataFrame(body["quotas"])
    assert got["quota"].tolist() == want.quotas["quota"].tolist()
    assert ((got["quota"] == 0) | (got["quota"] >= 25)).all()
    assert body["summary"]["shortfall_after"] == pytest.approx(
        float(want.summary["shortfall_after"]))
    assert body["notes"] == list(want.notes)
    rows = [row for row in body["constraints"] if row["kind"] == "min_class_size"]
    assert len(rows) == 1 and rows[0]["limit"] == 25 and rows[0]["unit"] == "classes"
    # the rule changed the plan: without it some cell is funded below a class
    free = _library(gap_model)
    assert free.quotas["quota"].between(1, 24).any()


def test_a_per_cell_table_and_multi_year_plans_take_it(client, gap_model):
    region = str(gap_model.cells_["region"].iloc[0])
    table = [{"cell": {"region": region}, "value": 12}]
    reply = client.post("/v1/plan", json={**BODY, "min_class_size": table,
                                          "periods": ["2023Q1", "2023Q2"]})
    assert reply.status_code == 200, reply.text
    got = pd.DataFrame(reply.json()["quotas"])
    mine = got[got["region"] == region]["quota"]
    assert ((mine == 0) | (mine >= 12)).all()
    paths = gap_model.sample_paths(3)
    want = tg.planning.allocate_quotas(
        paths, periods=["2023Q1", "2023Q2"], budget=20_000, cost_per_trainee=COST_TABLE,
        pass_rate=0.8, min_class_size=pd.DataFrame({"region": [region], "min_class_size": [12]}))
    assert got["quota"].tolist() == want.quotas["quota"].tolist()


def test_a_class_above_the_capacity_is_a_422_naming_the_cell(client, gap_model):
    name = f"{gap_model.cells_['industry'].iloc[0]} in {gap_model.cells_['region'].iloc[0]}"
    reply = client.post("/v1/plan", json={**BODY, "min_class_size": 30, "capacity": 20})
    assert reply.status_code == 422, reply.text
    assert "min_class_size 30 > capacity 20" in reply.text and name in reply.text
    negative = client.post("/v1/plan", json={**BODY, "min_class_size": -3})
    assert negative.status_code == 422
    assert negative.json()["detail"][0]["loc"] == ["body", "min_class_size"]


def test_the_openapi_schema_describes_the_field_with_an_example(client):
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    for request in ("PlanRequest", "PlanRequestV1"):
        field = schema[request]["properties"]["min_class_size"]
        assert "no places or at least" in field["description"]
        assert 20 in field["examples"]
