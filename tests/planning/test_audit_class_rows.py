"""A minimum class size next to rows that ask for places, and empty per-cell tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import PlanningError
from talentgap.planning import allocate_quotas

YEARS = [2026, 2027]


def _needs() -> pd.DataFrame:
    """Two cells of trade x with no gap and one cell of trade y short of 50 every year."""
    return pd.DataFrame({"region": ["A", "B", "A"] * 3, "industry": ["x", "x", "y"] * 3,
                         "period": np.repeat(["2026", "2027", "2028"], 3),
                         "gap": [0.0, 0.0, 50.0] * 3})


#: one college trains trade x and must run at least 6 places of it a year
GROUPS = pd.DataFrame({"group": "college", "industry": ["x"], "capacity": 40.0,
                       "min_places": 6.0})
KW = {"periods": YEARS, "budget": 3000.0, "cost_per_trainee": 100.0, "pass_rate": 1.0,
      "exit_rate": 0.0, "capacity_groups": GROUPS, "min_class_size": 10}


@pytest.mark.parametrize("integer", ["round", "exact"])
def test_group_minimum_is_met_by_a_full_class(integer):
    # The LP gives trade x exactly the group's 6 places, a split class worth nothing
    # in shortfall; closing it would leave the group's minimum unmet, so it runs a
    # class of 10. Hand optimum: a class of x each year (2,000), the other 1,000 buys
    # 10 places of y in 2026, which count in 2026-2028: shortfall 3 x (50 - 10) = 120.
    plan = allocate_quotas(_needs(), integer=integer, **KW)
    q = plan.quotas
    assert ((q["quota"] == 0) | (q["quota"] >= 10)).all()
    x = q[q["industry"] == "x"].groupby("period")["quota"].sum()
    assert (x >= 6).all() and (x <= 40).all()
    assert float(q["cost"].sum()) <= 3000.0
    assert float(plan.summary["objective"]) == pytest.approx(120.0)


@pytest.mark.parametrize("name", ["min_class_size", "capacity"])
def test_an_empty_table_leaves_every_cell_at_the_default(name):
    needs = _needs().drop(columns="period").drop_duplicates().assign(period="2026")
    kw = {"budget": 2000.0, "cost_per_trainee": 100.0, "pass_rate": 1.0}
    empty = pd.DataFrame({"region": pd.Series([], dtype=object),
                          "industry": pd.Series([], dtype=object),
                          name: pd.Series([], dtype=float)})
    with_empty = allocate_quotas(needs, **kw, **{name: empty})
    without = allocate_quotas(needs, **kw)
    assert with_empty.quotas["quota"].tolist() == without.quotas["quota"].tolist()
    assert np.isinf(with_empty.quotas["capacity"]).all()


def test_a_dead_end_of_the_greedy_rule_is_settled_by_the_integer_program():
    # Trade x in regions A and B shares a college of 14 places a year that must run at
    # least 1; a class is 14 and A's envelope (353) cannot pay for one (14 x 100), so the
    # only plans fund B's class of 14 in both years. Hand shortfall: A 0 + 15 + 0; B
    # (33 - 7) + 0 + (17 - 14) = 29 (pass rate 0.5); 44 in all.
    needs = pd.DataFrame({"region": list("AAABBB"), "industry": "x",
                          "period": ["2026", "2027", "2028"] * 2,
                          "gap": [-5.0, 15.0, -1.0, 33.0, 9.0, 17.0]})

    def by_cell(name, a, b):
        return pd.DataFrame({"region": ["A", "B"], "industry": "x", name: [a, b]})

    plan = allocate_quotas(
        needs, periods=YEARS, integer="round", exit_rate=0.0,
        budget=pd.DataFrame({"period": YEARS, "budget": [2960.0, 2015.0]}),
        cost_per_trainee=by_cell("cost_per_trainee", 100.0, 50.0),
        pass_rate=by_cell("pass_rate", 1.0, 0.5), capacity=by_cell("capacity", 22.0, 51.0),
        capacity_groups=pd.DataFrame({"group": ["g1"], "industry": ["x"], "capacity": [14.0],
                                      "min_places": [1.0]}),
        budget_envelopes=pd.DataFrame({"region": ["A"], "budget": [353.0]}),
        min_class_size=14)
    q = plan.quotas.assign(period=plan.quotas["period"].astype(str))
    assert q.set_index(["region", "period"])["quota"].to_dict() == {
        ("A", "2026"): 0, ("A", "2027"): 0, ("B", "2026"): 14, ("B", "2027"): 14}
    assert float(plan.summary["objective"]) == pytest.approx(44.0)
    assert any("the integer program chose which classes run" in n for n in plan.notes)


@pytest.mark.parametrize("integer", ["round", "exact"])
def test_classes_no_budget_can_pay_for_are_named_as_the_conflict(integer):
    # The college must train 5 of trade x a year: 500 of the 700 a year would do, but a
    # class is 10 places (1,000), so no plan in whole classes exists.
    needs = pd.DataFrame({"region": "A", "industry": ["x", "y"] * 2,
                          "period": ["2026", "2026", "2027", "2027"], "gap": [0.0, 50.0] * 2})
    groups = pd.DataFrame({"group": "college", "industry": ["x"], "capacity": 40.0,
                           "min_places": 5.0})
    with pytest.raises(PlanningError, match=r"minimum class size .*these conflict: "
                                            r"budget\[2026\]"):
        allocate_quotas(needs, periods=YEARS, integer=integer, exit_rate=0.0,
                        budget=pd.DataFrame({"period": YEARS, "budget": [700.0, 700.0]}),
                        cost_per_trainee=100.0, pass_rate=1.0, capacity_groups=groups,
                        min_class_size=10)


def test_equity_rules_that_rounding_cannot_keep_with_the_settled_classes():
    # Two regions x three trades, two scenarios; each region must remove 30% of its
    # shortfall. Rounding the plan with the classes the greedy rule settled cannot keep
    # both equity rules, and no whole plan with those classes can either, but whole plans
    # with other classes can: the integer program then decides the classes too.
    gap = [27, 14, 8, 31, 11, -2, -5, 20, 23, 0, 20, 20, 10, 5, 2, 18, 9, 24,
           30, 15, 23, 14, 36, 26, 29, 36, 33, 16, 29, -2, -1, 39, 11, 27, 3, 0]
    needs = pd.DataFrame({"region": np.repeat(["A", "B"], 18),
                          "industry": np.tile(np.repeat(["x", "y", "z"], 6), 2),
                          "period": np.tile(np.repeat(["2026", "2027", "2028"], 2), 6),
                          "sample": np.tile([0, 1], 18), "gap": np.asarray(gap, float)})
    cells = pd.DataFrame({"region": np.repeat(["A", "B"], 3), "industry": ["x", "y", "z"] * 2})
    kw = {"periods": YEARS, "exit_rate": 0.0, "equity": 0.3,
          "budget": pd.DataFrame({"period": YEARS, "budget": [626.0, 2994.0]}),
          "cost_per_trainee": cells.assign(cost_per_trainee=[50.0, 120, 50, 50, 100, 100]),
          "pass_rate": cells.assign(pass_rate=[0.8, 1.0, 1.0, 1.0, 0.5, 1.0]),
          "capacity": cells.assign(capacity=[51.0, np.inf, np.inf, np.inf, np.inf, 28.0]),
          "capacity_groups": pd.DataFrame({"group": ["g1"], "industry": ["x"],
                                           "capacity": [43.0], "min_places": [4.0]}),
          "min_class_size": cells.assign(min_class_size=[7.0, 12, 5, 14, 10, 8])}
    exact = allocate_quotas(needs, integer="exact", **kw)
    plan = allocate_quotas(needs, integer="round", **kw)
    q = plan.quotas.merge(kw["min_class_size"], on=["region", "industry"])
    assert ((q["quota"] == 0) | (q["quota"] >= q["min_class_size"])).all()
    assert (q.groupby("period")["cost"].sum().to_numpy() <= [626.0, 2994.0]).all()
    x = q[q["industry"] == "x"].groupby("period")["quota"].sum()
    assert x.between(4, 43).all()
    assert float(plan.summary["objective"]) >= float(exact.summary["objective"]) - 1e-9
    assert any("the integer program chose which classes run" in n for n in plan.notes)
