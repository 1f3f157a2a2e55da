"""``talentgap plan --model DIR`` plans with the saved run's settings, as ``POST /v1/plan``
does on the same model; the config file and ``--set`` win, except over the absorption the
model's supply was built with."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main
from talentgap.cli._saved_run import saved_run_defaults
from talentgap.cli.config import Config
from talentgap.models.persistence import read_metadata


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A model saved by a run with [plan] absorption 0.8 and capacity 40."""
    root = tmp_path_factory.mktemp("saved-run")
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=16, seed=3)
    for name in ("surveys", "training"):
        tg.io.write_table(getattr(data, name), root / f"{name}.csv")
    assert main(["forecast", "--surveys", str(root / "surveys.csv"), "--training",
                 str(root / "training.csv"), "--forecaster", "drift", "--set",
                 "forecast.n_samples=200", "--set", "plan.absorption=0.8", "--set",
                 "plan.capacity=40", "--set", "plan.min_quota=2", "--out", str(root / "out"),
                 "--no-report", "--no-charts", "-q", "--save-model",
                 str(root / "model")]) == 0
    return root / "model"


def _plan(model, out, *extra):
    return main(["plan", "--model", str(model), "--budget", "2e5", "--cost-per-trainee", "5000",
                 "--pass-rate", "0.7", "--out", str(out), "--no-report", "--no-charts", "-q",
                 *extra])


def test_the_saved_runs_plan_settings_are_the_defaults(model, tmp_path):
    assert _plan(model, tmp_path / "plan") == 0
    quotas = pd.read_csv(tmp_path / "plan" / "quotas.csv")
    assert (quotas["absorption"] == 0.8).all() and (quotas["capacity"] == 40).all()
    assert (quotas["quota"] >= 2).all() and (quotas["quota"] <= 40).all()


def test_the_service_takes_the_same_defaults(model):
    pytest.importorskip("fastapi")
    from talentgap.service.state import plan_defaults

    saved = read_metadata(model)["config"]
    served = plan_defaults(saved)
    config = saved_run_defaults(Config(), saved, model)
    for name in ("absorption", "capacity", "min_quota", "lead_time", "exit_rate", "risk"):
        assert served[name] == getattr(config.plan, name), name
    assert served["horizon"] == config.forecast.horizon


def test_set_wins_over_the_saved_run(model, tmp_path):
    assert _plan(model, tmp_path / "plan", "--set", "plan.capacity=10",
                 "--set", "plan.absorption=0.8") == 0
    quotas = pd.read_csv(tmp_path / "plan" / "quotas.csv")
    assert (quotas["capacity"] == 10).all() and (quotas["quota"] <= 10).all()


def test_another_absorption_than_the_models_is_refused(model, tmp_path, capsys):
    config = tmp_path / "run.toml"
    config.write_text("[panel]\nabsorption = 0.9\n")
    for extra in (["--set", "plan.absorption=0.95"], ["--config", str(config)]):
        assert _plan(model, tmp_path / "plan", *extra) == 2
        err = capsys.readouterr().err
        assert "differs from the model's [panel] absorption 0.8" in err
        assert "set it once" in err
    assert not (tmp_path / "plan" / "quotas.csv").exists()


def test_a_model_saved_without_a_run_configuration_keeps_the_defaults():
    config = saved_run_defaults(Config(), None, "model")
    assert config == Config()
    # a budget per year needs the run's years; files and estimated rates are not kept
    saved = {"plan": {"budget": {"2026": 5e6}, "pass_rate": "rates.csv", "exit_rate": "estimate"}}
    before = copy.deepcopy(saved)
    assert saved_run_defaults(Config(), saved, "model") == Config()
    assert saved == before
