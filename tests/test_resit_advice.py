"""The training table's ``certified <= trained`` rule says how to record re-sits."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.errors import SchemaError
from talentgap.schema import validate


def _training(certified: int) -> pd.DataFrame:
    return pd.DataFrame({"period": ["2024Q1", "2024Q2"], "region": "North",
                         "industry": "textiles", "program": "welding",
                         "trained": [60, 52], "certified": [40, certified]})


def test_certified_above_trained_names_the_re_sit_row():
    advice = r"line 3 \(North, textiles, welding, 2024Q2\): 67 > 52; re-sits: record"
    with pytest.raises(SchemaError, match=advice) as caught:
        validate(_training(67), table="training", freq="Q")
    assert "'trained' = the re-sitters" in str(caught.value)


def test_re_sitters_on_their_own_row_pass():
    resit = pd.DataFrame({"period": ["2024Q2"], "region": "North", "industry": "textiles",
                          "program": "welding", "trained": [20], "certified": [15]})
    table = pd.concat([_training(52), resit], ignore_index=True)
    clean = validate(table, table="training", freq="Q")
    assert clean["certified"].sum() == 40 + 52 + 15
