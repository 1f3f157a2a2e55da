"""Reading tables laid out as Chinese bureaus export them.

Two-row headers with merged cells, merged cells in the data, CSV lines with
too many fields, header names written with line breaks or full-width
brackets, old workbook formats, numbers and periods as typed, and the CSV
encoding of the files written.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

openpyxl = pytest.importorskip("openpyxl")

from talentgap.errors import DataQualityWarning, ParameterError, SchemaError  # noqa: E402
from talentgap.io import file_format, read_csv_file, read_table, write_table  # noqa: E402

NAMES = {"统计期": "period", "地区": "region", "行业": "industry", "培训项目": "program",
         "培训人数": "trained", "取证人数": "certified"}
ROWS = [("2024Q1", "鹿城区", "纺织", "p1", 10, 6), ("2024Q1", "鹿城区", "纺织", "p2", 8, 5),
        ("2024Q1", "瓯海区", "纺织", "p1", 7, 7), ("2024Q2", "瓯海区", "纺织", "p1", 9, 4)]


def _two_row_header(path, rows=ROWS):
    """A title on row 1; names merged over rows 2-3; a group over the two counts."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.cell(1, 1, "培训情况统计表")
    sheet.merge_cells("A1:F1")
    for j, name in enumerate(["统计期", "地区", "行业", "培训项目"], start=1):
        sheet.cell(2, j, name)
        sheet.merge_cells(start_row=2, start_column=j, end_row=3, end_column=j)
    sheet.cell(2, 5, "人数（人）")
    sheet.merge_cells("E2:F2")
    sheet.cell(3, 5, "培训人数")
    sheet.cell(3, 6, "取证人数")
    for i, row in enumerate(rows, start=4):
        for j, value in enumerate(row, start=1):
            sheet.cell(i, j, value)
    book.save(path)
    return path


@pytest.mark.parametrize("header_row", [None, 2, 3])
def test_a_two_row_header_with_merged_names_is_read_as_one(tmp_path, header_row):
    path = _two_row_header(tmp_path / "two.xlsx")
    clean = read_table(path, table="training", columns=NAMES, header_row=header_row)
    assert clean["trained"].tolist() == [10, 8, 7, 9]
    assert clean["certified"].tolist() == [6, 5, 7, 4]
    assert clean["program"].tolist() == ["p1", "p2", "p1", "p1"]


def test_lines_below_a_two_row_header_are_the_sheet_rows(tmp_path):
    rows = [*ROWS[:2], ("2024Q1", "瓯海区", "纺织", "p1", 7, 9), ROWS[3]]  # row 6: 9 > 7
    path = _two_row_header(tmp_path / "two.xlsx", rows)
    _, report = read_table(path, table="training", columns=NAMES, errors="report")
    assert report.rejected[["line", "rule"]].to_dict("records") == [
        {"line": 6, "rule": "exceeds_trained"}]


def test_a_wrong_header_row_says_where_the_names_are(tmp_path):
    path = _two_row_header(tmp_path / "two.xlsx")
    with pytest.raises(SchemaError, match="seem to be on row 2: pass header_row=2") as err:
        read_table(path, table="training", columns=NAMES, header_row=1)
    assert "'nan'" not in str(err.value)


def _merged_data(path, column: str):
    book = openpyxl.Workbook()
    sheet = book.active
    for j, name in enumerate(["period", "region", "industry", "trained", "certified"], 1):
        sheet.cell(1, j, name)
    rows = [("2024Q1", "A", "x", 10, 5), ("2024Q1", "A", "y", 10, 4),
            ("2024Q1", "A", "z", 10, 3), ("2024Q1", "B", "x", 6, 6)]
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            if i in (3, 4) and j == {"region": 2, "trained": 4}[column]:
                continue  # the merged range holds its value in its first cell only
            sheet.cell(i, j, value)
    letter = {"region": "B", "trained": "D"}[column]
    sheet.merge_cells(f"{letter}2:{letter}4")
    book.save(path)
    return path


def test_a_code_merged_down_its_rows_is_read_on_each_row_with_a_warning(tmp_path):
    path = _merged_data(tmp_path / "merged.xlsx", "region")
    with pytest.warns(DataQualityWarning, match=r"column 'region' has cells \(B2:B4\) merged"):
        clean = read_table(path, table="training")
    assert clean["region"].tolist() == ["A", "A", "A", "B"]


def test_a_number_merged_over_rows_is_not_repeated_and_named(tmp_path):
    path = _merged_data(tmp_path / "merged.xlsx", "trained")
    with pytest.raises(SchemaError, match=r"column 'trained' has cells \(D2:D4\) merged") as err:
        read_table(path, table="training")
    cases = err.value.failure_cases
    assert cases[cases["rule"] == "missing_value"]["line"].tolist() == [3, 4]


