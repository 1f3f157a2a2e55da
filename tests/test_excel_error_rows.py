"""Excel error values (``#N/A``, ``#REF!``) are row failures of rule ``excel_error``."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.errors import SchemaError
from talentgap.io import read_table
from talentgap.schema import reject_incomplete_groups, validate

HEAD = ["period", "region", "industry", "program", "trained", "certified"]
ROWS = [
    ["2024Q1", "A", "textiles", "basic", 100, 50],
    ["2024Q1", "A", "textiles", "advanced", 40, "#DIV/0!"],  # line 3: takes line 2 along
    ["2024Q1", "#N/A", "textiles", "basic", 30, 20],        # line 4: its cell is unknown
    ["2024Q1", "B", "textiles", "basic", 60, 30],
    ["#REF!", "C", "textiles", "basic", 10, 5],              # line 6: no period, no group
    ["2024Q1", "C", "textiles", "basic", 10, 5],
]


def _csv(path):
    path.write_text("\n".join(",".join(map(str, row)) for row in [HEAD, *ROWS]) + "\n")
    return path


def _xlsx(path):
    from openpyxl import Workbook

    book = Workbook()
    for row in [HEAD, *ROWS]:
        book.active.append(row)  # openpyxl stores "#DIV/0!" as an error cell
    book.save(path)
    return path


@pytest.fixture(params=["csv", "xlsx"])
def damaged(request, tmp_path):
    return (_csv if request.param == "csv" else _xlsx)(tmp_path / f"training.{request.param}")


def test_raise_lists_every_error_cell_once_with_its_line(damaged):
    with pytest.raises(SchemaError, match=r"\[excel_error\]") as info:
        read_table(damaged, table="training")
    cases = info.value.failure_cases
    # one failure per cell: the column's own rules (not_numeric, bad_period) stay quiet
    assert cases[["line", "column", "rule", "value"]].to_dict("records") == [
        {"line": 3, "column": "certified", "rule": "excel_error", "value": "#DIV/0!"},
        {"line": 4, "column": "region", "rule": "excel_error", "value": "#N/A"},
        {"line": 6, "column": "period", "rule": "excel_error", "value": "#REF!"},
    ]
    assert info.value.reason == "excel_error"
    assert "line 4 (" in str(info.value) and "'#N/A': a formula failed" in str(info.value)


def test_report_rejects_the_rows_and_accounts_for_every_row(damaged):
    clean, report = read_table(damaged, table="training", errors="report")
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == (6, 3, 3)
    assert report.rejected["rule"].tolist() == ["excel_error"] * 3
    assert clean["region"].astype(str).tolist() == ["A", "B", "C"]
    assert "#N/A" not in clean["region"].cat.categories  # not a code


def test_with_the_group_rule_a_damaged_cohort_takes_its_cell_period(damaged):
    clean, report = read_table(damaged, table="training", errors="report")
    clean, report = reject_incomplete_groups(clean, report, by=("period", "region",
                                                                "industry"),
                                             group="cell-period")
    assert report.rows_kept + report.rows_rejected == report.rows_in == 6
    assert report.rejected[["line", "rule"]].to_dict("list") == {
        "line": [2, 3, 4, 6],
        "rule": ["group_incomplete", "excel_error", "excel_error", "excel_error"]}
    assert report.rows_with_group == 1
    # the rows whose region or period was an error name no group: B and C stay
    assert clean["region"].astype(str).tolist() == ["B", "C"]


def test_validate_sees_error_values_in_categorical_and_text_columns():
    raw = pd.DataFrame({"period": ["2024", "2024", "2024"],
                        "region": pd.Categorical(["A", "#N/A", "B"]),
                        "industry": ["textiles"] * 3,
                        "trained": ["10", "20", "#VALUE!"], "certified": [5, 5, 5]})
    clean, report = validate(raw, table="training", errors="report")
    assert report.rejected[["line", "column", "rule"]].to_dict("records") == [
        {"line": 3, "column": "region", "rule": "excel_error"},
        {"line": 4, "column": "trained", "rule": "excel_error"}]
    assert clean["trained"].tolist() == [10]
