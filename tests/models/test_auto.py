"""AutoForecaster: hard series never break the fit; combination weights; exogenous regressors;
interval coverage on simulated short series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, ParameterError, SchemaError
from talentgap.models._ranking import mean_errors as _mean_errors
from talentgap.models.auto import AutoForecaster, ranking_scores
from talentgap.models.baselines import Drift, Naive, SeasonalNaive
from talentgap.models.ets import ETS

LEVELS = [80, 95]


def series(key: str, values, end: str = "2024Q4") -> pd.DataFrame:
    values = np.asarray(values, dtype=np.float64)
    return pd.DataFrame({"id": key, "period": pd.period_range(end=end, periods=len(values),
                                                              freq="Q"), "value": values})


def normal_series() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(11)
    t = np.arange(24)
    return {
        "normal_seasonal": series("normal_seasonal", 100 + 2 * t + np.tile([5.0, -3, -6, 4], 6)
                                  + rng.normal(0, 2, 24)),
        "normal_trend": series("normal_trend", 40 + 0.5 * t + rng.normal(0, 1.5, 24),
                               end="2024Q2"),
    }


def hard_series() -> dict[str, pd.DataFrame]:
    """One frame per hard case (key -> long table of that one series)."""
    rng = np.random.default_rng(12)
    t = np.arange(24)
    gap = series("gap", 60 + t + rng.normal(0, 1, 24))
    gap = gap.drop(index=[10, 11]).reset_index(drop=True)      # two missing quarters
    nan_inside = series("nan_inside", 30 + rng.normal(0, 1, 20))
    nan_inside.loc[7, "value"] = np.nan                         # a NaN target row inside
    nan_end = series("nan_end", 30 + rng.normal(0, 1, 20))
    nan_end.loc[17:, "value"] = np.nan                          # last observed: 2024Q1
    intermittent = np.zeros(24)
    intermittent[[2, 6, 11, 17, 20]] = [3, 1, 2, 1, 4]
    return {
        "one": series("one", [5.0]),
        "two": series("two", [5.0, 7.0]),
        "three": series("three", [5.0, 7.0, 6.0]),
        "constant": series("constant", np.full(20, 12.0)),
        "zeros": series("zeros", np.zeros(20)),
        "intermittent": series("intermittent", intermittent),
        "gap": gap,
        "nan_inside": nan_inside,
        "nan_end": nan_end,
        "huge": series("huge", 1e12 * (1 + 0.01 * rng.normal(size=24))),
        "negative": series("negative", -50 + rng.normal(0, 5, 24)),
    }


# The hard-case tables hold very short series on purpose; the warning that names them is
# asserted in test_very_short_series_get_naive_style_forecasts_and_reasons.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*too short for some candidate models:talentgap.errors.DataQualityWarning")


def fit_auto(df: pd.DataFrame, **kwargs) -> AutoForecaster:
    return AutoForecaster(**kwargs).fit(df, target="value", time="period", keys=["id"])


def check_forecasts(out: pd.DataFrame, n_series: int, horizon: int) -> None:
    assert len(out) == n_series * horizon
    assert np.isfinite(out.drop(columns=["id", "period"]).to_numpy()).all()


# ---- hard cases, one at a time ------------------------------------------------------------------
@pytest.mark.filterwarnings("error::RuntimeWarning")  # no numpy noise from empty backtests
@pytest.mark.parametrize("n", [1, 2, 3])
def test_very_short_series_get_naive_style_forecasts_and_reasons(n):
    values = [5.0, 7.0, 6.0][:n]
    with pytest.warns(DataQualityWarning, match="too short for some candidate models"):
        fc = fit_auto(series("s", values))
    out = fc.predict(4)
    check_forecasts(out, 1, 4)
    # every candidate forecast is the fallback (mean below 3 observations, else the last
    # value) or, for the short-series models, their own: the level stays in the data's range
    assert out["mean"].between(min(values) - 3, max(values) + 3).all()
    reason = fc.fitted_summary_.loc[0, "fallback_reason"]
    assert reason.startswith("series too short for ets, ")
    observations = f"{n} observation{'' if n == 1 else 's'}"
    assert reason.endswith(f"{observations}; {'naive' if n >= 3 else 'mean'} forecast used")
    assert f"too short for ets, {'' if n >= 3 else 'theta, '}damped" in reason
    label = fc.fitted_summary_.loc[0, "model"]
    assert label.startswith("naive 0.67" if n >= 3 else "mean ")
    assert label.endswith(f": {observations})") and "ets 0." not in label
    assert fc.fitted_summary_.loc[0, "n_obs"] == n
    if n == 1:
        np.testing.assert_allclose(out["mean"], 5.0)
    # no origin to backtest from: intervals are refused with a reason, not made up
    with pytest.raises(ParameterError, match="rolling-origin errors"):
        fc.predict(4, level=LEVELS)


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
@pytest.mark.parametrize("case", ["constant", "zeros", "intermittent", "gap", "nan_inside",
                                  "nan_end", "huge", "negative"])
def test_hard_series_alone_fit_and_forecast(case):
    df = hard_series()[case]
    nonnegative = False if case == "negative" else None
    fc = fit_auto(df, nonnegative=nonnegative)
    out = fc.predict(4, level=LEVELS)
    check_forecasts(out, 1, 4)
    summary = fc.fitted_summary_.iloc[0]
    observed = df["value"].dropna()
    if case == "constant":
        np.testing.assert_allclose(out["mean"], 12.0)
    elif case == "zeros":
        assert fc.nonnegative_ is True
        np.testing.assert_allclose(out[["mean", "lo_95", "hi_95"]], 0.0)
    elif case == "intermittent":
        assert fc.nonnegative_ is True
        assert (out[["mean", "lo_80", "lo_95"]] >= 0).all().all()
        assert out["mean"].between(0, observed.max()).all()
        assert (out["hi_95"] > 0).all()
    elif case in ("gap", "nan_inside"):
        assert summary["n_interpolated"] == {"gap": 2, "nan_inside": 1}[case]
        assert out["period"].iloc[0] == pd.Period("2025Q1", freq="Q")
    elif case == "nan_end":
        assert summary["n_obs"] == 17
        assert out["period"].astype(str).tolist() == ["2024Q2", "2024Q3", "2024Q4", "2025Q1"]
    elif case == "huge":
        assert np.allclose(out["mean"] / 1e12, 1.0, atol=0.05)
        assert (out["hi_95"] > out["lo_95"]).all()
    elif case == "negative":
        assert fc.nonnegative_ is False
        assert (out["mean"] < 0).all() and (out["lo_95"] < out["mean"]).all()
        assert out["mean"].between(-65, -35).all()


def test_negative_values_switch_off_the_count_data_default():
    df = hard_series()["negative"]
    assert fit_auto(df).nonnegative_ is False
    forced = fit_auto(df, nonnegative=True).predict(2, level=[80])
    assert (forced["mean"] == 0).all() and (forced["lo_80"] == 0).all()
    assert (forced["hi_80"] >= 0).all()


# ---- hard cases mixed with normal series --------------------------------------------------------
@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_a_mixed_table_fits_and_bad_series_do_not_change_normal_forecasts():
    normal = normal_series()
    hard = hard_series()
    df = pd.concat([*normal.values(), *hard.values()], ignore_index=True)
    fc = fit_auto(df, nonnegative=False)
    out = fc.predict(4, level=LEVELS)
    check_forecasts(out, len(normal) + len(hard), 4)
    summary = fc.fitted_summary_.set_index("id")
    assert summary.loc["one", "fallback_reason"] is not None
    assert "too short for ets, theta," in summary.loc["two", "fallback_reason"]
    assert summary.loc["normal_seasonal", "fallback_reason"] is None
    assert summary.loc["gap", "n_interpolated"] == 2
    assert summary.loc["nan_end", "n_obs"] == 17
    assert (out.groupby("id")["period"].first().astype(str)[["nan_end", "normal_trend"]]
            .tolist() == ["2024Q2", "2024Q3"])

    alone = fit_auto(pd.concat(normal.values(), ignore_index=True), nonnegative=False)
    expected = alone.predict(4, level=LEVELS)
    mixed = out[out["id"].isin(list(normal))].reset_index(drop=True)
    pd.testing.assert_series_equal(mixed["mean"], expected["mean"], rtol=1e-10)
    pd.testing.assert_frame_equal(
        fc.weights_.loc[summary.index.get_indexer(list(normal))].reset_index(drop=True),
        alone.weights_)
    # (intervals are calibrated on scaled errors pooled over all series, so those do
    # depend on the other series: by design, not tested for equality; the ranking of
    # the candidates half-pools with the collection too, but the hard series here are
    # not enough to overturn the normal series' clear winners)


# ---- combination --------------------------------------------------------------------------------
def panel() -> pd.DataFrame:
    return pd.concat([*normal_series().values(), hard_series()["gap"],
                      hard_series()["negative"], hard_series()["two"]], ignore_index=True)


@pytest.mark.parametrize("combination", ["top_mean", "mean", "median", "best"])
def test_combination_weights_sum_to_one(combination):
    fc = fit_auto(panel(), combination=combination, nonnegative=False)
    weights = fc.weights_
    assert list(weights.columns) == list(fc.candidates_)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)
    assert (weights >= 0).all().all()
    summary_weights = fc.fitted_summary_[[f"weight_{n}" for n in weights.columns]]
    np.testing.assert_allclose(summary_weights.to_numpy(), weights.to_numpy())
    if combination == "top_mean":
        used = (weights > 0).sum(axis=1)
        # the two best-ranked and the Theta anchor (two when Theta is among them) where
        # backtests exist; all six for the 2-observation series
        assert used.tolist()[-1] == 6 and set(used.tolist()[:-1]) <= {2, 3}
        assert (weights["theta"] > 0).all()
        errors = fc._backtest_errors(8)  # the selection horizon of quarterly data
        scores = np.nanmean(errors[:-1].reshape(len(weights) - 1, -1, errors.shape[-1]),
                            axis=1)
        ranked = np.argsort(ranking_scores(scores), axis=1, kind="stable")[:, :2]
        assert (np.take_along_axis(weights.to_numpy()[:-1], ranked, axis=1) > 0).all()


def test_best_picks_one_candidate_and_forecasts_with_it():
    fc = fit_auto(panel(), combination="best", nonnegative=False)
    out = fc.predict(3)
    ids = fc.fitted_summary_["id"].tolist()
    for row, key in enumerate(ids):
        w = fc.weights_.iloc[row]
        if key == "two":  # no backtest at all: every candidate counts equally
            assert (w > 0).all()
            continue
        assert (w > 0).sum() == 1 and w.max() == 1.0
        chosen = fc.candidates_[w.idxmax()].predict(3)
        np.testing.assert_allclose(out.loc[out["id"] == key, "mean"],
                                   chosen.loc[chosen["id"] == key, "mean"], rtol=1e-12)
        assert fc.fitted_summary_.loc[row, "model"] == f"{w.idxmax()} 1.00"


def test_top_mean_averages_the_top_candidates():
    fc = fit_auto(panel(), top=2, nonnegative=False)
    out = fc.predict(3)
    forecasts = {name: model.predict(3)["mean"].to_numpy().reshape(-1, 3)
                 for name, model in fc.candidates_.items()}
    names = list(fc.candidates_)
    for row, key in enumerate(fc.fitted_summary_["id"]):
        w = fc.weights_.iloc[row]
        if key != "two":
            errors = fc._backtest_errors(int(fc.ranking_horizon_[row]))
            rank = np.argsort(ranking_scores(_mean_errors(errors))[row], kind="stable")
            top = {names[j] for j in rank[:2]}
            assert set(w[w > 0].index) == top | {"theta"}  # the two best and the anchor
            assert np.allclose(w[w > 0], 1 / len(top | {"theta"}))
        expected = sum(w[name] * forecasts[name][row] for name in fc.weights_.columns)
        np.testing.assert_allclose(out.loc[out["id"] == key, "mean"], expected, rtol=1e-12)


def test_ranking_half_pools_each_series_with_the_collection():
    # b is a little better than a on series 0 and much worse on the two others
    errors = np.array([[1.1, 1.0, 5.0], [1.0, 3.0, 5.0], [1.0, 4.0, 5.0]])
    scores = ranking_scores(errors)
    assert np.argmin(scores, axis=1).tolist() == [0, 0, 0]
    own = np.log(errors / errors.min(axis=1, keepdims=True))
    np.testing.assert_allclose(scores, (own + own.mean(axis=0)) / 2)
    # scale-free: a series measured in other units ranks the same
    rescaled = errors * np.array([[1000.0], [1.0], [0.01]])
    np.testing.assert_allclose(ranking_scores(rescaled), scores)
    # a series whose best error is 0 ranks its exact candidates first and adds no evidence
    exact = ranking_scores(np.vstack([errors, [0.0, 2.0, 0.0]]))
    np.testing.assert_allclose(exact[:3], scores)
    assert np.isinf(exact[3, 1]) and np.argmin(exact[3]) == 0
    # a candidate without backtest errors is not ranked
    assert np.isnan(ranking_scores(np.array([[np.nan, 1.0], [2.0, 1.0]]))[0, 0])


def test_anchor_joins_the_top_candidates_or_is_left_out():
    plain = fit_auto(panel(), anchor=None, nonnegative=False)
    used = (plain.weights_ > 0).sum(axis=1)
    assert used.tolist() == [2, 2, 2, 2, 6]
    drift = fit_auto(panel(), anchor="drift", nonnegative=False)
    assert (drift.weights_["drift"] > 0).all()
    # candidates without the anchor's name: the top candidates only
    custom = fit_auto(panel(), candidates={"naive": Naive(), "drift": Drift(),
                                           "snaive": SeasonalNaive()}, nonnegative=False)
    assert (custom.weights_ > 0).sum(axis=1).tolist() == [2, 2, 2, 2, 3]
    with pytest.raises(ParameterError, match="anchor == 3, must be a candidate's name"):
        fit_auto(panel(), anchor=3)


def test_custom_candidates_and_parameter_checks():
    candidates = {"naive": Naive(), "drift": Drift(), "snaive": SeasonalNaive()}
    fc = fit_auto(panel(), candidates=candidates, nonnegative=False)
    assert list(fc.candidates_) == ["naive", "drift", "snaive"]
    assert fc.candidates_["naive"] is not candidates["naive"]  # cloned, not fitted in place
    assert not hasattr(candidates["naive"], "states_")
    with pytest.raises(ParameterError, match="combination == 'vote'"):
        fit_auto(panel(), combination="vote")
    with pytest.raises(ParameterError, match="n_windows == 0"):
        fit_auto(panel(), n_windows=0)
    with pytest.raises(ParameterError, match="candidates is empty"):
        fit_auto(panel(), candidates={})


# ---- exogenous regressors -----------------------------------------------------------------------
def exog_tables(n: int = 20, horizon: int = 4) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Targets driven by a regressor ("places"): value = 20 + 3 * places + noise."""
    rng = np.random.default_rng(2)
    history, future = [], []
    for key in ("a", "b"):
        places = 10 + rng.normal(0, 1, n + horizon).cumsum()
        value = 20 + 3 * places + rng.normal(0, 0.3, n + horizon)
        periods = pd.period_range("2019Q1", periods=n + horizon, freq="Q")
        history.append(pd.DataFrame({"id": key, "period": periods[:n], "value": value[:n],
                                     "places": places[:n]}))
        future.append(pd.DataFrame({"id": key, "period": periods[n:],
                                    "places": places[n:]}))
    return pd.concat(history, ignore_index=True), pd.concat(future, ignore_index=True)


