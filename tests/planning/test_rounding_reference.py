"""The fast rounding and repair loops give the same places as the plain loops they replace.

The reference implementations below are the earlier, straightforward
versions (every pass recomputes every programme or candidate cell); the library's
versions must agree with them exactly, place for place, on random small
instances with exact ties, capacities, minimums, zero costs and budgets
that bind or not.
"""

from __future__ import annotations

import copy
import functools
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import PlanningError
from talentgap.planning._crosswalk import build_network
from talentgap.planning._network_solve import (
    objective_at,
    repair_network,
    round_network,
    solve_network_lp,
)
from talentgap.planning._problem import build_problem
from talentgap.planning._solve import PLACE_TOL, VALUE_TOL, gain, repair, spent
from talentgap.planning.scenarios import _round_by_remainder

# --------------------------------------------------------------------------- reference


def _ref_change(problem, places, step):
    x = problem.certified(places)
    sc, lam = problem.plan, problem.surplus_penalty
    t, a = problem.edge_target, problem.edge_yield
    now = objective_at(sc, t, x[t], lam)
    moved = objective_at(sc, t, x[t] + step * a, lam)
    return np.bincount(problem.edge_unit, weights=moved - now, minlength=problem.n_units)


def _ref_repair_network(problem, places):
    cost = problem.cost
    while spent(cost, places) > problem.budget:
        candidates = (places - 1 >= problem.lower) & (cost > 0)
        if not candidates.any():
            raise PlanningError("the minimum quotas do not fit the budget")
        loss = _ref_change(problem, places, -1.0)
        ratio = np.where(candidates, loss / np.where(cost > 0, cost, 1.0), np.inf)
        places[int(np.argmin(ratio))] -= 1
    return places


def _ref_round_network(problem, lp_places):
    lower, upper, cost = problem.lower, problem.upper, problem.cost
    places = np.clip(np.floor(lp_places + PLACE_TOL), lower, upper)
    places = _ref_repair_network(problem, places)
    while True:
        left = problem.budget - spent(cost, places)
        gain = -_ref_change(problem, places, 1.0)
        ok = (gain > VALUE_TOL) & (places + 1 <= upper) & (cost <= left)
        if not ok.any():
            break
        with np.errstate(divide="ignore"):
            ratio = np.where(cost > 0, gain / np.where(cost > 0, cost, 1.0), math.inf)
        places[int(np.argmax(np.where(ok, ratio, -math.inf)))] += 1
    return _ref_repair_network(problem, places)


# --------------------------------------------------------------------------- instances


def _network(seed: int):
    """A random programme problem; some programmes are exact copies of others (ties).

    Several tests use the same seeds: each problem is built once and every call gets its
    own copy, so no test sees what another did to it.
    """
    return copy.deepcopy(_built_network(seed))


@functools.cache
def _built_network(seed: int):
    rng = np.random.default_rng(seed)
    n_prog, n_ind = int(rng.integers(1, 7)), int(rng.integers(1, 5))
    k = int(rng.choice([1, 2, 5, 20]))
    regions = ["North", "South"][: int(rng.integers(1, 3))]
    programs, industries = [f"p{i}" for i in range(n_prog)], [f"i{j}" for j in range(n_ind)]
    shares = rng.dirichlet(np.ones(n_ind), n_prog) * (rng.random((n_prog, n_ind)) < 0.7)
    shares[shares.sum(axis=1) == 0, 0] = 1.0
    shares /= shares.sum(axis=1, keepdims=True)
    if rng.random() < 0.5:
        shares = np.round(shares * 4) / 4  # quarters: many equal flows
        shares[shares.sum(axis=1) == 0, 0] = 1.0
        shares /= shares.sum(axis=1, keepdims=True)
    cells = [(r, i) for r in regions for i in industries]
    if rng.random() < 0.3:  # whole-number gaps: exact ties between scenarios and places
        gaps = rng.integers(-3, 30, (len(cells), k)).astype(float)
    else:
        gaps = rng.normal(rng.uniform(-5, 30, len(cells))[:, None], 8, (len(cells), k))
    units = [(p, r) for p in programs for r in regions]
    n = len(units)
    cost = rng.choice([0.0, 1.0, 2.0, 5.0, 7.5, 10.0], n, p=[0.1, 0.2, 0.2, 0.2, 0.1, 0.2])
    rate = rng.choice([0.5, 0.8, 1.0], n) if rng.random() < 0.5 else rng.uniform(0.2, 1.0, n)
    if n_prog > 1 and rng.random() < 0.5:  # a copy of programme 0: ties everywhere
        shares[1] = shares[0]
        for r in range(len(regions)):
            cost[len(regions) + r], rate[len(regions) + r] = cost[r], rate[r]
    minimum = np.where(rng.random(n) < 0.3, rng.integers(0, 3, n), 0).astype(float)
    capacity = np.where(rng.random(n) < 0.4, minimum + rng.integers(0, 12, n), np.inf)
    cw = pd.DataFrame([(p, i, shares[a, b]) for a, p in enumerate(programs)
                       for b, i in enumerate(industries) if shares[a, b] > 0],
                      columns=["program", "industry", "share"])
    table = pd.DataFrame({"region": np.repeat([c[0] for c in cells], k),
                          "industry": np.repeat([c[1] for c in cells], k), "period": "2026Q1",
                          "sample": np.tile(np.arange(k), len(cells)), "gap": gaps.ravel()})
    closing = float(np.maximum(gaps, 0).max(axis=1).sum() * max(cost.max(), 1.0) / rate.min())
    budget = float((cost * minimum).sum() + rng.choice([0.0, 0.05, 0.3, 1.0, 3.0]) * closing)

    def per_unit(name, values):
        return pd.DataFrame({"program": [u[0] for u in units], "region": [u[1] for u in units],
                             name: values})

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # industries of the crosswalk absent from the forecast
        return build_network(
            table, cw, keys=["region", "industry"], value="gap", period=None, budget=budget,
            cost_per_trainee=per_unit("cost_per_trainee", cost),
            pass_rate=per_unit("pass_rate", rate), absorption=1.0,
            capacity=per_unit("capacity", capacity), min_quota=per_unit("min_quota", minimum),
            lead_time=0, risk="expected", quantile=0.8 if rng.random() < 0.15 else None,
            surplus_penalty=float(rng.choice([0.0, 0.0, 0.5, 1.0])), integer="round")


