"""Tests of talentgap.planning.workforce: employment and skilled-stock projections."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning, ParameterError, PlanningError, SchemaError
from talentgap.planning import estimate_exit_rate, project_employment, project_skilled_stock


@pytest.fixture
def stock() -> pd.DataFrame:
    """Two cells observed in 2023 and 2024."""
    return pd.DataFrame({
        "region": ["North", "North", "South", "South"],
        "industry": ["textiles", "textiles", "robots", "robots"],
        "period": ["2023", "2024", "2023", "2024"],
        "employment": [4000, 4000, 2000, 2000],
        "skilled": [990, 1000, 480, 500],
        "high_skilled": [190, 200, 90, 100],
    })


@pytest.fixture
def pipeline() -> pd.DataFrame:
    return pd.DataFrame({
        "region": ["North", "North", "South", "South", "South"],
        "industry": ["textiles", "textiles", "robots", "robots", "robots"],
        "period": ["2025", "2027", "2024", "2026", "2026"],   # 2024 is already in the stock
        "supply": [50, 30, 999, 60, 40],                     # two South rows in 2026 are summed
        "supply_high_skilled": [10, 0, 0, 0, 0],
    })


def _by(out: pd.DataFrame, region: str, level: str = "skilled") -> pd.DataFrame:
    rows = out[(out["region"] == region) & (out["skill_level"] == level)]
    return rows.set_index(rows["period"].astype(str))


def test_hand_computed_two_cells_three_years(stock, pipeline):
    out = project_skilled_stock(stock, horizon=3, exit_rate=0.10, pipeline=pipeline)
    assert list(out.columns) == ["region", "industry", "skill_level", "period", "stock",
                                 "pipeline", "replacement_demand"]
    assert len(out) == 2 * 2 * 3
    north = _by(out, "North")
    # K = 0.9 K_prev + pipeline: 900 + 50, 855 + 0, 769.5 + 30
    assert north["stock"].tolist() == pytest.approx([950.0, 855.0, 799.5])
    assert north["replacement_demand"].tolist() == pytest.approx([100.0, 95.0, 85.5])
    assert north["pipeline"].tolist() == [50.0, 0.0, 30.0]
    south = _by(out, "South")
    assert south["stock"].tolist() == pytest.approx([450.0, 505.0, 454.5])
    assert south["replacement_demand"].tolist() == pytest.approx([50.0, 45.0, 50.5])
    high = _by(out, "North", "high_skilled")
    assert high["stock"].tolist() == pytest.approx([190.0, 171.0, 153.9])
    assert isinstance(out["period"].dtype, pd.PeriodDtype)


def test_exit_rate_per_industry_and_quarterly_conversion():
    quarters = pd.DataFrame({"region": "North", "industry": ["textiles", "robots"],
                             "period": "2024Q4", "skilled": [1000, 1000]})
    rates = pd.DataFrame({"industry": ["textiles", "robots"], "exit_rate": [0.10, 0.0]})
    out = project_skilled_stock(quarters, horizon=4, exit_rate=rates)
    textiles = out[out["industry"] == "textiles"]
    # four quarters at 1 - 0.9 ** (1/4) lose exactly one year's 10%
    assert textiles["stock"].iloc[-1] == pytest.approx(900.0)
    assert textiles["replacement_demand"].sum() == pytest.approx(100.0)
    assert textiles["period"].astype(str).tolist() == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert (out.loc[out["industry"] == "robots", "stock"] == 1000.0).all()


def test_cell_observed_earlier_is_rolled_forward():
    table = pd.DataFrame({"region": ["A", "B"], "industry": "x", "period": ["2024", "2023"],
                          "skilled": [100, 100]})
    out = project_skilled_stock(table, keys=["region"], horizon=1, exit_rate=0.1)
    got = out.set_index("region")["stock"]
    assert got["A"] == pytest.approx(90.0)
    assert got["B"] == pytest.approx(81.0)      # 2024 and 2025 both projected
    assert out["period"].astype(str).tolist() == ["2025", "2025"]


def test_stock_projection_errors(stock, pipeline):
    with pytest.raises(PlanningError, match=r"exit_rate must be in \[0, 1\]"):
        project_skilled_stock(stock, horizon=2, exit_rate=1.5)
    rates = pd.DataFrame({"industry": ["textiles"], "exit_rate": [0.1]})
    with pytest.raises(PlanningError, match="no row for 1 cell .*robots in South"):
        project_skilled_stock(stock, horizon=2, exit_rate=rates)
    stray = pipeline.assign(region="West")
    with pytest.raises(PlanningError, match="pipeline table has 5 rows .*textiles in West"):
        project_skilled_stock(stock, horizon=2, pipeline=stray)
    with pytest.raises(SchemaError, match=r"one row per \(region, industry, period\)"):
        project_skilled_stock(pd.concat([stock, stock.iloc[:1]]), horizon=2)
    with pytest.raises(SchemaError, match=r"'skilled' .* >= 0.*row 1 \(textiles in North, 2024\)"):
        project_skilled_stock(stock.assign(skilled=[1, -1, 1, 1]), horizon=2)
    with pytest.raises(ParameterError, match="horizon"):
        project_skilled_stock(stock, horizon=0)


def test_project_employment_drift_is_hand_computable(stock):
    out = project_employment(stock, horizon=2, level=None, forecaster=tg.models.Drift())
    assert list(out.columns) == ["region", "industry", "period", "employment", "skilled",
                                 "high_skilled"]
    north = out[out["region"] == "North"]
    assert north["skilled"].tolist() == pytest.approx([1010.0, 1020.0])   # +10 a year
    south = out[out["region"] == "South"]
    assert south["high_skilled"].tolist() == pytest.approx([110.0, 120.0])
    assert (out["employment"] == np.repeat([4000.0, 2000.0], 2)).all()


def test_project_employment_synthetic_annual_with_intervals():
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=26, seed=1)
    # 2019Q1-2025Q2: forecast by quarter from 2025Q2, read at the ends of 2026-2028
    out = project_employment(data.employment, horizon=3, freq="Y", level=[80], n_jobs=1)
    assert len(out) == 4 * 3
    assert out["period"].astype(str).unique().tolist() == ["2026", "2027", "2028"]
    for column in ("employment", "skilled", "high_skilled"):
        assert out[column].notna().all()
        assert (out[f"{column}_lo_80"] <= out[column]).all()
        assert (out[column] <= out[f"{column}_hi_80"]).all()
        assert (out[f"{column}_lo_80"] >= 0).all()
    # the annual level is close to the last observed level (2025Q2)
    last = data.employment[data.employment["period"].astype(str) == "2025Q2"]
    level = last.groupby(["region", "industry"], observed=True)["employment"].sum()
    first = out[out["period"].astype(str) == "2026"].set_index(["region", "industry"])
    ratio = first["employment"] / level.reindex(first.index)
    assert ratio.between(0.8, 1.25).all()


def test_project_employment_quarterly_by_default_and_rejects_finer_freq(stock):
    quarters = stock.assign(period=["2024Q3", "2024Q4"] * 2)
    out = project_employment(quarters, horizon=2, level=None, forecaster=tg.models.Naive())
    assert out["period"].astype(str).tolist() == ["2025Q1", "2025Q2"] * 2
    with pytest.raises(ParameterError, match="coarser frequency"):
        project_employment(stock, horizon=2, freq="Q", forecaster=tg.models.Naive())


def _simulated(rate: float, periods: list[str], per_year: int) -> tuple[pd.DataFrame,
                                                                        pd.DataFrame]:
    """A stock that loses ``rate`` a year and gains known inflows."""
    per_period = 1 - (1 - rate) ** (1 / per_year)
    inflow = np.array([0.0] + [40.0 + 5 * i for i in range(len(periods) - 1)])
    level = [1000.0]
    for value in inflow[1:]:
        level.append(level[-1] * (1 - per_period) + value)
    stock = pd.DataFrame({"industry": "textiles", "period": periods, "skilled": level})
    inflows = pd.DataFrame({"industry": "textiles", "period": periods[1:],
                            "supply": inflow[1:]})
    return stock, inflows


def test_estimate_exit_rate_recovers_the_rate_and_feeds_the_projection():
    stock, inflows = _simulated(0.08, [str(y) for y in range(2018, 2025)], 1)
    rates = estimate_exit_rate(stock, inflows, keys=["industry"])
    assert rates["exit_rate"].iloc[0] == pytest.approx(0.08)
    assert rates["n_periods"].iloc[0] == 6
    quarters = [f"{y}Q{q}" for y in range(2021, 2025) for q in range(1, 5)]
    stock_q, inflows_q = _simulated(0.08, quarters, 4)
    rates_q = estimate_exit_rate(stock_q, inflows_q, keys=["industry"])
    assert rates_q["exit_rate"].iloc[0] == pytest.approx(0.08)   # per year, from quarters
    out = project_skilled_stock(stock.assign(region="North"), keys=["industry"], horizon=1,
                                exit_rate=rates)
    assert out["replacement_demand"].iloc[0] == pytest.approx(0.08 * stock["skilled"].iloc[-1])


def test_estimate_exit_rate_warns_and_refuses():
    stock, inflows = _simulated(0.08, ["2023", "2024"], 1)
    with pytest.warns(DataQualityWarning, match="of the skilled stock in 1 cell rest on fewer "
                      "than 3 years .*textiles: 1 change"):
        estimate_exit_rate(stock, inflows, keys=["industry"])
    growing = stock.assign(skilled=[1000.0, 2000.0])
    with pytest.warns(DataQualityWarning) as caught:
        rates = estimate_exit_rate(growing, inflows, keys=["industry"])
    assert any("outside [0, 1] in 1 cell and is clipped" in str(w.message) for w in caught)
    # the warnings name the stock column, so two stocks' warnings can be told apart
    high = growing.rename(columns={"skilled": "high_skilled"})
    with pytest.warns(DataQualityWarning) as caught:
        estimate_exit_rate(high, inflows, keys=["industry"], column="high_skilled")
    assert any(str(w.message).startswith("the mean exit share per period of the high_skilled "
                                         "stock is outside") for w in caught), caught
    assert rates["exit_rate"].iloc[0] == 0.0
    with pytest.raises(PlanningError, match="two consecutive periods .*textiles"):
        estimate_exit_rate(stock.iloc[:1], inflows, keys=["industry"])
