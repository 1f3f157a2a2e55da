"""Whole-model reads in pages: ``limit`` and ``offset`` of POST /v1/gap and /v1/forecast.

Read page by page, following ``page.next``, a model gives the same rows in
the same order as one unpaged answer, each cell once; an offset past the
last cell is an empty page; a bad ``limit`` or ``offset`` is a 422 with the
usual error body; the OpenAPI document states the bounds applied.
"""

from __future__ import annotations

import pandas as pd
import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

import talentgap as tg
from talentgap.service import ServiceSettings, create_app

KEYS = ["region", "industry"]


@pytest.fixture(scope="module")
def gap_client(model_dir):
    """The 6-cell gap model, with max_cells 4: one unpaged answer of all 6 cells is refused."""
    return TestClient(create_app(model_dir, settings=ServiceSettings(max_cells=4,
                                                                     plan_workers=0)))


@pytest.fixture(scope="module")
def wide_client(model_dir):
    """The same model with the default max_cells (1000): it answers all 6 cells at once."""
    return TestClient(create_app(model_dir, settings=ServiceSettings(plan_workers=0)))


@pytest.fixture(scope="module")
def forecaster_dir(tmp_path_factory):
    """A forecaster of 7 series, saved."""
    periods = list(pd.period_range("2020Q1", periods=12, freq="Q"))
    frame = pd.DataFrame({"id": [f"s{i}" for i in range(7) for _ in periods],
                          "period": periods * 7,
                          "value": [float((i + 1) * t % 17) for i in range(7)
                                    for t in range(12)]})
    model = tg.models.Naive(n_windows=2).fit(frame, keys=["id"])
    return model.save(tmp_path_factory.mktemp("forecaster") / "model")


def _walk(client, path: str, body: dict) -> tuple[list, list, list[dict]]:
    """Every page of a whole-model read, following page.next from offset 0."""
    rows, explanations, pages = [], [], []
    offset = 0
    while offset is not None:
        reply = client.post(path, json={**body, "offset": offset})
        assert reply.status_code == 200, reply.text
        answer = reply.json()
        rows += answer["rows"]
        explanations += answer.get("explanations") or []
        pages.append(answer["page"])
        offset = answer["page"]["next"]
        assert len(pages) < 20
    return rows, explanations, pages


@pytest.mark.parametrize("limit", [1, 2, 4, None])
def test_the_pages_of_a_gap_model_are_its_unpaged_answer(gap_client, wide_client, limit):
    body = {"horizon": 3, "level": [80, 95]}
    whole = wide_client.post("/v1/gap", json=body).json()
    assert whole["page"] == {"total": 6, "offset": 0, "limit": 1000, "next": None}
    paged = body if limit is None else {**body, "limit": limit}
    rows, explanations, pages = _walk(gap_client, "/v1/gap", paged)
    size = 4 if limit is None else limit   # default: max_cells
    assert [p["offset"] for p in pages] == list(range(0, 6, size))
    assert all(p["total"] == 6 and p["limit"] == size for p in pages)
    assert rows == whole["rows"]            # same rows, same numbers, same order
    assert explanations == whole["explanations"]
    cells = [(e["region"], e["industry"]) for e in explanations]
    assert len(cells) == len(set(cells)) == 6   # each cell once, none missing
    assert len(rows) == 6 * 3


def test_the_pages_follow_the_models_cell_order(gap_client, gap_model):
    _, explanations, _ = _walk(gap_client, "/v1/gap", {"horizon": 1, "limit": 4})
    order = gap_model.cells_[KEYS].astype(str).to_numpy().tolist()
    assert [[e[k] for k in KEYS] for e in explanations] == order


def test_the_pages_of_a_forecaster_are_its_unpaged_answer(forecaster_dir):
    small = TestClient(create_app(forecaster_dir, settings=ServiceSettings(max_cells=3)))
    wide = TestClient(create_app(forecaster_dir))
    whole = wide.post("/v1/forecast", json={"horizon": 2}).json()
    assert whole["page"]["total"] == 7 and whole["page"]["next"] is None
    refused = small.post("/v1/forecast", json={"horizon": 2,
                                               "series": [{"id": f"s{i}"} for i in range(5)]})
    assert refused.status_code == 422   # naming more series than max_cells: as before
    rows, _, pages = _walk(small, "/v1/forecast", {"horizon": 2})
    assert [p["offset"] for p in pages] == [0, 3, 6]
    assert [p["next"] for p in pages] == [3, 6, None]
    assert rows == whole["rows"]
    assert [row["id"] for row in rows[::2]] == [f"s{i}" for i in range(7)]


