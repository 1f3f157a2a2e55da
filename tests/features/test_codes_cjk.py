"""Tests of the code checks on names written in CJK characters, and of unpaired codes."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, SchemaError, collect_warnings
from talentgap.features import build_panel
from talentgap.features._code_pairs import CjkCandidates, pair_unmatched, unpaired_warning
from talentgap.features.codes import check_codes, describe_unpaired, unpaired_codes, verify_codes

REGIONS = ["鹿城区", "龙湾区", "瓯海区"]
INDUSTRIES = ["建筑工程", "纺织", "服装鞋帽", "通用设备制造", "直播", "电子商务"]


def _tables(column, surveyed, trained):
    return {"surveys": pd.DataFrame({column: surveyed}),
            "training": pd.DataFrame({column: trained})}


def _row(report, table, value):
    rows = report[(report["table"] == table) & (report["value"] == value)]
    assert len(rows) == 1, report
    return rows.iloc[0]


@pytest.mark.parametrize(("column", "meant", "written", "reason"), [
    ("region", "瓯海区", "欧海区", "one-character typo"),
    ("industry", "纺织", "纺识", "one-character typo"),   # two characters
    ("region", "鹿城区", "鹿城", "shortened name"),       # a prefix
    ("industry", "电子商务", "电商", "shortened name"),   # an abbreviation
    ("industry", "通用设备制造", "通用设备", "shortened name"),
    ("region", "鹿城区", "城区", "shortened name"),       # contained at the end
])
def test_cjk_near_misses_both_ways(column, meant, written, reason):
    names = REGIONS if column == "region" else INDUSTRIES
    report = check_codes(_tables(column, names,
                                 [written if name == meant else name for name in names]))
    trained = _row(report, "training", written)
    assert (trained["suggestion"], trained["reason"], bool(trained["near_miss"])) == (
        meant, reason, True)
    surveyed = _row(report, "surveys", meant)
    assert (surveyed["suggestion"], bool(surveyed["near_miss"])) == (written, True)
    assert unpaired_codes(report).empty  # a near miss is not listed again as unpaired


@pytest.mark.parametrize(("surveyed", "trained"), [
    (["纺织"], ["服装"]),          # different short names: no character in common
    (["直播"], ["电商"]),
    (["龙湾区"], ["瑞安市"]),
    (["二级"], ["三级"]),          # numerals tell members of a series apart
    (["城东街道"], ["城西街道"]),   # and so do directions
    (["技师"], ["高级技师"]),      # a grade left out
    (["Lucheng"], ["Lu"]),         # a Latin prefix is not a shortened name
])
def test_different_names_are_not_near_misses(surveyed, trained):
    report = check_codes(_tables("industry", surveyed, trained))
    assert not report["near_miss"].any(), report
    assert len(unpaired_codes(report)) == 1  # but each table alone holds one: a warning


def test_a_code_both_tables_hold_is_no_misspelling():
    # 初级工 is surveyed, not trained; 中级工 differs by one character but both tables hold
    # it: a code of its own, so 初级工 is a plain absence (a cell without supply)
    report = check_codes(_tables("skill_level", ["初级工", "中级工", "高级工"],
                                 ["中级工", "高级工"]))
    row = _row(report, "surveys", "初级工")
    assert not bool(row["near_miss"]) and pd.isna(row["suggestion"])
    assert unpaired_codes(report).empty


@pytest.mark.parametrize(("surveyed", "trained", "suggestion", "reason"), [
    ("欧海区", ["瓯海区", "欧海"], "瓯海区", "one-character typo"),   # a typo before a shortening
    ("鹿城", ["鹿城区北部", "鹿城区"], "鹿城区", "shortened name"),   # the closest length
])
def test_look_alike_prefers_a_typo_then_the_closest_length(surveyed, trained, suggestion,
                                                            reason):
    row = _row(check_codes(_tables("region", [surveyed], trained)), "surveys", surveyed)
    assert bool(row["near_miss"]) and (row["suggestion"], row["reason"]) == (suggestion, reason)


def test_latin_names_are_not_cjk_look_alikes():
    report = check_codes(_tables("region", ["Ouhai"], ["Ouhai district"]))
    assert not report["near_miss"].any(), report


def test_long_cjk_names_keep_the_one_edit_rule():
    report = check_codes(_tables("industry", ["工业机器人操作"], ["工业机器人操做"]))
    assert _row(report, "training", "工业机器人操做")["reason"] == "one-character typo"


def test_unpaired_codes_pair_the_most_alike_values():
    report = check_codes(_tables("region", ["Amberfield", "Ashmere", "Ruian", "Bluewater"],
                                 ["Ambrefeld x", "Ashmere", "Bluewater", "Ruian City",
                                  "Yongjia"]))
    pairs = unpaired_codes(report)
    assert sorted(zip(pairs["value"], pairs["other_value"], strict=True)) == [
        ("Amberfield", "Ambrefeld x"), ("Ruian", "Ruian City")]  # Yongjia is left unpaired
    assert pairs["table"].eq("surveys").all() and pairs["other"].eq("training").all()
    assert pairs["rows"].tolist() == [1, 1] and pairs["other_lines"].tolist() == ["2", "5"]
    assert pair_unmatched(["a"], []) == []


def test_verify_codes_warns_about_unpaired_codes_and_raises_on_cjk_near_misses():
    surveys = pd.DataFrame({"region": ["鹿城区", "龙湾区"], "industry": ["纺织", "电子商务"]})
    renamed = pd.DataFrame({"region": ["Lucheng", "龙湾区"], "industry": ["纺织", "电子商务"]})
    with collect_warnings() as caught:
        verify_codes({"surveys": surveys, "training": renamed}, keys=["region", "industry"],
                     codes="raise")  # no near miss: nothing to raise, but a loud warning
    assert len(caught) == 1 and isinstance(caught[0], DataQualityWarning)
    text = str(caught[0])
    assert "column 'region': '鹿城区' only in surveys (1 row, e.g. line 2)" in text
    assert "'Lucheng' only in training (1 row, e.g. line 2) [unpaired_codes]" in text
    shortened = renamed.assign(region=["鹿城区", "龙湾区"], industry=["纺织", "电商"])
    with pytest.raises(SchemaError, match=r"'电商' in training .*did you mean '电子商务'\? "
                                          r"shortened name\) \[code_mismatch\]"):
        verify_codes({"surveys": surveys, "training": shortened},
                     keys=["region", "industry"], codes="raise")
    with collect_warnings() as caught:
        verify_codes({"surveys": surveys, "training": renamed}, keys=["region", "industry"],
                     codes="ignore")
    assert caught == []


def test_build_panel_warns_about_a_typo_in_a_chinese_region():
    periods = ["2024Q1", "2024Q2"]
    surveys = pd.DataFrame({
        "period": periods * 2, "enterprise_id": ["E1", "E1", "E2", "E2"],
        "region": ["瓯海区"] * 2 + ["鹿城区"] * 2, "industry": "纺织", "employees": 50,
        "vacancies": 4, "hard_to_fill": 2, "reports_shortage": 1, "weight": 1.0})
    training = pd.DataFrame({"period": periods * 2,
                             "region": ["欧海区"] * 2 + ["鹿城区"] * 2, "industry": "纺织",
                             "trained": 10, "certified": 8})
    with pytest.warns(DataQualityWarning, match="did you mean '瓯海区'"):
        build_panel(surveys, training, freq="Q")
    with pytest.raises(SchemaError, match="'欧海区' in training"):
        build_panel(surveys, training, freq="Q", codes="raise")


def test_long_cjk_names_follow_the_cjk_rules():
    # a swap of two neighbours is a typo; a character left out is a shortened name
    report = check_codes(_tables("industry", ["工业机器人操作", "通用设备制造"],
                                 ["工业机器操人作", "通用设备制"]))
    assert _row(report, "training", "工业机器操人作")["reason"] == "one-character typo"
    assert _row(report, "training", "通用设备制")["reason"] == "shortened name"
    # a grade changed is no typo, however long the name
    report = check_codes(_tables("skill_level", ["电工初级工种"], ["电工高级工种"]))
    assert not report["near_miss"].any()


def test_a_long_code_both_tables_hold_is_no_misspelling():
    report = check_codes(_tables("industry", ["工业机器人操作", "工业机器人操做"],
                                 ["工业机器人操做"]))
    row = _row(report, "surveys", "工业机器人操作")
    assert not bool(row["near_miss"]) and pd.isna(row["suggestion"])


def test_shortened_names_are_found_by_first_character_and_by_piece():
    names = CjkCandidates(["电子商务", "鹿城区", "通用设备制造", "技师", "Lucheng"])
    assert names.shortened("电商") == "电子商务"          # same first character
    assert names.shortened("城区") == "鹿城区"            # a piece of the name
    assert names.shortened("通用设备制造业") == "通用设备制造"  # the name is a piece of it
    assert names.shortened("高级技师") is None            # a grade left out
    assert names.shortened("商务") == "电子商务"
    assert names.shortened("Lu") is None and "Lucheng" not in names


def test_too_many_unmatched_values_are_listed_alone_not_paired():
    left = [f"区{i:03d}甲" for i in range(101)]
    right = [f"Town {i:03d}" for i in range(100)]
    assert pair_unmatched(left, right) == []
    report = check_codes(_tables("region", left, right))
    alone = unpaired_codes(report)
    assert len(alone) == 201
    assert alone["value"].notna().sum() == 101 and alone["other_value"].notna().sum() == 100
    assert not (alone["value"].notna() & alone["other_value"].notna()).any()  # no pair
    texts = describe_unpaired(alone)
    assert "'区000甲' only in surveys (1 row, e.g. line 2), one of too many values" in texts[0]
    assert any("'Town 099' only in training (1 row, e.g. line 101)" in t for t in texts)
    assert unpaired_warning(alone).startswith(
        "201 key value(s) found in one table only, too many to pair, for the same column")
