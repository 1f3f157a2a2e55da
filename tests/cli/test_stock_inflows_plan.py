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
from _constant_cohorts import INPUTS_CONFIG, by_quarter, write_constant_cohorts

from talentgap.cli.main import main

LEVELS = ("none", "ordinary", "technician")
WORKERS = {"none": 3000, "ordinary": 700, "technician": 300}
CERTIFIED = {"ordinary": 30, "technician": 10}
# the stocks from 2021Q4 by quarter at 10% a year: 40 (10) certified join each quarter
SKILLED, _ = by_quarter(1000.0, 40.0, 0.1, 2)
HIGH, _ = by_quarter(300.0, 10.0, 0.1, 2)

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
    # 40 certified a quarter, of which 10 technicians; from the 2021Q4 stock, by quarter:
    # K = 0.9 ** (1 / 4) * K + 40 (1000 -> 1053.9 -> 1102.3), H likewise with 10
    # (300 -> 308.5 -> 316.1; without the technicians' inflow: 270 -> 243)
    assert SKILLED[0] == pytest.approx(0.9 * 1000 + 40 * sum(0.9 ** (q / 4) for q in range(4)))
    for year, skilled, high in zip((2022, 2023), SKILLED, HIGH, strict=True):
        rows = need[need["period"] == year]
        assert len(rows) == 4
        np.testing.assert_allclose(rows["projected_stock"], skilled, rtol=1e-9)
        np.testing.assert_allclose(rows["projected_stock_high_skilled"], high, rtol=1e-9)


def test_policy_need_counts_the_high_skilled_inflow(fixed):
    need, _ = fixed
    by_year = need.groupby(["region", "period"])[
        ["employment", "projected_stock", "projected_stock_high_skilled",
         "policy_need_skilled", "policy_need_high_skilled"]].sum()
    # paths from the 2021 shares (0.25 skilled, 0.30 high-skilled) to 0.30 / 0.35 in 2023
    s = {2022: 0.275, 2023: 0.30}
    h = {2022: 0.325, 2023: 0.35}
    for (_, year), row in by_year.iterrows():
        skilled_need = max(0.0, s[year] * row["employment"] - row["projected_stock"])
        assert row["policy_need_skilled"] == pytest.approx(skilled_need, rel=1e-9)
        high_need = max(0.0, h[year] * (row["projected_stock"] + skilled_need)
                        - row["projected_stock_high_skilled"])
        assert row["policy_need_high_skilled"] == pytest.approx(high_need, rel=1e-9)
    # employment stays at 2 x 4,000 per region, so the skilled stock plus its need is
    # 0.30 * 8,000 = 2,400 in 2023: the high-skilled need is 0.35 * 2,400 - 2 H = 207.8
    # persons per region, not the 354 of exits alone
    assert 2 * SKILLED[1] < 0.30 * 8000
    assert by_year.loc[(slice(None), 2023), "policy_need_high_skilled"].tolist() == \
        pytest.approx([0.35 * 2400 - 2 * HIGH[1]] * 2, rel=1e-9)


def test_target_path_shares_without_the_plan(fixed):
    _, path = fixed
    high = path[(path["skill_level"] == "high_skilled")].dropna(subset=["share_without_plan"])
    expected = {2022: HIGH[0] / SKILLED[0], 2023: HIGH[1] / SKILLED[1]}
    assert sorted(set(high["period"])) == [2022, 2023]
    for year, share in expected.items():
        np.testing.assert_allclose(high.loc[high["period"] == year, "share_without_plan"],
                                   share, rtol=1e-9)


def test_estimated_exit_rates_are_per_stock(folder):
    need, path = _run(folder, '"estimate"')
    # per quarter 40 of 1,000 skilled and 10 of 300 high-skilled workers are replaced:
    # exit rates 1 - 0.96 ** 4 and 1 - (1 - 1 / 30) ** 4 a year; run by quarter, as they
    # are estimated, the stocks stay where they are and a year's exits are its inflow
    e_k, e_h = 1 - 0.96 ** 4, 1 - (1 - 1 / 30) ** 4
    skilled, _ = by_quarter(1000.0, 40.0, e_k, 1)
    high, high_exits = by_quarter(300.0, 10.0, e_h, 1)
    assert skilled[0] == pytest.approx(1000.0) and high_exits[0] == pytest.approx(40.0)
    first = need[need["period"] == 2022]
    np.testing.assert_allclose(first["projected_stock"], skilled[0], rtol=1e-9)
    np.testing.assert_allclose(first["projected_stock_high_skilled"], high[0], rtol=1e-9)
    np.testing.assert_allclose(first["replacement_demand_high_skilled"], high_exits[0],
                               rtol=1e-9)
    # the observed high-skilled share (0.30) carries on instead of falling
    high = path[(path["skill_level"] == "high_skilled") & (path["period"] == 2022)]
    assert high["share_without_plan"].between(0.29, 0.31).all()
