"""Places that remove no shortfall are not funded (multi-year plans)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.planning import allocate_quotas
from talentgap.planning._multiyear_lp import weighted_shortfall
from talentgap.planning._multiyear_problem import build_years_problem
from talentgap.planning._trim import trim_unneeded

RATE = pd.DataFrame({"industry": ["A", "B"], "pass_rate": [1.0, 0.5]})


def _problem(needs, periods, **kw):
    args = dict(keys=["region", "industry"], value="gap", budget=1e9, total_budget=None,
                cost_per_trainee=100, pass_rate=1.0, absorption=1.0, capacity=None,
                min_quota=0, lead_time=1, exit_rate=0.0, risk="expected", quantile=None,
                surplus_penalty=0.0, integer="none", policy_need=None, need_weights=None,
                capacity_groups=None, budget_envelopes=None, equity=None, tie_tolerance=1e-9)
    args.update(kw)
    return build_years_problem(needs, periods=periods, **args)


@pytest.mark.parametrize("integer", ["none", "round", "exact"])
def test_a_budget_not_all_needed_funds_only_places_that_help(integer):
    needs = pd.DataFrame({"region": "N", "industry": ["A", "B"], "period": "2027",
                          "gap": [10.0, 30.0]})
    plan = allocate_quotas(needs, periods=[2026, 2027], budget=50_000, cost_per_trainee=100,
                           pass_rate=RATE, lead_time=1, exit_rate=0.0, integer=integer)
    quotas = plan.quotas.set_index(["industry", "period"])["quota"]
    assert quotas.loc[("A", pd.Period("2026", "Y"))] == 10   # closes A's 10, no more
    assert quotas.loc[("B", pd.Period("2026", "Y"))] == 60   # 60 x 0.5 = B's 30
    assert plan.summary["total_cost"] == 7_000 and plan.summary["shortfall_after"] == 0
    # the cost stage (or, after it, trimming) leaves out the places that help nothing, and
    # says so when the first plan found had them
    said = [note for note in plan.notes if "remove no shortfall of the expected gap" in note
            or "spends the least money" in note]
    assert said or integer == "exact"


def test_later_places_go_first_and_the_need_of_every_period_stays_covered():
    # need 10 in 2027 and 20 in 2028; 2026 places serve both years, 2027 places 2028 only
    needs = pd.DataFrame({"region": "N", "industry": "A", "period": ["2027", "2028"],
                          "gap": [10.0, 20.0]})
    problem = _problem(needs, [2026, 2027])
    q, removed = trim_unneeded(problem, np.array([15.0, 30.0]))
    # 2027 places: W2028 = 15 + q2027 must stay >= 20 -> 5; then 2026: W2027 = 15 >= 10 but
    # W2028 = q2026 + 5 >= 20 -> no room
    assert q.tolist() == [15.0, 5.0] and removed == 25.0
    before = weighted_shortfall(problem, np.array([15.0, 30.0])).sum()
    assert weighted_shortfall(problem, q).sum() == pytest.approx(before, abs=1e-12)


def test_trimming_keeps_the_objective_the_minimums_and_leaves_nothing_useless():
    rng = np.random.default_rng(3)
    rows = []
    for industry in "ABCDE":
        for period in ("2027", "2028", "2029"):
            for k in range(20):
                rows.append((industry, period, k, rng.normal(30, 10)))
    needs = pd.DataFrame(rows, columns=["industry", "period", "sample", "gap"]).assign(
        region="N")
    problem = _problem(needs, [2026, 2027, 2028], exit_rate=0.1,
                       min_quota=pd.DataFrame({"industry": list("ABCDE"),
                                               "min_quota": [0, 5, 0, 0, 2]}))
    q = rng.uniform(0, 80, problem.n_cells * problem.n_funding)
    q = np.maximum(q, problem.lower)
    trimmed, removed = trim_unneeded(problem, q)
    assert removed > 0 and (trimmed <= q + 1e-12).all() and (trimmed >= problem.lower).all()
    before = weighted_shortfall(problem, q).sum()
    assert weighted_shortfall(problem, trimmed).sum() == pytest.approx(before, rel=1e-12)
    # no place left can go without adding shortfall (above its minimum)
    for i in np.flatnonzero(trimmed > problem.lower + 1e-6):
        less = trimmed.copy()
        less[i] -= 1e-3
        assert weighted_shortfall(problem, less).sum() > before


def test_programmes_sharing_a_cell_are_trimmed_until_every_place_helps():
    needs = pd.DataFrame({"region": "N", "industry": ["A", "B"], "period": "2027",
                          "gap": [10.0, 30.0]})
    crosswalk = pd.DataFrame({"program": ["P1", "P1", "P2"], "industry": ["A", "B", "B"],
                              "share": [0.5, 0.5, 1.0]})
    plan = allocate_quotas(needs, periods=[2026], budget=50_000, cost_per_trainee=100,
                           pass_rate=1.0, crosswalk=crosswalk, lead_time=1, exit_rate=0.0,
                           integer="none")
    cells = plan.cells.set_index("industry")
    # both cells covered, and no more workers in B than its need unless P1 must feed A
    assert (cells["shortfall_after"] < 1e-9).all()
    assert cells.loc["A", "workers"] == pytest.approx(10.0)
    assert cells.loc["B", "workers"] == pytest.approx(30.0)


@pytest.mark.parametrize("integer", ["none", "round"])
def test_a_single_period_programme_plan_funds_only_places_that_help(integer):
    needs = pd.DataFrame({"region": "N", "industry": ["A", "B"], "period": "2027",
                          "gap": [10.0, 30.0]})
    crosswalk = pd.DataFrame({"program": ["P1", "P1", "P2"], "industry": ["A", "B", "B"],
                              "share": [0.5, 0.5, 1.0]})
    plan = allocate_quotas(needs, budget=50_000, cost_per_trainee=100, pass_rate=1.0,
                           crosswalk=crosswalk, integer=integer)
    surplus = -plan.cells.set_index("industry")["gap_after"]
    assert (surplus >= -1e-9).all()                      # every need still met
    # before trimming the LP spent 9,000 here; now no programme can lose a place without
    # leaving a cell it feeds short (at least one of its cells has no surplus to spare)
    assert plan.summary["total_cost"] < 9_000
    for _, rows in crosswalk.groupby("program"):
        assert (surplus.loc[rows["industry"]] < rows["share"].to_numpy() - 1e-9).any()
    assert any("largest need is already met" in note for note in plan.notes)
