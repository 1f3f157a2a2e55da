"""GlobalBoosting warns when a future regressor leaves the range it was trained on."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning

N, T, H = 4, 24, 3


def _tables(shift: float):
    rng = np.random.default_rng(0)
    periods = pd.period_range("2015Q1", periods=T + H, freq="Q")
    x = rng.uniform(0, 1, (N, T + H))
    x[:, T:] = np.clip(x[:, T:], 0.1, 0.9) + shift
    y = 50 + 5 * x + rng.normal(0, 0.5, (N, T + H))
    full = pd.DataFrame({"id": np.repeat(np.arange(N), T + H), "period": np.tile(periods, N),
                         "x": x.ravel(), "calm": np.tile(np.linspace(0, 1, T + H), N) * 0.5,
                         "value": y.ravel()})
    train = full[full["period"] <= periods[T - 1]]
    future = full[full["period"] > periods[T - 1]].drop(columns="value")
    return train, future, x[:, :T]


def _fit(train):
    return tg.models.GlobalBoosting(max_iter=10, min_samples_leaf=5).fit(
        train, keys=["id"], exog=["x", "calm"])


def test_a_shifted_regressor_is_named_with_how_far_it_goes():
    train, future, history = _tables(shift=3.0)
    with pytest.warns(DataQualityWarning) as record:
        _fit(train).predict(H, future=future)
    messages = [str(w.message) for w in record if "training range" in str(w.message)]
    assert len(messages) == 2  # one per column: the trend 'calm' leaves its range too
    shifted = next(m for m in messages if "column 'x'" in m)
    beyond = float((future["x"] - history.max()).max())
    assert f"up to {beyond:.6g} beyond it" in shifted
    assert f"for {N * H} of {N * H} series-periods" in shifted
    trend = next(m for m in messages if "column 'calm'" in m)
    assert f"up to {0.5 * H / (T + H - 1):.6g} beyond it" in trend


def test_no_warning_inside_the_range():
    train, future, _ = _tables(shift=0.0)
    future = future.assign(calm=0.2)
    fitted = _fit(train)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        out = fitted.predict(H, future=future)
    assert len(out) == N * H
