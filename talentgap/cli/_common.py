"""Exit codes, the usage error, the failure table and warning logging shared by the commands."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd

__all__ = ["EXIT_OK", "EXIT_INTERNAL", "EXIT_BAD_INPUT", "UsageError", "failures_as_text",
           "logged_warnings"]

logger = logging.getLogger("talentgap.cli")

#: Exit codes: success, an internal error, bad input or options.
EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """A command-line mistake, reported in one line with exit code 2."""


def failures_as_text(failures: pd.DataFrame) -> pd.DataFrame:
    """Failure rows with their offending ``value`` as text, missing values kept missing.

    The values come from different columns (numbers, period labels, codes), so
    one column of mixed types would not survive a Parquet write.

    Examples
    --------
    >>> failures_as_text(pd.DataFrame({"value": [999, "2019Q7", None]}))["value"].tolist()
    ['999', '2019Q7', None]
    """
    values = failures["value"]
    text = values.map(str).astype(object).where(values.notna(), None)
    return failures.assign(value=text)


@contextmanager
def logged_warnings(notes: list[str] | None = None) -> Iterator[list[str]]:
    """Data and model warnings raised inside, logged once each as the commands log.

    Every ``UserWarning`` (``DataQualityWarning`` among them) raised in the
    block is logged on ``talentgap.cli`` (``WARNING talentgap.cli: ...`` on
    the terminal), each distinct message once and in the order raised, and
    appended to ``notes`` (the messages already there are not repeated);
    other warnings (deprecations) pass on as raised.

    Parameters
    ----------
    notes : list of str, optional
        Where the messages are kept (a report's notes); default: a new list.

    Yields
    ------
    list of str
        ``notes``, filled when the block ends.

    Examples
    --------
    >>> from talentgap.errors import DataQualityWarning
    >>> with logged_warnings() as notes:
    ...     for _ in range(2):
    ...         warnings.warn("12 intervals without a standard error", DataQualityWarning)
    >>> notes
    ['12 intervals without a standard error']
    """
    notes = [] if notes is None else notes
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        yield notes
    for item in caught:
        if not issubclass(item.category, UserWarning):
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
            continue
        message = str(item.message)
        if message not in notes:
            notes.append(message)
            logger.warning("%s", message)
