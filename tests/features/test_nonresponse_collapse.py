"""Weighting classes that lost every respondent (collapsed within their cell, never into
another cell), large factors, and classes under a cluster design: adjust_nonresponse by
hand."""

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning
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
    # the emptied 'large' class joins 'small' of the same cell: factor 31 / 30
    np.testing.assert_allclose(adjusted["weight"], [31 / 3] * 3)
    assert adjusted["weight"].sum() == pytest.approx(31.0)
    large = classes[classes["size_band"] == "large"].iloc[0]
    assert large["enterprises_kept"] == 0 and large["factor"] == pytest.approx(31 / 30)
    assert large["collapsed_into"] == "region=North, industry=textiles, any size_band, 2024Q1"
    text = describe_nonresponse(classes)
    assert ("region=North, industry=textiles, size_band=large, 2024Q1 into region=North, "
            "industry=textiles, any size_band, 2024Q1") in text
    assert "(1 of the 31 had been left out, 3%)" in text
    assert "no demand" not in text and "no survey estimate" not in text
    cells = tg.features.estimate_cells(adjusted)
    assert cells["enterprises"].item() == pytest.approx(31.0)  # was 30: the class undercounted


def test_a_cell_that_lost_every_respondent_is_not_carried_by_another():
    raw = pd.DataFrame({
        "period": "2024Q1", "enterprise_id": [f"E{i}" for i in range(6)],
        "region": ["N", "N", "N", "S", "S", "S"],
        "industry": ["tex", "met", "met", "tex", "met", "met"], "employees": 50,
        "vacancies": 9, "hard_to_fill": ["x", "1", "2", "3", "4", "5"],
        "reports_shortage": True, "weight": [6.0, 2.0, 4.0, 1.0, 1.0, 1.0]})
    clean, report = _skip(raw)
    adjusted, classes = adjust_nonresponse(clean, report)
    # (N, tex) lost its only unit: no other cell's respondents stand for it
    np.testing.assert_allclose(adjusted["weight"], [2.0, 4.0, 1.0, 1.0, 1.0])
    row = classes.iloc[0]
    assert (row["region"], row["industry"], row["enterprises_kept"]) == ("N", "tex", 0)
    assert np.isnan(row["factor"]) and row["collapsed_into"] == ""
    assert row["weight_total"] == 6.0
    text = describe_nonresponse(classes)
    assert ("1 cell-period lost every respondent (all its enterprise-periods were left out "
            "as invalid), so it has no survey estimate (demand missing) and its weight of 6 "
            "is carried by no other cell: region=N, industry=tex, 2024Q1") in text
    assert "multiplied" not in text and "collapsed" not in text
    cells = tg.features.estimate_cells(adjusted).set_index(["region", "industry"])
    assert cells.loc[("N", "met"), "demand"] == pytest.approx(2 * 1 + 4 * 2)  # unchanged


def test_period_that_lost_everything_has_no_factor():
    raw = _lost_stratum().assign(period=["2024Q1"] * 3 + ["2024Q2"])
    clean, report = _skip(raw)
    adjusted, classes = adjust_nonresponse(clean, report, by=["size_band"])
    assert np.isnan(classes["factor"].item())
    assert adjusted["weight"].tolist() == clean["weight"].tolist()
    assert "region=North, industry=textiles, 2024Q2" in describe_nonresponse(classes)


def test_large_factor_warns_naming_the_class():
    raw = pd.DataFrame({
        "period": "2024Q1", "enterprise_id": ["E1", "E2", "E3"], "region": "North",
        "industry": "textiles", "employees": 50, "vacancies": 9,
        "hard_to_fill": ["1", "x", "x"], "reports_shortage": True, "weight": 5.0})
    clean, report = _skip(raw)
    with pytest.warns(DataQualityWarning, match=r"North, textiles, 2024Q1 \(factor 3\)"):
        adjust_nonresponse(clean, report)


