"""Tests of the gap forecast's warning flags (talentgap.models.gap_flags)."""

from __future__ import annotations

import numpy as np

from talentgap.models.gap_flags import FLAGS, gap_flags, history_length


def flags(history, demand, supply, *, m=1, has_demand=True, has_supply=True):
    demand, supply = np.atleast_2d(demand), np.atleast_2d(supply)
    n = demand.shape[0]
    return gap_flags(history, demand, supply, demand - supply, season_length=m,
                     has_demand=np.full(n, has_demand), has_supply=np.full(n, has_supply))


def test_no_flag_for_a_steady_cell():
    history = {"demand": np.full((1, 8), 10.0), "supply": np.full((1, 8), 12.0)}
    assert flags(history, [10.0, 10.5], [12.0, 12.0]).tolist() == [["", ""]]


def test_rising_demand_compares_whole_years():
    season = np.tile([5.0, 15.0, 5.0, 15.0], 2)[None, :]
    history = {"demand": season, "supply": np.full((1, 8), 30.0)}
    # the same seasonal pattern continues: the high quarter alone must not raise the flag
    assert flags(history, [5.0, 15.0], [30.0, 30.0], m=4).tolist() == [["", ""]]
    # a higher year does
    out = flags(history, [8.0, 20.0, 8.0, 20.0], np.full(4, 30.0), m=4)
    assert out[0, -1] == "rising_demand"


def test_falling_supply_and_persistent_gap():
    history = {"demand": np.full((1, 6), 20.0), "supply": np.full((1, 6), 10.0)}
    out = flags(history, [20.0, 20.0], [8.0, 8.0])
    assert out.tolist() == [["falling_supply;persistent_gap"] * 2]


def test_changes_under_one_person_raise_no_flag():
    history = {"demand": np.vstack([np.zeros(4), np.full(4, 2.0)]),
               "supply": np.vstack([np.full(4, 1.5), np.full(4, 20.0)])}
    # 0 -> 0.3 persons of demand is "infinitely" higher, 1.5 -> 0.9 supply 40% lower: noise
    out = flags(history, [[0.3, 0.3], [3.5, 3.5]], [[0.9, 0.9], [17.0, 17.0]])
    assert out.tolist() == [["", ""], ["rising_demand;falling_supply"] * 2]


def test_thin_data_from_respondents_or_missing_periods():
    base = {"demand": np.full((2, 8), 5.0), "supply": np.full((2, 8), 6.0)}
    base["n_respondents"] = np.array([[2.0] * 8, [10.0] * 8])
    out = flags(base, np.full((2, 1), 5.0), np.full((2, 1), 6.0))
    assert out[:, 0].tolist() == ["thin_data", ""]
    gappy = {"demand": np.array([[5.0, np.nan, np.nan, 5.0]]), "supply": np.full((1, 4), 6.0)}
    assert flags(gappy, [5.0], [6.0]).tolist() == [["thin_data"]]


def test_no_data_codes_and_order():
    history = {"demand": np.full((1, 4), np.nan), "supply": np.full((1, 4), np.nan)}
    out = flags(history, [np.nan], [0.0], has_demand=False, has_supply=False)
    codes = out[0, 0].split(";")
    assert codes == [c for c in FLAGS if c in codes]
    assert {"no_demand_data", "no_supply_data", "thin_data"} <= set(codes)


def test_short_history_below_two_seasons():
    demand = np.full((3, 10), 20.0)
    demand[0, :3] = np.nan      # 7 periods: short for quarterly data
    demand[1, :2] = np.nan      # 8 periods: two seasons
    demand[2] = np.nan          # never observed: no_demand_data instead
    history = {"demand": demand, "supply": np.full((3, 10), 20.0)}
    out = flags(history, np.full((3, 2), 20.0), np.full((3, 2), 20.0), m=4,
                has_demand=np.array([True, True, False]))
    assert out[0].tolist() == ["short_history"] * 2
    assert out[1].tolist() == ["", ""]
    assert "short_history" not in out[2, 0]
    assert history_length(demand).tolist() == [7, 8, 0]
    # annual data: fewer than 4 periods
    yearly = {"demand": demand[:2, -3:], "supply": np.full((2, 3), 20.0)}
    assert flags(yearly, np.full((2, 1), 20.0), np.full((2, 1), 20.0), m=1)[:, 0].tolist() == [
        "short_history", "short_history"]