def _starts(problem, rng):
    """Starting places: the LP's, random fractional ones, whole ones and over-budget ones."""
    lp = solve_network_lp(problem).places
    top = np.where(np.isfinite(problem.upper), problem.upper, problem.lower + 15)
    random = problem.lower + rng.random(problem.n_units) * (top - problem.lower)
    return [lp, random, np.round(random), problem.lower.astype(float), top.astype(float)]


@pytest.mark.parametrize("seed", range(150))
def test_round_network_matches_the_reference(seed):
    problem = _network(seed)
    rng = np.random.default_rng(seed + 10_000)
    for start in _starts(problem, rng):
        expected = _ref_round_network(problem, start.copy())
        got = round_network(problem, start.copy())
        np.testing.assert_array_equal(got, expected)
        assert spent(problem.cost, got) <= problem.budget


@pytest.mark.parametrize("seed", range(60))
def test_repair_network_matches_the_reference(seed):
    problem = _network(seed)
    rng = np.random.default_rng(seed + 20_000)
    for start in _starts(problem, rng):
        whole = np.clip(np.floor(start), problem.lower, problem.upper)
        np.testing.assert_array_equal(repair_network(problem, whole.copy()),
                                      _ref_repair_network(problem, whole.copy()))


def test_the_instances_have_ties_and_binding_budgets():
    """The random instances above exercise what they claim to."""
    tied = binding = slack = 0
    for seed in range(150):
        problem = _network(seed)
        places = _ref_round_network(problem, solve_network_lp(problem).places)
        gain = -_ref_change(problem, places, 1.0)
        ratio = gain[problem.cost > 0] / problem.cost[problem.cost > 0]
        tied += int(np.unique(ratio[ratio > VALUE_TOL]).size < (ratio > VALUE_TOL).sum())
        left = problem.budget - spent(problem.cost, places)
        useful = (gain > VALUE_TOL) & (places + 1 <= problem.upper)
        binding += int(useful.any())
        slack += int(not useful.any() and left > 0)
        assert left >= 0
    assert tied >= 10 and binding >= 30 and slack >= 10


# --------------------------------------------------------------------------- per-cell repair


def _ref_repair(problem, places):
    cost = problem.cost
    while spent(cost, places) > problem.budget:
        candidates = np.flatnonzero((places - 1 >= problem.lower) & (cost > 0))
        if candidates.size == 0:
            raise PlanningError("the minimum quotas do not fit the budget")
        loss = np.array([gain(problem, c, places[c] - 1) for c in candidates])
        places[candidates[np.argmin(loss / cost[candidates])]] -= 1
    return places


