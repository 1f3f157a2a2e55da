"""Exceptions and warnings raised by talentgap.

Every error the library raises on purpose derives from :class:`TalentGapError`,
so callers can catch the whole family with one ``except`` clause, and most
also derive from the built-in exception a Python user would expect (a bad
table is a ``ValueError``), so generic code keeps working.

Examples
--------
>>> from talentgap.errors import SchemaError, TalentGapError
>>> issubclass(SchemaError, (TalentGapError, ValueError))
True
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "TalentGapError",
    "SchemaError",
    "ParameterError",
    "NotFittedError",
    "ConfigError",
    "PlanningError",
    "ArtifactError",
    "DataQualityWarning",
]


class TalentGapError(Exception):
    """Base class of every exception raised by talentgap."""


class SchemaError(TalentGapError, ValueError):
    """An input table breaks one or more rules of its schema.

    Validation collects every failure before raising, so one ``SchemaError``
    describes all problems of a table at once.

    Parameters
    ----------
    message : str
        Human-readable description of every failed rule.
    column : str or None
        The column of the first failure (``None`` for table-level problems).
    reason : str or None
        The rule code of the first failure, e.g. ``"negative"``.
    failure_cases : pandas.DataFrame or None
        One row per failure with columns ``line``, ``row``, ``column``,
        ``rule``, ``value`` and ``message``.

    Attributes
    ----------
    column, reason, failure_cases
        As given; ``failure_cases`` is an empty frame when none was given.
    """

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        reason: str | None = None,
        failure_cases: pd.DataFrame | None = None,
    ) -> None:
        super().__init__(message)
        self.column = column
        self.reason = reason
        if failure_cases is None:
            failure_cases = pd.DataFrame(
                columns=["line", "row", "column", "rule", "value", "message"]
            )
        self.failure_cases = failure_cases


class ParameterError(TalentGapError, ValueError):
    """A function or estimator argument has a value outside its allowed range."""


class NotFittedError(TalentGapError, ValueError, AttributeError):
    """An estimator was used before ``fit`` was called.

    Derives from ``ValueError`` and ``AttributeError`` like scikit-learn's
    exception of the same name, so code written for scikit-learn catches it.
    """


class ConfigError(TalentGapError, ValueError):
    """A configuration file or command-line option is invalid."""


class PlanningError(TalentGapError, ValueError):
    """A planning problem is infeasible or its parameters are invalid."""


class ArtifactError(TalentGapError, ValueError):
    """A saved model artifact cannot be written or is refused on load.

    Raised when a file of the artifact is missing, extra or changed since
    saving, holds a pickle payload or a type outside the allow-lists, or was
    written in a format or by a talentgap version this one cannot read; and
    at save time when part of an estimator has a type an artifact cannot
    hold. The message names the file (or attribute) and the rule.
    """


class DataQualityWarning(UserWarning):
    """Input values are legal but suspicious and worth a look.

    Raised through :func:`warnings.warn`; nothing is changed in the data.
    """
