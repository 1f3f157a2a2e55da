"""An edition's forecast reads back with the dtypes it was stored with (pandas 3 strings)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.editions import EditionStore
from talentgap.editions._tables import decode_table, encode_table


@pytest.fixture(scope="module")
def fitted():
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
    panel = tg.features.build_panel(data.surveys, data.training)
    gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=20).fit(panel)
    return gap, gap.predict(2)


def _keys_as(forecast: pd.DataFrame, dtype) -> pd.DataFrame:
    return forecast.assign(**{k: forecast[k].astype(str).astype(dtype)
                              for k in ("region", "industry")})


@pytest.mark.parametrize("dtype", [
    object, "str", pd.StringDtype("python"), pd.StringDtype("pyarrow"),
    pd.StringDtype("python", na_value=np.nan), "category"])
def test_stored_forecast_reads_back_with_its_key_dtypes(tmp_path, fitted, dtype):
    gap, forecast = fitted
    stored = _keys_as(forecast, dtype)
    store = EditionStore(tmp_path / "editions.sqlite")
    store.add("e", gap, stored)
    back = store.forecast("e")
    assert back["region"].dtype == stored["region"].dtype
    pd.testing.assert_frame_equal(back, stored, check_dtype=True)


def test_object_categories_stay_object(tmp_path, fitted):
    gap, forecast = fitted
    stored = forecast.assign(region=pd.Categorical(forecast["region"].astype(object)))
    assert stored["region"].cat.categories.dtype == object
    store = EditionStore(tmp_path / "editions.sqlite")
    store.add("e", gap, stored)
    back = store.forecast("e")
    assert back["region"].cat.categories.dtype == object
    pd.testing.assert_frame_equal(back, stored, check_dtype=True)


def test_period_and_numeric_columns_keep_their_dtypes():
    table = pd.DataFrame({
        "region": pd.Series(["a", None, "c"], dtype=object),
        "label": pd.Series(["x", None, "z"], dtype="str"),
        "quarter": pd.PeriodIndex(["2024Q1", None, "2024Q3"], freq="Q"),
        "month": pd.period_range("2024-01", periods=3, freq="M"),
        "f32": np.array([0.1, np.nan, 2.5], dtype=np.float32),
        "i8": np.array([-1, 0, 7], dtype=np.int8),
        "u16": np.array([1, 2, 3], dtype=np.uint16),
        "n": pd.array([1, None, 3], dtype="Int64"),
        "x": pd.array([0.5, None, 1.5], dtype="Float64"),
        "ok": pd.array([True, None, False], dtype="boolean"),
        "s": pd.array(["p", None, "r"], dtype=pd.StringDtype("python")),
    })
    back = decode_table(encode_table(table))
    assert dict(back.dtypes) == dict(table.dtypes)
    pd.testing.assert_frame_equal(back, table, check_dtype=True)
    assert back["region"].isna().tolist() == [False, True, False]
