"""Coverage of design-based 95% intervals of cell totals against the synthetic truth.

For each seed: ``make_synthetic(n_regions=4, industries=4, n_periods=8, seed=s,
design=True, sample_fraction=f)`` (strata region x industry x size band, large
enterprises taken with certainty, population counts per stratum), then
``estimate_cells(surveys, design=data.design)``. For the totals ``demand``,
``vacancies`` and ``employees`` of every surveyed cell-period it reports the
share of cells whose interval covers the population total of ``truth``
(target of the issue: 93-97%) for three intervals:

- ``normal``: ``estimate +- 1.96 SE``;
- ``t``: ``talentgap.features.confidence_interval(..., method="t")``,
  ``estimate +- t SE`` on the cell's Satterthwaite degrees of freedom
  ``<total>_df``;
- ``default``: ``confidence_interval`` with its default (``method="auto"``,
  for totals the log-scale ``t`` interval whose upper bound counts one more
  reported unit at the cell's mean weight);

and ``mean(SE^2) / mean((estimate - truth)^2)`` (near 1 when the variance
estimator is unbiased), the median width of the ``t`` and default intervals
relative to the estimate, the coverage of each interval by respondents per
cell, and what the misses of the ``t`` interval are: below the truth (the
estimate too low) or above, and in sampled cells with SE 0.

Run::

    python benchmarks/survey_design_coverage.py              # print the table
    python benchmarks/survey_design_coverage.py --write      # also update RESULTS.md
    python benchmarks/survey_design_coverage.py --seeds 200 --fractions 0.15 0.4
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
import pandas as pd

try:
    from benchmarks._results import machine, write_section
except ImportError:  # run as a script from the benchmarks folder
    from _results import machine, write_section

from talentgap.datasets import make_synthetic
from talentgap.features import confidence_interval, estimate_cells

TOTALS = {"demand": "demand", "vacancies": "vacancies", "employees": "employees"}
INTERVALS = ("normal", "t", "default")
CLASSES = ([0, 5, 10, 20, 40, np.inf], ["1-5", "6-10", "11-20", "21-40", "41+"])


def _covers(lo: np.ndarray, hi: np.ndarray, truth: np.ndarray) -> np.ndarray:
    return (lo - 1e-9 <= truth) & (truth <= hi + 1e-9)


def run(seeds: int, fraction: float) -> pd.DataFrame:
    parts = []
    for seed in range(seeds):
        data = make_synthetic(n_regions=4, industries=4, n_periods=8, seed=seed, design=True,
                              sample_fraction=fraction)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lonely-PSU notes, if any
            cells = estimate_cells(data.surveys, design=data.design)
        truth = data.truth.set_index([data.truth["region"].astype(str),
                                      data.truth["industry"].astype(str), "period"])
        where = list(zip(cells["region"].astype(str), cells["industry"].astype(str),
                         cells["period"], strict=True))
        for name, true in TOTALS.items():
            truth_values = truth.loc[where, true].to_numpy()
            estimate = cells[name].to_numpy()
            se = cells[f"{name}_se"].to_numpy()
            t = confidence_interval(cells, name, level=95, method="t").to_numpy().T
            default = confidence_interval(cells, name, level=95).to_numpy().T
            with np.errstate(invalid="ignore", divide="ignore"):
                parts.append(pd.DataFrame({
                    "total": name, "error2": (estimate - truth_values) ** 2, "variance": se**2,
                    "normal": _covers(estimate - 1.96 * se, estimate + 1.96 * se, truth_values),
                    "t": _covers(*t, truth_values),
                    "default": _covers(*default, truth_values),
                    "width_t": (t[1] - t[0]) / estimate,
                    "width_default": (default[1] - default[0]) / estimate,
                    "below": truth_values > t[1] + 1e-9,
                    "se0": (se == 0) & ~cells["take_all"].to_numpy(),
                    "n": cells["n_respondents"].to_numpy(),
                }))
    return pd.concat(parts, ignore_index=True)


def _by_class(result: pd.DataFrame, column: str) -> str:
    table = result.groupby("respondents", observed=True)[column].agg(["mean", "size"])
    return ", ".join(f"{k}: {v['mean']:.3f}" for k, v in table.iterrows())


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
             "Intervals: normal = estimate +- 1.96 SE; t = `confidence_interval(method=\"t\")` "
             "(t on the Satterthwaite df); default = `confidence_interval()` (log scale, upper "
             "bound with one more reported unit at the cell's mean weight). Width: median of "
             "(upper - lower) / estimate.", "",
             "| sample fraction | total | cells | normal | t | default | mean SE² / MSE "
             "| width t | width default |",
             "|---|---|---|---|---|---|---|---|---|"]
    notes = []
    for fraction in args.fractions:
        start = time.perf_counter()
        result = run(args.seeds, fraction)
        seconds = time.perf_counter() - start
        for name, part in result.groupby("total", sort=False):
            lines.append(f"| {fraction:g} | {name} | {len(part)} | {part['normal'].mean():.3f} "
                         f"| {part['t'].mean():.3f} | {part['default'].mean():.3f} "
                         f"| {part['variance'].mean() / part['error2'].mean():.3f} "
                         f"| {part['width_t'].median():.2f} "
                         f"| {part['width_default'].median():.2f} |")
        result["respondents"] = pd.cut(result["n"], CLASSES[0], labels=CLASSES[1])
        counts = result.groupby("respondents", observed=True).size()
        notes.append(f"- fraction {fraction:g} ({seconds:.1f} s), coverage by respondents per "
                     "cell (cells: " + ", ".join(f"{k}: {v}" for k, v in counts.items()) + ")")
        notes += [f"  - {interval}: {_by_class(result, interval)}" for interval in INTERVALS]
        missed = result[~result["t"]]
        notes.append(f"  - misses of t: {len(missed)}, {missed['below'].mean():.0%} with the "
                     f"truth above the interval; {missed['se0'].mean():.0%} in sampled cells "
                     f"with SE 0 (respondents all alike), whose t coverage is "
                     f"{result.loc[result['se0'], 't'].mean():.3f} and default coverage "
                     f"{result.loc[result['se0'], 'default'].mean():.3f} "
                     f"({int(result['se0'].sum())} cells)")
    lines += ["", *notes]
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("survey_design_coverage", body)


if __name__ == "__main__":
    main()
