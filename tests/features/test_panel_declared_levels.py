"""build_panel with declared skill levels: their order, supply and employment by level."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.errors import ParameterError, SchemaError
from talentgap.features import SkillLevels, build_panel

LEVELS = SkillLevels(order=("ordinary", "senior", "technician", "senior_technician"),
                     high_skilled=("technician", "senior_technician"))
KEYS = ("region", "industry", "skill_level")
SURVEYS = pd.DataFrame({
    "period": ["2024"] * 4, "enterprise_id": ["E1", "E1", "E2", "E3"],
    "region": ["Ouhai"] * 4, "industry": ["textiles"] * 4,
    "employees": [100, 100, 40, 60], "vacancies": [3, 2, 1, 4], "hard_to_fill": [2, 2, 0, 1],
    "reports_shortage": [1, 1, 0, 1],
    "skill_level": ["technician", "ordinary", "senior_technician", "senior"],
})
TRAINING = pd.DataFrame({
    "period": "2024", "region": "Ouhai", "industry": "textiles",
    "skill_level": ["technician", "ordinary", "technician"],
    "from_level": [None, None, "senior"],
    "trained": [10, 20, 6], "certified": [8, 15, 5],
})
EMPLOYMENT = pd.DataFrame({
    "period": "2024", "region": "Ouhai", "industry": "textiles",
    "skill_level": ["ordinary", "senior", "technician", "senior_technician"],
    "employment": [500, 300, 150, 50],
})


def test_levels_keep_the_declared_order_not_the_alphabet():
    panel = build_panel(SURVEYS, TRAINING, EMPLOYMENT, freq="Y", keys=KEYS, skill_levels=LEVELS)
    assert panel["skill_level"].astype(str).tolist() == list(LEVELS.order)
    assert panel["skill_level"].cat.ordered
    plain = build_panel(SURVEYS, TRAINING, freq="Y", keys=KEYS)
    assert plain["skill_level"].astype(str).tolist()[2:] == ["senior_technician", "technician"]


def test_supply_and_employment_per_level_cell():
    panel = build_panel(SURVEYS, TRAINING, EMPLOYMENT, freq="Y", keys=KEYS, skill_levels=LEVELS)
    by_level = panel.set_index(panel["skill_level"].astype(str))
    # the upgrade senior -> technician is supply of technicians (8 + 5)
    assert by_level["supply"].fillna(-1).tolist() == [15.0, -1, 13.0, -1]
    assert by_level["demand"].tolist() == [2.0, 1.0, 2.0, 0.0]
    assert by_level["employment"].tolist() == [500, 300, 150, 50]
    assert by_level["skilled"].tolist() == [500, 300, 150, 50]
    assert by_level["high_skilled"].tolist() == [0, 0, 150, 50]


def test_skilled_counts_derived_when_the_panel_is_not_keyed_by_level():
    panel = build_panel(SURVEYS, TRAINING, EMPLOYMENT, freq="Y", skill_levels=LEVELS)
    row = panel.iloc[0]
    assert (row["employment"], row["skilled"], row["high_skilled"]) == (1000, 1000, 200)
    # the upgrade senior -> technician (5) moves a worker already in the cell: no supply
    assert row["supply"] == 23.0
    assert row["employees"] == 200  # E1 counted once


@pytest.mark.parametrize(("table", "line"), [("surveys", 5), ("training", 3), ("employment", 3)])
def test_a_level_outside_the_declared_order_is_refused(table, line):
    frames = {"surveys": SURVEYS, "training": TRAINING, "employment": EMPLOYMENT}
    frames[table] = frames[table].assign(skill_level=lambda d: d["skill_level"].replace(
        {"senior": "master"}))
    levels = SkillLevels(order=LEVELS.order, high_skilled=LEVELS.high_skilled)
    if table == "training":  # no senior training row: put the unknown level on line 3
        frames[table] = frames[table].assign(skill_level=["technician", "master", "technician"])
    with pytest.raises(SchemaError, match=rf"skill_level.*unknown_code.*line {line}\b") as err:
        build_panel(frames["surveys"], frames["training"], frames["employment"], freq="Y",
                    keys=KEYS, skill_levels=levels)
    assert err.value.reason == "unknown_code"
    if table != "surveys":
        assert str(err.value).startswith(f"{table}:")


def test_training_without_levels_for_a_panel_keyed_by_level():
    with pytest.raises(ParameterError, match=r"\['skill_level'\] are not columns of the training"):
        build_panel(SURVEYS, TRAINING.drop(columns=["skill_level", "from_level"]), freq="Y",
                    keys=KEYS, skill_levels=LEVELS)
    blank = TRAINING.assign(skill_level=["technician", None, "technician"])
    with pytest.raises(SchemaError, match=r"'skill_level' must not be missing.*line 3"):
        build_panel(SURVEYS, blank, freq="Y", keys=KEYS, skill_levels=LEVELS)
