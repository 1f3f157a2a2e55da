"""A run that redoes a step names the files of the later steps it leaves, made from an
earlier result: a plan's after another forecast into the same folder."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main
from talentgap.cli._output_files import outdated_outputs


def _touch(out: Path, *names: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        (out / name).write_text("", encoding="utf-8")


def test_only_the_steps_built_on_the_last_one_are_outdated(tmp_path):
    _touch(tmp_path, "quotas.csv", "plan_cells.parquet", "shortfall_vs_budget.png",
           "backtest.csv", "leaderboard.csv", "forecast.csv", "fan_1.png", "my_notes.csv")
    assert outdated_outputs(tmp_path, ("features", "forecast")) == {
        "plan": ["plan_cells.parquet", "quotas.csv", "shortfall_vs_budget.png"]}
    assert outdated_outputs(tmp_path, ("features", "backtest")) == {}
    assert outdated_outputs(tmp_path, ("features", "forecast", "plan")) == {}
    assert outdated_outputs(tmp_path, ("forecast", "plan")) == {}   # plan --model
    assert set(outdated_outputs(tmp_path, ("features",))) == {"backtest", "forecast", "plan"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("outdated-inputs")
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=16, seed=3)
    for name in ("surveys", "training"):
        tg.io.write_table(getattr(data, name), root / f"{name}.csv")
    return root


def test_a_forecast_after_a_plan_names_the_plans_files(inputs, tmp_path, capsys):
    out = tmp_path / "out"
    fast = ["--surveys", str(inputs / "surveys.csv"), "--training", str(inputs / "training.csv"),
            "--forecaster", "drift", "--set", "forecast.n_samples=100", "--out", str(out),
            "--no-charts"]
    assert main(["plan", *fast, "--budget", "2e5", "--cost-per-trainee", "5000", "-q"]) == 0
    # the same forecast again (same inputs, settings and seed): the plan still matches it
    assert main(["forecast", *fast, "-q"]) == 0
    assert "of an earlier run" not in capsys.readouterr().err
    assert main(["forecast", *fast, "--horizon", "2", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "holds a plan's files of an earlier run (quotas.csv, plan_cells.csv" in captured.err
    assert "made from an earlier forecast than this run's" in captured.err
    summary = json.loads(captured.out)
    assert any("quotas.csv" in note for note in summary["notes"])
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "made from an earlier forecast than this run&#x27;s" in html
    # left as they were: the plan's periods are not the new forecast's
    arrival = pd.read_csv(out / "quotas.csv")["arrival_period"].astype(str).max()
    assert arrival > pd.read_csv(out / "forecast.csv")["period"].astype(str).max()
