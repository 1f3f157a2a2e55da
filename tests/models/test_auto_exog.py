"""AutoForecaster with exogenous regressors: the candidates that use them decide."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.models import ETS, SARIMAX, AutoForecaster, Naive, Theta

pytestmark = pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")

PERIODS = pd.period_range("2015Q1", periods=40, freq="Q")


def regression_tables(n_series: int, *, slope: float = 5.0, shift: float = 0.0,
                      seed: int = 0, n_periods: int = 32, horizon: int = 4):
    """y = 50 + slope * x + N(0, 1), x ~ N(0, 1) (moved by ``shift`` in the future)."""
    rng = np.random.default_rng(seed)
    total = n_periods + horizon
    x = rng.normal(0, 1, (n_series, total))
    x[:, n_periods:] += shift
    y = 50 + slope * x + rng.normal(0, 1, (n_series, total))
    full = pd.DataFrame({"id": np.repeat(np.arange(n_series), total),
                         "period": np.tile(PERIODS[:total], n_series),
                         "x": x.ravel(), "value": y.ravel()})
    cut = PERIODS[n_periods - 1]
    history, truth = full[full["period"] <= cut], full[full["period"] > cut]
    return history, truth.drop(columns="value"), truth


def scores(out: pd.DataFrame, truth: pd.DataFrame) -> tuple[float, float]:
    """MAE of the mean and coverage of the 80% interval."""
    scored = out.merge(truth, on=["id", "period"])
    inside = (scored["value"] >= scored["lo_80"]) & (scored["value"] <= scored["hi_80"])
    return float(np.abs(scored["value"] - scored["mean"]).mean()), float(inside.mean())


@pytest.fixture(scope="module")
def regression_fits():
    """AutoForecaster and SARIMAX fitted once on the history that both shifts share (the
    shift moves x only in the forecast periods); neither test changes them."""
    history, _, _ = regression_tables(16, seed=1)
    return (AutoForecaster().fit(history, keys=["id"], exog=["x"]),
            SARIMAX().fit(history, keys=["id"], exog=["x"]))


@pytest.mark.slow
@pytest.mark.parametrize("shift", [0.0, 3.0])
def test_auto_forecasts_as_well_as_sarimax_when_the_regressor_matters(shift, regression_fits):
    # x moving 3 sd in the forecast periods: before, two thirds of the weight went to
    # candidates that never see x (MAE 8.4 against SARIMAX's 1.0, 80% coverage 0.19)
    history, future, truth = regression_tables(16, shift=shift, seed=1)
    pd.testing.assert_frame_equal(history, regression_tables(16, seed=1)[0])  # one history
    level = {"level": [80], "future": future}
    auto, alone = regression_fits
    mae_auto, coverage = scores(auto.predict(4, **level), truth)
    mae_alone, _ = scores(alone.predict(4, **level), truth)
    assert mae_auto <= 1.1 * mae_alone
    assert mae_auto < 1.5  # the noise sd is 1; forecasts without x are off by about 5
    assert coverage >= 0.6  # over 64 forecasts
    weights = auto.weights_
    assert (weights["sarimax"] == 1.0).all()
    assert (weights.drop(columns="sarimax") == 0.0).all().all()  # no Theta anchor


@pytest.mark.slow
def test_a_regressor_of_pure_noise_costs_little():
    history, future, truth = regression_tables(16, slope=0.0, seed=2)
    with_x = AutoForecaster().fit(history, keys=["id"], exog=["x"])
    without = AutoForecaster().fit(history.drop(columns="x"), keys=["id"])
    mae_with, _ = scores(with_x.predict(4, level=[80], future=future), truth)
    mae_without, _ = scores(without.predict(4, level=[80]), truth)
    assert mae_with <= 1.1 * mae_without


def small_auto(**params) -> AutoForecaster:
    candidates = {"ets": ETS(forms=("ANN",)), "theta": Theta(), "naive": Naive(),
                  "sarimax": SARIMAX(order=(1, 0, 0), seasonal_order=(0, 0, 0, 0),
                                     auto=False)}
    return AutoForecaster(candidates=candidates, n_windows=2, selection_horizon=4, **params)


def test_series_where_the_regression_model_falls_back_keep_the_usual_combination():
    history, future, _ = regression_tables(3, seed=3, n_periods=20)
    flat = history["id"] == 2
    history.loc[flat, ["x", "value"]] = [1.0, 7.0]  # constant: SARIMAX gives naive there
    fc = small_auto().fit(history, keys=["id"], exog=["x"])
    weights = fc.weights_.to_numpy()
    np.testing.assert_array_equal(fc.exog_aware_,
                                  [[False, False, False, True]] * 2 + [[False] * 4])
    np.testing.assert_array_equal(weights[:2], [[0, 0, 0, 1.0]] * 2)
    assert weights[2, 1] > 0  # the Theta anchor, as without regressors
    assert weights[2].sum() == pytest.approx(1.0)
    out = fc.predict(4, future=future)
    sarimax = fc.candidates_["sarimax"].predict(4, future=future)
    np.testing.assert_allclose(out["mean"].to_numpy()[:8], sarimax["mean"].to_numpy()[:8])


@pytest.mark.parametrize("combination", ["mean", "median", "best"])
def test_every_combination_rule_keeps_to_the_regression_model(combination):
    history, future, _ = regression_tables(2, seed=4, n_periods=20)
    fc = small_auto(combination=combination).fit(history, keys=["id"], exog=["x"])
    out = fc.predict(4, future=future)["mean"].to_numpy()
    sarimax = fc.candidates_["sarimax"].predict(4, future=future)["mean"].to_numpy()
    np.testing.assert_allclose(out, sarimax)
    # and without regressors every candidate counts again
    plain = small_auto(combination="mean").fit(history.drop(columns="x"), keys=["id"])
    assert (plain.weights_.to_numpy() == 0.25).all()
    assert plain.exog_aware_ is None


def test_saved_and_loaded_model_keeps_the_restriction(tmp_path):
    history, future, _ = regression_tables(2, seed=5, n_periods=20)
    fc = small_auto().fit(history, keys=["id"], exog=["x"])
    same = tg.load(fc.save(tmp_path / "auto"))
    np.testing.assert_array_equal(same.exog_aware_, fc.exog_aware_)
    pd.testing.assert_frame_equal(same.predict(4, level=[80], future=future),
                                  fc.predict(4, level=[80], future=future))
