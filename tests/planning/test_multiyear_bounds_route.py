"""Multi-year plans with capacities and minimum quotas per cell, solved by classes.

Per-cell bounds (the same for every cell of a class, per cell or per cell and
funding period) go into the merged program as the class's summed bounds;
cells whose places then break their own bounds leave their class, and the
per-cell check verifies the bounds with their prices. The plan must be the
full program's: objective, LP objective, row duals, the bounds' prices, and
the places where the optimum is unique.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _years_problem import industry_terms, needs_grid, years_problem

from talentgap.errors import PlanningError
from talentgap.planning import allocate_quotas
from talentgap.planning._multiyear_cells import chain_form, check_cells
from talentgap.planning._multiyear_classes import class_form, solve_by_classes
from talentgap.planning._multiyear_lp import build_program, row_families, solve


def _case(seed: int, *, policy: bool = False, envelopes: bool = False, by_year: bool = True,
          minimum: bool = True, tight: bool = True):
    """Random plan whose capacities (per industry, and per year) bind for part of the cells."""
    rng = np.random.default_rng(seed)
    n_reg, n_ind, n_t = int(rng.integers(3, 6)), int(rng.integers(2, 5)), int(rng.integers(2, 4))
    k = int(rng.choice([5, 20]))
    needs, industries, funding = needs_grid(n_reg, n_ind, n_t, k)
    cell_mean = rng.uniform(-5, 60, n_reg * n_ind)
    year = np.tile(np.repeat(np.arange(n_t), k), n_reg * n_ind)
    cell = np.repeat(np.arange(n_reg * n_ind), n_t * k)
    needs["gap"] = rng.normal(cell_mean[cell] * (1.0 + 0.1 * year),
                              rng.uniform(2, 15)).round(int(rng.integers(0, 2)))
    cost = rng.integers(1, 6, n_ind) * 100.0
    # capacities well inside the range of the cells' needs (binding for some), or loose
    high = 30.0 if tight else 1e4
    if by_year:
        grid = pd.MultiIndex.from_product([industries, funding], names=["industry", "period"])
        capacity = grid.to_frame(index=False).assign(
            capacity=rng.uniform(3, high, len(grid)).round(1))
    else:
        capacity = pd.DataFrame({"industry": industries,
                                 "capacity": rng.uniform(3, high, n_ind).round(1)})
    kwargs = dict(
        periods=funding,
        budget=pd.DataFrame({"period": funding,
                             "budget": rng.uniform(0.2, 0.6) * needs["gap"].clip(lower=0).sum()
                             / k * cost.mean() / n_t}),
        **industry_terms(rng, industries, cost),
        capacity=capacity, lead_time=1)
    if minimum:   # a minimum per industry, below its capacity
        floor = rng.choice([0.0, 1.0, 2.5], n_ind)
        kwargs["min_quota"] = pd.DataFrame({"industry": industries, "min_quota": floor})
    if envelopes:
        kwargs["budget_envelopes"] = pd.DataFrame(
            {"region": ["R0", "R1"], "budget": rng.uniform(500, 3000, 2)})
    if policy:
        cells = needs[["region", "industry", "period"]].drop_duplicates().reset_index(drop=True)
        kwargs["policy_need"] = cells.assign(
            policy_need=np.where(rng.random(len(cells)) < 0.3, 0.0,
                                 rng.uniform(0, 80, len(cells)).round(1)))
        kwargs["need_weights"] = {"market": 1.0, "policy": float(rng.choice([0.5, 1, 3]))}
    return needs, kwargs


def _problem(needs, kwargs, **extra):
    return years_problem(needs, **{**kwargs, **extra})


CASES = [
    # seed, policy, envelopes, by_year, minimum, tight, surplus penalty
    (0, False, False, True, True, True, 0.0),
    (1, False, True, True, False, True, 0.0),
    (2, True, False, True, True, True, 0.0),
    (3, False, False, False, True, True, 0.0),
    (4, True, True, False, False, True, 0.0),
    (5, False, False, True, True, False, 0.0),
    (6, False, False, True, True, True, 0.5),
    (7, True, False, False, True, True, 0.3),
    (8, False, True, True, True, False, 0.2),
    (9, False, False, True, True, True, 0.0),
]


@pytest.mark.parametrize(("seed", "policy", "envelopes", "by_year", "minimum", "tight",
                          "penalty"), CASES)
def test_bounded_classes_reach_the_full_programs_optimum_and_duals(
        seed, policy, envelopes, by_year, minimum, tight, penalty):
    needs, kwargs = _case(seed, policy=policy, envelopes=envelopes, by_year=by_year,
                          minimum=minimum, tight=tight)
    problem = _problem(needs, kwargs, surplus_penalty=penalty)
    assert chain_form(problem, policy=True) == "minimum quotas or capacities per cell"
    assert class_form(problem) is None
    merged = solve_by_classes(problem)
    assert merged is not None
    program = build_program(problem)
    full = solve(problem, program)
    scale = max(1.0, program.before)
    sol = merged.solution
    assert sol.objective == pytest.approx(full.objective, abs=1e-8 * scale)
    assert sol.lp_objective == pytest.approx(full.lp_objective, abs=1e-8 * scale)
    q = sol.q
    # every place within its own bounds, every coupling row kept
    assert (q >= problem.lower - 1e-9).all() and (q <= problem.upper + 1e-9).all()
    a, limit, _, _ = row_families(problem)
    assert (a @ q <= limit + 1e-7 * np.maximum(1.0, np.abs(limit))).all()
    top = max(1.0, float(full.row_value.max()))
    np.testing.assert_allclose(sol.row_value, full.row_value, rtol=1e-6, atol=1e-9 * top)
    if merged.unique:
        np.testing.assert_allclose(q, full.q, rtol=1e-6, atol=1e-6)
        # the bounds' prices: the same where the full program's places sit on a bound
        np.testing.assert_allclose(sol.capacity_value, full.capacity_value,
                                   rtol=1e-6, atol=1e-9 * top)
        floor = problem.lower > 0
        np.testing.assert_allclose(sol.min_value[floor], full.min_value[floor],
                                   rtol=1e-6, atol=1e-9 * top)


def test_the_cases_have_binding_and_loose_bounds():
    binding = loose = minimum = 0
    for seed, policy, envelopes, by_year, has_min, tight, penalty in CASES:
        needs, kwargs = _case(seed, policy=policy, envelopes=envelopes, by_year=by_year,
                              minimum=has_min, tight=tight)
        problem = _problem(needs, kwargs, surplus_penalty=penalty)
        sol = solve_by_classes(problem).solution
        binding += int((sol.capacity_value > 1e-9).sum())
        loose += int((np.isfinite(problem.upper) & (sol.q < problem.upper - 1e-6)).sum())
        minimum += int(((problem.lower > 0) & (sol.min_value > 1e-9)).sum())
    assert binding > 10 and loose > 10 and minimum > 0


def test_the_check_rejects_places_past_a_capacity_or_a_price_off_its_bound():
    needs, kwargs = _case(0)
    problem = _problem(needs, kwargs)
    merged = solve_by_classes(problem)
    sol = merged.solution
    a, _, scale, _ = row_families(problem)
    price = a.T @ (sol.row_value * scale)
    bound = sol.capacity_value - sol.min_value
    assert check_cells(problem, price, sol.q, tol=1e-7, bound_price=bound)[0].all()
    capped = np.flatnonzero(sol.capacity_value > 1e-6)
    assert capped.size
    cell = capped[0] // problem.n_funding
    over = sol.q.copy()
    over[capped[0]] += 1.0                     # one place past the capacity
    assert not check_cells(problem, price, over, tol=1e-7, bound_price=bound)[0][cell]
    free = bound.copy()
    free[capped[0]] = 0.0                      # the capacity's price left out
    assert not check_cells(problem, price, sol.q, tol=1e-7, bound_price=free)[0][cell]
    loose = np.flatnonzero(np.isfinite(problem.upper) & (sol.q < problem.upper - 1.0))
    priced = bound.copy()
    priced[loose[0]] = 0.5                     # a price on a capacity that does not bind
    assert not check_cells(problem, price, sol.q, tol=1e-7,
                           bound_price=priced)[0][loose[0] // problem.n_funding]


@pytest.mark.parametrize("index", [0, 2, 4, 6, 7])
def test_bounded_plans_by_classes_match_the_full_plan(index, route_by_classes):
    seed, policy, envelopes, by_year, minimum, tight, penalty = CASES[index]
    needs, kwargs = _case(seed, policy=policy, envelopes=envelopes, by_year=by_year,
                          minimum=minimum, tight=tight)
    args = dict(kwargs, integer="none", surplus_penalty=penalty)
    full = allocate_quotas(needs, **args)
    used = route_by_classes()
    plan = allocate_quotas(needs, **args)
    assert used and used[-1] is not None           # the plan was made by classes
    before = float(full.summary["shortfall_before"])
    assert float(plan.summary["objective"]) == pytest.approx(
        float(full.summary["objective"]), abs=1e-7 * before)
    assert list(plan.marginal_value.index) == list(full.marginal_value.index)
    np.testing.assert_allclose(plan.marginal_value.to_numpy(dtype=float),
                               full.marginal_value.to_numpy(dtype=float), rtol=1e-6,
                               atol=1e-9)
    assert any(name.startswith("capacity[") for name in plan.marginal_value.index)
    if bool(full.summary["optimum_unique"]):
        assert bool(plan.summary["optimum_unique"])
        np.testing.assert_allclose(plan.quotas["quota"], full.quotas["quota"], atol=1e-6)
    _within_bounds(plan, kwargs)


def test_a_case_has_a_unique_optimum():
    seed, policy, envelopes, by_year, minimum, tight, penalty = CASES[4]
    needs, kwargs = _case(seed, policy=policy, envelopes=envelopes, by_year=by_year,
                          minimum=minimum, tight=tight)
    plan = allocate_quotas(needs, **dict(kwargs, integer="none", surplus_penalty=penalty))
    assert bool(plan.summary["optimum_unique"])    # so the quotas above are compared


@pytest.mark.parametrize("seed", [0, 3, 9])
def test_whole_places_by_classes_keep_every_bound(seed, route_by_classes):
    needs, kwargs = _case(seed, by_year=seed != 3)
    used = route_by_classes()
    plan = allocate_quotas(needs, **dict(kwargs, integer="round"))
    assert used and used[-1] is not None
    assert (plan.quotas["quota"] == plan.quotas["quota"].round()).all()
    _within_bounds(plan, kwargs)
    spent = plan.quotas.groupby("period", observed=True)["cost"].sum()
    budget = kwargs["budget"].set_index("period")["budget"]
    assert (spent.to_numpy() <= budget.to_numpy() + 1e-6).all()


def _within_bounds(plan, kwargs) -> None:
    q = plan.quotas.assign(period=plan.quotas["period"].astype(str))
    cap = kwargs["capacity"]
    on = ["industry", "period"] if "period" in cap.columns else ["industry"]
    cap = cap.rename(columns={"capacity": "given"})
    cap = cap.assign(**({"period": cap["period"].astype(str)} if "period" in on else {}))
    q = q.merge(cap, on=on, how="left")
    np.testing.assert_allclose(q["capacity"], q["given"])     # the plan's own bounds
    assert (q["quota"] <= q["given"] + 1e-7).all()
    assert (q["quota"] >= np.floor(q["given"] + 1e-9) - 1e-6).any()   # some capacity binds
    if "min_quota" in kwargs:
        q = q.merge(kwargs["min_quota"].rename(columns={"min_quota": "floor"}), on="industry",
                    how="left")
        assert (q["quota"] >= q["floor"] - 1e-7).all()


def test_minimums_that_cost_more_than_the_budget_are_named_by_the_full_program(
        route_by_classes):
    needs, kwargs = _case(3)
    industries = kwargs["cost_per_trainee"]["industry"]
    kwargs["min_quota"] = pd.DataFrame({"industry": industries, "min_quota": 1e3})
    kwargs["capacity"] = None
    used = route_by_classes()
    with pytest.raises(PlanningError, match=r"min_quota\[t0 in R0, 2025\] \(1,000 places\)"):
        allocate_quotas(needs, **dict(kwargs, integer="none"))
    assert used == [None]                          # offered to the route, which declined
