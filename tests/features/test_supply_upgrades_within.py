"""Supply counts the certified who enter a cell's set of levels: upgrades by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.features import SkillLevels, build_panel
from talentgap.features.supply import training_supply, upgrades_within

LEVELS = SkillLevels(order=("none", "ordinary", "senior", "technician"),
                     high_skilled=("technician",), unskilled=("none",))
#: One cell, one quarter: 50 new ordinary workers, 20 from no certificate to ordinary, 30
#: senior workers upgraded to technician, 8 ordinary workers upgraded to senior.
TRAINING = pd.DataFrame({
    "period": "2024Q1", "region": "North", "industry": "textiles",
    "program": ["basic", "entry", "tech", "senior"],
    "skill_level": ["ordinary", "ordinary", "technician", "senior"],
    "from_level": [None, "none", "senior", "ordinary"],
    "trained": [60, 25, 40, 10], "certified": [50, 20, 30, 8],
})


def test_a_cell_without_a_level_key_counts_new_workers_only():
    out = training_supply(TRAINING, freq="Q", lead_time=1, absorption=0.5,
                          skill_levels=LEVELS)
    row = out.iloc[0]
    # 50 new + 20 from the unskilled level; the upgrades 30 and 8 hold jobs there already
    assert (str(row["period"]), row["trained"], row["certified"]) == ("2024Q2", 85.0, 70.0)
    assert row["supply"] == pytest.approx(35.0)
    assert row["n_programs"] == 2
    assert row["pass_rate"] == pytest.approx(70 / 85)
    assert TRAINING["certified"].tolist() == [50, 20, 30, 8]  # the input is not modified


def test_without_declared_levels_every_from_level_is_an_upgrade():
    out = training_supply(TRAINING, freq="Q")
    assert out["supply"].tolist() == [50.0]  # 'none' is not known to be unskilled
    assert upgrades_within(TRAINING).tolist() == [False, True, True, True]
    # a bare order declares no level unskilled either
    assert upgrades_within(TRAINING, skill_levels=LEVELS.order).tolist() == [
        False, True, True, True]


def test_a_cell_keyed_by_level_counts_upgrades_into_it():
    out = training_supply(TRAINING, keys=("region", "skill_level"), freq="Q",
                          skill_levels=LEVELS)
    got = dict(zip(out["skill_level"].astype(str), out["supply"], strict=True))
    assert got == {"ordinary": 70.0, "senior": 8.0, "technician": 30.0}


def test_a_crosswalk_spreads_only_the_counted_cohorts():
    crosswalk = pd.DataFrame({"program": ["basic", "entry", "tech", "senior", "tech"],
                              "industry": ["textiles", "textiles", "textiles", "textiles",
                                           "clothing"],
                              "share": [1.0, 1.0, 0.5, 1.0, 0.5]})
    out = training_supply(TRAINING, freq="Q", crosswalk=crosswalk, skill_levels=LEVELS)
    got = dict(zip(out["industry"].astype(str), out["supply"], strict=True))
    assert got == {"textiles": 70.0, "clothing": 0.0}


def test_the_panel_supply_is_that_of_the_training_without_its_upgrades():
    quarters = pd.period_range("2022Q1", "2024Q4", freq="Q").astype(str)
    rng = np.random.default_rng(0)
    surveys = pd.DataFrame({
        "period": np.repeat(quarters, 3), "enterprise_id": np.tile(["E1", "E2", "E3"], 12),
        "region": "North", "industry": "textiles", "employees": 50,
        "vacancies": rng.integers(2, 6, 36), "hard_to_fill": 1, "reports_shortage": 1})
    training = pd.concat([TRAINING.assign(period=q) for q in quarters], ignore_index=True)
    options = {"freq": "Q", "lead_time": 1, "skill_levels": LEVELS}
    with pytest.warns(Warning):
        full = build_panel(surveys, training, **options)
    kept = ~upgrades_within(training, skill_levels=LEVELS)
    with pytest.warns(Warning):
        new_only = build_panel(surveys, training[kept], **options)
    pd.testing.assert_series_equal(full["supply"], new_only["supply"])
    assert full["supply"].dropna().unique().tolist() == [70.0]
