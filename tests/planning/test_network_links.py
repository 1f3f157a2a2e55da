"""Programme plans whose programmes each feed one industry: the per-cell knapsack path."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from talentgap.planning import allocate_quotas
from talentgap.planning._crosswalk import build_network
from talentgap.planning._network_solve import (
    _slopes,
    as_links,
    objective_at,
    round_network,
    solve_network_highs,
    solve_network_lp,
)
from talentgap.planning._problem import Scenarios


def _network(table, crosswalk, **params):
    base = {"keys": ["region", "industry"], "value": "gap", "period": None, "absorption": 1.0,
            "capacity": None, "min_quota": 0, "lead_time": 0, "risk": "expected",
            "quantile": None, "surplus_penalty": 0.0, "integer": "none"}
    return build_network(table, crosswalk, **{**base, **params})


def _instance(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """1-3 programmes per industry, each feeding only its industry, in two regions."""
    rng = np.random.default_rng(seed)
    n_ind, k = int(rng.integers(1, 4)), int(rng.integers(1, 7))
    industries = [f"i{j}" for j in range(n_ind)]
    rows = [(f"{ind}/{level}", ind, 1.0) for ind in industries
            for level in ("basic", "advanced", "expert")[:int(rng.integers(1, 4))]]
    crosswalk = pd.DataFrame(rows, columns=["program", "industry", "share"])
    regions = ["North", "South"]
    cells = [(r, i) for r in regions for i in industries]
    gaps = rng.normal(rng.uniform(-5, 30, len(cells))[:, None], 8, (len(cells), k))
    table = pd.DataFrame({"region": np.repeat([c[0] for c in cells], k),
                          "industry": np.repeat([c[1] for c in cells], k), "period": "2026Q1",
                          "sample": np.tile(np.arange(k), len(cells)), "gap": gaps.ravel()})
    units = pd.DataFrame([(p, r) for p in crosswalk["program"] for r in regions],
                         columns=["program", "region"])
    n = len(units)
    minimum = np.where(rng.random(n) < 0.3, rng.integers(0, 3, n), 0.0)
    capacity = np.where(rng.random(n) < 0.5, minimum + rng.integers(0, 15, n), np.inf)
    cost = rng.integers(1, 30, n).astype(float)
    rate = rng.uniform(0.2, 1.0, n)
    closing = float(np.maximum(gaps, 0).max(axis=1).sum() * cost.max() / rate.min())
    params = {
        "budget": float(np.dot(cost, minimum) + rng.uniform(0, 0.6) * closing),
        "cost_per_trainee": units.assign(cost_per_trainee=cost),
        "pass_rate": units.assign(pass_rate=rate),
        "min_quota": units.assign(min_quota=minimum),
        "capacity": units.assign(capacity=capacity),
        "surplus_penalty": float(rng.choice([0.0, 0.0, 0.5])),
    }
    return table, crosswalk, params


@pytest.mark.parametrize("seed", range(12))
def test_single_feed_networks_match_the_lp_solver(seed):
    table, crosswalk, params = _instance(seed)
    problem = _network(table, crosswalk, **params)
    assert as_links(problem) is not None
    fast, lp = solve_network_lp(problem), solve_network_highs(problem)
    lam = problem.surplus_penalty

    def objective(places):
        return float(problem.plan.objective(problem.certified(places), lam).sum())

    assert objective(fast.places) == pytest.approx(objective(lp.places), rel=1e-7, abs=1e-7)
    assert fast.budget_value == pytest.approx(lp.budget_value, rel=1e-6, abs=1e-9)
    assert float(np.dot(problem.cost, fast.places)) <= problem.budget * (1 + 1e-12) + 1e-9
    assert np.all(fast.places >= problem.lower - 1e-9)
    assert np.all(fast.places <= problem.upper + 1e-9)
    # a capacity is worth something only where the programme is full, a minimum only where
    # the programme is held at it
    full = fast.places >= problem.upper - 1e-6
    assert np.all(fast.capacity_value[~full] == 0)
    held = fast.places <= problem.lower + 1e-6
    assert np.all(fast.min_value[~held] == 0)


def test_cheap_programme_to_capacity_then_the_dear_one():
    """Basic welding: 100 a place, 10 places; advanced: 150, no limit; gap 30, all certify."""
    table = pd.DataFrame({"region": "North", "industry": "construction", "period": "2026",
                          "gap": [30.0]})
    crosswalk = pd.DataFrame({"program": ["basic", "advanced"],
                              "industry": "construction", "share": 1.0})
    params = {"budget": 2_500.0, "pass_rate": 1.0,
              "cost_per_trainee": pd.DataFrame({"program": ["basic", "advanced"],
                                                "cost_per_trainee": [100.0, 150.0]}),
              "capacity": pd.DataFrame({"program": ["basic", "advanced"],
                                        "capacity": [10.0, np.inf]})}
    problem = _network(table, crosswalk, **params)
    res = solve_network_lp(problem)
    places = dict(zip(problem.units["program"], res.places, strict=True))
    # 10 basic places (1,000), then 1,500 buys 10 advanced: 20 of the 30 workers
    assert places == pytest.approx({"basic": 10.0, "advanced": 10.0})
    # one more worker removes 1 of the shortfall and costs 150 in the advanced programme
    assert res.budget_value == pytest.approx(1 / 150)
    # a basic place more saves 50 of money worth 1/150 each: 1 - 100/150 of the objective
    cap = dict(zip(problem.units["program"], res.capacity_value, strict=True))
    assert cap == pytest.approx({"basic": 1 - 100 / 150, "advanced": 0.0})
    lp = solve_network_highs(problem)
    assert lp.capacity_value == pytest.approx(res.capacity_value)


def test_a_binding_minimum_costs_its_money_at_the_margin():
    """Two industries; a minimum of 5 places in the programme of the smaller gap."""
    table = pd.DataFrame({"region": "North", "industry": ["a", "b"], "period": "2026",
                          "gap": [2.0, 50.0]})
    crosswalk = pd.DataFrame({"program": ["pa", "pb"], "industry": ["a", "b"], "share": 1.0})
    params = {"budget": 2_000.0, "cost_per_trainee": 100.0, "pass_rate": 1.0,
              "min_quota": pd.DataFrame({"program": ["pa", "pb"], "min_quota": [5.0, 0.0]})}
    problem = _network(table, crosswalk, **params)
    res = solve_network_lp(problem)
    assert res.places.tolist() == pytest.approx([5.0, 15.0])
    # a forced place in "a" (already past its gap) removes nothing and costs 100 x 1/100
    assert res.min_value.tolist() == pytest.approx([1.0, 0.0])
    assert solve_network_highs(problem).min_value == pytest.approx(res.min_value)


def test_a_programme_feeding_two_industries_goes_to_the_lp():
    table = pd.DataFrame({"region": "North", "industry": ["a", "b"], "period": "2026",
                          "gap": [10.0, 10.0]})
    crosswalk = pd.DataFrame({"program": ["p", "p"], "industry": ["a", "b"],
                              "share": [0.5, 0.5]})
    problem = _network(table, crosswalk, budget=500.0, cost_per_trainee=100.0, pass_rate=1.0)
    assert as_links(problem) is None


@pytest.mark.parametrize("seed", range(6))
def test_rounded_plans_stay_within_budget_and_bounds(seed):
    table, crosswalk, params = _instance(seed)
    plan = allocate_quotas(table, crosswalk=crosswalk, integer="round", **params)
    q = plan.quotas["quota"].to_numpy(dtype=float)
    assert np.all(q == np.round(q))
    assert plan.summary["total_cost"] <= params["budget"] * (1 + 1e-12) + 1e-9
    problem = _network(table, crosswalk, **{**params, "integer": "round"})
    lp = solve_network_lp(problem)
    rounded = round_network(problem, lp.places)
    assert np.all(rounded >= problem.lower) and np.all(rounded <= problem.upper)
    lam = problem.surplus_penalty
    lp_value = float(problem.plan.objective(problem.certified(lp.places), lam).sum())
    assert plan.summary["objective"] >= lp_value - 1e-7 * max(1.0, abs(lp_value))


@pytest.mark.parametrize("seed", range(4))
def test_slopes_of_equally_weighted_paths_by_binary_search(seed):
    """Sample paths share one weight: the slopes come from a search in the sorted values."""
    table, crosswalk, params = _instance(seed)
    problem = _network(table, crosswalk, **params)
    sc = problem.plan
    k = int(sc.count[0])
    assert (sc.count == k).all()
    shared = dataclasses.replace(problem, plan=Scenarios(
        cell=sc.cell, value=sc.value, weight=np.broadcast_to(1.0 / k, sc.value.shape),
        count=sc.count, start=sc.start))
    rng = np.random.default_rng(seed)
    # at, between and beyond the scenario values, and 0
    x = np.concatenate([sc.value[sc.start + rng.integers(0, k, sc.count.size)],
                        rng.uniform(-20, 60, sc.count.size), np.zeros(sc.count.size)])
    for certified in x.reshape(3, -1):
        searched = _slopes(shared, certified)
        counted = _slopes(problem, certified)
        for a, b in zip(searched, counted, strict=True):
            assert a == pytest.approx(b, rel=1e-12, abs=1e-12)


def test_objective_in_blocks_of_pairs_is_the_same(monkeypatch):
    import talentgap.planning._network_solve as network_solve

    table, crosswalk, params = _instance(5)
    problem = _network(table, crosswalk, **params)
    sc = problem.plan
    rng = np.random.default_rng(0)
    targets = rng.integers(0, problem.n_targets, 40)
    x = rng.uniform(-10, 50, targets.size)
    whole = objective_at(sc, targets, x, 0.5)
    monkeypatch.setattr(network_solve, "_PAIR_BLOCK", 7)   # a few pairs per block
    assert np.array_equal(objective_at(sc, targets, x, 0.5), whole)
    one = [network_solve._objective_one(sc, int(t), float(v), 0.5)
           for t, v in zip(targets, x, strict=True)]
    assert np.array_equal(np.array(one), whole)
