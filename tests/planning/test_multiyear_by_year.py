"""Multi-year plans whose costs, capacities and minimum quotas change by funding period.

``cost_per_trainee``, ``capacity`` and ``min_quota`` may be tables with a
``period`` column (one row per cell, or programme, and funding period).
Hand-solved plans where one year's capacity binds and where one year's places
cost more, the constant plan as a special case, the table rules, whole
places, envelopes, programmes and the route by classes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _years_problem import years_problem

from talentgap.errors import PlanningError
from talentgap.planning import _multiyear_classes as classes
from talentgap.planning import allocate_quotas
from talentgap.planning._multiyear_cells import chain_form
from talentgap.planning._multiyear_classes import class_form
from talentgap.planning._multiyear_params import by_period

PASS = pd.DataFrame({"industry": ["A", "B"], "pass_rate": [1.0, 0.5]})


def _two(needs, **kw):
    args = {"periods": [2026, 2027], "cost_per_trainee": 100, "pass_rate": PASS,
            "lead_time": 1, "exit_rate": 0.1, "integer": "none", "budget": 7_000, **kw}
    return allocate_quotas(needs, **args)


def _by_year(name: str, values: dict) -> pd.DataFrame:
    """``{(industry, year): value}`` as a table ``industry, period, <name>``."""
    return pd.DataFrame({"industry": [k[0] for k in values], "period": [k[1] for k in values],
                         name: list(values.values())})


def _quota(plan, industry, period) -> float:
    q = plan.quotas
    return float(q.loc[(q["industry"] == industry) & (q["period"].astype(str) == period),
                       "quota"].iloc[0])


# --------------------------------------------------------------------------- hand-solved


def test_a_year_whose_capacity_binds_sends_places_to_another_year_and_cell(two_cells):
    # Without capacities (test_multiyear's hand solution, one budget of 7,000 = 70 places):
    # A 2026 gets 20 places (1.9 workers each until A's 2027 need of 20 is met), then
    # A 2027 (1 worker per place, 0.01 per unit of money) takes the other 50.
    # A's college can train only 30 in 2027: after those, the best use of money is
    # B 2026 (0.5 x 1.9 = 0.95 per place) over A 2026 (0.9, its 2028 worker only) and
    # B 2027 (0.5). The last 20 places go to B 2026; they give B 10 workers in 2027
    # and 9 in 2028. One more place of A's 2027 capacity: 1 worker instead of 0.95.
    free = _two(two_cells)
    assert _quota(free, "A", "2027") == pytest.approx(50.0, abs=1e-6)
    cap = _by_year("capacity", {("A", 2026): np.inf, ("A", 2027): 30.0,
                                ("B", 2026): np.inf, ("B", 2027): np.inf})
    plan = _two(two_cells, capacity=cap)
    expected = {("A", "2026"): 20.0, ("A", "2027"): 30.0, ("B", "2026"): 20.0,
                ("B", "2027"): 0.0}
    for (industry, period), places in expected.items():
        assert _quota(plan, industry, period) == pytest.approx(places, abs=1e-6)
    # shortfall after: A 30 + 0 + (80 - 18 - 30); B 20 + (40 - 10) + (60 - 9)
    assert float(plan.summary["shortfall_after"]) == pytest.approx(163.0, abs=1e-6)
    assert plan.marginal_value["budget"] == pytest.approx(0.0095)
    assert plan.marginal_value["capacity[A in Northvale, 2027]"] == pytest.approx(0.05)
    assert "capacity[A in Northvale, 2026]" not in plan.marginal_value.index
    # each row reports its own year's capacity
    q = plan.quotas
    assert q["capacity"].tolist() == [np.inf, 30.0, np.inf, np.inf]


def test_a_minimum_in_one_year_only_binds_there(two_cells):
    # B must train 10 places in 2027 (0.5 worker each, the worst use of money): they
    # cost 1,000, which comes out of the last places bought, A 2027's.
    minimum = _by_year("min_quota", {("A", 2026): 0, ("A", 2027): 0,
                                     ("B", 2026): 0, ("B", 2027): 10})
    plan = _two(two_cells, min_quota=minimum)
    assert _quota(plan, "B", "2027") == pytest.approx(10.0, abs=1e-6)
    assert _quota(plan, "A", "2027") == pytest.approx(40.0, abs=1e-6)
    assert _quota(plan, "B", "2026") == pytest.approx(0.0, abs=1e-6)
    assert plan.quotas["min_quota"].tolist() == [0.0, 0.0, 0.0, 10.0]
    # each required place gives 0.5 worker instead of the 1 a place of A 2027 gives
    assert plan.marginal_value["min_quota[B in Northvale, 2027]"] == pytest.approx(-0.5)


def test_a_table_repeating_one_value_per_year_gives_the_constant_plan(two_cells):
    kwargs = dict(budget=pd.DataFrame({"period": ["2026", "2027"], "budget": [3_050., 4_000.]}),
                  integer="round")
    constant = _two(two_cells, capacity=pd.DataFrame({"industry": ["A", "B"],
                                                      "capacity": [25.0, 12.0]}),
                    min_quota=pd.DataFrame({"industry": ["A", "B"], "min_quota": [2.0, 3.0]}),
                    **kwargs)
    repeated = _two(two_cells,
                    capacity=_by_year("capacity", {("A", 2026): 25.0, ("A", 2027): 25.0,
                                                   ("B", 2026): 12.0, ("B", 2027): 12.0}),
                    min_quota=_by_year("min_quota", {("A", 2026): 2.0, ("A", 2027): 2.0,
                                                     ("B", 2026): 3.0, ("B", 2027): 3.0}),
                    **kwargs)
    pd.testing.assert_frame_equal(repeated.quotas, constant.quotas)
    pd.testing.assert_series_equal(repeated.marginal_value, constant.marginal_value)
    assert repeated.binding == constant.binding


def test_whole_places_keep_each_years_bounds(two_cells):
    # fractional bounds: capacities round down and minimums up, per year
    cap = _by_year("capacity", {("A", 2026): 12.5, ("A", 2027): 30.7,
                                ("B", 2026): np.inf, ("B", 2027): 4.2})
    minimum = _by_year("min_quota", {("A", 2026): 0, ("A", 2027): 0,
                                     ("B", 2026): 1.5, ("B", 2027): 2.2})
    plan = _two(two_cells, capacity=cap, min_quota=minimum, integer="round",
                budget=pd.DataFrame({"period": ["2026", "2027"], "budget": [3_050., 4_000.]}))
    q = plan.quotas.set_index(["industry", plan.quotas["period"].astype(str)])["quota"]
    assert (q == q.round()).all()
    upper = {("A", "2026"): 12, ("A", "2027"): 30, ("B", "2026"): np.inf, ("B", "2027"): 4}
    lower = {("A", "2026"): 0, ("A", "2027"): 0, ("B", "2026"): 2, ("B", "2027"): 3}
    for key in upper:
        assert lower[key] <= q[key] <= upper[key]
    assert q[("A", "2026")] == 12                    # the capacity binds in 2026 only
    spent = plan.quotas.groupby(plan.quotas["period"].astype(str))["cost"].sum()
    assert spent["2026"] <= 3_050 and spent["2027"] <= 4_000


# --------------------------------------------------------------------------- table rules


def test_a_missing_cell_period_is_named(two_cells):
    cap = _by_year("capacity", {("A", 2026): 10.0, ("A", 2027): 10.0, ("B", 2026): 10.0})
    with pytest.raises(PlanningError, match=r"capacity table has a 'period' column.*"
                       r"1 cell-period has none: B in Northvale, 2027"):
        _two(two_cells, capacity=cap)


def test_a_repeated_cell_period_is_named(two_cells):
    cap = _by_year("capacity", {("A", 2026): 10.0, ("A", 2027): 10.0,
                                ("B", 2026): 10.0, ("B", 2027): 10.0})
    cap = pd.concat([cap, cap.iloc[[1]]], ignore_index=True)
    with pytest.raises(PlanningError, match=r"at most one row per cell and funding period.*"
                       r"2 rows repeat one.*row 1 \(industry='A', period=2027\)"):
        _two(two_cells, capacity=cap)


def test_an_unknown_period_is_named(two_cells):
    minimum = _by_year("min_quota", {("A", 2026): 1, ("A", 2027): 1, ("B", 2026): 1,
                                     ("B", 2027): 1, ("B", 2029): 1})
    with pytest.raises(PlanningError, match=r"column 'period' of the min_quota table must name "
                       r"funding periods \(2026, 2027\); 1 row does not, e.g. row 4: 2029"):
        _two(two_cells, min_quota=minimum)


def test_out_of_range_and_conflicting_bounds_name_the_cell_period(two_cells):
    cap = _by_year("capacity", {("A", 2026): 10.0, ("A", 2027): -3.0,
                                ("B", 2026): 10.0, ("B", 2027): 10.0})
    with pytest.raises(PlanningError, match=r"capacity must be >= 0; 1 cell-period fails: "
                       r"A in Northvale, 2027: -3 \(below 0 by 3\)"):
        _two(two_cells, capacity=cap)
    cap = _by_year("capacity", {("A", 2026): 10.0, ("A", 2027): 4.0,
                                ("B", 2026): 10.0, ("B", 2027): 10.0})
    with pytest.raises(PlanningError, match=r"capacity is below the minimum quota in 1 "
                       r"cell-period: A in Northvale, 2027: capacity 4 < min_quota 5"):
        _two(two_cells, capacity=cap, min_quota=5)


def test_a_period_table_without_key_columns_applies_to_every_cell(two_cells):
    cap = pd.DataFrame({"period": [2026, 2027], "capacity": [15.0, 30.0]})
    plan = _two(two_cells, capacity=cap)
    assert plan.quotas["capacity"].tolist() == [15.0, 30.0, 15.0, 30.0]
    assert (plan.quotas["quota"] <= plan.quotas["capacity"] + 1e-9).all()


@pytest.mark.parametrize("name", ["pass_rate", "absorption"])
def test_other_parameters_refuse_a_period_column(two_cells, name):
    table = _by_year(name, {("A", 2026): 1.0, ("A", 2027): 1.0, ("B", 2026): 1.0,
                            ("B", 2027): 1.0})
    with pytest.raises(PlanningError, match=rf"the {name} table has a 'period' column, but "
                       rf"{name} is one value per cell"):
        _two(two_cells, **{name: table})


def test_a_period_column_in_a_single_period_plan_is_refused(two_cells):
    cap = _by_year("capacity", {("A", 2026): 10.0, ("B", 2026): 10.0})
    with pytest.raises(PlanningError, match=r"capacity table has a 'period' column, but "
                       r"capacity is one value per cell here: only cost_per_trainee, capacity "
                       r"and min_quota of a multi-year plan \(periods=\)"):
        allocate_quotas(two_cells, budget=1_000, cost_per_trainee=100, pass_rate=1.0,
                        capacity=cap)


def test_by_period_reads_partial_key_tables_per_decision():
    cells = pd.DataFrame({"region": ["N", "S", "N"], "industry": ["A", "A", "B"]})
    funding = pd.period_range("2026", periods=3, freq="Y").array
    table = pd.DataFrame({"industry": ["A"] * 3 + ["B"] * 3,
                          "period": ["2026", "2027", "2028"] * 2,
                          "min_quota": [1, 2, 3, 4, 5, 6]})
    table = table.sample(frac=1.0, random_state=0)    # row order does not matter
    values = by_period(table, "min_quota", cells, ["region", "industry"], funding)
    assert values.tolist() == [1, 2, 3, 1, 2, 3, 4, 5, 6]


# --------------------------------------------------------------------------- programmes


def test_programme_capacity_by_year():
    needs = pd.DataFrame({"region": "Northvale", "industry": ["A", "A", "B", "B"],
                          "period": ["2027", "2028"] * 2, "gap": [40.0, 40.0, 40.0, 40.0]})
    crosswalk = pd.DataFrame({"program": "welding", "industry": ["A", "B"],
                              "share": [0.5, 0.5]})
    cap = pd.DataFrame({"program": "welding", "period": [2026, 2027],
                        "capacity": [10.0, 25.0]})
    plan = allocate_quotas(needs, periods=[2026, 2027], crosswalk=crosswalk, budget=100_000,
                           cost_per_trainee=100, pass_rate=1.0, lead_time=1, exit_rate=0.0,
                           capacity=cap, integer="none")
    assert plan.quotas["quota"].tolist() == pytest.approx([10.0, 25.0])
    assert plan.quotas["capacity"].tolist() == [10.0, 25.0]
    # a 2026 place serves 2027 and 2028 (one worker each), a 2027 place only 2028
    assert plan.marginal_value["capacity[welding in Northvale, 2026]"] == pytest.approx(2.0)
    assert plan.marginal_value["capacity[welding in Northvale, 2027]"] == pytest.approx(1.0)
    with pytest.raises(PlanningError, match=r"needs a row for every programme of the crosswalk "
                       r"at every funding period.*1 programme-period has none: welding in "
                       r"Northvale, 2027"):
        allocate_quotas(needs, periods=[2026, 2027], crosswalk=crosswalk, budget=100_000,
                        cost_per_trainee=100, pass_rate=1.0, capacity=cap.iloc[:1])


# --------------------------------------------------------------------------- route by classes


def _grid(seed: int = 3):
    rng = np.random.default_rng(seed)
    index = pd.MultiIndex.from_product([[f"R{i}" for i in range(4)], ["t0", "t1", "t2"],
                                        ["2026", "2027", "2028"], range(10)],
                                       names=["region", "industry", "period", "sample"])
    needs = index.to_frame(index=False).assign(gap=rng.normal(30, 12, len(index)).round(1))
    kwargs = dict(periods=["2025", "2026", "2027"], lead_time=1, exit_rate=0.05,
                  budget=pd.DataFrame({"period": ["2025", "2026", "2027"],
                                       "budget": [3_000.0, 4_000.0, 5_000.0]}),
                  cost_per_trainee=pd.DataFrame({"industry": ["t0", "t1", "t2"],
                                                 "cost_per_trainee": [100.0, 200.0, 300.0]}),
                  pass_rate=0.8, integer="none")
    return needs, kwargs


def _problem(needs, kwargs, **extra):
    return years_problem(needs, **{**kwargs, **extra})


def test_capacities_by_year_take_the_class_route_but_not_the_guide():
    needs, kwargs = _grid()
    years = ["2025", "2026", "2027"]
    finite = pd.DataFrame({"industry": np.repeat(["t0", "t1", "t2"], 3), "period": years * 3,
                           "capacity": [np.inf, np.inf, 5.0] + [np.inf] * 6})
    assert class_form(_problem(needs, kwargs, capacity=finite)) is None
    assert chain_form(_problem(needs, kwargs, capacity=finite)) == (
        "minimum quotas or capacities per cell")
    unbounded = finite.assign(capacity=np.inf)
    assert class_form(_problem(needs, kwargs, capacity=unbounded)) is None


def test_the_class_route_agrees_with_the_full_program_on_an_unbounded_year_table(
        route_by_classes):
    needs, kwargs = _grid()
    years = ["2025", "2026", "2027"]
    unbounded = pd.DataFrame({"industry": np.repeat(["t0", "t1", "t2"], 3), "period": years * 3,
                              "capacity": np.inf})
    full = allocate_quotas(needs, **kwargs)
    used = route_by_classes()
    merged = allocate_quotas(needs, capacity=unbounded, **kwargs)
    assert used and used[0] is not None                 # made by classes
    before = float(full.summary["shortfall_before"])
    assert float(merged.summary["shortfall_after"]) == pytest.approx(
        float(full.summary["shortfall_after"]), abs=1e-7 * before)
    np.testing.assert_allclose(merged.marginal_value.to_numpy(dtype=float),
                               full.marginal_value.to_numpy(dtype=float), rtol=1e-6, atol=1e-12)
    assert (merged.quotas["capacity"] == np.inf).all()


# --------------------------------------------------------------------------- costs by year


def test_a_dearer_year_sends_the_money_to_places_of_a_cheaper_year(two_cells):
    # As the hand solution above, but a place in A costs 200 in 2027. A 2026 still comes
    # first (1.9 workers per 100); then B 2026 (0.95 per 100) beats A 2026 (0.9 per 100,
    # its 2028 worker only) and A 2027 (1 per 200). The 5,000 left buy 50 places of B
    # 2026: 25 workers in 2027 and 22.5 in 2028.
    cost = _by_year("cost_per_trainee", {("A", 2026): 100.0, ("A", 2027): 200.0,
                                         ("B", 2026): 100.0, ("B", 2027): 100.0})
    plan = _two(two_cells, cost_per_trainee=cost)
    expected = {("A", "2026"): 20.0, ("A", "2027"): 0.0, ("B", "2026"): 50.0,
                ("B", "2027"): 0.0}
    for (industry, period), places in expected.items():
        assert _quota(plan, industry, period) == pytest.approx(places, abs=1e-6)
    # A 30 + 0 + (80 - 18); B 20 + (40 - 25) + (60 - 22.5)
    assert float(plan.summary["shortfall_after"]) == pytest.approx(164.5, abs=1e-6)
    assert plan.marginal_value["budget"] == pytest.approx(0.0095)
    q = plan.quotas
    assert q["cost_per_trainee"].tolist() == [100.0, 200.0, 100.0, 100.0]
    np.testing.assert_allclose(q["cost"], q["quota"] * q["cost_per_trainee"])
    np.testing.assert_allclose(q["cost_per_certified"], [100.0, 200.0, 200.0, 200.0])
    assert float(plan.summary["total_cost"]) == pytest.approx(7_000.0)


def test_each_years_budget_is_spent_at_that_years_costs(two_cells):
    # 2027 places cost 250 in both cells: the 2027 budget of 4,000 buys 16 places, not 40
    cost = pd.DataFrame({"period": [2026, 2027], "cost_per_trainee": [100.0, 250.0]})
    budget = pd.DataFrame({"period": ["2026", "2027"], "budget": [3_000.0, 4_000.0]})
    for integer in ("none", "round"):
        plan = _two(two_cells, cost_per_trainee=cost, budget=budget, integer=integer)
        q = plan.quotas
        late = q[q["period"].astype(str) == "2027"]
        assert float(late["quota"].sum()) == pytest.approx(16.0, abs=1e-6)
        assert float(late["cost"].sum()) == pytest.approx(4_000.0, abs=1e-6)
        years = plan.years.set_index(plan.years["period"].astype(str))
        assert float(years.loc["2027", "cost"]) == pytest.approx(4_000.0, abs=1e-6)
        # one more unit of 2027 money: 1 / 250 worker in A 2027 (its 2028 need is open)
        assert plan.marginal_value["budget[2027]"] == pytest.approx(1 / 250)


def test_a_cost_table_repeating_one_value_per_year_gives_the_constant_plan(two_cells):
    kwargs = dict(budget=pd.DataFrame({"period": ["2026", "2027"], "budget": [3_050., 4_000.]}),
                  integer="round")
    constant = _two(two_cells, cost_per_trainee=pd.DataFrame(
        {"industry": ["A", "B"], "cost_per_trainee": [100.0, 150.0]}), **kwargs)
    repeated = _two(two_cells, cost_per_trainee=_by_year(
        "cost_per_trainee", {("A", 2026): 100.0, ("A", 2027): 100.0, ("B", 2026): 150.0,
                             ("B", 2027): 150.0}), **kwargs)
    pd.testing.assert_frame_equal(repeated.quotas, constant.quotas)
    pd.testing.assert_series_equal(repeated.marginal_value, constant.marginal_value)


def test_envelopes_count_each_years_cost(two_cells):
    cost = _by_year("cost_per_trainee", {("A", 2026): 100.0, ("A", 2027): 300.0,
                                         ("B", 2026): 100.0, ("B", 2027): 300.0})
    envelopes = pd.DataFrame({"industry": ["A"], "budget": [4_000.0]})
    plan = _two(two_cells, cost_per_trainee=cost, budget_envelopes=envelopes, budget=20_000)
    q = plan.quotas
    spent_a = float(q.loc[q["industry"] == "A", "cost"].sum())
    assert spent_a == pytest.approx(4_000.0, abs=1e-6)          # the envelope binds
    assert "budget_envelope[A]" in plan.marginal_value.index


def test_the_class_route_agrees_with_the_full_program_when_costs_change_by_year(
        route_by_classes):
    needs, kwargs = _grid()
    years = ["2025", "2026", "2027"]
    cost = pd.DataFrame({"industry": np.repeat(["t0", "t1", "t2"], 3), "period": years * 3,
                         "cost_per_trainee": [100.0, 110.0, 121.0, 200.0, 200.0, 180.0,
                                              300.0, 330.0, 400.0]})
    kwargs = dict(kwargs, cost_per_trainee=cost)
    full = allocate_quotas(needs, **kwargs)
    q = full.quotas
    np.testing.assert_allclose(q["cost"], q["quota"] * q["cost_per_trainee"])
    used = route_by_classes()
    problem = _problem(needs, dict(kwargs, integer="none"))
    assert classes.merged_classes(problem).max() + 1 == 3      # one class per industry
    merged = allocate_quotas(needs, **kwargs)
    assert used and used[0] is not None
    before = float(full.summary["shortfall_before"])
    assert float(merged.summary["shortfall_after"]) == pytest.approx(
        float(full.summary["shortfall_after"]), abs=1e-7 * before)
    np.testing.assert_allclose(merged.marginal_value.to_numpy(dtype=float),
                               full.marginal_value.to_numpy(dtype=float), rtol=1e-6, atol=1e-12)
    whole = allocate_quotas(needs, **dict(kwargs, integer="round"))
    spent = whole.quotas.groupby(whole.quotas["period"].astype(str))["cost"].sum()
    np.testing.assert_array_less(spent.to_numpy(), np.array([3_000.0, 4_000.0, 5_000.0]) + 1e-6)
