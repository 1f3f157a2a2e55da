"""A cut table names where all its rows are."""

import pandas as pd
import pytest

from talentgap.errors import ParameterError
from talentgap.report import Report


def test_the_line_under_a_cut_table_names_its_source():
    report = Report("t")
    report.add_table(pd.DataFrame({"quota": range(92)}), max_rows=30,
                     source="quotas.csv (sheet quotas of results.xlsx)")
    page = report.to_html()
    assert ("Showing the first 30 of 92 rows; 62 more not shown; all 92 rows are in "
            "quotas.csv (sheet quotas of results.xlsx).") in page


def test_a_table_shown_whole_needs_no_source_line():
    report = Report("t")
    report.add_table(pd.DataFrame({"quota": range(5)}), max_rows=30, source="quotas.csv")
    assert "quotas.csv" not in report.to_html()
    with pytest.raises(ParameterError, match="source"):
        report.add_table(pd.DataFrame({"quota": [1]}), source="  ")
