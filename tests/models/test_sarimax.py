"""SARIMAX: statsmodels per series, with exogenous regressors and per-series fallbacks."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.tsa.statespace.sarimax as sm_sarimax
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from talentgap.errors import NotFittedError, ParameterError, SchemaError
from talentgap.models import base
from talentgap.models import sarimax as sarimax_module
from talentgap.models.sarimax import SARIMAX

PERIODS = pd.period_range("2012Q1", periods=40, freq="Q")


def seasonal_walks(n_series=3, n_periods=32, seed=0):
    rng = np.random.default_rng(seed)
    season = np.array([0.0, 3.0, 1.0, -2.0])
    y = 50 + np.cumsum(rng.normal(0, 1, (n_series, n_periods)), axis=1) + season[
        np.arange(n_periods) % 4]
    return pd.DataFrame({"id": np.repeat([f"s{i}" for i in range(n_series)], n_periods),
                         "period": np.tile(PERIODS[:n_periods], n_series), "value": y.ravel()})


def driven(n_series=4, n_periods=36, horizon=4, seed=1):
    """y = 20 + 3 x + AR(1) noise, with x a known, strongly varying regressor."""
    rng = np.random.default_rng(seed)
    total = n_periods + horizon
    x = rng.normal(0, 2, (n_series, total))
    noise = np.zeros((n_series, total))
    for t in range(1, total):
        noise[:, t] = 0.5 * noise[:, t - 1] + rng.normal(0, 0.3, n_series)
    y = 20 + 3 * x + noise
    full = pd.DataFrame({"id": np.repeat([f"d{i}" for i in range(n_series)], total),
                         "period": np.tile(PERIODS[:total], n_series), "value": y.ravel(),
                         "x": x.ravel()})
    cut = PERIODS[n_periods - 1]
    return full[full["period"] <= cut], full[full["period"] > cut]


def statsmodels_forecast(y, horizon, exog=None, exog_future=None, **spec):
    with warnings.catch_warnings(), threadpool_limits(1, user_api="blas"):
        warnings.simplefilter("ignore")
        result = sm_sarimax.SARIMAX(y, exog=exog, **spec).fit(disp=False)
    return result.forecast(horizon, exog=exog_future)


def test_oracle_fixed_order_matches_statsmodels():
    df = seasonal_walks(n_series=2)
    fc = SARIMAX(order=(1, 1, 1), auto=False, nonnegative=False).fit(df, keys=["id"])
    out = fc.predict(6)
    summary = fc.fitted_summary_
    assert summary["order"].tolist() == ["(1, 1, 1)"] * 2
    assert summary["seasonal_order"].tolist() == ["(0, 1, 1, 4)"] * 2  # 32 >= 3 * 4
    for key, part in df.groupby("id"):
        expected = statsmodels_forecast(part["value"].to_numpy(), 6, order=(1, 1, 1),
                                        seasonal_order=(0, 1, 1, 4))
        got = out.loc[out["id"] == key, "mean"].to_numpy()
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-8)


def test_oracle_with_exog_and_ragged_series():
    train, test = driven(n_series=2)
    train = train[~((train["id"] == "d1") & (train["period"] < PERIODS[5]))]  # d1 starts later
    spec = {"order": (1, 0, 0), "seasonal_order": (0, 0, 0, 0), "trend": "c"}
    fc = SARIMAX(auto=False, nonnegative=False, **spec).fit(train, keys=["id"], exog=["x"])
    out = fc.predict(4, future=test)
    for key, part in train.groupby("id"):
        future = test.loc[test["id"] == key, ["x"]].to_numpy()
        expected = statsmodels_forecast(part["value"].to_numpy(), 4,
                                        exog=part[["x"]].to_numpy(), exog_future=future, **spec)
        np.testing.assert_allclose(out.loc[out["id"] == key, "mean"], expected, atol=1e-8)


def test_future_regressor_values_are_used():
    train, test = driven()
    with_x = SARIMAX().fit(train, keys=["id"], exog=["x"]).predict(4, future=test)
    without = SARIMAX().fit(train, keys=["id"]).predict(4)
    mae = [np.abs(test["value"].to_numpy() - f["mean"].to_numpy()).mean()
           for f in (with_x, without)]
    assert mae[0] < 0.25 * mae[1]  # measured: 0.37 vs 5.6


def test_missing_future_rows_raise_schema_error_naming_the_column():
    train, test = driven(n_series=2)
    fc = SARIMAX(auto=False).fit(train, keys=["id"], exog=["x"])
    with pytest.raises(SchemaError, match="'x'") as info:
        fc.predict(4, future=test.iloc[:-1])
    assert info.value.column == "x"
    with pytest.raises(ParameterError, match="future="):
        fc.predict(4)


def test_pathological_series_fall_back_alone():
    df = pd.concat([
        seasonal_walks(n_series=2),
        pd.DataFrame({"id": "constant", "period": PERIODS[:20], "value": 7.0}),
        pd.DataFrame({"id": "four", "period": PERIODS[:4], "value": [1.0, 3.0, 2.0, 4.0]}),
    ])
    fc = SARIMAX(auto=False).fit(df, keys=["id"])
    summary = fc.fitted_summary_.set_index("id")
    assert summary.loc["constant", "fallback_reason"] == "constant series; naive"
    assert "needs 6 observations" in summary.loc["four", "fallback_reason"]
    assert summary.loc[["s0", "s1"], "model"].eq("SARIMAX").all()
    assert summary.loc[["s0", "s1"], "converged"].all()
    out = fc.predict(2).set_index("id")
    assert (out.loc["constant", "mean"] == 7.0).all() and (out.loc["four", "mean"] == 4.0).all()


def test_failing_fit_falls_back_per_series(monkeypatch):
    real = sm_sarimax.SARIMAX

    class Flaky(real):
        """Fails every fit of series 'bad', and the seasonal fits of series 'picky'."""

        def fit(self, *args, **kwargs):
            y = np.asarray(self.endog).ravel()
            if y[0] == -1.0 or (y[0] == -2.0 and self.seasonal_periods):
                raise np.linalg.LinAlgError("Schur decomposition solver error")
            return super().fit(*args, **kwargs)

    monkeypatch.setattr(sm_sarimax, "SARIMAX", Flaky)
    df = seasonal_walks(n_series=4)
    first = df.groupby("id").head(1).index
    df.loc[first[0], "value"], df.loc[first[1], "value"] = -1.0, -2.0
    df["id"] = df["id"].map({"s0": "bad", "s1": "picky", "s2": "s2", "s3": "s3"})
    fc = SARIMAX(auto=False).fit(df, keys=["id"])
    summary = fc.fitted_summary_.set_index("id")
    assert summary.loc["bad", "fallback_reason"] == "SARIMAX failed (LinAlgError); naive"
    assert pd.isna(summary.loc["picky", "fallback_reason"])
    assert summary.loc["picky", "order"] == "(1, 1, 0)"
    assert summary.loc["picky", "seasonal_order"] == "(0, 0, 0, 0)"
    assert "LinAlgError" in summary.loc["picky", "note"]
    assert summary.loc[["s2", "s3"], "seasonal_order"].eq("(0, 1, 1, 4)").all()
    out = fc.predict(3)
    assert np.isfinite(out["mean"]).all()
    last_bad = df.loc[df["id"] == "bad", "value"].iloc[-1]
    assert (out.loc[out["id"] == "bad", "mean"] == last_bad).all()


def test_auto_search_picks_a_small_order_by_aic():
    rng = np.random.default_rng(4)
    e = rng.normal(0, 1, 60)
    y = np.zeros(60)
    for t in range(2, 60):  # ARIMA(2, 1, 0) in the differences
        y[t] = y[t - 1] + 0.7 * (y[t - 1] - y[t - 2]) + e[t]
    df = pd.DataFrame({"period": pd.period_range("2000", periods=60, freq="Y"), "value": y})
    fc = SARIMAX().fit(df, keys=[])
    row = fc.fitted_summary_.iloc[0]
    assert row["seasonal_order"] == "(0, 0, 0, 0)"  # annual: no seasonal part
    p, d, q = (int(v) for v in row["order"].strip("()").split(","))
    assert d == 1 and p >= 1 and p <= 2 and q <= 2
    assert np.isfinite(row["aic"])


def test_short_series_use_no_differencing_and_a_constant():
    df = pd.DataFrame({"id": "a", "period": PERIODS[:7],
                       "value": [10.0, 12.0, 11.0, 13.0, 12.0, 11.0, 12.0]})
    fc = SARIMAX().fit(df, keys=["id"])
    assert fc.fitted_summary_.loc[0, "order"].split(", ")[1] == "0"
    out = fc.predict(3)["mean"]
    assert out.between(10, 13).all()  # reverts to the mean, not to zero


@pytest.mark.slow  # starts joblib worker processes
def test_results_independent_of_chunking(monkeypatch):
    df = seasonal_walks(n_series=5, n_periods=24)
    reference = SARIMAX(auto=False).fit(df, keys=["id"]).predict(3)
    monkeypatch.setattr(base, "CHUNK_SIZE", 2)
    fc = SARIMAX(auto=False, n_jobs=2).fit(df, keys=["id"])
    assert len(fc.states_) == 3
    pd.testing.assert_frame_equal(reference, fc.predict(3))


def test_contract():
    df = seasonal_walks(n_series=4, n_periods=28)
    fc = SARIMAX(order=(0, 1, 1), auto=False, n_windows=5)  # 20 errors: enough for 95%
    with pytest.raises(NotFittedError, match="fit"):
        fc.predict(2)
    assert clone(fc).get_params()["order"] == (0, 1, 1)
    out = fc.fit(df, keys=["id"]).predict(3, level=[80, 95])
    assert out.columns.tolist() == ["id", "period", "mean", "lo_80", "hi_80", "lo_95", "hi_95"]
    assert len(out) == 12 and not out.isna().any().any()
    assert (out["lo_95"] <= out["lo_80"]).all() and (out["lo_80"] <= out["mean"]).all()
    assert (out["mean"] <= out["hi_80"]).all() and (out["hi_80"] <= out["hi_95"]).all()
    assert (out["hi_95"] > out["lo_95"]).all()
    assert {"order", "seasonal_order", "aic", "converged"} <= set(fc.fitted_summary_.columns)


@pytest.mark.parametrize("params, match", [
    ({"order": (1, 1)}, "order"), ({"order": (1, -1, 0)}, "order"),
    ({"seasonal_order": (0, 1, 1)}, "seasonal_order"), ({"auto": "yes"}, "auto"),
    ({"trend": "quadratic"}, "trend"), ({"n_windows": -1}, "n_windows"),
])
def test_bad_parameters(params, match):
    fc = SARIMAX(**params)
    with pytest.raises(ParameterError, match=match):
        fc.fit(seasonal_walks(n_series=1, n_periods=8), keys=["id"])


def test_a_search_that_fits_no_order_names_the_orders_and_the_way_out(monkeypatch):
    def fails(endog, exog, order, seasonal_order, trend):
        raise np.linalg.LinAlgError("Schur decomposition solver error")

    monkeypatch.setattr(sarimax_module, "_fit_one", fails)
    with pytest.raises(ParameterError,
                       match=r"auto == True, but none of the 9 orders \(p, 1, q\) tried, with p "
                             r"and q in 0\.\.2, seasonal_order \(0, 1, 1, 4\) and trend None, "
                             r"could be fitted to this series; use auto=False with an "
                             r"order=\(p, d, q\) that fits"):
        SARIMAX()._search(np.arange(12.0), None, 1, (0, 1, 1, 4), None)
