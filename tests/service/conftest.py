"""Shared fixtures of the service tests: one small fitted gap model and its artifact."""

from __future__ import annotations

import copy

import pytest

import talentgap as tg
from talentgap.service._horizon import horizon_at_load
from talentgap.service.settings import ServiceSettings


@pytest.fixture(scope="package")
def gap_model():
    """A gap model on 2 regions x 3 industries, 16 quarters, naive forecasts, as the service
    holds it: its horizon fixed as the service's default settings fix it for a model saved
    without one (two years, 8 quarters; its backtests could calibrate 14)."""
    data = tg.datasets.make_synthetic(n_regions=2, industries=3, n_periods=16, seed=2)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    model = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=200).fit(panel)
    settings = ServiceSettings()
    return model.set_params(horizon=horizon_at_load(model, settings.max_horizon,
                                                    rule=settings.horizon_at_load))


@pytest.fixture(scope="package")
def model_dir(gap_model, tmp_path_factory):
    """The gap model saved as an artifact without a horizon (as library code saves it; the
    service fixes it at load), with a small run configuration."""
    unfixed = copy.copy(gap_model).set_params(horizon=None)
    with pytest.warns(UserWarning, match="without a horizon"):
        return unfixed.save(tmp_path_factory.mktemp("artifact") / "gap",
                            config={"forecast": {"horizon": 4}})
