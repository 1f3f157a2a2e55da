"""Reading the workforce tables (employment, skilled stock) as counts per cell and period.

The private helpers the employment projection, the skilled-stock projection
and the exit-rate estimate share: a table's key and count columns with its
period ordinals, and a table by ``skill_level`` summed per cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.features.skill_levels import skilled_employment
from talentgap.planning._tables import counts, period_column_ordinals, require, require_unique

__all__: list[str] = []  # private helpers of the workforce modules

_MAX_SHOWN = 5


def _prepare(table, what: str, keys: list[str], columns: list[str], *,
             unique: bool = True) -> tuple[pd.DataFrame, np.ndarray, str]:
    """``keys`` and ``columns`` (floats) with the period ordinals and frequency code."""
    table = require(table, what, [*keys, "period", *columns], keys)
    ordinals, code = period_column_ordinals(table["period"], what)
    frame = pd.DataFrame({k: table[k].reset_index(drop=True) for k in keys})
    for column in columns:
        frame[column] = counts(table, column, what, keys)
    if unique:
        codes = frame[keys].copy()
        codes["_ordinal"] = ordinals
        require_unique(table, [*keys, "period"], what, codes=codes)
    return frame, ordinals, code


def _by_cell(table: pd.DataFrame, skill_levels, keys: list[str]) -> pd.DataFrame:
    """A table by skill level summed per cell and period, skilled counts derived."""
    if skill_levels is None or "skill_level" not in table.columns:
        return table
    return skilled_employment(table, skill_levels=skill_levels, keys=keys)
