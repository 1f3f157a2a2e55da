"""Skip mode (``on_invalid = "skip"``, ``errors="report"``): no cell's numbers move into
another cell, an exact duplicate keeps its first copy, and the library path leaves out the
same rows as the command line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import pipeline
from talentgap.cli.config import load_config
from talentgap.features import adjust_nonresponse
from talentgap.features.nonresponse import describe_nonresponse

SURVEYS = """\
period,enterprise_id,region,industry,employees,vacancies,hard_to_fill,reports_shortage,weight
2024Q3,A0,Ouhai,mech,100,10,4,1,2
2024Q3,A1,Ouhai,mech,100,10,4,1,2
2024Q3,A2,Ouhai,mech,100,10,4,1,2
2024Q3,B0,Lucheng,mech,"1,000",10,4,1,2
2024Q3,B1,Lucheng,mech,"1,000",10,4,1,2
2024Q3,B2,Lucheng,mech,"1,000",10,4,1,2
"""
TRAINING = """\
period,region,industry,trained,certified
2024Q3,Ouhai,mech,30,20
2024Q3,Lucheng,mech,30,20
"""


def _run(folder, surveys, training=None, extra=""):
    (folder / "surveys.csv").write_text(surveys)
    text = '[data]\nsurveys = "surveys.csv"\non_invalid = "skip"\n'
    if training is not None:
        (folder / "training.csv").write_text(training)
        text += 'training = "training.csv"\n'
    (folder / "run.toml").write_text(text + '[panel]\nlead_time = 0\n' + extra)
    return pipeline.run(load_config(folder / "run.toml"), steps=("features",))


def test_a_cell_whose_every_row_was_rejected_is_missing_not_moved(tmp_path):
    result = _run(tmp_path, SURVEYS, TRAINING)
    panel = result.panel.set_index("region")
    # Ouhai keeps its own figures: 3 enterprises of weight 2, 4 hard-to-fill posts each
    ouhai = panel.loc["Ouhai"]
    assert (ouhai["demand"], ouhai["enterprises"], ouhai["employees"]) == (24.0, 6.0, 600.0)
    # Lucheng has no survey estimate (its supply still there), rather than Ouhai's double
    lucheng = panel.loc["Lucheng"]
    assert np.isnan(lucheng["demand"]) and lucheng["demand_missing"]
    assert lucheng["supply"] == 20.0 and lucheng["n_respondents"] == 0
    text = result.reports["surveys"].warnings[-1]
    assert "multiplied" not in text and "collapsed" not in text
    assert ("1 cell-period lost every respondent (all its enterprise-periods were left out "
            "as invalid), so it has no survey estimate (demand missing) and its weight of 6 "
            "is carried by no other cell: region=Lucheng, industry=mech, 2024Q3") in text


def test_an_emptied_stratum_joins_its_own_cell_only():
    raw = pd.DataFrame({
        "period": "2024Q1", "enterprise_id": [f"E{i}" for i in range(6)],
        "region": ["N", "N", "N", "S", "S", "S"], "industry": "tex", "employees": 50,
        "vacancies": 9, "hard_to_fill": ["1", "2", "x", "3", "4", "5"],
        "reports_shortage": True, "weight": [2.0, 4.0, 3.0, 1.0, 1.0, 1.0],
        "size_band": ["small", "small", "large", "small", "small", "large"]})
    clean, report = tg.schema.validate(raw, table="surveys", errors="report")
    adjusted, classes = adjust_nonresponse(clean, report, by=["size_band"])
    # N's large stratum lost its only unit: N small carries it, (2 + 4 + 3) / (2 + 4) = 1.5;
    # S (nothing lost) keeps every weight
    np.testing.assert_allclose(adjusted["weight"], [3.0, 6.0, 1.0, 1.0, 1.0])
    assert set(classes["region"]) == {"N"}
    assert set(classes["collapsed_into"]) == {"region=N, industry=tex, any size_band, 2024Q1"}
    text = describe_nonresponse(classes)
    assert "multiplied by 1.5" in text and "(3 of the 9 had been left out, 33%)" in text
    cells = tg.features.estimate_cells(adjusted).set_index("region")["demand"]
    assert cells.to_dict() == pytest.approx({"N": 3.0 * 1 + 6.0 * 2, "S": 3 + 4 + 5})


def test_a_weight_of_zero_or_below_stands_for_no_enterprise(tmp_path):
    surveys = ("period,enterprise_id,region,industry,employees,vacancies,hard_to_fill,"
               "reports_shortage,weight\n"
               + "".join(f"2024Q3,E{i},Ouhai,mech,100,10,4,1,{w}\n"
                         for i, w in enumerate(["2", "2", "0", "-2"], start=1)))
    result = _run(tmp_path, surveys)
    # the schema wants weight > 0: rows with 0 and -2 are rejected and carry no weight
    assert result.panel["demand"].item() == 16.0  # 2 x 4 + 2 x 4, not x 2
    report = result.reports["surveys"]
    assert set(report.rejected["rule"]) == {"not_positive"}
    text = report.warnings[-1]
    assert "2 left-out enterprise-periods had a weight <= 0" in text
    assert "multiplied" not in text and "mean kept weight" not in text
    raw = pd.read_csv(tmp_path / "surveys.csv")
    clean, report = tg.schema.validate(raw, table="surveys", errors="report")
    adjusted, classes = adjust_nonresponse(clean, report)
    assert classes[["weights_not_positive", "weights_imputed", "factor"]].values.tolist() == [
        [2, 0, 1.0]]
    assert adjusted["weight"].tolist() == [2.0, 2.0]


def test_an_exact_duplicate_keeps_its_first_copy_and_its_group(tmp_path):
    training = TRAINING + "2024Q3,Lucheng,mech,30,20\n"
    surveys = SURVEYS.replace('"1,000"', "100")
    result = _run(tmp_path, surveys, training)
    report = result.reports["training"]
    assert (report.rows_kept, report.rows_rejected, report.rows_with_group) == (2, 1, 0)
    assert report.rejected["rule"].tolist() == ["duplicate_row"]
    assert result.panel.set_index("region").loc["Lucheng", "supply"] == 20.0
    # long-form surveys: an enterprise-period whose row repeats keeps both detail rows
    raw = pd.DataFrame({
        "period": "2024Q1", "enterprise_id": ["E1", "E1", "E1", "E2"], "region": "N",
        "industry": "tex", "occupation": ["welder", "cnc", "cnc", "welder"],
        "employees": 50, "vacancies": [4, 3, 3, 2], "hard_to_fill": [2, 1, 1, 1],
        "reports_shortage": True})
    clean, report = tg.schema.validate(raw, table="surveys", errors="report")
    assert clean.index.tolist() == [0, 1, 3]
    assert report.rejected[["line", "rule"]].values.tolist() == [[4, "duplicate_row"]]
    assert tg.features.estimate_cells(clean)["demand"].item() == 4.0  # E1: 2 + 1; E2: 1


def test_conflicting_duplicates_are_all_rejected_and_say_so():
    raw = pd.DataFrame({
        "period": "2024Q1", "enterprise_id": ["E1", "E1", "E1", "E2"], "region": "N",
        "industry": "tex", "occupation": ["welder", "cnc", "cnc", "welder"],
        "employees": 50, "vacancies": [4, 3, 5, 2], "hard_to_fill": [2, 1, 1, 1],
        "reports_shortage": True})
    clean, report = tg.schema.validate(raw, table="surveys", errors="report")
    assert clean["enterprise_id"].tolist() == ["E2"]  # E1's welder row goes with them
    rules = report.rejected.set_index("line")["rule"].to_dict()
    assert rules == {2: "group_incomplete", 3: "duplicate_key", 4: "duplicate_key"}
    message = report.rejected.set_index("line").loc[3, "message"]
    assert message == ("(enterprise_id, period, occupation) shared by lines 3, 4 with "
                       "different values; every copy is rejected, since which one is right "
                       "is not known")


LONG = """\
period,enterprise_id,region,industry,occupation,employees,vacancies,hard_to_fill,reports_shortage,weight
2024Q3,E1,Ouhai,mech,welder,100,10,4,1,2
2024Q3,E1,Ouhai,mech,cnc,100,-3,1,1,2
2024Q3,E2,Ouhai,mech,welder,50,5,2,1,2
"""


def test_library_and_command_line_leave_out_the_same_rows(tmp_path):
    (tmp_path / "long.csv").write_text(LONG)
    clean, report = tg.io.read_table(tmp_path / "long.csv", table="surveys", errors="report")
    # E1 lost its cnc row: its welder row goes too, as the command line does
    assert clean["enterprise_id"].tolist() == ["E2"]
    assert report.rejected[["line", "rule"]].values.tolist() == [
        [2, "group_incomplete"], [3, "negative"]]
    assert report.rows_with_group == 1
    adjusted, _ = adjust_nonresponse(clean, report)
    cells = tg.features.estimate_cells(adjusted, freq="Q")
    # E1 (weight 2) is non-response in its cell: E2's weight 2 x (2 + 2) / 2 = 4
    assert (cells["demand"].item(), cells["vacancies"].item()) == (8.0, 20.0)
    result = _run(tmp_path, LONG)
    panel = result.panel
    assert (panel["demand"].item(), panel["vacancies"].item()) == (8.0, 20.0)
    assert result.reports["surveys"].rejected["line"].tolist() == [2, 3]
