"""CSV lines with more fields than the header, and spaces around numbers, as read."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning, SchemaError

HEADER = "period,region,industry,trained,certified\n"
ROWS = "2024Q1,A,x,10,5\n2024Q1,B,x,8,4\n"


def _csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_a_last_line_of_only_an_extra_field_is_a_wide_row(tmp_path):
    path = _csv(tmp_path / "t.csv", HEADER + ROWS + ",,,,,x\n")
    clean, report = tg.io.read_table(path, table="training", errors="report")
    assert len(clean) == 2 and report.rows_in == 3
    wide = report.rejected[report.rejected["rule"] == "too_many_fields"]
    assert wide["line"].tolist() == [4]
    with pytest.raises(SchemaError, match="line 4") as error:
        tg.io.read_table(path, table="training")
    assert error.value.reason == "too_many_fields"
    assert error.value.failure_cases["line"].tolist() == [4]


def test_blank_lines_after_the_last_row_are_still_no_rows(tmp_path):
    path = _csv(tmp_path / "t.csv", HEADER + ROWS + "2024Q1,C,x,1,1,9\n,,,,,\n\n")
    clean, report = tg.io.read_table(path, table="training", errors="report")
    assert report.rows_in == 3 and report.rejected["line"].tolist() == [4]


def test_lines_each_wider_than_the_last_are_all_rejected(tmp_path):
    lines = [f"2024Q1,R{i},x,10,5" + ",9" * (i + 1) for i in range(12)]
    path = _csv(tmp_path / "t.csv", HEADER + ROWS + "\n".join(lines) + "\n")
    clean, report = tg.io.read_table(path, table="training", errors="report")
    assert clean["region"].astype(str).tolist() == ["A", "B"]
    assert report.rejected["line"].tolist() == list(range(4, 16))
    assert set(report.rejected["rule"]) == {"too_many_fields"}


def test_a_side_file_names_the_rule_and_its_rows(tmp_path):
    path = _csv(tmp_path / "cost.csv", "region,cost\nA,4000\nB,6,000\n")
    with pytest.raises(SchemaError, match=r"1 row fails rule too_many_fields.*line 3") as error:
        tg.io.read_csv_file(path, text_columns=["region"])
    assert error.value.failure_cases["line"].tolist() == [3]


@pytest.mark.parametrize(("value", "widened"), [("28\u3000", False), ("\u300028 ", False),
                                                ("２８", True), ("２８\u3000", True)])
def test_validate_and_read_table_agree_on_spaces_and_full_width(tmp_path, value, widened):
    raw = pd.DataFrame({"period": ["2024Q1"], "region": ["A"], "industry": ["x"],
                        "trained": [value], "certified": ["5"]})
    path = tmp_path / "t.csv"
    raw.to_csv(path, index=False)
    read = {}
    for label, call in (("validate", lambda: tg.schema.validate(raw, table="training")),
                        ("read_table", lambda: tg.io.read_table(path, table="training"))):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DataQualityWarning)
            clean = call()
        said = any("full-width digits" in str(w.message) for w in caught)
        read[label] = (clean["trained"].tolist(), said)
    assert read["validate"] == read["read_table"] == ([28], widened)
