"""Reading a gap forecast and the plan parameters into one checked planning problem.

Everything the allocators need is resolved here, once: the cells (one per
combination of the key columns), per-cell parameter arrays, the period each
cell's trainees arrive in, and the gap scenarios of every cell sorted by
value. The forecast itself (its cells and periods) is read by
:func:`~talentgap.planning._forecast.read_forecast`. Problems the caller can
fix raise :class:`~talentgap.errors.PlanningError` (parameters) or
:class:`~talentgap.errors.SchemaError` (the forecast table) naming the cell,
the rule and by how much it fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy.special import ndtri

from talentgap._arguments import parse_interval_column
from talentgap._words import percentile_words, rows_fail
from talentgap.errors import PlanningError, SchemaError
from talentgap.periods import normalize_freq, parse_periods
from talentgap.planning._forecast import Forecast, is_sample_paths, read_forecast
from talentgap.planning._min_class import apply_min_class
from talentgap.planning._params import (
    cell_names,
    check_budget,
    check_options,
    examples,
    fmt,
    parameter,
    plural,
)

__all__ = ["Scenarios", "Problem", "Forecast", "build_problem", "read_forecast", "read_lead",
           "place_bounds", "plan_period", "target_scenarios", "is_sample_paths",
           "objective_words"]

_MAX_SHOWN = 5
_GRID_BLOCK = 1 << 21   # scenario values per block of the per-cell sums on a grid
_INTEGER_TOL = 1e-9


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

    @classmethod
    def from_grid(cls, values: np.ndarray) -> Scenarios:
        """Equally likely values from a cells x K array sorted along each row.

        The weight is a read-only broadcast view, not another
        scenarios-sized array.
        """
        n, k = values.shape
        return cls(cell=np.repeat(np.arange(n, dtype=np.int64), k), value=values.ravel(),
                   weight=np.broadcast_to(1.0 / k, (n * k,)),
                   count=np.full(n, k, dtype=np.int64), start=np.arange(n, dtype=np.int64) * k)

    def with_plan(self, quantile: float | None) -> tuple[Scenarios, Scenarios]:
        """These scenarios and the ones the plan uses: the same, or each
        cell's ``quantile`` as its single scenario."""
        if quantile is None:
            return self, self
        n = self.n_cells
        return self, Scenarios.from_values(np.arange(n), self.quantile(quantile), n)

    @property
    def n_cells(self) -> int:
        return self.count.size

    @cached_property
    def _grid(self) -> tuple[np.ndarray, float] | None:
        """``(values as a cells x K array, the weight)`` when every cell has the
        same ``K > 0`` equally weighted values (sample paths), else None."""
        n = self.count.size
        k = int(self.count[0]) if n else 0
        if k == 0 or self.value.size != n * k or not (self.count == k).all():
            return None
        weight = np.asarray(self.weight)
        if not (weight.strides == (0,) or (weight == weight[0]).all()):
            return None
        return self.value.reshape(n, k), float(weight[0])

    def _per_cell(self, fn, certified: np.ndarray | None) -> np.ndarray | None:
        """``w * sum_k fn(values, x)`` per cell on the grid, a block of cells at a
        time (no scenarios-sized temporaries), or None without a grid."""
        grid = self._grid
        if grid is None:
            return None
        values, weight = grid
        out = np.empty(values.shape[0])
        rows = max(1, _GRID_BLOCK // max(values.shape[1], 1))
        for lo in range(0, values.shape[0], rows):
            block = values[lo:lo + rows]
            x = None if certified is None else certified[lo:lo + rows, None]
            out[lo:lo + rows] = fn(block, x).sum(axis=1)
        return weight * out

    def shortfall(self, certified: np.ndarray) -> np.ndarray:
        """Expected unmet gap per cell, ``sum_k w_k * max(g_k - x, 0)``."""
        fast = self._per_cell(lambda g, x: np.maximum(g - x, 0.0), certified)
        if fast is not None:
            return fast
        unmet = np.maximum(self.value - certified[self.cell], 0.0)
        return np.bincount(self.cell, weights=self.weight * unmet, minlength=self.n_cells)

    def surplus(self, certified: np.ndarray) -> np.ndarray:
        """Expected certified workers beyond the gap per cell, ``sum_k w_k * max(x - g_k, 0)``."""
        fast = self._per_cell(lambda g, x: np.maximum(x - g, 0.0), certified)
        if fast is not None:
            return fast
        extra = np.maximum(certified[self.cell] - self.value, 0.0)
        return np.bincount(self.cell, weights=self.weight * extra, minlength=self.n_cells)

    def mean(self) -> np.ndarray:
        fast = self._per_cell(lambda g, x: g, None)
        if fast is not None:
            return fast
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
    notes: tuple[str, ...] = ()   # cells left out for want of a forecast (Forecast.notes)
    min_class: np.ndarray | None = None   # per cell: 0 or at least this many places; None: no rule

    @property
    def n_cells(self) -> int:
        return len(self.cells)

    @property
    def yield_(self) -> np.ndarray:
        """Expected certified workers who stay, per funded place: pass rate x absorption."""
        return self.pass_rate * self.absorption

    def name(self, row: int) -> str:
        """Plain-language name of one cell, e.g. ``"textiles in Northvale"``.

        The names of all cells are made once, on the first call: a plan (and each
        point of a budget curve) names every binding capacity and minimum.
        """
        names = self.__dict__.get("_names")
        if names is None:  # derived from the frozen fields; the instance is never mutated
            names = cell_names(self.cells, self.keys)
            object.__setattr__(self, "_names", names)
        return names[row]

    def objective_name(self) -> str:
        return objective_words(self.risk, self.quantile, self.surplus_penalty, self.source)


def objective_words(risk: str, quantile: float | None, surplus_penalty: float, source: str,
                    *, weighted: bool = False) -> str:
    """What a plan minimises, in words.

    From sample paths the expected risk is the *expected shortfall*
    ``E[max(g - c, 0)]``; from a forecast table (one expected gap per cell)
    it is the *shortfall of the expected gap* ``max(E[g] - c, 0)``, which is
    smaller wherever the gap may fall on either side of 0. ``quantile=None``
    with the quantile risk: each period's own planned quantile.

    Examples
    --------
    >>> objective_words("expected", None, 0.0, "samples")
    'expected shortfall'
    >>> objective_words("expected", None, 0.0, "forecast")
    'shortfall of the expected gap'
    >>> objective_words("quantile", 0.8, 0.5, "samples")
    'shortfall against the 80th-percentile gap plus the surplus penalty'
    """
    if risk == "quantile":
        what = ("shortfall against the planned quantile gap" if quantile is None
                else f"shortfall against the {percentile_words(quantile)} gap")
    elif source == "forecast":
        what = "shortfall of the expected gap"
    else:
        what = "expected shortfall"
    what = ("weighted " + what) if weighted else what
    return what + (" plus the surplus penalty" if surplus_penalty else "")


# --------------------------------------------------------------------------- the targets


def plan_period(period, periods: pd.arrays.PeriodArray, lead: np.ndarray) -> pd.Period:
    """The cohort's period: given, or the last forecast period minus the largest lead time.

    Raises :class:`PlanningError` when a given period's places would arrive
    (``period + lead_time``) after the last forecast period, naming the
    latest period that can be funded.
    """
    freq = normalize_freq(periods.freqstr)
    if period is None:
        last = int(periods.asi8.max())
        return pd.Period(ordinal=last - int(lead.max()), freq=periods.freq)
    try:
        funded = parse_periods([period], freq=freq)[0]
    except SchemaError as err:
        raise PlanningError(f"period={period!r} is not a period of the forecast's "
                            f"frequency: {err}") from err
    last, longest = int(periods.asi8.max()), int(lead.max())
    if funded.ordinal + longest > last:  # the places would count after the last forecast
        latest = pd.Period(ordinal=last - longest, freq=periods.freq)
        arrival = pd.Period(ordinal=funded.ordinal + longest, freq=periods.freq)
        raise PlanningError(
            f"period={str(funded)!r}: places funded then count lead_time = {longest} "
            f"period{'' if longest == 1 else 's'} later, in {arrival}, after the gap "
            f"forecast's last period {periods.max()}; fund in {latest} or earlier (the "
            f"latest period whose places arrive within the forecast, and the default), or "
            f"forecast {funded.ordinal + longest - last} more period"
            f"{'' if funded.ordinal + longest - last == 1 else 's'} ahead (a longer horizon)")
    return funded


def _interval_columns(table: pd.DataFrame, value: str) -> dict[float, str]:
    """``{quantile level: column}`` for the interval columns of ``value``."""
    prefixes = [value] + ([""] if value == "mean" else [])
    found: dict[float, str] = {}
    for column in table.columns:
        for prefix in prefixes:
            parsed = parse_interval_column(column, prefix=prefix)
            if parsed is not None:
                side, level = parsed[0], parsed[1] / 100
                q = 0.5 + level / 2 if side == "hi" else 0.5 - level / 2
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


def _target_rows(fc: Forecast, target_cell: np.ndarray, target_ord: np.ndarray,
                 target_lead: np.ndarray, plan_period: pd.Period) -> tuple[np.ndarray, np.ndarray]:
    """Forecast rows of every target (a cell at one period): positions and target numbers.

    Raises :class:`PlanningError` naming the targets the forecast has no row for.
    """
    periods = fc.periods.asi8
    low = min(int(periods.min()), int(target_ord.min()))
    span = max(int(periods.max()), int(target_ord.max())) - low + 1
    target_code = target_cell.astype(np.int64) * span + (target_ord - low)
    row_code = fc.codes.astype(np.int64) * span + (periods - low)
    order = np.argsort(target_code, kind="stable")
    sorted_codes = target_code[order]
    at = np.clip(np.searchsorted(sorted_codes, row_code), 0, sorted_codes.size - 1)
    match = sorted_codes[at] == row_code
    take = np.flatnonzero(match)
    row_target = order[at[take]]
    present = np.bincount(row_target, minlength=target_cell.size) > 0
    absent = np.flatnonzero(~present)
    if absent.size:
        freq = fc.periods.freq
        names = cell_names(fc.cells, fc.keys, target_cell[absent[:_MAX_SHOWN]])
        shown = [
            f"{name} at {pd.Period(ordinal=int(target_ord[i]), freq=freq)}"
            + (f" (period {plan_period} + lead_time {int(target_lead[i])})"
               if target_lead[i] else "")
            for name, i in zip(names, absent[:_MAX_SHOWN], strict=True)
        ]
        more = f"; and {absent.size - len(shown)} more" if absent.size > len(shown) else ""
        raise PlanningError(
            f"the gap forecast has no row for {plural(absent.size, 'cell')} at the period its "
            f"trainees arrive in: {'; '.join(shown)}{more}; forecast periods run from "
            f"{fc.periods.min()} to {fc.periods.max()}"
        )
    return take, row_target


def target_scenarios(fc: Forecast, target_cell: np.ndarray, target_ord: np.ndarray,
                     target_lead: np.ndarray, plan_period: pd.Period, quantile: float | None
                     ) -> tuple[Scenarios, Scenarios, str]:
    """The gap scenarios of every target (a cell at the period its trainees arrive in).

    Returns the scenarios shortfalls are reported on, the scenarios the plan
    is optimised against (the same, or one quantile gap per target) and the
    input form read (``"samples"`` or ``"forecast"``).
    """
    target_cell = np.asarray(target_cell, dtype=np.int64)
    target_ord = np.asarray(target_ord, dtype=np.int64)
    n = target_cell.size
    take, row_target = _target_rows(fc, target_cell, target_ord, target_lead, plan_period)
    if fc.paths is not None:
        return _path_scenarios(fc, take, row_target, target_cell, quantile)
    rows = fc.table.iloc[take]
    value = fc.value
    gap = pd.to_numeric(rows[value], errors="coerce").to_numpy(dtype=np.float64,
                                                               na_value=np.nan)
    targets = fc.cells.iloc[target_cell].reset_index(drop=True)
    blank = np.flatnonzero(~np.isfinite(gap))
    if blank.size:
        bad = np.unique(row_target[blank])
        raise SchemaError(
            f"column {value!r} of the gap forecast must be a finite number at each cell's "
            f"arrival period; {rows_fail(blank.size)}, e.g. "
            + "; ".join(cell_names(targets, fc.keys, bad[:_MAX_SHOWN])),
            column=value, reason="missing_value",
        )
    if "sample" in fc.table.columns:
        source = "samples"
        repeated = pd.DataFrame({"target": row_target, "sample": rows["sample"].to_numpy()}
                                ).duplicated().to_numpy()
        if repeated.any():
            bad = np.unique(row_target[repeated])
            raise SchemaError(
                "the gap scenarios repeat a sample number within a cell-period (do the keys "
                "leave out a column that tells cells apart?): "
                + "; ".join(cell_names(targets, fc.keys, bad[:_MAX_SHOWN])),
                column="sample", reason="duplicate",
            )
        evaluate = Scenarios.from_values(row_target, gap, n)
        planned = evaluate.quantile(quantile) if quantile is not None else None
    else:
        source = "forecast"
        repeated = np.bincount(row_target, minlength=n) > 1
        if repeated.any():
            bad = np.flatnonzero(repeated)
            raise SchemaError(
                "the gap forecast has more than one row per cell-period for "
                + "; ".join(cell_names(targets, fc.keys, bad[:_MAX_SHOWN]))
                + "; a table of sample paths needs a 'sample' column",
                column="period", reason="duplicate",
            )
        order = np.argsort(row_target, kind="stable")
        evaluate = Scenarios.from_values(row_target, gap, n)
        planned = (None if quantile is None else
                   _quantile_from_intervals(rows.iloc[order], value, gap[order], quantile,
                                            targets, fc.keys))
    plan = (evaluate if planned is None
            else Scenarios.from_values(np.arange(n), planned, n))
    return evaluate, plan, source


def _path_scenarios(fc: Forecast, take: np.ndarray, row_target: np.ndarray,
                    target_cell: np.ndarray, quantile: float | None
                    ) -> tuple[Scenarios, Scenarios, str]:
    """Scenarios of every target from compact paths: one (targets x samples) block, sorted.

    Reads only the targets' cell-periods (never the long table); each row is
    sorted along the samples, which is the per-cell order :class:`Scenarios`
    keeps, so no global sort is needed.
    """
    n = target_cell.size
    horizon = len(fc.paths.periods)
    grid = np.empty(n, dtype=np.int64)   # each target's cell-period: one per target
    grid[row_target] = take
    values = fc.paths.values(fc.value, grid // horizon, grid % horizon)  # (targets, samples)
    blank = np.flatnonzero(~np.isfinite(values).all(axis=1))
    if blank.size:
        targets = fc.cells.iloc[target_cell].reset_index(drop=True)
        raise SchemaError(
            f"column {fc.value!r} of the gap forecast must be a finite number at each cell's "
            f"arrival period; {rows_fail(int((~np.isfinite(values)).sum()))}, e.g. "
            + "; ".join(cell_names(targets, fc.keys, blank[:_MAX_SHOWN])),
            column=fc.value, reason="missing_value",
        )
    values.sort(axis=1)
    evaluate, plan = Scenarios.from_grid(values).with_plan(quantile)
    return evaluate, plan, "samples"


def read_lead(lead_time, frame: pd.DataFrame, keys: list[str], **naming) -> np.ndarray:
    """Lead times in whole periods, one per row of ``frame`` (scalar or table)."""
    lead = parameter(lead_time, "lead_time", frame, keys, **naming)
    fractional = np.flatnonzero(lead != np.round(lead))
    if fractional.size:
        raise PlanningError(
            "lead_time must be a whole number of periods; "
            + examples(cell_names(frame, keys, fractional[:_MAX_SHOWN]),
                       [fmt(lead[i]) for i in fractional[:_MAX_SHOWN]], fractional.size)
        )
    return lead.astype(np.int64)


def place_bounds(cost: np.ndarray, minimum: np.ndarray, cap: np.ndarray, *, integer: str,
                 budget: float, frame: pd.DataFrame, keys: list[str], unit: str = "cell"
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Bounds on places (whole places inward unless ``integer="none"``), checked feasible.

    Raises :class:`PlanningError` when a capacity is below its minimum or the
    minimum quotas cost more than the budget, saying by how much.
    """
    if integer == "none":
        lower, upper = minimum, cap
    else:
        lower = np.ceil(minimum - _INTEGER_TOL)
        upper = np.floor(cap + _INTEGER_TOL)
    short = np.flatnonzero(upper < lower)
    if short.size:
        shown = short[:_MAX_SHOWN]
        raise PlanningError(
            f"capacity is below the minimum quota in {plural(short.size, unit)}: "
            + examples(cell_names(frame, keys, shown),
                       [f"capacity {fmt(upper[i])} < min_quota {fmt(lower[i])} "
                        f"by {fmt(lower[i] - upper[i])} places" for i in shown], short.size)
        )
    floor_cost = float((cost * lower).sum())  # summed as the plan's total_cost
    if floor_cost > budget:
        top = np.argsort(-cost * lower, kind="stable")[:3]
        top = top[cost[top] * lower[top] > 0]
        detail = "; ".join(
            f"{name}: {fmt(lower[i])} places x {fmt(cost[i])}"
            for name, i in zip(cell_names(frame, keys, top), top, strict=True))
        raise PlanningError(
            f"minimum quotas cost {fmt(floor_cost)}, more than the budget {fmt(budget)} "
            f"by {fmt(floor_cost - budget)} (largest: {detail})"
        )
    return lower, upper


def build_problem(gap_forecast: pd.DataFrame, *, keys, value: str, period, budget,
                  cost_per_trainee, pass_rate, absorption, capacity, min_quota, lead_time,
                  risk: str, quantile, surplus_penalty, integer: str,
                  min_class_size=None) -> Problem:
    """Check every input and return the :class:`Problem` the allocators solve."""
    risk, quantile = check_options(integer, risk, quantile, surplus_penalty)
    budget = check_budget(budget)
    fc = read_forecast(gap_forecast, keys, value)
    cells, keys = fc.cells, fc.keys
    cost = parameter(cost_per_trainee, "cost_per_trainee", cells, keys)
    rate = parameter(pass_rate, "pass_rate", cells, keys)
    absorb = parameter(absorption, "absorption", cells, keys)
    minimum = parameter(min_quota, "min_quota", cells, keys)
    cap = (np.full(len(cells), np.inf) if capacity is None
           else parameter(capacity, "capacity", cells, keys))
    lead = read_lead(lead_time, cells, keys)
    size = (None if min_class_size is None
            else parameter(min_class_size, "min_class_size", cells, keys))
    floor, size = apply_min_class(size, minimum, cap, integer=integer, frame=cells, keys=keys)
    lower, upper = place_bounds(cost, floor, cap, integer=integer, budget=budget,
                                frame=cells, keys=keys)
    the_period = plan_period(period, fc.periods, lead)
    arrival_ord = the_period.ordinal + lead
    n = len(cells)
    evaluate, plan, source = target_scenarios(fc, np.arange(n), arrival_ord, lead, the_period,
                                              quantile)
    arrival = pd.arrays.PeriodArray(arrival_ord.astype(np.int64), dtype=fc.periods.dtype)
    return Problem(
        keys=tuple(keys), cells=cells, period=the_period, arrival=arrival, cost=cost,
        pass_rate=rate, absorption=absorb, capacity=cap, min_quota=minimum, lower=lower,
        upper=upper, budget=budget, surplus_penalty=float(surplus_penalty), evaluate=evaluate,
        plan=plan, risk=risk, quantile=quantile, integer=integer, source=source,
        notes=fc.notes, min_class=size,
    )
