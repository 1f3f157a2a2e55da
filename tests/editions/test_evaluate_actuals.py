"""``talentgap evaluate`` builds the later panel as the edition's was; ``forecast --store`` says
what it stored."""

from __future__ import annotations

import json
import sqlite3
import warnings
from contextlib import closing

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main
from talentgap.editions import EditionStore, score_edition


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Synthetic inputs: all 16 quarters, and the first 12 (the edition's data)."""
    root = tmp_path_factory.mktemp("actuals")
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=16, seed=11)
    for folder in ("early", "all"):
        (root / folder).mkdir()
    for name in ("surveys", "training"):
        table = getattr(data, name)
        periods = pd.PeriodIndex(table["period"].astype(str), freq="Q")
        tg.io.write_table(table, root / "all" / f"{name}.csv")
        tg.io.write_table(table[periods <= periods.max() - 4], root / "early" / f"{name}.csv")
    return root


def forecast_args(files, out, store, *extra):
    return ["forecast", "--surveys", str(files / "early" / "surveys.csv"),
            "--training", str(files / "early" / "training.csv"), "--forecaster", "drift",
            "--set", "forecast.n_samples=50", "--out", str(out), "--no-report",
            "--no-charts", "--store", str(store), *extra]


@pytest.fixture(scope="module")
def stored(files, tmp_path_factory):
    """An edition stored by the command line, panel absorption 1.0 and lead time 1."""
    root = tmp_path_factory.mktemp("cli-store")
    store = root / "editions.sqlite"
    assert main([*forecast_args(files, root / "out", store), "-q"]) == 0
    return store


def summary_of(out) -> pd.DataFrame:
    return pd.read_csv(out / "edition_scores_summary.csv")


def test_the_editions_panel_settings_win_over_the_actuals_config(stored, files, tmp_path,
                                                                 capsys):
    folder = tmp_path / "folder"
    assert main(["evaluate", "--store", str(stored), "--actuals", str(files / "all"),
                 "--out", str(folder)]) == 0
    capsys.readouterr()
    config = tmp_path / "later.toml"
    config.write_text(f'[data]\nsurveys = "{(files / "all" / "surveys.csv").as_posix()}"\n'
                      f'training = "{(files / "all" / "training.csv").as_posix()}"\n'
                      "[panel]\nabsorption = 0.85\nlead_time = 2\n")
    toml = tmp_path / "toml"
    assert main(["evaluate", "--store", str(stored), "--actuals", str(config),
                 "--out", str(toml)]) == 0
    err = capsys.readouterr().err
    assert "sets 2 panel setting(s) differently from edition" in err
    assert "[panel] absorption = 0.85 (the edition's: 1.0)" in err
    assert "[panel] lead_time = 2 (the edition's: 1)" in err
    pd.testing.assert_frame_equal(summary_of(toml), summary_of(folder))


def python_edition(files, store_path, config=None):
    surveys = tg.io.read_table(files / "early" / "surveys.csv", table="surveys", freq="Q")
    training = tg.io.read_table(files / "early" / "training.csv", table="training", freq="Q")
    panel = tg.features.build_panel(surveys, training)  # build_panel's lead_time 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gap = tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=50).fit(panel)
    store = EditionStore(store_path)
    store.add("py", gap, gap.predict(4, level=[80]), config=config)
    return store


def test_a_python_edition_without_panel_settings_is_scored_with_build_panels_defaults(
        files, tmp_path, capsys):
    store = python_edition(files, tmp_path / "py.sqlite")
    out = tmp_path / "scores"
    assert main(["evaluate", "--store", str(store.path), "--actuals", str(files / "all"),
                 "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "does not record how its panel was built" in err
    assert "lead_time = 0 and absorption = 1.0" in err
    surveys = tg.io.read_table(files / "all" / "surveys.csv", table="surveys", freq="Q")
    training = tg.io.read_table(files / "all" / "training.csv", table="training", freq="Q")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = score_edition(store, "py", tg.features.build_panel(surveys, training))
    written = summary_of(out)
    pd.testing.assert_series_equal(written["mae"], expected.summary["mae"], check_exact=False)


def test_a_python_edition_with_panel_settings_is_scored_with_them(files, tmp_path, capsys):
    store = python_edition(files, tmp_path / "py.sqlite",
                           config={"panel": {"lead_time": 0, "absorption": 1.0}})
    assert main(["evaluate", "--store", str(store.path), "--actuals", str(files / "all"),
                 "--out", str(tmp_path / "s")]) == 0
    assert "does not record" not in capsys.readouterr().err


def test_forecast_store_reports_the_edition(files, tmp_path, capsys):
    store = tmp_path / "e.sqlite"
    assert main([*forecast_args(files, tmp_path / "o", store), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    name = EditionStore(store).latest()
    assert doc["edition"] == {"name": name, "store": str(store), "stored": True, "error": None,
                              "files_written": len(doc["files"])}
    assert main(forecast_args(files, tmp_path / "o2", store, "--edition", "second")) == 0
    assert f"edition second stored in {store}" in capsys.readouterr().out


def test_a_locked_store_keeps_the_outputs_and_says_the_edition_was_not_stored(
        files, tmp_path, capsys, monkeypatch):
    store = tmp_path / "e.sqlite"
    assert main([*forecast_args(files, tmp_path / "o", store, "--edition", "first"),
                 "-q"]) == 0
    capsys.readouterr()
    monkeypatch.setattr("talentgap.editions.store._BUSY_TIMEOUT", 0.05)
    out = tmp_path / "locked"
    with closing(sqlite3.connect(store, isolation_level=None)) as holder:
        holder.execute("BEGIN EXCLUSIVE")
        code = main(forecast_args(files, out, store, "--edition", "second"))
        holder.execute("ROLLBACK")
    assert code == 2
    captured = capsys.readouterr()
    assert "edition second was NOT stored" in captured.out
    assert "locked by another process" in captured.err and "retry" in captured.err
    assert f"output files were written to {out}" in captured.err
    assert (out / "forecast.csv").is_file()
    assert EditionStore(store).names() == ["first"]


def test_list_names_both_fingerprints(stored, capsys):
    assert main(["editions", "list", "--store", str(stored), "--format", "json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    store = EditionStore(stored)
    assert row["data_fingerprint"] == store.info(row["name"])["data_fingerprint"]
    assert row["model_fingerprint"] == store.metadata(row["name"])["metadata_sha256"]
    assert "fingerprint" not in row


def test_evaluate_writes_its_own_folder_and_report_by_default(stored, files, tmp_path,
                                                              monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "talentgap-out").mkdir()
    (tmp_path / "talentgap-out" / "report.html").write_text("the forecast's report")
    assert main(["evaluate", "--store", str(stored), "--actuals", str(files / "all")]) == 0
    assert (tmp_path / "talentgap-evaluation" / "evaluation_report.html").is_file()
    assert (tmp_path / "talentgap-out" / "report.html").read_text() == "the forecast's report"
    assert "the latest forecast origin" in capsys.readouterr().out
