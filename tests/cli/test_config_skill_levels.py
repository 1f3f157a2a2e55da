"""[data] skill_levels, high_skilled and unskilled in the run configuration."""

from __future__ import annotations

import pytest

from talentgap.cli.config import Config
from talentgap.errors import ConfigError
from talentgap.features import SkillLevels


def test_declared_levels_become_skill_levels():
    cfg = Config.from_dict({"data": {
        "skill_levels": ["none", "ordinary", "senior", "technician", "senior_technician"],
        "high_skilled": ["technician", "senior_technician"], "unskilled": ["none"]}})
    levels = cfg.data.levels()
    assert isinstance(levels, SkillLevels)
    assert levels.skilled == ("ordinary", "senior", "technician", "senior_technician")
    assert levels.high_skilled == ("technician", "senior_technician")
    assert Config().data.levels() is None
    assert cfg.to_dict()["data"]["unskilled"] == ["none"]


@pytest.mark.parametrize(("data", "message"), [
    ({"skill_levels": ["a", "b", "a"]}, r"\[data\] skill_levels repeat a level"),
    ({"skill_levels": ["a", "b"], "high_skilled": ["c"]},
     r"\[data\] high_skilled level 'c' is not one of \[data\] skill_levels \['a', 'b'\]"),
    ({"high_skilled": ["c"]}, r"high_skilled level 'c' is not one of \[data\] skill_levels \[\]"),
    ({"skill_levels": ["a", "b"], "high_skilled": ["b"], "unskilled": ["b"]},
     "cannot be both high_skilled and unskilled"),
    ({"skill_levels": "a"}, r"\[data\] skill_levels must be a list of strings"),
    ({"skill_level": ["a"]}, r"unknown key 'skill_level' in \[data\]; did you mean "
                             r"'skill_levels'\?"),
])
def test_bad_level_declarations_are_refused(data, message):
    with pytest.raises(ConfigError, match=message):
        Config.from_dict({"data": data})
