"""talentgap.schema.reject_incomplete_groups: a group that lost a row is left out whole."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from talentgap.errors import ParameterError
from talentgap.schema import reject_incomplete_groups, validate

TRAINING = """\
period,region,industry,program,trained,certified
2024Q3,Amberfield,textiles,basic,300,200
2024Q3,Amberfield,textiles,advanced,150,86%
2024Q3,Ashmere,textiles,basic,120,80
2024Q4,Amberfield,textiles,basic,310,210
2024Q4,Amberfield,textiles,advanced,140,90
"""
# long form: enterprise E1 has two rows in 2024Q1, one of them broken
SURVEYS = """\
period,enterprise_id,region,industry,skill_level,employees,vacancies,hard_to_fill,reports_shortage
2024Q1,E1,Ouhai,textiles,ordinary,200,9,4,1
2024Q1,E1,Ouhai,textiles,high,200,6,9,1
2024Q1,E2,Ouhai,textiles,ordinary,50,2,1,1
2024Q2,E1,Ouhai,textiles,ordinary,200,8,3,1
"""


def _read(text, table):
    return validate(pd.read_csv(io.StringIO(text)), table=table, errors="report")


def test_a_cell_period_with_a_rejected_cohort_is_rejected_whole():
    clean, report = _read(TRAINING, "training")
    assert report.rows_kept == 4  # before: the cell-period keeps its basic cohort only
    clean, report = reject_incomplete_groups(clean, report,
                                             by=("period", "region", "industry"),
                                             group="cell-period")
    assert clean.index.tolist() == [2, 3, 4]  # Ashmere, and Amberfield's complete 2024Q4
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == (5, 3, 2)
    moved = report.rejected[report.rejected["rule"] == "group_incomplete"]
    assert moved[["line", "row", "column", "value"]].values.tolist() == [
        [2, 0, "*", "2024Q3, Amberfield, textiles"]]
    assert moved["message"].item().startswith("line 3 of the same cell-period")
    assert report.rejected["line"].tolist() == [2, 3]  # in line order
    assert report.row_keys["kept"].tolist() == [False, False, True, True, True]


def test_an_enterprise_period_with_a_rejected_row_is_not_a_respondent():
    clean, report = _read(SURVEYS, "surveys")
    clean, report = reject_incomplete_groups(clean, report, by=("enterprise_id", "period"),
                                             group="enterprise-period")
    assert list(zip(clean["enterprise_id"], clean["period"].astype(str), strict=True)) == [
        ("E2", "2024Q1"), ("E1", "2024Q2")]
    assert report.rows_kept + report.rows_rejected == report.rows_in == 4
    assert sorted(report.rejected["rule"]) == ["exceeds_vacancies", "group_incomplete"]


def test_a_row_whose_group_cannot_be_read_rejects_nothing_more():
    text = TRAINING.replace("2024Q3,Amberfield,textiles,advanced,150,86%",
                            "2024Q9,Amberfield,textiles,advanced,150,86")
    clean, report = _read(text, "training")
    again, after = reject_incomplete_groups(clean, report,
                                            by=("period", "region", "industry"))
    assert len(again) == len(clean) == 4
    assert after.rows_rejected == 1


def test_groups_by_columns_the_table_lacks_are_left_out():
    clean, report = _read(TRAINING, "training")
    clean, report = reject_incomplete_groups(clean, report, by=("period", "occupation"))
    # the group is the period alone: all of 2024Q3 goes
    assert clean["period"].astype(str).tolist() == ["2024Q4", "2024Q4"]
    assert report.rows_rejected == 3


def test_nothing_rejected_returns_the_same_objects():
    clean, report = _read(TRAINING.replace("86%", "86"), "training")
    again, same = reject_incomplete_groups(clean, report, by=("period", "region"))
    assert again is clean and same is report


def test_a_clean_table_that_is_not_the_reports_is_refused():
    clean, report = _read(TRAINING, "training")
    with pytest.raises(ParameterError, match="do not belong together"):
        reject_incomplete_groups(clean.iloc[1:], report, by=("period",))
