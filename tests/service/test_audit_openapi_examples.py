"""The OpenAPI page holds only examples the service takes, under the bounds it applies.

A service run with a small ``max_cells`` and ``max_horizon`` writes those
bounds into its document (``limit``, ``horizon``, an answer's
``page.limit``); every example of the document must still validate against
the schema it illustrates, and the request examples must be answered. Every
operation documents the 503 a shutdown can give, and GET /ready its own.
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.service import ServiceSettings, create_app

jsonschema = pytest.importorskip("jsonschema")

#: Below the static examples: limit 1000 and 50, horizon 4.
MAX_CELLS, MAX_HORIZON = 4, 2


@pytest.fixture(scope="module")
def client(model_dir):
    return TestClient(create_app(model_dir, settings=ServiceSettings(
        max_cells=MAX_CELLS, max_horizon=MAX_HORIZON, plan_workers=0)))


@pytest.fixture(scope="module")
def document(client):
    return client.get("/openapi.json").json()


def _validator(document: dict, schema: dict):
    """A validator of ``schema`` whose ``$ref``s resolve in the document's components."""
    text = json.dumps(schema).replace("#/components/schemas/", "#/$defs/")
    return jsonschema.Draft202012Validator(
        {**json.loads(text), "$defs": json.loads(json.dumps(
            document["components"]["schemas"]).replace("#/components/schemas/", "#/$defs/"))})


def _examples(document: dict):
    """(where, schema, example) of every schema-level and property example."""
    for name, schema in document["components"]["schemas"].items():
        for example in schema.get("examples", []):
            yield name, schema, example
        for field, spec in schema.get("properties", {}).items():
            for example in spec.get("examples", []):
                yield f"{name}.{field}", spec, example


def test_every_example_meets_the_bounds_written_into_the_document(document):
    failures = [(where, example, error.message)
                for where, schema, example in _examples(document)
                for error in list(_validator(document, schema).iter_errors(example))[:1]]
    assert failures == []


def test_the_bounds_are_those_of_the_settings(document):
    schemas = document["components"]["schemas"]
    limit = schemas["GapRequest"]["properties"]["limit"]["anyOf"][0]
    assert limit["maximum"] == MAX_CELLS and limit.get("examples", [MAX_CELLS]) != [1000]
    assert schemas["GapRequest"]["properties"]["limit"]["examples"] == [MAX_CELLS]
    assert schemas["Page"]["properties"]["limit"]["maximum"] == MAX_CELLS
    assert schemas["Page"]["properties"]["next"]["anyOf"][0]["minimum"] == 1
    assert {example["limit"] for example in schemas["GapRequest"]["examples"]
            if "limit" in example} == {MAX_CELLS}
    page = schemas["GapResponse"]["properties"]["page"]["examples"][0]
    assert page["limit"] == MAX_CELLS and page["next"] == page["offset"] + MAX_CELLS


def test_the_request_examples_are_answered(client, document):
    schema = document["components"]["schemas"]["GapRequest"]
    for example in schema["examples"]:
        answer = client.post("/v1/gap", json=example)
        assert answer.status_code == 200, (example, answer.json())
    for field in ("limit", "offset", "horizon"):
        for value in schema["properties"][field].get("examples", []):
            answer = client.post("/v1/gap", json={field: value})
            assert answer.status_code == 200, (field, value, answer.json())


def test_a_request_without_a_horizon_is_answered_within_max_horizon(client, document):
    schema = document["components"]["schemas"]["GapRequest"]["properties"]["horizon"]
    assert schema["default"] == MAX_HORIZON
    answer = client.post("/v1/gap", json={"limit": 1})
    assert answer.status_code == 200, answer.json()
    assert len({row["period"] for row in answer.json()["rows"]}) == MAX_HORIZON
    assert client.post("/v1/gap", json={"horizon": 4}).status_code == 422  # asked: refused
    region = answer.json()["rows"][0]["region"]
    legacy = client.post("/predict", json={"cells": [{"region": region}]})
    assert legacy.status_code == 200, legacy.json()
    assert len({row["period"] for row in legacy.json()["rows"]}) == MAX_HORIZON
    plan = document["components"]["schemas"]["PlanRequest"]["properties"]["horizon"]
    assert plan["default"] == 4  # the deprecated POST /plan does not hold it


def test_a_limit_over_the_static_ceiling_names_max_cells(client):
    answer = client.post("/v1/gap", json={"limit": 10**9})
    assert answer.status_code == 422
    (item,) = answer.json()["detail"]
    assert item["loc"] == ["body", "limit"] and item["type"] == "less_than_equal"
    assert f"max_cells = {MAX_CELLS}" in item["msg"] and "10000" not in item["msg"]


def test_every_operation_documents_the_503_of_a_shutdown(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            answer = operation["responses"].get("503")
            assert answer is not None, (method, path)
            assert answer["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"}
            assert "Retry-After" in answer["headers"], (method, path)
            assert "shutting_down" in answer["description"], (method, path)
    ready = document["paths"]["/ready"]["get"]["responses"]["503"]["description"]
    plan = document["paths"]["/v1/plan"]["post"]["responses"]["503"]["description"]
    gap = document["paths"]["/v1/gap"]["post"]["responses"]["503"]["description"]
    assert "not_ready" in ready and "plans_busy" not in ready
    assert "plans_busy" in plan and "plan_timeout" in plan
    assert "not_ready" not in gap and "plans_busy" not in gap
