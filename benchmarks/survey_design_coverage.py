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
- the coverage of the library's 95% confidence interval
  (``talentgap.features.confidence_interval``: ``estimate +- t SE`` with the
  cell's Satterthwaite degrees of freedom ``<total>_df`` from
  ``estimate_cells``).

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

try:
    from benchmarks._results import machine, write_section
except ImportError:  # run as a script from the benchmarks folder
    from _results import machine, write_section

from talentgap.datasets import make_synthetic
from talentgap.features import confidence_interval, estimate_cells

TOTALS = {"demand": "demand", "vacancies": "vacancies", "employees": "employees"}


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
            bounds = confidence_interval(cells, name, level=95)
            lo, hi = bounds[f"{name}_lo_95"].to_numpy(), bounds[f"{name}_hi_95"].to_numpy()
            truth_values = truth.loc[where, true].to_numpy()
            parts.append(pd.DataFrame({
                "total": name, "error2": error**2, "variance": se**2,
                "covered": np.abs(error) <= 1.96 * se + 1e-9,
                "covered_t": (lo - 1e-9 <= truth_values) & (truth_values <= hi + 1e-9),
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
             "| sample fraction | total | cells | coverage (1.96 SE) | coverage (confidence_interval: t, Satterthwaite df) "
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
