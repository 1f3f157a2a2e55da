"""The same bad surveys through pandas and Dask: errors name the same rows and lines."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap._checks import FAILURE_COLUMNS
from talentgap.errors import DataQualityWarning, SchemaError
from talentgap.features import _distributed_failures as failures_module
from talentgap.features import build_panel, estimate_cells

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

TRAINING = pd.DataFrame({
    "period": "2024", "region": "North", "industry": ["construction", "textiles"],
    "program": ["welding", "sewing"], "trained": [30, 12], "certified": [20, 10],
})
CROSSWALK = pd.DataFrame({"program": ["welding", "welding", "sewing"],
                          "occupation": ["welder", "fitter", "sewer"],
                          "share": [0.75, 0.25, 1.0]})
BY_OCCUPATION = {"freq": "Y", "keys": ("region", "occupation"), "crosswalk": CROSSWALK}


pytestmark = pytest.mark.usefixtures("dask_synchronous")


@pytest.fixture(scope="module")
def surveys() -> pd.DataFrame:
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=4, seed=1)
    return data.surveys.astype({"period": str, "enterprise_id": str})


def occupations(n: int, seed: int = 0) -> pd.DataFrame:
    """One enterprise per row, each reporting vacancies for one occupation."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "period": "2024", "enterprise_id": [f"E{i}" for i in range(n)], "region": "North",
        "industry": "textiles", "employees": 100, "vacancies": rng.integers(0, 4, n),
        "hard_to_fill": 0, "reports_shortage": 1,
        "occupation": rng.choice(["welder", "sewer", "fitter", "riveter", "painter"], n)})


def parts(frame: pd.DataFrame, n: int = 3):
    return dd.from_pandas(frame, npartitions=n, sort=False)


def errors(call, frame: pd.DataFrame, n: int = 3) -> tuple[SchemaError, SchemaError]:
    """The error of ``call`` on the pandas table and on it in ``n`` partitions."""
    with pytest.raises(SchemaError) as local:
        call(frame)
    with pytest.raises(SchemaError) as spread:
        call(parts(frame, n))
    return local.value, spread.value


def examples(message: str) -> list[tuple[str, str]]:
    """The ``line N (label`` examples a message names, in order."""
    return re.findall(r"line (\d+) \(([^;):]+)", message)


def test_bad_values_named_by_the_lines_of_the_pandas_path(surveys):
    bad = surveys.copy()
    rows = [3, 90, 131, 200, 247]  # in each of the three partitions
    bad.loc[rows, "hard_to_fill"] = bad.loc[rows, "vacancies"] + 5
    bad.loc[[120, 201], "weight"] = -1.0
    local, spread = errors(lambda t: estimate_cells(t, freq="Q"), bad)
    assert examples(str(spread)) == examples(str(local))
    assert [line for line, _ in examples(str(spread))][:5] == ["5", "92", "133", "202", "249"]
    assert "partition 2 row" in str(spread)  # and where the row sits in its partition
    columns = ["line", "row", "column", "rule", "value"]
    pd.testing.assert_frame_equal(
        spread.failure_cases[columns].sort_values(["column", "line"], ignore_index=True),
        local.failure_cases[columns].sort_values(["column", "line"], ignore_index=True),
        check_dtype=False)
    head = str(spread).splitlines()[0]
    assert "7 of 248 rows fail validation (7 failures)" in head
    assert str(local).startswith("surveys: 7 of 248 rows fail validation (7 failures)")


def test_duplicate_in_the_first_and_last_partition_same_rows(surveys):
    table = pd.concat([surveys, surveys.iloc[[1]].assign(vacancies=9, hard_to_fill=0)],
                      ignore_index=True)
    local, spread = errors(lambda t: estimate_cells(t, freq="Q"), table, n=4)
    assert local.reason == spread.reason == "duplicate_key"
    assert spread.failure_cases["line"].tolist() == local.failure_cases["line"].tolist() == [
        3, len(table) + 1]
    assert spread.failure_cases["row"].tolist() == local.failure_cases["row"].tolist()
    assert spread.failure_cases["partition"].tolist() == [0, 3]


def test_row_labels_are_those_of_the_table(surveys):
    bad = surveys.copy()
    bad.index = [f"r{i}" for i in range(len(bad))]
    bad.iloc[[10, 240], bad.columns.get_loc("employees")] = -3
    local, spread = errors(lambda t: estimate_cells(t, freq="Q"), bad)
    assert spread.failure_cases["row"].tolist() == local.failure_cases["row"].tolist() == [
        "r10", "r240"]
    assert spread.failure_cases["line"].tolist() == [12, 242]


