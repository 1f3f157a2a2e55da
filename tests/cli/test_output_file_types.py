"""Output files a nightly job can depend on: column types, long tables, sheet places.

The per-region tables keep their key columns categorical in Parquet and write
a target's year as an integer, whatever their builders concatenate or fill;
``plan_regions`` has the same columns whatever periods the plan funds; a sheet
added to ``results.xlsx`` comes after the sheets of earlier releases.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap import io
from talentgap.cli._file_dtypes import KEYED_TABLES, file_dtypes
from talentgap.cli._totals import ALL_REGIONS, region_places, region_totals, split_national
from talentgap.cli._workbook import WORKBOOK_SHEETS, workbook_sheets

#: The sheets of ``results.xlsx`` before ``plan_regions`` and ``target_path_national``.
EARLIER_SHEETS = ["quotas", "plan_places", "plan_years", "plan_summary", "plan_binding",
                  "plan_cells", "plan_marginal_value", "plan_comparison", "budget_curve",
                  "policy_need", "target_path", "forecast", "rejected"]


def _path() -> pd.DataFrame:
    """A target path as a run builds it: the regions' rows (region categorical), then all
    regions' together, whose text ``region`` turns the concatenated column into text."""
    years = pd.PeriodIndex(["2024", "2029", "2024", "2029"], freq="Y")
    regions = pd.DataFrame({"region": pd.Categorical(["A", "A", "B", "B"]),
                            "skill_level": "skilled", "period": years,
                            "observed_share": [0.2, np.nan, 0.3, np.nan],
                            "target_share": [np.nan, 0.3, np.nan, 0.35],
                            "share_with_plan": [np.nan, 0.25, np.nan, 0.33],
                            "target_year": [np.nan, 2029.0, np.nan, 2029.0]})
    national = pd.DataFrame({"region": ALL_REGIONS, "skill_level": "skilled",
                             "period": pd.PeriodIndex(["2029"], freq="Y"),
                             "share_with_plan": [0.29]})
    return pd.concat([regions, national], ignore_index=True)


def test_the_target_path_files_keep_the_key_types(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    path = _path()
    assert path["region"].dtype == object or str(path["region"].dtype) == "str"  # lost
    regions, national = split_national(path)
    tables = file_dtypes({"target_path": regions, "target_path_national": national},
                         ["region", "industry", "skill_level"])
    assert isinstance(tables["target_path"]["region"].dtype, pd.CategoricalDtype)
    assert tables["target_path"]["skill_level"].dtype == regions["skill_level"].dtype
    assert regions["target_year"].dtype == np.float64      # the input is left as it was
    io.write_table(tables["target_path"], tmp_path / "target_path.parquet")
    schema = pq.read_schema(tmp_path / "target_path.parquet")
    assert str(schema.field("region").type).startswith("dictionary<values=string")
    assert str(schema.field("target_year").type) == "int64"
    csv = io.write_table(tables["target_path"], tmp_path / "target_path.csv")
    years = pd.read_csv(csv, dtype=str, keep_default_na=False)["target_year"]
    assert years.tolist() == ["", "2029", "", "2029"]     # 2029, not 2029.0


def test_every_keyed_table_gets_categorical_keys_and_no_other_table_does():
    frame = pd.DataFrame({"region": ["A", "B"], "industry": ["x", "y"], "value": [1.0, 2.0]})
    tables = file_dtypes({name: frame for name in (*KEYED_TABLES, "plan_binding")},
                         ["region", "industry"])
    for name in KEYED_TABLES:
        assert [str(t) for t in tables[name].dtypes] == ["category", "category", "float64"]
    assert tables["plan_binding"] is frame                  # as HEAD writes it: text
    assert list(tables) == [*KEYED_TABLES, "plan_binding"]  # the order is kept


def test_a_year_that_is_not_whole_is_refused():
    path = pd.DataFrame({"region": ["A"], "target_year": [2029.5]})
    with pytest.raises(TypeError):
        file_dtypes({"target_path": path}, ["region"])


def test_plan_regions_is_long_with_the_period_the_plan_names():
    # a one-period plan funded in a quarter: its period, not a year column named 2025
    quotas = pd.DataFrame({"region": pd.Categorical(["B", "A", "B"]),
                           "industry": ["x", "x", "y"],
                           "period": pd.PeriodIndex(["2025Q3"] * 3, freq="Q"),
                           "quota": [4, 10, 6], "cost": [40.0, 100.0, 60.0]})
    long = region_places(quotas, ["region", "industry"])
    assert long.columns.tolist() == ["region", "period", "places", "cost"]
    assert long["region"].astype(str).tolist() == ["A", "B"]
    assert long["places"].tolist() == [10, 10] and long["cost"].tolist() == [100.0, 60.0 + 40.0]
    assert long["period"].astype(str).tolist() == ["2025Q3", "2025Q3"]
    wide = region_totals(quotas, ["region", "industry"])    # the report's table
    assert "places_2025Q3" in wide.columns and "places_2025" not in wide.columns
    assert wide.loc[0, "cost"] == long["cost"].sum()
    # several funding years: one row per region and year, the same four columns
    years = quotas.assign(period=pd.PeriodIndex(["2025", "2026", "2026"], freq="Y"))
    long = region_places(years, ["region"])
    assert long.columns.tolist() == ["region", "period", "places", "cost"]
    assert list(zip(long["region"].astype(str), long["period"].astype(str),
                    long["places"], strict=True)) == [("A", "2026", 10), ("B", "2025", 4),
                                                      ("B", "2026", 6)]


def test_new_sheets_come_after_the_earlier_ones():
    assert list(WORKBOOK_SHEETS)[:len(EARLIER_SHEETS)] == EARLIER_SHEETS
    assert list(WORKBOOK_SHEETS)[len(EARLIER_SHEETS):] == ["plan_regions",
                                                           "target_path_national",
                                                           "plan_budget_cuts"]
    frame = pd.DataFrame({"a": [1]})
    made = ["quotas", "plan_summary", "target_path", "forecast", "target_path_national",
            "plan_regions"]
    sheets = workbook_sheets({name: frame for name in made})
    assert list(sheets) == ["contents", "quotas", "plan_summary", "target_path", "forecast",
                            "plan_regions", "target_path_national"]
    assert sheets["contents"]["sheet"].tolist() == list(sheets)[1:]
