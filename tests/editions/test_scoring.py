"""Tests of talentgap.editions.scoring: a stored edition scored against later data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.editions import EditionStore, direction_accuracy, score_edition
from talentgap.errors import DataQualityWarning, EditionError
from talentgap.evaluation import metrics

KEYS = ["region", "industry"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo panel, an edition fitted with the last 4 quarters cut off, and its scores."""
    data = tg.datasets.load_demo()
    panel = tg.features.build_panel(data.surveys, data.training, freq="Q")
    cut = panel[panel["period"] <= panel["period"].max() - 4]
    gap = tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=200).fit(cut)
    store = EditionStore(tmp_path_factory.mktemp("store") / "editions.sqlite")
    store.add("2023Q4", gap, gap.predict(4, level=[80, 95]))
    return panel, cut, store, score_edition(store, "2023Q4", panel)


def cell_rows(table, region, industry, quantity="gap", method="edition"):
    mask = ((table["region"] == region) & (table["industry"] == industry)
            & (table["quantity"] == quantity) & (table["method"] == method))
    return table[mask]


def test_scores_the_later_quarters_only(demo):
    panel, cut, store, scores = demo
    assert scores.origin == cut["period"].max()
    assert scores.periods == list(pd.period_range(scores.origin + 1, periods=4, freq="Q"))
    assert set(scores.points["step"]) == {1, 2, 3, 4}
    assert set(scores.summary["method"]) == {"edition", "naive", "seasonal_naive"}
    assert set(scores.summary["quantity"]) == {"gap", "demand", "supply"}
    assert set(scores.groups["by"]) == {"industry", "region"}
    n_cells = panel.groupby(KEYS, observed=True).ngroups
    assert len(scores.cells) == n_cells * 3 * 3


def test_mase_and_coverage_of_one_cell_by_hand(demo):
    panel, cut, store, scores = demo
    region, industry = "Ashmere", "textiles"
    in_cell = (panel["region"] == region) & (panel["industry"] == industry)
    history = cut[(cut["region"] == region) & (cut["industry"] == industry)]
    history = (history["demand"] - history["supply"]).to_numpy()
    forecast = store.forecast("2023Q4")
    fc = forecast[(forecast["region"] == region) & (forecast["industry"] == industry)]
    later = panel[in_cell & (panel["period"] > cut["period"].max())].sort_values("period")
    y = later["gap"].to_numpy()
    f = fc.sort_values("period")["gap"].to_numpy()

    scale = np.mean(np.abs(history[4:] - history[:-4]))
    expected_mase = np.mean(np.abs(y - f)) / scale
    # the edition's intervals are for the population gap: widened by each estimate's
    # sampling error before they are compared with it
    lo, hi = tg.evaluation.with_sampling_error(
        fc.sort_values("period")["gap_lo_80"], fc.sort_values("period")["gap_hi_80"],
        later["demand_se"], level=80, center=f)
    expected_coverage = np.mean((lo <= y) & (y <= hi))
    points = cell_rows(scores.points, region, industry)
    np.testing.assert_allclose(points["lo_80"], lo)
    np.testing.assert_allclose(points["actual_se"], later["demand_se"])

    row = cell_rows(scores.cells, region, industry).iloc[0]
    assert row["n_points"] == 4
    assert row["mase"] == pytest.approx(expected_mase, rel=1e-12)
    assert row["mase"] == pytest.approx(metrics.mase(y, f, y_train=history, season_length=4))
    assert row["coverage_80"] == pytest.approx(expected_coverage)
    assert row["mae"] == pytest.approx(np.mean(np.abs(y - f)))

    naive = cell_rows(scores.points, region, industry, method="naive")
    assert np.allclose(naive["forecast"], history[-1])
    seasonal = cell_rows(scores.points, region, industry, method="seasonal_naive")
    assert np.allclose(seasonal["forecast"], history[-4:])
    assert cell_rows(scores.cells, region, industry, method="naive")["coverage_80"].isna().all()


def test_groups_and_summary_pool_the_cells(demo):
    panel, cut, store, scores = demo
    points = scores.points[(scores.points["quantity"] == "gap")
                           & (scores.points["method"] == "edition")]
    summary = scores.summary.set_index(["quantity", "method"]).loc[("gap", "edition")]
    assert summary["n_points"] == len(points)
    assert summary["mase"] == pytest.approx(
        np.mean(np.abs(points["actual"] - points["forecast"]) / points["scale"]))
    textiles = points[points["industry"] == "textiles"]
    group = scores.groups[(scores.groups["by"] == "industry")
                          & (scores.groups["group"] == "textiles")
                          & (scores.groups["quantity"] == "gap")
                          & (scores.groups["method"] == "edition")].iloc[0]
    # an actual without a standard error (one respondent) has no widened interval: left out
    judged = textiles[textiles["actual_se"].notna()]
    assert textiles.loc[textiles["actual_se"].isna(), "lo_95"].isna().all()
    assert group["coverage_95"] == pytest.approx(
        np.mean((judged["lo_95"] <= judged["actual"]) & (judged["actual"] <= judged["hi_95"])))


def tiny_panel(n: int, demand_a, demand_b) -> pd.DataFrame:
    periods = pd.period_range("2020Q1", periods=n, freq="Q")
    rows = [pd.DataFrame({"region": "North", "industry": industry, "period": periods,
                          "demand": np.asarray(demand, dtype=float), "supply": 5.0})
            for industry, demand in (("a", demand_a), ("b", demand_b))]
    panel = pd.concat(rows, ignore_index=True)
    return panel.assign(gap=panel["demand"] - panel["supply"])


