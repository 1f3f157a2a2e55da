"""Masking the values that look like data errors (talentgap.models.mask_outliers) and
``GapForecaster(outliers="mask")``: its effect on the forecast, the table of masked values,
the ``outlier_masked`` flag, false positives on clean data and persistence."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning, ParameterError
from talentgap.models.gap_flags import FLAGS

KEYS = ["region", "industry"]
PERIODS = pd.period_range("2019Q1", periods=24, freq="Q")


def seasonal_table(n_series: int = 6, seed: int = 5) -> pd.DataFrame:
    """Quarterly counts of about 240 with a trend, a season and noise (sd 6)."""
    rng = np.random.default_rng(seed)
    t = np.arange(PERIODS.size)
    rows = []
    for i in range(n_series):
        y = 200 + 2 * t + 10 * np.sin(2 * np.pi * t / 4) + rng.normal(0, 6, t.size)
        rows.append(pd.DataFrame({"id": f"s{i}", "period": PERIODS, "value": np.round(y)}))
    return pd.concat(rows, ignore_index=True)


def spoil(table: pd.DataFrame, where: pd.Series, column: str, factor: float = 50.0):
    out = table.copy()
    out.loc[where, column] *= factor
    return out


def test_the_injected_value_and_only_it_is_masked():
    clean = seasonal_table()
    at = (clean["id"] == "s2") & (clean["period"] == PERIODS[17])
    spoiled = spoil(clean, at, "value")
    before = spoiled.copy()
    masked, found = tg.models.mask_outliers(spoiled, target="value", keys=["id"])
    pd.testing.assert_frame_equal(spoiled, before)          # the input is left as it was
    assert list(found.columns) == ["id", "period", "column", "value", "change", "lag", "fence"]
    assert found[["id", "period", "column", "value"]].to_dict("records") == [
        {"id": "s2", "period": PERIODS[17], "column": "value",
         "value": spoiled.loc[at, "value"].item()}]
    row = found.iloc[0]
    assert row["lag"] == 4                                   # quarterly: a year before
    assert row["change"] > row["fence"] > 0
    # the change is the value minus the one a year before
    year_before = spoiled.loc[(spoiled["id"] == "s2") & (spoiled["period"] == PERIODS[13]),
                              "value"].item()
    assert row["change"] == pytest.approx(row["value"] - year_before)
    assert masked["value"].isna().sum() == 1 and np.isnan(masked.loc[at, "value"].item())
    others = ~at.to_numpy()
    np.testing.assert_array_equal(masked["value"].to_numpy()[others],
                                  spoiled["value"].to_numpy()[others])
    # nothing on the clean table, which comes back as it was (dtype included)
    again, none = tg.models.mask_outliers(clean, target="value", keys=["id"])
    assert none.empty and list(none.columns) == list(found.columns)
    pd.testing.assert_frame_equal(again, clean)


def test_a_masked_value_is_interpolated_and_counted_like_any_missing_value():
    spoiled = spoil(seasonal_table(), (seasonal_table()["id"] == "s0")
                    & (seasonal_table()["period"] == PERIODS[10]), "value")
    masked, found = tg.models.mask_outliers(spoiled, target="value", keys=["id"])
    assert len(found) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)   # nothing outlying is left
        fc = tg.models.Naive().fit(masked, target="value", keys=["id"])
    summary = fc.fitted_summary_.set_index("id")
    assert summary.loc["s0", "n_interpolated"] == 1
    assert summary.drop(index="s0")["n_interpolated"].eq(0).all()
    # interpolated between its neighbours, as a missing value would be
    row = fc.arrays_.values[0]
    neighbours = spoiled.loc[(spoiled["id"] == "s0")
                             & spoiled["period"].isin(PERIODS[[9, 11]]), "value"]
    assert row[10] == pytest.approx(neighbours.mean())


def test_integer_counts_and_series_without_values():
    table = seasonal_table(3)
    table["value"] = table["value"].astype(np.int64)
    table.loc[(table["id"] == "s1") & (table["period"] == PERIODS[16]), "value"] *= 50
    table = pd.concat([table, pd.DataFrame({"id": "empty", "period": PERIODS[:3],
                                            "value": [pd.NA] * 3})], ignore_index=True)
    table["value"] = table["value"].astype("Int64")
    masked, found = tg.models.mask_outliers(table, target="value", keys=["id"])
    assert found["id"].tolist() == ["s1"] and masked["value"].isna().sum() == 4


def test_mask_brings_the_gap_forecast_back_where_keep_does_not():
    data = tg.datasets.make_synthetic(seed=1, n_regions=2)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    last = sorted(panel["period"].unique())
    clean = tg.models.GapForecaster(n_samples=200).fit(panel).predict(4)
    assert tg.models.GapForecaster(n_samples=200, outliers="mask").fit(
        panel).masked_values_.empty
    # the three cells with the largest expected gaps: 20% of them is a meaningful tolerance
    gaps = clean.groupby(KEYS, observed=True)["gap"].mean().sort_values(ascending=False)
    for region, industry in gaps.index[:3]:
        cell = (panel["region"] == region) & (panel["industry"] == industry)
        spoiled = spoil(panel, cell & (panel["period"] == last[-6]), "demand")
        means, rows = {}, {}
        for mode in ("keep", "mask"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataQualityWarning)
                model = tg.models.GapForecaster(n_samples=200, outliers=mode).fit(spoiled)
            out = model.predict(4)
            rows[mode] = out[(out["region"] == region) & (out["industry"] == industry)]
            means[mode] = rows[mode]["gap"].mean()
        found = model.masked_values_  # the model with outliers="mask"
        assert found[[*KEYS, "period", "column"]].astype(str).to_dict("records") == [
            {"region": region, "industry": industry, "period": str(last[-6]),
             "column": "demand"}]
        assert found["value"].item() == pytest.approx(spoiled.loc[
            cell & (panel["period"] == last[-6]), "demand"].item())
        truth = gaps[(region, industry)]
        assert abs(means["mask"] / truth - 1) < 0.2, (region, industry, means, truth)
        assert means["keep"] / truth > 2.0, (region, industry, means, truth)
        flags = rows["mask"]["flag"].iloc[0].split(";")
        assert "outlier_masked" in flags and "outlier_in_history" not in flags
        assert "outlier_in_history" in rows["keep"]["flag"].iloc[0].split(";")
        why = model.explain(4).set_index(KEYS).loc[(region, industry)]
        assert "outlier_masked" in why["flags"].split(";")
        summary = model.fitted_summary_.set_index(KEYS)
        assert summary.loc[(region, industry), "demand_masked"] == 1
        assert summary["demand_masked"].sum() == 1 and summary["supply_masked"].sum() == 0


def test_a_flagged_last_value_is_kept_and_flagged_not_masked():
    # no later value tells a spike in the last season from the start of a new level
    data = tg.datasets.make_synthetic(seed=1, n_regions=2)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    last = panel["period"].max()
    cell = (panel["region"] == "Amberfield") & (panel["industry"] == "ecommerce")
    spoiled = spoil(panel, cell & (panel["period"] == last), "demand")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        model = tg.models.GapForecaster(forecaster=tg.models.SeasonalNaive(), n_samples=100,
                                        outliers="mask").fit(spoiled)
    assert model.masked_values_.empty
    assert any("far outside" in str(w.message) for w in caught)   # still named
    why = model.explain(2).set_index(KEYS).loc[("Amberfield", "ecommerce")]
    flags = set(why["flags"].split(";"))
    assert "outlier_in_history" in flags and "outlier_masked" not in flags


def test_no_value_of_clean_synthetic_data_is_masked_but_a_few():
    # False positives: on 10 seeds of make_synthetic (30,080 demand and supply values)
    # the rule names 4, all at seed 0: three survey estimates of a one-respondent cell
    # that one large enterprise moves (492, 534 and 420 against 0-36 otherwise) and the
    # peak of a real surge (3,064 after 1,301 and 2,277); of these only 492, which the
    # series comes back from, is masked. Seeds 1-9: none.
    per_seed = []
    values = 0
    for seed in range(10):
        data = tg.datasets.make_synthetic(seed=seed)
        panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
        values += int(panel[["demand", "supply"]].notna().to_numpy().sum())
        found = [tg.models.mask_outliers(panel.dropna(subset=[side]), target=side,
                                         keys=KEYS)[1] for side in ("demand", "supply")]
        per_seed.append(sum(len(f) for f in found))
    assert values == 30_080
    assert sum(per_seed) <= 1, per_seed


def test_outliers_parameter_is_checked_in_fit_and_kept_on_save(tmp_path):
    data = tg.datasets.make_synthetic(seed=1, n_regions=2)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    bad = tg.models.GapForecaster(outliers="drop")
    assert bad.outliers == "drop"                     # stored unchanged, checked in fit
    with pytest.raises(ParameterError, match=r"outliers == 'drop'.*\['keep', 'mask'\]"):
        bad.fit(panel)
    cell = (panel["region"] == "Ashmere") & (panel["industry"] == "textiles")
    spoiled = spoil(panel, cell & (panel["period"] == sorted(panel["period"].unique())[-6]),
                    "demand")
    model = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=100,
                                    outliers="mask").fit(spoiled)
    assert len(model.masked_values_) == 1
    same = tg.load(model.save(tmp_path / "masked"))
    assert same.get_params()["outliers"] == "mask"
    pd.testing.assert_frame_equal(same.masked_values_, model.masked_values_)
    pd.testing.assert_frame_equal(same.predict(3), model.predict(3))
    assert "outlier_masked" in same.explain(3).set_index(KEYS).loc[
        ("Ashmere", "textiles"), "flags"]
    refit = tg.load(model.save(tmp_path / "again")).set_params(outliers="keep")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        assert refit.fit(spoiled).masked_values_.empty


def test_outlier_masked_is_a_flag_code():
    assert FLAGS.index("outlier_masked") == FLAGS.index("outlier_in_history") + 1
