"""Weighting classes that lost every respondent (collapsed), large factors, and classes
under a cluster design: adjust_nonresponse by hand."""

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning, ParameterError
from talentgap.features import SurveyDesign, adjust_nonresponse, calibrate_weights
from talentgap.features.nonresponse import describe_nonresponse


def _skip(raw):
    clean, report = tg.schema.validate(raw, table="surveys", freq="Q", errors="report")
    return tg.schema.reject_incomplete_groups(clean, report, by=("enterprise_id", "period"))


def _lost_stratum():
    """Strata by size band; the 'large' stratum's only respondent is left out."""
    return pd.DataFrame({
        "period": "2024Q1", "enterprise_id": ["E1", "E2", "E3", "E4"],
        "region": "North", "industry": "textiles", "employees": [20, 30, 25, 900],
        "vacancies": [2, 3, 2, 40], "hard_to_fill": ["1", "2", "1", "x"],
        "reports_shortage": True, "weight": [10.0, 10.0, 10.0, 1.0],
        "size_band": ["small", "small", "small", "large"]})


def test_lost_stratum_is_collapsed_and_said():
    raw = _lost_stratum()
    clean, report = _skip(raw)
    adjusted, classes = adjust_nonresponse(clean, report, by=["size_band"])
    # the emptied 'large' class joins 'small': one class of the period, factor 31 / 30
    np.testing.assert_allclose(adjusted["weight"], [31 / 3] * 3)
    assert adjusted["weight"].sum() == pytest.approx(31.0)
    large = classes[classes["size_band"] == "large"].iloc[0]
    assert large["enterprises_kept"] == 0 and large["factor"] == pytest.approx(31 / 30)
    assert large["collapsed_into"] == "any size_band, 2024Q1"
    text = describe_nonresponse(classes, ["size_band"])
    assert "size_band=large, 2024Q1 into any size_band, 2024Q1" in text
    assert "no demand" not in text and "no survey estimate" not in text
    cells = tg.features.estimate_cells(adjusted)
    assert cells["enterprises"].item() == pytest.approx(31.0)  # was 30: the class undercounted


def test_collapse_drops_class_columns_from_the_right():
    raw = pd.DataFrame({
        "period": "2024Q1", "enterprise_id": [f"E{i}" for i in range(6)],
        "region": ["N", "N", "N", "S", "S", "S"],
        "industry": ["tex", "met", "met", "tex", "met", "met"], "employees": 50,
        "vacancies": 9, "hard_to_fill": ["x", "1", "2", "3", "4", "5"],
        "reports_shortage": True, "weight": [6.0, 2.0, 4.0, 1.0, 1.0, 1.0]})
    clean, report = _skip(raw)
    adjusted, classes = adjust_nonresponse(clean, report)
    # (N, tex) lost its only unit: it joins region N; factor (6 + 2 + 4) / (2 + 4) = 2
    np.testing.assert_allclose(adjusted["weight"], [4.0, 8.0, 1.0, 1.0, 1.0])
    assert set(classes["collapsed_into"]) == {"region=N, any industry, 2024Q1"}
    assert set(classes["region"]) == {"N"}


def test_period_that_lost_everything_has_no_factor():
    raw = _lost_stratum().assign(period=["2024Q1"] * 3 + ["2024Q2"])
    clean, report = _skip(raw)
    adjusted, classes = adjust_nonresponse(clean, report, by=["size_band"])
    assert np.isnan(classes["factor"].item())
    assert adjusted["weight"].tolist() == clean["weight"].tolist()
    assert "no survey estimate for 2024Q2" in describe_nonresponse(classes, ["size_band"])


def test_large_factor_warns_naming_the_class():
    raw = pd.DataFrame({
        "period": "2024Q1", "enterprise_id": ["E1", "E2", "E3"], "region": "North",
        "industry": "textiles", "employees": 50, "vacancies": 9,
        "hard_to_fill": ["1", "x", "x"], "reports_shortage": True, "weight": 5.0})
    clean, report = _skip(raw)
    with pytest.warns(DataQualityWarning, match=r"North, textiles, 2024Q1 \(factor 3\)"):
        adjust_nonresponse(clean, report)


def _clustered():
    return pd.DataFrame({
        "period": "2024Q1", "enterprise_id": [f"E{i}" for i in range(8)],
        "region": ["N", "N", "S", "S", "N", "S", "N", "S"], "industry": "tex",
        "employees": 50, "vacancies": 4, "hard_to_fill": ["1", "2", "1", "x", "3", "1", "2", "1"],
        "reports_shortage": True, "weight": 5.0,
        "park": ["P1", "P1", "P1", "P1", "P2", "P2", "P3", "P3"], "parks": 15})


def test_cluster_design_keeps_psu_weights_equal_then_calibrates():
    design = SurveyDesign(psu="park", fpc="parks")
    clean, report = _skip(_clustered())
    adjusted, classes = adjust_nonresponse(clean, report, design=design)
    # default classes under PSUs without strata: the period alone, factor 40 / 35
    np.testing.assert_allclose(adjusted["weight"], [40 / 7] * 7)
    assert list(classes.columns[:1]) == ["period"]
    totals = {("region",): pd.DataFrame({"region": ["N", "S"], "count": [20.0, 20.0]})}
    out = calibrate_weights(adjusted, totals, margins=["region"], design=design)
    assert out.groupby("region")["weight"].sum().to_dict() == pytest.approx(
        {"N": 20.0, "S": 20.0})


def test_classes_that_split_a_psu_are_refused():
    design = SurveyDesign(psu="park", fpc="parks")
    clean, report = _skip(_clustered())
    with pytest.raises(ParameterError, match=r"'region' takes 2 values .* PSU 'P1'"):
        adjust_nonresponse(clean, report, by=["region", "industry"], design=design)


def test_default_classes_are_the_design_strata():
    raw = pd.DataFrame({
        "period": "2024Q1", "enterprise_id": ["E1", "E2", "E3", "E4", "E5", "E6"],
        "region": "North", "industry": "textiles", "employees": 50, "vacancies": 4,
        "hard_to_fill": ["2", "1", "x", "3", "1", "2"], "reports_shortage": True,
        "weight": [2.0, 3.0, 5.0, 4.0, 6.0, 6.0],
        "size_band": ["small", "small", "small", "large", "large", "large"]})
    clean, report = _skip(raw)
    by_strata, _ = adjust_nonresponse(clean, report, design=SurveyDesign(strata="size_band"))
    # small: (2 + 3 + 5) / (2 + 3) = 2; large untouched
    np.testing.assert_allclose(by_strata["weight"], [4.0, 6.0, 4.0, 6.0, 6.0])
    by_cell, _ = adjust_nonresponse(clean, report)  # no design: region x industry
    np.testing.assert_allclose(by_cell["weight"], np.array([2.0, 3.0, 4.0, 6.0, 6.0]) * 26 / 21)
