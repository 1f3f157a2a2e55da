"""The key columns of a plan's gap forecast: the shared key-list rules, then the plan's own."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap._arguments import key_list
from talentgap.errors import ParameterError, PlanningError, SchemaError
from talentgap.planning import allocate_quotas


@pytest.fixture
def forecast() -> pd.DataFrame:
    return pd.DataFrame({"region": ["North", "North"], "industry": ["A", "B"],
                         "period": ["2026", "2026"], "gap": [40.0, 10.0]})


def _plan(forecast, keys):
    return allocate_quotas(forecast, keys=keys, budget=1000.0, cost_per_trainee=100.0,
                           pass_rate=1.0)


@pytest.mark.parametrize("keys", ["region", [], ("region", "industry", "region"), 3],
                         ids=["string", "empty", "repeated", "not-a-list"])
def test_a_plan_refuses_keys_with_the_shared_key_list_message(forecast, keys):
    with pytest.raises(ParameterError) as shared:
        key_list(keys, allow_empty=False, distinct=True)
    with pytest.raises(PlanningError) as planned:
        _plan(forecast, keys)
    assert str(planned.value) == str(shared.value)


def test_the_key_list_messages_say_what_to_pass():
    with pytest.raises(ParameterError, match=r"keys == 'region' is one string; pass a list of "
                                             r"column names, e\.g\. \['region'\]"):
        key_list("region", allow_empty=False, distinct=True)
    with pytest.raises(ParameterError, match=r"keys == \[\], must name at least one column"):
        key_list([], allow_empty=False)
    with pytest.raises(ParameterError, match=r"names 'region' more than once"):
        key_list(["region", "industry", "region"], distinct=True)
    assert key_list([]) == [] and key_list(["a", "a"]) == ["a", "a"]  # the defaults allow both


@pytest.mark.parametrize(("keys", "reserved", "role"),
                         [(["region", "period"], "period", "the time column"),
                          (["region", "gap"], "gap", "the value column"),
                          (["sample", "region"], "sample", "the sample-path column")])
def test_columns_the_plan_reads_cannot_be_keys(forecast, keys, reserved, role):
    with pytest.raises(PlanningError, match=rf"keys == .* include '{reserved}': a key cannot "
                                            rf"be {role} '{reserved}'; .*e\.g\. \['region'\]"):
        _plan(forecast, keys)


def test_a_missing_or_blank_key_column_is_a_schema_error(forecast):
    with pytest.raises(SchemaError, match="the gap forecast has no key column 'sector'"):
        _plan(forecast, ["region", "sector"])
    blank = forecast.assign(industry=["A", None])
    with pytest.raises(SchemaError, match="key column 'industry' of the gap forecast must not "
                                          "be missing; 1 row fails, e.g. row 1"):
        _plan(blank, ["region", "industry"])
