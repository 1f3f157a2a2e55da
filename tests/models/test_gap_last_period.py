"""A cell whose last period is missing (e.g. its rows were skipped as invalid).

Its forecast starts from its own last observed period and is reported for the
same periods as every other cell's, one step further ahead, with errors of
that step drawn from a pool of its own (so no other cell's draws change), the
flag ``last_period_missing`` and a fallback reason naming its last period.
"""

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.models import GapForecaster
from talentgap.models.gap_flags import FLAGS, gap_flags

KEYS = ["region", "industry"]


@pytest.fixture(scope="module")
def panel():
    data = tg.datasets.make_synthetic(n_regions=4, industries=4, n_periods=20, seed=3)
    return tg.features.build_panel(data.surveys, data.training, lead_time=1)


def _fit(panel):
    return GapForecaster(forecaster=tg.models.Naive(), n_samples=300, sampling_se=None,
                         keys=KEYS).fit(panel)


def _without_last(panel, column, cell=0):
    first = panel[KEYS].drop_duplicates().iloc[cell]
    at = (panel["region"] == first["region"]) & (panel["industry"] == first["industry"])
    at &= panel["period"] == panel["period"].max()
    out = panel.copy()
    out.loc[at, column] = np.nan
    return out, first


@pytest.mark.parametrize("column", ["demand", "supply"])
def test_same_periods_forecast_from_own_end(panel, column):
    clean = _fit(panel)
    short, cell = _without_last(panel, column)
    gap = _fit(short)
    assert gap.origin_ == clean.origin_  # the other cells still reach the last period
    out = gap.predict(3, level=[80])
    own = ((out["region"] == cell["region"]) & (out["industry"] == cell["industry"])).to_numpy()
    # the same target periods as every other cell, and numbers, not NaN
    assert out.loc[own, "period"].tolist() == out.loc[~own, "period"].iloc[:3].tolist()
    assert np.isfinite(out.loc[own, ["demand", "supply", "gap"]].to_numpy()).all()
    # Naive from the cell's own last observed value (the period before the missing one)
    history = short[(short["region"] == cell["region"])
                    & (short["industry"] == cell["industry"])][column].dropna()
    sim = gap._simulation(3)
    centre = sim[f"{column}_mean"][0]
    assert centre == pytest.approx(np.full(3, max(history.iloc[-1], 0.0)))
    # drawn at steps 2..4 from the longer backtests' pool; the others' draws are unchanged
    lag = sim["d_lag" if column == "demand" else "s_lag"]
    assert lag[0] == 1 and not lag[1:].any()
    assert (sim["draws"][0] >= sim["pool_size"]).all()
    base = clean._simulation(3)
    assert sim["pool_size"] == base["pool_size"]
    np.testing.assert_array_equal(sim["draws"][1:], base["draws"][1:])
    # said in the flag column and the explanation
    assert out.loc[own, "flag"].str.contains("last_period_missing").all()
    assert not out.loc[~own, "flag"].str.contains("last_period_missing").any()
    why = gap.explain(3).set_index(KEYS)
    reason = why.loc[(cell["region"], cell["industry"]), "fallback_reason"]
    last = pd.Period(panel["period"].max(), freq="Q") - 1
    assert f"{column} last observed {last}, 1 period before the origin" in reason
    assert "last_period_missing" in why.loc[(cell["region"], cell["industry"]), "flags"]


def test_other_cells_keep_their_forecast(panel):
    """Before, one cell's missing period lengthened every cell's backtests (older origins)."""
    clean = _fit(panel).predict(3, level=[80])
    short, _ = _without_last(panel, "demand")
    out = _fit(short).predict(3, level=[80])
    others = slice(3, None)
    width = (clean["gap_hi_80"] - clean["gap_lo_80"]).to_numpy()[others]
    moved = np.abs(out["gap"].to_numpy()[others] - clean["gap"].to_numpy()[others])
    # only the missing cell's own pairs in the pooled errors differ (1% of the interval
    # width here; 11% when every cell's backtests were lengthened)
    assert (moved <= 0.03 * width).all(), moved / width


def test_gap_drivers_take_the_last_observed_supply(panel):
    short, cell = _without_last(panel, "supply")
    drivers = _fit(short).gap_drivers(2).set_index(KEYS).loc[(cell["region"], cell["industry"])]
    rows = short[(short["region"] == cell["region"]) & (short["industry"] == cell["industry"])]
    before = rows["supply"].dropna().iloc[-1]  # not 0 for the missing last period
    assert drivers["gap_now"] == pytest.approx(rows["demand"].iloc[-1] - before)


def test_flag_rule():
    history = {"demand": np.array([[5.0, 6.0, 5.0, 6.0]] * 2),
               "supply": np.array([[2.0, 2.0, 2.0, np.nan], [2.0, 2.0, 2.0, 2.0]])}
    flags = gap_flags(history, np.full((2, 1), 5.5), np.full((2, 1), 2.0),
                      np.full((2, 1), 3.5), season_length=1,
                      has_demand=np.array([True, True]), has_supply=np.array([True, True]),
                      ends_early=np.array([1, 0]))
    assert [("last_period_missing" in code) for code in flags[:, 0]] == [True, False]
    assert "last_period_missing" in FLAGS


def test_persistent_gap_counts_back_from_the_cells_own_end():
    history = {"demand": np.array([[9.0, 9.0, 9.0, 9.0, 9.0]] * 2),
               "supply": np.array([[2.0, 2.0, 2.0, 2.0, np.nan]] * 2)}
    flags = gap_flags(history, np.full((2, 1), 9.0), np.full((2, 1), 2.0),
                      np.full((2, 1), 7.0), season_length=1,
                      has_demand=np.array([True, True]), has_supply=np.array([True, True]),
                      ends_early=np.array([1, 0]))
    # four observed shortages before the missing period; without the lag the NaN hides them
    assert [("persistent_gap" in code) for code in flags[:, 0]] == [True, False]
