"""One wording of a plan's constraints: the library's lines and the report's are the same facts.

``QuotaPlan.binding`` (and ``POST /v1/plan``) and the report (``plan_binding.csv``) word
each row of ``QuotaPlan.constraints`` with
:func:`~talentgap.planning._constraint_sentences.constraint_sentences`; the report adds
the currency. The cases below are those where the two used to disagree.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from talentgap.cli._notes import plain_constraints
from talentgap.planning import _multiyear_round_lists, _plan, _solve, allocate_quotas, budget_curve
from talentgap.planning._constraint_sentences import cheapest_places, plan_sentences
from talentgap.planning._plan_words import PAID_ELSEWHERE

KW = {"periods": [2026, 2027], "pass_rate": 0.8, "lead_time": 1, "exit_rate": 0.1}


def _needs() -> pd.DataFrame:
    """Regions N and S, industries A and B, three sample paths of 2026-2028."""
    rows = [{"region": region, "industry": industry, "period": str(year), "sample": k,
             "gap": base * share + 10 * k + 5 * (year - 2026)}
            for region, base in (("N", 60.0), ("S", 40.0))
            for industry, share in (("A", 1.0), ("B", 0.6))
            for year in (2026, 2027, 2028) for k in range(3)]
    return pd.DataFrame(rows)


def _with_yuan(line: str) -> str:
    """A library line as the report words it: the same, with the currency after each sum."""
    for word in (" spent", " left buys", " not needed"):
        line = line.replace(word, " yuan" + word)
    return re.sub(r"(each extra [\d,]+) of it", r"\1 yuan of it", line)


def _row(plan, kind: str) -> pd.Series:
    table = plan.constraints
    return table[table["kind"] == kind].iloc[0]


def test_a_group_minimum_adds_shortfall_in_both_wordings():
    groups = pd.DataFrame({"group": "g", "industry": "B", "region": ["N", "S"],
                           "min_places": 30.0})
    plan = allocate_quotas(_needs(), budget=6000.0, cost_per_trainee=100.0,
                           capacity_groups=groups, **KW)
    row = _row(plan, "capacity_group_min")
    assert row["value"] < 0 and row["limit"] == 30 and row["period"] == "2027"
    added = f"each further place it requires adds about {-row['value']:.2f} person-years"
    report = plan_sentences(plan, currency="yuan")
    for line in (row["sentence"], report[list(plan.constraints["kind"]).index(
            "capacity_group_min")]):
        assert line.startswith("the minimum places of g in 2027 (at least 30) is reached "
                               "(30 places)")
        assert added in line and "closes about -" not in line


def test_the_cheapest_place_is_that_of_the_budget_s_own_year():
    # 2026's places cost 600 and its budget is 500: no place; 2027's cost 400
    cost = pd.DataFrame({"period": ["2026", "2027"], "cost_per_trainee": [600.0, 400.0]})
    budget = pd.DataFrame({"period": ["2026", "2027"], "budget": [500.0, 8000.0]})
    plan = allocate_quotas(_needs(), budget=budget, cost_per_trainee=cost, **KW)
    assert cheapest_places(plan).tolist() == [600.0, 400.0]
    head = ("the budget for 2026 of 500{} is below the cost of one place (the cheapest place "
            "costs 600{}): no place can be funded; each extra 100{} of it would close about")
    assert plan.binding[0].startswith(head.format("", "", ""))
    assert plan_sentences(plan, currency="yuan")[0].startswith(head.format(*[" yuan"] * 3))


def test_a_shared_capacity_under_a_spent_budget_is_worth_its_net_value():
    # A certifies 0.9 a place, B 0.5: the budget goes to A, whose group holds 3 places a year
    rates = pd.DataFrame({"industry": ["A", "B"], "pass_rate": [0.9, 0.5]})
    groups = pd.DataFrame({"group": "g", "industry": "A", "region": ["N", "S"],
                           "capacity": 3.0})
    plan = allocate_quotas(_needs(), budget=8000.0, cost_per_trainee=100.0,
                           capacity_groups=groups, integer="none",
                           **{**KW, "pass_rate": rates})
    row = _row(plan, "capacity_group")
    assert row["name"] == "capacity_group[g, 2026]" and row["period"] == "2026"
    # one more place of A in 2026: 0.9 workers in 2027 and 0.9 x 0.9 in 2028, all short
    # (1.71 person-years), paid with 100 taken from places worth the budget's value
    budget_value = float(plan.marginal_value["budget"])
    assert row["value"] == pytest.approx(0.9 + 0.81 - 100 * budget_value, rel=1e-6)
    report = plan_sentences(plan, currency="yuan")
    i = list(plan.constraints["kind"]).index("capacity_group")
    assert row["sentence"].endswith(PAID_ELSEWHERE) and report[i].endswith(PAID_ELSEWHERE)


def test_a_class_plan_s_money_left_keeps_its_class_words():
    one = _needs()
    one = one[one["period"] == "2027"]
    plan = allocate_quotas(one, budget=2550.0, cost_per_trainee=100.0, pass_rate=0.8,
                           min_class_size=15, lead_time=1)
    line = plan.binding[0]
    assert line.startswith("budget is the limit: 2,500 of 2,550 spent; the money left (50) "
                           "is less than one class (1,500)")
    assert plan_sentences(plan, currency="yuan")[0] == line
    assert "fully used" not in line


@pytest.mark.parametrize("case", ["single", "years", "programmes"])
def test_library_lines_are_the_report_s_without_a_currency(case):
    if case == "single":
        gap = pd.DataFrame({"region": "R", "industry": ["A", "B", "C"], "period": "2026",
                            "gap": [100.0, 100.0, 100.0]})
        cost = pd.DataFrame({"industry": ["A", "B", "C"],
                             "cost_per_trainee": [100.0, 200.0, 100.0]})
        rate = pd.DataFrame({"industry": ["A", "B", "C"], "pass_rate": [1.0, 1.0, 0.1]})
        plan = allocate_quotas(gap, budget=1750.0, cost_per_trainee=cost, pass_rate=rate,
                               capacity=pd.DataFrame({"industry": ["A", "B", "C"],
                                                      "capacity": [10.0, np.inf, np.inf]}))
    elif case == "years":
        plan = allocate_quotas(_needs(), budget=pd.DataFrame(
            {"period": ["2026", "2027"], "budget": [3050.0, 4000.0]}),
            cost_per_trainee=100.0, capacity=5.0, **KW)
    else:
        gap = pd.DataFrame({"region": "North", "industry": ["construction", "equipment"],
                            "period": "2026", "gap": [100.0, 40.0]})
        crosswalk = pd.DataFrame({"program": ["welding", "welding", "cnc"],
                                  "industry": ["construction", "equipment", "equipment"],
                                  "share": [0.6, 0.4, 1.0]})
        cost = pd.DataFrame({"program": ["welding", "cnc"], "cost_per_trainee": [100.0, 50.0]})
        plan = allocate_quotas(gap, crosswalk=crosswalk, budget=5_000.0,
                               cost_per_trainee=cost, pass_rate=1.0,
                               capacity=pd.DataFrame({"program": ["welding", "cnc"],
                                                      "capacity": [np.inf, 10.0]}))
    assert len(plan.binding) >= 2
    table = plan.constraints
    assert plan.binding == table["sentence"].tolist()   # one list, read either way
    for line, words in zip(plan.binding, table["words"], strict=True):
        assert line.startswith(words) and len(line) > len(words)   # worded, not left blank
    report = plan_sentences(plan, currency="yuan")
    assert report == [_with_yuan(line) for line in plan.binding]
    # the command line's entry point is the same function
    unit = "person-years" if case == "years" else "persons"
    assert plain_constraints(plan.constraints, currency="yuan", unit=unit,
                             summary=plan.summary,
                             cheapest=cheapest_places(plan)) == report


def test_plans_are_worded_on_first_read_and_the_budget_curve_words_none(monkeypatch):
    worded = []
    real = _plan.plan_sentences
    monkeypatch.setattr(_plan, "plan_sentences", lambda plan: worded.append(1) or real(plan))
    gap = pd.DataFrame({"region": "R", "industry": ["A", "B"], "period": "2026",
                        "gap": [300.0, 100.0]})
    curve = budget_curve(gap, cost_per_trainee=100.0, pass_rate=0.5, capacity=60.0)
    assert len(curve.table) > 2 and worded == []
    plan = allocate_quotas(gap, budget=20_000.0, cost_per_trainee=100.0, pass_rate=0.5,
                           capacity=60.0)
    assert worded == [] and _plan.constraint_rows(plan)["sentence"].tolist() == [""] * 3
    assert plan.binding[1] == plan.constraints["sentence"].iloc[1]
    assert plan.binding[1].startswith("capacity of A in R is reached (60 places)")
    plan.binding, plan.constraints   # noqa: B018 - worded once, then kept
    assert worded == [1]


def test_one_tie_key_ties_equal_values_and_keeps_ten_figures():
    assert _multiyear_round_lists.tie_key is _solve.tie_key
    rng = np.random.default_rng(7)
    values = (1 + 9 * rng.random(5000)) * 10.0 ** rng.integers(-10, 9, 5000)  # 1e-10 to 1e10
    want = [round(v, 9 - math.floor(math.log10(v))) for v in values.tolist()]
    keys = _solve.tie_key(values)
    assert keys.tolist() == want == [_solve.tie_key(v) for v in values.tolist()]
    # sums that differ only in their last bits tie; a difference at the 9th figure does not
    a = np.array([0.1 + 0.2, 0.3, 1 / 3 * 3, 1.0, 1.000000001, 0.0, -1.0, np.inf])
    assert _solve.tie_key(a).tolist() == [0.3, 0.3, 1.0, 1.0, 1.000000001, 0.0, -1.0, np.inf]
    assert [_solve.tie_key(v) for v in a.tolist()] == _solve.tie_key(a).tolist()
