"""Argument names of estimate_cells and build_panel: keys that collide, misspelled weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import ParameterError, SchemaError
from talentgap.features import SurveyDesign, build_panel, estimate_cells


@pytest.fixture
def surveys() -> pd.DataFrame:
    return pd.DataFrame({
        "period": ["2024Q1"] * 4, "enterprise_id": ["E1", "E2", "E3", "E4"],
        "region": ["North", "North", "South", "South"], "industry": ["textiles"] * 4,
        "employees": [40, 10, 25, 10], "vacancies": [4, 0, 2, 3], "hard_to_fill": [3, 0, 1, 2],
        "reports_shortage": [1, 0, 1, 1], "weight": [10.0, 10.0, 20.0, 5.0],
        "band": ["s", "s", "l", "l"]})


@pytest.mark.parametrize("key", ["employees", "demand", "n_respondents"])
def test_key_naming_an_output_column_is_refused(surveys, key):
    table = surveys.assign(n_respondents=1) if key == "n_respondents" else surveys
    with pytest.raises(ParameterError, match=f"include '{key}': a key cannot be an output "
                                             f"column of estimate_cells '{key}'; .*"
                                             f"surveys.assign\\({key}_key="):
        estimate_cells(table, keys=["region", key])


def test_key_naming_a_design_output_column_is_refused(surveys):
    table = surveys.assign(take_all="yes")
    assert len(estimate_cells(table, keys=["take_all"])) == 1  # no design: no such output
    with pytest.raises(ParameterError, match="'take_all'"):
        estimate_cells(table, keys=["take_all"], design=SurveyDesign(strata="band"))


def test_key_naming_a_panel_column_is_refused(surveys):
    with pytest.raises(ParameterError, match="a key cannot be an output column of build_panel "
                                             "'employees'"):
        build_panel(surveys, keys=["employees"])


def test_misspelled_weight_is_refused_with_a_suggestion(surveys):
    with pytest.raises(SchemaError, match="weight column 'wieght'.*did you mean 'weight'") as info:
        estimate_cells(surveys, weight="wieght")
    assert info.value.column == "wieght" and info.value.reason == "missing_column"


def test_default_weight_may_be_absent_and_named_weight_is_used(surveys):
    unweighted = estimate_cells(surveys.drop(columns="weight"))
    assert unweighted["enterprises"].tolist() == [2.0, 2.0]
    named = estimate_cells(surveys.rename(columns={"weight": "w2"}), weight="w2")
    np.testing.assert_array_equal(named["demand"], estimate_cells(surveys)["demand"])
    assert named["demand"].tolist() == [30.0, 30.0]
    assert estimate_cells(surveys, weight=None)["demand"].tolist() == [3.0, 3.0]


def test_dask_path_refuses_the_same(surveys, dask_synchronous):
    dd = pytest.importorskip("dask.dataframe")
    parts = dd.from_pandas(surveys, npartitions=2, sort=False)
    with pytest.raises(SchemaError, match="'wieght'"):
        estimate_cells(parts, weight="wieght", freq="Q")
    with pytest.raises(ParameterError, match="include 'vacancies': a key cannot be"):
        estimate_cells(parts, keys=["vacancies"], freq="Q")
