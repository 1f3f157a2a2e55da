"""End-to-end tests of the planner's commands (talentgap.cli.commands) in a temp dir."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main
from talentgap.cli.commands import build_config
from talentgap.cli.main import build_parser

OUTPUT_TABLES = ["panel", "forecast", "backtest", "leaderboard", "quotas", "plan_cells",
                 "plan_summary",
                 "plan_binding", "plan_marginal_value", "plan_comparison"]
# the demo's cells are region x industry x skill level: one heatmap panel per level
CHARTS = ["top_shortages", "gap_heatmap_by_level", "fan_1", "error_by_horizon",
          "shortfall_vs_budget"]


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    """``talentgap demo`` once, with its default settings."""
    out = tmp_path_factory.mktemp("demo")
    code = main(["demo", "--out", str(out), "--format", "json"])
    assert code == 0
    return out


@pytest.fixture(scope="module")
def small_files(tmp_path_factory):
    """A small synthetic survey and training pair as CSV files."""
    folder = tmp_path_factory.mktemp("inputs")
    data = tg.datasets.make_synthetic(n_regions=3, industries=3, n_periods=16, seed=5)
    tg.io.write_table(data.surveys, folder / "surveys.csv")
    tg.io.write_table(data.training, folder / "training.csv")
    return folder


def fast(folder, out, *extra):
    return ["--surveys", str(folder / "surveys.csv"), "--training",
            str(folder / "training.csv"), "--out", str(out), "--forecaster", "naive",
            "--set", "forecast.n_samples=200", *extra]


@pytest.mark.slow
def test_demo_writes_every_output(demo_out, capsys):
    for name in OUTPUT_TABLES:
        assert (demo_out / f"{name}.csv").stat().st_size > 0, name
    for name in CHARTS:
        assert (demo_out / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    forecast = pd.read_csv(demo_out / "forecast.csv")
    assert {"region", "industry", "skill_level", "period", "demand", "supply", "gap",
            "gap_lo_80", "gap_hi_80", "p_shortage", "flag"} <= set(forecast.columns)
    assert forecast["period"].nunique() == 4
    assert set(forecast["skill_level"]) == {"skilled", "high_skilled"}  # the demo's levels
    quotas = pd.read_csv(demo_out / "quotas.csv")
    assert quotas["cost"].sum() <= 5_000_000
    board = pd.read_csv(demo_out / "leaderboard.csv")
    assert set(board["model"]) == {"GapForecaster", "naive", "seasonal_naive"}


@pytest.mark.slow
def test_demo_report_embeds_every_chart(demo_out):
    page = (demo_out / "report.html").read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) >= len(CHARTS)
    assert all(base64.b64decode(img)[:4] == b"\x89PNG" for img in images)
    assert not re.search(r"(src|href)=\"https?://", page)
    for heading in ("Largest expected shortages", "Backtest accuracy against baselines",
                    "Training quota plan", "Input data and notes"):
        assert heading in page
    assert "Budget is fully used" in page  # binding constraints in words, capitalised


@pytest.mark.slow
def test_demo_report_renders_in_a_browser(demo_out, tmp_path):
    from _browser import inspect_page

    page = inspect_page(demo_out / "report.html", tmp_path)
    assert not page.blank
    assert len(page.images) >= len(CHARTS)
    assert all(img.natural_width > 0 for img in page.images), page.images


def test_forecast_from_files_and_json_summary(small_files, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["forecast", *fast(small_files, out, "--horizon", "2"), "--format",
                 "json", "--no-charts"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["command"] == "forecast"
    assert doc["forecast"]["cells"] == 9 and len(doc["forecast"]["periods"]) == 2
    assert doc["inputs"]["surveys"]["rows_rejected"] == 0
    assert "forecast.csv" in doc["files"] and "report.html" in doc["files"]
    assert not list(out.glob("*.png"))
    forecast = pd.read_csv(out / "forecast.csv")
    assert len(forecast) == 9 * 2


def test_flags_override_the_config(small_files, tmp_path, capsys):
    config = tmp_path / "run.toml"
    config.write_text(f'[data]\nsurveys = "{small_files / "surveys.csv"}"\n'
                      '[forecast]\nhorizon = 6\nmodel = "drift"\n')
    args = build_parser().parse_args(["forecast", "--config", str(config), "--horizon", "3",
                                      "--set", "forecast.levels=[50]"])
    cfg = build_config(args)
    assert cfg.forecast.horizon == 3
    assert cfg.forecast.model == "drift"
    assert cfg.forecast.levels == (50,)


def test_plan_writes_quotas_within_budget(small_files, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["plan", *fast(small_files, out, "--budget", "200000",
                               "--cost-per-trainee", "5000", "--pass-rate", "0.8"),
                 "--no-charts", "--no-report"]) == 0
    text = capsys.readouterr().out
    assert "places for" in text
    quotas = pd.read_csv(out / "quotas.csv")
    assert quotas["cost"].sum() <= 200_000
    summary = pd.read_csv(out / "plan_summary.csv").set_index("plan")
    assert summary.loc["optimised", "shortfall_after"] <= (
        summary.loc["proportional", "shortfall_after"] + 1e-6)
    assert not (out / "report.html").exists()


def test_per_cell_parameter_table(small_files, tmp_path, capsys):
    panel_out = tmp_path / "features"
    assert main(["features", "--surveys", str(small_files / "surveys.csv"), "--out",
                 str(panel_out), "--no-report"]) == 0
    cells = pd.read_csv(panel_out / "panel.csv", dtype={"region": str})[
        ["region", "industry"]].drop_duplicates()
    costs = cells.assign(cost_per_trainee=[4000 + 100 * i for i in range(len(cells))])
    costs.to_csv(tmp_path / "costs.csv", index=False)
    out = tmp_path / "out"
    assert main(["plan", *fast(small_files, out, "--budget", "100000", "--cost-per-trainee",
                               str(tmp_path / "costs.csv")), "--no-charts", "--no-report"]) == 0
    quotas = pd.read_csv(out / "quotas.csv", dtype={"region": str})
    merged = quotas.merge(costs, on=["region", "industry"], suffixes=("", "_given"))
    assert (merged["cost_per_trainee"] == merged["cost_per_trainee_given"]).all()


def test_plan_needs_a_budget(small_files, tmp_path, capsys):
    assert main(["plan", *fast(small_files, tmp_path / "out")]) == 2
    line = one_line(capsys.readouterr().err)
    assert "budget" in line and "cost_per_trainee" in line


def test_backtest_writes_leaderboard(small_files, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["backtest", *fast(small_files, out, "--set", "backtest.n_windows=2"),
                 "--no-report"]) == 0
    board = pd.read_csv(out / "leaderboard.csv")
    assert list(board["rank"]) == sorted(board["rank"])
    assert {"mae", "mase", "bias"} <= set(board.columns)
    assert "smape" not in board.columns  # gaps cross 0: sMAPE would mislead
    backtest = pd.read_csv(out / "backtest.csv")
    assert set(backtest["model"]) == {"GapForecaster", "naive", "seasonal_naive"}
    assert backtest["cutoff"].nunique() == 2
    assert (out / "error_by_horizon.png").exists()


@pytest.fixture
def bad_surveys(small_files, tmp_path):
    frame = pd.read_csv(small_files / "surveys.csv", dtype=str)
    frame.loc[6, "hard_to_fill"] = "999999"
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    return path


def test_bad_csv_is_exit_2_with_one_line(bad_surveys, small_files, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["forecast", "--surveys", str(bad_surveys), "--out", str(out)]) == 2
    _, err = capsys.readouterr()
    line = one_line(err)
    assert str(bad_surveys) in line
    assert "'hard_to_fill'" in line and "line 8" in line and "'exceeds_vacancies'" in line
    assert "Traceback" not in err
    assert not (out / "forecast.csv").exists()


def test_on_invalid_skip_keeps_going_and_lists_rejected_rows(bad_surveys, small_files,
                                                             tmp_path, capsys):
    out = tmp_path / "out"
    args = ["features", "--surveys", str(bad_surveys), "--out", str(out), "--no-report",
            "--set", "data.on_invalid=skip", "--format", "json"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    rows = doc["inputs"]["surveys"]
    assert (rows["rows_in"], rows["rows_kept"], rows["rows_rejected"]) == (
        len(pd.read_csv(bad_surveys)), len(pd.read_csv(bad_surveys)) - 1, 1)
    rejected = pd.read_csv(out / "rejected.csv")
    assert rejected[["table", "line", "column"]].values.tolist() == [
        ["surveys", 8, "hard_to_fill"]]
    assert any("rejected.csv" in note for note in doc["notes"])


def test_on_invalid_skip_with_failures_of_several_types(bad_surveys, tmp_path, capsys):
    pytest.importorskip("pyarrow")
    frame = pd.read_csv(bad_surveys, dtype=str)
    frame.loc[9, "period"] = "2019Q7"
    frame.to_csv(bad_surveys, index=False)
    out = tmp_path / "out"
    assert main(["features", "--surveys", str(bad_surveys), "--out", str(out), "--no-report",
                 "--set", "data.on_invalid=skip", "--set", "output.parquet=true"]) == 0
    rejected = pd.read_parquet(out / "rejected.parquet")
    assert rejected[["column", "value"]].values.tolist() == [
        ["hard_to_fill", "999999"], ["period", "2019Q7"]]


def test_text_summary_names_each_table_once_and_no_stale_report(small_files, tmp_path,
                                                                 capsys):
    out = tmp_path / "out"
    args = ["features", "--surveys", str(small_files / "surveys.csv"), "--out", str(out)]
    assert main(args) == 0
    assert "report.html" in capsys.readouterr().out
    assert main([*args, "--no-report"]) == 0
    text = capsys.readouterr().out
    assert "  surveys: " in text and "surveys: surveys" not in text
    assert "  report:" not in text  # the report.html left by the first run is not this run's


def test_demo_keeps_explicit_plan_values_equal_to_the_defaults(capsys):
    from talentgap.cli import pipeline

    args = build_parser().parse_args(["demo", "--pass-rate", "1", "--set",
                                      "plan.absorption=1.0", "--set", "forecast.model=naive",
                                      "--set", "forecast.n_samples=100"])
    cfg = build_config(args)
    assert cfg.plan.budget == pipeline.DEMO_PLAN["budget"]
    quotas = pipeline.run(cfg, steps=("plan",), demo=True).plan.quotas
    assert (quotas["pass_rate"] == 1.0).all() and (quotas["absorption"] == 1.0).all()
    assert (quotas["cost_per_trainee"] == pipeline.DEMO_PLAN["cost_per_trainee"]).all()


def test_plan_with_region_keys_only(small_files, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["plan", *fast(small_files, out, "--budget", "50000", "--cost-per-trainee",
                               "1000", "--set", 'data.keys=["region"]'), "--no-charts",
                 "--no-report"]) == 0
    comparison = pd.read_csv(out / "plan_comparison.csv")
    regions = pd.read_csv(out / "quotas.csv")["region"]
    assert {f"quota[{region}]" for region in regions} <= set(comparison.columns)


def test_saved_model_keys_are_used_with_model(small_files, tmp_path, capsys):
    model_dir = tmp_path / "model"
    assert main(["forecast", *fast(small_files, tmp_path / "first", "--set",
                                   'data.keys=["region"]'), "--save-model", str(model_dir),
                 "--no-charts", "--no-report"]) == 0
    out = tmp_path / "plan"
    assert main(["plan", "--model", str(model_dir), "--budget", "50000",
                 "--cost-per-trainee", "1000", "--out", str(out)]) == 0
    quotas = pd.read_csv(out / "quotas.csv")
    assert "industry" not in quotas and quotas["region"].nunique() == 3
    assert (out / "report.html").exists()


def test_yearly_plan_for_a_year_given_as_a_number(tmp_path, capsys):
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=8, start="2015",
                                      freq="Y", seed=1)
    tg.io.write_table(data.surveys, tmp_path / "surveys.csv")
    tg.io.write_table(data.training, tmp_path / "training.csv")
    out = tmp_path / "out"
    assert main(["plan", *fast(tmp_path, out, "--freq", "Y", "--horizon", "3", "--budget",
                               "50000", "--cost-per-trainee", "1000", "--set",
                               "plan.period=2024"), "--no-charts", "--no-report"]) == 0
    assert set(pd.read_csv(out / "quotas.csv")["period"]) == {2024}


@pytest.mark.parametrize(("text", "message"), [
    ("[forecast]\nhorizn = 4\n", "did you mean 'horizon'?"),
    ('[forecast]\nhorizon = "4"\n', "[forecast] horizon must be an integer"),
])
def test_config_errors_are_exit_2(tmp_path, capsys, text, message):
    config = tmp_path / "run.toml"
    config.write_text(text)
    assert main(["demo", "--config", str(config), "--out", str(tmp_path / "out")]) == 2
    line = one_line(capsys.readouterr().err)
    assert str(config) in line and message in line


@pytest.mark.parametrize(("item", "message"), [
    ("horizon=4", "expected TABLE.KEY=VALUE"),
    ("forecast.horizon=x", "[forecast] horizon must be an integer, got 'x'"),
    ("forecast.nope=1", "unknown key 'nope' in [forecast]"),
])
def test_bad_set_option(tmp_path, capsys, item, message):
    assert main(["demo", "--out", str(tmp_path), "--set", item]) == 2
    assert message in one_line(capsys.readouterr().err)


def test_missing_survey_file_named(tmp_path, capsys):
    assert main(["features", "--surveys", str(tmp_path / "absent.csv"),
                 "--out", str(tmp_path)]) == 2
    assert "absent.csv: no such file" in one_line(capsys.readouterr().err)


def test_no_survey_file_at_all(tmp_path, capsys):
    assert main(["features", "--out", str(tmp_path)]) == 2
    assert "--surveys" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize("command", ["demo", "features", "forecast", "backtest", "plan",
                                     "validate", "serve"])
def test_help_shows_an_example(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and f"talentgap {command}" in out


def test_subprocess_bad_input_has_no_traceback(bad_surveys, tmp_path):
    done = subprocess.run([sys.executable, "-m", "talentgap", "features", "--surveys",
                           str(bad_surveys), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "'hard_to_fill'" in one_line(done.stderr)


def test_saved_model_forecasts_the_same(small_files, tmp_path, capsys):
    first, model_dir = tmp_path / "first", tmp_path / "model"
    assert main(["forecast", *fast(small_files, first, "--horizon", "3"), "--save-model",
                 str(model_dir), "--no-charts", "--no-report"]) == 0
    metadata = json.loads((model_dir / "metadata.json").read_text())
    assert metadata["estimator"].endswith("GapForecaster")
    assert metadata["config"]["forecast"]["horizon"] == 3
    second = tmp_path / "second"
    assert main(["forecast", "--model", str(model_dir), "--horizon", "3", "--set",
                 "forecast.n_samples=200", "--out", str(second), "--no-charts",
                 "--no-report"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(first / "forecast.csv"),
                                  pd.read_csv(second / "forecast.csv"))
    assert not (second / "panel.csv").exists()  # no input files were read


def test_tampered_model_is_refused(small_files, tmp_path, capsys):
    model_dir = tmp_path / "model"
    assert main(["forecast", *fast(small_files, tmp_path / "out"), "--save-model",
                 str(model_dir), "--no-charts", "--no-report"]) == 0
    arrays = model_dir / "arrays.npz"
    data = bytearray(arrays.read_bytes())
    data[len(data) // 2] ^= 0xFF
    arrays.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["plan", "--model", str(model_dir), "--budget", "1000",
                 "--cost-per-trainee", "10", "--out", str(tmp_path / "plan")]) == 2
    line = one_line(capsys.readouterr().err)
    assert "arrays.npz" in line and "sha256 mismatch" in line


@pytest.mark.parametrize("argv", [["-q", "features", "--out", "x"],
                                  ["features", "--out", "x", "-q"]])
def test_output_options_before_or_after_the_command(argv):
    args = build_parser().parse_args(argv)
    assert args.quiet is True and args.verbose is False and args.debug is False


def test_plan_per_programme_with_a_crosswalk(small_files, tmp_path, capsys):
    industries = sorted(pd.read_csv(small_files / "surveys.csv")["industry"].unique())
    crosswalk = pd.DataFrame({"program": ["welding", "welding", "sewing"],
                              "industry": [industries[0], industries[1], industries[2]],
                              "share": [0.5, 0.5, 1.0]})
    crosswalk.to_csv(tmp_path / "crosswalk.csv", index=False)
    pd.DataFrame({"program": ["welding", "sewing"], "cost_per_trainee": [3000, 2000]}).to_csv(
        tmp_path / "costs.csv", index=False)
    config = tmp_path / "run.toml"
    config.write_text('[plan]\ncrosswalk = "crosswalk.csv"\ncost_per_trainee = "costs.csv"\n'
                      "budget = 60000\npass_rate = 0.8\n")
    out = tmp_path / "out"
    assert main(["plan", "--config", str(config), *fast(small_files, out),
                 "--no-charts"]) == 0
    quotas = pd.read_csv(out / "quotas.csv")
    assert set(quotas["program"]) == {"welding", "sewing"}
    assert quotas["region"].nunique() == 3
    assert quotas["cost"].sum() <= 60_000
    assert (quotas.loc[quotas["program"] == "sewing", "cost_per_trainee"] == 2000).all()
    assert "Places funded per programme" in (out / "report.html").read_text()


def _run_with_stderr(small_files, out, stderr):
    return subprocess.run([sys.executable, "-m", "talentgap", "features", "--surveys",
                           str(small_files / "surveys.csv"), "--out", str(out), "--no-report"],
                          stdout=subprocess.DEVNULL, stderr=stderr, timeout=120)


def test_progress_bar_only_on_a_terminal(small_files, tmp_path):
    pty = pytest.importorskip("pty")
    import fcntl
    import os
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        done = _run_with_stderr(small_files, tmp_path / "tty", follower)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is drained and closed
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    assert done.returncode == 0
    on_terminal = b"".join(chunks).decode(errors="replace")
    assert "step" in on_terminal and "\r" in on_terminal  # a tqdm bar redrawn in place
    piped = _run_with_stderr(small_files, tmp_path / "pipe", subprocess.PIPE)
    assert piped.returncode == 0
    assert piped.stderr == b""


def test_forecast_csv_and_report_explain_each_cell(small_files, tmp_path, capsys):
    from talentgap.cli.reporting import flag_meanings
    from talentgap.models import gap_flags

    out = tmp_path / "out"
    assert main(["forecast", *fast(small_files, out, "--horizon", "2"), "--format",
                 "json", "--no-charts"]) == 0
    capsys.readouterr()
    forecast = pd.read_csv(out / "forecast.csv")
    assert {"demand_model", "supply_model", "demand_n_obs", "supply_n_obs",
            "fallback_reason", "flag", "gap_median"} <= set(forecast.columns)
    assert forecast["demand_model"].eq("Naive").all()  # --forecaster naive, every cell
    assert (forecast["demand_n_obs"] > 0).all()
    per_cell = forecast.groupby(["region", "industry"])[["demand_model", "demand_n_obs"]]
    assert per_cell.nunique().eq(1).all().all()  # one explanation per cell, on each row
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "How the largest gaps were forecast" in page
    assert "Change due to demand (persons)" in page and "Change due to supply" in page
    raised = {c for text in forecast["flag"].fillna("") for c in text.split(";") if c}
    assert raised, "the small data should raise some flag"
    meanings = flag_meanings(4)
    assert set(gap_flags.FLAGS) <= set(meanings)  # every code the model can raise
    for code in raised:  # each raised flag is explained, with its threshold from the code
        assert meanings[code].replace("&", "&amp;") in page
    assert f"{gap_flags.RISING_DEMAND:.0%}" in meanings["rising_demand"]
    assert f"{gap_flags.THIN_RESPONDENTS:g} respondents" in meanings["thin_data"]


def test_forecast_level_given_as_a_fraction_is_exit_2(small_files, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["forecast", *fast(small_files, out, "--set", "forecast.levels=[0.8]")])
    assert code == 2
    assert "use 80" in capsys.readouterr().err


def test_the_report_opens_with_a_headline_in_words(naive_demo_out):
    # the shared naive demo run (200 simulated futures); the demo's currency is yuan
    html = (naive_demo_out / "report.html").read_text(encoding="utf-8")
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", body)
    assert "the largest expected shortage is in" in text
    assert "training places and cuts the expected shortfall from" in text
    assert re.search(r"\d(\.\d+)? million yuan", text)
    assert not re.search(r"\b\d+(\.\d+)?e[+-]?\d+\b", text)  # no scientific notation
    assert not re.search(r"\((?:fan|top_shortages|gap_heatmap)[_a-z0-9]*\)", text)
