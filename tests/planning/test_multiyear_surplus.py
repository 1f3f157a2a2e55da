"""The surplus penalty of multi-year plans: workers beyond the market need cost objective."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _years_problem import industry_terms, needs_grid, tie_deviation, two_capacity_groups

from talentgap.planning import allocate_quotas
from talentgap.planning._multiyear_lp import plan_objective
from talentgap.planning._multiyear_problem import build_years_problem


def _paths(values: dict[str, list[float]]) -> pd.DataFrame:
    """One cell's sample paths: ``{need period: [gap of each path]}``."""
    rows = [{"region": "N", "industry": "A", "period": period, "sample": k, "gap": g}
            for period, gaps in values.items() for k, g in enumerate(gaps)]
    return pd.DataFrame(rows)


def _objective(paths: dict[str, list[float]], workers: np.ndarray, penalty: float) -> float:
    """mean_k sum_t max(N - W, 0) + penalty x max(W - N, 0), by hand."""
    gaps = np.array(list(paths.values()))          # periods x paths
    w = np.asarray(workers, dtype=np.float64)[:, None]
    return float((np.maximum(gaps - w, 0) + penalty * np.maximum(w - gaps, 0)).mean(axis=1)
                 .sum())


def test_a_zero_penalty_is_the_plan_without_one(two_cells):
    crosswalk = pd.DataFrame({"program": ["p", "p", "q"], "industry": ["A", "B", "B"],
                              "share": [0.5, 0.5, 1.0]})
    policy = two_cells[["region", "industry", "period"]].assign(policy_need=[5.0, 0, 0, 9, 9, 0])
    for extra in ({}, {"crosswalk": crosswalk}, {"policy_need": policy, "equity": 0.2}):
        kw = dict(periods=[2026, 2027], budget=5_000, cost_per_trainee=100, pass_rate=0.8,
                  lead_time=1, exit_rate=0.1, **extra)
        plain = allocate_quotas(two_cells, **kw)
        zero = allocate_quotas(two_cells, surplus_penalty=0.0, **kw)
        pd.testing.assert_frame_equal(plain.quotas, zero.quotas)
        pd.testing.assert_frame_equal(plain.cells, zero.cells)
        pd.testing.assert_series_equal(plain.summary, zero.summary)
        assert plain.binding == zero.binding and plain.notes == zero.notes
        assert zero.summary["surplus_penalty"] == 0.0
        assert "surplus" not in plain.summary.name


def test_the_penalty_keeps_places_to_the_need_where_ties_would_not():
    # need 4 in 2026, 10 in 2027; places stay (no exits). Without the penalty any plan with
    # 4 to 10 places in 2026 and the rest in 2027 meets every need; with it only 4 + 6 does
    needs = _paths({"2026": [4.0], "2027": [10.0]})
    kw = dict(periods=[2026, 2027], budget=10_000, cost_per_trainee=100, pass_rate=1.0,
              exit_rate=0.0, integer="none")
    plan = allocate_quotas(needs, surplus_penalty=0.5, **kw)
    assert plan.quotas["quota"].round(9).tolist() == [4.0, 6.0]
    assert plan.summary["surplus_after"] == pytest.approx(0.0, abs=1e-9)
    assert plan.summary["objective"] == pytest.approx(0.0, abs=1e-9)
    assert plan.summary["optimum_unique"]
    # any plan without the penalty meets the need too, never with less surplus
    free = allocate_quotas(needs, **kw)
    assert free.summary["shortfall_after"] == pytest.approx(0.0, abs=1e-9)
    assert free.summary["surplus_after"] >= plan.summary["surplus_after"] - 1e-9
    # a place that would only add surplus is never funded
    for penalty in (0.01, 0.5, 3.0):
        plan = allocate_quotas(needs, surplus_penalty=penalty, **{**kw, "integer": "round"})
        assert plan.quotas["quota"].tolist() == [4, 6]


