"""POST /v1/plan applies the policy need of the saved run's ``[targets]``.

``talentgap plan`` on ``examples/national_targets.toml`` (naive forecasts,
40 sample paths) plans five funding years against the forecast gap and the
workers short of the national targets, and saves that policy need with the
model. Served, the model plans the run's years with the run's budgets to
the same places in every cell and year and the same shortfalls; with
``use_saved_targets: false`` it plans as the same run without ``[targets]``.
A model saved without the need (an older one) loads and plans without it.
"""

from __future__ import annotations

import dataclasses
import logging
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.cli.config import TargetsConfig, load_config
from talentgap.cli.pipeline import run, saved_config
from talentgap.service import ServiceSettings, _saved_targets, create_app
from talentgap.service import state as service_state

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "national_targets.toml"
KEYS = ["region", "industry"]
YEARS = ["2025", "2026", "2027", "2028", "2029"]
HELD = "the gap model's sample paths reach"


def _run(config):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the demo's data-quality warnings
        return run(config, steps=("plan",))


@pytest.fixture(scope="module")
def config():
    return load_config(EXAMPLE).with_overrides(
        {"forecast": {"model": "naive", "n_samples": 40}})


@pytest.fixture(scope="module")
def national(config, tmp_path_factory):
    """The run with [targets], and a client of the model it saved."""
    result = _run(config)
    path = tmp_path_factory.mktemp("targets") / "model"
    result.gap_model.save(path, config=saved_config(result))
    return result, TestClient(create_app(path, settings=ServiceSettings(plan_workers=0)))


@pytest.fixture(scope="module")
def without_targets(config):
    """The same run without [targets]."""
    return _run(dataclasses.replace(config, targets=TargetsConfig()))


def _same_plan(body: dict, plan) -> None:
    """The answer's places per cell and year and its shortfalls are the run's plan's."""
    api = pd.DataFrame(body["quotas"])
    cli = plan.quotas.assign(period=lambda f: f["period"].astype(str))
    both = cli.merge(api, on=[*KEYS, "period"], suffixes=("_cli", "_api"), validate="1:1")
    assert len(both) == len(cli) == len(api) == 64 * len(YEARS)
    np.testing.assert_array_equal(both["quota_api"], both["quota_cli"])
    assert both["quota_cli"].gt(0).sum() > 10      # a plan, not an empty one
    summary, expected = body["summary"], plan.summary
    assert summary["places"] == expected["places"] > 0
    for name in ("shortfall_before", "shortfall_after", "objective"):
        assert summary[name] == pytest.approx(float(expected[name]), rel=1e-9), name
    for name in ("policy_shortfall_before", "policy_shortfall_after"):
        assert summary.get(name) == (None if pd.isna(expected.get(name)) else pytest.approx(
            float(expected[name]), rel=1e-9)), name


def test_the_model_says_which_targets_it_applies(national):
    result, client = national
    info = client.get("/v1/model").json()
    about = info["targets"]
    assert about["applied_by_default"] is True
    assert about["targets"]["skilled_share"] == 0.30
    assert about["targets"]["target_year"] == 2029 and about["targets"]["plan_level"] == "skilled"
    assert about["need_periods"] == ["2025", "2026", "2027", "2028", "2029", "2030"]
    assert about["cells"] == 64 and about["from_file"] is False
    assert about["policy_need_total"] == pytest.approx(
        float(result.plan.cells["policy_need"].sum()), rel=1e-12)
    assert about["need_weights"] == {"market": 1.0, "policy": 1.0}
    # the rows (one per cell and need year) are applied but not listed in plan_defaults
    assert "policy_need" not in info["plan_defaults"]
    assert info["plan_defaults"]["need_weights"] == {"market": 1.0, "policy": 1.0}


def test_the_served_plan_with_the_run_budgets_is_the_run_plan(national):
    result, client = national
    assert float(result.plan.summary["policy_shortfall_before"]) > 1000  # targets bite
    reply = client.post("/v1/plan", json={"periods": YEARS})
    assert reply.status_code == 200, reply.text
    # the run held its last need year(s) and warned; the answer warns the same sentence
    held = [note for note in result.notes if note.startswith(HELD)]
    assert len(held) == 1 and held[0].endswith("(need_basis in plan_years.csv)")
    assert reply.json()["warnings"] == [held[0].replace("plan_years.csv", "the answer's years")]
    _same_plan(reply.json(), result.plan)


