"""`talentgap validate` with [data] skill_levels: a level outside the declared order fails."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main

__all__: list[str] = []

CONFIG = """[data]
surveys = "surveys.csv"
training = "training.csv"
keys = ["region", "industry", "skill_level"]
skill_levels = ["skilled", "high_skilled"]
high_skilled = ["high_skilled"]
"""


@pytest.fixture()
def files(tmp_path):
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=4, seed=1,
                                      detail=True)
    training = data.training.assign(skill_level=data.training["skill_level"].astype(str))
    tg.io.write_table(data.surveys, tmp_path / "surveys.csv")
    (tmp_path / "plan.toml").write_text(CONFIG)
    return tmp_path, training


def test_declared_levels_pass(files, capsys):
    folder, training = files
    tg.io.write_table(training, folder / "training.csv")
    assert main(["validate", "--config", str(folder / "plan.toml")]) == 0
    assert "skill_levels" not in capsys.readouterr().out


def test_undeclared_level_exits_2_naming_table_column_rule_and_lines(files, tmp_path, capsys):
    folder, training = files
    training.loc[[2, 5], "skill_level"] = "senior_technician"
    # a row rejected by another rule before them must not shift their line numbers
    training.loc[0, "certified"] = training.loc[0, "trained"] + 1
    tg.io.write_table(training, folder / "training.csv")
    rejected = tmp_path / "rejected.csv"
    code = main(["validate", "--config", str(folder / "plan.toml"), "--rejected", str(rejected)])
    assert code == 2
    out = capsys.readouterr().out
    assert ("training.csv: training: column 'skill_level' must be one of the declared skill "
            "levels ['skilled', 'high_skilled'] [unknown_code]; 2 rows fail, e.g. line 4 (") in out
    assert "): 'senior_technician', line 7 (" in out
    failures = pd.read_csv(rejected)
    levels = failures[failures["rule"] == "unknown_code"]
    assert levels["line"].tolist() == [4, 7]
    assert set(levels["column"]) == {"skill_level"}
    assert levels["file"].str.endswith("training.csv").all()


def test_undeclared_survey_level_in_json(files, capsys):
    folder, training = files
    tg.io.write_table(training, folder / "training.csv")
    surveys = pd.read_csv(folder / "surveys.csv")
    surveys.loc[3, "skill_level"] = "master"
    surveys.to_csv(folder / "surveys.csv", index=False)
    code = main(["validate", "--config", str(folder / "plan.toml"), "--format", "json"])
    assert code == 2
    checks = json.loads(capsys.readouterr().out)
    errors = [c["error"] for c in checks if c.get("check") == "skill_levels"]
    assert len(errors) == 1
    assert "surveys: column 'skill_level'" in errors[0]
    assert "line 5 (E0000010, 2019Q1, surveyor, master): 'master'" in errors[0]


def test_without_declared_levels_any_level_passes(files, capsys):
    folder, training = files
    training.loc[2, "skill_level"] = "senior_technician"
    tg.io.write_table(training, folder / "training.csv")
    (folder / "plan.toml").write_text('[data]\nsurveys = "surveys.csv"\n'
                                      'training = "training.csv"\n')
    assert main(["validate", "--config", str(folder / "plan.toml")]) == 0
