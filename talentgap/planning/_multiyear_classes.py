"""Large multi-year plans solved exactly by merging cells that share their parameters.

Cells whose places cost the same, take the same lead time, bring the same
workers per place, lose them at the same rate, carry the same weights and
sit in the same coupling rows (budgets, envelopes, capacity groups) differ
only in their need scenarios. Call such cells a *class*. In the level form of
:mod:`~talentgap.planning._multiyear_cells` a cell's objective is a sum of
convex piecewise-linear functions ``H_j(U_j)`` of its levels, one per funding
period, linked by the chain ``U_1 <= U_2 <= ...``; the coupling rows are
linear in the levels. When each level serves exactly one need period, the
slope of a cell's ``H_j`` between its ``i``-th and ``(i+1)``-th smallest
scenario is ``-c (K - i) / K`` with ``c`` the same for every cell of the
class. The least total of ``H_j`` over the class's cells for a given sum of
their levels is then one convex function with ``K`` pieces: piece ``i`` is
as long as the ``i``-th pieces of all the cells together (the pieces are
filled steepest first whichever cell they belong to). That is the
shortfall function of a single cell whose ``i``-th scenario is the sum of
the class's cells' ``i``-th smallest scenarios (each counted from 0). A
policy need cuts each cell's pieces at its size (:class:`_CellPieces`);
cells of a class still share the slopes part by part. A surplus penalty
``lam`` keeps all this exact: it makes each market slope ``(1 + lam)`` times
as steep (still the same for every cell of a class) and adds a cost per
place of ``lam`` x the market-weighted workers it adds, which is the same
for every cell of a class (same weight, yield, survival and lead time), so
the class's total is that cost times the class's workers; the merged cell
carries both, and the constant of the penalty is the full problem's. The
*merged problem* has one cell per class with the class's pieces, parameters and
rows, and is solved as any multi-year plan
(:func:`~talentgap.planning._multiyear_lp.solve`, exactly): on the
benchmark's 34,000 cells in 100 classes it is a plan of a few hundred
cells.

Dropping each cell's own chain makes the merged problem a relaxation. Its
optimum is laid back on the cells piece by piece: every cell's ``i``-th
piece is filled to the same fraction as the merged ``i``-th piece. Each cell
then minimises its own ``H_j`` at the merged problem's prices, level by
level; if its levels also keep the chain, the cell is optimal at those
prices, and when every cell is, the plan is an optimum of the full program
and the merged problem's row duals are its duals (the optimality
conditions of the full program hold). Cells whose levels break the chain,
or that would need their class's workers past its largest scenario (which
cannot be shared out), are taken out of their class and become classes of
their own, and the merged problem is solved again; in the worst case every
cell is its own class, the full program.
:func:`~talentgap.planning._multiyear_cells.check_cells` at the final prices
is the certificate, and it says which cells' places are unique.

Minimum quotas and capacities per cell (or per cell and funding period)
are part of a class's parameters; the merged cell has their sums, so the
merged problem stays a relaxation. Cells whose laid-back places leave their
own bounds leave their class too. At the end a class's bound that binds
(a reduced cost on the class's places) has every cell of the class on its
own bound, and that reduced cost is each such bound's price, which the
check verifies with the places (:func:`_bound_price`).

Where several plans are optimal, the tie rule of the full program chooses
among them (:mod:`talentgap.planning._multiyear_class_ties`, from the
:class:`ClassFace` this module returns).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from talentgap.errors import PlanningError
from talentgap.planning._multiyear_cells import chain_form, check_cells, survival
from talentgap.planning._multiyear_lp import (
    DUAL_TOL,
    Program,
    Solution,
    build_program,
    row_families,
    solve,
)
from talentgap.planning._multiyear_problem import Rows, YearsProblem
from talentgap.planning._problem import Scenarios

__all__ = ["ClassFace", "ClassPlan", "class_form", "cell_classes", "merged_classes",
           "solve_by_classes", "MIN_PIECES", "MAX_CLASS_SHARE", "MAX_SPLIT_SHARE"]

logger = logging.getLogger(__name__)

#: Plans with fewer scenario pieces (cells x need periods x scenarios) use the full program.
MIN_PIECES = 2_000_000
#: Merge only when there are at most this share as many classes as cells.
MAX_CLASS_SHARE = 0.25
#: Give up merging (solve the full program) when cells leaving their classes would
#: make more classes than this share of the cells.
MAX_SPLIT_SHARE = 0.5
_ROUNDS = 12
_CHAIN_TOL = 1e-9


@dataclass(frozen=True)
class ClassFace:
    """What the tie rule needs of a plan by classes: the pieces that may still move.

    ``cell``, ``level``, ``length`` and ``now`` describe every cell's piece
    (in level units) that lies on a merged piece with a zero reduced cost,
    so may move in another optimal plan, and how much of it is filled.
    ``levels`` (cells x levels) and ``e`` (the survival factor of each
    level's places, 0 for a level a cell does not have: ``valid`` False)
    give the places; ``tight`` says which coupling rows
    have a price (they stay tight in every optimal plan) and
    ``chain_tight`` (classes x levels) where a class's places have a
    reduced cost, so stay at 0 (each cell's level equals the previous one)
    in every optimal plan.
    """

    label: np.ndarray
    cell: np.ndarray
    level: np.ndarray
    length: np.ndarray
    now: np.ndarray
    levels: np.ndarray
    e: np.ndarray
    valid: np.ndarray
    tight: np.ndarray
    chain_tight: np.ndarray


@dataclass(frozen=True)
class ClassPlan:
    """The merged program's result: the program (its rows), the solution, uniqueness."""

    program: Program
    solution: Solution
    unique: bool
    n_classes: int
    rounds: int
    face: ClassFace | None = None


def class_form(problem: YearsProblem) -> str | None:
    """Why :func:`solve_by_classes` does not apply to ``problem`` (None: it does).

    It needs the cells' own programs to be isotonic chains
    (:func:`~talentgap.planning._multiyear_cells.chain_form`; a policy need,
    a surplus penalty and minimum quotas and capacities per cell, or per
    cell and funding period, are allowed), continuous
    places, the exact tie rule, and, for each lead time, every funding
    period that arrives in time serving exactly one need period.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.planning._multiyear_problem import build_years_problem
    >>> needs = pd.DataFrame({"region": "N", "industry": ["A", "A", "B", "B"],
    ...                       "period": ["2027", "2028"] * 2, "gap": [5.0, 8.0, 3.0, 4.0]})
    >>> problem = build_years_problem(
    ...     needs, periods=[2026, 2027], keys=["region", "industry"], value="gap",
    ...     budget=1_000, total_budget=None, cost_per_trainee=100, pass_rate=1.0,
    ...     absorption=1.0, capacity=None, min_quota=0, lead_time=1, exit_rate=0.1,
    ...     risk="expected", quantile=None, surplus_penalty=0.0, integer="none",
    ...     policy_need=None, need_weights=None, capacity_groups=None,
    ...     budget_envelopes=None, equity=None, tie_tolerance=1e-9)
    >>> class_form(problem) is None
    True
    """
    why = chain_form(problem, policy=True, bounds=True)
    if why is not None:
        return why
    if problem.integer == "exact":
        return "whole places"
    if problem.tie_tolerance > 1e-9:
        return "a tie tolerance"
    for lead in np.unique(problem.lead):
        if _served(problem, int(lead)) is None:
            return "funding periods that serve no or several need periods"
    return None


def _served(problem: YearsProblem, lead: int) -> np.ndarray | None:
    """Per funding period that arrives in time (lead time ``lead``), the need period it
    serves; None unless each serves exactly one (and at least one arrives)."""
    arrival = problem.funding.asi8 + lead
    n_j = int((arrival <= problem.need.asi8.max()).sum())
    seg = np.searchsorted(arrival[:n_j], problem.need.asi8, side="right") - 1
    if n_j == 0 or (np.bincount(seg[seg >= 0], minlength=n_j) != 1).any():
        return None
    return np.searchsorted(seg, np.arange(n_j))       # seg is sorted, each j once


def cell_classes(problem: YearsProblem, a: sp.csr_matrix) -> np.ndarray:
    """Per cell, its class: the same weights, yield, survival, lead time, coupling columns
    and bounds (minimum quota and capacity per funding period).

    ``a`` holds the coupling rows over the decisions. Columns are compared
    through two random projections and then checked entry by entry against
    the class's first cell (a cell that differs is given a class of its own).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp, pandas as pd
    >>> from talentgap.planning._multiyear_problem import build_years_problem
    >>> needs = pd.DataFrame({"region": ["N", "N", "S", "S"], "industry": ["A", "B"] * 2,
    ...                       "period": "2027", "gap": [5.0, 8.0, 3.0, 4.0]})
    >>> problem = build_years_problem(
    ...     needs, periods=[2026], keys=["region", "industry"], value="gap",
    ...     budget=1_000, total_budget=None,
    ...     cost_per_trainee=pd.DataFrame({"industry": ["A", "B"],
    ...                                    "cost_per_trainee": [100.0, 200.0]}),
    ...     pass_rate=1.0, absorption=1.0, capacity=None, min_quota=0, lead_time=1,
    ...     exit_rate=0.1, risk="expected", quantile=None, surplus_penalty=0.0,
    ...     integer="none", policy_need=None, need_weights=None, capacity_groups=None,
    ...     budget_envelopes=None, equity=None, tie_tolerance=1e-9)
    >>> a = sp.vstack([f.matrix for f in problem.rows()], format="csr")
    >>> cell_classes(problem, a).tolist()   # A costs 100 in both regions, B 200
    [0, 1, 0, 1]
    """
    n, n_f = problem.n_cells, problem.n_funding
    rng = np.random.default_rng(12345)
    at = a.T.tocsr()
    proj = at @ rng.standard_normal((a.shape[0], 2)) if a.shape[0] else np.zeros((n * n_f, 2))
    key = np.column_stack([problem.weight_market, problem.weight_policy, problem.yield_,
                           survival(problem), problem.lead,
                           proj[:, 0].reshape(n, n_f), proj[:, 1].reshape(n, n_f),
                           problem.lower.reshape(n, n_f),
                           np.minimum(problem.upper, np.finfo(np.float64).max).reshape(n, n_f)])
    _, first, label = np.unique(key, axis=0, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first)] = np.arange(first.size)     # classes in order of first cell
    label, first = rank[label.ravel()], np.sort(first)
    # entry by entry against the class's first cell
    rep = first[label]
    rep_dec = (rep[:, None] * n_f + np.arange(n_f)[None, :]).ravel()
    diff = (at - at[rep_dec]).tocsr()
    diff.eliminate_zeros()
    odd = np.unique(np.flatnonzero(np.diff(diff.indptr) > 0) // n_f)   # cells that differ
    if odd.size:
        label = label.copy()
        label[odd] = label.max() + 1 + np.arange(odd.size)
    return np.unique(label, return_inverse=True)[1].ravel()


def merged_classes(problem: YearsProblem, *, min_pieces: int | None = None
                   ) -> np.ndarray | None:
    """The cells' classes when :func:`solve_by_classes` should solve ``problem``, else None.

    That is when the problem has the form (:func:`class_form`), at least
    ``min_pieces`` scenario pieces (default :data:`MIN_PIECES`; smaller
    plans are fast with the full program) and at most
    :data:`MAX_CLASS_SHARE` as many classes as cells.
    """
    min_pieces = MIN_PIECES if min_pieces is None else min_pieces
    if problem.n_cells == 0 or class_form(problem) is not None:
        return None
    k = int(problem.market_plan.count[0])
    if problem.n_cells * problem.n_need * k < min_pieces:
        return None
    label = cell_classes(problem, row_families(problem)[0])
    if label.max() + 1 > MAX_CLASS_SHARE * problem.n_cells:
        return None
    return label


def solve_by_classes(problem: YearsProblem, label: np.ndarray | None = None, *,
                     max_classes: int | None = None) -> ClassPlan | None:
    """The continuous multi-year optimum of a :func:`class_form` problem, by classes.

    Returns the merged program (its ``rows`` and ``before`` mean what they
    mean for :func:`~talentgap.planning._multiyear_lp.build_program`), the
    solution (places, objective change, row values, and the values of the
    cells' capacities and minimum quotas that bind) and whether every
    cell's places are unique.
    ``label`` gives each cell's class (default :func:`cell_classes`). None
    (the full program should solve it) when more than ``max_classes``
    classes would be needed, when cells keep leaving their classes, or when
    the plan fails the per-cell check.

    Raises
    ------
    PlanningError
        The constraints conflict, or the merged program cannot be solved
        (with minimum quotas or capacities per cell: None, and the full
        program says which conflict).
    """
    a, _, scale, _ = row_families(problem)
    if label is None:
        label = cell_classes(problem, a)
    n, n_f, n_t = problem.n_cells, problem.n_funding, problem.n_need
    levels = _Levels(problem)
    t_of, valid, yd, e = levels.t_of, levels.valid, levels.yd, levels.e
    n_j = t_of.shape[1]
    pieces = _CellPieces(problem)
    lower = problem.lower.reshape(n, n_f)
    upper = problem.upper.reshape(n, n_f)
    bounded = bool((lower != 0).any() or np.isfinite(upper).any())
    rounds = 0
    while True:
        rounds += 1
        n_g = int(label.max()) + 1
        rep = np.zeros(n_g, dtype=np.int64)
        rep[label[::-1]] = np.arange(n)[::-1]                    # the first cell of each class
        merged, program, slot_of = _merged(problem, label, rep, pieces)
        try:
            first = solve(merged, program, guided=problem.policy is None)
        except PlanningError:
            if not bounded:
                raise
            # summed bounds would name a class's first cell for all of them: the full
            # program says which cells' minimums and capacities conflict
            logger.debug("multi-year plan by classes: the merged plan has no solution; the "
                         "full program solves it")
            return None
        # the merged workers laid back on the cells: each cell's piece in a slot filled to
        # the share of the class's piece in that slot
        x = first.x[program.n_q:]
        fill = np.zeros((n_g * n_t, pieces.slots))
        length = program.ub[program.n_q:]
        fill[program.link_target[program.piece_link], slot_of] = np.where(
            length > 0, x / np.where(length > 0, length, 1.0), 0.0)
        fill = np.clip(fill, 0.0, 1.0).reshape(n_g, n_t, pieces.slots)
        workers = (merged.transfer @ first.q).reshape(n_g, n_t)
        laid = np.bincount(program.link_target[program.piece_link], weights=x,
                           minlength=n_g * n_t).reshape(n_g, n_t)
        past_top = np.maximum(workers - laid, 0.0)               # n_g x T
        alone = np.bincount(label, minlength=n_g)[label] == 1
        cell_workers = np.zeros((n, n_j))
        for cells, j, t in levels.groups():
            cell_workers[cells, j] = (pieces.at(t, cells) * fill[label[cells], t, :]).sum(axis=1)
        beyond = np.where(valid, past_top[label[:, None], t_of], 0.0)
        cell_workers += np.where(alone[:, None], beyond, 0.0)
        u = levels.carry(cell_workers / yd)                      # n x J levels
        # a singleton's rise past its last piece is its own; a class's cannot be shared
        # out without breaking some cell's chain, so its cells leave
        broken = (u[:, 1:] < u[:, :-1] - _CHAIN_TOL * (1.0 + np.abs(u[:, :-1]))).any(axis=1)
        broken |= (beyond > _CHAIN_TOL * (1.0 + cell_workers)).any(axis=1)
        if bounded:   # a class's places within its cells' summed bounds, not each cell's
            places = e * np.diff(u, axis=1, prepend=0.0)
            broken |= (valid & ((places < lower[:, :n_j] - _CHAIN_TOL * (1.0 + lower[:, :n_j]))
                                | (places > upper[:, :n_j]
                                   + _CHAIN_TOL * (1.0 + upper[:, :n_j])))).any(axis=1)
        move = np.flatnonzero(broken & ~alone)
        logger.debug("multi-year plan by classes: round %d, %d classes, %d cells leave theirs",
                     rounds, n_g, move.size)
        if move.size == 0 or rounds >= _ROUNDS:
            break
        label = label.copy()
        label[move] = n_g + np.arange(move.size)
        label = np.unique(label, return_inverse=True)[1].ravel()   # no empty classes
        if max_classes is not None and label.max() + 1 > max_classes:
            logger.debug("multi-year plan by classes: too many classes; the full program "
                         "solves it")
            return None
    if move.size:
        logger.warning("multi-year plan by classes: cells still left their classes after "
                       "%d rounds; the full program solves it", rounds)
        return None
    u = np.maximum.accumulate(u, axis=1)   # rounding: a singleton's chain holds exactly
    q = np.zeros((n, n_f))
    q[:, :n_j] = np.maximum(e * np.diff(u, axis=1, prepend=0.0), 0.0)
    # places that arrive after the last need period are the class's, shared out equally
    late = np.ones((n, n_f), dtype=bool)
    late[:, :n_j] = ~valid
    share = (first.q.reshape(-1, n_f)[label]
             / np.bincount(label, minlength=int(label.max()) + 1)[label, None])
    q = np.where(late, share, q)
    q = np.clip(q, lower, upper).ravel()   # rounding: each cell keeps its bounds exactly
    price = a.T @ (first.row_value * scale) if scale.size else np.zeros(n * n_f)
    bound = _bound_price(problem, first, program.n_q, label)
    if bounded:
        optimal, unique = check_cells(problem, price, q, tol=1e-7, bound_price=bound)
    else:
        optimal, unique = check_cells(problem, price, q, tol=1e-7)
    if not optimal.all():   # rounding in the solver: the full program decides
        logger.warning("multi-year plan by classes: %d cells fail the optimality check; the "
                       "full program solves it", int((~optimal).sum()))
        return None
    face = _face(program, first, slot_of, label, pieces, fill, u, levels)
    solution = Solution(q, first.objective, first.lp_objective, first.row_value,
                        np.maximum(bound, 0.0), np.maximum(-bound, 0.0))
    return ClassPlan(program, solution, bool(unique.all()), n_g, rounds, face)


def _bound_price(problem: YearsProblem, first: Solution, n_q: int, label: np.ndarray
                 ) -> np.ndarray:
    """Per decision: the price of its cell's capacity (> 0) or minimum quota (< 0).

    A class's places carry their cells' summed bounds; where one binds in
    the merged program (a reduced cost on the class's places) every cell of
    the class sits on its own bound, at the same price per place.
    :func:`~talentgap.planning._multiyear_cells.check_cells` verifies it.
    """
    n_f = problem.n_funding
    reduced = -first.reduced[:n_q].reshape(-1, n_f)[label].ravel()
    capacity = np.isfinite(problem.upper) & (reduced > 0)
    minimum = (problem.lower > 0) & (reduced < 0)
    return np.where(capacity | minimum, reduced, 0.0)


class _CellPieces:
    """Every cell's pieces at a need period, in *slots* that line up across the cells.

    Without a policy need, slot ``i`` is the piece between the ``i``-th and
    ``(i+1)``-th smallest scenarios (counted from 0), where ``K - i`` of the
    ``K`` scenarios lie above: slope ``-w_m (K - i) / K`` per worker. With a
    policy need ``P`` that piece is cut at ``P``: slot ``2i`` is its part
    below ``P`` (slope ``-w_m (K - i) / K - w_p``), slot ``2i + 1`` its part
    above, and slot ``2K`` runs from the largest scenario up to ``P``
    (slope ``-w_p``). Cells of a class have the same slope in each slot, so
    a class's pieces are its cells' pieces added up slot by slot.
    """

    def __init__(self, problem: YearsProblem) -> None:
        self.k = k = int(problem.market_plan.count[0])
        self.n_t = problem.n_need
        self.value = problem.market_plan.value.reshape(problem.n_cells, self.n_t, k)
        self.policy = (None if problem.policy is None
                       else problem.policy.reshape(problem.n_cells, self.n_t))
        self.slots = k if self.policy is None else 2 * k + 1

    def at(self, t: int, cells: np.ndarray | None = None) -> np.ndarray:
        """Cells x slots: the pieces' lengths (workers) at need period ``t``."""
        value = self.value[:, t, :] if cells is None else self.value[cells, t, :]
        top = np.maximum(value, 0.0)
        low = np.concatenate([np.zeros((top.shape[0], 1)), top[:, :-1]], axis=1)
        if self.policy is None:
            return top - low
        p = (self.policy[:, t] if cells is None else self.policy[cells, t])[:, None]
        out = np.empty((top.shape[0], self.slots))
        out[:, 0:2 * self.k:2] = np.maximum(np.minimum(top, p) - low, 0.0)
        out[:, 1:2 * self.k:2] = np.maximum(top - np.maximum(low, p), 0.0)
        out[:, 2 * self.k] = np.maximum(p[:, 0] - top[:, -1], 0.0)
        return out

    def slopes(self, w_m: np.ndarray, w_p: np.ndarray) -> np.ndarray:
        """Per class (its weights) x slot: the slope per worker."""
        k = self.k
        market = -w_m[:, None] * (k - np.arange(k))[None, :] / k
        if self.policy is None:
            return market
        out = np.empty((w_m.size, self.slots))
        out[:, 0:2 * k:2] = market - w_p[:, None]
        out[:, 1:2 * k:2] = market
        out[:, 2 * k] = -w_p
        return out


def _merged(problem: YearsProblem, label: np.ndarray, rep: np.ndarray, pieces: _CellPieces
            ) -> tuple[YearsProblem, Program, np.ndarray]:
    """One cell per class, and its program: the class's pieces, slot by slot.

    The merged cell has the class's first cell's parameters and rows. Its
    pieces at a need period are the class's cells' pieces added up per slot
    (:class:`_CellPieces`), steepest first (market pieces ``1 + lam`` as
    steep with a surplus penalty ``lam``, whose cost per place the merged
    cell also has); returns the merged problem, its program and each
    program piece's slot. Without a policy need the
    merged cell's scenarios are the sums of the class's cells' ``i``-th
    smallest scenarios (its pieces are then its own, and the program's
    guide applies).
    """
    n_g, n_t, n_f = rep.size, problem.n_need, problem.n_funding
    slots = pieces.slots
    length = np.empty((n_g, n_t, slots))
    index = (label[:, None] * slots + np.arange(slots)[None, :]).ravel()
    for t in range(n_t):     # a bincount over every cell's pieces per need period
        length[:, t, :] = np.bincount(index, weights=pieces.at(t).ravel(),
                                      minlength=n_g * slots).reshape(n_g, slots)
    # a surplus penalty makes the market pieces (1 + lam) as steep (not the policy's)
    slope = pieces.slopes(problem.weight_market[rep] * (1.0 + problem.surplus_penalty),
                          problem.weight_policy[rep])
    order = np.argsort(slope, axis=1, kind="stable")          # steepest first, per class
    slot = np.broadcast_to(order[:, None, :], (n_g, n_t, slots))
    lengths = np.take_along_axis(length, slot, axis=2)
    slopes = np.broadcast_to(np.take_along_axis(slope, order, axis=1)[:, None, :],
                             (n_g, n_t, slots))
    target = np.broadcast_to(np.arange(n_g * n_t).reshape(n_g, n_t, 1), (n_g, n_t, slots))
    keep = (lengths > 0) & (slopes < 0)
    dec = (rep[:, None] * n_f + np.arange(n_f)[None, :]).ravel()
    tgt = (rep[:, None] * n_t + np.arange(n_t)[None, :]).ravel()
    # the class's bounds: its cells' (equal) bounds times their number
    size = np.repeat(np.bincount(label, minlength=n_g).astype(np.float64), n_f)

    def rows(family: Rows) -> Rows:
        if not family.size:
            return family
        return replace(family, matrix=sp.csr_matrix(family.matrix.tocsc()[:, dec]))

    merged_market = (Scenarios.from_grid(np.cumsum(length, axis=2).reshape(n_g * n_t, slots))
                     if pieces.policy is None else problem.market_plan)
    merged = replace(
        problem, surplus_penalty=0.0, cells=problem.cells.iloc[rep].reset_index(drop=True),
        cost=problem.cost[dec], pass_rate=problem.pass_rate[rep],
        absorption=problem.absorption[rep], exit_rate=problem.exit_rate[rep],
        lead=problem.lead[rep], capacity=problem.capacity[dec] * size,
        min_quota=problem.min_quota[dec] * size, lower=problem.lower[dec] * size,
        upper=problem.upper[dec] * size,
        transfer=sp.csr_matrix(problem.transfer[tgt][:, dec]), market=merged_market,
        market_plan=merged_market, policy=None, weight_market=problem.weight_market[rep],
        weight_policy=problem.weight_policy[rep], budgets=rows(problem.budgets),
        envelopes=rows(problem.envelopes), groups=rows(problem.groups))
    # built without the penalty (the slopes above have it), which then adds its cost per
    # place (the same for every cell of a class) and the full problem's constant
    program = build_program(merged, pieces=(target[keep], lengths[keep], slopes[keep],
                                            np.zeros(int(keep.sum()), dtype=np.int64)))
    if problem.surplus_penalty:
        merged = replace(merged, surplus_penalty=problem.surplus_penalty)
        cost = np.zeros(program.c.size)
        cost[:program.n_q] = merged.surplus_cost()
        program = replace(program, c=program.c + cost,
                          before=program.before + problem.surplus_constant())
    return merged, program, slot[keep]


def _face(program: Program, first: Solution, slot_of: np.ndarray, label: np.ndarray,
          pieces: _CellPieces, fill: np.ndarray, u: np.ndarray, levels: _Levels
          ) -> ClassFace:
    """Where the tie rule may move the cells' pieces (see :class:`ClassFace`)."""
    n_g, n_t, slots = fill.shape
    n_j = levels.t_of.shape[1]
    free = np.zeros((n_g * n_t, slots), dtype=bool)
    free[program.link_target[program.piece_link], slot_of] = (
        np.abs(first.reduced[program.n_q:]) <= DUAL_TOL)
    free = free.reshape(n_g, n_t, slots)
    # places with a reduced cost stay where they are in every optimal plan (at 0, or on a
    # bound that binds): the level moves with the previous one (the first stays)
    held = np.abs(first.reduced[:program.n_q].reshape(n_g, -1)[:, :n_j]) > DUAL_TOL
    chain_tight = np.zeros((n_g, n_j), dtype=bool)
    chain_tight[:, 1:] = held[:, 1:]
    parts = []
    for cells, j, t in levels.groups():
        movable = free[label[cells], t, :]
        if j == 0:
            movable &= ~held[label[cells], 0, None]
        moving = cells[movable.any(axis=1)]
        if moving.size == 0:
            continue
        length = pieces.at(t, moving)
        cell, slot = np.nonzero(movable[movable.any(axis=1)] & (length > 0))
        size = length[cell, slot] / levels.yd[moving[cell], j]
        parts.append((moving[cell], np.full(cell.size, j), size,
                      size * fill[label[moving[cell]], t, slot]))
    if parts:
        cell, level, size, now = (np.concatenate(p) for p in zip(*parts, strict=True))
    else:
        cell = level = np.zeros(0, dtype=np.int64)
        size = now = np.zeros(0)
    tight = first.dual[program.n_link:program.n_link + len(program.rows)] > DUAL_TOL
    return ClassFace(label, cell, level, size, now, u, levels.e, levels.valid, tight,
                     chain_tight)


class _Levels:
    """Every cell's levels: one per funding period that arrives by the last need period.

    Cells with a longer lead time have fewer; the arrays are as wide as the
    most any cell has, and a cell's missing levels (``valid`` False) repeat
    its last one with places of weight 0 (``e`` 0). ``t_of`` is the need
    period a level serves, ``yd`` the workers per level unit there and ``e``
    the survival discount of the level's places.
    """

    def __init__(self, problem: YearsProblem) -> None:
        n = problem.n_cells
        r = survival(problem)
        leads = np.unique(problem.lead)
        served = {int(lead): _served(problem, int(lead)) for lead in leads}
        n_j = max(s.size for s in served.values())
        self.t_of = np.zeros((n, n_j), dtype=np.int64)
        self.valid = np.zeros((n, n_j), dtype=bool)
        self.yd = np.ones((n, n_j))
        self.e = np.zeros((n, n_j))
        self._groups = []
        for lead, t_of in served.items():
            cells = np.flatnonzero(problem.lead == lead)
            arrival = problem.funding.asi8 + lead
            width = t_of.size
            self.t_of[cells, :width] = t_of
            self.t_of[cells, width:] = t_of[-1]
            self.valid[cells, :width] = True
            rc = r[cells, None]
            self.yd[cells, :width] = problem.yield_[cells, None] * rc ** (
                problem.need.asi8[t_of] - arrival[0])[None, :].astype(np.float64)
            self.e[cells, :width] = rc ** (arrival[:width] - arrival[0])[None, :].astype(
                np.float64)
            self._groups += [(cells, j, int(t)) for j, t in enumerate(t_of)]

    def groups(self) -> list[tuple[np.ndarray, int, int]]:
        """``(cells, level, need period)`` for every lead time and level it has."""
        return self._groups

    def carry(self, u: np.ndarray) -> np.ndarray:
        """``u`` with each cell's missing levels set to its last real one."""
        last = np.maximum.accumulate(np.where(self.valid, np.arange(u.shape[1]), 0), axis=1)
        return np.take_along_axis(u, last, axis=1)
