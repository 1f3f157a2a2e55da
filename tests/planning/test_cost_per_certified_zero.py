"""cost_per_certified where no place certifies a worker who stays (absorption 0):
inf at a positive cost, NaN at no cost, and no numpy RuntimeWarning either way."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.planning._plan_tables import cost_per_certified

PERIODS = list(pd.period_range("2026", periods=2, freq="Y"))


def test_the_ratio_and_its_undefined_case():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        got = cost_per_certified([900.0, 900.0, 0.0, 0.0], [0.9, 0.0, 0.0, 0.5])
    np.testing.assert_array_equal(got, [1000.0, np.inf, np.nan, 0.0])


@pytest.mark.parametrize("periods", [None, PERIODS])
@pytest.mark.parametrize(("cost", "expected"), [(0.0, np.nan), (500.0, np.inf)])
def test_plans_with_absorption_zero(periods, cost, expected):
    gap = pd.DataFrame({"region": "A", "industry": "I0",
                        "period": PERIODS if periods else [PERIODS[0]],
                        "gap": 10.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", tg.errors.DataQualityWarning)
        plan = tg.planning.allocate_quotas(gap, budget=1e9, cost_per_trainee=cost,
                                           pass_rate=0.8, absorption=0.0, periods=periods)
    np.testing.assert_array_equal(plan.quotas["cost_per_certified"],
                                  np.full(len(plan.quotas), expected))
    assert (plan.quotas["quota"] == 0).all()   # a place that certifies nobody is not funded
