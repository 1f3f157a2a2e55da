"""Which settings make a stored edition: the model and forecast ones, and [plan] years and
lead_time only where they set the periods the model simulates."""

from __future__ import annotations

import json

import pytest

from talentgap.cli.config import Config
from talentgap.cli.editions import _compared, _differences


def _diff(before: dict, after: dict) -> list[str]:
    return _differences(_compared(Config.from_dict(before).to_dict()),
                        _compared(Config.from_dict(after).to_dict()))


@pytest.mark.parametrize("plan", [
    {"budget": 6_000_000.0}, {"cost_per_trainee": 5000.0}, {"pass_rate": 0.7},
    {"exit_rate": 0.1}, {"risk": "quantile"}, {"surplus_penalty": 0.5},
    {"lead_time": 2},                        # without [plan] years: no span to set
])
def test_plan_only_settings_change_no_edition(plan):
    assert _diff({}, {"plan": plan}) == []


def test_output_and_backtest_change_no_edition():
    assert _diff({}, {"output": {"dir": "elsewhere", "top": 3},
                      "backtest": {"n_windows": 5}, "forecast": {"n_jobs": 4}}) == []


def test_model_and_forecast_settings_change_the_edition():
    assert _diff({}, {"forecast": {"n_samples": 200}}) == [
        "[forecast] n_samples: stored 1000, now 200"]
    assert _diff({}, {"panel": {"lead_time": 2}}) == ["[panel] lead_time: stored 1, now 2"]
    assert _diff({}, {"forecast": {"horizon": 8}}) == ["[forecast] horizon: stored 4, now 8"]


def test_plan_years_count_where_they_set_the_simulated_span():
    years = {"plan": {"years": [2026, 2027]}}
    assert _diff(years, {"plan": {"years": [2026, 2027, 2028]}}) == [
        "[plan] years: stored [2026, 2027], now [2026, 2027, 2028]"]
    assert _diff(years, {"plan": {"years": [2026, 2027], "lead_time": 2}}) == [
        "[plan] lead_time: stored 1, now 2"]
    # with [forecast] max_horizon the span is fixed: the years change no edition
    fixed = {"forecast": {"max_horizon": 12}}
    assert _diff({**fixed, **years}, {**fixed, "plan": {"years": [2026, 2027, 2028]}}) == []


def test_stored_configs_of_earlier_runs_compare_the_same_way():
    stored = json.loads(json.dumps(Config().to_dict(), default=str))
    stored["plan"]["budget"] = 1.0               # what an earlier edition kept
    assert _differences(_compared(stored), _compared(Config().to_dict())) == []
