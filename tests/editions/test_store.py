"""Tests of talentgap.editions.store: the SQLite edition store."""

from __future__ import annotations

import hashlib
import sqlite3
import threading

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.editions import EditionStore
from talentgap.editions._tables import decode_table, encode_table
from talentgap.errors import EditionError
from talentgap.models.persistence import data_fingerprint


@pytest.fixture(scope="module")
def fitted():
    data = tg.datasets.make_synthetic(n_regions=3, industries=3, n_periods=14, seed=3)
    panel = tg.features.build_panel(data.surveys, data.training)
    gap = tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=100).fit(panel)
    return gap, gap.predict(3, level=[80, 95])


@pytest.fixture
def store(tmp_path):
    return EditionStore(tmp_path / "sub" / "editions.sqlite")


def test_round_trip_keeps_forecast_and_model(store, fitted):
    gap, forecast = fitted
    store.add("2024Q4", gap, forecast, notes="first run")
    same = store.forecast("2024Q4")
    pd.testing.assert_frame_equal(same, forecast)
    assert isinstance(same["period"].dtype, pd.PeriodDtype)
    model = store.model("2024Q4")
    assert isinstance(model, tg.models.GapForecaster)
    pd.testing.assert_frame_equal(model.predict(3, level=[80, 95]), forecast)


def test_list_describes_each_edition(store, fitted):
    gap, forecast = fitted
    store.add("a", gap, forecast, created="2025-01-02T03:04:05Z")
    store.add("b", gap, forecast.query("period == period.min()"),
              created=pd.Timestamp("2025-02-01 00:00", tz="UTC"))
    listing = store.list()
    assert listing["name"].tolist() == ["a", "b"]
    assert listing["origin"].tolist() == [str(gap.origin_)] * 2
    assert listing["n_cells"].tolist() == [len(gap.cells_)] * 2
    assert listing["horizon"].tolist() == [3, 1]
    assert listing["fingerprint"].tolist() == [data_fingerprint(gap)] * 2
    assert listing["created"].iloc[0] == pd.Timestamp("2025-01-02 03:04:05", tz="UTC")
    assert store.latest() == "b"
    assert store.info("a")["talentgap_version"] == tg.__version__


def test_re_adding_a_name_is_refused_unless_replacing(store, fitted):
    gap, forecast = fitted
    store.add("2024Q4", gap, forecast)
    with pytest.raises(EditionError, match="append-only"):
        store.add("2024Q4", gap, forecast.iloc[:2])
    pd.testing.assert_frame_equal(store.forecast("2024Q4"), forecast)
    store.add("2024Q4", gap, forecast.iloc[:2], replace=True)
    assert len(store.forecast("2024Q4")) == 2
    assert store.names() == ["2024Q4"]


def test_remove_only_when_called(store, fitted):
    gap, forecast = fitted
    store.add("x", gap, forecast)
    store.add("y", gap, forecast)
    store.remove("x")
    assert store.names() == ["y"]
    with sqlite3.connect(store.path) as connection:
        paths = connection.execute("SELECT DISTINCT edition FROM artifact_files").fetchall()
    assert paths == [("y",)]
    with pytest.raises(EditionError, match="no edition 'x'.*stored: y"):
        store.forecast("x")
    with pytest.raises(EditionError, match="no edition 'x'"):
        store.remove("x")


def test_missing_or_foreign_files_are_refused(tmp_path, store):
    with pytest.raises(EditionError, match="no edition store"):
        store.list()
    assert not store.path.exists()
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    with pytest.raises(EditionError, match="not a talentgap edition store"):
        EditionStore(other).list()
    text = tmp_path / "notes.txt"
    text.write_text("hello, this is not a database at all" * 100)
    with pytest.raises(EditionError, match="not a talentgap edition store"):
        EditionStore(text).list()


def test_changed_blobs_are_refused(store, fitted):
    gap, forecast = fitted
    store.add("e", gap, forecast)
    with sqlite3.connect(store.path) as connection:
        data = connection.execute("SELECT data FROM artifact_files WHERE path = 'arrays.npz'"
                                  ).fetchone()[0]
        connection.execute("UPDATE artifact_files SET data = ? WHERE path = 'arrays.npz'",
                           (data + b"\0",))
    with pytest.raises(EditionError, match="'arrays.npz'.*sha256"):
        store.model("e")
    with sqlite3.connect(store.path) as connection:
        blob = connection.execute("SELECT forecast FROM editions").fetchone()[0]
        connection.execute("UPDATE editions SET forecast = ?", (blob[:-1],))
    with pytest.raises(EditionError, match="forecast of edition 'e'.*sha256"):
        store.forecast("e")


