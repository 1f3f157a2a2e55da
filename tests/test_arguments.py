"""Tests of talentgap._arguments: the argument checks shared by models and evaluation."""

from __future__ import annotations

import re

import numpy as np
import pytest

from talentgap._arguments import (
    SEASON_LENGTHS,
    check_count,
    check_counts,
    check_horizon,
    check_levels,
    interval_columns,
    is_integer,
    level_label,
    parse_interval_column,
    parse_level_label,
    resolve_season_length,
)
from talentgap.errors import ParameterError


@pytest.mark.parametrize(("level", "expected"), [
    (None, []),
    (80, [80.0]),
    (np.float64(95.5), [95.5]),
    ([95, 80], [80.0, 95.0]),
    ((1.5, 99.5), [1.5, 99.5]),
    (np.array([90, 50]), [50.0, 90.0]),
    ([], []),
])
def test_levels_sorted_distinct_floats(level, expected):
    out = check_levels(level)
    assert out == expected
    assert all(type(v) is float for v in out)


@pytest.mark.parametrize(("level", "named"), [
    ([95, 80, 80], "80 is given more than once; give each level once, e.g. [80, 95]"),
    ([80, 80.0], "80 is given more than once"),
    ([90, 95, 90, 95], "90, 95 are given more than once"),
    (np.array([50.0, 50.0]), "50 is given more than once"),
])
def test_a_repeated_level_is_refused_and_named(level, named):
    with pytest.raises(ParameterError, match=re.escape(named)):
        check_levels(level)


@pytest.mark.parametrize("level", [0, 100, -5, [80, 100], [np.nan], 150])
def test_levels_outside_zero_hundred_are_refused(level):
    with pytest.raises(ParameterError, match=r"every level must be in \(0, 100\)"):
        check_levels(level)


@pytest.mark.parametrize("level", ["high", [80, "x"], True, [80, False], object()])
def test_levels_that_are_not_numbers_are_refused(level):
    with pytest.raises(ParameterError, match="must be a number"):
        check_levels(level)


@pytest.mark.parametrize(("level", "hint"), [
    (0.8, "level=0.8 looks like a fraction; use 80"),
    ([0.95, 80], "level=0.95 looks like a fraction; use 95"),
    ((0.5,), "level=0.5 looks like a fraction; use 50"),
    (np.array([0.9]), "level=0.9 looks like a fraction; use 90"),
    (1, "level=1 looks like a fraction; a 100% interval is not allowed"),
])
def test_levels_that_look_like_fractions_suggest_the_percentage(level, hint):
    with pytest.raises(ParameterError, match="^" + hint.replace(".", r"\.")) as info:
        check_levels(level)
    assert "percentages in (0, 100)" in str(info.value)


def test_levels_just_above_one_are_percentages():
    assert check_levels([1.01, 2]) == [1.01, 2.0]
    with pytest.raises(ParameterError, match=r"^levels=0\.8 looks like a fraction"):
        check_levels([0.8], name="levels")


def test_levels_message_names_the_argument():
    with pytest.raises(ParameterError, match=r"^levels=\[150\]: "):
        check_levels([150], name="levels")
    with pytest.raises(ParameterError, match=r"^level=\[150\]: "):
        check_levels([150])


@pytest.mark.parametrize("horizon", [1, 8, np.int32(3)])
def test_horizon_integers(horizon):
    out = check_horizon(horizon)
    assert out == int(horizon) and type(out) is int


@pytest.mark.parametrize("horizon", [0, -1, 2.0, "4", None])
def test_horizon_rejects(horizon):
    with pytest.raises(ParameterError, match=r"horizon == .*, must be an integer >= 1"):
        check_horizon(horizon)


@pytest.mark.parametrize(("freq", "expected"), [
    ("Y-DEC", 1), ("YE-DEC", 1), ("Q-DEC", 4), ("QE", 4), ("M", 12), ("ME", 12),
    ("W-SUN", 52), ("D", 7), ("B", 5), ("h", 24),
])
def test_default_season_length_from_the_frequency(freq, expected):
    assert resolve_season_length(None, freq) == expected


