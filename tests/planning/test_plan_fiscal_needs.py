"""Needs in fiscal periods are refused as every table is: one error type, one wording."""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import SchemaError
from talentgap.planning import allocate_quotas

FIX = "convert with .dt.asfreq('Q-DEC', how='end') (the same quarters, relabelled)"


def _needs(periods) -> pd.DataFrame:
    return pd.DataFrame({"region": "N", "industry": ["A", "B"], "period": periods,
                         "gap": [10.0, 5.0]})


def test_fiscal_needs_are_refused_like_a_fiscal_file():
    fiscal = pd.PeriodIndex(["2024Q1", "2024Q1"], freq="Q-MAR")
    with pytest.raises(SchemaError) as planned:
        allocate_quotas(_needs(fiscal), budget=100.0, cost_per_trainee=10.0, pass_rate=1.0)
    assert planned.value.reason == "bad_period" and planned.value.column == "period"
    assert str(planned.value).startswith(
        "needs: column 'period' holds fiscal quarters of years ending in March (Q-MAR) "
        "[bad_period]; 2 rows, e.g. line 2: 2024Q1 (calendar 2023Q2);")
    assert "planning by them would name other months" in str(planned.value)
    assert "freq=" not in str(planned.value)   # the user passed no frequency
    surveys = pd.DataFrame({"period": fiscal, "enterprise_id": ["E1", "E2"], "region": "N",
                            "industry": "A", "employees": 10, "vacancies": 2,
                            "hard_to_fill": 1, "reports_shortage": 1})
    with pytest.raises(SchemaError) as validated:
        tg.schema.validate(surveys, table="surveys")
    message = str(validated.value)
    assert "declared frequency" not in message   # none was declared
    assert ("must hold calendar years, quarters or months, all of one frequency "
            "[bad_period]") in message
    for error in (planned.value, validated.value):
        assert FIX in str(error)
    calendar = _needs(fiscal.asfreq("Q-DEC", how="end"))
    plan = allocate_quotas(calendar, budget=100.0, cost_per_trainee=10.0, pass_rate=1.0)
    assert plan.summary["period"] == "2023Q2"
