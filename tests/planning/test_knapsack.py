"""The greedy fill of a one-budget per-cell plan against the LP it replaces."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.planning import allocate_quotas
from talentgap.planning._knapsack import solve_knapsack
from talentgap.planning._problem import build_problem
from talentgap.planning._solve import solve_lp


def _problem(seed: int, *, ties: bool = False, integer: str = "none"):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 40)), int(rng.choice([1, 2, 7, 50]))
    gaps = rng.normal(rng.uniform(-5, 60, n)[:, None], rng.uniform(0, 15, n)[:, None], (n, k))
    if ties:
        gaps = np.round(gaps)
        cost = np.full(n, 100.0)
        rate = np.full(n, 0.8)
    else:
        cost = rng.uniform(0.5, 9.0, n) * (rng.random(n) > 0.05)
        rate = rng.uniform(0.2, 1.0, n)
    minimum = np.where(rng.random(n) < 0.3, rng.uniform(0, 3, n), 0.0)
    capacity = np.where(rng.random(n) < 0.4, minimum + rng.uniform(0, 40, n), np.inf)
    industries = [f"i{j}" for j in range(n)]
    table = pd.DataFrame({"region": "North", "industry": np.repeat(industries, k),
                          "period": "2026", "sample": np.tile(np.arange(k), n),
                          "gap": gaps.ravel()})
    closing = float((np.maximum(gaps, 0).mean(axis=1) * cost / rate).sum())
    budget = float((cost * minimum).sum() + rng.choice([0.02, 0.3, 0.7, 2.0]) * closing)

    def per_cell(name, values):
        return pd.DataFrame({"industry": industries, name: values})

    return build_problem(
        table, keys=["region", "industry"], value="gap", period=None, budget=budget,
        cost_per_trainee=per_cell("cost_per_trainee", cost),
        pass_rate=per_cell("pass_rate", rate), absorption=1.0,
        capacity=per_cell("capacity", capacity), min_quota=per_cell("min_quota", minimum),
        lead_time=0, risk="expected", quantile=0.8 if rng.random() < 0.15 else None,
        surplus_penalty=float(rng.choice([0.0, 0.0, 0.5])), integer=integer)


def _objective(problem, places):
    return float(problem.plan.objective(problem.yield_ * places,
                                        problem.surplus_penalty).sum())


@pytest.mark.parametrize("seed", range(60))
def test_greedy_fill_matches_the_lp(seed):
    problem = _problem(seed)
    lp, fill = solve_lp(problem), solve_knapsack(problem)
    assert _objective(problem, fill.places) == pytest.approx(
        _objective(problem, lp.places), rel=1e-9, abs=1e-9)
    assert fill.budget_value == pytest.approx(lp.budget_value, rel=1e-9, abs=1e-12)
    assert float((problem.cost * fill.places).sum()) <= problem.budget * (1 + 1e-12)
    assert (fill.places >= problem.lower).all() and (fill.places <= problem.upper).all()
    if fill.tied <= 1:  # random real-valued data: the optimum is unique
        np.testing.assert_allclose(fill.places, lp.places, rtol=1e-7, atol=1e-6)
        np.testing.assert_allclose(fill.capacity_value, lp.capacity_value, rtol=1e-7,
                                   atol=1e-9)


@pytest.mark.parametrize("seed", range(30))
def test_ties_keep_the_lp_optimum(seed):
    problem = _problem(seed, ties=True)
    lp, fill = solve_lp(problem), solve_knapsack(problem)
    assert _objective(problem, fill.places) == pytest.approx(
        _objective(problem, lp.places), rel=1e-9, abs=1e-9)
    assert fill.budget_value == pytest.approx(lp.budget_value, rel=1e-9, abs=1e-12)


def test_the_instances_bind_and_tie():
    fills = [solve_knapsack(_problem(s, ties=True)) for s in range(30)]
    assert sum(f.tied > 1 for f in fills) >= 5
    assert sum(f.budget_value > 0 for f in fills) >= 10


def test_a_capacity_inside_a_piece_is_worth_its_slope_beyond_the_margin():
    # one scenario each: gaps 50 and 40, cost 1 and 2 per place, a capacity of 20 on the
    # cheaper cell. 40 money: 20 places there (20 money), then 10 in the other cell.
    table = pd.DataFrame({"region": "N", "industry": ["a", "b"], "period": "2026",
                          "gap": [50.0, 40.0]})
    problem = build_problem(
        table, keys=["region", "industry"], value="gap", period=None, budget=40.0,
        cost_per_trainee=pd.DataFrame({"industry": ["a", "b"], "cost_per_trainee": [1., 2.]}),
        pass_rate=1.0, absorption=1.0,
        capacity=pd.DataFrame({"industry": ["a", "b"], "capacity": [20.0, np.inf]}),
        min_quota=0, lead_time=0, risk="expected", quantile=None, surplus_penalty=0.0,
        integer="none")
    fill = solve_knapsack(problem)
    np.testing.assert_allclose(fill.places, [20.0, 10.0])
    assert fill.budget_value == pytest.approx(0.5)
    # one more place in a: removes 1, frees nothing, but costs 1 that would remove 0.5
    np.testing.assert_allclose(fill.capacity_value, [0.5, 0.0])
    lp = solve_lp(problem)
    np.testing.assert_allclose(lp.capacity_value, fill.capacity_value, atol=1e-9)


def _districts(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.MultiIndex.from_product([[f"D{i}" for i in range(3)],
                                        [f"trade{j}" for j in range(6)]],
                                       names=["region", "industry"])
    return index.to_frame(index=False).assign(period="2026",
                                              gap=rng.uniform(100, 900, len(index)).round())


@pytest.mark.parametrize("integer", ["round", "none", "exact"])
def test_tied_cells_share_the_money_by_need_and_the_plan_says_so(integer):
    # 3 districts x 6 industries, equal costs and pass rates, every cell far short: every
    # place removes the same shortfall, so any plan spending the money is optimal.
    needs = _districts()
    plan = allocate_quotas(needs, budget=20_000.0, cost_per_trainee=100, pass_rate=0.8,
                           integer=integer)
    q = plan.quotas.sort_values("gap_before", kind="stable")
    places = q["quota"].to_numpy(dtype=float)
    assert plan.summary["total_cost"] == pytest.approx(20_000.0)
    assert (places > 0.5).all()                       # every short cell gets places
    assert (np.diff(places) >= -1e-9).all()          # larger gap, never fewer places
    assert not plan.summary["optimum_unique"]
    assert any("several plans are equally good" in note for note in plan.notes)
    if integer == "none":
        np.testing.assert_allclose(places / q["gap_before"], 200.0 / needs["gap"].sum())


def test_tied_cells_with_sample_paths_still_spread():
    rng = np.random.default_rng(3)
    needs = _districts()
    paths = needs.loc[needs.index.repeat(40)].assign(sample=np.tile(np.arange(40), 18))
    paths["gap"] = paths["gap"] + rng.normal(0, 20, len(paths)).round()
    plan = allocate_quotas(paths, budget=20_000.0, cost_per_trainee=100, pass_rate=0.8)
    assert (plan.quotas["quota"] > 0.5).all()
    assert plan.summary["total_cost"] == pytest.approx(20_000.0)


def test_a_unique_optimum_says_nothing_about_ties():
    needs = _districts()
    cost = needs[["region", "industry"]].assign(cost_per_trainee=90.0 + 3.0 * np.arange(18))
    plan = allocate_quotas(needs, budget=20_000.0, cost_per_trainee=cost, pass_rate=0.8,
                           integer="none")
    assert plan.summary["optimum_unique"]
    assert not [note for note in plan.notes if "equally good" in note]
