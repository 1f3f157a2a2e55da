"""Reading and writing talentgap tables (CSV and Parquet).

:func:`read_table` reads a file, parses its periods and validates it against
its table schema in one step, so every message names the file and the input
line of each offending row.

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

__all__ = ["read_table", "write_table", "parse_periods", "file_format"]

logger = logging.getLogger(__name__)

#: Text read as a missing value in non-key CSV columns.
_MISSING_TEXT = ("", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None", "#N/A")

_FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".csv.gz": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def file_format(path: str | Path) -> str:
    """Return ``"csv"`` or ``"parquet"`` from a file name.

    ``.csv``, ``.txt`` and ``.csv.gz`` are CSV; ``.parquet`` and ``.pq`` are
    Parquet.

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
        "use .csv, .csv.gz, .txt, .parquet or .pq"
    )


def _read_csv(path: Path, table: str, sep: str, encoding: str) -> pd.DataFrame:
    schema = get_schema(table)
    text_columns = [c.name for c in schema.columns if c.kind in ("id", "key")]
    # Codes such as "NA" or "None" are legitimate region or industry codes: in
    # key columns only an empty field is missing.
    missing = {name: [""] for name in text_columns}
    try:
        header = pd.read_csv(path, sep=sep, encoding=encoding, nrows=0).columns
        missing.update({name: list(_MISSING_TEXT) for name in header if name not in missing})
        # Blank lines are read as empty rows, so row i is line i + 2 of the file
        # and validation accounts for them (rule "empty_row").
        return pd.read_csv(path, sep=sep, encoding=encoding,
                           dtype={name: str for name in text_columns},
                           skip_blank_lines=False, keep_default_na=False, na_values=missing)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise SchemaError(f"{path}: cannot be read as CSV: {exc}",
                          reason="unreadable_file") from exc


def read_table(
    path: str | Path,
    *,
    table: str,
    freq: str | None = None,
    allowed: dict | None = None,
    errors: Literal["raise", "report"] = "raise",
    sep: str = ",",
    encoding: str = "utf-8",
):
    """Read a CSV or Parquet file and validate it as ``table``.

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
    sep, encoding : str
        CSV field separator and text encoding.

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
        those of the file (the header is line 1). For Parquet, ``line`` is the
        1-based row number.
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
    else:
        raw = pd.read_parquet(path)
        lines = np.arange(len(raw), dtype=np.int64) + 1
    try:
        return validate(raw, table=table, freq=freq, allowed=allowed, errors=errors,
                        line_numbers=lines)
    except SchemaError as exc:
        raise SchemaError(f"{path}: {exc}", column=exc.column, reason=exc.reason,
                          failure_cases=exc.failure_cases) from None


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a table to CSV or Parquet (by suffix); periods become labels like ``2024Q1``.

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
    periods = [i for i, dtype in enumerate(df.dtypes) if isinstance(dtype, pd.PeriodDtype)]
    if periods:  # labels in both formats, not pandas-only Period storage in Parquet
        df = df.copy()
        for i in periods:
            df.isetitem(i, df.iloc[:, i].astype(str))
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        df.to_csv(path, index=False)
    else:
        df.to_parquet(path, index=False)
    return path