@pytest.fixture(scope="module")
def exog_model():
    df, future = exog_tables()
    fc = AutoForecaster(n_windows=2, selection_horizon=4).fit(df, keys=["id"], exog=["places"])
    return fc, df, future


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_exog_adds_sarimax_and_uses_the_future_values(exog_model):
    fc, _, future = exog_model
    assert "sarimax" in fc.candidates_
    assert fc.candidates_["sarimax"].exog_ == ["places"]
    assert fc.candidates_["ets"].exog_ == []  # models without regressors fit without them
    out = fc.predict(4, level=[80], future=future)
    check_forecasts(out, 2, 4)
    assert list(out.columns) == ["id", "period", "mean", "lo_80", "hi_80"]
    # the forecasts respond to the announced regressor through the SARIMAX candidate
    shifted = fc.predict(4, future=future.assign(places=future["places"] + 10))
    change = (shifted["mean"] - out["mean"]).to_numpy()
    weight = np.repeat(fc.weights_["sarimax"].to_numpy(), 4)
    assert (weight > 0).all()
    np.testing.assert_allclose(change, weight * 30, rtol=0.15)


@pytest.mark.slow
def test_exog_future_is_checked(exog_model):
    fc, _, future = exog_model
    with pytest.raises(ParameterError, match=r"exog=\['places'\]; pass future="):
        fc.predict(4)
    with pytest.raises(SchemaError, match="lacks values of \\['places'\\]") as missing_row:
        fc.predict(4, future=future.iloc[1:])
    assert missing_row.value.column == "places"
    assert missing_row.value.reason == "missing_value"
    with pytest.raises(SchemaError, match="missing columns \\['places'\\]") as missing_col:
        fc.predict(4, future=future.drop(columns="places"))
    assert missing_col.value.column == "places"


