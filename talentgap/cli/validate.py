"""``talentgap validate``: check input files against their schemas.

Every failing row is listed with its line number and rule; the exit code is 2
when any row fails or a file cannot be read. When several tables are given,
their key codes are compared too (:func:`talentgap.features.codes.check_codes`):
a code of one table that looks like a code of another written differently
(case, spaces, full-width characters, a one-letter typo) is an error unless
``[data] allow_missing_supply`` / ``allow_missing_demand`` accept it. With
``[data] skill_levels`` declared, a ``skill_level`` (or ``from_level``) outside
them is an error too (rule ``unknown_code``, naming the table and lines).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from talentgap import _checks, io
from talentgap._frequencies import normalize_freq
from talentgap._quality import reject_run_groups
from talentgap.cli._common import EXIT_BAD_INPUT, EXIT_OK, UsageError, failures_as_text
from talentgap.cli._employment_freq import read_employment
from talentgap.cli.config import Config, load_config
from talentgap.errors import ConfigError, SchemaError, TalentGapError
from talentgap.features.codes import (
    check_codes,
    describe_codes,
    describe_unpaired,
    missing_side,
    unpaired_codes,
)
from talentgap.features.skill_levels import check_skill_levels
from talentgap.schema import SCHEMAS

__all__ = ["add_validate"]


def add_validate(commands) -> None:
    """Add the ``validate`` command to the command line's subcommands.

    Parameters
    ----------
    commands : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers()`` returned; the command's
        parser runs :func:`_run_validate` (its ``run`` default).

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="talentgap")
    >>> add_validate(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["validate", "surveys=datasets/surveys.csv", "--freq", "Q"])
    >>> args.files, args.freq, args.format
    (['surveys=datasets/surveys.csv'], 'Q', 'text')
    """
    parser = commands.add_parser(
        "validate",
        help="check input tables against their schemas",
        description="Check survey, training or employment files against their schemas. "
        "Every failing row is listed with its line number and the rule it breaks, and so "
        "are the rows a run skipping bad rows ([data] on_invalid = \"skip\") leaves out with "
        "it: the rest of its enterprise-period (surveys) or cell-period (the config's [data] "
        "keys, default region and industry). Given "
        "several tables, also check that their key codes agree: a code that looks like "
        "another table's code written differently (case, spaces, full-width characters, "
        "a one-letter typo) is an error unless the config's [data] allow_missing_supply "
        "or allow_missing_demand accepts it; codes with no look-alike are listed.",
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
        help="a file to check (CSV, Excel .xlsx or Parquet); prefix it with TABLE= to name "
             "its table",
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
    parser.add_argument("--encoding", metavar="NAME",
                        help="text encoding of the CSV files and --codes lists, e.g. latin-1, "
                        "cp1252, gb18030 (default: the config's [data] encoding, else auto: "
                        "UTF-8, UTF-16 with a byte-order mark, or GB18030/GBK)")
    parser.add_argument("--rejected", type=Path, metavar="CSV",
                        help="write every failure (file, line, column, rule, value) here, "
                        "in the [output] csv_encoding of --config (default UTF-8)")
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


def _read_codes(specs: list[str], encoding: str = "auto") -> dict[str, list[str]]:
    """Codes lists, one code a line, their encoding detected as the tables' is."""
    allowed = {}
    for spec in specs:
        column, sep, file = spec.partition("=")
        if not sep:
            raise UsageError(f"--codes {spec}: expected COLUMN=FILE")
        try:
            text = io.read_text(file, encoding=encoding)
        except OSError as exc:
            raise UsageError(f"--codes {spec}: cannot read {file}: {exc.strerror}") from exc
        except SchemaError as exc:
            raise ConfigError(f"--codes {spec}: {exc}") from None
        allowed[column] = [line.strip() for line in text.splitlines() if line.strip()]
    return allowed


