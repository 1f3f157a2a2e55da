"""Column-wise bilinear forms and row statistics of sparse matrices.

The calibration residual variances (:mod:`talentgap.features._calibrated_variance`)
need, per domain c, ``left_c' M right_c`` for two sparse matrices whose
columns are domains and one small dense ``M`` (categories x categories):
:func:`column_forms` visits only the pairs of non-zero entries of each
column, or goes through ``M @ right`` when the left columns are long.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

__all__ = ["column_forms", "row_max", "weighted_squares"]

_PAIR_VALUES = 1 << 22  # entry pairs per group of columns in column_forms
_BLOCK_VALUES = 1 << 18  # dense values per block of columns in _dense_column_forms


def column_forms(left, matrix: np.ndarray, right) -> np.ndarray:
    """Per column c, ``left_c' matrix right_c`` of two sparse (CSC) matrices.

    Only the pairs of non-zero entries of each column are visited (a cell's
    ``cross`` column has one entry per margin), in groups of columns of at
    most ``_PAIR_VALUES`` pairs; when that is more work than one row of
    ``matrix`` per entry of ``right`` (long columns on the left), through
    ``matrix @ right`` instead.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> left = sparse.csc_matrix(np.array([[1.0, 0.0], [2.0, 3.0]]))
    >>> right = sparse.csc_matrix(np.array([[1.0, 1.0], [0.0, 1.0]]))
    >>> column_forms(left, np.array([[1.0, 2.0], [2.0, 5.0]]), right).tolist()
    [5.0, 21.0]
    """
    d = left.shape[1]
    out = np.zeros(d)
    left, right = sparse.csc_matrix(left), sparse.csc_matrix(right)
    n_left, n_right = np.diff(left.indptr), np.diff(right.indptr)
    pairs = n_left * n_right
    # a pair costs about 15 times a multiplication in matrix @ right: long left columns
    if 15 * pairs.sum() > right.nnz * matrix.shape[1] + 5 * left.nnz:
        return _dense_column_forms(left, matrix, right)
    left.sort_indices()
    right.sort_indices()
    ends = np.cumsum(pairs)
    start = 0
    while start < d:  # groups of whole columns of at most _PAIR_VALUES pairs
        stop = max(start + 1, int(np.searchsorted(
            ends, ends[start] - pairs[start] + _PAIR_VALUES, side="right")))
        columns = np.arange(start, stop)
        count = pairs[columns]
        column = np.repeat(columns, count)
        within = np.arange(column.size) - np.repeat(np.cumsum(count) - count, count)
        i = left.indptr[column] + within // n_right[column]
        j = right.indptr[column] + within % n_right[column]
        value = left.data[i] * matrix[left.indices[i], right.indices[j]] * right.data[j]
        out[start:stop] = np.bincount(column - start, weights=value, minlength=stop - start)
        start = stop
    return out


def _dense_column_forms(left, matrix: np.ndarray, right) -> np.ndarray:
    """:func:`column_forms` through ``matrix @ right`` (dense), in blocks of columns.

    Cheaper when the left columns are long: each entry of ``left`` is one
    product, each entry of ``right`` one row of ``matrix``.
    """
    d = left.shape[1]
    out = np.zeros(d)
    step = max(1, _BLOCK_VALUES // max(matrix.shape[0], 1))
    entries = left.tocoo()
    order = np.argsort(entries.col, kind="stable")
    column, row, value = entries.col[order], entries.row[order], entries.data[order]
    bounds = np.searchsorted(column, np.arange(0, d + step, step))
    transposed = np.ascontiguousarray(matrix.T)
    for number, lo in enumerate(range(0, d, step)):
        hi = min(d, lo + step)
        product = right[:, lo:hi].T @ transposed  # (matrix @ right_c)' per column, dense
        inside = slice(bounds[number], bounds[number + 1])
        local = column[inside] - lo
        out[lo:hi] = np.bincount(local, weights=value[inside] * product[local, row[inside]],
                                 minlength=hi - lo)
    return out


def row_max(matrix, n: int) -> np.ndarray:
    """Largest entry of each row of a sparse matrix of non-negative values (0 if empty)."""
    matrix = sparse.csr_matrix(matrix)
    return matrix.max(axis=1).toarray().ravel() if matrix.shape[1] else np.zeros(n)


def weighted_squares(totals, weight: np.ndarray, d: int) -> np.ndarray:
    """Per column c, ``sum_r weight_r totals_rc^2`` of a sparse matrix."""
    entries = totals.tocoo()
    return np.bincount(entries.col, weights=weight[entries.row] * entries.data ** 2,
                       minlength=d)
