"""The side tables of a multi-year plan, read into rows over its decisions.

The budget (one number, or a table with one row per funding period), budget
envelopes and shared capacity groups become families of ``<=`` rows over
the decisions ``q[u, s]`` (index ``u * S + s``, see
:class:`~talentgap.planning._multiyear_problem.YearsProblem`); equity rules
become groups of cells with the share of shortfall each must lose. The
policy need is read per target (a cell at a need period) and the need
weights per cell. Problems the caller can fix raise
:class:`~talentgap.errors.PlanningError` naming the table, the column, the
rule and example rows.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from talentgap._words import rows_fail
from talentgap.errors import PlanningError, SchemaError
from talentgap.periods import normalize_freq, parse_periods
from talentgap.planning._forecast import Forecast
from talentgap.planning._multiyear_params import funding_index
from talentgap.planning._params import (
    PARAMETER_RANGES,
    ParameterRange,
    cell_names,
    check_budget,
    fmt,
    parameter,
    plural,
    shown_value,
)

__all__ = ["Rows", "Equity", "read_budgets", "read_envelopes", "read_groups",
           "read_group_minimums", "read_equity", "read_policy_need", "read_policy_per_worker",
           "read_need_weights", "PER_WORKER"]

_MAX_SHOWN = 5
_NEEDS = ("market", "policy")

#: Optional column of the ``policy_need`` table: the policy need's workers each of the
#: plan's workers adds in its cell (:func:`read_policy_per_worker`).
PER_WORKER = "per_worker"


# --------------------------------------------------------------------------- constraint rows


@dataclass(frozen=True)
class Rows:
    """A family of ``<=`` rows over the decisions: ``matrix @ q <= limit``.

    ``kind`` names the family (``"budget"``, ``"budget_envelope"``,
    ``"capacity_group"``), ``names`` each row as the plan reports it
    (``"budget[2026]"``) and ``words`` in plain language
    (``"the budget for 2026"``); ``unit`` is what the limit counts
    (``"money"`` or ``"places"``); ``funding`` the funding period each row
    is about (its position in the plan's funding periods; -1: a row over
    every period, and every row when None).
    """

    kind: str
    names: list[str]
    words: list[str]
    matrix: sp.csr_matrix
    limit: np.ndarray
    unit: str
    funding: np.ndarray | None = None

    def funding_of(self) -> np.ndarray:
        """Per row, the position of its funding period (-1: every period)."""
        if self.funding is None:
            return np.full(self.size, -1, dtype=np.int64)
        return np.asarray(self.funding, dtype=np.int64)

    @property
    def size(self) -> int:
        return len(self.names)


@dataclass(frozen=True)
class Equity:
    """Equity rules: group ``r`` (cells ``member[r]``) must lose at least ``share[r]``
    of its weighted expected shortfall."""

    names: list[str]
    words: list[str]
    member: sp.csr_matrix  # rules x cells, 1 where the cell belongs to the rule's group
    share: np.ndarray


# --------------------------------------------------------------------------- readers


def _match(table: pd.DataFrame, key_columns: list[str], cells: pd.DataFrame, what: str,
           keys: list[str], noun: str = "cells the needs table does"
           ) -> tuple[np.ndarray, np.ndarray]:
    """(table row, cell) pairs whose key values agree; every table row must match a cell.

    ``cells`` may be the programmes (``noun="programmes the crosswalk does"``).
    """
    left = table[key_columns].astype(object).reset_index(drop=True)
    left["__row"] = np.arange(len(left))
    right = cells[key_columns].astype(object).reset_index(drop=True)
    right["__cell"] = np.arange(len(right))
    both = left.merge(right, on=key_columns, how="left")
    unmatched = both.loc[both["__cell"].isna(), "__row"].to_numpy(dtype=np.int64)
    if unmatched.size:
        shown = unmatched[:_MAX_SHOWN]
        rows = [", ".join(f"{k}={table[k].iloc[i]!r}" for k in key_columns) for i in shown]
        more = f"; and {unmatched.size - len(shown)} more" if unmatched.size > len(shown) else ""
        raise PlanningError(
            f"the {what} table names {noun} not have "
            f"(looked up by {key_columns}); {rows_fail(unmatched.size)}: "
            + "; ".join(f"row {i} ({r})" for i, r in zip(shown, rows, strict=True)) + more
        )
    both = both.dropna(subset=["__cell"])
    return (both["__row"].to_numpy(dtype=np.int64), both["__cell"].to_numpy(dtype=np.int64))


def _table(value, what: str, needed: list[str], keys: list[str], *, extra=()) -> list[str]:
    """Check a constraint table's columns; return its key columns (a subset of ``keys``)."""
    if not isinstance(value, pd.DataFrame):
        raise PlanningError(f"{what} must be a pandas DataFrame, got {type(value).__name__}")
    missing = [c for c in needed if c not in value.columns]
    if missing:
        raise PlanningError(f"the {what} table needs a column {missing[0]!r}; it has "
                            f"{list(value.columns)}")
    key_columns = [c for c in value.columns if c not in (*needed, *extra)]
    unknown = [c for c in key_columns if c not in keys]
    if unknown:
        raise PlanningError(f"the {what} table has columns {unknown} that are neither keys "
                            f"{keys} nor {[*needed, *extra]}")
    for column in key_columns:
        if value[column].isna().any():
            raise PlanningError(f"key column {column!r} of the {what} table has missing values")
    return key_columns


