"""The served model: one edition per load, answers built at (re)load, not on first use."""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import ArtifactError

pytest.importorskip("fastapi", reason="the service extra is not installed")

from talentgap.service import create_app, reload_model
from talentgap.service.state import LoadedModel, load_consistent


@pytest.fixture
def own_dir(gap_model, tmp_path):
    return gap_model.save(tmp_path / "gap", config={"forecast": {"horizon": 3}})


@pytest.fixture(scope="module")
def drift_model():
    data = tg.datasets.make_synthetic(n_regions=2, industries=3, n_periods=16, seed=2)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    return tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=50).fit(panel)


def test_the_answers_are_built_when_the_model_is_loaded_and_reloaded(own_dir):
    app = create_app(own_dir)
    first = app.state.served
    assert first.prepared_horizon == 3  # the saved run's [forecast] horizon
    assert first.gap_answers.prepared(3)
    assert "skill_level" not in first.key_values and set(first.key_values) == {
        "region", "industry"}
    fresh = reload_model(app)
    assert fresh is not first and app.state.served is fresh
    assert fresh.gap_answers.prepared(3)  # before any request reached it
    assert not fresh.gap_answers.prepared(5)


def test_a_forecaster_keeps_the_default_request_table_at_load(tmp_path):
    df = pd.DataFrame({"id": ["a"] * 8, "period": pd.period_range("2022Q1", periods=8, freq="Q"),
                       "value": [float(v) for v in range(8)]})
    path = tg.models.Naive(n_windows=2).fit(df, keys=["id"]).save(tmp_path / "fc")
    served = LoadedModel(path)
    assert served.forecast_answers.prepared(4, [80])
    assert served.key_values == {"id": ["a"]}


def test_signature_names_the_edition(drift_model, own_dir):
    one, two = LoadedModel(own_dir), LoadedModel(own_dir)
    assert one.signature == two.signature
    drift_model.save(own_dir)  # another edition
    assert LoadedModel(own_dir).signature != one.signature
    bare = LoadedModel(own_dir, answers=False)
    assert bare.gap_answers is None and bare.prepared_horizon is None


def test_load_consistent_reads_again_when_saved_over_during_the_load(drift_model, own_dir,
                                                                     monkeypatch):
    import talentgap.service.state as state

    saves = iter([True, False])
    real_load = state.load

    def load_then_save(path):
        model = real_load(path)
        if next(saves, False):
            drift_model.save(own_dir)  # between the metadata read and the check after it
        return model

    monkeypatch.setattr(state, "load", load_then_save)
    metadata, model = load_consistent(own_dir)
    assert metadata["metadata_sha256"] == tg.models.persistence.read_metadata(
        own_dir)["metadata_sha256"]
    assert type(model.demand_model_).__name__ == "Drift"


def test_load_consistent_gives_up_on_an_artifact_that_keeps_changing(gap_model, drift_model,
                                                                      own_dir, monkeypatch):
    import talentgap.service.state as state

    real_load = state.load
    models = iter([drift_model, gap_model] * 5)

    def load_then_save(path):
        model = real_load(path)
        next(models).save(own_dir)
        return model

    monkeypatch.setattr(state, "load", load_then_save)
    with pytest.raises(ArtifactError, match="saved over during each of 5 loads"):
        load_consistent(own_dir)
