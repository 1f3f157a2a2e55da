"""Known future supply keeps its exact value: mean, every bound and the gap's quantiles."""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.models.baselines import Naive
from talentgap.models.gap import GapForecaster


def _panel(n_cells: int = 6, n_periods: int = 16) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    periods = pd.period_range("2019Q1", periods=n_periods, freq="Q")
    demand = 300 + np.cumsum(rng.normal(0, 9, (n_cells, n_periods)), axis=1)
    supply = 250 + np.cumsum(rng.normal(0, 9, (n_cells, n_periods)), axis=1)
    cell = np.repeat(np.arange(n_cells), n_periods)
    panel = pd.DataFrame({"region": "R0", "industry": [f"I{i}" for i in cell],
                          "period": np.tile(periods, n_cells),
                          "demand": demand.ravel(), "supply": supply.ravel()})
    panel["gap"] = panel["demand"] - panel["supply"]
    return panel


def test_known_supply_not_exact_in_float32_lies_on_its_own_bounds():
    panel = _panel()
    origin = panel["period"].max()
    # none of these values is a float32 number: the float32 paths hold them rounded
    values = [257.55, 0.1, 1234.567, 98.76543]
    assert all(float(np.float32(v)) != v for v in values)
    future = pd.DataFrame({"region": "R0", "industry": ["I0", "I1", "I2", "I3"],
                           "period": [origin + 1, origin + 2, origin + 1, origin + 3],
                           "supply": values})
    gap = GapForecaster(forecaster=Naive(), n_samples=200, random_state=0).fit(
        panel, future_supply=future)
    out = gap.predict(3, level=[50, 80]).set_index(["industry", "period"])
    for industry, period, value in zip(future["industry"], future["period"], values,
                                       strict=True):
        row = out.loc[(industry, period)]
        assert row["supply"] == value
        for lv in (50, 80):
            lo, hi = row[f"supply_lo_{lv}"], row[f"supply_hi_{lv}"]
            assert lo == value and hi == value
            assert lo <= row["supply"] <= hi
            # the gap's quantiles are the demand's, less the exact known value
            assert abs(row[f"gap_lo_{lv}"] - (row[f"demand_lo_{lv}"] - value)) < 1e-3
            assert abs(row[f"gap_hi_{lv}"] - (row[f"demand_hi_{lv}"] - value)) < 1e-3
    # a cell-period not known keeps a spread
    free = out.loc[("I0", origin + 2)]
    assert free["supply_hi_80"] > free["supply_lo_80"]
