"""``[plan] years`` plans on annual needs kept as arrays: the plan of the long table.

The yearly needs of a quarterly gap model are averaged path by path without
building the table of one row per cell, quarter and path. The run's plan,
per-year table, summary and policy need must equal those of the same run
rolled up the long-table way (a reference kept here), with held need years
and a policy need.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _annual_needs_reference import annual_needs, hold_need_years

from talentgap.cli import _pipeline_years
from talentgap.cli.config import Config
from talentgap.cli.pipeline import run

SETTINGS = {
    "data": {"skill_levels": ["unskilled", "skilled", "high_skilled"],
             "high_skilled": ["high_skilled"], "unskilled": ["unskilled"]},
    "forecast": {"model": "naive", "n_samples": 60, "random_state": 0},
    "plan": {"years": [2025, 2026, 2027, 2028, 2029],
             "budget": {str(y): 2e6 for y in range(2025, 2030)},
             "cost_per_trainee": 6000, "pass_rate": 0.67, "absorption": 0.85,
             "capacity": 150, "lead_time": 1, "exit_rate": "estimate"},
    "targets": {"skilled_share": 0.30, "target_year": 2029, "share_by": "employment",
                "plan_level": "skilled"},
}


def _long_table_paths(result, need_years):
    """The roll-up from the long table of sample paths (one row per cell, quarter, path)."""
    model, keys = result.gap_model, list(result.config.data.keys)
    last = pd.Period(model.origin_)
    end = result.forecast_reach
    reach = sum(year <= end.year for year in need_years)
    paths = model.sample_paths(int(end.ordinal - last.ordinal)).to_frame()
    pipeline = (paths.groupby([*keys, "period"], observed=True, sort=True)["supply"].mean()
                .reset_index())
    annual = annual_needs(paths, keys=keys, first_year=need_years[0])
    if reach < len(need_years):
        held = need_years[reach - 1]
        annual = hold_need_years(annual, need_years[reach:])
        held_supply = pipeline[pipeline["period"].dt.year == held]
        pipeline = pd.concat([pipeline] + [
            held_supply.assign(period=held_supply["period"] + (y - held) * 4)
            for y in need_years[reach:]], ignore_index=True)
    return annual.drop(columns=["demand"]), annual, pipeline


@pytest.fixture(scope="module")
def both():
    arrays = run(Config.from_dict(SETTINGS), steps=("plan",), demo=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_pipeline_years, "annual_paths", _long_table_paths)
        table = run(Config.from_dict(SETTINGS), steps=("plan",), demo=True)
    return arrays, table


def _same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    for column in got.columns:
        if pd.api.types.is_float_dtype(got[column]):
            np.testing.assert_allclose(got[column], expected[column], rtol=1e-9, atol=1e-9,
                                       err_msg=column)
        else:
            pd.testing.assert_series_equal(got[column], expected[column])


def test_the_plan_is_the_long_tables_plan(both):
    arrays, table = both
    assert arrays.plan.years["need_basis"].tolist()[-1] == "held at 2029"   # a held year
    assert arrays.plan.quotas["quota"].sum() > 0
    _same(arrays.plan.quotas, table.plan.quotas)
    _same(arrays.plan.years, table.plan.years)
    _same(arrays.plan.cells, table.plan.cells)
    for name, value in table.plan.summary.items():
        if isinstance(value, float):
            assert arrays.plan.summary[name] == pytest.approx(value, rel=1e-9, abs=1e-9,
                                                             nan_ok=True), name
        else:
            assert arrays.plan.summary[name] == value, name


def test_the_policy_need_and_target_path_are_the_long_tables(both):
    arrays, table = both
    assert arrays.policy["policy_need"].sum() > 0
    _same(arrays.policy, table.policy)
    _same(arrays.target_path, table.target_path)
