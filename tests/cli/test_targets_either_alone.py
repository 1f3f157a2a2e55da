"""A plan with one target only, and the base share a target in points adds to.

Either target may stand alone: a run with only the high-skilled rule (and
``plan_level = "high_skilled"``) or only the skilled share writes its report,
whose first screen and target table speak of that target alone. A target of
some points is built on the share of the base year's last observed period,
which the target table shows as the base year's observed share. A target year the
projections do not reach, or a ``plan_level`` without a target, is refused
before the run.
"""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from _constant_cohorts import TWO_YEAR_PLAN_CONFIG, write_constant_cohorts

from talentgap.cli._report_targets import _target_year, first_screen_words
from talentgap.cli._targets import _check_file_years
from talentgap.cli.config import Config
from talentgap.cli.main import main
from talentgap.errors import ConfigError

CONFIG = TWO_YEAR_PLAN_CONFIG + """[targets]
{targets}
target_year = 2023

[output]
currency = "yuan"
fan_charts = 0  # the report's fan charts are not read here
"""

#: Constant cohorts: 25% of employment skilled, 30% of the skilled high-skilled, each quarter.
WORKERS = {"none": 3000, "ordinary": 700, "technician": 300}


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("either_alone")
    write_constant_cohorts(folder, WORKERS, {"ordinary": 30, "technician": 10})
    out = {}
    for name, targets in {
            "high": 'high_skilled_delta_points = 2.5\nplan_level = "high_skilled"',
            "skilled": "skilled_share = 0.3"}.items():
        (folder / f"{name}.toml").write_text(CONFIG.format(targets=targets), encoding="utf-8")
        assert main(["plan", "--config", str(folder / f"{name}.toml"), "--out",
                     str(folder / name), "--no-charts"]) == 0
        page = (folder / name / "report.html").read_text("utf-8")
        out[name] = (_text(page.split("<section", 1)[0]), _text(page),
                     pd.read_csv(folder / name / "target_path.csv"))
    return out


def test_high_skilled_target_alone_is_reported(runs):
    first, text, path = runs["high"]
    assert "Against the targets in 2023, the target year:" in first
    assert "high-skilled target" in first
    assert not re.search(r"(?<!high-)skilled target", first)
    assert "Regions reaching the high-skilled target in 2023, with the plan" in first
    assert "Regions reaching the skilled target" not in first
    assert ("The high-skilled share is a target: high-skilled workers as a percentage of "
            "skilled workers") in text
    assert "the skilled share, skilled workers as a percentage of employment" in text
    assert "has none and is shown as it follows" in text
    # the target table lists the high-skilled rows only
    table = text.split("Target shares per region:", 1)[1].split("The targets are the", 1)[0]
    assert "high-skilled, % of skilled workers" in table
    assert "skilled, % of employment" not in table


def test_a_target_in_points_starts_from_the_base_periods_share(runs):
    _, text, path = runs["high"]
    at = path[path["target_share"].notna()]
    # 300 technicians of 1,000 skilled workers in 2021Q4: 30%, plus 2.5 points
    np.testing.assert_allclose(at["base_share"], 0.30, rtol=1e-12)
    assert set(at["base_period"]) == {"2021Q4"}
    final = at[at["period"] == 2023]["target_share"]
    np.testing.assert_allclose(final, 0.30 + 0.025, rtol=1e-12)
    assert path.loc[path["target_share"].isna(), "base_share"].isna().all()
    assert "Path starts from, 2021Q4 (%)" in text
    assert "the share each target path starts from, observed in 2021Q4" in text
    assert " 30.00 32.50 " in text  # the base share next to the target built on it


def test_skilled_target_alone_is_reported(runs):
    first, text, path = runs["skilled"]
    assert "no region reaches the 30% skilled target" in first
    assert "high-skilled target" not in first
    assert "The skilled share is a target: skilled workers as a percentage" in text
    assert set(path["skill_level"]) == {"skilled"}
    np.testing.assert_allclose(path["base_share"].dropna(), 0.25, rtol=1e-12)


