"""What a client integrating from the OpenAPI page alone relies on: one error shape for every
failure, a log that cannot be forged, the model named in each answer, published bounds that
are the applied ones, one rule for periods, and single-period plans as the library makes them."""

from __future__ import annotations

import copy
import logging
import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.editions import EditionStore
from talentgap.service import ServiceSettings, create_app, reload_model
from talentgap.service._openapi_bounds import horizon_bound
from talentgap.service.middleware import ACCESS_LOGGER

#: The fixture model (conftest): quarterly, origin 2022Q4, regions Amberfield and Ashmere.
PLAN = {"budget": 100_000, "cost_per_trainee": 1000}
KEYS = ("region", "industry")


@pytest.fixture(scope="module")
def app(model_dir):
    return create_app(model_dir, settings=ServiceSettings(plan_workers=0))


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def spec(client):
    return client.get("/openapi.json").json()


def _detail(reply) -> dict:
    assert reply.status_code == 422, reply.text
    return reply.json()["detail"][0]


# 1. unexpected failures

def test_an_unexpected_failure_is_a_500_error_body_with_the_traceback_in_the_log(
        model_dir, monkeypatch, caplog):
    app = create_app(model_dir)

    def boom(*args, **kwargs):
        raise RuntimeError("internal detail /secret/path")

    monkeypatch.setattr(app.state.served.gap_answers, "answer", boom)
    with caplog.at_level(logging.ERROR, logger="talentgap.service"):
        reply = TestClient(app, raise_server_exceptions=False).post("/v1/gap", json={})
    assert reply.status_code == 500
    assert reply.headers["content-type"] == "application/json"
    [item] = reply.json()["detail"]
    assert item["type"] == "internal_error" and item["loc"] == []
    assert "secret" not in reply.text and "RuntimeError" not in reply.text
    logged = [r for r in caplog.records if r.name == "talentgap.service" and r.exc_info]
    assert len(logged) == 1 and "/secret/path" in str(logged[0].exc_info[1])
    assert "/v1/gap" in logged[0].getMessage()


def test_every_operation_documents_500_as_an_error_body(spec):
    operations = [(path, op) for path, item in spec["paths"].items()
                  for op in item.values() if "responses" in op]
    assert len(operations) >= 8
    for path, op in operations:
        answer = op["responses"].get("500")
        assert answer is not None, path
        schema = answer["content"]["application/json"]["schema"]
        assert schema["$ref"].endswith("/ErrorBody"), path


# 2. the access log

def test_a_path_cannot_forge_an_access_log_line_or_field(client, caplog):
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        client.get("/v1/%0aFAKE%20status=200")
        client.get("/v1/" + "a" * 5000)
    forged, long = [r for r in caplog.records if r.name == ACCESS_LOGGER]
    message = forged.getMessage()
    assert "\n" not in message and message.count("status=") == 1
    assert forged.path == "/v1/%0AFAKE%20status%3D200"
    assert len(long.path) == 200 and long.path.endswith("...")


# 3. a body that is not UTF-8

def test_a_body_that_is_not_utf8_is_a_400_bad_request(client):
    reply = client.post("/v1/gap", content=b'{"horizon": "\xff"}',
                        headers={"content-type": "application/json"})
    assert reply.status_code == 400
    [item] = reply.json()["detail"]
    assert item["type"] == "bad_request" and item["loc"] == []
    assert item["msg"].startswith("the body is not UTF-8 text: byte 0xff at offset 13")


def test_a_compressed_body_is_a_415_naming_the_encoding(client):
    reply = client.post("/v1/gap", content=b"\x1f\x8b\x08\x00",
                        headers={"content-type": "application/json",
                                 "content-encoding": "gzip"})
    assert reply.status_code == 415
    assert reply.headers["accept-encoding"] == "identity"
    [item] = reply.json()["detail"]
    assert item["type"] == "unsupported_encoding"
    assert item["loc"] == ["header", "content-encoding"] and "'gzip'" in item["msg"]
    plain = client.post("/v1/gap", json={"horizon": 1},
                        headers={"content-encoding": "identity"})
    assert plain.status_code == 200, plain.text


