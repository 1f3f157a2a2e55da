"""One input table spread over several files: a folder, or a glob pattern, of CSV or Excel files.

:func:`talentgap.io.read_table` hands a folder or a pattern (``"provinces/*.csv"``)
to :func:`read_files`: each file's rows are read as one file's would be (its
own encoding, separator and header found, each row keeping its file and its
line there), the rows of all files are put one after another, and the joined
table is validated once, so every rule applies across files exactly as in one
file: a key repeated in two files, ids that differ only in case, an exact
repeat (its first copy kept), an enterprise-period that lost a row (left out
whole). Every message names each row by its file and line there. This is for
what fits on one machine; beyond that, pass a Dask DataFrame
(``dask.dataframe.read_csv("provinces/*.csv", include_path_column=True,
blocksize=None)``) to :func:`talentgap.features.estimate_cells` or
:func:`~talentgap.features.build_panel`.
"""

from __future__ import annotations

import dataclasses
import glob
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from talentgap._excel_reading import formula_hint
from talentgap._failure_log import describe_failures
from talentgap._quality import DataQualityReport
from talentgap._tables import get_schema
from talentgap.errors import SchemaError, collect_warnings, warn

__all__ = ["FOLDER_SUFFIXES", "TableRows", "table_files", "read_files"]

#: The files of a folder that are read (CSV and Excel; other files are left alone).
FOLDER_SUFFIXES = (".csv", ".csv.gz", ".txt", ".xlsx")
_PATTERN = re.compile(r"[*?\[]")


def table_files(path) -> list[Path] | None:
    """The files a folder or a glob pattern stands for, sorted by name (None: one file).

    Raises
    ------
    FileNotFoundError
        If a pattern matches no file, or a folder holds no CSV or Excel file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("b.csv", "a.csv", "notes.md"):
    ...     _ = (folder / name).write_text("x\\n")
    >>> [p.name for p in table_files(folder)], [p.name for p in table_files(folder / "*.csv")]
    (['a.csv', 'b.csv'], ['a.csv', 'b.csv'])
    >>> table_files(folder / "a.csv") is None
    True
    """
    text = str(path)
    if _PATTERN.search(text) and not Path(text).exists():
        files = sorted(Path(p) for p in glob.glob(text) if Path(p).is_file())
        if not files:
            raise FileNotFoundError(f"{text}: no file matches this pattern")
        return files
    folder = Path(text)
    if not folder.is_dir():
        return None
    files = sorted(p for p in folder.iterdir()
                   if p.is_file() and p.name.lower().endswith(FOLDER_SUFFIXES)
                   and not p.name.startswith((".", "~$")))  # hidden files, Excel lock files
    if not files:
        raise FileNotFoundError(f"{folder}: the folder holds no file to read "
                                f"({', '.join(FOLDER_SUFFIXES)})")
    return files


@dataclasses.dataclass
class TableRows:
    """One file's raw rows before validation, and what its messages need.

    ``lines`` holds each row's line in the file, ``wide`` the positions of
    the rows whose line has more fields than the header, ``hints`` text for
    messages, ``sheet`` the workbook sheet read, ``sep`` and ``encoding``
    as asked.
    """

    path: Path
    fmt: str
    raw: pd.DataFrame
    lines: np.ndarray
    wide: np.ndarray
    hints: str = ""
    sheet: str | int = 0
    sep: str = "auto"
    encoding: str = "auto"


#: "line 7", "lines 4, 12": where messages name rows by line.
_LINES = re.compile(r"\b(lines?) (\d+(?:, \d+)*)")


