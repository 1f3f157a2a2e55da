"""One rule for every ``keys`` argument: a key cannot be a column the call uses otherwise.

``talentgap._arguments.key_list`` is the only home of the rule; each family of public
entry points (forecasters, evaluation, planning, features, hierarchies) names the columns
it reads or writes, and a key naming one is refused with a message that names the
argument, the key and the rule, before any table is laid out.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap._arguments import key_list
from talentgap.errors import ParameterError, PlanningError


def _rule(key: str, role: str) -> str:
    """The message's rule, as a regular expression."""
    return rf"keys == \[.*\] include '{key}': a key cannot be {role} '{key}'"


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    periods = pd.period_range("2010Q1", periods=16, freq="Q")
    return pd.DataFrame([(s, p, 50.0 + i, float(i)) for s in "ab" for i, p in enumerate(periods)],
                        columns=["series_id", "period", "value", "price"])


@pytest.fixture(scope="module")
def surveys() -> pd.DataFrame:
    return pd.DataFrame({
        "period": ["2024Q1"] * 4, "enterprise_id": ["E1", "E2", "E3", "E4"],
        "region": ["North", "North", "South", "South"], "industry": ["textiles"] * 4,
        "employees": [40, 10, 25, 10], "vacancies": [4, 0, 2, 3], "hard_to_fill": [3, 0, 1, 2],
        "reports_shortage": [1, 0, 1, 1]})


# ---- the rule itself ---------------------------------------------------------------------------


def test_key_list_names_the_argument_the_key_and_the_rule():
    with pytest.raises(ParameterError) as info:
        key_list(["region", "period"], time="period", target="value")
    assert str(info.value) == (
        "keys == ['region', 'period'] include 'period': a key cannot be the time column "
        "'period'; keys name only the columns that identify a series or cell, e.g. ['region']")
    with pytest.raises(ParameterError, match=r"^by == \['value'\] include 'value': a key cannot "
                                             r"be the target column 'value'; .*"
                                             r"e\.g\. \['region', 'industry'\]$"):
        key_list(["value"], name="by", time="period", target="value")
    with pytest.raises(ParameterError, match=_rule("sample", "the sample column")):
        key_list(["sample"], reserved={"sample": "the sample column"})


def test_key_list_hint_and_what_passes():
    with pytest.raises(ParameterError, match=r"; copy it: d\.assign\(gap_key=d\['gap'\]\)$"):
        key_list(["gap"], reserved={"gap": "an output column"},
                 hint="copy it: d.assign({key}_key=d['{key}'])")
    # only the call's own columns are reserved; other names, and no reserved set, pass
    assert key_list(["region", "value"], time="period") == ["region", "value"]
    assert key_list(["period"]) == ["period"]
    assert key_list([], time="period", target="value") == []
    with pytest.raises(ParameterError, match=r"must be column names \(str\)"):
        key_list(["region", 3], strings=True)


# ---- forecasters, evaluation, backtests ------------------------------------------------------


@pytest.mark.parametrize(("keys", "key", "role"), [
    (["period"], "period", "the time column"),
    (["series_id", "value"], "value", "the target column"),
    (["series_id", "price"], "price", "a regressor column"),
])
def test_forecaster_fit_refuses_a_key_naming_a_column_it_reads(series, keys, key, role):
    exog = ["price"] if key == "price" else None
    for model in (tg.models.Naive(), tg.models.ETS()):
        with pytest.raises(ParameterError, match=_rule(key, role)):
            model.fit(series, target="value", time="period", keys=keys, exog=exog)
    with pytest.raises(ParameterError, match=_rule(key, role)):
        tg.evaluation.backtest(tg.models.Naive(), series, target="value", keys=keys,
                               exog=exog, horizon=1, n_windows=1)


def test_gap_forecaster_refuses_a_key_naming_a_panel_column():
    panel = pd.DataFrame({"region": "N", "period": pd.period_range("2020", periods=6, freq="Y"),
                          "demand": 10.0, "supply": 4.0})
    with pytest.raises(ParameterError, match=_rule("period", "the time column")):
        tg.models.GapForecaster(keys=("region", "period")).fit(panel)
    with pytest.raises(ParameterError, match=_rule("demand", "the demand column")):
        tg.models.GapForecaster(keys=("demand",)).fit(panel)


@pytest.mark.parametrize(("key", "role"), [("period", "the time column"),
                                           ("mean", "a forecast column"),
                                           ("lo_80", "a forecast column"),
                                           ("metric", "an output column of evaluate")])
