"""Beyond one machine: surveys through ``build_panel`` and forecasts on a Dask LocalCluster.

``--survey-rows N`` writes N synthetic survey rows (periods and keys as
text, as a file delivers them) to a folder of Parquet files in a temporary
directory, starts a ``dask.distributed.LocalCluster`` of ``--workers``
worker processes (one thread each) with ``--memory-limit`` per worker, and
runs :func:`talentgap.features.build_panel` on
``dask.dataframe.read_parquet(folder)`` with the synthetic training table.
The rows never leave the workers: each partition is validated and reduced to
sums per cell-period, and those sums are combined in a tree (see
``talentgap/features/distributed.py``).

Reported: rows, partitions, cells, wall time of ``build_panel`` (read,
shuffle by enterprise, validation, estimates, panel), the peak resident
memory of each worker (polled every ``--poll`` seconds), the memory limit,
and whether a worker was restarted (a worker over its limit is killed by
its nanny and replaced).

The base table is ``make_synthetic(n_regions=340, industries=100,
n_periods=20, enterprises_per_cell=20)`` (about 1.94 million rows, 34,000
cells); larger N repeat it with new enterprise ids (each copy is another
set of enterprises), the last copy trimmed.

``--series N`` makes N quarterly series of length ``--length`` (40) as
``benchmarks/forecast_speed.py`` does, then fits
:class:`talentgap.models.AutoForecaster` and predicts 8 quarters with 80%
and 95% intervals twice: (a) here with ``n_jobs=--workers`` (joblib's local
worker processes) and (b) on a ``LocalCluster`` of ``--workers`` worker
processes (one thread each, ``--memory-limit`` each) through joblib's Dask
backend, the documented route (``joblib.parallel_config(backend="dask")``
with ``n_jobs=-1``). The two forecasts must be identical (the run stops
otherwise; the largest absolute difference is reported). Reported per run:
fit and predict wall time, peak resident memory of this (the client)
process and of each worker process (joblib's local workers, or the Dask
workers), polled every ``--poll`` seconds; the start-up of each run's worker
processes (not in the wall time); for the cluster the number of tasks its
workers ran and their busy time.

With ``--workers 1`` only the local run is made (in this process), the
baseline for scaling: joblib runs the chunks of a cluster with one thread in
all on the client, not on the cluster.

Without ``--series`` the survey run is made (``--survey-rows`` defaults to
2,000,000); with both, both are.

Run::

    python benchmarks/scale.py --survey-rows 2000000
    python benchmarks/scale.py --series 100000 --write  # 2 workers, 2GB each
    python benchmarks/scale.py --series 100000 --workers 1 --write  # one process
    python benchmarks/scale.py --survey-rows 20000000 --memory-limit 3GB
    python benchmarks/scale.py --survey-rows 2000000 --design  # strata, population counts
    python benchmarks/scale.py --survey-rows 2000000 --write   # update RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

from talentgap.datasets import make_synthetic
from talentgap.features import build_panel

try:
    from benchmarks._results import load_average, machine, write_section
    from benchmarks.forecast_speed import make_series
except ModuleNotFoundError:  # run as a script from the benchmarks folder
    from _results import load_average, machine, write_section
    from forecast_speed import make_series


def write_surveys(folder: Path, n_rows: int, rows_per_file: int, seed: int = 0,
                  design: bool = False):
    """Write ``n_rows`` survey rows as Parquet files; return training, cells, files, design."""
    data = make_synthetic(n_regions=340, industries=100, n_periods=20, enterprises_per_cell=20,
                          seed=seed, design=design)
    base = data.surveys.astype({"period": str, "enterprise_id": str, "region": str,
                                "industry": str, "size_band": str})
    if design:  # each copy adds enterprises to the same strata: scale their population
        base["population"] = base["population"] * -(-n_rows // len(base))
    rng = np.random.default_rng(seed)
    written, copy, file = 0, 0, 0
    while written < n_rows:
        part = base.iloc[rng.permutation(len(base))[: n_rows - written]]
        if copy:
            part = part.assign(enterprise_id=part["enterprise_id"] + f"-{copy}")
        for start in range(0, len(part), rows_per_file):
            chunk = part.iloc[start:start + rows_per_file].reset_index(drop=True)
            chunk.to_parquet(folder / f"part-{file:05d}.parquet", index=False)
            file += 1
        written += len(part)
        copy += 1
    cells = base.groupby(["region", "industry"]).ngroups
    return data.training, cells, file, data.design


class _MemoryPoll:
    """Peak resident memory of this process and of every worker, polled in a thread.

    Workers are those of the Dask ``client`` (asked with ``client.run``) or,
    without a client, joblib's local worker processes (children of this one).
    """

    def __init__(self, client, every: float) -> None:
        self.client, self.every = client, every
        self.peak: dict[str, int] = {}
        self.own_peak = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        def rss() -> int:
            return psutil.Process().memory_info().rss

        own = psutil.Process()
        while not self.stop.is_set():
            self.own_peak = max(self.own_peak, own.memory_info().rss)
            if self.client is None:
                found = {}
                for child in own.children(recursive=True):
                    try:
                        if any("loky" in part and "resource_tracker" not in part
                               for part in child.cmdline()):
                            found[f"pid {child.pid}"] = child.memory_info().rss
                    except psutil.Error:  # the worker ended meanwhile
                        continue
            else:
                try:
                    found = self.client.run(rss)
                except Exception:  # a worker restarting: poll again
                    found = {}
            for worker, value in found.items():
                self.peak[worker] = max(self.peak.get(worker, 0), value)
            self.stop.wait(self.every)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def survey_rows(n_rows: int, *, workers: int, memory_limit: str, rows_per_file: int,
                poll: float, design: bool = False) -> dict:
    """Run ``build_panel`` on ``n_rows`` Parquet rows on a LocalCluster; return the figures."""
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster, get_task_stream

    with tempfile.TemporaryDirectory(prefix="talentgap-scale-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        training, cells, files, survey_design = write_surveys(folder, n_rows, rows_per_file,
                                                              design=design)
        write_time = time.perf_counter() - start
        size = sum(p.stat().st_size for p in folder.iterdir())
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          memory_limit=memory_limit, dashboard_address=":0") as cluster, \
                Client(cluster) as client:
            before = set(client.scheduler_info()["workers"])
            surveys = dd.read_parquet(str(folder))
            with _MemoryPoll(client, poll) as memory, get_task_stream(client) as stream:
                start = time.perf_counter()
                panel = build_panel(surveys, training, lead_time=1, design=survey_design)
                wall = time.perf_counter() - start
            shares = _task_shares(stream.data)
            after = set(client.scheduler_info()["workers"])
            limit = next(iter(client.scheduler_info()["workers"].values()))["memory_limit"]
    return {"rows": n_rows, "files": files, "parquet_mb": size / 2**20, "cells": cells,
            "panel_rows": len(panel), "respondents": int(panel["n_respondents"].sum()),
            "write_s": write_time, "wall_s": wall,
            "peak_mb": sorted(v / 2**20 for v in memory.peak.values()),
            "limit_mb": limit / 2**20, "restarted": before != after, "shares": shares}


def _task_shares(tasks: list[dict]) -> dict[str, float]:
    """Share of the workers' busy time per kind of task (read, shuffle, validation and sums...)."""
    from dask.utils import key_split

    busy: dict[str, float] = {}
    for task in tasks:
        kind = key_split(task["key"])
        spent = sum(s["stop"] - s["start"] for s in task["startstops"]
                    if s["action"] == "compute")
        busy[kind] = busy.get(kind, 0.0) + spent
    total = sum(busy.values()) or 1.0
    shares = {k: v / total for k, v in sorted(busy.items(), key=lambda kv: -kv[1])}
    return {"busy seconds (all workers)": total, **shares}


