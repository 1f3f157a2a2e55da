"""Beyond one machine: survey rows from partitioned Parquet through ``build_panel`` on Dask.

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

Run::

    python benchmarks/scale.py --survey-rows 2000000
    python benchmarks/scale.py --survey-rows 20000000 --memory-limit 3GB
    python benchmarks/scale.py --survey-rows 2000000 --design  # strata, population counts
    python benchmarks/scale.py --survey-rows 2000000 --write   # update RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

from talentgap.datasets import make_synthetic
from talentgap.features import build_panel

try:
    from benchmarks._results import machine, write_section
except ModuleNotFoundError:  # run as a script from the benchmarks folder
    from _results import machine, write_section


def _load() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # not available on every platform
        return "n/a"


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
    """Peak resident memory of every worker, polled from the client in a thread."""

    def __init__(self, client, every: float) -> None:
        self.client, self.every = client, every
        self.peak: dict[str, int] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        def rss() -> int:
            return psutil.Process().memory_info().rss

        while not self.stop.is_set():
            try:
                for worker, value in self.client.run(rss).items():
                    self.peak[worker] = max(self.peak.get(worker, 0), value)
            except Exception:  # a worker restarting: poll again
                pass
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--survey-rows", type=int, default=2_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="2GB", help="per worker, e.g. 2GB")
    parser.add_argument("--rows-per-file", type=int, default=500_000)
    parser.add_argument("--poll", type=float, default=0.5, help="seconds between memory polls")
    parser.add_argument("--design", action="store_true",
                        help="survey drawn by strata with population counts; design-based SEs")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()

    load = _load()
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