def test_need_years_past_the_forecast_are_held_and_warned(national):
    _, client = national
    reply = client.post("/v1/plan", json={"periods": ["2026", "2027", "2028", "2029", "2030"],
                                          "budget": 6e7})   # need years 2026-2031
    assert reply.status_code == 200, reply.text
    body = reply.json()
    years = pd.DataFrame(body["years"])
    forecast = years.loc[years["need_basis"] == "forecast", "period"].tolist()
    reach = int(forecast[-1])
    held = years.loc[years["need_basis"] != "forecast"]
    assert held["period"].astype(int).tolist() == list(range(reach + 1, 2032))
    assert set(held["need_basis"]) == {f"held at {reach}"}
    # the shares by hand: the held years' part of each need without the plan
    market = held["shortfall_before"].sum() / years["shortfall_before"].sum()
    policy = held["policy_shortfall_before"].sum() / years["policy_shortfall_before"].sum()
    span = str(reach + 1) if reach + 1 == 2031 else f"{reach + 1}-2031"
    expected = (f"the gap model's sample paths reach {reach}; the market need of {span} is "
                f"held at its {reach} level (per sample path); the held years carry "
                f"{market:.0%} of the expected market shortfall and {policy:.0%} of the "
                "policy need without the plan (need_basis in the answer's years)")
    assert 0 < market < 1 and 0 < policy < 1
    assert body["warnings"][0] == expected


def test_the_served_caveats_are_the_runs(national):
    """The run's report notes the interval caveats of the simulation it kept (none of a
    span it tried and gave up), and the served model lists the same."""
    result, client = national
    narrow = [note for note in result.notes if "likely too narrow" in note]
    assert client.get("/v1/model").json()["caveats"] == narrow
    assert client.post("/v1/gap", json={"horizon": 4}).json()["warnings"] == narrow


def test_without_the_saved_targets_it_is_the_run_without_targets(national, without_targets):
    result, client = national
    reply = client.post("/v1/plan", json={"periods": YEARS, "use_saved_targets": False})
    assert reply.status_code == 200, reply.text
    _same_plan(reply.json(), without_targets.plan)
    assert reply.json()["summary"]["shortfall_after"] != pytest.approx(
        float(result.plan.summary["shortfall_after"]), rel=1e-6)


def test_a_policy_need_in_the_request_replaces_the_saved_one(national):
    _, client = national
    row = {"region": "Amberfield", "industry": "textiles", "period": "2027",
           "policy_need": 7.0}
    body = client.post("/v1/plan", json={"periods": YEARS, "policy_need": [row]}).json()
    assert body["summary"]["policy_shortfall_before"] == pytest.approx(7.0)


def test_years_past_the_saved_need_are_named_in_a_warning(national):
    _, client = national
    reply = client.post("/v1/plan", json={"periods": ["2028", "2029"], "lead_time": 2,
                                          "budget": 2e7})   # needs to 2031
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert any("covers 2025 to 2030" in w and "2031 of this plan has none" in w
               for w in body["warnings"])
    # the saved need of 2028 to 2030 is planned against
    assert body["summary"]["policy_shortfall_before"] > 0


def test_a_plan_over_quarters_says_it_leaves_the_yearly_need_out(national):
    _, client = national
    reply = client.post("/v1/plan", json={"periods": ["2025Q1", "2025Q2"], "budget": 1e6})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert any("is per year" in w for w in body["warnings"])
    assert not body["summary"].get("policy_shortfall_before")   # 0: no policy need


def test_a_model_saved_without_the_need_loads_and_plans_without_it(national, tmp_path):
    result, client = national
    older = saved_config(result)
    del older["plan"]["policy_need_planned"]   # as a model saved before the need was kept
    path = result.gap_model.save(tmp_path / "older", config=older)
    old = TestClient(create_app(path, settings=ServiceSettings(plan_workers=0)))
    info = old.get("/v1/model").json()
    assert info["targets"] is None and "need_weights" not in info["plan_defaults"]
    plain = old.post("/v1/plan", json={"periods": YEARS}).json()
    unapplied = client.post("/v1/plan", json={"periods": YEARS,
                                              "use_saved_targets": False}).json()
    assert plain["quotas"] == unapplied["quotas"]
    assert [w for w in plain["warnings"] if not w.startswith(HELD)] == []


def test_a_run_without_targets_saves_no_need(without_targets):
    assert "policy_need_planned" not in saved_config(without_targets)["plan"]


def _planned(result) -> pd.DataFrame:
    """The run's policy need, one row per cell and need year, in a fixed order."""
    table = result.plan.cells[[*KEYS, "period", "policy_need"]].astype(
        {**dict.fromkeys(KEYS, str), "period": str})
    return table.sort_values([*KEYS, "period"], ignore_index=True)


