"""`talentgap demo` reads the demo files with cells by region x industry x skill level."""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import pipeline
from talentgap.cli.commands import DEMO_DATA, build_config
from talentgap.cli.main import build_parser

__all__: list[str] = []


@pytest.fixture(scope="module")
def demo_panel():
    config = build_config(build_parser().parse_args(["demo"]))
    return config, pipeline.run(config, steps=("features",), demo=True).panel


def test_demo_config_declares_the_levels_of_the_demo_files(demo_panel):
    config, _ = demo_panel
    assert config.data.keys == ("region", "industry", "skill_level")
    levels = config.data.levels()
    assert levels.order == ("unskilled", "skilled", "high_skilled")
    assert levels.high_skilled == ("high_skilled",) and levels.unskilled == ("unskilled",)
    demo = tg.datasets.load_demo()
    for table in (demo.surveys, demo.training, demo.employment):
        assert set(table["skill_level"].astype(str)) <= set(levels.order)
    assert DEMO_DATA["skill_levels"] == list(levels.order)


def test_demo_panel_has_both_levels_per_cell_in_the_declared_order(demo_panel):
    _, panel = demo_panel
    assert panel["skill_level"].cat.categories.tolist() == ["unskilled", "skilled",
                                                            "high_skilled"]
    cells = panel.groupby(["region", "industry", "skill_level"], observed=True).ngroups
    assert cells == 8 * 8 * 2  # vacancies and training come at two levels
    # split by level, the demand adds up to the region x industry panel of the same data
    demo = tg.datasets.load_demo()
    plain = tg.features.build_panel(demo.surveys, demo.training, freq="Q", lead_time=1)
    by_cell = panel.groupby(["region", "industry", "period"], observed=True)["demand"].sum()
    expected = plain.set_index(["region", "industry", "period"])["demand"]
    pd.testing.assert_series_equal(by_cell.loc[expected.index], expected, check_names=False)
    # a level's employment: its own workers, skilled / high-skilled as the levels say
    high = panel[panel["skill_level"] == "high_skilled"]
    assert (high["high_skilled"] == high["employment"]).all()
    skilled = panel[panel["skill_level"] == "skilled"]
    assert (skilled["high_skilled"] == 0).all() and (skilled["skilled"] > 0).all()


def test_a_config_file_can_still_choose_other_cells(tmp_path):
    (tmp_path / "run.toml").write_text('[data]\nkeys = ["region", "industry"]\n')
    args = build_parser().parse_args(["demo", "--config", str(tmp_path / "run.toml")])
    config = build_config(args)
    assert config.data.keys == ("region", "industry")
    assert config.data.skill_levels == ("unskilled", "skilled", "high_skilled")


def test_demo_panel_supply_counts_the_same_absorption_as_the_plan(demo_panel):
    # the demo data's cells keep 75-95% of their certified workers (85% on average): the
    # panel's supply and the plan's places count the same share, so the demo's gaps are not
    # biased against the population truth by the 15% who leave
    config, panel = demo_panel
    assert config.panel.absorption == config.plan.absorption == 0.85
    truth = tg.datasets.load_demo(include_truth=True).truth
    keys = ["region", "industry", "skill_level", "period"]
    merged = panel.assign(**{k: panel[k].astype(str) for k in keys}).merge(
        truth.assign(**{k: truth[k].astype(str) for k in keys}), on=keys,
        suffixes=("", "_true"))
    ratio = merged["supply"].sum() / merged["supply_true"].sum()
    assert ratio == pytest.approx(1.0, abs=0.05)
