"""A plan worker that dies: its plan is sent again to the worker that replaces it."""

from __future__ import annotations

import logging
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")
from _slow_plans import HOLD_FOLDER, solve_by_dying, solve_when_released
from fastapi.testclient import TestClient

from talentgap.service import ServiceSettings, create_app
from talentgap.service.plan_workers import PlanWorkers
from talentgap.service.schemas import PlanRequest
from talentgap.service.state import LoadedModel

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="watches the worker processes in /proc (Linux)")

PLAN = {"budget": 20_000, "cost_per_trainee": 500, "pass_rate": 0.8, "horizon": 3}
#: Seconds to wait for something that should happen promptly; reached only on failure.
PATIENCE = 60.0


def _plan(body: dict) -> tuple:
    """The plan itself: the places per cell and the summary."""
    return ([(q["region"], q["industry"], q["quota"]) for q in body["quotas"]],
            body["summary"])


def _gone(pid: int) -> bool:
    """True once process ``pid`` has ended (no process, or a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


def _kill(pids: list[int]) -> None:
    """SIGKILL each process and wait until every one has ended."""
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + PATIENCE
    while not all(_gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert all(_gone(pid) for pid in pids)


def _deaths(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
            and "died before answering a plan" in r.getMessage()]


def test_a_killed_workers_plan_is_answered_and_a_second_death_is_a_json_503(model_dir,
                                                                           caplog,
                                                                           monkeypatch):
    app = create_app(model_dir, settings=ServiceSettings(plan_workers=1))
    with caplog.at_level("WARNING", logger="talentgap.service"), TestClient(app) as client:
        before = client.post("/v1/plan", json=PLAN)
        [dead] = app.state.plans.pids()
        _kill([dead])
        after = client.post("/v1/plan", json=PLAN)  # sent to the dead worker, then again
        [replaced] = app.state.plans.pids()
        once = _deaths(caplog)
        caplog.clear()
        # the worker the plan is sent again to dies as well
        monkeypatch.setattr("talentgap.service.plan_workers._solve", solve_by_dying)
        refused = client.post("/v1/plan", json=PLAN)
        [last] = app.state.plans.pids()
        twice = _deaths(caplog)
    assert before.status_code == 200, before.text
    assert after.status_code == 200, after.text
    assert _plan(after.json()) == _plan(before.json())
    assert replaced != dead
    [death] = once
    assert f"plan worker {dead} died" in death and "killed by SIGKILL" in death
    assert f"worker {replaced} replaces it; the plan is sent to it again" in death
    assert refused.status_code == 503
    assert int(refused.headers["Retry-After"]) >= 1
    [detail] = refused.json()["detail"]
    assert detail["type"] == "plans_busy"
    assert "died before answering (killed by SIGKILL" in detail["msg"]
    assert len(twice) == 2 and all("killed by SIGKILL" in d for d in twice)
    assert f"plan worker {replaced} died" in twice[0]
    assert twice[0].endswith("the plan is sent to it again")
    assert "refused with 503" in twice[1]
    assert last not in (dead, replaced)  # replaced each time: the pool keeps its worker


def test_plans_running_or_waiting_when_the_workers_die_are_all_answered(model_dir, tmp_path,
                                                                      monkeypatch):
    monkeypatch.setenv(HOLD_FOLDER, str(tmp_path))  # before the workers start: they inherit it
    monkeypatch.setattr("talentgap.service.plan_workers._solve", solve_when_released)
    served, body = LoadedModel(model_dir), PlanRequest(**PLAN)
    workers = PlanWorkers(workers=2, queue=2, timeout=PATIENCE)
    try:
        expected = _plan(workers.solve(served, body, max_size=None))  # no hold: solved at once
        for started in tmp_path.glob("started-*"):
            started.unlink()
        (tmp_path / "hold").touch()
        with ThreadPoolExecutor(3) as threads:  # two plans on the two workers, one waiting
            plans = [threads.submit(workers.solve, served, body, max_size=None)
                     for _ in range(3)]
            deadline = time.monotonic() + PATIENCE
            while len(list(tmp_path.glob("started-*"))) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            running = sorted(int(p.name.split("-")[1]) for p in tmp_path.glob("started-*"))
            assert running == workers.pids() and workers.pending == 3
            _kill(running)  # both die in the middle of their plans
            (tmp_path / "hold").unlink()
            answers = [plan.result(timeout=PATIENCE) for plan in plans]
        after = workers.pids()
    finally:
        workers.close()
    assert [_plan(answer) for answer in answers] == [expected] * 3
    assert len(after) == 2 and not set(after) & set(running)
    assert workers.pending == 0
