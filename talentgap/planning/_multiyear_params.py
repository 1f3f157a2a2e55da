"""Plan parameters that may change from one funding period to the next.

In a multi-year plan ``cost_per_trainee``, ``capacity`` and ``min_quota`` are
one number, a per-cell table (key columns and a column named like the
parameter), or a table that also has a ``period`` column: one row per cell
(or programme) and funding period, e.g. places that cost more each year or a
college whose capacity grows. The values are read
per decision ``q[u, s]`` (index ``u * n_funding + s``); a table with
``period`` must cover every unit at every funding period exactly once, and
problems the caller can fix raise :class:`~talentgap.errors.PlanningError`
naming the table, the column, the rule and example rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.errors import PlanningError, SchemaError
from talentgap.periods import normalize_freq, parse_periods
from talentgap.planning._params import (
    cell_names,
    check_range,
    parameter,
    plural,
    shown_value,
)

__all__ = ["by_period", "has_period", "decision_labels", "funding_index"]

_MAX_SHOWN = 5


def has_period(value) -> bool:
    """Whether a parameter is a table with a ``period`` column."""
    return isinstance(value, pd.DataFrame) and "period" in value.columns


def decision_labels(frame: pd.DataFrame, keys, funding: pd.arrays.PeriodArray) -> pd.DataFrame:
    """One plain-language name per decision: ``"textiles in Northvale, 2026"``.

    The names follow :func:`~talentgap.planning._params.cell_names` and are
    built column-wise (no loop over units), in a one-column frame
    ``decision`` for the message helpers.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"region": ["N", "S"], "industry": ["A", "B"]})
    >>> funding = pd.period_range("2026", periods=2, freq="Y").array
    >>> decision_labels(cells, ["region", "industry"], funding)["decision"].tolist()
    ['A in N, 2026', 'A in N, 2027', 'B in S, 2026', 'B in S, 2027']
    """
    keys = list(keys)
    text = {k: frame[k].astype(str).reset_index(drop=True) for k in keys}
    if len(keys) == 1:
        unit = text[keys[0]]
    elif "region" in keys:
        others = [text[k] for k in keys if k != "region"]
        unit = others[0].str.cat(others[1:], sep=" / ") + " in " + text["region"]
    else:
        parts = [f"{k}=" + text[k] for k in keys]
        unit = parts[0].str.cat(parts[1:], sep=", ")
    n_f = len(funding)
    names = (np.repeat(unit.to_numpy(dtype=object), n_f)
             + ", " + np.tile(np.asarray(funding.astype(str), dtype=object), len(frame)))
    return pd.DataFrame({"decision": names})


def by_period(value, name: str, frame: pd.DataFrame, keys, funding: pd.arrays.PeriodArray, *,
              unit: str = "cell", of: str = "the gap forecast") -> np.ndarray:
    """A plan parameter per decision (unit-major, funding period minor), checked.

    Without a ``period`` column the value is read per unit by
    :func:`~talentgap.planning._params.parameter` and repeated over the
    funding periods. With one, the table's other columns are key columns
    (none: the same value for every unit in that period); each unit must
    find exactly one row at each funding period, and each ``period`` must
    be a funding period. The values are checked against the parameter's
    range in :data:`~talentgap.planning._params.PARAMETER_RANGES`.

    Raises
    ------
    PlanningError
        A period that is not a funding period, a unit-period with no row or
        with several rows, a value that is not a number or out of range.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"region": ["N", "N"], "industry": ["A", "B"]})
    >>> funding = pd.period_range("2026", periods=2, freq="Y").array
    >>> table = pd.DataFrame({"industry": ["A", "A", "B", "B"],
    ...                       "period": [2026, 2027, 2026, 2027],
    ...                       "capacity": [10.0, 15.0, 20.0, 25.0]})
    >>> by_period(table, "capacity", cells, ["region", "industry"], funding).tolist()
    [10.0, 15.0, 20.0, 25.0]
    >>> by_period(5.0, "capacity", cells, ["region", "industry"], funding).tolist()
    [5.0, 5.0, 5.0, 5.0]
    """
    keys = list(keys)
    n_u, n_f = len(frame), len(funding)
    if not has_period(value):
        return np.repeat(parameter(value, name, frame, keys, unit=unit, of=of), n_f)
    what = f"the {name} table"
    if name not in value.columns:
        raise PlanningError(f"{what} needs a column named {name!r}; it has "
                            f"{list(value.columns)}")
    key_columns = [c for c in value.columns if c not in (name, "period")]
    unknown = [c for c in key_columns if c not in keys]
    if unknown:
        raise PlanningError(f"{what} has columns {unknown} that are neither keys {keys} nor "
                            f"'period' and {name!r}")
    for column in [*key_columns, "period"]:
        if value[column].isna().any():
            raise PlanningError(f"column {column!r} of {what} has missing values")
    year = funding_index(value["period"], funding, what)
    repeated = value.assign(__year=year).duplicated(subset=[*key_columns, "__year"],
                                                    keep=False).to_numpy()
    if repeated.any():
        rows = np.flatnonzero(repeated)[:_MAX_SHOWN]
        raise PlanningError(
            f"{what} must have at most one row per {unit} and funding period (looked up by "
            f"{[*key_columns, 'period']}); {plural(int(repeated.sum()), 'row')} repeat one, "
            "e.g. " + "; ".join(f"row {i} ({_row_label(value, key_columns, i)})" for i in rows))
    table_index = pd.MultiIndex.from_arrays(
        [value[c].astype(object).to_numpy() for c in key_columns] + [year])
    wanted = pd.MultiIndex.from_arrays(
        [np.repeat(frame[c].astype(object).to_numpy(), n_f) for c in key_columns]
        + [np.tile(np.arange(n_f), n_u)])
    position = table_index.get_indexer(wanted)
    absent = np.flatnonzero(position < 0)
    if absent.size:
        shown = absent[:_MAX_SHOWN]
        names = [f"{c}, {funding[j % n_f]}"
                 for c, j in zip(cell_names(frame, keys, shown // n_f), shown, strict=True)]
        more = f"; and {absent.size - len(shown)} more" if absent.size > len(shown) else ""
        raise PlanningError(
            f"{what} has a 'period' column, so it needs a row for every {unit} of {of} at "
            f"every funding period ({', '.join(str(p) for p in funding)}); "
            f"{plural(absent.size, unit + '-period')} "
            f"{'have' if absent.size != 1 else 'has'} none: {'; '.join(names)}{more} "
            f"(looked up by {[*key_columns, 'period']})")
    raw = value[name].to_numpy()[position]
    values = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan)
    labels = decision_labels(frame, keys, funding)
    bad = np.flatnonzero(np.isnan(values))
    if bad.size:
        shown = bad[:_MAX_SHOWN]
        raise PlanningError(
            f"{name} must be a number for every {unit} and funding period; "
            f"{plural(bad.size, unit + '-period')} {'fail' if bad.size != 1 else 'fails'}, "
            "e.g. " + "; ".join(f"{labels['decision'].iloc[i]}: {shown_value(raw[i])}"
                                for i in shown))
    check_range(values, name, labels, ["decision"], unit=f"{unit}-period")
    return values


def funding_index(column: pd.Series, funding: pd.arrays.PeriodArray, what: str) -> np.ndarray:
    """Funding-period index per row of a table's ``period`` column (must be funding periods).

    ``what`` names the table in messages (``"the budget table"``).

    Examples
    --------
    >>> import pandas as pd
    >>> funding = pd.period_range("2026", periods=3, freq="Y").array
    >>> funding_index(pd.Series([2027, "2026"]), funding, "the budget table").tolist()
    [1, 0]
    """
    try:
        parsed = np.asarray(parse_periods(column, freq=normalize_freq(funding.freqstr))
                            .array.asi8)
    except SchemaError as err:
        raise PlanningError(f"column 'period' of {what}: {err}") from err
    index = np.clip(np.searchsorted(funding.asi8, parsed), 0, len(funding) - 1)
    bad = np.flatnonzero(funding.asi8[index] != parsed)
    if bad.size:
        shown = bad[:_MAX_SHOWN]
        raise PlanningError(
            f"column 'period' of {what} must name funding periods "
            f"({', '.join(str(p) for p in funding)}); {plural(bad.size, 'row')} "
            f"{'do' if bad.size != 1 else 'does'} not, e.g. "
            + "; ".join(f"row {i}: {shown_value(column.iloc[i])}" for i in shown))
    return index


def _row_label(table: pd.DataFrame, key_columns: list[str], i: int) -> str:
    return ", ".join(f"{k}={shown_value(table[k].iloc[i])}" for k in [*key_columns, "period"])