def _numbers(value: pd.DataFrame, column: str, what: str,
             rule: ParameterRange | None = None) -> np.ndarray:
    """A table's column as numbers in ``rule``: by default the plan parameter's range of
    that name (``budget``, ``capacity``: :data:`PARAMETER_RANGES`), else ``>= 0``."""
    rule = PARAMETER_RANGES.get(column, ParameterRange()) if rule is None else rule
    raw = value[column].to_numpy()
    numbers_ = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan)
    rows = np.flatnonzero(np.isnan(numbers_) | rule.outside(numbers_))
    if rows.size:
        words = (rule.words() if math.isfinite(rule.high) or rule.allow_inf
                 else f"a finite number {rule.words()}")
        shown = rows[:_MAX_SHOWN]
        raise PlanningError(
            f"column {column!r} of the {what} table must be {words}; "
            f"{rows_fail(rows.size)}, e.g. "
            + "; ".join(f"row {i}: {shown_value(raw[i])}" for i in shown)
        )
    return numbers_


def _label(table: pd.DataFrame, key_columns: list[str], i: int) -> str:
    return ", ".join(str(table[k].iloc[i]) for k in key_columns)


def read_budgets(budget, total_budget, funding, cost, n_cells) -> Rows:
    """The budget rows: one over the whole plan (``budget``), or one per funding period
    (``budget[2026]``) and, with ``total_budget``, one over them all (``budget[total]``)."""
    n_f = len(funding)
    cell = np.repeat(np.arange(n_cells), n_f)
    year = np.tile(np.arange(n_f), n_cells)
    money = cost  # per decision
    names, words, matrices, limits, about = [], [], [], [], []
    total_row = sp.csr_matrix((money, (np.zeros(cell.size, dtype=np.int64),
                                       np.arange(cell.size))), shape=(1, cell.size))
    if isinstance(budget, pd.DataFrame):
        _table(budget, "budget", ["period", "budget"], ["period"])
        index = funding_index(budget["period"], funding, "the budget table")
        limit = _numbers(budget, "budget", "budget")
        counts = np.bincount(index, minlength=n_f)
        if (counts > 1).any():
            raise PlanningError("the budget table has more than one row for period "
                                + ", ".join(str(funding[s]) for s in np.flatnonzero(counts > 1)))
        if (counts == 0).any():
            raise PlanningError("the budget table has no row for funding period "
                                + ", ".join(str(funding[s]) for s in np.flatnonzero(counts == 0))
                                + "; give one budget per funding period")
        per_year = np.zeros(n_f)
        per_year[index] = limit
        names += [f"budget[{p}]" for p in funding]
        words += [f"the budget for {p}" for p in funding]
        matrices.append(sp.csr_matrix((money, (year, np.arange(cell.size))),
                                      shape=(n_f, cell.size)))
        limits.append(per_year)
        about.append(np.arange(n_f))
        if total_budget is not None:
            names.append("budget[total]")
            words.append("the total budget")
            matrices.append(total_row)
            limits.append([check_budget(total_budget)])
            about.append([-1])
    else:
        if total_budget is not None:
            raise PlanningError("total_budget= goes with a per-period budget table "
                                "(columns period, budget); with one number, budget= is "
                                "already the total")
        names.append("budget")
        words.append("the budget")
        matrices.append(total_row)
        limits.append([check_budget(budget)])
        about.append([-1])
    return Rows("budget", names, words, sp.vstack(matrices, format="csr"),
                np.concatenate([np.asarray(x, dtype=np.float64) for x in limits]), "money",
                np.concatenate([np.asarray(x, dtype=np.int64) for x in about]))


