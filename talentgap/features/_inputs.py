"""Bringing input tables to canonical form before feature computations.

A table that already has canonical dtypes (the output of
:func:`talentgap.schema.validate`) has every rule checked in its cheap
form: one reduction per rule over a numeric column (``min``/``max``),
categorical keys and ids on their categories with the text rules of
validation (:func:`talentgap._checks.categories_pass`: present, not blank
nor spaced, all text so no two read the same, in NFC, no line break, Excel
error value or totals label, no two ids that fold alike), periods of one
frequency (calendar years, calendar quarters or months: fiscal Periods such as
``period[Q-MAR]`` go to validation, which refuses them), uniqueness of the schema's row key
(for surveys ``enterprise_id, period`` and the detail columns present: one
pass over combined integer codes), the ``a <= b`` pairs, and, for the long
surveys form, enterprise-level columns equal within each enterprise-period
(one gather per column) and no blank detail next to rows that give it. A
legal but suspicious value (a warning of validation) also sends the table
through validation, so the warning is given. No rule is skipped. If any
fails, or the dtypes are not canonical, the full validation runs, exactly
as for a raw table: it raises a :class:`~talentgap.errors.SchemaError`
listing every problem with its line numbers (or warns and returns the
validated copy).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._checks import MAX_COUNT, FailureLog, categories_pass
from talentgap._unit_rows import check_mixed_details
from talentgap._words import lines_text, rows_fail
from talentgap.errors import ParameterError, SchemaError
from talentgap.features._level_codes import unknown_level_error, unknown_levels
from talentgap.periods import NO_PERIOD, normalize_freq, period_dtype_code
from talentgap.schema import DETAIL_COLUMNS, get_schema, row_key, unit_codes, validate

__all__ = ["canonical_table", "surveys_table", "spread_codes"]


def _has_missing(values: pd.Series) -> bool:
    """Whether ``values`` holds a missing value (one reduction for categoricals and periods)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return len(values) > 0 and values.cat.codes.to_numpy().min() < 0
    if isinstance(values.dtype, pd.PeriodDtype):
        return len(values) > 0 and values.array.asi8.min() == NO_PERIOD
    return bool(values.isna().any())


def _is_canonical(df: pd.DataFrame, table: str, freq: str | None) -> bool:
    """Dtypes as :func:`validate` returns them, and every cheap value rule holds.

    Each rule is one reduction over the column (``min``/``max``), not a
    boolean array per rule; text rules read the categories only.
    """
    schema = get_schema(table)
    if len(df) == 0 or not df.columns.is_unique or not _canonical_dtypes(df, schema):
        return False  # a raw table: no value is read before the full validation
    for col in schema.columns:
        if col.name not in df.columns:
            if col.required:
                return False
            continue
        values = df[col.name]
        dtype = values.dtype
        if col.kind == "period":
            code = period_dtype_code(dtype)  # calendar periods only: validation refuses fiscal
            if (code is None or (freq is not None and code != normalize_freq(freq))
                    or _has_missing(values)):
                return False
        elif col.kind in ("id", "key"):
            if (not isinstance(dtype, pd.CategoricalDtype)
                    or (_has_missing(values) and not col.blank_ok)
                    or not categories_pass(dtype.categories, ids=col.kind == "id")):
                return False
        elif col.kind == "count":
            counts = values.to_numpy()
            if dtype != np.int64 or counts.min() < 0 or counts.max() > MAX_COUNT:
                return False
        elif col.kind == "weight":
            w = values.to_numpy()
            # NaN propagates through min/max and fails both comparisons
            if dtype != np.float64 or not (w.min() > 0 and w.max() < np.inf):
                return False
    for a, b in schema.at_most:
        if a in df.columns and b in df.columns and (df[a].to_numpy() > df[b].to_numpy()).any():
            return False
    for a, b, factor in schema.suspicious_above:  # validation warns, naming the lines
        if a in df.columns and b in df.columns and _above(df[a], df[b], factor):
            return False
    if schema.unique and _has_repeated_keys(df, row_key(schema, df.columns)):
        return False  # the full validation names the rows
    if schema.distinct_rows and _has_repeated_keys(
            df, [c.name for c in schema.columns if c.name in df.columns]):
        return False  # a copied row: the full validation names it
    constant = schema.constant and any(c in df.columns for c in schema.detail)
    blank_details = [c for c in schema.detail if c in df.columns
                     and schema.column(c).blank_ok and df[c].array.codes.min() < 0]
    if not (constant or (schema.unique and blank_details)):
        return True
    unit = unit_codes(df[list(schema.unique)])
    if constant and not _unit_columns_constant(df, schema, unit):
        return False
    return not (blank_details and _mixed_details(df, schema, unit))