def test_given_season_length_wins_and_is_checked():
    assert resolve_season_length(7, "Q-DEC") == 7
    assert resolve_season_length(np.int64(12), "M") == 12
    with pytest.raises(ParameterError, match=r"season_length == 12\.0, must be an integer >= 1 "
                       r"\(write 12\)"):
        resolve_season_length(12.0, "M")
    with pytest.raises(ParameterError, match=r"season_length == 0, must be an integer >= 1"):
        resolve_season_length(0, "M")
    with pytest.raises(ParameterError, match=r"season_length == 2.5"):
        resolve_season_length(2.5, "M")
    with pytest.raises(ParameterError, match="no default season length for frequency 'min'"):
        resolve_season_length(None, "min")


def test_season_lengths_table():
    assert SEASON_LENGTHS["Q"] == 4 and SEASON_LENGTHS["M"] == 12 and SEASON_LENGTHS["Y"] == 1


def test_one_key_given_as_a_string_is_refused_everywhere():
    """``keys="region"`` would become six one-letter columns: every entry point refuses it."""
    import talentgap as tg
    from talentgap._arguments import key_list
    from talentgap.errors import ParameterError

    assert key_list(("region", "industry")) == ["region", "industry"]
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=8, seed=2)
    panel = tg.features.build_panel(data.surveys, data.training)
    calls = {
        "estimate_cells": lambda: tg.features.estimate_cells(data.surveys, keys="region"),
        "build_panel": lambda: tg.features.build_panel(data.surveys, keys="region"),
        "training_supply": lambda: tg.features.training_supply(data.training, keys="region"),
        "fit": lambda: tg.models.Naive().fit(panel, target="demand", keys="region"),
        "backtest": lambda: tg.evaluation.backtest(tg.models.Naive(), panel, target="demand",
                                                   keys="region", horizon=1, n_windows=1),
    }
    for name, call in calls.items():
        with pytest.raises(ParameterError, match=r"keys == 'region' is one string; pass a list "
                           r"of column names, e\.g\. \['region'\]"):
            call()
        assert name
    with pytest.raises(ParameterError, match="must be a list of column names"):
        key_list(3)


# ---- whole numbers: one rule (scikit-learn's) for every count argument ----------------------


@pytest.mark.parametrize("value", [1, 7, np.int64(4), np.int32(2), np.uint8(3)])
def test_count_accepts_python_and_numpy_integers(value):
    out = check_count(value, "season_length")
    assert out == int(value) and type(out) is int
    assert is_integer(value)


@pytest.mark.parametrize(("value", "shown"), [
    (4.0, r"4\.0, must be an integer >= 1 \(write 4\)"),
    (np.float64(4.0), r"np\.float64\(4\.0\), must be an integer >= 1 \(write 4\)"),
    (2.5, r"2\.5, must be an integer >= 1$"),
    (True, r"True, must be an integer >= 1$"),
    (np.bool_(True), r"np\.True_, must be an integer >= 1$"),
    ("4", r"'4', must be an integer >= 1$"),
    (None, r"None, must be an integer >= 1$"),
    (0, r"0, must be an integer >= 1$"),
    (float("nan"), r"nan, must be an integer >= 1$"),
    (0.0, r"0\.0, must be an integer >= 1$"),  # no hint: 0 is below the minimum anyway
])
def test_count_refuses_everything_else_with_one_wording(value, shown):
    with pytest.raises(ParameterError, match="^horizon == " + shown):
        check_count(value, "horizon")
    assert is_integer(value) == (value == 0 and type(value) is int)


def test_count_minimum():
    assert check_count(0, "n_windows", minimum=0) == 0
    with pytest.raises(ParameterError, match=r"^max_leaf_nodes == 1, must be an integer >= 2$"):
        check_count(1, "max_leaf_nodes", minimum=2)


@pytest.mark.parametrize(("values", "expected"), [
    (4, [4]), (np.int64(2), [2]), ((1, 2, 4), [1, 2, 4]), (np.array([3, 1]), [3, 1]),
    (range(1, 3), [1, 2]), ([2, 2], [2, 2]),
])
def test_counts_one_or_several(values, expected):
    out = check_counts(values, "lags")
    assert out == expected and all(type(v) is int for v in out)


