"""One wording for a skill level outside the declared levels, naming the right table's lines."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.errors import SchemaError
from talentgap.features import SkillLevels, build_panel, estimate_cells, long_form
from talentgap.features.skill_levels import check_skill_levels

LEVELS = ["junior", "intermediate", "senior"]
ENTERPRISES = pd.DataFrame({
    "period": "2024Q1", "enterprise_id": ["E1", "E2", "E3"], "region": "East",
    "industry": "mfg", "employees": [100, 50, 30], "reports_shortage": [1, 0, 0],
    "weight": [2.0, 4.0, 5.0]})
VACANCIES = pd.DataFrame({
    "period": "2024Q1", "enterprise_id": ["E1", "E1", "E2", "E3"],
    "skill_level": ["junior", "senior", "junior", "intermediate"],
    "vacancies": [4, 2, 1, 3], "hard_to_fill": [2, 1, 0, 1]})
WORDING = (r"must be one of the declared skill levels \['junior', 'intermediate', 'senior'\] "
           r"\[unknown_code\]; 1 row fails, e.g. ")


def test_long_form_names_the_vacancies_table_and_its_line():
    posts = VACANCIES.assign(skill_level=["junior", "senior", "junior", "Intermediate"])
    expected = (rf"^vacancies: column 'skill_level' {WORDING}line 5 \(E3, 2024Q1, "
                r"Intermediate\): 'Intermediate' \(did you mean 'intermediate'\?\)$")
    with pytest.raises(SchemaError, match=expected) as info:
        long_form(ENTERPRISES, posts, skill_levels=LEVELS)
    assert info.value.failure_cases["line"].tolist() == [5]
    joined = long_form(ENTERPRISES, posts)  # checked later: the joined table's own line
    with pytest.raises(SchemaError, match=rf"^surveys: column 'skill_level' {WORDING}line 5 "):
        estimate_cells(joined, keys=["skill_level"], skill_levels=LEVELS)
    with pytest.raises(SchemaError, match=rf"^surveys: column 'skill_level' {WORDING}line 4 "):
        build_panel(joined.iloc[1:], keys=["region", "skill_level"], skill_levels=LEVELS)


def test_long_form_output_round_trips_through_parquet(tmp_path):
    joined = long_form(ENTERPRISES, VACANCIES, skill_levels=LEVELS)
    joined.to_parquet(tmp_path / "joined.parquet")
    joined.iloc[1:].to_parquet(tmp_path / "subset.parquet")
    back = pd.read_parquet(tmp_path / "joined.parquet")
    pd.testing.assert_frame_equal(back, joined, check_dtype=False, check_categorical=False)
    assert len(pd.read_parquet(tmp_path / "subset.parquet")) == len(joined) - 1
    assert estimate_cells(back, keys=["skill_level"], skill_levels=LEVELS)[
        "vacancies"].tolist() == [12.0, 15.0, 4.0]  # weighted: 2*4 + 4*1, 5*3, 2*2


def test_surveys_and_training_share_the_wording():
    surveys = long_form(ENTERPRISES, VACANCIES)
    surveys["skill_level"] = surveys["skill_level"].astype(str).replace("senior", "Senior")
    with pytest.raises(SchemaError, match=(rf"^surveys: column 'skill_level' {WORDING}line 3 "
                                           r"\(E1, 2024Q1, Senior\): 'Senior' \(did you mean "
                                           r"'senior'\?\)$")):
        estimate_cells(surveys, keys=["skill_level"], skill_levels=LEVELS)
    training = pd.DataFrame({"period": "2024", "region": "East", "industry": "mfg",
                             "skill_level": ["junior", "master"], "trained": 5,
                             "certified": 3})
    with pytest.raises(SchemaError, match=(rf"^training: column 'skill_level' {WORDING}line 3 "
                                           r"\(East, mfg, 2024\): 'master'$")):
        check_skill_levels(training, SkillLevels(order=LEVELS), name="training")
