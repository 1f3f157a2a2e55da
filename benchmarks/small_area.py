"""Fay-Herriot shrinkage against direct survey estimates, scored on the synthetic truth.

``make_synthetic`` knows each cell's population shortage rate, so the mean
squared error of the direct estimates (``estimate_cells``) and of the
shrunken ones (``shrink``) can be measured against the truth, overall and in
thin cells (<= 3 respondents).

Run::

    python benchmarks/small_area.py            # print the table
    python benchmarks/small_area.py --write    # also update benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse

import numpy as np

import talentgap as tg

try:
    from benchmarks._results import machine, write_section
except ModuleNotFoundError:  # run as a script from the benchmarks folder
    from _results import machine, write_section


def measure(seed: int, sample_fraction: float) -> dict[str, float]:
    data = tg.datasets.make_synthetic(n_regions=8, n_periods=8,
                                      sample_fraction=sample_fraction, seed=seed)
    cells = tg.features.shrink(tg.features.estimate_cells(data.surveys),
                               target="shortage_rate")
    truth = data.truth.set_index(["region", "industry", "period"])["shortage_rate"]
    true = truth.reindex(cells.set_index(["region", "industry", "period"]).index).to_numpy()
    direct, shrunk = cells["shortage_rate"].to_numpy(), cells["shortage_rate_fh"].to_numpy()
    thin = cells["n_respondents"].to_numpy() <= 3
    return {
        "cells": len(cells),
        "thin": int(thin.sum()),
        "direct": float(np.mean((direct - true) ** 2)),
        "fh": float(np.mean((shrunk - true) ** 2)),
        "direct_thin": float(np.mean((direct[thin] - true[thin]) ** 2)),
        "fh_thin": float(np.mean((shrunk[thin] - true[thin]) ** 2)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    lines = [
        "## Small-area shrinkage: Fay-Herriot vs direct estimates of the shortage rate",
        "",
        f"`python benchmarks/small_area.py --write` — {machine()}",
        "",
        "`make_synthetic(n_regions=8, n_periods=8, sample_fraction=f, seed=s)`, 8 industries; "
        "MSE against the population truth (rates on 0-1).",
        "",
        "| f | seed | cell-periods | thin (<= 3 resp.) | MSE direct | MSE FH | ratio "
        "| thin: direct | thin: FH | thin ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for fraction in (0.04, 0.15):
        for seed in (0, 1, 2):
            r = measure(seed, fraction)
            lines.append(
                f"| {fraction} | {seed} | {r['cells']} | {r['thin']} | {r['direct']:.4f} | "
                f"{r['fh']:.4f} | {r['fh'] / r['direct']:.2f} | {r['direct_thin']:.4f} | "
                f"{r['fh_thin']:.4f} | {r['fh_thin'] / r['direct_thin']:.2f} |")
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("small_area", body)


if __name__ == "__main__":
    main()
