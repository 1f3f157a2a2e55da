"""Gap forecasts against the known truth of synthetic data.

For each seed: ``make_synthetic(n_regions=6, n_periods=28, lead_time=1, seed=s)``
(8 industries, 48 cells, quarterly), ``build_panel(..., lead_time=1,
absorption=ABSORPTION)``, the
last 4 periods held out, ``GapForecaster()`` (default AutoForecaster inside)
fitted on the rest and asked for 4 steps. Against the population gap of
``truth`` (not the survey estimate) it reports:

- coverage of the 80% and 95% gap intervals (targets 77-83% and 93-97% of
  cell-periods) and their mean width; the intervals are for the population
  gap (the sampling error of the demand estimates is taken out of the paths);
- for contrast, the coverage and width of the interval obtained by
  subtracting bounds, ``[demand_lo - supply_hi, demand_hi - supply_lo]``
  (what the joint sample paths replace);
- mean MASE of the gap forecast (``gap``, the paths' mean), of its
  ``gap_median`` (the paths' median, which an absolute error favours when
  the paths are skewed), and of seasonal naive and AutoForecaster fitted
  to the panel's gap directly. Scale: mean
  absolute lag-4 change of the cell's true gap before the cut (docs/methods.md).

With ``--new-trades`` (also part of ``--write``): the same setup with 8 regions and
three new trades (``live_streaming``, ``ecommerce``, ``industrial_robotics``) whose
cells start at a uniformly drawn quarter with fast growth
(``make_synthetic(..., new_trades=NEW_TRADES, new_trade_start=(14, 22))``: 2-10
quarters of history at the cut), and the 80% coverage of the truth by
history-length class (2-4, 5-8 and 9+ observed quarters at the cut): of the
``GapForecaster`` gap intervals, and of ``AutoForecaster`` fitted to the panel's
demand (its own conformal intervals) against the true demand. Target 72-88%
in every class.

Run::

    python benchmarks/gap_truth.py              # print the table
    python benchmarks/gap_truth.py --write      # also update RESULTS.md
    python benchmarks/gap_truth.py --seeds 0 1 2
    python benchmarks/gap_truth.py --new-trades  # only the history-length classes
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import talentgap as tg
from talentgap.models.gap import GapForecaster

try:
    from benchmarks._results import machine, write_section
except ModuleNotFoundError:  # run as a script from the benchmarks folder
    from _results import machine, write_section

KEYS = ["region", "industry"]
HORIZON = 4
SEASON = 4
#: The share of certified workers the panel counts as supply. The truth's supply is the
#: workers who stay in their cell, ``Binomial(certified, a_c)`` with ``a_c ~ U(0.75, 0.95)``
#: per cell; a bureau knows the typical rate from tracer surveys, not each cell's.
ABSORPTION = 0.85


def _inside(y, lo, hi) -> np.ndarray:
    return (y >= lo) & (y <= hi)


def _mase(merged: pd.DataFrame, column: str) -> float:
    """Mean over cells of mean |true gap - forecast| / the cell's scale."""
    error = (merged["true_gap"] - merged[column]).abs()
    per_cell = error.groupby([merged[k].astype(str) for k in KEYS]).mean()
    return float((per_cell / merged.groupby([merged[k].astype(str) for k in KEYS])["scale"]
                  .first()).mean())


