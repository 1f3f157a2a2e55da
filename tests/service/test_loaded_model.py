"""The served model: one edition per load, answers built at (re)load, not on first use."""

from __future__ import annotations

import collections
from pathlib import Path

import pandas as pd
import pytest

import talentgap as tg
from talentgap.editions import EditionStore

pytest.importorskip("fastapi", reason="the service extra is not installed")

from talentgap.service import create_app, reload_model
from talentgap.service.state import LoadedModel


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


def _counting_reads(monkeypatch) -> collections.Counter:
    """Count the reads of each artifact file (by name) from now on."""
    reads, read_bytes = collections.Counter(), Path.read_bytes

    def counted(self):
        reads[self.name] += 1
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", counted)
    return reads


def test_each_artifact_file_is_read_once_at_load(own_dir, monkeypatch):
    reads = _counting_reads(monkeypatch)
    app = create_app(own_dir)
    assert dict(reads) == {"metadata.json": 1, "state.json": 1, "arrays.npz": 1}
    reads.clear()
    bare = LoadedModel(own_dir, answers=False)  # as a plan worker loads it
    assert dict(reads) == {"metadata.json": 1, "state.json": 1, "arrays.npz": 1}
    assert bare.signature == app.state.served.signature == app.state.served.metadata[
        "metadata_sha256"]


def test_an_edition_is_read_once_at_load(gap_model, tmp_path, monkeypatch):
    store = EditionStore(tmp_path / "editions.db")
    store.add("2022-q4", gap_model, gap_model.predict(2, level=[80]))
    reads = _counting_reads(monkeypatch)
    served = LoadedModel(store=tmp_path / "editions.db", answers=False)
    assert dict(reads) == {"metadata.json": 1, "state.json": 1, "arrays.npz": 1}
    assert served.signature == f"2022-q4:{store.metadata('2022-q4')['metadata_sha256']}"


@pytest.mark.filterwarnings("ignore:saving a GapForecaster without a horizon")
def test_a_save_during_the_load_gives_the_metadata_and_model_of_one_edition(drift_model,
                                                                            own_dir,
                                                                            monkeypatch):
    saves, read_bytes = [], Path.read_bytes

    def save_after_the_metadata(self):
        data = read_bytes(self)
        if self.name == "metadata.json" and not saves:
            saves.append(drift_model.save(own_dir))  # the state read next is the new one's
        return data

    monkeypatch.setattr(Path, "read_bytes", save_after_the_metadata)
    served = LoadedModel(own_dir, answers=False)
    monkeypatch.undo()
    assert saves
    assert served.signature == tg.models.persistence.read_metadata(own_dir)["metadata_sha256"]
    assert type(served.model.demand_model_).__name__ == "Drift"
