"""Dates outside the years pandas holds timestamps for (1677-09-22 to 2262-04-11).

Such a date (``"2300-01-01"``, ``"0001-01-01"``, ``"9999-12-31"``) cannot
become a nanosecond timestamp, so period parsing tells it apart, keeps its
month, and refuses it with the period label to write instead (``"2300Q1"``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["in_range", "months_since_1970", "far_date_message"]


def in_range(stamps: pd.DatetimeIndex) -> np.ndarray:
    """Which timestamps (of any unit) pandas can hold in nanoseconds, 1677-09-21 00:12:43
    to 2262-04-11 23:47:16."""
    return np.asarray((stamps >= pd.Timestamp.min) & (stamps <= pd.Timestamp.max), dtype=bool)


def months_since_1970(stamps: pd.DatetimeIndex) -> np.ndarray:
    """Months since January 1970 of timestamps of any unit (no nanosecond conversion)."""
    return ((np.asarray(stamps.year, dtype=np.int64) - 1970) * 12
            + np.asarray(stamps.month, dtype=np.int64) - 1)


def far_date_message(shown: str, months: int, declared: str) -> str:
    """Why a date outside pandas' timestamp range fails, with the label of its period.

    Examples
    --------
    >>> message = far_date_message("'2300-01-01'", (2300 - 1970) * 12, "Q")
    >>> message.split(", the dates")[0]
    "period '2300-01-01' is a date outside 1677-09-22 to 2262-04-11"
    >>> message.split("; ")[1]
    "write its period as a label instead, e.g. '2300Q1'"
    """
    label = pd.Period(ordinal=int(months), freq="M").asfreq(declared)
    return (f"period {shown} is a date outside {pd.Timestamp.min.ceil('D'):%Y-%m-%d} to "
            f"{pd.Timestamp.max:%Y-%m-%d}, the dates pandas can hold; write its period as a "
            f"label instead, e.g. '{label}'")
