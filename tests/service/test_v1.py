"""The versioned API: /v1 endpoints, defaults from the saved run, 409s, deprecation."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import talentgap as tg

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi import FastAPI
from fastapi.testclient import TestClient

from talentgap.editions import EditionStore
from talentgap.service import create_app

#: A saved run configuration as the CLI writes it: file settings hold server paths.
CONFIG = {"data": {"surveys": "/srv/bureau/surveys.csv", "keys": ["region", "industry"]},
          "forecast": {"horizon": 3},
          "plan": {"cost_per_trainee": 1000, "pass_rate": 0.67, "absorption": 0.85,
                   "capacity": "/srv/bureau/capacity.csv", "risk": "expected"}}


@pytest.fixture(scope="module")
def configured_dir(gap_model, tmp_path_factory):
    return gap_model.save(tmp_path_factory.mktemp("configured") / "gap", config=CONFIG)


@pytest.fixture(scope="module")
def client(configured_dir):
    return TestClient(create_app(configured_dir))  # no lifespan: loaded by create_app


@pytest.fixture(scope="module")
def drift_dir(tmp_path_factory):
    df = pd.DataFrame({"id": ["a"] * 6 + ["b"] * 6,
                       "period": [str(y) for y in range(2018, 2024)] * 2,
                       "value": [1, 2, 3, 4, 5, 6, 2, 2, 3, 3, 4, 4]})
    return tg.models.Drift().fit(df, keys=["id"]).save(tmp_path_factory.mktemp("d") / "drift")


def cell(gap_model, row=0):
    return {k: str(v) for k, v in gap_model.cells_.iloc[row].items()}


def test_model_describes_the_model_without_server_paths(client, gap_model):
    reply = client.get("/v1/model")
    assert reply.status_code == 200, reply.text
    info = reply.json()
    assert "/srv" not in reply.text
    assert info["keys"] == ["region", "industry"]
    assert info["key_values"]["region"] == sorted(gap_model.cells_["region"].astype(str).unique())
    assert info["n_cells"] == 6 and info["origin"] == str(gap_model.origin_)
    assert info["endpoints"] == ["/v1/gap", "/v1/plan"]
    assert info["models"] == {"demand": "Naive", "supply": "Naive"}
    assert info["max_horizon"] >= 1 and info["max_levels"] == 10
    assert info["plan_defaults"] == {"horizon": 3, "cost_per_trainee": 1000,
                                     "pass_rate": 0.67, "absorption": 0.85,
                                     "risk": "expected"}
    assert "Deprecation" not in reply.headers


def test_gap_for_one_cell_is_the_models(client, gap_model):
    wanted = cell(gap_model, 4)
    reply = client.post("/v1/gap", json={"horizon": 2, "level": [80, 95], "cells": [wanted]})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    got = pd.DataFrame(body["rows"], columns=body["columns"])
    with pytest.warns(tg.errors.DataQualityWarning):
        want = gap_model.predict(2, level=[80, 95])
    want = want[(want["region"].astype(str) == wanted["region"])
                & (want["industry"].astype(str) == wanted["industry"])]
    assert len(got) == 2
    for column in ("gap", "gap_lo_80", "gap_hi_95", "p_shortage"):
        assert got[column].tolist() == pytest.approx(want[column].tolist())
    assert [{"region": e["region"], "industry": e["industry"]}
            for e in body["explanations"]] == [wanted]


def test_plan_takes_the_saved_runs_defaults(client, gap_model):
    reply = client.post("/v1/plan", json={"budget": 50_000})
    assert reply.status_code == 200, reply.text
    want = tg.planning.allocate_quotas(gap_model.sample_paths(3), budget=50_000,
                                       cost_per_trainee=1000, pass_rate=0.67,
                                       absorption=0.85)
    got = pd.DataFrame(reply.json()["quotas"])
    assert got["quota"].tolist() == pytest.approx(want.quotas["quota"].tolist())
    assert reply.json()["summary"]["shortfall_after"] == pytest.approx(
        float(want.summary["shortfall_after"]))
    # a field given in the request wins over the saved one
    other = client.post("/v1/plan", json={"budget": 50_000, "absorption": 1.0}).json()
    assert other["summary"]["expected_certified"] != pytest.approx(
        reply.json()["summary"]["expected_certified"])


def test_plan_without_any_cost_is_422_naming_it(model_dir):
    reply = TestClient(create_app(model_dir)).post("/v1/plan", json={"budget": 1000})
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "cost_per_trainee"]


def test_gap_model_cannot_forecast_series_409(client):
    reply = client.post("/v1/forecast", json={"horizon": 1})
    assert reply.status_code == 409
    assert "forecaster" in reply.json()["detail"][0]["msg"]
    assert reply.json()["detail"][0]["type"] == "model_mismatch"


def test_forecaster_answers_forecast_and_409s_gap_and_plan(drift_dir):
    client = TestClient(create_app(drift_dir))
    reply = client.post("/v1/forecast", json={"horizon": 2, "series": [{"id": "b"}]})
    assert reply.status_code == 200, reply.text
    assert [r["mean"] for r in reply.json()["rows"]] == pytest.approx([4.4, 4.8])
    assert {"lo_80", "hi_80"} <= set(reply.json()["columns"])
    assert client.get("/v1/model").json()["endpoints"] == ["/v1/forecast"]
    for path, body in (("/v1/gap", {}), ("/v1/plan", {"budget": 1, "cost_per_trainee": 1})):
        answer = client.post(path, json=body)
        assert answer.status_code == 409, path
        assert "GapForecaster" in answer.json()["detail"][0]["msg"]


@pytest.mark.parametrize(("method", "old", "new", "body"), [
    ("get", "/model", "/v1/model", None),
    ("post", "/predict", "/v1/gap", {"horizon": 1}),
    ("post", "/plan", "/v1/plan", {"budget": 1000, "cost_per_trainee": 100}),
])
def test_unversioned_routes_still_answer_with_a_deprecation_header(client, method, old, new,
                                                                   body):
    reply = getattr(client, method)(old, **({} if body is None else {"json": body}))
    assert reply.status_code == 200, reply.text
    assert reply.headers["Deprecation"] == "true"
    assert f"<{new}>" in reply.headers["Link"]
    spec = client.get("/openapi.json").json()
    assert spec["paths"][old][method]["deprecated"] is True


def test_ready_and_health_are_open(client):
    assert client.get("/health").json()["model_loaded"] is True
    fingerprint = client.get("/v1/model").json()["model_fingerprint"]
    assert client.get("/ready").json() == {"status": "ready", "estimator": "GapForecaster",
                                           "edition": None, "model_fingerprint": fingerprint}


def test_the_app_works_mounted_in_another_app(configured_dir, gap_model):
    outer = FastAPI()
    outer.mount("/talentgap", create_app(configured_dir))
    client = TestClient(outer)
    reply = client.post("/talentgap/v1/gap", json={"horizon": 1, "cells": [cell(gap_model)]})
    assert reply.status_code == 200, reply.text
    assert len(reply.json()["rows"]) == 1
    docs = client.get("/talentgap/docs").text
    assert "/talentgap/openapi.json" in docs and "/talentgap/docs-assets/" in docs
    assert client.get("/talentgap/openapi.json").status_code == 200


def test_serves_the_latest_or_a_named_edition_from_a_store(gap_model, tmp_path):
    store = EditionStore(tmp_path / "editions.db")
    forecast = gap_model.predict(2, level=[80])
    store.add("2022-q4-a", gap_model, forecast, created="2023-01-05T00:00:00Z")
    store.add("2022-q4-b", gap_model, forecast, created="2023-01-09T00:00:00Z",
              config={"plan": {"absorption": 0.9}})
    latest = TestClient(create_app(store=tmp_path / "editions.db"))
    assert latest.get("/ready").json()["edition"] == "2022-q4-b"
    info = latest.get("/v1/model").json()
    assert info["edition"] == "2022-q4-b" and info["plan_defaults"] == {"absorption": 0.9}
    named = TestClient(create_app(store=tmp_path / "editions.db", edition="2022-q4-a"))
    assert named.get("/v1/model").json()["edition"] == "2022-q4-a"
    with pytest.raises(tg.errors.EditionError, match="nope"):
        create_app(store=tmp_path / "editions.db", edition="nope")


def test_openapi_documents_one_error_shape_for_every_4xx(client):
    spec = client.get("/openapi.json").json()
    assert spec["components"]["schemas"]["ErrorBody"]["properties"]["detail"]["description"]
    expected = {("get", "/v1/model"): {"401", "429"},
                ("post", "/v1/forecast"): {"401", "409", "413", "422", "429"},
                ("post", "/v1/gap"): {"401", "409", "413", "422", "429"},
                ("post", "/v1/plan"): {"401", "409", "413", "422", "429"}}
    for (method, path), statuses in expected.items():
        responses = spec["paths"][path][method]["responses"]
        assert statuses <= set(responses), (path, set(responses))
        for status in statuses:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema["$ref"].endswith("/ErrorBody"), (path, status)
    assert "HTTPValidationError" not in json.dumps(spec["paths"])
