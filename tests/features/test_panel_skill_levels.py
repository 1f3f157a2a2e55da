"""Employment by skill level: the panel's employment per skill-level cell, or summed."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.errors import SchemaError
from talentgap.features import build_panel
from talentgap.schema import validate

SURVEYS = pd.DataFrame({
    "period": ["2024"] * 4, "enterprise_id": ["E1", "E1", "E2", "E3"],
    "region": ["Ouhai"] * 4, "industry": ["textiles"] * 4,
    "employees": [100, 100, 40, 60], "vacancies": [3, 2, 1, 4], "hard_to_fill": [2, 2, 0, 1],
    "reports_shortage": [1, 1, 0, 1], "skill_level": ["ordinary", "high", "ordinary", "high"],
})
EMPLOYMENT = pd.DataFrame({
    "period": ["2024", "2024"], "region": ["Ouhai", "Ouhai"], "industry": ["textiles"] * 2,
    "skill_level": ["ordinary", "high"], "employment": [9000, 1000],
})


def test_employment_by_skill_level_fills_the_skill_level_cells():
    panel = build_panel(SURVEYS, employment=EMPLOYMENT, freq="Y",
                        keys=("region", "industry", "skill_level"))
    got = dict(zip(panel["skill_level"].astype(str), panel["employment"], strict=True))
    assert got == {"high": 1000, "ordinary": 9000}
    demand = dict(zip(panel["skill_level"].astype(str), panel["demand"], strict=True))
    assert demand == {"high": 2 + 1, "ordinary": 2 + 0}


def test_employment_by_skill_level_sums_to_the_cell_without_it():
    panel = build_panel(SURVEYS, employment=EMPLOYMENT, freq="Y", keys=("region", "industry"))
    assert panel["employment"].tolist() == [10000]
    assert panel["employees"].tolist() == [200]  # E1 counted once


def test_employment_is_unique_per_cell_period_and_skill_level():
    twice = pd.concat([EMPLOYMENT, EMPLOYMENT.iloc[[0]].assign(employment=5)])
    with pytest.raises(SchemaError, match=r"region, industry, skill_level.*duplicate_key"):
        validate(twice, table="employment")
    # without the level, two rows of one cell-period are still a conflict
    with pytest.raises(SchemaError, match="duplicate_key"):
        validate(EMPLOYMENT.drop(columns="skill_level"), table="employment")
