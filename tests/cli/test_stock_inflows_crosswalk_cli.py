"""`talentgap plan` with a crosswalk: the stocks take a programme's training as the supply does.

Every cell keeps the same workforce (3,000 without a certificate, 700
ordinary, 300 technicians). Each quarter a welding programme recorded under
the first industry certifies 30 ordinary workers and 10 technicians, and a
sewing programme recorded under the second certifies 20 ordinary workers.
The crosswalk sends half of the welders to each industry and does not name
sewing, which keeps its industry. By hand, a quarter brings the first
industry 20 skilled workers (5 technicians) and the second 40 (5
technicians): the supply of the panel and the inflows of both stocks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _constant_cohorts import INPUTS_CONFIG, by_quarter, write_constant_cohorts

import talentgap as tg
from talentgap.cli.main import main

WORKERS = {"none": 3000, "ordinary": 700, "technician": 300}

CONFIG = INPUTS_CONFIG + """
[plan]
years = [2022]
budget = 1e5
cost_per_trainee = 1000
pass_rate = 0.8
lead_time = 1
exit_rate = {exit_rate}
crosswalk = "crosswalk.csv"

[targets]
skilled_share = 0.3
high_skilled_share = 0.35
target_year = 2023
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stock_crosswalk")
    write_constant_cohorts(folder, WORKERS, {"ordinary": 1})
    employment = pd.read_csv(folder / "employment.csv")
    first, second = sorted(employment["industry"].unique())
    cells = employment[["period", "region", "industry"]].drop_duplicates()
    welding, sewing = cells[cells["industry"] == first], cells[cells["industry"] == second]
    training = pd.concat([
        welding.assign(program="welding", skill_level="ordinary", trained=35, certified=30),
        welding.assign(program="welding", skill_level="technician", trained=15, certified=10),
        sewing.assign(program="sewing", skill_level="ordinary", trained=25, certified=20)],
        ignore_index=True)
    tg.io.write_table(training, folder / "training.csv")
    pd.DataFrame({"program": ["welding", "welding"], "industry": [first, second],
                  "share": [0.5, 0.5]}).to_csv(folder / "crosswalk.csv", index=False)
    return folder


def _run(folder, exit_rate: str) -> pd.DataFrame:
    (folder / "plan.toml").write_text(CONFIG.format(exit_rate=exit_rate), encoding="utf-8")
    out = folder / f"out_{len(exit_rate)}"
    code = main(["plan", "--config", str(folder / "plan.toml"), "--out", str(out),
                 "--no-charts", "--no-report"])
    assert code == 0
    return pd.read_csv(out / "panel.csv"), pd.read_csv(out / "policy_need.csv")


def _first_year(need: pd.DataFrame, column: str) -> list[float]:
    """Per industry (sorted), the column's values in 2022 (the same in both regions)."""
    rows = need[need["period"] == 2022].sort_values(["industry", "region"])
    values = rows.groupby("industry")[column].agg(["min", "max"])
    np.testing.assert_allclose(values["min"], values["max"], rtol=1e-12)
    return values["min"].tolist()


def test_stock_inflows_follow_the_crosswalk_with_a_fixed_exit_rate(folder):
    panel, need = _run(folder, "0.1")
    supply = panel.dropna(subset=["supply"]).groupby("industry")["supply"].agg(["min", "max"])
    assert supply.to_numpy().tolist() == [pytest.approx([20.0, 20.0]),
                                          pytest.approx([40.0, 40.0])]
    # by quarter at 10% a year, K from 1,000 with 20 | 40 a quarter (975.8 | 1053.9) and H
    # from 300 with 5 a quarter in both industries (289.2; without the split, the second
    # industry's own sewing has no technician: 270)
    skilled = [by_quarter(1000.0, inflow, 0.1, 1)[0][0] for inflow in (20.0, 40.0)]
    high = by_quarter(300.0, 5.0, 0.1, 1)[0][0]
    assert _first_year(need, "projected_stock") == pytest.approx(skilled, rel=1e-9)
    assert _first_year(need, "projected_stock_high_skilled") == \
        pytest.approx([high, high], rel=1e-9)


def test_estimated_exit_rates_read_the_split_inflows(folder):
    _, need = _run(folder, '"estimate"')
    # constant stocks replace their inflows: 20 | 40 of 1,000 skilled and 5 of 300
    # high-skilled workers a quarter (recorded industries would give 40 | 20 and 10 | 0);
    # rates 1 - 0.98 ** 4 | 1 - 0.96 ** 4 and 1 - (1 - 5 / 300) ** 4 a year, run by
    # quarter as estimated, keep the stocks where they are
    skilled = [by_quarter(1000.0, inflow, 1 - (1 - inflow / 1000) ** 4, 1)[0][0]
               for inflow in (20.0, 40.0)]
    high = by_quarter(300.0, 5.0, 1 - (1 - 5 / 300) ** 4, 1)[0][0]
    assert skilled == pytest.approx([1000.0, 1000.0]) and high == pytest.approx(300.0)
    assert _first_year(need, "projected_stock") == pytest.approx(skilled, rel=1e-9)
    assert _first_year(need, "projected_stock_high_skilled") == \
        pytest.approx([high, high], rel=1e-9)
