"""The service's plan parameter bounds are the planners' ranges (PARAMETER_RANGES).

For each per-cell parameter, the OpenAPI document's bounds (one number and a
table entry) are the library's range within the service's own ceilings; a
value the library refuses is a 422 at the field; a value it accepts at the
edge of its range (absorption 0, a cost of 0) is planned.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import PlanningError
from talentgap.planning._params import PARAMETER_RANGES, check_range

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.service import create_app
from talentgap.service._openapi_bounds import lead_time_bound
from talentgap.service.schemas._per_cell import MAX_VALUE, WHOLE
from talentgap.service.settings import ServiceSettings

#: The fixture model is quarterly with origin 2022Q4, in regions Amberfield and Ashmere.
FUNDING = ["2023Q1", "2023Q2"]
REGIONS = ("Amberfield", "Ashmere")
#: The plan parameters given as one number or a per-cell table, in the order of the request.
PER_CELL = ("cost_per_trainee", "pass_rate", "absorption", "capacity", "min_quota",
            "min_class_size", "exit_rate", "lead_time")
#: Parameters of multi-year plans only.
MULTI_YEAR = ("exit_rate", "lead_time")


@pytest.fixture(scope="module")
def client(model_dir):
    app = create_app(model_dir, settings=ServiceSettings(plan_workers=0))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def schemas(client) -> dict:
    return client.get("/openapi.json").json()["components"]["schemas"]


def _body(name: str, value) -> dict:
    body = {"budget": 100_000, "cost_per_trainee": 1000, name: value}
    return {**body, "periods": FUNDING} if name in MULTI_YEAR else body


def _table(value, good) -> list[dict]:
    """One entry per region: the first with ``value``, the other with ``good``."""
    return [{"cell": {"region": REGIONS[0]}, "value": value},
            {"cell": {"region": REGIONS[1]}, "value": good}]


def _number_form(spec: dict) -> dict:
    """The number form of a per-cell parameter's schema (not the table, not null)."""
    forms = [spec]
    while forms:
        form = forms.pop()
        if form.get("type") in ("integer", "number"):
            return form
        forms.extend([*form.get("anyOf", []), *form.get("oneOf", [])])
    raise AssertionError(f"no number form in {spec}")


def _expected(name: str, app) -> tuple[str, float, float]:
    """The OpenAPI keyword of the lower bound, the bound, and the upper bound."""
    rule = PARAMETER_RANGES[name]
    low_key = "exclusiveMinimum" if rule.low_open else "minimum"
    if name in WHOLE:
        return low_key, rule.low, lead_time_bound(app)
    return low_key, rule.low, rule.high if math.isfinite(rule.high) else MAX_VALUE


def _refused_by_library(name: str) -> float:
    """A value just outside the planners' range of ``name``, checked to be refused there."""
    rule = PARAMETER_RANGES[name]
    value = rule.low if rule.low_open else rule.low - 1
    with pytest.raises(PlanningError, match=name):
        check_range(np.array([float(value)]), name, pd.DataFrame(), [], scalar=True)
    return value


@pytest.mark.parametrize("name", PER_CELL)
@pytest.mark.parametrize("request_schema", ["PlanRequest", "PlanRequestV1"])
def test_the_openapi_bounds_are_the_planners_ranges(client, schemas, name, request_schema):
    low_key, low, high = _expected(name, client.app)
    field = schemas[request_schema]["properties"][name]
    entry_ref = next(f["items"]["$ref"] for f in _walk(field) if f.get("type") == "array")
    entry = schemas[entry_ref.rsplit("/", 1)[-1]]["properties"]["value"]
    for spec in (_number_form(field), _number_form(entry)):
        assert spec[low_key] == low, (name, spec)
        assert spec["maximum"] == high, (name, spec)
        assert spec["type"] == ("integer" if name in WHOLE else "number")
        other = "minimum" if low_key == "exclusiveMinimum" else "exclusiveMinimum"
        assert other not in spec


def _walk(spec: dict):
    forms = [spec]
    while forms:
        form = forms.pop()
        yield form
        forms.extend([*form.get("anyOf", []), *form.get("oneOf", [])])


def test_the_published_lead_time_cap_is_the_longest_the_service_plans(client, schemas):
    cap = lead_time_bound(client.app)
    assert 0 < cap <= 20
    assert _number_form(schemas["PlanRequest"]["properties"]["lead_time"])["maximum"] == cap
    body = {**_body("lead_time", cap), "periods": FUNDING[:1]}
    assert client.post("/v1/plan", json=body).status_code == 200
    reply = client.post("/v1/plan", json={**body, "lead_time": cap + 1})
    assert reply.status_code == 422, reply.text
    assert reply.json()["detail"][0]["loc"] in (["body", "periods"], ["body", "lead_time"])


@pytest.mark.parametrize("name", PER_CELL)
def test_a_value_the_library_refuses_is_a_422_at_the_field(client, name):
    bad = _refused_by_library(name)
    good = 1 if name in WHOLE else 0.5
    reply = client.post("/v1/plan", json=_body(name, bad))
    assert reply.status_code == 422, reply.text
    assert [item["loc"] for item in reply.json()["detail"]] == [["body", name]]
    reply = client.post("/v1/plan", json=_body(name, _table(bad, good)))
    assert reply.status_code == 422, reply.text
    assert [item["loc"] for item in reply.json()["detail"]] == [["body", name, 0, "value"]]


@pytest.mark.parametrize("name", ["pass_rate", "absorption", "exit_rate"])
def test_a_share_above_1_is_refused_as_by_the_library(client, name):
    with pytest.raises(PlanningError, match=rf"{name} must be in \S0, 1\]"):
        check_range(np.array([1.5]), name, pd.DataFrame(), [], scalar=True)
    for value, loc in ((1.5, ["body", name]), (_table(1.5, 0.5), ["body", name, 0, "value"])):
        reply = client.post("/v1/plan", json=_body(name, value))
        assert reply.status_code == 422, reply.text
        assert reply.json()["detail"][0]["loc"] == loc
        assert reply.json()["detail"][0]["type"] == "less_than_equal"


def test_a_fractional_lead_time_is_refused_in_either_form(client):
    for value, loc in ((1.5, ["body", "lead_time"]),
                       (_table(1.5, 1), ["body", "lead_time", 0, "value"])):
        reply = client.post("/v1/plan", json=_body("lead_time", value))
        assert reply.status_code == 422, reply.text
        assert reply.json()["detail"][0]["loc"] == loc


@pytest.mark.parametrize(("name", "edge"), [("absorption", 0.0), ("cost_per_trainee", 0.0),
                                            ("exit_rate", 1.0)])
def test_a_value_the_library_accepts_is_planned(client, name, edge):
    assert not PARAMETER_RANGES[name].outside([edge]).any()
    for value in (edge, _table(edge, edge)):
        reply = client.post("/v1/plan", json=_body(name, value))
        assert reply.status_code == 200, reply.text
        quotas = pd.DataFrame(reply.json()["quotas"])
        assert (quotas[name] == edge).all()
    if name == "absorption":   # nobody stays: no place is worth funding
        assert reply.json()["summary"]["places"] == 0
