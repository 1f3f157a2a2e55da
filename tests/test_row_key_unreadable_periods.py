"""Look-alike enterprise ids on rows whose every period is unreadable: the period
failures are reported, never an IndexError from the row-key check."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.cli import main
from talentgap.errors import SchemaError
from talentgap.schema import validate


def lookalike_rows(period) -> pd.DataFrame:
    return pd.DataFrame({"period": period, "enterprise_id": ["E1", "e1"],
                         "region": ["A", "A"], "industry": ["C", "C"], "employees": [1, 2],
                         "vacancies": [1, 1], "hard_to_fill": [0, 0],
                         "reports_shortage": [1, 1], "weight": [1.0, 1.0]})


def test_report_lists_every_bad_period():
    clean, report = validate(lookalike_rows(["2024-13", "2024-13"]), table="surveys",
                             errors="report")
    assert clean.empty
    assert report.rejected[["line", "column", "rule"]].values.tolist() == [
        [2, "period", "bad_period"], [3, "period", "bad_period"]]


@pytest.mark.parametrize(("period", "rule"), [(["2024-13", ""], "bad_period"),
                                              ([None, None], "missing_value")])
def test_raise_names_the_period_rule(period, rule):
    with pytest.raises(SchemaError, match=rf"\[{rule}\]") as info:
        validate(lookalike_rows(period), table="surveys")
    assert set(info.value.failure_cases["column"]) == {"period"}


def test_cli_validate_reports_the_rows(tmp_path, capsys):
    path = tmp_path / "badperiod_lookalike.csv"
    lookalike_rows(["2024-13", "2024-13"]).to_csv(path, index=False)
    code = main(["validate", str(path), "--table", "surveys"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "bad_period" in out + err
    assert "internal error" not in out + err
