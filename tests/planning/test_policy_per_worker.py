"""A multi-year plan counts its market and policy needs each by its own yield.

Two cells need 40 workers each (the market need) and 30 high-skilled workers
each (the policy need). A place of A trains new high-skilled workers only: it
yields 1 worker new to A and 1 high-skilled worker. Half of B's training
upgrades workers B already employs: a place of B yields 0.5 workers new to B
(absorption 0.5) and 1 high-skilled worker, so ``per_worker`` is 1 / 0.5 = 2.
With 30 places (cost 1, budget 30, at most 20 per cell) a place of A removes
1 + 1 persons of shortfall, one of B 0.5 + 1: A gets its 20 places, B the
other 10, which fill 5 vacancies and add 10 high-skilled workers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import PlanningError
from talentgap.features import SkillLevels
from talentgap.planning._place_entrants import policy_per_worker, with_per_worker

NEEDS = pd.DataFrame({"region": "N", "industry": ["A", "B"], "period": "2027",
                      "gap": [40.0, 40.0]})
POLICY = pd.DataFrame({"region": "N", "industry": ["A", "B"], "period": "2027",
                       "policy_need": [30.0, 30.0]})
SHARES = pd.DataFrame({"region": "N", "industry": ["A", "B"], "entrants": [1.0, 0.5],
                       "policy_share": [1.0, 1.0]})


def _plan(policy: pd.DataFrame, absorption_b: float = 0.5):
    return tg.planning.allocate_quotas(
        NEEDS, periods=[2026], budget=30.0, cost_per_trainee=1.0, pass_rate=1.0,
        exit_rate=0.0, lead_time=1, capacity=20, integer="none", policy_need=policy,
        absorption=pd.DataFrame({"industry": ["A", "B"], "absorption": [1.0, absorption_b]}))


def test_the_per_worker_column_is_each_cells_policy_yield_per_new_worker():
    per = policy_per_worker([SHARES], ["region", "industry"])
    assert per["per_worker"].tolist() == [1.0, 2.0]
    assert with_per_worker(POLICY, per, ["region", "industry"])["per_worker"].tolist() == [
        1.0, 2.0]


# Two programmes feed B: "basic" certifies 80 new technicians (high-skilled) and sends half
# of them to A, half to B; "upgrade" certifies 10 of B's ordinary workers as technicians.
# Weighted by the certified workers each sends B (40 and 10): 40 new of 50, 50 high-skilled,
# r_B = 50 / 40 = 1.25. Weighted by the crosswalk shares alone (0.5 and 1) it would be
# (0.5 x 1 + 1 x 1) / (0.5 x 1 + 1 x 0) = 3.
LEVELS = SkillLevels(order=["ordinary", "technician"], high_skilled=["technician"])
TRAINING = pd.DataFrame({"period": "2025", "region": "N", "industry": ["A", "B"],
                         "program": ["basic", "upgrade"], "skill_level": "technician",
                         "from_level": [None, "ordinary"], "trained": [100, 12],
                         "certified": [80, 10]})
CROSSWALK = pd.DataFrame({"program": ["basic", "basic", "upgrade"],
                          "industry": ["A", "B", "B"], "share": [0.5, 0.5, 1.0]})


def _cell_shares() -> pd.DataFrame:
    mix = tg.planning.place_shares(TRAINING, skill_levels=LEVELS, keys=("region", "industry"),
                                   crosswalk=CROSSWALK)
    return mix.assign(policy_share=mix["high_skilled"])[
        ["region", "industry", "entrants", "policy_share"]]


def test_a_crosswalk_weights_the_programmes_by_the_workers_they_send_the_cell():
    shares = _cell_shares()
    assert shares.set_index("industry")["entrants"].to_dict() == pytest.approx(
        {"A": 1.0, "B": 0.8})
    per = policy_per_worker([shares], ["region", "industry"]).set_index("industry")
    assert per["per_worker"].to_dict() == pytest.approx({"A": 1.0, "B": 1.25})
    # the programmes' own table is not read for cells: only the cells' own
    programmes = pd.DataFrame({"program": ["basic", "upgrade"], "region": "N",
                               "entrants": [1.0, 0.0], "policy_share": [1.0, 1.0]})
    assert policy_per_worker([programmes], ["region", "industry"]) is None


def test_the_rule_counts_the_high_skilled_workers_a_programme_plan_brings():
    # places bought as the programmes trained (80 and 10, each yielding its new workers:
    # absorption 1 and 0): B gets 40 new workers and 0.5 x 80 + 10 = 50 high-skilled ones,
    # which r_B W_B counts exactly (the crosswalk shares alone would count 3 x 40 = 120)
    needs = NEEDS.assign(gap=100.0)
    policy = with_per_worker(POLICY.assign(policy_need=100.0),
                             policy_per_worker([_cell_shares()], ["region", "industry"]),
                             ["region", "industry"])
    places = pd.DataFrame({"program": ["basic", "upgrade"], "quota": [80.0, 10.0]})
    plan = tg.planning.allocate_quotas(
        needs, periods=[2026], crosswalk=CROSSWALK, budget=90.0, cost_per_trainee=1.0,
        pass_rate=1.0, exit_rate=0.0, lead_time=1, integer="none", policy_need=policy,
        absorption=pd.DataFrame({"program": ["basic", "upgrade"], "absorption": [1.0, 0.0]}),
        min_quota=places.rename(columns={"quota": "min_quota"}),
        capacity=places.rename(columns={"quota": "capacity"}))
    assert plan.quotas.set_index("program")["quota"].to_dict() == pytest.approx(
        {"basic": 80.0, "upgrade": 10.0})
    cells = plan.cells.set_index("industry")
    np.testing.assert_allclose(cells["workers"], [40.0, 40.0], atol=1e-9)
    np.testing.assert_allclose(cells["policy_workers"], [40.0, 50.0], atol=1e-9)


def test_each_need_counts_the_places_by_its_own_yield():
    plan = _plan(with_per_worker(POLICY, policy_per_worker([SHARES], ["region", "industry"]),
                                 ["region", "industry"]))
    quotas = plan.quotas.set_index("industry")
    np.testing.assert_allclose(quotas["quota"], [20.0, 10.0], atol=1e-6)
    cells = plan.cells.set_index("industry")
    np.testing.assert_allclose(cells["workers"], [20.0, 5.0], atol=1e-6)  # vacancies filled
    np.testing.assert_allclose(cells["policy_workers"], [20.0, 10.0], atol=1e-6)
    np.testing.assert_allclose(cells["policy_workers"] / quotas["quota"], [1.0, 1.0])
    np.testing.assert_allclose(cells["policy_need"], [30.0, 30.0])  # persons, as given
    np.testing.assert_allclose(cells["policy_shortfall_after"], [10.0, 20.0], atol=1e-6)
    summary = plan.summary
    assert summary["shortfall_after"] == pytest.approx(55.0, abs=1e-6)
    assert summary["policy_shortfall_before"] == pytest.approx(60.0)
    assert summary["policy_shortfall_after"] == pytest.approx(30.0, abs=1e-6)
    assert summary["objective"] == pytest.approx(85.0, abs=1e-6)
    assert summary["lp_objective"] == pytest.approx(85.0, abs=1e-6)
    years = plan.years.set_index(plan.years["period"].astype(str))
    assert years.loc["2027", "policy_shortfall_after"] == pytest.approx(30.0, abs=1e-6)


def test_one_yield_for_both_needs_overstates_the_vacancies_filled():
    # the whole yield (absorption 1 in B, per_worker 1): B's 10 places "fill" 10 vacancies
    plan = _plan(POLICY, absorption_b=1.0)
    assert plan.cells.set_index("industry")["workers"].sum() == pytest.approx(30.0, abs=1e-6)
    assert "policy_workers" not in plan.cells.columns


def test_a_cell_whose_places_add_no_policy_worker_keeps_its_policy_need():
    policy = POLICY.assign(per_worker=[1.0, 0.0])
    plan = _plan(policy)
    cells = plan.cells.set_index("industry")
    assert cells.loc["B", "policy_shortfall_after"] == pytest.approx(30.0)
    assert cells.loc["B", "policy_workers"] == 0.0
    # A's places remove 2 persons each, B's 0.5: A 20, B 10 places (5 vacancies)
    summary = plan.summary
    assert summary["policy_shortfall_after"] == pytest.approx(10.0 + 30.0, abs=1e-6)
    assert summary["objective"] == pytest.approx(20.0 + 35.0 + 40.0, abs=1e-6)
    assert summary["lp_objective"] == pytest.approx(summary["objective"], abs=1e-6)


def test_per_worker_must_be_one_number_per_cell():
    twice = pd.concat([POLICY.assign(period="2028"), POLICY], ignore_index=True)
    needs = pd.concat([NEEDS.assign(period="2028"), NEEDS], ignore_index=True)
    with pytest.raises(PlanningError, match="'per_worker' of the policy_need table must be "
                                            "the same on every row of a cell"):
        tg.planning.allocate_quotas(needs, periods=[2026], budget=30.0, cost_per_trainee=1.0,
                                    pass_rate=1.0, exit_rate=0.0, lead_time=1,
                                    policy_need=twice.assign(per_worker=[1.0, 2.0, 1.0, 3.0]))
    with pytest.raises(PlanningError, match="'per_worker' of the policy_need table"):
        _plan(POLICY.assign(per_worker=[1.0, -1.0]))
