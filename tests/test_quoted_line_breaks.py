"""A quoted CSV field spanning lines: the file's own line numbers in messages, and a
key code holding a line break refused with rule ``line_break_in_code``."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from talentgap._csv_reading import record_lines
from talentgap._text_checks import line_broken
from talentgap.io import read_csv_file, read_table
from talentgap.schema import validate

HEADER = ("period,enterprise_id,region,industry,employees,vacancies,hard_to_fill,"
          "reports_shortage,weight\n")
BODY = ('2024Q1,E0,A,"machine\nbuilding",10,3,0,1,1\n'      # lines 2-3
        "\n"                                                 # line 4
        '2024Q1,E2,A,"X, ""quoted""",10,3,0,1,1\n'          # line 5
        '2024Q1,E3,A,"a\r\nb\nc",10,3,0,1,1\n'              # lines 6-8
        "2024Q1,E1,A,X,10,-1,0,1,1\n")                      # line 9


def rejected(path) -> list:
    _, report = read_table(path, table="surveys", errors="report")
    return report.rejected[["line", "column", "rule"]].values.tolist()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_lines_count_the_lines_a_field_takes(tmp_path, encoding):
    path = tmp_path / "surveys.csv"
    path.write_bytes((HEADER + BODY).encode(encoding))
    assert rejected(path) == [[2, "industry", "line_break_in_code"], [4, "*", "empty_row"],
                              [6, "industry", "line_break_in_code"],
                              [9, "vacancies", "negative"]]


def test_title_rows_and_gzip(tmp_path):
    path = tmp_path / "surveys.csv.gz"
    path.write_bytes(gzip.compress(("Survey 2024\n\n" + HEADER + BODY).encode()))
    assert [row[0] for row in rejected(path)] == [4, 6, 8, 11]


def test_fast_path_and_stray_quotes(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('a,b\n"x, y",1\n5\'10",2\nz,3\n')   # quotes in pairs, then a stray one
    assert record_lines(path, "utf-8", ",", 1, 3).tolist() == [2, 3, 4]
    path.write_text('a,b\nx,1\n"p\nq",2\nz,3\n')
    assert record_lines(path, "utf-8", ",", 1, 3).tolist() == [2, 3, 5]


def test_side_files_keep_their_lines(tmp_path):
    path = tmp_path / "cost.csv"
    path.write_text('region,note,cost\nA,"two\nlines",4000\n\nB,x,5000\n')
    assert read_csv_file(path, text_columns=["region"]).attrs["line_numbers"] == [2, 5]


def test_in_memory_codes_with_a_line_break():
    frame = pd.DataFrame({"period": "2024", "region": ["Ouhai\nnorth", "Ouhai north", "B"],
                          "industry": "X", "employment": [1, 2, 3]})
    _, report = validate(frame, table="employment", errors="report")
    assert report.rejected[["line", "rule"]].values.tolist() == [[2, "line_break_in_code"]]
    assert "did you mean 'Ouhai north'" in report.rejected["message"].iloc[0]
    categorical = frame.assign(region=pd.Categorical(frame["region"]))
    _, report = validate(categorical, table="employment", errors="report")
    assert report.rejected["rule"].tolist() == ["line_break_in_code"]
    assert line_broken(pd.Index(["a\u2028b", "a b", " a", 7])).tolist() == [True, False,
                                                                          False, False]
