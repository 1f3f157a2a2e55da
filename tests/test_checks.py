"""Tests of the key rules in talentgap._checks, seen through schema validation."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap import _checks
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


def test_spaced_text_on_distinct_values():
    values = pd.Index(["a", " b", "c\t", "", "  ", 3, None, "d e"], dtype=object)
    assert _checks.spaced_text(values).tolist() == [False, True, True, False, False, False,
                                                    False, False]
    assert not _checks.spaced_text(pd.Index([], dtype=object)).any()
