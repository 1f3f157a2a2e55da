"""Speed and memory of calibrated (GREG) standard errors in ``estimate_cells``.

The surveys of ``make_synthetic(..., design=True)`` are raked to the
register's region and industry margins (``calibrate_weights(surveys, frame,
margins=["region", "industry"], bounds=None, design=...)``), then
``estimate_cells(calibrated, design=...)`` (7 estimates, 7 calibrated SEs and
4 degrees of freedom per cell-period) is timed and its peak traced memory
(``tracemalloc``) measured, against the same call with ``calibration=False``
(the design SEs of the final weights). Two designs:

* ``synthetic``: the design of ``make_synthetic``, strata cell x
  ``size_band`` (take-all large enterprises, population counts), each
  enterprise its own PSU: many small strata;
* ``parks``: strata ``region`` x ``size_band``, PSUs "industrial parks" of
  the enterprises of a stratum (``--parks`` per stratum), no population
  counts: few strata, clusters of several enterprises.

Two sizes: the small case (8 regions x 6 industries x 8 quarters, about
10,600 rows) and a national one (``--regions 340 --industries 100``,
``--per-cell 8``: about 140,000 enterprises per quarter, ``--periods``
quarters).

Run::

    python benchmarks/calibration_speed.py                  # print the results
    python benchmarks/calibration_speed.py --write          # also update RESULTS.md
    python benchmarks/calibration_speed.py --regions 85     # a quarter of the national case
"""

from __future__ import annotations

import argparse
import sys
import warnings

from talentgap.datasets import make_synthetic
from talentgap.features import SurveyDesign, calibrate_weights, estimate_cells

try:
    from benchmarks._results import (
        load_average,
        machine,
        median_seconds,
        peak_traced,
        write_section,
    )
except ModuleNotFoundError:  # run as a script from the benchmarks folder
    from _results import load_average, machine, median_seconds, peak_traced, write_section

PARKS = SurveyDesign(strata=("region", "size_band"), psu="park")


def _case(n_regions: int, n_industries: int, n_periods: int, per_cell: int, design: str,
          parks: int, seed: int):
    """Calibrated surveys and the design to estimate them with."""
    data = make_synthetic(n_regions=n_regions, industries=n_industries, n_periods=n_periods,
                          enterprises_per_cell=per_cell, design=True, seed=seed)
    surveys = data.surveys
    if design == "parks":
        number = surveys["enterprise_id"].astype(str).str.extract(r"(\d+)$")[0].astype(int)
        surveys = surveys.assign(park=surveys["region"].astype(str) + "/"
                                 + surveys["size_band"].astype(str) + "/"
                                 + (number % parks).astype(str))
        chosen = PARKS
    else:
        chosen = data.design
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lonely strata of a small sample, said once below
        calibrated = calibrate_weights(surveys, data.frame, margins=["region", "industry"],
                                       bounds=None, design=chosen)
    return calibrated, chosen


def _measure(surveys, design, repeats: int, memory: bool) -> dict:
    def calibrated():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return estimate_cells(surveys, design=design)

    def plain():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return estimate_cells(surveys, design=design, calibration=False)

    cells = calibrated()  # warm-up, and the shape for the report
    out = {"rows": len(surveys), "cells": len(cells),
           "periods": surveys["period"].nunique(),
           "strata": surveys.groupby([*design.strata_columns, "period"], observed=True).ngroups,
           "psus": surveys.groupby([design.psu or "enterprise_id", "period"],
                                   observed=True).ngroups,
           "calibrated": median_seconds(calibrated, repeats), "plain": median_seconds(plain, repeats)}
    if memory:
        out["peak"] = peak_traced(calibrated)
        out["peak_plain"] = peak_traced(plain)
        out["input"] = int(surveys.memory_usage(deep=True).sum())
    return out


def _row(name: str, m: dict) -> str:
    peak = (f"{m['peak'] / 1e6:,.0f} MB ({m['peak_plain'] / 1e6:,.0f} MB uncalibrated; "
            f"input {m['input'] / 1e6:,.0f} MB)" if "peak" in m else "not measured")
    return (f"| {name} | {m['rows']:,} | {m['cells']:,} | {m['strata']:,} / {m['psus']:,} | "
            f"{m['calibrated']:.2f} s | {m['plain']:.2f} s | {peak} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=340)
    parser.add_argument("--industries", type=int, default=100)
    parser.add_argument("--periods", type=int, default=1)
    parser.add_argument("--per-cell", type=int, default=8,
                        help="enterprises_per_cell of make_synthetic for the national case")
    parser.add_argument("--parks", type=int, default=20, help="PSUs per stratum ('parks')")
    parser.add_argument("--designs", default="synthetic,parks")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--large-repeats", type=int, default=1)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--no-large-memory", action="store_true",
                        help="skip tracemalloc on the national case (it slows the run)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()

    load_before = load_average()
    lines = []
    for design in args.designs.split(","):
        surveys, chosen = _case(8, 6, 8, 120, design, args.parks, args.seed)
        lines.append(_row(f"8 x 6 cells, 8 quarters, `{design}`",
                          _measure(surveys, chosen, args.repeats, True)))
        print(lines[-1], flush=True)
        if args.skip_large:
            continue
        surveys, chosen = _case(args.regions, args.industries, args.periods, args.per_cell,
                                design, args.parks, args.seed)
        lines.append(_row(f"{args.regions} x {args.industries} cells, {args.periods} "
                          f"quarter(s), `{design}`",
                          _measure(surveys, chosen, args.large_repeats,
                                   not args.no_large_memory)))
        print(lines[-1], flush=True)
    body = f"""## Calibrated standard errors (GREG) in `estimate_cells`

`python benchmarks/calibration_speed.py {" ".join(sys.argv[1:])}` — {machine()}; load average
{load_before} at the start, {load_average()} at the end

| case, design | survey rows | cell-periods | strata / PSUs | calibrated | `calibration=False` | peak traced memory, calibrated |
|---|---:|---:|---:|---:|---:|---|
{chr(10).join(lines)}

Surveys of `make_synthetic(..., design=True)` raked to the register's region and industry
margins; `estimate_cells(calibrated, design=...)`: 7 estimates, 7 SEs and 4 degrees of
freedom per cell-period. Median of {args.repeats} runs (small case) and {args.large_repeats}
(national case), same process.
"""
    print(body)
    if args.write:
        write_section("calibration_speed", body)


if __name__ == "__main__":
    main()
