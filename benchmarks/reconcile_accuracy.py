"""Does reconciliation cost accuracy at the bottom level? Scored on synthetic data.

``make_synthetic`` cells are grouped region -> province and industry ->
sector; survey-estimated demand is summed to every node of the crossed
hierarchy, the last 4 quarters are held out, AutoForecaster forecasts every
node, and the base forecasts are reconciled (``nonnegative=True``). For each
seed and variant the bottom-level MASE after reconciliation is compared with
that of the base forecasts, against the true demand of ``make_synthetic``
and against the held-out survey estimates; the largest incoherence (node
minus the sum of its cells) is reported before and after.

Variants: ``ols`` and ``wls_struct`` (no residuals), and ``wls_var`` and
``mint_shrink`` with three sets of backtest errors of every node as
residuals: one-step errors of the last 5 origins (``cv_errors(1)``), the
first step of the 4-step backtest (what GapForecaster passes), and all 4
steps of that backtest pooled (a table with ``horizon_step``). Seeds are
paired: every variant reconciles the same base forecasts, so differences
between variants are compared seed by seed (mean difference and Wilcoxon
signed-rank test).

Target (issue 5): reconciliation makes the bottom level no more than 2% worse
(MASE) while making the totals coherent.

Run::

    python benchmarks/reconcile_accuracy.py                # seeds 0..39, print the tables
    python benchmarks/reconcile_accuracy.py --first-seed 40 --seeds 20   # other seeds
    python benchmarks/reconcile_accuracy.py --write       # also update benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd
from scipy import stats

import talentgap as tg

try:
    from benchmarks._results import machine, write_section
except ModuleNotFoundError:  # run as a script from the benchmarks folder
    from _results import machine, write_section

HORIZON = 4
SEASON = 4
NODES = ["region", "region_level", "industry", "industry_level"]
#: The residual sets (see _residual_sets) and how the tables name them.
RESIDUALS = {
    "recent": "last 1-step: one-step errors of the last 5 origins (`cv_errors(1)`)",
    "first": "step 1 of 4: the first step of each origin of the 4-step backtest "
             "(`cv_errors(4)[:, :, 0]`, what GapForecaster passes)",
    "pooled": "steps 1-4: all 4 steps of that backtest, pooled (a table with `horizon_step`)",
}
#: (label, method, residual set) in table order.
VARIANTS = (
    ("ols", "ols", None),
    ("wls_struct", "wls_struct", None),
    ("wls_var, last 1-step", "wls_var", "recent"),
    ("wls_var, step 1 of 4", "wls_var", "first"),
    ("wls_var, steps 1-4", "wls_var", "pooled"),
    ("mint_shrink, last 1-step", "mint_shrink", "recent"),
    ("mint_shrink, step 1 of 4", "mint_shrink", "first"),
    ("mint_shrink, steps 1-4", "mint_shrink", "pooled"),
)
#: What GapForecaster does by default: the reference of the paired comparisons.
REFERENCE = "mint_shrink, step 1 of 4"


def _mappings(panel: pd.DataFrame) -> dict:
    regions = sorted(panel["region"].astype(str).unique())
    industries = sorted(panel["industry"].astype(str).unique())
    return {
        "region": {r: f"province_{i % 3}" for i, r in enumerate(regions)},
        "industry": {s: f"sector_{i % 2}" for i, s in enumerate(industries)},
    }


def _by_cell(frame: pd.DataFrame, cells: pd.DataFrame, periods, column: str) -> np.ndarray:
    """``column`` as an (n_cells, n_periods) array in the order of ``cells`` (NaN if absent)."""
    keyed = frame.assign(region=frame["region"].astype(str),
                         industry=frame["industry"].astype(str))
    table = keyed.pivot_table(index=["region", "industry"], columns="period", values=column)
    rows = pd.MultiIndex.from_frame(cells[["region", "industry"]].astype(str))
    return table.reindex(index=rows, columns=periods).to_numpy(dtype=np.float64)


def _mase(forecast: np.ndarray, actual: np.ndarray, scale: np.ndarray) -> float:
    """Mean over cells of mean |actual - forecast| / scale; arrays (n_cells, horizon)."""
    return float(np.mean(np.abs(actual - forecast).mean(axis=1) / scale))


def _seasonal_scale(history: np.ndarray) -> np.ndarray:
    """Mean absolute seasonal (lag 4) difference of each row of (n_cells, n_periods)."""
    return np.nanmean(np.abs(history[:, SEASON:] - history[:, :-SEASON]), axis=1)


def _incoherence(forecast: pd.DataFrame, hierarchy) -> float:
    """Largest |node - sum of its cells| over nodes and periods."""
    ordered = hierarchy.nodes.merge(forecast, on=hierarchy.node_columns, how="left")
    worst = 0.0
    for _, block in ordered.groupby("period"):
        values = block["mean"].to_numpy()
        worst = max(worst, float(np.max(np.abs(hierarchy.S @ values[: hierarchy.n_bottom]
                                               - values))))
    return worst


def _error_table(model, errors: np.ndarray, steps: int) -> pd.DataFrame:
    """Backtest errors (n_nodes, windows, horizon) as a table: node columns, period,
    horizon_step, residual. Window k's step h forecasts ``last - horizon - k + h``."""
    ids = model.arrays_.ids[NODES].astype(str)
    last = np.asarray(model.arrays_.last_period)
    horizon = errors.shape[2]
    frames = []
    for k in range(errors.shape[1]):
        for h in range(steps):
            frame = ids.copy()
            frame["period"] = pd.PeriodIndex.from_ordinals(last - horizon - k + h + 1,
                                                           freq=model.arrays_.freq)
            frame["horizon_step"] = h + 1
            frame["residual"] = errors[:, k, h]
            frames.append(frame)
    return pd.concat(frames, ignore_index=True).dropna(subset=["residual"])


