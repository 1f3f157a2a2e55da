"""A place so cheap that its value per unit of money passes the largest float."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from talentgap.planning import allocate_quotas
from talentgap.planning._knapsack import _ratios


def test_a_ratio_past_the_largest_float_is_inf_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ratio = _ratios(np.array([-1e10, -2.0, 0.0]), np.array([1e-300, 4.0, 0.0]))
    assert ratio.tolist() == [np.inf, 0.5, np.inf]


def test_a_plan_whose_places_cost_next_to_nothing_funds_every_need_silently():
    table = pd.DataFrame({"region": "North", "industry": ["a", "b"], "period": "2026",
                          "gap": [1e10, 30.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plan = allocate_quotas(table, budget=1.0, cost_per_trainee=1e-300, pass_rate=1.0,
                               integer="none")
    np.testing.assert_allclose(plan.quotas["quota"], [1e10, 30.0])
