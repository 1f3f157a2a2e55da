"""`talentgap plan` over years with an employment table by skill level and declared levels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli.config import load_config
from talentgap.cli.main import main

EXIT_RATE = 0.05
DELTA_POINTS = 2.0
LEVELS = ("none", "ordinary", "senior", "technician")  # "none": unskilled; technician: high

CONFIG = f"""
[data]
surveys = "surveys.csv"
training = "training.csv"
employment = "employment.csv"
freq = "Q"
skill_levels = {list(LEVELS)!r}
high_skilled = ["technician"]
unskilled = ["none"]

[forecast]
model = "naive"
n_samples = 100

[plan]
years = [2022, 2023]
budget = 1e6
cost_per_trainee = 1000
pass_rate = 0.8
lead_time = 1
exit_rate = {EXIT_RATE}

[targets]
skilled_share = 0.3
high_skilled_delta_points = {DELTA_POINTS}
target_year = 2024
""".replace("'", '"')


def _by_level(employment: pd.DataFrame) -> pd.DataFrame:
    """The synthetic employment table split into one row per skill level."""
    senior = (employment["skilled"] - employment["high_skilled"]) // 2
    workers = {"none": employment["employment"] - employment["skilled"],
               "ordinary": employment["skilled"] - employment["high_skilled"] - senior,
               "senior": senior, "technician": employment["high_skilled"]}
    cells = employment[["period", "region", "industry"]]
    return pd.concat([cells.assign(skill_level=level, employment=workers[level])
                      for level in LEVELS], ignore_index=True)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The command on a small generated case, once; returns the folder and the input table."""
    folder = tmp_path_factory.mktemp("levels")
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=5)
    employment = _by_level(data.employment)
    tg.io.write_table(data.surveys, folder / "surveys.csv")
    tg.io.write_table(data.training, folder / "training.csv")
    tg.io.write_table(employment, folder / "employment.csv")
    (folder / "plan.toml").write_text(CONFIG, encoding="utf-8")
    code = main(["plan", "--config", str(folder / "plan.toml"), "--out", str(folder / "out"),
                 "--no-charts"])
    assert code == 0
    return folder / "out", employment


def _hand_counts(employment: pd.DataFrame) -> pd.DataFrame:
    """Per row: workers, skilled (every level but "none"), high-skilled (technician)."""
    level = employment["skill_level"]
    return employment.assign(
        skilled=np.where(level != "none", employment["employment"], 0),
        high=np.where(level == "technician", employment["employment"], 0),
        year=pd.PeriodIndex(employment["period"], freq="Q").year)


def test_observed_shares_come_from_the_declared_levels(run):
    out, employment = run
    counts = _hand_counts(employment)
    # a year's counts: each cell's last observed quarter of the year (the base share's basis)
    quarter = pd.PeriodIndex(counts["period"], freq="Q").asi8
    year_end = quarter == pd.Series(quarter).groupby(
        [counts["region"], counts["industry"], counts["year"]]).transform("max").to_numpy()
    sums = counts[year_end].groupby(["region", "year"])[["employment", "skilled", "high"]].sum()
    path = pd.read_csv(out / "target_path.csv").dropna(subset=["observed_share"])
    national = (pd.read_csv(out / "target_path_national.csv")
                .dropna(subset=["observed_share"]).set_index(["skill_level", "period"]))
    assert "all regions" not in set(path["region"])  # the regions only: their sum apart
    skilled = path[path["skill_level"] == "skilled"].set_index(["region", "period"])
    high = path[path["skill_level"] == "high_skilled"].set_index(["region", "period"])
    expected_skilled = (sums["skilled"] / sums["employment"]).rename_axis(["region", "period"])
    expected_high = (sums["high"] / sums["skilled"]).rename_axis(["region", "period"])
    assert len(skilled) == len(expected_skilled) == 6
    np.testing.assert_allclose(skilled["observed_share"].sort_index(),
                               expected_skilled.sort_index(), rtol=1e-12)
    np.testing.assert_allclose(high["observed_share"].sort_index(),
                               expected_high.sort_index(), rtol=1e-12)
    # the unskilled level is not skilled: the shares are well below 1
    assert (skilled["observed_share"] < 0.5).all()
    # all regions together: the ratio of the summed counts, not the mean of the shares
    year = counts[year_end].groupby("year")[["employment", "skilled", "high"]].sum()
    np.testing.assert_allclose(national.loc["skilled", "observed_share"].sort_index(),
                               (year["skilled"] / year["employment"]).sort_index(), rtol=1e-12)
    np.testing.assert_allclose(national.loc["high_skilled", "observed_share"].sort_index(),
                               (year["high"] / year["skilled"]).sort_index(), rtol=1e-12)


