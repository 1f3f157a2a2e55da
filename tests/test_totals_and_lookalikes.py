"""Totals rows, aggregate detail rows, look-alike enterprise ids, and the spellings
of numbers, periods and yes/no that bureau files use."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap._text_checks import fold_codes, totals_labels
from talentgap.errors import DataQualityWarning, SchemaError
from talentgap.periods import parse_period_values, parse_periods
from talentgap.schema import validate

COLUMNS = ["period", "enterprise_id", "region", "industry", "employees", "vacancies",
           "hard_to_fill", "reports_shortage", "weight"]


def surveys(rows, columns=COLUMNS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns).astype(object)


def totals_file() -> pd.DataFrame:
    return surveys([
        ["2024Q3", "E1", "Ouhai", "mech", 100, 10, 4, 1, 2],
        ["2024Q3", "E2", "Ouhai", "mech", 200, 20, 6, 1, 2],
        ["2024Q3", "合计", "Ouhai", "mech", 300, 30, 10, 1, 1],
        ["2024Q3", "E3", "Lucheng", "garments", 100, 10, 4, 1, 2],
        ["2024Q3", "小计", "Lucheng", "garments", 100, 10, 4, 1, 1],
    ])


# --- totals rows -------------------------------------------------------------------------

@pytest.mark.parametrize("label", ["合计", "小计", "总计", "总计数", "全部", "合　计", "Total",
                                   "SUBTOTAL", " sum ", "Grand  Total", "ＴＯＴＡＬ", "小计：",
                                   "合計"])
def test_totals_labels_are_found_whatever_their_case_width_or_spaces(label):
    assert totals_labels(pd.Index([label, "E1"])).tolist() == [True, False]


@pytest.mark.parametrize("value", ["Totalcorp", "E1", "sums", "合计厂", "", 7])
def test_other_values_are_not_totals_labels(value):
    assert not totals_labels(pd.Index([value], dtype=object)).any()


def test_totals_rows_are_refused_once_each_with_their_label():
    with pytest.raises(SchemaError) as info:
        validate(totals_file(), table="surveys")
    cases = info.value.failure_cases
    assert cases[["line", "column", "rule"]].values.tolist() == [
        [4, "*", "totals_row"], [6, "*", "totals_row"]]
    assert cases["value"].tolist() == ["合计", "小计"]
    assert "looks like a totals row ('合计' in column 'enterprise_id')" in str(info.value)


def test_a_totals_row_breaking_other_rules_gives_one_failure():
    raw = surveys([["2024Q3", "E1", "Ouhai", "mech", 100, 10, 4, 1, 2],
                   ["合计", None, None, None, "1,000", 40, 20, None, None]])
    _, report = validate(raw, table="surveys", errors="report")
    assert report.rejected[["line", "column", "rule"]].values.tolist() == [
        [3, "*", "totals_row"]]
    assert "'合计' in column 'period'" in report.rejected["message"].iloc[0]


def test_a_totals_label_in_a_key_column_of_the_training_table():
    raw = pd.DataFrame({"period": ["2024"] * 3, "region": ["Ouhai", "Lucheng", "Total"],
                        "industry": "mech", "trained": [10, 20, 30], "certified": [5, 9, 14]})
    _, report = validate(raw, table="training", errors="report")
    assert report.rejected[["line", "rule"]].values.tolist() == [[4, "totals_row"]]


def test_skip_mode_leaves_totals_out_without_touching_the_respondents():
    clean, report = validate(totals_file(), table="surveys", errors="report")
    assert clean["enterprise_id"].tolist() == ["E1", "E2", "E3"]
    assert report.rows_with_group == 0  # a totals row takes no enterprise with it
    adjusted, _ = tg.features.adjust_nonresponse(clean, report)
    assert adjusted["weight"].tolist() == [2.0, 2.0, 2.0]  # nobody stands in for a total
    cells = tg.features.estimate_cells(adjusted, keys=("region", "industry"))
    demand = dict(zip(cells["region"].astype(str), cells["demand"], strict=True))
    assert demand == {"Lucheng": 2 * 4, "Ouhai": 2 * 4 + 2 * 6}  # not 30: no totals row


def test_a_totals_detail_row_of_the_long_form_takes_nothing_with_it():
    columns = COLUMNS[:4] + ["occupation"] + COLUMNS[4:]
    raw = surveys([["2024Q3", "E1", "Ouhai", "mech", "welder", 200, 6, 5, 1, 2],
                   ["2024Q3", "E1", "Ouhai", "mech", "CNC", 200, 5, 1, 1, 2],
                   ["2024Q3", "E1", "Ouhai", "mech", "小计", 200, 11, 6, 1, 2]], columns)
    clean, report = validate(raw, table="surveys", errors="report")
    assert report.rejected["rule"].tolist() == ["totals_row"]
    assert clean["hard_to_fill"].sum() == 6


# --- blank details next to detail rows ------------------------------------------------------

LONG = COLUMNS[:4] + ["occupation", "skill_level"] + COLUMNS[4:]


def long_rows(details):
    """One enterprise-period E1 with the given (occupation, skill_level) rows, and E2."""
    rows = [["2024Q3", "E1", "Ouhai", "mech", occ, level, 200, 5, 2, 1, 2]
            for occ, level in details]
    rows.append(["2024Q3", "E2", "Ouhai", "mech", "welder", "high", 50, 1, 0, 0, 4])
    return surveys(rows, LONG)


def test_a_blank_occupation_next_to_occupation_rows_is_refused():
    columns = COLUMNS[:4] + ["occupation"] + COLUMNS[4:]
    raw = surveys([["2024Q3", "E1", "Ouhai", "mech", None, 200, 11, 6, 1, 2],
                   ["2024Q3", "E1", "Ouhai", "mech", "welder", 200, 6, 5, 1, 2],
                   ["2024Q3", "E1", "Ouhai", "mech", "CNC", 200, 5, 1, 1, 2],
                   ["2024Q3", "E2", "Ouhai", "mech", "welder", 50, 1, 0, 0, 4]], columns)
    with pytest.raises(SchemaError, match=r"\[mixed_detail_rows\].*line 2 "
                                          r"\(E1, 2024Q3, \(blank\)\): "
                                          r"occupation blank here, but line 3 of the same "
                                          r"enterprise-period"):
        validate(raw, table="surveys")
    clean, report = validate(raw, table="surveys", errors="report")
    assert clean["enterprise_id"].tolist() == ["E2"]  # E1 is left out whole
    assert report.rejected[["line", "rule"]].values.tolist() == [
        [2, "mixed_detail_rows"], [3, "group_incomplete"], [4, "group_incomplete"]]


@pytest.mark.parametrize(("details", "failing"), [
    ([(None, None), ("welder", "high")], [(2, "occupation, skill_level")]),
    ([("welder", None), ("welder", "high")], [(2, "skill_level")]),
    ([(None, "high"), ("welder", "high"), ("CNC", "ordinary")], [(2, "occupation")]),
    ([("CNC", None), ("welder", "high")], []),         # a partial breakdown
    ([("welder", "ordinary"), ("welder", "high")], []),
    ([(None, None)], []),                               # no vacancy: one blank row
])
def test_aggregate_rows_of_two_details(details, failing):
    _, report = validate(long_rows(details), table="surveys", errors="report")
    found = report.rejected[report.rejected["rule"] == "mixed_detail_rows"]
    assert list(zip(found["line"], found["column"], strict=True)) == failing


# --- look-alike enterprise ids --------------------------------------------------------------

def lookalike_file(second=(100, 10, 4), periods=("2024Q3",) * 3) -> pd.DataFrame:
    return surveys([
        [periods[0], "E001", "Ouhai", "mech", 100, 10, 4, 1, 2],
        [periods[1], "e001", "Ouhai", "mech", *second, 1, 2],
        [periods[2], "Ｅ００１", "Ouhai", "mech", 100, 10, 4, 1, 2],
        ["2024Q3", "E003", "Ouhai", "mech", 100, 10, 4, 1, 2],
    ])


def test_ids_that_fold_alike_are_one_enterprise_and_copies_are_repeats():
    clean, report = validate(lookalike_file(), table="surveys", errors="report")
    assert clean["enterprise_id"].tolist() == ["E001", "E003"]  # the first copy is kept
    assert report.rejected[["line", "rule"]].values.tolist() == [
        [3, "duplicate_row"], [4, "duplicate_row"]]
    assert report.rejected["message"].str.contains("letter case, full-width").all()


def test_ids_that_fold_alike_with_different_values_are_all_rejected():
    with pytest.raises(SchemaError) as info:
        validate(lookalike_file(second=(100, 12, 4)), table="surveys")
    cases = info.value.failure_cases
    # line 4 repeats line 2 but for the spelling of its id: a copy, like line 2 rejected
    assert cases[["line", "rule"]].values.tolist() == [
        [2, "duplicate_key"], [3, "duplicate_key"], [4, "duplicate_row"]]
    assert "shared by lines 2, 3 with different values" in cases["message"].iloc[0]
    assert "letter case" in cases["message"].iloc[0]


def test_ids_that_fold_alike_in_different_periods_pass():
    clean = validate(lookalike_file(periods=("2024Q1", "2024Q2", "2024Q3")), table="surveys")
    assert len(clean) == 4


def test_exact_repeats_keep_their_message_without_the_spelling_hint():
    raw = pd.concat([lookalike_file(), lookalike_file().iloc[[3]]], ignore_index=True)
    _, report = validate(raw, table="surveys", errors="report")
    plain = report.rejected[report.rejected["line"] == 6]
    assert plain["rule"].tolist() == ["duplicate_row"]
    assert "letter case" not in plain["message"].iloc[0]


def test_fold_codes_is_the_form_codes_are_compared_in():
    assert fold_codes(["E001", "e001", "Ｅ００１", " North\u3000 vale ", "Straße"]) == [
        "e001", "e001", "e001", "north vale", "strasse"]


# --- numbers, periods and yes/no as bureaus write them ---------------------------------------

def test_full_width_digits_are_read_with_a_warning_and_separators_get_a_hint():
    raw = surveys([["2024Q3", "E1", "Ouhai", "mech", "１２０", 10, 4, 1, "１．５"],
                   ["2024Q3", "E2", "Ouhai", "mech", "1,200", 10, 4, 1, "2,5"],
                   ["2024Q3", "E3", "Ouhai", "mech", "10²", 10, 4, 1, 1]])
    with pytest.warns(DataQualityWarning) as record:
        clean, report = validate(raw, table="surveys", errors="report")
    assert [str(w.message) for w in record] == [
        "surveys: column 'employees': 1 value(s) written in full-width digits were read as the "
        "numbers they show, e.g. line 2: '１２０'",
        "surveys: column 'weight': 1 value(s) written in full-width digits were read as the "
        "numbers they show, e.g. line 2: '１．５'"]
    assert clean["employees"].tolist() == [120]
    assert clean["weight"].tolist() == [1.5]
    messages = dict(zip(zip(report.rejected["line"], report.rejected["column"], strict=True),
                        report.rejected["message"], strict=True))
    assert messages[(3, "employees")] == "'1,200': thousands separators are not read; write 1200"
    assert messages[(3, "weight")] == "'2,5': a decimal comma is not read; write 2.5"
    assert messages[(4, "employees")] == "'10²'"  # NFKC would say 102: not read


@pytest.mark.parametrize(("label", "expected"), [
    ("2024年3季度", "2024Q3"), ("2024年第3季度", "2024Q3"), ("2024年第三季度", "2024Q3"),
    ("２０２４Ｑ３", "2024Q3"), ("2024 年 第 4 季度", "2024Q4")])
def test_chinese_quarter_labels(label, expected):
    assert str(parse_periods([label])[0]) == expected


def test_chinese_year_and_month_labels():
    assert parse_periods(["2024年", "2025年度"]).astype(str).tolist() == ["2024", "2025"]
    assert parse_periods(["2024年3月", "2024年12月份"]).astype(str).tolist() == [
        "2024-03", "2024-12"]


@pytest.mark.parametrize(("label", "hint"), [
    ("2024/09/30", "write it as an ISO date '2024-09-30'"),
    ("2024年9月30日", "write it as an ISO date '2024-09-30'"),
    ("30/09/2024", "day and month cannot be told apart"),
    ("2024年13季度", "use e.g. '2024', '2024Q1'")])
def test_dates_written_otherwise_than_iso_get_a_hint(label, hint):
    parsed = parse_period_values([label, "2024Q3"], freq="Q")
    assert parsed.failed.tolist() == [True, False]
    assert hint in parsed.message[0]


def test_shi_and_fou_are_yes_and_no():
    raw = surveys([["2024Q3", "E1", "Ouhai", "mech", 100, 10, 4, "是", 1],
                   ["2024Q3", "E2", "Ouhai", "mech", 100, 10, 4, "否", 1],
                   ["2024Q3", "E3", "Ouhai", "mech", 100, 10, 4, "yes", 1]])
    assert validate(raw, table="surveys")["reports_shortage"].tolist() == [True, False, True]


def test_nothing_changes_for_a_clean_table():
    raw = lookalike_file(periods=("2024Q1", "2024Q2", "2024Q3"))
    clean, report = validate(raw, table="surveys", errors="report")
    assert report.ok and report.warnings == []
    assert np.array_equal(clean["employees"].to_numpy(), [100, 100, 100, 100])