def test_direction_of_change_on_a_tiny_case(tmp_path):
    # cell a rises and keeps rising; cell b falls, then rises against the forecast
    history = tiny_panel(12, 10 + 2 * np.arange(12), 40 - np.arange(12))
    gap = tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=50).fit(history)
    store = EditionStore(tmp_path / "e.sqlite")
    store.add("tiny", gap, gap.predict(2, level=[50]))
    later = tiny_panel(14, 10 + 2 * np.arange(14), [*(40 - np.arange(12)), 35, 36])
    with pytest.warns(DataQualityWarning, match="MASE scale 0"):  # supply is constant
        scores = score_edition(store, "tiny", later)
    cells = scores.cells.set_index(["industry", "quantity", "method"])
    assert cells.loc[("a", "demand", "edition"), "direction"] == 1.0
    assert cells.loc[("b", "demand", "edition"), "direction"] == 0.0
    assert cells.loc[("b", "gap", "edition"), "direction"] == 0.0
    # no change forecast and no change seen: right; the naive never moves, so its
    # direction score (about 0 by construction) is left out
    assert cells.loc[("a", "supply", "edition"), "direction"] == 1.0
    assert np.isnan(cells.loc[("a", "demand", "naive"), "direction"])
    assert np.isnan(cells.loc[("a", "supply", "edition"), "mase"])
    summary = scores.summary.set_index(["quantity", "method"])
    assert summary.loc[("demand", "edition"), "direction"] == 0.5


def test_direction_accuracy_by_hand():
    # base 10: up/up right, down/up wrong, flat/flat right, NaN left out
    assert direction_accuracy([12, 8, 10, np.nan], [11, 11, 10, 3],
                              y_base=[10, 10, 10, 10]) == pytest.approx(2 / 3)
    assert np.isnan(direction_accuracy([np.nan], [1.0], y_base=[0.0]))
    with pytest.raises(EditionError, match="1-D of one length"):
        direction_accuracy([1, 2], [1], y_base=[0, 0])


def test_bad_actuals_are_refused(demo):
    panel, cut, store, scores = demo
    with pytest.raises(EditionError, match="nothing to score"):
        score_edition(store, "2023Q4", cut)
    with pytest.raises(EditionError, match="lack the column"):
        score_edition(store, "2023Q4", panel.drop(columns="supply"))
    with pytest.raises(EditionError, match="not the keys"):
        score_edition(store, "2023Q4", panel, keys=("region",))
    with pytest.raises(EditionError, match="break scores down"):
        score_edition(store, "2023Q4", panel, by=("program",))
    with pytest.raises(EditionError, match="repeat"):
        score_edition(store, "2023Q4", pd.concat([panel, panel.tail(1)]))
    with pytest.raises(EditionError, match="no edition 'nope'"):
        score_edition(store, "nope", panel)


def test_actual_periods_as_text_are_read(demo):
    panel, cut, store, scores = demo
    again = score_edition(store.path, "2023Q4", panel.assign(period=panel["period"].astype(str)),
                          by=())
    pd.testing.assert_frame_equal(again.summary, scores.summary)
    assert again.groups.empty


def test_supply_is_counted_and_old_editions_are_compared_as_stored(demo, tmp_path):
    panel, cut, store, scores = demo
    supply = scores.points[(scores.points["quantity"] == "supply")
                           & (scores.points["method"] == "edition")]
    assert (supply["actual_se"] == 0).all()
    stored = store.forecast("2023Q4")
    merged = supply.merge(stored, on=[*KEYS, "period"])
    np.testing.assert_allclose(merged["lo_80"], merged["supply_lo_80"])
    # a model that left no sampling error out (as editions stored before it could) is
    # compared with the actuals as stored
    plain = tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=200,
                                    sampling_se=None).fit(cut)
    other = EditionStore(tmp_path / "editions.sqlite")
    other.add("plain", plain, plain.predict(4, level=[80]))
    points = score_edition(other, "plain", panel).points
    gap = points[(points["quantity"] == "gap") & (points["method"] == "edition")]
    merged = gap.merge(other.forecast("plain"), on=[*KEYS, "period"])
    np.testing.assert_allclose(merged["lo_80"], merged["gap_lo_80"])
    assert (gap["actual_se"] == 0).all()


def test_an_edition_of_some_cells_is_scored_like_for_like(demo, tmp_path):
    """A forecast of a few cells: the baselines are scored on exactly its points."""
    panel, cut, store, _ = demo
    gap = store.model("2023Q4")
    some = gap.predict(4, level=[80]).head(10)          # 2 cells x 4 quarters + 2 rows
    partial = EditionStore(tmp_path / "partial.sqlite")
    partial.add("some", gap, some)
    assert partial.list().loc[0, "n_cells"] == 3
    scores = score_edition(partial, "some", panel)
    counts = scores.summary.set_index(["quantity", "method"])["n_points"]
    for quantity in ("gap", "demand", "supply"):
        assert counts[(quantity, "edition")] == 10
        assert counts[(quantity, "naive")] == counts[(quantity, "seasonal_naive")] == 10
    scored = scores.points[["region", "industry", "period"]].drop_duplicates()
    assert len(scored.merge(some[["region", "industry", "period"]])) == len(scored) == 10
