"""Checks and period arithmetic shared by the workforce projections and policy targets.

Every function takes the table's name (``what``) so that messages say which
table, column and rows break which rule.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._frequencies import PER_YEAR
from talentgap._words import rows_fail
from talentgap.errors import ParameterError, PlanningError, SchemaError
from talentgap.periods import end_ordinals, normalize_freq, parse_periods, period_array
from talentgap.planning._params import cell_names

__all__ = ["require", "period_column_ordinals", "freq_code",
           "period_array", "counts", "require_unique", "row_names", "lookup", "sub_periods"]

_MAX_SHOWN = 5


def require(table, what: str, needed: Sequence[str], keys: Sequence[str] = ()) -> pd.DataFrame:
    """The table itself, after checking its type, its columns, rows and key values."""
    if not isinstance(table, pd.DataFrame):
        raise PlanningError(f"{what} must be a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise SchemaError(f"the {what} table has no column {missing[0]!r}; columns are "
                          f"{list(table.columns)}", column=missing[0], reason="missing_column")
    if len(table) == 0:
        raise SchemaError(f"the {what} table has no rows", column=None, reason="empty")
    for key in keys:
        blank = np.flatnonzero(table[key].isna().to_numpy())
        if blank.size:
            raise SchemaError(
                f"key column {key!r} of the {what} table must not be missing; "
                f"{rows_fail(blank.size)}, e.g. rows {blank[:_MAX_SHOWN].tolist()}",
                column=key, reason="missing_value")
    return table


def freq_code(dtype: pd.PeriodDtype) -> str:
    """``"Y"``, ``"Q"`` or ``"M"`` for a period dtype."""
    return normalize_freq(pd.arrays.PeriodArray(np.zeros(0, np.int64), dtype=dtype).freqstr)


def period_column_ordinals(column: pd.Series, what: str, freq: str | None = None
                    ) -> tuple[np.ndarray, str]:
    """Ordinals and frequency code of a planning table's period column.

    A thin reader over :mod:`talentgap.periods`: labels are parsed by
    :func:`~talentgap.periods.parse_periods` and Periods are kept; with
    ``freq``, both are then moved to the end of their span at ``freq``
    (:func:`~talentgap.periods.end_ordinals`), so ``"2025Q1"`` and
    ``pd.Period("2025Q1")`` read alike (the year 2025 at ``"Y"``). It adds
    what :func:`~talentgap.periods.period_ordinals` (a forecasting table's
    time column, in the pandas frequency string) does not: a wanted
    frequency, the code ``"Y"``, ``"Q"`` or ``"M"``, and the planning
    table's name when a Period is missing.

    Examples
    --------
    >>> ordinals, code = period_column_ordinals(pd.Series(["2026", "2027"]), "needs")
    >>> code, ordinals.tolist()            # years since 1970
    ('Y', [56, 57])
    >>> years = pd.Series(pd.period_range("2026", periods=2, freq="Y"))
    >>> ordinals, code = period_column_ordinals(years, "needs", "Q")
    >>> code, str(pd.Period(ordinal=int(ordinals[0]), freq=code))
    ('Q', '2026Q4')
    >>> ordinals, code = period_column_ordinals(pd.Series(["2025Q1", "2025Q3"]), "pipeline", "Y")
    >>> code, ordinals.tolist()
    ('Y', [55, 55])
    """
    if isinstance(column.dtype, pd.PeriodDtype):
        if column.isna().any():
            raise SchemaError(f"column 'period' of the {what} table has missing values",
                              column="period", reason="missing_value")
        array = column.array
    else:
        array = parse_periods(column).array
    code, wanted = freq_code(array.dtype), freq and normalize_freq(freq)
    if not wanted or wanted == code:
        return array.asi8.copy(), code
    return end_ordinals(array.asi8, array.freqstr, wanted), wanted


def sub_periods(source: str, freq: str, what: str) -> int:
    """How many ``source`` periods make one ``freq`` period (``freq`` no finer than ``source``).

    Examples
    --------
    >>> sub_periods("Q", "Y", "stock"), sub_periods("M", "M", "stock")
    (4, 1)
    """
    source, freq = normalize_freq(source), normalize_freq(freq)
    if PER_YEAR[freq] > PER_YEAR[source] or PER_YEAR[source] % PER_YEAR[freq]:
        raise ParameterError(f"freq={freq!r}: the {what} table is {source!r} and can only be "
                             "read at a coarser frequency (e.g. 'Q' -> 'Y')")
    return PER_YEAR[source] // PER_YEAR[freq]


def counts(table: pd.DataFrame, column: str, what: str, keys: Sequence[str]) -> np.ndarray:
    """A column of persons as floats; missing, negative or infinite values are an error."""
    values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=np.float64,
                                                                    na_value=np.nan)
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
    if bad.size:
        names = row_names(table, keys, bad[:_MAX_SHOWN])
        shown = "; ".join(f"{n}: {table[column].iloc[i]!r}"
                          for n, i in zip(names, bad[:_MAX_SHOWN], strict=True))
        raise SchemaError(f"column {column!r} of the {what} table must be a finite number >= 0;"
                          f" {rows_fail(bad.size)}, e.g. {shown}", column=column,
                          reason="negative")
    return values


def row_names(table: pd.DataFrame, keys: Sequence[str], rows) -> list[str]:
    """``"row 4 (textiles in Northvale, 2026)"`` for the given row positions."""
    rows = np.asarray(rows, dtype=np.int64)
    names = cell_names(table, list(keys), rows) if keys else [""] * rows.size
    if "period" in table.columns:
        periods = table["period"].iloc[rows].astype(str).tolist()
        names = [f"{n}, {p}" if n else p for n, p in zip(names, periods, strict=True)]
    return [f"row {i} ({n})" if n else f"row {i}" for i, n in zip(rows, names, strict=True)]


def require_unique(table: pd.DataFrame, on: Sequence[str], what: str,
                 codes: pd.DataFrame | None = None) -> None:
    """Raise :class:`SchemaError` when two rows share the values of ``on``.

    A planning table's inputs must have one row per cell (and period): the
    error names the table and a few of the repeated rows. (Survey and
    training tables are checked by :mod:`talentgap.schema` instead, which
    collects duplicate rows as row failures rather than raising.)

    Examples
    --------
    >>> table = pd.DataFrame({"region": ["North", "North"], "need": [3, 4]})
    >>> require_unique(table, ["region"], "region_map")
    Traceback (most recent call last):
    ...
    talentgap.errors.SchemaError: the region_map table must have one row per (region); 2 rows \
share one, e.g. row 0 (North); row 1 (North)
    """
    frame = codes if codes is not None else table[list(on)]
    repeated = np.flatnonzero(frame.duplicated(keep=False).to_numpy())
    if repeated.size:
        names = row_names(table, [c for c in on if c != "period"], repeated[:_MAX_SHOWN])
        raise SchemaError(f"the {what} table must have one row per ({', '.join(on)}); "
                          f"{repeated.size} rows share one, e.g. {'; '.join(names)}",
                          column=", ".join(on), reason="duplicate_key")


def lookup(source: pd.DataFrame, target: pd.DataFrame, on: Sequence[str]) -> np.ndarray:
    """Position in ``source`` of each row of ``target`` with equal ``on`` values (-1: none)."""
    if len(on) == 1:
        index = pd.Index(source[on[0]].to_numpy(dtype=object))
        return index.get_indexer(target[on[0]].to_numpy(dtype=object))
    index = pd.MultiIndex.from_arrays([source[c].to_numpy(dtype=object) for c in on])
    return index.get_indexer(pd.MultiIndex.from_arrays(
        [target[c].to_numpy(dtype=object) for c in on]))
