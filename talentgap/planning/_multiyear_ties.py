"""The tie rule of a multi-year plan: among optimal plans, the one closest to need.

See "Ties" in :mod:`talentgap.planning.multiyear`. The second stage
minimises ``sum |q[c, s] - t_s * n[c, s]|`` (``n`` is :func:`need_reference`,
``t_s`` one scale per funding period, tied to the money the plan spends in
that period) over the plans the first stage's optimum allows.

For continuous places with the default tolerance (exact ties only), the
allowed plans are the optimal face, read off the first stage's optimum by
complementary slackness: a column with a nonzero reduced cost stays at its
bound and a row with a nonzero dual stays tight (an equality), in every
optimal plan. The second stage then holds only the columns that can move and
the rows that still have one of them; with the tight rows as equalities the
presolve fixes every place whose workers are pinned at a breakpoint in every
need period, so what is left is small. A place held at zero adds
``t_s * n[c, s]`` to the deviation, a term linear in ``t_s``, and needs no
row of its own.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from talentgap.planning._multiyear_lp import DUAL_TOL, Program, Solution, _run
from talentgap.planning._multiyear_problem import YearsProblem

__all__ = ["break_ties", "need_reference", "EXACT_TIES"]

#: Tie tolerances up to this decide exact ties only (the solver's precision).
EXACT_TIES = 1e-9
_T_CHUNK = 64       # decisions sharing one copy of a period's scale in the full second stage


def need_reference(problem: YearsProblem) -> np.ndarray:
    """Per decision: the weighted expected need at the period its places arrive (0 if none).

    A programme's need is the share-weighted sum over the cells it feeds.
    The tie rule spreads each period's money in proportion to this.
    """
    n_f = problem.n_funding
    cell = problem.target_cell()
    per_target = problem.weight_market[cell] * problem.market.shortfall(np.zeros(cell.size))
    if problem.policy is not None:
        per_target = per_target + problem.weight_policy[cell] * problem.policy
    unit, _, share, _ = problem.edges()
    target, found = problem.arrival_targets()
    per_edge = np.where(found, share[:, None] * per_target[target], 0.0)
    out = np.zeros((problem.n_units, n_f))
    np.add.at(out, unit, per_edge)
    return out.reshape(problem.n_units * n_f)


def break_ties(problem: YearsProblem, program: Program, first: Solution
               ) -> tuple[np.ndarray, float, bool]:
    """Among plans within the tolerance of the optimum, the one closest to need-proportional.

    Second stage: keep ``c x <= z* + tolerance * before`` (``before`` is the
    weighted objective with no places) and every constraint, and minimise
    ``sum |q[c, s] - t_s * n[c, s]|`` where ``n`` is :func:`need_reference`
    and ``t_s`` is free, tied to spending the same money in each funding
    period as the plan does. Returns the places, the objective and whether
    the places moved (the optimum was not unique). For continuous places the
    second stage holds only the columns that can move at no cost: on the
    optimal face (:func:`_exact_face`) with the default tolerance, else
    within the tolerance (:func:`_on_the_optimal_face`).
    """
    n_q = program.n_q
    x = None
    if (first.reduced is not None and first.dual is not None
            and problem.tie_tolerance <= EXACT_TIES):
        x = _exact_face(problem, program, first)
    if x is None:
        x = _two_stage(problem, program, first)
    if x is None:
        return first.q, first.objective, False
    q = np.clip(x[:n_q], problem.lower, problem.upper)
    if problem.integer == "exact":
        q = np.round(q)
    moved = float(np.abs(q - first.q).sum())
    unique = moved <= 1e-6 * max(1.0, float(np.abs(first.q).sum()))
    return ((first.q, first.objective, False) if unique
            else (q, float(x[:program.c.size] @ program.c), True))


def _two_stage(problem: YearsProblem, program: Program, first: Solution) -> np.ndarray | None:
    """The second stage with the objective row ``c x <= z* + tolerance * before``.

    Whole places: over every column (branch and bound). Continuous places:
    over the columns that can move (:func:`_on_the_optimal_face`). Returns
    every first-stage column's value (and more), or None if the solve failed.
    """
    n_q, n_x = program.n_q, program.c.size
    n_f = problem.n_funding
    ref = need_reference(problem)
    year = problem.decision_year()
    cost = problem.cost
    positive = problem.cost[problem.cost > 0]
    money_scale = float(positive.max()) if positive.size else 1.0
    # columns: x (n_x), t (n_c), e (n_q). Each period's t is held in copies of _T_CHUNK
    # decisions each, chained equal: one column in every deviation row of a period
    # would make the interior point's normal equations dense
    i = np.arange(n_q)
    per_year = -(-problem.n_units // _T_CHUNK)
    n_c = n_f * per_year
    t_col = n_x + year * per_year + (i // n_f) // _T_CHUNK
    e_col = n_x + n_c + i
    width = n_x + n_c + n_q
    dev = sp.csr_matrix(
        (np.concatenate([np.ones(n_q), -ref, -np.ones(n_q), -np.ones(n_q), ref, -np.ones(n_q)]),
         (np.concatenate([i, i, i, n_q + i, n_q + i, n_q + i]),
          np.concatenate([i, t_col, e_col, i, t_col, e_col]))),
        shape=(2 * n_q, width))
    # at least the solver's precision, so that exact ties are found with tie_tolerance=0
    allowed = first.objective + max(problem.tie_tolerance, 1e-9) * max(1.0, program.before)
    objective_row = sp.csr_matrix(np.concatenate([program.c, np.zeros(n_c + n_q)])[None, :])
    a_ub = sp.vstack([sp.hstack([program.a_ub, sp.csr_matrix((program.a_ub.shape[0],
                                                               n_c + n_q))]),
                      objective_row, dev], format="csr")
    b_ub = np.concatenate([program.b_ub, [allowed], np.zeros(2 * n_q)])
    need_money = np.bincount(year, weights=cost * ref, minlength=n_f)
    years = np.flatnonzero(need_money > 0)
    link = np.flatnonzero(np.arange(n_c) % per_year < per_year - 1)   # t_j = t_j+1
    a_eq = sp.csr_matrix(
        (np.concatenate([np.ones(link.size), -np.ones(link.size)]),
         (np.tile(np.arange(link.size), 2), np.concatenate([n_x + link, n_x + link + 1]))),
        shape=(link.size, width))
    if years.size:
        on = np.isin(year, years)
        row_of = np.full(n_f, -1)
        row_of[years] = np.arange(years.size)
        money = sp.csr_matrix(
            (np.concatenate([need_money[years], -cost[on]]) / money_scale,
             (np.concatenate([np.arange(years.size), row_of[year[on]]]),
              np.concatenate([n_x + years * per_year, i[on]]))),
            shape=(years.size, width))
        a_eq = sp.vstack([money, a_eq], format="csr")
    b_eq = np.zeros(a_eq.shape[0])
    if a_eq.shape[0] == 0:
        a_eq = b_eq = None
    c = np.concatenate([np.zeros(n_x + n_c), np.ones(n_q)])
    lb = np.concatenate([program.lb, np.zeros(n_c + n_q)])
    ub = np.concatenate([program.ub, np.full(n_c + n_q, np.inf)])
    if first.reduced is None:  # whole places: the full second stage
        res = _run(c, a_ub, b_ub, lb, ub, a_eq=a_eq, b_eq=b_eq,
                   integer_q=n_q if problem.integer == "exact" else 0,
                   time_limit=problem.time_limit)
        x = None if res.x is None or res.status not in (0, 1) else res.x   # 1: time limit
    else:
        x = _on_the_optimal_face(first, c, a_ub, b_ub, lb, ub, a_eq, b_eq, n_x)
    return x




def _on_the_optimal_face(first: Solution, c, a_ub, b_ub, lb, ub, a_eq, b_eq, n_x: int
                         ) -> np.ndarray | None:
    """The second stage with every column a nonzero reduced cost holds at its bound fixed.

    By complementary slackness with the first stage's duals, a plan within
    ``allowed`` of the optimum moves a column of reduced cost ``d`` by at most
    ``allowed / |d|``: columns with ``|d| > DUAL_TOL`` are held where the
    first stage left them, so the second stage holds only the columns that
    can move at no cost (the tied pieces and the places) and rows that still
    have one of them. Returns all columns, or None if the solve failed.
    """
    d = first.reduced
    at_bound = np.abs(d) > DUAL_TOL
    fixed_x = np.where(d > 0, lb[:n_x], ub[:n_x])
    fixed = np.zeros(c.size, dtype=bool)
    fixed[:n_x] = at_bound & np.isfinite(fixed_x)
    value = np.zeros(c.size)
    value[:n_x][fixed[:n_x]] = fixed_x[fixed[:n_x]]
    keep = np.flatnonzero(~fixed)
    if keep.size == 0:  # nothing can move (no shortage anywhere, every capacity 0, ...)
        return value

    def split(a, b):
        a = sp.csc_matrix(a)
        b = b - a @ value
        a = sp.csr_matrix(a[:, keep])
        live = np.diff(a.indptr) > 0
        return a[live], b[live]

    a_ub2, b_ub2 = split(a_ub, b_ub)
    a_eq2, b_eq2 = (None, None) if a_eq is None else split(a_eq, b_eq)
    if a_eq2 is not None and a_eq2.shape[0] == 0:
        a_eq2 = b_eq2 = None
    # the least-deviation program is highly degenerate: on 4,000 cells x 5 years the
    # interior point solves it in a fifth of the dual simplex's time
    res = _run(c[keep], a_ub2, b_ub2, lb[keep], ub[keep], a_eq=a_eq2, b_eq=b_eq2,
               method="highs-ipm")
    if res.x is None or res.status != 0:
        return None
    value[keep] = res.x
    return value


def _exact_face(problem: YearsProblem, program: Program, first: Solution
                ) -> np.ndarray | None:
    """The second stage over the first stage's optimal face (see the module docstring).

    Columns: the first stage's columns that can move, ``t_s`` per funding
    period, and a deviation ``e`` per decision whose place can move or is
    held at a nonzero value. Returns every first-stage column's value, or
    None if the solve failed or the plan it found gives up more than the
    tolerance (a dual or reduced cost below ``DUAL_TOL`` was taken for zero;
    the caller then keeps the objective row).
    """
    n_q, n_x, n_f = program.n_q, program.c.size, problem.n_funding
    ref = need_reference(problem)
    year = problem.decision_year()
    cost = problem.cost
    positive = problem.cost[problem.cost > 0]
    money_scale = float(positive.max()) if positive.size else 1.0
    d = first.reduced
    bound = np.where(d > 0, program.lb, program.ub)
    fixed = (np.abs(d) > DUAL_TOL) & np.isfinite(bound)
    value = np.where(fixed, bound, 0.0)
    keep = np.flatnonzero(~fixed)
    n_k = keep.size
    column = np.full(n_x, -1, dtype=np.int64)
    column[keep] = np.arange(n_k)
    q_free, q_value = ~fixed[:n_q], value[:n_q]
    dev = np.flatnonzero(q_free | ((q_value != 0) & (ref > 0)))
    m = dev.size
    width = n_k + n_f + m
    # the first stage's rows over the movable columns; a row with a dual is tight
    a = sp.csc_matrix(program.a_ub)
    b = program.b_ub - a @ value
    a = sp.csr_matrix(a[:, keep])
    live = np.diff(a.indptr) > 0
    tight = np.asarray(first.dual) > DUAL_TOL
    a.resize(a.shape[0], width)
    a_ub, b_ub = a[live & ~tight], b[live & ~tight]
    a_tight, b_tight = a[live & tight], b[live & tight]
    # deviation rows: (q - t ref) - e <= 0 and -(q - t ref) - e <= 0
    r = np.arange(m)
    q_col = column[dev]
    moves = q_col >= 0
    rows, cols, vals = [], [], []
    rhs = np.empty(2 * m)
    for sign, off in ((1.0, 0), (-1.0, m)):
        rows += [off + r[moves], off + r, off + r]
        cols += [q_col[moves], n_k + year[dev], n_k + n_f + r]
        vals += [np.full(int(moves.sum()), sign), -sign * ref[dev], -np.ones(m)]
        rhs[off:off + m] = np.where(moves, 0.0, -sign * q_value[dev])
    deviation = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows),
                                                       np.concatenate(cols))),
                              shape=(2 * m, width))
    # money rows: need_money_s t_s = money spent in s
    need_money = np.bincount(year, weights=cost * ref, minlength=n_f)
    years = np.flatnonzero(need_money > 0)
    row_of = np.full(n_f, -1)
    row_of[years] = np.arange(years.size)
    on = np.flatnonzero(q_free & (need_money[year] > 0))
    held = ~q_free
    held_money = np.bincount(year[held], weights=cost[held] * q_value[held], minlength=n_f)
    money = sp.csr_matrix(
        (np.concatenate([need_money[years], -cost[on]]) / money_scale,
         (np.concatenate([np.arange(years.size), row_of[year[on]]]),
          np.concatenate([n_k + years, column[on]]))),
        shape=(years.size, width))
    # a place held at zero deviates by t_s ref; one held elsewhere without need by |q|
    at_zero = held & (q_value == 0)
    c = np.concatenate([np.zeros(n_k),
                        np.bincount(year[at_zero], weights=ref[at_zero], minlength=n_f),
                        np.ones(m)])
    lb = np.concatenate([program.lb[keep], np.zeros(n_f + m)])
    ub = np.concatenate([program.ub[keep], np.where(need_money > 0, np.inf, 0.0),
                         np.full(m, np.inf)])
    a_eq = sp.vstack([a_tight, money], format="csr")
    b_eq = np.concatenate([b_tight, held_money[years] / money_scale])
    res = _run(c, sp.vstack([a_ub, deviation], format="csr"), np.concatenate([b_ub, rhs]),
               lb, ub, a_eq=a_eq if a_eq.shape[0] else None,
               b_eq=b_eq if a_eq.shape[0] else None)
    if res.x is None or res.status != 0:
        return None
    value[keep] = res.x[:n_k]
    # duals and reduced costs below DUAL_TOL count as zero: check what that cost
    allowed = first.objective + EXACT_TIES * max(1.0, program.before)
    return value if float(program.c @ value) <= allowed else None
