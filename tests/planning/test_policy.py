"""Tests of talentgap.planning.policy: targets as data and the policy need per cell-year."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning, ParameterError, PlanningError
from talentgap.planning import policy_need, project_employment, project_skilled_stock

YEARS = ["2025", "2026", "2027", "2028", "2029", "2030"]


@pytest.fixture
def observed() -> pd.DataFrame:
    """North: skilled 25% of employment, high-skilled 30% of skilled; South: 20%, 20%."""
    rows = pd.DataFrame({
        "region": ["North", "North", "South"],
        "industry": ["textiles", "robots", "textiles"],
        "employment": [600, 400, 500],
        "skilled": [150, 100, 100],
        "high_skilled": [40, 35, 20],
    })
    return pd.concat([rows.assign(period="2023"), rows.assign(period="2024")],
                     ignore_index=True)


@pytest.fixture
def employment(observed) -> pd.DataFrame:
    """Employment held at its 2024 level in every projected year."""
    last = observed[observed["period"] == "2024"].drop(columns=["skilled", "high_skilled"])
    return pd.concat([last.assign(period=y) for y in YEARS], ignore_index=True).assign(
        employment=lambda d: d["employment"].astype(float))


@pytest.fixture
def stock(observed) -> pd.DataFrame:
    """No exits, no pipeline: the 2024 stock in every year."""
    return project_skilled_stock(observed, horizon=len(YEARS), exit_rate=0.0)


def _targets(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def _at(need: pd.DataFrame, region: str, industry: str, year: str) -> pd.Series:
    rows = need[(need["region"] == region) & (need["industry"] == industry)
                & (need["period"].astype(str) == year)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_linear_path_to_the_target_year_then_flat(employment, stock, observed):
    targets = _targets(region=["North"], skill_level=["skilled"], share=[0.30],
                       target_year=[2029])
    need = policy_need(employment, stock, targets, observed=observed)
    assert list(need.columns) == ["region", "industry", "period", "employment", "target_share",
                                  "target_stock", "projected_stock", "replacement_demand",
                                  "policy_need"]
    assert set(need["region"]) == {"North"}          # South has no target: no rows
    path = need[need["industry"] == "robots"]["target_share"].tolist()
    # from 0.25 observed in 2024 to 0.30 in 2029, flat in 2030
    assert path == pytest.approx([0.26, 0.27, 0.28, 0.29, 0.30, 0.30])
    first = _at(need, "North", "textiles", "2025")
    assert first["target_stock"] == pytest.approx(0.26 * 600)
    assert first["projected_stock"] == pytest.approx(150.0)
    # region need 0.26 * 1000 - 250 = 10, shared 600:400 by employment
    assert first["policy_need"] == pytest.approx(6.0)
    assert _at(need, "North", "robots", "2025")["policy_need"] == pytest.approx(4.0)
    assert isinstance(need["period"].dtype, pd.PeriodDtype)


def test_need_shared_by_employment_sums_to_the_region_need(observed):
    employment = pd.DataFrame({
        "region": ["North", "North", "South"] * 2,
        "industry": ["textiles", "robots", "textiles"] * 2,
        "period": ["2025"] * 3 + ["2026"] * 3,
        "employment": [700.0, 500.0, 520.0, 650.0, 600.0, 540.0],
    })
    stock = project_skilled_stock(observed, horizon=2, exit_rate=0.05)
    targets = _targets(region=["*"], skill_level=["skilled"], share=[0.30], target_year=[2025])
    need = policy_need(employment, stock, targets, observed=observed)
    region = need.groupby(["region", need["period"].astype(str)], observed=True)[
        ["target_stock", "projected_stock", "policy_need"]].sum()
    expected = np.maximum(region["target_stock"] - region["projected_stock"], 0.0)
    assert np.allclose(region["policy_need"], expected)
    assert (region["policy_need"] > 0).all()
    # within a region the need follows employment: 700 : 500 in North 2025
    north = need[(need["region"] == "North") & (need["period"].astype(str) == "2025")]
    shares = north.set_index("industry")["policy_need"]
    assert shares["textiles"] / shares["robots"] == pytest.approx(700 / 500)
    # exits raise the need: replacement demand is 5% of the previous year's stock
    assert _at(need, "North", "textiles", "2025")["replacement_demand"] == pytest.approx(7.5)


def test_need_shared_by_demand(employment, stock, observed):
    targets = _targets(region=["North"], skill_level=["skilled"], share=[0.30],
                       target_year=[2025])
    demand = pd.DataFrame({"region": ["North", "North", "South"],
                           "industry": ["textiles", "robots", "textiles"],
                           "demand": [10.0, 30.0, 5.0]})
    need = policy_need(employment, stock, targets, observed=observed, share_by="demand",
                       demand=demand)
    # region need 0.30 * 1000 - 250 = 50, shared 10 : 30
    assert _at(need, "North", "textiles", "2025")["policy_need"] == pytest.approx(12.5)
    assert _at(need, "North", "robots", "2025")["policy_need"] == pytest.approx(37.5)
    with pytest.warns(DataQualityWarning, match="no demand; their need is shared by employment"):
        fallback = policy_need(employment, stock, targets, observed=observed,
                               share_by="demand", demand=demand.assign(demand=0.0))
    assert _at(fallback, "North", "robots", "2025")["policy_need"] == pytest.approx(20.0)
    with pytest.raises(PlanningError, match="demand table has no row .*robots in North"):
        policy_need(employment, stock, targets, observed=observed, share_by="demand",
                    demand=demand.iloc[[0, 2]])
    with pytest.raises(ParameterError, match="needs demand="):
        policy_need(employment, stock, targets, observed=observed, share_by="demand")


def test_relative_high_skilled_target_plus_points(employment, stock, observed):
    targets = _targets(region=["North", "North"], skill_level=["skilled", "high_skilled"],
                       share=[0.30, np.nan], delta_points=[np.nan, 2.5],
                       target_year=[2025, 2027])
    need = policy_need(employment, stock, targets, observed=observed)
    robots = need[need["industry"] == "robots"]
    # base: 75 of 250 skilled are high-skilled (0.30); +2.5 points by 2027
    assert robots["target_share_high_skilled"].tolist()[:3] == pytest.approx(
        [0.30 + 0.025 / 3, 0.30 + 0.05 / 3, 0.325])
    first = need[need["period"].astype(str) == "2027"]
    # h * (K + need) - H over the region: 0.325 * (250 + 50) - 75 = 22.5
    assert first["policy_need_high_skilled"].sum() == pytest.approx(22.5)
    assert first["target_stock_high_skilled"].sum() == pytest.approx(0.325 * 300)
    assert first["projected_stock_high_skilled"].sum() == pytest.approx(75.0)


def test_given_path_points_and_quarterly_periods(observed):
    quarters = [f"2025Q{q}" for q in range(1, 5)] + [f"2026Q{q}" for q in range(1, 5)]
    last = observed[observed["period"] == "2024"]
    employment = pd.concat([last.assign(period=q) for q in quarters], ignore_index=True)
    stock = project_skilled_stock(observed.assign(period=observed["period"] + "Q4"),
                                  horizon=8, exit_rate=0.0)
    targets = _targets(region=["South"], skill_level=["skilled"], share=[0.30],
                       target_year=[2026])
    need = policy_need(employment, stock, targets, observed=observed)
    # from 0.20 at 2024 (its last quarter) to 0.30 at 2026Q4, linear per quarter
    assert need["target_share"].tolist() == pytest.approx(
        [0.20 + 0.10 * k / 8 for k in range(1, 9)])
    path = pd.DataFrame({"region": ["South"], "skill_level": ["skilled"], "period": ["2025"],
                         "share": [0.28]})
    bent = policy_need(employment, stock, targets, observed=observed, path=path)
    # through 0.28 at 2025Q4, then on to 0.30 at 2026Q4
    assert bent["target_share"].tolist() == pytest.approx(
        [0.22, 0.24, 0.26, 0.28, 0.285, 0.29, 0.295, 0.30])


def test_province_targets_share_the_province_need(employment, stock, observed):
    provinces = {"North": "East", "South": "East"}
    targets = _targets(province=["East"], skill_level=["skilled"], share=[0.30],
                       target_year=[2025])
    need = policy_need(employment, stock, targets, observed=observed, region_map=provinces)
    assert "province" in need.columns
    year = need[need["period"].astype(str) == "2025"]
    # province: 0.30 * 1500 - 350 = 100, shared 600 : 400 : 500
    assert year["policy_need"].sum() == pytest.approx(100.0)
    assert _at(need, "South", "textiles", "2025")["policy_need"] == pytest.approx(100 / 3)
    with pytest.raises(PlanningError, match="region_map has no province for 1 region .*'South'"):
        policy_need(employment, stock, targets, observed=observed,
                    region_map={"North": "East"})


@pytest.mark.parametrize(("change", "message"), [
    ({"region": ["Nort"]}, r"row 0 \(region 'Nort', skilled\): unknown region 'Nort' "
                           r"\(did you mean 'North'\?\)"),
    ({"target_year": [2022]}, r"row 0 .*target_year 2022 is before the base year 2024"),
    ({"share": [1.3]}, r"row 0 .*share 1.3 is outside \[0, 1\]"),
    ({"skill_level": ["skiled"]}, r"unknown skill_level 'skiled' \(did you mean 'skilled'\?\)"),
    ({"base_year": [2026]}, r"base_year 2026 is after the last observed year 2024"),
])
def test_bad_target_rows_name_the_row_and_rule(employment, stock, observed, change, message):
    targets = _targets(region=["North"], skill_level=["skilled"], share=[0.3],
                       target_year=[2028]).assign(**change)
    with pytest.raises(PlanningError, match=message):
        policy_need(employment, stock, targets, observed=observed)


def test_duplicate_and_incomplete_rows_are_all_reported(employment, stock, observed):
    targets = _targets(region=["North", "South", "North"],
                       skill_level=["skilled", "skilled", "skilled"],
                       share=[0.3, np.nan, 0.31], delta_points=[np.nan, np.nan, np.nan],
                       target_year=[2028, 2028, 2029])
    with pytest.raises(PlanningError, match=r"breaks 3 rules") as info:
        policy_need(employment, stock, targets, observed=observed)
    text = str(info.value)
    assert "row 0 (region 'North', skilled): duplicate target: rows 0, 2" in text
    assert "row 1 (region 'South', skilled): give exactly one of share" in text


def test_relative_target_without_a_base_share(employment, stock, observed):
    targets = _targets(region=["South"], skill_level=["skilled"], delta_points=[2.5],
                       target_year=[2028], base_year=[2022])
    with pytest.raises(PlanningError, match=r"row 0 \(region 'South', skilled\): a relative "
                                            r"target needs the base share.* 2022"):
        policy_need(employment, stock, targets, observed=observed)
    wild = _targets(region=["*"], skill_level=["skilled"], delta_points=[2.5],
                    target_year=[2028])
    thin = observed[~((observed["region"] == "South") & (observed["period"] == "2024"))]
    with pytest.raises(PlanningError, match=r"row 0 \(region '\*', skilled\): for region "
                                            r"'South': a relative target"):
        policy_need(employment, stock, wild, observed=thin)


def test_national_targets_on_synthetic_data():
    """30% skilled everywhere; high-skilled 35% of skilled in the east, +2.5 points elsewhere.

    The synthetic employment table has ``skilled`` and ``high_skilled`` columns
    (both below the targets), so no stand-in is needed.
    """
    data = tg.datasets.make_synthetic(n_regions=6, industries=3, n_periods=24, seed=3)
    regions = sorted(data.employment["region"].astype(str).unique())
    provinces = {r: ("East" if i < 3 else "West") for i, r in enumerate(regions)}
    employment = project_employment(data.employment, horizon=6, freq="Y", level=None,
                                    forecaster=tg.models.Drift())
    stock = project_skilled_stock(data.employment, horizon=6, freq="Y", exit_rate=0.03)
    targets = pd.DataFrame({
        "province": ["*", "East", "*"],
        "skill_level": ["skilled", "high_skilled", "high_skilled"],
        "share": [0.30, 0.35, np.nan],
        "delta_points": [np.nan, np.nan, 2.5],
        "target_year": [2030, 2030, 2030],
    })
    need = policy_need(employment, stock, targets, observed=data.employment,
                       region_map=provinces)
    assert len(need) == 6 * 3 * 6
    assert need["period"].astype(str).unique().tolist() == [str(y) for y in range(2025, 2031)]
    assert np.isfinite(need.select_dtypes("number").to_numpy()).all()
    assert (need["policy_need"] >= 0).all() and (need["policy_need_high_skilled"] >= 0).all()
    # skilled shares are about 0.25 today: the path climbs to 0.30 and needs grow
    totals = need.groupby(need["period"].astype(str))["policy_need"].sum()
    assert totals.is_monotonic_increasing and totals.iloc[-1] > 0
    year = need["period"].astype(str)
    path = need.groupby(["province", year])["target_share"].first()
    assert path.loc[("East", "2030")] == pytest.approx(0.30)
    assert (path.groupby(level=0).diff().dropna() > 0).all()
    high = need.groupby(["province", year])["target_share_high_skilled"].first()
    assert high.loc[("East", "2030")] == pytest.approx(0.35)
    # West: its observed high-skilled share at the end of 2024 plus 2.5 points
    base = data.employment[(data.employment["period"].astype(str) == "2024Q4")
                           & data.employment["region"].astype(str).map(provinces).eq("West")]
    west = base["high_skilled"].sum() / base["skilled"].sum()
    assert high.loc[("West", "2030")] == pytest.approx(west + 0.025)
    assert high.loc[("West", "2025")] == pytest.approx(west + 0.025 / 6)
    # each province's need equals its target stock minus its projected stock
    by = need.groupby(["province", need["period"].astype(str)])[
        ["target_stock", "projected_stock", "policy_need"]].sum()
    assert np.allclose(by["policy_need"],
                       np.maximum(by["target_stock"] - by["projected_stock"], 0.0))


def test_need_feeds_the_multi_year_plan(observed, employment, stock):
    targets = _targets(region=["*"], skill_level=["skilled"], share=[0.30], target_year=[2027])
    need = policy_need(employment, stock, targets, observed=observed)
    need = need[need["period"].astype(str) <= "2027"]
    market = need[["region", "industry", "period"]].assign(gap=0.0)
    plan = tg.planning.allocate_quotas(
        market, periods=["2024", "2025", "2026"], budget=1e6, cost_per_trainee=100,
        pass_rate=0.8, lead_time=1, exit_rate=0.0,
        policy_need=need[["region", "industry", "period", "policy_need"]])
    assert plan.summary["policy_shortfall_before"] == pytest.approx(need["policy_need"].sum())
    assert plan.summary["policy_shortfall_after"] == pytest.approx(0.0, abs=1e-6)
