"""A yearly employment census beside quarterly surveys and training ([data] employment_freq)."""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import _pipeline_years, main, pipeline
from talentgap.cli._report_targets import _targets_intro
from talentgap.cli._targets import exit_rates
from talentgap.cli.config import Config
from talentgap.errors import ConfigError, SchemaError

KEYS = ["region", "industry"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Quarterly surveys and training to 2022Q4; employment by year, each year's Q4 count."""
    folder = tmp_path_factory.mktemp("census")
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=16, seed=5)
    tg.io.write_table(data.surveys, folder / "surveys.csv")
    tg.io.write_table(data.training, folder / "training.csv")
    quarters = pd.PeriodIndex(data.employment["period"].astype(str), freq="Q")
    yearly = data.employment[quarters.quarter == 4].assign(
        period=quarters[quarters.quarter == 4].year.astype(str))
    tg.io.write_table(yearly, folder / "employment.csv")
    tg.io.write_table(data.employment.assign(period=quarters.asfreq("M", how="end").astype(str)),
                      folder / "employment_monthly.csv")
    tg.io.write_table(yearly.assign(period=yearly["period"] + "-12-31"),
                      folder / "employment_dates.csv")
    return folder, yearly


def _config(folder, employment="employment.csv", exit_rate=0.05, **data) -> Config:
    return Config.from_dict({
        "data": {"surveys": str(folder / "surveys.csv"), "training": str(folder / "training.csv"),
                 "employment": str(folder / employment), "freq": "Q", **data},
        "forecast": {"model": "naive", "n_samples": 100, "random_state": 0},
        "plan": {"years": [2023, 2024], "budget": 1e6, "cost_per_trainee": 5000,
                 "pass_rate": 0.7, "exit_rate": exit_rate, "lead_time": 1},
        "targets": {"skilled_share": 0.8, "target_year": 2025},
        "output": {"dir": str(folder / "out"), "fan_charts": 0}})


def test_the_run_needs_what_the_library_gives_from_the_yearly_table(inputs, monkeypatch):
    folder, yearly = inputs
    seen = {}
    original = _pipeline_years.policy_needs

    def spy(result, tables, paths, supply, need_years, **options):  # the inflows, quarterly
        seen["pipeline"], seen["years"] = supply, need_years
        return original(result, tables, paths, supply, need_years, **options)

    monkeypatch.setattr(_pipeline_years, "policy_needs", spy)
    result = pipeline.run(_config(folder), steps=("plan",))
    assert result.reports["employment"].freq == "Y"
    assert "employment" not in result.panel.columns  # the census feeds the projections only
    assert str(seen["pipeline"]["period"].dtype) == "period[Q-DEC]"

    employment = yearly.assign(period=pd.PeriodIndex(yearly["period"], freq="Y"))
    horizon = seen["years"][-1] - 2022
    projected = tg.planning.project_employment(
        employment[[*KEYS, "period", "employment"]], keys=KEYS, horizon=horizon, freq="Y",
        level=None)
    stock = tg.planning.project_skilled_stock(employment, keys=KEYS, horizon=horizon, freq="Y",
                                              pipeline=seen["pipeline"], exit_rate=0.05)
    targets = pd.DataFrame({"region": "*", "skill_level": "skilled", "share": [0.8],
                            "target_year": 2025})
    expected = tg.planning.policy_need(projected, stock, targets, observed=employment,
                                       keys=KEYS)
    expected = expected[expected["period"].dt.year >= 2023].reset_index(drop=True)
    got = result.policy.sort_values([*KEYS, "period"]).reset_index(drop=True)
    expected = expected.sort_values([*KEYS, "period"]).reset_index(drop=True)
    assert got["period"].astype(str).tolist() == expected["period"].astype(str).tolist()
    assert got["policy_need"].to_numpy() == pytest.approx(
        expected["policy_need"].to_numpy())
    assert got["policy_need"].sum() > 0
    # the stock starts from the year's count: 2023's is 2022's less 5%, plus 2023's inflow
    first = stock[(stock["period"] == pd.Period("2023", "Y"))
                  & (stock["skill_level"] == "skilled")].set_index(KEYS)
    start = employment[employment["period"] == pd.Period("2022", "Y")].set_index(KEYS)
    inflow = (seen["pipeline"][pd.PeriodIndex(seen["pipeline"]["period"]).year == 2023]
              .groupby(KEYS)["supply"].sum())
    assert first["stock"].to_numpy() == pytest.approx(
        (0.95 * start["skilled"] + inflow).reindex(first.index).to_numpy())


def test_the_report_says_the_employment_is_yearly(inputs):
    folder, _ = inputs
    config = _config(folder)
    result = pipeline.RunResult(config=config)
    pipeline._read_inputs(config, False, result)
    words = _targets_intro(result, ["skilled"], False)
    assert ("Employment is given by year: each year's figure is read as the count at the "
            "year's end") in words
    quarterly = pipeline.RunResult(config=Config.from_dict({"data": {"freq": "Q"}}))
    pipeline._read_inputs(quarterly.config, True, quarterly)  # the demo's, by quarter
    assert "given by" not in _targets_intro(quarterly, ["skilled"], False)


