"""Messages a notebook user meets when pandas / scikit-learn habits differ from talentgap's."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import sklearn.exceptions

import talentgap as tg
from talentgap.errors import NotFittedError, ParameterError


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    rows = [(r, i, p, float(10 * k + j + (k % 3)))
            for k, (r, i) in enumerate([("N", "textiles"), ("S", "robots")])
            for j, p in enumerate(pd.period_range("2020Q1", periods=12, freq="Q"))]
    return pd.DataFrame(rows, columns=["region", "industry", "period", "gap"])


def test_not_fitted_error_is_scikit_learns():
    assert issubclass(NotFittedError, sklearn.exceptions.NotFittedError)
    with pytest.raises(sklearn.exceptions.NotFittedError):
        tg.models.ETS().predict(horizon=2)


def test_what_if_points_the_forecast_argument_to_needs():
    needs = pd.DataFrame({"region": "N", "industry": ["a"], "period": "2026", "gap": [1.0]})
    base = {"gap_forecast": needs, "budget": 1e3, "cost_per_trainee": 10, "pass_rate": 1.0}
    with pytest.raises(ParameterError, match=r"unknown key 'gap_forecast'; did you mean "
                                             r"'needs'\? A base mapping holds the needs table"):
        tg.planning.what_if(base, {"x": {"budget_factor": 1.2}})


def test_error_by_horizon_names_the_metrics_of_the_backtest(history):
    result = tg.evaluation.backtest(tg.models.Naive(), history, target="gap",
                                    keys=["region", "industry"], horizon=2, n_windows=2,
                                    level=[80], metrics=["mae", "coverage"])
    with pytest.raises(ParameterError) as caught:
        tg.evaluation.error_by_horizon(result, metric="coverage")
    message = str(caught.value)
    assert "pass the BacktestResult" not in message
    assert "its metrics are ['mae', 'coverage_80']; did you mean 'coverage_80'?" in message
    with pytest.raises(ParameterError, match="drop by= to plot 'coverage_80'"):
        tg.evaluation.error_by_horizon(result, metric="coverage_80", by="region")
    ax = tg.evaluation.error_by_horizon(result, metric="coverage_80")
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(),
                               result.summary.loc["coverage_80", ["h1", "h2"]].to_numpy(float))
    plt.close(ax.figure)


def test_top_shortages_suggests_value_mean_for_a_forecasters_output(history):
    forecast = tg.models.Naive().fit(history, target="gap", keys=["region", "industry"]
                                     ).predict(horizon=2, level=[80])
    with pytest.raises(ParameterError, match="pass value='mean'"):
        tg.evaluation.top_shortages(forecast)
    ax = tg.evaluation.top_shortages(forecast, value="mean", interval=80)
    assert len(ax.patches) == 2
    plt.close(ax.figure)


@pytest.mark.parametrize(("index", "words"), [
    (["period"], "'period': it is the index, not a column: use df.reset_index()"),
    (["region", "period"], "'region', 'period': they are levels of the index"),
])
def test_fitting_on_an_indexed_table_says_to_reset_the_index(history, index, words):
    with pytest.raises(ParameterError, match="are not in the table") as caught:
        tg.models.Naive().fit(history.set_index(index), target="gap",
                              keys=["region", "industry"])
    assert words in str(caught.value)
