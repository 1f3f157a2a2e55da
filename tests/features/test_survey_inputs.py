"""Inputs of the survey estimates: silent defaults said aloud, helpful design messages.

A surveys table without ``weight``, design-like columns without a design, weights
of 0, PSU ids numbered within strata, population counts given as fractions, and
design weights that differ within a PSU.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap import schema
from talentgap.errors import DataQualityWarning, SchemaError, collect_warnings
from talentgap.features import SurveyDesign, build_panel, estimate_cells, estimate_nodes
from talentgap.features._survey_columns import design_like_columns, weight_like_columns


def _surveys(n: int = 8, **columns) -> pd.DataFrame:
    """Two strata of four enterprises, one region x industry cell, one period."""
    rng = np.random.default_rng(7)
    vacancies = rng.integers(2, 12, n)
    base = {"period": ["2024Q1"] * n, "enterprise_id": [f"E{i}" for i in range(n)],
            "region": ["North"] * n, "industry": ["textiles"] * n,
            "employees": rng.integers(20, 200, n), "vacancies": vacancies,
            "hard_to_fill": (vacancies * rng.uniform(0, 1, n)).astype(int),
            "reports_shortage": rng.uniform(0, 1, n) < 0.6}
    return pd.DataFrame(base | columns)


def _messages(caught) -> list[str]:
    return [str(w) for w in caught]


# --- no weight column -------------------------------------------------------------------

def test_table_without_weight_warns_naming_the_weight_like_column():
    weights = np.array([12.0, 12.0, 30.0, 30.0, 8.0, 8.0, 8.0, 8.0])
    table = _surveys(final_weight=weights)
    with collect_warnings() as caught:
        unweighted = estimate_cells(table)
    assert caught and all(isinstance(w, DataQualityWarning) for w in caught)
    text = " ".join(_messages(caught))
    assert "no 'weight' column" in text and "unweighted sample counts" in text
    assert "'final_weight' looks like a design weight" in text
    assert "surveys_columns = {\"final_weight\" = \"weight\"}" in text
    assert "columns={'final_weight': 'weight'}" in text
    # the estimates are indeed unweighted: demand is the plain sum of hard_to_fill
    assert unweighted["demand"].iloc[0] == table["hard_to_fill"].sum()
    # mapping the column (by name, or by weight=) gives the weighted totals, without warning
    renamed = table.rename(columns={"final_weight": "weight"})
    with collect_warnings() as quiet:
        weighted = estimate_cells(renamed)
        named = estimate_cells(table, weight="final_weight")
    assert not any("weight" in m for m in _messages(quiet))
    expected = float((weights * table["hard_to_fill"]).sum())
    assert weighted["demand"].iloc[0] == pytest.approx(expected)
    assert named["demand"].iloc[0] == pytest.approx(expected)


def test_weight_none_asks_for_weight_one_without_a_warning():
    with collect_warnings() as caught:
        estimate_cells(_surveys(), weight=None)
    assert caught == []


def test_weight_like_columns_by_name_then_by_values():
    assert weight_like_columns(_surveys(wt_final=1.0, 权重=2.0, expansion=3.0)) == [
        "wt_final", "权重", "expansion"]
    # no such name: numeric columns outside the schema whose values are mostly above 1,
    # design-like names left out
    table = _surveys(w=np.linspace(2, 9, 8), score=np.linspace(0, 1, 8),
                     population=40, grade=["a"] * 8)
    assert weight_like_columns(table) == ["w"]
    assert weight_like_columns(_surveys()) == []


def test_no_weight_column_and_nothing_like_one_still_warns():
    with collect_warnings() as caught:
        estimate_cells(_surveys())
    (message,) = _messages(caught)
    assert "unweighted sample counts" in message and "to use a weight column" in message


def test_build_panel_and_estimate_nodes_warn_once_too():
    table = _surveys(final_weight=5.0)
    with collect_warnings() as caught:
        build_panel(table, freq="Q")
    assert sum("no 'weight' column" in m for m in _messages(caught)) == 1
    with collect_warnings() as caught:
        estimate_nodes(table, keys=["region", "industry"])
    assert sum("no 'weight' column" in m for m in _messages(caught)) == 1


# --- design columns without a design ----------------------------------------------------

def test_design_like_columns_by_role():
    assert design_like_columns(["stratum", "park_cluster", "popN", "fpc", "employees"]) == {
        "strata": ["stratum"], "psu": ["park_cluster"], "fpc": ["popN", "fpc"]}


def test_design_columns_without_a_design_warn_and_name_the_setting():
    table = _surveys(weight=4.0, stratum=["a"] * 4 + ["b"] * 4,
                     psu=["p1", "p1", "p2", "p2", "p3", "p3", "p4", "p4"], population=10)
    with collect_warnings() as caught:
        plain = estimate_cells(table)
    (message,) = _messages(caught)
    assert "'stratum', 'psu', 'population' look like design columns" in message
    assert "SurveyDesign(strata='stratum', psu='psu', fpc='population')" in message
    assert '[survey] strata = ["stratum"]; psu = "psu"; fpc = "population"' in message
    design = SurveyDesign(strata="stratum", psu="psu", fpc="population")
    with collect_warnings() as caught:
        designed = estimate_cells(table, design=design)
    assert not any("design columns" in m for m in _messages(caught))
    # the point of the warning: the two standard errors differ
    assert plain["demand_se"].iloc[0] != pytest.approx(designed["demand_se"].iloc[0])


# --- weights of 0 -----------------------------------------------------------------------

def test_zero_weight_is_refused_saying_why_and_what_to_do():
    table = _surveys(weight=[0.0, 2.0, 2.0, -1.0, 2.0, 2.0, 0.0, 2.0])
    with pytest.raises(SchemaError, match=r"'weight' must be finite and > 0 \[not_positive\]; "
                                          r"3 rows fail") as info:
        estimate_cells(table)
    message = str(info.value)
    assert "line 2 (E0, 2024Q1): 0.0 (a weight of 0 stands for no enterprise" in message
    assert "drop its row" in message
    assert message.count("a weight of 0") == 1  # said once, not on every example
    assert "line 5 (E3, 2024Q1): -1.0;" in message  # a negative weight: no such note
    # every row accounted for: the three rows are rejected, with their rule
    clean, report = schema.validate(table, table="surveys", errors="report")
    assert (report.rows_kept, report.rows_rejected) == (5, 3)
    assert report.rejected["line"].tolist() == [2, 5, 8]
    assert set(report.rejected["rule"]) == {"not_positive"}


# --- PSU ids numbered within strata (nest) ----------------------------------------------

def test_nest_numbers_psus_within_strata_as_unique_ids_do():
    strata = ["a"] * 4 + ["b"] * 4
    local = ["1", "1", "2", "2", "1", "1", "2", "2"]  # "1" names two PSUs, one per stratum
    table = _surveys(weight=3.0, stratum=strata, psu=local, population=6)
    design = SurveyDesign(strata="stratum", psu="psu", fpc="population")
    with pytest.raises(SchemaError, match=r"psu_in_two_strata.*make the ids unique within the "
                                          r"period.*nest=True.*\[survey\] nest = true"):
        estimate_cells(table, design=design)
    nested = estimate_cells(table, design=SurveyDesign(strata="stratum", psu="psu",
                                                       fpc="population", nest=True))
    unique = table.assign(psu=[f"{s}/{p}" for s, p in zip(strata, local, strict=True)])
    expected = estimate_cells(unique, design=design)
    columns = [c for c in expected.columns if c.endswith(("_se", "_df"))]
    pd.testing.assert_frame_equal(nested[columns], expected[columns])
    # by hand: 2 strata of 2 PSUs of population 6, PSU totals of 3 * hard_to_fill
    totals = (3.0 * table["hard_to_fill"]).groupby(unique["psu"]).sum()
    by_stratum = totals.groupby(totals.index.str[0])
    variance = sum((1 - 2 / 6) * 2 / 1 * ((t - t.mean()) ** 2).sum() for _, t in by_stratum)
    assert nested["demand_se"].iloc[0] == pytest.approx(np.sqrt(variance), rel=1e-12)


# --- a population count given as a fraction ---------------------------------------------

def test_population_below_one_reads_as_a_fraction():
    table = _surveys(weight=3.0, stratum=["a"] * 8, population=0.4)
    with pytest.raises(SchemaError, match=r"fpc_below_sample.*0\.4 < 8 sampled enterprises.*"
                                          r"count of enterprises in the stratum's population "
                                          r"\(N_h\), not a sampling fraction.*population = "
                                          r"n_h / f, e\.g\. 8 / 0\.4 = 20"):
        estimate_cells(table, design=SurveyDesign(strata="stratum", fpc="population"))
    # a count below the sample but not a fraction: no such hint
    with pytest.raises(SchemaError, match=r"fpc_below_sample") as info:
        estimate_cells(table.assign(population=5),
                       design=SurveyDesign(strata="stratum", fpc="population"))
    assert "sampling fraction" not in str(info.value)


# --- design weights that differ within a PSU --------------------------------------------

def test_weights_differing_within_a_psu_warn_in_estimates_and_checks_design_weight():
    parks = ["p1", "p1", "p2", "p2", "p3", "p3", "p4", "p4"]
    design = SurveyDesign(psu="park", fpc="parks")
    table = _surveys(weight=[4.0, 5.0, 4.0, 4.0, 6.0, 6.0, 6.0, 6.0], park=parks, parks=10)
    with collect_warnings() as caught:
        cells = estimate_cells(table, design=design)
    (message,) = [m for m in _messages(caught) if "weight_varies_in_psu" in m]
    assert "line 3 (E1, 2024Q1, park p1): 5 vs 4 on line 2" in message
    assert "('parks')" in message
    assert np.isfinite(cells["demand_se"].iloc[0])  # estimated all the same
    # design weights (e.g. a calibrated table read back from a file) equal within PSUs:
    # the final weights may differ
    calibrated = table.assign(design_weight=[4.0, 4.0, 4.0, 4.0, 6.0, 6.0, 6.0, 6.0])
    with collect_warnings() as caught:
        estimate_cells(calibrated, design=design, calibration=False)
    assert not any("weight_varies_in_psu" in m for m in _messages(caught))
    # without population counts of PSUs, nothing to say
    with collect_warnings() as caught:
        estimate_cells(table, design=SurveyDesign(psu="park"))
    assert not any("weight_varies_in_psu" in m for m in _messages(caught))
