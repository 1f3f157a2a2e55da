"""Findings of a planner's review: summary names, quantile plans, tiny budgets, plan inputs."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from talentgap.cli import main, outputs
from talentgap.cli.config import Config
from talentgap.cli.pipeline import run
from talentgap.cli.reporting import build_report

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def visible(report) -> str:
    """The text a reader of the report sees."""
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", report.to_html(), flags=re.S)
    body = body.replace("<wbr>", "")
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def demo_run(**plan):
    config = {"forecast": {"model": "naive", "n_samples": 100},
              "plan": {"budget": 2_000_000, "cost_per_trainee": 6000, "pass_rate": 0.7,
                       "capacity": 100, **plan},
              "output": {"currency": "yuan"}}
    return run(Config.from_dict(config), steps=("forecast", "plan"), demo=True)


@pytest.fixture(scope="module")
def expected_run():
    return demo_run()


@pytest.fixture(scope="module")
def quantile_run():
    return demo_run(risk="quantile", quantile=0.8)


# ---- the JSON summary's forecast totals ----------------------------------------------------
def test_summary_names_the_net_gap_and_the_sum_of_positive_gaps(expected_run, tmp_path):
    doc = outputs.summary(expected_run, command="plan", out=tmp_path, files=[])
    f = json.loads(json.dumps(doc, allow_nan=False))["forecast"]
    assert "expected_gap_last_period" not in f    # named for a sum of positive gaps
    fc = expected_run.forecast
    last = fc[fc["period"] == fc["period"].max()]
    assert f["last_period"] == str(last["period"].iloc[0]) == "2025Q4"
    assert f["net_expected_gap_last_period"] == pytest.approx(last["gap"].sum())
    assert f["sum_positive_expected_gaps_last_period"] == pytest.approx(
        last["gap"].clip(lower=0).sum())
    assert f["net_expected_gap_last_period"] < f["sum_positive_expected_gaps_last_period"]
    assert f["cells_expected_short_last_period"] == int((last["gap"] > 0).sum())
    assert f["likely_short_min_p_shortage"] == 0.8
    assert f["cells_likely_short"] == int((last["p_shortage"] >= 0.8).sum())


def test_report_key_figures_agree_with_the_summary(expected_run, tmp_path):
    f = outputs.summary(expected_run, command="plan", out=tmp_path, files=[])["forecast"]
    text = visible(build_report(expected_run, {}, command="plan"))
    net = f"{f['net_expected_gap_last_period']:,.0f}"
    positive = f"{f['sum_positive_expected_gaps_last_period']:,.0f}"
    assert (f"Net expected gap, 2025Q4: shortages minus surpluses (persons in the quarter) "
            f"{net}") in text
    assert f"Sum of positive expected gaps, 2025Q4 (persons in the quarter) {positive}" in text
    assert f"Cells short with a probability of 80% or more {f['cells_likely_short']}" in text


def test_terminal_summary_names_both_totals(tmp_path, capsys):
    out = tmp_path / "out"
    data = EXAMPLES.parent / "datasets"
    assert main(["forecast", "--surveys", str(data / "surveys.csv"), "--training",
                 str(data / "training.csv"), "--out", str(out), "--no-charts", "--no-report",
                 "--set", 'forecast.model="naive"', "--set", "forecast.n_samples=100"]) == 0
    printed = capsys.readouterr().out
    assert "net expected gap" in printed and "sum of positive expected gaps" in printed
    assert "probability of 80% or more" in printed


# ---- a plan made against a quantile of the gap ---------------------------------------------
def test_quantile_plan_is_not_said_to_minimise_the_expected_shortfall(quantile_run):
    text = visible(build_report(quantile_run, {}, command="plan"))
    section = text[text.index("Training quota plan Places"):]
    assert "minimise the expected shortfall" not in text
    assert section.startswith("Training quota plan Places per cell that minimise the shortfall "
                              "against each cell's 80th-percentile gap in 2025Q4")
    assert 'risk = "quantile", quantile 0.8' in section
    assert "a cell whose expected gap is a surplus is funded when its 80th-percentile gap" in (
        section)
    assert "The plan is judged by the expected shortfall" not in text


def test_expected_plan_keeps_its_words(expected_run):
    text = visible(build_report(expected_run, {}, command="plan"))
    assert "Places per cell that minimise the expected shortfall in 2025Q4" in text
    assert "quantile" not in text


# ---- a budget below the cost of one place --------------------------------------------------
def test_budget_below_one_place_is_not_fully_used():
    result = demo_run(budget=1000)
    text = visible(build_report(result, {}, command="plan"))
    assert "fully used" not in text and "buys no further useful place" not in text
    assert ("Budget of 1,000 yuan is below the cost of one place (the cheapest place costs "
            "6,000 yuan): no place can be funded") in text
    assert "A budget of 1,000 yuan is below the cost of one training place" in text
    sentence = result.plan.constraints["sentence"].iloc[0]
    assert sentence.startswith("budget of 1,000 is below the cost of one place")


# ---- the example configuration marks its own choices ---------------------------------------
def _commented_keys(path: Path) -> dict[tuple[str, str], str]:
    """``(section, key)`` -> the comment on the key's line and the lines that continue it."""
    found, section, last = {}, "", None
    for line in path.read_text(encoding="utf-8").splitlines():
        if re.match(r"^\[(\w+)\]", line):
            section, last = re.match(r"^\[(\w+)\]", line).group(1), None
            continue
        match = re.match(r"^(\w+)\s*=\s*[^#]*?(#\s*(.*))?$", line)
        if match:
            last = (section, match.group(1))
            found[last] = match.group(3) or ""
        elif last and re.match(r"^\s+#", line):
            found[last] += " " + line.strip().lstrip("#").strip()
        else:
            last = None
    return found


