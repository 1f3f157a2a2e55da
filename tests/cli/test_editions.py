"""End-to-end tests of ``talentgap forecast --store``, ``editions`` and ``evaluate``."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main
from talentgap.editions import EditionStore, score_edition


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Synthetic inputs as files: everything, and the same without the last 4 quarters."""
    root = tmp_path_factory.mktemp("inputs")
    data = tg.datasets.make_synthetic(n_regions=3, industries=3, n_periods=16, seed=7)
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
            "--set", "forecast.n_samples=100", "--out", str(out), "--no-report",
            "--no-charts", "-q", "--store", str(store), *extra]


@pytest.fixture(scope="module")
def stored(files, tmp_path_factory):
    """A store holding the edition of a forecast run on the early files."""
    root = tmp_path_factory.mktemp("run")
    store = root / "editions.sqlite"
    assert main(forecast_args(files, root / "out", store)) == 0
    return store


def test_forecast_stores_an_edition_named_by_its_origin(stored, files, capsys):
    store = EditionStore(stored)
    origin = pd.read_csv(files / "early" / "surveys.csv")["period"].max()
    assert store.names() == [origin]
    forecast = store.forecast(origin)
    written = pd.read_csv(stored.parent / "out" / "forecast.csv")
    assert len(forecast) == len(written)
    assert forecast["gap"].to_numpy() == pytest.approx(written["gap"].to_numpy())
    assert store.metadata(origin)["config"]["panel"]["lead_time"] == 1

    assert main(["editions", "list", "--store", str(stored)]) == 0
    text = capsys.readouterr().out
    assert origin in text and "data_fingerprint" in text and "model_fingerprint" in text
    assert main(["editions", "list", "--store", str(stored), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == [origin]
    assert rows[0]["n_cells"] == 9 and rows[0]["horizon"] == 4


def test_evaluate_writes_the_scores(stored, files, tmp_path, capsys):
    name = EditionStore(stored).latest()
    out = tmp_path / "scores"
    code = main(["evaluate", "--store", str(stored), "--edition", name,
                 "--actuals", str(files / "all"), "--out", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "scored, per quantity:" in text
    assert re.search(r"gap: \d{4}Q\d\.\.\d{4}Q\d \(4 periods\), 9 cells, 36 of the 36 "
                     "cell-periods forecast", text)
    cells = pd.read_csv(out / "edition_scores.csv")
    groups = pd.read_csv(out / "edition_scores_by_group.csv")
    summary = pd.read_csv(out / "edition_scores_summary.csv")
    assert len(cells) == 9 * 3 * 3
    assert set(groups["by"]) == {"industry", "region"}
    assert {"direction", "mase", "coverage_80", "coverage_95"} <= set(summary.columns)
    for table in (cells, groups, summary):  # labelled with what was scored
        assert (table["edition"] == name).all() and (table["origin"] == name).all()
        assert {"first_period", "last_period", "n_coverage_80"} <= set(table.columns)
    assert not (out / "report.html").exists()  # never a forecast's report
    html = (out / "evaluation_report.html").read_text(encoding="utf-8")
    assert f"Forecast edition {name} against what happened" in html
    assert "seasonal naive" in html
    # plain headers with units, rounded numbers and a verdict, no raw codes
    for code in ("n_points", "coverage_80", "coverage_95", "seasonal_naive", ">mase<"):
        assert code not in html
    assert "Share of actual values inside the 80% interval (0–1)" in html
    assert "Mean absolute error (persons per quarter)" in html
    assert "A good stored forecast has a MASE below the simple rules&#x27;" in html
    assert "within 5 percentage points of 80% and 2.5 percentage points of 95%" in html
    assert re.search(r"Gap: the stored forecast&#x27;s MASE is \d\.\d\d, (below|above|equal "
                     r"to) the better simple rule&#x27;s", html)
    assert "% intervals contained " in html
    # the stored intervals are for the population; the later values are estimates
    assert "each interval was widened by the standard error of the estimate" in html
    assert not re.search(r">-?\d+\.\d{3,}<", html)  # no three-decimal cells

    data_all = {t: tg.io.read_table(files / "all" / f"{t}.csv", table=t, freq="Q")
                for t in ("surveys", "training")}
    panel = tg.features.build_panel(data_all["surveys"], data_all["training"], freq="Q",
                                    lead_time=1)
    expected = score_edition(stored, name, panel).summary
    pd.testing.assert_series_equal(summary["mase"], expected["mase"], check_exact=False)
    pd.testing.assert_series_equal(summary["n_points"], expected["n_points"],
                                   check_dtype=False)


def test_evaluate_reads_a_config_and_defaults_to_the_latest(stored, files, tmp_path, capsys):
    config = tmp_path / "later.toml"
    config.write_text(f'[data]\nsurveys = "{(files / "all" / "surveys.csv").as_posix()}"\n'
                      f'training = "{(files / "all" / "training.csv").as_posix()}"\n')
    code = main(["evaluate", "--store", str(stored), "--actuals", str(config),
                 "--out", str(tmp_path / "s"), "--format", "json"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["edition"] == EditionStore(stored).latest()
    assert len(doc["periods"]) == 4


def test_re_storing_is_refused_unless_replacing(stored, files, tmp_path, capsys):
    name = EditionStore(stored).latest()
    other = ("--set", "forecast.random_state=1")  # another run (the same one: exit 0)
    code = main(forecast_args(files, tmp_path / "o", stored, "--edition", name, *other))
    assert code == 2
    assert "append-only" in one_line(capsys.readouterr().err)
    # without --edition the name is the origin, refused before the run
    assert main(forecast_args(files, tmp_path / "o", stored, *other)) == 2
    assert "append-only" in one_line(capsys.readouterr().err)
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(stored.read_bytes())
    assert main(forecast_args(files, tmp_path / "o", copy, "--edition", name,
                              "--replace-edition")) == 0
    assert EditionStore(copy).names() == [name]
    assert main(["editions", "remove", name, "--store", str(copy)]) == 0
    assert EditionStore(copy).names() == []


@pytest.mark.parametrize("argv, message", [
    (["evaluate", "--store", "{tmp}/missing.sqlite", "--actuals", "{all}", "--out", "{tmp}/o"],
     "no edition store"),
    (["evaluate", "--store", "{store}", "--edition", "nope", "--actuals", "{all}",
      "--out", "{tmp}/o"], "no edition 'nope'"),
    (["evaluate", "--store", "{store}", "--actuals", "{early}", "--out", "{tmp}/o"],
     "nothing to score"),
    (["evaluate", "--store", "{store}", "--actuals", "{tmp}/nowhere", "--out", "{tmp}/o"],
     "no such folder"),
    (["evaluate", "--store", "{store}", "--actuals", "{tmp}", "--out", "{tmp}/o"],
     "no surveys.csv"),
    (["forecast", "--edition", "x", "--out", "{tmp}/o"], "need --store"),
    (["editions", "remove", "nope", "--store", "{store}"], "no edition 'nope'"),
])
def test_bad_input_exits_2_with_one_line(stored, files, tmp_path, capsys, argv, message):
    values = {"tmp": tmp_path, "store": stored, "all": files / "all", "early": files / "early"}
    code = main([arg.format(**values) for arg in argv])
    assert code == 2
    assert message in one_line(capsys.readouterr().err)


def test_evaluate_help_lists_the_report(capsys):
    with pytest.raises(SystemExit):
        main(["evaluate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert ("edition_points.csv, edition_revisions.csv, edition_cells_not_scored.csv, "
            "edition_stocks.csv and evaluation_report.html") in text
    assert "default talentgap-evaluation" in text
    assert "latest forecast origin" in text
