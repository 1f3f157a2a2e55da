"""National scale end to end: survey panel, gap model, forecast, sample paths, two plans.

``make_synthetic(n_regions=R, industries=100, n_periods=20, enterprises_per_cell=20)``
(R = 340 is the national case of about 34,000 cells; ``--regions`` runs a fraction),
then, each step timed with the process's peak resident memory after it
(``ru_maxrss``, which only grows, so it is the peak of the run so far) and the
CPU seconds it used (this process and its worker processes, when ``psutil`` is
installed; on a shared machine CPU time moves less with the load than wall time):

1. ``build_panel``;
2. ``GapForecaster(forecaster=AutoForecaster(n_jobs=2)).fit`` with the default
   1,000 sample paths;
3. ``predict(4, level=[80, 95])`` (the first call for a horizon draws its
   simulation inputs) and a second ``predict`` of the same horizon;
4. ``predict(4, cells=<one cell>)`` (what the service answers), median of 20 calls;
5. ``sample_paths(4)`` (compact float32 arrays, not the long table);
6. ``allocate_quotas`` of one budget on those paths (a cell plan);
7. ``allocate_quotas(..., crosswalk=...)`` of one budget on the same paths (a
   programme plan): every industry trains through two programmes in every
   region, ``<industry>/basic`` (1,000 a place, 70% certify) and
   ``<industry>/advanced`` (90% certify; 1,200 a place in every other industry,
   1,600 in the rest), each feeding its own industry, so a region's cell of an
   industry is served by whichever of its two programmes certifies a worker for
   less.

The budget of both plans is 40% of what closing every cell's expected shortage
at the last forecast period would cost at 1,000 a certified worker.

Run::

    python benchmarks/national_scale.py --regions 85            # print the results
    python benchmarks/national_scale.py --regions 340 --write   # also update RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np
import pandas as pd
from _results import machine, write_section

import talentgap as tg


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _cpu_seconds() -> float:
    """CPU seconds of this process and its live children (joblib's workers) so far."""
    own = time.process_time()
    try:
        import psutil
    except ImportError:  # the process's own CPU time only
        return own
    total = own
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:  # a worker that just ended
            continue
        total += times.user + times.system
    return total


def programme_crosswalk(industries) -> tuple[pd.DataFrame, dict]:
    """Two programmes per industry, each feeding its own industry, and their costs."""
    industries = [str(i) for i in industries]
    program = [f"{i}/{level}" for i in industries for level in ("basic", "advanced")]
    crosswalk = pd.DataFrame({"program": program,
                              "industry": [i for i in industries for _ in range(2)],
                              "share": 1.0})
    advanced = np.tile([False, True], len(industries))
    every_other = np.repeat(np.arange(len(industries)) % 2 == 0, 2)
    cost = np.where(advanced, np.where(every_other, 1200.0, 1600.0), 1000.0)
    params = {
        "cost_per_trainee": pd.DataFrame({"program": program, "cost_per_trainee": cost}),
        "pass_rate": pd.DataFrame({"program": program,
                                   "pass_rate": np.where(advanced, 0.9, 0.7)}),
    }
    return crosswalk, params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=340)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    data = tg.datasets.make_synthetic(n_regions=args.regions, industries=100, n_periods=20,
                                      enterprises_per_cell=20, seed=0)
    rows = []

    def step(name, call):
        start, cpu = time.perf_counter(), _cpu_seconds()
        out = call()
        rows.append((name, time.perf_counter() - start, _peak_gb(), _cpu_seconds() - cpu))
        print(f"{name:<40} {rows[-1][1]:8.2f} s  cpu {rows[-1][3]:7.2f} s  "
              f"peak {rows[-1][2]:5.2f} GB", flush=True)
        return out

    panel = step("build_panel", lambda: tg.features.build_panel(data.surveys, data.training))
    model = tg.models.GapForecaster(forecaster=tg.models.AutoForecaster(n_jobs=2))
    gap = step("GapForecaster.fit", lambda: model.fit(panel))
    step("predict(4, level=[80, 95])", lambda: gap.predict(4, level=[80, 95]))
    step("predict again (same horizon)", lambda: gap.predict(4, level=[80, 95]))
    one = gap.cells_.iloc[[len(gap.cells_) // 2]]
    times = []
    for _ in range(20):
        start = time.perf_counter()
        gap.predict(4, level=[80, 95], cells=one)
        times.append(time.perf_counter() - start)
    rows.append(("predict one cell (median of 20)", float(np.median(times)), _peak_gb(),
                 np.nan))
    print(f"{rows[-1][0]:<40} {rows[-1][1] * 1000:8.1f} ms", flush=True)
    paths = step("sample_paths(4)", lambda: gap.sample_paths(4))
    gaps = paths.gap(steps=np.full(paths.n_cells, paths.n_periods - 1))
    budget = float(np.maximum(gaps.mean(axis=1), 0).sum()) * 1000 * 0.4
    del gaps
    step("allocate_quotas (one budget)",
         lambda: tg.planning.allocate_quotas(paths, budget=budget, cost_per_trainee=1000,
                                             pass_rate=0.8))
    crosswalk, params = programme_crosswalk(paths.cells["industry"].unique())
    plan = step("allocate_quotas (programmes, one budget)",
                lambda: tg.planning.allocate_quotas(paths, crosswalk=crosswalk, budget=budget,
                                                    **params))
    excluded = ("predict again", "predict one")
    total = sum(r[1] for r in rows if not r[0].startswith(excluded))
    total_cpu = sum(r[3] for r in rows if not r[0].startswith(excluded))
    n_cells = len(gap.cells_)
    used = plan.quotas.assign(level=plan.quotas["program"].astype(str).str.split("/").str[1])
    by_level = used.groupby("level")["quota"].sum()
    lines = [
        "## National scale (`benchmarks/national_scale.py`)", "",
        f"{machine()}; load average {load_before:.2f} before the run, {os.getloadavg()[0]:.2f} after (the machine is shared: times are upper bounds).", "",
        f"`make_synthetic(n_regions={args.regions}, industries=100, n_periods=20, "
        f"enterprises_per_cell=20)`: {len(data.surveys):,} survey rows, {n_cells:,} cells, "
        f"default 1,000 sample paths ({paths.nbytes / 2**30:.2f} GB of float32 paths). "
        f"Programme plan: {len(plan.quotas):,} programmes ({len(crosswalk)} programmes in "
        f"each of {plan.quotas['region'].nunique()} regions), "
        f"{int(by_level.get('basic', 0)):,} basic and {int(by_level.get('advanced', 0)):,} "
        f"advanced places.", "",
        "| step | time | CPU | peak RSS so far |", "|---|---:|---:|---:|",
    ]
    for name, seconds, peak, cpu in rows:
        shown = f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.1f} s"
        cpu_shown = "" if np.isnan(cpu) else f"{cpu:.1f} s"
        lines.append(f"| {name} | {shown} | {cpu_shown} | {peak:.2f} GB |")
    lines.append(f"| whole run (steps 1-3, 5-7) | {total:.1f} s | {total_cpu:.1f} s | "
                 f"{_peak_gb():.2f} GB |")
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("national_scale", body)


if __name__ == "__main__":
    main()