def run(seed: int) -> dict[str, float]:
    data = tg.datasets.make_synthetic(n_regions=6, n_periods=28, lead_time=1, seed=seed)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1,
                                    absorption=ABSORPTION)
    cut = panel["period"].max() - HORIZON
    train = panel[panel["period"] <= cut]

    start = time.perf_counter()
    out = GapForecaster().fit(train).predict(HORIZON, level=[80, 95])
    seconds = time.perf_counter() - start

    truth = data.truth.assign(**{k: data.truth[k].astype(str) for k in KEYS})
    history = truth[truth["period"] <= cut]
    lagged = history.groupby(KEYS)["gap"].diff(SEASON).abs()
    scale = lagged.groupby([history[k] for k in KEYS]).mean().rename("scale").reset_index()
    future = truth[truth["period"] > cut][[*KEYS, "period", "gap"]].rename(
        columns={"gap": "true_gap"})

    snaive = tg.models.SeasonalNaive().fit(train, target="gap", keys=KEYS).predict(HORIZON)
    auto = tg.models.AutoForecaster().fit(train, target="gap", keys=KEYS).predict(HORIZON)
    merged = out.assign(**{k: out[k].astype(str) for k in KEYS})
    for name, frame in (("snaive", snaive), ("auto_gap", auto)):
        frame = frame.assign(**{k: frame[k].astype(str) for k in KEYS})
        merged = merged.merge(frame[[*KEYS, "period", "mean"]].rename(columns={"mean": name}),
                              on=[*KEYS, "period"], validate="1:1")
    merged = merged.merge(future, on=[*KEYS, "period"], validate="1:1")
    merged = merged.merge(scale, on=KEYS, validate="m:1")

    y = merged["true_gap"]
    sub_lo = merged["demand_lo_80"] - merged["supply_hi_80"]
    sub_hi = merged["demand_hi_80"] - merged["supply_lo_80"]
    return {
        "seed": seed,
        "cell-periods": len(merged),
        "cov80": float(_inside(y, merged["gap_lo_80"], merged["gap_hi_80"]).mean()),
        "cov95": float(_inside(y, merged["gap_lo_95"], merged["gap_hi_95"]).mean()),
        "width80": float((merged["gap_hi_80"] - merged["gap_lo_80"]).mean()),
        "sub_cov80": float(_inside(y, sub_lo, sub_hi).mean()),
        "sub_width80": float((sub_hi - sub_lo).mean()),
        "mase_gap": _mase(merged, "gap"),
        "mase_gap_median": _mase(merged, "gap_median"),
        "mase_snaive": _mase(merged, "snaive"),
        "mase_auto_gap": _mase(merged, "auto_gap"),
        "seconds": seconds,
    }


NEW_TRADES = ("live_streaming", "ecommerce", "industrial_robotics")
#: History-length classes at the cut: (label, fewest, most observed periods).
CLASSES = (("2-4", 2, 4), ("5-8", 5, 8), ("9+", 9, 10_000))


