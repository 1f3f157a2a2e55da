"""In-sample one-step fitted values (``fitted_values()``) against hand recursions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.models._ets_state_space import ETSForm, ets_filter

pytestmark = pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")


def _table(values: dict[str, np.ndarray], freq: str = "Q") -> pd.DataFrame:
    frames = [pd.DataFrame({"id": name, "period": pd.period_range(end="2025Q4", periods=len(v),
                                                                  freq=freq), "value": v})
              for name, v in values.items()]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def walks() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return _table({f"s{i}": 100.5 + np.cumsum(rng.normal(0, 3, n))
                   for i, n in enumerate([24, 17, 12, 9])})


def _series(fitted: pd.DataFrame, name: str) -> pd.DataFrame:
    return fitted[fitted["id"] == name].reset_index(drop=True)


def test_table_layout_and_residuals(walks):
    out = tg.models.Naive().fit(walks, keys=["id"]).fitted_values()
    assert out.columns.tolist() == ["id", "period", "value", "fitted", "residual"]
    assert len(out) == len(walks)
    merged = out.merge(walks, on=["id", "period"], suffixes=("", "_in"))
    np.testing.assert_array_equal(merged["value"], merged["value_in"])
    np.testing.assert_allclose(out["residual"], out["value"] - out["fitted"])


@pytest.mark.parametrize("model", ["Naive", "SeasonalNaive", "Drift", "Mean"])
def test_benchmarks_by_hand(walks, model):
    fc = getattr(tg.models, model)().fit(walks, keys=["id"])
    out = fc.fitted_values()
    for name, group in walks.groupby("id"):
        y = group["value"].to_numpy()
        expected = np.full(len(y), np.nan)
        if model == "Naive":
            expected[1:] = y[:-1]
        elif model == "SeasonalNaive":
            expected[4:] = y[:-4]
        elif model == "Drift":
            expected[1:] = y[:-1] + (y[-1] - y[0]) / (len(y) - 1)
        else:
            expected[:] = y.mean()
        np.testing.assert_allclose(_series(out, name)["fitted"], expected)


def test_simple_exponential_smoothing_recursion(walks):
    """ANN: f_{t+1} = f_t + alpha (y_t - f_t), and the forecast continues it."""
    fc = tg.models.ETS(model="ANN").fit(walks, keys=["id"])
    out, forecast = fc.fitted_values(), fc.predict(1)
    alphas = fc.fitted_summary_.set_index("id")["alpha"]
    for name, group in walks.groupby("id"):
        y, f = group["value"].to_numpy(), _series(out, name)["fitted"].to_numpy()
        alpha = alphas[name]
        hand = np.empty(len(y) + 1)
        hand[0] = f[0]  # the fitted initial level
        for t in range(len(y)):
            hand[t + 1] = hand[t] + alpha * (y[t] - hand[t])
        np.testing.assert_allclose(f, hand[:-1], rtol=1e-10)
        np.testing.assert_allclose(forecast.loc[forecast["id"] == name, "mean"], hand[-1:],
                                   rtol=1e-10)


def test_simple_exponential_smoothing_matches_statsmodels(walks):
    holt = pytest.importorskip("statsmodels.tsa.holtwinters")
    fc = tg.models.ETS(model="ANN").fit(walks, keys=["id"])
    out = fc.fitted_values()
    alphas = fc.fitted_summary_.set_index("id")["alpha"]
    for name, group in walks.groupby("id"):
        f = _series(out, name)["fitted"].to_numpy()
        model = holt.SimpleExpSmoothing(group["value"].to_numpy(), initialization_method="known",
                                        initial_level=f[0])
        result = model.fit(smoothing_level=alphas[name], optimized=False)
        np.testing.assert_allclose(f, result.fittedvalues, rtol=1e-10)


def test_seasonal_form_matches_the_reference_filter():
    t = np.arange(20)
    rng = np.random.default_rng(5)
    y = 100 + 2 * t + 10 * (t % 4 == 3) + rng.normal(0, 1, 20)
    fc = tg.models.ETS(model="AAA").fit(_table({"a": y}), keys=["id"])
    chunk = fc.states_[0]["state"]
    form, mask, _, params = chunk["forms"]["AAA"]
    scale = chunk["scale"][0]
    reference, _ = ets_filter(y / scale, ETSForm("A", "A"), params[0, 0],
                              chunk["initial"]["AAA"][0], m=4)
    np.testing.assert_allclose(fc.fitted_values()["fitted"], reference * scale, rtol=1e-10)


def test_standard_theta_by_hand():
    """Theta = 2: SES of y plus half the OLS slope times c_t = (1 - (1-a)^t) / a."""
    y = np.array([10.0, 12, 11, 14, 15, 17, 16, 19])
    fc = tg.models.Theta(method="standard", deseasonalize=False).fit(
        _table({"a": y}, freq="Y"), keys=["id"])
    alpha = fc.fitted_summary_.loc[0, "alpha"]
    slope = np.polyfit(np.arange(len(y)), y, 1)[0]
    level, hand = y[0], [np.nan]
    for t in range(1, len(y)):
        c = (1 - (1 - alpha) ** t) / alpha
        hand.append(level + 0.5 * slope * c)
        level = level + alpha * (y[t] - level)
    np.testing.assert_allclose(fc.fitted_values()["fitted"], hand, rtol=1e-10)


def test_auto_forecaster_combines_its_candidates_with_their_weights(walks):
    fc = tg.models.AutoForecaster().fit(walks, keys=["id"])
    out = fc.fitted_values()
    parts = {name: model.fitted_values().set_index(["id", "period"])["fitted"]
             for name, model in fc.candidates_.items()}
    weights = pd.DataFrame(fc.weights_.to_numpy(), columns=list(fc.candidates_),
                           index=fc.arrays_.ids["id"])
    table = pd.DataFrame(parts)
    complete = table.notna().all(axis=1)
    hand = (table[complete] * weights.loc[table[complete].index.get_level_values("id")]
            .to_numpy()).sum(axis=1)
    got = out.set_index(["id", "period"])["fitted"].loc[hand.index]
    np.testing.assert_allclose(got, hand, rtol=1e-10)
    assert complete.sum() > len(walks) / 2


def test_counts_are_floored_at_zero():
    y = np.array([5.0, 0, 0, 4, 0, 0, 0, 0, 1, 0, 0, 0])
    fitted = tg.models.Drift(nonnegative=True).fit(_table({"a": y}), keys=["id"])
    assert (fitted.fitted_values()["fitted"].dropna() >= 0).all()
    free = tg.models.Drift(nonnegative=False).fit(_table({"a": y}), keys=["id"])
    assert (free.fitted_values()["fitted"].dropna() < 0).any()


def test_models_without_cheap_fitted_values_say_so(walks):
    fc = tg.models.GlobalBoosting(max_iter=5, min_samples_leaf=5).fit(walks, keys=["id"])
    with pytest.raises(NotImplementedError, match="backtest_residuals"):
        fc.fitted_values()


def test_unfitted_model_raises():
    with pytest.raises(tg.errors.NotFittedError, match="fitted_values"):
        tg.models.Naive().fitted_values()