def test_example_config_marks_every_value_that_is_not_the_default():
    import tomllib

    path = EXAMPLES / "plan.toml"
    values = tomllib.loads(path.read_text(encoding="utf-8"))
    defaults = Config.from_dict({})
    comments = _commented_keys(path)
    unmarked = []
    for section, table in values.items():
        for key, value in table.items():
            default = getattr(getattr(defaults, section), key)
            if section == "data" and key in ("surveys", "training", "employment"):
                continue  # the input files: no default to differ from
            same = (list(default) == list(value) if isinstance(default, tuple)
                    else default == value)
            if key == "integer" and default is None:
                same = value == "round"  # None means "round", as the comment says
            words = comments[(section, key)]
            if not same and not re.search(r"example's choice|demo value", words):
                unmarked.append(f"[{section}] {key} = {value!r}: {words!r}")
    assert not unmarked
    header = path.read_text(encoding="utf-8")[:1200]
    assert "the values below are the defaults unless marked" not in header


def test_report_says_when_no_currency_is_configured():
    config = {"forecast": {"model": "naive", "n_samples": 100},
              "plan": {"budget": 1_000_000, "cost_per_trainee": 6000}}
    result = run(Config.from_dict(config), steps=("forecast", "plan"), demo=True)
    text = visible(build_report(result, {}, command="plan"))
    assert "No currency is configured" in text


def test_report_with_a_currency_does_not_say_it_is_missing(expected_run):
    assert "No currency is configured" not in visible(
        build_report(expected_run, {}, command="plan"))


# ---- errors in plan parameter files name the file and the lines ----------------------------
def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("name", "value", "rule"), [
    ("cost_per_trainee", "-500", "must be >= 0"),
    ("pass_rate", "1.2", "must be in (0, 1]"),
    ("pass_rate", "0", "must be in (0, 1]"),
    ("absorption", "-0.1", "must be in [0, 1]"),
    ("capacity", "-3", "must be >= 0"),
    ("min_quota", "inf", "must be >= 0 and finite"),
])
def test_plan_parameter_errors_name_file_rule_and_line(tmp_path, name, value, rule):
    from talentgap.cli._plan_inputs import plan_parameter
    from talentgap.errors import ConfigError

    path = _write(tmp_path / f"{name}.csv", f"region,industry,{name}\nA,textiles,0.5\n"
                                           f"B,textiles,{value}\nC,textiles,0.5\n")
    with pytest.raises(ConfigError) as caught:
        plan_parameter(path, name, ["region", "industry"])
    message = str(caught.value)
    assert message.startswith(f"[plan] {name}: {path}: column '{name}' {rule}")
    assert "1 row fails, e.g. line 3 (B, textiles)" in message


def test_plan_parameter_lists_every_failure_with_lines(tmp_path):
    from talentgap.cli._plan_inputs import plan_parameter
    from talentgap.errors import ConfigError

    path = _write(tmp_path / "cost.csv", "region,industry,cost_per_trainee\n"
                                         "A,textiles,4000\nA,ecommerce,lots\nB,textiles,\n"
                                         "A,textiles,5000\nB,ecommerce,-1\n")
    with pytest.raises(ConfigError) as caught:
        plan_parameter(path, "cost_per_trainee", ["region", "industry"])
    message = str(caught.value)
    assert "must have a value; 1 row fails, e.g. line 4 (B, textiles): empty" in message
    assert "must be a number; 1 row fails, e.g. line 3 (A, ecommerce): 'lots'" in message
    assert "line 6 (B, ecommerce): -1" in message
    assert ("column 'region, industry' must not repeat an earlier row; 1 row fails, e.g. "
            "line 5 (A, textiles): repeats line 2") in message


def test_plan_parameter_file_accepts_good_rows_and_infinite_capacity(tmp_path):
    from talentgap.cli._plan_inputs import plan_parameter

    path = _write(tmp_path / "capacity.csv", "region,industry,capacity\nA,textiles,inf\n"
                                             "B,textiles,40\n")
    table = plan_parameter(path, "capacity", ["region", "industry"])
    assert table["capacity"].tolist() == [float("inf"), 40.0]


