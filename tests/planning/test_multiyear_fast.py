"""The multi-year plan's fast path against the literal per-scenario program.

The literal program has one shortfall variable per cell, need period and
scenario, ``u >= N - W``, and every constraint row written out by hand from
the inputs (annual budgets, regional envelopes, shared capacity groups): no
code of the planner builds it. The planner's merged-and-refined pieces and
its tie stage must reach the same optimum.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from talentgap.planning import allocate_quotas
from talentgap.planning._multiyear_lp import (
    _coarse_to_fine,
    build_program,
    cell_guide,
    weighted_shortfall,
)
from talentgap.planning._multiyear_problem import build_years_problem

REGIONS = ("D0", "D1", "D2")
NEED = (2027, 2028, 2029)
FUNDING = (2026, 2027, 2028)
EXIT = 0.1


def _case(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    n_ind, k = int(rng.integers(2, 6)), int(rng.choice([7, 30, 80]))
    industries = [f"t{j}" for j in range(n_ind)]
    index = pd.MultiIndex.from_product(
        [list(REGIONS), industries, [str(y) for y in NEED], range(k)],
        names=["region", "industry", "period", "sample"])
    needs = index.to_frame(index=False)
    needs["gap"] = rng.normal(rng.uniform(0, 60), rng.uniform(2, 25), len(needs))
    cost = rng.uniform(50, 150, n_ind)
    rate = rng.uniform(0.4, 1.0, n_ind)
    budget = rng.uniform(800, 5000, len(FUNDING))
    group_of = rng.integers(0, 2, n_ind)
    capacity = rng.uniform(5, 40, 2)
    envelope = rng.uniform(1500, 6000, len(REGIONS))
    return {"needs": needs, "industries": industries, "k": k, "cost": cost, "rate": rate,
            "budget": budget, "group_of": group_of, "capacity": capacity,
            "envelope": envelope}


def _arguments(case: dict) -> dict:
    industries = case["industries"]
    return {
        "periods": [str(s) for s in FUNDING],
        "budget": pd.DataFrame({"period": [str(s) for s in FUNDING],
                                "budget": case["budget"]}),
        "cost_per_trainee": pd.DataFrame({"industry": industries,
                                          "cost_per_trainee": case["cost"]}),
        "pass_rate": pd.DataFrame({"industry": industries, "pass_rate": case["rate"]}),
        "capacity_groups": pd.DataFrame({
            "group": [f"G{g}" for g in case["group_of"]], "industry": industries,
            "capacity": case["capacity"][case["group_of"]]}),
        "budget_envelopes": pd.DataFrame({"region": list(REGIONS),
                                          "budget": case["envelope"]}),
        "lead_time": 1, "exit_rate": EXIT, "integer": "none",
    }


def _literal_optimum(case: dict) -> float:
    """min sum_{c,t} mean_k u[c,t,k], u >= N - W, u >= 0, rows written out by hand."""
    needs, k = case["needs"], case["k"]
    n_ind, n_r, n_f, n_t = len(case["industries"]), len(REGIONS), len(FUNDING), len(NEED)
    n_c = n_r * n_ind
    # cells in region-major order, as the needs table lists them
    gap = needs["gap"].to_numpy().reshape(n_c, n_t, k)
    ind = np.tile(np.arange(n_ind), n_r)
    region = np.repeat(np.arange(n_r), n_ind)
    n_q, n_u = n_c * n_f, n_c * n_t * k

    def q_col(c, s):
        return c * n_f + s

    rows, cols, vals, rhs = [], [], [], []
    r = 0
    for c in range(n_c):
        for t in range(n_t):
            for j in range(k):
                # -u - W <= -N, with W = sum_s y (1 - e)^(t_year - s_year - 1) q[c, s]
                rows.append(r)
                cols.append(n_q + (c * n_t + t) * k + j)
                vals.append(-1.0)
                for s in range(n_f):
                    lag = NEED[t] - FUNDING[s] - 1
                    if lag >= 0:
                        rows.append(r)
                        cols.append(q_col(c, s))
                        vals.append(-case["rate"][ind[c]] * (1 - EXIT) ** lag)
                rhs.append(-gap[c, t, j])
                r += 1
    for s in range(n_f):  # annual budgets
        for c in range(n_c):
            rows.append(r)
            cols.append(q_col(c, s))
            vals.append(case["cost"][ind[c]])
        rhs.append(case["budget"][s])
        r += 1
    for g in range(2):  # shared capacity per group and funding year
        members = [c for c in range(n_c) if case["group_of"][ind[c]] == g]
        if not members:
            continue
        for s in range(n_f):
            for c in members:
                rows.append(r)
                cols.append(q_col(c, s))
                vals.append(1.0)
            rhs.append(case["capacity"][g])
            r += 1
    for e in range(n_r):  # regional envelopes over the whole plan
        for c in np.flatnonzero(region == e):
            for s in range(n_f):
                rows.append(r)
                cols.append(q_col(c, s))
                vals.append(case["cost"][ind[c]])
        rhs.append(case["envelope"][e])
        r += 1
    a_ub = sp.csr_matrix((vals, (rows, cols)), shape=(r, n_q + n_u))
    c_vec = np.concatenate([np.zeros(n_q), np.full(n_u, 1.0 / k)])
    res = linprog(c_vec, A_ub=a_ub, b_ub=np.array(rhs), bounds=(0, None), method="highs")
    assert res.status == 0
    return float(res.fun)


@pytest.mark.parametrize("seed", range(8))
def test_fast_path_reaches_the_literal_optimum(seed):
    case = _case(seed)
    literal = _literal_optimum(case)
    plan = allocate_quotas(case["needs"], **_arguments(case))
    # the whole plan (merged pieces when large, then the tie stage) keeps the optimum
    assert float(plan.summary["shortfall_after"]) == pytest.approx(literal, rel=1e-6,
                                                                   abs=1e-6)
    # the merged-and-refined first stage, forced at this size, reaches it too
    problem = build_years_problem(
        case["needs"], keys=["region", "industry"], value="gap", total_budget=None,
        absorption=1.0, capacity=None, min_quota=0, risk="expected", quantile=None,
        surplus_penalty=0.0, policy_need=None, need_weights=None, equity=None,
        tie_tolerance=1e-9, **_arguments(case))
    program = build_program(problem)
    merged = _coarse_to_fine(program, block=int(np.random.default_rng(seed).choice([3, 16])),
                             min_pieces=0)
    assert merged is not None
    q = merged.x[:program.n_q]
    assert float(weighted_shortfall(problem, q).sum()) == pytest.approx(literal, rel=1e-6,
                                                                        abs=1e-6)
    # and the places meet every row
    assert (program.a_ub @ merged.x <= program.b_ub + 1e-7).all()


@pytest.mark.parametrize("seed", range(3))
def test_a_tie_tolerance_trades_a_bounded_objective_for_a_closer_spread(seed):
    from talentgap.planning._multiyear_lp import solve
    from talentgap.planning._multiyear_ties import break_ties, need_reference

    case = _case(seed)
    problems = {tol: build_years_problem(
        case["needs"], keys=["region", "industry"], value="gap", total_budget=None,
        absorption=1.0, capacity=None, min_quota=0, risk="expected", quantile=None,
        surplus_penalty=0.0, policy_need=None, need_weights=None, equity=None,
        tie_tolerance=tol, **_arguments(case)) for tol in (1e-9, 0.05)}

    def spread(problem, q):
        ref, year = need_reference(problem), problem.decision_year()
        cost = problem.cost   # per decision
        need_money = np.bincount(year, weights=cost * ref, minlength=problem.n_funding)
        money = np.bincount(year, weights=cost * q, minlength=problem.n_funding)
        t = np.where(need_money > 0, money / np.where(need_money > 0, need_money, 1), 0.0)
        return float(np.abs(q - t[year] * ref).sum())

    out = {}
    for tol, problem in problems.items():
        program = build_program(problem)
        first = solve(problem, program)
        q, objective, _ = break_ties(problem, program, first)
        assert objective <= first.objective + max(tol, 1e-9) * program.before + 1e-7
        out[tol] = (spread(problem, q), first.objective, program.before)
    exact, loose = out[1e-9], out[0.05]
    assert loose[1] == pytest.approx(exact[1], rel=1e-9, abs=1e-9)
    assert loose[0] <= exact[0] + 1e-6


@pytest.mark.parametrize("seed", range(8))
def test_the_round_cut_around_each_cells_own_optimum_reaches_the_literal_optimum(seed):
    case = _case(seed)
    literal = _literal_optimum(case)
    problem = build_years_problem(
        case["needs"], keys=["region", "industry"], value="gap", total_budget=None,
        absorption=1.0, capacity=None, min_quota=0, risk="expected", quantile=None,
        surplus_penalty=0.0, policy_need=None, need_weights=None, equity=None,
        tie_tolerance=1e-9, **_arguments(case))
    program = build_program(problem)
    guide = cell_guide(problem, program)
    assert guide is not None
    asked = []

    def watched(dual):
        asked.append(dual.size)
        return guide(dual)

    merged = _coarse_to_fine(program, block=16, min_pieces=0, guide=watched)
    assert merged is not None
    q = merged.x[:program.n_q]
    assert float(weighted_shortfall(problem, q).sum()) == pytest.approx(literal, rel=1e-6,
                                                                        abs=1e-6)
    # the guide is asked once, after the merged first round (which does not pass on
    # these cases), with every row's dual
    assert asked == [program.b_ub.size]


def test_no_guide_outside_the_chain_form():
    case = _case(0)
    problem = build_years_problem(
        case["needs"], keys=["region", "industry"], value="gap", total_budget=None,
        absorption=1.0, capacity=None, min_quota=5, risk="expected", quantile=None,
        surplus_penalty=0.0, policy_need=None, need_weights=None, equity=None,
        tie_tolerance=1e-9, **_arguments(case))
    assert cell_guide(problem, build_program(problem)) is None
