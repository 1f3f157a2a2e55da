"""A request key the body does not take is refused naming the closest key it does take."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from talentgap.service import create_app


@pytest.fixture(scope="module")
def client(model_dir):
    return TestClient(create_app(model_dir))


def test_misspelt_key_suggests_the_known_one(client):
    reply = client.post("/v1/gap", json={"horizn": 2})
    assert reply.status_code == 422
    (item,) = reply.json()["detail"]
    assert item["type"] == "extra_forbidden"
    assert item["loc"] == ["body", "horizn"]
    assert item["msg"].endswith("(did you mean 'horizon'?)")


def test_misspelt_plan_key_suggests_the_plan_field(client):
    reply = client.post("/v1/plan", json={"budget": 1000, "cost_per_traine": 10})
    assert reply.status_code == 422
    msgs = [item["msg"] for item in reply.json()["detail"] if item["type"] == "extra_forbidden"]
    assert msgs == ["Extra inputs are not permitted (did you mean 'cost_per_trainee'?)"]


def test_key_unlike_any_gets_no_guess(client):
    reply = client.post("/v1/gap", json={"zzzzqqq": 1})
    (item,) = reply.json()["detail"]
    assert item["type"] == "extra_forbidden"
    assert "did you mean" not in item["msg"]
