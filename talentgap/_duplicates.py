"""Rows that share a key: the uniqueness rules behind :func:`talentgap.schema.validate`.

A table's row key (for surveys ``enterprise_id, period`` and the detail
columns present) must identify one row (rule ``duplicate_key``), and a
table whose rows are summed must not repeat a row (rule ``duplicate_row``).
Rows are compared through integer codes (category codes, period ordinals,
factorized labels) combined into one ``int64`` per row, never as boxed
Python values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._checks import FailureLog

__all__ = ["check_unique"]


def _integer_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """The same rows as integer codes per column: equal values, equal codes.

    ``DataFrame.duplicated`` on a Period column boxes every value into a
    Python object; comparing ordinals (and category codes, factorized
    labels) finds the same duplicates without that cost.
    """
    return pd.DataFrame({name: _column_codes(frame[name]) for name in frame.columns},
                        index=frame.index)


def _column_codes(column: pd.Series) -> np.ndarray:
    if isinstance(column.dtype, pd.PeriodDtype):
        return column.array.asi8
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy()
    return pd.factorize(column, use_na_sentinel=True)[0]


def _combined_code(columns: list[np.ndarray]) -> tuple[np.ndarray, int] | None:
    """One mixed-radix ``int64`` code per row (and the number of possible codes).

    ``None`` when the combinations do not fit in one ``int64``.
    """
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    radix = 1
    for column in columns:
        low, high = int(column.min()), int(column.max())
        width = high - low + 1
        if radix * width >= 1 << 62:  # too many combinations for one int64
            return None
        if radix == 1:
            np.subtract(column, low, out=combined, casting="unsafe")
        else:
            combined += (column.astype(np.int64) - low) * radix
        radix *= width
    return combined, radix


def _repeated_codes(combined: np.ndarray, radix: int) -> np.ndarray:
    """Rows whose code repeats another row's (every copy marked)."""
    n = len(combined)
    if radix <= max(16 * n, 1 << 20):  # one byte per possible code
        counts = np.zeros(radix, dtype=np.uint8)
        counts[combined] = 1
        if np.count_nonzero(counts) == n:  # the usual case: no repeat at all
            return np.zeros(n, dtype=bool)
        counts = np.bincount(combined, minlength=radix)
        return counts[combined] > 1
    order = np.argsort(combined, kind="stable")
    ordered = combined[order]
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return np.zeros(n, dtype=bool)
    marked = np.zeros(n, dtype=bool)
    marked[1:] |= same
    marked[:-1] |= same
    out = np.zeros(n, dtype=bool)
    out[order] = marked
    return out


def _duplicated(codes: pd.DataFrame) -> np.ndarray:
    """Rows whose integer codes repeat another row's (every copy marked)."""
    if codes.empty:
        return np.zeros(0, dtype=bool)
    found = _combined_code([codes[name].to_numpy() for name in codes.columns])
    if found is None:
        return codes.duplicated(keep=False).to_numpy()
    return _repeated_codes(*found)


def check_unique(raw: pd.DataFrame, keys: pd.DataFrame, log: FailureLog,
                 lines: np.ndarray, *, column: str | None = None, hint: str = "") -> None:
    """Rows sharing a key: exact repeats keep their first copy, conflicts are all rejected.

    Only rows whose key values are themselves valid take part. ``column``
    names the failures (default: the key columns joined; ``"*"`` for the
    whole row) and ``hint`` is added to their messages.

    Examples
    --------
    >>> keys = pd.DataFrame({"enterprise_id": ["E1", "E1", "E2"], "period": ["2024"] * 3})
    >>> log = FailureLog(3)
    >>> check_unique(keys.assign(vacancies=[3, 4, 1]), keys, log, np.arange(2, 5))
    >>> cases = log.frame(np.arange(2, 5), keys.index)
    >>> cases["line"].tolist(), cases["rule"].iloc[0]
    ([2, 3], 'duplicate_key')
    >>> print(cases["message"].iloc[0])
    (enterprise_id, period) shared by lines 2, 3 with different values; every copy is rejected, since which one is right is not known
    >>> log = FailureLog(3)
    >>> check_unique(keys, keys, log, np.arange(2, 5))  # line 3 repeats line 2 exactly
    >>> log.frame(np.arange(2, 5), keys.index)[["line", "rule"]].values.tolist()
    [[3, 'duplicate_row']]
    """  # noqa: E501 - a doctest's expected output is one line
    label = ", ".join(keys.columns) if column is None else column
    hint = f"; {hint}" if hint else ""
    unusable = log.bad_in(keys.columns)
    if unusable.any():
        candidates = np.flatnonzero(~unusable)
        codes = _integer_codes(keys)
        shared = _duplicated(codes.iloc[candidates])
    else:  # every row takes part: one combined code straight from the columns
        candidates = np.arange(log.n_rows)
        columns = [_column_codes(keys[name]) for name in keys.columns]
        found = _combined_code(columns) if log.n_rows else None
        shared = (_repeated_codes(*found) if found is not None
                  else _duplicated(_integer_codes(keys)))
        if shared.any():
            codes = _integer_codes(keys)
    if not shared.any():
        return
    shared_positions = candidates[shared]
    repeat = raw.iloc[shared_positions].astype(str).duplicated(keep="first").to_numpy()
    repeat_mask = np.zeros(log.n_rows, dtype=bool)
    repeat_mask[shared_positions[repeat]] = True
    log.add(repeat_mask, label, "duplicate_row", np.full(repeat.sum(), None, dtype=object),
            f"repeats an earlier row exactly; the first copy is kept{hint}")

    rest = shared_positions[~repeat]
    conflict = _duplicated(codes.iloc[rest])
    if not conflict.any():
        return
    positions = rest[conflict]
    group = pd.factorize(pd.MultiIndex.from_frame(keys.iloc[positions]))[0]
    lines_of_group = pd.Series(lines[positions]).groupby(group).agg(
        lambda s: ", ".join(map(str, s))
    )
    shared_by = ", ".join(keys.columns)
    details = np.array([f"({shared_by}) shared by lines {lines_of_group[g]} with different "
                        f"values; every copy is rejected, since which one is right is not "
                        f"known{hint}" for g in group], dtype=object)
    mask = np.zeros(log.n_rows, dtype=bool)
    mask[positions] = True
    log.add(mask, label, "duplicate_key", np.full(positions.size, None, dtype=object), details)
