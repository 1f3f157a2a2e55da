"""The projection without a plan continues a history that follows its own accounting.

A synthetic table where the truth is known: per quarter the skilled stock
follows ``K[t] = (1 - e) K[t-1] + P[t]`` exactly (a rate per year ``e``,
per quarter ``1 - (1 - e) ** (1 / 4)``) and employment grows linearly. The
exit rate estimated on the history before a cut, the observed inflows after
it as the pipeline, and the yearly projection must give back the held-out
year-end stocks and employment: the projection runs the identity at the
frequency the rate was estimated at. A yearly history that follows the
yearly identity is continued exactly as well.
"""

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.planning import estimate_exit_rate, project_employment, project_skilled_stock

RATES = {"x": 0.08, "y": 0.12, "z": 0.25}  # exit rate per year of each cell
QUARTERS = pd.period_range("2019Q1", "2024Q4", freq="Q")


def _history() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Quarterly stock, employment and inflows of three cells, the identity exact."""
    n = len(QUARTERS)
    stocks, inflows = [], []
    for number, (industry, annual) in enumerate(RATES.items()):
        kept = (1.0 - annual) ** 0.25
        season = np.tile([1.3, 0.8, 0.9, 1.0], n // 4)
        supply = (200.0 + 40.0 * number + 3.0 * np.arange(n)) * season
        skilled = np.empty(n)
        skilled[0] = 2000.0 + 500.0 * number
        for t in range(1, n):
            skilled[t] = kept * skilled[t - 1] + supply[t]
        cell = {"region": "A", "industry": industry, "period": QUARTERS.astype(str)}
        stocks.append(pd.DataFrame({**cell, "skilled": skilled,
                                    "employment": 9000.0 + 1000.0 * number
                                    + 60.0 * np.arange(n)}))
        inflows.append(pd.DataFrame({**cell, "supply": supply}).iloc[1:])
    return pd.concat(stocks, ignore_index=True), pd.concat(inflows, ignore_index=True)


def _year_ends(table: pd.DataFrame, column: str, years) -> np.ndarray:
    ends = table[table["period"].isin([f"{y}Q4" for y in years])]
    return ends.sort_values(["industry", "period"])[column].to_numpy()


def test_the_exit_rate_estimated_on_quarters_is_the_true_rate_per_year():
    stock, inflows = _history()
    rates = estimate_exit_rate(stock, inflows)
    assert rates["exit_rate"].tolist() == pytest.approx(list(RATES.values()), rel=1e-12)


def test_employment_forecast_by_quarter_and_read_at_year_ends_continues_a_linear_history():
    stock, _ = _history()
    before = stock[stock["period"] <= "2022Q4"].drop(columns="skilled")
    out = project_employment(before, horizon=2, freq="Y", level=None,
                             forecaster=tg.models.Drift())
    assert out["period"].astype(str).unique().tolist() == ["2023", "2024"]
    assert out.sort_values(["industry", "period"])["employment"].to_numpy() == pytest.approx(
        _year_ends(stock, "employment", [2023, 2024]), rel=1e-12)


@pytest.mark.filterwarnings("ignore:exit rates of the skilled stock in 3 cells rest on fewer")
@pytest.mark.parametrize("cut", [2021, 2022])
def test_a_yearly_projection_from_the_cut_gives_back_the_held_out_stocks(cut):
    stock, inflows = _history()
    before = stock[stock["period"] <= f"{cut}Q4"]
    rates = estimate_exit_rate(before, inflows[inflows["period"] <= f"{cut}Q4"])
    after = inflows[inflows["period"] > f"{cut}Q4"]
    years = list(range(cut + 1, 2025))
    out = project_skilled_stock(before.drop(columns="employment"), horizon=len(years),
                                exit_rate=rates, pipeline=after, freq="Y")
    assert out["period"].astype(str).unique().tolist() == [str(y) for y in years]
    truth = _year_ends(stock, "skilled", years)
    assert out.sort_values(["industry", "period"])["stock"].to_numpy() == pytest.approx(
        truth, rel=1e-9)


def test_a_yearly_history_that_follows_the_yearly_identity_is_continued():
    stock, inflows = _history()
    yearly = stock[stock["period"].str.endswith("Q4")].assign(
        period=lambda t: t["period"].str[:4])
    annual_in = (inflows.assign(period=inflows["period"].str[:4])
                 .groupby(["region", "industry", "period"], as_index=False)["supply"].sum())
    # rebuild the yearly stock so the yearly identity holds exactly, at 10% a year
    k = yearly.pivot(index="industry", columns="period", values="skilled")
    p = annual_in.pivot(index="industry", columns="period", values="supply").reindex(
        columns=k.columns, fill_value=0.0)
    for j in range(1, k.shape[1]):
        k.iloc[:, j] = 0.9 * k.iloc[:, j - 1] + p.iloc[:, j]
    yearly = k.stack().rename("skilled").reset_index().assign(region="A")
    rates = estimate_exit_rate(yearly[yearly["period"] <= "2022"],
                               annual_in[annual_in["period"] <= "2022"])
    assert rates["exit_rate"].tolist() == pytest.approx([0.1] * 3)
    out = project_skilled_stock(yearly[yearly["period"] <= "2022"], horizon=2,
                                exit_rate=rates, pipeline=annual_in[annual_in["period"] > "2022"])
    assert out["stock"].to_numpy() == pytest.approx(
        k[["2023", "2024"]].to_numpy().ravel())
    # the exits of a year are what the identity leaves: K[start] + inflow - K[end]
    start = np.repeat(k["2022"].to_numpy(), 2)
    start[1::2] = k["2023"].to_numpy()
    assert out["replacement_demand"].to_numpy() == pytest.approx(
        start + out["pipeline"].to_numpy() - out["stock"].to_numpy())
