"""Tests for talentgap.features.lags against pandas groupby shift/rolling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import ParameterError
from talentgap.features import add_growth, add_lags, add_rolling

KEYS = ["region", "industry"]


def _panel(seed: int = 0, n_periods: int = 12, level: float = 100.0) -> pd.DataFrame:
    """A complete panel: 3 regions x 2 industries x n_periods quarters, sorted."""
    rng = np.random.default_rng(seed)
    cells = pd.MultiIndex.from_product(
        [["north", "south", "west"], ["textiles", "robotics"],
         pd.period_range("2020Q1", periods=n_periods, freq="Q")],
        names=[*KEYS, "period"]).to_frame(index=False)
    cells["region"] = cells["region"].astype("category")
    n = len(cells)
    cells["gap"] = level + rng.normal(0, 10, n)
    cells["demand"] = rng.integers(0, 50, n).astype(float)  # has zeros
    return cells


def _by_cell(df: pd.DataFrame):
    return df.groupby(KEYS, observed=True, sort=False)


def _complete(df: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The panel reindexed to every cell x period (NaN rows added), sorted; and which
    rows of it are original."""
    periods = pd.period_range(df["period"].min(), df["period"].max(), freq="Q")
    cells = df[KEYS].astype(str).drop_duplicates()
    full = cells.merge(pd.DataFrame({"period": periods}), how="cross")
    marked = df.assign(**{k: df[k].astype(str) for k in KEYS}, _row=np.arange(len(df)))
    full = full.merge(marked, on=[*KEYS, "period"], how="left")
    full = full.sort_values([*KEYS, "period"], kind="stable").reset_index(drop=True)
    return full, full["_row"].to_numpy()


def test_lags_equal_pandas_groupby_shift_exactly():
    panel = _panel()
    out = add_lags(panel, columns=["gap", "demand"], lags=[1, 2, 5], keys=KEYS)
    for name in ("gap", "demand"):
        for k in (1, 2, 5):
            expected = _by_cell(panel)[name].shift(k)
            np.testing.assert_array_equal(out[f"{name}_lag{k}"].to_numpy(), expected.to_numpy())
    assert out[f"gap_lag{5}"].isna().sum() == 6 * 5
    pd.testing.assert_frame_equal(out[panel.columns], panel)  # original columns untouched


@pytest.mark.parametrize("window", [1, 3, 4])
def test_rolling_equals_pandas_rolling(window):
    panel = _panel(seed=1)
    out = add_rolling(panel, columns="gap", windows=window, stats=["mean", "sum", "std"],
                      keys=KEYS)
    rolled = _by_cell(panel)["gap"].rolling(window)
    for stat in ("mean", "sum", "std"):
        expected = getattr(rolled, stat)().reset_index(level=[0, 1], drop=True)
        got = out[f"gap_roll{window}_{stat}"]
        assert got.isna().tolist() == expected.sort_index().isna().tolist()
        # pandas uses running (add/remove) sums: equal up to float round-off
        np.testing.assert_allclose(got, expected.sort_index(), rtol=1e-12, atol=0,
                                   err_msg=stat)


def test_rolling_min_periods_equals_pandas():
    panel = _panel(seed=2)
    out = add_rolling(panel, columns="demand", windows=4, stats=["mean", "sum", "std"],
                      min_periods=2, keys=KEYS)
    rolled = _by_cell(panel)["demand"].rolling(4, min_periods=2)
    for stat in ("mean", "sum", "std"):
        expected = getattr(rolled, stat)().reset_index(level=[0, 1], drop=True).sort_index()
        np.testing.assert_allclose(out[f"demand_roll4_{stat}"], expected, rtol=1e-12, atol=1e-12,
                                   err_msg=stat)


