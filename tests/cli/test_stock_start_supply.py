"""The policy need's stock projection counts the supply observed after employment ends."""

from types import SimpleNamespace

import pandas as pd
import pytest

from talentgap.cli._targets import _with_observed_supply
from talentgap.planning import project_skilled_stock

CONFIG = SimpleNamespace(data=SimpleNamespace(keys=["region", "industry"]))


def _quarters(first: str, last: str) -> pd.PeriodIndex:
    return pd.period_range(first, last, freq="Q")


def test_supply_between_the_employment_end_and_the_forecast_joins_the_stock():
    employment = pd.DataFrame({"region": "A", "industry": "x",
                               "period": _quarters("2023Q1", "2024Q2"), "skilled": 1000.0})
    panel = pd.DataFrame({"region": "A", "industry": "x", "period": _quarters("2023Q1", "2024Q4"),
                          "supply": [1.0] * 5 + [100.0, 10.0, 20.0]})
    forecast = pd.DataFrame({"region": "A", "industry": "x",
                             "period": _quarters("2025Q1", "2025Q4"), "supply": 5.0})
    pipeline = _with_observed_supply(forecast, panel, employment, CONFIG)
    assert pipeline["period"].astype(str).tolist() == ["2024Q3", "2024Q4", "2025Q1", "2025Q2",
                                                       "2025Q3", "2025Q4"]
    out = project_skilled_stock(employment, horizon=1, exit_rate=0.1, pipeline=pipeline,
                                freq="Y")
    # by quarter from 2024Q2: the observed 10 and 20 certified of 2024Q3-Q4, then 2025's
    # forecast 5 a quarter, each quarter losing 0.9 ** (1 / 4) of its stock's workers
    stock = 1000.0
    for inflow in (10.0, 20.0, 5.0, 5.0, 5.0, 5.0):
        stock = 0.9 ** 0.25 * stock + inflow
    assert out["stock"].iloc[0] == pytest.approx(stock)


def test_employment_up_to_the_forecast_adds_nothing():
    employment = pd.DataFrame({"region": "A", "industry": "x",
                               "period": _quarters("2024Q1", "2024Q4"), "skilled": 1000.0})
    panel = employment.drop(columns="skilled").assign(supply=7.0)
    forecast = pd.DataFrame({"region": "A", "industry": "x", "period": _quarters("2025Q1",
                                                                                 "2025Q2"),
                             "supply": 5.0})
    assert _with_observed_supply(forecast, panel, employment, CONFIG) is forecast
    assert _with_observed_supply(forecast, None, employment, CONFIG) is forecast
