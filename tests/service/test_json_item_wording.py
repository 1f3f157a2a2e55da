"""Refusals of a JSON body name its items as ``loc`` does, and levels follow the library's rule.

A crosswalk sent with ``POST /v1/plan`` is a JSON array: its rows are named
``item 0``, ``item 1`` (as in ``loc``), where the library, reading a file,
names them ``line 2``, ``line 3``. Interval levels are checked by the
library's own rule (``check_levels``) when the request is read.
"""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap._arguments import check_levels
from talentgap.errors import ParameterError, SchemaError
from talentgap.features.crosswalk import check_crosswalk

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.service import create_app
from talentgap.service.settings import ServiceSettings


@pytest.fixture(scope="module")
def client(model_dir):
    app = create_app(model_dir, settings=ServiceSettings(plan_workers=0))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def industries(gap_model) -> list[str]:
    return sorted(gap_model.cells_["industry"].astype(str).unique())


def _refusal(client, crosswalk: list[dict]) -> dict:
    reply = client.post("/v1/plan", json={"budget": 1000, "cost_per_trainee": 100,
                                          "crosswalk": crosswalk})
    assert reply.status_code == 422, reply.text
    return reply.json()["detail"][0]


def test_a_crosswalk_row_is_named_by_its_item_as_in_loc(client, industries):
    rows = [{"program": "sewing", "industry": industries[2], "share": 1.0},
            {"program": "welding", "industry": industries[0], "share": 0.5},
            {"program": "welding", "industry": industries[1], "share": 0.4}]
    item = _refusal(client, rows)
    assert item["loc"] == ["body", "crosswalk", 1, "share"]
    assert "items 1, 2)" in item["msg"] and "line" not in item["msg"]
    # the library, given the same rows as a table read from a file, names lines
    with pytest.raises(SchemaError, match=r"lines 3, 4\)"):
        check_crosswalk(pd.DataFrame(rows))


def test_a_repeated_crosswalk_row_is_named_by_its_item(client, industries):
    row = {"program": "welding", "industry": industries[0], "share": 0.5}
    item = _refusal(client, [{"program": "cnc", "industry": industries[1], "share": 1.0},
                             row, row])
    assert item["loc"] == ["body", "crosswalk", 1]
    assert "item 1 (program='welding'" in item["msg"] and "item 2 (" in item["msg"]
    assert "line" not in item["msg"]


@pytest.mark.parametrize("path", ["/v1/gap", "/v1/forecast", "/predict"])
@pytest.mark.parametrize("level", [[80, 80.0000001], [0.8], [99.9999999]])
def test_levels_are_refused_by_the_library_rule_at_the_field(client, path, level):
    with pytest.raises(ParameterError) as refused:
        check_levels([float(v) for v in level])
    reply = client.post(path, json={"horizon": 2, "level": level})
    assert reply.status_code == 422, reply.text
    item = reply.json()["detail"][0]
    assert item == {"loc": ["body", "level"], "msg": str(refused.value),
                    "type": "invalid_value"}


def test_a_repeated_level_is_refused_as_in_the_library(client):
    reply = client.post("/v1/gap", json={"horizon": 2, "level": [95, 80, 80]})
    assert reply.status_code == 422, reply.text
    item = reply.json()["detail"][0]
    assert item["loc"] == ["body", "level"] and item["type"] == "invalid_value"
    assert "80 is given more than once" in item["msg"]
