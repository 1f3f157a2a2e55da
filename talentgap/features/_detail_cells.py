"""Which rows of a long surveys table a detail cell holds, and the strata it is a domain of.

With an ``occupation`` or ``skill_level`` key, a cell (e.g. region x
occupation) is a *domain*: whether an enterprise has vacancies in it is part
of what the survey measured, not a fixed stratum. Four rules, used by
:func:`talentgap.features.estimate_cells`, :func:`talentgap.features.build_panel`
and their Dask path alike:

* **Membership** (:func:`detail_rows`): a row belongs to the detail cells it
  names when every detail key is filled in *and* it reports vacancies
  (``vacancies > 0``). A row of 0 vacancies says nothing the absence of the
  row does not say (the survey has no employees per occupation or skill
  level), so two files that differ only by such rows give the same
  estimates. Rows outside every cell stay in the table and in the design.
* **Strata** (:func:`detail_strata`): without a declared design, the strata
  are the cells of the keys other than the details (region x industry for
  keys region x industry x skill level; one stratum per period for keys of
  details only), each enterprise a unit; the detail cells are domains of
  them (R ``survey::svyby``; Lohr, *Sampling*, 2019, section 4.3).
* **No detail** (:func:`warn_undetailed`): an enterprise-period whose
  vacancies carry no detail (a blank ``occupation`` or ``skill_level``) is
  in no detail cell; a :class:`~talentgap.errors.DataQualityWarning` says
  how many enterprises and vacancies that is, the amount by which the
  detail cells fall short of the totals of their strata.
* **Empty domains** (:func:`zero_domains`): in the panel, a detail cell-period
  no enterprise reported vacancies in, while its stratum was surveyed, is a
  domain of size 0: 0 vacancies with standard error 0, not missing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap.errors import SchemaError, warn
from talentgap.features._groups import group_rows
from talentgap.schema import DETAIL_COLUMNS, unit_codes

__all__ = ["detail_keys", "detail_rows", "detail_strata", "merge_undetailed",
           "stratum_enterprises", "undetailed", "undetailed_text", "warn_undetailed",
           "zero_domains"]

_EXAMPLES = 3


def detail_keys(keys: Sequence[str]) -> list[str]:
    """The keys that are detail columns (``occupation``, ``skill_level``)."""
    return [k for k in keys if k in DETAIL_COLUMNS]


def _blank_detail(table: pd.DataFrame, keys: Sequence[str]) -> np.ndarray:
    blank = np.zeros(len(table), dtype=bool)
    for key in detail_keys(keys):
        blank |= table[key].array.codes < 0
    return blank


def detail_rows(table: pd.DataFrame, keys: Sequence[str], *,
                empty_ok: bool = False) -> np.ndarray | None:
    """Positions of the rows in a cell keyed by ``keys`` (None: every row).

    With a detail key, a row is in its cell when every detail key is filled
    in and it reports vacancies (``vacancies > 0``); without one, every row
    is. When no row is in a cell: a :class:`~talentgap.errors.SchemaError`
    (rule ``empty_table``), or with ``empty_ok`` (a part of a table) an empty
    array.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"occupation": pd.Categorical(["welder", None, "welder"]),
    ...                       "vacancies": [3, 2, 0]})
    >>> detail_rows(table, ["occupation"]).tolist()
    [0]
    >>> detail_rows(table, ["region"]) is None
    True
    """
    if not detail_keys(keys):
        return None
    outside = _blank_detail(table, keys) | (table["vacancies"].to_numpy() <= 0)
    if outside.all() and not empty_ok:
        raise SchemaError(
            f"surveys: the table has no rows in any cell [empty_table]: no row reports "
            f"vacancies with its {' and '.join(detail_keys(keys))}", reason="empty_table")
    return np.flatnonzero(~outside) if outside.any() else None


def detail_strata(table: pd.DataFrame, keys: Sequence[str]) -> np.ndarray | None:
    """Without a design, the stratum of every row: its cell of the keys other than details.

    None when no key is a detail (each cell is then its own stratum). The
    period is not part of the code: each period is stratified separately.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"region": pd.Categorical(["N", "S", "N"]),
    ...                       "occupation": pd.Categorical(["welder", "welder", "cnc"])})
    >>> detail_strata(table, ["region", "occupation"]).tolist()
    [0, 1, 0]
    >>> detail_strata(table, ["occupation"]).tolist()
    [0, 0, 0]
    """
    if not detail_keys(keys):
        return None
    others = [k for k in keys if k not in DETAIL_COLUMNS]
    if not others:
        return np.zeros(len(table), dtype=np.int64)
    return np.asarray(group_rows(table, others).codes, dtype=np.int64)


def undetailed(table: pd.DataFrame, keys: Sequence[str], weight: str | None,
               order: np.ndarray | None = None) -> dict | None:
    """The vacancies without their detail, summed: what :func:`warn_undetailed` says.

    Rows with a blank detail key and ``vacancies > 0`` (an enterprise that
    reported only its total, or an occupation without its skill level) are
    in no cell keyed by that detail. Returns None when there are none, else
    ``units`` (enterprise-periods), ``vacancies``, ``weighted`` and
    ``weighted_hard`` (weighted vacancies and hard-to-fill vacancies) and
    ``examples``: the first enterprise-periods as ``(order, "E2 in 2024Q1")``,
    ``order`` being each row's place in the whole table (default: its
    position). Parts of a table holding whole enterprise-periods add up
    with :func:`merge_undetailed`.
    """
    if not detail_keys(keys):
        return None
    vacancies = table["vacancies"].to_numpy()
    rows = np.flatnonzero(_blank_detail(table, keys) & (vacancies > 0))
    if not rows.size:
        return None
    w = (table[weight].to_numpy(dtype=np.float64)[rows]
         if weight is not None and weight in table.columns else np.ones(rows.size))
    units = unit_codes(table[["enterprise_id", "period"]].iloc[rows])
    first = rows[np.unique(units, return_index=True)[1]]  # units in table order
    first = first[:_EXAMPLES] if order is None else first[np.argsort(
        np.asarray(order)[first], kind="stable")[:_EXAMPLES]]
    at = np.arange(len(table)) if order is None else np.asarray(order)
    examples = [(int(at[r]), f"{table['enterprise_id'].iloc[r]} in {table['period'].iloc[r]}")
                for r in first]
    return {"units": int(np.unique(units).size), "vacancies": int(vacancies[rows].sum()),
            "weighted": float(w @ vacancies[rows]),
            "weighted_hard": float(w @ table["hard_to_fill"].to_numpy()[rows]),
            "examples": examples}


def merge_undetailed(parts: Sequence[dict | None]) -> dict | None:
    """:func:`undetailed` of parts of a table (disjoint enterprise-periods) as one."""
    parts = [part for part in parts if part]
    if not parts:
        return None
    out = {name: sum(part[name] for part in parts)
           for name in ("units", "vacancies", "weighted", "weighted_hard")}
    out["examples"] = sorted(e for part in parts for e in part["examples"])[:_EXAMPLES]
    return out


def undetailed_text(found: dict, keys: Sequence[str]) -> str:
    """The warning for :func:`undetailed`'s ``found``: the one wording of it."""
    named = " or ".join(detail_keys(keys))
    wv, wh = found["weighted"], found["weighted_hard"]
    examples = ", ".join(text for _, text in found["examples"])
    return (f"surveys: {found['units']} enterprise-period(s) report {found['vacancies']} "
            f"vacancies with no {named} (weighted: {wv:g} vacancies, {wh:g} hard to fill), "
            f"e.g. {examples}; they are in no {named} cell, so the cells by {named} add up "
            f"to {wv:g} vacancies ({wh:g} hard to fill) less than the totals by the other "
            f"keys; give each vacancy its {named}, or write one for posts without it "
            "(e.g. 'other')")


