"""What a raw input table looks like when it is not what it was read as.

Helpers of :mod:`talentgap.io` that inspect a table as read from a file,
before validation: blank lines at its end (not data), repeated column
names, Excel date serials in the period column, a title row above the
header, another sheet holding the data, and formula cells without a saved
value (Excel error values are a rule of validation, ``excel_error``).
Each returns findings or hint text for the messages; none changes a value.
The layout options of :func:`talentgap.io.read_table` (``sheet``,
``header_row``, ``columns``) are applied here too: :func:`rename_columns`
and :func:`find_header_row`.

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({"period": ["2024Q1", None], "region": ["A", " "]})
>>> trailing_blank(raw)
1
>>> repeated_names(["period", "trained", "Trained "])
["'Trained ' (column 3) repeats 'trained' (column 2)"]
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from talentgap._text_checks import is_blank
from talentgap.errors import SchemaError

__all__ = ["MISSING_TEXT", "blank_rows", "trailing_blank", "repeated_names",
           "serial_hint", "header_row_hint", "sheet_hint", "sheet_cells", "formula_cells",
           "rename_columns", "find_header_row", "columns_row_hint", "column_map_hint", "setting",
           "is_named",
           "HEADER_SEARCH_ROWS"]

#: Text read as a missing value in non-key columns (CSV and Excel). Excel's error
#: values (:data:`talentgap._checks.EXCEL_ERRORS`: ``#N/A``, ``#REF!``, ...) are not
#: missing: validation rejects their rows (rule ``excel_error``).
MISSING_TEXT = ("", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None")

#: Excel date serials of the years 1950-2100, the range where a period would fall.
_SERIALS = (18264, 73415)
#: Rows searched for the header when ``header_row`` is automatic.
HEADER_SEARCH_ROWS = 20
_SPACES = re.compile(r"\s+")


def setting(table: str, option: str, value: str) -> str:
    """How to give a reading option, in Python and in a run configuration.

    Examples
    --------
    >>> setting("surveys", "sheet", "'数据'")
    "sheet='数据' (in a run configuration [data] surveys_sheet)"
    """
    return f"{option}={value} (in a run configuration [data] {table}_{option})"


def blank_rows(raw: pd.DataFrame) -> np.ndarray:
    """Whether each row of ``raw`` is blank: every field missing, empty or spaces."""
    blank = np.ones(len(raw), dtype=bool)
    for i in range(raw.shape[1]):
        blank &= is_blank(raw.iloc[:, i])
    return blank


def trailing_blank(raw: pd.DataFrame) -> int:
    """How many rows at the end of ``raw`` are blank (every field empty or spaces).

    Only the end of the table is looked at (a growing tail), not every row.
    """
    if raw.shape[1] == 0 or len(raw) == 0:
        return 0
    size = 64
    while True:
        tail = raw.iloc[-size:]
        filled = np.flatnonzero(~blank_rows(tail))
        if filled.size or size >= len(raw):
            return len(tail) - (int(filled[-1]) + 1 if filled.size else 0)
        size *= 4


def _normal(name) -> str:
    """A header name as matched: NFKC (full-width ``（人）`` is ``(人)``), no spaces or
    line breaks anywhere, case ignored."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(name)).lstrip("\ufeff")).casefold()


def is_named(cell) -> bool:
    """Whether a header cell holds a name (not None, NaN or spaces).

    Examples
    --------
    >>> [is_named(cell) for cell in ("期间", " ", None, float("nan"), 0)]
    [True, False, False, False, True]
    """
    return cell is not None and not (isinstance(cell, float) and np.isnan(cell)) and bool(
        str(cell).strip())


def repeated_names(names: list) -> list[str]:
    """Column names that repeat an earlier one (spaces and case ignored), with positions.

    Positions count from 1, as a spreadsheet user counts columns. Names are
    compared as :func:`rename_columns` matches them (Unicode NFKC, spaces and
    line breaks anywhere ignored).
    """
    first: dict[str, int] = {}
    found = []
    for position, name in enumerate(names, start=1):
        if not is_named(name):
            continue
        key = _normal(name)
        if key in first:
            earlier = first[key]
            found.append(f"{str(name)!r} (column {position}) repeats "
                         f"{str(names[earlier - 1])!r} (column {earlier})")
        else:
            first[key] = position
    return found


def serial_hint(raw: pd.DataFrame, column: str = "period") -> str:
    """A hint when ``column`` holds whole numbers that look like Excel date serials."""
    if column not in raw.columns:
        return ""
    numbers = pd.to_numeric(raw[column], errors="coerce").to_numpy(dtype=float,
                                                                  na_value=np.nan)
    serial = (numbers >= _SERIALS[0]) & (numbers <= _SERIALS[1]) & (numbers % 1 == 0)
    if not serial.any():
        return ""
    example = int(numbers[np.flatnonzero(serial)[0]])
    day = (pd.Timestamp("1899-12-30") + pd.Timedelta(days=example)).date()
    return (f"; column {column!r} holds numbers such as {example} that look like Excel date "
            f"serials ({example} is {day}): format the column as text (2019Q1) or as dates "
            "in the workbook")


