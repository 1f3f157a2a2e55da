"""what_if, compare_plans and budget_curve on a multi-year plan over training programmes.

A notebook user's case: two regions x three industries, needs in 2026 and 2027,
three programmes (welding feeds construction and equipment), places funded in
both years, 10% of workers leaving each year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning
from talentgap.planning import (
    DemandShock,
    allocate_quotas,
    budget_curve,
    compare_plans,
    what_if,
)

INDUSTRIES = ["construction", "equipment", "textiles"]
PERIODS = [2026, 2027]


@pytest.fixture(scope="module")
def needs() -> pd.DataFrame:
    frame = pd.DataFrame([(r, i, p) for r in ["North", "South"] for i in INDUSTRIES
                          for p in ["2026", "2027"]], columns=["region", "industry", "period"])
    frame["gap"] = [40.0, 60.0, 30.0, 50.0, 20.0, 10.0, 25.0, 35.0, 15.0, 20.0, 45.0, 55.0]
    return frame


CROSSWALK = pd.DataFrame({"program": ["welding", "welding", "cnc", "sewing"],
                          "industry": ["construction", "equipment", "equipment", "textiles"],
                          "share": [0.7, 0.3, 1.0, 1.0]})
COSTS = pd.DataFrame({"program": ["welding", "cnc", "sewing"],
                      "cost_per_trainee": [100.0, 150.0, 80.0]})
PLAN = dict(crosswalk=CROSSWALK, periods=PERIODS, cost_per_trainee=COSTS, pass_rate=0.8,
            exit_rate=0.1, integer="none")


@pytest.fixture(scope="module")
def plan(needs):
    return allocate_quotas(needs, budget=6_000, **PLAN)


# --------------------------------------------------------------------------- budget_curve


def test_budget_curve_falls_with_money_and_meets_the_plan_at_its_budget(needs, plan):
    grid = [0, 2_000, 4_000, 6_000, 9_000, 15_000, 30_000]
    curve = budget_curve(needs, grid, **PLAN)
    table = curve.table
    after = table["shortfall_after"].to_numpy()
    assert np.all(np.diff(after) <= 1e-9)
    assert after[0] == pytest.approx(float(plan.summary["shortfall_before"]))
    assert table.loc[6_000.0, "shortfall_after"] == pytest.approx(
        float(plan.summary["shortfall_after"]), abs=1e-9)
    assert table.loc[6_000.0, "places"] == pytest.approx(float(plan.summary["places"]))
    assert (table["total_cost"].to_numpy() <= np.asarray(grid) + 1e-6).all()
    # the curve's value of money at each budget is that plan's own budget dual
    assert table.loc[0.0, "marginal_value"] == pytest.approx(
        float(allocate_quotas(needs, budget=0.0, **PLAN).marginal_value["budget"]))
    assert table["share_closed"].between(0.0, 1.0).all()


def test_budget_curve_finds_the_closing_budget_of_a_programme_plan(needs):
    curve = budget_curve(needs, 6, share=0.9, **PLAN)
    table = curve.table
    assert table["shortfall_after"].iloc[-1] == pytest.approx(0.0, abs=1e-6)
    closing = curve.closing_budget
    # refined between grid points: its plan closes the share, 1% less money does not
    at = budget_curve(needs, [0.99 * closing, closing], share=0.9, **PLAN).table
    assert at["share_closed"].iloc[1] >= 0.9 - 1e-9
    assert curve.closing_tolerance <= 0.01 * closing
    assert (table.loc[table.index < closing, "share_closed"] < 0.9).all()
    assert np.all(np.diff(table["shortfall_after"].to_numpy()) <= 1e-9)


def test_budget_curve_in_one_need_period_and_on_a_budget_profile(needs):
    profile = pd.DataFrame({"period": PERIODS, "budget": [4_000.0, 2_000.0]})
    curve = budget_curve(needs, [3_000, 6_000, 12_000], budget=profile, period=2027, **PLAN)
    assert curve.period == "2027"
    at_profile = allocate_quotas(needs, budget=profile, **PLAN)
    years = at_profile.years.set_index(at_profile.years["period"].astype(str))
    assert curve.table.loc[6_000.0, "shortfall_after"] == pytest.approx(
        float(years.loc["2027", "shortfall_after"]))
    assert curve.table.loc[6_000.0, "cost[2026]"] == pytest.approx(4_000.0)
    assert np.all(np.diff(curve.table["shortfall_after"].to_numpy()) <= 1e-9)


def test_budget_curve_with_a_binding_programme_envelope_stops_where_money_stops_helping(
        needs):
    # South's programmes may spend 3,000 in all: beyond some budget only the envelope binds
    envelope = pd.DataFrame({"region": ["South"], "budget": [3_000.0]})
    with pytest.warns(DataQualityWarning, match="budget envelopes are the limit"):
        curve = budget_curve(needs, 5, budget_envelopes=envelope, **PLAN)
    last = curve.table.iloc[-1]
    capped = allocate_quotas(needs, budget=1e9, budget_envelopes=envelope, **PLAN)
    assert last["shortfall_after"] == pytest.approx(float(capped.summary["shortfall_after"]))
    assert last["shortfall_after"] > 0  # the envelope keeps South short
    assert np.isnan(curve.closing_budget)
    assert curve.limit == "budget envelopes"


# --------------------------------------------------------------------------- compare_plans


@pytest.mark.parametrize("by", ["program", "region"])
def test_compare_plans_by_programme_or_region_sums_to_the_plan_totals(needs, plan, by):
    larger = allocate_quotas(needs, budget=9_000, **PLAN)
    table = compare_plans({"6k": plan, "9k": larger}, by=by)
    groups = [c for c in table.columns if c.startswith("quota[")]
    values = sorted(pd.unique(plan.quotas[by]).astype(str))
    assert groups == [f"quota[{v}]" for v in values]
    for name, each in (("6k", plan), ("9k", larger)):
        row = table.loc[name]
        assert row[groups].sum() == pytest.approx(float(each.summary["places"]))
        assert row["places[2026]"] + row["places[2027]"] == pytest.approx(row["places"])
        assert row["cost[2026]"] + row["cost[2027]"] == pytest.approx(row["total_cost"])
        assert row["shortfall_after[2026]"] + row["shortfall_after[2027]"] == pytest.approx(
            row["shortfall_after"])
    assert table.loc["9k", "shortfall_after"] < table.loc["6k", "shortfall_after"]
    by_programme = plan.quotas.groupby(by)["quota"].sum()
    for value in values:
        assert table.loc["6k", f"quota[{value}]"] == pytest.approx(by_programme[value])


def test_compare_plans_by_industry_splits_programme_places_by_share(plan):
    table = compare_plans({"6k": plan}, by="industry")
    groups = [f"quota[{i}]" for i in INDUSTRIES]
    assert table.loc["6k", groups].sum() == pytest.approx(float(plan.summary["places"]))


# --------------------------------------------------------------------------- what_if


def test_what_if_on_a_programme_plan_reruns_each_scenario(needs, plan):
    wider = pd.concat([CROSSWALK.iloc[:2], pd.DataFrame(
        {"program": ["cnc", "cnc"], "industry": ["equipment", "construction"],
         "share": [0.5, 0.5]}), CROSSWALK.iloc[3:]], ignore_index=True)
    base = {"needs": needs, "budget": 6_000, **PLAN}
    run = what_if(base, {
        "budget +50%": {"budget_factor": 1.5},
        "textiles x2": {"demand_shock": DemandShock(2.0, where={"industry": "textiles"})},
        "cnc also trains builders": {"crosswalk": wider},
    }, by="program")
    table = run.table
    assert list(table.index) == ["base", "budget +50%", "textiles x2",
                                 "cnc also trains builders"]
    assert table.loc["base", "shortfall_after"] == pytest.approx(
        float(plan.summary["shortfall_after"]))
    more = allocate_quotas(needs, budget=9_000, **PLAN)
    assert table.loc["budget +50%", "shortfall_after"] == pytest.approx(
        float(more.summary["shortfall_after"]))
    assert table.loc["budget +50%", "total_cost"] == pytest.approx(9_000.0)
    textiles = needs.loc[needs["industry"] == "textiles", "gap"].sum()
    assert table.loc["textiles x2", "shortfall_before"] == pytest.approx(
        float(plan.summary["shortfall_before"]) + textiles)
    rewired = run.plans["cnc also trains builders"]
    assert "construction 50%" in rewired.quotas.loc[rewired.quotas["program"] == "cnc",
                                                    "feeds"].iloc[0]
    for name in table.index:
        quotas = [c for c in table.columns if c.startswith("quota[")]
        assert table.loc[name, quotas].sum() == pytest.approx(table.loc[name, "places"])
    assert table.loc["budget +50%", "changes"] == "budget x1.5"
