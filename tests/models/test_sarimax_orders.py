"""SARIMAX differencing chosen from the data, explicit orders, and its backtests."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.tsa.statespace.sarimax as sm_sarimax
from statsmodels.tsa.seasonal import STL
from statsmodels.tsa.stattools import kpss

from talentgap.models import sarimax as sarimax_module
from talentgap.models._sarimax_orders import (
    differencing_orders,
    kpss_differences,
    regression_residuals,
    seasonal_strength,
)
from talentgap.models.sarimax import SARIMAX

PERIODS = pd.period_range("2010Q1", periods=60, freq="Q")
SEASON = np.array([0.0, 6.0, 3.0, -9.0])


def ar1(n_series: int, n_periods: int, phi: float = 0.3, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    e = rng.normal(0, 1, (n_series, n_periods))
    y = np.zeros_like(e)
    for t in range(1, n_periods):  # a loop over time steps, vectorised over series
        y[:, t] = phi * y[:, t - 1] + e[:, t]
    return 50 + y


def walks(n_series: int, n_periods: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 50 + np.cumsum(rng.normal(0, 1, (n_series, n_periods)), axis=1)


def table(values: np.ndarray) -> pd.DataFrame:
    n_series, n_periods = values.shape
    return pd.DataFrame({"id": np.repeat([f"s{i}" for i in range(n_series)], n_periods),
                         "period": np.tile(PERIODS[:n_periods], n_series),
                         "value": values.ravel()})


def orders(fc: SARIMAX) -> tuple[list[int], list[int]]:
    """Per series: d of ``order`` and D of ``seasonal_order`` from the fitted summary."""
    split = [tuple(int(v) for v in o.strip("()").split(","))
             for o in fc.fitted_summary_["order"]]
    seasonal = [tuple(int(v) for v in o.strip("()").split(","))
                for o in fc.fitted_summary_["seasonal_order"]]
    return [o[1] for o in split], [s[1] for s in seasonal]


# ---- the tests on 50 series -------------------------------------------------------------------
def test_stationary_series_are_not_differenced():
    d = [kpss_differences(row) for row in ar1(50, 40)]
    assert sum(d) <= 5  # 5% level: about 2 of 50 expected


def test_most_random_walks_are_differenced():
    d = [kpss_differences(row) for row in walks(50, 40)]
    assert sum(d) > 25  # measured power at 40 observations: about 65%


def test_strongly_seasonal_series_are_seasonally_differenced():
    seasonal = walks(50, 40, seed=2) + SEASON[np.arange(40) % 4]
    assert all(differencing_orders(row, None, 4, seasonal=True)[1] == 1 for row in seasonal)
    plain = ar1(50, 40, seed=3)
    assert sum(differencing_orders(row, None, 4, seasonal=True)[1] for row in plain) <= 2


def test_kpss_decision_is_statsmodels_kpss_with_the_short_lag_rule():
    rng = np.random.default_rng(7)
    for y in (rng.normal(0, 1, 30), np.cumsum(rng.normal(0.5, 1, 30)), walks(1, 45)[0]):
        lags = int(4 * (y.size / 100) ** 0.25)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rejects = kpss(y, regression="c", nlags=lags)[1] < 0.05
        assert kpss_differences(y) == int(rejects)
    assert kpss_differences(np.arange(7.0)) == 0  # too short to test
    assert kpss_differences(np.full(30, 3.0)) == 0  # constant


def test_seasonal_strength_by_hand_from_stl():
    y = walks(1, 32, seed=4)[0] + SEASON[np.arange(32) % 4]
    parts = STL(y, period=4).fit()
    expected = 1 - np.var(parts.resid) / np.var(parts.seasonal + parts.resid)
    assert seasonal_strength(y, 4) == pytest.approx(expected, rel=1e-12)
    assert seasonal_strength(y[:7], 4) == 0.0  # fewer than two seasons
    assert seasonal_strength(y, 1) == 0.0


def test_tests_look_at_the_regression_residuals():
    # y follows a random-walk regressor exactly (plus white noise): y itself wanders,
    # its residuals on x do not, so no difference is needed
    rng = np.random.default_rng(5)
    x = np.cumsum(rng.normal(0, 1, (20, 48)), axis=1)
    y = 10 + 4 * x + rng.normal(0, 1, x.shape)
    assert sum(kpss_differences(row) for row in y) > 10
    assert sum(differencing_orders(row, xi[:, None], 4, seasonal=True)[0]
               for row, xi in zip(y, x, strict=True)) <= 3
    design = np.column_stack([np.ones(48), x[0]])
    beta = np.linalg.lstsq(design, y[0], rcond=None)[0]
    np.testing.assert_allclose(regression_residuals(y[0], x[0][:, None]),
                               y[0] - design @ beta, atol=1e-10)


# ---- SARIMAX uses them -------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_sarimax_orders_follow_the_data_and_explicit_orders_override():
    stationary = ar1(2, 40, seed=8)
    seasonal = walks(2, 40, seed=9) + 3 * SEASON[np.arange(40) % 4]
    fc = SARIMAX(n_windows=1).fit(table(np.vstack([stationary, seasonal])), keys=["id"])
    d, big_d = orders(fc)
    assert d[:2] == [0, 0] and big_d[:2] == [0, 0]
    assert big_d[2:] == [1, 1]
    # d = D = 0: a constant, so the forecasts stay near the level of 50
    assert fc.predict(4)["mean"].iloc[:8].between(47, 53).all()
    explicit = SARIMAX(order=(0, 1, 1), seasonal_order=(0, 1, 1, 4), auto=False,
                       n_windows=1).fit(table(stationary), keys=["id"])
    assert explicit.fitted_summary_["order"].tolist() == ["(0, 1, 1)"] * 2
    assert explicit.fitted_summary_["seasonal_order"].tolist() == ["(0, 1, 1, 4)"] * 2
    searched = SARIMAX(order=(0, 1, 0), n_windows=1).fit(table(stationary), keys=["id"])
    assert orders(searched)[0] == [1, 1]  # the given d, with (p, q) searched


def test_backtests_refit_the_chosen_specification():
    # each origin refits the specification chosen on the whole series: the same forecasts
    # as statsmodels fitting that specification to the history before the origin
    y = walks(1, 36, seed=11) + 2 * SEASON[np.arange(36) % 4]
    fc = SARIMAX(order=(1, 1, 0), seasonal_order=(0, 1, 1, 4), auto=False, n_windows=2,
                 nonnegative=False).fit(table(y), keys=["id"])
    cv = fc.cv_forecasts(4)
    for k in range(2):
        history = y[0, :36 - 4 - k]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = sm_sarimax.SARIMAX(history, order=(1, 1, 0),
                                        seasonal_order=(0, 1, 1, 4)).fit(disp=False)
        np.testing.assert_allclose(cv[0, k], result.forecast(4), atol=0.05)


def test_backtest_origins_choose_d_without_the_periods_they_forecast(monkeypatch):
    # stationary for 34 quarters, then a steep trend over the last 6: on the whole series
    # the KPSS test differences (d = 1); on the history before each 6-step origin it does
    # not, so each origin refits (1, 0, 1) with a constant, not the fitted (1, 1, 1)
    rng = np.random.default_rng(0)
    y = 50 + rng.normal(0, 1, 40)
    y[-6:] += 4 * np.arange(1, 7)
    fc = SARIMAX(auto=False, n_windows=2, nonnegative=False).fit(table(y[None]), keys=["id"])
    assert fc.fitted_summary_["order"].tolist() == ["(1, 1, 1)"]
    refits = []
    fit_one = sarimax_module._fit_one

    def spy(endog, exog, order, seasonal_order, trend, **options):
        refits.append((endog.size, order, seasonal_order, trend))
        return fit_one(endog, exog, order, seasonal_order, trend, **options)

    monkeypatch.setattr(sarimax_module, "_fit_one", spy)
    cv = fc.cv_forecasts(6)
    assert refits == [(34, (1, 0, 1), (0, 0, 0, 0), "c"), (33, (1, 0, 1), (0, 0, 0, 0), "c")]
    for k in range(2):
        history = y[:40 - 6 - k]
        assert differencing_orders(history, None, 4, seasonal=True) == (0, 0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            chosen = sm_sarimax.SARIMAX(history, order=(1, 0, 1), trend="c").fit(disp=False)
        np.testing.assert_allclose(cv[0, k], chosen.forecast(6), atol=0.05)
