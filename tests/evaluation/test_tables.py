"""``evaluate``: metrics per series of long forecast tables, against hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, ParameterError, SchemaError
from talentgap.evaluation.metrics import METRICS, pinball
from talentgap.evaluation.tables import evaluate


def _tables():
    fc = pd.DataFrame({"id": ["a", "a", "b", "b"],
                       "period": pd.PeriodIndex(["2024", "2025", "2024", "2025"], freq="Y"),
                       "mean": [4.0, 4.0, 10.0, 11.0],
                       "lo_80": [3.0, 2.0, 9.0, 9.0], "hi_80": [5.0, 6.0, 11.0, 13.0]})
    actual = pd.DataFrame({"id": ["b", "a", "a", "b"], "period": ["2024", "2024", "2025", "2025"],
                           "value": [12.0, 3.0, 5.0, 11.0]})
    train = pd.DataFrame({"id": ["a"] * 4 + ["b"] * 3,
                          "period": ["2020", "2021", "2022", "2023", "2021", "2022", "2023"],
                          "value": [1.0, 2.0, 4.0, 7.0, 10.0, 14.0, 12.0]})
    return fc, actual, train


def test_evaluate_matches_the_metric_functions_per_series():
    fc, actual, train = _tables()
    names = ["mae", "rmse", "smape", "mase", "rmsse", "bias", "coverage", "interval_score"]
    out = evaluate(fc, actual, train, keys=["id"], metrics=names, levels=[80])
    assert list(out.columns) == ["id", "metric", "value", "n"]
    labels = ["mae", "rmse", "smape", "mase", "rmsse", "bias", "coverage_80",
              "interval_score_80"]
    assert out["metric"].unique().tolist() == labels
    merged = fc.merge(actual.assign(period=pd.PeriodIndex(actual["period"], freq="Y")),
                      on=["id", "period"])
    for sid, rows in merged.groupby("id"):
        y_train = train.loc[train["id"] == sid, "value"].to_numpy()
        for name, label in zip(names, labels, strict=True):
            expected = METRICS[name](rows["value"], rows["mean"], y_train=y_train,
                                     lower=rows["lo_80"], upper=rows["hi_80"], level=80)
            got = out.loc[(out["id"] == sid) & (out["metric"] == label), "value"].item()
            assert got == pytest.approx(expected), (sid, label)


def test_evaluate_hand_values():
    fc, actual, train = _tables()
    out = evaluate(fc, actual, train, keys=["id"], metrics=["mase", "coverage"])
    value = out.set_index(["id", "metric"])["value"]
    # a: errors 1, 1; scale mean(1, 2, 3) = 2 -> 0.5.  b: errors 2, 0; scale mean(4, 2) = 3
    assert value[("a", "mase")] == 0.5
    assert value[("b", "mase")] == pytest.approx(1 / 3)
    # a: 3 in [3, 5], 5 in [2, 6];  b: 12 above [9, 11], 11 in [9, 13]
    assert value[("a", "coverage_80")] == 1.0
    assert value[("b", "coverage_80")] == 0.5


def test_evaluate_scale_follows_periods_not_row_positions():
    fc = pd.DataFrame({"period": ["2024"], "mean": [10.0]})
    actual = pd.DataFrame({"period": ["2024"], "value": [12.0]})
    # 2022 is missing: only the 2020 -> 2021 step counts (scale 1), not 2021 -> 2023
    train = pd.DataFrame({"period": ["2023", "2020", "2021"], "value": [10.0, 1.0, 2.0]})
    out = evaluate(fc, actual, train, keys=[], metrics=["mase"])
    assert out["value"].item() == 2.0


def test_evaluate_uses_actual_column_when_no_actuals_table():
    fc, _, _ = _tables()
    fc["actual"] = [3.0, 5.0, np.nan, 11.0]
    out = evaluate(fc, keys=["id"], metrics=["mae"])
    assert out["value"].tolist() == [1.0, 0.0]
    assert out["n"].tolist() == [2, 1]


def test_evaluate_pinball_is_mean_loss_of_the_two_bounds():
    fc, actual, _ = _tables()
    out = evaluate(fc, actual, keys=["id"], metrics=["pinball"], levels=[80])
    a_rows = out.loc[out["id"] == "a", "value"].item()
    lo = pinball([3.0, 5.0], [3.0, 2.0], quantile=0.1)
    hi = pinball([3.0, 5.0], [5.0, 6.0], quantile=0.9)
    assert a_rows == pytest.approx((lo + hi) / 2)


def test_evaluate_is_vectorised_over_many_series():
    rng = np.random.default_rng(0)
    n, h = 3000, 4
    ids = np.repeat(np.arange(n), h)
    periods = np.tile(pd.period_range("2024Q1", periods=h, freq="Q"), n)
    fc = pd.DataFrame({"sid": ids, "period": periods, "mean": rng.normal(size=n * h)})
    actual = fc.assign(value=fc["mean"] + 1.0).drop(columns="mean")
    out = evaluate(fc, actual, keys=["sid"], metrics=["mae", "bias"])
    assert out.shape == (2 * n, 4)
    assert np.allclose(out.loc[out["metric"] == "mae", "value"], 1.0)
    assert np.allclose(out.loc[out["metric"] == "bias", "value"], -1.0)


def test_evaluate_errors():
    fc, actual, train = _tables()
    with pytest.raises(ParameterError, match="need train="):
        evaluate(fc, actual, keys=["id"], metrics=["mase"])
    with pytest.raises(ParameterError, match="did you mean 'smape'"):
        evaluate(fc, actual, train, keys=["id"], metrics=["smap"])
    with pytest.raises(ParameterError, match="need a coverage level"):
        evaluate(fc, actual, keys=["id"], metrics=["coverage"], levels=None)
    with pytest.raises(ParameterError, match="'lo_95'"):
        evaluate(fc, actual, keys=["id"], metrics=["coverage"], levels=[95])
    with pytest.raises(SchemaError, match="repeated"):
        evaluate(fc, pd.concat([actual, actual]), keys=["id"], metrics=["mae"])
    quarterly = actual.assign(period=["2024Q1"] * 2 + ["2024Q2"] * 2)
    with pytest.raises(SchemaError, match="frequency"):
        evaluate(fc, quarterly, keys=["id"], metrics=["mae"])


def test_evaluate_warns_about_forecasts_without_actuals():
    fc, actual, _ = _tables()
    with pytest.warns(DataQualityWarning, match="1 of 4 forecast rows have no actual"):
        out = evaluate(fc, actual.iloc[1:], keys=["id"], metrics=["mae"])
    assert out["n"].tolist() == [2, 1]


def test_evaluate_default_scale_lag_is_the_seasonal_lag_of_quarters():
    train = pd.DataFrame({"period": pd.period_range("2023Q1", periods=8, freq="Q"),
                          "value": [1.0, 2.0, 3.0, 4.0, 3.0, 5.0, 6.0, 8.0]})
    fc = pd.DataFrame({"period": ["2025Q1", "2025Q2"], "mean": [10.0, 10.0]})
    actual = pd.DataFrame({"period": ["2025Q1", "2025Q2"], "value": [13.0, 7.0]})
    out = evaluate(fc, actual, train, keys=[], metrics=["mase", "rmsse"])
    value = out.set_index("metric")["value"]
    # lag-4 differences 3-1, 5-2, 6-3, 8-4 = 2, 3, 3, 4: scales 3 (abs) and 38/4 (squares)
    assert value["mase"] == pytest.approx(3.0 / 3.0)
    assert value["rmsse"] == pytest.approx(np.sqrt(9.0 / 9.5))
    lag1 = evaluate(fc, actual, train, keys=[], metrics=["mase"], season_length=1)
    # lag-1 differences 1, 1, 1, -1, 2, 1, 2: mean |.| = 9/7
    assert lag1["value"].item() == pytest.approx(3.0 / (9.0 / 7.0))


def test_evaluate_interval_score_hand_values():
    fc, actual, _ = _tables()
    out = evaluate(fc, actual, keys=["id"], metrics=["interval_score"], levels=[80])
    value = out.set_index("id")["value"]
    # a: both inside, widths 2 and 4.  b: 12 above [9, 11] by 1 -> 2 + (2/0.2)*1; then width 4
    assert value["a"] == pytest.approx(3.0)
    assert value["b"] == pytest.approx((12.0 + 4.0) / 2)
    assert out["metric"].unique().tolist() == ["interval_score_80"]


def test_evaluate_constant_history_gives_nan_scale_with_a_warning():
    fc, actual, train = _tables()
    train.loc[train["id"] == "b", "value"] = 5.0
    with pytest.warns(DataQualityWarning, match="undefined \\(NaN\\) for 1 series"):
        out = evaluate(fc, actual, train, keys=["id"], metrics=["mase"])
    value = out.set_index("id")["value"]
    assert value["a"] == 0.5
    assert np.isnan(value["b"])


def test_evaluate_rejects_a_key_that_names_an_output_column():
    fc, actual, _ = _tables()
    with pytest.raises(ParameterError, match="'metric'"):
        evaluate(fc.assign(metric="x"), actual.assign(metric="x"), keys=["id", "metric"],
                 metrics=["mae"])
