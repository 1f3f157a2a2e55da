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
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone

from talentgap._arguments import check_horizon, key_list, parse_interval_column
from talentgap._frequencies import NAMES, PER_YEAR
from talentgap.errors import DataQualityWarning, PlanningError, warn
from talentgap.features.skill_levels import skilled_employment
from talentgap.models import AutoForecaster
from talentgap.periods import end_ordinals, normalize_freq
from talentgap.planning._params import cell_names, examples, fmt, parameter, plural
from talentgap.planning._tables import (
    counts,
    lookup,
    period_array,
    period_column_ordinals,
    require,
    require_unique,
    sub_periods,
)
from talentgap.planning.pipeline_levels import pipeline_by_level  # still importable here

__all__ = ["DEFAULT_EXIT_RATE", "EXIT_CLIP_TOLERANCE", "project_employment",
           "project_skilled_stock", "pipeline_by_level", "estimate_exit_rate"]

#: Default share of a cell's skilled workers who leave it in a year (per year).
DEFAULT_EXIT_RATE = 0.03

#: An estimated exit rate outside [0, 1] by less than this (per year: half a percentage
#: point, 0% or 100% at whole percents) is clipped without a warning; the per-period
#: tolerance is the same rate per period (0.00125 a quarter).
EXIT_CLIP_TOLERANCE = 0.005
_SHOWN_CLIPPED = 3

_STOCKS = ("employment", "skilled", "high_skilled")
_LEVELS = ("skilled", "high_skilled")
_MAX_SHOWN = 5
_MIN_YEARS = 3


def _prepare(table, what: str, keys: list[str], columns: list[str], *,
             unique: bool = True) -> tuple[pd.DataFrame, np.ndarray, str]:
    """``keys`` and ``columns`` (floats) with the period ordinals and frequency code."""
    table = require(table, what, [*keys, "period", *columns], keys)
    ordinals, code = period_column_ordinals(table["period"], what)
    frame = pd.DataFrame({k: table[k].reset_index(drop=True) for k in keys})
    for column in columns:
        frame[column] = counts(table, column, what, keys)
    if unique:
        codes = frame[keys].copy()
        codes["_ordinal"] = ordinals
        require_unique(table, [*keys, "period"], what, codes=codes)
    return frame, ordinals, code


