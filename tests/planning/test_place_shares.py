"""A plan's places counted by the stocks' net-inflow rule (place_shares), by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.errors import ParameterError
from talentgap.features import SkillLevels
from talentgap.planning import place_shares

LEVELS = SkillLevels(order=("none", "ordinary", "senior", "technician"),
                     high_skilled=("technician",), unskilled=("none",))


def _training(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (period, program, skill_level, from_level, certified); trained = certified + 5."""
    table = pd.DataFrame(rows, columns=["period", "program", "skill_level", "from_level",
                                        "certified"])
    return table.assign(region="North", industry="textiles", trained=table["certified"] + 5)


TRAINING = _training([
    ("2023", "basic", "ordinary", None, 500),        # not in the last year: ignored
    ("2024", "basic", "ordinary", None, 60),
    ("2024", "entry", "ordinary", "none", 20),       # from no certificate: new skilled
    ("2024", "upgrade", "technician", "senior", 30),  # skilled already: high-skilled only
    ("2024", "direct", "technician", None, 10),      # new technicians: both stocks
])


def test_each_programme_by_its_own_levels():
    out = place_shares(TRAINING, skill_levels=LEVELS, keys=("program",)).set_index("program")
    assert out.loc["upgrade", ["entrants", "skilled", "high_skilled"]].tolist() == [0, 0, 1]
    assert out.loc["direct", ["entrants", "skilled", "high_skilled"]].tolist() == [1, 1, 1]
    assert out.loc["entry", ["entrants", "skilled", "high_skilled"]].tolist() == [1, 1, 0]
    assert out.loc["basic", "certified"] == 60.0  # the last year's output only


def test_a_cell_by_its_last_years_mix():
    out = place_shares(TRAINING, skill_levels=LEVELS).iloc[0]
    # 2024: 120 certified, 90 new to the cell (60 + 20 + 10), 90 new skilled workers
    # (the upgrade's 30 were skilled), 40 new high-skilled (30 upgraded + 10 direct)
    assert out["certified"] == 120.0
    assert (out["entrants"], out["skilled"], out["high_skilled"]) == pytest.approx(
        (90 / 120, 90 / 120, 40 / 120))


def test_a_level_cell_by_the_origins_of_its_cohorts():
    out = place_shares(TRAINING, skill_levels=LEVELS, keys=("region", "skill_level"))
    got = {str(r.skill_level): (r.entrants, r.skilled, r.high_skilled)
           for r in out.itertuples()}
    # a level cell counts an upgrade into it as entering it; its stocks by net inflows
    assert got["technician"] == pytest.approx((1.0, 10 / 40, 1.0))
    assert got["ordinary"] == pytest.approx((1.0, 1.0, 0.0))


def test_levels_must_be_declared():
    with pytest.raises(ParameterError, match="skill_levels must be declared"):
        place_shares(TRAINING, skill_levels=None)
    with pytest.raises(ParameterError, match="no 'skill_level' column"):
        place_shares(TRAINING.drop(columns=["skill_level", "from_level"]),
                     skill_levels=LEVELS)
