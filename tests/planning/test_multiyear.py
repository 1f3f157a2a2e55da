"""Tests of talentgap.planning.multiyear: a hand-solved plan over years, reductions, rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from talentgap.errors import PlanningError
from talentgap.planning import _multiyear_classes, _multiyear_stages, allocate_quotas
from talentgap.planning.multiyear import DEFAULT_EXIT_RATE

# --------------------------------------------------------------------------- fixtures


PASS = pd.DataFrame({"industry": ["A", "B"], "pass_rate": [1.0, 0.5]})


def _two(needs, **kw):
    args = {"periods": [2026, 2027], "cost_per_trainee": 100, "pass_rate": PASS,
            "lead_time": 1, "exit_rate": 0.1, "integer": "none", **kw}
    return allocate_quotas(needs, **args)


def _budgets(*values, start=2026) -> pd.DataFrame:
    return pd.DataFrame({"period": [str(start + i) for i in range(len(values))],
                         "budget": list(values)})


def _quota(plan, industry, period) -> float:
    q = plan.quotas
    return float(q.loc[(q["industry"] == industry) & (q["period"].astype(str) == period),
                       "quota"].iloc[0])


# --------------------------------------------------------------------------- hand-solved


def test_two_cells_three_years_matches_the_hand_solution(two_cells):
    # Yields: A 1 worker per place, B 0.5; a place costs 100. Lead time 1, exits 10%:
    # a place funded in 2026 gives y workers in 2027 and 0.9 y in 2028; one funded in
    # 2027 gives y in 2028. Nothing arrives in 2026 (shortfall 30 + 20 stays).
    # Shortfall removed per place while the cell is short in both years:
    #   A 2026: 1 + 0.9 = 1.9   (per unit of money 0.019)
    #   B 2026: 0.5 * 1.9 = 0.95 (0.0095)
    #   A 2027: 1.0              (0.01)
    #   B 2027: 0.5              (0.005)
    # 2026 money (3,000 = 30 places): A 2026 first, but A's 2027 need is only 20, so past
    # 20 places an A place removes only 0.9 (0.009 per unit) < B's 0.0095: 20 places in A
    # (2,000), the other 1,000 buy 10 places in B (W_B = 5 in 2027, 4.5 in 2028; both still
    # short). B 2026 is strictly between its bounds, so the 2026 budget's dual is its value
    # per unit of money, 0.95 / 100 = 0.0095 (and A 2026 at its kink has subgradient
    # [0.009, 0.019], which contains it).
    # 2027 money (4,000 = 40 places): A 2027 (0.01) beats B 2027 (0.005); A's 2028 need
    # left is 80 - 0.9 * 20 = 62 > 40, so all 40 go to A and the dual is 1 / 100 = 0.01.
    # Shortfall after: 2026: 30 + 20; 2027: A 0, B 40 - 5 = 35; 2028: A 80 - 18 - 40 = 22,
    # B 60 - 4.5 = 55.5; total 162.5 (before: 250).
    plan = _two(two_cells, budget=_budgets(3000.0, 4000.0))
    assert _quota(plan, "A", "2026") == pytest.approx(20.0, abs=1e-6)
    assert _quota(plan, "B", "2026") == pytest.approx(10.0, abs=1e-6)
    assert _quota(plan, "A", "2027") == pytest.approx(40.0, abs=1e-6)
    assert _quota(plan, "B", "2027") == pytest.approx(0.0, abs=1e-6)
    assert plan.summary["shortfall_before"] == pytest.approx(250.0)
    assert plan.summary["shortfall_after"] == pytest.approx(162.5)
    assert plan.marginal_value["budget[2026]"] == pytest.approx(0.0095, rel=1e-6)
    assert plan.marginal_value["budget[2027]"] == pytest.approx(0.01, rel=1e-6)
    assert list(plan.marginal_value.index[:2]) == ["budget[2026]", "budget[2027]"]
    cells = plan.cells.set_index(["industry", plan.cells["period"].astype(str)])
    assert cells.loc[("A", "2028"), "workers"] == pytest.approx(58.0)
    assert cells.loc[("B", "2028"), "workers"] == pytest.approx(4.5)
    years = plan.years.set_index(plan.years["period"].astype(str))
    assert years.loc["2026", "cost"] == pytest.approx(3000.0)
    assert years.loc["2027", "cost"] == pytest.approx(4000.0)
    assert years.loc["2026", "shortfall_after"] == pytest.approx(50.0)
    assert "the budget for 2026 is fully used" in plan.binding[0]
    # one sum of money for both budget lines (alone, 2027's would read "each extra 10 ...
    # 0.1"), so that they can be compared
    assert "each extra 100 of it closes about 0.95 person-years of" in plan.binding[0]
    assert "each extra 100 of it closes about 1 person-years of" in plan.binding[1]


def test_one_total_budget_goes_where_a_unit_of_money_removes_most(two_cells):
    # 7,000 for both years: A 2026 (0.019) to its kink at 20 places, then A 2027 (0.01)
    # beats B 2026 (0.0095) and A 2026 past the kink (0.009): 50 places, dual 0.01.
    plan = _two(two_cells, budget=7000.0)
    assert _quota(plan, "A", "2026") == pytest.approx(20.0, abs=1e-6)
    assert _quota(plan, "A", "2027") == pytest.approx(50.0, abs=1e-6)
    assert plan.summary["shortfall_after"] == pytest.approx(250 - 20 - 18 - 50)
    assert list(plan.marginal_value.index) == ["budget"]
    assert plan.marginal_value["budget"] == pytest.approx(0.01, rel=1e-6)


def test_matches_the_literal_program_with_one_shortfall_per_scenario():
    rng = np.random.default_rng(3)
    n_cells, n_t, k = 3, 3, 4
    industries = [f"t{i}" for i in range(n_cells)]
    needs = pd.DataFrame({
        "region": "Northvale",
        "industry": np.repeat(industries, n_t * k),
        "period": np.tile(np.repeat(["2026", "2027", "2028"], k), n_cells),
        "sample": np.tile(np.arange(k), n_cells * n_t),
        "gap": rng.uniform(-5, 40, n_cells * n_t * k),
    })
    cost = np.array([80.0, 100.0, 130.0])
    rate = np.array([0.9, 0.6, 0.8])
    e, budget = 0.15, 6000.0
    plan = allocate_quotas(
        needs, periods=[2025, 2026, 2027], budget=budget, lead_time=1, exit_rate=e,
        cost_per_trainee=pd.DataFrame({"industry": industries, "cost_per_trainee": cost}),
        pass_rate=pd.DataFrame({"industry": industries, "pass_rate": rate}), integer="none")
    # literal form: q[c, s] (s = 2025..2027), u[c, t, k] >= N - W, u >= 0
    n_q = n_cells * 3
    gaps = needs.sort_values(["industry", "period", "sample"])["gap"].to_numpy()
    rows, cols, vals = [], [], []
    for c in range(n_cells):
        for t in range(n_t):            # need period 2026 + t
            for s in range(3):          # funding period 2025 + s, arrives 2026 + s
                lag = t - s
                if lag >= 0:
                    for kk in range(k):
                        rows.append((c * n_t + t) * k + kk)
                        cols.append(c * 3 + s)
                        vals.append(-rate[c] * (1 - e) ** lag)
    n_u = n_cells * n_t * k
    a = sp.hstack([sp.csr_matrix((vals, (rows, cols)), shape=(n_u, n_q)), -sp.identity(n_u)])
    a = sp.vstack([a, sp.hstack([sp.csr_matrix(np.repeat(cost, 3)[None, :]),
                                 sp.csr_matrix((1, n_u))])])
    res = linprog(np.concatenate([np.zeros(n_q), np.full(n_u, 1.0 / k)]), A_ub=a,
                  b_ub=np.concatenate([-gaps, [budget]]), bounds=(0, None), method="highs")
    assert res.status == 0
    assert plan.summary["objective"] == pytest.approx(res.fun, rel=1e-7, abs=1e-7)
    assert plan.marginal_value["budget"] == pytest.approx(-res.ineqlin.marginals[-1],
                                                          rel=1e-6)


# --------------------------------------------------------------------------- reduction


@pytest.fixture
def single() -> tuple[pd.DataFrame, dict]:
    """The three-cell example of the single-period plan (distinct costs: a unique optimum)."""
    forecast = pd.DataFrame({
        "region": ["Northvale", "Northvale", "Southvale"],
        "industry": ["textiles", "construction", "e-commerce"],
        "period": ["2026", "2026", "2026"], "gap": [100.0, 60.0, 50.0]})
    table = pd.DataFrame({"industry": ["textiles", "construction", "e-commerce"],
                          "cost_per_trainee": [1000.0, 600.0, 400.0],
                          "pass_rate": [0.5, 0.8, 1.0], "capacity": [np.inf, np.inf, 30.0]})
    params = {name: table[["industry", name]] for name in ("cost_per_trainee", "pass_rate",
                                                           "capacity")}
    return forecast, {"budget": 40_000, "integer": "none", **params}


def _samples(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cells = ["textiles", "construction", "e-commerce", "welding"]
    return pd.DataFrame({"region": "Northvale", "industry": np.repeat(cells, 6),
                         "period": "2026", "sample": np.tile(np.arange(6), 4),
                         "gap": rng.normal(30, 12, 24)})


@pytest.mark.parametrize("source", ["forecast", "samples"])
def test_one_year_one_need_without_exits_is_the_single_period_plan(single, source):
    forecast, params = single
    if source == "samples":
        forecast = _samples(1)
        params = {"budget": 20_000, "integer": "none",
                  "cost_per_trainee": pd.DataFrame({"industry": pd.unique(forecast["industry"]),
                                                    "cost_per_trainee": [900.0, 600, 450, 700]}),
                  "pass_rate": 0.8, "capacity": 25}
    today = allocate_quotas(forecast, **params)
    plan = allocate_quotas(forecast, periods=["2026"], exit_rate=0.0, **params)
    keys = ["region", "industry"]
    merged = today.quotas.merge(plan.quotas, on=keys, suffixes=("_today", "_years"))
    assert len(merged) == len(today.quotas) == len(plan.quotas)
    np.testing.assert_allclose(merged["quota_years"], merged["quota_today"], atol=1e-6)
    for column in ("total_cost", "shortfall_before", "shortfall_after", "places",
                   "expected_certified", "objective"):
        assert plan.summary[column] == pytest.approx(today.summary[column], abs=1e-6)
    assert plan.marginal_value["budget"] == pytest.approx(today.marginal_value["budget"],
                                                          rel=1e-6)
    for name, value in today.marginal_value.drop("budget").items():
        assert plan.marginal_value[name.replace("]", ", 2026]")] == pytest.approx(value,
                                                                                  rel=1e-6)
    assert plan.summary["optimum_unique"]


# --------------------------------------------------------------------------- constraints


def _grid(seed: int = 0, n_regions: int = 2, n_industries: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.MultiIndex.from_product([[f"R{i}" for i in range(n_regions)],
                                        [f"I{j}" for j in range(n_industries)],
                                        ["2026", "2027", "2028", "2029"]],
                                       names=["region", "industry", "period"])
    return index.to_frame(index=False).assign(gap=rng.uniform(20, 120, len(index)))


def test_annual_budgets_are_respected_per_year():
    budgets = _budgets(2500.0, 1000.0, 4000.0)
    plan = allocate_quotas(_grid(), periods=[2026, 2027, 2028], budget=budgets,
                           total_budget=6000.0, cost_per_trainee=50, pass_rate=0.7,
                           lead_time=1, exit_rate=0.05, integer="none")
    spent = plan.quotas.groupby(plan.quotas["period"].astype(str))["cost"].sum()
    for period, limit in zip(budgets["period"], budgets["budget"], strict=True):
        assert spent[period] <= limit + 1e-6
    assert spent.sum() <= 6000.0 + 1e-6
    assert spent.sum() == pytest.approx(6000.0)   # every place still helps: money binds
    assert {"budget[2026]", "budget[2027]", "budget[2028]", "budget[total]"} <= set(
        plan.marginal_value.index)
    years = plan.years.set_index(plan.years["period"].astype(str))
    assert years.loc["2027", "budget"] == 1000.0


def test_a_capacity_group_caps_the_sum_of_its_members():
    needs = _grid()
    group = pd.DataFrame({"group": "Northvale College", "capacity": 15.0,
                          "industry": ["I0", "I1"]})
    kw = {"periods": [2026, 2027], "budget": 20_000.0, "cost_per_trainee": 100,
          "pass_rate": 0.8, "lead_time": 1, "exit_rate": 0.1, "integer": "none"}
    free = allocate_quotas(needs, **kw)
    members = free.quotas["industry"].isin(["I0", "I1"])
    assert (free.quotas[members].groupby("period")["quota"].sum() > 15.0 + 1e-6).any()
    plan = allocate_quotas(needs, capacity_groups=group, **kw)
    members = plan.quotas["industry"].isin(["I0", "I1"])
    per_year = plan.quotas[members].groupby("period")["quota"].sum()
    assert (per_year <= 15.0 + 1e-6).all()
    assert any(name.startswith("capacity_group[Northvale College")
               for name in plan.marginal_value.index)
    assert any("shared capacity of Northvale College" in line for line in plan.binding)


def test_infeasible_minimums_name_the_conflicting_constraints(two_cells):
    with pytest.raises(PlanningError, match=r"budget\[2026\].*min_quota\[A in Northvale, 2026\]"):
        _two(two_cells, budget=_budgets(3000.0, 10_000.0), min_quota=20)


def test_equity_gives_a_region_its_share_of_the_need():
    # one industry in two regions, a need of 100 in 2026-2029; places funded in 2026 arrive
    # in 2027 and stay (no exits). R1 costs ten times as much, so an unconstrained plan puts
    # all 4,000 into R0 (80 places). Equity 5%: R1 must remove 0.05 x 400 = 20 of its
    # shortfall, i.e. 20 / 3 places there (3,333.3), leaving 666.7 for R0.
    needs = _grid(n_industries=1).assign(gap=100.0)
    cost = pd.DataFrame({"region": ["R0", "R1"], "cost_per_trainee": [50.0, 500.0]})
    kw = {"periods": [2026], "budget": 4000.0, "cost_per_trainee": cost, "pass_rate": 1.0,
          "lead_time": 1, "exit_rate": 0.0, "integer": "none"}
    free = allocate_quotas(needs, **kw)
    assert free.quotas.set_index("region").loc["R1", "quota"] == pytest.approx(0, abs=1e-6)
    plan = allocate_quotas(needs, equity=0.05, **kw)
    q = plan.quotas.set_index("region")["quota"]
    assert q["R1"] == pytest.approx(20 / 3, rel=1e-6)
    assert q["R0"] == pytest.approx((4000 - 500 * 20 / 3) / 50, rel=1e-6)
    cells = plan.cells[plan.cells["region"] == "R1"]
    assert cells["shortage_reduction"].sum() == pytest.approx(20.0)
    # each further unit R1 must remove takes 1/3 place there (500 / 3 of money); in R0 that
    # money buys 10/3 places removing 3 each (one per year 2027-2029): 10 lost, 1 gained
    assert plan.marginal_value["equity[R1]"] == pytest.approx(-9.0, rel=1e-6)
    conflict = r"conflict: budget \(the budget: 4,000\).*equity\[R1\]"
    with pytest.raises(PlanningError, match=conflict):
        allocate_quotas(needs, equity=0.9, **kw)


# --------------------------------------------------------------------------- needs


def test_a_policy_need_with_weight_zero_changes_nothing(two_cells):
    policy = two_cells[["region", "industry", "period"]].assign(policy_need=[0, 50, 90, 0, 5,
                                                                             10.0])
    base = _two(two_cells, budget=_budgets(3000.0, 4000.0))
    muted = _two(two_cells, budget=_budgets(3000.0, 4000.0), policy_need=policy,
                 need_weights={"policy": 0.0})
    np.testing.assert_allclose(muted.quotas["quota"], base.quotas["quota"], atol=1e-9)
    for column in ("shortfall_before", "shortfall_after", "objective", "total_cost"):
        assert muted.summary[column] == pytest.approx(base.summary[column])
    pd.testing.assert_series_equal(muted.marginal_value, base.marginal_value)
    # with weight 1 the policy need of A (50 in 2027) makes A 2026 worth 1.9 past the kink
    counted = _two(two_cells, budget=_budgets(3000.0, 4000.0), policy_need=policy)
    assert _quota(counted, "A", "2026") == pytest.approx(30.0, abs=1e-6)
    assert counted.summary["policy_shortfall_before"] == pytest.approx(155.0)


def test_places_funded_too_late_for_any_need_get_nothing(two_cells):
    plan = _two(two_cells, periods=[2026, 2027, 2028],
                budget=_budgets(3000.0, 4000.0, 5000.0))
    late = plan.quotas[plan.quotas["period"].astype(str) == "2028"]
    np.testing.assert_allclose(late["quota"], 0.0, atol=1e-9)
    assert plan.marginal_value["budget[2028]"] == pytest.approx(0.0, abs=1e-12)
    assert any("funded in 2028 arrive after the last need period" in n for n in plan.notes)
    assert _quota(plan, "B", "2026") == pytest.approx(10.0, abs=1e-6)


# --------------------------------------------------------------------------- ties


@pytest.mark.parametrize("by_classes", [False, True])
def test_ties_spread_places_by_need_and_say_so(by_classes, monkeypatch):
    # 3 districts x 6 industries, equal costs and yields, every cell far short in every
    # year: every place removes the same shortfall, so any plan that spends the money is
    # optimal. The tie rule must spread each year's money in proportion to need, also
    # when the plan is solved by classes of alike cells (the route of large plans)
    if by_classes:
        monkeypatch.setattr(_multiyear_classes, "MIN_PIECES", 0)
        monkeypatch.setattr(_multiyear_classes, "MAX_CLASS_SHARE", 1.0)
        monkeypatch.setattr(_multiyear_stages, "MAX_SPLIT_SHARE", 1.0)
    rng = np.random.default_rng(7)
    index = pd.MultiIndex.from_product([[f"D{i}" for i in range(3)],
                                        [f"trade{j}" for j in range(6)],
                                        ["2026", "2027", "2028"]],
                                       names=["region", "industry", "period"])
    needs = index.to_frame(index=False).assign(gap=rng.uniform(100, 900, len(index)).round())
    plan = allocate_quotas(needs, periods=[2026, 2027], budget=_budgets(20_000.0, 20_000.0),
                           cost_per_trainee=100, pass_rate=0.8, lead_time=1, exit_rate=0.1,
                           integer="none")
    q = plan.quotas
    assert (q["quota"] > 0.5).all()                       # every short cell gets places
    for _, year in q.groupby("period"):
        order = np.argsort(year["need_at_arrival"].to_numpy(), kind="stable")
        places = year["quota"].to_numpy()[order]
        assert (np.diff(places) >= -1e-6).all()           # larger need, never fewer places
    assert plan.summary["total_cost"] == pytest.approx(40_000.0)
    assert not plan.summary["optimum_unique"]
    assert any("several plans are equally good" in note for note in plan.notes)


def test_whole_places_with_exact_integer_program(two_cells):
    plan = _two(two_cells, budget=_budgets(3050.0, 4000.0), integer="exact")
    assert (plan.quotas["quota"] == plan.quotas["quota"].round()).all()
    spent = plan.quotas.groupby(plan.quotas["period"].astype(str))["cost"].sum()
    assert spent["2026"] <= 3050.0 and spent["2027"] <= 4000.0
    assert plan.summary["shortfall_after"] == pytest.approx(162.5)


# --------------------------------------------------------------------------- inputs


def test_the_budget_table_needs_every_funding_period(two_cells):
    with pytest.raises(PlanningError, match=r"no row for funding period 2027"):
        _two(two_cells, budget=_budgets(3000.0))


def test_a_capacity_group_naming_an_unknown_cell_is_refused(two_cells):
    group = pd.DataFrame({"group": "College", "capacity": 10.0, "industry": ["A", "C"]})
    with pytest.raises(PlanningError, match=r"capacity_groups.*row 1 \(industry='C'\)"):
        _two(two_cells, budget=7000.0, capacity_groups=group)


def test_multi_year_options_need_periods(two_cells):
    with pytest.raises(PlanningError, match="policy_need applies to multi-year plans only"):
        allocate_quotas(two_cells, budget=1000.0, cost_per_trainee=100, pass_rate=1.0,
                        policy_need=two_cells.assign(policy_need=1.0).drop(columns="gap"))


def test_default_exit_rate_is_the_stock_projection_default():
    from talentgap.planning.workforce import DEFAULT_EXIT_RATE as projection_default

    assert projection_default == DEFAULT_EXIT_RATE


# --------------------------------------------------------------------------- the tie stage


def _tied_problem(seed: int):
    from talentgap.planning._multiyear_problem import build_years_problem

    rng = np.random.default_rng(seed)
    n_cells, k = int(rng.integers(2, 9)), int(rng.choice([1, 5, 20]))
    index = pd.MultiIndex.from_product(
        [["D0", "D1"], [f"t{j}" for j in range(n_cells)], ["2027", "2028", "2029"],
         range(k)], names=["region", "industry", "period", "sample"])
    needs = index.to_frame(index=False)
    needs["gap"] = rng.integers(0, 60, len(needs)).astype(float)  # whole numbers: ties
    return build_years_problem(
        needs, periods=[2026, 2027, 2028], keys=["region", "industry"], value="gap",
        budget=_budgets(*rng.uniform(500, 4000, 3).round()), total_budget=None,
        cost_per_trainee=100, pass_rate=0.8, absorption=1.0, capacity=None, min_quota=0,
        lead_time=1, exit_rate=0.1, risk="expected", quantile=None, surplus_penalty=0.0,
        integer="none", policy_need=None, need_weights=None, capacity_groups=None,
        budget_envelopes=None, equity=None, tie_tolerance=1e-9)


def _deviation(problem, q):
    from talentgap.planning._multiyear_ties import need_reference

    ref, year = need_reference(problem), problem.decision_year()
    cost = problem.cost   # per decision
    need_money = np.bincount(year, weights=cost * ref, minlength=problem.n_funding)
    money = np.bincount(year, weights=cost * q, minlength=problem.n_funding)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(need_money > 0, money / need_money, 0.0)
    return float(np.abs(q - t[year] * ref).sum())


@pytest.mark.parametrize("seed", range(12))
def test_the_reduced_tie_stage_finds_the_full_second_stage_optimum(seed):
    import dataclasses

    from talentgap.planning._multiyear_lp import build_program, solve
    from talentgap.planning._multiyear_ties import break_ties

    problem = _tied_problem(seed)
    program = build_program(problem)
    first = solve(problem, program)
    fast = break_ties(problem, program, first)
    full = break_ties(problem, program, dataclasses.replace(first, reduced=None, x=None))
    tol = 1e-9 * max(1.0, program.before) + 1e-7
    assert fast[1] == pytest.approx(first.objective, abs=tol)
    assert full[1] == pytest.approx(first.objective, abs=tol)
    # the full stage may also spend the tolerance on columns with a (tiny) reduced cost;
    # the reduced one holds those at their bounds, so it can deviate a hair more
    assert _deviation(problem, fast[0]) == pytest.approx(_deviation(problem, full[0]),
                                                         rel=1e-4, abs=1e-6)
    assert fast[2] == full[2]


# --------------------------------------------------------------------------- merged pieces


def _sampled_problem(seed: int):
    from talentgap.planning._multiyear_problem import build_years_problem

    rng = np.random.default_rng(seed)
    n_ind, k = int(rng.integers(2, 7)), int(rng.choice([3, 20, 60]))
    index = pd.MultiIndex.from_product(
        [["D0", "D1", "D2"], [f"t{j}" for j in range(n_ind)], ["2027", "2028", "2029"],
         range(k)], names=["region", "industry", "period", "sample"])
    needs = index.to_frame(index=False)
    needs["gap"] = rng.normal(rng.uniform(-10, 80), rng.uniform(1, 30), len(needs))
    industries = [f"t{j}" for j in range(n_ind)]
    groups = pd.DataFrame({"group": rng.choice(["G0", "G1"], n_ind), "industry": industries,
                           "capacity": rng.uniform(5, 60)})
    return build_years_problem(
        needs, periods=[2026, 2027, 2028], keys=["region", "industry"], value="gap",
        budget=_budgets(*rng.uniform(500, 6000, 3)), total_budget=None,
        cost_per_trainee=pd.DataFrame({"industry": industries,
                                       "cost_per_trainee": rng.uniform(50, 150, n_ind)}),
        pass_rate=pd.DataFrame({"industry": industries,
                                "pass_rate": rng.uniform(0.4, 1.0, n_ind)}),
        absorption=1.0, capacity=None, min_quota=0, lead_time=1,
        exit_rate=float(rng.choice([0.0, 0.1])), risk="expected", quantile=None,
        surplus_penalty=0.0, integer="none", policy_need=None, need_weights=None,
        capacity_groups=groups if rng.random() < 0.6 else None, budget_envelopes=None,
        equity=None, tie_tolerance=1e-9)


@pytest.mark.parametrize("seed", range(25))
def test_merged_pieces_give_the_exact_optimum_and_duals(seed):
    from talentgap.planning._multiyear_lp import _coarse_to_fine, _run, build_program

    program = build_program(_sampled_problem(seed))
    exact = _run(program.c, program.a_ub, program.b_ub, program.lb, program.ub)
    merged = _coarse_to_fine(program, block=int(np.random.default_rng(seed).choice([2, 5, 16])),
                             min_pieces=0)
    assert merged is not None
    assert merged.fun == pytest.approx(exact.fun, rel=1e-9, abs=1e-9)
    rows = slice(program.n_link, None)
    np.testing.assert_allclose(merged.ineqlin.marginals[rows], exact.ineqlin.marginals[rows],
                               rtol=1e-7, atol=1e-9)
    # primal feasible in the exact program
    assert (program.a_ub @ merged.x <= program.b_ub + 1e-7).all()
    assert (merged.x >= program.lb - 1e-9).all() and (merged.x <= program.ub + 1e-9).all()
