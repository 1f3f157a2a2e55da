"""Which periods and cells an edition's scores cover, and how the actuals' periods are read."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.editions import EditionStore, score_edition
from talentgap.errors import ParameterError, SchemaError
from talentgap.evaluation._terms import naive_scales as _naive_scales


def tiny_panel(n: int, *, freq: str = "Q", start: str = "2020Q1") -> pd.DataFrame:
    """Two cells with known demand and supply (no sampling error column)."""
    periods = pd.period_range(start, periods=n, freq=freq)
    t = np.arange(n, dtype=float)
    rows = [pd.DataFrame({"region": "North", "industry": industry, "period": periods,
                          "demand": 20 + slope * t + (t % 4 == 0) * 3.0,
                          "supply": 5 + (t % 3)})
            for industry, slope in (("a", 1.0), ("b", -0.5))]
    panel = pd.concat(rows, ignore_index=True)
    return panel.assign(gap=panel["demand"] - panel["supply"])


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    """A quarterly edition fitted on 12 quarters (origin 2022Q4), forecasting 4 more."""
    history = tiny_panel(12)
    gap = tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=50).fit(history)
    store = EditionStore(tmp_path_factory.mktemp("periods") / "e.sqlite")
    store.add("e", gap, gap.predict(4, level=[80]))
    return store, tiny_panel(16)


def score(store, actuals, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return score_edition(store, "e", actuals, **options)


# ---- periods of the actuals: the project's one parser, at the edition's frequency -------------
@pytest.mark.parametrize("label", ["2023", 2023, "2023-05", "2023-Q1x"])
def test_labels_of_another_frequency_are_refused_naming_table_column_rows(edition, label):
    store, later = edition
    actuals = later[later["period"] == pd.Period("2023Q1", "Q")].assign(period=label)
    with pytest.raises(SchemaError, match=r"table 'actuals'.*column 'period'") as info:
        score(store, actuals)
    assert info.value.column == "period"
    assert info.value.failure_cases["row"].tolist() == [0, 1]  # both rows named


def test_period_labels_and_dates_are_read_at_the_editions_frequency(edition):
    store, later = edition
    as_periods = score(store, later)
    as_text = score(store, later.assign(period=later["period"].astype(str)))
    as_dates = score(store, later.assign(period=later["period"].dt.end_time.dt.normalize()))
    for other in (as_text, as_dates):
        pd.testing.assert_frame_equal(other.summary, as_periods.summary)
    assert [str(p) for p in as_text.periods] == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]


# ---- what was scored, per quantity --------------------------------------------------------------
def test_each_quantity_says_which_periods_and_cells_it_was_scored_on(edition):
    store, later = edition
    # 2023Q2 missing altogether; demand (so the gap) unknown in 2023Q4 for cell b;
    # supply not yet known in 2023Q1 for both cells
    actuals = later[later["period"] != pd.Period("2023Q2", "Q")].copy()
    hole = (actuals["period"] == pd.Period("2023Q4", "Q")) & (actuals["industry"] == "b")
    actuals.loc[hole, ["demand", "gap"]] = np.nan
    first = actuals["period"] == pd.Period("2023Q1", "Q")
    actuals.loc[first, ["supply", "gap"]] = np.nan
    scores = score(store, actuals)
    scored = scores.scored.set_index("quantity")
    # the edition forecast 2 cells x 4 quarters of each quantity
    assert scored["n_forecast"].tolist() == [8, 8, 8]
    assert scored.loc["demand", ["n_points", "n_periods", "periods"]].tolist() == [
        5, 3, "2023Q1 2023Q3 2023Q4"]
    assert scored.loc["supply", ["n_points", "periods"]].tolist() == [4, "2023Q3 2023Q4"]
    assert scored.loc["gap", ["n_points", "periods"]].tolist() == [3, "2023Q3 2023Q4"]
    assert str(scored.loc["gap", "first_period"]) == "2023Q3"
    # why the rest was not scored: 2 cells of 2023Q2 are not in the actuals
    assert scored["not_in_actuals"].tolist() == [2, 2, 2]
    assert scored.loc["demand", "actual_missing"] == 1
    assert scored.loc["supply", "actual_missing"] == 2
    assert scored.loc["gap", "actual_missing"] == 3
    assert (scored["n_not_scored"] == scored["n_forecast"] - scored["n_points"]).all()
    # every table gives the periods its scores cover
    summary = scores.summary.set_index(["quantity", "method"])
    assert str(summary.loc[("supply", "edition"), "first_period"]) == "2023Q3"
    assert str(summary.loc[("demand", "edition"), "first_period"]) == "2023Q1"
    cells = scores.cells.set_index(["industry", "quantity", "method"])
    assert str(cells.loc[("b", "demand", "edition"), "last_period"]) == "2023Q3"
    assert str(cells.loc[("a", "demand", "edition"), "last_period"]) == "2023Q4"


def test_coverage_counts_only_points_with_an_interval(edition):
    store, later = edition
    scores = score(store, later)
    summary = scores.summary.set_index(["quantity", "method"])
    assert summary.loc[("gap", "edition"), "n_coverage_80"] == 8
    assert summary.loc[("gap", "naive"), "n_coverage_80"] == 0  # no stored intervals
    points = scores.points[(scores.points["quantity"] == "gap")
                           & (scores.points["method"] == "edition")]
    inside = (points["lo_80"] <= points["actual"]) & (points["actual"] <= points["hi_80"])
    assert summary.loc[("gap", "edition"), "coverage_80"] == pytest.approx(inside.mean())


def test_the_naive_rules_direction_is_left_out(edition):
    store, later = edition
    summary = score(store, later).summary.set_index(["quantity", "method"])
    assert np.isnan(summary.loc[("demand", "naive"), "direction"])
    assert np.isfinite(summary.loc[("demand", "seasonal_naive"), "direction"])


def test_a_season_of_one_period_has_no_separate_seasonal_naive(tmp_path):
    history = tiny_panel(10, freq="Y", start="2010")
    gap = tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=50).fit(history)
    store = EditionStore(tmp_path / "y.sqlite")
    store.add("e", gap, gap.predict(2))
    scores = score(store, tiny_panel(12, freq="Y", start="2010"))
    assert set(scores.summary["method"]) == {"edition", "naive"}
    assert [str(p) for p in scores.periods] == ["2020", "2021"]


# ---- season length ------------------------------------------------------------------------------
@pytest.mark.parametrize(("season_length", "match"), [
    (0, r"season_length == 0, must be an integer >= 1"),
    (12, r"season_length == 12, must be below 12, the number of periods in the history"),
    (2.0, r"season_length == 2.0"),
])
def test_season_length_is_checked(edition, season_length, match):
    store, later = edition
    with pytest.raises(ParameterError, match=match):
        score(store, later, season_length=season_length)


def test_mase_scale_by_hand_with_a_given_season_length(edition):
    store, later = edition
    scores = score(store, later, season_length=2)
    history = tiny_panel(12)
    cell = history[history["industry"] == "a"]["demand"].to_numpy()
    expected = np.mean(np.abs(cell[2:] - cell[:-2]))
    points = scores.points[(scores.points["industry"] == "a")
                           & (scores.points["quantity"] == "demand")]
    assert points["scale"].unique().tolist() == pytest.approx([expected])


def test_one_home_of_the_scales_matches_a_hand_computation():
    values = np.array([[1.0, 2.0, 4.0, np.nan, 5.0], [3.0, 3.0, 3.0, 3.0, 3.0]])
    m = 1
    diff = (values[:, m:] - values[:, :-m]).ravel()
    scale_abs, scale_sq = _naive_scales(diff, np.repeat([0, 1], 4), 2)
    # row 0: differences 1, 2 (two pairs touch the NaN); row 1: constant -> NaN
    assert scale_abs[0] == pytest.approx(1.5) and scale_sq[0] == pytest.approx(2.5)
    assert np.isnan(scale_abs[1]) and np.isnan(scale_sq[1])
    assert tg.evaluation.mase([3.0], [4.5], y_train=values[0], season_length=1) == \
        pytest.approx(1.5 / 1.5)
