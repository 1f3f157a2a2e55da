"""Tables without rows: an error where the table is needed, an empty result where it
may be empty (``vacancies``: nobody reported a vacancy), and validation with
``errors="report"`` giving back a table whose every row was rejected."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, SchemaError
from talentgap.features import long_form
from talentgap.io import read_table
from talentgap.schema import validate

ENTERPRISES = pd.DataFrame({"period": "2024Q1", "enterprise_id": ["E1", "E2"],
                            "region": "A", "industry": "X", "employees": [10, 20],
                            "reports_shortage": [0, 1], "weight": [1.0, 2.0]})
NO_VACANCIES = pd.DataFrame(columns=["period", "enterprise_id", "occupation", "vacancies",
                                     "hard_to_fill"])


def test_long_form_without_vacancy_rows_gives_zero_counts():
    out = long_form(ENTERPRISES, NO_VACANCIES)
    assert out["enterprise_id"].astype(str).tolist() == ["E1", "E2"]
    assert out["vacancies"].tolist() == [0, 0]
    assert out["hard_to_fill"].tolist() == [0, 0]
    assert out["occupation"].isna().all()
    assert out["employees"].tolist() == [10, 20]


def test_an_empty_vacancies_table_is_valid_in_both_modes():
    assert validate(NO_VACANCIES, table="vacancies").empty
    clean, report = validate(NO_VACANCIES, table="vacancies", errors="report")
    assert clean.empty and report.ok and report.warnings == []


def test_report_mode_gives_back_a_table_whose_rows_all_failed():
    frame = pd.DataFrame({"period": ["2024"], "region": ["A"], "industry": ["X"],
                          "employment": [-1]})
    clean, report = validate(frame, table="employment", errors="report")
    assert clean.empty and report.rows_rejected == 1
    with pytest.warns(DataQualityWarning, match="employment: the table has no rows"):
        again, second = validate(clean, table="employment", errors="report")
    assert again.empty and second.rows_in == 0 and second.rejected.empty
    with pytest.raises(SchemaError, match="no rows") as info:
        validate(clean, table="employment")
    assert info.value.reason == "empty_table"


def test_a_file_of_a_header_only_is_an_error_in_both_modes(tmp_path):
    path = tmp_path / "training.csv"
    path.write_text("period,region,industry,trained,certified\n")
    for errors in ("raise", "report"):
        with pytest.raises(SchemaError, match="no rows") as info:
            read_table(path, table="training", errors=errors)
        assert info.value.reason == "empty_table"
    path = tmp_path / "vacancies.csv"
    path.write_text("period,enterprise_id,vacancies,hard_to_fill\n")
    clean, report = read_table(path, table="vacancies", errors="report")
    assert clean.empty and report.ok
