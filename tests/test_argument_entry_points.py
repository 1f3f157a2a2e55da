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
    with pytest.raises(ParameterError, match=r"include 'period': a key cannot be the time column "
                                             r"'period'.*\['region'\]"):
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


# ---- the rules reach features, plots, synthetic data, the gap model and the report -----------


@pytest.fixture(scope="module")
def training() -> pd.DataFrame:
    return pd.DataFrame({"period": ["2024Q1"] * 2, "region": ["North", "South"],
                         "industry": "textiles", "trained": [10, 8], "certified": [8, 6]})


def test_whole_numbers_of_supply_raking_plots_and_synthetic_data(training, panel):
    with pytest.raises(ParameterError, match=r"^lead_time == 1\.0, must be an integer >= 0 "
                                             r"\(periods\) or a DataFrame .*\(write 1\)$"):
        tg.features.training_supply(training, lead_time=1.0)
    with pytest.raises(ParameterError, match="^max_iter" + _FLOAT.format(minimum=1)):
        tg.features.calibrate_weights(panel, panel, margins=["region"], max_iter=2.0)
    ranked = panel.assign(gap_lo_80=panel["gap"] - 1, gap_hi_80=panel["gap"] + 1)
    with pytest.raises(ParameterError, match="^n" + _FLOAT.format(minimum=1)):
        tg.evaluation.plots.top_shortages(ranked, n=2.0, interval=80)
    for name in ("n_regions", "industries", "n_periods", "enterprises_per_cell"):
        with pytest.raises(ParameterError, match=f"^{name}" + _FLOAT.format(minimum=1)):
            tg.datasets.make_synthetic(**{name: 2.0})
    with pytest.raises(ParameterError, match="^lead_time" + _FLOAT.format(minimum=0)):
        tg.datasets.make_synthetic(lead_time=2.0)


def test_whole_numbers_of_the_gap_model(panel):
    with pytest.raises(ParameterError, match=r"^n_samples == 2\.0, must be an integer >= 1 "
                                             r"\(e\.g\. 1000\) \(write 2\)$"):
        tg.models.GapForecaster(n_samples=2.0).fit(panel)
    with pytest.raises(ParameterError, match=r"^horizon == 2\.0, must be an integer >= 1 \(the "
                                             r"longest horizon .*\) or None \(write 2\)$"):
        tg.models.GapForecaster(horizon=2.0).fit(panel)
    with pytest.raises(ParameterError, match=r"^random_state == 1\.0, must be an integer >= 0"):
        tg.models.GapForecaster(random_state=1.0).fit(panel)


def test_keys_of_supply_and_of_the_gap_model(training, panel):
    twice = r"names 'region' more than once; each key column is named once"
    with pytest.raises(ParameterError, match=twice):
        tg.features.training_supply(training, keys=["region", "region"])
    with pytest.raises(ParameterError, match=twice):
        tg.models.GapForecaster(keys=["region", "region"]).fit(panel)
    one = r"^keys == 'region' is one string; pass a list of column names"
    with pytest.raises(ParameterError, match=one):
        tg.features.training_supply(training, keys="region")
    with pytest.raises(ParameterError, match=one):
        tg.models.GapForecaster(keys="region").fit(panel)
    with pytest.raises(ParameterError, match=r"^keys == \[\], must name at least one column"):
        tg.models.GapForecaster(keys=[]).fit(panel)


def test_survey_intervals_and_report_tables_label_a_level_alike(panel):
    from talentgap._arguments import interval_columns
    from talentgap.cli._wording import column_header
    from talentgap.cli.outputs import top_shortages_table

    cells = tg.features.estimate_cells(tg.datasets.make_synthetic(
        n_regions=1, industries=2, n_periods=2, seed=3).surveys)
    out = tg.features.confidence_interval(cells, "demand", level=12.3456789)
    assert list(out.columns) == ["demand_lo_12.3457", "demand_hi_12.3457"]
    assert "12.3457% interval" in column_header("gap_lo_12.3457")
    assert "97.5%" in column_header("coverage_97.5")
    assert column_header("gap_lo_x") == "Gap lo x"  # not a level: no level in words
    forecast = panel.assign(gap=1.0, gap_lo_12_old=0.0, p_shortage=0.5, flag="",
                            **dict(zip(interval_columns(12.3456789, "gap"),
                                       (0.0, 2.0), strict=True)))
    table = top_shortages_table(forecast, keys=["region", "industry"], n=1)
    assert [c for c in table.columns if c.startswith("gap_")] == [
        "gap_lo_12.3457", "gap_hi_12.3457"]


def test_whole_numbers_of_a_budget_curve_and_a_report_table():
    needs = pd.DataFrame({"region": ["A", "B"], "industry": "x", "period": "2026",
                          "gap": [10.0, 5.0]})
    with pytest.raises(ParameterError, match=r"^budgets == 5\.0, must be an integer >= 2 "
                                             r"\(points of the curve\) or a list of budgets "
                                             r"\(write 5\)$"):
        tg.planning.budget_curve(needs, 5.0, cost_per_trainee=10, pass_rate=0.8)
    with pytest.raises(ParameterError, match=r"^budgets == 1, must be an integer >= 2"):
        tg.planning.budget_curve(needs, 1, cost_per_trainee=10, pass_rate=0.8)
    from talentgap.report import Report

    with pytest.raises(ParameterError, match=r"^max_rows == 2\.0, must be an integer >= 1 or "
                                             r"None \(write 2\)$"):
        Report("t").add_table(needs, max_rows=2.0)