def _residual_sets(model) -> dict[str, pd.DataFrame]:
    backtest = model.cv_errors(HORIZON)
    return {"recent": _error_table(model, model.cv_errors(1), 1),
            "first": _error_table(model, backtest, 1),
            "pooled": _error_table(model, backtest, HORIZON)}


def measure(seed: int) -> list[dict]:
    data = tg.datasets.make_synthetic(n_regions=6, n_periods=28, seed=seed)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    levels = _mappings(panel)
    totals = tg.features.aggregate(panel, levels=levels, values=["demand"])
    last = totals["period"].max()
    train = totals[totals["period"] <= last - HORIZON]
    test_periods = pd.period_range(last - HORIZON + 1, last, freq=last.freq)
    hierarchy = tg.models.Hierarchy.from_mappings(
        panel[["region", "industry"]].astype(str).drop_duplicates(), levels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tg.errors.DataQualityWarning)
        model = tg.models.AutoForecaster().fit(train, target="demand", keys=NODES)
        base = model.predict(HORIZON)
        residuals = _residual_sets(model)

    cells = hierarchy.bottom
    bottom_rows = totals[(totals["region_level"] == "region")
                         & (totals["industry_level"] == "industry")]
    history_periods = pd.period_range(totals["period"].min(), last - HORIZON, freq=last.freq)
    truth = data.truth
    actual = {
        "truth": (_by_cell(truth, cells, test_periods, "demand"),
                  _seasonal_scale(_by_cell(truth, cells, history_periods, "demand"))),
        "survey": (_by_cell(bottom_rows, cells, test_periods, "demand"),
                   _seasonal_scale(_by_cell(bottom_rows, cells, history_periods, "demand"))),
    }
    base_bottom = _by_cell(base, cells, test_periods, "mean")
    before = {name: _mase(base_bottom, y, scale) for name, (y, scale) in actual.items()}
    incoherent_before = _incoherence(base, hierarchy)

    rows = []
    for label, method, which in VARIANTS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", tg.errors.DataQualityWarning)
            result = tg.models.reconcile(base, hierarchy, method=method, nonnegative=True,
                                         residuals=None if which is None else residuals[which])
        floored = sum(issubclass(w.category, tg.errors.DataQualityWarning) for w in caught)
        bottom = _by_cell(result.forecasts, cells, test_periods, "mean")
        row = {"seed": seed, "variant": label, "shrinkage": result.shrinkage,
               "n_adjusted": result.n_adjusted, "zero_residual_warnings": floored,
               "incoherent_before": incoherent_before,
               "incoherent_after": _incoherence(result.forecasts, hierarchy)}
        for name, (y, scale) in actual.items():
            row[f"base_{name}"] = before[name]
            row[f"change_{name}"] = 100 * (_mase(bottom, y, scale) / before[name] - 1)
        rows.append(row)
    return rows


