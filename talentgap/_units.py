"""Enterprise-periods: which rows share a sampling unit, and where they disagree.

In the long surveys form an enterprise-period spans several rows (one per
detail), and its enterprise-level columns must be equal on all of them.
:func:`unit_codes` numbers the units (from the :func:`value_codes` of each
column); :func:`log_not_constant` records the rows of a unit whose value of a
column differs (rule ``not_constant``), for :func:`talentgap.schema.validate`
and :func:`talentgap.schema.check_constant`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.periods import NO_PERIOD

__all__ = ["unit_codes", "value_codes", "first_of_unit", "log_not_constant"]


def value_codes(values) -> np.ndarray:
    """Integer codes of one column (-1 for a missing value): equal values, equal codes.

    Examples
    --------
    >>> import pandas as pd
    >>> value_codes(pd.Series(["b", "a", None, "b"])).tolist()
    [0, 1, -1, 0]
    """
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values.dtype, pd.CategoricalDtype):
        return np.asarray(values.codes, dtype=np.int64)
    if isinstance(values.dtype, pd.PeriodDtype):
        ordinals = np.asarray(values.asi8, dtype=np.int64)
        missing = ordinals == NO_PERIOD
        if missing.all():
            return np.full(ordinals.size, -1, dtype=np.int64)
        out = ordinals - ordinals[~missing].min()
        out[missing] = -1
        return out
    return pd.factorize(values, use_na_sentinel=True)[0].astype(np.int64)


def unit_codes(frame: pd.DataFrame) -> np.ndarray:
    """Dense codes 0..k-1 of the combinations of ``frame``'s columns (-1 if any is missing).

    Used with ``frame = table[["enterprise_id", "period"]]``: the
    enterprise-period (the sampling unit of a period) of every row.

    Examples
    --------
    >>> import pandas as pd
    >>> unit_codes(pd.DataFrame({"e": ["A", "B", "A", None], "p": [1, 1, 1, 2]})).tolist()
    [0, 1, 0, -1]
    """
    combined = np.zeros(len(frame), dtype=np.int64)
    missing = np.zeros(len(frame), dtype=bool)
    for name in frame.columns:
        digit = value_codes(frame[name])
        missing |= digit < 0
        width = int(digit.max()) + 1 if digit.size else 1
        combined *= max(width, 1)
        combined += np.maximum(digit, 0)
    if not missing.any():
        return pd.factorize(combined)[0].astype(np.int64, copy=False)
    codes = np.full(len(frame), -1, dtype=np.int64)
    codes[~missing] = pd.factorize(combined[~missing])[0]
    return codes.astype(np.int64, copy=False)


def first_of_unit(unit: np.ndarray) -> np.ndarray:
    """Position of the first row of each row's unit (a row without a unit: itself).

    Examples
    --------
    >>> import numpy as np
    >>> first_of_unit(np.array([1, 0, 1, -1, 0])).tolist()
    [0, 1, 0, 3, 1]
    """
    n = unit.size
    has_unit = unit >= 0
    if n == 0 or not has_unit.any():
        return np.arange(n)
    first = np.zeros(int(unit.max()) + 1, dtype=np.int64)
    positions = np.flatnonzero(has_unit)[::-1]
    first[unit[positions]] = positions  # the last write is the first row
    return np.where(has_unit, first[np.maximum(unit, 0)], np.arange(n))


def log_not_constant(df: pd.DataFrame, unit: np.ndarray, values, usable: np.ndarray,
                      name: str, log, lines: np.ndarray,
                      first: np.ndarray | None = None) -> None:
    """Record rows of units (enterprise-periods) where column ``name`` takes several values.

    Every row of such a unit whose value is usable fails rule
    ``not_constant``; its message names another line of the unit holding a
    different value. Vectorised: gathers over the rows, Python work only to
    format the failing rows' messages.
    """
    digits = value_codes(values) if not isinstance(values, np.ndarray) else values
    with np.errstate(invalid="ignore"):
        first = first_of_unit(unit) if first is None else first
        if not (digits != digits[first]).any():
            return  # every row equals its unit's first row (one gather, one comparison)
    valid = usable & (unit >= 0)
    if isinstance(values, pd.Categorical):
        valid &= digits >= 0
    elif digits.dtype.kind == "f":
        valid &= ~np.isnan(digits)
    rows = np.flatnonzero(valid)
    if rows.size == 0:
        return
    n_units = int(unit.max()) + 1
    of_row = unit[rows]
    head = np.full(n_units, -1, dtype=np.int64)  # first usable row of each unit
    head[of_row[::-1]] = rows[::-1]
    differs = digits[rows] != digits[head[of_row]]
    if not differs.any():
        return
    other = np.full(n_units, -1, dtype=np.int64)  # first row differing from the head
    odd = rows[differs]
    other[unit[odd][::-1]] = odd[::-1]
    failing = rows[other[of_row] >= 0]
    owner = unit[failing]
    partner = np.where(digits[failing] != digits[head[owner]], head[owner], other[owner])
    raw = df[name].to_numpy(dtype=object)
    details = np.array([
        f"{raw[r]} here, but line {lines[p]} of the same enterprise-period holds {raw[p]}"
        for r, p in zip(failing.tolist(), partner.tolist(), strict=True)
    ], dtype=object)
    mask = np.zeros(len(df), dtype=bool)
    mask[failing] = True
    log.add(mask, name, "not_constant", raw[failing], details)


