"""Counts in messages: one rule for "1 row fails" / "2 rows fail" and "line 2" / "lines 2, 3"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap._words import count_words, lines_text, rows_fail
from talentgap.errors import SchemaError
from talentgap.features import estimate_cells
from talentgap.features.crosswalk import check_crosswalk


def test_count_words_rows_fail_and_lines_text():
    assert [count_words(n, "row") for n in (0, 1, 2)] == ["0 rows", "1 row", "2 rows"]
    assert count_words(1, "category", "categories") == "1 category"
    assert count_words(3, "category", "categories") == "3 categories"
    assert [rows_fail(n) for n in (1, 2)] == ["1 row fails", "2 rows fail"]
    assert lines_text(np.array([7])) == "line 7"
    assert lines_text([2, 3]) == "lines 2, 3"


@pytest.fixture
def surveys():
    return pd.DataFrame({
        "period": ["2024Q1"] * 3, "enterprise_id": ["E1", "E2", "E3"],
        "region": ["North"] * 3, "industry": ["textiles"] * 3, "employees": [40, 10, 25],
        "vacancies": [4, 0, 2], "hard_to_fill": [3, 0, 1], "reports_shortage": [1, 0, 1]})


def test_one_missing_key_value_is_one_row_and_one_line(surveys):
    district = pd.Series(["a", None, "b"], dtype=object)
    with pytest.raises(SchemaError, match=r"'district' must not be missing; 1 row fails, "
                                          r"e.g. line 3$"):
        estimate_cells(surveys.assign(district=district), keys=["region", "district"])


def test_crosswalk_messages_name_lines_whatever_the_index():
    cw = pd.DataFrame({"program": ["weld", "weld", "cnc"], "industry": ["a", "b", "a"],
                       "share": [0.6, 0.5, 1.0]}, index=["x", "y", "z"])
    with pytest.raises(SchemaError, match=r"program='weld' sums to 1.1 \(over by 0.1; "
                                          r"lines 2, 3\)") as info:
        check_crosswalk(cw)
    assert info.value.failure_cases["line"].tolist() == [2, 3]
    assert info.value.failure_cases["row"].tolist() == ["x", "y"]
    with pytest.raises(SchemaError, match=r"column 'share' must be >= 0; 1 row fails: line 4 "
                                          r"\(program='cnc', industry='a', share=-1.0\)"):
        check_crosswalk(cw.assign(share=[0.5, 0.5, -1.0]))
    one = pd.DataFrame({"program": ["cnc"], "industry": ["a"], "share": [0.5]})
    with pytest.raises(SchemaError, match=r"short by 0.5; line 2\)"):
        check_crosswalk(one)
