"""Whole places for a multi-year plan: floor the continuous plan, then add places in batches.

:func:`round_years` is what :func:`~talentgap.planning.allocate_quotas` runs
with ``periods=`` and ``integer="round"``, after the continuous optimum and
its tie stage (:mod:`talentgap.planning.multiyear`):

1. **Floor.** Every ``q[c, s]`` is rounded down (minimum quotas were rounded
   up and capacities down to whole places before the program was solved, so
   the floor keeps them). The constraint rows (budgets, envelopes, shared
   capacity groups) have non-negative coefficients, so flooring keeps them
   too; a row the solver's tolerance left a hair over its limit is repaired
   by removing the places that lose the least objective per unit of it. A
   capacity group's minimum places (``-sum q <= -min``) that the floor
   breaks has its members' places rounded up instead (the continuous plan
   meets the whole minimum), and no repair removes a place a minimum needs.
2. **Equity.** Flooring can leave an equity rule short of the shortfall it
   must remove. The places of that rule's cells are then rounded up instead
   (their workers are at least the continuous plan's, so the rule holds as
   it did there), and any row this overfills is repaired one place at a
   time from cells whose rules can spare the loss. If that fails, places are
   added to the short rules' cells only (step 3) until the rules hold; if
   even that fails a :class:`~talentgap.errors.PlanningError` names the rule
   (the plan then solves the integer program instead).
3. **Add places in batches.** A place is priced by the weighted expected
   shortfall it removes (over every need period it serves, exactly, from
   the forecast's scenarios) divided by its cost at the binding rows' values
   in the continuous plan, ``sum_r dual_r a_r`` (for one budget row: the
   value per unit of money, the single-period rule); places that touch no
   binding row come first, by value per share of the tightest slack. Each
   round, every cell lists up to :data:`STEPS` places in the order adding
   one at a time would take them (each its best funding period given the
   ones before); all cells' places are then taken best first, up to where a
   cell whose list is used up would offer a better place, and while they fit
   together (counting every place listed before, so the taken ones surely
   fit; a place that does not fit waits for the next round with the cell's
   later places). The objective is convex in the places, so a cell's later
   places are never worth more than its earlier ones and a round takes
   (nearly always) the places one at a time would. Equal values go to the
   larger remainder of the continuous plan. Rounds repeat until no place
   fits or removes anything, at most :data:`MAX_ROUNDS` times.

With a surplus penalty a place is priced by the objective it removes: the
weighted shortfall plus the penalty times the market-weighted workers
beyond the market need (:class:`_PenalisedShortfalls`), so a place whose
workers would mostly come on top of the need is not added. (With equity
rules as well the planner solves the integer program instead.)

Every round only adds places that remove shortfall, so the result is never
worse than the floored plan (when that keeps the equity rules); it keeps
every bound, constraint row and equity rule. A round is a few sparse
products and ``STEPS + 1`` evaluations of the shortfall of the targets the
candidates serve, vectorised over all candidates: each a search over the
target's sorted scenarios that starts from where the target's workers
already stand (a place moves them by a few scenarios). A cell's list is
kept from one round to the next, since it would come out the same, unless
its places changed, a period closed to it opened, a place on its list no
longer fits, or it chose between places of equal value (by their share of
the rows' slack, which moves every round). That needs the cell's targets to
be its own: when programmes of a crosswalk share targets, every list is
made again each round.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from talentgap.errors import PlanningError
from talentgap.planning._multiyear_problem import YearsProblem
from talentgap.planning._multiyear_round_lists import STEPS
from talentgap.planning._multiyear_round_lists import PlaceLists as _Lists
from talentgap.planning._multiyear_round_lists import descending as _descending
from talentgap.planning._multiyear_round_lists import tie_key as _tie_key
from talentgap.planning._params import fmt
from talentgap.planning._solve import PLACE_TOL, VALUE_TOL
from talentgap.planning._target_shortfalls import TargetShortfalls

__all__ = ["round_years", "MAX_ROUNDS", "STEPS"]

logger = logging.getLogger(__name__)

#: Rounds of batch additions at most (each adds at least one place).
MAX_ROUNDS = 200
_ROW_TOL = 1e-9       # relative slack of a constraint row treated as exact
_MAX_SHOWN = 5


class _PenalisedShortfalls(TargetShortfalls):
    """:class:`TargetShortfalls` plus the surplus penalty, per target.

    ``w max(N - W, 0) + p w max(W - N, 0) = (1 + p) w max(N - W, 0) + p w (W - N)``
    (mean over the scenarios): the shortfall with weights ``(1 + p) w`` and
    a line in the workers.
    """

    def __init__(self, problem: YearsProblem) -> None:
        p = problem.surplus_penalty
        super().__init__(replace(problem, weight_market=problem.weight_market * (1.0 + p)))
        weight = problem.weight_market[problem.target_cell()]
        self.slope = p * weight
        self.offset = self.slope * problem.market_plan.mean()

    def value_at(self, target: np.ndarray, workers: np.ndarray,
                 low: np.ndarray) -> np.ndarray:
        """Weighted shortfall plus the surplus penalty of the pairs, given their count."""
        return (super().value_at(target, workers, low)
                + self.slope[target] * workers - self.offset[target])


class _Rounder:
    """The state of the rounding: places, workers present and the rows' slack."""

    def __init__(self, problem: YearsProblem, places: np.ndarray, dual: np.ndarray) -> None:
        self.problem = problem
        self.objective = (_PenalisedShortfalls(problem) if problem.surplus_penalty
                          else TargetShortfalls(problem))
        rows = problem.rows()
        n_q = problem.n_units * problem.n_funding
        matrix = (sp.vstack([r.matrix for r in rows], format="csc") if rows
                  else sp.csc_matrix((0, n_q)))
        matrix.eliminate_zeros()
        self.limit = (np.concatenate([r.limit for r in rows]) if rows else np.zeros(0))
        self.names = [name for r in rows for name in r.names]
        self.words = [w for r in rows for w in r.words]
        self.matrix = matrix
        coo = matrix.tocoo()
        self.a_row, self.a_col, self.a_val = coo.row, coo.col, coo.data
        # rows with negative entries: a group's minimum places, -sum q <= -min
        self.is_min = np.zeros(self.limit.size, dtype=bool)
        self.is_min[self.a_row[self.a_val < 0]] = True
        self.row_tol = _ROW_TOL * np.maximum(np.abs(self.limit), 1.0)
        biggest = np.zeros(self.limit.size)
        np.maximum.at(biggest, self.a_row, self.a_val)
        dual = np.asarray(dual, dtype=np.float64)[: self.limit.size]
        self.dual = np.where(dual * biggest > VALUE_TOL, dual, 0.0)  # solver noise: not binding
        transfer = problem.transfer.tocsc()
        transfer.eliminate_zeros()
        coo = transfer.tocoo()
        self.t_row, self.t_col, self.t_val = coo.row, coo.col, coo.data
        self.t_ptr = transfer.indptr
        self.transfer = problem.transfer
        self.cell = problem.decision_cell()   # the decision's unit (cell or programme)
        # a unit's list depends on its own places only when no other unit reaches its targets
        unit = self.cell[self.t_col]
        lowest = np.full(problem.n_cells * problem.n_need, problem.n_units)
        np.minimum.at(lowest, self.t_row, unit)
        self.lists = _Lists(problem.n_units, self.cell,
                            own=bool((lowest[self.t_row] == unit).all()))
        # equity rules x units: 1 where the unit's places reach a cell of the rule
        self.rule_units = sp.csr_matrix(
            (problem.equity.member @ problem.unit_cells()) > 0, dtype=np.float64)
        self.lp = places
        self.q = np.clip(np.floor(places + PLACE_TOL), problem.lower, problem.upper)
        self.none = self.objective.at(np.arange(problem.n_cells * problem.n_need),
                                      np.zeros(problem.n_cells * problem.n_need))
        self._update()

    def _update(self, grown: bool = False) -> None:
        """Workers, shortfall and slack at :attr:`q` (``grown``: places were only added)."""
        workers = self.transfer @ self.q
        target = np.arange(workers.size)
        if grown and (workers >= self.workers).all():
            self.pos = self.objective.count_from(target, workers, self.pos)
        else:
            self.pos = self.objective.count(target, workers)
        self.workers = workers
        self.now = self.objective.value_at(target, workers, self.pos)
        self.slack = self.limit - self.matrix @ self.q

    # ---- prices ----------------------------------------------------------------------------
    def gains(self, columns: np.ndarray, steps: float = 1.0) -> np.ndarray:
        """Weighted shortfall removed by ``steps`` more places in each decision of ``columns``.

        ``steps=-1`` gives minus what the last place removes.
        """
        take = np.zeros(self.q.size, dtype=bool)
        take[columns] = True
        keep = take[self.t_col]
        t, col = self.t_row[keep], self.t_col[keep]
        after = self.objective.at(t, self.workers[t] + steps * self.t_val[keep])
        out = np.bincount(col, weights=self.now[t] - after, minlength=self.q.size)
        return out[columns]

    def use(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per decision: its price, the largest share of a row's slack it takes, if it fits.

        The price of one place is what it takes from each binding row times
        that row's value per unit at the continuous optimum (its dual).
        """
        slack = np.maximum(self.slack, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(slack[self.a_row] > 0, self.a_val / slack[self.a_row], np.inf)
        over = self.a_val > self.slack[self.a_row] + self.row_tol[self.a_row]
        worst = np.zeros(self.q.size)
        np.maximum.at(worst, self.a_col, share)
        fits = np.ones(self.q.size, dtype=bool)
        fits[self.a_col[over]] = False
        price = np.bincount(self.a_col, weights=self.dual[self.a_row] * self.a_val,
                            minlength=self.q.size)
        return price, worst, fits

    # ---- steps -----------------------------------------------------------------------------
    def repair(self) -> None:
        """Remove places until every row holds, keeping every equity rule that holds.

        Only needed after solver tolerance or after :meth:`restore_equity`
        rounded places up, so a few places at most: one place per step, from
        an overfilled row, where it loses the least objective per unit of
        that row without breaking an equity rule.
        """
        eq = self.problem.equity
        member = self.rule_units.tocoo()
        for _ in range(int(self.q.sum()) + 1):
            over = np.flatnonzero(self.slack < -self.row_tol)
            if not over.size:
                return
            r = over[0]
            if self.is_min[r]:  # a group's minimum: removing places cannot restore it
                raise PlanningError(f"whole places cannot keep {self.words[r]} "
                                    f"({self.names[r]}) together with the other rows; use "
                                    "integer='none' or 'exact'")
            members = self.a_col[(self.a_row == r)]
            members = members[self.q[members] - 1 >= self.problem.lower[members] - PLACE_TOL]
            members = members[~self._at_minimum()[members]]
            loss = -self.gains(members, -1.0)
            if eq.names:  # the margin of the tightest rule each cell belongs to
                margin = np.full(self.problem.n_units, np.inf)
                np.minimum.at(margin, member.col, -self.equity_short()[member.row])
                keep = loss <= margin[self.cell[members]]
                members, loss = members[keep], loss[keep]
            if not members.size:
                raise PlanningError(f"whole places cannot keep {self.words[r]} "
                                    f"({self.names[r]}, limit {fmt(self.limit[r])}) together "
                                    "with the minimum quotas and equity rules; use "
                                    "integer='none' or 'exact'")
            use = self.matrix[r, members].toarray().ravel()
            self.q[members[np.argmin(loss / use)]] -= 1.0
            self._update()
        raise PlanningError(f"whole places cannot keep {self.words[over[0]]}; use "
                            "integer='none' or 'exact'")  # pragma: no cover - bounded above

    def _at_minimum(self) -> np.ndarray:
        """Per decision: whether one place fewer would break a group's minimum."""
        blocked = np.zeros(self.q.size, dtype=bool)
        neg = self.a_val < 0
        bad = neg & (self.slack[self.a_row] + self.a_val < -self.row_tol[self.a_row])
        blocked[self.a_col[bad]] = True
        return blocked

    def restore_minimums(self) -> None:
        """Round up places of the members of every group minimum the floor broke.

        The continuous plan meets the minimum and the minimum is whole, so
        the places the floor took (the members' fractions) sum to at least
        what the row is short: the members with the largest fractions are
        rounded up, one place each, until it holds (one pass per broken row:
        a group in a funding period). :meth:`repair` then takes the money
        back from places whose removal keeps every minimum.
        """
        for r in np.flatnonzero(self.is_min & (self.slack < -self.row_tol)):
            short = -self.slack[r]
            if short <= self.row_tol[r]:   # an earlier row's places already met it
                continue
            members = self.a_col[self.a_row == r]
            fraction = self.lp[members] - self.q[members]
            members = members[(fraction > PLACE_TOL)
                              & (self.q[members] + 1.0 <= self.problem.upper[members]
                                 + PLACE_TOL)]
            order = np.argsort(-(self.lp[members] - self.q[members]), kind="stable")
            self.q[members[order[: int(np.ceil(short - PLACE_TOL))]]] += 1.0
            self._update()

    def restore_equity(self) -> None:
        """Round up the places of the cells of every equity rule the floor broke.

        Their workers are then at least the continuous plan's, so the rule
        holds as it did there; :meth:`repair` then takes the money back from
        other cells, least loss first, without breaking a rule.
        """
        failing = np.flatnonzero(self.equity_short() > 0)
        if not failing.size:
            return
        units = np.asarray(self.rule_units[failing].sum(axis=0)).ravel() > 0
        up = units[self.cell] & (self.lp > self.q + PLACE_TOL)
        self.q[up] = np.minimum(np.ceil(self.lp[up] - PLACE_TOL), self.problem.upper[up])
        self._update()
        self.repair()

    def equity_short(self) -> np.ndarray:
        """Per equity rule: weighted shortfall still to remove (> 0 when the rule fails)."""
        eq = self.problem.equity
        if not eq.names:
            return np.zeros(0)
        n_t = self.problem.n_need
        per_cell = np.add.reduceat(self.none - self.now, np.arange(0, self.now.size, n_t))
        before = eq.member @ np.add.reduceat(self.none, np.arange(0, self.none.size, n_t))
        return eq.share * before - eq.member @ per_cell - 1e-7 * np.maximum(before, 1.0)

    def round(self, allowed: np.ndarray | None) -> int:
        """One batch of places; ``allowed`` limits the units. Returns the places added.

        Per cell, up to :data:`STEPS` places in the order adding one at a time
        would take them (each the cell's best decision given the ones before),
        then every cell's places in order of value, cut where a cell already
        given all its places would have a further place worth more. A place
        that does not fit (counting every place before it, so the taken ones
        surely fit) is left for the next round with the cell's later places.
        A cell's list is made again only when it can have changed (see
        :class:`_Lists`).
        """
        problem = self.problem
        price, worst, fits = self.use()
        open_ = fits & (self.q + 1.0 <= problem.upper + PLACE_TOL)
        if allowed is not None:
            open_ &= allowed[self.cell]
        self._list(self.lists.stale(self.q, open_), open_, price, worst)
        dec, value, key, second, step = self.lists.entries(worst)
        if not dec.size:
            return 0
        cell = self.cell[dec]
        # (by step, then unit, where all else is equal: the order of the entries)
        order = _descending(key, second, self.lists.remainder0[cell])
        dec, value, cell, step = dec[order], value[order], cell[order], step[order]
        count = np.bincount(cell, minlength=problem.n_units)
        last = step == count[cell] - 1
        bar = np.r_[-np.inf, np.maximum.accumulate(
            np.where(last, self.lists.next_value[cell], -np.inf))[:-1]]
        stop = np.flatnonzero(value < bar * (1.0 - 1e-9))
        n = int(stop[0]) if stop.size else dec.size
        dec, cell = dec[:n], cell[:n]
        broken = self._broken(dec)
        first_broken = np.full(problem.n_units, n)
        np.minimum.at(first_broken, cell[broken], np.flatnonzero(broken))
        take = np.arange(n) < first_broken[cell]
        np.add.at(self.q, dec[take], 1.0)
        self._update(grown=True)
        return int(take.sum())

    def _list(self, units: np.ndarray, open_: np.ndarray, price: np.ndarray,
              worst: np.ndarray) -> None:
        """List the places of ``units`` (a mask) into :attr:`lists`, one step at a time."""
        problem, lists = self.problem, self.lists
        lists.clear(units, self.q, open_)
        alive = np.flatnonzero(open_ & units[self.cell])
        workers, now, pos = self.workers.copy(), self.now.copy(), self.pos.copy()
        extra = np.zeros(self.q.size)
        floor = np.full(problem.n_units, np.inf)      # running minimum of a unit's values
        for step in range(STEPS + 1):
            alive = alive[self.q[alive] + extra[alive] + 1.0 <= problem.upper[alive] + PLACE_TOL]
            if not alive.size:
                break
            gain, start, low, after = self._gains(alive, workers, now, pos)
            kept = np.flatnonzero(gain > VALUE_TOL)
            alive, gain = alive[kept], gain[kept]
            if not alive.size:
                break
            with np.errstate(divide="ignore"):
                ratio = np.where(price[alive] > 0, gain / price[alive], np.inf)
                # free places (no binding row) by value per share of the tightest slack
                second = np.where(worst[alive] > 0, gain / worst[alive], np.inf)
            key = _tie_key(ratio)
            remainder = self.lp[alive] - self.q[alive] - extra[alive]
            best, tied = self._best(alive, key, second, remainder)
            c = self.cell[alive[best]]
            lists.tied[c[tied]] = True  # a best value shared: chosen by the slack
            if step == STEPS:
                lists.next_value[c] = np.minimum(ratio[best], floor[c])
                lists.member[alive[best]] = True
                break
            if step == 0:
                lists.remainder0[c] = remainder[best]
            d = alive[best]
            value = np.minimum(ratio[best], floor[c])
            floor[c] = value
            lists.put(c, step, d, gain[best], value, np.minimum(key[best], _tie_key(value)))
            extra[d] += 1.0
            entry = self._entries(d)
            t = self.t_row[entry]
            if lists.own:  # one place per target: its count and shortfall were just found
                mine = _ranges(start[kept[best]], self.t_ptr[d + 1] - self.t_ptr[d])
                workers[t] += self.t_val[entry]
                pos[t], now[t] = low[mine], after[mine]
            else:  # programmes chosen together may share a target
                np.add.at(workers, t, self.t_val[entry])
                pos[t] = self.objective.count_from(t, workers[t], pos[t])
                now[t] = self.objective.value_at(t, workers[t], pos[t])
            going = np.zeros(problem.n_units, dtype=bool)
            going[c] = True
            alive = alive[going[self.cell[alive]]]

    def _best(self, alive: np.ndarray, key: np.ndarray, second: np.ndarray,
              remainder: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per unit of ``alive`` (sorted): the position of its best decision, and whether
        another of its decisions has the same ``key``.

        The best has the largest ``key``, then ``second``, then ``remainder``,
        then the earliest funding period (a lexicographic maximum over a
        units x funding periods grid).
        """
        cell = self.cell[alive]
        head = np.ones(cell.size, dtype=bool)
        head[1:] = cell[1:] != cell[:-1]
        row, year = np.cumsum(head) - 1, alive - cell * self.problem.n_funding
        shape = (int(head.sum()), self.problem.n_funding)

        def grid(x: np.ndarray) -> np.ndarray:
            out = np.full(shape, -np.inf)
            out[row, year] = x
            return out

        where = np.full(shape, -1, dtype=np.int64)
        where[row, year] = np.arange(alive.size)
        grid_key = grid(key)
        pick = grid_key == grid_key.max(axis=1)[:, None]
        tied = pick.sum(axis=1) > 1
        for x in (second, remainder):
            part = np.where(pick, grid(x), -np.inf)
            pick &= part == part.max(axis=1)[:, None]
        return where[np.arange(shape[0]), pick.argmax(axis=1)], tied

    def _entries(self, columns: np.ndarray) -> np.ndarray:
        """The transfer entries of the (sorted) decisions ``columns``, in their stored order."""
        return _ranges(self.t_ptr[columns], self.t_ptr[columns + 1] - self.t_ptr[columns])

    def _gains(self, columns: np.ndarray, workers: np.ndarray, now: np.ndarray,
               pos: np.ndarray) -> tuple[np.ndarray, ...]:
        """Weighted shortfall one more place in each of ``columns`` removes at ``workers``.

        ``pos`` holds each target's :meth:`TargetShortfalls.count` at ``workers``: a
        place only adds workers, so the search starts there. Also returned,
        per transfer entry of the columns (those of column ``j`` from
        ``start[j]`` on): the target's count and shortfall with the place.
        """
        length = self.t_ptr[columns + 1] - self.t_ptr[columns]
        entry = _ranges(self.t_ptr[columns], length)
        t, col = self.t_row[entry], self.t_col[entry]
        x = workers[t] + self.t_val[entry]
        low = self.objective.count_from(t, x, pos[t])
        after = self.objective.value_at(t, x, low)
        gain = np.bincount(col, weights=now[t] - after, minlength=self.q.size)[columns]
        return gain, np.cumsum(length) - length, low, after

    def _broken(self, dec: np.ndarray) -> np.ndarray:
        """Per place of ``dec`` (in order): whether the places up to it overfill a row."""
        broken = np.zeros(dec.size, dtype=bool)
        if not self.a_val.size:
            return broken
        # every row entry of every place, in the places' order within each row
        csc = self.matrix
        start, stop = csc.indptr[dec], csc.indptr[dec + 1]
        length = stop - start
        place = np.repeat(np.arange(dec.size), length)
        entry = _ranges(start, length)
        row, val = csc.indices[entry], csc.data[entry]
        order = np.lexsort((place, row))
        row, val, place = row[order], val[order], place[order]
        total = np.cumsum(val)
        head = np.r_[True, row[1:] != row[:-1]]
        base = np.maximum.accumulate(np.where(head, total - val, -np.inf))
        over = (total - base) > self.slack[row] + self.row_tol[row]
        broken[place[over]] = True
        return broken


def _ranges(start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """``start[j], ..., start[j] + length[j] - 1`` for every ``j``, one after the other."""
    return np.repeat(start - (np.cumsum(length) - length), length) + np.arange(length.sum())


def round_years(problem: YearsProblem, places: np.ndarray, dual: np.ndarray) -> np.ndarray:
    """Whole places from a multi-year plan's continuous places (see the module docstring).

    Parameters
    ----------
    problem : YearsProblem
        The checked problem (with whole-place bounds).
    places : numpy.ndarray
        The continuous places per decision, after the tie stage.
    dual : numpy.ndarray
        Per constraint row of ``problem.rows()`` (budgets, envelopes, capacity
        groups, in that order; later entries are ignored): the weighted
        shortfall one more unit of its limit removes at the continuous
        optimum (``Solution.row_value``).

    Returns
    -------
    numpy.ndarray
        Whole places per decision (float), within the bounds, keeping every
        constraint row and equity rule.

    Raises
    ------
    PlanningError
        If no whole-place plan found this way keeps an equity rule (or, after
        solver tolerance, a row above the minimum quotas).
    """
    state = _Rounder(problem, np.asarray(places, dtype=np.float64), dual)
    state.restore_minimums()
    state.repair()
    floored = float(state.now.sum())
    saved = state.q.copy()
    try:
        state.restore_equity()
    except PlanningError:  # the rounded-up cells do not fit: add places greedily instead
        state.q = saved
        state._update()
    rounds = added = 0
    eq = problem.equity
    while rounds < MAX_ROUNDS:
        short = state.equity_short()
        failing = np.flatnonzero(short > 0)
        allowed = None
        if failing.size:
            allowed = np.asarray(state.rule_units[failing].sum(axis=0)).ravel() > 0
        n = state.round(allowed)
        rounds += 1
        added += n
        if not n:
            if failing.size:
                shown = failing[:_MAX_SHOWN]
                raise PlanningError(
                    "whole places cannot meet "
                    + "; ".join(f"{eq.names[r]} ({eq.words[r]}; short by "
                                f"{fmt(short[r])} of weighted shortfall)" for r in shown)
                    + " within the budgets and capacities; use integer='none' or 'exact'")
            break
    logger.debug("multi-year rounding: %d places added in %d rounds (objective %.6g -> %.6g)",
                 added, rounds, floored, float(state.now.sum()))
    return state.q
