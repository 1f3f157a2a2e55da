"""Tests of ``from_level`` (upgrade training) as a key of training supply and pass rates."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.errors import SchemaError
from talentgap.features.supply import pass_rates, training_supply


@pytest.fixture
def upgrades() -> pd.DataFrame:
    """New trainees (blank ``from_level``) and one upgrade cohort, hand-checkable."""
    return pd.DataFrame({
        "period": ["2024Q1", "2024Q1", "2024Q1", "2024Q2"],
        "region": ["North", "North", "North", "North"],
        "industry": ["textiles"] * 4,
        "skill_level": ["senior", "senior", "technician", "senior"],
        "from_level": [None, None, "senior", None],
        "trained": [100, 20, 40, 50],
        "certified": [80, 10, 30, 25],
    })


def test_blank_from_level_is_the_new_trainees_cell(upgrades):
    out = training_supply(upgrades, keys=("region", "from_level"), freq="Q")
    got = {(str(r.from_level), str(r.period)): (r.trained, r.certified, r.supply)
           for r in out.itertuples()}
    assert got == {("new trainees", "2024Q1"): (120.0, 90.0, 90.0),
                   ("new trainees", "2024Q2"): (50.0, 25.0, 25.0),
                   ("senior", "2024Q1"): (40.0, 30.0, 30.0)}
    assert upgrades["from_level"].isna().sum() == 3  # the input is not modified


def test_pass_rates_by_from_level(upgrades):
    out = pass_rates(upgrades, keys=("from_level",), freq="Q").set_index("from_level")
    assert out.loc["new trainees", "raw_pass_rate"] == pytest.approx(115 / 170)
    assert out.loc["senior", "raw_pass_rate"] == pytest.approx(30 / 40)


def test_a_level_named_like_the_label_is_refused(upgrades):
    upgrades = upgrades.assign(from_level=["new trainees", None, "senior", None])
    with pytest.raises(SchemaError, match="'from_level'.*rename") as caught:
        pass_rates(upgrades, keys=("from_level",), freq="Q")
    assert caught.value.reason == "reserved_value"
