"""AutoForecaster work done once: candidates that share ETS forms; each horizon's own origins;
cheap chunks kept in the calling process."""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.models import _parallel, base
from talentgap.models._ranking import form_subsets as _form_subsets
from talentgap.models._series import to_arrays
from talentgap.models.auto import AutoForecaster, default_candidates
from talentgap.models.baselines import Drift
from talentgap.models.ets import ETS

H = 8  # the default selection horizon for quarterly data


def table(n_series: int = 30, n_periods: int = 22, seed: int = 3) -> pd.DataFrame:
    """Quarterly counts: trends, seasons, noise, a few short series."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_periods)
    frames = []
    for i in range(n_series):
        level = rng.uniform(20, 200)
        values = (level + rng.normal(0, 2) * t + rng.uniform(0, 10) * np.sin(t * np.pi / 2)
                  + rng.normal(0, level * 0.05, n_periods))
        start = 14 if i % 10 == 0 else 0      # some series with 8 observations only
        frames.append(pd.DataFrame({
            "id": f"s{i:02d}",
            "period": pd.period_range("2019Q1", periods=n_periods, freq="Q")[start:],
            "value": np.maximum(values, 0).round()[start:]}))
    return pd.concat(frames, ignore_index=True)


def test_the_damped_candidate_is_chosen_from_the_ets_candidates_form_fits():
    models = default_candidates(4)
    assert _form_subsets(models) == {"ets": ["damped"]}
    # a different parameter (or no explicit forms) is not a subset
    models["damped"] = ETS(forms=("AAdN", "AAdA"), n_windows=3)
    assert _form_subsets(models) == {}
    assert _form_subsets({"a": ETS(), "b": ETS(forms=("ANN",))}) == {}


def test_shared_form_fits_give_what_each_ets_candidate_gives_alone():
    df = table()
    auto = AutoForecaster(n_jobs=1).fit(df, keys=["id"])
    arrays = to_arrays(df, target="value", time="period", keys=["id"])
    for name in ("ets", "damped"):
        alone = default_candidates(4)[name].set_params(nonnegative=True).fit_arrays(
            arrays, target="value", keys=["id"], backtest_horizon=H)
        shared = auto.candidates_[name]
        np.testing.assert_array_equal(shared.cv_forecasts(H), alone.cv_forecasts(H))
        np.testing.assert_array_equal(shared.point_forecasts(H), alone.point_forecasts(H))
        pd.testing.assert_frame_equal(shared.fitted_summary_, alone.fitted_summary_)
        assert all("also" not in chunk["state"] for chunk in shared.states_)
    assert list(auto.candidates_) == list(default_candidates(4))


def test_shared_form_fits_are_the_same_in_parallel_chunks(monkeypatch):
    monkeypatch.setattr(base, "CHUNK_SIZE", 7)
    df = table()
    one = AutoForecaster(n_jobs=1).fit(df, keys=["id"])
    two = AutoForecaster(n_jobs=2).fit(df, keys=["id"])
    assert len(two.candidates_["damped"].chunks_) == 5
    pd.testing.assert_frame_equal(one.predict(6, level=[80]), two.predict(6, level=[80]))


def test_a_longer_horizon_has_origins_of_its_own():
    auto = AutoForecaster(candidates={"drift": Drift()}, n_jobs=1).fit(table(), keys=["id"])
    errors = auto.cv_errors(H + 2)
    # origin 0 of a 10-step backtest holds out the last 10 periods: step 1 is period 12
    values = auto.arrays_.values
    forecasts = auto.cv_forecasts(H + 2)
    row = 1
    np.testing.assert_allclose(errors[row, 0, 0], values[row, -(H + 2)] - forecasts[row, 0, 0])


def test_models_without_announced_backtests_keep_their_own_origins():
    df = table()
    drift = Drift().fit(df, keys=["id"])
    values = drift.arrays_.values
    errors = drift.cv_errors(2)
    # origin 0 of a 2-step backtest: the last 2 periods, drift from the 20 before
    history = values[1, :-2]
    slope = (history[-1] - history[0]) / (history.size - 1)
    expected = values[1, -2:] - (history[-1] + slope * np.array([1.0, 2.0]))
    np.testing.assert_allclose(errors[1, 0], expected)


def test_cheap_chunks_stay_in_this_process_and_give_the_same_results(monkeypatch):
    monkeypatch.setattr(base, "CHUNK_SIZE", 7)
    df = table()
    sent = []
    real = _parallel.Parallel

    class Counting(real):
        def __call__(self, tasks):
            tasks = list(tasks)
            sent.append(len(tasks))
            return super().__call__(tasks)

    monkeypatch.setattr(_parallel, "Parallel", Counting)
    expected = Drift(n_jobs=1).fit(df, keys=["id"]).cv_errors(3)
    monkeypatch.setattr(_parallel, "CHEAP_TASK_SECONDS", 10.0)  # (drift takes microseconds)
    got = Drift(n_jobs=2).fit(df, keys=["id"]).cv_errors(3)
    assert sent == []                                    # every chunk ran here
    np.testing.assert_array_equal(got, expected)
    monkeypatch.setattr(_parallel, "CHEAP_TASK_SECONDS", 0.0)  # nothing is cheap: workers get
    got = Drift(n_jobs=2).fit(df, keys=["id"]).cv_errors(3)   # every chunk but the first
    assert sent == [4, 4]                                 # 5 chunks: fit, then backtests
    np.testing.assert_array_equal(got, expected)
