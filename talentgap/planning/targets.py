"""Policy-target gaps: workers to train so that skill shares reach a target.

National and city plans set shares rather than counts: "skilled workers 30%
of employment, high-skilled workers 35% of skilled workers". For a target
skilled share ``s`` at period ``t`` (methods page, docs/methods.md,
"Policy-target gap")::

    need_t    = max(s * employment_t - skilled_t, 0)
    need_hs_t = max(h * (skilled_t + need_t) - high_skilled_t, 0)

``need_t`` is the number of additional skilled workers needed, and
``need_hs_t`` the additional high-skilled workers for a high-skilled share
``h`` of the skilled workers there will be once the skilled target is met.
The result is a gap table that :func:`~talentgap.planning.allocate_quotas`
accepts (pass ``keys=by``).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from talentgap._words import rows_fail
from talentgap.errors import PlanningError, SchemaError
from talentgap.periods import parse_periods
from talentgap.planning._params import cell_names, fmt
from talentgap.planning._tables import freq_code, require

__all__ = ["target_gap"]

_MAX_SHOWN = 5


def _share(value, name: str) -> float:
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not (0.0 < float(value) <= 1.0)):
        raise PlanningError(f"{name} must be a share in (0, 1], e.g. 0.3; got {value!r}")
    return float(value)


def _columns(table, what: str, needed: list[str]) -> pd.DataFrame:
    """The table after the shared checks: rows, the ``needed`` columns, no blank keys."""
    return require(table, what, needed, keys=needed[:-1])


def _counts(table: pd.DataFrame, column: str, what: str) -> np.ndarray:
    values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=np.float64,
                                                                    na_value=np.nan)
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
    if bad.size:
        shown = ", ".join(f"row {i}: {table[column].iloc[i]!r}" for i in bad[:_MAX_SHOWN])
        raise SchemaError(
            f"column {column!r} of the {what} table must be a finite number >= 0; "
            f"{rows_fail(bad.size)}, e.g. {shown}", column=column, reason="negative")
    return values


def _ordinals(column: pd.Series, freq: str | None) -> tuple[np.ndarray, pd.PeriodDtype]:
    if isinstance(column.dtype, pd.PeriodDtype) and freq is None:
        if column.isna().any():
            raise SchemaError("column 'period' has missing values", column="period",
                              reason="missing_value")
        return column.array.asi8, column.dtype
    parsed = parse_periods(column, freq=freq)
    return parsed.array.asi8, parsed.dtype


def _aggregate(table: pd.DataFrame, by: list[str], column: str, what: str,
               freq: str | None) -> tuple[pd.DataFrame, pd.PeriodDtype | None]:
    """Sum ``column`` over rows with equal ``by`` (and period, if the table has one)."""
    frame = pd.DataFrame({k: table[k].astype(object).to_numpy() for k in by})
    dtype = None
    if "period" in table.columns:
        frame["_ordinal"], dtype = _ordinals(table["period"], freq)
    frame[column] = _counts(table, column, what)
    groups = [*by, "_ordinal"] if dtype is not None else list(by)
    return frame.groupby(groups, sort=True)[column].sum().reset_index(), dtype


def _align(target: pd.DataFrame, source: pd.DataFrame, by: list[str], column: str,
           what: str, dtype: pd.PeriodDtype) -> np.ndarray:
    """``source[column]`` for every row of ``target`` (by keys, and period if present)."""
    on = [*by, "_ordinal"] if "_ordinal" in source.columns else list(by)
    index = pd.MultiIndex.from_frame(source[on])
    position = index.get_indexer(pd.MultiIndex.from_frame(target[on]))
    absent = np.flatnonzero(position < 0)
    if absent.size:
        rows = target.iloc[absent[:_MAX_SHOWN]]
        names = cell_names(rows, by)
        if "_ordinal" in on:
            names = [f"{n} at {pd.Period(ordinal=int(o), freq=dtype.freq)}"
                     for n, o in zip(names, rows["_ordinal"], strict=True)]
        more = f" and {absent.size - len(names)} more" if absent.size > len(names) else ""
        raise PlanningError(f"the {what} table has no row for {'; '.join(names)}{more}")
    return source[column].to_numpy()[position]


def target_gap(
    employment_forecast: pd.DataFrame,
    skilled: pd.DataFrame,
    *,
    target_share: float = 0.30,
    high_skilled: pd.DataFrame | None = None,
    high_skilled_share: float | None = None,
    by=("region",),
) -> pd.DataFrame:
    """Additional skilled (and high-skilled) workers needed to reach target shares.

    Parameters
    ----------
    employment_forecast : pandas.DataFrame
        ``<by...>, period, employment``: employed persons per group and
        period (e.g. a forecast renamed from ``mean`` to ``employment``).
        Rows with equal ``by`` and period are summed (so a region x industry
        table gives regional totals with ``by=("region",)``).
    skilled : pandas.DataFrame
        ``<by...>, skilled`` and optionally ``period`` and ``high_skilled``:
        skilled workers per group. With a ``period`` column each period is
        matched; without one, today's stock is held fixed, so the result is
        what training must add by each period. Summed like employment.
    target_share : float, default 0.30
        Target skilled share of employment, in (0, 1].
    high_skilled : pandas.DataFrame, optional
        ``<by...>[, period], high_skilled``; by default the ``high_skilled``
        column of ``skilled``, if any. Needed with ``high_skilled_share``.
    high_skilled_share : float, optional
        Target high-skilled share of skilled workers, in (0, 1], e.g. 0.35.
    by : sequence of str, default ("region",)
        Group columns; the result's cell keys.

    Returns
    -------
    pandas.DataFrame
        One row per group x period, sorted: ``<by...>, period, employment,
        skilled, target_skilled`` (``target_share * employment``), ``gap``
        (additional skilled workers needed, >= 0) and, with
        ``high_skilled_share``, ``high_skilled, target_high_skilled,
        gap_high_skilled``. Pass it to ``allocate_quotas(..., keys=by)``;
        to plan high-skilled training instead, rename ``gap_high_skilled``
        to ``gap``.

    Raises
    ------
    PlanningError
        If a share is outside (0, 1], high-skilled counts are missing when
        a high-skilled share is asked for (or the other way round), or a
        group (and period) of ``employment_forecast`` has no skilled count.
    SchemaError
        If a table lacks a column or holds negative or missing counts.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.planning import target_gap
    >>> employment = pd.DataFrame({"region": ["North", "South"], "period": ["2027", "2027"],
    ...                            "employment": [1000.0, 400.0]})
    >>> skilled = pd.DataFrame({"region": ["North", "South"], "skilled": [250, 150],
    ...                         "high_skilled": [90, 60]})
    >>> need = target_gap(employment, skilled, target_share=0.30, high_skilled_share=0.35)
    >>> need[["region", "period", "target_skilled", "gap", "target_high_skilled",
    ...       "gap_high_skilled"]]
      region period  target_skilled   gap  target_high_skilled  gap_high_skilled
    0  North   2027           300.0  50.0                105.0              15.0
    1  South   2027           120.0   0.0                 52.5               0.0
    """
    share = _share(target_share, "target_share")
    if isinstance(by, str):
        by = [by]
    by = list(by)
    if not by or "period" in by or len(set(by)) != len(by):
        raise PlanningError(f"by must be one or more distinct group columns (not 'period'), "
                            f"got {by!r}")
    employment = _columns(employment_forecast, "employment_forecast",
                          [*by, "period", "employment"])
    rows, dtype = _aggregate(employment, by, "employment", "employment_forecast", None)
    freq = freq_code(dtype)
    skilled_table = _columns(skilled, "skilled", [*by, "skilled"])
    counts, _ = _aggregate(skilled_table, by, "skilled", "skilled", freq)
    current = _align(rows, counts, by, "skilled", "skilled", dtype)

    out = rows[by].copy()
    out["period"] = pd.arrays.PeriodArray(rows["_ordinal"].to_numpy(np.int64), dtype=dtype)
    out["employment"] = rows["employment"].to_numpy(np.float64)
    out["skilled"] = current.astype(np.float64)
    out["target_skilled"] = share * out["employment"].to_numpy()
    need = np.maximum(out["target_skilled"].to_numpy() - out["skilled"].to_numpy(), 0.0)
    out["gap"] = need

    if high_skilled_share is None:
        if high_skilled is not None:
            raise PlanningError("high_skilled counts were given without high_skilled_share; "
                                "pass e.g. high_skilled_share=0.35")
        return out.reset_index(drop=True)
    hs_share = _share(high_skilled_share, "high_skilled_share")
    source = high_skilled if high_skilled is not None else skilled_table
    if "high_skilled" not in getattr(source, "columns", ()):
        raise PlanningError(
            f"high_skilled_share={fmt(hs_share)} needs high-skilled counts: pass high_skilled= "
            "(a table with a 'high_skilled' column) or add that column to skilled"
        )
    hs_table = _columns(source, "high_skilled", [*by, "high_skilled"])
    hs_counts, _ = _aggregate(hs_table, by, "high_skilled", "high_skilled", freq)
    hs_now = _align(rows, hs_counts, by, "high_skilled", "high_skilled", dtype)
    out["high_skilled"] = hs_now.astype(np.float64)
    out["target_high_skilled"] = hs_share * (out["skilled"].to_numpy() + need)
    out["gap_high_skilled"] = np.maximum(
        out["target_high_skilled"].to_numpy() - out["high_skilled"].to_numpy(), 0.0)
    return out.reset_index(drop=True)
