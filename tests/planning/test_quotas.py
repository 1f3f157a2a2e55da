"""Tests of talentgap.planning.quotas: optima and duals derived by hand, inputs, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.stats import norm

from talentgap.errors import PlanningError, SchemaError
from talentgap.planning import QuotaPlan, allocate_quotas, proportional_plan

CELLS = ["construction", "textiles", "e-commerce"]  # output order: sorted by region, industry


@pytest.fixture
def forecast() -> pd.DataFrame:
    """Three cells, one period: the hand-solved example of the allocate_quotas docstring."""
    return pd.DataFrame({
        "region": ["Northvale", "Northvale", "Southvale"],
        "industry": ["textiles", "construction", "e-commerce"],
        "period": ["2026", "2026", "2026"],
        "gap": [100.0, 60.0, 50.0],
        "p_shortage": [0.9, 0.8, 0.7],
    })


@pytest.fixture
def trades() -> dict:
    """Per-industry parameters: cost per certified worker 2000, 750, 400; e-commerce capped."""
    table = pd.DataFrame({
        "industry": ["textiles", "construction", "e-commerce"],
        "cost_per_trainee": [1000.0, 600.0, 400.0],
        "pass_rate": [0.5, 0.8, 1.0],
        "capacity": [np.inf, np.inf, 30.0],
    })
    return {name: table[["industry", name]] for name in ("cost_per_trainee", "pass_rate",
                                                         "capacity")}


def _plan(forecast, trades, **kw) -> QuotaPlan:
    return allocate_quotas(forecast, **{"budget": 40_000, **trades, **kw})


# --------------------------------------------------------------------------- hand-solved


def test_fills_cells_by_cost_per_certified_worker_up_to_capacity(forecast, trades):
    # e-commerce (400 per certified) is filled to its capacity of 30 places (12,000);
    # the remaining 28,000 go to construction (750 per certified): 28,000 / 600 places.
    plan = _plan(forecast, trades, integer="none")
    q = plan.quotas.set_index("industry")["quota"]
    assert q["e-commerce"] == pytest.approx(30.0)
    assert q["construction"] == pytest.approx(28_000 / 600)
    assert q["textiles"] == pytest.approx(0.0, abs=1e-7)
    assert plan.summary["total_cost"] == pytest.approx(40_000)
    assert plan.summary["shortfall_before"] == pytest.approx(210.0)
    assert plan.summary["shortfall_after"] == pytest.approx(210 - 30 - 0.8 * 28_000 / 600)
    assert plan.quotas["industry"].tolist() == CELLS


def test_budget_dual_is_shortfall_removed_per_unit_of_money(forecast, trades):
    # the marginal unit of money goes to construction: 1 certified worker per 750
    plan = _plan(forecast, trades, integer="none")
    assert plan.marginal_value["budget"] == pytest.approx(1 / 750)
    # and it is the derivative: 750 more money removes one more worker of shortfall
    more = _plan(forecast, trades, integer="none", budget=40_750)
    drop = plan.summary["shortfall_after"] - more.summary["shortfall_after"]
    assert drop == pytest.approx(1.0)


def test_capacity_dual_counts_the_money_moved_from_the_next_best_cell(forecast, trades):
    # one more e-commerce place: +1 certified, but its 400 leave construction: -400/750
    plan = _plan(forecast, trades, integer="none")
    expected = 1 - 400 / 750
    assert plan.marginal_value["capacity[e-commerce in Southvale]"] == pytest.approx(expected)
    assert plan.quotas.set_index("industry").loc["e-commerce", "capacity_value"] == \
        pytest.approx(expected)
    bigger = trades["capacity"].assign(capacity=[np.inf, np.inf, 31.0])
    more = _plan(forecast, {**trades, "capacity": bigger}, integer="none")
    drop = plan.summary["shortfall_after"] - more.summary["shortfall_after"]
    assert drop == pytest.approx(expected)
    assert len(plan.marginal_value) == 2  # budget and the one binding capacity


def test_binding_constraints_in_words(forecast, trades):
    plan = _plan(forecast, trades)
    assert plan.binding[0].startswith("budget is fully used: 39,600 of 40,000 spent")
    assert plan.binding[1].startswith(
        "capacity of e-commerce in Southvale is reached (30 places); one more place of capacity "
        "closes about 0.47 persons of the shortfall of the expected gap, net of what the same "
        "money would close in other cells")
    assert len(plan.binding) == 2


def test_rounding_floors_then_adds_only_affordable_places(forecast, trades):
    # LP: construction 46.67 -> 46 (27,600); 400 left buys no place (600 or 1,000 each)
    plan = _plan(forecast, trades)
    q = plan.quotas.set_index("industry")["quota"]
    assert q.to_dict() == {"construction": 46, "textiles": 0, "e-commerce": 30}
    assert plan.quotas["quota"].dtype == np.int64
    assert plan.summary["total_cost"] == 39_600
    assert plan.summary["shortfall_after"] == pytest.approx(210 - 30 - 0.8 * 46)
    assert plan.summary["lp_objective"] == pytest.approx(210 - 30 - 0.8 * 28_000 / 600)


def test_cells_table_holds_the_gaps_of_a_per_cell_plan(forecast, trades):
    plan = _plan(forecast, trades)
    assert plan.cells.columns.tolist() == [
        "region", "industry", "arrival_period", "places", "expected_certified", "planned_gap",
        "gap_before", "gap_after", "shortfall_before", "shortfall_after", "shortage_reduction"]
    assert plan.cells["places"].tolist() == plan.quotas["quota"].tolist()
    for column in plan.cells.columns[4:]:
        assert plan.cells[column].tolist() == plan.quotas[column].tolist()
    assert plan.cell_keys == plan.keys == ("region", "industry")
    assert "programmes" not in plan.summary


def test_rounding_spends_what_the_floor_leaves_on_the_next_best_place():
    # A: 300 per place, 1 certified each; B: 100 per place, 0.25 certified (400 per worker).
    # LP: all 1,000 to A (3.33 places) -> floor 3 (900); the 100 left buys one B place.
    table = pd.DataFrame({"region": "R", "industry": ["A", "B"], "period": "2026",
                          "gap": [10.0, 10.0]})
    costs = pd.DataFrame({"industry": ["A", "B"], "cost_per_trainee": [300.0, 100.0]})
    rates = pd.DataFrame({"industry": ["A", "B"], "pass_rate": [1.0, 0.25]})
    plan = allocate_quotas(table, budget=1_000, cost_per_trainee=costs, pass_rate=rates)
    assert plan.quotas["quota"].tolist() == [3, 1]
    assert plan.summary["total_cost"] == 1_000
    assert plan.summary["shortfall_after"] == pytest.approx(7 + 9.75)
    # the exact integer optimum is the same here; the LP relaxation is lower
    exact = allocate_quotas(table, budget=1_000, cost_per_trainee=costs, pass_rate=rates,
                            integer="exact")
    assert exact.quotas["quota"].tolist() == [3, 1]
    assert exact.summary["lp_objective"] == pytest.approx(20 - 1_000 / 300)


def test_exact_integer_plan_matches_hand_optimum_and_bounds_the_lp(forecast, trades):
    # integer candidates: 30 e-com + 46 constr (66.8 certified) beats 29 + 47 (66.6)
    # and 30 + 45 + 1 textiles (66.5)
    plan = _plan(forecast, trades, integer="exact")
    q = plan.quotas.set_index("industry")["quota"]
    assert q.to_dict() == {"construction": 46, "textiles": 0, "e-commerce": 30}
    assert plan.summary["objective"] >= plan.summary["lp_objective"] - 1e-9
    assert plan.summary["objective"] == pytest.approx(143.2)


def test_scenarios_expected_shortfall_and_its_dual():
    # one cell, four equally likely gaps; 25 places at cost 1 cover 25 workers:
    # E max(g - 25, 0) = (0 + 0 + 5 + 15) / 4 = 5; two of four scenarios exceed 25,
    # so one more unit of money removes 2/4 of a worker of expected shortfall.
    samples = pd.DataFrame({"region": "R", "industry": "I", "period": "2026Q1",
                            "sample": range(4), "gap": [40.0, 10.0, 30.0, 20.0]})
    plan = allocate_quotas(samples, budget=25, cost_per_trainee=1, pass_rate=1.0)
    assert plan.quotas["quota"].tolist() == [25]
    assert plan.summary["shortfall_before"] == pytest.approx(25.0)
    assert plan.summary["shortfall_after"] == pytest.approx(5.0)
    assert plan.summary["scenarios"] == 4
    assert plan.marginal_value["budget"] == pytest.approx(0.5)
    assert plan.quotas["gap_before"].tolist() == [pytest.approx(25.0)]


def test_surplus_penalty_gives_the_newsvendor_fractile():
    # with penalty 2 the slope is -P(g > x) + 2 P(g < x): negative below 20, positive above,
    # so the plan covers x = 20 (the 1/3 fractile) even though money is plentiful
    samples = pd.DataFrame({"region": "R", "industry": "I", "period": "2026Q1",
                            "sample": range(4), "gap": [10.0, 20.0, 30.0, 40.0]})
    plan = allocate_quotas(samples, budget=1_000, cost_per_trainee=1, pass_rate=1.0,
                           surplus_penalty=2.0)
    assert plan.quotas["quota"].tolist() == [20]
    assert plan.marginal_value["budget"] == pytest.approx(0.0, abs=1e-9)
    assert plan.binding[0].startswith("budget is not the limit")
    assert plan.summary["surplus_after"] == pytest.approx(10 / 4)
    assert plan.label == "optimised, surplus penalty 2"


def test_money_beyond_every_gap_is_not_spent():
    table = pd.DataFrame({"region": ["R", "R"], "industry": ["a", "b"], "period": "2026",
                          "gap": [10.0, -5.0]})
    plan = allocate_quotas(table, budget=1e6, cost_per_trainee=10, pass_rate=0.5,
                           integer="none")
    assert plan.quotas["quota"].tolist() == pytest.approx([20.0, 0.0])
    assert plan.summary["total_cost"] == pytest.approx(200.0)
    assert plan.binding[0].startswith("every expected gap is closed")
    whole = allocate_quotas(table, budget=1e6, cost_per_trainee=10, pass_rate=0.3)
    assert whole.quotas["quota"].tolist() == [34, 0]  # ceil(10 / 0.3)


def test_binding_minimum_quota_costs_shortfall_elsewhere():
    # A: cost 100, yield 1; B: cost 100, yield 0.5, at least 5 places. Budget 1,000:
    # B's 5 places (500) leave 500 for A (5 places): shortfall 5 + 7.5 = 12.5.
    # One place less in B's minimum frees 100 for A: +1 certified in A, -0.5 in B.
    table = pd.DataFrame({"region": ["R", "R"], "industry": ["A", "B"], "period": "2026",
                          "gap": [10.0, 10.0]})
    rates = pd.DataFrame({"industry": ["A", "B"], "pass_rate": [1.0, 0.5]})
    minimum = pd.DataFrame({"industry": ["A", "B"], "min_quota": [0, 5]})
    plan = allocate_quotas(table, budget=1_000, cost_per_trainee=100, pass_rate=rates,
                           min_quota=minimum)
    assert plan.quotas["quota"].tolist() == [5, 5]
    assert plan.summary["shortfall_after"] == pytest.approx(12.5)
    assert plan.marginal_value["budget"] == pytest.approx(0.01)
    assert plan.marginal_value["min_quota[B in R]"] == pytest.approx(-0.5)
    assert any(line.startswith("minimum quota of B in R is reached (5 places)")
               for line in plan.binding)


def test_zero_yield_and_zero_cost_cells():
    table = pd.DataFrame({"region": "R", "industry": ["a", "b", "c"], "period": "2026",
                          "gap": [10.0, 10.0, 10.0]})
    absorb = pd.DataFrame({"industry": ["a", "b", "c"], "absorption": [0.0, 1.0, 1.0]})
    costs = pd.DataFrame({"industry": ["a", "b", "c"], "cost_per_trainee": [1.0, 0.0, 5.0]})
    plan = allocate_quotas(table, budget=20, cost_per_trainee=costs, pass_rate=1.0,
                           absorption=absorb, min_quota=1)
    # a: nobody stays, so only its minimum; b: free places close its gap; c: 19 / 5 -> 3
    assert plan.quotas["quota"].tolist() == [1, 10, 3]
    assert plan.summary["total_cost"] == 16


# --------------------------------------------------------------------------- the literal LP


def _literal_saa(g: np.ndarray, y, cost, budget, lo, hi, penalty):
    """The methods page's LP as written: q, u, v with u - v = g - y q (equality rows)."""
    n, k = g.shape
    nk = n * k
    rows = np.arange(nk)
    cells = np.repeat(np.arange(n), k)
    a_eq = sp.hstack([
        sp.csr_matrix((y[cells], (rows, cells)), shape=(nk, n)),
        sp.eye(nk), -sp.eye(nk),
    ]).tocsr()
    a_ub = sp.csr_matrix(np.concatenate([cost, np.zeros(2 * nk)])[None, :])
    c = np.concatenate([np.zeros(n), np.full(nk, 1 / k), np.full(nk, penalty / k)])
    bounds = [(lo[i], hi[i] if np.isfinite(hi[i]) else None) for i in range(n)]
    bounds += [(0, None)] * (2 * nk)
    res = linprog(c, A_ub=a_ub, b_ub=[budget], A_eq=a_eq, b_eq=g.ravel(), bounds=bounds,
                  method="highs")
    assert res.status == 0
    return res.fun, -res.ineqlin.marginals[0]


