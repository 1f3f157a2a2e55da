"""Rolling-origin backtests: window placement, no look-ahead, metric sanity, leaderboard."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator

from talentgap.errors import DataQualityWarning, ParameterError, SchemaError
from talentgap.evaluation import BacktestResult, backtest, leaderboard
from talentgap.evaluation.metrics import mase
from talentgap.models import AutoForecaster, GlobalBoosting, Mean, Naive

#: Every fit of a Spy: (training table, exog, future table at predict time).
CALLS: list[dict] = []


class Spy(BaseEstimator):
    """Follows the forecaster contract; records what it is given and forecasts the last value."""

    def fit(self, df, *, target="value", time="period", keys=(), exog=None):
        self.keys_, self.time_, self.target_ = list(keys), time, target
        self.train_ = df.copy()
        self.call_ = {"train": self.train_, "exog": exog, "future": None}
        CALLS.append(self.call_)
        return self

    def predict(self, horizon, *, level=None, future=None):
        self.call_["future"] = future
        self.call_["horizon"] = horizon
        observed = self.train_.dropna(subset=[self.target_])
        last = observed.sort_values(self.time_).groupby(self.keys_, sort=True).tail(1)
        rows = []
        for _, row in last.iterrows():
            for h in range(1, horizon + 1):
                rows.append({**{k: row[k] for k in self.keys_},
                             self.time_: row[self.time_] + h, "mean": row[self.target_]})
        out = pd.DataFrame(rows)
        for lv in level or []:
            out[f"lo_{lv:g}"] = out["mean"] - 1.0
            out[f"hi_{lv:g}"] = out["mean"] + 1.0
        return out


@pytest.fixture(autouse=True)
def _clear_calls():
    CALLS.clear()


def _annual(ends: dict[str, int], start: int = 2010) -> pd.DataFrame:
    """One annual series per id, from ``start`` to its end year, values = year - 2000 + id#."""
    frames = []
    for i, (sid, end) in enumerate(ends.items()):
        years = np.arange(start, end + 1)
        frames.append(pd.DataFrame({"sid": sid, "period": [str(y) for y in years],
                                    "value": (years - 2000 + 10 * i).astype(float)}))
    return pd.concat(frames, ignore_index=True)


