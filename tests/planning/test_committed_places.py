"""Places already funded (``committed=``): counted before a multi-year plan's places."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import PlanningError
from talentgap.planning import allocate_quotas

# One cell; needs in 2026 and 2027; 10% leave a year; lead time 1; yield 0.5 x 0.8 = 0.4.
NEEDS = pd.DataFrame({"region": "Northvale", "industry": "A", "period": ["2026", "2027"],
                      "gap": [50.0, 101.0]})
DONE = pd.DataFrame({"region": ["Northvale"], "industry": ["A"], "period": [2025],
                     "places": [100]})
ARGS = {"periods": [2025, 2026], "cost_per_trainee": 100.0, "pass_rate": 0.5,
        "absorption": 0.8, "lead_time": 1, "exit_rate": 0.1}


def _plan(**kw):
    return allocate_quotas(NEEDS, **{"budget": 1e6, **ARGS, **kw})


def test_hand_computed_workers_reduce_needs_and_the_plan_funds_the_rest():
    # 100 places of 2025 certify 100 x 0.4 = 40 workers in 2026, 40 x 0.9 = 36 in 2027.
    # The needs left: 50 - 40 = 10 in 2026 (25 places of 2025, 9 of whom stay into 2027)
    # and 101 - 36 - 9 = 56 in 2027 (140 places of 2026).
    plan = _plan(committed=DONE, integer="none")
    assert plan.quotas["quota"].round(6).tolist() == [25.0, 140.0]
    cells = plan.cells
    assert cells["committed_workers"].tolist() == pytest.approx([40.0, 36.0])
    assert cells["gap_before"].tolist() == pytest.approx([10.0, 65.0])
    assert cells["shortfall_before"].tolist() == pytest.approx([10.0, 65.0])
    assert cells["shortfall_after"].tolist() == pytest.approx([0.0, 0.0], abs=1e-9)
    assert cells["workers"].tolist() == pytest.approx([10.0, 65.0])
    years = plan.years.set_index(plan.years["period"].astype(str))
    assert years.loc["2027", "committed_workers"] == pytest.approx(36.0)
    s = plan.summary
    assert s["committed_places"] == 100.0
    assert s["committed_arriving"] == pytest.approx(40.0)
    assert s["committed_workers"] == pytest.approx(76.0)
    assert "already funded" in s["before_plan"]
    assert any("100 places were already funded" in n for n in plan.notes)
    # whole places: the same plan
    assert _plan(committed=DONE).quotas["quota"].tolist() == [25, 140]


def test_without_committed_places_the_plan_funds_them_again():
    plan = _plan(integer="none")
    # 2026's need of 50 takes 125 places of 2025 (45 stay into 2027), 2027's 56 more: 140
    assert plan.quotas["quota"].round(6).tolist() == [125.0, 140.0]
    assert "committed_workers" not in plan.cells.columns
    assert "before_plan" not in plan.summary.index


def test_committed_places_cost_nothing_in_the_budget():
    # 165 places fill the needs left; a budget of exactly 16,500 buys them
    plan = _plan(committed=DONE, budget=16_500, integer="none")
    assert plan.quotas["quota"].round(6).tolist() == [25.0, 140.0]
    assert plan.summary["total_cost"] == pytest.approx(16_500)


def test_committed_places_funded_before_the_need_periods_count_with_exits():
    # funded in 2023: certified in 2024, 40 x 0.9^2 = 32.4 in 2026, 29.16 in 2027
    done = DONE.assign(period=[2023])
    plan = _plan(committed=done, integer="none")
    assert plan.cells["committed_workers"].tolist() == pytest.approx([32.4, 29.16])
    assert plan.summary["committed_arriving"] == 0.0   # they arrived before 2026


def test_committed_places_reduce_the_policy_need_by_its_own_yield():
    policy = pd.DataFrame({"region": "Northvale", "industry": "A", "period": ["2026", "2027"],
                           "policy_need": [30.0, 100.0], "per_worker": 0.5})
    plan = _plan(committed=DONE, policy_need=policy, integer="none")
    # 40 and 36 workers add 20 and 18 policy workers
    assert plan.cells["policy_need"].tolist() == pytest.approx([10.0, 82.0])
    assert plan.years["policy_shortfall_before"].dropna().sum() == pytest.approx(92.0)


def test_committed_programme_places_reach_cells_through_the_crosswalk():
    needs = pd.DataFrame({"region": "Northvale", "industry": ["A", "A", "B", "B"],
                          "period": ["2026", "2027"] * 2, "gap": [10.0, 8.0, 0.0, 20.0]})
    crosswalk = pd.DataFrame({"program": "welding", "industry": ["A", "B"],
                              "share": [0.5, 0.5]})
    done = pd.DataFrame({"program": ["welding"], "region": ["Northvale"], "period": [2025],
                         "places": [10]})
    plan = allocate_quotas(needs, periods=[2026, 2027], crosswalk=crosswalk, budget=1e6,
                           cost_per_trainee=100, pass_rate=1.0, exit_rate=0.2, lead_time=1,
                           committed=done, integer="none")
    # 10 places certify in 2026: 5 workers to each industry, 4 of them left in 2027
    got = plan.cells.set_index(["industry", plan.cells["period"].astype(str)])
    assert got["committed_workers"].to_dict() == pytest.approx(
        {("A", "2026"): 5.0, ("A", "2027"): 4.0, ("B", "2026"): 5.0, ("B", "2027"): 4.0})
    assert got["gap_before"].to_dict() == pytest.approx(
        {("A", "2026"): 5.0, ("A", "2027"): 4.0, ("B", "2026"): -5.0, ("B", "2027"): 16.0})


# --------------------------------------------------------------------------- errors


def _refused(done, match):
    with pytest.raises(PlanningError, match=match):
        _plan(committed=done)


def test_a_unit_the_plan_does_not_know_is_named():
    done = pd.concat([DONE, DONE.assign(industry="textiles")], ignore_index=True)
    _refused(done, r"column 'region, industry' of the committed table must name a cell of "
                   r"the plan; 1 row fails, e.g. row 1 \(Northvale, textiles, 2025\)")


@pytest.mark.parametrize("places", [-5, "many", None])
def test_places_must_be_a_number_at_least_zero(places):
    done = DONE.astype({"places": object}).assign(places=[places])
    _refused(done, r"column 'places' of the committed table must be a finite number >= 0 "
                   r"\(places already funded\); 1 row fails, e.g. row 0 \(Northvale, A, 2025\)")


def test_a_period_after_the_plans_first_is_refused_with_file_lines():
    done = pd.concat([DONE, DONE.assign(period=[2026])], ignore_index=True)
    done.attrs["line_numbers"] = [2, 4]
    _refused(done, r"column 'period' of the committed table must be at or before the plan's "
                   r"first funding period 2025 .*1 row fails, e.g. line 4 \(Northvale, A, "
                   r"2026\): 2026")


def test_a_unit_and_period_listed_twice_is_refused():
    _refused(pd.concat([DONE, DONE], ignore_index=True),
             r"must not repeat a cell and funding period \(add the places up into one row\); "
             r"1 row fails, e.g. row 1 \(Northvale, A, 2025\): repeats row 0")


def test_missing_and_unknown_columns_are_named():
    _refused(DONE.drop(columns="places"), r"the committed table needs the columns "
                                          r"\['region', 'industry', 'period', 'places'\]")
    _refused(DONE.assign(note="x"), r"columns \['note'\] that are neither")


def test_committed_places_need_a_multi_year_plan():
    with pytest.raises(PlanningError, match="committed applies to multi-year plans only"):
        allocate_quotas(NEEDS[NEEDS["period"] == "2026"], budget=1e6, cost_per_trainee=100,
                        pass_rate=0.5, committed=DONE)


def test_places_of_zero_change_nothing_but_the_columns():
    plan = _plan(committed=DONE.assign(places=[0]), integer="none")
    bare = _plan(integer="none")
    np.testing.assert_allclose(plan.quotas["quota"], bare.quotas["quota"], atol=1e-9)
    assert plan.cells["committed_workers"].tolist() == [0.0, 0.0]
