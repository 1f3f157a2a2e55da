"""``talentgap validate`` on several tables: key codes that agree across tables."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main, pipeline
from talentgap.cli.config import Config
from talentgap.errors import DataQualityWarning, SchemaError

SURVEYS = """\
period,enterprise_id,region,industry,employees,vacancies,hard_to_fill,reports_shortage
2024Q1,E1,Ouhai,textiles,40,3,2,1
2024Q1,E2,Longwan,textiles,12,1,0,0
2024Q1,E3,Lucheng,textiles,30,2,1,1
"""
MISMATCHED = """\
period,region,industry,trained,certified
2024Q1,ouhai,textiles,120,80
2024Q1,Longwan ,textiles,50,30
2024Q1,Lucheng,textiles,60,40
"""


def _config(folder, training: str, extra: str = ""):
    (folder / "surveys.csv").write_text(SURVEYS)
    (folder / "training.csv").write_text(training)
    config = folder / "run.toml"
    config.write_text('[data]\nsurveys = "surveys.csv"\ntraining = "training.csv"\n' + extra)
    return config


def test_mismatched_codes_exit_2_with_suggestions(tmp_path, capsys):
    config = _config(tmp_path, MISMATCHED)
    rejected = tmp_path / "rejected.csv"
    assert main(["validate", "--config", str(config), "--rejected", str(rejected)]) == 2
    out, err = capsys.readouterr()
    assert ("error: column 'region': 'ouhai' in training (1 row, e.g. line 2) is not in "
            "surveys (did you mean 'Ouhai'? letter case) [code_mismatch]") in out
    assert ("error: column 'region': 'Longwan ' in training (1 row, e.g. line 3) is not in "
            "surveys (did you mean 'Longwan'? surrounding spaces)") in out
    assert "[surrounding_space]" in out  # the schema rule names the row as well
    assert "set [data] allow_missing_demand = true" in out
    assert "talentgap: error:" in err
    failures = pd.read_csv(rejected)
    codes = failures[failures["rule"] == "code_mismatch"]
    assert sorted(zip(codes["value"], codes["line"], strict=True)) == [
        ("Longwan", 3), ("Longwan ", 3), ("Ouhai", 2), ("ouhai", 2)]


def test_full_width_and_typo_codes_on_the_command_line(tmp_path, capsys):
    (tmp_path / "surveys.csv").write_text(SURVEYS)
    training = tmp_path / "training.csv"
    training.write_text("period,region,industry,trained,certified\n"
                        "2024Q1,Ｏｕｈａｉ,textiles,120,80\n"
                        "2024Q1,Lucheng,textlies,60,40\n")
    assert main(["validate", f"surveys={tmp_path / 'surveys.csv'}",
                 f"training={training}"]) == 2
    out, _ = capsys.readouterr()
    assert "'Ｏｕｈａｉ' in training (1 row, e.g. line 2) is not in surveys (did you mean " \
           "'Ouhai'? full-width characters)" in out
    assert "'textlies' in training (1 row, e.g. line 3) is not in surveys (did you mean " \
           "'textiles'? one-letter typo)" in out


def test_allowed_mismatch_exits_0_and_says_so(tmp_path, capsys):
    training = MISMATCHED.replace("Longwan ,", "Longwan,")
    config = _config(tmp_path, training, "allow_missing_supply = true\n"
                     "allow_missing_demand = true\n")
    assert main(["validate", "--config", str(config)]) == 0
    out, err = capsys.readouterr()
    assert ("allowed by [data] allow_missing_demand = true: column 'region': 'ouhai' in "
            "training") in out
    assert "allowed by [data] allow_missing_supply = true: column 'region': 'Ouhai'" in out
    assert err == ""


def test_one_side_allowed_is_not_enough(tmp_path, capsys):
    training = MISMATCHED.replace("Longwan ,", "Longwan,")
    config = _config(tmp_path, training, "allow_missing_demand = true\n")
    assert main(["validate", "--config", str(config)]) == 2
    out, _ = capsys.readouterr()
    assert "error: column 'region': 'Ouhai' in surveys" in out
    assert "allowed by [data] allow_missing_demand = true: column 'region': 'ouhai'" in out


def test_a_code_written_two_ways_in_one_file_is_no_missing_side(tmp_path, capsys):
    # training writes Ouhai two ways; the surveys hold only 'Ouhai', so 'OUHAI' is also a
    # training code missing from the surveys: still one code, which no allow key accepts
    training = ("period,region,industry,trained,certified\n2024Q1,Ouhai,textiles,120,80\n"
                "2024Q2,OUHAI,textiles,90,60\n2024Q1,Longwan,textiles,50,30\n"
                "2024Q1,Lucheng,textiles,60,40\n")
    config = _config(tmp_path, training, "allow_missing_supply = true\n"
                     "allow_missing_demand = true\n")
    assert main(["validate", "--config", str(config)]) == 2
    out, err = capsys.readouterr()
    assert ("error: column 'region': 'OUHAI' in training (1 row, e.g. line 3) is 'Ouhai' "
            "written another way (did you mean 'Ouhai'? letter case) [code_mismatch]; write "
            "the code one way in every file") in out
    assert "allowed by" not in out
    assert "talentgap: error:" in err
    tables = {name: tg.io.read_table(tmp_path / f"{name}.csv", table=name)
              for name in ("surveys", "training")}
    with pytest.raises(SchemaError, match="'OUHAI' in training .* written another way"):
        pipeline._build_panel(tables, Config.from_dict({"data": {  # forecast and plan stop
            "surveys": str(tmp_path / "surveys.csv"), "training": str(tmp_path / "training.csv"),
            "allow_missing_supply": True, "allow_missing_demand": True}}))


def test_codes_without_look_alike_are_notes(tmp_path, capsys):
    training = ("period,region,industry,trained,certified\n"
                "2024Q1,Ouhai,textiles,120,80\n2024Q1,Ruian,robotics,10,5\n")
    config = _config(tmp_path, training)
    assert main(["validate", "--config", str(config)]) == 0
    out, _ = capsys.readouterr()
    assert ("note: column 'industry': 'robotics' in training (1 row, e.g. line 3) is not in "
            "surveys (a cell without demand)") in out
    assert "note: column 'region': 'Lucheng' in surveys" in out
    assert "(a cell without supply)" in out


def test_agreeing_codes_and_json(tmp_path, capsys):
    training = MISMATCHED.replace("ouhai", "Ouhai").replace("Longwan ,", "Longwan,")
    config = _config(tmp_path, training)
    assert main(["validate", "--config", str(config)]) == 0
    assert "codes: key values agree across surveys, training" in capsys.readouterr().out
    config = _config(tmp_path, MISMATCHED.replace("Longwan ,", "Longwan,"))
    assert main(["validate", "--config", str(config), "--format", "json"]) == 2
    reports = json.loads(capsys.readouterr().out)
    codes = reports[-1]
    assert codes["check"] == "codes" and codes["ok"] is False
    errors = {(m["table"], m["value"], m["suggestion"]) for m in codes["mismatches"]
              if m["error"]}
    assert errors == {("surveys", "Ouhai", "ouhai"), ("training", "ouhai", "Ouhai")}


@pytest.mark.parametrize("value", ["yes", 1])
def test_allow_keys_must_be_booleans(tmp_path, capsys, value):
    config = _config(tmp_path, MISMATCHED, f"allow_missing_supply = {json.dumps(value)}\n")
    assert main(["validate", "--config", str(config)]) == 2
    assert "allow_missing_supply must be true or false" in capsys.readouterr().err


@pytest.fixture(scope="module")
def split_region(tmp_path_factory):
    """Synthetic inputs whose training file writes one region in lower case."""
    folder = tmp_path_factory.mktemp("split")
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=3)
    training = data.training.astype({"region": str})
    first = training["region"].iloc[0]
    training["region"] = training["region"].where(training["region"] != first, first.lower())
    tg.io.write_table(data.surveys, folder / "surveys.csv")
    tg.io.write_table(training, folder / "training.csv")
    return folder, first


def test_forecast_stops_on_codes_written_differently(split_region, tmp_path, capsys):
    folder, first = split_region
    code = main(["forecast", "--surveys", str(folder / "surveys.csv"), "--training",
                 str(folder / "training.csv"), "--out", str(tmp_path / "out"),
                 "--forecaster", "naive"])
    assert code == 2
    err = capsys.readouterr().err
    assert f"(did you mean {first.lower()!r}? letter case) [code_mismatch]" in err
    assert not (tmp_path / "out" / "forecast.csv").exists()


def test_forecast_panel_with_allowed_mismatch_warns(split_region):
    folder, first = split_region
    config = Config.from_dict({"data": {"surveys": str(folder / "surveys.csv"),
                                        "training": str(folder / "training.csv"),
                                        "allow_missing_supply": True,
                                        "allow_missing_demand": True}})
    tables = {name: tg.io.read_table(folder / f"{name}.csv", table=name)
              for name in ("surveys", "training")}
    with pytest.warns(DataQualityWarning, match=f"did you mean {first!r}"):
        panel = pipeline._build_panel(tables, config)
    assert {first, first.lower()} <= set(panel["region"].astype(str))
