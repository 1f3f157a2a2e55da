"""Reading a sheet of an Excel workbook the way CSV files are read.

Private helper of :mod:`talentgap.io`: the sheet (the first, or the one
named) comes back as raw rows (codes as text, only an empty cell missing in
key columns, trailing empty rows dropped, Excel error values put back where
pandas reads them as blanks), from its header row (row 1, the one given, or
the one row holding every required column name), its columns renamed as
asked, with hints for the messages: date serials in the period column, a
title row above the header, another sheet holding the data, formulas
without a saved value. Line numbers are the sheet's own row numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from talentgap._checks import EXCEL_ERRORS
from talentgap._input_hints import (
    MISSING_TEXT,
    find_header_row,
    formula_cells,
    header_row_hint,
    rename_columns,
    repeated_names,
    serial_hint,
    sheet_cells,
    sheet_hint,
    trailing_blank,
)
from talentgap.errors import ParameterError, SchemaError
from talentgap.schema import get_schema

__all__ = ["read_excel_rows", "formula_hint", "check_header_row"]


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
                    ) -> tuple[pd.DataFrame, np.ndarray, str, str]:
    """A sheet as rows, their line numbers, hints for the messages, and the sheet's name.

    ``sheet`` is a name or a position counted from 1 (default the first
    sheet); ``header_row`` the row of the column names counted from 1
    (default: row 1, or the one row of the first 20 holding every required
    column name); ``columns`` renames the file's names to the schema's.
    Missing values follow the CSV rule: in key columns only an empty cell is
    missing, so ``NA`` or ``None`` stay codes.
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
    if header_row is None:
        header_row = find_header_row(grid.head(20).to_numpy(dtype=object).tolist(),
                                     tuple(schema.required), columns, where, table)
    if header_row > len(grid):
        raise SchemaError(f"{where}: header_row={header_row} but the sheet has "
                          f"{len(grid)} rows", reason="empty_table")
    names = rename_columns(grid.iloc[header_row - 1].tolist(), columns, where)
    repeated = repeated_names(names)
    if repeated:
        raise SchemaError(f"{where}: column names must not repeat (spaces and case "
                          f"ignored): {'; '.join(repeated)}", reason="repeated_column")
    header = [f"Unnamed: {i}" if pd.isna(n) else str(n) for i, n in enumerate(names)]
    body = grid.iloc[header_row:].reset_index(drop=True)
    body.columns = header
    body = body.iloc[:len(body) - trailing_blank(body)]
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
    first = header_row + 1  # the sheet row of the first data row
    _restore_errors(path, raw, [n for n in header if n in schema.names], header,
                    tuple(schema.required), sheet=name, first=first)
    hints = serial_hint(raw)
    if not any(column in header for column in schema.required[1:]):
        rows = grid.head(10).to_numpy(dtype=object).tolist()
        hints += header_row_hint(rows, expected, table) or (
            sheet_hint(path, expected, table) if sheet is None else "")
    return raw, np.arange(len(raw), dtype=np.int64) + first, hints, name


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
