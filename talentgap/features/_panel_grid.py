"""The panel's grid: cells as integer codes, and every cell x period as one slot.

A cell (one combination of key values) is numbered by a mixed-radix integer
whose digits are its key values' codes in categories common to every input
table (:func:`common_categories`, :func:`cell_codes`). The grid holds every
cell x period, cells in code order and periods ascending within each cell, so
a row's slot is ``cell position * n_periods + period step``
(:func:`grid_columns`); values land in their slots with :func:`scatter`.
:func:`talentgap.features.build_panel` builds the panel on this grid.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.features._groups import GroupIndex

__all__ = ["common_categories", "sorted_unique", "cell_codes", "survey_cells", "scatter",
           "grid_columns"]


def common_categories(frames: list[pd.DataFrame], key: str) -> pd.CategoricalDtype:
    """One categorical dtype holding the key values of every frame, sorted.

    Parameters
    ----------
    frames : list of pandas.DataFrame
        Tables with a ``key`` column, categorical or not; of a categorical
        column only the categories in use count.
    key : str
        The key column.

    Returns
    -------
    pandas.CategoricalDtype
        Unordered, its categories the values present in any frame, sorted.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"region": pd.Categorical(["B"], categories=["B", "Z"])})
    >>> b = pd.DataFrame({"region": ["A", "B"]})
    >>> list(common_categories([a, b], "region").categories)
    ['A', 'B']
    """
    values = pd.Index([])
    for frame in frames:
        column = frame[key]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy()
            used = np.bincount(codes[codes >= 0], minlength=len(column.cat.categories)) > 0
            present = column.cat.categories[used]
        else:
            present = pd.Index(column.unique())
        values = values.union(present)
    return pd.CategoricalDtype(values.sort_values())


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` for integers, by sorting (faster than hashing at these sizes).

    Parameters
    ----------
    values : numpy.ndarray
        Integers, one dimension.

    Returns
    -------
    numpy.ndarray
        The distinct values, ascending.

    Examples
    --------
    >>> import numpy as np
    >>> sorted_unique(np.array([3, -1, 3, 0])).tolist()
    [-1, 0, 3]
    """
    values = np.sort(values)
    keep = np.ones(values.size, dtype=bool)
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def cell_codes(frame: pd.DataFrame, keys: list[str],
               dtypes: dict[str, pd.CategoricalDtype]) -> np.ndarray:
    """A mixed-radix integer per row identifying its cell under the common dtypes.

    Rows with a key value outside the common categories get -1 (no cell): a
    code of -1 in one digit would otherwise borrow from the next digit and
    land on another cell.

    Values are looked up in the common categories explicitly:
    ``Series.astype(CategoricalDtype)`` is a no-op when the column's
    unordered categories are the same set in another order (pandas
    considers the dtypes equal), which would keep the old codes.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table with the ``keys`` columns (categorical or not).
    keys : list of str
        The key columns, most significant digit first.
    dtypes : dict of str to pandas.CategoricalDtype
        The common categories of each key (:func:`common_categories`).

    Returns
    -------
    numpy.ndarray
        ``int64``, one code per row of ``frame``; -1 for a row with a key
        value outside the common categories (or missing).

    Examples
    --------
    >>> import pandas as pd
    >>> dtypes = {"region": pd.CategoricalDtype(["A", "B"]),
    ...           "industry": pd.CategoricalDtype(["x", "y", "z"])}
    >>> frame = pd.DataFrame({"region": ["B", "A", "C"], "industry": ["y", "z", "x"]})
    >>> cell_codes(frame, ["region", "industry"], dtypes).tolist()
    [4, 2, -1]
    """
    code = np.zeros(len(frame), dtype=np.int64)
    unknown = np.zeros(len(frame), dtype=bool)
    for key in keys:
        categories = dtypes[key].categories
        column = frame[key]
        if isinstance(column.dtype, pd.CategoricalDtype):
            own = column.cat.codes.to_numpy(dtype=np.int64)
            lookup = np.append(categories.get_indexer(column.cat.categories), -1)
            digit = lookup[own]  # own code -1 (missing) picks the appended -1
        else:
            digit = categories.get_indexer(column).astype(np.int64)
        unknown |= digit < 0
        code = code * len(dtypes[key].categories) + digit
    code[unknown] = -1
    return code