@pytest.mark.parametrize("seed", range(8))
def test_pieces_lp_matches_the_literal_saa_lp(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 5)), int(rng.integers(1, 7))
    g = rng.normal(20, 15, size=(n, k))
    y = rng.uniform(0.3, 1.0, n)
    cost = rng.uniform(1, 10, n)
    lo = rng.uniform(0, 2, n) * (rng.random(n) < 0.5)
    hi = np.where(rng.random(n) < 0.5, lo + rng.uniform(1, 30, n), np.inf)
    budget = float(np.dot(cost, lo) + rng.uniform(0, 1.5) * np.dot(cost, np.maximum(g, 0).max(1)))
    penalty = float(rng.choice([0.0, 0.0, 0.3, 2.0]))
    table = pd.DataFrame({"region": "R", "industry": np.repeat([f"c{i}" for i in range(n)], k),
                          "period": "2026", "sample": np.tile(np.arange(k), n),
                          "gap": g.ravel()})
    industries = [f"c{i}" for i in range(n)]

    def per_cell(name, values):
        return pd.DataFrame({"industry": industries, name: values})

    plan = allocate_quotas(table, budget=budget, cost_per_trainee=per_cell("cost_per_trainee",
                                                                           cost),
                           pass_rate=per_cell("pass_rate", y), min_quota=per_cell("min_quota",
                                                                                  lo),
                           capacity=per_cell("capacity", hi), surplus_penalty=penalty,
                           integer="none")
    fun, dual = _literal_saa(g, y, cost, budget, lo, hi, penalty)
    assert plan.summary["lp_objective"] == pytest.approx(fun, rel=1e-6, abs=1e-6)
    assert plan.summary["objective"] == pytest.approx(fun, rel=1e-6, abs=1e-6)
    assert plan.marginal_value["budget"] == pytest.approx(dual, rel=1e-5, abs=1e-8)


