"""GapForecaster's parts: its methods delegate to the private gap modules without changing results.

The model's public methods are thin: fitting, cell selection, path statistics
and explanations live in ``talentgap.models._gap_*``. These tests pin what the
split must keep: warnings point at the caller's line, every forecast reads the
path statistics through the model's ``_path_statistics`` (a service patches it
per model), and the functions give the methods' numbers.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning, ParameterError
from talentgap.models import _gap_cells, _gap_explain, _gap_statistics
from talentgap.models.baselines import Naive
from talentgap.models.gap import GapForecaster


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    data = tg.datasets.make_synthetic(n_regions=2, industries=3, n_periods=16, seed=2)
    return tg.features.build_panel(data.surveys, data.training, lead_time=1)


@pytest.fixture(scope="module")
def fitted(panel) -> GapForecaster:
    return GapForecaster(forecaster=Naive(), n_samples=120).fit(panel)


def _caught(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [w for w in caught if issubclass(w.category, DataQualityWarning)]


@pytest.mark.parametrize("method", ["predict", "predict_rows"])
def test_small_pool_warning_points_at_the_callers_line(fitted, method):
    caught = _caught(lambda: getattr(fitted, method)(2, level=[99]))  # 30 pairs, 200 needed
    assert len(caught) == 1, [str(w.message) for w in caught]
    assert "backtest error pairs" in str(caught[0].message)
    assert caught[0].filename == __file__


def test_unknown_future_supply_cells_warning_points_at_the_callers_line(panel):
    future = pd.DataFrame({"region": ["nowhere"], "industry": [panel["industry"].iloc[0]],
                           "period": [panel["period"].max() + 1], "supply": [1.0]})
    caught = _caught(lambda: GapForecaster(forecaster=Naive(), n_samples=20).fit(
        panel, future_supply=future))
    assert [w.filename for w in caught] == [__file__]
    assert "'nowhere'" in str(caught[0].message)


def test_every_forecast_reads_the_statistics_through_the_model(panel, monkeypatch):
    model = GapForecaster(forecaster=Naive(), n_samples=50).fit(panel)
    seen = []
    original = model._path_statistics

    def spy(sim, levels, rows=None, **kwargs):
        seen.append(kwargs.get("means_only", False))
        return original(sim, levels, rows, **kwargs)

    monkeypatch.setattr(model, "_path_statistics", spy)
    model.predict(2)
    model.predict_rows(2, rows=[0])
    model.explain(2)
    model.gap_drivers(2)
    assert seen == [False, False, True, True]


def test_statistics_function_gives_the_method_numbers(fitted):
    sim = fitted._simulation(2)
    rows = np.array([4, 1])
    by_method = fitted._path_statistics(sim, [80.0], rows)
    by_function = _gap_statistics.path_statistics(sim, [80.0], rows, threads=1)
    for name in ("demand", "supply", "gap"):
        np.testing.assert_array_equal(by_method[0][name], by_function[0][name])
        np.testing.assert_array_equal(by_method[1][name], by_function[1][name])
    np.testing.assert_array_equal(by_method[2], by_function[2])
    np.testing.assert_array_equal(by_method[3], by_function[3])
    columns = _gap_statistics.row_columns(fitted, sim, [80.0], rows)
    np.testing.assert_array_equal(columns["gap"], fitted.predict_rows(2, rows=rows)["gap"])


def test_explanations_match_the_methods(fitted):
    pd.testing.assert_frame_equal(_gap_explain.explain(fitted, 3), fitted.explain(3))
    pd.testing.assert_frame_equal(_gap_explain.gap_drivers(fitted, 3, None),
                                  fitted.gap_drivers(3))
    pd.testing.assert_frame_equal(_gap_explain.fitted_summary(fitted), fitted.fitted_summary_)
    summary = fitted.fitted_summary_
    reasons = fitted.explain(3)["fallback_reason"].to_numpy(dtype=object)
    assert (reasons == _gap_explain.fallback_text(summary)).all()


def test_cell_selection_errors_name_the_rows(fitted):
    with pytest.raises(ParameterError, match=r"rows has 2 positions outside cells_ \(0\.\.5\)"):
        fitted.predict_rows(1, rows=[0, 6, -1])
    with pytest.raises(ParameterError, match="1-D sequence of integer positions"):
        _gap_cells.check_rows(np.array([0.5]), 6)
    with pytest.raises(ParameterError, match="lacks the key columns \\['industry'\\]"):
        _gap_cells.rows_of(fitted, pd.DataFrame({"region": ["x"]}))
    assert _gap_cells.check_rows(None, 6) is None
