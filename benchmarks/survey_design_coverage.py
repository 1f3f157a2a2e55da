"""Coverage of design-based 95% intervals of cell totals against the synthetic truth.

For each seed: ``make_synthetic(n_regions=4, industries=4, n_periods=8, seed=s,
design=True, sample_fraction=f)`` (strata region x industry x size band, large
enterprises taken with certainty, population counts per stratum), then
``estimate_cells(surveys, design=data.design)``. For the totals ``demand``,
``vacancies`` and ``employees`` of every surveyed cell-period it reports

- the share of cells whose interval ``estimate +- 1.96 SE`` covers the
  population total of ``truth`` (target of the issue: 93-97%);
- ``mean(SE^2) / mean((estimate - truth)^2)``: near 1 when the variance
  estimator is unbiased;
- coverage by respondents per cell;
- for contrast, the coverage of ``estimate +- t SE`` with the Satterthwaite
  degrees of freedom of each cell, ``(sum_h v_h)^2 / sum_h v_h^2 / (n_h - 1)``
  over its strata (computed here, not by the library: the synthetic strata
  are nested in the cells, so ``v_h`` is the variance of stratum h).

Run::

    python benchmarks/survey_design_coverage.py              # print the table
    python benchmarks/survey_design_coverage.py --write      # also update RESULTS.md
    python benchmarks/survey_design_coverage.py --seeds 200 --fractions 0.15 0.4
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd
from scipy import stats

try:
    from benchmarks._results import machine, write_section
except ImportError:  # run as a script from the benchmarks folder
    from _results import machine, write_section

from talentgap.datasets import make_synthetic
from talentgap.features import estimate_cells

TOTALS = {"demand": "demand", "vacancies": "vacancies", "employees": "employees"}


def _satterthwaite(surveys: pd.DataFrame, column: str) -> pd.Series:
    """Degrees of freedom per (region, industry, period) from its strata's variances."""
    rows = surveys.assign(wy=surveys["weight"] * surveys[column],
                          region=surveys["region"].astype(str),
                          industry=surveys["industry"].astype(str))
    by = rows.groupby(["region", "industry", "period", "size_band"], observed=True)
    n = by["wy"].size()
    share = 1 - n / by["population"].first()
    v = (share * n * by["wy"].var(ddof=1)).fillna(0.0)  # = (1-f) n/(n-1) sum (wy - mean)^2
    cell = ["region", "industry", "period"]
    top = v.groupby(level=cell).sum() ** 2
    bottom = (v**2 / (n - 1)).where(n > 1, 0.0).groupby(level=cell).sum()
    return top / bottom


def run(seeds: int, fraction: float) -> pd.DataFrame:
    parts = []
    for seed in range(seeds):
        data = make_synthetic(n_regions=4, industries=4, n_periods=8, seed=seed, design=True,
                              sample_fraction=fraction)
        cells = estimate_cells(data.surveys, design=data.design)
        truth = data.truth.set_index([data.truth["region"].astype(str),
                                      data.truth["industry"].astype(str), "period"])
        where = list(zip(cells["region"].astype(str), cells["industry"].astype(str),
                         cells["period"], strict=True))
        for name, true in TOTALS.items():
            error = cells[name].to_numpy() - truth.loc[where, true].to_numpy()
            se = cells[f"{name}_se"].to_numpy()
            df = _satterthwaite(data.surveys, "hard_to_fill" if name == "demand" else name)
            df = df.reindex(pd.MultiIndex.from_tuples(where)).to_numpy()
            t = stats.t.ppf(0.975, np.where(np.isfinite(df) & (df > 0), df, np.inf))
            parts.append(pd.DataFrame({
                "total": name, "error2": error**2, "variance": se**2,
                "covered": np.abs(error) <= 1.96 * se + 1e-9,
                "covered_t": np.abs(error) <= t * se + 1e-9,
                "n": cells["n_respondents"].to_numpy(),
            }))
    return pd.concat(parts, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.15, 0.4])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    lines = ["## Survey design: coverage of 95% intervals of cell totals (synthetic truth)", "",
             f"`python benchmarks/survey_design_coverage.py --seeds {args.seeds} --fractions "
             f"{' '.join(map(str, args.fractions))}`; {machine()}; load average "
             f"{os.getloadavg()[0]:.2f} at the start (shared machine).", "",
             "| sample fraction | total | cells | coverage (1.96 SE) | coverage (t, Satterthwaite df) "
             "| mean SE² / MSE |",
             "|---|---|---|---|---|---|"]
    by_size = []
    for fraction in args.fractions:
        start = time.perf_counter()
        result = run(args.seeds, fraction)
        seconds = time.perf_counter() - start
        for name, part in result.groupby("total", sort=False):
            lines.append(f"| {fraction:g} | {name} | {len(part)} | {part['covered'].mean():.3f} "
                         f"| {part['covered_t'].mean():.3f} "
                         f"| {part['variance'].mean() / part['error2'].mean():.3f} |")
        result["respondents"] = pd.cut(result["n"], [0, 5, 10, 20, 40, np.inf],
                                       labels=["1-5", "6-10", "11-20", "21-40", "41+"])
        table = result.groupby("respondents", observed=True)["covered"].agg(["mean", "size"])
        by_size.append(f"- fraction {fraction:g} ({seconds:.1f} s), coverage by respondents "
                       "per cell: " + ", ".join(f"{k}: {v['mean']:.3f} ({int(v['size'])})"
                                                for k, v in table.iterrows()))
    lines += ["", *by_size]
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("survey_design_coverage", body)


if __name__ == "__main__":
    main()
