"""The plan plots' axes and legends: round ticks that fit, plain numbers, rounded money."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from talentgap.planning import (
    BudgetCurve,
    plot_budget_curve,
    plot_shortfall_vs_budget,
    plot_what_if,
)
from talentgap.planning._axes import money_text, round_ticks, tick_text

SCENARIOS = pd.Index(["base", "budget +20%", "textiles need +50%", "target 2028"],
                     name="scenario")
#: a tick label with an exponent ("1e+06") or without thousands separators ("120000")
_SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")
_UNGROUPED = re.compile(r"\d{4}")


def _what_if_table(scale: float) -> pd.DataFrame:
    return pd.DataFrame({
        "shortfall_before": [75_000.0, 76_000.0, 77_000.0, 76_000.0],
        "shortfall_after": [1_500.0, 0.0, 1_400.0, 1_600.0],
        "policy_shortfall_before": [240_000.0, 240_000.0, 240_000.0, 295_000.0],
        "policy_shortfall_after": [31_000.0, 11_000.0, 31_000.0, 68_000.0],
    }, index=SCENARIOS) * scale * 1.0123457  # sums of forecasts are not round


def _curve(top: float, closing: float) -> BudgetCurve:
    budget = np.linspace(0.0, top, 8)
    table = pd.DataFrame({
        "shortfall_before": 17_000.0,
        "shortfall_after": np.maximum(17_000.0 * (1 - budget / (0.3 * top)), 50.0),
        "policy_shortfall_before": 76_000.0,
        "policy_shortfall_after": np.maximum(76_000.0 * (1 - budget / (0.6 * top)), 0.0),
    }, index=pd.Index(budget, name="budget"))
    return BudgetCurve(table=table, closing_budget=closing, share=0.95, period="2030",
                       need="both")


def _comparison(scale: float) -> pd.DataFrame:
    return pd.DataFrame({
        "label": ["optimised"] * 3 + ["proportional to gap"] * 3,
        "budget": np.array([40.0, 80.0, 120.0] * 2) * scale,
        "shortfall_after": [5_700.0, 2_200.0, 900.0, 8_300.0, 3_400.0, 1_500.0],
        "shortfall_before": 13_100.0,
    })


def _axes(width: float):
    return Figure(figsize=(width, 3.5), layout="constrained").add_subplot()


def _drawn_labels(axis):
    """The visible tick labels of ``axis`` after a full draw, with their boxes."""
    canvas = FigureCanvasAgg(axis.axes.figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    low, high = sorted(axis.get_view_interval())
    ticks = [t for t in axis.get_major_ticks()
             if t.label1.get_visible() and t.label1.get_text()
             and low - 1e-9 * (high - low) <= t.get_loc() <= high + 1e-9 * (high - low)]
    return ([t.label1.get_text() for t in ticks],
            [t.label1.get_window_extent(renderer) for t in ticks])


def _assert_readable(axis, *, grouped: bool = True):
    texts, boxes = _drawn_labels(axis)
    assert len(texts) >= 2, texts
    assert axis.get_offset_text().get_text() == "", "offset notation on the axis"
    assert axis.get_major_formatter().get_offset() == ""
    for text in texts:
        assert not _SCIENTIFIC.search(text), f"scientific notation in tick label {text!r}"
        if grouped:
            assert not _UNGROUPED.search(text), f"no thousands separators in {text!r}"
    assert len(set(texts)) == len(texts), f"repeated tick labels {texts}"
    # neighbouring labels do not touch (x: side by side; y: one above the other)
    horizontal = axis.axis_name == "x"
    spans = sorted((b.x0, b.x1) if horizontal else (b.y0, b.y1) for b in boxes)
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start > end, f"tick labels {texts} overlap"


@pytest.mark.parametrize("scale", [1e-4, 1.0, 40.0, 4_000.0], ids=["tiny", "1x", "40x", "4000x"])
@pytest.mark.parametrize("width", [4.5, 7.0], ids=["narrow", "default width"])
def test_plot_what_if_shortfall_axis_is_readable(scale, width):
    ax = plot_what_if(_what_if_table(scale), ax=_axes(width))
    _assert_readable(ax.xaxis)


def test_plot_what_if_default_figure_keeps_several_ticks():
    # the default figure of the notebook's four scenarios: the labels' width is that of
    # round ticks, not of the axis end (300,000, not 304,716.1)
    ax = plot_what_if(_what_if_table(1.0))
    texts, _ = _drawn_labels(ax.xaxis)
    assert texts == ["0", "100,000", "200,000", "300,000"]


def test_plot_budget_curve_default_figure_keeps_several_ticks():
    ax = plot_budget_curve(_curve(1_421_386_173.9, 812_496_666.7))
    texts, _ = _drawn_labels(ax.xaxis)
    assert texts == ["0", "200", "400", "600", "800", "1,000", "1,200", "1,400"]
    texts, _ = _drawn_labels(ax.yaxis)
    assert len(texts) >= 6, texts


@pytest.mark.parametrize("top", [1.42e9, 3.0e5, 8.0e12], ids=["millions", "thousands",
                                                             "billions"])
@pytest.mark.parametrize("width", [4.0, 7.5], ids=["narrow", "default width"])
def test_plot_budget_curve_axes_are_readable(top, width):
    ax = plot_budget_curve(_curve(top, 0.57 * top), ax=_axes(width))
    _assert_readable(ax.xaxis)
    _assert_readable(ax.yaxis)
    unit = {1.42e9: "(millions)", 3.0e5: "(thousands)", 8.0e12: "(billions)"}[top]
    assert ax.get_xlabel().endswith(unit)


@pytest.mark.parametrize(("closing", "text"), [
    (812_496_666.7, "closing budget 812 million"),
    (1_234_567_890.0, "closing budget 1.23 billion"),
    (45_260.5, "closing budget 45,300"),
    (80_000_000.0, "closing budget 80 million"),
])
def test_plot_budget_curve_legend_rounds_money(closing, text):
    ax = plot_budget_curve(_curve(2 * closing, closing))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[-1] == text
    # no money in any legend entry carries more than three significant figures
    for entry in legend:
        for number in re.findall(r"\d[\d,]*(?:\.\d+)?", entry):
            assert len(number.replace(",", "").replace(".", "").strip("0")) <= 3, entry


@pytest.mark.parametrize("scale", [1.0, 1e6, 1e9], ids=["units", "millions", "billions"])
def test_plot_shortfall_vs_budget_axes_are_readable(scale):
    ax = plot_shortfall_vs_budget(_comparison(scale), ax=_axes(4.5))
    _assert_readable(ax.xaxis)
    _assert_readable(ax.yaxis)


def test_money_and_tick_texts_never_use_scientific_notation():
    assert tick_text(1e20) == "100,000,000,000,000,000,000"
    assert tick_text(-0.0001) == "0"
    assert tick_text(1234.5) == "1,234.5"
    assert money_text(812_496_666.7) == "812 million"
    assert money_text(-2_500_000.0) == "-2.5 million"
    assert money_text(3.2e13) == "32,000 billion"
    assert money_text(0.0) == "0"


@settings(max_examples=200, deadline=None)
@given(lo=st.floats(-1e12, 1e12), span=st.floats(1e-6, 1e12), share=st.floats(0.0, 2.0))
def testround_ticks_are_round_in_range_and_at_least_the_step_apart(lo, span, share):
    hi = lo + span
    assume(span > 1e-6 * max(abs(lo), 1.0))  # ticks a float can tell apart
    least = share * (hi - lo)
    ticks = round_ticks(lo, hi, least)
    assert ticks.size >= 2
    assert ticks.size <= 10
    tol = 1e-9 * max(abs(lo), abs(hi))
    assert (ticks >= lo - tol).all() and (ticks <= hi + tol).all()
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0])
    mantissa = steps[0] / 10.0 ** np.floor(np.log10(steps[0]))
    assert np.isclose(mantissa, [1.0, 2.0, 2.5, 5.0, 10.0]).any(), steps[0]
    if least <= (hi - lo) / 4:
        # a round step is at most twice the least one: two ticks that far apart fit
        assert steps[0] >= least * (1 - 1e-9)