# --------------------------------------------------------------------------- risk and quantiles


def test_quantile_from_samples_is_the_per_cell_quantile():
    rng = np.random.default_rng(3)
    draws = rng.normal(50, 10, size=(2, 9))
    table = pd.DataFrame({"region": "R", "industry": np.repeat(["a", "b"], 9), "period": "2026",
                          "sample": np.tile(np.arange(9), 2), "gap": draws.ravel()})
    plan = allocate_quotas(table, budget=1e9, cost_per_trainee=1, pass_rate=0.5,
                           quantile=0.8, integer="none")
    expected = np.quantile(draws, 0.8, axis=1)
    assert plan.quotas["planned_gap"].to_numpy() == pytest.approx(expected)
    assert plan.quotas["quota"].to_numpy() == pytest.approx(expected / 0.5)
    assert plan.quotas["gap_before"].to_numpy() == pytest.approx(draws.mean(axis=1))
    assert plan.summary["risk"] == "quantile"
    assert plan.label == "optimised, 80th-percentile gap"


def test_quantile_from_interval_columns():
    sd = 20.0
    table = pd.DataFrame({"region": "R", "industry": ["a"], "period": "2026Q3", "gap": [100.0],
                          "gap_lo_80": [100 - norm.ppf(0.9) * sd],
                          "gap_hi_80": [100 + norm.ppf(0.9) * sd]})

    def planned(q):
        plan = allocate_quotas(table, budget=1e9, cost_per_trainee=1, pass_rate=1.0,
                               quantile=q, integer="none")
        return plan.quotas["planned_gap"].iloc[0]

    assert planned(0.9) == pytest.approx(100 + norm.ppf(0.9) * sd)   # the column itself
    assert planned(0.1) == pytest.approx(100 - norm.ppf(0.9) * sd)
    assert planned(0.8) == pytest.approx(100 + norm.ppf(0.8) * sd)   # normal approximation
    assert planned(0.5) == pytest.approx(100.0)
    assert planned(0.975) == pytest.approx(100 + norm.ppf(0.975) * sd)  # extrapolated


