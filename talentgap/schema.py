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

from talentgap import _tables
from talentgap._quality import DataQualityReport, reject_incomplete_groups
from talentgap._tables import (
    INDUSTRY,
    PERIOD,
    REGION,
    SCHEMAS,
    Column,
    TableSchema,
    describe_schema,
    get_schema,
    row_key,
)
from talentgap._units import unit_codes
from talentgap._validation import check_constant, validate

# The definitions live in talentgap._tables; they are documented here, where the API
# reference reads them.
#: Detail columns of the long surveys form: a row per enterprise x period x detail.
DETAIL_COLUMNS = _tables.DETAIL_COLUMNS
#: Enterprise-level columns of the surveys table: equal on every row of an
#: enterprise-period (checked by :func:`validate`, rule ``not_constant``).
UNIT_COLUMNS = _tables.UNIT_COLUMNS
#: The two parts of the long surveys form, joined by
#: :func:`talentgap.features.long_form`; kept apart from :data:`SCHEMAS`
#: (the input tables) but known to :func:`get_schema` and :func:`validate`.
PART_SCHEMAS = _tables.PART_SCHEMAS

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
    "reject_incomplete_groups",
    "PART_SCHEMAS",
]