@pytest.mark.parametrize("penalty", [0.5, 1.5, 3.0])
def test_one_period_is_the_newsvendor_quantile(penalty):
    # fund up to where P(need > added) = P(need < added) x penalty: the smallest q with
    # P(need <= q) >= 1 / (1 + penalty)
    paths = {"2026": [0.0, 10.0, 20.0, 30.0, 40.0]}
    plan = allocate_quotas(_paths(paths), periods=[2026], budget=1e6, cost_per_trainee=1.0,
                           pass_rate=1.0, exit_rate=0.0, surplus_penalty=penalty,
                           integer="exact")
    grid = np.arange(0, 51)
    by_hand = [_objective(paths, np.array([q]), penalty) for q in grid]
    best = grid[int(np.argmin(by_hand))]
    share = np.mean(np.array(paths["2026"]) <= best)
    assert share >= 1 / (1 + penalty) > np.mean(np.array(paths["2026"]) < best)
    assert plan.quotas["quota"].tolist() == [best]
    assert plan.summary["objective"] == pytest.approx(min(by_hand))
    assert plan.summary["shortfall_after"] == pytest.approx(_objective(paths, [best], 0.0))


@pytest.mark.parametrize("penalty", [0.0, 0.4, 1.0, 2.5])
def test_places_over_several_periods_match_brute_force(penalty):
    # two funding periods, three need periods, 20% exits a year, uncertain need; whole
    # places against every pair of quotas up to 40
    rng = np.random.default_rng(3)
    paths = {p: list(np.round(rng.uniform(0, 30, 6))) for p in ("2026", "2027", "2028")}
    plan = allocate_quotas(_paths(paths), periods=[2026, 2027], budget=1e6,
                           cost_per_trainee=1.0, pass_rate=1.0, exit_rate=0.2,
                           surplus_penalty=penalty, integer="exact")
    grid = np.arange(0, 41)
    a, b = np.meshgrid(grid, grid, indexing="ij")
    gaps = np.array(list(paths.values()))                        # periods x paths
    workers = np.stack([a, 0.8 * a + b, 0.64 * a + 0.8 * b])     # periods x a x b
    diff = gaps[:, None, None, :] - workers[..., None]
    objective = (np.maximum(diff, 0) + penalty * np.maximum(-diff, 0)).mean(axis=-1).sum(0)
    # the plan costs money too: among plans of the least objective the cheapest
    least = objective.min()
    assert plan.summary["objective"] == pytest.approx(least, abs=1e-6)
    a, b = plan.quotas["quota"].to_numpy()
    at = np.array([a, 0.8 * a + b, 0.64 * a + 0.8 * b])
    assert _objective(paths, at, penalty) == pytest.approx(least, abs=1e-6)
    assert plan.summary["shortfall_after"] == pytest.approx(_objective(paths, at, 0.0))
    if penalty:   # every place is worth its surplus: the plan stays inside the grid
        assert max(a, b) < grid.max()


def test_the_budget_dual_is_net_of_the_penalty():
    # 15 places of 20 the optimum wants: one more place removes P(need > 15) = 0.6 of
    # shortfall and adds P(need < 15) = 0.4 of surplus, 0.4 x 0.5 of penalty
    paths = {"2026": [0.0, 10.0, 20.0, 30.0, 40.0]}
    kw = dict(periods=[2026], budget=15.0, cost_per_trainee=1.0, pass_rate=1.0, exit_rate=0.0,
              integer="none")
    plan = allocate_quotas(_paths(paths), surplus_penalty=0.5, **kw)
    assert plan.quotas["quota"].tolist() == pytest.approx([15.0])
    assert plan.marginal_value["budget"] == pytest.approx(0.6 - 0.5 * 0.4)
    assert "expected shortfall plus the surplus penalty" in plan.binding[0]
    assert plan.summary.name.endswith("surplus penalty 0.5")
    plain = allocate_quotas(_paths(paths), **kw)
    assert plain.marginal_value["budget"] == pytest.approx(0.6)


