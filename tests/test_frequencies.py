"""Frequency codes of typed period columns, and the refusal of fiscal Periods as labels."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap._frequencies import PERIOD_DTYPES, check_calendar_labels, period_dtype_code
from talentgap.errors import SchemaError


@pytest.mark.parametrize(("dtype", "code"), [
    (pd.PeriodDtype("Y"), "Y"), (pd.PeriodDtype("Y-DEC"), "Y"), (pd.PeriodDtype("Q"), "Q"),
    (pd.PeriodDtype("Q-DEC"), "Q"), (pd.PeriodDtype("M"), "M"),
    (pd.PeriodDtype("Q-MAR"), None), (pd.PeriodDtype("Q-JUN"), None),
    (pd.PeriodDtype("Y-JUN"), None), (pd.PeriodDtype("Y-MAR"), None),
    (pd.PeriodDtype("W"), None), (pd.PeriodDtype("D"), None),
    (pd.Series(["2024Q1"]).dtype, None), (pd.Series([2024]).dtype, None),
    (pd.CategoricalDtype(["2024Q1"]), None),
])
def test_period_dtype_code_knows_only_calendar_periods(dtype, code):
    assert period_dtype_code(dtype) == code
    if code is not None:
        assert PERIOD_DTYPES[code] == dtype


def test_calendar_labels_pass_and_fiscal_ones_are_refused_with_every_row():
    calendar = pd.DataFrame({"period": pd.period_range("2024Q1", periods=3, freq="Q"),
                             "week": pd.period_range("2024-01-01", periods=3, freq="W"),
                             "gap": [1.0, 2.0, 3.0]})
    check_calendar_labels(calendar, what="out.csv")  # weeks name their own days: no doubt
    fiscal = calendar.assign(period=calendar["period"].dt.asfreq("Q-MAR"))
    fiscal.loc[1, "period"] = pd.NaT
    with pytest.raises(SchemaError) as caught:
        check_calendar_labels(fiscal, what="out.csv", action="writing them")
    error = caught.value
    assert (error.column, error.reason) == ("period", "bad_period")
    assert str(error).startswith(
        "out.csv: column 'period' holds fiscal quarters of years ending in March (Q-MAR) "
        "[bad_period]; 2 rows, e.g. line 2: 2024Q4 (calendar 2024Q1);")
    assert "and writing them would name other months" in str(error)
    assert ".dt.asfreq('Q-DEC', how='end')" in str(error)
    assert error.failure_cases["line"].tolist() == [2, 4]
    assert error.failure_cases["message"].tolist() == [
        "2024Q4 is Q-MAR, calendar 2024Q1", "2025Q2 is Q-MAR, calendar 2024Q3"]


def test_fiscal_years_are_refused_with_the_calendar_year_they_end_in():
    years = pd.DataFrame({"when": pd.period_range("2025", periods=2, freq="Y-JUN")})
    with pytest.raises(SchemaError, match=r"e\.g\. line 2: 2025 \(calendar 2025\).*"
                                          r"asfreq\('Y-DEC', how='end'\)") as caught:
        check_calendar_labels(years, what="panel")
    assert caught.value.column == "when"