def header_row_hint(rows: list[list], expected: tuple[str, ...], table: str = "") -> str:
    """Where the header seems to be when the first row does not hold the column names.

    ``rows`` are the first rows of the file or sheet, the first one being row 1.
    """
    wanted = {name.casefold() for name in expected}

    def hits(row) -> int:
        return sum(_normal(cell) in wanted for cell in row if cell is not None)

    enough = min(3, len(wanted))
    if not rows or hits(rows[0]) >= enough:
        return ""
    for number, row in enumerate(rows[1:], start=2):
        if hits(row) >= enough:
            option = setting(table, "header_row", str(number)) if table else (
                f"header_row={number}")
            return (f"; the header seems to be on row {number}, not row 1 (a title "
                    f"above it?): pass {option}")
    return ""


def rename_columns(names: list, columns: dict | None, where: str) -> list:
    """The header ``names`` with ``columns`` (the file's name -> the schema's) applied.

    Names match with case, spaces and line breaks ignored, anywhere in the
    name, after Unicode NFKC (full-width ``（人）`` matches ``(人)``). A name of
    ``columns`` that is not in the header, or a new name that another column
    already has, is a :class:`~talentgap.errors.SchemaError` naming the
    file's columns.

    Examples
    --------
    >>> rename_columns(["期间", "地区 ", "培训人数\\n（人）"],
    ...                {"期间": "period", "地区": "region", "培训人数(人)": "trained"}, "f.csv")
    ['period', 'region', 'trained']
    """
    if not columns:
        return list(names)
    shown = [str(n) for n in names if is_named(n)]
    wanted = {_normal(old): new for old, new in columns.items()}
    renamed = [wanted.get(_normal(n), n) if n is not None else n for n in names]
    absent = sorted(set(wanted) - {_normal(n) for n in names if n is not None})
    if absent:
        old = [k for k in columns if _normal(k) in absent]
        raise SchemaError(f"{where}: columns= renames {old} but the header has no such "
                          f"column; the file's columns are {shown}",
                          reason="missing_column")
    repeated = repeated_names(renamed)
    if repeated:
        raise SchemaError(f"{where}: after renaming with columns=, column names repeat: "
                          f"{'; '.join(repeated)}; the file's columns are {shown}",
                          reason="repeated_column")
    return renamed


def find_header_row(rows: list[list], required: tuple[str, ...], columns: dict | None,
                    where: str, table: str, *, ends: list[int] | None = None) -> int:
    """The 1-based row holding every required column name (after ``columns``), else 1.

    Row 1 wins when it holds them all; otherwise the one row of the first
    :data:`HEADER_SEARCH_ROWS` that does. Two such rows are ambiguous: a
    :class:`~talentgap.errors.SchemaError` asks for ``header_row``. With
    ``ends`` (a workbook's header of several rows: ``rows[i]`` then holds the
    names of the header that starts on row ``i + 1`` and ends on row
    ``ends[i]``), a row inside the header of an earlier one is that header.

    Examples
    --------
    >>> rows = [["Survey 2024Q3", None], ["期间", "region"], ["2024Q3", "A"]]
    >>> find_header_row(rows, ("period", "region"), {"期间": "period"}, "f.xlsx", "surveys")
    2
    """
    wanted = {_normal(name) for name in required}
    mapped = {_normal(old): _normal(new) for old, new in (columns or {}).items()}
    holding: list[int] = []
    for number, row in enumerate(rows[:HEADER_SEARCH_ROWS], start=1):
        names = {mapped.get(_normal(c), _normal(c)) for c in row if is_named(c)}
        inside = bool(holding) and ends is not None and number <= ends[holding[-1] - 1]
        if wanted <= names and not inside:
            holding.append(number)
    if not holding or holding[0] == 1:
        return 1
    if len(holding) > 1:
        raise SchemaError(f"{where}: rows {holding} all hold the {table} column names: "
                          f"pass {setting(table, 'header_row', 'N')} to say which is the "
                          "header", reason="missing_column")
    return holding[0]


