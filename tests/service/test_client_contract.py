"""What a client reads on the OpenAPI page holds: empty lists, the horizon limit, the
bearer scheme, field bounds and texts, and examples that work on the demo model."""

from __future__ import annotations

import copy
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import ParameterError

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.service import ServiceSettings, create_app
from talentgap.service._horizon import forecastable_horizon
from talentgap.service.schemas import (
    ForecastRequest,
    GapRequest,
    PlanRequest,
    PlanRequestV1,
    PredictRequest,
)

PLAN = {"budget": 100_000, "cost_per_trainee": 1000}
PER_CELL = ("cost_per_trainee", "pass_rate", "absorption", "capacity", "min_quota")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "service.md"


@pytest.fixture(scope="module")
def client(model_dir):
    app = create_app(model_dir, settings=ServiceSettings(plan_workers=0))
    return TestClient(app, raise_server_exceptions=False)


def _list_fields(model) -> list[str]:
    """Fields of a request schema that take a JSON array (alone or as one form)."""
    return [name for name, spec in model.model_json_schema()["properties"].items()
            if "'array'" in str(spec)]


@pytest.mark.parametrize(("model", "path", "base"), [
    (GapRequest, "/v1/gap", {}), (PredictRequest, "/predict", {}),
    (ForecastRequest, "/v1/forecast", {}), (PlanRequestV1, "/v1/plan", PLAN),
    (PlanRequest, "/plan", PLAN)])
def test_an_empty_list_in_any_list_field_is_never_a_server_error(client, model, path, base):
    fields = _list_fields(model)
    assert fields, model
    for name in fields:
        reply = client.post(path, json={**base, name: []})
        assert reply.status_code in (200, 409, 422), (path, name, reply.text)
        if reply.status_code == 422:
            assert reply.json()["detail"][0]["loc"][:2] == ["body", name], (path, name)


@pytest.mark.parametrize("name", PER_CELL)
def test_an_empty_per_cell_table_is_refused_at_its_field(client, name):
    reply = client.post("/v1/plan", json={**PLAN, name: []})
    assert reply.status_code == 422, reply.text
    item = reply.json()["detail"][0]
    assert item["loc"] == ["body", name] and item["type"] == "too_short"
    assert len(reply.json()["detail"]) == 1  # one error, not one per form of the field


def test_a_per_cell_value_is_refused_once_at_its_entry(client):
    reply = client.post("/v1/plan", json={**PLAN, "capacity": [
        {"cell": {"region": "Amberfield"}, "value": -1}]})
    assert reply.status_code == 422
    assert [d["loc"] for d in reply.json()["detail"]] == [["body", "capacity", 0, "value"]]
    reply = client.post("/v1/plan", json={**PLAN, "cost_per_trainee": -1})
    assert [d["loc"] for d in reply.json()["detail"]] == [["body", "cost_per_trainee"]]


# ---- one horizon limit, the model's -------------------------------------------------------
def test_the_longest_horizon_is_the_longest_the_model_can_forecast(gap_model):
    gap_model = copy.copy(gap_model).set_params(horizon=None)  # as saved by library code
    longest = forecastable_horizon(gap_model, 120)
    assert 1 <= longest < 120
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gap_model.sample_paths(longest)
        with pytest.raises(ParameterError, match="too short"):
            gap_model.sample_paths(longest + 1)
    assert forecastable_horizon(gap_model, 3) == 3


def test_the_longest_horizon_of_a_forecaster_needs_its_minimum_history():
    quarters = [f"{2019 + i // 4}Q{i % 4 + 1}" for i in range(12)]
    df = pd.DataFrame({"id": ["a"] * 12 + ["b"] * 12, "period": quarters * 2,
                       "value": [float(v) for v in range(1, 13)]
                       + [5.0, 6, 5, 7, 6, 8, 7, 9, 8, 9, 10, 9]})
    model = tg.models.ETS().fit(df, keys=["id"])
    longest = forecastable_horizon(model, 120)
    assert longest == 12 - model._min_obs(model.season_length_)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.predict(longest, level=[80])
        with pytest.raises(ParameterError):
            model.predict(longest + 1, level=[80])


