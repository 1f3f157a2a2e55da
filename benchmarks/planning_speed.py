"""Speed of quota plans on sample paths: per-cell and programme (crosswalk) plans.

A GapForecaster-like table of sample paths, ``region, industry, period,
sample, gap`` for 32 regions x 40 industries = 1,280 cells and 1,000 sample
paths (one period), is built synthetically with numpy (the planner reads
only that long table). Each cell's gap paths are normal around a cell mean
with a cell spread, and a few cells are in surplus.

* per-cell plans: costs, pass rates and capacities per industry, a few
  minimum quotas;
* programme plans: 30 programmes, each feeding 1-4 industries with random
  shares, spread over the 32 regions (960 programme-regions).

The budget is about 40% of what closing every expected gap would cost, so
it binds. Every plan is made with ``integer="none"``, ``"round"`` and
(``--exact``) ``"exact"``; the time of the rounding step alone (after the
LP) is also reported.

Run::

    python benchmarks/planning_speed.py            # print the results
    python benchmarks/planning_speed.py --write    # also update benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
import pandas as pd

from talentgap.planning import allocate_quotas
from talentgap.planning._crosswalk import build_network
from talentgap.planning._network_solve import round_network, solve_network_lp
from talentgap.planning._problem import build_problem
from talentgap.planning._solve import round_places, solve_lp

try:
    from benchmarks._results import machine, write_section
except ModuleNotFoundError:  # run as a script from the benchmarks folder
    from _results import machine, write_section


def _inputs(n_regions: int, n_industries: int, n_samples: int, n_programs: int, seed: int):
    rng = np.random.default_rng(seed)
    regions = [f"R{i:02d}" for i in range(n_regions)]
    industries = [f"I{i:02d}" for i in range(n_industries)]
    n = n_regions * n_industries
    mean = rng.gamma(2.0, 40.0, n) - 10.0
    spread = rng.uniform(5.0, 40.0, n)
    gaps = rng.normal(mean[:, None], spread[:, None], (n, n_samples))
    table = pd.DataFrame({
        "region": np.repeat(np.repeat(regions, n_industries), n_samples),
        "industry": np.repeat(np.tile(industries, n_regions), n_samples),
        "period": "2027Q4",
        "sample": np.tile(np.arange(n_samples), n),
        "gap": gaps.ravel(),
    })
    trades = pd.DataFrame({
        "industry": industries,
        "cost_per_trainee": rng.integers(5, 40, n_industries) * 100.0,
        "pass_rate": rng.uniform(0.5, 0.95, n_industries),
    })
    capacity = pd.DataFrame({"industry": industries,
                             "capacity": np.where(rng.random(n_industries) < 0.3,
                                                  rng.integers(20, 200, n_industries), np.inf)})
    min_quota = pd.DataFrame({"industry": industries,
                              "min_quota": np.where(rng.random(n_industries) < 0.2, 5.0, 0.0)})
    per_cell = dict(cost_per_trainee=trades[["industry", "cost_per_trainee"]],
                    pass_rate=trades[["industry", "pass_rate"]], capacity=capacity,
                    min_quota=min_quota)
    closing = float(np.sum(np.maximum(mean, 0) / np.tile(trades["pass_rate"], n_regions)
                           * np.tile(trades["cost_per_trainee"], n_regions)))
    rows = []
    programs = [f"P{i:02d}" for i in range(n_programs)]
    for p in programs:
        fed = rng.choice(industries, size=int(rng.integers(1, 5)), replace=False)
        share = rng.dirichlet(np.ones(fed.size))
        share[-1] = 1.0 - share[:-1].sum()
        rows += [(p, ind, s) for ind, s in zip(fed, share, strict=True)]
    crosswalk = pd.DataFrame(rows, columns=["program", "industry", "share"])
    per_programme = dict(
        cost_per_trainee=pd.DataFrame({"program": programs,
                                       "cost_per_trainee": rng.integers(5, 40, n_programs)
                                       * 100.0}),
        pass_rate=pd.DataFrame({"program": programs,
                                "pass_rate": rng.uniform(0.5, 0.95, n_programs)}),
        capacity=pd.DataFrame({"program": programs,
                               "capacity": np.where(rng.random(n_programs) < 0.3,
                                                    rng.integers(20, 200, n_programs),
                                                    np.inf)}),
        min_quota=pd.DataFrame({"program": programs,
                                "min_quota": np.where(rng.random(n_programs) < 0.2, 3.0,
                                                      0.0)}),
    )
    return table, crosswalk, per_cell, per_programme, 0.4 * closing


def _time(fn, repeat: int) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=32)
    parser.add_argument("--industries", type=int, default=40)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--programs", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--exact", action="store_true", help='also time integer="exact"')
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--note", default="", help="a line added under the table")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()

    table, crosswalk, per_cell, per_programme, budget = _inputs(
        args.regions, args.industries, args.samples, args.programs, args.seed)
    n_cells = args.regions * args.industries
    load = os.getloadavg()[0]
    integers = ["none", "round"] + (["exact"] if args.exact else [])
    rows = []
    for kind, extra in (("per cell", per_cell),
                        ("programmes", dict(per_programme, crosswalk=crosswalk))):
        for integer in integers:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                seconds, plan = _time(lambda extra=extra, integer=integer: allocate_quotas(
                    table, budget=budget, integer=integer, **extra), args.repeat)
            s = plan.summary
            rows.append(f"| {kind} | `{integer}` | {seconds:.2f} s | {len(plan.quotas):,} | "
                        f"{s['places']:,.0f} | {s['total_cost']:,.0f} of {budget:,.0f} | "
                        f"{s['shortfall_after']:,.1f} |")

    common = dict(keys=["region", "industry"], value="gap", period=None, budget=budget,
                  absorption=1.0, lead_time=0, risk="expected", quantile=None,
                  surplus_penalty=0.0, integer="round")
    problem = build_problem(table, **common, **per_cell)
    lp = solve_lp(problem)
    t_cell, _ = _time(lambda: round_places(problem, lp.places), args.repeat)
    network = build_network(table, crosswalk, **common, **per_programme)
    nlp = solve_network_lp(network)
    t_net, _ = _time(lambda: round_network(network, nlp.places), args.repeat)
    load = max(load, os.getloadavg()[0])

    body = f"""## Planning: quota plans on 1,280 cells x 1,000 sample paths

`python benchmarks/planning_speed.py --write` — {machine()}

{args.regions} regions x {args.industries} industries = {n_cells:,} cells, {args.samples:,} synthetic sample paths each ({len(table):,} rows of `region, industry, period, sample, gap`); programme plans: {args.programs} programmes feeding 1-4 industries each, in every region ({network.n_units:,} programme-regions, {network.edge_unit.size:,} crosswalk edges). Budget {budget:,.0f} (40% of closing every expected gap). Best of {args.repeat} runs of `allocate_quotas` (reading the table, LP, rounding, assembling the plan).

| plan | integer | time | rows of quotas | places | cost | shortfall after |
|---|---|---:|---:|---:|---:|---:|
{chr(10).join(rows)}

Rounding step alone (after the LP), best of {args.repeat}: per cell `round_places` {t_cell:.3f} s ({problem.n_cells:,} cells), programmes `round_network` {t_net:.3f} s ({network.n_units:,} programmes).
{'' if args.exact else 'integer="exact" not timed at this size (run with --exact).'}
Largest 1-minute load average seen: {load:.2f} on {os.cpu_count()} cores.
{args.note}
"""
    print(body)
    if args.write:
        write_section("planning_speed", body)


if __name__ == "__main__":
    main()
