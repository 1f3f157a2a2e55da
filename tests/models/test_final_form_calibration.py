"""Intervals calibrated on backtests of the model being issued (the final form / adjustment).

Short rolling origins make the automatic searches choose simpler models (ETS: a
level-only form, AICc's small-sample penalty on seasonal states; Theta: no
seasonal adjustment, the test being weak on few seasons). The interval
calibration keeps each series' final choice and refits its parameters instead.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning
from talentgap.models._series import to_arrays


def _seasonal(n: int, horizon: int = 4, series: int = 40, seed: int = 0):
    """Quarterly series: level + a seasonal spike of 5-15 + N(0, 1) noise; history, future."""
    rng = np.random.default_rng(seed)
    rows, future = [], []
    for i in range(series):
        phase, amp, level = rng.integers(0, 4), rng.uniform(5, 15), rng.uniform(80, 120)
        t = np.arange(n + horizon)
        y = level + amp * ((t + phase) % 4 == 0) + rng.normal(0, 1, n + horizon)
        rows.append(pd.DataFrame({"id": f"s{i:03d}", "value": y[:n],
                                  "period": pd.period_range("2015Q1", periods=n, freq="Q")}))
        future.append(y[n:])
    return pd.concat(rows, ignore_index=True), np.array(future)


def _coverage(model, df, future, level=80):
    p = model.fit(df, keys=["id"]).predict(future.shape[1], level=[level])
    p = p.sort_values(["id", "period"])
    lo = p[f"lo_{level}"].to_numpy().reshape(future.shape)
    hi = p[f"hi_{level}"].to_numpy().reshape(future.shape)
    return float(((future >= lo) & (future <= hi)).mean()), float((hi - lo).mean())


def _by_origin(errors):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(np.abs(errors), axis=(0, 2))


def test_ets_calibration_keeps_the_final_form_at_every_origin():
    df, _ = _seasonal(16)
    model = tg.models.ETS().fit(df, keys=["id"])
    assert set(model.fitted_summary_.ets_form) <= {"ANA", "log-ANA"}
    searched = _by_origin(model.cv_errors(4))
    calibration = _by_origin(model._calibration_errors(4))
    # the searched origins of 9-11 observations drop the season: errors triple
    assert searched[2] > 2.5 * searched[0]
    # the final form refitted: flat errors (noise sd 1), and the 8-observation
    # origin (too short for ANA's 9) is dropped
    assert np.all(calibration[:4] < 1.3) and np.isnan(calibration[4])
    assert np.isfinite(searched[4])


def test_ets_interval_coverage_at_16_quarters_is_near_the_level():
    df, future = _seasonal(16, series=80, seed=1)
    coverage, width = _coverage(tg.models.ETS(), df, future)
    assert 0.72 <= coverage <= 0.92      # 1.00 with the searched origins' errors
    assert width < 5.0                   # 12 before; noise sd 1 gives about 2.6


def test_auto_interval_coverage_at_16_quarters_is_near_the_level():
    df, future = _seasonal(16, series=80, seed=2)
    coverage, width = _coverage(tg.models.AutoForecaster(), df, future)
    assert 0.72 <= coverage <= 0.92      # 0.99 before
    assert width < 5.5                   # 8 before


def test_final_form_backtests_from_the_fit_equal_a_refit():
    df, _ = _seasonal(18, series=12)
    arrays = to_arrays(df, target="value", time="period", keys=["id"])
    announced = tg.models.ETS().fit_arrays(arrays, keys=["id"], backtest_horizon=4)
    refitted = tg.models.ETS().fit_arrays(arrays, keys=["id"])
    a, b = announced._calibration_forecasts(4), refitted._calibration_forecasts(4)
    np.testing.assert_allclose(a, b, rtol=1e-9, equal_nan=True)
    # the searched backtests are untouched (they rank AutoForecaster's candidates)
    np.testing.assert_allclose(announced.cv_forecasts(4), refitted.cv_forecasts(4),
                               rtol=1e-9, equal_nan=True)
    assert not np.allclose(a, announced.cv_forecasts(4), equal_nan=True)


def test_ets_warns_when_no_origin_can_fit_the_final_form():
    df, _ = _seasonal(12, series=10)
    model = tg.models.ETS().fit(df, keys=["id"])
    seasonal = model.fitted_summary_.ets_form.str.endswith("A").to_numpy()
    assert seasonal.any()
    with pytest.warns(DataQualityWarning, match="too short at every 4-step backtest origin"):
        errors = model._calibration_errors(4)
    # those series keep the searched backtests rather than none
    np.testing.assert_allclose(errors[seasonal], model.cv_errors(4)[seasonal], rtol=1e-9,
                               equal_nan=True)


def test_theta_calibration_keeps_the_seasonal_adjustment():
    df, _ = _seasonal(16)
    model = tg.models.Theta().fit(df, keys=["id"])
    adjusted = (model.fitted_summary_.seasonal != "none").to_numpy()
    assert adjusted.mean() > 0.8
    searched, kept = model.cv_forecasts(4), model._calibration_forecasts(4)
    assert _by_origin(model._errors_of(kept, 4)[adjusted]).max() < 1.5
    assert _by_origin(model.cv_errors(4)[adjusted]).max() > 2.5
    # series not adjusted at full length keep their searched backtests exactly
    np.testing.assert_array_equal(kept[~adjusted], searched[~adjusted])


def test_auto_ranks_on_final_forms_where_they_fit_and_searched_forms_elsewhere():
    df, _ = _seasonal(16, series=12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        auto = tg.models.AutoForecaster().fit(df, keys=["id"])
    ets = auto.candidates_["ets"]
    column = list(auto.candidates_).index("ets")
    # 16 quarters are ranked on 4-step backtests: origins of 8-12 quarters keep two seasons
    assert auto.ranking_horizon_.tolist() == [4] * 12
    fitted = {}
    for horizon in (8, 4):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)
            final = fitted[horizon] = ets._calibration_forecasts(horizon)
        searched = ets.cv_forecasts(horizon)
        expected = np.abs(auto._errors_of(np.where(np.isnan(final), searched, final), horizon))
        np.testing.assert_allclose(np.abs(auto._backtest_errors(horizon)[..., column]),
                                   expected, equal_nan=True)
    # some origins are too short for the final form: the searched backtests fill in there
    assert 0 < np.isnan(fitted[8]).mean() < 1
    # ... while the intervals use the final forms'
    assert not np.allclose(auto._calibration_errors(4), auto.cv_errors(4), equal_nan=True)
