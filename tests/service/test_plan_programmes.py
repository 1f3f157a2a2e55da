"""POST /v1/plan with a crosswalk: places per training programme, one period or several."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import talentgap as tg

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.service import create_app
from talentgap.service.settings import ServiceSettings

#: The fixture model is quarterly with origin 2022Q4.
FUNDING = ["2023Q1", "2023Q2"]
COSTS = {"welding": 1000.0, "cnc": 1500.0, "sewing": 800.0}


@pytest.fixture(scope="module")
def client(model_dir):
    with TestClient(create_app(model_dir)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def industries(gap_model) -> list[str]:
    return sorted(gap_model.cells_["industry"].astype(str).unique())


@pytest.fixture(scope="module")
def crosswalk(industries) -> list[dict]:
    """Welding feeds two industries, cnc and sewing one each."""
    construction, electro, textiles = industries
    return [{"program": "welding", "industry": construction, "share": 0.6},
            {"program": "welding", "industry": electro, "share": 0.4},
            {"program": "cnc", "industry": electro, "share": 1.0},
            {"program": "sewing", "industry": textiles, "share": 1.0}]


def _costs() -> list[dict]:
    return [{"cell": {"program": p}, "value": v} for p, v in COSTS.items()]


def _cost_table() -> pd.DataFrame:
    return pd.DataFrame({"program": list(COSTS), "cost_per_trainee": list(COSTS.values())})


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, (pd.PeriodDtype, pd.CategoricalDtype)):
            frame[column] = frame[column].astype(str)
    return frame.reset_index(drop=True)


def _same_plan(body: dict, want) -> None:
    """The service's answer holds the library's plan: quotas, summary, duals, notes."""
    got = pd.DataFrame(body["quotas"])
    expected = json.loads(_as_text(want.quotas).to_json(orient="records"))
    pd.testing.assert_frame_equal(got, pd.DataFrame(expected), check_dtype=False)
    summary = dict(body["summary"])
    assert summary.pop("periods") == [p.strip() for p in summary["period"].split(",")]
    summary.pop("need_periods_list", None)   # the periods as lists, too
    assert summary == json.loads(
        _as_text(want.summary.to_frame().T).to_json(orient="records"))[0]
    assert body["binding"] == list(want.binding)
    assert body["marginal_value"] == pytest.approx(want.marginal_value.to_dict())
    assert body["notes"] == list(want.notes)


def _detail(reply) -> dict:
    assert reply.status_code == 422, reply.text
    return reply.json()["detail"][0]


# --------------------------------------------------------------------------- equal to the library


def test_single_period_programme_plan_is_the_librarys(client, gap_model, crosswalk):
    reply = client.post("/v1/plan", json={"budget": 60_000, "cost_per_trainee": _costs(),
                                          "pass_rate": 0.8, "capacity": 25,
                                          "crosswalk": crosswalk})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    want = tg.planning.allocate_quotas(
        gap_model.sample_paths(4), crosswalk=pd.DataFrame(crosswalk), budget=60_000,
        cost_per_trainee=_cost_table(), pass_rate=0.8, capacity=25)
    _same_plan(body, want)
    quotas = pd.DataFrame(body["quotas"])
    # one row per programme and region, each saying which industries it feeds
    assert sorted(quotas["program"].unique()) == sorted(COSTS)
    assert len(quotas) == 3 * gap_model.cells_["region"].nunique()
    welding = quotas.loc[quotas["program"] == "welding", "feeds"].iloc[0]
    assert "60%" in welding and "40%" in welding
    assert body["summary"]["programmes"] == len(quotas)
    assert body["summary"]["total_cost"] <= 60_000
    assert body["years"] is None


def test_multi_year_programme_plan_is_the_librarys(client, gap_model, crosswalk):
    budgets = [30_000.0, 20_000.0]
    lead = [{"cell": {"program": "welding"}, "value": 1},
            {"cell": {"program": "cnc"}, "value": 0},
            {"cell": {"program": "sewing"}, "value": 1}]
    group = [{"group": "college", "capacity": 15, "program": "welding"},
             {"group": "college", "capacity": 15, "program": "sewing"}]
    reply = client.post("/v1/plan", json={
        "budget_per_period": [{"period": p, "budget": b}
                              for p, b in zip(FUNDING, budgets, strict=True)],
        "cost_per_trainee": _costs(), "pass_rate": 0.8, "periods": FUNDING,
        "lead_time": lead, "exit_rate": 0.1, "capacity_groups": group,
        "crosswalk": crosswalk})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    # need periods reach the last funding period plus the longest lead time: horizon 4 still
    want = tg.planning.allocate_quotas(
        gap_model.sample_paths(4), crosswalk=pd.DataFrame(crosswalk), periods=FUNDING,
        budget=pd.DataFrame({"period": FUNDING, "budget": budgets}),
        cost_per_trainee=_cost_table(), pass_rate=0.8, exit_rate=0.1,
        lead_time=pd.DataFrame({"program": ["welding", "cnc", "sewing"],
                                "lead_time": [1, 0, 1]}),
        capacity_groups=pd.DataFrame({"group": "college", "capacity": 15.0,
                                      "program": ["welding", "sewing"]}))
    _same_plan(body, want)
    assert body["years"] == json.loads(_as_text(want.years.assign(need_basis="forecast"))
                                       .to_json(orient="records"))
    quotas = pd.DataFrame(body["quotas"])
    assert sorted(quotas["period"].unique()) == FUNDING
    assert quotas.groupby("program")["lead_time"].first().to_dict() == {
        "cnc": 0, "sewing": 1, "welding": 1}
    college = quotas[quotas["program"].isin(["welding", "sewing"])]
    assert (college.groupby("period")["quota"].sum() <= 15 + 1e-9).all()
    spent = quotas.groupby("period")["cost"].sum()
    assert (spent.reindex(FUNDING).to_numpy() <= np.array(budgets) + 1e-6).all()


def test_shares_by_region_and_budget_envelopes_of_programmes(client, gap_model, crosswalk):
    regions = sorted(gap_model.cells_["region"].astype(str).unique())
    by_region = [{**row, "region": region} for region in regions for row in crosswalk]
    envelope = [{"program": "cnc", "region": regions[0], "budget": 3_000}]
    fields = {"budget": 60_000, "cost_per_trainee": 1000, "periods": FUNDING,
              "crosswalk": by_region, "budget_envelopes": envelope}
    reply = client.post("/v1/plan", json=fields)
    assert reply.status_code == 200, reply.text
    quotas = pd.DataFrame(reply.json()["quotas"])
    limited = quotas[(quotas["program"] == "cnc") & (quotas["region"] == regions[0])]
    assert limited["cost"].sum() <= 3_000 + 1e-6
    want = tg.planning.allocate_quotas(
        gap_model.sample_paths(4), crosswalk=pd.DataFrame(by_region), periods=FUNDING,
        budget=60_000, cost_per_trainee=1000, pass_rate=1.0,
        budget_envelopes=pd.DataFrame(envelope))
    _same_plan(reply.json(), want)


# --------------------------------------------------------------------------- refusals


def test_shares_not_summing_to_one_name_the_row(client, crosswalk):
    short = [crosswalk[0], *crosswalk[2:]]  # welding keeps 0.6 of its graduates
    item = _detail(client.post("/v1/plan", json={"budget": 1000, "cost_per_trainee": 100,
                                                 "crosswalk": short}))
    assert item["loc"] == ["body", "crosswalk", 0, "share"]
    assert "sum to 1" in item["msg"] and "welding" in item["msg"] and "item 0" in item["msg"]
    assert item["type"] == "invalid_table"


def test_an_unknown_industry_names_the_row_and_suggests(client, crosswalk, industries):
    typo = [*crosswalk[:3], {**crosswalk[3], "industry": industries[2][:-1]}]
    item = _detail(client.post("/v1/plan", json={"budget": 1000, "cost_per_trainee": 100,
                                                 "crosswalk": typo}))
    assert item["loc"] == ["body", "crosswalk", 3, "industry"]
    assert f"did you mean {industries[2]!r}" in item["msg"]


def test_a_crosswalk_column_that_is_no_key_is_refused(client, crosswalk):
    item = _detail(client.post("/v1/plan", json={
        "budget": 1000, "cost_per_trainee": 100,
        "crosswalk": [{**crosswalk[0], "town": "x"}, *crosswalk[1:]]}))
    assert item["loc"] == ["body", "crosswalk", 0, "town"]


@pytest.mark.parametrize("name", ["cost_per_trainee", "capacity", "lead_time"])
def test_a_parameter_for_an_unknown_programme_names_the_entry(client, crosswalk, name):
    entries = [{"cell": {"program": "welding"}, "value": 1},
               {"cell": {"program": "weldng"}, "value": 1}]
    fields = {"budget": 1000, "cost_per_trainee": 100, "crosswalk": crosswalk, name: entries}
    if name == "lead_time":
        fields["periods"] = FUNDING
    item = _detail(client.post("/v1/plan", json=fields))
    assert item["loc"] == ["body", name, 1, "cell", "program"]
    assert "'weldng'" in item["msg"] and "did you mean 'welding'" in item["msg"]


def test_library_refusals_are_answered_at_the_field(client, crosswalk):
    missing = [{"cell": {"program": "welding"}, "value": 900}]  # no cost for cnc or sewing
    item = _detail(client.post("/v1/plan", json={"budget": 1000, "cost_per_trainee": missing,
                                                 "crosswalk": crosswalk}))
    assert item["loc"] == ["body", "cost_per_trainee"]
    assert "no row for" in item["msg"] and "cnc" in item["msg"]
    group = [{"group": "g", "capacity": 5, "program": "knitting"}]
    item = _detail(client.post("/v1/plan", json={"budget": 1000, "cost_per_trainee": 100,
                                                 "periods": FUNDING, "crosswalk": crosswalk,
                                                 "capacity_groups": group}))
    assert item["loc"] == ["body", "capacity_groups"]
    assert "row 0" in item["msg"] and "knitting" in item["msg"]


def test_a_programme_parameter_without_a_crosswalk_is_refused(client):
    item = _detail(client.post("/v1/plan", json={
        "budget": 1000, "cost_per_trainee": [{"cell": {"program": "welding"}, "value": 9}]}))
    assert item["loc"] == ["body", "cost_per_trainee"]


def test_the_size_guard_counts_the_programme_links(model_dir, crosswalk):
    # one period: 6 cells x 1 period x 200 paths = 1,200 values; the crosswalk's 4 rows in
    # each of the 2 regions add 8 links: 14 x 1 x 200 = 2,800
    with TestClient(create_app(model_dir,
                               settings=ServiceSettings(max_plan_size=2_000))) as bounded:
        fields = {"budget": 5000, "cost_per_trainee": 100}
        assert bounded.post("/v1/plan", json=fields).status_code == 200
        item = _detail(bounded.post("/v1/plan", json={**fields, "crosswalk": crosswalk}))
    assert item["type"] == "plan_too_large"
    assert "(6 cells + 8 programme links)" in item["msg"] and "2,800 values" in item["msg"]


# --------------------------------------------------------------------------- the OpenAPI page


def test_openapi_describes_the_crosswalk_with_an_example(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for request in ("PlanRequest", "PlanRequestV1"):
        field = schemas[request]["properties"]["crosswalk"]
        assert "programme" in field["description"]
        example = field["examples"][0]
        assert {row["program"] for row in example} == {"welding", "sewing"}
        assert {"program", "industry", "share"} <= set(example[0])
    row = schemas["CrosswalkRow"]
    assert {"program", "industry", "share"} <= set(row["properties"])
    assert row["required"] == ["program", "share"]
    assert all(row["properties"][name].get("description") for name in ("program", "share"))
    assert "program" in schemas["CellCostPerTrainee"]["properties"]["cell"]["description"]
