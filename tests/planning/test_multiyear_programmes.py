"""Multi-year plans over training programmes: places per programme x region x funding period."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, PlanningError
from talentgap.planning import allocate_quotas

INDUSTRIES = ["construction", "equipment", "textiles"]


def _random_case(seed: int, periods: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Two regions x three industries, three programmes with random shares and parameters."""
    rng = np.random.default_rng(seed)
    regions = ["North", "South"]
    needs = pd.DataFrame([(r, i, p) for r in regions for i in INDUSTRIES for p in periods],
                         columns=["region", "industry", "period"])
    needs["gap"] = rng.uniform(0.0, 80.0, len(needs)).round(3)
    rows = []
    for program in ["welding", "cnc", "sewing"]:
        fed = rng.choice(INDUSTRIES, size=int(rng.integers(1, 4)), replace=False)
        share = rng.dirichlet(np.ones(fed.size)).round(4)
        share[-1] = 1.0 - share[:-1].sum()
        rows += [(program, i, s) for i, s in zip(fed, share, strict=True)]
    crosswalk = pd.DataFrame(rows, columns=["program", "industry", "share"])
    programmes = pd.DataFrame({"program": ["welding", "cnc", "sewing"]})
    # costs differ by region too, so that no two programmes tie
    units = programmes.merge(pd.DataFrame({"region": regions}), how="cross")
    params = {
        "budget": float(rng.uniform(3_000, 12_000)),
        "cost_per_trainee": units.assign(
            cost_per_trainee=rng.uniform(50, 150, len(units)).round(2)),
        "pass_rate": programmes.assign(pass_rate=rng.uniform(0.5, 1.0, 3).round(3)),
        "capacity": programmes.assign(capacity=rng.choice([30.0, np.inf], 3)),
    }
    return needs, crosswalk, params


def _by_programme(quotas: pd.DataFrame) -> pd.Series:
    return quotas.set_index(["program", "region"])["quota"].astype(float).sort_index()


