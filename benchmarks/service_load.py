"""Throughput of the prediction service on loopback: /health, /v1/gap, /v1/forecast.

A real uvicorn server (one process, in a thread of this one) serves a gap
model and a forecaster artifact (two servers, same run); 8 client threads,
each with one keep-alive connection, send a bounded number of requests per
endpoint, and the script reports requests/s, p50 and p99 latency and the
errors. The last row repeats /v1/gap while another client keeps a plan
request in flight (one after the other), to show what a plan costs the
gap requests' latency. Plans are solved in ``--plan-workers`` worker
processes (default 1, as ``talentgap serve``); ``--plan-workers 0`` solves
them in the serving process, for comparison. Loopback only (127.0.0.1);
nothing else on the network.

Server RSS flat: the resident memory (``VmRSS`` of ``/proc/<pid>/status``) of
the process serving both apps is read after a short warm-up of every
endpoint (so the first requests' one-off allocations are not counted), after
each endpoint's load (column ``rss_mb``), and at the end; the growth from
the warm-up to the end is printed and written with the table. The clients
run as threads of the same process and hold no state between requests.

Usage::

    python benchmarks/service_load.py                   # 8 clients x 250 requests
    python benchmarks/service_load.py --plan-workers 0  # plans in the serving process
    python benchmarks/service_load.py --requests 2000 --write   # RESULTS.md
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import uvicorn

import talentgap as tg
from talentgap.service import ServiceSettings, create_app

try:
    from benchmarks._results import machine, write_section
except ModuleNotFoundError:  # run as a script from anywhere
    sys.path.insert(0, str(Path(__file__).parent))
    from _results import machine, write_section

#: Requests per endpoint, from one client, before the memory is first read.
WARM_UP = 20
#: Seconds one endpoint's load may run before it is cut short (a bound, not a target).
TIME_LIMIT = 120.0


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of process ``pid`` (this one by default) in MB, from /proc."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    kilobytes = next(line.split()[1] for line in status.splitlines()
                     if line.startswith("VmRSS:"))
    return int(kilobytes) / 1024


class _Server:
    def __init__(self, app) -> None:
        self.app = app
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._socket]}, daemon=True)

    def __enter__(self):
        self._thread.start()
        deadline = time.monotonic() + 60
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.should_exit = True
        self._thread.join(30)
        self._socket.close()


def _models(folder: Path) -> tuple[Path, Path, dict, dict]:
    data = tg.datasets.make_synthetic(n_regions=4, industries=5, n_periods=24, seed=0)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=200).fit(panel)
    gap_dir = gap.save(folder / "gap")
    cell = {k: str(v) for k, v in gap.cells_.iloc[0].items()}
    series = panel[["region", "industry", "period", "demand"]].dropna()
    series = series.assign(series_id=series["region"].astype(str) + "/"
                           + series["industry"].astype(str))
    fc = tg.models.Naive().fit(series[["series_id", "period", "demand"]], target="demand",
                               keys=["series_id"])
    fc_dir = fc.save(folder / "forecaster")
    return gap_dir, fc_dir, cell, {"series_id": str(series["series_id"].iloc[0])}


def _client(port: int, method: str, path: str, body: bytes | None, n: int,
             deadline: float) -> tuple[list[float], int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"content-type": "application/json"} if body else {}
    times, errors = [], 0
    for _ in range(n):
        if time.monotonic() > deadline:
            break
        start = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        times.append(time.perf_counter() - start)
        errors += answer.status != 200
    connection.close()
    return times, errors


def _planning(port: int, stop: threading.Event) -> list[int]:
    """POST /v1/plan again and again until ``stop``; the status codes."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = json.dumps(PLAN).encode()
    statuses = []
    while not stop.is_set():
        connection.request("POST", "/v1/plan", body=body,
                           headers={"content-type": "application/json"})
        answer = connection.getresponse()
        answer.read()
        statuses.append(answer.status)
    connection.close()
    return statuses