def test_quantile_interpolates_between_two_intervals_and_reads_forecaster_columns():
    z80, z95 = norm.ppf(0.9), norm.ppf(0.975)
    table = pd.DataFrame({"region": "R", "industry": ["a"], "period": "2026",
                          "mean": [10.0], "lo_80": [0.0], "hi_80": [20.0],
                          "lo_95": [-10.0], "hi_95": [40.0]})
    plan = allocate_quotas(table, budget=1e9, cost_per_trainee=1, pass_rate=1.0,
                           quantile=0.95, value="mean", integer="none")
    z = norm.ppf(0.95)
    expected = 20 + (z - z80) / (z95 - z80) * 20
    assert plan.quotas["planned_gap"].iloc[0] == pytest.approx(expected)
    # whole places cover the planned gap: ceil
    whole = allocate_quotas(table, budget=1e9, cost_per_trainee=1, pass_rate=1.0,
                            quantile=0.95, value="mean")
    assert whole.quotas["quota"].iloc[0] == int(np.ceil(expected))


def test_quantile_needs_samples_or_intervals(forecast, trades):
    with pytest.raises(PlanningError, match="quantile=0.8 needs sample paths"):
        _plan(forecast, trades, quantile=0.8)


def test_higher_quantile_plans_more_places_on_the_same_samples():
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"region": "R", "industry": np.repeat(list("abc"), 20),
                          "period": "2026", "sample": np.tile(np.arange(20), 3),
                          "gap": rng.normal(30, 12, 60)})
    places = [allocate_quotas(table, budget=3_000, cost_per_trainee=40, pass_rate=0.7,
                              quantile=q).summary["places"] for q in (0.5, 0.8, 0.95)]
    assert places == sorted(places)
    # and expected-risk and quantile plans report shortfall on the same samples
    expected = allocate_quotas(table, budget=3_000, cost_per_trainee=40, pass_rate=0.7)
    q80 = allocate_quotas(table, budget=3_000, cost_per_trainee=40, pass_rate=0.7,
                          quantile=0.8)
    assert expected.summary["shortfall_before"] == q80.summary["shortfall_before"]


