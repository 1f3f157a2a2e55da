"""Reading a sheet of an Excel workbook the way CSV files are read.

Private helper of :mod:`talentgap.io`: the sheet (the first, or the one
named) comes back as raw rows (codes as text, only an empty cell missing in
key columns, trailing empty rows dropped, Excel error values put back where
pandas reads them as blanks), from its header row (row 1, the one given, or
the one row holding every required column name; with the rows below it
that its cells merged down span), merged cells below it filled in code
columns, its columns renamed as asked, with hints for the messages: date
serials in the period column, a title row above the header, another sheet
holding the data, formulas without a saved value, numbers in merged cells.
Line numbers are the sheet's own row numbers.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from talentgap._checks import EXCEL_ERRORS
from talentgap._input_hints import (
    HEADER_SEARCH_ROWS,
    MISSING_TEXT,
    columns_row_hint,
    find_header_row,
    formula_cells,
    header_row_hint,
    is_named,
    rename_columns,
    repeated_names,
    serial_hint,
    sheet_cells,
    sheet_hint,
    trailing_blank,
)
from talentgap._text_checks import is_blank
from talentgap.errors import ParameterError, SchemaError, warn
from talentgap.schema import get_schema

__all__ = ["read_excel_rows", "formula_hint", "check_header_row", "merged_ranges"]

#: Column kinds whose merged cells are not repeated over their rows (a number merged
#: over several rows may be their total); codes and periods are.
_NUMBER_KINDS = ("count", "weight", "flag")
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")


def _named_width(names: list) -> int:
    """How many columns the header names: up to its last non-empty name."""
    named = [i for i, n in enumerate(names) if isinstance(n, str) or not pd.isna(n)]
    return named[-1] + 1 if named else len(names)


def merged_ranges(path: Path, sheet: str, n_rows: int, n_columns: int) -> np.ndarray:
    """The merged cells of a sheet as rows ``(first_row, first_col, last_row, last_col)``.

    Rows and columns count from 1 as the spreadsheet shows them, clipped to
    the ``n_rows`` x ``n_columns`` cells read. Read from the sheet's XML
    (``<mergeCell ref="A2:A3"/>``), which openpyxl's read-only mode skips,
    without parsing the cells again.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from openpyxl import Workbook
    >>> book = Workbook()
    >>> book.active.title = "data"
    >>> book.active.merge_cells("A2:A3")
    >>> book.active.merge_cells("B1:D1")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "merged.xlsx"
    >>> book.save(path)
    >>> merged_ranges(path, "data", n_rows=10, n_columns=3).tolist()  # B1:D1 clipped to C
    [[1, 2, 1, 3], [2, 1, 3, 1]]
    """
    from openpyxl.utils.cell import range_boundaries

    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, sheet)
        if part is None:
            return np.zeros((0, 4), dtype=np.int64)
        data = archive.read(part)
    end = data.rfind(b"sheetData>")  # the merged cells follow the cells
    found = []
    for ref in _MERGE_CELL.findall(data, max(end, 0)):
        min_col, min_row, max_col, max_row = range_boundaries(ref.decode("ascii"))
        if min_row <= n_rows and min_col <= n_columns:
            found.append((min_row, min_col, min(max_row, n_rows), min(max_col, n_columns)))
    return np.asarray(found, dtype=np.int64).reshape(-1, 4)


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The archive member holding ``sheet``'s XML, from the workbook's relationships."""
    import xml.etree.ElementTree as ET

    try:
        book = ET.fromstring(archive.read("xl/workbook.xml"))
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return None
    rel_id = next((node.get(f"{{{_RELATIONSHIPS}}}id") for node in book.iter()
                   if node.tag.endswith("}sheet") and node.get("name") == sheet), None)
    target = next((node.get("Target") for node in rels
                   if node.get("Id") == rel_id and rel_id is not None), None)
    if target is None:
        return None
    part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return part if part in archive.namelist() else None


