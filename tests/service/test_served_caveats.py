"""The served gap model's caveats and the kind of its intervals, in every answer.

A gap model answers from one simulation of its horizon, built when the
service loads it. What that simulation warns (here: the two new trades'
cells, 5 and 6 quarters of demand and supply, are too short for any longer
series to calibrate their 12-quarter paths, which then use the pooled
errors) is listed in ``caveats`` of ``GET /v1/model`` and repeated in the
``warnings`` of every ``/v1/gap`` and ``/v1/plan`` answer, not only the
first. ``intervals`` says whether the intervals exclude the survey's
sampling error (``"population"``) or not (``"estimates"``).
"""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

import talentgap as tg
from talentgap.errors import collect_warnings
from talentgap.service import ServiceSettings, create_app

NARROW = "no series is long enough to calibrate the sample paths of series with"


def _panel():
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=16, seed=0,
                                      new_trades=["ecommerce"], new_trade_start=10)
    return tg.features.build_panel(data.surveys, data.training, lead_time=1)


def _client(path) -> TestClient:
    return TestClient(create_app(path, settings=ServiceSettings(plan_workers=0)))


@pytest.fixture(scope="module")
def short_cells(tmp_path_factory):
    """A gap model of 12 quarters whose new trades' paths use the pooled errors, saved."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the synthetic data's own data-quality warnings
        model = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50,
                                        horizon=12).fit(_panel())
    path = model.save(tmp_path_factory.mktemp("caveats") / "gap")
    with collect_warnings() as caught:  # the oracle: the saved model's simulation, built
        tg.load(path).prepare(12)
    return path, [str(item) for item in caught]


@pytest.fixture(scope="module")
def estimates(tmp_path_factory):
    """The same data without the survey's standard errors, 4 quarters: nothing to warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50,
                                        horizon=4, sampling_se=None).fit(_panel())
    return model.save(tmp_path_factory.mktemp("estimates") / "gap")


def test_the_simulation_warns_for_the_short_cells(short_cells):
    _, expected = short_cells
    # demand and supply short at two lengths: one warning, lengths and counts in words
    assert len(expected) == 1 and expected[0].startswith(NARROW)
    assert "with 5 or 6 observations (2 demand series with 6, 2 supply series with 5)" \
        in expected[0]


def test_the_model_lists_its_caveats_and_interval_kind(short_cells, estimates):
    path, expected = short_cells
    info = _client(path).get("/v1/model").json()
    assert info["caveats"] == expected
    assert info["intervals"] == "population"
    other = _client(estimates).get("/v1/model").json()
    assert other["caveats"] == [] and other["intervals"] == "estimates"


def test_every_gap_answer_repeats_the_caveats(short_cells):
    path, expected = short_cells
    client = _client(path)
    cell = {"region": "Amberfield", "industry": "construction_engineering"}
    for body in ({"horizon": 4}, {"horizon": 12, "cells": [cell]}, {"horizon": 4}):
        answer = client.post("/v1/gap", json=body)
        assert answer.status_code == 200, answer.text
        got = answer.json()
        assert got["warnings"][:len(expected)] == expected, body
        assert got["warnings"].count(expected[0]) == 1  # once, not per cell or request
        assert got["intervals"] == "population"


def test_plan_answers_repeat_the_caveats(short_cells):
    path, expected = short_cells
    answer = _client(path).post("/v1/plan", json={"budget": 1e6, "cost_per_trainee": 5000,
                                                  "pass_rate": 0.7, "horizon": 4})
    assert answer.status_code == 200, answer.text
    assert answer.json()["warnings"][:len(expected)] == expected


def test_a_model_without_caveats_answers_none(estimates):
    got = _client(estimates).post("/v1/gap", json={"horizon": 4}).json()
    assert not [text for text in got["warnings"] if text.startswith(NARROW)]
    assert got["intervals"] == "estimates"
