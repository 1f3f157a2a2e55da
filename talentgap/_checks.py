"""Row-level rule checks behind :func:`talentgap.schema.validate`.

Each ``check_*`` function looks at one column (or a pair), records every
failing row in a :class:`FailureLog`, and returns the column's values in
their canonical form. Work is vectorised: masks over all rows, and
Python-level work only over *distinct* values or failing rows. Blank and
spaced text is found by :mod:`talentgap._text_checks`; rows sharing a key
by :mod:`talentgap._duplicates`. The log itself, and the sentences that
report its failures, are :mod:`talentgap._failure_log` (re-exported here).
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable

import numpy as np
import pandas as pd

from talentgap._failure_log import FAILURE_COLUMNS as FAILURE_COLUMNS
from talentgap._failure_log import (
    RULE_TEXT,
    FailureLog,
    describe_failures,
    rule_text,
    show_value,
)
from talentgap._numeric import number_hints, read_numbers
from talentgap._text_checks import (
    blank_and_spaced,
    folds_apart,
    is_blank,
    line_broken,
    nfc_codes,
    nfc_text,
    plain_ascii_text,
    shared_text,
    suspect_text,
    totals_labels,
)

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
    "categories_pass",
    "factorize_values",
    "check_at_most",
    "describe_failures",
    "EXCEL_ERRORS",
    "excel_errors",
    "totals_rows",
    "BLANK_LABEL",
    "row_labels",
]

#: The error values Excel shows (and writes to CSV) in a cell whose formula failed.
EXCEL_ERRORS = ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!",
                "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!",
                "#BUSY!", "#UNKNOWN!")
#: Largest count accepted: every whole number up to it is exact in float64 and int64.
MAX_COUNT = 2**53
_TRUE = ["1", "true", "t", "yes", "y", "是"]
_FALSE = ["0", "false", "f", "no", "n", "否"]


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
    rows are put in ``widened[name]`` when given, for a warning), and spaces
    around a number (``28\u3000`` too) are dropped; other text
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
        # spaces around a number are dropped (U+3000 too); full-width digits are read
        numbers, wide = read_numbers(values.where(~missing))
        if values.dtype == object:  # True among numbers is no count (as a boolean column)
            numbers = np.where(values.map(type).isin([bool, np.bool_]).to_numpy(), np.nan,
                               numbers)
        if widened is not None and (wide & ~np.isnan(numbers)).any():
            widened[name] = wide & ~np.isnan(numbers)
        unread = np.isnan(numbers) & ~missing
        if unread.any():
            log.add(unread, name, "not_numeric", values[unread].to_numpy(dtype=object),
                    number_hints(values[unread].to_numpy(dtype=object)))
    log.add(missing, name, "missing_value", values, "missing")
    valid = ~np.isnan(numbers)
    if kind == "weight":
        bad = valid & ~(np.isfinite(numbers) & (numbers > 0))
        if bad.any():  # the details convert the column: only when some weight fails
            log.add(bad, name, "not_positive", values, _weight_details(values, numbers, bad))
        return numbers
    whole = valid & np.isfinite(numbers) & (numbers == np.round(numbers))
    log.add(valid & ~whole, name, "not_integer", values)
    log.add(whole & (numbers < 0), name, "negative", values)
    huge = whole & (numbers > MAX_COUNT)  # 1e300 would wrap around in int64
    log.add(huge, name, "too_large", values)
    # Only usable values take part in the rules between columns.
    return np.where(whole & (numbers >= 0) & ~huge, numbers, np.nan)


#: Said of the first weight of 0 rejected: why it is refused and what to do.
_ZERO_WEIGHT_NOTE = (
    " (a weight of 0 stands for no enterprise: an enterprise found out of scope is no "
    "respondent, so drop its row, or give it its design weight if it is in scope; R's "
    "survey would keep it as a sampled unit of its stratum, so the standard errors there "
    "differ slightly)")


def _weight_details(values: pd.Series, numbers: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """The shown value of each failing weight, the first 0 with :data:`_ZERO_WEIGHT_NOTE`."""
    shown = values[bad].to_numpy(dtype=object)
    details = np.array([show_value(v) for v in shown], dtype=object)
    zero = np.flatnonzero(np.asarray(numbers, dtype=np.float64)[bad] == 0)
    if zero.size:
        details[zero[0]] += _ZERO_WEIGHT_NOTE
    return details


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
            bad = numbers <= 0
            log.add(bad, name, "not_positive", values, _weight_details(values, numbers, bad))
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
    values that passed, text in Unicode NFC (:func:`~talentgap._text_checks.nfc_text`:
    ``"é"`` written as ``e`` and a combining accent is the same code). A
    categorical column is checked on its categories (blank, colliding as
    text, holding a line break), and its rows only through their codes.
    ``factorized`` is :func:`factorize_values` of ``values`` when the caller
    already has it (the rows are then not read again).
    """
    if isinstance(values.dtype, pd.CategoricalDtype) and allowed is None:
        checked = _check_categories(values, name, log)
        if checked is not None:
            return checked
    codes, uniques = factorize_values(values) if factorized is None else factorized
    codes, uniques = nfc_codes(codes, uniques)
    if allowed is not None and nfc_text(pd.Index(allowed, dtype=object)) is not None:
        allowed = nfc_text(pd.Index(allowed, dtype=object)).tolist()
    blank_unique, spaced = blank_and_spaced(uniques)
    missing = np.append(blank_unique, True)[codes] if blank_unique.any() else codes < 0
    log.add(missing, name, "missing_value", values, "missing")
    _log_spaced(uniques, spaced, codes, name, log, values)
    # distinct values only; distinct strings never collide, so all-text keys skip this
    mixed = pd.api.types.infer_dtype(uniques, skipna=True) not in ("string", "empty")
    text = pd.Index(uniques.map(str), dtype=object) if mixed else uniques
    clash = text.duplicated(keep=False) & ~blank_unique if mixed else np.zeros(0, dtype=bool)
    if clash.any():  # e.g. 1 and "1": two categories that print the same
        shown = np.array([f"{show_value(u)} ({type(u).__name__}) reads {t!r} like another value"
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
                    np.array([f"{show_value(v)}{hints[v]}" for v in shown], dtype=object))
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
    """Reject the rows whose key value starts or ends with spaces (never stripped
    silently), or holds a line break inside (a cell written on two lines)."""
    broken = line_broken(uniques) & ~spaced  # one at the edge is a surrounding space
    for rule, bad, words, fix in (
            ("surrounding_space", spaced, "starts or ends with spaces", str.strip),
            ("line_break_in_code", broken, "holds a line break", lambda u: " ".join(u.split()))):
        if not bad.any():
            continue
        shown = np.array([f"{u!r} {words} (did you mean {fix(u)!r}?)" if b else ""
                          for u, b in zip(uniques, bad, strict=True)], dtype=object)
        log.add(np.append(bad, False)[codes], name, rule, values, np.append(shown, "")[codes])


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
    if nfc_text(categories) is not None:
        return None  # categories to compose (and maybe merge): the general path
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


@shared_text()  # the categories are turned into text once for all the checks
def categories_pass(categories: pd.Index, *, ids: bool = False) -> bool:
    """Whether a key column with these categories passes every text rule of :func:`check_key`.

    Judged on the categories (distinct values), never on the rows: all text
    (so none collide as text, rule ``text_collision``), none blank or with
    surrounding spaces (``missing_value``, ``surrounding_space``), none
    holding a line break (``line_break_in_code``), an Excel error value
    (``excel_error``) or a totals label (``totals_row``), all in Unicode NFC
    (validation composes them), and with ``ids=True`` no two ids that fold
    alike (:func:`~talentgap._text_checks.folds_apart`: ``E001`` and
    ``e001`` are one enterprise in the row key). ``False`` only says the
    full validation must decide (an unused category may still pass it).

    Examples
    --------
    >>> categories_pass(pd.Index(["Ouhai", "Longwan"]))
    True
    >>> [categories_pass(pd.Index(["Ouhai", bad])) for bad in ["合计", "#N/A", "a\\nb", " X"]]
    [False, False, False, False]
    >>> categories_pass(pd.Index(["E001", "e001"])), categories_pass(pd.Index(["E001", "e001"]),
    ...                                                              ids=True)
    (True, False)
    """
    if pd.api.types.infer_dtype(categories, skipna=False) != "string":
        return False  # numbers or mixed types: the full validation decides
    if plain_ascii_text(categories, ids=ids):
        return True  # read from the Arrow buffers: no rule can catch such text
    return not (suspect_text(categories)
                or nfc_text(categories) is not None
                or line_broken(categories).any()
                or categories.isin(EXCEL_ERRORS).any()
                or totals_labels(categories).any()
                or (ids and not folds_apart(categories)))


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
    # an index (a categorical's categories) is read as it is: its text is then shared
    # with the key rules run on the same categories (talentgap._text_checks.shared_text)
    hit = totals_labels(uniques if isinstance(uniques, pd.Index)
                        else pd.Index(uniques, dtype=object))
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


#: How a missing or blank value reads in the label of a row in messages (``NA`` would
#: read as a code: ``NA`` is a valid region or occupation code).
BLANK_LABEL = "(blank)"


def row_labels(shown: pd.DataFrame) -> pd.Series:
    """Each row of ``shown`` as the text naming it in messages, blank values as ``(blank)``.

    For the few example rows of a message, never a whole table.

    Examples
    --------
    >>> shown = pd.DataFrame({"enterprise_id": ["E1", "E2"], "occupation": [None, " "],
    ...                       "period": ["2024Q1", "2024Q1"]})
    >>> row_labels(shown).tolist()
    ['E1, (blank), 2024Q1', 'E2, (blank), 2024Q1']
    """
    shown = shown.astype(object)
    blank = shown.isna() | shown.map(lambda value: isinstance(value, str) and not value.strip())
    return shown.where(~blank, BLANK_LABEL).map(str).agg(", ".join, axis=1)
