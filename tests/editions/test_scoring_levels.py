"""Scores of an edition name each interval level as the forecast's columns do (lo_12.3457)."""

from __future__ import annotations

import warnings

import pytest

import talentgap as tg
from talentgap._arguments import interval_columns, level_label
from talentgap.editions import EditionStore, score_edition

LEVELS = [97.5, 12.3456789]


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
        panel = tg.features.build_panel(data.surveys, data.training, freq="Q")
        cut = panel[panel["period"] <= panel["period"].max() - 2]
        gap = tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=50,
                                      random_state=0).fit(cut)
        store = EditionStore(tmp_path_factory.mktemp("levels") / "editions.sqlite")
        store.add("e1", gap, gap.predict(2, level=LEVELS))
        return score_edition(store, "e1", panel)


def test_coverage_columns_use_the_level_labels(scores):
    expected = [f"coverage_{level_label(lv)}" for lv in sorted(LEVELS)]
    assert expected == ["coverage_12.3457", "coverage_97.5"]
    for table in (scores.summary, scores.cells, scores.groups):
        assert [c for c in table.columns if c.startswith("coverage_")] == expected


def test_points_carry_the_bounds_under_their_interval_columns(scores):
    bounds = [c for lv in sorted(LEVELS) for c in interval_columns(lv)]
    assert bounds == ["lo_12.3457", "hi_12.3457", "lo_97.5", "hi_97.5"]
    shown = [c for c in scores.points.columns if c[:3] in ("lo_", "hi_")]
    assert shown == bounds
    edition = scores.points[scores.points["method"] == "edition"]
    # an actual without a standard error (one respondent) gets no widened interval
    unknown = edition["actual_se"].isna()
    assert edition.loc[unknown, bounds].isna().all().all()
    edition = edition[~unknown]
    assert (edition["lo_97.5"] <= edition["lo_12.3457"]).all()
    assert (edition["hi_12.3457"] <= edition["hi_97.5"]).all()
    assert edition["lo_97.5"].notna().all()
