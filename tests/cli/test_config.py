"""Tests of the TOML run configuration (talentgap.cli.config)."""

from __future__ import annotations

from pathlib import Path

import pytest

from talentgap.cli.config import Config, load_config
from talentgap.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plan.toml"


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(text)
    return path


def test_defaults():
    cfg = Config()
    assert cfg.forecast.horizon == 4
    assert cfg.forecast.levels == (80, 95)
    assert cfg.data.keys == ("region", "industry")
    assert cfg.plan.budget is None


def test_values_are_read_and_typed(tmp_path):
    cfg = load_config(write(tmp_path, """
[data]
freq = "Y"
keys = ["region", "industry"]
[forecast]
horizon = 8
levels = [80, 97.5]
model = "theta"
[plan]
budget = 2_000_000
cost_per_trainee = 5500
pass_rate = "pass_rates.csv"
"""))
    assert cfg.data.freq == "Y"
    assert cfg.forecast.horizon == 8
    assert cfg.forecast.levels == (80, 97.5)
    assert cfg.forecast.model == "theta"
    assert cfg.plan.budget == 2_000_000
    assert cfg.plan.cost_per_trainee == 5500
    assert cfg.plan.pass_rate == str(tmp_path / "pass_rates.csv")


def test_relative_paths_are_taken_from_the_config_folder(tmp_path):
    sub = tmp_path / "configs"
    sub.mkdir()
    path = sub / "run.toml"
    path.write_text('[data]\nsurveys = "../data/surveys.csv"\ntraining = "/abs/training.csv"\n')
    cfg = load_config(path)
    assert cfg.data.surveys == str(tmp_path / "data" / "surveys.csv")
    assert cfg.data.training == "/abs/training.csv"


