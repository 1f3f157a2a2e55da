"""One conformance check of the forecaster contract, run over every forecaster class.

The contract (``talentgap.models.base``): ``fit(df, target=, time=, keys=)``
returns ``self``; ``predict(horizon, level=)`` returns ``<keys...>, period,
mean, lo_<level>, hi_<level>`` with one row per series and step, starting
after each series' own last observed period; intervals are nested; the
estimator clones like a scikit-learn estimator; results do not depend on
``n_jobs`` or on how the series are split into chunks; the input is never
modified.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import talentgap as tg
from talentgap._registry import all_estimators
from talentgap.errors import NotFittedError
from talentgap.models import base
from talentgap.models.baselines import Drift

# Some models leave a few short series without errors at the later origins, so the
# pooled 95% quantile can warn that it has too few errors; that is not what is tested here.
pytestmark = pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")

KEYS = ["region", "industry"]
LEVELS = [80, 95]
HORIZON = 5
COLUMNS = [*KEYS, "period", "mean", "lo_80", "hi_80", "lo_95", "hi_95"]

#: Settings that keep the slower forecasters fast here; every other one runs as constructed.
FAST = {
    "GlobalBoosting": {"max_iter": 15, "min_samples_leaf": 5, "max_leaf_nodes": 7},
    "SARIMAX": {"order": (1, 1, 0), "auto": False, "n_windows": 5},
}
#: One factory per registered forecaster class: the list is the registry's, so a new
#: forecaster is checked as soon as it registers.
FACTORIES = {name: (lambda cls=cls, name=name: cls(**FAST.get(name, {})))
             for name, cls in all_estimators(kind="forecaster")}
SLOW = {"SARIMAX"}
ALL = [pytest.param(name, marks=pytest.mark.slow) if name in SLOW else name
       for name in FACTORIES]


# ---- data ---------------------------------------------------------------------------------------
#: (region, industry, length, last period) per quarterly series.
QUARTERLY = [("R1", "a", 16, "2024Q4"), ("R1", "b", 20, "2024Q2"), ("R1", "c", 24, "2023Q4"),
             ("R2", "d", 26, "2024Q3"), ("R2", "e", 28, "2024Q4"), ("R2", "f", 30, "2025Q1")]
#: The quarter missing inside series c.
MISSING = ("c", pd.Period("2022Q2", freq="Q"))


def make_table(freq: str = "Q", specs=None) -> pd.DataFrame:
    """Deterministic count data: trend + season + noise, whole numbers >= 0.

    Series ``a`` declines towards zero, so unclipped forecasts of the
    trend-following models go negative. Series ``c`` lacks one inside period.
    """
    specs = QUARTERLY if specs is None else specs
    period = {"Q": 4, "Y": 1, "M": 12}[freq]
    rng = np.random.default_rng(2024)
    frames = []
    for i, (region, industry, n, end) in enumerate(specs):
        t = np.arange(n)
        if industry == "a":
            level = 40.0 - 2.6 * t
        else:
            level = 50.0 + 10 * i + 0.8 * t
        season = 6 * np.sin(2 * np.pi * t / period) if period > 1 else 0.0
        y = np.clip(np.round(level + season + rng.normal(0, 2, n)), 0, None)
        frames.append(pd.DataFrame({
            "region": region, "industry": industry,
            "period": pd.period_range(end=end, periods=n, freq=freq), "value": y}))
    df = pd.concat(frames, ignore_index=True)
    if freq == "Q":
        drop = (df["industry"] == MISSING[0]) & (df["period"] == MISSING[1])
        df = df.loc[~drop].reset_index(drop=True)
    return df


ANNUAL = [("R1", "a", 12, "2024"), ("R1", "b", 16, "2023"), ("R2", "c", 20, "2025"),
          ("R2", "d", 14, "2024")]
MONTHLY = [("R1", "a", 30, "2024-12"), ("R1", "b", 36, "2024-06"), ("R2", "c", 40, "2025-02"),
           ("R2", "d", 48, "2024-12")]


# ---- fitted models, fitted once per module ------------------------------------------------------
_FITTED: dict[str, tuple] = {}


def fitted(name: str):
    """(model, input table, forecasts) for the quarterly table, fitted once."""
    if name not in _FITTED:
        df = make_table()
        model = FACTORIES[name]()
        returned = model.fit(df, target="value", time="period", keys=KEYS)
        out = model.predict(horizon=HORIZON, level=LEVELS)
        _FITTED[name] = (model, returned, df, out)
    return _FITTED[name]


def expected_periods(df: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Every series' next ``horizon`` periods after its own last observed period."""
    last = df.dropna(subset=["value"]).groupby(KEYS, sort=True)["period"].max()
    rows = [(*key, end + step) for key, end in last.items() for step in range(1, horizon + 1)]
    return pd.DataFrame(rows, columns=[*KEYS, "period"])