def project_employment(
    employment: pd.DataFrame,
    *,
    keys: Sequence[str] = ("region", "industry"),
    horizon: int,
    freq: str | None = None,
    level: Sequence[float] | None = (80,),
    forecaster=None,
    n_jobs: int | None = 1,
    skill_levels=None,
) -> pd.DataFrame:
    """Forecast employment (and skilled / high-skilled counts) per cell.

    Each count column is forecast separately, per cell, by a copy of the same
    forecaster. The columns are not forced to agree with each other (a
    skilled forecast may in rare cases exceed the employment forecast);
    the stock-and-flow projection of :func:`project_skilled_stock` is the
    one policy targets use.

    Parameters
    ----------
    employment : pandas.DataFrame
        The employment table: ``<keys...>, period, employment`` and optionally
        ``skilled`` and ``high_skilled`` (persons), one row per cell and period;
        or, with ``skill_levels``, one row per cell, period and ``skill_level``.
    keys : sequence of str, default ("region", "industry")
        Columns identifying a cell.
    horizon : int
        Periods ahead to forecast, in the output frequency (e.g. 6 for six
        years with ``freq="Y"``).
    freq : {"Y", "Q", "M"}, optional
        Output frequency. By default the table's own; with a coarser one the
        counts are forecast at the table's frequency and each output period
        gets its last sub-period (employment at the end of the year, as the
        skilled stock of :func:`project_skilled_stock`): the output periods
        are the ``horizon`` ones after the period holding the table's last
        observation (2025-2030 from data ending in 2024Q2 or 2024Q4).
    level : sequence of float, default (80,)
        Prediction-interval levels in percent; ``None`` or ``()`` for none.
    forecaster : talentgap forecaster, optional
        An unfitted forecaster, copied for each column; default
        ``AutoForecaster(nonnegative=True, n_jobs=n_jobs)`` (counts of
        persons: forecasts and bounds are kept >= 0).
    n_jobs : int, default 1
        Parallel jobs of the default forecaster (ignored with ``forecaster``).

    skill_levels : SkillLevels or sequence of str, optional
        The declared skill levels, for an employment table by ``skill_level``:
        its rows are summed per cell and period, with ``skilled`` and
        ``high_skilled`` derived from the levels
        (:func:`talentgap.features.skilled_employment`).

    Returns
    -------
    pandas.DataFrame
        One row per cell and forecast period: ``<keys...>, period,
        employment`` (the forecast mean, persons) and per level
        ``employment_lo_<level>``, ``employment_hi_<level>``; the same for
        ``skilled`` and ``high_skilled`` when the input has them.

    Raises
    ------
    SchemaError
        If a column is missing, a count is missing or negative, or two rows
        share a cell and period.
    ParameterError
        If ``horizon`` or ``freq`` is invalid.

    Examples
    --------
    >>> import pandas as pd
    >>> import talentgap as tg
    >>> table = pd.DataFrame({"region": "North", "industry": "textiles",
    ...                       "period": ["2022", "2023", "2024"],
    ...                       "employment": [1000, 1040, 1100], "skilled": [250, 262, 280]})
    >>> out = project_employment(table, horizon=2, level=None, forecaster=tg.models.Drift())
    >>> out[["period", "employment", "skilled"]]
      period  employment  skilled
    0   2025      1150.0    295.0
    1   2026      1200.0    310.0
    """
    keys = key_list(keys, allow_empty=False, distinct=True, time="period",
                    reserved={c: f"the {c} column" for c in _STOCKS})
    horizon = check_horizon(horizon)
    require(employment, "employment", [*keys, "period", "employment"], keys)
    employment = _by_cell(employment, skill_levels, keys)
    columns = [c for c in _STOCKS if c in employment.columns]
    frame, ordinals, source = _prepare(employment, "employment", keys, columns)
    frame["period"] = period_array(ordinals, source)
    code = source if freq is None else normalize_freq(freq)
    sub_periods(source, code, "employment")
    seen = int(ordinals.max())
    origin = int(end_ordinals([seen], source, code)[0])  # the period holding the last one
    steps = int(end_ordinals([origin + horizon], code, source)[0]) - seen
    model = (forecaster if forecaster is not None
             else AutoForecaster(nonnegative=True, n_jobs=n_jobs))
    levels = list(level) if level else None
    out = None
    for column in columns:
        fitted = clone(model).fit(frame[[*keys, "period", column]], target=column,
                                  time="period", keys=keys)
        forecast = _period_ends(fitted.predict(steps, level=levels), source, code, origin)
        forecast = forecast.rename(columns={
            c: (column if c == "mean" else f"{column}_{c}")
            for c in forecast.columns if c == "mean" or parse_interval_column(c)})
        if out is None:
            out = forecast
            continue
        position = lookup(forecast, out, [*keys, "period"])
        for name in forecast.columns.difference([*keys, "period"], sort=False):
            out[name] = forecast[name].to_numpy()[position]
    return out.reset_index(drop=True)


def _period_ends(forecast: pd.DataFrame, source: str, code: str, origin: int) -> pd.DataFrame:
    """The forecast rows at the last ``source`` period of each ``code`` period after ``origin``."""
    if code == source:
        return forecast
    ordinals = pd.PeriodIndex(forecast["period"]).asi8
    coarse = end_ordinals(ordinals, source, code)
    keep = (end_ordinals(coarse, code, source) == ordinals) & (coarse > origin)
    out = forecast[keep].reset_index(drop=True)
    out["period"] = period_array(coarse[keep], code)
    return out


def _by_cell(table: pd.DataFrame, skill_levels, keys: list[str]) -> pd.DataFrame:
    """A table by skill level summed per cell and period, skilled counts derived."""
    if skill_levels is None or "skill_level" not in table.columns:
        return table
    return skilled_employment(table, skill_levels=skill_levels, keys=keys)


