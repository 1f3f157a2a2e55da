"""Does reconciliation cost accuracy at the bottom level? Scored on synthetic data.

``make_synthetic`` cells are grouped region -> province and industry ->
sector; demand is summed to every node of the crossed hierarchy, the last
4 quarters are held out, AutoForecaster forecasts every node, and the base
forecasts are reconciled. Reported: bottom-level MASE before and after, the
change in percent, and the largest incoherence (node minus the sum of its
cells) before and after.

Target (issue 5): reconciliation makes the bottom level no more than 2% worse
(MASE) while making the totals coherent.

Run::

    python benchmarks/reconcile_accuracy.py            # print the table
    python benchmarks/reconcile_accuracy.py --write    # also update benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

import talentgap as tg

try:
    from benchmarks._results import machine, write_section
except ModuleNotFoundError:  # run as a script from the benchmarks folder
    from _results import machine, write_section

HORIZON = 4


def _mappings(panel: pd.DataFrame) -> dict:
    regions = sorted(panel["region"].astype(str).unique())
    industries = sorted(panel["industry"].astype(str).unique())
    return {
        "region": {r: f"province_{i % 3}" for i, r in enumerate(regions)},
        "industry": {s: f"sector_{i % 2}" for i, s in enumerate(industries)},
    }


def _bottom_mase(forecast: pd.DataFrame, actual: pd.DataFrame, train: pd.DataFrame,
                 nodes: list[str]) -> float:
    bottom = forecast[(forecast["region_level"] == "region")
                      & (forecast["industry_level"] == "industry")]
    merged = bottom.merge(actual, on=[*nodes, "period"])
    scale = (train.sort_values("period").groupby(nodes, observed=True)["demand"]
             .apply(lambda s: np.mean(np.abs(s.to_numpy()[4:] - s.to_numpy()[:-4]))))
    errors = (merged["mean"] - merged["demand"]).abs().groupby(
        [merged[c] for c in nodes], observed=True).mean()
    return float((errors / scale.reindex(errors.index)).mean())


def _incoherence(forecast: pd.DataFrame, hierarchy, value: str = "mean") -> float:
    ordered = hierarchy.nodes.merge(forecast, on=hierarchy.node_columns, how="left")
    worst = 0.0
    for _, block in ordered.groupby("period"):
        values = block[value].to_numpy()
        bottom = values[: hierarchy.n_bottom]
        worst = max(worst, float(np.max(np.abs(hierarchy.S @ bottom - values))))
    return worst


def measure(seed: int, methods: tuple[str, ...]) -> list[dict]:
    data = tg.datasets.make_synthetic(n_regions=6, n_periods=28, seed=seed)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    levels = _mappings(panel)
    totals = tg.features.aggregate(panel, levels=levels, values=["demand"])
    nodes = ["region", "region_level", "industry", "industry_level"]
    last = totals["period"].max()
    train = totals[totals["period"] <= last - HORIZON]
    test = totals[totals["period"] > last - HORIZON]
    hierarchy = tg.models.Hierarchy.from_mappings(
        panel[["region", "industry"]].astype(str).drop_duplicates(), levels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tg.errors.DataQualityWarning)
        model = tg.models.AutoForecaster().fit(train, target="demand", keys=nodes)
        base = model.predict(HORIZON)
        residual_frame = _residuals(model, nodes)
    base_mase = _bottom_mase(base, test[[*nodes, "period", "demand"]], train, nodes)
    rows = []
    for method in methods:
        result = tg.models.reconcile(base, hierarchy, method=method,
                                     residuals=residual_frame, nonnegative=True)
        after = _bottom_mase(result.forecasts, test[[*nodes, "period", "demand"]], train, nodes)
        rows.append({"seed": seed, "method": method, "base": base_mase, "reconciled": after,
                     "change": 100 * (after / base_mase - 1),
                     "incoherent_before": _incoherence(base, hierarchy),
                     "incoherent_after": _incoherence(result.forecasts, hierarchy)})
    return rows


def _residuals(model, nodes: list[str]) -> pd.DataFrame:
    """One-step backtest errors of every node, as a long table (node columns, period)."""
    errors = model.cv_errors(1)[:, :, 0]                 # (n_nodes, windows)
    ids = model.arrays_.ids.astype(str)
    last = model.arrays_.last_period
    frames = []
    for k in range(errors.shape[1]):
        frame = ids.copy()
        frame["period"] = pd.PeriodIndex.from_ordinals(last - k, freq=model.arrays_.freq)
        frame["residual"] = errors[:, k]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).dropna(subset=["residual"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    methods = ("wls_struct", "wls_var", "mint_shrink")
    table = pd.DataFrame([row for seed in args.seeds for row in measure(seed, methods)])
    lines = [
        "## Reconciliation: bottom-level accuracy and coherence (synthetic demand)",
        "",
        f"`python benchmarks/reconcile_accuracy.py --write` — {machine()}",
        "",
        "`make_synthetic(n_regions=6, n_periods=28)`, regions -> 3 provinces, industries -> "
        "2 sectors; last 4 quarters held out; AutoForecaster at every node; "
        "`reconcile(..., nonnegative=True)`. Target: bottom MASE at most 2% worse.",
        "",
        "| seed | method | bottom MASE base | reconciled | change | max incoherence before "
        "| after |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in table.itertuples(index=False):
        lines.append(f"| {r.seed} | {r.method} | {r.base:.3f} | {r.reconciled:.3f} | "
                     f"{r.change:+.1f}% | {r.incoherent_before:.1f} | "
                     f"{r.incoherent_after:.2g} |")
    mean = table.groupby("method", sort=False)["change"].mean()
    lines += ["", "Mean change by method: " + ", ".join(f"{m} {v:+.1f}%"
                                                     for m, v in mean.items())]
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("reconcile_accuracy", body)


if __name__ == "__main__":
    main()
