"""Re-sent rows: a training period sent twice is warned about, a period spelled otherwise is
one period, and a rule's advice is said once per error line."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning, SchemaError


def training(periods=("2023Q1", "2023Q2", "2023Q3", "2023Q4")) -> pd.DataFrame:
    """Two programmes of one cell, one row per period each."""
    rows = [{"period": p, "region": "A", "industry": "weld", "program": program,
             "trained": 10 + i, "certified": 5 + i}
            for i, p in enumerate(periods) for program in ("basic", "advanced")]
    return pd.DataFrame(rows)


def validate(df, table="training"):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clean, report = tg.schema.validate(df, table=table, freq="Q", errors="report")
    return clean, report, [str(w.message) for w in caught
                           if issubclass(w.category, DataQualityWarning)]


def test_a_period_resent_with_corrected_numbers_is_warned_and_kept():
    df = training()
    corrected = df.iloc[[6]].assign(certified=df["certified"].iloc[6] + 1)  # 2023Q4 basic
    clean, report, caught = validate(pd.concat([df, corrected], ignore_index=True))
    assert len(clean) == 9   # kept and counted, as documented
    message = next(m for m in caught if "resent_period" in m)
    assert message.startswith("training: 1 series has 2 or more rows in a period (2023Q4)")
    assert "lines 8, 10 (A, weld, basic, 2023Q4: trained 13, 13; certified 8, 9)" in message
    assert "delete the older row from the training file" in message
    assert any("resent_period" in w for w in report.warnings)


def test_separate_cohorts_in_every_period_are_not_warned():
    df = training()
    cohort2 = df.assign(trained=df["trained"] + 3)  # two cohorts in every period
    _, _, caught = validate(pd.concat([df, cohort2], ignore_index=True))
    assert not [m for m in caught if "resent_period" in m]
    _, _, caught = validate(df)
    assert not [m for m in caught if "resent_period" in m]


def test_survey_rows_differing_only_in_how_the_period_is_written_are_one_row_repeated():
    surveys = pd.DataFrame({"period": ["2023Q3", "2023Q4", "2023Q4"],
                            "enterprise_id": ["E1", "E1", "E2"], "region": "A",
                            "industry": "weld", "employees": [20, 21, 9],
                            "vacancies": [3, 2, 1], "hard_to_fill": [1, 1, 0],
                            "reports_shortage": [True, True, False], "weight": 2.0})
    again = surveys.iloc[[1]].assign(period="2023-Q4")
    clean, report, _ = validate(pd.concat([surveys, again], ignore_index=True), "surveys")
    assert len(clean) == 3   # the copy dropped, the first kept
    assert report.rejected["rule"].tolist() == ["duplicate_row"]
    assert report.rejected["line"].tolist() == [5]
    assert "with different values" not in " ".join(report.rejected["message"])


def test_training_rows_differing_only_in_how_the_period_is_written_say_so():
    df = training()
    again = df.iloc[[6]].assign(period="2023-Q4")
    _, report, _ = validate(pd.concat([df, again], ignore_index=True))
    # rows summed: which is meant is not known, but the reason is the spelling
    assert "differ only in how 'period' is written" in report.rejected["message"].iloc[0]


def test_an_exact_repeat_says_its_advice_once():
    df = training()
    with pytest.raises(SchemaError) as info:
        tg.schema.validate(pd.concat([df, df], ignore_index=True), table="training", freq="Q")
    text = str(info.value)
    assert text.count("a copy would count its people twice") == 1
    assert text.count("repeats an earlier row exactly") == 1
    assert "line 10 (" in text and "line 14 (" in text
