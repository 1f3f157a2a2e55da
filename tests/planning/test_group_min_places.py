"""Minimum places per capacity group (``min_places`` in ``capacity_groups``), multi-year plans."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import PlanningError
from talentgap.planning import allocate_quotas

YEARS = [2026, 2027]


def _needs() -> pd.DataFrame:
    """Two regions x two trades; the textiles trade needs far fewer workers than welding."""
    rows = [(r, i, str(p), g) for r in ("A", "B")
            for i, g in (("welding", 40.0), ("textiles", 2.0)) for p in (2027, 2028)]
    return pd.DataFrame(rows, columns=["region", "industry", "period", "gap"])


#: 30 places a year at 100 each: welding alone would take them all
KW = {"periods": YEARS, "budget": pd.DataFrame({"period": YEARS, "budget": [3000.0, 3000.0]}),
      "cost_per_trainee": 100, "pass_rate": 1.0, "lead_time": 1, "exit_rate": 0.0}


def _textiles(plan) -> pd.Series:
    q = plan.quotas
    return q[q["industry"] == "textiles"].groupby("period")["quota"].sum()


@pytest.mark.parametrize("integer", ["none", "round", "exact"])
def test_the_group_gets_its_minimum_each_year_and_no_more_than_it_needs(integer):
    group = pd.DataFrame({"group": "textiles college", "industry": ["textiles"],
                          "capacity": np.inf, "min_places": 10.0})
    free = allocate_quotas(_needs(), integer=integer, **KW)
    assert (_textiles(free) < 10).all()     # without the minimum welding takes the money
    plan = allocate_quotas(_needs(), capacity_groups=group, integer=integer, **KW)
    textiles = _textiles(plan)
    # at least 10 per year over both regions together -- not 10 in each region's cell
    assert textiles.tolist() == pytest.approx([10.0, 10.0])
    spent = plan.quotas.groupby("period")["cost"].sum()
    assert (spent <= 3000.0 + 1e-6).all()
    welding = plan.quotas[plan.quotas["industry"] == "welding"].groupby("period")["quota"].sum()
    assert welding.tolist() == pytest.approx([20.0, 20.0])   # the rest of the money
    binding = plan.constraints[plan.constraints["kind"] == "capacity_group_min"]
    assert len(binding) == 2
    assert binding["limit"].tolist() == [10.0, 10.0]
    assert (binding["used"] >= 10.0 - 1e-6).all()
    assert plan.marginal_value["capacity_group_min[textiles college, 2026]"] < 0


def test_a_per_cell_minimum_keyed_by_trade_applies_to_every_region():
    # the contrast the group minimum is for: min_quota by industry is per cell
    minimum = pd.DataFrame({"industry": ["welding", "textiles"], "min_quota": [0.0, 10.0]})
    plan = allocate_quotas(_needs(), min_quota=minimum, integer="none", **KW)
    assert _textiles(plan).tolist() == pytest.approx([20.0, 20.0])


def test_minimum_above_the_group_capacity_is_refused():
    group = pd.DataFrame({"group": ["G", "G"], "industry": ["textiles", "welding"],
                          "capacity": 5.0, "min_places": 8.0})
    with pytest.raises(PlanningError, match=r"'min_places'.*at most.*group 'G': min_places 8 "
                                            r"> capacity 5"):
        allocate_quotas(_needs(), capacity_groups=group, **KW)


def test_minimum_above_the_members_capacities_is_refused():
    group = pd.DataFrame({"group": "G", "industry": ["textiles"], "min_places": 8.0})
    capacity = pd.DataFrame({"industry": ["textiles"], "capacity": [3.0]})
    with pytest.raises(PlanningError, match=r"capacity_group_min\[G, 2026\].*capacities sum "
                                            r"to 6"):
        allocate_quotas(_needs(), capacity_groups=group, capacity=capacity, **KW)


def test_minimum_the_budget_cannot_pay_names_the_budget_and_the_group():
    group = pd.DataFrame({"group": "G", "industry": ["textiles"], "min_places": 25.0})
    minimum = pd.DataFrame({"industry": ["welding", "textiles"], "min_quota": [5.0, 0.0]})
    # 10 welding places (1,000) are forced, and 25 textiles places (2,500) at least
    with pytest.raises(PlanningError, match=r"budget\[2026\] is 3,?000, the minimum quotas cost "
                                            r"1,?000 and the groups' minimums at least 2,?500"):
        allocate_quotas(_needs(), capacity_groups=group, min_quota=minimum, **KW)


def test_minimums_that_conflict_only_through_an_envelope_are_named_when_solved():
    group = pd.DataFrame({"group": "G", "industry": ["textiles"], "min_places": 10.0})
    envelope = pd.DataFrame({"industry": ["textiles"], "budget": [1500.0]})
    with pytest.raises(PlanningError, match=r"capacity_group_min\[G, 20\d\d\].*short by"):
        allocate_quotas(_needs(), capacity_groups=group, budget_envelopes=envelope,
                        integer="none", **KW)


@pytest.mark.parametrize("integer", ["none", "round"])
def test_places_beyond_every_need_are_trimmed_down_to_the_group_minimum(integer):
    # money for everything: the trim stage takes out places that remove nothing, but keeps
    # the group's 10 places a year (4 of them would cover the textiles need)
    group = pd.DataFrame({"group": "G", "industry": ["textiles"], "min_places": 10.0})
    rich = KW | {"budget": pd.DataFrame({"period": YEARS, "budget": [1e6, 1e6]})}
    plan = allocate_quotas(_needs(), capacity_groups=group, integer=integer, **rich)
    assert _textiles(plan).tolist() == pytest.approx([10.0, 10.0])
    welding = plan.quotas[plan.quotas["industry"] == "welding"]
    assert welding["quota"].sum() == pytest.approx(80.0)   # 40 per region, once (no exits)
