"""Public entry points apply the shared argument rules of talentgap._arguments alike.

A whole number, a ``keys`` list and an interval level get the same answer and the
same message whether they go to a model, a metric, a feature, a backtest or a
planning function.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import ParameterError

_FLOAT = r" == 2\.0, must be an integer >= {minimum} \(write 2\)$"


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    values = [1, 3, 2, 5, 4, 6, 5, 8, 7, 9, 8, 11, 10, 12]
    return pd.DataFrame({"series_id": "a", "value": values,
                         "period": pd.period_range("2010", periods=len(values), freq="Y")})


@pytest.fixture(scope="module")
def employment() -> pd.DataFrame:
    return pd.DataFrame({"region": "North", "industry": "textiles",
                         "period": ["2021", "2022", "2023", "2024"],
                         "employment": [980, 1000, 1040, 1100], "skilled": [240, 250, 262, 280]})


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    data = tg.datasets.make_synthetic(n_regions=1, industries=2, n_periods=10, seed=3)
    return tg.features.build_panel(data.surveys, data.training)


@pytest.fixture(scope="module")
def drift(series):
    return tg.models.Drift().fit(series, keys=["series_id"])


def _project(employment, **kwargs):
    arguments = {"horizon": 1, "level": None, "forecaster": tg.models.Drift(), **kwargs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tg.planning.project_employment(employment, **arguments)


# ---- whole numbers ---------------------------------------------------------------------------


def test_predict_horizon(drift):
    assert len(drift.predict(horizon=np.int64(2))) == 2
    with pytest.raises(ParameterError, match="^horizon" + _FLOAT.format(minimum=1)):
        drift.predict(horizon=2.0)


def test_project_employment_horizon_follows_predict(employment):
    assert len(_project(employment, horizon=np.int64(2))) == 2
    with pytest.raises(ParameterError, match="^horizon" + _FLOAT.format(minimum=1)):
        _project(employment, horizon=2.0)
    with pytest.raises(ParameterError, match=r"^horizon == True, must be an integer >= 1$"):
        _project(employment, horizon=True)


def test_season_length_in_mase_and_in_a_model(series):
    y = np.arange(10.0)
    assert tg.evaluation.mase(y[8:], y[8:] + 1, y_train=y[:8], season_length=np.int64(2)) == 0.5
    model = tg.models.Drift(season_length=np.int64(2)).fit(series, keys=["series_id"])
    assert model.season_length_ == 2
    for value, shown in [(2.0, r"2\.0, must be an integer >= 1 \(write 2\)$"),
                         (True, r"True, must be an integer >= 1$"),
                         ("2", r"'2', must be an integer >= 1$")]:
        with pytest.raises(ParameterError, match="^season_length == " + shown):
            tg.evaluation.mase(y[8:], y[8:], y_train=y[:8], season_length=value)
        with pytest.raises(ParameterError, match="^season_length == " + shown):
            tg.models.Drift(season_length=value).fit(series, keys=["series_id"])


@pytest.mark.parametrize(("lags", "shown"), [
    (2.0, r"2\.0, must be an integer >= 1 \(write 2\)$"),
    (True, r"True, must be an integer >= 1$"),
    ("2", r"'2', must be an integer >= 1$"),
    ([1.0, 2], r"\[1\.0, 2\], must be integers >= 1; 1\.0 is not \(write 1\)$"),
])
def test_add_lags_and_global_boosting_lags(panel, series, lags, shown):
    out = tg.features.add_lags(panel, columns="gap", lags=[np.int64(1), 2])
    assert {"gap_lag1", "gap_lag2"} <= set(out.columns)
    with pytest.raises(ParameterError, match="^lags == " + shown):
        tg.features.add_lags(panel, columns="gap", lags=lags)
    with pytest.raises(ParameterError, match="^lags == " + shown):
        tg.models.GlobalBoosting(lags=lags).fit(series, keys=["series_id"])


def test_n_windows_of_a_model_and_of_a_backtest(series):
    assert tg.models.Drift(n_windows=np.int64(2)).fit(series, keys=["series_id"]).n_windows == 2
    with pytest.raises(ParameterError, match="^n_windows" + _FLOAT.format(minimum=0)):
        tg.models.Drift(n_windows=2.0).fit(series, keys=["series_id"])
    with pytest.raises(ParameterError, match="^n_windows" + _FLOAT.format(minimum=1)):
        tg.evaluation.backtest(tg.models.Drift(), series, target="value", keys=["series_id"],
                               horizon=1, n_windows=2.0)


# ---- keys ------------------------------------------------------------------------------------


def test_one_key_as_a_string_gets_one_message(employment, series, panel):
    message = r"^keys == 'region' is one string; pass a list of column names, e\.g\. \['region'\]"
    with pytest.raises(ParameterError, match=message):
        _project(employment, keys="region")
    with pytest.raises(ParameterError, match=message):
        tg.features.add_lags(panel, keys="region")
    with pytest.raises(ParameterError, match=message.replace("region", "series_id")):
        tg.models.Drift().fit(series, keys="series_id")


def test_keys_none_is_a_parameter_error(employment):
    with pytest.raises(ParameterError, match=r"^keys == None, must be a list of column names"):
        _project(employment, keys=None)


def test_a_key_named_twice_is_refused_everywhere(employment, series):
    twice = ["series_id", "series_id"]
    message = r"names 'series_id' more than once; each key column is named once"
    with pytest.raises(ParameterError, match=message):
        tg.models.Drift().fit(series, keys=twice)
    with pytest.raises(ParameterError, match=message):
        tg.evaluation.backtest(tg.models.Drift(), series, target="value", keys=twice,
                               horizon=1, n_windows=1)
    with pytest.raises(ParameterError, match=message.replace("series_id", "region")):
        _project(employment, keys=["region", "region"])


def test_period_is_not_a_planning_key(employment):
    with pytest.raises(ParameterError, match=r"include 'period', the time column.*\['region'\]"):
        _project(employment, keys=["region", "period"])
    assert list(_project(employment, keys=["region"]).columns[:2]) == ["region", "period"]


# ---- interval levels and their columns -------------------------------------------------------


def test_levels_that_would_share_or_lose_a_column_are_refused(drift, series):
    with pytest.raises(ParameterError, match=r"both give the columns lo_80/hi_80"):
        drift.predict(2, level=[80, 80.0000001])
    with pytest.raises(ParameterError, match=r"would be labelled 100 in column names"):
        drift.predict(2, level=[99.9999999])
    with pytest.raises(ParameterError, match=r"both give the columns lo_80/hi_80"):
        tg.evaluation.backtest(tg.models.Drift(), series, target="value", keys=["series_id"],
                               horizon=1, n_windows=2, level=[80, 80.0000001])


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_every_table_labels_a_level_alike(drift, series, panel):
    level = [97.5, 12.3456789]
    out = drift.predict(2, level=level)
    assert [c for c in out.columns if c[:3] in ("lo_", "hi_")] == [
        "lo_12.3457", "hi_12.3457", "lo_97.5", "hi_97.5"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = tg.evaluation.backtest(tg.models.Drift(), series, target="value",
                                     keys=["series_id"], horizon=1, n_windows=3, level=level,
                                     metrics=["coverage"])
        gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50,
                                      random_state=0).fit(panel).predict(1, level=[97.5])
    assert {"lo_12.3457", "hi_97.5"} <= set(res.forecasts.columns)
    assert {"coverage_12.3457", "coverage_97.5"} <= set(res.metrics["metric"])
    assert {"gap_lo_97.5", "gap_hi_97.5", "demand_lo_97.5", "supply_hi_97.5"} <= set(gap.columns)
