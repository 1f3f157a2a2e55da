"""Reading files as bureaus export them, and writing a workbook whatever the table sizes.

Encodings (genuine GBK codes mixing scripts, files mixing UTF-8 and GBK lines,
a wrong encoding given), workbook layouts (data on another sheet, a title or
group-header row, the bureau's own column names) and the row caps of
``results.xlsx``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from talentgap.cli import main
from talentgap.cli._result import RunResult
from talentgap.cli.config import Config
from talentgap.cli.outputs import write_tables
from talentgap.errors import ConfigError, DataQualityWarning, ParameterError, SchemaError
from talentgap.io import read_csv_file, read_table, write_workbook

HEAD = ["period", "enterprise_id", "region", "industry", "employees", "vacancies",
        "hard_to_fill", "reports_shortage"]
CHINESE = ["期间", "企业编号", "地区", "行业", "从业人数", "空缺岗位", "难招岗位", "是否短缺"]
NAMES = dict(zip(CHINESE, HEAD, strict=True))


def _row(i: int, region: str = "瓯海区", industry: str = "C制造业") -> list:
    return ["2024Q3", f"E{i}", region, industry, 100, 10, 4, 1]


def _csv(rows: list[list]) -> str:
    return "".join(",".join(map(str, row)) + "\n" for row in [HEAD, *rows])


def _workbook(path, sheets: dict[str, list[list]], merge: dict[str, str] | None = None):
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if merge and name in merge:
            sheet.merge_cells(merge[name])
    book.save(path)
    return path


# --- encodings ---------------------------------------------------------------------------


def test_gbk_industry_codes_mixing_latin_and_chinese_are_read(tmp_path):
    rows = [_row(1), _row(2, "鹿城区", "F批发和零售业")]
    gbk, utf8 = tmp_path / "gbk.csv", tmp_path / "utf8.csv"
    gbk.write_bytes(_csv(rows).encode("gbk"))
    utf8.write_text(_csv(rows), encoding="utf-8")
    for path in (gbk, utf8):
        clean = read_table(path, table="surveys")
        assert clean["industry"].astype(str).tolist() == ["C制造业", "F批发和零售业"]


def test_latin1_read_as_gbk_is_refused_with_the_encoding_that_fits(tmp_path):
    path = tmp_path / "surveys.csv"
    path.write_bytes(_csv([_row(1, "Zürich", "textiles"), _row(2, "Basel", "textiles")])
                     .encode("latin-1"))
    with pytest.raises(SchemaError, match=r"line 2: 'Z黵ich'.*'Zürich'.*'cp1252'") as info:
        read_table(path, table="surveys")
    assert info.value.reason == "wrong_encoding" and info.value.column == "region"


def test_a_file_mixing_utf8_and_gbk_lines_names_the_lines_of_each(tmp_path):
    path = tmp_path / "surveys.csv"
    path.write_bytes(_csv([_row(1), _row(2)]).encode("utf-8")
                     + "".join(",".join(map(str, _row(3, "鹿城区"))) + "\n").encode("gbk"))
    for encoding in ("auto", "latin-1", "gb18030"):
        with pytest.raises(SchemaError, match=r"mixes UTF-8 \(lines 2, 3\) and GBK") as info:
            read_table(path, table="surveys", encoding=encoding)
        assert info.value.reason == "mixed_encoding"
        assert "(line 4)" in str(info.value)


def test_a_given_encoding_that_garbles_codes_warns_naming_the_lines(tmp_path):
    path = tmp_path / "surveys.csv"
    path.write_text(_csv([_row(1, "Zürich", "textiles"), _row(2, "温州", "textiles")]),
                    encoding="utf-8")
    with pytest.warns(DataQualityWarning, match=r"line 2: 'ZÃ¼rich'.*line 3.*UTF-8"):
        clean = read_table(path, table="surveys", encoding="latin-1")
    assert clean["region"].astype(str).iloc[0] == "ZÃ¼rich"  # read as told, but said
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clean = read_table(path, table="surveys", encoding="utf-8")
    assert clean["region"].astype(str).tolist() == ["Zürich", "温州"]


def test_side_files_get_the_same_checks(tmp_path):
    path = tmp_path / "cost.csv"
    path.write_bytes("region,cost\nC制造业,4000\n".encode("gbk"))
    assert read_csv_file(path, text_columns=["region"])["region"].tolist() == ["C制造业"]
    path.write_bytes("region,cost\n温州,4000\n".encode() + "杭州,5000\n".encode("gbk"))
    with pytest.raises(SchemaError, match=r"UTF-8 \(line 2\) and GBK \(line 3\)"):
        read_csv_file(path, text_columns=["region"])


# --- workbook layouts --------------------------------------------------------------------


def test_a_sheet_is_chosen_by_name_or_position(tmp_path):
    path = _workbook(tmp_path / "s.xlsx", {"说明": [["调查说明"]], "数据": [HEAD, _row(1)]})
    with pytest.raises(SchemaError, match=r"seems to hold them: pass sheet='数据'"):
        read_table(path, table="surveys")
    assert read_table(path, table="surveys", sheet="数据")["enterprise_id"].tolist() == ["E1"]
    assert read_table(path, table="surveys", sheet=2)["enterprise_id"].tolist() == ["E1"]
    with pytest.raises(ParameterError, match="sheets count from 1"):
        read_table(path, table="surveys", sheet=0)
    with pytest.raises(SchemaError, match=r"no sheet named 'data'.*\['说明', '数据'\]"):
        read_table(path, table="surveys", sheet="data")
    with pytest.raises(ParameterError, match="sheet=.数据. is for Excel workbooks"):
        read_table(tmp_path / "x.csv", table="surveys", sheet="数据")


def test_title_and_group_header_rows_are_skipped_keeping_sheet_line_numbers(tmp_path):
    bad = _row(2)
    bad[6] = 40  # hard_to_fill > vacancies
    title = [["温州市企业技能人才缺口调查 2024Q3"], HEAD, _row(1), bad]
    groups = [["基本信息", None, None, None, "用工情况"], HEAD, _row(1), bad]
    for name, rows, merge in (("title", title, "A1:H1"), ("groups", groups, "A1:D1")):
        path = _workbook(tmp_path / f"{name}.xlsx", {"数据": rows}, {"数据": merge})
        clean, report = read_table(path, table="surveys", errors="report")
        assert clean["enterprise_id"].tolist() == ["E1"]
        assert report.rejected["line"].tolist() == [4]  # the sheet's own row
        with pytest.raises(SchemaError, match=r"line 4"):
            read_table(path, table="surveys")


def test_an_explicit_header_row_and_an_ambiguous_one(tmp_path):
    path = _workbook(tmp_path / "h.xlsx", {"x": [["note"], HEAD, _row(1), HEAD, _row(2)]})
    with pytest.raises(SchemaError, match=r"rows \[2, 4\] all hold .*header_row=N"):
        read_table(path, table="surveys")
    clean, report = read_table(path, table="surveys", header_row=4, errors="report")
    assert clean["enterprise_id"].tolist() == ["E2"] and report.rows_in == 1
    with pytest.raises(ParameterError, match="counted from 1"):
        read_table(path, table="surveys", header_row=0)


def test_chinese_column_names_are_mapped_and_unmapped_ones_listed(tmp_path):
    path = _workbook(tmp_path / "cn.xlsx", {"Sheet": [CHINESE, _row(1)]})
    with pytest.raises(SchemaError, match=r"the file's columns are \['期间', '企业编号'.*"
                                          r"columns=\{'期间': 'period', \.\.\.\}.*"
                                          r"surveys_columns") as info:
        read_table(path, table="surveys")
    assert info.value.reason == "missing_column"
    clean = read_table(path, table="surveys", columns={**NAMES, " 地区 ": "region"})
    assert clean["region"].astype(str).tolist() == ["瓯海区"]
    with pytest.raises(SchemaError, match=r"renames \['单位'\].*the file's columns are"):
        read_table(path, table="surveys", columns={**NAMES, "单位": "enterprise_id"})


def test_a_csv_export_with_a_title_and_its_own_names(tmp_path):
    path = tmp_path / "cn.csv"
    rows = ["2024年第三季度调查,,,,,,,", ",".join(CHINESE), ",".join(map(str, _row(1))),
            "2024Q3,E2,瓯海区,C制造业,-5,10,4,1"]
    path.write_bytes(("\n".join(rows) + "\n").encode("gbk"))
    clean, report = read_table(path, table="surveys", columns=NAMES, errors="report")
    assert clean["industry"].astype(str).tolist() == ["C制造业"]
    assert report.rejected["line"].tolist() == [4]
    clean = read_table(path, table="surveys", columns=NAMES, header_row=2,
                       errors="report")[0]
    assert clean["enterprise_id"].tolist() == ["E1"]


def test_the_run_configuration_carries_the_layout_per_table(tmp_path, capsys):
    _workbook(tmp_path / "s.xlsx", {"封面": [["cover"]],
                                    "数据": [["标题"], CHINESE, _row(1), _row(2)]})
    config = tmp_path / "run.toml"
    pairs = ", ".join(f'"{k}" = "{v}"' for k, v in NAMES.items())
    config.write_text(f'[data]\nsurveys = "s.xlsx"\nsurveys_sheet = "数据"\n'
                      f"surveys_header_row = 2\nsurveys_columns = {{{pairs}}}\n",
                      encoding="utf-8")
    assert main(["validate", "--config", str(config)]) == 0
    assert "2 rows in, 2 kept" in capsys.readouterr().out
    data = Config.from_dict({"data": {"training_sheet": 2}}).data
    assert data.read_options("training") == {"sheet": 2, "header_row": None, "columns": None}
    with pytest.raises(ConfigError, match=r"surveys_columns maps .* got 期间 = 3"):
        Config.from_dict({"data": {"surveys_columns": {"期间": 3}}})
    with pytest.raises(ConfigError, match=r"surveys_header_row must be >= 1"):
        Config.from_dict({"data": {"surveys_header_row": 0}})


# --- results.xlsx row caps ---------------------------------------------------------------


def test_the_rejected_sheet_shows_its_first_rows_and_the_contents_say_so(tmp_path):
    rejected = pd.DataFrame({"table": "surveys", "line": np.arange(2, 9), "rule": "negative"})
    forecast = pd.DataFrame({"region": list("ABCDE"), "gap": np.arange(5.0)})
    result = RunResult(config=Config(), rejected=rejected)
    result.forecast = forecast
    written = write_tables(result, tmp_path, parquet=False, _rejected_rows=3, _sheet_rows=4)
    assert {p.name for p in written} >= {"rejected.csv", "results.xlsx"}
    assert len(pd.read_csv(tmp_path / "rejected.csv")) == 7  # every row in the CSV
    book = pd.read_excel(tmp_path / "results.xlsx", sheet_name=None)
    assert book["rejected"]["line"].tolist() == [2, 3, 4]
    assert len(book["forecast"]) == 4
    contents = book["contents"].set_index("sheet")
    assert contents.loc["rejected", ["rows", "shown"]].tolist() == [7, 3]
    assert contents.loc["rejected", "note"] == "the first 3 of 7 rows; rejected.csv has them all"
    assert contents.loc["forecast", "note"] == "the first 4 of 5 rows; forecast.csv has them all"


def test_a_table_larger_than_a_sheet_is_a_typed_error_before_writing(tmp_path):
    frame = pd.DataFrame({"x": np.zeros(1_048_576, dtype=np.int8)})
    path = tmp_path / "big.xlsx"
    with pytest.raises(ParameterError, match=r"sheet 'big' would hold 1,048,577 rows"):
        write_workbook({"big": frame}, path)
    assert not path.exists()
