"""Tests of the key rules in talentgap._checks, seen through schema validation."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.errors import SchemaError
from talentgap.schema import validate


def _training(regions, industries=None):
    n = len(regions)
    return pd.DataFrame({"period": ["2024"] * n, "region": regions,
                         "industry": industries or ["textiles"] * n,
                         "trained": list(range(10, 10 + n)), "certified": [5] * n})


@pytest.mark.parametrize("make", [list, lambda v: pd.Categorical(v),
                                  lambda v: pd.Series(v, dtype="string")])
def test_surrounding_spaces_reject_the_rows_with_lines(make):
    raw = _training(make(["Longwan ", "Ouhai", "\u3000Ouhai", "Ouhai", " Lucheng"]))
    clean, report = validate(raw, table="training", errors="report")
    rejected = report.rejected
    assert rejected["line"].tolist() == [2, 4, 6]
    assert set(rejected["rule"]) == {"surrounding_space"}
    assert rejected["message"].iloc[0] == (
        "'Longwan ' starts or ends with spaces (did you mean 'Longwan'?)")
    assert clean["region"].astype(str).tolist() == ["Ouhai", "Ouhai"]
    assert list(clean["region"].cat.categories) == ["Ouhai"]  # nothing stripped silently


def test_surrounding_spaces_error_names_column_rule_and_line():
    with pytest.raises(SchemaError, match=r"column 'industry' must not start or end with "
                       r"spaces \[surrounding_space\]; 1 row fails, e.g. line 3") as info:
        validate(_training(["A", "B"], ["textiles", "textiles "]), table="training")
    assert info.value.reason == "surrounding_space"


def test_inner_spaces_and_blank_values_are_not_surrounding_spaces():
    clean, report = validate(_training(["Ou hai", "  ", "B"]), table="training",
                             errors="report")
    assert report.rejected["rule"].tolist() == ["missing_value"]
    assert clean["region"].astype(str).tolist() == ["Ou hai", "B"]


@pytest.mark.parametrize("dtype", [object, "str"])
def test_unused_categories_of_a_key_are_dropped_from_the_clean_table(dtype):
    regions = pd.Index(["A", "B", "C", "D"], dtype=dtype)
    raw = _training(pd.Categorical(["D", "B", "D", "A"], categories=regions))
    raw.loc[3, "certified"] = -1  # the only 'A' row is rejected
    clean, report = validate(raw, table="training", errors="report")
    assert report.rejected["line"].tolist() == [5]
    assert list(clean["region"].cat.categories) == ["B", "D"]
    assert clean["region"].astype(str).tolist() == ["D", "B", "D"]
    assert clean["region"].cat.categories.is_unique


def test_excel_error_in_a_text_key_is_read_from_its_distinct_values():
    raw = _training(["Ouhai", "#N/A", "Ouhai", "#REF!"],
                    ["textiles", "textiles", "#N/A", "textiles"])
    clean, report = validate(raw, table="training", errors="report")
    rejected = report.rejected
    assert rejected[["line", "column", "rule"]].values.tolist() == [
        [3, "region", "excel_error"], [4, "industry", "excel_error"],
        [5, "region", "excel_error"]]
    assert clean["region"].astype(str).tolist() == ["Ouhai"]
    assert list(clean["industry"].cat.categories) == ["textiles"]
