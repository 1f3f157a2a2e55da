"""Reading a gap forecast into a checked :class:`Forecast`: its cells and periods.

A gap forecast is a long table (``<keys...>, period, <value>``, with a
``sample`` column for sample paths) or compact sample paths (see
:func:`is_sample_paths`). Reading it checks the key columns and periods,
finds the cells (sorted by the keys) and leaves out the cells that have no
forecast at all (:mod:`._no_forecast`). Problems the caller can fix raise
:class:`~talentgap.errors.SchemaError` (the forecast table) or
:class:`~talentgap.errors.PlanningError` (the keys) naming the column, the
rule and example rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from talentgap._arguments import key_list
from talentgap._words import rows_fail
from talentgap.errors import DataQualityWarning, ParameterError, PlanningError, SchemaError, warn
from talentgap.periods import check_calendar_labels, parse_periods
from talentgap.planning._no_forecast import without_forecast

__all__ = ["Forecast", "is_sample_paths", "read_forecast"]


def _check_keys(table: pd.DataFrame, keys, value: str) -> list[str]:
    """The gap forecast's key columns: a list of distinct names (:func:`key_list`), none of
    them a column the plan reads otherwise (``period``, ``sample``, the value column), each
    in ``table`` and never blank."""
    try:
        keys = key_list(keys, allow_empty=False, distinct=True, time="period",
                        reserved={"sample": "the sample-path column",
                                  value: "the value column"})
    except ParameterError as error:  # a plan's inputs fail with PlanningError
        raise PlanningError(str(error)) from error
    missing = [k for k in keys if k not in table.columns]
    if missing:
        raise SchemaError(
            f"the gap forecast has no key column {missing[0]!r}; columns are "
            f"{list(table.columns)} (pass keys= to name the cell columns)",
            column=missing[0], reason="missing_column",
        )
    for key in keys:
        blank = table[key].isna().to_numpy()
        if blank.any():
            raise SchemaError(
                f"key column {key!r} of the gap forecast must not be missing; "
                f"{rows_fail(int(blank.sum()))}, "
                f"e.g. row {int(np.flatnonzero(blank)[0])}",
                column=key, reason="missing_value",
            )
    return keys


def _periods(table: pd.DataFrame) -> pd.arrays.PeriodArray:
    if "period" not in table.columns:
        raise SchemaError(
            f"the gap forecast needs a 'period' column; columns are {list(table.columns)}",
            column="period", reason="missing_column",
        )
    column = table["period"]
    if isinstance(column.dtype, pd.PeriodDtype):
        # fiscal Periods (period[Q-MAR]): refused as everywhere, naming the conversion
        check_calendar_labels(table[["period"]], what="needs", action="planning by them")
        if column.isna().any():
            raise SchemaError("column 'period' of the gap forecast has missing values",
                              column="period", reason="missing_value")
        return column.array
    return parse_periods(column).array


@dataclass(frozen=True)
class Forecast:
    """A checked gap forecast: the table, its cells and every row's cell and period.

    From sample paths held as arrays (see :func:`is_sample_paths`) ``table`` is
    None, ``paths`` the object and the "rows" are its cell-periods in its own
    order (row ``r`` is ``paths.cells`` row ``r // n_periods``, period
    ``r % n_periods``), with ``codes`` their cells in key order. ``notes``:
    the cells left out for want of any forecast value (:mod:`._no_forecast`).
    """

    table: pd.DataFrame | None
    keys: list[str]
    value: str
    periods: pd.arrays.PeriodArray
    codes: np.ndarray
    cells: pd.DataFrame
    paths: object | None = None
    notes: tuple[str, ...] = ()


def is_sample_paths(obj) -> bool:
    """Whether ``obj`` is compact sample paths (``talentgap.models.SamplePaths`` or alike).

    Planning reads them by their shape, not their class (models and planning
    do not import each other): ``cells`` (key columns), ``periods``, float
    ``demand`` and ``supply`` arrays (cells x periods x samples), ``values(name,
    cells, steps)`` and ``to_frame()``.
    """
    return (not isinstance(obj, pd.DataFrame)
            and all(hasattr(obj, a) for a in ("cells", "periods", "demand", "supply",
                                                "values", "to_frame")))


def _read_paths(paths, keys, value: str) -> Forecast | None:
    """The Forecast of compact sample paths, or None when only the long table can say why not."""
    keys = _check_keys(paths.cells, keys, value)
    if sorted(keys) != sorted(paths.cells.columns) or value not in ("demand", "supply", "gap"):
        return None
    n, horizon = len(paths.cells), len(paths.periods)
    if n == 0 or horizon == 0 or paths.demand.shape[2] == 0:
        raise SchemaError("the gap forecast has no rows", column=value, reason="empty")
    order = (paths.cells.reset_index(drop=True).sort_values(keys, kind="stable")
             .index.to_numpy().astype(np.int64))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    cells = paths.cells[keys].iloc[order].reset_index(drop=True)
    periods = pd.PeriodIndex(paths.periods)
    grid_periods = pd.arrays.PeriodArray(np.tile(periods.asi8, n), dtype=periods.dtype)
    return Forecast(None, keys, value, grid_periods, np.repeat(rank, horizon), cells,
                    paths=paths)


def read_forecast(gap_forecast, keys, value: str) -> Forecast:
    """Check the forecast table's columns and find its cells (sorted by the keys).

    Compact sample paths (:func:`is_sample_paths`) are read without building
    their long table; with keys other than the paths' own they are turned into
    the table, whose checks then say what is wrong. Cells whose value is
    missing at every period and path (no demand data) are left out, with a
    warning and a note in ``notes`` naming them (:mod:`._no_forecast`).
    """
    fc = _read_forecast(gap_forecast, keys, value)
    found = without_forecast(fc)
    if found is None:
        return fc
    kept, note = found
    warn(note, DataQualityWarning, stacklevel=3)
    return replace(_read_forecast(kept, keys, value), notes=(note,))


def _read_forecast(gap_forecast, keys, value: str) -> Forecast:
    if is_sample_paths(gap_forecast):
        own = list(gap_forecast.keys)
        left_out = [k for k in own if k not in list(keys)]
        if left_out and not isinstance(keys, str):
            raise PlanningError(
                f"keys {list(keys)} leave out the sample paths' key column(s) {left_out}: "
                f"the paths' cells are keyed by {own}; pass keys={tuple(own)!r}")
        fc = _read_paths(gap_forecast, keys, value)
        if fc is not None:
            return fc
        gap_forecast = gap_forecast.to_frame()
    if not isinstance(gap_forecast, pd.DataFrame):
        raise PlanningError(
            f"gap_forecast must be a pandas DataFrame or sample paths, got "
            f"{type(gap_forecast).__name__}")
    table = gap_forecast
    keys = _check_keys(table, keys, value)
    if value not in table.columns:
        raise SchemaError(
            f"the gap forecast has no {value!r} column; columns are {list(table.columns)}",
            column=value, reason="missing_column",
        )
    if len(table) == 0:
        raise SchemaError("the gap forecast has no rows", column=value, reason="empty")
    periods = _periods(table)
    codes = table.groupby(keys, sort=True, observed=True, dropna=False).ngroup().to_numpy()
    _, first = np.unique(codes, return_index=True)
    cells = table[keys].iloc[first].reset_index(drop=True)
    return Forecast(table, keys, value, periods, codes, cells)
