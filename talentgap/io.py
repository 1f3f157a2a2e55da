"""Reading and writing talentgap tables (CSV, Excel and Parquet).

:func:`read_table` reads a file, parses its periods and validates it against
its table schema in one step, so every message names the file and the input
line of each offending row. CSV files come the way bureaus export them: the
encoding (UTF-8, UTF-8 or UTF-16 with a byte-order mark, GBK/GB18030) and the
separator (comma, semicolon, tab) are detected unless given, and a file that
cannot be read says what it looks like instead, down to the line of the first
byte no encoding decodes. Side files (codes lists, plan parameter CSVs) are
read the same way by :func:`read_text` and :func:`read_csv_file`.

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

import codecs
import csv
import logging
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from talentgap._encoding import (
    ENCODINGS,
    bom_encoding,
    detect_encoding,
    first_bad_byte,
    head_bytes,
    mixed_script,
    next_encodings,
    same_encoding,
)
from talentgap._excel_reading import formula_hint, read_excel_rows
from talentgap._input_hints import (
    MISSING_TEXT,
    blank_rows,
    header_row_hint,
    repeated_names,
    trailing_blank,
)
from talentgap._words import rows_fail
from talentgap.errors import ParameterError, SchemaError
from talentgap.periods import parse_periods
from talentgap.schema import get_schema, validate

__all__ = ["read_table", "read_csv_file", "read_text", "write_table", "write_workbook",
           "parse_periods", "file_format", "sniff_csv", "ENCODINGS"]

logger = logging.getLogger(__name__)

_FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".csv.gz": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
}
#: Separators considered when ``sep="auto"``.
SEPARATORS = (",", ";", "\t")
_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
#: What to do about an encoding, in every message that names one.
_ENCODING_ADVICE = ("pass encoding= (e.g. 'latin-1', 'cp1252', 'gb18030'; in a run "
                    "configuration [data] encoding, for `talentgap validate` --encoding)")


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


def _check_encoding(encoding: str) -> None:
    if encoding == "auto":
        return
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ParameterError(f"encoding={encoding!r} is not a known text encoding; use "
                             "'auto' or a name such as 'utf-8', 'gb18030', 'latin-1', "
                             "'cp1252', 'utf-16'") from None


def sniff_csv(path: str | Path, *, expected: tuple[str, ...] = (),
              encoding: str = "auto") -> tuple[str, str]:
    """The encoding and separator a CSV file most likely uses.

    The encoding is the one a byte-order mark declares (UTF-8, or UTF-16 as
    Excel's "Unicode Text" writes), else the given ``encoding``, else the
    first of :data:`ENCODINGS` that decodes the start of the file (UTF-8
    first, so plain ASCII and UTF-8 files stay UTF-8). The separator is
    the one of :data:`SEPARATORS` that splits the header into the most
    ``expected`` column names, then into the most fields with the same
    count on the first lines.

    Parameters
    ----------
    path : str or pathlib.Path
    expected : tuple of str
        Column names the header should contain.
    encoding : str, default "auto"
        The file's encoding when known (a byte-order mark still wins): only
        the separator is sniffed.

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
    >>> _ = path.write_text("period\\tregion\\n2024Q1\\tZürich\\n", encoding="utf-16")
    >>> sniff_csv(path, expected=("period", "region"))
    ('utf-16', '\\t')
    """
    head = head_bytes(Path(path))
    if encoding == "auto" or bom_encoding(head) is not None:  # a byte-order mark wins
        encoding = detect_encoding(head)
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


def _parse_csv(path: Path, sep: str, encoding: str, text_columns: list[str]) -> pd.DataFrame:
    """Every line a row (blank ones too), header names as written, key columns as text."""
    names = pd.read_csv(path, sep=sep, encoding=encoding, header=None, nrows=1, dtype=str,
                        keep_default_na=False).iloc[0].tolist()
    repeated = repeated_names(names)
    if repeated:
        raise SchemaError(f"{path}: column names must not repeat (spaces and case "
                          f"ignored): {'; '.join(repeated)}", reason="repeated_column")
    # Codes such as "NA" or "None" are legitimate region or industry codes: in
    # key columns only an empty field is missing.
    missing = {name: [""] if name in text_columns else list(MISSING_TEXT)
               for name in names}
    # Blank lines are read as empty rows, so row i is line i + 2 of the file
    # and validation accounts for them (rule "empty_row").
    return pd.read_csv(path, sep=sep, encoding=encoding,
                       dtype={name: str for name in text_columns},
                       skip_blank_lines=False, keep_default_na=False, na_values=missing)


def _undecodable(path: Path, tried: tuple[str, ...]) -> str:
    """Where each encoding tried fails, e.g. ``'utf-8-sig' from line 5 (byte 0xfc)``."""
    parts = []
    for encoding in tried:
        found = first_bad_byte(path, encoding)
        if found is not None:
            line, offset = found
            byte = head_bytes(path, offset + 1)[offset:]
            parts.append(f"not {encoding!r} from line {line} (byte 0x{byte.hex()})")
    return ", ".join(parts)


def _read_raw_csv(path: Path, sep: str, encoding: str, text_columns: list[str],
                  expected: tuple[str, ...]) -> tuple[pd.DataFrame, str, str]:
    """The file as rows, with the encoding and separator it was read with.

    With ``encoding="auto"``, a decode error anywhere in the file (not only in
    the start the sniffer saw) has the whole file read again with the next
    candidate; when none fits, the message names the line of the first bad byte.
    """
    _check_encoding(encoding)
    auto = encoding == "auto"
    found_encoding, found_sep = sniff_csv(path, expected=expected, encoding=encoding)
    sep = found_sep if sep == "auto" else sep
    candidates = (found_encoding, *next_encodings(found_encoding)) if auto else (
        found_encoding,)
    for candidate in candidates:
        try:
            return _parse_csv(path, sep, candidate, text_columns), candidate, sep
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise SchemaError(f"{path}: cannot be read as CSV with encoding {candidate!r} "
                              f"and separator {sep!r}: {exc}"
                              f"{_hint(path, expected, sep, candidate)}",
                              reason="unreadable_file") from exc
    where = _undecodable(path, candidates)
    hint = "" if auto else _hint(path, expected, sep, encoding)
    raise SchemaError(f"{path}: cannot be read as CSV with encoding "
                      f"{' or '.join(map(repr, candidates))} and separator {sep!r}: {where}"
                      + (hint or f"; the file is in another encoding: {_ENCODING_ADVICE}"),
                      reason="unreadable_file")


def _check_guess(path: Path, raw: pd.DataFrame, text_columns: list[str],
                 lines: np.ndarray) -> None:
    """Refuse GB18030 guesses whose codes mix Chinese and Latin letters in one word."""
    for name in text_columns:
        if name not in raw.columns:
            continue
        mixed = np.flatnonzero(mixed_script(raw[name]))
        if mixed.size:
            shown = ", ".join(f"line {lines[i]}: {raw[name].iloc[i]!r}" for i in mixed[:3])
            raise SchemaError(
                f"{path}: column {name!r}: {rows_fail(mixed.size)} the encoding check "
                f"[wrong_encoding], e.g. {shown}: codes that mix Chinese characters and "
                "Latin letters in one word are the sign of a file read as GB18030 that is "
                f"in another encoding (Latin-1 'Zürich' reads as 'Z黵ich'); "
                f"{_ENCODING_ADVICE}; encoding='gb18030' if the codes are right",
                column=name, reason="wrong_encoding")


def _read_csv(path: Path, table: str, sep: str,
              encoding: str) -> tuple[pd.DataFrame, np.ndarray]:
    schema = get_schema(table)
    expected = tuple(c.name for c in schema.columns)
    text_columns = [c.name for c in schema.columns if c.kind in ("id", "key")]
    raw, used, sep = _read_raw_csv(path, sep, encoding, text_columns, expected)
    raw = raw.iloc[:len(raw) - trailing_blank(raw)]  # blank lines at the end are no data
    lines = np.arange(len(raw), dtype=np.int64) + 2
    if encoding == "auto" and used == "gb18030":
        _check_guess(path, raw, text_columns, lines)
    if not any(name in raw.columns for name in expected):
        hint = _hint(path, expected, sep, used)
        if hint:
            raise SchemaError(f"{path}: none of the {table} columns {list(expected[:4])}... "
                              f"in the header {list(raw.columns[:4])}{hint}",
                              reason="unreadable_file")
    return raw, lines


def _hint(path: Path, expected: tuple[str, ...], sep: str, encoding: str) -> str:
    """What the file looks like, when it is not what it was read as."""
    found_encoding, found_sep = sniff_csv(path, expected=expected)
    advice = []
    if not same_encoding(found_encoding, encoding):
        advice.append(f"encoding={found_encoding!r}")
    if found_sep != sep:
        advice.append(f"sep={found_sep!r} ({_SEPARATOR_NAMES[found_sep]}-separated)")
    if not advice:
        return ""
    return ("; the file looks like " + " and ".join(advice)
            + ": pass them, or leave both as 'auto' to detect them")


def _csv_header_hint(path: Path, sep: str, encoding: str,
                     expected: tuple[str, ...]) -> str:
    """Where the header seems to be, from the first lines of a CSV file."""
    text = head_bytes(path).decode(encoding if encoding != "auto" else detect_encoding(
        head_bytes(path)), errors="replace")
    rows = list(csv.reader(text.splitlines()[:10], delimiter=sep))
    return header_row_hint(rows, expected)


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
    whose ``text_columns`` mix Chinese characters and Latin letters in one
    word is refused (reason ``wrong_encoding``).

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
    raw, used, _ = _read_raw_csv(path, sep, encoding, list(text_columns), tuple(text_columns))
    raw = raw.iloc[:len(raw) - trailing_blank(raw)]
    keep = ~blank_rows(raw) if raw.shape[1] else np.ones(len(raw), dtype=bool)
    lines = (np.flatnonzero(keep) + 2).tolist()
    raw = raw[keep].reset_index(drop=True)
    if encoding == "auto" and used == "gb18030":
        _check_guess(path, raw, list(text_columns), np.asarray(lines, dtype=np.int64))
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
    _check_encoding(encoding)
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
                      f"{_undecodable(path, candidates)}; {_ENCODING_ADVICE}",
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
        (:func:`sniff_csv`: UTF-8 with or without a byte-order mark, UTF-16
        with one, or GB18030/GBK; comma, semicolon or tab). A byte-order mark
        always decides the encoding. With ``encoding="auto"``, a decode error
        anywhere in the file has it read again with the next candidate, and a
        GB18030 guess whose key codes mix Chinese characters and Latin letters
        in one word (a Latin-1 ``Zürich`` read as ``Z黵ich``) is refused (reason
        ``wrong_encoding``): give the encoding (``"latin-1"``, ``"cp1252"``,
        or ``"gb18030"`` when such codes are genuine). When a file cannot be
        read as given, the error says which encoding or separator it looks like.

    Returns
    -------
    clean : pandas.DataFrame
    report : DataQualityReport
        Only with ``errors="report"``.

    Raises
    ------
    SchemaError
        The file cannot be parsed or decoded, its header repeats a name
        (spaces and case ignored), or (with ``errors="raise"``) rows break
        the schema; a cell holding an Excel error value such as ``#REF!``
        (in CSV and Excel alike) breaks rule ``excel_error``, so with
        ``errors="report"`` its row is rejected like any other. The message starts with the
        file name; line numbers are those of the file (the header is line 1),
        for Excel those of the sheet. For Parquet, ``line`` is the 1-based row
        number. Blank lines at the end of a file are not rows; in key columns
        only an empty cell is missing (``NA`` is a code) in CSV and Excel.
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
    hints = ""
    if fmt == "csv":
        raw, lines = _read_csv(path, table, sep, encoding)
    elif fmt == "excel":
        raw, lines, hints = read_excel_rows(path, table)
    else:
        raw = pd.read_parquet(path)
        lines = np.arange(len(raw), dtype=np.int64) + 1
    schema = get_schema(table)
    try:
        result = validate(raw, table=table, freq=freq, allowed=allowed, errors=errors,
                          line_numbers=lines)
    except SchemaError as exc:
        if fmt == "csv" and exc.reason == "missing_column":
            hints += _csv_header_hint(path, sep if sep != "auto" else sniff_csv(
                path, expected=tuple(schema.names), encoding=encoding)[1], encoding,
                tuple(schema.names))
        if fmt == "excel":
            hints += formula_hint(path, exc.failure_cases, list(raw.columns))
        raise SchemaError(f"{path}: {exc}{hints}", column=exc.column, reason=exc.reason,
                          failure_cases=exc.failure_cases) from None
    if errors == "report" and fmt == "excel":
        clean, report = result
        hint = (hints + formula_hint(path, report.rejected, list(raw.columns))).lstrip("; ")
        if hint:
            report.warnings.append(hint)
    return result


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
