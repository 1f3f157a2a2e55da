"""Wall time and peak memory of ``talentgap demo`` (the README's main job), end to end.

Runs the command in a fresh process, as a planner would, and reports its wall
time (median of a few runs) and peak resident memory. Target: under 60 s on
2 cores.

Run::

    python benchmarks/demo_speed.py            # print the results
    python benchmarks/demo_speed.py --write    # also update benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    from benchmarks._results import machine, write_section
except ModuleNotFoundError:  # run as a script from the benchmarks folder
    from _results import machine, write_section


def _run_once() -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "talentgap", "demo", "--out", folder, "-q"],
                       check=True, stdout=subprocess.DEVNULL, timeout=600)
        seconds = time.perf_counter() - start
        files = len(list(Path(folder).iterdir()))
    return seconds, files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    runs = [_run_once() for _ in range(args.repeats)]
    seconds = statistics.median(r[0] for r in runs)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    body = f"""## `talentgap demo`: the whole job on the bundled demo data

`python benchmarks/demo_speed.py --write` — {machine()}

Validate 30,216 input rows, build the 64-cell quarterly panel, backtest the gap model and two
baselines (3 windows), forecast 4 quarters with 1,000 joint sample paths, plan quotas (optimised
and proportional, at the budget and at 6 budgets for the comparison), write {runs[0][1]} files
including `report.html`.

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