def test_rolling_std_is_accurate_for_a_large_level():
    # employment-like series: level 1e8, spread ~1. Running sums of squares would lose
    # every digit here; the result must match a direct two-pass std per window.
    panel = _panel(seed=3, n_periods=40, level=1e8)
    panel["gap"] = 1e8 + np.random.default_rng(3).normal(0, 1, len(panel))
    out = add_rolling(panel, columns="gap", windows=4, stats=["std"], keys=KEYS)
    for _, rows in _by_cell(panel.assign(got=out["gap_roll4_std"])):
        x = rows["gap"].to_numpy()
        direct = [np.std(x[t - 3:t + 1], ddof=1) for t in range(3, len(x))]
        np.testing.assert_allclose(rows["got"].to_numpy()[3:], direct, rtol=1e-10)
        assert rows["got"].iloc[:3].isna().all()


@pytest.mark.parametrize("kind", ["pct", "log", "diff"])
def test_growth_equals_pandas(kind):
    panel = _panel(seed=4)
    out = add_growth(panel, columns="demand", periods=[1, 4], kind=kind, keys=KEYS)
    suffix = {"pct": "growth", "log": "logdiff", "diff": "diff"}[kind]
    for p in (1, 4):
        before = _by_cell(panel)["demand"].shift(p)
        now = panel["demand"]
        if kind == "pct":
            expected = (now / before - 1.0).where(before != 0)
        elif kind == "log":
            expected = (np.log(now.where(now > 0)) - np.log(before.where(before > 0)))
        else:
            expected = now - before
        got = out[f"demand_{suffix}{p}"]
        np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())
    if kind == "pct":  # a zero base gives NaN, never inf
        assert np.isfinite(out["demand_growth1"].dropna()).all()
        assert (out["demand_growth1"].isna() & _by_cell(panel)["demand"].shift(1).eq(0)).any()


def _with_holes(panel: pd.DataFrame) -> pd.DataFrame:
    """Drop two periods from one series and one from another."""
    period = panel["period"].astype(str)
    drop = (((panel["region"] == "north") & (panel["industry"] == "textiles")
             & period.isin(["2020Q3", "2021Q2"]))
            | ((panel["region"] == "west") & (panel["industry"] == "robotics")
               & (period == "2020Q2")))
    return panel[~drop].reset_index(drop=True)


def test_lags_are_period_aware_when_a_period_is_missing():
    holed = _with_holes(_panel(seed=5))
    out = add_lags(holed, columns="gap", lags=[1, 2], keys=KEYS)
    full, rows = _complete(holed)
    for k in (1, 2):
        reference = full.groupby(KEYS, sort=False)["gap"].shift(k).to_numpy()
        expected = np.full(len(holed), np.nan)
        expected[rows[~np.isnan(rows)].astype(int)] = reference[~np.isnan(rows)]
        np.testing.assert_array_equal(out[f"gap_lag{k}"].to_numpy(), expected)
    # concretely: 2020Q4 of north x textiles follows the missing 2020Q3 -> NaN,
    # whereas a row-order shift would give the 2020Q2 value
    at = ((holed["region"] == "north") & (holed["industry"] == "textiles")
          & (holed["period"].astype(str) == "2020Q4"))
    assert np.isnan(out.loc[at, "gap_lag1"].item())
    row_shift = _by_cell(holed)["gap"].shift(1)
    assert not np.isnan(row_shift[at].item())


def test_rolling_and_growth_are_period_aware_when_a_period_is_missing():
    holed = _with_holes(_panel(seed=6))
    full, rows = _complete(holed)
    kept = ~np.isnan(rows)
    position = rows[kept].astype(int)

    def back(reference: np.ndarray) -> np.ndarray:
        expected = np.full(len(holed), np.nan)
        expected[position] = reference[kept]
        return expected

    out = add_rolling(holed, columns="gap", windows=3, stats=["mean", "sum", "std"],
                      keys=KEYS)
    lenient = add_rolling(holed, columns="gap", windows=3, stats=["mean", "sum", "std"],
                          min_periods=1, keys=KEYS)
    grouped = full.groupby(KEYS, sort=False)["gap"]
    for stat in ("mean", "sum", "std"):
        strict_ref = getattr(grouped.rolling(3), stat)().to_numpy()
        lenient_ref = getattr(grouped.rolling(3, min_periods=1), stat)().to_numpy()
        np.testing.assert_allclose(out[f"gap_roll3_{stat}"], back(strict_ref), rtol=1e-12)
        np.testing.assert_allclose(lenient[f"gap_roll3_{stat}"], back(lenient_ref), rtol=1e-12)
    growth = add_growth(holed, columns="gap", periods=1, kind="diff", keys=KEYS)
    np.testing.assert_array_equal(growth["gap_diff1"], back(grouped.diff(1).to_numpy()))


