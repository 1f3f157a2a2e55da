"""Where the sample paths are centred: on the inner forecasts, at the pool's median."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.models import GapForecaster
from talentgap.models.baselines import Drift, Naive

HORIZON = 4


def cells(demand: np.ndarray, supply: np.ndarray) -> pd.DataFrame:
    """A panel with one cell per row of the (cells, quarters) arrays, in one region."""
    n_cells, n_periods = demand.shape
    return pd.DataFrame({
        "region": "r",
        "industry": np.repeat([f"i{i:02d}" for i in range(n_cells)], n_periods),
        "period": np.tile(pd.period_range("2019Q1", periods=n_periods, freq="Q"), n_cells),
        "demand": demand.ravel(), "supply": supply.ravel()})


def inner_means(gap: GapForecaster, side: str) -> np.ndarray:
    model = gap.demand_model_ if side == "demand" else gap.supply_model_
    return model.predict(HORIZON)["mean"].to_numpy().reshape(-1, HORIZON)


def test_half_the_paths_lie_above_the_point_forecasts():
    rng = np.random.default_rng(0)
    demand = 500 + np.cumsum(rng.normal(2.5, 10.0, (30, 24)), axis=1)  # growth, undershot
    supply = 400 + np.cumsum(rng.normal(0.0, 8.0, (30, 24)), axis=1)
    gap = GapForecaster(forecaster=Naive(), n_samples=4000, sampling_se=None).fit(
        cells(demand, supply))
    paths = gap.sample_paths(HORIZON)
    for side, values in (("demand", paths.demand), ("supply", paths.supply)):
        centre = inner_means(gap, side)
        above = (values.astype(np.float64) > centre[:, :, None]).mean(axis=2)
        assert np.abs(above - 0.5).max() < 0.03      # the drawn pairs' median, per step
    # the backtests' bias (the undershot growth) is not added to the forecasts: with errors
    # about symmetric around their median, the paths' mean is the point forecast too
    out = gap.predict(HORIZON, level=[80])
    shift = out["demand"].to_numpy() - inner_means(gap, "demand").ravel()
    width = (out["demand_hi_80"] - out["demand_lo_80"]).to_numpy()
    assert (np.abs(shift) < 0.05 * width).all()


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_one_broken_series_does_not_move_the_other_cells_paths():
    n_periods = 16
    rng = np.random.default_rng(3)
    demand = 100 + rng.normal(0, 2.0, (12, n_periods))
    supply = 80 + rng.normal(0, 2.0, (12, n_periods))
    supply[0, -4:] = [70.0, 50.0, 30.0, 10.0]        # a programme closing: a break
    gap = GapForecaster(forecaster=Drift(), n_samples=2000, sampling_se=None).fit(
        cells(demand, supply))
    values = gap.sample_paths(HORIZON).supply.astype(np.float64)
    median = np.median(values, axis=2)
    centre = inner_means(gap, "supply")
    spread = np.quantile(values, 0.9, axis=2) - np.quantile(values, 0.1, axis=2)
    # the broken cell's huge backtest errors are in the pool every cell draws from, yet the
    # others' paths stay centred on their forecasts (a mean-centred pool moved them by the
    # outliers' pull)
    assert (np.abs(median - centre)[1:] < 0.1 * spread[1:]).all()
    # and the closing programme's paths stay around its falling forecast, not far above it
    assert np.abs(median[0] - centre[0]).max() < 0.2 * spread[0].max()


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_a_gross_data_error_hardly_moves_the_other_cells_expected_gaps():
    rng = np.random.default_rng(5)
    demand = 300 + np.cumsum(rng.normal(0, 10.0, (30, 20)), axis=1)
    supply = 250 + np.cumsum(rng.normal(0, 8.0, (30, 20)), axis=1)
    clean = GapForecaster(n_samples=2000, random_state=0).fit(
        cells(demand, supply)).predict(HORIZON, level=[80])
    demand[0, -1] *= 50                               # a unit error in one cell's last survey
    wrong = GapForecaster(n_samples=2000, random_state=0).fit(
        cells(demand, supply)).predict(HORIZON, level=[80])
    others = (clean["industry"] != "i00").to_numpy()
    width = (clean["gap_hi_80"] - clean["gap_lo_80"]).to_numpy()[others]
    moved = np.abs(wrong["gap"] - clean["gap"]).to_numpy()[others] / width
    # its backtest error is hundreds of typical errors; fenced in, it moves the others little
    assert moved.max() < 0.1
