"""The input tables: canonical column names and the rules of each table.

:class:`Column` and :class:`TableSchema` describe a table; :data:`SCHEMAS`
holds the three input tables (``surveys``, ``training``, ``employment``) and
:data:`PART_SCHEMAS` the two parts of the long surveys form. Checking a frame
against these rules lives in :mod:`talentgap._validation`; the public names
are re-exported by :mod:`talentgap.schema`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from talentgap import _checks
from talentgap.errors import ParameterError
from talentgap.periods import freq_name

__all__ = [
    "PERIOD",
    "REGION",
    "INDUSTRY",
    "Column",
    "TableSchema",
    "SCHEMAS",
    "PART_SCHEMAS",
    "get_schema",
    "describe_schema",
    "DETAIL_COLUMNS",
    "UNIT_COLUMNS",
    "row_key",
]

PERIOD = "period"
REGION = "region"
INDUSTRY = "industry"

# DETAIL_COLUMNS, UNIT_COLUMNS and PART_SCHEMAS are documented in talentgap.schema,
# their public home.
DETAIL_COLUMNS = ("occupation", "skill_level")
UNIT_COLUMNS = (REGION, INDUSTRY, "employees", "reports_shortage", "weight", "size_band",
                "stratum")

ColumnKind = Literal["period", "id", "key", "count", "weight", "flag"]


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
    distinct_rows : bool
        Whether a row must differ from every earlier row in some column.
        For a table whose rows are summed (training cohorts), a copy of a
        row would count its people twice (rule ``duplicate_row``).
    """

    name: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()
    at_most: tuple[tuple[str, str], ...] = ()
    suspicious_above: tuple[tuple[str, str, float], ...] = ()
    row_label: tuple[str, ...] = ()
    detail: tuple[str, ...] = ()
    constant: tuple[str, ...] = ()
    distinct_rows: bool = False

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
            Column("from_level", "key", required=False, blank_ok=True,
                   description="upgrade training: the level the trainees held before "
                               "(blank for new trainees)"),
            Column("enrolled", "count", required=False, description="people enrolled (persons)"),
        ),
        at_most=(("certified", "trained"),),
        row_label=(REGION, INDUSTRY, "program", PERIOD),
        distinct_rows=True,
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


def row_key(schema: TableSchema, columns: Iterable[str]) -> list[str]:
    """The columns that identify a row: ``schema.unique`` and the detail columns present.

    Examples
    --------
    >>> row_key(get_schema("surveys"), ["enterprise_id", "period", "skill_level"])
    ['enterprise_id', 'period', 'skill_level']
    """
    present = set(columns)
    return [*schema.unique, *(c for c in schema.detail if c in present)]


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
