"""Tests for talentgap.features._groups: group codes, the group frame and group sums."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.features._groups import group_rows, group_sum


def _reference(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Group numbers from pandas: sorted by the columns, categoricals in category order."""
    return df.groupby(columns, sort=True, observed=True).ngroup().to_numpy()


def test_categorical_codes_follow_category_order_and_skip_unused():
    df = pd.DataFrame({
        "region": pd.Categorical(["y", "x", "y", "w"], categories=["z", "y", "x", "w"]),
    })
    groups = group_rows(df, ["region"])
    # category order z, y, x, w; z is unused and gets no group
    assert groups.codes.tolist() == [0, 1, 0, 2]
    assert groups.n_groups == 3
    assert groups.frame["region"].tolist() == ["y", "x", "w"]
    assert groups.frame["region"].dtype == df["region"].dtype  # same categories, same order
    assert groups.codes.dtype == np.int64


def test_period_codes_are_chronological_with_gaps():
    periods = pd.PeriodIndex(["2024Q4", "2023Q1", "2024Q4", "2024Q2"], freq="Q")
    df = pd.DataFrame({"period": periods})
    groups = group_rows(df, ["period"])
    assert groups.codes.tolist() == [2, 0, 2, 1]
    assert isinstance(groups.frame["period"].dtype, pd.PeriodDtype)
    assert groups.frame["period"].dtype == df["period"].dtype
    assert groups.frame["period"].astype(str).tolist() == ["2023Q1", "2024Q2", "2024Q4"]


def test_plain_columns_are_sorted():
    df = pd.DataFrame({"name": ["b", "c", "a", "b"], "size": [10, 2, 2, 10]})
    groups = group_rows(df, ["name", "size"])
    assert groups.codes.tolist() == [1, 2, 0, 1]
    assert groups.frame.to_dict("list") == {"name": ["a", "b", "c"], "size": [2, 10, 2]}
    np.testing.assert_array_equal(groups.codes, _reference(df, ["name", "size"]))


def test_mixed_columns_match_pandas_groupby():
    rng = np.random.default_rng(3)
    n = 500
    df = pd.DataFrame({
        "region": pd.Categorical(rng.choice(["c", "a", "b"], n), categories=["c", "b", "a", "q"]),
        "industry": rng.choice(["textiles", "robotics", "ecommerce"], n),
        "period": pd.PeriodIndex.from_ordinals(200 + rng.integers(0, 8, n) * 2, freq="Q"),
    })
    columns = ["region", "industry", "period"]
    groups = group_rows(df, columns)
    np.testing.assert_array_equal(groups.codes, _reference(df, columns))
    # every row's group-frame entry is the row's own key values
    rebuilt = groups.frame.iloc[groups.codes].reset_index(drop=True)
    pd.testing.assert_frame_equal(rebuilt, df[columns], check_categorical=True)
    assert groups.n_groups == len(df[columns].drop_duplicates())


def _many_categories(n_rows: int, n_categories: int, seed: int) -> tuple[pd.DataFrame, list]:
    rng = np.random.default_rng(seed)
    names = [f"k{i:04d}" for i in range(n_categories)]
    columns = ["a", "b", "c"]
    df = pd.DataFrame({
        c: pd.Categorical(rng.choice(names, n_rows), categories=names) for c in columns
    })
    return df, columns


def test_sparse_path_agrees_with_dense_path():
    # 300**3 = 2.7e7 possible combinations for 50 rows: far above max(4*n, 2**20),
    # so group_rows sorts (np.unique) instead of building a dense lookup table.
    df, columns = _many_categories(n_rows=50, n_categories=300, seed=0)
    df = pd.concat([df, df.iloc[[3, 7, 3]]], ignore_index=True)  # some repeated groups
    sparse = group_rows(df, columns)
    # The same values with unused categories dropped: at most 53**3 combinations -> dense.
    compact = df.apply(lambda c: c.cat.remove_unused_categories())
    assert np.prod([len(compact[c].cat.categories) for c in columns]) <= 1 << 20
    dense = group_rows(compact, columns)
    np.testing.assert_array_equal(sparse.codes, dense.codes)
    assert sparse.n_groups == dense.n_groups == 50
    pd.testing.assert_frame_equal(sparse.frame.astype(str), dense.frame.astype(str))
    np.testing.assert_array_equal(sparse.codes, _reference(df, columns))
    assert sparse.frame["a"].dtype == df["a"].dtype  # all 300 categories kept


