"""The gap model's predict-time backtests and paths: no work done twice, same numbers."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import talentgap as tg
from talentgap.models._gap_paths import path_blocks


@pytest.fixture(scope="module")
def fitted():
    data = tg.datasets.make_synthetic(n_regions=3, industries=6, n_periods=18, seed=3)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tg.models.GapForecaster(n_samples=200).fit(panel)


@pytest.mark.parametrize("horizon", [3, 4, 6])
def test_shorter_backtests_equal_each_candidates_own(fitted, horizon):
    """Origins shared with the fit's 8-step backtests, and the damped ETS's forms taken
    from the ETS candidate's fits, give what each candidate's own backtest gives."""
    auto = fitted.demand_model_
    assert 8 in auto._candidate_cv            # the fit's selection horizon
    reused = auto._candidate_forecasts(horizon)
    for name, model in auto.candidates_.items():
        own = clone(model).fit_arrays(auto.arrays_, target="demand", time="period",
                                      keys=["region", "industry"]).cv_forecasts(horizon)
        assert reused[name].shape == own.shape == (auto.arrays_.n_series, 5, horizon)
        assert np.array_equal(np.isnan(reused[name]), np.isnan(own)), name
        assert np.nanmax(np.abs(reused[name] - own)) <= 1e-9 * max(1.0, np.nanmax(np.abs(own)))


def test_paths_written_in_place_equal_the_blocks(fitted):
    sim = fitted._simulation(3)
    n, samples = sim["draws"].shape
    demand = np.empty((n, 3, samples), dtype=np.float32)
    supply = np.empty_like(demand)
    blocks = list(path_blocks(sim))
    for _ in path_blocks(sim, out=(demand, supply)):
        pass
    assert np.array_equal(np.concatenate([d for _, d, _ in blocks]), demand, equal_nan=True)
    assert np.array_equal(np.concatenate([s for _, _, s in blocks]), supply, equal_nan=True)
    assert demand.dtype == np.float32 and np.nanmin(demand) >= 0
    # a subset of cells gives the same paths as the whole
    rows = np.array([n - 1, 0])
    (_, d, s), = path_blocks(sim, rows)
    assert np.array_equal(d, demand[rows], equal_nan=True)
    with pytest.raises(ValueError, match="every cell"):
        next(path_blocks(sim, rows, out=(demand, supply)))


def test_sample_paths_agree_with_predict(fitted):
    out = fitted.predict(3, level=[80])
    paths = fitted.sample_paths(3)
    mean = paths.demand.mean(axis=2, dtype=np.float64).ravel()
    assert np.allclose(out["demand"].to_numpy(), mean, rtol=1e-6, equal_nan=True)
    gap = paths.gap()
    share = (gap > 0).mean(axis=2).ravel()
    assert np.allclose(out["p_shortage"].to_numpy(), share, equal_nan=True)


def test_blocks_in_threads_give_the_same_forecast(fitted, monkeypatch):
    import talentgap.models._gap_paths as gap_paths

    serial = fitted.predict(3, level=[80, 95])
    paths = fitted.sample_paths(3)
    monkeypatch.setattr(gap_paths, "_BLOCK_VALUES", 3 * 200 * 2)   # 2 cells a block
    monkeypatch.setattr(fitted, "_threads", lambda: 3)
    threaded = fitted.predict(3, level=[80, 95])
    pd.testing.assert_frame_equal(serial, threaded)
    again = fitted.sample_paths(3)
    assert np.array_equal(paths.demand, again.demand, equal_nan=True)
    assert np.array_equal(paths.supply, again.supply, equal_nan=True)
