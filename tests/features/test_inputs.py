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


# ---- every rule also runs on a canonical table ----------------------------------------------

def test_a_count_too_large_for_float64_is_caught_on_a_canonical_table(clean):
    bad = clean.copy()
    employees = bad["employees"].to_numpy().copy()
    employees[5] = 2**60  # a valid int64, but beyond the largest exact count
    bad["employees"] = employees
    with pytest.raises(SchemaError, match=r"'employees'.*too_large.*line 7"):
        estimate_cells(bad)


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_category_is_a_missing_key_on_a_canonical_table(clean, blank):
    bad = clean.copy()
    region = bad["region"].cat.add_categories([blank])
    region.iloc[2] = blank
    bad["region"] = region
    with pytest.raises(SchemaError, match=r"'region' must not be missing.*line 4"):
        estimate_cells(bad)


def test_categories_that_collide_as_text_are_caught_on_a_canonical_table(clean):
    bad = clean.copy()
    codes = bad["industry"].cat.codes.to_numpy().copy()
    categories = list(bad["industry"].cat.categories)
    codes[1] = len(categories)
    codes[2] = len(categories) + 1
    bad["industry"] = pd.Categorical.from_codes(codes, categories=[*categories, 7, "7"])
    with pytest.raises(SchemaError, match=r"text_collision.*line 3.*line 4"):
        estimate_cells(bad)


def test_categorical_input_validates_like_the_same_values_as_text(clean):
    shuffled = clean.sample(frac=1.0, random_state=1)
    # categories in an unsorted order, one unused, codes of a narrow dtype
    region = shuffled["region"].cat.add_categories(["Zeta"]).cat.reorder_categories(
        ["Zeta", *reversed(shuffled["region"].cat.categories)])
    shuffled = shuffled.assign(region=region)
    as_text = shuffled.astype({"region": object, "industry": object, "enterprise_id": object})
    a = validate(shuffled, table="surveys", freq="Q")
    b = validate(as_text, table="surveys", freq="Q")
    pd.testing.assert_frame_equal(a, b)
    assert a["region"].cat.categories.tolist() == sorted(clean["region"].unique())
    assert not np.shares_memory(a["weight"].to_numpy(), shuffled["weight"].to_numpy())
    assert not np.shares_memory(a["region"].cat.codes.to_numpy(),
                                shuffled["region"].cat.codes.to_numpy())


def test_a_copied_row_of_a_canonical_training_table_is_caught():
    """Training rows are summed: the fast path for canonical tables checks for copies too."""
    from talentgap.features import build_panel, training_supply

    data = make_synthetic(n_regions=2, industries=2, n_periods=4, seed=3)
    training = validate(data.training, table="training", freq="Q")
    assert canonical_table(training, "training", freq="Q") is training
    copied = pd.concat([training, training.iloc[[2]]], ignore_index=True)
    assert copied.dtypes.equals(training.dtypes)  # still canonical dtypes
    for call in (lambda: training_supply(copied, freq="Q"),
                 lambda: build_panel(data.surveys, copied)):
        with pytest.raises(SchemaError, match=r"\[duplicate_row\]"):
            call()


def _long_with_blank_details(clean: pd.DataFrame) -> pd.DataFrame:
    """The long form: two occupation rows per enterprise-period with vacancies, one row with
    a blank occupation for each enterprise-period without (no detail to give)."""
    some = clean[clean["vacancies"] > 0]
    low = some.assign(occupation="welder", vacancies=some["vacancies"] // 2,
                      hard_to_fill=np.minimum(some["hard_to_fill"], some["vacancies"] // 2))
    high = some.assign(occupation="fitter", vacancies=some["vacancies"] - low["vacancies"],
                       hard_to_fill=some["hard_to_fill"] - low["hard_to_fill"])
    none = clean[clean["vacancies"] == 0].assign(occupation=None)
    return pd.concat([low, high, none], ignore_index=True)


def test_blank_details_take_the_fast_path_and_repeats_among_them_are_caught(clean):
    # the blank occupation's code (-1) once carried into the period's digit of the row key,
    # so (E, 2024Q2, blank) read as (E, 2024Q1, last occupation): a repeat that is not one
    long = validate(_long_with_blank_details(clean), table="surveys", freq="Q")
    blank = long["occupation"].isna().to_numpy()
    assert 0 < blank.sum() < len(long)
    assert canonical_table(long, "surveys", freq="Q") is long
    copied = pd.concat([long, long[blank].iloc[[0]]], ignore_index=True)
    assert copied.dtypes.equals(long.dtypes)
    with pytest.raises(SchemaError, match=r"'enterprise_id, period, occupation' must not "
                       r"repeat an earlier row .* \(blank\)\)"):
        canonical_table(copied, "surveys", freq="Q")
