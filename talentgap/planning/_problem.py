"""Reading a gap forecast and the plan parameters into one checked planning problem.

Everything the allocators need is resolved here, once: the cells (one per
combination of the key columns), per-cell parameter arrays, the period each
cell's trainees arrive in, and the gap scenarios of every cell sorted by
value. Problems the caller can fix raise :class:`~talentgap.errors.PlanningError`
(parameters) or :class:`~talentgap.errors.SchemaError` (the forecast table)
naming the cell, the rule and by how much it fails.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtri

from talentgap.errors import PlanningError, SchemaError
from talentgap.periods import normalize_freq, parse_periods

__all__ = ["Scenarios", "Problem", "build_problem", "cell_names", "fmt"]

_MAX_SHOWN = 5
_INTEGER_TOL = 1e-9
_INTERVAL = re.compile(r"^(?P<side>lo|hi)_(?P<level>\d+(?:\.\d+)?)$")


# --------------------------------------------------------------------------- formatting


def fmt(value: float) -> str:
    """A number for messages: thousands separators, at most 4 significant decimals."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if value == round(value) and abs(value) < 1e15:
        return f"{value:,.0f}"
    if abs(value) >= 1000:
        return f"{value:,.1f}"
    return f"{value:.4g}"


def cell_names(cells: pd.DataFrame, keys: Sequence[str], rows=None) -> list[str]:
    """Plain-language names of cells: ``"textiles in Northvale"``.

    With ``region`` among several keys, the other key values come first and the
    region last (``"textiles / senior in Northvale"``); with one key it is the
    value itself; otherwise ``"key=value, ..."``.
    """
    keys = list(keys)
    frame = cells if rows is None else cells.iloc[np.asarray(rows, dtype=np.int64)]
    records = frame[keys].astype(object).itertuples(index=False, name=None)
    names = []
    for values in records:
        named = dict(zip(keys, values, strict=True))
        if len(keys) == 1:
            names.append(str(values[0]))
        elif "region" in named:
            others = " / ".join(str(v) for k, v in named.items() if k != "region")
            names.append(f"{others} in {named['region']}")
        else:
            names.append(", ".join(f"{k}={v}" for k, v in named.items()))
    return names


def _examples(names: list[str], details: list[str], total: int) -> str:
    shown = "; ".join(f"{n}: {d}" for n, d in zip(names, details, strict=True))
    more = f"; and {total - len(names)} more" if total > len(names) else ""
    return shown + more


# --------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Scenarios:
    """Gap values per cell, sorted by cell then value, each with a probability weight.

    The weights of one cell sum to 1 (``1/K`` for ``K`` equally likely sample
    paths). ``start[c]:start[c] + count[c]`` is cell ``c``'s slice.
    """

    cell: np.ndarray
    value: np.ndarray
    weight: np.ndarray
    count: np.ndarray
    start: np.ndarray

    @classmethod
    def from_values(cls, cell: np.ndarray, value: np.ndarray, n_cells: int) -> Scenarios:
        cell = np.asarray(cell, dtype=np.int64)
        value = np.asarray(value, dtype=np.float64)
        order = np.lexsort((value, cell))
        cell, value = cell[order], value[order]
        count = np.bincount(cell, minlength=n_cells)
        start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
        with np.errstate(divide="ignore"):
            weight = 1.0 / count[cell]
        return cls(cell, value, weight, count, start)

    @property
    def n_cells(self) -> int:
        return self.count.size

    def shortfall(self, certified: np.ndarray) -> np.ndarray:
        """Expected unmet gap per cell, ``sum_k w_k * max(g_k - x, 0)``."""
        unmet = np.maximum(self.value - certified[self.cell], 0.0)
        return np.bincount(self.cell, weights=self.weight * unmet, minlength=self.n_cells)

    def surplus(self, certified: np.ndarray) -> np.ndarray:
        """Expected certified workers beyond the gap per cell, ``sum_k w_k * max(x - g_k, 0)``."""
        extra = np.maximum(certified[self.cell] - self.value, 0.0)
        return np.bincount(self.cell, weights=self.weight * extra, minlength=self.n_cells)

    def mean(self) -> np.ndarray:
        return np.bincount(self.cell, weights=self.weight * self.value, minlength=self.n_cells)

    def objective(self, certified: np.ndarray, surplus_penalty: float) -> np.ndarray:
        """Per-cell planning objective: shortfall + ``surplus_penalty`` x surplus."""
        out = self.shortfall(certified)
        if surplus_penalty:
            out = out + surplus_penalty * self.surplus(certified)
        return out

    def cell_objective(self, c: int, certified: float, surplus_penalty: float) -> float:
        """The objective of one cell (used by the rounding loop)."""
        g = self.value[self.start[c]:self.start[c] + self.count[c]]
        w = self.weight[self.start[c]:self.start[c] + self.count[c]]
        value = float(np.dot(w, np.maximum(g - certified, 0.0)))
        if surplus_penalty:
            value += surplus_penalty * float(np.dot(w, np.maximum(certified - g, 0.0)))
        return value

    def quantile(self, q: float) -> np.ndarray:
        """Per-cell ``q`` quantile (numpy's default linear interpolation)."""
        h = (self.count - 1) * q
        below = np.floor(h).astype(np.int64)
        above = np.minimum(below + 1, self.count - 1)
        frac = h - below
        lo = self.value[self.start + below]
        hi = self.value[self.start + above]
        return lo + frac * (hi - lo)

    def maximum(self) -> np.ndarray:
        return self.value[self.start + self.count - 1]