def _last_rows(frame: pd.DataFrame, keys: list[str], ordinals: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Cell code of every row and the position of each cell's latest row."""
    codes = frame.groupby(keys, sort=True, observed=True).ngroup().to_numpy()
    order = np.lexsort((ordinals, codes))
    ends = np.flatnonzero(np.append(np.diff(codes[order]) != 0, True))
    return codes, order[ends]


def _inflows(pipeline, cells: pd.DataFrame, keys: list[str], source: str, first: int,
             n_steps: int, seen: np.ndarray, levels: list[str]) -> dict[str, np.ndarray]:
    """Pipeline inflows per skill level as (n_cells, n_steps) arrays of ``source`` periods.

    The steps are the stock's periods (frequency ``source``) from ``first``;
    ``seen`` is each cell's last observed one. Rows at a finer frequency are
    summed into their step; a row at a coarser one joins at the last step of
    its span, by the part of the span after ``seen`` (a year's inflow, spread
    evenly, by the quarters left after 2024Q2: half, at 2024Q4).
    """
    zeros = {lvl: np.zeros((len(cells), n_steps)) for lvl in levels}
    if pipeline is None:
        return zeros
    names = {"skilled": "supply", "high_skilled": "supply_high_skilled"}
    table = require(pipeline, "pipeline", [*keys, "period", "supply"], keys)
    ordinals, own = period_column_ordinals(table["period"], "pipeline")
    position = lookup(cells, table, keys)
    unknown = np.flatnonzero(position < 0)
    if unknown.size:
        shown = cell_names(table, keys, unknown[:_MAX_SHOWN])
        raise PlanningError(
            f"the pipeline table has {plural(unknown.size, 'row')} for cells the stock table "
            f"does not have, e.g. {'; '.join(shown)}; rule: pipeline cells must have an "
            "observed stock")
    spans = pd.PeriodIndex(period_array(ordinals, own))
    span_start = spans.asfreq(source, how="start").asi8
    span_end = spans.asfreq(source, how="end").asi8
    after = np.clip((span_end - seen[position]) / (span_end - span_start + 1), 0.0, 1.0)
    step = span_end - first
    inside = (step >= 0) & (step < n_steps) & (after > 0)
    flat = position[inside] * n_steps + step[inside]
    for lvl in levels:
        if names[lvl] not in table.columns:
            continue
        values = (counts(table, names[lvl], "pipeline", keys) * after)[inside]
        zeros[lvl] = np.bincount(flat, weights=values,
                                 minlength=len(cells) * n_steps).reshape(len(cells), n_steps)
    return zeros


def _exit_rates(exit_rate, cells: pd.DataFrame, keys: list[str],
                levels: list[str]) -> dict[str, np.ndarray]:
    """Annual exit rate of every cell, per stock (a ``skill_level`` column sets them apart)."""
    if not isinstance(exit_rate, pd.DataFrame):
        annual = parameter(exit_rate, "exit_rate", cells, keys, of="the stock table")
        return dict.fromkeys(levels, annual)
    table = exit_rate.drop(columns=["n_periods"], errors="ignore")  # a count, not a key
    if "skill_level" not in table.columns or "skill_level" in keys:
        annual = parameter(table, "exit_rate", cells, keys, of="the stock table")
        return dict.fromkeys(levels, annual)
    stock = table["skill_level"].astype(object).to_numpy()
    unknown = sorted({str(v) for v in stock} - set(_LEVELS))
    if unknown:
        raise PlanningError(f"the exit_rate table's skill_level {unknown[0]!r} is not a stock; "
                            f"rule: skill_level is one of {list(_LEVELS)}")
    named = [c for c in table.columns if c not in ("skill_level", "exit_rate")]
    base = table[stock == "skilled"]
    out = {}
    for lvl in levels:
        rows = table[stock == lvl]
        if lvl != "skilled":  # cells without a row of their own: the skilled stock's rate
            taken = (lookup(rows, base, named) >= 0 if named
                     else np.full(len(base), len(rows) > 0))
            rows = pd.concat([rows, base[~taken]], ignore_index=True)
        if rows.empty:
            raise PlanningError(f"the exit_rate table has no rows for the {lvl} stock; rule: "
                                "a table with a skill_level column gives the skilled stock's "
                                "rates (and optionally the high_skilled stock's)")
        value = rows.drop(columns="skill_level")
        if not named:  # one rate per stock
            if len(rows) > 1:
                raise PlanningError(f"the exit_rate table has {len(rows)} rows for the {lvl} "
                                    "stock and no key columns; rule: one row per stock")
            value = rows["exit_rate"].iloc[0]
        out[lvl] = parameter(value, "exit_rate", cells, keys, of="the stock table")
    return out


def project_skilled_stock(
    stock: pd.DataFrame,
    *,
    keys: Sequence[str] = ("region", "industry"),
    horizon: int,
    exit_rate=DEFAULT_EXIT_RATE,
    pipeline: pd.DataFrame | None = None,
    freq: str | None = None,
    skill_levels=None,
) -> pd.DataFrame:
    """Skilled (and high-skilled) stock per cell if no new training is funded.

    From each cell's last observed stock ``K``, period by period::

        K[c, t] = (1 - e_c) * K[c, t-1] + pipeline[c, t]
        replacement_demand[c, t] = e_c * K[c, t-1]

    ``e_c`` is the cell's exit rate per period; the high-skilled stock follows
    the same identity with its own pipeline, and the same rate unless the
    ``exit_rate`` table gives it its own.

    Parameters
    ----------
    stock : pandas.DataFrame
        ``<keys...>, period, skilled`` and optionally ``high_skilled``
        (persons), one row per cell and period, e.g. the employment table.
    keys : sequence of str, default ("region", "industry")
        Columns identifying a cell.
    horizon : int
        Periods to project past the table's last period.
    exit_rate : float or pandas.DataFrame, default 0.03
        Share of a cell's skilled workers who leave it **per year**, in
        [0, 1]: one number, or a table with some of the key columns (e.g.
        ``industry``) and an ``exit_rate`` column, such as the output of
        :func:`estimate_exit_rate`. For quarterly (monthly) periods the
        per-period rate is ``1 - (1 - e) ** (1 / 4)`` (``1 / 12``), so four
        quarters lose what one year does. The default, 3% a year, is roughly
        the retirement flow alone of a workforce whose working life lasts
        30-35 years; trades with high turnover lose more, so estimate or set
        the rate per industry where possible. A ``skill_level`` column
        (``"skilled"`` or ``"high_skilled"``) gives each stock its own rates;
        the high-skilled stock takes the skilled stock's rate for cells
        without a high-skilled row.
    pipeline : pandas.DataFrame, optional
        ``<keys...>, period, supply`` and optionally ``supply_high_skilled``:
        certified workers already in training who join the cell's skilled
        (high-skilled) stock in that period, e.g. the ``supply`` of
        :func:`talentgap.features.build_panel` for the periods ahead, or the
        net inflows of training by skill level from
        :func:`talentgap.features.stock_pipeline` (upgrade training moves
        workers into the high-skilled stock without adding to the skilled
        one). Several
        rows per cell and period are summed; periods up to the cell's last
        observation (already in the stock) or past the horizon are not used;
        cells without rows get no inflow. Periods of a finer frequency than
        the stock table's (pandas Periods or labels such as ``"2025Q1"``) are
        summed into its periods; a coarser row joins at the end of its span,
        by the part of the span after the cell's last observation (a year's
        inflow by half after 2024Q2).
    freq : {"Y", "Q", "M"}, optional
        Projection frequency; by default the table's own. With a coarser one
        the identity still runs period by period at the table's frequency,
        the one :func:`estimate_exit_rate` estimates the rate at (by quarter,
        ``1 - (1 - e) ** (1 / 4)`` a quarter, so a quarter's inflow also
        loses its exits in the rest of the year), from each cell's last
        observed period (a stock is an end-of-period level: 2024Q4, not the
        2024 average; data ending in 2024Q2 roll 2024Q3 and 2024Q4 first);
        each projection period reads the stock at its last sub-period.
    skill_levels : SkillLevels or sequence of str, optional
        The declared skill levels, for a stock table by ``skill_level`` (as
        in :func:`project_employment`).

    Returns
    -------
    pandas.DataFrame
        One row per cell, skill level and projected period: ``<keys...>,
        skill_level`` (``"skilled"``, and ``"high_skilled"`` when the table
        has that column), ``period``, ``stock`` (persons at the end of the
        period), ``pipeline`` (inflow in the period) and
        ``replacement_demand`` (exits in the period, ``e_c * K[c, t-1]``;
        with a coarser ``freq``, the sum over its sub-periods).
        Periods are the ``horizon`` periods after the one holding the
        table's last observation (2025-2030 from data ending in 2024Q2 or
        2024Q4 with ``freq="Y"``, ``horizon=6``); a cell observed last
        earlier is rolled forward from its own last observation.

    Raises
    ------
    SchemaError
        If a column is missing, a count is missing or negative, or two rows
        share a cell and period.
    ParameterError
        If ``freq`` is finer than the table's frequency.
    PlanningError
        If an exit rate is outside [0, 1] or missing for a cell, or the
        pipeline names cells without an observed stock.

    Examples
    --------
    >>> import pandas as pd
    >>> stock = pd.DataFrame({"region": "North", "industry": "textiles", "period": "2024",
    ...                       "skilled": [1000]})
    >>> pipeline = pd.DataFrame({"region": "North", "industry": "textiles",
    ...                          "period": ["2025", "2026"], "supply": [50, 20]})
    >>> out = project_skilled_stock(stock, horizon=2, exit_rate=0.1, pipeline=pipeline)
    >>> out[["period", "stock", "pipeline", "replacement_demand"]]
      period   stock  pipeline  replacement_demand
    0   2025  950.0      50.0               100.0
    1   2026  875.0      20.0                95.0

    A quarterly stock projected by year runs by quarter, as its exit rate is
    estimated: a 2025Q1 inflow loses the exits of 2025Q2-Q4.

    >>> by_quarter = pipeline.assign(period=["2025Q1", "2026Q1"])
    >>> out = project_skilled_stock(stock.assign(period="2024Q4"), horizon=1, exit_rate=0.1,
    ...                             pipeline=by_quarter, freq="Y")
    >>> round(float(out["stock"].iloc[0]), 1)  # 0.9 * 1000 + 0.9 ** (3 / 4) * 50
    946.2
    """
    keys = key_list(keys, allow_empty=False, distinct=True, time="period",
                    reserved={c: f"the {c} column" for c in _LEVELS})
    horizon = check_horizon(horizon)
    stock = _by_cell(stock, skill_levels, keys)
    require(stock, "stock", [*keys, "period", "skilled"], keys)
    levels = [c for c in _LEVELS if c in stock.columns]
    frame, ordinals, source = _prepare(stock, "stock", keys, levels)
    code = source if freq is None else normalize_freq(freq)
    sub_periods(source, code, "stock")
    _, last_rows = _last_rows(frame, keys, ordinals)
    cells = frame[keys].iloc[last_rows].reset_index(drop=True)
    seen = ordinals[last_rows]  # each cell's last observation, at the stock's frequency
    # the recursion runs at the stock's own frequency, the one exit rates are estimated at
    # (estimate_exit_rate); a projection period reads the stock at its last sub-period
    origin = int(end_ordinals([seen.max()], source, code)[0])  # the period holding it
    first = int(seen.min()) + 1
    n_steps = int(end_ordinals([origin + horizon], code, source)[0]) - first + 1
    column_of = end_ordinals(np.arange(first, first + n_steps), source, code) - origin - 1
    rates = {lvl: 1.0 - (1.0 - annual) ** (1.0 / PER_YEAR[source])
             for lvl, annual in _exit_rates(exit_rate, cells, keys, levels).items()}
    inflow = _inflows(pipeline, cells, keys, source, first, n_steps, seen, levels)

    n_cells = len(cells)
    parts = []
    for number, lvl in enumerate(levels):
        level_stock = frame[lvl].to_numpy()[last_rows]
        rate = rates[lvl]
        out = {name: np.zeros((n_cells, horizon)) for name in ("stock", "pipeline",
                                                                "replacement_demand")}
        for step in range(n_steps):  # a recursion over time, vectorised over cells
            active = first + step > seen
            exits = np.where(active, rate * level_stock, 0.0)
            added = np.where(active, inflow[lvl][:, step], 0.0)
            level_stock = level_stock - exits + added
            column = column_of[step]
            if column >= 0:  # the flows add up over the period, the stock is its end
                out["stock"][:, column] = level_stock
                out["pipeline"][:, column] += added
                out["replacement_demand"][:, column] += exits
        part = cells.iloc[np.repeat(np.arange(n_cells), horizon)].reset_index(drop=True)
        part.insert(len(keys), "skill_level", lvl)
        part["period"] = period_array(np.tile(np.arange(origin + 1, origin + horizon + 1),
                                              n_cells), code)
        for name, values in out.items():
            part[name] = values.ravel()
        part["_order"] = (np.repeat(np.arange(n_cells), horizon) * len(levels) + number) \
            * horizon + np.tile(np.arange(horizon), n_cells)
        parts.append(part)
    result = pd.concat(parts, ignore_index=True).sort_values("_order", kind="stable")
    return result.drop(columns="_order").reset_index(drop=True)


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