def _random_walks(n: int = 40, length: int = 40, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = 100 + rng.normal(size=(n, length)).cumsum(axis=1)
    return pd.DataFrame({"sid": np.repeat([f"s{i:02d}" for i in range(n)], length),
                         "group": np.repeat(["g1", "g2"], n * length // 2),
                         "period": np.tile(pd.period_range("2000", periods=length, freq="Y"),
                                           n),
                         "value": values.ravel()})


# ---- where the windows are ---------------------------------------------------------------------
def test_cutoffs_are_placed_back_from_each_series_own_end():
    df = _annual({"a": 2019, "b": 2017})
    res = backtest(Spy(), df, target="value", keys=["sid"], horizon=2, n_windows=3, step=2)
    fc = res.forecasts
    cutoffs = fc.groupby("sid")["cutoff"].unique().map(lambda c: sorted(p.year for p in c))
    # c_k = end - horizon - step * (n_windows - 1 - k)
    assert cutoffs["a"] == [2013, 2015, 2017]
    assert cutoffs["b"] == [2011, 2013, 2015]
    assert isinstance(fc["cutoff"].dtype, pd.PeriodDtype)
    assert fc["horizon_step"].tolist() == [1, 2] * 6
    assert ((fc["period"] - fc["cutoff"]).map(lambda d: d.n) == fc["horizon_step"]).all()
    # the last window ends at each series' last period
    assert fc.groupby("sid")["period"].max().map(lambda p: p.year).to_dict() == {"a": 2019,
                                                                                 "b": 2017}
    assert len(CALLS) == 3


def test_no_fit_sees_data_after_its_cutoff():
    df = _annual({"a": 2019, "b": 2017})
    res = backtest(Spy(), df, target="value", keys=["sid"], horizon=3, n_windows=2)
    cutoffs = res.forecasts.groupby(["cutoff", "sid"]).size().reset_index()
    seen = []
    for call in CALLS:
        last = call["train"].groupby("sid")["period"].max()
        seen.extend((sid, p.year) for sid, p in last.items())
    expected = [(sid, c.year) for c, sid in zip(cutoffs["cutoff"], cutoffs["sid"], strict=True)]
    assert sorted(seen) == sorted(expected)
    # and the forecasts equal the value at the cutoff (the Spy forecasts the last value seen)
    fc = res.forecasts
    at_cutoff = df.assign(period=pd.PeriodIndex(df["period"], freq="Y")).set_index(
        ["sid", "period"])["value"]
    expected_mean = [at_cutoff[(s, c)] for s, c in zip(fc["sid"], fc["cutoff"], strict=True)]
    assert fc["mean"].tolist() == expected_mean


def test_actuals_are_joined_by_series_and_period():
    df = _annual({"a": 2019, "b": 2017})
    fc = backtest(Spy(), df, target="value", keys=["sid"], horizon=2, n_windows=2).forecasts
    truth = df.assign(period=pd.PeriodIndex(df["period"], freq="Y")).set_index(
        ["sid", "period"])["value"]
    assert fc["actual"].tolist() == [truth[(s, p)] for s, p in zip(fc["sid"], fc["period"],
                                                                    strict=True)]


def test_missing_value_at_a_cutoff_still_gives_steps_one_to_horizon():
    df = _annual({"a": 2019})
    df.loc[df["period"] == "2017", "value"] = np.nan
    res = backtest(Naive(), df, target="value", keys=["sid"], horizon=2, n_windows=1)
    fc = res.forecasts
    assert [p.year for p in fc["period"]] == [2018, 2019]
    assert fc["horizon_step"].tolist() == [1, 2]
    assert fc["mean"].tolist() == [16.0, 16.0]     # last observed value: 2016
    assert fc["cutoff"].map(lambda p: p.year).tolist() == [2017, 2017]


def test_short_series_sit_out_early_windows_with_a_warning():
    df = pd.concat([_annual({"a": 2019}), _annual({"b": 2019}, start=2016)])
    with pytest.warns(DataQualityWarning) as caught:
        res = backtest(Spy(), df, target="value", keys=["sid"], horizon=2, n_windows=4)
    messages = [str(w.message) for w in caught]
    assert any("2 series-window pair(s) skipped" in m for m in messages)
    assert any("MASE/RMSSE undefined (NaN) for 1 series-window pair" in m for m in messages)
    assert res.forecasts.groupby("sid").size().to_dict() == {"a": 8, "b": 4}


def test_input_table_is_not_modified():
    df = _annual({"a": 2019, "b": 2017})
    before = df.copy()
    backtest(Naive(), df, target="value", keys=["sid"], horizon=2, n_windows=2)
    pd.testing.assert_frame_equal(df, before)


# ---- metrics ---------------------------------------------------------------------------------
def test_naive_on_random_walks_has_mase_near_one_at_step_one():
    res = backtest(Naive(), _random_walks(), target="value", keys=["sid"], horizon=4,
                   n_windows=10)
    by_step = res.summary.loc["mase"]
    assert 0.85 < by_step["h1"] < 1.15
    # a random walk's h-step error grows like sqrt(h): about 2x at h = 4
    assert 1.6 < by_step["h4"] / by_step["h1"] < 2.4
    assert list(res.summary.columns) == ["all", "h1", "h2", "h3", "h4"]
    assert res.summary.loc["mase", "all"] == pytest.approx(
        res.metrics.loc[res.metrics["metric"] == "mase", "value"].mean())


def test_mase_scale_uses_only_data_up_to_the_cutoff():
    df = _annual({"a": 2019})
    df.loc[df["period"] == "2019", "value"] = 100.0        # a jump after the only cutoff
    res = backtest(Naive(), df, target="value", keys=["sid"], horizon=1, n_windows=1)
    y_train = df["value"].to_numpy()[:-1]
    expected = mase([100.0], [18.0], y_train=y_train)
    assert res.metrics.set_index("metric").loc["mase", "value"] == pytest.approx(expected)


def test_interval_metrics_per_level():
    res = backtest(Spy(), _annual({"a": 2019}), target="value", keys=["sid"], horizon=1,
                   n_windows=3, level=[80], metrics=["coverage", "interval_score", "mae"])
    # Spy's interval is mean +- 1 and the series rises by 1 a year: always on the bound
    assert res.summary.loc["coverage_80", "all"] == 1.0
    assert res.summary.loc["interval_score_80", "all"] == pytest.approx(2.0)
    assert {"lo_80", "hi_80", "actual"} <= set(res.forecasts.columns)


def test_exog_reaches_fit_and_future_rows_reach_predict():
    df = _annual({"a": 2019, "b": 2018})
    df["x"] = np.arange(len(df), dtype=float)
    backtest(Spy(), df, target="value", keys=["sid"], horizon=2, n_windows=2, exog=["x"])
    for call in CALLS:
        assert call["exog"] == ["x"]
        cut = call["train"].groupby("sid")["period"].max()
        future = call["future"]
        assert set(future.columns) == {"sid", "period", "x"}
        starts = future.groupby("sid")["period"].min()
        assert all(starts[s] == cut[s] + 1 for s in cut.index)
        assert future.groupby("sid").size().eq(call["horizon"]).all()


def test_works_with_a_model_using_exog():
    rng = np.random.default_rng(3)
    periods = pd.period_range("2015Q1", periods=24, freq="Q")
    x = rng.normal(size=(3, 24))
    df = pd.DataFrame({"sid": np.repeat(["a", "b", "c"], 24), "period": np.tile(periods, 3),
                       "x": x.ravel(), "value": (50 + 5 * x).ravel()})
    model = GlobalBoosting(max_iter=20, min_samples_leaf=3, lags=[1, 4])
    res = backtest(model, df, target="value", keys=["sid"], horizon=2, n_windows=2,
                   exog=["x"], metrics=["mae"])
    assert len(res.forecasts) == 3 * 2 * 2
    assert res.forecasts["mean"].notna().all()


def test_works_with_auto_forecaster_on_small_data():
    rng = np.random.default_rng(0)
    periods = pd.period_range("2018Q1", periods=20, freq="Q")
    season = np.tile([0.0, 5.0, 10.0, 5.0], 5)
    df = pd.DataFrame({"region": np.repeat(["north", "south"], 20),
                       "industry": pd.Categorical(np.repeat(["textiles", "robots"], 20)),
                       "period": np.tile(periods.astype(str), 2),
                       "value": np.concatenate([50 + season + rng.normal(0, 1, 20),
                                                80 + season + rng.normal(0, 1, 20)])})
    res = backtest(AutoForecaster(n_windows=2), df, target="value",
                   keys=["region", "industry"], horizon=2, n_windows=2, level=80,
                   metrics=["mase", "smape", "coverage"])
    assert isinstance(res, BacktestResult) and res.model == "AutoForecaster"
    assert len(res.forecasts) == 2 * 2 * 2
    assert list(res.forecasts.columns) == ["region", "industry", "period", "cutoff",
                                           "horizon_step", "mean", "lo_80", "hi_80", "actual"]
    assert res.season_length == 4
    assert set(res.metrics["metric"]) == {"mase", "smape", "coverage_80"}
    # the per-series MASE pools the windows' scaled errors, each window scaled by the
    # seasonal (lag 4) naive error of the data up to its own cutoff
    data = df.assign(period=pd.PeriodIndex(df["period"], freq="Q"))
    got = res.metrics[res.metrics["metric"] == "mase"].set_index("region")["value"]
    for region, rows in res.forecasts.groupby("region"):
        per_window = []
        for cutoff, window in rows.groupby("cutoff"):
            train = data[(data["region"] == region) & (data["period"] <= cutoff)]
            per_window.append(mase(window["actual"], window["mean"], y_train=train["value"],
                                   season_length=4))
        assert got[region] == pytest.approx(np.mean(per_window)), region


# ---- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"refit": False}, ParameterError, "refit=False is not supported"),
    ({"horizon": 0}, ParameterError, "horizon == 0"),
    ({"n_windows": 1.5}, ParameterError, "n_windows == 1.5"),
    ({"step": 0}, ParameterError, "step == 0"),
    ({"metrics": ["coverage"]}, ParameterError, "need a coverage level"),
    ({"metrics": ["msae"]}, ParameterError, "unknown metric 'msae'"),
    ({"target": "nope"}, ParameterError, "'nope'"),
    ({"horizon": 10, "n_windows": 1}, ParameterError, "no series has an observation"),
])
def test_bad_arguments(kwargs, error, match):
    args = {"target": "value", "keys": ["sid"], "horizon": 2, "n_windows": 2, **kwargs}
    with pytest.raises(error, match=match):
        backtest(Naive(), _annual({"a": 2019}), **args)


