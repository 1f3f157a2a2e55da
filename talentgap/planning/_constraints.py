"""The constraints a plan reports, as a table: :attr:`QuotaPlan.constraints`.

Both plan builders (one period, :mod:`talentgap.planning._plan_tables`; several
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
    e.g. ``"expected shortfall"``); it is the same on every row. ``labels``
    are the columns that say, as data, which cell (or programme) and period a
    row is about (the plan's key columns, and ``period`` for a plan over
    several funding periods): they follow :data:`CONSTRAINT_COLUMNS`, missing
    on rows about no one cell or period (a budget for the whole plan).

    Examples
    --------
    >>> rows = ConstraintRows("expected shortfall", labels=("region", "industry"))
    >>> rows.add("budget", ["budget"], ["budget"], binds=True, limit=1000.0, used=990.0,
    ...          unit="money", value=0.002, sentence=["budget is fully used: ..."])
    >>> at = pd.DataFrame({"region": ["N"], "industry": ["textiles"]})
    >>> rows.add("capacity", ["capacity[textiles in N]"], ["capacity of textiles in N"],
    ...          binds=True, limit=10.0, used=10.0, unit="places", value=0.5,
    ...          sentence=["..."], at=at)
    >>> rows.frame()[["kind", "binds", "limit", "value", "region", "industry"]]
           kind  binds   limit  value region  industry
    0    budget   True  1000.0  0.002    NaN       NaN
    1  capacity   True    10.0  0.500      N  textiles
    """

    def __init__(self, objective: str, labels=()) -> None:
        self.objective = objective
        self.labels = list(labels)
        self._blocks: list[dict] = []

    def add(self, kind: str, name, words, *, binds, limit=np.nan, used=np.nan, unit: str = "",
            value=np.nan, sentence, at: pd.DataFrame | None = None) -> None:
        """Add one block of rows; scalars are repeated over the block's ``name`` list.

        ``at`` (one row per name) gives the block's :attr:`labels` it has,
        e.g. the cell of each capacity row or the period of a budget row.
        """
        n = len(name)
        if n == 0:
            return
        given = {} if at is None else {
            label: at[label].astype(str).to_numpy(dtype=object) for label in self.labels
            if label in at.columns}
        self._blocks.append({
            **{label: given.get(label, np.full(n, None, dtype=object))
               for label in self.labels},
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
        """The rows in the order added: :data:`CONSTRAINT_COLUMNS`, then the labels."""
        columns = {}
        for column in [*CONSTRAINT_COLUMNS, *self.labels]:
            text = column in _TEXT or column in self.labels
            parts = [np.asarray(block[column], dtype=object if text else None)
                     for block in self._blocks]
            if text:
                data = np.concatenate(parts) if parts else np.zeros(0, dtype=object)
            elif column in _NUMBERS:
                data = np.concatenate(parts).astype(np.float64) if parts else np.zeros(0)
            else:
                data = np.concatenate(parts).astype(bool) if parts else np.zeros(0, dtype=bool)
            columns[column] = data
        return pd.DataFrame(columns)
