"""Peak memory and wall time of ``talentgap plan`` with ``[plan] years`` at national sizes.

The library's own benchmarks (``national_scale.py``, ``planning_speed.py``)
time the planning functions on sample paths held in memory; this one runs
the command a planner runs, end to end, in a fresh process per size, so the
peak resident memory is that of the whole job: reading and validating the
tables, the panel, the gap model (``[forecast] model``, default ``ets``),
its sample paths, the yearly needs, the policy need and the plan.

Data: ``make_synthetic(n_regions=R, industries=I, n_periods=24,
start="2019Q1", enterprises_per_cell=E, detail=True, seed=7)``, cells
``region x industry x skill_level``; the plan funds 2025-2029 (lead time 1,
so need years 2025-2030) with 120 million a year at 6,000 a place, a
capacity of 400 places per cell and year, exit rates estimated from the
data, and the skilled-share and high-skilled-share targets of 2029 (plan
levels skilled and high-skilled), as a national plan asks. Each size is one
run; the peak is the child process's ``ru_maxrss``.

Run::

    python benchmarks/plan_memory.py --regions 31 --industries 20          # 1,240 cells
    python benchmarks/plan_memory.py --regions 31 --industries 20,60 --write
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pandas as pd

try:
    from benchmarks._results import load_average, machine, write_section
except ModuleNotFoundError:  # run as a script from the benchmarks folder
    from _results import load_average, machine, write_section

import talentgap as tg

_CONFIG = """\
[data]
surveys = "surveys.csv"
training = "training.csv"
employment = "employment.csv"
freq = "Q"
keys = ["region", "industry", "skill_level"]
skill_levels = ["unskilled", "skilled", "high_skilled"]
high_skilled = ["high_skilled"]
unskilled = ["unskilled"]

[forecast]
model = "{model}"
n_samples = {samples}
random_state = 0

[plan]
years = [2025, 2026, 2027, 2028, 2029]
budget = {{ 2025 = 120_000_000, 2026 = 120_000_000, 2027 = 120_000_000, 2028 = 120_000_000, 2029 = 120_000_000 }}
cost_per_trainee = 6000
pass_rate = 0.67
absorption = 0.85
capacity = 400
lead_time = 1
exit_rate = "estimate"
policy_weight = 1.0
time_limit = 60
hold_need = true

[targets]
skilled_share = 0.30
high_skilled_share = 0.35
high_skilled_share_regions = {eastern}
high_skilled_delta_points = 2.5
target_year = 2029
share_by = "employment"
plan_level = ["skilled", "high_skilled"]
"""


def _inputs(folder: Path, regions: int, industries: int, enterprises: int) -> None:
    """The synthetic survey, training and employment tables as CSV files in ``folder``."""
    data = tg.datasets.make_synthetic(n_regions=regions, industries=industries, n_periods=24,
                                      start="2019Q1", freq="Q",
                                      enterprises_per_cell=enterprises, seed=7, detail=True)
    for name in ("surveys", "training", "employment"):
        table = getattr(data, name).copy()
        table["period"] = table["period"].astype(str)
        table.to_csv(folder / f"{name}.csv", index=False)


def _run(folder: Path, model: str, samples: int) -> tuple[float, float, int]:
    """Wall seconds and peak resident GB of one ``talentgap plan`` run, and its cells."""
    regions = sorted(pd.read_csv(folder / "surveys.csv", usecols=["region"])["region"].unique())
    eastern = "[" + ", ".join(f'"{r}"' for r in regions[: max(1, len(regions) // 3)]) + "]"
    (folder / "plan.toml").write_text(_CONFIG.format(model=model, samples=samples,
                                                     eastern=eastern), encoding="utf-8")
    out = folder / "out"
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "talentgap", "plan", "--config",
                              str(folder / "plan.toml"), "--out", str(out), "--no-charts",
                              "--no-report", "-q"], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"talentgap plan failed in {folder}")
    cells = len(pd.read_csv(out / "plan_places.csv"))
    return seconds, usage.ru_maxrss / 2**20, cells   # ru_maxrss in KB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=31)
    parser.add_argument("--industries", default="20",
                        help="comma-separated industry counts, one run each")
    parser.add_argument("--enterprises", type=int, default=40,
                        help="enterprises per region x industry cell")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--model", default="ets")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    rows = []
    for industries in (int(x) for x in args.industries.split(",")):
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            _inputs(folder, args.regions, industries, args.enterprises)
            seconds, peak, cells = _run(folder, args.model, args.samples)
        rows.append((industries, cells, seconds, peak))
        print(f"{args.regions} regions x {industries} industries: {cells:,} cells, "
              f"{seconds:.0f} s, peak {peak:.2f} GB", flush=True)
    intro = textwrap.fill(
        f"`talentgap plan` (`[plan] years` 2025-2029, lead time 1, estimated exit rates, "
        f"skilled and high-skilled targets) on `make_synthetic(n_regions={args.regions}, "
        f"industries=I, n_periods=24, enterprises_per_cell={args.enterprises}, detail=True)`, "
        f"cells region x industry x skill level, `[forecast] model = \"{args.model}\"` with "
        f"{args.samples:,} sample paths; one fresh process per size, without charts and "
        "report.", width=99)
    lines = ["## `talentgap plan` over funding years: peak memory (`benchmarks/plan_memory.py`)",
             "", f"{machine()}; load average {load_average()} after the runs (the machine is "
             "shared: times are upper bounds).", "", intro, "",
             "| industries | cells | wall time | peak RSS |", "|---:|---:|---:|---:|"]
    lines += [f"| {i} | {c:,} | {s:.0f} s | {p:.2f} GB |" for i, c, s, p in rows]
    body = "\n".join(lines) + "\n"
    print(body)
    if args.write:
        write_section("plan_memory", body)


if __name__ == "__main__":
    main()
