"""Tests of talentgap.features.codes: key codes that agree across tables."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talentgap.datasets import make_synthetic
from talentgap.errors import DataQualityWarning, ParameterError, SchemaError, collect_warnings
from talentgap.features import build_panel
from talentgap.features.codes import _normal, check_codes, describe_codes, verify_codes
from talentgap.schema import validate


def _tables(survey_regions, training_regions, industry="textiles"):
    surveys = pd.DataFrame({"region": survey_regions, "industry": industry})
    training = pd.DataFrame({"region": training_regions, "industry": industry})
    return {"surveys": surveys, "training": training}


def _row(report, table, value):
    rows = report[(report["table"] == table) & (report["value"] == value)]
    assert len(rows) == 1, report
    return rows.iloc[0]


def test_case_and_spaces_are_near_misses_both_ways():
    report = check_codes(_tables(["Ouhai", "Longwan", "Ouhai"], ["ouhai", "Longwan "]))
    assert set(zip(report["table"], report["value"], strict=True)) == {
        ("surveys", "Ouhai"), ("surveys", "Longwan"), ("training", "ouhai"),
        ("training", "Longwan ")}
    ouhai = _row(report, "training", "ouhai")
    assert (ouhai["suggestion"], ouhai["reason"], ouhai["absent_from"]) == (
        "Ouhai", "letter case", "surveys")
    spaced = _row(report, "training", "Longwan ")
    assert (spaced["suggestion"], spaced["reason"]) == ("Longwan", "surrounding spaces")
    surveyed = _row(report, "surveys", "Ouhai")
    assert (surveyed["rows"], surveyed["lines"]) == (2, "2, 4")
    assert report["near_miss"].all()


def test_full_width_characters():
    report = check_codes(_tables(["Ouhai", "A1"], ["Ｏｕｈａｉ", "Ａ１"]))
    wide = _row(report, "training", "Ｏｕｈａｉ")
    assert (wide["suggestion"], wide["reason"]) == ("Ouhai", "full-width characters")
    assert _row(report, "training", "Ａ１")["suggestion"] == "A1"


@pytest.mark.parametrize(("typo", "meant"), [
    ("textlies", "textiles"),   # two neighbours swapped
    ("textile", "textiles"),    # one letter dropped
    ("texttiles", "textiles"),  # one letter added
    ("tixtiles", "textiles"),   # one letter replaced
    ("Textlies", "textiles"),   # a typo and a case difference
])
def test_one_letter_typo(typo, meant):
    surveys = pd.DataFrame({"industry": ["textiles", "clothing"]})
    training = pd.DataFrame({"industry": [typo, "clothing"]})
    row = _row(check_codes({"surveys": surveys, "training": training}), "training", typo)
    assert row["suggestion"] == meant
    assert row["reason"].startswith("one-letter typo")


def test_no_suggestion_for_different_codes():
    surveys = pd.DataFrame({"region": ["3101", "Lucheng", "Ruian"]})
    training = pd.DataFrame({"region": ["3102", "Yongjia", "Ruia"]})  # Ruia: 4 chars, typo
    report = check_codes({"surveys": surveys, "training": training})
    assert not bool(_row(report, "training", "3102")["near_miss"])  # numeric: other code
    assert pd.isna(_row(report, "training", "Yongjia")["suggestion"])
    assert _row(report, "training", "Ruia")["suggestion"] == "Ruian"


def test_agreeing_tables_give_an_empty_report_with_the_columns():
    data = make_synthetic(n_regions=2, industries=2, n_periods=4, seed=0)
    report = check_codes({"surveys": data.surveys, "training": data.training,
                          "employment": data.employment})
    assert report.empty
    assert list(report.columns) == ["column", "table", "absent_from", "value", "rows",
                                    "lines", "suggestion", "reason", "near_miss"]


def test_columns_of_one_table_only_are_skipped_and_against_limits_pairs():
    tables = {"surveys": pd.DataFrame({"region": ["A"], "program": ["p1"]}),
              "training": pd.DataFrame({"region": ["B"]}),
              "employment": pd.DataFrame({"region": ["C"]})}
    report = check_codes(tables, against="surveys")
    assert set(report["column"]) == {"region"}
    assert ("training", "employment") not in set(zip(report["table"], report["absent_from"],
                                                     strict=True))
    everything = check_codes(tables)
    assert ("training", "employment") in set(zip(everything["table"],
                                                 everything["absent_from"], strict=True))


def test_line_numbers_follow_the_index_of_validated_rows():
    training = pd.DataFrame({"region": ["A", "ouhai", "A", "ouhai"]}, index=[0, 5, 6, 9])
    report = check_codes({"surveys": pd.DataFrame({"region": ["A", "Ouhai"]}),
                          "training": training})
    assert _row(report, "training", "ouhai")["lines"] == "7, 11"
    given = check_codes({"surveys": pd.DataFrame({"region": ["A", "Ouhai"]}),
                         "training": training}, line_numbers={"training": [2, 3, 4, 40]})
    assert _row(given, "training", "ouhai")["lines"] == "3, 40"


def test_categorical_and_numeric_columns():
    surveys = pd.DataFrame({"region": pd.Categorical(["Ouhai", "Longwan"],
                                                     categories=["Longwan", "Ouhai", "Unused"])})
    training = pd.DataFrame({"region": pd.Categorical(["ouhai", "Longwan"])})
    report = check_codes({"surveys": surveys, "training": training})
    assert "Unused" not in set(report["value"])
    assert set(report["value"]) == {"Ouhai", "ouhai"}
    numbers = check_codes({"surveys": pd.DataFrame({"region": [7, 8]}),
                           "training": pd.DataFrame({"region": ["7", "8"]})})
    assert numbers.empty  # compared as text


def test_raise_names_table_column_rule_and_lines():
    tables = _tables(["Ouhai", "Lucheng"], ["ouhai", "Ruian"])
    with pytest.raises(SchemaError, match=r"'ouhai' in training \(1 row, e.g. line 2\) is "
                       r"not in surveys \(did you mean 'Ouhai'\?") as info:
        check_codes(tables, errors="raise")
    assert info.value.reason == "code_mismatch"
    assert info.value.column == "region"
    assert "Ruian" not in str(info.value)  # a plain absence is no error
    assert set(info.value.failure_cases["value"]) == {"Ouhai", "ouhai"}
    assert check_codes(_tables(["Lucheng"], ["Ruian"]), errors="raise")["value"].tolist() == [
        "Lucheng", "Ruian"]


def test_describe_codes():
    report = check_codes(_tables(["Ouhai", "Lucheng"], ["ouhai", "Ruian"]))
    texts = describe_codes(report)
    assert len(texts) == 4
    assert ("column 'region': 'Lucheng' in surveys (1 row, e.g. line 3) is not in training"
            in texts)
    assert describe_codes(report, near_miss_only=True) == [t for t in texts if "did you" in t]


@pytest.mark.parametrize(("kwargs", "pattern"), [
    ({"errors": "warn"}, "errors='warn'"),
    ({"against": "survey"}, "did you mean 'surveys'"),
    ({"line_numbers": {"training": [2]}}, "1 entries for 2 rows"),
])
def test_bad_arguments(kwargs, pattern):
    with pytest.raises(ParameterError, match=pattern):
        check_codes(_tables(["A", "B"], ["A", "B"]), **kwargs)


def test_verify_codes_modes():
    tables = _tables(["Ouhai", "Lucheng"], ["ouhai", "Ruian"])
    with collect_warnings() as caught:
        report = verify_codes(tables, keys=["region"])
    assert len(caught) == 2 and all(isinstance(w, DataQualityWarning) for w in caught)
    assert "'ouhai' in training" in str(caught[0]) and "Ruian" not in str(caught[0])
    # Lucheng only surveyed and Ruian only trained: maybe one code, said in its own warning
    assert "'Lucheng' only in surveys" in str(caught[1]) and "'Ruian' only in training" in str(
        caught[1]) and "ouhai" not in str(caught[1])
    assert len(report) == 4
    with pytest.raises(SchemaError, match="code_mismatch"):
        verify_codes(tables, keys=["region"], codes="raise")
    assert verify_codes(tables, keys=["region"], codes="ignore") is None
    alone = verify_codes({"surveys": tables["surveys"], "training": None}, keys=["region"])
    assert alone.empty  # one table: only codes written several ways within it
    with collect_warnings() as caught:
        verify_codes(_tables(["Lucheng", "Ruian"], ["Lucheng"]), keys=["region"])
    assert caught == []  # a cell without supply alone is legitimate
    with pytest.raises(ParameterError, match="codes='error'"):
        verify_codes(tables, keys=["region"], codes="error")


@pytest.fixture(scope="module")
def mismatched():
    data = make_synthetic(n_regions=2, industries=2, n_periods=6, seed=1)
    training = data.training.copy()
    regions = training["region"].astype(str)
    first = regions.iloc[0]
    training["region"] = regions.where(regions != first, first.lower())
    return data, training, first


def test_build_panel_warns_about_split_cells(mismatched):
    data, training, first = mismatched
    with pytest.warns(DataQualityWarning, match=f"did you mean {first!r}"):
        panel = build_panel(data.surveys, training, freq="Q")
    assert first.lower() in set(panel["region"].astype(str))  # the split cell is kept, flagged
    with pytest.raises(SchemaError, match=f"'{first.lower()}' in training"):
        build_panel(data.surveys, training, freq="Q", codes="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        build_panel(data.surveys, training, freq="Q", codes="ignore")
        build_panel(data.surveys, data.training, data.employment, freq="Q")  # codes agree


def test_validated_tables_with_spaced_categories_are_checked_again():
    data = make_synthetic(n_regions=2, industries=2, n_periods=6, seed=1)
    surveys = validate(data.surveys, table="surveys")
    first = surveys["region"].cat.categories[0]
    surveys["region"] = surveys["region"].cat.rename_categories({first: f"{first} "})
    with pytest.raises(SchemaError, match=r"\[surrounding_space\]; \d+ rows fail, e.g. line 2"):
        build_panel(surveys, data.training, freq="Q")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["Ouhai", "ouhai", "Longwan", "Longwan ", "Lucheng",
                                 "Ｌｕｃｈｅｎｇ", "Ruian", "Ruain"]), min_size=1, max_size=12),
       st.lists(st.sampled_from(["Ouhai", "Longwan", "Lucheng", "Yongjia"]), min_size=1,
                max_size=8),
       st.randoms(use_true_random=False))
def test_report_does_not_depend_on_row_order(training, surveys, rng):
    tables = {"surveys": pd.DataFrame({"region": surveys}),
              "training": pd.DataFrame({"region": training})}
    shuffled = {name: frame.sample(frac=1, random_state=rng.randint(0, 99)).reset_index(
        drop=True) for name, frame in tables.items()}
    columns = ["column", "table", "absent_from", "value", "rows", "suggestion", "reason",
               "near_miss"]
    first, second = check_codes(tables)[columns], check_codes(shuffled)[columns]
    pd.testing.assert_frame_equal(first, second)
    # every value of one table is either in the other or reported, never both; a value
    # the other table lacks is reported as absent, or as a spelling of a code its own
    # table also writes another way (one code, not a cell missing a side), not twice
    for name, other in (("surveys", "training"), ("training", "surveys")):
        own = first[first["table"] == name]
        reported = set(own.loc[own["absent_from"] == other, "value"])
        spelled = set(own.loc[own["absent_from"].isna(), "value"])
        absent = set(tables[name]["region"]) - set(tables[other]["region"])
        assert reported <= absent <= reported | spelled
        near = set(own.loc[(own["absent_from"] == other) & own["near_miss"], "value"])
        assert near.isdisjoint(spelled)
        forms = tables[name]["region"].drop_duplicates().map(_normal)
        assert all(forms.value_counts()[_normal(value)] > 1 for value in absent - reported)
