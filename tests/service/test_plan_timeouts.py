"""A plan over its timeout is stopped with its worker; the pool keeps its size and serves on."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")
from _slow_plans import solve_slowly
from fastapi.testclient import TestClient

from talentgap.service import ServiceSettings, create_app
from talentgap.service.errors import ServiceError
from talentgap.service.plan_workers import PlanWorkers
from talentgap.service.schemas import PlanRequest
from talentgap.service.state import LoadedModel

PLAN = {"budget": 20_000, "cost_per_trainee": 500, "pass_rate": 0.8, "horizon": 3}
#: Seconds to wait for something that should happen promptly; reached only on failure.
PATIENCE = 60.0
#: The plan timeout the slow plan runs into.
SHORT = 1.0


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_until_gone(pid: int) -> bool:
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    return not _alive(pid)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_plan_over_its_timeout_is_stopped_and_the_next_plan_is_served(model_dir,
                                                                       monkeypatch):
    settings = ServiceSettings(plan_workers=1, plan_timeout=SHORT)
    app = create_app(model_dir, settings=settings)
    with TestClient(app) as client:
        plans = app.state.plans
        [first] = plans.pids()
        with monkeypatch.context() as patch:
            patch.setattr("talentgap.service.plan_workers._solve", solve_slowly)
            late = client.post("/v1/plan", json=PLAN)
        plans.timeout = PATIENCE  # the next plan may take as long as it needs
        # without the stop it would wait an hour for the only worker and be refused
        served = client.post("/v1/plan", json=PLAN)
        after = plans.pids()
    assert late.status_code == 503, late.text
    assert late.json()["detail"][0]["type"] == "plans_busy"
    assert f"did not finish within {SHORT:g} seconds" in late.json()["detail"][0]["msg"]
    assert int(late.headers["Retry-After"]) >= 1
    assert served.status_code == 200, served.text
    assert len(after) == 1 and first not in after  # one worker, a new one
    assert _wait_until_gone(first), "the worker of the late plan is still running"


def test_only_the_late_plans_worker_is_replaced(model_dir, monkeypatch):
    served = LoadedModel(model_dir)
    body = PlanRequest(**PLAN)
    workers = PlanWorkers(workers=2, queue=0, timeout=PATIENCE)
    try:
        assert workers.solve(served, body, max_size=None)["quotas"]
        before = workers.pids()
        workers.timeout = SHORT
        with monkeypatch.context() as patch:
            patch.setattr("talentgap.service.plan_workers._solve", solve_slowly)
            with pytest.raises(ServiceError, match="did not finish within") as refused:
                workers.solve(served, body, max_size=None)
        workers.timeout = PATIENCE
        after = workers.pids()
        # every worker, old and new, still solves plans
        answers = [workers.solve(served, body, max_size=None) for _ in range(3)]
    finally:
        workers.close()
    assert refused.value.status == 503 and workers.pending == 0
    assert len(before) == len(after) == 2
    assert len(set(before) & set(after)) == 1  # the idle worker kept running
    assert all(a["quotas"] == answers[0]["quotas"] for a in answers)
    assert workers.pids() == []


def test_close_refuses_a_plan_waiting_for_a_worker(model_dir, monkeypatch):
    served = LoadedModel(model_dir)
    body = PlanRequest(**PLAN)
    workers = PlanWorkers(workers=1, queue=1, timeout=PATIENCE)
    monkeypatch.setattr("talentgap.service.plan_workers._solve", solve_slowly)
    with ThreadPoolExecutor(2) as threads:
        running = threads.submit(workers.solve, served, body, max_size=None)
        deadline = time.monotonic() + PATIENCE
        while workers.pending < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        waiting = threads.submit(workers.solve, served, body, max_size=None)
        while workers.pending < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        start = time.monotonic()
        workers.close(patience=0.2)
        errors = [f.exception(timeout=PATIENCE) for f in (running, waiting)]
    assert time.monotonic() - start < PATIENCE / 2
    assert all(isinstance(e, ServiceError) and e.status == 503 for e in errors)
    assert all("shutting down" in e.msg for e in errors)
    assert workers.pids() == [] and workers.pending == 0
