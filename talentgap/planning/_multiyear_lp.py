"""The multi-year quota program: sparse rows, HiGHS, duals, infeasibility.

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
shortfall variable per scenario (the tests check it).

A surplus penalty ``p`` (workers beyond the market need, per target) stays
linear in these variables through ``max(W - N, 0) = max(N - W, 0) + W - N``:
the market pieces' slopes are multiplied by ``1 + p``, each place costs
``p`` x its market-weighted workers over the need periods
(:meth:`~talentgap.planning._multiyear_problem.YearsProblem.surplus_cost`),
and the constant ``- p sum w E[N]`` enters :attr:`Program.before` only.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from talentgap.errors import PlanningError
from talentgap.planning._multiyear_cells import chain_form, solve_cells
from talentgap.planning._multiyear_problem import YearsProblem
from talentgap.planning._params import fmt
from talentgap.planning._solve import VALUE_TOL, mip_options, mip_words, pieces_of

__all__ = ["Program", "Solution", "build_program", "plan_objective", "row_families", "solve",
           "weighted_shortfall",
           "DUAL_TOL"]

logger = logging.getLogger(__name__)

DUAL_TOL = VALUE_TOL
COARSE_BLOCK = 16   # pieces merged into one column in the first round of the first stage
_SPLIT = 4          # each refined block is cut into this many
GUIDE_WINDOW = 6    # single pieces either side of the cells' own optimum (guided round)
_SLACK_TOL = 1e-7
_MAX_SHOWN = 8


@dataclass(frozen=True)
class RowInfo:
    """One constraint row of the program (not a link row), as the plan reports it."""

    kind: str      # budget, budget_envelope, capacity_group, equity
    name: str
    words: str
    limit: float   # in the row's unit (money, places, or shortfall to remove)
    scale: float   # the row is stored divided by this
    unit: str


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


@dataclass(frozen=True)
class Solution:
    q: np.ndarray
    objective: float          # c x: change of the weighted objective from no places
    lp_objective: float       # the same for the LP relaxation
    row_value: np.ndarray     # per constraint row: objective removed per unit of its limit
    capacity_value: np.ndarray  # per decision: objective removed per extra place of capacity
    min_value: np.ndarray     # per decision: objective added per required place (>= 0)
    x: np.ndarray | None = None        # the LP's optimum, every column (continuous plans)
    reduced: np.ndarray | None = None  # the LP's reduced costs, every column
    dual: np.ndarray | None = None     # the LP's row duals (>= 0), every row, link rows first
    # integer="exact" stopped by its time limit: what to say (None: proven optimal, or
    # not an integer program) and whether it found no whole plan (q is then the LP's)
    mip_note: str | None = None
    no_whole_plan: bool = False


# --------------------------------------------------------------------------- building


def weighted_shortfall(problem: YearsProblem, q: np.ndarray, *, scenarios=None) -> np.ndarray:
    """The objective's terms per target: weighted market and policy shortfall at places ``q``."""
    workers = problem.transfer @ q
    sc = problem.market_plan if scenarios is None else scenarios
    cell = problem.target_cell()
    out = problem.weight_market[cell] * sc.shortfall(workers)
    if problem.policy is not None:
        out = out + problem.weight_policy[cell] * np.maximum(problem.policy - workers, 0.0)
    return out


def plan_objective(problem: YearsProblem, q: np.ndarray) -> np.ndarray:
    """The objective's terms per target: :func:`weighted_shortfall` plus the surplus penalty.

    The penalty term is ``p w_m[c] mean_k max(W - N[k], 0)``, the workers
    beyond the planned market need (the same scenarios the shortfall uses).
    """
    out = weighted_shortfall(problem, q)
    if problem.surplus_penalty:
        workers = problem.transfer @ q
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
        rows += [RowInfo(family.kind, name, words, float(lim), scale, family.unit)
                 for name, words, lim in zip(family.names, family.words, family.limit,
                                             strict=True)]
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


# --------------------------------------------------------------------------- solving


