"""Integer group codes for key columns plus period, the basis of every vectorised sum.

Rows are mapped to one ``int64`` code per (key values, period) combination
with a mixed-radix number built from each column's category codes, so
per-group sums are single :func:`numpy.bincount` calls and no Python loop
runs over groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["GroupIndex", "group_rows", "group_sum"]


@dataclass(frozen=True)
class GroupIndex:
    """Groups found in a table.

    Attributes
    ----------
    codes : numpy.ndarray of int64
        Group number (0..n_groups-1) of every row.
    n_groups : int
        Number of distinct groups present.
    frame : pandas.DataFrame
        One row per group, in group-number order, with the key columns (same
        dtypes as the input: categoricals stay categoricals) and the period.
    """

    codes: np.ndarray
    n_groups: int
    frame: pd.DataFrame


def _column_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index | pd.Categorical]:
    """Dense codes 0..k-1 for one column and what each code stands for."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(dtype=np.int64), values.cat.categories
    if isinstance(values.dtype, pd.PeriodDtype):
        ordinals = values.array.asi8
        first = ordinals.min()
        span = ordinals.max() - first + 1
        periods = pd.period_range(pd.Period(ordinal=first, freq=values.dtype.freq),
                                  periods=span, freq=values.dtype.freq)
        return ordinals - first, periods
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), pd.Index(uniques)


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
    >>> groups.codes.tolist(), groups.frame["region"].tolist()
    ([1, 0, 1], ['a', 'b'])
    """
    code = np.zeros(len(df), dtype=np.int64)
    labels, sizes = [], []
    for name in columns:
        column_codes, values = _column_codes(df[name])
        code = code * len(values) + column_codes
        labels.append(values)
        sizes.append(len(values))
    total = int(np.prod(sizes, dtype=np.float64)) if sizes else 1
    if total <= max(4 * len(df), 1 << 20):
        present = np.flatnonzero(np.bincount(code, minlength=total))
        if present.size == total:  # every combination occurs: the code is the group
            codes = code
        else:
            lookup = np.full(total, -1, dtype=np.int64)
            lookup[present] = np.arange(present.size)
            codes = lookup[code]
    else:  # sparse combinations: sort instead of a dense lookup table
        present, codes = np.unique(code, return_inverse=True)
    frame = {}
    remainder = present
    for name, values, size in zip(columns[::-1], labels[::-1], sizes[::-1], strict=True):
        remainder, digit = np.divmod(remainder, size)
        column = df[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            frame[name] = pd.Categorical.from_codes(digit, dtype=column.dtype)
        else:
            frame[name] = values.take(digit)
    ordered = {name: frame[name] for name in columns}
    return GroupIndex(codes=codes, n_groups=int(present.size), frame=pd.DataFrame(ordered))


def group_sum(codes: np.ndarray, n_groups: int, values: np.ndarray | None = None) -> np.ndarray:
    """Per-group sums of ``values`` (counts when ``values`` is None), as float64.

    Examples
    --------
    >>> import numpy as np
    >>> group_sum(np.array([0, 1, 1]), 2, np.array([1.0, 2.0, 3.0])).tolist()
    [1.0, 5.0]
    """
    return np.bincount(codes, weights=values, minlength=n_groups).astype(np.float64, copy=False)
