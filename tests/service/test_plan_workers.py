"""Plans solved in worker processes: same answers, one model edition, bounded, clean exit."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import talentgap as tg

pytest.importorskip("fastapi", reason="the service extra is not installed")
from _slow_plans import solve_slowly
from fastapi.testclient import TestClient

from talentgap.service import ServiceSettings, create_app, reload_model
from talentgap.service.errors import ServiceError
from talentgap.service.plan_workers import PlanWorkers
from talentgap.service.schemas import PlanRequest
from talentgap.service.state import LoadedModel

PLAN = {"budget": 20_000, "cost_per_trainee": 500, "pass_rate": 0.8, "horizon": 3}
#: Seconds to wait for something that should happen promptly; reached only on failure.
PATIENCE = 60.0


def _quotas(body: dict) -> list[tuple]:
    """Per cell: the places and the expected gap before them (which differs by model)."""
    return [(q["region"], q["industry"], q["quota"], round(q["gap_before"], 9))
            for q in body["quotas"]]


@pytest.fixture(scope="module")
def in_process(model_dir):
    """The plan answered in the test's process (no lifespan: no workers)."""
    reply = TestClient(create_app(model_dir)).post("/v1/plan", json=PLAN)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_a_plan_is_solved_in_a_worker_process_with_the_same_answer(model_dir, in_process,
                                                                    monkeypatch):
    def not_here(*args, **kwargs):
        raise AssertionError("the plan was solved in the serving process")

    # the serving process's references; a worker process imports its own
    monkeypatch.setattr("talentgap.service.routers._common.run_plan", not_here)
    monkeypatch.setattr("talentgap.service.plan_workers.run_plan", not_here)
    app = create_app(model_dir, settings=ServiceSettings(plan_workers=1))
    with TestClient(app) as client:
        reply = client.post("/v1/plan", json=PLAN)
        workers = app.state.plans.pids()
        legacy = client.post("/plan", json=PLAN)
    assert reply.status_code == 200, reply.text
    assert workers and os.getpid() not in workers
    assert _quotas(reply.json()) == _quotas(in_process)
    assert reply.json()["summary"] == in_process["summary"]
    assert legacy.status_code == 200 and _quotas(legacy.json()) == _quotas(in_process)
    assert app.state.plans is None  # closed with the lifespan
    for pid in workers:
        assert not _alive(pid), f"plan worker {pid} outlived the app"


@pytest.fixture(scope="module")
def one_worker(model_dir):
    """A running app whose plans are solved in one worker process, none may wait: shared
    by the tests that only send plans and read the answers (the tests that stop, kill or
    time out a worker start their own)."""
    app = create_app(model_dir, settings=ServiceSettings(plan_workers=1, plan_queue=0))
    with TestClient(app) as client:
        yield app, client


def test_a_refused_plan_keeps_its_status_and_field(one_worker):
    app, client = one_worker
    early = client.post("/v1/plan", json={**PLAN, "periods": ["2020Q1"]})
    workers = app.state.plans.pids()
    assert workers, "no plan worker process was running"
    assert early.status_code == 422, early.text
    assert early.json()["detail"][0]["loc"] == ["body", "periods"]
    assert "not after the model's origin" in early.json()["detail"][0]["msg"]


def test_a_plan_over_the_queue_is_refused_with_503_and_retry_after(one_worker):
    app, client = one_worker
    assert app.state.plans.pending == 0
    app.state.plans._pending = 1  # one plan being solved, none may wait
    try:
        busy = client.post("/v1/plan", json=PLAN)
    finally:
        app.state.plans._pending = 0
    free = client.post("/v1/plan", json=PLAN)
    assert busy.status_code == 503
    assert int(busy.headers["Retry-After"]) >= 1
    assert busy.json()["detail"][0]["type"] == "plans_busy"
    assert free.status_code == 200
    documented = app.openapi()["paths"]["/v1/plan"]["post"]["responses"]
    assert "503" in documented


