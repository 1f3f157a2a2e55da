"""One key code written several ways, within a table or in every table, and lost leading zeros."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, SchemaError
from talentgap.features.codes import check_codes, describe_codes, verify_codes

INDUSTRY = "textiles"


def _frame(regions):
    return pd.DataFrame({"region": regions, "industry": INDUSTRY})


def _spellings(report):
    rows = report[report["absent_from"].isna()]
    return sorted(zip(rows["table"], rows["value"], rows["suggestion"], rows["reason"],
                      strict=True))


def test_three_spellings_in_one_table_are_near_misses_of_the_commonest():
    surveys = _frame(["Amberfield", "Amberfield", "amberfield", "Ａｍｂｅｒｆｉｅｌｄ", "Ashmere"])
    report = check_codes({"surveys": surveys})
    assert _spellings(report) == [
        ("surveys", "amberfield", "Amberfield", "letter case"),
        ("surveys", "Ａｍｂｅｒｆｉｅｌｄ", "Amberfield", "full-width characters"),
    ]
    assert report["near_miss"].all()
    assert report.loc[report["value"] == "amberfield", "lines"].item() == "4"


def test_a_spelling_present_in_every_table_is_still_caught():
    # from 2024Q3 on all three files write the region in capitals
    surveys = _frame(["Amberfield"] * 3 + ["AMBERFIELD"] * 2)
    training = _frame(["Amberfield", "AMBERFIELD"])
    employment = _frame(["Amberfield", "Amberfield", "AMBERFIELD"])
    tables = {"surveys": surveys, "training": training, "employment": employment}
    report = check_codes(tables, against="surveys")
    assert _spellings(report) == [
        ("employment", "AMBERFIELD", "Amberfield", "letter case"),
        ("surveys", "AMBERFIELD", "Amberfield", "letter case"),
        ("training", "AMBERFIELD", "Amberfield", "letter case"),
    ]
    with pytest.raises(SchemaError, match=r"'AMBERFIELD' in surveys \(2 rows, e.g. lines 5, 6\) "
                       r"is 'Amberfield' written another way") as caught:
        check_codes(tables, errors="raise")
    assert caught.value.reason == "code_mismatch"
    assert set(caught.value.failure_cases["table"]) == {"surveys", "training", "employment"}


def test_the_spelling_with_more_rows_over_all_tables_is_suggested():
    surveys = _frame(["ASHMERE", "Ashmere"])
    training = _frame(["ASHMERE", "ASHMERE"])
    report = check_codes({"surveys": surveys, "training": training})
    # 'Ashmere' is also missing from training, but surveys writes the code two ways: one
    # row, the spelling (no side missing), with the same suggestion
    assert report[["table", "absent_from", "value", "suggestion"]].values.tolist() == [
        ["surveys", None, "Ashmere", "ASHMERE"]]
    both = check_codes({"surveys": _frame(["ASHMERE", "Ashmere", "ashmere"]),
                        "training": _frame(["ASHMERE", "ashmere", "Ashmere", "Ashmere"])})
    # Ashmere: 3 rows over both tables, ASHMERE and ashmere 2 each
    assert _spellings(both) == [("surveys", "ASHMERE", "Ashmere", "letter case"),
                                ("surveys", "ashmere", "Ashmere", "letter case"),
                                ("training", "ASHMERE", "Ashmere", "letter case"),
                                ("training", "ashmere", "Ashmere", "letter case")]


def test_spaces_between_words_are_one_code():
    report = check_codes({"surveys": _frame(["North  vale", "North vale", "North vale"])})
    assert _spellings(report) == [("surveys", "North  vale", "North vale",
                                   "spaces between words")]


def test_leading_zeros_lost_in_another_table_are_a_near_miss():
    surveys = _frame(["0101", "0102"])
    training = _frame(["101", "0102"])
    report = check_codes({"surveys": surveys, "training": training})
    row = report[(report["table"] == "training") & (report["value"] == "101")].iloc[0]
    assert (row["absent_from"], row["suggestion"], row["reason"], row["near_miss"]) == (
        "surveys", "0101", "leading zeros", True)
    # each value is reported once: the between-table row, not a second spelling row
    assert report.groupby(["table", "value"]).size().max() == 1
    assert describe_codes(report[report["table"] == "training"]) == [
        "column 'region': '101' in training (1 row, e.g. line 2) is not in surveys "
        "(did you mean '0101'? leading zeros) [code_mismatch]"]


def test_different_numeric_codes_are_not_spellings():
    report = check_codes({"surveys": _frame(["3101", "3102", "0310"]),
                          "training": _frame(["3101", "3102", "0310"])})
    assert report.empty


def test_no_allow_side_accepts_a_code_written_two_ways():
    surveys = _frame(["Amberfield", "AMBERFIELD", "Amberfield"])
    training = _frame(["Amberfield", "AMBERFIELD"])
    with pytest.raises(SchemaError, match="written another way"):
        verify_codes({"surveys": surveys, "training": training}, keys=["region", "industry"],
                      codes="raise", allow=("supply", "demand"))
    with pytest.warns(DataQualityWarning, match="within one"):
        report = verify_codes({"surveys": surveys, "training": training},
                              keys=["region", "industry"], codes="warn")
    assert len(report) == 2


def test_a_between_table_near_miss_is_still_allowed_by_its_side():
    surveys = _frame(["Ouhai", "Longwan"])
    training = _frame(["ouhai", "Longwan"])
    with pytest.warns(DataQualityWarning):
        report = verify_codes({"surveys": surveys, "training": training},
                              keys=["region", "industry"], codes="raise",
                              allow=("supply", "demand"))
    assert report["near_miss"].sum() == 2


@pytest.mark.parametrize("side", ["demand", "supply"])
def test_two_spellings_in_one_table_are_refused_though_the_other_table_lacks_one(side):
    # training writes Amberfield two ways; surveys holds only the commonest spelling, so
    # 'AMBERFIELD' is also a training code missing from the surveys (the demand side)
    two, one = _frame(["Amberfield"] * 3 + ["AMBERFIELD"] * 2), _frame(["Amberfield"] * 4)
    tables = ({"surveys": one, "training": two} if side == "demand"
              else {"surveys": two, "training": one})
    name = "training" if side == "demand" else "surveys"
    report = check_codes(tables)
    row = report[report["value"] == "AMBERFIELD"]
    # reported once, as a spelling of its own table, not as a cell missing a side
    assert row[["table", "suggestion", "reason", "near_miss"]].values.tolist() == [
        [name, "Amberfield", "letter case", True]]
    assert row["absent_from"].isna().all()
    with pytest.raises(SchemaError, match=rf"'AMBERFIELD' in {name} \(2 rows, e.g. lines 5, "
                       r"6\) is 'Amberfield' written another way") as caught:
        verify_codes(tables, keys=["region", "industry"], codes="raise",
                     allow=("supply", "demand"))
    assert caught.value.failure_cases["value"].tolist() == ["AMBERFIELD"]


def test_a_spelling_the_other_table_writes_alone_is_still_a_side():
    # each table writes the code one way: a code of each table missing from the other
    tables = {"surveys": _frame(["Amberfield"] * 3), "training": _frame(["AMBERFIELD"] * 2)}
    with pytest.warns(DataQualityWarning, match="'AMBERFIELD' in training"):
        report = verify_codes(tables, keys=["region", "industry"], codes="raise",
                              allow=("supply", "demand"))
    assert report[["table", "absent_from", "value"]].values.tolist() == [
        ["surveys", "training", "Amberfield"], ["training", "surveys", "AMBERFIELD"]]
    with pytest.raises(SchemaError, match="'Amberfield' in surveys .* is not in training"):
        verify_codes(tables, keys=["region", "industry"], codes="raise", allow=("demand",))


def test_one_table_alone_is_searched_for_spellings():
    surveys = _frame(["Amberfield ", "amberfield", "Ａｍｂｅｒｆｉｅｌｄ"])
    with pytest.raises(SchemaError, match="is 'amberfield' written another way") as caught:
        verify_codes({"surveys": surveys, "training": None}, keys=["region"], codes="raise")
    # on a tie the plainly written spelling is the one suggested
    assert sorted(caught.value.failure_cases["value"]) == ["Amberfield ", "Ａｍｂｅｒｆｉｅｌｄ"]
    report = verify_codes({"training": _frame(["Ouhai", "OUHAI", "Ouhai"])},
                          keys=["region"], codes="ignore")
    assert report is None