def test_reported_shortfalls_stay_shortfalls_and_the_objective_adds_the_penalty(two_cells):
    kw = dict(periods=[2026, 2027], budget=20_000, cost_per_trainee=100, pass_rate=0.9,
              lead_time=1, exit_rate=0.1, integer="none",
              need_weights={"market": pd.DataFrame({"industry": ["A", "B"],
                                                    "market": [1.0, 2.0]})})
    plan = allocate_quotas(two_cells, surplus_penalty=0.7, **kw)
    cells = plan.cells
    by_hand = np.maximum(cells["gap_before"] - cells["workers"], 0.0)
    surplus = np.maximum(cells["workers"] - cells["gap_before"], 0.0)
    np.testing.assert_allclose(cells["shortfall_after"], by_hand, atol=1e-9)
    assert plan.summary["shortfall_after"] == pytest.approx(by_hand.sum())
    assert plan.summary["surplus_after"] == pytest.approx(surplus.sum())
    # the penalty is per worker of surplus times the cell's market weight
    weight = np.where(cells["industry"] == "B", 2.0, 1.0)
    assert plan.summary["objective"] == pytest.approx(
        float((weight * (by_hand + 0.7 * surplus)).sum()))
    assert plan.summary["lp_objective"] == pytest.approx(plan.summary["objective"])
    assert plan.summary["surplus_penalty"] == 0.7


def test_the_objective_identity_holds_with_negative_needs():
    # a need below zero is a surplus already: the constant of the identity counts it
    paths = {"2026": [-5.0, 5.0], "2027": [3.0, 8.0]}
    problem = build_years_problem(
        _paths(paths), periods=[2026], keys=["region", "industry"], value="gap",
        budget=1e6, total_budget=None, cost_per_trainee=1.0, pass_rate=1.0, absorption=1.0,
        capacity=None, min_quota=0, lead_time=0, exit_rate=0.0, risk="expected",
        quantile=None, surplus_penalty=2.0, integer="none", policy_need=None,
        need_weights=None, capacity_groups=None, budget_envelopes=None, equity=None,
        tie_tolerance=1e-9)
    for q in (0.0, 2.0, 6.5, 12.0):
        assert plan_objective(problem, np.array([q])).sum() == pytest.approx(
            _objective(paths, np.array([q, q]), 2.0))
    plan = allocate_quotas(_paths(paths), periods=[2026], budget=1e6, cost_per_trainee=1.0,
                           pass_rate=1.0, exit_rate=0.0, surplus_penalty=2.0,
                           integer="none")
    grid = np.linspace(0, 12, 1201)
    by_hand = [_objective(paths, np.array([q, q]), 2.0) for q in grid]
    assert plan.summary["objective"] == pytest.approx(min(by_hand), abs=1e-9)
    assert plan.summary["lp_objective"] == pytest.approx(min(by_hand), abs=1e-9)


def _class_case(seed: int, *, policy: bool = False, envelopes: bool = False,
                leads: bool = False, falling: bool = False):
    """Regions x industries with sample paths: cells of an industry share a class."""
    rng = np.random.default_rng(seed)
    n_reg, n_ind, n_t, k = int(rng.integers(3, 6)), int(rng.integers(2, 4)), 3, 8
    needs, industries, funding = needs_grid(n_reg, n_ind, n_t, k)
    cell = np.repeat(np.arange(n_reg * n_ind), n_t * k)
    year = np.tile(np.repeat(np.arange(n_t), k), n_reg * n_ind)
    trend = rng.uniform(-0.4, 0.3, n_reg * n_ind) if falling else np.full(n_reg * n_ind, 0.1)
    mean = rng.uniform(-5, 50, n_reg * n_ind)[cell] * (1.0 + trend[cell] * year)
    needs["gap"] = rng.normal(mean, rng.uniform(2, 15)).round(int(rng.integers(0, 2)))
    cost = rng.integers(1, 5, n_ind) * 100.0
    kwargs = dict(
        periods=funding,
        budget=pd.DataFrame({"period": funding, "budget": rng.uniform(0.1, 0.4)
                             * needs["gap"].clip(lower=0).sum() / k * cost.mean() / n_t}),
        **industry_terms(rng, industries, cost),
        capacity_groups=two_capacity_groups(rng, industries, n_reg),
        lead_time=1, surplus_penalty=float(rng.choice([0.3, 0.8, 2.0])))
    if envelopes:
        kwargs["budget_envelopes"] = pd.DataFrame({"region": ["R0", "R1"],
                                                   "budget": rng.uniform(200, 2000, 2)})
    if leads:
        kwargs["lead_time"] = pd.DataFrame({"industry": industries,
                                            "lead_time": np.arange(n_ind) % 2 + 1})
    if policy:
        cells = needs[["region", "industry", "period"]].drop_duplicates()
        kwargs["policy_need"] = cells.assign(
            policy_need=np.where(rng.random(len(cells)) < 0.3, 0.0,
                                 rng.uniform(0, 60, len(cells)).round()))
        kwargs["need_weights"] = {"market": 1.0, "policy": float(rng.choice([0.3, 1.0, 3.0]))}
    return needs, kwargs




