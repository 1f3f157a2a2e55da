"""Programme plans through a crosswalk: hand-solved optima and duals, checks, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from talentgap.errors import DataQualityWarning, PlanningError, SchemaError
from talentgap.planning import allocate_quotas, compare_plans, proportional_plan

SETTINGS = settings(max_examples=25, deadline=None)


@pytest.fixture
def forecast() -> pd.DataFrame:
    return pd.DataFrame({"region": "North", "period": "2026",
                         "industry": ["construction", "equipment"], "gap": [40.0, 100.0]})


@pytest.fixture
def crosswalk() -> pd.DataFrame:
    """Welding feeds both industries half and half; CNC machining only equipment."""
    return pd.DataFrame({"program": ["welding", "welding", "cnc"],
                         "industry": ["construction", "equipment", "equipment"],
                         "share": [0.5, 0.5, 1.0]})


@pytest.fixture
def params() -> dict:
    """CNC places cost half as much (2 workers per 100) but only 20 can be trained."""
    return {
        "budget": 5_000,
        "cost_per_trainee": pd.DataFrame({"program": ["welding", "cnc"],
                                          "cost_per_trainee": [100.0, 50.0]}),
        "pass_rate": 1.0,
        "capacity": pd.DataFrame({"program": ["welding", "cnc"], "capacity": [np.inf, 20]}),
    }


# --------------------------------------------------------------------------- hand-solved


@pytest.mark.parametrize("integer", ["none", "round", "exact"])
def test_cheapest_programme_to_capacity_then_the_one_feeding_both(forecast, crosswalk, params,
                                                                  integer):
    # CNC: 2 workers per 100, filled to its capacity of 20 places (1,000). Welding: 1 worker
    # per 100 while both cells are short; the 4,000 left buy 40 places, 20 workers to each.
    plan = allocate_quotas(forecast, crosswalk=crosswalk, integer=integer, **params)
    q = plan.quotas.set_index("program")
    assert q["quota"].to_dict() == {"cnc": 20, "welding": 40}
    assert q["cost"].to_dict() == {"cnc": 1_000, "welding": 4_000}
    assert q["expected_certified"].to_dict() == {"cnc": 20, "welding": 40}
    assert q.loc["welding", "feeds"] == "construction 50%, equipment 50%"
    cells = plan.cells.set_index("industry")
    assert cells["expected_certified"].to_dict() == {"construction": 20, "equipment": 40}
    assert cells["places"].to_dict() == {"construction": 20, "equipment": 40}
    assert cells["gap_after"].to_dict() == {"construction": 20, "equipment": 60}
    assert cells["shortage_reduction"].to_dict() == {"construction": 20, "equipment": 40}
    assert cells["fed_by"].to_dict() == {"construction": "welding", "equipment": "cnc, welding"}
    s = plan.summary
    assert (s["total_cost"], s["shortfall_before"], s["shortfall_after"]) == (5_000, 140, 80)
    assert (s["programmes"], s["cells"], s["unsupplied_cells"]) == (2, 2, 0)
    assert plan.keys == ("program", "region")
    assert plan.cell_keys == ("region", "industry")


def test_budget_and_capacity_duals(forecast, crosswalk, params):
    # money: one more unit buys 1/100 of a welding place = 0.01 worker.
    # capacity: one more CNC place (+1 worker) takes 50 from welding (-0.5 worker): 0.5.
    plan = allocate_quotas(forecast, crosswalk=crosswalk, integer="none", **params)
    assert plan.marginal_value["budget"] == pytest.approx(0.01)
    assert plan.marginal_value["capacity[cnc in North]"] == pytest.approx(0.5)
    assert len(plan.marginal_value) == 2
    assert plan.quotas.set_index("program")["capacity_value"].to_dict() == \
        pytest.approx({"cnc": 0.5, "welding": 0.0})
    # and they are derivatives
    more_money = allocate_quotas(forecast, crosswalk=crosswalk, integer="none",
                                 **{**params, "budget": 5_100})
    assert plan.summary["shortfall_after"] - more_money.summary["shortfall_after"] == \
        pytest.approx(1.0)
    cap = params["capacity"].assign(capacity=[np.inf, 21])
    more_cap = allocate_quotas(forecast, crosswalk=crosswalk, integer="none",
                               **{**params, "capacity": cap})
    assert plan.summary["shortfall_after"] - more_cap.summary["shortfall_after"] == \
        pytest.approx(0.5)
    assert plan.binding == [
        "budget is fully used: 5,000 of 5,000 spent; each extra 10 of it closes about 0.1 "
        "persons of the shortfall of the expected gap",
        "capacity of cnc in North is reached (20 places); one more place of capacity closes "
        "about 0.5 persons of the shortfall of the expected gap, net of what the same money "
        "would close in other cells (the budget is fully used, so the money comes from there)",
    ]


def test_binding_minimum_of_a_dear_programme(forecast, crosswalk, params):
    # sewing also feeds equipment but at 200 a worker; 5 required places cost 1,000 = 10
    # welding places (10 workers), for 5 workers: each required place adds 1 to the shortfall
    cw = pd.concat([crosswalk, pd.DataFrame({"program": ["sewing"], "industry": ["equipment"],
                                             "share": [1.0]})])
    costs = pd.DataFrame({"program": ["welding", "cnc", "sewing"],
                          "cost_per_trainee": [100.0, 50.0, 200.0]})
    minimum = pd.DataFrame({"program": ["welding", "cnc", "sewing"], "min_quota": [0, 0, 5]})
    cap = pd.DataFrame({"program": ["welding", "cnc", "sewing"], "capacity": [np.inf, 20, 9]})
    plan = allocate_quotas(forecast, crosswalk=cw, **{**params, "cost_per_trainee": costs,
                                                      "capacity": cap, "min_quota": minimum})
    assert plan.quotas.set_index("program")["quota"].to_dict() == \
        {"cnc": 20, "sewing": 5, "welding": 30}
    assert plan.summary["shortfall_after"] == 140 - 20 - 5 - 30
    assert plan.marginal_value["min_quota[sewing in North]"] == pytest.approx(-1.0)
    assert any(line.startswith("minimum quota of sewing in North is reached (5 places)")
               for line in plan.binding)


def test_exact_budget_closes_both_gaps_only_one_way():
    # 8,000 buys 80 workers, exactly the gap: only 50 welders (30 construction, 20 equipment)
    # plus 30 machinists leave no shortfall and no surplus
    forecast = pd.DataFrame({"region": "R", "period": "2026",
                             "industry": ["construction", "equipment"], "gap": [30.0, 50.0]})
    cw = pd.DataFrame({"program": ["welding", "welding", "machining"],
                       "industry": ["construction", "equipment", "equipment"],
                       "share": [0.6, 0.4, 1.0]})
    plan = allocate_quotas(forecast, crosswalk=cw, budget=8_000, cost_per_trainee=100,
                           pass_rate=1.0)
    assert plan.quotas.set_index("program")["quota"].to_dict() == {"machining": 30,
                                                                   "welding": 50}
    assert plan.summary["shortfall_after"] == pytest.approx(0.0, abs=1e-9)
    assert plan.summary["surplus_after"] == pytest.approx(0.0, abs=1e-9)


def test_pass_rate_and_absorption_by_industry_scale_the_flows():
    # a place yields 0.8 certified; 3/4 go to textiles where half stay, 1/4 to clothing
    # where all stay: 0.3 + 0.2 workers per place
    forecast = pd.DataFrame({"region": "R", "period": "2026", "industry": ["textiles",
                                                                           "clothing"],
                             "gap": [30.0, 30.0]})
    cw = pd.DataFrame({"program": ["sewing"] * 2, "industry": ["textiles", "clothing"],
                       "share": [0.75, 0.25]})
    absorb = pd.DataFrame({"industry": ["textiles", "clothing"], "absorption": [0.5, 1.0]})
    plan = allocate_quotas(forecast, crosswalk=cw, budget=1_000, cost_per_trainee=10,
                           pass_rate=0.8, absorption=absorb)
    row = plan.quotas.iloc[0]
    assert row["quota"] == 100
    assert row["expected_certified"] == pytest.approx(50.0)
    assert row["absorption"] == pytest.approx(0.625)   # 0.75 * 0.5 + 0.25 * 1
    assert row["cost_per_certified"] == pytest.approx(10 / 0.5)
    cells = plan.cells.set_index("industry")
    assert cells["expected_certified"].to_dict() == pytest.approx({"textiles": 30.0,
                                                                   "clothing": 20.0})


def test_crosswalk_per_region_and_programmes_in_every_region():
    forecast = pd.DataFrame({"region": ["North", "North", "South", "South"], "period": "2026",
                             "industry": ["a", "b", "a", "b"], "gap": [10.0, 10.0, 10.0, 10.0]})
    per_region = pd.DataFrame({"program": "p", "region": ["North", "North", "South"],
                               "industry": ["a", "b", "a"], "share": [0.5, 0.5, 1.0]})
    plan = allocate_quotas(forecast, crosswalk=per_region, budget=1e6, cost_per_trainee=1,
                           pass_rate=1.0, integer="none")
    assert plan.quotas[["program", "region"]].values.tolist() == [["p", "North"],
                                                                   ["p", "South"]]
    assert plan.quotas["quota"].tolist() == pytest.approx([20.0, 10.0])
    # South's b is fed by nobody: no supply, said in words and in the cells table
    assert plan.summary["unsupplied_cells"] == 1
    south_b = plan.cells.set_index(["region", "industry"]).loc[("South", "b")]
    assert south_b["fed_by"] == "" and south_b["gap_after"] == 10.0
    assert plan.binding[-1] == ("no programme feeds 1 cell of the gap forecast, so it gets no "
                                "supply (expected shortfall 10 left as it is): b in South")
    # without a region column the programme runs in every region of the forecast
    everywhere = allocate_quotas(forecast, crosswalk=per_region.iloc[:2].drop(columns="region"),
                                 budget=1e6, cost_per_trainee=1, pass_rate=1.0)
    assert everywhere.quotas["region"].tolist() == ["North", "South"]
    assert everywhere.quotas["quota"].tolist() == [20, 20]
    assert everywhere.summary["unsupplied_cells"] == 0
    # per-programme-and-region parameters
    rates = pd.DataFrame({"program": "p", "region": ["North", "South"],
                          "pass_rate": [1.0, 0.5]})
    halved = allocate_quotas(forecast, crosswalk=per_region.iloc[:2].drop(columns="region"),
                             budget=1e6, cost_per_trainee=1, pass_rate=rates)
    assert halved.quotas["quota"].tolist() == [20, 40]


def test_scenarios_quantile_and_lead_time_with_a_crosswalk():
    samples = pd.DataFrame({"region": "R", "period": "2027", "industry": "a",
                            "sample": range(4), "gap": [40.0, 10.0, 30.0, 20.0]})
    early = samples.assign(period="2026", gap=0.0)
    cw = pd.DataFrame({"program": ["p"], "industry": ["a"], "share": [1.0]})
    table = pd.concat([early, samples])
    plan = allocate_quotas(table, crosswalk=cw, budget=25, cost_per_trainee=1, pass_rate=1.0,
                           lead_time=1)
    assert plan.summary["period"] == "2026"
    assert plan.quotas["arrival_period"].astype(str).tolist() == ["2027"]
    assert plan.quotas["quota"].tolist() == [25]
    assert plan.summary["shortfall_after"] == pytest.approx(5.0)   # (0 + 0 + 5 + 15) / 4
    assert plan.marginal_value["budget"] == pytest.approx(0.5)     # 2 of 4 scenarios above
    q80 = allocate_quotas(table, crosswalk=cw, budget=100, cost_per_trainee=1, pass_rate=1.0,
                          lead_time=1, quantile=0.8)
    assert q80.cells["planned_gap"].tolist() == pytest.approx([np.quantile([10, 20, 30, 40],
                                                                           0.8)])
    assert q80.quotas["quota"].tolist() == [34]


def test_programmes_with_different_lead_times_are_scored_at_their_own_arrival():
    # p (lead 1) reaches a and b in 2026; q (lead 2) reaches a in 2027: a appears twice in
    # .cells; c, fed by nobody, is shown at the latest arrival period
    table = pd.DataFrame({"region": "R", "industry": np.repeat(["a", "b", "c"], 3),
                          "period": ["2025", "2026", "2027"] * 3,
                          "gap": [5.0, 10.0, 20.0, 1.0, 2.0, 3.0, 7.0, 8.0, 9.0]})
    cw = pd.DataFrame({"program": ["p", "p", "q"], "industry": ["a", "b", "a"],
                       "share": [0.5, 0.5, 1.0]})
    lead = pd.DataFrame({"program": ["p", "q"], "lead_time": [1, 2]})
    plan = allocate_quotas(table, crosswalk=cw, budget=100, cost_per_trainee=1, pass_rate=1.0,
                           lead_time=lead)
    assert plan.summary["period"] == "2025"
    assert plan.quotas["arrival_period"].astype(str).tolist() == ["2026", "2027"]
    assert plan.quotas["quota"].tolist() == [20, 20]
    cells = plan.cells.assign(arrival_period=plan.cells["arrival_period"].astype(str))
    assert cells[["industry", "arrival_period"]].values.tolist() == [
        ["a", "2026"], ["a", "2027"], ["b", "2026"], ["c", "2027"]]
    assert cells["gap_after"].tolist() == [0.0, 0.0, -8.0, 9.0]
    assert plan.summary["shortfall_after"] == 9.0


# --------------------------------------------------------------------------- rules and tables


def test_proportional_rule_splits_a_shared_gap_by_share(forecast, crosswalk, params):
    # equipment's gap of 100 is served by welding (share 0.5) and cnc (1): welding's part is
    # 100 * 0.5/1.5 plus all of construction's 40; cnc's part 100 * 1/1.5
    plan = proportional_plan(forecast, crosswalk=crosswalk, integer="none",
                             **{**params, "budget": 1e6, "capacity": None})
    q = plan.quotas.set_index("program")["quota"]
    assert q["welding"] == pytest.approx(40 + 100 / 3)
    assert q["cnc"] == pytest.approx(200 / 3)
    assert plan.rule == "proportional"
    # a one-industry crosswalk gives the per-cell rule
    cells = pd.DataFrame({"region": "R", "period": "2026", "industry": ["a", "b"],
                          "gap": [30.0, 10.0]})
    identity = pd.DataFrame({"program": ["a", "b"], "industry": ["a", "b"], "share": 1.0})
    costs = pd.DataFrame({"industry": ["a", "b"], "cost_per_trainee": [2.0, 1.0]})
    direct = proportional_plan(cells, budget=40, cost_per_trainee=costs, pass_rate=0.5)
    via = proportional_plan(cells, crosswalk=identity, budget=40, pass_rate=0.5,
                            cost_per_trainee=costs.rename(columns={"industry": "program"}))
    assert via.quotas["quota"].tolist() == direct.quotas["quota"].tolist()


def test_compare_plans_by_programme_or_industry(forecast, crosswalk, params):
    best = allocate_quotas(forecast, crosswalk=crosswalk, **params)
    naive = proportional_plan(forecast, crosswalk=crosswalk, **params)
    by_program = compare_plans([best, naive], by="program")
    assert by_program["quota[cnc]"].tolist() == [20, naive.quotas["quota"].iloc[0]]
    by_industry = compare_plans({"best": best})
    # places serving an industry: welding's 40 places split half and half
    assert by_industry.loc["best", "quota[construction]"] == 20
    assert by_industry.loc["best", "quota[equipment]"] == 40
    with pytest.raises(PlanningError, match="by='sector' is not a key"):
        compare_plans([best], by="sector")


# --------------------------------------------------------------------------- errors and warnings


@pytest.mark.parametrize(("change", "message"), [
    (lambda cw: cw.assign(share=[0.5, 0.4, 1.0]),
     r"shares of each programme must sum to 1 \(within 1e-06\); program='welding' sums to "
     r"0.9 \(short by 0.1; lines 2, 3\)"),
    (lambda cw: cw.assign(share=[1.5, -0.5, 1.0]),
     r"column 'share' must be >= 0; 1 row fails: line 3 \(program='welding', "
     r"industry='equipment', share=-0.5\)"),
    (lambda cw: cw.assign(share=[0.5, "half", 1.0]), "share that is not a finite number"),
    (lambda cw: cw.assign(industry=["construction", None, "equipment"]),
     r"1 row with a missing program or industry: line 3"),
    (lambda cw: pd.concat([cw, cw.iloc[[2]]]), "repeats program-industry combinations"),
    (lambda cw: cw.drop(columns="share"), r"\['share'\] missing"),
    (lambda cw: cw.iloc[:0], "table 'crosswalk' has no rows"),
])
def test_bad_crosswalks_name_the_rows(forecast, crosswalk, params, change, message):
    with pytest.raises(SchemaError, match=message):
        allocate_quotas(forecast, crosswalk=change(crosswalk), **params)


def test_shares_within_tolerance_are_accepted(forecast, crosswalk, params):
    nearly = crosswalk.assign(share=[0.5, 0.5 + 5e-7, 1.0])
    allocate_quotas(forecast, crosswalk=nearly, **params)
    with pytest.raises(SchemaError, match="sum to 1"):
        allocate_quotas(forecast, crosswalk=crosswalk.assign(share=[0.5, 0.5 + 2e-6, 1.0]),
                        **params)


def test_programme_missing_from_a_parameter_table(forecast, crosswalk, params):
    costs = params["cost_per_trainee"].iloc[:1]
    with pytest.raises(PlanningError, match=r"the cost_per_trainee table has no row for 1 "
                                            r"programme of the crosswalk: cnc in North"):
        allocate_quotas(forecast, crosswalk=crosswalk, **{**params, "cost_per_trainee": costs})
    rates = pd.DataFrame({"program": ["welding", "cnc"], "pass_rate": [0.9, 1.3]})
    with pytest.raises(PlanningError, match=r"pass_rate must be in \(0, 1\]; 1 programme "
                                            r"fails: cnc in North: 1.3 \(above 1 by 0.3\)"):
        allocate_quotas(forecast, crosswalk=crosswalk, **{**params, "pass_rate": rates})
    by_industry = pd.DataFrame({"industry": ["construction", "equipment"],
                                "cost_per_trainee": [1.0, 2.0]})
    with pytest.raises(PlanningError, match=r"\['industry'\] are not keys"):
        allocate_quotas(forecast, crosswalk=crosswalk,
                        **{**params, "cost_per_trainee": by_industry})


def test_minimums_above_budget_and_keys_without_industry(forecast, crosswalk, params):
    with pytest.raises(PlanningError, match="minimum quotas cost 3,000, more than the budget "
                                            "2,500 by 500"):
        allocate_quotas(forecast, crosswalk=crosswalk, min_quota=20,
                        **{**params, "budget": 2_500})
    with pytest.raises(PlanningError, match="keys must include 'industry'"):
        allocate_quotas(forecast.rename(columns={"industry": "trade"}), crosswalk=crosswalk,
                        keys=["region", "trade"], **params)


def test_industries_absent_from_the_forecast_warn_and_count_for_nothing(forecast, params):
    cw = pd.DataFrame({"program": ["welding", "welding", "cnc", "ships"],
                       "industry": ["construction", "shipbuilding", "equipment",
                                    "shipbuilding"],
                       "share": [0.5, 0.5, 1.0, 1.0]})
    costs = pd.DataFrame({"program": ["welding", "cnc"], "cost_per_trainee": [100.0, 50.0]})
    with pytest.warns(DataQualityWarning) as record:
        plan = allocate_quotas(forecast, crosswalk=cw, **{**params, "cost_per_trainee": costs})
    messages = [str(w.message) for w in record]
    assert messages[0].startswith(
        "2 crosswalk rows lead to cells the gap forecast does not have; those graduates count "
        "for nothing in the plan: row 1 (program='welding', industry='shipbuilding', "
        "share=0.5) in North; row 3")
    assert messages[1] == ("1 programme of the crosswalk feeds no cell of the gap forecast "
                           "and is left out of the plan: ships in North")
    assert {w.filename for w in record} == {__file__}   # attributed to the caller
    welding = plan.quotas.set_index("program").loc["welding"]
    assert welding["share_in_forecast"] == 0.5
    assert welding["feeds"] == "construction 50%"
    # half of every welder is lost: 200 per construction worker, dearer than cnc's 50
    assert welding["cost_per_certified"] == pytest.approx(200.0)
    assert plan.quotas["program"].tolist() == ["cnc", "welding"]


def test_identity_crosswalk_matches_the_per_cell_plan():
    rng = np.random.default_rng(7)
    n, k = 4, 6
    industries = [f"t{i}" for i in range(n)]
    table = pd.DataFrame({"region": "R", "industry": np.repeat(industries, k), "period": "2026",
                          "sample": np.tile(np.arange(k), n),
                          "gap": rng.normal(20, 10, n * k)})
    params = {"cost_per_trainee": rng.uniform(1, 10, n), "pass_rate": rng.uniform(0.3, 1, n),
              "capacity": [5.0, np.inf, 12.0, np.inf]}

    def tables(key):
        return {name: pd.DataFrame({key: industries, name: values})
                for name, values in params.items()}

    identity = pd.DataFrame({"program": industries, "industry": industries, "share": 1.0})
    for integer in ("none", "exact"):
        direct = allocate_quotas(table, budget=150, integer=integer, **tables("industry"))
        via = allocate_quotas(table, budget=150, integer=integer, crosswalk=identity,
                              **tables("program"))
        assert via.summary["objective"] == pytest.approx(direct.summary["objective"],
                                                         rel=1e-6)
        assert via.summary["lp_objective"] == pytest.approx(direct.summary["lp_objective"],
                                                            rel=1e-6)
        assert via.marginal_value["budget"] == pytest.approx(direct.marginal_value["budget"],
                                                             rel=1e-5)
        assert via.cells["shortfall_after"].to_numpy() == pytest.approx(
            direct.cells["shortfall_after"].to_numpy(), rel=1e-6, abs=1e-9)


# --------------------------------------------------------------------------- the literal LP


def _instance(seed: int) -> dict:
    """Random programmes feeding random industries in two regions, with sample paths."""
    rng = np.random.default_rng(seed)
    n_prog, n_ind, k = int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 6))
    programs, industries = [f"p{i}" for i in range(n_prog)], [f"i{j}" for j in range(n_ind)]
    regions = ["North", "South"]
    shares = rng.dirichlet(np.ones(n_ind), n_prog) * (rng.random((n_prog, n_ind)) < 0.8)
    shares[shares.sum(axis=1) == 0, 0] = 1.0
    shares /= shares.sum(axis=1, keepdims=True)
    cw = pd.DataFrame([(p, i, shares[a, b]) for a, p in enumerate(programs)
                       for b, i in enumerate(industries)], columns=["program", "industry",
                                                                     "share"])
    cells = [(r, i) for r in regions for i in industries]
    gaps = rng.normal(rng.uniform(-5, 30, len(cells))[:, None], 8, (len(cells), k))
    table = pd.DataFrame({"region": np.repeat([c[0] for c in cells], k),
                          "industry": np.repeat([c[1] for c in cells], k), "period": "2026Q1",
                          "sample": np.tile(np.arange(k), len(cells)), "gap": gaps.ravel()})
    units = [(p, r) for p in programs for r in regions]
    cost = rng.integers(1, 30, len(units)).astype(float)
    rate = rng.uniform(0.2, 1.0, len(units))
    minimum = np.where(rng.random(len(units)) < 0.3, rng.integers(0, 3, len(units)), 0.0)
    capacity = np.where(rng.random(len(units)) < 0.5, minimum + rng.integers(0, 25, len(units)),
                        np.inf)

    def per_unit(name, values):
        return pd.DataFrame({"program": [u[0] for u in units], "region": [u[1] for u in units],
                             name: values})

    closing = float(np.maximum(gaps, 0).max(axis=1).sum() * cost.max() / rate.min())
    budget = float(np.dot(cost, minimum) + rng.uniform(0, 0.5) * closing)
    return {
        "table": table, "crosswalk": cw, "gaps": gaps, "cells": cells, "units": units,
        "shares": shares, "programs": programs, "industries": industries,
        "cost": cost, "rate": rate, "minimum": minimum, "capacity": capacity,
        "params": {"budget": budget, "cost_per_trainee": per_unit("cost_per_trainee", cost),
                   "pass_rate": per_unit("pass_rate", rate),
                   "min_quota": per_unit("min_quota", minimum),
                   "capacity": per_unit("capacity", capacity)},
        "penalty": float(rng.choice([0.0, 0.0, 0.5])),
    }


def _literal(case) -> tuple[float, float]:
    """min (1/K) sum (u + penalty v) s.t. u - v = g - A'q, cost q <= budget, bounds."""
    g, units, cells = case["gaps"], case["units"], case["cells"]
    n_cells, k = g.shape
    n = len(units)
    a = np.zeros((n_cells, n))
    for u, (p, r) in enumerate(units):
        for c, (region, industry) in enumerate(cells):
            if region == r:
                a[c, u] = (case["rate"][u] * case["shares"][case["programs"].index(p),
                                                            case["industries"].index(industry)])
    nk = n_cells * k
    a_eq = sp.hstack([sp.csr_matrix(np.repeat(a, k, axis=0)), sp.eye(nk), -sp.eye(nk)])
    c = np.concatenate([np.zeros(n), np.full(nk, 1 / k), np.full(nk, case["penalty"] / k)])
    bounds = [(case["minimum"][u], None if np.isinf(case["capacity"][u]) else
               case["capacity"][u]) for u in range(n)] + [(0, None)] * (2 * nk)
    res = linprog(c, A_ub=np.concatenate([case["cost"], np.zeros(2 * nk)])[None, :],
                  b_ub=[case["params"]["budget"]], A_eq=a_eq, b_eq=g.ravel(), bounds=bounds,
                  method="highs")
    assert res.status == 0
    return res.fun, -res.ineqlin.marginals[0]


