"""A model whose cells are keyed by region, industry and skill level, through every endpoint."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.service import create_app

KEYS = ["region", "industry", "skill_level"]
LEVELS = ("skilled", "high_skilled")


def _by_level(table: pd.DataFrame, counts: tuple[str, str]) -> pd.DataFrame:
    """Each row split into a skilled and a high-skilled row (a third of the counts high)."""
    high = table.copy()
    first, second = counts
    high[first] = table[first] // 3
    high[second] = np.minimum(table[second] // 3, high[first])
    rest = table.copy()
    rest[first] = table[first] - high[first]
    rest[second] = table[second] - high[second]
    return pd.concat([rest.assign(skill_level=LEVELS[0]), high.assign(skill_level=LEVELS[1])],
                     ignore_index=True)


@pytest.fixture(scope="module")
def panel():
    """Surveys in long form (one row per enterprise x period x skill level) and training
    by skill level, as a panel keyed by region, industry and skill level."""
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=4)
    surveys = _by_level(data.surveys, ("vacancies", "hard_to_fill"))
    training = _by_level(data.training, ("trained", "certified"))
    return tg.features.build_panel(surveys, training, keys=KEYS, lead_time=1)


@pytest.fixture(scope="module")
def gap_by_level(panel):
    model = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=100,
                                    keys=KEYS).fit(panel)
    return model.set_params(horizon=10)  # the span it simulates for every answer


@pytest.fixture(scope="module")
def client(gap_by_level, tmp_path_factory):
    path = gap_by_level.save(tmp_path_factory.mktemp("levels") / "gap")
    return TestClient(create_app(path))


def test_model_lists_the_keys_and_their_values(client, gap_by_level):
    info = client.get("/v1/model").json()
    assert info["keys"] == KEYS
    cells = gap_by_level.cells_.astype(str)
    assert info["key_values"] == {k: sorted(cells[k].unique()) for k in KEYS}
    assert info["key_values"]["skill_level"] == sorted(LEVELS)
    assert info["n_cells"] == len(cells) == 8


@pytest.mark.parametrize("entry", [
    {"skill_level": "high_skilled"},
    {"region": "Ashmere", "skill_level": "skilled"},
    {"region": "Ashmere", "industry": "electromechanical_technology", "skill_level": "skilled"}])
def test_gap_selects_cells_by_any_keys_with_the_librarys_numbers(client, gap_by_level, entry):
    reply = client.post("/v1/gap", json={"horizon": 2, "level": [80], "cells": [entry]})
    assert reply.status_code == 200, reply.text
    got = pd.DataFrame(reply.json()["rows"])
    cells = gap_by_level.cells_.astype(str)
    wanted = cells[np.logical_and.reduce([cells[k] == v for k, v in entry.items()])]
    assert len(wanted) >= 1
    want = gap_by_level.predict(2, level=[80], cells=gap_by_level.cells_.loc[wanted.index])
    assert got[KEYS].to_numpy().tolist() == want[KEYS].astype(str).to_numpy().tolist()
    for column in ("demand", "supply", "gap", "gap_lo_80", "gap_hi_80", "p_shortage"):
        np.testing.assert_allclose(got[column].to_numpy(dtype=float),
                                   want[column].to_numpy(dtype=float), rtol=1e-6, err_msg=column)
    assert len(reply.json()["explanations"]) == len(wanted)


def test_gap_names_an_unknown_skill_level(client):
    reply = client.post("/v1/gap", json={"cells": [{"skill_level": "master"}]})
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "cells"]
    assert "'skill_level': 'master'" in reply.json()["detail"][0]["msg"]


def test_plan_returns_places_per_skill_level(client, gap_by_level):
    request = {"budget": 60_000, "cost_per_trainee": 1000, "pass_rate": 0.8,
               "absorption": 0.9, "horizon": 3}
    reply = client.post("/v1/plan", json=request)
    assert reply.status_code == 200, reply.text
    quotas = pd.DataFrame(reply.json()["quotas"])
    want = tg.planning.allocate_quotas(gap_by_level.sample_paths(3), budget=60_000,
                                       cost_per_trainee=1000, pass_rate=0.8, absorption=0.9,
                                       keys=tuple(KEYS)).quotas
    assert quotas[KEYS].to_numpy().tolist() == want[KEYS].astype(str).to_numpy().tolist()
    assert set(quotas["skill_level"]) == set(LEVELS)
    assert quotas["quota"].tolist() == want["quota"].tolist()
    assert quotas["quota"].sum() > 0


def test_forecast_selects_series_by_any_keys(panel, tmp_path):
    demand = panel[[*KEYS, "period", "demand"]].dropna()
    forecaster = tg.models.Naive().fit(demand, target="demand", keys=KEYS)
    client = TestClient(create_app(forecaster.save(tmp_path / "fc")))
    assert client.get("/v1/model").json()["key_values"]["skill_level"] == sorted(LEVELS)
    reply = client.post("/v1/forecast", json={"horizon": 2, "level": [80],
                                              "series": [{"skill_level": "high_skilled"}]})
    assert reply.status_code == 200, reply.text
    got = pd.DataFrame(reply.json()["rows"])
    want = forecaster.predict(2, level=[80])
    want = want[want["skill_level"].astype(str) == "high_skilled"]
    assert got[KEYS].to_numpy().tolist() == want[KEYS].astype(str).to_numpy().tolist()
    np.testing.assert_allclose(got[["mean", "lo_80", "hi_80"]].to_numpy(dtype=float),
                               want[["mean", "lo_80", "hi_80"]].to_numpy(dtype=float))


def test_plan_takes_a_cost_per_skill_level(client, gap_by_level):
    costs = [{"cell": {"skill_level": "high_skilled"}, "value": 3000.0},
             {"cell": {"skill_level": "skilled"}, "value": 1000.0}]
    reply = client.post("/v1/plan", json={"budget": 60_000, "cost_per_trainee": costs,
                                          "horizon": 3})
    assert reply.status_code == 200, reply.text
    quotas = pd.DataFrame(reply.json()["quotas"])
    table = pd.DataFrame({"skill_level": list(LEVELS), "cost_per_trainee": [1000.0, 3000.0]})
    want = tg.planning.allocate_quotas(gap_by_level.sample_paths(3), budget=60_000,
                                       cost_per_trainee=table, pass_rate=1.0,
                                       keys=tuple(KEYS)).quotas
    assert quotas["quota"].tolist() == want["quota"].tolist()
    cost = quotas.groupby("skill_level")["cost_per_trainee"].unique().map(list).to_dict()
    assert cost == {"high_skilled": [3000.0], "skilled": [1000.0]}
    mixed = [costs[0], {"cell": {"region": "Ashmere"}, "value": 1000.0}]
    refused = client.post("/v1/plan", json={"budget": 60_000, "cost_per_trainee": mixed})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "cost_per_trainee"]
