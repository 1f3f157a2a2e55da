"""Tests of talentgap.planning.what_if and budget_curve: scenarios, shocks, the budget curve."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

from talentgap.errors import ParameterError, PlanningError
from talentgap.planning import (
    BudgetCurve,
    DemandShock,
    allocate_quotas,
    budget_curve,
    plot_budget_curve,
    plot_what_if,
    shock_needs,
    what_if,
)

INDUSTRIES = ["textiles", "robots", "ecommerce"]
REGIONS = ["Ashmere", "Bluewater"]
YEARS = ["2026", "2027", "2028", "2029"]


def _samples(seed: int, n_samples: int = 20) -> pd.DataFrame:
    """Sample paths of the gap: 2 regions x 3 industries x 4 years."""
    rng = np.random.default_rng(seed)
    index = pd.MultiIndex.from_product([REGIONS, INDUSTRIES, YEARS, range(n_samples)],
                                       names=["region", "industry", "period", "sample"])
    level = rng.uniform(20, 120, size=(len(REGIONS) * len(INDUSTRIES), 1, 1))
    trend = rng.uniform(0, 10, size=level.shape) * np.arange(len(YEARS))[None, :, None]
    noise = rng.normal(0, 15, size=(level.shape[0], len(YEARS), n_samples))
    gap = (level + trend + noise).ravel()
    return index.to_frame(index=False).assign(gap=gap)


COSTS = pd.DataFrame({"industry": INDUSTRIES, "cost_per_trainee": [120.0, 200.0, 80.0]})
PASS = pd.DataFrame({"industry": INDUSTRIES, "pass_rate": [0.8, 0.6, 0.9]})


def _base(needs, budget=20_000.0, **extra) -> dict:
    return {"needs": needs, "periods": [2026, 2027, 2028], "budget": budget,
            "cost_per_trainee": COSTS, "pass_rate": PASS, "lead_time": 1, "exit_rate": 0.1,
            **extra}


def _annual(*values) -> pd.DataFrame:
    return pd.DataFrame({"period": [str(2026 + i) for i in range(len(values))],
                         "budget": list(values)})


# --------------------------------------------------------------------------- what_if


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("budget", [8_000.0, _annual(3_000.0, 5_000.0, 2_000.0)],
                         ids=["one budget", "annual budgets"])
def test_more_budget_never_increases_the_shortfall(seed, budget):
    run = what_if(_base(_samples(seed), budget=budget),
                  {"budget +20%": {"budget_factor": 1.2}, "budget +50%": {"budget_factor": 1.5}})
    after = run.table["shortfall_after"].to_numpy()
    assert after[1] <= after[0] + 1e-6
    assert after[2] <= after[1] + 1e-6
    assert run.table["total_cost"].iloc[1] == pytest.approx(1.2 * run.table["budget"].iloc[0])
    assert (run.table["shortfall_before"] == run.table["shortfall_before"].iloc[0]).all()


def test_budget_factor_scales_an_annual_budget_table():
    budget = _annual(3_000.0, 5_000.0, 2_000.0)
    run = what_if(_base(_samples(0), budget=budget), {"+20%": {"budget_factor": 1.2}})
    years = run.plans["+20%"].years.set_index(run.plans["+20%"].years["period"].astype(str))
    assert years.loc[["2026", "2027", "2028"], "budget"].tolist() == pytest.approx(
        [3_600.0, 6_000.0, 2_400.0])
    assert budget["budget"].tolist() == [3_000.0, 5_000.0, 2_000.0]   # the input is unchanged


def test_weighted_objective_never_increases_with_budget_and_a_policy_need():
    needs = _samples(3)
    policy = needs.groupby(["region", "industry", "period"], as_index=False)["gap"].mean()
    policy = policy.rename(columns={"gap": "policy_need"}).assign(
        policy_need=lambda d: d["policy_need"].clip(lower=0) * 0.5)
    run = what_if(_base(needs, policy_need=policy), {"+20%": {"budget_factor": 1.2}})
    objective = [p.summary["objective"] for p in run.plans.values()]
    assert objective[1] <= objective[0] + 1e-6
    assert {"policy_shortfall_before", "policy_shortfall_after",
            "policy_share_closed"} <= set(run.table.columns)
    assert run.table["policy_shortfall_before"].iloc[0] == pytest.approx(
        policy.loc[policy["period"] != "2029", "policy_need"].sum()
        + policy.loc[policy["period"] == "2029", "policy_need"].sum())


def test_demand_shock_in_one_industry_raises_its_places():
    # the same cost and yield everywhere, and a budget far below the need
    needs = _samples(4)
    base_args = _base(needs, budget=10_000.0, cost_per_trainee=100.0, pass_rate=1.0)
    run = what_if(base_args, {
        "textiles shock": {"demand_shock": DemandShock(1.6, where={"industry": "textiles"})}})
    base, shocked = run.plans["base"], run.plans["textiles shock"]
    assert base.marginal_value["budget"] > 0          # the budget binds
    table = run.table
    assert table.loc["textiles shock", "quota[textiles]"] > table.loc["base",
                                                                     "quota[textiles]"] + 1
    assert table.loc["textiles shock", "total_cost"] == pytest.approx(10_000.0)
    # only textiles' need grew
    assert shocked.summary["shortfall_before"] > base.summary["shortfall_before"]
    cells = shocked.cells.merge(base.cells, on=["region", "industry", "period"])
    other = cells["industry"] != "textiles"
    assert np.allclose(cells.loc[other, "gap_before_x"], cells.loc[other, "gap_before_y"])
    assert np.allclose(cells.loc[~other, "gap_before_x"], 1.6 * cells.loc[~other, "gap_before_y"])
    assert table.loc["textiles shock", "changes"] == "textiles market need x1.6"


def test_shock_of_some_periods_and_regions_only():
    needs = _samples(0, n_samples=2)
    shock = DemandShock(2.0, where={"region": ["Ashmere"], "industry": "robots"},
                        periods=[2028, "2029"])
    out = shock_needs(needs, shock)
    hit = ((needs["region"] == "Ashmere") & (needs["industry"] == "robots")
           & needs["period"].isin(["2028", "2029"]))
    assert np.allclose(out.loc[hit, "gap"], 2 * needs.loc[hit, "gap"])
    assert np.allclose(out.loc[~hit, "gap"], needs.loc[~hit, "gap"])
    assert hit.sum() == 2 * 2


def test_shock_scales_interval_columns_of_a_forecast_table():
    forecast = pd.DataFrame({"region": "N", "industry": ["a", "b"], "period": "2026",
                             "gap": [10.0, 20.0], "gap_lo_80": [5.0, 15.0],
                             "gap_hi_80": [15.0, 25.0], "demand": [50.0, 60.0]})
    out = shock_needs(forecast, DemandShock(3.0, where={"industry": "a"}))
    assert out.iloc[0][["gap", "gap_lo_80", "gap_hi_80", "demand"]].tolist() == [
        30.0, 15.0, 45.0, 50.0]


def test_policy_need_shock_changes_the_policy_table_only():
    needs = _samples(1, n_samples=3)
    policy = needs.groupby(["region", "industry", "period"], as_index=False)["gap"].mean()
    policy = policy.rename(columns={"gap": "policy_need"}).assign(policy_need=10.0)
    run = what_if(_base(needs, policy_need=policy), {"policy up": {"demand_shock": {
        "factor": 2.0, "where": {"region": "Ashmere"}, "need": "policy"}}})
    before = run.table["policy_shortfall_before"]
    assert before["policy up"] == pytest.approx(1.5 * before["base"])
    assert run.table["shortfall_before"].nunique() == 1


def test_a_function_as_base_gets_the_scenario_arguments():
    needs = _samples(2, n_samples=3)
    calls = []

    def plan(budget=5_000.0, lead_time=1):
        calls.append((budget, lead_time))
        return allocate_quotas(needs, periods=[2026, 2027], budget=budget,
                               cost_per_trainee=100, pass_rate=1.0, lead_time=lead_time)

    run = what_if(plan, {"rich": {"budget": 9_000.0}, "fast": {"lead_time": 0}})
    assert calls == [(5_000.0, 1), (9_000.0, 1), (5_000.0, 0)]
    assert run.table.index.tolist() == ["base", "rich", "fast"]
    assert run.table.index.name == "scenario"


def test_unknown_scenario_key_names_the_scenario_and_the_key():
    base = _base(_samples(0, n_samples=2))
    with pytest.raises(ParameterError, match=r"scenario 'budget \+20%'.*'budgt_factor'"
                                             r".*did you mean 'budget_factor'"):
        what_if(base, {"budget +20%": {"budgt_factor": 1.2}})
    with pytest.raises(ParameterError, match=r"scenario 'late'.*'leadtime'"):
        what_if(base, {"ok": {"budget": 1.0}, "late": {"leadtime": 2}})
    with pytest.raises(ParameterError, match=r"scenario 'x'.*'budget_factor'.*mapping"):
        what_if(lambda budget=1.0: None, {"x": {"budget_factor": 1.2}})
    with pytest.raises(ParameterError, match=r"scenario 'shock'.*demand_shock has no field "
                                             r"'industry'"):
        what_if(base, {"shock": {"demand_shock": {"factor": 1.2, "industry": "textiles"}}})
    with pytest.raises(ParameterError, match="scenario 'half'.*budget_factor"):
        what_if(base, {"half": {"budget_factor": -0.5}})
    with pytest.raises(ParameterError, match="baseline"):
        what_if(base, {"base": {"budget": 1.0}})


def test_shock_selecting_nothing_is_an_error_naming_the_values():
    base = _base(_samples(0, n_samples=2))
    with pytest.raises(PlanningError, match=r"scenario 'typo'.*industry in \['textile'\]"):
        what_if(base, {"typo": {"demand_shock": DemandShock(1.5, where={"industry": "textile"})}})
    with pytest.raises(PlanningError, match="no column 'sector'"):
        what_if(base, {"col": {"demand_shock": DemandShock(1.5, where={"sector": "x"})}})
    with pytest.raises(ParameterError, match="factor"):
        DemandShock(-1.0, where={"industry": "textiles"})


def test_plot_what_if_draws_one_bar_pair_per_scenario():
    run = what_if(_base(_samples(0, n_samples=3)), {"+20%": {"budget_factor": 1.2}})
    ax = plot_what_if(run)
    assert isinstance(ax, Axes)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["base", "+20%"]
    assert len(ax.patches) == 2 * 2
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths[-1] == pytest.approx(run.table["shortfall_before"].iloc[0])


# --------------------------------------------------------------------------- budget curve


@pytest.mark.parametrize("multiyear", [False, True], ids=["one period", "multi-year"])
def test_budget_curve_is_non_increasing_and_its_closing_budget_closes_the_share(multiyear):
    needs = _samples(5)
    kwargs = dict(cost_per_trainee=COSTS, pass_rate=PASS, integer="none")
    if multiyear:
        # lead time 0: places of 2026 serve 2026, so every need period can close
        kwargs.update(periods=[2026, 2027, 2028, 2029], lead_time=0, exit_rate=0.1)
    else:
        needs = needs[needs["period"] == "2026"]
    curve = budget_curve(needs, 12, share=0.9, **kwargs)
    assert isinstance(curve, BudgetCurve)
    after = curve.table["shortfall_after"].to_numpy()
    assert curve.table.index[0] == 0.0 and len(after) == 12
    assert np.all(np.diff(after) <= 1e-6)
    assert after[0] > after[-1]
    closing = curve.closing_budget
    assert np.isfinite(closing)
    plan = allocate_quotas(needs, budget=closing, **kwargs)
    before = plan.summary["shortfall_before"]
    assert 1 - plan.summary["shortfall_after"] / before >= 0.9 - 1e-9
    smaller = curve.table.index[curve.table.index < closing]
    assert len(smaller)
    assert curve.table.loc[smaller[-1], "share_closed"] < 0.9


def test_budget_curve_by_need_period_with_an_annual_profile():
    needs = _samples(6)
    profile = _annual(1.0, 2.0, 1.0)
    kwargs = dict(periods=[2026, 2027, 2028], cost_per_trainee=COSTS, pass_rate=PASS,
                  lead_time=1, exit_rate=0.1)
    curve = budget_curve(needs, [0, 5e3, 1e4, 2e4, 4e4, 8e4, 1.6e5], share=0.95, period=2029,
                         budget=profile, **kwargs)
    assert curve.period == "2029"
    after = curve.table["shortfall_after"].to_numpy()
    assert np.all(np.diff(after) <= 1e-6)
    assert np.allclose(after, curve.table["shortfall_after[2029]"])
    closing = curve.closing_budget
    budget = profile.assign(budget=profile["budget"] * closing / 4.0)
    plan = allocate_quotas(needs, budget=budget, **kwargs)
    years = plan.years.set_index(plan.years["period"].astype(str))
    assert 1 - (years.loc["2029", "shortfall_after"]
                / years.loc["2029", "shortfall_before"]) >= 0.95 - 1e-9
    # places cannot arrive in 2026 (lead time 1): that need never closes
    never = budget_curve(needs, [0, 1e5], period=2026, budget=profile, **kwargs)
    assert np.isnan(never.closing_budget)


def test_budget_curve_with_a_policy_need_asks_each_need_to_close():
    needs = _samples(7, n_samples=4)
    policy = needs.groupby(["region", "industry", "period"], as_index=False)["gap"].mean()
    policy = policy.rename(columns={"gap": "policy_need"}).assign(
        policy_need=lambda d: np.where(d["industry"] == "robots", 300.0, 0.0))
    kwargs = dict(periods=[2026, 2027, 2028], cost_per_trainee=COSTS, pass_rate=PASS,
                  lead_time=1, exit_rate=0.1, policy_need=policy)
    grid = np.linspace(0, 2e5, 9)
    both = budget_curve(needs, grid, share=0.5, period=2029, **kwargs)
    market = budget_curve(needs, grid, share=0.5, period=2029, need="market", **kwargs)
    assert both.closing_budget >= market.closing_budget
    # the closing budget is refined between grid points: its own plan closes both needs
    assert both.closing_budget not in set(grid) or both.closing_tolerance == 0.0
    row = budget_curve(needs, [both.closing_budget], share=0.5, period=2029,
                       **kwargs).table.iloc[0]
    assert row["share_closed"] >= 0.5 - 1e-9 and row["policy_share_closed"] >= 0.5 - 1e-9


def test_budget_curve_rejects_bad_arguments():
    needs = _samples(0, n_samples=2)
    kwargs = dict(cost_per_trainee=100, pass_rate=1.0)
    with pytest.raises(ParameterError, match="share"):
        budget_curve(needs, 5, share=1.5, **kwargs)
    with pytest.raises(ParameterError, match="need="):
        budget_curve(needs, 5, need="all", **kwargs)
    with pytest.raises(ParameterError, match="budgets"):
        budget_curve(needs, [-1.0, 5.0], **kwargs)
    with pytest.raises(PlanningError, match="not a need period"):
        budget_curve(needs, [0.0, 1e4], period=2035, periods=[2026], **kwargs)


def test_plot_budget_curve_has_readable_axes():
    needs = _samples(8)
    curve = budget_curve(needs, 6, periods=[2026, 2027, 2028], cost_per_trainee=COSTS,
                         pass_rate=PASS, lead_time=1, exit_rate=0.1, share=0.5)
    ax = plot_budget_curve(curve)
    assert isinstance(ax, Axes)
    ax.figure.canvas.draw()
    assert ax.xaxis.get_major_formatter().get_offset() == ""
    assert ax.yaxis.get_major_formatter().get_offset() == ""
    # the curve does not reach 0 (the first year is never covered): y starts above 0
    assert ax.get_ylim()[0] > 0
    legend = ax.get_legend()
    anchor = legend.get_bbox_to_anchor().transformed(ax.transAxes.inverted())
    assert anchor.x0 > 1.0
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[0] == "market need" and any(lab.startswith("closing budget") for lab in labels)
