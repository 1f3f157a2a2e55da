"""Fiscal periods through files: typed ones are refused on reading and writing, labels are
calendar periods, and a label that says it is fiscal is refused with the conversion."""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import SchemaError


@pytest.fixture(scope="module")
def training():
    return tg.datasets.make_synthetic(seed=1, n_regions=2, industries=2, n_periods=4).training


def _fiscal(df: pd.DataFrame, freq: str = "Q-MAR") -> pd.DataFrame:
    return df.assign(period=df["period"].dt.asfreq(freq))


def test_parquet_of_fiscal_periods_is_refused_as_validation_refuses_it(training, tmp_path):
    path = tmp_path / "training.parquet"
    _fiscal(training).to_parquet(path)  # pandas keeps period[Q-MAR] in Parquet
    with pytest.raises(SchemaError) as read:
        tg.io.read_table(path, table="training")
    with pytest.raises(SchemaError) as validated:
        tg.schema.validate(_fiscal(training), table="training")
    assert read.value.reason == validated.value.reason == "bad_period"
    assert "period 2019Q4 is labelled in fiscal quarters of years ending in March (Q-MAR), " \
        "calendar 2019Q1: convert with .dt.asfreq('Q-DEC', how='end')" in str(read.value)
    assert len(read.value.failure_cases) == len(training)


def test_labels_in_a_csv_are_calendar_periods(training, tmp_path):
    """'2019Q4' is October to December 2019, whoever wrote it: text carries no fiscal year."""
    path = tmp_path / "training.csv"
    _fiscal(training).to_csv(path, index=False)  # pandas writes Q-MAR 2019Q4 as '2019Q4'
    clean = tg.io.read_table(path, table="training")
    assert clean["period"].dtype == pd.PeriodDtype("Q")
    assert clean["period"].iloc[0] == pd.Period("2019Q4", freq="Q")
    assert clean["period"].iloc[0] != training["period"].iloc[0].asfreq("Q", how="end")


def test_fiscal_labels_in_a_csv_are_refused_with_their_lines(training, tmp_path):
    path = tmp_path / "training.csv"
    table = training.assign(period="FY" + _fiscal(training)["period"].astype(str))
    table.to_csv(path, index=False)
    with pytest.raises(SchemaError, match="it looks like a fiscal period") as caught:
        tg.io.read_table(path, table="training")
    cases = caught.value.failure_cases
    assert caught.value.reason == "bad_period"
    assert cases["line"].tolist() == list(range(2, len(training) + 2))
    assert "'FY2019Q4'" in str(caught.value)


@pytest.mark.parametrize("suffix", ["csv", "parquet", "xlsx"])
def test_write_table_refuses_fiscal_periods_and_writes_nothing(training, tmp_path, suffix):
    path = tmp_path / f"training.{suffix}"
    with pytest.raises(SchemaError, match=r"training\.\w+: column 'period' holds fiscal "
                                          r"quarters of years ending in March") as caught:
        tg.io.write_table(_fiscal(training), path)
    assert caught.value.reason == "bad_period"
    assert not path.exists()
    with pytest.raises(SchemaError,
                       match="book.xlsx, sheet 'years': column 'period' holds fiscal years"):
        tg.io.write_workbook({"years": pd.DataFrame(
            {"period": pd.period_range("2025", periods=2, freq="Y-JUN")})},
            tmp_path / "book.xlsx")
    assert not (tmp_path / "book.xlsx").exists()


def test_the_suggested_conversion_writes_and_reads_back_the_calendar_table(training, tmp_path):
    fiscal = _fiscal(training)
    converted = fiscal.assign(period=fiscal["period"].dt.asfreq("Q-DEC", how="end"))
    path = tg.io.write_table(converted, tmp_path / "training.csv")
    back = tg.io.read_table(path, table="training")
    assert back["period"].tolist() == training["period"].tolist()
