"""A misspelt field of a plan's table row is answered with the field it is closest to.

Rows of ``capacity_groups``, ``budget_envelopes`` and ``policy_need`` read
any key they do not declare as a key column, whose values are text, so a
number under a misspelt field (``min_place``) is refused as "not a valid
string"; the refusal then names the row's field it is closest to. A
declared field of the wrong type, and a key column outside such a row,
get no suggestion.
"""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.service import ServiceSettings, create_app


@pytest.fixture(scope="module")
def client(model_dir):
    return TestClient(create_app(model_dir, settings=ServiceSettings(plan_workers=0)))


def _refusal(client, path: str, body: dict) -> dict:
    answer = client.post(path, json=body)
    assert answer.status_code == 422, answer.json()
    (item,) = answer.json()["detail"]
    return item


@pytest.mark.parametrize(("field", "row", "typo", "meant"), [
    ("capacity_groups", {"group": "g", "capacity": 10}, "min_place", "min_places"),
    ("capacity_groups", {"group": "g", "min_places": 1}, "capacty", "capacity"),
    ("budget_envelopes", {}, "budgets", "budget"),
])
def test_a_number_under_a_misspelt_field_names_the_field(client, field, row, typo, meant):
    body = {"budget": 1e5, "cost_per_trainee": 1000, "periods": ["2026Q1"],
            field: [{**row, "region": "R01", typo: 5}]}
    items = client.post("/v1/plan", json=body).json()["detail"]
    item = next(item for item in items if item["loc"][-1] == typo)
    assert item["type"] == "string_type"
    assert item["loc"] == ["body", field, 0, typo]
    assert f"did you mean {meant!r}?" in item["msg"] and "key column" in item["msg"]


def test_a_declared_field_of_the_wrong_type_gets_no_suggestion(client):
    item = _refusal(client, "/v1/plan", {
        "budget": 1e5, "cost_per_trainee": 1000, "periods": ["2026Q1"],
        "capacity_groups": [{"group": 5, "capacity": 10, "region": "R01"}]})
    assert item["loc"] == ["body", "capacity_groups", 0, "group"]
    assert "did you mean" not in item["msg"]


def test_a_cell_entry_gets_no_suggestion_from_the_request_fields(client):
    # cells entries are {key column: value}: 'limits' is no misspelt request field there
    item = _refusal(client, "/v1/gap", {"cells": [{"limits": 5}]})
    assert item["type"] == "string_type" and "did you mean" not in item["msg"]