def test_one_horizon_limit_for_gap_plan_and_periods(client, gap_model):
    longest = forecastable_horizon(gap_model, 120)
    assert client.get("/v1/model").json()["max_horizon"] == longest
    assert client.post("/v1/gap", json={"horizon": longest}).status_code == 200
    for path, body in [("/v1/gap", {"horizon": longest + 1}),
                       ("/v1/plan", {**PLAN, "horizon": longest + 1}),
                       ("/plan", {**PLAN, "horizon": longest + 1}),
                       ("/predict", {"horizon": longest + 1})]:
        reply = client.post(path, json=body)
        assert reply.status_code == 422, (path, reply.text)
        item = reply.json()["detail"][0]
        assert item["loc"] == ["body", "horizon"], path
        assert f"max_horizon = {longest}" in item["msg"], item["msg"]
    last = pd.Period(gap_model.origin_) + longest  # funded there, certified one period later
    reply = client.post("/v1/plan", json={**PLAN, "periods": [str(last)], "lead_time": 1})
    assert reply.status_code == 422, reply.text
    item = reply.json()["detail"][0]
    assert item["loc"] == ["body", "periods"] and f"max_horizon = {longest}" in item["msg"]
    fits = client.post("/v1/plan", json={**PLAN, "periods": [str(last - 1)], "lead_time": 1})
    assert fits.status_code == 200, fits.text


def test_a_smaller_configured_limit_is_the_one_reported(model_dir):
    client = TestClient(create_app(model_dir, settings=ServiceSettings(max_horizon=3,
                                                                      plan_workers=0)))
    assert client.get("/v1/model").json()["max_horizon"] == 3
    reply = client.post("/v1/plan", json={**PLAN, "periods": ["2023Q4"]})
    assert reply.status_code == 422 and "max_horizon = 3" in reply.json()["detail"][0]["msg"]