def check_layout(out: pd.DataFrame, df: pd.DataFrame, horizon: int, levels) -> None:
    columns = [*KEYS, "period", "mean"]
    for level in levels:
        columns += [f"lo_{level}", f"hi_{level}"]
    assert list(out.columns) == columns
    expected = expected_periods(df, horizon)
    assert len(out) == len(expected)
    pd.testing.assert_frame_equal(out[[*KEYS, "period"]].reset_index(drop=True), expected,
                                  check_dtype=False)
    assert isinstance(out["period"].dtype, pd.PeriodDtype)
    assert out["period"].dtype == df["period"].dtype
    assert not out.isna().any().any()


def check_nested(out: pd.DataFrame) -> None:
    assert (out["lo_95"] <= out["lo_80"]).all()
    assert (out["lo_80"] <= out["mean"]).all()
    assert (out["mean"] <= out["hi_80"]).all()
    assert (out["hi_80"] <= out["hi_95"]).all()
    # the intervals are real intervals, not points
    assert (out["hi_95"] - out["lo_95"] > 0).any()


# ---- the contract -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_fit_returns_self_and_predict_has_the_contract_layout(name):
    model, returned, df, out = fitted(name)
    assert returned is model
    assert list(out.columns) == COLUMNS
    check_layout(out, df, HORIZON, LEVELS)
    # (check_layout compares every row's keys and period in order: series, then step)
    assert out.groupby(KEYS).ngroups == len(QUARTERLY)


@pytest.mark.parametrize("name", ALL)
def test_intervals_are_nested_around_the_mean(name):
    _, _, _, out = fitted(name)
    check_nested(out)


@pytest.mark.parametrize("name", ALL)
def test_count_data_defaults_to_nonnegative_forecasts_and_bounds(name):
    model, _, _, out = fitted(name)
    assert model.nonnegative is None  # the default, resolved from the data
    assert model.nonnegative_ is True
    assert (out[["mean", "lo_80", "hi_80", "lo_95", "hi_95"]] >= 0).all().all()


def test_the_declining_series_would_go_negative_without_clipping():
    # Guards the previous test: series "a" really needs the clipping.
    df = make_table()
    out = Drift(nonnegative=False).fit(df, keys=KEYS).predict(HORIZON, level=LEVELS)
    a = out[out["industry"] == "a"]
    assert (a["mean"] < 0).all()
    clipped = Drift().fit(df, keys=KEYS).predict(HORIZON, level=LEVELS)
    a = clipped[clipped["industry"] == "a"]
    assert (a["mean"] == 0).all() and (a["lo_95"] == 0).all()


@pytest.mark.parametrize("name", ALL)
def test_clone_gives_an_unfitted_estimator_with_equal_params(name):
    model, _, _, _ = fitted(name)
    params = model.get_params(deep=False)
    copy = clone(model)
    assert type(copy) is type(model)
    assert copy.get_params(deep=False) == params
    assert not hasattr(copy, "states_") and not hasattr(copy, "fitted_summary_")
    with pytest.raises(NotFittedError, match=r"fit\(df"):
        copy.predict(HORIZON)
    # get_params round-trips through the constructor and through set_params
    rebuilt = type(model)(**params)
    assert rebuilt.get_params(deep=False) == params
    assert clone(rebuilt).set_params(**params).get_params(deep=False) == params


