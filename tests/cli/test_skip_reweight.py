"""``on_invalid = "skip"`` and the survey weights: the kept respondents carry the left-out ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.cli import pipeline
from talentgap.cli.config import load_config


def _run(folder, surveys):
    surveys.to_csv(folder / "surveys.csv", index=False)
    config = folder / "run.toml"
    config.write_text('[data]\nsurveys = "surveys.csv"\non_invalid = "skip"\n')
    return pipeline.run(load_config(config), steps=("features",))


def test_weights_of_the_class_are_kept_and_said(tmp_path):
    surveys = pd.DataFrame({
        "period": ["2024Q1"] * 4 + ["2024Q2"] * 3,
        "enterprise_id": ["E0", "E1", "E2", "E3", "E0", "E1", "E2"],
        "region": ["North", "North", "North", "South", "North", "North", "North"],
        "industry": "textiles", "employees": 40, "vacancies": 9,
        "hard_to_fill": ["2", "5", "1%", "3", "4", "4", "4"], "reports_shortage": True,
        "weight": [2.0, 4.0, 6.0, 3.0, 2.0, 4.0, 6.0]})
    result = _run(tmp_path, surveys)
    panel = result.panel.assign(period=result.panel["period"].astype(str))
    north = panel.set_index(["region", "period"]).loc[("North", "2024Q1")]
    # the left-out enterprise's weight (6) is read from its row: the kept weights are
    # multiplied by (2 + 4 + 6) / (2 + 4) = 2
    assert north["demand"] == pytest.approx(2 * (2 * 2 + 4 * 5))
    assert north["n_respondents"] == 2
    # the other class-periods are untouched
    assert panel.set_index(["region", "period"]).loc[("North", "2024Q2"), "demand"] == 48.0
    text = result.reports["surveys"].warnings[-1]
    assert "1 enterprise-period left out as invalid is unit non-response" in text
    assert "multiplied by 2" in text and "(region x industry x period)" in text
    assert "not known" not in text
    assert text in result.notes  # and so in the report's notes


def test_an_unreadable_left_out_weight_is_the_class_mean(tmp_path):
    surveys = pd.DataFrame({
        "period": ["2024Q1"] * 4, "enterprise_id": ["E0", "E1", "E2", "E3"],
        "region": ["North", "North", "North", "South"], "industry": "textiles",
        "employees": 40, "vacancies": 9, "hard_to_fill": ["2", "5", "1", "3"],
        "reports_shortage": True, "weight": ["2", "4", "six", "3"]})
    result = _run(tmp_path, surveys)
    north = result.panel.set_index("region").loc["North"]
    # the class's mean kept weight, (2 + 4) / 2 = 3: factor (2 + 4 + 3) / (2 + 4) = 1.5
    assert north["demand"] == pytest.approx(1.5 * (2 * 2 + 4 * 5))
    assert "1 left-out weight was not known" in result.reports["surveys"].warnings[-1]


def _clustered(tmp_path, region, hard_to_fill=("1", "2", "1", "x", "3", "1", "2", "1")):
    surveys = pd.DataFrame({
        "period": "2024Q1", "enterprise_id": [f"E{i}" for i in range(8)],
        "region": region, "industry": "tex",
        "employees": 50, "vacancies": 4, "hard_to_fill": list(hard_to_fill),
        "reports_shortage": True, "weight": 5.0,
        "park": ["P1", "P1", "P1", "P1", "P2", "P2", "P3", "P3"], "parks": 15})
    surveys.to_csv(tmp_path / "surveys.csv", index=False)
    config = tmp_path / "run.toml"
    config.write_text('[data]\nsurveys = "surveys.csv"\non_invalid = "skip"\n'
                      '[survey]\npsu = "park"\nfpc = "parks"\n')
    return load_config(config)


def test_a_cluster_design_reweights_whole_psus_within_their_cell(tmp_path):
    """PSUs without strata: the classes are the cells, which here hold whole parks."""
    config = _clustered(tmp_path, ["S"] * 4 + ["N"] * 4)
    result = pipeline.run(config, steps=("features",))
    panel = result.panel.set_index("region")
    # S lost E3: factor 20 / 15 on its 3 kept (hard_to_fill 1, 2, 1); N untouched
    assert panel.loc["S", "demand"] == pytest.approx(5 * 20 / 15 * 4)
    assert panel.loc["N", "demand"] == pytest.approx(5 * 7)
    assert "(region x industry x period)" in result.reports["surveys"].warnings[-1]


def test_parks_that_span_cells_are_reweighted_cell_by_cell(tmp_path):
    """Parks holding enterprises of both regions: classes are the cells, SEs sum each park."""
    config = _clustered(tmp_path, ["N", "N", "S", "S", "N", "S", "N", "S"],
                        hard_to_fill=["1", "2", "4", "x", "3", "1", "2", "2"])
    result = pipeline.run(config, steps=("features",))
    panel = result.panel.set_index("region")
    # S lost E3 (park P1): its kept E2 (P1), E5 (P2), E7 (P3) get 5 x 20 / 15; N is whole
    s = 5 * 20 / 15
    assert panel.loc["S", "demand"] == pytest.approx(s * (4 + 1 + 2))
    assert panel.loc["N", "demand"] == pytest.approx(5 * (1 + 2 + 3 + 2))
    assert panel.loc["S", "n_respondents"] == 3 and panel.loc["N", "n_respondents"] == 4

    def se(z):  # 3 parks sampled of 15, one stratum: (1 - 3/15) 3/2 sum (z - mean z)^2
        z = np.asarray(z, dtype=float)
        return np.sqrt((1 - 3 / 15) * 3 / 2 * ((z - z.mean()) ** 2).sum())

    # the parks' totals of w * hard_to_fill in each cell (P1 holds E0, E1 of N and E2 of S)
    assert panel.loc["S", "demand_se"] == pytest.approx(se([4 * s, s, 2 * s]))
    assert panel.loc["N", "demand_se"] == pytest.approx(se([5 * 3, 5 * 3, 5 * 2]))
    text = result.reports["surveys"].warnings[-1]
    assert "multiplied by 1.33" in text and "(region x industry x period)" in text
