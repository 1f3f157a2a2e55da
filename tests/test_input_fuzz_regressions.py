"""Cases found by fuzzing messy input files: each failed before its fix."""

import pytest

from talentgap.errors import SchemaError
from talentgap.io import read_table

openpyxl = pytest.importorskip("openpyxl")

HEADER = ["period", "region", "industry", "trained", "certified"]


def _workbook(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_workbook_cell_right_of_the_header_is_an_extra_field(tmp_path):
    # a cell with no column name above it was read as a column "Unnamed: 5"
    # and the row kept; a CSV line with that extra field is rejected
    path = _workbook(tmp_path / "t.xlsx", [HEADER, ["2024Q1", "A", "textiles", 10, 5],
                                           ["2024Q1", "B", "textiles", 10, 5, "junk"],
                                           ["2024Q1", "C", "textiles", 9, 4]])
    clean, report = read_table(path, table="training", errors="report")
    assert list(clean.columns) == HEADER
    assert clean["region"].astype(str).tolist() == ["A", "C"]
    assert report.rejected[["line", "rule"]].values.tolist() == [[3, "too_many_fields"]]
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == (3, 2, 1)
    assert "right of the last named column" in report.rejected["message"].iloc[0]
    with pytest.raises(SchemaError, match="line 3") as info:
        read_table(path, table="training")
    assert info.value.reason == "too_many_fields"
    # a sheet has no separators: the hint is about the cell, not about quoting
    assert "right of the last named column" in str(info.value)
    assert "separator" not in str(info.value)


def test_workbook_and_csv_with_an_extra_field_read_alike_in_a_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _workbook(folder / "a.xlsx", [HEADER, ["2024Q1", "A", "textiles", 10, 5, None, "x"]])
    (folder / "b.csv").write_text(",".join(HEADER) + "\n2024Q1,B,textiles,10,5,x\n"
                                  "2024Q1,C,textiles,9,4\n", encoding="utf-8")
    clean, report = read_table(folder, table="training", errors="report")
    assert clean["region"].astype(str).tolist() == ["C"]
    rejected = report.rejected.assign(file=report.rejected["file"].map(
        lambda f: f.rsplit("/", 1)[-1]))
    assert rejected[["file", "line", "rule"]].values.tolist() == [
        ["a.xlsx", 2, "too_many_fields"], ["b.csv", 2, "too_many_fields"]]


def test_workbook_row_of_extra_cells_alone_is_a_row(tmp_path):
    path = _workbook(tmp_path / "t.xlsx", [HEADER, ["2024Q1", "A", "textiles", 10, 5],
                                           [None, None, None, None, None, "note"]])
    clean, report = read_table(path, table="training", errors="report")
    assert len(clean) == 1
    # as the CSV line ",,,,,note" is: an empty row with an extra field
    assert report.rejected[["line", "rule"]].values.tolist() == [
        [3, "empty_row"], [3, "too_many_fields"]]


def test_csv_first_row_with_an_extra_field_is_not_read_shifted(tmp_path):
    # a first data line wider than the header made pandas read its first
    # field as an index: every value of every row moved one column left
    path = tmp_path / "t.csv"
    path.write_text(",".join(HEADER) + "\n2024Q1,B,textiles,10,5,x\n2024Q1,C,textiles,9,4\n",
                    encoding="utf-8")
    clean, report = read_table(path, table="training", errors="report")
    assert clean[HEADER].astype(str).values.tolist() == [["2024Q1", "C", "textiles", "9", "4"]]
    assert report.rejected[["line", "rule"]].values.tolist() == [[2, "too_many_fields"]]
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == (2, 1, 1)


@pytest.mark.parametrize("space", [" ", "\u3000"])
def test_copies_differing_only_in_spaces_around_a_number_are_one_row(tmp_path, space):
    # spaces around a number are not read, so the copies repeat each other
    # exactly (the first kept); they were taken for two differing rows
    path = tmp_path / "t.csv"
    path.write_text(",".join(HEADER) + f"\n2024Q1,A,textiles,10,{space}5\n"
                    f"2024Q1,A,textiles,10,5{space}\n", encoding="utf-8")
    clean, report = read_table(path, table="training", errors="report")
    assert report.rejected[["line", "rule"]].values.tolist() == [[3, "duplicate_row"]]
    assert clean[["trained", "certified"]].values.tolist() == [[10, 5]]


def test_survey_copies_differing_only_in_spaces_keep_the_first(tmp_path):
    path = tmp_path / "s.csv"
    head = ("period,enterprise_id,region,industry,employees,vacancies,hard_to_fill,"
            "reports_shortage\n")
    path.write_text(head + "2024Q1,E1,A,textiles,10, 3,1,True\n"
                    "2024Q1,E1,A,textiles,10,3\u3000,1,True\n", encoding="utf-8")
    clean, report = read_table(path, table="surveys", errors="report")
    assert report.rejected[["line", "rule"]].values.tolist() == [[3, "duplicate_row"]]
    assert clean["vacancies"].tolist() == [3]


def test_row_repeated_in_a_file_with_a_blank_line_is_an_exact_repeat(tmp_path):
    # a blank line made pandas read b.csv's numbers as floats (109.0): its copy
    # of a.csv's row was taken for a row written differently, both rejected
    folder = tmp_path / "in"
    folder.mkdir()
    row = "2023Q1,Elderbrook,textiles,109,74\n"
    (folder / "a.csv").write_text(",".join(HEADER) + "\n2024Q1,A,textiles,10,5\n" + row,
                                  encoding="utf-8")
    (folder / "b.csv").write_text(",".join(HEADER) + "\n" + row + "\n\n", encoding="utf-8")
    clean, report = read_table(folder, table="training", errors="report")
    rejected = report.rejected
    assert rejected["rule"].tolist() == ["duplicate_row"]
    assert rejected["file"].str.endswith("b.csv").tolist() == [True]
    assert rejected["line"].tolist() == [2]
    assert clean["region"].astype(str).tolist() == ["A", "Elderbrook"]
