"""Large multi-year plans solved exactly by merging cells that share their parameters.

Cells whose places cost the same, bring the same workers per place, lose
them at the same rate, carry the same weight and sit in the same coupling
rows (budgets, envelopes, capacity groups) differ only in their need
scenarios. Call such cells a *class*. In the level form of
:mod:`~talentgap.planning._multiyear_cells` a cell's objective is a sum of
convex piecewise-linear functions ``H_j(U_j)`` of its levels, one per funding
period, linked by the chain ``U_1 <= U_2 <= ...``; the coupling rows are
linear in the levels. When each level serves exactly one need period, the
slope of a cell's ``H_j`` between its ``i``-th and ``(i+1)``-th smallest
scenario is ``-c (K - i) / K`` with ``c`` the same for every cell of the
class. The least total of ``H_j`` over the class's cells for a given sum of
their levels is then one convex function with ``K`` pieces: piece ``i`` is
as long as the ``i``-th pieces of all the cells together (the pieces are
filled steepest first whichever cell they belong to). The merged program
has one column per class, level and piece instead of one per cell, level
and piece: on the benchmark's 34,000 cells in 100 classes it is 340 times
smaller.

Dropping each cell's own chain makes the merged program a relaxation. Its
optimum is laid back on the cells piece by piece: every cell's ``i``-th
piece is filled to the same fraction as the merged ``i``-th piece. Each cell
then minimises its own ``H_j`` at the merged program's prices, level by
level; if its levels also keep the chain, the cell is optimal at those
prices, and when every cell is, the plan is an optimum of the full program
and the merged program's row duals are its duals (the optimality
conditions of the full program hold). Cells whose levels break the chain
are taken out of their class and solved as classes of their own (their own
pieces and chain in the merged program), and the merged program is solved
again; in the worst case every cell is its own class, the full program.
:func:`~talentgap.planning._multiyear_cells.check_cells` at the final prices
is the certificate, and it says which cells' places are unique.

Where several plans are optimal, the tie rule of the full program chooses
among them (:mod:`talentgap.planning._multiyear_class_ties`, from the
:class:`ClassFace` this module returns).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from talentgap.errors import PlanningError
from talentgap.planning._multiyear_cells import chain_form, check_cells, survival
from talentgap.planning._multiyear_lp import (
    DUAL_TOL,
    Program,
    Solution,
    _run,
    build_program,
    infeasibility,
    row_families,
)
from talentgap.planning._multiyear_problem import YearsProblem

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
    """What the tie rule needs of a plan by classes: where every cell's pieces stand.

    ``ell`` (cells x levels x scenarios): every cell's pieces in level units;
    ``fill`` (classes x levels x scenarios): the share of each merged piece
    filled; ``free``: merged pieces with a zero reduced cost (they may move
    in another optimal plan); ``levels`` (cells x levels) and ``e`` (the
    survival factor of each level's places) give the places; ``tight`` says
    which coupling rows have a price (they stay tight in every optimal
    plan) and ``chain_tight`` (classes x levels) which class chains do.
    """

    label: np.ndarray
    ell: np.ndarray
    fill: np.ndarray
    free: np.ndarray
    levels: np.ndarray
    e: np.ndarray
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
    (:func:`~talentgap.planning._multiyear_cells.chain_form`), continuous
    places, the exact tie rule, one lead time, and every funding period
    that arrives in time to serve exactly one need period.

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
    why = chain_form(problem)
    if why is not None:
        return why
    if problem.integer == "exact":
        return "whole places"
    if problem.tie_tolerance > 1e-9:
        return "a tie tolerance"
    if np.unique(problem.lead).size != 1:
        return "several lead times"
    seg = _segments(problem)
    n_j = _arriving(problem)
    served = np.bincount(seg[seg >= 0], minlength=n_j)
    if n_j == 0 or (served != 1).any():
        return "funding periods that serve no or several need periods"
    return None


def _arriving(problem: YearsProblem) -> int:
    arrival = problem.funding.asi8 + int(problem.lead[0])
    return int((arrival <= problem.need.asi8.max()).sum())


def _segments(problem: YearsProblem) -> np.ndarray:
    """Per need period, the last funding period that has arrived by then (-1: none)."""
    arrival = problem.funding.asi8 + int(problem.lead[0])
    n_j = _arriving(problem)
    return np.searchsorted(arrival[:n_j], problem.need.asi8, side="right") - 1


def cell_classes(problem: YearsProblem, a: sp.csr_matrix) -> np.ndarray:
    """Per cell, its class: cells with the same weight, yield, survival and coupling columns.

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
    key = np.column_stack([problem.weight_market, problem.yield_, survival(problem),
                           proj[:, 0].reshape(n, n_f), proj[:, 1].reshape(n, n_f)])
    _, first, label = np.unique(key, axis=0, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first)] = np.arange(first.size)     # classes in order of first cell
    label, first = rank[label.ravel()], np.sort(first)
    # entry by entry against the class's first cell
    rep = first[label]
    dec = np.arange(n * n_f)
    rep_dec = (rep[:, None] * n_f + np.arange(n_f)[None, :]).ravel()
    diff = (at - at[rep_dec]).tocsr()
    diff.eliminate_zeros()
    odd = np.flatnonzero(np.bincount(dec[np.repeat(np.arange(diff.shape[0]),
                                                   np.diff(diff.indptr))] // n_f,
                                     minlength=n) > 0)
    if odd.size:
        label = label.copy()
        label[odd] = label.max() + 1 + np.arange(odd.size)
    return np.unique(label, return_inverse=True)[1].ravel()


