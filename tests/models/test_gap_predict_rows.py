"""GapForecaster.predict_rows and prepare: the numbers of predict for cells given by position."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import NotFittedError, ParameterError
from talentgap.models.gap import GapForecaster

KEYS = ["region", "industry"]


@pytest.fixture(scope="module")
def gap():
    data = tg.datasets.make_synthetic(n_regions=2, industries=3, n_periods=14, seed=4)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    return GapForecaster(forecaster=tg.models.Drift(), n_samples=150).fit(panel)


@pytest.mark.parametrize("level", [[80], [50, 90], None])
def test_predict_rows_are_predicts_numbers_for_the_cells_asked(gap, level):
    rows = [4, 0, 4, 5]  # out of order, with a repeat
    columns = gap.predict_rows(3, level, rows=rows)
    cells = gap.cells_[KEYS].iloc[rows].reset_index(drop=True)
    expected = gap.predict(3, level, cells=cells)
    assert list(columns) == list(expected.columns[len(KEYS) + 1:])
    for name, values in columns.items():
        assert len(values) == len(rows) * 3
        np.testing.assert_array_equal(values, expected[name].to_numpy(), err_msg=name)


def test_predict_rows_default_is_every_cell_as_predict(gap):
    columns = gap.predict_rows(2, [80])
    full = gap.predict(2, [80])
    pd.testing.assert_frame_equal(pd.DataFrame(columns),
                                  full.drop(columns=[*KEYS, "period"]))


@pytest.mark.parametrize("rows, match", [
    ([0, 6], r"1 positions outside cells_ \(0\.\.5\), e\.g\. \[6\]"),
    ([-1], r"outside cells_"),
    ([[0, 1]], r"1-D sequence of integer positions"),
    ([0.0, 1.0], r"integer positions"),
])
def test_predict_rows_refuses_positions_not_in_cells(gap, rows, match):
    with pytest.raises(ParameterError, match=match):
        gap.predict_rows(2, [80], rows=rows)


def test_prepare_keeps_the_simulation_of_the_last_horizon_only(gap):
    gap.prepare(5)
    assert gap.prepared(5) and not gap.prepared(3)
    gap.predict_rows(3, [80], rows=[1])
    assert gap.prepared(3) and not gap.prepared(5)


def test_unfitted_model_names_the_call(gap):
    fresh = GapForecaster()
    with pytest.raises(NotFittedError, match=r"before predict_rows\(\)"):
        fresh.predict_rows(2, rows=[0])
    with pytest.raises(NotFittedError, match=r"before prepare\(\)"):
        fresh.prepare(2)
    assert not fresh.prepared(2)
