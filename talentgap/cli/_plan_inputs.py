"""Plan settings that name files: per-cell parameters, budgets per year, other CSV tables.

A ``[plan]`` setting such as ``cost_per_trainee``, ``capacity`` or
``budget`` is a number, or the path of a CSV that gives it per cell (or per
programme, or per year). These helpers read such files, with the key
columns kept as text, and say which setting and file are at fault when a
column is missing or not numeric.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from talentgap.errors import ConfigError

__all__ = ["read_plan_csv", "plan_parameter", "plan_budget"]


def read_plan_csv(path: str, name: str, text_columns: list[str], *,
                  section: str = "plan") -> pd.DataFrame:
    """The CSV file a ``[section] name`` setting names, ``text_columns`` read as text."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"[{section}] {name}: no such file {path}")
    return pd.read_csv(path, dtype={c: str for c in text_columns})


def plan_parameter(value, name: str, id_columns: list[str]):
    """A plan parameter: a number as is, a string as a per-cell (or per-programme) CSV.

    Examples
    --------
    >>> plan_parameter(0.67, "pass_rate", ["region", "industry"])
    0.67
    """
    if value is None or not isinstance(value, str):
        return value
    table = read_plan_csv(value, name, id_columns)
    if name not in table.columns:
        raise ConfigError(f"[plan] {name}: {value} has no column {name!r}; columns are "
                          f"{list(table.columns)}")
    if not np.issubdtype(table[name].dtype, np.number):
        raise ConfigError(f"[plan] {name}: column {name!r} of {value} must be numeric")
    return table


def plan_budget(value):
    """``[plan] budget``: a number, or per year (``{"2026": money}`` or a CSV).

    Examples
    --------
    >>> plan_budget({"2026": 1_000_000.0, "2027": 1_200_000.0})
      period     budget
    0   2026  1000000.0
    1   2027  1200000.0
    """
    if isinstance(value, dict):
        return pd.DataFrame({"period": list(value), "budget": list(value.values())})
    if isinstance(value, str):
        table = read_plan_csv(value, "budget", ["period"])
        if not {"period", "budget"} <= set(table.columns):
            raise ConfigError(f"[plan] budget: {value} needs columns 'period' and 'budget'; "
                              f"columns are {list(table.columns)}")
        return table[["period", "budget"]]
    return value
