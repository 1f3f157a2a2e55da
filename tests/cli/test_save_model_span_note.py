"""``--save-model`` says how far the saved model answers, and how to raise it."""

from __future__ import annotations

import pytest

import talentgap as tg
from talentgap.cli import main


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("span-inputs")
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=16, seed=3)
    tg.io.write_table(data.surveys, root / "surveys.csv")
    tg.io.write_table(data.training, root / "training.csv")
    return root


def _save(inputs, tmp_path, *extra):
    return main(["forecast", "--surveys", str(inputs / "surveys.csv"), "--training",
                 str(inputs / "training.csv"), "--forecaster", "naive", "--set",
                 "forecast.n_samples=50", "--out", str(tmp_path / "out"), "--no-report",
                 "--no-charts", "--save-model", str(tmp_path / "model"), *extra])


def _notes(capsys):
    err = capsys.readouterr().err
    return [line for line in err.splitlines() if "answers forecasts and plans up to" in line]


def test_saved_span_is_said_with_the_setting_that_raises_it(inputs, tmp_path, capsys):
    assert _save(inputs, tmp_path) == 0
    (note,) = _notes(capsys)
    assert note.startswith("WARNING")
    assert "up to 4 periods" in note and "[forecast] max_horizon" in note
    assert tg.load(tmp_path / "model").horizon == 4


def test_a_chosen_span_is_only_logged(inputs, tmp_path, capsys):
    assert _save(inputs, tmp_path, "--set", "forecast.max_horizon=6") == 0
    assert _notes(capsys) == []                        # no warning: the span was chosen
    assert _save(inputs, tmp_path, "--set", "forecast.max_horizon=6", "-v") == 0
    (note,) = _notes(capsys)
    assert note.startswith("INFO") and "up to 6 periods" in note


def test_serve_help_names_max_horizon(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    assert "[forecast] max_horizon" in " ".join(capsys.readouterr().out.split())