@pytest.fixture(scope="module")
def drift():
    """Another gap model of the same cells (drift forecasts): another edition."""
    data = tg.datasets.make_synthetic(n_regions=2, industries=3, n_periods=16, seed=2)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    return tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=200).fit(panel)


def test_a_plan_uses_the_served_edition_until_the_reload(tmp_path, model_dir, drift):
    path = tg.load(model_dir).save(tmp_path / "gap")
    expected_now = TestClient(create_app(path)).post("/v1/plan", json=PLAN).json()
    app = create_app(path, settings=ServiceSettings(plan_workers=1))
    with TestClient(app) as client:
        assert client.post("/v1/plan", json=PLAN).status_code == 200  # the worker holds it
        drift.save(path)  # saved over, not reloaded yet: plans keep the served edition
        before = client.post("/v1/plan", json=PLAN).json()
        reload_model(app)
        after = client.post("/v1/plan", json=PLAN).json()
    expected_next = TestClient(create_app(path)).post("/v1/plan", json=PLAN).json()
    assert _quotas(before) == _quotas(expected_now)
    assert _quotas(after) == _quotas(expected_next)
    assert _quotas(after) != _quotas(before)


def test_a_worker_never_solves_with_an_edition_the_server_does_not_serve(tmp_path, model_dir,
                                                                         drift, caplog):
    path = tg.load(model_dir).save(tmp_path / "gap")
    served = TestClient(create_app(path)).post("/v1/plan", json=PLAN).json()
    app = create_app(path, settings=ServiceSettings(plan_workers=1))
    drift.save(path)  # before the workers start: they can only load the newer edition
    with caplog.at_level("INFO", logger="talentgap.service"), TestClient(app) as client:
        reply = client.post("/v1/plan", json=PLAN)
    assert reply.status_code == 200, reply.text
    assert _quotas(reply.json()) == _quotas(served)
    assert "solved in the serving process" in caplog.text


def test_close_stops_a_worker_that_is_still_busy(model_dir, monkeypatch):
    workers = PlanWorkers(workers=1, queue=0, timeout=PATIENCE)
    monkeypatch.setattr("talentgap.service.plan_workers._solve", solve_slowly)  # would not end
    with ThreadPoolExecutor(1) as threads:
        busy = threads.submit(workers.solve, LoadedModel(model_dir), PlanRequest(**PLAN),
                              max_size=None)
        deadline = time.monotonic() + PATIENCE
        while workers.pending < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        started = workers.pids()
        start = time.monotonic()
        workers.close(patience=0.5)
        assert started and time.monotonic() - start < PATIENCE / 2
        assert not any(_alive(pid) for pid in started)
        refused = busy.exception(timeout=PATIENCE)  # refused, not hanging
    assert isinstance(refused, ServiceError) and refused.status == 503


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> set[int]:
    """Every live descendant of process ``pid`` (from /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return {child for child in found if _alive(child)}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _post(url: str, body: dict) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=PATIENCE) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_sigterm_stops_the_server_and_its_plan_workers(model_dir):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "talentgap", "serve", "--model",
                               str(model_dir), "--port", str(port), "--plan-workers", "1",
                               "--access-log", "off"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline, status = time.monotonic() + PATIENCE, None
        while time.monotonic() < deadline and status != 200 and server.poll() is None:
            try:
                status = _post(f"http://127.0.0.1:{port}/v1/plan", PLAN)
            except OSError:
                time.sleep(0.3)
        assert status == 200, server.stderr.read().decode() if server.poll() else status
        workers = _children(server.pid)
        assert workers, "no plan worker process was started"
        server.send_signal(signal.SIGTERM)
        # uvicorn shuts down (the lifespan closes the workers), then exits by the signal
        assert server.wait(timeout=PATIENCE) in (0, -signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers), "a plan worker outlived the server"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