def test_plan_command_reports_the_bad_line_of_a_cost_file(tmp_path, capsys):
    data = EXAMPLES.parent / "datasets"
    cost = _write(tmp_path / "cost.csv", "region,industry,cost_per_trainee\n"
                                         "Amberfield,textiles,7000\n"
                                         "Amberfield,clothing_and_shoes,-500\n")
    code = main(["plan", "--surveys", str(data / "surveys.csv"), "--training",
                 str(data / "training.csv"), "--out", str(tmp_path / "out"), "--no-charts",
                 "--no-report", "--budget", "1e6", "--cost-per-trainee", cost,
                 "--set", 'forecast.model="naive"', "--set", "forecast.n_samples=100"])
    assert code != 0
    err = capsys.readouterr().err
    assert f"{cost}: column 'cost_per_trainee' must be >= 0" in err
    assert "line 3 (Amberfield, clothing_and_shoes): -500" in err


# ---- the Excel workbook has no text where a number belongs ---------------------------------
def test_workbook_writes_no_capacity_limit_as_an_empty_cell(tmp_path):
    from openpyxl import load_workbook

    config = {"forecast": {"model": "naive", "n_samples": 100},
              "plan": {"budget": 1_000_000, "cost_per_trainee": 6000}}   # no capacity
    result = run(Config.from_dict(config), steps=("forecast", "plan"), demo=True)
    assert (result.plan.quotas["capacity"] == float("inf")).all()
    outputs.write_tables(result, tmp_path, parquet=False)
    sheet = load_workbook(tmp_path / "results.xlsx", read_only=True)["quotas"]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("capacity")
    assert all(row[column] is None for row in rows[1:])
    texts = {value for row in rows[1:] for value in row if isinstance(value, str)}
    assert not {"inf", "-inf", "nan"} & {t.lower() for t in texts}


# ---- reusing an output folder ----------------------------------------------------------------
def test_reused_output_folder_warns_of_files_of_an_earlier_run(tmp_path, capsys, caplog):
    out = tmp_path / "out"
    out.mkdir()
    for name in ("fan_3.png", "plan_years.csv", "my_notes.csv"):
        (out / name).write_text("", encoding="utf-8")
    data = EXAMPLES.parent / "datasets"
    assert main(["forecast", "--surveys", str(data / "surveys.csv"), "--training",
                 str(data / "training.csv"), "--out", str(out), "--no-charts", "--no-report",
                 "--set", 'forecast.model="naive"', "--set", "forecast.n_samples=100"]) == 0
    said = capsys.readouterr().err + caplog.text
    # a forecast chart this run did not draw is an older forecast's; plan_years.csv is the
    # plan command's, which may share the folder: not among the files this run should have
    # written, but a plan's file next to a forecast this run made anew (with no earlier
    # forecast.csv to show it was made from the same one), so possibly out of date
    stale = said.split("did not write: ", 1)[1].split(";", 1)[0]
    assert "holds 1 file(s) of an earlier run that this run did not write: fan_3.png;" in said
    assert stale == "fan_3.png"
    assert ("holds a plan's files of an earlier run (plan_years.csv), made from an earlier "
            "forecast than this run's") in said
    assert "my_notes.csv" not in said


# ---- the terminal summary speaks a planner's words -----------------------------------------
def test_terminal_summary_names_the_best_model_in_words_and_money_in_its_currency(capsys):
    import argparse

    from talentgap.cli.commands import _print_summary

    config = {"forecast": {"model": "naive", "n_samples": 100},
              "backtest": {"n_windows": 1},
              "plan": {"budget": 1_000_000, "cost_per_trainee": 6000},
              "output": {"currency": "yuan"}}
    result = run(Config.from_dict(config), steps=("backtest", "forecast", "plan"), demo=True)
    _print_summary(result, argparse.Namespace(format="text"), "plan", Path("out"), [])
    printed = capsys.readouterr().out
    assert "GapForecaster" not in printed
    assert "backtest: most accurate " in printed
    assert "of 1,000,000 yuan; expected shortfall" in printed


# ---- the caption of a multi-year plan's per-year table -------------------------------------
def test_multiyear_years_caption_says_units_whole_budget_and_need_only_years():
    config = {"forecast": {"model": "naive", "n_samples": 100},
              "plan": {"years": [2025, 2026, 2027], "budget": 15_000_000,
                       "cost_per_trainee": 6000, "pass_rate": 0.67, "capacity": 200,
                       "exit_rate": 0.03},
              "output": {"currency": "yuan"}}
    result = run(Config.from_dict(config), steps=("forecast", "plan"), demo=True)
    years = result.plan.years
    assert years["budget"].isna().all() and "2028" in years["period"].astype(str).tolist()
    text = visible(build_report(result, {}, command="plan"))
    table = text[text.index("Per year: places funded"):]
    caption = table[table.index("Notes: the shortfalls are persons in the year"):][:600]
    assert "the shortfalls are persons in the year; added over the years they give the " \
           "person-years of the plan section" in caption
    assert "the budget, 15,000,000 yuan, is for the whole plan, not per year" in caption
    assert "no places are funded in 2028 (not a funding year)" in caption
    total = float(years["shortfall_before"].sum())
    assert total == pytest.approx(float(result.plan.summary["shortfall_before"]), rel=1e-6)
