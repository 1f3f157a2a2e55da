"""`[forecast] outliers = "mask"`: the gap model masks a value typed 50 times too large, the
report's notes name it, masked_values.csv lists it and forecast.csv flags its cell."""

from __future__ import annotations

import html
import warnings

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli.config import Config
from talentgap.cli.main import main
from talentgap.cli.reporting import flag_meanings
from talentgap.errors import ConfigError, DataQualityWarning


def _inputs(folder, *, factor: float = 50.0):
    """Surveys of 3 regions x 3 industries with one cell-period's posts multiplied."""
    data = tg.datasets.make_synthetic(n_regions=3, industries=3, n_periods=16, seed=5)
    surveys = data.surveys.copy()
    # a year before the last quarter: the quarter after it a year on confirms the spike
    period = sorted(surveys["period"].unique())[-5]
    cell = surveys[["region", "industry"]].drop_duplicates().iloc[0]
    rows = ((surveys["region"] == cell["region"]) & (surveys["industry"] == cell["industry"])
            & (surveys["period"] == period))
    for column in ("vacancies", "hard_to_fill"):
        surveys.loc[rows, column] = surveys.loc[rows, column] * int(factor)
    tg.io.write_table(surveys, folder / "surveys.csv")
    tg.io.write_table(data.training, folder / "training.csv")
    return cell, str(period)


def _run(folder, mode: str):
    out = folder / mode
    code = main(["forecast", "--surveys", str(folder / "surveys.csv"),
                 "--training", str(folder / "training.csv"), "--out", str(out),
                 "--forecaster", "theta", "--set", "forecast.n_samples=200",
                 "--set", f"forecast.outliers={mode}", "--no-charts"])
    assert code == 0
    return out


def test_mask_lists_names_and_flags_the_value(tmp_path, capsys):
    cell, period = _inputs(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        masked_out = _run(tmp_path, "mask")
        kept_out = _run(tmp_path, "keep")
    capsys.readouterr()
    listed = pd.read_csv(masked_out / "masked_values.csv")
    assert listed[["region", "industry", "period", "column"]].to_dict("records") == [
        {"region": cell["region"], "industry": cell["industry"], "period": period,
         "column": "demand"}]
    assert not (kept_out / "masked_values.csv").exists()
    page = (masked_out / "report.html").read_text(encoding="utf-8")
    assert "1 past value was set aside as a likely data error" in page
    assert f"{cell['region']} / {cell['industry']}, demand in {period}" in page
    assert "masked_values.csv" in page
    forecast = pd.read_csv(masked_out / "forecast.csv", keep_default_na=False)
    mine = forecast[(forecast["region"] == cell["region"])
                    & (forecast["industry"] == cell["industry"])]
    assert mine["flag"].str.contains("outlier_masked").all()
    assert not forecast.drop(mine.index)["flag"].str.contains("outlier_masked").any()
    kept = pd.read_csv(kept_out / "forecast.csv", keep_default_na=False)
    kept_mine = kept[(kept["region"] == cell["region"]) & (kept["industry"] == cell["industry"])]
    assert kept_mine["flag"].str.contains("outlier_in_history").all()
    # the theta forecast follows the spoiled quarter under keep, not under mask
    assert kept_mine["demand"].max() > 5 * mine["demand"].max()
    shown = html.unescape(page.replace("<wbr>", ""))   # the table cells break after "_"
    assert flag_meanings(4)["outlier_masked"] in shown


def test_outliers_setting_is_checked():
    assert Config().forecast.outliers == "keep"
    assert Config.from_dict({"forecast": {"outliers": "mask"}}).forecast.outliers == "mask"
    with pytest.raises(ConfigError, match="outliers"):
        Config.from_dict({"forecast": {"outliers": "drop"}})
