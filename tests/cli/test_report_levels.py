"""The report by skill level: totals and places per level, one heatmap per level."""

from __future__ import annotations

import html
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main
from talentgap.cli._by_level import level_heatmaps, level_totals
from talentgap.errors import ParameterError

LEVELS = ["skilled", "high_skilled"]  # declared order, not alphabetical
WORDS = {"skilled": "skilled", "high_skilled": "high-skilled", "all levels": "all levels"}
SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


def report_tables(page: str) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Each table of a report: caption -> (headers, rows of cell texts)."""
    found = {}
    for block in re.findall(r"<table>(.*?)</table>", page, flags=re.S):
        caption = re.search(r"<caption>(.*?)</caption>", block, flags=re.S)
        text = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in
                re.findall(r"<th[^>]*>(.*?)</th>", block, flags=re.S)]
        rows = [[html.unescape(re.sub(r"<[^>]+>", "", c)) for c in
                 re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
                for row in re.findall(r"<tr>(.*?)</tr>", block.split("</thead>")[-1], re.S)]
        key = html.unescape(caption.group(1)) if caption else f"table {len(found)}"
        found[key] = (text, rows)
    return found


def _split(frame: pd.DataFrame, columns: list[str], share: float = 1 / 3) -> pd.DataFrame:
    """Each row twice: one per skill level, the counts split 2/3 skilled, 1/3 high-skilled."""
    low, high = frame.assign(skill_level=LEVELS[0]), frame.assign(skill_level=LEVELS[1])
    for column in columns:
        values = frame[column].to_numpy()
        high[column] = np.floor(values * share).astype(values.dtype)
        low[column] = values - high[column].to_numpy()
    return pd.concat([low, high], ignore_index=True)


@pytest.fixture(scope="module")
def level_run(tmp_path_factory):
    """``talentgap plan`` on a small synthetic case whose cells carry a skill level."""
    root = tmp_path_factory.mktemp("levels")
    data = tg.datasets.make_synthetic(n_regions=2, industries=["textiles", "ecommerce"],
                                      n_periods=16, seed=3, enterprises_per_cell=40)
    surveys = _split(data.surveys, ["vacancies", "hard_to_fill"])
    training = _split(data.training, ["trained", "certified"])
    tg.io.write_table(surveys, root / "surveys.csv")
    tg.io.write_table(training, root / "training.csv")
    (root / "run.toml").write_text(
        '[data]\nsurveys = "surveys.csv"\ntraining = "training.csv"\n'
        'keys = ["region", "industry", "skill_level"]\n'
        'skill_levels = ["skilled", "high_skilled"]\nhigh_skilled = ["high_skilled"]\n'
        '[forecast]\nmodel = "naive"\nn_samples = 200\n'
        "[plan]\nbudget = 1_000_000\ncost_per_trainee = 5000\npass_rate = 0.7\n"
        '[output]\ncurrency = "yuan"\n', encoding="utf-8")
    out = root / "out"
    assert main(["plan", "--config", str(root / "run.toml"), "--out", str(out)]) == 0
    return out


def test_totals_by_level_match_the_forecast_and_the_plan(level_run):
    out = level_run
    page = (out / "report.html").read_text(encoding="utf-8")
    forecast = pd.read_csv(out / "forecast.csv")
    quotas = pd.read_csv(out / "quotas.csv")
    cells = pd.read_csv(out / "plan_cells.csv")
    period = str(quotas["arrival_period"].iloc[0])
    now = forecast[forecast["period"] == period]
    expected = {}
    for level in LEVELS:
        rows = now[now["skill_level"] == level]
        plan = quotas[quotas["skill_level"] == level]
        short = cells[cells["skill_level"] == level]
        expected[level] = [len(rows), rows["demand"].sum(), rows["supply"].sum(),
                           rows["gap"].sum(), rows["gap"].clip(lower=0).sum(),
                           plan["quota"].sum(), plan["cost"].sum(),
                           short["shortfall_before"].sum(), short["shortfall_after"].sum()]
    expected["all levels"] = list(np.sum([expected[k] for k in LEVELS], axis=0))
    expected = {WORDS[k]: v for k, v in expected.items()}

    tables = report_tables(page)
    caption = next(c for c in tables if f"Totals by skill level in {period}" in c)
    headers, rows = tables[caption]
    assert headers[0] == "Skill level"
    assert "Training places" in headers and "Cost (yuan)" in headers
    # declared order, then the total; levels in words, not codes
    assert [row[0] for row in rows] == ["skilled", "high-skilled", "all levels"]
    for row in rows:
        want = [f"{v:,.0f}" for v in expected[row[0]]]
        got = [c.lstrip("-") if c.strip("-0") == "" else c for c in row[1:]]
        want = [w.lstrip("-") if w.strip("-0") == "" else w for w in want]
        assert got == want, (row[0], got, want)
    # the plan's places per level in words, with each level's share
    places = {level: expected[WORDS[level]][5] for level in LEVELS}
    total = sum(places.values())
    sentence = (f"The plan funds {total:,.0f} training places: "
                f"{places['skilled']:,.0f} for skilled ({places['skilled'] / total:.0%}) and "
                f"{places['high_skilled']:,.0f} for high-skilled "
                f"({places['high_skilled'] / total:.0%}).")
    assert sentence in html.unescape(page)
    # and the headline says how the shortages and the places split over the levels
    short = {level: expected[WORDS[level]][4] for level in LEVELS}
    gaps = sum(short.values())
    assert (f"By skill level: of the positive expected gaps in {period}, "
            f"{short['skilled'] / gaps:.0%} are at skilled and "
            f"{short['high_skilled'] / gaps:.0%} at high-skilled; the plan's places go "
            f"{places['skilled'] / total:.0%} to skilled") in html.unescape(page)


def test_heatmap_per_level_is_in_the_report_and_the_files(level_run):
    page = (level_run / "report.html").read_text(encoding="utf-8")
    assert "Gaps and places by skill level" in page
    assert re.search(r"Expected gap in \d{4}Q\d per industry and region, one panel per skill "
                     r"level, all on one colour scale", page)
    assert "Probability of a shortage in" in page
    for stem in ("gap_heatmap_by_level", "p_shortage_heatmap_by_level"):
        assert (level_run / f"{stem}.png").read_bytes()[:4] == b"\x89PNG"


def test_no_table_header_is_a_raw_column_name(level_run):
    page = (level_run / "report.html").read_text(encoding="utf-8")
    headers = [h for heads, _ in report_tables(page).values() for h in heads]
    assert headers
    raw = sorted({h for h in headers if SNAKE.match(h) or h in {"gap", "quota", "cost"}})
    assert not raw


def test_without_detail_keys_the_report_has_no_level_section(tmp_path):
    data = tg.datasets.make_synthetic(n_regions=2, industries=["textiles", "ecommerce"],
                                      n_periods=12, seed=4, enterprises_per_cell=30)
    tg.io.write_table(data.surveys, tmp_path / "surveys.csv")
    out = tmp_path / "out"
    assert main(["forecast", "--surveys", str(tmp_path / "surveys.csv"), "--out", str(out),
                 "--forecaster", "naive", "--set", "forecast.n_samples=100",
                 "--horizon", "2"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "by skill level" not in page and "Totals by" not in page
    assert not (out / "gap_heatmap_by_level.png").exists()
    assert (out / "gap_heatmap.png").exists()  # the region x industry heatmap as before


def test_level_totals_add_up_and_follow_the_declared_order():
    fc = pd.DataFrame({"region": ["N", "N", "S", "S", "S"],
                       "industry": ["textiles", "textiles", "textiles", "textiles", "robots"],
                       "skill_level": ["high", "low", "high", "low", "low"],
                       "demand": [30.0, 50, 20, 40, 5], "supply": [10.0, 60, 5, 30, 1]})
    fc["gap"] = fc["demand"] - fc["supply"]
    quotas = pd.DataFrame({"skill_level": ["low", "low", "high"], "quota": [3, 4, 5],
                           "cost": [30.0, 40, 50]})
    table = level_totals(fc, key="skill_level", order=["low", "high"], quotas=quotas)
    assert table["skill_level"].tolist() == ["low", "high", "all levels"]
    low = table.iloc[0]
    assert (low["cells"], low["demand"], low["supply"]) == (3, 95.0, 91.0)
    assert (low["net_gap"], low["positive_gap"]) == (4.0, 14.0)   # -10 + 10 + 4
    assert (low["places"], low["cost"]) == (7, 70.0)
    total = table.iloc[-1]
    assert total["positive_gap"] == 14.0 + 35.0 and total["places"] == 12


def test_level_heatmaps_share_one_colour_scale_in_declared_order():
    fc = pd.DataFrame({"region": ["N", "N", "S", "S"] * 2,
                       "industry": ["textiles", "robots"] * 4,
                       "skill_level": ["b"] * 4 + ["a"] * 4,
                       "occupation": "welder", "period": pd.Period("2026Q1", "Q"),
                       "gap": [5.0, -2, 3, 1, 40, -60, 10, 0]})
    fig = level_heatmaps(fc, key="skill_level", rows="industry", cols="region",
                         order=["b", "a"])
    try:
        panels = [ax for ax in fig.axes if ax.images]
        assert [ax.get_title() for ax in panels] == ["skill level: b", "skill level: a"]
        norms = {(ax.images[0].norm.vmin, ax.images[0].norm.vmax) for ax in panels}
        assert norms == {(-60.0, 60.0)}                      # one scale, symmetric about 0
        grid = panels[1].images[0].get_array()
        assert grid[0, 0] == -60.0 and grid[1, 1] == 10.0    # robots x N, textiles x S of "a"
        assert len(fig.axes) == len(panels) + 1              # one shared colour bar
    finally:
        plt.close(fig)


def test_probability_panels_use_the_fixed_0_1_scale_and_refuse_to_add():
    fc = pd.DataFrame({"region": ["N", "S"] * 2, "industry": "textiles",
                       "skill_level": ["a", "a", "b", "b"], "period": pd.Period("2026Q1", "Q"),
                       "p_shortage": [0.2, 0.9, 0.5, 0.4], "gap": 1.0})
    fig = level_heatmaps(fc, key="skill_level", rows="industry", cols="region",
                         value="p_shortage")
    try:
        panels = [ax for ax in fig.axes if ax.images]
        assert {(ax.images[0].norm.vmin, ax.images[0].norm.vmax) for ax in panels} == {
            (0.0, 1.0)}
        assert panels[0].images[0].get_array()[0, 1] == pytest.approx(0.9)
    finally:
        plt.close(fig)
    with pytest.raises(ParameterError, match="cannot be added"):
        level_heatmaps(fc.assign(skill_level="a"), key="skill_level", rows="industry",
                       cols="region", value="p_shortage")


def test_levels_are_words_in_the_level_report_and_its_heatmap_titles(level_run):
    page = (level_run / "report.html").read_text(encoding="utf-8").replace("<wbr>", "")
    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", " ", page,
                                                          flags=re.S)))
    assert "high_skilled" not in text
    assert "high-skilled" in text
    fc = pd.DataFrame({"region": ["N", "S"], "industry": "textiles",
                       "skill_level": ["high_skilled", "skilled"],
                       "period": pd.Period("2026Q1", "Q"), "gap": [5.0, -2.0]})
    fig = level_heatmaps(fc, key="skill_level", rows="industry", cols="region",
                         order=LEVELS)
    try:
        assert [ax.get_title() for ax in fig.axes if ax.images] == [
            "skill level: skilled", "skill level: high-skilled"]
    finally:
        plt.close(fig)
