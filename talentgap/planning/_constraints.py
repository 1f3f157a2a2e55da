"""The constraints a plan reports, as a table: :attr:`QuotaPlan.constraints`.

Both plan builders (one period, :mod:`talentgap.planning._plan`; several
funding periods, :mod:`talentgap.planning.multiyear`) describe each
constraint once, as the numbers of one row of this table and the sentence
of :attr:`QuotaPlan.binding` made from the same numbers. The table is what a
program reads; the sentences are what a person reads.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["CONSTRAINT_COLUMNS", "ConstraintRows", "empty_constraints"]

#: Columns of :attr:`QuotaPlan.constraints`, in order.
CONSTRAINT_COLUMNS = ["kind", "name", "words", "binds", "limit", "used", "unit", "value",
                      "objective", "sentence"]
_TEXT = ("kind", "name", "words", "unit", "objective", "sentence")
_NUMBERS = ("limit", "used", "value")


def empty_constraints() -> pd.DataFrame:
    """The constraints table with no rows (its columns and dtypes).

    Examples
    --------
    >>> list(empty_constraints().columns)[:4]
    ['kind', 'name', 'words', 'binds']
    """
    return ConstraintRows("").frame()


class ConstraintRows:
    """Rows of the constraints table, collected in blocks of one kind and made into a frame.

    ``objective`` names what ``value`` is measured in (the plan's objective,
    e.g. ``"expected shortfall"``); it is the same on every row.

    Examples
    --------
    >>> rows = ConstraintRows("expected shortfall")
    >>> rows.add("budget", ["budget"], ["budget"], binds=True, limit=1000.0, used=990.0,
    ...          unit="money", value=0.002, sentence=["budget is fully used: ..."])
    >>> rows.frame()[["kind", "binds", "limit", "used", "value"]]
         kind  binds   limit   used  value
    0  budget   True  1000.0  990.0  0.002
    """

    def __init__(self, objective: str) -> None:
        self.objective = objective
        self._blocks: list[dict] = []

    def add(self, kind: str, name, words, *, binds, limit=np.nan, used=np.nan, unit: str = "",
            value=np.nan, sentence) -> None:
        """Add one block of rows; scalars are repeated over the block's ``name`` list."""
        n = len(name)
        if n == 0:
            return
        self._blocks.append({
            "kind": [kind] * n, "name": list(name), "words": list(words),
            "binds": np.broadcast_to(np.asarray(binds, dtype=bool), n),
            "limit": np.broadcast_to(np.asarray(limit, dtype=np.float64), n),
            "used": np.broadcast_to(np.asarray(used, dtype=np.float64), n),
            "unit": [unit] * n,
            "value": np.broadcast_to(np.asarray(value, dtype=np.float64), n),
            "objective": [self.objective] * n, "sentence": list(sentence),
        })

    @property
    def sentences(self) -> list[str]:
        """The ``sentence`` column: the plan's :attr:`QuotaPlan.binding`."""
        return [line for block in self._blocks for line in block["sentence"]]

    def frame(self) -> pd.DataFrame:
        """The rows in the order added, one column per :data:`CONSTRAINT_COLUMNS`."""
        columns = {}
        for column in CONSTRAINT_COLUMNS:
            parts = [np.asarray(block[column], dtype=object if column in _TEXT else None)
                     for block in self._blocks]
            if column in _TEXT:
                data = np.concatenate(parts) if parts else np.zeros(0, dtype=object)
            elif column in _NUMBERS:
                data = np.concatenate(parts).astype(np.float64) if parts else np.zeros(0)
            else:
                data = np.concatenate(parts).astype(bool) if parts else np.zeros(0, dtype=bool)
            columns[column] = data
        return pd.DataFrame(columns)
