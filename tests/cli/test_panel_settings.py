"""``[panel] lead_time`` as a CSV per programme or cell, and ``[panel] supply_fill``."""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli._panel_settings import panel_lead_time, supply_missing_note
from talentgap.cli.config import Config
from talentgap.cli.pipeline import run
from talentgap.errors import ConfigError, ParameterError

KEYS = ["region", "industry"]


def _write(folder, *, drop_quarter: str | None = None) -> None:
    """Surveys of 2 x 2 cells over 12 quarters; 10 certified per cell and quarter, in two
    programmes (6 'welding', 4 'sewing'), less one cell-quarter with ``drop_quarter``."""
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=5)
    cells = data.employment[["period", "region", "industry"]].drop_duplicates()
    training = pd.concat([cells.assign(program="welding", trained=8, certified=6),
                          cells.assign(program="sewing", trained=5, certified=4)],
                         ignore_index=True)
    if drop_quarter is not None:
        first = training[["region", "industry"]].iloc[0]
        gone = ((training["region"] == first["region"])
                & (training["industry"] == first["industry"])
                & (training["period"].astype(str) == drop_quarter))
        training = training[~gone]
    tg.io.write_table(data.surveys, folder / "surveys.csv")
    tg.io.write_table(training, folder / "training.csv")


def _config(folder, **panel) -> Config:
    return Config.from_dict({"data": {"surveys": "surveys.csv", "training": "training.csv",
                                      "freq": "Q", "keys": KEYS},
                             "panel": panel}, base=folder)


def test_a_lead_time_per_programme_shifts_each_programme(tmp_path):
    _write(tmp_path)
    (tmp_path / "lead.csv").write_text("program,lead_time\nwelding,2\nsewing,0\n")
    panel = run(_config(tmp_path, lead_time="lead.csv"), steps=("features",)).panel
    supply = panel.groupby("period")["supply"].sum()  # 4 cells
    first = supply.index.min()
    # first quarter: sewing only (4 per cell); the second too; then welding arrives (6)
    assert supply[first] == pytest.approx(16.0)
    assert supply[first + 1] == pytest.approx(16.0)
    assert supply[first + 2] == pytest.approx(40.0)


def test_a_lead_time_file_with_fractions_names_the_line(tmp_path):
    (tmp_path / "lead.csv").write_text("program,lead_time\nwelding,2\nsewing,1.5\n")
    with pytest.raises(ConfigError, match=r"\[panel\] lead_time: .*lead.csv: column "
                                          r"'lead_time' must be a whole number of periods "
                                          r">= 0; 1 row fails, e.g. line 3: 1.5"):
        panel_lead_time(_config(tmp_path, lead_time="lead.csv"))


@pytest.mark.parametrize(("text", "words"), [
    ("program,lead_time\nwelding,2\n",
     r" has no row for 1 cell of the training table \(48 training rows\): every training "
     r"row needs the lead_time of its program, e.g. program='sewing'"),
    ("region,industry,lead_time\nNowhere,textiles,1\n",
     r" has no row for 4 cells of the training table .*: every training row needs the "
     r"lead_time of its region/industry, e.g. region="),
    ("skill_level,lead_time\nordinary,1\n",
     r": columns \['skill_level'\] are not key columns of the training table .*"
     r"e.g. line 2 \(skill_level='ordinary'\)"),
])
def test_a_lead_time_file_that_misses_training_rows_is_named(tmp_path, text, words):
    _write(tmp_path)
    (tmp_path / "lead.csv").write_text(text)
    with pytest.raises(ParameterError, match=r"^\[panel\] lead_time: .*lead.csv" + words):
        run(_config(tmp_path, lead_time="lead.csv"), steps=("features",))


def test_lead_time_and_supply_fill_are_checked_in_the_configuration(tmp_path):
    with pytest.raises(ConfigError, match=r"\[panel\] lead_time must be an integer or a "
                                          r"string \(a CSV file\), got 1.5"):
        _config(tmp_path, lead_time=1.5)
    with pytest.raises(ConfigError, match=r"\[panel\] supply_fill must be >= 0"):
        _config(tmp_path, supply_fill=-1)


def test_a_quarter_without_training_is_noted_and_filled_on_request(tmp_path):
    _write(tmp_path, drop_quarter="2021Q3")
    unknown = run(_config(tmp_path, lead_time=0), steps=("features",))
    gap = unknown.panel[unknown.panel["period"].astype(str) == "2021Q3"]
    assert gap["supply"].isna().sum() == 1
    notes = [n for n in unknown.notes if "supply_fill" in n]
    assert len(notes) == 1
    assert notes[0].startswith("supply is unknown in 1 cell-period that no training row "
                               "reaches")
    assert "2021Q3" in notes[0]
    filled = run(_config(tmp_path, lead_time=0, supply_fill=0), steps=("features",))
    gap = filled.panel[filled.panel["period"].astype(str) == "2021Q3"]
    assert sorted(gap["supply"]) == [0.0, 10.0, 10.0, 10.0]
    assert not [n for n in filled.notes if "supply_fill" in n]


def test_cell_periods_before_the_first_arrival_alone_are_not_noted():
    panel = pd.DataFrame({"region": "North", "industry": "textiles",
                          "period": pd.period_range("2024Q1", periods=3, freq="Q"),
                          "supply_missing": [True, False, False]})
    assert supply_missing_note(panel, KEYS) is None
