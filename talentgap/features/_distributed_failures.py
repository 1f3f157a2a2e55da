"""Failing rows of a partitioned (Dask) surveys table, named by their lines in the table.

Every row of a partitioned table is tagged with a code: its input partition
and its position (from 0) there, ``BASE + (partition << 32 | row)``. Workers
name failing rows by that code, since a worker does not know how many rows
the partitions before its own hold. Each worker also reports the last row
it saw of every input partition; the largest of these is the length of that
partition, and the client turns a code into the row's *line*: its position
in the whole table (the partitions one after another, as ``compute()``
would give it) plus 2, as in a CSV file with a header line. Messages and
``failure_cases`` then name the same lines as for the pandas table, and the
partition and row within it as well.

Workers keep at most :data:`MAX_FAILURES` failing rows per column and rule
(the first in line order, so the examples are the table's first failing
rows) with the exact counts, which pool by summing: each row is in exactly
one partition after the shuffle.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from talentgap._checks import FAILURE_COLUMNS, row_labels, rule_text
from talentgap._quality import QualityNote
from talentgap._words import rows_fail
from talentgap.errors import SchemaError
from talentgap.features.coverage import coverage_error, unfed_rows
from talentgap.schema import get_schema

__all__ = ["LINE", "BASE", "MAX_FAILURES", "encode", "tag", "mark_text", "merge_notes",
           "last_rows",
           "Lines", "failures", "coverage_failures", "pool",
           "raise_failures", "summarise_values", "merge_values", "value_rows"]

LINE = "_tg_line"  # the column holding each row's code
SHIFT = 32
ROW_MASK = (1 << SHIFT) - 1
BASE = 10**12  # every code has 13+ digits, told apart from other numbers
#: Failing rows kept per (column, rule), the first in line order.
MAX_FAILURES = 1000
_MAX_EXAMPLES = 5
_MARK = "\x1f"  # brackets a code in a worker's message text: "\x1f<partition>:<row>\x1f"
_MARKED = re.compile(_MARK + r"(\d+):(\d+)" + _MARK)
_COVERAGE = "not_in_crosswalk"
_MAX_LINES = 5  # example lines per key value, as the code check shows them


def encode(partition, row) -> np.ndarray:
    """The code of row ``row`` (from 0) of input partition ``partition``.

    Examples
    --------
    >>> int(encode(2, 5)) - BASE == (2 << 32) + 5
    True
    """
    return BASE + ((np.asarray(partition, dtype=np.int64) << SHIFT)
                   | np.asarray(row, dtype=np.int64))


def _split(code) -> tuple[np.ndarray, np.ndarray]:
    code = np.asarray(code, dtype=np.int64) - BASE
    return code >> SHIFT, code & ROW_MASK


def tag(frame: pd.DataFrame, partition_info=None) -> pd.DataFrame:
    """``frame`` (one input partition) with the code of each row in column :data:`LINE`."""
    number = partition_info["number"] if partition_info else 0
    return frame.assign(**{LINE: encode(number, np.arange(len(frame)))})


def mark_text(text, codes: pd.Index) -> str:
    """A worker's message with the codes of ``codes`` it names marked, for :meth:`Lines.text`.

    Only numbers that are codes of the partition are marked, never a value.
    """
    def mark(match: re.Match) -> str:
        number = int(match.group())
        if number not in codes:
            return match.group()
        partition, row = _split(number)
        return f"{_MARK}{int(partition)}:{int(row)}{_MARK}"

    return re.sub(r"\b\d{13,}\b", mark, str(text))


_MAX_NOTES = 20  # distinct data-quality notes relayed from the partitions


def merge_notes(notes: list[QualityNote]) -> list[QualityNote]:
    """Data-quality notes of disjoint rows (lines: row codes) as one note per kind.

    The counts of notes of one kind add up and the examples are the first
    :data:`_MAX_EXAMPLES` in line order (codes sort as lines do), as the
    pandas path finds them in the whole table;
    :func:`~talentgap._quality.note_text` words the result.

    Examples
    --------
    >>> kind = ("above", "vacancies", "employees", 5.0)
    >>> a = QualityNote(kind, 2, tuple(encode([1, 1], [0, 1]).tolist()))
    >>> b = QualityNote(kind, 1, tuple(encode([0], [0]).tolist()))
    >>> (note,) = merge_notes([a, b])
    >>> note.count, [int(x) for x in _split(note.lines)[0]]
    (3, [0, 1, 1])
    """
    merged: dict = {}
    for note in notes:
        found = merged.get(note.kind)
        if found is None:
            merged[note.kind] = note
            continue
        values = None if note.values is None else (found.values or ()) + note.values
        merged[note.kind] = QualityNote(note.kind, found.count + note.count,
                                        found.lines + note.lines, values)
    out = []
    for note in list(merged.values())[:_MAX_NOTES]:
        order = np.argsort(np.asarray(note.lines, dtype=np.int64), kind="stable")
        order = order[:_MAX_EXAMPLES].tolist()
        out.append(note._replace(
            lines=tuple(note.lines[i] for i in order),
            values=None if note.values is None else tuple(note.values[i] for i in order)))
    return out


def last_rows(frame: pd.DataFrame, n_partitions: int, path: str | None = None) -> np.ndarray:
    """Per input partition, among the rows of ``frame``: the last row (from 0; -1 for none)
    and, with a ``path`` column (categorical, as ``dask.dataframe.read_csv(...,
    include_path_column=True)`` adds it), the largest and minus the smallest code of the
    file the rows were read from. One ``(3, n_partitions)`` array; parts merge by
    :func:`numpy.maximum`.
    """
    out = np.full((3, n_partitions), -1, dtype=np.int64)
    out[2] = np.iinfo(np.int64).min  # minus the smallest file code: none seen
    if len(frame):
        partition, row = _split(frame[LINE].to_numpy(dtype=np.int64))
        np.maximum.at(out[0], partition, row)
        if path is not None and path in frame.columns:
            file = np.asarray(frame[path].cat.codes, dtype=np.int64)
            np.maximum.at(out[1], partition, file)
            np.maximum.at(out[2], partition, -file)
    return out


class Lines:
    """Where the rows of a partitioned table are, from the last row of each input partition.

    A row is named by its *line*: its position in the whole table + 2, as
    if the table were one CSV file with a header line. When the table was
    read from several files with their path in a column (``files``: the
    path of each file code, see :func:`last_rows`), rows are named by their
    file instead: the line there when the file is one partition (one header
    line, one line per row, as ``read_csv(..., blocksize=None)`` reads it),
    else their row in the file (data rows from 1).

    Examples
    --------
    >>> lines = Lines(np.array([2, -1, 4]))  # partitions of 3, 0 and 5 rows
    >>> lines.n_rows, lines.line(encode([0, 2], [1, 0])).tolist()
    (8, [3, 5])
    >>> lines.where(encode(2, 0))
    'line 5 (partition 2 row 0)'
    >>> last = np.array([[2, 4, 1], [0, 1, 1], [0, -1, -1]])  # a.csv; b.csv in 2 blocks
    >>> lines = Lines(last, files=["a.csv", "b.csv"])
    >>> lines.where(encode(0, 1)), lines.where(encode(2, 0))
    ('line 3 of a.csv (partition 0 row 1)', 'row 6 of b.csv (partition 2 row 0)')
    """

    def __init__(self, last: np.ndarray, files=None) -> None:
        last = np.asarray(last, dtype=np.int64)
        if last.ndim == 1:
            last = np.stack([last, np.full_like(last, -1), np.full_like(last, -1)])
        sizes = last[0] + 1
        self.offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        self.n_rows = int(sizes.sum())
        self.files = None
        seen = sizes > 0
        high, low = last[1], -last[2]
        if files is not None and seen.any() and (high[seen] >= 0).all() and (
                high[seen] == low[seen]).all():  # each partition from one known file
            file = np.where(seen, high, -1)
            self.files = np.asarray(files, dtype=object)
            self.file_of = file
            # rows of earlier partitions of the same file (a file's blocks are consecutive)
            self.file_start = np.zeros(sizes.size, dtype=np.int64)
            parts = np.bincount(file[seen], minlength=len(files))
            for code in np.flatnonzero(parts > 1):  # files read in several blocks only
                at = np.flatnonzero(file == code)
                self.file_start[at] = np.concatenate([[0], np.cumsum(sizes[at])[:-1]])
            self.whole = np.where(seen, parts[np.maximum(file, 0)] == 1, True)

    @property
    def by_file(self) -> bool:
        """Whether rows are named by their file."""
        return self.files is not None

    @property
    def blocks(self) -> bool:
        """Whether some file was read in several partitions (rows, not lines, named)."""
        return self.by_file and not bool(self.whole.all())

    def line(self, code) -> np.ndarray:
        """The line of each code (position in the whole table + 2)."""
        partition, row = _split(code)
        return self.offsets[partition] + row + 2

    def file_lines(self, code) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """File, row in the file (from 1) and line there (-1 when read in blocks) of each code."""
        partition, row = _split(code)
        file = self.files[self.file_of[partition]]
        file_row = self.file_start[partition] + row + 1
        return file, file_row, np.where(self.whole[partition], file_row + 1, -1)

    def place(self, partition: int, row: int) -> str:
        """``"line 7 of a.csv"``, ``"row 6 of b.csv"`` or ``"line 169"`` (whole table)."""
        if not self.by_file:
            return f"line {int(self.offsets[partition]) + row + 2}"
        file = self.files[self.file_of[partition]]
        number = int(self.file_start[partition]) + row + 1
        if self.whole[partition]:
            return f"line {number + 1} of {file}"
        return f"row {number} of {file}"

    def where(self, code) -> str:
        partition, row = (int(x) for x in _split(code))
        return f"{self.place(partition, row)} (partition {partition} row {row})"

    def text(self, text: str) -> str:
        """A worker's message (see :func:`mark_text`) with each marked code as line and place."""
        def where(match: re.Match) -> str:
            partition, row = int(match.group(1)), int(match.group(2))
            place = self.place(partition, row)
            if not match.group(0).startswith("line "):  # "lines <code>, <code>": the number
                place = place.removeprefix("line ")
            return f"{place} (partition {partition} row {row})"

        # with files, "line <code>" becomes the place ("line 7 of a.csv", "row 6 of b.csv")
        pattern = (r"(?:line )?" if self.by_file else "") + _MARKED.pattern
        return re.sub(pattern, where, str(text))

    def explain(self) -> str:
        """How the rows are named, for the head of a message."""
        if not self.by_file:
            return ("a line is the row's position in the whole table + 2 (its line if the "
                    "table were one CSV file with a header line; for a table read from "
                    "several files, keep the path column of dask's read_csv(..., "
                    "include_path_column=True) to name each row's file), then its input "
                    "partition and row (from 0) there")
        text = ("rows are named by their file and line there (one header line, one line "
                "per row), then their input partition and row (from 0)")
        if self.blocks:
            text += ("; a file read in several blocks is named by the row (data rows "
                     "from 1): read with blocksize=None for line numbers")
        return text