@pytest.mark.parametrize("seed", range(8))
def test_programme_lp_matches_the_literal_saa_lp(seed):
    case = _instance(seed)
    plan = allocate_quotas(case["table"], crosswalk=case["crosswalk"], integer="none",
                           surplus_penalty=case["penalty"], **case["params"])
    fun, dual = _literal(case)
    assert plan.summary["lp_objective"] == pytest.approx(fun, rel=1e-6, abs=1e-6)
    assert plan.summary["objective"] == pytest.approx(fun, rel=1e-6, abs=1e-6)
    assert plan.marginal_value["budget"] == pytest.approx(dual, rel=1e-5, abs=1e-8)


# --------------------------------------------------------------------------- properties


def _check_feasible(plan, case, *, whole: bool) -> None:
    q = plan.quotas.set_index(["program", "region"])["quota"]
    q = q.loc[case["units"]].to_numpy(dtype=float)
    assert plan.summary["total_cost"] <= case["params"]["budget"] * (1 + 1e-12) + 1e-9
    assert np.all(q >= case["minimum"] - 1e-9)
    assert np.all(q <= case["capacity"] + 1e-9)
    if whole:
        assert np.all(q == np.round(q))


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), integer=st.sampled_from(["round", "exact", "none"]))
def test_programme_plans_respect_budget_capacity_and_minimums(seed, integer):
    case = _instance(seed)
    plan = allocate_quotas(case["table"], crosswalk=case["crosswalk"], integer=integer,
                           **case["params"])
    _check_feasible(plan, case, whole=integer != "none")
    tol = 1e-7 * max(1.0, abs(plan.summary["lp_objective"]))
    assert plan.summary["objective"] >= plan.summary["lp_objective"] - tol
    naive = proportional_plan(case["table"], crosswalk=case["crosswalk"],
                              integer="none" if integer == "none" else "round",
                              **case["params"])
    _check_feasible(naive, case, whole=integer != "none")
    if integer != "round":  # the LP and the MILP are optimal (rounding is a heuristic)
        gap_tol = 2e-6 * naive.summary["shortfall_after"] + 1e-6
        assert plan.summary["shortfall_after"] <= naive.summary["shortfall_after"] + gap_tol
