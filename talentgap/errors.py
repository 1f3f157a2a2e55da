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

:class:`NotFittedError` derives from scikit-learn's exception of that name; it
is made on first use, so importing this module does not import scikit-learn:

>>> import sklearn.exceptions
>>> from talentgap.errors import NotFittedError
>>> issubclass(NotFittedError, sklearn.exceptions.NotFittedError)
True
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

__all__ = [
    "TalentGapError",
    "SchemaError",
    "ParameterError",
    "NotFittedError",
    "ConfigError",
    "PlanningError",
    "ArtifactError",
    "EditionError",
    "DataQualityWarning",
    "collect_warnings",
    "warn",
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


# NotFittedError derives from scikit-learn's exception, so it is made on first use (module
# __getattr__, PEP 562): importing talentgap.errors, as the command line does, stays light.
_NOT_FITTED_DOC = """An estimator was used before ``fit`` was called.

    Derives from scikit-learn's exception of the same name (itself a
    ``ValueError`` and an ``AttributeError``), so code written for
    scikit-learn, ``except sklearn.exceptions.NotFittedError``, catches it.

    Examples
    --------
    >>> import sklearn.exceptions
    >>> issubclass(NotFittedError, (sklearn.exceptions.NotFittedError, ValueError,
    ...                             AttributeError, TalentGapError))
    True
    """

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ makes the class

    class NotFittedError(TalentGapError, _SklearnNotFittedError):
        __doc__ = _NOT_FITTED_DOC

else:
    _NOT_FITTED_LOCK = threading.Lock()

    def _not_fitted_error() -> type[TalentGapError]:
        """Make :class:`NotFittedError`: scikit-learn is imported here, on first use only."""
        from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

        class NotFittedError(TalentGapError, _SklearnNotFittedError):
            __doc__ = _NOT_FITTED_DOC

        NotFittedError.__qualname__ = "NotFittedError"  # pickled (by reference) by this name
        return NotFittedError

    def __getattr__(name: str) -> type[TalentGapError]:
        if name != "NotFittedError":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        with _NOT_FITTED_LOCK:  # one class, even when threads ask at once
            if "NotFittedError" not in globals():
                globals()["NotFittedError"] = _not_fitted_error()
        return globals()["NotFittedError"]

    def __dir__() -> list[str]:
        return sorted(set(globals()) | {"NotFittedError"})


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


class EditionError(TalentGapError, ValueError):
    """An edition store cannot be read or written, or an edition is refused.

    Raised when the store file is missing or is not a talentgap edition
    store, an edition name is unknown or already stored (editions are
    append-only unless replacing is asked for), a stored table or artifact
    file no longer matches its checksum, or an edition cannot be scored
    against the actuals given. The message names the store, the edition and
    the rule.
    """


class DataQualityWarning(UserWarning):
    """Input values are legal but suspicious and worth a look.

    Raised through :func:`warn` (so :func:`collect_warnings` can take it as
    data); nothing is changed in the data.
    """


#: The list that :func:`warn` appends to in the current context, if any.
_COLLECTED: ContextVar[list[Warning] | None] = ContextVar("talentgap_warnings", default=None)


def warn(message: str, category: type[Warning] = DataQualityWarning, *,
         stacklevel: int = 1) -> None:
    """Issue a talentgap warning, or hand it to the active :func:`collect_warnings`.

    Outside :func:`collect_warnings` this is :func:`warnings.warn` (with
    ``stacklevel`` counted from the caller of this function). Inside it, the
    warning is appended to that context's list instead and the process-wide
    warning machinery is not touched.

    Parameters
    ----------
    message : str
        What is wrong and what to do about it.
    category : type of Warning, default DataQualityWarning
    stacklevel : int, default 1
        As for :func:`warnings.warn`, seen from the caller.
    """
    collected = _COLLECTED.get()
    if collected is None:
        warnings.warn(message, category, stacklevel=stacklevel + 1)
    else:
        collected.append(category(message))


@contextmanager
def collect_warnings() -> Iterator[list[Warning]]:
    """Collect the warnings talentgap issues in this context, as data.

    Unlike :func:`warnings.catch_warnings`, which swaps process-wide state,
    this uses a context variable: each thread (and each asyncio task) has
    its own collection, so concurrent calls never see each other's warnings.
    Only warnings issued through :func:`warn` are collected; warnings of
    other libraries pass through unchanged. Collections nest: the innermost
    one takes the warnings.

    Yields
    ------
    list of Warning
        The warnings issued inside the block, in order (``str(w)`` is the
        message, ``type(w)`` the category).

    Examples
    --------
    >>> with collect_warnings() as caught:
    ...     warn("3 cells have no respondents")
    >>> [(type(w).__name__, str(w)) for w in caught]
    [('DataQualityWarning', '3 cells have no respondents')]
    """
    collected: list[Warning] = []
    token = _COLLECTED.set(collected)
    try:
        yield collected
    finally:
        _COLLECTED.reset(token)
