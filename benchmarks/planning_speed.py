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

Multi-year plans (``--multiyear``): 5 funding years (2026-2030, lead time 1)
against the gap sample paths of need years 2027-2031, for ``R`` regions x
100 industries with 200 sample paths, annual budgets (about 30% of closing
every expected gap), per-industry costs and pass rates, and 50 shared
capacity groups (each industry in one group; a group's yearly capacity is
half its cells' mean yearly gap). Each size runs in its own process, so the
peak resident memory (``ru_maxrss``, which includes the input table) is that
plan's alone. Plans are continuous; the largest size is also planned in
whole places (``integer="round"``) and, continuous, with a policy need as
well (on a path to a target: per cell a level reached in 5 even steps)::

    python benchmarks/planning_speed.py --multiyear --sizes 10,20,40,80,340 --write

From 2,000 cells on, these plans are solved by classes of alike cells
(:mod:`talentgap.planning._multiyear_classes`); smaller ones by the full
program.

``--oracle R`` solves the same plan's first stage for ``R`` regions, then
times every cell's own program at the coupling rows' optimal prices (the
Lagrangian bound, equal to the optimum) and counts the cells whose optimum
is unique at those prices (the others are tied)::

    python benchmarks/planning_speed.py --oracle 20
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp

from talentgap.planning import allocate_quotas
from talentgap.planning._crosswalk import build_network
from talentgap.planning._multiyear_cells import check_cells, lagrangian
from talentgap.planning._multiyear_lp import build_program, solve
from talentgap.planning._multiyear_problem import build_years_problem
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


def _years_inputs(n_regions: int, n_industries: int, n_samples: int, n_groups: int,
                  seed: int, n_need: int = 5):
    """Sample paths of need years 2027-2031 and the plan's arguments (see the docstring)."""
    rng = np.random.default_rng(seed)
    n = n_regions * n_industries
    need_years = np.arange(2027, 2027 + n_need)
    n_t = need_years.size
    mean = (rng.gamma(2.0, 40.0, n)[:, None] * (1.0 + 0.08 * np.arange(n_t))[None, :] - 10.0)
    spread = rng.uniform(5.0, 40.0, n)
    gaps = mean[:, :, None] + spread[:, None, None] * rng.standard_normal((n, n_t, n_samples))
    regions = pd.Categorical([f"R{i:03d}" for i in range(n_regions)])
    industries = pd.Categorical([f"I{i:03d}" for i in range(n_industries)])
    per_cell = n_t * n_samples
    ordinals = pd.PeriodIndex([str(y) for y in need_years], freq="Y").asi8
    table = pd.DataFrame({
        "region": regions.take(np.repeat(np.arange(n_regions), n_industries * per_cell)),
        "industry": industries.take(np.tile(np.repeat(np.arange(n_industries), per_cell),
                                            n_regions)),
        "period": pd.arrays.PeriodArray(np.tile(np.repeat(ordinals, n_samples), n),
                                        dtype=pd.PeriodDtype("Y")),
        "sample": np.tile(np.arange(n_samples), n * n_t),
        "gap": gaps.ravel(),
    })
    del gaps
    names = [str(x) for x in industries]
    cost = rng.integers(5, 40, n_industries) * 100.0
    rate = rng.uniform(0.5, 0.95, n_industries)
    closing = float((np.maximum(mean, 0.0).sum(axis=1)
                     * np.tile(cost / rate, n_regions)).sum())
    funding = [str(y) for y in range(2026, 2031)]
    group_of = rng.integers(0, n_groups, n_industries)
    yearly_gap = np.bincount(np.tile(group_of, n_regions),
                             weights=np.maximum(mean, 0.0).mean(axis=1), minlength=n_groups)
    groups = pd.DataFrame({"group": [f"college{g:02d}" for g in group_of], "industry": names,
                           "capacity": 0.5 * yearly_gap[group_of]})
    kwargs = dict(
        periods=funding,
        budget=pd.DataFrame({"period": funding, "budget": 0.3 * closing / len(funding)}),
        cost_per_trainee=pd.DataFrame({"industry": names, "cost_per_trainee": cost}),
        pass_rate=pd.DataFrame({"industry": names, "pass_rate": rate}),
        capacity_groups=groups, lead_time=1, exit_rate=0.05, integer="none")
    return table, kwargs


class _Stages(logging.Handler):
    """Collects the stage times the multi-year planner logs at DEBUG level."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seconds: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        stage, seconds = record.args
        self.seconds[stage] = round(float(seconds), 2)


def _policy_need(table: pd.DataFrame, seed: int) -> pd.DataFrame:
    """A policy need on a path to a target year: per cell a level reached in 5 even steps
    over the need years (none in 40% of the cells)."""
    rng = np.random.default_rng(seed + 1)
    cells = table[["region", "industry", "period"]].drop_duplicates().reset_index(drop=True)
    cell = cells.groupby(["region", "industry"], observed=True).ngroup().to_numpy()
    step = cells["period"].dt.year.to_numpy() - cells["period"].dt.year.min() + 1
    level = np.where(rng.random(cell.max() + 1) < 0.4, 0.0,
                     rng.gamma(2.0, 30.0, cell.max() + 1))
    return cells.assign(policy_need=level[cell] * step / step.max())


def _one_multiyear(n_regions: int, n_samples: int, n_groups: int, seed: int,
                   integer: str = "none", policy: bool = False,
                   surplus_penalty: float = 0.0, cell_capacity: bool = False) -> dict:
    """Time one multi-year plan in this process; peak memory is this process's."""
    table, kwargs = _years_inputs(n_regions, 100, n_samples, n_groups, seed)
    kwargs["integer"] = integer
    kwargs["surplus_penalty"] = surplus_penalty
    if cell_capacity:
        kwargs["capacity"] = _cell_capacity(table, kwargs, seed)
    if policy:
        kwargs["policy_need"] = _policy_need(table, seed)
        kwargs["need_weights"] = {"market": 1.0, "policy": 0.5}
    stages = _Stages()
    log = logging.getLogger("talentgap.planning.multiyear")
    log.addHandler(stages)
    log.setLevel(logging.DEBUG)
    start = time.perf_counter()
    plan = allocate_quotas(table, **kwargs)
    seconds = time.perf_counter() - start
    s = plan.summary
    return {"regions": n_regions, "cells": n_regions * 100, "rows": len(table),
            "seconds": seconds, "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
            "cost": float(s["total_cost"]), "before": float(s["shortfall_before"]),
            "after": float(s["shortfall_after"]), "unique": bool(s["optimum_unique"]),
            "stages": stages.seconds, "load": os.getloadavg()[0]}


def _cell_capacity(table: pd.DataFrame, kwargs: dict, seed: int) -> pd.DataFrame:
    """Places per cell and funding year (a college's places per trade), the same in every
    region: for a third of the trades about the places a mid-sized cell would use, so that
    it binds for the larger cells of those trades; for the rest far above any need."""
    rng = np.random.default_rng(seed + 1)
    rate = kwargs["pass_rate"].set_index("industry")["pass_rate"]
    mean = table.groupby(["industry", "region"], observed=True)["gap"].mean().clip(lower=0)
    typical = mean.groupby(level="industry", observed=True).median()
    names = [str(x) for x in typical.index]
    tight = rng.random(len(names)) < 1 / 3
    rows = []
    for year, funding in enumerate(kwargs["periods"]):
        places = typical.to_numpy() / rate.loc[names].to_numpy() * (0.3 + 0.05 * year)
        rows.append(pd.DataFrame({"industry": names, "period": funding,
                                  "capacity": np.where(tight, places.round(1), 1e6)}))
    return pd.concat(rows, ignore_index=True)


def _one_single(n_regions: int, n_samples: int, seed: int) -> dict:
    """Time a one-budget single-period plan (the greedy fill) in this process."""
    table, kwargs = _years_inputs(n_regions, 100, n_samples, 50, seed, n_need=1)
    budget = float(kwargs["budget"]["budget"].sum()) / 5
    start = time.perf_counter()
    plan = allocate_quotas(table, budget=budget, cost_per_trainee=kwargs["cost_per_trainee"],
                           pass_rate=kwargs["pass_rate"], integer="round")
    return {"cells": n_regions * 100, "rows": len(table),
            "seconds": time.perf_counter() - start,
            "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
            "unique": bool(plan.summary["optimum_unique"]), "load": os.getloadavg()[0]}


def _oracle(n_regions: int, n_samples: int, seed: int) -> dict:
    """The per-cell price oracle at the LP's optimal prices: its time, bound and ties.

    Solves the plan's first stage as the planner does, then every cell's
    own program at the coupling rows' optimal prices (the Lagrangian bound,
    which must equal the optimum) and the optimality check of the LP's
    places there: how many cells have a unique optimum at those prices.
    """
    table, kwargs = _years_inputs(n_regions, 100, n_samples, 50, seed)
    kwargs = dict(kwargs)
    problem = build_years_problem(
        table, keys=["region", "industry"], value="gap", total_budget=None, absorption=1.0,
        capacity=None, min_quota=0, risk="expected", quantile=None, surplus_penalty=0.0,
        policy_need=None, need_weights=None, budget_envelopes=None, equity=None,
        tie_tolerance=1e-9, **kwargs)
    del table
    start = time.perf_counter()
    first = solve(problem, build_program(problem))
    lp_seconds = time.perf_counter() - start
    start = time.perf_counter()
    bound, _ = lagrangian(problem, first.row_value)
    oracle_seconds = time.perf_counter() - start
    rows = sp.vstack([f.matrix for f in problem.rows()], format="csr")
    start = time.perf_counter()
    optimal, unique = check_cells(problem, rows.T @ first.row_value, first.q)
    check_seconds = time.perf_counter() - start
    return {"cells": problem.n_cells, "lp_seconds": round(lp_seconds, 2),
            "objective": first.objective, "bound": bound,
            "oracle_seconds": round(oracle_seconds, 2), "check_seconds": round(check_seconds, 2),
            "optimal_share": float(optimal.mean()), "unique_share": float(unique.mean()),
            "load": os.getloadavg()[0]}


def _multiyear(args) -> None:
    rows, results, stages = [], [], []
    cmd = [sys.executable, __file__, "--single-one", "340", "--samples", str(args.samples),
           "--seed", str(args.seed)]
    single = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True,
                                       timeout=args.timeout).stdout.strip().splitlines()[-1])
    print(single, flush=True)
    for n_regions in (int(x) for x in args.sizes.split(",")):
        cmd = [sys.executable, __file__, "--multiyear-one", str(n_regions),
               "--samples", str(args.samples), "--seed", str(args.seed)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, check=True,
                                  timeout=args.timeout)
        except subprocess.TimeoutExpired:
            rows.append(f"| {n_regions * 100:,} | {n_regions * 100 * 5 * args.samples:,} | "
                        f"> {args.timeout:.0f} s (stopped) | | | | |")
            break
        r = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(r)
        rows.append(f"| {r['cells']:,} | {r['rows']:,} | {r['seconds']:.1f} s | "
                    f"{r['peak_gb']:.2f} GB | {r['cost']:,.0f} | "
                    f"{r['before']:,.0f} -> {r['after']:,.0f} | {r['unique']} |")
        stages.append(f"{r['cells']:,} cells: " + "; ".join(
            f"{name} {seconds:.1f} s" for name, seconds in r["stages"].items()))
        print(rows[-1], flush=True)
    whole = ""
    if results:
        cmd = [sys.executable, __file__, "--multiyear-one", str(results[-1]["regions"]),
               "--samples", str(args.samples), "--seed", str(args.seed), "--integer", "round"]
        r = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True,
                                      timeout=args.timeout).stdout.strip().splitlines()[-1])
        rounding = r["stages"].get("rounding to whole places", float("nan"))
        whole = (f"Whole places (`integer=\"round\"`, the default) at {r['cells']:,} cells: "
                 f"{r['seconds']:.1f} s in all ({rounding:.1f} s of it rounding), peak memory "
                 f"{r['peak_gb']:.2f} GB, expected shortfall {r['before']:,.0f} -> "
                 f"{r['after']:,.0f}.")
        print(whole, flush=True)
        cmd[-2:] = ["--policy", "yes"]
        r2 = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True,
                                       timeout=args.timeout).stdout.strip().splitlines()[-1])
        whole += (f"\nWith a policy need as well (per cell a level reached in 5 even steps over "
                  f"the need years, none in 40% of the cells; weight 0.5 against the market "
                  f"need), continuous places, at {r2['cells']:,} cells: {r2['seconds']:.1f} s, "
                  f"peak memory {r2['peak_gb']:.2f} GB, expected shortfall "
                  f"{r2['before']:,.0f} -> {r2['after']:,.0f}.")
        print(whole, flush=True)
        load_whole = max(r["load"], r2["load"])
    else:
        load_whole = 0.0
    load = max([os.getloadavg()[0], load_whole] + [r["load"] for r in results])
    scaling = ""
    if len(results) >= 2:
        a, b = results[0], results[-1]
        exponent = np.log(b["seconds"] / a["seconds"]) / np.log(b["cells"] / a["cells"])
        scaling = (f"Time grows as cells^{exponent:.2f} between {a['cells']:,} and "
                   f"{b['cells']:,} cells" + (
                       "." if b["cells"] >= 34_000 else
                       f"; extrapolated to 34,000 cells: "
                       f"~{b['seconds'] * (34_000 / b['cells']) ** exponent:,.0f} s."))
    stage_lines = "\n".join(f"- {line}" for line in stages)
    body = f"""## Planning: multi-year plans (5 funding years, {args.samples} sample paths, 50 capacity groups)

`python benchmarks/planning_speed.py --multiyear --sizes {args.sizes} --write` — {machine()}

R regions x 100 industries, need years 2027-2031 with {args.samples} synthetic sample paths per cell-year, funding years 2026-2030 (lead time 1, exits 5% a year), annual budgets (30% of closing every expected gap), per-industry costs and pass rates, 50 shared capacity groups; continuous places. One run per size, each in its own process: time of `allocate_quotas` (reading the table, solving, assembling), peak resident memory of the process (input table included).

| cells | sample rows | time | peak memory | cost | expected shortfall | unique |
|---:|---:|---:|---:|---:|---:|:---:|
{chr(10).join(rows)}

{scaling}
Stages (from the planner's DEBUG log):
{stage_lines}

{whole}
Single period, one budget, no crosswalk (solved by the greedy fill, no LP): {single['cells']:,} cells x {args.samples} sample paths ({single['rows']:,} rows), `integer="round"`: {single['seconds']:.1f} s, peak memory {single['peak_gb']:.2f} GB.
Target of the issue: 34,000 cells in < 60 s and < 4 GB on 2 cores.
Largest 1-minute load average seen: {load:.2f} on {os.cpu_count()} cores.
{args.note}
"""
    print(body)
    if args.write:
        write_section("planning_multiyear", body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--multiyear", action="store_true",
                        help="time multi-year plans instead (see the module docstring)")
    parser.add_argument("--sizes", default="5,10,20",
                        help="multi-year: regions (x 100 industries) per run, comma-separated")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="multi-year: stop a size after this many seconds")
    parser.add_argument("--multiyear-one", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--integer", default="none", help=argparse.SUPPRESS)
    parser.add_argument("--policy", default="", help=argparse.SUPPRESS)
    parser.add_argument("--single-one", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--cell-capacity", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--surplus-penalty", type=float, default=0.0,
                        help="with --multiyear-one: the plan's surplus_penalty")
    parser.add_argument("--oracle", type=int, default=0, metavar="R",
                        help="multi-year: time the per-cell price oracle at the LP's optimal "
                             "prices for R regions x 100 industries, and count tied cells")
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
    if args.oracle:
        samples = 200 if "--samples" not in sys.argv else args.samples
        print(json.dumps(_oracle(args.oracle, samples, args.seed)))
        return
    if args.multiyear_one or args.single_one:
        samples = 200 if args.samples == 1000 and "--samples" not in sys.argv else args.samples
        print(json.dumps(_one_multiyear(args.multiyear_one, samples, 50, args.seed,
                                        args.integer, bool(args.policy),
                                        args.surplus_penalty, args.cell_capacity)
                         if args.multiyear_one else _one_single(args.single_one, samples,
                                                                 args.seed)))
        return
    if args.multiyear:
        if "--samples" not in sys.argv:
            args.samples = 200
        _multiyear(args)
        return

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
