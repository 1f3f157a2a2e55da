"""The plan command's comparison budgets and budget curve: minimums, saturation, their words."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap import planning
from talentgap.cli import outputs
from talentgap.cli._budget_grid import budget_comparison, minimum_cost
from talentgap.cli._constraint_words import plain_constraints
from talentgap.cli._report_headline import _closing_text
from talentgap.cli.config import Config
from talentgap.cli.pipeline import run

openpyxl = pytest.importorskip("openpyxl")

PAID = "the budget is fully used, so the money comes from there"


@pytest.fixture(scope="module")
def minimums(tmp_path_factory):
    """A plan whose minimum quotas (64 cells x 10 places x 6,000) cost more than a quarter,
    a half and three quarters of its budget, with its tables written."""
    config = Config.from_dict({
        "forecast": {"model": "naive", "n_samples": 100},
        "plan": {"budget": 5_000_000, "cost_per_trainee": 6000, "min_quota": 10,
                 "capacity": 150, "risk": "quantile", "quantile": 0.8}})
    result = run(config, steps=("forecast", "plan"), demo=True)
    out = tmp_path_factory.mktemp("grid")
    outputs.write_tables(result, out, parquet=False)
    return result, out


def test_budgets_below_the_minimums_are_left_out_with_a_note(minimums):
    result, _ = minimums
    floor = 64 * 10 * 6000.0
    assert minimum_cost(result.plan) == floor
    assert result.comparison["budget"].min() == 5_000_000   # 1.25M, 2.5M, 3.75M left out
    note = [n for n in result.plan.notes if n.startswith("The comparison of budgets")]
    assert len(note) == 1
    assert "1.25 million, 2.5 million and 3.75 million" in note[0]
    assert "the minimum quotas cost 3.84 million" in note[0]
    grid = result.budget_curve.table.index.to_numpy()
    assert grid[0] == floor and np.all(np.diff(grid) > 0)
    assert (result.budget_curve.table["places"] >= 640).all()


def test_budget_curve_csv_and_sheets(minimums):
    result, out = minimums
    curve = pd.read_csv(out / "budget_curve.csv")
    assert curve["budget"].tolist() == result.budget_curve.table.index.tolist()
    objective = "shortfall against the 80th-percentile gap"
    assert set(curve["marginal_value_objective"]) == {objective}
    first = curve.loc[curve["closes_share"], "budget"]
    closing = result.budget_curve.closing_budget
    assert (first.iloc[0] == closing) if len(first) else np.isnan(closing)
    comparison = pd.read_csv(out / "plan_comparison.csv")
    rules = comparison.set_index("rule")["marginal_value_objective"]
    assert set(rules["optimised"]) == {objective}
    values = pd.read_csv(out / "plan_marginal_value.csv")
    assert set(values["marginal_value_objective"]) == {objective}
    book = openpyxl.load_workbook(out / "results.xlsx", read_only=True)
    assert {"budget_curve", "plan_comparison"} <= set(book.sheetnames)
    sheet = pd.read_excel(out / "results.xlsx", sheet_name="budget_curve")
    pd.testing.assert_frame_equal(sheet, curve, check_dtype=False)


def test_the_quantile_cover_not_the_capacities_ends_the_curve(minimums):
    result, _ = minimums
    limit = result.curve_limit
    assert limit["risk"] == "quantile" and 0 < limit["at_capacity"] < limit["units"]
    words = _closing_text(result.budget_curve, "yuan", "persons", limit=limit)
    if np.isfinite(result.budget_curve.closing_budget):
        pytest.skip("the curve closes the share: no stop to explain")
    assert "under the capacities" not in words
    assert (f"{limit['at_capacity']} of the 64 cells are then at their capacities and the "
            f"places of the other {64 - limit['at_capacity']} cover their 80th-percentile gap"
            in words)


def _needs():
    return pd.DataFrame({"region": "N", "industry": ["textiles", "robots"],
                         "period": "2026", "gap": [30.0, 10.0]})


def test_no_larger_budget_than_one_that_buys_the_least_shortfall():
    kwargs = {"cost_per_trainee": 100, "pass_rate": 1.0, "integer": "none"}
    solved = []

    def solve(budget):
        solved.append(budget)
        return (planning.allocate_quotas(_needs(), budget=budget, **kwargs),
                planning.proportional_plan(_needs(), budget=budget, **kwargs))

    plan, proportional = solve(4_000)   # 40 places close the whole gap
    solved.clear()
    plans, notes = budget_comparison(plan, proportional, solve, budget=4_000, currency="yuan")
    budgets = sorted({float(p.summary["budget"]) for p in plans.values()})
    assert budgets == [1_000, 2_000, 3_000, 4_000]
    assert solved == [1_000, 2_000, 3_000, 6_000]   # 8,000 is not solved
    assert notes == ["The comparison of budgets leaves out 6,000 yuan and 8,000 yuan: 4,000 "
                     "yuan already buys the smallest expected shortfall reachable (0 persons); "
                     "more money buys nothing."]


def test_a_larger_budget_that_still_helps_is_kept():
    kwargs = {"cost_per_trainee": 100, "pass_rate": 1.0, "integer": "none"}

    def solve(budget):
        return (planning.allocate_quotas(_needs(), budget=budget, **kwargs),
                planning.proportional_plan(_needs(), budget=budget, **kwargs))

    plans, notes = budget_comparison(*solve(1_000), solve, budget=1_000)
    assert sorted({float(p.summary["budget"]) for p in plans.values()})[-1] == 2_000
    assert notes == []


def _curve(after, closed, budgets):
    table = pd.DataFrame({"shortfall_after": after, "share_closed": closed},
                         index=pd.Index(budgets, name="budget"))
    return planning.BudgetCurve(table, float("nan"), 0.95, None, "market")


def test_free_places_say_capacities_limit_not_money():
    curve = _curve([8718.0], [0.25], [0.0])
    limit = {"budget": 0.0, "units": 64, "unit": "cells", "at_capacity": 64, "free": True,
             "risk": "expected", "quantile": np.nan}
    words = _closing_text(curve, "yuan", "persons", limit=limit)
    assert "beyond about 0 yuan" not in words
    assert "places cost nothing here" in words and "the capacities do" in words
    assert "8,718 persons (25% closed)" in words


def test_a_budget_beyond_saturation_is_said_to_be_more_than_needed():
    curve = _curve([100.0, 50.0, 40.0], [0.0, 0.5, 0.6], [0.0, 1e6, 2e6])
    limit = {"budget": 2e6, "units": 4, "unit": "cells", "at_capacity": 4, "free": False,
             "risk": "expected", "quantile": np.nan}
    words = _closing_text(curve, "yuan", "persons", limit=limit, budget=1e9)
    assert ("Beyond about 2 million yuan more money buys nothing (the budget of 1 billion "
            "yuan is more than the plan can use). Every cell's places are then at its "
            "capacity") in words
    limit.update(at_capacity=0)
    words = _closing_text(curve, "yuan", "persons", limit=limit, budget=1e6)
    assert "The places of every cell then already cover its simulated gaps" in words


def test_capacity_is_paid_elsewhere_only_where_its_years_budget_binds():
    rows = pd.DataFrame({
        "kind": ["budget", "budget", "capacity", "capacity"],
        "name": ["budget[2025]", "budget[2029]", "capacity[A, 2025]", "capacity[A, 2029]"],
        "words": ["the budget for 2025", "the budget for 2029", "capacity of A, 2025",
                  "capacity of A, 2029"],
        "binds": [True, False, True, True], "limit": [1e7, 1e9, 400, 400],
        "used": [1e7, 1.5e8, 400, 400], "unit": ["money", "money", "places", "places"],
        "value": [6e-4, 0.0, 0.5, 0.6], "objective": "expected shortfall",
        "period": ["2025", "2029", "2025", "2029"]})
    lines = plain_constraints(rows, currency="yuan", unit="person-years",
                              summary=pd.Series({"need_periods": "2026–2030"}))
    assert PAID in lines[2]
    assert PAID not in lines[3]
    one = rows.drop(columns="period").iloc[[0, 2]]   # one budget: every capacity pays from it
    assert PAID in plain_constraints(one, currency="yuan")[1]


def test_multiyear_capacity_sentence_follows_its_funding_years_budget():
    # A certifies 0.9 a place, B 0.5; 2026's 1,000 fills A's capacity (5 places in each
    # region) and binds; 2027's budget is more than every capacity takes
    needs = pd.DataFrame([{"region": r, "industry": i, "period": str(y), "sample": k,
                           "gap": 60.0 + 10 * k} for r in ("N", "S") for i in ("A", "B")
                          for y in (2026, 2027, 2028) for k in range(3)])
    plan = planning.allocate_quotas(
        needs, periods=[2026, 2027], lead_time=1, exit_rate=0.1, cost_per_trainee=100.0,
        capacity=5.0, budget=pd.DataFrame({"period": ["2026", "2027"],
                                           "budget": [1000.0, 1e6]}),
        pass_rate=pd.DataFrame({"industry": ["A", "B"], "pass_rate": [0.9, 0.5]}))
    table = plan.constraints
    assert table.loc[table["kind"] == "budget", "binds"].tolist() == [True, False]
    caps = table[table["kind"] == "capacity"]
    assert set(caps["period"]) == {"2026", "2027"}
    for period, line in zip(caps["period"], caps["sentence"], strict=True):
        assert (PAID in line) == (period == "2026")
    words = plain_constraints(table, currency="yuan", unit="person-years",
                              summary=plan.summary)
    assert [PAID in w for w in words] == [PAID in line for line in plan.binding]


def test_cells_left_short_by_the_minimum_class_size_are_named():
    curve = _curve([100.0, 40.0], [0.0, 0.6], [0.0, 1e6])
    limit = {"budget": 1e6, "units": 10, "unit": "cells", "at_capacity": 6, "short": 3,
             "min_class": True, "free": False, "risk": "expected", "quantile": np.nan}
    words = _closing_text(curve, "yuan", "persons", limit=limit)
    assert ("6 of the 10 cells are then at their capacities and 3 others stay short (no "
            "class of the minimum size runs there), while the places of the rest already "
            "cover their simulated gaps") in words


def test_a_budget_of_zero_is_compared_once_without_a_note():
    kwargs = {"cost_per_trainee": 100, "pass_rate": 1.0, "integer": "none"}

    def solve(budget):
        raise AssertionError(f"solved again at {budget}")

    plan = planning.allocate_quotas(_needs(), budget=0, **kwargs)
    proportional = planning.proportional_plan(_needs(), budget=0, **kwargs)
    plans, notes = budget_comparison(plan, proportional, solve, budget=0.0)
    assert list(plans) == ["optimised, budget 0", "proportional, budget 0"] and notes == []


def test_minimums_below_every_budget_still_say_where_the_curve_starts():
    kwargs = {"cost_per_trainee": 100, "pass_rate": 1.0, "integer": "none", "min_quota": 1}

    def solve(budget):
        return (planning.allocate_quotas(_needs(), budget=budget, **kwargs),
                planning.proportional_plan(_needs(), budget=budget, **kwargs))

    plans, notes = budget_comparison(*solve(2_000), solve, budget=2_000, currency="yuan")
    assert min(float(p.summary["budget"]) for p in plans.values()) == 500
    assert notes == ["The budget curve starts at 200 yuan, the cost of the minimum quotas: no "
                     "plan funds them with less."]
