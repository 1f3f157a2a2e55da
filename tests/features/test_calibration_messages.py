"""Messages of calibrate_weights: why raking failed, and input errors with lines and rules."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import ParameterError, SchemaError
from talentgap.features import calibrate_weights
from talentgap.features.calibration import _stalled


@pytest.fixture
def surveys():
    """Six enterprises; each industry x band category holds exactly one of them."""
    return pd.DataFrame({
        "period": ["2024Q1"] * 6, "enterprise_id": [f"E{i}" for i in range(6)],
        "region": ["N", "N", "N", "S", "S", "S"], "industry": ["t", "u", "t", "u", "t", "u"],
        "employees": [40, 10, 25, 5, 7, 300], "vacancies": [4, 0, 2, 1, 3, 20],
        "hard_to_fill": [3, 0, 1, 1, 2, 10], "reports_shortage": [1, 0, 1, 1, 1, 1],
        "weight": [10.0] * 6, "band": ["s", "s", "m", "m", "L", "L"]})


REGION = pd.DataFrame({"region": ["N", "S"], "count": [30, 50]})


def _incompatible():
    # (industry, band) fixes every weight, so region N is held at 5 + 5 + 5 = 15, not 20
    return {"region": pd.DataFrame({"region": ["N", "S"], "count": [20, 40]}),
            ("industry", "band"): pd.DataFrame({
                "industry": ["t", "u", "t", "u", "t", "u"],
                "band": ["s", "s", "m", "m", "L", "L"], "count": [5, 5, 5, 5, 5, 35]})}


def test_unbounded_failure_names_the_margins_not_the_bounds_and_stops_early(surveys):
    with pytest.raises(ParameterError) as info:
        calibrate_weights(surveys, _incompatible(), margins=["region", ("industry", "band")],
                          bounds=None)
    text = str(info.value)
    assert re.search(r"stopped after (\d+) sweeps because the error no longer falls", text)
    assert int(re.search(r"after (\d+) sweeps", text).group(1)) <= 20  # not all 100
    assert ("margin ('region',) is still 0.25 off (relative) at region='N' in period 2024Q1 "
            "(target 20, achieved 15; tol=1e-06)") in text
    assert "no bounds were set, so these margins cannot all be met" in text
    assert ("every respondent is the only respondent of its category of margin "
            "('industry', 'band'), which fixes its weight") in text
    assert "(0.0, inf)" not in text and "too tight" not in text and "max_iter" not in text


def test_bounds_that_do_not_bind_are_not_blamed(surveys):
    with pytest.raises(ParameterError, match=r"no weight is at the bounds \(0.2, 5.0\), so "
                                             r"these margins cannot all be met") as info:
        calibrate_weights(surveys, _incompatible(), margins=["region", ("industry", "band")])
    assert "too tight" not in str(info.value)


def test_too_few_sweeps_while_the_error_falls_asks_for_more(surveys):
    industry = pd.DataFrame({"industry": ["t", "u"], "count": [45, 35]})
    with pytest.raises(ParameterError, match=r"did not converge in 1 iterations: .*still "
                                             r"falling: try a larger max_iter"):
        calibrate_weights(surveys, {"region": REGION, "industry": industry},
                          margins=["region", "industry"], max_iter=1)
    out = calibrate_weights(surveys, {"region": REGION, "industry": industry},
                            margins=["region", "industry"])
    np.testing.assert_allclose(out.groupby("region")["weight"].sum(), [30.0, 50.0], rtol=1e-6)


def test_stall_rule_keeps_a_run_that_would_converge_in_time():
    flat = [0.25] * 12
    assert _stalled(flat, 1e-6, 100)
    fast = [0.5 ** k for k in range(12)]
    assert not _stalled(fast, 1e-6, 100)
    # slow but steady: 0.1% a sweep reaches 1e-6 from 1.1e-6 within a few hundred sweeps
    slow = [1.1e-6 * 0.999 ** k for k in range(12)]
    assert not _stalled(slow, 1e-6, 1000)
    assert _stalled(slow, 1e-6, 20)
    assert not _stalled(flat[:5], 1e-6, 100)  # too few sweeps to tell


def test_bad_weights_in_another_column_are_listed_like_schema_failures(surveys):
    surveys["w2"] = [1.0, 2.0, -3.0, 4.0, np.nan, 6.0]
    with pytest.raises(SchemaError) as info:
        calibrate_weights(surveys, {"region": REGION}, margins=["region"], weight="w2")
    err = info.value
    assert str(err).startswith("surveys: 2 of 6 rows fail validation (2 failures):")
    assert ("column 'w2' must be finite and > 0 [not_positive]; 1 row fails, e.g. line 4 "
            "(E2, 2024Q1): -3.0") in str(err)
    assert "column 'w2' must not be missing [missing_value]; 1 row fails, e.g. line 6" in str(err)
    assert (err.column, err.reason) == ("w2", "not_positive")
    cases = err.failure_cases
    assert cases["line"].tolist() == [4, 6]
    assert cases["rule"].tolist() == ["not_positive", "missing_value"]
    assert (cases["column"] == "w2").all()


def test_every_bad_margin_count_is_listed_with_its_line_and_rule(surveys):
    region = pd.DataFrame({"region": ["N", "S", "W", "E", None],
                           "count": [-30, np.nan, np.inf, "many", 5]})
    with pytest.raises(SchemaError) as info:
        calibrate_weights(surveys, {"region": region}, margins=["region"])
    err = info.value
    text = str(err)
    assert text.startswith("the totals of margin ('region',): 5 of 5 rows fail validation "
                           "(5 failures):")
    assert "column 'count' must be >= 0 [negative]; 1 row fails, e.g. line 2 (N): -30" in text
    assert "[missing_value]; 1 row fails, e.g. line 3 (S): missing" in text
    assert "column 'count' must be a finite number [not_finite]; 1 row fails, e.g. line 4" in text
    assert "[not_numeric]; 1 row fails, e.g. line 5 (E): 'many'" in text
    assert "column 'region' must not be missing [missing_value]; 1 row fails, e.g. line 6" in text
    cases = err.failure_cases.sort_values("line")
    assert cases["line"].tolist() == [2, 3, 4, 5, 6]
    assert cases["rule"].tolist() == ["negative", "missing_value", "not_finite", "not_numeric",
                                      "missing_value"]
    assert "rows fail" not in text.replace("of 5 rows fail validation", "")


def test_missing_margin_values_in_surveys_and_register_give_lines(surveys):
    surveys["band"] = ["s", None, "m", "m", None, "L"]
    register = pd.DataFrame({"band": ["s"] * 10 + ["m"] * 10 + ["L"] * 10})
    with pytest.raises(SchemaError, match=r"(?s)surveys: 2 of 6 rows fail validation.*column "
                                          r"'band' must not be missing \[missing_value\]; 2 "
                                          r"rows fail, e.g. line 3 \(E1, 2024Q1\)") as info:
        calibrate_weights(surveys, register, margins=["band"])
    assert info.value.failure_cases["line"].tolist() == [3, 6]
    register.loc[4, "band"] = None
    with pytest.raises(SchemaError, match=r"(?s)the population register: 1 of 30 rows fail "
                                          r"validation.*1 row fails, e.g. line 6: "
                                          r"missing$") as info:
        calibrate_weights(surveys.assign(band="s"), register, margins=["band"])
    assert info.value.reason == "missing_value"


def test_repeated_category_count_is_singular_for_one(surveys):
    region = pd.DataFrame({"region": ["N", "N", "S"], "count": [10, 20, 50]})
    with pytest.raises(ParameterError, match=r"more than one count for 1 category;"):
        calibrate_weights(surveys, {"region": region}, margins=["region"])