def _warm() -> int:
    """Import the models in a worker process before the clock starts; its process id."""
    import talentgap.models  # noqa: F401

    return os.getpid()


def _fit_predict(df: pd.DataFrame, n_jobs: int, client, poll: float) -> dict:
    """Fit AutoForecaster and predict 8 steps with 80/95 intervals; times and memory."""
    import warnings

    import talentgap as tg

    with _MemoryPoll(client, poll) as memory, warnings.catch_warnings():
        warnings.simplefilter("ignore", tg.errors.DataQualityWarning)
        start = time.perf_counter()
        fc = tg.models.AutoForecaster(n_jobs=n_jobs).fit(df, keys=["series_id"])
        fitted = time.perf_counter()
        out = fc.predict(8, level=[80, 95])
        done = time.perf_counter()
    return {"out": out, "fit_s": fitted - start, "predict_s": done - fitted,
            "wall_s": done - start, "client_mb": memory.own_peak / 2**20,
            "peak_mb": sorted(v / 2**20 for v in memory.peak.values())}


def forecast_series(n_series: int, *, length: int, workers: int, memory_limit: str,
                    poll: float) -> dict:
    """AutoForecaster on ``n_series`` series: local ``n_jobs=workers`` vs a LocalCluster.

    With one worker only the local run is made: joblib runs the chunks of a
    cluster with one thread in all on the client, so there is nothing to compare.
    """
    import joblib
    from joblib.externals.loky import get_reusable_executor

    df = make_series(n_series, length, seed=0)
    start = time.perf_counter()  # start the local workers and import talentgap there
    joblib.Parallel(n_jobs=workers)(joblib.delayed(_warm)() for _ in range(2 * workers))
    local_startup = time.perf_counter() - start
    local = _fit_predict(df, workers, None, poll)
    expected = local.pop("out")
    found = {"series": n_series, "length": length, "rows": len(expected), "local": local,
             "local_startup_s": local_startup, "cluster": None}
    if workers < 2:
        return found
    get_reusable_executor().shutdown(wait=True)  # idle local workers hold no memory meanwhile
    found.update(_on_cluster(df, expected, workers=workers, memory_limit=memory_limit, poll=poll))
    return found


