"""One input table read from a folder or a glob pattern of files (talentgap._table_files)."""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main
from talentgap.errors import DataQualityWarning, SchemaError


@pytest.fixture(scope="module")
def surveys():
    data = tg.datasets.make_synthetic(n_regions=3, industries=2, n_periods=2, seed=5)
    return data.surveys.reset_index(drop=True), data.training


@pytest.fixture()
def folder(tmp_path, surveys):
    """One CSV file per region in ``provinces/``, plus a training file."""
    table, training = surveys
    provinces = tmp_path / "provinces"
    provinces.mkdir()
    for i, region in enumerate(table["region"].cat.categories):
        table[table["region"] == region].to_csv(provinces / f"p{i}.csv", index=False)
    (provinces / "notes.md").write_text("not a table\n")
    training.to_csv(tmp_path / "training.csv", index=False)
    return tmp_path


@pytest.mark.parametrize("where", ["provinces", "provinces/*.csv"])
def test_folder_or_pattern_reads_every_file(folder, surveys, where):
    table, _ = surveys
    clean = tg.io.read_table(folder / where, table="surveys", freq="Q")
    one = tg.io.read_table(_whole(folder, table), table="surveys", freq="Q")
    key = ["enterprise_id", "period"]
    pd.testing.assert_frame_equal(
        clean.astype({"enterprise_id": str}).sort_values(key).reset_index(drop=True),
        one.astype({"enterprise_id": str}).sort_values(key).reset_index(drop=True))


def _whole(folder, table):
    path = folder / "whole.csv"
    table.to_csv(path, index=False)
    return path


def test_rows_named_by_file_and_line(folder):
    bad = pd.read_csv(folder / "provinces" / "p1.csv")
    bad.loc[5, "employees"] = -7  # line 7 of p1.csv
    repeated = pd.read_csv(folder / "provinces" / "p0.csv").iloc[[2]]  # line 4 of p0.csv
    repeated["employees"] += 1  # a conflicting copy: both copies are rejected
    pd.concat([bad, repeated]).to_csv(folder / "provinces" / "p1.csv", index=False)
    last = len(bad) + 2  # the repeated row's line in p1.csv
    with pytest.raises(SchemaError, match="3 of .* rows in 3 files") as error:
        tg.io.read_table(folder / "provinces", table="surveys", freq="Q")
    cases = error.value.failure_cases
    found = sorted(zip(cases["file"].map(lambda f: f.rsplit("/", 1)[-1]), cases["line"],
                       cases["rule"], strict=True))
    assert found == [("p0.csv", 4, "duplicate_key"), ("p1.csv", 7, "negative"),
                     ("p1.csv", last, "duplicate_key")]
    assert f"shared by p0.csv line 4, p1.csv line {last}" in str(error.value)
    clean, report = tg.io.read_table(folder / "provinces/*.csv", table="surveys", freq="Q",
                                     errors="report")
    assert (report.rows_in, report.rows_rejected, len(clean)) == (
        report.rows_kept + 3, 3, report.rows_kept)
    assert "(in p1.csv)" in report.summary()


def test_no_file_matched(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file matches"):
        tg.io.read_table(tmp_path / "*.csv", table="surveys")
    with pytest.raises(FileNotFoundError, match="holds no file"):
        tg.io.read_table(tmp_path, table="surveys")


def test_cli_validates_a_pattern(folder, capsys):
    config = folder / "c.toml"
    config.write_text('[data]\nsurveys = "provinces/*.csv"\ntraining = "training.csv"\n'
                      'freq = "Q"\n')
    assert main(["validate", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "provinces/*.csv: surveys:" in out and "0 rejected" in out


def _one_and_folder(tmp_path, parts):
    """The same rows as one file and as a folder of files, each read with errors='report'."""
    (tmp_path / "d").mkdir()
    for i, part in enumerate(parts):
        part.to_csv(tmp_path / "d" / f"{chr(97 + i)}.csv", index=False)
    pd.concat(parts).to_csv(tmp_path / "one.csv", index=False)
    return [tg.io.read_table(tmp_path / where, table="surveys", freq="Q", errors="report")
            for where in ("one.csv", "d")]


def _outcome(clean, report):
    return (report.rows_kept, report.rows_in, sorted(report.rejected["rule"]),
            clean["enterprise_id"].astype(str).tolist())


def _rows(surveys):
    s = surveys[0].iloc[:20].astype({"enterprise_id": object, "region": object,
                                     "industry": object})
    return s.assign(period=s["period"].astype(str))


def test_exact_repeat_across_files_keeps_the_first_copy(tmp_path, surveys):
    s = _rows(surveys)
    one, folder = _one_and_folder(tmp_path, [s.iloc[:10], pd.concat([s.iloc[10:], s.iloc[[0]]])])
    assert _outcome(*folder) == _outcome(*one)
    assert folder[1].rejected[["file", "line", "rule"]].values.tolist() == [
        [str(tmp_path / "d" / "b.csv"), 12, "duplicate_row"]]


def test_ids_that_fold_alike_across_files(tmp_path, surveys):
    s = _rows(surveys)
    b = s.iloc[10:].copy()
    b.iloc[0, b.columns.get_loc("enterprise_id")] = s["enterprise_id"].iloc[0].lower()
    b.iloc[0, b.columns.get_loc("period")] = s["period"].iloc[0]
    one, folder = _one_and_folder(tmp_path, [s.iloc[:10], b])
    assert _outcome(*folder) == _outcome(*one)
    assert "duplicate_key" in folder[1].rejected["rule"].tolist()


def test_conflicting_copy_takes_its_enterprise_period_out(tmp_path, surveys):
    s = _rows(surveys).iloc[:6]
    long = pd.concat([s.assign(occupation="welder"), s.assign(occupation="fitter")],
                     ignore_index=True)
    copy = long.iloc[[0]].assign(vacancies=long["vacancies"].iloc[0] + 1)
    one, folder = _one_and_folder(tmp_path, [long, copy])
    assert _outcome(*folder) == _outcome(*one)
    assert folder[1].rows_kept == 10  # E's welder copies (2) and its fitter row (1) out
    rejected = folder[1].rejected.set_index("rule")
    assert rejected.loc["group_incomplete", "file"].endswith("a.csv")
    message = rejected.loc["duplicate_key"].iloc[0]["message"]
    assert "a.csv line 2, b.csv line 2" in message and message.endswith("(in a.csv)")


def test_warnings_and_whole_file_failures_name_the_file(tmp_path, surveys):
    s = _rows(surveys)
    b = s.iloc[10:].copy()
    b.iloc[2, b.columns.get_loc("vacancies")] = b["employees"].iloc[2] * 9
    b.iloc[2, b.columns.get_loc("hard_to_fill")] = 0
    (tmp_path / "d").mkdir()
    s.iloc[:10].to_csv(tmp_path / "d" / "a.csv", index=False)
    b.to_csv(tmp_path / "d" / "b.csv", index=False)
    with pytest.warns(DataQualityWarning, match=r"vacancies > 5 x employees.*b\.csv line 4"):
        tg.io.read_table(tmp_path / "d", table="surveys", freq="Q")
    b.drop(columns="employees").to_csv(tmp_path / "d" / "b.csv", index=False)
    with pytest.raises(SchemaError, match=r"b\.csv: surveys: required column 'employees'"):
        tg.io.read_table(tmp_path / "d", table="surveys", freq="Q", errors="report")