def _run(c, a_ub, b_ub, lb, ub, *, a_eq=None, b_eq=None, integer_q: int = 0,
         method: str = "highs", time_limit: float | None = None):
    """linprog (HiGHS) or, with ``integer_q`` whole-place variables first, milp.

    ``method="highs-ipm"`` (interior point, then crossover to a vertex)
    falls back to HiGHS' own choice if it does not reach an optimum.
    ``time_limit`` (seconds) bounds milp; see
    :func:`~talentgap.planning._solve.mip_options`.
    """
    if not integer_q:
        bounds = np.column_stack([lb, ub])
        res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                      method=method)
        if res.status != 0 and method != "highs":
            res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                          method="highs")
        return res
    constraints = [LinearConstraint(a_ub, -np.inf, b_ub)]
    if a_eq is not None:
        constraints.append(LinearConstraint(a_eq, b_eq, b_eq))
    integrality = np.zeros(c.size)
    integrality[:integer_q] = 1
    return milp(c, constraints=constraints, integrality=integrality, bounds=Bounds(lb, ub),
                options=mip_options(time_limit))


def solve(problem: YearsProblem, program: Program, *, guided: bool = True) -> Solution:
    """The LP relaxation's optimum and duals (and whole places when ``integer="exact"``).

    Large continuous programs are solved on merged pieces
    (:func:`_coarse_to_fine`); when every cell's own program is an
    isotonic chain (:func:`~talentgap.planning._multiyear_cells.chain_form`)
    the second round is cut around each cell's own optimum at the first
    round's prices (:func:`cell_guide`), unless ``guided`` is False (the
    program's pieces are not the problem's own).
    """
    res = None
    if problem.integer != "exact" and program.piece_link is not None:
        res = _coarse_to_fine(program,
                              guide=cell_guide(problem, program) if guided else None)
    if res is None:
        res = _run(program.c, program.a_ub, program.b_ub, program.lb, program.ub)
    if res.status == 2:
        raise PlanningError(infeasibility(problem, program))
    if res.status != 0:
        raise PlanningError(f"the multi-year quota LP could not be solved: {res.message}")
    n_q = program.n_q
    duals = -np.asarray(res.ineqlin.marginals, dtype=np.float64)[program.n_link:]
    scale = np.array([r.scale for r in program.rows])
    row_value = np.maximum(duals / scale if scale.size else duals, 0.0)
    capacity_value = np.maximum(-np.asarray(res.upper.marginals)[:n_q], 0.0)
    min_value = np.maximum(np.asarray(res.lower.marginals)[:n_q], 0.0)
    x, objective = res.x, float(res.fun)
    lp_objective = objective
    reduced = (np.asarray(res.lower.marginals, dtype=np.float64)
               + np.asarray(res.upper.marginals, dtype=np.float64))
    lp_x = np.asarray(res.x, dtype=np.float64)
    note, found = None, True
    if problem.integer == "exact":
        start = time.perf_counter()
        whole = _run(program.c, program.a_ub, program.b_ub, program.lb, program.ub,
                     integer_q=n_q, time_limit=problem.time_limit)
        logger.info("integer program: status %s (%s), relative gap %s, %.1f s", whole.status,
                    whole.message, getattr(whole, "mip_gap", None),
                    time.perf_counter() - start)
        if whole.status == 1:   # the time limit: the best whole plan so far, if any
            note, found = mip_words(whole, problem.time_limit), whole.x is not None
        elif whole.x is None or not whole.success:
            raise PlanningError("the integer multi-year quota problem could not be solved: "
                                f"{whole.message}")
        if found:
            x, objective = whole.x, float(whole.fun)
    q = np.clip(x[:n_q], problem.lower, problem.upper)
    if problem.integer == "exact" and found:
        return Solution(np.round(q), objective, lp_objective, row_value, capacity_value,
                        min_value, mip_note=note)
    return Solution(q, objective, lp_objective, row_value, capacity_value, min_value,
                    lp_x, reduced, -np.asarray(res.ineqlin.marginals, dtype=np.float64),
                    mip_note=note, no_whole_plan=not found)


@dataclass(frozen=True)
class _Marginals:
    marginals: np.ndarray


@dataclass(frozen=True)
class _Result:
    """The fields of a :func:`scipy.optimize.linprog` result that :func:`solve` reads."""

    x: np.ndarray
    fun: float
    status: int
    message: str
    ineqlin: _Marginals
    lower: _Marginals
    upper: _Marginals


