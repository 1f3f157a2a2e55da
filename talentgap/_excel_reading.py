"""Reading the first sheet of an Excel workbook the way CSV files are read.

Private helper of :mod:`talentgap.io`: the sheet comes back as raw rows (codes
as text, only an empty cell missing in key columns, trailing empty rows
dropped, Excel error values put back where pandas reads them as blanks),
with hints for the messages: date serials in the period column, a title row
above the header, another sheet holding the data, formulas without a saved
value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from talentgap._checks import EXCEL_ERRORS
from talentgap._input_hints import (
    MISSING_TEXT,
    formula_cells,
    header_row_hint,
    repeated_names,
    serial_hint,
    sheet_cells,
    sheet_hint,
    trailing_blank,
)
from talentgap.errors import SchemaError
from talentgap.schema import get_schema

__all__ = ["read_excel_rows", "formula_hint"]


def read_excel_rows(path: Path, table: str) -> tuple[pd.DataFrame, np.ndarray, str]:
    """The first sheet as rows, their line numbers, and hints for the messages.

    Missing values follow the CSV rule: in key columns only an empty cell is
    missing, so ``NA`` or ``None`` stay codes.
    """
    schema = get_schema(table)
    expected = tuple(c.name for c in schema.columns)
    text_columns = [c.name for c in schema.columns if c.kind in ("id", "key")]
    try:
        grid = pd.read_excel(path, sheet_name=0, engine="openpyxl", header=None, dtype=object,
                             keep_default_na=False, na_values=[""])
    except (ValueError, KeyError, OSError) as exc:
        raise SchemaError(f"{path}: cannot be read as an Excel workbook: {exc}",
                          reason="unreadable_file") from exc
    if grid.empty:
        raise SchemaError(f"{path}: the first sheet is empty{sheet_hint(path, expected)}",
                          reason="empty_table")
    names = grid.iloc[0].tolist()
    repeated = repeated_names(names)
    if repeated:
        raise SchemaError(f"{path}: column names must not repeat (spaces and case "
                          f"ignored): {'; '.join(repeated)}", reason="repeated_column")
    header = [f"Unnamed: {i}" if pd.isna(n) else str(n) for i, n in enumerate(names)]
    body = grid.iloc[1:].reset_index(drop=True)
    body.columns = header
    body = body.iloc[:len(body) - trailing_blank(body)]
    columns = {}
    for name in header:
        values = body[name]
        if name in text_columns:  # codes as text, as the CSV reader keeps them
            present = values.notna()
            values = values.where(~present, values.astype(str)).astype(object)
        else:
            values = values.mask(values.isin(MISSING_TEXT)).infer_objects()
        columns[name] = values
    raw = pd.DataFrame(columns, index=body.index)
    _restore_errors(path, raw, [n for n in header if n in schema.names], header,
                    tuple(schema.required))
    hints = serial_hint(raw)
    if not any(name in header for name in schema.required[1:]):
        rows = grid.head(10).to_numpy(dtype=object).tolist()
        hints += header_row_hint(rows, expected) or sheet_hint(path, expected)
    return raw, np.arange(len(raw), dtype=np.int64) + 2, hints


def _restore_errors(path: Path, raw: pd.DataFrame, names: list[str], header: list[str],
                    required: tuple[str, ...]) -> None:
    """Put back the error values (``#REF!``) that pandas reads as empty cells, in place."""
    missing = {name: raw[name].isna().to_numpy() for name in names}
    # an optional column left empty throughout is absent, not a column of errors
    empty = [(int(line), name) for name, gap in missing.items()
             if gap.any() and (name in required or not gap.all())
             for line in np.flatnonzero(gap) + 2]
    if not empty:
        return
    stored = sheet_cells(path, empty, header)
    for (line, name), value in stored.items():
        if isinstance(value, str) and value in EXCEL_ERRORS:
            if raw[name].dtype != object:
                raw[name] = raw[name].astype(object)
            raw.loc[line - 2, name] = value


def formula_hint(path: Path, cases: pd.DataFrame | None, header: list[str]) -> str:
    """Say which missing cells of a workbook hold a formula without a saved value."""
    if cases is None or len(cases) == 0 or "rule" not in cases.columns:
        return ""
    missing = cases[cases["rule"] == "missing_value"]
    cells = formula_cells(path, list(zip(missing["line"].astype(int),
                                         missing["column"].astype(str), strict=True)),
                          header)
    if not cells:
        return ""
    shown = ", ".join(f"line {line} column {name!r}" for line, name in sorted(cells)[:3])
    return (f"; {len(cells)} missing cell{'s hold' if len(cells) > 1 else ' holds'} a formula "
            f"without a saved value ({shown}): open the file in Excel and save it, so the "
            "values are stored with the formulas")
