"""Target paths: the share a region aims at in each period, from its points.

A target path runs through points ``(unit, skill_level, time, share)``: the
share observed at the end of the base year (:func:`base_shares`), the target
share at the end of the target year and any points of a ``path`` table
(:func:`target_points`). Between points the share runs linearly, before the
first and after the last it stays flat (:func:`interpolate`). A target is a
floor: a unit whose base share already meets it has the target share itself
as its path. :func:`talentgap.planning.policy_need` reads the shares off these
paths; the rules of the targets and path tables are checked in
:mod:`talentgap.planning._policy_tables`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.errors import PlanningError
from talentgap.periods import end_ordinals, year_end_ordinals
from talentgap.planning._params import fmt, plural
from talentgap.planning._policy_tables import WILDCARD, Problems, warn_implausible_targets
from talentgap.planning._tables import (
    counts,
    lookup,
    period_array,
    period_column_ordinals,
    require,
)

__all__ = ["interpolate", "base_shares", "target_points"]

_MAX_SHOWN = 5


def interpolate(group: np.ndarray, time: np.ndarray, value: np.ndarray,
                query_group: np.ndarray, query_time: np.ndarray) -> np.ndarray:
    """Piecewise-linear value of each query within its group's points, flat outside them.

    All groups at once: the points are sorted by group and time, and each
    query is placed between the two points of its group around its time.

    Parameters
    ----------
    group, time, value : numpy.ndarray
        The points: integer group code, integer time (a period ordinal) and
        value (a share), one entry per point; one time per group and point.
    query_group, query_time : numpy.ndarray
        The queries: integer group code (each one with points) and time.

    Returns
    -------
    numpy.ndarray
        Float, one value per query: linear between the group's points, the
        first point's value before it and the last's after it.

    Examples
    --------
    >>> import numpy as np
    >>> interpolate(np.array([0, 0, 1]), np.array([0, 4, 0]), np.array([0.2, 0.3, 0.5]),
    ...             np.array([0, 0, 0, 1]), np.array([-1, 1, 9, 3])).round(3).tolist()
    [0.2, 0.225, 0.3, 0.5]
    """
    order = np.lexsort((time, group))
    group, time, value = group[order], time[order], value[order]
    low = min(time.min(), query_time.min())
    span = max(time.max(), query_time.max()) - low + 1
    keys = group * span + (time - low)
    right = np.searchsorted(keys, query_group * span + (query_time - low), side="left")
    start = np.searchsorted(group, query_group, side="left")
    stop = np.searchsorted(group, query_group, side="right") - 1
    right = np.clip(right, start, stop)
    left = np.clip(right - 1, start, stop)
    width = (time[right] - time[left]).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(width > 0, (query_time - time[left]) / width, 1.0)
    fraction = np.clip(fraction, 0.0, 1.0)
    return value[left] + fraction * (value[right] - value[left])


def base_shares(observed, keys: list[str], unit_of, targets: pd.DataFrame, freq: str
                ) -> tuple[np.ndarray, np.ndarray]:
    """Observed share of each target row in its base year, and that period's ordinal.

    Per cell, the last observed period of the base year (2024Q4, or 2024Q3
    for a cell observed only that far); the unit's share is that of its
    cells' sums, observed in the latest of their periods.

    Parameters
    ----------
    observed : pandas.DataFrame
        ``<keys...>, period, employment, skilled`` (and ``high_skilled`` when
        a target row is for that level), one row per cell and period.
    keys : list of str
        The cells' keys, with ``region``.
    unit_of : callable
        Maps a ``region`` column to the target unit of each row (the region
        itself, or its province).
    targets : pandas.DataFrame
        The checked target rows, one unit each (``unit``, ``skill_level``,
        ``base_year``).
    freq : str
        The frequency of the returned ordinals.

    Returns
    -------
    share : numpy.ndarray
        Per target row, skilled of employment (``skilled``) or high-skilled
        of skilled (``high_skilled``), 0-1; NaN where the base year is not
        observed or the denominator is 0.
    base_time : numpy.ndarray
        Per target row, the ordinal at ``freq`` of the end of its base
        period; -1 where the base year is not observed.

    Examples
    --------
    >>> import pandas as pd
    >>> observed = pd.DataFrame({"region": "A", "industry": ["x", "x", "y"],
    ...                          "period": ["2024Q3", "2024Q4", "2024Q3"],
    ...                          "employment": [100, 100, 100], "skilled": [10, 20, 30]})
    >>> targets = pd.DataFrame({"unit": ["A"], "skill_level": ["skilled"],
    ...                         "base_year": [2024]})
    >>> share, base_time = base_shares(observed, ["region", "industry"],
    ...                                lambda r: r.to_numpy(object), targets, "Q")
    >>> share.tolist(), str(pd.Period(ordinal=int(base_time[0]), freq="Q"))
    ([0.25], '2024Q4')
    """
    needed = [*keys, "period", "employment", "skilled"]
    if (targets["skill_level"] == "high_skilled").any():
        needed.append("high_skilled")
    table = require(observed, "observed", needed, keys)
    ordinals, code = period_column_ordinals(table["period"], "observed")
    years = pd.PeriodIndex(period_array(ordinals, code)).year.to_numpy()
    unit = unit_of(table["region"])
    codes, uniques = pd.factorize(pd.Series(unit, dtype=object))
    frame = pd.DataFrame({"unit": codes, "_ordinal": ordinals})
    for column in needed[len(keys) + 1:]:
        frame[column] = counts(table, column, "observed", keys)
    # each cell's last observed period of each year, summed per unit and year; the
    # unit's base period is the latest of its cells'
    cell = table.groupby(keys, sort=False, observed=True).ngroup().to_numpy()
    order = np.lexsort((ordinals, years, cell))
    last = order[np.append((np.diff(cell[order]) != 0) | (np.diff(years[order]) != 0), True)]
    frame = frame.iloc[last].assign(year=years[last])
    sums = frame.groupby(["unit", "year"], sort=False).agg(
        {"_ordinal": "max", **{c: "sum" for c in needed[len(keys) + 1:]}}).reset_index()
    query = pd.DataFrame({"unit": pd.Index(uniques).get_indexer(targets["unit"].to_numpy()),
                          "year": targets["base_year"].to_numpy(dtype=np.int64)})
    position = lookup(sums, query, ["unit", "year"])
    found = position >= 0
    position = np.maximum(position, 0)
    base = sums["_ordinal"].to_numpy()[position]
    skilled = sums["skilled"].to_numpy()[position]
    denominator = np.where(targets["skill_level"].to_numpy() == "skilled",
                           sums["employment"].to_numpy()[position], skilled)
    numerator = skilled.copy()
    if "high_skilled" in sums.columns:
        numerator = np.where(targets["skill_level"].to_numpy() == "skilled", skilled,
                             sums["high_skilled"].to_numpy()[position])
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(found & (denominator > 0), numerator / denominator, np.nan)
    base_time = np.full(len(targets), -1, dtype=np.int64)
    if found.any():
        base_time[found] = end_ordinals(base[found], code, freq)
    return share, base_time


def target_points(targets: pd.DataFrame, original: pd.DataFrame, base_share: np.ndarray,
                  base_time: np.ndarray, path: pd.DataFrame | None, unit: str,
                  freq: str) -> pd.DataFrame:
    """Points (``unit, skill_level, time, share``) every target path runs through.

    Each target row gives its final share (the ``share``, or the base share
    plus ``delta_points``) at the end of its target year and, unless the
    target is already met or the target year is the base year, the base
    share at the end of the base period; a ``path`` table adds its points.

    Parameters
    ----------
    targets : pandas.DataFrame
        The checked target rows, wildcards expanded (``_row``, ``unit``,
        ``skill_level``, ``share``, ``delta``, ``target_year``,
        ``base_year``).
    original : pandas.DataFrame
        The targets table as given, for the messages.
    base_share, base_time : numpy.ndarray
        Per target row, as :func:`base_shares` returns them.
    path : pandas.DataFrame or None
        The checked path table (``_row``, ``unit``, ``skill_level``,
        ``time``, ``share``), or None.
    unit : str
        The column targets are set on: ``"region"`` or ``"province"``.
    freq : str
        The frequency of the ``time`` ordinals.

    Returns
    -------
    pandas.DataFrame
        ``unit, skill_level, time, share``: one row per point, ``time`` the
        ordinal at ``freq`` of the period the share is reached by.

    Raises
    ------
    PlanningError
        If a target row needs a base share the observed table does not give,
        a relative target leaves [0, 1], a path point comes at or before the
        base year, or a path has two shares for one period (naming the rows).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> targets = pd.DataFrame({"_row": [0], "unit": ["A"], "skill_level": ["skilled"],
    ...                         "share": [np.nan], "delta": [5.0], "target_year": [2026],
    ...                         "base_year": [2024]})
    >>> base_time = np.array([pd.Period("2024", freq="Y").ordinal])
    >>> points = target_points(targets, targets.rename(columns={"unit": "region"}),
    ...                        np.array([0.25]), base_time, None, "region", "Y")
    >>> points.assign(time=[str(pd.Period(ordinal=t, freq="Y")) for t in points["time"]])
      unit skill_level  time  share
    0    A     skilled  2026    0.3
    1    A     skilled  2024   0.25
    """
    problems = Problems("targets", original, unit)
    relative = ~np.isnan(targets["delta"].to_numpy())
    has_base = ~np.isnan(base_share)
    final = np.where(relative, base_share + targets["delta"].to_numpy() / 100.0,
                     targets["share"].to_numpy())
    with_path = np.zeros(len(targets), dtype=bool)
    if path is not None:
        with_path = lookup(path, targets, ["unit", "skill_level"]) >= 0
    rows = targets["_row"].to_numpy()
    years = targets["base_year"].to_numpy()
    # a row for "*" stands for several units: say which one fails
    where = [f"for {unit} {u!r}: " if original[unit].iloc[r] == WILDCARD else ""
             for u, r in zip(targets["unit"], rows, strict=True)]
    levels = targets["skill_level"].to_numpy()
    bad = np.flatnonzero(relative & ~has_base)
    problems.add(rows[bad], [f"{where[i]}a relative target needs the base share, but the "
                             f"observed table has no {levels[i]} stock (or no denominator) "
                             f"for it in the base year {years[i]}; give the row a base_year "
                             "the table observes" for i in bad])
    bad = np.flatnonzero(~relative & ~has_base & ~with_path)
    problems.add(rows[bad], [f"{where[i]}the path to the target starts from the observed share "
                             f"in the base year {years[i]}, which the observed table does not "
                             "give; give the row a base_year the table observes (e.g. "
                             f"{years[i] - 1}), or add those observations or a path table"
                             for i in bad])
    reach = np.flatnonzero(relative & has_base & ~((final >= 0) & (final <= 1)))
    problems.add(rows[reach], [f"{where[i]}base share {fmt(base_share[i])} + "
                               f"{fmt(targets['delta'].iloc[i])} points = {fmt(final[i])} is "
                               "outside [0, 1]" for i in reach])
    problems.raise_any()
    warn_implausible_targets(targets, base_share, final, unit)

    target_time = year_end_ordinals(targets["target_year"].to_numpy(), freq)
    # target_year == base_year: a one-point path, the target share from the base year on;
    # a target is a floor: one already met (base share >= target) is the path itself
    with np.errstate(invalid="ignore"):
        met = has_base & (base_share >= final)
    starts = has_base & (base_time != target_time) & ~met
    parts = [pd.DataFrame({"unit": targets["unit"], "skill_level": targets["skill_level"],
                           "time": target_time, "share": final}),
             pd.DataFrame({"unit": targets["unit"], "skill_level": targets["skill_level"],
                           "time": base_time, "share": base_share})[starts]]
    if path is not None:
        start = lookup(targets, path, ["unit", "skill_level"])
        origin = np.where(start >= 0, base_time[np.maximum(start, 0)], -1)
        early = np.flatnonzero((start >= 0) & (path["time"].to_numpy() <= origin))
        if early.size:
            raise PlanningError(
                f"the path table breaks {plural(early.size, 'rule')}: "
                + "; ".join(f"row {path['_row'].iloc[i]} ({path['unit'].iloc[i]!r}, "
                            f"{path['skill_level'].iloc[i]}): a path point at or before the "
                            "base year; rule: path periods come after the base year"
                            for i in early[:_MAX_SHOWN]))
        parts.append(path[["unit", "skill_level", "time", "share"]])
    points = pd.concat(parts, ignore_index=True)
    clash = points.duplicated(["unit", "skill_level", "time"], keep=False).to_numpy()
    if clash.any():
        first = points[clash].iloc[0]
        raise PlanningError(
            f"the target path of {first['unit']!r} ({first['skill_level']}) has two shares for "
            f"{pd.Period(ordinal=int(first['time']), freq=freq)}: the path table repeats the "
            "base or target year; rule: one share per period")
    return points