@pytest.mark.parametrize(("text", "message"), [
    ("[forecast]\nhorizn = 8\n", "unknown key 'horizn' in [forecast]; did you mean 'horizon'?"),
    ("[forcast]\nhorizon = 8\n", "unknown table [forcast]; did you mean 'forecast'?"),
    ("[plan]\nbudjet = 1\n", "did you mean 'budget'?"),
    ("[forecast]\nzzz = 1\n", "unknown key 'zzz' in [forecast]; known: "),
])
def test_unknown_keys_get_a_suggestion(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


@pytest.mark.parametrize(("text", "message"), [
    ('[forecast]\nhorizon = "four"\n',
     "[forecast] horizon must be an integer, got 'four' (a string)"),
    ("[forecast]\nhorizon = 4.5\n", "[forecast] horizon must be an integer, got 4.5 (a number)"),
    ("[forecast]\nhorizon = true\n", "[forecast] horizon must be an integer"),
    ("[forecast]\nlevels = 80\n", "[forecast] levels must be a list of numbers, got 80"),
    ('[data]\nkeys = "region"\n', "[data] keys must be a list of strings"),
    ("[plan]\nbudget = \"lots\"\n", "[plan] budget must be a number"),
    ("[plan]\ncost_per_trainee = true\n", "must be a number or a string (a CSV file)"),
    ("[output]\ncharts = 1\n", "[output] charts must be true or false, got 1 (an integer)"),
    ("forecast = 3\n", "[forecast] must be a table of settings"),
])
def test_wrong_types_name_the_key_and_the_type(tmp_path, text, message):
    with pytest.raises(ConfigError, match=None) as info:
        load_config(write(tmp_path, text))
    assert message in str(info.value)


@pytest.mark.parametrize(("text", "message"), [
    ('[forecast]\nmodel = "thetta"\n', "did you mean 'theta'?"),
    ('[data]\nfreq = "W"\n', "[data] freq must be one of 'Y', 'Q', 'M'; got 'W'"),
    ("[forecast]\nhorizon = 0\n", "[forecast] horizon must be >= 1, got 0"),
    ("[plan]\nquantile = 1.5\n", "[plan] quantile must be in (0, 1), got 1.5"),
    ("[plan]\nquantile = 1.0\n", "[plan] quantile must be in (0, 1), got 1.0"),
    ("[plan]\nquantile = 80\n", "[plan] quantile must be in (0, 1), got 80; a probability, "
                                  "not a percentage: did you mean 0.8?"),
    ("[plan]\npass_rate = 67\n", "[plan] pass_rate must be <= 1.0, got 67; a share, not a "
                                   "percentage: did you mean 0.67?"),
    ('[backtest]\nbaselines = ["naive", "snaive"]\n', "got 'snaive'"),
    ("[forecast]\nlevels = []\n", "[forecast] levels must not be empty"),
    ("[data]\nkeys = []\n", "[data] keys must not be empty"),
    ("[forecast]\nrandom_state = -1\n", "[forecast] random_state must be >= 0, got -1"),
])
def test_values_out_of_range(tmp_path, text, message):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert message in str(info.value)


def test_a_quantile_level_of_a_few_percent_gets_no_percentage_hint(tmp_path):
    # 1.5 read as 1.5% is no level a plan is made at: say the range, not "did you mean 0.015"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "[plan]\nrisk = \"quantile\"\nquantile = 1.5\n"))
    assert "must be in (0, 1)" in str(info.value)
    assert "percentage" not in str(info.value) and "0.015" not in str(info.value)


def test_invalid_toml_names_the_file(tmp_path):
    path = write(tmp_path, "[forecast\nhorizon = 4\n")
    with pytest.raises(ConfigError, match="plan.toml: not valid TOML"):
        load_config(path)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_config(tmp_path / "absent.toml")


def test_overrides_win_and_are_checked():
    cfg = Config.from_dict({"forecast": {"horizon": 8, "model": "ets"}})
    changed = cfg.with_overrides({"forecast": {"horizon": 2}})
    assert (changed.forecast.horizon, changed.forecast.model) == (2, "ets")
    assert cfg.forecast.horizon == 8  # unchanged: configs are immutable
    with pytest.raises(ConfigError, match="command line: \\[forecast\\] horizon must be"):
        cfg.with_overrides({"forecast": {"horizon": "x"}}, source="command line")


def test_to_dict_round_trips():
    cfg = Config.from_dict({"forecast": {"levels": [50, 90]}, "plan": {"budget": 10.0}})
    assert Config.from_dict(cfg.to_dict()) == cfg


def test_the_example_config_is_valid():
    cfg = load_config(EXAMPLE)
    assert Path(cfg.data.surveys).resolve() == (EXAMPLE.parents[1] / "datasets"
                                                / "surveys.csv").resolve()
    assert cfg.plan.budget > 0


# ---- [survey]: the sampling design ---------------------------------------------------------

def test_survey_table_is_read_into_a_design(tmp_path):
    from talentgap.features import SurveyDesign

    cfg = load_config(write(tmp_path, """
[survey]
strata = ["industry", "size_band"]
fpc = "population"
lonely_psu = "certainty"
"""))
    assert cfg.survey.design() == SurveyDesign(strata=("industry", "size_band"), psu=None,
                                               fpc="population", lonely_psu="certainty")
    assert "strata by industry x size_band" in cfg.survey.describe()
    assert "'population'" in cfg.survey.describe()
    assert Config().survey.design() is None
    assert "none declared" in Config().survey.describe()


@pytest.mark.parametrize(("text", "message"), [
    ('[survey]\nlonely_psu = "drop"\n', r"lonely_psu must be one of"),
    ('[survey]\nstrata = "size_band"\n', r"strata must be a list of strings"),
    ('[survey]\nstrat = ["size_band"]\n', r"did you mean 'strata'"),
    ('[survey]\npsu = "period"\n', r"'period' is not a design column"),
    ('[survey]\nstrata = ["park"]\npsu = "park"\n', r"must name different columns"),
])
def test_survey_table_rejects_bad_settings(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text))


def test_survey_design_reaches_the_panel_and_the_report(tmp_path):
    import numpy as np

    import talentgap as tg
    from talentgap.cli.pipeline import run
    from talentgap.cli.reporting import build_report

    data = tg.datasets.make_synthetic(n_regions=2, n_periods=4, seed=3, design=True)
    surveys = tmp_path / "surveys.csv"
    data.surveys.to_csv(surveys, index=False)
    design = data.design
    cfg = Config.from_dict({
        "data": {"surveys": str(surveys)},
        "survey": {"strata": list(design.strata_columns), "fpc": design.fpc}})
    result = run(cfg, steps=["features"])
    expected = tg.features.build_panel(data.surveys, design=design)
    plain = tg.features.build_panel(data.surveys)
    keys = ["region", "industry", "period"]
    got = result.panel.sort_values(keys)["demand_se"].to_numpy()
    np.testing.assert_allclose(got, expected.sort_values(keys)["demand_se"].to_numpy())
    assert not np.allclose(got, plain.sort_values(keys)["demand_se"].to_numpy(),
                           equal_nan=True)
    page = build_report(result, {}, command="validate").to_html()
    assert "Survey design: strata by region x industry x size_band" in page
