"""The tie rule for plans solved by classes: among optimal plans, the one closest to need.

A plan solved by :mod:`~talentgap.planning._multiyear_classes` comes with
prices on the coupling rows at which every cell's places are optimal for
the cell alone. Every optimal plan keeps every cell optimal at those prices
and keeps tight every row that has a price (complementary slackness with
that dual solution). A cell's piece whose merged piece has a nonzero reduced
cost therefore stays where it is, and places with a reduced cost stay put;
only pieces on a merged piece with a zero reduced cost may move, within
their length, while every cell keeps its chain and its places their
minimum quota and capacity, every priced row stays where it is and every
other row within its limit (places whose bound has a price stay on it).
Among those plans the second stage minimises ``sum |q[c, s] - t_s n[c, s]|``
over the places that can move, with ``n`` the need reference of
:func:`~talentgap.planning._multiyear_ties.need_reference` and ``t_s`` the
money the plan spends in period ``s`` divided by what the need-proportional
spread would cost: the rule of the full program's tie stage, with each
period's money held at the optimum's (which the priced budget rows do anyway).

With a surplus penalty nothing changes: the merged program's reduced costs
already count the steeper pieces and the penalty's cost per place, so a
move of pieces with zero reduced cost (and of the places they touch)
leaves the penalised objective where it is, as it leaves the shortfall
without one.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from talentgap.planning._multiyear_classes import ClassFace
from talentgap.planning._multiyear_lp import _run, row_families
from talentgap.planning._multiyear_problem import YearsProblem
from talentgap.planning._multiyear_ties import need_reference

__all__ = ["break_class_ties"]

_MOVED = 1e-6   # places moved, relative to the plan's, that count as another plan


def break_class_ties(problem: YearsProblem, face: ClassFace, q: np.ndarray
                     ) -> tuple[np.ndarray, bool]:
    """The tie rule's plan among the optimal plans around ``q``, and whether it moved.

    Parameters
    ----------
    problem : YearsProblem
    face : ClassFace
        From :func:`~talentgap.planning._multiyear_classes.solve_by_classes`.
    q : numpy.ndarray
        The plan by classes (per decision).

    Returns
    -------
    (numpy.ndarray, bool)
        The places, and True when they differ from ``q`` (the optimum was
        not unique).
    """
    n, n_f = problem.n_cells, problem.n_funding
    n_j = face.levels.shape[1]
    label = face.label
    cell, level, length, now = face.cell, face.level, face.length, face.now
    n_z = cell.size
    if n_z == 0:
        return q, False
    # levels that can move, and the places (decisions of the first n_j periods) they touch
    lev = cell * n_j + level
    move_levels = sp.csr_matrix((np.ones(n_z), (lev, np.arange(n_z))), shape=(n * n_j, n_z))
    e = face.e.ravel()
    move_q = (_places_of_levels(e, n, n_j) @ move_levels).tocsr()
    touched = np.flatnonzero(np.diff(move_q.indptr) > 0)           # (c, s) with s < n_j
    g = move_q[touched]
    dec = (touched // n_j) * n_f + touched % n_j                   # decision index
    q_now = np.asarray(q, dtype=np.float64)[dec]
    ref = need_reference(problem)
    year = problem.decision_year()
    cost = problem.cost
    need_money = np.bincount(year, weights=cost * ref, minlength=n_f)
    spent = np.bincount(year, weights=cost * np.asarray(q, dtype=np.float64), minlength=n_f)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(need_money > 0, spent / need_money, 0.0)
    target = scale[year[dec]] * ref[dec]
    n_d = touched.size
    # columns: dz (n_z), deviations (n_d)
    ones = sp.identity(n_d, format="csr")
    blocks_ub = [sp.hstack([g, -ones]), sp.hstack([-g, -ones])]
    limits_ub = [target - q_now, q_now - target]
    blocks_eq, limits_eq = [], []
    a, limit, _, _ = row_families(problem)
    if limit.size:
        use = a[:, dec] @ g
        used = a @ np.asarray(q, dtype=np.float64)
        live = np.flatnonzero(np.diff(use.tocsr().indptr) > 0)
        tight = live[face.tight[live]]
        loose = live[~face.tight[live]]
        if tight.size:
            blocks_eq.append(sp.hstack([use[tight], sp.csr_matrix((tight.size, n_d))]))
            limits_eq.append(np.zeros(tight.size))
        if loose.size:
            blocks_ub.append(sp.hstack([use[loose], sp.csr_matrix((loose.size, n_d))]))
            limits_ub.append(np.maximum(limit[loose] - used[loose], 0.0))
    # every place within its bounds (minimum quota, capacity)
    low_room = q_now - problem.lower[dec]
    high_room = problem.upper[dec] - q_now
    capped = np.flatnonzero(np.isfinite(high_room))
    if capped.size:
        blocks_ub.append(sp.hstack([g[capped], sp.csr_matrix((capped.size, n_d))]))
        limits_ub.append(np.maximum(high_room[capped], 0.0))
    floored = np.flatnonzero(problem.lower[dec] > 0)
    if floored.size:
        blocks_ub.append(sp.hstack([-g[floored], sp.csr_matrix((floored.size, n_d))]))
        limits_ub.append(np.maximum(low_room[floored], 0.0))
    # every cell's chain: U[c, j - 1] - U[c, j] <= gap now (= 0 where the class chain is tight)
    chain = _chain_rows(move_levels, n, n_j, face.valid.ravel())
    if chain is not None:
        rows, pairs = chain
        gap_now = (face.levels[pairs // n_j, pairs % n_j]
                   - face.levels[pairs // n_j, pairs % n_j - 1])
        tight_chain = face.chain_tight[label[pairs // n_j], pairs % n_j]
        wide = sp.hstack([rows, sp.csr_matrix((rows.shape[0], n_d))], format="csr")
        if tight_chain.any():
            blocks_eq.append(wide[np.flatnonzero(tight_chain)])
            limits_eq.append(np.zeros(int(tight_chain.sum())))
        if (~tight_chain).any():
            blocks_ub.append(wide[np.flatnonzero(~tight_chain)])
            limits_ub.append(np.maximum(gap_now[~tight_chain], 0.0))
    c = np.concatenate([np.zeros(n_z), np.ones(n_d)])
    lb = np.concatenate([-now, np.zeros(n_d)])
    ub = np.concatenate([length - now, np.full(n_d, np.inf)])
    a_eq = sp.vstack(blocks_eq, format="csr") if blocks_eq else None
    b_eq = np.concatenate(limits_eq) if limits_eq else None
    res = _run(c, sp.vstack(blocks_ub, format="csr"), np.concatenate(limits_ub), lb, ub,
               a_eq=a_eq, b_eq=b_eq, method="highs-ipm")
    if res.x is None or res.status != 0:
        return q, False
    before = float(np.abs(q_now - target).sum())
    if float(res.fun) >= before - _MOVED * max(1.0, float(np.abs(q_now).sum())):
        return q, False
    levels = face.levels.ravel() + move_levels @ res.x[:n_z]
    levels = np.maximum.accumulate(levels.reshape(n, n_j), axis=1)
    out = np.asarray(q, dtype=np.float64).reshape(n, n_f).copy()
    out[:, :n_j] = np.maximum(face.e * np.diff(levels, axis=1, prepend=0.0), 0.0)
    out = out.ravel()
    moved = float(np.abs(out - q).sum()) > _MOVED * max(1.0, float(np.abs(q).sum()))
    return (out, True) if moved else (q, False)


def _places_of_levels(e: np.ndarray, n: int, n_j: int) -> sp.csr_matrix:
    """``q[c, s] = e[c, s] (U[c, s] - U[c, s - 1])`` as a matrix (cells x levels, twice)."""
    every = np.arange(n * n_j)
    has_prev = every % n_j > 0
    rows = np.concatenate([every, every[has_prev]])
    cols = np.concatenate([every, every[has_prev] - 1])
    vals = np.concatenate([e, -e[has_prev]])
    return sp.csr_matrix((vals, (rows, cols)), shape=(n * n_j, n * n_j))


def _chain_rows(move_levels: sp.csr_matrix, n: int, n_j: int, valid: np.ndarray
                ) -> tuple[sp.csr_matrix, np.ndarray] | None:
    """Rows ``dU[c, j - 1] - dU[c, j]`` for the pairs of a cell's levels where one can move
    (``valid``: the levels the cell has)."""
    moving = np.diff(move_levels.indptr) > 0                        # per level
    every = np.arange(n * n_j)
    pair = every[(every % n_j > 0) & valid & (moving | np.r_[False, moving[:-1]])]
    if pair.size == 0:
        return None
    rows = move_levels[pair - 1] - move_levels[pair]
    return sp.csr_matrix(rows), pair
