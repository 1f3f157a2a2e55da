"""Intervals of series that never changed: their point forecast, for every model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.models._conformal import (
    calibration_scales,
    conformal_quantiles,
    interval_bounds,
    never_changed,
    series_scale,
)

PERIODS = pd.period_range("2015Q1", periods=40, freq="Q")
BOUNDS = ["lo_80", "hi_80", "lo_95", "hi_95"]


def _moving() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.concat([
        pd.DataFrame({"id": "noisy", "period": PERIODS,
                      "y": 100 + rng.normal(0, 10, 40).round()}),
        pd.DataFrame({"id": "trending", "period": PERIODS,
                      "y": 50 + rng.normal(0, 5, 40).round() + np.arange(40)}),
    ], ignore_index=True)


def _flat(value: float = 40.0, name: str = "flat") -> pd.DataFrame:
    return pd.DataFrame({"id": name, "period": PERIODS, "y": value})


MODELS = [tg.models.Naive, tg.models.SeasonalNaive, tg.models.Drift, tg.models.Mean,
          tg.models.ETS, tg.models.Theta]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_series_that_never_changed_gets_its_point_forecast(model):
    # 40 quarters at exactly 40: Naive's 80% interval was 20.8 .. 60.3, ETS's about +-3
    df = pd.concat([_flat(), _flat(0.0, "zeros"), _moving()], ignore_index=True)
    out = model().fit(df, target="y", keys=["id"]).predict(horizon=4, level=[80, 95])
    for name, value in (("flat", 40.0), ("zeros", 0.0)):
        rows = out[out["id"] == name]
        assert (rows["mean"] == value).all()
        for column in BOUNDS:
            np.testing.assert_array_equal(rows[column], value)
    moving = out[out["id"] == "noisy"]
    assert (moving["hi_80"] - moving["lo_80"] > 5).all()


@pytest.mark.parametrize("model", [tg.models.Naive, tg.models.Drift, tg.models.SeasonalNaive,
                                   tg.models.ETS], ids=lambda m: m.__name__)
def test_a_series_that_never_changed_leaves_the_others_intervals_alone(model):
    # its errors are 0 at scale 0: they stay out of the pool and its median
    alone = model().fit(_moving(), target="y", keys=["id"]).predict(4, level=[80, 95])
    df = pd.concat([_flat(), _moving()], ignore_index=True)
    mixed = model().fit(df, target="y", keys=["id"]).predict(4, level=[80, 95])
    mixed = mixed[mixed["id"] != "flat"].reset_index(drop=True)
    pd.testing.assert_frame_equal(mixed[BOUNDS], alone[BOUNDS])


def test_every_series_flat():
    df = pd.concat([_flat(), _flat(-30.0, "negative")], ignore_index=True)
    out = tg.models.Naive().fit(df, target="y", keys=["id"]).predict(3, level=[80])
    np.testing.assert_array_equal(out["lo_80"], out["mean"])
    np.testing.assert_array_equal(out["hi_80"], out["mean"])


def test_never_changed_needs_two_seasons_and_no_change():
    nan = np.nan
    values = np.array([
        [40.0] * 12,                          # flat
        [nan] * 5 + [40.0] * 7,               # 7 < 8 observations: too short to tell
        [40.0] * 11 + [41.0],                 # moved once
        [0.1 + 0.2] * 6 + [0.3] * 6,          # equal up to rounding
        [10.0, 20, 30, 40] * 3,               # seasonal changes 0, moves every quarter
        [40.0, 40, nan, 41, 41, 41, 41, 41, 41, 41, 41, 41],  # changed across a gap
    ])
    assert never_changed(values, 4).tolist() == [True, False, False, True, False, False]
    scale = series_scale(values, 4)
    assert scale[0] == 0.0 and scale[3] == 0.0
    assert scale[1] == 40.0                   # the level fallback, as before
    assert (scale[[2, 4, 5]] > 0).all()


def test_calibration_scales_and_bounds_of_a_flat_series():
    values = np.vstack([np.full(12, 5.0), np.arange(12.0) ** 1.5])
    errors = np.zeros((2, 3, 2))
    errors[1] = [[1.0, -2.0], [0.5, 1.5], [-1.0, 2.5]]
    scale = calibration_scales(errors, values, 1)
    assert (scale[0] == 0).all() and (scale[1] > 0).all()
    quantiles = conformal_quantiles(errors, scale, [80])
    alone = conformal_quantiles(errors[1:], scale[1:], [80])
    np.testing.assert_array_equal(quantiles[80][0], alone[80][0])
    np.testing.assert_array_equal(quantiles[80][1], alone[80][1])
    nan_quantiles = {80: (np.full(2, np.nan), np.full(2, np.nan))}
    lo, hi = interval_bounds(np.full((1, 2), 5.0), np.zeros(1), nan_quantiles, False)[80]
    assert lo.tolist() == hi.tolist() == [[5.0, 5.0]]
