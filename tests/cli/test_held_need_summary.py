"""Need years held past the forecast's reach: the warning and the run's summary say so."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from talentgap.cli import main
from talentgap.cli._notes import plain_note
from talentgap.cli._pipeline_years import warn_held
from talentgap.errors import DataQualityWarning
from talentgap.planning._annual_needs import held_shares

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "national_targets.toml"

# 2029-2030 held: market 30 + 30 of 100 (60%), policy 10 of 40 (25%)
YEARS = pd.DataFrame({"period": ["2027", "2028", "2029", "2030"],
                      "shortfall_before": [20.0, 20.0, 30.0, 30.0],
                      "policy_shortfall_before": [20.0, 10.0, 10.0, 0.0],
                      "need_basis": ["forecast", "forecast", "held at 2028", "held at 2028"]})


def _warned(*args) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_held(*args)
    assert all(issubclass(w.category, DataQualityWarning) for w in caught)
    return [str(w.message) for w in caught]


def test_held_shares_are_the_held_years_part_of_each_need():
    assert held_shares(YEARS) == pytest.approx({"shortfall_before": 0.6,
                                                "policy_shortfall_before": 0.25})
    assert held_shares(YEARS.assign(need_basis="forecast")) == {}


def test_the_warning_names_the_held_years_and_their_shares():
    (message,) = _warned(pd.Period("2028Q4"), [2029, 2030], YEARS)
    assert message.startswith("the gap model's sample paths reach 2028; the market need of "
                              "2029-2030 is held at its 2028 level")
    assert ("60% of the expected market shortfall and 25% of the policy need without the "
            "plan") in message
    assert _warned(pd.Period("2030Q4"), [], YEARS) == []


def test_the_report_rewords_the_warning_with_one_or_more_held_years():
    (two,) = _warned(pd.Period("2028Q4"), [2029, 2030], YEARS)
    (one,) = _warned(pd.Period("2029Q4"), [2030], YEARS.iloc[[0, 1, 3]])
    assert plain_note(two) == ("The forecast reaches only to 2028: the plan takes the vacancies "
                               "of 2029–2030 to stay at their 2028 level; those years carry 60% "
                               "of the expected market shortfall and 25% of the policy need "
                               "without the plan.")
    assert plain_note(one).startswith("The forecast reaches only to 2029: the plan takes the "
                                      "vacancies of 2030 to stay at their 2029 level; those "
                                      "years carry")


@pytest.mark.slow
def test_plan_run_summary_shows_the_simulated_span_and_the_held_years(tmp_path, capsys):
    out = tmp_path / "text"
    assert main(["plan", "--config", str(EXAMPLE), "--out", str(out), "--no-charts",
                 "--no-report"]) == 0
    printed, logged = capsys.readouterr()
    years = pd.read_csv(out / "plan_years.csv")
    held = years[years["need_basis"] != "forecast"]
    assert held["period"].tolist() == [2029, 2030]
    share = held["shortfall_before"].sum() / years["shortfall_before"].sum()
    line = next(x for x in printed.splitlines() if x.startswith("  plan needs:"))
    assert line.startswith("  plan needs: gap simulated 2025Q1..2028Q4; need years 2029-2030 "
                           "held at their 2028 level")
    assert f"{share:.0%} of the expected market shortfall" in line
    warned = [x for x in logged.splitlines() if "is held at its" in x]  # on stderr
    assert len(warned) == 1 and f"{share:.0%} of the expected market shortfall" in warned[0]
    assert main(["plan", "--config", str(EXAMPLE), "--out", str(tmp_path / "json"),
                 "--no-charts", "--no-report", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["plan"]["need_simulated"] == ["2025Q1", "2028Q4"]
    assert doc["plan"]["held_need_years"] == [2029, 2030]
    assert doc["plan"]["held_need_share"]["shortfall_before"] == pytest.approx(share)
