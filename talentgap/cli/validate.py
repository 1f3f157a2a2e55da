"""``talentgap validate``: check input files against their schemas.

Every failing row is listed with its line number and rule; the exit code is 2
when any row fails or a file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

import pandas as pd

from talentgap import _checks, io
from talentgap.cli._common import EXIT_BAD_INPUT, EXIT_OK, UsageError, failures_as_text
from talentgap.cli.config import Config, load_config
from talentgap.errors import TalentGapError
from talentgap.schema import SCHEMAS

__all__ = ["add_validate"]


def add_validate(commands) -> None:
    parser = commands.add_parser(
        "validate",
        help="check input tables against their schemas",
        description="Check survey, training or employment files against their schemas. "
        "Every failing row is listed with its line number and the rule it breaks.",
        epilog=textwrap.dedent(
            """\
            examples:
              talentgap validate datasets/surveys.csv --table surveys
              talentgap validate surveys=datasets/surveys.csv training=datasets/training.csv
              talentgap validate my_surveys.csv --table surveys --freq Q \\
                  --codes region=regions.txt --rejected rejected.csv
              talentgap validate --config examples/plan.toml   # the [data] files
            """
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "files", nargs="*", metavar="[TABLE=]PATH",
        help="a file to check (CSV or Parquet); prefix it with TABLE= to name its table",
    )
    parser.add_argument("--config", type=Path, metavar="TOML",
                        help="check the [data] files of this run configuration (and use its "
                        "freq unless --freq is given)")
    parser.add_argument("--table", choices=sorted(SCHEMAS),
                        help="the table of every PATH given without TABLE=")
    parser.add_argument("--freq", help="declared period frequency: Y, Q or M (default: the "
                        "config's, else the forecast's default, Q)")
    parser.add_argument(
        "--codes", action="append", default=[], metavar="COLUMN=FILE",
        help="allowed codes for a key column, one per line in FILE (repeatable)",
    )
    parser.add_argument("--rejected", type=Path, metavar="CSV",
                        help="write every failure (file, line, column, rule, value) here")
    parser.add_argument("--format", choices=["text", "json"], default="text",
                        help="text report (default) or a JSON summary on stdout")
    parser.set_defaults(run=_run_validate)


def _split_target(item: str, default_table: str | None) -> tuple[str, Path]:
    table, sep, path = item.partition("=")
    if sep and table in SCHEMAS:
        return table, Path(path)
    if default_table is None:
        raise UsageError(f"{item}: say which table it is, with --table or as TABLE=PATH "
                          f"(tables: {', '.join(sorted(SCHEMAS))})")
    return default_table, Path(item)


def _read_codes(specs: list[str]) -> dict[str, list[str]]:
    allowed = {}
    for spec in specs:
        column, sep, file = spec.partition("=")
        if not sep:
            raise UsageError(f"--codes {spec}: expected COLUMN=FILE")
        try:
            text = Path(file).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--codes {spec}: cannot read {file}: {exc.strerror}") from exc
        allowed[column] = [line.strip() for line in text.splitlines() if line.strip()]
    return allowed


def _config_targets(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """The [data] files of ``--config``; its frequency unless ``--freq`` was given."""
    if args.config is None:
        if args.freq is None:  # what `forecast` will declare: validate what it will accept
            args.freq = Config().data.freq
        return []
    data = load_config(args.config).data
    if args.freq is None:
        args.freq = data.freq
    return [(table, Path(getattr(data, table))) for table in ("surveys", "training",
                                                             "employment")
            if getattr(data, table) is not None]


def _run_validate(args: argparse.Namespace) -> int:
    allowed = _read_codes(args.codes)
    targets = [*_config_targets(args),
               *(_split_target(item, args.table) for item in args.files)]
    if not targets:
        raise UsageError("nothing to check: give [TABLE=]PATH arguments or --config")
    results, unreadable, failures, first_problem = [], [], [], None
    for table, path in targets:
        codes = {k: v for k, v in allowed.items() if k in SCHEMAS[table].keys}
        try:
            _, report = io.read_table(path, table=table, freq=args.freq,
                                      allowed=codes or None, errors="report")
        except (TalentGapError, FileNotFoundError) as exc:  # the file as a whole: go on
            if args.debug:
                raise
            message = str(exc).strip().splitlines()[0]
            unreadable.append({"file": str(path), "table": table, "error": message})
            first_problem = first_problem or message
            continue
        results.append((path, report))
        if not report.ok:
            failures.append(report.rejected.assign(file=str(path)))
            if first_problem is None:
                case = report.rejected.iloc[0]
                first_problem = (f"{path}: {report.rows_rejected} of {report.rows_in} rows "
                                 f"rejected, e.g. line {case['line']}: column "
                                 f"{case['column']!r} breaks rule {case['rule']!r}")
    if args.rejected is not None:  # written even when empty: no stale failures left behind
        frame = (pd.concat(failures, ignore_index=True) if failures
                 else pd.DataFrame(columns=["file", *_checks.FAILURE_COLUMNS]))
        io.write_table(failures_as_text(frame[["file", *frame.columns.drop("file")]]),
                       args.rejected)
    if args.format == "json":
        print(json.dumps([{"file": str(p), **r.to_dict()} for p, r in results] + unreadable,
                         indent=2))
    else:
        for path, report in results:
            print(f"{path}: {report.summary()}")
        for problem in unreadable:
            print(problem["error"])
    if first_problem is not None:
        # one line on stderr for scripts; on a terminal the report above already says it
        if args.format == "json" or not sys.stdout.isatty():
            print(f"talentgap: error: {first_problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


