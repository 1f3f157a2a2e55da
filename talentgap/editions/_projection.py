"""The workforce projection an edition's plan was made on: its table in the store, and checks.

A multi-year plan with policy targets is funded on a yearly projection per
cell: employment, the skilled (and high-skilled) stock without the plan,
the target shares and the policy need (``policy_need.csv`` of
``talentgap plan``). :meth:`EditionStore.add` keeps that table next to the
edition's forecast (``projection=``), so that the projected stocks can be
compared later with the stocks observed (:func:`talentgap.editions.score_stocks`).

The table ``projections`` was added in schema version 2 of the store; a
store of version 1 gets it (and version 2) the first time an edition is
added, and is read as it is until then: its editions have no projection.
"""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd

from talentgap.errors import EditionError

__all__ = ["PROJECTION_DDL", "PROJECTION_COLUMNS", "has_projections", "check_projection",
           "projection_years", "keys_text"]

#: The table of schema version 2 (one projection per edition, deleted with it).
PROJECTION_DDL = """
CREATE TABLE IF NOT EXISTS projections (
    edition TEXT PRIMARY KEY REFERENCES editions(name) ON DELETE CASCADE,
    keys TEXT NOT NULL,
    first_year INTEGER NOT NULL,
    last_year INTEGER NOT NULL,
    projection BLOB NOT NULL,
    projection_sha256 TEXT NOT NULL
)
"""

#: Columns every stored projection has (persons, per cell and year), besides its keys and
#: ``period``: the projected employment and skilled stock without the plan.
PROJECTION_COLUMNS = ("employment", "projected_stock")


def has_projections(connection: sqlite3.Connection) -> bool:
    """True when the store's file has the ``projections`` table (schema version 2)."""
    return connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                              "name = 'projections'").fetchone() is not None


def projection_years(periods: pd.Series) -> np.ndarray:
    """The years of a projection's ``period`` column (yearly periods or whole numbers).

    Examples
    --------
    >>> projection_years(pd.Series(pd.period_range("2024", periods=2, freq="Y"))).tolist()
    [2024, 2025]
    >>> projection_years(pd.Series([2024, 2025])).tolist()
    [2024, 2025]
    """
    if isinstance(periods.dtype, pd.PeriodDtype):
        if not str(periods.dtype).startswith(("period[Y", "period[A")):
            raise EditionError(f"projection: column 'period' must hold years (yearly periods "
                               f"or whole numbers), got {periods.dtype}")
        return periods.dt.year.to_numpy(dtype=np.int64)
    numbers = pd.to_numeric(periods, errors="coerce")
    bad = numbers.isna() | (numbers != np.floor(numbers))
    if bad.any():
        raise EditionError(f"projection: column 'period' must hold years (yearly periods or "
                           f"whole numbers); {int(bad.sum())} rows do not, e.g. "
                           f"{periods[bad].iloc[0]!r}")
    return numbers.to_numpy(dtype=np.int64)


def check_projection(projection, model_keys: list[str]) -> tuple[list[str], int, int]:
    """The projection's keys and first and last year; an EditionError if it is not one.

    Its keys are the model's keys without ``skill_level`` (the workforce is
    counted per cell over every level); it needs ``period`` (years) and
    :data:`PROJECTION_COLUMNS`, one row per cell and year.

    Examples
    --------
    >>> table = pd.DataFrame({"region": ["A", "A"], "industry": "x", "period": [2024, 2025],
    ...                       "employment": [100.0, 110.0], "projected_stock": [30.0, 31.0]})
    >>> check_projection(table, ["region", "industry", "skill_level"])
    (['region', 'industry'], 2024, 2025)
    >>> check_projection(table.drop(columns="employment"), ["region", "industry"])
    Traceback (most recent call last):
    ...
    talentgap.errors.EditionError: projection: lacks the column(s) ['employment']; ...
    """
    if not isinstance(projection, pd.DataFrame):
        raise EditionError(f"projection must be a DataFrame (the workforce projection per "
                           f"cell and year), got {type(projection).__name__}")
    keys = [k for k in model_keys if k != "skill_level"]
    missing = [c for c in [*keys, "period", *PROJECTION_COLUMNS]
               if c not in projection.columns]
    if missing:
        raise EditionError(f"projection: lacks the column(s) {missing}; it needs the model's "
                           f"keys without skill_level ({keys}), 'period' (years) and "
                           f"{list(PROJECTION_COLUMNS)} (persons), one row per cell and year "
                           "(policy_need.csv of talentgap plan)")
    if projection.empty:
        raise EditionError("projection: the table has no rows")
    years = projection_years(projection["period"])
    repeated = pd.DataFrame({**{k: projection[k].astype(str).to_numpy() for k in keys},
                             "year": years}).duplicated()
    if repeated.any():
        row = projection.loc[repeated.to_numpy()].iloc[0]
        raise EditionError(f"projection: {int(repeated.sum())} rows repeat a cell and year, "
                           f"e.g. ({', '.join(str(row[c]) for c in [*keys, 'period'])}); "
                           "rule: one row per cell and year")
    for column in PROJECTION_COLUMNS:
        values = pd.to_numeric(projection[column], errors="coerce")
        if values.isna().any() or (values < 0).any():
            bad = projection.loc[(values.isna() | (values < 0)).to_numpy()].iloc[0]
            raise EditionError(f"projection: column {column!r} must be persons >= 0; e.g. "
                               f"({', '.join(str(bad[c]) for c in [*keys, 'period'])}): "
                               f"{bad[column]!r}")
    return keys, int(years.min()), int(years.max())


def keys_text(keys: list[str]) -> str:
    """The keys as stored (JSON text)."""
    return json.dumps(list(keys))
