"""talentgap._words.money_words: the one rule for money in words (report and charts)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from talentgap._words import money_words
from talentgap.cli._report_headline import _closing_text
from talentgap.planning import BudgetCurve
from talentgap.planning._axes import money_text


@pytest.mark.parametrize(("value", "text"), [
    (5e6, "5 million yuan"),
    (812_496_666.7, "812 million yuan"),
    (1_250_000.0, "1.25 million yuan"),
    (1.25e9, "1.25 billion yuan"),
    (-3.2e6, "-3.2 million yuan"),
    (3.2e13, "32,000 billion yuan"),
    (45_260.4, "45,260 yuan"),
    (999_999.6, "1 million yuan"),
    (999_600_000.0, "1 billion yuan"),
    (0.0, "0 yuan"),
    (-0.4, "0 yuan"),
])
def test_money_in_words_for_a_report(value, text):
    assert money_words(value, "yuan") == text


def test_without_currency_there_is_no_trailing_space():
    assert money_words(48_000) == "48,000"
    assert money_words(float("nan")) == "nan"


def test_below_a_million_a_budget_and_a_cost_stay_apart():
    # the report says a budget is below the cost of one place: the two must read differently
    assert money_words(12_340, "yuan") != money_words(12_345, "yuan")


@pytest.mark.parametrize("value", [1e6, 1_234_567.0, 812_496_666.7, 2.5e9, -7.77e7, 8e12])
def test_the_charts_and_the_report_write_millions_alike(value):
    assert money_text(value) == money_words(value)


@pytest.mark.parametrize(("value", "text"), [(45_260.5, "45,300"), (80.0, "80"),
                                             (999_600.0, "1 million")])
def test_a_legend_keeps_three_significant_figures_below_a_million(value, text):
    assert money_text(value) == text


def test_money_never_reads_in_scientific_notation():
    for value in (1e12, 3.2e13, 1e18, 1234.5, 0.001):
        for text in (money_words(value), money_text(value)):
            assert not re.search(r"\de[+-]?\d", text), text


def test_the_report_writes_the_curve_s_budget_in_money_words():
    table = pd.DataFrame({"shortfall_after": [100.0, 60.0, 40.0],
                          "share_closed": [0.0, 0.4, 0.6]},
                         index=pd.Index([0.0, 1e6, 1_234_567.0], name="budget"))
    text = _closing_text(BudgetCurve(table, float("nan"), 0.95, None, "market"), "yuan",
                         "persons")
    assert f"beyond about {money_words(1_234_567.0, 'yuan')} more money" in text
    assert "1.23 million yuan" in text
