"""Tests of the workforce projection kept with an edition and its later scoring
(talentgap/editions/_projection.py, store.py, stocks.py)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.editions import EditionStore, score_edition, score_stocks
from talentgap.editions.store import SCHEMA_VERSION
from talentgap.errors import EditionError

LEVELS = tg.features.SkillLevels(order=["unskilled", "skilled", "high_skilled"],
                                 unskilled=["unskilled"], high_skilled=["high_skilled"])


@pytest.fixture(scope="module")
def fitted():
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
    panel = tg.features.build_panel(data.surveys, data.training)
    early = panel[panel["period"] <= panel["period"].max() - 2]
    gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=20).fit(early)
    return gap, gap.predict(2), panel


def _cells(gap) -> pd.DataFrame:
    return gap.cells_.reset_index(drop=True).astype(str)


def _projection(gap) -> pd.DataFrame:
    """2024-2025, per cell: employment 1000, skilled 300 (+10 in 2025), high-skilled 60."""
    cells = _cells(gap)
    frames = []
    for i, year in enumerate((2024, 2025)):
        frames.append(cells.assign(
            period=pd.Period(str(year), freq="Y"), employment=1000.0,
            target_share=0.32, projected_stock=300.0 + 10 * i,
            projected_stock_high_skilled=60.0, target_share_high_skilled=0.25,
            policy_need_skilled=20.0, policy_need_high_skilled=5.0))
    return pd.concat(frames, ignore_index=True)


def _later(gap, skilled: list[int], high: list[int], periods=("2024Q3", "2024Q4")):
    """A later employment table by skill level: per cell (in cells_ order) its skilled and
    high-skilled workers in each period, 1000 employed."""
    rows = []
    for period in periods:
        for (_, cell), s, h in zip(_cells(gap).iterrows(), skilled, high, strict=True):
            counts = {"unskilled": 1000 - s, "skilled": s - h, "high_skilled": h}
            rows += [{**cell.to_dict(), "period": period, "skill_level": level,
                      "employment": n} for level, n in counts.items()]
    return pd.DataFrame(rows)


def test_hand_computed_stocks_per_region_and_total(tmp_path, fitted):
    gap, forecast, _ = fitted
    store = EditionStore(tmp_path / "e.sqlite")
    store.add("2023Q4", gap, forecast, projection=_projection(gap))
    regions = _cells(gap)["region"].tolist()
    first = regions[0]
    # region 1's two cells observe 320 and 310 skilled (projected 300 each); region 2's 290
    # and 300; high-skilled 66, 60, 54, 60 (projected 60 each)
    skilled, high = [320, 310, 290, 300], [66, 60, 54, 60]
    order = np.argsort(regions, kind="stable")   # cells_ sorted by region already
    assert list(order) == [0, 1, 2, 3]
    scores = score_stocks(store, "2023Q4", _later(gap, skilled, high), skill_levels=LEVELS)
    assert scores.projected_years == [2024, 2025] and scores.scored_years == [2024]
    assert scores.note == ""
    table = scores.stocks.set_index(["skill_level", "region"])
    one = table.loc[("skilled", first)]
    assert one["projected"] == 600 and one["observed"] == 630 and one["error"] == -30
    assert one["error_pct"] == pytest.approx(-100 * 30 / 630)
    assert one["projected_share"] == pytest.approx(600 / 2000)
    assert one["observed_share"] == pytest.approx(630 / 2000)
    assert one["observed_vs_projected"] == "above"
    assert one["target_share"] == pytest.approx(0.32) and one["policy_need"] == 40
    two = table.loc[("skilled", regions[2])]
    assert (two["projected"], two["observed"], two["observed_vs_projected"]) == (600, 590,
                                                                               "below")
    total = table.loc[("skilled", "all regions")]
    assert (total["n_cells"], total["projected"], total["observed"]) == (4, 1200, 1220)
    assert np.isnan(total["target_share"]) and total["policy_need"] == 80
    # high-skilled: a share of skilled workers, projected 120 of 600 vs observed 126 of 630
    high_one = table.loc[("high_skilled", first)]
    assert (high_one["projected"], high_one["observed"]) == (120, 126)
    assert high_one["share_of"] == "skilled"
    assert high_one["projected_share"] == pytest.approx(120 / 600)
    assert high_one["observed_share"] == pytest.approx(126 / 630)
    assert high_one["observed_vs_projected"] == "equal"
    # 2025 is after the later data: every cell listed, with the reason
    assert len(scores.not_scored) == 4
    assert set(scores.not_scored["year"]) == {2025}
    assert set(scores.not_scored["reason"]) == {"after the later data's last year (2024)"}


def test_the_year_end_stock_is_read_not_an_earlier_quarter(tmp_path, fitted):
    gap, forecast, _ = fitted
    store = EditionStore(tmp_path / "e.sqlite")
    store.add("2023Q4", gap, forecast, projection=_projection(gap))
    q3 = _later(gap, [100] * 4, [10] * 4, periods=("2024Q3",))
    q4 = _later(gap, [300] * 4, [60] * 4, periods=("2024Q4",))
    later = pd.concat([q4, q3], ignore_index=True)   # row order must not matter
    scores = score_stocks(store, "2023Q4", later, skill_levels=LEVELS)
    total = scores.stocks.query("skill_level == 'skilled' and region == 'all regions'")
    assert total["observed"].item() == 1200 and total["error"].item() == 0
    assert total["observed_vs_projected"].item() == "equal"


def test_no_complete_year_is_said_plainly(tmp_path, fitted):
    gap, forecast, _ = fitted
    store = EditionStore(tmp_path / "e.sqlite")
    store.add("2023Q4", gap, forecast, projection=_projection(gap))
    later = _later(gap, [300] * 4, [60] * 4, periods=("2024Q1", "2024Q2"))
    scores = score_stocks(store, "2023Q4", later, skill_levels=LEVELS)
    assert scores.stocks.empty and scores.scored_years == []
    assert "observes no complete year" in scores.note and "2024-2025" in scores.note
    reasons = set(scores.not_scored["reason"])
    assert "year not complete in the later data (last period 2024Q2)" in reasons


def test_an_edition_without_projection_scores_nothing_and_says_so(tmp_path, fitted):
    gap, forecast, _ = fitted
    store = EditionStore(tmp_path / "e.sqlite")
    store.add("plain", gap, forecast)
    assert store.projection("plain") is None
    scores = score_stocks(store, "plain", _later(gap, [300] * 4, [60] * 4),
                          skill_levels=LEVELS)
    assert scores.stocks.empty and "has no stored workforce projection" in scores.note


def _as_version_1(path) -> None:
    """Make the file a store as written before projections were kept (schema version 1)."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("DROP TABLE IF EXISTS projections")
        connection.execute("UPDATE store_info SET value = '1' WHERE key = 'schema_version'")
        connection.commit()


