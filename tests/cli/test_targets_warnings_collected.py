"""The policy-need warnings of a multi-year plan reach an enclosing collect_warnings."""

from __future__ import annotations

import warnings

import pandas as pd

from talentgap.cli._targets import _stock_inflows, need_by_level
from talentgap.cli.config import Config
from talentgap.errors import DataQualityWarning, collect_warnings


def _collected(call):
    """What ``call()`` warns, as collected, and what reached the warnings module meanwhile."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with collect_warnings() as caught:
            out = call()
    return out, [(type(w), str(w)) for w in caught], seen


def test_a_need_no_level_of_the_plan_trains_for_is_collected():
    config = Config.from_dict({"data": {"keys": ["region", "industry", "skill_level"],
                                        "skill_levels": ["ordinary", "technician"],
                                        "high_skilled": ["technician"]}})
    supply = pd.DataFrame({"region": "N", "industry": "A", "skill_level": "ordinary",
                           "period": pd.period_range("2025Q1", periods=2, freq="Q"),
                           "supply": [3.0, 5.0]})
    need = pd.DataFrame({"region": "N", "industry": ["A", "B"],
                         "period": pd.Period("2026", "Y"), "policy_need": [8.0, 4.0]})
    out, caught, seen = _collected(lambda: need_by_level(need, supply, config, "skilled"))
    assert caught == [(DataQualityWarning,
                       "1 cell(s) have a policy need but no skilled level to train for it in "
                       "the plan, e.g. N / B; that need is left out of the plan")]
    assert seen == []
    assert out["policy_need"].tolist() == [8.0]  # cell A's need, on its one level


def test_a_high_skilled_target_without_levels_is_collected():
    config = Config.from_dict({})
    supply = pd.DataFrame({"region": "N", "industry": "A", "period": ["2025Q1"],
                           "supply": [3.0]})
    out, caught, seen = _collected(
        lambda: _stock_inflows(config, {}, supply, high_target=True))
    assert [category for category, _ in caught] == [DataQualityWarning]
    assert caught[0][1].startswith("the projected high-skilled stock gets no inflow from "
                                   "training, since [data] skill_levels are not declared")
    assert seen == []
    assert out is supply
