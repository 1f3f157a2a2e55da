"""``[plan] pass_rate`` left out: the certified share of the training table's last year.

The plan, the saved model's plan defaults and the report's plan section use
that one rate and say where it comes from; a rate that is set wins; without
training data the rate is 1.0, said as an assumption.
"""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from _synthetic_inputs import write_synthetic_inputs

from talentgap.cli._plan_inputs import observed_pass_rate
from talentgap.cli._report_plan import pass_rate_note
from talentgap.cli.config import Config
from talentgap.cli.main import main
from talentgap.cli.pipeline import run, saved_config

PLAN = {"budget": 1e6, "cost_per_trainee": 6000}
FORECAST = {"model": "naive", "n_samples": 100}


def test_the_rate_pools_the_last_four_quarters_and_leaves_older_ones_out():
    training = pd.DataFrame({
        "period": pd.PeriodIndex(["2023Q3", "2023Q4", "2024Q1", "2024Q3", "2024Q3"], freq="Q"),
        "region": ["N", "N", "N", "N", "S"], "industry": "textiles",
        "trained": [500, 100, 50, 30, 20], "certified": [500, 100, 20, 12, 8]})
    rate, basis = observed_pass_rate(training, "Q")
    # 2023Q4 to 2024Q3, the last period and the three before it; 2023Q3 (all pass) left out
    assert rate == pytest.approx((100 + 20 + 12 + 8) / (100 + 50 + 30 + 20))
    assert basis.startswith("observed: 140 of the 200 people trained in 2023Q4–2024Q3")
    monthly = training.assign(period=pd.PeriodIndex(
        ["2023-01", "2023-08", "2024-01", "2024-08", "2024-08"], freq="M"))
    assert observed_pass_rate(monthly, "M")[0] == pytest.approx(40 / 100)  # 2023-09..2024-08


def test_without_trainees_the_rate_is_one_said_as_an_assumption():
    rate, basis = observed_pass_rate(None, "Q")
    assert rate == 1.0 and basis.startswith("assumed: every trainee certifies")
    nobody = pd.DataFrame({"period": pd.PeriodIndex(["2024Q1"], freq="Q"), "region": "N",
                           "industry": "textiles", "trained": [0], "certified": [0]})
    rate, basis = observed_pass_rate(nobody, "Q")
    assert rate == 1.0 and "nobody is trained in 2024Q1" in basis


@pytest.fixture(scope="module")
def demo_plan():
    return run(Config.from_dict({"forecast": FORECAST, "plan": PLAN}), steps=("plan",),
               demo=True)


def test_a_plan_without_a_pass_rate_uses_the_observed_one_everywhere(demo_plan):
    from talentgap import datasets

    training = datasets.load_demo().training
    recent = training[pd.PeriodIndex(training["period"]) >= pd.Period("2024Q1", "Q")]
    observed = recent["certified"].sum() / recent["trained"].sum()
    assert 0.6 < observed < 0.7  # well below the 1.0 a default would have assumed
    quotas = demo_plan.plan.quotas
    assert quotas["pass_rate"].to_numpy() == pytest.approx(observed)
    placed = quotas["quota"].to_numpy(dtype=float)
    assert quotas["expected_certified"].sum() == pytest.approx(
        (placed * observed * quotas["absorption"]).sum())
    assert saved_config(demo_plan)["plan"]["pass_rate"] == pytest.approx(observed)
    note = pass_rate_note(demo_plan)
    assert note.startswith(f" Pass rate of every place: {observed:.2f}, observed: ")
    assert "2024Q1–2024Q4" in note and "pass_rate setting" in note


def test_a_pass_rate_that_is_set_wins_and_is_not_explained():
    result = run(Config.from_dict({"forecast": FORECAST, "plan": {**PLAN, "pass_rate": 0.9}}),
                 steps=("plan",), demo=True)
    assert (result.plan.quotas["pass_rate"] == 0.9).all()
    assert result.pass_rate_basis is None and pass_rate_note(result) == ""


def test_the_report_states_the_observed_rate_in_the_plan_section(tmp_path):
    flags = write_synthetic_inputs(tmp_path)
    training = pd.read_csv(tmp_path / "training.csv")
    last = pd.PeriodIndex(training["period"], freq="Q")
    recent = training[last.asi8 > last.max().ordinal - 4]
    observed = recent["certified"].sum() / recent["trained"].sum()
    out = tmp_path / "out"
    assert main(["plan", *flags, "--budget", "1e6", "--cost-per-trainee", "6000",
                 "--out", str(out)]) == 0
    text = html.unescape(re.sub(r"<[^>]+>", " ", (out / "report.html").read_text("utf-8")))
    plan = text[text.index("Training quota plan"):]
    assert f"Pass rate of every place: {observed:.2f}, observed: " in plan
    assert pd.read_csv(out / "quotas.csv")["pass_rate"].to_numpy() == pytest.approx(observed)
