"""`talentgap plan` over years with ``skill_level`` among the keys (the demo's cells).

Each region x industry trains 30 certified workers a quarter at the
``skilled`` level and 10 at the ``high_skilled`` level, and employs 3,000
unskilled, 700 skilled and 300 high-skilled workers every quarter: the
projected stocks, the policy need and its split over the levels can be worked
out by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _constant_cohorts import (
    LEVEL_KEYS_CONFIG,
    ONE_YEAR_TARGETS,
    by_quarter,
    write_constant_cohorts,
)

from talentgap.cli.main import main

WORKERS = {"unskilled": 3000, "skilled": 700, "high_skilled": 300}
CERTIFIED = {"skilled": 30, "high_skilled": 10}
# the stocks from 2021Q4 by quarter at 10% a year: 40 (10) certified join each quarter
SKILLED, _ = by_quarter(1000.0, 40.0, 0.1, 2)
HIGH, _ = by_quarter(300.0, 10.0, 0.1, 2)

CONFIG = LEVEL_KEYS_CONFIG + ONE_YEAR_TARGETS


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("level_cells")
    write_constant_cohorts(folder, WORKERS, CERTIFIED, detail=True)
    (folder / "plan.toml").write_text(CONFIG, encoding="utf-8")
    code = main(["plan", "--config", str(folder / "plan.toml"), "--out", str(folder / "out"),
                 "--no-charts", "--no-report"])
    assert code == 0
    return folder / "out"


def test_stocks_are_per_region_and_industry_with_both_levels_inflows(out):
    need = pd.read_csv(out / "policy_need.csv")
    assert "skill_level" not in need.columns and len(need) == 4 * 2
    # by quarter, K = 0.9 ** (1 / 4) * K + 40: 1000 -> 1053.9 -> 1102.3; H with 10 a
    # quarter: 300 -> 308.5 -> 316.1
    for year, skilled, high in zip((2022, 2023), SKILLED, HIGH, strict=True):
        rows = need[need["period"] == year]
        np.testing.assert_allclose(rows["projected_stock"], skilled, rtol=1e-9)
        np.testing.assert_allclose(rows["projected_stock_high_skilled"], high, rtol=1e-9)


def test_the_skilled_need_is_shared_over_the_levels_by_their_supply(out):
    need = pd.read_csv(out / "policy_need.csv").set_index(["region", "industry", "period"])
    cells = pd.read_csv(out / "plan_cells.csv")
    assert set(cells["skill_level"]) == {"skilled", "high_skilled"}
    split = cells.pivot_table(index=["region", "industry", "period"], columns="skill_level",
                              values="policy_need")
    split = split.loc[need.index]
    assert (need["policy_need_skilled"] > 0).any()
    # both levels train skilled workers, in the ratio of their supply forecast, 30 : 10
    np.testing.assert_allclose(split["skilled"], 0.75 * need["policy_need_skilled"], rtol=1e-9)
    np.testing.assert_allclose(split["high_skilled"], 0.25 * need["policy_need_skilled"],
                               rtol=1e-9)


def test_target_path_counts_the_plans_high_skilled_workers(out):
    path = pd.read_csv(out / "target_path.csv")
    path = path[path["region"] != "all regions"]  # the regions, not their sum
    need = pd.read_csv(out / "policy_need.csv")
    cells = pd.read_csv(out / "plan_cells.csv")
    stock = need.groupby(["region", "period"])[["projected_stock",
                                                "projected_stock_high_skilled"]].sum()
    workers = cells.pivot_table(index=["region", "period"], columns="skill_level",
                                values="workers", aggfunc="sum").reindex(stock.index)
    assert workers.to_numpy().sum() > 0
    expected = ((stock["projected_stock_high_skilled"] + workers["high_skilled"])
                / (stock["projected_stock"] + workers.sum(axis=1)))
    high = path[path["skill_level"] == "high_skilled"].dropna(subset=["share_with_plan"])
    got = high.set_index(["region", "period"])["share_with_plan"]
    np.testing.assert_allclose(got.sort_index(), expected.sort_index(), rtol=1e-9)
    without = high.set_index(["region", "period"])["share_without_plan"].sort_index()
    np.testing.assert_allclose(without.xs(2022, level="period"), 2 * HIGH[0] / (2 * SKILLED[0]),
                               rtol=1e-9)
