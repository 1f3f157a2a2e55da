"""Plan settings that used to pass silently or fail in a model's terms, said in the config's.

Plan years the data cannot forecast name ``[plan] years`` and how far the
data reach; a cost per place of 0 is refused unless ``[plan] free_places``
says it is meant (and the planners warn of it); ``--set`` changes one year's
budget, and ``--budget`` says it replaces a budget per year; a long
``[plan] lead_time`` that pushes most places past the target year is warned
of; the library's warnings name cells and frequencies in words.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd
import pytest

from talentgap._keys import key_values_text
from talentgap.cli._notes import plain_note
from talentgap.cli._pipeline_years import longest_span, unreachable_span, warn_late_places
from talentgap.cli._plan_inputs import check_free_places
from talentgap.cli.commands import build_config
from talentgap.cli.config import Config
from talentgap.cli.main import build_parser
from talentgap.errors import ConfigError, DataQualityWarning, ParameterError
from talentgap.planning._params import check_range


class _Model:
    """A gap model whose backtests calibrate at most ``reach`` periods ahead."""

    def __init__(self, reach: int):
        self.reach, self.asked = reach, []

    def set_params(self, **params):
        return self

    def prepare(self, horizon: int) -> None:
        self.asked.append(horizon)
        if horizon > self.reach:
            raise ParameterError(f"too short for {horizon}-step rolling-origin backtests")


@pytest.mark.parametrize("reach", [0, 1, 22, 47])
def test_longest_span_finds_the_reach_by_bisection(reach):
    model = _Model(reach)
    assert longest_span(model, 48) == reach
    assert len(model.asked) <= 6  # log2(48) prepares, not 47


def _plan_config(years, hold_need=False):
    return Config.from_dict({"plan": {"years": years, "lead_time": 1, "budget": 1e6,
                                      "cost_per_trainee": 1000, "hold_need": hold_need}})


def test_plan_years_beyond_the_data_name_the_setting_and_the_reach():
    config = _plan_config([2036, 2037, 2038, 2039, 2040])
    err = unreachable_span(config, _Model(22), pd.Period("2024Q4"), 48, planning=True)
    assert isinstance(err, ConfigError)
    assert str(err) == (
        "[plan] years = [2036, 2037, 2038, 2039, 2040] (need years 2036-2041 with lead_time "
        "= 1) need forecasts to the end of 2036 at least, 48 quarters after the last observed "
        "period 2024Q4, but the data's backtests (rolling-origin, holding out the span asked "
        "for) calibrate forecasts at most 22 quarters ahead of the last observed period "
        "2024Q4, to 2030Q2. [plan] years can start in 2029 at the latest; a plan starting in "
        "2025 can end in 2033 at the latest (its need years past 2029 hold the 2029 need, at "
        "most as many as the 5 forecast year(s)), or later with [plan] hold_need = true "
        "(currently false), which holds the need of every later year at its 2029 level")
    assert "horizon" not in str(err).replace("forecast", "")


def test_no_forecastable_year_says_so():
    err = unreachable_span(_plan_config([2026]), _Model(2), pd.Period("2024Q4"), 8,
                           planning=True)
    assert "calibrate forecasts at most 2 quarters ahead" in str(err)
    assert str(err).endswith("no plan year can be forecast; use longer series (the gap model "
                             "needs backtests of the span it forecasts)")


def test_a_forecast_horizon_beyond_the_data_names_forecast_horizon():
    err = unreachable_span(Config.from_dict({"forecast": {"horizon": 12}}), _Model(6),
                           pd.Period("2024Q4"), 12, planning=False)
    assert str(err).startswith("[forecast] horizon = 12 asks for 12 quarters, but")
    assert "set a horizon of at most 6" in str(err)


def test_a_cost_of_zero_is_refused_unless_free_places():
    with pytest.raises(ConfigError, match=r"cost_per_trainee = 0: .* set \[plan\] "
                                          r"free_places = true"):
        check_free_places(0.0, 0.0)
    table = pd.DataFrame({"region": ["A", "B", "C"], "industry": "x",
                          "cost_per_trainee": [5000.0, 0.0, 0.0]})
    table.attrs["line_numbers"] = [2, 3, 5]
    with pytest.raises(ConfigError) as caught:
        check_free_places(table, "cost.csv")
    assert ("[plan] cost_per_trainee: cost.csv: column 'cost_per_trainee' must be > 0 (a "
            "place that costs nothing is not limited by the budget; a 0 is usually a value "
            "left blank or a typo); 2 rows fail, e.g. line 3 (B, x): 0; line 5 (C, x): 0; if "
            "places there really cost nothing") in str(caught.value)
    check_free_places(table.iloc[:1], "cost.csv")
    check_free_places(5000.0, 5000.0)
    assert Config.from_dict({"plan": {"free_places": True}}).plan.free_places is True


def test_the_planners_warn_of_places_that_cost_nothing():
    cells = pd.DataFrame({"region": ["A", "B", "C"], "industry": ["x", "x", "y"]})
    with pytest.warns(DataQualityWarning, match=r"cost_per_trainee is 0 for 2 cells of 3, "
                                                r"e\.g\. x in B; y in C: places that cost "
                                                r"nothing are not limited by the budget"):
        check_range(np.array([100.0, 0.0, 0.0]), "cost_per_trainee", cells,
                    ["region", "industry"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_range(np.array([100.0, 1.0, 2.0]), "cost_per_trainee", cells,
                    ["region", "industry"])
        check_range(np.array([0.0]), "min_quota", cells.iloc[:1], ["region"])


PROVINCE = """
[plan]
years = [2026, 2027, 2028]
budget = {{ 2026 = 8_000_000, 2027 = 9_000_000, 2028 = 10_000_000 }}
cost_per_trainee = 5000
"""


@pytest.fixture
def province(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text(PROVINCE.format(), encoding="utf-8")
    return path


def _config(province, *flags):
    return build_config(build_parser().parse_args(["plan", "--config", str(province),
                                                    *flags]))


def test_set_changes_one_entry_of_a_table(province):
    config = _config(province, "--set", "plan.budget.2027=1e6", "--set",
                     "plan.budget.2028=2e6")
    assert config.plan.budget == {"2026": 8_000_000, "2027": 1e6, "2028": 2e6}
    with pytest.raises(ConfigError, match=r"\[plan\] budget: key '2031' is not one of "
                                          r"\[plan\] years"):
        _config(province, "--set", "plan.budget.2031=1e6")
    from talentgap.cli._common import UsageError
    with pytest.raises(UsageError, match=r"\[plan\] cost_per_trainee is 5000, not a table"):
        _config(province, "--set", "plan.cost_per_trainee.A=1")


def test_budget_flag_says_it_replaces_a_budget_per_year(province, caplog):
    with caplog.at_level(logging.WARNING, logger="talentgap.cli"):
        config = _config(province, "--budget", "5e7")
    assert config.plan.budget == 5e7
    assert ("--budget replaces [plan] budget per year (2026: 8,000,000, 2027: 9,000,000, "
            "2028: 10,000,000; 27,000,000 in all) with one budget of 50,000,000 for the whole "
            "plan: the plan may now move money between years") in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="talentgap.cli"):
        _config(province, "--set", "plan.budget=3e7", "--budget", "5e7")
    assert "--budget replaces" not in caplog.text  # no budget per year left to replace


def test_budget_flag_help_says_what_it_does_to_a_budget_per_year(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["plan", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    said = text[text.index("--budget MONEY training budget"):]
    assert said.startswith("--budget MONEY training budget; with [plan] years, one total for "
                           "the whole plan: it replaces a per-year [plan] budget (with a "
                           "warning")
    assert "to change one year's only, use --set plan.budget.2026=5e6" in said


def test_most_places_certifying_after_the_target_year_are_warned_of():
    quotas = pd.DataFrame({"period": [2026, 2027, 2028, 2029, 2030],
                           "quota": [100.0, 200.0, 300.0, 400.0, 500.0]})
    with pytest.warns(DataQualityWarning) as caught:
        warn_late_places(quotas, 2030, 4)
    assert str(caught[0].message).startswith(
        "1,400 of the plan's 1,500 places (93%), those funded in 2027-2030, certify after the "
        "target year 2030 and cannot count towards it: [plan] lead_time = 4 counts years")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_late_places(quotas, 2030, 1)  # only the last year's places: a third
        warn_late_places(quotas, None, 4)


def test_library_warnings_name_cells_and_frequencies_in_words():
    ids = pd.DataFrame({"region": ["南岭市", "西川市"], "industry": "数字运维",
                        "skill_level": ["skilled", "high_skilled"]})
    assert key_values_text(ids) == ("南岭市 / 数字运维 / skilled and "
                                    "西川市 / 数字运维 / high_skilled")
    note = plain_note("4 series are too short for some candidate models and use a naive "
                      "forecast in their place, e.g. A / x / skilled and B / x / high_skilled "
                      "(forecasting 'supply'): see fitted_summary_['fallback_reason']; their "
                      "prediction intervals are calibrated on windows of as many observations",
                      levels=["skilled", "high_skilled"])
    assert note == ("4 certified-worker (supply) series have too short a history for some of "
                    "the models and are forecast by repeating their last value, e.g. A / x / "
                    "skilled and B / x / high-skilled; their intervals are set from the errors "
                    "of longer series.")