def test_crosswalk_coverage_message_equals_pandas():
    table = occupations(30)
    local, spread = errors(lambda t: build_panel(t, TRAINING, **BY_OCCUPATION), table)
    assert spread.reason == "not_in_crosswalk"
    assert str(spread) == str(local)
    assert "line 2: 'painter'" in str(spread)  # the table's rows, not placeholder cells
    pd.testing.assert_frame_equal(spread.failure_cases[FAILURE_COLUMNS],
                                  local.failure_cases[FAILURE_COLUMNS])
    assert set(spread.failure_cases["partition"]) == {0, 1, 2}


def test_coverage_counts_and_names_beyond_the_rows_kept(monkeypatch):
    """Only the first rows travel back, yet the count and every occupation named are exact."""
    table = occupations(60, seed=2)
    fails = (table["vacancies"] > 0) & table["occupation"].isin(["riveter", "painter"])
    last = int(np.flatnonzero(fails)[-1])
    table.loc[last, "occupation"] = "plumber"  # appears once, at the last failing row
    monkeypatch.setattr(failures_module, "MAX_FAILURES", 2)
    local, spread = errors(lambda t: build_panel(t, TRAINING, **BY_OCCUPATION), table)
    assert str(spread) == str(local)
    assert "'plumber'" in str(spread) and f"{int(fails.sum())} rows with vacancies" in str(spread)


def test_rows_checked_before_coverage_as_in_pandas():
    table = occupations(30).astype({"employees": object})
    table.loc[20, "employees"] = "many"
    local, spread = errors(lambda t: build_panel(t, TRAINING, **BY_OCCUPATION), table)
    assert local.reason == spread.reason == "not_numeric"
    assert examples(str(spread)) == examples(str(local)) == [("22", "E20, 2024, riveter")]


def test_undeclared_skill_level_named_by_its_rows():
    table = occupations(30).assign(skill_level=lambda t: np.where(
        np.arange(len(t)) % 3, "basic", "expert"))
    local, spread = errors(lambda t: build_panel(
        t, freq="Y", keys=("region", "skill_level"), skill_levels=["basic", "skilled"]), table)
    assert spread.reason == local.reason == "unknown_code"
    assert examples(str(spread)) == examples(str(local))
    assert "cell" not in str(spread)  # no placeholder respondent
    assert spread.failure_cases["line"].tolist() == local.failure_cases["line"].tolist() == (
        list(range(2, 32, 3)))


def test_unusual_values_warn_with_the_lines_of_the_pandas_path(surveys):
    table = surveys.copy()
    table.loc[[100, 170], ["employees", "vacancies", "hard_to_fill"]] = [1, 40, 0]
    with pytest.warns(DataQualityWarning) as local:
        estimate_cells(table, freq="Q")
    with pytest.warns(DataQualityWarning) as spread:
        estimate_cells(parts(table), freq="Q")
    assert "e.g. line 102, line 172" in str(local[0].message)
    assert re.search(r"e\.g\. line 102 \(partition 1 row \d+\), line 172 \(partition 2 row \d+\)",
                     str(spread[0].message))


def test_lines_count_over_partitions_of_every_length():
    lines = failures_module.Lines(np.array([-1, 2, -1, 0]))  # 0, 3, 0 and 1 rows
    codes = failures_module.encode([1, 1, 3], [0, 2, 0])
    assert lines.n_rows == 4
    assert lines.line(codes).tolist() == [2, 4, 5]
    marked = failures_module.mark_text(f"lines {codes[0]}, {codes[2]}, 1000000000000000",
                                       pd.Index(codes))
    assert lines.text(marked) == ("lines 2 (partition 1 row 0), 5 (partition 3 row 0), "
                                  "1000000000000000")


@pytest.mark.parametrize("codes", ["raise", "warn"])
def test_key_codes_compared_on_the_rows_of_every_partition(codes):
    table = occupations(30).assign(industry=lambda t: np.where(
        np.arange(len(t)) % 2, "textiles", "Textiles"))
    training = TRAINING.assign(industry=["construction", "textile"])

    def call(frame):
        return build_panel(frame, training, freq="Y", codes=codes)

    if codes == "raise":
        local, spread = errors(call, table)
        assert str(spread) == str(local)
        assert "'Textiles' in surveys (15 rows, e.g. lines 2, 4, 6, 8, 10)" in str(spread)
        pd.testing.assert_frame_equal(spread.failure_cases, local.failure_cases)
        return
    with pytest.warns(DataQualityWarning) as local:
        call(table)
    with pytest.warns(DataQualityWarning) as spread:
        call(parts(table))
    assert [str(w.message) for w in spread] == [str(w.message) for w in local]
    assert any("'textiles' in surveys (15 rows, e.g. lines 3, 5, 7, 9, 11)" in str(w.message)
               for w in spread)
