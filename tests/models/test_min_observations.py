"""BaseForecaster.min_observations: the fewest observations a fitted model fits, said in public.

The number is what the fit itself goes by (a shorter series falls back to a
simpler forecast), so these tests compare it with the fallbacks of a fit on
series of every length from 1 to 12 quarters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap._registry import all_estimators
from talentgap.errors import NotFittedError
from talentgap.models import AutoForecaster, Naive, SeasonalNaive, Theta

pytestmark = pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")

#: Settings that keep the slower forecasters fast; SARIMAX is left to its own tests.
FAST = {"GlobalBoosting": {"max_iter": 10, "min_samples_leaf": 2, "max_leaf_nodes": 5}}
SINGLE = [(name, cls) for name, cls in all_estimators(kind="forecaster")
          if name not in ("SARIMAX",) and cls is not AutoForecaster]


@pytest.fixture(scope="module")
def ragged() -> pd.DataFrame:
    """Quarterly series of 1 to 12 observations, all ending in 2024Q4."""
    rng = np.random.default_rng(7)
    frames = [pd.DataFrame({"series": f"s{n:02d}",
                            "period": pd.period_range(end="2024Q4", periods=n, freq="Q"),
                            "value": np.round(50 + rng.normal(0, 3, n))})
              for n in range(1, 13)]
    return pd.concat(frames, ignore_index=True)


def _fit(model, table):
    return model.fit(table, target="value", keys=["series"])


@pytest.mark.parametrize(("name", "cls"), SINGLE, ids=[name for name, _ in SINGLE])
def test_a_series_falls_back_exactly_when_it_is_shorter(ragged, name, cls):
    model = _fit(cls(**FAST.get(name, {}), n_windows=1), ragged)
    least = model.min_observations()
    assert isinstance(least, int) and least >= 1
    n_obs = np.asarray(model.arrays_.n_obs)
    assert np.array_equal(model.fallback_, n_obs < least)


def test_the_values_of_the_simple_models():
    table = pd.DataFrame({"series": "s", "value": np.arange(12.0),
                          "period": pd.period_range("2022Q1", periods=12, freq="Q")})
    assert _fit(Naive(), table).min_observations() == 1
    assert _fit(SeasonalNaive(), table).min_observations() == 4
    assert _fit(SeasonalNaive(season_length=2), table).min_observations() == 2


def test_a_combination_fits_where_one_candidate_does(ragged):
    candidates = {"theta": Theta(), "seasonal_naive": SeasonalNaive()}
    auto = _fit(AutoForecaster(candidates=candidates, n_windows=1), ragged)
    least = auto.min_observations()
    assert least == min(model.min_observations() for model in auto.candidates_.values())
    # the candidates' own fallbacks agree: some candidate fits from ``least`` observations on
    n_obs = np.asarray(auto.arrays_.n_obs)
    some_fits = ~np.asarray(auto.short_fallback_).all(axis=1)
    assert np.array_equal(some_fits, n_obs >= least)
    assert least < max(model.min_observations() for model in auto.candidates_.values())


def test_it_needs_a_fit():
    for model in (Naive(), AutoForecaster()):
        with pytest.raises(NotFittedError, match=r"before min_observations\(\)"):
            model.min_observations()


def test_a_saved_model_says_the_same(ragged, tmp_path):
    from talentgap.models.persistence import load

    auto = _fit(AutoForecaster(candidates={"theta": Theta(), "naive": Naive()}, n_windows=1),
                ragged)
    auto.save(tmp_path / "model")
    assert load(tmp_path / "model").min_observations() == auto.min_observations()
