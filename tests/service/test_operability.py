"""Access-log lines, and reloading the served model (SIGHUP) without dropping requests."""

from __future__ import annotations

import json
import logging
import signal
import threading
import urllib.request

import pytest

import talentgap as tg
from talentgap.errors import ArtifactError, ConfigError

pytest.importorskip("fastapi", reason="the service extra is not installed")
pytest.importorskip("uvicorn", reason="the service extra is not installed")
from _server import LoopbackServer
from fastapi import FastAPI
from fastapi.testclient import TestClient

from talentgap.cli.serve import _reload_on_sighup
from talentgap.editions import EditionStore
from talentgap.service import ServiceSettings, create_app, reload_model
from talentgap.service.middleware import ACCESS_LOGGER

PATIENCE = 60.0


def _lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == ACCESS_LOGGER]


def test_one_access_line_per_request_with_its_fields(model_dir, caplog):
    client = TestClient(create_app(model_dir, settings=ServiceSettings(max_body_bytes=500)))
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        assert client.get("/health?secret=1").status_code == 200
        assert client.post("/v1/gap", json={"horizon": 0}).status_code == 422
        assert client.post("/v1/gap", content=b"x" * 501,
                           headers={"content-type": "application/json"}).status_code == 413
    lines = _lines(caplog)
    assert [(r.method, r.path, r.status) for r in lines] == [
        ("GET", "/health", 200), ("POST", "/v1/gap", 422), ("POST", "/v1/gap", 413)]
    assert all(r.levelno == logging.INFO and r.client == "testclient" for r in lines)
    assert all(isinstance(r.duration_ms, float) and r.duration_ms >= 0 for r in lines)
    message = lines[1].getMessage()
    assert message.startswith("method=POST path=/v1/gap status=422 duration_ms=")
    assert " client=testclient request_id=" in message
    assert message.endswith(f" request_id={lines[1].request_id}")
    assert "secret" not in lines[0].getMessage()


def test_the_access_log_level_is_configurable_and_can_be_off(model_dir, caplog):
    debug = TestClient(create_app(model_dir,
                                  settings=ServiceSettings(access_log_level="DEBUG")))
    off = TestClient(create_app(model_dir, settings=ServiceSettings(access_log_level="OFF")))
    with caplog.at_level(logging.DEBUG, logger=ACCESS_LOGGER):
        debug.get("/ready")
        off.get("/ready")
    assert [(r.levelno, r.path) for r in _lines(caplog)] == [(logging.DEBUG, "/ready")]
    with pytest.raises(ConfigError, match="access_log_level == 'loud'"):
        ServiceSettings(access_log_level="loud")


def _post(url: str, body: dict) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=PATIENCE) as answer:
        answer.read()
        return answer.status


@pytest.fixture
def own_dir(gap_model, tmp_path):
    return gap_model.save(tmp_path / "model")


def _drift_model(gap_model):
    data = tg.datasets.make_synthetic(n_regions=2, industries=3, n_periods=16, seed=2)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    return tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=50).fit(panel)


def test_reload_switches_models_while_requests_keep_being_answered(gap_model, own_dir):
    app = create_app(own_dir)
    other = _drift_model(gap_model)
    statuses, stop = [], threading.Event()
    with LoopbackServer(app) as server:
        def keep_asking():
            while not stop.is_set():
                statuses.append(_post(server.url + "/v1/gap", {"horizon": 2}))

        asking = threading.Thread(target=keep_asking)
        asking.start()
        try:
            labels = []
            for model in (other, gap_model, other):
                model.save(own_dir)
                labels.append(reload_model(app).model_labels["demand"])
        finally:
            stop.set()
            asking.join(PATIENCE)
        info = json.loads(urllib.request.urlopen(server.url + "/v1/model").read())
    assert labels == ["Drift", "Naive", "Drift"]
    assert info["models"]["demand"] == "Drift"
    assert statuses and set(statuses) == {200}


def test_a_failed_reload_keeps_serving_the_old_model(own_dir):
    app = create_app(own_dir)
    before = app.state.served
    state = own_dir / "state.json"
    state.write_bytes(state.read_bytes().replace(b"{", b"{ ", 1))
    with pytest.raises(ArtifactError, match="sha256 mismatch"):
        reload_model(app)
    assert app.state.served is before
    assert TestClient(app).post("/v1/gap", json={"horizon": 1}).status_code == 200


def test_reload_serves_the_latest_edition_of_a_store(gap_model, tmp_path):
    store = EditionStore(tmp_path / "editions.db")
    forecast = gap_model.predict(2, level=[80])
    store.add("2022-q4-a", gap_model, forecast, created="2023-01-05T00:00:00Z")
    app = create_app(store=tmp_path / "editions.db")
    store.add("2022-q4-b", gap_model, forecast, created="2023-01-09T00:00:00Z")
    assert app.state.served.edition == "2022-q4-a"
    assert reload_model(app).edition == "2022-q4-b"
    assert TestClient(app).get("/ready").json()["edition"] == "2022-q4-b"


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this system")
def test_sighup_reloads_the_model(gap_model, own_dir):
    app = create_app(own_dir)
    before = app.state.served
    _drift_model(gap_model).save(own_dir)
    previous = signal.getsignal(signal.SIGHUP)
    try:
        _reload_on_sighup(app)
        signal.raise_signal(signal.SIGHUP)
        for thread in [t for t in threading.enumerate() if t.name == "talentgap-reload"]:
            thread.join(PATIENCE)
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert app.state.served is not before
    assert app.state.served.model_labels["demand"] == "Drift"


def test_a_mounted_app_logs_its_requests(model_dir, caplog):
    outer = FastAPI()
    outer.mount("/talentgap", create_app(model_dir))
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        assert TestClient(outer).get("/talentgap/health").status_code == 200
    assert [r.path for r in _lines(caplog)] == ["/talentgap/health"]