def _clustered(region=("N", "N", "S", "S", "N", "S", "N", "S")):
    return pd.DataFrame({
        "period": "2024Q1", "enterprise_id": [f"E{i}" for i in range(8)],
        "region": list(region), "industry": "tex",
        "employees": 50, "vacancies": 4, "hard_to_fill": ["1", "2", "1", "x", "3", "1", "2", "1"],
        "reports_shortage": True, "weight": 5.0,
        "park": ["P1", "P1", "P1", "P1", "P2", "P2", "P3", "P3"], "parks": 15})


def test_cluster_design_keeps_psu_weights_equal_then_calibrates():
    design = SurveyDesign(psu="park", fpc="parks")
    # parks within regions: P1 in S, P2 and P3 in N
    clean, report = _skip(_clustered(region=["S"] * 4 + ["N"] * 4))
    adjusted, classes = adjust_nonresponse(clean, report, design=design)
    # classes are the cells: S lost E3, factor 20 / 15 on S's kept units; N untouched
    np.testing.assert_allclose(adjusted["weight"], [20 / 3] * 3 + [5.0] * 4)
    assert list(classes.columns[:3]) == ["region", "industry", "period"]
    totals = {("region",): pd.DataFrame({"region": ["N", "S"], "count": [20.0, 20.0]})}
    out = calibrate_weights(adjusted, totals, margins=["region"], design=design)
    assert out.groupby("region")["weight"].sum().to_dict() == pytest.approx(
        {"N": 20.0, "S": 20.0})


def test_psus_that_span_cells_are_adjusted_cell_by_cell():
    """Parks holding enterprises of both regions: the classes are the cells all the same."""
    design = SurveyDesign(psu="park", fpc="parks")
    clean, report = _skip(_clustered())  # E3 (region S, park P1) is left out
    adjusted, classes = adjust_nonresponse(clean, report, design=design)
    # S: (4 x 5) / (3 x 5) on its kept E2, E5, E7; N lost nothing. P1 now holds 5 and 20/3
    s = 20 / 3
    np.testing.assert_allclose(adjusted["weight"], [5.0, 5.0, s, 5.0, s, 5.0, s])
    assert adjusted["enterprise_id"].tolist() == ["E0", "E1", "E2", "E4", "E5", "E6", "E7"]
    assert classes[["region", "enterprises", "enterprises_kept"]].to_dict("records") == [
        {"region": "S", "enterprises": 4, "enterprises_kept": 3}]
    assert adjusted.groupby("region")["weight"].sum().to_dict() == pytest.approx(
        {"N": 20.0, "S": 20.0})
    # class columns that vary within a park are no longer refused either
    by, _ = adjust_nonresponse(clean, report, by=["region", "industry"], design=design)
    swapped, _ = adjust_nonresponse(clean, report, by=["region"], cells=["industry"],
                                    design=design)
    np.testing.assert_allclose(by["weight"], adjusted["weight"])
    np.testing.assert_allclose(swapped["weight"], adjusted["weight"])
    # without a design the weights are the same: the PSU column plays no part in the classes
    plain, _ = adjust_nonresponse(clean, report)
    np.testing.assert_allclose(plain["weight"], adjusted["weight"])


def test_weights_adjusted_within_psus_calibrate_and_others_are_still_refused():
    design = SurveyDesign(psu="park", fpc="parks")
    clean, report = _skip(_clustered())
    adjusted, _ = adjust_nonresponse(clean, report, design=design)
    assert adjusted.attrs["nonresponse_adjusted"] is True
    totals = {("region",): pd.DataFrame({"region": ["N", "S"], "count": [30.0, 30.0]})}
    out = calibrate_weights(adjusted, totals, margins=["region"], design=design)
    # one margin: each region's weights x 30 / 20
    np.testing.assert_allclose(out["weight"], adjusted["weight"] * 1.5)
    # the same weights, not marked (e.g. after a CSV round trip): calibrated all the
    # same, with a warning that names the rule
    unmarked = adjusted.copy()
    unmarked.attrs.clear()
    with pytest.warns(DataQualityWarning, match=r"weight_varies_in_psu.*non-response"):
        again = calibrate_weights(unmarked, totals, margins=["region"], design=design)
    np.testing.assert_allclose(again["weight"], out["weight"])
    # nothing left out: weights unchanged and not marked
    complete = _clustered().assign(hard_to_fill="1")
    clean, report = _skip(complete)
    same, _ = adjust_nonresponse(clean, report, design=design)
    assert "nonresponse_adjusted" not in same.attrs