def _labels(raw: pd.DataFrame, at: np.ndarray) -> np.ndarray:
    """Rows ``at`` of ``raw`` named as in the pandas messages, e.g. ``"E0042, 2024Q2"``."""
    columns = [c for c in get_schema("surveys").row_label if c in raw.columns]
    if not columns or at.size == 0:
        return np.full(at.size, "", dtype=object)
    return row_labels(raw.iloc[at][columns]).to_numpy()


def _trim(frame: pd.DataFrame) -> pd.DataFrame:
    """The first :data:`MAX_FAILURES` rows per (column, rule) in line order (for rule
    ``not_in_crosswalk`` also the first row of each value, which the message names)."""
    frame = frame.sort_values("code", kind="stable")
    rank = frame.groupby(["column", "rule"], sort=False).cumcount().to_numpy()
    keep = rank < max(MAX_FAILURES, _MAX_EXAMPLES)  # the examples are the first rows
    coverage = (frame["rule"] == _COVERAGE).to_numpy()
    if coverage.any():
        keep |= coverage & ~frame[["rule", "value"]].astype(str).duplicated().to_numpy()
    return frame[keep].reset_index(drop=True)


def failures(raw: pd.DataFrame, labels: pd.Index, cases: pd.DataFrame) -> pd.DataFrame:
    """Failure cases of a partition (``line``: codes) as the frame a worker sends back.

    ``raw`` is the partition indexed by code, ``labels`` its rows' labels in
    the user's table (the pandas path's ``row``). The frame's columns are
    ``code, partition, row, label, column, rule, value, message, n_failing,
    n_bad``.
    """
    code = cases["line"].to_numpy(dtype=np.int64)
    at = raw.index.get_indexer(code)
    partition, _ = _split(code)
    out = pd.DataFrame({
        "code": code, "partition": partition,
        "row": np.asarray(labels, dtype=object)[at], "label": _labels(raw, at),
        "column": cases["column"].to_numpy(), "rule": cases["rule"].to_numpy(),
        "value": cases["value"].to_numpy(),
        "message": [mark_text(m, raw.index) for m in cases["message"]]})
    out["n_failing"] = out.groupby(["column", "rule"], sort=False)["code"].transform(
        "nunique").to_numpy(dtype=np.int64)
    out["n_bad"] = np.int64(np.unique(code).size)
    return _trim(out)


