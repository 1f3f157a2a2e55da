"""What more money buys: classes, envelopes, the closing budget, per-year budgets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import ParameterError
from talentgap.planning import allocate_quotas, budget_curve, what_if

INDUSTRIES = ["textiles", "robots", "welding"]
REGIONS = ["North", "South"]


def _paths(seed: int, periods=("2026",), k: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.MultiIndex.from_product([REGIONS, INDUSTRIES, list(periods), range(k)],
                                       names=["region", "industry", "period", "sample"])
    level = rng.uniform(20.0, 120.0, size=(len(REGIONS) * len(INDUSTRIES), 1, 1))
    noise = rng.normal(0.0, 10.0, size=(level.shape[0], len(periods), k))
    return index.to_frame(index=False).assign(gap=(level + noise).ravel())


CLASS = dict(cost_per_trainee=100.0, pass_rate=0.8, capacity=80, min_class_size=40)


# --------------------------------------------------------------------------- classes


@pytest.mark.parametrize("integer", ["round", "exact"])
def test_money_below_one_class_is_the_limit_not_worthless(integer):
    paths = _paths(0)
    plan = allocate_quotas(paths, budget=1_000.0, integer=integer, **CLASS)
    assert plan.summary["places"] == 0   # one class costs 4,000
    relaxed = allocate_quotas(paths, budget=1_000.0, integer="none",
                              **{**CLASS, "min_class_size": None})
    # the value of money is the relaxation's: places bought one at a time
    assert plan.marginal_value["budget"] == pytest.approx(
        float(relaxed.marginal_value["budget"]), rel=1e-9)
    assert plan.marginal_value["budget"] > 0
    line = plan.binding[0]
    assert "not the limit" not in line
    assert "the money left (1,000) is less than one class (4,000)" in line
    row = plan.constraints[plan.constraints["kind"] == "budget"].iloc[0]
    assert bool(row["binds"])


def test_multi_year_money_below_one_class_is_the_limit():
    paths = _paths(1, periods=("2026", "2027", "2028"))
    plan = allocate_quotas(paths, periods=[2026, 2027], budget=1_000.0, lead_time=1,
                           exit_rate=0.0, **CLASS)
    assert plan.summary["places"] == 0
    assert plan.marginal_value["budget"] > 0
    assert any("is less than one class (4,000)" in line for line in plan.binding)


def test_class_curve_runs_to_where_more_money_changes_nothing():
    paths = _paths(2)
    kwargs = dict(integer="round", **CLASS)
    curve = budget_curve(paths, 5, budget=1_000.0, **kwargs)
    end = float(curve.table.index.max())
    assert end > 4_000   # well past one class, not stuck at the base budget
    rich = allocate_quotas(paths, budget=1e9, **kwargs)
    assert curve.table["shortfall_after"].iloc[-1] == pytest.approx(
        float(rich.summary["shortfall_after"]), rel=1e-9)
    assert curve.table["shortfall_after"].iloc[0] > curve.table["shortfall_after"].iloc[-1]
    assert curve.limit in ("capacities", "need")


# --------------------------------------------------------------------------- closing budget


def test_closing_budget_is_refined_between_grid_points():
    # 400 short; places cost 100 and all pass: closing 95% takes 38,000 exactly
    needs = pd.DataFrame({"region": "N", "industry": ["textiles", "robots"],
                          "period": "2026", "gap": [300.0, 100.0]})
    curve = budget_curve(needs, [0, 10_000, 20_000, 30_000, 40_000], share=0.95,
                         cost_per_trainee=100, pass_rate=1.0, integer="none")
    assert 38_000 <= curve.closing_budget <= 38_000 * 1.01
    assert 0 < curve.closing_tolerance <= 0.01 * curve.closing_budget
    first = budget_curve(needs, [40_000, 50_000], share=0.95, cost_per_trainee=100,
                         pass_rate=1.0, integer="none")
    assert first.closing_budget == 40_000 and first.closing_tolerance == 0.0


# --------------------------------------------------------------------------- arguments


def test_max_budget_is_checked_as_itself():
    paths = _paths(3)
    with pytest.raises(ParameterError, match=r"max_budget must be .* got -5"):
        budget_curve(paths, 3, max_budget=-5, cost_per_trainee=100.0, pass_rate=0.8)


def test_funding_period_is_the_plans_period():
    paths = _paths(4, periods=("2026", "2027", "2028"))
    kwargs = dict(cost_per_trainee=100.0, pass_rate=0.8, lead_time=1, integer="none")
    curve = budget_curve(paths, [0.0, 5_000.0], funding_period="2026", period="2027",
                         **kwargs)
    plan = allocate_quotas(paths, budget=5_000.0, period="2026", **kwargs)
    assert curve.period == "2027"
    assert curve.table["shortfall_after"].iloc[-1] == pytest.approx(
        float(plan.summary["shortfall_after"]))


# --------------------------------------------------------------------------- what_if


def _years_base(**extra) -> dict:
    return {"needs": _paths(5, periods=("2026", "2027", "2028")), "periods": [2026, 2027],
            "cost_per_trainee": 100.0, "pass_rate": 0.8, "lead_time": 1, "exit_rate": 0.0,
            "integer": "none", **extra}


def test_budget_factor_grows_the_envelopes_too():
    envelopes = pd.DataFrame({"region": REGIONS, "budget": [1_000.0, 1_000.0]})
    base = _years_base(budget=4_000.0, budget_envelopes=envelopes)
    run = what_if(base, {"more": {"budget_factor": 1.5}})
    assert run.table.loc["more", "changes"] == "budget x1.5; budget envelopes x1.5"
    by_hand = allocate_quotas(base["needs"], **{
        **{k: v for k, v in base.items() if k != "needs"}, "budget": 6_000.0,
        "budget_envelopes": envelopes.assign(budget=1_500.0)})
    assert run.table.loc["more", "shortfall_after"] == pytest.approx(
        float(by_hand.summary["shortfall_after"]))
    assert run.table.loc["more", "shortfall_after"] < run.table.loc["base",
                                                                    "shortfall_after"]


def test_per_year_budget_scenarios_are_told_apart_and_valued():
    profile = pd.DataFrame({"period": ["2026", "2027"], "budget": [1_000.0, 3_000.0]})
    more = profile.assign(budget=[1_500.0, 3_000.0])
    run = what_if(_years_base(budget=profile), {"2026 up": {"budget": more}}, per_year=True)
    assert run.table.loc["2026 up", "changes"] == "budget 2026 1,000 -> 1,500"
    base = run.table.loc["base"]
    # one more unit of the total, spread as the budgets are
    expected = (1_000.0 * base["marginal_value[2026]"]
                + 3_000.0 * base["marginal_value[2027]"]) / 4_000.0
    assert base["marginal_value"] == pytest.approx(expected)
    assert base["marginal_value"] > 0


def test_quantile_marginal_value_names_its_objective():
    paths = _paths(6)
    curve = budget_curve(paths, [0.0, 2_000.0], cost_per_trainee=100.0, pass_rate=0.8,
                         integer="none", risk="quantile", quantile=0.8)
    words = curve.table["marginal_value_objective"].iloc[0]
    assert "80" in words and words != curve.shortfall_basis


def test_class_curve_ends_at_a_budget_whose_plan_is_the_richest():
    # whole places: a plan solved at exactly the money the saturated plan spends can lose
    # its last place, so the curve must not end there with a larger shortfall
    rng = np.random.default_rng(8)
    cells = pd.MultiIndex.from_product([REGIONS, INDUSTRIES], names=["region", "industry"]
                                       ).to_frame(index=False)
    k = 12
    index = pd.MultiIndex.from_product([REGIONS, INDUSTRIES, ["2026"], range(k)],
                                       names=["region", "industry", "period", "sample"])
    gaps = rng.uniform(-10, 120, size=(6, 1)) + rng.normal(0, 15, size=(6, k))
    paths = index.to_frame(index=False).assign(gap=gaps.ravel())
    kwargs = dict(cost_per_trainee=cells.assign(cost_per_trainee=rng.uniform(50, 200, 6)
                                                .round(1)),
                  pass_rate=cells.assign(pass_rate=rng.uniform(0.5, 1.0, 6).round(3)),
                  capacity=cells.assign(capacity=200.0), integer="round", min_class_size=10)
    rich = allocate_quotas(paths, budget=1e9, **kwargs)
    curve = budget_curve(paths, 5, **kwargs)
    assert curve.table["shortfall_after"].iloc[-1] == pytest.approx(
        float(rich.summary["shortfall_after"]), rel=1e-9)
    assert np.all(np.diff(curve.table["shortfall_after"].to_numpy()) <= 1e-9)


def test_a_full_class_cell_reports_its_capacity_and_ends_the_curve():
    # a class that runs raises its cell's lower bound; the capacity it fills is still the
    # caller's limit: its row binds with the fixed plan's value, and the curve names it
    needs = pd.DataFrame({"region": "N", "industry": ["textiles", "robots"], "period": "2026",
                          "gap": [100.0, 5.0]})
    kwargs = dict(cost_per_trainee=100.0, pass_rate=1.0, integer="round", min_class_size=10,
                  capacity=pd.DataFrame({"industry": ["textiles", "robots"],
                                         "capacity": [30.0, 50.0]}))
    plan = allocate_quotas(needs, budget=1e6, **kwargs)
    assert plan.quotas.set_index("industry")["quota"].to_dict() == {"textiles": 30.0,
                                                                    "robots": 10.0}
    rows = plan.constraints[plan.constraints["kind"] == "capacity"]
    assert rows["name"].tolist() == ["capacity[textiles in N]"]
    assert bool(rows["binds"].iloc[0]) and rows["value"].iloc[0] == pytest.approx(1.0)
    assert budget_curve(needs, 3, **kwargs).limit == "capacities"


def test_profile_curve_values_money_at_a_total_of_zero():
    # at a total of 0 every period's budget is 0, so only the profile says how one more
    # unit is spread: the value is the profile-weighted mean of the periods' values
    base = _years_base()
    profile = pd.DataFrame({"period": [2026, 2027], "budget": [1_000.0, 3_000.0]})
    curve = budget_curve(base.pop("needs"), [0.0, 2_000.0], budget=profile, **base)
    for total in (0.0, 2_000.0):
        plan = allocate_quotas(_years_base()["needs"], budget=profile.assign(
            budget=[0.25 * total, 0.75 * total]), **base)
        mv = plan.marginal_value
        assert curve.table.loc[total, "marginal_value"] == pytest.approx(
            0.25 * mv["budget[2026]"] + 0.75 * mv["budget[2027]"], rel=1e-9)
    assert curve.table.loc[0.0, "marginal_value"] > 0
