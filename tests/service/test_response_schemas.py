"""The typed response tables: a plan's summary, quotas and years, and a gap's explanations.

Real answers of the fixture model (quarterly, origin 2022Q4) for every kind
of plan are checked against the models field by field: every key an answer
gives is declared (only a row's key columns are further properties), each
optional field is present exactly for the kind of plan its description
names, and the JSON is the service's table unchanged.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.service import ServiceSettings, create_app
from talentgap.service.schemas import (
    CellExplanation,
    GapResponse,
    PlanResponse,
    PlanSummary,
    QuotaRow,
    YearRow,
)

FUNDING = ["2023Q1", "2023Q2"]
KEYS = ["region", "industry"]
TYPED = {"PlanSummary": PlanSummary, "QuotaRow": QuotaRow, "YearRow": YearRow,
         "CellExplanation": CellExplanation}

#: The closing sentence of an optional field's description -> the kinds of plan that give it.
PRESENT_IN = {
    "Multi-year plans (with ``periods``) only.": {"multi_year", "multi_year_programmes"},
    "Plans with a ``crosswalk`` only.": {"programmes", "multi_year_programmes"},
    "Single-period plans only.": {"single", "programmes"},
    "Single-period plans without a ``crosswalk`` only.": {"single"},
    "Single-period plans with a ``crosswalk`` only.": {"programmes"},
    "Multi-year plans without a ``crosswalk`` only.": {"multi_year"},
    "Every plan but a single-period plan with a ``crosswalk``.": {
        "single", "multi_year", "multi_year_programmes"},
    "Plans with a ``policy_need`` only.": {"multi_year"},
    "Plans with ``committed`` only.": set(),   # tests/service/test_plan_committed_parity.py
}


@pytest.fixture(scope="module")
def client(model_dir):
    return TestClient(create_app(model_dir, settings=ServiceSettings(plan_workers=0)))


@pytest.fixture(scope="module")
def plans(client, gap_model) -> dict[str, dict]:
    """One answer per kind of plan: single-period, multi-year, and both with a crosswalk."""
    construction, electro, textiles = sorted(gap_model.cells_["industry"].astype(str).unique())
    region = str(gap_model.cells_["region"].iloc[0])
    crosswalk = [{"program": "welding", "industry": construction, "share": 0.6},
                 {"program": "welding", "industry": electro, "share": 0.4},
                 {"program": "sewing", "industry": textiles, "share": 1.0}]
    base = {"budget": 100_000, "cost_per_trainee": 1000}
    multi = {"periods": FUNDING, "lead_time": 1, "exit_rate": 0.05, "budget": 200_000}
    bodies = {
        "single": {**base, "capacity": 30},
        "multi_year": {**base, **multi, "policy_need": [
            {"region": region, "industry": textiles, "period": "2023Q3", "policy_need": 40}]},
        "programmes": {**base, "crosswalk": crosswalk},
        "multi_year_programmes": {**base, **multi, "crosswalk": crosswalk},
    }
    answers = {}
    for kind, body in bodies.items():
        reply = client.post("/v1/plan", json=body)
        assert reply.status_code == 200, (kind, reply.text)
        answers[kind] = reply.json()
    return answers


def _properties(spec: dict, name: str) -> dict:
    return spec["components"]["schemas"][name]["properties"]


def _types(about: dict) -> set[str]:
    forms = about.get("anyOf", [about])
    return {form.get("type", form.get("$ref", "")) for form in forms}


def test_openapi_types_every_field_of_the_response_tables(client):
    spec = client.get("/openapi.json").json()
    for name, model in TYPED.items():
        properties = _properties(spec, name)
        assert set(properties) == set(model.model_fields), name
        for field, about in properties.items():
            assert _types(about) - {""}, f"{name}.{field} has no type"
            assert "object" not in _types(about), f"{name}.{field} is untyped"
            assert about.get("description"), f"{name}.{field}"
    summary = _properties(spec, "PlanSummary")
    assert summary["cells"]["type"] == "integer"
    assert summary["optimum_unique"]["anyOf"][0]["type"] == "boolean"
    assert summary["risk"]["enum"] == ["expected", "quantile"]
    assert _properties(spec, "QuotaRow")["quota"]["type"] == "integer"
    assert _properties(spec, "CellExplanation")["demand_n_obs"]["type"] == "integer"
    plan = _properties(spec, "PlanResponse")
    assert plan["summary"]["$ref"].endswith("/PlanSummary")
    assert plan["quotas"]["items"]["$ref"].endswith("/QuotaRow")
    assert plan["years"]["anyOf"][0]["items"]["$ref"].endswith("/YearRow")
    gap = _properties(spec, "GapResponse")
    assert gap["explanations"]["items"]["$ref"].endswith("/CellExplanation")


def test_only_the_rows_key_columns_are_undeclared(plans):
    for kind, body in plans.items():
        PlanResponse.model_validate(body)
        assert set(body["summary"]) <= set(PlanSummary.model_fields), kind
        keys = ["region"] if "programmes" in kind else KEYS
        for row in body["quotas"]:
            assert set(row) - set(QuotaRow.model_fields) == set(keys), kind
            assert list(row)[:len(keys) + ("programmes" in kind)] == (
                ["program", *keys] if "programmes" in kind else keys)
        for row in body["years"] or []:
            assert set(row) <= set(YearRow.model_fields), kind
        assert (body["years"] is None) == (not kind.startswith("multi_year")), kind


def test_each_optional_field_is_given_by_the_plans_its_description_names(plans):
    tables = (("summary", PlanSummary), ("quotas", QuotaRow), ("years", YearRow))
    for table, model in tables:
        for name, field in model.model_fields.items():
            closing = [text for text in PRESENT_IN if field.description.endswith(text)]
            assert len(closing) == (0 if field.is_required() else 1), (
                f"{table}.{name}: an optional field says when it is present, no other does")
            for kind, body in plans.items():
                if body[table] is None:  # years of a single-period plan
                    continue
                rows = body[table] if isinstance(body[table], list) else [body[table]]
                present = field.is_required() or kind in PRESENT_IN[closing[0]]
                assert {name in row for row in rows} == {present}, (kind, table, name)


def test_the_json_is_the_services_table_unchanged(plans):
    """Read back and written again, every table gives the same keys, in order, and values."""
    for kind, body in plans.items():
        again = PlanResponse.model_validate(body).model_dump(mode="json")
        assert again == body, kind
        for table in ("quotas", "years"):
            for row, given in zip(again[table] or [], body[table] or [], strict=True):
                assert list(row) == list(given), (kind, table)
                assert [type(v) for v in row.values()] == [type(v) for v in given.values()]
        assert list(again["summary"]) == list(body["summary"])
    single = plans["single"]
    assert all(type(row["quota"]) is int for row in single["quotas"])
    assert type(single["summary"]["cells"]) is int
    assert single["summary"]["quantile"] is None  # NaN in the library's summary
    assert "worker_periods" not in single["quotas"][0]  # absent, not null


def test_a_row_that_does_not_fit_its_model_is_refused():
    with pytest.raises(ValidationError, match=r"quotas\.0\.quota"):
        PlanResponse.model_validate({"summary": {}, "quotas": [{"quota": "many"}],
                                     "binding": [], "marginal_value": {}})


def test_a_plan_with_no_money_answers_with_nulls_where_the_library_has_nan(client):
    reply = client.post("/v1/plan", json={"budget": 0, "cost_per_trainee": 1000})
    assert reply.status_code == 200, reply.text
    summary = reply.json()["summary"]
    assert summary["budget_used"] is None and summary["places"] == 0.0


def test_gap_explanations_give_the_key_columns_and_the_declared_fields(client, gap_model):
    reply = client.post("/v1/gap", json={"horizon": 2, "cells": [{"industry": "textiles"}]})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    GapResponse.model_validate(body)
    assert len(body["explanations"]) == 2
    for row in body["explanations"]:
        assert list(row) == [*KEYS, *CellExplanation.model_fields]
        assert row["industry"] == "textiles"
        assert isinstance(row["demand_n_obs"], int) and isinstance(row["flags"], str)
