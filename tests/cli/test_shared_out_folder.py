"""Commands of one workflow share an --out folder; only a step's own leftovers are flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from talentgap.cli import main
from talentgap.cli.outputs import stale_outputs

DATA = Path(__file__).resolve().parents[2] / "datasets"
FAST = ["--surveys", str(DATA / "surveys.csv"), "--training", str(DATA / "training.csv"),
        "--set", 'forecast.model="naive"', "--set", "forecast.n_samples=100",
        "--set", "backtest.n_windows=2"]


def _touch(out: Path, *names: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        (out / name).write_text("", encoding="utf-8")


def test_only_files_of_the_steps_run_are_stale(tmp_path):
    _touch(tmp_path, "backtest.csv", "leaderboard.csv", "error_by_horizon.png", "fan_1.png",
           "quotas.parquet", "report.html", "my.png", "notes.csv")
    forecast = stale_outputs(tmp_path, [tmp_path / "report.html"],
                             steps=("features", "forecast"))
    # a forecast's chart it did not draw, and a chart of no known step
    assert forecast == ["fan_1.png", "my.png"]
    backtest = stale_outputs(tmp_path, [], steps=("features", "backtest"))
    assert backtest == ["backtest.csv", "error_by_horizon.png", "leaderboard.csv", "my.png",
                        "report.html"]
    assert "quotas.parquet" in stale_outputs(tmp_path, [])  # no steps given: every step's


@pytest.mark.slow
def test_readme_sequence_into_one_folder_warns_of_nothing(tmp_path, capsys):
    out = str(tmp_path / "out")
    assert main(["backtest", *FAST, "--out", out, "--no-charts", "--no-report"]) == 0
    assert main(["forecast", *FAST, "--out", out, "--no-charts", "--no-report"]) == 0
    err = capsys.readouterr().err
    assert "of an earlier run" not in err
    assert {"backtest.csv", "leaderboard.csv", "forecast.csv"} <= {
        p.name for p in (tmp_path / "out").iterdir()}
    # the same command again without a table it wrote before: that one is flagged
    (tmp_path / "out" / "masked_values.csv").write_text("", encoding="utf-8")
    assert main(["forecast", *FAST, "--out", out, "--no-charts", "--no-report"]) == 0
    err = capsys.readouterr().err
    assert "holds 1 file(s) of an earlier run that this run did not write: " \
           "masked_values.csv;" in err
