"""Tests of talentgap.schema.validate: every rule, the error, the report, clean dtypes."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talentgap.errors import DataQualityWarning, ParameterError, SchemaError
from talentgap.schema import SCHEMAS, DataQualityReport, describe_schema, get_schema, validate

FAILURE_COLUMNS = ["line", "row", "column", "rule", "value", "message"]


def with_value(df: pd.DataFrame, row: int, column: str, value) -> pd.DataFrame:
    """A copy of ``df`` with one cell replaced; pandas infers the column's new dtype."""
    out = df.copy()
    values = out[column].tolist() if column in out.columns else [None] * len(out)
    values[row] = value
    out[column] = pd.Series(values, index=out.index)
    return out


def raised(df: pd.DataFrame, **kwargs) -> SchemaError:
    with pytest.raises(SchemaError) as info:
        validate(df, **kwargs)
    return info.value


def triples(cases: pd.DataFrame) -> set[tuple[int, str, str]]:
    return set(zip(cases["line"].astype(int), cases["column"], cases["rule"], strict=True))


# --- the tables as a whole --------------------------------------------------------------------


def test_valid_tables_pass_without_warnings(surveys, training, employment):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        assert len(validate(surveys, table="surveys")) == 4
        assert len(validate(training, table="training")) == 3
        assert len(validate(employment, table="employment")) == 3


def test_missing_column_with_near_miss_hint(surveys):
    err = raised(surveys.rename(columns={"vacancies": "vacancy"}), table="surveys")
    assert err.column == "vacancies"
    assert err.reason == "missing_column"
    assert "required column 'vacancies' is missing" in str(err)
    assert "did you mean 'vacancies'?" in str(err)
    assert "'vacancy'" in str(err)


def test_missing_column_without_near_miss(surveys):
    err = raised(surveys.drop(columns="hard_to_fill"), table="surveys")
    assert err.column == "hard_to_fill"
    assert "required column 'hard_to_fill' is missing" in str(err)
    assert "did you mean" not in str(err)


def test_every_missing_column_is_named_and_report_mode_still_raises(training):
    with pytest.raises(SchemaError, match="'trained' is missing.*'certified' is missing") as info:
        validate(training.drop(columns=["trained", "certified"]), table="training",
                 errors="report")
    assert info.value.column == "trained"


def test_optional_columns_may_be_absent(surveys):
    clean = validate(surveys.drop(columns="weight"), table="surveys")
    assert "weight" not in clean.columns


def test_empty_table(surveys):
    err = raised(surveys.iloc[:0], table="surveys")
    assert err.reason == "empty_table"
    assert "no rows" in str(err)
    # with errors="report" an empty table comes back, with a warning in the report
    with pytest.warns(DataQualityWarning, match="no rows"):
        clean, report = validate(surveys.iloc[:0], table="surveys", errors="report")
    assert len(clean) == 0 and report.rows_in == 0 and report.rejected.empty
    assert any("no rows" in text for text in report.warnings)


def test_repeated_column_names(surveys):
    doubled = pd.concat([surveys, surveys[["region"]]], axis=1)
    err = raised(doubled, table="surveys")
    assert err.reason == "repeated_column"
    assert "column names repeat: ['region']" in str(err)


def test_bad_arguments_are_parameter_errors(surveys):
    with pytest.raises(ParameterError, match="did you mean 'surveys'"):
        validate(surveys, table="survey")
    with pytest.raises(ParameterError, match="errors='ignore'"):
        validate(surveys, table="surveys", errors="ignore")
    with pytest.raises(ParameterError, match="'employees', which is not a key column"):
        validate(surveys, table="surveys", allowed={"employees": [1, 2]})
    with pytest.raises(ParameterError, match="line_numbers has 2 entries for 4 rows"):
        validate(surveys, table="surveys", line_numbers=[1, 2])
    with pytest.raises(ParameterError, match="expected a pandas DataFrame, got list"):
        validate([1, 2], table="surveys")
    with pytest.raises(ParameterError, match="freq='W'"):
        validate(surveys, table="surveys", freq="W")