def test_models_without_regressors_refuse_exog():
    df, _ = exog_tables()
    with pytest.raises(ParameterError, match="ETS does not use exogenous regressors"):
        ETS().fit(df, keys=["id"], exog=["places"])


# ---- prediction intervals -----------------------------------------------------------------------
def test_intervals_cover_short_simulated_series_at_about_their_level():
    # 200 random walks with drift (steps N(0.5, 2^2)), 10 to 40 years long, forecast 4
    # years ahead and scored against their simulated continuation. Intervals scaled by
    # whole-series scales (the look-ahead the calibration avoids) covered 92% at 95%.
    rng = np.random.default_rng(0)
    frames, future = [], []
    for i in range(200):
        n = int(rng.integers(10, 41))
        y = 100 + np.cumsum(0.5 + 2 * rng.normal(size=n + 4))
        periods = pd.period_range(end="2024", periods=n + 4, freq="Y")
        frames.append(pd.DataFrame({"id": f"s{i:03d}", "period": periods[:n], "value": y[:n]}))
        future.append(pd.DataFrame({"id": f"s{i:03d}", "period": periods[n:], "actual": y[n:]}))
    fc = fit_auto(pd.concat(frames, ignore_index=True), nonnegative=False)
    out = fc.predict(4, level=LEVELS).merge(pd.concat(future), on=["id", "period"])
    assert len(out) == 800
    covered = {level: ((out["actual"] >= out[f"lo_{level}"])
                       & (out["actual"] <= out[f"hi_{level}"])).mean() for level in LEVELS}
    assert 0.72 <= covered[80] <= 0.88
    assert 0.93 <= covered[95] <= 0.99
    assert (out["lo_95"] <= out["lo_80"]).all() and (out["hi_80"] <= out["hi_95"]).all()


