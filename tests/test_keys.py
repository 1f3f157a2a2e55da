"""Tests of talentgap._keys: series codes of long tables and look-ups in other tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap._keys import codes_in, series_codes
from talentgap.errors import SchemaError


def test_codes_follow_the_sorted_keys_and_ids_keep_dtypes():
    df = pd.DataFrame({
        "region": pd.Categorical(["South", "North", "South", "North"],
                                 categories=["South", "North", "East"]),
        "industry": ["textiles", "construction", "construction", "construction"],
        "year": np.array([1, 2, 1, 2], dtype=np.int32),
    })
    codes, ids = series_codes(df, ["region", "industry"])
    # categorical keys sort in their category order (South before North)
    assert codes.tolist() == [1, 2, 0, 2]
    assert codes.dtype == np.int64
    assert ids.to_dict("list") == {"region": ["South", "South", "North"],
                                   "industry": ["construction", "textiles", "construction"]}
    assert ids["region"].dtype == df["region"].dtype  # same categories, unused ones kept
    assert ids.index.equals(pd.RangeIndex(3))
    codes, ids = series_codes(df, ["year"])
    assert codes.tolist() == [0, 1, 0, 1] and ids["year"].dtype == np.int32


def test_row_order_does_not_change_the_series():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"a": rng.choice(["x", "y", "z"], 40), "b": rng.integers(0, 3, 40)})
    codes, ids = series_codes(df, ["a", "b"])
    order = rng.permutation(40)
    shuffled_codes, shuffled_ids = series_codes(df.iloc[order], ["a", "b"])
    pd.testing.assert_frame_equal(ids, shuffled_ids)
    np.testing.assert_array_equal(codes[order], shuffled_codes)
    # every row's code points at its own key values
    pd.testing.assert_frame_equal(ids.iloc[codes].reset_index(drop=True),
                                  df[["a", "b"]].reset_index(drop=True))


def test_no_keys_is_one_series():
    codes, ids = series_codes(pd.DataFrame({"value": [1.0, 2.0]}), [])
    assert codes.tolist() == [0, 0]
    assert ids.shape == (1, 0)


def test_missing_key_values_are_refused():
    df = pd.DataFrame({"region": ["North", None], "industry": ["a", "b"]})
    with pytest.raises(SchemaError, match=r"key columns \['region'\] have missing values") as info:
        series_codes(df, ["industry", "region"])
    assert info.value.column == "region"
    assert info.value.reason == "missing_value"


def test_codes_in_another_table():
    df = pd.DataFrame({"region": ["b", "a", "b"], "industry": ["x", "y", "x"]})
    _, ids = series_codes(df, ["region", "industry"])
    other = pd.DataFrame({"industry": ["x", "x", "y"], "region": ["b", "a", "a"]})
    assert codes_in(other, ["region", "industry"], ids).tolist() == [1, -1, 0]
    assert codes_in(other, [], ids).tolist() == [0, 0, 0]