def _fill(cells: np.ndarray, merges: np.ndarray, *, down: bool = False) -> np.ndarray:
    """``cells`` (the sheet's first rows) with each merged range holding its first value.

    With ``down``, only down the range's first column: a title or a group
    merged across columns names one column, not each.
    """
    for r0, c0, r1, c1 in merges[merges[:, 0] <= len(cells)].tolist():
        cells[r0 - 1:r1, c0 - 1:(c0 if down else c1)] = cells[r0 - 1, c0 - 1]
    return cells


def _header_end(row: int, merges: np.ndarray) -> int:
    """The last row of a header starting on ``row``: cells merged down from it extend it."""
    down = merges[(merges[:, 0] == row) & (merges[:, 2] > row), 2]
    return int(down.max()) if down.size else row


def _header_names(filled: np.ndarray, row: int, end: int) -> list:
    """Each column's name in header rows ``row``..``end``: its lowest cell holding one.

    A name merged down over the header rows (``统计期`` in A2:A3) counts on
    every row of its range, so the columns under a group (``人数（人）`` over
    ``培训人数`` and ``取证人数``) take their names from the lower row.
    """
    block = filled[row - 1:end]
    names = list(block[-1])
    for lower in range(len(block) - 2, -1, -1):
        for j, value in enumerate(block[lower]):
            if not is_named(names[j]):
                names[j] = value
    return names


def _fill_data(cells: np.ndarray, merges: np.ndarray, end: int, numbers: list[int],
               header: list[str], where: str) -> str:
    """Fill merged data cells with their value, in place; hints for number columns.

    A merged range of codes (a region merged down its enterprises' rows) is
    one value over its rows, as Excel shows it: each row gets it, and a
    warning says so. A merged range in a number column is left as it is (its
    other rows empty, so they fail rule ``missing_value``), and the hint
    returned names the ranges: a number over several rows may be their total.
    """
    data = merges[merges[:, 2] > end]
    if not data.size:
        return ""
    data[:, 0] = np.maximum(data[:, 0], end + 1)
    number = np.isin(data[:, 1] - 1, numbers) | np.isin(data[:, 3] - 1, numbers)
    filled = data[~number & (data[:, 2] > data[:, 0])]
    _fill(cells, filled)
    if filled.size:
        warn(f"{where}: {_ranges_text(filled, header)} merged over several rows: each "
             "row of a merged range is read as holding its value, as Excel shows it")
    held = data[number & (data[:, 2] > data[:, 0])]
    if not held.size:
        return ""
    return (f"; {_ranges_text(held, header)} merged over several rows: a number is not "
            "repeated over the rows of a merged range (it may be their total); unmerge "
            "the cells and give each row its own number")


def _ranges_text(ranges: np.ndarray, header: list[str]) -> str:
    """``column 'region' has 12 cells (C5:C9, C10:C14, ...)`` for merged ranges."""
    from openpyxl.utils.cell import get_column_letter

    parts = []
    for column in np.unique(ranges[:, 1]).tolist():
        mine = ranges[ranges[:, 1] == column]
        mine = mine[np.argsort(mine[:, 0], kind="stable")]
        shown = ", ".join(f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}"
                          for r0, c0, r1, c1 in mine[:3].tolist())
        more = f", ... {len(mine)} ranges" if len(mine) > 3 else ""
        name = header[column - 1] if column <= len(header) else get_column_letter(column)
        parts.append(f"column {name!r} has cells ({shown}{more})")
    return "; ".join(parts)


def check_header_row(header_row) -> None:
    """``header_row`` is None (automatic) or a row number counted from 1."""
    if header_row is not None and (isinstance(header_row, bool)
                                   or not isinstance(header_row, (int, np.integer))
                                   or header_row < 1):
        raise ParameterError(f"header_row={header_row!r}: give the row number of the header, "
                             "counted from 1 as the spreadsheet shows it, or None to find it")