def test_easy_series_get_narrower_intervals_than_hard_ones_of_the_same_scale():
    # Half the series are straight lines with small noise (they move a lot per period but
    # drift forecasts them well), half are noise around a level with the same mean absolute
    # change per period (naive-style forecasts cannot do better than the noise). Their MASE
    # scales are alike; their forecast errors are ten times apart. Each series' interval
    # scale carries its difficulty, so the easy series get much narrower intervals, while
    # the intervals still cover about their level over all series. (With errors this far
    # apart the half-pooled factors cannot equalise the two kinds' coverage: the easy
    # series stay covered throughout; tests/models/test_conformal.py checks milder cases.)
    rng = np.random.default_rng(3)
    frames, future = [], []
    for i in range(120):
        t = np.arange(28)
        if i % 2:
            y = 500 + 10.0 * t + rng.normal(0, 1.0, 28)
        else:
            y = 500 + rng.normal(0, 10.0 / 1.13, 28)   # mean |y_t - y_{t-1}| ~ 10
        periods = pd.period_range(end="2024", periods=28, freq="Y")
        frames.append(pd.DataFrame({"id": f"s{i:03d}", "period": periods[:24], "value": y[:24]}))
        future.append(pd.DataFrame({"id": f"s{i:03d}", "period": periods[24:], "actual": y[24:]}))
    fc = AutoForecaster(candidates={"naive": Naive(), "drift": Drift()}, combination="best",
                        nonnegative=False).fit(pd.concat(frames, ignore_index=True), keys=["id"])
    easy = fc.arrays_.ids["id"].str[1:].astype(int).to_numpy() % 2 == 1
    difficulty = fc._difficulty(4)
    assert np.median(difficulty[easy]) < 0.5 * np.median(difficulty[~easy])
    out = fc.predict(4, level=LEVELS).merge(pd.concat(future), on=["id", "period"])
    inside = (out["actual"] >= out["lo_80"]) & (out["actual"] <= out["hi_80"])
    kind = out["id"].str[1:].astype(int) % 2 == 1
    assert 0.72 <= inside.mean() <= 0.88
    width = (out["hi_80"] - out["lo_80"]).to_numpy()
    assert np.median(width[kind.to_numpy()]) < 0.5 * np.median(width[~kind.to_numpy()])
