"""Plan plots make their figure as the evaluation plots (and pandas, scikit-learn) do:
``plt.subplots()`` without ``ax=``, so a notebook shows it; the given Axes otherwise."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from talentgap.evaluation import top_shortages
from talentgap.planning import (
    allocate_quotas,
    budget_curve,
    compare_plans,
    plot_budget_curve,
    plot_shortfall_vs_budget,
    plot_what_if,
    what_if,
)

NEEDS = pd.DataFrame({"region": "N", "industry": ["textiles", "robots"], "period": "2026",
                      "gap": [300.0, 100.0]})
ARGS = {"cost_per_trainee": 100, "pass_rate": 1.0}


@pytest.fixture(autouse=True)
def _no_figures_left():
    plt.close("all")
    yield
    plt.close("all")


def _plots():
    run = what_if({"needs": NEEDS, "budget": 20_000, **ARGS}, {"more": {"budget_factor": 1.2}})
    comparison = compare_plans([allocate_quotas(NEEDS, budget=b, **ARGS)
                                for b in (10_000, 20_000)], by=None)
    curve = budget_curve(NEEDS, 3, **ARGS)
    return {
        "plot_what_if": lambda ax=None: plot_what_if(run, ax=ax),
        "plot_shortfall_vs_budget": lambda ax=None: plot_shortfall_vs_budget(comparison, ax=ax),
        "plot_budget_curve": lambda ax=None: plot_budget_curve(curve, ax=ax),
        "top_shortages": lambda ax=None: top_shortages(NEEDS, ax=ax),
    }


@pytest.mark.parametrize("name", ["plot_what_if", "plot_shortfall_vs_budget",
                                  "plot_budget_curve", "top_shortages"])
def test_without_ax_a_pyplot_figure_is_made_and_current(name):
    draw = _plots()[name]
    assert plt.get_fignums() == []
    ax = draw()
    assert plt.get_fignums() == [ax.figure.number]  # what a notebook shows inline
    assert plt.gcf() is ax.figure


@pytest.mark.parametrize("name", ["plot_what_if", "plot_shortfall_vs_budget",
                                  "plot_budget_curve", "top_shortages"])
def test_a_given_ax_is_drawn_on_and_no_figure_is_made(name):
    draw = _plots()[name]
    figure, given = plt.subplots()
    assert draw(ax=given) is given
    assert plt.get_fignums() == [figure.number]
    assert given.has_data()