def _empty_rows(kind: str, n_decisions: int, unit: str) -> Rows:
    return Rows(kind, [], [], sp.csr_matrix((0, n_decisions)), np.zeros(0), unit)


def read_envelopes(table, cells, keys, funding, cost,
                   noun: str = "cells the needs table does") -> Rows:
    """The budget envelope rows: money the places of each row's cells (or programmes) may
    cost, over the plan or, with a ``period`` column, in that funding period."""
    n_f = len(funding)
    n_dec = len(cells) * n_f
    if table is None:
        return _empty_rows("budget_envelope", n_dec, "money")
    what = "budget_envelopes"
    key_columns = _table(table, what, ["budget"], keys, extra=("period",))
    if not key_columns:
        raise PlanningError("the budget_envelopes table needs key columns, e.g. region, budget")
    limit = _numbers(table, "budget", what)
    has_period = "period" in table.columns
    year = funding_index(table["period"], funding, f"the {what} table") if has_period else None
    row, cell = _match(table, key_columns, cells, what, keys, noun)
    if has_period:
        dec = cell * n_f + year[row]
        rows_, cols = row, dec
    else:
        rows_ = np.repeat(row, n_f)
        cols = (cell[:, None] * n_f + np.arange(n_f)[None, :]).ravel()
    labels = [_label(table, key_columns, i) + (f", {table['period'].iloc[i]}" if has_period
                                               else "") for i in range(len(table))]
    matrix = sp.csr_matrix((cost[cols], (rows_, cols)), shape=(len(table), n_dec))
    return Rows("budget_envelope", [f"budget_envelope[{x}]" for x in labels],
                [f"the budget envelope of {x}" for x in labels], matrix, limit, "money",
                year if has_period else None)


def read_groups(table, cells, keys, funding, noun: str = "cells the needs table does") -> Rows:
    """The shared capacity rows: places of each group's members per funding period (a
    group with capacity inf has none)."""
    n_f = len(funding)
    n_dec = len(cells) * n_f
    if table is None:
        return _empty_rows("capacity_group", n_dec, "places")
    matrix, capacity, _, group_names = _group_members(table, cells, keys, funding, noun)
    limit = np.repeat(capacity, n_f)
    names = [f"capacity_group[{g}, {p}]" for g in group_names for p in funding]
    words = [f"the shared capacity of {g} in {p}" for g in group_names for p in funding]
    kept = np.flatnonzero(np.isfinite(limit))  # an unlimited group (capacity inf) has no row
    about = np.tile(np.arange(n_f), len(group_names))
    return Rows("capacity_group", [names[i] for i in kept], [words[i] for i in kept],
                matrix[kept], limit[kept], "places", about[kept])


def read_group_minimums(table, cells, keys, funding,
                        noun: str = "cells the needs table does") -> Rows:
    """The minimum places of each capacity group per funding period (``min_places``).

    ``sum q >= min`` is stored as the ``<=`` row ``-sum q <= -min`` (kind
    ``"capacity_group_min"``; rows only for groups with a minimum above 0).
    A minimum above the group's capacity raises :class:`PlanningError`
    naming the group.
    """
    n_dec = len(cells) * len(funding)
    if table is None or "min_places" not in getattr(table, "columns", ()):
        return _empty_rows("capacity_group_min", n_dec, "places")
    matrix, capacity, minimum, group_names = _group_members(table, cells, keys, funding, noun)
    above = np.flatnonzero(minimum > capacity)
    if above.size:
        raise PlanningError(
            "column 'min_places' of the capacity_groups table must be at most the group's "
            "'capacity' (places per funding period for the whole group); "
            f"{plural(above.size, 'group')} fail: "
            + "; ".join(f"group {group_names[g]!r}: min_places {fmt(minimum[g])} > capacity "
                        f"{fmt(capacity[g])}" for g in above[:_MAX_SHOWN]))
    n_f = len(funding)
    limit = np.repeat(minimum, n_f)
    names = [f"capacity_group_min[{g}, {p}]" for g in group_names for p in funding]
    words = [f"the minimum places of {g} in {p} (at least {fmt(m)})"
             for g, m in zip(group_names, minimum, strict=True) for p in funding]
    kept = np.flatnonzero(limit > 0)
    about = np.tile(np.arange(n_f), len(group_names))
    return Rows("capacity_group_min", [names[i] for i in kept], [words[i] for i in kept],
                -matrix[kept], -limit[kept], "places", about[kept])


