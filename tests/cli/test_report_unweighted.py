"""A surveys file whose weight column has another name: said on the console and in the report."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main


def _text(path) -> str:
    page = path.read_text(encoding="utf-8")
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("unweighted")
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=6, seed=3)
    surveys = data.surveys.rename(columns={"weight": "final_weight"})
    assert (surveys["final_weight"] > 1).any()
    tg.io.write_table(surveys, folder / "surveys.csv")
    tg.io.write_table(data.training, folder / "training.csv")
    return folder, data


def test_unweighted_run_says_so_and_mapping_the_column_weights_it(files, tmp_path, capsys):
    folder, data = files
    out = tmp_path / "plain"
    assert main(["features", "--surveys", str(folder / "surveys.csv"), "--training",
                 str(folder / "training.csv"), "--out", str(out), "--no-charts"]) == 0
    console = capsys.readouterr().err
    assert "no 'weight' column" in console and "'final_weight'" in console
    text = _text(out / "report.html")
    assert "the estimates are unweighted sample counts" in text
    assert "stands for as many enterprises as its design weight" not in text
    assert "surveys_columns = {\"final_weight\" = \"weight\"}" in text  # the note, with the fix
    plain = pd.read_csv(out / "panel.csv")
    assert plain["demand"].sum() == data.surveys["hard_to_fill"].sum()

    config = tmp_path / "mapped.toml"
    config.write_text(f'[data]\nsurveys = "{(folder / "surveys.csv").as_posix()}"\n'
                      f'training = "{(folder / "training.csv").as_posix()}"\n'
                      'surveys_columns = {final_weight = "weight"}\n', encoding="utf-8")
    mapped_out = tmp_path / "mapped"
    assert main(["features", "--config", str(config), "--out", str(mapped_out),
                 "--no-charts"]) == 0
    assert "no 'weight' column" not in capsys.readouterr().err
    text = _text(mapped_out / "report.html")
    assert "stands for as many enterprises as its design weight" in text
    assert "unweighted" not in text
    mapped = pd.read_csv(mapped_out / "panel.csv")
    weighted = (data.surveys["weight"] * data.surveys["hard_to_fill"]).sum()
    assert mapped["demand"].sum() == pytest.approx(weighted)
    assert mapped["demand"].sum() > plain["demand"].sum()


def test_survey_nest_setting_reaches_the_design(tmp_path):
    from talentgap.cli.config import load_config
    from talentgap.errors import ConfigError

    path = tmp_path / "nest.toml"
    path.write_text('[survey]\nstrata = ["stratum"]\npsu = "psu"\nnest = true\n',
                    encoding="utf-8")
    survey = load_config(path).survey
    assert survey.design().nest is True
    assert "PSUs from 'psu' (ids numbered within each stratum)" in survey.describe()
    path.write_text('[survey]\npsu = "psu"\nnest = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="nest"):
        load_config(path)
