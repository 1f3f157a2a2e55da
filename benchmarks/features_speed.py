"""Speed and memory of the survey side of ``build_panel`` on 5 million survey rows.

Compares, in one process on the same rows, the survey part of
:func:`talentgap.features.build_panel` (every estimate with its standard
error, plus the complete cell x period grid) with ONE plain pandas weighted
``groupby(...).sum()`` of hard-to-fill vacancies on the same keys (with a
Period-typed period key).

Targets: time ratio <= 1.0, and peak memory traced during ``build_panel``
<= 2.5 x the input frame.

The same comparison is repeated with ``region`` and ``industry`` as plain
string columns (a raw table, as from a CSV read without
:func:`talentgap.io.read_table`). ``build_panel`` then validates the table
first (:func:`talentgap.schema.validate`, which makes the keys
categorical); ``build_panel`` on the validated table is timed on its own,
so the table shows how much of the string-key time is the estimate.

Run::

    python benchmarks/features_speed.py            # print the results
    python benchmarks/features_speed.py --write    # also update benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc

import numpy as np

from talentgap.datasets import make_synthetic
from talentgap.features import build_panel
from talentgap.schema import validate

try:
    from benchmarks._results import machine, write_section
except ModuleNotFoundError:  # run as a script from the benchmarks folder
    from _results import machine, write_section


def _surveys(n_rows: int, n_regions: int, n_industries: int, n_periods: int, seed: int):
    """Synthetic survey rows, trimmed to exactly ``n_rows``."""
    cells = n_regions * n_industries
    per_cell = n_rows / (cells * n_periods)
    sample_fraction = 0.15
    data = make_synthetic(n_regions=n_regions, industries=n_industries, n_periods=n_periods,
                          enterprises_per_cell=int(np.ceil(per_cell / sample_fraction * 1.1)),
                          sample_fraction=sample_fraction, seed=seed)
    surveys = data.surveys
    if len(surveys) > n_rows:
        keep = np.sort(np.random.default_rng(seed).choice(len(surveys), n_rows, replace=False))
        surveys = surveys.iloc[keep].reset_index(drop=True)
    return surveys


def _naive(surveys):
    weighted = surveys["weight"] * surveys["hard_to_fill"]
    return weighted.groupby([surveys["region"], surveys["industry"], surveys["period"]],
                            observed=True).sum()


def _time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _string_keys(surveys, repeats: int, raw_repeats: int) -> tuple[float, float, float]:
    """Times with region and industry as plain strings: groupby, raw and validated table."""
    text = surveys.astype({"region": str, "industry": str})
    validated = validate(text, table="surveys", freq="Q")
    naive = _time(lambda: _naive(text), repeats)
    ours_validated = _time(lambda: build_panel(validated), repeats)
    ours_raw = _time(lambda: build_panel(text), raw_repeats)
    return naive, ours_raw, ours_validated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--regions", type=int, default=340)
    parser.add_argument("--industries", type=int, default=100)
    parser.add_argument("--periods", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--string-repeats", type=int, default=1,
                        help="runs of the (slow, validation-bound) string-key comparison")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()

    surveys = _surveys(args.rows, args.regions, args.industries, args.periods, args.seed)
    input_bytes = int(surveys.memory_usage(deep=True).sum())
    panel = build_panel(surveys)  # warm-up, and the shape for the report
    naive = _time(lambda: _naive(surveys), args.repeats)
    ours = _time(lambda: build_panel(surveys), args.repeats)

    gc.collect()
    tracemalloc.start()
    build_panel(surveys)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    ratio, memory = ours / naive, peak / input_bytes

    naive_text, ours_text, ours_validated = _string_keys(surveys, args.repeats,
                                                        args.string_repeats)
    body = f"""## Survey estimates: `build_panel` (survey part) vs one pandas groupby-sum

`python benchmarks/features_speed.py --write` — {machine()}

| | value | target |
|---|---:|---:|
| survey rows | {len(surveys):,} | 5,000,000 |
| cells x periods in the panel | {len(panel):,} ({args.regions} regions x {args.industries} industries x {args.periods} quarters) | |
| input frame | {input_bytes / 1e6:,.0f} MB | |
| one pandas weighted `groupby(region, industry, period).sum()` | {naive:.2f} s | |
| `build_panel(surveys)`: 7 estimates + 7 SEs + complete grid | {ours:.2f} s | |
| time ratio | **{ratio:.2f}** | <= 1.0 |
| peak traced memory during `build_panel` | {peak / 1e6:,.0f} MB = **{memory:.2f} x input** | <= 2.5 x |
| *`region`, `industry` as plain strings:* the same groupby-sum | {naive_text:.2f} s | |
| `build_panel` on that raw table: `schema.validate` first, then the estimate | {ours_text:.2f} s (ratio {ours_text / naive_text:.1f}) | |
| `build_panel` on the validated table (keys made categorical) | {ours_validated:.2f} s (ratio {ours_validated / naive_text:.2f}) | |

Median of {args.repeats} runs each ({args.string_repeats} for `build_panel` on the raw
string-key table), same process, same rows (sorted by cell, as `make_synthetic` writes them).
With plain string keys nearly all the time goes to `schema.validate` checking the raw table;
the estimate on the validated table is the last row.
"""
    print(body)
    if args.write:
        write_section("features_speed", body)


if __name__ == "__main__":
    main()
