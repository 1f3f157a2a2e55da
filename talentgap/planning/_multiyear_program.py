"""The multi-year quota program: its columns, its sparse rows and its objective.

See :mod:`talentgap.planning.multiyear` for the model. Workers present in a
need period are linear in the places, ``W = T q`` (``T`` is
:attr:`~talentgap.planning._multiyear_problem.YearsProblem.transfer`), and
each need's shortfall at a target (a cell at a need period) is a convex,
decreasing, piecewise-linear function of ``W`` with its breakpoints at the
sorted scenario values. The program holds the places ``q`` and one bounded
variable per linear piece (the delta form of
:func:`~talentgap.planning._solve.pieces_of`), linked by one row per target
and need: ``sum of the target's pieces <= W``. Convexity makes the steeper
pieces fill first, so the optimum equals that of the literal form with one
shortfall variable per scenario (the tests check it). The program is solved
by :mod:`talentgap.planning._multiyear_lp`.

A surplus penalty ``p`` (workers beyond the market need, per target) stays
linear in these variables through ``max(W - N, 0) = max(N - W, 0) + W - N``:
the market pieces' slopes are multiplied by ``1 + p``, each place costs
``p`` x its market-weighted workers over the need periods
(:meth:`~talentgap.planning._multiyear_problem.YearsProblem.surplus_cost`),
and the constant ``- p sum w E[N]`` enters :attr:`Program.before` only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from talentgap.planning._multiyear_problem import YearsProblem
from talentgap.planning._solve import pieces_of

__all__ = ["Program", "RowInfo", "build_program", "plan_objective", "row_families",
           "weighted_shortfall"]


@dataclass(frozen=True)
class RowInfo:
    """One constraint row of the program (not a link row), as the plan reports it."""

    kind: str      # budget, budget_envelope, capacity_group, equity
    name: str
    words: str
    limit: float   # in the row's unit (money, places, or shortfall to remove)
    scale: float   # the row is stored divided by this
    unit: str
    funding: int = -1   # the funding period the row is about (position; -1: every period)


@dataclass(frozen=True)
class Program:
    """``min c x  s.t.  a_ub x <= b_ub,  lb <= x <= ub``; ``x = [q, pieces]``."""

    c: np.ndarray
    a_ub: sp.csr_matrix
    b_ub: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    n_q: int
    n_link: int              # the first n_link rows link pieces to workers
    rows: list[RowInfo]      # the rows after the link rows
    before: float            # objective with no places (the pieces' total + the constant)
    piece_link: np.ndarray | None = None  # the link row of every piece (in order within it)
    link_target: np.ndarray | None = None  # the target of every link row


def weighted_shortfall(problem: YearsProblem, q: np.ndarray, *, scenarios=None,
                       workers: np.ndarray | None = None) -> np.ndarray:
    """The objective's terms per target: weighted market and policy shortfall at places ``q``
    (or at the workers per target ``workers``, when given)."""
    workers = problem.transfer @ q if workers is None else workers
    sc = problem.market_plan if scenarios is None else scenarios
    cell = problem.target_cell()
    out = problem.weight_market[cell] * sc.shortfall(workers)
    if problem.policy is not None:
        out = out + problem.weight_policy[cell] * np.maximum(problem.policy - workers, 0.0)
    return out


def plan_objective(problem: YearsProblem, q: np.ndarray, *,
                   workers: np.ndarray | None = None) -> np.ndarray:
    """The objective's terms per target: :func:`weighted_shortfall` plus the surplus penalty.

    The penalty term is ``p w_m[c] mean_k max(W - N[k], 0)``, the workers
    beyond the planned market need (the same scenarios the shortfall uses).
    ``workers`` (per target) replaces ``transfer @ q`` when given.
    """
    out = weighted_shortfall(problem, q, workers=workers)
    if problem.surplus_penalty:
        workers = problem.transfer @ q if workers is None else workers
        weight = problem.weight_market[problem.target_cell()]
        out = out + problem.surplus_penalty * weight * problem.market_plan.surplus(workers)
    return out


def _pieces(problem: YearsProblem):
    """(target, length, weighted slope) of every useful piece, market then policy."""
    n_targets = problem.n_cells * problem.n_need
    zero, one = np.zeros(n_targets), np.ones(n_targets)
    market = pieces_of(problem.market_plan, zero, one, 0.0)
    weight = problem.weight_market[market.cell // problem.n_need]
    keep = weight > 0
    target = [market.cell[keep]]
    length = [market.length[keep]]
    slope = [market.slope[keep] * weight[keep]]
    need = [np.zeros(int(keep.sum()), dtype=np.int64)]
    if problem.policy is not None:
        w = problem.weight_policy[problem.target_cell()]
        j = np.flatnonzero((problem.policy > 0) & (w > 0))
        target.append(j)
        length.append(problem.policy[j])
        slope.append(-w[j])
        need.append(np.ones(j.size, dtype=np.int64))
    return (np.concatenate(target), np.concatenate(length), np.concatenate(slope),
            np.concatenate(need))


def row_families(problem: YearsProblem
                 ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, list[RowInfo]]:
    """The coupling rows over the decisions as the program stores them.

    Returns the matrix (rows x decisions) and limits, each row divided by
    its scale (money rows by the largest cost, so their duals are per unit
    of money once multiplied back), the scales and the rows' descriptions.
    """
    n_q = problem.n_units * problem.n_funding
    positive = problem.cost[problem.cost > 0]
    money_scale = float(positive.max()) if positive.size else 1.0
    blocks, limits, scales, rows = [sp.csr_matrix((0, n_q))], [np.zeros(0)], [np.zeros(0)], []
    for family in problem.rows():
        scale = money_scale if family.unit == "money" else 1.0
        blocks.append(sp.csr_matrix(family.matrix / scale))
        limits.append(family.limit / scale)
        scales.append(np.full(family.size, scale))
        rows += [RowInfo(family.kind, name, words, float(lim), scale, family.unit, int(at))
                 for name, words, lim, at in zip(family.names, family.words, family.limit,
                                                 family.funding_of(), strict=True)]
    return (sp.vstack(blocks, format="csr"), np.concatenate(limits), np.concatenate(scales),
            rows)


def build_program(problem: YearsProblem, pieces=None) -> Program:
    """The sparse program of a multi-year plan (see the module docstring).

    ``pieces``, ``(target, length, slope, need)`` per piece, replaces the
    pieces of the problem's needs (each target's pieces together, steepest
    first; ``need`` 0 or 1 gives each target up to two link rows).
    """
    n_q = problem.n_units * problem.n_funding
    target, length, slope, need = _pieces(problem) if pieces is None else pieces
    m = target.size
    # link rows: one per (target, need) with pieces: sum pieces - T[target] q <= 0
    link_key = target * 2 + need
    link_ids, link_row = np.unique(link_key, return_inverse=True)
    link_target = link_ids // 2
    t_rows = problem.transfer[link_target].tocoo()
    link = sp.csr_matrix(
        (np.concatenate([-t_rows.data, np.ones(m)]),
         (np.concatenate([t_rows.row, link_row]),
          np.concatenate([t_rows.col, n_q + np.arange(m)]))),
        shape=(link_ids.size, n_q + m))
    coupling, coupling_limit, _, rows = row_families(problem)
    blocks = [link, sp.hstack([coupling, sp.csr_matrix((coupling.shape[0], m))])]
    limits = [np.zeros(link_ids.size), coupling_limit]
    eq = problem.equity
    if eq.names:
        member = eq.member[:, target // problem.n_need].multiply(np.abs(slope)[None, :])
        before = np.asarray(member.multiply(length[None, :]).sum(axis=1)).ravel()
        scale = np.where(before > 0, before, 1.0)
        blocks.append(sp.hstack([sp.csr_matrix((len(eq.names), n_q)),
                                 -sp.diags(1.0 / scale) @ member]))
        need_removed = eq.share * before
        limits.append(-need_removed / scale)
        rows += [RowInfo("equity", name, words, float(lim), float(s), "shortfall")
                 for name, words, lim, s in zip(eq.names, eq.words, need_removed, scale,
                                                strict=True)]
    # the surplus penalty: market pieces (1 + p) as steep, a cost per place, a constant
    steep = np.where(need == 0, 1.0 + problem.surplus_penalty, 1.0) * slope
    return Program(
        c=np.concatenate([problem.surplus_cost(), steep]),
        a_ub=sp.vstack(blocks, format="csr"),
        b_ub=np.concatenate(limits),
        lb=np.concatenate([problem.lower, np.zeros(m)]),
        ub=np.concatenate([problem.upper, length]),
        n_q=n_q, n_link=link_ids.size, rows=rows,
        before=float(np.dot(-steep, length)) + problem.surplus_constant(),
        piece_link=link_row, link_target=link_target,
    )
