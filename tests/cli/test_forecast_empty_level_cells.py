"""`talentgap forecast` by skill level: a surveyed cell without vacancies at a level is 0.

The panel keys a detail cell (region x industry x skill level) as a domain of
its region x industry cell: when that cell was surveyed in a period and no
enterprise reported vacancies at the level, ``panel.csv`` says 0 (SE 0), and
``demand_missing`` only where the region x industry cell was not surveyed.
The same run skips a row of an undeclared level (``on_invalid = "skip"``) and
its summary names the declared levels; ``talentgap validate`` words that
level as the library does, with the closest declared level.
"""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli.main import main

CONFIG = """[data]
surveys = "surveys.csv"
training = "training.csv"
keys = ["region", "industry", "skill_level"]
skill_levels = ["skilled", "high_skilled"]
high_skilled = ["high_skilled"]
on_invalid = "skip"

[forecast]
model = "naive"
n_samples = 50
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("levels")
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=8, seed=1,
                                      detail=True)
    surveys = data.surveys.astype({"skill_level": str})
    first = (surveys["region"] == surveys["region"].iloc[0]) & (
        surveys["industry"] == surveys["industry"].iloc[0])
    periods = surveys["period"].unique()
    # the first cell: not surveyed in the 6th period, no high-skilled vacancies in the 3rd
    surveys = surveys[~(first & (surveys["period"] == periods[5]))].copy()
    first = first.loc[surveys.index]
    none = first & (surveys["period"] == periods[2]) & (surveys["skill_level"] == "high_skilled")
    surveys.loc[none, ["vacancies", "hard_to_fill"]] = 0
    # a misspelled level in another cell: skipped with its enterprise-period
    other = surveys.index[~first & (surveys["skill_level"] == "high_skilled")][0]
    surveys.loc[other, "skill_level"] = "high_skiled"
    tg.io.write_table(surveys, folder / "surveys.csv")
    tg.io.write_table(data.training, folder / "training.csv")
    (folder / "plan.toml").write_text(CONFIG)
    code = main(["forecast", "--config", str(folder / "plan.toml"), "--out",
                 str(folder / "out"), "--no-report", "--no-charts"])
    assert code == 0
    panel = pd.read_csv(folder / "out" / "panel.csv")
    cell = panel[(panel["region"] == surveys["region"].iloc[0])
                 & (panel["industry"] == surveys["industry"].iloc[0])]
    return folder, cell.set_index(["skill_level", "period"]), [str(p) for p in periods]


def test_surveyed_cell_without_vacancies_at_a_level_is_zero(run):
    _, cell, periods = run
    row = cell.loc[("high_skilled", periods[2])]
    assert row["demand"] == 0 and row["demand_se"] == 0 and row["n_respondents"] == 0
    assert not row["demand_missing"]
    assert cell.loc[("skilled", periods[2]), "demand"] > 0  # the cell was surveyed


def test_cell_not_surveyed_is_missing_at_every_level(run):
    _, cell, periods = run
    for level in ("skilled", "high_skilled"):
        row = cell.loc[(level, periods[5])]
        assert row["demand_missing"] and pd.isna(row["demand"])
    assert int(cell["demand_missing"].sum()) == 2


def test_skipped_undeclared_level_names_the_declared_levels(run, capsys):
    folder, _, _ = run
    code = main(["forecast", "--config", str(folder / "plan.toml"), "--out",
                 str(folder / "again"), "--no-report", "--no-charts"])
    assert code == 0
    shown = capsys.readouterr()
    assert ("column 'skill_level' must be one of the declared skill levels ['skilled', "
            "'high_skilled'] [unknown_code]; 1 row fails, e.g. line ") in shown.out + shown.err
    assert "'high_skiled' (did you mean 'high_skilled'?)" in shown.out + shown.err


def test_validate_words_an_undeclared_level_as_the_library(run, capsys):
    folder, _, _ = run
    code = main(["validate", "--config", str(folder / "plan.toml")])
    assert code == 2
    out = capsys.readouterr().out
    assert (f"{folder / 'surveys.csv'}: surveys: column 'skill_level' must be one of the "
            "declared skill levels ['skilled', 'high_skilled'] [unknown_code]; 1 row fails, "
            "e.g. line ") in out
    assert "'high_skiled' (did you mean 'high_skilled'?)" in out