def merged_classes(problem: YearsProblem, *, min_pieces: int | None = None
                   ) -> np.ndarray | None:
    """The cells' classes when :func:`solve_by_classes` should solve ``problem``, else None.

    That is when the problem has the form (:func:`class_form`), at least
    ``min_pieces`` scenario pieces (default :data:`MIN_PIECES`; smaller
    plans are fast with the full program, which also applies the
    need-proportional tie rule) and at most :data:`MAX_CLASS_SHARE` as many
    classes as cells.
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
    solution (places, objective change, row values; no capacities or
    minimums exist in this form) and whether every cell's places are unique.
    ``label`` gives each cell's class (default :func:`cell_classes`). None
    when more than ``max_classes`` classes would be needed (so many cells
    left their class that the full program is the better way).

    Raises
    ------
    PlanningError
        The constraints conflict, or the merged program cannot be solved.
    """
    a, limit, scale, rows = row_families(problem)
    if label is None:
        label = cell_classes(problem, a)
    n, n_f, n_t = problem.n_cells, problem.n_funding, problem.n_need
    k = int(problem.market_plan.count[0])
    n_j = _arriving(problem)
    seg = _segments(problem)
    t_of = np.array([int(np.flatnonzero(seg == j)[0]) for j in range(n_j)])
    arrival = problem.funding.asi8 + int(problem.lead[0])
    r = survival(problem)
    y = problem.yield_
    w = problem.weight_market
    d = r[:, None] ** (problem.need.asi8[t_of] - arrival[0])[None, :].astype(np.float64)
    e = r[:, None] ** (arrival[:n_j] - arrival[0])[None, :].astype(np.float64)      # n x J
    gap = problem.market_plan.value.reshape(n, n_t, k)
    # every cell's pieces per level in U units: [max(x_(i-1), 0), max(x_i, 0)]
    x = np.maximum(gap[:, t_of, :] / (y[:, None, None] * d[:, :, None]), 0.0)       # n x J x K
    ell = np.diff(x, axis=2, prepend=0.0)
    del x
    slope_unit = -(w[:, None] * y[:, None] * d)                  # n x J, times (K - i) / K
    before = float((w * np.maximum(gap, 0.0).mean(axis=2).sum(axis=1)).sum())
    a_csc = a.tocsc()
    rounds = 0
    while True:
        rounds += 1
        n_g = int(label.max()) + 1
        rep = np.zeros(n_g, dtype=np.int64)
        rep[label[::-1]] = np.arange(n)[::-1]                    # the first cell of each class
        res, length, tail, reduced = _solve_merged(problem, a_csc, limit, label, rep, n_g,
                                                   n_j, k, ell, slope_unit, e)
        if res.status == 2:
            raise PlanningError(infeasibility(problem, build_program(problem)))
        if res.status != 0:
            raise PlanningError(f"the multi-year quota LP could not be solved: {res.message}")
        with np.errstate(invalid="ignore", divide="ignore"):
            fill = np.where(length > 0, res.x / np.where(length > 0, length, 1.0), 0.0)
        fill = np.clip(fill, 0.0, 1.0).reshape(n_g, n_j, k)
        alone = np.bincount(label, minlength=n_g)[label] == 1
        # a singleton's rise past its largest scenario is its own; a class's cannot be
        # shared out without breaking some cell's chain, so its cells leave
        u = np.einsum("cjk,cjk->cj", ell, fill[label]) + np.where(alone[:, None],
                                                                  tail[label], 0.0)
        broken = (u[:, 1:] < u[:, :-1] - _CHAIN_TOL * (1.0 + np.abs(u[:, :-1]))).any(axis=1)
        broken |= (tail[label] > _CHAIN_TOL * (1.0 + np.abs(u))).any(axis=1)
        move = np.flatnonzero(broken & ~alone)
        logger.debug("multi-year plan by classes: round %d, %d classes, %d cells leave theirs",
                     rounds, n_g, move.size)
        if move.size == 0 or rounds >= _ROUNDS:
            break
        if max_classes is not None and n_g + move.size > max_classes:
            logger.debug("multi-year plan by classes: too many classes; the full program "
                         "solves it")
            return None
        label = label.copy()
        label[move] = n_g + np.arange(move.size)
    if move.size:
        raise PlanningError("the multi-year plan by classes did not settle")
    u = np.maximum.accumulate(u, axis=1)   # rounding: a singleton's chain holds exactly
    q = np.zeros((n, n_f))
    q[:, :n_j] = np.maximum(e * np.diff(u, axis=1, prepend=0.0), 0.0)
    q = q.ravel()
    n_coupling = limit.size
    duals = -np.asarray(res.ineqlin.marginals, dtype=np.float64)[:n_coupling]
    row_value = np.maximum(duals / scale if scale.size else duals, 0.0)
    price = a.T @ np.maximum(duals, 0.0) if n_coupling else np.zeros(n * n_f)
    optimal, unique = check_cells(problem, price, q, tol=1e-7)
    if not optimal.all():
        raise PlanningError(f"the multi-year plan by classes failed its check on "
                            f"{int((~optimal).sum())} cells")
    chain_dual = -np.asarray(res.ineqlin.marginals, dtype=np.float64)[n_coupling:]
    chain_tight = np.zeros((n_g, n_j), dtype=bool)
    chain_tight[:, 1:] = (chain_dual > DUAL_TOL).reshape(n_g, n_j - 1)
    face = ClassFace(label, ell, fill, (np.abs(reduced) <= DUAL_TOL).reshape(n_g, n_j, k),
                     u, e, duals > DUAL_TOL, chain_tight)
    objective = float(res.fun)
    program = Program(c=np.zeros(0), a_ub=sp.csr_matrix((0, 0)), b_ub=np.zeros(0),
                      lb=np.zeros(0), ub=np.zeros(0), n_q=0, n_link=0, rows=rows,
                      before=before)
    zeros = np.zeros(n * n_f)
    solution = Solution(q, objective, objective, row_value, zeros, zeros)
    return ClassPlan(program, solution, bool(unique.all()), n_g, rounds, face)