def test_repeated_rows_raise_schema_error():
    df = _annual({"a": 2019})
    with pytest.raises(SchemaError, match="repeated"):
        backtest(Naive(), pd.concat([df, df.iloc[:1]]), target="value", keys=["sid"],
                 horizon=1, n_windows=1)


# ---- leaderboard -------------------------------------------------------------------------------
def _runs(df):
    kwargs = {"target": "value", "keys": ["sid"], "horizon": 2, "n_windows": 3}
    return {"mean": backtest(Mean(), df, **kwargs), "naive": backtest(Naive(), df, **kwargs)}


def test_leaderboard_ranks_the_better_model_first():
    runs = _runs(_random_walks(n=10, length=30))
    board = leaderboard(runs)
    assert board["model"].tolist() == ["naive", "mean"]
    assert board["rank"].tolist() == [1, 2]
    assert board["n_series"].tolist() == [10, 10]
    assert board.loc[0, "mase"] < board.loc[1, "mase"]
    # the same with a list of results, named by their model class
    assert leaderboard(list(runs.values()))["model"].tolist() == ["Naive", "Mean"]


def test_leaderboard_per_group_and_per_cell():
    df = _random_walks(n=10, length=30)
    runs = _runs(df)
    mapping = df[["sid", "group"]].drop_duplicates()
    board = leaderboard(runs, by=["group"], mapping=mapping)
    assert board[["group", "model", "rank"]].values.tolist() == [
        ["g1", "naive", 1], ["g1", "mean", 2], ["g2", "naive", 1], ["g2", "mean", 2]]
    assert board["n_series"].tolist() == [5, 5, 5, 5]
    per_cell = leaderboard(runs, by=["sid"])
    assert len(per_cell) == 20 and set(per_cell["rank"]) <= {1, 2}
    # per-cell values are the per-series metrics themselves
    naive = runs["naive"].metrics
    expected = naive.loc[naive["metric"] == "mae"].set_index("sid")["value"]
    got = per_cell.loc[per_cell["model"] == "naive"].set_index("sid")["mae"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)


def test_leaderboard_compares_only_common_series():
    df = _random_walks(n=4, length=30)
    kwargs = {"target": "value", "keys": ["sid"], "horizon": 2, "n_windows": 2}
    runs = {"naive": backtest(Naive(), df, **kwargs),
            "mean": backtest(Mean(), df[df["sid"] != "s00"], **kwargs)}
    with pytest.warns(DataQualityWarning, match="1 series"):
        board = leaderboard(runs)
    assert board["n_series"].tolist() == [3, 3]


def test_leaderboard_errors():
    runs = _runs(_random_walks(n=4, length=20))
    with pytest.raises(ParameterError, match="by columns \\['industry'\\]"):
        leaderboard(runs, by=["industry"])
    with pytest.raises(ParameterError, match="sort_by == 'coverage'"):
        leaderboard(runs, sort_by="coverage")
    with pytest.raises(ParameterError, match="more than once"):
        leaderboard([runs["naive"], runs["naive"]])
    other = backtest(Naive(), _random_walks(n=4, length=20).rename(columns={"sid": "id"}),
                     target="value", keys=["id"], horizon=2, n_windows=3)
    with pytest.raises(ParameterError, match="different keys"):
        leaderboard({"a": runs["naive"], "b": other})