def read_files(read_rows: Callable, check: Callable, files: list[Path], *, table: str,
               freq: str | None, allowed: dict | None, errors: str, **options):
    """Read the rows of ``files`` with ``read_rows``, join them, validate them with ``check``.

    ``read_rows`` and ``check`` are the two steps of
    :func:`talentgap.io.read_table` for one file. A file that misses a
    required column or holds no row fails as it would alone. Returns what
    ``read_table`` returns: the clean table (rows labelled from 0 across the
    files, in file order), and with ``errors="report"`` a
    :class:`~talentgap._quality.DataQualityReport` whose ``rejected`` and
    ``row_keys`` have a ``file`` column next to each row's ``line`` in that
    file. With ``errors="raise"`` a :class:`~talentgap.errors.SchemaError`
    names the failing rows of all files at once, each by its file and line.

    Examples
    --------
    :func:`talentgap.io.read_table` reads a folder this way; a key in two
    files is caught as it would be in one:

    >>> import tempfile, pathlib
    >>> from talentgap.io import read_table
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> header = "period,region,industry,employment\\n"
    >>> _ = (folder / "a.csv").write_text(header + "2024,Ouhai,textiles,10\\n")
    >>> _ = (folder / "b.csv").write_text(header + "2024,Ouhai,textiles,12\\n")
    >>> clean, report = read_table(folder, table="employment", errors="report")
    >>> report.rows_kept, report.rejected["rule"].tolist()
    (0, ['duplicate_key', 'duplicate_key'])
    >>> print(report.rejected["message"].iloc[1])
    (period, region, industry) shared by a.csv line 2, b.csv line 2 with different values; every copy is rejected, since which one is right is not known (in b.csv)
    """  # noqa: E501 - a doctest's expected output is one line
    parts = [read_rows(file, table=table, **options) for file in files]
    for part in parts:  # what fails a file as a whole is said of that file
        if len(part.raw) == 0 or _misses_columns(part.raw, table):
            check(part, table=table, freq=freq, allowed=allowed, errors="report")
    sizes = np.array([len(part.raw) for part in parts], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    raw = pd.concat([part.raw for part in parts], ignore_index=True)
    own = np.concatenate([part.lines for part in parts])
    file_of = np.repeat(np.arange(len(files)), sizes)
    names = np.array([Path(file).name for file in files], dtype=object)
    # validated with unique line numbers (each row's position + 2), named back afterwards
    joined = TableRows(path=Path(_common(files)), fmt="files", raw=raw,
                       lines=np.arange(len(raw), dtype=np.int64) + 2,
                       wide=np.concatenate([part.wide + offset
                                            for part, offset in zip(parts, offsets,
                                                                    strict=True)]))
    where = names[file_of] + " line " + own.astype(str).astype(object)
    with collect_warnings() as caught:  # a context variable: safe beside other threads
        clean, report = check(joined, table=table, freq=freq, allowed=allowed,
                              errors="report")
    for found in caught:  # said again, each row named by its file and line
        warn(_named(str(found), where), type(found), stacklevel=3)
    report = _by_file(report, files, file_of, own, where)
    report.warnings.extend(_formula_hints(parts, report.rejected))
    if errors == "report":
        return clean, report
    if not report.ok:
        raise _files_error(report, len(files))
    return clean


def _misses_columns(raw: pd.DataFrame, table: str) -> bool:
    return any(name not in raw.columns for name in get_schema(table).required)


def _common(files: list[Path]) -> str:
    """The folder the files share, to name the joined table by."""
    parents = {str(Path(file).parent) for file in files}
    return parents.pop() if len(parents) == 1 else "."


def _named(text: str, where: np.ndarray) -> str:
    """``text`` with each line number of the joined table as ``file line n``."""
    def name(match: re.Match) -> str:
        numbers = [int(n) for n in match.group(2).split(", ")]
        if not all(2 <= n < where.size + 2 for n in numbers):
            return match.group(0)
        return ", ".join(where[n - 2] for n in numbers)

    return _LINES.sub(name, text)


def _by_file(report: DataQualityReport, files: list[Path], file_of: np.ndarray,
             own: np.ndarray, where: np.ndarray) -> DataQualityReport:
    """The joined table's report with each row's file and its line there."""
    paths = np.array([str(file) for file in files], dtype=object)
    rejected = report.rejected
    rows = rejected["row"].to_numpy(dtype=np.int64)
    short = np.array([Path(file).name for file in files], dtype=object)[file_of[rows]]
    codes, distinct = pd.factorize(rejected["message"].astype(str))
    named = np.array([_named(text, where) for text in distinct], dtype=object)
    rejected = rejected.assign(
        line=own[rows], file=paths[file_of[rows]],
        # summaries show "line 7: -7 (in p2.csv)"; each distinct message named once
        message=named[codes] + " (in " + short + ")")
    keys = report.row_keys
    positions = keys.index.to_numpy(dtype=np.int64)
    keys = keys.assign(line=own[positions], file=paths[file_of[positions]])
    return dataclasses.replace(report, rejected=rejected.reset_index(drop=True),
                               row_keys=keys,
                               warnings=[_named(text, where) for text in report.warnings])


def _formula_hints(parts: list[TableRows], rejected: pd.DataFrame) -> list[str]:
    """Per workbook: missing cells that hold a formula without a saved value."""
    out = []
    for part in parts:
        if part.fmt != "excel":
            continue
        cases = rejected[rejected["file"] == str(part.path)]
        hint = (part.hints + formula_hint(part.path, cases, list(part.raw.columns),
                                          sheet=part.sheet)).lstrip("; ")
        if hint:
            out.append(f"{part.path}: {hint}")
    return out


def _files_error(report: DataQualityReport, n_files: int) -> SchemaError:
    """One error naming the failing rows of every file by file and line."""
    cases = report.rejected
    parts = []
    for file, group in cases.groupby("file", sort=False):
        described = describe_failures(group.assign(position=group["line"]))
        parts.append(f"  {file}:\n" + "\n".join(f"    - {text}" for text in described))
    first = cases.iloc[0]
    return SchemaError(
        f"{report.table}: {report.rows_rejected} of {report.rows_in} rows in {n_files} files "
        "fail validation (lines are each file's own):\n" + "\n".join(parts),
        column=str(first["column"]), reason=str(first["rule"]), failure_cases=cases)
