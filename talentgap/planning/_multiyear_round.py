"""Whole places for a multi-year plan: floor the continuous plan, then add places in batches.

:func:`round_years` is what :func:`~talentgap.planning.allocate_quotas` runs
with ``periods=`` and ``integer="round"``, after the continuous optimum and
its tie stage (:mod:`talentgap.planning.multiyear`):

1. **Floor.** Every ``q[c, s]`` is rounded down (minimum quotas were rounded
   up and capacities down to whole places before the program was solved, so
   the floor keeps them). The constraint rows (budgets, envelopes, shared
   capacity groups) have non-negative coefficients, so flooring keeps them
   too; a row the solver's tolerance left a hair over its limit is repaired
   by removing the places that lose the least objective per unit of it.
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

Every round only adds places that remove shortfall, so the result is never
worse than the floored plan (when that keeps the equity rules); it keeps
every bound, constraint row and equity rule. A round is a few sparse
products and ``STEPS + 1`` evaluations of the shortfall of the targets the
candidates serve, each a binary search over the sorted scenarios vectorised
over all candidates.
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sp

from talentgap.errors import PlanningError
from talentgap.planning._multiyear_problem import YearsProblem
from talentgap.planning._params import fmt
from talentgap.planning._solve import PLACE_TOL, VALUE_TOL

__all__ = ["round_years", "MAX_ROUNDS", "STEPS"]

logger = logging.getLogger(__name__)

#: Rounds of batch additions at most (each adds at least one place).
MAX_ROUNDS = 200
#: Places per cell priced in one round (in the order adding them one at a time takes them).
STEPS = 8
_ROW_TOL = 1e-9       # relative slack of a constraint row treated as exact
_MAX_SHOWN = 5


class _Objective:
    """Weighted shortfall per target (a cell at a need period) at any number of workers.

    Each target's scenarios are sorted; with their suffix sums, the expected
    shortfall at ``x`` is ``sum_{g_k > x} w_k g_k - x sum_{g_k > x} w_k``,
    where the first scenario above ``x`` is found for many (target, x) pairs
    at once by a binary search vectorised over the pairs (``log2 K`` steps).
    """

    def __init__(self, problem: YearsProblem) -> None:
        sc = problem.market_plan
        n_t = problem.n_cells * problem.n_need
        k = max(int(sc.count.max()) if sc.count.size else 1, 1)
        position = np.arange(sc.value.size) - sc.start[sc.cell]
        top = np.zeros(n_t)
        has = sc.count > 0
        top[has] = sc.value[sc.start[has] + sc.count[has] - 1]
        value = np.repeat(top[:, None], k, axis=1)  # padding: the largest value, weight 0
        weight = np.zeros((n_t, k))
        value[sc.cell, position] = sc.value
        cell = problem.target_cell()
        weight[sc.cell, position] = sc.weight * problem.weight_market[cell][sc.cell]
        self.k = k
        self.steps = int(np.ceil(np.log2(k + 1)))
        self.value = value.ravel()
        # sums over the scenarios from position j on (j = 0..k), per target
        self.above_wg = np.zeros((n_t, k + 1))
        self.above_w = np.zeros((n_t, k + 1))
        self.above_wg[:, :k] = np.cumsum((weight * value)[:, ::-1], axis=1)[:, ::-1]
        self.above_w[:, :k] = np.cumsum(weight[:, ::-1], axis=1)[:, ::-1]
        self.policy = problem.policy
        self.weight_policy = problem.weight_policy[cell]

    def at(self, target: np.ndarray, workers: np.ndarray) -> np.ndarray:
        """Weighted shortfall of ``target[j]`` with ``workers[j]`` workers present."""
        low = np.zeros(target.size, dtype=np.int64)  # scenarios <= x: [0, low) of the row
        high = np.full(target.size, self.k, dtype=np.int64)
        row = target * self.k
        for _ in range(self.steps):  # a binary search, vectorised over the pairs
            active = low < high
            mid = (low + high) // 2
            below = self.value[row + np.minimum(mid, self.k - 1)] <= workers
            low = np.where(active & below, mid + 1, low)
            high = np.where(active & ~below, mid, high)
        out = self.above_wg[target, low] - workers * self.above_w[target, low]
        out = np.maximum(out, 0.0)
        if self.policy is not None:
            out += self.weight_policy[target] * np.maximum(self.policy[target] - workers, 0.0)
        return out


class _Rounder:
    """The state of the rounding: places, workers present and the rows' slack."""

    def __init__(self, problem: YearsProblem, places: np.ndarray, dual: np.ndarray) -> None:
        self.problem = problem
        self.objective = _Objective(problem)
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
        self.row_tol = _ROW_TOL * np.maximum(np.abs(self.limit), 1.0)
        biggest = np.zeros(self.limit.size)
        np.maximum.at(biggest, self.a_row, self.a_val)
        dual = np.asarray(dual, dtype=np.float64)[: self.limit.size]
        self.dual = np.where(dual * biggest > VALUE_TOL, dual, 0.0)  # solver noise: not binding
        transfer = problem.transfer.tocsc()
        transfer.eliminate_zeros()
        coo = transfer.tocoo()
        self.t_row, self.t_col, self.t_val = coo.row, coo.col, coo.data
        self.transfer = problem.transfer
        self.cell = problem.decision_cell()   # the decision's unit (cell or programme)
        # equity rules x units: 1 where the unit's places reach a cell of the rule
        self.rule_units = sp.csr_matrix(
            (problem.equity.member @ problem.unit_cells()) > 0, dtype=np.float64)
        self.lp = places
        self.q = np.clip(np.floor(places + PLACE_TOL), problem.lower, problem.upper)
        self.none = self.objective.at(np.arange(problem.n_cells * problem.n_need),
                                      np.zeros(problem.n_cells * problem.n_need))
        self._update()

    def _update(self) -> None:
        self.workers = self.transfer @ self.q
        self.now = self.objective.at(np.arange(self.workers.size), self.workers)
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
            members = self.a_col[(self.a_row == r)]
            members = members[self.q[members] - 1 >= self.problem.lower[members] - PLACE_TOL]
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
        """
        problem = self.problem
        price, worst, fits = self.use()
        open_ = fits & (self.q + 1.0 <= problem.upper + PLACE_TOL)
        if allowed is not None:
            open_ &= allowed[self.cell]
        alive = np.flatnonzero(open_)
        workers, now = self.workers.copy(), self.now.copy()
        extra = np.zeros(self.q.size)
        floor = np.full(problem.n_units, np.inf)      # running minimum of a unit's values
        next_value = np.full(problem.n_units, -np.inf)
        floor2 = np.full(problem.n_units, np.inf)
        chosen, values, keys, seconds, steps = [], [], [], [], []
        remainder0 = np.zeros(problem.n_units)
        for step in range(STEPS + 1):
            alive = alive[self.q[alive] + extra[alive] + 1.0 <= problem.upper[alive] + PLACE_TOL]
            if not alive.size:
                break
            gain = self._gains(alive, workers, now)
            alive, gain = alive[gain > VALUE_TOL], gain[gain > VALUE_TOL]
            if not alive.size:
                break
            with np.errstate(divide="ignore"):
                ratio = np.where(price[alive] > 0, gain / price[alive], np.inf)
                # free places (no binding row) by value per share of the tightest slack
                second = np.where(worst[alive] > 0, gain / worst[alive], np.inf)
            key = _tie_key(ratio)
            remainder = self.lp[alive] - self.q[alive] - extra[alive]
            cell = self.cell[alive]
            order = np.lexsort((-remainder, -second, -key, cell))
            best = order[np.r_[True, cell[order][1:] != cell[order][:-1]]]
            c = cell[best]
            if step == STEPS:
                next_value[c] = np.minimum(ratio[best], floor[c])
                break
            if step == 0:
                remainder0[c] = remainder[best]
            d = alive[best]
            value = np.minimum(ratio[best], floor[c])
            floor[c] = value
            chosen.append(d)
            values.append(value)
            keys.append(np.minimum(key[best], _tie_key(value)))
            floor2[c] = np.minimum(second[best], floor2[c])
            seconds.append(floor2[c])
            steps.append(np.full(d.size, step))
            extra[d] += 1.0
            mark = np.zeros(self.q.size, dtype=bool)
            mark[d] = True
            hit = mark[self.t_col]
            t = self.t_row[hit]  # programmes chosen together may share a target
            np.add.at(workers, t, self.t_val[hit])
            now[t] = self.objective.at(t, workers[t])
            alive = alive[np.isin(self.cell[alive], c)]
        if not chosen:
            return 0
        dec, value, key, second, step = (np.concatenate(x) for x in (chosen, values, keys,
                                                                        seconds, steps))
        cell = self.cell[dec]
        order = np.lexsort((step, -remainder0[cell], -second, -key))
        dec, value, cell, step = dec[order], value[order], cell[order], step[order]
        count = np.bincount(cell, minlength=problem.n_units)
        last = step == count[cell] - 1
        bar = np.r_[-np.inf, np.maximum.accumulate(np.where(last, next_value[cell],
                                                              -np.inf))[:-1]]
        stop = np.flatnonzero(value < bar * (1.0 - 1e-9))
        n = int(stop[0]) if stop.size else dec.size
        dec, cell = dec[:n], cell[:n]
        broken = self._broken(dec)
        first_broken = np.full(problem.n_units, n)
        np.minimum.at(first_broken, cell[broken], np.flatnonzero(broken))
        take = np.arange(n) < first_broken[cell]
        np.add.at(self.q, dec[take], 1.0)
        self._update()
        return int(take.sum())

    def _gains(self, columns: np.ndarray, workers: np.ndarray, now: np.ndarray) -> np.ndarray:
        """Weighted shortfall one more place in each of ``columns`` removes at ``workers``."""
        take = np.zeros(self.q.size, dtype=bool)
        take[columns] = True
        keep = take[self.t_col]
        t, col = self.t_row[keep], self.t_col[keep]
        after = self.objective.at(t, workers[t] + self.t_val[keep])
        return np.bincount(col, weights=now[t] - after, minlength=self.q.size)[columns]

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
        entry = np.repeat(start - np.r_[0, np.cumsum(length)[:-1]], length) + np.arange(
            length.sum())
        row, val = csc.indices[entry], csc.data[entry]
        order = np.lexsort((place, row))
        row, val, place = row[order], val[order], place[order]
        total = np.cumsum(val)
        head = np.r_[True, row[1:] != row[:-1]]
        base = np.maximum.accumulate(np.where(head, total - val, -np.inf))
        over = (total - base) > self.slack[row] + self.row_tol[row]
        broken[place[over]] = True
        return broken


def _tie_key(ratio: np.ndarray) -> np.ndarray:
    """Values to 10 significant digits: equal places differ only in their last bits."""
    out = ratio.copy()
    finite = np.isfinite(ratio) & (ratio > 0)
    digits = 9 - np.floor(np.log10(ratio[finite]))
    scale = 10.0 ** digits
    out[finite] = np.round(ratio[finite] * scale) / scale
    return out


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
