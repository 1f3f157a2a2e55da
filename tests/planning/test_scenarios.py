"""Tests of talentgap.planning.scenarios: the proportional rule, comparison table, plot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from talentgap.errors import PlanningError
from talentgap.planning import (
    allocate_quotas,
    compare_plans,
    plot_shortfall_vs_budget,
    proportional_plan,
)


@pytest.fixture
def forecast() -> pd.DataFrame:
    return pd.DataFrame({
        "region": ["North", "North", "South", "South"],
        "industry": ["textiles", "robots", "textiles", "robots"],
        "period": "2026",
        "gap": [300.0, 100.0, 50.0, -20.0],
    })


@pytest.fixture
def costs() -> pd.DataFrame:
    return pd.DataFrame({"industry": ["textiles", "robots"], "cost_per_trainee": [200.0, 100.0]})


def test_proportional_rule_by_hand(forecast, costs):
    # places = t * gap+: cost t * (300*200 + 100*100 + 50*200) = 80,000 t = 20,000 -> t = 0.25
    plan = proportional_plan(forecast, budget=20_000, cost_per_trainee=costs, pass_rate=1.0,
                             integer="none")
    q = plan.quotas.set_index(["region", "industry"])["quota"]
    assert q[("North", "textiles")] == pytest.approx(75.0)
    assert q[("North", "robots")] == pytest.approx(25.0)
    assert q[("South", "textiles")] == pytest.approx(12.5)
    assert q[("South", "robots")] == 0.0
    assert plan.summary["total_cost"] == pytest.approx(20_000)
    assert plan.rule == "proportional"
    assert np.isnan(plan.marginal_value["budget"])
    assert np.isnan(plan.summary["lp_objective"])
    whole = proportional_plan(forecast, budget=20_000, cost_per_trainee=costs, pass_rate=1.0)
    # floor: 75, 25, 12 (19,900); the 100 left buys no textiles place (largest remainder 0.5)
    assert whole.quotas["quota"].tolist() == [25, 75, 0, 12]
    assert whole.summary["total_cost"] == 19_900


def test_proportional_rule_stops_at_the_gap_and_respects_capacity(forecast, costs):
    cap = pd.DataFrame({"region": ["North", "South"], "capacity": [60.0, np.inf]})
    plan = proportional_plan(forecast, budget=1e9, cost_per_trainee=costs, pass_rate=0.5,
                             capacity=cap)
    q = plan.quotas.set_index(["region", "industry"])["quota"]
    assert q[("North", "textiles")] == 60      # capacity
    assert q[("North", "robots")] == 60        # capacity (needs 200)
    assert q[("South", "textiles")] == 100     # closes 50 / 0.5
    assert q[("South", "robots")] == 0         # surplus cell
    assert any("capacity of textiles in North is reached" in line for line in plan.binding)


def test_proportional_plan_rejects_exact(forecast, costs):
    with pytest.raises(PlanningError, match="use 'round' or 'none'"):
        proportional_plan(forecast, budget=1, cost_per_trainee=costs, pass_rate=1.0,
                          integer="exact")


def test_optimiser_beats_the_rule_of_thumb(forecast, costs):
    params = dict(budget=20_000, cost_per_trainee=costs, pass_rate=1.0)
    best = allocate_quotas(forecast, **params)
    naive = proportional_plan(forecast, **params)
    # the optimiser buys the cheap robots places first (100 per worker)
    assert best.quotas.set_index(["region", "industry"]).loc[("North", "robots"), "quota"] == 100
    assert best.summary["shortfall_after"] < naive.summary["shortfall_after"]


def test_compare_plans_table(forecast, costs):
    params = dict(cost_per_trainee=costs, pass_rate=1.0)
    plans = {f"{rule.__name__} {b}": rule(forecast, budget=b, **params)
             for rule in (allocate_quotas, proportional_plan) for b in (5_000, 20_000)}
    table = compare_plans(plans)
    assert table.index.tolist() == list(plans)
    assert table.index.name == "plan"
    assert ["quota[robots]", "quota[textiles]"] == [c for c in table.columns
                                                     if c.startswith("quota[")]
    for name, plan in plans.items():
        row = table.loc[name]
        assert row["shortfall_after"] == pytest.approx(plan.summary["shortfall_after"])
        assert row["total_cost"] == pytest.approx(plan.summary["total_cost"])
        by_industry = plan.quotas.groupby("industry")["quota"].sum()
        assert row["quota[robots]"] == by_industry["robots"]
        assert row["quota[textiles]"] == by_industry["textiles"]
    assert table["quota[robots]"].dtype == np.int64
    assert table.loc["allocate_quotas 20000", "marginal_value"] > 0
    assert np.isnan(table.loc["proportional_plan 20000", "marginal_value"])


def test_compare_plans_names_by_region_and_errors(forecast, costs):
    plan = allocate_quotas(forecast, budget=1_000, cost_per_trainee=costs, pass_rate=1.0)
    table = compare_plans([plan, plan], by="region")
    assert table.index.tolist() == ["optimised, budget 1,000", "optimised, budget 1,000 #2"]
    assert "quota[North]" in table.columns
    assert not any(c.startswith("quota[") for c in compare_plans([plan], by=None).columns)
    with pytest.raises(PlanningError, match="by='program' is not a key"):
        compare_plans([plan], by="program")
    with pytest.raises(PlanningError, match="at least one plan"):
        compare_plans([])
    with pytest.raises(PlanningError, match="takes QuotaPlan objects"):
        compare_plans([forecast])


def test_compare_plans_names_rows_by_budget_in_three_figures(forecast, costs):
    params = dict(cost_per_trainee=costs, pass_rate=1.0)
    plans = [rule(forecast, budget=b, **params) for rule in (allocate_quotas, proportional_plan)
             for b in (812_496_666.7, 45_260.0)]
    assert compare_plans(plans, by=None).index.tolist() == [
        "optimised, budget 812 million", "optimised, budget 45,300",
        "proportional to gap, budget 812 million", "proportional to gap, budget 45,300"]
    # two budgets that round alike keep their names apart in full
    close = [allocate_quotas(forecast, budget=b, **params) for b in (45_260.0, 45_310.5)]
    assert compare_plans(close, by=None).index.tolist() == [
        "optimised, budget 45,260", "optimised, budget 45,310.5"]


def test_plot_shortfall_vs_budget(forecast, costs):
    budgets = (2_000, 10_000, 30_000)
    plans = [rule(forecast, budget=b, cost_per_trainee=costs, pass_rate=0.8)
             for rule in (allocate_quotas, proportional_plan) for b in reversed(budgets)]
    table = compare_plans(plans)
    ax = plot_shortfall_vs_budget(table)
    assert isinstance(ax, Axes)
    assert isinstance(ax.figure, Figure)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"optimised", "proportional to gap", "no training"}
    optimised = lines["optimised"]
    assert optimised.get_xdata().tolist() == list(budgets)  # sorted by budget
    expected = table[table["label"] == "optimised"].sort_values("budget")["shortfall_after"]
    assert optimised.get_ydata().tolist() == pytest.approx(expected.tolist())
    assert lines["no training"].get_ydata()[0] == pytest.approx(400 + 50)
    # plans directly, onto given axes
    fig = Figure()
    own = fig.add_subplot()
    assert plot_shortfall_vs_budget(plans, ax=own) is own
    with pytest.raises(PlanningError, match="make it with compare_plans"):
        plot_shortfall_vs_budget(pd.DataFrame({"budget": [1]}))


def test_compare_plans_reports_the_share_of_need_closed(forecast, costs):
    plan = allocate_quotas(forecast, budget=20_000, cost_per_trainee=costs, pass_rate=1.0)
    row = compare_plans([plan], by=None).iloc[0]
    assert row["share_closed"] == pytest.approx(
        1 - plan.summary["shortfall_after"] / plan.summary["shortfall_before"])
    assert "policy_shortfall_before" not in compare_plans([plan]).columns


def test_compare_plans_adds_per_year_columns_for_multiyear_plans(forecast, costs):
    needs = pd.concat([forecast.assign(period=str(year)) for year in (2026, 2027, 2028)],
                      ignore_index=True)
    policy = needs.rename(columns={"gap": "policy_need"}).assign(policy_need=10.0)
    budgets = pd.DataFrame({"period": ["2026", "2027"], "budget": [10_000.0, 20_000.0]})
    multi = allocate_quotas(needs, periods=[2026, 2027], budget=budgets, cost_per_trainee=costs,
                            pass_rate=1.0, lead_time=1, exit_rate=0.1, policy_need=policy)
    single = allocate_quotas(forecast, budget=20_000, cost_per_trainee=costs, pass_rate=1.0)
    table = compare_plans({"multi": multi, "single": single}, by="region")
    years = [f"places[{y}]" for y in (2026, 2027, 2028)]
    assert table.loc["multi", years].sum() == pytest.approx(multi.summary["places"])
    assert table.loc["multi", "shortfall_after[2028]"] == pytest.approx(
        multi.years["shortfall_after"].iloc[-1])
    assert table.loc["multi", "policy_shortfall_before"] == pytest.approx(4 * 3 * 10.0)
    assert 0 < table.loc["multi", "policy_share_closed"] <= 1
    assert table.loc["multi", "marginal_value[2026]"] == pytest.approx(
        multi.marginal_value["budget[2026]"])
    assert np.isnan(table.loc["single", "places[2026]"])
    assert np.isnan(table.loc["single", "policy_shortfall_after"])
    # grouped by measure, periods in order, after the quota columns
    columns = list(table.columns)
    assert columns.index("quota[South]") < columns.index("places[2026]")
    assert columns.index("places[2028]") < columns.index("cost[2026]")
    assert not any("[" in c for c in compare_plans([multi], by=None, per_year=False).columns)