# --------------------------------------------------------------------------- periods and lead time


@pytest.fixture
def quarterly() -> pd.DataFrame:
    return pd.DataFrame({
        "region": "R", "industry": np.repeat(["a", "b"], 4),
        "period": ["2025Q1", "2025Q2", "2025Q3", "2025Q4"] * 2,
        "gap": [10.0, 20.0, 30.0, 40.0, 1.0, 2.0, 3.0, 4.0],
    })


def test_default_period_is_the_last_and_lead_time_shifts_arrival(quarterly):
    kw = dict(budget=1e6, cost_per_trainee=1, pass_rate=1.0)
    plan = allocate_quotas(quarterly, **kw)
    assert plan.quotas["quota"].tolist() == [40, 4]
    assert plan.summary["period"] == "2025Q4"
    late = allocate_quotas(quarterly, lead_time=2, **kw)
    assert late.summary["period"] == "2025Q2"
    assert late.quotas["arrival_period"].astype(str).tolist() == ["2025Q4", "2025Q4"]
    early = allocate_quotas(quarterly, lead_time=2, period="2025Q1", **kw)
    assert early.quotas["planned_gap"].tolist() == [30.0, 3.0]
    assert early.quotas["period"].astype(str).tolist() == ["2025Q1", "2025Q1"]


