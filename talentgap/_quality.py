"""The data-quality report of a validated table, and the skip-mode bookkeeping on it.

:class:`DataQualityReport` accounts for every input row of one
:func:`~talentgap.schema.validate` call (``errors="report"``): kept, or
rejected with the rule it broke. :func:`reject_incomplete_groups` moves the
kept rows of a group that lost a row to the rejected ones, so that a total
over the group is missing rather than too small. The public names are
re-exported by :mod:`talentgap.schema`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from talentgap import _checks
from talentgap.errors import ParameterError

__all__ = ["DataQualityReport", "QualityNote", "note_text", "reject_incomplete_groups",
           "unit_groups", "UNIT_GROUPS", "run_groups", "reject_run_groups"]

#: The group a rejected row takes with it in every ``validate(..., errors="report")``:
#: per table, its columns and its name in messages. A survey's enterprise-period is one
#: respondent (its long-form rows hold one enterprise's answers); the other tables' groups
#: are cell-periods, whose cells the caller chooses (:func:`reject_incomplete_groups`).
UNIT_GROUPS = {name: (("enterprise_id", "period"), "enterprise-period")
               for name in ("surveys", "enterprises", "vacancies")}


class QualityNote(NamedTuple):
    """A legal but unusual finding of validation, before it is worded (:func:`note_text`).

    ``kind`` says what was found: ``("above", a, b, factor)`` (rows with
    ``a > factor x b``), ``("full_width", column)`` (numbers written in
    full-width digits) or ``("empty_table",)``. ``count`` rows (or values)
    have it; ``lines`` are the line numbers of the first ones, in line order,
    and ``values`` their values as written (``None`` when the wording shows
    none). Notes of disjoint rows of one kind add up: counts sum, examples pool.
    """

    kind: tuple
    count: int
    lines: tuple = ()
    values: tuple | None = None


def note_text(note: QualityNote, places: Iterable[str]) -> str:
    """The warning for ``note``, its example rows named by ``places`` (``"line 17"``).

    The one wording of each data-quality note: validation gives it for a
    table, the partitioned path for the notes of its parts pooled.

    Examples
    --------
    >>> note = QualityNote(("above", "vacancies", "employees", 5.0), 9, (17,))
    >>> note_text(note, ["line 17"])
    '9 row(s) with vacancies > 5 x employees (legal but unusual; check units), e.g. line 17'
    """
    places = list(places)
    what = note.kind[0]
    if what == "empty_table":
        return "the table has no rows: every estimate from it is empty"
    if what == "above":
        _, a, b, factor = note.kind
        return (f"{note.count} row(s) with {a} > {factor:g} x {b} (legal but unusual; "
                f"check units), e.g. {', '.join(places)}")
    if what == "full_width":
        shown = ", ".join(f"{place}: {value!r}"
                          for place, value in zip(places, note.values or (), strict=True))
        return (f"column {note.kind[1]!r}: {note.count} value(s) written in full-width "
                f"digits were read as the numbers they show, e.g. {shown}")
    raise ValueError(f"unknown data-quality note {what!r}")


@dataclass
class DataQualityReport:
    """Accounting of every input row of one validated table.

    Attributes
    ----------
    table : str
        Table name.
    rows_in, rows_kept, rows_rejected : int
        ``rows_kept + rows_rejected == rows_in`` always; a row failing two
        rules is one rejected row with two failures. Of the rejected rows,
        :attr:`rows_with_group` broke no rule themselves but were left out
        with their group (:func:`reject_incomplete_groups`).
    rejected : pandas.DataFrame
        One row per failure: ``line`` (input line number), ``row`` (index
        label in the input frame), ``column``, ``rule`` (a code such as
        ``"negative"``), ``value`` (the raw input value) and ``message`` (what
        is wrong with it, e.g. ``"9 > 4"``).
    warnings : list of str
        Suspicious but legal findings (also issued as
        :class:`~talentgap.errors.DataQualityWarning`).
    notes : list of QualityNote
        The same findings before they are worded (kind, count, example lines).
    freq : str or None
        Frequency of the parsed periods.
    extra_columns : list of str
        Input columns outside the schema, kept unchanged.
    row_keys : pandas.DataFrame or None
        One row per input row, in input order: ``line``, ``kept`` (bool) and
        the period, id, key and weight columns as parsed (missing where a
        value could not be read). :func:`reject_incomplete_groups` reads it to
        find the group of each rejected row, and
        :func:`talentgap.features.adjust_nonresponse` the weight of each.
    """

    table: str
    rows_in: int
    rows_kept: int
    rows_rejected: int
    rejected: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    freq: str | None = None
    extra_columns: list[str] = field(default_factory=list)
    row_keys: pd.DataFrame | None = field(default=None, repr=False)
    notes: list[QualityNote] = field(default_factory=list, repr=False)
    allowed: dict | None = field(default=None, repr=False)  # codes per column, for messages

    @property
    def ok(self) -> bool:
        """True when no row was rejected."""
        return self.rows_rejected == 0

    @property
    def rows_with_group(self) -> int:
        """Rejected rows that broke no rule but were left out with their group.

        Rule ``group_incomplete`` (see :func:`reject_incomplete_groups`); the
        other ``rows_rejected - rows_with_group`` rows break a rule themselves.
        """
        if len(self.rejected) == 0:
            return 0
        return int((self.rejected["rule"] == "group_incomplete").sum())

    def summary(self) -> str:
        """One paragraph: the row accounting, then one line per failed rule."""
        head = (
            f"{self.table}: {self.rows_in} rows in, {self.rows_kept} kept, "
            f"{self.rows_rejected} rejected"
        )
        cases = self.rejected.assign(position=self.rejected["line"])
        lines = [head] + [f"  - {text}" for text in
                          _checks.describe_failures(cases, allowed=self.allowed)]
        lines += [f"  ! {text}" for text in self.warnings]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready summary (failures counted by column and rule)."""
        counts = (
            self.rejected.groupby(["column", "rule"], sort=True).size()
            if len(self.rejected) else pd.Series(dtype=int)
        )
        return {
            "table": self.table,
            "rows_in": self.rows_in,
            "rows_kept": self.rows_kept,
            "rows_rejected": self.rows_rejected,
            "rows_with_group": self.rows_with_group,
            "failures": [
                {"column": c, "rule": r, "count": int(n)} for (c, r), n in counts.items()
            ],
            "warnings": list(self.warnings),
            "freq": self.freq,
            "extra_columns": list(self.extra_columns),
        }

    def __str__(self) -> str:
        return self.summary()


