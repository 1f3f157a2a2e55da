"""The one error for a skill level outside the declared levels.

Every place that compares a table's ``skill_level`` (or ``from_level``) with
the declared levels — :func:`talentgap.features.estimate_cells` and
:func:`talentgap.features.build_panel` with ``skill_levels``,
:func:`talentgap.features.check_skill_levels` on the training table,
:func:`talentgap.features.long_form` on the vacancies table, and the
``talentgap validate`` command — raises this error, worded one way: the table,
the column, the declared levels, the rule ``unknown_code``, the count, and the
first lines with each value and the closest declared level.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._checks import FAILURE_COLUMNS, did_you_mean, row_labels, show_value
from talentgap._words import rows_fail
from talentgap.errors import SchemaError
from talentgap.schema import get_schema

__all__ = ["unknown_levels", "unknown_level_error"]

_MAX_SHOWN = 5


def _row_label(table: str) -> tuple[str, ...]:
    """The columns naming a row of ``table`` in messages, as validation names it."""
    try:
        return get_schema(table).row_label
    except (KeyError, ValueError):
        return ("enterprise_id", "period")


def unknown_levels(values: pd.Series, levels: Sequence[str]) -> np.ndarray:
    """Positions of the filled-in ``values`` that are not declared levels."""
    known = values.isna().to_numpy() | values.isin(list(levels)).to_numpy()
    return np.flatnonzero(~known)


def unknown_level_error(table: str, frame: pd.DataFrame, column: str, levels: Sequence[str],
                        rows: np.ndarray, line_numbers=None) -> SchemaError:
    """The :class:`SchemaError` for ``rows`` (positions) of ``frame[column]`` outside ``levels``.

    ``line_numbers``: the input line of every row of ``frame`` (default:
    position + 2, line 1 being the header). Each example names its row as
    validation does (the table's row label, e.g. enterprise, period and
    details for the surveys).

    Examples
    --------
    >>> frame = pd.DataFrame({"period": "2024", "region": "N", "industry": "x",
    ...                       "skill_level": ["junior", "Senior", "master"]})
    >>> error = unknown_level_error("training", frame, "skill_level", ["junior", "senior"],
    ...                             np.array([1, 2]))
    >>> print(error)  # doctest: +NORMALIZE_WHITESPACE
    training: column 'skill_level' must be one of the declared skill levels ['junior',
    'senior'] [unknown_code]; 2 rows fail, e.g. line 3 (N, x, 2024): 'Senior' (did you mean
    'senior'?), line 4 (N, x, 2024): 'master'
    >>> error.reason, error.failure_cases["line"].tolist()
    ('unknown_code', [3, 4])
    """
    levels = list(levels)
    rows = np.asarray(rows, dtype=np.int64)
    values = frame[column]
    lines = (rows + 2 if line_numbers is None
             else np.asarray(line_numbers, dtype=np.int64)[rows])
    shown = np.asarray(values.iloc[rows], dtype=object)
    hints = {value: did_you_mean(str(value), levels) for value in pd.unique(shown)}
    messages = np.array([f"{show_value(v)}{hints[v]}" for v in shown], dtype=object)
    named = [c for c in _row_label(table) if c in frame.columns]
    head = (row_labels(frame[named].iloc[rows[:_MAX_SHOWN]]).map(" ({})".format).tolist()
            if named else [""] * min(rows.size, _MAX_SHOWN))
    examples = ", ".join(f"line {line}{label}: {message}" for line, label, message in
                         zip(lines[:_MAX_SHOWN], head, messages[:_MAX_SHOWN], strict=True))
    cases = pd.DataFrame({"line": lines, "row": values.index[rows].to_numpy(dtype=object),
                          "column": column, "rule": "unknown_code", "value": shown,
                          "message": messages}, columns=FAILURE_COLUMNS)
    return SchemaError(
        f"{table}: column {column!r} must be one of the declared skill levels {levels} "
        f"[unknown_code]; {rows_fail(rows.size)}, e.g. {examples}",
        column=column, reason="unknown_code", failure_cases=cases)
