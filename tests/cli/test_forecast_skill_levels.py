"""`talentgap forecast` with [data] skill_levels: a level outside the declared order exits 2."""

from __future__ import annotations

import talentgap as tg
from talentgap.cli.main import main


def test_undeclared_training_level_exits_2_naming_the_line(tmp_path, capsys):
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=5)
    training = data.training.assign(skill_level="senior")
    training.loc[training.index[3], "skill_level"] = "master"
    tg.io.write_table(data.surveys, tmp_path / "surveys.csv")
    tg.io.write_table(training, tmp_path / "training.csv")
    (tmp_path / "plan.toml").write_text('[data]\nskill_levels = ["ordinary", "senior"]\n')
    code = main(["forecast", "--config", str(tmp_path / "plan.toml"),
                 "--surveys", str(tmp_path / "surveys.csv"),
                 "--training", str(tmp_path / "training.csv"), "--out", str(tmp_path / "out"),
                 "--forecaster", "naive", "--set", "forecast.n_samples=200"])
    assert code == 2
    err = capsys.readouterr().err
    assert "training: column 'skill_level'" in err
    assert "must be one of the declared skill levels ['ordinary', 'senior']" in err
    assert "[unknown_code]" in err and "line 5 (Ashmere, " in err and "): 'master'" in err
