"""Reading real files with talentgap.io: encodings, side files, headers, Excel quirks."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from talentgap.errors import ParameterError, SchemaError
from talentgap.io import read_csv_file, read_table, read_text, sniff_csv

SURVEYS = ("period,enterprise_id,region,industry,employees,vacancies,hard_to_fill,"
           "reports_shortage\n")
TRAINING = "period,region,industry,trained,certified\n"


def surveys(*regions: str) -> str:
    rows = [f"2024Q1,E{i},{region},textiles,40,3,2,1\n" for i, region in enumerate(regions)]
    return SURVEYS + "".join(rows)


# --- encodings ---------------------------------------------------------------------------


def test_latin1_read_as_gb18030_is_refused_naming_column_lines_and_setting(tmp_path):
    path = tmp_path / "surveys.csv"
    path.write_bytes(surveys("Zürich", "Genève", "Basel").encode("latin-1"))
    with pytest.raises(SchemaError, match=r"column 'region'.*\[wrong_encoding\]") as info:
        read_table(path, table="surveys")
    message = str(info.value)
    assert message.startswith(str(path))
    assert "line 2: 'Z黵ich'" in message and "line 3:" in message
    assert "[data] encoding" in message and "encoding=" in message
    assert info.value.reason == "wrong_encoding"


def test_the_encoding_argument_overrides_sniffing(tmp_path):
    path = tmp_path / "surveys.csv"
    path.write_bytes(surveys("Zürich", "Genève").encode("latin-1"))
    clean = read_table(path, table="surveys", encoding="latin-1")
    assert clean["region"].astype(str).tolist() == ["Zürich", "Genève"]


def test_gbk_codes_mixing_scripts_are_accepted(tmp_path):
    path = tmp_path / "surveys.csv"
    path.write_bytes(surveys("温州A区", "杭州").encode("gbk"))
    clean = read_table(path, table="surveys")
    assert clean["region"].astype(str).tolist() == ["温州A区", "杭州"]
    clean = read_table(path, table="surveys", encoding="gb18030")
    assert clean["region"].astype(str).tolist() == ["温州A区", "杭州"]


def test_gbk_after_the_sniffed_start_is_read_with_the_next_candidate(tmp_path):
    path = tmp_path / "surveys.csv"
    rows = ["Amberfield"] * 5000 + ["温州"]  # the first Chinese byte is past 64 KB
    path.write_bytes(surveys(*rows).encode("gbk"))
    assert path.stat().st_size > 65536
    clean = read_table(path, table="surveys")
    assert clean["region"].astype(str).iloc[-1] == "温州"
    assert len(clean) == 5001


def test_undecodable_file_names_the_line_of_the_first_bad_byte(tmp_path):
    path = tmp_path / "surveys.csv"
    path.write_bytes(surveys("Amberfield", "Ashmere", "café").encode("latin-1"))
    with pytest.raises(SchemaError, match=r"from line 4 \(byte 0xe9\)") as info:
        read_table(path, table="surveys")
    assert "[data] encoding" in str(info.value)
    assert info.value.reason == "unreadable_file"


def test_utf16_with_bom_and_tabs_is_read(tmp_path):
    path = tmp_path / "training.txt"
    text = TRAINING.replace(",", "\t") + "2024Q1\t温州\ttextiles\t120\t80\n"
    path.write_text(text, encoding="utf-16")
    assert sniff_csv(path, expected=("period", "region")) == ("utf-16", "\t")
    clean = read_table(path, table="training")
    assert clean["region"].astype(str).tolist() == ["温州"]
    assert clean["trained"].tolist() == [120]


def test_unknown_encoding_name_is_a_parameter_error(tmp_path):
    path = tmp_path / "training.csv"
    path.write_text(TRAINING + "2024Q1,A,textiles,1,1\n")
    with pytest.raises(ParameterError, match="'latin9x'"):
        read_table(path, table="training", encoding="latin9x")


# --- headers and blank lines -------------------------------------------------------------


@pytest.mark.parametrize("second", ["trained", " Trained"])
def test_repeated_header_names_are_refused_with_both_positions(tmp_path, second):
    path = tmp_path / "training.csv"
    path.write_text(f"period,region,industry,trained,certified,{second}\n"
                    "2024Q1,A,textiles,100,50,7\n")
    with pytest.raises(SchemaError, match=r"\(column 6\) repeats 'trained' \(column 4\)") as info:
        read_table(path, table="training")
    assert info.value.reason == "repeated_column"


def test_blank_lines_at_the_end_are_not_rows_but_in_the_middle_they_are(tmp_path):
    path = tmp_path / "training.csv"
    path.write_text(TRAINING + "2024Q1,A,textiles,100,50\n\n2024Q2,A,textiles,100,50\n\n\r\n")
    clean, report = read_table(path, table="training", errors="report")
    assert report.rows_in == 3 and report.rows_kept == 2
    assert report.rejected[["line", "rule"]].to_dict("records") == [
        {"line": 3, "rule": "empty_row"}]


def test_a_title_row_above_the_header_is_pointed_at(tmp_path):
    path = tmp_path / "training.csv"
    path.write_text("Training 2024\n" + TRAINING.replace(",certified", ",passed")
                    + "2024Q1,A,textiles,100,50\n")
    with pytest.raises(SchemaError, match="header seems to be on row 2.*header_row=2"):
        read_table(path, table="training")


def test_excel_error_values_in_a_csv_are_a_rule_failure_with_their_lines(tmp_path):
    path = tmp_path / "training.csv"
    path.write_text(TRAINING + "2024Q1,#N/A,textiles,100,50\n2024Q1,B,textiles,#REF!,50\n")
    with pytest.raises(SchemaError, match=r"\[excel_error\]") as info:
        read_table(path, table="training")
    message = str(info.value)
    assert re.search(r"column 'region'.*\[excel_error\].*line 2 \([^)]*\): '#N/A'", message)
    assert re.search(r"column 'trained'.*\[excel_error\].*line 3 \([^)]*\): '#REF!'", message)
    assert set(info.value.failure_cases["line"]) == {2, 3}


def test_na_and_none_stay_codes_in_key_columns(tmp_path):
    path = tmp_path / "training.csv"
    path.write_text(TRAINING + "2024Q1,NA,textiles,100,50\n2024Q1,None,textiles,100,NA\n")
    clean, report = read_table(path, table="training", errors="report")
    assert clean["region"].astype(str).tolist() == ["NA"]
    assert report.rejected["rule"].tolist() == ["missing_value"]


# --- side files ----------------------------------------------------------------------------


def test_read_csv_file_sniffs_gbk_and_keeps_the_lines_of_the_file(tmp_path):
    path = tmp_path / "cost.csv"
    path.write_bytes("region;cost\n温州;4000\n\n杭州;5000\n\n".encode("gbk"))
    table = read_csv_file(path, text_columns=["region"])
    assert table["region"].tolist() == ["温州", "杭州"]
    assert table.attrs["line_numbers"] == [2, 4]


def test_read_csv_file_refuses_repeated_headers(tmp_path):
    path = tmp_path / "cost.csv"
    path.write_text("region,cost,cost\nA,1,2\n")
    with pytest.raises(SchemaError, match="repeats 'cost'"):
        read_csv_file(path)


@pytest.mark.parametrize(("data", "encoding"), [
    ("\ufeff温州\n杭州\n".encode(), "auto"),
    ("温州\n杭州\n".encode("gbk"), "auto"),
    ("温州\n杭州\n".encode("utf-16"), "auto"),
    ("温州\n杭州\n".encode("gbk"), "gb18030"),
])
def test_read_text_detects_the_encoding_and_drops_the_bom(tmp_path, data, encoding):
    path = tmp_path / "regions.txt"
    path.write_bytes(data)
    assert read_text(path, encoding=encoding).splitlines() == ["温州", "杭州"]


def test_read_text_names_the_line_it_cannot_decode(tmp_path):
    path = tmp_path / "regions.txt"
    path.write_bytes(b"A\nB\nZ\xfc\n")
    with pytest.raises(SchemaError, match=r"line 3 \(byte 0xfc\)"):
        read_text(path)


# --- Excel --------------------------------------------------------------------------------


def _workbook(path, rows, sheets=None):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for name, extra in (sheets or {}).items():
        other = book.create_sheet(name, 0)
        for row in extra:
            other.append(row)
    book.save(path)
    return path


HEAD = ["period", "region", "industry", "trained", "certified"]


def test_excel_keeps_na_codes_and_flags_error_values(tmp_path):
    path = _workbook(tmp_path / "t.xlsx", [HEAD, ["2024Q1", "NA", "textiles", 100, 50],
                                           ["2024Q2", "None", "textiles", 100, 50]])
    clean = read_table(path, table="training")
    assert clean["region"].astype(str).tolist() == ["NA", "None"]
    path = _workbook(tmp_path / "u.xlsx", [HEAD, ["2024Q1", "A", "textiles", "#REF!", 50]])
    with pytest.raises(SchemaError, match=r"column 'trained'.*\[excel_error\].*line 2"):
        read_table(path, table="training")


def test_excel_trailing_empty_rows_are_ignored(tmp_path):
    path = _workbook(tmp_path / "t.xlsx", [HEAD, ["2024Q1", "A", "textiles", 100, 50],
                                           [None] * 5, [None, " ", None, None, None]])
    clean, report = read_table(path, table="training", errors="report")
    assert report.rows_in == 1 and report.ok


def test_excel_formula_without_saved_value_is_said(tmp_path):
    path = _workbook(tmp_path / "t.xlsx", [HEAD, ["2024Q1", "A", "textiles", 100, "=D2-50"]])
    with pytest.raises(SchemaError, match="formula without a saved value"):
        read_table(path, table="training")
    _, report = read_table(path, table="training", errors="report")
    assert any("line 2 column 'certified'" in text for text in report.warnings)


def test_excel_date_serial_in_the_period_column_is_hinted(tmp_path):
    path = _workbook(tmp_path / "t.xlsx", [HEAD, [43555, "A", "textiles", 100, 50]])
    with pytest.raises(SchemaError, match="look like Excel date serials"):
        read_table(path, table="training")


def test_excel_title_row_and_other_sheets_are_named(tmp_path):
    path = _workbook(tmp_path / "t.xlsx", [["Training 2024"], [*HEAD[:-1], "passed"],
                                           ["2024Q1", "A", "textiles", 100, 50]])
    with pytest.raises(SchemaError, match="header seems to be on row 2"):
        read_table(path, table="training")
    path = _workbook(tmp_path / "u.xlsx", [HEAD, ["2024Q1", "A", "textiles", 100, 50]],
                     sheets={"notes": [["read me"]]})
    with pytest.raises(SchemaError, match=r"sheets are \['notes', 'Sheet'\].*'Sheet'"):
        read_table(path, table="training")


def test_excel_repeated_header_is_refused(tmp_path):
    path = _workbook(tmp_path / "t.xlsx", [[*HEAD, "trained"],
                                           ["2024Q1", "A", "textiles", 100, 50, 7]])
    with pytest.raises(SchemaError, match=r"'trained' \(column 6\) repeats"):
        read_table(path, table="training")


def test_csv_and_excel_read_the_same_table(tmp_path):
    rows = [["2024Q1", "NA", "textiles", 100, 50], ["2024Q2", "007", "textiles", 90, ""]]
    csv = tmp_path / "t.csv"
    csv.write_text(",".join(HEAD) + "\n" + "".join(
        ",".join(str(v) for v in row) + "\n" for row in rows))
    xlsx = _workbook(tmp_path / "t.xlsx", [HEAD, *[[v if v != "" else None for v in row]
                                                   for row in rows]])
    a, ra = read_table(csv, table="training", errors="report")
    b, rb = read_table(xlsx, table="training", errors="report")
    pd.testing.assert_frame_equal(a, b)
    assert ra.rejected[["line", "column", "rule"]].equals(rb.rejected[["line", "column", "rule"]])
