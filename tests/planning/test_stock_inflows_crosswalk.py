"""A crosswalk splits the stock inflows of a programme's training as it splits its supply.

A welding programme recorded under construction sends 60% of its graduates
to construction and 40% to equipment; a basic programme trains for
equipment alone. Per year: welding certifies 100 new ordinary workers, 50
new technicians and 10 technicians upgraded from ordinary; basic certifies
20 new ordinary workers. By hand:

* skilled inflow (new workers): construction 0.6 x 150 = 90, equipment
  0.4 x 150 + 20 = 80 (the upgrades were skilled already);
* high-skilled inflow: construction 0.6 x 60 = 36, equipment 0.4 x 60 = 24;
* supply (upgrades between skilled levels left out): 90 and 80, the same
  split.
"""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.features import SkillLevels, stock_pipeline, training_supply
from talentgap.planning import pipeline_by_level

LEVELS = SkillLevels(order=("none", "ordinary", "technician"), high_skilled=("technician",),
                     unskilled=("none",))
TRAINING = pd.DataFrame({
    "period": "2024", "region": "North",
    "industry": ["construction", "construction", "construction", "equipment"],
    "program": ["welding", "welding", "welding", "basic"],
    "skill_level": ["ordinary", "technician", "technician", "ordinary"],
    "from_level": [None, None, "ordinary", None],
    "trained": [120, 60, 12, 25], "certified": [100, 50, 10, 20]})
CROSSWALK = pd.DataFrame({"program": ["welding", "welding", "basic"],
                          "industry": ["construction", "equipment", "equipment"],
                          "share": [0.6, 0.4, 1.0]})
#: (construction, equipment) x (skilled inflow, high-skilled inflow), persons a year.
BY_HAND = [[90.0, 36.0], [80.0, 24.0]]
INFLOWS = ["supply", "supply_high_skilled"]


def _by_industry(frame: pd.DataFrame, columns: list[str]) -> list[list[float]]:
    """Per industry (construction, equipment): the sums of ``columns``."""
    sums = frame.groupby(frame["industry"].astype(str))[columns].sum()
    return sums.loc[["construction", "equipment"]].to_numpy().tolist()


def test_stock_pipeline_splits_inflows_as_the_supply():
    inflows = stock_pipeline(TRAINING, skill_levels=LEVELS, lead_time=1, crosswalk=CROSSWALK)
    assert _by_industry(inflows, INFLOWS) == [pytest.approx(row) for row in BY_HAND]
    supply = training_supply(TRAINING, lead_time=1, crosswalk=CROSSWALK, skill_levels=LEVELS)
    assert _by_industry(supply, ["supply"]) == [pytest.approx([row[0]]) for row in BY_HAND]
    # without the crosswalk the recorded industries take everything
    recorded = stock_pipeline(TRAINING, skill_levels=LEVELS, lead_time=1)
    assert _by_industry(recorded, INFLOWS) == [pytest.approx([150.0, 60.0]),
                                               pytest.approx([20.0, 0.0])]


def test_pipeline_by_level_takes_the_mix_of_the_split_training():
    # a forecast that continues the split supply: 90 and 80 a year, then twice that
    supply = pd.DataFrame({"region": "North", "industry": ["construction", "equipment"] * 2,
                           "period": ["2025", "2025", "2026", "2026"],
                           "supply": [90.0, 80.0, 180.0, 160.0]})
    out = pipeline_by_level(supply, TRAINING, skill_levels=LEVELS, crosswalk=CROSSWALK)
    assert out["supply"].tolist() == pytest.approx([90.0, 80.0, 180.0, 160.0])
    # equipment's mix holds 40% of welding's technicians: 24 of its 80 (0 by its own rows)
    assert out["supply_high_skilled"].tolist() == pytest.approx([36.0, 24.0, 72.0, 48.0])
    first = out[out["period"] == "2025"]
    assert _by_industry(first, INFLOWS) == [pytest.approx(row) for row in BY_HAND]
