"""Places already funded before a multi-year plan: the ``committed`` table.

A bureau that re-plans every year has funded places in earlier plans whose
workers are still to come: places of last year's plan certify in this
plan's need periods. :func:`read_committed` checks the table of those places
(one row per unit, as the plan's decisions are keyed, and funding period:
``<unit keys...>, period, places``) and returns them as places per unit and
funding period. Their workers reach the cells by the plan's own rules (the
problem's transfer construction, with the committed funding periods: see
:func:`talentgap.planning._multiyear_problem.build_years_problem`), cost
nothing in the plan's budgets and capacities, and reduce every need they
reach before the plan's places do (:func:`reduce_needs`).
Problems the caller can fix raise :class:`~talentgap.errors.PlanningError`
naming the table, the column, the rule and example rows (with the file's
line numbers when the table carries them in ``attrs["line_numbers"]``, as
the command line's readers set).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap._words import rows_fail
from talentgap.errors import PlanningError, SchemaError
from talentgap.periods import normalize_freq, parse_periods
from talentgap.planning._params import PARAMETER_RANGES, fmt, shown_value
from talentgap.planning._problem import Scenarios

__all__ = ["Committed", "read_committed", "reduce_needs", "committed_words", "COMMITTED_BASIS"]

_MAX_SHOWN = 5
_WHAT = "committed"

#: What the plan's "before" figures mean when places were already funded.
COMMITTED_BASIS = ("after the places already funded (the committed table), before the "
                   "plan's places")


@dataclass(frozen=True)
class Committed:
    """Places already funded, per unit and funding period.

    ``unit`` indexes the plan's units (its cells, or with a crosswalk its
    programmes), ``period`` holds each row's funding period as an ordinal
    of the plan's frequency, ``places`` its places; ``funding`` the distinct
    funding periods, sorted, and ``at`` each row's position among them.
    """

    unit: np.ndarray
    period: np.ndarray
    places: np.ndarray
    funding: np.ndarray
    at: np.ndarray

    def vector(self, n_units: int) -> np.ndarray:
        """Places as decisions over the committed funding periods (``u * n_funding + s``)."""
        out = np.zeros(n_units * self.funding.size)
        np.add.at(out, self.unit * self.funding.size + self.at, self.places)
        return out


def _line(table: pd.DataFrame, i: int) -> str:
    """``line 3``: the row's line in its file (``attrs["line_numbers"]``), else ``row i``."""
    lines = table.attrs.get("line_numbers")
    if lines is not None and len(lines) == len(table):
        return f"line {int(np.asarray(lines)[i])}"
    return f"row {i}"


def _where(table: pd.DataFrame, rows: np.ndarray, columns: list[str]) -> list[str]:
    """``line 3 (welding, Northvale, 2024)`` per row."""
    return [f"{_line(table, i)} (" + ", ".join(str(table[c].iloc[i]) for c in columns) + ")"
            for i in rows]


def _fail(column: str, rule: str, table: pd.DataFrame, rows: np.ndarray, details: list[str],
          columns: list[str]) -> PlanningError:
    shown = rows[:_MAX_SHOWN]
    where = _where(table, shown, columns)
    more = f"; and {rows.size - shown.size} more" if rows.size > shown.size else ""
    return PlanningError(
        f"column {column!r} of the {_WHAT} table {rule}; {rows_fail(rows.size)}, e.g. "
        + "; ".join(f"{w}: {d}" for w, d in zip(where, details, strict=True)) + more)


