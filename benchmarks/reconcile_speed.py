"""Speed and memory of WLS-structural reconciliation of a large crossed hierarchy.

340 regions -> 34 provinces -> all, crossed with 100 industries -> 10 sectors
-> all: 34,000 bottom cells and (340+34+1) x (100+10+1) = 41,625 nodes. Base
forecasts for every node (bottom cells random, aggregates their sums times
random noise, so they are incoherent) for a few periods are reconciled with
``method="wls_struct"`` (sparse summing matrix, conjugate gradients); an OLS
run is timed for comparison.

Targets: ``Hierarchy.from_mappings`` + ``reconcile`` < 30 s wall time and
< 4 GB peak memory.

Run::

    python benchmarks/reconcile_speed.py            # print the results
    python benchmarks/reconcile_speed.py --write    # also update benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from talentgap.models.reconciliation import Hierarchy, reconcile

try:
    from benchmarks._results import machine, write_section
except ModuleNotFoundError:  # run as a script from the benchmarks folder
    from _results import machine, write_section


def _maxrss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


def _problem(n_regions: int, n_provinces: int, n_industries: int, n_sectors: int):
    regions = [f"R{i:04d}" for i in range(n_regions)]
    industries = [f"I{i:03d}" for i in range(n_industries)]
    cells = pd.MultiIndex.from_product([regions, industries],
                                       names=["region", "industry"]).to_frame(index=False)
    levels = {
        "region": pd.DataFrame({"region": regions, "province": [
            f"P{i * n_provinces // n_regions:03d}" for i in range(n_regions)]}),
        "industry": pd.DataFrame({"industry": industries, "sector": [
            f"S{i * n_sectors // n_industries:02d}" for i in range(n_industries)]}),
    }
    return cells, levels


def _forecasts(hier: Hierarchy, n_periods: int, seed: int) -> pd.DataFrame:
    """Incoherent base forecasts: random bottom values, noisy sums above them."""
    rng = np.random.default_rng(seed)
    bottom = rng.uniform(0, 100, (hier.n_bottom, n_periods))
    values = (hier.S @ bottom) * rng.lognormal(0, 0.1, (hier.n_nodes, n_periods))
    values[:hier.n_bottom] = bottom
    nodes = hier.nodes[hier.node_columns]
    periods = pd.period_range("2026", periods=n_periods, freq="Y")
    return pd.concat([nodes.assign(period=p, mean=values[:, t], lo_80=values[:, t] * 0.8,
                                   hi_80=values[:, t] * 1.2)
                      for t, p in enumerate(periods)], ignore_index=True)


def _run(cells, levels, forecasts, method):
    start = time.perf_counter()
    hier = Hierarchy.from_mappings(cells, levels)
    built = time.perf_counter()
    result = reconcile(forecasts, hier, method=method)
    done = time.perf_counter()
    return hier, result, built - start, done - built


def _by_period(frame: pd.DataFrame, column: str = "mean") -> np.ndarray:
    """(n_nodes, n_periods); the frames here list every node in hierarchy order per period."""
    return np.column_stack([rows[column].to_numpy() for _, rows in frame.groupby("period")])


def _checks(hier: Hierarchy, forecasts: pd.DataFrame, result) -> tuple[float, float]:
    """Largest |node - sum of its reconciled cells|, and the relative residual of the
    WLS-structural normal equations ``S' W^-1 (y^ - y~) = 0`` (optimality)."""
    base, out = _by_period(forecasts), _by_period(result.forecasts)
    coherence = float(np.abs(hier.S @ out[:hier.n_bottom] - out).max())
    inverse = 1.0 / hier.nodes["n_cells"].to_numpy()[:, None]
    residual = hier.S.T @ (inverse * (base - out))
    return coherence, float(np.linalg.norm(residual) / np.linalg.norm(hier.S.T @ (inverse * base)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=340)
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--industries", type=int, default=100)
    parser.add_argument("--sectors", type=int, default=10)
    parser.add_argument("--periods", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()

    rss_start = _maxrss_mb()
    cells, levels = _problem(args.regions, args.provinces, args.industries, args.sectors)
    hier = Hierarchy.from_mappings(cells, levels)
    forecasts = _forecasts(hier, args.periods, args.seed)
    del hier
    gc.collect()
    rss_inputs = _maxrss_mb()

    hier, result, t_build, t_wls = _run(cells, levels, forecasts, "wls_struct")
    rss_after = _maxrss_mb()
    _, ols, _, t_ols = _run(cells, levels, forecasts, "ols")
    error, optimality = _checks(hier, forecasts, result)
    moved = np.abs(result.forecasts["mean"] - forecasts["mean"]).max()

    # non-negative projection: totals at half the bottom sums push many cells below 0
    low = forecasts.copy()
    low.loc[low["region_level"].ne("region") | low["industry_level"].ne("industry"),
            "mean"] *= 0.5
    nonneg = {}
    for method in ("wls_struct", "ols"):
        start = time.perf_counter()
        projected = reconcile(low, hier, method=method, nonnegative=True)
        nonneg[method] = (time.perf_counter() - start, projected)

    gc.collect()
    tracemalloc.start()
    _run(cells, levels, forecasts, "wls_struct")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    total = t_build + t_wls
    n_rows = len(forecasts)
    body = f"""## Reconciliation: WLS-structural on a 34,000-cell crossed hierarchy

`python benchmarks/reconcile_speed.py --write` — {machine()}

{args.regions} regions -> {args.provinces} provinces -> all x {args.industries} industries -> {args.sectors} sectors -> all; random incoherent base forecasts (with `lo_80`/`hi_80`) for every node and {args.periods} periods.

| | value | target |
|---|---:|---:|
| bottom cells / nodes | {hier.n_bottom:,} / {hier.n_nodes:,} | |
| nonzeros of the sparse S | {hier.S.nnz:,} | |
| forecast rows reconciled | {n_rows:,} | |
| `Hierarchy.from_mappings` | {t_build:.2f} s | |
| `reconcile(method="wls_struct")` | {t_wls:.2f} s | |
| build + WLS-structural | **{total:.2f} s** | < 30 s |
| `reconcile(method="ols")` (same S, for comparison) | {t_ols:.2f} s | |
| peak traced memory (tracemalloc) during build + WLS | **{peak / 1e6:,.0f} MB** | < 4,000 MB |
| process peak RSS (getrusage maxrss): at start / with inputs / after build + WLS | {rss_start:,.0f} / {rss_inputs:,.0f} / {rss_after:,.0f} MB | < 4,000 MB |
| largest \\|node - sum of its reconciled cells\\| | {error:.1e} | <= 1e-6 |
| relative residual of the normal equations (CG optimality) | {optimality:.1e} | |
| largest change of a forecast by reconciliation | {moved:,.1f} | |
| `nonnegative=True`, WLS-structural, totals halved: negative cell-periods before projection / time | {nonneg["wls_struct"][1].n_negative:,} / {nonneg["wls_struct"][0]:.2f} s | |
| `nonnegative=True`, OLS, totals halved: negative cell-periods before projection / time | {nonneg["ols"][1].n_negative:,} / {nonneg["ols"][0]:.2f} s | |

Single runs; the traced run is separate from the timed ones.
"""
    print(body)
    if args.write:
        write_section("reconcile_speed", body)


if __name__ == "__main__":
    main()
