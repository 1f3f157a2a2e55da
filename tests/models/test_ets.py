"""Tests of the vectorised ETS engine, with statsmodels as the oracle.

``ets_filter`` is the reference recursion (state-space error-correction form);
statsmodels implements the same models twice: Holt-Winters
``ExponentialSmoothing`` (component form, where the trend weight is
``beta* = beta / alpha``) and ``ETSModel`` (error-correction form, ``beta``
itself). The vectorised fit (``error_responses``, ``scan_errors``,
``solve_initial_states`` of ``talentgap.models._ets_state_space``) is checked
against brute force built from ``ets_filter``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from talentgap.errors import ParameterError
from talentgap.models._ets_state_space import (
    error_responses,
    forecast_states,
    parameter_grid,
    scan_errors,
    solve_initial_states,
)
from talentgap.models._series import to_arrays
from talentgap.models.ets import ETS, FORMS, ets_filter

LINEAR = ["ANN", "AAN", "AAdN", "ANA", "AAA", "AAdA"]
M = 4
ALPHA, BETA, GAMMA, PHI = 0.4, 0.1, 0.2, 0.9
LEVEL0, TREND0 = 18.0, 0.7
SEASON0 = np.array([2.5, -0.5, -3.5, 1.5])  # slot j: used by observations t = j (mod 4)
#: ETSModel's parameters: the error-correction form, so ``smoothing_trend`` is beta itself.
VALUES = {"smoothing_level": ALPHA, "smoothing_trend": BETA, "smoothing_seasonal": GAMMA,
          "damping_trend": PHI}


def seasonal_series(n: int = 26, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 20 + 0.5 * t + np.tile([3.0, -1.0, -4.0, 2.0], n // 4 + 1)[:n] + rng.normal(0, 1, n)


def setup(name: str):
    """(form, params, x0) for a form at the fixed test parameters."""
    form = FORMS[name]
    params = (ALPHA, BETA if form.has_trend else 0.0, GAMMA if form.has_season else 0.0,
              PHI if form.trend == "Ad" else 1.0)
    x0 = [LEVEL0] + ([TREND0] if form.has_trend else []) + (
        list(SEASON0) if form.has_season else [])
    return form, params, np.array(x0)


def statsmodels_kwargs(form) -> dict:
    return {"trend": "add" if form.has_trend else None, "damped_trend": form.trend == "Ad",
            "seasonal": "add" if form.has_season else None,
            "seasonal_periods": M if form.has_season else None,
            "initialization_method": "known", "initial_level": LEVEL0,
            **({"initial_trend": TREND0} if form.has_trend else {}),
            **({"initial_seasonal": SEASON0} if form.has_season else {})}


def holt_winters(y: np.ndarray, form):
    model = ExponentialSmoothing(y, **statsmodels_kwargs(form))
    fixed = {"smoothing_level": ALPHA, "optimized": False}
    if form.has_trend:
        fixed["smoothing_trend"] = BETA / ALPHA  # component form: beta* = beta / alpha
    if form.has_season:
        fixed["smoothing_seasonal"] = GAMMA
    if form.trend == "Ad":
        fixed["damping_trend"] = PHI
    return model.fit(**fixed)


def quarterly(series: dict[str, np.ndarray], end: str = "2024Q4") -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"id": key, "value": y, "period": pd.period_range(
        end=end, periods=len(y), freq="Q")}) for key, y in series.items()], ignore_index=True)


# ---- the reference recursion against statsmodels ------------------------------------------------
@pytest.mark.parametrize("name", LINEAR)
def test_ets_filter_matches_statsmodels_holt_winters(name):
    y = seasonal_series()
    form, params, x0 = setup(name)
    fitted, _ = ets_filter(y, form, params, x0, M)
    expected = holt_winters(y, form).fittedvalues
    np.testing.assert_allclose(fitted, expected, rtol=0, atol=1e-8)


@pytest.mark.parametrize("name", LINEAR)
def test_ets_filter_matches_statsmodels_etsmodel(name):
    y = seasonal_series()
    form, params, x0 = setup(name)
    fitted, _ = ets_filter(y, form, params, x0, M)
    model = ETSModel(y, error="add", **statsmodels_kwargs(form))
    assert set(model.param_names) <= set(VALUES)
    result = model.smooth(np.array([VALUES[p] for p in model.param_names]))
    np.testing.assert_allclose(fitted, result.fittedvalues, rtol=0, atol=1e-8)


@pytest.mark.parametrize("n", [23, 24])
@pytest.mark.parametrize("name", LINEAR)
def test_forecasts_from_the_final_state_match_statsmodels(name, n):
    # ETSModel, not Holt-Winters: in statsmodels <= 0.15 Holt-Winters forecasts at
    # horizons h = m, 2m, ... use the seasonal state of one season too early
    # (statsmodels issue #9538, fixed by PR #10230).
    y = seasonal_series(n=n)  # n = 23 ends mid-season: the slots must wrap correctly
    form, params, x0 = setup(name)
    _, state = ets_filter(y, form, params, x0, M)
    forecast = forecast_states(form, M, state[None], np.array([params]), np.array([n]), 9)[0]
    model = ETSModel(y, error="add", **statsmodels_kwargs(form))
    result = model.smooth(np.array([VALUES[p] for p in model.param_names]))
    np.testing.assert_allclose(forecast, result.forecast(9), rtol=0, atol=1e-8)
    # and self-consistency: observing the forecasts leaves them unchanged
    extended, _ = ets_filter(np.r_[y, forecast], form, params, x0, M)
    np.testing.assert_allclose(extended[n:], forecast, rtol=0, atol=1e-8)


def test_seasonal_slot_order_matters():
    # Guards the two tests above: a rotated initial season gives different fitted values.
    y = seasonal_series()
    form, params, x0 = setup("ANA")
    rotated = x0.copy()
    rotated[1:] = np.roll(SEASON0, 1)
    assert np.abs(ets_filter(y, form, params, rotated, M)[0]
                  - ets_filter(y, form, params, x0, M)[0]).max() > 1.0


# ---- the vectorised fit against brute force -----------------------------------------------------
def brute_force_initial(y: np.ndarray, form, params, m: int):
    """Least-squares x0 by lstsq of the one-step errors, built from ets_filter runs.

    The fitted values are affine in x0; the columns of the design are the
    responses to unit initial states (the last seasonal state is fixed at 0).
    """
    k, free = form.n_states(m), form.n_initial(m)
    base, _ = ets_filter(y, form, params, np.zeros(k), m)
    design = np.column_stack([ets_filter(y, form, params, np.eye(k)[i], m)[0] - base
                              for i in range(free)])
    x0, *_ = np.linalg.lstsq(design, y - base, rcond=None)
    return x0


@pytest.mark.parametrize("name", LINEAR)
def test_least_squares_initial_state_equals_brute_force(name):
    form = FORMS[name]
    raw = seasonal_series(n=22, seed=3)
    y = raw / np.mean(np.abs(raw))  # the engine works on series divided by their mean |y|
    grid = parameter_grid(form)
    candidates = np.arange(0, len(grid), max(1, len(grid) // 6))
    params = grid[candidates]
    n = len(y)
    stops = np.array([[n, n - 3, n - 7]])
    g, gram = error_responses(form, M, params, n)
    sse0, cross = scan_errors(form, M, params, y[None, :], g, stops)
    x0 = solve_initial_states(gram, stops, cross)
    reported = sse0 - np.einsum("...i,...i->...", cross, x0)  # as _fit_form computes it
    k, free = form.n_states(M), form.n_initial(M)
    for j, stop in enumerate(stops[0]):
        for c, p in enumerate(params):
            expected = brute_force_initial(y[:stop], form, p, M)
            np.testing.assert_allclose(x0[0, j, c], expected, rtol=1e-5, atol=1e-6)
            full = np.r_[x0[0, j, c], np.zeros(k - free)]
            fitted, _ = ets_filter(y[:stop], form, p, full, M)
            sse = np.sum((y[:stop] - fitted) ** 2)
            best, _ = ets_filter(y[:stop], form, p, np.r_[expected, np.zeros(k - free)], M)
            # the engine's x0 reaches the least-squares minimum ...
            assert sse == pytest.approx(np.sum((y[:stop] - best) ** 2), rel=1e-9)
            # ... and reports its SSE; the tiny ridge of solve_initial_states (1e-9 x trace)
            # adds ridge * |x0|^2 to the reported value, so it is never below the truth.
            assert reported[0, j, c] == pytest.approx(sse, rel=1e-4)
            assert reported[0, j, c] >= sse * (1 - 1e-12)


@pytest.mark.parametrize("name", ["AAdA", "ANN", "log-ANA"])
def test_sums_at_several_stops_equal_one_stop_at_a_time(name):
    """Series of different lengths, stops in any order and some unused (0): the sums
    at every stop are those of a scan asked for that stop alone."""
    form = FORMS[name]
    rng = np.random.default_rng(5)
    n, width = 40, 24
    n_obs = rng.integers(6, width + 1, n)
    y = np.where(np.arange(width)[None, :] < n_obs[:, None],
                 rng.normal(0, 1, (n, width)).cumsum(axis=1) + 30, 0.0)
    stops = np.column_stack([n_obs - 9, n_obs, n_obs - 2, n_obs - 5])
    stops = np.where(stops >= 5, stops, 0)
    stops[::7, 1] = 0  # a series whose longest stop is not its length
    params = parameter_grid(form)
    g, _ = error_responses(form, M, params, width)
    sse0, cross = scan_errors(form, M, params, y, g, stops)
    for j in range(stops.shape[1]):
        alone_sse, alone_cross = scan_errors(form, M, params, y, g, stops[:, j:j + 1])
        used = stops[:, j] > 0
        np.testing.assert_allclose(sse0[used, j], alone_sse[used, 0], rtol=1e-10)
        np.testing.assert_allclose(cross[used, j], alone_cross[used, 0], rtol=1e-10,
                                   atol=1e-10 * np.abs(alone_cross).max())


def test_many_series_at_once_equal_each_alone():
    rng = np.random.default_rng(4)
    t = np.arange(30)
    series = {
        "seasonal": 100 + 2 * t + np.tile([6.0, -2, -7, 3], 8)[:30] + rng.normal(0, 1, 30),
        "noise": 50 + rng.normal(0, 4, 30)[:21],
        "growth": 20 * np.exp(0.04 * t[:26] + rng.normal(0, 0.05, 26)),
        "short": 10 + rng.normal(0, 1, 9),
        "negative": -5 + rng.normal(0, 3, 17),
    }
    together = ETS().fit(quarterly(series), keys=["id"])
    out = together.predict(6)
    summary = together.fitted_summary_.set_index("id")
    for key, y in series.items():
        alone = ETS().fit(quarterly({key: y}), keys=["id"])
        np.testing.assert_allclose(out.loc[out["id"] == key, "mean"],
                                   alone.predict(6)["mean"], rtol=1e-9)
        row = alone.fitted_summary_.iloc[0]
        assert summary.loc[key, "ets_form"] == row["ets_form"]
        for column in ("alpha", "beta", "gamma", "phi"):
            np.testing.assert_allclose(summary.loc[key, column], row[column])
    assert summary.loc["seasonal", "ets_form"] != summary.loc["noise", "ets_form"]


# ---- model selection ----------------------------------------------------------------------------
def test_picks_aaa_on_additive_trend_and_season():
    rng = np.random.default_rng(0)
    t = np.arange(32)
    y = 200 + 3 * t + np.tile([12.0, -4, -15, 7], 8) + rng.normal(0, 1, 32)
    fc = ETS().fit(quarterly({"a": y}), keys=["id"])
    assert fc.fitted_summary_.loc[0, "ets_form"] == "AAA"
    # the forecast continues trend and season
    forecast = fc.predict(4)["mean"].to_numpy()
    expected = 200 + 3 * np.arange(32, 36) + np.array([12.0, -4, -15, 7])
    np.testing.assert_allclose(forecast, expected, atol=4)


@pytest.mark.parametrize(("level", "seed"), [(100.0, 0), (3.0, 1)])
def test_picks_ann_on_white_noise(level, seed):
    y = level + np.random.default_rng(seed).normal(0, 3, 28)
    fc = ETS().fit(quarterly({"a": y}), keys=["id"])
    assert fc.fitted_summary_.loc[0, "ets_form"] == "ANN"


def test_log_forms_only_for_positive_series():
    rng = np.random.default_rng(2)
    growth = 50 * np.exp(np.cumsum(rng.normal(0.03, 0.12, 28)))
    with_zero = growth.copy()
    with_zero[5] = 0.0
    forms = ("ANN", "log-ANN")
    fc = ETS(forms=forms).fit(quarterly({"positive": growth, "zero": with_zero}), keys=["id"])
    assert fc.fitted_summary_["ets_form"].tolist() == ["log-ANN", "ANN"]
    # a log form on its own cannot take a series with a zero: naive fallback, with a reason
    only_log = ETS(model="log-ANN").fit(quarterly({"zero": with_zero}), keys=["id"])
    out = only_log.predict(2)
    np.testing.assert_allclose(out["mean"], with_zero[-1])
    assert "non-finite" in only_log.fitted_summary_.loc[0, "fallback_reason"]


def test_unknown_form_is_rejected_at_fit():
    model = ETS(model="MAM")  # stored unchanged
    assert model.model == "MAM"
    with pytest.raises(ParameterError, match="unknown ETS form"):
        model.fit(quarterly({"a": seasonal_series()}), keys=["id"])


# ---- backtests in one pass ----------------------------------------------------------------------
H = 4


def backtest_table() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    series = {}
    for i, n in enumerate([10, 14, 20, 26, 30]):
        t = np.arange(n)
        series[f"s{i}"] = (50 + 5 * i + 0.6 * t + np.tile([4.0, -2, -5, 3], 8)[:n]
                           + rng.normal(0, 1.5, n))
    df = quarterly(series)
    gap = (df["id"] == "s4") & (df["period"] == pd.Period("2019Q2", freq="Q"))
    return df.loc[~gap].reset_index(drop=True)


def brute_force_backtest(model: ETS, df: pd.DataFrame, windows: int) -> np.ndarray:
    """Refit on each series truncated at every origin; NaN where too short for ETS (< 5)."""
    keys = sorted(df["id"].unique())
    out = np.full((len(keys), windows, H), np.nan)
    for i, key in enumerate(keys):
        rows = df[df["id"] == key].sort_values("period")
        for k in range(windows):
            train = rows.iloc[: len(rows) - H - k]
            if len(train) >= 5:
                refit = ETS(**model.get_params()).fit(train, keys=["id"])
                out[i, k] = refit.predict(H)["mean"].to_numpy()
    return out


@pytest.mark.parametrize("kwargs", [{}, {"model": "log-ANN"}, {"forms": ("ANN", "log-ANN")}])
def test_backtests_in_the_fit_equal_separate_backtests_and_refits(kwargs):
    df = backtest_table()
    if kwargs:
        # a zero in the held-out part of s3: origins before it have not seen it, so they
        # may use log forms (the fit on the whole series may not)
        df.loc[df.index[(df["id"] == "s3")][-2], "value"] = 0.0
    arrays = to_arrays(df, target="value", time="period", keys=["id"])
    announced = ETS(**kwargs).fit_arrays(arrays, keys=["id"], backtest_horizon=H)
    in_fit = announced.cv_forecasts(H)
    separate = ETS(**kwargs).fit(df, keys=["id"]).cv_forecasts(H)
    assert in_fit.shape == (5, 5, H)
    np.testing.assert_allclose(in_fit, separate, rtol=1e-10, atol=1e-10)
    expected = brute_force_backtest(announced, df, 5)
    np.testing.assert_array_equal(np.isnan(in_fit), np.isnan(expected))
    np.testing.assert_allclose(in_fit, expected, rtol=1e-7)
    # the 10-quarter series has origins too short to fit; the others have all five
    assert np.isnan(in_fit[0, 2:]).all() and np.isfinite(in_fit[1:]).all()


def test_announced_backtests_also_give_the_same_final_model():
    df = backtest_table()
    arrays = to_arrays(df, target="value", time="period", keys=["id"])
    announced = ETS().fit_arrays(arrays, keys=["id"], backtest_horizon=H)
    plain = ETS().fit(df, keys=["id"])
    pd.testing.assert_frame_equal(announced.predict(6, level=[80]),
                                  plain.predict(6, level=[80]), rtol=1e-10)
