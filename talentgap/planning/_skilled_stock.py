"""The skilled stock per cell without new training: :func:`project_skilled_stock`.

The stock-and-flow recursion, period by period from each cell's last
observed stock, vectorised over cells::

    K[c, t] = (1 - e_c) * K[c, t-1] + pipeline[c, t]
    replacement_demand[c, t] = e_c * K[c, t-1]

with the exit rates ``e_c`` read per cell and stock, and the pipeline's
inflows placed at the stock's periods; public as
:func:`talentgap.planning.project_skilled_stock` (and from
:mod:`talentgap.planning.workforce`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._arguments import check_horizon, key_list
from talentgap._frequencies import PER_YEAR
from talentgap.errors import PlanningError
from talentgap.periods import end_ordinals, normalize_freq
from talentgap.planning._params import cell_names, parameter, plural
from talentgap.planning._tables import (
    counts,
    lookup,
    period_array,
    period_column_ordinals,
    require,
    sub_periods,
)
from talentgap.planning._workforce_tables import _MAX_SHOWN, _by_cell, _prepare

__all__ = ["DEFAULT_EXIT_RATE", "project_skilled_stock"]

#: Default share of a cell's skilled workers who leave it in a year (per year).
DEFAULT_EXIT_RATE = 0.03

_LEVELS = ("skilled", "high_skilled")


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