def run_new_trades(seed: int) -> pd.DataFrame:
    """Per history class: cell-periods, 80% coverage of gap and demand, mean widths."""
    data = tg.datasets.make_synthetic(n_regions=8, n_periods=28, lead_time=1, seed=seed,
                                      new_trades=NEW_TRADES, new_trade_start=(14, 22))
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1,
                                    absorption=ABSORPTION)
    cut = panel["period"].max() - HORIZON
    train = panel[panel["period"] <= cut]
    gap = GapForecaster().fit(train).predict(HORIZON, level=[80])
    demand = tg.models.AutoForecaster().fit(
        train.dropna(subset=["demand"]), target="demand", keys=KEYS).predict(HORIZON, level=[80])
    n_obs = train.dropna(subset=["demand"]).groupby(KEYS, observed=True)["period"].agg(
        lambda p: (p.max() - p.min()).n + 1).rename("n_obs").reset_index()

    def strings(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(**{k: frame[k].astype(str) for k in KEYS})

    truth = strings(data.truth)[[*KEYS, "period", "gap", "demand"]].rename(
        columns={"gap": "true_gap", "demand": "true_demand"})
    merged = strings(gap).merge(
        strings(demand)[[*KEYS, "period", "lo_80", "hi_80"]], on=[*KEYS, "period"],
        validate="1:1").merge(truth, on=[*KEYS, "period"], validate="1:1").merge(
        strings(n_obs), on=KEYS, validate="m:1")
    rows = []
    for label, low, high in CLASSES:
        part = merged[merged["n_obs"].between(low, high)]
        rows.append({
            "seed": seed, "class": label, "cell-periods": len(part),
            "gap_cov80": float(_inside(part["true_gap"], part["gap_lo_80"],
                                       part["gap_hi_80"]).sum()),
            "gap_width": float((part["gap_hi_80"] - part["gap_lo_80"]).sum()),
            "demand_cov80": float(_inside(part["true_demand"], part["lo_80"],
                                          part["hi_80"]).sum()),
            "rel_width": float(((part["hi_80"] - part["lo_80"])
                                / part["true_demand"].clip(lower=1)).sum()),
        })
    return pd.DataFrame(rows)


def class_table(frames: list[pd.DataFrame]) -> str:
    """Coverage pooled over seeds per class, with the range over seeds."""
    every = pd.concat(frames)
    lines = ["| history at the cut | cell-periods | GapForecaster gap: 80% coverage "
             "(seed range) | AutoForecaster demand: 80% coverage (seed range) | "
             "demand 80% width / true demand |",
             "|---|---:|---:|---:|---:|"]
    for label, _, _ in CLASSES:
        part = every[every["class"] == label]
        n = part["cell-periods"]
        per_seed = part[n > 0]
        gap_seed = per_seed["gap_cov80"] / per_seed["cell-periods"]
        dem_seed = per_seed["demand_cov80"] / per_seed["cell-periods"]
        lines.append(
            f"| {label} quarters | {n.sum():.0f} | {part['gap_cov80'].sum() / n.sum():.3f} "
            f"({gap_seed.min():.2f}-{gap_seed.max():.2f}) | "
            f"{part['demand_cov80'].sum() / n.sum():.3f} "
            f"({dem_seed.min():.2f}-{dem_seed.max():.2f}) | "
            f"{part['rel_width'].sum() / n.sum():.2f} |")
    return "\n".join(lines)


def table(rows: list[dict[str, float]]) -> str:
    header = ("| seed | cell-periods | 80% coverage | 95% coverage | 80% width | "
              "subtracted bounds: 80% coverage | subtracted: width | MASE GapForecaster | "
              "MASE its gap_median | MASE seasonal naive on gap | MASE AutoForecaster on gap | "
              "seconds |\n"
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    lines = [header]
    frame = pd.DataFrame(rows)
    for row in [*rows, {"seed": "mean", **frame.drop(columns="seed").mean().to_dict()}]:
        lines.append(
            f"| {row['seed']} | {row['cell-periods']:.0f} | {row['cov80']:.3f} | "
            f"{row['cov95']:.3f} | {row['width80']:.0f} | {row['sub_cov80']:.3f} | "
            f"{row['sub_width80']:.0f} | {row['mase_gap']:.3f} | {row['mase_gap_median']:.3f} | "
            f"{row['mase_snaive']:.3f} | "
            f"{row['mase_auto_gap']:.3f} | {row['seconds']:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--new-trades", action="store_true",
                        help="only the coverage by history-length class")
    args = parser.parse_args()
    classes = class_table([run_new_trades(seed) for seed in args.seeds])
    if args.new_trades and not args.write:
        print(classes)
        return
    rows = [run(seed) for seed in args.seeds]
    body = (
        "## Gap forecasts vs the synthetic truth\n\n"
        f"`python benchmarks/gap_truth.py --write` — {machine()}\n\n"
        "`make_synthetic(n_regions=6, n_periods=28, lead_time=1, seed=s)` (48 cells), "
        f"`build_panel(..., lead_time=1, absorption={ABSORPTION})` (the truth's supply "
        "keeps each cell's own absorbed share, drawn from U(0.75, 0.95)), last 4 quarters "
        "held out, `GapForecaster()` (default AutoForecaster, 1000 joint sample paths) "
        "fitted on the rest; scored against the population gap of `truth`. The paths are "
        "for the population: the sampling error of the demand estimates (the panel's "
        "`demand_se`) is taken out of them (docs/methods.md, the gap model, step 6). Target: 80% intervals cover "
        "77-83%, 95% intervals 93-97%, MASE below seasonal naive's. \"Subtracted bounds\" is "
        "`[demand_lo_80 - supply_hi_80, demand_hi_80 - supply_lo_80]`, shown for contrast. "
        "MASE scale: mean |lag-4 change| of the cell's true gap before the cut. The "
        "forecast's `gap` is the mean of the paths (what a plan's expected shortfall "
        "uses); an absolute error is smallest for the median, `gap_median`, when the "
        "paths are skewed.\n\n"
        + table(rows)
        + "\n\n### New trades: 80% coverage by history length\n\n"
        "`make_synthetic(n_regions=8, n_periods=28, lead_time=1, seed=s, "
        "new_trades=(\"live_streaming\", \"ecommerce\", \"industrial_robotics\"), "
        "new_trade_start=(14, 22))`, panels as above: the new trades' cells start at a random quarter with "
        "fast growth (2-10 quarters of history at the cut); last 4 quarters held out; "
        "coverage of the truth pooled over the seeds above, by the number of periods the "
        "cell had observed at the cut. Target 72-88% in every class. AutoForecaster's "
        "intervals calibrate short series on windows of as many periods of the longer "
        "ones (docs/methods.md, forecast intervals, step 7); the GapForecaster's sample "
        "paths draw every cell's errors from the pool of all cells; a cell under two "
        "seasons, or with no backtest error it can be scaled by without look-ahead, has its "
        "paths stretched to its history class's interval on each side (docs/methods.md, "
        "the gap model, step 5).\n\n"
        + classes
    )
    print(body)
    if args.write:
        write_section("gap_truth", body)


if __name__ == "__main__":
    main()
