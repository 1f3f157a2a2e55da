"""Plan parameter CSVs: the value column and key columns only; anything else is refused."""

from __future__ import annotations

import pytest

from talentgap.cli._plan_inputs import plan_budget, plan_parameter
from talentgap.errors import ConfigError

KEYS = ["region", "industry"]


def test_a_comment_column_is_refused_by_name(tmp_path):
    path = tmp_path / "cost.csv"
    path.write_text("region,industry,cost_per_trainee,备注\nA,x,4000,2025 tender\n"
                    "A,y,5000,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"column '备注' is neither the value column "
                                          r"'cost_per_trainee' nor a key column "
                                          r"\(region, industry, period\)"):
        plan_parameter(str(path), "cost_per_trainee", KEYS)


def test_a_misspelt_key_is_refused_with_the_key_it_resembles(tmp_path):
    path = tmp_path / "capacity.csv"
    path.write_text("Regions,industry,capacity,note\nA,x,40,new workshop\n")
    with pytest.raises(ConfigError, match=r"columns 'Regions' \(did you mean 'region'\?\), "
                                          r"'note' are neither"):
        plan_parameter(str(path), "capacity", KEYS)


def test_keys_period_and_program_with_a_crosswalk_are_accepted(tmp_path):
    path = tmp_path / "cost.csv"
    path.write_text("program,region,period,cost_per_trainee\nweld,A,2026,4000\n"
                    "weld,A,2027,4200\n")
    table = plan_parameter(str(path), "cost_per_trainee", ["program", *KEYS])
    assert table["cost_per_trainee"].tolist() == [4000.0, 4200.0]
    with pytest.raises(ConfigError, match="'program' is neither"):  # no crosswalk: no program
        plan_parameter(str(path), "cost_per_trainee", KEYS)


def test_a_budget_csv_holds_period_and_budget_only(tmp_path):
    path = tmp_path / "budget.csv"
    path.write_text("period,budget,source\n2026,100,council\n2027,120,council\n")
    with pytest.raises(ConfigError, match=r"\[plan\] budget: .*column 'source' is neither"):
        plan_budget(str(path))
    path.write_text("period,budget\n2026,100\n2027,120\n")
    assert plan_budget(str(path))["budget"].tolist() == [100.0, 120.0]
