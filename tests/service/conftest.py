"""Shared fixtures of the service tests: one small fitted gap model and its artifact."""

from __future__ import annotations

import pytest

import talentgap as tg


@pytest.fixture(scope="package")
def gap_model():
    """A gap model on 2 regions x 3 industries, 16 quarters, naive forecasts."""
    data = tg.datasets.make_synthetic(n_regions=2, industries=3, n_periods=16, seed=2)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    return tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=200).fit(panel)


@pytest.fixture(scope="package")
def model_dir(gap_model, tmp_path_factory):
    """The gap model saved as an artifact, with a small run configuration."""
    return gap_model.save(tmp_path_factory.mktemp("artifact") / "gap",
                          config={"forecast": {"horizon": 4}})