def _above(a: pd.Series, b: pd.Series, factor: float) -> bool:
    """Whether some row has ``a > factor * b`` (counts: in integers, as validation compares)."""
    x, y = a.to_numpy(), b.to_numpy()
    if x.dtype.kind == y.dtype.kind == "i" and float(factor).is_integer():
        return bool((x > y * int(factor)).any())
    return bool((x > factor * y).any())


def _canonical_dtypes(df: pd.DataFrame, schema) -> bool:
    """Whether every schema column present has the dtype :func:`validate` gives it.

    Read from the dtypes alone, before any value (the rules follow in
    :func:`_is_canonical`).
    """
    for col in schema.columns:
        if col.name not in df.columns:
            continue
        dtype = df[col.name].dtype
        wanted = {"period": pd.PeriodDtype, "id": pd.CategoricalDtype,
                  "key": pd.CategoricalDtype}.get(col.kind)
        if wanted is not None and not isinstance(dtype, wanted):
            return False
        if ((col.kind == "count" and dtype != np.int64)
                or (col.kind == "weight" and dtype != np.float64)
                or (col.kind == "flag" and dtype != np.bool_)):  # numpy bool: never missing
            return False
    return True


def _unit_columns_constant(df: pd.DataFrame, schema, unit: np.ndarray) -> bool:
    """Whether every ``schema.constant`` column is equal within each unit (enterprise-period).

    ``unit``: the code of each row's unit. The first row of each unit, then
    one gather and one comparison per column.
    """
    n_units = int(unit.max()) + 1
    if n_units == len(df):
        return True  # one row per unit
    first = np.empty(n_units, dtype=np.int64)
    first[unit[::-1]] = np.arange(len(df) - 1, -1, -1)  # the last write is the first row
    representative = first[unit]
    for name in schema.constant:
        if name not in df.columns:
            continue
        values = df[name]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.cat.codes
        values = values.to_numpy()
        if (values != values[representative]).any():
            return False
    return True


def _mixed_details(df: pd.DataFrame, schema, unit: np.ndarray) -> bool:
    """Whether a blank detail sits next to rows of its unit that give it (``mixed_detail_rows``).

    Called when some detail is blank; the rule's own check decides.
    """
    details = {c: df[c].array.codes for c in schema.detail
               if c in df.columns and schema.column(c).blank_ok}
    log = FailureLog(len(df))
    check_mixed_details(unit, {c: codes.astype(np.int64) for c, codes in details.items()},
                        np.ones(len(df), dtype=bool), log, np.arange(2, len(df) + 2))
    return bool(log.bad.any())


def _has_repeated_keys(df: pd.DataFrame, columns: list[str]) -> bool:
    """Whether two rows share their values of ``columns`` (canonical dtypes).

    One mixed-radix ``int64`` code per row from the category codes (a missing
    value, such as a blank detail, one more value) and period ordinals, then
    one boolean mark per possible code (a byte each, at most 16 per row), or
    for sparser codes a sort: there is a repeat when fewer codes are marked
    than there are rows.
    """
    code = np.zeros(len(df), dtype=np.int64) if not columns else None
    total = 1
    for name in columns:  # in place: one int64 array, no row-sized temporaries
        values = df[name]
        offset = 0
        if isinstance(values.dtype, pd.PeriodDtype):
            digit = values.array.asi8  # the ordinals, less their first below
            offset = int(digit.min())
            size = int(digit.max()) - offset + 1
        else:
            if isinstance(values.dtype, pd.CategoricalDtype):
                digit, size = values.cat.codes.to_numpy(), len(values.cat.categories)
            else:
                digit, uniques = pd.factorize(values)
                size = len(uniques)
            if digit.min() < 0:  # a blank detail (code -1) is one value of its own: shifted
                offset, size = -1, size + 1  # to 0, else it would carry into the digit before
        total *= max(size, 1)
        if total >= 2**62:  # the code would overflow: let pandas hash the rows
            return bool(df.duplicated(subset=columns).any())
        if code is None:
            code = digit.astype(np.int64)  # a copy: digit may be a view of the column
        else:
            code *= max(size, 1)
            code += digit
        if offset:
            code -= offset
    if total <= max(16 * len(df), 1 << 20):
        seen = np.zeros(total, dtype=bool)
        seen[code] = True
        return int(np.count_nonzero(seen)) < len(df)
    code.sort()
    return bool((code[1:] == code[:-1]).any())


