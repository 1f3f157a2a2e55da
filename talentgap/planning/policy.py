"""Policy targets as data: target shares per region and year, and the workers still needed.

Plans set shares, not counts: "skilled workers 30% of employment by 2030;
high-skilled workers 35% of skilled workers in the eastern provinces and
2.5 points more than today elsewhere". A **targets table** holds such
goals, one row per region (or province) and skill level:

================ ========================================================
column           meaning
================ ========================================================
``region``       the region the target is set on (``province`` with a
                 ``region_map``); ``"*"`` stands for every region
                 (province) without a row of its own for that skill level
``skill_level``  ``"skilled"`` (share of employment) or ``"high_skilled"``
                 (share of skilled workers)
``share``        absolute target share in [0, 1], or
``delta_points`` relative target: the base year's share plus this many
                 percentage points (``2.5`` -> +0.025)
``target_year``  the year by whose end the share is to be reached
``base_year``    optional; default the year of the last observed period
================ ========================================================

The share a region aims at in each projected period (its **target path**)
runs linearly from the share observed at the end of the base year (each
cell's last observed period of it) to the target share at the end of the
target year, and stays flat afterwards (a target year equal to the base
year: the target share from the base year on). A target is a floor: a region
whose base share is already at or above it has the target share itself as
its path, so it needs workers only once its projected share falls below. A
``path`` table (``region``, ``skill_level``, ``period``, ``share``) adds
intermediate points through which the path runs instead.

:func:`policy_need` turns targets and projections into the persons still
needed per cell and period; see its docstring, and the section "Workforce
projections and policy targets" of the methods page, for the accounting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from talentgap._arguments import key_list
from talentgap.errors import DataQualityWarning, ParameterError, PlanningError, warn
from talentgap.features.skill_levels import skilled_employment
from talentgap.planning._params import cell_names, plural
from talentgap.planning._policy_tables import (
    SKILL_LEVELS,
    check_path,
    check_targets,
    expand_wildcards,
)
from talentgap.planning._tables import (
    counts,
    lookup,
    period_array,
    period_column_ordinals,
    require,
    require_unique,
)
from talentgap.planning._target_paths import base_shares, interpolate, target_points

__all__ = ["SKILL_LEVELS", "policy_need", "target_bases"]

_MAX_SHOWN = 5
_STOCK_COLUMNS = ["stock", "replacement_demand"]


# --------------------------------------------------------------------------- inputs


def _units(regions: pd.Series, region_map) -> tuple[str, np.ndarray]:
    """The column targets are set on and the target unit of every row."""
    values = regions.to_numpy(dtype=object)
    if region_map is None:
        return "region", values
    if isinstance(region_map, pd.DataFrame):
        table = require(region_map, "region_map", ["region", "province"], ["region", "province"])
        require_unique(table, ["region"], "region_map")
        mapping = dict(zip(table["region"].to_numpy(dtype=object),
                           table["province"].to_numpy(dtype=object), strict=True))
    elif isinstance(region_map, (Mapping, pd.Series)):
        mapping = dict(region_map.items())
    else:
        raise PlanningError("region_map must be a mapping region -> province, a Series or a "
                            f"DataFrame with columns region, province; got "
                            f"{type(region_map).__name__}")
    units = pd.Series(values, dtype=object).map(mapping).to_numpy(dtype=object)
    absent = pd.unique(values[pd.isna(units)])
    if absent.size:
        shown = ", ".join(repr(r) for r in absent[:_MAX_SHOWN])
        raise PlanningError(f"region_map has no province for {plural(absent.size, 'region')} "
                            f"of the employment projection: {shown}; rule: every region "
                            "needs a province")
    return "province", units


# --------------------------------------------------------------------------- the need


def _weights(basis: np.ndarray, groups: np.ndarray, n_groups: int) -> tuple[np.ndarray,
                                                                              np.ndarray]:
    """Each row's share of its group's total of ``basis``, and which groups total 0."""
    total = np.bincount(groups, weights=basis, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.where(total[groups] > 0, basis / total[groups], 0.0)
    return weight, total <= 0


def policy_need(
    employment_projection: pd.DataFrame,
    stock_projection: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    observed: pd.DataFrame,
    keys: Sequence[str] = ("region", "industry"),
    path: pd.DataFrame | None = None,
    share_by: str = "employment",
    demand: pd.DataFrame | None = None,
    region_map=None,
    skill_levels=None,
) -> pd.DataFrame:
    """Persons still needed per cell and period to stay on the target paths.

    Targets are set on regions (or provinces), not industries. For a region
    ``r`` and period ``t``, with projected employment ``E``, projected skilled
    stock ``K`` and high-skilled stock ``H`` (summed over the region's cells)
    and target shares ``s`` (skilled, of employment) and ``h`` (high-skilled,
    of skilled) read off the target paths::

        need_skilled[r, t]      = max(0, s[r, t] * E[r, t] - K[r, t])
        need_high_skilled[r, t] = max(0, h[r, t] * (K[r, t] + need_skilled[r, t]) - H[r, t])

    The high-skilled need is measured against the skilled workers there
    will be once the skilled target is met (no skilled target: ``K`` alone).
    The two needs overlap: a newly certified high-skilled worker counts
    toward both, so they are not to be added up.

    A region's need is then shared over its cells (industries):

    * ``share_by="employment"`` (default): in proportion to each cell's
      projected employment in that period;
    * ``share_by="demand"``: in proportion to the survey ``demand`` of each
      cell (skill-shortage vacancies), so the need goes where employers
      report shortages. Where a region's demand is 0 in a period, its need
      is shared by employment instead (with a
      :class:`~talentgap.errors.DataQualityWarning`).

    A cell's own surplus thus offsets another cell's shortfall in the same
    region: the target is the region's, so is the need.

    Parameters
    ----------
    employment_projection : pandas.DataFrame
        ``<keys...>, period, employment``: projected persons employed per
        cell and period, e.g. from :func:`project_employment`. Its cells and
        periods are the output's.
    stock_projection : pandas.DataFrame
        ``<keys...>, skill_level, period, stock, replacement_demand`` from
        :func:`project_skilled_stock`, for every cell and period of the
        employment projection (``high_skilled`` rows too when a high-skilled
        target is set).
    targets : pandas.DataFrame
        The targets table (see the module docstring): ``region`` (or
        ``province``), ``skill_level``, ``share`` or ``delta_points``,
        ``target_year``, optional ``base_year``.
    observed : pandas.DataFrame
        The observed employment table (``<keys...>, period, employment,
        skilled`` and ``high_skilled`` for high-skilled targets): the base
        year's shares come from each cell's last observed period of that
        year. With
        ``skill_levels``, it may instead hold one row per cell, period and
        ``skill_level``; the skilled counts are then derived from the levels
        (:func:`talentgap.features.skilled_employment`).
    keys : sequence of str, default ("region", "industry")
        Columns identifying a cell; must include ``region``.
    path : pandas.DataFrame, optional
        Target shares at given periods: ``region`` (or ``province``),
        ``skill_level``, ``period`` (years, or the projection's periods),
        ``share``. The path runs linearly through these points (and the base
        and target-year points of the targets table, where given) and is flat
        after the last one.
    share_by : {"employment", "demand"}, default "employment"
        How a region's need is shared over its cells (see above).
    demand : pandas.DataFrame, optional
        ``<keys...>, demand`` and optionally ``period``: the survey demand
        per cell (and period); required with ``share_by="demand"``.
    region_map : mapping, pandas.Series or pandas.DataFrame, optional
        Region -> province (a DataFrame with columns ``region, province``).
        Targets are then set on provinces and shared over all cells of the
        province's regions.

    skill_levels : SkillLevels or sequence of str, optional
        The declared skill levels of an ``observed`` table by ``skill_level``.

    Returns
    -------
    pandas.DataFrame
        One row per cell and period of the employment projection, for the
        cells of regions with a target: ``<keys...>`` (then ``province`` with
        a ``region_map``), ``period``, ``employment`` (cell, persons) and

        - ``target_share``: the region's skilled share on its path in that
          period (of employment);
        - ``target_stock``: the cell's part of the region's target stock,
          ``target_share * employment``;
        - ``projected_stock``: skilled workers without new training;
        - ``replacement_demand``: skilled workers leaving in the period;
        - ``policy_need``: the cell's part of the region's skilled need
          (persons, >= 0);

        and, when a high-skilled target is set, the same five columns with
        the suffix ``_high_skilled`` (the share is of skilled workers, the
        target stock ``h * (projected_stock + policy_need)``). A region
        without a target of a level has NaN target columns and a need of 0
        for it. Summed over a region's cells, ``policy_need`` equals
        ``max(0, target_stock - projected_stock)`` (likewise for
        high-skilled). The multi-year plan takes ``<keys...>, period,
        policy_need``: ``allocate_quotas(..., periods=...,
        policy_need=need[[*keys, "period", "policy_need"]])``; for a
        high-skilled plan pass the ``policy_need_high_skilled`` column
        renamed to ``policy_need``.

    Raises
    ------
    PlanningError
        If a targets (or path) row names an unknown region or skill level,
        has a share outside [0, 1], a target year before its base year, a
        relative target without an observed base share, or repeats another
        row (each message names the row and the rule; all rows are checked
        before raising); or a cell lacks a stock projection or demand.
    SchemaError
        If a table lacks a column or holds negative or missing counts.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.planning.workforce import project_skilled_stock
    >>> observed = pd.DataFrame({"region": "North", "industry": ["textiles", "robots"],
    ...                          "period": "2024", "employment": [600, 400],
    ...                          "skilled": [150, 100]})
    >>> employment = pd.DataFrame({"region": "North", "industry": ["textiles", "robots"] * 2,
    ...                            "period": ["2025", "2025", "2026", "2026"],
    ...                            "employment": [600.0, 400.0, 600.0, 400.0]})
    >>> stock = project_skilled_stock(observed, horizon=2, exit_rate=0.0)
    >>> targets = pd.DataFrame({"region": ["North"], "skill_level": ["skilled"],
    ...                         "share": [0.35], "target_year": [2026]})
    >>> need = policy_need(employment, stock, targets, observed=observed)
    >>> need[["industry", "period", "target_share", "target_stock", "policy_need"]]
       industry period  target_share  target_stock  policy_need
    0    robots   2025         0.300         120.0         20.0
    1    robots   2026         0.350         140.0         40.0
    2  textiles   2025         0.300         180.0         30.0
    3  textiles   2026         0.350         210.0         60.0
    """
    keys = key_list(keys, allow_empty=False, distinct=True, time="period")
    if "region" not in keys:
        raise ParameterError(f"keys must include 'region' (targets are set on regions), got "
                             f"{keys!r}")
    if share_by not in ("employment", "demand"):
        raise ParameterError(f"share_by={share_by!r}; use 'employment' or 'demand'")
    if share_by == "demand" and demand is None:
        raise ParameterError("share_by='demand' needs demand=, a table <keys...>[, period], "
                             "demand")

    # projected cells and periods
    table = require(employment_projection, "employment_projection",
                    [*keys, "period", "employment"], keys)
    ordinals, freq = period_column_ordinals(table["period"], "employment_projection")
    cells = pd.DataFrame({k: table[k].reset_index(drop=True) for k in keys})
    cells["_ordinal"] = ordinals
    require_unique(table, [*keys, "period"], "employment_projection", codes=cells)
    employment = counts(table, "employment", "employment_projection", keys)
    unit_column, unit = _units(cells["region"], region_map)

    def unit_of(regions: pd.Series) -> np.ndarray:
        return _units(regions, region_map)[1]

    # targets, observed base shares and the path of every target
    if skill_levels is not None and "skill_level" in observed.columns:
        observed = skilled_employment(observed, skill_levels=skill_levels, keys=keys)
    observed_table = require(observed, "observed", [*keys, "period"], keys)
    obs_ordinals, obs_code = period_column_ordinals(observed_table["period"], "observed")
    last_year = int(pd.Period(ordinal=int(obs_ordinals.max()), freq=obs_code).year)
    rows = check_targets(targets, unit_column, unit, last_year)
    checked_path = None if path is None else check_path(path, unit_column, unit, freq)
    rows = expand_wildcards(rows, unit)
    base_share, base_time = base_shares(observed, keys, unit_of, rows, freq)
    points = target_points(rows, targets.reset_index(drop=True), base_share, base_time,
                            checked_path, unit_column, freq)

    # stocks of every projected cell-period
    levels = [lvl for lvl in SKILL_LEVELS if (rows["skill_level"] == lvl).any()]
    needed_levels = ["skilled", *(["high_skilled"] if "high_skilled" in levels else [])]
    stock_table = require(stock_projection, "stock_projection",
                          [*keys, "skill_level", "period", *_STOCK_COLUMNS], keys)
    stock_frame = pd.DataFrame({c: stock_table[c].reset_index(drop=True)
                                for c in [*keys, "skill_level"]})
    stock_frame["_ordinal"], _ = period_column_ordinals(stock_table["period"],
                                                        "stock_projection", freq)
    stock_values = {c: counts(stock_table, c, "stock_projection", keys) for c in _STOCK_COLUMNS}
    stocks = {}
    for lvl in needed_levels:
        position = lookup(stock_frame, cells.assign(skill_level=lvl),
                          [*keys, "skill_level", "_ordinal"])
        absent = np.flatnonzero(position < 0)
        if absent.size:
            names = cell_names(cells, keys, absent[:_MAX_SHOWN])
            periods = period_array(ordinals[absent[:_MAX_SHOWN]], freq).astype(str)
            raise PlanningError(
                f"the stock_projection table has no {lvl!r} row for "
                f"{plural(absent.size, 'cell-period')} of the employment projection, e.g. "
                + "; ".join(f"{n} at {p}" for n, p in zip(names, periods, strict=True)))
        stocks[lvl] = {c: stock_values[c][position] for c in _STOCK_COLUMNS}

    # region (province) totals per period
    unit_codes, unit_names = pd.factorize(pd.Series(unit, dtype=object))
    group_codes, group_index = pd.factorize(pd.MultiIndex.from_arrays([unit_codes, ordinals]))
    n_groups = len(group_index)
    basis = employment
    if share_by == "demand":
        basis = _demand(demand, cells, keys, freq)
    weight, empty = _weights(basis, group_codes, n_groups)
    if share_by == "demand":
        by_employment, _ = _weights(employment, group_codes, n_groups)
        if empty[group_codes].any():
            shown = pd.unique(np.asarray(unit_names)[unit_codes[empty[group_codes]]])
            warn(f"{plural(int(empty.sum()), 'region-period')} have no demand; their "
                          f"need is shared by employment instead, e.g. in "
                          f"{', '.join(map(repr, shown[:_MAX_SHOWN]))}",
                          DataQualityWarning, stacklevel=2)
            weight = np.where(empty[group_codes], by_employment, weight)

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(group_codes, weights=values, minlength=n_groups)

    level_index = {lvl: i for i, lvl in enumerate(SKILL_LEVELS)}
    point_group = (pd.Index(unit_names).get_indexer(points["unit"].to_numpy(object))
                   * len(SKILL_LEVELS) + points["skill_level"].map(level_index).to_numpy())
    has_target = {}
    share = {}
    for lvl in SKILL_LEVELS:
        code = unit_codes * len(SKILL_LEVELS) + level_index[lvl]
        has_target[lvl] = np.isin(code, point_group)
        share[lvl] = np.full(len(cells), np.nan)
        if has_target[lvl].any():
            share[lvl][has_target[lvl]] = interpolate(
                point_group, points["time"].to_numpy(np.int64), points["share"].to_numpy(),
                code[has_target[lvl]], ordinals[has_target[lvl]])

    region_employment = total(employment)
    region_skilled = total(stocks["skilled"]["stock"])
    skilled_share = np.nan_to_num(share["skilled"])
    need_skilled = np.maximum(skilled_share * region_employment[group_codes]
                              - region_skilled[group_codes], 0.0)
    need_skilled = np.where(has_target["skilled"], need_skilled, 0.0)
    cell_need = {"skilled": need_skilled * weight}
    target_stock = {"skilled": skilled_share * employment}
    if "high_skilled" in levels:
        h = np.nan_to_num(share["high_skilled"])
        region_high = total(stocks["high_skilled"]["stock"])
        need_high = np.maximum(h * (region_skilled[group_codes] + need_skilled)
                               - region_high[group_codes], 0.0)
        cell_need["high_skilled"] = need_high * weight
        target_stock["high_skilled"] = h * (stocks["skilled"]["stock"] + cell_need["skilled"])

    keep = np.flatnonzero(np.logical_or.reduce([has_target[lvl] for lvl in levels]))
    out = cells.iloc[keep][keys].reset_index(drop=True)
    if region_map is not None:
        out["province"] = unit[keep]
    out["period"] = period_array(ordinals[keep], freq)
    out["employment"] = employment[keep]
    for lvl in needed_levels:
        suffix = "" if lvl == "skilled" else f"_{lvl}"
        out[f"target_share{suffix}"] = share[lvl][keep]
        out[f"target_stock{suffix}"] = np.where(has_target[lvl], target_stock[lvl], np.nan)[keep]
        out[f"projected_stock{suffix}"] = stocks[lvl]["stock"][keep]
        out[f"replacement_demand{suffix}"] = stocks[lvl]["replacement_demand"][keep]
        out[f"policy_need{suffix}"] = cell_need[lvl][keep]
    out["_ordinal"] = ordinals[keep]
    out = out.sort_values([*keys, "_ordinal"], kind="stable")
    return out.drop(columns="_ordinal").reset_index(drop=True)


def _demand(demand, cells: pd.DataFrame, keys: list[str], freq: str) -> np.ndarray:
    """Survey demand of every projected cell-period (per cell when the table has no period)."""
    table = require(demand, "demand", [*keys, "demand"], keys)
    frame = pd.DataFrame({k: table[k].reset_index(drop=True) for k in keys})
    on = list(keys)
    if "period" in table.columns:
        frame["_ordinal"], _ = period_column_ordinals(table["period"], "demand", freq)
        on.append("_ordinal")
    require_unique(table, [*keys, *(["period"] if "period" in table.columns else [])], "demand",
                 codes=frame[on])
    values = counts(table, "demand", "demand", keys)
    position = lookup(frame, cells, on)
    absent = np.flatnonzero(position < 0)
    if absent.size:
        names = cell_names(cells, keys, absent[:_MAX_SHOWN])
        if "_ordinal" in on:
            periods = period_array(cells["_ordinal"].to_numpy()[absent[:_MAX_SHOWN]], freq)
            names = [f"{n} at {p}" for n, p in zip(names, periods.astype(str), strict=True)]
        raise PlanningError(f"the demand table has no row for "
                            f"{plural(absent.size, 'cell-period')} of the employment "
                            f"projection, e.g. {'; '.join(names)}; rule: share_by='demand' "
                            "needs the demand of every cell")
    return values[position]


def target_bases(targets: pd.DataFrame, observed: pd.DataFrame, *,
                 keys: Sequence[str] = ("region", "industry"),
                 region_map=None) -> pd.DataFrame:
    """Per region (or province) and level with a target: its target year and path's start.

    Each row of the targets table is read as :func:`policy_need` reads it (a
    ``"*"`` row standing for every region of ``observed`` without a row of
    its own at that level): its ``target_year``, its ``base_year`` (default
    the last observed year), and the share the target path starts from,
    observed in the last period of the base year (summed over the region's
    cells: skilled of employment, high-skilled of skilled).

    Parameters
    ----------
    targets : pandas.DataFrame
        The targets table (see the module docstring).
    observed : pandas.DataFrame
        One row per cell and period: ``<keys...>, period, employment,
        skilled`` (and ``high_skilled`` for a high-skilled target).
    keys : sequence of str, default ("region", "industry")
        The cells' keys, with ``region``.
    region_map : optional
        As :func:`policy_need`: targets set on provinces.

    Returns
    -------
    pandas.DataFrame
        ``region`` (``province`` with a ``region_map``), ``skill_level``,
        ``target_year``, ``base_period`` (text, e.g. ``"2024Q4"``; ``""``
        where the data lack the base year) and ``base_share`` (0-1; NaN
        there), sorted by level and region.

    Examples
    --------
    >>> observed = pd.DataFrame({"region": ["A", "A", "B", "B"], "industry": "x",
    ...                          "period": ["2024Q3", "2024Q4"] * 2,
    ...                          "employment": [100, 100, 200, 200],
    ...                          "skilled": [20, 25, 60, 60]})
    >>> targets = pd.DataFrame({"region": ["*", "B"], "skill_level": "skilled",
    ...                         "share": [0.3, 0.35], "target_year": [2029, 2028]})
    >>> target_bases(targets, observed)
      region skill_level  target_year base_period  base_share
    0      A     skilled         2029      2024Q4        0.25
    1      B     skilled         2028      2024Q4        0.30
    """
    keys = key_list(keys)
    table = require(observed, "observed", [*keys, "period"], keys)
    ordinals, code = period_column_ordinals(table["period"], "observed")
    last_year = int(pd.Period(ordinal=int(ordinals.max()), freq=code).year)
    unit_column, unit = _units(table["region"], region_map)
    rows = expand_wildcards(check_targets(targets, unit_column, unit, last_year), unit)
    share, base_time = base_shares(table, keys, lambda r: _units(r, region_map)[1], rows,
                                    code)
    found = base_time >= 0
    period = np.full(len(rows), "", dtype=object)
    if found.any():
        period[found] = pd.PeriodIndex(period_array(base_time[found], code)).astype(str)
    out = pd.DataFrame({unit_column: rows["unit"].to_numpy(dtype=object),
                        "skill_level": rows["skill_level"].to_numpy(dtype=object),
                        "target_year": rows["target_year"].to_numpy(dtype=np.int64),
                        "base_period": period, "base_share": share})
    return out.sort_values(["skill_level", unit_column], kind="stable").reset_index(drop=True)