def test_artifact_checked_against_its_own_metadata(store, fitted):
    gap, forecast = fitted
    store.add("e", gap, forecast)
    # a consistent row checksum does not help: the artifact's metadata.json disagrees
    with sqlite3.connect(store.path) as connection:
        data = connection.execute("SELECT data FROM artifact_files WHERE path = 'state.json'"
                                  ).fetchone()[0]
        changed = data.replace(b'"n_samples"', b'"n_samples" ', 1)
        connection.execute("UPDATE artifact_files SET data = ?, sha256 = ? "
                           "WHERE path = 'state.json'",
                           (changed, hashlib.sha256(changed).hexdigest()))
    with pytest.raises(EditionError, match="state.json"):
        store.model("e")


@pytest.mark.parametrize("bad, match", [
    (lambda f: f.drop(columns="gap"), "lacks the column"),
    (lambda f: f.assign(period=f["period"] - 3), "after the model's origin"),
    (lambda f: f.assign(period=f["period"].astype(str)), "has dtype"),
    (lambda f: f.assign(region="Nowhere"), "not fitted on"),
])
def test_forecasts_that_do_not_belong_to_the_model_are_refused(store, fitted, bad, match):
    gap, forecast = fitted
    with pytest.raises(EditionError, match=match):
        store.add("bad", gap, bad(forecast))
    assert not store.path.exists() or store.names() == []


def test_names_and_models_are_checked(store, fitted):
    gap, forecast = fitted
    for name in ("", " padded", 3):
        with pytest.raises(EditionError, match="edition name"):
            store.add(name, gap, forecast)
    with pytest.raises(EditionError, match="GapForecaster"):
        store.add("n", tg.models.Naive(), forecast)
    with pytest.raises(EditionError, match="not fitted"):
        store.add("n", tg.models.GapForecaster(), forecast)


def test_tables_round_trip_every_dtype():
    df = pd.DataFrame({
        "period": pd.PeriodIndex(["2024-01", None, "2024-03"], freq="M"),
        "year": pd.period_range("2020", periods=3, freq="Y"),
        "cat": pd.Categorical(["b", None, "a"], categories=["b", "a"], ordered=True),
        "f": [0.1 + 0.2, np.nan, -0.0],
        "i": np.array([1, 2, 3], dtype="int32"),
        "b": [True, False, True],
        "s": ["x", None, ""],
        "n": pd.array([1, None, 3], dtype="Int64"),
    })
    pd.testing.assert_frame_equal(decode_table(encode_table(df)), df)
    with pytest.raises(EditionError, match="dtype"):
        encode_table(pd.DataFrame({"t": pd.to_datetime(["2024-01-01"])}))


def test_readers_see_whole_editions_while_one_writes(store, fitted):
    gap, forecast = fitted
    store.add("seed", gap, forecast)
    errors: list[BaseException] = []
    seen: list[int] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                names = store.names()
                seen.append(len(names))
                for name in names[-2:]:  # a listed edition is complete
                    assert len(store.forecast(name)) == len(forecast)
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for thread in readers:
        thread.start()
    try:
        for k in range(6):
            store.add(f"run{k}", gap, forecast)
    finally:
        done.set()
        for thread in readers:
            thread.join(timeout=60)
    assert not errors, errors
    assert seen and max(seen) <= 7
    assert store.names()[-1] == "run5" and len(store.names()) == 7
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_run_config_is_kept_in_the_artifact_metadata(store, fitted):
    gap, forecast = fitted
    store.add("c", gap, forecast, config={"panel": {"lead_time": 2}})
    store.add("d", gap, forecast)
    assert store.metadata("c")["config"] == {"panel": {"lead_time": 2}}
    assert store.metadata("d")["config"] is None
    assert store.metadata("c")["estimator"] == "GapForecaster"


def test_edition_error_is_a_talentgap_value_error():
    assert issubclass(EditionError, (tg.errors.TalentGapError, ValueError))