def columns_row_hint(rows: list[list], columns: dict | None, header_row: int,
                     table: str) -> str:
    """Where the names of ``columns`` seem to be, when not on ``header_row``.

    Examples
    --------
    >>> rows = [["Title", None], ["期间", "地区"], ["2024Q1", "A"]]
    >>> columns_row_hint(rows, {"期间": "period", "地区": "region"}, 1, "training")
    '; the names of columns= seem to be on row 2: pass header_row=2 (in a run configuration [data] training_header_row)'
    """  # noqa: E501 - a doctest's expected output is one line
    if not columns:
        return ""
    wanted = {_normal(old) for old in columns}
    counts = [len(wanted & {_normal(c) for c in row if is_named(c)}) for row in rows]
    if not counts or max(counts) == 0:
        return ""
    best = int(np.argmax(counts)) + 1
    current = counts[header_row - 1] if header_row <= len(counts) else 0
    if counts[best - 1] <= current:
        return ""
    return (f"; the names of columns= seem to be on row {best}: pass "
            f"{setting(table, 'header_row', str(best))}")


def column_map_hint(header: list[str], known: tuple[str, ...], required: tuple[str, ...],
                    table: str) -> str:
    """When required columns are missing and the file has others: how to map them.

    Examples
    --------
    >>> print(column_map_hint(["期间", "region"], ("period", "region"),
    ...                       ("period", "region"), "surveys"))  # doctest: +NORMALIZE_WHITESPACE
    ; the file's columns are ['期间', 'region']: to read columns under other names, map
    the file's names to the schema's with columns={'期间': 'period', ...} (in a run
    configuration [data] surveys_columns = {"期间" = "period", ...})
    """
    present = {_normal(n) for n in header}
    missing = [name for name in required if name not in present]
    named = [n for n in header if not str(n).startswith("Unnamed: ")]
    unknown = [n for n in named if _normal(n) not in {k.casefold() for k in known}]
    if not missing or not unknown or len(named) < 2:  # one name: a title, not a header
        return ""
    old, new = str(unknown[0]).replace('"', ""), missing[0]
    return (f"; the file's columns are {[str(n) for n in header]}: to read columns under "
            f"other names, map the file's names to the schema's with "
            f"columns={{{old!r}: {new!r}, ...}} (in a run configuration [data] "
            f'{table}_columns = {{"{old}" = "{new}", ...}})')


def sheet_hint(path: Path, expected: tuple[str, ...], table: str = "") -> str:
    """Name the sheets of a workbook, and the one whose first rows hold the column names."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        names = book.sheetnames
        if len(names) < 2:
            return ""
        wanted = {name.casefold() for name in expected}
        holding = []
        for name in names[1:]:
            rows = book[name].iter_rows(max_row=10, values_only=True)
            if any(sum(_normal(c) in wanted for c in row if c is not None) >= 3
                   for row in rows):
                holding.append(name)
    finally:
        book.close()
    option = setting(table, "sheet", repr(holding[0])) if table and holding else (
        f"sheet={holding[0]!r}" if holding else "")
    where = f"; sheet {holding[0]!r} seems to hold them: pass {option}" if holding else ""
    return f"; the first sheet {names[0]!r} is read; the workbook's sheets are {names}{where}"


def sheet_cells(path: Path, cells: list[tuple[int, str]], header: list[str], *,
                formulas: bool = False, sheet: str | int = 0) -> dict[tuple[int, str], object]:
    """The stored values of ``(line, column)`` cells of a sheet, as openpyxl sees them.

    ``sheet`` is the sheet's name or 0-based position (default the first);
    ``line`` is the row number in the sheet.

    With ``formulas=False`` the saved values (an error value such as
    ``'#REF!'``, which pandas reads as missing); with ``formulas=True`` the
    formulas (``'=D2-50'``) where the cells hold one.
    """
    from openpyxl import load_workbook

    position = {name: i for i, name in enumerate(header)}
    by_line: dict[int, list[tuple[int, str]]] = {}
    for line, name in cells:
        if name in position:
            by_line.setdefault(int(line), []).append((position[name], name))
    if not by_line:
        return {}
    book = load_workbook(path, read_only=True, data_only=not formulas)
    found = {}
    try:
        found_sheet = book[sheet] if isinstance(sheet, str) else book.worksheets[sheet]
        rows = found_sheet.iter_rows(max_row=max(by_line), values_only=True)
        for line, row in enumerate(rows, start=1):
            for i, name in by_line.get(line, ()):
                if i < len(row) and row[i] is not None:
                    found[(line, name)] = row[i]
    finally:
        book.close()
    return found


def formula_cells(path: Path, cells: list[tuple[int, str]], header: list[str], *,
                  sheet: str | int = 0) -> set[tuple[int, str]]:
    """The ``(line, column)`` cells among ``cells`` that hold a formula (``sheet``)."""
    stored = sheet_cells(path, cells, header, formulas=True, sheet=sheet)
    return {cell for cell, value in stored.items()
            if isinstance(value, str) and value.startswith("=")}
