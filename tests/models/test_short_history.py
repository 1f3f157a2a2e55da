"""Series with short histories: named fallbacks and intervals calibrated by history length."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, ParameterError
from talentgap.models import AutoForecaster
from talentgap.models._conformal import series_scale
from talentgap.models.base import BaseForecaster
from talentgap.models.baselines import Naive

LONG, SHORT = 24, 3


def random_walks(n: int, length: int, seed: int, *, prefix: str) -> pd.DataFrame:
    """``n`` random walks of ``length + 4`` quarters (the last 4 are the future)."""
    rng = np.random.default_rng(seed)
    values = 200 + np.cumsum(rng.normal(0, 5, (n, length + 4)), axis=1)
    periods = pd.period_range(end="2026Q4", periods=length + 4, freq="Q")
    return pd.DataFrame({"id": np.repeat([f"{prefix}{i:03d}" for i in range(n)], length + 4),
                         "period": np.tile(periods, n), "value": values.ravel()})


def split(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    cut = df["period"].max() - 4
    return df[df["period"] <= cut], df[df["period"] > cut]


@pytest.fixture(scope="module")
def mixed():
    long = random_walks(40, LONG, 0, prefix="long")
    short = random_walks(40, SHORT, 1, prefix="short")
    return split(pd.concat([long, short], ignore_index=True))


def _without_short_history(monkeypatch):
    monkeypatch.setattr(BaseForecaster, "_short_history_bounds",
                        lambda self, bounds, *args: None)


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
@pytest.mark.parametrize("model", [Naive(), AutoForecaster()], ids=["naive", "auto"])
def test_long_series_intervals_are_unchanged_and_short_ones_never_narrower(
        mixed, model, monkeypatch):
    train, _ = mixed
    fitted = type(model)(**model.get_params()).fit(train, keys=["id"])
    new = fitted.predict(4, level=[80, 95])
    _without_short_history(monkeypatch)
    old = type(model)(**model.get_params()).fit(train, keys=["id"]).predict(4, level=[80, 95])
    long = new["id"].str.startswith("long")
    pd.testing.assert_frame_equal(new[long], old[long])
    for level in (80, 95):
        wide_new = (new[f"hi_{level}"] - new[f"lo_{level}"])[~long]
        wide_old = (old[f"hi_{level}"] - old[f"lo_{level}"])[~long]
        assert (wide_new >= wide_old - 1e-9).all()
        assert (wide_new > wide_old + 1e-9).mean() > 0.5  # short series were too narrow
    np.testing.assert_allclose(new["mean"], old["mean"])


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_short_series_intervals_cover_about_their_level():
    long = random_walks(150, LONG, 2, prefix="long")
    short = random_walks(150, SHORT, 3, prefix="short")
    train, future = split(pd.concat([long, short], ignore_index=True))
    out = Naive().fit(train, keys=["id"]).predict(4, level=[80]).merge(
        future, on=["id", "period"], validate="1:1")
    short_rows = out["id"].str.startswith("short")
    inside = (out["value"] >= out["lo_80"]) & (out["value"] <= out["hi_80"])
    assert 0.72 <= inside[short_rows].mean() <= 0.92, inside[short_rows].mean()


def test_auto_names_the_fallback_and_warns(mixed):
    train, _ = mixed
    with pytest.warns(DataQualityWarning, match="40 series are too short for some candidate"):
        fc = AutoForecaster().fit(train, keys=["id"])
    summary = fc.fitted_summary_.set_index("id")
    short = summary.loc["short000"]
    assert short["n_obs"] == SHORT
    assert short["fallback_reason"] == ("series too short for ets, damped, seasonal_naive: "
                                        "3 observations; naive forecast used")
    assert short["model"] == ("naive 0.67 + theta 0.17 + drift 0.17 (series too short for "
                              "ets, damped, seasonal_naive: 3 observations)")
    assert summary.loc["long000", "fallback_reason"] is None
    assert "(" not in summary.loc["long000", "model"]
    np.testing.assert_array_equal(fc.fallback_reason_ == None,  # noqa: E711
                                  summary["n_obs"].to_numpy() >= 5)


def test_short_history_errors_come_from_windows_of_longer_series(mixed):
    train, _ = mixed
    fc = Naive().fit(train, keys=["id"])
    errors = fc.short_history_errors([SHORT], 4)[SHORT]
    # 40 long series x 5 windows (offsets 0..4); the short series are too short to donate
    assert errors.shape == (200, 4)
    values = fc.arrays_.values[0, -LONG:]
    scale = np.mean(np.abs(np.diff(values[:SHORT])))  # fewer than 5 values: lag-1 scale
    expected = (values[SHORT:SHORT + 4] - values[SHORT - 1]) / scale
    row = int(np.flatnonzero(fc.arrays_.ids["id"] == "long000")[0]) * 5
    np.testing.assert_allclose(errors[row], expected)


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_no_longer_series_to_calibrate_short_ones_is_a_warning():
    short = random_walks(3, 6, 4, prefix="a")
    long = random_walks(3, 8, 5, prefix="b")
    train, _ = split(pd.concat([short, long], ignore_index=True))
    fc = Naive().fit(train, keys=["id"])
    with pytest.warns(DataQualityWarning, match=r"series of 6 observations \(3 series\);"):
        out = fc.predict(4, level=[80])
    assert np.isfinite(out[["lo_80", "hi_80"]].to_numpy()).all()


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_short_history_factors_match_the_interval_widths(mixed):
    train, _ = mixed
    fc = Naive().fit(train, keys=["id"])
    factors = fc.short_history_factors(4)
    short = (fc.arrays_.ids["id"].str.startswith("short")).to_numpy()
    assert (factors[~short] == 1.0).all() and (factors[short] > 1.0).all()
    out = fc.predict(4, level=[80])
    width = (out["hi_80"] - out["lo_80"]).to_numpy().reshape(-1, 4)
    # interval scale: the series' scale times its difficulty (1 for series without backtests)
    scale = series_scale(fc.arrays_.values, 4) * fc._difficulty(4)
    assert (fc._difficulty(4)[short] == 1.0).all()
    relative = width / scale[:, None]
    pooled = relative[~short][0]
    np.testing.assert_allclose(factors[short][0], np.mean(relative[short][0] / pooled))
    assert (Naive().fit(train[train["id"].str.startswith("long")], keys=["id"])
            .short_history_factors(4) == 1.0).all()


# ---- cold start from a declared analogue --------------------------------------------------------
def two_trades() -> pd.DataFrame:
    """Two regions x (ecommerce: 20 quarters, live_streaming: 3) growing 5% a quarter."""
    rng = np.random.default_rng(7)
    periods = pd.period_range(end="2025Q4", periods=20, freq="Q")
    frames = []
    for region, size in (("north", 100.0), ("south", 300.0)):
        base = size * 1.05 ** np.arange(20) * np.exp(rng.normal(0, 0.03, 20))
        frames.append(pd.DataFrame({"region": region, "industry": "ecommerce",
                                    "period": periods, "value": base}))
        frames.append(pd.DataFrame({"region": region, "industry": "live_streaming",
                                    "period": periods[-3:], "value": 0.5 * base[-3:]}))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_a_short_series_is_forecast_from_its_declared_analogue():
    keys = ["region", "industry"]
    fc = AutoForecaster(analogues={"industry": {"live_streaming": "ecommerce"}},
                        min_history=8).fit(two_trades(), keys=keys)
    out = fc.predict(4, level=[80]).set_index(keys)
    summary = fc.fitted_summary_.set_index(keys)
    for region in ("north", "south"):
        new = out.loc[(region, "live_streaming")].reset_index(drop=True)
        old = out.loc[(region, "ecommerce")].reset_index(drop=True)
        ratio = summary.loc[(region, "live_streaming"), "model"].split(" x ")[1].split(" ")[0]
        # the ratio: the series' mean over its 3 quarters to the analogue's over its last 8
        # (by hand; 0.5 times the analogue's growth over the 2.5 quarters between them)
        rows = two_trades().query("region == @region")
        by_hand = (rows.query("industry == 'live_streaming'")["value"].mean()
                   / rows.query("industry == 'ecommerce'")["value"].iloc[-8:].mean())
        assert float(ratio) == pytest.approx(by_hand, rel=2e-3)
        np.testing.assert_allclose(new["mean"] / old["mean"], by_hand, rtol=1e-9)
        assert (new["lo_80"] <= float(ratio) * old["lo_80"] * 1.001).all()
        assert (new["hi_80"] >= float(ratio) * old["hi_80"] * 0.999).all()
    label = summary.loc[("north", "live_streaming"), "model"]
    assert label.startswith("analogue industry=ecommerce x 0.55")
    assert label.endswith("(3 observations < min_history 8)")
    assert summary.loc[("north", "live_streaming"), "fallback_reason"] == (
        "3 observations < min_history=8: forecast from the analogue industry=ecommerce "
        "scaled to the series' level")
    assert summary.loc[("north", "ecommerce"), "fallback_reason"] is None
    # without the declaration the same series falls back to naive and says so
    plain = AutoForecaster().fit(two_trades(), keys=keys).fitted_summary_.set_index(keys)
    assert plain.loc[("north", "live_streaming"), "model"].startswith("naive 0.67")


def test_analogue_arguments_are_checked():
    with pytest.raises(ParameterError, match="analogues"):
        AutoForecaster(analogues={"industry": "ecommerce"}).fit(two_trades(),
                                                                keys=["region", "industry"])
    with pytest.raises(ParameterError, match=r"not keys \['region'\]"):
        AutoForecaster(analogues={"industry": {"a": "b"}}, min_history=4).fit(
            two_trades().query("industry == 'ecommerce'"), keys=["region"])
