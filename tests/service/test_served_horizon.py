"""One served model, one number per period: every answer is cut from one simulation of the
model's horizon (fixed at load, two years by default, for a model saved without one); a longer
request is refused naming that horizon and how to get a longer one."""

from __future__ import annotations

import copy
import logging

import pandas as pd
import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.service import create_app
from talentgap.service._horizon import forecastable_horizon
from talentgap.service.settings import ServiceSettings

#: Numbers of a /v1/gap row that must not move with the horizon asked.
NUMBERS = ["demand", "supply", "gap", "gap_lo_80", "gap_hi_80", "p_shortage", "gap_median"]
PLAN = {"cost_per_trainee": 1000, "pass_rate": 0.67}


def _rows(client, horizon: int) -> pd.DataFrame:
    reply = client.post("/v1/gap", json={"horizon": horizon, "level": [80]})
    assert reply.status_code == 200, reply.text
    return pd.DataFrame(reply.json()["rows"]).set_index(["region", "industry", "period"])


@pytest.fixture(scope="module")
def fixed_dir(gap_model, tmp_path_factory):
    """The shared model saved with a horizon of 6 (as ``[forecast] max_horizon = 6``)."""
    model = copy.copy(gap_model).set_params(horizon=6)
    return model.save(tmp_path_factory.mktemp("fixed") / "gap",
                      config={"forecast": {"horizon": 4}})


@pytest.fixture(scope="module")
def fixed(fixed_dir):
    return TestClient(create_app(fixed_dir, settings=ServiceSettings(plan_workers=0)))


def test_a_period_has_one_set_of_numbers_whatever_the_horizon(fixed):
    short, longest = _rows(fixed, 2), _rows(fixed, 6)
    pd.testing.assert_frame_equal(short[NUMBERS], longest.loc[short.index, NUMBERS])


def test_a_horizon_past_the_models_is_refused_naming_it_and_the_way_to_more(fixed):
    assert fixed.get("/v1/model").json()["max_horizon"] == 6
    reply = fixed.post("/v1/gap", json={"horizon": 7})
    assert reply.status_code == 422
    item = reply.json()["detail"][0]
    assert item["loc"] == ["body", "horizon"]
    assert "max_horizon = 6" in item["msg"] and "simulates 6 periods" in item["msg"]
    assert "[forecast] max_horizon" in item["msg"]  # how to get a longer one


def test_a_multi_year_plan_is_cut_from_the_same_simulation_and_refused_past_it(fixed):
    def years(periods):
        reply = fixed.post("/v1/plan", json={**PLAN, "periods": periods, "lead_time": 1,
                                             "budget": 1e5 * len(periods)})
        assert reply.status_code == 200, reply.text
        return pd.DataFrame(reply.json()["years"]).set_index("period")["shortfall_before"]

    two, five = years(["2023Q1", "2023Q2"]), years([f"2023Q{q}" for q in range(1, 5)]
                                                    + ["2024Q1"])
    # need periods: the default horizon (4), or to the last funding period plus lead_time
    assert len(two) == 4 and len(five) == 6
    pd.testing.assert_series_equal(two, five.loc[two.index])  # the same need per period
    reply = fixed.post("/v1/plan", json={**PLAN, "budget": 1e6, "lead_time": 1, "periods": [
        "2023Q1", "2024Q2"]})  # 2024Q2 + 1 = 7 periods after the origin 2022Q4
    assert reply.status_code == 422
    item = reply.json()["detail"][0]
    assert item["loc"] == ["body", "periods"]
    assert "simulates 6 periods" in item["msg"] and "[forecast] max_horizon" in item["msg"]


def test_a_model_saved_without_a_horizon_gets_two_years_at_load(model_dir, gap_model, caplog):
    with caplog.at_level(logging.INFO, "talentgap.service"):
        client = TestClient(create_app(model_dir, settings=ServiceSettings(plan_workers=0)))
    unfixed = copy.copy(gap_model).set_params(horizon=None)
    assert forecastable_horizon(unfixed, 40) == 14  # its backtests could calibrate more
    info = client.get("/v1/model").json()
    assert (info["model_horizon"], info["horizon_fixed_at_load"], info["max_horizon"]) == (
        8, True, 8)  # 8 quarters
    assert any("fixed at load to 8 periods" in r.getMessage() for r in caplog.records)
    short, longest = _rows(client, 3), _rows(client, 8)
    pd.testing.assert_frame_equal(short[NUMBERS], longest.loc[short.index, NUMBERS])
    # the library's numbers of the same model with that horizon
    expected = unfixed.set_params(horizon=8).predict(3, level=[80])
    assert short["gap"].to_numpy() == pytest.approx(expected["gap"].to_numpy())


def test_a_request_past_the_horizon_fixed_at_load_says_how_to_save_a_longer_one(model_dir):
    client = TestClient(create_app(model_dir, settings=ServiceSettings(plan_workers=0)))
    for path, body in [("/v1/gap", {"horizon": 9}), ("/v1/plan", {**PLAN, "budget": 1e5,
                                                                   "horizon": 9})]:
        reply = client.post(path, json=body)
        assert reply.status_code == 422, reply.text
        item = reply.json()["detail"][0]
        assert item["loc"] == ["body", "horizon"]
        msg = item["msg"]
        assert "max_horizon = 8" in msg and "saved without a horizon" in msg, msg
        # the ways to more: save with a horizon, set after fit (no refit) or before it
        assert "model.set_params(horizon=14) (no refit)" in msg, msg
        assert "GapForecaster(horizon=14)" in msg and len(msg) <= 300, msg


def test_a_forecaster_has_no_model_horizon(tmp_path):
    import talentgap as tg

    df = pd.DataFrame({"id": ["a"] * 8, "period": [str(y) for y in range(2016, 2024)],
                       "value": [1.0, 2, 3, 4, 5, 6, 7, 8]})
    client = TestClient(create_app(tg.models.Drift().fit(df, keys=["id"]).save(tmp_path / "d")))
    info = client.get("/v1/model").json()
    assert info["model_horizon"] is None and info["horizon_fixed_at_load"] is False


@pytest.mark.slow
def test_a_plan_worker_fixes_the_same_horizon_as_the_server(model_dir):
    settings = ServiceSettings(max_horizon=8, plan_workers=1)
    body = {**PLAN, "budget": 1e6, "horizon": 8}
    in_process = TestClient(create_app(model_dir, settings=settings)).post("/v1/plan", json=body)
    with TestClient(create_app(model_dir, settings=settings)) as client:
        assert client.app.state.plans is not None  # solved in the worker process
        in_worker = client.post("/v1/plan", json=body)
    assert in_process.status_code == in_worker.status_code == 200, in_worker.text
    assert in_worker.json()["quotas"] == in_process.json()["quotas"]
    assert in_worker.json()["summary"] == in_process.json()["summary"]
