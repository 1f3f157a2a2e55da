"""Positions of requested cells or series among a served model's rows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._checks import did_you_mean
from talentgap.errors import ParameterError
from talentgap.service.errors import echo

__all__ = ["KeyLookup"]


def _rows_by_value(column: np.ndarray) -> dict[str, np.ndarray]:
    """For each value of one key column, the rows holding it (ascending)."""
    codes, uniques = pd.factorize(column)
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=len(uniques)))[:-1]
    return dict(zip(uniques.tolist(), np.split(order, bounds), strict=True))


class KeyLookup:
    """Find the rows of key-value entries (``{"region": ..., "industry": ...}``).

    Built once per served model, when it is loaded; each request then costs
    one dictionary lookup per entry that gives every key column, and an
    intersection of a few row lists per entry that gives only some of them.
    Key values are compared as text, so ``{"code": 7}`` finds the code
    ``"7"``.

    An entry that gives every key column names one row. An entry that gives
    only some of them (``{"skill_level": "high_skilled"}`` when the keys are
    ``region, industry, skill_level``) selects every row with those values,
    in the model's order. Rows come in the order of the entries, each row
    once (where it is first selected).

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
    >>> values = np.array([["North", "high"], ["North", "low"], ["South", "high"]],
    ...                   dtype=object)
    >>> lookup = KeyLookup(["region", "level"], values, what="cells")
    >>> lookup.rows_of([{"region": "South", "level": "high"}]).tolist(), len(lookup)
    ([2], 3)
    >>> lookup.rows_of([{"level": "high"}, {"region": "North"}]).tolist()
    [0, 2, 1]
    """

    def __init__(self, keys: Sequence[str], values: np.ndarray, *, what: str) -> None:
        self.keys = list(keys)
        self.values = values
        self.what = what
        self._row_of = {tuple(row): i for i, row in enumerate(values.tolist())}
        #: per key column: value -> rows holding it (for entries giving some keys only)
        self._by_key = ({key: _rows_by_value(values[:, j]) for j, key in enumerate(self.keys)}
                        if len(self.keys) > 1 else {})

    def __len__(self) -> int:
        return len(self.values)

    def _entry_rows(self, given: dict) -> np.ndarray:
        """Rows of one entry (empty when none matches)."""
        if len(given) == len(self.keys):
            row = self._row_of.get(tuple(given[k] for k in self.keys), -1)
            return np.array([row] if row >= 0 else [], dtype=np.int64)
        parts = sorted((self._by_key[k].get(v, np.empty(0, dtype=np.int64))
                        for k, v in given.items()), key=len)
        rows = parts[0]
        for part in parts[1:]:
            rows = np.intersect1d(rows, part, assume_unique=True)
        return rows.astype(np.int64)

    def _suggestion(self, given: dict) -> str:
        """``"; region 'Amberfeld' is not one of the model's (did you mean 'Amberfield'?)"``
        for the first value of ``given`` that its column does not have, else ``""``."""
        for key, value in given.items():
            known = np.unique(self.values[:, self.keys.index(key)].astype(str))
            if value in set(known.tolist()):
                continue
            return f"; {key} {echo(value)!r} is not one of the model's" + did_you_mean(
                value, known)
        return ""

    def rows_of(self, entries: list[dict] | None, field: str = "cells") -> np.ndarray:
        """Positions of the requested entries' rows among the model's (all when None).

        Parameters
        ----------
        entries : list of dict or None
            Each a ``{key column: value}`` giving all or some of the key
            columns.
        field : str
            The request field that holds the entries (messages name it).

        Returns
        -------
        numpy.ndarray of int64
            Row positions, in the order of the entries, each row once.

        Raises
        ------
        ParameterError
            An entry gives no key column, a column that is not a key (named,
            with the closest key column), or no value; or selects no row of
            the model (the message gives the first one, and for a value no
            row has, the closest value the column has).
        """
        if entries is None:
            return np.arange(len(self))
        keys, wanted = self.keys, set(self.keys)
        asked: list[dict] = []
        for i, entry in enumerate(entries):
            foreign = [] if not isinstance(entry, dict) else sorted(entry.keys() - wanted)
            if foreign:
                raise ParameterError(
                    f"{field}: each entry must give the key columns {keys}, all or some; "
                    f"entry {i} gives {echo(foreign[0])!r}, not a key column"
                    f"{did_you_mean(foreign[0], keys)}")
            if (not isinstance(entry, dict) or not entry
                    or any(v is None for v in entry.values())):
                raise ParameterError(
                    f"{field}: each entry must give the key columns {keys}, all of them (one "
                    f"{self.what.removesuffix('(s)')}) or some (every one with those values)")
            asked.append({k: str(entry[k]) for k in keys if k in entry})
        found = [self._entry_rows(given) for given in asked]
        sizes = np.fromiter((part.size for part in found), dtype=np.int64, count=len(found))
        unknown = sizes == 0
        if unknown.any():
            first = asked[int(unknown.argmax())]
            raise ParameterError(f"{field}: {int(unknown.sum())} requested {self.what} are not "
                                 f"in the model, e.g. {({k: echo(v) for k, v in first.items()})}"
                                 f"{self._suggestion(first)}; GET /v1/model lists them")
        rows = np.concatenate(found)
        _, first_seen = np.unique(rows, return_index=True)
        return rows[np.sort(first_seen)]