@pytest.mark.parametrize("headers", [{"content-type": "application/json"}, {}])
def test_an_empty_body_is_json_required(client, headers):
    reply = client.post("/v1/gap", content=b"", headers=headers)
    assert reply.status_code == 422
    assert reply.json()["detail"] == [{
        "loc": ["body"], "type": "json_required",
        "msg": "the body must be a JSON object sent with 'Content-Type: application/json'"}]


# 4. which model answered

def test_answers_name_the_model_and_a_reload_says_which_it_now_serves(
        gap_model, tmp_path, caplog):
    path = gap_model.save(tmp_path / "model", config={"forecast": {"horizon": 4}})
    app = create_app(path)
    client = TestClient(app)
    first = client.get("/v1/model").json()["model_fingerprint"]
    assert first == tg.models.persistence.read_metadata(path)["metadata_sha256"]
    reply = client.post("/v1/gap", json={"horizon": 1})
    assert reply.headers["X-Model-Fingerprint"] == first
    assert "X-Model-Edition" not in reply.headers
    gap_model.save(path, config={"forecast": {"horizon": 2}})
    with caplog.at_level(logging.INFO, logger="talentgap.service"):
        reload_model(app)
    second = tg.models.persistence.read_metadata(path)["metadata_sha256"]
    assert second != first
    assert client.post("/v1/gap", json={"horizon": 1}).headers["X-Model-Fingerprint"] == second
    [line] = [r.getMessage() for r in caplog.records if "reloaded" in r.getMessage()]
    assert second in line and str(path) in line


def test_an_edition_is_named_in_the_answers_and_the_reload_log(gap_model, tmp_path, caplog):
    store = EditionStore(tmp_path / "editions.db")
    store.add("2022-q4-a", gap_model, gap_model.predict(1, level=[80]),
              created="2023-01-05T00:00:00Z")
    app = create_app(store=tmp_path / "editions.db")
    reply = TestClient(app).post("/v1/gap", json={"horizon": 1})
    assert reply.headers["X-Model-Edition"] == "2022-q4-a"
    assert reply.headers["X-Model-Fingerprint"] == app.state.served.metadata["metadata_sha256"]
    with caplog.at_level(logging.INFO, logger="talentgap.service"):
        reload_model(app)
    [line] = [r.getMessage() for r in caplog.records if "reloaded" in r.getMessage()]
    assert "edition 2022-q4-a" in line and reply.headers["X-Model-Fingerprint"] in line


def test_the_identity_headers_are_documented(spec):
    for path in ("/v1/gap", "/v1/plan", "/v1/model", "/v1/forecast"):
        operation = next(iter(spec["paths"][path].values()))
        for status, answer in operation["responses"].items():
            named = {"X-Model-Fingerprint", "X-Model-Edition"} <= set(answer["headers"])
            assert named == (status != "401"), (path, status)
            assert "X-Request-ID" in answer["headers"], (path, status)
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
        assert "Retry-After" in operation["responses"]["429"]["headers"]
    assert "Retry-After" in spec["paths"]["/v1/plan"]["post"]["responses"]["503"]["headers"]
    assert "X-Request-ID" in spec["paths"]["/health"]["get"]["responses"]["200"]["headers"]


def test_refusals_of_v1_name_the_model_but_a_401_does_not(model_dir):
    app = create_app(model_dir, settings=ServiceSettings(token="t", max_body_bytes=500))
    client = TestClient(app, headers={"Authorization": "Bearer t"})
    fingerprint = app.state.served.fingerprint
    refusals = [client.post("/v1/gap", json={"horizon": 0}),  # 422
                client.post("/v1/gap", content=b"{", headers={"content-type":
                                                              "application/json"}),
                client.post("/v1/gap", content=b"x" * 501),  # 413
                client.post("/v1/forecast", json={"horizon": 1}),  # 409: a gap model
                client.get("/v1/nowhere")]  # 404
    assert [r.status_code for r in refusals] == [422, 422, 413, 409, 404]
    assert all(r.headers["X-Model-Fingerprint"] == fingerprint for r in refusals)
    unauthorized = TestClient(app).get("/v1/model")
    assert unauthorized.status_code == 401 and "X-Model-Fingerprint" not in unauthorized.headers
    assert client.get("/ready").json()["model_fingerprint"] == fingerprint


# 5. levels

