"""National scale end to end: survey panel, gap model, forecast, sample paths, a cell plan.

``make_synthetic(n_regions=R, industries=100, n_periods=20, enterprises_per_cell=20)``
(R = 340 is the national case of about 34,000 cells; ``--regions`` runs a fraction),
then, each step timed with the process's peak resident memory after it
(``ru_maxrss``, which only grows, so it is the peak of the run so far):

1. ``build_panel``;
2. ``GapForecaster(forecaster=AutoForecaster(n_jobs=2)).fit`` with the default
   1,000 sample paths;
3. ``predict(4, level=[80, 95])`` (the first call for a horizon draws its
   simulation inputs) and a second ``predict`` of the same horizon;
4. ``predict(4, cells=<one cell>)`` (what the service answers), median of 20 calls;
5. ``sample_paths(4)`` (compact float32 arrays, not the long table);
6. ``allocate_quotas`` of one budget on those paths (a cell plan).

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
from _results import machine, write_section

import talentgap as tg


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


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
        start = time.perf_counter()
        out = call()
        rows.append((name, time.perf_counter() - start, _peak_gb()))
        print(f"{name:<40} {rows[-1][1]:8.2f} s  peak {rows[-1][2]:5.2f} GB", flush=True)
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
    rows.append(("predict one cell (median of 20)", float(np.median(times)), _peak_gb()))
    print(f"{rows[-1][0]:<40} {rows[-1][1] * 1000:8.1f} ms", flush=True)
    paths = step("sample_paths(4)", lambda: gap.sample_paths(4))
    gaps = paths.gap(steps=np.full(paths.n_cells, paths.n_periods - 1))
    budget = float(np.maximum(gaps.mean(axis=1), 0).sum()) * 1000 * 0.4
    del gaps
    step("allocate_quotas (one budget)",
         lambda: tg.planning.allocate_quotas(paths, budget=budget, cost_per_trainee=1000,
                                             pass_rate=0.8))
    total = sum(r[1] for r in rows if not r[0].startswith(("predict again", "predict one")))
    n_cells = len(gap.cells_)
    lines = [
        "## National scale (`benchmarks/national_scale.py`)", "",
        f"{machine()}; load average {load_before:.2f} before the run, {os.getloadavg()[0]:.2f} after (the machine is shared: times are upper bounds).", "",
        f"`make_synthetic(n_regions={args.regions}, industries=100, n_periods=20, "
        f"enterprises_per_cell=20)`: {len(data.surveys):,} survey rows, {n_cells:,} cells, "
        f"default 1,000 sample paths ({paths.nbytes / 2**30:.2f} GB of float32 paths).", "",
        "| step | time | peak RSS so far |", "|---|---:|---:|",
    ]
    for name, seconds, peak in rows:
        shown = f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.1f} s"
        lines.append(f"| {name} | {shown} | {peak:.2f} GB |")
    lines.append(f"| whole run (steps 1-3, 5, 6) | {total:.1f} s | {_peak_gb():.2f} GB |")
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("national_scale", body)


if __name__ == "__main__":
    main()
