"""Group codes of the key columns of long tables.

A long table names its series (or cells) by explicit key columns. Vectorised
code works on one integer *code* per row instead: :func:`series_codes` numbers
the distinct key combinations of a table, and :func:`codes_in` finds those
numbers for the rows of another table.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"region": ["South", "North", "South"], "value": [1.0, 2.0, 3.0]})
>>> codes, ids = series_codes(df, ["region"])
>>> codes.tolist(), ids["region"].tolist()
([1, 0, 1], ['North', 'South'])
>>> codes_in(pd.DataFrame({"region": ["South", "East"]}), ["region"], ids).tolist()
[1, -1]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap.errors import SchemaError

__all__ = ["series_codes", "codes_in", "key_values_text"]


def series_codes(df: pd.DataFrame, keys: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Number the series of a long table by their key values.

    Parameters
    ----------
    df : pandas.DataFrame
        Long table holding the key columns.
    keys : sequence of str
        Columns identifying a series; empty for a table of one series.

    Returns
    -------
    codes : numpy.ndarray of int64
        The series number of each row: the position of its key values in
        ``ids``.
    ids : pandas.DataFrame
        One row per series with its key values, sorted by the keys (a
        categorical key in its category order), with the dtypes of ``df``
        (categorical keys stay categorical with the same categories). With
        no keys, one row and no columns.

    Raises
    ------
    SchemaError
        If a key column has missing values.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"region": ["b", "a", "b"], "industry": ["x", "y", "x"]})
    >>> codes, ids = series_codes(df, ["region", "industry"])
    >>> codes.tolist()
    [1, 0, 1]
    >>> ids
      region industry
    0      a        y
    1      b        x
    >>> series_codes(df, [])[0].tolist()
    [0, 0, 0]
    """
    keys = list(keys)
    if not keys:
        return np.zeros(len(df), dtype=np.int64), pd.DataFrame(index=range(1))
    missing = [k for k in keys if df[k].isna().any()]
    if missing:
        raise SchemaError(f"key columns {missing} have missing values", column=missing[0],
                          reason="missing_value")
    codes = df.groupby(keys, sort=True, observed=True).ngroup().to_numpy().astype(np.int64)
    first = np.unique(codes, return_index=True)[1]
    ids = df[keys].iloc[first].reset_index(drop=True)
    return codes, ids


def codes_in(df: pd.DataFrame, keys: Sequence[str], ids: pd.DataFrame) -> np.ndarray:
    """The series number (row of ``ids``) of each row of another table.

    Parameters
    ----------
    df : pandas.DataFrame
        Table holding the key columns.
    keys : sequence of str
        The key columns, as given to :func:`series_codes`.
    ids : pandas.DataFrame
        The series of :func:`series_codes`.

    Returns
    -------
    numpy.ndarray of int64
        Row of ``ids`` with the same key values; -1 for key values that are
        not in ``ids``.

    Examples
    --------
    >>> import pandas as pd
    >>> ids = pd.DataFrame({"region": ["a", "b"]})
    >>> codes_in(pd.DataFrame({"region": ["b", "c", "a"]}), ["region"], ids).tolist()
    [1, -1, 0]
    """
    keys = list(keys)
    if not keys:
        return np.zeros(len(df), dtype=np.int64)
    right = ids.assign(_code=np.arange(len(ids), dtype=np.float64))
    merged = df[keys].merge(right, on=keys, how="left", sort=False)
    return np.nan_to_num(merged["_code"].to_numpy(dtype=np.float64, na_value=np.nan),
                         nan=-1).astype(np.int64)


def key_values_text(ids: pd.DataFrame, rows=None, *, limit: int = 3) -> str:
    """Series (or cells) in words for messages: ``"North / textiles and South / textiles"``.

    Each row's key values joined by ``" / "`` (in column order), at most
    ``limit`` of them, the last two joined by "and"; never a Python repr of a
    dict or tuple.

    Parameters
    ----------
    ids : pandas.DataFrame
        Key columns, one row per series.
    rows : array-like of int, optional
        Row positions to name (default: all).
    limit : int, default 3
        The most rows named.

    Returns
    -------
    str

    Examples
    --------
    >>> ids = pd.DataFrame({"region": ["North", "South", "East"],
    ...                     "industry": ["textiles", "textiles", "robots"]})
    >>> key_values_text(ids, [0, 1])
    'North / textiles and South / textiles'
    >>> key_values_text(ids, limit=2)
    'North / textiles, South / textiles and 1 more'
    """
    frame = ids if rows is None else ids.iloc[np.asarray(rows, dtype=np.int64)]
    names = [" / ".join(str(v) for v in values)
             for values in frame.astype(object).itertuples(index=False, name=None)]
    shown, more = names[:limit], len(names) - min(len(names), limit)
    if not shown:
        return ""
    if more:
        return ", ".join(shown) + f" and {more} more"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
