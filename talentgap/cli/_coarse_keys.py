"""Plan parameter files keyed by fewer columns than the plan's cells: what they apply to.

A ``[plan]`` parameter file (``cost_per_trainee``, ``pass_rate``,
``absorption``, ``capacity``, ``min_quota``, ``min_class_size``) is looked up
by the key columns it has: a file keyed by ``industry`` alone gives its value
to *every* cell of that industry (each region, each skill level), and with
``[plan] years`` in every funding year. That is right for a cost or a pass
rate; for a minimum it multiplies: 20 places "per trade" become 20 places in
each of a trade's cells, each year. :func:`coarse_key_notes` says, for each
such file, how many cells its rows applied to (a plan note), and warns when
the minimums of a coarsely keyed ``min_quota`` file cost more than
:data:`MIN_SHARE_WARNED` of a year's budget.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.errors import DataQualityWarning, warn

__all__ = ["coarse_key_notes", "MIN_SHARE_WARNED"]

#: A coarsely keyed ``min_quota`` file whose minimums cost more than this share of a
#: funding year's budget (or of the budget) is warned about.
MIN_SHARE_WARNED = 0.25

_KEYED = ("cost_per_trainee", "pass_rate", "absorption", "capacity", "min_quota",
          "min_class_size")


def coarse_key_notes(params: dict, settings, id_columns: list[str], plan) -> list[str]:
    """Notes on the parameter files keyed by fewer columns than ``id_columns``.

    Parameters
    ----------
    params : dict
        The checked ``[plan]`` parameters by name (numbers, or tables as read).
    settings : PlanConfig
        ``[plan]``, for the files' names.
    id_columns : list of str
        The columns that name a cell (or a programme) of the plan.
    plan : Plan
        The plan made with ``params``: its ``quotas`` name the cells (and, with
        years, the funding periods) and carry ``min_quota`` and ``cost_per_trainee``.

    Returns
    -------
    list of str
        One note per coarsely keyed file, e.g. ``[plan] min_quota: min.csv is keyed by
        industry, not by every cell key (region, industry, skill_level): each of its
        9 rows applies to every cell it matches, 36 cells in all, in each of the 5
        funding years``. For a ``min_quota`` file whose minimums cost more than
        :data:`MIN_SHARE_WARNED` of a year's budget a
        :class:`~talentgap.errors.DataQualityWarning` says it instead, with
        the places and money the minimums force.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> quotas = pd.DataFrame({"region": ["A", "B", "A", "B"], "industry": "x",
    ...                        "period": [2026, 2026, 2027, 2027], "min_quota": 20.0,
    ...                        "cost_per_trainee": 100.0})
    >>> plan = SimpleNamespace(quotas=quotas, years=pd.DataFrame(
    ...     {"period": [2026, 2027], "budget": [100_000.0, 100_000.0]}))
    >>> table = pd.DataFrame({"industry": ["x"], "min_quota": [20.0]})
    >>> coarse_key_notes({"min_quota": table}, SimpleNamespace(min_quota="min.csv"),
    ...                  ["region", "industry"], plan)  # doctest: +NORMALIZE_WHITESPACE
    ['[plan] min_quota: min.csv is keyed by industry, not by every cell key (region,
    industry): each of its 1 row applies to every cell it matches, 2 cells in all, in each
    of the 2 funding years']
    """
    quotas = getattr(plan, "quotas", None)
    if quotas is None or not set(id_columns) <= set(quotas.columns):
        return []
    cells = quotas[id_columns].drop_duplicates().astype(str)
    n_years = int(quotas["period"].nunique()) if "period" in quotas.columns else 1
    notes = []
    for name in _KEYED:
        table = params.get(name)
        if not isinstance(table, pd.DataFrame):
            continue
        keys = [c for c in table.columns if c in id_columns]
        if set(keys) == set(id_columns):
            continue
        if keys:
            rows = table[keys].astype(str).drop_duplicates()
            n_cells = len(cells.merge(rows, on=keys, how="inner"))
        else:
            rows, n_cells = table.iloc[:1], len(cells)
        years = (f", in each of the {n_years} funding years" if n_years > 1 else "")
        notes.append(
            f"[plan] {name}: {getattr(settings, name)} is keyed by "
            f"{', '.join(keys) if keys else 'period only'}, not by every cell key "
            f"({', '.join(id_columns)}): each of its {len(rows)} row"
            f"{'' if len(rows) == 1 else 's'} applies to every cell it matches, "
            f"{n_cells} cell{'' if n_cells == 1 else 's'} in all{years}")
        if name == "min_quota" and _warn_forced(quotas, getattr(plan, "years", None),
                                                notes[-1], name):
            notes.pop()   # the warning says it, and the report lists warnings too
    return notes


def _warn_forced(quotas: pd.DataFrame, years, note: str, name: str) -> bool:
    """Warn when the minimums cost more than :data:`MIN_SHARE_WARNED` of a year's budget;
    whether it did."""
    if not {"min_quota", "cost_per_trainee"} <= set(quotas.columns):
        return False
    places = quotas["min_quota"].to_numpy(dtype=float)
    money = places * quotas["cost_per_trainee"].to_numpy(dtype=float)
    if isinstance(years, pd.DataFrame) and {"period", "budget"} <= set(years.columns):
        by_year = pd.DataFrame({"period": quotas["period"], "places": places, "money": money}
                               ).groupby("period")[["places", "money"]].sum()
        budget = years.set_index("period")["budget"].reindex(by_year.index).to_numpy(float)
    else:
        by_year = pd.DataFrame({"places": [places.sum()], "money": [money.sum()]},
                               index=["the plan"])
        budget = np.array([np.nan])
    with np.errstate(divide="ignore", invalid="ignore"):
        share = by_year["money"].to_numpy() / budget
    if not np.nanmax(np.r_[share, 0.0]) > MIN_SHARE_WARNED:
        return False
    worst = int(np.nanargmax(share))
    period = by_year.index[worst]
    warn(f"{note}: its minimums force {by_year['places'].sum():,.0f} places in all, "
         f"{by_year['places'].iloc[worst]:,.0f} in {period} costing "
         f"{by_year['money'].iloc[worst]:,.0f} of that year's budget of {budget[worst]:,.0f} "
         f"({share[worst]:.0%}); if the minimum was meant for a group of cells (e.g. at least "
         f"20 places per trade in the whole province), give it as [plan] capacity_groups "
         f"with a min_places column instead of [plan] {name}", DataQualityWarning,
         stacklevel=3)
    return True
