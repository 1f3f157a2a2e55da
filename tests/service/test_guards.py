"""Token, rate limit and bounds: what the service refuses, and how."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.errors import ConfigError
from talentgap.service import ServiceSettings, create_app
from talentgap.service.security import RateLimiter

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def guarded(model_dir):
    return TestClient(create_app(model_dir, settings=ServiceSettings(token=TOKEN)))


@pytest.fixture(scope="module")
def bounded(model_dir):
    settings = ServiceSettings(max_body_bytes=2_000, max_cells=2, max_horizon=6)
    return TestClient(create_app(model_dir, settings=settings))


def _auth(token: str = TOKEN) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(("method", "path", "body"), [
    ("get", "/v1/model", None), ("post", "/v1/gap", {"horizon": 1}),
    ("post", "/v1/plan", {"budget": 10, "cost_per_trainee": 1}),
    ("post", "/v1/forecast", {}), ("post", "/predict", {}), ("get", "/model", None)])
def test_without_the_token_every_call_is_401(guarded, method, path, body):
    kwargs = {} if body is None else {"json": body}
    for headers in ({}, _auth("wrong"), {"Authorization": TOKEN}):
        reply = getattr(guarded, method)(path, headers=headers, **kwargs)
        assert reply.status_code == 401, (path, headers)
        assert reply.headers["WWW-Authenticate"] == "Bearer"
        assert reply.json()["detail"][0]["type"] == "unauthorized"
    assert getattr(guarded, method)(path, headers=_auth(), **kwargs).status_code in (200, 409)


def test_health_ready_and_docs_stay_open(guarded):
    for path in ("/health", "/ready", "/docs", "/openapi.json"):
        assert guarded.get(path).status_code == 200, path


def test_the_token_comes_from_the_environment(model_dir, monkeypatch):
    monkeypatch.setenv("TALENTGAP_API_TOKEN", "from-env")
    client = TestClient(create_app(model_dir))
    assert client.get("/v1/model").status_code == 401
    assert client.get("/v1/model", headers=_auth("from-env")).status_code == 200


def test_rate_limit_is_429_with_retry_after(model_dir):
    client = TestClient(create_app(model_dir, settings=ServiceSettings(rate_limit=3)))
    answers = [client.get("/v1/model").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    reply = client.get("/v1/model")
    assert reply.status_code == 429 and int(reply.headers["Retry-After"]) >= 1
    assert reply.json()["detail"][0]["type"] == "rate_limited"
    assert client.get("/health").status_code == 200  # not counted


def test_rate_limiter_window_and_clients():
    limiter = RateLimiter(2, 10.0)
    assert [limiter.check("a", now=t) for t in (0.0, 1.0)] == [0.0, 0.0]
    assert limiter.check("a", now=2.0) == pytest.approx(8.0)
    assert limiter.check("b", now=2.0) == 0.0  # per client
    assert limiter.check("a", now=10.5) == 0.0  # the first request left the window


@pytest.mark.parametrize(("body", "loc"), [
    ({"level": list(range(1, 12))}, ["body", "level"]),
    ({"level": [80, 80.0000001]}, ["body", "level"]),
    ({"level": [100]}, ["body", "level", 0]),
    ({"horizon": 7}, ["body", "horizon"]),
    ({"horizon": True}, ["body", "horizon"]),
])
def test_bounds_are_422_naming_the_field(bounded, body, loc):
    reply = bounded.post("/v1/gap", json=body)
    assert reply.status_code == 422, reply.text
    assert reply.json()["detail"][0]["loc"] == loc


def test_more_cells_than_the_maximum_is_422(bounded, gap_model):
    cells = [{k: str(v) for k, v in row.items()} for _, row in gap_model.cells_.iterrows()]
    reply = bounded.post("/v1/gap", json={"cells": cells[:3]})
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "cells"]
    assert bounded.post("/v1/gap", json={"cells": cells[:2]}).status_code == 200


def test_a_body_over_the_limit_is_413(bounded):
    big = json.dumps({"level": [80], "cells": [{"region": "x" * 3000, "industry": "y"}]})
    reply = bounded.post("/v1/gap", content=big, headers={"content-type": "application/json"})
    assert reply.status_code == 413
    assert reply.json()["detail"][0]["type"] == "too_large"

    def chunks():  # no Content-Length: read up to the limit, then refused
        for _ in range(10):
            yield b" " * 500

    reply = bounded.post("/v1/gap", content=chunks(),
                         headers={"content-type": "application/json"})
    assert reply.status_code == 413


def test_errors_do_not_echo_large_inputs(model_dir):
    client = TestClient(create_app(model_dir))
    name = "Atlantis" * 20_000
    reply = client.post("/v1/gap", json={"cells": [{"region": name, "industry": "x"}]})
    assert reply.status_code == 422
    assert len(reply.content) < 2_000
    reply = client.post("/v1/gap", json={"horizon": "x" * 100_000})
    assert reply.status_code == 422 and len(reply.content) < 2_000


@pytest.mark.parametrize("text", [
    '{"level": [NaN]}', '{"level": [Infinity]}',
    '{"budget": 1000, "cost_per_trainee": -Infinity}',
    '{"budget": 1000, "cost_per_trainee": [{"cell": {"region": "a"}, "value": NaN}]}',
])
def test_non_finite_numbers_are_422(bounded, text):
    path = "/v1/plan" if "budget" in text else "/v1/gap"
    reply = bounded.post(path, content=text, headers={"content-type": "application/json"})
    assert reply.status_code == 422, reply.text
    assert reply.json()["detail"][0]["loc"][0] == "body"


@pytest.mark.parametrize("fields", [{"min_quota": False}, {"cost_per_trainee": 1e300},
                                    {"budget": 1e300}])
def test_plan_refuses_booleans_and_overflowing_numbers(bounded, fields):
    body = {"budget": 1e10, "cost_per_trainee": 100, **fields}
    reply = bounded.post("/v1/plan", json=body)
    assert reply.status_code == 422, reply.text
    assert reply.json()["detail"][0]["loc"][:2] == ["body", next(iter(fields))]


def test_empty_token_is_a_config_error():
    with pytest.raises(ConfigError, match="token"):
        ServiceSettings(token="  ")


def _no_server(monkeypatch, calls: list) -> None:
    """``talentgap serve`` without binding a port or serving: ``calls`` gets (app, config)."""
    import socket

    from talentgap.cli import serve as serve_command

    monkeypatch.setattr(serve_command, "_bind", lambda host, port: socket.socket())
    monkeypatch.setattr(serve_command, "_serve_forever",
                        lambda app, listening, config: calls.append((app, config)))


def test_serve_warns_on_a_public_address_without_a_token(model_dir, monkeypatch, capsys):
    from talentgap.cli import main

    calls = []
    _no_server(monkeypatch, calls)
    monkeypatch.delenv("TALENTGAP_API_TOKEN", raising=False)
    assert main(["serve", "--model", str(model_dir), "--host", "0.0.0.0"]) == 0
    assert calls[0][1].host == "0.0.0.0"
    said = capsys.readouterr().err
    assert "WARNING" in said and "without a token" in said
    assert "GapForecaster" in said and "0.0.0.0:8000/docs" in said


def test_serve_reads_a_token_file_and_stays_quiet_on_loopback(model_dir, tmp_path,
                                                              monkeypatch, capsys):
    from talentgap.cli import main

    calls = []
    _no_server(monkeypatch, calls)
    (tmp_path / "token").write_text(" file-token\n")
    monkeypatch.delenv("TALENTGAP_API_TOKEN", raising=False)
    assert main(["serve", "--model", str(model_dir), "--host", "0.0.0.0",
                 "--token-file", str(tmp_path / "token")]) == 0
    assert main(["serve", "--model", str(model_dir)]) == 0
    said = capsys.readouterr().err
    assert "without a token" not in said and "token required" in said
    client = TestClient(calls[0][0])
    assert client.get("/v1/model", headers=_auth("file-token")).status_code == 200
    assert client.get("/v1/model").status_code == 401


def test_a_plan_over_the_size_limit_is_422_naming_the_limit(model_dir, gap_model):
    # 6 cells x 4 need periods x 200 paths = 4,800 values; the limit lets 3 periods through
    limit = 6 * 3 * 200
    client = TestClient(create_app(model_dir, settings=ServiceSettings(max_plan_size=limit)))
    body = {"budget": 5000, "cost_per_trainee": 100}
    for path in ("/v1/plan", "/plan"):
        for fields, at in (({"periods": ["2023Q1", "2023Q4"], "horizon": 1}, "periods"),
                           ({"periods": ["2023Q1"], "horizon": 4}, "horizon")):
            reply = client.post(path, json={**body, **fields})
            assert reply.status_code == 422, reply.text
            item = reply.json()["detail"][0]
            assert item["type"] == "plan_too_large"
            assert item["loc"] == ["body", at]   # the field that asked for the periods
            assert "max_plan_size = 3,600" in item["msg"] and "4,800 values" in item["msg"]
    assert client.post("/v1/plan", json={**body, "periods": ["2023Q3"],
                                         "horizon": 3}).status_code == 200
    # one period: only the period its places arrive in is read, whatever the horizon
    assert client.post("/v1/plan", json={**body, "horizon": 4}).status_code == 200
    assert client.get("/v1/model").json()["max_plan_size"] == limit


def test_a_single_period_plan_is_sized_by_its_arrival_periods(model_dir):
    client = TestClient(create_app(model_dir, settings=ServiceSettings(max_plan_size=1000)))
    reply = client.post("/v1/plan", json={"budget": 5000, "cost_per_trainee": 100})
    item = reply.json()["detail"][0]   # 6 cells x 1 period x 200 paths
    assert item["type"] == "plan_too_large" and item["loc"] == ["body"]
    assert "6 cells x 1 period x 200 sample paths = 1,200 values" in item["msg"]


def test_the_plan_size_limit_must_be_positive():
    with pytest.raises(ConfigError, match="max_plan_size == 0, must be a whole number >= 1"):
        ServiceSettings(max_plan_size=0)


def test_max_cells_limits_the_rows_a_request_selects(model_dir, gap_model):
    client = TestClient(create_app(model_dir, settings=ServiceSettings(max_cells=4)))
    cells = gap_model.cells_.astype(str)   # 3 industries in each of 2 regions
    regions, industries = cells["region"].unique(), cells["industry"].unique()
    assert client.post("/v1/gap", json={"cells": [{"region": regions[0]}]}).status_code == 200
    assert client.post("/v1/gap", json={"cells": [{"industry": i} for i in industries[:2]]}
                       ).status_code == 200   # 2 entries, 4 cells
    item = client.post("/v1/gap", json={"cells": [{"region": r} for r in regions]}
                       ).json()["detail"][0]
    assert item["loc"] == ["body", "cells"] and item["type"] == "too_long"
    assert "the 2 entries select 6 cells" in item["msg"] and "max_cells = 4" in item["msg"]
    # the whole model is read a page of max_cells at a time (tests/service/test_pages.py)
    page = client.post("/v1/gap", json={"horizon": 1}).json()
    assert page["page"] == {"total": 6, "offset": 0, "limit": 4, "next": 4}
    assert len(page["explanations"]) == 4
    # a plan is bounded by max_plan_size, not max_cells
    assert client.post("/v1/plan", json={"budget": 100, "cost_per_trainee": 10}).status_code \
        == 200
