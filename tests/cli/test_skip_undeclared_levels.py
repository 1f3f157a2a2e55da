"""[data] on_invalid = "skip" rejects rows with an undeclared skill level instead of stopping."""

from __future__ import annotations

import pytest

import talentgap as tg
from talentgap.cli import pipeline
from talentgap.cli.config import load_config
from talentgap.errors import SchemaError

CONFIG = """[data]
surveys = "surveys.csv"
training = "training.csv"
freq = "Q"
keys = ["region", "industry", "skill_level"]
skill_levels = ["skilled", "high_skilled"]
high_skilled = ["high_skilled"]
on_invalid = "{mode}"
"""


@pytest.fixture()
def folder(tmp_path):
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=4, seed=1,
                                      detail=True)
    surveys = data.surveys.astype({"skill_level": str})
    surveys.loc[3, "skill_level"] = "high_skiled"  # line 5
    tg.io.write_table(surveys, tmp_path / "surveys.csv")
    tg.io.write_table(data.training.astype({"skill_level": str}), tmp_path / "training.csv")
    return tmp_path


def test_skip_mode_rejects_the_rows(folder):
    (folder / "plan.toml").write_text(CONFIG.format(mode="skip"))
    result = pipeline.run(load_config(folder / "plan.toml"), steps=("features",))
    report = result.reports["surveys"]
    level = report.rejected[report.rejected["rule"] == "unknown_code"]
    assert level["line"].tolist() == [5]
    assert level["message"].iloc[0] == "'high_skiled' (did you mean 'high_skilled'?)"
    assert report.rows_rejected >= 1 and "high_skiled" not in set(
        result.panel["skill_level"].astype(str))


def test_error_mode_stops_naming_the_value_and_the_closest_level(folder):
    (folder / "plan.toml").write_text(CONFIG.format(mode="error"))
    with pytest.raises(SchemaError, match=r"'high_skiled'.*did you mean 'high_skilled'"):
        pipeline.run(load_config(folder / "plan.toml"), steps=("features",))
