"""Weighting-class adjustment for enterprise-periods skipped as invalid, by hand."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import ParameterError
from talentgap.features import adjust_nonresponse


def _surveys(weights, hard_to_fill):
    n = len(weights)
    return pd.DataFrame({
        "period": ["2024Q1"] * 4 + ["2024Q2"] * (n - 4),
        "enterprise_id": [f"E{i}" for i in range(n)],
        "region": ["North", "North", "North", "South"] + ["North"] * (n - 4),
        "industry": "textiles", "employees": 50, "vacancies": 9,
        "hard_to_fill": hard_to_fill, "reports_shortage": True, "weight": weights})


def _skip(raw):
    clean, report = tg.schema.validate(raw, table="surveys", freq="Q", errors="report")
    return tg.schema.reject_incomplete_groups(clean, report, by=("enterprise_id", "period"))


def test_factor_and_totals_by_hand():
    raw = _surveys([2.0, 3.0, 5.0, 4.0, 1.5, 2.5], ["2", "1", "x", "3", "4", "6"])
    clean, report = _skip(raw)
    adjusted, classes = adjust_nonresponse(clean, report, raw=raw)
    # North 2024Q1 lost E2 (weight 5): factor (2 + 3 + 5) / (2 + 3) = 2; others untouched
    assert classes[["region", "enterprises", "enterprises_kept", "weights_imputed"]].to_dict(
        "records") == [{"region": "North", "enterprises": 3, "enterprises_kept": 2,
                        "weights_imputed": 0}]
    assert classes["factor"].tolist() == [2.0]
    assert classes["weight_lost_share"].tolist() == [0.5]
    assert adjusted["weight"].tolist() == [4.0, 6.0, 4.0, 1.5, 2.5]
    panel = tg.features.build_panel(adjusted, freq="Q")
    north = panel[(panel["region"] == "North") & (panel["period"] == pd.Period("2024Q1"))]
    # demand = sum(w * hard_to_fill) over the kept: 4*2 + 6*1 (the weight total stays 10)
    assert north["demand"].item() == pytest.approx(14.0)
    assert clean["weight"].tolist() == [2.0, 3.0, 4.0, 1.5, 2.5]  # input left unchanged


def test_unreadable_weight_is_the_mean_kept_weight():
    raw = _surveys(["2", "3", "heavy", "4", "1.5", "2.5"], ["2", "1", "3", "3", "4", "6"])
    clean, report = _skip(raw)
    adjusted, classes = adjust_nonresponse(clean, report, raw=raw)
    # E2 rejected for its weight: imputed (2 + 3) / 2 = 2.5, factor (2 + 3 + 2.5) / 5 = 1.5
    assert classes["weights_imputed"].tolist() == [1]
    assert classes["factor"].tolist() == [1.5]
    assert adjusted["weight"].tolist()[:2] == [3.0, 4.5]


def test_without_raw_and_without_weights():
    raw = _surveys([2.0, 3.0, 5.0, 4.0, 1.5, 2.5], ["2", "1", "x", "3", "4", "6"])
    clean, report = _skip(raw)
    _, classes = adjust_nonresponse(clean, report)  # E2's weight, 5, as the report parsed it
    assert classes["weights_imputed"].tolist() == [0]
    assert classes["factor"].tolist() == [2.0]  # (2 + 3 + 5) / (2 + 3)
    without = replace(report, row_keys=report.row_keys.drop(columns="weight"))
    _, classes = adjust_nonresponse(clean, without)  # not known: the class's mean kept weight
    assert classes["weights_imputed"].tolist() == [1]
    assert classes["factor"].tolist() == [1.5]
    unweighted = raw.drop(columns="weight")
    clean, report = _skip(unweighted)
    adjusted, classes = adjust_nonresponse(clean, report)
    assert classes["factor"].tolist() == [1.5]  # 3 enterprises, 2 kept
    assert adjusted["weight"].tolist() == [1.5, 1.5, 1.0, 1.0, 1.0]


def test_cell_with_no_unit_left_keeps_its_weight_out_of_other_cells():
    raw = _surveys([2.0, 3.0, 5.0, 4.0, 1.5, 2.5], ["2", "1", "3", "x", "4", "6"])
    clean, report = _skip(raw)
    adjusted, classes = adjust_nonresponse(clean, report, raw=raw)
    # South 2024Q1 lost its only unit (weight 4): North's respondents do not stand for it
    assert classes[["region", "enterprises_kept", "weight_lost_share"]].to_dict("records") == [
        {"region": "South", "enterprises_kept": 0, "weight_lost_share": 1.0}]
    assert np.isnan(classes["factor"].item()) and classes["weight_total"].item() == 4.0
    assert classes["collapsed_into"].tolist() == [""]
    np.testing.assert_allclose(adjusted["weight"], clean["weight"])


def test_nothing_lost_and_bad_arguments():
    raw = _surveys([2.0, 3.0, 5.0, 4.0, 1.5, 2.5], ["2", "1", "3", "3", "4", "6"])
    clean, report = _skip(raw)
    adjusted, classes = adjust_nonresponse(clean, report, raw=raw)
    assert classes.empty and adjusted["weight"].equals(clean["weight"])
    with pytest.raises(ParameterError, match="'stratum'"):
        adjust_nonresponse(clean, report, by=("stratum",))
    with pytest.raises(ParameterError, match="belong together"):
        adjust_nonresponse(clean.iloc[1:], report)
