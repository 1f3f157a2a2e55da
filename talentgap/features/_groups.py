"""Integer group codes for key columns plus period, the basis of every vectorised sum.

Rows are mapped to one ``int64`` code per (key values, period) combination
with a mixed-radix number built from each column's category codes, so
per-group sums are single :func:`numpy.bincount` calls and no Python loop
runs over groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

__all__ = ["GroupIndex", "group_rows", "group_sum"]


@dataclass(frozen=True)
class GroupIndex:
    """Groups found in a table.

    Attributes
    ----------
    codes : numpy.ndarray of int64
        Group number (0..n_groups-1) of every row (built on first access).
    n_groups : int
        Number of distinct groups present.
    counts : numpy.ndarray of int64
        Rows in each group.
    frame : pandas.DataFrame
        One row per group, in group-number order, with the key columns (same
        dtypes as the input: categoricals stay categoricals) and the period
        (built on first access).
    columns : list of str
        The grouping columns.
    combinations : numpy.ndarray of int64
        Mixed-radix number of each group's combination of digits (ascending);
        :meth:`digits` decodes it.
    labels : list of pandas.Index
        Per column, the value each digit stands for.
    """

    n_groups: int
    counts: np.ndarray
    columns: list[str]
    combinations: np.ndarray = field(repr=False)
    labels: list = field(repr=False)
    _dtypes: list = field(repr=False)
    # A number per row: its group number, or (when _n_combinations is set,
    # and some combinations do not occur) its combination number.
    _rows: np.ndarray = field(repr=False)
    _n_combinations: int | None = field(repr=False)

    @cached_property
    def codes(self) -> np.ndarray:
        if self._n_combinations is None:
            return self._rows
        return self.map_rows(np.arange(self.n_groups))

    def map_rows(self, slot_of_group: np.ndarray) -> np.ndarray:
        """``slot_of_group[codes]``: a number per row from a number per group.

        One gather over the rows, without building :attr:`codes` first.
        """
        if self._n_combinations is None or "codes" in self.__dict__:
            return slot_of_group[self.codes]
        slot_of_combination = np.zeros(self._n_combinations, dtype=slot_of_group.dtype)
        slot_of_combination[self.combinations] = slot_of_group  # absent ones: no row
        return slot_of_combination[self._rows]

    def map_rows_by_last(self, base: np.ndarray, shift: int = 0) -> np.ndarray | None:
        """``base[c // k] + c % k + shift`` for each row's combination ``c``.

        ``k`` is the number of values of the last column (usually the
        periods), so ``c // k`` numbers the combinations of the other
        columns (the cells) and ``c % k`` is the row's last digit. Per row:
        one division by a constant and a gather from ``base`` (one entry per
        cell, small enough to stay in cache), cheaper than
        :meth:`map_rows` through a table of every combination. ``None``
        when the rows are numbered by group (sparse combinations): use
        :meth:`map_rows` then.
        """
        span = len(self.labels[-1]) if self.labels else 1
        total = int(np.prod([len(values) for values in self.labels], dtype=np.float64))
        if self._n_combinations is None and self.n_groups != total:
            return None  # rows hold group numbers, not combinations
        cell = self._rows // span
        out = base[cell]
        cell *= span
        np.subtract(self._rows, cell, out=cell)  # the last digit
        out += cell
        if shift:
            out += shift
        return out

    def digits(self, name: str, combinations: np.ndarray | None = None) -> np.ndarray:
        """Digit of column ``name`` (its category code, period offset or value rank).

        Decodes ``combinations`` (default: :attr:`combinations`, one per group).
        """
        combinations = self.combinations if combinations is None else combinations
        position = self.columns.index(name)
        radix = 1
        for labels in self.labels[position + 1:]:
            radix *= len(labels)
        return (combinations // radix) % len(self.labels[position])

    def values(self, name: str, digits: np.ndarray) -> pd.Categorical | pd.Index:
        """The values of column ``name`` that ``digits`` stand for, in the column's dtype."""
        position = self.columns.index(name)
        dtype = self._dtypes[position]
        if isinstance(dtype, pd.CategoricalDtype):
            return pd.Categorical.from_codes(digits, dtype=dtype)
        return self.labels[position].take(digits)

    @cached_property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({name: self.values(name, self.digits(name))
                             for name in self.columns})


def _column_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index, int]:
    """Dense codes 0..k-1 for one column, what each code stands for, and an offset.

    The codes are ``raw - offset``; for a Period column ``raw`` is the
    ordinal, returned without copying (the offset is subtracted later, in
    place), for other columns the offset is 0.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), values.cat.categories, 0
    if isinstance(values.dtype, pd.PeriodDtype):
        ordinals = values.array.asi8
        first = int(ordinals.min())
        span = int(ordinals.max()) - first + 1
        periods = pd.period_range(pd.Period(ordinal=first, freq=values.dtype.freq),
                                  periods=span, freq=values.dtype.freq)
        return ordinals, periods, first
    codes, uniques = pd.factorize(values, sort=True)
    return codes, pd.Index(uniques), 0


def group_rows(df: pd.DataFrame, columns: list[str]) -> GroupIndex:
    """Number the groups of ``df`` defined by ``columns``.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; no column in ``columns`` may hold missing values.
    columns : list of str
        Key columns (categorical columns are fastest) and usually ``period``.

    Returns
    -------
    GroupIndex
        Groups are numbered in the sorted order of ``columns``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"region": pd.Categorical(["b", "a", "b"]), "x": [1, 2, 3]})
    >>> groups = group_rows(df, ["region"])
    >>> groups.codes.tolist(), groups.frame["region"].tolist(), groups.counts.tolist()
    ([1, 0, 1], ['a', 'b'], [1, 2])
    """
    code = np.zeros(len(df), dtype=np.int64) if not columns else None  # none: one group
    labels, dtypes = [], []
    for index, name in enumerate(columns):  # in place: one int64 array, no temporaries
        column_codes, values, offset = _column_codes(df[name])
        if index == 0:
            code = column_codes.astype(np.int64)  # a copy: column_codes may be a view
        else:
            code *= len(values)
            code += column_codes
        if offset:
            code -= offset
        labels.append(values)
        dtypes.append(df[name].dtype)
    total = int(np.prod([len(values) for values in labels], dtype=np.float64))
    n_combinations = None
    if total <= max(4 * len(df), 1 << 20):
        counts = np.bincount(code, minlength=total)
        present = np.flatnonzero(counts)
        if present.size < total:  # else every combination occurs: the code is the group
            counts = counts[present]
            n_combinations = total  # group numbers through a lookup table, when asked
    else:  # sparse combinations: sort instead of a dense lookup table
        present, code, counts = np.unique(code, return_inverse=True, return_counts=True)
    return GroupIndex(n_groups=int(present.size), counts=counts.astype(np.int64, copy=False),
                      columns=list(columns), combinations=present, labels=labels,
                      _dtypes=dtypes, _rows=code.astype(np.int64, copy=False),
                      _n_combinations=n_combinations)


def group_sum(codes: np.ndarray, n_groups: int, values: np.ndarray | None = None) -> np.ndarray:
    """Per-group sums of ``values`` (counts when ``values`` is None), as float64.

    Examples
    --------
    >>> import numpy as np
    >>> group_sum(np.array([0, 1, 1]), 2, np.array([1.0, 2.0, 3.0])).tolist()
    [1.0, 5.0]
    """
    return np.bincount(codes, weights=values, minlength=n_groups).astype(np.float64, copy=False)
