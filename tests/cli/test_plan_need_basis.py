"""Need years past the forecast's reach: marked in the plan tables, refused beyond a limit."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.cli._pipeline_years import check_held
from talentgap.cli._result import RunResult
from talentgap.cli.config import Config
from talentgap.errors import ConfigError
from talentgap.planning import allocate_quotas
from talentgap.planning._annual_needs import mark_held_years


def _result(reach: str, **plan) -> RunResult:
    return RunResult(Config.from_dict({"plan": plan} if plan else {}),
                     forecast_reach=pd.Period(reach))


def test_held_years_are_those_past_the_reach():
    assert check_held(_result("2027Q4"), [2025, 2026, 2027, 2028]) == [2028]
    assert check_held(_result("2028Q4"), [2025, 2026, 2027, 2028]) == []
    # as many held years as forecast years is allowed
    assert check_held(_result("2026Q4"), [2025, 2026, 2027, 2028]) == [2027, 2028]


def test_more_held_years_than_forecast_years_is_refused_unless_asked_for():
    years = list(range(2025, 2036))          # 11 need years, the forecast reaches 2029
    with pytest.raises(ConfigError, match=r"6 of 11 need years \(2030-2035\).*hold_need"):
        check_held(_result("2029Q4"), years)
    assert check_held(_result("2029Q4", hold_need=True), years) == list(range(2030, 2036))


def test_the_plan_tables_mark_the_held_years_and_the_notes_give_their_share():
    # market need of 2028 copied from 2027 (10 and 30): 40 of the 110 person-years, 36%
    needs = pd.DataFrame({"region": "N", "industry": ["A"] * 3 + ["B"] * 3,
                          "period": ["2026", "2027", "2028"] * 2,
                          "gap": [20.0, 10.0, 10.0, 10.0, 30.0, 30.0]})
    plan = allocate_quotas(needs, periods=[2026, 2027], budget=0, cost_per_trainee=100,
                           pass_rate=1.0)
    mark_held_years(plan, [2028])
    basis = plan.cells.set_index(["industry", "period"])["need_basis"]
    assert basis[("A", pd.Period("2028", "Y"))] == "held at 2027"
    assert basis[("B", pd.Period("2027", "Y"))] == "forecast"
    assert plan.years["need_basis"].tolist() == ["forecast", "forecast", "held at 2027"]
    note = [n for n in plan.notes if "past the forecast" in n]
    assert len(note) == 1
    assert "1 need year of 3 (2028) lies past the forecast" in note[0]
    assert "36% of the expected market shortfall without the plan" in note[0]


def test_without_held_years_every_row_is_forecast():
    needs = pd.DataFrame({"region": "N", "industry": "A", "period": ["2026", "2027"],
                          "gap": [5.0, 5.0]})
    plan = allocate_quotas(needs, periods=[2026], budget=100, cost_per_trainee=100,
                           pass_rate=1.0)
    notes = list(plan.notes)
    mark_held_years(plan, [])
    assert (plan.cells["need_basis"] == "forecast").all()
    assert (plan.years["need_basis"] == "forecast").all()
    assert plan.notes == notes