def unit_groups(table: str) -> tuple[tuple[str, ...], str] | None:
    """Columns and name of the group every rejected row of ``table`` takes with it.

    ``None`` for tables without such a group (training, employment: their
    cell-period depends on the caller's cell keys).

    Examples
    --------
    >>> unit_groups("surveys")
    (('enterprise_id', 'period'), 'enterprise-period')
    >>> unit_groups("training") is None
    True
    """
    return UNIT_GROUPS.get(table)


def run_groups(table: str, keys: Iterable[str]) -> tuple[tuple[str, ...], str]:
    """Columns and name of the group a rejected row of ``table`` takes with it in a run.

    The table's own unit (:func:`unit_groups`: a survey's enterprise-period)
    when it has one, else its cell-period: ``period`` and the run's cell
    ``keys`` (those the table lacks are left out by
    :func:`reject_incomplete_groups`). A run (``on_invalid = "skip"``) and
    ``talentgap validate`` both drop rows by it (:func:`reject_run_groups`),
    so the rows one lists are the rows the other leaves out.

    Examples
    --------
    >>> run_groups("surveys", ["region", "industry"])
    (('enterprise_id', 'period'), 'enterprise-period')
    >>> run_groups("training", ["region", "industry"])
    (('period', 'region', 'industry'), 'cell-period')
    """
    return UNIT_GROUPS.get(table) or (("period", *keys), "cell-period")


def reject_run_groups(clean: pd.DataFrame, report: DataQualityReport, *, table: str,
                      keys: Iterable[str]) -> tuple[pd.DataFrame, DataQualityReport]:
    """Reject the kept rows of every group of a run (:func:`run_groups`) that lost a row.

    :func:`reject_incomplete_groups` with the groups of ``table`` in a run
    whose cells are ``keys``; ``clean`` and ``report`` unchanged when no row
    was rejected.

    Examples
    --------
    >>> from talentgap.schema import validate
    >>> raw = pd.DataFrame({"period": ["2024Q1"] * 3, "region": ["A", "A", "B"],
    ...                     "industry": ["textiles"] * 3, "program": ["p1", "p2", "p1"],
    ...                     "trained": [10, 20, 30], "certified": ["5", "9%", "12"]})
    >>> clean, report = reject_run_groups(*validate(raw, table="training", errors="report"),
    ...                                   table="training", keys=["region", "industry"])
    >>> clean["region"].tolist(), (report.rows_kept, report.rows_rejected)
    (['B'], (1, 2))
    """
    if report.ok:
        return clean, report
    by, group = run_groups(table, keys)
    return reject_incomplete_groups(clean, report, by=by, group=group)


def _exact_repeats(rejected: pd.DataFrame, lines: np.ndarray) -> np.ndarray:
    """Rows (by input line) rejected only as exact repeats of an earlier row.

    Such a row (rule ``duplicate_row`` and no other) is a copy whose first
    copy is kept: its group lost nothing.
    """
    if not len(rejected):
        return np.zeros(len(lines), dtype=bool)
    rule = rejected["rule"].to_numpy(dtype=object)
    line = rejected["line"].to_numpy(dtype=np.int64)
    repeat = np.isin(lines, line[rule == "duplicate_row"])
    return repeat & ~np.isin(lines, line[rule != "duplicate_row"])