def _sheet_name(path: Path, book: pd.ExcelFile, sheet) -> str:
    names = book.sheet_names
    if sheet is None:
        return names[0]
    if isinstance(sheet, (int, np.integer)) and not isinstance(sheet, bool):
        if sheet < 1:
            raise ParameterError(f"sheet={sheet!r}: sheets count from 1 (the first sheet is "
                                 f"sheet=1), or give the sheet's name: {names}")
        if sheet > len(names):
            raise SchemaError(f"{path}: sheet={sheet} but the workbook has {len(names)} "
                              f"sheet{'s' if len(names) > 1 else ''}: {names}",
                              reason="unreadable_file")
        return names[sheet - 1]
    if not isinstance(sheet, str):
        raise ParameterError(f"sheet={sheet!r}: give the sheet's name or its position "
                             "(1 for the first)")
    if sheet not in names:
        close = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
        raise SchemaError(f"{path}: no sheet named {sheet!r}"
                          + (f" (did you mean {close[0]!r}?)" if close else "")
                          + f"; the workbook's sheets are {names}", reason="unreadable_file")
    return sheet


def read_excel_rows(path: Path, table: str, *, sheet: str | int | None = None,
                    header_row: int | None = None, columns: dict | None = None,
                    ) -> tuple[pd.DataFrame, np.ndarray, str, str, np.ndarray]:
    """A sheet as rows, their line numbers, hints, the sheet's name, the rows with extra cells.

    ``sheet`` is a name or a position counted from 1 (default the first
    sheet); ``header_row`` the row of the column names counted from 1
    (default: row 1, or the one row of the first 20 holding every required
    column name); ``columns`` renames the file's names to the schema's.
    A header may span rows: cells of the header row merged down over the
    rows below make them part of it, and each column takes its name from
    the lowest of those rows that names it (a group ``人数（人）`` over
    ``培训人数`` and ``取证人数``), a name merged down counting on each row.
    Merged cells below the header hold their value on each of their rows
    in code, period and other text columns (with a warning); in number
    columns they are not repeated, and the hints name them.
    Missing values follow the CSV rule: in key columns only an empty cell is
    missing, so ``NA`` or ``None`` stay codes. A cell to the right of the
    last named header cell is an extra field, as on a CSV line with more
    fields than the header: its column is not read, and the positions of the
    rows holding one come back last (rule ``too_many_fields``).
    """
    schema = get_schema(table)
    expected = tuple(c.name for c in schema.columns)
    text_columns = [c.name for c in schema.columns if c.kind in ("id", "key")]
    check_header_row(header_row)
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except (ValueError, KeyError, OSError) as exc:
        raise SchemaError(f"{path}: cannot be read as an Excel workbook: {exc}",
                          reason="unreadable_file") from exc
    with book:
        name = _sheet_name(path, book, sheet)
        try:
            grid = pd.read_excel(book, sheet_name=name, header=None, dtype=object,
                                 keep_default_na=False, na_values=[""])
        except (ValueError, KeyError, OSError) as exc:
            raise SchemaError(f"{path}: cannot be read as an Excel workbook: {exc}",
                              reason="unreadable_file") from exc
    where = str(path) if sheet is None else f"{path} (sheet {name!r})"
    if grid.empty:
        which = "the first sheet" if sheet is None else f"sheet {name!r}"
        raise SchemaError(f"{path}: {which} is empty{sheet_hint(path, expected, table)}",
                          reason="empty_table")
    cells = grid.to_numpy(dtype=object)
    merges = merged_ranges(path, name, len(grid), grid.shape[1])
    filled = _fill(cells[:HEADER_SEARCH_ROWS].copy(), merges, down=True)
    ends = [_header_end(row, merges) for row in range(1, len(filled) + 1)]
    heads = [_header_names(filled, row, end) for row, end in enumerate(ends, start=1)]
    if header_row is None:
        header_row = find_header_row(heads, tuple(schema.required), columns, where, table,
                                     ends=ends)
    if header_row > len(grid):
        raise SchemaError(f"{where}: header_row={header_row} but the sheet has "
                          f"{len(grid)} rows", reason="empty_table")
    end = _header_end(header_row, merges)
    if header_row > len(heads):  # a header below the rows searched
        header_names = _header_names(_fill(cells[:end].copy(), merges, down=True),
                                      header_row, end)
    else:
        header_names = heads[header_row - 1]
    try:
        names = rename_columns(header_names, columns, where)
    except SchemaError as exc:
        raise SchemaError(f"{exc}{columns_row_hint(heads, columns, header_row, table)}",
                          column=exc.column, reason=exc.reason,
                          failure_cases=exc.failure_cases) from None
    repeated = repeated_names(names)
    if repeated:
        raise SchemaError(f"{where}: column names must not repeat (spaces and case "
                          f"ignored): {'; '.join(repeated)}", reason="repeated_column")
    header = [f"Unnamed: {i}" if not isinstance(n, str) and pd.isna(n) else str(n)
              for i, n in enumerate(names)]
    width = _named_width(names)  # cells right of the last name are extra fields, as in CSV
    cells, extra = cells[:, :width], cells[:, width:]
    header = header[:width]
    kinds = {c.name: c.kind for c in schema.columns}
    numbers = [i for i, n in enumerate(header) if kinds.get(n) in _NUMBER_KINDS]
    merge_hints = _fill_data(cells, merges, end, numbers, header, where)
    body = pd.DataFrame(cells[end:], columns=header)
    over = pd.DataFrame(extra[end:])
    filled = np.zeros(len(body), dtype=bool)
    for column in over.columns:  # a cell past the header's, blank ones aside, as in CSV
        filled |= ~is_blank(over[column])
    # a row of extra cells alone is still a row, as a CSV line ",,,,,note" is
    last = int(np.flatnonzero(filled)[-1]) + 1 if filled.any() else 0
    body = body.iloc[:max(len(body) - trailing_blank(body), last)]
    wide = np.flatnonzero(filled[:len(body)]).astype(np.int64)
    values_by_name = {}
    for column in header:
        values = body[column]
        if column in text_columns:  # codes as text, as the CSV reader keeps them
            present = values.notna()
            values = values.where(~present, values.astype(str)).astype(object)
        else:
            values = values.mask(values.isin(MISSING_TEXT)).infer_objects()
        values_by_name[column] = values
    raw = pd.DataFrame(values_by_name, index=body.index)
    first = end + 1  # the sheet row of the first data row
    _restore_errors(path, raw, [n for n in header if n in schema.names], header,
                    tuple(schema.required), sheet=name, first=first)
    hints = serial_hint(raw) + merge_hints
    if not any(column in header for column in schema.required[1:]):
        rows = grid.head(10).to_numpy(dtype=object).tolist()
        hints += header_row_hint(rows, expected, table) or (
            sheet_hint(path, expected, table) if sheet is None else "")
    return raw, np.arange(len(raw), dtype=np.int64) + first, hints, name, wide


