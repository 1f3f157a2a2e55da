"""The two-table form of the surveys: an enterprise table joined to a vacancies table.

The canonical ``surveys`` table is long: one row per enterprise x period x
detail (``occupation`` and/or ``skill_level``), the enterprise-level columns
repeated, equal, on every detail row. Some bureaus keep the same answers as
two tables instead:

``enterprises``
    One row per enterprise per period: ``period, enterprise_id, region,
    industry, employees, reports_shortage``; optional ``weight``,
    ``size_band``, ``stratum`` and any design columns (PSU, population
    count).
``vacancies``
    One row per enterprise x period x detail: ``period, enterprise_id,
    vacancies, hard_to_fill``; optional ``occupation``, ``skill_level``.

:func:`long_form` joins them into the canonical long table, which every
estimator takes (:func:`talentgap.features.estimate_cells`,
:func:`talentgap.features.build_panel`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._checks import FAILURE_COLUMNS
from talentgap._words import rows_fail
from talentgap.errors import SchemaError
from talentgap.features._level_codes import unknown_level_error, unknown_levels
from talentgap.schema import DETAIL_COLUMNS, get_schema, validate

__all__ = ["long_form"]

_MAX_EXAMPLES = 5
_COUNTS = ("vacancies", "hard_to_fill")


def _misplaced(frame: pd.DataFrame, table: str, columns, home: str) -> None:
    """Raise if ``frame`` holds a column that belongs to the other table."""
    found = [c for c in columns if c in frame.columns]
    if found:
        raise SchemaError(
            f"{table}: column {found[0]!r} belongs in the {home} table [misplaced_column]; "
            f"the {table} table holds {'enterprise-level' if table == 'enterprises' else 'detail'}"
            f" columns only (columns found there: {found})",
            column=found[0], reason="misplaced_column",
        )


def _unit_keys(frame: pd.DataFrame) -> pd.MultiIndex:
    """(enterprise_id as text, period ordinal) of every row."""
    ids = frame["enterprise_id"].astype(str).to_numpy(dtype=object)
    return pd.MultiIndex.from_arrays([ids, frame["period"].array.asi8])


def _unknown_enterprises(vacancies: pd.DataFrame, rows: np.ndarray) -> SchemaError:
    lines = rows + 2
    labels = [f"line {line} ({e}, {p})" for line, e, p in zip(
        lines[:_MAX_EXAMPLES], vacancies["enterprise_id"].iloc[rows[:_MAX_EXAMPLES]],
        vacancies["period"].iloc[rows[:_MAX_EXAMPLES]], strict=True)]
    cases = pd.DataFrame({
        "line": lines, "row": vacancies.index[rows].to_numpy(dtype=object),
        "column": "enterprise_id", "rule": "unknown_enterprise",
        "value": vacancies["enterprise_id"].iloc[rows].to_numpy(dtype=object),
        "message": "no row of the enterprises table has this enterprise_id and period",
    })[FAILURE_COLUMNS]
    return SchemaError(
        f"vacancies: column 'enterprise_id' must name an enterprise-period of the "
        f"enterprises table [unknown_enterprise]; {rows_fail(rows.size)}, e.g. "
        + "; ".join(labels),
        column="enterprise_id", reason="unknown_enterprise", failure_cases=cases,
    )


def long_form(enterprises: pd.DataFrame, vacancies: pd.DataFrame, *,
              freq: str | None = None, skill_levels=None) -> pd.DataFrame:
    """Join an enterprise table and a vacancies table into the long ``surveys`` table.

    Parameters
    ----------
    enterprises : pandas.DataFrame
        One row per enterprise per period with the enterprise-level columns
        of the surveys table: ``period, enterprise_id, region, industry,
        employees, reports_shortage``; optional ``weight``, ``size_band``,
        ``stratum``; any other column (a PSU, a population count) is
        carried to every row of its enterprise-period.
    vacancies : pandas.DataFrame
        One row per enterprise x period x detail: ``period, enterprise_id,
        vacancies, hard_to_fill``; optional ``occupation`` and
        ``skill_level`` (blank: not broken down by it); other columns are
        carried.
    freq : {"Y", "Q", "M"}, optional
        Period frequency of both tables (default: from the enterprises'
        labels; the vacancies are read at the same frequency).
    skill_levels : sequence of str or SkillLevels, optional
        The declared skill levels: a ``skill_level`` of the vacancies table
        outside them is an error naming the vacancies table and its lines.
        Without it, :func:`talentgap.features.estimate_cells` and
        :func:`talentgap.features.build_panel` check the levels later, on
        the joined table, and name its rows as those of a surveys table
        (the joined table keeps no link to the vacancies' lines, so it can
        be written to any file format).

    Returns
    -------
    pandas.DataFrame
        The canonical long surveys table (validated, canonical dtypes, a
        fresh index, columns: the enterprise table's, then ``vacancies,
        hard_to_fill``, the detail columns and the vacancies' other columns):
        for each enterprise row in input order, one row per
        vacancy row of its enterprise-period (in input order) with the
        enterprise columns repeated. An enterprise-period without vacancy
        rows reported none: it gets one row with ``vacancies`` and
        ``hard_to_fill`` 0 and blank details, so it still counts in
        ``employees`` and ``shortage_rate``.

    Raises
    ------
    SchemaError
        If either table breaks its rules (the error names the table,
        ``enterprises`` or ``vacancies``, and its lines), an enterprise-period
        repeats in ``enterprises``, a detail repeats in ``vacancies``, a column
        sits in the wrong table (rule ``misplaced_column``), or a vacancy row
        names an enterprise-period the enterprise table lacks (rule
        ``unknown_enterprise``, with the vacancies' lines), or a skill level
        of the vacancies lies outside ``skill_levels`` (rule
        ``unknown_code``, with the vacancies' lines).

    Examples
    --------
    >>> import pandas as pd
    >>> enterprises = pd.DataFrame({
    ...     "period": ["2024Q1", "2024Q1"], "enterprise_id": ["E1", "E2"],
    ...     "region": ["Ouhai", "Ouhai"], "industry": ["textiles", "textiles"],
    ...     "employees": [40, 12], "reports_shortage": [1, 0], "weight": [2.0, 3.0]})
    >>> vacancies = pd.DataFrame({
    ...     "period": ["2024Q1", "2024Q1"], "enterprise_id": ["E1", "E1"],
    ...     "occupation": ["welder", "CNC operator"], "vacancies": [3, 2],
    ...     "hard_to_fill": [2, 1]})
    >>> surveys = long_form(enterprises, vacancies)
    >>> surveys[["enterprise_id", "employees", "occupation", "vacancies"]]
      enterprise_id  employees    occupation  vacancies
    0            E1         40        welder          3
    1            E1         40  CNC operator          2
    2            E2         12           NaN          0

    Each enterprise counts once in ``employees``; E1's vacancies add up:

    >>> from talentgap.features import estimate_cells
    >>> estimate_cells(surveys)[["employees", "vacancies", "shortage_rate"]].to_dict("records")
    [{'employees': 116.0, 'vacancies': 10.0, 'shortage_rate': 0.4}]
    """
    _misplaced(enterprises, "enterprises", (*_COUNTS, *DETAIL_COLUMNS), "vacancies")
    enterprise_level = [c for c in get_schema("enterprises").names
                        if c not in ("period", "enterprise_id")]
    _misplaced(vacancies, "vacancies", enterprise_level, "enterprises")
    firms = validate(enterprises, table="enterprises", freq=freq)
    freq = firms["period"].array.freqstr[0]
    posts = validate(vacancies, table="vacancies", freq=freq)
    if skill_levels is not None and "skill_level" in posts.columns:
        levels = list(getattr(skill_levels, "order", skill_levels))
        rows = unknown_levels(posts["skill_level"], levels)
        if rows.size:  # positions are the input's: validation raised on any bad row
            raise unknown_level_error("vacancies", posts, "skill_level", levels, rows)

    owner = _unit_keys(firms).get_indexer(_unit_keys(posts))  # unique: validated
    unknown = np.flatnonzero(owner < 0)
    if unknown.size:
        raise _unknown_enterprises(posts, unknown)
    without = np.setdiff1d(np.arange(len(firms)), owner)  # enterprises with no vacancy row
    firm_of_row = np.concatenate([owner, without])
    post_of_row = np.concatenate([np.arange(len(posts)), np.full(without.size, -1)])
    order = np.lexsort((post_of_row, firm_of_row))  # a firm's no-vacancy row: none to sort
    firm_of_row, post_of_row = firm_of_row[order], post_of_row[order]

    out = {name: firms[name].array.take(firm_of_row) for name in firms.columns}
    first = [c for c in (*_COUNTS, *DETAIL_COLUMNS) if c in posts.columns]
    for name in [*first, *(c for c in posts.columns if c not in first)]:
        if name in ("period", "enterprise_id"):
            continue
        values = posts[name].array
        if name in _COUNTS:
            out[name] = np.asarray(values.take(post_of_row, allow_fill=True, fill_value=0))
        else:  # details and carried columns: blank on the rows without vacancies
            out[name] = values.take(post_of_row, allow_fill=True)
    return validate(pd.DataFrame(out), table="surveys", freq=freq)