# --------------------------------------------------------------------------- the problem


@dataclass(frozen=True)
class Problem:
    """A checked planning problem: cells, per-cell parameters and gap scenarios.

    ``lower``/``upper`` are the bounds on places the solver uses (rounded to
    whole places, inward, when the plan is integer); ``evaluate`` holds the
    forecast's scenarios (what shortfalls are reported on), ``plan`` the
    scenarios the plan is optimised against (the same, or one quantile gap
    per cell).
    """

    keys: tuple[str, ...]
    cells: pd.DataFrame
    period: pd.Period
    arrival: pd.arrays.PeriodArray
    cost: np.ndarray
    pass_rate: np.ndarray
    absorption: np.ndarray
    capacity: np.ndarray
    min_quota: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    budget: float
    surplus_penalty: float
    evaluate: Scenarios
    plan: Scenarios
    risk: str
    quantile: float | None
    integer: str
    source: str

    @property
    def n_cells(self) -> int:
        return len(self.cells)

    @property
    def yield_(self) -> np.ndarray:
        """Expected certified workers who stay, per funded place: pass rate x absorption."""
        return self.pass_rate * self.absorption

    def names(self, rows=None) -> list[str]:
        return cell_names(self.cells, self.keys, rows)

    def objective_name(self) -> str:
        if self.risk == "quantile":
            what = f"shortfall against the {_ordinal(self.quantile)} gap"
        else:
            what = "expected shortfall"
        return what + (" plus the surplus penalty" if self.surplus_penalty else "")


def _ordinal(q: float) -> str:
    pct = 100 * q
    text = f"{pct:g}"
    if pct == round(pct):
        n = int(round(pct))
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}-percentile"
    return f"{text}th-percentile"


# --------------------------------------------------------------------------- parameters


def _scalar(value, name: str) -> float | None:
    if isinstance(value, bool):
        raise PlanningError(f"{name} must be a number or a per-cell DataFrame, got {value!r}")
    if isinstance(value, numbers.Real):
        return float(value)
    return None


