"""The same plan from ``talentgap plan`` and ``POST /v1/plan`` on the model it saved.

A multi-year run on the quarterly demo plans funding years against yearly
needs, with per-year budgets and exit rates estimated from the data; the
served model, asked for the same years with nothing else, must give the
same places in every cell and year and the same totals. A single-period run
with ``[plan] lead_time`` funds its places in the same period in both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from talentgap.cli.config import Config
from talentgap.cli.pipeline import run, saved_config
from talentgap.service.app import create_app

LEVELS = {"skill_levels": ["unskilled", "skilled", "high_skilled"],
          "high_skilled": ["high_skilled"], "unskilled": ["unskilled"]}
FORECAST = {"model": "naive", "n_samples": 40, "random_state": 0}
PLAN = {"cost_per_trainee": 6000, "pass_rate": 0.67, "absorption": 0.85, "lead_time": 1}
KEYS = ["region", "industry"]


def _served(tmp_path_factory, settings: dict):
    """The run (plan step) on the demo data and a client of the model it saved."""
    result = run(Config.from_dict(settings), steps=("plan",), demo=True)
    path = tmp_path_factory.mktemp("model") / "model"
    result.gap_model.save(path, config=saved_config(result))
    return result, TestClient(create_app(path))


@pytest.fixture(scope="module")
def yearly(tmp_path_factory):
    return _served(tmp_path_factory, {
        "data": LEVELS, "forecast": FORECAST,
        "plan": {**PLAN, "years": [2025, 2026], "budget": {"2025": 3e6, "2026": 2e6},
                 "capacity": 100, "exit_rate": "estimate"}})


def test_saved_defaults_keep_per_year_budgets_and_estimated_exit_rates(yearly):
    result, client = yearly
    saved = client.get("/v1/model").json()["plan_defaults"]
    assert saved["budget_per_period"] == [{"period": "2025", "budget": 3e6},
                                          {"period": "2026", "budget": 2e6}]
    rates = {(e["cell"]["region"], e["cell"]["industry"]): e["value"]
             for e in saved["exit_rate"]}
    used = result.plan.quotas.drop_duplicates(KEYS).set_index(KEYS)["exit_rate"]
    assert len(rates) == len(used) == 64
    assert all(rates[cell] == pytest.approx(rate, rel=1e-12) for cell, rate in used.items())
    assert used.round(6).nunique() > 1   # per-cell rates, not one number


def test_yearly_plan_from_the_api_equals_the_cli_plan(yearly):
    result, client = yearly
    answer = client.post("/v1/plan", json={"periods": ["2025", "2026"]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    api = pd.DataFrame(body["quotas"])
    cli = result.plan.quotas.assign(period=lambda f: f["period"].astype(str))
    both = cli.merge(api, on=[*KEYS, "period"], suffixes=("_cli", "_api"), validate="1:1")
    assert len(both) == len(cli) == len(api) == 128
    assert (both["quota_cli"] == both["quota_api"]).all()
    # the answer's numbers carry 10 significant digits
    np.testing.assert_allclose(both["exit_rate_api"], both["exit_rate_cli"], atol=1e-9)
    assert both["quota_cli"].gt(0).sum() > 5    # a plan, not an empty one
    summary, expected = body["summary"], result.plan.summary
    assert summary["places"] == expected["places"] > 0
    assert summary["total_cost"] == expected["total_cost"]
    for name in ("shortfall_before", "shortfall_after", "objective"):
        assert summary[name] == pytest.approx(float(expected[name]), rel=1e-9)
    assert summary["need_periods"] == expected["need_periods"] == "2025 to 2027"
    years = pd.DataFrame(body["years"])
    assert years["period"].tolist() == ["2025", "2026", "2027"]
    np.testing.assert_array_equal(years["places"], result.plan.years["places"])
    np.testing.assert_allclose(years["shortfall_after"], result.plan.years["shortfall_after"],
                               rtol=1e-9)


def test_yearly_plan_with_a_constant_exit_rate_differs(yearly):
    """The saved per-cell rates are what makes the plans agree: 0.03 everywhere does not."""
    result, client = yearly
    body = client.post("/v1/plan", json={"periods": ["2025", "2026"],
                                         "exit_rate": 0.03}).json()
    assert body["summary"]["shortfall_after"] != pytest.approx(
        float(result.plan.summary["shortfall_after"]), rel=1e-9)


@pytest.mark.parametrize(("periods", "words"), [
    (["2024", "2025"], "does not begin after the model's origin 2024Q4"),
    (["2025", "2031"], "would hold its need, more than the 3 forecast"),
])
def test_yearly_periods_outside_the_model_are_refused_at_periods(yearly, periods, words):
    _, client = yearly
    answer = client.post("/v1/plan", json={"periods": periods})
    assert answer.status_code == 422
    error = answer.json()
    assert words in error["detail"][0]["msg"] and error["detail"][0]["loc"] == ["body",
                                                                                 "periods"]


def test_per_year_budget_needs_the_years(yearly):
    _, client = yearly
    answer = client.post("/v1/plan", json={})   # one period, the saved budget is per year
    assert answer.status_code == 422
    assert "per year (2025, 2026)" in answer.json()["detail"][0]["msg"]


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    return _served(tmp_path_factory, {
        "forecast": FORECAST, "plan": {**PLAN, "budget": 5e6, "capacity": 150}})


def test_single_period_plan_funds_lead_time_before_its_need_in_both(single):
    result, client = single
    body = client.post("/v1/plan", json={}).json()
    quotas = result.plan.quotas
    assert str(result.plan.summary["period"]) == body["summary"]["period"] == "2025Q3"
    assert quotas["period"].astype(str).eq("2025Q3").all()
    assert quotas["arrival_period"].astype(str).eq("2025Q4").all()
    api = pd.DataFrame(body["quotas"])
    assert set(api["arrival_period"]) == {"2025Q4"}
    both = quotas.merge(api, on=KEYS, suffixes=("_cli", "_api"), validate="1:1")
    assert (both["quota_cli"] == both["quota_api"]).all()
    assert body["summary"]["places"] == result.plan.summary["places"] > 0


def test_objective_basis_names_the_quantile_objective(single):
    _, client = single
    expected = client.post("/v1/plan", json={}).json()["summary"]
    assert expected["objective_basis"] == "expected shortfall"
    assert expected["objective"] == pytest.approx(expected["shortfall_after"])
    quantile = client.post("/v1/plan", json={"risk": "quantile", "quantile": 0.9}).json()
    summary = quantile["summary"]
    assert summary["objective_basis"] == "shortfall against the 90th-percentile gap"
    # the objective is not the expected shortfall the plan leaves
    assert summary["objective"] != pytest.approx(summary["shortfall_after"], rel=1e-3)


# --------------------------------------------------------------------------- one wording


def test_a_repeated_cell_is_refused_at_its_entry_like_an_unknown_one(single):
    _, client = single
    entry = {"cell": {"region": "Ashmere", "industry": "textiles"}, "value": 5000}
    repeated = client.post("/v1/plan", json={"cost_per_trainee": [entry, entry]})
    unknown = client.post("/v1/plan", json={"cost_per_trainee": [
        {"cell": {"region": "Atlantis", "industry": "textiles"}, "value": 5000}]})
    for reply, at in ((repeated, 1), (unknown, 0)):
        assert reply.status_code == 422
        item = reply.json()["detail"][0]
        assert item["type"] == "invalid_value"
        assert item["loc"][:4] == ["body", "cost_per_trainee", at, "cell"]
    assert "same cell as cost_per_trainee[0]" in repeated.json()["detail"][0]["msg"]


def test_a_budget_per_period_without_a_funding_period_is_refused_at_the_field(yearly):
    _, client = yearly
    reply = client.post("/v1/plan", json={"periods": ["2025", "2026"], "budget_per_period": [
        {"period": "2025", "budget": 1e6}]})
    item = reply.json()["detail"][0]
    assert item["loc"] == ["body", "budget_per_period"] and item["type"] == "invalid_value"
    assert "has no row for 2026" in item["msg"]
    reply = client.post("/v1/plan", json={"periods": ["2025", "2026"], "budget_per_period": [
        {"period": "2025", "budget": 1e6}, {"period": "2025", "budget": 1e6}]})
    assert reply.json()["detail"][0]["loc"] == ["body", "budget_per_period", 1, "period"]


def test_a_year_without_money_is_worded_as_a_single_period_plan_with_its_value(yearly):
    _, client = yearly
    multi = client.post("/v1/plan", json={"periods": ["2025", "2026"], "budget_per_period": [
        {"period": "2025", "budget": 3e6}, {"period": "2026", "budget": 0}]}).json()
    single = client.post("/v1/plan", json={"budget": 0}).json()
    zero = next(row for row in multi["constraints"] if row["name"] == "budget[2026]")
    assert zero["sentence"].startswith("the budget for 2026 of 0 is below the cost of one "
                                       "place (the cheapest place costs 6,000): no place can "
                                       "be funded; each extra ")
    assert zero["value"] > 0 and "would close about" in zero["sentence"]
    assert single["constraints"][0]["sentence"].startswith(
        "budget of 0 is below the cost of one place (the cheapest place costs 6,000)")


# --------------------------------------------------------------------------- labels as data


def test_periods_and_constraint_cells_are_structured(yearly):
    result, client = yearly
    body = client.post("/v1/plan", json={"periods": ["2025", "2026"]}).json()
    summary = body["summary"]
    assert summary["periods"] == ["2025", "2026"] and summary["period"] == "2025, 2026"
    assert summary["need_periods_list"] == ["2025", "2026", "2027"]
    constraints = pd.DataFrame(body["constraints"])
    budgets = constraints[constraints["kind"] == "budget"]
    assert budgets["period"].tolist() == ["2025", "2026"]
    assert budgets["region"].isna().all()
    capacity = constraints[constraints["kind"] == "capacity"]
    assert len(capacity) > 0   # capacity 100 binds somewhere
    quotas = result.plan.quotas.assign(period=lambda f: f["period"].astype(str))
    for row in capacity.itertuples():
        assert row.name == f"capacity[{row.industry} in {row.region}, {row.period}]"
        cell = quotas[(quotas["region"] == row.region) & (quotas["industry"] == row.industry)
                      & (quotas["period"] == row.period)]
        assert cell["quota"].item() == 100   # its places are at the capacity


def test_a_single_period_plan_names_its_period_as_a_list(single):
    _, client = single
    summary = client.post("/v1/plan", json={}).json()["summary"]
    assert summary["periods"] == ["2025Q3"] and "need_periods_list" not in summary


# --------------------------------------------------------------------------- held need years


@pytest.fixture(scope="module")
def held(tmp_path_factory):
    """A run whose model forecasts 2025-2026 only: 2027, its last need year, is held."""
    return _served(tmp_path_factory, {
        "data": LEVELS, "forecast": {**FORECAST, "max_horizon": 8},
        "plan": {**PLAN, "years": [2025, 2026], "budget": 5e6, "capacity": 100,
                 "exit_rate": 0.05}})


def test_a_held_need_year_is_held_and_marked_alike(held):
    result, client = held
    body = client.post("/v1/plan", json={"periods": ["2025", "2026"]}).json()
    years = pd.DataFrame(body["years"])
    assert years["need_basis"].tolist() == ["forecast", "forecast", "held at 2026"]
    assert result.plan.years["need_basis"].tolist() == years["need_basis"].tolist()
    api = pd.DataFrame(body["quotas"])
    cli = result.plan.quotas.assign(period=lambda f: f["period"].astype(str))
    both = cli.merge(api, on=[*KEYS, "period"], suffixes=("_cli", "_api"), validate="1:1")
    assert (both["quota_cli"] == both["quota_api"]).all() and both["quota_api"].sum() > 0
    note = next(n for n in body["notes"] if "lies past the forecast" in n)
    assert note in result.plan.notes
    # the held year repeats 2026's need, path by path
    assert years["shortfall_before"].iloc[2] == pytest.approx(years["shortfall_before"].iloc[1])


def test_more_held_years_than_forecast_ones_are_refused(held):
    _, client = held
    # needs 2025-2028: 2 forecast, 2 held, as many as forecast: planned
    reply = client.post("/v1/plan", json={"periods": ["2025", "2026", "2027"]})
    assert reply.status_code == 200
    assert [row["need_basis"] for row in reply.json()["years"]].count("held at 2026") == 2
    # needs 2025-2029: 3 held of 5, more than the 2 forecast, as talentgap plan refuses
    reply = client.post("/v1/plan", json={"periods": ["2025", "2026", "2027", "2028"]})
    item = reply.json()["detail"][0]
    assert reply.status_code == 422 and item["loc"] == ["body", "periods"]
    assert "3 of 5 need years would hold its need, more than the 2 forecast" in item["msg"]