def _assert_same_plan(plan, full) -> None:
    """The full program's places, or with several optima one as close to need.

    ``optimum_unique`` says whether the tie rule moved the first optimum
    found, which differs between the routes; the tie rule's own program may
    have several optima too, all as close to need.
    """
    if bool(plan.summary["optimum_unique"]) and bool(full.summary["optimum_unique"]):
        np.testing.assert_allclose(plan.quotas["quota"], full.quotas["quota"],
                                   rtol=1e-6, atol=1e-6)
    assert tie_deviation(plan) == pytest.approx(tie_deviation(full), rel=1e-6, abs=1e-6)


def test_the_route_by_classes_makes_penalised_plans(route_by_classes):
    # eight cells in two classes, sample paths: the route by classes makes the plan with and
    # without a penalty, each the full program's
    rng = np.random.default_rng(7)
    cells = [("N", f"i{j}") for j in range(8)]
    rows = [{"region": r, "industry": i, "period": p, "sample": k,
             "gap": float(rng.uniform(0, 20))}
            for r, i in cells for p in ("2027", "2028") for k in range(5)]
    needs = pd.DataFrame(rows)
    cost = pd.DataFrame({"industry": [i for _, i in cells],
                         "cost_per_trainee": [100.0] * 4 + [150.0] * 4})
    kw = dict(periods=[2026, 2027], budget=pd.DataFrame({"period": [2026, 2027],
                                                          "budget": [3_000.0, 3_000.0]}),
              cost_per_trainee=cost, pass_rate=1.0, lead_time=1, exit_rate=0.1,
              integer="none")
    full = {p: allocate_quotas(needs, surplus_penalty=p, **kw) for p in (0.0, 0.8)}
    used = route_by_classes()
    plain = allocate_quotas(needs, **kw)
    assert len(used) == 1 and used[0] is not None          # the class route made it
    assert plain.summary["objective"] == pytest.approx(full[0.0].summary["objective"])
    penalised = allocate_quotas(needs, surplus_penalty=0.8, **kw)
    assert len(used) == 2 and used[1] is not None          # and the penalised plan too
    _assert_same_plan(penalised, full[0.8])
    assert penalised.summary["objective"] == pytest.approx(full[0.8].summary["objective"])
    assert penalised.summary["lp_objective"] == pytest.approx(full[0.8].summary["lp_objective"])
    assert penalised.summary["surplus_after"] < plain.summary["surplus_after"]


@pytest.mark.parametrize(("seed", "extra"), [
    (0, {}), (1, {"policy": True}), (2, {"envelopes": True}), (3, {"leads": True}),
    (4, {"policy": True, "envelopes": True, "leads": True}), (5, {"falling": True}),
    (6, {"policy": True, "falling": True, "leads": True})])
