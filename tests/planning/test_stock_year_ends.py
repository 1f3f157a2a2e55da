"""Stocks are end-of-period levels: yearly projections start from the last observed period.

Hand computations with small tables: quarterly stocks read at a yearly
frequency, data ending mid-year, base shares per cell, targets already met,
and period labels written as text.
"""

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import PlanningError
from talentgap.planning import (
    estimate_exit_rate,
    policy_need,
    project_employment,
    project_skilled_stock,
)

E = 0.10  # exit rate per year


def _quarters(first: str, last: str, skilled, **extra) -> pd.DataFrame:
    periods = pd.period_range(first, last, freq="Q").astype(str)
    return pd.DataFrame({"region": "A", "industry": "x", "period": periods,
                         "skilled": skilled, **extra})


def test_a_yearly_projection_starts_from_the_last_quarter_not_the_annual_average():
    stock = _quarters("2024Q1", "2024Q4", [900.0, 950.0, 1000.0, 1200.0])
    pipeline = pd.DataFrame({"region": "A", "industry": "x", "period": ["2025", "2026"],
                             "supply": [50.0, 20.0]})
    out = project_skilled_stock(stock, horizon=2, exit_rate=E, pipeline=pipeline, freq="Y")
    assert out["period"].astype(str).tolist() == ["2025", "2026"]
    k2025 = 0.9 * 1200 + 50  # from 2024Q4 (the average, 1012.5, would give 961.25)
    assert out["stock"].tolist() == pytest.approx([k2025, 0.9 * k2025 + 20])
    assert out["replacement_demand"].tolist() == pytest.approx([120.0, 0.1 * k2025])


def test_a_yearly_projection_from_a_quarterly_stock_matches_the_quarterly_one():
    stock = _quarters("2023Q1", "2024Q4", np.linspace(1000.0, 1070.0, 8))
    quarterly = project_skilled_stock(stock, horizon=8, exit_rate=E)
    yearly = project_skilled_stock(stock, horizon=2, exit_rate=E, freq="Y")
    ends = quarterly[quarterly["period"].astype(str).isin(["2025Q4", "2026Q4"])]
    assert yearly["stock"].tolist() == pytest.approx(ends["stock"].tolist())
    assert yearly["stock"].iloc[0] == pytest.approx(1070.0 * 0.9)


def test_data_ending_mid_year_roll_the_rest_of_the_year_forward():
    stock = _quarters("2023Q1", "2024Q2", 1000.0)
    yearly_inflow = pd.DataFrame({"region": "A", "industry": "x",
                                  "period": ["2024", "2025"], "supply": [80.0, 60.0]})
    out = project_skilled_stock(stock, horizon=6, exit_rate=E, pipeline=yearly_inflow,
                                freq="Y")
    assert out["period"].astype(str).tolist() == [str(y) for y in range(2025, 2031)]
    # half of 2024 is left after 2024Q2: half its exits (a rate per year) and inflow
    end_2024 = 0.9 ** 0.5 * 1000.0 + 40.0
    assert out["stock"].iloc[0] == pytest.approx(0.9 * end_2024 + 60.0)
    assert out["replacement_demand"].iloc[0] == pytest.approx(0.1 * end_2024)
    # quarterly inflows: those after 2024Q2 count whole, the earlier ones not at all; the
    # recursion runs by quarter (as the rate is estimated), so each one's workers exit too
    by_quarter = pd.DataFrame({"region": "A", "industry": "x",
                               "period": ["2024Q2", "2024Q3", "2024Q4", "2025Q1"],
                               "supply": [500.0, 10.0, 20.0, 30.0]})
    out = project_skilled_stock(stock, horizon=1, exit_rate=E, pipeline=by_quarter, freq="Y")
    kept = 0.9 ** 0.25  # share of a quarter's stock still there at its end
    k2025q1 = ((1000.0 * kept + 10.0) * kept + 20.0) * kept + 30.0
    assert out["stock"].iloc[0] == pytest.approx(k2025q1 * kept ** 3)


def test_employment_at_a_yearly_frequency_is_read_at_year_ends_after_the_last_quarter():
    employment = _quarters("2022Q1", "2024Q2", 0.0,
                           employment=100.0 + 10.0 * np.arange(10)).drop(columns="skilled")
    out = project_employment(employment, horizon=2, freq="Y", level=None,
                             forecaster=tg.models.Drift())
    assert out["period"].astype(str).tolist() == ["2025", "2026"]
    # 2024Q2 is 190; +10 a quarter: 2025Q4 = 250, 2026Q4 = 290
    assert out["employment"].tolist() == pytest.approx([250.0, 290.0])


