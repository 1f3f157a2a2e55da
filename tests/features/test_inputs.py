"""Tests for talentgap.features._inputs: the cheap checks on already-canonical tables.

A table with canonical dtypes skips full validation only if every cheap
value rule holds; one bad value anywhere sends it through
:func:`talentgap.schema.validate`, which raises a SchemaError naming it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.datasets import make_synthetic
from talentgap.errors import SchemaError
from talentgap.features import estimate_cells
from talentgap.features._inputs import canonical_table, surveys_table
from talentgap.schema import validate


@pytest.fixture(scope="module")
def clean() -> pd.DataFrame:
    surveys = make_synthetic(n_regions=2, industries=2, n_periods=4, seed=3).surveys
    return validate(surveys, table="surveys", freq="Q")


def test_a_canonical_table_is_passed_through(clean):
    assert canonical_table(clean, "surveys", freq="Q") is clean
    assert surveys_table(clean, freq="Q", keys=["region", "industry"]) is clean


def _with(clean: pd.DataFrame, column: str, value) -> pd.DataFrame:
    bad = clean.copy()
    values = bad[column].array.copy()
    values[3] = value
    bad[column] = values
    return bad


@pytest.mark.parametrize(("column", "value", "message"), [
    ("weight", np.nan, "'weight'"),
    ("weight", np.inf, "'weight'"),
    ("weight", 0.0, "'weight'"),
    ("employees", -1, "'employees'"),
    ("hard_to_fill", 10**6, "'hard_to_fill' must be <= 'vacancies'"),
    ("region", np.nan, "'region'"),
    ("period", pd.NaT, "'period'"),
])
def test_one_bad_value_sends_the_table_to_full_validation(clean, column, value, message):
    bad = _with(clean, column, value)
    assert bad[column].dtype == clean[column].dtype  # still canonical dtypes
    with pytest.raises(SchemaError, match=message):
        estimate_cells(bad, freq="Q")


@pytest.mark.parametrize("dtype", ["category", object])
def test_missing_value_in_a_key_outside_the_schema_is_reported(clean, dtype):
    # "district" is no schema column: only surveys_table checks it
    district = pd.Series(["north"] * len(clean), index=clean.index, dtype=dtype)
    district.iloc[[1, 4]] = np.nan
    with pytest.raises(SchemaError, match="'district' must not be missing; 2 rows fail, "
                                          "e.g. lines 3, 6"):
        estimate_cells(clean.assign(district=district), keys=["region", "district"])
