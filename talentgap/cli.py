"""The ``talentgap`` command.

A thin layer: it parses arguments, calls the public functions and formats
their results. Exit codes: 0 success; 2 bad input or options (one line on
stderr naming the file, column and rule); 1 an internal error (a traceback
only with ``--debug``).

Examples
--------
>>> from talentgap.cli import main
>>> main(["--version"])  # doctest: +SKIP
talentgap 0.1.0
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import textwrap
from pathlib import Path

import pandas as pd

from talentgap import _checks, io
from talentgap._version import __version__
from talentgap.errors import TalentGapError
from talentgap.schema import SCHEMAS

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2

logger = logging.getLogger("talentgap")


def _add_validate(commands) -> None:
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
            """
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "files", nargs="+", metavar="[TABLE=]PATH",
        help="a file to check (CSV or Parquet); prefix it with TABLE= to name its table",
    )
    parser.add_argument("--table", choices=sorted(SCHEMAS),
                        help="the table of every PATH given without TABLE=")
    parser.add_argument("--freq", help="declared period frequency: Y, Q or M")
    parser.add_argument(
        "--codes", action="append", default=[], metavar="COLUMN=FILE",
        help="allowed codes for a key column, one per line in FILE (repeatable)",
    )
    parser.add_argument("--rejected", type=Path, metavar="CSV",
                        help="write every failure (file, line, column, rule, value) here")
    parser.add_argument("--format", choices=["text", "json"], default="text",
                        help="text report (default) or a JSON summary on stdout")
    parser.set_defaults(run=_run_validate)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``talentgap`` command."""
    parser = argparse.ArgumentParser(
        prog="talentgap",
        description="Skill-gap estimates, forecasts and training quota plans.",
    )
    parser.add_argument("--version", action="version", version=f"talentgap {__version__}")
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    noise.add_argument("-q", "--quiet", action="store_true", help="log errors only")
    parser.add_argument("--debug", action="store_true",
                        help="show tracebacks for every error")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_validate(commands)
    return parser


def _split_target(item: str, default_table: str | None) -> tuple[str, Path]:
    table, sep, path = item.partition("=")
    if sep and table in SCHEMAS:
        return table, Path(path)
    if default_table is None:
        raise _UsageError(f"{item}: say which table it is, with --table or as TABLE=PATH "
                          f"(tables: {', '.join(sorted(SCHEMAS))})")
    return default_table, Path(item)


def _read_codes(specs: list[str]) -> dict[str, list[str]]:
    allowed = {}
    for spec in specs:
        column, sep, file = spec.partition("=")
        if not sep:
            raise _UsageError(f"--codes {spec}: expected COLUMN=FILE")
        try:
            text = Path(file).read_text(encoding="utf-8")
        except OSError as exc:
            raise _UsageError(f"--codes {spec}: cannot read {file}: {exc.strerror}") from exc
        allowed[column] = [line.strip() for line in text.splitlines() if line.strip()]
    return allowed


class _UsageError(Exception):
    """A command-line mistake, reported in one line with exit code 2."""


def _run_validate(args: argparse.Namespace) -> int:
    allowed = _read_codes(args.codes)
    targets = [_split_target(item, args.table) for item in args.files]
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
        io.write_table(frame[["file", *frame.columns.drop("file")]], args.rejected)
    if args.format == "json":
        print(json.dumps([{"file": str(p), **r.to_dict()} for p, r in results] + unreadable,
                         indent=2))
    else:
        for path, report in results:
            print(f"{path}: {report.summary()}")
        for problem in unreadable:
            print(problem["error"])
    if first_problem is not None:
        print(f"talentgap: error: {first_problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def _configure_logging(args: argparse.Namespace) -> None:
    level = logging.DEBUG if args.verbose else logging.ERROR if args.quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.handlers[:] = [handler]
    logger.setLevel(level)


def main(argv: list[str] | None = None) -> int:
    """Run the command; return its exit code.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args)
    try:
        return args.run(args)
    except (TalentGapError, _UsageError, FileNotFoundError) as exc:
        if args.debug:
            raise
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"talentgap: error: {first_line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # the last line of defence of a command
        if args.debug:
            raise
        print(f"talentgap: internal error: {type(exc).__name__}: {exc} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
