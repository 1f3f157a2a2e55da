"""check_crosswalk numbers the rows of its messages as lines of a file or items of a list."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.errors import ParameterError, SchemaError
from talentgap.features.crosswalk import check_crosswalk

SHORT = pd.DataFrame({"program": ["welding", "welding", "cnc"],
                      "industry": ["construction", "equipment", "equipment"],
                      "share": [0.5, 0.4, 1.0]})
REPEATED = pd.DataFrame({"program": ["cnc", "welding", "welding"],
                         "industry": ["equipment", "construction", "construction"],
                         "share": [1.0, 0.5, 0.5]})


@pytest.mark.parametrize(("table", "lines", "items"), [
    (SHORT, "lines 2, 3)", "items 0, 1)"),
    (REPEATED, "line 3 (program='welding'", "item 1 (program='welding'"),
    (SHORT.assign(share=[0.5, -0.4, 1.0]), "line 3 (", "item 1 ("),
    (SHORT.assign(share=[0.5, 0.5, None]), "line 4 (", "item 2 ("),
])
def test_rows_are_lines_by_default_and_items_on_request(table, lines, items):
    with pytest.raises(SchemaError) as by_line:
        check_crosswalk(table)
    with pytest.raises(SchemaError) as by_item:
        check_crosswalk(table, row_names="item")
    assert lines in str(by_line.value) and "item" not in str(by_line.value)
    assert items in str(by_item.value) and "line" not in str(by_item.value)
    # the rule, column and failing rows are the same either way
    assert (by_item.value.column, by_item.value.reason) == (by_line.value.column,
                                                            by_line.value.reason)
    pd.testing.assert_frame_equal(by_item.value.failure_cases, by_line.value.failure_cases)


def test_an_unknown_row_numbering_is_refused():
    with pytest.raises(ParameterError, match="row_names='row'; use one of"):
        check_crosswalk(SHORT, row_names="row")