def read_committed(table, units: pd.DataFrame, unit_keys, funding: pd.arrays.PeriodArray,
                   *, noun: str = "cell") -> Committed | None:
    """Check the ``committed`` table against the plan's units and first funding period.

    Parameters
    ----------
    table : pandas.DataFrame or None
        ``<unit keys...>, period, places``: every unit key (the cell keys,
        or with a crosswalk ``program`` and the location keys), the funding
        period (at or before the plan's first) and the places funded, a
        number >= 0. One row per unit and funding period.
    units : pandas.DataFrame
        The plan's units (cells, or programmes) with their key columns.
    unit_keys : sequence of str
        Their key columns.
    funding : pandas.arrays.PeriodArray
        The plan's funding periods, sorted.
    noun : str, default "cell"
        What a unit is called in messages (``"programme"``).

    Returns
    -------
    Committed or None
        None without a table (or an empty one).

    Raises
    ------
    PlanningError
        A key or column missing or unknown, a unit the plan does not know, a
        number of places missing, not a number or negative, a period that is
        not a period of the plan's frequency or comes after the plan's first
        funding period, or a unit and period listed twice.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"industry": ["A", "B"]})
    >>> funding = pd.period_range("2025", periods=2, freq="Y").array
    >>> table = pd.DataFrame({"industry": ["B", "A"], "period": [2024, 2025],
    ...                       "places": [100, 20]})
    >>> got = read_committed(table, cells, ["industry"], funding)
    >>> got.unit.tolist(), got.places.tolist(), got.vector(2).tolist()
    ([1, 0], [100.0, 20.0], [0.0, 20.0, 100.0, 0.0])
    >>> read_committed(table.assign(period=2026), cells, ["industry"], funding)
    Traceback (most recent call last):
      ...
    talentgap.errors.PlanningError: column 'period' of the committed table must be at or \
before the plan's first funding period 2025 (places funded later are the plan's to \
decide); 2 rows fail, e.g. row 0 (B, 2026): 2026; row 1 (A, 2026): 2026
    """
    if table is None:
        return None
    if not isinstance(table, pd.DataFrame):
        raise PlanningError(f"committed must be a pandas DataFrame (<unit keys...>, period, "
                            f"places), got {type(table).__name__}")
    unit_keys = list(unit_keys)
    needed = [*unit_keys, "period", "places"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise PlanningError(
            f"the {_WHAT} table needs the columns {needed} (one row per {noun} and funding "
            f"period: the places already funded); it lacks {missing} and has "
            f"{list(table.columns)}")
    other = [c for c in table.columns if c not in needed]
    if other:
        raise PlanningError(f"the {_WHAT} table has columns {other} that are neither the "
                            f"{noun} keys {unit_keys} nor 'period' or 'places'")
    if table.empty:
        return None
    shown_keys = [*unit_keys, "period"]
    for key in unit_keys:
        blank = np.flatnonzero(table[key].isna().to_numpy())
        if blank.size:
            raise _fail(key, "must have a value", table, blank, ["missing"] * blank.size,
                        shown_keys)
    raw = table["places"].to_numpy()
    places = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan)
    rule = PARAMETER_RANGES["places"]
    bad = np.flatnonzero(np.isnan(places) | rule.outside(places))
    if bad.size:
        raise _fail("places", f"must be a finite number {rule.words()} (places already funded)",
                    table,
                    bad, [shown_value(raw[i]) for i in bad[:_MAX_SHOWN]], shown_keys)
    freq = normalize_freq(funding.freqstr)
    try:
        period = np.asarray(parse_periods(table["period"], freq=freq, name="period").array.asi8)
    except SchemaError as err:
        raise PlanningError(f"column 'period' of the {_WHAT} table: {err}") from err
    late = np.flatnonzero(period > funding.asi8[0])
    if late.size:
        raise _fail("period", f"must be at or before the plan's first funding period "
                    f"{funding[0]} (places funded later are the plan's to decide)", table,
                    late, [shown_value(table["period"].iloc[i]) for i in late[:_MAX_SHOWN]],
                    shown_keys)
    left = table[unit_keys].astype(str).reset_index(drop=True)
    left["__row"] = np.arange(len(left))
    right = units[unit_keys].astype(str).reset_index(drop=True)
    right["__unit"] = np.arange(len(right))
    both = left.merge(right, on=unit_keys, how="left").sort_values("__row")
    unknown = both.loc[both["__unit"].isna(), "__row"].to_numpy(dtype=np.int64)
    if unknown.size:
        raise _fail(", ".join(unit_keys), f"must name a {noun} of the plan", table, unknown,
                    [f"no such {noun}"] * min(unknown.size, _MAX_SHOWN), shown_keys)
    unit = both["__unit"].to_numpy(dtype=np.int64)
    pair = unit * (period.max() - period.min() + 1) + (period - period.min())
    first = pd.Series(np.arange(pair.size)).groupby(pair).transform("first").to_numpy()
    twice = np.flatnonzero(first != np.arange(pair.size))
    if twice.size:
        raise _fail(", ".join(shown_keys), f"must not repeat a {noun} and funding period "
                    "(add the places up into one row)", table, twice,
                    [f"repeats {_line(table, first[i])}"
                     for i in twice[:_MAX_SHOWN]], shown_keys)
    distinct, at = np.unique(period, return_inverse=True)
    return Committed(unit=unit, period=period, places=places, funding=distinct,
                     at=at.astype(np.int64))


def reduce_needs(market: Scenarios, committed: np.ndarray) -> Scenarios:
    """The market need's scenarios less the committed workers of each target.

    Subtracting the same number from every scenario of a target keeps each
    target's values sorted, so the result is a valid :class:`Scenarios`.
    The difference may be negative (a surplus), as a gap may be.
    """
    return Scenarios(cell=market.cell, value=market.value - committed[market.cell],
                     weight=market.weight, count=market.count, start=market.start)


def committed_words(places: float, arriving: float, need: pd.arrays.PeriodArray) -> str:
    """The plan's note on the places already funded (one sentence).

    Examples
    --------
    >>> need = pd.period_range("2025", periods=2, freq="Y").array
    >>> committed_words(1700.0, 1139.0, need)  # doctest: +NORMALIZE_WHITESPACE
    '1,700 places were already funded (the committed table): 1,139 of their certified
    workers arrive in the need periods 2025 to 2026 and count against every need before
    the plan\\'s places; "before" figures (gap_before, shortfall_before, policy_need) count
    them, and committed_workers shows them per cell and period'
    """
    return (f"{fmt(places)} places were already funded (the {_WHAT} table): {fmt(arriving)} "
            f"of their certified workers arrive in the need periods {need[0]} to {need[-1]} "
            "and count against every need before the plan's places; \"before\" figures "
            "(gap_before, shortfall_before, policy_need) count them, and committed_workers "
            "shows them per cell and period")
