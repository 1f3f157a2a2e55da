"""Canonical tables, their rules, and validation.

talentgap reads three input tables (see the project's architecture notes):

``surveys``
    One row per enterprise per period, or in long form one row per
    enterprise x period x detail (``occupation`` and/or ``skill_level``):
    ``period, enterprise_id, region, industry, employees, vacancies,
    hard_to_fill, reports_shortage``; optional ``weight`` (design weight, 1
    when absent), ``size_band``, ``stratum``, ``skill_level``,
    ``occupation``. Enterprise-level columns repeat, equal, on every detail
    row of an enterprise-period (see :data:`UNIT_COLUMNS`); a blank detail
    marks vacancies not broken down by that detail.
``training``
    One row per programme (or cohort) per period: ``period, region,
    industry, trained, certified``; optional ``program``, ``skill_level``,
    ``enrolled``.
``employment``
    ``period, region, industry, employment``; optional ``skilled``,
    ``high_skilled``, ``skill_level`` (then one row per region x industry x
    skill level x period, the levels splitting the cell's employment).

:func:`validate` checks a table against its schema, collects **every**
failure, and either raises one :class:`~talentgap.errors.SchemaError` or
returns the clean rows with a :class:`DataQualityReport` that accounts for
every input row.

Examples
--------
>>> import pandas as pd
>>> from talentgap.schema import validate
>>> raw = pd.DataFrame({
...     "period": ["2024Q1", "2024Q1"], "enterprise_id": ["E1", "E2"],
...     "region": ["Northvale", "Northvale"], "industry": ["textiles", "textiles"],
...     "employees": [40, 12], "vacancies": [3, 1], "hard_to_fill": [2, 4],
...     "reports_shortage": [1, 0]})
>>> clean, report = validate(raw, table="surveys", errors="report")
>>> report.rows_in, report.rows_kept, report.rows_rejected
(2, 1, 1)
>>> report.rejected[["line", "column", "rule"]]
   line        column               rule
0     3  hard_to_fill  exceeds_vacancies
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from talentgap import _checks
from talentgap.errors import DataQualityWarning, ParameterError, SchemaError, warn
from talentgap.periods import freq_name, normalize_freq, parse_period_values

__all__ = [
    "PERIOD",
    "REGION",
    "INDUSTRY",
    "Column",
    "TableSchema",
    "SCHEMAS",
    "get_schema",
    "DataQualityReport",
    "validate",
    "describe_schema",
    "DETAIL_COLUMNS",
    "UNIT_COLUMNS",
    "row_key",
    "unit_codes",
    "check_constant",
    "PART_SCHEMAS",
]

PERIOD = "period"
REGION = "region"
INDUSTRY = "industry"

#: Detail columns of the long surveys form: a row per enterprise x period x detail.
DETAIL_COLUMNS = ("occupation", "skill_level")
#: Enterprise-level columns of the surveys table: equal on every row of an
#: enterprise-period (checked by :func:`validate`, rule ``not_constant``).
UNIT_COLUMNS = (REGION, INDUSTRY, "employees", "reports_shortage", "weight", "size_band",
                "stratum")

ColumnKind = Literal["period", "id", "key", "count", "weight", "flag"]

_MAX_EXAMPLES = 5
_NAT = np.iinfo(np.int64).min  # the ordinal of a missing Period (NaT)
_PERIOD_DTYPES = {code: pd.PeriodDtype(code) for code in ("Y", "Q", "M")}


@dataclass(frozen=True)
class Column:
    """One column of a table schema.

    Parameters
    ----------
    name : str
        Canonical column name.
    kind : {"period", "id", "key", "count", "weight", "flag"}
        What the column holds, which decides its rules and clean dtype:
        ``period`` -> ``Period`` of the declared frequency; ``id`` and ``key``
        -> categorical, never missing; ``count`` -> ``int64``, whole numbers
        >= 0; ``weight`` -> ``float64``, finite and > 0; ``flag`` -> ``bool``
        from true/false, 1/0 or yes/no.
    required : bool, default True
        Whether the table must have the column. Optional columns, when
        present, follow the same rules.
    description : str
        Meaning and unit, for documentation and reports.
    blank_ok : bool, default False
        Whether a ``key`` column may be blank on a row (a detail column of
        the long surveys form: blank means "not broken down by it").
    """

    name: str
    kind: ColumnKind
    required: bool = True
    description: str = ""
    blank_ok: bool = False


@dataclass(frozen=True)
class TableSchema:
    """Rules of one input table.

    Parameters
    ----------
    name : str
        Table name (``"surveys"``, ``"training"``, ``"employment"``).
    columns : tuple of Column
    unique : tuple of str
        Columns that together identify a row (empty: no uniqueness rule).
    at_most : tuple of (str, str)
        Pairs ``(a, b)`` with the rule ``a <= b``.
    suspicious_above : tuple of (str, str, float)
        Triples ``(a, b, k)``: ``a > k * b`` is legal but draws a
        :class:`~talentgap.errors.DataQualityWarning`.
    row_label : tuple of str
        Columns that name a row in messages, e.g. ``("enterprise_id", "period")``.
    detail : tuple of str
        Columns that, when present, extend ``unique``: the table may hold one
        row per ``unique`` x detail (the long surveys form).
    constant : tuple of str
        Columns that must be equal on every row sharing the ``unique``
        values (enterprise-level columns of the long form).
    """

    name: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()
    at_most: tuple[tuple[str, str], ...] = ()
    suspicious_above: tuple[tuple[str, str, float], ...] = ()
    row_label: tuple[str, ...] = ()
    detail: tuple[str, ...] = ()
    constant: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        """All column names, required first."""
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """Names of the required columns."""
        return [c.name for c in self.columns if c.required]

    @property
    def keys(self) -> list[str]:
        """Names of the categorical key columns (``kind == "key"``)."""
        return [c.name for c in self.columns if c.kind == "key"]

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


SCHEMAS: dict[str, TableSchema] = {
    "surveys": TableSchema(
        name="surveys",
        columns=(
            Column(PERIOD, "period", description="survey period"),
            Column("enterprise_id", "id", description="enterprise identifier"),
            Column(REGION, "key", description="region code"),
            Column(INDUSTRY, "key", description="industry code"),
            Column("employees", "count", description="employees at the enterprise (persons)"),
            Column("vacancies", "count", description="open vacancies (posts)"),
            Column("hard_to_fill", "count",
                   description="vacancies hard to fill for lack of skills (posts)"),
            Column("reports_shortage", "flag",
                   description="the enterprise reports a skill shortage"),
            Column("weight", "weight", required=False,
                   description="design weight (enterprises represented); 1 when absent"),
            Column("size_band", "key", required=False, description="enterprise size band"),
            Column("stratum", "key", required=False, description="sampling stratum"),
            Column("skill_level", "key", required=False, blank_ok=True,
                   description="skill level of the vacancies (a detail of the long form)"),
            Column("occupation", "key", required=False, blank_ok=True,
                   description="occupation of the vacancies (a detail of the long form)"),
        ),
        unique=("enterprise_id", PERIOD),
        at_most=(("hard_to_fill", "vacancies"),),
        suspicious_above=(("vacancies", "employees", 5.0),),
        row_label=("enterprise_id", PERIOD, *DETAIL_COLUMNS),
        detail=DETAIL_COLUMNS,
        constant=UNIT_COLUMNS,
    ),
    "training": TableSchema(
        name="training",
        columns=(
            Column(PERIOD, "period", description="training period"),
            Column(REGION, "key", description="region code"),
            Column(INDUSTRY, "key", description="industry code"),
            Column("trained", "count", description="people who completed training (persons)"),
            Column("certified", "count",
                   description="people who passed the skill certification (persons)"),
            Column("program", "key", required=False, description="training programme"),
            Column("skill_level", "key", required=False, description="skill level"),
            Column("enrolled", "count", required=False, description="people enrolled (persons)"),
        ),
        at_most=(("certified", "trained"),),
        row_label=(REGION, INDUSTRY, "program", PERIOD),
    ),
    "employment": TableSchema(
        name="employment",
        columns=(
            Column(PERIOD, "period", description="period"),
            Column(REGION, "key", description="region code"),
            Column(INDUSTRY, "key", description="industry code"),
            Column("employment", "count", description="employed persons"),
            Column("skilled", "count", required=False, description="skilled workers (persons)"),
            Column("high_skilled", "count", required=False,
                   description="high-skilled workers (persons)"),
            Column("skill_level", "key", required=False,
                   description="skill level: the rows of a cell-period split its employment"),
        ),
        unique=(PERIOD, REGION, INDUSTRY),
        at_most=(("skilled", "employment"), ("high_skilled", "skilled")),
        row_label=(REGION, INDUSTRY, "skill_level", PERIOD),
        detail=("skill_level",),
    ),
}

_ENTERPRISE_COLUMNS = tuple(c for c in SCHEMAS["surveys"].columns
                            if c.name not in ("vacancies", "hard_to_fill", *DETAIL_COLUMNS))
#: The two parts of the long surveys form, joined by
#: :func:`talentgap.features.long_form`; kept apart from :data:`SCHEMAS`
#: (the input tables) but known to :func:`get_schema` and :func:`validate`.
PART_SCHEMAS: dict[str, TableSchema] = {
    "enterprises": TableSchema(
        name="enterprises",
        columns=_ENTERPRISE_COLUMNS,
        unique=("enterprise_id", PERIOD),
        row_label=("enterprise_id", PERIOD),
    ),
    "vacancies": TableSchema(
        name="vacancies",
        columns=(
            Column(PERIOD, "period", description="survey period"),
            Column("enterprise_id", "id", description="enterprise identifier"),
            *(c for c in SCHEMAS["surveys"].columns
              if c.name in ("vacancies", "hard_to_fill", *DETAIL_COLUMNS)),
        ),
        unique=("enterprise_id", PERIOD),
        at_most=(("hard_to_fill", "vacancies"),),
        row_label=("enterprise_id", PERIOD, *DETAIL_COLUMNS),
        detail=DETAIL_COLUMNS,
    ),
}


def get_schema(table: str) -> TableSchema:
    """Return the schema of ``table``.

    Raises
    ------
    ParameterError
        If no table has that name (with a suggestion for near misses).

    Examples
    --------
    >>> get_schema("training").required
    ['period', 'region', 'industry', 'trained', 'certified']
    """
    if table in SCHEMAS:
        return SCHEMAS[table]
    if table in PART_SCHEMAS:
        return PART_SCHEMAS[table]
    hint = _checks.did_you_mean(str(table), SCHEMAS)
    raise ParameterError(f"unknown table {table!r}{hint}; tables are {sorted(SCHEMAS)}")


@dataclass
class DataQualityReport:
    """Accounting of every input row of one validated table.

    Attributes
    ----------
    table : str
        Table name.
    rows_in, rows_kept, rows_rejected : int
        ``rows_kept + rows_rejected == rows_in`` always; a row failing two
        rules is one rejected row with two failures.
    rejected : pandas.DataFrame
        One row per failure: ``line`` (input line number), ``row`` (index
        label in the input frame), ``column``, ``rule`` (a code such as
        ``"negative"``), ``value`` (the raw input value) and ``message`` (what
        is wrong with it, e.g. ``"9 > 4"``).
    warnings : list of str
        Suspicious but legal findings (also issued as
        :class:`~talentgap.errors.DataQualityWarning`).
    freq : str or None
        Frequency of the parsed periods.
    extra_columns : list of str
        Input columns outside the schema, kept unchanged.
    """

    table: str
    rows_in: int
    rows_kept: int
    rows_rejected: int
    rejected: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    freq: str | None = None
    extra_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no row was rejected."""
        return self.rows_rejected == 0

    def summary(self) -> str:
        """One paragraph: the row accounting, then one line per failed rule."""
        head = (
            f"{self.table}: {self.rows_in} rows in, {self.rows_kept} kept, "
            f"{self.rows_rejected} rejected"
        )
        cases = self.rejected.assign(position=self.rejected["line"])
        lines = [head] + [f"  - {text}" for text in _checks.describe_failures(cases)]
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
            "failures": [
                {"column": c, "rule": r, "count": int(n)} for (c, r), n in counts.items()
            ],
            "warnings": list(self.warnings),
            "freq": self.freq,
            "extra_columns": list(self.extra_columns),
        }

    def __str__(self) -> str:
        return self.summary()


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
    categoricals and periods, and every other problem rejects its row.

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
        :class:`DataQualityReport` on the rest.
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
        With ``errors="raise"``, when any row breaks a rule. In both modes,
        for problems of the whole table: an empty table, missing required
        columns (with a hint for near misses), repeated column names,
        ambiguous periods. ``failure_cases`` holds every failure.
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
    _check_table_shape(df, schema)

    n = len(df)
    lines = (np.arange(n, dtype=np.int64) + 2 if line_numbers is None
             else np.asarray(list(line_numbers), dtype=np.int64))
    if lines.shape != (n,):
        raise ParameterError(f"line_numbers has {lines.size} entries for {n} rows")
    log = _checks.FailureLog(n)
    converted: dict[str, object] = {}
    numbers: dict[str, np.ndarray] = {}
    usable: dict[str, np.ndarray | None] = {}
    declared = freq
    for col in schema.columns:
        if col.name not in df.columns:
            continue
        values = df[col.name]
        if col.kind == "period" and _is_period_of(values, freq):
            periods = values.array
            declared = next(code for code, dtype in _PERIOD_DTYPES.items()
                            if dtype == values.dtype)
            missing = periods.asi8 == _NAT
            if missing.any():
                log.add(missing, col.name, "missing_value", values, "period is missing")
            converted[col.name] = periods
        elif col.kind == "period":
            parsed = parse_period_values(values, freq=freq)
            if parsed.table_error is not None:
                raise SchemaError(f"{table}: column {col.name!r}: {parsed.table_error}",
                                  column=col.name, reason="ambiguous_period")
            for rule in ("missing_value", "bad_period"):
                log.add(parsed.failed & (parsed.rule == rule), col.name, rule, values,
                        parsed.message)
            converted[col.name] = parsed.periods
            declared = parsed.freq
        elif col.kind in ("count", "weight"):
            numbers[col.name] = _checks.check_numeric(values, col.name, col.kind, log)
            failed = log.bad_in([col.name])
            usable[col.name] = ~failed if failed.any() else None
        elif col.kind == "flag":
            converted[col.name] = _checks.check_flag(values, col.name, log)
        else:
            target = _BlankAllowed(log) if col.blank_ok else log
            converted[col.name] = _checks.check_key(values, col.name, target,
                                                    allowed.get(col.name))
    for a, b in schema.at_most:
        _checks.check_at_most(df, numbers, a, b, log, usable)
    if schema.unique:
        keys = pd.DataFrame({c: converted[c] for c in row_key(schema, df.columns)})
        _checks.check_unique(df, keys, log, lines)
    if schema.constant and any(c in df.columns for c in schema.detail):
        unit = unit_codes(pd.DataFrame({c: converted[c] for c in schema.unique}))
        first = _first_of_unit(unit)
        for name in (c for c in schema.constant if c in df.columns):
            value = numbers[name] if name in numbers else converted[name]
            _log_not_constant(df, unit, value, ~log.bad_in([name]), name, log, lines, first)

    log.collapse(_empty_rows(df, schema, log.bad), "*", "empty_row",
                 "the row (line) is empty")
    found_cases = log.frame(lines, df.index)
    cases = found_cases[_checks.FAILURE_COLUMNS]
    kept = ~log.bad
    clean = _assemble(df, schema, converted, numbers, kept, allowed)
    found = _suspicious(clean, schema, lines[kept])
    for text in found:
        warn(f"{table}: {text}", DataQualityWarning, stacklevel=2)

    if errors == "raise" and len(cases):
        raise _schema_error(df, schema, found_cases)
    if errors == "raise":
        return clean
    report = DataQualityReport(
        table=table,
        rows_in=n,
        rows_kept=int(kept.sum()),
        rows_rejected=int((~kept).sum()),
        rejected=cases,
        warnings=found,
        freq=declared,
        extra_columns=[c for c in df.columns if c not in schema.names],
    )
    return clean, report


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