def _restore_errors(path: Path, raw: pd.DataFrame, names: list[str], header: list[str],
                    required: tuple[str, ...], *, sheet: str, first: int) -> None:
    """Put back the error values (``#REF!``) that pandas reads as empty cells, in place."""
    missing = {name: raw[name].isna().to_numpy() for name in names}
    # an optional column left empty throughout is absent, not a column of errors
    empty = [(int(line), name) for name, gap in missing.items()
             if gap.any() and (name in required or not gap.all())
             for line in np.flatnonzero(gap) + first]
    if not empty:
        return
    stored = sheet_cells(path, empty, header, sheet=sheet)
    for (line, name), value in stored.items():
        if isinstance(value, str) and value in EXCEL_ERRORS:
            if raw[name].dtype != object:
                raw[name] = raw[name].astype(object)
            raw.loc[line - first, name] = value


def formula_hint(path: Path, cases: pd.DataFrame | None, header: list[str], *,
                 sheet: str | int = 0) -> str:
    """Say which missing cells of a workbook hold a formula without a saved value."""
    if cases is None or len(cases) == 0 or "rule" not in cases.columns:
        return ""
    missing = cases[cases["rule"] == "missing_value"]
    cells = formula_cells(path, list(zip(missing["line"].astype(int),
                                         missing["column"].astype(str), strict=True)),
                          header, sheet=sheet)
    if not cells:
        return ""
    shown = ", ".join(f"line {line} column {name!r}" for line, name in sorted(cells)[:3])
    return (f"; {len(cells)} missing cell{'s hold' if len(cells) > 1 else ' holds'} a formula "
            f"without a saved value ({shown}): open the file in Excel and save it, so the "
            "values are stored with the formulas")
