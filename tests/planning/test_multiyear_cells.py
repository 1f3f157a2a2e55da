"""Every cell's multi-year program at given prices against that cell's literal program.

The literal program of one cell has one shortfall variable per need period
and scenario, ``u >= N - W`` with ``W = T q`` read from the problem's
transfer matrix, and the places' prices as costs; HiGHS solves it. The
isotonic-chain solver must reach the same value, and the same places
wherever it says the optimum is unique.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from talentgap.planning._multiyear_cells import (
    chain_form,
    check_cells,
    lagrangian,
    solve_cells,
)
from talentgap.planning._multiyear_lp import build_program, solve
from talentgap.planning._multiyear_problem import build_years_problem


def _problem(seed: int, *, quantile=None, periods=None, need=None):
    rng = np.random.default_rng(seed)
    n_ind, k = int(rng.integers(2, 5)), int(rng.choice([1, 4, 25]))
    need = need or [str(y) for y in range(2026, 2026 + int(rng.integers(2, 5)))]
    periods = periods or [str(y) for y in range(2025, 2025 + int(rng.integers(1, 5)))]
    industries = [f"t{j}" for j in range(n_ind)]
    index = pd.MultiIndex.from_product([["D0", "D1"], industries, need, range(k)],
                                       names=["region", "industry", "period", "sample"])
    needs = index.to_frame(index=False)
    needs["gap"] = rng.normal(rng.uniform(-5, 40), rng.uniform(1, 20), len(needs)).round(
        int(rng.integers(0, 3)))   # rounded values: repeated breakpoints
    table = pd.DataFrame({"industry": industries,
                          "pass_rate": rng.uniform(0.3, 1.0, n_ind),
                          "lead_time": rng.integers(0, 3, n_ind),
                          "exit_rate": rng.choice([0.0, 0.1, 0.3], n_ind)})
    problem = build_years_problem(
        needs, periods=periods, keys=["region", "industry"], value="gap", budget=1e6,
        total_budget=None, cost_per_trainee=100.0,
        pass_rate=table[["industry", "pass_rate"]], absorption=1.0, capacity=None,
        min_quota=0, lead_time=table[["industry", "lead_time"]],
        exit_rate=table[["industry", "exit_rate"]],
        risk="quantile" if quantile else "expected", quantile=quantile,
        surplus_penalty=0.0, integer="none", policy_need=None,
        need_weights={"market": pd.DataFrame({"industry": industries,
                                              "market": rng.choice([0.0, 1.0, 2.5], n_ind)})},
        capacity_groups=None, budget_envelopes=None, equity=None, tie_tolerance=1e-9)
    return problem, rng


def _literal(problem, price):
    """Per cell: the least value of its literal program, and one optimal plan."""
    n_f, n_t = problem.n_funding, problem.n_need
    sc = problem.market_plan
    k = int(sc.count[0])
    values, plans = [], []
    for c in range(problem.n_cells):
        t_block = problem.transfer[c * n_t:(c + 1) * n_t, c * n_f:(c + 1) * n_f].toarray()
        gap = sc.value.reshape(-1, k)[c * n_t:(c + 1) * n_t]
        w = problem.weight_market[c]
        n_u = n_t * k
        # -u[t, j] - T[t] q <= -N[t, j]
        a = sp.hstack([sp.csr_matrix(np.repeat(-t_block, k, axis=0)), -sp.identity(n_u)])
        cost = np.concatenate([price[c * n_f:(c + 1) * n_f], np.full(n_u, w / k)])
        res = linprog(cost, A_ub=a, b_ub=-gap.ravel(), bounds=(0, None), method="highs")
        assert res.status == 0
        values.append(res.fun)
        plans.append(res.x[:n_f])
    return np.array(values), np.concatenate(plans)


def _prices(problem, rng):
    """Prices near the cells' own marginal values, some zero, some repeated."""
    n_q = problem.n_cells * problem.n_funding
    scale = problem.weight_market[problem.decision_cell()] * problem.yield_[
        problem.decision_cell()]
    price = scale * rng.choice([0.0, 0.1, 0.25, 0.5, 0.9, 1.3, 2.0], n_q)
    return price * rng.choice([1.0, rng.uniform(0.8, 1.2)], n_q)


