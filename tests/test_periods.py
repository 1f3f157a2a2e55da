"""Tests of talentgap.periods: every accepted label form, every reject, freq aliases."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from talentgap._frequencies import PER_YEAR, periods_per_year
from talentgap.errors import ParameterError, SchemaError
from talentgap.periods import (
    end_ordinals,
    freq_name,
    normalize_freq,
    parse_period_values,
    parse_periods,
    period_ordinals,
    year_end_ordinals,
)


def labels(result) -> list[str]:
    return [str(p) for p in result]


# --- accepted forms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "freq", "expected", "dtype"),
    [
        (["2024Q1"], None, ["2024Q1"], "period[Q-DEC]"),
        (["2024-Q1"], None, ["2024Q1"], "period[Q-DEC]"),
        (["2024 q1"], None, ["2024Q1"], "period[Q-DEC]"),
        (["Q1 2024"], None, ["2024Q1"], "period[Q-DEC]"),
        (["q4-2023", "2024/Q2", " 2024Q3 "], None, ["2023Q4", "2024Q2", "2024Q3"],
         "period[Q-DEC]"),
        (["2024-03"], None, ["2024-03"], "period[M]"),
        (["2024/3"], None, ["2024-03"], "period[M]"),
        (["2024M3"], None, ["2024-03"], "period[M]"),
        (["2024m12", "2024-01"], None, ["2024-12", "2024-01"], "period[M]"),
        (["2024"], None, ["2024"], "period[Y-DEC]"),
        ([2024, 2023], None, ["2024", "2023"], "period[Y-DEC]"),
        ([2024.0], None, ["2024"], "period[Y-DEC]"),
        (np.array([2024, 2025], dtype=np.int64), None, ["2024", "2025"], "period[Y-DEC]"),
        (["2024Q1", "2024Q2"], "quarterly", ["2024Q1", "2024Q2"], "period[Q-DEC]"),
        (["2024"], "A", ["2024"], "period[Y-DEC]"),
    ],
)
def test_accepted_labels(values, freq, expected, dtype):
    out = parse_periods(values, freq=freq)
    assert isinstance(out, pd.PeriodIndex)
    assert labels(out) == expected
    assert str(out.dtype) == dtype


@pytest.mark.parametrize(
    ("freq", "expected"),
    [
        ("Q", ["2024Q1", "2024Q2", "2024Q4"]),
        ("M", ["2024-03", "2024-04", "2024-12"]),
        ("Y", ["2024", "2024", "2024"]),
    ],
)
def test_iso_dates_fall_in_their_period(freq, expected):
    out = parse_periods(["2024-03-31", "2024-04-01", "2024-12-31T23:59:59"], freq=freq)
    assert labels(out) == expected


def test_datetime64_values_with_freq():
    stamps = pd.to_datetime(["2024-03-31", "2024-04-01"])
    assert labels(parse_periods(stamps, freq="Q")) == ["2024Q1", "2024Q2"]
    series = pd.Series(stamps.to_numpy(dtype="datetime64[s]"))
    assert labels(parse_periods(series, freq="M")) == ["2024-03", "2024-04"]


def test_python_dates_with_freq():
    values = [dt.date(2024, 3, 31), dt.datetime(2024, 4, 1, 8, 30)]
    assert labels(parse_periods(values, freq="Q")) == ["2024Q1", "2024Q2"]


def test_tz_aware_datetimes_use_their_local_calendar_date():
    # 00:30 on 1 April in Shanghai is still 31 March in UTC: the local date decides.
    stamps = pd.Series(pd.to_datetime(["2024-03-31 23:30", "2024-04-01 00:30"]))
    local = stamps.dt.tz_localize("Asia/Shanghai")
    assert labels(parse_periods(local, freq="Q")) == ["2024Q1", "2024Q2"]
    assert labels(parse_periods(list(local), freq="Q")) == ["2024Q1", "2024Q2"]


def test_iso_strings_with_utc_offsets():
    out = parse_periods(["2024-04-01T00:30:00+08:00"], freq="Q")
    assert labels(out) == ["2024Q2"]


def test_iso_strings_with_different_utc_offsets_and_naive():
    values = ["2024-03-31T20:00:00-08:00", "2024-03-31T20:00:00Z", "2024-04-01",
              "2024-04-01T00:00+05:00"]
    assert labels(parse_periods(values, freq="M")) == ["2024-03", "2024-03", "2024-04",
                                                       "2024-04"]


def test_period_objects():
    values = [pd.Period("2024Q1", freq="Q"), pd.Period("2024Q2", freq="Q")]
    out = parse_periods(values)
    assert labels(out) == ["2024Q1", "2024Q2"]
    assert str(out.dtype) == "period[Q-DEC]"
    assert labels(parse_periods([pd.Period("2024", freq="Y")], freq="Y")) == ["2024"]


def test_period_dtype_series_keeps_index_and_name():
    series = pd.Series(pd.period_range("2024-01", periods=3, freq="M"), index=[7, 8, 9],
                       name="when")
    out = parse_periods(series)
    assert isinstance(out, pd.Series)
    assert out.index.tolist() == [7, 8, 9]
    assert out.name == "when"
    assert str(out.dtype) == "period[M]"
    assert labels(out) == ["2024-01", "2024-02", "2024-03"]


def test_series_of_strings_returns_series_with_same_index():
    series = pd.Series(["2024Q1", "2024Q2"], index=["a", "b"], name="period")
    out = parse_periods(series)
    assert isinstance(out, pd.Series)
    assert out.index.tolist() == ["a", "b"]
    assert out.tolist() == [pd.Period("2024Q1", "Q"), pd.Period("2024Q2", "Q")]


def test_string_dtype_series():
    series = pd.Series(["2024Q1", "2024Q2"], dtype="string")
    assert labels(parse_periods(series)) == ["2024Q1", "2024Q2"]


# --- rejects ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "freq", "pattern"),
    [
        (["2024-13"], None, "'2024-13' is not a recognised label"),
        (["2024-13"], "M", "'2024-13' is not a recognised label"),
        (["2024-00"], "M", "'2024-00' is not a recognised label"),
        (["2024Q5"], None, "'2024Q5' is not a recognised label"),
        (["03/04/2024"], "Q", "'03/04/2024' is not a recognised label"),
        (["20240331"], "M", "'20240331' is not a recognised label"),
        (["2024-02-30"], "M", "'2024-02-30' is not a recognised label"),
        (["2024-03"], "Q", "'2024-03' is monthly but the declared frequency is quarterly"),
        (["2024Q1"], "M", "'2024Q1' is quarterly but the declared frequency is monthly"),
        (["2024"], "Q", "'2024' is annual but the declared frequency is quarterly"),
        (["2024Q1"], "Y", "'2024Q1' is quarterly but the declared frequency is annual"),
        ([pd.Period("2024-01", freq="M")], "Q", "monthly but the declared frequency is quarterly"),
        ([pd.Period("2024Q1", freq="Q")], "M", "quarterly but the declared frequency is monthly"),
        ([pd.Period("2024Q1", freq="Q-MAR")], "Q", "fiscal quarters of years ending in March"),
        ([pd.Period("2024Q4", freq="Q-MAR")], None,
         r"\(Q-MAR\), calendar 2024Q1: convert with .dt.asfreq\('Q-DEC', how='end'\)"),
        ([pd.Period("2024", freq="Y-JUN")], "Y",
         r"fiscal years ending in June \(Y-JUN\), calendar 2024: convert with "
         r".dt.asfreq\('Y-DEC', how='end'\)"),
        (["FY2024Q1"], "Q", "'FY2024Q1' is not a recognised label; it looks like a fiscal period"),
        (["fy 24"], None, "it looks like a fiscal period, and labels name calendar periods"),
        ([pd.Period("2024-03-01", freq="D")], "Q", "of frequency .D.; periods are annual"),
        ([2024.5], None, "2024.5 is not a recognised label"),
        ([999], None, "999 is not a recognised label"),
        ([True], None, "True is not a recognised label"),
    ],
)
def test_rejected_labels(values, freq, pattern):
    with pytest.raises(SchemaError, match=pattern) as info:
        parse_periods(values, freq=freq)
    assert info.value.column == "period"
    assert info.value.reason == "bad_period"
    assert info.value.failure_cases["rule"].tolist() == ["bad_period"]


def test_period_dtype_series_of_another_freq_is_rejected():
    series = pd.Series(pd.period_range("2024-01", periods=3, freq="M"))
    with pytest.raises(SchemaError, match="monthly but the declared frequency") as info:
        parse_periods(series, freq="Q")
    assert len(info.value.failure_cases) == 3


def test_missing_values_are_missing_not_bad():
    with pytest.raises(SchemaError, match="period is missing") as info:
        parse_periods(["2024Q1", None, "", "  ", np.nan, pd.NaT], freq="Q")
    cases = info.value.failure_cases
    assert info.value.reason == "missing_value"
    assert cases["row"].tolist() == [1, 2, 3, 4, 5]
    assert set(cases["rule"]) == {"missing_value"}


@pytest.mark.parametrize(
    ("values", "pattern"),
    [
        (["2024-01", "2024Q1"], r"mixed period forms: 1 quarterly .*1 monthly"),
        (["2024", "2024Q1", "2024Q2"], r"mixed period forms: 1 annual .*2 quarterly"),
        (["2024-03-01", "2024Q1"], "mixed period forms"),
        (["2024-03-01", "2024-06-30"], "dates .* no frequency was declared"),
        ([dt.date(2024, 3, 1)], "dates .* no frequency was declared"),
        (pd.Series(pd.to_datetime(["2024-03-01"])), "dates .* no frequency was declared"),
    ],
)
def test_ambiguous_without_freq(values, pattern):
    with pytest.raises(SchemaError, match=pattern) as info:
        parse_periods(values)
    assert info.value.reason == "ambiguous_period"
    assert info.value.column == "period"
    assert "freq=" in str(info.value)


def test_mixed_forms_with_declared_freq_reject_only_the_others():
    with pytest.raises(SchemaError, match="monthly but the declared") as info:
        parse_periods(["2024Q1", "2024-03", "2024Q2"], freq="Q")
    assert info.value.reason == "bad_period"
    assert info.value.failure_cases["row"].tolist() == [1]


def test_error_lists_five_examples_and_all_failure_cases():
    values = [f"2024-{m:02d}" for m in range(1, 13)]
    with pytest.raises(SchemaError, match="12 value") as info:
        parse_periods(values, freq="Q", name="quarter")
    message = str(info.value)
    assert message.startswith("column 'quarter'")
    assert message.count("position ") == 5
    cases = info.value.failure_cases
    assert list(cases.columns) == ["line", "row", "column", "rule", "value", "message"]
    assert len(cases) == 12
    assert cases["value"].tolist() == values
    assert set(cases["column"]) == {"quarter"}


# --- parse_period_values ----------------------------------------------------------------------


def test_parse_period_values_records_instead_of_raising():
    parsed = parse_period_values(["2024Q1", "2024-13", None, "2024Q3"], freq="Q")
    assert parsed.freq == "Q"
    assert parsed.failed.tolist() == [False, True, True, False]
    assert parsed.rule.tolist() == [None, "bad_period", "missing_value", None]
    assert parsed.table_error is None
    assert str(parsed.periods[0]) == "2024Q1"
    assert pd.isna(parsed.periods[1])


def test_parse_period_values_table_error_parses_nothing():
    parsed = parse_period_values(["2024", "2024Q1"])
    assert parsed.periods is None
    assert "mixed period forms" in parsed.table_error
    assert not parsed.failed.any()


def test_parse_period_values_takes_freq_from_labels():
    assert parse_period_values(["2024-03", "2024-04"]).freq == "M"
    assert parse_period_values([2024]).freq == "Y"


# --- frequencies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alias", "code"),
    [
        ("Q", "Q"), ("q", "Q"), ("Q-DEC", "Q"), ("QE", "Q"), ("quarter", "Q"),
        (" Quarterly ", "Q"),
        ("Y", "Y"), ("A", "Y"), ("A-DEC", "Y"), ("Y-DEC", "Y"), ("YE", "Y"), ("annual", "Y"),
        ("year", "Y"), ("Yearly", "Y"),
        ("M", "M"), ("ME", "M"), ("month", "M"), ("MONTHLY", "M"),
    ],
)
def test_normalize_freq_aliases(alias, code):
    assert normalize_freq(alias) == code


@pytest.mark.parametrize("bad", ["W", "D", "", "Q-MAR", "fortnightly", None, 4])
def test_normalize_freq_rejects(bad):
    with pytest.raises(ParameterError, match=r"is not supported; use 'Y' \(annual\)"):
        normalize_freq(bad)


def test_unsupported_freq_in_parse_periods_is_a_parameter_error():
    with pytest.raises(ParameterError, match="freq='weekly'"):
        parse_periods(["2024Q1"], freq="weekly")


def test_freq_name():
    assert [freq_name(f) for f in ("Y", "quarterly", "m")] == ["annual", "quarterly", "monthly"]


# --- a long table's time column -----------------------------------------------------------------


def _ordinals(values, name: str = "period") -> tuple[list[str], str]:
    ordinals, freq = period_ordinals(pd.DataFrame({name: values}), name)
    assert ordinals.dtype == np.int64
    return [str(p) for p in pd.PeriodIndex.from_ordinals(ordinals, freq=freq)], freq


@pytest.mark.parametrize(("values", "expected", "freq"), [
    (["2024Q4", "2025Q1"], ["2024Q4", "2025Q1"], "Q-DEC"),
    (["2024-11", "2024-12"], ["2024-11", "2024-12"], "M"),
    ([2023, 2024], ["2023", "2024"], "Y-DEC"),
    (pd.period_range("2024-01-01", periods=3, freq="W"), None, "W-SUN"),
    (pd.period_range("2024-01-01", periods=2, freq="D"), ["2024-01-01", "2024-01-02"], "D"),
    (pd.date_range("2020-12-31", periods=3, freq="YE"), ["2020", "2021", "2022"], "Y-DEC"),
    (pd.date_range("2024-01-01", periods=3, freq="QS"), ["2024Q1", "2024Q2", "2024Q3"],
     "Q-DEC"),
    (pd.date_range("2024-01-31", periods=3, freq="ME"), ["2024-01", "2024-02", "2024-03"], "M"),
    (pd.date_range("2024-01-01", periods=4, freq="D"), None, "D"),
])
def test_period_ordinals_of_each_time_form(values, expected, freq):
    labels_out, freq_out = _ordinals(values)
    assert freq_out == freq
    if expected is not None:
        assert labels_out == expected


def test_period_ordinals_are_pandas_ordinals():
    periods = pd.period_range("2024Q1", periods=3, freq="Q")
    ordinals, _ = period_ordinals(pd.DataFrame({"t": ["2024Q1", "2024Q2", "2024Q3"]}), "t")
    np.testing.assert_array_equal(ordinals, periods.asi8)


@pytest.mark.parametrize(("values", "reason", "message"), [
    (pd.PeriodIndex(["2024Q1", None], freq="Q"), "missing_value", "has missing periods"),
    (pd.to_datetime(["2024-01-01", "2024-01-05", "2024-03-09"]), "bad_period",
     "without a regular annual, quarterly or monthly spacing"),
    (pd.to_datetime(["2024-01-31", "2024-02-29"]), "bad_period", "without a regular"),
    (["2024Q1", "2024-03"], "bad_period", "mixed period forms"),
    (["2024Q1", "someday"], "bad_period", "'someday' is not a recognised label"),
    (["2024Q1", None], "bad_period", "period is missing"),
])
def test_period_ordinals_refuse_unusable_time_columns(values, reason, message):
    with pytest.raises(SchemaError, match=message) as info:
        period_ordinals(pd.DataFrame({"when": values}), "when")
    assert info.value.column == "when"
    assert info.value.reason == reason
    assert "'when'" in str(info.value)


# ---- period arithmetic -------------------------------------------------------------------------


@pytest.mark.parametrize("freq", ["Y", "Q", "M", "Q-MAR", "Y-JUN", "Q-DEC"])
def test_year_end_ordinals_match_pandas_period_by_period(freq):
    years = [1999, 2024, 2026]
    expected = [pd.Period(str(y), freq="Y").asfreq(freq, how="end").ordinal for y in years]
    assert year_end_ordinals(years, freq).tolist() == expected
    assert year_end_ordinals(2026, freq).tolist() == expected[-1:]


def test_end_ordinals_move_each_period_to_its_last_sub_period():
    quarters = pd.PeriodIndex(["2024Q1", "2024Q4", "2025Q2"], freq="Q")
    months = end_ordinals(quarters.asi8, "Q", "M")
    assert [str(p) for p in pd.PeriodIndex.from_ordinals(months, freq="M")] == [
        "2024-03", "2024-12", "2025-06"]
    assert end_ordinals(quarters.asi8, "Q", "Q").tolist() == quarters.asi8.tolist()


@pytest.mark.parametrize(("freq", "expected"), [("Y", 1), ("annual", 1), ("A", 1), ("Y-JUN", 1),
                                                ("Q", 4), ("Q-DEC", 4), ("QE-MAR", 4),
                                                ("M", 12), ("monthly", 12)])
def test_periods_per_year_reads_codes_aliases_and_anchored_strings(freq, expected):
    assert periods_per_year(freq) == expected
    # the same count as a year's span measured in pandas ordinals
    code = normalize_freq(freq.split("-")[0].replace("QE", "Q"))
    span = (pd.Period("2001", freq="Y").asfreq(code, how="end").ordinal
            - pd.Period("2000", freq="Y").asfreq(code, how="end").ordinal)
    assert PER_YEAR[code] == span


def test_periods_per_year_refuses_other_frequencies():
    with pytest.raises(ParameterError, match=r"freq='W' is not supported"):
        periods_per_year("W")
