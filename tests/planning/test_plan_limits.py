"""Limits of the quota solvers: the integer program's time limit, the least cost among
equally good plans, and the surplus a forecast has without any plan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from talentgap.errors import DataQualityWarning, PlanningError
from talentgap.planning import allocate_quotas


def _grid(needs: np.ndarray, years: list[int]) -> pd.DataFrame:
    """A forecast table: one expected gap per cell (rows) and need year (columns)."""
    n, t = needs.shape
    return pd.DataFrame({"region": "N", "industry": np.repeat([f"c{i}" for i in range(n)], t),
                         "period": np.tile([str(y) for y in years], n),
                         "gap": needs.ravel()})


def _least_cost(needs, cost, yield_, exit_rate, lead, n_funding):
    """The cheapest continuous plan that meets every need, by an independent LP.

    Workers in need year t from places funded in s (funding years are the first
    ``n_funding`` need years): ``y q (1 - e)^(t - s - L)`` when ``s + L <= t``.
    """
    n, t = needs.shape
    rows, rhs = [], []
    for c in range(n):
        for year in range(t):
            row = np.zeros(n * n_funding)
            for s in range(n_funding):
                if s + lead <= year:
                    row[c * n_funding + s] = yield_ * (1 - exit_rate) ** (year - s - lead)
            rows.append(-row)
            rhs.append(-needs[c, year])
    res = linprog(np.tile(cost, n), A_ub=np.array(rows), b_ub=np.array(rhs),
                  bounds=(0, None), method="highs")
    assert res.status == 0
    return float(res.fun)


@pytest.mark.parametrize("integer", ["none", "round", "exact"])
def test_a_generous_budget_spends_only_what_closes_the_gap(integer):
    # half the workers leave each year: funding early needs more places, and 2027 is the
    # cheapest year; every plan that meets the needs leaves the same (unreachable) shortfall
    rng = np.random.default_rng(3)
    years = [2026, 2027, 2028, 2029]
    needs = rng.uniform(0, 50, size=(5, 4)).round(1)
    money = np.array([100.0, 90.0, 120.0])
    cost = pd.DataFrame({"period": years[:3], "cost_per_trainee": money})
    plan = allocate_quotas(_grid(needs, years), periods=years[:3], budget=1e7,
                           cost_per_trainee=cost, pass_rate=0.8, lead_time=1,
                           exit_rate=0.5, integer=integer)
    late = needs[:, 0].sum()                     # 2026's need: no place can reach it
    assert float(plan.summary["shortfall_after"]) == pytest.approx(late, abs=1e-6)
    # the independent LP over the years places can reach
    best = _least_cost(needs[:, 1:], money, 0.8, 0.5, 0, 3)
    spent = float(plan.summary["total_cost"])
    if integer == "none":
        assert spent == pytest.approx(best, rel=1e-7)
    else:   # the cheapest plan's places rounded up also meet every need
        assert best - 1e-6 <= spent <= best + 5 * money.sum()
    assert float(plan.marginal_value["budget"]) == 0.0   # the shortfall problem's dual


def test_the_cheapest_of_equally_good_plans_with_whole_places():
    # one cell needs 10 workers in 2027; 2026 places (half stay a year) cost 2x as much as
    # enough 2027 places: both close the gap, the plan funds 2027 only
    needs = _grid(np.array([[0.0, 10.0]]), [2026, 2027])
    for integer in ("round", "exact", "none"):
        plan = allocate_quotas(needs, periods=[2026, 2027], budget=1e6, cost_per_trainee=100,
                               pass_rate=1.0, exit_rate=0.5, integer=integer)
        assert plan.quotas["quota"].tolist() == [0, 10], integer
        assert float(plan.summary["total_cost"]) == pytest.approx(1000.0)
        assert float(plan.summary["shortfall_after"]) == pytest.approx(0.0, abs=1e-9)


def test_a_binding_budget_keeps_the_shortfall_plan_and_its_duals():
    # the budget binds: every optimal plan spends it, the cost stage changes nothing
    needs = _grid(np.array([[30.0, 20.0, 80.0], [20.0, 40.0, 60.0]]), [2026, 2027, 2028])
    plan = allocate_quotas(needs, periods=[2026, 2027], budget=7_000, cost_per_trainee=100,
                           pass_rate=pd.DataFrame({"industry": ["c0", "c1"],
                                                   "pass_rate": [1.0, 0.5]}),
                           lead_time=1, exit_rate=0.1, integer="none")
    assert float(plan.summary["total_cost"]) == pytest.approx(7_000)
    assert float(plan.marginal_value["budget"]) == pytest.approx(0.01)
    assert not any("spends the least money" in note for note in plan.notes)


def test_the_single_period_plan_spends_only_what_closes_the_gap():
    forecast = pd.DataFrame({"region": "N", "industry": ["A", "B"], "period": "2026Q1",
                             "gap": [30.0, 50.5]})
    for integer in ("round", "exact", "none"):
        plan = allocate_quotas(forecast, budget=1e6, cost_per_trainee=100, pass_rate=0.5,
                               integer=integer)
        assert plan.quotas["quota"].astype(float).tolist() == pytest.approx([60.0, 101.0])
        assert float(plan.summary["shortfall_after"]) == pytest.approx(0.0, abs=1e-9)


# --------------------------------------------------------------------------- time limit


def _hard_needs(seed: int = 0) -> pd.DataFrame:
    """Sample paths of 40 cells x 4 years: an integer program HiGHS does not finish at once."""
    rng = np.random.default_rng(seed)
    cells, years, samples = 40, ["2026", "2027", "2028", "2029"], 60
    gap = rng.gamma(2.0, 15.0, size=(cells, len(years), samples)) - 5
    idx = pd.MultiIndex.from_product([range(cells), years, range(samples)],
                                     names=["cell", "period", "sample"]).to_frame(index=False)
    return pd.DataFrame({"region": "N", "industry": "c" + idx["cell"].astype(str),
                         "period": idx["period"], "sample": idx["sample"],
                         "gap": gap.ravel()})


def test_the_time_limit_stops_the_integer_program_with_a_warning_and_a_note():
    needs = _hard_needs()
    rng = np.random.default_rng(1)
    cost = pd.DataFrame({"industry": [f"c{i}" for i in range(40)],
                         "cost_per_trainee": rng.uniform(50, 150, 40).round(1)})
    kw = dict(periods=[2026, 2027, 2028], budget=pd.DataFrame(
        {"period": [2026, 2027, 2028], "budget": [30_000.0, 25_000.0, 20_000.0]}),
        cost_per_trainee=cost, pass_rate=0.7, lead_time=1, exit_rate=0.1)
    with pytest.warns(DataQualityWarning, match="time limit of 1e-06 s"):
        plan = allocate_quotas(needs, integer="exact", time_limit=1e-6, **kw)
    note = [n for n in plan.notes if "time limit" in n]
    assert len(note) == 1 and "before it proved the plan optimal" in note[0]
    assert (plan.quotas["quota"] == plan.quotas["quota"].round()).all()
    spent = plan.quotas.groupby(plan.quotas["period"].astype(str))["cost"].sum()
    assert (spent.to_numpy() <= np.array([30_000.0, 25_000.0, 20_000.0]) + 1e-6).all()
    if "rounded instead" in note[0]:   # no whole plan by then: the rounded plan
        assert plan.summary["integer"] == "round"
        rounded = allocate_quotas(needs, integer="round", **kw)
        pd.testing.assert_frame_equal(plan.quotas, rounded.quotas)
    else:
        assert plan.summary["integer"] == "exact"


def test_a_whole_plan_found_by_the_time_limit_is_kept_and_its_gap_reported(monkeypatch):
    # the solver's answer at its time limit: a whole plan and its relative gap to the bound
    import talentgap.planning._multiyear_lp as lp

    def stopped(*args, **kwargs):
        res = real(*args, **kwargs)
        res.status, res.success, res.mip_gap = 1, False, 0.0123
        return res

    real = lp.milp
    monkeypatch.setattr(lp, "milp", stopped)
    needs = _grid(np.array([[5.0, 10.0], [8.0, 4.0]]), [2026, 2027])
    with pytest.warns(DataQualityWarning, match=r"within 1\.23% of the bound"):
        plan = allocate_quotas(needs, periods=[2026, 2027], budget=1_000,
                               cost_per_trainee=100, pass_rate=1.0, exit_rate=0.0,
                               integer="exact", time_limit=5)
    assert plan.summary["integer"] == "exact"
    assert plan.summary["total_cost"] <= 1_000
    note = [n for n in plan.notes if "time limit of 5 s" in n]
    assert len(note) == 1 and "not proven optimal" in note[0]


def test_the_time_limit_is_checked():
    needs = _grid(np.array([[0.0, 10.0]]), [2026, 2027])
    for bad in (0, -1.0, "60", True, float("nan")):
        with pytest.raises(PlanningError, match="time_limit must be a number of seconds"):
            allocate_quotas(needs, periods=[2026, 2027], budget=1e6, cost_per_trainee=100,
                            pass_rate=1.0, integer="exact", time_limit=bad)
        with pytest.raises(PlanningError, match="time_limit must be a number of seconds"):
            allocate_quotas(needs.iloc[:1], budget=1e6, cost_per_trainee=100,
                            pass_rate=1.0, integer="exact", time_limit=bad)


# --------------------------------------------------------------------------- surplus


def test_surplus_before_is_the_forecasts_own_surplus():
    # a cell whose gap may be negative has workers beyond the need without any plan
    paths = pd.DataFrame({"region": "N", "industry": ["A"] * 4 + ["B"] * 4,
                          "period": ["2026", "2026", "2027", "2027"] * 2,
                          "sample": [0, 1] * 4,
                          "gap": [-6.0, 4.0, -2.0, 8.0, 10.0, 12.0, 3.0, -1.0]})
    # by hand: mean_k max(-N, 0) per cell-period: A 3 + 1, B 0 + 0.5
    kw = dict(periods=[2026, 2027], budget=1e6, cost_per_trainee=100, pass_rate=1.0,
              lead_time=0, exit_rate=0.0)
    none = allocate_quotas(paths, capacity=0, **kw)
    assert float(none.summary["places"]) == 0
    assert float(none.summary["surplus_before"]) == pytest.approx(4.5)
    assert float(none.summary["surplus_after"]) == pytest.approx(4.5)
    plan = allocate_quotas(paths, **kw)
    assert float(plan.summary["surplus_before"]) == pytest.approx(4.5)
    workers = plan.cells["workers"].to_numpy()
    need = paths["gap"].to_numpy().reshape(4, 2)
    by_hand = np.maximum(workers[:, None] - need, 0).mean(axis=1).sum()
    assert float(plan.summary["surplus_after"]) == pytest.approx(by_hand)
    single = allocate_quotas(paths[paths["period"] == "2026"], budget=1e6,
                             cost_per_trainee=100, pass_rate=1.0, capacity=0)
    assert float(single.summary["surplus_before"]) == pytest.approx(3.0)
    assert float(single.summary["surplus_after"]) == pytest.approx(3.0)