def test_a_selection_is_paged_when_limit_or_offset_is_given(gap_client, gap_model):
    region = str(gap_model.cells_["region"].iloc[0])
    asked = {"horizon": 1, "cells": [{"region": region}]}
    whole = gap_client.post("/v1/gap", json=asked).json()   # 3 cells: within max_cells
    assert whole["page"] == {"total": 3, "offset": 0, "limit": 4, "next": None}
    first = gap_client.post("/v1/gap", json={**asked, "limit": 2}).json()
    second = gap_client.post("/v1/gap", json={**asked, "limit": 2, "offset": 2}).json()
    assert first["page"] == {"total": 3, "offset": 0, "limit": 2, "next": 2}
    assert second["page"] == {"total": 3, "offset": 2, "limit": 2, "next": None}
    assert first["rows"] + second["rows"] == whole["rows"]


def test_a_selection_over_max_cells_is_refused_with_the_way_to_page_it(gap_client, gap_model):
    regions = gap_model.cells_["region"].astype(str).unique().tolist()
    asked = {"horizon": 1, "cells": [{"region": r} for r in regions]}   # 6 cells, max_cells 4
    item = gap_client.post("/v1/gap", json=asked).json()["detail"][0]
    assert item["loc"] == ["body", "cells"] and item["type"] == "too_long"
    assert item["msg"] == (
        "cells: the 2 entries select 6 cells, more than max_cells = 4 per request (GET "
        "/v1/model); read them in pages with limit (at most 4) and offset, the next from "
        "page.next, or name fewer cells")
    rows, _, pages = _walk(gap_client, "/v1/gap", {**asked, "limit": 4})   # as it says
    assert [p["next"] for p in pages] == [4, None] and len(rows) == 6
    # the deprecated /predict reads no pages: its refusal names no paging fields
    legacy = gap_client.post("/predict", json=asked).json()["detail"][0]["msg"]
    assert "name at most 4 cells in cells" in legacy and "limit" not in legacy
    schemas = gap_client.get("/openapi.json").json()["components"]["schemas"]
    for name, field in (("GapRequest", "cells"), ("ForecastRequest", "series")):
        about = schemas[name]["properties"]
        assert (f"more than max_cells {field} are read in pages (limit, offset), else refused "
                "(422)") in about[field]["description"]
        assert "give limit or offset to read them a page at a time" in about["limit"][
            "description"]


@pytest.mark.parametrize("offset", [6, 7, 10**9])
def test_an_offset_past_the_last_cell_is_an_empty_page(gap_client, offset):
    reply = gap_client.post("/v1/gap", json={"horizon": 2, "offset": offset})
    assert reply.status_code == 200, reply.text
    answer = reply.json()
    assert answer["rows"] == [] and answer["explanations"] == []
    assert answer["page"] == {"total": 6, "offset": offset, "limit": 4, "next": None}


@pytest.mark.parametrize(("field", "value", "kind"), [
    ("limit", 0, "greater_than_equal"), ("limit", -3, "greater_than_equal"),
    ("limit", 5, "less_than_equal"),          # over max_cells = 4
    ("limit", 10_001, "less_than_equal"),     # over the schema's ceiling
    ("limit", 2.5, "int_type"), ("limit", "2", "int_type"),
    ("offset", -1, "greater_than_equal"), ("offset", 10**9 + 1, "less_than_equal"),
    ("offset", True, "int_type"), ("offset", None, "int_type"),
])
@pytest.mark.parametrize("path", ["/v1/gap", "/v1/forecast"])
def test_a_bad_limit_or_offset_is_422_at_the_field(gap_client, forecaster_dir, path, field,
                                                   value, kind):
    client = gap_client if path == "/v1/gap" else TestClient(
        create_app(forecaster_dir, settings=ServiceSettings(max_cells=4)))
    reply = client.post(path, json={"horizon": 1, field: value})
    assert reply.status_code == 422, reply.text
    detail = reply.json()["detail"]
    assert detail[0]["loc"] == ["body", field] and detail[0]["type"] == kind
    assert set(detail[0]) >= {"loc", "msg", "type"} and detail[0]["msg"]
    if value == 5:
        assert "max_cells = 4" in detail[0]["msg"]


def test_the_openapi_document_states_the_page_bounds(gap_client):
    schemas = gap_client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("GapRequest", "ForecastRequest"):
        limit = schemas[name]["properties"]["limit"]
        number = next(form for form in limit["anyOf"] if form.get("type") == "integer")
        assert (number["minimum"], number["maximum"]) == (1, 4)   # max_cells of the service
        offset = schemas[name]["properties"]["offset"]
        assert (offset["minimum"], offset["maximum"], offset["default"]) == (0, 10**9, 0)
        assert "max_cells" in limit["description"] and "page.next" in offset["description"]
    for name in ("GapResponse", "ForecastResponse"):
        page = schemas[name]["properties"]["page"]
        assert page["$ref"].endswith("/Page") and page["description"]
    fields = schemas["Page"]["properties"]
    assert set(fields) == {"total", "offset", "limit", "next"}
    assert all(about["description"] for about in fields.values())
    assert set(schemas["Page"]["required"]) == set(fields)
