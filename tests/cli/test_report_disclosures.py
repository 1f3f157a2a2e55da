"""What the report discloses: simulation noise, where cut rows are, tiny classes, interval
caveats by their tables, missing fonts, one rounding of probabilities, plain warnings."""

from __future__ import annotations

import html
import math
import re
from pathlib import Path
from types import SimpleNamespace as NS

import numpy as np
import pandas as pd
import pytest

from talentgap._words import percent_text
from talentgap.cli import main
from talentgap.cli._notes import (
    plain_note,
    short_history_lengths,
    short_history_note,
    small_classes_note,
)
from talentgap.cli._report_front import (
    chart_font_note,
    probability_cell,
    probability_words,
    shortfall_error,
    simulation_text,
)
from talentgap.evaluation.plots import fonts
from talentgap.models.paths import SamplePaths

SHORT = ("no series is long enough to calibrate the sample paths of series with [{}] "
         "observations; their paths use the errors pooled over all series, which are likely "
         "too narrow for them")


def page_text(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    body = re.sub(r'src="data:[^"]*"', "", body).replace("<wbr>", "")
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


# ---- simulation noise: a hand-computed case -------------------------------------------------
def _fake_run(n_samples: int = 4):
    """Two cells, one period, hand-made paths; the plan certifies 5 workers in cell A."""
    gap_a = np.array([10.0, 0.0, 20.0, 6.0])[:n_samples]
    gap_b = np.array([-5.0, 3.0, 1.0, 0.0])[:n_samples]
    demand = np.stack([gap_a, gap_b])[:, None, :].astype(np.float32)
    paths = SamplePaths(cells=pd.DataFrame({"region": ["A", "B"], "industry": ["t", "t"]}),
                        periods=pd.period_range("2026Q1", periods=1, freq="Q"),
                        demand=demand, supply=np.zeros_like(demand))
    after = np.maximum(gap_a - 5, 0) + np.maximum(gap_b, 0)   # 5, 3, 16, 1
    before = np.maximum(gap_a, 0) + np.maximum(gap_b, 0)      # 10, 3, 21, 6
    cells = pd.DataFrame({"region": ["A", "B"], "industry": ["t", "t"],
                          "arrival_period": ["2026Q1"] * 2, "expected_certified": [5.0, 0.0]})
    summary = pd.Series({"source": "samples", "scenarios": n_samples,
                         "shortfall_before": before.mean(), "shortfall_after": after.mean()})
    result = NS(plan=NS(summary=summary, cells=cells),
                gap_model=NS(sample_paths=lambda horizon: paths),
                config=NS(plan=NS(years=()), forecast=NS(horizon=1),
                          data=NS(keys=("region", "industry"))))
    return result, before, after


def test_the_standard_error_is_sd_over_root_n_of_the_paths():
    result, before, after = _fake_run()
    error = shortfall_error(result)
    assert error["scenarios"] == 4
    assert math.isclose(error["after"], np.std(after, ddof=1) / 2)
    assert math.isclose(error["reduction"], np.std(before - after, ddof=1) / 2)


def test_no_standard_error_when_the_paths_do_not_give_the_plans_shortfall():
    result, _, _ = _fake_run()
    result.plan.summary["shortfall_after"] += 1.0
    assert shortfall_error(result) is None


def test_few_simulations_get_a_note_recommending_more():
    result, _, _ = _fake_run()
    text, note = simulation_text(result, shortfall_error(result))
    assert "4 simulated futures" in text and "standard error" in text
    assert note is not None and "1,000 or more simulated futures" in note
    assert "n_samples" not in note   # the setting's name is in the section for the analyst


# ---- wording and rounding --------------------------------------------------------------------
def test_clipped_exit_cells_are_separated():
    text = plain_note("the mean exit share per period of the skilled stock is outside [0, 1] in "
                      "2 cells and is clipped (stock changes the inflows do not explain): "
                      "textiles in A: -0.0007631; industrial_robotics in B: -0.02054")
    assert "quarter); industrial_robotics in B" in text
    assert ");industrial" not in text


def test_the_standard_error_warning_has_no_jargon():
    text = plain_note("24 of 512 intervals are compared with estimates without a standard error "
                      "(NaN, e.g. a cell-period with a single respondent); their widened "
                      "bounds are NaN and interval scores leave them out")
    assert "NaN" not in text and "interval scores" not in text
    assert text.startswith("24 of the 512 forecast intervals")


def test_one_rounding_for_probabilities():
    assert percent_text(0.975) == "98%" and probability_cell(0.975) == "0.98"
    assert percent_text(0.965) == "97%" and probability_cell(0.965) == "0.97"
    assert probability_words(1.0, 1000) == "short in all 1,000 simulations"
    assert percent_text(0.9996) == ">99.9%"


# ---- intervals, tiny classes, fonts -----------------------------------------------------------
def test_short_history_notes_merge_into_one_share_of_cells():
    lengths = short_history_lengths([SHORT.format(24), SHORT.format(23), "other"])
    assert lengths == [23, 24]
    note = short_history_note(lengths, concerned=64, cells=64)
    assert "all 64 cells" in note and "23 or 24 quarters" in note
    assert "5 of the 64 cells (8%)" in short_history_note([24], concerned=5, cells=64)


def test_tiny_classes_are_counted_with_examples_and_the_setting():
    quotas = pd.DataFrame({"region": list("ABCDEF"), "industry": "textiles",
                           "period": ["2026", "2027"] * 3,
                           "quota": [1.0, 2.0, 0.0, 50.0, 9.0, 10.0]})
    note = small_classes_note(quotas, ["region", "industry"], limit=2)
    assert note.startswith("3 of 5 funded cell-years have fewer than 10 places")
    assert "1 place for A / textiles in 2026" in note and "1 more" in note
    assert "A minimum number of places per cell and year" in note
    assert "min_quota" not in note and "[plan]" not in note   # the setting in words
    assert small_classes_note(quotas[quotas["quota"] >= 10], ["region", "industry"]) is None


def test_a_missing_cjk_font_is_noted_for_the_report(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_fonts", lambda: ())
    result = NS(forecast=pd.DataFrame({"region": ["温州"], "industry": ["纺织"]}), panel=None,
                config=NS(data=NS(keys=("region", "industry"))))
    note = chart_font_note(result)
    assert "boxes" in note and "fonts-noto-cjk" in note


# ---- the reports -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_page(naive_demo_out):
    """The demo's report text and plan summary (naive model, 200 simulated futures)."""
    return (page_text(naive_demo_out / "report.html"),
            pd.read_csv(naive_demo_out / "plan_summary.csv"))


def test_demo_report_states_simulations_and_their_standard_error(demo_page):
    text, summary = demo_page
    se = float(summary.loc[summary["plan"] == "optimised", "shortfall_after_mc_se"].iloc[0])
    assert 0 < se < float(summary["shortfall_after"].iloc[0])
    assert "average over 200 simulated futures" in text
    assert f"standard error is about {se:,.0f} persons" in text
    assert "Run the forecast with 1,000 or more simulated futures" in text
    assert text.count("results.xlsx") >= 1 and "quotas.csv" in text


@pytest.mark.slow
def test_short_history_caveat_stands_by_the_largest_gaps(tmp_path):
    """Eight quarters ahead, the demo's 13-quarter cells cannot check their own errors: the
    one caveat stands right after the table of the largest gaps, before the next table."""
    assert main(["demo", "--out", str(tmp_path), "--no-charts", "--set",
                 "forecast.n_samples=200", "--set", 'forecast.model="naive"', "--set",
                 "forecast.horizon=8"]) == 0
    text = page_text(tmp_path / "report.html")
    note = short_history_note([13], freq="Q")
    assert text.count("likely too narrow") == 1 and note in text
    at = text.index(note)
    assert text[:at].endswith("Warning: ")
    assert (text.index("Largest expected gaps in") < at
            < text.index("Models, history and fallbacks of the largest gaps"))


@pytest.mark.slow
def test_national_report_places_caveats_by_the_tables(national_out):
    text = page_text(national_out / "report.html")
    # the 16-quarter simulation the run keeps calibrates every cell: the longer spans it
    # tried first (24 and 20 quarters, too long for the backtests) leave no caveat behind
    assert "likely too narrow" not in text
    assert text.index("Largest expected gaps in") < text.index(
        "Models, history and fallbacks of the largest gaps")
    quotas = pd.read_csv(national_out / "quotas.csv")
    funded = int((quotas["quota"] > 0).sum())
    small = int(((quotas["quota"] > 0) & (quotas["quota"] < 10)).sum())
    assert funded > 30 and small > 0
    assert re.search(rf"Showing the first 30 of {funded} rows; {funded - 30} more not shown; "
                     rf"all {funded} rows are in quotas\.csv \(sheet quotas of results\.xlsx\)",
                     text)
    assert f"{small} of {funded} funded cell-years have fewer than 10 places" in text
