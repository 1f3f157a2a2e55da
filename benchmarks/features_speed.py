"""Speed and memory of survey validation + estimation on 5 million survey rows.

Compares, in one process on the same rows (shuffled: unsorted, as a file
arrives), talentgap's survey estimates with ONE plain pandas weighted
``groupby(...).sum()`` of hard-to-fill vacancies on the same keys (with a
Period-typed period key):

* ``build_panel(surveys)`` on the table with categorical keys: every
  schema rule is checked (on a table with canonical dtypes in its cheap
  form: one reduction per rule, keys on their categories, one combined
  integer code for uniqueness), then 7 estimates + 7 SEs and the complete
  cell x period grid. Target: time ratio <= 1.0; peak traced memory
  <= 2.5 x the input frame.
* ``schema.validate(surveys)`` (the full validation, returning a clean copy)
  followed by ``build_panel`` on its output, for reference.
* ``region`` and ``industry`` as plain strings (a raw table, as from a CSV
  read without :func:`talentgap.io.read_table`): ``build_panel`` validates
  the table in full (making the keys categorical), then estimates.
  Target: <= 2.0 x the same groupby-sum on the string keys.

Run::

    python benchmarks/features_speed.py            # print the results
    python benchmarks/features_speed.py --write    # also update benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from talentgap.datasets import make_synthetic
from talentgap.features import build_panel
from talentgap.schema import validate

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


def _surveys(n_rows: int, n_regions: int, n_industries: int, n_periods: int, seed: int,
             shuffle: bool = True):
    """Synthetic survey rows, trimmed to exactly ``n_rows`` (shuffled unless told not to)."""
    cells = n_regions * n_industries
    per_cell = n_rows / (cells * n_periods)
    sample_fraction = 0.15
    data = make_synthetic(n_regions=n_regions, industries=n_industries, n_periods=n_periods,
                          enterprises_per_cell=int(np.ceil(per_cell / sample_fraction * 1.1)),
                          sample_fraction=sample_fraction, seed=seed)
    surveys = data.surveys
    rng = np.random.default_rng(seed)
    if len(surveys) > n_rows:
        keep = np.sort(rng.choice(len(surveys), n_rows, replace=False))
        surveys = surveys.iloc[keep].reset_index(drop=True)
    if shuffle:
        surveys = surveys.iloc[rng.permutation(len(surveys))].reset_index(drop=True)
    return surveys


def _naive(surveys):
    weighted = surveys["weight"] * surveys["hard_to_fill"]
    return weighted.groupby([surveys["region"], surveys["industry"], surveys["period"]],
                            observed=True).sum()


def _string_keys(surveys, repeats: int, raw_repeats: int) -> dict[str, float]:
    """Times with region and industry as plain strings: groupby, raw and validated table."""
    text = surveys.astype({"region": str, "industry": str})
    validated = validate(text, table="surveys", freq="Q")
    return {
        "naive": median_seconds(lambda: _naive(text), repeats),
        "validate": median_seconds(lambda: validate(text, table="surveys", freq="Q"), raw_repeats),
        "raw": median_seconds(lambda: build_panel(text), raw_repeats),
        "validated": median_seconds(lambda: build_panel(validated), repeats),
        "peak": peak_traced(lambda: build_panel(text)),
        "input": int(text.memory_usage(deep=True).sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--regions", type=int, default=340)
    parser.add_argument("--industries", type=int, default=100)
    parser.add_argument("--periods", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--string-repeats", type=int, default=3,
                        help="runs of each comparison that validates a raw table in full")
    parser.add_argument("--sorted", action="store_true",
                        help="keep the rows sorted by cell, as make_synthetic writes them")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()

    surveys = _surveys(args.rows, args.regions, args.industries, args.periods, args.seed,
                       shuffle=not args.sorted)
    input_bytes = int(surveys.memory_usage(deep=True).sum())
    load_before = load_average()
    panel = build_panel(surveys)  # warm-up, and the shape for the report
    naive = median_seconds(lambda: _naive(surveys), args.repeats)
    ours = median_seconds(lambda: build_panel(surveys), args.repeats)
    full = median_seconds(lambda: validate(surveys, table="surveys", freq="Q"), args.string_repeats)
    clean = validate(surveys, table="surveys", freq="Q")
    after_full = median_seconds(lambda: build_panel(clean), args.repeats)
    peak = peak_traced(lambda: build_panel(surveys))
    peak_validate = peak_traced(lambda: validate(surveys, table="surveys", freq="Q"))
    ratio, memory = ours / naive, peak / input_bytes

    text = _string_keys(surveys, args.repeats, args.string_repeats)
    text_ratio = text["raw"] / text["naive"]
    order = "sorted by cell, as `make_synthetic` writes them" if args.sorted else "shuffled"
    body = f"""## Survey validation + estimates vs one pandas groupby-sum

`python benchmarks/features_speed.py {" ".join(sys.argv[1:])}` — {machine()}; load average
{load_before} at the start, {load_average()} at the end

| | value | target |
|---|---:|---:|
| survey rows | {len(surveys):,} ({order}) | 5,000,000 |
| cells x periods in the panel | {len(panel):,} ({args.regions} regions x {args.industries} industries x {args.periods} quarters) | |
| input frame | {input_bytes / 1e6:,.0f} MB | |
| one pandas weighted `groupby(region, industry, period).sum()` | {naive:.2f} s | |
| `build_panel(surveys)`: every rule checked, 7 estimates + 7 SEs, complete grid | {ours:.2f} s | |
| time ratio, validate + estimate | **{ratio:.2f}** | <= 1.0 |
| peak traced memory during `build_panel` | {peak / 1e6:,.0f} MB = **{memory:.2f} x input** | <= 2.5 x |
| `schema.validate(surveys)` (full validation, clean copy) | {full:.2f} s (ratio {full / naive:.2f}); peak {peak_validate / input_bytes:.2f} x input | |
| ... then `build_panel` on its output | {after_full:.2f} s; together ratio {(full + after_full) / naive:.2f} | |
| *`region`, `industry` as plain strings:* the same groupby-sum | {text["naive"]:.2f} s | |
| `build_panel` on that raw table: full validation, then the estimate | {text["raw"]:.2f} s | |
| time ratio, string keys | **{text_ratio:.2f}** | <= 2.0 |
| peak traced memory, raw string table | {text["peak"] / 1e6:,.0f} MB = **{text["peak"] / text["input"]:.2f} x input** ({text["input"] / 1e6:,.0f} MB) | <= 2.5 x |
| of which `schema.validate` on the raw table | {text["validate"]:.2f} s | |
| `build_panel` on the validated table (keys made categorical) | {text["validated"]:.2f} s (ratio {text["validated"] / text["naive"]:.2f}) | |

Median of {args.repeats} runs each ({args.string_repeats} for each full validation), same
process, same rows. Validation is always on: a table with canonical dtypes has every rule
checked in its cheap form, any other table is validated in full; no path skips a rule.
"""
    print(body)
    if args.write:
        write_section("features_speed", body)


if __name__ == "__main__":
    main()
