"""``[targets] plan_level = ["skilled", "high_skilled"]``: one plan serving both national targets.

A hand case in one region and trade, with plan cells per skill level ("worker" is skilled, not
high-skilled; "technician" is high-skilled). Employment E = 400, skilled stock K = 100 of whom
H = 20 high-skilled; targets 30% skilled (of employment) and 30% high-skilled (of skilled):

- skilled need S = 0.30 * 400 - 100 = 20;
- high-skilled need N = 0.30 * (100 + 20) - 20 = 16.

A high-skilled worker is also skilled, so 16 technicians and 4 further skilled workers (of any
skilled level) meet both (120 skilled = 30% of 400; at least 36 of 120 high-skilled = 30%),
not 20 + 16 = 36 workers.
"""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap import planning
from talentgap.cli._config_checks import check_section
from talentgap.cli._targets import joint_need, plan_policy_need
from talentgap.cli.config import Config, TargetsConfig
from talentgap.errors import ConfigError

E, K, H, SHARE, HIGH = 400.0, 100.0, 20.0, 0.30, 0.30


def _config(plan_level, keys=("region", "industry", "skill_level")) -> Config:
    return Config.from_dict({
        "data": {"keys": list(keys), "skill_levels": ["entry", "worker", "technician"],
                 "high_skilled": ["technician"], "unskilled": ["entry"]},
        "plan": {"years": [2026], "budget": 1e6, "cost_per_trainee": 100},
        "targets": {"skilled_share": SHARE, "high_skilled_share": HIGH, "target_year": 2027,
                    "plan_level": plan_level}})


def _policy(skilled_stock: float = K) -> pd.DataFrame:
    """The policy need table of the hand case (as :func:`talentgap.planning.policy_need`)."""
    need = max(SHARE * E - skilled_stock, 0.0)
    return pd.DataFrame({"region": ["R"], "industry": ["x"], "period": [2027],
                         "policy_need": [need], "target_share_high_skilled": [HIGH],
                         "policy_need_high_skilled": [HIGH * (skilled_stock + need) - H]})


#: Forecast certified supply per level: most of it at the worker level.
PIPELINE = pd.DataFrame({"region": "R", "industry": "x", "skill_level": ["worker", "technician"],
                         "period": 2026, "supply": [15.0, 5.0]})


def _shares(need: pd.DataFrame) -> tuple[float, float]:
    """Plan the need (places certify and stay), then the two shares with the plan's workers."""
    needs = pd.DataFrame({"region": "R", "industry": "x",
                          "skill_level": ["worker", "technician"], "period": "2027",
                          "gap": 0.0})
    plan = planning.allocate_quotas(
        needs, periods=[2026], budget=1e6, cost_per_trainee=100, pass_rate=1.0,
        exit_rate=0.0, keys=("region", "industry", "skill_level"), integer="none",
        policy_need=need.assign(period=need["period"].astype(str)))
    q = plan.quotas.set_index("skill_level")["quota"]
    skilled = K + q.sum()
    return skilled / E, (H + q["technician"]) / skilled


def test_the_joint_need_counts_each_worker_once():
    parts = joint_need(_policy())
    assert parts["need_high_skilled"].item() == pytest.approx(16.0)
    assert parts["need_skilled"].item() == pytest.approx(4.0)
    # high-skilled need above the skilled need: the technicians also raise the skilled count
    # (K = 118: S = 2, N = 0.3 * 120 - 20 = 16; (20 + a) / (118 + a) = 0.3 gives a = 22)
    parts = joint_need(_policy(skilled_stock=118.0))
    assert parts["need_high_skilled"].item() == pytest.approx(22.0)
    assert parts["need_skilled"].item() == 0.0
    assert (H + 22.0) / (118.0 + 22.0) == pytest.approx(HIGH)


def test_a_plan_for_both_levels_meets_both_targets_exactly():
    need = plan_policy_need(_policy(), PIPELINE, _config(["skilled", "high_skilled"]))
    by_level = need.set_index("skill_level")["policy_need"]
    # the 16 technicians at their level; the 4 others over the skilled levels by supply
    assert by_level["technician"] == pytest.approx(16.0 + 4.0 * 5 / 20)
    assert by_level["worker"] == pytest.approx(4.0 * 15 / 20)
    assert need["policy_need"].sum() == pytest.approx(20.0)   # not 20 + 16
    skilled, high = _shares(need)
    assert skilled == pytest.approx(SHARE)
    # 16 + 1 technicians of 120 skilled: the further skilled workers may be technicians too
    assert high == pytest.approx((H + 17.0) / 120.0)
    assert high >= HIGH


def test_a_plan_for_the_skilled_level_alone_misses_the_high_skilled_target():
    need = plan_policy_need(_policy(), PIPELINE, _config("skilled"))
    skilled, high = _shares(need)
    assert skilled == pytest.approx(SHARE)
    assert high < HIGH - 0.05     # 20 + 5 of 120 technicians: about 21%


def test_both_levels_need_cells_by_skill_level():
    with pytest.raises(ConfigError, match="skill_level"):
        plan_policy_need(_policy(), PIPELINE,
                         _config(["skilled", "high_skilled"], keys=("region", "industry")))


def test_plan_level_takes_one_level_or_a_list_of_them():
    assert check_section("targets", TargetsConfig, {"plan_level": ["high_skilled", "skilled"]},
                         "", None) == {"plan_level": ("high_skilled", "skilled")}
    assert TargetsConfig(plan_level=("high_skilled", "skilled")).plan_levels == (
        "skilled", "high_skilled")
    with pytest.raises(ConfigError, match=r"plan_level must be one of .*got 'expert'"):
        check_section("targets", TargetsConfig, {"plan_level": ["skilled", "expert"]}, "", None)
    with pytest.raises(ConfigError, match="without repeats"):
        check_section("targets", TargetsConfig, {"plan_level": ["skilled", "skilled"]}, "", None)