def test_the_level_schema_states_the_rule_the_service_applies(client, spec):
    level = spec["components"]["schemas"]["GapRequest"]["properties"]["level"]["items"]
    assert level["exclusiveMinimum"] == 1 and level["exclusiveMaximum"] == 100
    assert _detail(client.post("/v1/gap", json={"level": [1]}))["loc"] == ["body", "level"]
    assert "fraction" in _detail(client.post("/v1/gap", json={"level": [0.8]}))["msg"]
    assert client.post("/v1/gap", json={"horizon": 1, "level": [1.5]}).status_code == 200


# 6. did you mean

def test_a_misspelled_cell_value_or_key_column_gets_the_closest_one(client):
    detail = _detail(client.post("/v1/gap", json={
        "cells": [{"region": "Amberfeld", "industry": "textiles"}]}))
    assert "region 'Amberfeld'" in detail["msg"]
    assert "did you mean 'Amberfield'?" in detail["msg"]
    detail = _detail(client.post("/v1/gap", json={"cells": [{"regoin": "Amberfield"}]}))
    assert "'regoin', not a key column (did you mean 'region'?)" in detail["msg"]


# 7. and 8. periods

@pytest.mark.parametrize(("extra", "loc"), [
    ({"period": "2023-12"}, ["body", "period"]),
    ({"period": "2023Q5"}, ["body", "period"]),
    ({"periods": ["2023Q1", "2023"]}, ["body", "periods", 1]),
    ({"periods": ["2023Q5"]}, ["body", "periods", 0]),
    ({"periods": ["2023-12"]}, ["body", "periods", 0]),
])
def test_a_period_not_of_the_model_is_one_error_in_every_period_field(client, extra, loc):
    detail = _detail(client.post("/v1/plan", json={**PLAN, **extra}))
    assert detail["type"] == "invalid_value" and detail["loc"] == loc
    assert "the model is quarterly" in detail["msg"]


def test_period_and_periods_both_take_an_iso_date_as_its_period(client):
    single = client.post("/v1/plan", json={**PLAN, "period": "2023-11-30"})
    assert single.status_code == 200, single.text
    assert single.json()["summary"]["period"] == "2023Q4"
    multi = client.post("/v1/plan", json={**PLAN, "periods": ["2023-02-15"]})
    assert multi.status_code == 200, multi.text
    assert {row["period"] for row in multi.json()["quotas"]} == {"2023Q1"}


def test_an_echoed_value_is_cut_so_the_explanation_survives(client):
    detail = _detail(client.post("/v1/gap", json={
        "cells": [{"region": "A" * 5000, "industry": "textiles"}]}))
    assert "A" * 38 not in detail["msg"] and "A" * 37 + "..." in detail["msg"]
    assert detail["msg"].endswith("GET /v1/model lists them")
    long = _detail(client.post("/v1/plan", json={**PLAN, "period": "2" * 5000}))
    assert len(long["msg"]) < 100 and "2" * 40 not in long["msg"]


# 9. examples, HEAD, gzip, the horizon bound, warnings

def _resolved(schema: dict, components: dict) -> dict:
    return {**copy.deepcopy(schema), "components": components}


def test_every_example_in_the_openapi_document_validates(spec):
    jsonschema = pytest.importorskip("jsonschema")
    components = spec["components"]
    checked, invalid = 0, []
    for name, schema in components["schemas"].items():
        cases = [(name, schema, schema.get("examples", []))]
        cases += [(f"{name}.{field}", about, about.get("examples", []))
                  for field, about in schema.get("properties", {}).items()]
        for where, about, examples in cases:
            validator = jsonschema.Draft202012Validator(_resolved(about, components))
            for example in examples:
                checked += 1
                invalid += [f"{where}: {error.message[:120]}"
                            for error in validator.iter_errors(example)]
    assert checked > 50
    assert invalid == []


@pytest.mark.parametrize("path", ["/health", "/ready", "/v1/model", "/openapi.json", "/docs",
                                  "/model"])
def test_head_answers_on_every_get_route_as_the_get_without_its_body(client, path):
    got, head = client.get(path), client.head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"] != "0"
    assert head.headers["content-type"] == got.headers["content-type"]
    assert client.head("/v1/gap").status_code == 405  # a POST route, as GET would be


