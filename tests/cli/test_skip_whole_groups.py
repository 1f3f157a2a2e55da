"""``on_invalid = "skip"``: a skipped row takes its group with it; codes written two ways."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main, pipeline
from talentgap.cli.config import load_config

KEYS = ["region", "industry", "period"]


@pytest.fixture(scope="module")
def inputs():
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=8, seed=5)
    text = {"period": str, "region": str, "industry": str}
    return data.surveys.astype(text), data.training.astype(text)


def _write(folder, surveys, training, *, out="out"):
    surveys.to_csv(folder / "surveys.csv", index=False)
    training.to_csv(folder / "training.csv", index=False)
    config = folder / "run.toml"
    config.write_text('[data]\nsurveys = "surveys.csv"\ntraining = "training.csv"\n'
                      'on_invalid = "skip"\n[forecast]\nmodel = "naive"\nn_samples = 100\n'
                      f'[output]\ndir = "{(folder / out).as_posix()}"\n')
    return config


def _panel(config):
    result = pipeline.run(load_config(config), steps=("features",))
    return result, result.panel.assign(period=result.panel["period"].astype(str))


def test_a_damaged_cohort_leaves_its_cell_period_missing_not_undercounted(tmp_path, inputs):
    surveys, training = inputs
    sizes = training.groupby(["period", "region", "industry"]).transform("size")
    shared = np.flatnonzero(sizes.to_numpy() == 2)  # cohorts sharing their cell-period
    bad = int(shared[len(shared) // 2])
    damaged = training.astype({"certified": object})
    damaged.loc[bad, "certified"] = f"{training.loc[bad, 'certified']}%"
    (tmp_path / "clean").mkdir()
    (tmp_path / "bad").mkdir()
    _, clean = _panel(_write(tmp_path / "clean", surveys, training))
    result, panel = _panel(_write(tmp_path / "bad", surveys, damaged))

    both = clean.merge(panel, on=KEYS, suffixes=("_clean", "_bad"), validate="1:1")
    same = np.isclose(both["supply_clean"], both["supply_bad"], equal_nan=True)
    changed = both[~same]
    assert len(changed) == 1  # the one cell-period the damaged cohort's cell reaches
    row = changed.iloc[0]
    assert (row["region"], row["industry"]) == tuple(training.loc[bad, ["region", "industry"]])
    assert np.isnan(row["supply_bad"]) and row["supply_clean"] > 0
    assert row["supply_missing_bad"] and not row["supply_missing_clean"]
    np.testing.assert_array_equal(both["demand_clean"], both["demand_bad"])

    report = result.reports["training"]
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == (len(training),
                                                                       len(training) - 2, 2)
    rejected = result.rejected
    assert sorted(rejected["rule"]) == ["group_incomplete", "not_numeric"]
    line = bad + 2
    moved = rejected[rejected["rule"] == "group_incomplete"].iloc[0]
    assert moved["message"].startswith(f"line {line} of the same cell-period")


def test_every_row_rejected_says_so_and_still_writes_rejected_csv(tmp_path, inputs, capsys):
    surveys, training = inputs
    damaged = training.assign(certified=training["certified"].astype(str) + "%")
    config = _write(tmp_path, surveys, damaged)
    assert main(["forecast", "--config", str(config), "--no-charts", "--no-report"]) == 2
    err = capsys.readouterr().err
    assert f"all {len(training)} rows of training were rejected" in err
    assert "'certified' breaks rule 'not_numeric'" in err
    assert "the table has no rows" not in err
    written = pd.read_csv(tmp_path / "out" / "rejected.csv")
    assert len(written) == len(training)
    assert set(written["rule"]) == {"not_numeric"}


def test_a_region_written_two_ways_in_every_file_stops_validate_and_forecast(
        tmp_path, inputs, capsys):
    surveys, training = inputs
    late = {"surveys": surveys["period"] >= "2020Q3", "training": training["period"] >= "2020Q3"}
    region = surveys["region"].iloc[0]
    upper = {name: frame.assign(region=frame["region"].where(
        ~(late[name] & (frame["region"] == region)), region.upper()))
        for name, frame in {"surveys": surveys, "training": training}.items()}
    config = _write(tmp_path, upper["surveys"], upper["training"])
    assert main(["validate", "--config", str(config)]) == 2
    out = capsys.readouterr().out
    assert f"'{region.upper()}' in surveys" in out
    assert f"is '{region}' written another way (did you mean '{region}'? letter case)" in out
    assert "write the code one way in every file" in out
    assert main(["forecast", "--config", str(config), "--no-charts", "--no-report"]) == 2
    assert "code_mismatch" in capsys.readouterr().err


def test_lost_leading_zeros_are_refused_with_a_suggestion(tmp_path, capsys):
    (tmp_path / "surveys.csv").write_text(
        "period,enterprise_id,region,industry,employees,vacancies,hard_to_fill,reports_shortage\n"
        "2024Q1,E1,0101,textiles,40,3,2,1\n")
    (tmp_path / "training.csv").write_text(
        "period,region,industry,trained,certified\n2024Q1,101,textiles,10,5\n")
    assert main(["validate", "surveys=" + str(tmp_path / "surveys.csv"),
                 "training=" + str(tmp_path / "training.csv")]) == 2
    out = capsys.readouterr().out
    assert ("'101' in training (1 row, e.g. line 2) is not in surveys (did you mean '0101'? "
            "leading zeros) [code_mismatch]") in out


def test_one_file_alone_is_checked_for_a_code_written_three_ways(tmp_path, capsys):
    path = tmp_path / "surveys.csv"
    path.write_text(
        "period,enterprise_id,region,industry,employees,vacancies,hard_to_fill,reports_shortage\n"
        "2024Q1,E1,Amberfield,textiles,40,3,2,1\n"
        "2024Q1,E2,amberfield,textiles,40,3,2,1\n"
        "2024Q1,E3,Ａｍｂｅｒｆｉｅｌｄ,textiles,40,3,2,1\n"
        "2024Q1,E4,Amberfield,textiles,40,3,2,1\n")
    assert main(["validate", str(path), "--table", "surveys"]) == 2
    out = capsys.readouterr().out
    assert "codes across surveys: 2 value(s) are another spelling of a code" in out
    assert ("'amberfield' in surveys (1 row, e.g. line 3) is 'Amberfield' written another "
            "way (did you mean 'Amberfield'? letter case)") in out