def test_first_screen_skips_a_level_without_any_target():
    year = pd.Period("2029", freq="Y")
    rows = [{"region": r, "skill_level": level, "period": year, "target_share": target,
             "share_with_plan": 0.28, "share_without_plan": 0.27, "workers_with_plan": 280.0,
             "workers_without_plan": 270.0, "denominator_with_plan": 1000.0,
             "denominator_without_plan": 1000.0}
            for r in "AB" for level, target in (("skilled", np.nan), ("high_skilled", 0.3))]
    result = SimpleNamespace(
        target_path=pd.DataFrame(rows),
        plan=SimpleNamespace(years=pd.DataFrame(), quotas=pd.DataFrame()),
        config=SimpleNamespace(targets=SimpleNamespace(target_year=2029,
                                                       plan_level="high_skilled"),
                               output=SimpleNamespace(currency="yuan")))
    words = first_screen_words(result)
    assert words == ("Against the targets in 2029, the target year: no region reaches the 30% "
                     "high-skilled target (high-skilled workers as a share of skilled "
                     "workers). With the plan the regions' shares are 28%, without it 27%.")


def test_the_report_never_shows_another_year_as_the_targets():
    path = pd.DataFrame({"period": pd.period_range("2026", "2031", freq="Y"),
                         "target_share": 0.3})
    result = SimpleNamespace(config=SimpleNamespace(targets=SimpleNamespace(target_year=2045)))
    with pytest.raises(ConfigError, match=r"target_year = 2045 is outside the years the "
                                          r"projections reach \(2026-2031"):
        _target_year(result, path)


PLAN = {"years": [2026, 2027, 2028, 2029, 2030], "lead_time": 1, "budget": 5e7,
        "cost_per_trainee": 5000}


@pytest.mark.parametrize("year, words", [
    (2045, "target_year = 2045 is after the last year the plan projects: [plan] years = "
           "[2026, 2027, 2028, 2029, 2030] with lead_time = 1 project 2026-2031, so "
           "target_year must be in 2026-2031; to plan towards 2045, extend [plan] years to "
           "2044"),
    (2025, "target_year = 2025 is before the first of [plan] years (2026): the plan cannot "
           "act on it. [plan] years = [2026, 2027, 2028, 2029, 2030] with lead_time = 1 "
           "project 2026-2031")])
def test_a_target_year_outside_the_projection_is_refused(year, words):
    with pytest.raises(ConfigError) as caught:
        Config.from_dict({"plan": PLAN, "targets": {"skilled_share": 0.3,
                                                    "target_year": year}})
    assert words in str(caught.value)
    for fine in (2026, 2031):  # the first plan year and the last year a place certifies
        Config.from_dict({"plan": PLAN, "targets": {"skilled_share": 0.3,
                                                    "target_year": fine}})


def test_a_plan_level_without_a_target_is_refused():
    with pytest.raises(ConfigError, match=r"\[targets\] plan_level = 'skilled' \(the default "
                                          r"is 'skilled'\), but no skilled target is set, only "
                                          r"high_skilled_delta_points: .* set plan_level = "
                                          r"'high_skilled'"):
        Config.from_dict({"plan": PLAN, "targets": {"high_skilled_delta_points": 2.5,
                                                    "target_year": 2030}})


def test_target_years_of_a_targets_file_are_checked():
    table = pd.DataFrame({"region": ["A", "B", "C"], "skill_level": "skilled",
                          "share": 0.3, "target_year": [2030, 2045, 2024]})
    with pytest.raises(ConfigError) as caught:
        _check_file_years(table, "targets.csv", list(range(2026, 2032)))
    assert str(caught.value) == (
        "[targets] file targets.csv: column 'target_year' must be within the years the plan "
        "projects, 2026-2031 ([plan] years and lead_time); 2 row(s) fail, e.g. row 1 (B, "
        "skilled): 2045; row 2 (C, skilled): 2024")
    _check_file_years(table.iloc[:1], "targets.csv", list(range(2026, 2032)))
