"""Validation of a table against its schema.

:func:`validate` checks every rule of a :class:`~talentgap.schema.TableSchema`
on every row, then raises one :class:`~talentgap.errors.SchemaError` or returns
the clean rows with a :class:`~talentgap._quality.DataQualityReport`;
:func:`check_constant` applies the enterprise-level rule to columns outside
the schema. The row-level checks are in :mod:`talentgap._checks` (rows
sharing a key in :mod:`talentgap._duplicates`), the clean table is built
by :mod:`talentgap._clean_table`; the public names are re-exported by
:mod:`talentgap.schema`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import numpy as np
import pandas as pd

from talentgap import _checks
from talentgap._clean_table import assemble
from talentgap._duplicates import check_unique, resent_periods
from talentgap._quality import (
    DataQualityReport,
    QualityNote,
    note_text,
    reject_incomplete_groups,
    unit_groups,
)
from talentgap._tables import TableSchema, get_schema, row_key
from talentgap._text_checks import is_blank, shared_text
from talentgap._unit_rows import check_mixed_details, check_row_key
from talentgap._units import first_of_unit, log_not_constant, unit_codes, value_codes
from talentgap.errors import DataQualityWarning, ParameterError, SchemaError, warn
from talentgap.periods import NO_PERIOD, normalize_freq, parse_period_values, period_dtype_code

__all__ = ["validate", "check_constant"]

#: Why a table whose rows are summed refuses a repeated row.
_DISTINCT_HINT = ("rows are added up, so a copy would count its people twice; separate cohorts "
                  "with the same numbers belong in one row with their numbers added up, or "
                  "need a column the table reads that tells them apart (program, e.g. "
                  "'welding/basic, cohort 2')")

_MAX_EXAMPLES = 5
_EXCEL_ERROR_TEXT = "a formula failed (fix or clear the cell in the workbook, save it again)"


def validate(
    df: pd.DataFrame,
    *,
    table: str,
    freq: str | None = None,
    allowed: Mapping[str, Iterable] | None = None,
    errors: Literal["raise", "report"] = "raise",
    line_numbers: Iterable[int] | None = None,
):
    """Check a table against its schema and return it with canonical dtypes.

    Every rule is checked on every row before anything is raised, so one
    error lists all problems. Nothing is dropped, filled or coerced
    silently: whole-number floats (``12.0``) become integers, labels become
    categoricals and periods, and every other problem rejects its row. An
    Excel error value (``#N/A``, ``#REF!``: a spreadsheet formula that
    failed) in any column breaks rule ``excel_error``, and only that rule:
    it is neither a code nor reported again by the column's own rules. A
    row whose period, id or key column holds a totals label (``合计``,
    ``小计``, ``Total``, case, width and spaces aside) breaks rule
    ``totals_row`` and no other. Ids that differ only in letter
    case, full-width characters or spaces are one id in the row key; in the
    long form, a blank detail next to rows of its enterprise-period that
    give it breaks rule ``mixed_detail_rows``. Full-width digits in number columns are
    read as the number they show, with a warning.

    Parameters
    ----------
    df : pandas.DataFrame
        The raw table.
    table : {"surveys", "training", "employment", "enterprises", "vacancies"}
        Which schema to apply (see :data:`SCHEMAS`; ``enterprises`` and
        ``vacancies`` are the two parts of the surveys in
        :data:`PART_SCHEMAS`). In the long surveys form the row key adds
        the detail columns present, and the enterprise-level columns
        (:data:`UNIT_COLUMNS`) must be equal within an enterprise-period
        (rule ``not_constant``, every row of the enterprise-period rejected).
    freq : {"Y", "Q", "M"} or alias, optional
        Declared period frequency; taken from the labels when omitted (see
        :func:`talentgap.periods.parse_periods`).
    allowed : mapping of str to iterable, optional
        Allowed codes per key column, e.g. ``{"region": regions}``. Values
        outside the list are rejected (rule ``unknown_code``) and the list
        becomes the order of the categories.
    errors : {"raise", "report"}, default "raise"
        ``"raise"``: raise :class:`~talentgap.errors.SchemaError` if any row
        fails. ``"report"``: return the rows that pass together with a
        :class:`DataQualityReport` on the rest. In the surveys (and their
        two parts), an enterprise-period that lost a row is then left out
        whole (its other rows rejected with rule ``group_incomplete``, see
        :func:`~talentgap.schema.reject_incomplete_groups`): an enterprise
        answers for all its rows or is a non-respondent, never a partial
        count. A row that exactly repeats an earlier one takes nothing with
        it: its first copy is kept.
    line_numbers : array-like of int, optional
        Input line number of each row, used in messages. Defaults to the
        row's position + 2: its line in a CSV file with one header line, as
        read by ``pandas.read_csv`` with default options.

    Returns
    -------
    clean : pandas.DataFrame
        The passing rows (input index kept, column order kept) with
        canonical dtypes; columns outside the schema are kept unchanged.
    report : DataQualityReport
        Only with ``errors="report"``.

    Raises
    ------
    SchemaError
        With ``errors="raise"``, when any row breaks a rule or the table has
        no rows (reason ``empty_table``; with ``errors="report"`` the empty
        table is returned with a warning, and the ``vacancies`` part of the
        two-table form may be empty in either mode: nobody reported a
        vacancy). In both modes, for problems of the whole table: missing
        required columns (with a hint for near misses), repeated column
        names, ambiguous periods. ``failure_cases`` holds every failure.
    ParameterError
        For an unknown ``table``, ``errors`` or ``freq``, or ``allowed`` for a
        column that is not a key of the table.

    Warns
    -----
    DataQualityWarning
        For legal but suspicious values, e.g. vacancies above 5 x employees.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"period": ["2024", "2024"], "region": ["A", "B"],
    ...                     "industry": ["textiles", "textiles"],
    ...                     "trained": [100, 50], "certified": [70, -1]})
    >>> validate(raw, table="training")
    Traceback (most recent call last):
    ...
    talentgap.errors.SchemaError: training: 1 of 2 rows fail validation (1 failure):
      - column 'certified' must be >= 0 [negative]; 1 row fails, e.g. line 3 ... 2024): -1
    >>> validate(raw.iloc[:1], table="training").dtypes.astype(str).tolist()
    ['period[Y-DEC]', 'category', 'category', 'int64', 'int64']
    """
    schema = get_schema(table)
    if errors not in ("raise", "report"):
        raise ParameterError(f"errors={errors!r} is not supported; use 'raise' or 'report'")
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"expected a pandas DataFrame, got {type(df).__name__}")
    allowed = {k: list(v) for k, v in (allowed or {}).items()}
    for name in allowed:
        if name not in schema.keys:
            raise ParameterError(
                f"allowed codes given for {name!r}, which is not a key column of the "
                f"{table} table; key columns are {schema.keys}"
            )
    _check_table_shape(df, schema, errors)

    n = len(df)
    lines = (np.arange(2, n + 2, dtype=np.int64) if line_numbers is None
             else np.asarray(list(line_numbers), dtype=np.int64))
    if lines.shape != (n,):
        raise ParameterError(f"line_numbers has {lines.size} entries for {n} rows")
    with shared_text():  # each column's distinct values are turned into text once
        log = _checks.FailureLog(n)
        converted: dict[str, object] = {}
        numbers: dict[str, np.ndarray] = {}
        usable: dict[str, np.ndarray | None] = {}
        widened: dict[str, np.ndarray] = {}
        totals = _TotalsRows(n)
        declared = freq
        for col in schema.columns:
            if col.name not in df.columns:
                continue
            values = df[col.name]
            cell_log = log
            # a key column is read once: its codes and distinct values serve both checks
            factorized = (_checks.factorize_values(values)
                          if col.kind in ("id", "key")
                          and not isinstance(values.dtype, pd.CategoricalDtype) else None)
            if col.kind in ("id", "key"):
                totals.add(col.name, values, _checks.totals_rows(values, factorized))
            spreadsheet_errors = _checks.excel_errors(values, factorized)
            if spreadsheet_errors.any():  # its own rule; the column's rules see an empty cell
                shown = values[spreadsheet_errors].astype(str).to_numpy(dtype=object)
                log.add(spreadsheet_errors, col.name, "excel_error", shown,
                        [f"{value!r}: {_EXCEL_ERROR_TEXT}" for value in shown])
                values = values.mask(spreadsheet_errors)
                cell_log = _Skipping(log, spreadsheet_errors)
                factorized = None  # the key rules read the masked values
            if col.kind == "period" and _is_period_of(values, freq):
                periods = values.array
                declared = period_dtype_code(values.dtype)
                missing = periods.asi8 == NO_PERIOD
                if missing.any():
                    log.add(missing, col.name, "missing_value", values, "period is missing")
                converted[col.name] = periods
            elif col.kind == "period":
                parsed = parse_period_values(values, freq=freq)
                if parsed.table_error is not None:
                    raise SchemaError(f"{table}: column {col.name!r}: {parsed.table_error}",
                                      column=col.name, reason="ambiguous_period")
                for rule in ("missing_value", "bad_period"):
                    cell_log.add(parsed.failed & (parsed.rule == rule), col.name, rule, values,
                                 parsed.message)
                converted[col.name] = parsed.periods
                declared = parsed.freq
                if parsed.failed.any():  # a totals label is never a period
                    totals.add(col.name, values, _totals_among(values, parsed.failed))
            elif col.kind in ("count", "weight"):
                numbers[col.name] = _checks.check_numeric(values, col.name, col.kind, cell_log,
                                                          widened)
                failed = log.bad_in([col.name])
                usable[col.name] = ~failed if failed.any() else None
            elif col.kind == "flag":
                converted[col.name] = _checks.check_flag(values, col.name, cell_log)
            else:
                target = _BlankAllowed(cell_log) if col.blank_ok else cell_log
                converted[col.name] = _checks.check_key(values, col.name, target,
                                                        allowed.get(col.name), factorized)
        # a totals row fails once, whatever else it breaks, and takes part in no later rule
        log.collapse(totals.rows, "*", "totals_row", totals.details, totals.values, settle=True)
        for a, b in schema.at_most:
            _checks.check_at_most(df, numbers, a, b, log, usable)
        if schema.unique:
            keys = pd.DataFrame({c: converted[c] for c in row_key(schema, df.columns)})
            check_row_key(df, keys, log, lines,
                          ids=tuple(c.name for c in schema.columns if c.kind == "id"))
        resent = None
        if schema.distinct_rows:
            whole = pd.DataFrame({c.name: numbers[c.name] if c.name in numbers
                                  else converted[c.name]
                                  for c in schema.columns if c.name in df.columns})
            check_unique(df, whole, log, lines, column="*", hint=_DISTINCT_HINT)
            resent = resent_periods(
                whole, ~log.bad, lines, table=table,
                period=next(c.name for c in schema.columns if c.kind == "period"),
                counts=[c.name for c in schema.columns if c.kind == "count" and c.name in whole])
        unit = None  # the enterprise-period of each row, in the long form
        if schema.constant and any(c in df.columns for c in schema.detail):
            unit = unit_codes(pd.DataFrame({c: converted[c] for c in schema.unique}))
            first = first_of_unit(unit)
            for name in (c for c in schema.constant if c in df.columns):
                value = numbers[name] if name in numbers else converted[name]
                log_not_constant(df, unit, value, ~log.bad_in([name]), name, log, lines, first)
        blank_details = [c for c in schema.detail
                         if c in df.columns and schema.column(c).blank_ok]
        if schema.unique and blank_details:
            if unit is None:
                unit = unit_codes(pd.DataFrame({c: converted[c] for c in schema.unique}))
            check_mixed_details(unit, {c: np.asarray(converted[c].codes) for c in blank_details},
                                ~log.bad_in([*schema.unique, *blank_details]), log, lines)

        log.collapse(_empty_rows(df, schema, log.bad), "*", "empty_row",
                     "the row (line) is empty")
    found_cases = log.frame(lines, df.index)
    cases = found_cases[_checks.FAILURE_COLUMNS]
    kept = ~log.bad
    # keys read from text (not categoricals): their categories are the values present
    complete = frozenset(c.name for c in schema.columns
                         if c.kind in ("id", "key") and c.name in df.columns
                         and c.name not in allowed
                         and not isinstance(df[c.name].dtype, pd.CategoricalDtype))
    clean = assemble(df, schema, converted, numbers, kept, allowed, complete)
    notes = (_empty_table_note(schema, n) + _suspicious(clean, schema, lines, kept)
             + _widened(df, widened, lines))
    found = [note_text(note, (f"line {ln}" for ln in note.lines)) for note in notes]
    if resent:  # a period sent twice: its rows are kept and counted (a warning, no rejection)
        found.append(resent)
    for text in found:
        warn(f"{table}: {text}", DataQualityWarning, stacklevel=2)

    if errors == "raise" and len(cases):
        raise _schema_error(df, schema, found_cases, allowed)
    if errors == "raise":
        return clean
    report = DataQualityReport(
        table=table,
        rows_in=n,
        rows_kept=int(kept.sum()),
        rows_rejected=int((~kept).sum()),
        rejected=cases,
        warnings=found,
        notes=notes,
        allowed=allowed or None,
        freq=declared,
        extra_columns=[c for c in df.columns if c not in schema.names],
        row_keys=pd.DataFrame({"line": lines, "kept": kept,
                               **{c.name: _unless(converted[c.name], totals.rows)
                                  for c in schema.columns
                                  if c.name in converted and c.kind in ("period", "id", "key")},
                               **{c.name: numbers[c.name] for c in schema.columns
                                  if c.name in numbers and c.kind == "weight"}},
                              index=df.index, copy=False),
    )
    unit = unit_groups(table)  # a respondent that lost a row is left out whole
    if unit is not None and not report.ok:
        clean, report = reject_incomplete_groups(clean, report, by=unit[0], group=unit[1])
    return clean, report


class _TotalsRows:
    """The rows whose key, id or period value labels a totals or subtotal row.

    Each row is described by the first such value found (its column, in
    schema order).
    """

    def __init__(self, n_rows: int) -> None:
        self.rows = np.zeros(n_rows, dtype=bool)
        self.details = np.full(n_rows, None, dtype=object)
        self.values = np.full(n_rows, None, dtype=object)

    def add(self, column: str, values: pd.Series, hit: np.ndarray) -> None:
        new = hit & ~self.rows
        if not new.any():
            return
        shown = np.asarray(values[new], dtype=object)
        self.values[new] = shown
        self.details[new] = [f"looks like a totals row ({value!r} in column {column!r}); "
                             "totals are computed from the rows, leave it out of the file"
                             for value in shown]
        self.rows |= new


def _totals_among(values: pd.Series, rows: np.ndarray) -> np.ndarray:
    """:func:`~talentgap._checks.totals_rows` of ``values``, judged on ``rows`` only."""
    hit = np.zeros(len(values), dtype=bool)
    positions = np.flatnonzero(rows)
    hit[positions] = _checks.totals_rows(values.iloc[positions].astype(object))
    return hit


def _unless(values, rows: np.ndarray):
    """``values`` with ``rows`` missing (a totals row names no respondent nor group)."""
    if not rows.any():
        return values
    return pd.Series(values, copy=True).mask(rows).array


def _widened(df: pd.DataFrame, widened: dict[str, np.ndarray],
             lines: np.ndarray) -> list[QualityNote]:
    """Numbers read from full-width digits, one note per column."""
    found = []
    for name, rows in widened.items():
        positions = np.flatnonzero(rows)[:_MAX_EXAMPLES]
        found.append(QualityNote(("full_width", name), int(rows.sum()),
                                 tuple(lines[positions].tolist()),
                                 tuple(df[name].iloc[positions])))
    return found


class _BlankAllowed:
    """A :class:`~talentgap._checks.FailureLog` front that lets blank values pass.

    Used for key columns with ``blank_ok``: every rule but ``missing_value``
    is recorded in the wrapped log.
    """

    def __init__(self, log: _checks.FailureLog) -> None:
        self.log = log
        self.n_rows = log.n_rows

    def add(self, mask, column, rule, values, details=None) -> None:
        if rule != "missing_value":
            self.log.add(mask, column, rule, values, details)


class _Skipping:
    """A :class:`~talentgap._checks.FailureLog` front that drops failures of some rows.

    Used for the cells of a column already rejected as Excel error values
    (rule ``excel_error``), so that the column's own rules, which see those
    cells as empty, do not report them a second time.
    """

    def __init__(self, log, skip: np.ndarray) -> None:
        self.log = log
        self.skip = skip
        self.n_rows = log.n_rows

    def add(self, mask, column, rule, values, details=None) -> None:
        mask = np.asarray(mask, dtype=bool)
        keep = ~self.skip[np.flatnonzero(mask)]
        if not keep.any():
            return
        # values and details come for every row or for the failing ones only
        values = np.asarray(values, dtype=object)
        if values.shape[0] != self.n_rows:
            values = values[keep]
        if details is not None and not isinstance(details, str):
            details = np.asarray(details, dtype=object)
            if details.shape[0] != self.n_rows:
                details = details[keep]
        self.log.add(mask & ~self.skip, column, rule, values, details)


def check_constant(df: pd.DataFrame, columns: Iterable[str], *, table: str = "surveys",
                   line_numbers: Iterable[int] | None = None) -> None:
    """Raise if a column takes several values within one enterprise-period.

    The enterprise-level rule of the long surveys form, for columns the
    schema does not know (design columns such as a PSU or a population
    count); :func:`validate` applies it to the schema's own
    enterprise-level columns (:data:`UNIT_COLUMNS`).

    Parameters
    ----------
    df : pandas.DataFrame
        A table with the ``unique`` columns of ``table`` (for surveys
        ``enterprise_id, period``).
    columns : iterable of str
        Columns that must be constant within each enterprise-period.
    table : str, default "surveys"
        Schema whose ``unique`` columns define the unit, and whose name
        the error carries.
    line_numbers : array-like of int, optional
        As in :func:`validate` (default: position + 2).

    Raises
    ------
    SchemaError
        Rule ``not_constant``, naming the column and example lines.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"enterprise_id": ["E1", "E1", "E2"], "period": ["2024"] * 3,
    ...                      "psu": ["park-1", "park-2", "park-1"]})
    >>> check_constant(rows, ["psu"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    talentgap.errors.SchemaError: surveys: 2 of 3 rows fail validation (2 failures):
      - column 'psu' must be the same on every row of an enterprise-period [not_constant]; ...
    """
    schema = get_schema(table)
    columns = [c for c in columns if c in df.columns]
    if not columns or len(df) == 0:
        return
    n = len(df)
    lines = (np.arange(n, dtype=np.int64) + 2 if line_numbers is None
             else np.asarray(list(line_numbers), dtype=np.int64))
    unit = unit_codes(df[list(schema.unique)])
    if np.unique(unit[unit >= 0]).size == int((unit >= 0).sum()):
        return  # one row per enterprise-period: nothing can differ
    log = _checks.FailureLog(n)
    for name in columns:
        digits = value_codes(df[name])
        log_not_constant(df, unit, digits, digits >= 0, name, log, lines)
    cases = log.frame(lines, df.index)
    if len(cases):
        raise _schema_error(df, schema, cases)


#: Tables whose every row may be absent: no enterprise reported a vacancy.
_MAY_BE_EMPTY = frozenset({"vacancies"})


def _check_table_shape(df: pd.DataFrame, schema: TableSchema, errors: str) -> None:
    """Failures of the table as a whole, which no row-level report can carry.

    A table without rows is one with ``errors="raise"`` (a file holding only
    its header is a mistake), except a table in :data:`_MAY_BE_EMPTY`; with
    ``errors="report"`` it is a warning in the report
    (:func:`_empty_table_note`), so validating a table whose every row was
    rejected gives that table back.
    """
    problems = []
    repeated = df.columns[df.columns.duplicated()].unique().tolist()
    if repeated:
        problems.append(f"column names repeat: {repeated}")
    present = [str(c) for c in df.columns]
    missing = [c for c in schema.required if c not in df.columns]
    for name in missing:
        spare = [c for c in present if c not in schema.names]
        found = _checks.closest(name, spare)  # e.g. 'vacancy' for 'vacancies'
        hint = f"; found {found!r} (did you mean {name!r}?)" if found is not None else ""
        problems.append(f"required column {name!r} is missing{hint}")
    if len(df) == 0 and errors == "raise" and schema.name not in _MAY_BE_EMPTY:
        problems.append("the table has no rows")
    if problems:
        first = missing[0] if missing else None
        reason = "missing_column" if missing else ("empty_table" if len(df) == 0
                                                   else "repeated_column")
        raise SchemaError(
            f"{schema.name}: " + "; ".join(problems)
            + f". Required columns: {schema.required}",
            column=first,
            reason=reason,
        )


def _empty_table_note(schema: TableSchema, n: int) -> list[QualityNote]:
    """The report's note on a table without rows (an error with ``errors="raise"``)."""
    if n or schema.name in _MAY_BE_EMPTY:
        return []
    return [QualityNote(("empty_table",), 0)]


def _empty_rows(df: pd.DataFrame, schema: TableSchema, bad: np.ndarray) -> np.ndarray:
    """Rows (among those that failed) whose every schema column is missing or blank."""
    empty = np.zeros(len(df), dtype=bool)
    candidates = np.flatnonzero(bad)
    if candidates.size == 0:
        return empty
    rows = df.iloc[candidates][[c for c in schema.names if c in df.columns]]
    blank = np.ones(candidates.size, dtype=bool)
    for name in rows.columns:
        blank &= is_blank(rows[name])
    empty[candidates[blank]] = True
    return empty


def _is_period_of(values: pd.Series, freq: str | None) -> bool:
    """Whether ``values`` already are calendar Periods of ``freq`` (of Y, Q or M when None).

    Fiscal Periods (``period[Q-MAR]``) are not: they go through
    :func:`~talentgap.periods.parse_period_values`, which refuses each with its
    calendar period and the conversion (rule ``bad_period``).
    """
    code = period_dtype_code(values.dtype)
    return code is not None and (freq is None or code == normalize_freq(freq))


def _suspicious(clean: pd.DataFrame, schema: TableSchema, lines: np.ndarray,
                kept: np.ndarray) -> list[QualityNote]:
    """Legal but unusual values of the clean rows (``kept`` rows of the input)."""
    found = []
    for a, b, factor in schema.suspicious_above:
        if a not in clean.columns or b not in clean.columns:
            continue
        x, y = clean[a].to_numpy(), clean[b].to_numpy()
        if x.dtype.kind == y.dtype.kind == "i" and float(factor).is_integer():
            mask = x > y * int(factor)  # counts <= 2**53: no overflow, no float copy
        else:
            mask = x > factor * y
        if mask.any():
            first = np.flatnonzero(kept)[np.flatnonzero(mask)[:_MAX_EXAMPLES]]
            found.append(QualityNote(("above", a, b, factor), int(mask.sum()),
                                     tuple(lines[first].tolist())))
    return found


def _schema_error(df: pd.DataFrame, schema: TableSchema, cases: pd.DataFrame,
                  allowed: dict | None = None) -> SchemaError:
    """One error for the whole table, from a :meth:`FailureLog.frame`."""
    examples = cases.groupby(["column", "rule"], sort=False).head(_MAX_EXAMPLES)["position"]
    examples = np.unique(examples.to_numpy())
    label_columns = [c for c in schema.row_label if c in df.columns]
    labels = _checks.row_labels(df.iloc[examples][label_columns])
    described = _checks.describe_failures(cases, pd.Series(labels.to_numpy(), index=examples),
                                          allowed=allowed)
    n_bad = cases["position"].nunique()
    n_fail = len(cases)
    head = (f"{schema.name}: {n_bad} of {len(df)} rows fail validation "
            f"({n_fail} failure{'s' if n_fail != 1 else ''}):")
    first = cases.iloc[0]
    return SchemaError(
        "\n".join([head] + [f"  - {d}" for d in described]),
        column=str(first["column"]),
        reason=str(first["rule"]),
        failure_cases=cases[_checks.FAILURE_COLUMNS].copy(),
    )