def test_sparse_path_with_plain_and_period_columns():
    rng = np.random.default_rng(5)
    n = 40
    df = pd.DataFrame({
        "id": rng.choice(10_000, n, replace=False),  # plain int column, 40 distinct values
        "name": [f"n{i}" for i in rng.integers(0, 5000, n)],
        "period": pd.PeriodIndex.from_ordinals(rng.integers(0, 2000, n), freq="M"),
    })
    columns = ["period", "name", "id"]
    # up to 2000 periods x 40 names x 40 ids = 3.2e6 > 2**20 combinations: sparse path
    groups = group_rows(df, columns)
    np.testing.assert_array_equal(groups.codes, _reference(df, columns))
    rebuilt = groups.frame.iloc[groups.codes].reset_index(drop=True)
    pd.testing.assert_frame_equal(rebuilt, df[columns])


def test_group_sum_matches_pandas():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"k": rng.choice(list("abcde"), 200), "v": rng.normal(size=200)})
    groups = group_rows(df, ["k"])
    sums = group_sum(groups.codes, groups.n_groups, df["v"].to_numpy())
    counts = group_sum(groups.codes, groups.n_groups)
    expected = df.groupby("k")["v"].agg(["sum", "size"])
    np.testing.assert_allclose(sums, expected["sum"].to_numpy(), rtol=1e-12)
    np.testing.assert_array_equal(counts, expected["size"].to_numpy().astype(float))
    assert sums.dtype == np.float64 and counts.dtype == np.float64


def test_group_sum_keeps_empty_groups_as_zero():
    out = group_sum(np.array([0, 2, 2]), 4, np.array([1.0, 2.0, 3.0]))
    assert out.tolist() == [1.0, 0.0, 5.0, 0.0]


@pytest.mark.parametrize("n_categories", [3, 300])
def test_codes_are_dense_and_ordered(n_categories):
    df, columns = _many_categories(n_rows=60, n_categories=n_categories, seed=9)
    groups = group_rows(df, columns)
    assert set(groups.codes.tolist()) == set(range(groups.n_groups))
    keys = groups.frame.apply(lambda c: c.cat.codes).to_numpy()
    order = np.lexsort(keys.T[::-1])
    np.testing.assert_array_equal(order, np.arange(groups.n_groups))  # frame is sorted


@pytest.mark.parametrize("n_categories", [2, 3, 300])  # complete, dense with gaps, sparse
def test_counts_and_map_rows_agree_with_codes(n_categories):
    df, columns = _many_categories(n_rows=60, n_categories=n_categories, seed=4)
    groups = group_rows(df, columns)
    slot = np.random.default_rng(0).permutation(groups.n_groups) * 3 + 1
    # map_rows before codes exist (one gather through the combinations), then after
    mapped = groups.map_rows(slot)
    np.testing.assert_array_equal(mapped, slot[groups.codes])
    np.testing.assert_array_equal(groups.map_rows(slot), mapped)
    np.testing.assert_array_equal(groups.counts, np.bincount(groups.codes))
    assert groups.counts.dtype == np.int64
    np.testing.assert_array_equal(groups.codes, _reference(df, columns))


def test_digits_and_values_decode_the_combinations():
    df = pd.DataFrame({
        "region": pd.Categorical(["b", "a", "b", "c"], categories=["c", "b", "a"]),
        "period": pd.PeriodIndex(["2024Q2", "2024Q1", "2024Q4", "2024Q1"], freq="Q"),
    })
    groups = group_rows(df, ["region", "period"])
    assert groups.digits("region").tolist() == [0, 1, 1, 2]  # c, b, b, a
    assert groups.digits("period").tolist() == [0, 1, 3, 0]  # offsets from 2024Q1
    assert groups.values("region", groups.digits("region")).tolist() == ["c", "b", "b", "a"]
    periods = groups.values("period", groups.digits("period"))
    assert periods.astype(str).tolist() == ["2024Q1", "2024Q2", "2024Q4", "2024Q1"]
    pd.testing.assert_frame_equal(
        groups.frame, pd.DataFrame({"region": pd.Categorical(["c", "b", "b", "a"],
                                                             categories=["c", "b", "a"]),
                                    "period": periods}))


@pytest.mark.parametrize("n_categories", [2, 3, 300])  # complete, dense with gaps, sparse
def test_map_rows_by_last_is_the_cell_base_plus_the_last_digit(n_categories):
    df, columns = _many_categories(n_rows=60, n_categories=n_categories, seed=5)
    groups = group_rows(df, columns)
    span = len(groups.labels[-1])
    n_cells = int(groups.combinations.max()) // span + 1
    base = np.random.default_rng(1).permutation(n_cells) * 10
    found = groups.map_rows_by_last(base, shift=2)
    if found is None:  # rows numbered by group (sparse combinations): map_rows does it
        assert groups.n_groups < np.prod([len(values) for values in groups.labels])
        return
    combination = groups.combinations[groups.codes]
    np.testing.assert_array_equal(found, base[combination // span] + combination % span + 2)
