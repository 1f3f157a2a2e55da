"""Sample paths read as a (targets x samples) block against the general reader.

The block reader must give the very scenarios the general reader gives (same
values in the same order, same weights), whatever the row order of the table,
and must leave every table the general reader rejects to it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import SchemaError
from talentgap.planning import allocate_quotas
from talentgap.planning._multiyear_scenarios import grid_scenarios
from talentgap.planning._problem import read_forecast, target_scenarios


def _paths(seed: int, k: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.MultiIndex.from_product(
        [["D0", "D1"], ["t0", "t1", "t2"], ["2027", "2028", "2029"], range(k)],
        names=["region", "industry", "period", "sample"])
    table = index.to_frame(index=False)
    table["gap"] = rng.normal(20, 10, len(table)).round(1)   # repeated values too
    return table


def _both(table: pd.DataFrame, quantile=None):
    fc = read_forecast(table, ["region", "industry"], "gap")
    need = np.unique(fc.periods.asi8)
    n, n_t = len(fc.cells), need.size
    general = target_scenarios(fc, np.repeat(np.arange(n), n_t), np.tile(need, n),
                               np.zeros(n * n_t, dtype=np.int64), None, quantile)
    return grid_scenarios(fc, need, quantile), general


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("quantile", [None, 0.9])
def test_the_block_reader_gives_the_general_scenarios(shuffle, quantile):
    table = _paths(0)
    if shuffle:
        table = table.sample(frac=1.0, random_state=1).reset_index(drop=True)
    block, general = _both(table, quantile)
    assert block is not None
    for mine, theirs in zip(block[:2], general[:2], strict=True):
        np.testing.assert_array_equal(mine.cell, theirs.cell)
        np.testing.assert_array_equal(mine.value, theirs.value)
        np.testing.assert_array_equal(np.asarray(mine.weight), np.asarray(theirs.weight))
        np.testing.assert_array_equal(mine.count, theirs.count)
        np.testing.assert_array_equal(mine.start, theirs.start)
    assert block[2] == general[2] == "samples"


def test_tables_the_general_reader_rejects_are_left_to_it():
    table = _paths(1)
    table.loc[5, "sample"] = table.loc[4, "sample"]           # a sample number repeated
    fc = read_forecast(table, ["region", "industry"], "gap")
    assert grid_scenarios(fc, np.unique(fc.periods.asi8), None) is None
    with pytest.raises(SchemaError, match="repeat a sample number"):
        allocate_quotas(table, periods=["2026", "2027"], budget=1_000.0,
                        cost_per_trainee=10.0, pass_rate=0.8, lead_time=1)
    uneven = _paths(2).drop(index=[0])                        # one target has fewer samples
    fc = read_forecast(uneven, ["region", "industry"], "gap")
    assert grid_scenarios(fc, np.unique(fc.periods.asi8), None) is None
    blank = _paths(3)
    blank.loc[7, "gap"] = np.nan
    fc = read_forecast(blank, ["region", "industry"], "gap")
    assert grid_scenarios(fc, np.unique(fc.periods.asi8), None) is None
    with pytest.raises(SchemaError, match="finite number"):
        allocate_quotas(blank, periods=["2026", "2027"], budget=1_000.0,
                        cost_per_trainee=10.0, pass_rate=0.8, lead_time=1)


def test_string_sample_labels_are_read_as_a_block():
    table = _paths(4)
    table["sample"] = "s" + table["sample"].astype(str)
    block, general = _both(table)
    assert block is not None
    np.testing.assert_array_equal(block[0].value, general[0].value)
