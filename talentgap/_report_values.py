"""The text of one value in a report: numbers, missing values, labels, escaping.

:class:`talentgap.report.Report` shows every value through :func:`format_value`
(integers with thousands separators, floats through the caller's format,
booleans as yes/no, missing values as None for the em dash) and escapes all
text with :func:`esc`, so values from input files can never inject markup.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Callable

import numpy as np
import pandas as pd

from talentgap._words import unsigned_zero
from talentgap.errors import ParameterError

__all__ = ["esc", "breakable", "is_number", "check_float_format", "format_value",
           "numeric_column", "header_text"]


def esc(text) -> str:
    """``text`` as HTML text or attribute value: ``&``, ``<``, ``>`` and quotes escaped."""
    return html.escape(str(text), quote=True)


def breakable(text) -> str:
    """Escaped text that may wrap after an underscore (``electromechanical_technology``)."""
    return esc(text).replace("_", "_<wbr>")


def _is_na(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating | np.datetime64 | np.timedelta64):
        return bool(pd.isna(value))
    return False


def is_number(value) -> bool:
    """Whether ``value`` is a real number (a bool is not)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def check_float_format(fmt, name: str) -> Callable[[float], str]:
    """``fmt`` (a format string for one number, or a callable) as a function of one float."""
    if callable(fmt):
        return fmt
    if isinstance(fmt, str):
        try:
            fmt.format(1234.5)
        except (ValueError, IndexError, KeyError) as err:
            raise ParameterError(
                f"{name} {fmt!r} is not a format string for one number, e.g. '{{:,.1f}}': {err}"
            ) from None
        return fmt.format
    raise ParameterError(f"{name} must be a format string such as '{{:,.1f}}' or a callable; "
                         f"got {type(fmt).__name__}")


def format_value(value, float_format: Callable[[float], str]) -> str | None:
    """Text of one value, or None when it is missing."""
    if _is_na(value):
        return None
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        value = float(value)
        if math.isinf(value):
            return "\N{INFINITY}" if value > 0 else "\N{MINUS SIGN}\N{INFINITY}"
        return unsigned_zero(str(float_format(value)))  # -0.3 at "{:.0f}" reads 0
    if isinstance(value, pd.Timestamp) and value == value.normalize() and value.tz is None:
        return value.strftime("%Y-%m-%d")
    return str(value)


def numeric_column(column: pd.Series) -> bool:
    """Whether a column is shown right-aligned: numbers, not booleans (missing values aside)."""
    if pd.api.types.is_bool_dtype(column.dtype):
        return False
    if pd.api.types.is_numeric_dtype(column.dtype):
        return True
    if column.dtype == object:
        present = [v for v in column.tolist() if not _is_na(v)]
        return bool(present) and all(is_number(v) for v in present)
    return False


def header_text(label) -> str:
    """A column label as header text (the levels of a tuple label joined by " / ")."""
    if isinstance(label, tuple):
        return " / ".join(str(part) for part in label if str(part) != "")
    return str(label)
