"""The funding period of a multi-year plan's constraint row comes from the row, not its name."""

from __future__ import annotations

import pandas as pd

from talentgap.planning import allocate_quotas

KW = {"periods": [2026, 2027], "pass_rate": 0.8, "lead_time": 1, "exit_rate": 0.1,
      "cost_per_trainee": 100.0}


def _needs() -> pd.DataFrame:
    """Industries named "2026" (a code that reads like a year) and "B", 2026-2028."""
    return pd.DataFrame([{"region": "N", "industry": industry, "period": str(year),
                          "gap": 50.0 + 10 * (year - 2026)}
                         for industry in ("2026", "B") for year in (2026, 2027, 2028)])


def test_an_envelope_of_an_industry_coded_like_a_year_has_no_period():
    envelopes = pd.DataFrame({"industry": ["2026"], "budget": [500.0]})
    plan = allocate_quotas(_needs(), budget=20_000.0, budget_envelopes=envelopes, **KW)
    table = plan.constraints
    row = table[table["kind"] == "budget_envelope"].iloc[0]
    assert row["name"] == "budget_envelope[2026]" and row["binds"]
    assert pd.isna(row["period"])   # over the whole plan, not the funding period 2026


def test_rows_of_one_funding_period_carry_it():
    budget = pd.DataFrame({"period": ["2026", "2027"], "budget": [600.0, 800.0]})
    groups = pd.DataFrame({"group": "g", "industry": ["2026", "B"], "capacity": 3.0})
    plan = allocate_quotas(_needs(), budget=budget, capacity_groups=groups, **KW)
    table = plan.constraints
    assert table.loc[table["kind"] == "budget", "period"].tolist() == ["2026", "2027"]
    shared = table[table["kind"] == "capacity_group"]
    assert len(shared)
    assert [name.endswith(f", {period}]") for name, period in
            zip(shared["name"], shared["period"], strict=True)] == [True] * len(shared)