def _per_cell(value, name: str, cells: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """A scalar or per-cell table parameter as one float per cell (NaN never returned)."""
    n = len(cells)
    number = _scalar(value, name)
    if number is not None:
        if math.isnan(number):
            raise PlanningError(f"{name} is NaN; give a number")
        return np.full(n, number)
    if not isinstance(value, pd.DataFrame):
        raise PlanningError(
            f"{name} must be a number or a DataFrame with key columns and a {name!r} column, "
            f"got {type(value).__name__}"
        )
    if name not in value.columns:
        raise PlanningError(
            f"the {name} table needs a column named {name!r}; it has {list(value.columns)}"
        )
    key_columns = [c for c in value.columns if c != name]
    unknown = [c for c in key_columns if c not in keys]
    if not key_columns or unknown:
        raise PlanningError(
            f"the {name} table must have key columns from {keys} next to {name!r}; "
            + (f"{unknown} are not keys" if unknown else "it has none")
        )
    if value[key_columns].isna().to_numpy().any():
        raise PlanningError(f"the {name} table has missing key values")
    repeated = value.duplicated(subset=key_columns, keep=False).to_numpy()
    if repeated.any():
        shown = cell_names(value.loc[repeated].drop_duplicates(subset=key_columns),
                           key_columns)[:_MAX_SHOWN]
        raise PlanningError(f"the {name} table has more than one row for {', '.join(shown)}")
    table_index = pd.MultiIndex.from_arrays(
        [value[c].astype(object).to_numpy() for c in key_columns])
    cell_index = pd.MultiIndex.from_arrays(
        [cells[c].astype(object).to_numpy() for c in key_columns])
    position = table_index.get_indexer(cell_index)
    absent = np.flatnonzero(position < 0)
    if absent.size:
        names = cell_names(cells, keys, absent[:_MAX_SHOWN])
        more = f" and {absent.size - len(names)} more" if absent.size > len(names) else ""
        raise PlanningError(
            f"the {name} table has no row for {absent.size} "
            f"cell{'s' if absent.size != 1 else ''} of the gap forecast: "
            f"{'; '.join(names)}{more} (looked up by {key_columns})"
        )
    raw = value[name].to_numpy()[position]
    numbers_ = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(numbers_))
    if bad.size:
        names = cell_names(cells, keys, bad[:_MAX_SHOWN])
        raise PlanningError(
            f"{name} must be a number for every cell; {bad.size} "
            f"cell{'s' if bad.size != 1 else ''} fail: "
            + _examples(names, [repr(raw[i]) for i in bad[:_MAX_SHOWN]], bad.size)
        )
    return numbers_


def check_range(values: np.ndarray, name: str, cells: pd.DataFrame, keys: list[str], *,
                low: float = 0.0, high: float = math.inf, low_open: bool = False,
                allow_inf: bool = False, scalar: bool = False) -> None:
    """Raise :class:`PlanningError` for values outside ``[low, high]`` (or ``(low, high]``)."""
    with np.errstate(invalid="ignore"):
        too_low = (values <= low) if low_open else (values < low)
        too_high = values > high
        bad = too_low | too_high | np.isnan(values)
        if not allow_inf:
            bad |= np.isinf(values)
    if not bad.any():
        return
    rule = f"({fmt(low)}, {fmt(high)}]" if low_open else (
        f"[{fmt(low)}, {fmt(high)}]" if math.isfinite(high) else f">= {fmt(low)}")
    rule_text = f"in {rule}" if not rule.startswith(">") else rule

    def detail(i: int) -> str:
        v = values[i]
        if not math.isfinite(v) and not np.isnan(v):
            return f"{fmt(v)} (must be finite)"
        if too_low[i]:
            return (f"{fmt(v)} (must be > {fmt(low)})" if low_open and v == low
                    else f"{fmt(v)} (below {fmt(low)} by {fmt(low - v)})")
        if too_high[i]:
            return f"{fmt(v)} (above {fmt(high)} by {fmt(v - high)})"
        return f"{v} (not a number)"

    rows = np.flatnonzero(bad)
    if scalar:
        raise PlanningError(f"{name} must be {rule_text}; got {detail(rows[0])}")
    shown = rows[:_MAX_SHOWN]
    raise PlanningError(
        f"{name} must be {rule_text}; {rows.size} cell{'s' if rows.size != 1 else ''} fail: "
        + _examples(cell_names(cells, keys, shown), [detail(i) for i in shown], rows.size)
    )


def _parameter(value, name: str, cells: pd.DataFrame, keys: list[str], **rule) -> np.ndarray:
    values = _per_cell(value, name, cells, keys)
    check_range(values, name, cells, keys, scalar=not isinstance(value, pd.DataFrame), **rule)
    return values


def check_budget(budget) -> float:
    number = _scalar(budget, "budget")
    if number is None:
        raise PlanningError(f"budget must be a number (money), got {type(budget).__name__}")
    if not math.isfinite(number):
        raise PlanningError(f"budget must be finite, got {budget!r}")
    if number < 0:
        raise PlanningError(f"budget must be >= 0; got {fmt(number)} (below 0 by {fmt(-number)})")
    return number


