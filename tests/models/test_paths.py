"""SamplePaths: compact cells x periods x samples arrays and their long table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import ParameterError
from talentgap.models import SamplePaths
from talentgap.models.gap import GapForecaster


def small_paths() -> SamplePaths:
    rng = np.random.default_rng(0)
    demand = rng.gamma(4.0, 10.0, (3, 2, 5)).astype(np.float32)
    supply = rng.gamma(4.0, 8.0, (3, 2, 5)).astype(np.float32)
    demand[2] = np.nan  # a cell without demand data
    return SamplePaths(
        cells=pd.DataFrame({"region": ["N", "N", "S"], "industry": ["b", "a", "c"]}),
        periods=pd.period_range("2026Q1", periods=2, freq="Q"), demand=demand,
        supply=supply)


@pytest.fixture(scope="module")
def gap() -> GapForecaster:
    data = tg.datasets.make_synthetic(n_regions=2, industries=3, n_periods=16, seed=1)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    return GapForecaster(forecaster=tg.models.Drift(), n_samples=60).fit(panel)


def test_to_frame_is_the_long_table_in_cell_period_sample_order():
    paths = small_paths()
    frame = paths.to_frame()
    assert list(frame.columns) == ["region", "industry", "period", "sample", "demand",
                                   "supply", "gap"]
    assert len(frame) == len(paths) == 3 * 2 * 5
    assert frame["period"].dtype == pd.PeriodDtype("Q")
    assert frame["sample"].dtype == np.int64
    assert (frame[["demand", "supply", "gap"]].dtypes == np.float64).all()
    # row (cell 1, period 2026Q2, sample 3)
    row = frame.iloc[1 * 10 + 1 * 5 + 3]
    assert (row["industry"], str(row["period"]), row["sample"]) == ("a", "2026Q2", 3)
    assert row["demand"] == float(paths.demand[1, 1, 3])
    np.testing.assert_array_equal(frame["gap"], frame["demand"] - frame["supply"])
    assert frame.loc[frame["industry"] == "c", "gap"].isna().all()


def test_gap_is_computed_for_the_selected_cell_periods_only():
    paths = small_paths()
    whole = paths.gap()
    assert whole.shape == (3, 2, 5) and whole.dtype == np.float64
    picked = paths.gap(cells=[1, 0], steps=[1, 0])
    np.testing.assert_array_equal(picked, whole[[1, 0], [1, 0]])
    np.testing.assert_array_equal(paths.gap(steps=np.ones(3, dtype=int)), whole[:, 1])
    np.testing.assert_array_equal(paths.values("supply", cells=[2]), paths.supply[[2]])
    with pytest.raises(ParameterError,
                       match=r"name == 'cost', must be one of \['demand', 'supply', 'gap'\]"):
        paths.values("cost")


def test_shapes_are_checked_and_repr_is_short():
    paths = small_paths()
    assert repr(paths) == ("SamplePaths(3 cells x 2 periods x 5 samples, keys ['region', "
                           "'industry'], 2026Q1..2026Q2)")
    assert paths.nbytes == 2 * 3 * 2 * 5 * 4
    with pytest.raises(ParameterError, match=r"demand must be an array of shape \(n_cells, "
                       r"n_periods, n_samples\) = \(3, 1, 'n_samples'\).*got shape \(3, 2, 5\)"):
        SamplePaths(cells=paths.cells, periods=paths.periods[:1], demand=paths.demand,
                    supply=paths.supply)
    with pytest.raises(ParameterError, match=r"supply must be an array .*got shape \(3, 2\)"):
        SamplePaths(cells=paths.cells, periods=paths.periods, demand=paths.demand,
                    supply=paths.supply[:, :, 0])
    with pytest.raises(ParameterError, match="supply must be an array .*got no array"):
        SamplePaths(cells=paths.cells, periods=paths.periods, demand=paths.demand,
                    supply=None)
    with pytest.raises(ParameterError, match=r"same shape .*demand \(3, 2, 5\) and supply "
                                             r"\(3, 2, 4\)"):
        SamplePaths(cells=paths.cells, periods=paths.periods, demand=paths.demand,
                    supply=paths.supply[:, :, :4])


def test_model_paths_are_float32_and_match_predict(gap):
    paths = gap.sample_paths(3)
    assert paths.demand.dtype == paths.supply.dtype == np.float32
    assert paths.demand.shape == (len(gap.cells_), 3, 60)
    pd.testing.assert_frame_equal(paths.cells, gap.cells_.reset_index(drop=True))
    out = gap.predict(3, level=[80])
    np.testing.assert_allclose(out["demand"], paths.demand.mean(axis=2, dtype=np.float64).ravel(),
                               rtol=1e-12)
    share = (paths.gap() > 0).mean(axis=2).ravel()
    np.testing.assert_array_equal(out["p_shortage"], share)
    np.testing.assert_allclose(out["gap_hi_80"], np.quantile(paths.gap(), 0.9, axis=2).ravel(),
                               rtol=1e-5, atol=1e-4)