# --------------------------------------------------------------------------- (1) one period


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("samples", [False, True])
def test_one_period_no_exits_is_the_single_period_programme_plan(seed, samples):
    needs, crosswalk, params = _random_case(seed, ["2026"])
    if samples:  # sample paths: 7 scenarios per cell around the gap
        rng = np.random.default_rng(100 + seed)
        needs = needs.loc[needs.index.repeat(7)].reset_index(drop=True)
        needs["sample"] = np.tile(np.arange(7), len(needs) // 7)
        needs["gap"] = needs["gap"] * rng.uniform(0.5, 1.5, len(needs))
    single = allocate_quotas(needs, crosswalk=crosswalk, integer="none", **params)
    years = allocate_quotas(needs, crosswalk=crosswalk, periods=["2026"], exit_rate=0.0,
                            integer="none", **params)
    assert (years.quotas["period"].astype(str) == "2026").all()
    assert years.summary["optimum_unique"]
    pd.testing.assert_series_equal(_by_programme(years.quotas), _by_programme(single.quotas),
                                   atol=1e-6, rtol=1e-6)
    for column in ("shortfall_before", "shortfall_after", "total_cost"):
        assert float(years.summary[column]) == pytest.approx(float(single.summary[column]),
                                                             abs=1e-6)
    assert float(years.marginal_value["budget"]) == pytest.approx(
        float(single.marginal_value["budget"]), abs=1e-9)
    # each binding capacity has the same value per place ("capacity[cnc in North, 2026]")
    caps = {k.removeprefix("capacity[").rsplit(", ", 1)[0]: v
            for k, v in years.marginal_value.items() if k.startswith("capacity[")}
    single_caps = {k.removeprefix("capacity[").removesuffix("]"): v
                   for k, v in single.marginal_value.items() if k.startswith("capacity[")}
    assert caps == pytest.approx(single_caps, abs=1e-9)


# --------------------------------------------------------------------------- (2) by hand


def test_one_programme_two_industries_two_years_by_hand():
    # P sends half its graduates to A and half to B; 20% leave each year. q1 places of 2026
    # give A and B 0.5 q1 workers in 2026 and 0.4 q1 in 2027; q2 places give 0.5 q2 in 2027.
    # Each year's budget buys 10 places: A 2026 has 5 of 10, A 2027 4 + 5 = 9 >= 8 (closed),
    # B 2027 9 of 20. One more unit in 2026 buys 1/100 place: 0.5 (A 2026) + 0.4 (B 2027),
    # the 2027 budget 0.5 (B 2027) per place.
    needs = pd.DataFrame({"region": "N", "industry": ["A", "A", "B", "B"],
                          "period": ["2026", "2027"] * 2, "gap": [10.0, 8.0, 0.0, 20.0]})
    crosswalk = pd.DataFrame({"program": "P", "industry": ["A", "B"], "share": [0.5, 0.5]})
    plan = allocate_quotas(
        needs, periods=[2026, 2027], crosswalk=crosswalk,
        budget=pd.DataFrame({"period": [2026, 2027], "budget": [1_000.0, 1_000.0]}),
        cost_per_trainee=100, pass_rate=1.0, exit_rate=0.2, integer="none")
    assert plan.quotas["quota"].tolist() == pytest.approx([10.0, 10.0])
    assert plan.quotas["program"].tolist() == ["P", "P"]
    assert plan.quotas["feeds"].iloc[0] == "A 50%, B 50%"
    cells = plan.cells.assign(period=plan.cells["period"].astype(str)).set_index(
        ["industry", "period"])
    assert cells["workers"].to_dict() == pytest.approx(
        {("A", "2026"): 5.0, ("A", "2027"): 9.0, ("B", "2026"): 5.0, ("B", "2027"): 9.0})
    assert cells["shortfall_after"].to_dict() == pytest.approx(
        {("A", "2026"): 5.0, ("A", "2027"): 0.0, ("B", "2026"): 0.0, ("B", "2027"): 11.0})
    assert float(plan.summary["shortfall_before"]) == pytest.approx(38.0)
    assert float(plan.summary["shortfall_after"]) == pytest.approx(16.0)
    assert float(plan.marginal_value["budget[2026]"]) == pytest.approx(0.009)
    assert float(plan.marginal_value["budget[2027]"]) == pytest.approx(0.005)
    assert (plan.cells["fed_by"] == "P").all()


def test_whole_places_keep_the_budget_and_do_not_lose_to_the_floor():
    needs, crosswalk, params = _random_case(11, ["2026", "2027", "2028"])
    params = {**params, "budget": 9_000.0}
    common = dict(crosswalk=crosswalk, periods=[2026, 2027], lead_time=1, exit_rate=0.1,
                  **params)
    none = allocate_quotas(needs, integer="none", **common)
    rounded = allocate_quotas(needs, integer="round", **common)
    exact = allocate_quotas(needs, integer="exact", **common)
    for plan in (rounded, exact):
        assert (plan.quotas["quota"] == np.round(plan.quotas["quota"])).all()
        assert float(plan.summary["total_cost"]) <= params["budget"] + 1e-6
    floor = none.quotas.assign(quota=np.floor(none.quotas["quota"] + 1e-9))
    assert (rounded.quotas["quota"] >= floor["quota"]).all()
    lower = float(none.summary["shortfall_after"])
    assert lower - 1e-6 <= float(exact.summary["shortfall_after"])
    assert float(exact.summary["shortfall_after"]) <= float(
        rounded.summary["shortfall_after"]) + 1e-6
    # within 1% of the shortfall with no plan of the integer optimum
    assert float(rounded.summary["shortfall_after"]) <= float(
        exact.summary["shortfall_after"]) + 0.01 * float(exact.summary["shortfall_before"])


def test_tied_programmes_share_the_money_in_proportion_to_need():
    # welding costs the same in N and S and every worker counts the same: any split of the
    # 20 places is optimal; the tie rule follows the needs 30 and 10
    needs = pd.DataFrame({"region": ["N", "S"], "industry": "A", "period": "2026",
                          "gap": [30.0, 10.0]})
    crosswalk = pd.DataFrame({"program": ["welding"], "industry": ["A"], "share": [1.0]})
    plan = allocate_quotas(needs, crosswalk=crosswalk, periods=[2026], exit_rate=0.0,
                           budget=2_000, cost_per_trainee=100, pass_rate=1.0,
                           integer="none")
    assert plan.quotas.set_index("region")["quota"].to_dict() == pytest.approx(
        {"N": 15.0, "S": 5.0})
    assert plan.quotas["need_at_arrival"].tolist() == pytest.approx([30.0, 10.0])
    assert not plan.summary["optimum_unique"]
    assert float(plan.summary["shortfall_after"]) == pytest.approx(20.0)


def test_policy_need_is_met_through_the_programmes_feeding_it():
    # no market need; welding (100 a place, half to A, half to B) and sewing (150, all to B)
    # against a policy need of 10 in A and 10 in B: a welder removes 1 per 100 while both are
    # short, a sewer 1 per 150, so 1,600 buy 16 welders (8 workers each) and 4 are left short
    needs = pd.DataFrame({"region": "N", "industry": ["A", "B"], "period": "2026",
                          "gap": [0.0, 0.0]})
    policy = pd.DataFrame({"region": "N", "industry": ["A", "B"], "period": "2026",
                           "policy_need": [10.0, 10.0]})
    crosswalk = pd.DataFrame({"program": ["welding", "welding", "sewing"],
                              "industry": ["A", "B", "B"], "share": [0.5, 0.5, 1.0]})
    cost = pd.DataFrame({"program": ["welding", "sewing"], "cost_per_trainee": [100.0, 150.0]})
    plan = allocate_quotas(needs, crosswalk=crosswalk, periods=[2026], exit_rate=0.0,
                           budget=1_600, cost_per_trainee=cost, pass_rate=1.0,
                           policy_need=policy, integer="none")
    assert plan.quotas.set_index("program")["quota"].to_dict() == pytest.approx(
        {"sewing": 0.0, "welding": 16.0})
    assert plan.cells["policy_shortfall_after"].tolist() == pytest.approx([2.0, 2.0])
    assert float(plan.summary["policy_shortfall_after"]) == pytest.approx(4.0)
    assert float(plan.marginal_value["budget"]) == pytest.approx(0.01)


# --------------------------------------------------------------------------- (3) cell plans


@pytest.mark.parametrize("integer", ["none", "round"])
def test_programmes_that_each_feed_one_industry_are_the_cell_plan(integer):
    needs, _, _ = _random_case(3, ["2026", "2027", "2028"])
    crosswalk = pd.DataFrame({"program": [f"train {i}" for i in INDUSTRIES],
                              "industry": INDUSTRIES, "share": 1.0})
    cost = [80.0, 120.0, 60.0]
    rate = [0.9, 0.6, 0.75]
    lead = [1, 0, 1]
    by_industry = pd.DataFrame({"industry": INDUSTRIES})
    by_programme = pd.DataFrame({"program": crosswalk["program"]})
    common = dict(periods=[2026, 2027], exit_rate=0.15, integer=integer,
                  budget=pd.DataFrame({"period": [2026, 2027], "budget": [4_000.0, 3_000.0]}))
    cells = allocate_quotas(
        needs, cost_per_trainee=by_industry.assign(cost_per_trainee=cost),
        pass_rate=by_industry.assign(pass_rate=rate), lead_time=by_industry.assign(
            lead_time=lead), **common)
    programmes = allocate_quotas(
        needs, crosswalk=crosswalk, cost_per_trainee=by_programme.assign(cost_per_trainee=cost),
        pass_rate=by_programme.assign(pass_rate=rate), lead_time=by_programme.assign(
            lead_time=lead), **common)
    key = ["region", "industry", "period"]
    left = cells.quotas.assign(period=cells.quotas["period"].astype(str))
    right = programmes.quotas.assign(
        period=programmes.quotas["period"].astype(str),
        industry=programmes.quotas["program"].str.removeprefix("train "))
    both = left[key + ["quota"]].merge(right[key + ["quota"]], on=key, suffixes=("_c", "_p"))
    assert len(both) == len(left) == len(right) == 12
    np.testing.assert_allclose(both["quota_p"], both["quota_c"], atol=1e-6)
    for column in ("shortfall_after", "total_cost", "objective"):
        assert float(programmes.summary[column]) == pytest.approx(
            float(cells.summary[column]), abs=1e-6)
    for name in ("budget[2026]", "budget[2027]"):
        assert float(programmes.marginal_value[name]) == pytest.approx(
            float(cells.marginal_value[name]), abs=1e-9)
    pd.testing.assert_frame_equal(
        programmes.cells[cells.cells.columns], cells.cells, check_exact=False, atol=1e-6)


# --------------------------------------------------------------------------- (4) shared rows


@pytest.fixture
def substitutes():
    """Two programmes training for A: cheap (100 a place) and dear (200); A needs 100."""
    needs = pd.DataFrame({"region": "N", "industry": "A", "period": "2026", "gap": [100.0]})
    crosswalk = pd.DataFrame({"program": ["cheap", "dear"], "industry": "A", "share": 1.0})
    params = dict(crosswalk=crosswalk, periods=[2026], exit_rate=0.0, budget=10_000,
                  cost_per_trainee=pd.DataFrame({"program": ["cheap", "dear"],
                                                 "cost_per_trainee": [100.0, 200.0]}),
                  pass_rate=1.0, integer="none")
    return needs, params


def test_capacity_group_naming_a_programme(substitutes):
    needs, params = substitutes
    free = allocate_quotas(needs, **params)
    assert free.quotas.set_index("program")["quota"].to_dict() == pytest.approx(
        {"cheap": 100.0, "dear": 0.0})
    groups = pd.DataFrame({"group": "workshop", "capacity": 40.0, "program": ["cheap"]})
    plan = allocate_quotas(needs, capacity_groups=groups, **params)
    # 40 cheap places (4,000), the other 6,000 buy 30 dear ones: 70 of 100 workers
    assert plan.quotas.set_index("program")["quota"].to_dict() == pytest.approx(
        {"cheap": 40.0, "dear": 30.0})
    assert float(plan.summary["shortfall_after"]) == pytest.approx(30.0)
    # one more cheap place saves 100 that bought half a dear worker: 0.5 worker
    assert float(plan.marginal_value["capacity_group[workshop, 2026]"]) == pytest.approx(0.5)
    assert float(plan.marginal_value["budget"]) == pytest.approx(1 / 200)


def test_budget_envelope_naming_a_programme(substitutes):
    needs, params = substitutes
    envelopes = pd.DataFrame({"program": ["cheap"], "budget": [3_000.0]})
    plan = allocate_quotas(needs, budget_envelopes=envelopes, **params)
    quota = plan.quotas.set_index("program")["quota"]
    assert quota.to_dict() == pytest.approx({"cheap": 30.0, "dear": 35.0})
    # a unit of envelope money moves from a dear place (1/200) to a cheap one (1/100)
    assert float(plan.marginal_value["budget_envelope[cheap]"]) == pytest.approx(0.005)
    assert any("budget envelope of cheap" in line for line in plan.binding)


@pytest.mark.parametrize("integer", ["none", "round"])
def test_equity_per_region_of_cells_with_programmes(integer):
    # welding costs 100 a place in N and 200 in S; both need 50. Without the rule 8,000 buy
    # 50 places in N and 15 in S (30% of S's shortfall); with 50% per region S gets 25 places
    # (5,000) and N 30. Each worker of S's shortfall the rule requires removed costs 2 in N.
    needs = pd.DataFrame({"region": ["N", "S"], "industry": "A", "period": "2026",
                          "gap": [50.0, 50.0]})
    crosswalk = pd.DataFrame({"program": ["welding"], "industry": ["A"], "share": [1.0]})
    params = dict(crosswalk=crosswalk, periods=[2026], exit_rate=0.0, budget=8_000,
                  pass_rate=1.0, integer=integer,
                  cost_per_trainee=pd.DataFrame({"program": "welding", "region": ["N", "S"],
                                                 "cost_per_trainee": [100.0, 200.0]}))
    free = allocate_quotas(needs, **params)
    assert free.quotas.set_index("region")["quota"].to_dict() == pytest.approx(
        {"N": 50.0, "S": 15.0})
    plan = allocate_quotas(needs, equity=0.5, **params)
    assert plan.quotas.set_index("region")["quota"].to_dict() == pytest.approx(
        {"N": 30.0, "S": 25.0})
    assert float(plan.summary["shortfall_after"]) == pytest.approx(45.0)
    assert float(plan.marginal_value["equity[S]"]) == pytest.approx(-1.0)
    assert "equity[N]" not in plan.marginal_value


# --------------------------------------------------------------------------- (5) errors


def test_capacity_group_naming_an_unknown_programme(substitutes):
    needs, params = substitutes
    groups = pd.DataFrame({"group": "workshop", "capacity": 40.0,
                           "program": ["cheap", "plumbing"]})
    with pytest.raises(PlanningError, match=r"capacity_groups table names programmes the "
                       r"crosswalk does not have .*row 1 \(program='plumbing'\)"):
        allocate_quotas(needs, capacity_groups=groups, **params)


def test_capacity_group_with_an_industry_column_is_refused(substitutes):
    needs, params = substitutes
    groups = pd.DataFrame({"group": "g", "capacity": 40.0, "industry": ["A"]})
    with pytest.raises(PlanningError, match=r"columns \['industry'\] that are neither keys "
                       r"\['program', 'region'\]"):
        allocate_quotas(needs, capacity_groups=groups, **params)


def test_programme_feeding_no_cell_is_left_out_with_a_warning(substitutes):
    needs, params = substitutes
    crosswalk = pd.concat([params["crosswalk"], pd.DataFrame(
        {"program": ["sewing"], "industry": ["textiles"], "share": [1.0]})],
        ignore_index=True)
    with pytest.warns(DataQualityWarning) as record:
        plan = allocate_quotas(needs, **{**params, "crosswalk": crosswalk})
    messages = [str(w.message) for w in record]
    assert any("row 2 (program='sewing', industry='textiles', share=1)" in m for m in messages)
    assert any("1 programme of the crosswalk feeds no cell of the gap forecast and is left "
               "out of the plan: sewing in N" in m for m in messages)
    assert {w.filename for w in record} == {__file__}
    assert set(plan.quotas["program"]) == {"cheap", "dear"}


def test_no_programme_feeding_the_needs_is_an_error(substitutes):
    needs, params = substitutes
    crosswalk = pd.DataFrame({"program": ["sewing"], "industry": ["textiles"], "share": [1.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        with pytest.raises(PlanningError, match="no programme of the crosswalk feeds a cell"):
            allocate_quotas(needs, **{**params, "crosswalk": crosswalk})


def test_parameter_table_missing_a_programme_names_it(substitutes):
    needs, params = substitutes
    cost = pd.DataFrame({"program": ["cheap"], "cost_per_trainee": [100.0]})
    with pytest.raises(PlanningError, match=r"cost_per_trainee.*dear"):
        allocate_quotas(needs, **{**params, "cost_per_trainee": cost})
