"""``POST /v1/plan`` with ``capacity_groups`` rows giving ``min_places`` (a minimum per group)."""

from __future__ import annotations

import pandas as pd
import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.service import create_app

#: The fixture model is quarterly with origin 2022Q4.
FUNDING = ["2023Q1", "2023Q2"]


@pytest.fixture(scope="module")
def client(model_dir):
    with TestClient(create_app(model_dir)) as c:
        yield c


def _plan(client, **fields):
    return client.post("/plan", json={"budget": 30_000, "periods": FUNDING, "lead_time": 1,
                                         "cost_per_trainee": 100, **fields})


def test_a_group_minimum_holds_over_its_members_each_period(client, gap_model):
    industry = str(gap_model.cells_["industry"].astype(str).iloc[-1])
    free = pd.DataFrame(_plan(client).json()["quotas"])
    members = free["industry"] == industry
    least = float(free[members].groupby("period")["quota"].sum().min())
    group = [{"group": "college", "capacity": 1e6, "min_places": least + 25,
              "industry": industry}]
    reply = _plan(client, capacity_groups=group)
    assert reply.status_code == 200, reply.text
    quotas = pd.DataFrame(reply.json()["quotas"])
    per_period = quotas[quotas["industry"] == industry].groupby("period")["quota"].sum()
    assert (per_period >= least + 25 - 1e-6).all()
    kinds = {row["kind"] for row in reply.json()["constraints"]}
    assert "capacity_group_min" in kinds


def test_a_minimum_above_the_capacity_is_refused_naming_the_group(client, gap_model):
    industry = str(gap_model.cells_["industry"].astype(str).iloc[0])
    group = [{"group": "college", "capacity": 5, "min_places": 8, "industry": industry}]
    reply = _plan(client, capacity_groups=group)
    assert reply.status_code == 422
    assert "min_places" in reply.text and "college" in reply.text
