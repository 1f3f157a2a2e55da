"""Tests of talentgap.errors: the exception family and SchemaError's attributes."""

from __future__ import annotations

import pytest

from talentgap.errors import (
    ArtifactError,
    ConfigError,
    DataQualityWarning,
    NotFittedError,
    ParameterError,
    PlanningError,
    SchemaError,
    TalentGapError,
)


@pytest.mark.parametrize("cls", [SchemaError, ParameterError, ConfigError, PlanningError,
                                 ArtifactError])
def test_errors_are_talentgap_and_value_errors(cls):
    assert issubclass(cls, TalentGapError)
    assert issubclass(cls, ValueError)


def test_not_fitted_error_is_caught_like_scikit_learns():
    assert issubclass(NotFittedError, (TalentGapError, ValueError, AttributeError))


def test_data_quality_warning_is_a_user_warning():
    assert issubclass(DataQualityWarning, UserWarning)
    assert not issubclass(DataQualityWarning, TalentGapError)


def test_schema_error_defaults():
    err = SchemaError("table: bad")
    assert str(err) == "table: bad"
    assert err.column is None
    assert err.reason is None
    assert err.failure_cases.empty
    assert list(err.failure_cases.columns) == ["line", "row", "column", "rule", "value",
                                               "message"]


def test_schema_error_keeps_its_attributes():
    err = SchemaError("x", column="weight", reason="not_positive")
    with pytest.raises(TalentGapError, match="x") as info:
        raise err
    assert (info.value.column, info.value.reason) == ("weight", "not_positive")