def row_key(schema: TableSchema, columns: Iterable[str]) -> list[str]:
    """The columns that identify a row: ``schema.unique`` and the detail columns present.

    Examples
    --------
    >>> row_key(get_schema("surveys"), ["enterprise_id", "period", "skill_level"])
    ['enterprise_id', 'period', 'skill_level']
    """
    present = set(columns)
    return [*schema.unique, *(c for c in schema.detail if c in present)]


def _digits(values) -> np.ndarray:
    """Integer codes of one column (-1 for a missing value): equal values, equal codes."""
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values.dtype, pd.CategoricalDtype):
        return np.asarray(values.codes, dtype=np.int64)
    if isinstance(values.dtype, pd.PeriodDtype):
        ordinals = np.asarray(values.asi8, dtype=np.int64)
        missing = ordinals == _NAT
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
        digit = _digits(frame[name])
        missing |= digit < 0
        width = int(digit.max()) + 1 if digit.size else 1
        combined *= max(width, 1)
        combined += np.maximum(digit, 0)
    if not missing.any():
        return pd.factorize(combined)[0].astype(np.int64, copy=False)
    codes = np.full(len(frame), -1, dtype=np.int64)
    codes[~missing] = pd.factorize(combined[~missing])[0]
    return codes.astype(np.int64, copy=False)


