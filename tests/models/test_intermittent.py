"""Croston (classic, SBA) and TSB against per-series hand recursions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import ParameterError

pytestmark = pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")


def _croston_by_hand(y, alpha, sba):
    """Croston (1972) as statsforecast's CrostonClassic: SES of sizes and intervals."""
    size = interval = None
    since, fitted = 0, []
    for t, value in enumerate(y):
        # before the first count a series is forecast 0 (nothing at its first period)
        fitted.append((np.nan if t == 0 else 0.0) if size is None else size / interval)
        since += 1
        if value != 0:
            size = value if size is None else size + alpha * (value - size)
            interval = since if interval is None else interval + alpha * (since - interval)
            since = 0
    factor = 1 - alpha / 2 if sba else 1.0
    forecast = 0.0 if size is None else factor * size / interval
    return forecast, factor * np.array(fitted)


def _tsb_by_hand(y, alpha_d, alpha_p):
    """Teunter, Syntetos & Babai (2011): SES of the probability (every period) and size."""
    size = probability = None
    fitted = []
    for value in y:
        fitted.append(np.nan if probability is None else probability * (size or 0.0))
        hit = float(value != 0)
        probability = hit if probability is None else probability + alpha_p * (hit - probability)
        if value != 0:
            size = value if size is None else size + alpha_d * (value - size)
    return probability * (size or 0.0), np.array(fitted)


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    frames = []
    for i, n in enumerate([30, 21, 12, 8, 5, 10]):
        y = rng.poisson(3, n) * (rng.random(n) < 0.3)
        if i == 5:
            y[:] = 0  # never a count
        frames.append(pd.DataFrame({"id": f"c{i}", "value": y.astype(float),
                                    "period": pd.period_range(end="2025Q4", periods=n,
                                                              freq="Q")}))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize(("model", "params"), [
    ("Croston", {"alpha": 0.1}), ("Croston", {"alpha": 0.3, "variant": "sba"}),
    ("TSB", {"alpha_d": 0.2, "alpha_p": 0.1}),
])
def test_forecasts_and_fitted_values_follow_the_recursions(counts, model, params):
    fc = getattr(tg.models, model)(**params).fit(counts, keys=["id"])
    out, fitted = fc.predict(3), fc.fitted_values()
    for name, group in counts.groupby("id"):
        y = group["value"].to_numpy()
        if model == "Croston":
            forecast, hand = _croston_by_hand(y, params["alpha"], params.get("variant") == "sba")
        else:
            forecast, hand = _tsb_by_hand(y, params["alpha_d"], params["alpha_p"])
        np.testing.assert_allclose(out.loc[out["id"] == name, "mean"], [forecast] * 3,
                                   rtol=1e-12)
        np.testing.assert_allclose(fitted.loc[fitted["id"] == name, "fitted"], hand,
                                   rtol=1e-12)


def test_tsb_decays_after_the_counts_stop_and_croston_does_not():
    y = np.array([0, 4, 0, 5, 3, 0, 0, 0, 0, 0, 0, 0], dtype=float)
    df = pd.DataFrame({"id": "a", "period": pd.period_range("2022Q1", periods=12, freq="Q"),
                       "value": y})
    tsb = tg.models.TSB(alpha_p=0.3).fit(df, keys=["id"]).predict(1)["mean"].item()
    croston = tg.models.Croston(alpha=0.3).fit(df, keys=["id"]).predict(1)["mean"].item()
    assert tsb < 0.5 * croston


def test_intervals_and_nonnegative_counts(counts):
    out = tg.models.Croston(variant="sba").fit(counts, keys=["id"]).predict(4, level=[80])
    assert (out["lo_80"] >= 0).all() and (out["lo_80"] <= out["mean"]).all()
    assert (out["hi_80"] >= out["mean"]).all()


def test_not_among_auto_default_candidates():
    from talentgap.models.auto import default_candidates

    kinds = {type(model) for model in default_candidates(4).values()}
    assert not kinds & {tg.models.Croston, tg.models.TSB}


@pytest.mark.parametrize(("model", "params", "message"), [
    ("Croston", {"variant": "sbj"}, "variant == 'sbj'"),
    ("Croston", {"alpha": 0.0}, r"alpha == 0\.0, must be a number in \(0, 1\]"),
    ("TSB", {"alpha_p": 1.5}, r"alpha_p == 1\.5"),
    ("TSB", {"alpha_d": "0.1"}, "alpha_d == '0.1'"),
])
def test_parameters_are_checked_at_fit(counts, model, params, message):
    with pytest.raises(ParameterError, match=message):
        getattr(tg.models, model)(**params).fit(counts, keys=["id"])
