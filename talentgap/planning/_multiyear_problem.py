"""Reading a multi-year plan's inputs into one checked problem.

A multi-year plan has cells (from the needs table), funding periods (when
places are paid for), need periods (every period of the needs table) and, per
cell, the parameters of the single-period plan plus an exit rate. This module
resolves them once, with the constraint tables (annual budgets, budget
envelopes, shared capacity groups, equity rules) turned into sparse rows over
the decisions ``q[u, s]`` (index ``u * S + s``) by
:mod:`talentgap.planning._multiyear_inputs`. A decision's unit ``u`` is a
cell, or with a crosswalk a training programme in a location (as in
:func:`~talentgap.planning._crosswalk.build_network`) that feeds several cells.
Problems the caller can fix raise :class:`~talentgap.errors.PlanningError`
naming the table, the column, the rule and example rows.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from talentgap._frequencies import periods_per_year
from talentgap.errors import PlanningError, SchemaError
from talentgap.periods import normalize_freq, parse_periods
from talentgap.planning._committed import read_committed, reduce_needs
from talentgap.planning._crosswalk import read_units
from talentgap.planning._forecast import Forecast, read_forecast
from talentgap.planning._min_class import apply_min_class
from talentgap.planning._multiyear_inputs import (
    Equity,
    Rows,
    read_budgets,
    read_envelopes,
    read_equity,
    read_group_minimums,
    read_groups,
    read_need_weights,
    read_policy_need,
    read_policy_per_worker,
)
from talentgap.planning._multiyear_params import by_period, decision_labels, has_period
from talentgap.planning._multiyear_scenarios import grid_scenarios
from talentgap.planning._params import (
    cell_names,
    check_options,
    examples,
    fmt,
    parameter,
    plural,
)
from talentgap.planning._problem import (
    Scenarios,
    objective_words,
    place_bounds,
    read_lead,
    target_scenarios,
)
from talentgap.planning._solve import check_time_limit

__all__ = ["Rows", "YearsProblem", "build_years_problem", "check_group_minimums"]

_MAX_SHOWN = 5


# --------------------------------------------------------------------------- the problem


@dataclass(frozen=True)
class YearsProblem:
    """A checked multi-year planning problem (see :mod:`talentgap.planning.multiyear`).

    Decisions are ``q[u, s]`` at index ``u * n_funding + s``, where the unit
    ``u`` is a cell or, with a crosswalk, a programme (a row of ``units``);
    need targets (a cell at a need period) are at index ``c * n_need + t``.
    ``transfer`` maps places to workers present: ``W = transfer @ q`` with
    entry ``y_uc (1 - e_c)^(t - s - L_u)`` where ``t >= s + L_u`` (``y_uc`` the
    certified workers per place of ``u`` who stay in ``c``). ``pass_rate``
    and ``lead`` are per unit;
    ``exit_rate`` per cell; ``absorption`` per unit (with a crosswalk, the
    share-weighted absorption over the cells the programme feeds);
    ``cost``, ``capacity`` and ``min_quota`` per decision, as given (they may
    differ by funding period, see :mod:`talentgap.planning._multiyear_params`).
    ``surplus_penalty`` charges workers beyond the market need per target,
    times the cell's market weight (:meth:`surplus_cost`,
    :meth:`surplus_constant`).

    With ``policy_rate`` (``r_c``, the policy need's workers each worker of
    a place adds in cell ``c``: the ``per_worker`` column of the policy
    need) the policy need is held in the unit of ``W``: ``policy`` is
    ``N / r_c`` and ``weight_policy`` is ``w r_c``, so that
    ``w r_c max(N / r_c - W, 0) = w max(N - r_c W, 0)`` stays in persons
    and the program is unchanged; ``policy_persons`` keeps ``N`` for the
    plan's tables (:meth:`policy_shown`). A cell with ``r_c = 0`` has its
    policy need out of the plan's reach (``policy`` and weight 0); its
    weighted need is ``policy_constant``, which the reported objective adds.

    With places already funded (the ``committed`` table), ``committed``
    holds their workers per target (the transfer over the committed funding
    periods times their places) and every need above is net of them: the
    market scenarios less ``committed``, the policy need
    ``max(N - r_c committed, 0)``, so shortfalls are counted after them.
    """

    keys: tuple[str, ...]
    cells: pd.DataFrame
    funding: pd.arrays.PeriodArray
    need: pd.arrays.PeriodArray
    cost: np.ndarray           # per decision
    pass_rate: np.ndarray
    absorption: np.ndarray
    exit_rate: np.ndarray      # per year, as given
    lead: np.ndarray
    capacity: np.ndarray       # per decision
    min_quota: np.ndarray      # per decision
    lower: np.ndarray          # per decision
    upper: np.ndarray          # per decision
    transfer: sp.csr_matrix    # targets x decisions
    market: Scenarios          # per target: what shortfalls are reported on
    market_plan: Scenarios     # per target: what the plan optimises against
    policy: np.ndarray | None  # per target, persons >= 0
    weight_market: np.ndarray  # per cell
    weight_policy: np.ndarray  # per cell
    budgets: Rows
    envelopes: Rows
    groups: Rows
    equity: Equity
    integer: str
    risk: str
    quantile: float | None
    source: str
    tie_tolerance: float
    units: pd.DataFrame | None = None     # programmes (with a crosswalk); None: the cells
    unit_keys: tuple[str, ...] | None = None
    edge_unit: np.ndarray | None = None   # crosswalk edges into cells: programme -> cell
    edge_cell: np.ndarray | None = None
    edge_share: np.ndarray | None = None
    edge_absorption: np.ndarray | None = None
    surplus_penalty: float = 0.0          # per worker beyond the market need, x its weight
    time_limit: float | None = None       # seconds for branch and bound (integer="exact")
    notes: tuple[str, ...] = ()           # cells left out for want of a forecast
    min_class: np.ndarray | None = None   # per decision: 0 or at least this many places
    group_mins: Rows | None = None        # capacity groups' min_places, as -sum q <= -min
    policy_rate: np.ndarray | None = None     # per cell: policy workers per worker (None: 1)
    policy_persons: np.ndarray | None = None  # per target: the policy need in persons
    policy_constant: float = 0.0              # weighted policy need no place reaches (r = 0)
    committed: np.ndarray | None = None   # per target: workers of places already funded
    committed_places: float = 0.0         # places already funded (the committed table)
    committed_arriving: float = 0.0       # their certified workers arriving in need periods

    @property
    def n_cells(self) -> int:
        return len(self.cells)

    @property
    def n_units(self) -> int:
        """Units of the decisions: the programmes with a crosswalk, else the cells."""
        return self.n_cells if self.units is None else len(self.units)

    @property
    def n_funding(self) -> int:
        return len(self.funding)

    @property
    def n_need(self) -> int:
        return len(self.need)

    @property
    def yield_(self) -> np.ndarray:
        """Per unit: certified workers per place who stay in the cells of the needs table."""
        if self.units is None:
            return self.pass_rate * self.absorption
        unit, _, share, absorb = self.edges()
        return np.bincount(unit, weights=self.pass_rate[unit] * absorb * share,
                           minlength=self.n_units)

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(unit, cell, share, absorption)`` per edge (a cell feeds itself without one)."""
        if self.units is None:
            every = np.arange(self.n_cells)
            return every, every, np.ones(self.n_cells), self.absorption
        return self.edge_unit, self.edge_cell, self.edge_share, self.edge_absorption

    def arrival_targets(self) -> tuple[np.ndarray, np.ndarray]:
        """Per edge x funding period: the target its places arrive at, and whether they do.

        The target is ``cell * n_need + t`` for the need period ``t`` that is
        the arrival period; ``False`` where places arrive in no need period
        (the target index is then meaningless).
        """
        unit, cell, _, _ = self.edges()
        need = self.need.asi8
        arrival = self.funding.asi8[None, :] + self.lead[unit][:, None]    # edges x funding
        t = np.clip(np.searchsorted(need, arrival), 0, self.n_need - 1)
        return cell[:, None] * self.n_need + t, need[t] == arrival

    def unit_cells(self) -> sp.csr_matrix:
        """Cells x units, 1 where the unit's places reach the cell."""
        unit, cell, _, _ = self.edges()
        return sp.csr_matrix((np.ones(unit.size), (cell, unit)),
                             shape=(self.n_cells, self.n_units))

    def decision_cell(self) -> np.ndarray:
        """Per decision, its unit (the cell when the plan is per cell)."""
        return np.repeat(np.arange(self.n_units), self.n_funding)

    def decision_year(self) -> np.ndarray:
        return np.tile(np.arange(self.n_funding), self.n_units)

    def target_cell(self) -> np.ndarray:
        return np.repeat(np.arange(self.n_cells), self.n_need)

    def target_year(self) -> np.ndarray:
        return np.tile(np.arange(self.n_need), self.n_cells)

    def decision_name(self, i: int) -> str:
        u, s = divmod(int(i), self.n_funding)
        frame, keys = ((self.cells, self.keys) if self.units is None
                       else (self.units, self.unit_keys))
        return f"{cell_names(frame, keys, [u])[0]}, {self.funding[s]}"

    def objective_name(self) -> str:
        return objective_words(self.risk, None, self.surplus_penalty, self.source,
                               weighted=self.policy is not None)

    def surplus_cost(self) -> np.ndarray:
        """Per decision: ``surplus_penalty`` x the market-weighted workers it adds.

        A place's workers summed over the need periods they serve, each
        times its cell's market weight, times the penalty: the linear part of
        ``p w max(W - N, 0) = p w max(N - W, 0) + p w W - p w N`` (zero
        without a penalty).
        """
        if not self.surplus_penalty:
            return np.zeros(self.n_units * self.n_funding)
        weight = self.weight_market[self.target_cell()]
        return self.surplus_penalty * np.asarray(self.transfer.T @ weight).ravel()

    def surplus_constant(self) -> float:
        """``- surplus_penalty x sum_t w E[N]``: the constant of the identity above."""
        if not self.surplus_penalty:
            return 0.0
        weight = self.weight_market[self.target_cell()]
        return -self.surplus_penalty * float(np.dot(weight, self.market_plan.mean()))

    def policy_shown(self, workers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per target, in persons: the policy need and its shortfall with ``workers`` (``W``).

        Without a policy need, zeros.
        """
        n_t = self.n_cells * self.n_need
        if self.policy is None:
            return np.zeros(n_t), np.zeros(n_t)
        if self.policy_rate is None:
            return self.policy, np.maximum(self.policy - workers, 0.0)
        rate = self.policy_rate[self.target_cell()]
        return self.policy_persons, np.maximum(self.policy_persons - rate * workers, 0.0)

    def rows(self) -> list[Rows]:
        return [r for r in (self.budgets, self.envelopes, self.groups, self.group_mins)
                if r is not None and r.size]


# --------------------------------------------------------------------------- readers


def _funding(periods, fc: Forecast) -> pd.arrays.PeriodArray:
    if isinstance(periods, (str, numbers.Number, pd.Period)):
        periods = [periods]
    try:
        values = list(periods)
    except TypeError as err:
        raise PlanningError(f"periods must be a list of funding periods, e.g. [2026, 2027]; "
                            f"got {periods!r}") from err
    if not values:
        raise PlanningError("periods is empty; give the funding periods, e.g. [2026, 2027]")
    freq = normalize_freq(fc.periods.freqstr)
    try:
        parsed = parse_periods(values, freq=freq, name="periods")
    except SchemaError as err:
        raise PlanningError(f"periods={values!r} are not periods of the needs table's "
                            f"frequency: {err}") from err
    ordinals = np.asarray(parsed.asi8)
    if np.unique(ordinals).size != ordinals.size:
        raise PlanningError(f"periods={values!r} repeats a period; give each funding period "
                            "once")
    return pd.arrays.PeriodArray(np.sort(ordinals), dtype=fc.periods.dtype)


def _check_grid(fc: Forecast, need: np.ndarray) -> None:
    """Every cell needs a row (or samples) at every need period."""
    n, t = len(fc.cells), need.size
    present = np.zeros(n * t, dtype=bool)
    present[fc.codes * t + np.searchsorted(need, fc.periods.asi8)] = True
    absent = np.flatnonzero(~present)
    if absent.size:
        shown = absent[:_MAX_SHOWN]
        names = cell_names(fc.cells, fc.keys, shown // t)
        freq = fc.periods.freq
        detail = [f"{name} at {pd.Period(ordinal=int(need[j % t]), freq=freq)}"
                  for name, j in zip(names, shown, strict=True)]
        more = f"; and {absent.size - len(shown)} more" if absent.size > len(shown) else ""
        raise PlanningError(
            f"the needs table must have every cell at every need period (its periods "
            f"{fc.periods.min()} to {fc.periods.max()}); {plural(absent.size, 'cell-period')} "
            f"{'are' if absent.size != 1 else 'is'} missing: {'; '.join(detail)}{more}"
        )


def _transfer(fc: Forecast, funding: np.ndarray, need: np.ndarray, yield_: np.ndarray,
              exit_rate: np.ndarray, lead: np.ndarray) -> sp.csr_matrix:
    n, n_f, n_t = len(fc.cells), funding.size, need.size
    lag = need[None, None, :] - funding[None, :, None] - lead[:, None, None]  # c x s x t
    c, s, t = np.nonzero(lag >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = yield_[c] * np.power(1.0 - exit_rate[c], lag[c, s, t])
    keep = value > 0
    return sp.csr_matrix((value[keep], (c[keep] * n_t + t[keep], c[keep] * n_f + s[keep])),
                         shape=(n * n_t, n * n_f))


def _edge_transfer(edge_unit: np.ndarray, edge_cell: np.ndarray, edge_yield: np.ndarray,
                   n_units: int, n_cells: int, funding: np.ndarray, need: np.ndarray,
                   exit_rate: np.ndarray, lead: np.ndarray) -> sp.csr_matrix:
    """:func:`_transfer` over crosswalk edges: unit ``u`` reaches cell ``c`` with ``y_uc``."""
    n_f, n_t = funding.size, need.size
    lag = need[None, None, :] - funding[None, :, None] - lead[edge_unit][:, None, None]
    e, s, t = np.nonzero(lag >= 0)                                     # edge x s x t
    with np.errstate(divide="ignore", invalid="ignore"):
        value = edge_yield[e] * np.power(1.0 - exit_rate[edge_cell[e]], lag[e, s, t])
    keep = value > 0
    e, s, t = e[keep], s[keep], t[keep]
    return sp.csr_matrix((value[keep], (edge_cell[e] * n_t + t, edge_unit[e] * n_f + s)),
                         shape=(n_cells * n_t, n_units * n_f))


def transfer_yield(rate: np.ndarray, absorb: np.ndarray, edges: dict, n_units: int
                   ) -> np.ndarray:
    """Per unit: the certified workers per place the transfer counts (summed over its edges)."""
    if not edges:
        return rate * absorb
    unit = edges["edge_unit"]
    return np.bincount(unit, weights=rate[unit] * edges["edge_absorption"] * edges["edge_share"],
                       minlength=n_units)


def build_years_problem(needs: pd.DataFrame, *, periods, keys, value: str, budget,
                        total_budget, cost_per_trainee, pass_rate, absorption, capacity,
                        min_quota, lead_time, exit_rate, risk, quantile, surplus_penalty,
                        integer: str, policy_need, need_weights, capacity_groups,
                        budget_envelopes, equity, tie_tolerance, crosswalk=None,
                        time_limit=None, stacklevel: int = 4,
                        min_class_size=None, committed=None) -> YearsProblem:
    """Check every input of a multi-year plan and return the :class:`YearsProblem`.

    With a ``crosswalk`` the decisions are places per programme, read by
    :func:`~talentgap.planning._crosswalk.read_units` as for single-period
    programme plans (its warnings point ``stacklevel`` frames up from here);
    capacity groups and budget envelopes then name programmes by their key
    columns (``program`` and the location keys). ``committed`` (places
    already funded, :func:`~talentgap.planning._committed.read_committed`)
    reaches the cells through the same transfer construction, with its own
    funding periods, and reduces the needs before the plan's places.
    """
    risk, quantile = check_options(integer, risk, quantile, surplus_penalty)
    tol = tie_tolerance
    if (isinstance(tol, bool) or not isinstance(tol, numbers.Real)
            or not (0.0 <= float(tol) < 1.0)):
        raise PlanningError(f"tie_tolerance must be a number in [0, 1), e.g. 0.01; got {tol!r}")
    time_limit = check_time_limit(time_limit)
    fc = read_forecast(needs, keys, value)
    cells, keys = fc.cells, fc.keys
    funding = _funding(periods, fc)
    need = np.unique(np.asarray(fc.periods.asi8))
    _check_grid(fc, need)
    frame, frame_keys, naming, noun, edges = cells, keys, {}, "cells the needs table does", {}
    if crosswalk is not None:
        units, unit_keys, table, edge_unit, edge_cell, _ = read_units(
            crosswalk, cells, keys, stacklevel=stacklevel + 1)
        frame, frame_keys = units, unit_keys
        naming = {"unit": "programme", "of": "the crosswalk"}
        noun = "programmes the crosswalk does"
        edges = {"units": units, "unit_keys": tuple(unit_keys),
                 "edge_unit": edge_unit.astype(np.int64),
                 "edge_cell": edge_cell.astype(np.int64),
                 "edge_share": table["share"].to_numpy(dtype=np.float64),
                 "edge_absorption": parameter(absorption, "absorption", table,
                                              ["program", *keys],
                                              unit="programme-industry flow",
                                              of="the crosswalk")}
    n, n_f, n_t = len(cells), len(funding), need.size
    cost = by_period(cost_per_trainee, "cost_per_trainee", frame, frame_keys, funding,
                     **naming)
    rate = parameter(pass_rate, "pass_rate", frame, frame_keys, **naming)
    if crosswalk is None:
        absorb = parameter(absorption, "absorption", cells, keys)
    annual_exits = parameter(exit_rate, "exit_rate", cells, keys)
    per_year = periods_per_year(fc.periods.freqstr)
    exits = 1.0 - (1.0 - annual_exits) ** (1.0 / per_year)
    minimum = by_period(min_quota, "min_quota", frame, frame_keys, funding, **naming)
    cap = (np.full(len(frame) * n_f, np.inf) if capacity is None
           else by_period(capacity, "capacity", frame, frame_keys, funding, **naming))
    lead = read_lead(lead_time, frame, frame_keys, **naming)
    if (lead < 0).any():
        bad = np.flatnonzero(lead < 0)
        raise PlanningError("lead_time must be >= 0; " + examples(
            cell_names(frame, frame_keys, bad[:_MAX_SHOWN]),
            [fmt(lead[i]) for i in bad[:_MAX_SHOWN]], bad.size))
    floor, size = minimum, None
    if min_class_size is not None:
        size = by_period(min_class_size, "min_class_size", frame, frame_keys, funding, **naming)
        floor, size = apply_min_class(size, minimum, cap, integer=integer,
                                      frame=decision_labels(frame, frame_keys, funding),
                                      keys=["decision"],
                                      unit=naming.get("unit", "cell") + "-period")
    if has_period(min_quota) or has_period(capacity) or has_period(min_class_size):
        lower, upper = place_bounds(cost, floor, cap, integer=integer,
                                    budget=math.inf,
                                    frame=decision_labels(frame, frame_keys, funding),
                                    keys=["decision"],
                                    unit=naming.get("unit", "cell") + "-period")
    else:
        lower, upper = place_bounds(cost[::n_f], floor[::n_f], cap[::n_f], integer=integer,
                                    budget=math.inf, frame=frame, keys=frame_keys,
                                    unit=naming.get("unit", "cell"))
        lower, upper = np.repeat(lower, n_f), np.repeat(upper, n_f)
    if crosswalk is None:
        def flows(at: np.ndarray) -> sp.csr_matrix:   # places funded at ordinals `at`
            return _transfer(fc, at, need, rate * absorb, exits, lead)
    else:
        e_unit, e_share, e_abs = edges["edge_unit"], edges["edge_share"], edges["edge_absorption"]
        fed = np.bincount(e_unit, weights=e_share, minlength=len(frame))
        total = np.bincount(e_unit, weights=e_share * e_abs, minlength=len(frame))
        with np.errstate(divide="ignore", invalid="ignore"):
            absorb = np.where(fed > 0, total / fed, 0.0)

        def flows(at: np.ndarray) -> sp.csr_matrix:
            return _edge_transfer(e_unit, edges["edge_cell"], rate[e_unit] * e_abs * e_share,
                                  len(frame), n, at, need, exits, lead)
    transfer = flows(np.asarray(funding.asi8))
    done = read_committed(committed, frame, frame_keys, funding,
                          noun=naming.get("unit", "cell"))
    target_cell = np.repeat(np.arange(n), n_t)
    target_ord = np.tile(need, n)
    read = grid_scenarios(fc, need, quantile)   # None: read the general way
    market, market_plan, source = read if read is not None else target_scenarios(
        fc, target_cell, target_ord, np.zeros(target_cell.size, dtype=np.int64), funding[0],
        quantile)
    weight_market, weight_policy = read_need_weights(need_weights, cells, keys)
    policy = read_policy_need(policy_need, fc, need)
    policy_rate = None if policy is None else read_policy_per_worker(policy_need, fc)
    persons, constant = None, 0.0
    if policy_rate is not None:   # the policy need in the unit of W (see YearsProblem)
        persons, per = policy, policy_rate[target_cell]
        constant = float(np.dot(weight_policy[target_cell], np.where(per > 0, 0.0, persons)))
        with np.errstate(divide="ignore", invalid="ignore"):
            policy = np.where(per > 0, persons / per, 0.0)
        weight_policy = weight_policy * policy_rate
    extra = {}
    if done is not None:   # places already funded: their workers come before the plan's
        reached = flows(done.funding) @ done.vector(len(frame))
        same = market_plan is market
        market = reduce_needs(market, reached)
        market_plan = market if same else reduce_needs(market_plan, reached)
        if policy is not None:
            if persons is not None:
                persons = np.maximum(persons - policy_rate[target_cell] * reached, 0.0)
            policy = np.maximum(policy - reached, 0.0)
        unit_yield = transfer_yield(rate, absorb, edges, len(frame))
        arrival = done.period + lead[done.unit]
        inside = (arrival >= need[0]) & (arrival <= need[-1])
        extra = {"committed": reached, "committed_places": float(done.places.sum()),
                 "committed_arriving": float((unit_yield[done.unit] * done.places)[inside].sum())}
    budgets = read_budgets(budget, total_budget, funding, cost, len(frame))
    group_mins = read_group_minimums(capacity_groups, frame, list(frame_keys), funding, noun)
    check_group_minimums(group_mins, budgets, lower, upper, cost)
    return YearsProblem(
        keys=tuple(keys), cells=cells, funding=funding,
        need=pd.arrays.PeriodArray(need, dtype=fc.periods.dtype),
        cost=cost, pass_rate=rate, absorption=absorb, exit_rate=annual_exits, lead=lead,
        capacity=cap, min_quota=minimum, lower=lower, upper=upper, transfer=transfer,
        market=market, market_plan=market_plan, policy=policy,
        policy_rate=policy_rate, policy_persons=persons, policy_constant=constant,
        weight_market=weight_market, weight_policy=weight_policy,
        budgets=budgets, group_mins=group_mins,
        envelopes=read_envelopes(budget_envelopes, frame, list(frame_keys), funding, cost, noun),
        groups=read_groups(capacity_groups, frame, list(frame_keys), funding, noun),
        equity=read_equity(equity, cells, keys),
        integer=integer, risk=risk, quantile=quantile, source=source,
        tie_tolerance=float(tol), surplus_penalty=float(surplus_penalty),
        time_limit=time_limit, notes=fc.notes, min_class=size, **edges, **extra,
    )


def check_group_minimums(mins: Rows, budgets: Rows, lower: np.ndarray, upper: np.ndarray,
                         cost: np.ndarray) -> None:
    """Refuse capacity-group minimums no plan can meet, naming the groups.

    A group's ``min_places`` in a funding period must fit under its members'
    own capacities there, and the money it needs at least (the places above
    the members' minimum quotas, at the cheapest member's cost) together with
    the minimum quotas' cost must fit in every budget row that covers its
    members (the year's budget, the total budget). Groups sharing no member
    add up; groups that share members count as the dearest of them. Other
    conflicts (with envelopes, or between overlapping groups) are named when
    the program is solved.

    Raises
    ------
    PlanningError
        ``min_places`` above the members' capacities, or above what a budget allows.
    """
    if mins is None or not mins.size:
        return
    member = abs(mins.matrix).tocsr()
    member.data[:] = 1.0
    need = -mins.limit
    reach = member @ np.where(np.isfinite(upper), upper, np.inf)
    short = np.flatnonzero(reach < need - 1e-9)
    if short.size:
        raise PlanningError(
            "column 'min_places' of the capacity_groups table asks more places than the "
            "members' capacities allow; " + "; ".join(
                f"{mins.names[r]} ({mins.words[r]}): the members' capacities sum to "
                f"{fmt(reach[r])}" for r in short[:_MAX_SHOWN]))
    extra = np.maximum(need - member @ lower, 0.0)
    cheapest = np.full(mins.size, np.inf)
    coo = member.tocoo()
    np.minimum.at(cheapest, coo.row, cost[coo.col])
    money = np.where(extra > 0, extra * cheapest, 0.0)
    support = budgets.matrix.copy()
    support.data[:] = 1.0
    covered = np.asarray((support @ member.T).todense()) >= np.asarray(
        member.sum(axis=1)).ravel()[None, :] - 1e-9          # budget rows x groups
    shared = bool((np.asarray(member.sum(axis=0)).ravel() > 1).any())
    forced = budgets.matrix @ lower
    for b in range(budgets.size):  # a handful of budget rows
        inside = money[covered[b]]
        if not inside.size:
            continue
        wanted = inside.max() if shared else inside.sum()
        if forced[b] + wanted > budgets.limit[b] * (1 + 1e-9):
            worst = np.flatnonzero(covered[b])[np.argsort(-money[covered[b]])][:_MAX_SHOWN]
            raise PlanningError(
                f"column 'min_places' of the capacity_groups table asks more than "
                f"{budgets.words[b]} allows: {budgets.names[b]} is {fmt(budgets.limit[b])}, "
                f"the minimum quotas cost {fmt(forced[b])} and the groups' minimums at least "
                f"{fmt(wanted)} more, e.g. " + "; ".join(
                    f"{mins.names[r]}: {fmt(extra[r])} places at {fmt(cheapest[r])} at least"
                    for r in worst) + "; lower min_places or raise the budget")