def cell_guide(problem: YearsProblem, program: Program):
    """Row duals -> each link row's workers at every cell's own optimum there, or None.

    With prices on the coupling rows every cell's program is solved alone
    (:func:`~talentgap.planning._multiyear_cells.solve_cells`); where its
    workers lie is where the exact optimum's lie once the prices are near
    the optimal ones (the first round's are within a few percent). None
    when the cells' programs are not isotonic chains.
    """
    if chain_form(problem) is not None or program.link_target is None:
        return None
    families = problem.rows()
    n_q = problem.n_units * problem.n_funding
    rows = (sp.vstack([f.matrix for f in families], format="csr").T.tocsr() if families
            else sp.csr_matrix((n_q, 0)))
    scale = np.array([r.scale for r in program.rows])

    def guide(dual: np.ndarray) -> np.ndarray:
        price = np.maximum(dual[program.n_link:] / scale, 0.0) if scale.size else dual[:0]
        workers = problem.transfer @ solve_cells(problem, rows @ price).q
        return workers[program.link_target]

    return guide


def guided_starts(program: Program, workers: np.ndarray, *, window: int | None = None
                  ) -> np.ndarray:
    """Block starts cut finest around ``workers`` (one number per link row).

    In each link row the ``window`` pieces either side of the piece that
    holds the row's ``workers`` are single pieces; further out, blocks
    double in length (1, 2, 4, ... pieces) away from them.

    Examples
    --------
    >>> import numpy as np
    >>> prog = Program(c=np.zeros(12), a_ub=None, b_ub=None, lb=None, ub=np.ones(12),
    ...                n_q=0, n_link=1, rows=[], before=0.0,
    ...                piece_link=np.zeros(12, dtype=np.int64))
    >>> guided_starts(prog, np.array([5.5]), window=1).astype(int).tolist()
    [1, 1, 0, 1, 1, 1, 1, 1, 1, 0, 1, 0]
    """
    window = GUIDE_WINDOW if window is None else window
    link, length = program.piece_link, program.ub[program.n_q:]
    every = np.arange(link.size)
    first = np.r_[True, link[1:] != link[:-1]]
    head = np.maximum.accumulate(np.where(first, every, 0))
    pos = every - head                                       # place within its row
    run = np.cumsum(length)
    end = run - (run[head] - length[head])                   # workers at the piece's end
    below = np.bincount(link, weights=end <= workers[link], minlength=workers.size)
    o = pos - below[link]                                    # pieces past the expected one
    key = np.where(o > window, window + 1 + np.floor(np.log2(np.maximum(o - window, 1))),
                   np.where(o < -window,
                            -window - 1 - np.floor(np.log2(np.maximum(-window - o, 1))), o))
    return first | (key != np.r_[np.nan, key[:-1]])


