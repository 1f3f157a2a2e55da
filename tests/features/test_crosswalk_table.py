"""The crosswalk validator, and that supply and planning accept and refuse alike."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import SchemaError
from talentgap.features import training_supply
from talentgap.features.crosswalk import SHARE_TOLERANCE, check_crosswalk
from talentgap.planning import allocate_quotas


@pytest.fixture
def crosswalk() -> pd.DataFrame:
    """Welding feeds both industries half and half; CNC machining only equipment."""
    return pd.DataFrame({"program": ["welding", "welding", "cnc"],
                         "industry": ["construction", "equipment", "equipment"],
                         "share": [0.5, 0.5, 1.0]})


@pytest.fixture
def training() -> pd.DataFrame:
    return pd.DataFrame({"period": ["2025", "2025"], "region": "North",
                         "industry": ["construction", "equipment"],
                         "program": ["welding", "cnc"], "trained": [40, 20],
                         "certified": [30, 18]})


@pytest.fixture
def forecast() -> pd.DataFrame:
    return pd.DataFrame({"region": "North", "period": "2026",
                         "industry": ["construction", "equipment"], "gap": [40.0, 100.0]})


def _plan(forecast: pd.DataFrame, crosswalk) -> object:
    return allocate_quotas(forecast, crosswalk=crosswalk, budget=5_000, cost_per_trainee=100.0,
                           pass_rate=1.0)


# --------------------------------------------------------------------------- the validator


def test_a_sound_crosswalk_comes_back_canonical(crosswalk):
    cw = crosswalk.assign(share=[0.25, 0.75, 1.0], note="x").set_axis([10, 11, 12])
    out = check_crosswalk(cw.assign(share=[0.0, 1.0, 1.0]))
    assert out.columns.tolist() == ["program", "industry", "share"]
    assert out.index.tolist() == [11, 12]  # share 0 dropped, row labels kept
    assert out["share"].dtype == np.float64
    assert out["share"].tolist() == [1.0, 1.0]


def test_location_columns_are_kept_and_shares_sum_per_location(crosswalk):
    by_region = pd.concat([crosswalk.assign(region="North"),
                           crosswalk.assign(region="South", share=[0.2, 0.8, 1.0])])
    out = check_crosswalk(by_region, location=["region"])
    assert out.columns.tolist() == ["program", "region", "industry", "share"]
    assert len(out) == 6
    with pytest.raises(SchemaError, match="repeats program-industry combinations"):
        check_crosswalk(by_region)  # without the location, the pairs repeat


def test_the_tolerance_is_one_in_a_million(crosswalk):
    assert SHARE_TOLERANCE == 1e-6
    check_crosswalk(crosswalk.assign(share=[0.5, 0.5 + 5e-7, 1.0]))
    with pytest.raises(SchemaError, match=r"program='welding' sums to 1.000002 \(over by "
                                          r"2e-06; lines 2, 3\)") as info:
        check_crosswalk(crosswalk.assign(share=[0.5, 0.5 + 2e-6, 1.0]))
    assert info.value.column == "share"
    assert info.value.reason == "share_sum"
    assert info.value.failure_cases["row"].tolist() == [0, 1]


def test_every_row_problem_is_reported_at_once(crosswalk):
    bad = pd.concat([crosswalk, crosswalk.iloc[[2]]], ignore_index=True)
    bad = bad.assign(program=["welding", None, "cnc", "cnc"],
                     share=[-0.5, 0.5, "half", 1.0])
    with pytest.raises(SchemaError) as info:
        check_crosswalk(bad)
    message = str(info.value)
    assert message.startswith("table 'crosswalk' breaks 4 rules:")
    assert "1 row with a missing program or industry: line 3" in message
    assert "1 row with a share that is not a finite number: line 4" in message
    assert "column 'share' must be >= 0; 1 row fails: line 2 (program='welding'" in message
    assert "repeats program-industry combinations: line 4" in message
    assert info.value.column == "program"
    assert info.value.reason == "missing_value"
    cases = info.value.failure_cases
    assert cases.columns.tolist() == ["line", "row", "column", "rule", "value", "message"]
    assert sorted(zip(cases["row"], cases["rule"], strict=True)) == [
        (0, "negative"), (1, "missing_value"), (2, "duplicate_key"), (2, "not_numeric"),
        (3, "duplicate_key")]
    assert cases["line"].tolist() == [r + 2 for r in cases["row"]]


@pytest.mark.parametrize(("crosswalk", "reason", "message"), [
    ([("welding", "construction", 1.0)], "not_a_table", "must be a DataFrame"),
    (pd.DataFrame({"program": ["a"], "industry": ["b"]}), "missing_column",
     r"\['share'\] missing"),
    (pd.DataFrame({"program": [], "industry": [], "share": []}), "empty_table", "no rows"),
    (pd.DataFrame({"program": ["a"], "industry": ["b"], "share": [np.inf]}), "not_finite",
     "not a finite number"),
])
def test_unusable_tables(crosswalk, reason, message):
    with pytest.raises(SchemaError, match=message) as info:
        check_crosswalk(crosswalk)
    assert info.value.reason == reason
    assert str(info.value).startswith("table 'crosswalk'")


# --------------------------------------------------------------------------- one rule everywhere


@pytest.mark.parametrize("change", [
    lambda cw: cw.assign(share=[0.5, 0.4, 1.0]),
    lambda cw: cw.assign(share=[0.5, 0.5 + 2e-6, 1.0]),
    lambda cw: cw.assign(share=[1.5, -0.5, 1.0]),
    lambda cw: cw.assign(share=[0.5, np.nan, 1.0]),
    lambda cw: cw.assign(industry=["construction", None, "equipment"]),
    lambda cw: pd.concat([cw, cw.iloc[[2]]]),
    lambda cw: cw.drop(columns="share"),
    lambda cw: cw.iloc[:0],
])
def test_supply_and_planning_refuse_a_bad_crosswalk_the_same_way(training, forecast, crosswalk,
                                                                 change):
    bad = change(crosswalk)
    with pytest.raises(SchemaError) as in_supply:
        training_supply(training, crosswalk=bad)
    with pytest.raises(SchemaError) as in_planning:
        _plan(forecast, bad)
    assert str(in_supply.value) == str(in_planning.value)
    assert in_supply.value.column == in_planning.value.column
    assert in_supply.value.reason == in_planning.value.reason
    pd.testing.assert_frame_equal(in_supply.value.failure_cases,
                                  in_planning.value.failure_cases)


def test_supply_and_planning_accept_the_same_rounding(training, forecast, crosswalk):
    nearly = crosswalk.assign(share=[0.5, 0.5 + 5e-7, 1.0])
    assert training_supply(training, crosswalk=nearly)["supply"].sum() == pytest.approx(
        48.0, abs=1e-4)
    assert _plan(forecast, nearly).quotas["quota"].sum() > 0
