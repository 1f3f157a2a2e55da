"""Tests of ``talentgap validate`` (talentgap.cli.validate), in-process and as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

import talentgap
from talentgap.cli import main
from talentgap.errors import SchemaError

SURVEYS_HEADER = (
    "period,enterprise_id,region,industry,employees,vacancies,hard_to_fill,reports_shortage"
)


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "surveys.csv"
    path.write_text(SURVEYS_HEADER + "\n2024Q1,E1,007,textiles,40,3,2,1\n"
                    "2024Q1,E2,008,textiles,12,1,0,0\n")
    return path


@pytest.fixture
def bad(tmp_path):
    path = tmp_path / "bad_surveys.csv"
    path.write_text(SURVEYS_HEADER + "\n2024Q1,E1,007,textiles,40,3,2,1\n"
                    "2024Q1,E2,009,textiles,40,3,9,0\n"
                    "2024Q1,E3,007,textiles,-1,3,2,0\n")
    return path


@pytest.fixture
def training_csv(tmp_path):
    path = tmp_path / "training.csv"
    path.write_text("period,region,industry,trained,certified\n2024Q1,007,textiles,120,80\n")
    return path


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def test_validate_good_file(good, capsys):
    assert main(["validate", str(good), "--table", "surveys"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == f"{good}: surveys: 2 rows in, 2 kept, 0 rejected"
    assert err == ""


def test_validate_bad_file(bad, capsys):
    assert main(["validate", str(bad), "--table", "surveys"]) == 2
    out, err = capsys.readouterr()
    line = one_line(err)
    assert line.startswith("talentgap: error: ")
    assert str(bad) in line
    assert "'hard_to_fill'" in line
    assert "'exceeds_vacancies'" in line
    assert "line 3" in line
    assert "Traceback" not in err
    assert "3 rows in, 1 kept, 2 rejected" in out
    assert "[negative]" in out


def test_table_equals_path_form(good, training_csv, capsys):
    assert main(["validate", f"surveys={good}", f"training={training_csv}"]) == 0
    out, _ = capsys.readouterr()
    assert f"{good}: surveys: 2 rows in" in out
    assert f"{training_csv}: training: 1 rows in, 1 kept" in out


def test_table_is_required(good, capsys):
    assert main(["validate", str(good)]) == 2
    _, err = capsys.readouterr()
    assert "say which table it is, with --table or as TABLE=PATH" in one_line(err)


def test_path_or_config_is_required(capsys):
    assert main(["validate", "--table", "surveys"]) == 2
    assert "give [TABLE=]PATH arguments or --config" in one_line(capsys.readouterr().err)


def test_config_data_files(good, training_csv, tmp_path, capsys):
    config = tmp_path / "run.toml"
    config.write_text(f'[data]\nsurveys = "{good.name}"\ntraining = "{training_csv.name}"\n'
                      'freq = "Q"\n')
    assert main(["validate", "--config", str(config)]) == 0
    out, _ = capsys.readouterr()
    assert f"{good}: surveys: 2 rows in" in out
    assert f"{training_csv}: training: 1 rows in, 1 kept" in out
    config.write_text(f'[data]\nsurveys = "{good.name}"\nfreq = "M"\n')
    assert main(["validate", "--config", str(config)]) == 2  # quarters are not months
    assert "'bad_period'" in one_line(capsys.readouterr().err)


def test_codes_file(bad, tmp_path, capsys):
    codes = tmp_path / "regions.txt"
    codes.write_text("007\n008\n\n")
    assert main(["validate", str(bad), "--table", "surveys", "--codes", f"region={codes}"]) == 2
    out, _ = capsys.readouterr()
    assert "[unknown_code]" in out
    assert "'009' (did you mean '008'?)" in out


@pytest.mark.parametrize(
    ("spec", "pattern"),
    [("region", "expected COLUMN=FILE"), ("region=/nonexistent/codes.txt", "cannot read")],
)
def test_bad_codes_option(good, capsys, spec, pattern):
    assert main(["validate", str(good), "--table", "surveys", "--codes", spec]) == 2
    assert pattern in one_line(capsys.readouterr().err)


def test_rejected_file_lists_every_failure(bad, tmp_path, capsys):
    out_path = tmp_path / "rejected.csv"
    assert main(["validate", str(bad), "--table", "surveys", "--rejected", str(out_path)]) == 2
    rejected = pd.read_csv(out_path)
    assert list(rejected.columns) == ["file", "line", "row", "column", "rule", "value",
                                      "message"]
    assert rejected[["line", "column", "rule"]].values.tolist() == [
        [3, "hard_to_fill", "exceeds_vacancies"], [4, "employees", "negative"]]
    assert set(rejected["file"]) == {str(bad)}


def test_rejected_file_is_rewritten_when_nothing_fails(good, tmp_path, capsys):
    out_path = tmp_path / "rejected.csv"
    out_path.write_text("stale failures from an earlier run\n")
    assert main(["validate", str(good), "--table", "surveys", "--rejected", str(out_path)]) == 0
    assert pd.read_csv(out_path).empty
    assert out_path.read_text().startswith("file,line,row,column,rule,value,message")


def test_json_format(bad, good, capsys):
    assert main(["validate", str(good), str(bad), "--table", "surveys", "--format", "json"]) == 2
    out, _ = capsys.readouterr()
    reports = json.loads(out)
    assert [r["file"] for r in reports] == [str(good), str(bad)]
    assert [(r["rows_in"], r["rows_kept"], r["rows_rejected"]) for r in reports] == [
        (2, 2, 0), (3, 1, 2)]
    assert reports[1]["failures"] == [
        {"column": "employees", "rule": "negative", "count": 1},
        {"column": "hard_to_fill", "rule": "exceeds_vacancies", "count": 1},
    ]
    assert reports[0]["freq"] == "Q"


def test_freq_option(good, capsys):
    assert main(["validate", str(good), "--table", "surveys", "--freq", "M"]) == 2
    assert "'bad_period'" in one_line(capsys.readouterr().err)
    assert main(["validate", str(good), "--table", "surveys", "--freq", "W"]) == 2
    assert "freq='W' is not supported" in one_line(capsys.readouterr().err)


def test_table_level_problem_is_one_line(good, capsys):
    assert main(["validate", str(good), "--table", "training"]) == 2
    line = one_line(capsys.readouterr().err)
    assert str(good) in line
    assert "required column 'trained' is missing" in line


def test_missing_and_unreadable_files(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "absent.csv"), "--table", "surveys"]) == 2
    assert "absent.csv: no such file" in one_line(capsys.readouterr().err)
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b'period,region\n"2024Q1,North\n')
    assert main(["validate", str(broken), "--table", "surveys"]) == 2
    assert "cannot be read as CSV" in one_line(capsys.readouterr().err)


def test_debug_shows_the_exception(good):
    with pytest.raises(SchemaError, match="'trained'"):
        main(["--debug", "validate", str(good), "--table", "training"])


def test_internal_error_exit_code(good, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("talentgap.cli.validate.io.read_table", broken)
    assert main(["validate", str(good), "--table", "surveys"]) == 1
    line = one_line(capsys.readouterr().err)
    assert "internal error: RuntimeError: boom" in line
    assert "--debug" in line


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"talentgap {talentgap.__version__}"


def test_python_dash_m_exit_codes(good, bad):
    command = [sys.executable, "-m", "talentgap", "validate", "--table", "surveys"]
    failed = subprocess.run([*command, str(bad)], capture_output=True, text=True, timeout=60)
    assert failed.returncode == 2
    assert "Traceback" not in failed.stderr
    assert str(bad) in one_line(failed.stderr)
    passed = subprocess.run([*command, str(good)], capture_output=True, text=True, timeout=60)
    assert passed.returncode == 0, passed.stderr
    assert "2 rows in, 2 kept, 0 rejected" in passed.stdout


def test_rejected_parquet_with_values_of_several_types(tmp_path, capsys):
    pytest.importorskip("pyarrow")
    path = tmp_path / "mixed.csv"
    path.write_text(SURVEYS_HEADER + "\n2024Q1,E1,007,textiles,40,3,9,1\n"
                    "2024Q7,E2,008,textiles,12,1,0,0\n")
    out_path = tmp_path / "rejected.parquet"
    assert main(["validate", str(path), "--table", "surveys", "--rejected",
                 str(out_path)]) == 2
    rejected = pd.read_parquet(out_path)
    assert rejected[["column", "value"]].values.tolist() == [
        ["hard_to_fill", "9"], ["period", "2024Q7"]]


def test_without_freq_validate_accepts_what_forecast_accepts(tmp_path, capsys):
    # forecast declares the default frequency (quarterly): a monthly file must not pass here
    path = tmp_path / "training.csv"
    path.write_text("period,region,industry,trained,certified\n"
                    "2024-01,Northvale,textiles,10,8\n2024-02,Northvale,textiles,12,9\n")
    assert main(["validate", f"training={path}"]) == 2
    assert "2024-01" in capsys.readouterr().out
    assert main(["validate", f"training={path}", "--freq", "M"]) == 0


def test_each_error_is_printed_once_on_a_terminal(bad, capsys, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["validate", str(bad), "--table", "surveys"]) == 2
    captured = capsys.readouterr()
    assert "rejected" in captured.out and captured.err == ""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert main(["validate", str(bad), "--table", "surveys"]) == 2
    assert capsys.readouterr().err.startswith("talentgap: error: ")
