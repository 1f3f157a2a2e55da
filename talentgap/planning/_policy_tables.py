"""The targets and path tables of :mod:`talentgap.planning.policy`: rules, checked together.

Every rule failure names the row (its position in the table, its region or
province and skill level) and the rule; all rows are checked before one
:class:`~talentgap.errors.PlanningError` lists them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._checks import did_you_mean
from talentgap._frequencies import PER_YEAR
from talentgap.errors import DataQualityWarning, PlanningError, SchemaError, warn
from talentgap.periods import end_ordinals
from talentgap.planning._params import fmt, plural
from talentgap.planning._tables import (
    lookup,
    period_column_ordinals,
    require,
)

__all__ = ["SKILL_LEVELS", "WILDCARD", "Problems", "check_targets", "expand_wildcards",
           "check_path", "warn_implausible_targets", "DELTA_POINTS_PLAUSIBLE"]

#: Skill levels a target can be set for, and what their share is a share of.
SKILL_LEVELS = {"skilled": "employment", "high_skilled": "skilled workers"}
#: The region (province) name that stands for every one without a row of its own.
WILDCARD = "*"
_MAX_SHOWN = 5


def _years(column: pd.Series) -> np.ndarray:
    """Whole years as floats (NaN where the value is not a year)."""
    if isinstance(column.dtype, pd.PeriodDtype):
        return column.dt.year.to_numpy(dtype=np.float64, na_value=np.nan)
    values = pd.to_numeric(column.astype(object), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan)
    good = np.isfinite(values) & (values == np.round(values)) & (values >= 1000) \
        & (values <= 9999)
    return np.where(good, values, np.nan)


class Problems:
    """Rule failures of rows of an input table, raised together."""

    def __init__(self, what: str, table: pd.DataFrame, unit: str) -> None:
        self.what, self.table, self.unit = what, table, unit
        self.items: list[tuple[int, str]] = []

    def name(self, row: int) -> str:
        record = self.table.iloc[row]
        level = record.get("skill_level", "")
        return f"row {row} ({self.unit} {record[self.unit]!r}, {level})"

    def add(self, rows, rule) -> None:
        for number, row in enumerate(np.asarray(rows, dtype=np.int64)):
            text = rule if isinstance(rule, str) else rule[number]
            self.items.append((int(row), text))

    def raise_any(self) -> None:
        if not self.items:
            return
        self.items.sort(key=lambda item: item[0])
        shown = [f"{self.name(row)}: {text}" for row, text in self.items[:2 * _MAX_SHOWN]]
        more = len(self.items) - len(shown)
        raise PlanningError(
            f"the {self.what} table breaks {plural(len(self.items), 'rule')}: "
            + "; ".join(shown) + (f"; and {more} more" if more > 0 else ""))


def _check_common(problems: Problems, table: pd.DataFrame, unit: str, units: np.ndarray,
                  wildcard: bool) -> None:
    """Unknown units and skill levels."""
    names = table[unit].to_numpy(dtype=object)
    known = pd.Index(pd.unique(units))
    allowed = known.append(pd.Index([WILDCARD])) if wildcard else known
    missing = pd.isna(names)
    problems.add(np.flatnonzero(missing), f"{unit} is missing")
    unknown = np.flatnonzero(~missing & ~pd.Index(names).isin(allowed))
    problems.add(unknown, [f"unknown {unit} {names[i]!r}{did_you_mean(names[i], known)}; "
                           f"rule: targets must name a {unit} of the projection"
                           for i in unknown])
    levels = table["skill_level"].to_numpy(dtype=object)
    bad = np.flatnonzero(~pd.Index(levels).isin(list(SKILL_LEVELS)))
    problems.add(bad, [f"unknown skill_level {levels[i]!r}{did_you_mean(levels[i], SKILL_LEVELS)}"
                       f"; use one of {list(SKILL_LEVELS)}" for i in bad])


def _share_rule(problems: Problems, rows: np.ndarray, values: np.ndarray, what: str) -> None:
    bad = np.flatnonzero(~((values >= 0) & (values <= 1)))
    problems.add(rows[bad], [f"{what} {fmt(values[i])} is outside [0, 1] (a share, e.g. 0.3 "
                             "for 30%)" for i in bad])


def _duplicates(problems: Problems, table: pd.DataFrame, on: list[str]) -> None:
    frame = table[on].astype(str)
    repeated = np.flatnonzero(frame.duplicated(keep=False).to_numpy())
    if repeated.size:
        group = pd.factorize(pd.MultiIndex.from_frame(frame.iloc[repeated]))[0]
        rows = pd.Series(repeated).groupby(group).agg(lambda s: ", ".join(map(str, s)))
        problems.add(repeated, [f"duplicate target: rows {rows[g]} share ({', '.join(on)})"
                                for g in group])


def check_targets(targets, unit: str, units: np.ndarray, last_year: int) -> pd.DataFrame:
    """Validated targets: ``_row, unit, skill_level, share, delta, target_year, base_year``."""
    table = require(targets, "targets", [unit, "skill_level", "target_year"])
    if "share" not in table.columns and "delta_points" not in table.columns:
        raise SchemaError("the targets table needs a 'share' column (absolute targets) or a "
                          "'delta_points' column (relative targets); columns are "
                          f"{list(table.columns)}", column="share", reason="missing_column")
    table = table.reset_index(drop=True)
    problems = Problems("targets", table, unit)
    _check_common(problems, table, unit, units, wildcard=True)
    n = len(table)

    def numbers(column: str) -> np.ndarray:
        if column not in table.columns:
            return np.full(n, np.nan)
        return pd.to_numeric(table[column].astype(object), errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan)

    share, delta = numbers("share"), numbers("delta_points")
    given = (~np.isnan(share)).astype(int) + (~np.isnan(delta)).astype(int)
    problems.add(np.flatnonzero(given != 1),
                 ["give exactly one of share (absolute) and delta_points (relative), "
                  f"found {'both' if g == 2 else 'neither'}" for g in given[given != 1]])
    has_share = np.flatnonzero(~np.isnan(share))
    _share_rule(problems, has_share, share[has_share], "share")
    has_delta = np.flatnonzero(~np.isnan(delta))
    bad = has_delta[~(np.abs(delta[has_delta]) <= 100)]
    problems.add(bad, [f"delta_points {fmt(delta[i])} is not a change in percentage points "
                       "within [-100, 100]" for i in bad])

    target_year = _years(table["target_year"])
    bad = np.flatnonzero(np.isnan(target_year))
    problems.add(bad, [f"target_year {table['target_year'].iloc[i]!r} is not a year such as "
                       "2030" for i in bad])
    base_year = np.full(n, float(last_year))
    if "base_year" in table.columns:
        given_base = table["base_year"].notna().to_numpy()
        parsed = _years(table["base_year"])
        bad = np.flatnonzero(given_base & np.isnan(parsed))
        problems.add(bad, [f"base_year {table['base_year'].iloc[i]!r} is not a year" for i in bad])
        base_year = np.where(given_base & ~np.isnan(parsed), parsed, base_year)
    late = np.flatnonzero(base_year > last_year)
    problems.add(late, [f"base_year {base_year[i]:.0f} is after the last observed year "
                        f"{last_year}; rule: the base year must be observed" for i in late])
    before = np.flatnonzero(target_year < base_year)
    problems.add(before, [f"target_year {target_year[i]:.0f} is before the base year "
                          f"{base_year[i]:.0f}; rule: target_year >= base_year" for i in before])
    _duplicates(problems, table, [unit, "skill_level"])
    problems.raise_any()
    return pd.DataFrame({"_row": np.arange(n), "unit": table[unit].to_numpy(dtype=object),
                         "skill_level": table["skill_level"].to_numpy(dtype=object),
                         "share": share, "delta": delta,
                         "target_year": target_year.astype(np.int64),
                         "base_year": base_year.astype(np.int64)})


#: Relative targets outside this range of percentage points are warned about: below 1 is
#: probably a fraction written for points (0.025 for 2.5), above 20 a share for points.
DELTA_POINTS_PLAUSIBLE = (1.0, 20.0)


def warn_implausible_targets(targets: pd.DataFrame, base_share: np.ndarray,
                             final: np.ndarray, unit: str) -> None:
    """A DataQualityWarning for targets that are valid but probably not what was meant.

    ``targets`` are the checked rows after the wildcards are expanded (one
    per target unit and skill level), ``base_share`` their observed share in
    the base year (NaN: unknown) and ``final`` their target share. Warned:
    relative targets of fewer than 1 or more than 20 percentage points
    (:data:`DELTA_POINTS_PLAUSIBLE`), absolute targets below the share
    already observed (already met: the path is the target share itself), and
    targets due in their base year. Each distinct target is named once, with
    the regions it reaches.
    """
    delta = targets["delta"].to_numpy(dtype=np.float64)
    share = targets["share"].to_numpy(dtype=np.float64)
    names = targets["unit"].astype(str).to_numpy(dtype=object)
    levels = targets["skill_level"].to_numpy(dtype=object)
    low, high = DELTA_POINTS_PLAUSIBLE
    with np.errstate(invalid="ignore"):
        small = (np.abs(delta) < low) & (delta != 0)
        large = np.abs(delta) > high
        falls = ~np.isnan(share) & (final < base_share)
    years = targets["target_year"].to_numpy()
    now = years == targets["base_year"].to_numpy()
    messages = []
    for level in SKILL_LEVELS:
        mine = levels == level
        for value in np.unique(delta[small & mine]):
            at = small & mine & (delta == value)
            messages.append(
                f"the {level} target of {_reach(names[at], unit)} is {fmt(value)} percentage "
                f"points over the base year: delta_points are points, not a fraction (2.5 "
                f"means +2.5 points); did you mean {fmt(value * 100)} points?")
        for value in np.unique(delta[large & mine]):
            at = np.flatnonzero(large & mine & (delta == value))
            example = (f" (e.g. {names[at[0]]!r} from {base_share[at[0]]:.1%} to "
                       f"{final[at[0]]:.1%})" if np.isfinite(base_share[at[0]]) else "")
            messages.append(
                f"the {level} target of {_reach(names[at], unit)} raises the share by "
                f"{fmt(value)} percentage points{example}, more than {fmt(high)}; check "
                "delta_points (2.5 means +2.5 points)")
        for value in np.unique(share[falls & mine]):
            at = np.flatnonzero(falls & mine & (share == value))
            observed = ", ".join(f"{names[i]!r} {base_share[i]:.1%}" for i in at[:_MAX_SHOWN])
            observed += f" and {at.size - _MAX_SHOWN} more" if at.size > _MAX_SHOWN else ""
            messages.append(
                f"the {level} target share {value:.1%} is below the share observed in the base "
                f"year in {plural(at.size, unit)} ({observed}): a target is a floor, so the "
                "path is the target share itself and a need appears only once the projected "
                "share falls below it; "
                + (f"did you mean {value * 10:.0%}? " if value * 10 <= 1 else "")
                + "a share is written 0.35 for 35%")
        for year in np.unique(years[now & mine]):
            at = now & mine & (years == year)
            messages.append(
                f"the {level} target of {_reach(names[at], unit)} is due in the base year "
                f"{year}: the target share holds from then on, with no path towards it; "
                "check target_year")
    for message in messages:
        warn(message, DataQualityWarning, stacklevel=4)


def _reach(names: np.ndarray, unit: str) -> str:
    """``region 'Ashmere'`` or ``12 regions (e.g. 'Ashmere', 'Copperwick')``."""
    names = pd.unique(names)
    if len(names) == 1:
        return f"{unit} {names[0]!r}"
    shown = ", ".join(repr(n) for n in names[:2])
    return f"{plural(len(names), unit)} (e.g. {shown})"


def expand_wildcards(rows: pd.DataFrame, units: np.ndarray) -> pd.DataFrame:
    """Rows for ``"*"`` copied to every unit without a row of its own for that skill level."""
    wild = rows["unit"].to_numpy(dtype=object) == WILDCARD
    if not wild.any():
        return rows
    own = rows[~wild]
    every = pd.DataFrame({"unit": pd.unique(units)})
    copies = rows[wild].drop(columns="unit").merge(every, how="cross")
    taken = lookup(own, copies, ["unit", "skill_level"]) >= 0
    return pd.concat([own, copies[~taken]], ignore_index=True)


def check_path(path, unit: str, units: np.ndarray, freq: str) -> pd.DataFrame:
    """Validated path points: ``_row, unit, skill_level, time, share``."""
    table = require(path, "path", [unit, "skill_level", "period", "share"]).reset_index(drop=True)
    problems = Problems("path", table, unit)
    _check_common(problems, table, unit, units, wildcard=False)
    share = pd.to_numeric(table["share"].astype(object), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan)
    _share_rule(problems, np.arange(len(table)), share, "share")
    _duplicates(problems, table, [unit, "skill_level", "period"])
    problems.raise_any()
    return pd.DataFrame({"_row": np.arange(len(table)), "unit": table[unit].to_numpy(object),
                         "skill_level": table["skill_level"].to_numpy(object),
                         "time": _end_ordinals(table["period"], "path", freq),
                         "share": share})


def _end_ordinals(column: pd.Series, what: str, freq: str) -> np.ndarray:
    """Ordinal at frequency ``freq`` of the last sub-period of each (coarser) period."""
    ordinals, code = period_column_ordinals(column, what)
    if code == freq:
        return ordinals
    if PER_YEAR[code] > PER_YEAR[freq]:
        raise SchemaError(f"the {what} table's periods are {code!r}, finer than the "
                          f"projection's {freq!r}", column="period", reason="bad_period")
    return end_ordinals(ordinals, code, freq)
