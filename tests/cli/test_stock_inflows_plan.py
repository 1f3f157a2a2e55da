"""`talentgap plan` over years: training by level feeds the projected skilled stocks.

Every cell trains the same cohorts each quarter (30 certified at the ordinary
level, 10 at the high-skilled technician level) and keeps the same workforce
(3,000 without a certificate, 700 ordinary, 300 technicians), so the naive
supply forecast is exactly 40 a quarter and every figure can be worked out by
hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _constant_cohorts import INPUTS_CONFIG, write_constant_cohorts

from talentgap.cli.main import main

LEVELS = ("none", "ordinary", "technician")
WORKERS = {"none": 3000, "ordinary": 700, "technician": 300}
CERTIFIED = {"ordinary": 30, "technician": 10}

CONFIG = INPUTS_CONFIG + """
[plan]
years = [2022]
budget = 1e5
cost_per_trainee = 1000
pass_rate = 0.8
lead_time = 1
exit_rate = {exit_rate}

[targets]
skilled_share = 0.3
high_skilled_share = 0.35
target_year = 2023
"""


def _run(folder, exit_rate: str):
    (folder / "plan.toml").write_text(CONFIG.format(exit_rate=exit_rate), encoding="utf-8")
    out = folder / f"out_{len(exit_rate)}"
    code = main(["plan", "--config", str(folder / "plan.toml"), "--out", str(out),
                 "--no-charts", "--no-report"])
    assert code == 0
    return pd.read_csv(out / "policy_need.csv"), pd.read_csv(out / "target_path.csv")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stock_inflows")
    write_constant_cohorts(folder, WORKERS, CERTIFIED)
    return folder


@pytest.fixture(scope="module")
def fixed(folder):
    """The command with a fixed exit rate of 10% a year."""
    return _run(folder, "0.1")


def test_both_stocks_take_their_levels_inflow_hand_computed(fixed):
    need, _ = fixed
    # 40 certified a quarter, 160 a year, of which 40 technicians; from the 2021 stock:
    # K = 0.9 * 1000 + 160 = 1060 -> 0.9 * 1060 + 160 = 1114
    # H = 0.9 * 300 + 40 = 310 -> 0.9 * 310 + 40 = 319 (without the fix: 270 -> 243)
    for year, skilled, high in ((2022, 1060.0, 310.0), (2023, 1114.0, 319.0)):
        rows = need[need["period"] == year]
        assert len(rows) == 4
        np.testing.assert_allclose(rows["projected_stock"], skilled, rtol=1e-9)
        np.testing.assert_allclose(rows["projected_stock_high_skilled"], high, rtol=1e-9)


def test_policy_need_counts_the_high_skilled_inflow(fixed):
    need, _ = fixed
    by_year = need.groupby(["region", "period"])[
        ["employment", "projected_stock", "projected_stock_high_skilled", "policy_need",
         "policy_need_high_skilled"]].sum()
    # paths from the 2021 shares (0.25 skilled, 0.30 high-skilled) to 0.30 / 0.35 in 2023
    s = {2022: 0.275, 2023: 0.30}
    h = {2022: 0.325, 2023: 0.35}
    for (_, year), row in by_year.iterrows():
        skilled_need = max(0.0, s[year] * row["employment"] - row["projected_stock"])
        assert row["policy_need"] == pytest.approx(skilled_need, rel=1e-9)
        high_need = max(0.0, h[year] * (row["projected_stock"] + skilled_need)
                        - row["projected_stock_high_skilled"])
        assert row["policy_need_high_skilled"] == pytest.approx(high_need, rel=1e-9)
    # employment stays at 2 x 4,000 per region: the high-skilled need in 2023 is
    # 0.35 * (2,228 + 172) - 638 = 202 persons per region, not the 354 of exits alone
    assert by_year.loc[(slice(None), 2023), "policy_need_high_skilled"].tolist() == \
        pytest.approx([202.0, 202.0], rel=1e-3)


def test_target_path_shares_without_the_plan(fixed):
    _, path = fixed
    high = path[(path["skill_level"] == "high_skilled")].dropna(subset=["share_without_plan"])
    expected = {2022: 310 / 1060, 2023: 319 / 1114}
    assert sorted(set(high["period"])) == [2022, 2023]
    for year, share in expected.items():
        np.testing.assert_allclose(high.loc[high["period"] == year, "share_without_plan"],
                                   share, rtol=1e-9)


def test_estimated_exit_rates_are_per_stock(folder):
    need, path = _run(folder, '"estimate"')
    # per quarter 40 of 1,000 skilled and 10 of 300 high-skilled workers are replaced:
    # exit rates 1 - 0.96 ** 4 and 1 - (1 - 1 / 30) ** 4 a year
    e_k, e_h = 1 - 0.96 ** 4, 1 - (1 - 1 / 30) ** 4
    first = need[need["period"] == 2022]
    np.testing.assert_allclose(first["projected_stock"], (1 - e_k) * 1000 + 160, rtol=1e-9)
    np.testing.assert_allclose(first["projected_stock_high_skilled"], (1 - e_h) * 300 + 40,
                               rtol=1e-9)
    np.testing.assert_allclose(first["replacement_demand_high_skilled"], e_h * 300, rtol=1e-9)
    # the observed high-skilled share (0.30) carries on instead of falling
    high = path[(path["skill_level"] == "high_skilled") & (path["period"] == 2022)]
    assert high["share_without_plan"].between(0.29, 0.31).all()
