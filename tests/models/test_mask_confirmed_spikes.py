"""Masking removes only confirmed spikes: a flagged value the series comes back from, never a
value no later value confirms (the last season) nor the start of a new level that persists."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning
from talentgap.models._conformal import outlying_changes, outlying_values
from talentgap.models._conformal.scales import confirmed_spikes

PERIODS = pd.period_range("2019Q1", periods=16, freq="Q")
QUIET = [10.0, 11, 10, 12, 11, 10, 11, 12, 10, 11, 12, 10, 11, 10, 12, 11]


def _one(values, season_length):
    frame = pd.DataFrame({"cell": "A", "period": PERIODS, "v": np.asarray(values, float)})
    return tg.models.mask_outliers(frame, target="v", keys=["cell"],
                                   season_length=season_length)


@pytest.mark.parametrize("season_length", [1, 4])
@pytest.mark.parametrize("values", [
    [10, 11, 10, 12, 11, 10, 11, 12, 200, 201, 199, 202, 200, 201, 199, 200],  # new level
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 150, 152, 149, 151, 150, 152],              # programme
    QUIET[:14] + [200, 201],                                                   # late shift
    QUIET[:15] + [500],                                                        # last value
], ids=["level_shift", "programme_start", "late_shift", "last_value"])
def test_nothing_unconfirmed_is_masked(values, season_length):
    masked, found = _one(values, season_length)
    assert found.empty
    assert masked["v"].notna().all()


@pytest.mark.parametrize(("season_length", "at"), [(1, 8), (4, 8), (4, 11), (1, 14)])
def test_a_spike_the_series_comes_back_from_is_masked(season_length, at):
    values = list(QUIET)
    values[at] = 500.0
    masked, found = _one(values, season_length)
    assert found["period"].tolist() == [PERIODS[at]]
    assert np.flatnonzero(masked["v"].isna().to_numpy()).tolist() == [at]


def test_flagging_still_names_what_masking_keeps():
    values = np.array([QUIET[:14] + [200.0, 201.0]])
    hit, lag, change, lower, upper = outlying_changes(values, 4)
    assert np.flatnonzero(outlying_values(values, 4)[0]).tolist() == [14, 15]
    assert not confirmed_spikes(hit, lag, change, lower, upper).any()


def test_confirmed_spikes_per_row_lags():
    # seasonal changes (lag 4): each spike is confirmed by the quarter a year after it
    values = np.array([QUIET[:6] + [500.0] + QUIET[7:], QUIET[:10] + [500.0] + QUIET[11:]])
    hit, lag, change, lower, upper = outlying_changes(values, 4)
    confirmed = confirmed_spikes(hit, lag, change, lower, upper)
    assert lag.tolist() == [4, 4]
    assert [np.flatnonzero(row).tolist() for row in confirmed] == [[6], [10]]
    # the spike's way back, four quarters on, is neither flagged nor masked
    assert not hit[0, 10] and not confirmed[0, 10]


def test_gap_model_forecasts_a_late_level_shift_under_mask():
    rng = np.random.default_rng(0)
    rows = []
    for cell, late in (("A", True), ("B", False), ("C", False)):
        base = 10 + rng.integers(-1, 2, PERIODS.size).astype(float)
        if late:
            base[-2:] = [200.0, 201.0]
        rows.append(pd.DataFrame({"region": cell, "industry": "x", "period": PERIODS,
                                  "demand": base, "supply": 5.0}))
    panel = pd.concat(rows, ignore_index=True)
    out = {}
    for mode in ("keep", "mask"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DataQualityWarning)
            model = tg.models.GapForecaster(forecaster=tg.models.Naive(), outliers=mode,
                                            n_samples=200).fit(panel)
        assert any("far outside" in str(w.message) for w in caught)  # still named
        pred = model.predict(2)
        out[mode] = pred[pred["region"] == "A"]
        assert model.masked_values_.empty
    assert out["mask"]["demand"].iloc[0] > 150            # was 9.7 when both were masked
    np.testing.assert_allclose(out["mask"]["demand"], out["keep"]["demand"])
    assert out["mask"]["flag"].str.contains("outlier_in_history").all()
    assert not out["mask"]["flag"].str.contains("outlier_masked").any()