def test_design_errors_of_psus_spanning_cells_sum_each_park():
    """Adjusted weights differ within park P1; each SE is taken over the parks' totals."""
    design = SurveyDesign(psu="park", fpc="parks")
    raw = _clustered().assign(hard_to_fill=["1", "2", "4", "x", "3", "1", "2", "2"])
    clean, report = _skip(raw)
    adjusted, _ = adjust_nonresponse(clean, report, design=design)
    cells = tg.features.estimate_cells(adjusted, keys=("region", "industry"), freq="Q",
                                       design=design).set_index("region")

    def se(z):  # 3 parks sampled of 15, one stratum: (1 - 3/15) 3/2 sum (z - mean z)^2
        z = np.asarray(z, dtype=float)
        return np.sqrt((1 - 3 / 15) * 3 / 2 * ((z - z.mean()) ** 2).sum())

    s = 20 / 3  # S's weights after the adjustment; N's stay 5
    # park totals of w * hard_to_fill: S has E2 (P1, 4), E5 (P2, 1), E7 (P3, 2);
    # N has E0 + E1 (P1, 1 + 2), E4 (P2, 3), E6 (P3, 2)
    assert cells.loc["S", "demand"] == pytest.approx(7 * s)
    assert cells.loc["S", "demand_se"] == pytest.approx(se([4 * s, s, 2 * s]))
    assert cells.loc["N", "demand"] == pytest.approx(40.0)
    assert cells.loc["N", "demand_se"] == pytest.approx(se([15, 15, 10]))
    # enterprises: park P1 counts 5 + 5 for N (two enterprises, one park total)
    assert cells.loc["N", "enterprises_se"] == pytest.approx(se([10, 5, 5]))
    # the enterprises as their own PSUs (7 kept, no fpc) would give another figure
    z = np.array([5.0, 10.0, 0.0, 15.0, 0.0, 10.0, 0.0])  # N's w * hard_to_fill, E0..E7
    assert not np.isclose(cells.loc["N", "demand_se"],
                          np.sqrt(7 / 6 * ((z - z.mean()) ** 2).sum()))
    assert cells.loc["S", "enterprises_se"] == pytest.approx(0.0, abs=1e-9)


def test_default_classes_are_the_design_strata():
    raw = pd.DataFrame({
        "period": "2024Q1", "enterprise_id": ["E1", "E2", "E3", "E4", "E5", "E6"],
        "region": "North", "industry": "textiles", "employees": 50, "vacancies": 4,
        "hard_to_fill": ["2", "1", "x", "3", "1", "2"], "reports_shortage": True,
        "weight": [2.0, 3.0, 5.0, 4.0, 6.0, 6.0],
        "size_band": ["small", "small", "small", "large", "large", "large"]})
    clean, report = _skip(raw)
    by_strata, classes = adjust_nonresponse(clean, report,
                                            design=SurveyDesign(strata="size_band"))
    # strata within the cell: small: (2 + 3 + 5) / (2 + 3) = 2; large untouched
    assert list(classes.columns[:4]) == ["region", "industry", "size_band", "period"]
    np.testing.assert_allclose(by_strata["weight"], [4.0, 6.0, 4.0, 6.0, 6.0])
    by_cell, _ = adjust_nonresponse(clean, report)  # no design: region x industry
    np.testing.assert_allclose(by_cell["weight"], np.array([2.0, 3.0, 4.0, 6.0, 6.0]) * 26 / 21)
