"""Tests of talentgap.planning.targets: policy-target gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import PlanningError, SchemaError
from talentgap.planning import allocate_quotas, target_gap


@pytest.fixture
def employment() -> pd.DataFrame:
    """Region x industry employment forecast for two years."""
    return pd.DataFrame({
        "region": ["North", "North", "South", "North", "North", "South"],
        "industry": ["textiles", "robots", "textiles"] * 2,
        "period": ["2026", "2026", "2026", "2027", "2027", "2027"],
        "employment": [600.0, 400.0, 400.0, 700.0, 500.0, 380.0],
    })


@pytest.fixture
def skilled() -> pd.DataFrame:
    """Today's skilled and high-skilled stock per region x industry (no period)."""
    return pd.DataFrame({
        "region": ["North", "North", "South"],
        "industry": ["textiles", "robots", "textiles"],
        "skilled": [150, 100, 150],
        "high_skilled": [40, 50, 60],
    })


def test_skilled_share_target_by_region(employment, skilled):
    out = target_gap(employment, skilled, target_share=0.30)
    assert list(out.columns) == ["region", "period", "employment", "skilled", "target_skilled",
                                 "gap"]
    rows = {(r.region, str(r.period)): r for r in out.itertuples()}
    # North 2026: 0.3 * 1000 - 250 = 50; 2027: 0.3 * 1200 - 250 = 110 (stock held fixed)
    assert rows[("North", "2026")].gap == pytest.approx(50.0)
    assert rows[("North", "2027")].gap == pytest.approx(110.0)
    # South is above target: 0.3 * 400 = 120 < 150 -> no need (floored at 0)
    assert rows[("South", "2026")].gap == 0.0
    assert rows[("South", "2027")].target_skilled == pytest.approx(114.0)
    assert isinstance(out["period"].dtype, pd.PeriodDtype)


def test_high_skilled_share_of_the_skilled_after_the_target(employment, skilled):
    out = target_gap(employment, skilled, target_share=0.30, high_skilled_share=0.35)
    north = out[(out["region"] == "North") & (out["period"].astype(str) == "2026")].iloc[0]
    # 0.35 * (250 + 50) - 90 = 15
    assert north["target_high_skilled"] == pytest.approx(105.0)
    assert north["gap_high_skilled"] == pytest.approx(15.0)
    south = out[(out["region"] == "South") & (out["period"].astype(str) == "2026")].iloc[0]
    assert south["gap_high_skilled"] == 0.0   # 0.35 * 150 = 52.5 < 60


def test_by_region_and_industry_with_skilled_per_period(employment):
    skilled = pd.DataFrame({
        "region": ["North", "North", "South"] * 2,
        "industry": ["textiles", "robots", "textiles"] * 2,
        "period": ["2026"] * 3 + ["2027"] * 3,
        "skilled": [150, 100, 150, 200, 100, 150],
    })
    out = target_gap(employment, skilled, by=["region", "industry"])
    got = out.set_index(["region", "industry", out["period"].astype(str)])["gap"]
    assert got[("North", "textiles", "2027")] == pytest.approx(0.3 * 700 - 200)
    assert got[("North", "robots", "2026")] == pytest.approx(20.0)
    assert got[("South", "textiles", "2027")] == 0.0


def test_gap_table_feeds_the_allocator(employment, skilled):
    need = target_gap(employment, skilled)
    plan = allocate_quotas(need, keys=["region"], budget=10_000, cost_per_trainee=100,
                           pass_rate=0.8)
    assert plan.summary["period"] == "2027"
    assert plan.quotas["region"].tolist() == ["North", "South"]
    # North needs 110 certified: 137.5 places, budget buys 100 -> 80 certified
    assert plan.quotas["quota"].tolist() == [100, 0]
    assert plan.summary["shortfall_after"] == pytest.approx(30.0)


def test_errors_name_the_problem(employment, skilled):
    with pytest.raises(PlanningError, match=r"target_share must be a share in \(0, 1\]"):
        target_gap(employment, skilled, target_share=30)
    with pytest.raises(PlanningError, match="needs high-skilled counts"):
        target_gap(employment, skilled.drop(columns="high_skilled"), high_skilled_share=0.35)
    with pytest.raises(PlanningError, match="without high_skilled_share"):
        target_gap(employment, skilled, high_skilled=skilled)
    with pytest.raises(PlanningError,
                       match="the skilled table has no row for North at 2027; South at 2027"):
        target_gap(employment, skilled.assign(period="2026"))
    with pytest.raises(SchemaError, match="no column 'employment'"):
        target_gap(employment.rename(columns={"employment": "mean"}), skilled)
    with pytest.raises(SchemaError, match="finite number >= 0"):
        target_gap(employment.assign(employment=-1.0), skilled)
    with pytest.raises(PlanningError, match="by must be"):
        target_gap(employment, skilled, by=["period"])


def test_separate_high_skilled_table(employment, skilled):
    hs = pd.DataFrame({"region": ["North", "South"], "high_skilled": [np.float64(10), 0.0]})
    out = target_gap(employment, skilled.drop(columns="high_skilled"), high_skilled=hs,
                     high_skilled_share=0.5)
    first = out.iloc[0]
    assert first["gap_high_skilled"] == pytest.approx(0.5 * (250 + 50) - 10)
