"""Exit codes, the usage error and the failure table shared by the commands."""

from __future__ import annotations

import pandas as pd

__all__ = ["EXIT_OK", "EXIT_INTERNAL", "EXIT_BAD_INPUT", "UsageError", "failures_as_text"]

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
