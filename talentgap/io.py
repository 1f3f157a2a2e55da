"""Reading and writing talentgap tables (CSV, Excel and Parquet).

:func:`read_table` reads a file, parses its periods and validates it against
its table schema in one step, so every message names the file and the input
line of each offending row. CSV files come the way bureaus export them: the
encoding (UTF-8, UTF-8 with a byte-order mark, GBK/GB18030) and the separator
(comma, semicolon, tab) are detected unless given, and a file that cannot be
read says what it looks like instead.

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

import logging
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from talentgap.errors import ParameterError, SchemaError
from talentgap.periods import parse_periods
from talentgap.schema import get_schema, validate

__all__ = ["read_table", "write_table", "write_workbook", "parse_periods", "file_format",
           "sniff_csv"]

logger = logging.getLogger(__name__)

#: Text read as a missing value in non-key CSV columns.
_MISSING_TEXT = ("", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None", "#N/A")

_FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".csv.gz": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
}
#: Encodings tried, in order, when ``encoding="auto"``: UTF-8 (a byte-order mark is
#: dropped), then GB18030, the superset of GBK that Excel on Chinese-locale machines writes.
ENCODINGS = ("utf-8-sig", "gb18030")
#: Separators considered when ``sep="auto"``.
SEPARATORS = (",", ";", "\t")
_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def file_format(path: str | Path) -> str:
    """Return ``"csv"``, ``"excel"`` or ``"parquet"`` from a file name.

    ``.csv``, ``.txt`` and ``.csv.gz`` are CSV; ``.xlsx`` is Excel (the first
    sheet is read); ``.parquet`` and ``.pq`` are Parquet.

    Raises
    ------
    ParameterError
        For any other suffix.

    Examples
    --------
    >>> file_format("data/surveys.csv.gz"), file_format("surveys.parquet")
    ('csv', 'parquet')
    """
    name = Path(path).name.lower()
    for suffix, fmt in _FORMATS.items():
        if name.endswith(suffix):
            return fmt
    raise ParameterError(
        f"cannot tell the format of {str(path)!r} from its suffix; "
        "use .csv, .csv.gz, .txt, .xlsx, .parquet or .pq"
    )


def _head_bytes(path: Path, size: int = 65536) -> bytes:
    if path.name.lower().endswith(".gz"):
        import gzip

        with gzip.open(path, "rb") as handle:
            return handle.read(size)
    with open(path, "rb") as handle:
        return handle.read(size)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the end is fine
        return exc.start >= len(data) - 4
    return True


def sniff_csv(path: str | Path, *, expected: tuple[str, ...] = ()) -> tuple[str, str]:
    """The encoding and separator a CSV file most likely uses.

    The encoding is the first of :data:`ENCODINGS` that decodes the start
    of the file (UTF-8 first, so plain ASCII and UTF-8 files stay UTF-8).
    The separator is the one of :data:`SEPARATORS` that splits the header
    into the most ``expected`` column names, then into the most fields with
    the same count on the first lines.

    Parameters
    ----------
    path : str or pathlib.Path
    expected : tuple of str
        Column names the header should contain.

    Returns
    -------
    (encoding, sep) : tuple of str

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "training.csv"
    >>> _ = path.write_bytes("period;region;industry\\n2024Q1;温州;纺织\\n".encode("gbk"))
    >>> sniff_csv(path, expected=("period", "region"))
    ('gb18030', ';')
    """
    head = _head_bytes(Path(path))
    encoding = next((e for e in ENCODINGS if _decodes(head, e)), ENCODINGS[0])
    text = head.decode(encoding, errors="replace")
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return encoding, ","
    header = lines[0]

    def score(sep: str) -> tuple[int, int, int]:
        names = [name.strip().strip('"').lstrip("\ufeff") for name in header.split(sep)]
        counts = [line.count(sep) for line in lines]
        consistent = sum(c == counts[0] for c in counts) if counts[0] else 0
        return sum(name in expected for name in names), consistent, counts[0]

    return encoding, max(SEPARATORS, key=score)


def _read_csv(path: Path, table: str, sep: str, encoding: str) -> pd.DataFrame:
    schema = get_schema(table)
    expected = tuple(c.name for c in schema.columns)
    if sep == "auto" or encoding == "auto":
        found_encoding, found_sep = sniff_csv(path, expected=expected)
        encoding = found_encoding if encoding == "auto" else encoding
        sep = found_sep if sep == "auto" else sep
    text_columns = [c.name for c in schema.columns if c.kind in ("id", "key")]
    # Codes such as "NA" or "None" are legitimate region or industry codes: in
    # key columns only an empty field is missing.
    missing = {name: [""] for name in text_columns}
    try:
        header = pd.read_csv(path, sep=sep, encoding=encoding, nrows=0).columns
        missing.update({name: list(_MISSING_TEXT) for name in header if name not in missing})
        # Blank lines are read as empty rows, so row i is line i + 2 of the file
        # and validation accounts for them (rule "empty_row").
        raw = pd.read_csv(path, sep=sep, encoding=encoding,
                          dtype={name: str for name in text_columns},
                          skip_blank_lines=False, keep_default_na=False, na_values=missing)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise SchemaError(f"{path}: cannot be read as CSV with encoding {encoding!r} and "
                          f"separator {sep!r}: {exc}{_hint(path, expected, sep, encoding)}",
                          reason="unreadable_file") from exc
    if not any(name in raw.columns for name in expected):
        hint = _hint(path, expected, sep, encoding)
        if hint:
            raise SchemaError(f"{path}: none of the {table} columns {list(expected[:4])}... "
                              f"in the header {list(raw.columns[:4])}{hint}",
                              reason="unreadable_file")
    return raw


def _hint(path: Path, expected: tuple[str, ...], sep: str, encoding: str) -> str:
    """What the file looks like, when it is not what it was read as."""
    found_encoding, found_sep = sniff_csv(path, expected=expected)
    advice = []
    if found_encoding != encoding and not (encoding.lower().replace("_", "-") in ("utf-8",
                                                                                  "utf8")
                                           and found_encoding == "utf-8-sig"):
        advice.append(f"encoding={found_encoding!r}")
    if found_sep != sep:
        advice.append(f"sep={found_sep!r} ({_SEPARATOR_NAMES[found_sep]}-separated)")
    if not advice:
        return ""
    return ("; the file looks like " + " and ".join(advice)
            + ": pass them, or leave both as 'auto' to detect them")


def _read_excel(path: Path, table: str) -> pd.DataFrame:
    schema = get_schema(table)
    text_columns = [c.name for c in schema.columns if c.kind in ("id", "key")]
    try:
        return pd.read_excel(path, sheet_name=0, engine="openpyxl",
                             dtype={name: str for name in text_columns})
    except (ValueError, KeyError, OSError) as exc:
        raise SchemaError(f"{path}: cannot be read as an Excel workbook: {exc}",
                          reason="unreadable_file") from exc


def read_table(
    path: str | Path,
    *,
    table: str,
    freq: str | None = None,
    allowed: dict | None = None,
    errors: Literal["raise", "report"] = "raise",
    sep: str = "auto",
    encoding: str = "auto",
):
    """Read a CSV, Excel or Parquet file and validate it as ``table``.

    Parameters
    ----------
    path : str or pathlib.Path
        The file; its suffix decides the format (see :func:`file_format`).
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
        (:func:`sniff_csv`: UTF-8 with or without a byte-order mark, or
        GB18030/GBK; comma, semicolon or tab). When a file cannot be read as
        given, the error says which encoding or separator it looks like.

    Returns
    -------
    clean : pandas.DataFrame
    report : DataQualityReport
        Only with ``errors="report"``.

    Raises
    ------
    SchemaError
        The file cannot be parsed, or (with ``errors="raise"``) rows break
        the schema. The message starts with the file name; line numbers are
        those of the file (the header is line 1), for Excel those of the
        sheet. For Parquet, ``line`` is the 1-based row number.
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
    """
    path = Path(path)
    fmt = file_format(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if fmt == "csv":
        raw = _read_csv(path, table, sep, encoding)
        lines = np.arange(len(raw), dtype=np.int64) + 2
    elif fmt == "excel":
        raw = _read_excel(path, table)
        lines = np.arange(len(raw), dtype=np.int64) + 2
    else:
        raw = pd.read_parquet(path)
        lines = np.arange(len(raw), dtype=np.int64) + 1
    try:
        return validate(raw, table=table, freq=freq, allowed=allowed, errors=errors,
                        line_numbers=lines)
    except SchemaError as exc:
        raise SchemaError(f"{path}: {exc}", column=exc.column, reason=exc.reason,
                          failure_cases=exc.failure_cases) from None


def _labelled(df: pd.DataFrame) -> pd.DataFrame:
    """Period columns as labels (``2024Q1``), the way every output format stores them."""
    periods = [i for i, dtype in enumerate(df.dtypes) if isinstance(dtype, pd.PeriodDtype)]
    if periods:
        df = df.copy()
        for i in periods:
            df.isetitem(i, df.iloc[:, i].astype(str))
    return df


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
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            _labelled(frame).to_excel(writer, sheet_name=name, index=False)
    return path


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a table to CSV, Excel or Parquet (by suffix); periods become labels (``2024Q1``).

    Parameters
    ----------
    df : pandas.DataFrame
    path : str or pathlib.Path

    Returns
    -------
    pathlib.Path
        The path written.

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
    df = _labelled(df)  # labels in every format, not pandas-only Period storage in Parquet
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        df.to_csv(path, index=False)
    elif fmt == "excel":
        df.to_excel(path, index=False, engine="openpyxl")
    else:
        df.to_parquet(path, index=False)
    return path
