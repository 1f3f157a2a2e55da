"""``[plan] min_class_size``: checked settings, the plan the library makes, and the report."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from _synthetic_inputs import write_synthetic_inputs

from talentgap import planning
from talentgap.cli import main
from talentgap.cli._notes import plain_constraints
from talentgap.cli.config import Config
from talentgap.cli.pipeline import run
from talentgap.errors import ConfigError

KEYS = ["region", "industry"]
FORECAST = {"model": "naive", "n_samples": 40, "random_state": 0}
PLAN = {"cost_per_trainee": 6000, "pass_rate": 0.67, "absorption": 0.85, "lead_time": 1,
        "budget": 3e5}


@pytest.mark.parametrize(("plan", "words"), [
    ({"min_class_size": 20, "capacity": 15},
     r"\[plan\] min_class_size = 20 is above \[plan\] capacity = 15"),
    ({"min_class_size": -1}, r"\[plan\] min_class_size must be >= 0"),
    ({"min_class_size": math.inf}, r"\[plan\] min_class_size must be a finite number"),
    ({"min_class_size": 10, "crosswalk": "crosswalk.csv"},
     r"min_class_size with \[plan\] crosswalk needs \[plan\] years"),
])
def test_settings_that_cannot_plan_are_refused_by_name(plan, words):
    with pytest.raises(ConfigError, match=words):
        Config.from_dict({"plan": plan})


def test_a_number_and_a_csv_are_accepted():
    assert Config.from_dict({"plan": {"min_class_size": 20, "capacity": 40}}).plan \
        .min_class_size == 20
    assert Config.from_dict({"plan": {"min_class_size": "classes.csv"}}).plan \
        .min_class_size.endswith("classes.csv")


@pytest.fixture(scope="module")
def demo_plan():
    config = Config.from_dict({"forecast": FORECAST,
                               "plan": {**PLAN, "min_class_size": 20}})
    return config, run(config, steps=("plan",), demo=True)


def test_the_command_line_plan_is_the_librarys(demo_plan):
    config, result = demo_plan
    paths = result.gap_model.sample_paths(config.forecast.horizon)
    want = planning.allocate_quotas(paths, budget=3e5, cost_per_trainee=6000, pass_rate=0.67,
                                    absorption=0.85, lead_time=1, keys=tuple(KEYS),
                                    min_class_size=20)
    got = result.plan.quotas
    pd.testing.assert_frame_equal(got[[*KEYS, "quota"]], want.quotas[[*KEYS, "quota"]])
    funded = got["quota"][got["quota"] > 0]
    assert len(funded) > 0 and (funded >= 20).all()
    assert result.plan.notes == want.notes
    # the plan without the rule funds some cell below a class: the setting changed the plan
    free = planning.allocate_quotas(paths, budget=3e5, cost_per_trainee=6000, pass_rate=0.67,
                                    absorption=0.85, lead_time=1, keys=tuple(KEYS))
    assert free.quotas["quota"].between(1, 19).any()


def test_the_constraints_the_report_lists_name_the_rule(demo_plan):
    _, result = demo_plan
    lines = plain_constraints(result.plan.constraints, currency="yuan",
                              summary=result.plan.summary)
    rule = [line for line in lines if line.startswith("minimum class size 20 places")]
    assert len(rule) == 1 and "run a class" in rule[0] and "get no places" in rule[0]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A multi-year run on synthetic inputs with a per-cell class size file."""
    folder = tmp_path_factory.mktemp("classes")
    flags = write_synthetic_inputs(folder)
    surveys = pd.read_csv(folder / "surveys.csv")
    industries = sorted(surveys["industry"].unique())
    pd.DataFrame({"industry": industries, "min_class_size": [15] * len(industries)}).to_csv(
        folder / "classes.csv", index=False)
    config = folder / "plan.toml"
    config.write_text("[plan]\ncost_per_trainee = 1000\npass_rate = 0.8\n"
                      "years = [2023, 2024]\nbudget = { 2023 = 60000, 2024 = 60000 }\n"
                      f"min_class_size = \"{(folder / 'classes.csv').as_posix()}\"\n",
                      encoding="utf-8")
    out = folder / "out"
    assert main(["plan", "--config", str(config), *flags, "--out", str(out)]) == 0
    return out


def test_written_plans_keep_the_rule_and_say_so(written):
    quotas = pd.read_csv(written / "quotas.csv")
    funded = quotas.loc[quotas["quota"] > 0, "quota"]
    assert len(funded) > 0 and (funded >= 15).all()
    binding = pd.read_csv(written / "plan_binding.csv")
    row = binding[binding["kind"] == "min_class_size"]
    assert len(row) == 1 and row["limit"].iloc[0] == 15
    assert "inimum class size 15 places" in row["sentence"].iloc[0]
    report = (written / "report.html").read_text(encoding="utf-8")
    assert "inimum class size 15 places" in report
    assert "Classes that small may not run" not in report
