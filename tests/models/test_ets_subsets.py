"""ETS models that choose among subsets of one set of forms, fitted in one pass; which
models let AutoForecaster reuse a longer backtest for a shorter horizon."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.base import clone

import talentgap as tg
from talentgap.errors import ParameterError
from talentgap.models import (
    SARIMAX,
    AutoForecaster,
    BaseForecaster,
    Drift,
    GlobalBoosting,
    Mean,
    Naive,
    SeasonalNaive,
    Theta,
)
from talentgap.models._series import to_arrays
from talentgap.models.ets import ETS

KEYS = ["region", "industry"]


class RecordingETS(ETS):
    """An ETS subclass that records the origins each backtest task refits."""

    origins: list[int] = []

    def _backtest_chunk(self, part, m, horizon):
        RecordingETS.origins.append(int(self.n_windows))
        return super()._backtest_chunk(part, m, horizon)


class RecordingMean(Mean):
    """Mean, recording the origins each backtest task refits."""

    origins: list[int] = []

    def _backtest_chunk(self, part, m, horizon):
        RecordingMean.origins.append(int(self.n_windows))
        return super()._backtest_chunk(part, m, horizon)


@pytest.fixture(scope="module")
def arrays():
    truth = tg.datasets.make_synthetic(n_regions=3, industries=4, n_periods=24, seed=0).truth
    return to_arrays(truth, target="demand", time="period", keys=KEYS)


def near(got: np.ndarray, expected: np.ndarray) -> bool:
    """Equal NaN patterns and values equal to rounding (origins are fitted together)."""
    scale = max(1.0, float(np.nanmax(np.abs(expected))))
    return (np.array_equal(np.isnan(got), np.isnan(expected))
            and float(np.nanmax(np.abs(got - expected))) <= 1e-9 * scale)


def test_models_whose_first_steps_do_not_depend_on_the_horizon_say_so():
    free = [ETS, Theta, Naive, Drift, SeasonalNaive, Mean, RecordingETS]
    assert all(model._horizon_free_prefix is True for model in free)
    assert not any(model._horizon_free_prefix
                   for model in (BaseForecaster, AutoForecaster, SARIMAX, GlobalBoosting))


def test_subsets_fitted_in_one_pass_equal_each_model_fitted_alone(arrays):
    source = ETS(forms=("ANN", "AAN", "AAdN", "ANA"))
    subsets = {"damped": ETS(forms=("AAdN",)), "level": ETS(forms=("ANN", "ANA"))}
    labels = {"target": "demand", "keys": KEYS, "backtest_horizon": 8}
    fitted = source.fit_arrays_with_subsets(arrays, subsets, **labels)
    assert fitted.keys() == subsets.keys()
    assert "_also_forms" not in source.__dict__
    assert all("also" not in chunk["state"] for chunk in source.states_)
    for name, model in [("source", source), *fitted.items()]:
        alone = clone(model).fit_arrays(arrays, **labels)
        np.testing.assert_array_equal(model.point_forecasts(6), alone.point_forecasts(6))
        np.testing.assert_array_equal(model.cv_forecasts(8), alone.cv_forecasts(8))
        assert (model.fitted_summary_["ets_form"].tolist()
                == alone.fitted_summary_["ets_form"].tolist()), name
    # the level-only subset never picks a trend
    assert not fitted["level"].fitted_summary_["ets_form"].str.contains("AA").any()


def test_backtests_of_the_subsets_equal_each_models_own(arrays):
    source = ETS(forms=("ANN", "AAN", "AAdN"))
    damped = {"damped": ETS(forms=("AAdN",))}
    source.fit_arrays_with_subsets(arrays, damped, target="demand", keys=KEYS)
    own, others = source.cv_forecasts_with_subsets(3, damped)
    assert near(own, source.cv_forecasts(3))
    assert near(others["damped"], damped["damped"].cv_forecasts(3))
    assert own.shape == (arrays.n_series, 5, 3)
    first, few = source.cv_forecasts_with_subsets(3, damped, n_windows=2)
    assert first.shape == (arrays.n_series, 2, 3)
    np.testing.assert_array_equal(first, own[:, :2])
    np.testing.assert_array_equal(few["damped"], others["damped"][:, :2])


def test_a_model_that_is_not_a_subset_is_refused(arrays):
    source = ETS(forms=("ANN", "AAN"))
    with pytest.raises(ParameterError, match=r"\['wider'\] are not this ETS"):
        source.fit_arrays_with_subsets(arrays, {"wider": ETS(forms=("ANN", "AAdN"))},
                                       target="demand", keys=KEYS)
    source.fit_arrays(arrays, target="demand", keys=KEYS)
    with pytest.raises(ParameterError, match=r"\['naive'\] are not this ETS"):
        source.cv_forecasts_with_subsets(4, {"naive": Naive()})


def test_a_subclass_and_mean_reuse_the_longer_backtests_and_give_their_own():
    """A shorter horizon refits only the origins the fit's backtests do not cover, for a
    subclass of ETS (and its damped subset) and for Mean, with each model's own numbers."""
    truth = tg.datasets.make_synthetic(n_regions=3, industries=4, n_periods=24, seed=0).truth
    candidates = {"ets": RecordingETS(forms=("ANN", "AAN", "AAdN")),
                  "damped": RecordingETS(forms=("AAdN",)), "mean": RecordingMean(),
                  "drift": Drift()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        auto = AutoForecaster(candidates=candidates, n_jobs=1).fit(
            truth, target="demand", keys=KEYS)
    RecordingETS.origins.clear()
    RecordingMean.origins.clear()
    reused = auto.cv_forecasts(6)             # the fit backtested 8 steps, 5 origins
    assert RecordingETS.origins == [2]        # origins 2..4 of 6 steps are 0..2 of 8 steps
    assert RecordingMean.origins == [2]
    for name, model in auto.candidates_.items():
        own = clone(model).fit_arrays(auto.arrays_, target="demand",
                                      keys=KEYS).cv_forecasts(6)
        assert near(auto._candidate_forecasts(6)[name], own), name
    assert reused.shape == (auto.arrays_.n_series, 5, 6)
