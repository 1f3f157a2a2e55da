"""Places already funded: ``POST /v1/plan`` with ``committed`` equals ``talentgap plan``.

The quarterly demo run plans funding years 2025-2026 with ``[plan] committed``
listing places of 2024 (and one programme of 2023); the served model, sent
the same rows, must give the same places in every cell and year, the same
committed workers and the same totals, and refuse the rows the command
line refuses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from talentgap.cli.config import Config
from talentgap.cli.pipeline import run, saved_config
from talentgap.service.app import create_app

FORECAST = {"model": "naive", "n_samples": 40, "random_state": 0}
PLAN = {"cost_per_trainee": 6000, "pass_rate": 0.67, "absorption": 0.85, "lead_time": 1,
        "years": [2025, 2026], "budget": {"2025": 3e6, "2026": 2e6}, "capacity": 100,
        "exit_rate": 0.05}
KEYS = ["region", "industry"]
ROWS = [{"region": "Amberfield", "industry": "textiles", "period": "2024", "places": 300},
        {"region": "Ashmere", "industry": "ecommerce", "period": "2024", "places": 120},
        {"region": "Bluewater", "industry": "general_equipment", "period": "2023",
         "places": 80}]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("committed")
    pd.DataFrame(ROWS).to_csv(folder / "committed.csv", index=False)
    config = Config.from_dict({"forecast": FORECAST,
                               "plan": {**PLAN, "committed": str(folder / "committed.csv")}})
    result = run(config, steps=("plan",), demo=True)
    path = folder / "model"
    result.gap_model.save(path, config=saved_config(result))
    return result, TestClient(create_app(path))


def test_the_api_plan_with_committed_places_equals_the_cli_plan(served):
    result, client = served
    answer = client.post("/v1/plan", json={"periods": ["2025", "2026"], "committed": ROWS})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    api = pd.DataFrame(body["quotas"])
    cli = result.plan.quotas.assign(period=lambda f: f["period"].astype(str))
    both = cli.merge(api, on=[*KEYS, "period"], suffixes=("_cli", "_api"), validate="1:1")
    assert len(both) == len(cli) == len(api)
    assert (both["quota_cli"] == both["quota_api"]).all()
    summary, expected = body["summary"], result.plan.summary
    assert summary["committed_places"] == expected["committed_places"] == 500
    # 300 + 120 places of 2024 certify in 2025 at 0.67 x 0.85; 2023's arrived in 2024
    assert summary["committed_arriving"] == pytest.approx(420 * 0.67 * 0.85)
    assert expected["committed_arriving"] == pytest.approx(420 * 0.67 * 0.85)
    for name in ("shortfall_before", "shortfall_after", "committed_workers", "objective"):
        assert summary[name] == pytest.approx(float(expected[name]), rel=1e-9)
    assert summary["before_plan"] == expected["before_plan"]
    years = pd.DataFrame(body["years"])
    np.testing.assert_allclose(years["committed_workers"],
                               result.plan.years["committed_workers"], rtol=1e-9)
    # 2023's 80 places: 80 x 0.5695 certified in 2024, x 0.95 a year after
    first = result.plan.cells.set_index([*KEYS, result.plan.cells["period"].astype(str)])
    assert first.loc[("Bluewater", "general_equipment", "2025"), "committed_workers"] == (
        pytest.approx(80 * 0.67 * 0.85 * 0.95))


def test_committed_places_change_the_api_plan(served):
    result, client = served
    body = client.post("/v1/plan", json={"periods": ["2025", "2026"]}).json()
    assert "committed_places" not in {k for k, v in body["summary"].items() if v is not None}
    assert body["summary"]["shortfall_before"] > float(result.plan.summary["shortfall_before"])


@pytest.mark.parametrize(("row", "words"), [
    ({"region": "Amberfield", "industry": "textiles", "period": "2026", "places": 10},
     "column 'period' of the committed table must be at or before the plan's first funding "
     "period 2025"),
    ({"region": "Amberfield", "industry": "drones", "period": "2024", "places": 10},
     "must name a cell of the plan; 1 row fails, e.g. row 3 (Amberfield, drones, 2024)"),
])
def test_the_api_refuses_what_the_cli_refuses(served, row, words):
    _, client = served
    answer = client.post("/v1/plan", json={"periods": ["2025", "2026"],
                                           "committed": [*ROWS, row]})
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"][0]
    assert words in detail["msg"]
    assert detail["loc"][:2] == ["body", "committed"]


def test_negative_places_are_refused_by_the_schema(served):
    _, client = served
    answer = client.post("/v1/plan", json={"periods": ["2025", "2026"], "committed": [
        {"region": "Amberfield", "industry": "textiles", "period": "2024", "places": -5}]})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][:3] == ["body", "committed", 0]


def test_committed_needs_periods(served):
    _, client = served
    answer = client.post("/v1/plan", json={"committed": ROWS})
    assert answer.status_code == 422
    assert "committed: multi-year options need periods" in answer.json()["detail"][0]["msg"]


def test_the_openapi_schema_documents_committed_rows(served):
    _, client = served
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    row = schema["CommittedPlaces"]
    assert row["properties"]["places"]["description"].startswith("Places funded")
    assert row["examples"][0]["places"] == 120
    assert "already funded" in schema["PlanRequestV1"]["properties"]["committed"]["description"]