def test_get_schema_and_describe_schema():
    assert get_schema("surveys") is SCHEMAS["surveys"]
    assert get_schema("surveys").unique == ("enterprise_id", "period")
    described = describe_schema("training", freq="Q")
    assert described["column"].tolist()[:5] == get_schema("training").required
    assert described.loc[0, "description"].endswith("(quarterly)")


# --- one rule at a time -----------------------------------------------------------------------

ROW_RULES = [
    # table, row, column, bad value, failing column, rule, text in the message
    ("surveys", 1, "employees", "many", "employees", "not_numeric", "'many'"),
    ("surveys", 1, "employees", None, "employees", "missing_value", "missing"),
    ("surveys", 1, "employees", -3, "employees", "negative", "-3"),
    ("surveys", 1, "vacancies", 2.5, "vacancies", "not_integer", "2.5"),
    ("surveys", 1, "vacancies", "", "vacancies", "missing_value", "missing"),
    ("surveys", 0, "hard_to_fill", 9, "hard_to_fill", "exceeds_vacancies", "9 > 3"),
    ("surveys", 1, "region", "", "region", "missing_value", "missing"),
    ("surveys", 1, "region", "   ", "region", "missing_value", "missing"),
    ("surveys", 1, "industry", None, "industry", "missing_value", "missing"),
    ("surveys", 1, "enterprise_id", " ", "enterprise_id", "missing_value", "missing"),
    ("surveys", 1, "period", None, "period", "missing_value", "period is missing"),
    ("surveys", 1, "period", "2024Q7", "period", "bad_period", "'2024Q7' is not a recognised"),
    ("surveys", 1, "reports_shortage", "maybe", "reports_shortage", "not_boolean", "'maybe'"),
    ("surveys", 1, "reports_shortage", None, "reports_shortage", "missing_value", "missing"),
    ("surveys", 1, "weight", 0.0, "weight", "not_positive", "0.0"),
    ("surveys", 1, "weight", -2.0, "weight", "not_positive", "-2.0"),
    ("surveys", 1, "weight", np.inf, "weight", "not_positive", "inf"),
    ("surveys", 1, "weight", np.nan, "weight", "missing_value", "missing"),
    ("surveys", 1, "weight", "heavy", "weight", "not_numeric", "'heavy'"),
    ("training", 2, "certified", 31, "certified", "exceeds_trained", "31 > 30"),
    ("training", 1, "certified", -1, "certified", "negative", "-1"),
    ("training", 1, "region", None, "region", "missing_value",
     "line 3 ((blank), textiles, P1, 2024)"),
    ("training", 1, "enrolled", 1.5, "enrolled", "not_integer", "1.5"),
    ("training", 1, "program", "", "program", "missing_value", "missing"),
    ("employment", 1, "skilled", 501, "skilled", "exceeds_employment", "501 > 500"),
    ("employment", 2, "high_skilled", 301, "high_skilled", "exceeds_skilled", "301 > 300"),
    ("employment", 0, "employment", "lots", "employment", "not_numeric", "'lots'"),
]


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "failing", "rule", "shown"), ROW_RULES,
    ids=[f"{r[0]}-{r[2]}-{r[5]}" for r in ROW_RULES],
)
def test_each_rule_rejects_its_row_and_names_the_column(
    request, table, row, column, value, failing, rule, shown
):
    df = request.getfixturevalue(table)
    if column == "enrolled":
        df["enrolled"] = [150, 90, 40]
    bad = with_value(df, row, column, value)
    with pytest.raises(SchemaError, match=f"column '{failing}'") as info:
        validate(bad, table=table)
    err = info.value
    assert err.column == failing
    assert err.reason == rule
    assert f"[{rule}]" in str(err)
    assert f"line {row + 2}" in str(err)
    assert shown in str(err)
    assert triples(err.failure_cases) == {(row + 2, failing, rule)}
    assert err.failure_cases["row"].tolist() == [row]

    clean, report = validate(bad, table=table, errors="report")
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == (len(df), len(df) - 1, 1)
    assert row not in clean.index


