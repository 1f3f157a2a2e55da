"""Runs keyed by occupation with a ``[plan] crosswalk`` of programmes to occupations.

Training recorded by programme is spread over the occupations the crosswalk
names (``build_panel(..., crosswalk=...)``); a surveyed occupation with
vacancies that no programme trains for is refused with its line in the file
(rule ``not_in_crosswalk``); an employment table, which is never by
occupation, is refused at occupation keys with what the run can do instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.cli.config import Config
from talentgap.cli.pipeline import run
from talentgap.errors import ConfigError, SchemaError

PERIODS = [f"{year}Q{q}" for year in (2022, 2023) for q in (1, 2, 3, 4)]
#: weld trains welders only; metal trains welders and CNC operators half and half.
CROSSWALK = pd.DataFrame({"program": ["weld", "metal", "metal"],
                          "occupation": ["welder", "welder", "cnc"], "share": [1.0, 0.5, 0.5]})


def surveys(extra: list[dict] | None = None) -> pd.DataFrame:
    """Two enterprises per region, each reporting welders and CNC operators every quarter."""
    rows = []
    for t, period in enumerate(PERIODS):
        for region in ("A", "B"):
            for e in (1, 2):
                for occupation, vacancies in (("welder", 4 + t % 3), ("cnc", 2 + e)):
                    rows.append({"period": period, "enterprise_id": f"{region}{e}",
                                 "region": region, "industry": "mfg", "occupation": occupation,
                                 "employees": 50, "vacancies": vacancies, "hard_to_fill": 2,
                                 "reports_shortage": 1, "weight": 3.0})
    return pd.DataFrame(rows + (extra or []))


def training() -> pd.DataFrame:
    """Each region trains both programmes every quarter; certified counts differ by period."""
    rows = [{"period": period, "region": region, "industry": "mfg", "program": program,
             "trained": 40, "certified": 20 + t + (5 if program == "weld" else 0)
             + (3 if region == "B" else 0)}
            for t, period in enumerate(PERIODS) for region in ("A", "B")
            for program in ("weld", "metal")]
    return pd.DataFrame(rows)


def config(folder, **data) -> Config:
    return Config.from_dict({
        "data": {"surveys": "surveys.csv", "training": "training.csv", "freq": "Q",
                 "keys": ["region", "industry", "occupation"], **data},
        "panel": {"lead_time": 0},
        "plan": {"crosswalk": "crosswalk.csv"}}, base=folder)


@pytest.fixture
def folder(tmp_path):
    surveys().to_csv(tmp_path / "surveys.csv", index=False)
    training().to_csv(tmp_path / "training.csv", index=False)
    CROSSWALK.to_csv(tmp_path / "crosswalk.csv", index=False)
    return tmp_path


def test_training_by_programme_is_spread_over_the_occupations_of_the_crosswalk(folder):
    panel = run(config(folder), steps=("features",)).panel
    got = panel.set_index(["region", "occupation", "period"])["certified"]
    table = training().pivot_table(index=["region", "period"], columns="program",
                                   values="certified")
    # welder: all of weld and half of metal; cnc: the other half of metal
    for region in ("A", "B"):
        for period in PERIODS:
            weld, metal = table.loc[(region, period), ["weld", "metal"]]
            assert got[(region, "welder", pd.Period(period, "Q"))] == pytest.approx(
                weld + 0.5 * metal)
            assert got[(region, "cnc", pd.Period(period, "Q"))] == pytest.approx(0.5 * metal)
    assert set(panel["occupation"].astype(str)) == {"welder", "cnc"}
    assert not panel["supply_missing"].any()


def test_an_occupation_no_programme_trains_for_is_refused_with_its_line(folder):
    # a bad row first (hard_to_fill > vacancies), skipped with its enterprise-period: the
    # robot row's line in the file is then not its position in the kept rows + 2
    table = surveys()
    bad = table.index[(table["enterprise_id"] == "B2") & (table["period"] == "2022Q1")]
    table.loc[bad[0], "hard_to_fill"] = 99
    robot = {"period": "2023Q2", "enterprise_id": "A1", "region": "A", "industry": "mfg",
             "occupation": "robot", "employees": 50, "vacancies": 3, "hard_to_fill": 1,
             "reports_shortage": 1, "weight": 3.0}
    table = pd.concat([table, pd.DataFrame([robot])], ignore_index=True)
    table.to_csv(folder / "surveys.csv", index=False)
    training().assign(occupation=lambda t: np.where(t["program"] == "weld", "welder", "cnc")
                      ).to_csv(folder / "training.csv", index=False)
    line = len(table) + 1  # the last row; line 1 is the header
    with pytest.raises(SchemaError, match=rf"not_in_crosswalk.*'robot'.*line {line}: 'robot'.*"
                                          r"\[plan\] crosswalk") as caught:
        run(config(folder, on_invalid="skip"), steps=("features",))
    assert caught.value.reason == "not_in_crosswalk"
    assert caught.value.failure_cases["line"].tolist() == [line]


def test_the_employment_table_is_refused_at_occupation_keys_saying_what_to_do(folder):
    employment = pd.DataFrame({"period": PERIODS * 2, "region": ["A"] * 8 + ["B"] * 8,
                               "industry": "mfg", "employment": 1000})
    employment.to_csv(folder / "employment.csv", index=False)
    with pytest.raises(ConfigError, match=r"\[data\] employment .* has no column 'occupation'"
                                          r".*never by occupation: plan by region, industry"):
        run(config(folder, employment="employment.csv"), steps=("features",))