def survey_cells(groups: GroupIndex,
                 keys: list[str]) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """The cells (key combinations) of the survey groups, and where each group sits.

    Groups come sorted by cell, then period, so cells are found by comparing
    neighbours.

    Parameters
    ----------
    groups : GroupIndex
        The groups of the survey rows by ``[*keys, "period"]``
        (:func:`talentgap.features._groups.group_rows`).
    keys : list of str
        The key columns.

    Returns
    -------
    cells : pandas.DataFrame
        One row per cell: its key values.
    groups_per_cell : numpy.ndarray
        The number of groups (surveyed periods) of each cell.
    step : numpy.ndarray
        Each group's period as an offset from the first surveyed period.
    cell_numbers : numpy.ndarray
        Each cell's number among the combinations of the key digits.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.features._groups import group_rows
    >>> rows = pd.DataFrame({"region": ["A", "B", "A"],
    ...                      "period": pd.PeriodIndex(["2024Q1", "2024Q1", "2024Q3"],
    ...                                               freq="Q")})
    >>> cells, per_cell, step, numbers = survey_cells(group_rows(rows, ["region", "period"]),
    ...                                                ["region"])
    >>> cells["region"].tolist(), per_cell.tolist(), step.tolist()
    (['A', 'B'], [2, 1], [0, 2, 0])
    """
    span = len(groups.labels[-1])  # "period" is the last group column
    cell, step = np.divmod(groups.combinations, span)
    new = np.ones(cell.size, dtype=bool)
    np.not_equal(cell[1:], cell[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    first_combination = cell[starts] * span
    cells = pd.DataFrame({k: groups.values(k, groups.digits(k, first_combination))
                          for k in keys})
    return cells, np.diff(starts, append=cell.size), step, cell[starts]


def scatter(values: np.ndarray, position: np.ndarray, size: int) -> np.ndarray:
    """Place ``values`` at ``position`` in an array of ``size``.

    Other slots hold False for booleans, NaN otherwise.

    Parameters
    ----------
    values : numpy.ndarray
        The values, boolean or numeric.
    position : numpy.ndarray
        The slot of each value (distinct integers in ``[0, size)``).
    size : int
        The number of slots.

    Returns
    -------
    numpy.ndarray
        Boolean for boolean ``values``, float otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> scatter(np.array([5.0, 7.0]), np.array([2, 0]), 3).tolist()
    [7.0, nan, 5.0]
    """
    if values.dtype == bool:
        out = np.zeros(size, dtype=bool)
    else:
        out = np.full(size, np.nan)
    out[position] = values
    return out


def grid_columns(cell_ids: np.ndarray, keys: list[str], dtypes: dict,
                 periods: pd.PeriodIndex) -> dict:
    """Every cell x period, cells in code order, periods ascending within each cell.

    Parameters
    ----------
    cell_ids : numpy.ndarray
        The cells' codes (:func:`cell_codes`), ascending and distinct.
    keys : list of str
        The key columns, as for :func:`cell_codes`.
    dtypes : dict of str to pandas.CategoricalDtype
        The common categories of each key.
    periods : pandas.PeriodIndex
        The periods of the grid, ascending.

    Returns
    -------
    dict
        The key columns (categorical) and ``period``, each of length
        ``len(cell_ids) * len(periods)``.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> grid = grid_columns(np.array([0, 2]), ["region"],
    ...                     {"region": pd.CategoricalDtype(["A", "B", "C"])},
    ...                     pd.period_range("2024", periods=2, freq="Y"))
    >>> list(grid["region"]), list(grid["period"].astype(str))
    (['A', 'A', 'C', 'C'], ['2024', '2025', '2024', '2025'])
    """
    n_periods = len(periods)
    columns = {}
    remainder = cell_ids
    for key in reversed(keys):
        size = len(dtypes[key].categories)
        remainder, digit = np.divmod(remainder, size)
        # repeat the codes in the small integer type pandas stores them in
        digit = digit.astype(np.min_scalar_type(-size))
        columns[key] = pd.Categorical.from_codes(np.repeat(digit, n_periods), dtype=dtypes[key],
                                                 validate=False)
    grid = {k: columns[k] for k in keys}
    grid["period"] = pd.PeriodIndex.from_ordinals(
        np.tile(periods.asi8, cell_ids.size), freq=periods.freq
    )
    return grid