def reject_incomplete_groups(clean: pd.DataFrame, report: DataQualityReport, *,
                             by: Iterable[str], group: str = "group"):
    """Reject every kept row of a group that lost a row to validation.

    A total over a group (an enterprise's vacancies in a period, a cell's
    training output in a period) computed from the rows that passed is an
    undercount when one of its rows was rejected. This moves the other rows
    of such groups to the rejected rows too (rule ``group_incomplete``,
    naming the first rejected line of the group), so that the group is
    missing rather than too small; ``rows_in == rows_kept + rows_rejected``
    still holds. A rejected row whose own group columns could not be read
    names no group and rejects nothing more. A row rejected only as an exact
    repeat of an earlier row (rule ``duplicate_row``: its first copy is kept)
    takes nothing from its group, so it rejects nothing more; rows that share
    a key with different values (rule ``duplicate_key``) are all rejected and
    do take their group with them. The function is idempotent:
    :func:`~talentgap.schema.validate` with ``errors="report"`` already applies
    it to the enterprise-periods of the surveys (see :func:`unit_groups`).

    Parameters
    ----------
    clean : pandas.DataFrame
        The clean rows, as :func:`validate` (``errors="report"``) returned them.
    report : DataQualityReport
        Its report.
    by : iterable of str
        Columns that define a group, e.g. ``("enterprise_id", "period")``;
        those the table lacks are left out (none left: nothing changes).
    group : str, default "group"
        What a group is called in the messages, e.g. ``"cell-period"``.

    Returns
    -------
    clean : pandas.DataFrame
        The rows of complete groups.
    report : DataQualityReport
        A new report with the moved rows among the rejected ones.

    Raises
    ------
    ParameterError
        If ``clean`` is not the table ``report`` describes.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.schema import validate
    >>> raw = pd.DataFrame({"period": ["2024Q1"] * 3, "region": ["A", "A", "B"],
    ...                     "industry": ["textiles"] * 3, "program": ["p1", "p2", "p1"],
    ...                     "trained": [10, 20, 30], "certified": ["5", "9%", "12"]})
    >>> clean, report = validate(raw, table="training", errors="report")
    >>> clean, report = reject_incomplete_groups(clean, report,
    ...                                          by=("period", "region", "industry"),
    ...                                          group="cell-period")
    >>> clean["region"].tolist(), (report.rows_kept, report.rows_rejected)
    (['B'], (1, 2))
    >>> report.rejected[["line", "rule"]].to_dict("list")
    {'line': [2, 3], 'rule': ['group_incomplete', 'not_numeric']}
    """
    keys = report.row_keys
    if keys is None or len(keys) != report.rows_in or int(keys["kept"].sum()) != len(clean):
        raise ParameterError("clean and report do not belong together: pass the two results "
                             "of one validate(..., errors='report') call")
    by = [c for c in dict.fromkeys(by) if c in keys.columns]
    kept = keys["kept"].to_numpy(dtype=bool)
    if not by or kept.all() or not kept.any():
        return clean, report
    # one id per group over all rows (keys of kept and rejected rows share their dtypes)
    ids = keys.groupby(by, observed=True, sort=False, dropna=True).ngroup()
    ids = ids.to_numpy(dtype=float, na_value=np.nan)
    ids = np.where(np.isnan(ids), -1, ids).astype(np.int64)  # -1: a key could not be read
    lines = keys["line"].to_numpy(dtype=np.int64)
    # an exact repeat (rule duplicate_row and no other) leaves its first copy: the group
    # still has every row it had
    failed = np.flatnonzero(~kept & (ids >= 0) & ~_exact_repeats(report.rejected, lines))
    if failed.size == 0:
        return clean, report
    first = np.full(int(ids.max()) + 1, -1, dtype=np.int64)  # first failed row of each group
    by_line = failed[np.argsort(lines[failed], kind="stable")[::-1]]
    first[ids[by_line]] = by_line  # the last write wins: the smallest line
    hit = kept & (ids >= 0)
    hit[hit] = first[ids[hit]] >= 0
    if not hit.any():
        return clean, report
    positions = np.flatnonzero(hit)
    bad_groups, which = np.unique(ids[positions], return_inverse=True)  # few groups
    shown = keys.iloc[first[bad_groups]][by].astype(object)
    labels = np.asarray(shown.map(str).agg(", ".join, axis=1), dtype=object)
    messages = np.asarray([f"line {line} of the same {group} ({', '.join(by)}) was rejected, "
                           f"so the {group} is left out whole rather than undercounted"
                           for line in lines[first[bad_groups]].tolist()], dtype=object)
    moved = pd.DataFrame({
        "line": lines[positions],
        "row": keys.index.to_numpy()[positions],
        "column": "*",
        "rule": "group_incomplete",
        "value": labels[which],
        "message": messages[which],
    })
    rejected = pd.concat([report.rejected, moved], ignore_index=True)
    rejected = rejected.sort_values("line", kind="stable").reset_index(drop=True)
    n_moved = positions.size
    new = dataclasses.replace(report, rows_kept=report.rows_kept - n_moved,
                              rows_rejected=report.rows_rejected + n_moved,
                              rejected=rejected, row_keys=keys.assign(kept=kept & ~hit))
    return clean.iloc[np.flatnonzero(~hit[kept])], new
