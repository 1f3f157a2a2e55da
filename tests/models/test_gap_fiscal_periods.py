"""The gap model reads calendar panels only; a generic forecaster keeps any frequency."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import SchemaError


@pytest.fixture(scope="module")
def panel():
    data = tg.datasets.make_synthetic(seed=1, n_regions=2, industries=2, n_periods=12)
    return tg.features.build_panel(data.surveys, data.training, lead_time=1)


def test_a_panel_in_fiscal_quarters_is_refused_with_the_conversion(panel):
    fiscal = panel.assign(period=panel["period"].dt.asfreq("Q-MAR"))
    with pytest.raises(SchemaError) as caught:
        tg.models.GapForecaster().fit(fiscal)
    error = caught.value
    assert (error.column, error.reason) == ("period", "bad_period")
    first = panel["period"].iloc[0]
    assert str(error).startswith(
        f"panel: column 'period' holds fiscal quarters of years ending in March (Q-MAR) "
        f"[bad_period]; {len(panel)} rows, e.g. line 2: {first.asfreq('Q-MAR')} "
        f"(calendar {first});")
    assert ".dt.asfreq('Q-DEC', how='end')" in str(error)
    assert len(error.failure_cases) == len(panel)


def test_the_converted_panel_forecasts_as_the_calendar_panel(panel):
    fiscal = panel.assign(period=panel["period"].dt.asfreq("Q-MAR"))
    back = fiscal.assign(period=fiscal["period"].dt.asfreq("Q-DEC", how="end"))
    expected = tg.models.GapForecaster().fit(panel).predict(horizon=2, level=[80])
    found = tg.models.GapForecaster().fit(back).predict(horizon=2, level=[80])
    assert found["period"].dtype == pd.PeriodDtype("Q")
    pd.testing.assert_frame_equal(found, expected)


def test_a_generic_forecaster_keeps_a_fiscal_frequency():
    """A series forecaster takes pandas Periods of any one frequency, as statsmodels does."""
    periods = pd.period_range("2019Q4", periods=12, freq="Q-MAR")
    table = pd.DataFrame({"series_id": "a", "period": periods, "value": np.arange(12.0)})
    out = tg.models.AutoForecaster(season_length=4).fit(
        table, target="value", keys=["series_id"]).predict(horizon=2)
    assert out["period"].dtype == pd.PeriodDtype("Q-MAR")
    assert out["period"].tolist() == list(pd.period_range(periods[-1] + 1, periods=2))
