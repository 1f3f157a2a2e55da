"""A programme plan values a place's policy workers at its cell's past programme mix: warned.

Region N; programme ``basic`` trains new technicians (high-skilled) and
sends half of them to industry A, half to B; ``upgrade`` only upgrades
ordinary workers of B to technicians. Cell B's ratio of policy workers per
new worker is that of its past mix (80 x 0.5 new and high-skilled from basic,
10 upgraded: 50 / 40 = 1.25), while a basic place brings 1 and an upgrade
place brings high-skilled workers and no new one: the programme plan values
both at 1.25 per new worker, so it warns about B (not about A, fed by basic
alone). A plan by cell buys the cell's mix itself: no warning.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning
from talentgap.features import SkillLevels
from talentgap.planning._place_entrants import (
    policy_per_worker,
    unit_keys,
    warn_mixed_programme_yields,
)

KEYS = ["region", "industry"]
LEVELS = SkillLevels(order=["ordinary", "technician"], high_skilled=["technician"])
TRAINING = pd.DataFrame({"period": "2025", "region": "N", "industry": ["A", "B"],
                         "program": ["basic", "upgrade"], "skill_level": "technician",
                         "from_level": [None, "ordinary"], "trained": [100, 12],
                         "certified": [80, 10]})
CROSSWALK = pd.DataFrame({"program": ["basic", "basic", "upgrade"],
                          "industry": ["A", "B", "B"], "share": [0.5, 0.5, 1.0]})


def _shares(keys, crosswalk=None) -> pd.DataFrame:
    mix = tg.planning.place_shares(TRAINING, skill_levels=LEVELS, keys=keys,
                                   crosswalk=crosswalk)
    mix = mix.assign(**{k: mix[k].astype(str) for k in keys}, policy_share=mix["high_skilled"])
    return mix[[*keys, "entrants", "policy_share"]]


def _caught(shares, crosswalk) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_mixed_programme_yields(shares, KEYS, crosswalk)
    return [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]


def test_the_cell_ratio_is_the_past_mix():
    per = policy_per_worker([_shares(KEYS, CROSSWALK)], KEYS).set_index("industry")
    assert per.loc["B", "per_worker"] == pytest.approx(1.25)   # 50 / 40, by hand
    assert per.loc["A", "per_worker"] == pytest.approx(1.0)


def test_a_programme_plan_with_programmes_of_different_yields_warns():
    shares = [_shares(KEYS, CROSSWALK), _shares(unit_keys(KEYS, CROSSWALK))]
    messages = _caught(shares, CROSSWALK)
    assert len(messages) == 1
    assert messages[0].startswith("1 cell(s) of the programme plan")
    assert "N / B (basic 1.00, upgrade only upgrades)" in messages[0]
    assert "N / A" not in messages[0] and "past programme mix" in messages[0]


def test_programmes_of_one_yield_do_not_warn():
    crosswalk = CROSSWALK.assign(industry=["A", "B", "C"])   # upgrade feeds C alone
    shares = [_shares(KEYS, crosswalk), _shares(unit_keys(KEYS, crosswalk))]
    assert _caught(shares, crosswalk) == []


def test_a_plan_by_cell_does_not_warn():
    assert _caught([_shares(KEYS, CROSSWALK), _shares(unit_keys(KEYS, CROSSWALK))],
                   None) == []
    assert _caught([_shares(KEYS)], None) == []
