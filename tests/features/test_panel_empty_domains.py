"""Detail cells of a surveyed stratum with no vacancies: 0, not missing, in the panel.

A cell keyed by ``occupation`` or ``skill_level`` is a domain of the cell of
the other keys. When that cell was surveyed in a period and no enterprise
reported vacancies in the detail cell, the domain estimate is 0 (every
``z_i = w_i y_i 1[i in d]`` of the stratum is 0, so ``V = 0``): the survey
looked and found none. ``demand_missing`` means "not surveyed".
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning
from talentgap.features import SurveyDesign, build_panel, estimate_cells

COLUMNS = ["period", "enterprise_id", "region", "industry", "occupation", "employees",
           "vacancies", "hard_to_fill", "reports_shortage", "weight"]
ROWS = [
    ["2024Q1", "E1", "East", "mfg", "welder", 100, 4, 2, 1, 2.0],
    ["2024Q1", "E1", "East", "mfg", "cnc", 100, 3, 3, 1, 2.0],
    ["2024Q1", "E2", "East", "mfg", "welder", 50, 1, 0, 0, 4.0],
    ["2024Q1", "E5", "West", "mfg", "cnc", 40, 2, 1, 1, 1.0],
    ["2024Q1", "E6", "West", "mfg", "cnc", 40, 1, 1, 1, 1.0],
    # 2024Q2: East surveyed (E1, E2), nobody reports cnc vacancies (E2's row says 0)
    ["2024Q2", "E1", "East", "mfg", "welder", 100, 5, 2, 1, 2.0],
    ["2024Q2", "E2", "East", "mfg", "welder", 50, 2, 1, 0, 4.0],
    ["2024Q2", "E2", "East", "mfg", "cnc", 50, 0, 0, 0, 4.0],
    # 2024Q3: East not surveyed at all
    ["2024Q3", "E5", "West", "mfg", "cnc", 40, 2, 1, 1, 1.0],
    ["2024Q3", "E6", "West", "mfg", "cnc", 40, 3, 1, 1, 1.0],
]
KEYS = ("region", "industry", "occupation")
LONELY = ["2024Q2", "E7", "West", "mfg", None, 30, 4, 2, 1, 3.0]  # West's only enterprise


def _surveys(*extra) -> pd.DataFrame:
    return pd.DataFrame([*ROWS, *extra], columns=COLUMNS)


def _at(panel: pd.DataFrame, region: str, occupation: str, period: str) -> pd.Series:
    hit = ((panel["region"] == region) & (panel["occupation"] == occupation)
           & (panel["period"] == pd.Period(period, "Q")))
    assert hit.sum() == 1
    return panel[hit].iloc[0]


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return function(*args, **kwargs)


def test_surveyed_stratum_without_vacancies_in_the_cell_gives_zero():
    panel = build_panel(_surveys(), keys=KEYS, freq="Q")
    row = _at(panel, "East", "cnc", "2024Q2")
    # East in 2024Q2: E1, E2 with z = w * cnc vacancies = (0, 0): total 0, V = 2/1 * 0 = 0
    assert row["demand"] == 0.0 and row["demand_se"] == 0.0
    assert row["vacancies"] == 0.0 and row["reporting_enterprises"] == 0.0
    assert row["reporting_employees"] == 0.0 and row["n_respondents"] == 0
    assert not row["demand_missing"] and not row["single_respondent"]
    # ratios of an empty domain are 0 / 0
    for name in ("shortage_rate", "shortage_rate_se", "ssv_density", "ssv_density_se"):
        assert np.isnan(row[name]), name
    # the same period's welder cell is untouched
    welder = _at(panel, "East", "welder", "2024Q2")
    assert welder["demand"] == 2 * 2 + 4 * 1 and welder["n_respondents"] == 2


def test_stratum_not_surveyed_stays_missing():
    panel = build_panel(_surveys(), keys=KEYS, freq="Q")
    for occupation in ("cnc", "welder"):
        row = _at(panel, "East", occupation, "2024Q3")
        assert row["demand_missing"] and np.isnan(row["demand"])
        assert np.isnan(row["demand_se"]) and row["n_respondents"] == 0
    # West was not surveyed in 2024Q2 either
    assert _at(panel, "West", "cnc", "2024Q2")["demand_missing"]
    assert int(panel["demand_missing"].sum()) == 3


def test_a_stratum_of_one_enterprise_gives_zero_without_standard_error():
    # E7 reports vacancies without an occupation: West surveyed, one enterprise
    panel = _quiet(build_panel, _surveys(LONELY), keys=KEYS, freq="Q")
    row = _at(panel, "West", "cnc", "2024Q2")
    assert row["demand"] == 0.0 and not row["demand_missing"]
    assert np.isnan(row["demand_se"])  # as every detail cell of such a stratum


def test_zero_rows_and_row_order_change_nothing():
    surveys = _surveys()
    without = surveys[~((surveys["occupation"] == "cnc") & (surveys["vacancies"] == 0))]
    expected = build_panel(surveys, keys=KEYS, freq="Q")
    pd.testing.assert_frame_equal(build_panel(without, keys=KEYS, freq="Q"), expected)
    shuffled = surveys.sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(build_panel(shuffled, keys=KEYS, freq="Q"), expected)


def test_declared_design_gives_zero_with_zero_se_and_no_df():
    panel = _quiet(build_panel, _surveys(), keys=KEYS, freq="Q",
                   design=SurveyDesign(strata="region"))
    row = _at(panel, "East", "cnc", "2024Q2")
    assert row["demand"] == 0.0 and row["demand_se"] == 0.0 and not row["demand_missing"]
    assert np.isnan(row["demand_df"]) and not row["take_all"]
    assert _at(panel, "East", "cnc", "2024Q3")["demand_missing"]


def test_training_cells_get_zero_and_cells_named_only_by_cells_stay_missing():
    training = pd.DataFrame({"period": ["2024Q1", "2024Q2"], "region": "East",
                             "industry": "mfg", "occupation": "robot",
                             "trained": [10, 12], "certified": [8, 9]})
    cells = pd.DataFrame({"region": ["East"], "industry": ["mfg"], "occupation": ["painter"]})
    panel = build_panel(_surveys(), training, keys=KEYS, freq="Q", cells=cells,
                        codes="ignore")
    robot = _at(panel, "East", "robot", "2024Q2")  # trained for, surveyed, none found
    assert robot["demand"] == 0.0 and not robot["demand_missing"]
    assert robot["gap"] == -robot["supply"]
    assert _at(panel, "East", "robot", "2024Q3")["demand_missing"]
    painter = _at(panel, "East", "painter", "2024Q2")  # no table names it
    assert painter["rows_missing"] and painter["demand_missing"]
    assert np.isnan(painter["demand"])


def test_skill_level_keys_with_declared_levels():
    surveys = _surveys().rename(columns={"occupation": "skill_level"})
    surveys["skill_level"] = surveys["skill_level"].map({"welder": "junior", "cnc": "senior"})
    panel = build_panel(surveys, keys=("region", "industry", "skill_level"), freq="Q",
                        skill_levels=["junior", "senior", "master"])
    senior = panel[(panel["region"] == "East") & (panel["skill_level"] == "senior")]
    assert senior["demand"].tolist()[:2] == [6.0, 0.0]
    assert senior["demand_missing"].tolist() == [False, False, True]


def test_dask_panel_and_warning_equal_the_pandas_ones():
    pytest.importorskip("dask")
    import dask.dataframe as dd

    surveys = _surveys(LONELY)
    found = {}
    for name, table in (("pandas", surveys), ("dask", dd.from_pandas(surveys, npartitions=3))):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            panel = build_panel(table, keys=KEYS, freq="Q")
            estimate_cells(table, keys=["region", "occupation"], freq="Q")
        texts = [str(w.message) for w in caught if "with no occupation" in str(w.message)]
        found[name] = panel, texts
    pd.testing.assert_frame_equal(found["dask"][0], found["pandas"][0], check_exact=False,
                                  rtol=1e-9)
    assert found["dask"][1] == found["pandas"][1]
    assert len(found["pandas"][1]) == 2  # build_panel, estimate_cells
    assert found["pandas"][1][0].startswith(
        "surveys: 1 enterprise-period(s) report 4 vacancies with no occupation (weighted: "
        "12 vacancies, 6 hard to fill), e.g. E7 in 2024Q2")
    row = _at(found["dask"][0], "West", "cnc", "2024Q2")
    assert row["demand"] == 0.0 and np.isnan(row["demand_se"]) and not row["demand_missing"]


def test_dask_warning_counts_and_examples_span_partitions():
    pytest.importorskip("dask")
    import dask.dataframe as dd

    extra = [[p, e, "East", "mfg", None, 20, v, 1, 1, 2.0]
             for p, e, v in (("2024Q1", "E8", 3), ("2024Q1", "E9", 2), ("2024Q2", "E8", 5),
                             ("2024Q2", "E9", 1))]
    surveys = _surveys(*extra, LONELY)
    texts = []
    for table in (surveys, dd.from_pandas(surveys, npartitions=4)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            estimate_cells(table, keys=["region", "occupation"], freq="Q")
        texts += [str(w.message) for w in caught if "with no occupation" in str(w.message)]
    assert len(texts) == 2 and texts[0] == texts[1]
    # 5 enterprise-periods, 3+2+5+1+4 = 15 vacancies, weighted 2*11 + 3*4 = 34; first three
    # in the table's order
    assert texts[0].startswith("surveys: 5 enterprise-period(s) report 15 vacancies with no "
                               "occupation (weighted: 34 vacancies, 14 hard to fill), e.g. "
                               "E8 in 2024Q1, E9 in 2024Q1, E8 in 2024Q2;")


def test_dask_panel_with_a_declared_design_equals_the_pandas_one():
    pytest.importorskip("dask")
    import dask.dataframe as dd

    design = SurveyDesign(strata="region")
    local = _quiet(build_panel, _surveys(), keys=KEYS, freq="Q", design=design)
    parts = _quiet(build_panel, dd.from_pandas(_surveys(), npartitions=2), keys=KEYS, freq="Q",
                   design=design)
    pd.testing.assert_frame_equal(parts, local, check_exact=False, rtol=1e-9)
    row = _at(parts, "East", "cnc", "2024Q2")
    assert row["demand_se"] == 0.0 and np.isnan(row["demand_df"]) and not row["demand_missing"]
