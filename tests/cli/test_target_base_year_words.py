"""The base year each target path starts from, and whether a later edition moves it."""

from __future__ import annotations

import pandas as pd

from talentgap.cli._target_table import (
    BASE_YEAR_DEFAULT,
    BASE_YEAR_SET,
    base_year_words,
    target_spans,
)

OBSERVED = pd.DataFrame({"region": ["A", "A", "B", "B", "C", "C"], "industry": "x",
                         "period": ["2023Q4", "2024Q4"] * 3,
                         "employment": [100] * 6, "skilled": [20, 25, 50, 60, 30, 30]})


def test_each_region_says_whether_its_base_year_was_set():
    # "*" without a base year; B its own row with one; C its own row without
    table = pd.DataFrame({"region": ["*", "B", "C"], "skill_level": "skilled",
                          "share": [0.3, 0.35, 0.4], "target_year": [2029, 2028, 2028],
                          "base_year": [None, 2023, None]})
    spans = target_spans(table, OBSERVED, ["region", "industry"]).set_index("region")
    assert spans["base_year"].tolist() == [2024, 2023, 2024]
    assert spans["base_year_from"].tolist() == [BASE_YEAR_DEFAULT, BASE_YEAR_SET,
                                                BASE_YEAR_DEFAULT]
    assert spans.loc["B", "base_period"] == "2023Q4"
    assert spans.loc["B", "base_share"] == 0.5


def test_a_base_year_on_the_star_row_holds_for_the_regions_without_their_own():
    table = pd.DataFrame({"region": ["*", "B"], "skill_level": "skilled",
                          "share": [0.3, 0.35], "target_year": [2029, 2028],
                          "base_year": [2023, None]})
    spans = target_spans(table, OBSERVED, ["region", "industry"]).set_index("region")
    assert spans["base_year_from"].to_dict() == {"A": BASE_YEAR_SET, "B": BASE_YEAR_DEFAULT,
                                                 "C": BASE_YEAR_SET}
    assert spans["base_year"].tolist() == [2023, 2024, 2023]


def test_the_words_say_the_year_and_how_to_fix_it():
    moving = pd.DataFrame({"base_year": [2024, 2024, None],
                           "base_year_from": [BASE_YEAR_DEFAULT, BASE_YEAR_DEFAULT, None]})
    words = base_year_words(moving)
    assert "base year 2024, the last observed year" in words
    assert "Set the base year to 2024 in the targets" in words
    fixed = base_year_words(moving.assign(base_year_from=[BASE_YEAR_SET] * 2 + [None]))
    assert "as set in the targets" in fixed and "Set the base year" not in fixed
    mixed = base_year_words(pd.DataFrame({"base_year": [2023, 2024],
                                          "base_year_from": [BASE_YEAR_SET,
                                                             BASE_YEAR_DEFAULT]}))
    assert mixed.startswith("The target paths start from the base year 2023 where the "
                            "targets set one, and elsewhere from the base year 2024")
    assert base_year_words(pd.DataFrame({"target_share": [0.3]})) == ""
