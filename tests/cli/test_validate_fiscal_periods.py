"""``talentgap validate`` and ``talentgap forecast`` refuse fiscal periods with the conversion."""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main


@pytest.fixture(scope="module")
def data():
    return tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=8, seed=5)


def _fiscal(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(period=df["period"].dt.asfreq("Q-MAR"))


def test_validate_refuses_a_parquet_of_fiscal_quarters(data, tmp_path, capsys):
    path = tmp_path / "training.parquet"
    _fiscal(data.training).to_parquet(path)
    assert main(["validate", str(path), "--table", "training"]) == 2
    out, err = capsys.readouterr()
    n = len(data.training)
    assert f"{path}: training: {n} rows in, 0 kept, {n} rejected" in out
    assert "[bad_period]" in out
    assert ("period 2019Q4 is labelled in fiscal quarters of years ending in March (Q-MAR), "
            "calendar 2019Q1: convert with .dt.asfreq('Q-DEC', how='end')") in out
    assert "column 'period' breaks rule 'bad_period'" in err


def test_validate_refuses_fiscal_labels_in_a_csv(data, tmp_path, capsys):
    path = tmp_path / "training.csv"
    labelled = data.training.assign(period="FY" + _fiscal(data.training)["period"].astype(str))
    labelled.to_csv(path, index=False)
    assert main(["validate", str(path), "--table", "training"]) == 2
    out, _ = capsys.readouterr()
    label = labelled["period"].iloc[0]
    assert (labelled["period"].head(5) == label).all()  # the same label: said once for the five
    assert (f"e.g. lines 2, 3, 4, 5, 6: period {label!r} is not a recognised label; it looks "
            "like a fiscal period") in out


def test_forecast_from_a_config_refuses_fiscal_surveys_before_any_work(data, tmp_path, capsys):
    _fiscal(data.surveys).to_parquet(tmp_path / "surveys.parquet")
    tg.io.write_table(data.training, tmp_path / "training.csv")
    config = tmp_path / "run.toml"
    config.write_text(f'[data]\nsurveys = "{tmp_path / "surveys.parquet"}"\n'
                      f'training = "{tmp_path / "training.csv"}"\nfreq = "Q"\n'
                      '[forecast]\nmodel = "naive"\n')
    out = tmp_path / "out"
    assert main(["forecast", "--config", str(config), "--out", str(out), "--no-charts"]) == 2
    err = capsys.readouterr().err
    assert "surveys.parquet" in err
    assert "fiscal quarters of years ending in March (Q-MAR)" in err
    assert ".dt.asfreq('Q-DEC', how='end')" in err
    assert not (out / "forecast.csv").exists()


def test_a_fiscal_freq_in_the_config_is_refused(tmp_path, capsys):
    config = tmp_path / "run.toml"
    config.write_text('[data]\nfreq = "Q-MAR"\n')
    assert main(["demo", "--config", str(config), "--out", str(tmp_path / "out")]) == 2
    assert "[data] freq must be one of 'Y', 'Q', 'M'; got 'Q-MAR'" in capsys.readouterr().err
