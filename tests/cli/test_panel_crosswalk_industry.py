"""``[plan] crosswalk`` by industry: past training's supply is split as the plan's places are."""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli._supply_crosswalk import past_supply_crosswalk
from talentgap.cli.config import Config
from talentgap.cli.pipeline import run
from talentgap.errors import ConfigError


def test_a_programme_feeding_two_industries_splits_its_past_supply(tmp_path):
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=8, seed=5)
    first, second = sorted(data.surveys["industry"].astype(str).unique())
    cells = data.surveys[["period", "region"]].drop_duplicates()
    training = pd.concat([  # welding recorded under the first industry, feeding both
        cells.assign(industry=first, program="welding", trained=12, certified=10),
        cells.assign(industry=second, program="basic", trained=6, certified=5)],
        ignore_index=True)
    tg.io.write_table(data.surveys, tmp_path / "surveys.csv")
    tg.io.write_table(training, tmp_path / "training.csv")
    pd.DataFrame({"program": ["welding", "welding", "basic"],
                  "industry": [first, second, second],
                  "share": [0.6, 0.4, 1.0]}).to_csv(tmp_path / "crosswalk.csv", index=False)
    config = Config.from_dict({
        "data": {"surveys": "surveys.csv", "training": "training.csv", "freq": "Q",
                 "keys": ["region", "industry"]},
        "panel": {"lead_time": 0}, "plan": {"crosswalk": "crosswalk.csv"}}, base=tmp_path)
    panel = run(config, steps=("features",)).panel
    supply = panel.groupby(panel["industry"].astype(str))["supply"].agg(["min", "max"])
    assert supply.loc[first].tolist() == pytest.approx([6.0, 6.0])   # 10 x 0.6
    assert supply.loc[second].tolist() == pytest.approx([9.0, 9.0])  # 10 x 0.4 + 5


CROSSWALK = pd.DataFrame({"program": ["welding", "welding"],
                          "industry": ["construction", "equipment"], "share": [0.6, 0.4]})


def test_programmes_the_crosswalk_does_not_name_keep_their_industry():
    training = pd.DataFrame({"program": ["welding", "sewing", "sewing"],
                             "industry": ["construction", "textiles", "textiles"]})
    out = past_supply_crosswalk(CROSSWALK, training, "cw.csv")
    assert out.values.tolist() == [["welding", "construction", 0.6],
                                   ["welding", "equipment", 0.4], ["sewing", "textiles", 1.0]]
    # a crosswalk of new programmes only leaves past supply alone
    assert past_supply_crosswalk(CROSSWALK, training.iloc[1:], "cw.csv") is None


def test_an_unnamed_programme_under_two_industries_is_refused():
    training = pd.DataFrame({"program": ["welding", "basic", "basic"],
                             "industry": ["construction", "textiles", "equipment"]})
    with pytest.raises(ConfigError, match=r"cw.csv.*'basic' under \['equipment', "
                                          r"'textiles'\]; give them rows in the crosswalk"):
        past_supply_crosswalk(CROSSWALK, training, "cw.csv")