def test_relative_high_skilled_target_starts_from_the_levels_base_share(run):
    # base year 2021 (the last observed): the share at its last quarter, plus the points
    out, employment = run
    counts = _hand_counts(employment)
    last = counts[counts["period"] == "2021Q4"].groupby("region")[["skilled", "high"]].sum()
    base = last["high"] / last["skilled"]
    path = pd.read_csv(out / "target_path.csv")
    path = path[path["region"] != "all regions"]  # the regions, not their sum
    at_target = path[(path["skill_level"] == "high_skilled") & (path["period"] == 2024)]
    got = at_target.set_index("region")["target_share"].sort_index()
    np.testing.assert_allclose(got, (base + DELTA_POINTS / 100).sort_index(), rtol=1e-12)
    skilled = path[(path["skill_level"] == "skilled") & (path["period"] == 2024)]
    assert (skilled["target_share"] == 0.3).all()


def test_projected_stocks_follow_the_declared_levels(run):
    # annual projection from the 2021Q4 stock (a stock is an end-of-period level); the
    # high-skilled level gets no pipeline here (training carries no levels), so
    # K_2022 = (1 - e) * K_2021Q4
    out, employment = run
    counts = _hand_counts(employment)
    in_q4 = counts[counts["period"].astype(str) == "2021Q4"]
    last_high = in_q4.groupby(["region", "industry"])["high"].sum()
    need = pd.read_csv(out / "policy_need.csv")
    first = need[need["period"] == 2022].set_index(["region", "industry"])
    np.testing.assert_allclose(first["projected_stock_high_skilled"].sort_index(),
                               ((1 - EXIT_RATE) * last_high).sort_index(), rtol=1e-12)
    # and the target path's shares without the plan are those stocks over the region's
    path = pd.read_csv(out / "target_path.csv")
    path = path[path["region"] != "all regions"]  # the regions, not their sum
    by_region = need.groupby(["region", "period"])[
        ["employment", "projected_stock", "projected_stock_high_skilled"]].sum()
    for level, share in (("skilled", by_region["projected_stock"] / by_region["employment"]),
                         ("high_skilled", by_region["projected_stock_high_skilled"]
                          / by_region["projected_stock"])):
        got = path[path["skill_level"] == level].dropna(subset=["share_without_plan"])
        got = got.set_index(["region", "period"])["share_without_plan"].sort_index()
        np.testing.assert_allclose(got, share.sort_index(), rtol=1e-12)


def test_the_plan_over_years_funds_whole_places_by_default(run):
    out, _ = run
    quotas = pd.read_csv(out / "quotas.csv")
    assert set(quotas["period"]) == {2022, 2023}
    assert (quotas["quota"] == quotas["quota"].round()).all() and quotas["quota"].sum() > 0
    summary = pd.read_csv(out / "plan_summary.csv")
    assert summary.loc[0, "integer"] == "round"


def test_round_is_accepted_with_plan_years(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text('[plan]\nyears = [2026, 2027]\ninteger = "round"\n', encoding="utf-8")
    assert load_config(path).plan.integer == "round"
