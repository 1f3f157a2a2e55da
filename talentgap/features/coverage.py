"""Every occupation with vacancies is trained for: a crosswalk's coverage of the demand.

With demand keyed by occupation, a ``program, occupation, share``
crosswalk (see :mod:`talentgap.features.crosswalk`) names the programmes
that train for each occupation. Vacancies for an occupation no programme
trains for could never be met by a plan, and would silently show as a gap
with no possible supply; :func:`check_coverage` refuses them, naming the
lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap import _checks
from talentgap.errors import ParameterError, SchemaError
from talentgap.features.crosswalk import check_crosswalk, crosswalk_target

__all__ = ["check_coverage", "fed_occupations", "unfed_rows", "coverage_error"]

_MAX_SHOWN = 5


def check_coverage(surveys: pd.DataFrame, crosswalk: pd.DataFrame, *,
                   table: str = "surveys") -> None:
    """Raise if a row with vacancies names an occupation the crosswalk does not feed.

    Rows with ``vacancies > 0`` and a filled-in ``occupation`` are checked
    (a blank occupation belongs to no occupation cell); crosswalk rows with
    share 0 feed nothing.

    Parameters
    ----------
    surveys : pandas.DataFrame
        A table with ``occupation`` and ``vacancies`` columns (line numbers
        count its rows after a header line).
    crosswalk : pandas.DataFrame
        ``program, occupation, share`` (checked by
        :func:`talentgap.features.crosswalk.check_crosswalk`).
    table : str, default "surveys"
        The table's name, for the message.

    Raises
    ------
    SchemaError
        Rule ``not_in_crosswalk`` on column ``occupation``, naming the table,
        the occupations, the count and the first lines; or a bad crosswalk.
    ParameterError
        If the crosswalk does not map programmes to occupations, or the table
        has no ``occupation`` column.

    Examples
    --------
    >>> surveys = pd.DataFrame({"occupation": ["welder", "sewer", "welder", "fitter"],
    ...                         "vacancies": [2, 1, 0, 3]})
    >>> crosswalk = pd.DataFrame({"program": ["welding"], "occupation": ["welder"],
    ...                           "share": [1.0]})
    >>> check_coverage(surveys, crosswalk)
    Traceback (most recent call last):
    ...
    talentgap.errors.SchemaError: surveys: column 'occupation' must name an occupation some \
programme of the crosswalk trains for [not_in_crosswalk]; 2 rows with vacancies fail \
(occupations 'sewer', 'fitter'), e.g. line 3: 'sewer', line 5: 'fitter'
    """
    if crosswalk_target(crosswalk) == "occupation" and "occupation" not in surveys.columns:
        raise ParameterError(f"the {table} table has no 'occupation' column")
    fed = fed_occupations(crosswalk)
    unfed = unfed_rows(surveys, fed)
    if not unfed.any():
        return
    rows = np.flatnonzero(unfed)
    values = np.asarray(surveys["occupation"].iloc[rows], dtype=object)
    raise coverage_error(values, rows + 2, rows, table=table)  # line 1 is the header


def fed_occupations(crosswalk: pd.DataFrame) -> pd.Index:
    """The occupations some programme of a checked ``program, occupation, share`` crosswalk feeds.

    Examples
    --------
    >>> crosswalk = pd.DataFrame({"program": ["welding", "welding"],
    ...                           "occupation": ["welder", "fitter"], "share": [1.0, 0.0]})
    >>> fed_occupations(crosswalk).tolist()
    ['welder']
    """
    if crosswalk_target(crosswalk) != "occupation":
        raise ParameterError("the crosswalk has no 'occupation' column: it does not say which "
                             "programmes train for an occupation")
    return pd.Index(check_crosswalk(crosswalk, target="occupation")["occupation"].astype(str))


def unfed_rows(surveys: pd.DataFrame, fed: pd.Index) -> np.ndarray:
    """Mask of the rows with vacancies for a named occupation outside ``fed``.

    Examples
    --------
    >>> rows = pd.DataFrame({"occupation": ["welder", "sewer", None], "vacancies": [1, 2, 3]})
    >>> unfed_rows(rows, pd.Index(["welder"])).tolist()
    [False, True, False]
    """
    occupation = surveys["occupation"]
    vacancies = pd.to_numeric(surveys["vacancies"], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan)
    named = occupation.notna().to_numpy()
    return named & (vacancies > 0) & ~occupation.astype(str).isin(fed).to_numpy()


def coverage_error(values: np.ndarray, lines: np.ndarray, rows: np.ndarray, *,
                   table: str = "surveys", count: int | None = None) -> SchemaError:
    """The error of :func:`check_coverage` for the failing rows, in line order.

    ``values`` are their occupations, ``lines`` their input lines, ``rows``
    their positions; ``count`` is the number of failing rows when only some
    are given (the first ones, and the first of each occupation).

    Examples
    --------
    >>> error = coverage_error(np.array(["sewer"], dtype=object), np.array([3]), np.array([1]))
    >>> error.reason, error.failure_cases["line"].tolist()
    ('not_in_crosswalk', [3])
    """
    count = len(values) if count is None else count
    names = ", ".join(repr(v) for v in pd.unique(values)[:_MAX_SHOWN])
    shown = ", ".join(f"line {line}: {value!r}"
                      for line, value in zip(lines[:_MAX_SHOWN], values[:_MAX_SHOWN],
                                             strict=True))
    text = "must name an occupation some programme of the crosswalk trains for"
    cases = pd.DataFrame({"line": lines, "row": rows, "column": "occupation",
                          "rule": "not_in_crosswalk", "value": values, "message": text},
                         columns=_checks.FAILURE_COLUMNS)
    return SchemaError(
        f"{table}: column 'occupation' {text} [not_in_crosswalk]; {count} "
        f"{'row' if count == 1 else 'rows'} with vacancies "
        f"{'fails' if count == 1 else 'fail'} (occupations {names}), e.g. {shown}",
        column="occupation", reason="not_in_crosswalk", failure_cases=cases)
