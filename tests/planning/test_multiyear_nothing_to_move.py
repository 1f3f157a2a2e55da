"""A multi-year plan in which no place can move (no shortage anywhere, or every
capacity 0) is the all-zero plan, not a raw solver error."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import talentgap as tg

PERIODS = list(pd.period_range("2026", periods=2, freq="Y"))


def gap_table(gaps) -> pd.DataFrame:
    return pd.DataFrame({"region": ["A", "A", "B", "B"], "industry": "I0",
                         "period": PERIODS * 2, "gap": gaps})


def plan(gaps, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tg.errors.DataQualityWarning)
        return tg.planning.allocate_quotas(gap_table(gaps), cost_per_trainee=1000,
                                           pass_rate=0.8, periods=PERIODS, **kw)


@pytest.mark.parametrize("integer", ["round", "none", "exact"])
@pytest.mark.parametrize("budget", [1e5, pd.DataFrame({"period": PERIODS,
                                                       "budget": [1e5, 0.0]})])
def test_no_shortage_with_a_surplus_penalty_funds_nothing(integer, budget):
    result = plan([-5.0, -5.0, -1.0, 0.0], budget=budget, surplus_penalty=1.0,
                  integer=integer)
    assert result.quotas["quota"].tolist() == [0, 0, 0, 0]
    assert result.quotas["cost"].sum() == 0


@pytest.mark.parametrize("integer", ["round", "none"])
def test_every_capacity_zero_funds_nothing(integer):
    capacity = pd.DataFrame({"region": ["A", "B"], "capacity": [0, 0]})
    result = plan([3.0, 4.0, 5.0, 6.0], budget=1e5, surplus_penalty=1.0, integer=integer,
                  capacity=capacity)
    assert result.quotas["quota"].tolist() == [0, 0, 0, 0]
    assert (result.cells["gap_after"] == result.cells["gap_before"]).all()