def coverage_failures(raw: pd.DataFrame, labels: pd.Index, fed: pd.Index) -> pd.DataFrame | None:
    """Rows of a partition with vacancies for an occupation no programme trains for."""
    unfed = unfed_rows(raw, fed)
    if not unfed.any():
        return None
    values = raw["occupation"].to_numpy(dtype=object)[unfed]
    return failures(raw, labels, pd.DataFrame({
        "line": raw.index[unfed], "column": "occupation", "rule": _COVERAGE, "value": values,
        "message": ""}))


def pool(frames: list[pd.DataFrame | None]) -> pd.DataFrame | None:
    """Failure frames of disjoint sets of rows as one (None if none): counts summed, rows
    trimmed."""
    frames = [f for f in frames if f is not None and len(f)]
    if not frames:
        return None
    if len(frames) == 1:
        return frames[0]
    counts = pd.concat([f.groupby(["column", "rule"], sort=False)["n_failing"].first()
                        for f in frames]).groupby(level=[0, 1], sort=False).sum()
    n_bad = sum(int(f["n_bad"].iloc[0]) for f in frames)
    found = _trim(pd.concat(frames, ignore_index=True))
    index = pd.MultiIndex.from_frame(found[["column", "rule"]])
    found["n_failing"] = counts.reindex(index).to_numpy(dtype=np.int64)
    found["n_bad"] = np.int64(n_bad)
    return found


