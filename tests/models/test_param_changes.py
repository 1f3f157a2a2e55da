"""A parameter changed after fit takes effect at the next fit, whatever was called before.

Until then every method uses the parameters the fit recorded (``params_``), so a
forecast never depends on whether ``predict`` ran before ``set_params`` (the interval
backtests and the gap model's sample paths are kept between calls).
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning


def _table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    periods = pd.period_range("2010Q1", periods=24, freq="Q")
    return pd.DataFrame({"id": np.repeat(list("abc"), 24), "period": np.tile(periods, 3),
                         "value": 50 + rng.normal(0, 5, 72)})


def _forecast(model, *, predict_first: bool, change) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        model.fit(_table(), keys=["id"])
        if predict_first:  # fills the interval caches with the fitted n_windows
            model.predict(6, level=[80])
        change(model)
        return model.predict(6, level=[80])


def _set_two(model):
    model.set_params(n_windows=2)


def _assign_two(model):
    model.n_windows = 2


@pytest.mark.parametrize("make", [tg.models.Naive, tg.models.ETS, tg.models.Theta,
                                  tg.models.AutoForecaster])
@pytest.mark.parametrize("change", [_set_two, _assign_two])
def test_n_windows_changed_after_fit_waits_for_the_next_fit(make, change):
    before = _forecast(make(n_windows=8), predict_first=True, change=change)
    after = _forecast(make(n_windows=8), predict_first=False, change=change)
    unchanged = _forecast(make(n_windows=8), predict_first=False, change=lambda m: None)
    pd.testing.assert_frame_equal(before, unchanged)
    pd.testing.assert_frame_equal(after, unchanged)


def test_the_change_applies_at_the_next_fit():
    model = tg.models.Naive(n_windows=8)
    changed = _forecast(model, predict_first=True, change=_set_two)
    refitted = model.fit(_table(), keys=["id"]).predict(6, level=[80])
    fresh = tg.models.Naive(n_windows=2).fit(_table(), keys=["id"]).predict(6, level=[80])
    pd.testing.assert_frame_equal(refitted, fresh)
    # the two settings do give different intervals: the check above can fail
    assert not np.allclose(refitted["hi_80"], changed["hi_80"])
    assert model.params_["n_windows"] == 2


def test_a_saved_model_keeps_the_parameters_of_its_fit(tmp_path):
    model = tg.models.Naive(n_windows=8).fit(_table(), keys=["id"])
    expected = model.predict(6, level=[80])
    model.set_params(n_windows=2)
    model.save(tmp_path / "model")
    loaded = tg.load(tmp_path / "model")
    assert loaded.n_windows == 2 and loaded.params_["n_windows"] == 8
    pd.testing.assert_frame_equal(loaded.predict(6, level=[80]), expected)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
    return tg.features.build_panel(data.surveys, data.training, lead_time=1)


def _gap(panel, *, predict_first: bool, change) -> tuple[pd.DataFrame, int]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        model = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50)
        model.fit(panel)
        if predict_first:  # keeps the simulation inputs of 3 periods
            model.predict(3)
        change(model)
        return model.predict(3, level=[80]), model.sample_paths(3).n_samples


@pytest.mark.parametrize("change", [lambda m: m.set_params(n_samples=2000),
                                    lambda m: setattr(m, "n_samples", 2000)])
def test_gap_parameters_changed_after_fit_wait_for_the_next_fit(panel, change):
    before, before_samples = _gap(panel, predict_first=True, change=change)
    after, after_samples = _gap(panel, predict_first=False, change=change)
    unchanged, samples = _gap(panel, predict_first=False, change=lambda m: None)
    pd.testing.assert_frame_equal(before, unchanged)
    pd.testing.assert_frame_equal(after, unchanged)
    assert before_samples == after_samples == samples == 50


def test_gap_n_samples_applies_at_the_next_fit(panel):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        model = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50)
        model.fit(panel).predict(3)
        model.set_params(n_samples=2000).fit(panel)
        fresh = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=2000)
        pd.testing.assert_frame_equal(model.predict(3), fresh.fit(panel).predict(3))
    assert model.sample_paths(3).n_samples == 2000


def test_gap_horizon_is_read_at_each_call(panel):
    """The one parameter read when used: a service fixes it on a loaded model."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        model = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50)
        model.fit(panel).prepare(2)
        model.set_params(horizon=3)
        assert not model.prepared(2)          # the kept inputs are those of a 2-period span
        model.prepare(3)
        assert model.prepared(2) and model.prepared(3) and not model.prepared(4)
        fixed = model.predict(2)
        fresh = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50, horizon=3)
        pd.testing.assert_frame_equal(fixed, fresh.fit(panel).predict(2))


def test_reconcile_changed_after_fit_waits_for_the_next_fit():
    data = tg.datasets.make_synthetic(n_regions=3, industries=2, n_periods=16, seed=4)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    regions = list(panel["region"].cat.categories)
    levels = {"region": {r: "north" if i < 2 else "south" for i, r in enumerate(regions)}}

    def run(*, predict_first: bool, reconcile: str = "ols", later: str | None = None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)
            # ETS is not linear in the data: Drift or Naive forecasts would add up already
            model = tg.models.GapForecaster(forecaster=tg.models.ETS(), n_samples=100,
                                            hierarchy=levels, reconcile=reconcile).fit(panel)
            if predict_first:
                model.predict(2)
            if later is not None:
                model.set_params(reconcile=later)
            return model.predict(2)

    unchanged = run(predict_first=False)
    pd.testing.assert_frame_equal(run(predict_first=True, later="bottom_up"), unchanged)
    pd.testing.assert_frame_equal(run(predict_first=False, later="bottom_up"), unchanged)
    # bottom_up does give other forecasts: the checks above can fail
    assert not np.allclose(run(predict_first=False, reconcile="bottom_up")["demand"],
                           unchanged["demand"])
