"""Policy targets that are valid but probably mistyped, and a target year equal to the base."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning
from talentgap.planning import policy_need, project_skilled_stock

YEARS = ["2025", "2026", "2027"]


@pytest.fixture
def observed() -> pd.DataFrame:
    """North: skilled 25% of employment, high-skilled 30% of skilled; South: 20%, 20%."""
    rows = pd.DataFrame({
        "region": ["North", "North", "South"],
        "industry": ["textiles", "robots", "textiles"],
        "employment": [600, 400, 500],
        "skilled": [150, 100, 100],
        "high_skilled": [40, 35, 20],
    })
    return pd.concat([rows.assign(period="2023"), rows.assign(period="2024")],
                     ignore_index=True)


@pytest.fixture
def projections(observed):
    last = observed[observed["period"] == "2024"].drop(columns=["skilled", "high_skilled"])
    employment = pd.concat([last.assign(period=y) for y in YEARS], ignore_index=True).assign(
        employment=lambda d: d["employment"].astype(float))
    stock = project_skilled_stock(observed, horizon=len(YEARS), exit_rate=0.0)
    return employment, stock


def _need(projections, observed, **columns):
    employment, stock = projections
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        need = policy_need(employment, stock, pd.DataFrame(columns), observed=observed)
    return need, [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]


def test_a_target_year_equal_to_the_base_year_holds_the_target_from_then_on(projections,
                                                                             observed):
    need, messages = _need(projections, observed, region=["North"], skill_level=["skilled"],
                           share=[0.30], target_year=[2024])
    assert messages == ["the skilled target of region 'North' is due in the base year 2024: "
                        "the target share holds from then on, with no path towards it; check "
                        "target_year"]
    robots = need[need["industry"] == "robots"]
    assert robots["target_share"].tolist() == pytest.approx([0.30, 0.30, 0.30])
    # region need 0.30 * 1000 - 250 = 50 in every year, shared 600:400
    assert robots["policy_need"].tolist() == pytest.approx([20.0, 20.0, 20.0])


def test_delta_points_written_as_a_fraction_are_warned_with_the_points_meant(projections,
                                                                               observed):
    need, messages = _need(projections, observed, region=["*"], skill_level=["high_skilled"],
                           delta_points=[0.025], target_year=[2027])
    assert len(messages) == 1
    assert "0.025 percentage points" in messages[0]
    assert "did you mean 2.5 points?" in messages[0]
    assert "2 regions (e.g. 'North', 'South')" in messages[0]
    assert need["target_share_high_skilled"].notna().all()  # a warning, not an error


def test_delta_points_above_twenty_are_warned_with_the_share_they_reach(projections,
                                                                          observed):
    _, messages = _need(projections, observed, region=["North"], skill_level=["high_skilled"],
                        delta_points=[25.0], target_year=[2027])
    assert len(messages) == 1
    # North: 75 of 250 skilled are high-skilled (30%); + 25 points = 55%
    assert "by 25 percentage points (e.g. 'North' from 30.0% to 55.0%)" in messages[0]


def test_a_target_share_below_the_observed_share_is_warned(projections, observed):
    need, messages = _need(projections, observed, region=["North", "South"],
                           skill_level=["high_skilled", "high_skilled"],
                           share=[0.035, 0.35], target_year=[2027, 2027])
    assert len(messages) == 1
    assert ("high_skilled target share 3.5% is below the share observed in the base year in "
            "1 region ('North' 30.0%): a target is a floor, so the path is the target share "
            "itself") in messages[0]
    assert "did you mean 35%?" in messages[0]
    north = need[(need["region"] == "North") & (need["industry"] == "robots")]
    assert np.all(north["target_share_high_skilled"].to_numpy() == 0.035)


def test_plausible_targets_raise_no_warning(projections, observed):
    _, messages = _need(projections, observed, region=["North", "*"],
                        skill_level=["high_skilled", "high_skilled"],
                        share=[0.35, np.nan], delta_points=[np.nan, 2.5],
                        target_year=[2027, 2027])
    assert messages == []
