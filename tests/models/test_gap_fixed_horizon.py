"""GapForecaster(horizon=H): one simulation of H periods answers every shorter horizon."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import ParameterError
from talentgap.models import GapForecaster


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    data = tg.datasets.make_synthetic(n_regions=3, industries=3, n_periods=20, lead_time=1,
                                      seed=4)
    return tg.features.build_panel(data.surveys, data.training, lead_time=1)


@pytest.fixture(scope="module")
def fixed(panel) -> GapForecaster:
    return GapForecaster(forecaster=tg.models.AutoForecaster(), n_samples=300,
                         horizon=6).fit(panel)


def _merged(short: pd.DataFrame, long: pd.DataFrame) -> pd.DataFrame:
    return short.merge(long, on=["region", "industry", "period"], suffixes=("", "_long"))


def test_a_period_has_the_same_numbers_whatever_horizon_is_asked(fixed):
    long = fixed.predict(6, level=[80, 95])
    for horizon in (1, 3):
        both = _merged(fixed.predict(horizon, level=[80, 95]), long)
        assert len(both) == 9 * horizon
        for column in ("demand", "supply", "gap", "gap_lo_80", "gap_hi_95", "p_shortage",
                       "gap_median", "demand_hi_80", "supply_lo_95"):
            np.testing.assert_array_equal(both[column], both[f"{column}_long"], err_msg=column)
        assert (both["flag"] == both["flag_long"]).all()


def test_sample_paths_are_the_first_steps_of_the_longest(fixed):
    short, long = fixed.sample_paths(2), fixed.sample_paths(6)
    np.testing.assert_array_equal(short.demand, long.demand[:, :2])
    np.testing.assert_array_equal(short.supply, long.supply[:, :2])
    # the forecast's expected gap is the mean of the same paths
    means = long.demand.astype(np.float64).mean(axis=-1) - long.supply.astype(
        np.float64).mean(axis=-1)
    np.testing.assert_allclose(fixed.predict(6)["gap"].to_numpy(), means.ravel(), atol=1e-3)


def test_without_a_fixed_horizon_each_horizon_is_simulated_on_its_own(panel, fixed):
    free = GapForecaster(forecaster=tg.models.AutoForecaster(), n_samples=300).fit(panel)
    # the span the fixed model simulates gives its numbers exactly ...
    np.testing.assert_array_equal(free.predict(6)["gap"], fixed.predict(6)["gap"])
    # ... while a shorter horizon is calibrated on its own (more recent) backtest origins
    both = _merged(free.predict(2, level=[80]), free.predict(6, level=[80]))
    assert not np.array_equal(both["gap_hi_80"], both["gap_hi_80_long"])


def test_a_horizon_beyond_the_fixed_one_is_refused(fixed):
    with pytest.raises(ParameterError, match=r"horizon 7 is beyond the 6 periods"):
        fixed.predict(7)
    with pytest.raises(ParameterError, match="GapForecaster\\(horizon=6\\)"):
        fixed.sample_paths(8)
    assert not fixed.prepared(7)


def test_one_simulation_is_kept_for_every_shorter_horizon(panel):
    model = GapForecaster(forecaster=tg.models.Naive(), n_samples=50, horizon=5).fit(panel)
    assert not model.prepared(2)
    model.prepare(2)
    assert model.prepared(2) and model.prepared(5) and not model.prepared(6)


@pytest.mark.parametrize("bad", [0, -1, 2.5, "4", True])
def test_a_bad_horizon_parameter_is_refused_at_fit(panel, bad):
    with pytest.raises(ParameterError, match="horizon == "):
        GapForecaster(forecaster=tg.models.Naive(), horizon=bad).fit(panel)


def test_the_fixed_horizon_is_saved_with_the_model(fixed, tmp_path):
    loaded = tg.load(fixed.save(tmp_path / "gap"))
    assert loaded.horizon == 6
    np.testing.assert_array_equal(loaded.predict(3)["gap"], fixed.predict(3)["gap"])