def test_per_cell_lead_time(quarterly):
    lead = pd.DataFrame({"industry": ["a", "b"], "lead_time": [0, 1]})
    plan = allocate_quotas(quarterly, budget=1e6, cost_per_trainee=1, pass_rate=1.0,
                           lead_time=lead)
    assert plan.summary["period"] == "2025Q3"
    assert plan.quotas["arrival_period"].astype(str).tolist() == ["2025Q3", "2025Q4"]
    assert plan.quotas["planned_gap"].tolist() == [30.0, 4.0]


def test_summary_names_the_arrival_period_its_shortfall_is_of(quarterly):
    plan = allocate_quotas(quarterly, budget=0, cost_per_trainee=1, pass_rate=1.0,
                           lead_time=1)
    s = plan.summary
    assert (s["period"], s["arrival_period"]) == ("2025Q3", "2025Q4")
    assert s["shortfall_before"] == 40.0 + 4.0   # the gaps of 2025Q4, not of 2025Q3 (33)
    assert list(s.index[:6]) == ["rule", "risk", "quantile", "integer", "period",
                                 "arrival_period"]
    proportional = proportional_plan(quarterly, budget=0, cost_per_trainee=1, pass_rate=1.0,
                                     lead_time=1)
    assert proportional.summary["arrival_period"] == "2025Q4"
    lead = pd.DataFrame({"region": "R", "industry": ["a", "b"], "lead_time": [0, 1]})
    mixed = allocate_quotas(quarterly, budget=0, cost_per_trainee=1, pass_rate=1.0,
                            lead_time=lead)
    assert mixed.summary["arrival_period"] == "2025Q3, 2025Q4"
    assert mixed.summary["shortfall_before"] == 30.0 + 4.0


def test_arrival_beyond_the_forecast_names_the_latest_period_to_fund(quarterly):
    # places funded in the last forecast period count after it: the message says so and
    # names the latest period that can be funded, not every cell without a row
    with pytest.raises(PlanningError, match=r"period='2025Q4': places funded then count "
                       r"lead_time = 1 period later, in 2026Q1, after the gap forecast's last "
                       r"period 2025Q4; fund in 2025Q3 or earlier .* or forecast 1 more "
                       r"period ahead") as err:
        allocate_quotas(quarterly, budget=1, cost_per_trainee=1, pass_rate=1.0, lead_time=1,
                        period="2025Q4")
    assert " in R" not in str(err.value)
    lead = pd.DataFrame({"region": "R", "industry": ["a", "b"], "lead_time": [0, 2]})
    with pytest.raises(PlanningError, match=r"lead_time = 2 periods later, in 2026Q1, .*"
                       r"fund in 2025Q2 or earlier"):
        allocate_quotas(quarterly, budget=1, cost_per_trainee=1, pass_rate=1.0,
                        lead_time=lead, period="2025Q3")


def test_period_dtype_categorical_keys_row_order_and_no_mutation(quarterly):
    kw = dict(budget=50, cost_per_trainee=1, pass_rate=0.9)
    base = allocate_quotas(quarterly, **kw)
    other = quarterly.sample(frac=1.0, random_state=1).assign(
        period=lambda d: pd.PeriodIndex(d["period"], freq="Q"),
        industry=lambda d: d["industry"].astype("category"))
    before = other.copy()
    plan = allocate_quotas(other, **kw)
    pd.testing.assert_frame_equal(other, before)
    assert plan.quotas["quota"].tolist() == base.quotas["quota"].tolist()
    assert plan.summary["shortfall_after"] == pytest.approx(base.summary["shortfall_after"])


