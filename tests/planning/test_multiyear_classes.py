"""Multi-year plans solved by classes of alike cells against the full program.

The merged program (one column per class, level and scenario piece) must
reach the full program's optimum and its row duals exactly, on random plans
with annual budgets, capacity groups, budget envelopes and needs that fall
over time (so that some cells' chains bind and they leave their class).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _years_problem import (
    industry_terms,
    needs_grid,
    tie_deviation,
    two_capacity_groups,
    years_problem,
)

from talentgap.planning import _multiyear_classes as classes
from talentgap.planning import allocate_quotas
from talentgap.planning._multiyear_classes import (
    cell_classes,
    class_form,
    merged_classes,
    solve_by_classes,
)
from talentgap.planning._multiyear_lp import (
    build_program,
    row_families,
    solve,
    weighted_shortfall,
)


def _case(seed: int, *, envelopes: bool = False, falling: bool = False,
          policy: bool = False, leads: bool = False):
    rng = np.random.default_rng(seed)
    n_reg, n_ind, n_t = int(rng.integers(3, 7)), int(rng.integers(2, 5)), int(rng.integers(2, 5))
    k = int(rng.choice([5, 20, 40]))
    needs, industries, funding = needs_grid(n_reg, n_ind, n_t, k)
    cell_mean = rng.uniform(-5, 60, n_reg * n_ind)
    trend = rng.uniform(-0.4, 0.3, n_reg * n_ind) if falling else np.full(n_reg * n_ind, 0.1)
    year = np.tile(np.repeat(np.arange(n_t), k), n_reg * n_ind)
    cell = np.repeat(np.arange(n_reg * n_ind), n_t * k)
    mean = cell_mean[cell] * (1.0 + trend[cell] * year)
    needs["gap"] = rng.normal(mean, rng.uniform(2, 20)).round(int(rng.integers(0, 2)))
    cost = rng.integers(1, 6, n_ind) * 100.0
    kwargs = dict(
        periods=funding,
        budget=pd.DataFrame({"period": funding,
                             "budget": rng.uniform(0.1, 0.4) * needs["gap"].clip(lower=0).sum()
                             / k * cost.mean() / n_t}),
        **industry_terms(rng, industries, cost),
        capacity_groups=two_capacity_groups(rng, industries, n_reg),
        lead_time=1)
    if envelopes:
        kwargs["budget_envelopes"] = pd.DataFrame(
            {"region": ["R0", "R1"], "budget": rng.uniform(200, 2000, 2)})
    if leads:    # lead time 1 or 2 years per industry
        kwargs["lead_time"] = pd.DataFrame({"industry": industries,
                                            "lead_time": rng.integers(1, 3, n_ind)})
    if policy:   # workers short of a policy target, some cells none, weighted against the market
        cells = needs[["region", "industry", "period"]].drop_duplicates().reset_index(drop=True)
        kwargs["policy_need"] = cells.assign(
            policy_need=np.where(rng.random(len(cells)) < 0.3, 0.0,
                                 rng.uniform(0, 80, len(cells)).round(int(rng.integers(0, 2)))))
        kwargs["need_weights"] = {"market": 1.0, "policy": float(rng.choice([0.2, 0.5, 1, 3]))}
    return needs, kwargs


def _problem(needs, kwargs, **extra):
    return years_problem(needs, **{**kwargs, **extra})


@pytest.mark.parametrize("policy", [False, True])
@pytest.mark.parametrize("seed", range(12))
def test_classes_reach_the_full_programs_optimum_and_duals(seed, policy):
    needs, kwargs = _case(seed, envelopes=seed % 3 == 0, falling=seed % 2 == 1, policy=policy,
                          leads=seed % 4 >= 2)
    problem = _problem(needs, kwargs)
    assert class_form(problem) is None
    merged = solve_by_classes(problem)
    program = build_program(problem)
    full = solve(problem, program)
    scale = max(1.0, program.before)
    assert merged.program.before == pytest.approx(program.before, rel=1e-12)
    assert merged.solution.objective == pytest.approx(full.objective, abs=1e-8 * scale)
    # the objective is that of the places
    q = merged.solution.q
    achieved = weighted_shortfall(problem, q).sum() - program.before
    assert achieved == pytest.approx(merged.solution.objective, abs=1e-8 * scale)
    # feasible: every coupling row holds, no negative places
    a, limit, _, _ = row_families(problem)
    assert (a @ q <= limit + 1e-7 * np.maximum(1.0, np.abs(limit))).all()
    assert (q >= 0).all()
    # the same value of every budget, envelope and capacity group
    np.testing.assert_allclose(merged.solution.row_value, full.row_value,
                               rtol=1e-6, atol=1e-9 * max(1.0, full.row_value.max()))
    if merged.unique:
        np.testing.assert_allclose(q, full.q, rtol=1e-6, atol=1e-6)


def test_falling_needs_take_cells_out_of_their_class():
    # every cell's need falls steeply: later levels would sit below earlier ones
    for seed in range(30):
        needs, kwargs = _case(seed, falling=True)
        problem = _problem(needs, kwargs)
        merged = solve_by_classes(problem)
        if merged.rounds > 1:
            full = solve(problem, build_program(problem))
            assert merged.n_classes > cell_classes(problem, row_families(problem)[0]).max() + 1
            assert merged.solution.objective == pytest.approx(
                full.objective, abs=1e-8 * max(1.0, build_program(problem).before))
            return
    pytest.fail("no case made a cell leave its class")


def test_classes_follow_costs_weights_and_envelopes():
    needs, kwargs = _case(0)
    problem = _problem(needs, kwargs)
    label = cell_classes(problem, row_families(problem)[0])
    industry = problem.cells["industry"].astype(str).to_numpy()
    # one class per industry: same cost, pass rate, exit rate and group
    assert len(set(zip(label, industry, strict=True))) == len(set(industry)) == label.max() + 1
    # an envelope on one region splits that region's cells off
    kwargs["budget_envelopes"] = pd.DataFrame({"region": ["R0"], "budget": [1e6]})
    problem = _problem(needs, kwargs)
    label = cell_classes(problem, row_families(problem)[0])
    region = problem.cells["region"].astype(str).to_numpy()
    assert label.max() + 1 == 2 * len(set(industry))
    assert not set(label[region == "R0"]) & set(label[region != "R0"])
    # a weight per cell makes every cell its own class
    weights = problem.cells.assign(market=np.arange(problem.n_cells) + 1.0)
    problem = _problem(needs, kwargs, need_weights={"market": weights})
    assert cell_classes(problem, row_families(problem)[0]).max() + 1 == problem.n_cells
    assert merged_classes(problem, min_pieces=0) is None   # merging would not pay


def test_class_form_names_what_it_cannot_merge():
    needs, kwargs = _case(1)
    assert class_form(_problem(*_case(1, policy=True))) is None   # a policy need merges too
    assert class_form(_problem(needs, kwargs, integer="exact")) == "whole places"
    assert class_form(_problem(needs, kwargs, tie_tolerance=0.01)) == "a tie tolerance"
    leads = pd.DataFrame({"industry": kwargs["pass_rate"]["industry"],
                          "lead_time": np.arange(len(kwargs["pass_rate"])) % 2 + 1})
    assert class_form(_problem(needs, kwargs, lead_time=leads)) is None   # several merge
    # lead time 0: places funded in the first period are overtaken before any need
    leads = leads.assign(lead_time=leads["lead_time"] - 1)
    assert class_form(_problem(needs, kwargs, lead_time=leads)) == (
        "funding periods that serve no or several need periods")
    # funding every other year: a funding period serves two need periods
    periods = sorted(needs["period"].unique())
    if len(periods) >= 3:
        sparse = dict(kwargs, periods=[str(int(periods[0]) - 1), str(int(periods[1]))],
                      budget=1e5, capacity_groups=None)
        assert class_form(_problem(needs, sparse)) == (
            "funding periods that serve no or several need periods")


@pytest.mark.parametrize("seed", [2, 5, 7])
def test_plans_by_classes_match_the_full_plan(seed, route_by_classes):
    needs, kwargs = _case(seed, envelopes=seed == 5, policy=seed == 7)
    args = dict(kwargs, integer="none")
    full = allocate_quotas(needs, **args)
    used = route_by_classes()
    merged = allocate_quotas(needs, **args)
    assert used and used[0] is not None        # the plan was made by classes
    before = float(full.summary["shortfall_before"])
    assert float(merged.summary["shortfall_after"]) == pytest.approx(
        float(full.summary["shortfall_after"]), abs=1e-7 * before)
    assert list(merged.marginal_value.index) == list(full.marginal_value.index)
    np.testing.assert_allclose(merged.marginal_value.to_numpy(dtype=float),
                               full.marginal_value.to_numpy(dtype=float), rtol=1e-6, atol=1e-12)
    assert bool(merged.summary["optimum_unique"]) == bool(full.summary["optimum_unique"])
    if not bool(merged.summary["optimum_unique"]):
        assert any("several plans are equally good" in n for n in merged.notes)
        # the same tie rule: as close to need-proportional as the full program's plan
        assert tie_deviation(merged) == pytest.approx(tie_deviation(full), rel=1e-6, abs=1e-6)
    # whole places: rounding starts from the merged plan and keeps every row
    whole = allocate_quotas(needs, **dict(kwargs, integer="round"))
    assert (whole.quotas["quota"] == whole.quotas["quota"].round()).all()
    spent = whole.quotas.groupby("period", observed=True)["cost"].sum()
    budget = kwargs["budget"].set_index("period")["budget"]
    assert (spent.to_numpy() <= budget.to_numpy() + 1e-6).all()




@pytest.mark.parametrize("seed", range(6))
def test_class_ties_keep_the_optimum(seed, route_by_classes):
    needs, kwargs = _case(seed, envelopes=seed % 2 == 0, policy=seed >= 3, leads=seed % 3 == 1)
    args = dict(kwargs, integer="none")
    full = allocate_quotas(needs, **args)
    used = route_by_classes()
    plan = allocate_quotas(needs, **args)
    assert used and used[-1] is not None       # made by classes
    before = float(full.summary["shortfall_before"])
    assert float(plan.summary["objective"]) == pytest.approx(
        float(full.summary["objective"]), abs=1e-7 * before)
    spent = plan.quotas.groupby("period", observed=True)["cost"].sum().to_numpy()
    assert (spent <= kwargs["budget"]["budget"].to_numpy() * (1 + 1e-9) + 1e-6).all()
    assert tie_deviation(plan) <= tie_deviation(full) * (1 + 1e-6) + 1e-6


def test_too_many_leavers_hand_the_plan_to_the_full_program():
    for seed in range(1, 40, 2):
        needs, kwargs = _case(seed, falling=True)
        problem = _problem(needs, kwargs)
        label = cell_classes(problem, row_families(problem)[0])
        if solve_by_classes(problem).rounds > 1:
            assert solve_by_classes(problem, max_classes=int(label.max()) + 1) is None
            return
    pytest.fail("no case made a cell leave its class")


@pytest.mark.parametrize("penalty", [0.0, 0.5])
def test_a_plan_that_fails_the_check_is_solved_by_the_full_program(penalty, monkeypatch, caplog,
                                                                   route_by_classes):
    needs, kwargs = _case(3)
    args = dict(kwargs, integer="none", surplus_penalty=penalty)
    full = allocate_quotas(needs, **args)
    used = route_by_classes()

    def failing(problem, price, q, tol=1e-9):
        return np.zeros(problem.n_cells, dtype=bool), np.zeros(problem.n_cells, dtype=bool)

    monkeypatch.setattr(classes, "check_cells", failing)
    with caplog.at_level("WARNING", logger=classes.__name__):
        plan = allocate_quotas(needs, **args)
    assert "fail the optimality check; the full program solves it" in caplog.text
    assert used == [None]                      # offered to the route, which declined
    pd.testing.assert_frame_equal(plan.quotas, full.quotas)
