"""Tests of the prediction service (talentgap.service) through FastAPI's test client."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pandas as pd
import pytest

import talentgap as tg

fastapi = pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient  # noqa: E402

import talentgap.service.schemas  # noqa: E402
from talentgap.errors import ArtifactError  # noqa: E402
from talentgap.service import ServiceSettings, create_app  # noqa: E402


@pytest.fixture(scope="module")
def client(model_dir):
    with TestClient(create_app(model_dir)) as test_client:
        yield test_client


def cell(gap_model, row=0):
    return {k: str(v) for k, v in gap_model.cells_.iloc[row].items()}


def test_health(client):
    reply = client.get("/health")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok", "talentgap_version": tg.__version__,
                            "model_loaded": True, "estimator": "GapForecaster"}


def test_model_info(client, gap_model):
    info = client.get("/model").json()
    assert info["keys"] == ["region", "industry"]
    assert info["origin"] == str(gap_model.origin_)
    assert len(info["cells"]) == len(gap_model.cells_) == 6
    assert info["config"] is None  # it may hold server paths; GET /v1/model has no paths
    assert info["supports_plan"] is True


def test_predict_matches_the_model(client, gap_model):
    reply = client.post("/predict", json={"horizon": 3, "level": [80, 95]})
    assert reply.status_code == 200
    body = reply.json()
    got = pd.DataFrame(body["rows"], columns=body["columns"])
    with pytest.warns(tg.errors.DataQualityWarning, match="backtest error pairs") as caught:
        want = gap_model.predict(3, level=[80, 95])
    assert body["warnings"] == [str(caught[0].message)]
    assert body["columns"] == list(want.columns)
    assert list(got["period"]) == [str(p) for p in want["period"]]
    for column in ("demand", "supply", "gap", "gap_lo_80", "gap_hi_95", "p_shortage"):
        pd.testing.assert_series_equal(got[column], want[column], check_names=False)


def test_predict_selected_cells(client, gap_model):
    wanted = [cell(gap_model, 1), cell(gap_model, 4)]
    rows = client.post("/predict", json={"horizon": 2, "cells": wanted}).json()["rows"]
    assert len(rows) == 4
    assert {(r["region"], r["industry"]) for r in rows} == {
        (c["region"], c["industry"]) for c in wanted}


def test_unknown_cell_is_422_naming_it(client, gap_model):
    reply = client.post("/predict", json={"cells": [{"region": "Atlantis",
                                                     "industry": "textiles"}]})
    assert reply.status_code == 422
    assert "Atlantis" in json.dumps(reply.json()["detail"])
    assert "GET /v1/model" in json.dumps(reply.json()["detail"])
    assert reply.json()["detail"][0]["loc"] == ["body", "cells"]


@pytest.mark.parametrize(("body", "field"), [
    ({"horizon": 0}, "horizon"),
    ({"horizon": "soon"}, "horizon"),
    ({"levels": [80]}, "levels"),
])
def test_invalid_requests_are_422(client, body, field):
    reply = client.post("/predict", json=body)
    assert reply.status_code == 422
    assert field in json.dumps(reply.json()["detail"])


def test_empty_cell_list_is_422(client):
    reply = client.post("/predict", json={"cells": []})
    assert reply.status_code == 422
    assert "cells" in json.dumps(reply.json()["detail"])


def test_bad_level_from_the_library_is_422(client):
    reply = client.post("/predict", json={"level": [120]})
    assert reply.status_code == 422
    assert "level" in json.dumps(reply.json()["detail"])


def test_plan(client, gap_model):
    reply = client.post("/plan", json={"budget": 50_000, "cost_per_trainee": 1000,
                                       "pass_rate": 0.8, "capacity": 30})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["summary"]["total_cost"] <= 50_000
    quotas = pd.DataFrame(body["quotas"])
    assert (quotas["quota"] <= 30).all()
    want = tg.planning.allocate_quotas(gap_model.sample_paths(4), budget=50_000,
                                       cost_per_trainee=1000, pass_rate=0.8, capacity=30)
    assert list(quotas["quota"]) == list(want.quotas["quota"])
    assert "budget" in body["marginal_value"]


def test_plan_with_per_cell_costs(client, gap_model):
    costs = [{"cell": cell(gap_model, i), "value": 500.0 + 100 * i} for i in range(6)]
    body = client.post("/plan", json={"budget": 20_000, "cost_per_trainee": costs}).json()
    quotas = pd.DataFrame(body["quotas"])
    assert sorted(quotas["cost_per_trainee"]) == [500.0 + 100 * i for i in range(6)]


def test_plan_missing_cell_cost_is_422(client, gap_model):
    costs = [{"cell": cell(gap_model, 0), "value": 500.0}]
    reply = client.post("/plan", json={"budget": 20_000, "cost_per_trainee": costs})
    assert reply.status_code == 422
    assert "cost_per_trainee" in json.dumps(reply.json()["detail"])


def test_infeasible_plan_is_422(client):
    reply = client.post("/plan", json={"budget": 10, "cost_per_trainee": 1000,
                                       "min_quota": 5})
    assert reply.status_code == 422
    assert "budget" in json.dumps(reply.json()["detail"])


def test_openapi_documents_every_endpoint_and_field(client):
    spec = client.get("/openapi.json").json()
    assert {"/health", "/model", "/predict", "/plan"} <= set(spec["paths"])
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("description"), f"{method} {path}"
    ours = set(talentgap.service.schemas.__all__)
    undocumented = [f"{name}.{field}"
                    for name, schema in spec["components"]["schemas"].items() if name in ours
                    for field, about in schema["properties"].items()
                    if "description" not in about]
    assert undocumented == []


def test_forecaster_artifact_predicts_but_cannot_plan(tmp_path):
    df = pd.DataFrame({"id": ["a"] * 6 + ["b"] * 6, "period": [str(y) for y in
                                                             range(2018, 2024)] * 2,
                       "value": [1, 2, 3, 4, 5, 6, 2, 2, 3, 3, 4, 4]})
    path = tg.models.Drift().fit(df, keys=["id"]).save(tmp_path / "drift")
    with TestClient(create_app(path)) as test_client:
        rows = test_client.post("/predict", json={"horizon": 2, "cells": [{"id": "b"}]}).json()
        assert [r["mean"] for r in rows["rows"]] == pytest.approx([4.4, 4.8])
        reply = test_client.post("/plan", json={"budget": 1, "cost_per_trainee": 1})
        assert reply.status_code == 409 and "gap model" in json.dumps(reply.json()["detail"])


def test_bad_artifact_fails_at_create_app(tmp_path):
    with pytest.raises(ArtifactError):
        create_app(tmp_path / "absent")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_talentgap_serve_answers_on_loopback(model_dir):
    port = _free_port()
    # plans solved in this process: no worker process to start and stop (the serve command
    # with plan workers is tested in test_plan_workers.py)
    server = subprocess.Popen([sys.executable, "-m", "talentgap", "serve", "--model",
                               str(model_dir), "--port", str(port), "--plan-workers", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline, reply = time.monotonic() + 60, None
        while time.monotonic() < deadline and reply is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health",
                                            timeout=2) as answer:
                    reply = json.loads(answer.read())
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.3)
        assert reply is not None, server.stderr.read().decode() if server.poll() else "timeout"
        assert reply["estimator"] == "GapForecaster"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_with_a_bad_model_dir_is_exit_2(tmp_path, capsys):
    from talentgap.cli import main

    assert main(["serve", "--model", str(tmp_path / "absent")]) == 2
    assert "absent" in capsys.readouterr().err


def test_predict_explains_each_returned_cell(client, gap_model):
    wanted = [cell(gap_model, 1), cell(gap_model, 4)]
    body = client.post("/predict", json={"horizon": 2, "cells": wanted}).json()
    why = body["explanations"]
    assert [{"region": w["region"], "industry": w["industry"]} for w in why] == wanted
    want = gap_model.explain(2).astype({"region": str, "industry": str})
    want = want.set_index(["region", "industry"])
    for entry in why:
        row = want.loc[(entry["region"], entry["industry"])]
        assert entry["demand_model"] == row["demand_model"]
        assert entry["supply_model"] == row["supply_model"]
        assert entry["demand_n_obs"] == row["demand_n_obs"] > 0
        assert entry["flags"] == row["flags"]
        assert (entry["fallback_reason"] is None) == pd.isna(row["fallback_reason"])


def test_level_given_as_a_fraction_is_422_with_the_percentage(client):
    reply = client.post("/predict", json={"level": [0.8]})
    assert reply.status_code == 422
    assert "use 80" in json.dumps(reply.json()["detail"])


def test_forecaster_predictions_carry_no_explanations(tmp_path):
    df = pd.DataFrame({"id": ["a"] * 6, "period": [str(y) for y in range(2018, 2024)],
                       "value": [1, 2, 3, 4, 5, 6]})
    path = tg.models.Drift().fit(df, keys=["id"]).save(tmp_path / "drift")
    app = create_app(path, settings=ServiceSettings(plan_workers=0))  # no plan is asked for
    with TestClient(app) as test_client:
        body = test_client.post("/predict", json={"horizon": 1}).json()
        assert body["explanations"] is None and len(body["rows"]) == 1