def _first_of_unit(unit: np.ndarray) -> np.ndarray:
    """Position of the first row of each row's unit (a row without a unit: itself)."""
    n = unit.size
    has_unit = unit >= 0
    if n == 0 or not has_unit.any():
        return np.arange(n)
    first = np.zeros(int(unit.max()) + 1, dtype=np.int64)
    positions = np.flatnonzero(has_unit)[::-1]
    first[unit[positions]] = positions  # the last write is the first row
    return np.where(has_unit, first[np.maximum(unit, 0)], np.arange(n))


def _log_not_constant(df: pd.DataFrame, unit: np.ndarray, values, usable: np.ndarray,
                      name: str, log, lines: np.ndarray,
                      first: np.ndarray | None = None) -> None:
    """Record rows of units (enterprise-periods) where column ``name`` takes several values.

    Every row of such a unit whose value is usable fails rule
    ``not_constant``; its message names another line of the unit holding a
    different value. Vectorised: gathers over the rows, Python work only to
    format the failing rows' messages.
    """
    digits = _digits(values) if not isinstance(values, np.ndarray) else values
    with np.errstate(invalid="ignore"):
        first = _first_of_unit(unit) if first is None else first
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
        digits = _digits(df[name])
        _log_not_constant(df, unit, digits, digits >= 0, name, log, lines)
    cases = log.frame(lines, df.index)
    if len(cases):
        raise _schema_error(df, schema, cases)


