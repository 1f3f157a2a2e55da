"""Speed of AutoForecaster on many short series: 10,000 quarterly series of length 40.

Fit + predict(h=8, level=[80, 95]) with ``n_jobs=2``. Target: < 10 s on 2 cores.
The series are seeded random walks with drift, seasonality and noise at
different scales, so every candidate model has real work to do.

Run::

    python benchmarks/forecast_speed.py            # print the result
    python benchmarks/forecast_speed.py --write    # also update benchmarks/RESULTS.md
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


def make_series(n_series: int, length: int, seed: int) -> pd.DataFrame:
    """Long table of positive quarterly series with trend, seasonality and noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    level = rng.lognormal(4, 1.5, n_series)[:, None]
    drift = rng.normal(0, 0.01, n_series)[:, None] * t
    season = rng.uniform(0, 0.3, n_series)[:, None] * np.sin(
        2 * np.pi * (t + rng.integers(0, 4, n_series)[:, None]) / 4)
    walk = np.cumsum(rng.normal(0, 0.05, (n_series, length)), axis=1)
    values = level * np.exp(drift + season + walk)
    periods = pd.period_range("2015Q1", periods=length, freq="Q")
    return pd.DataFrame({
        "series_id": np.repeat(np.arange(n_series), length),
        "period": np.tile(periods, n_series),
        "value": values.ravel(),
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--length", type=int, default=40)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()

    df = make_series(args.series, args.length, seed=0)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tg.errors.DataQualityWarning)
        fc = tg.models.AutoForecaster(n_jobs=args.n_jobs).fit(df, keys=["series_id"])
        out = fc.predict(8, level=[80, 95])
    elapsed = time.perf_counter() - start
    assert len(out) == args.series * 8 and out["mean"].notna().all()
    body = f"""## Forecast speed: AutoForecaster on {args.series:,} quarterly series of length {args.length}

`python benchmarks/forecast_speed.py --write` — {machine()}

| | value | target |
|---|---:|---:|
| fit + predict(h=8, level=[80, 95]), n_jobs={args.n_jobs} | **{elapsed:.1f} s** | < 10 s |
| series per second | {args.series / elapsed:,.0f} | |

Candidates: {", ".join(fc.candidates_)}; {fc.n_windows} backtest origins each.
"""
    print(body)
    if args.write:
        write_section("forecast_speed", body)


if __name__ == "__main__":
    main()
