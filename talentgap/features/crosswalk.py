"""The programme -> industry crosswalk table, checked once for every user.

A training programme (e.g. CNC machining) sends its certified graduates to
several industries. The crosswalk ``program, industry, share`` gives the
share of a programme's graduates that goes to each industry; the shares of a
programme sum to 1. Optional *location* columns (e.g. ``region``) let the
shares differ by place; the shares of each programme in each location then
sum to 1. For demand keyed by occupation, a ``program, occupation, share``
crosswalk (:func:`crosswalk_target` tells which) names the occupations each
programme trains for, under the same rules.

:func:`~talentgap.features.training_supply` (spreading training output over
industries) and :func:`~talentgap.planning.allocate_quotas` (planning places
per programme) read the crosswalk through :func:`check_crosswalk`, so a
crosswalk is accepted or refused the same way by both, with one tolerance
(:data:`SHARE_TOLERANCE`) and one error type.

Examples
--------
>>> import pandas as pd
>>> cw = pd.DataFrame({"program": ["welding", "welding", "cnc"],
...                    "industry": ["construction", "equipment", "equipment"],
...                    "share": [0.6, 0.4, 1.0]})
>>> check_crosswalk(cw)["share"].tolist()
[0.6, 0.4, 1.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._checks import FailureLog
from talentgap._words import count_words, rows_fail
from talentgap.errors import ParameterError, SchemaError

__all__ = ["SHARE_TOLERANCE", "CROSSWALK_COLUMNS", "TARGETS", "ROW_NAMES", "crosswalk_target",
           "check_crosswalk"]

#: The shares of a programme must sum to 1 within this (shares typed to six decimals pass).
SHARE_TOLERANCE = 1e-6
#: The columns every crosswalk has.
CROSSWALK_COLUMNS = ("program", "industry", "share")
#: What a programme may feed: industries, or occupations (demand keyed by occupation).
TARGETS = ("industry", "occupation")
_TABLE = "table 'crosswalk'"
_MAX_SHOWN = 5
#: How messages number a crosswalk's rows (``row_names``), and the number of the first row:
#: ``"line"``, its line in a CSV file with a header row (position + 2); ``"item"``, its item
#: in a JSON array (position, from 0), as a service answering a JSON body names it.
ROW_NAMES = {"line": 2, "item": 0}


def _plain(value) -> object:
    """Plain Python scalar for messages (``np.str_('a')`` -> ``'a'``)."""
    return value.item() if isinstance(value, np.generic) else value


def _numbered(rows, row_names: str = "line") -> str:
    """Rows by number, noun agreeing: ``'line 3'``, ``'lines 2, 5'``; ``'items 0, 3'``.

    Examples
    --------
    >>> _numbered([1]), _numbered([0, 3], "item")
    ('line 3', 'items 0, 3')
    """
    numbers = [str(int(i) + ROW_NAMES[row_names]) for i in rows]
    return f"{row_names}{'s' if len(numbers) != 1 else ''} {', '.join(numbers)}"


def _row_text(frame: pd.DataFrame, columns: list[str], i: int, row_names: str = "line") -> str:
    """``line 3 (program='welding', ...)``: lines count as in a CSV file with a header row."""
    values = ", ".join(f"{c}={_plain(frame[c].iloc[i])!r}" for c in columns)
    return f"{_numbered([i], row_names)} ({values})"


def _rows_text(frame: pd.DataFrame, columns: list[str], rows: np.ndarray,
               row_names: str = "line") -> str:
    shown = "; ".join(_row_text(frame, columns, i, row_names) for i in rows[:_MAX_SHOWN])
    more = rows.size - _MAX_SHOWN
    return shown + (f"; and {more} more" if more > 0 else "")


def _raise(problems: list[tuple[str, str, str]], log: FailureLog,
           crosswalk: pd.DataFrame) -> None:
    """One :class:`SchemaError` for the ``(sentence, column, rule)`` problems found."""
    cases = log.frame(np.arange(len(crosswalk), dtype=np.int64) + 2, crosswalk.index)
    sentences = [sentence for sentence, _, _ in problems]
    if len(sentences) == 1:
        message = f"{_TABLE}: {sentences[0]}"
    else:
        message = f"{_TABLE} breaks {len(sentences)} rules:\n" + "\n".join(
            f"  - {s}" for s in sentences)
    _, column, rule = problems[0]
    raise SchemaError(message, column=column, reason=rule,
                      failure_cases=cases.drop(columns="position"))


def crosswalk_target(crosswalk) -> str:
    """The column a crosswalk maps programmes to: ``industry``, else ``occupation``.

    Examples
    --------
    >>> import pandas as pd
    >>> crosswalk_target(pd.DataFrame(columns=["program", "occupation", "share"]))
    'occupation'
    """
    columns = crosswalk.columns if isinstance(crosswalk, pd.DataFrame) else ()
    return next((c for c in TARGETS if c in columns), "industry")


def check_crosswalk(crosswalk, *, location: Sequence[str] = (),
                    target: str = "industry", row_names: str = "line") -> pd.DataFrame:
    """Check a programme -> industry crosswalk and return it in canonical form.

    Every row rule is checked before raising, so one error lists every
    problem: key values present, shares finite numbers >= 0, no repeated
    ``program, <location...>, industry`` combination, and then (when the
    rows are sound) the shares of each programme (in each location) summing
    to 1 within :data:`SHARE_TOLERANCE`.

    Parameters
    ----------
    crosswalk : pandas.DataFrame
        Columns ``program``, ``industry``, ``share`` and the ``location``
        columns; other columns are ignored.
    location : sequence of str, default ()
        Columns other than ``industry`` by which the shares may differ
        (e.g. ``("region",)``).
    target : {"industry", "occupation"}, default "industry"
        What the programmes feed: a ``program, occupation, share`` crosswalk
        sends each programme's graduates to occupations (for demand keyed by
        occupation) and is checked by the same rules.
    row_names : {"line", "item"}, default "line"
        How messages number the rows (:data:`ROW_NAMES`): ``"line"``, by
        their line in a CSV file with a header row (position + 2), for a
        table read from a file; ``"item"``, by their position from 0, for
        rows sent as the items of a JSON array (``failure_cases`` keeps the
        lines either way, next to the rows' index labels).

    Returns
    -------
    pandas.DataFrame
        Columns ``program, <location...>, industry, share`` (shares as
        floats; key columns no longer categorical); rows with share 0 are
        dropped and the input's row labels are kept as the index.

    Raises
    ------
    SchemaError
        If ``crosswalk`` is not a DataFrame, lacks a column, has no rows, or
        breaks a rule. The message names table ``'crosswalk'``, the column,
        the rule and up to five rows by their line (position + 2: lines
        count as in a CSV file with a header row; or by item, see
        ``row_names``); ``column`` and ``reason``
        are those of the first rule named, and ``failure_cases`` lists every
        failing row with its ``line`` and its index label (``row``).

    Examples
    --------
    >>> import pandas as pd
    >>> cw = pd.DataFrame({"program": ["welding", "welding", "cnc"],
    ...                    "industry": ["construction", "equipment", "equipment"],
    ...                    "share": [0.5, 0.4, 1.0]})
    >>> check_crosswalk(cw)
    Traceback (most recent call last):
    ...
    talentgap.errors.SchemaError: table 'crosswalk': the shares of each programme must sum to 1
    (within 1e-06); program='welding' sums to 0.9 (short by 0.1; lines 2, 3)
    >>> check_crosswalk(cw, row_names="item")
    Traceback (most recent call last):
    ...
    talentgap.errors.SchemaError: table 'crosswalk': the shares of each programme must sum to 1
    (within 1e-06); program='welding' sums to 0.9 (short by 0.1; items 0, 1)
    >>> by_region = cw.assign(region="North", share=[0.5, 0.5, 1.0])
    >>> check_crosswalk(by_region, location=["region"]).columns.tolist()
    ['program', 'region', 'industry', 'share']
    """
    if not isinstance(crosswalk, pd.DataFrame):
        raise SchemaError(f"{_TABLE} must be a DataFrame with columns program, {target}, "
                          f"share; got {type(crosswalk).__name__}", reason="not_a_table")
    if target not in TARGETS:
        raise ParameterError(f"target={target!r}; a crosswalk feeds one of {list(TARGETS)}")
    if row_names not in ROW_NAMES:
        raise ParameterError(f"row_names={row_names!r}; use one of {list(ROW_NAMES)}")
    location = list(location)
    key_columns = ["program", *location, target]
    needed = ["program", *location, target, "share"]
    missing = [c for c in needed if c not in crosswalk.columns]
    if missing:
        raise SchemaError(f"{_TABLE} needs columns {needed}; {missing} missing, it has "
                          f"{list(crosswalk.columns)}", column=missing[0],
                          reason="missing_column")
    if len(crosswalk) == 0:
        raise SchemaError(f"{_TABLE} has no rows", reason="empty_table")

    log = FailureLog(len(crosswalk))
    problems = []
    blank = np.zeros(len(crosswalk), dtype=bool)
    first_blank = None
    for column in key_columns:
        here = crosswalk[column].isna().to_numpy()
        log.add(here, column, "missing_value", crosswalk[column], "missing")
        first_blank = first_blank or (column if here.any() else None)
        blank |= here
    if blank.any():
        problems.append((f"{count_words(int(blank.sum()), 'row')} with a missing "
                         f"{' or '.join(key_columns)}: "
                         + _rows_text(crosswalk, needed, np.flatnonzero(blank), row_names),
                         first_blank, "missing_value"))

    raw = crosswalk["share"]
    share = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    absent = raw.isna().to_numpy()
    log.add(absent, "share", "missing_value", raw, "missing")
    log.add(np.isnan(share) & ~absent, "share", "not_numeric", raw)
    log.add(np.isinf(share), "share", "not_finite", raw)
    unusable = ~np.isfinite(share)
    if unusable.any():
        rows = np.flatnonzero(unusable)
        rule = ("missing_value" if absent[rows[0]] else
                "not_finite" if np.isinf(share[rows[0]]) else "not_numeric")
        problems.append((f"{count_words(rows.size, 'row')} with a share that is not a finite "
                         "number: "
                         + _rows_text(crosswalk, needed, rows, row_names), "share", rule))
    negative = np.isfinite(share) & (share < 0)
    log.add(negative, "share", "negative", raw)
    if negative.any():
        rows = np.flatnonzero(negative)
        problems.append((f"column 'share' must be >= 0; {rows_fail(rows.size)}: "
                         + _rows_text(crosswalk, needed, rows, row_names), "share",
                         "negative"))

    cw = pd.DataFrame({c: crosswalk[c].to_numpy(dtype=object) for c in key_columns},
                      index=crosswalk.index)
    cw["share"] = share
    repeated = ~blank & cw.duplicated(subset=key_columns, keep=False).to_numpy()
    label = ", ".join(key_columns)
    log.add(repeated, label, "duplicate_key", np.full(int(repeated.sum()), None, dtype=object),
            f"({label}) repeats another row")
    if repeated.any():
        problems.append((f"repeats {'-'.join(key_columns)} combinations: "
                         + _rows_text(crosswalk, needed, np.flatnonzero(repeated), row_names),
                         label,
                         "duplicate_key"))
    if problems:
        _raise(problems, log, crosswalk)

    group = ["program", *location]
    codes = cw.groupby(group, sort=False).ngroup().to_numpy()
    sums = np.bincount(codes, weights=share)
    off = np.flatnonzero(np.abs(sums - 1.0) > SHARE_TOLERANCE)
    if off.size:
        details = []
        for g in off[:_MAX_SHOWN]:  # a few programmes, for the message
            rows = np.flatnonzero(codes == g)
            who = ", ".join(f"{c}={_plain(cw[c].iloc[rows[0]])!r}" for c in group)
            gap = sums[g] - 1.0
            more_rows = f" and {rows.size - _MAX_SHOWN} more" if rows.size > _MAX_SHOWN else ""
            details.append(f"{who} sums to {sums[g]:.10g} ({'over' if gap > 0 else 'short'} "
                           f"by {abs(gap):.3g}; {_numbered(rows[:_MAX_SHOWN], row_names)}"
                           f"{more_rows})")
        more = f"; and {off.size - _MAX_SHOWN} more" if off.size > _MAX_SHOWN else ""
        wrong = np.isin(codes, off)
        log.add(wrong, "share", "share_sum", raw,
                np.array([f"its programme's shares sum to {sums[c]:.10g}" for c in codes[wrong]],
                         dtype=object))
        _raise([(f"the shares of each programme must sum to 1 (within {SHARE_TOLERANCE:g}); "
                 + "; ".join(details) + more, "share", "share_sum")], log, crosswalk)
    return cw[share > 0]
