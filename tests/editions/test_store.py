"""Tests of talentgap.editions.store: the SQLite edition store."""

from __future__ import annotations

import datetime
import hashlib
import sqlite3
import threading
from contextlib import closing

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
    assert listing["data_fingerprint"].tolist() == [data_fingerprint(gap)] * 2
    assert listing["model_fingerprint"].tolist() == [
        store.metadata(n)["metadata_sha256"] for n in ("a", "b")]
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
    facts = {"keys": ["region", "industry"], "freq": "Q"}  # the model records these itself
    assert store.metadata("c")["config"] == {"panel": {"lead_time": 2}, "data": facts}
    assert store.metadata("d")["config"] == {"data": facts}  # no [panel]: not known
    assert store.metadata("c")["estimator"] == "GapForecaster"


def test_edition_error_is_a_talentgap_value_error():
    assert issubclass(EditionError, (tg.errors.TalentGapError, ValueError))


def test_latest_is_the_latest_forecast_origin_then_the_last_stored(tmp_path, fitted):
    gap, forecast = fitted
    data = tg.datasets.make_synthetic(n_regions=3, industries=3, n_periods=14, seed=3)
    panel = tg.features.build_panel(data.surveys, data.training)
    early = panel[panel["period"] <= panel["period"].max() - 2]
    old = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=20).fit(early)
    store = EditionStore(tmp_path / "e.sqlite")
    store.add("new-a", gap, forecast, created="2025-01-01")
    store.add("new-b", gap, forecast, created="2025-01-02")
    # a re-run of an earlier quarter, stored last, does not displace the newest forecast
    store.add("rerun-old", old, old.predict(2), created="2025-03-01")
    assert store.latest() == "new-b"
    assert store.names() == ["rerun-old", "new-a", "new-b"]
    assert store.list()["origin"].tolist() == [str(old.origin_)] + [str(gap.origin_)] * 2


def test_another_applications_database_is_left_unchanged(tmp_path, fitted):
    gap, forecast = fitted
    foreign = tmp_path / "foreign.db"
    with closing(sqlite3.connect(foreign)) as connection:
        connection.execute("CREATE TABLE customers (id, name)")
        connection.execute("INSERT INTO customers VALUES (1, 'a')")
        connection.commit()
    with pytest.raises(EditionError, match=r"another application \(tables: customers\)"):
        EditionStore(foreign).add("x", gap, forecast)
    with closing(sqlite3.connect(foreign)) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        assert [r[0] for r in tables] == ["customers"]
    empty = tmp_path / "empty.sqlite"
    empty.touch()  # an empty file is a new database: it becomes a store
    EditionStore(empty).add("x", gap, forecast)
    assert EditionStore(empty).names() == ["x"]


def test_a_locked_store_is_told_apart_from_a_damaged_one(store, fitted, monkeypatch):
    gap, forecast = fitted
    store.add("a", gap, forecast)
    monkeypatch.setattr("talentgap.editions.store._BUSY_TIMEOUT", 0.05)
    with closing(sqlite3.connect(store.path, isolation_level=None)) as holder:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(EditionError, match="locked by another process.*retry"):
            store.add("b", gap, forecast)
        holder.execute("ROLLBACK")
    store.add("b", gap, forecast)
    assert store.names() == ["a", "b"]
    damaged = store.path.parent / "half.sqlite"
    damaged.write_bytes(store.path.read_bytes()[:4096] + b"\x00" * 100)
    with pytest.raises(EditionError, match="damaged") as info:
        EditionStore(damaged).list()
    assert "locked by another process" not in str(info.value)


@pytest.mark.parametrize(("sql", "match"), [
    ("UPDATE store_info SET value = 'x' WHERE key = 'schema_version'",
     r"damaged: its schema_version 'x' is not a whole number"),
    ("UPDATE editions SET created = 'yesterday'",
     r"edition 'a' in .* is damaged: its created time 'yesterday' is not ISO 8601"),
])
def test_damaged_rows_give_edition_errors(store, fitted, sql, match):
    gap, forecast = fitted
    store.add("a", gap, forecast)
    with closing(sqlite3.connect(store.path)) as connection:
        connection.execute(sql)
        connection.commit()
    with pytest.raises(EditionError, match=match):
        store.list()


@pytest.mark.parametrize("created", ["01/02/2024", "2024.01.02", "yesterday", "2024-13-01"])
def test_created_must_be_iso_8601(store, fitted, created):
    gap, forecast = fitted
    with pytest.raises(EditionError, match="ISO 8601"):
        store.add("a", gap, forecast, created=created)


def test_created_iso_forms_and_dates(store, fitted):
    gap, forecast = fitted
    store.add("a", gap, forecast, created="2025-01-01T05:00:00+08:00")
    store.add("b", gap, forecast, created=datetime.date(2025, 2, 1))
    created = store.list().set_index("name")["created"]
    assert created["a"] == pd.Timestamp("2024-12-31 21:00", tz="UTC")
    assert created["b"] == pd.Timestamp("2025-02-01", tz="UTC")


@pytest.mark.parametrize("name", ["a\nb", "tab\there", "zero\u200bwidth"])
def test_names_with_control_characters_are_refused(store, fitted, name):
    gap, forecast = fitted
    with pytest.raises(EditionError, match="control or invisible"):
        store.add(name, gap, forecast)
