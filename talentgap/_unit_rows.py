"""Rows that do not stand for one respondent: aggregate detail rows and look-alike ids.

Two ways a survey file counts an enterprise twice, both refused by
:func:`talentgap.schema.validate`:

* In the long form, a row with a blank detail (``occupation``) next to rows of
  the same enterprise-period that give one (rule ``mixed_detail_rows``): a
  blank detail means "not broken down", so such a row is either the total of
  the others (counted twice if kept) or posts of no particular occupation,
  and which one cannot be told from the file.
* Enterprise ids that differ only in letter case, full-width characters or
  spaces (``E001``, ``e001``, ``Ｅ００１``) in one period: one enterprise
  written several ways. :func:`check_row_key` compares ids in their
  :func:`~talentgap._text_checks.fold_codes` form, so such rows share a key
  (rules ``duplicate_row`` and ``duplicate_key`` of
  :func:`~talentgap._duplicates.check_unique`).

Work is vectorised over rows (integer codes, ``numpy.bincount``); Python
touches distinct ids and failing rows only.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from talentgap._checks import FailureLog
from talentgap._duplicates import check_unique
from talentgap._text_checks import fold_codes, folds_apart
from talentgap._units import unit_codes

__all__ = ["check_mixed_details", "check_row_key", "SPELLING_HINT"]

#: Added to the failures of rows whose ids are written differently but fold alike.
SPELLING_HINT = ("the ids differ only in letter case, full-width characters or spaces, so "
                 "they name one enterprise; write each id one way")


def check_mixed_details(unit: np.ndarray, details: dict[str, np.ndarray], usable: np.ndarray,
                        log: FailureLog, lines: np.ndarray) -> None:
    """Reject rows whose blank details sit next to rows that give them (``mixed_detail_rows``).

    A row is refused when another row of its enterprise-period gives every
    detail the row gives (with the same values) and at least one it leaves
    blank: the blank row would be the total of such rows, or posts of no
    particular detail, and the file does not say which. With
    ``occupation`` alone: a blank occupation next to rows with one. With
    ``occupation`` and ``skill_level``: also ``(welder, blank)`` next to
    ``(welder, high)``; ``(CNC operator, blank)`` next to ``(welder, high)``
    is a partial breakdown, and passes.

    Parameters
    ----------
    unit : numpy.ndarray of int
        Enterprise-period of each row (:func:`~talentgap._units.unit_codes`,
        -1 when it could not be read).
    details : dict of str to numpy.ndarray of int
        Codes of each detail column present (-1: blank).
    usable : numpy.ndarray of bool
        Rows whose unit and details passed their own rules.
    log : FailureLog
    lines : numpy.ndarray of int
        Input line of each row, for the messages.

    Examples
    --------
    >>> log = FailureLog(3)
    >>> check_mixed_details(np.zeros(3, dtype=int), {"occupation": np.array([-1, 0, 1])},
    ...                     np.ones(3, dtype=bool), log, np.arange(2, 5))
    >>> cases = log.frame(np.arange(2, 5), pd.RangeIndex(3))
    >>> cases[["line", "column", "rule"]].values.tolist()
    [[2, 'occupation', 'mixed_detail_rows']]
    """
    names = list(details)
    if not names or len(unit) == 0:
        return
    given = np.column_stack([details[name] >= 0 for name in names])
    n_given = given.sum(axis=1)
    if n_given.min() == len(names) or n_given.max() == 0:
        return  # every row gives every detail, or none does
    usable = usable & (unit >= 0)
    for size in range(len(names)):
        for kept in combinations(range(len(names)), size):
            cover = usable & given[:, list(kept)].all(axis=1)
            exact = cover & (n_given == size)  # gives exactly the details in ``kept``
            more = cover & (n_given > size)
            if not exact.any() or not more.any():
                continue
            rows = np.flatnonzero(cover)
            group = _group_codes(unit[rows], [details[names[k]][rows] for k in kept])
            first_more = np.full(int(group.max()) + 1, -1, dtype=np.int64)
            broken = rows[more[rows]][::-1]  # the last write wins: the first such row
            first_more[group[more[rows]][::-1]] = broken
            hit = exact[rows] & (first_more[group] >= 0)
            if not hit.any():
                continue
            blank = [names[k] for k in range(len(names)) if k not in kept]
            what = " and ".join(blank)
            failing = rows[hit]
            shown = [f"{what} blank here, but line {line} of the same enterprise-period gives "
                     f"it: if this row is the total of such rows, leave it out; if its posts "
                     f"have no {what}, write one (e.g. 'other')"
                     for line in lines[first_more[group[hit]]].tolist()]
            mask = np.zeros(len(unit), dtype=bool)
            mask[failing] = True
            log.add(mask, ", ".join(blank), "mixed_detail_rows",
                    np.full(failing.size, None, dtype=object), np.asarray(shown, dtype=object))


def _group_codes(unit: np.ndarray, codes: list[np.ndarray]) -> np.ndarray:
    """Codes of the combinations of ``unit`` and ``codes`` (all >= 0), numbered from 0."""
    if not codes:
        return unit  # enterprise-periods are numbered densely already
    combined = unit.astype(np.int64)
    radix = int(unit.max()) + 1
    for column in codes:
        width = int(column.max()) + 1
        if radix * width >= 1 << 62:  # too many combinations for one int64
            return unit_codes(pd.DataFrame({"unit": unit, **dict(enumerate(codes))}))
        combined = combined * width + column
        radix *= width
    return pd.factorize(combined)[0]


class _Within:
    """A :class:`~talentgap._checks.FailureLog` front for the rows in ``rows`` only.

    Rows outside count as unusable in every column, so
    :func:`~talentgap._duplicates.check_unique` leaves them out.
    """

    def __init__(self, log: FailureLog, rows: np.ndarray) -> None:
        self.log = log
        self.rows = rows
        self.n_rows = log.n_rows

    def add(self, mask, column, rule, values, details=None) -> None:
        self.log.add(mask, column, rule, values, details)

    def bad_in(self, columns) -> np.ndarray:
        return self.log.bad_in(columns) | ~self.rows


def check_row_key(raw: pd.DataFrame, keys: pd.DataFrame, log: FailureLog, lines: np.ndarray,
                  *, ids: tuple[str, ...] = ()) -> None:
    """:func:`~talentgap._duplicates.check_unique` with the ``ids`` columns compared folded.

    Ids that differ only in letter case, full-width characters or spaces
    (:func:`~talentgap._text_checks.fold_codes`) are one id: rows whose key
    is the same once folded and written with different ids are checked
    together (a copy but for the id's spelling is a ``duplicate_row``, its
    first copy kept; different values make every copy a ``duplicate_key``),
    with a hint saying so. The other rows are checked as they are. Only the
    distinct ids are folded; when no two fold alike, this is
    :func:`~talentgap._duplicates.check_unique` itself.

    Parameters
    ----------
    raw : pandas.DataFrame
        The input rows (compared as text for exact repeats).
    keys : pandas.DataFrame
        The row key's columns, parsed (ids as categoricals).
    log : FailureLog
    lines : numpy.ndarray of int
    ids : tuple of str
        Columns of ``keys`` compared in their folded form.

    Examples
    --------
    >>> keys = pd.DataFrame({"enterprise_id": pd.Categorical(["E1", "e1", "E2"]),
    ...                      "period": ["2024"] * 3})
    >>> log = FailureLog(3)
    >>> check_row_key(keys.assign(vacancies=[3, 3, 1]), keys, log, np.arange(2, 5),
    ...               ids=("enterprise_id",))
    >>> log.frame(np.arange(2, 5), keys.index)[["line", "rule"]].values.tolist()
    [[3, 'duplicate_row']]
    """
    folded_keys = None
    folded_text = {}
    for name in ids:
        if name not in keys.columns:
            continue
        values = keys[name].array
        if not isinstance(values.dtype, pd.CategoricalDtype):
            continue
        categories = values.categories
        if (categories.dtype == object or not pd.api.types.is_string_dtype(categories.dtype)) \
                and pd.api.types.infer_dtype(categories, skipna=False) != "string":
            categories = categories.astype(str)  # numbers read from a workbook, say
        if folds_apart(categories):
            continue  # no two ids fold alike: nothing to add
        forms = fold_codes(categories.tolist())
        codes, uniques = pd.factorize(pd.Index(forms, dtype=object))
        folded_keys = keys.copy() if folded_keys is None else folded_keys
        row_codes = np.append(codes, -1)[np.asarray(values.codes, dtype=np.int64)]
        folded_keys[name] = row_codes
        folded_text[name] = np.append(np.asarray(uniques, dtype=object), None)[row_codes]
    if folded_keys is None:
        check_unique(raw, keys, log, lines)
        return
    group = unit_codes(folded_keys)  # the row key, ids folded
    spelling = unit_codes(keys)  # the row key as written
    valid = (group >= 0) & (spelling >= 0)
    if not valid.any():  # every row's key has a missing part (periods unreadable, say)
        check_unique(raw, keys, log, lines)
        return
    _, first = np.unique(spelling[valid], return_index=True)
    n_spellings = np.bincount(group[valid][first], minlength=int(group.max()) + 1)
    alike = valid & (n_spellings[np.maximum(group, 0)] > 1)
    if not alike.any():
        check_unique(raw, keys, log, lines)
        return
    check_unique(raw, keys, _Within(log, ~alike), lines)
    check_unique(raw.assign(**folded_text), folded_keys, _Within(log, alike), lines,
                 hint=SPELLING_HINT)
