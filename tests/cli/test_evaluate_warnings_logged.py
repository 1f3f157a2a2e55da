"""``talentgap evaluate`` says the scoring's data warnings as the other commands do:
``WARNING talentgap.cli: ...``, each once, without Python's source lines."""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg
import talentgap.editions
from talentgap.cli import main
from talentgap.errors import DataQualityWarning, warn

MESSAGE = "3 of 36 intervals are compared with estimates without a standard error"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("inputs")
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=14, seed=7)
    for folder in ("early", "all"):
        (root / folder).mkdir()
    for name in ("surveys", "training"):
        table = getattr(data, name)
        periods = pd.PeriodIndex(table["period"].astype(str), freq="Q")
        tg.io.write_table(table, root / "all" / f"{name}.csv")
        tg.io.write_table(table[periods <= periods.max() - 4], root / "early" / f"{name}.csv")
    return root


def test_scoring_warnings_are_logged_once(files, tmp_path, capsys, monkeypatch):
    store = tmp_path / "editions.sqlite"
    assert main(["forecast", "--surveys", str(files / "early" / "surveys.csv"),
                 "--training", str(files / "early" / "training.csv"), "--forecaster", "drift",
                 "--set", "forecast.n_samples=100", "--out", str(tmp_path / "out"),
                 "--no-report", "--no-charts", "-q", "--store", str(store)]) == 0
    scored = talentgap.editions.score_edition

    def warning_twice(*args, **kwargs):   # as demand's and the gap's scores each warn
        warn(MESSAGE, DataQualityWarning)
        warn(MESSAGE, DataQualityWarning)
        return scored(*args, **kwargs)

    monkeypatch.setattr(talentgap.editions, "score_edition", warning_twice)
    capsys.readouterr()
    assert main(["evaluate", "--store", str(store), "--actuals", str(files / "all"),
                 "--out", str(tmp_path / "scores")]) == 0
    err = capsys.readouterr().err
    assert err.count(MESSAGE) == 1
    assert f"WARNING talentgap.cli: {MESSAGE}" in err
    assert "DataQualityWarning" not in err and ".py:" not in err
