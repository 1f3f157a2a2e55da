"""One simulation per run: ``[forecast] max_horizon`` fixes the gap model's horizon before
any prediction, so forecast.csv, the plan and the saved model agree period by period."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main, pipeline
from talentgap.cli.config import Config
from talentgap.errors import ConfigError


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Synthetic survey and training files, 2019Q1-2024Q4 (origin 2024Q4)."""
    root = tmp_path_factory.mktemp("horizon-inputs")
    data = tg.datasets.make_synthetic(n_regions=2, industries=3, n_periods=24, seed=3)
    for name in ("surveys", "training"):
        tg.io.write_table(getattr(data, name), root / f"{name}.csv")
    return root


def _config(inputs, **forecast) -> Config:
    return Config.from_dict({
        "data": {"surveys": str(inputs / "surveys.csv"),
                 "training": str(inputs / "training.csv")},
        "forecast": {"model": "drift", "n_samples": 200, **forecast},
        "plan": {"budget": 1e6, "cost_per_trainee": 5000.0}})


def _run(config: Config, steps=("features", "forecast")):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipeline.run(config, steps=steps)


def _args(inputs, out, *extra):
    return ["forecast", "--surveys", str(inputs / "surveys.csv"), "--training",
            str(inputs / "training.csv"), "--forecaster", "drift", "--set",
            "forecast.n_samples=200", "--out", str(out), "--no-report", "--no-charts", "-q",
            *extra]


def test_max_horizon_fixes_the_span_every_table_is_cut_from(inputs):
    result = _run(_config(inputs, horizon=4, max_horizon=10))
    model = result.gap_model
    assert model.horizon == 10
    # forecast.csv is the first 4 periods of the 10-period simulation, number for number
    longer = model.predict(10, level=[80, 95])
    first = longer[longer["period"] <= result.forecast["period"].max()].reset_index(drop=True)
    pd.testing.assert_frame_equal(result.forecast, first)
    # ... so a period's numbers no longer depend on the horizon asked
    assert model.predict(2)["gap"].to_numpy() == pytest.approx(
        first.groupby(["region", "industry"], sort=False).head(2)["gap"].to_numpy())
    with pytest.raises(tg.errors.ParameterError, match="beyond the 10 periods"):
        model.predict(11)


def test_without_max_horizon_the_model_simulates_the_forecast_horizon(inputs):
    result = _run(_config(inputs, horizon=6))
    assert result.gap_model.horizon == 6


def test_a_multi_year_plan_and_a_forecast_of_one_config_share_one_simulation(inputs):
    config = _config(inputs).with_overrides({"plan": {"years": [2025, 2026], "lead_time": 1}})
    planned = _run(config, steps=("features", "forecast", "plan"))
    forecast_only = _run(config)
    # the span of the plan (its need years end in 2027Q4: 12 quarters) or the longest
    # span of whole need years the backtests allow
    reach = planned.forecast_reach
    assert planned.gap_model.horizon == int((reach - pd.Period("2024Q4", freq="Q")).n) >= 4
    assert forecast_only.gap_model.horizon == planned.gap_model.horizon
    pd.testing.assert_frame_equal(forecast_only.forecast, planned.forecast)


def test_horizon_beyond_max_horizon_is_a_config_error(inputs):
    with pytest.raises(ConfigError, match=r"horizon = 8 .*max_horizon = 4"):
        _run(_config(inputs, horizon=8, max_horizon=4))


def test_max_horizon_the_backtests_cannot_reach_is_a_config_error(inputs):
    with pytest.raises(ConfigError, match=r"max_horizon = 40: .*too short"):
        _run(_config(inputs, max_horizon=40))


def test_max_horizon_short_of_every_plan_year_is_a_config_error(inputs):
    config = _config(inputs, max_horizon=4).with_overrides(
        {"plan": {"years": [2026, 2027]}})
    with pytest.raises(ConfigError,
                       match=r"\[plan\] years need forecasts to at least 2026Q4.*raise it to 16"):
        _run(config, steps=("features", "forecast", "plan"))


def test_the_saved_model_carries_its_horizon_and_refuses_beyond_it(inputs, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(_args(inputs, out, "--set", "forecast.max_horizon=6", "--save-model",
                      str(out / "model"))) == 0
    model = tg.load(out / "model")
    assert model.horizon == 6
    written = pd.read_csv(out / "forecast.csv")
    np.testing.assert_allclose(written["gap"], model.predict(4)["gap"], rtol=1e-9)
    # a run on the saved model keeps its horizon: a longer one is refused, naming the key
    capsys.readouterr()
    code = main(["forecast", "--model", str(out / "model"), "--horizon", "8", "--out",
                 str(tmp_path / "again"), "--no-report", "--no-charts", "-q"])
    assert code == 2
    err = capsys.readouterr().err
    assert "horizon = 8" in err and "simulates 6 periods" in err and "max_horizon" in err
    assert main(["forecast", "--model", str(out / "model"), "--horizon", "6", "--out",
                 str(tmp_path / "again"), "--no-report", "--no-charts", "-q"]) == 0
    again = pd.read_csv(tmp_path / "again" / "forecast.csv")
    first = again.groupby(["region", "industry"], sort=False).head(4).reset_index(drop=True)
    np.testing.assert_allclose(first["gap"], written["gap"], rtol=1e-9)
