"""The edition store stays at schema version 1 until a projection is stored."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pandas as pd
import pytest

import talentgap as tg
from talentgap.editions import EditionStore


@pytest.fixture(scope="module")
def fitted():
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
    panel = tg.features.build_panel(data.surveys, data.training)
    gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50,
                                    horizon=2).fit(panel)
    return gap, gap.predict(2)


def _version(path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        return int(connection.execute("SELECT value FROM store_info WHERE key = "
                                      "'schema_version'").fetchone()[0])


def _tables(path) -> set[str]:
    with closing(sqlite3.connect(path)) as connection:
        return {r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}


def _projection(gap) -> pd.DataFrame:
    cells = gap.cells_.reset_index(drop=True).astype(str)
    cells = cells.drop(columns=[c for c in ("skill_level",) if c in cells])
    return pd.concat([cells.assign(period=pd.Period(str(year), freq="Y"), employment=100.0,
                                   projected_stock=40.0)
                      for year in (2024, 2025)], ignore_index=True)


def test_adding_without_a_projection_keeps_version_1(tmp_path, fitted):
    gap, forecast = fitted
    path = tmp_path / "plain.sqlite"
    store = EditionStore(path)
    store.add("a", gap, forecast)
    store.add("b", gap, forecast)
    store.add("a", gap, forecast, replace=True)
    assert _version(path) == 1 and "projections" not in _tables(path)
    assert sorted(store.names()) == ["a", "b"]
    assert store.projection("a") is None
    assert store.list()["projection_years"].tolist() == ["", ""]
    store.remove("b")
    assert _version(path) == 1


def test_adding_a_projection_migrates_to_version_2_keeping_the_editions(tmp_path, fitted):
    gap, forecast = fitted
    path = tmp_path / "with.sqlite"
    store = EditionStore(path)
    store.add("old", gap, forecast)
    assert _version(path) == 1
    store.add("new", gap, forecast, projection=_projection(gap))
    assert _version(path) == 2 and "projections" in _tables(path)
    assert store.projection("old") is None
    pd.testing.assert_frame_equal(store.projection("new"), _projection(gap))
    store.add("later", gap, forecast)   # stays at 2: never moves back
    assert _version(path) == 2