def test_bool_column_is_not_numeric(surveys):
    surveys["employees"] = [True, False, True, True]
    err = raised(surveys, table="surveys")
    assert err.reason == "not_numeric"
    assert len(err.failure_cases) == 4


def test_whole_number_floats_and_numeric_text_are_accepted(surveys):
    surveys["employees"] = [40.0, 12.0, 41.0, 12.0]
    surveys["vacancies"] = ["3", " 1", "4", "0"]
    clean = validate(surveys, table="surveys")
    assert clean["employees"].dtype == np.int64
    assert clean["employees"].tolist() == [40, 12, 41, 12]
    assert clean["vacancies"].tolist() == [3, 1, 4, 0]


def test_non_integer_count_is_not_rounded(surveys):
    bad = with_value(surveys, 0, "employees", 12.5)
    clean, report = validate(bad, table="surveys", errors="report")
    assert 0 not in clean.index
    assert report.rejected[["column", "rule", "value"]].values.tolist() == [
        ["employees", "not_integer", 12.5]
    ]


def test_suspicious_values_warn_but_are_kept(surveys):
    surveys.loc[1, ["employees", "vacancies", "hard_to_fill"]] = [2, 11, 0]
    with pytest.warns(DataQualityWarning, match=r"vacancies > 5 x employees.*line 3"):
        clean, report = validate(surveys, table="surveys", errors="report")
    assert report.rows_rejected == 0
    assert clean.loc[1, "vacancies"] == 11
    assert len(report.warnings) == 1
    assert "vacancies > 5 x employees" in report.summary()