def _config_targets(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """The [data] files of ``--config``; its frequency unless ``--freq`` was given."""
    if args.config is None:
        args.data, args.output = Config().data, Config().output
        if args.freq is None:  # what `forecast` will declare: validate what it will accept
            args.freq = args.data.freq
        return []
    config = load_config(args.config)
    data = args.data = config.data
    args.output = config.output  # [output] csv_encoding for --rejected
    if args.freq is None:
        args.freq = data.freq
    return [(table, Path(getattr(data, table))) for table in ("surveys", "training",
                                                             "employment")
            if getattr(data, table) is not None]


def _run_validate(args: argparse.Namespace) -> int:
    targets = [*_config_targets(args),
               *(_split_target(item, args.table) for item in args.files)]
    encoding = args.encoding or args.data.encoding
    allowed = _read_codes(args.codes, encoding)
    if not targets:
        raise UsageError("nothing to check: give [TABLE=]PATH arguments or --config")
    results, unreadable, failures, first_problem = [], [], [], None
    level_errors: list[str] = []
    clean = []
    for table, path in targets:
        codes = {k: v for k, v in allowed.items() if k in SCHEMAS[table].keys}
        def read(freq, path=path, table=table, codes=codes):
            return io.read_table(path, table=table, freq=freq, allowed=codes or None,
                                 errors="report", encoding=encoding,
                                 **args.data.read_options(table))

        try:  # employment may be coarser than the run (a yearly census), as a run reads it
            frame, report = (read_employment(read, dataclasses.replace(
                args.data, freq=normalize_freq(args.freq)), str(path))
                if table == "employment" else read(args.freq))
        except (TalentGapError, FileNotFoundError) as exc:  # the file as a whole: go on
            if args.debug:
                raise
            message = str(exc).strip().splitlines()[0]
            unreadable.append({"file": str(path), "table": table, "error": message})
            first_problem = first_problem or message
            continue
        # a rejected row takes its group with it, as a run skipping bad rows drops them
        frame, report = reject_run_groups(frame, report, table=table, keys=args.data.keys)
        results.append((path, report))
        clean.append((table, path, _with_spaced_codes(frame, report.rejected),
                      _lines_of(report)))
        for text, cases in _undeclared_levels(table, path, frame, args.data, _lines_of(report)):
            level_errors.append(text)
            failures.append(cases.assign(file=str(path)))
            first_problem = first_problem or text
        if not report.ok:
            failures.append(report.rejected.assign(  # a folder of files: each row's own file
                file=report.rejected.get("file", str(path))))
            if first_problem is None:
                case = report.rejected.iloc[0]
                first_problem = (f"{path}: {report.rows_rejected} of {report.rows_in} rows "
                                 f"rejected, e.g. line {case['line']}: column "
                                 f"{case['column']!r} breaks rule {case['rule']!r}")
    codes = _compare_codes(clean, args.data)
    if codes is not None and codes.errors:
        failures.append(codes.failures)
        first_problem = first_problem or codes.errors[0]
    if args.rejected is not None:  # written even when empty: no stale failures left behind
        frame = (pd.concat(failures, ignore_index=True) if failures
                 else pd.DataFrame(columns=["file", *_checks.FAILURE_COLUMNS]))
        io.write_table(failures_as_text(frame[["file", *frame.columns.drop("file")]]),
                       args.rejected, encoding=args.output.csv_encoding)
    if args.format == "json":
        extra = [codes.to_dict()] if codes is not None else []
        extra += [{"check": "skill_levels", "ok": False, "error": text} for text in level_errors]
        print(json.dumps([{"file": str(p), **r.to_dict()} for p, r in results] + unreadable
                         + extra, indent=2))
    else:
        for path, report in results:
            print(f"{path}: {report.summary()}")
        for problem in unreadable:
            print(problem["error"])
        for text in level_errors:
            print(text)
        if codes is not None:
            print(codes.summary())
    if first_problem is not None:
        # one line on stderr for scripts; on a terminal the report above already says it
        if args.format == "json" or not sys.stdout.isatty():
            print(f"talentgap: error: {first_problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def _lines_of(report) -> pd.Series:
    """Each input row's line in its file, by the row's label (the reader's line numbers)."""
    return report.row_keys["line"]


def _undeclared_levels(table: str, path: Path, frame: pd.DataFrame, data,
                       line_of: pd.Series) -> list[tuple[str, pd.DataFrame]]:
    """Values of ``skill_level`` / ``from_level`` outside ``[data] skill_levels``.

    One ``(message, failures)`` per column at fault, with the file's line numbers
    (``line_of``: the clean frame keeps each input row's label as its index).
    """
    levels = data.levels()
    if levels is None:
        return []
    found = []
    lines = line_of.loc[frame.index].to_numpy(dtype=np.int64)
    for column in ("skill_level", "from_level"):
        try:  # the one wording of this error, with the file's lines
            check_skill_levels(frame.reset_index(drop=True), levels, name=table,
                               columns=(column,), line_numbers=lines)
        except SchemaError as exc:
            position = frame.index.to_numpy(dtype=np.int64)[
                exc.failure_cases["row"].to_numpy(np.int64)]
            found.append((f"{path}: {exc}", exc.failure_cases.assign(row=position)))
    return found


def _allowing_key(table: str, absent_from: str) -> str:
    """The ``[data]`` key that accepts a code of ``table`` missing from ``absent_from``."""
    return f"allow_missing_{missing_side(table, absent_from)}"


class _CodeCheck:
    """The key codes of several tables compared, and what ``[data]`` accepts of it."""

    def __init__(self, report: pd.DataFrame, data, paths: dict[str, Path]) -> None:
        self.report = report
        self.paths = paths
        key = [_allowing_key(t, a) for t, a in zip(report["table"], report["absent_from"],
                                                    strict=True)]
        allowed = np.array([bool(getattr(data, k)) for k in key], dtype=bool)
        self.spelled = report["absent_from"].isna().to_numpy()  # one code written two ways
        allowed &= ~self.spelled  # not a cell missing a side: no [data] key accepts it
        near = report["near_miss"].to_numpy(dtype=bool)
        self.key = key
        self.error_rows = near & ~allowed
        self.allowed_rows = near & allowed
        texts = describe_codes(report)
        self.texts = texts
        self.errors = [t for t, bad in zip(texts, self.error_rows, strict=True) if bad]
        self.pairs = unpaired_codes(report)  # maybe one code: a warning, not an error

    @property
    def failures(self) -> pd.DataFrame:
        """The rows in error, as failures of the ``--rejected`` file."""
        rows = self.report[self.error_rows]
        return pd.DataFrame({
            "file": [str(self.paths[t]) for t in rows["table"]],
            "line": [int(lines.split(",")[0]) for lines in rows["lines"]],
            "row": None,
            "column": rows["column"].to_numpy(dtype=object),
            "rule": "code_mismatch",
            "value": rows["value"].to_numpy(dtype=object),
            "message": [t for t, bad in zip(self.texts, self.error_rows, strict=True) if bad],
        })

    def summary(self) -> str:
        tables = ", ".join(self.paths)
        if self.report.empty:
            return f"codes: key values agree across {tables}"
        n_near = int(self.report["near_miss"].sum())
        n_spelled = int(self.spelled.sum())
        n_missing = len(self.report) - n_spelled
        found = [f"{n_missing} value(s) missing from another table, {n_near - n_spelled} of "
                 "them look like a code written differently"] if n_missing else []
        if n_spelled:
            found.append(f"{n_spelled} value(s) are another spelling of a code")
        lines = [f"codes across {tables}: " + "; ".join(found)]
        for text, bad, ok, key, spelled in zip(self.texts, self.error_rows, self.allowed_rows,
                                               self.key, self.spelled, strict=True):
            if bad and spelled:
                lines.append(f"  - error: {text}; write the code one way in every file")
            elif bad:
                lines.append(f"  - error: {text}; set [data] {key} = true if the codes "
                             "really differ")
            elif ok:
                lines.append(f"  - allowed by [data] {key} = true: {text}")
            else:
                what = ("a cell without demand" if key == "allow_missing_demand"
                        else "a cell without supply")
                lines.append(f"  - note: {text} ({what})")
        paired = (self.pairs["value"].notna() & self.pairs["other_value"].notna()).tolist()
        for text, pair in zip(describe_unpaired(self.pairs), paired, strict=True):
            advice = ("maybe one code written two ways; if so, write it one way in every file"
                      if pair else "check whether the other table writes it another way")
            lines.append(f"  - warning: {text}: {advice}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        records = self.report.assign(error=self.error_rows, allowed=self.allowed_rows,
                                     accepted_by=self.key)
        records = records.astype(object).where(records.notna(), None)
        return {"check": "codes", "tables": {t: str(p) for t, p in self.paths.items()},
                "ok": not self.errors, "mismatches": records.to_dict(orient="records"),
                "unpaired": self.pairs.to_dict(orient="records")}


def _with_spaced_codes(frame: pd.DataFrame, rejected: pd.DataFrame) -> pd.DataFrame:
    """The clean rows plus the codes of rows rejected for surrounding spaces.

    Those codes take part in the comparison across tables, so ``'Longwan '``
    in one table is shown as a near miss of ``'Longwan'`` in the other
    rather than leaving ``'Longwan'`` without a counterpart.
    """
    spaced = rejected[rejected["rule"] == "surrounding_space"]
    if spaced.empty:
        return frame
    parts = [pd.DataFrame({column: group["value"].to_numpy(dtype=object)},
                          index=group["row"].to_numpy(dtype=np.int64))
             for column, group in spaced.groupby("column", sort=False)]
    return pd.concat([frame, *parts])


def _compare_codes(clean: list[tuple[str, Path, pd.DataFrame, pd.Series]], data
                   ) -> _CodeCheck | None:
    """Key codes of the tables read, compared with the surveys (each table given once).

    Each table comes with its rows' lines in the file, by row label (the
    clean frame keeps each input row's label as its index).
    """
    names = [table for table, *_ in clean]
    if not names or len(set(names)) != len(names):
        return None
    between = len(names) > 1 and "surveys" in names  # else: codes written two ways only
    tables = {table: frame for table, _, frame, _ in clean}
    lines = {table: line_of.loc[frame.index].to_numpy(dtype=np.int64)
             for table, _, frame, line_of in clean}
    report = check_codes(tables, against="surveys" if between else None, line_numbers=lines)
    if not between:
        report = report[report["absent_from"].isna()].reset_index(drop=True)
        if report.empty:
            return None
    return _CodeCheck(report, data, {table: path for table, path, *_ in clean})
