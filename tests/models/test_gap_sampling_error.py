"""The gap model's paths are for the population: survey sampling error taken out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import ParameterError, SchemaError
from talentgap.models import GapForecaster
from talentgap.models._gap_sampling import (
    MAX_SAMPLING_SHARE,
    recent_sampling_se,
    sampling_error_removal,
)
from talentgap.models.baselines import Naive

HORIZON = 4
SE = 30.0


def surveyed(n_cells: int = 240, n_periods: int = 28, seed: int = 0) -> pd.DataFrame:
    """Random-walk population demand, estimated with sampling error ``SE``; exact supply.

    Columns: region, industry, period, demand (the estimate), demand_se, supply,
    true_demand, true_gap.
    """
    rng = np.random.default_rng(seed)
    truth = 600 + np.cumsum(rng.normal(0, 20, (n_cells, n_periods)), axis=1)
    estimate = truth + rng.normal(0, SE, truth.shape)
    supply = np.full(truth.shape, 100.0)
    return pd.DataFrame({
        "region": np.repeat([f"r{i // 10:02d}" for i in range(n_cells)], n_periods),
        "industry": np.repeat([f"i{i % 10}" for i in range(n_cells)], n_periods),
        "period": np.tile(pd.period_range("2019Q1", periods=n_periods, freq="Q"), n_cells),
        "demand": estimate.ravel(), "demand_se": SE, "supply": supply.ravel(),
        "true_demand": truth.ravel(), "true_gap": (truth - supply).ravel()})


def coverage_of_truth(panel: pd.DataFrame, **params) -> tuple[float, pd.DataFrame]:
    cut = panel["period"].max() - HORIZON
    model = GapForecaster(forecaster=Naive(n_windows=4), n_samples=500, **params)
    out = model.fit(panel[panel["period"] <= cut]).predict(HORIZON, level=[80])
    merged = out.merge(panel[["region", "industry", "period", "true_gap"]],
                       on=["region", "industry", "period"])
    inside = (merged["true_gap"] >= merged["gap_lo_80"]) & (
        merged["true_gap"] <= merged["gap_hi_80"])
    return float(inside.mean()), merged


def test_intervals_cover_the_population_gap_at_their_level():
    panel = surveyed()
    population, _ = coverage_of_truth(panel)
    as_observed, _ = coverage_of_truth(panel, sampling_se=None)
    assert 0.74 <= population <= 0.86
    # intervals for the estimates are wider than the population needs
    assert as_observed >= population + 0.04


def test_paths_keep_their_means_and_shrink_only_their_spread():
    panel = surveyed(n_cells=60)
    _, population = coverage_of_truth(panel)
    _, as_observed = coverage_of_truth(panel, sampling_se=None)
    spread = (as_observed["gap_hi_80"] - as_observed["gap_lo_80"]).to_numpy()
    assert (population["gap_hi_80"] - population["gap_lo_80"] < spread).all()
    # the same draws, moved back onto the same expectation: means agree to a sliver of
    # the spread (the draws' mean differs from the pool's)
    assert np.abs(population["gap"] - as_observed["gap"]).max() < 0.03 * spread.mean()


def test_removal_keeps_at_least_half_of_the_variance():
    pool = np.array([[-2.0, -1.0, 0.0, 1.0, 2.0], [-4.0, -2.0, 0.0, 2.0, 4.0]]) + 0.5
    lag = np.zeros(3, dtype=np.int64)
    scale = np.array([10.0, 10.0, np.nan])
    se = np.array([5.0, 1000.0, 5.0])
    shift, multiplier = sampling_error_removal(pool, lag, scale, se, 2)
    var = pool.var(axis=1)                                        # 2 and 8
    np.testing.assert_allclose(multiplier[0], np.sqrt(1 - 0.25 / var))
    np.testing.assert_allclose(multiplier[1], np.sqrt(1 - MAX_SAMPLING_SHARE))
    np.testing.assert_array_equal(multiplier[2], 1.0)              # no scale: left alone
    # shift + multiplier * scale * mean(pool) == scale * mean(pool): the expectation stays
    np.testing.assert_allclose(shift[:2] + multiplier[:2] * scale[:2, None] * 0.5,
                               np.full((2, 2), 5.0))
    np.testing.assert_array_equal(shift[2], 0.0)


def test_a_cells_standard_error_is_the_rms_of_its_recent_ones():
    se = np.array([[50.0] * 10 + [3.0, np.nan, 4.0], [np.nan] * 13])
    np.testing.assert_allclose(recent_sampling_se(se, 2), [np.sqrt(12.5), 0.0])
    panel = surveyed(n_cells=20, n_periods=24)
    last = panel["period"] == panel["period"].max()
    panel.loc[last & (panel["region"] == "r00") & (panel["industry"] == "i0"), "demand_se"] = 90
    model = GapForecaster(forecaster=Naive(n_windows=2), n_samples=50).fit(panel)
    first = (model.cells_["region"] == "r00") & (model.cells_["industry"] == "i0")
    # 16 recent quarters (four seasons): 15 at 30 and one at 90
    assert model.demand_se_[first.to_numpy()][0] == pytest.approx(np.sqrt((15 * 900 + 8100) / 16))
    np.testing.assert_allclose(model.demand_se_[~first.to_numpy()], SE)


def test_without_the_column_the_paths_are_for_the_series_as_observed():
    panel = surveyed(n_cells=20).drop(columns="demand_se")
    model = GapForecaster(forecaster=Naive(n_windows=2), n_samples=50).fit(panel)
    assert model.demand_se_ is None
    other = panel.assign(se=SE)
    assert GapForecaster(forecaster=Naive(n_windows=2), n_samples=50,
                         sampling_se="se").fit(other).demand_se_[0] == pytest.approx(SE)


def test_a_named_column_that_is_missing_or_negative_is_refused():
    panel = surveyed(n_cells=20, n_periods=12)
    with pytest.raises(SchemaError, match="sampling_se='standard_error' is not a column"):
        GapForecaster(forecaster=Naive(), sampling_se="standard_error").fit(panel)
    panel.loc[5, "demand_se"] = -2.0
    with pytest.raises(SchemaError, match=r"must be >= 0; 1 row fails, e.g. line 7 "
                                          r"\(region=r00, industry=i0, period=2020Q2\): -2.0"):
        GapForecaster(forecaster=Naive()).fit(panel)
    with pytest.raises(ParameterError, match="sampling_se == 3"):
        GapForecaster(sampling_se=3).fit(panel)


def test_the_demo_backtest_judges_like_with_like():
    """On the demo the paths' intervals are for the population gap; compared with the later
    survey estimates after adding each one's sampling error they hold about their level."""
    data = tg.datasets.load_demo(include_truth=True)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1, absorption=0.85)
    result = tg.evaluation.backtest_gap(GapForecaster(n_samples=300), panel, horizon=4,
                                        n_windows=3, level=[80, 95], metrics=["coverage"])
    assert 0.72 <= result.summary.loc["coverage_80", "all"] <= 0.88
    assert 0.90 <= result.summary.loc["coverage_95", "all"] <= 0.99