def _coarse_to_fine(program: Program, *, block: int = COARSE_BLOCK, rounds: int = 10,
                    min_pieces: int = 20_000, guide=None) -> _Result | None:
    """The LP solved on merged pieces, refined where the optimum lies, until it is exact.

    Consecutive pieces of one link row are merged into blocks of ``block``
    pieces (one column: filled evenly, so its slope is the pieces' mean and
    its other coefficients their length-weighted mean). The merged objective
    interpolates each convex piecewise-linear shortfall between block ends,
    so it lies above the exact one and equals it at block ends. After each
    solve, each block's workers are laid on its pieces in order (steepest
    first) and checked against the exact program: every piece's reduced cost
    under the merged program's duals must agree with where it sits, and
    every row with a dual must be tight. If so, the solution and its duals
    are the exact program's (they meet its optimality conditions), whatever
    blocks are still merged. If not, the blocks around each row's workers
    (partly used, the last full and the first empty one) and every block
    holding a piece the check rejects are cut into ``_SPLIT`` shorter blocks
    and the program is solved again; single pieces are the end of that. With
    a ``guide`` (:func:`cell_guide`: the first round's row duals -> every
    link row's workers at the cells' own optimum at those prices), the
    second round is cut instead around those workers (:func:`guided_starts`),
    which on the benchmark's plans lets the second round pass. Returns
    None (use the exact program) when there are fewer than ``min_pieces``
    pieces, a merged program cannot be solved, the check fails with nothing
    left to cut or the rounds run out.
    """
    n_q, c_full = program.n_q, program.c
    m = c_full.size - n_q
    link = program.piece_link
    if m < min_pieces or m == 0:
        return None
    length = program.ub[n_q:]
    a_q = program.a_ub[:, :n_q]
    a_p = sp.csc_matrix(program.a_ub[:, n_q:])
    every = np.arange(m)
    first = np.r_[True, link[1:] != link[:-1]]
    pos = every - np.maximum.accumulate(np.where(first, every, 0))
    start = first | (pos % block == 0)
    for _ in range(rounds):
        bid = np.cumsum(start) - 1
        n_b = int(bid[-1]) + 1
        size = np.bincount(bid, minlength=n_b)
        blen = np.bincount(bid, weights=length, minlength=n_b)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(blen[bid] > 0, length / blen[bid], 0.0)
        w = sp.csr_matrix((share, (every, bid)), shape=(m, n_b))
        a = sp.hstack([a_q, a_p @ w], format="csr")
        c = np.concatenate([c_full[:n_q], c_full[n_q:] @ w])
        res = _run(c, a, program.b_ub, np.concatenate([program.lb[:n_q], np.zeros(n_b)]),
                   np.concatenate([program.ub[:n_q], blen]))
        if res.status != 0:
            return None
        xb = res.x[n_q:]
        # the block's workers on its pieces in order (steepest first): the exact
        # objective there is at most the merged one
        x = np.concatenate([res.x[:n_q], _fill_in_order(xb, start, bid, blen, length)])
        y = np.asarray(res.ineqlin.marginals, dtype=np.float64)
        d_pieces = c_full[n_q:] - a_p.T @ y
        xp = x[n_q:]
        low = xp <= 1e-9 * np.maximum(length, 1.0)
        high = xp >= length * (1 - 1e-9)
        # the certificate: no unused piece worth taking, no used one worth leaving, no
        # piece in between with a nonzero reduced cost
        wrong = ((low & (d_pieces < -DUAL_TOL)) | (high & (d_pieces > DUAL_TOL))
                 | (~low & ~high & (np.abs(d_pieces) > DUAL_TOL)))
        # and every row with a dual tight at x (the equity rows see the pieces)
        slack = program.b_ub - program.a_ub @ x
        loose = (-y > DUAL_TOL) & (slack > 1e-9 * np.maximum(np.abs(program.b_ub), 1.0))
        if not wrong.any() and not loose.any():
            lower = np.concatenate([np.asarray(res.lower.marginals)[:n_q],
                                    np.maximum(d_pieces, 0.0)])
            upper = np.concatenate([np.asarray(res.upper.marginals)[:n_q],
                                    np.minimum(d_pieces, 0.0)])
            return _Result(x, float(c_full @ x), 0, res.message, _Marginals(y),
                           _Marginals(lower), _Marginals(upper))
        tol = 1e-9 * np.maximum(blen, 1.0)
        full = xb >= blen - tol
        empty = xb <= tol
        brow = link[start]
        same_next = np.r_[brow[1:] == brow[:-1], False]
        same_prev = np.r_[False, brow[1:] == brow[:-1]]
        nxt_full = np.r_[full[1:], False] & same_next
        prv_empty = np.r_[False, empty[:-1]] & same_prev
        # the blocks around each row's workers: partly used, the last full, the first empty
        frontier = (~full & ~empty) | (full & ~nxt_full) | (empty & ~prv_empty)
        split = (frontier | (np.bincount(bid[wrong], minlength=n_b) > 0)) & (size > 1)
        if not split.any():
            return None
        start = _refine(start, bid, split, size)
        if guide is not None:   # once: finest around every cell's own optimum at these prices
            start = first | guided_starts(program, guide(-y))
            guide = None
    return None