@pytest.mark.parametrize(("values", "message"), [
    ("12", r"^lags == '12', must be an integer >= 1$"),
    (True, r"^lags == True, must be an integer >= 1$"),
    (None, r"^lags == None, must be an integer >= 1$"),
    ([], r"^lags == \[\], must hold at least one integer >= 1$"),
    ([1, 2.0], r"^lags == \[1, 2\.0\], must be integers >= 1; 2\.0 is not \(write 2\)$"),
    ([1, 0], r"^lags == \[1, 0\], must be integers >= 1; 0 is not$"),
    ([1, "2"], r"^lags == \[1, '2'\], must be integers >= 1; '2' is not$"),
])
def test_counts_refused(values, message):
    with pytest.raises(ParameterError, match=message):
        check_counts(values, "lags")


def test_horizon_and_season_length_follow_the_count_rule():
    for value in (3, np.int16(3)):
        assert check_horizon(value) == resolve_season_length(value, "Q") == 3
    for value in (3.0, True, "3", 0):
        with pytest.raises(ParameterError, match=r"^horizon == .*, must be an integer >= 1"):
            check_horizon(value)
        with pytest.raises(ParameterError, match=r"^season_length == .*, must be an integer >= 1"):
            resolve_season_length(value, "Q")


# ---- interval levels and their column labels ------------------------------------------------


@pytest.mark.parametrize(("level", "label"), [
    (80, "80"), (80.0, "80"), (97.5, "97.5"), (np.float64(99.9), "99.9"), (12.3456789, "12.3457"),
    (1.5, "1.5"),
])
def test_level_label(level, label):
    assert level_label(level) == label
    assert interval_columns(level) == (f"lo_{label}", f"hi_{label}")
    assert interval_columns(level, prefix="gap") == (f"gap_lo_{label}", f"gap_hi_{label}")


def test_checked_levels_give_distinct_columns():
    levels = check_levels([50, 80, 95, 97.5, 99, 99.9999])
    columns = [c for lv in levels for c in interval_columns(lv)]
    assert len(set(columns)) == len(columns) == 12


@pytest.mark.parametrize(("level", "message"), [
    ([80, 80.0000001], r"^level=\[80, 80\.0000001\]: the levels 80\.0 and 80\.0000001 both "
                       r"give the columns lo_80/hi_80 .*e\.g\. \[80\]$"),
    ([95, 12.34567, 12.345671], r"the levels 12\.34567 and 12\.345671 both give the columns "
                                r"lo_12\.3457/hi_12\.3457"),
    (99.9999999, r"^level=99\.9999999 would be labelled 100 in column names \(lo_100/hi_100: "
                 r"a level keeps 6 significant digits\), .*at most 99\.9999"),
    ([80, 99.99999], r"^level=99\.99999 would be labelled 100"),
    (1.0000001, r"^level=1\.0000001 would be labelled 1 in column names.*at least 1\.00001"),
])
def test_levels_whose_labels_collide_or_read_100_are_refused(level, message):
    with pytest.raises(ParameterError, match=message):
        check_levels(level)


def test_label_rule_names_the_argument():
    with pytest.raises(ParameterError, match=r"^levels=99\.9999999 would be labelled 100"):
        check_levels([99.9999999], name="levels")


# ---- interval columns read back --------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "gap", "demand", "shortage_rate", "employment"])
def test_parse_interval_column_inverts_interval_columns(prefix):
    levels = check_levels([1.00001, 2.5, 12.3456789, 50, 80, 95, 97.5, 99.9, 99.9999])
    for level in levels:
        lo, hi = interval_columns(level, prefix=prefix)
        expected = float(level_label(level))
        assert parse_interval_column(lo, prefix=prefix) == ("lo", expected)
        assert parse_interval_column(hi, prefix=prefix) == ("hi", expected)
        assert parse_level_label(level_label(level)) == expected
        assert interval_columns(parse_interval_column(lo, prefix)[1], prefix) == (lo, hi)


@pytest.mark.parametrize(("column", "prefix"), [
    ("gap_lo_80", ""), ("lo_80", "gap"), ("demand_lo_80", "gap"), ("gap_mid_80", "gap"),
    ("gap_lo_", "gap"), ("gap_lo_x", "gap"), ("gap_lo_-5", "gap"), ("gap_lo_1e1", "gap"),
    ("gap_lo_100", "gap"), ("gap_lo_0", "gap"), ("gap_lo_80_old", "gap"), ("gap", "gap"),
    ("mean", ""), (80, ""), (None, ""), ("gaps_lo_80", "gap"),
])
def test_parse_interval_column_refuses_other_columns(column, prefix):
    assert parse_interval_column(column, prefix=prefix) is None