def _group_members(table, cells, keys, funding, noun: str
                   ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, pd.Index]:
    """A capacity groups table read: (groups x funding periods) x decisions membership,
    and per group its capacity (inf without that column), minimum (0 without
    ``min_places``) and name."""
    n_f = len(funding)
    n_dec = len(cells) * n_f
    what = "capacity_groups"
    key_columns = _table(table, what, ["group"], keys, extra=("capacity", "min_places"))
    if not {"capacity", "min_places"} & set(table.columns):
        raise PlanningError("the capacity_groups table needs a column 'capacity' (places per "
                            "funding period at most) or 'min_places' (at least), or both; it "
                            f"has {list(table.columns)}")
    if not key_columns:
        raise PlanningError("the capacity_groups table needs key columns naming the members, "
                            "e.g. group, capacity, industry")
    if table["group"].isna().any():
        raise PlanningError("column 'group' of the capacity_groups table has missing values")
    group_codes, group_names = pd.factorize(table["group"], sort=True)
    n_groups = len(group_names)
    per_group = []
    for column, absent, meaning in (("capacity", np.inf, "places per funding period for the "
                                     "whole group"),
                                    ("min_places", 0.0, "places per funding period the whole "
                                     "group must have at least")):
        if column not in table.columns:
            per_group.append(np.full(n_groups, absent))
            continue
        values = _numbers(table, column, what, PARAMETER_RANGES.get(
            column, ParameterRange() if column == "min_places" else None))
        _same_per_group(values, group_codes, f"column {column!r} of the capacity_groups "
                        f"table must be the same on every row of a group ({meaning})",
                        np.arange(len(values)),
                        lambda i: [f"group {table['group'].iloc[j]!r}" for j in i])
        per_group.append(np.bincount(group_codes, weights=values, minlength=n_groups)
                         / np.bincount(group_codes, minlength=n_groups))
    row, cell = _match(table, key_columns, cells, what, keys, noun)
    group = group_codes[row]
    pairs = np.unique(group * len(cells) + cell)  # a cell listed twice counts once
    group, cell = pairs // len(cells), pairs % len(cells)
    rows_ = (group[:, None] * n_f + np.arange(n_f)[None, :]).ravel()
    cols = (cell[:, None] * n_f + np.arange(n_f)[None, :]).ravel()
    matrix = sp.csr_matrix((np.ones(cols.size), (rows_, cols)), shape=(n_groups * n_f, n_dec))
    return matrix, per_group[0], per_group[1], group_names


def read_equity(equity, cells, keys) -> Equity:
    """The equity rules: per group of cells, the share of its weighted shortfall to remove."""
    n = len(cells)
    if equity is None:
        return Equity([], [], sp.csr_matrix((0, n)), np.zeros(0))
    if isinstance(equity, pd.DataFrame):
        table = equity
    else:
        if isinstance(equity, bool) or not isinstance(equity, numbers.Real):
            raise PlanningError("equity must be a share in [0, 1] (per region) or a table of "
                                f"key columns and 'share'; got {type(equity).__name__}")
        if "region" not in keys:
            raise PlanningError("equity as one number applies per region, but 'region' is not "
                                f"among keys {keys}; give a table of key columns and 'share'")
        table = pd.DataFrame({"region": pd.unique(cells["region"]), "share": float(equity)})
    what = "equity"
    key_columns = _table(table, what, ["share"], keys)
    if not key_columns:
        raise PlanningError("the equity table needs key columns, e.g. region, share")
    share = _numbers(table, "share", what, ParameterRange(high=1.0))
    row, cell = _match(table, key_columns, cells, what, keys)
    member = sp.csr_matrix((np.ones(row.size), (row, cell)), shape=(len(table), n))
    labels = [_label(table, key_columns, i) for i in range(len(table))]
    return Equity([f"equity[{x}]" for x in labels],
                  [f"the equity rule of {x} (at least {fmt(100 * s)}% of its shortfall "
                   f"removed)" for x, s in zip(labels, share, strict=True)], member, share)


