"""Subtotal rows under labels that hold a totals word, blank values in row labels, and
copies of a training row that differ only in a column the table does not read."""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg
from talentgap._checks import row_labels
from talentgap._text_checks import totals_labels
from talentgap.datasets._synthetic import DEFAULT_INDUSTRIES, REGION_NAMES
from talentgap.errors import SchemaError
from talentgap.schema import validate

COLUMNS = ["period", "enterprise_id", "region", "industry", "employees", "vacancies",
           "hard_to_fill", "reports_shortage", "weight"]

SUBTOTALS = ["鹿城区小计", "小计(鹿城区)", "本页合计", "合计数", "汇总", "总数", "全市",
             "全行业", "全部", "所有", "累计", "合计（万人）", "其中：", "其中:纺织",
             "鹿城区合计(万人)",
             "小　计", "總計", "Subtotal", "Sub-total Lucheng", "Total (Lucheng)", "Total:",
             "Lucheng total", "GRAND TOTAL", "Totals"]
#: Names an enterprise, region or industry may have that hold a totals word's characters.
NAMES = ["综合计量检测所", "合计厂", "小家电", "全自动化设备", "总装", "汇丰", "研究所",
         "其他", "Totalcorp", "totally", "Total quality", "TotalEnergies", "summit", "Small",
         "Total-Station Surveying", "Total.Co", "Total1 Logistics", "Station-Total",
         "Fund.Total", "Subtotal-Station",
         "建筑工程", "机电技术", "纺织", "服装鞋帽", "通用设备制造", "直播", "电子商务",
         "工业机器人操作", "初级工", "中级工", "高级工", "技师", "高级技师"]


@pytest.mark.parametrize("label", SUBTOTALS)
def test_labels_holding_a_totals_word_are_totals(label):
    assert totals_labels(pd.Index(["E1", label])).tolist() == [False, True]


def test_names_holding_the_characters_are_not_totals():
    assert not totals_labels(pd.Index(NAMES)).any()


def test_bundled_codes_are_not_totals():
    demo = tg.datasets.load_demo()
    codes = {*DEFAULT_INDUSTRIES, *REGION_NAMES}
    for frame in (demo.surveys, demo.training, demo.employment):
        for column in ("enterprise_id", "region", "industry", "occupation", "skill_level",
                       "program"):
            if column in frame.columns:
                codes.update(frame[column].dropna().astype(str).unique())
    assert len(codes) > 50
    assert not totals_labels(pd.Index(sorted(codes))).any()


@pytest.mark.parametrize(("column", "label"), [("enterprise_id", "鹿城区小计"),
                                                ("region", "全市"), ("industry", "合计（万人）"),
                                                ("enterprise_id", "本页合计")])
def test_a_subtotal_row_is_refused_and_the_numbers_kept(column, label):
    rows = [["2024Q3", "E1", "鹿城区", "纺织", 100, 10, 4, 1, 2],
            ["2024Q3", "E2", "鹿城区", "纺织", 200, 20, 6, 1, 2]]
    total = ["2024Q3", "E9", "鹿城区", "纺织", 300, 30, 10, 1, 1]
    total[COLUMNS.index(column)] = label
    raw = pd.DataFrame([*rows, total], columns=COLUMNS).astype(object)
    clean, report = validate(raw, table="surveys", errors="report")
    assert clean["vacancies"].sum() == 30 and len(clean) == 2
    assert report.rejected[["line", "column", "rule"]].values.tolist() == [
        [4, "*", "totals_row"]]
    assert f"looks like a totals row ({label!r} in column {column!r})" in (
        report.rejected["message"].iloc[0])


def test_blank_values_read_blank_in_row_labels():
    shown = pd.DataFrame({"enterprise_id": ["E1", "NA"], "occupation": [None, "  "]})
    assert row_labels(shown).tolist() == ["E1, (blank)", "NA, (blank)"]
    raw = pd.DataFrame({"period": ["2024Q1"] * 2, "region": [None, "鹿城区"],
                        "industry": "纺织", "trained": [10, 20], "certified": [5, 30]})
    with pytest.raises(SchemaError, match=r"line 2 \(\(blank\), 纺织, 2024Q1\)"):
        validate(raw, table="training")


def test_copies_differing_only_in_an_unread_column_are_named_so():
    raw = pd.DataFrame({"period": ["2024Q1"] * 3, "region": "鹿城区", "industry": "纺织",
                        "program": "纺织/基础", "cohort": ["第1期", "第2期", "第3期"],
                        "trained": [30, 30, 25], "certified": [30, 30, 20]})
    _, report = validate(raw, table="training", errors="report")
    rejected = report.rejected
    assert rejected[["line", "rule"]].values.tolist() == [[2, "duplicate_key"],
                                                          [3, "duplicate_key"]]
    message = rejected["message"].iloc[0]
    assert "with different values" not in message
    assert ("lines 2, 3 hold the same values in every column read (period, region, industry, "
            "trained, certified, program) and differ only in column 'cohort', which the "
            "table does not read") in message
    assert "need a column the table reads that tells them apart (program" in message
    # the same numbers written two ways in a column read: said as such
    raw = raw.drop(columns="cohort").astype(object)
    raw.loc[1, "trained"] = "30.0"
    _, report = validate(raw, table="training", errors="report")
    assert "differ only in how 'trained' is written" in report.rejected["message"].iloc[0]
