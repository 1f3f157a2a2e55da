"""A multi-year plan's report gives a director the figures to decide from.

The headline box carries both parts of the plan's shortfall (vacancies and
the target) and where the money goes; the plan section says what smaller
budgets give up (the plan solved again at 75% and 50% of every year's
budget); the rough cost of the target says when the capacities make the
target unreachable by its year; the report names no file the run did not
write.
"""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from _constant_cohorts import TWO_YEAR_PLAN_CONFIG, write_constant_cohorts

from talentgap.cli._reach_bound import capacity_bound, capacity_bound_words
from talentgap.cli.main import main

CONFIG = TWO_YEAR_PLAN_CONFIG + """[targets]
skilled_share = 0.3
target_year = 2023
plan_level = "skilled"

[output]
currency = "yuan"
"""


def _text(page: str) -> str:
    page = page.replace("<wbr>", "")   # a break point inside a long name, not a space
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _run(folder, config: str):
    (folder / "plan.toml").write_text(config, encoding="utf-8")
    out = folder / "out"
    assert main(["plan", "--config", str(folder / "plan.toml"), "--out", str(out),
                 "--no-charts"]) == 0
    page = (out / "report.html").read_text("utf-8")
    return out, _text(page.split("<section", 1)[0]), _text(page)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("director")
    write_constant_cohorts(folder, {"none": 3000, "ordinary": 700, "technician": 300},
                           {"ordinary": 36, "technician": 4})
    return folder


@pytest.fixture(scope="module")
def run(inputs):
    return _run(inputs, CONFIG)


def test_headline_box_gives_both_shortfall_parts_and_the_money(run):
    out, first, _ = run
    s = pd.read_csv(out / "plan_summary.csv").iloc[0]
    market = (f"Expected shortfall of vacancies summed over {s['need_periods']} (person-years): "
              f"before → after {s['shortfall_before']:,.0f} → {s['shortfall_after']:,.0f}")
    policy = (f"Expected shortfall against the skilled target summed over {s['need_periods']} "
              f"(person-years): before → after {s['policy_shortfall_before']:,.0f} → "
              f"{s['policy_shortfall_after']:,.0f}")
    assert market in first and policy in first
    quotas = pd.read_csv(out / "quotas.csv")
    by = quotas.groupby("region")["cost"].sum().sort_values(ascending=False)
    top = by.index[0]
    assert (f"Where the money goes (share of the cost, largest regions) {top} "
            f"{by.iloc[0] / by.sum():.0%}") in first


def test_report_names_only_files_the_run_wrote(run):
    out, _, text = run
    written = {p.name for p in out.iterdir()}
    # files the report says are not written are the only ones allowed to be missing
    named = set(re.findall(r"\b([a-z_]+\.csv)\b", text))
    refused = set(re.findall(r"no ([a-z_]+\.csv) is written", text))
    assert named - refused <= written, sorted(named - refused - written)
    assert "budget comparison tables are CSV only" not in text


def test_smaller_budgets_say_what_they_give_up(run, inputs, tmp_path):
    out, _, text = run
    s = pd.read_csv(out / "plan_summary.csv").iloc[0]
    for share in (0.5, 0.75):   # the same plan at a smaller budget, solved by the CLI
        folder = tmp_path / f"cut{share}"
        folder.mkdir()
        for name in ("surveys.csv", "training.csv", "employment.csv"):
            (folder / name).write_bytes((inputs / name).read_bytes())
        small, _, _ = _run(folder, CONFIG.replace("budget = 2e5", f"budget = {2e5 * share}"))
        c = pd.read_csv(small / "plan_summary.csv").iloc[0]
        assert (f"At {share:.0%} of the budget ({2e5 * share:,.0f} yuan) the plan funds "
                f"{c['places']:,.0f} places instead of {s['places']:,.0f} and adds "
                f"{s['expected_certified'] - c['expected_certified']:,.0f} fewer workers. It "
                f"leaves {c['shortfall_after'] - s['shortfall_after']:,.0f} more person-years "
                "of vacancies unfilled and "
                f"{c['policy_shortfall_after'] - s['policy_shortfall_after']:,.0f} more short "
                "of the skilled target.") in text
        if share == 0.5:   # the smallest budget compared is a key figure too
            assert (f"At 50% of the budget: places; more expected shortfall (person-years) "
                    f"{c['places']:,.0f}; +{c['shortfall_after'] - s['shortfall_after']:,.0f} "
                    "of vacancies, "
                    f"+{c['policy_shortfall_after'] - s['policy_shortfall_after']:,.0f} against "
                    "the target") in _text((out / "report.html").read_text("utf-8")
                                           .split("<section", 1)[0])


def test_compare_budgets_false_skips_the_smaller_budgets(inputs, tmp_path):
    for name in ("surveys.csv", "training.csv", "employment.csv"):
        (tmp_path / name).write_bytes((inputs / name).read_bytes())
    config = CONFIG.replace("capacity = 60\n", "capacity = 60\ncompare_budgets = false\n")
    _, _, text = _run(tmp_path, config)
    assert "What a smaller budget gives up" not in text


def test_capacity_bound_counts_only_places_certifying_by_the_target_year():
    quotas = pd.DataFrame({"period": [2025, 2025, 2026, 2027], "quota": [5, 15, 20, 30],
                           "capacity": [40.0, 60.0, 100.0, 100.0], "lead_time": 1})
    # 2025 and 2026 certify by 2027 (40 + 60 + 100 = 200 places; the plan funds 40 of them)
    assert capacity_bound(quotas, 2027) == {"places": 200.0, "planned": 40.0,
                                            "first": 2025, "last": 2026}
    assert capacity_bound_words(quotas, 2027, 160.0) == ""   # exactly the room left
    words = capacity_bound_words(quotas, 2027, 161.0)
    assert words.startswith("The target cannot be reached by 2027 within the current "
                            "capacities. Only places funded in 2025–2026 certify by then.")
    assert "at most 200 of them, 160 more than the plan funds" in words
    unbounded = quotas.assign(capacity=[40.0, float("inf"), 100.0, 100.0])
    assert capacity_bound(unbounded, 2027) is None


def test_first_screen_says_when_capacities_make_the_target_unreachable(run):
    out, first, _ = run
    quotas = pd.read_csv(out / "quotas.csv")
    ready = quotas[quotas["period"].astype(str).str[:4].astype(int) + 1 <= 2023]
    room = ready["capacity"].sum() - ready["quota"].sum()
    if "Rough estimate of what reaching the skilled target" not in first:
        pytest.fail("the run leaves no shortfall against the target: no rough estimate")
    places = float(re.search(r"that is about ([\d,]+) more places", first)
                   .group(1).replace(",", ""))
    assert places > room   # capacity 60 per cell: the places needed do not fit in 2022
    assert "The target cannot be reached by 2023 within the current capacities" in first
    assert (f"The capacities allow at most {ready['capacity'].sum():,.0f} of them, "
            f"{room:,.0f} more than the plan funds") in first
    assert "; not reachable by 2023 within the current capacities" in first


def test_plan_says_how_many_worker_years_find_no_vacancy(run):
    out, _, text = run
    s = pd.read_csv(out / "plan_summary.csv").iloc[0]
    extra = s["surplus_after"] - s["surplus_before"]
    assert extra > 0.5   # the target asks for workers beyond the vacancies
    assert (f"Of the workers the plan adds, an expected {extra:,.0f} person-years find no "
            "vacancy in their cell: they serve the skilled target only.") in text