# ---- the bearer scheme ------------------------------------------------------------------
def test_openapi_declares_the_bearer_token_when_one_is_set(model_dir):
    guarded = TestClient(create_app(model_dir, settings=ServiceSettings(token="s3cret")))
    schema = guarded.get("/openapi.json").json()
    scheme = schema["components"]["securitySchemes"]["bearerToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    for path in ("/v1/model", "/v1/gap", "/v1/plan", "/v1/forecast"):
        operation = next(iter(schema["paths"][path].values()))
        assert operation["security"] == [{"bearerToken": []}], path
    assert "security" not in schema["paths"]["/health"]["get"]
    refused = guarded.get("/v1/model")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
    assert guarded.get("/v1/model", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    open_schema = TestClient(create_app(model_dir)).get("/openapi.json").json()
    assert "securitySchemes" not in open_schema.get("components", {})


# ---- field texts that match behaviour -----------------------------------------------------
@pytest.mark.parametrize(("body", "loc"), [
    ({"pass_rate": 0}, ["body", "pass_rate"]),
    ({"pass_rate": [{"cell": {"region": "Amberfield"}, "value": 0},
                    {"cell": {"region": "Ashmere"}, "value": 0.5}]},
     ["body", "pass_rate", 0, "value"])])
def test_shares_described_as_in_0_1_refuse_0(client, body, loc):
    reply = client.post("/v1/plan", json={**PLAN, **body})
    assert reply.status_code == 422, reply.text
    assert reply.json()["detail"][0]["loc"] == loc


def test_an_expected_risk_with_a_quantile_is_a_contradiction(client):
    reply = client.post("/v1/plan", json={**PLAN, "risk": "expected", "quantile": 0.9})
    assert reply.status_code == 422
    item = reply.json()["detail"][0]
    assert item["loc"] == ["body", "quantile"] and "risk='expected'" in item["msg"]
    assert not item["msg"].startswith("Value error")
    implied = client.post("/v1/plan", json={**PLAN, "quantile": 0.9})
    assert implied.status_code == 200 and implied.json()["summary"]["risk"] == "quantile"


def test_defaults_and_horizon_are_described_as_they_behave():
    properties = PlanRequestV1.model_json_schema()["properties"]
    assert "Default 0." not in properties["lead_time"]["description"]
    assert "plan_defaults" in properties["lead_time"]["description"]
    for model in (GapRequest, PlanRequestV1):  # one simulation: no "can differ" any more
        text = model.model_json_schema()["properties"]["horizon"]["description"]
        assert "do not depend on the horizon asked" in text and "model_horizon" in text
        assert "differ" not in text
    assert "do not depend on the horizon asked" in DOCS.read_text(encoding="utf-8")


# ---- examples valid on the demo model ---------------------------------------------------
@pytest.fixture(scope="module")
def demo_client(tmp_path_factory):
    """A quick model of the demo data, as the README's (quarterly, 64 cells, 2024Q4)."""
    data = tg.datasets.load_demo()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = tg.features.build_panel(data.surveys, data.training, freq="Q", lead_time=1)
        gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50).fit(panel)
    with pytest.warns(UserWarning, match="without a horizon"):  # fixed at load: 8 quarters
        path = gap.save(tmp_path_factory.mktemp("demo") / "model",
                        config={"forecast": {"horizon": 4},
                                "plan": {"cost_per_trainee": 6000, "pass_rate": 0.67,
                                         "absorption": 0.85, "capacity": 150, "lead_time": 1}})
    return TestClient(create_app(path, settings=ServiceSettings(plan_workers=0)))


def _examples(model, name):
    return model.model_json_schema()["properties"][name].get("examples", [])


def test_schema_examples_work_on_the_demo_model(demo_client):
    for body in GapRequest.model_json_schema()["examples"]:
        reply = demo_client.post("/v1/gap", json=body)
        assert reply.status_code == 200, (body, reply.text)
    for body in PlanRequestV1.model_json_schema()["examples"]:
        reply = demo_client.post("/v1/plan", json=body)
        assert reply.status_code == 200, (body, reply.text)
    defs = PlanRequestV1.model_json_schema()["$defs"]
    periods = _examples(PlanRequestV1, "periods")[0]
    multi = {"budget": 5_000_000, "periods": periods}
    rows = {"policy_need": defs["PolicyNeed"]["examples"],
            "budget_envelopes": [{**defs["BudgetEnvelope"]["examples"][0], "period": p}
                                 for p in periods],
            "capacity_groups": defs["CapacityGroupMember"]["examples"]}
    for name, value in rows.items():
        reply = demo_client.post("/v1/plan", json={**multi, name: value})
        assert reply.status_code == 200, (name, reply.text)
    for table in _examples(PlanRequestV1, "cost_per_trainee"):
        reply = demo_client.post("/v1/plan", json={"budget": 5_000_000,
                                                   "cost_per_trainee": table})
        assert reply.status_code == 200, reply.text
    crosswalk = _examples(PlanRequestV1, "crosswalk")[0]
    reply = demo_client.post("/v1/plan", json={**multi, "crosswalk": crosswalk})
    assert reply.status_code == 200, reply.text
    budgets = [{"period": p, "budget": 1_000_000} for p in periods]
    reply = demo_client.post("/v1/plan", json={"periods": periods, "budget_per_period": budgets})
    assert reply.status_code == 200, reply.text


def test_the_programme_example_of_the_docs_works_on_the_demo_model(demo_client):
    blocks = re.findall(r"```json\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    programme = [b for b in blocks if "crosswalk" in b]
    assert programme
    reply = demo_client.post("/v1/plan", content=programme[0],
                             headers={"Content-Type": "application/json"})
    assert reply.status_code == 200, reply.text


# ---- error items: the field at fault and stable kinds --------------------------------------
@pytest.mark.parametrize(("path", "body", "loc"), [
    ("/v1/gap", {"level": [0.8]}, ["body", "level"]),
    ("/v1/gap", {"level": [80, 80.0000001]}, ["body", "level"]),
    ("/v1/plan", {**PLAN, "periods": ["2023Q1", "2023Q1"]}, ["body", "periods"]),
    ("/v1/plan", {**PLAN, "risk": "quantile"}, ["body", "risk"]),
    ("/v1/plan", {**PLAN, "period": "2030Q1"}, ["body", "period"]),
    ("/v1/plan", {**PLAN, "period": "2022Q4"}, ["body", "period"]),
])
def test_errors_about_one_field_are_placed_at_it(client, path, body, loc):
    reply = client.post(path, json=body)
    assert reply.status_code == 422, reply.text
    item = reply.json()["detail"][0]
    assert item["loc"] == loc, item
    assert not item["type"].endswith("Error"), item  # never a Python class name


def test_a_period_past_the_horizon_says_which_horizon_would_reach_it(client, gap_model):
    target = pd.Period(gap_model.origin_) + 6
    reply = client.post("/v1/plan", json={**PLAN, "horizon": 2, "period": str(target)})
    assert reply.status_code == 422
    assert "horizon >= 6" in reply.json()["detail"][0]["msg"]
    fits = client.post("/v1/plan", json={**PLAN, "horizon": 6, "period": str(target)})
    assert fits.status_code == 200, fits.text


def test_a_model_with_a_fixed_span_forecasts_up_to_it(gap_model):
    if "horizon" not in gap_model.get_params():
        pytest.skip("this GapForecaster has no fixed horizon")
    fixed = copy.copy(gap_model)
    fixed.horizon = 5
    assert forecastable_horizon(fixed, 40) == 5 and forecastable_horizon(fixed, 3) == 3
    unfixed = copy.copy(gap_model).set_params(horizon=None)
    fixed.horizon = forecastable_horizon(unfixed, 120) + 1  # its backtests cannot reach it
    assert forecastable_horizon(fixed, 40) == 0


def test_an_unknown_key_value_of_a_per_cell_parameter_is_named_at_its_entry(client):
    reply = client.post("/v1/plan", json={**PLAN, "cost_per_trainee": [
        {"cell": {"region": "Amberfield"}, "value": 900},
        {"cell": {"region": "Ashmerre"}, "value": 1000}]})
    assert reply.status_code == 422
    item = reply.json()["detail"][0]
    assert item["loc"] == ["body", "cost_per_trainee", 1, "cell", "region"]
    assert "'Ashmerre'" in item["msg"] and "did you mean 'Ashmere'" in item["msg"]


def test_the_openapi_bounds_are_the_ones_applied(model_dir):
    client = TestClient(create_app(model_dir, settings=ServiceSettings(max_cells=5)))
    info = client.get("/v1/model").json()
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["GapRequest"]["properties"]["horizon"]["maximum"] == info["max_horizon"]
    forms = schemas["PlanRequestV1"]["properties"]["horizon"]["anyOf"]
    assert [f.get("maximum") for f in forms] == [info["max_horizon"], None]
    cells = schemas["GapRequest"]["properties"]["cells"]["anyOf"][0]
    assert cells["maxItems"] == info["max_cells"] == 5


# ---- smaller findings --------------------------------------------------------------------
def test_a_request_without_the_token_is_401_even_with_a_broken_body(model_dir):
    guarded = TestClient(create_app(model_dir, settings=ServiceSettings(token="s3cret")))
    reply = guarded.post("/v1/gap", content="{broken",
                         headers={"Content-Type": "application/json"})
    assert reply.status_code == 401 and reply.headers["WWW-Authenticate"] == "Bearer"
    text = guarded.post("/v1/gap", content='{"horizon": 2}',
                        headers={"Content-Type": "text/plain",
                                 "Authorization": "Bearer s3cret"})
    assert text.status_code == 422
    assert text.json()["detail"][0]["type"] == "json_required"


def test_a_forecaster_reports_the_last_period_of_its_series(tmp_path):
    quarters = [f"{2019 + i // 4}Q{i % 4 + 1}" for i in range(8)]
    df = pd.DataFrame({"id": ["a"] * 8, "period": quarters, "value": [float(v) for v in
                                                                        range(8)]})
    path = tg.models.Naive().fit(df, keys=["id"]).save(tmp_path / "naive")
    client = TestClient(create_app(path))
    assert client.get("/v1/model").json()["origin"] == "2020Q4"
    assert client.post("/v1/forecast", json={"horizon": 1}).json()["origin"] == "2020Q4"


def test_two_envelopes_for_the_same_cells_are_refused(client, gap_model):
    origin = pd.Period(gap_model.origin_)
    reply = client.post("/v1/plan", json={**PLAN, "periods": [str(origin + 1)],
                                          "budget_envelopes": [
                                              {"region": "Ashmere", "budget": 10},
                                              {"region": "Amberfield", "budget": 1000},
                                              {"region": "Amberfield", "budget": 900000}]})
    assert reply.status_code == 422, reply.text
    item = reply.json()["detail"][0]
    assert item["loc"] == ["body", "budget_envelopes", 2] and "rows 1 and 2" in item["msg"]


def test_every_returned_name_is_described_on_the_openapi_page(client, gap_model):
    from talentgap.models.gap_flags import FLAGS

    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    gap_text = str(schemas["GapResponse"]["properties"])
    gap = client.post("/v1/gap", json={"horizon": 2, "level": [80]}).json()
    generic = [re.sub(r"_80$", "_<level>", c) for c in gap["columns"]]
    assert all(c in gap_text for c in [*generic, *FLAGS, "persons"]), gap_text
    plan_text = str([schemas[name]["properties"]
                     for name in ("PlanResponse", "PlanSummary", "QuotaRow", "YearRow")])
    origin = pd.Period(gap_model.origin_)
    for body in (PLAN, {**PLAN, "periods": [str(origin + 1), str(origin + 2)]}):
        plan = client.post("/v1/plan", json=body).json()
        names = [*plan["summary"], *plan["quotas"][0]]
        missing = [n for n in names if n not in plan_text and n not in ("region", "industry")]
        assert not missing, missing
    assert "QuotaPlan" not in str(schemas["ConstraintOut"])