def _cells(seed: int):
    """A random per-cell problem; some cells are exact copies of others (ties)."""
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 12)), int(rng.choice([1, 3, 10, 50]))
    if rng.random() < 0.3:
        gaps = rng.integers(-3, 30, (n, k)).astype(float)
    else:
        gaps = rng.normal(rng.uniform(-5, 30, n)[:, None], 8, (n, k))
    cost = rng.choice([0.0, 1.0, 2.0, 5.0, 7.5], n, p=[0.1, 0.3, 0.2, 0.2, 0.2])
    rate = rng.choice([0.5, 1.0], n) if rng.random() < 0.5 else rng.uniform(0.2, 1.0, n)
    copies = rng.random(n) < 0.3
    copies[0] = False
    gaps[copies], cost[copies], rate[copies] = gaps[0], cost[0], rate[0]
    minimum = np.where(rng.random(n) < 0.3, rng.integers(0, 3, n), 0).astype(float)
    capacity = np.where(rng.random(n) < 0.4, minimum + rng.integers(0, 12, n), np.inf)
    industries = [f"i{j}" for j in range(n)]
    table = pd.DataFrame({"region": "North", "industry": np.repeat(industries, k),
                          "period": "2026Q1", "sample": np.tile(np.arange(k), n),
                          "gap": gaps.ravel()})
    closing = float(np.maximum(gaps, 0).max(axis=1).sum() * max(cost.max(), 1.0) / rate.min())
    budget = float((cost * minimum).sum() + rng.choice([0.0, 0.05, 0.3, 1.0]) * closing)

    def per_cell(name, values):
        return pd.DataFrame({"industry": industries, name: values})

    return build_problem(
        table, keys=["region", "industry"], value="gap", period=None, budget=budget,
        cost_per_trainee=per_cell("cost_per_trainee", cost),
        pass_rate=per_cell("pass_rate", rate), absorption=1.0,
        capacity=per_cell("capacity", capacity), min_quota=per_cell("min_quota", minimum),
        lead_time=0, risk="expected", quantile=0.8 if rng.random() < 0.15 else None,
        surplus_penalty=float(rng.choice([0.0, 0.0, 0.5])), integer="round")


@pytest.mark.parametrize("seed", range(150))
def test_repair_matches_the_reference(seed):
    problem = _cells(seed)
    rng = np.random.default_rng(seed + 30_000)
    top = np.where(np.isfinite(problem.upper), problem.upper, problem.lower + 20)
    for start in (top, np.round(problem.lower + rng.random(problem.n_cells)
                                * (top - problem.lower))):
        got = repair(problem, start.astype(float))
        np.testing.assert_array_equal(got, _ref_repair(problem, start.astype(float)))
        assert spent(problem.cost, got) <= problem.budget


# --------------------------------------------------------------------------- proportional rule


def _ref_round_by_remainder(cost, places, lower, top, budget):
    whole = np.clip(np.floor(places + 1e-6), lower, top)
    left = budget - spent(cost, whole)
    for c in np.argsort(-(places - whole), kind="stable"):
        if places[c] - whole[c] <= 1e-9:
            break
        if whole[c] + 1 <= top[c] and cost[c] <= left:
            whole[c] += 1
            if spent(cost, whole) > budget:
                whole[c] -= 1
            left = budget - spent(cost, whole)
    return whole


@pytest.mark.parametrize("seed", range(400))
def test_round_by_remainder_matches_the_reference(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.choice([1, 3, 10, 60, 400]))
    cost = rng.choice([0.0, 0.1, 1.0, 3.0, 7.5, 100.0, 1e-9], n) if rng.random() < 0.5 else (
        rng.uniform(0, 50, n) * (rng.random(n) < 0.9))
    lower = np.where(rng.random(n) < 0.3, rng.integers(0, 3, n), 0).astype(float)
    top = lower + rng.integers(0, 30, n)
    if rng.random() < 0.5:  # quarters: many equal remainders
        places = lower + np.round(rng.random(n) * (top - lower) * 4) / 4
    else:
        places = lower + rng.random(n) * (top - lower)
    budget = spent(cost, places) * float(rng.choice([1.0, 1.0 + 1e-15, 1.001, 1.1, 0.999, 3.0]))
    if rng.random() < 0.2:
        budget = spent(cost, np.clip(np.floor(places + 1e-6), lower, top)) + float(
            rng.choice([0.0, 1e-12, cost.max(initial=0.0) / 2]))
    if rng.random() < 0.3:  # money for exactly the first few places: a fit to the last bit
        whole = np.clip(np.floor(places + 1e-6), lower, top)
        order = np.argsort(-(places - whole), kind="stable")
        budget = spent(cost, whole) + float(cost[order[: int(rng.integers(0, n + 1))]].sum())
    got = _round_by_remainder(cost, places.copy(), lower, top, budget)
    np.testing.assert_array_equal(got, _ref_round_by_remainder(cost, places.copy(), lower, top,
                                                               budget))