def test_the_report_names_the_census_the_stocks_start_from(inputs):
    folder, yearly = inputs
    config = _config(folder)
    result = pipeline.RunResult(config=config)
    pipeline._read_inputs(config, False, result)
    assert yearly["period"].max() == "2022"
    assert _targets_intro(result, ["skilled"], False).endswith(
        "summed into years. The stocks start from employment from the census of 2022, the "
        "last year given.")
    quarterly = pipeline.RunResult(config=Config.from_dict({"data": {"freq": "Q"}}))
    pipeline._read_inputs(quarterly.config, True, quarterly)  # the demo's, by quarter
    assert _targets_intro(quarterly, ["skilled"], False).endswith(
        "Shares in percent. The stocks start from employment in 2024Q4, the last observed "
        "period.")


def test_cells_whose_census_ends_earlier_are_counted(inputs, tmp_path):
    folder, yearly = inputs
    first = yearly[["region", "industry"]].iloc[0]
    early = ~((yearly["region"] == first["region"]) & (yearly["industry"] == first["industry"])
              & (yearly["period"] == "2022"))
    tg.io.write_table(yearly[early], tmp_path / "employment.csv")
    config = _config(folder, employment=str(tmp_path / "employment.csv"))
    result = pipeline.RunResult(config=config)
    pipeline._read_inputs(config, False, result)
    assert _targets_intro(result, ["skilled"], False).endswith(
        "from the census of 2022, the last year given (each cell's own last observed "
        "period: 2022 in 3 of the 4 cells, earlier in the others).")


def test_census_dates_need_employment_freq(inputs):
    folder, yearly = inputs
    config = _config(folder, "employment_dates.csv")  # dates fall in quarters: 2022Q4 ...
    tables = pipeline._read_inputs(config, False, pipeline.RunResult(config=config))
    assert str(tables["employment"]["period"].dtype) == "period[Q-DEC]"
    config = _config(folder, "employment_dates.csv", employment_freq="Y")
    tables = pipeline._read_inputs(config, False, pipeline.RunResult(config=config))
    assert tables["employment"]["period"].astype(str).tolist() == yearly["period"].tolist()


def test_finer_employment_is_refused(inputs):
    folder, _ = inputs
    config = _config(folder, "employment_monthly.csv")
    with pytest.raises(ConfigError, match=r"employment periods are monthly \(its labels\), "
                                          r"finer than the run's \[data\] freq = 'Q'"):
        pipeline._read_inputs(config, False, pipeline.RunResult(config=config))
    config = _config(folder, employment_freq="M")
    with pytest.raises(ConfigError, match=r"monthly \(\[data\] employment_freq\), finer"):
        pipeline._read_inputs(config, False, pipeline.RunResult(config=config))


def test_a_declared_frequency_checks_every_row_at_it(inputs):
    folder, _ = inputs
    config = _config(folder, "employment_monthly.csv", employment_freq="Q")
    with pytest.raises(SchemaError, match=r"'bad_period' \(period '2019-03' is monthly but the "
                                          r"declared frequency is quarterly"):
        pipeline._read_inputs(config, False, pipeline.RunResult(config=config))


def test_mixed_labels_are_read_at_the_run_frequency(inputs, tmp_path):
    folder, yearly = inputs
    mixed = yearly.assign(period=yearly["period"].where(yearly["period"] != "2022", "2022Q4"))
    tg.io.write_table(mixed, tmp_path / "mixed.csv")
    config = _config(folder, str(tmp_path / "mixed.csv"))
    with pytest.raises(SchemaError, match=r"period '2019' is annual but the declared frequency "
                                          r"is quarterly"):
        pipeline._read_inputs(config, False, pipeline.RunResult(config=config))


def test_validate_reads_the_census_as_a_run_does(inputs, capsys):
    folder, _ = inputs
    config = folder / "census.toml"
    config.write_text(f"[data]\nemployment = '{folder / 'employment.csv'}'\nfreq = 'Q'\n",
                      encoding="utf-8")
    assert main(["validate", "--config", str(config)]) == 0
    assert "employment: 16 rows in, 16 kept, 0 rejected" in capsys.readouterr().out


def test_estimated_exit_rates_read_the_census_and_the_quarterly_supply(inputs):
    folder, yearly = inputs
    config = _config(folder, exit_rate="estimate")
    result = pipeline.RunResult(config=config)
    tables = pipeline._read_inputs(config, False, result)
    result.panel = pipeline._build_panel(tables, config)
    got = exit_rates(result, tables).sort_values(KEYS).reset_index(drop=True)
    employment = yearly.assign(period=pd.PeriodIndex(yearly["period"], freq="Y"))
    supply = result.panel[[*KEYS, "period", "supply"]].dropna(subset=["supply"])
    assert str(supply["period"].dtype) == "period[Q-DEC]"
    expected = tg.planning.estimate_exit_rate(employment, supply, keys=KEYS).sort_values(
        KEYS).reset_index(drop=True)
    assert got["exit_rate"].to_numpy() == pytest.approx(expected["exit_rate"].to_numpy())
    assert got["exit_rate"].between(0, 1).all()