#: The plan kept in flight during the last row.
PLAN = {"budget": 5_000_000, "cost_per_trainee": 6000, "pass_rate": 0.7, "horizon": 8}


def _load(port: int, method: str, path: str, body: dict | None, clients: int,
          requests: int, *, with_plan: bool = False) -> dict:
    data = None if body is None else json.dumps(body).encode()
    deadline = time.monotonic() + TIME_LIMIT
    stop = threading.Event()
    with ThreadPoolExecutor(1) as background:
        plans = background.submit(_planning, port, stop) if with_plan else None
        start = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            results = list(pool.map(lambda _: _client(port, method, path, data, requests,
                                                      deadline), range(clients)))
        elapsed = time.perf_counter() - start
        stop.set()
        plan_errors = 0 if plans is None else sum(s != 200 for s in plans.result())
    times = np.array([t for part, _ in results for t in part])
    label = f"{method} {path}" + (" (plan in flight)" if with_plan else "")
    return {"endpoint": label, "requests": len(times),
            "errors": sum(e for _, e in results) + plan_errors,
            "req_per_s": len(times) / elapsed,
            "p50_ms": 1e3 * float(np.percentile(times, 50)),
            "p99_ms": 1e3 * float(np.percentile(times, 99)), "rss_mb": rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=250, help="per client and endpoint")
    parser.add_argument("--plan-workers", type=int, default=1,
                        help="worker processes solving plans (0: in the serving process)")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    settings = ServiceSettings(rate_limit=0, plan_workers=args.plan_workers)
    with tempfile.TemporaryDirectory() as folder:
        gap_dir, fc_dir, cell, series = _models(Path(folder))
        with _Server(create_app(gap_dir, settings=settings)) as gap_server, \
                _Server(create_app(fc_dir, settings=settings)) as fc_server:
            loads = [
                (gap_server.port, "GET", "/health", None),
                (gap_server.port, "POST", "/v1/gap",
                 {"horizon": 4, "level": [80], "cells": [cell]}),
                (fc_server.port, "POST", "/v1/forecast",
                 {"horizon": 4, "level": [80], "series": [series]}),
            ]
            for port, method, path, body in loads:  # warm-up, not measured
                _load(port, method, path, body, 1, WARM_UP)
            _load(gap_server.port, "POST", "/v1/plan", PLAN, 1, 2)
            before = rss_mb()
            rows = [_load(*load, args.clients, args.requests) for load in loads]
            rows.append(_load(*loads[1], args.clients, args.requests, with_plan=True))
            after = rss_mb()
            plans = gap_server.app.state.plans
            workers = [] if plans is None else [rss_mb(pid) for pid in plans.pids()]
    table = pd.DataFrame(rows)
    health = table.loc[0, "req_per_s"]
    table["vs_health"] = table["req_per_s"] / health
    text = table.to_markdown(index=False, floatfmt=".2f") if _has_tabulate() else (
        table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    slowdown = table.loc[3, "p99_ms"] / table.loc[1, "p99_ms"]
    text += (f"\n\n/v1/gap p99 with a plan in flight: {slowdown:.2f} x its p99 without "
             "(target <= 2).")
    text += (f"\nServer RSS: {before:.1f} MB after the warm-up, {after:.1f} MB after "
             f"{len(rows)} loads of {args.clients} x {args.requests} requests "
             f"({after - before:+.1f} MB, {100 * (after - before) / before:+.1f}%).")
    text += (f"\nPlans solved in {len(workers)} worker process(es) (RSS "
             f"{', '.join(f'{mb:.1f}' for mb in workers)} MB)." if workers
             else "\nPlans solved in the serving process (--plan-workers 0).")
    print(text)
    if args.write:
        body = (f"## Service throughput (loopback)\n\n`python benchmarks/service_load.py "
                f"--clients {args.clients} --requests {args.requests} "
                f"--plan-workers {args.plan_workers} --write` — "
                f"{machine()}\n\n{text}\n")
        write_section("service_load", body)


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ModuleNotFoundError:
        return False
    return True


if __name__ == "__main__":
    main()
