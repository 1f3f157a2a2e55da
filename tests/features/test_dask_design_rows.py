"""Design rules on a partitioned surveys table name the rows the pandas path names."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import SchemaError
from talentgap.features import SurveyDesign, estimate_cells

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

BY_CELL = SurveyDesign(strata=["region", "industry", "size_band"], fpc="population")


pytestmark = pytest.mark.usefixtures("dask_synchronous")


@pytest.fixture(scope="module")
def surveys() -> pd.DataFrame:
    data = tg.datasets.make_synthetic(n_regions=2, industries=3, n_periods=3, seed=4,
                                      design=True)
    return data.surveys.astype({"enterprise_id": str, "period": str, "size_band": str})


def both(table: pd.DataFrame, design: SurveyDesign, n: int = 3):
    with pytest.raises(SchemaError) as local:
        estimate_cells(table, freq="Q", design=design)
    with pytest.raises(SchemaError) as spread:
        estimate_cells(dd.from_pandas(table, npartitions=n, sort=False), freq="Q",
                       design=design)
    return local.value, spread.value


def lines_named(message: str) -> list[str]:
    return re.findall(r"line (\d+) \(", message)


def stratum_rows(table: pd.DataFrame, at: int) -> pd.Series:
    columns = ["region", "industry", "size_band", "period"]
    return (table[columns] == table.loc[at, columns]).all(axis=1)


def test_population_count_varying_across_partitions_names_every_row(surveys):
    table = surveys.copy()
    same = stratum_rows(table, 0)
    assert same.sum() >= 4
    last = same[same].index[-1]  # the stratum's last row, in another partition than its first
    table.loc[last, "population"] += 3
    local, spread = both(table, BY_CELL)
    assert spread.reason == local.reason == "fpc_varies"
    assert spread.failure_cases["line"].tolist() == local.failure_cases["line"].tolist()
    assert spread.failure_cases["row"].tolist() == local.failure_cases["row"].tolist()
    assert len(spread.failure_cases) == int(same.sum())  # no row equals the stratum's mean
    assert lines_named(str(spread)) == lines_named(str(local))
    assert f"{int(same.sum())} rows fail" in str(spread)


def test_population_below_the_sample_names_every_row_of_the_stratum(surveys):
    table = surveys.copy()
    same = stratum_rows(table, 5)
    table.loc[same, "population"] = 1
    local, spread = both(table, BY_CELL)
    assert spread.reason == local.reason == "fpc_below_sample"
    assert spread.failure_cases["line"].tolist() == local.failure_cases["line"].tolist() == (
        [i + 2 for i in same[same].index])
    assert spread.failure_cases["value"].tolist() == local.failure_cases["value"].tolist()
    assert lines_named(str(spread)) == lines_named(str(local))


def test_lonely_psu_refused_on_every_row_of_the_stratum(surveys):
    table = surveys.copy()
    table.loc[[7, 400], "size_band"] = "solo"  # two strata of one enterprise each
    design = SurveyDesign(strata=["region", "industry", "size_band"], lonely_psu="fail")
    local, spread = both(table, design)
    assert spread.reason == local.reason == "lonely_psu"
    assert spread.failure_cases["line"].tolist() == local.failure_cases["line"].tolist() == [
        9, 402]
    assert spread.failure_cases["partition"].tolist() == [0, 2]
    assert lines_named(str(spread)) == lines_named(str(local))
