"""The HTML report opened in a real (headless) browser, as a planner opens it.

Skipped when no Chromium is installed (see ``tests/_browser.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from _browser import inspect_page

from talentgap.evaluation.plots import fan_chart, gap_heatmap, top_shortages
from talentgap.report import Report

pytestmark = pytest.mark.slow

REGIONS = ["Northvale", "Eastbay", "Southport", "Westfield"]
INDUSTRIES = ["construction engineering", "electromechanical technology", "textiles",
              "e-commerce", "industrial-robot operation"]
TITLE = "Skill-gap forecast <script>alert(1)</script>"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def gap_forecast() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    cells = pd.MultiIndex.from_product(
        [REGIONS, INDUSTRIES, pd.period_range("2025Q1", periods=4, freq="Q")],
        names=["region", "industry", "period"]).to_frame(index=False)
    demand = rng.gamma(4.0, 120.0, len(cells))
    supply = rng.gamma(4.0, 110.0, len(cells))
    spread = 0.4 * demand
    gap = demand - supply
    return cells.assign(demand=demand, supply=supply, gap=gap, gap_lo_80=gap - spread,
                        gap_hi_80=gap + spread, p_shortage=rng.uniform(0, 1, len(cells)))


@pytest.fixture
def history() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    cells = pd.MultiIndex.from_product(
        [REGIONS, INDUSTRIES, pd.period_range("2022Q1", "2024Q4", freq="Q")],
        names=["region", "industry", "period"]).to_frame(index=False)
    return cells.assign(gap=rng.normal(60.0, 100.0, len(cells)))


def _build_report(gap_forecast, history, path):
    cell = {"region": "Northvale", "industry": "textiles"}
    axes = [
        top_shortages(gap_forecast, n=10, interval=80),
        gap_heatmap(gap_forecast),
        fan_chart(history, gap_forecast, keys=cell),
    ]
    rep = Report(TITLE, subtitle="synthetic data, 2025Q1-2025Q4",
                 generated_at=datetime(2025, 1, 31, 9, 30, tzinfo=UTC))
    rep.add_section("Summary", intro="Expected gap between skilled-worker demand and "
                                     "certified supply, per industry and region.")
    last = gap_forecast[gap_forecast["period"] == gap_forecast["period"].max()]
    rep.add_key_figures({"Cells forecast": len(last),
                         "Expected shortfall": float(last["gap"].clip(lower=0).sum()),
                         "Cells likely short": int((last["p_shortage"] > 0.5).sum())})
    rep.add_note("Two regions reported fewer than 10 enterprises; their estimates are shrunk.")
    rep.add_section("Largest expected shortages")
    rep.add_figure(axes[0], caption="Cells with the largest expected shortage, 2025Q4.")
    table = last.sort_values("gap", ascending=False)[
        ["industry", "region", "demand", "supply", "gap", "p_shortage"]]
    table.loc[table.index[1], "supply"] = np.nan
    rep.add_table(table, caption="Cells by expected gap, 2025Q4.", max_rows=8,
                  float_format={"demand": "{:,.0f}", "supply": "{:,.0f}", "gap": "{:,.0f}",
                                "p_shortage": "{:.2f}"})
    rep.add_section("By industry and region")
    rep.add_figure(axes[1], caption="Expected gap of every cell, 2025Q4.")
    rep.add_section("One cell over time")
    rep.add_figure(axes[2], caption="Textiles in Northvale: history and forecast.")
    sizes = [tuple(int(round(v * 110)) for v in ax.figure.get_size_inches()) for ax in axes]
    return rep.write(path), sizes


def test_report_renders_in_chromium_with_every_figure_decoded(gap_forecast, history, tmp_path):
    path, sizes = _build_report(gap_forecast, history, tmp_path / "report.html")
    workdir = tmp_path / "browser"
    workdir.mkdir()

    page = inspect_page(path, workdir)

    assert len(page.images) == 3
    assert all(img.complete and img.natural_width > 0 for img in page.images), page.images
    # the browser decodes each PNG at the size it was rendered (figure inches x 110 dpi)
    decoded = [(img.natural_width, img.natural_height) for img in page.images]
    assert all(abs(w - ew) <= 1 and abs(h - eh) <= 1
               for (w, h), (ew, eh) in zip(decoded, sizes, strict=True)), (decoded, sizes)
    assert page.resources == []          # nothing fetched: the file stands alone
    assert page.title == TITLE           # the markup in the title stayed text
    assert not page.overflows            # no horizontal scrolling at 1280 px
    assert not page.blank, f"screenshot looks blank (detail {page.detail:.4f})"


def test_inspect_page_notices_a_missing_image_and_a_blank_page(tmp_path):
    # the checker itself must be able to fail: an image file left beside the page,
    # and a page with nothing on it
    (tmp_path / "chart.png").write_bytes(b"")
    broken = tmp_path / "broken.html"
    broken.write_text('<!DOCTYPE html><html><head><title>t</title></head><body>'
                      '<img src="chart.png" alt="chart"></body></html>', encoding="utf-8")
    workdir = tmp_path / "browser"
    workdir.mkdir()

    page = inspect_page(broken, workdir)

    assert [(img.alt, img.natural_width) for img in page.images] == [("chart", 0)]
    assert any(r.endswith("chart.png") for r in page.resources)
    assert page.blank