def _observed(cells: dict) -> pd.DataFrame:
    rows = [dict(region=r, industry=i, period=p, employment=e, skilled=s)
            for (r, i), (periods, e, s) in cells.items() for p in periods]
    return pd.DataFrame(rows)


def _need(observed: pd.DataFrame, targets: pd.DataFrame, horizon: int = 2, rate: float = 0.0
          ) -> pd.DataFrame:
    stock = project_skilled_stock(observed, horizon=horizon, exit_rate=rate, freq="Y")
    cells = observed[["region", "industry"]].drop_duplicates()
    years = pd.DataFrame({"period": [str(2025 + k) for k in range(horizon)]})
    employment = cells.merge(years, how="cross").assign(employment=1000.0)
    return policy_need(employment, stock, targets, observed=observed)


def test_the_base_share_is_each_cells_last_quarter_of_the_base_year():
    full = list(pd.period_range("2024Q1", "2024Q4", freq="Q").astype(str))
    observed = _observed({("A", "x"): (full, 1000.0, 250.0),
                          ("B", "x"): (full[:-1], 1000.0, 200.0),     # no 2024Q4
                          ("B", "y"): (full, 1000.0, 300.0)})
    targets = pd.DataFrame({"region": ["*"], "skill_level": ["skilled"],
                            "delta_points": [10.0], "target_year": [2026]})
    need = _need(observed, targets)
    last = need[need["period"].astype(str) == "2026"].groupby("region")["target_share"].first()
    # B: (200 + 300) / 2000 from 2024Q3 and 2024Q4, plus 10 points
    assert last.to_dict() == pytest.approx({"A": 0.35, "B": 0.35})


def test_a_target_already_met_is_a_floor_with_no_need_until_the_share_falls_below_it():
    years = [str(y) for y in range(2020, 2025)]
    observed = _observed({("M", "a"): (years, 1000.0, 400.0)})
    targets = pd.DataFrame({"region": ["M"], "skill_level": ["skilled"], "share": [0.30],
                            "target_year": [2030]})
    with pytest.warns(tg.errors.DataQualityWarning, match="a target is a floor"):
        need = _need(observed, targets, horizon=8, rate=0.05)
    assert (need["target_share"] == 0.30).all()
    stock = 400.0 * 0.95 ** np.arange(1, 9)  # 380, 361, ... below 300 from 2030 on
    expected = np.maximum(300.0 - stock, 0.0)
    assert need["policy_need"].to_numpy() == pytest.approx(expected)
    assert (need["policy_need"].iloc[:5] == 0).all() and need["policy_need"].iloc[5] > 0


def test_a_region_without_the_base_year_is_told_to_set_a_base_year():
    observed = _observed({("A", "x"): (["2023", "2024"], 1000.0, 250.0),
                          ("B", "x"): (["2022", "2023"], 1000.0, 250.0)})
    targets = pd.DataFrame({"region": ["*"], "skill_level": ["skilled"], "share": [0.3],
                            "target_year": [2026]})
    with pytest.raises(PlanningError, match=r"for region 'B'.*give the row a base_year the "
                                            r"table observes \(e\.g\. 2023\)"):
        _need(observed, targets)
    with_base = pd.DataFrame({"region": ["A", "B"], "skill_level": "skilled", "share": 0.3,
                              "target_year": 2026, "base_year": [2024, 2023]})
    need = _need(observed, with_base)
    assert need.groupby("region")["target_share"].last().tolist() == pytest.approx([0.3, 0.3])


def test_quarterly_inflows_as_text_read_like_quarterly_periods():
    stock = pd.DataFrame({"region": "A", "industry": "x", "period": ["2023", "2024"],
                          "skilled": [1000.0, 950.0]})
    text = pd.DataFrame({"region": "A", "industry": "x",
                         "period": ["2024Q1", "2024Q3", "2025Q1", "2025Q2"],
                         "supply": [20.0, 30.0, 10.0, 15.0]})
    periods = text.assign(period=pd.PeriodIndex(text["period"], freq="Q"))
    for pipeline in (text, periods):
        out = project_skilled_stock(stock, horizon=1, exit_rate=E, pipeline=pipeline)
        assert out["stock"].iloc[0] == pytest.approx(0.9 * 950.0 + 25.0)
        rate = estimate_exit_rate(stock, pipeline)
        assert rate["exit_rate"].iloc[0] == pytest.approx((1000.0 + 50.0 - 950.0) / 1000.0)


def test_yearly_inflows_for_a_quarterly_stock_are_refused():
    stock = _quarters("2023Q1", "2024Q4", 1000.0)
    inflows = pd.DataFrame({"region": "A", "industry": "x", "period": ["2024"],
                            "supply": [40.0]})
    with pytest.raises(PlanningError, match="inflows table is annual and the stock table "
                                            "quarterly"):
        estimate_exit_rate(stock, inflows)
