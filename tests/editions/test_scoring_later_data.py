"""What the later data say besides the scores: revised history, cells new and cells gone."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli._edition_scores import _score_notes, _scored_words, score_report
from talentgap.editions import EditionStore, score_edition
from talentgap.errors import DataQualityWarning


def tiny_panel(n: int) -> pd.DataFrame:
    """Two cells (North/a, North/b) with known demand and supply, quarterly from 2020Q1."""
    periods = pd.period_range("2020Q1", periods=n, freq="Q")
    t = np.arange(n, dtype=float)
    rows = [pd.DataFrame({"region": "North", "industry": industry, "period": periods,
                          "demand": 20 + slope * t + (t % 4 == 0) * 3.0,
                          "supply": 5 + (t % 3)})
            for industry, slope in (("a", 1.0), ("b", -0.5))]
    panel = pd.concat(rows, ignore_index=True)
    return panel.assign(gap=panel["demand"] - panel["supply"])


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    """An edition fitted on 12 quarters (origin 2022Q4) forecasting 4, and the 16 quarters."""
    gap = tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=50).fit(
        tiny_panel(12))
    store = EditionStore(tmp_path_factory.mktemp("later") / "e.sqlite")
    store.add("e", gap, gap.predict(4, level=[80]))
    return store, tiny_panel(16)


def score(store, actuals):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = score_edition(store, "e", actuals)
    return scores, [w for w in caught if issubclass(w.category, DataQualityWarning)]


def _row(scores, quantity):
    return scores.scored.set_index("quantity").loc[quantity].rename(None).to_dict() | {
        "quantity": quantity}


# ---- revised history -----------------------------------------------------------------------
def test_unchanged_history_reports_no_revision(edition):
    store, later = edition
    scores, caught = score(store, later)
    assert scores.revised.empty
    scored = scores.scored.set_index("quantity")
    # 2 cells x 12 quarters of history, every one compared and none changed
    assert scored["history_compared"].tolist() == [24, 24, 24]
    assert scored["history_revised"].tolist() == [0, 0, 0]
    assert not [w for w in caught if "revise" in str(w.message)]
    assert not any("revise" in note for note in _score_notes(scores))


def test_a_revised_history_is_listed_counted_and_warned(edition):
    store, later = edition
    revised = later.copy()
    hit = (revised["industry"] == "a") & revised["period"].isin(
        pd.PeriodIndex(["2022Q3", "2022Q4"], freq="Q"))
    stored = revised.loc[hit, "demand"].to_numpy()
    revised.loc[hit, "demand"] += [2.0, 6.0]
    revised["gap"] = revised["demand"] - revised["supply"]
    scores, caught = score(store, revised)
    demand = scores.revised[scores.revised["quantity"] == "demand"]
    # largest change first, with the stored and the later value
    assert demand["period"].astype(str).tolist() == ["2022Q4", "2022Q3"]
    assert demand["change"].tolist() == pytest.approx([6.0, 2.0])
    assert demand["stored"].tolist() == pytest.approx(stored[::-1])
    assert demand["relative_change"].tolist() == pytest.approx(
        [6.0 / stored[1], 2.0 / stored[0]])
    scored = scores.scored.set_index("quantity")
    assert scored["history_revised"].tolist() == [2, 2, 0]  # gap, demand, supply
    messages = [str(w.message) for w in caught if "revise the history" in str(w.message)]
    assert len(messages) == 1
    assert "demand 2 of 24 cell-periods" in messages[0]
    assert "North/a 2022Q4 demand" in messages[0]
    note = next(n for n in _score_notes(scores) if "revise the history" in n)
    assert "demand 2 of 24 cell-periods (2022Q3–2022Q4)" in note
    assert "North/a 2022Q4" in note
    # the revision does not change what is scored: periods after the origin only
    assert scores.points["period"].min() == pd.Period("2023Q1", "Q")
    html = score_report(scores).to_html()
    assert "History revised by the later data" in html
    assert "revise the history" in html


# ---- cells not in the edition, cells gone ---------------------------------------------------
def test_a_cell_not_in_the_edition_is_named(edition):
    store, later = edition
    new = later[later["industry"] == "a"].assign(industry="drones")
    scores, _ = score(store, pd.concat([later, new], ignore_index=True))
    other = scores.other_cells
    assert other[["region", "industry", "reason"]].values.tolist() == [
        ["North", "drones", "not in the edition"]]
    # only the periods the edition forecast count
    assert other["n_periods"].tolist() == [4]
    assert str(other["first_period"].iloc[0]) == "2023Q1"
    assert any("not in the edition" in n and "North/drones" in n for n in _score_notes(scores))
    # the scores themselves are unchanged
    assert scores.scored["n_points"].tolist() == [8, 8, 8]


def test_a_cell_gone_from_the_later_data_gets_its_own_reason(edition):
    store, later = edition
    after = later["period"] > pd.Period("2022Q4", "Q")
    gone = later.copy()
    gone.loc[after & (gone["industry"] == "b"), ["demand", "gap"]] = np.nan   # rows kept
    scores, _ = score(store, gone)
    scored = scores.scored.set_index("quantity")
    assert scored.loc["demand", "cell_missing"] == 4
    assert scored.loc["demand", "actual_missing"] == 0
    assert scored.loc["supply", "cell_missing"] == 0
    assert (scored["n_not_scored"] == scored[["cell_missing", "not_in_actuals",
                                              "actual_missing", "forecast_missing"]].sum(
        axis=1)).all()
    assert scores.other_cells[["industry", "reason", "quantities"]].values.tolist() == [
        ["b", "no later value", "gap demand"]]
    words = _scored_words(_row(scores, "demand"), scores.other_cells)
    assert "4 in cells without any later value (gone from the later data: North/b)" in words
    assert "lead time" not in words
    # rows dropped altogether: the same reason, not "not in the later data"
    dropped, _ = score(store, later[~(after & (later["industry"] == "b"))])
    scored = dropped.scored.set_index("quantity")
    assert scored["cell_missing"].tolist() == [4, 4, 4]
    assert scored["not_in_actuals"].tolist() == [0, 0, 0]


def test_a_value_missing_in_one_period_says_so_per_quantity(edition):
    store, later = edition
    hole = later.copy()
    at = (hole["period"] == pd.Period("2023Q2", "Q")) & (hole["industry"] == "a")
    hole.loc[at, ["supply", "gap"]] = np.nan
    scores, _ = score(store, hole)
    words = _scored_words(_row(scores, "supply"), scores.other_cells)
    assert words.endswith("1 not scored: 1 without a later value in that period (no training "
                          "row reaches that period)")
    assert "lead time" not in words
    assert scores.other_cells.empty