def _on_cluster(df: pd.DataFrame, expected: pd.DataFrame, *, workers: int, memory_limit: str,
                poll: float) -> dict:
    """The same fit and predict through joblib's Dask backend; equal to ``expected``."""
    import joblib
    from dask.distributed import Client, LocalCluster, get_task_stream

    start = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      memory_limit=memory_limit, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        client.run(_warm)
        startup = time.perf_counter() - start
        before = set(client.scheduler_info()["workers"])
        with joblib.parallel_config(backend="dask"), get_task_stream(client) as stream:
            remote = _fit_predict(df, -1, client, poll)
        after = set(client.scheduler_info()["workers"])
        limit = next(iter(client.scheduler_info()["workers"].values()))["memory_limit"]
    got = remote.pop("out")
    numbers = [c for c in expected.columns if c.startswith(("mean", "lo_", "hi_"))]
    difference = (float(np.max(np.abs(got[numbers].to_numpy() - expected[numbers].to_numpy())))
                  if got.shape == expected.shape else float("nan"))
    try:
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
    except AssertionError as exc:
        raise AssertionError("the cluster's forecasts differ from the local ones (max abs "
                             f"difference {difference:.3g})") from exc
    busy = _task_shares(stream.data)["busy seconds (all workers)"] if stream.data else 0.0
    return {"cluster": remote, "startup_s": startup, "limit_mb": limit / 2**20,
            "restarted": before != after, "tasks": len(stream.data), "busy_s": busy,
            "max_abs_difference": difference}