def test_single_key_and_other_key_names():
    table = pd.DataFrame({"program": ["weld", "sew"], "period": "2026", "gap": [5.0, 8.0]})
    plan = allocate_quotas(table, keys=["program"], budget=10, cost_per_trainee=1,
                           pass_rate=1.0, capacity=3)
    assert plan.quotas["program"].tolist() == ["sew", "weld"]
    assert plan.quotas["quota"].tolist() == [3, 3]
    assert "capacity of sew is reached (3 places)" in " ".join(plan.binding)


# --------------------------------------------------------------------------- errors


def test_minimum_quotas_above_budget_say_by_how_much(forecast, trades):
    with pytest.raises(PlanningError, match="minimum quotas cost 28,000, more than the budget "
                                            "20,000 by 8,000"):
        _plan(forecast, trades, budget=20_000, min_quota=14)


def test_negative_cost_names_the_cell(forecast, trades):
    costs = trades["cost_per_trainee"].assign(cost_per_trainee=[1000.0, -50.0, 400.0])
    with pytest.raises(PlanningError, match=r"cost_per_trainee must be >= 0; 1 cell fails: "
                                            r"construction in Northvale: -50 \(below 0 by 50\)"):
        _plan(forecast, {**trades, "cost_per_trainee": costs})


@pytest.mark.parametrize(("rate", "detail"), [
    (1.2, r"1.2 \(above 1 by 0.2\)"),
    (0.0, r"0 \(must be > 0\)"),
    (-0.5, r"-0.5 \(below 0 by 0.5\)"),
])
def test_pass_rate_outside_zero_one(forecast, trades, rate, detail):
    with pytest.raises(PlanningError, match=r"pass_rate must be in \(0, 1\]; got " + detail):
        _plan(forecast, trades, pass_rate=rate)


def test_capacity_below_minimum(forecast, trades):
    with pytest.raises(PlanningError, match="capacity is below the minimum quota in 1 cell: "
                                            "e-commerce in Southvale: capacity 30 < min_quota "
                                            "33 by 3 places"):
        _plan(forecast, trades, min_quota=33, budget=1e9)


def test_parameter_table_missing_a_cell(forecast, trades):
    rates = trades["pass_rate"].iloc[:2]
    with pytest.raises(PlanningError, match="the pass_rate table has no row for 1 cell of the "
                                            "gap forecast: e-commerce in Southvale"):
        _plan(forecast, {**trades, "pass_rate": rates})


@pytest.mark.parametrize(("kw", "message"), [
    ({"budget": -5}, r"budget must be >= 0; got -5 \(below 0 by 5\)"),
    ({"integer": "ceil"}, "integer='ceil'"),
    ({"risk": "quantile"}, "risk='quantile' needs quantile="),
    ({"risk": "cvar"}, "risk='cvar'"),
    ({"quantile": 1.0}, r"quantile must be a number in \(0, 1\)"),
    ({"surplus_penalty": -1}, "surplus_penalty must be a number >= 0"),
    ({"lead_time": 0.5}, "lead_time must be a whole number"),
    ({"absorption": 1.5}, r"absorption must be in \[0, 1\]"),
    ({"cost_per_trainee": "cheap"}, "cost_per_trainee must be a number or a DataFrame"),
    ({"capacity": pd.DataFrame({"sector": ["x"], "capacity": [1]})},
     r"\['sector'\] are not keys"),
    ({"period": "2026Q1"}, "period='2026Q1' is not a period of the forecast"),
])
def test_bad_parameters(forecast, trades, kw, message):
    with pytest.raises(PlanningError, match=message):
        _plan(forecast, trades, **kw)


def test_bad_forecast_tables(forecast, trades):
    with pytest.raises(SchemaError, match="no 'gap' column") as err:
        _plan(forecast.drop(columns="gap"), trades)
    assert err.value.column == "gap"
    with pytest.raises(SchemaError, match="more than one row per cell-period"):
        _plan(pd.concat([forecast, forecast]), trades)
    with pytest.raises(SchemaError, match="finite number"):
        _plan(forecast.assign(gap=[1.0, np.inf, 2.0]), trades)  # (all missing: left out)
    with pytest.raises(SchemaError, match="no key column 'region'"):
        _plan(forecast.drop(columns="region"), trades)
    samples = forecast.assign(sample=0)
    with pytest.raises(SchemaError, match="repeat a sample number"):
        _plan(pd.concat([samples, samples]), trades)


