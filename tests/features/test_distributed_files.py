"""Rows of a Dask surveys table named by file and line; categorical ids; pooled warnings."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning, SchemaError

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

pytestmark = pytest.mark.usefixtures("dask_synchronous")


@pytest.fixture(scope="module")
def surveys():
    data = tg.datasets.make_synthetic(n_regions=4, industries=3, n_periods=4, seed=3)
    return data.surveys.reset_index(drop=True)


@pytest.fixture()
def folder(tmp_path, surveys):
    """One CSV file per region; row 5 of the third file (its line 7) has employees -7."""
    for i, region in enumerate(surveys["region"].cat.categories):
        part = surveys[surveys["region"] == region]
        if i == 2:
            part = part.copy()
            part.iloc[5, part.columns.get_loc("employees")] = -7
        part.to_csv(tmp_path / f"province_{i}.csv", index=False)
    return tmp_path


def _error(frame) -> SchemaError:
    with pytest.raises(SchemaError, match="negative") as error:
        tg.features.estimate_cells(frame, freq="Q")
    return error.value


def test_row_named_by_file_and_line(folder):
    frame = dd.read_csv(str(folder / "*.csv"), include_path_column=True, blocksize=None)
    error = _error(frame)
    bad = str(folder / "province_2.csv")
    assert f"line 7 of {bad} (" in str(error)
    cases = error.failure_cases
    assert cases[["file", "file_row", "file_line"]].iloc[0].tolist() == [bad, 6, 7]
    # the same line as the pandas path reading that file alone
    with pytest.raises(SchemaError, match=r"line 7 \("):
        tg.features.estimate_cells(pd.read_csv(bad), freq="Q")


def test_file_read_in_blocks_named_by_row(folder):
    frame = dd.read_csv(str(folder / "*.csv"), include_path_column="source", blocksize=1500)
    error = _error(frame)
    bad = str(folder / "province_2.csv")
    assert frame.npartitions > 4
    assert f"row 6 of {bad} (" in str(error)
    assert "blocksize=None" in str(error)
    assert error.failure_cases["file_line"].isna().all()
    assert error.failure_cases["file_row"].tolist() == [6]


def test_without_path_column_whole_table_lines(folder, surveys):
    frame = dd.read_csv(str(folder / "*.csv"), include_path_column=True)
    error = _error(frame.drop(columns="path"))
    assert "include_path_column=True" in str(error)
    assert "of province" not in str(error)
    assert "file" not in error.failure_cases.columns


def test_categorical_ids_checked_exactly(surveys):
    """Ids travel as codes through the shuffle; duplicates and labels stay exact."""
    copy = surveys.iloc[[3]].assign(vacancies=surveys["vacancies"].iloc[3] + 1)
    table = pd.concat([surveys, copy], ignore_index=True)
    parts = dd.from_pandas(table, npartitions=4, sort=False)
    with pytest.raises(SchemaError, match="duplicate_key") as error:
        tg.features.estimate_cells(parts, freq="Q")
    assert str(surveys["enterprise_id"].iloc[3]) in str(error.value)
    assert sorted(error.value.failure_cases["line"]) == [5, len(table) + 1]


def test_partition_categories_in_another_order(surveys):
    """A partition whose categories are ordered unlike the metadata is recoded, not misread."""
    parts = dd.from_pandas(surveys, npartitions=3, sort=False)
    flipped = parts.map_partitions(
        lambda f: f.assign(enterprise_id=f["enterprise_id"].cat.reorder_categories(
            f["enterprise_id"].cat.categories[::-1])))
    pd.testing.assert_frame_equal(tg.features.estimate_cells(flipped, freq="Q"),
                                  tg.features.estimate_cells(surveys, freq="Q"), rtol=1e-9)


def test_unusual_values_one_warning_with_the_true_count(surveys):
    table = surveys.astype({"enterprise_id": str})
    odd = np.arange(0, len(table), 7)
    table.loc[odd, "vacancies"] = table.loc[odd, "employees"] * 50
    parts = dd.from_pandas(table, npartitions=9, sort=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tg.features.estimate_cells(parts, freq="Q")
    found = [str(w.message) for w in caught
             if issubclass(w.category, DataQualityWarning) and "vacancies >" in str(w.message)]
    assert len(found) == 1
    assert f"{odd.size} row(s) with vacancies > 5 x employees" in found[0]
    lines = [int(x) for x in re.findall(r"line (\d+) \(partition", found[0])]
    assert lines == (odd[:5] + 2).tolist()  # the table's first five, as in memory