def test_row_order_does_not_matter_and_index_is_kept():
    panel = _panel(seed=7)
    shuffled = panel.sample(frac=1.0, random_state=1)
    out = add_lags(shuffled, columns="gap", lags=[1, 3], keys=KEYS)
    reference = add_lags(panel, columns="gap", lags=[1, 3], keys=KEYS)
    assert out.index.equals(shuffled.index)
    pd.testing.assert_frame_equal(out.sort_index(), reference)
    rolled = add_rolling(shuffled, columns="gap", windows=2, keys=KEYS).sort_index()
    pd.testing.assert_frame_equal(rolled, add_rolling(panel, columns="gap", windows=2, keys=KEYS))


def test_inputs_are_not_mutated():
    panel = _panel(seed=8)
    before = panel.copy()
    add_lags(panel, columns="gap", keys=KEYS)
    add_rolling(panel, columns="gap", stats=["mean", "std"], keys=KEYS)
    add_growth(panel, columns="demand", keys=KEYS)
    pd.testing.assert_frame_equal(panel, before)


@pytest.mark.parametrize("function", [add_lags, add_rolling, add_growth])
def test_repeated_key_period_rows_raise(function):
    panel = _panel(seed=9)
    repeated = pd.concat([panel, panel.iloc[[4]]], ignore_index=True)
    with pytest.raises(ParameterError, match=r"repeated \(region, industry, period\) rows"):
        function(repeated, columns="demand", keys=KEYS)


@pytest.mark.parametrize("function", [add_lags, add_rolling, add_growth])
def test_non_period_time_column_raises(function):
    panel = _panel(seed=10)
    as_text = panel.assign(period=panel["period"].astype(str))
    with pytest.raises(ParameterError, match="'period' must hold pandas Periods"):
        function(as_text, columns="demand", keys=KEYS)
    as_dates = panel.assign(period=panel["period"].dt.to_timestamp())
    with pytest.raises(ParameterError, match="must hold pandas Periods"):
        function(as_dates, columns="demand", keys=KEYS)


def test_bad_parameters_raise():
    panel = _panel(seed=11)
    with pytest.raises(ParameterError, match=r"lags == \[0\], must be integers >= 1; 0 is not"):
        add_lags(panel, lags=[0], keys=KEYS)
    with pytest.raises(ParameterError, match=r"columns \['nope'\] are not in the panel"):
        add_lags(panel, columns="nope", keys=KEYS)
    with pytest.raises(ParameterError, match="stats \\['median'\\] are not supported"):
        add_rolling(panel, stats=["median"], keys=KEYS)
    with pytest.raises(ParameterError, match="kind='ratio' is not supported"):
        add_growth(panel, kind="ratio", keys=KEYS)


@pytest.mark.parametrize("column", ["period", "region"])
def test_missing_key_or_period_raises(column):
    panel = _panel(seed=12)
    if column == "period":
        panel.loc[3, column] = pd.NaT  # stays a Period column
        assert isinstance(panel["period"].dtype, pd.PeriodDtype)
    else:
        panel[column] = panel[column].astype(object)
        panel.loc[3, column] = None
    with pytest.raises(ParameterError, match=rf"columns \['{column}'\] have missing values"):
        add_lags(panel, columns="gap", keys=KEYS)