def read_policy_need(table, fc: Forecast, need: np.ndarray) -> np.ndarray | None:
    """The policy need per target (``cell * n_need + t``), 0 where the table has no row;
    None without a table."""
    if table is None:
        return None
    what = "policy_need"
    key_columns = _table(table, what, ["period", "policy_need"], fc.keys, extra=(PER_WORKER,))
    if sorted(key_columns) != sorted(fc.keys):
        raise PlanningError(f"the policy_need table needs every key column {fc.keys} next to "
                            f"'period' and 'policy_need'; it has {list(table.columns)}")
    values = _numbers(table, "policy_need", what)
    freq = normalize_freq(fc.periods.freqstr)
    try:
        parsed = np.asarray(parse_periods(table["period"], freq=freq).array.asi8)
    except SchemaError as err:
        raise PlanningError(f"column 'period' of the policy_need table: {err}") from err
    t = np.clip(np.searchsorted(need, parsed), 0, need.size - 1)
    bad = np.flatnonzero(need[t] != parsed)
    if bad.size:
        raise PlanningError(
            "column 'period' of the policy_need table must name need periods (the periods "
            f"of the needs table, {fc.periods.min()} to {fc.periods.max()}); "
            f"{rows_fail(bad.size)}, e.g. "
            + "; ".join(f"row {i}: {table['period'].iloc[i]!r}" for i in bad[:_MAX_SHOWN]))
    row, cell = _match(table, list(fc.keys), fc.cells, what, fc.keys)
    target = cell * need.size + t[row]
    counts = np.bincount(target, minlength=len(fc.cells) * need.size)
    if (counts > 1).any():
        twice = np.flatnonzero(counts > 1)[:_MAX_SHOWN]
        names = cell_names(fc.cells, fc.keys, twice // need.size)
        at = [pd.Period(ordinal=int(need[j % need.size]), freq=fc.periods.freq) for j in twice]
        raise PlanningError("the policy_need table has more than one row for "
                            + "; ".join(f"{n} at {p}" for n, p in zip(names, at, strict=True)))
    out = np.zeros(len(fc.cells) * need.size)
    out[target] = values[row]
    return out


def read_policy_per_worker(table, fc: Forecast) -> np.ndarray | None:
    """Per cell: the policy need's workers each of the plan's workers adds (1 where not given).

    The optional column :data:`PER_WORKER` of the ``policy_need`` table, one
    value per cell (the same on each of its periods); None without it. A
    cell's places then count ``r`` policy workers per worker they bring
    (e.g. the high-skilled workers per worker new to the cell).
    """
    if table is None or PER_WORKER not in table.columns:
        return None
    what = "policy_need"
    values = _numbers(table, PER_WORKER, what, ParameterRange())
    row, cell = _match(table, list(fc.keys), fc.cells, what, fc.keys)
    _same_per_group(values[row], cell, f"column {PER_WORKER!r} of the policy_need table must "
                    "be the same on every row of a cell (a place's workers per worker it "
                    "brings do not change by period)", row,
                    lambda i: cell_names(fc.cells, fc.keys, cell[i]), rtol=1e-12)
    out = np.ones(len(fc.cells))
    out[cell] = values[row]
    return out


def _same_per_group(values: np.ndarray, groups: np.ndarray, rule: str, rows: np.ndarray,
                    labels, *, rtol: float = 0.0) -> None:
    """A PlanningError stating ``rule`` when a group's ``values`` differ (beyond ``rtol``).

    Each failing value is shown against its group's first, with its table
    row (``rows``) and ``labels(positions)`` (its group, or cell, in words).
    """
    first = pd.Series(values).groupby(groups).transform("first").to_numpy()
    with np.errstate(invalid="ignore"):   # inf vs inf: the same
        differs = np.flatnonzero(np.abs(values - first) > rtol * np.maximum(np.abs(first), 1.0))
    if differs.size:
        shown = differs[:_MAX_SHOWN]
        raise PlanningError(f"{rule}; " + "; ".join(
            f"row {r} ({label}): {fmt(values[i])} vs {fmt(first[i])}"
            for i, r, label in zip(shown, rows[shown], labels(shown), strict=True)))


def read_need_weights(need_weights, cells, keys) -> tuple[np.ndarray, np.ndarray]:
    """The market and the policy need's weight per cell (1 where not given)."""
    if need_weights is None:
        need_weights = {}
    if not isinstance(need_weights, Mapping):
        raise PlanningError("need_weights must be a mapping such as {'market': 1.0, "
                            f"'policy': 0.5}}; got {type(need_weights).__name__}")
    unknown = [k for k in need_weights if k not in _NEEDS]
    if unknown:
        raise PlanningError(f"need_weights has unknown needs {unknown}; use 'market' and/or "
                            "'policy'")
    return tuple(parameter(need_weights.get(name, 1.0), name, cells, keys)  # type: ignore
                 for name in _NEEDS)