def check_options(integer: str, risk: str, quantile, surplus_penalty) -> tuple[str, float | None]:
    """Validate the solver options; return the effective risk and quantile."""
    if integer not in ("round", "exact", "none"):
        raise PlanningError(f"integer={integer!r}; use 'round', 'exact' or 'none'")
    if risk not in ("expected", "quantile"):
        raise PlanningError(f"risk={risk!r}; use 'expected' or 'quantile' (with quantile=)")
    penalty = _scalar(surplus_penalty, "surplus_penalty")
    if penalty is None or not math.isfinite(penalty) or penalty < 0:
        raise PlanningError(f"surplus_penalty must be a number >= 0; got {surplus_penalty!r}")
    if quantile is not None:
        q = _scalar(quantile, "quantile")
        if q is None or not (0.0 < q < 1.0):
            raise PlanningError(f"quantile must be a number in (0, 1), e.g. 0.8; got {quantile!r}")
        return "quantile", q
    if risk == "quantile":
        raise PlanningError("risk='quantile' needs quantile=, e.g. quantile=0.8")
    return "expected", None


# --------------------------------------------------------------------------- the forecast table


def _check_keys(table: pd.DataFrame, keys) -> list[str]:
    if isinstance(keys, str):
        raise PlanningError(f"keys must be a sequence of column names, not the string {keys!r}")
    keys = list(keys)
    if not keys or len(set(keys)) != len(keys):
        raise PlanningError(f"keys must be one or more distinct column names, got {keys!r}")
    reserved = {"period", "sample", "gap"} & set(keys)
    if reserved:
        raise PlanningError(f"keys must not include {sorted(reserved)}")
    missing = [k for k in keys if k not in table.columns]
    if missing:
        raise SchemaError(
            f"the gap forecast has no key column {missing[0]!r}; columns are "
            f"{list(table.columns)} (pass keys= to name the cell columns)",
            column=missing[0], reason="missing_column",
        )
    for key in keys:
        blank = table[key].isna().to_numpy()
        if blank.any():
            raise SchemaError(
                f"key column {key!r} of the gap forecast must not be missing; "
                f"{int(blank.sum())} rows fail, e.g. row {int(np.flatnonzero(blank)[0])}",
                column=key, reason="missing_value",
            )
    return keys


def _periods(table: pd.DataFrame) -> pd.arrays.PeriodArray:
    if "period" not in table.columns:
        raise SchemaError(
            f"the gap forecast needs a 'period' column; columns are {list(table.columns)}",
            column="period", reason="missing_column",
        )
    column = table["period"]
    if isinstance(column.dtype, pd.PeriodDtype):
        if column.isna().any():
            raise SchemaError("column 'period' of the gap forecast has missing values",
                              column="period", reason="missing_value")
        return column.array
    return parse_periods(column).array


def _plan_period(period, periods: pd.arrays.PeriodArray, lead: np.ndarray) -> pd.Period:
    freq = normalize_freq(periods.freqstr)
    if period is None:
        last = int(periods.asi8.max())
        return pd.Period(ordinal=last - int(lead.max()), freq=periods.freq)
    try:
        return parse_periods([period], freq=freq)[0]
    except SchemaError as err:
        raise PlanningError(f"period={period!r} is not a period of the forecast's "
                            f"frequency: {err}") from err


def _interval_columns(table: pd.DataFrame, value: str) -> dict[float, str]:
    """``{quantile level: column}`` for the interval columns of ``value``."""
    prefixes = [f"{value}_"] + ([""] if value == "mean" else [])
    found: dict[float, str] = {}
    for column in table.columns:
        if not isinstance(column, str):
            continue
        for prefix in prefixes:
            if not column.startswith(prefix):
                continue
            m = _INTERVAL.match(column[len(prefix):])
            if m and 0 < float(m["level"]) < 100:
                level = float(m["level"]) / 100
                q = 0.5 + level / 2 if m["side"] == "hi" else 0.5 - level / 2
                found[q] = column
    return found


