"""Natural planner mistakes in a run configuration: one absorption, numbers as text, percents."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli.config import Config, load_config
from talentgap.cli.pipeline import run
from talentgap.errors import ConfigError


# ---- absorption: one setting for the panel's supply and the plan's places -----------------
def test_plan_absorption_alone_sets_the_panels_too():
    config = Config.from_dict({"plan": {"absorption": 0.85}})
    assert config.panel.absorption == config.plan.absorption == 0.85


def test_panel_absorption_alone_sets_the_plans_too():
    config = Config.from_dict({"panel": {"absorption": 0.7}})
    assert config.plan.absorption == config.panel.absorption == 0.7


def test_both_absorptions_given_differently_name_both_keys(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text("[panel]\nabsorption = 1.0\n[plan]\nabsorption = 0.85\n")
    with pytest.raises(ConfigError, match=r"run\.toml: \[panel\] absorption \(1\.0\) and "
                                          r"\[plan\] absorption \(0\.85\) differ"):
        load_config(path)
    path.write_text("[panel]\nabsorption = 0.85\n[plan]\nabsorption = 0.85\n")
    assert load_config(path).panel.absorption == 0.85


def test_a_later_layer_moves_both_absorptions():
    # the demo's defaults set both; --set plan.absorption=1.0 must not leave the panel at 0.85
    config = Config.from_dict({"panel": {"absorption": 0.85}, "plan": {"absorption": 0.85}})
    config = config.with_overrides({"plan": {"absorption": 1.0}}, source="command line")
    assert config.panel.absorption == config.plan.absorption == 1.0


def test_absorption_as_a_percentage_is_refused_with_the_share_meant():
    with pytest.raises(ConfigError, match=r"\[plan\] absorption must be <= 1.0, got 85; a "
                                          r"share, not a percentage: did you mean 0.85\?"):
        Config.from_dict({"plan": {"absorption": 85}})


@pytest.fixture(scope="module")
def small_inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("absorption")
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=3)
    tg.io.write_table(data.surveys, folder / "surveys.csv")
    tg.io.write_table(data.training, folder / "training.csv")
    return folder


def _panel(folder, plan: dict) -> pd.DataFrame:
    config = Config.from_dict({"data": {"surveys": str(folder / "surveys.csv"),
                                        "training": str(folder / "training.csv")},
                               "plan": plan})
    return run(config, steps=("features",)).panel


def test_the_panel_counts_the_plans_absorption(small_inputs):
    full = _panel(small_inputs, {})
    half = _panel(small_inputs, {"absorption": 0.5})
    both = full["supply"].notna()
    assert both.sum() > 0
    np.testing.assert_allclose(half["supply"][both], 0.5 * full["supply"][both])
    np.testing.assert_allclose(half["gap"][both], full["demand"][both] - half["supply"][both])


def test_the_panel_reads_a_per_cell_absorption_file(small_inputs, tmp_path):
    full = _panel(small_inputs, {})
    cells = full[["region", "industry"]].drop_duplicates().reset_index(drop=True)
    rates = cells.assign(absorption=np.linspace(0.5, 0.9, len(cells)))
    rates.to_csv(tmp_path / "absorption.csv", index=False)
    per_cell = _panel(small_inputs, {"absorption": str(tmp_path / "absorption.csv")})
    expected = full.merge(rates, on=["region", "industry"])
    got = per_cell.merge(rates, on=["region", "industry"])
    both = expected["supply"].notna()
    np.testing.assert_allclose(got["supply"][both],
                               expected["supply"][both] * expected["absorption"][both])


# ---- numbers written as text are not file names ---------------------------------------------
@pytest.mark.parametrize("text", ["1,200,000", "33000000", " 1_200_000 "])
def test_a_budget_written_as_text_says_how_to_write_it(text):
    with pytest.raises(ConfigError) as caught:
        Config.from_dict({"plan": {"budget": text}}, source="plan.toml")
    message = str(caught.value)
    assert message.startswith("plan.toml: [plan] budget must be a number (")
    assert "or the path of a CSV" in message and "no such file" not in message
    assert "_000" in message  # the underscore form, e.g. 1_200_000


def test_a_yearly_budget_written_as_text_says_how_to_write_it():
    with pytest.raises(ConfigError, match=r"budget.2025 must be a number \(8000000 or "
                                          r"8_000_000, without quotes\)"):
        Config.from_dict({"plan": {"years": [2025], "budget": {"2025": "8,000,000"}}})


def test_a_cost_written_as_text_is_refused_but_a_file_name_is_kept():
    with pytest.raises(ConfigError, match=r"\[plan\] cost_per_trainee must be a number "
                                          r"\(6000, without quotes\) or the path of a CSV"):
        Config.from_dict({"plan": {"cost_per_trainee": "6000"}})
    config = Config.from_dict({"plan": {"cost_per_trainee": "cost_2025.csv"}})
    assert config.plan.cost_per_trainee == "cost_2025.csv"


# ---- a pass rate as a percentage names the file and the key ----------------------------------
def test_a_pass_rate_as_a_percentage_names_file_key_and_share(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text("[plan]\npass_rate = 67\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: [plan] pass_rate must be <= 1.0, got 67")
    assert "did you mean 0.67?" in message


def test_a_pass_rate_of_zero_is_refused_in_the_config():
    with pytest.raises(ConfigError, match=r"\[plan\] pass_rate must be > 0.0, got 0"):
        Config.from_dict({"plan": {"pass_rate": 0}})