def _check_table_shape(df: pd.DataFrame, schema: TableSchema) -> None:
    """Failures of the table as a whole, which no row-level report can carry."""
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
    if len(df) == 0:
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


def _empty_rows(df: pd.DataFrame, schema: TableSchema, bad: np.ndarray) -> np.ndarray:
    """Rows (among those that failed) whose every schema column is missing or blank."""
    empty = np.zeros(len(df), dtype=bool)
    candidates = np.flatnonzero(bad)
    if candidates.size == 0:
        return empty
    rows = df.iloc[candidates][[c for c in schema.names if c in df.columns]]
    blank = np.ones(candidates.size, dtype=bool)
    for name in rows.columns:
        blank &= _checks.is_blank(rows[name])
    empty[candidates[blank]] = True
    return empty


def _is_period_of(values: pd.Series, freq: str | None) -> bool:
    """Whether ``values`` already are Periods of ``freq`` (of any of Y, Q, M when None)."""
    if not isinstance(values.dtype, pd.PeriodDtype):
        return False
    if freq is None:
        return values.dtype in _PERIOD_DTYPES.values()
    return values.dtype == _PERIOD_DTYPES[normalize_freq(freq)]


def _assemble(df: pd.DataFrame, schema: TableSchema, converted: dict, numbers: dict,
              kept: np.ndarray, allowed: dict) -> pd.DataFrame:
    """The kept rows with canonical dtypes, in the input's column order.

    Every column is a new array (the clean table never shares memory with
    the input), and the frame is built without consolidating the columns
    into 2-D blocks (one copy per column, not two).
    """
    everything = bool(kept.all())
    positions = slice(None) if everything else np.flatnonzero(kept)

    def take(values):
        return values.copy() if everything else values[positions]

    out = {}
    for name in df.columns:
        if name not in schema.names:
            out[name] = take(df[name].array)
        elif schema.column(name).kind == "count":
            out[name] = numbers[name][positions].astype(np.int64)  # always a new array
        elif schema.column(name).kind == "weight":
            out[name] = take(numbers[name])
        elif name in allowed:
            out[name] = take(converted[name])
        else:  # categories: the values of the kept rows only
            out[name] = take(converted[name])
            if schema.column(name).kind in ("id", "key"):
                out[name] = _drop_unused(out[name])
    index = df.index if everything else df.index[positions]
    return pd.DataFrame(out, index=index, copy=False)


