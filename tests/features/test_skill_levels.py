"""Tests of talentgap.features.skill_levels: declared levels, skilled counts, stock inflows."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.errors import ParameterError, SchemaError
from talentgap.features import SkillLevels, skilled_employment, stock_pipeline
from talentgap.features.skill_levels import check_skill_levels, skill_levels_of

ORDER = ("ordinary", "senior", "technician", "senior_technician")
LEVELS = SkillLevels(order=ORDER, high_skilled=("technician", "senior_technician"))


def test_declared_levels_default_to_skilled_and_keep_their_order():
    assert LEVELS.skilled == ORDER
    assert list(LEVELS.dtype.categories) == list(ORDER)
    assert LEVELS.dtype.ordered
    assert list(LEVELS) == list(ORDER)  # usable wherever an order is expected
    assert SkillLevels(order=["none", *ORDER], unskilled=["none"]).skilled == ORDER
    assert skill_levels_of(list(ORDER)).high_skilled == ()
    assert skill_levels_of(LEVELS) is LEVELS


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"order": []}, "at least one level"),
    ({"order": "ordinary"}, "sequence of skill levels"),
    ({"order": ["a", "b", "a"]}, r"repeat a level: \['a'\]"),
    ({"order": ["a", "b"], "high_skilled": ["c"]}, "high_skilled level 'c' is not one"),
    ({"order": ["a", "b"], "unskilled": ["x"]}, "unskilled level 'x'"),
    ({"order": ["a", "b"], "high_skilled": ["b"], "unskilled": ["b"]}, "both high_skilled"),
])
def test_malformed_declarations_are_refused(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        SkillLevels(**kwargs)


def test_unknown_level_names_table_column_rule_and_lines():
    training = pd.DataFrame({"skill_level": ["senior", "master", "senior", "Senior"],
                             "from_level": [None, None, "ordinary", None]})
    with pytest.raises(SchemaError, match=r"training: column 'skill_level'.*\[unknown_code\]; "
                       r"2 rows fail, e\.g\. line 3: 'master', line 5: 'Senior'") as err:
        check_skill_levels(training, LEVELS, name="training")
    assert err.value.column == "skill_level"
    assert err.value.reason == "unknown_code"
    assert err.value.failure_cases["line"].tolist() == [3, 5]
    with pytest.raises(SchemaError, match=r"column 'from_level'.*line 2: 'apprentice'"):
        check_skill_levels(pd.DataFrame({"from_level": ["apprentice"]}), LEVELS, name="training")


LEVELS_NONE = SkillLevels(order=("none", *ORDER), high_skilled=("technician", "senior_technician"),
                          unskilled=("none",))
EMPLOYMENT = pd.DataFrame({
    "period": "2024", "region": ["North"] * 5 + ["South"],
    "industry": "textiles",
    "skill_level": ["none", "ordinary", "senior", "technician", "senior_technician", "senior"],
    "employment": [600, 200, 100, 70, 30, 40],
})


def test_skilled_and_high_skilled_follow_the_declared_levels():
    out = skilled_employment(EMPLOYMENT, skill_levels=LEVELS_NONE)
    assert out["region"].astype(str).tolist() == ["North", "South"]
    assert out["employment"].tolist() == [1000, 40]
    assert out["skilled"].tolist() == [200 + 100 + 70 + 30, 40]
    assert out["high_skilled"].tolist() == [70 + 30, 0]
    per_row = skilled_employment(EMPLOYMENT, skill_levels=LEVELS_NONE, keys=None)
    assert per_row["skilled"].tolist() == [0, 200, 100, 70, 30, 40]
    assert EMPLOYMENT.columns.tolist()[-1] == "employment"  # input untouched


def test_given_skilled_columns_must_agree_with_the_levels():
    agreeing = EMPLOYMENT.assign(skilled=[0, 200, 100, 70, 30, 40],
                                 high_skilled=[0, 0, 0, 70, 30, 0])
    out = skilled_employment(agreeing, skill_levels=LEVELS_NONE)
    assert out["high_skilled"].tolist() == [100, 0]
    wrong = agreeing.assign(high_skilled=[0, 0, 100, 70, 30, 0])  # senior is not high-skilled
    with pytest.raises(SchemaError, match=r"employment: column 'high_skilled'.*"
                       r"inconsistent_with_skill_level.*1 row fails, e\.g\. line 4") as err:
        skilled_employment(wrong, skill_levels=LEVELS_NONE)
    assert err.value.failure_cases["row"].tolist() == [2]


def test_employment_levels_must_be_declared():
    with pytest.raises(SchemaError, match=(r"employment: column 'skill_level' must be one of "
                                           r"the declared skill levels .*line 2 \(North, "
                                           r"textiles, none, 2024\): 'none'")):
        skilled_employment(EMPLOYMENT, skill_levels=LEVELS)
    with pytest.raises(ParameterError, match="no 'skill_level' column"):
        skilled_employment(EMPLOYMENT.drop(columns="skill_level"), skill_levels=LEVELS)


TRAINING = pd.DataFrame({
    "period": "2024", "region": "North", "industry": "textiles",
    "program": ["sewing", "upgrade_a", "tech", "upgrade_b", "intake"],
    "skill_level": ["ordinary", "technician", "technician", "senior_technician", "senior"],
    "from_level": [None, "senior", None, "technician", "none"],
    "trained": [100, 40, 10, 12, 20], "certified": [80, 30, 5, 10, 16],
})


def test_upgrades_add_only_to_the_stocks_their_workers_were_not_in():
    out = stock_pipeline(TRAINING, skill_levels=LEVELS_NONE, lead_time=1, absorption=0.5)
    # new ordinary 80 + new technician 5 + none->senior 16 join the skilled stock;
    # senior->technician 30 and new technician 5 join the high-skilled stock;
    # technician->senior_technician 10 stays in both.
    assert out["period"].astype(str).tolist() == ["2025"]
    assert out["supply"].tolist() == [0.5 * (80 + 5 + 16)]
    assert out["supply_high_skilled"].tolist() == [0.5 * (30 + 5)]


def test_a_downgrade_is_not_an_upgrade():
    down = TRAINING.assign(from_level=[None, "senior_technician", None, None, None])
    with pytest.raises(SchemaError, match=r"'from_level'.*\[not_an_upgrade\].*line 3: "
                       r"'senior_technician -> technician'"):
        stock_pipeline(down, skill_levels=LEVELS_NONE)
    with pytest.raises(ParameterError, match="leave 'skill_level'"):
        stock_pipeline(TRAINING, skill_levels=LEVELS_NONE, keys=("region", "skill_level"))


def test_estimate_cells_takes_the_declared_levels():
    from talentgap.features import estimate_cells

    surveys = pd.DataFrame({
        "period": "2024", "enterprise_id": ["E1", "E1", "E2"], "region": "North",
        "industry": "textiles", "employees": [10, 10, 20], "vacancies": [2, 1, 3],
        "hard_to_fill": [1, 1, 2], "reports_shortage": 1,
        "skill_level": ["technician", "senior_technician", "technician"]})
    cells = estimate_cells(surveys, keys=["skill_level"], skill_levels=LEVELS)
    assert cells["skill_level"].astype(str).tolist() == ["technician", "senior_technician"]
    assert cells["demand"].tolist() == [3.0, 1.0]
