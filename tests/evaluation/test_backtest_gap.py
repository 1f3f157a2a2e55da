"""Tests of talentgap.evaluation.backtest_gap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import ParameterError
from talentgap.evaluation import backtest, backtest_gap, leaderboard


@pytest.fixture(scope="module")
def panel():
    data = tg.datasets.make_synthetic(n_regions=2, industries=3, n_periods=20, seed=3)
    return tg.features.build_panel(data.surveys, data.training, lead_time=1)


def naive_gap(**kwargs):
    return tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=200, **kwargs)


def test_each_window_is_the_gap_models_mean_forecast_at_its_cutoff(panel):
    res = backtest_gap(naive_gap(), panel, horizon=2, n_windows=3)
    fc = res.forecasts
    origin = panel.loc[panel["demand"].notna(), "period"].max()
    assert sorted(fc["cutoff"].unique()) == [origin - 4, origin - 3, origin - 2]
    keyed = panel.set_index(["region", "industry", "period"])
    # the gap model's mean is the mean of sample paths centred on the naive forecasts
    refits = {cut: naive_gap().fit(panel[panel["period"] <= cut]).predict(2, level=None)
              .set_index(["region", "industry", "period"])["gap"]
              for cut in fc["cutoff"].unique()}
    for _, row in fc.sample(10, random_state=0).iterrows():
        fitted = refits[row["cutoff"]]
        assert row["mean"] == pytest.approx(
            fitted.loc[(row["region"], row["industry"], row["period"])])
        assert fitted.index.get_level_values("period").min() == row["cutoff"] + 1
        actual = keyed.loc[(row["region"], row["industry"], row["period"]), "gap"]
        assert row["actual"] == pytest.approx(actual)
        assert row["horizon_step"] == (row["period"] - row["cutoff"]).n


def test_windows_match_the_single_target_backtest(panel):
    ours = backtest_gap(naive_gap(), panel, horizon=3, n_windows=2, level=[80])
    theirs = backtest(tg.models.Naive(), panel, target="gap", keys=["region", "industry"],
                      horizon=3, n_windows=2, level=[80])
    assert len(ours.forecasts) == len(theirs.forecasts)
    pd.testing.assert_series_equal(ours.forecasts["cutoff"], theirs.forecasts["cutoff"])
    pd.testing.assert_series_equal(ours.forecasts["actual"], theirs.forecasts["actual"])
    board = leaderboard({"gap": ours, "naive": theirs})
    assert set(board["model"]) == {"gap", "naive"}
    assert (board["n_series"] == 6).all()


def test_intervals_are_judged(panel):
    res = backtest_gap(naive_gap(), panel, horizon=2, n_windows=2, level=[80],
                       metrics=["mae", "coverage"])
    fc = res.forecasts
    assert (fc["lo_80"] <= fc["mean"]).all() and (fc["mean"] <= fc["hi_80"]).all()
    inside = ((fc["actual"] >= fc["lo_80"]) & (fc["actual"] <= fc["hi_80"])).mean()
    assert res.summary.loc["coverage_80", "all"] == pytest.approx(inside)


def test_too_many_windows_is_an_error(panel):
    with pytest.raises(ParameterError, match=r"window \d+ of 40 \(cutoff .*fewer windows"):
        backtest_gap(naive_gap(), panel, horizon=2, n_windows=40)


def test_missing_gap_column_named(panel):
    with pytest.raises(ParameterError, match="'gap'"):
        backtest_gap(naive_gap(), panel.drop(columns="gap"), horizon=2, n_windows=1)


def test_bad_horizon(panel):
    with pytest.raises(ParameterError, match="horizon"):
        backtest_gap(naive_gap(), panel, horizon=0, n_windows=1)


def test_cells_without_early_demand_sit_out(panel):
    late = panel.copy()
    region, industry = late["region"].iloc[0], late["industry"].iloc[0]
    first = (late["region"] == region) & (late["industry"] == industry)
    late.loc[first & (late["period"] < pd.Period("2024Q2", "Q")), ["demand", "gap"]] = np.nan
    with pytest.warns(tg.errors.DataQualityWarning, match="skipped"):
        res = backtest_gap(naive_gap(), late, horizon=2, n_windows=2)
    assert len(res.forecasts) == 5 * 2 * 2


@pytest.mark.filterwarnings("ignore:only 30 .cell, origin. backtest error pairs")
def test_population_intervals_are_widened_by_each_actuals_sampling_error(panel):
    res = backtest_gap(naive_gap(), panel, horizon=2, n_windows=2, level=[80, 95],
                       metrics=["coverage"])
    fc = res.forecasts
    keyed = panel.set_index(["region", "industry", "period"])
    index = pd.MultiIndex.from_frame(fc[["region", "industry", "period"]])
    np.testing.assert_allclose(fc["actual_se"], keyed["demand_se"].reindex(index).to_numpy())
    assert (fc["actual_se"] > 0).mean() > 0.9
    cut = fc["cutoff"].max()
    raw = naive_gap().fit(panel[panel["period"] <= cut]).predict(2, level=[80, 95])
    last = fc[fc["cutoff"] == cut].merge(raw, on=["region", "industry", "period"])
    for level in (80, 95):
        lo, hi = tg.evaluation.with_sampling_error(
            last[f"gap_lo_{level}"], last[f"gap_hi_{level}"], last["actual_se"], level=level,
            center=last["gap"])
        np.testing.assert_allclose(last[f"lo_{level}"], lo)
        np.testing.assert_allclose(last[f"hi_{level}"], hi)
        assert (last[f"lo_{level}"] < last[f"gap_lo_{level}"]).all()
    inside = (fc["actual"] >= fc["lo_80"]) & (fc["actual"] <= fc["hi_80"])
    assert res.summary.loc["coverage_80", "all"] == pytest.approx(inside[fc["actual"].notna()]
                                                                  .mean())


def test_intervals_for_the_series_as_observed_are_judged_as_they_are(panel):
    res = backtest_gap(naive_gap(sampling_se=None), panel, horizon=2, n_windows=1, level=[80])
    assert "actual_se" not in res.forecasts.columns
    cut = res.forecasts["cutoff"].max()
    raw = naive_gap(sampling_se=None).fit(panel[panel["period"] <= cut]).predict(2, level=[80])
    merged = res.forecasts.merge(raw, on=["region", "industry", "period"])
    np.testing.assert_allclose(merged["lo_80"], merged["gap_lo_80"])
    np.testing.assert_allclose(merged["hi_80"], merged["gap_hi_80"])


def test_smape_is_left_out_by_default_and_given_on_request(panel):
    default = backtest_gap(naive_gap(), panel, horizon=2, n_windows=2)
    assert set(default.metrics["metric"]) == set(tg.evaluation.GAP_METRICS)
    assert "smape" not in default.summary.index
    asked = backtest_gap(naive_gap(), panel, horizon=2, n_windows=2, metrics=["mase", "smape"])
    smape = asked.metrics[asked.metrics["metric"] == "smape"].set_index(["region", "industry"])
    for (region, industry), rows in asked.forecasts.groupby(["region", "industry"],
                                                            observed=True):
        expected = tg.evaluation.smape(rows["actual"], rows["mean"])
        assert smape.loc[(region, industry), "value"] == pytest.approx(expected)
