"""Columns of a multi-year plan's tables named like a parameter keep that parameter's range."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import PlanningError
from talentgap.planning import allocate_quotas


def _plan(two_cells, **kw):
    return allocate_quotas(two_cells, periods=[2026, 2027], cost_per_trainee=100.0,
                           pass_rate=1.0, **{"budget": 10_000.0, **kw})


def test_a_budget_table_refuses_what_budget_refuses(two_cells):
    table = pd.DataFrame({"period": [2026, 2027], "budget": [5000.0, -5.0]})
    with pytest.raises(PlanningError, match=r"column 'budget' of the budget table must be a "
                                            r"finite number >= 0; 1 row fails, e.g\. row 1: "
                                            r"-5\.0$"):
        _plan(two_cells, budget=table)
    with pytest.raises(PlanningError, match=r"budget must be >= 0; got -5 \(below 0 by 5\)"):
        _plan(two_cells, budget=-5.0)


def test_a_capacity_group_may_be_unlimited_as_a_capacity_may(two_cells):
    groups = pd.DataFrame({"group": ["g", "g"], "capacity": [np.inf, np.inf],
                           "industry": ["A", "B"]})
    free = _plan(two_cells, capacity=np.inf)
    plan = _plan(two_cells, capacity_groups=groups, capacity=np.inf)
    assert plan.quotas["quota"].sum() > 0
    pd.testing.assert_frame_equal(plan.quotas, free.quotas)
    # beside a limited group, an unlimited one changes nothing either
    both = pd.concat([groups, pd.DataFrame({"group": ["h"], "capacity": [10.0],
                                            "industry": ["A"]})], ignore_index=True)
    limited = _plan(two_cells, capacity_groups=both.iloc[2:])
    pd.testing.assert_frame_equal(_plan(two_cells, capacity_groups=both).quotas,
                                  limited.quotas)
    a = limited.quotas["industry"] == "A"
    assert limited.quotas.loc[a, "quota"].max() == 10  # binds: 30 places without the group
    assert free.quotas.loc[free.quotas["industry"] == "A", "quota"].max() == 30
    groups["capacity"] = -1.0
    with pytest.raises(PlanningError, match=r"column 'capacity' of the capacity_groups table "
                                            r"must be >= 0; 2 rows fail"):
        _plan(two_cells, capacity_groups=groups)
