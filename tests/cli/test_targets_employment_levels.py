"""``[targets]`` on an employment table by ``skill_level`` with no ``[data] skill_levels``."""

from __future__ import annotations

import pandas as pd

from talentgap.cli._targets import _employment
from talentgap.cli.config import Config
from talentgap.schema import validate

LEVELS = {"skill_levels": ["none", "ordinary", "technician"], "high_skilled": ["technician"],
          "unskilled": ["none"]}


def _table() -> pd.DataFrame:
    """Two cells x one quarter, three levels each, with the skilled columns of every row."""
    return validate(pd.DataFrame({
        "period": "2024Q1", "region": "North",
        "industry": ["textiles"] * 3 + ["construction"] * 3,
        "skill_level": ["none", "ordinary", "technician"] * 2,
        "employment": [700, 200, 100, 50, 30, 20],
        "skilled": [0, 200, 100, 0, 30, 20],
        "high_skilled": [0, 0, 100, 0, 0, 20]}), table="employment", freq="Q")


def _cells(config: Config) -> dict:
    out = _employment({"employment": _table()}, config, by_cell=True)
    return {str(r.industry): (r.employment, r.skilled, r.high_skilled)
            for r in out.itertuples()}


def test_levels_not_declared_add_up_per_cell_as_the_declared_ones_do():
    plain = Config.from_dict({"data": {"freq": "Q"}})
    declared = Config.from_dict({"data": {"freq": "Q", **LEVELS}})
    assert _cells(plain) == {"textiles": (1000, 300, 100), "construction": (100, 50, 20)}
    assert _cells(plain) == _cells(declared)
    whole = _employment({"employment": _table()}, plain)  # the table the years come from
    assert len(whole) == 2 and "skill_level" not in whole.columns
