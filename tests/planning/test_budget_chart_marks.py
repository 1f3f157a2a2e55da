"""The shortfall-vs-budget chart: axis from 0, the chosen budget marked, the wider curve drawn."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

from talentgap.planning import plot_shortfall_vs_budget


def _comparison():
    return pd.DataFrame({"label": ["optimised"] * 3, "budget": [1e6, 2e6, 4e6],
                         "shortfall_after": [10_400.0, 10_300.0, 10_200.0],
                         "shortfall_before": 10_500.0})


def test_axis_starts_at_zero_and_marks_the_chosen_budget():
    ax = plot_shortfall_vs_budget(_comparison(), chosen_budget=2e6)
    assert ax.get_ylim()[0] == 0.0
    labels = [line.get_label() for line in ax.get_lines()]
    assert "chosen budget" in labels
    mark = ax.get_lines()[labels.index("chosen budget")]
    assert list(mark.get_xdata()) == [2e6, 2e6]
    plt.close(ax.figure)


def test_the_wider_curve_reaches_the_saturation_budget():
    curve = pd.DataFrame({"shortfall_after": [10_500.0, 9_000.0, 8_000.0, 8_000.0]},
                         index=pd.Index([0.0, 40e6, 114e6, 150e6], name="budget"))
    ax = plot_shortfall_vs_budget(_comparison(), chosen_budget=2e6, curve=curve)
    assert ax.get_xlim()[1] >= 150e6
    wide = [line for line in ax.get_lines() if line.get_label() == "optimised, wider range"]
    assert len(wide) == 1 and max(wide[0].get_xdata()) == 150e6
    plt.close(ax.figure)
