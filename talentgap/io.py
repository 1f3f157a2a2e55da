"""Reading and writing talentgap tables (CSV, Excel and Parquet).

:func:`read_table` reads a file, parses its periods and validates it against
its table schema in one step, so every message names the file and the input
line of each offending row. CSV files come the way bureaus export them: the
encoding (UTF-8, UTF-8 or UTF-16 with a byte-order mark, GBK/GB18030) and the
separator (comma, semicolon, tab) are detected unless given, and a file that
cannot be read says what it looks like instead, down to the line of the first
byte no encoding decodes, or which of its lines are UTF-8 and which GBK when
it mixes both. Workbooks come as exported too: the data may be on any sheet
(``sheet``), under a title or a group-header row (``header_row``, found
automatically when one row holds every required column name), with column
names of the bureau's own (``columns`` maps them to the schema's). Side
files (codes lists, plan parameter CSVs) are read the same way by
:func:`read_text` and :func:`read_csv_file`.

Examples
--------
>>> import tempfile, pathlib
>>> from talentgap.io import read_table
>>> path = pathlib.Path(tempfile.mkdtemp()) / "employment.csv"
>>> _ = path.write_text("period,region,industry,employment\\n"
...                     "2024,Northvale,textiles,1200\\n2024,Eastbrook,textiles,-5\\n")
>>> clean, report = read_table(path, table="employment", errors="report")
>>> report.rows_kept, report.rejected[["line", "rule"]].to_dict("records")
(1, [{'line': 3, 'rule': 'negative'}])
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from talentgap._csv_reading import (
    ENCODING_ADVICE,
    SEPARATORS,
    check_encoding,
    check_read,
    csv_header_hint,
    read_csv_rows,
    read_raw_csv,
    record_lines,
    sniff_csv,
    too_many_fields,
    undecodable,
)
from talentgap._encoding import (
    ENCODINGS,
    bom_encoding,
    detect_encoding,
    head_bytes,
    next_encodings,
)
from talentgap._excel_reading import check_header_row, formula_hint, read_excel_rows
from talentgap._input_hints import blank_rows, column_map_hint, rename_columns, trailing_blank
from talentgap._quality import reject_incomplete_groups, unit_groups
from talentgap._table_files import TableRows, read_files, table_files
from talentgap.errors import ParameterError, SchemaError
from talentgap.periods import check_calendar_labels, parse_periods
from talentgap.schema import get_schema, validate

__all__ = ["read_table", "read_csv_file", "read_text", "write_table", "write_workbook",
           "parse_periods", "file_format", "sniff_csv", "ENCODINGS", "SEPARATORS",
           "EXCEL_LIMITS"]

logger = logging.getLogger(__name__)

_FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".csv.gz": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
}
#: Workbook formats that are not read, and what they are.
_OLD_WORKBOOKS = {".xls": "an Excel 97-2003 workbook (.xls)", ".et": "a WPS spreadsheet (.et)",
                  ".ett": "a WPS spreadsheet template (.ett)",
                  ".xlsm": "an Excel workbook with macros (.xlsm)",
                  ".xlsb": "an Excel binary workbook (.xlsb)"}

def file_format(path: str | Path) -> str:
    """Return ``"csv"``, ``"excel"`` or ``"parquet"`` from a file name.

    ``.csv``, ``.txt`` and ``.csv.gz`` are CSV; ``.xlsx`` is Excel (the first
    sheet is read unless another is named); ``.parquet`` and ``.pq`` are Parquet.

    Raises
    ------
    ParameterError
        For any other suffix; for an older or other workbook (``.xls``, WPS
        ``.et``, ``.xlsm``, ``.xlsb``) the message says to save it as
        ``.xlsx`` (or CSV).

    Examples
    --------
    >>> file_format("data/surveys.csv.gz"), file_format("surveys.parquet")
    ('csv', 'parquet')
    """
    name = Path(path).name.lower()
    for suffix, fmt in _FORMATS.items():
        if name.endswith(suffix):
            return fmt
    old = next((s for s in _OLD_WORKBOOKS if name.endswith(s)), None)
    if old is not None:
        raise ParameterError(
            f"{str(path)!r} is {_OLD_WORKBOOKS[old]}, which is not read: open it in Excel or "
            "WPS and save it as .xlsx (or CSV), then read that file")
    raise ParameterError(
        f"cannot tell the format of {str(path)!r} from its suffix; "
        "use .csv, .csv.gz, .txt, .xlsx, .parquet or .pq"
    )


def read_csv_file(path: str | Path, *, text_columns: tuple[str, ...] | list[str] = (),
                  sep: str = "auto", encoding: str = "auto") -> pd.DataFrame:
    """Read a CSV side file (a codes list, plan parameters) the way tables are read.

    The encoding and separator are detected as for :func:`read_table`
    (:func:`sniff_csv`, with the whole file read again with the next
    candidate on a decode error), header names must not repeat, blank
    lines at the end are dropped and blank lines in the middle are dropped
    too, with ``attrs["line_numbers"]`` keeping each row's line in the file
    (the header is line 1). Only an empty field is missing in
    ``text_columns``, which are read as text; as for tables, a GB18030 guess
    whose ``text_columns`` look mis-decoded is refused (reason
    ``wrong_encoding``; a warning when the encoding is given), and so is a
    file that mixes UTF-8 and GBK lines (reason ``mixed_encoding``).

    Parameters
    ----------
    path : str or pathlib.Path
    text_columns : sequence of str, optional
        Columns read as text (codes such as ``"007"`` keep their zeros).
    sep, encoding : str, default "auto"
        As in :func:`read_table`.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    SchemaError
        When the file cannot be decoded or parsed (reason ``unreadable_file``)
        or its header repeats a name (reason ``repeated_column``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cost.csv"
    >>> _ = path.write_bytes("region,cost\\n温州,4000\\n\\n杭州,5000\\n\\n".encode("gbk"))
    >>> table = read_csv_file(path, text_columns=["region"])
    >>> table["region"].tolist(), table.attrs["line_numbers"]
    (['温州', '杭州'], [2, 4])
    """
    path = Path(path)
    raw, used, used_sep, wide = read_raw_csv(path, sep, encoding, list(text_columns),
                                             tuple(text_columns))
    if wide.size:
        text, cases = too_many_fields(wide, record_lines(path, used, used_sep, 1, len(raw)),
                                      raw.shape[1])
        raise SchemaError(f"{path}: {text}", column="*", reason="too_many_fields",
                          failure_cases=cases)
    raw = raw.iloc[:len(raw) - trailing_blank(raw)]
    keep = ~blank_rows(raw) if raw.shape[1] else np.ones(len(raw), dtype=bool)
    lines = record_lines(path, used, used_sep, 1, len(raw))[keep].tolist()
    raw = raw[keep].reset_index(drop=True)
    check_read(path, raw, list(text_columns), np.asarray(lines, dtype=np.int64), encoding,
                used)
    raw.attrs["line_numbers"] = lines
    return raw


def read_text(path: str | Path, *, encoding: str = "auto") -> str:
    """The text of a file (e.g. a list of codes, one per line), its encoding detected.

    A byte-order mark (UTF-8 or UTF-16) is honoured and dropped; otherwise
    the first of :data:`ENCODINGS` that decodes the whole file is used.

    Raises
    ------
    SchemaError
        When no encoding tried decodes the file (reason ``unreadable_file``),
        naming the line of the first bad byte.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "regions.txt"
    >>> _ = path.write_bytes("\\ufeff温州\\n杭州\\n".encode("utf-8"))
    >>> read_text(path).splitlines()
    ['温州', '杭州']
    """
    path = Path(path)
    check_encoding(encoding)
    data = head_bytes(path, None)
    marked = bom_encoding(data[:4]) is not None  # a byte-order mark wins over encoding=
    first = detect_encoding(data[:65536]) if encoding == "auto" or marked else encoding
    encoding = "auto" if marked else encoding
    candidates = (first, *next_encodings(first)) if encoding == "auto" else (encoding,)
    for candidate in candidates:
        try:
            return data.decode(candidate).lstrip("\ufeff")
        except UnicodeDecodeError:
            continue
    raise SchemaError(f"{path}: cannot be decoded as text with encoding "
                      f"{' or '.join(map(repr, candidates))}: "
                      f"{undecodable(path, candidates)}; {ENCODING_ADVICE}",
                      reason="unreadable_file")


def read_table(
    path: str | Path,
    *,
    table: str,
    freq: str | None = None,
    allowed: dict | None = None,
    errors: Literal["raise", "report"] = "raise",
    sep: str = "auto",
    encoding: str = "auto",
    sheet: str | int | None = None,
    header_row: int | None = None,
    columns: dict[str, str] | None = None,
):
    """Read a CSV, Excel or Parquet file and validate it as ``table``.

    Parameters
    ----------
    path : str or pathlib.Path
        The file; its suffix decides the format (see :func:`file_format`). A
        folder (its ``.csv``, ``.csv.gz``, ``.txt`` and ``.xlsx`` files) or a
        glob pattern (``"provinces/*.csv"``) reads each file's rows as one
        file's, then validates the rows of all files together in memory, so
        every rule applies across files as within one (a key repeated in two
        files, an enterprise-period that lost a row); rows are named by file
        and line, and ``rejected`` gets a ``file`` column (beyond one machine, pass a Dask
        DataFrame to :func:`talentgap.features.estimate_cells` instead).
    table : {"surveys", "training", "employment"}
        Which schema the file must follow.
    freq : {"Y", "Q", "M"} or alias, optional
        Declared period frequency (taken from the labels when omitted).
    allowed : dict, optional
        Allowed codes per key column, as in :func:`talentgap.schema.validate`.
    errors : {"raise", "report"}, default "raise"
        As in :func:`talentgap.schema.validate`.
    sep, encoding : str, default "auto"
        CSV field separator and text encoding; ``"auto"`` detects them
        (:func:`sniff_csv`: UTF-8 with or without a byte-order mark, UTF-16
        with one, or GB18030/GBK; comma, semicolon or tab). A byte-order mark
        always decides the encoding. With ``encoding="auto"``, a decode error
        anywhere in the file has it read again with the next candidate, and a
        GB18030 guess whose key codes look mis-decoded (a Latin-1 ``Zürich``
        read as ``Z黵ich``: their bytes read better in another encoding) is
        refused (reason ``wrong_encoding``): give the encoding (``"latin-1"``,
        ``"cp1252"``). Genuine codes mixing Latin letters and Chinese, such as
        GB/T 4754 industry codes (``C制造业``), pass. With a given encoding the
        same check warns (:class:`~talentgap.errors.DataQualityWarning`). A
        file whose lines mix UTF-8 and GBK is refused naming the lines of each
        (reason ``mixed_encoding``). When a file cannot be read as given, the
        error says which encoding or separator it looks like.
    sheet : str or int, optional
        Excel only: the sheet to read, by name or by position counted from 1
        (default the first sheet).
    header_row : int, optional
        CSV and Excel: the row holding the column names, counted from 1 as a
        spreadsheet shows it. Default: row 1, or else the one row among the
        first 20 that holds every required column name (after ``columns``),
        so a title or a group-header row above the header is skipped; two
        such rows are an error asking for ``header_row``. In a workbook, a
        header row whose cells are merged down over the rows below takes
        them in (a two-row header: names merged over rows 2-3, a group
        ``人数（人）`` over ``培训人数`` and ``取证人数`` on row 3), each column
        named by the lowest of those rows that names it. Line numbers in
        messages stay the file's own.
    columns : dict of str to str, optional
        The file's column names -> the schema's (``{"期间": "period",
        "企业编号": "enterprise_id"}``), case, spaces and line breaks ignored
        and full-width punctuation read as plain (Unicode NFKC: ``培训人数（人）``
        is ``培训人数(人)``); a name not in the file is an error, saying on which
        row the names seem to be when they are on another. When required
        columns are missing and the file has others, the error lists the
        file's columns.

    Returns
    -------
    clean : pandas.DataFrame
    report : DataQualityReport
        Only with ``errors="report"``.

    Raises
    ------
    SchemaError
        The file cannot be parsed or decoded, its header repeats a name
        (spaces and case ignored), it has no rows below its header (reason
        ``empty_table``, with either ``errors``; a ``vacancies`` file may be
        empty: nobody reported a vacancy), or (with ``errors="raise"``) rows break
        the schema; a cell holding an Excel error value such as ``#REF!``
        (in CSV and Excel alike) breaks rule ``excel_error``, so with
        ``errors="report"`` its row is rejected like any other. The message starts with the
        file name; line numbers are those of the file (the header is line 1),
        for Excel those of the sheet. For Parquet, ``line`` is the 1-based row
        number. Blank lines at the end of a file are not rows; in key columns
        only an empty cell is missing (``NA`` is a code) in CSV and Excel.
        A CSV line with more (non-empty) fields than the header breaks rule
        ``too_many_fields`` (with ``errors="report"`` its row is rejected and
        the rest read). Merged cells below a workbook's header are read as
        Excel shows them in code, period and text columns (each row holds
        the value, with a :class:`~talentgap.errors.DataQualityWarning`); in
        number columns they are not repeated, and the message names them.
        Spaces around a number, full-width ones (U+3000) too, are ignored;
        the period column of a CSV file is read as text.
    ParameterError
        ``sheet`` for a file that is not a workbook, ``header_row`` for a
        Parquet file, or either out of range.
    FileNotFoundError
        If ``path`` does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "training.csv"
    >>> _ = path.write_text("period,region,industry,trained,certified\\n"
    ...                     "2024Q1,Northvale,textiles,120,80\\n")
    >>> read_table(path, table="training").dtypes["period"]
    period[Q-DEC]

    A bureau's export, with a title row and its own column names:

    >>> _ = path.write_text("温州市培训统计 2024\\n期间,地区,行业,培训人数,取证人数\\n"
    ...                     "2024Q1,Northvale,textiles,120,80\\n", encoding="utf-8")
    >>> names = {"期间": "period", "地区": "region", "行业": "industry",
    ...          "培训人数": "trained", "取证人数": "certified"}
    >>> read_table(path, table="training", columns=names)["certified"].tolist()
    [80]
    """
    files = table_files(path)  # a folder or a pattern: the files' rows validated as one
    if files is not None:
        return read_files(_read_rows, _checked, files, table=table, freq=freq,
                          allowed=allowed, errors=errors, sep=sep, encoding=encoding,
                          sheet=sheet, header_row=header_row, columns=columns)
    rows = _read_rows(path, table=table, sep=sep, encoding=encoding, sheet=sheet,
                      header_row=header_row, columns=columns)
    return _checked(rows, table=table, freq=freq, allowed=allowed, errors=errors)


def _read_rows(path: str | Path, *, table: str, sep: str, encoding: str,
               sheet: str | int | None, header_row: int | None,
               columns: dict[str, str] | None) -> TableRows:
    """One file's raw rows, their lines, the rows with too many fields, and hints."""
    path = Path(path)
    fmt = file_format(path)
    if sheet is not None and fmt != "excel":
        raise ParameterError(f"sheet={sheet!r} is for Excel workbooks; {path} is {fmt}")
    check_header_row(header_row)
    if header_row is not None and fmt == "parquet":
        raise ParameterError(f"header_row={header_row!r} is for CSV and Excel files; "
                             f"{path} is Parquet")
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    hints, name, wide = "", 0, np.zeros(0, dtype=np.int64)
    if fmt == "csv":
        raw, lines, wide = read_csv_rows(path, table, sep, encoding, header_row=header_row,
                                         columns=columns)
    elif fmt == "excel":
        raw, lines, hints, name, wide = read_excel_rows(path, table, sheet=sheet,
                                                        header_row=header_row,
                                                        columns=columns)
    else:
        raw = pd.read_parquet(path)
        raw.columns = rename_columns(list(raw.columns), columns, str(path))
        lines = np.arange(len(raw), dtype=np.int64) + 1
    return TableRows(path=path, fmt=fmt, raw=raw, lines=np.asarray(lines, dtype=np.int64),
                     wide=wide, hints=hints, sheet=name, sep=sep, encoding=encoding)


def _checked(rows: TableRows, *, table: str, freq: str | None, allowed: dict | None,
             errors: str):
    """Validate raw rows as ``table``: every rule, messages naming the file."""
    path, raw, lines, wide, hints = rows.path, rows.raw, rows.lines, rows.wide, rows.hints
    schema = get_schema(table)
    if wide.size:
        text, wide_cases = too_many_fields(wide, lines, raw.shape[1],
                                           spreadsheet=rows.fmt == "excel")
        # a missing column first: a title row read as the header makes every row wide
        if errors == "raise" and all(name in raw.columns for name in schema.required):
            raise SchemaError(f"{path}: {table}: {text}; with errors='report' (in a run "
                              "configuration [data] on_invalid = 'skip') these rows are "
                              "rejected and the rest read", column="*",
                              reason="too_many_fields", failure_cases=wide_cases)
    try:
        if len(raw) == 0 and errors == "report":  # a file of a header only is a mistake
            validate(raw, table=table, freq=freq, allowed=allowed, line_numbers=lines)
        result = validate(raw, table=table, freq=freq, allowed=allowed, errors=errors,
                          line_numbers=lines)
    except SchemaError as exc:
        if rows.fmt == "csv" and exc.reason == "missing_column":
            hints += csv_header_hint(path, rows.sep if rows.sep != "auto" else sniff_csv(
                path, expected=tuple(schema.names), encoding=rows.encoding)[1],
                rows.encoding, tuple(schema.names), table)
        if exc.reason == "missing_column":
            hints += column_map_hint(list(raw.columns), tuple(schema.names),
                                     tuple(schema.required), table)
        if rows.fmt == "excel":
            hints += formula_hint(path, exc.failure_cases, list(raw.columns), sheet=rows.sheet)
        raise SchemaError(f"{path}: {exc}{hints}", column=exc.column, reason=exc.reason,
                          failure_cases=exc.failure_cases) from None
    if wide.size:
        result = _reject_wide(*result, wide, wide_cases, table)
    if errors == "report" and rows.fmt == "excel":
        clean, report = result
        hint = (hints + formula_hint(path, report.rejected, list(raw.columns),
                                     sheet=rows.sheet)).lstrip("; ")
        if hint:
            report.warnings.append(hint)
    return result


def _reject_wide(clean: pd.DataFrame, report, wide: np.ndarray, cases: pd.DataFrame,
                 table: str):
    """Reject the rows whose line had too many fields, and then their groups."""
    keys = report.row_keys
    kept = keys["kept"].to_numpy(dtype=bool)
    hit = np.zeros(len(kept), dtype=bool)
    hit[wide] = True
    cases = cases.assign(row=keys.index.to_numpy()[wide])
    rejected = pd.concat([report.rejected, cases], ignore_index=True)
    rejected = rejected.sort_values("line", kind="stable").reset_index(drop=True)
    moved = int((hit & kept).sum())
    report = dataclasses.replace(report, rows_kept=report.rows_kept - moved,
                                 rows_rejected=report.rows_rejected + moved,
                                 rejected=rejected, row_keys=keys.assign(kept=kept & ~hit))
    clean = clean.iloc[np.flatnonzero(~hit[kept])]
    unit = unit_groups(table)
    if unit is not None:
        clean, report = reject_incomplete_groups(clean, report, by=unit[0], group=unit[1])
    return clean, report


def _labelled(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Period columns as labels (``2024Q1``), the way every output format stores them.

    Fiscal Periods (``period[Q-MAR]``) are refused: their labels would be read
    back as calendar periods (:func:`~talentgap.periods.check_calendar_labels`).
    """
    check_calendar_labels(df, what=path.name)
    periods = [i for i, dtype in enumerate(df.dtypes) if isinstance(dtype, pd.PeriodDtype)]
    if periods:
        df = df.copy()
        for i in periods:
            df.isetitem(i, df.iloc[:, i].astype(str))
    return df


#: Rows and columns of an Excel sheet at most (the header row included).
EXCEL_LIMITS = (1_048_576, 16_384)


def _check_sheet(name: str, frame: pd.DataFrame, path: Path) -> None:
    rows, columns = len(frame) + 1, frame.shape[1]
    if rows > EXCEL_LIMITS[0] or columns > EXCEL_LIMITS[1]:
        raise ParameterError(
            f"{path}: sheet {name!r} would hold {rows:,} rows and {columns:,} columns with "
            f"its header; an Excel sheet holds at most {EXCEL_LIMITS[0]:,} rows and "
            f"{EXCEL_LIMITS[1]:,} columns: write the table as CSV or Parquet, or only its "
            "first rows")


def write_workbook(sheets: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write several tables to one Excel workbook, one sheet each (periods as labels).

    Parameters
    ----------
    sheets : dict of str to pandas.DataFrame
        Sheet name (at most 31 characters, as Excel allows) -> table.
    path : str or pathlib.Path
        The ``.xlsx`` file to write.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ParameterError
        A sheet name longer than 31 characters, or a table larger than an
        Excel sheet holds (:data:`EXCEL_LIMITS`, header included); nothing is
        written then.
    SchemaError
        For a column of fiscal Periods, as :func:`write_table`.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "plan.xlsx"
    >>> frame = pd.DataFrame({"period": pd.period_range("2026", periods=2, freq="Y"),
    ...                       "quota": [120, 80]})
    >>> path = write_workbook({"plan": frame, "notes": pd.DataFrame({"note": ["ok"]})}, out)
    >>> pd.read_excel(path, sheet_name=None, dtype=str)["plan"]["period"].tolist()
    ['2026', '2027']
    """
    path = Path(path)
    long = [name for name in sheets if len(name) > 31]
    if long:
        raise ParameterError(f"sheet names must be at most 31 characters: {long}")
    for name, frame in sheets.items():
        _check_sheet(name, frame, path)
        check_calendar_labels(frame, what=f"{path.name}, sheet {name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            _labelled(frame, path).to_excel(writer, sheet_name=name, index=False)
    return path


def write_table(df: pd.DataFrame, path: str | Path, *, encoding: str = "utf-8") -> Path:
    """Write a table to CSV, Excel or Parquet (by suffix); periods become labels (``2024Q1``).

    Parameters
    ----------
    df : pandas.DataFrame
    path : str or pathlib.Path
    encoding : str, default "utf-8"
        CSV only: the text encoding. ``"utf-8-sig"`` starts the file with a
        byte-order mark, which Excel needs to show Chinese text in a CSV file
        rather than guess the system's code page (garbled text on Chinese
        Windows); :func:`read_table` reads either.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ParameterError
        For ``.xlsx``, a table larger than an Excel sheet holds.
    SchemaError
        For a column of fiscal Periods (``period[Q-MAR]``, rule
        ``bad_period``): its labels would be read back as calendar periods;
        convert it first (``.dt.asfreq("Q-DEC", how="end")``).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> frame = pd.DataFrame({"period": pd.period_range("2024Q1", periods=2, freq="Q"),
    ...                       "value": [1, 2]})
    >>> print(write_table(frame, out).read_text().strip())
    period,value
    2024Q1,1
    2024Q2,2
    """
    path = Path(path)
    fmt = file_format(path)
    df = _labelled(df, path)  # labels in every format, not pandas-only Period storage in Parquet
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        df.to_csv(path, index=False, encoding=encoding)
    elif fmt == "excel":
        _check_sheet("Sheet1", df, path)
        df.to_excel(path, index=False, engine="openpyxl")
    else:
        df.to_parquet(path, index=False)
    return path
