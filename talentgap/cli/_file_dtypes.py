"""The column types of the output files that scripts read back: one place for all tables.

A nightly job reading ``target_path.parquet`` or ``plan_regions.parquet``
relies on the types of their columns as much as on their names: the
region key is categorical in every per-region table (as in ``quotas``,
``plan_cells`` and ``forecast``), and a year is an integer (``2029``, not
``2029.0``). The tables are built by several functions; :func:`file_dtypes`
sets these types once, on the tables as they are written, so a builder that
concatenates or fills rows cannot change them.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["KEYED_TABLES", "INTEGER_COLUMNS", "file_dtypes"]

#: The tables whose key columns are written categorical (the key columns they hold of the
#: workforce's keys: the ``[data] keys`` without ``skill_level``, which in the target paths
#: is the target's level, written as text).
KEYED_TABLES = ("plan_regions", "policy_need", "target_path", "target_path_national")

#: Columns written as integers, missing where a row has none (pandas ``Int64``).
INTEGER_COLUMNS = {"target_path": ("target_year",)}


def file_dtypes(tables: dict[str, pd.DataFrame], keys) -> dict[str, pd.DataFrame]:
    """The run's tables with the column types their files promise.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        The tables by file name (``target_path``, ``plan_regions``, ...).
    keys : sequence of str
        The ``[data] keys``; ``skill_level`` among them is left as it is.

    Returns
    -------
    dict of str to pandas.DataFrame
        The same tables, in the same order: in :data:`KEYED_TABLES` the key
        columns categorical, and the :data:`INTEGER_COLUMNS` as pandas
        ``Int64`` (a whole number, or missing). The input frames are not
        changed; tables that need no change are returned as they are.

    Raises
    ------
    TypeError
        When a column of :data:`INTEGER_COLUMNS` holds a value that is not a
        whole number (a bug in the table's builder, not a user's input).

    Examples
    --------
    >>> import numpy as np
    >>> path = pd.DataFrame({"region": ["A", "B"], "skill_level": "skilled",
    ...                      "target_year": [2029.0, np.nan]})
    >>> out = file_dtypes({"target_path": path}, ["region", "skill_level"])["target_path"]
    >>> out.dtypes.astype(str).to_dict()
    {'region': 'category', 'skill_level': 'str', 'target_year': 'Int64'}
    >>> print(out.to_csv(index=False).strip())
    region,skill_level,target_year
    A,skilled,2029
    B,skilled,
    """
    key_columns = [k for k in keys if k != "skill_level"]
    out = {}
    for name, frame in tables.items():
        change = {}
        if name in KEYED_TABLES:
            change.update({k: frame[k].astype("category") for k in key_columns
                           if k in frame.columns
                           and not isinstance(frame[k].dtype, pd.CategoricalDtype)})
        for column in INTEGER_COLUMNS.get(name, ()):
            if column in frame.columns and frame[column].dtype != "Int64":
                change[column] = pd.to_numeric(frame[column]).astype("Int64")
        out[name] = frame.assign(**change) if change else frame
    return out
