"""``random_state`` takes an int, a Generator or a legacy RandomState, reproducibly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import talentgap as tg
from talentgap._arguments import random_generator
from talentgap.errors import ParameterError

pytestmark = pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")


@pytest.fixture(scope="module")
def panel():
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=10, seed=5)
    return tg.features.build_panel(data.surveys, data.training)


def test_a_random_state_continues_its_bit_generator_without_advancing_it():
    legacy = np.random.RandomState(4)
    before = legacy.get_state(legacy=False)
    draws = random_generator(legacy).integers(1 << 30, size=4)
    expected = np.random.Generator(np.random.MT19937(0))
    expected.bit_generator.state = before
    np.testing.assert_array_equal(draws, expected.integers(1 << 30, size=4))
    assert legacy.get_state(legacy=False)["state"]["pos"] == before["state"]["pos"]
    generator = np.random.default_rng(9)
    first = random_generator(generator).integers(1 << 30)
    assert first == random_generator(generator).integers(1 << 30)
    assert first == generator.integers(1 << 30)  # the caller's own first draw


@pytest.mark.parametrize("seed", [np.random.RandomState(3), np.random.default_rng(3), 3])
def test_gap_model_accepts_every_kind_and_refits_identically(panel, seed):
    model = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=20,
                                    random_state=seed)
    first = model.fit(panel).seed_
    assert model.fit(panel).seed_ == first


def test_gap_model_with_an_int_keeps_its_seed(panel):
    model = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=20, random_state=3)
    assert model.fit(panel).seed_ == int(np.random.default_rng(3).integers(2**62))


def test_a_random_state_round_trips_through_save(panel, tmp_path):
    gap = tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=30,
                                  random_state=np.random.RandomState(7)).fit(panel)
    loaded = tg.load(gap.save(tmp_path / "gap"))
    assert isinstance(loaded.random_state, np.random.RandomState)
    assert (loaded.random_state.get_state(legacy=False)["state"]["pos"]
            == gap.random_state.get_state(legacy=False)["state"]["pos"])
    np.testing.assert_array_equal(loaded.random_state.get_state()[1],
                                  gap.random_state.get_state()[1])
    assert_frame_equal(loaded.predict(2, level=None), gap.predict(2, level=None))


@pytest.fixture(scope="module")
def walks():
    rng = np.random.default_rng(0)
    periods = pd.period_range("2018Q1", periods=16, freq="Q")
    return pd.DataFrame({"id": np.repeat(["a", "b", "c"], 16), "period": np.tile(periods, 3),
                         "value": (50 + np.cumsum(rng.normal(0, 2, (3, 16)), axis=1)).ravel()})


@pytest.mark.parametrize("seed", [np.random.RandomState(1), np.random.default_rng(1)])
def test_global_boosting_accepts_generators_and_refits_identically(walks, seed):
    model = tg.models.GlobalBoosting(max_iter=10, min_samples_leaf=5, random_state=seed)
    first = model.fit(walks, keys=["id"]).predict(3)
    assert_frame_equal(model.fit(walks, keys=["id"]).predict(3), first)
    regressor = model.states_[0]["state"]["model"]
    assert isinstance(regressor.random_state, int)


@pytest.mark.parametrize("seed", [-1, 1.5, "0"])
def test_global_boosting_rejects_other_seeds(walks, seed):
    with pytest.raises(ParameterError, match="random_state == "):
        tg.models.GlobalBoosting(max_iter=5, random_state=seed).fit(walks, keys=["id"])