@pytest.mark.parametrize("name", ALL)
def test_predict_before_fit_raises_not_fitted(name):
    with pytest.raises(NotFittedError, match=f"this {name} is not fitted yet"):
        FACTORIES[name]().predict(horizon=HORIZON, level=LEVELS)


@pytest.mark.parametrize("name", ALL)
def test_fitted_summary_has_one_row_per_series(name):
    model, _, df, _ = fitted(name)
    summary = model.fitted_summary_
    assert len(summary) == len(QUARTERLY)
    for column in [*KEYS, "model", "n_obs", "fallback_reason"]:
        assert column in summary.columns
    assert summary["industry"].tolist() == [spec[1] for spec in QUARTERLY]
    assert summary["n_obs"].tolist() == [spec[2] for spec in QUARTERLY]
    interpolated = dict(zip(summary["industry"], summary["n_interpolated"], strict=True))
    assert interpolated == {"a": 0, "b": 0, "c": 1, "d": 0, "e": 0, "f": 0}
    # every series is long enough for every model: nothing fell back
    assert summary["fallback_reason"].isna().all()


@pytest.mark.parametrize("name", ALL)
def test_input_table_is_not_modified(name):
    _, _, df, _ = fitted(name)
    pd.testing.assert_frame_equal(df, make_table())
    # and a second, explicit round on a frame we keep a deep copy of
    df = make_table()
    before = df.copy(deep=True)
    FACTORIES[name]().fit(df, keys=KEYS).predict(2, level=[80])
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize("name", ALL)
def test_same_forecasts_for_any_n_jobs_and_chunk_size(name, monkeypatch):
    _, _, df, reference = fitted(name)
    # small chunks, in this process and then through joblib workers (with one chunk
    # joblib is not used at all, so n_jobs=2 alone would test nothing)
    monkeypatch.setattr(base, "CHUNK_SIZE", 2)
    for n_jobs in (1, 2):
        model = FACTORIES[name]().set_params(n_jobs=n_jobs).fit(df, keys=KEYS)
        if name not in ("GlobalBoosting", "AutoForecaster"):  # pooled / combined: one chunk
            assert len(model.chunks_) == 3
        pd.testing.assert_frame_equal(model.predict(HORIZON, level=LEVELS), reference,
                                      rtol=1e-10, atol=1e-10)
    monkeypatch.undo()
    assert base.CHUNK_SIZE == 500
    model = FACTORIES[name]().set_params(n_jobs=2).fit(df, keys=KEYS)
    pd.testing.assert_frame_equal(model.predict(HORIZON, level=LEVELS), reference,
                                  rtol=1e-10, atol=1e-10)


# ---- other frequencies --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_annual_periods(name):
    df = make_table("Y", ANNUAL)
    model = FACTORIES[name]().fit(df, keys=KEYS)
    assert model.season_length_ == 1
    out = model.predict(3, level=LEVELS)
    check_layout(out, df, 3, LEVELS)
    check_nested(out)
    assert out["period"].astype(str).tolist()[:3] == ["2025", "2026", "2027"]


MONTHLY_MODELS = ["Naive", "SeasonalNaive", "ETS", "Theta",
                  pytest.param("AutoForecaster", marks=pytest.mark.slow)]


@pytest.mark.parametrize("name", MONTHLY_MODELS)
def test_monthly_periods(name):
    df = make_table("M", MONTHLY)
    # as period labels, the way they arrive from a CSV
    df["period"] = df["period"].astype(str)
    model = FACTORIES[name]().fit(df, keys=KEYS)
    assert model.season_length_ == 12
    out = model.predict(14, level=LEVELS)
    check_layout(out, df.assign(period=pd.PeriodIndex(df["period"], freq="M")), 14, LEVELS)
    check_nested(out)
    first = out.groupby(KEYS)["period"].first().astype(str).tolist()
    assert first == ["2025-01", "2024-07", "2025-03", "2025-01"]


