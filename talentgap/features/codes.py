"""Key codes that agree across tables: the same region or industry written the same way.

A cell is joined across the input tables by its key values (``region``,
``industry``, and ``occupation``, ``skill_level`` or ``program`` where
present). A value written one way in the surveys and another way in the
training table (``Ouhai`` and ``ouhai``) silently splits one cell in two:
the survey cell loses its supply and the training rows form a cell without
demand. :func:`check_codes` lists, per key column and per pair of tables,
the values present in one table and absent from the other, and suggests
the value the other table holds when the two are *near misses*:

* the same code up to letter case (``ouhai`` / ``Ouhai``);
* up to spaces around it (``Longwan `` / ``Longwan``);
* up to full-width or other compatibility characters (``Ｏｕｈａｉ`` /
  ``Ouhai``, Unicode NFKC normalisation);
* up to runs of spaces between words (``North  vale`` / ``North vale``);
* up to leading zeros, for codes made of digits only (``0101`` / ``101``: a
  spreadsheet that read the code as a number);
* a one-letter typo: one letter inserted, dropped, replaced, or two
  neighbouring letters swapped (``textlies`` / ``textiles``), for codes of at
  least four characters that hold a letter (numeric codes such as ``3101``
  and ``3102`` are different codes, not typos);
* for names written in CJK characters, where each character carries a word
  and a name has two or three: a one-character typo (``欧海区`` /
  ``瓯海区``, ``纺识`` / ``纺织``), and a shortened name, one contained in
  the other or written with characters left out (``鹿城`` / ``鹿城区``,
  ``电商`` / ``电子商务``). These two rules only pair a value with one the
  other table alone holds (``初级工`` missing from a table holding ``中级工``
  is no typo when both tables hold ``中级工``), and never across numerals,
  directions or grades (``技师`` / ``高级技师``); see
  :mod:`talentgap.features._code_pairs`.

The same comparison, without typos, finds one code written several ways
*within* the data: over all values of a key column in every table (a single
table included), values that agree up to case, spaces, full-width characters
or leading zeros are one code, even when every table holds every spelling
(``Amberfield`` until 2024Q2 and ``AMBERFIELD`` after it, in all three
files). The spelling with the most rows is the suggestion for the others.
Two spellings in one table are one code whatever the other tables hold, never
a cell missing a side: no ``allow`` side of :func:`verify_codes` accepts them.

A value without a near miss is a plain absence: a cell with no supply, or
training for an industry the surveys do not cover yet. Both are listed; only
near misses are treated as errors by ``errors="raise"``, by
:func:`talentgap.features.build_panel` (``codes="raise"``) and by
``talentgap validate``. When a key column has values found only in one table
*and* values found only in the other, with no near miss among them, each such
pair may still be one code written two ways (``Lucheng`` in one file for
``鹿城区`` in the other, or a renamed district): :func:`unpaired_codes` pairs them, and
:func:`verify_codes` (so ``build_panel`` and every ``talentgap`` run) warns
about them. The work is done over the *distinct* values of each table, never
per row.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from talentgap import _checks
from talentgap.errors import DataQualityWarning, ParameterError, SchemaError, warn
from talentgap.features._code_pairs import (
    CjkCandidates,
    cjk_typo,
    deletions,
    describe_unpaired,
    ideographic,
    one_edit,
    unpaired_codes,
    unpaired_warning,
)
from talentgap.features._code_spellings import normal_form as _normal
from talentgap.features._code_spellings import normal_forms as _normals
from talentgap.features._code_spellings import spelling_difference as _difference
from talentgap.features._code_spellings import spellings as _spellings
from talentgap.features._code_spellings import within_table as _within_table

__all__ = ["CODE_KEYS", "check_codes", "describe_codes", "describe_unpaired", "missing_side",
           "unpaired_codes", "unpaired_warning", "verify_codes"]

#: Key columns compared by default, where at least two tables have them.
CODE_KEYS = ("region", "industry", "occupation", "skill_level", "program")

REPORT_COLUMNS = ["column", "table", "absent_from", "value", "rows", "lines", "suggestion",
                  "reason", "near_miss"]
_MAX_LINES = 5
_MIN_TYPO_LENGTH = 4


def _typo_candidate(text: str) -> bool:
    """Whether ``text`` may hold a typo: four characters or more with a letter, or a CJK
    name of two characters or more (:func:`~talentgap.features._code_pairs.cjk_typo`)."""
    if len(text) >= _MIN_TYPO_LENGTH:
        return any(ch.isalpha() for ch in text)
    return len(text) >= 2 and ideographic(text)


class _Codes:
    """The distinct values of one key column of one table, with their rows and lines."""

    def __init__(self, column: pd.Series, lines: Callable[[], np.ndarray],
                 counts: np.ndarray | None = None) -> None:
        if isinstance(column.dtype, pd.CategoricalDtype):  # its own codes: no hashing
            codes = column.cat.codes.to_numpy()
            uniques = column.cat.categories
        else:
            codes, uniques = pd.factorize(column, use_na_sentinel=True)
            uniques = pd.Index(uniques)
        if pd.api.types.infer_dtype(uniques, skipna=False) not in ("string", "empty"):
            uniques = pd.Index(np.asarray(uniques.map(str), dtype=object))
        self.all_values = uniques  # by code, unused categories included
        valid = codes >= 0
        self.n_rows = np.bincount(codes[valid], minlength=len(uniques))
        self.counts = self.n_rows if counts is None else np.bincount(
            codes[valid], weights=np.asarray(counts)[valid], minlength=len(uniques)
        ).astype(np.int64)  # rows stood for (each row of a summary may stand for many)
        self.present = np.flatnonzero(self.counts)
        self.values = uniques[self.present]
        self.text = [str(value) for value in self.values.tolist()]  # distinct values only
        self.known = set(self.text)
        self._codes = codes
        self._lines = lines
        self._normal: dict[str, str] | None = None
        self._deleted: dict[str, list[str]] | None = None
        self._normal_text: list[str] | None = None

    @property
    def normal_text(self) -> list[str]:
        """The :func:`_normal` form of each of :attr:`text`, made once."""
        if self._normal_text is None:
            self._normal_text = _normals(self.text)
        return self._normal_text

    def lines_of(self, positions: np.ndarray) -> list[str]:
        """Up to five example lines of each value in ``positions``, as text.

        Only the rows holding one of these values are sorted (rows of
        values found in both tables are never touched beyond one mask).
        """
        if positions.size == 0:
            return []
        wanted = np.zeros(len(self.all_values) + 1, dtype=bool)
        wanted[positions] = True
        rows = np.flatnonzero(wanted[self._codes])  # code -1 picks the last slot
        rows = rows[np.argsort(self._codes[rows], kind="stable")]
        starts = np.searchsorted(self._codes[rows], positions)
        lines = self._lines()
        return [", ".join(str(int(line)) for line in
                          lines[rows[start:start + min(count, _MAX_LINES)]])
                for start, count in zip(starts, self.n_rows[positions], strict=True)]

    def near_miss(self, value: str, only: CjkCandidates | None = None,
                  normal: str | None = None) -> tuple[str | None, str]:
        """The value of this table that ``value`` is a near miss of, and how they differ.

        ``only``: the :func:`_normal` forms of the CJK values of this table
        that the table of ``value`` does not hold, the candidates of the CJK
        rules (none without it); ``normal``: the :func:`_normal` form of
        ``value``, when known.
        """
        if self._normal is None:  # built once per table and column, on first use
            self._normal, self._deleted = {}, {}
            for own, form in zip(self.text, self.normal_text, strict=True):
                self._normal.setdefault(form, own)
                if _typo_candidate(form):
                    for key in deletions(form):
                        self._deleted.setdefault(key, []).append(form)
        if normal is None:
            normal = _normal(value)
        match = self._normal.get(normal)
        if match is not None:
            return match, _difference(value, match)
        found = ({other for key in deletions(normal) for other in self._deleted.get(key, ())
                  if one_edit(normal, other)} if _typo_candidate(normal) else set())
        cjk = ideographic(normal)
        if found and cjk:  # 城东 and 城西 are two places; 中级工 both tables hold is a code
            found = {other for other in found
                     if only is not None and other in only and cjk_typo(normal, other)}
        if found and cjk:  # one character apart, all alike: the first in sort order
            best, typo = min(found), "one-character typo"
        elif found:
            best, typo = _checks.closest(normal, sorted(found)) or min(found), "one-letter typo"
        else:
            best = only.shortened(normal) if cjk and only is not None else None
            if best is None:
                return None, ""
            typo = "shortened name"
        match = self._normal[best]
        return match, " and ".join(filter(None, [typo, _difference(value, match)]))


def _lines(frame: pd.DataFrame, given) -> np.ndarray:
    if given is not None:
        lines = np.asarray(given, dtype=np.int64)
        if lines.shape != (len(frame),):
            raise ParameterError(f"line_numbers has {lines.size} entries for {len(frame)} rows")
        return lines
    if pd.api.types.is_integer_dtype(frame.index.dtype):  # as read_csv and validate keep it
        return frame.index.to_numpy(dtype=np.int64) + 2
    return np.arange(len(frame), dtype=np.int64) + 2


def check_codes(
    tables: Mapping[str, pd.DataFrame],
    *,
    keys: Sequence[str] = CODE_KEYS,
    against: str | None = None,
    errors: Literal["report", "raise"] = "report",
    line_numbers: Mapping[str, Sequence[int]] | None = None,
    row_counts: Mapping[str, Sequence[int]] | None = None,
) -> pd.DataFrame:
    """Key values present in one table and absent from another, with near-miss suggestions.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        The tables by name, e.g. ``{"surveys": surveys, "training": training}``
        (raw or validated).
    keys : sequence of str, default :data:`CODE_KEYS`
        Key columns to compare; each is compared between the tables that
        have it (a column held by one table only is skipped).
    against : str, optional
        Name of a table to compare every other table with (both ways);
        by default every pair of tables is compared.
    errors : {"report", "raise"}, default "report"
        ``"raise"``: raise :class:`~talentgap.errors.SchemaError` when any
        absent value is a near miss of a value of the other table.
    line_numbers : mapping of str to array-like of int, optional
        Input line number of each row, per table. By default the index
        label + 2 for an integer index (the CSV line of a row that
        ``pandas.read_csv`` or :func:`talentgap.io.read_table` read, kept by
        validation), else the row position + 2.
    row_counts : mapping of str to array-like of int, optional
        Rows of the input each row stands for, per table (default 1): a
        summary of a table too large to hold, with a few example rows per
        value, counts the rows of the input.

    Returns
    -------
    pandas.DataFrame
        One row per key column, table, other table and absent value, and
        one per key column, table and value that is another spelling of a
        code; a value is reported once: a spelling absent from another table
        is reported as absent (with its suggestion), unless its own table
        also holds another spelling of the code, which makes it a spelling
        row (no side of :func:`verify_codes` ``allow`` accepts those). Sorted
        by column, table, other table (spellings last) and value.
        Columns: ``column``; ``table`` (the table holding the value);
        ``absent_from`` (the table lacking it; missing for another spelling
        of a code all tables may hold); ``value`` (as text);
        ``rows`` (its rows in ``table``); ``lines`` (up to five example line
        numbers, as text); ``suggestion`` (the near-miss value of
        ``absent_from``, missing without one); ``reason`` (how the two differ:
        ``"letter case"``, ``"surrounding spaces"``, ``"full-width
        characters"``, ``"one-letter typo"``, joined by "and"; empty
        without a suggestion; also ``"spaces between words"``,
        ``"leading zeros"``, and for CJK names ``"one-character typo"`` and
        ``"shortened name"``); ``near_miss`` (bool).

    Raises
    ------
    SchemaError
        With ``errors="raise"``, if any absent value is a near miss; the
        message names the table, column, rule (``code_mismatch``), value,
        suggestion and example lines; ``failure_cases`` lists them.
    ParameterError
        For an unknown ``errors`` or ``against``, or ``line_numbers`` of the
        wrong length.

    Examples
    --------
    >>> import pandas as pd
    >>> surveys = pd.DataFrame({"region": ["Ouhai", "Longwan", "Lucheng"],
    ...                         "industry": ["textiles"] * 3})
    >>> training = pd.DataFrame({"region": ["ouhai", "Longwan", "Ruian"],
    ...                          "industry": ["textlies", "textiles", "textiles"]})
    >>> report = check_codes({"surveys": surveys, "training": training})
    >>> report[["column", "table", "value", "lines", "suggestion", "reason"]]
         column     table     value lines suggestion           reason
    0  industry  training  textlies     2   textiles  one-letter typo
    1    region   surveys   Lucheng     4        NaN
    2    region   surveys     Ouhai     2      ouhai      letter case
    3    region  training     Ruian     4        NaN
    4    region  training     ouhai     2      Ouhai      letter case
    """
    if errors not in ("report", "raise"):
        raise ParameterError(f"errors={errors!r} is not supported; use 'report' or 'raise'")
    if against is not None and against not in tables:
        raise ParameterError(f"against={against!r} is not one of the tables "
                             f"{sorted(tables)}{_checks.did_you_mean(against, tables)}")
    line_numbers = line_numbers or {}
    for name, given in line_numbers.items():  # checked now, used only for absent values
        if name in tables:
            _lines(tables[name], given)
    lines = {name: functools.partial(_lines, frame, line_numbers.get(name))
             for name, frame in tables.items()}
    found = []
    for key in dict.fromkeys(keys):
        holders = [name for name, frame in tables.items() if key in frame.columns]
        if not holders:
            continue
        codes = {name: _Codes(tables[name][key], lines[name], (row_counts or {}).get(name))
                 for name in holders}
        between = []
        for name in holders:
            for other in holders:
                if other == name or (against is not None and against not in (name, other)):
                    continue
                between.extend(_absent(key, name, codes[name], other, codes[other]))
        spelled = _spellings(key, codes)
        # a table writing one code two ways is told so, even for a spelling the other
        # table lacks: that is one code, not a cell missing a side (no allowed side)
        within = _within_table(spelled, codes)
        between = [row for row in between if not (row[-1] and (row[1], row[3]) in within)]
        found.extend(between)
        reported = {(row[1], row[3]) for row in between if row[-1]}
        found.extend(row for row in spelled if (row[1], row[3]) not in reported)
    columns = list(zip(*found, strict=True)) if found else [()] * len(REPORT_COLUMNS)
    report = pd.DataFrame({
        name: np.array(values, dtype=np.int64 if name == "rows" else
                       bool if name == "near_miss" else object)
        for name, values in zip(REPORT_COLUMNS, columns, strict=True)})
    if found:
        report = report.sort_values(["column", "table", "absent_from", "value"],
                                    kind="stable").reset_index(drop=True)
    if errors == "raise" and report["near_miss"].any():
        raise _mismatch_error(report)
    return report


def _absent(key: str, name: str, own: _Codes, other: str, theirs: _Codes) -> list[tuple]:
    absent = [i for i, value in enumerate(own.text) if value not in theirs.known]
    missing = own.present[absent]
    rows = []
    only = CjkCandidates(form for value, form in zip(theirs.text, theirs.normal_text,
                                                     strict=True)  # of the CJK rules
                         if absent and value not in own.known and ideographic(form))
    normals = own.normal_text
    for i, position, lines in zip(absent, missing, own.lines_of(missing), strict=True):
        value = own.text[i]  # distinct absent values only
        suggestion, reason = theirs.near_miss(value, only, normals[i])
        rows.append((key, name, other, value, int(own.counts[position]), lines,
                     suggestion, reason, suggestion is not None))
    return rows


def describe_codes(report: pd.DataFrame, *, near_miss_only: bool = False) -> list[str]:
    """One sentence per row of a :func:`check_codes` report.

    Parameters
    ----------
    report : pandas.DataFrame
        As returned by :func:`check_codes`.
    near_miss_only : bool, default False
        Describe only the rows with a suggestion.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> report = check_codes({"surveys": pd.DataFrame({"region": ["Longwan"]}),
    ...                       "training": pd.DataFrame({"region": ["Longwan "]})})
    >>> describe_codes(report[report["table"] == "training"], near_miss_only=True)
    ["column 'region': 'Longwan ' in training (1 row, e.g. line 2) is not in surveys \
(did you mean 'Longwan'? surrounding spaces) [code_mismatch]"]
    """
    if near_miss_only:
        report = report[report["near_miss"]]
    out = []
    for row in report.itertuples(index=False):
        noun = "row" if row.rows == 1 else "rows"
        where = "line" if "," not in row.lines else "lines"
        text = (f"column {row.column!r}: {row.value!r} in {row.table} ({row.rows} {noun}, "
                f"e.g. {where} {row.lines})")
        if pd.isna(row.absent_from):  # one code written several ways
            out.append(f"{text} is {row.suggestion!r} written another way (did you mean "
                       f"{row.suggestion!r}? {row.reason}) [code_mismatch]")
            continue
        text += f" is not in {row.absent_from}"
        if row.near_miss:
            text += f" (did you mean {row.suggestion!r}? {row.reason}) [code_mismatch]"
        out.append(text)
    return out


def _mismatch_error(report: pd.DataFrame) -> SchemaError:
    near = report[report["near_miss"]].reset_index(drop=True)
    sentences = describe_codes(near)
    first = near.iloc[0]
    cases = pd.DataFrame({
        "table": near["table"],
        "line": [int(lines.split(",")[0]) for lines in near["lines"]],
        "row": None,
        "column": near["column"],
        "rule": "code_mismatch",
        "value": near["value"],
        "message": sentences,
    })
    noun = "value is" if len(near) == 1 else "values are"
    message = (f"{len(near)} key {noun} written differently across or within tables "
               "(rule code_mismatch: one code must be written one way in every table):\n"
               + "\n".join(f"  - {text}" for text in sentences))
    return SchemaError(message, column=str(first["column"]), reason="code_mismatch",
                       failure_cases=cases)


def missing_side(table: str, absent_from: str) -> str:
    """What a value of ``table`` missing from ``absent_from`` leaves a cell without.

    ``"demand"`` when the surveys lack it (training or employment for a
    cell nobody surveyed), else ``"supply"`` (a surveyed cell that the
    training or employment table does not reach).

    Examples
    --------
    >>> missing_side("training", "surveys"), missing_side("surveys", "training")
    ('demand', 'supply')
    """
    return "demand" if absent_from == "surveys" else "supply"


def verify_codes(
    tables: Mapping[str, pd.DataFrame | None],
    *,
    keys: Sequence[str],
    codes: Literal["warn", "raise", "ignore"] = "warn",
    allow: Collection[str] = (),
    line_numbers: Mapping[str, Sequence[int]] | None = None,
    row_counts: Mapping[str, Sequence[int]] | None = None,
) -> pd.DataFrame | None:
    """The check :func:`talentgap.features.build_panel` runs on its input tables.

    Every table is compared with the ``surveys`` table on ``keys`` (see
    :func:`check_codes`), and the values of each key column over all tables
    are searched for one code written several ways. Near misses — a code of
    one table that looks like a code of the other written differently, or
    another spelling of a code — issue one
    :class:`~talentgap.errors.DataQualityWarning` listing them
    (``codes="warn"``) or raise :class:`~talentgap.errors.SchemaError`
    (``codes="raise"``); plain absences (a cell without supply, training for
    an industry not surveyed yet) are legitimate: the panel's
    ``supply_missing`` and ``demand_missing`` flags show them. When one key
    column has such values in the surveys *and* in another table, though,
    each pair may be one code written two ways: one more
    :class:`~talentgap.errors.DataQualityWarning` lists the pairs
    (:func:`unpaired_codes`), whatever ``codes`` (other than ``"ignore"``).

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame or None
        The tables by name; ``None`` entries are left out.
    keys : sequence of str
        The key columns that define a cell.
    codes : {"warn", "raise", "ignore"}, default "warn"
        What to do with near misses; ``"ignore"`` skips the check.
    allow : collection of {"supply", "demand"}, default ()
        Sides whose near misses only warn, even with ``codes="raise"``:
        ``"supply"`` for survey values missing from another table,
        ``"demand"`` for values of another table missing from the surveys
        (see :func:`missing_side`).
    line_numbers, row_counts : mapping of str to array-like of int, optional
        Passed to :func:`check_codes`.

    Returns
    -------
    pandas.DataFrame or None
        The :func:`check_codes` report, or ``None`` with ``codes="ignore"`` or
        no table. Without a ``surveys`` table to compare with (or with it
        alone) only codes written several ways are looked for and reported.

    Raises
    ------
    SchemaError
        With ``codes="raise"``, on any near miss of a side not in ``allow``.
    ParameterError
        For an unknown ``codes`` or side.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.errors import collect_warnings
    >>> surveys = pd.DataFrame({"region": ["Ouhai"], "industry": ["textiles"]})
    >>> training = pd.DataFrame({"region": ["ouhai"], "industry": ["textiles"]})
    >>> with collect_warnings() as caught:
    ...     _ = verify_codes({"surveys": surveys, "training": training},
    ...                      keys=["region", "industry"])
    >>> str(caught[0]).splitlines()[0][:48]
    '2 key value(s) written differently across tables'
    >>> "'ouhai' in training (1 row, e.g. line 2)" in str(caught[0])
    True
    """
    if codes not in ("warn", "raise", "ignore"):
        raise ParameterError(f"codes={codes!r} is not supported; use 'warn', 'raise' or "
                             "'ignore'")
    unknown = sorted(set(allow) - {"supply", "demand"})
    if unknown:
        raise ParameterError(f"allow={unknown[0]!r}: sides are 'supply' and 'demand'")
    present = {name: frame for name, frame in tables.items() if frame is not None}
    if codes == "ignore" or not present:
        return None
    between = len(present) > 1 and "surveys" in present
    report = check_codes(present, keys=keys, against="surveys" if between else None,
                         line_numbers=line_numbers, row_counts=row_counts)
    if not between:  # one table, or none to compare with: codes written several ways only
        report = report[report["absent_from"].isna()].reset_index(drop=True)
    side = [missing_side(t, a) for t, a in zip(report["table"], report["absent_from"],
                                                strict=True)]
    # a code written several ways is one code, not a cell missing a side: never allowed
    allowed = np.isin(np.asarray(side, dtype=object), list(allow)) & report["absent_from"].notna()
    if codes == "raise" and (report["near_miss"].to_numpy(dtype=bool) & ~allowed).any():
        raise _mismatch_error(report[~allowed])
    near = report[report["near_miss"]]
    if len(near):
        warn(f"{len(near)} key value(s) written differently across tables or within one "
             "(cells that should be one are split, and cells lose their supply); fix the "
             "codes, or pass codes='ignore' if they really differ:\n"
             + "\n".join(f"  - {text}" for text in describe_codes(near)),
             DataQualityWarning, stacklevel=3)
    pairs = unpaired_codes(report)
    if len(pairs):
        warn(unpaired_warning(pairs), DataQualityWarning, stacklevel=3)
    return report
