"""Reading a CSV file into raw rows: encoding, separator, header row, column names.

Private helper of :mod:`talentgap.io`, as :mod:`talentgap._excel_reading` is
for workbooks. The encoding (a byte-order mark, else UTF-8, else GB18030)
and the separator are sniffed (:func:`sniff_csv`); a decode error past the
sniffed start has the whole file read again with the next candidate; codes
that look mis-decoded (:func:`talentgap._encoding.mojibake`) are refused
for a guessed encoding and warned about for a given one; a file that mixes
UTF-8 and GBK lines is refused naming the lines of each. The header is row
1, the row given, or the one row holding every required column name, and
its names may be renamed to the schema's; line numbers stay the file's own.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from talentgap._encoding import (
    bom_encoding,
    detect_encoding,
    encoding_words,
    first_bad_byte,
    head_bytes,
    line_encodings,
    mojibake,
    next_encodings,
    same_encoding,
)
from talentgap._input_hints import (
    HEADER_SEARCH_ROWS,
    MISSING_TEXT,
    columns_row_hint,
    find_header_row,
    header_row_hint,
    rename_columns,
    repeated_names,
    trailing_blank,
)
from talentgap._text_checks import is_blank
from talentgap._words import rows_fail
from talentgap.errors import ParameterError, SchemaError, warn
from talentgap.schema import get_schema

__all__ = ["SEPARATORS", "ENCODING_ADVICE", "check_encoding", "sniff_csv", "read_raw_csv",
           "read_csv_rows", "check_read", "csv_header_hint", "undecodable", "record_lines",
           "too_many_fields"]

_TOO_MANY = re.compile(r"Expected \d+ fields in line \d+, saw (\d+)")

#: Separators considered when ``sep="auto"``.
SEPARATORS = (",", ";", "\t")
_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
#: What to do about an encoding, in every message that names one.
ENCODING_ADVICE = ("pass encoding= (e.g. 'latin-1', 'cp1252', 'gb18030'; in a run "
                    "configuration [data] encoding, for `talentgap validate` --encoding)")


def check_encoding(encoding: str) -> None:
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


def _parse_csv(path: Path, sep: str, encoding: str, text_columns: list[str], *,
               header_row: int = 1, columns: dict | None = None,
               as_text: tuple[str, ...] = ()) -> tuple[pd.DataFrame, np.ndarray]:
    """Every line below the header a row (blank ones too), key and period columns as text.

    The header is line ``header_row``; its names are kept as written, or
    renamed by ``columns``. Columns ``as_text`` are read as text too, with the
    usual missing values (periods: ``2024.10`` is not the number 2024.1).
    Returns the rows and the positions of those with
    more fields than the header (their extra fields dropped), which the
    caller rejects: a line with too many fields is an invalid row, as one
    with too few is (its missing fields are empty).
    """
    skip = header_row - 1
    names = pd.read_csv(path, sep=sep, encoding=encoding, header=None, nrows=1, dtype=str,
                        keep_default_na=False, skiprows=skip).iloc[0].tolist()
    names = rename_columns(names, columns, str(path))
    repeated = repeated_names(names)
    if repeated:
        raise SchemaError(f"{path}: column names must not repeat (spaces and case "
                          f"ignored): {'; '.join(repeated)}", reason="repeated_column")
    # Codes such as "NA" or "None" are legitimate region or industry codes: in
    # key columns only an empty field is missing.
    missing = {name: [""] if name in text_columns else list(MISSING_TEXT)
               for name in names}
    # Blank lines are read as empty rows, so row i is line i + header_row + 1 of
    # the file (unless a quoted field spans lines: :func:`record_lines`) and
    # validation accounts for them (rule "empty_row"). low_memory=False: types
    # are inferred over the whole column at once, so a blank line does not make
    # pandas warn about a column of mixed types.
    options = dict(sep=sep, encoding=encoding, skip_blank_lines=False, low_memory=False,
                   keep_default_na=False, na_values=missing,
                   dtype={name: str for name in [*text_columns, *as_text]
                          if name in names})
    try:
        raw = pd.read_csv(path, skiprows=skip, header=0, names=names, **options)
    except pd.errors.ParserError as exc:
        if _TOO_MANY.search(str(exc)) is None:
            raise
    else:
        # a first row wider than the header makes pandas take its first fields
        # for an index, every value shifted one column: read it as a wide line
        if isinstance(raw.index, pd.RangeIndex):
            return raw, np.zeros(0, dtype=np.int64)
    # A line with more fields than the header: read the extra fields into
    # columns of their own (as many as the widest line has), then drop them
    # and say which rows had them.
    width = _widest(path, sep, encoding, header_row)
    extra = [f"\x00extra {i}" for i in range(max(width - len(names), 1))]
    try:
        raw = pd.read_csv(path, skiprows=header_row, header=None, names=[*names, *extra],
                          **options)
    except pd.errors.ParserError as exc:  # pandas split a line the csv module did not
        found = _TOO_MANY.search(str(exc))
        if found is None:
            raise
        line = re.search(r"in line (\d+)", str(exc))  # the file's line (skipped ones count)
        where = f" (line {line.group(1)})" if line else ""
        raise SchemaError(f"{path}: a line{where} has {found.group(1)} fields, more than the "
                          f"header's {len(names)} [too_many_fields], and the file cannot be read "
                          "past it: quote the value holding the separator or remove the "
                          "extra field", reason="unreadable_file") from None
    over = raw[extra]
    filled = np.zeros(len(raw), dtype=bool)
    for name in extra:  # a field past the header's, empty ones aside (a trailing separator)
        filled |= ~is_blank(over[name])
    return raw.drop(columns=extra), np.flatnonzero(filled)


def _widest(path: Path, sep: str, encoding: str, header_row: int) -> int:
    """The most fields any record below the header has, in one pass of :mod:`csv`."""
    text = head_bytes(path, None).decode(encoding, errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    widest = 0
    for number, fields in enumerate(reader, start=1):  # only for a file with a wide line
        if number > header_row:
            widest = max(widest, len(fields))
    return widest


def too_many_fields(wide: np.ndarray, lines: np.ndarray, width: int, *,
                    spreadsheet: bool = False) -> tuple[str, pd.DataFrame]:
    """Rule ``too_many_fields`` for the rows at positions ``wide``: a sentence, failure rows.

    ``lines`` are the line numbers of all rows and ``width`` the number of
    fields of the header. The sentence names the count and the first lines;
    the failure rows (one per row, columns of a validation report's
    ``rejected``) name each line. With ``spreadsheet=True`` (an Excel sheet)
    the hint is a cell right of the last named column, not a separator.

    Examples
    --------
    >>> text, cases = too_many_fields(np.array([1]), np.array([2, 3, 4]), 5)
    >>> print(text)
    1 row fails rule too_many_fields: more fields than the header's 5, e.g. line 3: a separator inside an unquoted value (1,200)? quote the value or remove the extra field
    >>> cases[["line", "row", "rule"]].values.tolist()
    [[3, 1, 'too_many_fields']]
    """  # noqa: E501 - a doctest's expected output is one line
    wide = np.asarray(wide, dtype=np.int64)
    shown = ", ".join(f"line {line}" for line in lines[wide][:5].tolist())
    if spreadsheet:
        cause = "a value in a cell right of the last named column?"
        fix = "name its column in the header row or clear the cell"
    else:
        cause = "a separator inside an unquoted value (1,200)?"
        fix = "quote the value or remove the extra field"
    text = (f"{rows_fail(wide.size)} rule too_many_fields: more fields than the header's "
            f"{width}, e.g. {shown}: {cause} {fix}")
    cases = pd.DataFrame({
        "line": lines[wide], "row": wide, "column": "*", "rule": "too_many_fields",
        "value": None,
        "message": f"the line has more fields than the header's {width}: {cause} "
                   "the extra fields are not read"})
    return text, cases


def record_lines(path: Path, encoding: str, sep: str, header_row: int, n_rows: int
                 ) -> np.ndarray:
    """The line of the file each of the first ``n_rows`` rows below the header starts on.

    Row ``i`` is line ``header_row + 1 + i`` unless a quoted field holds a
    line break (``"machine\\nbuilding"``): then every row after it starts a
    line further down. Such a field leaves a line with an odd number of
    quote characters, which a pass over the file's bytes finds; only then
    are the records counted with :mod:`csv` (quotes as pandas reads them).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "rows.csv"
    >>> _ = path.write_text('region,industry\\nA,"machine\\nbuilding"\\nB,textiles\\n')
    >>> record_lines(path, "utf-8", ",", 1, 2).tolist()
    [2, 4]
    """
    plain = np.arange(n_rows, dtype=np.int64) + header_row + 1
    data = head_bytes(path, None)
    if codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):  # quotes as one byte
        data, encoding = data.decode(encoding, errors="replace").encode("utf-8"), "utf-8"
    if b'"' not in data:  # the fast path: no quoted field at all
        return plain
    buf = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(buf == ord('"'))
    breaks = np.flatnonzero(buf == ord("\n"))
    per_line = np.bincount(np.searchsorted(breaks, quotes), minlength=breaks.size + 1)
    if not (per_line % 2).any():  # quotes only in pairs on each line
        return plain
    reader = csv.reader(io.StringIO(data.decode(encoding, errors="replace"),
                                    newline=""), delimiter=sep)
    starts, end = [], 0
    for _ in reader:  # a loop over records, only for a file with quoted line breaks
        starts.append(end + 1)
        end = reader.line_num
    starts = np.asarray(starts, dtype=np.int64)
    starts = starts[np.searchsorted(starts, header_row, side="right"):][:n_rows]
    if starts.size < n_rows:  # the csv module read fewer records than pandas did
        last = starts[-1] if starts.size else header_row
        starts = np.concatenate([starts, last + 1 + np.arange(n_rows - starts.size)])
    return starts


def undecodable(path: Path, tried: tuple[str, ...]) -> str:
    """Where each encoding tried fails, e.g. ``'utf-8-sig' from line 5 (byte 0xfc)``."""
    parts = []
    for encoding in tried:
        found = first_bad_byte(path, encoding)
        if found is not None:
            line, offset = found
            byte = head_bytes(path, offset + 1)[offset:]
            parts.append(f"not {encoding!r} from line {line} (byte 0x{byte.hex()})")
    return ", ".join(parts)


def read_raw_csv(path: Path, sep: str, encoding: str, text_columns: list[str],
                  expected: tuple[str, ...], *, header_row: int = 1,
                  columns: dict | None = None, as_text: tuple[str, ...] = ()
                  ) -> tuple[pd.DataFrame, str, str, np.ndarray]:
    """The file as rows, the encoding and separator it was read with, and rows too wide.

    The last are the positions of the rows whose line has more (non-empty)
    fields than the header; their extra fields are dropped. When the file
    looks like another encoding or separator, such lines are an error
    saying so instead.

    With ``encoding="auto"``, a decode error anywhere in the file (not only in
    the start the sniffer saw) has the whole file read again with the next
    candidate; when none fits, the message names the line of the first bad byte,
    or the lines of each encoding when the file mixes UTF-8 and GBK.
    """
    check_encoding(encoding)
    auto = encoding == "auto"
    found_encoding, found_sep = sniff_csv(path, expected=expected, encoding=encoding)
    sep = found_sep if sep == "auto" else sep
    candidates = (found_encoding, *next_encodings(found_encoding)) if auto else (
        found_encoding,)
    for candidate in candidates:
        try:
            raw, wide = _parse_csv(path, sep, candidate, text_columns,
                                   header_row=header_row, columns=columns, as_text=as_text)
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise SchemaError(f"{path}: cannot be read as CSV with encoding {candidate!r} "
                              f"and separator {sep!r}: {exc}"
                              f"{_hint(path, expected, sep, candidate)}",
                              reason="unreadable_file") from exc
        hint = _hint(path, expected, sep, candidate) if wide.size else ""
        if hint:
            text, cases = too_many_fields(wide, record_lines(
                path, candidate, sep, header_row, len(raw)), raw.shape[1])
            raise SchemaError(f"{path}: cannot be read as CSV with encoding {candidate!r} "
                              f"and separator {sep!r}: {text}{hint}", reason="unreadable_file",
                              failure_cases=cases)
        return raw, candidate, sep, wide
    _refuse_mixed(path)
    where = undecodable(path, candidates)
    hint = "" if auto else _hint(path, expected, sep, encoding)
    raise SchemaError(f"{path}: cannot be read as CSV with encoding "
                      f"{' or '.join(map(repr, candidates))} and separator {sep!r}: {where}"
                      + (hint or f"; the file is in another encoding: {ENCODING_ADVICE}"),
                      reason="unreadable_file")


def _lines_text(lines: list[int]) -> str:
    shown = ", ".join(map(str, lines[:5]))
    more = f", ... ({len(lines)} lines)" if len(lines) > 5 else ""
    return f"line{'s' if len(lines) > 1 else ''} {shown}{more}"


def _refuse_mixed(path: Path) -> None:
    """Refuse a file whose lines mix UTF-8 and GBK: no one encoding reads it right."""
    if bom_encoding(head_bytes(path, 4)) is not None:
        return
    found = line_encodings(path)
    if found["utf-8"] and found["gb18030"]:
        raise SchemaError(
            f"{path}: the file mixes UTF-8 ({_lines_text(found['utf-8'])}) and GBK "
            f"({_lines_text(found['gb18030'])}): no one encoding reads it, and any one "
            "garbles the other lines' codes; save it in one encoding (e.g. re-save each "
            "part as UTF-8 before putting them together)", reason="mixed_encoding")


def _check_decoding(path: Path, raw: pd.DataFrame, text_columns: list[str],
                    lines: np.ndarray, used: str, *, given: bool) -> None:
    """Codes that look mis-decoded: an error for a guessed encoding, a warning for a given one.

    Either way a file that mixes UTF-8 and GBK lines is refused by line.
    """
    for name in text_columns:
        if name not in raw.columns:
            continue
        mask, fixes = mojibake(raw[name], used)
        rows = np.flatnonzero(mask)
        if not rows.size:
            continue
        _refuse_mixed(path)
        shown = ", ".join(f"line {lines[i]}: {raw[name].iloc[i]!r}" for i in rows[:3])
        better, text = fixes[raw[name].iloc[rows[0]]]
        message = (f"{path}: column {name!r}: {rows_fail(rows.size)} the encoding check "
                   f"[wrong_encoding], e.g. {shown}: read as {encoding_words(used)} these "
                   f"codes hold characters that do not go together, and their bytes read as "
                   f"{encoding_words(better)} give {text!r}: the file is probably "
                   f"{better!r}")
        if given:
            warn(f"{message}; check encoding={used!r}")
            continue
        raise SchemaError(f"{message}; {ENCODING_ADVICE}", column=name,
                          reason="wrong_encoding")


def _head_rows(path: Path, sep: str, encoding: str) -> list[list[str]]:
    """The first lines of a CSV file as fields, to look for the header in."""
    head = head_bytes(path)
    text = head.decode(encoding if encoding != "auto" else detect_encoding(head),
                       errors="replace")
    return list(csv.reader(text.splitlines()[:HEADER_SEARCH_ROWS], delimiter=sep))


def read_csv_rows(path: Path, table: str, sep: str, encoding: str, *, header_row: int | None,
                  columns: dict | None) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """A CSV table as raw rows, their lines in the file, and the rows with too many fields.

    Key and id columns are read as text (only an empty field missing), the
    period column as text too; the header is found as :func:`find_header_row`
    says unless ``header_row`` is given.
    """
    schema = get_schema(table)
    expected = tuple(c.name for c in schema.columns)
    text_columns = [c.name for c in schema.columns if c.kind in ("id", "key")]
    check_encoding(encoding)
    if header_row is None:
        found_encoding, found_sep = sniff_csv(path, expected=expected, encoding=encoding)
        header_row = find_header_row(
            _head_rows(path, found_sep if sep == "auto" else sep, found_encoding),
            tuple(schema.required), columns, str(path), table)
    try:
        raw, used, sep, wide = read_raw_csv(
            path, sep, encoding, text_columns, expected, header_row=header_row,
            columns=columns, as_text=tuple(c.name for c in schema.columns
                                           if c.kind == "period"))
    except SchemaError as exc:
        if exc.reason != "missing_column":  # columns= names not in the header
            raise
        found_encoding, found_sep = sniff_csv(path, expected=expected, encoding=encoding)
        rows = _head_rows(path, found_sep if sep == "auto" else sep, found_encoding)
        raise SchemaError(f"{exc}{columns_row_hint(rows, columns, header_row, table)}",
                          column=exc.column, reason=exc.reason,
                          failure_cases=exc.failure_cases) from None
    # blank lines at the end are no data; a line whose extra field is filled is no blank
    end = len(raw) - trailing_blank(raw)
    raw = raw.iloc[:max(end, int(wide.max()) + 1 if wide.size else 0)]
    lines = record_lines(path, used, sep, header_row, len(raw))
    check_read(path, raw, text_columns, lines, encoding, used)
    if not any(name in raw.columns for name in expected):
        hint = _hint(path, expected, sep, used)
        if hint:
            raise SchemaError(f"{path}: none of the {table} columns {list(expected[:4])}... "
                              f"in the header {list(raw.columns[:4])}{hint}",
                              reason="unreadable_file")
    return raw, lines, wide


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


def check_read(path: Path, raw: pd.DataFrame, text_columns: list[str], lines: np.ndarray,
                encoding: str, used: str) -> None:
    """Check the codes of a guessed GB18030 reading, or of any given encoding."""
    if encoding == "auto" and used == "gb18030":
        _check_decoding(path, raw, text_columns, lines, used, given=False)
    elif encoding != "auto" and same_encoding(encoding, used):  # not overruled by a BOM
        _check_decoding(path, raw, text_columns, lines, used, given=True)


def csv_header_hint(path: Path, sep: str, encoding: str,
                     expected: tuple[str, ...], table: str) -> str:
    """Where the header seems to be, from the first lines of a CSV file."""
    return header_row_hint(_head_rows(path, sep, encoding)[:10], expected, table)
