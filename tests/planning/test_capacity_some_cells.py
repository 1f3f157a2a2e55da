"""A capacity table may list only the cells it limits; a misspelt cell is named with a hint."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, PlanningError
from talentgap.planning import allocate_quotas


@pytest.fixture
def forecast() -> pd.DataFrame:
    """Three cells, one period, the same cost per certified worker everywhere."""
    return pd.DataFrame({
        "region": ["Northvale", "Northvale", "Southvale"],
        "industry": ["textiles", "construction", "e-commerce"],
        "period": ["2026", "2026", "2026"],
        "gap": [100.0, 60.0, 50.0],
    })


def _quotas(forecast, capacity, **kw) -> pd.Series:
    plan = allocate_quotas(forecast, budget=1e9, cost_per_trainee=100.0, pass_rate=1.0,
                           capacity=capacity, integer="none", **kw)
    return plan.quotas.set_index("industry")["quota"]


def test_cells_without_a_capacity_row_have_no_limit(forecast):
    one = pd.DataFrame({"region": ["Southvale"], "industry": ["e-commerce"], "capacity": [20]})
    quotas = _quotas(forecast, one)
    # a budget that closes every gap: the capped cell stops at 20, the others fill their gap
    assert quotas["e-commerce"] == pytest.approx(20.0)
    assert quotas["textiles"] == pytest.approx(100.0)
    assert quotas["construction"] == pytest.approx(60.0)


def test_a_misspelt_region_in_the_capacity_table_is_named_with_a_suggestion(forecast):
    typo = pd.DataFrame({"region": ["Southvalle"], "industry": ["e-commerce"],
                         "capacity": [20]})
    with pytest.raises(PlanningError, match=r"the capacity table names region 'Southvalle' "
                                            r"\(did you mean 'Southvale'\?\), which no cell"):
        _quotas(forecast, typo)


def test_a_row_for_no_cell_is_warned_about_not_used(forecast):
    star = pd.DataFrame({"region": ["Southvale", "*"], "industry": ["e-commerce", "*"],
                         "capacity": [20, 10]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quotas = _quotas(forecast, star)
    messages = [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]
    assert any("region '*'" in m and "not used" in m and "'*' is not a wildcard" in m
               for m in messages)
    assert quotas["textiles"] == pytest.approx(100.0)  # not capped at 10


def test_other_parameter_tables_still_need_every_cell_and_name_the_typo(forecast):
    rates = pd.DataFrame({"region": ["Northvale", "Northvale", "Southvalle"],
                          "industry": ["textiles", "construction", "e-commerce"],
                          "pass_rate": [0.5, 0.5, 0.5]})
    with pytest.raises(PlanningError, match=r"the pass_rate table has no row for 1 cell .*"
                                            r"it names region 'Southvalle' \(did you mean "
                                            r"'Southvale'\?\)"):
        allocate_quotas(forecast, budget=1e4, cost_per_trainee=100.0, pass_rate=rates)


def test_a_multi_year_plan_takes_a_capacity_table_for_some_cells():
    cells = pd.DataFrame({"region": ["N", "N"], "industry": ["a", "b"]})
    need = pd.concat([cells.assign(period=str(y), gap=30.0) for y in (2026, 2027)],
                     ignore_index=True)
    one = pd.DataFrame({"region": ["N"], "industry": ["a"], "capacity": [5]})
    plan = allocate_quotas(need, periods=[2026], budget=1e9, cost_per_trainee=1.0,
                           pass_rate=1.0, capacity=one, lead_time=1, exit_rate=0.0, integer="none")
    quotas = plan.quotas.groupby("industry")["quota"].sum()
    assert quotas["a"] == pytest.approx(5.0)
    assert quotas["b"] > 5.0 and np.isfinite(quotas["b"])
