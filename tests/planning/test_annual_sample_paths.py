"""Annual needs kept as arrays: the same numbers as the long table's group means."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _annual_needs_reference import annual_needs, hold_need_years

from talentgap.errors import ParameterError
from talentgap.models import SamplePaths
from talentgap.planning._annual_needs import annual_sample_paths, path_means

KEYS = ["region", "industry"]


def _paths(n_cells: int = 5, start: str = "2025Q3", horizon: int = 10, samples: int = 7,
           freq: str = "Q", seed: int = 0) -> SamplePaths:
    """Random paths; cells in no key order, the third without demand data."""
    rng = np.random.default_rng(seed)
    shape = (n_cells, horizon, samples)
    demand = rng.gamma(2.0, 40.0, shape).astype(np.float32)
    demand[2] = np.nan
    supply = rng.gamma(2.0, 30.0, shape).astype(np.float32)
    cells = pd.DataFrame({"region": [f"R{(7 * i) % n_cells}" for i in range(n_cells)],
                          "industry": pd.Categorical(["b", "a"] * (n_cells // 2)
                                                     + ["a"] * (n_cells % 2))})
    return SamplePaths(cells=cells, periods=pd.period_range(start, periods=horizon, freq=freq),
                       demand=demand, supply=supply)


def _long(paths: SamplePaths) -> pd.DataFrame:
    """``<keys>, period, sample, demand, gap`` sorted by them."""
    frame = paths.to_frame()
    return (frame.sort_values([*KEYS, "period", "sample"]).reset_index(drop=True)
            [[*KEYS, "period", "sample", "demand", "gap"]])


@pytest.mark.parametrize(("freq", "start", "horizon"),
                         [("Q", "2025Q3", 10), ("M", "2025-11", 27)])
@pytest.mark.parametrize("held", [[], [2029, 2030]])
def test_annual_arrays_equal_the_long_tables_yearly_means(freq, start, horizon, held):
    paths = _paths(start=start, horizon=horizon, freq=freq)
    first = 2026 if not held else 2025   # 2025 is covered in part
    expected = annual_needs(paths.to_frame(), keys=KEYS, first_year=first)
    expected = (hold_need_years(expected, held).sort_values([*KEYS, "period", "sample"])
                .reset_index(drop=True))
    got = annual_sample_paths(paths, first_year=first, held=held)
    assert got.demand.dtype == got.supply.dtype == np.float64
    assert got.periods.dtype == expected["period"].dtype
    assert [p.year for p in got.periods] == sorted(expected["period"].dt.year.unique())
    assert len(got) == len(expected)
    long = _long(got)
    pd.testing.assert_frame_equal(long[[*KEYS, "period", "sample"]],
                                  expected[[*KEYS, "period", "sample"]], check_dtype=False)
    for column in ("demand", "gap"):
        np.testing.assert_allclose(long[column], expected[column], rtol=1e-12, atol=1e-9)
    assert long["gap"].isna().sum() == expected["gap"].isna().sum() > 0   # the cell without data


def test_held_years_copy_the_last_years_paths():
    got = annual_sample_paths(_paths(), first_year=2026, held=[2028, 2029])
    assert [str(p) for p in got.periods] == ["2026", "2027", "2028", "2029"]
    np.testing.assert_array_equal(got.gap()[:, 2], got.gap()[:, 1])
    np.testing.assert_array_equal(got.gap()[:, 3], got.gap()[:, 1])
    assert not np.array_equal(got.gap()[0, 0], got.gap()[0, 1])


def test_a_year_is_the_mean_of_its_periods_on_each_path():
    paths = _paths(start="2026Q1", horizon=4, samples=3)
    got = annual_sample_paths(paths)
    by_hand = paths.demand.astype(np.float64).mean(axis=1) - paths.supply.astype(
        np.float64).mean(axis=1)
    np.testing.assert_allclose(got.gap()[:, 0], by_hand, rtol=1e-13)


def test_a_first_year_past_the_paths_is_refused():
    with pytest.raises(ParameterError, match="first_year = 2031"):
        annual_sample_paths(_paths(), first_year=2031)


def test_path_means_equal_the_long_tables_group_means():
    paths = _paths()
    frame = paths.to_frame()
    for name in ("demand", "supply"):
        expected = (frame.groupby([*KEYS, "period"], observed=True, sort=True)[name].mean()
                    .reset_index())
        got = path_means(paths, name)
        pd.testing.assert_frame_equal(got[[*KEYS, "period"]], expected[[*KEYS, "period"]])
        np.testing.assert_allclose(got[name], expected[name], rtol=1e-12)
    assert path_means(paths, "demand")["demand"].isna().sum() == len(paths.periods)


def test_missing_periods_of_a_path_are_left_out_of_its_year():
    paths = _paths(start="2026Q1", horizon=4, samples=2)
    paths.demand[0, 1, 0] = np.nan                  # one quarter of one path
    got = annual_sample_paths(paths).demand[0, 0, 0]
    kept = paths.demand[0, [0, 2, 3], 0].astype(np.float64)
    assert got == pytest.approx(kept.mean(), rel=1e-13)