def _forecast_body(found: dict, workers: int, command: str, load: str) -> str:
    """The RESULTS.md section of the forecast run."""
    def row(name: str, run: dict) -> str:
        peaks = ", ".join(f"{p:,.0f} MB" for p in run["peak_mb"]) or "none"
        return (f"| {name} | {run['fit_s']:.1f} s | {run['predict_s']:.2f} s "
                f"| **{run['wall_s']:.1f} s** | {run['client_mb']:,.0f} MB | {peaks} |")

    where = "joblib worker processes" if workers > 1 else "in this process"
    lines = [
        f"## Forecasts on a LocalCluster vs local n_jobs={workers} (`benchmarks/scale.py`)",
        "",
        f"`{command}` — {machine()}; load average before the run: {load}.",
        "",
        f"AutoForecaster on {found['series']:,} quarterly series of length {found['length']} "
        "(the generator of `benchmarks/forecast_speed.py`), fit + predict(h=8, level=[80, 95]).",
        "",
        "| run | fit | predict | fit + predict | peak RSS client | peak RSS per worker |",
        "|---|---:|---:|---:|---:|---|",
        row(f"local, n_jobs={workers} ({where})", found["local"]),
    ]
    cluster = found["cluster"]
    if cluster is None:
        return "\n".join(lines + [
            "",
            "One worker: the local run alone (joblib runs the chunks of a Dask cluster with one "
            f"thread in all on the client). Start-up {found['local_startup_s']:.1f} s, not in "
            "the times above.",
        ])
    return "\n".join(lines + [
        row(f"LocalCluster, {workers} workers x 1 thread, limit {found['limit_mb']:,.0f} MB, "
            "joblib Dask backend", cluster),
        "",
        f"Forecasts identical: {found['rows']:,} rows, max abs difference "
        f"{found['max_abs_difference']:.3g}. Start-up, not in the times above (worker "
        f"processes started, talentgap imported there): local {found['local_startup_s']:.1f} s, "
        f"cluster {found['startup_s']:.1f} s. The cluster's workers ran {found['tasks']:,} "
        f"tasks, busy {found['busy_s']:.1f} s of {workers} x {cluster['wall_s']:.1f} s; "
        f"worker restarted: {'yes' if found['restarted'] else 'no'}.",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--survey-rows", type=int, default=None,
                        help="survey rows through build_panel (2,000,000 without --series)")
    parser.add_argument("--series", type=int, default=None,
                        help="series for AutoForecaster, local n_jobs vs LocalCluster")
    parser.add_argument("--length", type=int, default=40, help="periods per series")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="2GB", help="per worker, e.g. 2GB")
    parser.add_argument("--rows-per-file", type=int, default=500_000)
    parser.add_argument("--poll", type=float, default=0.5, help="seconds between memory polls")
    parser.add_argument("--design", action="store_true",
                        help="survey drawn by strata with population counts; design-based SEs")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    if args.survey_rows is None and args.series is None:
        args.survey_rows = 2_000_000

    if args.series is not None:
        load = load_average()
        command = shlex.join(["python", "benchmarks/scale.py", *sys.argv[1:]])
        found = forecast_series(args.series, length=args.length, workers=args.workers,
                                memory_limit=args.memory_limit, poll=args.poll)
        body = _forecast_body(found, args.workers, command, load)
        print(body)
        if args.write:  # one section per number of workers
            write_section("scale_forecasts" + ("" if args.workers == 2 else f"_{args.workers}"),
                          body)
    if args.survey_rows is not None:
        _survey_main(args)


def _survey_main(args: argparse.Namespace) -> None:
    """The survey run: print its figures and write its section when asked."""
    load = load_average()
    found = survey_rows(args.survey_rows, workers=args.workers, memory_limit=args.memory_limit,
                        rows_per_file=args.rows_per_file, poll=args.poll, design=args.design)
    peaks = ", ".join(f"{p:,.0f}" for p in found["peak_mb"])
    body = "\n".join([
        "## Survey rows from partitioned Parquet on a LocalCluster (`benchmarks/scale.py`)"
        + (" with a declared design" if args.design else ""),
        "",
        f"Machine: {machine()}; load average before the run: {load}.",
        "",
        "| rows | Parquet files (MB) | cells | panel rows | workers x limit | build_panel wall "
        "| peak RSS per worker | worker restarted |",
        "|---:|---:|---:|---:|---|---:|---|---|",
        f"| {found['rows']:,} | {found['files']} ({found['parquet_mb']:,.0f}) "
        f"| {found['cells']:,} | {found['panel_rows']:,} "
        f"| {args.workers} x {found['limit_mb']:,.0f} MB | {found['wall_s']:.1f} s "
        f"| {peaks} MB | {'yes' if found['restarted'] else 'no'} |",
    ])
    print(body)
    print(f"(writing the Parquet files took {found['write_s']:.1f} s; "
          f"{found['respondents']:,} respondents in the panel)")
    shares = dict(found["shares"])
    busy = shares.pop("busy seconds (all workers)")
    print(f"workers computed for {busy:.1f} s in all; share by task: " + ", ".join(
        f"{k} {v:.0%}" for k, v in shares.items() if v >= 0.01))
    if args.write:
        write_section("scale_surveys", body)


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    main()