# ---- compact sample paths (cells x periods x samples arrays) ------------------------------------
def _compact_paths():
    from talentgap.models import SamplePaths

    rng = np.random.default_rng(3)
    shape = (4, 2, 50)
    return SamplePaths(
        # cells not in key order: the plan's rows follow the keys, as for a table
        cells=pd.DataFrame({"region": ["S", "N", "N", "S"],
                            "industry": ["textiles", "robots", "textiles", "robots"]}),
        periods=pd.period_range("2026", periods=2, freq="Y"),
        demand=rng.gamma(3.0, 30.0, shape).astype(np.float32),
        supply=rng.gamma(3.0, 20.0, shape).astype(np.float32))


@pytest.mark.parametrize("options", [
    {}, {"risk": "quantile", "quantile": 0.8}, {"lead_time": 1, "integer": "none"},
    {"surplus_penalty": 0.2, "integer": "exact"}])
def test_compact_paths_plan_as_their_long_table(options):
    paths = _compact_paths()
    args = dict(budget=40_000, cost_per_trainee=500, pass_rate=0.8, **options)
    got = allocate_quotas(paths, **args)
    want = allocate_quotas(paths.to_frame(), **args)
    pd.testing.assert_frame_equal(got.quotas, want.quotas)
    assert got.quotas["region"].tolist() == ["N", "N", "S", "S"]


def test_compact_paths_multi_year_plan_as_their_long_table():
    paths = _compact_paths()
    args = dict(periods=["2026"], budget=40_000, cost_per_trainee=500, pass_rate=0.8,
                lead_time=1, exit_rate=0.1)
    pd.testing.assert_frame_equal(allocate_quotas(paths, **args).quotas,
                                  allocate_quotas(paths.to_frame(), **args).quotas)


def test_compact_paths_with_missing_demand_name_the_cell():
    paths = _compact_paths()
    paths.demand[1, :, 0] = np.nan  # one path (a cell missing in every path is left out)
    with pytest.raises(SchemaError, match="robots in N"):
        allocate_quotas(paths, budget=1000, cost_per_trainee=10, pass_rate=1.0)


def test_what_if_shocks_compact_paths_through_their_long_table():
    from talentgap.planning import DemandShock, shock_needs

    paths = _compact_paths()
    shocked = shock_needs(paths, DemandShock(2.0, where={"industry": "robots"}))
    frame = paths.to_frame()
    robots = frame["industry"].eq("robots").to_numpy()
    np.testing.assert_allclose(shocked["gap"].to_numpy()[robots], 2 * frame["gap"][robots])
    np.testing.assert_array_equal(shocked["gap"].to_numpy()[~robots], frame["gap"][~robots])


def test_keys_that_leave_out_a_key_of_the_sample_paths_are_named():
    """Paths keyed by region x industry x skill level, planned with the default keys."""
    import talentgap as tg

    data = tg.datasets.load_demo()
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1,
                                    keys=("region", "industry", "skill_level"))
    gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=30,
                                  keys=("region", "industry", "skill_level")).fit(panel)
    paths = gap.sample_paths(2)
    with pytest.raises(PlanningError, match=r"leave out the sample paths' key column\(s\) "
                       r"\['skill_level'\].*pass keys=\('region', 'industry', 'skill_level'\)"):
        allocate_quotas(paths, budget=1e5, cost_per_trainee=1000, pass_rate=0.8)
    plan = allocate_quotas(paths, budget=1e5, cost_per_trainee=1000, pass_rate=0.8,
                           keys=paths.keys)
    assert list(plan.quotas.columns[:3]) == ["region", "industry", "skill_level"]


def test_a_blank_in_a_per_cell_table_is_named_missing(forecast):
    capacity = forecast[["region", "industry"]].assign(capacity=[10.0, np.nan, 5.0])
    with pytest.raises(PlanningError, match=r"construction in Northvale: missing") as info:
        allocate_quotas(forecast, budget=1e4, cost_per_trainee=100, pass_rate=0.5,
                        capacity=capacity)
    assert "np.float64" not in str(info.value)
