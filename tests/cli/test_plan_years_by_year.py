"""``talentgap plan`` over funding years with costs and capacities per year (CSV + ``period``)."""

from __future__ import annotations

import pandas as pd
import pytest
from _synthetic_inputs import write_synthetic_inputs

from talentgap.cli import main

YEARS = (2023, 2024)  # the synthetic data end in 2022Q4
INDUSTRIES = ["construction_engineering", "electromechanical_technology", "textiles"]


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """Places cost more in 2024 and textiles can train 2 places in 2023, 6 in 2024."""
    folder = tmp_path_factory.mktemp("by_year")
    pd.DataFrame({"industry": INDUSTRIES * 2, "period": [2023] * 3 + [2024] * 3,
                  "cost_per_trainee": [1000.0, 1200.0, 800.0, 1100.0, 1300.0, 900.0]}
                 ).to_csv(folder / "costs.csv", index=False)
    pd.DataFrame({"industry": INDUSTRIES * 2, "period": [2023] * 3 + [2024] * 3,
                  "capacity": [1e9, 1e9, 2.0, 1e9, 1e9, 6.0]}
                 ).to_csv(folder / "capacity.csv", index=False)
    config = folder / "plan.toml"
    config.write_text('[plan]\ncost_per_trainee = "costs.csv"\ncapacity = "capacity.csv"\n'
                      f"pass_rate = 0.8\nyears = {list(YEARS)}\n"
                      "budget = { 2023 = 30000, 2024 = 30000 }\n", encoding="utf-8")
    out = folder / "out"
    code = main(["plan", "--config", str(config), *write_synthetic_inputs(folder),
                 "--out", str(out)])
    return code, out


def test_costs_and_capacities_by_year_reach_the_plan(planned):
    code, out = planned
    assert code == 0
    quotas = pd.read_csv(out / "quotas.csv")
    assert len(quotas) == 3 * 3 * len(YEARS)
    expected = {(industry, year): cost for industry, costs in
                zip(INDUSTRIES, [(1000, 1100), (1200, 1300), (800, 900)], strict=True)
                for year, cost in zip(YEARS, costs, strict=True)}
    got = quotas.set_index(["industry", "period"])["cost_per_trainee"]
    for (industry, year), cost in expected.items():
        assert (got.loc[(industry, year)] == cost).all()
    assert (quotas["cost"] == quotas["quota"] * quotas["cost_per_trainee"]).all()
    textiles = quotas[quotas["industry"] == "textiles"].set_index(["region", "period"])
    assert (textiles.xs(2023, level="period")["quota"] <= 2).all()
    assert (textiles.xs(2024, level="period")["quota"] <= 6).all()
    assert set(textiles["capacity"]) == {2.0, 6.0}
    assert textiles["quota"].max() == 6                # a year's capacity binds
    spent = quotas.groupby("period")["cost"].sum()
    assert (spent <= 30_000 * (1 + 1e-9)).all()