def test_the_need_is_saved_in_the_column_form_and_read_back_exactly(national):
    result, _ = national
    form = saved_config(result)["plan"]["policy_need_planned"]
    assert set(form) == {"cells", "policy_need"}
    assert sorted(form["policy_need"]) == ["2025", "2026", "2027", "2028", "2029", "2030"]
    assert all(len(column) == 64 for column in [*form["cells"].values(),
                                                *form["policy_need"].values()])
    back = _saved_targets.saved_policy_need({"policy_need_planned": form}, KEYS)
    expected = _planned(result)
    pd.testing.assert_frame_equal(
        back.sort_values([*KEYS, "period"], ignore_index=True), expected)
    # a null is a cell without a row that year, not a zero
    form["policy_need"]["2025"][0] = None
    fewer = _saved_targets.saved_policy_need({"policy_need_planned": form}, KEYS)
    assert len(fewer) == len(expected) - 1
    assert not ((fewer["period"] == "2025") & (fewer["region"] == form["cells"]["region"][0])
                & (fewer["industry"] == form["cells"]["industry"][0])).any()


def test_the_need_is_read_once_at_load_not_per_plan(national, tmp_path, monkeypatch):
    result, client = national
    calls = []
    read = _saved_targets.saved_policy_need

    def counted(*args, **kwargs):
        calls.append(args)
        return read(*args, **kwargs)

    monkeypatch.setattr(service_state, "saved_policy_need", counted)
    monkeypatch.setattr(_saved_targets, "saved_policy_need", counted)
    path = result.gap_model.save(tmp_path / "model", config=saved_config(result))
    served = TestClient(create_app(path, settings=ServiceSettings(plan_workers=0)))
    assert len(calls) == 1
    first = served.post("/v1/plan", json={"periods": YEARS}).json()
    second = served.post("/v1/plan", json={"periods": ["2028", "2029"], "lead_time": 2,
                                           "budget": 2e7}).json()
    assert served.get("/v1/model").json()["targets"]["cells"] == 64
    assert len(calls) == 1
    assert first["quotas"] == client.post("/v1/plan", json={"periods": YEARS}).json()["quotas"]
    assert second["summary"]["policy_shortfall_before"] > 0


def test_a_model_saved_with_the_row_form_plans_the_same(national, tmp_path):
    result, client = national
    older = saved_config(result)
    older["plan"]["policy_need_planned"] = _planned(result).to_dict("records")
    path = result.gap_model.save(tmp_path / "rows", config=older)
    old = TestClient(create_app(path, settings=ServiceSettings(plan_workers=0)))
    assert old.get("/v1/model").json()["targets"] == client.get("/v1/model").json()["targets"]
    plain = old.post("/v1/plan", json={"periods": YEARS}).json()
    assert plain["quotas"] == client.post("/v1/plan", json={"periods": YEARS}).json()["quotas"]
    assert plain["summary"]["policy_shortfall_before"] > 1000


_ROW = {"region": "N", "industry": "A", "period": "2026", "policy_need": 12.5}


@pytest.mark.parametrize("form", [
    [{**_ROW, "policy_need": -1.0}],                       # negative persons
    [_ROW, {"region": "S", "period": "2026", "policy_need": 1.0}],   # a key left out
    [{**_ROW, "policy_need": True}],                       # not a number
    [_ROW, _ROW],                                          # one cell and year twice
    [{**_ROW, "industry": ""}],                            # an empty key value
    {"cells": {"region": ["N", "S"], "industry": ["A", "A"]},
     "policy_need": {"2026": [1.0]}},                      # lists of unequal length
    {"cells": {"region": ["N"], "industry": ["A"]}, "policy_need": {"2026": ["1.0"]}},
    {"cells": {"region": ["N"], "sector": ["A"]}, "policy_need": {"2026": [1.0]}},
    {"cells": {"region": ["N"], "industry": ["A"]}, "policy_need": {"2026": [None]}},
])
def test_a_saved_need_not_of_either_form_is_logged_and_left_out(form, caplog):
    with caplog.at_level(logging.WARNING, logger="talentgap.service"):
        assert _saved_targets.saved_policy_need({"policy_need_planned": form}, KEYS) is None
    assert any("policy_need_planned is not a table of region, industry, period, policy_need"
               in record.getMessage() for record in caplog.records)


def test_a_plan_worker_process_plans_against_the_saved_need(national, tmp_path):
    result, client = national
    path = result.gap_model.save(tmp_path / "workers", config=saved_config(result))
    app = create_app(path, settings=ServiceSettings(plan_workers=1))
    with TestClient(app) as served:
        reply = served.post("/v1/plan", json={"periods": YEARS})
        assert app.state.plans.pids()   # solved in the worker, not here
    assert reply.status_code == 200, reply.text
    assert reply.json()["quotas"] == client.post("/v1/plan", json={"periods": YEARS}).json()[
        "quotas"]
    _same_plan(reply.json(), result.plan)