def test_exactly_five_times_employees_is_not_suspicious(surveys):
    surveys.loc[1, ["employees", "vacancies", "hard_to_fill"]] = [2, 10, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        validate(surveys, table="surveys")


# --- duplicates -------------------------------------------------------------------------------


def test_conflicting_duplicates_are_all_rejected(surveys):
    conflict = pd.concat([surveys, surveys.iloc[[0]].assign(employees=99)], ignore_index=True)
    err = raised(conflict, table="surveys")
    assert err.column == "enterprise_id, period"
    assert err.reason == "duplicate_key"
    assert "shared by lines 2, 6" in str(err)
    clean, report = validate(conflict, table="surveys", errors="report")
    assert sorted(clean.index) == [1, 2, 3]
    assert triples(report.rejected) == {(2, "enterprise_id, period", "duplicate_key"),
                                        (6, "enterprise_id, period", "duplicate_key")}


def test_exact_repeated_row_keeps_the_first_copy(surveys):
    repeated = pd.concat([surveys, surveys.iloc[[1]]], ignore_index=True)
    clean, report = validate(repeated, table="surveys", errors="report")
    pd.testing.assert_frame_equal(clean, validate(surveys, table="surveys"))
    assert (report.rows_kept, report.rows_rejected) == (4, 1)
    assert triples(report.rejected) == {(6, "enterprise_id, period", "duplicate_row")}
    with pytest.raises(SchemaError, match=r"\[duplicate_row\]"):
        validate(repeated, table="surveys")


def test_same_enterprise_in_another_period_is_not_a_duplicate(surveys):
    clean = validate(surveys, table="surveys")
    assert clean["enterprise_id"].tolist() == ["E1", "E2", "E1", "E2"]


def test_employment_is_unique_per_period_region_industry(employment):
    twice = pd.concat([employment, employment.iloc[[0]].assign(employment=999)],
                      ignore_index=True)
    err = raised(twice, table="employment")
    assert err.reason == "duplicate_key"
    assert err.column == "period, region, industry"


def test_a_copied_training_row_is_refused_not_counted_twice(training):
    """Training rows are summed per cell: a copy would double its people."""
    copied = pd.concat([training, training.iloc[[0]]], ignore_index=True)
    err = raised(copied, table="training")
    assert triples(err.failure_cases) == {(5, "*", "duplicate_row")}
    assert "a row must not repeat an earlier row" in str(err)
    assert "count its people twice" in str(err)
    clean, report = validate(copied, table="training", errors="report")
    pd.testing.assert_frame_equal(clean, validate(training, table="training"))
    assert (report.rows_kept, report.rows_rejected) == (3, 1)


def test_training_rows_written_differently_but_equal_are_refused(training):
    # the same numbers spelled differently: equal once read, so still a copy
    copied = pd.concat([training, training.iloc[[0]].assign(trained="120.0")],
                       ignore_index=True)
    err = raised(copied, table="training")
    assert {rule for _, _, rule in triples(err.failure_cases)} == {"duplicate_key"}
    assert {line for line, _, _ in triples(err.failure_cases)} == {2, 5}


def test_training_cohorts_that_differ_in_any_column_are_kept(training):
    cohorts = pd.concat([training, training.iloc[[0]].assign(program="P9"),
                         training.iloc[[0]].assign(certified=79)], ignore_index=True)
    assert len(validate(cohorts, table="training")) == 5


def test_rows_with_a_bad_key_take_no_part_in_the_duplicate_rule(surveys):
    bad = with_value(surveys, 2, "period", "2024Q1x")
    bad = with_value(bad, 2, "employees", 7)
    err = raised(bad, table="surveys")
    assert triples(err.failure_cases) == {(4, "period", "bad_period")}


# --- periods in tables ------------------------------------------------------------------------


def test_wrong_frequency_with_declared_freq(surveys):
    bad = with_value(surveys, 3, "period", "2024-04")
    err = raised(bad, table="surveys", freq="Q")
    assert err.reason == "bad_period"
    assert "monthly but the declared frequency is quarterly" in str(err)


def test_mixed_period_forms_without_freq_are_a_table_error(surveys):
    bad = with_value(surveys, 3, "period", "2024-04")
    for errors in ("raise", "report"):
        with pytest.raises(SchemaError, match="mixed period forms") as info:
            validate(bad, table="surveys", errors=errors)
        assert info.value.reason == "ambiguous_period"
        assert info.value.column == "period"


def test_dates_need_a_declared_freq(surveys):
    surveys["period"] = pd.to_datetime(["2024-01-15", "2024-02-01", "2024-04-30", "2024-06-01"])
    with pytest.raises(SchemaError, match="no frequency was declared") as info:
        validate(surveys, table="surveys")
    assert info.value.reason == "ambiguous_period"
    clean = validate(surveys, table="surveys", freq="Q")
    assert clean["period"].astype(str).tolist() == ["2024Q1", "2024Q1", "2024Q2", "2024Q2"]


# --- allowed codes ----------------------------------------------------------------------------


def test_unknown_code_with_did_you_mean(surveys):
    bad = with_value(surveys, 2, "region", "Nort")
    err = raised(bad, table="surveys", allowed={"region": ["South", "North", "East"]})
    assert err.column == "region"
    assert err.reason == "unknown_code"
    assert "'Nort' (did you mean 'North'?)" in str(err)
    assert err.failure_cases["value"].tolist() == ["Nort"]


def test_unknown_code_far_from_every_code_has_no_hint(surveys):
    bad = with_value(surveys, 2, "industry", "zzz")
    err = raised(bad, table="surveys", allowed={"industry": ["textiles", "construction"]})
    assert "'zzz'" in str(err)
    assert "did you mean" not in str(err)


def test_allowed_list_orders_the_categories(surveys):
    allowed = {"region": ["West", "South", "North"],
               "industry": ["textiles", "construction", "clothing"]}
    clean = validate(surveys, table="surveys", allowed=allowed)
    assert clean["region"].cat.categories.tolist() == ["West", "South", "North"]
    assert clean["industry"].cat.categories.tolist() == ["textiles", "construction", "clothing"]
    assert clean["region"].tolist() == ["North", "South", "North", "South"]


# --- the error message and failure_cases ------------------------------------------------------


def test_error_lists_every_rule_with_at_most_five_examples(surveys):
    big = pd.concat([surveys] * 3, ignore_index=True)
    big["enterprise_id"] = [f"E{i}" for i in range(len(big))]
    big["employees"] = big["employees"].astype(object)
    for i in range(8):
        big.loc[i, "employees"] = -1
    big.loc[9, "hard_to_fill"] = 50
    big.loc[10, "region"] = ""
    err = raised(big, table="surveys")
    message = str(err)
    head, *rule_lines = message.splitlines()
    assert head == "surveys: 10 of 12 rows fail validation (10 failures):"
    assert len(rule_lines) == 3
    by_rule = {re.search(r"\[(\w+)\]", line).group(1): line for line in rule_lines}
    assert set(by_rule) == {"negative", "exceeds_vacancies", "missing_value"}
    assert "8 rows fail" in by_rule["negative"]
    assert by_rule["negative"].count("line ") == 5
    assert "line 2 (E0, 2024Q1): -1" in by_rule["negative"]
    assert "line 7 " not in by_rule["negative"]  # the sixth example is left out
    assert "line 11 (E9, 2024Q1): 50 > 1" in by_rule["exceeds_vacancies"]
    assert len(err.failure_cases) == 10


def test_failure_cases_hold_every_failure(surveys):
    surveys.index = ["a", "b", "c", "d"]
    bad = with_value(surveys, 0, "employees", -1)
    bad = with_value(bad, 3, "reports_shortage", "perhaps")
    err = raised(bad, table="surveys")
    cases = err.failure_cases
    assert list(cases.columns) == FAILURE_COLUMNS
    assert cases["line"].tolist() == [2, 5]
    assert cases["row"].tolist() == ["a", "d"]
    assert cases["column"].tolist() == ["employees", "reports_shortage"]
    assert cases["rule"].tolist() == ["negative", "not_boolean"]
    assert cases["value"].tolist() == [-1, "perhaps"]
    assert cases["message"].tolist() == ["-1", "'perhaps'"]
    assert (err.column, err.reason) == ("employees", "negative")


def test_line_numbers_argument(training):
    bad = with_value(training, 2, "certified", -5)
    err = raised(bad, table="training", line_numbers=[10, 12, 17])
    assert "line 17 (North, construction, P2, 2024): -5" in str(err)
    assert err.failure_cases["line"].tolist() == [17]


def test_schema_error_is_a_value_error(training):
    with pytest.raises(ValueError, match="'certified'"):
        validate(with_value(training, 0, "certified", 999), table="training")


# --- the report -------------------------------------------------------------------------------


def test_report_accounts_for_every_row(surveys):
    bad = with_value(surveys, 0, "employees", -1)
    bad = with_value(bad, 0, "hard_to_fill", 9)  # the same row fails a second rule
    bad = with_value(bad, 2, "weight", 0.0)
    clean, report = validate(bad, table="surveys", errors="report")
    assert isinstance(report, DataQualityReport)
    assert type(report.rows_in) is int
    assert type(report.rows_kept) is int
    assert type(report.rows_rejected) is int
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == (4, 2, 2)
    assert report.rows_kept + report.rows_rejected == report.rows_in
    assert len(report.rejected) == 3
    assert triples(report.rejected) == {(2, "employees", "negative"),
                                        (2, "hard_to_fill", "exceeds_vacancies"),
                                        (4, "weight", "not_positive")}
    assert list(report.rejected.columns) == FAILURE_COLUMNS
    assert clean.index.tolist() == [1, 3]
    assert not report.ok
    assert report.freq == "Q"


def test_clean_report(surveys):
    clean, report = validate(surveys, table="surveys", errors="report")
    assert report.ok
    assert report.rejected.empty
    assert report.summary() == "surveys: 4 rows in, 4 kept, 0 rejected"
    assert str(report) == report.summary()
    assert len(clean) == 4


def test_report_summary_and_dict(surveys):
    surveys["source"] = "phone"
    bad = with_value(surveys, 1, "employees", -1)
    bad = with_value(bad, 3, "employees", -2)
    _, report = validate(bad, table="surveys", errors="report")
    summary = report.summary()
    assert summary.startswith("surveys: 4 rows in, 2 kept, 2 rejected")
    assert "column 'employees' must be >= 0 [negative]; 2 rows fail" in summary
    as_dict = report.to_dict()
    assert as_dict["rows_in"] == 4
    assert as_dict["failures"] == [{"column": "employees", "rule": "negative", "count": 2}]
    assert as_dict["extra_columns"] == ["source"]
    assert as_dict["freq"] == "Q"


# --- the clean table --------------------------------------------------------------------------


def test_clean_dtypes(surveys, training, employment):
    clean = validate(surveys, table="surveys")
    dtypes = clean.dtypes.astype(str).to_dict()
    assert dtypes == {
        "period": "period[Q-DEC]", "enterprise_id": "category", "region": "category",
        "industry": "category", "employees": "int64", "vacancies": "int64",
        "hard_to_fill": "int64", "reports_shortage": "bool", "weight": "float64",
    }
    assert clean["region"].cat.categories.tolist() == ["North", "South"]  # sorted
    assert clean["weight"].tolist() == [1.0, 2.5, 1.0, 2.5]
    assert str(validate(training, table="training")["period"].dtype) == "period[Y-DEC]"
    assert str(validate(employment, table="employment")["period"].dtype) == "period[M]"


def test_flags_from_every_accepted_spelling(surveys):
    big = pd.concat([surveys] * 3, ignore_index=True)
    big["enterprise_id"] = [f"E{i}" for i in range(12)]
    big["reports_shortage"] = [1, 0, "true", "false", "yes", "no", "Y", "N", True, False,
                               "T", " F "]
    clean = validate(big, table="surveys")
    assert clean["reports_shortage"].dtype == bool
    assert clean["reports_shortage"].tolist() == [True, False] * 6


def test_bool_and_float_flags(surveys):
    surveys["reports_shortage"] = [True, False, True, False]
    assert validate(surveys, table="surveys")["reports_shortage"].tolist() == [
        True, False, True, False]
    surveys["reports_shortage"] = [1.0, 0.0, 1.0, 0.0]
    assert validate(surveys, table="surveys")["reports_shortage"].tolist() == [
        True, False, True, False]
    surveys["reports_shortage"] = [1, 0, 2, 0]
    err = raised(surveys, table="surveys")
    assert err.reason == "not_boolean"


def test_extra_columns_kept_unchanged_and_in_place(surveys):
    surveys.insert(2, "note", ["a", None, 3, "d"])
    surveys["score"] = [0.5, np.nan, 1.5, 2.5]
    clean, report = validate(surveys, table="surveys", errors="report")
    assert list(clean.columns) == list(surveys.columns)
    assert clean["note"].tolist() == ["a", None, 3, "d"]
    assert clean["score"].dtype == np.float64
    np.testing.assert_array_equal(clean["score"].to_numpy(), surveys["score"].to_numpy())
    assert report.extra_columns == ["note", "score"]


def test_input_index_kept_for_kept_rows(surveys):
    surveys.index = pd.Index([10, 20, 30, 40], name="rowid")
    bad = with_value(surveys, 1, "vacancies", -1)
    clean, _ = validate(bad, table="surveys", errors="report")
    assert clean.index.tolist() == [10, 30, 40]
    assert clean.index.name == "rowid"


def test_input_frame_is_not_mutated(surveys):
    surveys["period"] = pd.to_datetime(["2024-01-15", "2024-02-01", "2024-04-30", "2024-06-01"])
    bad = with_value(surveys, 1, "employees", "x")
    bad = with_value(bad, 2, "region", " ")
    before = bad.copy(deep=True)
    validate(bad, table="surveys", freq="Q", errors="report")
    with pytest.raises(SchemaError):
        validate(bad, table="surveys", freq="Q")
    pd.testing.assert_frame_equal(bad, before)


def test_validating_a_clean_table_again_changes_nothing(surveys):
    clean = validate(surveys, table="surveys")
    pd.testing.assert_frame_equal(validate(clean, table="surveys"), clean)


# --- properties -------------------------------------------------------------------------------

# kind of row -> (changes to a good row, the failures it must cause)
ROW_KINDS = {
    "good": ({}, set()),
    "negative": ({"employees": -3}, {("employees", "negative")}),
    "not_integer": ({"vacancies": 2.5}, {("vacancies", "not_integer")}),
    "not_numeric": ({"employees": "ten"}, {("employees", "not_numeric")}),
    "exceeds": ({"hard_to_fill": 5}, {("hard_to_fill", "exceeds_vacancies")}),
    "blank_region": ({"region": " "}, {("region", "missing_value")}),
    "bad_period": ({"period": "2024Q7"}, {("period", "bad_period")}),
    "bad_flag": ({"reports_shortage": "maybe"}, {("reports_shortage", "not_boolean")}),
    "bad_weight": ({"weight": 0.0}, {("weight", "not_positive")}),
    "two_rules": ({"employees": -1, "hard_to_fill": 9},
                  {("employees", "negative"), ("hard_to_fill", "exceeds_vacancies")}),
    "conflict": ({}, {("enterprise_id, period", "duplicate_key")}),  # two rows, one key
}


@st.composite
def survey_tables(draw):
    """A surveys table mixing good rows and rows that each break known rules."""
    kinds = draw(st.lists(
        st.tuples(st.sampled_from(sorted(ROW_KINDS)), st.integers(1, 100),
                  st.sampled_from(["2024Q1", "2024Q2"])),
        min_size=1, max_size=20,
    ))
    rows, expected = [], []
    for i, (kind, employees, period) in enumerate(kinds):
        changes, failures = ROW_KINDS[kind]
        row = {"period": period, "enterprise_id": f"E{i}", "region": "North",
               "industry": "textiles", "employees": employees, "vacancies": 2,
               "hard_to_fill": 1, "reports_shortage": "yes", "weight": 1.5, **changes}
        rows.append(row)
        expected.append(failures)
        if kind == "conflict":
            rows.append({**row, "employees": employees + 1})
            expected.append(failures)
    lines = {(position + 2, column, rule)
             for position, failures in enumerate(expected) for column, rule in failures}
    return pd.DataFrame(rows), lines


@settings(max_examples=60, deadline=None)
@given(survey_tables())
def test_every_row_is_kept_or_rejected_for_exactly_the_injected_rules(table):
    df, expected = table
    clean, report = validate(df, table="surveys", errors="report")
    bad_lines = {line for line, _, _ in expected}
    assert report.rows_in == len(df)
    assert report.rows_kept + report.rows_rejected == report.rows_in
    assert report.rows_rejected == len(bad_lines)
    assert set(report.rejected["line"]) == bad_lines
    assert triples(report.rejected) == expected
    assert set(clean.index + 2) == set(range(2, len(df) + 2)) - bad_lines
    assert len(clean) == report.rows_kept


@settings(max_examples=40, deadline=None)
@given(survey_tables(), st.data())
def test_row_order_does_not_change_the_result(table, data):
    df, _ = table
    order = data.draw(st.permutations(range(len(df))))
    clean, report = validate(df, table="surveys", errors="report")
    shuffled_clean, shuffled_report = validate(df.iloc[order], table="surveys",
                                               errors="report")
    pd.testing.assert_frame_equal(shuffled_clean.sort_index(), clean)
    original_line = {position + 2: order[position] + 2 for position in range(len(df))}
    mapped = {(original_line[line], column, rule)
              for line, column, rule in triples(shuffled_report.rejected)}
    assert mapped == triples(report.rejected)
    assert (shuffled_report.rows_kept, shuffled_report.rows_rejected) == (
        report.rows_kept, report.rows_rejected)


def _four_surveys(**changes) -> pd.DataFrame:
    base = {"period": ["2024Q1"] * 4, "enterprise_id": ["E1", "E2", "E3", "E4"],
            "region": ["N"] * 4, "industry": ["t"] * 4, "employees": [10, 20, 30, 40],
            "vacancies": [1, 2, 3, 4], "hard_to_fill": [0, 1, 1, 1],
            "reports_shortage": [1, 0, 1, 1]}
    return pd.DataFrame(base | changes)


@pytest.mark.parametrize(("changes", "column", "rule", "shown"), [
    ({"employees": [10, 1e300, 30, 40]}, "employees", "too_large", "1e+300"),
    ({"employees": ["10", "1e19", "30", "40"]}, "employees", "too_large", "'1e19'"),
    ({"employees": pd.Series([10, True, 30, 40], dtype=object)}, "employees", "not_numeric",
     "True"),
    ({"region": pd.Series([1, "1", "N", "N"], dtype=object)}, "region", "text_collision",
     "1 (int) reads '1'"),
])
def test_values_that_would_be_coerced_are_rejected_rows(changes, column, rule, shown):
    df = _four_surveys(**changes)
    clean, report = validate(df, table="surveys", errors="report")
    rejected = report.rejected
    assert set(rejected["rule"]) == {rule} and set(rejected["column"]) == {column}
    assert 3 in set(rejected["line"]) and report.rows_kept == 4 - rejected["line"].nunique()
    assert (clean["employees"] >= 0).all()  # nothing wrapped around in int64
    with pytest.raises(SchemaError, match=re.escape(shown)):
        validate(df, table="surveys")


# --- typed input: integer counts, Period and categorical columns ---------------------------


def test_integer_counts_are_checked_with_every_rule(surveys):
    df = surveys.astype({"employees": np.int64, "vacancies": np.int64})
    df["employees"] = df["employees"].to_numpy().copy()
    df.loc[df.index[0], "employees"] = -3
    df.loc[df.index[1], "employees"] = 2**60
    df.loc[df.index[2], "hard_to_fill"] = df["vacancies"].iloc[2] + 1
    err = raised(df, table="surveys")
    assert triples(err.failure_cases) == {(2, "employees", "negative"),
                                          (3, "employees", "too_large"),
                                          (4, "hard_to_fill", "exceeds_vacancies")}


def test_unsigned_counts_beyond_the_maximum_do_not_wrap(surveys):
    df = surveys.copy()
    df["employees"] = np.arange(len(df), dtype=np.uint64) + np.uint64(2**63)
    clean, report = validate(df, table="surveys", errors="report")
    assert set(report.rejected["rule"]) == {"too_large"}
    assert report.rows_kept == 0 and len(clean) == 0


def test_typed_columns_give_the_same_clean_table_and_failures_as_text(surveys):
    typed = validate(surveys, table="surveys")  # Periods, categoricals, int64
    bad = typed.copy()
    region = bad["region"].cat.add_categories([" "])
    region.iloc[1] = " "
    bad["region"] = region
    bad["period"] = bad["period"].array.copy()
    bad.loc[bad.index[2], "period"] = pd.NaT
    as_text = bad.astype({"region": object, "period": object})
    as_text.loc[as_text.index[2], "period"] = None
    typed_error, text_error = raised(bad, table="surveys"), raised(as_text, table="surveys")
    assert triples(typed_error.failure_cases) == triples(text_error.failure_cases) == {
        (3, "region", "missing_value"), (4, "period", "missing_value")}
    clean = validate(typed.sample(frac=1.0, random_state=0), table="surveys")
    assert clean["period"].dtype == typed["period"].dtype
    pd.testing.assert_frame_equal(clean.sort_index(), typed.sort_index())


def test_text_keys_get_the_categories_of_the_kept_rows_only():
    raw = pd.DataFrame({"period": ["2024Q1"] * 3, "enterprise_id": ["E1", "E2", "E3"],
                        "region": ["B", "A", "C"], "industry": ["t", "t", "u"],
                        "employees": [4, 4, 4], "vacancies": [1, 1, 1],
                        "hard_to_fill": [1, 1, 5], "reports_shortage": [1, 0, 1]})
    every = validate(raw.iloc[:2], table="surveys")  # every row kept: the values present
    assert every["region"].cat.categories.tolist() == ["A", "B"]
    clean, _ = validate(raw, table="surveys", errors="report")  # line 4 rejected
    assert clean["region"].cat.categories.tolist() == ["A", "B"]  # no 'C' left unused
    assert clean["industry"].cat.categories.tolist() == ["t"]