# ---- predict is a pure function of the fitted state ---------------------------------------------
def _learned_state(model) -> dict:
    """Every attribute that is not a constructor parameter or a declared cache."""
    skip = set(model.get_params(deep=False)) | set(type(model)._transient_attributes)
    return {k: v for k, v in vars(model).items() if k not in skip}


def _assert_same_state(before: dict, after: dict, path: str = "model") -> None:
    assert before.keys() == after.keys(), f"{path}: attributes changed"
    for key, old in before.items():
        new = after[key]
        where = f"{path}.{key}"
        if isinstance(old, pd.DataFrame):
            pd.testing.assert_frame_equal(new, old, obj=where)
        elif isinstance(old, np.ndarray):
            assert old.dtype == new.dtype, where
            if old.dtype == object:
                assert old.tolist() == new.tolist(), where
            else:
                np.testing.assert_array_equal(new, old, err_msg=where)
        elif isinstance(old, dict):
            assert old.keys() == new.keys(), where
        elif hasattr(old, "get_params") and hasattr(old, "_transient_attributes"):
            _assert_same_state(_learned_state_snapshot(old), _learned_state(new), where)


def _learned_state_snapshot(model) -> dict:
    """A deep-enough copy of the learned state to compare after later calls."""
    out = {}
    for key, value in _learned_state(model).items():
        if isinstance(value, (pd.DataFrame, np.ndarray)):
            out[key] = value.copy()
        elif isinstance(value, dict):
            out[key] = dict(value)
        else:
            out[key] = value
    return out


@pytest.mark.parametrize("name", ALL)
def test_predict_leaves_the_fitted_state_unchanged(name):
    model = FACTORIES[name]().fit(make_table(), keys=KEYS)
    before = _learned_state_snapshot(model)
    model.predict(HORIZON, level=LEVELS)
    model.predict(2 * HORIZON + 1, level=[50])
    model.cv_errors(3)
    _assert_same_state(before, _learned_state(model))


# ---- the gap model ------------------------------------------------------------------------------
GAP_MODELS = [name for name, _ in all_estimators(kind="gap")]


def _panel() -> pd.DataFrame:
    data = tg.datasets.make_synthetic(n_regions=2, industries=3, n_periods=16, seed=3)
    return tg.features.build_panel(data.surveys, data.training, lead_time=1)


def _gap_model(name):
    return dict(all_estimators())[name](forecaster=Drift(), n_samples=200)


@pytest.mark.parametrize("name", GAP_MODELS)
def test_gap_model_contract(name):
    panel = _panel()
    before = panel.copy(deep=True)
    model = _gap_model(name)
    with pytest.raises(NotFittedError, match=r"fit\(panel\)"):
        model.predict(3)
    assert model.fit(panel) is model
    pd.testing.assert_frame_equal(panel, before)  # the input is not modified
    out = model.predict(3, level=[80, 95])
    assert list(out.columns[:11]) == ["region", "industry", "period", "demand", "supply",
                                      "gap", "gap_lo_80", "gap_hi_80", "gap_lo_95",
                                      "gap_hi_95", "p_shortage"]
    assert len(out) == 3 * panel[["region", "industry"]].drop_duplicates().shape[0]
    assert (out["gap_lo_95"] <= out["gap_lo_80"]).all()
    assert (out["gap_lo_80"] <= out["gap"]).all() and (out["gap"] <= out["gap_hi_80"]).all()
    assert (out["gap_hi_80"] <= out["gap_hi_95"]).all()
    assert out["p_shortage"].between(0, 1).all()
    copy = clone(model)
    assert copy.get_params(deep=False).keys() == model.get_params(deep=False).keys()
    assert not hasattr(copy, "seed_")


@pytest.mark.parametrize("name", GAP_MODELS)
def test_gap_model_predict_leaves_the_fitted_state_unchanged(name):
    model = _gap_model(name).fit(_panel())
    before = _learned_state_snapshot(model)
    first = model.predict(3, level=[80])
    model.sample_paths(5)
    model.predict(2, level=[95])
    _assert_same_state(before, _learned_state(model))
    pd.testing.assert_frame_equal(model.predict(3, level=[80]), first)