def _solve_merged(problem, a_csc, limit, label, rep, n_g, n_j, k, ell, slope_unit, e):
    """The merged program over classes x levels x pieces; returns the result and columns."""
    n_f = problem.n_funding
    length = np.zeros((n_g, n_j, k))
    for j in range(n_j):     # per level: a bincount over every cell's pieces
        idx = (label[:, None] * k + np.arange(k)[None, :]).ravel()
        length[:, j, :] = np.bincount(idx, weights=ell[:, j, :].ravel(),
                                      minlength=n_g * k).reshape(n_g, k)
    counts = (k - np.arange(k)) / k
    slope = slope_unit[rep][:, :, None] * counts[None, None, :]            # n_g x J x K
    length = length.ravel()
    slope = slope.ravel()
    col_level = np.repeat(np.arange(n_g * n_j), k)                          # class * J + j
    # coupling coefficients of a level: its places' column minus the next period's
    e_rep = e[rep]                                                          # n_g x J
    cols = (rep[:, None] * n_f + np.arange(n_j)[None, :])                   # n_g x J decisions
    a_lev = a_csc[:, cols.ravel()] @ sp.diags(e_rep.ravel())
    nxt = np.where(np.arange(n_j)[None, :] + 1 < n_j, cols + 1, -1)
    has = (nxt >= 0).ravel()
    a_next = sp.csc_matrix((a_csc.shape[0], n_g * n_j))
    if has.any():
        e_next = np.concatenate([e_rep[:, 1:], np.zeros((n_g, 1))], axis=1).ravel()
        take = sp.csr_matrix((e_next[has], (np.flatnonzero(has), np.flatnonzero(has))),
                             shape=(n_g * n_j, n_g * n_j))
        a_next = a_csc[:, np.where(has, nxt.ravel(), 0)] @ take
    level_rows = (a_lev - a_next).tocsr()
    pick = sp.csr_matrix((np.ones(col_level.size), (col_level, np.arange(col_level.size))),
                         shape=(n_g * n_j, col_level.size))
    coupling = level_rows @ pick
    # the class chains: V_(j-1) - V_j <= 0
    g_idx, j_idx = np.divmod(np.arange(n_g * n_j), n_j)
    prev = np.flatnonzero(j_idx >= 1)
    chain = sp.csr_matrix(
        (np.concatenate([np.ones(prev.size), -np.ones(prev.size)]),
         (np.tile(np.arange(prev.size), 2), np.concatenate([prev - 1, prev]))),
        shape=(prev.size, n_g * n_j)) @ pick
    keep = np.flatnonzero(length > 0)
    # past its largest scenario a level may still rise (to keep the chain), at slope 0
    tail_rows = sp.vstack([level_rows, sp.csr_matrix(
        (np.concatenate([np.ones(prev.size), -np.ones(prev.size)]),
         (np.tile(np.arange(prev.size), 2), np.concatenate([prev - 1, prev]))),
        shape=(prev.size, n_g * n_j))], format="csc")
    a_ub = sp.hstack([sp.vstack([coupling, chain], format="csc")[:, keep], tail_rows],
                     format="csr")
    b_ub = np.concatenate([limit, np.zeros(prev.size)])
    n_keep = keep.size
    res = _run(np.concatenate([slope[keep], np.zeros(n_g * n_j)]), a_ub, b_ub,
               np.zeros(n_keep + n_g * n_j),
               np.concatenate([length[keep], np.full(n_g * n_j, np.inf)]))
    tail = np.zeros((n_g, n_j))
    reduced = np.full(length.size, np.inf)     # an empty piece never moves
    if res.status == 0:
        x = np.zeros(length.size)
        x[keep] = res.x[:n_keep]
        tail = res.x[n_keep:].reshape(n_g, n_j)
        res.x = x
        reduced[keep] = (np.asarray(res.lower.marginals)[:n_keep]
                         + np.asarray(res.upper.marginals)[:n_keep])
    return res, length, tail, reduced