def raise_failures(found: pd.DataFrame, lines: Lines, n_partitions: int, rules: dict) -> None:
    """Raise one :class:`SchemaError` for the pooled failures ``found``.

    Rows breaking the surveys schema come first, as in the pandas path: rule
    ``not_in_crosswalk`` is reported (in the words of
    :func:`talentgap.features.coverage.check_coverage`) only when no row
    breaks the schema. ``rules`` names rules other than the schema's.
    """
    coverage = (found["rule"] == _COVERAGE).to_numpy()
    if coverage.all():
        raise _coverage_error(found, lines)
    found = found[~coverage].sort_values("code", kind="stable")
    line = lines.line(found["code"].to_numpy())
    partition, row = _split(found["code"].to_numpy())
    texts = []
    for (column, rule), at in found.groupby(["column", "rule"], sort=False).indices.items():
        shown = []
        for i in at[:_MAX_EXAMPLES]:
            label = found["label"].iat[i]
            where = f"{label}; " if label else ""
            detail = found["message"].iat[i] or found["value"].iat[i]
            shown.append(f"{lines.place(int(partition[i]), int(row[i]))} ({where}partition "
                         f"{partition[i]} row {row[i]}): {lines.text(detail)}")
        n = int(found["n_failing"].iat[at[0]])
        text = rules.get(rule) or rule_text(rule)
        texts.append(f"  - column {column!r} {text} [{rule}]; {rows_fail(n)}, e.g. "
                     + "; ".join(shown))
    n_bad = int(found["n_bad"].iat[0])
    n_fail = int(found.groupby(["column", "rule"], sort=False)["n_failing"].first().sum())
    cases = pd.DataFrame({
        "line": line, "row": found["row"].to_numpy(), "column": found["column"].to_numpy(),
        "rule": found["rule"].to_numpy(), "value": found["value"].to_numpy(),
        "message": [lines.text(m) for m in found["message"]],
        "partition": partition, "partition_row": row})
    extra = ["partition", "partition_row"]
    if lines.by_file:  # the file, the row there (from 1) and its line (NA: read in blocks)
        file, file_row, file_line = lines.file_lines(found["code"].to_numpy())
        cases["file"], cases["file_row"] = file, file_row
        cases["file_line"] = pd.array(np.where(file_line > 0, file_line, 0), dtype="Int64")
        cases.loc[file_line < 0, "file_line"] = pd.NA
        extra += ["file", "file_row", "file_line"]
    first = found.iloc[0]
    raise SchemaError(
        f"surveys ({n_partitions} partitions): {n_bad} of {lines.n_rows} rows fail validation "
        f"({n_fail} failure{'s' if n_fail != 1 else ''}); {lines.explain()}:\n"
        + "\n".join(texts),
        column=str(first["column"]), reason=str(first["rule"]),
        failure_cases=cases[[*FAILURE_COLUMNS, *extra]])


