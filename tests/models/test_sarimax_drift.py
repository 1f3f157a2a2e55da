"""SARIMAX constant and drift: auto.arima's rule on d + D, and the AICc choice of the search."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.tsa.statespace.sarimax as sm_sarimax
from threadpoolctl import threadpool_limits

from talentgap.errors import ParameterError
from talentgap.models import sarimax as sarimax_module
from talentgap.models.sarimax import SARIMAX

PERIODS = pd.period_range("2010Q1", periods=60, freq="Q")
SEASON = np.array([0.0, 6.0, 3.0, -9.0])


def table(values: np.ndarray) -> pd.DataFrame:
    n_series, n_periods = values.shape
    return pd.DataFrame({"id": np.repeat([f"s{i:02d}" for i in range(n_series)], n_periods),
                         "period": np.tile(PERIODS[:n_periods], n_series),
                         "value": values.ravel()})


def drifting(n_series: int, n_periods: int, slope: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 50 + np.cumsum(slope + rng.normal(0, 1, (n_series, n_periods)), axis=1)


def statsmodels_fit(y, **spec):
    with warnings.catch_warnings(), threadpool_limits(1, user_api="blas"):
        warnings.simplefilter("ignore")
        return sm_sarimax.SARIMAX(y, **spec).fit(disp=False)


def parse(order: str) -> tuple[int, ...]:
    return tuple(int(v) for v in order.strip("()").split(","))


def test_drift_after_one_difference_is_the_mean_change_of_the_levels():
    # ARIMA(0, 1, 0) with drift, by hand: the drift's estimate is the mean of the
    # differences, and the forecasts continue from the last value by that much per period
    y = drifting(1, 40, slope=0.8, seed=3)
    fc = SARIMAX(order=(0, 1, 0), seasonal_order=(0, 0, 0, 0), auto=False, trend="c",
                 nonnegative=False).fit(table(y), keys=["id"])
    mean_change = np.diff(y[0]).mean()
    expected = y[0, -1] + mean_change * np.arange(1, 9)
    np.testing.assert_allclose(fc.predict(8)["mean"], expected, atol=1e-3)
    assert abs(mean_change - 0.8) < 0.35  # the known slope, within two standard errors


def test_the_term_follows_d_plus_big_d_without_a_search():
    rng = np.random.default_rng(4)
    walk = drifting(1, 40, slope=1.0, seed=5)[0]                      # d = 1, D = 0
    stationary = 50 + rng.normal(0, 1, 40)                            # d = D = 0
    seasonal_walk = 50 + np.cumsum(np.cumsum(rng.normal(0, 1, 40))) / 5 + 3 * SEASON[
        np.arange(40) % 4]                                            # d = 1, D = 1
    fc = SARIMAX(auto=False, n_windows=1).fit(table(np.vstack([walk, stationary,
                                                               seasonal_walk])), keys=["id"])
    summary = fc.fitted_summary_
    total = [parse(o)[1] + parse(s)[1]
             for o, s in zip(summary["order"], summary["seasonal_order"], strict=True)]
    assert total == [1, 0, 2]
    assert summary["trend"].tolist() == ["c", "c", "n"]
    # forecasts of the drifting walk keep climbing, by about its slope per quarter
    steps = np.diff(fc.predict(8)["mean"].to_numpy()[:8])
    assert 0.5 < steps.mean() < 1.5
    # given trend and order are used as given
    given = SARIMAX(order=(0, 1, 1), auto=False, n_windows=1).fit(table(walk[None]),
                                                                  keys=["id"])
    assert given.fitted_summary_["trend"].tolist() == ["n"]


def test_aicc_is_statsmodels_aicc():
    y = drifting(1, 30, slope=0.5, seed=6)[0]
    fit = sarimax_module._fit_one(y, None, (1, 1, 0), (0, 0, 0, 0), "c")
    result = statsmodels_fit(y, order=(1, 1, 0), trend="c")
    assert fit.aic == result.aic and np.isclose(fit.aicc, result.aicc, rtol=1e-12)
    k, n = 3, 29  # drift, ar.L1, sigma2; one observation to the diffuse difference
    assert np.isclose(fit.aicc, fit.aic + 2 * k * (k + 1) / (n - k - 1), rtol=1e-12)
    # the summary shows the criterion the search chooses by, next to the AIC
    given = SARIMAX(order=(1, 1, 0), trend="c", auto=False, n_windows=1).fit(
        table(y[None]), keys=["id"])
    row = given.fitted_summary_.iloc[0]
    assert np.isclose(row["aicc"], result.aicc, rtol=1e-6)
    assert np.isclose(row["aic"], result.aic, rtol=1e-6)


def test_aicc_infinite_without_degrees_of_freedom():
    """Too few observations for the parameters: AICc is +inf, so the search never picks it."""
    y = drifting(1, 5, slope=0.5, seed=6)[0]
    fit = sarimax_module._fit_one(y, None, (2, 1, 2), (0, 0, 0, 0), "c")
    assert fit.aicc == np.inf and np.isfinite(fit.aic)


@pytest.mark.slow  # a search with backtests on a dozen series
def test_search_keeps_the_drift_where_it_pays_and_its_choice_beats_the_other_by_aicc():
    steep = drifting(3, 40, slope=1.5, seed=7)
    flat = drifting(12, 40, slope=0.0, seed=8)
    fc = SARIMAX(n_windows=1, nonnegative=False).fit(table(np.vstack([steep, flat])),
                                                    keys=["id"])
    summary = fc.fitted_summary_
    d = np.array([parse(o)[1] for o in summary["order"]])
    trend = summary["trend"].to_numpy()
    assert (d[:3] == 1).all() and (trend[:3] == "c").all()
    kept = trend[3:][d[3:] == 1] == "c"
    assert kept.size >= 6 and kept.mean() <= 0.5  # no drift: mostly dropped
    # the stepwise search compares its final choice with the other term: by AICc
    # (statsmodels' own), the chosen specification is never worse than the other
    for row, y in zip(summary.itertuples(), np.vstack([steep, flat]), strict=True):
        order = parse(row.order)
        if order[1] + parse(row.seasonal_order)[1] > 1:
            continue
        chosen = statsmodels_fit(y, order=order, trend=None if row.trend == "n" else "c")
        other = statsmodels_fit(y, order=order, trend="c" if row.trend == "n" else None)
        assert chosen.aicc <= other.aicc + 1e-6, row.id


@pytest.mark.slow  # a search with backtests on a dozen series
def test_backtest_origins_keep_the_fitted_choice_of_the_term(monkeypatch):
    steep = drifting(1, 40, slope=1.5, seed=7)
    flat = drifting(6, 40, slope=0.0, seed=8)
    fc = SARIMAX(n_windows=2, nonnegative=False).fit(table(np.vstack([steep, flat])),
                                                    keys=["id"])
    summary = fc.fitted_summary_
    refits = []
    fit_one = sarimax_module._fit_one

    def spy(endog, exog, order, seasonal_order, trend, **options):
        refits.append((round(float(endog[0]), 9), endog.size, order, seasonal_order, trend,
                       options.get("start_params") is not None))
        return fit_one(endog, exog, order, seasonal_order, trend, **options)

    monkeypatch.setattr(sarimax_module, "_fit_one", spy)
    fc.cv_forecasts(4)
    firsts = {round(float(y[0]), 9): i for i, y in enumerate(np.vstack([steep, flat]))}
    seen = 0
    for first, _, order, seasonal, trend, warm in refits:
        row = summary.iloc[firsts[first]]
        fitted = parse(row.order)
        if order[1] + seasonal[1] == fitted[1] + parse(row.seasonal_order)[1]:
            # same d + D at the origin: the fitted term (or its absence), warm-started
            # when the whole specification is the fitted one
            assert (trend or "n") == row.trend
            assert warm == (order == fitted and str(seasonal) == row.seasonal_order)
            seen += 1
        else:
            assert trend == ("c" if order[1] + seasonal[1] <= 1 else None)
    assert seen >= 8
    assert any(trend is None and o[1] == 1 for _, _, o, _, trend, _ in refits)
    assert any(trend == "c" and o[1] == 1 for _, _, o, _, trend, _ in refits)


def test_a_search_that_fits_nothing_names_both_terms(monkeypatch):
    def fails(endog, exog, order, seasonal_order, trend):
        raise np.linalg.LinAlgError("Schur decomposition solver error")

    monkeypatch.setattr(sarimax_module, "_fit_one", fails)
    with pytest.raises(ParameterError, match=r"none of the 11 orders \(p, 1, q\) tried, with p "
                                             r"and q in 0\.\.2, seasonal_order \(0, 0, 0, 0\) "
                                             r"and trend 'c' or none, could be fitted"):
        SARIMAX()._search(np.arange(12.0), None, 1, (0, 0, 0, 0), "c", True)