def test_evaluate_refuses_a_key_naming_a_column_it_reads_or_writes(series, key, role):
    train = series[series["period"] < pd.Period("2013Q1", freq="Q")]
    fc = tg.models.Naive().fit(train, keys=["series_id"]).predict(4, level=[80])
    with pytest.raises(ParameterError, match=_rule(key, role)):
        tg.evaluation.evaluate(fc, series, train, keys=["series_id", key],
                               metrics=["mae", "coverage"], levels=[80])


def test_evaluate_reads_the_target_only_from_actuals(series):
    train = series[series["period"] < pd.Period("2013Q1", freq="Q")]
    fc = tg.models.Naive().fit(train, keys=["series_id"]).predict(4)
    with pytest.raises(ParameterError, match=_rule("value", "the target column")):
        tg.evaluation.evaluate(fc, series, keys=["value"], metrics=["mae"])
    # a backtest's forecasts carry their actuals: 'actual' is read, the target is not
    res = tg.evaluation.backtest(tg.models.Naive(), series, target="value",
                                 keys=["series_id"], horizon=1, n_windows=2)
    with pytest.raises(ParameterError, match=_rule("actual", "the actual-value column")):
        tg.evaluation.evaluate(res.forecasts, keys=["actual"], metrics=["mae"])
    by_cutoff = tg.evaluation.evaluate(res.forecasts, keys=["series_id", "cutoff"],
                                       metrics=["mae"])
    assert len(by_cutoff) == 4


def test_backtest_refuses_a_key_naming_one_of_its_output_columns(series):
    with pytest.raises(ParameterError, match=_rule("cutoff", "an output column of backtest")):
        tg.evaluation.backtest(tg.models.Naive(), series.assign(cutoff=1), target="value",
                               keys=["series_id", "cutoff"], horizon=1, n_windows=1)


# ---- planning ----------------------------------------------------------------------------------


def test_allocate_quotas_refuses_reserved_keys_as_a_planning_error():
    forecast = pd.DataFrame({"region": ["North", "South"], "period": ["2026", "2026"],
                             "gap": [40.0, 10.0]})
    with pytest.raises(PlanningError, match=_rule("period", "the time column")):
        tg.planning.allocate_quotas(forecast, keys=["region", "period"], budget=1000.0,
                                    cost_per_trainee=100.0, pass_rate=1.0)


def test_workforce_projections_refuse_the_columns_they_project():
    employment = pd.DataFrame({"region": "North", "period": ["2021", "2022", "2023", "2024"],
                               "employment": [980, 1000, 1040, 1100],
                               "skilled": [240, 250, 262, 280]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for keys, key, role in ((["region", "period"], "period", "the time column"),
                                (["region", "skilled"], "skilled", "the skilled column")):
            with pytest.raises(ParameterError, match=_rule(key, role)):
                tg.planning.project_employment(employment, keys=keys, horizon=1,
                                               forecaster=tg.models.Drift())


# ---- features and hierarchies ----------------------------------------------------------------


def test_survey_estimates_refuse_the_time_column_and_their_outputs(surveys):
    with pytest.raises(ParameterError, match=_rule("period", "the time column")):
        tg.features.estimate_cells(surveys, keys=["region", "period"])
    with pytest.raises(ParameterError, match=_rule("demand", "an output column of build_panel")):
        tg.features.build_panel(surveys.assign(demand=1), keys=["demand"])


def test_training_supply_refuses_count_and_time_columns():
    training = pd.DataFrame({"period": ["2024", "2025"], "region": "North",
                             "industry": "textiles", "trained": [10, 12],
                             "certified": [8, 9]})
    with pytest.raises(ParameterError, match=_rule("certified", "a count column")):
        tg.features.training_supply(training, keys=["region", "certified"])
    with pytest.raises(ParameterError, match=_rule("period", "the time column")):
        tg.features.training_supply(training, keys=["period"])


def test_lags_and_hierarchy_totals_refuse_the_time_column():
    panel = pd.DataFrame({"region": ["a", "b"], "industry": "x",
                          "period": pd.PeriodIndex(["2024", "2024"], freq="Y"),
                          "gap": [1.0, 2.0]})
    with pytest.raises(ParameterError, match=_rule("period", "the time column")):
        tg.features.add_lags(panel, keys=["region", "period"])
    with pytest.raises(ParameterError, match=_rule("period", "the time column")):
        tg.features.aggregate(panel, keys=["region", "period"])
    with pytest.raises(ParameterError, match=_rule("gap", "a value column")):
        tg.features.aggregate(panel, keys=["region", "gap"], values=["gap"])
    totals = tg.features.aggregate(panel, keys=["region", "industry"])
    assert np.isclose(totals["gap"].max(), 3.0)
