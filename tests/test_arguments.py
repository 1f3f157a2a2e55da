"""Tests of talentgap._arguments: the argument checks shared by models and evaluation."""

from __future__ import annotations

import numpy as np
import pytest

from talentgap._arguments import (
    SEASON_LENGTHS,
    check_horizon,
    check_levels,
    resolve_season_length,
)
from talentgap.errors import ParameterError


@pytest.mark.parametrize(("level", "expected"), [
    (None, []),
    (80, [80.0]),
    (np.float64(95.5), [95.5]),
    ([95, 80, 80], [80.0, 95.0]),
    ((1.5, 99.5), [1.5, 99.5]),
    (np.array([90, 50]), [50.0, 90.0]),
    ([], []),
])
def test_levels_sorted_distinct_floats(level, expected):
    out = check_levels(level)
    assert out == expected
    assert all(type(v) is float for v in out)


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
    assert resolve_season_length(12.0, "M") == 12
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
