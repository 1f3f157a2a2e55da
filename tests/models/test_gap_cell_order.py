"""The gap model's sample paths do not depend on the order of the cells: the same
panel with its region categories (or rows) in another order gives the same numbers."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from talentgap.models import GapForecaster


def panel(n_periods: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    regions = ["B", "Z", "M"]
    rows = len(regions) * n_periods
    out = pd.DataFrame({
        "region": np.repeat(regions, n_periods), "industry": "I0",
        "period": list(pd.period_range("2018Q1", periods=n_periods, freq="Q")) * 3,
        "demand": 1000 + rng.normal(0, 60, rows).cumsum(),
        "supply": 800 + rng.normal(0, 40, rows).cumsum()})
    out["demand_se"] = out["demand"] * 0.1
    return out


def forecast(frame: pd.DataFrame, categories) -> pd.DataFrame:
    frame = frame.assign(region=pd.Categorical(frame["region"], categories=categories))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = GapForecaster(n_samples=300, horizon=2, random_state=0).fit(frame).predict(
            horizon=2, level=[80, 95])
    out["region"] = out["region"].astype(str)
    return out.sort_values(["region", "period"]).reset_index(drop=True)


@pytest.mark.parametrize(("n_periods", "late"), [(3, False), (12, False), (12, True)])
def test_category_order_does_not_change_the_paths(n_periods, late):
    frame = panel(n_periods)
    if late:  # B's and M's last periods missing: they draw from a second, longer pool
        frame = frame.drop(index=[n_periods - 1, 3 * n_periods - 1])
    first = forecast(frame, ["B", "M", "Z"])
    numbers = first.select_dtypes("number").columns
    assert {"gap", "demand", "supply", "gap_lo_80", "p_shortage"} <= set(numbers)
    for order in (["Z", "B", "M"], ["M", "Z", "B"]):
        other = forecast(frame, order)
        pd.testing.assert_frame_equal(first[numbers], other[numbers])
    shuffled = frame.sample(frac=1.0, random_state=1)
    pd.testing.assert_frame_equal(first[numbers], forecast(shuffled, ["Z", "M", "B"])[numbers])
