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

__all__ = ["check_unique", "resent_periods"]


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


def _written(rows: pd.DataFrame) -> pd.DataFrame:
    """Each cell as written, spaces around it dropped (Unicode ones, U+3000, too).

    Validation reads a value the same with or without them (``" 28\u3000"`` is
    28), so copies of a row that differ only there are one row entered twice.
    A whole number parsed as a float is written as the integer: a blank line
    makes pandas read a file's whole column as floats, so the same ``28`` is
    ``28.0`` in one file of a folder and ``28`` in another. Only rows that
    share a key come here, so the cells are few.
    """
    def cell(value) -> str:
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    return rows.map(cell)


def _differing(rows: pd.DataFrame, group: np.ndarray, read) -> list[str]:
    """Per group of ``rows``, the columns whose written text differs, in words.

    A column the table reads (in ``read``) is one written two ways that mean
    the same (``30`` and ``30.0``); any other is not read at all.
    """
    varies = _written(rows).groupby(group).nunique().gt(1)
    out = []
    for flags in varies.itertuples(index=False):  # one per group of copies: a few
        names = [name for name, flag in zip(varies.columns, flags, strict=True) if flag]
        other = [repr(str(name)) for name in names if name not in read]
        own = [repr(str(name)) for name in names if name in read]
        words = []
        if other:
            noun = "column" if len(other) == 1 else "columns"
            words.append(f"{noun} {', '.join(other)}, which the table does not read")
        if own:
            words.append(f"how {', '.join(own)} {'is' if len(own) == 1 else 'are'} written")
        out.append(" and ".join(words) or "how they are written")
    return out


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
    # the columns read compare as read (a period written "2023-Q4" or "2023Q4" is one
    # period), the others as written
    # (for a row key; rows compared whole keep their rule: written otherwise, refused)
    unread = [c for c in raw.columns if column == "*" or c not in keys.columns]
    compared = pd.concat([codes.iloc[shared_positions].reset_index(drop=True),
                          _written(raw.iloc[shared_positions][unread]).reset_index(drop=True)
                          .add_prefix("_raw_")], axis=1)
    repeat = compared.duplicated(keep="first").to_numpy()
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
    if column == "*":  # the rows agree on every column read: they differ elsewhere
        differ = _differing(raw.iloc[positions], group, keys.columns)
        details = np.array([f"lines {lines_of_group[g]} hold the same values in every column "
                            f"read ({shared_by}) and differ only in {differ[g]}; every copy "
                            "is rejected, since whether they are one row entered twice or "
                            f"separate rows is not known{hint}" for g in group], dtype=object)
    else:
        details = np.array([f"({shared_by}) shared by lines {lines_of_group[g]} with "
                            "different values; every copy is rejected, since which one is "
                            f"right is not known{hint}" for g in group], dtype=object)
    mask = np.zeros(log.n_rows, dtype=bool)
    mask[positions] = True
    log.add(mask, label, "duplicate_key", np.full(positions.size, None, dtype=object), details)


def resent_periods(whole: pd.DataFrame, kept: np.ndarray, lines: np.ndarray, *, period: str,
                   counts: list[str], table: str = "training", min_single: int = 2,
                   examples: int = 3) -> str | None:
    """Words on periods a series seems to have been sent twice in, or None.

    A series (the rows sharing every column but ``period`` and the
    ``counts``: a programme in a cell) that has exactly one row in every
    other period, at least ``min_single`` of them, but two or more in some
    period, looks like a period re-sent with corrected numbers: its rows are
    kept and added up as separate cohorts (they differ in their numbers, so
    they are no copy), which counts its people twice if one corrects the
    other. Rule ``resent_period``; a warning, not a rejection.

    Parameters
    ----------
    whole : pandas.DataFrame
        The table's columns as read (periods, keys, numbers), one row per input row.
    kept : numpy.ndarray of bool
        The rows that passed validation; only they take part.
    lines : numpy.ndarray
        Input line number of each row.
    period, counts : str, list of str
        The period column and the count columns present.

    Examples
    --------
    >>> rows = pd.DataFrame({"period": pd.PeriodIndex(["2023Q2", "2023Q3", "2023Q4",
    ...                                                "2023Q4"], freq="Q"),
    ...                      "region": "A", "program": "weld", "trained": [10, 11, 12, 12],
    ...                      "certified": [8, 9, 7, 9]})
    >>> print(resent_periods(rows, np.ones(4, bool), np.arange(2, 6), period="period",
    ...                      counts=["trained", "certified"]))  # doctest: +ELLIPSIS
    1 series has 2 or more rows in a period (2023Q4) although it has exactly one in every other
    period (a period re-sent with corrected numbers?), e.g. lines 4, 5 (A, weld, 2023Q4:
    trained 12, 12; certified 7, 9); rule: resent_period. The rows are kept and added up...
    """
    keys = [c for c in whole.columns if c != period and c not in counts]
    rows = np.flatnonzero(kept)
    if rows.size == 0 or not keys:
        return None
    part = whole.iloc[rows]
    codes = _integer_codes(part[keys])
    found = _combined_code([codes[c].to_numpy() for c in keys])
    series = (found[0] if found is not None
              else pd.factorize(pd.MultiIndex.from_frame(codes))[0].astype(np.int64))
    ordinal = _column_codes(part[period]).astype(np.int64)
    frame = pd.DataFrame({"series": series, "ordinal": ordinal})
    size = frame.groupby(["series", "ordinal"], sort=False).size()
    per = size.groupby(level="series", sort=False)
    single, multi = per.agg(lambda n: int((n == 1).sum())), per.agg(lambda n: int((n > 1).sum()))
    suspect = single.index[(single >= min_single) & (multi > 0)
                           & (per.size() == single + multi)]
    if suspect.empty:
        return None
    many = size[size > 1]
    many = many[many.index.get_level_values("series").isin(suspect)]
    flagged = frame.set_index(["series", "ordinal"]).index.isin(many.index)
    groups = frame[flagged].groupby(["series", "ordinal"], sort=False).groups
    shown = []
    for members in list(groups.values())[:examples]:  # a few examples: words per example
        at = rows[np.asarray(members)]
        first = whole.iloc[at[0]]
        label = ", ".join(str(first[c]) for c in [*keys, period] if pd.notna(first[c]))
        values = "; ".join(f"{c} " + ", ".join(str(v) for v in whole[c].iloc[at])
                           for c in counts)
        shown.append(f"lines {', '.join(map(str, lines[at]))} ({label}: {values})")
    n = len(many)
    at = np.unique(many.index.get_level_values("ordinal"))
    named = whole[period].iloc[rows].to_numpy()[np.unique(ordinal, return_index=True)[1]]
    periods = ", ".join(str(p) for p in named[np.isin(np.unique(ordinal), at)][:5])
    return (f"{n} series {'has' if n == 1 else 'have'} 2 or more rows in a period ({periods}"
            f"{', ...' if at.size > 5 else ''}) although "
            f"{'it has' if n == 1 else 'they have'} exactly one in every other period (a "
            f"period re-sent with corrected numbers?), e.g. {'; '.join(shown)}; rule: "
            "resent_period. The rows are kept and added up as separate cohorts, as rows that "
            "differ in their numbers are; if one row corrects another, delete the older row "
            f"from the {table} file (or give separate cohorts a program name that tells them "
            "apart, e.g. 'welding/basic, cohort 2')")
