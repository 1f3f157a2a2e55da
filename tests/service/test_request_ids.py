"""Every answer names its request (X-Request-ID); a failure is logged once under that id."""

from __future__ import annotations

import logging
import re
import traceback

import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")
from _slow_plans import solve_badly
from fastapi.testclient import TestClient

from talentgap.service import ServiceSettings, create_app
from talentgap.service.middleware import ACCESS_LOGGER

PLAN = {"budget": 20_000, "cost_per_trainee": 500, "pass_rate": 0.8, "horizon": 3}
MADE = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(scope="module")
def app(model_dir):
    return create_app(model_dir, settings=ServiceSettings(max_body_bytes=500,
                                                          token="secret-token"))


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app, headers={"Authorization": "Bearer secret-token"})


def _failing_app(model_dir, monkeypatch):
    app = create_app(model_dir)

    def boom(*args, **kwargs):
        raise RuntimeError("internal detail /secret/path")

    monkeypatch.setattr(app.state.served.gap_answers, "answer", boom)
    return app


def test_a_clients_id_is_echoed_and_one_is_made_when_absent_or_unusable(client):
    assert client.get("/v1/model", headers={"X-Request-ID": "job-42.7"}
                      ).headers["X-Request-ID"] == "job-42.7"
    made = [client.get("/v1/model").headers["X-Request-ID"] for _ in range(2)]
    assert all(MADE.fullmatch(name) for name in made) and made[0] != made[1]
    for unusable in ("x" * 129, "two words", "a\tb"):
        echoed = client.get("/v1/model", headers={"X-Request-ID": unusable})
        assert MADE.fullmatch(echoed.headers["X-Request-ID"]), unusable


def test_every_kind_of_answer_carries_the_id(app, client):
    anonymous = TestClient(app)
    answers = {
        200: client.get("/health", headers={"X-Request-ID": "r200"}),
        401: anonymous.get("/v1/model", headers={"X-Request-ID": "r401"}),
        404: client.get("/v1/nowhere", headers={"X-Request-ID": "r404"}),
        413: client.post("/v1/gap", content=b"x" * 501, headers={
            "X-Request-ID": "r413", "content-type": "application/json"}),
        415: client.post("/v1/gap", content=b"\x1f\x8b", headers={
            "X-Request-ID": "r415", "content-type": "application/json",
            "content-encoding": "gzip"}),
        422: client.post("/v1/gap", json={"horizon": 0}, headers={"X-Request-ID": "r422"}),
    }
    for status, reply in answers.items():
        assert reply.status_code == status, reply.text
        assert reply.headers["X-Request-ID"] == f"r{status}"


def test_the_access_line_names_the_request(client, caplog):
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        client.post("/v1/gap", json={"horizon": 0}, headers={"X-Request-ID": "trace-9"})
    [line] = [r for r in caplog.records if r.name == ACCESS_LOGGER]
    assert line.request_id == "trace-9"
    assert line.getMessage().endswith(" request_id=trace-9")


def test_a_500_quotes_the_id_and_the_traceback_is_logged_once_under_it(model_dir,
                                                                      monkeypatch, caplog):
    app = _failing_app(model_dir, monkeypatch)
    # the access logger's own level too: a serve command run earlier in the process may set it
    with caplog.at_level(logging.INFO), caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        # raise_server_exceptions=True: the failure is answered, not raised on to the server
        reply = TestClient(app).post("/v1/gap", json={}, headers={"X-Request-ID": "abc-123"})
    assert reply.status_code == 500
    assert reply.headers["X-Request-ID"] == "abc-123"
    assert reply.headers["X-Model-Fingerprint"] == app.state.served.fingerprint
    [item] = reply.json()["detail"]
    assert item["type"] == "internal_error" and "abc-123" in item["msg"]
    assert "secret" not in reply.text
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 1 and failures[0].exc_info is not None
    assert "abc-123" in failures[0].getMessage() and "/v1/gap" in failures[0].getMessage()
    [line] = [r for r in caplog.records if r.name == ACCESS_LOGGER]
    assert (line.status, line.request_id) == (500, "abc-123")


def test_a_500_seen_from_a_browser_carries_the_cors_headers(model_dir, monkeypatch):
    app = create_app(model_dir, settings=ServiceSettings(cors_origins=("https://a.example",)))
    monkeypatch.setattr(app.state.served.gap_answers, "answer",
                        lambda *a, **k: 1 / 0)
    reply = TestClient(app).post("/v1/gap", json={}, headers={"Origin": "https://a.example"})
    assert reply.status_code == 500
    assert reply.headers["access-control-allow-origin"] == "https://a.example"
    assert "X-Request-ID" in reply.headers["access-control-expose-headers"]


def test_a_failure_in_a_plan_worker_is_logged_with_the_workers_frames(model_dir,
                                                                      monkeypatch, caplog):
    app = create_app(model_dir, settings=ServiceSettings(plan_workers=1))
    with TestClient(app) as client, caplog.at_level(logging.ERROR, "talentgap.service"):
        monkeypatch.setattr("talentgap.service.plan_workers._solve", solve_badly)
        reply = client.post("/v1/plan", json=PLAN, headers={"X-Request-ID": "plan-1"})
    assert reply.status_code == 500 and "plan-1" in reply.json()["detail"][0]["msg"]
    [failure] = [r for r in caplog.records if r.exc_info]
    text = "".join(traceback.format_exception(failure.exc_info[1]))
    assert "in _inner_failure" in text and "in solve_badly" in text  # the worker's frames
    assert "in call" in text and "in solve" in text  # and the serving process's
    assert "a failure deep in the plan worker" in text
