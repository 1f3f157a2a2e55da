"""Numbers written as text in a config: decimal commas and dot thousands separators."""

from __future__ import annotations

import pytest

from talentgap.cli._config_rules import number_text
from talentgap.cli.config import Config
from talentgap.errors import ConfigError


@pytest.mark.parametrize(("text", "number"), [
    ("0,85", 0.85), ("12,5", 12.5), ("0,850", 0.85),            # decimal commas
    ("1.200.000", 1_200_000.0), ("1.200,5", 1200.5),            # dot thousands
    ("-1.200.000,75", -1_200_000.75),
    ("1,200,000", 1_200_000.0), ("1,200", 1200.0), ("1,200.5", 1200.5),
    ("1.2", 1.2), ("1.200", 1.2), ("5e6", 5e6), (" 1 200 000 ", 1_200_000.0),
])
def test_number_spellings(text, number):
    assert number_text(text) == pytest.approx(number)


@pytest.mark.parametrize("text", ["budget.csv", "1,2,3", "rates/pass.csv", ""])
def test_paths_and_other_text_are_not_numbers(text):
    assert number_text(text) is None


def test_a_rate_with_a_decimal_comma_is_answered_with_the_decimal():
    with pytest.raises(ConfigError) as err:
        Config.from_dict({"plan": {"pass_rate": "0,85"}})
    text = str(err.value)
    assert "[plan] pass_rate must be a number (0.85, without quotes)" in text
    assert "decimal comma" in text and "(85," not in text


def test_a_budget_with_dot_thousands_is_refused_as_a_number_not_read_as_a_path():
    with pytest.raises(ConfigError, match=r"\[plan\] budget must be a number "
                                          r"\(1200000 or 1_200_000, without quotes\)"):
        Config.from_dict({"plan": {"budget": "1.200.000"}})
