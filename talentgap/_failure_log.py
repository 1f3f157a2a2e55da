"""The log of failing rows that validation fills, and the sentences that report it.

A :class:`FailureLog` keeps every failure found by the row-level checks of
:mod:`talentgap._checks` as arrays of row positions, one batch per (column,
rule), so a check records all its failing rows at once and validation
collects every failure before it raises. :data:`FAILURE_COLUMNS` are the
columns of the failure table (``SchemaError.failure_cases``);
:data:`RULE_TEXT` and :func:`rule_text` say each rule as the end of a
sentence, and :func:`describe_failures` writes one sentence per (column,
rule) with the count of rows and a few examples. :mod:`talentgap._checks`
re-exports these names.

Examples
--------
>>> import numpy as np, pandas as pd
>>> log = FailureLog(3)
>>> log.add(np.array([False, True, True]), "vacancies", "negative", [0, -1, -2])
>>> cases = log.frame(np.array([2, 3, 4]), pd.RangeIndex(3))
>>> describe_failures(cases)
["column 'vacancies' must be >= 0 [negative]; 2 rows fail, e.g. line 3: -1; line 4: -2"]
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from talentgap._words import rows_fail

__all__ = ["FAILURE_COLUMNS", "RULE_ADVICE", "RULE_TEXT", "FailureLog", "allowed_text",
           "describe_failures", "rule_text", "show_value"]

FAILURE_COLUMNS = ["line", "row", "column", "rule", "value", "message"]

RULE_TEXT = {
    "missing_value": "must not be missing",
    "not_numeric": "must be numeric",
    "not_integer": "must hold whole numbers",
    "negative": "must be >= 0",
    "not_positive": "must be finite and > 0",
    "not_finite": "must be a finite number",
    "not_boolean": "must be true/false (1/0, yes/no, 是/否)",
    "bad_period": "must hold calendar years, quarters or months, all of one frequency",
    "unknown_code": "must be one of the allowed codes",  # with them: allowed_text
    "duplicate_key": "must identify one row",
    "duplicate_row": "must not repeat an earlier row",
    "empty_row": "must not be empty",
    "too_many_fields": "must not have more fields than the header",
    "too_large": "must be <= 2**53 = 9007199254740992 (the largest count stored exactly)",
    "text_collision": "must not hold different values that read the same as text",
    "surrounding_space": "must not start or end with spaces",
    "line_break_in_code": "must not hold a line break",
    "not_constant": "must be the same on every row of an enterprise-period",
    "group_incomplete": "must belong to a group none of whose rows was rejected",
    "excel_error": "must not hold Excel error values",
    "totals_row": "must hold one respondent, not a total or subtotal",
    "mixed_detail_rows": ("must not be blank on a row next to rows of the same "
                          "enterprise-period that give it"),
}
#: What to do about a (column, rule), said once after its examples.
RULE_ADVICE = {
    ("certified", "exceeds_trained"): (
        "re-sits: record the people who re-sat the exam in that period on a row of their "
        "own, same programme and period, with 'trained' = the re-sitters and 'certified' "
        "= those of them who passed; otherwise check for swapped columns"
    ),
}
_MAX_EXAMPLES = 5
_MAX_CODES = 12


def rule_text(rule: str) -> str:
    """The rule as the end of a sentence: ``"exceeds_trained"`` -> ``"must be <= 'trained'"``."""
    if rule.startswith("exceeds_"):
        return f"must be <= {rule.removeprefix('exceeds_')!r}"
    return RULE_TEXT.get(rule, rule)


def allowed_text(column: str, codes: Iterable) -> str:
    """Rule ``unknown_code`` naming the codes it allows (the first 12 of a long list).

    Examples
    --------
    >>> allowed_text("skill_level", ["junior", "senior"])
    "must be one of the declared skill levels ['junior', 'senior']"
    >>> allowed_text("region", [f"R{i}" for i in range(14)])[-35:]
    "'R9', 'R10', 'R11', ... (14 codes)]"
    """
    codes = list(dict.fromkeys(codes))
    what = "skill levels" if column in ("skill_level", "from_level") else "codes"
    if len(codes) <= _MAX_CODES:
        return f"must be one of the declared {what} {codes}"
    shown = ", ".join(show_value(c) for c in codes[:_MAX_CODES])
    return f"must be one of the declared {what} [{shown}, ... ({len(codes)} codes)]"


def show_value(value) -> str:
    """A failing value as messages show it: text quoted, anything else as printed.

    Examples
    --------
    >>> show_value("E1"), show_value(4.5)
    ("'E1'", '4.5')
    """
    return repr(value) if isinstance(value, str) else str(value)


class FailureLog:
    """Failures as arrays of row positions, one batch per (column, rule).

    Parameters
    ----------
    n_rows : int
        Number of rows of the table being checked.

    Attributes
    ----------
    bad : numpy.ndarray of bool
        Rows with at least one failure so far.
    """

    def __init__(self, n_rows: int) -> None:
        self.n_rows = n_rows
        self.bad = np.zeros(n_rows, dtype=bool)
        self._settled: np.ndarray | None = None  # rows whose one failure is final
        self._batches: list[tuple[np.ndarray, str, str, np.ndarray, np.ndarray]] = []
        self._bad_by_column: dict[str, np.ndarray] = {}

    def add(self, mask: np.ndarray, column: str, rule: str, values,
            details=None) -> None:
        """Record the rows in ``mask`` as failing ``rule`` on ``column``.

        ``values`` are the raw input values (all rows, or the failing ones);
        ``details`` the short message of each failure: ``None`` for the raw
        value, one string for all, or an array (all rows or failing ones).
        """
        positions = np.flatnonzero(mask)
        if positions.size == 0:
            return
        values = np.asarray(values, dtype=object)
        if values.shape[0] == self.n_rows:
            values = values[positions]
        if details is None:
            details = np.array([show_value(v) for v in values], dtype=object)
        elif isinstance(details, str):
            details = np.full(positions.size, details, dtype=object)
        else:
            details = np.asarray(details, dtype=object)
            if details.shape[0] == self.n_rows:
                details = details[positions]
        if self._settled is not None:  # a settled row takes no further failure
            keep = ~self._settled[positions]
            if not keep.all():
                positions, values, details = positions[keep], values[keep], details[keep]
                if positions.size == 0:
                    return
        self._batches.append((positions, column, rule, values, details))
        self.bad[positions] = True
        column_mask = self._bad_by_column.setdefault(column, np.zeros(self.n_rows, dtype=bool))
        column_mask[positions] = True

    def collapse(self, mask: np.ndarray, column: str, rule: str, detail, values=None, *,
                 settle: bool = False) -> None:
        """Replace every failure of the rows in ``mask`` by one failure ``rule``.

        ``detail`` is one message or one per row (all rows); ``values`` the
        values shown (all rows; default none). With ``settle`` that failure is
        final: the rows take no later failure, and count as failing in every
        column for the checks that follow (:meth:`bad_in`).
        """
        if self._settled is not None:
            mask = mask & ~self._settled  # a settled row keeps its failure
        if not mask.any():
            return
        batches = []
        for positions, col, rul, shown, details in self._batches:
            keep = ~mask[positions]
            if keep.any():
                batches.append((positions[keep], col, rul, shown[keep], details[keep]))
        self._batches = batches
        for column_mask in self._bad_by_column.values():
            column_mask &= ~mask
        self.bad &= ~mask
        self.add(mask, column, rule,
                 np.full(int(mask.sum()), None, dtype=object) if values is None else values,
                 detail)
        if settle:
            self._settled = mask.copy() if self._settled is None else self._settled | mask

    def bad_in(self, columns: Iterable[str]) -> np.ndarray:
        """Rows failing a rule on any of ``columns`` (or settled, see :meth:`collapse`)."""
        out = np.zeros(self.n_rows, dtype=bool) if self._settled is None else self._settled.copy()
        for name in columns:
            if name in self._bad_by_column:
                out |= self._bad_by_column[name]
        return out

    def frame(self, lines: np.ndarray, index: pd.Index) -> pd.DataFrame:
        """All failures in row order: ``position`` and :data:`FAILURE_COLUMNS`."""
        if not self._batches:
            columns = ["position", *FAILURE_COLUMNS]
            empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
            return empty.astype({"position": np.int64, "line": np.int64})
        positions = np.concatenate([b[0] for b in self._batches])
        column = np.concatenate([np.full(b[0].size, b[1], dtype=object) for b in self._batches])
        rule = np.concatenate([np.full(b[0].size, b[2], dtype=object) for b in self._batches])
        frame = pd.DataFrame(
            {
                "position": positions,
                "line": lines[positions].astype(np.int64),
                "row": index[positions].to_numpy(dtype=object),
                "column": column,
                "rule": rule,
                "value": np.concatenate([b[3] for b in self._batches]),
                "message": np.concatenate([b[4] for b in self._batches]),
            }
        )
        order = np.lexsort((frame["column"].to_numpy(dtype=str), frame["position"].to_numpy()))
        return frame.iloc[order].reset_index(drop=True)


#: A tail of the examples' messages at least this long is said once (a rule's advice).
_LONG_TAIL = 60


def _shared_tail(details) -> tuple[list[str], str]:
    """The examples' messages less the ``"; "``-separated parts they all end with, and those.

    A rule's long advice, the same for every row, is then said once.

    Examples
    --------
    >>> why = "every copy is rejected, since which one is right is not known"
    >>> _shared_tail([f"a; {why}", f"b; {why}"])
    (['a', 'b'], 'every copy is rejected, since which one is right is not known')
    >>> _shared_tail([why, why])[0]
    ['', '']
    >>> _shared_tail(["-1", "-1"])  # short: per example
    (['-1', '-1'], '')
    >>> _shared_tail(["one"])
    (['one'], '')
    """
    texts = [str(d) for d in details]
    if len(texts) < 2 or not all(isinstance(d, str) for d in details):
        return texts, ""
    parts = [t.split("; ") for t in texts]
    k = 0
    while all(len(p) > k for p in parts) and len({tuple(p[len(p) - k - 1:]) for p in parts}) == 1:
        k += 1
    tail = "; ".join(parts[0][len(parts[0]) - k:])
    if k == 0 or len(tail) < _LONG_TAIL:  # a value or a short reason reads best per example
        return texts, ""
    return ["; ".join(p[:len(p) - k]) for p in parts], tail


def describe_failures(cases: pd.DataFrame, row_labels: pd.Series | None = None, *,
                      allowed: dict | None = None) -> list[str]:
    """One sentence per (column, rule): the rule, how many rows, up to five examples.

    ``cases`` is a :meth:`FailureLog.frame`; ``row_labels`` (indexed by
    position) names each row, e.g. ``"E0042, 2024Q2"``; ``allowed`` the
    codes allowed per column, named by rule ``unknown_code``
    (:func:`allowed_text`).
    """
    out = []
    for (column, rule), group in cases.groupby(["column", "rule"], sort=False):
        examples = group.head(_MAX_EXAMPLES)
        details, common = _shared_tail(examples["message"])  # said once, not per example
        shown = []
        for position, line, detail in zip(examples["position"], examples["line"], details,
                                          strict=True):
            where = f" ({row_labels[position]})" if row_labels is not None else ""
            shown.append(f"line {line}{where}" + (f": {detail}" if detail else ""))
        if common and not any(details) and row_labels is None:
            shown = ["lines " + ", ".join(map(str, examples["line"]))]
        shown = ([", ".join(shown) + f": {common}"] if common and not any(details) else
                 [*shown[:-1], f"{shown[-1]}; {common}"] if common else shown)
        n = group["position"].nunique()
        subject = "a row" if column == "*" else f"column {column!r}"  # "*": the whole row
        text = (allowed_text(column, allowed[column])
                if rule == "unknown_code" and column in (allowed or {}) else rule_text(rule))
        advice = RULE_ADVICE.get((column, rule))
        out.append(f"{subject} {text} [{rule}]; {rows_fail(n)}, e.g. "
                   + "; ".join(shown) + (f"; {advice}" if advice else ""))
    return out