def warn_undetailed(table: pd.DataFrame, keys: Sequence[str], weight: str | None) -> None:
    """Warn when vacancies carry no detail, so the detail cells miss them.

    The warning (:func:`undetailed_text`) gives the enterprise-periods and
    the (weighted) vacancies and hard-to-fill vacancies of :func:`undetailed`:
    the detail cells of a stratum add up to its total less that amount. The
    partitioned (Dask) path sums the same figures over its partitions and
    gives the same warning.

    Examples
    --------
    >>> import pandas as pd, warnings
    >>> table = pd.DataFrame({
    ...     "period": pd.period_range("2024Q1", periods=1, freq="Q").repeat(2),
    ...     "enterprise_id": pd.Categorical(["E1", "E2"]),
    ...     "occupation": pd.Categorical(["welder", None]),
    ...     "vacancies": [3, 5], "hard_to_fill": [1, 2], "weight": [1.0, 2.0]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_undetailed(table, ["occupation"], "weight")
    >>> print(caught[0].message)  # doctest: +NORMALIZE_WHITESPACE
    surveys: 1 enterprise-period(s) report 5 vacancies with no occupation (weighted:
    10 vacancies, 4 hard to fill), e.g. E2 in 2024Q1; they are in no occupation cell,
    so the cells by occupation add up to 10 vacancies (4 hard to fill) less than the
    totals by the other keys; give each vacancy its occupation, or write one for posts
    without it (e.g. 'other')
    """
    found = undetailed(table, keys, weight)
    if found is not None:
        warn(undetailed_text(found, keys), stacklevel=3)


