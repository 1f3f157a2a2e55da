"""/docs and /redoc render in headless Chromium with the network blocked (assets are local)."""

from __future__ import annotations

import subprocess

import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")
pytest.importorskip("uvicorn", reason="the service extra is not installed")

from _browser import find_chromium
from _server import LoopbackServer

from talentgap.service import ServiceSettings, create_app


def _rendered(url: str, tmp_path) -> str:
    browser = find_chromium()
    if browser is None:
        pytest.skip("no headless Chromium on this machine")
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               f"--user-data-dir={tmp_path / 'profile'}",
               # every host name fails to resolve: only the loopback address answers
               "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
               "--virtual-time-budget=15000", "--dump-dom", url]
    done = subprocess.run(command, capture_output=True, timeout=120, check=False)
    return done.stdout.decode(errors="replace")


@pytest.fixture(scope="module")
def server(model_dir):
    """The service on a loopback port, shared by the pages' tests; plans are solved in
    its process (the pages need no plan worker)."""
    with LoopbackServer(create_app(model_dir,
                                   settings=ServiceSettings(plan_workers=0))) as running:
        yield running


def test_swagger_ui_renders_the_operations_offline(server, tmp_path):
    page = _rendered(f"{server.url}/docs", tmp_path)
    assert "swagger-ui" in page
    for path in ("/v1/model", "/v1/gap", "/v1/forecast", "/v1/plan", "/health"):
        assert f'data-path="{path}"' in page, path
    assert "cdn.jsdelivr.net" not in page


def test_redoc_renders_offline(server, tmp_path):
    page = _rendered(f"{server.url}/redoc", tmp_path)
    assert "Forecast the skill gap" in page  # an operation's summary, drawn by ReDoc
    assert "fonts.googleapis.com" not in page
