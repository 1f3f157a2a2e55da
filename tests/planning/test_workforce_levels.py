"""Workforce projections and policy needs from employment and training by skill level."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.errors import SchemaError
from talentgap.features import SkillLevels, stock_pipeline
from talentgap.models import Drift
from talentgap.planning import policy_need, project_employment, project_skilled_stock

LEVELS = SkillLevels(order=("none", "ordinary", "senior", "technician"),
                     high_skilled=("technician",), unskilled=("none",))
BY_LEVEL = pd.DataFrame({
    "region": "North", "industry": "textiles", "period": "2024",
    "skill_level": ["none", "ordinary", "senior", "technician"],
    "employment": [3000, 600, 200, 200],
})


def test_stock_by_level_with_an_upgrade_pipeline_hand_computed():
    training = pd.DataFrame({
        "period": "2024", "region": "North", "industry": "textiles",
        "skill_level": ["ordinary", "technician"], "from_level": [None, "senior"],
        "trained": [100, 40], "certified": [80, 30]})
    pipeline = stock_pipeline(training, skill_levels=LEVELS, lead_time=1)
    out = project_skilled_stock(BY_LEVEL, horizon=2, exit_rate=0.1, pipeline=pipeline,
                                skill_levels=LEVELS)
    skilled = out[out["skill_level"] == "skilled"]
    high = out[out["skill_level"] == "high_skilled"]
    # skilled: 1000 -> 0.9 * 1000 + 80 = 980 -> 0.9 * 980 = 882 (the upgrade adds nothing)
    assert skilled["stock"].tolist() == pytest.approx([980.0, 882.0])
    # high-skilled: 200 -> 0.9 * 200 + 30 = 210 -> 189
    assert high["stock"].tolist() == pytest.approx([210.0, 189.0])
    assert high["pipeline"].tolist() == [30.0, 0.0]


def test_employment_projection_from_levels_equals_the_summed_table():
    summed = pd.DataFrame({"region": "North", "industry": "textiles", "period": "2024",
                           "employment": [4000], "skilled": [1000], "high_skilled": [200]})
    years = pd.concat([BY_LEVEL, BY_LEVEL.assign(period="2025",
                                                 employment=[3100, 620, 180, 220])])
    got = project_employment(years, horizon=1, level=None, forecaster=Drift(),
                             skill_levels=LEVELS)
    # drift from 2024 to 2025: employment 4000 -> 4120, skilled 1000 -> 1020, high 200 -> 220
    assert got[["employment", "skilled", "high_skilled"]].iloc[0].tolist() == \
        pytest.approx([4240.0, 1040.0, 240.0])
    stock = project_skilled_stock(BY_LEVEL, horizon=1, exit_rate=0.0, skill_levels=LEVELS)
    plain = project_skilled_stock(summed, horizon=1, exit_rate=0.0)
    pd.testing.assert_frame_equal(stock, plain, check_dtype=False, check_categorical=False)


def test_policy_need_from_an_observed_table_by_level():
    observed = pd.DataFrame({
        "region": "North", "industry": ["textiles", "textiles", "robots", "robots"],
        "period": "2024", "skill_level": ["none", "ordinary"] * 2,
        "employment": [450, 150, 300, 100]})
    employment = pd.DataFrame({"region": "North", "industry": ["textiles", "robots"] * 2,
                               "period": ["2025", "2025", "2026", "2026"],
                               "employment": [600.0, 400.0, 600.0, 400.0]})
    stock = project_skilled_stock(observed, horizon=2, exit_rate=0.0, skill_levels=LEVELS)
    targets = pd.DataFrame({"region": ["North"], "skill_level": ["skilled"],
                            "share": [0.35], "target_year": [2026]})
    need = policy_need(employment, stock, targets, observed=observed, skill_levels=LEVELS)
    # base share 250 / 1000 = 0.25; 0.30 in 2025, 0.35 in 2026
    assert need["industry"].astype(str).tolist() == ["robots"] * 2 + ["textiles"] * 2
    assert need["policy_need"].tolist() == pytest.approx([20.0, 40.0, 30.0, 60.0])


def test_levels_in_the_stock_table_must_be_declared():
    wrong = BY_LEVEL.assign(skill_level=["none", "ordinary", "senior", "expert"])
    with pytest.raises(SchemaError, match=r"employment: column 'skill_level'.*"
                       r"line 5 \(North, textiles, expert, 2024\): 'expert'"):
        project_skilled_stock(wrong, horizon=1, skill_levels=LEVELS)
