"""``build_panel(design=...)`` carries ``take_all`` and the ``*_df`` columns.

So :func:`shrink` and :func:`confidence_interval` give the same answers on the
panel as on the :func:`estimate_cells` output.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from talentgap.datasets import make_synthetic
from talentgap.errors import DataQualityWarning
from talentgap.features import build_panel, confidence_interval, estimate_cells, shrink

KEYS = ["region", "industry", "period"]
DESIGN_COLUMNS = ["take_all", "demand_df", "shortage_rate_df", "vacancy_rate_df",
                  "ssv_density_df"]


@pytest.fixture(scope="module")
def synthetic():
    return make_synthetic(n_regions=3, n_periods=2, enterprises_per_cell=40, design=True,
                          seed=1)


@pytest.fixture(scope="module")
def cells(synthetic):
    return estimate_cells(synthetic.surveys, design=synthetic.design)


@pytest.fixture(scope="module")
def panel(synthetic):
    return build_panel(synthetic.surveys, synthetic.training, design=synthetic.design)


def _on_cells(frame: pd.DataFrame, index: pd.MultiIndex) -> pd.DataFrame:
    """``frame`` indexed by cell-period (text keys), restricted to ``index``."""
    text = frame.assign(**{k: frame[k].astype(str) for k in KEYS}).set_index(KEYS)
    return text.loc[index]


def _index(cells: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(cells[KEYS].astype(str))


def test_panel_carries_take_all_and_df(cells, panel):
    assert set(DESIGN_COLUMNS) <= set(panel.columns)
    assert panel["take_all"].dtype == bool
    index = _index(cells)
    got = _on_cells(panel, index)
    for name in DESIGN_COLUMNS:
        np.testing.assert_array_equal(got[name].to_numpy(), cells[name].to_numpy())
    assert cells["take_all"].sum() >= 1  # the fixture has census cells
    unsurveyed = panel["n_respondents"] == 0
    assert not panel.loc[unsurveyed, "take_all"].any()
    assert panel.loc[unsurveyed, "demand_df"].isna().all()


def test_panel_without_design_has_no_design_columns(synthetic):
    plain = build_panel(synthetic.surveys, synthetic.training)
    assert not set(DESIGN_COLUMNS) & set(plain.columns)


def test_shrink_keeps_census_cells_on_the_panel(cells, panel):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        on_cells = shrink(cells, target="shortage_rate")
        on_panel = shrink(panel, target="shortage_rate")
    index = _index(cells)
    census = cells["take_all"].to_numpy()
    from_panel = _on_cells(on_panel, index)
    np.testing.assert_array_equal(from_panel["shortage_rate_fh"].to_numpy()[census],
                                  cells["shortage_rate"].to_numpy()[census])
    assert (from_panel["shortage_rate_fh_source"].to_numpy()[census] == "direct").all()
    np.testing.assert_array_equal(from_panel["shortage_rate_fh"].to_numpy()[census],
                                  on_cells["shortage_rate_fh"].to_numpy()[census])


@pytest.mark.parametrize(("column", "method"), [("demand", "auto"), ("demand", "t"),
                                                ("shortage_rate", "auto")])
def test_confidence_interval_on_panel_equals_cells(cells, panel, column, method):
    index = _index(cells)
    expected = confidence_interval(cells, column, method=method).to_numpy()
    got = confidence_interval(panel, column, method=method)
    got = _on_cells(pd.concat([panel[KEYS], got], axis=1), index).to_numpy(dtype=float)
    np.testing.assert_allclose(got, expected, rtol=1e-12, equal_nan=True)
    census = cells["take_all"].to_numpy()
    if column == "demand":  # a census cell keeps [T, T]
        np.testing.assert_array_equal(got[census, 0], cells["demand"].to_numpy()[census])
        np.testing.assert_array_equal(got[census, 1], cells["demand"].to_numpy()[census])


def test_dask_panel_carries_the_same_columns(synthetic, dask_synchronous):
    dd = pytest.importorskip("dask.dataframe")
    local = build_panel(synthetic.surveys, synthetic.training, design=synthetic.design)
    spread = build_panel(dd.from_pandas(synthetic.surveys, npartitions=3, sort=False),
                         synthetic.training, design=synthetic.design)
    assert list(spread.columns) == list(local.columns)
    pd.testing.assert_frame_equal(spread[DESIGN_COLUMNS], local[DESIGN_COLUMNS], rtol=1e-9)
