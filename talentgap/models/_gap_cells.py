"""Which cells a gap forecast is asked for: positions in ``cells_`` from a table or a list.

:meth:`~talentgap.models.GapForecaster.predict` takes a table of key values
(:func:`rows_of`), :meth:`~talentgap.models.GapForecaster.predict_rows`
positions (:func:`check_rows`); both become positions in the fitted model's
``cells_``, or a :class:`~talentgap.errors.ParameterError` naming the
offending rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap.errors import ParameterError

__all__ = ["rows_of", "check_rows"]


def rows_of(gap, cells: pd.DataFrame) -> np.ndarray:
    """Row of ``gap.cells_`` of each row of ``cells`` (a table with the key columns).

    The look-up index is derived from ``cells_`` on first use and kept on the
    model as ``_lookup`` (a transient attribute: never saved).
    """
    keys = list(gap._fit_param("keys"))
    if not isinstance(cells, pd.DataFrame):
        raise ParameterError(f"cells must be a DataFrame with the key columns {keys}, "
                             f"got {type(cells).__name__}")
    missing = [k for k in keys if k not in cells.columns]
    if missing:
        raise ParameterError(f"cells lacks the key columns {missing}; it needs {keys}")
    lookup = gap.__dict__.get("_lookup")
    if lookup is None:  # derived from cells_, never saved (see _transient_attributes)
        lookup = pd.MultiIndex.from_frame(gap.cells_[keys].astype(object))
        gap._lookup = lookup
    rows = lookup.get_indexer(pd.MultiIndex.from_frame(cells[keys].astype(object)))
    unknown = rows < 0
    if unknown.any():
        examples = cells.loc[unknown, keys].head(3).astype(str).to_dict("records")
        raise ParameterError(f"cells has {int(unknown.sum())} rows for cells the model "
                             f"was not fitted to, e.g. {examples}")
    return rows.astype(np.int64)


def check_rows(rows: Sequence[int] | np.ndarray | None, n: int) -> np.ndarray | None:
    """``rows`` as int64 positions in ``0..n-1`` (None stays None: every cell).

    Examples
    --------
    >>> check_rows([2, 0, 2], 3).tolist()
    [2, 0, 2]
    >>> check_rows([3], 3)
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: rows has 1 positions outside cells_ (0..2), e.g. [3]
    """
    if rows is None:
        return None
    rows = np.asarray(rows)
    if rows.ndim != 1 or (rows.size and rows.dtype.kind not in "iu"):
        raise ParameterError(f"rows must be a 1-D sequence of integer positions in "
                             f"cells_, got shape {rows.shape} of {rows.dtype}")
    rows = rows.astype(np.int64)
    outside = (rows < 0) | (rows >= n)
    if outside.any():
        raise ParameterError(f"rows has {int(outside.sum())} positions outside cells_ "
                             f"(0..{n - 1}), e.g. {rows[outside][:3].tolist()}")
    return rows