def _version(path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        return int(connection.execute("SELECT value FROM store_info WHERE key = "
                                      "'schema_version'").fetchone()[0])


def test_a_version_1_store_is_read_and_migrated_by_the_next_add(tmp_path, fitted):
    gap, forecast, panel = fitted
    path = tmp_path / "old.sqlite"
    store = EditionStore(path)
    store.add("old", gap, forecast)
    _as_version_1(path)
    # read as it is: listed, its forecast scored, no projection, and the file unchanged
    listing = store.list()
    assert listing["name"].tolist() == ["old"] and listing["projection_years"].tolist() == [""]
    pd.testing.assert_frame_equal(store.forecast("old"), forecast)
    scores = score_edition(store, "old", panel)
    assert scores.summary["n_points"].gt(0).all()
    assert store.projection("old") is None
    assert _version(path) == 1
    # the next add migrates: version 2, the old edition intact, the new one with projection
    store.add("new", gap, forecast, projection=_projection(gap))
    assert _version(path) == SCHEMA_VERSION == 2
    assert store.projection("old") is None
    pd.testing.assert_frame_equal(store.projection("new"), _projection(gap))
    assert store.list()["projection_years"].tolist() == ["", "2024-2025"]


def test_projection_is_append_only_and_removed_with_its_edition(tmp_path, fitted):
    gap, forecast, _ = fitted
    path = tmp_path / "e.sqlite"
    store = EditionStore(path)
    first = _projection(gap)
    store.add("2023Q4", gap, forecast, projection=first)
    other = first.assign(projected_stock=first["projected_stock"] + 1)
    with pytest.raises(EditionError, match="append-only"):
        store.add("2023Q4", gap, forecast, projection=other)
    pd.testing.assert_frame_equal(store.projection("2023Q4"), first)
    store.add("2023Q4", gap, forecast, projection=other, replace=True)
    pd.testing.assert_frame_equal(store.projection("2023Q4"), other)
    store.add("2023Q4", gap, forecast, replace=True)   # replaced without one: none kept
    assert store.projection("2023Q4") is None
    store.add("b", gap, forecast, projection=first)
    store.remove("b")
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("SELECT COUNT(*) FROM projections").fetchone()[0] == 0


def test_a_bad_projection_stores_nothing(tmp_path, fitted):
    gap, forecast, _ = fitted
    store = EditionStore(tmp_path / "e.sqlite")
    bad = _projection(gap).drop(columns="projected_stock")
    with pytest.raises(EditionError, match=r"lacks the column\(s\) \['projected_stock'\]"):
        store.add("x", gap, forecast, projection=bad)
    repeated = pd.concat([_projection(gap)] * 2, ignore_index=True)
    with pytest.raises(EditionError, match="repeat a cell and year"):
        store.add("x", gap, forecast, projection=repeated)
    assert not store.path.exists() or store.names() == []


def test_a_tampered_projection_is_refused(tmp_path, fitted):
    gap, forecast, _ = fitted
    path = tmp_path / "e.sqlite"
    store = EditionStore(path)
    store.add("a", gap, forecast, projection=_projection(gap))
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("UPDATE projections SET projection_sha256 = 'x'")
        connection.commit()
    with pytest.raises(EditionError, match="projection of edition 'a'.*sha256"):
        store.projection("a")
