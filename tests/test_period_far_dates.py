"""Dates outside the timestamps pandas holds are refused with the label to write."""

from __future__ import annotations

import datetime as dt

import pytest

import talentgap as tg
from talentgap.errors import SchemaError
from talentgap.periods import parse_period_values, parse_periods


@pytest.mark.parametrize(("value", "freq", "label"), [
    ("2300-01-01", "Q", "2300Q1"), ("0001-01-01", "Q", "0001Q1"),
    ("9999-12-31", "M", "9999-12"), ("1600-07-04T10:00:00Z", "Y", "1600"),
    (dt.date(2300, 5, 1), "Q", "2300Q2"),
])
def test_a_far_date_fails_its_row_with_the_label_to_write(value, freq, label):
    parsed = parse_period_values(["2024-01-01", value], freq=freq)
    assert parsed.failed.tolist() == [False, True]
    assert parsed.rule[1] == "bad_period"
    assert "outside 1677-09-22 to 2262-04-11" in parsed.message[1]
    assert parsed.message[1].endswith(f"e.g. '{label}'")


def test_the_last_dates_pandas_holds_are_read():
    assert parse_periods(["2262-04-11", "1677-09-22"], freq="Q").astype(str).tolist() == [
        "2262Q2", "1677Q3"]


def test_far_dates_without_a_frequency_ask_for_one():
    with pytest.raises(SchemaError, match="no frequency was declared"):
        parse_periods(["2300-01-01"])


def test_a_table_with_a_far_date_names_its_line(tmp_path):
    surveys = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=4,
                                         seed=1).surveys.head(5)
    surveys = surveys.assign(period=surveys["period"].astype(str))
    surveys.loc[surveys.index[2], "period"] = "2300-01-01"
    surveys.to_csv(tmp_path / "surveys.csv", index=False)
    with pytest.raises(SchemaError, match=r"line 4 .*'2300-01-01' is a date outside .*'2300Q1'"):
        tg.io.read_table(tmp_path / "surveys.csv", table="surveys", freq="Q")
