"""A new-training row and an upgrade row of the same cell are two cohorts, not one row twice."""

import pandas as pd
import pytest

from talentgap.errors import SchemaError
from talentgap.schema import validate


def _training(from_level):
    return pd.DataFrame({"period": ["2024", "2024"], "region": ["N", "N"],
                         "industry": ["tex", "tex"], "trained": [10, 10],
                         "certified": [8, 8], "skill_level": ["senior", "senior"],
                         "from_level": from_level})


def test_rows_that_differ_only_in_from_level_are_both_kept():
    out = validate(_training(["", "junior"]), table="training", freq="Y")
    assert len(out) == 2
    assert out["from_level"].isna().tolist() == [True, False]
    assert out["trained"].sum() == 20


def test_the_same_upgrade_written_twice_is_still_a_repeat():
    with pytest.raises(SchemaError, match=r"duplicate_row.*line 3"):
        validate(_training(["junior", "junior"]), table="training", freq="Y")