def _quantile_from_intervals(rows: pd.DataFrame, value: str, mean: np.ndarray, q: float,
                             cells: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Gap quantile per cell from the mean and the interval bounds.

    Known points are the mean at normal score 0 and every ``lo_L``/``hi_L``
    bound at the normal score of its quantile (``hi_80`` is the 0.9 quantile);
    the ``q`` quantile is interpolated linearly in the normal score between
    them and extrapolated from the outermost pair — with one interval, the
    normal approximation ``mean + z_q * (hi - mean) / z_hi``.
    """
    columns = _interval_columns(rows, value)
    if not columns:
        raise PlanningError(
            f"quantile={q:g} needs sample paths (a 'sample' column) or interval columns such "
            f"as '{value}_lo_80'/'{value}_hi_80'; the gap forecast has neither"
        )
    levels = sorted(columns)
    z = np.concatenate([ndtri(np.array(levels)), [0.0]])
    values = np.column_stack(
        [pd.to_numeric(rows[columns[lv]], errors="coerce").to_numpy(dtype=np.float64,
                                                                     na_value=np.nan)
         for lv in levels] + [mean])
    order = np.argsort(z, kind="stable")
    z, values = z[order], values[:, order]
    bad = np.flatnonzero(np.isnan(values).any(axis=1))
    if bad.size:
        raise SchemaError(
            f"interval columns {[columns[lv] for lv in levels]} of the gap forecast are missing "
            f"for {bad.size} cells, e.g. {'; '.join(cell_names(cells, keys, bad[:_MAX_SHOWN]))}",
            column=columns[levels[0]], reason="missing_value",
        )
    target = float(ndtri(q))
    j = int(np.clip(np.searchsorted(z, target) - 1, 0, z.size - 2))
    slope = (values[:, j + 1] - values[:, j]) / (z[j + 1] - z[j])
    return values[:, j] + slope * (target - z[j])


def _select_arrival(table: pd.DataFrame, codes: np.ndarray, periods, arrival_ord: np.ndarray,
                    cells: pd.DataFrame, keys: list[str], plan_period: pd.Period,
                    lead: np.ndarray) -> np.ndarray:
    """Row positions of every cell at its arrival period (raising for cells without one)."""
    take = np.flatnonzero(periods.asi8 == arrival_ord[codes])
    present = np.bincount(codes[take], minlength=len(cells)) > 0
    absent = np.flatnonzero(~present)
    if absent.size:
        freq = periods.freq
        shown = [
            f"{name} at {pd.Period(ordinal=int(arrival_ord[i]), freq=freq)}"
            + (f" (period {plan_period} + lead_time {int(lead[i])})" if lead[i] else "")
            for name, i in zip(cell_names(cells, keys, absent[:_MAX_SHOWN]),
                               absent[:_MAX_SHOWN], strict=True)
        ]
        more = f"; and {absent.size - len(shown)} more" if absent.size > len(shown) else ""
        raise PlanningError(
            f"the gap forecast has no row for {absent.size} "
            f"cell{'s' if absent.size != 1 else ''} at the period its trainees arrive in: "
            f"{'; '.join(shown)}{more}; forecast periods run from {periods.min()} to "
            f"{periods.max()}"
        )
    return take


def build_problem(gap_forecast: pd.DataFrame, *, keys, value: str, period, budget,
                  cost_per_trainee, pass_rate, absorption, capacity, min_quota, lead_time,
                  risk: str, quantile, surplus_penalty, integer: str) -> Problem:
    """Check every input and return the :class:`Problem` the allocators solve."""
    if not isinstance(gap_forecast, pd.DataFrame):
        raise PlanningError(
            f"gap_forecast must be a pandas DataFrame, got {type(gap_forecast).__name__}")
    risk, quantile = check_options(integer, risk, quantile, surplus_penalty)
    budget = check_budget(budget)
    table = gap_forecast
    keys = _check_keys(table, keys)
    if value not in table.columns:
        raise SchemaError(
            f"the gap forecast has no {value!r} column; columns are {list(table.columns)}",
            column=value, reason="missing_column",
        )
    if len(table) == 0:
        raise SchemaError("the gap forecast has no rows", column=value, reason="empty")
    periods = _periods(table)
    codes = table.groupby(keys, sort=True, observed=True, dropna=False).ngroup().to_numpy()
    _, first = np.unique(codes, return_index=True)
    cells = table[keys].iloc[first].reset_index(drop=True)

    cost = _parameter(cost_per_trainee, "cost_per_trainee", cells, keys)
    rate = _parameter(pass_rate, "pass_rate", cells, keys, low=0.0, high=1.0, low_open=True)
    absorb = _parameter(absorption, "absorption", cells, keys, high=1.0)
    minimum = _parameter(min_quota, "min_quota", cells, keys)
    cap = (np.full(len(cells), np.inf) if capacity is None
           else _parameter(capacity, "capacity", cells, keys, allow_inf=True))
    lead = _parameter(lead_time, "lead_time", cells, keys)
    fractional = np.flatnonzero(lead != np.round(lead))
    if fractional.size:
        raise PlanningError(
            "lead_time must be a whole number of periods; "
            + _examples(cell_names(cells, keys, fractional[:_MAX_SHOWN]),
                        [fmt(lead[i]) for i in fractional[:_MAX_SHOWN]], fractional.size)
        )
    lead = lead.astype(np.int64)

    if integer == "none":
        lower, upper = minimum, cap
    else:
        lower = np.ceil(minimum - _INTEGER_TOL)
        upper = np.floor(cap + _INTEGER_TOL)
    short = np.flatnonzero(upper < lower)
    if short.size:
        shown = short[:_MAX_SHOWN]
        raise PlanningError(
            "capacity is below the minimum quota in "
            f"{short.size} cell{'s' if short.size != 1 else ''}: "
            + _examples(cell_names(cells, keys, shown),
                        [f"capacity {fmt(upper[i])} < min_quota {fmt(lower[i])} "
                         f"by {fmt(lower[i] - upper[i])} places" for i in shown], short.size)
        )
    floor_cost = float(np.dot(cost, lower))
    if floor_cost > budget:
        top = np.argsort(-cost * lower, kind="stable")[:3]
        top = top[cost[top] * lower[top] > 0]
        detail = "; ".join(
            f"{name}: {fmt(lower[i])} places x {fmt(cost[i])}"
            for name, i in zip(cell_names(cells, keys, top), top, strict=True))
        raise PlanningError(
            f"minimum quotas cost {fmt(floor_cost)}, more than the budget {fmt(budget)} "
            f"by {fmt(floor_cost - budget)} (largest: {detail})"
        )

    plan_period = _plan_period(period, periods, lead)
    arrival_ord = plan_period.ordinal + lead
    take = _select_arrival(table, codes, periods, arrival_ord, cells, keys, plan_period, lead)
    rows = table.iloc[take]
    row_cell = codes[take]
    gap = pd.to_numeric(rows[value], errors="coerce").to_numpy(dtype=np.float64,
                                                               na_value=np.nan)
    blank = np.flatnonzero(~np.isfinite(gap))
    if blank.size:
        cells_bad = np.unique(row_cell[blank])
        raise SchemaError(
            f"column {value!r} of the gap forecast must be a finite number at each cell's "
            f"arrival period; {blank.size} rows fail, e.g. "
            + "; ".join(cell_names(cells, keys, cells_bad[:_MAX_SHOWN])),
            column=value, reason="missing_value",
        )

    n = len(cells)
    if "sample" in table.columns:
        source = "samples"
        repeated = pd.DataFrame({"cell": row_cell, "sample": rows["sample"].to_numpy()}
                                ).duplicated().to_numpy()
        if repeated.any():
            bad = np.unique(row_cell[repeated])
            raise SchemaError(
                "the gap scenarios repeat a sample number within a cell-period: "
                + "; ".join(cell_names(cells, keys, bad[:_MAX_SHOWN])),
                column="sample", reason="duplicate",
            )
        evaluate = Scenarios.from_values(row_cell, gap, n)
        planned = evaluate.quantile(quantile) if quantile is not None else None
    else:
        source = "forecast"
        repeated = np.bincount(row_cell, minlength=n) > 1
        if repeated.any():
            bad = np.flatnonzero(repeated)
            raise SchemaError(
                "the gap forecast has more than one row per cell-period for "
                + "; ".join(cell_names(cells, keys, bad[:_MAX_SHOWN]))
                + "; a table of sample paths needs a 'sample' column",
                column="period", reason="duplicate",
            )
        order = np.argsort(row_cell, kind="stable")
        evaluate = Scenarios.from_values(row_cell, gap, n)
        planned = (None if quantile is None else
                   _quantile_from_intervals(rows.iloc[order], value, gap[order], quantile,
                                            cells, keys))
    plan = (evaluate if planned is None
            else Scenarios.from_values(np.arange(n), planned, n))
    arrival = pd.arrays.PeriodArray(arrival_ord.astype(np.int64), dtype=periods.dtype)
    return Problem(
        keys=tuple(keys), cells=cells, period=plan_period, arrival=arrival, cost=cost,
        pass_rate=rate, absorption=absorb, capacity=cap, min_quota=minimum, lower=lower,
        upper=upper, budget=budget, surplus_penalty=float(surplus_penalty), evaluate=evaluate,
        plan=plan, risk=risk, quantile=quantile, integer=integer, source=source,
    )
