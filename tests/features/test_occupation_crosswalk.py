"""Demand keyed by occupation and a programme -> occupation crosswalk for its supply."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.errors import ParameterError, SchemaError
from talentgap.features import build_panel, training_supply
from talentgap.features.coverage import check_coverage
from talentgap.features.crosswalk import check_crosswalk, crosswalk_target

SURVEYS = pd.DataFrame({
    "period": "2024", "enterprise_id": ["E1", "E1", "E2"], "region": "North",
    "industry": ["textiles", "textiles", "construction"],
    "employees": [100, 100, 50], "vacancies": [3, 1, 4], "hard_to_fill": [2, 1, 3],
    "reports_shortage": 1, "occupation": ["welder", "sewer", "welder"],
})
TRAINING = pd.DataFrame({
    "period": "2024", "region": "North", "industry": ["construction", "textiles"],
    "program": ["welding", "sewing"], "trained": [30, 12], "certified": [20, 10],
})
CROSSWALK = pd.DataFrame({"program": ["welding", "welding", "sewing"],
                          "occupation": ["welder", "fitter", "sewer"],
                          "share": [0.75, 0.25, 1.0]})


def test_supply_per_occupation_through_the_crosswalk():
    assert crosswalk_target(CROSSWALK) == "occupation"
    out = training_supply(TRAINING, keys=("region", "occupation"), crosswalk=CROSSWALK)
    got = dict(zip(out["occupation"].astype(str), out["supply"], strict=True))
    assert got == {"fitter": 5.0, "sewer": 10.0, "welder": 15.0}


def test_panel_by_occupation_hand_computed():
    panel = build_panel(SURVEYS, TRAINING, freq="Y", keys=("region", "occupation"),
                        crosswalk=CROSSWALK)
    rows = panel.set_index(panel["occupation"].astype(str))
    assert rows.loc["welder", ["demand", "supply", "gap"]].tolist() == [5.0, 15.0, -10.0]
    assert rows.loc["sewer", ["demand", "supply", "gap"]].tolist() == [1.0, 10.0, -9.0]
    # trained for, and no surveyed enterprise of North reported fitter vacancies: an empty
    # domain of a surveyed region, so demand 0 (not missing)
    assert rows.loc["fitter", ["demand", "supply", "gap"]].tolist() == [0.0, 5.0, -5.0]
    assert not bool(rows.loc["fitter", "demand_missing"])


def test_vacancies_for_an_occupation_no_programme_trains_for():
    surveys = pd.concat([SURVEYS, SURVEYS.iloc[[0]].assign(enterprise_id="E3",
                                                           occupation="riveter")],
                        ignore_index=True)
    with pytest.raises(SchemaError, match=r"surveys: column 'occupation'.*\[not_in_crosswalk\]; "
                       r"1 row with vacancies fails \(occupations 'riveter'\), e\.g\. line 5") \
            as err:
        build_panel(surveys, TRAINING, freq="Y", keys=("region", "occupation"),
                    crosswalk=CROSSWALK)
    assert err.value.failure_cases["line"].tolist() == [5]
    # no vacancies: nothing to train for, nothing refused
    check_coverage(surveys.assign(vacancies=[3, 1, 4, 0], hard_to_fill=[2, 1, 3, 0]), CROSSWALK)


def test_one_validator_for_both_kinds_of_crosswalk():
    bad = CROSSWALK.assign(share=[0.75, 0.2, 1.0])
    with pytest.raises(SchemaError, match="program='welding' sums to 0.95"):
        check_crosswalk(bad, target="occupation")
    with pytest.raises(SchemaError, match="program='welding' sums to 0.95"):
        training_supply(TRAINING, keys=("region", "occupation"), crosswalk=bad)
    with pytest.raises(ParameterError, match="target='skill_level'"):
        check_crosswalk(CROSSWALK, target="skill_level")
    industry = CROSSWALK.rename(columns={"occupation": "industry"})
    with pytest.raises(ParameterError, match="no 'occupation' column"):
        check_coverage(SURVEYS, industry)