def test_penalised_plans_by_classes_are_the_full_programs(seed, extra, route_by_classes):
    needs, kwargs = _class_case(seed, **extra)
    args = dict(kwargs, integer="none")
    full = allocate_quotas(needs, **args)
    used = route_by_classes()
    plan = allocate_quotas(needs, **args)
    assert len(used) == 1 and used[0] is not None          # made by classes
    scale = max(1.0, float(full.summary["shortfall_before"]))
    assert plan.summary["objective"] == pytest.approx(full.summary["objective"],
                                                      abs=1e-7 * scale)
    assert plan.summary["lp_objective"] == pytest.approx(full.summary["lp_objective"],
                                                         abs=1e-7 * scale)
    np.testing.assert_allclose(plan.marginal_value.to_numpy(dtype=float),
                               full.marginal_value.reindex(plan.marginal_value.index)
                               .to_numpy(dtype=float), rtol=1e-6, atol=1e-9)
    _assert_same_plan(plan, full)
    # whole places: rounded from the plan by classes, every budget kept, near the optimum
    rounded = allocate_quotas(needs, **dict(kwargs, integer="round"))
    assert len(used) == 2 and used[1] is not None
    quota = rounded.quotas["quota"]
    assert (quota == quota.round()).all()
    spent = rounded.quotas.groupby("period", observed=True)["cost"].sum().to_numpy()
    assert (spent <= kwargs["budget"]["budget"].to_numpy() + 1e-6).all()
    assert float(rounded.summary["objective"]) >= float(full.summary["objective"]) - 1e-7 * scale
    assert float(rounded.summary["objective"]) <= float(full.summary["objective"]) + 0.01 * scale


@pytest.mark.parametrize("seed", range(4))
def test_the_per_cell_check_counts_the_penalty(seed):
    # at the full program's duals every cell's penalised places pass the check; the same
    # places judged without the penalty (or with it and without the cost per place) fail
    from dataclasses import replace

    from talentgap.planning._multiyear_cells import check_cells
    from talentgap.planning._multiyear_lp import build_program, row_families, solve

    needs, kwargs = _class_case(seed, policy=seed % 2 == 1)
    problem = build_years_problem(
        needs, keys=["region", "industry"], value="gap", total_budget=None, absorption=1.0,
        capacity=None, min_quota=0, risk="expected", quantile=None, integer="none",
        policy_need=kwargs.pop("policy_need", None), need_weights=kwargs.pop("need_weights",
                                                                             None),
        budget_envelopes=None, equity=None, tie_tolerance=1e-9, **kwargs)
    assert problem.surplus_penalty > 0
    full = solve(problem, build_program(problem))
    a, _, scale, _ = row_families(problem)
    price = a.T @ (full.row_value * scale)
    optimal, _ = check_cells(problem, price, full.q, tol=1e-7)
    assert optimal.all()
    plain, _ = check_cells(replace(problem, surplus_penalty=0.0), price, full.q, tol=1e-7)
    assert not plain.all()


@pytest.mark.parametrize("penalty", [0.5, 2.0])
def test_a_cells_own_penalised_program_matches_its_literal_program(penalty):
    # one cell, two funding periods, three need periods, exits, eight paths: the chain
    # solver at a price per place against the literal program with one shortfall and one
    # surplus variable per need period and path
    from scipy.optimize import linprog

    from talentgap.planning._multiyear_cells import chain_form, check_cells, solve_cells

    rng = np.random.default_rng(11)
    paths = {p: list(np.round(rng.uniform(-3, 30, 8))) for p in ("2027", "2028", "2029")}
    problem = build_years_problem(
        _paths(paths), periods=[2026, 2027], keys=["region", "industry"], value="gap",
        budget=1e6, total_budget=None, cost_per_trainee=1.0, pass_rate=0.8, absorption=1.0,
        capacity=None, min_quota=0, lead_time=1, exit_rate=0.2, risk="expected",
        quantile=None, surplus_penalty=penalty, integer="none", policy_need=None,
        need_weights=None, capacity_groups=None, budget_envelopes=None, equity=None,
        tie_tolerance=1e-9)
    assert chain_form(problem) is None
    t_block = problem.transfer.toarray()                  # 3 need periods x 2 decisions
    gaps = np.array(list(paths.values()))                 # 3 x 8
    k = gaps.shape[1]
    for price in ([0.1, 0.1], [0.6, 0.2], [1.5, 0.05]):
        plans = solve_cells(problem, np.array(price))
        # x = [q (2), u (24), v (24)]: u >= N - T q, v >= T q - N
        eye = np.identity(gaps.size)
        spread = np.repeat(t_block, k, axis=0)
        a_ub = np.block([[-spread, -eye, np.zeros_like(eye)],
                         [spread, np.zeros_like(eye), -eye]])
        b_ub = np.concatenate([-gaps.ravel(), gaps.ravel()])
        cost = np.concatenate([price, np.full(gaps.size, 1.0 / k),
                               np.full(gaps.size, penalty / k)])
        res = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
        assert res.status == 0
        # the cell's value leaves out the penalty's constant, - penalty x sum of mean needs
        assert plans.value[0] - penalty * gaps.mean(axis=1).sum() == pytest.approx(
            res.fun, abs=1e-9)
        assert check_cells(problem, np.array(price), plans.q)[0].all()
        if plans.unique[0]:
            np.testing.assert_allclose(plans.q, res.x[:2], atol=1e-7)


