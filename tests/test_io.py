"""Tests of talentgap.io: reading and writing CSV / Parquet tables with validation."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from talentgap.errors import ParameterError, SchemaError
from talentgap.io import file_format, read_table, write_table
from talentgap.schema import validate

HEADER = "period,enterprise_id,region,industry,employees,vacancies,hard_to_fill,reports_shortage"


def write(path, *rows: str, header: str = HEADER):
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def good_csv(tmp_path):
    return write(
        tmp_path / "surveys.csv",
        "2024Q1,0042,007,textiles,40,3,2,1",
        "2024Q1,0043,010,construction,12,1,1,no",
        "2024Q2,0042,007,textiles,41,4,4,yes",
    )


def test_read_csv(good_csv):
    clean = read_table(good_csv, table="surveys")
    assert len(clean) == 3
    assert str(clean["period"].dtype) == "period[Q-DEC]"
    assert clean["employees"].dtype == "int64"
    assert clean["reports_shortage"].tolist() == [True, False, True]


def test_key_columns_are_read_as_text(good_csv):
    clean = read_table(good_csv, table="surveys")
    assert clean["region"].tolist() == ["007", "010", "007"]
    assert clean["enterprise_id"].tolist() == ["0042", "0043", "0042"]
    clean = read_table(good_csv, table="surveys", allowed={"region": ["007", "010"]})
    assert clean["region"].cat.categories.tolist() == ["007", "010"]


def test_csv_errors_name_the_file_and_its_lines(tmp_path):
    path = write(
        tmp_path / "surveys.csv",
        "2024Q1,E1,North,textiles,40,3,2,1",
        "2024Q1,E2,North,textiles,40,3,9,0",
        "2024Q1,E3,North,textiles,-4,3,2,0",
    )
    with pytest.raises(SchemaError, match="'hard_to_fill'") as info:
        read_table(path, table="surveys")
    message = str(info.value)
    assert message.startswith(f"{path}: surveys: 2 of 3 rows fail")
    assert "line 3 (E2, 2024Q1): 9 > 3" in message
    assert "line 4 (E3, 2024Q1): -4" in message
    assert info.value.column == "hard_to_fill"
    assert info.value.reason == "exceeds_vacancies"
    assert info.value.failure_cases["line"].tolist() == [3, 4]


def test_blank_lines_are_rejected_as_empty_rows_and_line_numbers_stay_right(tmp_path):
    path = write(
        tmp_path / "surveys.csv",
        "2024Q1,E1,North,textiles,40,3,2,1",  # line 2
        "",
        "2024Q1,E2,North,textiles,40,3,9,0",  # line 4
        "",
        "",
        "2024Q1,E3,North,textiles,-4,3,2,0",  # line 7
        "2024Q1,E4,North,textiles,5,1,1,0",  # line 8
    )
    clean, report = read_table(path, table="surveys", errors="report")
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == (7, 2, 5)
    assert report.rejected[["line", "rule"]].values.tolist() == [
        [3, "empty_row"], [4, "exceeds_vacancies"], [5, "empty_row"], [6, "empty_row"],
        [7, "negative"]]
    assert clean["enterprise_id"].tolist() == ["E1", "E4"]
    assert clean["employees"].tolist() == [40, 5]


def test_header_only_csv_is_an_empty_table(tmp_path):
    path = write(tmp_path / "surveys.csv")
    with pytest.raises(SchemaError, match="no rows") as info:
        read_table(path, table="surveys")
    assert info.value.reason == "empty_table"
    assert str(info.value).startswith(str(path))


def test_missing_column_in_a_file(tmp_path):
    path = write(tmp_path / "surveys.csv", "2024Q1,E1,North,textiles,40,3,2,1",
                 header=HEADER.replace("vacancies", "vacancy"))
    with pytest.raises(SchemaError, match="did you mean 'vacancies'") as info:
        read_table(path, table="surveys")
    assert info.value.reason == "missing_column"
    assert str(info.value).startswith(f"{path}: surveys: required column 'vacancies'")


def test_declared_freq_and_allowed_codes_are_passed_on(good_csv):
    with pytest.raises(SchemaError, match="quarterly but the declared frequency is monthly"):
        read_table(good_csv, table="surveys", freq="M")
    with pytest.raises(SchemaError, match=r"'010' \(did you mean '007'\?\)"):
        read_table(good_csv, table="surveys", allowed={"region": ["007"]})


def test_other_separator(tmp_path):
    path = tmp_path / "training.txt"
    path.write_text("period;region;industry;trained;certified\n2024;North;textiles;10;7\n")
    clean = read_table(path, table="training", sep=";")
    assert clean["certified"].tolist() == [7]


def test_csv_gz(tmp_path):
    path = tmp_path / "surveys.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(HEADER + "\n2024Q1,E1,007,textiles,40,3,2,1\n"
                     "2024Q1,E2,007,textiles,4,3,5,1\n")
    with pytest.raises(SchemaError, match=r"line 3 \(E2, 2024Q1\): 5 > 3"):
        read_table(path, table="surveys")
    clean, report = read_table(path, table="surveys", errors="report")
    assert clean["region"].tolist() == ["007"]
    assert report.rows_rejected == 1


def test_parquet(tmp_path, employment):
    employment.loc[2, "high_skilled"] = -1
    path = tmp_path / "employment.parquet"
    employment.to_parquet(path)
    with pytest.raises(SchemaError, match="'high_skilled' must be >= 0") as info:
        read_table(path, table="employment")
    assert str(info.value).startswith(f"{path}: employment: 1 of 3 rows")
    assert info.value.failure_cases["line"].tolist() == [3]  # Parquet: 1-based row number
    clean, report = read_table(path, table="employment", errors="report")
    assert str(clean["period"].dtype) == "period[M]"
    assert report.rows_kept == 2


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (b'period,region\n"2024Q1,North\n', "cannot be read as CSV"),
        (b"period,region\n2024Q1,Bj\xf6rnstad\n", "cannot be read as CSV"),
        (b"", "cannot be read as CSV"),
    ],
    ids=["unterminated-quote", "not-utf8", "empty-file"],
)
def test_unreadable_csv(tmp_path, content, pattern):
    path = tmp_path / "surveys.csv"
    path.write_bytes(content)
    with pytest.raises(SchemaError, match=pattern) as info:
        read_table(path, table="surveys", encoding="utf-8")
    assert info.value.reason == "unreadable_file"
    assert str(info.value).startswith(str(path))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_table(tmp_path / "absent.csv", table="surveys")


def test_unknown_suffix(tmp_path):
    with pytest.raises(ParameterError, match="cannot tell the format"):
        read_table(tmp_path / "surveys.json", table="surveys")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.csv", "csv"), ("a.TXT", "csv"), ("dir/a.csv.gz", "csv"), ("a.parquet", "parquet"),
     ("a.pq", "parquet")],
)
def test_file_format(name, fmt):
    assert file_format(name) == fmt


def test_file_format_rejects_other_suffixes():
    with pytest.raises(ParameterError, match=r"\.csv, \.csv\.gz"):
        file_format("surveys.json")


# --- writing ----------------------------------------------------------------------------------


def test_write_csv_writes_period_labels_and_reads_back_equal(tmp_path, surveys):
    clean = validate(surveys, table="surveys")
    path = write_table(clean, tmp_path / "out" / "surveys.csv")
    assert path == tmp_path / "out" / "surveys.csv"
    text = path.read_text().splitlines()
    assert text[0] == "period,enterprise_id,region,industry,employees,vacancies,hard_to_fill," \
                      "reports_shortage,weight"
    assert text[1].startswith("2024Q1,E1,North,textiles,40,3,2,True,1.0")
    pd.testing.assert_frame_equal(read_table(path, table="surveys"), clean)


@pytest.mark.parametrize("name", ["employment.parquet", "employment.csv.gz"])
def test_round_trip_other_formats(tmp_path, employment, name):
    clean = validate(employment, table="employment")
    path = write_table(clean, tmp_path / name)
    pd.testing.assert_frame_equal(read_table(path, table="employment"), clean)


def test_parquet_stores_period_labels(tmp_path, training):
    clean = validate(training, table="training")
    path = write_table(clean, tmp_path / "training.parquet")
    raw = pd.read_parquet(path)
    assert raw["period"].tolist() == ["2024", "2024", "2024"]
    assert not isinstance(raw["period"].dtype, pd.PeriodDtype)
    assert str(clean["period"].dtype) == "period[Y-DEC]"  # the caller's frame is unchanged


def test_csv_gz_is_compressed(tmp_path, training):
    path = write_table(validate(training, table="training"), tmp_path / "training.csv.gz")
    assert path.read_bytes()[:2] == b"\x1f\x8b"


# ---- the way bureaus export their files ---------------------------------------------------------
TRAINING = ("period;region;industry;trained;certified\n"
            "2024Q1;温州;纺织;120;80\n"
            "2024Q1;瓯海;电商;60;41\n")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_encodings_and_semicolons_are_detected(tmp_path, encoding):
    path = tmp_path / "training.csv"
    path.write_bytes(TRAINING.encode(encoding))
    clean = read_table(path, table="training")
    assert clean["region"].astype(str).tolist() == ["温州", "瓯海"]
    assert clean["certified"].tolist() == [80, 41]


@pytest.mark.parametrize("sep", [",", "\t"])
def test_other_separators_are_detected(tmp_path, sep):
    path = tmp_path / "training.csv"
    path.write_bytes(TRAINING.replace(";", sep).encode("gbk"))
    assert len(read_table(path, table="training")) == 2


def test_a_wrong_encoding_or_separator_says_what_the_file_looks_like(tmp_path):
    path = tmp_path / "training.csv"
    path.write_bytes(TRAINING.encode("gbk"))
    with pytest.raises(SchemaError, match=r"encoding='gb18030' and sep=';' \(semicolon"):
        read_table(path, table="training", encoding="utf-8", sep=",")
    path.write_bytes(TRAINING.encode("utf-8"))
    with pytest.raises(SchemaError, match=r"looks like sep=';' \(semicolon-separated\)"):
        read_table(path, table="training", sep=",")


def test_excel_round_trip(tmp_path):
    frame = pd.DataFrame({"period": pd.period_range("2024Q1", periods=2, freq="Q"),
                          "region": ["温州", "Northvale"], "industry": "textiles",
                          "trained": [120, 60], "certified": [80, 41]})
    path = write_table(frame, tmp_path / "training.xlsx")
    clean = read_table(path, table="training", freq="Q")
    assert clean["region"].astype(str).tolist() == ["温州", "Northvale"]
    assert str(clean["period"].iloc[1]) == "2024Q2"


def test_excel_rows_keep_their_sheet_line_numbers(tmp_path):
    frame = pd.DataFrame({"period": ["2024Q1", "2024Q2"], "region": "Northvale",
                          "industry": "textiles", "trained": [120, 60], "certified": [80, 61]})
    path = write_table(frame, tmp_path / "training.xlsx")
    clean, report = read_table(path, table="training", errors="report")
    assert report.rejected[["line", "rule"]].to_dict("records") == [
        {"line": 3, "rule": "exceeds_trained"}]


def test_workbook_has_one_sheet_per_table(tmp_path):
    from openpyxl import load_workbook

    from talentgap.io import write_workbook

    path = write_workbook({"plan": pd.DataFrame({"quota": [1]}),
                           "forecast": pd.DataFrame({"gap": [2.5]})}, tmp_path / "out.xlsx")
    assert load_workbook(path).sheetnames == ["plan", "forecast"]
    with pytest.raises(ParameterError, match="31 characters"):
        write_workbook({"x" * 32: pd.DataFrame()}, tmp_path / "bad.xlsx")
