"""Programme plans: training programmes that feed several industries through a crosswalk.

A training programme (e.g. CNC machining) sends its graduates to several
industries. The crosswalk table ``program, industry, share`` (the same
columns as in :func:`talentgap.features.training_supply`; optionally also
``region`` or another non-industry key of the gap forecast, for shares that
differ by region) gives the share of a programme's certified graduates that
goes to each industry; the shares of a programme sum to 1.

A *programme* here is one ``program`` in one location (the forecast's keys
other than ``industry``, usually ``region``): a place funded in programme
``u`` yields ``pass_rate_u * absorption_e * share_e`` certified workers who
stay in cell ``c(e)`` for every industry ``e`` it feeds, in the same region.
Cells are scored at the period the programme's trainees arrive in (cohort
period + the programme's lead time), so a *target* is one cell at one
arrival period; cells no programme feeds are kept as targets without supply.

The crosswalk table is checked by
:func:`talentgap.features.crosswalk.check_crosswalk`, as in
:func:`~talentgap.features.training_supply`: missing keys, negative or
non-numeric shares, repeated pairs and shares not summing to 1 within
:data:`~talentgap.features.crosswalk.SHARE_TOLERANCE` raise one
:class:`~talentgap.errors.SchemaError` naming the rows. Keys that do not fit
the gap forecast raise :class:`~talentgap.errors.PlanningError`; crosswalk
rows that lead to cells absent from the forecast raise a
:class:`~talentgap.errors.DataQualityWarning` naming them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap.errors import DataQualityWarning, PlanningError, warn
from talentgap.features.crosswalk import check_crosswalk, crosswalk_target
from talentgap.planning._params import (
    cell_names,
    check_budget,
    check_options,
    parameter,
    plural,
)
from talentgap.planning._problem import (
    Scenarios,
    objective_words,
    place_bounds,
    plan_period,
    read_forecast,
    read_lead,
    target_scenarios,
)

__all__ = ["Network", "read_crosswalk", "read_units", "build_network"]

_MAX_SHOWN = 5
_PROGRAM = "program"
_INDUSTRY = "industry"
_SHARE = "share"


# --------------------------------------------------------------------------- the problem


@dataclass(frozen=True)
class Network:
    """A checked programme-planning problem.

    Decisions are places per programme (``units``); supply reaches the
    *targets* (cells at their arrival period) through the edges
    ``edge_unit -> edge_target`` with ``edge_yield`` certified workers who
    stay per place. ``lower``/``upper`` are the bounds on places the solvers
    use (whole places, inward, unless ``integer="none"``).
    """

    keys: tuple[str, ...]
    unit_keys: tuple[str, ...]
    units: pd.DataFrame
    targets: pd.DataFrame
    period: pd.Period
    arrival: pd.arrays.PeriodArray
    target_arrival: pd.arrays.PeriodArray
    cost: np.ndarray
    pass_rate: np.ndarray
    capacity: np.ndarray
    min_quota: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    edge_unit: np.ndarray
    edge_target: np.ndarray
    edge_share: np.ndarray
    edge_absorption: np.ndarray
    budget: float
    surplus_penalty: float
    evaluate: Scenarios
    plan: Scenarios
    risk: str
    quantile: float | None
    integer: str
    source: str
    target: str = _INDUSTRY  # what the programmes feed: "industry" or "occupation"
    notes: tuple[str, ...] = ()   # cells left out for want of a forecast (Forecast.notes)

    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def n_targets(self) -> int:
        return len(self.targets)

    @property
    def edge_yield(self) -> np.ndarray:
        """Certified workers who stay in the edge's cell per funded place."""
        return self.pass_rate[self.edge_unit] * self.edge_absorption * self.edge_share

    @property
    def share_in_forecast(self) -> np.ndarray:
        """Per programme, the share of its graduates that goes to cells of the forecast."""
        return np.bincount(self.edge_unit, weights=self.edge_share, minlength=self.n_units)

    @property
    def absorption(self) -> np.ndarray:
        """Per programme, the share-weighted absorption over the cells it feeds."""
        total = np.bincount(self.edge_unit, weights=self.edge_share * self.edge_absorption,
                            minlength=self.n_units)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.share_in_forecast > 0, total / self.share_in_forecast, 0.0)

    @property
    def yield_(self) -> np.ndarray:
        """Per programme, certified workers who stay in the forecast's cells per place."""
        return np.bincount(self.edge_unit, weights=self.edge_yield, minlength=self.n_units)

    @property
    def fed(self) -> np.ndarray:
        """Per target, whether any programme feeds it."""
        return np.bincount(self.edge_target, minlength=self.n_targets) > 0

    def certified(self, places: np.ndarray) -> np.ndarray:
        """Expected certified workers who stay, per target, for places per programme."""
        return np.bincount(self.edge_target, weights=self.edge_yield * places[self.edge_unit],
                           minlength=self.n_targets)

    def name(self, row: int) -> str:
        """Plain-language name of one programme, e.g. ``"CNC machining in Northvale"``.

        The names of all programmes are made once, on the first call: a national
        plan names thousands of binding capacities.
        """
        names = self.__dict__.get("_names")
        if names is None:  # derived from the frozen fields; the instance is never mutated
            names = cell_names(self.units, self.unit_keys)
            object.__setattr__(self, "_names", names)
        return names[row]

    def objective_name(self) -> str:
        return objective_words(self.risk, self.quantile, self.surplus_penalty, self.source)

    def feeds(self) -> list[str]:
        """Per programme, the industries it feeds in the forecast with their shares."""
        industry = self.targets[self.target].astype(object).to_numpy()[self.edge_target]
        out: list[list[tuple[float, str]]] = [[] for _ in range(self.n_units)]
        for u, name, share in zip(self.edge_unit, industry, self.edge_share, strict=True):
            out[u].append((share, str(name)))
        return [", ".join(f"{name} {100 * share:.3g}%" for share, name in
                          sorted(items, key=lambda item: (-item[0], item[1])))
                for items in out]

    def fed_by(self) -> list[str]:
        """Per target, the programmes that feed it (``""`` for none)."""
        programs = self.units[_PROGRAM].astype(object).to_numpy()[self.edge_unit]
        out: list[set[str]] = [set() for _ in range(self.n_targets)]
        for t, program in zip(self.edge_target, programs, strict=True):
            out[t].add(str(program))
        return [", ".join(sorted(names)) for names in out]


