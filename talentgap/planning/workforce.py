"""Workforce projections: employment forecasts and the skilled stock without new training.

A multi-year plan needs to know, for every cell (``region`` x ``industry``)
and year ahead, how many people will be employed and how many skilled
workers there will be if nothing new is funded. Two tools answer that:

* :func:`project_employment` forecasts the ``employment`` column (and the
  ``skilled`` / ``high_skilled`` columns where present) of the employment
  table with the library's forecasting engine, with prediction intervals;
* :func:`project_skilled_stock` rolls the last observed skilled stock forward
  with the stock-and-flow identity::

      K[c, t] = (1 - e_c) * K[c, t-1] + pipeline[c, t]
      replacement_demand[c, t] = e_c * K[c, t-1]

  where ``e_c`` is the exit rate (retirement, mortality, leaving the trade)
  and ``pipeline`` the certified workers already in training who join the
  stock in period ``t``.

The pipeline by skill level (certified supply split into the inflows of the
skilled and the high-skilled stock) comes from
:func:`talentgap.planning.pipeline_by_level`
(:mod:`talentgap.planning.pipeline_levels`).
:func:`estimate_exit_rate` estimates ``e_c`` where both the stock and the
inflows are observed. The methods page ("Workforce projections and policy
targets") states the accounting and its assumptions.

This module holds :func:`estimate_exit_rate`; the two projections are
computed in :mod:`talentgap.planning._employment_projection` and
:mod:`talentgap.planning._skilled_stock`, and all three are imported from
here or from :mod:`talentgap.planning`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._arguments import key_list
from talentgap._frequencies import NAMES, PER_YEAR
from talentgap.errors import DataQualityWarning, PlanningError, warn
from talentgap.planning._employment_projection import project_employment
from talentgap.planning._params import cell_names, examples, fmt, plural
from talentgap.planning._skilled_stock import DEFAULT_EXIT_RATE, project_skilled_stock
from talentgap.planning._tables import counts, lookup, period_column_ordinals, require
from talentgap.planning._workforce_tables import _MAX_SHOWN, _prepare
from talentgap.planning.pipeline_levels import pipeline_by_level  # still importable here

__all__ = ["DEFAULT_EXIT_RATE", "EXIT_CLIP_TOLERANCE", "project_employment",
           "project_skilled_stock", "pipeline_by_level", "estimate_exit_rate"]

#: An estimated exit rate outside [0, 1] by less than this (per year: half a percentage
#: point, 0% or 100% at whole percents) is clipped without a warning; the per-period
#: tolerance is the same rate per period (0.00125 a quarter).
EXIT_CLIP_TOLERANCE = 0.005
_SHOWN_CLIPPED = 3
_MIN_YEARS = 3


def estimate_exit_rate(
    stock: pd.DataFrame,
    inflows: pd.DataFrame,
    *,
    keys: Sequence[str] = ("region", "industry"),
    column: str = "skilled",
    inflow: str = "supply",
) -> pd.DataFrame:
    """Exit rates per year estimated from an observed stock and its observed inflows.

    For every pair of consecutive observed periods of a cell, the share of
    the earlier stock that left::

        x[c, t] = (K[c, t-1] + inflow[c, t] - K[c, t]) / K[c, t-1]

    The cell's rate per period is the mean of ``x`` over its periods,
    clipped to [0, 1]; it is then expressed per year, ``1 - (1 - x) ** k``
    with ``k`` periods a year, ready for :func:`project_skilled_stock`. The
    estimate assumes every entry into the stock is among the inflows: people
    who become skilled without certified training, or move in from other
    cells, lower it (a negative mean is clipped to 0 and reported). A mean
    outside [0, 1] by less than :data:`EXIT_CLIP_TOLERANCE` a year (0.005,
    half a percentage point: 0% or 100% at whole percents) is noise and is
    clipped without a warning; the warning about the others gives their
    count and the furthest few, the furthest first.

    Parameters
    ----------
    stock : pandas.DataFrame
        ``<keys...>, period, <column>`` (persons). Rows with equal keys and
        period are summed, so ``keys=("industry",)`` estimates one rate per
        industry from a region x industry table.
    inflows : pandas.DataFrame
        ``<keys...>, period, <inflow>``: persons joining the stock in that
        period (e.g. certified and absorbed workers); summed the same way.
        A cell-period without a row had no inflow. Periods finer than the
        stock's (Periods or labels such as ``"2025Q1"``) are summed into the
        stock's periods; coarser ones are refused.
    keys : sequence of str, default ("region", "industry")
        Columns of the cells to estimate a rate for.
    column : str, default "skilled"
        Stock column.
    inflow : str, default "supply"
        Inflow column.

    Returns
    -------
    pandas.DataFrame
        ``<keys...>, exit_rate`` (per year, in [0, 1]) and ``n_periods``,
        the number of period-to-period changes each estimate rests on.

    Raises
    ------
    PlanningError
        If a cell has no two consecutive periods with a positive stock, or
        the inflows are at a coarser frequency than the stock.

    Warns
    -----
    DataQualityWarning
        When an estimate rests on fewer than 3 years of changes, or a cell's
        mean had to be clipped into [0, 1] by more than the tolerance.

    Examples
    --------
    >>> import pandas as pd
    >>> years = ["2021", "2022", "2023", "2024"]
    >>> stock = pd.DataFrame({"industry": "textiles", "period": years,
    ...                       "skilled": [1000, 900, 900, 900]})
    >>> inflows = pd.DataFrame({"industry": "textiles", "period": years[1:],
    ...                         "supply": [0, 90, 90]})
    >>> estimate_exit_rate(stock, inflows, keys=["industry"])
        industry  exit_rate  n_periods
    0  textiles       0.1          3
    """
    keys = key_list(keys, allow_empty=False, distinct=True, time="period",
                    reserved={column: "the stock column", inflow: "the inflow column"})
    frame, ordinals, code = _prepare(stock, "stock", keys, [column], unique=False)
    frame["_ordinal"] = ordinals
    frame = frame.groupby([*keys, "_ordinal"], sort=True, observed=True)[column].sum()
    frame = frame.reset_index()
    table = require(inflows, "inflows", [*keys, "period", inflow], keys)
    entering = pd.DataFrame({c: table[c].reset_index(drop=True) for c in keys})
    entering[inflow] = counts(table, inflow, "inflows", keys)
    _, own = period_column_ordinals(table["period"], "inflows")
    if PER_YEAR[own] < PER_YEAR[code]:
        raise PlanningError(
            f"the inflows table is {NAMES[own]} and the stock table {NAMES[code]}: a period's "
            f"inflow cannot be placed within it (e.g. {table['period'].iloc[0]!r}); rule: "
            "inflows at the stock's frequency or finer (finer ones are summed)")
    entering["_ordinal"], _ = period_column_ordinals(table["period"], "inflows", code)
    entering = entering.groupby([*keys, "_ordinal"], sort=True, observed=True)[inflow].sum()
    entering = entering.reset_index()

    codes = frame.groupby(keys, sort=True, observed=True).ngroup().to_numpy()
    n_cells = int(codes.max()) + 1
    k = frame[column].to_numpy()
    t = frame["_ordinal"].to_numpy()
    pair = np.zeros(len(frame), dtype=bool)
    pair[1:] = (codes[1:] == codes[:-1]) & (t[1:] == t[:-1] + 1) & (k[:-1] > 0)
    position = lookup(entering, frame, [*keys, "_ordinal"])
    added = np.where(position >= 0, entering[inflow].to_numpy()[np.maximum(position, 0)], 0.0)
    previous = np.empty_like(k)
    previous[1:] = k[:-1]
    previous[0] = np.nan
    rows = np.flatnonzero(pair)
    share = (previous[rows] + added[rows] - k[rows]) / previous[rows]
    n = np.bincount(codes[rows], minlength=n_cells)
    total = np.bincount(codes[rows], weights=share, minlength=n_cells)
    cells = frame[keys].drop_duplicates().reset_index(drop=True)
    none = np.flatnonzero(n == 0)
    if none.size:
        raise PlanningError(
            f"estimate_exit_rate needs two consecutive periods with a stock > 0 per cell; "
            f"{plural(none.size, 'cell')} of the stock table have none, e.g. "
            f"{'; '.join(cell_names(cells, keys, none[:_MAX_SHOWN]))}")
    mean = total / n
    per_year = PER_YEAR[code]
    _warn_clipped(mean, per_year, column, cells, keys)
    short = np.flatnonzero(n < _MIN_YEARS * per_year)
    if short.size:
        shown = short[:_MAX_SHOWN]
        warn(
            f"exit rates of the {column} stock in {plural(short.size, 'cell')} rest on fewer "
            f"than {_MIN_YEARS} years of stock changes and are uncertain: "
            + examples(cell_names(cells, keys, shown), [plural(int(n[i]), "change")
                                                          for i in shown], short.size),
            DataQualityWarning, stacklevel=2)
    out = cells.copy()
    out["exit_rate"] = 1.0 - (1.0 - np.clip(mean, 0.0, 1.0)) ** per_year
    out["n_periods"] = n
    return out


def _warn_clipped(mean: np.ndarray, per_year: int, column: str, cells: pd.DataFrame,
                  keys: list[str]) -> None:
    """Warn about the cells whose mean exit share per period is outside [0, 1] beyond noise.

    The tolerance is :data:`EXIT_CLIP_TOLERANCE` a year, as a rate per period;
    the warning gives the count and the furthest :data:`_SHOWN_CLIPPED` cells.
    """
    tolerance = 1.0 - (1.0 - EXIT_CLIP_TOLERANCE) ** (1.0 / per_year)
    beyond = np.maximum(-mean, mean - 1.0)  # how far outside [0, 1]; <= 0 inside
    clipped = np.flatnonzero(beyond > tolerance)
    if not clipped.size:
        return
    order = clipped[np.argsort(-beyond[clipped], kind="stable")]
    shown = order[:_SHOWN_CLIPPED]
    warn(
        f"the mean exit share per period of the {column} stock is outside [0, 1] in "
        f"{plural(clipped.size, 'cell')} and is clipped (stock changes the inflows do "
        "not explain): "
        + examples(cell_names(cells, keys, shown), [fmt(mean[i]) for i in shown],
                   clipped.size)
        + f" (the furthest first; shares within {fmt(tolerance)} of [0, 1] per period, "
        f"{EXIT_CLIP_TOLERANCE:g} a year, are clipped without a warning)",
        DataQualityWarning, stacklevel=3)
