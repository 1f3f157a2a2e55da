"""Wall time and peak memory of ``talentgap demo`` (the README's main job), end to end.

Runs the command in a fresh process, as a planner would, and reports its wall
time (median of a few runs) and peak resident memory. Target: under 60 s on
2 cores. What the job did (input rows, cells, forecast periods, backtest
windows, sample paths, plans, files written) is read from the run itself:
its JSON summary and the files in its output folder.

Run::

    python benchmarks/demo_speed.py            # print the results
    python benchmarks/demo_speed.py --write    # also update benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pandas as pd

try:
    from benchmarks._results import machine, write_section
except ModuleNotFoundError:  # run as a script from the benchmarks folder
    from _results import machine, write_section

_FREQ_WORDS = {"Q": ("quarterly", "quarters"), "M": ("monthly", "months"),
               "Y": ("annual", "years")}


def _facts(folder: Path, summary: dict) -> dict:
    """What the demo run did, from its JSON summary and its output folder."""
    forecast = pd.read_csv(folder / "forecast.csv")
    keys = list(forecast.columns[:forecast.columns.get_loc("period")])
    backtest = pd.read_csv(folder / "backtest.csv")
    comparison = pd.read_csv(folder / "plan_comparison.csv")
    return {
        "rows": sum(table["rows_in"] for table in summary["inputs"].values()),
        "tables": len(summary["inputs"]),
        "keys": keys,
        "cells": len(forecast.drop_duplicates(keys)),
        "freq": summary["inputs"]["surveys"]["freq"],
        "horizon": len(summary["forecast"]["periods"]),
        "baselines": sorted(set(backtest["model"]) - {"GapForecaster"}),
        "windows": backtest["cutoff"].nunique(),
        "paths": int(summary["plan"]["scenarios"]),
        "budgets": comparison["budget"].nunique(),
        "files": sum(1 for path in folder.rglob("*") if path.is_file()),
    }


def _run_once() -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "talentgap", "demo", "--out", name, "-q",
                               "--format", "json"],
                              check=True, stdout=subprocess.PIPE, text=True, timeout=600)
        seconds = time.perf_counter() - start
        facts = _facts(folder, json.loads(done.stdout))
    return seconds, facts


def _description(f: dict) -> str:
    adjective, plural = _FREQ_WORDS.get(f["freq"], ("", "periods"))
    cell = " x ".join(key.replace("_", " ") for key in f["keys"])
    baselines = " and ".join(name.replace("_", " ") for name in f["baselines"])
    text = (f"Validate {f['rows']:,} input rows ({f['tables']} tables), build the "
            f"{f['cells']:,}-cell {adjective} panel ({cell}), backtest the gap model and "
            f"{len(f['baselines'])} baselines ({baselines}; {f['windows']} windows), forecast "
            f"{f['horizon']} {plural} with {f['paths']:,} joint sample paths, plan quotas "
            f"(optimised and proportional, at the budget and at {f['budgets']} budgets for the "
            f"comparison), write {f['files']} files including `report.html`.")
    return textwrap.fill(text, width=99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    runs = [_run_once() for _ in range(args.repeats)]
    if any(facts != runs[0][1] for _, facts in runs):
        raise SystemExit(f"the demo runs differ: {[facts for _, facts in runs]}")
    seconds = statistics.median(r[0] for r in runs)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    body = f"""## `talentgap demo`: the whole job on the bundled demo data

`python benchmarks/demo_speed.py --write` — {machine()}

{_description(runs[0][1])}

| | value | target |
|---|---:|---:|
| wall time, fresh process (median of {args.repeats}) | **{seconds:.1f} s** | < 60 s |
| peak resident memory | {peak_mb:,.0f} MB | |
"""
    print(body)
    if args.write:
        write_section("demo_speed", body)


if __name__ == "__main__":
    main()