# --------------------------------------------------------------------------- the crosswalk


def _plain(value) -> object:
    return value.item() if isinstance(value, np.generic) else value


def read_crosswalk(crosswalk, keys: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Check a crosswalk against the gap forecast's keys; return it with its location keys.

    The table itself is checked by
    :func:`talentgap.features.crosswalk.check_crosswalk` (a
    :class:`~talentgap.errors.SchemaError` for a bad crosswalk); the result
    has columns ``program, <location keys...>, industry, share`` (keys as
    objects, shares as floats, rows with share 0 dropped, the original row
    labels kept as the index). The location keys are the forecast keys
    other than ``industry`` that the crosswalk has. A ``program, occupation,
    share`` crosswalk plans demand keyed by ``occupation`` the same way.
    """
    target = crosswalk_target(crosswalk)
    if target not in keys:
        raise PlanningError(
            f"a crosswalk maps programmes to {target} values, so keys must include "
            f"{target!r}; keys are {keys}")
    if _PROGRAM in keys:
        raise PlanningError(
            "with a crosswalk the plan is per programme: the gap forecast's keys must not "
            "include 'program'")
    columns = crosswalk.columns if isinstance(crosswalk, pd.DataFrame) else ()
    location = [k for k in keys if k != target and k in columns]
    return check_crosswalk(crosswalk, location=location, target=target), location


# --------------------------------------------------------------------------- building


def _codes(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    return frame.groupby(columns, sort=True, observed=True, dropna=False).ngroup().to_numpy()


def _index(frame: pd.DataFrame, columns: list[str]) -> pd.MultiIndex:
    return pd.MultiIndex.from_arrays([frame[c].astype(object).to_numpy() for c in columns])


def _edges(cw: pd.DataFrame, location: list[str], cells: pd.DataFrame, keys: list[str],
           stacklevel: int, target: str = _INDUSTRY) -> tuple[pd.DataFrame, np.ndarray]:
    """Crosswalk rows spread over the forecast's locations; each with its cell (or dropped).

    Returns the edges into cells of the forecast (columns ``program, <keys...>,
    share, row``) and their cell numbers; warns about the rest.
    """
    free = [k for k in keys if k != target and k not in location]
    cw = cw.assign(row=cw.index.to_numpy(dtype=object)).reset_index(drop=True)
    if free:
        places = cells[free].drop_duplicates().reset_index(drop=True)
        places = pd.DataFrame({c: places[c].astype(object).to_numpy() for c in free})
        edges = cw.merge(places, how="cross")
    else:
        edges = cw
    edges = edges[[_PROGRAM, *keys, _SHARE, "row"]]
    cell = _index(cells, keys).get_indexer(_index(edges, keys))
    lost = cell < 0
    unit_keys = [_PROGRAM, *(k for k in keys if k != target)]
    unit = _codes(edges, unit_keys)
    kept_units = np.unique(unit[~lost])
    dropped = np.setdiff1d(np.unique(unit), kept_units)
    if lost.any():
        rows = pd.unique(edges.loc[lost, "row"])
        details = []
        for label in rows[:_MAX_SHOWN]:
            these = lost & (edges["row"].to_numpy() == label)
            first = edges.loc[np.flatnonzero(these)[0]]
            where = ""
            if free:
                names = cell_names(edges.loc[these], free)
                where = " in " + ", ".join(names[:_MAX_SHOWN]) + (
                    f" and {len(names) - _MAX_SHOWN} more" if len(names) > _MAX_SHOWN else "")
            details.append(
                f"row {_plain(label)!r} (program={_plain(first[_PROGRAM])!r}, "
                f"{target}={_plain(first[target])!r}, share={first[_SHARE]:.4g}){where}")
        more = f"; and {len(rows) - _MAX_SHOWN} more" if len(rows) > _MAX_SHOWN else ""
        warn(
            f"{plural(len(rows), 'crosswalk row')} {'leads' if len(rows) == 1 else 'lead'} to "
            f"cells the gap forecast does not have; those graduates count for nothing in the "
            f"plan: {'; '.join(details)}{more}",
            DataQualityWarning, stacklevel=stacklevel)
    if dropped.size:
        first = np.array([np.flatnonzero(unit == u)[0] for u in dropped[:_MAX_SHOWN]])
        names = cell_names(edges, unit_keys, first)
        more = f" and {dropped.size - len(names)} more" if dropped.size > len(names) else ""
        warn(
            f"{plural(dropped.size, 'programme')} of the crosswalk "
            f"{'feeds' if dropped.size == 1 else 'feed'} no cell of the gap forecast and "
            f"{'is' if dropped.size == 1 else 'are'} left out of the plan: "
            f"{'; '.join(names)}{more}",
            DataQualityWarning, stacklevel=stacklevel)
    if kept_units.size == 0:
        raise PlanningError("no programme of the crosswalk feeds a cell of the gap forecast "
                            f"(cells are keyed by {keys})")
    keep = ~lost
    return edges[keep].reset_index(drop=True), cell[keep]


def read_units(crosswalk, cells: pd.DataFrame, keys: list[str], *, stacklevel: int = 2):
    """The programmes of a crosswalk and their edges into ``cells`` (rows of the forecast).

    Returns ``(units, unit_keys, edges, edge_unit, edge_cell, target)``: one row per
    programme (``program`` and the keys other than ``target``), the crosswalk rows
    spread over the forecast's locations that lead to a cell (``program, <keys...>,
    share, row``) with their programme and cell numbers, and the key the programmes
    feed (``"industry"`` or ``"occupation"``). Warns and raises as
    :func:`build_network` does.
    """
    cw, location = read_crosswalk(crosswalk, keys)
    target = crosswalk_target(crosswalk)
    edges, edge_cell = _edges(cw, location, cells, keys, stacklevel + 1, target)
    unit_keys = [_PROGRAM, *(k for k in keys if k != target)]
    edge_unit = _codes(edges, unit_keys)
    _, first = np.unique(edge_unit, return_index=True)
    units = edges[unit_keys].iloc[first].reset_index(drop=True)
    return units, unit_keys, edges, edge_unit, edge_cell, target


def build_network(gap_forecast: pd.DataFrame, crosswalk, *, keys, value: str, period, budget,
                  cost_per_trainee, pass_rate, absorption, capacity, min_quota, lead_time,
                  risk: str, quantile, surplus_penalty, integer: str,
                  stacklevel: int = 2) -> Network:
    """Check every input and return the :class:`Network` the programme allocators solve."""
    risk, quantile = check_options(integer, risk, quantile, surplus_penalty)
    budget = check_budget(budget)
    fc = read_forecast(gap_forecast, keys, value)
    keys = fc.keys
    units, unit_keys, edges, edge_unit, edge_cell, target = read_units(
        crosswalk, fc.cells, keys, stacklevel=stacklevel + 1)

    naming = {"unit": "programme", "of": "the crosswalk"}
    cost = parameter(cost_per_trainee, "cost_per_trainee", units, unit_keys, **naming)
    rate = parameter(pass_rate, "pass_rate", units, unit_keys, **naming)
    minimum = parameter(min_quota, "min_quota", units, unit_keys, **naming)
    cap = (np.full(len(units), np.inf) if capacity is None
           else parameter(capacity, "capacity", units, unit_keys, **naming))
    edge_keys = [_PROGRAM, *keys]
    absorb = parameter(absorption, "absorption", edges, edge_keys,
                       unit="programme-industry flow", of="the crosswalk")
    lead = read_lead(lead_time, units, unit_keys, **naming)
    lower, upper = place_bounds(cost, minimum, cap, integer=integer, budget=budget,
                                frame=units, keys=unit_keys, unit="programme")

    the_period = plan_period(period, fc.periods, lead)
    arrival_ord = the_period.ordinal + lead
    unfed = np.setdiff1d(np.arange(len(fc.cells)), edge_cell)
    pair_cell = np.concatenate([edge_cell, unfed]).astype(np.int64)
    pair_ord = np.concatenate([arrival_ord[edge_unit],
                               np.full(unfed.size, int(arrival_ord.max()))]).astype(np.int64)
    low = int(pair_ord.min())
    span = int(pair_ord.max()) - low + 1
    target_code, inverse = np.unique(pair_cell * span + (pair_ord - low), return_inverse=True)
    target_cell = target_code // span
    target_ord = target_code % span + low
    evaluate, plan, source = target_scenarios(fc, target_cell, target_ord,
                                              target_ord - the_period.ordinal, the_period,
                                              quantile)
    dtype = fc.periods.dtype
    return Network(
        keys=tuple(keys), unit_keys=tuple(unit_keys), units=units,
        targets=fc.cells.iloc[target_cell].reset_index(drop=True), period=the_period,
        arrival=pd.arrays.PeriodArray(arrival_ord.astype(np.int64), dtype=dtype),
        target_arrival=pd.arrays.PeriodArray(target_ord.astype(np.int64), dtype=dtype),
        cost=cost, pass_rate=rate, capacity=cap, min_quota=minimum, lower=lower, upper=upper,
        edge_unit=edge_unit.astype(np.int64), edge_target=inverse[:edge_cell.size],
        edge_share=edges[_SHARE].to_numpy(dtype=np.float64), edge_absorption=absorb,
        budget=budget, surplus_penalty=float(surplus_penalty), evaluate=evaluate, plan=plan,
        risk=risk, quantile=quantile, integer=integer, source=source, target=target,
        notes=fc.notes,
    )
