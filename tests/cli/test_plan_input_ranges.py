"""The command line's parameter files and the planners refuse the same values.

Both read :data:`talentgap.planning._params.PARAMETER_RANGES`; these tests
probe each parameter at and around the ends of its range through the public
planners (single-period and multi-year) and through the CSV check of
``talentgap plan``, so a range restated in one place only fails here.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from talentgap.cli._plan_inputs import check_plan_csv
from talentgap.errors import ConfigError, PlanningError
from talentgap.planning import allocate_quotas
from talentgap.planning._params import PARAMETER_RANGES

#: The parameters ``talentgap plan`` reads from a number or a CSV file.
FILE_PARAMETERS = ("cost_per_trainee", "pass_rate", "absorption", "capacity", "min_quota",
                   "exit_rate", "budget")
#: What a plan needs besides the parameter probed.
BASE = {"budget": 1e9, "cost_per_trainee": 100.0, "pass_rate": 0.8}


def _probes(name: str) -> list[float]:
    rule = PARAMETER_RANGES[name]
    values = {rule.low - 0.5, rule.low, rule.low + 0.25, 7.0, math.inf}
    if math.isfinite(rule.high):
        values |= {rule.high, rule.high + 0.5}
    return sorted(values)


CASES = [(name, value) for name in FILE_PARAMETERS for value in _probes(name)]


def _refused_by_planner(call, name: str) -> bool:
    try:
        call()
    except PlanningError as error:
        if str(error).startswith(f"{name} must be"):
            return True
        raise
    return False


def _single_period(name: str, value: float):
    forecast = pd.DataFrame({"region": ["North", "North"], "industry": ["A", "B"],
                             "period": ["2026", "2026"], "gap": [40.0, 10.0]})
    return lambda: allocate_quotas(forecast, **{**BASE, name: value})


def _multi_year(name: str, value: float):
    needs = pd.DataFrame({"region": "North", "industry": ["A", "A", "B", "B"],
                          "period": ["2026", "2027"] * 2, "gap": [30.0, 20.0, 20.0, 40.0]})
    return lambda: allocate_quotas(needs, periods=[2026, 2027], **{**BASE, name: value})


def _refused_by_cli(name: str, value: float) -> bool:
    table = pd.DataFrame({"region": ["North"], "industry": ["A"], name: [value]})
    try:
        check_plan_csv(table, name, f"{name}.csv", keys=["region", "industry"])
    except ConfigError as error:
        assert f"column {name!r} must be {PARAMETER_RANGES[name].words()}" in str(error)
        return True
    return False


def test_every_parameter_file_has_a_range():
    assert set(FILE_PARAMETERS) <= set(PARAMETER_RANGES)


@pytest.mark.parametrize(("name", "value"), CASES, ids=[f"{n}={v:g}" for n, v in CASES])
def test_the_planners_and_the_parameter_files_refuse_the_same_values(name, value):
    expected = bool(PARAMETER_RANGES[name].outside([value])[0])
    assert _refused_by_cli(name, value) is expected
    assert _refused_by_planner(_multi_year(name, value), name) is expected
    if name != "exit_rate":  # a multi-year parameter only
        assert _refused_by_planner(_single_period(name, value), name) is expected


def test_the_table_says_which_ends_are_refused():
    rules = PARAMETER_RANGES
    assert rules["pass_rate"].outside([0.0, 1e-9, 1.0]).tolist() == [True, False, False]
    assert rules["absorption"].outside([0.0, 1.0, 1.0 + 1e-9]).tolist() == [False, False, True]
    assert rules["capacity"].outside([np.inf, -1.0]).tolist() == [False, True]
    assert rules["min_quota"].outside([np.inf, np.nan]).tolist() == [True, False]
    assert [rules[n].words() for n in ("pass_rate", "exit_rate", "budget")] == [
        "in (0, 1]", "in [0, 1]", ">= 0"]
