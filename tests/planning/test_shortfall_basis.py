"""A plan says which shortfall it reports: the shortfall of the expected gap (a forecast table)
or the expected shortfall over scenarios (sample paths). They differ (Jensen's inequality)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from talentgap.planning import (
    allocate_quotas,
    budget_curve,
    compare_plans,
    plot_budget_curve,
    plot_shortfall_vs_budget,
    plot_what_if,
    what_if,
)

#: One cell whose gap is -100 or +100 with equal chance: expected gap 0, so the shortfall
#: of the expected gap is 0, while the expected shortfall is (0 + 100) / 2 = 50.
PATHS = pd.DataFrame({"region": "N", "industry": "textiles", "period": "2026",
                      "sample": [0, 1], "gap": [-100.0, 100.0]})
TABLE = PATHS.groupby(["region", "industry", "period"], as_index=False)["gap"].mean()
ARGS = {"budget": 0.0, "cost_per_trainee": 100.0, "pass_rate": 1.0}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_the_summary_and_the_notes_name_the_basis():
    table, paths = allocate_quotas(TABLE, **ARGS), allocate_quotas(PATHS, **ARGS)
    assert table.summary["shortfall_before"] == 0.0  # max(E[g], 0)
    assert paths.summary["shortfall_before"] == 50.0  # E[max(g, 0)]
    assert table.summary["shortfall_basis"] == "shortfall of the expected gap"
    assert paths.summary["shortfall_basis"] == "expected shortfall (mean over 2 scenarios)"
    assert table.notes[0].startswith("shortfall_before and shortfall_after are the shortfall "
                                     "of the expected gap: max(expected gap - workers added, "
                                     "0) per cell, summed over the cells, with the workers "
                                     "added (places x pass rate x absorption")
    assert "sample_paths()" in table.notes[0]
    assert paths.notes[0].startswith("shortfall_before and shortfall_after are the expected "
                                     "shortfall (mean over 2 scenarios)")


def test_multi_year_plans_name_the_basis_too():
    plan = allocate_quotas(PATHS, periods=[2026], **ARGS)
    assert plan.summary["shortfall_basis"] == "expected shortfall (mean over 2 scenarios)"
    assert plan.notes[0].startswith("shortfall_before and shortfall_after are the expected")
    # summed over cells and years, in person-years, of the workers still in their trade
    assert ("per cell and need period, summed over the cells and the need periods "
            "(person-years), with the workers from the plan still in their trade") in (
        plan.notes[0])


def test_compare_plans_and_its_plot_tell_the_bases_apart():
    plans = {"table": allocate_quotas(TABLE, **ARGS), "paths": allocate_quotas(PATHS, **ARGS)}
    table = compare_plans(plans, by=None)
    assert table["shortfall_basis"].tolist() == [
        "shortfall of the expected gap", "expected shortfall (mean over 2 scenarios)"]
    assert table.columns.get_loc("shortfall_basis") == table.columns.get_loc("risk") + 1
    ax = plot_shortfall_vs_budget(table)
    assert ax.get_ylabel().startswith("shortfall after training")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["optimised (shortfall of the expected gap)",
                      "optimised (expected shortfall)"]


@pytest.mark.parametrize(("needs", "words"), [(PATHS, "expected shortfall"),
                                              (TABLE, "shortfall of the expected gap")])
def test_plots_label_the_shortfall_they_draw(needs, words):
    comparison = compare_plans([allocate_quotas(needs, **{**ARGS, "budget": b})
                                for b in (0.0, 1_000.0)], by=None)
    ax = plot_shortfall_vs_budget(comparison)
    assert ax.get_ylabel().startswith(f"{words} after training")
    assert ax.get_title() == f"{words[0].upper()}{words[1:]} vs budget"
    run = what_if({"needs": needs, **ARGS}, {"more": {"budget": 1_000.0}})
    assert plot_what_if(run).get_xlabel().startswith(f"{words}, summed over cells")
    curve = budget_curve(needs, 3, cost_per_trainee=100.0, pass_rate=1.0)
    assert curve.shortfall_basis.startswith(words)
    assert "shortfall_basis" not in curve.table.columns
    ax = plot_budget_curve(curve)
    assert ax.get_ylabel().startswith(f"{words} after")
    assert ax.get_title() == f"Budget curve: {words} vs budget"