def _coverage_error(found: pd.DataFrame, lines: Lines) -> SchemaError:
    found = found.sort_values("code", kind="stable")
    line = lines.line(found["code"].to_numpy())
    error = coverage_error(found["value"].to_numpy(dtype=object), line, line - 2,
                           count=int(found["n_failing"].iat[0]))
    partition, row = _split(found["code"].to_numpy())
    error.failure_cases = error.failure_cases.assign(partition=partition, partition_row=row)
    return error


# --------------------------------------------------------------------------- key values

def summarise_values(clean: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Each key value of a partition: its first rows (``code``) and, on the first, its count.

    Columns ``column, value, code, n`` (``n`` is 0 on all but the first row
    of a value); :func:`merge_values` pools partitions, and
    :func:`value_rows` turns the result into a table the code check of
    :func:`talentgap.features.codes.verify_codes` reads as the whole one.
    """
    code = clean.index.to_numpy(dtype=np.int64)
    frames = []
    for key in keys:
        values, uniques = pd.factorize(clean[key], use_na_sentinel=True)
        at = np.flatnonzero(values >= 0)
        at = at[np.lexsort((code[at], values[at]))]  # by value, then line
        value = values[at]
        start = np.flatnonzero(np.r_[True, value[1:] != value[:-1]]) if at.size else at
        rank = np.arange(at.size) - np.repeat(start, np.diff(np.r_[start, at.size]))
        keep = rank < _MAX_LINES
        n = np.zeros(at.size, dtype=np.int64)
        n[start] = np.diff(np.r_[start, at.size])
        frames.append(pd.DataFrame({
            "column": key, "value": np.asarray(uniques, dtype=object)[value[keep]],
            "code": code[at[keep]], "n": n[keep]}))
    return pd.concat(frames, ignore_index=True)


def merge_values(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Summaries of :func:`summarise_values` of disjoint rows, pooled."""
    frame = pd.concat(frames, ignore_index=True)
    total = frame.groupby(["column", "value"], sort=False)["n"].transform("sum").to_numpy()
    frame = frame.assign(n=total).sort_values("code", kind="stable")
    rank = frame.groupby(["column", "value"], sort=False).cumcount().to_numpy()
    frame = frame[rank < _MAX_LINES]
    return frame.assign(n=np.where(rank[rank < _MAX_LINES] == 0, frame["n"], 0)).reset_index(
        drop=True)


def value_rows(values: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, np.ndarray,
                                                                 np.ndarray]:
    """A small table standing for the surveys in the code check: ``(table, lines, counts)``.

    ``values`` is a pooled summary with a ``line`` per row. Each key column
    gets a block of rows (the first lines of each of its values; the other
    key columns blank there), ``lines`` their lines and ``counts`` the rows
    of the table each stands for, so every value has its count of rows and
    its first lines.
    """
    values = values.sort_values(["column", "line"], kind="stable")
    rank = values.groupby(["column", "value"], sort=False).cumcount().to_numpy()
    shown = values.groupby(["column", "value"], sort=False)["line"].transform("size")
    total = values.groupby(["column", "value"], sort=False)["n"].transform("sum")
    counts = np.where(rank == 0, total - shown + 1, 1).astype(np.int64)
    table = pd.DataFrame({key: np.where(values["column"].to_numpy() == key,
                                        values["value"].to_numpy(dtype=object), None)
                          for key in keys})
    return table, values["line"].to_numpy(dtype=np.int64), counts