def _refine(start: np.ndarray, bid: np.ndarray, split: np.ndarray, size: np.ndarray
            ) -> np.ndarray:
    """New block starts: each block in ``split`` cut into ``_SPLIT`` (or its pieces).

    ``start`` marks the first piece of each block and ``bid`` is every
    piece's block.
    """
    every = np.arange(start.size)
    sub = np.maximum(1, -(-size // _SPLIT)) if _SPLIT else np.ones_like(size)
    offset = every - np.flatnonzero(start)[bid]
    return start | (split[bid] & (offset % sub[bid] == 0))


def _fill_in_order(xb: np.ndarray, start: np.ndarray, bid: np.ndarray, blen: np.ndarray,
                   length: np.ndarray) -> np.ndarray:
    """Per piece: its share of its block's workers ``xb``, the pieces filled in order.

    A full block fills every piece and an empty one none; only the pieces of
    partly used blocks need running totals, so their sums stay small.
    """
    tol = 1e-9 * np.maximum(blen, 1.0)
    out = np.where(xb[bid] >= blen[bid] - tol[bid], length, 0.0)
    partial = np.flatnonzero(((xb > tol) & (xb < blen - tol))[bid])
    if partial.size:
        run = np.cumsum(length[partial]) - length[partial]
        head = np.flatnonzero(start[partial])  # every block starts with its first piece
        base = run[head][np.cumsum(start[partial]) - 1]
        out[partial] = np.clip(xb[bid[partial]] - (run - base), 0.0, length[partial])
    return out


# --------------------------------------------------------------------------- infeasibility


def infeasibility(problem: YearsProblem, program: Program) -> str:
    """Which constraints conflict, from an elastic program (a slack on every constraint row).

    The elastic program minimises the total slack (each row in its own
    scaled unit); the rows with a non-zero dual and the minimum quotas whose
    lower bound has a non-zero reduced cost form the conflict.
    """
    n_link, n_rows = program.n_link, len(program.rows)
    n_x = program.c.size
    slack = sp.vstack([sp.csr_matrix((n_link, n_rows)), sp.identity(n_rows, format="csr")])
    a_ub = sp.hstack([program.a_ub, -slack], format="csr")
    c = np.concatenate([np.zeros(n_x), np.ones(n_rows)])
    res = linprog(c, A_ub=a_ub, b_ub=program.b_ub,
                  bounds=np.column_stack([np.concatenate([program.lb, np.zeros(n_rows)]),
                                          np.concatenate([program.ub,
                                                          np.full(n_rows, np.inf)])]),
                  method="highs")
    if res.status != 0:
        return ("no plan meets the minimum quotas and capacities together; check min_quota "
                "against capacity")
    duals = -np.asarray(res.ineqlin.marginals)[n_link:]
    over = res.x[n_x:]
    conflict = np.flatnonzero((duals > _SLACK_TOL) | (over > _SLACK_TOL))
    lines = []
    for r in conflict[:_MAX_SHOWN]:
        info = program.rows[r]
        amount = over[r] * info.scale
        if info.kind == "equity":
            text = (f"{info.name} ({info.words}: remove {fmt(info.limit)} of the shortfall)")
        else:
            limit = fmt(info.limit) + (" places" if info.unit == "places" else "")
            text = f"{info.name} ({info.words}: {limit})"
        if amount > _SLACK_TOL * max(1.0, info.scale):
            text += (f", short by {fmt(amount)}" if info.kind == "equity"
                     else f", exceeded by {fmt(amount)}")
        lines.append(text)
    reduced = np.asarray(res.lower.marginals)[:program.n_q]
    forced = np.flatnonzero((problem.lower > 0) & (reduced > _SLACK_TOL))
    if forced.size:
        shown = [f"min_quota[{problem.decision_name(i)}] ({fmt(problem.lower[i])} places)"
                 for i in forced[:_MAX_SHOWN]]
        more = f" and {forced.size - len(shown)} more" if forced.size > len(shown) else ""
        lines.append("the minimum quotas " + ", ".join(shown) + more)
    more = (f"; and {conflict.size - _MAX_SHOWN} more rows" if conflict.size > _MAX_SHOWN
            else "")
    return ("no plan meets every constraint; these conflict: " + "; ".join(lines) + more
            + " (the amounts are the least violation that would make the plan feasible)")
