"""Positions of requested cells or series among a served model's rows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from talentgap.errors import ParameterError

__all__ = ["KeyLookup"]


class KeyLookup:
    """Find the rows of key-value entries (``{"region": ..., "industry": ...}``).

    Built once per served model; each request then costs one dictionary
    lookup per entry. Key values are compared as text, so ``{"code": 7}``
    finds the code ``"7"``.

    Parameters
    ----------
    keys : sequence of str
        The key columns, in the model's order.
    values : numpy.ndarray of object, shape (n_rows, len(keys))
        The model's key values per row, as text.
    what : str
        How the messages name a row ("cell(s)", "series").

    Examples
    --------
    >>> import numpy as np
    >>> values = np.array([["North"], ["South"]], dtype=object)
    >>> lookup = KeyLookup(["region"], values, what="cells")
    >>> lookup.rows_of([{"region": "South"}]).tolist(), len(lookup)
    ([1], 2)
    """

    def __init__(self, keys: Sequence[str], values: np.ndarray, *, what: str) -> None:
        self.keys = list(keys)
        self.values = values
        self.what = what
        self._row_of = {tuple(row): i for i, row in enumerate(values.tolist())}

    def __len__(self) -> int:
        return len(self.values)

    def rows_of(self, entries: list[dict] | None, field: str = "cells") -> np.ndarray:
        """Positions of the requested entries among the model's rows (all when None).

        Raises
        ------
        ParameterError
            An entry does not give exactly the key columns, or names a row
            the model does not know (the message gives the first one).
        """
        if entries is None:
            return np.arange(len(self))
        keys, wanted = self.keys, set(self.keys)
        try:
            asked = [tuple(entry[k] for k in keys) for entry in entries
                     if entry.keys() == wanted]
        except (AttributeError, TypeError):
            asked = []
        if len(asked) != len(entries) or any(v is None for one in asked for v in one):
            raise ParameterError(f"{field}: each entry must give exactly the key columns {keys}")
        rows = np.fromiter((self._row_of.get(tuple(str(v) for v in one), -1) for one in asked),
                           dtype=np.int64, count=len(asked))
        unknown = rows < 0
        if unknown.any():
            first = dict(zip(keys, (str(v)[:40] for v in asked[int(unknown.argmax())]),
                             strict=True))
            raise ParameterError(f"{field}: {int(unknown.sum())} requested {self.what} are not "
                                 f"in the model, e.g. {first}; GET /v1/model lists them")
        return rows
