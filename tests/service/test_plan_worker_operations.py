"""The plan workers in operation: readiness, model loads, unloadable editions and shutdown."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from pathlib import Path

import pytest

import talentgap as tg

pytest.importorskip("fastapi", reason="the service extra is not installed")
from _slow_plans import LONG_LOAD, preload_long, preload_slowly, solve_slowly
from fastapi.testclient import TestClient

from talentgap.service import ServiceSettings, create_app
from talentgap.service.errors import ServiceError
from talentgap.service.middleware import Failures
from talentgap.service.plan_workers import PlanWorkers
from talentgap.service.schemas import PlanRequest
from talentgap.service.state import LoadedModel

PLAN = {"budget": 20_000, "cost_per_trainee": 500, "pass_rate": 0.8, "horizon": 3}
#: Seconds to wait for something that should happen promptly; reached only on failure.
PATIENCE = 60.0
#: A plan timeout shorter than the long model load of ``preload_long``.
SHORT = LONG_LOAD / 3


def _quotas(body: dict) -> list[tuple]:
    return [(q["region"], q["industry"], q["quota"]) for q in body["quotas"]]


def _unusable_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
            and "cannot load the served model" in r.getMessage()]


def test_ready_is_503_until_the_plan_workers_have_loaded_the_model(model_dir, monkeypatch):
    app = create_app(model_dir, settings=ServiceSettings(plan_workers=1))
    with monkeypatch.context() as patch:
        patch.setattr("talentgap.service.plan_workers._preload", preload_slowly)
        with TestClient(app) as client:
            loading = client.get("/ready")
    assert loading.status_code == 503
    assert loading.json()["detail"][0]["type"] == "not_ready"
    assert "still loading the model" in loading.json()["detail"][0]["msg"]
    assert int(loading.headers["Retry-After"]) >= 1
    app = create_app(model_dir, settings=ServiceSettings(plan_workers=1))
    with TestClient(app) as client:
        deadline = time.monotonic() + PATIENCE
        while client.get("/ready").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        ready = client.get("/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_ready_needs_no_workers_in_process(model_dir):
    with TestClient(create_app(model_dir, settings=ServiceSettings(plan_workers=0))) as client:
        assert client.get("/ready").status_code == 200


def test_a_model_load_is_not_counted_in_the_plan_timeout(model_dir, monkeypatch):
    monkeypatch.setattr("talentgap.service.plan_workers._preload", preload_long)
    served = LoadedModel(model_dir)
    workers = PlanWorkers(workers=1, queue=0, timeout=SHORT)
    try:
        workers.preload(served)
        [pid] = workers.pids()
        answer = workers.solve(served, PlanRequest(**PLAN), max_size=None)
        after = workers.pids()
    finally:
        workers.close()
    assert answer["quotas"]
    assert after == [pid]  # not stopped for overrunning while it loaded the model


def _damage(path: Path) -> None:
    with (path / "state.json").open("a") as state:
        state.write("garbage")


def test_a_damaged_artifact_is_served_from_the_loaded_model(tmp_path, model_dir, caplog):
    path = tg.load(model_dir).save(tmp_path / "gap")
    app = create_app(path, settings=ServiceSettings(plan_workers=1))
    with caplog.at_level("WARNING", logger="talentgap.service"), TestClient(app) as client:
        before = client.post("/v1/plan", json=PLAN)
        _damage(path)  # a save over it that died half-way
        [worker] = app.state.plans.pids()
        os.kill(worker, signal.SIGKILL)  # its replacement cannot load the artifact
        # the first is sent again to the worker that replaces the dead one, which cannot
        # load the artifact: it and the next are solved here, with the loaded model
        after = [client.post("/v1/plan", json=PLAN) for _ in range(3)]
    assert before.status_code == 200, before.text
    assert [a.status_code for a in after] == [200, 200, 200], after[0].text
    assert all(_quotas(a.json()) == _quotas(before.json()) for a in after)
    warned = _unusable_warnings(caplog)
    assert len(warned) == 1 and "sha256 mismatch" in warned[0]


def test_an_edition_saved_over_is_tried_once_then_solved_here(tmp_path, model_dir, caplog):
    path = tg.load(model_dir).save(tmp_path / "gap")
    app = create_app(path, settings=ServiceSettings(plan_workers=1))
    drift = tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=50).fit(
        tg.features.build_panel(*_tables(), lead_time=1))
    drift.save(path)  # before the workers start: they can only load another edition
    with caplog.at_level("WARNING", logger="talentgap.service"), TestClient(app) as client:
        answers = [client.post("/v1/plan", json=PLAN) for _ in range(3)]
        plans = app.state.plans
        unusable = dict(plans._unusable)
    expected = TestClient(create_app(model_dir)).post("/v1/plan", json=PLAN).json()
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all(_quotas(a.json()) == _quotas(expected) for a in answers)
    assert list(unusable) == [app.state.served.signature]
    assert len(_unusable_warnings(caplog)) == 1


def _tables():
    data = tg.datasets.make_synthetic(n_regions=2, industries=3, n_periods=16, seed=2)
    return data.surveys, data.training


def test_a_plan_solved_here_is_bounded_by_the_plan_timeout(model_dir, monkeypatch):
    release = threading.Event()

    def stuck(*args, **kwargs):
        release.wait(PATIENCE)
        return {}

    monkeypatch.setattr("talentgap.service.plan_workers.run_plan", stuck)
    served = LoadedModel(model_dir)
    workers = PlanWorkers(workers=1, queue=1, timeout=SHORT)
    try:
        workers._mark_unusable(served.signature, "damaged")
        with pytest.raises(ServiceError, match="did not finish within") as refused:
            workers.solve(served, PlanRequest(**PLAN), max_size=None)
        still_running = workers.pending  # the thread holds its place until it ends
        release.set()
        deadline = time.monotonic() + PATIENCE
        while workers.pending and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        release.set()
        workers.close()
    assert refused.value.status == 503 and refused.value.kind == "plans_busy"
    assert still_running == 1 and workers.pending == 0


def test_close_without_waiting_refuses_new_plans_at_once(model_dir, monkeypatch):
    monkeypatch.setattr("talentgap.service.plan_workers._solve", solve_slowly)
    served = LoadedModel(model_dir)
    workers = PlanWorkers(workers=1, queue=2, timeout=PATIENCE)
    started = workers.pids()
    workers.close(patience=0.2, wait=False)
    with pytest.raises(ServiceError, match="shutting down") as refused:
        workers.solve(served, PlanRequest(**PLAN), max_size=None)
    workers.close()  # waits for the shutdown begun above
    assert refused.value.status == 503 and "Retry-After" in refused.value.headers
    assert started and workers.pids() == []


def test_a_request_cancelled_at_shutdown_is_a_json_503():
    async def cancelled(scope, receive, send):
        raise asyncio.CancelledError("Task cancelled, timeout graceful shutdown exceeded")

    client = TestClient(Failures(cancelled))
    reply = client.get("/v1/plan")
    assert reply.status_code == 503
    assert reply.json()["detail"][0]["type"] == "shutting_down"
    assert reply.headers["Retry-After"] == "1"