@pytest.mark.parametrize("seed", range(12))
def test_cells_reach_their_literal_optimum(seed):
    problem, rng = _problem(seed)
    assert chain_form(problem) is None
    price = _prices(problem, rng)
    plans = solve_cells(problem, price)
    literal, q = _literal(problem, price)
    assert plans.value == pytest.approx(literal, rel=1e-9, abs=1e-9)
    # the plan itself is feasible and worth that value
    n_f = problem.n_funding
    assert (plans.q >= 0).all()
    unique = np.repeat(plans.unique, n_f)
    np.testing.assert_allclose(plans.q[unique], q[unique], rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("seed", range(4))
def test_quantile_plans_and_late_periods(seed):
    problem, rng = _problem(
        100 + seed, quantile=0.8, periods=["2024", "2025", "2026", "2027", "2028"],
        need=["2026", "2028"])   # a need period gap, places arriving after the last need
    assert chain_form(problem) is None
    price = _prices(problem, rng)
    plans = solve_cells(problem, price)
    literal, q = _literal(problem, price)
    assert plans.value == pytest.approx(literal, rel=1e-9, abs=1e-9)
    unique = np.repeat(plans.unique, problem.n_funding)
    np.testing.assert_allclose(plans.q[unique], q[unique], rtol=1e-7, atol=1e-7)


def test_a_price_on_a_marginal_value_is_a_tie():
    # one cell, 4 scenarios of 10, 20, 30, 40 in one need period, yield 1: the
    # third-from-top piece is worth 0.5 per worker; at price 0.5 any of 20..30 is optimal
    needs = pd.DataFrame({"region": "N", "industry": "A", "period": "2027",
                          "sample": range(4), "gap": [10.0, 20.0, 30.0, 40.0]})
    problem = build_years_problem(
        needs, periods=["2026"], keys=["region", "industry"], value="gap", budget=1e6,
        total_budget=None, cost_per_trainee=1.0, pass_rate=1.0, absorption=1.0,
        capacity=None, min_quota=0, lead_time=1, exit_rate=0.0, risk="expected",
        quantile=None, surplus_penalty=0.0, integer="none", policy_need=None,
        need_weights=None, capacity_groups=None, budget_envelopes=None, equity=None,
        tie_tolerance=1e-9)
    tied = solve_cells(problem, np.array([0.5]))
    assert not tied.unique[0]
    assert 20.0 <= tied.q[0] <= 30.0
    # shortfall (0 + 0 + 10 + 20) / 4 at 20 workers, plus 20 places at 0.5
    assert tied.value[0] == pytest.approx(17.5, abs=1e-12)
    clear = solve_cells(problem, np.array([0.6]))
    assert clear.unique[0] and clear.q[0] == pytest.approx(20.0)


def test_forms_outside_the_chain_are_named():
    problem, _ = _problem(3)
    assert chain_form(replace(problem, integer="exact")) == "whole places"
    capped = replace(problem, upper=np.full(problem.upper.size, 5.0))
    assert "capacities" in chain_form(capped)


@pytest.mark.parametrize("seed", range(12))
def test_the_check_accepts_optima_and_rejects_other_plans(seed):
    problem, rng = _problem(200 + seed)
    price = _prices(problem, rng)
    literal, q = _literal(problem, price)
    optimal, unique = check_cells(problem, price, q)
    # HiGHS' optimum passes the optimality check in every cell
    assert optimal.all()
    # where the check says the optimum is unique, the chain solver finds those places
    plans = solve_cells(problem, price)
    mine = np.repeat(unique, problem.n_funding)
    np.testing.assert_allclose(plans.q[mine], q[mine], rtol=1e-7, atol=1e-7)
    # and moving a unique optimum's places fails the check
    moved = q.copy().reshape(problem.n_cells, problem.n_funding)
    moved[:, 0] += 1.0
    bad, _ = check_cells(problem, price, moved.ravel())
    assert not bad[unique].any()


def test_the_check_finds_unique_optima():
    # not a vacuous comparison above: at prices off the marginal values most optima are unique
    share = []
    for seed in range(6):
        problem, rng = _problem(200 + seed)
        price = _prices(problem, rng) * rng.uniform(0.9, 1.1, problem.n_cells * problem.n_funding)
        _, q = _literal(problem, price)
        optimal, unique = check_cells(problem, price, q)
        assert optimal.all()
        share.append(unique[problem.weight_market > 0])
    assert np.concatenate(share).mean() > 0.5


@pytest.mark.parametrize("seed", range(6))
def test_the_lagrangian_bound_meets_the_optimum_at_its_prices(seed):
    """Strong duality on coupled plans: annual budgets, envelopes and capacity groups."""
    rng = np.random.default_rng(300 + seed)
    n_ind, k = int(rng.integers(2, 5)), int(rng.choice([5, 40]))
    industries = [f"t{j}" for j in range(n_ind)]
    funding = ["2026", "2027", "2028"]
    index = pd.MultiIndex.from_product([["D0", "D1", "D2"], industries,
                                        ["2027", "2028", "2029"], range(k)],
                                       names=["region", "industry", "period", "sample"])
    needs = index.to_frame(index=False)
    needs["gap"] = rng.normal(rng.uniform(0, 60), rng.uniform(2, 25), len(needs))
    group_of = rng.integers(0, 2, n_ind)
    problem = build_years_problem(
        needs, periods=funding, keys=["region", "industry"], value="gap",
        budget=pd.DataFrame({"period": funding, "budget": rng.uniform(800, 5000, 3)}),
        total_budget=None,
        cost_per_trainee=pd.DataFrame({"industry": industries,
                                       "cost_per_trainee": rng.uniform(50, 150, n_ind)}),
        pass_rate=pd.DataFrame({"industry": industries,
                                "pass_rate": rng.uniform(0.4, 1.0, n_ind)}),
        absorption=1.0, capacity=None, min_quota=0, lead_time=1, exit_rate=0.1,
        risk="expected", quantile=None, surplus_penalty=0.0, integer="none",
        policy_need=None, need_weights=None,
        capacity_groups=pd.DataFrame({"group": [f"G{g}" for g in group_of],
                                      "industry": industries,
                                      "capacity": rng.uniform(5, 40, 2)[group_of]}),
        budget_envelopes=pd.DataFrame({"region": ["D0", "D1", "D2"],
                                       "budget": rng.uniform(1500, 6000, 3)}),
        equity=None, tie_tolerance=1e-9)
    assert chain_form(problem) is None
    program = build_program(problem)
    first = solve(problem, program)
    bound, use = lagrangian(problem, first.row_value)
    assert bound == pytest.approx(first.objective, rel=1e-7, abs=1e-7)
    assert use.shape == (sum(f.size for f in problem.rows()),)
    # any other prices give a lower bound: weak duality
    for factor in (0.5, 0.9, 1.1, 2.0):
        assert lagrangian(problem, first.row_value * factor)[0] <= first.objective + 1e-7
