"""Skill levels as declared data: their order, and which count as skilled and high-skilled.

Certificates of vocational skill come in grades (for example ordinary
worker, senior worker, technician, senior technician). Which grades exist,
their order from lowest to highest, and which of them count as
*high-skilled* are facts of the plan a bureau serves, not of the data, so
they are declared once in a :class:`SkillLevels` and used by every step
that meets a ``skill_level`` column:

* :func:`talentgap.features.estimate_cells` and
  :func:`talentgap.features.build_panel` keep the declared order (an ordered
  categorical, lowest first) and refuse a level outside it;
* :func:`skilled_employment` derives the ``skilled`` and ``high_skilled``
  counts of the employment table from its rows by level;
* :func:`stock_pipeline` turns training by level, including *upgrade
  training* (a ``from_level`` column: workers moving up from one level to
  another), into the net inflows of the skilled and high-skilled stocks.

The rule that links levels to the two stocks: **every declared level counts
as skilled** (except levels declared ``unskilled``, such as a level for
workers without a certificate), and the levels declared ``high_skilled``
count as high-skilled too. High-skilled levels are therefore skilled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap import _checks
from talentgap._arguments import key_list
from talentgap._words import rows_fail
from talentgap.errors import ParameterError, SchemaError
from talentgap.features._inputs import canonical_table
from talentgap.features._level_codes import unknown_level_error, unknown_levels
from talentgap.features.supply import training_supply

__all__ = ["SkillLevels", "skill_levels_of", "check_skill_levels", "skilled_employment",
           "stock_pipeline"]

_MAX_SHOWN = 5
#: The counts of an employment table by skill level, in persons.
_EMPLOYMENT_COUNTS = ("employment", "skilled", "high_skilled")


def _names(value, what: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ParameterError(f"{what} must be a sequence of skill levels, got {value!r}")
    names = tuple(value)
    bad = [v for v in names if not isinstance(v, str) or not v.strip()]
    if bad:
        raise ParameterError(f"{what} must hold non-empty level names (str), got {bad[0]!r}")
    repeated = sorted({v for v in names if names.count(v) > 1})
    if repeated:
        raise ParameterError(f"{what} repeat a level: {repeated}")
    return names


@dataclass(frozen=True)
class SkillLevels:
    """The declared skill levels: their order and which count as (high-)skilled.

    Parameters
    ----------
    order : sequence of str
        Every level, lowest first.
    high_skilled : sequence of str, default ()
        The levels whose workers count as high-skilled (and as skilled).
    unskilled : sequence of str, default ()
        Levels whose workers do not count as skilled (for example a level for
        employees without a certificate); every other level does.

    Raises
    ------
    ParameterError
        If a level repeats, a name is not a non-empty string, a high-skilled
        or unskilled level is not in ``order``, or a level is both.

    Examples
    --------
    >>> levels = SkillLevels(order=["ordinary", "senior", "technician", "senior_technician"],
    ...                      high_skilled=["technician", "senior_technician"])
    >>> levels.skilled
    ('ordinary', 'senior', 'technician', 'senior_technician')
    >>> levels.dtype.ordered, list(levels.dtype.categories[:2])
    (True, ['ordinary', 'senior'])
    """

    order: tuple[str, ...]
    high_skilled: tuple[str, ...] = ()
    unskilled: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        order = _names(self.order, "skill_levels")
        if not order:
            raise ParameterError("skill_levels must declare at least one level")
        for name in ("high_skilled", "unskilled"):
            names = _names(getattr(self, name), name)
            unknown = [v for v in names if v not in order]
            if unknown:
                raise ParameterError(f"{name} level {unknown[0]!r} is not one of the declared "
                                     f"skill_levels {list(order)}")
            object.__setattr__(self, name, names)
        both = [v for v in self.high_skilled if v in self.unskilled]
        if both:
            raise ParameterError(f"level {both[0]!r} cannot be both high_skilled and unskilled")
        object.__setattr__(self, "order", order)

    def __iter__(self):
        """The levels, lowest first: a :class:`SkillLevels` works wherever an order does."""
        return iter(self.order)

    def __len__(self) -> int:
        return len(self.order)

    @property
    def skilled(self) -> tuple[str, ...]:
        """The levels whose workers count as skilled, lowest first."""
        return tuple(v for v in self.order if v not in self.unskilled)

    @property
    def dtype(self) -> pd.CategoricalDtype:
        """The ordered categorical dtype of a ``skill_level`` column (lowest first)."""
        return pd.CategoricalDtype(pd.Index(list(self.order), dtype="str"), ordered=True)

    def flags(self, levels) -> tuple[np.ndarray, np.ndarray]:
        """Whether each of ``levels`` counts as skilled and as high-skilled (False if blank)."""
        values = pd.Index(np.asarray(levels, dtype=object))
        return (np.asarray(values.isin(self.skilled)), np.asarray(values.isin(self.high_skilled)))


def skill_levels_of(value) -> SkillLevels | None:
    """``value`` as :class:`SkillLevels`: given as one, as the order alone, or None.

    Examples
    --------
    >>> skill_levels_of(["ordinary", "high"]).order
    ('ordinary', 'high')
    >>> skill_levels_of(None) is None
    True
    """
    if value is None or isinstance(value, SkillLevels):
        return value
    return SkillLevels(order=value)


def _level_error(table: str, column: str, rule: str, text: str, rows: np.ndarray,
                 values: np.ndarray) -> SchemaError:
    """A :class:`SchemaError` naming the table, column, rule and the first few lines."""
    lines = rows + 2  # line 1 is the header
    shown = ", ".join(f"line {line}: {value!r}"
                      for line, value in zip(lines[:_MAX_SHOWN], values[:_MAX_SHOWN],
                                             strict=True))
    cases = pd.DataFrame({"line": lines, "row": rows, "column": column, "rule": rule,
                          "value": values, "message": text},
                         columns=_checks.FAILURE_COLUMNS)
    return SchemaError(
        f"{table}: column {column!r} {text} [{rule}]; {rows_fail(rows.size)}, e.g. {shown}",
        column=column, reason=rule, failure_cases=cases)


def check_skill_levels(table: pd.DataFrame, levels: SkillLevels, *, name: str,
                 columns: Sequence[str] = ("skill_level", "from_level"),
                 line_numbers=None) -> None:
    """Raise if a level in ``columns`` of ``table`` is not a declared level.

    Blank values pass (whether they may be blank is the table's own rule).
    ``line_numbers``: the input line of every row (default: position + 2,
    line 1 being the header).

    Raises
    ------
    SchemaError
        Rule ``unknown_code``, naming the table, the column, the declared
        levels and the lines, each value with the closest declared level
        (:func:`talentgap.features._level_codes.unknown_level_error`, the
        one wording of this error).

    Examples
    --------
    >>> training = pd.DataFrame({"skill_level": ["senior", "master", "Senior"]})
    >>> check_skill_levels(training, SkillLevels(order=["senior"]), name="training")
    Traceback (most recent call last):
    ...
    talentgap.errors.SchemaError: training: column 'skill_level' must be one of the declared \
skill levels ['senior'] [unknown_code]; 2 rows fail, e.g. line 3: 'master', line 4: 'Senior' \
(did you mean 'senior'?)
    """
    for column in columns:
        if column not in table.columns:
            continue
        rows = unknown_levels(table[column], levels.order)
        if rows.size:
            raise unknown_level_error(name, table, column, levels.order, rows, line_numbers)


def _check_given(table: pd.DataFrame, column: str, derived: np.ndarray) -> None:
    """A given ``skilled`` / ``high_skilled`` column must equal the one the levels imply."""
    given = table[column].to_numpy(dtype=np.float64, na_value=np.nan)
    differ = ~np.isnan(given) & (given != derived)
    if differ.any():
        rows = np.flatnonzero(differ)
        text = (f"must equal the row's employment when its skill_level counts as {column} "
                "and 0 otherwise")
        values = [f"{table[column].iloc[r]} (levels imply {derived[r]:g})" for r in rows]
        raise _level_error("employment", column, "inconsistent_with_skill_level", text,
                           rows, np.asarray(values, dtype=object))


def skilled_employment(employment: pd.DataFrame, *, skill_levels,
                       keys: Sequence[str] | None = ("region", "industry"),
                       freq: str | None = None) -> pd.DataFrame:
    """Employment with ``skilled`` and ``high_skilled`` derived from its skill levels.

    Each row of an employment table with a ``skill_level`` column holds the
    workers of one level in a cell and period. A row's workers are
    *skilled* when its level counts as skilled (every declared level except
    the ``unskilled`` ones) and *high-skilled* when its level is declared
    high-skilled; a cell-period's ``skilled`` and ``high_skilled`` are the
    sums over its rows. Where the table also carries ``skilled`` or
    ``high_skilled`` columns, every row must agree with its level.

    Parameters
    ----------
    employment : pandas.DataFrame
        The ``employment`` table with a ``skill_level`` column (raw or
        validated; never modified).
    skill_levels : SkillLevels or sequence of str
        The declared levels (a bare sequence: the order, every level
        skilled, none high-skilled).
    keys : sequence of str or None, default ("region", "industry")
        Sum the rows to one per ``keys`` x period (the form
        :func:`talentgap.planning.project_employment`,
        :func:`talentgap.planning.project_skilled_stock` and
        :func:`talentgap.planning.policy_need` read). ``None`` keeps one row
        per level, with the derived counts per row.
    freq : {"Y", "Q", "M"}, optional
        Period frequency for parsing raw period labels.

    Returns
    -------
    pandas.DataFrame
        ``<keys>, period, employment, skilled, high_skilled`` (persons),
        sorted by ``keys`` then ``period``; with ``keys=None`` the validated
        table with ``skilled`` and ``high_skilled`` set per row.

    Raises
    ------
    SchemaError
        If the table breaks the ``employment`` schema, a level is not
        declared (rule ``unknown_code``), or a given ``skilled`` /
        ``high_skilled`` value disagrees with its row's level (rule
        ``inconsistent_with_skill_level``); naming the lines.
    ParameterError
        If the table has no ``skill_level`` column, or ``skill_levels`` is
        malformed.

    Examples
    --------
    >>> levels = SkillLevels(order=["none", "ordinary", "senior", "technician"],
    ...                      high_skilled=["technician"], unskilled=["none"])
    >>> employment = pd.DataFrame({
    ...     "period": "2024", "region": "North", "industry": "textiles",
    ...     "skill_level": ["none", "ordinary", "senior", "technician"],
    ...     "employment": [600, 250, 100, 50]})
    >>> skilled_employment(employment, skill_levels=levels)
      region  industry period  employment  skilled  high_skilled
    0  North  textiles   2024        1000      400            50
    """
    levels = skill_levels_of(skill_levels)
    if levels is None:
        raise ParameterError("skill_levels must be declared to derive skilled counts")
    if "skill_level" not in employment.columns:
        raise ParameterError("the employment table has no 'skill_level' column; its skilled "
                             "and high_skilled counts cannot be derived from levels")
    table = canonical_table(employment, "employment", freq=freq)
    check_skill_levels(table, levels, name="employment", columns=("skill_level",))
    skilled, high = levels.flags(table["skill_level"])
    workers = table["employment"].to_numpy(dtype=np.int64)
    derived = {"skilled": np.where(skilled, workers, 0),
               "high_skilled": np.where(high, workers, 0)}
    for column, values in derived.items():
        if column in table.columns:
            _check_given(table, column, values)
    table = table.assign(skill_level=table["skill_level"].astype(levels.dtype), **derived)
    if keys is None:
        return table
    keys = key_list(keys, distinct=True, time="period",
                    reserved={c: f"the {c} column" for c in _EMPLOYMENT_COUNTS})
    missing = [k for k in keys if k not in table.columns]
    if missing:
        raise ParameterError(f"keys {missing} are not columns of the employment table")
    return (table.groupby([*keys, "period"], observed=True, sort=True)
            [list(_EMPLOYMENT_COUNTS)].sum().reset_index())


def _gains(rows: pd.DataFrame, levels: SkillLevels) -> tuple[np.ndarray, np.ndarray]:
    """Per training row: does its output join the skilled and the high-skilled stock?"""
    skilled, high = levels.flags(rows["skill_level"])
    if "from_level" not in rows.columns:
        return skilled, high
    was_skilled, was_high = levels.flags(rows["from_level"])
    return skilled & ~was_skilled, high & ~was_high


def _check_upgrades(table: pd.DataFrame, levels: SkillLevels) -> None:
    """``from_level`` needs ``skill_level`` and must lie below it in the declared order."""
    if "from_level" not in table.columns:
        return
    if "skill_level" not in table.columns:
        raise ParameterError("the training table has a 'from_level' column but no "
                             "'skill_level': an upgrade names the level it leads to")
    rank = {level: i for i, level in enumerate(levels.order)}
    to = table["skill_level"].map(rank).to_numpy(dtype=np.float64, na_value=np.nan)
    origin = table["from_level"].map(rank).to_numpy(dtype=np.float64, na_value=np.nan)
    down = ~np.isnan(origin) & ~(origin < to)
    if down.any():
        rows = np.flatnonzero(down)
        values = [f"{table['from_level'].iloc[r]} -> {table['skill_level'].iloc[r]}"
                  for r in rows]
        raise _level_error("training", "from_level", "not_an_upgrade",
                           "must be a level below the row's skill_level in the declared order",
                           rows, np.asarray(values, dtype=object))


def stock_pipeline(training: pd.DataFrame, *, skill_levels,
                   keys: Sequence[str] = ("region", "industry"), freq: str | None = None,
                   lead_time: int | pd.DataFrame = 0,
                   absorption: float | pd.DataFrame = 1.0,
                   crosswalk: pd.DataFrame | None = None) -> pd.DataFrame:
    """Net inflows to the skilled and high-skilled stocks from training by skill level.

    Each training row certifies workers at its ``skill_level``. A row with a
    ``from_level`` is *upgrade training*: its certified workers leave
    ``from_level`` and join ``skill_level``, so they add to a stock only if
    they were not in it already. Per row, with certified ``C`` (times
    absorption, placed ``lead_time`` periods later as in
    :func:`talentgap.features.training_supply`)::

        supply              += C  if skill_level is skilled and from_level is not
        supply_high_skilled += C  if skill_level is high-skilled and from_level is not

    A row without ``from_level`` (blank, or no such column) trains new
    workers: they join every stock their level counts in. An upgrade from a
    skilled level to a high-skilled one thus leaves the skilled stock
    unchanged and adds to the high-skilled one.

    Parameters
    ----------
    training : pandas.DataFrame
        The ``training`` table with a ``skill_level`` column and optionally
        ``from_level`` (never modified).
    skill_levels : SkillLevels or sequence of str
        The declared levels.
    keys : sequence of str, default ("region", "industry")
        The cells of the pipeline (not ``skill_level``: the output is per stock).
    freq, lead_time, absorption, crosswalk
        As for :func:`talentgap.features.training_supply`: a ``program,
        industry, share`` crosswalk splits each row's inflows over the
        industries its programme feeds, as it splits the row's supply (the
        panel's, with the same crosswalk), so the stocks and the supply
        credit the same industries.

    Returns
    -------
    pandas.DataFrame
        ``<keys>, period, supply, supply_high_skilled`` (persons), one row per
        cell and period some output arrives in: the ``pipeline`` table of
        :func:`talentgap.planning.project_skilled_stock`.

    Raises
    ------
    SchemaError
        If the table breaks the ``training`` schema, a level is not declared
        (rule ``unknown_code``), or a ``from_level`` is not below its row's
        ``skill_level`` (rule ``not_an_upgrade``); naming the lines.
    ParameterError
        If the table has no ``skill_level`` column or ``keys`` holds it.

    Examples
    --------
    >>> levels = SkillLevels(order=["ordinary", "senior", "technician"],
    ...                      high_skilled=["technician"])
    >>> training = pd.DataFrame({
    ...     "period": "2024", "region": "North", "industry": "textiles",
    ...     "skill_level": ["ordinary", "technician", "technician"],
    ...     "from_level": [None, "senior", None],
    ...     "trained": [100, 40, 10], "certified": [80, 30, 5]})
    >>> stock_pipeline(training, skill_levels=levels, lead_time=1)
      region  industry period  supply  supply_high_skilled
    0  North  textiles   2025    85.0                 35.0

    A programme recorded under textiles whose graduates go 60/40 to
    textiles and clothing:

    >>> crosswalk = pd.DataFrame({"program": ["sewing", "sewing"],
    ...                           "industry": ["textiles", "clothing"], "share": [0.6, 0.4]})
    >>> stock_pipeline(training.assign(program="sewing"), skill_levels=levels, lead_time=1,
    ...                crosswalk=crosswalk)
      region  industry period  supply  supply_high_skilled
    0  North  textiles   2025    51.0                 21.0
    1  North  clothing   2025    34.0                 14.0
    """
    levels = skill_levels_of(skill_levels)
    if levels is None:
        raise ParameterError("skill_levels must be declared to count stock inflows by level")
    keys = key_list(keys, distinct=True, time="period",
                    reserved={"skill_level": "the skill-level column",
                              "from_level": "the upgrade-training column"},
                    hint="the stock pipeline is per skilled / high-skilled stock: leave "
                         "'skill_level' and 'from_level' out of keys")
    if "skill_level" not in training.columns:
        raise ParameterError("the training table has no 'skill_level' column; stock inflows "
                             "by level need one")
    table = canonical_table(training, "training", freq=freq)
    check_skill_levels(table, levels, name="training")
    _check_upgrades(table, levels)
    parts = []
    for column, gains in zip(("supply", "supply_high_skilled"), _gains(table, levels),
                             strict=True):
        kept = table.assign(trained=np.where(gains, table["trained"], 0),
                            certified=np.where(gains, table["certified"], 0))
        kept = kept.drop(columns=["from_level"], errors="ignore")
        part = training_supply(kept, keys=keys, freq=freq, lead_time=lead_time,
                               absorption=absorption, crosswalk=crosswalk)
        parts.append(part[[*keys, "period", "supply"]].rename(columns={"supply": column}))
    out = parts[0].merge(parts[1], on=[*keys, "period"], how="outer", sort=True)
    return out.fillna({"supply": 0.0, "supply_high_skilled": 0.0})