def stratum_enterprises(table: pd.DataFrame, row_stratum: np.ndarray,
                        strata: np.ndarray) -> np.ndarray:
    """The enterprise-periods of ``table`` in each stratum code of ``strata`` (0: none).

    ``row_stratum``: each row's stratum code, an integer that includes the
    period (-1: none); an enterprise counts once however many rows it has.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"enterprise_id": ["A", "A", "B"], "period": [1, 1, 1]})
    >>> stratum_enterprises(table, np.array([7, 7, 7]), np.array([7, 8])).tolist()
    [2, 0]
    """
    units = unit_codes(table[["enterprise_id", "period"]])
    ok = np.asarray(row_stratum) >= 0
    width = int(units.max()) + 1 if units.size else 1
    codes, counts = np.unique(np.unique(row_stratum[ok] * width + units[ok]) // width,
                              return_counts=True)
    out = np.zeros(len(strata), dtype=np.int64)
    if codes.size:
        at = np.minimum(np.searchsorted(codes, strata), codes.size - 1)
        hit = codes[at] == strata
        out[hit] = counts[at[hit]]
    return out


#: Totals of an estimate; in an empty domain of a surveyed stratum they are 0.
_TOTALS = ("enterprises", "employees", "vacancies", "demand", "reporting_enterprises",
           "reporting_employees")


def zero_domains(columns: dict, where: np.ndarray, unknown: np.ndarray | None = None) -> None:
    """Give the slots ``where`` the estimates of an empty domain, in place.

    A detail cell-period no enterprise reported vacancies in, while its
    cell of the other keys was surveyed, is a domain of size 0 (R
    ``svyby`` gives it): the survey looked and found none. Its totals
    (``demand``, ``vacancies``, ``reporting_enterprises``, ...) are 0 with
    standard error 0 (every ``z_i`` of the stratum is 0), ``n_respondents``
    0, its ratios (``shortage_rate``, ``ssv_density``) and their SEs NaN (0 /
    0), the degrees of freedom NaN (as for any SE of 0) and
    ``single_respondent`` and ``take_all`` False. ``unknown``: slots whose
    stratum has a single enterprise, whose SEs stay NaN as those of every
    detail cell of such a stratum.

    Examples
    --------
    >>> columns = {"demand": np.array([np.nan, 2.0]), "demand_se": np.array([np.nan, 1.0]),
    ...            "n_respondents": np.array([0, 3]), "ssv_density": np.array([np.nan, 0.5])}
    >>> zero_domains(columns, np.array([True, False]))
    >>> {name: values.tolist() for name, values in columns.items()}
    {'demand': [0.0, 2.0], 'demand_se': [0.0, 1.0], 'n_respondents': [0, 3], \
'ssv_density': [nan, 0.5]}
    """
    if not where.any():
        return
    for name, values in columns.items():
        total = name.removesuffix("_se") in _TOTALS
        if total or name == "n_respondents":
            values[where] = 0
            if unknown is not None and name.endswith("_se"):
                values[where & unknown] = np.nan
        elif name in ("single_respondent", "take_all"):
            values[where] = False
        elif name.endswith(("_se", "_df")) or name in ("shortage_rate", "vacancy_rate",
                                                      "ssv_density"):
            values[where] = np.nan
