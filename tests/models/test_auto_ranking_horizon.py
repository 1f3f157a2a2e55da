"""AutoForecaster ranks each candidate on backtests of the model it issues.

Two things made the ranking measure other models than the ones forecasting on
short seasonal series: origins too short for a seasonal form (40 months with
24-step backtests leave origins of 12-16 months), and searches that choose
differently at a short origin than on the whole series (Theta's seasonality
test found no season at origins of 32-36 months of a 48-month series but did on
all 48).
"""

import warnings

import numpy as np
import pandas as pd

import talentgap as tg
from talentgap.errors import DataQualityWarning
from talentgap.models.auto import ranking_horizons
from talentgap.models.base import backtest_actuals


def _monthly(n: int, horizon: int = 12, series: int = 60, seed: int = 1):
    """Growing monthly series with a sine season of 30%: history table and future values."""
    rng = np.random.default_rng(seed)
    rows, future = [], []
    for i in range(series):
        t = np.arange(n + horizon)
        level = rng.uniform(20, 300)
        y = (level * (1 + 0.01 * t) * (1 + 0.3 * np.sin(2 * np.pi * (t + rng.integers(12)) / 12))
             + rng.normal(0, level * 0.05, n + horizon))
        y = np.maximum(np.round(y), 0)
        rows.append(pd.DataFrame({"id": f"s{i:03d}", "value": y[:n],
                                  "period": pd.period_range("2021-01", periods=n, freq="M")}))
        future.append(y[n:])
    return pd.concat(rows, ignore_index=True), np.array(future)


def _scores(model, df, future):
    """Mean MASE (seasonal-difference scale) and 80% coverage of the forecast."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        out = model.fit(df, keys=["id"]).predict(future.shape[1], level=[80])
    out = out.sort_values(["id", "period"])
    values = df.sort_values(["id", "period"])["value"].to_numpy().reshape(future.shape[0], -1)
    scale = np.mean(np.abs(values[:, 12:] - values[:, :-12]), axis=1)
    mean = out["mean"].to_numpy().reshape(future.shape)
    lo, hi = (out[c].to_numpy().reshape(future.shape) for c in ("lo_80", "hi_80"))
    mase = float(np.mean(np.mean(np.abs(future - mean), axis=1) / scale))
    return mase, float(((future >= lo) & (future <= hi)).mean())


def test_ranking_horizons_keep_two_seasons_at_every_origin():
    n = np.array([20, 24, 25, 28, 40, 44, 48, 52, 53, 60, 100])
    out = ranking_horizons(n, 24, 12, 5)
    # earliest origin keeps n - h - 4 observations; 2 m = 24 needed
    assert out.tolist() == [24, 24, 1, 1, 12, 12, 12, 24, 24, 24, 24]
    usable = out < 24
    assert np.all(n[usable] - out[usable] - 4 >= 24) or np.all(out[usable] <= 12)
    # only the halvings of the selection horizon are used
    assert set(ranking_horizons(np.arange(10, 80), 18, 12, 5).tolist()) <= {18, 9, 4, 2, 1}
    # nonseasonal data rank every series at the selection horizon
    assert ranking_horizons(n, 6, 1, 5).tolist() == [6] * n.size


def test_short_seasonal_series_are_ranked_on_shorter_backtests():
    df, _ = _monthly(40, series=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        fc = tg.models.AutoForecaster(season_length=12).fit(df, keys=["id"])
    assert fc.ranking_horizon_.tolist() == [12] * 8
    assert fc.fitted_summary_["ranking_horizon"].tolist() == [12] * 8
    long, _ = _monthly(60, series=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        fc = tg.models.AutoForecaster(season_length=12).fit(long, keys=["id"])
    assert fc.ranking_horizon_.tolist() == [24] * 3


def test_candidates_are_ranked_on_the_backtests_of_the_model_they_issue():
    df, _ = _monthly(48, series=12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        fc = tg.models.AutoForecaster(season_length=12).fit(df, keys=["id"])
    horizon = 12
    errors = fc._backtest_errors(horizon)
    actual, observed = backtest_actuals(fc.arrays_, horizon, 5)
    theta = fc.candidates_["theta"]
    searched = theta.cv_forecasts(horizon)
    issued = theta._calibration_forecasts(horizon, searched)
    column = list(fc.candidates_).index("theta")
    expected = np.where(observed, np.abs(actual - issued), np.nan)
    np.testing.assert_allclose(errors[..., column], expected)
    # the whole-series seasonal adjustment differs from the searched one somewhere
    assert not np.allclose(np.nan_to_num(issued), np.nan_to_num(searched))


def test_seasonal_monthly_series_of_four_years_are_forecast_as_seasonal():
    df, future = _monthly(48, series=60)
    auto = _scores(tg.models.AutoForecaster(season_length=12), df, future)
    snaive = _scores(tg.models.SeasonalNaive(season_length=12), df, future)
    # ranked on 24-month backtests of origins too short for any season, the combination
    # was worse than the seasonal naive forecast (MASE 1.02 vs 0.99, 80% coverage 0.48)
    assert auto[0] < 0.8 * snaive[0]
    assert 0.72 <= auto[1] <= 0.90