def test_penalty_with_equity_rules_gives_whole_places_that_keep_them():
    # region S must lose 30% of its shortfall although its places cost four times N's;
    # rounding with a penalty and equity rules goes to the integer program
    needs = pd.DataFrame({"region": ["N"] * 6 + ["S"] * 6,
                          "industry": (["A"] * 3 + ["B"] * 3) * 2,
                          "period": ["2026", "2027", "2028"] * 4,
                          "gap": [30.0, 20, 80, 20, 40, 60, 5, 5, 5, 10, 0, 0]})
    kw = dict(periods=[2026, 2027], budget=6_000, pass_rate=0.7, lead_time=1,
              exit_rate=0.1, surplus_penalty=0.5,
              cost_per_trainee=pd.DataFrame({"region": ["N", "S"],
                                             "cost_per_trainee": [100.0, 400.0]}),
              equity=pd.DataFrame({"region": ["S"], "share": [0.3]}))
    rounded = allocate_quotas(needs, **kw)
    exact = allocate_quotas(needs, **{**kw, "integer": "exact"})
    south = rounded.cells[rounded.cells["region"] == "S"]
    assert south["shortage_reduction"].sum() >= 0.3 * south["shortfall_before"].sum() - 1e-9
    assert rounded.summary["total_cost"] <= 6_000
    assert rounded.summary["objective"] == pytest.approx(exact.summary["objective"])
    assert any("equity rule of S" in line and "plus the surplus penalty" in line
               for line in rounded.binding)


def test_a_negative_penalty_is_refused(two_cells):
    from talentgap.errors import PlanningError

    with pytest.raises(PlanningError, match="surplus_penalty must be a number >= 0"):
        allocate_quotas(two_cells, periods=[2026], budget=1_000, cost_per_trainee=100,
                        pass_rate=1.0, surplus_penalty=-1.0)


@pytest.mark.parametrize("penalty", [0.3, 2.0])
def test_programme_plans_charge_the_surplus_of_every_cell_they_feed(penalty):
    # one programme, half to A and half to B, 20% exits: 2026 places serve both years,
    # B's surplus in 2026 (its need is 0) costs the penalty
    needs = pd.DataFrame({"region": "N", "industry": ["A", "A", "B", "B"],
                          "period": ["2026", "2027"] * 2, "gap": [10.0, 8.0, 0.0, 20.0]})
    crosswalk = pd.DataFrame({"program": "welding", "industry": ["A", "B"],
                              "share": [0.5, 0.5]})
    plan = allocate_quotas(
        needs, periods=[2026, 2027], crosswalk=crosswalk, cost_per_trainee=100,
        budget=pd.DataFrame({"period": [2026, 2027], "budget": [10_000.0, 10_000.0]}),
        pass_rate=1.0, exit_rate=0.2, integer="none", surplus_penalty=penalty)
    grid = np.arange(0, 60.25, 0.25)
    a, b = np.meshgrid(grid, grid, indexing="ij")
    workers = [0.5 * a, 0.4 * a + 0.5 * b, 0.5 * a, 0.4 * a + 0.5 * b]
    objective = sum(np.maximum(n - w, 0) + penalty * np.maximum(w - n, 0)
                    for n, w in zip([10.0, 8.0, 0.0, 20.0], workers, strict=True))
    assert plan.summary["objective"] == pytest.approx(objective.min(), abs=1e-9)
    assert plan.summary["lp_objective"] == pytest.approx(objective.min(), abs=1e-9)