def test_large_answers_are_gzip_compressed_for_a_client_that_accepts_it(client):
    reply = client.post("/v1/gap", json={"horizon": 4}, headers={"Accept-Encoding": "gzip"})
    assert reply.status_code == 200
    assert reply.headers["content-encoding"] == "gzip"
    assert len(reply.json()["rows"]) == 6 * 4


def test_a_horizon_over_the_schema_ceiling_cites_the_published_bound(app, client, spec):
    bound = horizon_bound(app)
    assert spec["components"]["schemas"]["GapRequest"]["properties"]["horizon"][
        "maximum"] == bound
    for horizon in (bound + 1, 500):
        detail = _detail(client.post("/v1/gap", json={"horizon": horizon}))
        assert f"max_horizon = {bound}" in detail["msg"] and "120" not in detail["msg"]


def test_a_numpy_warning_during_a_request_is_logged_not_printed(model_dir, monkeypatch,
                                                                caplog):
    app = create_app(model_dir)
    answers = app.state.served.gap_answers
    original = answers.answer

    def overflowing(*args, **kwargs):
        np.float64(1e308) * np.float64(10.0)
        return original(*args, **kwargs)

    monkeypatch.setattr(answers, "answer", overflowing)
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING, "talentgap.service"):
        warnings.simplefilter("error")
        reply = TestClient(app).post("/v1/gap", json={"horizon": 1})
    assert reply.status_code == 200, reply.text
    assert not any("overflow" in text for text in reply.json()["warnings"])
    assert any("overflow" in r.getMessage() for r in caplog.records
               if r.name == "talentgap.service")


# 10. single-period plans and lead_time

def test_a_single_period_plan_funds_lead_time_before_its_arrival_as_the_library(
        client, gap_model):
    reply = client.post("/v1/plan", json={**PLAN, "horizon": 4, "lead_time": 1})
    assert reply.status_code == 200, reply.text
    quotas = pd.DataFrame(reply.json()["quotas"])
    assert set(quotas["period"]) == {"2023Q3"} and set(quotas["arrival_period"]) == {"2023Q4"}
    want = tg.planning.allocate_quotas(gap_model.sample_paths(4), lead_time=1, keys=KEYS,
                                       pass_rate=1.0, absorption=1.0,
                                       budget=PLAN["budget"],
                                       cost_per_trainee=PLAN["cost_per_trainee"])
    np.testing.assert_array_equal(quotas["quota"], want.quotas["quota"])
    detail = _detail(client.post("/v1/plan", json={**PLAN, "horizon": 4, "lead_time": 1,
                                                   "period": "2023Q4"}))
    assert detail["loc"] == ["body", "period"] and "past the last forecast" in detail["msg"]


def test_a_single_period_plan_takes_the_saved_lead_time(gap_model, tmp_path):
    path = gap_model.save(tmp_path / "model", config={
        "forecast": {"horizon": 4}, "plan": {"cost_per_trainee": 1000, "lead_time": 1}})
    reply = TestClient(create_app(path)).post("/v1/plan", json={"budget": 100_000})
    assert reply.status_code == 200, reply.text
    quota = reply.json()["quotas"][0]
    assert (quota["period"], quota["arrival_period"]) == ("2023Q3", "2023Q4")


# 11. CORS

ORIGIN = "https://planner.example"


@pytest.fixture(scope="module")
def browser(model_dir):
    app = create_app(model_dir, settings=ServiceSettings(cors_origins=(ORIGIN,)))
    return TestClient(app, raise_server_exceptions=False)


