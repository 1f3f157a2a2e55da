"""A cell without a demand forecast gets no places and is named; every other cell is planned.

The gap model gives a cell it never saw demand for NaN demand and gap (flag
``no_demand_data``); a plan leaves that cell out instead of refusing every plan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning, SchemaError

KEYS = ["region", "industry"]
NOTE = ("2 cells have no demand forecast and get no places: construction_engineering in "
        "Amberfield; electromechanical_technology in Amberfield")
PLAN = {"budget": 100_000, "cost_per_trainee": 1000, "pass_rate": 0.8}


@pytest.fixture(scope="module")
def model():
    """A naive gap model on 3 regions x 2 industries whose region Amberfield has no surveys."""
    data = tg.datasets.make_synthetic(n_regions=3, industries=2, n_periods=12, seed=3)
    lost = data.surveys["region"] == "Amberfield"
    panel = tg.features.build_panel(data.surveys[~lost], data.training, lead_time=1)
    return tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=100).fit(panel)


def _others(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["region"] != "Amberfield"].reset_index(drop=True)


@pytest.mark.parametrize("form", ["paths", "samples", "forecast"])
def test_single_period_plan_leaves_out_cells_without_a_forecast(model, form):
    paths = model.sample_paths(2)
    source = {"paths": paths, "samples": paths.to_frame(),
              "forecast": model.predict(horizon=2, level=[80])}[form]
    with pytest.warns(DataQualityWarning, match="2 cells have no demand forecast"):
        plan = tg.planning.allocate_quotas(source, **PLAN)
    assert NOTE in plan.notes
    assert "Amberfield" not in set(plan.quotas["region"].astype(str))
    assert len(plan.quotas) == 4 and plan.summary["cells"] == 4
    assert plan.summary["total_cost"] <= PLAN["budget"]
    if form != "forecast":  # some paths are short of workers (the expected gaps are not)
        assert plan.quotas["quota"].sum() > 0
    # the same plan as on a forecast that never had the cells
    if form != "paths":
        alone = tg.planning.allocate_quotas(_others(source), **PLAN)
        pd.testing.assert_series_equal(plan.quotas["quota"], alone.quotas["quota"])


def test_multi_year_plan_leaves_them_out_too(model):
    paths = model.sample_paths(4)
    with pytest.warns(DataQualityWarning, match="no demand forecast"):
        plan = tg.planning.allocate_quotas(paths, periods=["2022Q1", "2022Q2"], lead_time=1,
                                           **PLAN)
    assert NOTE in plan.notes
    assert set(plan.quotas["region"].astype(str)) == {"Ashmere", "Bluewater"}
    assert plan.summary["total_cost"] <= PLAN["budget"] + 1e-6


def test_a_cell_missing_only_at_some_periods_is_still_an_error(model):
    table = model.predict(horizon=2, level=[80])
    table = _others(table)
    table.loc[0, "gap"] = np.nan  # one cell-period of a cell that has other values
    with pytest.raises(SchemaError, match="must be a finite number"):
        tg.planning.allocate_quotas(table, period=table.loc[0, "period"], **PLAN)


def test_no_cell_with_a_forecast_is_an_error(model):
    table = model.predict(horizon=2, level=[80]).assign(gap=np.nan)
    with pytest.raises(SchemaError, match="missing for every cell"):
        tg.planning.allocate_quotas(table, **PLAN)


def test_service_plans_answer_with_the_note(model, tmp_path):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from talentgap.service import create_app

    artifact = model.save(tmp_path / "gap")
    with TestClient(create_app(artifact)) as client:
        single = client.post("/v1/plan", json={**PLAN, "horizon": 2})
        years = client.post("/v1/plan", json={**PLAN, "periods": ["2022Q1", "2022Q2"],
                                              "lead_time": 1})
    for reply in (single, years):
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert NOTE in body["notes"]
        assert {row["region"] for row in body["quotas"]} == {"Ashmere", "Bluewater"}


def test_programme_plans_name_them_too(model):
    crosswalk = pd.DataFrame({"program": ["p1", "p2", "p3"],
                              "region": ["Amberfield", "Ashmere", "Bluewater"],
                              "industry": "construction_engineering", "share": 1.0})
    with pytest.warns(DataQualityWarning, match="no demand forecast"):
        plan = tg.planning.allocate_quotas(model.sample_paths(2), crosswalk=crosswalk, **PLAN)
    assert NOTE in plan.notes
    assert set(plan.quotas["program"]) == {"p2", "p3"}
