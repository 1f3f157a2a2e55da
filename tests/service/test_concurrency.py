"""Concurrent requests against a real uvicorn server: no request waits for another.

The server runs in a thread on a loopback socket; clients post from their own
threads with the standard library. Slow calls are made slow with events, not
sleeps, so the tests do not depend on the machine's speed: a request that
cannot proceed while others are held fails the test after a generous timeout
instead of hanging it.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import warnings
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import pytest

import talentgap as tg
from talentgap.errors import warn

pytest.importorskip("fastapi", reason="the service extra is not installed")
uvicorn = pytest.importorskip("uvicorn", reason="the service extra is not installed")

from _server import LoopbackServer  # noqa: E402

from talentgap.service import ServiceSettings, create_app  # noqa: E402

#: Seconds to wait for anything that should happen promptly; reached only on failure.
PATIENCE = 60.0

PLAN = {"budget": 5000, "cost_per_trainee": 100}


class _Server(LoopbackServer):
    """The loopback server of ``_server.py``, with a JSON POST helper."""

    def post(self, path: str, body: dict) -> tuple[int, dict]:
        """POST ``body`` as JSON; the status code and the decoded reply."""
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(), method="POST",
            headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=2 * PATIENCE) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            text = error.read().decode(errors="replace")
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, {"detail": text}


@pytest.fixture(scope="module")
def server(model_dir):
    # plans in the serving process (plan_workers=0), where the tests' patches hold them;
    # test_plan_workers.py covers plans in worker processes
    settings = ServiceSettings.from_env(plan_workers=0)
    with _Server(create_app(model_dir, settings=settings)) as running:
        yield running


@pytest.fixture
def served_model(server):
    """The model instance the server's requests call (to patch its methods)."""
    return server.app.state.served.model


def test_forecast_returns_while_two_plans_are_running(server, monkeypatch):
    allocate = tg.planning.allocate_quotas
    release = threading.Event()
    planning = threading.Semaphore(0)

    def held_allocate(*args, **kwargs):
        planning.release()
        if not release.wait(2 * PATIENCE):
            raise RuntimeError("the test never released the plan")
        return allocate(*args, **kwargs)

    monkeypatch.setattr(tg.planning, "allocate_quotas", held_allocate)
    with ThreadPoolExecutor(3) as pool:
        try:
            plans = [pool.submit(server.post, "/plan", PLAN) for _ in range(2)]
            for _ in plans:
                assert planning.acquire(timeout=PATIENCE), (
                    "the two plans did not reach the planner at the same time: "
                    "plan requests are serialised")
            forecast = pool.submit(server.post, "/predict", {"horizon": 2, "level": [80]})
            try:
                status, body = forecast.result(timeout=PATIENCE)
            except FutureTimeout:
                pytest.fail("the forecast did not return while two plans were running: "
                            "a forecast waits for the plans")
            assert not any(plan.done() for plan in plans), "a plan ended before its release"
        finally:
            release.set()
        answers = [plan.result(timeout=2 * PATIENCE) for plan in plans]
    assert status == 200, body
    assert len(body["rows"]) == 6 * 2
    for plan_status, plan_body in answers:
        assert plan_status == 200, plan_body
        assert plan_body["summary"]["total_cost"] <= PLAN["budget"]


def test_concurrent_requests_get_only_their_own_warnings(server, served_model, monkeypatch):
    """Three requests warn while all three are collecting; each gets its own messages."""
    statistics, allocate = served_model._path_statistics, tg.planning.allocate_quotas
    all_warned = threading.Barrier(3, timeout=PATIENCE)

    def warning_statistics(sim, levels, rows=None, **kwargs):
        # the statistics of the sample paths: what a gap forecast computes per request
        if kwargs.get("means_only"):
            return statistics(sim, levels, rows, **kwargs)
        horizon = sim["demand_mean"].shape[1]
        warn(f"only for the forecast of horizon {horizon}")
        all_warned.wait()
        warn(f"only for the forecast of horizon {horizon}")  # twice: reported once
        return statistics(sim, levels, rows, **kwargs)

    def warning_allocate(*args, **kwargs):
        warn("only for the plan")
        all_warned.wait()
        return allocate(*args, **kwargs)

    monkeypatch.setattr(served_model, "_path_statistics", warning_statistics)
    monkeypatch.setattr(tg.planning, "allocate_quotas", warning_allocate)
    requests = {"forecast 1": ("/predict", {"horizon": 1}),
                "forecast 2": ("/predict", {"horizon": 2}),
                "plan": ("/plan", PLAN)}
    with ThreadPoolExecutor(len(requests)) as pool:
        futures = {name: pool.submit(server.post, *request)
                   for name, request in requests.items()}
        answers = {name: future.result(timeout=2 * PATIENCE)
                   for name, future in futures.items()}
    for name, (status, body) in answers.items():
        assert status == 200, f"{name}: {body}"
    ours = {"forecast 1": "only for the forecast of horizon 1",
            "forecast 2": "only for the forecast of horizon 2",
            "plan": "only for the plan"}
    for name, (_, body) in answers.items():
        seen = [message for message in body["warnings"] if message.startswith("only for")]
        assert seen == [ours[name]], f"{name} got {body['warnings']}"


def test_warnings_of_other_libraries_are_not_taken_into_the_answer(server, served_model,
                                                                   monkeypatch):
    statistics = served_model._path_statistics

    def statistics_with_a_foreign_warning(*args, **kwargs):
        warnings.warn("from another library", UserWarning, stacklevel=1)
        return statistics(*args, **kwargs)

    monkeypatch.setattr(served_model, "_path_statistics", statistics_with_a_foreign_warning)
    with pytest.warns(UserWarning, match="from another library"):
        status, body = server.post("/predict", {"horizon": 1})
    assert status == 200, body
    assert "from another library" not in body["warnings"]
