"""adjust_nonresponse matches clean to the report by index label, refuses a clean that does not
match, and counts a left-out row whose class value validation rejected as unassigned."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning, ParameterError
from talentgap.features import adjust_nonresponse
from talentgap.features.nonresponse import describe_nonresponse


def _surveys(regions, weights, index=None):
    n = len(regions)
    hard = ["2"] * n
    hard[2] = "x"                                   # the third row is left out
    return pd.DataFrame({"period": "2024Q1", "enterprise_id": [f"E{i}" for i in range(n)],
                         "region": regions, "industry": "textiles", "employees": 50,
                         "vacancies": 9, "hard_to_fill": hard, "reports_shortage": True,
                         "weight": weights}, index=index)


def _validated(raw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        clean, report = tg.schema.validate(raw, table="surveys", freq="Q", errors="report")
        return tg.schema.reject_incomplete_groups(clean, report,
                                                  by=("enterprise_id", "period"))


RAW = _surveys(["North", "North", "North", "South", "South"], [2.0, 3.0, 5.0, 40.0, 10.0],
               index=[10, 11, 12, 13, 14])


@pytest.mark.parametrize("order", [slice(None), slice(None, None, -1)], ids=["as", "reversed"])
def test_row_order_of_clean_does_not_change_the_weights(order):
    clean, report = _validated(RAW)
    adjusted, classes = adjust_nonresponse(clean.iloc[order], report, raw=RAW)
    # North: (2 + 3 + 5) / (2 + 3) = 2; South untouched
    assert classes["factor"].tolist() == [2.0]
    assert classes["weight_kept"].tolist() == [5.0]
    assert adjusted["weight"].to_dict() == {10: 4.0, 11: 6.0, 13: 40.0, 14: 10.0}
    assert adjusted.index.tolist() == clean.iloc[order].index.tolist()


@pytest.mark.parametrize("change", ["reset_index", "filtered", "relabelled"])
def test_clean_that_does_not_match_the_report_is_refused(change):
    clean, report = _validated(RAW)
    other = {"reset_index": clean.reset_index(drop=True),
             "filtered": clean[clean["region"] == "North"],
             "relabelled": clean.set_axis([10, 11, 13, 99])}[change]
    with pytest.raises(ParameterError, match="clean"):
        adjust_nonresponse(other, report, raw=RAW)


def test_repeated_input_labels_need_the_order_validate_returned():
    raw = RAW.set_axis(["a", "a", "b", "c", "d"])   # two kept rows share a label
    clean, report = _validated(raw)
    adjusted, _ = adjust_nonresponse(clean, report, raw=raw)
    assert adjusted["weight"].tolist() == [4.0, 6.0, 40.0, 10.0]
    with pytest.raises(ParameterError, match="repeats labels"):
        adjust_nonresponse(clean.iloc[::-1], report, raw=raw)


def test_left_out_row_with_a_rejected_class_value_is_unassigned():
    raw = _surveys(["North", "North", " North ", "South"], [2.0, 3.0, 5.0, 4.0])
    clean, report = _validated(raw)
    assert "surrounding_space" in report.rejected["rule"].tolist()
    adjusted, classes = adjust_nonresponse(clean, report, raw=raw)
    assert classes.empty and classes.attrs["unassigned"] == 1
    assert adjusted["weight"].tolist() == [2.0, 3.0, 4.0]   # no class reweighted
    text = describe_nonresponse(classes, ["region", "industry"])
    assert "1 left-out row names no readable period, enterprise or class" in text
    assert "rejected by validation" in text


def test_collapsed_class_weight_is_reported_apart_from_the_adjusted_class():
    classes = pd.DataFrame({"region": ["N", "S"], "period": ["2024Q1", "2024Q1"],
                            "enterprises": [3, 1], "enterprises_kept": [2, 0],
                            "weight_total": [10.0, 4.0], "weight_kept": [5.0, 0.0],
                            "weight_lost_share": [0.5, 1.0], "factor": [2.8, 2.8],
                            "weights_imputed": [0, 0],
                            "collapsed_into": ["any region, 2024Q1"] * 2})
    text = describe_nonresponse(classes, ["region"])
    # the factor 2.8 = 14 / 5 carries both classes: 9 of their 14 had been left out
    assert "(9 of the 14 had been left out, 64%)" in text
    assert "lost every respondent (a weight of 4)" in text
