"""POST /plan with ``periods``: a multi-year plan through the service."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import talentgap as tg

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.service import create_app

#: The fixture model is quarterly with origin 2022Q4: three funding quarters.
FUNDING = ["2023Q1", "2023Q2", "2023Q3"]
BUDGETS = [20_000.0, 35_000.0, 10_000.0]
BASE = {"cost_per_trainee": 1000, "pass_rate": 0.8}


@pytest.fixture(scope="module")
def client(model_dir):
    with TestClient(create_app(model_dir)) as test_client:
        yield test_client


def _plan(client, **fields):
    return client.post("/plan", json={**BASE, **fields})


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, (pd.PeriodDtype, pd.CategoricalDtype)):
            frame[column] = frame[column].astype(str)
    return frame


def _multi_year(client):
    budgets = [{"period": p, "budget": b} for p, b in zip(FUNDING, BUDGETS, strict=True)]
    return _plan(client, periods=FUNDING, budget_per_period=budgets, lead_time=1,
                 exit_rate=0.1)


def test_three_period_plan_keeps_each_periods_budget(client):
    reply = _multi_year(client)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    years = pd.DataFrame(body["years"])
    funded = years[years["period"].isin(FUNDING)]
    assert list(funded["period"]) == FUNDING  # one row per funding period
    assert (funded["cost"] <= funded["budget"] + 1e-6).all()
    assert list(funded["budget"]) == BUDGETS
    assert years.loc[~years["period"].isin(FUNDING), "cost"].eq(0).all()
    quotas = pd.DataFrame(body["quotas"])
    assert sorted(quotas["period"].unique()) == FUNDING
    assert len(quotas) == 6 * len(FUNDING)  # one row per cell x funding period
    spent = quotas.groupby("period")["cost"].sum()
    np.testing.assert_allclose(spent[FUNDING].to_numpy(), funded["cost"].to_numpy())
    assert {f"budget[{p}]" for p in FUNDING} <= set(body["marginal_value"])
    assert isinstance(body["notes"], list)


def test_multi_year_plan_is_the_librarys(client, gap_model):
    body = _multi_year(client).json()
    # need periods reach the last funding period plus the lead time: 2023Q4 = horizon 4
    want = tg.planning.allocate_quotas(
        gap_model.sample_paths(4), periods=FUNDING, lead_time=1, exit_rate=0.1,
        budget=pd.DataFrame({"period": FUNDING, "budget": BUDGETS}),
        cost_per_trainee=1000, pass_rate=0.8)
    got = pd.DataFrame(body["quotas"])
    np.testing.assert_allclose(got["quota"], want.quotas["quota"], atol=1e-6)
    assert list(got["arrival_period"]) == [str(p) for p in want.quotas["arrival_period"]]
    assert body["summary"]["shortfall_after"] == pytest.approx(
        float(want.summary["shortfall_after"]))
    assert body["notes"] == list(want.notes)


def test_the_horizon_is_extended_to_the_last_arrival(client):
    reply = _plan(client, budget=30_000, periods=["2023Q4"], lead_time=2)
    assert reply.status_code == 200, reply.text
    periods = [row["period"] for row in reply.json()["years"]]
    assert periods[-1] == "2024Q2"  # 2023Q4 + 2, beyond the default horizon of 4


def test_without_periods_the_plan_is_the_single_period_one(client, gap_model):
    request = {"budget": 50_000, "capacity": 30, "min_quota": 1}
    reply = _plan(client, **request)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    want = tg.planning.allocate_quotas(gap_model.sample_paths(4), **BASE, **request)
    pd.testing.assert_frame_equal(pd.DataFrame(body["quotas"]),
                                  _as_text(want.quotas).reset_index(drop=True),
                                  check_dtype=False)
    periods = body["summary"].pop("periods")   # the funding period as a list, too
    assert periods == [body["summary"]["period"]]
    assert body["summary"] == json.loads(
        _as_text(want.summary.to_frame().T).to_json(orient="records"))[0]
    assert body["binding"] == list(want.binding)
    assert body["marginal_value"] == pytest.approx(want.marginal_value.to_dict())
    # the constraints in numbers: one row per binding line, values the duals
    constraints = pd.DataFrame(body["constraints"])
    assert list(constraints.columns) == list(want.constraints.columns)
    assert constraints["sentence"].tolist() == list(want.binding)
    assert constraints["kind"].iloc[0] == "budget"
    assert constraints["limit"].iloc[0] == 50_000
    assert constraints["value"].tolist() == pytest.approx(
        want.marginal_value[constraints["name"]].tolist())
    assert body["years"] is None
    assert body["notes"] == list(want.notes)
    assert body["summary"]["shortfall_basis"] == "expected shortfall (mean over 200 scenarios)"


def test_policy_need_and_shared_capacity(client, gap_model):
    cells = gap_model.cells_.astype(str)
    textiles = cells[cells["industry"] == cells["industry"].iloc[0]]
    need = [{"region": r, "industry": i, "period": "2023Q4", "policy_need": 500.0}
            for r, i in textiles.itertuples(index=False)]
    group = [{"group": "college", "capacity": 12, "industry": textiles["industry"].iloc[0]}]
    reply = _plan(client, budget=200_000, periods=FUNDING[:2], lead_time=1,
                  policy_need=need, need_weights={"market": 0.0, "policy": 1.0},
                  capacity_groups=group)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    quotas = pd.DataFrame(body["quotas"])
    members = quotas[quotas["industry"] == group[0]["industry"]]
    assert (members.groupby("period")["quota"].sum() <= 12 + 1e-6).all()
    assert members["quota"].sum() > 0  # the policy need is the only need that counts
    assert body["summary"]["policy_shortfall_before"] == pytest.approx(500.0 * len(need))
    assert any("college" in line for line in body["binding"])
    groups = [row for row in body["constraints"] if row["kind"] == "capacity_group"]
    assert groups and all(row["binds"] and row["unit"] == "places" and row["limit"] == 12
                          and row["used"] == pytest.approx(12) and row["value"] > 0
                          for row in groups)


def test_budget_envelopes_limit_a_region(client, gap_model):
    region = str(gap_model.cells_["region"].iloc[0])
    reply = _plan(client, budget=100_000, periods=FUNDING[:2],
                  budget_envelopes=[{"region": region, "budget": 3_000}])
    assert reply.status_code == 200, reply.text
    quotas = pd.DataFrame(reply.json()["quotas"])
    assert quotas.loc[quotas["region"] == region, "cost"].sum() <= 3_000 + 1e-6


def _detail(reply) -> str:
    assert reply.status_code == 422, reply.text
    return json.dumps(reply.json()["detail"])


@pytest.mark.parametrize("label", ["2023Q5", "next year", "2023-13"])
def test_a_malformed_period_is_422_naming_periods(client, label):
    reply = _plan(client, budget=1000, periods=[label])
    assert '"periods"' in _detail(reply)
    assert reply.json()["detail"][0]["loc"] == ["body", "periods", 0]


@pytest.mark.parametrize(("label", "says"), [("2023-06", "quarterly"),
                                             ("2022Q3", "origin 2022Q4"),
                                             ("2022", "origin 2022Q4")])
def test_a_period_the_model_cannot_fund_is_422_naming_periods(client, label, says):
    reply = _plan(client, budget=1000, periods=[label])
    assert says in _detail(reply)
    assert reply.json()["detail"][0]["msg"].startswith("periods:")


def test_a_policy_need_for_an_unknown_cell_is_422(client, gap_model):
    industry = str(gap_model.cells_["industry"].iloc[0])
    need = [{"region": "Atlantis", "industry": industry, "period": "2023Q2",
             "policy_need": 10.0}]
    detail = _detail(_plan(client, budget=1000, periods=FUNDING, policy_need=need))
    assert "policy_need" in detail and "Atlantis" in detail


@pytest.mark.parametrize(("fields", "named"), [
    ({"budget": 1000, "exit_rate": 0.1}, "exit_rate"),
    ({"budget": 1000, "policy_need": []}, "policy_need"),
    ({"budget_per_period": [{"period": "2023Q1", "budget": 1}]}, "budget_per_period"),
    ({"periods": FUNDING}, "budget"),
    ({"budget": 1000, "periods": FUNDING, "period": "2023Q1"}, "period"),
    ({"periods": FUNDING[:2], "budget_per_period": [{"period": "2023Q1", "budget": 1}]},
     "budget_per_period"),
    ({"budget": 1000, "periods": FUNDING, "exit_rate": 1.5}, "exit_rate"),
    ({"budget": 1000, "periods": FUNDING, "lead_time": 200}, "lead_time"),
    ({"budget": 1000, "periods": FUNDING, "lead_time": [
        {"cell": {"region": "r", "industry": "i"}, "value": 500}]}, "lead_time"),
    ({"budget": 1000, "periods": [f"20{y}Q1" for y in range(23, 45)]}, "periods"),
    ({"budget": 1000, "periods": FUNDING,
      "capacity_groups": [{"group": "g", "capacity": 5, "town": "x"}]}, "capacity_groups"),
    ({"budget": 1000, "periods": FUNDING,
      "budget_envelopes": [{"region": "r", "budget": 5, "period": "2023Q1"},
                           {"region": "s", "budget": 5}]}, "budget_envelopes"),
])
def test_invalid_multi_year_requests_are_422_naming_the_field(client, fields, named):
    assert named in _detail(client.post("/plan", json={**BASE, **fields}))


def test_non_finite_numbers_are_refused(client):
    body = json.dumps({**BASE, "periods": FUNDING}).replace(
        "}", ', "budget_per_period": [{"period": "2023Q1", "budget": Infinity}]}')
    reply = client.post("/plan", content=body, headers={"content-type": "application/json"})
    detail = _detail(reply)
    assert "budget_per_period" in detail and "finite" in detail


def test_openapi_describes_the_multi_year_fields(client):
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    request = schemas["PlanRequest"]["properties"]
    new = ["periods", "budget_per_period", "exit_rate", "lead_time", "policy_need",
           "need_weights", "capacity_groups", "budget_envelopes", "equity"]
    assert set(new) <= set(request)
    assert all(request[name].get("description") for name in new)
    assert {"years", "notes"} <= set(schemas["PlanResponse"]["properties"])
    for name in ("PeriodBudget", "PolicyNeed", "NeedWeights", "CapacityGroupMember",
                 "BudgetEnvelope", "PlanRequest", "PlanResponse"):
        assert schemas[name].get("description"), name
        undocumented = [field for field, about in schemas[name]["properties"].items()
                        if not about.get("description")]
        assert undocumented == [], name
    bounds = [part.get("maxItems") for part in request["periods"]["anyOf"]]
    assert 20 in bounds
    assert schemas["PolicyNeed"]["additionalProperties"]["type"] == "string"


@pytest.mark.parametrize("periods", [None, FUNDING])
def test_the_surplus_penalty_reaches_the_plan(client, gap_model, periods):
    # money for every place any path could use: only the penalty stops places short of it
    extra = ({"periods": periods, "budget_per_period": [
        {"period": p, "budget": 1e8} for p in FUNDING],
        "lead_time": 1, "exit_rate": 0.1} if periods else {"budget": 1e8})
    reply = _plan(client, surplus_penalty=0.7, **extra)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    library = dict(extra)
    if periods:
        library["budget"] = pd.DataFrame({"period": FUNDING, "budget": 1e8})
        del library["budget_per_period"]
    want = tg.planning.allocate_quotas(gap_model.sample_paths(4), **BASE, **library,
                                       surplus_penalty=0.7)
    np.testing.assert_allclose(pd.DataFrame(body["quotas"])["quota"], want.quotas["quota"],
                               atol=1e-6)
    assert body["summary"]["objective"] == pytest.approx(float(want.summary["objective"]))
    plain = _plan(client, **extra).json()
    assert body["summary"]["surplus_after"] < plain["summary"]["surplus_after"]


def test_a_negative_surplus_penalty_is_refused(client):
    reply = _plan(client, budget=1000, surplus_penalty=-1)
    assert reply.status_code == 422
    assert "surplus_penalty" in reply.text


# every number of a plan request is bounded; a solver failure is a typed 422

def _need(value):
    return [{"region": "Amberfield", "industry": "textiles", "period": "2023Q2",
             "policy_need": value}]


@pytest.mark.parametrize(("fields", "loc"), [
    ({"budget": 1e6, "policy_need": _need(1e308)}, ["body", "policy_need", 0, "policy_need"]),
    ({"budget": 1e6, "policy_need": _need(1.1e12)}, ["body", "policy_need", 0, "policy_need"]),
    ({"budget": 1e6, "need_weights": {"market": 1e308, "policy": 1.0}},
     ["body", "need_weights", "market"]),
    ({"budget": 1e6, "need_weights": {"policy": 2e6}}, ["body", "need_weights", "policy"]),
    ({"budget": 1e6, "capacity_groups": [{"group": "g", "capacity": 1e13,
                                          "industry": "textiles"}]},
     ["body", "capacity_groups", 0, "capacity"]),
    ({"budget_per_period": [{"period": p, "budget": 2e15} for p in FUNDING]},
     ["body", "budget_per_period", 0, "budget"]),
    ({"budget": 1e6, "budget_envelopes": [{"region": "Amberfield", "budget": 2e15}]},
     ["body", "budget_envelopes", 0, "budget"]),
    ({"budget": 2e15}, ["body", "budget"]),
    ({"budget": 1e6, "surplus_penalty": 2e6}, ["body", "surplus_penalty"]),
])
def test_a_number_over_its_published_bound_is_422_at_the_field(client, fields, loc):
    reply = _plan(client, periods=FUNDING, **fields)
    assert reply.status_code == 422, reply.text
    item = reply.json()["detail"][0]  # budget_per_period: one item per row over it
    assert (item["loc"], item["type"]) == (loc, "less_than_equal")


def test_the_bounds_are_published(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["PolicyNeed"]["properties"]["policy_need"]["maximum"] == 1e12
    assert schemas["CapacityGroupMember"]["properties"]["capacity"]["maximum"] == 1e12
    assert schemas["NeedWeights"]["properties"]["market"]["maximum"] == 1e6
    assert schemas["NeedWeights"]["properties"]["policy"]["maximum"] == 1e6
    assert schemas["PeriodBudget"]["properties"]["budget"]["maximum"] == 1e15
    assert schemas["BudgetEnvelope"]["properties"]["budget"]["maximum"] == 1e15


def test_the_largest_accepted_needs_and_weights_are_planned(client):
    reply = _plan(client, budget=1e6, periods=FUNDING, policy_need=_need(1e12),
                  need_weights={"market": 1e6, "policy": 1e6})
    assert reply.status_code == 200, reply.text
    assert reply.json()["summary"]["total_cost"] <= 1e6


def _solver_fails(raised):
    def allocate(*args, **kwargs):
        raise raised() if callable(raised) else raised
    return allocate


def _infinite_linprog():
    from scipy.optimize import linprog

    linprog([1.0], A_eq=[[np.inf]], b_eq=[1.0])


@pytest.mark.parametrize("failure", [
    tg.errors.PlanningError("the multi-year quota LP could not be solved: The HiGHS status "
                            "code was not recognized. (HiGHS Status 15: model_status is "
                            "Unknown; primal_status is None)"),
    _infinite_linprog,
])
def test_a_solver_failure_is_a_typed_422_without_the_solvers_status(model_dir, monkeypatch,
                                                                     caplog, failure):
    monkeypatch.setattr(tg.planning, "allocate_quotas", _solver_fails(failure))
    in_process = TestClient(create_app(model_dir), raise_server_exceptions=False)
    reply = in_process.post("/v1/plan", json={**BASE, "budget": 1e6, "periods": FUNDING})
    assert reply.status_code == 422, reply.text
    [item] = reply.json()["detail"]
    assert item["type"] == "plan_unsolved" and item["loc"] == ["body"]
    assert "HiGHS" not in item["msg"] and "linprog" not in item["msg"]
    assert "need_weights" in item["msg"]  # what to change
    assert any("solver failed" in r.getMessage() for r in caplog.records)


def test_a_conflict_of_constraints_stays_plan_refused(client):
    reply = _plan(client, budget=1.0, periods=FUNDING, min_quota=5)
    assert reply.status_code == 422, reply.text
    assert reply.json()["detail"][0]["type"] == "plan_refused"
