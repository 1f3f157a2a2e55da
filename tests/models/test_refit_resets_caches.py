"""Fitting an estimator again forgets what was derived from its previous fit."""

import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning


def _table(n_series: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    periods = pd.period_range("2018Q1", periods=20, freq="Q")
    return pd.DataFrame({"id": np.repeat([f"s{i}" for i in range(n_series)], 20),
                         "period": np.tile(periods, n_series),
                         "value": rng.poisson(50, 20 * n_series).astype(float)})


@pytest.mark.parametrize("make", [tg.models.Naive, tg.models.ETS, tg.models.Theta,
                                  tg.models.AutoForecaster])
def test_refitting_on_other_series_gives_the_fresh_models_intervals(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        model = make(season_length=4)
        model.fit(_table(3, 0), keys=["id"]).predict(4, level=[80])   # fills the caches
        second = _table(2, 1)
        again = model.fit(second, keys=["id"]).predict(4, level=[80])
        fresh = make(season_length=4).fit(second, keys=["id"]).predict(4, level=[80])
    pd.testing.assert_frame_equal(again, fresh)


def test_refitting_a_gap_model_gives_the_fresh_models_paths():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        panel, other = (tg.features.build_panel(data.surveys, data.training, lead_time=1)
                        for data in (tg.datasets.make_synthetic(n_regions=r, industries=2,
                                                                n_periods=16, seed=r)
                                     for r in (2, 3)))
        model = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50,
                                        random_state=0)
        model.fit(panel).predict(2)
        again = model.fit(other).predict(2)
        fresh = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50,
                                        random_state=0).fit(other).predict(2)
    pd.testing.assert_frame_equal(again, fresh)
