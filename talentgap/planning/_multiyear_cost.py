"""The cost stage of a multi-year plan: among the plans with the least shortfall, the cheapest.

See "Least cost" in :mod:`talentgap.planning.multiyear`. When the money
is not all needed, places funded early keep serving later need periods and
many plans leave the same weighted shortfall (often none at all): more
places than needed, or places funded years before they are needed, cost
money and change nothing in the objective. This stage keeps the first
stage's objective (``c x <= z* + tolerance * before``, the tie rule's
tolerance) and every constraint, and minimises the money spent; the tie rule
then chooses among the plans that also spend no more than that least cost.

It is lexicographic, not a weighted sum: a small cost term added to the
shortfall objective could change the shortfall optimum unless its size were
below a bound that depends on the program's vertices, whereas a second
program with the optimum held as a row cannot. The duals reported are the
first stage's: the value of a unit of budget is a property of the shortfall
problem (how its optimum changes with the limit) and the cost stage does not
change that optimum.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from talentgap.planning._multiyear_lp import DUAL_TOL, Program, Solution, _run
from talentgap.planning._multiyear_problem import YearsProblem
from talentgap.planning._multiyear_ties import EXACT_TIES, _on_the_optimal_face

__all__ = ["LeastCost", "least_cost", "COST_TOL"]

#: Money the tie rule may add to the least cost, as a share of it (solver precision).
COST_TOL = 1e-7


@dataclass(frozen=True)
class LeastCost:
    """The cost stage's result: the program with its cost row, the plan, the saving."""

    program: Program      # the first stage's rows plus ``cost q <= least cost`` (scaled)
    first: Solution       # the first stage at the least-cost plan (the cost row's dual 0)
    cost: float           # the least money spent
    saved: float          # money the first stage's plan spent beyond it (>= 0)


def _budget_binds(problem: YearsProblem, program: Program, first: Solution) -> bool:
    """True when every optimal plan spends the same money: a budget row over all
    funding periods binds, or every funding period's own budget row binds."""
    positive = problem.cost[problem.cost > 0]
    scale = float(positive.max()) if positive.size else 1.0
    binds = {info.name: float(first.row_value[r]) * scale > DUAL_TOL
             for r, info in enumerate(program.rows) if info.kind == "budget"}
    if binds.get("budget") or binds.get("budget[total]"):
        return True
    yearly = [v for name, v in binds.items() if name not in ("budget", "budget[total]")]
    return bool(yearly) and len(yearly) >= problem.n_funding and all(yearly)


def least_cost(problem: YearsProblem, program: Program, first: Solution
               ) -> LeastCost | None:
    """Among plans within the tie tolerance of the first stage's optimum, the cheapest.

    Returns None when the stage is not needed (a budget binds, so every
    optimal plan spends it: complementary slackness holds for every optimal
    plan against the first stage's duals), when nothing costs money, or when
    the solve fails (the first stage's plan then stands). For continuous
    places the program holds only the columns that can move at no cost
    (as the tie rule's, see
    :func:`~talentgap.planning._multiyear_ties._on_the_optimal_face`); for
    whole places it is the full integer program, within
    ``problem.time_limit``.

    Examples
    --------
    One cell needs 10 workers in 2027 and places stay: funding them in 2026
    or 2027 is as good, but 2026 places cost 200 and 2027 places 100.
    Without the cost stage either could be chosen; with it, 2027:

    >>> import pandas as pd
    >>> from talentgap.planning import allocate_quotas
    >>> needs = pd.DataFrame({"region": "N", "industry": "A",
    ...                       "period": ["2026", "2027"], "gap": [0.0, 10.0]})
    >>> cost = pd.DataFrame({"period": [2025, 2026], "cost_per_trainee": [200.0, 100.0]})
    >>> plan = allocate_quotas(needs, periods=[2025, 2026], budget=1e6, lead_time=1,
    ...                        cost_per_trainee=cost, pass_rate=1.0, exit_rate=0.0)
    >>> plan.quotas["quota"].tolist(), float(plan.summary["total_cost"])
    ([0, 10], 1000.0)
    """
    n_q, n_x = program.n_q, program.c.size
    cost = problem.cost
    positive = cost[cost > 0]
    if not positive.size or _budget_binds(problem, program, first):
        return None
    scale = float(positive.max())
    allowed = first.objective + max(problem.tie_tolerance, 1e-9) * max(1.0, program.before)
    c = np.concatenate([cost / scale, np.zeros(n_x - n_q)])
    a_ub = sp.vstack([program.a_ub, sp.csr_matrix(program.c[None, :])], format="csr")
    b_ub = np.concatenate([program.b_ub, [allowed]])
    if first.reduced is not None:
        a_eq = b_eq = None
        if first.dual is not None and problem.tie_tolerance <= EXACT_TIES:
            # exact ties: a row with a dual is tight in every optimal plan (as in the tie
            # rule's optimal face), so the tolerance cannot buy money back from it
            tight = np.concatenate([np.asarray(first.dual) > DUAL_TOL, [False]])
            a_eq, b_eq = a_ub[tight], b_ub[tight]
            a_ub, b_ub = a_ub[~tight], b_ub[~tight]
        x = _on_the_optimal_face(first, c, a_ub, b_ub, program.lb, program.ub, a_eq, b_eq,
                                 n_x)
    else:   # whole places: the integer program
        res = _run(c, a_ub, b_ub, program.lb, program.ub, integer_q=n_q,
                   time_limit=problem.time_limit)
        x = None if res.x is None or res.status not in (0, 1) else res.x
    if x is None:
        return None
    q = np.clip(x[:n_q], problem.lower, problem.upper)
    if first.reduced is None:
        q = np.round(q)
    least = float((cost * q).sum())
    before = float((cost * first.q).sum())
    if least > before:   # no cheaper plan found (an integer solve stopped early)
        q, least = first.q, before
    cap = least / scale + COST_TOL * max(least / scale, 1.0)
    row = sp.csr_matrix(np.concatenate([cost / scale, np.zeros(n_x - n_q)])[None, :])
    extended = replace(program, a_ub=sp.vstack([program.a_ub, row], format="csr"),
                       b_ub=np.concatenate([program.b_ub, [cap]]))
    moved = replace(first, q=q, objective=float(program.c @ x) if least < before
                    else first.objective,
                    dual=None if first.dual is None else np.concatenate([first.dual, [0.0]]))
    return LeastCost(extended, moved, least, max(before - least, 0.0))
