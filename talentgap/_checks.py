"""Row-level rule checks behind :func:`talentgap.schema.validate`.

Each ``check_*`` function looks at one column (or a pair), records every
failing row in a :class:`FailureLog`, and returns the column's values in
their canonical form. Work is vectorised: masks over all rows, and
Python-level work only over *distinct* values or failing rows. Blank and
spaced text is found by :mod:`talentgap._text_checks`; rows sharing a key
by :mod:`talentgap._duplicates`.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable

import numpy as np
import pandas as pd

from talentgap._numeric import full_width_numbers, number_hints
from talentgap._text_checks import blank_and_spaced, is_blank, suspect_text, totals_labels
from talentgap._words import rows_fail

__all__ = [
    "FailureLog",
    "RULE_TEXT",
    "rule_text",
    "did_you_mean",
    "MAX_COUNT",
    "closest",
    "check_numeric",
    "check_flag",
    "check_key",
    "factorize_values",
    "check_at_most",
    "describe_failures",
    "EXCEL_ERRORS",
    "excel_errors",
    "totals_rows",
]

FAILURE_COLUMNS = ["line", "row", "column", "rule", "value", "message"]

RULE_TEXT = {
    "missing_value": "must not be missing",
    "not_numeric": "must be numeric",
    "not_integer": "must hold whole numbers",
    "negative": "must be >= 0",
    "not_positive": "must be finite and > 0",
    "not_finite": "must be a finite number",
    "not_boolean": "must be true/false (1/0, yes/no, 是/否)",
    "bad_period": "must hold period labels of the declared frequency",
    "unknown_code": "must be one of the allowed codes",
    "duplicate_key": "must identify one row",
    "duplicate_row": "must not repeat an earlier row",
    "empty_row": "must not be empty",
    "too_large": "must be <= 2**53 = 9007199254740992 (the largest count stored exactly)",
    "text_collision": "must not hold different values that read the same as text",
    "surrounding_space": "must not start or end with spaces",
    "not_constant": "must be the same on every row of an enterprise-period",
    "group_incomplete": "must belong to a group none of whose rows was rejected",
    "excel_error": "must not hold Excel error values",
    "totals_row": "must hold one respondent, not a total or subtotal",
    "mixed_detail_rows": ("must not be blank on a row next to rows of the same "
                          "enterprise-period that give it"),
}
#: The error values Excel shows (and writes to CSV) in a cell whose formula failed.
EXCEL_ERRORS = ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!",
                "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!",
                "#BUSY!", "#UNKNOWN!")
#: Largest count accepted: every whole number up to it is exact in float64 and int64.
MAX_COUNT = 2**53
_TRUE = ["1", "true", "t", "yes", "y", "是"]
_FALSE = ["0", "false", "f", "no", "n", "否"]
_MAX_EXAMPLES = 5


def rule_text(rule: str) -> str:
    """The rule as the end of a sentence: ``"exceeds_trained"`` -> ``"must be <= 'trained'"``."""
    if rule.startswith("exceeds_"):
        return f"must be <= {rule.removeprefix('exceeds_')!r}"
    return RULE_TEXT.get(rule, rule)


def _show(value) -> str:
    return repr(value) if isinstance(value, str) else str(value)


class FailureLog:
    """Failures as arrays of row positions, one batch per (column, rule).

    Parameters
    ----------
    n_rows : int
        Number of rows of the table being checked.

    Attributes
    ----------
    bad : numpy.ndarray of bool
        Rows with at least one failure so far.
    """

    def __init__(self, n_rows: int) -> None:
        self.n_rows = n_rows
        self.bad = np.zeros(n_rows, dtype=bool)
        self._settled: np.ndarray | None = None  # rows whose one failure is final
        self._batches: list[tuple[np.ndarray, str, str, np.ndarray, np.ndarray]] = []
        self._bad_by_column: dict[str, np.ndarray] = {}

    def add(self, mask: np.ndarray, column: str, rule: str, values,
            details=None) -> None:
        """Record the rows in ``mask`` as failing ``rule`` on ``column``.

        ``values`` are the raw input values (all rows, or the failing ones);
        ``details`` the short message of each failure: ``None`` for the raw
        value, one string for all, or an array (all rows or failing ones).
        """
        positions = np.flatnonzero(mask)
        if positions.size == 0:
            return
        values = np.asarray(values, dtype=object)
        if values.shape[0] == self.n_rows:
            values = values[positions]
        if details is None:
            details = np.array([_show(v) for v in values], dtype=object)
        elif isinstance(details, str):
            details = np.full(positions.size, details, dtype=object)
        else:
            details = np.asarray(details, dtype=object)
            if details.shape[0] == self.n_rows:
                details = details[positions]
        if self._settled is not None:  # a settled row takes no further failure
            keep = ~self._settled[positions]
            if not keep.all():
                positions, values, details = positions[keep], values[keep], details[keep]
                if positions.size == 0:
                    return
        self._batches.append((positions, column, rule, values, details))
        self.bad[positions] = True
        column_mask = self._bad_by_column.setdefault(column, np.zeros(self.n_rows, dtype=bool))
        column_mask[positions] = True

    def collapse(self, mask: np.ndarray, column: str, rule: str, detail, values=None, *,
                 settle: bool = False) -> None:
        """Replace every failure of the rows in ``mask`` by one failure ``rule``.

        ``detail`` is one message or one per row (all rows); ``values`` the
        values shown (all rows; default none). With ``settle`` that failure is
        final: the rows take no later failure, and count as failing in every
        column for the checks that follow (:meth:`bad_in`).
        """
        if self._settled is not None:
            mask = mask & ~self._settled  # a settled row keeps its failure
        if not mask.any():
            return
        batches = []
        for positions, col, rul, shown, details in self._batches:
            keep = ~mask[positions]
            if keep.any():
                batches.append((positions[keep], col, rul, shown[keep], details[keep]))
        self._batches = batches
        for column_mask in self._bad_by_column.values():
            column_mask &= ~mask
        self.bad &= ~mask
        self.add(mask, column, rule,
                 np.full(int(mask.sum()), None, dtype=object) if values is None else values,
                 detail)
        if settle:
            self._settled = mask.copy() if self._settled is None else self._settled | mask

    def bad_in(self, columns: Iterable[str]) -> np.ndarray:
        """Rows failing a rule on any of ``columns`` (or settled, see :meth:`collapse`)."""
        out = np.zeros(self.n_rows, dtype=bool) if self._settled is None else self._settled.copy()
        for name in columns:
            if name in self._bad_by_column:
                out |= self._bad_by_column[name]
        return out

    def frame(self, lines: np.ndarray, index: pd.Index) -> pd.DataFrame:
        """All failures in row order: ``position`` and :data:`FAILURE_COLUMNS`."""
        if not self._batches:
            columns = ["position", *FAILURE_COLUMNS]
            empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
            return empty.astype({"position": np.int64, "line": np.int64})
        positions = np.concatenate([b[0] for b in self._batches])
        column = np.concatenate([np.full(b[0].size, b[1], dtype=object) for b in self._batches])
        rule = np.concatenate([np.full(b[0].size, b[2], dtype=object) for b in self._batches])
        frame = pd.DataFrame(
            {
                "position": positions,
                "line": lines[positions].astype(np.int64),
                "row": index[positions].to_numpy(dtype=object),
                "column": column,
                "rule": rule,
                "value": np.concatenate([b[3] for b in self._batches]),
                "message": np.concatenate([b[4] for b in self._batches]),
            }
        )
        order = np.lexsort((frame["column"].to_numpy(dtype=str), frame["position"].to_numpy()))
        return frame.iloc[order].reset_index(drop=True)


def did_you_mean(name: str, candidates: Iterable) -> str:
    """``" (did you mean 'x'?)"`` for the closest candidate, or ``""``.

    Examples
    --------
    >>> did_you_mean("vacancy", ["employees", "vacancies"])
    " (did you mean 'vacancies'?)"
    """
    match = closest(name, candidates)
    return f" (did you mean {match!r}?)" if match is not None else ""


def closest(name: str, candidates: Iterable) -> str | None:
    """The candidate closest to ``name`` (case-insensitive), or ``None`` if none is close.

    Examples
    --------
    >>> closest("Vacancy", ["employees", "vacancies"]), closest("xyz", ["vacancies"])
    ('vacancies', None)
    """
    lowered = {str(c).lower(): str(c) for c in candidates}
    match = difflib.get_close_matches(str(name).lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def check_numeric(values: pd.Series, name: str, kind: str, log: FailureLog,
                  widened: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Count rules (``kind="count"``) or weight rules (``kind="weight"``).

    Returns the values as numbers: ``int64`` for an integer column (whose
    failing rows are exactly the rows logged against ``name``), else
    ``float64`` with NaN where the value itself is unusable. Text written
    with full-width digits (``１２０``) is read as the number it shows (the
    rows are put in ``widened[name]`` when given, for a warning); other text
    fails rule ``not_numeric`` with a hint for thousands separators and
    decimal commas (:func:`talentgap._numeric.number_hints`).
    """
    if pd.api.types.is_bool_dtype(values.dtype):
        log.add(np.ones(len(values), dtype=bool), name, "not_numeric", values)
        return np.full(len(values), np.nan)
    if pd.api.types.is_integer_dtype(values.dtype) and not values.hasnans:
        return _check_integers(values, name, kind, log)
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(numbers)
    else:
        missing = is_blank(values)
        numbers = pd.to_numeric(values.where(~missing), errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        if values.dtype == object:  # True among numbers is no count (as a boolean column)
            numbers = np.where(values.map(type).isin([bool, np.bool_]).to_numpy(), np.nan,
                               numbers)
        unread = np.isnan(numbers) & ~missing
        if unread.any():
            numbers = numbers.copy()
            numbers[unread] = full_width_numbers(values[unread])
            if widened is not None and not np.isnan(numbers[unread]).all():
                widened[name] = unread & ~np.isnan(numbers)
            unread &= np.isnan(numbers)
            log.add(unread, name, "not_numeric", values[unread].to_numpy(dtype=object),
                    number_hints(values[unread].to_numpy(dtype=object)))
    log.add(missing, name, "missing_value", values, "missing")
    valid = ~np.isnan(numbers)
    if kind == "weight":
        log.add(valid & ~(np.isfinite(numbers) & (numbers > 0)), name, "not_positive", values)
        return numbers
    whole = valid & np.isfinite(numbers) & (numbers == np.round(numbers))
    log.add(valid & ~whole, name, "not_integer", values)
    log.add(whole & (numbers < 0), name, "negative", values)
    huge = whole & (numbers > MAX_COUNT)  # 1e300 would wrap around in int64
    log.add(huge, name, "too_large", values)
    # Only usable values take part in the rules between columns.
    return np.where(whole & (numbers >= 0) & ~huge, numbers, np.nan)


def _check_integers(values: pd.Series, name: str, kind: str, log: FailureLog) -> np.ndarray:
    """The same rules on a column of integers: no missing or fractional value can occur.

    One reduction per rule decides whether any row fails; the row masks are
    only formed for a rule that some row breaks.
    """
    numbers = values.to_numpy()
    if len(numbers) == 0:
        return numbers.astype(np.int64 if kind == "count" else float)
    low, high = numbers.min(), numbers.max()
    if kind == "weight":
        if low <= 0:
            log.add(numbers <= 0, name, "not_positive", values)
        return numbers.astype(float)
    if low < 0:
        log.add(numbers < 0, name, "negative", values)
    if high > MAX_COUNT:
        log.add(numbers > MAX_COUNT, name, "too_large", values)
    if numbers.dtype == np.uint64 and high > MAX_COUNT:  # keep int64 from wrapping
        return np.where(numbers > MAX_COUNT, 0, numbers).astype(np.int64)
    return numbers.astype(np.int64, copy=False)


def _flag_text(value) -> str:
    if isinstance(value, (bool, np.bool_, int, float, np.number)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip().lower()


def check_flag(values: pd.Series, name: str, log: FailureLog) -> np.ndarray:
    """True/false rules; returns a boolean array (False where the value failed)."""
    if pd.api.types.is_bool_dtype(values.dtype) and not values.isna().any():
        return values.to_numpy(dtype=bool)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = np.array([_flag_text(u) for u in uniques], dtype=object)  # distinct values only
    # One extra slot at the end stands for code -1, a missing value.
    is_true = np.append(np.isin(text, _TRUE), False)[codes]
    is_false = np.append(np.isin(text, _FALSE), False)[codes]
    missing = np.append(text == "", True)[codes]
    log.add(missing, name, "missing_value", values, "missing")
    log.add(~missing & ~is_true & ~is_false, name, "not_boolean", values)
    return is_true


def factorize_values(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1 = missing) and distinct values; a categorical's own codes are reused.

    Examples
    --------
    >>> codes, uniques = factorize_values(pd.Series(["b", None, "a", "b"]))
    >>> codes.tolist(), list(uniques)
    ([0, -1, 1, 0], ['b', 'a'])
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.int64)
        used = np.flatnonzero(np.bincount(codes[codes >= 0],
                                          minlength=len(values.cat.categories)))
        renumber = np.full(len(values.cat.categories) + 1, -1, dtype=np.int64)
        renumber[used] = np.arange(used.size)
        return renumber[codes], values.cat.categories.to_numpy(dtype=object)[used]
    return pd.factorize(values, use_na_sentinel=True)


def _sorted_order(present: pd.Index) -> np.ndarray:
    """Positions that sort distinct key values; text of mixed types sorts as text."""
    if pd.api.types.infer_dtype(present, skipna=False) == "string":
        return np.argsort(present.to_numpy(dtype=str), kind="stable")  # C compares
    try:
        return np.asarray(present.argsort())
    except TypeError:  # mixed types: order by their text
        return np.argsort(present.astype(str))


def check_key(values: pd.Series, name: str, log: FailureLog,
              allowed: list | None = None,
              factorized: tuple[np.ndarray, np.ndarray] | None = None) -> pd.Categorical:
    """Key rules (present, and among ``allowed`` when given); returns a categorical.

    The categories are ``allowed`` in its order, or else the sorted distinct
    values that passed. A categorical column is checked on its categories
    (blank, colliding as text), and its rows only through their codes.
    ``factorized`` is :func:`factorize_values` of ``values`` when the caller
    already has it (the rows are then not read again).
    """
    if isinstance(values.dtype, pd.CategoricalDtype) and allowed is None:
        checked = _check_categories(values, name, log)
        if checked is not None:
            return checked
    codes, uniques = factorize_values(values) if factorized is None else factorized
    uniques = pd.Index(uniques, dtype=object)
    blank_unique, spaced = blank_and_spaced(uniques)
    missing = np.append(blank_unique, True)[codes] if blank_unique.any() else codes < 0
    log.add(missing, name, "missing_value", values, "missing")
    _log_spaced(uniques, spaced, codes, name, log, values)
    # distinct values only; distinct strings never collide, so all-text keys skip this
    mixed = pd.api.types.infer_dtype(uniques, skipna=True) not in ("string", "empty")
    text = pd.Index(uniques.map(str), dtype=object) if mixed else uniques
    clash = text.duplicated(keep=False) & ~blank_unique if mixed else np.zeros(0, dtype=bool)
    if clash.any():  # e.g. 1 and "1": two categories that print the same
        shown = np.array([f"{_show(u)} ({type(u).__name__}) reads {t!r} like another value"
                          for u, t in zip(uniques, text, strict=True)], dtype=object)
        rows = np.append(clash, False)[codes]
        log.add(rows, name, "text_collision", values, np.append(shown, "")[codes])
    if allowed is not None:
        known = np.append(uniques.isin(allowed), True)[codes]
        unknown = ~known & ~missing
        if unknown.any():
            hints = {u: did_you_mean(u, allowed) for u in uniques[~uniques.isin(allowed)]}
            shown = np.asarray(values, dtype=object)[unknown]
            log.add(unknown, name, "unknown_code", shown,
                    np.array([f"{_show(v)}{hints[v]}" for v in shown], dtype=object))
        categories = pd.Index(list(dict.fromkeys(allowed)))
    else:
        present = uniques[~blank_unique]
        categories = present[_sorted_order(present)]
    # map the few distinct values to categories once, then every row by its code
    position = np.append(categories.get_indexer(uniques), -1)
    position[np.flatnonzero(blank_unique)] = -1
    # in the smallest integer type that holds the codes (pandas' own choice), so the
    # rows are gathered once, straight into the categorical's codes
    position = position.astype(np.min_scalar_type(-len(categories) - 2))
    return pd.Categorical.from_codes(position[codes], categories=_text_labels(categories))


def _text_labels(categories: pd.Index) -> pd.Index:
    """Text categories in pandas' own text dtype, whatever dtype they arrived in.

    The same labels then give the same categorical dtype whether the column
    came as text, as object values or as a categorical (``str`` categories in
    pandas 3, ``object`` before); other categories are returned as they are.
    """
    if categories.dtype == object and pd.api.types.infer_dtype(categories) != "string":
        return categories
    if not (categories.dtype == object or isinstance(categories.dtype, pd.StringDtype)):
        return categories
    if categories.dtype == _text_dtype():
        return categories  # already what the conversion below would give
    labels = pd.Index(np.asarray(categories, dtype=object))
    return labels if labels.dtype != categories.dtype else categories


@functools.cache
def _text_dtype():
    """The dtype pandas gives an index of ``str`` values (``str`` in pandas 3, else object)."""
    return pd.Index(["a"]).dtype


def _log_spaced(uniques: pd.Index, spaced: np.ndarray, codes: np.ndarray, name: str,
                log: FailureLog, values: pd.Series) -> None:
    """Reject the rows whose key value starts or ends with spaces (never stripped silently)."""
    if not spaced.any():
        return
    shown = np.array([f"{u!r} starts or ends with spaces (did you mean {u.strip()!r}?)"
                      if bad else "" for u, bad in zip(uniques, spaced, strict=True)],
                     dtype=object)
    rows = np.append(spaced, False)[codes]
    log.add(rows, name, "surrounding_space", values, np.append(shown, "")[codes])


def _check_categories(values: pd.Series, name: str, log: FailureLog) -> pd.Categorical | None:
    """The key rules of a categorical whose categories are all text, on its categories.

    Distinct strings never collide as text, so only blank categories and
    missing codes can fail; rows are touched through their codes only (one
    comparison, one gather if the categories need sorting). Returns ``None``
    for categories that are not all text (the general path handles those).
    """
    categories = values.cat.categories
    if pd.api.types.infer_dtype(categories, skipna=False) != "string":
        return None
    codes = values.cat.codes.to_numpy()
    if suspect_text(categories):
        blank, spaced = blank_and_spaced(categories)
    else:
        blank = spaced = np.zeros(len(categories), dtype=bool)
    if blank.any():
        missing = np.append(blank, True)[codes]
    else:
        missing = codes < 0
    if missing.any():
        log.add(missing, name, "missing_value", values, "missing")
    _log_spaced(categories, spaced, codes, name, log, values)
    keep = ~blank
    labels = _text_labels(categories)
    if (categories.is_monotonic_increasing and not blank.any() and not values.cat.ordered
            and labels is categories):
        return values.array  # as it is (validate copies it): no new dtype to re-validate
    present = labels[keep]
    order = _sorted_order(present)
    position = np.full(len(categories) + 1, -1, dtype=np.int64)
    position[np.flatnonzero(keep)[order]] = np.arange(order.size)
    return pd.Categorical.from_codes(position[codes], categories=present[order])


def check_at_most(raw: pd.DataFrame, numbers: dict[str, np.ndarray], a: str, b: str,
                  log: FailureLog, usable: dict[str, np.ndarray | None] | None = None) -> None:
    """The rule ``a <= b`` on rows where both are valid numbers.

    ``usable`` gives, per column, the rows whose value passed its own rules
    (``None``: every row); without it, NaN marks an unusable value.
    """
    if a not in numbers or b not in numbers:
        return
    x, y = numbers[a], numbers[b]
    with np.errstate(invalid="ignore"):
        bad = x > y  # NaN compares False
    if usable is not None:
        for name in (a, b):
            if usable.get(name) is not None:
                bad &= usable[name]
    if not bad.any():
        return
    details = np.array([f"{u:g} > {v:g}" for u, v in zip(x[bad], y[bad], strict=True)],
                       dtype=object)
    log.add(bad, a, f"exceeds_{b}", raw[a], details)


def totals_rows(values: pd.Series,
                factorized: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Which values label a totals or subtotal row (``合计``, ``小计``, ``Total``).

    Judged on the distinct values (or a categorical's categories) by
    :func:`talentgap._text_checks.totals_labels`; ``factorized`` as in
    :func:`excel_errors`.

    Examples
    --------
    >>> totals_rows(pd.Series(["E1", "合计", None, " Subtotal"])).tolist()
    [False, True, False, True]
    """
    if factorized is None and isinstance(values.dtype, pd.CategoricalDtype):
        factorized = values.cat.codes.to_numpy(), values.cat.categories
    elif factorized is None:
        if values.dtype.kind in "biufcmM" or isinstance(values.dtype, pd.PeriodDtype):
            return np.zeros(len(values), dtype=bool)
        factorized = factorize_values(values)
    codes, uniques = factorized
    hit = totals_labels(pd.Index(uniques, dtype=object))
    if not hit.any():
        return np.zeros(len(values), dtype=bool)
    return np.append(hit, False)[codes]  # code -1 (missing) reads the last slot


def excel_errors(values: pd.Series,
                 factorized: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Which values are an Excel error value (``#N/A``, ``#REF!``): a formula that failed.

    Only text can hold one; for a categorical column only its categories are
    looked at, and so are the distinct values when ``factorized``
    (:func:`factorize_values` of ``values``) is given.

    Examples
    --------
    >>> excel_errors(pd.Series(["Ouhai", "#N/A", None])).tolist()
    [False, True, False]
    """
    if factorized is not None:
        codes, uniques = factorized
        hit = pd.Index(uniques, dtype=object).isin(EXCEL_ERRORS)
        if not hit.any():
            return np.zeros(len(values), dtype=bool)
        return np.append(hit, False)[codes]  # code -1 (missing) reads the last slot
    if isinstance(values.dtype, pd.CategoricalDtype):
        hit = values.cat.categories.isin(EXCEL_ERRORS)
        if not hit.any():
            return np.zeros(len(values), dtype=bool)
        codes = values.cat.codes.to_numpy()
        return np.append(hit, False)[codes]  # code -1 (missing) reads the last slot
    if values.dtype.kind in "biufcmM" or isinstance(values.dtype, pd.PeriodDtype):
        return np.zeros(len(values), dtype=bool)
    maybe = values.str.startswith("#") if pd.api.types.is_string_dtype(values) else None
    if maybe is not None and not maybe.any():  # every error value starts with '#'
        return np.zeros(len(values), dtype=bool)
    return values.isin(EXCEL_ERRORS).to_numpy(dtype=bool)


def describe_failures(cases: pd.DataFrame, row_labels: pd.Series | None = None) -> list[str]:
    """One sentence per (column, rule): the rule, how many rows, up to five examples.

    ``cases`` is a :meth:`FailureLog.frame`; ``row_labels`` (indexed by
    position) names each row, e.g. ``"E0042, 2024Q2"``.
    """
    out = []
    for (column, rule), group in cases.groupby(["column", "rule"], sort=False):
        examples = group.head(_MAX_EXAMPLES)
        shown = []
        for position, line, detail in zip(examples["position"], examples["line"],
                                           examples["message"], strict=True):
            where = f" ({row_labels[position]})" if row_labels is not None else ""
            shown.append(f"line {line}{where}: {detail}")
        n = group["position"].nunique()
        subject = "a row" if column == "*" else f"column {column!r}"  # "*": the whole row
        out.append(f"{subject} {rule_text(rule)} [{rule}]; {rows_fail(n)}, e.g. "
                   + "; ".join(shown))
    return out
