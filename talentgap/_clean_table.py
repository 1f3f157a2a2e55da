"""The clean table :func:`talentgap.schema.validate` returns: kept rows, canonical dtypes.

Once every rule has been checked, :func:`assemble` builds the table of the
rows that passed from the values the checks converted: counts as ``int64``,
weights as ``float64``, keys and ids as categoricals holding only the
categories the kept rows use, and columns outside the schema as they came.
Every column is a new array, so the clean table never shares memory with the
input.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._tables import TableSchema

__all__ = ["assemble"]


def assemble(df: pd.DataFrame, schema: TableSchema, converted: dict, numbers: dict,
             kept: np.ndarray, allowed: dict,
             complete: frozenset[str] = frozenset()) -> pd.DataFrame:
    """The kept rows with canonical dtypes, in the input's column order.

    Every column is a new array (the clean table never shares memory with
    the input), and the frame is built without consolidating the columns
    into 2-D blocks (one copy per column, not two). ``complete`` names key
    columns whose every category is the value of some input row (categories
    made from the distinct values present): with every row kept, none is
    unused, so their codes are not counted again.
    """
    everything = bool(kept.all())
    positions = slice(None) if everything else np.flatnonzero(kept)

    def take(values):
        return values.copy() if everything else values[positions]

    out = {}
    for name in df.columns:
        if name not in schema.names:
            out[name] = take(df[name].array)
        elif schema.column(name).kind == "count":
            out[name] = numbers[name][positions].astype(np.int64)  # always a new array
        elif schema.column(name).kind == "weight":
            out[name] = take(numbers[name])
        elif name in allowed:
            out[name] = take(converted[name])
        else:  # categories: the values of the kept rows only
            out[name] = take(converted[name])
            if schema.column(name).kind in ("id", "key") and not (everything
                                                                  and name in complete):
                out[name] = _drop_unused(out[name])
    index = df.index if everything else df.index[positions]
    return pd.DataFrame(out, index=index, copy=False)


def _drop_unused(values: pd.Categorical) -> pd.Categorical:
    """``remove_unused_categories`` without sorting the codes (a count per category)."""
    codes = values.codes
    n_categories = len(values.categories)
    used = np.zeros(n_categories + 1, dtype=bool)  # the last slot stands for code -1
    used[codes] = True
    used = used[:-1]
    if used.all():
        return values
    renumber = np.append(np.cumsum(used) - 1, -1).astype(codes.dtype)
    renumber[:-1][~used] = -1
    dtype = _subset_dtype(values.categories[used], values.ordered)
    return pd.Categorical.from_codes(renumber[codes], dtype=dtype, validate=False)


def _subset_dtype(categories: pd.Index, ordered: bool) -> pd.CategoricalDtype:
    """The categorical dtype of ``categories``, a subset of a dtype's categories.

    Those are distinct already, so pandas' fast path (also taken by its own
    ``remove_unused_categories``) skips hashing every label again.
    """
    fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    if fast is None:
        return pd.CategoricalDtype(categories, ordered=ordered)
    return fast(categories, ordered)
