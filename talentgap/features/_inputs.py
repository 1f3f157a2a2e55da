"""Bringing input tables to canonical form before feature computations.

A table that already has canonical dtypes (the output of
:func:`talentgap.schema.validate`) has every rule checked in its cheap
form: one reduction per rule over a numeric column (``min``/``max``),
categorical keys on their categories (present, not blank, all text so no
two read the same), and uniqueness of the schema's row key (for surveys
``enterprise_id, period``: one pass over combined integer codes). No rule
is skipped. If any fails, or the dtypes are not canonical, the full
validation runs and raises a :class:`~talentgap.errors.SchemaError`
listing every problem with its line numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._checks import MAX_COUNT, any_blank_text
from talentgap.errors import ParameterError, SchemaError
from talentgap.periods import normalize_freq
from talentgap.schema import get_schema, validate

__all__ = ["canonical_table", "surveys_table"]

_NAT = np.iinfo(np.int64).min  # the ordinal of a missing Period (NaT)


def _has_missing(values: pd.Series) -> bool:
    """Whether ``values`` holds a missing value (one reduction for categoricals and periods)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return len(values) > 0 and values.cat.codes.to_numpy().min() < 0
    if isinstance(values.dtype, pd.PeriodDtype):
        return len(values) > 0 and values.array.asi8.min() == _NAT
    return bool(values.isna().any())


def _is_canonical(df: pd.DataFrame, table: str, freq: str | None) -> bool:
    """Dtypes as :func:`validate` returns them, and every cheap value rule holds.

    Each rule is one reduction over the column (``min``/``max``), not a
    boolean array per rule.
    """
    schema = get_schema(table)
    if len(df) == 0:
        return False
    for col in schema.columns:
        if col.name not in df.columns:
            if col.required:
                return False
            continue
        values = df[col.name]
        dtype = values.dtype
        if col.kind == "period":
            if not isinstance(dtype, pd.PeriodDtype) or _has_missing(values):
                return False
            if freq is not None and values.array.freqstr[0] != normalize_freq(freq)[0]:
                return False
        elif col.kind in ("id", "key"):
            if (not isinstance(dtype, pd.CategoricalDtype) or _has_missing(values)
                    or not _clean_categories(dtype.categories)):
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
        elif col.kind == "flag" and not pd.api.types.is_bool_dtype(dtype):
            return False
    for a, b in schema.at_most:
        if a in df.columns and b in df.columns and (df[a].to_numpy() > df[b].to_numpy()).any():
            return False
    if schema.unique and _has_repeated_keys(df, list(schema.unique)):
        return False  # the full validation names the rows
    return True


def _clean_categories(categories: pd.Index) -> bool:
    """Categories that pass the key rules: all text (so none collide), none blank.

    Checked on the categories, never on the rows.
    """
    if pd.api.types.infer_dtype(categories, skipna=False) != "string":
        return False  # numbers or mixed types: the full validation decides
    return not any_blank_text(categories)


def _has_repeated_keys(df: pd.DataFrame, columns: list[str]) -> bool:
    """Whether two rows share their values of ``columns`` (canonical, complete dtypes).

    One mixed-radix ``int64`` code per row from the category codes and period
    ordinals, then one boolean mark per possible code (a byte each, at most
    16 per row), or for sparser codes a sort: there is a repeat when fewer
    codes are marked than there are rows.
    """
    code = np.zeros(len(df), dtype=np.int64)
    total = 1
    for name in columns:
        values = df[name]
        if isinstance(values.dtype, pd.CategoricalDtype):
            digit, size = values.cat.codes.to_numpy(), len(values.cat.categories)
        elif isinstance(values.dtype, pd.PeriodDtype):
            ordinals = values.array.asi8
            first = int(ordinals.min())
            digit, size = ordinals - first, int(ordinals.max()) - first + 1
        else:
            digit, uniques = pd.factorize(values)
            size = len(uniques)
        total *= max(size, 1)
        if total >= 2**62:  # the code would overflow: let pandas hash the rows
            return bool(df.duplicated(subset=columns).any())
        code *= max(size, 1)
        code += digit
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


def surveys_table(df: pd.DataFrame, *, freq: str | None, keys: list[str]) -> pd.DataFrame:
    """The canonical surveys table, with ``keys`` checked to be usable cell keys."""
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise ParameterError(
            f"keys {missing} are not columns of the surveys table; columns are {list(df.columns)}"
        )
    if "period" in keys:
        raise ParameterError("keys must not include 'period': estimates are always per period")
    table = canonical_table(df, "surveys", freq=freq)
    for key in keys:
        if _has_missing(table[key]):
            rows = np.flatnonzero(table[key].isna().to_numpy())[:5] + 2
            raise SchemaError(
                f"key column {key!r} must not be missing; {int(table[key].isna().sum())} rows "
                f"fail, e.g. lines {', '.join(map(str, rows))}",
                column=key, reason="missing_value",
            )
    return table
