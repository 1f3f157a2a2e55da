"""``min_class_size``: every funded cell (or cell-year) gets no places or at least a class."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import PlanningError
from talentgap.planning import allocate_quotas

KEYS = ["region", "industry"]


def _paths(seed: int, n_cells: int, periods=("2026",), k: int = 30) -> pd.DataFrame:
    """Sample paths with small and large gaps, so some cells need less than a class."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(1.0, 40.0, n_cells)
    rows = [{"region": "N", "industry": f"trade{c}", "period": p, "sample": s,
             "gap": level[c] * (1 + 0.2 * t) + rng.normal(0.0, 3.0)}
            for c in range(n_cells) for t, p in enumerate(periods) for s in range(k)]
    return pd.DataFrame(rows)


def _costs(seed: int, n_cells: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 100)
    return pd.DataFrame({"industry": [f"trade{c}" for c in range(n_cells)],
                         "cost_per_trainee": rng.uniform(50.0, 150.0, n_cells).round(1)})


def _keeps_the_rule(quota: pd.Series, size: float) -> bool:
    q = quota.to_numpy(dtype=float)
    return bool(((q <= 1e-9) | (q >= size - 1e-6)).all())


@pytest.mark.parametrize("integer", ["round", "exact", "none"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_single_period_plans_fund_no_cell_below_a_class(integer, seed):
    paths, costs = _paths(seed, 8), _costs(seed, 8)
    free = allocate_quotas(paths, budget=6000, cost_per_trainee=costs, pass_rate=0.8,
                           capacity=60, integer=integer)
    plan = allocate_quotas(paths, budget=6000, cost_per_trainee=costs, pass_rate=0.8,
                           capacity=60, integer=integer, min_class_size=12)
    q = plan.quotas["quota"]
    assert _keeps_the_rule(q, 12)
    assert plan.summary["total_cost"] <= 6000 + 1e-9
    assert (q <= 60 + 1e-9).all() and (q >= 0).all()
    if seed == 0:   # the rule bites: without it some cell gets a few places
        small = free.quotas["quota"].between(1e-9, 12 - 1e-6)
        assert small.any()
    assert any("minimum class size 12 places" in note for note in plan.notes)


@pytest.mark.parametrize("integer", ["round", "exact", "none"])
def test_multi_year_plans_fund_no_cell_year_below_a_class(integer):
    paths = _paths(3, 5, periods=("2026", "2027", "2028"))
    plan = allocate_quotas(paths, periods=[2026, 2027], budget=3000,
                           cost_per_trainee=_costs(3, 5), pass_rate=0.8, capacity=40,
                           integer=integer, min_class_size=10)
    q = plan.quotas["quota"]
    assert len(q) == 10 and _keeps_the_rule(q, 10)
    assert (q <= 40 + 1e-9).all()
    assert plan.summary["total_cost"] <= 3000 + 1e-9
    assert plan.constraints["kind"].eq("min_class_size").sum() == 1


def _years_objective(q: np.ndarray, gaps: np.ndarray, exit_rate: float) -> np.ndarray:
    """Expected shortfall summed over cells and need years, by hand.

    ``q``: (..., cells, 2 funding years); ``gaps``: (cells, 2 need years, K).
    Places funded in 2026 serve 2026 and, less exits, 2027; 2027's serve 2027.
    """
    w26 = q[..., 0]
    w27 = q[..., 0] * (1 - exit_rate) + q[..., 1]
    short26 = np.maximum(gaps[:, 0, :] - w26[..., None], 0).mean(axis=-1)
    short27 = np.maximum(gaps[:, 1, :] - w27[..., None], 0).mean(axis=-1)
    return (short26 + short27).sum(axis=-1)


def test_exact_plan_equals_brute_force_on_three_cells_and_two_years():
    gaps = np.array([[[1.0, 2.0, 4.0], [2.0, 3.0, 5.0]],     # a small need: tempting 2 places
                     [[5.0, 7.0, 9.0], [8.0, 9.0, 12.0]],
                     [[2.0, 4.0, 5.0], [3.0, 5.0, 6.0]]])
    cost = np.array([100.0, 120.0, 90.0])
    exit_rate, budget, cap, size = 0.1, 1500.0, 6, 3
    needs = pd.DataFrame([{"region": "N", "industry": f"t{c}", "period": str(2026 + t),
                           "sample": k, "gap": gaps[c, t, k]}
                          for c in range(3) for t in range(2) for k in range(3)])
    costs = pd.DataFrame({"industry": ["t0", "t1", "t2"], "cost_per_trainee": cost})
    common = dict(periods=[2026, 2027], budget=budget, cost_per_trainee=costs, pass_rate=1.0,
                  capacity=cap, exit_rate=exit_rate, integer="exact", time_limit=None)
    plan = allocate_quotas(needs, **common, min_class_size=size)
    q = plan.quotas.sort_values(["industry", "period"])["quota"].to_numpy(float).reshape(3, 2)
    # every whole plan that keeps the rule, the budget and the capacities
    allowed = np.array([0, *range(size, cap + 1)], dtype=float)
    grid = np.array(list(itertools.product(allowed, repeat=6))).reshape(-1, 3, 2)
    money = (grid * cost[None, :, None]).sum(axis=(1, 2))
    grid = grid[money <= budget + 1e-9]
    values = _years_objective(grid, gaps, exit_rate)
    best = float(values.min())
    got = float(_years_objective(q, gaps, exit_rate))
    assert got == pytest.approx(best, rel=1e-4, abs=1e-9)
    assert _keeps_the_rule(pd.Series(q.ravel()), size)
    assert float((q * cost[:, None]).sum()) <= budget
    # the rule matters here: the best plan without it funds a cell-year below a class
    free = allocate_quotas(needs, **common)
    small = free.quotas["quota"].between(1e-9, size - 1e-6)
    assert small.any()
    assert float(free.summary["objective"]) < best - 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_the_heuristic_never_beats_the_integer_program(seed):
    paths, costs = _paths(seed, 10), _costs(seed, 10)
    common = dict(budget=5000, cost_per_trainee=costs, pass_rate=0.9, min_class_size=15)
    rounded = allocate_quotas(paths, **common)
    exact = allocate_quotas(paths, **common, integer="exact", time_limit=None)
    after_round = float(rounded.summary["shortfall_after"])
    after_exact = float(exact.summary["shortfall_after"])
    assert after_round >= after_exact - 1e-4 * after_exact - 1e-9
    assert _keeps_the_rule(rounded.quotas["quota"], 15)
    assert _keeps_the_rule(exact.quotas["quota"], 15)


@pytest.mark.parametrize("seed", range(3))
def test_the_multi_year_heuristic_never_beats_the_integer_program(seed):
    paths = _paths(seed + 10, 4, periods=("2026", "2027", "2028"), k=20)
    common = dict(periods=[2026, 2027], budget=2500, cost_per_trainee=_costs(seed, 4),
                  pass_rate=0.9, min_class_size=8)
    rounded = allocate_quotas(paths, **common)
    exact = allocate_quotas(paths, **common, integer="exact", time_limit=None)
    after_round = float(rounded.summary["objective"])
    after_exact = float(exact.summary["objective"])
    assert after_round >= after_exact - 1e-4 * abs(after_exact) - 1e-9
    assert _keeps_the_rule(rounded.quotas["quota"], 8)
    assert _keeps_the_rule(exact.quotas["quota"], 8)


def test_a_class_above_the_capacity_names_the_cell():
    paths = _paths(0, 3)
    capacity = pd.DataFrame({"industry": ["trade1"], "capacity": [10.0]})
    with pytest.raises(PlanningError, match=r"trade1 in N: min_class_size 12 > capacity 10"):
        allocate_quotas(paths, budget=5000, cost_per_trainee=100, pass_rate=1.0,
                        capacity=capacity, min_class_size=12)
    years = _paths(0, 3, periods=("2026", "2027"))
    with pytest.raises(PlanningError, match=r"trade1 in N, 2026: min_class_size 12 > capacity"):
        allocate_quotas(years, periods=[2026, 2027], budget=5000, cost_per_trainee=100,
                        pass_rate=1.0, capacity=capacity, min_class_size=12)


@pytest.mark.parametrize("bad, words", [(-1.0, "below 0 by 1"), (np.inf, "must be finite"),
                                        (np.nan, "NaN")])
def test_a_negative_or_infinite_class_size_is_refused(bad, words):
    with pytest.raises(PlanningError, match=f"min_class_size.*{words}"):
        allocate_quotas(_paths(0, 3), budget=5000, cost_per_trainee=100, pass_rate=1.0,
                        min_class_size=bad)


def test_a_per_cell_table_sets_the_class_of_the_cells_it_lists():
    paths = _paths(0, 8)
    table = pd.DataFrame({"industry": ["trade0", "trade3"], "min_class_size": [25.0, 25.0]})
    plan = allocate_quotas(paths, budget=6000, cost_per_trainee=_costs(0, 8), pass_rate=0.8,
                           min_class_size=table)
    q = plan.quotas.set_index("industry")["quota"]
    assert _keeps_the_rule(q[["trade0", "trade3"]], 25)
    assert "minimum class size 25 places" in plan.notes[-1]


def test_a_minimum_quota_means_the_class_runs():
    paths = _paths(0, 4)
    minimum = pd.DataFrame({"industry": ["trade0", "trade1", "trade2", "trade3"],
                            "min_quota": [2.0, 0.0, 0.0, 0.0]})
    plan = allocate_quotas(paths, budget=20_000, cost_per_trainee=100, pass_rate=1.0,
                           min_quota=minimum, min_class_size=30)
    q = plan.quotas.set_index("industry")["quota"]
    assert q["trade0"] >= 30
    assert plan.quotas.set_index("industry")["min_quota"]["trade0"] == 2.0   # as given


def test_no_rule_and_a_zero_class_give_the_plan_without_it():
    paths, costs = _paths(1, 6), _costs(1, 6)
    plain = allocate_quotas(paths, budget=4000, cost_per_trainee=costs, pass_rate=0.8)
    zero = allocate_quotas(paths, budget=4000, cost_per_trainee=costs, pass_rate=0.8,
                           min_class_size=0)
    pd.testing.assert_frame_equal(plain.quotas, zero.quotas)
    assert plain.notes == zero.notes
    assert "min_class_size" not in plain.constraints["kind"].tolist()


def test_the_notes_count_the_classes_closed_and_raised():
    # c and d remove a worker per unit of money, a and b a tenth of one; the LP funds c and d
    # in full and splits the last 50 between a and b (2.5 places each, below a class of 10):
    # a class there would remove 0.4 per place where a place takes money worth 1 in c or d,
    # so both close; d's 9 places then rise to a class with the money they free
    needs = pd.DataFrame({"region": "N", "industry": ["a", "b", "c", "d"], "period": "2026",
                          "gap": [4.0, 4.0, 100.0, 9.0]})
    costs = pd.DataFrame({"industry": ["a", "b", "c", "d"],
                          "cost_per_trainee": [10.0, 10.0, 1.0, 1.0]})
    plan = allocate_quotas(needs, budget=159, cost_per_trainee=costs, pass_rate=1.0,
                           min_class_size=10)
    quotas = plan.quotas.set_index("industry")["quota"].to_dict()
    assert quotas == {"a": 0, "b": 0, "c": 100, "d": 10}
    note = plan.notes[-1]
    assert "gave 3 cells some places but less than a class" in note
    assert "2 were closed" in note and "1 was raised to a full class" in note
    row = plan.constraints.set_index("kind").loc["min_class_size"]
    assert row["limit"] == 10 and row["used"] == 2 and bool(row["binds"])
    assert "2 cells run a class (1 at exactly the minimum) and 2 cells get no places" in (
        plan.binding[-1])


def test_a_crosswalk_plan_of_one_period_refuses_the_rule():
    needs = pd.DataFrame({"region": "N", "industry": ["a"], "period": "2026", "gap": [5.0]})
    crosswalk = pd.DataFrame({"program": ["p"], "industry": ["a"], "share": [1.0]})
    with pytest.raises(PlanningError, match="min_class_size with a crosswalk.*periods="):
        allocate_quotas(needs, crosswalk=crosswalk, budget=100, cost_per_trainee=1,
                        pass_rate=1.0, min_class_size=3)
