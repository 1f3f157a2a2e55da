"""``[data] on_invalid = "skip"``: the panel has the cells of a run without rejected rows.

The cells come from the tables that define demand and supply (surveys and
training), whatever is skipped: an employment table naming a level no survey
or training row has (the unskilled) adds no cell.
"""

from __future__ import annotations

import pandas as pd
from _constant_cohorts import write_constant_cohorts

from talentgap.cli.config import Config
from talentgap.cli.pipeline import run

WORKERS = {"unskilled": 3000, "skilled": 700, "high_skilled": 300}
CERTIFIED = {"skilled": 30, "high_skilled": 10}
KEYS = ["region", "industry", "skill_level"]


def cells(folder, **data) -> set:
    config = Config.from_dict({"data": {
        "surveys": "surveys.csv", "training": "training.csv", "employment": "employment.csv",
        "freq": "Q", "keys": KEYS, "skill_levels": ["unskilled", "skilled", "high_skilled"],
        "high_skilled": ["high_skilled"], "unskilled": ["unskilled"], **data}}, base=folder)
    panel = run(config, steps=("features",)).panel
    return set(panel[KEYS].astype(str).itertuples(index=False, name=None))


def test_skipped_rows_add_no_cell_of_the_employment_table(tmp_path):
    write_constant_cohorts(tmp_path, WORKERS, CERTIFIED, detail=True)
    clean = cells(tmp_path)
    surveys = pd.read_csv(tmp_path / "surveys.csv")
    surveys.loc[3, "hard_to_fill"] = surveys.loc[3, "vacancies"] + 5  # one row breaks a rule
    surveys.to_csv(tmp_path / "surveys.csv", index=False)
    skipped = cells(tmp_path, on_invalid="skip")
    assert {level for *_, level in clean} == {"skilled", "high_skilled"}
    assert skipped == clean