def test_a_browser_may_read_the_services_headers(browser):
    reply = browser.get("/v1/model", headers={"Origin": ORIGIN})
    assert reply.headers["access-control-allow-origin"] == ORIGIN
    exposed = {h.strip() for h in reply.headers["access-control-expose-headers"].split(",")}
    assert exposed == {"X-Model-Fingerprint", "X-Model-Edition", "X-Request-ID", "Retry-After"}
    preflight = browser.options("/v1/gap", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-request-id"})
    assert preflight.status_code == 200
    assert "X-Request-ID" in preflight.headers["access-control-allow-headers"]


def test_a_refused_preflight_has_the_error_body(browser):
    reply = browser.options("/v1/gap", headers={"Origin": "https://elsewhere.example",
                                                "Access-Control-Request-Method": "DELETE"})
    assert reply.status_code == 400
    assert reply.headers["content-type"] == "application/json"
    [item] = reply.json()["detail"]
    assert item["type"] == "cors_refused" and item["loc"] == []
    assert item["msg"].startswith("Disallowed CORS origin, method")
    assert "X-Request-ID" in reply.headers


# 12. typed rows: the published schema holds the answers

def _answer_schema(spec: dict, path: str) -> dict:
    operation = spec["paths"][path]["post"]["responses"]["200"]
    return _resolved(operation["content"]["application/json"]["schema"], spec["components"])


def test_gap_rows_are_typed_and_the_answers_validate_against_them(client, spec):
    jsonschema = pytest.importorskip("jsonschema")
    row = spec["components"]["schemas"]["GapRow"]
    assert row["additionalProperties"] == {"type": "string", "description": row[
        "additionalProperties"]["description"]}
    assert {"period", "demand", "supply", "gap", "p_shortage", "flag",
            "gap_median"} <= set(row["required"])
    validator = jsonschema.Draft202012Validator(_answer_schema(spec, "/v1/gap"))
    answer = client.post("/v1/gap", json={"horizon": 2, "level": [80, 97.5]}).json()
    assert "gap_hi_97.5" in answer["rows"][0]
    assert list(validator.iter_errors(answer)) == []
    answer["rows"][0]["gap_hi_97.5"] = "wide"  # a level column is a number
    answer["rows"][1]["extra_count"] = 3  # an unknown column is a key column: text
    assert len(list(validator.iter_errors(answer))) == 2


def test_forecast_rows_are_typed_and_the_answers_validate_against_them(tmp_path, spec):
    jsonschema = pytest.importorskip("jsonschema")
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=16, seed=0)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    forecaster = tg.models.Naive().fit(panel, target="demand", keys=list(KEYS))
    forecaster.save(tmp_path / "naive")
    reply = TestClient(create_app(tmp_path / "naive")).post(
        "/v1/forecast", json={"horizon": 2, "level": [80]})
    assert reply.status_code == 200, reply.text
    validator = jsonschema.Draft202012Validator(_answer_schema(spec, "/v1/forecast"))
    answer = reply.json()
    assert {"mean", "lo_80", "hi_80", "region"} <= set(answer["rows"][0])
    assert list(validator.iter_errors(answer)) == []
    answer["rows"][0]["lo_80"] = "low"
    assert len(list(validator.iter_errors(answer))) == 1


# 13. the reload line at the default level of ``talentgap serve``

def test_a_reload_is_logged_on_the_events_logger_that_serve_shows(model_dir, monkeypatch):
    import argparse

    from talentgap.cli import serve as serve_command
    from talentgap.service.app import EVENTS_LOGGER

    events = logging.getLogger(EVENTS_LOGGER)
    monkeypatch.setattr(events, "level", logging.NOTSET)
    monkeypatch.setattr(logging.getLogger(ACCESS_LOGGER), "level", logging.NOTSET)
    monkeypatch.setattr(serve_command, "_serve_forever", lambda *args, **kwargs: None)
    monkeypatch.setattr(serve_command, "_reload_on_sighup", lambda app: None)
    talentgap_logger = logging.getLogger("talentgap")
    monkeypatch.setattr(talentgap_logger, "level", logging.WARNING)  # the CLI's default
    args = argparse.Namespace(model=model_dir, store=None, edition=None, host="127.0.0.1",
                              port=0, token_file=None, rate_limit=0, max_body=1000,
                              max_cells=10, max_plan_size=10, plan_workers=0, plan_queue=0,
                              horizon_at_load="two_years", access_log="info", cors_origin=[],
                              quiet=True)
    serve_command._run_serve(args)
    assert not events.isEnabledFor(logging.INFO)  # --quiet hides it
    serve_command._run_serve(argparse.Namespace(**{**vars(args), "quiet": False}))
    assert events.isEnabledFor(logging.INFO)
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    events.addHandler(handler)
    try:
        reload_model(create_app(model_dir))
    finally:
        events.removeHandler(handler)
    assert [r.levelno for r in records] == [logging.INFO]
    assert records[0].getMessage().startswith("reloaded: now serving")