def _drop_unused(values: pd.Categorical) -> pd.Categorical:
    """``remove_unused_categories`` without sorting the codes (a count per category)."""
    codes = values.codes
    n_categories = len(values.categories)
    used = np.zeros(n_categories + 1, dtype=bool)  # the last slot stands for code -1
    used[codes] = True
    used = used[:-1]
    if used.all():
        return values
    renumber = np.append(np.cumsum(used) - 1, -1)
    renumber[:-1][~used] = -1
    dtype = pd.CategoricalDtype(values.categories[used], ordered=values.ordered)
    return pd.Categorical.from_codes(renumber[codes], dtype=dtype, validate=False)


def _suspicious(clean: pd.DataFrame, schema: TableSchema, lines: np.ndarray) -> list[str]:
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
            shown = ", ".join(f"line {ln}" for ln in lines[mask][:_MAX_EXAMPLES])
            found.append(
                f"{int(mask.sum())} row(s) with {a} > {factor:g} x {b} (legal but unusual; "
                f"check units), e.g. {shown}"
            )
    return found


def _schema_error(df: pd.DataFrame, schema: TableSchema, cases: pd.DataFrame) -> SchemaError:
    """One error for the whole table, from a :meth:`FailureLog.frame`."""
    examples = cases.groupby(["column", "rule"], sort=False).head(_MAX_EXAMPLES)["position"]
    examples = np.unique(examples.to_numpy())
    label_columns = [c for c in schema.row_label if c in df.columns]
    shown = df.iloc[examples][label_columns].astype(object)
    # astype(str) keeps missing values as NaN (pandas >= 3), which str.join cannot take
    labels = shown.where(shown.notna(), "NA").map(str).agg(", ".join, axis=1)
    described = _checks.describe_failures(cases, pd.Series(labels.to_numpy(), index=examples))
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


def describe_schema(table: str, freq: str | None = None) -> pd.DataFrame:
    """Tabulate a schema's columns (name, kind, required, description).

    Examples
    --------
    >>> describe_schema("employment")["column"].tolist()
    ['period', 'region', 'industry', 'employment', 'skilled', 'high_skilled', 'skill_level']
    """
    schema = get_schema(table)
    label = f" ({freq_name(freq)})" if freq else ""
    return pd.DataFrame(
        {
            "column": [c.name for c in schema.columns],
            "kind": [c.kind for c in schema.columns],
            "required": [c.required for c in schema.columns],
            "description": [c.description + (label if c.kind == "period" else "")
                            for c in schema.columns],
        }
    )
