"""``talentgap plan`` with ``[plan] capacity_groups`` giving ``min_places``, and a coarse minimum.

A minimum "per trade" is a group minimum (the trade's places over all regions), not a
``min_quota`` keyed by ``industry``, which applies to every region's cell of the trade.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from _synthetic_inputs import write_synthetic_inputs

from talentgap.cli import main

YEARS = (2023, 2024)  # the synthetic data end in 2022Q4


def _config(folder: Path, extra: str) -> Path:
    path = folder / "plan.toml"
    path.write_text("[plan]\ncost_per_trainee = 1000\npass_rate = 0.8\n"
                    f"years = {list(YEARS)}\nbudget = {{ 2023 = 100000, 2024 = 100000 }}\n"
                    + extra, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def setting(tmp_path_factory):
    folder = tmp_path_factory.mktemp("group_minimum")
    flags = write_synthetic_inputs(folder)
    free = folder / "free"
    assert main(["plan", "--config", str(_config(folder, "")), *flags, "--out", str(free)]) == 0
    quotas = pd.read_csv(free / "quotas.csv")
    per_trade = quotas.groupby(["industry", "period"])["quota"].sum()
    trade = per_trade.groupby("industry").max().idxmin()   # the trade the plan funds least
    return folder, flags, trade, float(per_trade[trade].max()), quotas["region"].nunique()


def test_a_group_minimum_is_met_by_the_trade_as_a_whole(setting):
    folder, flags, trade, most, _ = setting
    pd.DataFrame({"group": ["trade"], "industry": [trade], "capacity": [1e6],
                  "min_places": [most + 12]}).to_csv(folder / "groups.csv", index=False)
    out = folder / "grouped"
    assert main(["plan", "--config", str(_config(folder, 'capacity_groups = "groups.csv"\n')),
                 *flags, "--out", str(out)]) == 0
    quotas = pd.read_csv(out / "quotas.csv")
    per_year = quotas[quotas["industry"] == trade].groupby("period")["quota"].sum()
    assert (per_year >= most + 12).all()
    assert (quotas.groupby("period")["cost"].sum() <= 100_000 + 1e-6).all()
    binding = pd.read_csv(out / "plan_binding.csv")
    assert binding.astype(str).apply(lambda c: c.str.contains("minimum places of trade")).any(
        axis=None)


def test_a_minimum_keyed_by_trade_only_is_said_and_warned(setting, capsys):
    folder, flags, trade, _, n_regions = setting
    trades = sorted(pd.read_csv(folder / "free" / "quotas.csv")["industry"].unique())
    pd.DataFrame({"industry": trades, "min_quota": [30 * (t == trade) for t in trades]}
                 ).to_csv(folder / "min.csv", index=False)
    out = folder / "coarse"
    assert main(["plan", "--config", str(_config(folder, 'min_quota = "min.csv"\n')), *flags,
                 "--out", str(out)]) == 0
    # 30 in each region's cell of the trade: 30 x regions places a year at 1,000 each
    assert n_regions * 30 * 1000 > 0.25 * 100_000
    text = capsys.readouterr().err
    assert (f"min.csv is keyed by industry, not by every cell key (region, industry): each of "
            f"its {len(trades)} rows applies to every cell it matches, "
            f"{n_regions * len(trades)} cells in all, in each of the 2 funding years") in text
    assert f"force {2 * n_regions * 30} places in all, {n_regions * 30} in 2023" in text
    assert "capacity_groups with a min_places column" in text