def canonical_table(df: pd.DataFrame, table: str, *, freq: str | None = None) -> pd.DataFrame:
    """Return ``df`` itself if canonical, else its validated copy (raising on any problem)."""
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"expected a pandas DataFrame, got {type(df).__name__}")
    if _is_canonical(df, table, freq):
        return df
    return validate(df, table=table, freq=freq)


def surveys_table(df: pd.DataFrame, *, freq: str | None, keys: list[str],
                  blank_details: bool = False,
                  skill_levels: Sequence[str] | None = None) -> pd.DataFrame:
    """The canonical surveys table, with ``keys`` checked to be usable cell keys.

    ``blank_details``: detail keys (``occupation``, ``skill_level``) may be
    blank (the caller leaves those rows out of every cell keyed by them).
    ``skill_levels``: the declared order of the skill levels, lowest first;
    the column becomes an ordered categorical in that order, and a level
    outside it is a :class:`~talentgap.errors.SchemaError` (rule
    ``unknown_code``) naming its lines.
    """
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise ParameterError(
            f"keys {missing} are not columns of the surveys table; columns are {list(df.columns)}"
        )
    table = canonical_table(df, "surveys", freq=freq)
    if skill_levels is not None:
        table = _ordered_levels(table, skill_levels)
    for key in keys:
        if blank_details and key in DETAIL_COLUMNS:
            continue
        if _has_missing(table[key]):
            rows = np.flatnonzero(table[key].isna().to_numpy())[:5] + 2
            raise SchemaError(
                f"key column {key!r} must not be missing; "
                f"{rows_fail(int(table[key].isna().sum()))}, e.g. {lines_text(rows)}",
                column=key, reason="missing_value",
            )
    return table


def _ordered_levels(table: pd.DataFrame, skill_levels: Sequence[str]) -> pd.DataFrame:
    """``table`` with ``skill_level`` an ordered categorical in the declared order."""
    if isinstance(skill_levels, str):
        raise ParameterError("skill_levels must be a sequence of levels, lowest first, "
                             f"not the single string {skill_levels!r}")
    levels = list(dict.fromkeys(skill_levels))
    if len(levels) != len(list(skill_levels)):
        raise ParameterError(f"skill_levels repeat a level: {list(skill_levels)}")
    if "skill_level" not in table.columns:
        raise ParameterError("skill_levels were declared but the surveys table has no "
                             "'skill_level' column")
    column = table["skill_level"].array
    used = column.categories[np.bincount(column.codes[column.codes >= 0],
                                         minlength=len(column.categories)) > 0]
    if not used.isin(levels).all():  # the one wording of the error, with the input's lines
        rows = unknown_levels(table["skill_level"], levels)
        raise unknown_level_error("surveys", table, "skill_level", levels, rows)
    ordered = column.set_categories(levels, ordered=True)
    return table.assign(skill_level=ordered)


def spread_codes(codes: np.ndarray, rows: np.ndarray | None, n_rows: int,
                 outside: int) -> np.ndarray:
    """Codes of a subset of rows (``rows``) spread over all ``n_rows``; others get ``outside``."""
    if rows is None:
        return codes
    out = np.full(n_rows, outside, dtype=np.int64)
    out[rows] = codes
    return out
