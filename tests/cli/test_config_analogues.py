"""``[forecast.analogues]`` and ``min_history``: new trades forecast from a declared analogue."""

from __future__ import annotations

import html

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli._config_analogues import analogue_params, check_analogue_values
from talentgap.cli.config import Config, load_config
from talentgap.cli.main import main
from talentgap.cli.pipeline import gap_forecaster
from talentgap.errors import ConfigError

PAIRS = {"stream": "a", "ecom": "b"}


def write(tmp_path, text: str):
    path = tmp_path / "plan.toml"
    path.write_text(text)
    return path


def test_a_planners_table_becomes_the_forecasters_analogues(tmp_path):
    cfg = load_config(write(tmp_path, """
[forecast]
min_history = 6
[forecast.analogues]
stream = "a"
ecom = "b"
"""))
    inner = gap_forecaster(cfg).forecaster
    assert inner.analogues == {"industry": PAIRS}
    assert inner.min_history == 6


def test_the_forecasters_own_form_is_accepted_too():
    cfg = Config.from_dict({"forecast": {"analogues": {"industry": {"stream": "a"}}}})
    assert analogue_params(cfg.forecast) == {"analogues": {"industry": {"stream": "a"}}}
    assert gap_forecaster(cfg).forecaster.min_history is None   # its default: the models'


def test_no_analogues_leaves_the_forecaster_as_it_was():
    inner = gap_forecaster(Config()).forecaster
    assert inner.analogues is None and inner.min_history is None


@pytest.mark.parametrize(("forecast", "message"), [
    ({"model": "theta", "analogues": PAIRS}, r"\[forecast\] analogues needs model = 'auto'"),
    ({"model": "naive", "min_history": 4}, r"\[forecast\] min_history needs model = 'auto'"),
    ({"analogues": {"stream": 3}}, r"\[forecast.analogues\] stream must be a string"),
    ({"analogues": {"stream": "stream"}}, "cannot be its own analogue"),
    ({"analogues": {"sector": {"x": "y"}}}, r"\[forecast.analogues.sector\] maps 'sector'"),
    ({"min_history": -1}, r"\[forecast\] min_history must be >= 0"),
])
def test_mistakes_are_config_errors(forecast, message):
    with pytest.raises(ConfigError, match=message):
        Config.from_dict({"forecast": forecast})


def test_without_an_industry_key_analogues_are_refused():
    with pytest.raises(ConfigError, match=r"\[data\] keys \['region', 'occupation'\] have no "
                                          "'industry'"):
        Config.from_dict({"data": {"keys": ["region", "occupation"]},
                          "forecast": {"analogues": PAIRS}})


@pytest.mark.parametrize(("pairs", "named"), [({"stream": "aa"}, "'aa'"),
                                              ({"steam": "a"}, "'steam'")])
def test_an_industry_not_in_the_data_is_named_with_the_known_ones(pairs, named):
    panel = pd.DataFrame({"industry": ["a", "b", "stream"]})
    forecast = Config.from_dict({"forecast": {"analogues": pairs}}).forecast
    with pytest.raises(ConfigError, match=rf"no industry {named} in the surveys or training "
                                          r"data .*known industry values: 'a', 'b', 'stream'"):
        check_analogue_values(forecast, panel)


def test_forecast_names_every_analogue_cell_in_the_csv_and_the_report(tmp_path):
    data = tg.datasets.make_synthetic(n_regions=3, industries=["a", "b"],
                                      new_trades=["stream"], n_periods=20, seed=2,
                                      new_trade_start=(16, 18))
    tg.io.write_table(data.surveys, tmp_path / "surveys.csv")
    tg.io.write_table(data.training, tmp_path / "training.csv")
    config = write(tmp_path, """
[data]
surveys = "surveys.csv"
training = "training.csv"
[forecast]
n_samples = 200
min_history = 8
[forecast.analogues]
stream = "a"
[output]
charts = false
""")
    assert main(["forecast", "--config", str(config), "--out", str(tmp_path / "out")]) == 0
    forecast = pd.read_csv(tmp_path / "out" / "forecast.csv")
    new = forecast[forecast["industry"] == "stream"]
    assert len(new) == 3 * 4
    assert new["demand_model"].str.match(r"analogue industry=a x [0-9.]+ \(\d observations? "
                                         "< min_history 8\\)").all()
    assert new["fallback_reason"].str.contains("forecast from the analogue industry=a").all()
    assert not forecast.loc[forecast["industry"] != "stream", "demand_model"].str.contains(
        "analogue").any()
    report = html.unescape((tmp_path / "out" / "report.html").read_text())
    note = report[report.index("The demand of 3 cells with a short history"):]
    for region in sorted(new["region"].unique()):   # every cell, not only the largest gaps
        assert f"{region} / stream from a × " in note.split("</")[0]
