"""Long tables to right-aligned series arrays and back (talentgap.models._series)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import ParameterError, SchemaError
from talentgap.models._series import forecast_frame, interpolate_inside, to_arrays

NAN = np.nan


def table(rows, columns=("id", "period", "value")) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns))


def arrays_of(df: pd.DataFrame, **kwargs):
    kwargs.setdefault("keys", ["id"])
    return to_arrays(df, target="value", time="period", **kwargs)


def periods(arrays) -> list[str]:
    """Last observed period of every series, as labels."""
    return [str(p) for p in pd.PeriodIndex.from_ordinals(arrays.last_period, freq=arrays.freq)]


# ---- layout -------------------------------------------------------------------------------------
def test_series_are_right_aligned_and_sorted_by_key():
    df = table([("b", "2024Q1", 5.0), ("a", "2023Q3", 1.0), ("b", "2024Q2", 6.0),
                ("a", "2023Q4", 2.0), ("a", "2024Q1", 3.0), ("c", "2024Q4", 9.0)])
    arrays = arrays_of(df)
    assert arrays.ids["id"].tolist() == ["a", "b", "c"]
    # every row ends at its own last period; the last column holds every last value
    np.testing.assert_array_equal(arrays.values, [[1.0, 2.0, 3.0],
                                                  [NAN, 5.0, 6.0],
                                                  [NAN, NAN, 9.0]])
    assert arrays.n_obs.tolist() == [3, 2, 1]
    assert periods(arrays) == ["2024Q1", "2024Q2", "2024Q4"]
    assert arrays.freq == "Q-DEC"
    np.testing.assert_array_equal(arrays.observed, ~np.isnan(arrays.values))
    assert arrays.n_interpolated.tolist() == [0, 0, 0]
    assert arrays.exog is None and arrays.n_series == 3


def test_row_order_does_not_matter():
    df = table([("b", "2024Q1", 5.0), ("a", "2023Q3", 1.0), ("b", "2024Q2", 6.0),
                ("a", "2023Q4", 2.0), ("a", "2024Q1", 3.0)])
    shuffled = df.sample(frac=1.0, random_state=3)
    np.testing.assert_array_equal(arrays_of(df).values, arrays_of(shuffled).values)


def test_several_keys_and_categorical_keys():
    df = pd.DataFrame({
        "region": pd.Categorical(["N", "N", "S", "S"], categories=["S", "N"]),
        "industry": ["x", "y", "x", "x"],
        "period": ["2024", "2024", "2023", "2024"],
        "value": [1.0, 2.0, 3.0, 4.0]})
    arrays = to_arrays(df, target="value", time="period", keys=["region", "industry"])
    # sorted by the categories' order (S before N), categories kept
    assert arrays.ids.to_dict("list") == {"region": ["S", "N", "N"], "industry": ["x", "x", "y"]}
    assert isinstance(arrays.ids["region"].dtype, pd.CategoricalDtype)
    np.testing.assert_array_equal(arrays.values, [[3.0, 4.0], [NAN, 1.0], [NAN, 2.0]])
    assert arrays.freq == "Y-DEC"


def test_no_keys_is_one_series():
    df = pd.DataFrame({"period": ["2024-01", "2024-02", "2024-03"], "value": [1.0, 2.0, 4.0]})
    arrays = to_arrays(df, target="value", time="period", keys=[])
    assert arrays.values.tolist() == [[1.0, 2.0, 4.0]]
    assert arrays.freq == "M" and periods(arrays) == ["2024-03"]
    assert arrays.ids.shape == (1, 0)


# ---- missing values -----------------------------------------------------------------------------
def test_interpolate_inside_by_hand():
    values = np.array([[NAN, 1.0, NAN, NAN, 4.0, NAN],
                       [0.0, NAN, 10.0, NAN, NAN, 40.0]])
    np.testing.assert_allclose(interpolate_inside(values),
                               [[NAN, 1.0, 2.0, 3.0, 4.0, NAN],
                                [0.0, 5.0, 10.0, 20.0, 30.0, 40.0]])
    # the input is not modified
    assert np.isnan(values[0, 2])


def test_missing_periods_and_nan_targets_inside_are_interpolated_and_counted():
    df = table([("a", "2024Q1", 1.0), ("a", "2024Q2", NAN), ("a", "2024Q4", 7.0),
                ("b", "2023Q4", 2.0), ("b", "2024Q1", 2.0), ("b", "2024Q2", 2.0),
                ("b", "2024Q4", 8.0)])
    arrays = arrays_of(df)
    np.testing.assert_allclose(arrays.values, [[NAN, 1.0, 3.0, 5.0, 7.0],
                                               [2.0, 2.0, 2.0, 5.0, 8.0]])
    np.testing.assert_array_equal(arrays.observed, [[False, True, False, False, True],
                                                    [True, True, True, False, True]])
    assert arrays.n_interpolated.tolist() == [2, 1]
    assert arrays.n_obs.tolist() == [4, 5]


def test_trailing_and_leading_nan_targets_shorten_a_series():
    df = table([("a", "2024Q1", NAN), ("a", "2024Q2", 1.0), ("a", "2024Q3", 2.0),
                ("a", "2024Q4", NAN), ("a", "2025Q1", NAN)])
    arrays = arrays_of(df)
    assert arrays.values.tolist() == [[1.0, 2.0]]
    assert periods(arrays) == ["2024Q3"]


def test_trailing_nan_rows_do_not_spill_into_the_next_series():
    # Regression: rows after a series' last observation used to be written past the end
    # of its row, into the next series' row, giving a spurious "repeated rows" error (or
    # an IndexError for the last series).
    p = ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    df = table([*(("a", q, v) for q, v in zip(p, [1.0, 2.0, NAN, NAN], strict=True)),
                *(("b", q, v) for q, v in zip(p, [5.0, 6.0, 7.0, 8.0], strict=True))])
    arrays = arrays_of(df)
    np.testing.assert_array_equal(arrays.values, [[NAN, NAN, 1.0, 2.0], [5.0, 6.0, 7.0, 8.0]])
    assert periods(arrays) == ["2024Q2", "2024Q4"]
    last = arrays_of(df.assign(id=df["id"].map({"a": "z", "b": "b"})))
    np.testing.assert_array_equal(last.values, [[5.0, 6.0, 7.0, 8.0], [NAN, NAN, 1.0, 2.0]])


# ---- errors -------------------------------------------------------------------------------------
def test_duplicate_rows_raise_schema_error():
    df = table([("a", "2024Q1", 1.0), ("a", "2024Q2", 2.0), ("a", "2024Q2", 3.0)])
    with pytest.raises(SchemaError, match=r"repeated \(id, period\) rows") as info:
        arrays_of(df)
    assert info.value.column == "period" and info.value.reason == "duplicate_key"


def test_bad_inputs_raise_typed_errors():
    df = table([("a", "2024Q1", 1.0), ("a", "2024Q2", 2.0)])
    with pytest.raises(ParameterError, match=r"columns \['region'\] are not in the table"):
        arrays_of(df, keys=["region"])
    with pytest.raises(ParameterError, match="target column 'value' must be numeric"):
        arrays_of(df.assign(value=["1", "2"]))
    with pytest.raises(SchemaError, match="'value' holds infinite values"):
        arrays_of(df.assign(value=[1.0, np.inf]))
    with pytest.raises(SchemaError, match="'value' has no observed value"):
        arrays_of(df.assign(value=[NAN, NAN]))
    two = pd.concat([df, table([("b", "2024Q1", NAN)])], ignore_index=True)
    with pytest.raises(SchemaError, match="1 series have no observed 'value' value"):
        arrays_of(two)
    with pytest.raises(SchemaError, match=r"key columns \['id'\] have missing values"):
        arrays_of(df.assign(id=["a", None]))
    with pytest.raises(SchemaError, match="'period'") as info:
        arrays_of(df.assign(period=["2024Q1", "2024-05"]))
    assert info.value.reason == "bad_period"


def test_exog_is_aligned_and_must_be_complete():
    df = table([("a", "2024Q1", 1.0, 10.0), ("a", "2024Q2", 2.0, 20.0),
                ("b", "2024Q2", 5.0, 50.0)], columns=("id", "period", "value", "x"))
    arrays = arrays_of(df, exog=["x"])
    assert arrays.exog.shape == (2, 2, 1) and arrays.exog_names == ("x",)
    np.testing.assert_array_equal(arrays.exog[..., 0], [[10.0, 20.0], [NAN, 50.0]])
    with pytest.raises(SchemaError, match=r"exogenous columns \['x'\] have missing values"):
        arrays_of(df.assign(x=[10.0, NAN, 50.0]), exog=["x"])


# ---- periods ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("freq", "expected_freq", "last"), [
    ("QS", "Q-DEC", "2021Q2"), ("QE", "Q-DEC", "2021Q2"), ("MS", "M", "2020-06"),
    ("ME", "M", "2020-06"), ("YS", "Y-DEC", "2025"), ("YE", "Y-DEC", "2025")])
def test_timestamps_of_a_regular_frequency(freq, expected_freq, last):
    df = pd.DataFrame({"period": pd.date_range("2020-01-01", periods=6, freq=freq),
                       "value": np.arange(6.0)})
    arrays = to_arrays(df, target="value", time="period", keys=[])
    assert arrays.freq == expected_freq
    assert periods(arrays) == [last]
    assert arrays.values.tolist() == [list(np.arange(6.0))]


def test_irregular_timestamps_are_refused():
    df = pd.DataFrame({"period": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-04-01",
                                                 "2020-05-01"]), "value": np.arange(4.0)})
    with pytest.raises(SchemaError, match="without a regular annual, quarterly or monthly"):
        to_arrays(df, target="value", time="period", keys=[])


@pytest.mark.parametrize(("labels", "freq"), [
    (["2023Q4", "2024Q1", "2024Q2"], "Q-DEC"), (["2023-11", "2023-12", "2024-01"], "M"),
    (["2022", "2023", "2024"], "Y-DEC")])
@pytest.mark.parametrize("dtype", [object, pd.StringDtype(na_value=np.nan), "string"],
                         ids=["object", "str", "string"])
def test_period_labels(labels, freq, dtype):
    # "str" (StringDtype with NaN) is the default string dtype of pandas 3
    df = pd.DataFrame({"id": pd.Series(["a"] * 3, dtype=dtype),
                       "period": pd.Series(labels, dtype=dtype), "value": [1.0, 2.0, 3.0]})
    arrays = arrays_of(df)
    assert arrays.freq == freq and periods(arrays) == [labels[-1]]
    assert arrays.ids["id"].tolist() == ["a"]
    as_periods = arrays_of(df.assign(period=pd.PeriodIndex(labels, freq=freq)))
    np.testing.assert_array_equal(arrays.values, as_periods.values)
    assert arrays.last_period.tolist() == as_periods.last_period.tolist()


# ---- take, truncate, forecast_frame -------------------------------------------------------------
def test_take_and_truncate():
    df = table([("a", "2024Q1", 1.0), ("a", "2024Q2", 2.0), ("a", "2024Q3", 3.0),
                ("b", "2024Q3", 9.0)])
    arrays = arrays_of(df)
    b = arrays.take(np.array([1]))
    assert b.values.tolist() == [[9.0]] and b.ids["id"].tolist() == ["b"]
    cut = arrays.truncate(1)
    np.testing.assert_array_equal(cut.values, [[1.0, 2.0], [NAN, NAN]])
    assert cut.n_obs.tolist() == [2, 0]
    assert (cut.last_period == arrays.last_period - 1).all()
    assert arrays.truncate(0) is arrays


def test_forecast_frame_layout():
    ids = pd.DataFrame({"id": ["a", "b"]})
    last = pd.PeriodIndex(["2024Q4", "2024Q2"], freq="Q").asi8
    mean = np.array([[1.0, 2.0], [3.0, 4.0]])
    bounds = {80.0: (mean - 1, mean + 1), 97.5: (mean - 2, mean + 2)}
    out = forecast_frame(ids, last, "Q-DEC", mean, bounds, time="quarter")
    assert list(out.columns) == ["id", "quarter", "mean", "lo_80", "hi_80", "lo_97.5",
                                 "hi_97.5"]
    assert out["quarter"].astype(str).tolist() == ["2025Q1", "2025Q2", "2024Q3", "2024Q4"]
    assert out["mean"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert out["hi_97.5"].tolist() == [3.0, 4.0, 5.0, 6.0]
