"""``talentgap plan`` over funding years with training programmes ([plan] crosswalk + years)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from _synthetic_inputs import write_synthetic_inputs

from talentgap.cli import main
from talentgap.cli.config import load_config
from talentgap.errors import ConfigError

YEARS = (2023, 2024)  # the synthetic data end in 2022Q4
BUDGET = {2023: 30_000.0, 2024: 30_000.0}


def _programme_files(folder: Path) -> None:
    """Two programmes over two industries, with costs and capacities per programme."""
    pd.DataFrame({"program": ["welding", "welding", "sewing"],
                  "industry": ["construction_engineering", "textiles", "textiles"],
                  "share": [0.7, 0.3, 1.0]}).to_csv(folder / "crosswalk.csv", index=False)
    pd.DataFrame({"program": ["welding", "sewing"], "cost_per_trainee": [1500.0, 2000.0]}
                 ).to_csv(folder / "costs.csv", index=False)
    pd.DataFrame({"program": ["welding", "sewing"], "capacity": [40.0, 8.0]}
                 ).to_csv(folder / "capacity.csv", index=False)


def _config(folder: Path, extra: str = "", name: str = "plan.toml") -> Path:
    budget = ", ".join(f"{year} = {money:g}" for year, money in BUDGET.items())
    path = folder / name
    path.write_text('[plan]\ncrosswalk = "crosswalk.csv"\ncost_per_trainee = "costs.csv"\n'
                    'capacity = "capacity.csv"\npass_rate = 0.8\n'
                    f"years = {list(YEARS)}\nbudget = {{ {budget} }}\n" + extra,
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("programmes")
    _programme_files(folder)
    return folder


@pytest.fixture(scope="module")
def planned(folder):
    """``talentgap plan`` with a crosswalk over two funding years, once."""
    out = folder / "out"
    code = main(["plan", "--config", str(_config(folder)), *write_synthetic_inputs(folder),
                 "--out", str(out)])
    return code, out


def test_plan_exits_cleanly(planned):
    code, _ = planned
    assert code == 0


def test_one_row_per_programme_region_and_year_with_whole_places(planned):
    _, out = planned
    quotas = pd.read_csv(out / "quotas.csv")
    assert len(quotas) == 2 * 3 * len(YEARS)
    assert not quotas.duplicated(["program", "region", "period"]).any()
    assert set(quotas["program"]) == {"welding", "sewing"}
    assert set(quotas["period"]) == set(YEARS)
    assert (quotas["quota"] == quotas["quota"].round()).all()
    assert (quotas["quota"] >= 0).all()
    assert quotas["quota"].sum() > 0
    # the capacity CSV keyed by programme holds in every region and year
    sewing = quotas[quotas["program"] == "sewing"]
    assert (sewing["quota"] <= 8).all()
    assert (sewing["cost_per_trainee"] == 2000).all()


def test_each_year_stays_within_its_budget(planned):
    _, out = planned
    quotas = pd.read_csv(out / "quotas.csv")
    spent = quotas.groupby("period")["cost"].sum()
    for year, money in BUDGET.items():
        assert spent[year] <= money * (1 + 1e-9)
    years = pd.read_csv(out / "plan_years.csv")
    funded = years[years["period"].isin(YEARS)]
    assert (funded["cost"] <= funded["budget"] * (1 + 1e-9)).all()


def test_places_per_year_table_matches_the_quotas(planned):
    _, out = planned
    quotas = pd.read_csv(out / "quotas.csv")
    wide = pd.read_csv(out / "plan_places.csv")
    assert list(wide.columns) == ["program", "region", *map(str, YEARS), "total"]
    long = quotas.pivot_table(index=["program", "region"], columns="period", values="quota")
    wide = wide.set_index(["program", "region"]).loc[long.index]
    for year in YEARS:
        assert (wide[str(year)].to_numpy() == long[year].to_numpy()).all()
    assert wide["total"].sum() == quotas["quota"].sum()
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert {"quotas", "plan_places", "plan_years"} <= set(sheets)
    assert sheets["plan_places"]["total"].sum() == quotas["quota"].sum()


def test_report_names_the_programmes(planned):
    _, out = planned
    html = (out / "report.html").read_text(encoding="utf-8")
    quotas = pd.read_csv(out / "quotas.csv")
    funded = sorted(quotas.loc[quotas["quota"] > 0, "program"].unique())
    assert "Places per training programme in each region and funding year" in html
    assert "Places per programme and region" in html
    assert f"Places go to {len(funded)} training programme" in html
    for name in funded:
        assert name in html


def test_capacity_groups_may_name_programmes(folder, planned, tmp_path):
    free = pd.read_csv(planned[1] / "quotas.csv")
    assert free.loc[free["program"] == "welding"].groupby("period")["quota"].sum().max() > 3
    pd.DataFrame({"group": ["workshop"], "program": ["welding"], "capacity": [3.0]}
                 ).to_csv(folder / "groups.csv", index=False)
    out = tmp_path / "out"
    config = _config(folder, 'capacity_groups = "groups.csv"\n', "groups.toml")
    assert main(["plan", "--config", str(config), *write_synthetic_inputs(tmp_path),
                 "--out", str(out)]) == 0
    quotas = pd.read_csv(out / "quotas.csv")
    welding = quotas[quotas["program"] == "welding"].groupby("period")["quota"].sum()
    assert (welding <= 3).all()


def test_crosswalk_with_years_is_accepted_but_period_is_not(folder):
    config = load_config(_config(folder))
    assert config.plan.crosswalk is not None and config.plan.years == YEARS
    with pytest.raises(ConfigError, match=r"\[plan\] period cannot be combined with \[plan\] "
                                          "years"):
        load_config(_config(folder, 'period = "2023"\n', "period.toml"))
