"""talentgap._words: the one home of the number-to-text rules (messages, prose, tables, charts)."""

from __future__ import annotations

import math

import pytest

from talentgap._report_values import format_value
from talentgap._words import (
    about,
    exact_number,
    money_words,
    percent_text,
    rounded_number,
    unsigned_zero,
)
from talentgap.evaluation.plots._common import _format_number
from talentgap.planning._axes import tick_text
from talentgap.planning._params import PARAMETER_RANGES, fmt


@pytest.mark.parametrize(("text", "shown"), [
    ("-0", "0"), ("-0.00", "0.00"), ("-0.0", "0.0"), ("-0.01", "-0.01"), ("-10", "-10"),
    ("-1,000", "-1,000"), ("-inf", "-inf"), ("-nan", "-nan"), ("0", "0"), ("3.0", "3.0"),
])
def test_only_a_zero_loses_its_sign(text, shown):
    assert unsigned_zero(text) == shown


@pytest.mark.parametrize(("value", "text"), [
    (2_500_000, "2,500,000"), (1234.567, "1,234.6"), (0.123456, "0.1235"), (12.5, "12.5"),
    (0.35 - 0.3, "0.05"), (1.5e-7, "0.00000015"), (-0.0, "0"), (-3, "-3"),
    (float("inf"), "inf"), (float("nan"), "nan"),
])
def test_exact_number_keeps_the_value(value, text):
    assert exact_number(value) == text


def test_exact_number_with_decimals_writes_exactly_those():
    assert exact_number(1234.5, decimals=2) == "1,234.50"
    assert exact_number(-0.3, decimals=0) == "0"       # not "-0": no negative count of nothing
    assert exact_number(-0.004, decimals=2) == "0.00"
    assert exact_number(-0.6, decimals=0) == "-1"


@pytest.mark.parametrize(("value", "text"), [
    (1234.567, "1,200"), (12345.678, "12,000"), (12.6, "13"), (4.567, "4.6"),
    (0.01891, "0.019"), (-0.000081234, "-0.000081"), (2.46e6, "2,500,000"),
    # two significant figures, trailing zeros not written: 0.40 reads 0.4, 2.0 reads 2
    (-0.4, "-0.4"), (0.3999, "0.4"), (1.999, "2"), (-0.0, "0"), (float("nan"), "nan"),
])
def test_rounded_number_gives_two_significant_figures(value, text):
    assert rounded_number(value) == text


def test_rounded_number_figures_and_carry_into_the_next_power():
    assert rounded_number(1234.567, figures=3) == "1,230"
    assert rounded_number(9.96) == "10"
    assert rounded_number(0.0996) == "0.1"
    tiny = rounded_number(-1.26e-30)
    assert tiny == "-0." + "0" * 29 + "13" and "e" not in tiny


@pytest.mark.parametrize("value", [1234.567, 0.81234, -0.4, 12.6, 0.000081234, 45_260.5, -7.77])
def test_about_rounds_as_rounded_number_below_a_million(value):
    assert about(value) == rounded_number(value)


def test_about_writes_millions_in_words_as_money_does():
    assert about(2.46e6) == "2.5 million" == money_words(2.46e6, figures=2)
    assert about(-3.14e9) == "-3.1 billion"
    assert about(999_999.7) == "1 million"


def test_every_rounding_agrees_on_the_sign_of_zero():
    assert {exact_number(-1e-9, decimals=3), rounded_number(-0.0), about(-0.0),
            money_words(-0.4), tick_text(-0.0001), _format_number(-0.3, False)} == {"0", "0.000"}
    assert _format_number(-0.001, True) == "0.00"
    assert format_value(-0.3, "{:.0f}".format) == "0"
    assert format_value(-0.004, "{:.2f}".format) == "0.00"
    assert format_value(-0.5001, "{:.0f}".format) == "-1"


def test_percent_text_rounds_halves_up_and_marks_the_ends():
    assert [percent_text(p) for p in (0.975, 0.965, 0.125, 0.0, 1.0)] == [
        "98%", "97%", "13%", "0%", "100%"]
    assert percent_text(0.9996) == ">99.9%" and percent_text(0.0004) == "<0.1%"
    assert percent_text(math.nan) == "\N{EM DASH}"


def test_planning_messages_and_the_service_use_the_one_rule():
    assert fmt is exact_number
    assert PARAMETER_RANGES["pass_rate"].words() == "in (0, 1]"
    pytest.importorskip("pydantic")
    from talentgap.service.schemas._per_cell import parameter_words

    assert parameter_words("lead_time") == "a whole number in [0, 20]"


def test_the_copies_are_gone():
    import talentgap.cli._report_front as front
    import talentgap.cli._wording as wording
    import talentgap.planning._params as params

    assert not hasattr(wording, "plain_number")
    assert front.percent_text is percent_text
    assert params.about is about