def _csv(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "period,region,industry,trained,certified\n"


def test_a_line_with_too_many_fields_is_one_rejected_row(tmp_path):
    path = _csv(tmp_path / "t.csv", HEADER + "2024Q1,A,x,10,5\n2024Q1,B,x,1,200,5\n"
                "2024Q1,C,x,7\n2024Q1,D,x,3,1,\n")
    clean, report = read_table(path, table="training", errors="report")
    assert clean["region"].tolist() == ["A", "D"]  # a trailing empty field is no field
    assert set(zip(report.rejected["line"], report.rejected["rule"], strict=True)) == {
        (3, "too_many_fields"), (3, "exceeds_trained"), (4, "missing_value")}
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == (4, 2, 2)
    with pytest.raises(SchemaError, match="too_many_fields.*e.g. line 3"):
        read_table(path, table="training")


def test_a_too_wide_line_of_a_long_survey_takes_its_enterprise_period_with_it(tmp_path):
    head = ("period,enterprise_id,region,industry,skill_level,employees,vacancies,"
            "hard_to_fill,reports_shortage\n")
    path = _csv(tmp_path / "s.csv", head + "2024Q1,E1,A,x,初级工,50,3,1,1\n"
                "2024Q1,E1,A,x,高级工,50,2,1,1,9\n2024Q1,E2,A,x,初级工,20,1,0,0\n")
    clean, report = read_table(path, table="surveys", errors="report")
    assert clean["enterprise_id"].tolist() == ["E2"]
    assert sorted(report.rejected["rule"]) == ["group_incomplete", "too_many_fields"]


def test_a_blank_line_in_a_long_file_leaks_no_pandas_warning(tmp_path):
    # pandas reads a long file in chunks (here more than one) and warns of a column
    # whose chunks read as different types
    rows = [f"2024Q1,R{i},x,3,1,{i}" for i in range(140_000)]
    rows[100_000], rows[139_000] = "", "2024Q1,R,x,3,1,text"
    path = _csv(tmp_path / "long.csv", HEADER.strip() + ",note\n" + "\n".join(rows) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.DtypeWarning)
        _, report = read_table(path, table="training", errors="report")
    assert report.rejected["rule"].tolist() == ["empty_row"]


def test_header_names_match_across_line_breaks_and_full_width_brackets(tmp_path):
    path = _csv(tmp_path / "h.csv", '期间,地区,行业,"培训人数\n（人）",取证人数（人）\n'
                "2024Q1,A,x,10,5\n")
    names = {"期间": "period", "地区": "region", "行业": "industry",
             "培训人数(人)": "trained", "取证人数 (人)": "certified"}
    clean = read_table(path, table="training", columns=names)
    assert clean[["trained", "certified"]].iloc[0].tolist() == [10, 5]


@pytest.mark.parametrize(("name", "what"), [("old.xls", "Excel 97-2003"),
                                            ("wps.et", "WPS spreadsheet")])
def test_old_workbooks_are_refused_with_what_to_save_them_as(name, what):
    with pytest.raises(ParameterError, match=f"{what}.*save it as .xlsx \\(or CSV\\)"):
        file_format(name)


def test_a_full_width_space_after_a_number_is_a_space(tmp_path):
    path = _csv(tmp_path / "n.csv", HEADER + "2024Q1,A,x,28\u3000,5\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)  # no "full-width digits" warning
        clean = read_table(path, table="training")
    assert clean["trained"].tolist() == [28]


def test_a_dash_is_refused_with_the_hint_that_it_may_mean_zero(tmp_path):
    path = _csv(tmp_path / "n.csv", HEADER + "2024Q1,A,x,10,—\n")
    with pytest.raises(SchemaError, match="'—': a dash is not read as a number; if it means "
                                          "none, write 0"):
        read_table(path, table="training")


def test_a_period_is_quoted_back_as_written(tmp_path):
    path = _csv(tmp_path / "p.csv", HEADER + "2024.10,A,x,10,5\n")
    with pytest.raises(SchemaError, match="'2024.10'"):
        read_table(path, table="training", freq="Q")


def test_a_side_file_with_too_many_fields_names_the_line(tmp_path):
    path = _csv(tmp_path / "cost.csv", "region,cost_per_trainee\nA,4000\nB,6,000\n")
    with pytest.raises(SchemaError, match="too_many_fields.*line 3"):
        read_csv_file(path, text_columns=["region"])


def test_csv_written_for_excel_starts_with_a_byte_order_mark(tmp_path):
    frame = pd.DataFrame({"region": ["鹿城区"], "quota": [np.int64(120)]})
    plain = write_table(frame, tmp_path / "a.csv").read_bytes()
    marked = write_table(frame, tmp_path / "b.csv", encoding="utf-8-sig").read_bytes()
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert marked == b"\xef\xbb\xbf" + plain
    assert read_csv_file(tmp_path / "b.csv", text_columns=["region"])["region"].tolist() == [
        "鹿城区"]
