"""The benchmark forecasters, on cases small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, ParameterError
from talentgap.models.baselines import Drift, Mean, Naive, SeasonalNaive


def long(series: dict[str, list[float]], freq: str = "Q", end: str | None = None
         ) -> pd.DataFrame:
    end = end or {"Q": "2024Q4", "Y": "2024", "M": "2024-12"}[freq]
    return pd.concat([pd.DataFrame({"id": key, "period": pd.period_range(
        end=end, periods=len(y), freq=freq), "value": np.asarray(y, dtype=np.float64)})
        for key, y in series.items()], ignore_index=True)


def means(model, df: pd.DataFrame, horizon: int) -> dict[str, list[float]]:
    out = model.fit(df, keys=["id"]).predict(horizon)
    return {key: group["mean"].tolist() for key, group in out.groupby("id")}


def test_naive_repeats_the_last_value():
    df = long({"a": [3.0, 5.0, 4.0, 6.0], "b": [2.0]})
    assert means(Naive(), df, 3) == {"a": [6.0] * 3, "b": [2.0] * 3}


def test_seasonal_naive_repeats_the_last_season():
    df = long({"a": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10]})  # ends in Q4 with 7, 8, 9, 10
    assert means(SeasonalNaive(), df, 6) == {"a": [7.0, 8.0, 9.0, 10.0, 7.0, 8.0]}
    monthly = long({"a": list(range(1, 25))}, freq="M")
    assert means(SeasonalNaive(), monthly, 13)["a"] == [*range(13, 25), 13]
    assert means(SeasonalNaive(season_length=2), df, 3) == {"a": [9.0, 10.0, 9.0]}


def test_seasonal_naive_falls_back_on_short_series():
    df = long({"short": [4.0, 6.0, 5.0], "long": [1.0, 2, 3, 4, 5]})
    model = SeasonalNaive().fit(df, keys=["id"])
    out = model.predict(2)
    # three observations: the naive fallback takes the last value (the mean below three)
    assert out.loc[out["id"] == "short", "mean"].tolist() == [5.0, 5.0]
    summary = model.fitted_summary_.set_index("id")
    assert summary.loc["short", "model"] == "Naive"
    assert summary.loc["short", "fallback_reason"] == (
        "SeasonalNaive needs 4 observations; naive forecast")
    assert summary.loc["long", "model"] == "SeasonalNaive"
    assert summary.loc["long", "fallback_reason"] is None


def test_drift_extends_the_line_through_first_and_last():
    df = long({"a": [1.0, 2.0, 5.0], "b": [10.0, 4.0, 7.0, 1.0]}, freq="Y")
    # a: 5 + h * (5 - 1) / 2; b: 1 + h * (1 - 10) / 3
    assert means(Drift(nonnegative=False), df, 2) == {"a": [7.0, 9.0], "b": [-2.0, -5.0]}
    model = Drift(nonnegative=False).fit(df, keys=["id"])
    assert model.fitted_summary_["slope"].tolist() == [2.0, -3.0]


def test_drift_uses_interpolated_gaps_and_falls_back_below_two_observations():
    df = long({"a": [2.0, 4.0, 6.0, 8.0], "b": [3.0]})
    df = df.drop(index=1)  # a: 2, _, 6, 8 -> slope (8 - 2) / 3
    model = Drift().fit(df, keys=["id"])
    out = model.predict(2)
    assert out.loc[out["id"] == "a", "mean"].tolist() == [10.0, 12.0]
    assert out.loc[out["id"] == "b", "mean"].tolist() == [3.0, 3.0]
    assert model.fitted_summary_.loc[1, "fallback_reason"] == (
        "Drift needs 2 observations; naive forecast")
    assert model.fitted_summary_["n_interpolated"].tolist() == [1, 0]


def test_mean_is_the_series_mean():
    df = long({"a": [1.0, 2.0, 6.0], "b": [4.0, 4.0, 4.0, 8.0]})
    assert means(Mean(), df, 2) == {"a": [3.0, 3.0], "b": [5.0, 5.0]}


def test_naive_intervals_by_hand():
    # A line of slope 1: the naive forecast from every origin misses step h by exactly h.
    # The scale (mean |y_t - y_t-1|, annual so m = 1) is 1, so with one series and five
    # origins the 80% quantile (rank ceil(6 * 0.8) = 5 of 5) at step h is h; for 95%,
    # rank 6 > 5: the largest error is used, with a warning.
    df = long({"a": list(range(10))}, freq="Y")
    model = Naive(n_windows=5).fit(df, keys=["id"])
    assert model.nonnegative_ is True  # whole numbers >= 0
    np.testing.assert_array_equal(model.cv_errors(3)[0], np.tile([1.0, 2.0, 3.0], (5, 1)))
    with pytest.warns(DataQualityWarning, match=r"too few rolling-origin errors for 95%"):
        out = model.predict(3, level=[80, 95])
    assert out["mean"].tolist() == [9.0, 9.0, 9.0]
    assert out["lo_80"].tolist() == [8.0, 7.0, 6.0]
    assert out["hi_80"].tolist() == [10.0, 11.0, 12.0]
    assert out["lo_95"].tolist() == [8.0, 7.0, 6.0]
    # the same line going down to 0: the lower bounds 0 - h are clipped for count data
    down = long({"a": list(range(9, -1, -1))}, freq="Y")
    out = Naive(n_windows=5).fit(down, keys=["id"]).predict(3, level=[80])
    assert out["mean"].tolist() == [0.0, 0.0, 0.0]
    assert out["lo_80"].tolist() == [0.0, 0.0, 0.0]
    assert out["hi_80"].tolist() == [1.0, 2.0, 3.0]
    unclipped = Naive(n_windows=5, nonnegative=False).fit(down, keys=["id"])
    assert unclipped.predict(3, level=[80])["lo_80"].tolist() == [-1.0, -2.0, -3.0]
    # a horizon no origin can be backtested at: intervals are refused, not guessed
    with pytest.raises(ParameterError, match="too short for any 10-step backtest"):
        Naive().fit(df, keys=["id"]).predict(10, level=[80])


def test_origins_too_short_are_left_out_of_the_backtest():
    df = long({"a": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}, freq="Y")
    errors = Drift(n_windows=5).fit(df, keys=["id"]).cv_errors(2)
    # origins k hold out 2 + k values: k = 0..2 leave 4, 3, 2 values (Drift needs 2)
    np.testing.assert_allclose(errors[0, :3], np.zeros((3, 2)), atol=1e-12)
    assert np.isnan(errors[0, 3:]).all()


@pytest.mark.parametrize(("params", "message"), [
    ({"season_length": 0}, "season_length == 0, must be an integer >= 1"),
    ({"season_length": 2.5}, "season_length == 2.5"),
    ({"n_windows": -1}, "n_windows == -1, must be an integer >= 0"),
    ({"nonnegative": "yes"}, "nonnegative == 'yes'"),
    ({"n_jobs": 0}, "n_jobs == 0, must be a non-zero integer"),
])
def test_parameters_are_stored_unchanged_and_checked_at_fit(params, message):
    model = Naive(**params)
    for name, value in params.items():
        assert getattr(model, name) == value
    with pytest.raises(ParameterError, match=message):
        model.fit(long({"a": [1.0, 2.0, 3.0]}), keys=["id"])


def test_predict_arguments_are_checked():
    model = Naive().fit(long({"a": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]}), keys=["id"])
    with pytest.raises(ParameterError, match="horizon == 0, must be an integer >= 1"):
        model.predict(0)
    with pytest.raises(ParameterError, match="horizon == 2.0"):
        model.predict(2.0)
    with pytest.raises(ParameterError, match="every level must be in"):
        model.predict(2, level=[80, 100])
    without_windows = Naive(n_windows=0).fit(long({"a": [1.0, 2.0, 3.0]}), keys=["id"])
    assert len(without_windows.predict(2)) == 2
    with pytest.raises(ParameterError, match="n_windows == 0"):
        without_windows.predict(2, level=[80])