def _summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per variant: mean, 95% t-interval, worst seed, seeds above +2%, and the paired
    difference to REFERENCE with its Wilcoxon signed-rank p-value."""
    out = []
    reference = table[table["variant"] == REFERENCE].set_index("seed")
    for label, _, _ in VARIANTS:
        rows = table[table["variant"] == label].set_index("seed")
        entry = {"variant": label}
        for name in ("truth", "survey"):
            change = rows[f"change_{name}"]
            half = stats.t.ppf(0.975, len(change) - 1) * change.std(ddof=1) / np.sqrt(len(change))
            difference = change - reference[f"change_{name}"].reindex(change.index)
            p = (stats.wilcoxon(difference).pvalue if (difference != 0).any() else np.nan)
            entry |= {f"{name}_mean": change.mean(), f"{name}_half": half,
                      f"{name}_worst": change.max(), f"{name}_over": int((change > 2).sum()),
                      f"{name}_diff": difference.mean(), f"{name}_p": p}
        entry |= {"shrinkage": rows["shrinkage"].mean(), "n_adjusted": rows["n_adjusted"].sum(),
                  "floored": int(rows["zero_residual_warnings"].gt(0).sum()),
                  "incoherent_after": rows["incoherent_after"].max()}
        out.append(entry)
    return pd.DataFrame(out)


def _report(table: pd.DataFrame, seeds: list[int]) -> str:
    summary = _summary(table)
    n = len(seeds)
    base = table.drop_duplicates("seed")
    lines = [
        "## Reconciliation: bottom-level accuracy and coherence (synthetic demand)",
        "",
        f"`python benchmarks/reconcile_accuracy.py --write` — {machine()}",
        "",
        f"`make_synthetic(n_regions=6, n_periods=28, seed=s)` for {n} seeds "
        f"({seeds[0]}..{seeds[-1]}): 48 cells, regions -> 3 provinces, industries -> 2 "
        "sectors (110 nodes); last 4 quarters held out; AutoForecaster (5 backtest origins) at "
        "every node; `reconcile(..., nonnegative=True)`. Change = bottom MASE after "
        "reconciliation / bottom MASE of the base forecasts - 1, per seed; MASE against the "
        "true demand (`truth`) and against the held-out survey estimates (`survey`), scaled by "
        "each cell's mean seasonal difference before the cut. Base bottom MASE: truth "
        f"{base['base_truth'].mean():.3f}, survey {base['base_survey'].mean():.3f} (mean over "
        "seeds). Target: at most 2% worse. Paired = mean over seeds of (change of the variant "
        f"- change of *{REFERENCE}*, GapForecaster's default), with the Wilcoxon "
        "signed-rank p-value.",
        "",
        "Residuals: " + "; ".join(RESIDUALS.values()) + ".",
        "",
        "| variant | truth: mean change [95% CI] | worst seed | seeds > +2% | paired "
        "(p) | survey: mean change | worst seed | paired (p) | mean shrinkage | "
        "cell-periods projected | max incoherence after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in summary.itertuples(index=False):
        def paired(diff, p):
            return "—" if np.isnan(p) else f"{diff:+.2f} pp ({p:.2g})"
        shrink = "" if np.isnan(r.shrinkage) else f"{r.shrinkage:.2f}"
        lines.append(
            f"| {r.variant} | {r.truth_mean:+.2f}% [{r.truth_mean - r.truth_half:+.2f}, "
            f"{r.truth_mean + r.truth_half:+.2f}] | {r.truth_worst:+.1f}% | {r.truth_over}/{n} "
            f"| {paired(r.truth_diff, r.truth_p)} | {r.survey_mean:+.2f}% | "
            f"{r.survey_worst:+.1f}% | {paired(r.survey_diff, r.survey_p)} | {shrink} | "
            f"{r.n_adjusted} | {r.incoherent_after:.1g} |")
    incoherent = table.drop_duplicates("seed")["incoherent_before"]
    floored = summary.loc[summary["floored"] > 0, ["variant", "floored"]]
    lines += [
        "",
        f"Largest incoherence of the base forecasts: {incoherent.min():,.0f} to "
        f"{incoherent.max():,.0f} (demand units) per seed; after reconciliation: the last "
        "column. Cell-periods projected: bottom values the non-negative projection changed, "
        f"all seeds ({n} x 48 x 4 = {n * 192:,} in all)."
        + ("" if floored.empty else " Seeds where some node had only zero residuals (its "
           "variance set to the smallest positive one of the other nodes): " + "; ".join(
               f"{r.variant}: {r.floored}" for r in floored.itertuples()) + "."),
        "",
        "Change per seed (truth / survey, %):",
        "",
        "| seed | " + " | ".join(label for label, _, _ in VARIANTS) + " |",
        "|---:|" + "---:|" * len(VARIANTS),
    ]
    for seed, rows in table.groupby("seed", sort=True):
        rows = rows.set_index("variant")
        lines.append(f"| {seed} | " + " | ".join(
            f"{rows.at[label, 'change_truth']:+.1f} / {rows.at[label, 'change_survey']:+.1f}"
            for label, _, _ in VARIANTS) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=40, help="number of seeds (default 40)")
    parser.add_argument("--first-seed", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    table = pd.DataFrame([row for seed in seeds for row in measure(seed)])
    body = _report(table, seeds)
    print(body)
    if args.write:
        write_section("reconcile_accuracy", body)


if __name__ == "__main__":
    main()
