"""Solving the multi-year quota program: HiGHS, merged pieces, duals, infeasibility.

See :mod:`talentgap.planning.multiyear` for the model and
:mod:`talentgap.planning._multiyear_program` for the program (one bounded
variable per linear piece of each shortfall, linked to the places by one row
per target and need); its names (:class:`Program`, :func:`build_program`,
:func:`row_families`, :func:`weighted_shortfall`, :func:`plan_objective`)
are importable from here too. :func:`solve` finds the LP relaxation's
optimum and duals (large programs on merged pieces first, refined until the
optimum is exact) and, with ``integer="exact"``, whole places by branch and
bound; :func:`infeasibility` names the rows that conflict.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from talentgap.errors import PlanningError
from talentgap.planning._min_class import class_columns
from talentgap.planning._multiyear_cells import chain_form, solve_cells
from talentgap.planning._multiyear_problem import YearsProblem
from talentgap.planning._multiyear_program import (
    Program,
    RowInfo,
    build_program,
    plan_objective,
    row_families,
    weighted_shortfall,
)
from talentgap.planning._params import fmt
from talentgap.planning._solve import VALUE_TOL, mip_options, mip_words

__all__ = ["Program", "Solution", "build_program", "plan_objective", "row_families", "solve",
           "weighted_shortfall", "RowInfo",
           "DUAL_TOL"]

logger = logging.getLogger(__name__)

DUAL_TOL = VALUE_TOL
COARSE_BLOCK = 16   # pieces merged into one column in the first round of the first stage
_SPLIT = 4          # each refined block is cut into this many
GUIDE_WINDOW = 6    # single pieces either side of the cells' own optimum (guided round)
_SLACK_TOL = 1e-7
_MAX_SHOWN = 8


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


# --------------------------------------------------------------------------- solving


def _run(c, a_ub, b_ub, lb, ub, *, a_eq=None, b_eq=None, integer_q: int = 0,
         method: str = "highs", time_limit: float | None = None, integer_tail: int = 0):
    """linprog (HiGHS) or, with ``integer_q`` whole-place variables first, milp.

    ``integer_tail`` more integer columns come last (the minimum class
    size's binaries, :func:`_class_program`).

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
    integrality[c.size - integer_tail:] = 1
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
        c, a_ub, b_ub, lb, ub, n_z = _class_program(problem, program)
        whole = _run(c, a_ub, b_ub, lb, ub, integer_q=n_q, time_limit=problem.time_limit,
                     integer_tail=n_z)
        logger.info("integer program: status %s (%s), relative gap %s, %.1f s", whole.status,
                    whole.message, getattr(whole, "mip_gap", None),
                    time.perf_counter() - start)
        if whole.status == 1:   # the time limit: the best whole plan so far, if any
            note, found = mip_words(whole, problem.time_limit), whole.x is not None
        elif whole.status == 2:   # the rows admit a plan, but no whole one (with classes)
            raise PlanningError(infeasibility(problem, program,
                                              whole=(c, a_ub, b_ub, lb, ub, n_z)))
        elif whole.x is None or not whole.success:
            raise PlanningError("the integer multi-year quota problem could not be solved: "
                                f"{whole.message}")
        if found:
            x, objective = whole.x[:program.c.size], float(whole.fun)
    q = np.clip(x[:n_q], problem.lower, problem.upper)
    if problem.integer == "exact" and found:
        return Solution(np.round(q), objective, lp_objective, row_value, capacity_value,
                        min_value, mip_note=note)
    return Solution(q, objective, lp_objective, row_value, capacity_value, min_value,
                    lp_x, reduced, -np.asarray(res.ineqlin.marginals, dtype=np.float64),
                    mip_note=note, no_whole_plan=not found)


def _class_program(problem: YearsProblem, program: Program):
    """The program's columns and rows plus the minimum class size's binaries (if any).

    Returns ``(c, a_ub, b_ub, lb, ub, n_binaries)``; see
    :func:`~talentgap.planning._min_class.class_columns`. Where a decision
    has no capacity its big M is the most places that still remove
    something: enough for the largest need of every target its places reach.
    """
    plain = (program.c, program.a_ub, program.b_ub, program.lb, program.ub, 0)
    if problem.min_class is None:
        return plain
    n_q = program.n_q
    top = np.maximum(problem.market_plan.maximum(), 0.0)
    if problem.policy is not None:
        top = top + problem.policy
    reach = problem.transfer.tocoo()
    useful = np.zeros(n_q)
    np.maximum.at(useful, reach.col, top[reach.row] / reach.data)
    useful = np.maximum(np.ceil(useful - 1e-9), problem.lower)
    classes = class_columns(problem.min_class, problem.lower, problem.upper, useful,
                            program.c.size)
    if classes is None:
        return plain
    n_z = classes[0].size
    a_ub = sp.vstack([sp.hstack([program.a_ub, sp.csr_matrix((program.a_ub.shape[0], n_z))]),
                      classes[1]], format="csr")
    return (np.concatenate([program.c, np.zeros(n_z)]), a_ub,
            np.concatenate([program.b_ub, np.zeros(2 * n_z)]),
            np.concatenate([program.lb, np.zeros(n_z)]),
            np.concatenate([program.ub, np.ones(n_z)]), n_z)


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


def infeasibility(problem: YearsProblem, program: Program, *, whole=None) -> str:
    """Which constraints conflict, from an elastic program (a slack on every constraint row).

    The elastic program minimises the total slack (each row in its own
    scaled unit); the rows with a non-zero dual and the minimum quotas whose
    lower bound has a non-zero reduced cost form the conflict. ``whole``, the
    integer program's ``(c, a_ub, b_ub, lb, ub, n_binaries)`` when only whole
    places (and the minimum class size's classes) admit no plan: the elastic
    program is then an integer one, and the rows left short form the conflict.
    """
    n_link, n_rows = program.n_link, len(program.rows)
    _, a_base, b_ub, lb, ub, n_z = ((None, program.a_ub, program.b_ub, program.lb, program.ub, 0)
                                    if whole is None else whole)
    n_x, n_tail = lb.size, a_base.shape[0] - n_link - n_rows   # the class rows keep no slack
    slack = sp.vstack([sp.csr_matrix((n_link, n_rows)), sp.identity(n_rows, format="csr"),
                       sp.csr_matrix((n_tail, n_rows))])
    a_ub = sp.hstack([a_base, -slack], format="csr")
    c = np.concatenate([np.zeros(n_x), np.ones(n_rows)])
    lb, ub = np.concatenate([lb, np.zeros(n_rows)]), np.concatenate([ub, np.full(n_rows, np.inf)])
    if whole is None:
        res = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=np.column_stack([lb, ub]), method="highs")
    else:
        integrality = np.zeros(c.size)
        integrality[:program.n_q] = 1
        integrality[n_x - n_z:n_x] = 1
        res = milp(c, constraints=[LinearConstraint(a_ub, -np.inf, b_ub)], bounds=Bounds(lb, ub),
                   integrality=integrality, options=mip_options(problem.time_limit))
    if res.x is None:
        return ("no plan meets the minimum quotas and capacities together; check min_quota "
                "against capacity" + ("" if whole is None else " and min_class_size"))
    duals = (np.zeros(n_rows) if whole is not None
             else -np.asarray(res.ineqlin.marginals)[n_link:])
    over = res.x[n_x:]
    conflict = np.flatnonzero((duals > _SLACK_TOL) | (over > _SLACK_TOL))
    lines = []
    for r in conflict[:_MAX_SHOWN]:
        info = program.rows[r]
        amount = over[r] * info.scale
        if info.kind == "equity":
            text = (f"{info.name} ({info.words}: remove {fmt(info.limit)} of the shortfall)")
        elif info.kind == "capacity_group_min":
            text = f"{info.name} ({info.words})"
        else:
            limit = fmt(info.limit) + (" places" if info.unit == "places" else "")
            text = f"{info.name} ({info.words}: {limit})"
        if amount > _SLACK_TOL * max(1.0, info.scale):
            text += (f", short by {fmt(amount)}"
                     if info.kind in ("equity", "capacity_group_min")
                     else f", exceeded by {fmt(amount)}")
        lines.append(text)
    reduced = (np.zeros(program.n_q) if whole is not None
               else np.asarray(res.lower.marginals)[:program.n_q])
    forced = np.flatnonzero((problem.lower > 0) & (reduced > _SLACK_TOL))
    if forced.size:
        shown = [f"min_quota[{problem.decision_name(i)}] ({fmt(problem.lower[i])} places)"
                 for i in forced[:_MAX_SHOWN]]
        more = f" and {forced.size - len(shown)} more" if forced.size > len(shown) else ""
        lines.append("the minimum quotas " + ", ".join(shown) + more)
    more = (f"; and {conflict.size - _MAX_SHOWN} more rows" if conflict.size > _MAX_SHOWN
            else "")
    head = ("no plan meets every constraint" if whole is None else
            "no plan in whole places" + (" with the minimum class size (each decision 0 or at "
                                         "least a class)" if n_z else "")
            + " meets every constraint, though a plan in fractions of a place would")
    return (head + "; these conflict: " + "; ".join(lines) + more
            + " (the amounts are the least violation that would make the plan feasible)")
