"""A place's yield counted by the workers new to its cell: one home for every plan path.

A place of upgrade training between skilled levels (a ``from_level``) trains
a worker the cell already employs: it fills no vacancy of a cell without a
``skill_level`` key and adds no skilled worker
(:func:`talentgap.planning.place_shares`, the net-inflow rule of the
stocks and supply). A plan counts a place's workers by its unit's (cell's or
programme's) share of new workers, ``entrants``: its absorption is scaled by
it (:func:`entrant_absorption`). ``talentgap plan`` (single-period and
multi-year), ``talentgap plan --model`` and ``POST /v1/plan`` all scale here,
with the same shares: those of the run's training table, saved with its model
(:func:`talentgap.planning._saved_run.saved_place_entrants`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["plan_units", "unit_keys", "entrant_absorption", "shares_for"]


def unit_keys(keys: Sequence[str], crosswalk: pd.DataFrame | None) -> list[str]:
    """The columns of a plan's units: the cell keys, or ``program`` and the location keys.

    Examples
    --------
    >>> unit_keys(["region", "industry"], None)
    ['region', 'industry']
    >>> unit_keys(["region", "industry"], pd.DataFrame(columns=["program", "industry", "share"]))
    ['program', 'region']
    """
    keys = list(keys)
    if crosswalk is None:
        return keys
    return ["program", *(k for k in keys if k not in crosswalk.columns)]


def plan_units(cells: pd.DataFrame, keys: Sequence[str],
               crosswalk: pd.DataFrame | None) -> pd.DataFrame:
    """The plan's units, key values as text: its cells, or each programme in each location.

    Examples
    --------
    >>> cells = pd.DataFrame({"region": ["N", "N", "S"], "industry": ["a", "b", "a"]})
    >>> crosswalk = pd.DataFrame({"program": ["p", "q"], "industry": ["a", "b"], "share": 1.0})
    >>> plan_units(cells, ["region", "industry"], crosswalk)
      program region
    0       p      N
    1       p      S
    2       q      N
    3       q      S
    """
    columns = unit_keys(keys, crosswalk)
    if crosswalk is None:
        return cells[columns].astype(str).drop_duplicates().reset_index(drop=True)
    places = cells[columns[1:]].astype(str).drop_duplicates()
    programs = pd.DataFrame({"program": pd.unique(crosswalk["program"].astype(str))})
    return programs.merge(places, how="cross")


def shares_for(shares: Sequence[pd.DataFrame] | None,
               columns: Sequence[str]) -> pd.DataFrame | None:
    """Of the saved share tables, the one keyed by ``columns`` (the plan's units), or None.

    Examples
    --------
    >>> table = pd.DataFrame({"region": ["N"], "entrants": [0.75]})
    >>> shares_for([table], ["region"]) is table, shares_for([table], ["program", "region"])
    (True, None)
    """
    for table in shares or ():
        if [c for c in table.columns if c != "entrants"] == list(columns):
            return table
    return None


def entrant_absorption(absorption, shares: pd.DataFrame,
                       units: pd.DataFrame) -> pd.DataFrame:
    """The plan's absorption times each unit's share of certified workers new to its cell.

    A place of unit ``u`` (a cell, or a programme in a location) then yields
    ``p_u a_u e_u`` workers, ``e_u`` the ``entrants`` share of its recent
    training (:func:`talentgap.planning.place_shares`). Units without a share
    keep their absorption (``e_u = 1``).

    Parameters
    ----------
    absorption : float, None or pandas.DataFrame
        The plan's absorption: one share (None: 1), or a table ``<keys...>,
        absorption`` (optionally with ``period``) keyed by some of the
        units' columns.
    shares : pandas.DataFrame
        ``<unit keys...>, entrants`` (0-1).
    units : pandas.DataFrame
        The plan's units (:func:`plan_units`), key values as text.

    Returns
    -------
    pandas.DataFrame
        ``<unit keys...>[, period], absorption``: one row per unit (and
        period of a per-period table).

    Examples
    --------
    >>> units = pd.DataFrame({"region": ["N", "S"]})
    >>> shares = pd.DataFrame({"region": ["N"], "entrants": [0.75]})
    >>> entrant_absorption(0.8, shares, units)
      region  absorption
    0      N         0.6
    1      S         0.8
    """
    keys = list(units.columns)
    mix = shares.assign(**{k: shares[k].astype(str) for k in keys})[[*keys, "entrants"]]
    table = units.merge(mix, on=keys, how="left").fillna({"entrants": 1.0})
    if isinstance(absorption, pd.DataFrame):
        given = absorption.assign(**{c: absorption[c].astype(str) for c in absorption.columns
                                     if c not in ("absorption", "period")})
        on = [c for c in keys if c in given.columns]
        table = table.merge(given, on=on, how="inner") if on else table.merge(given,
                                                                             how="cross")
        table["absorption"] = table["absorption"].astype(np.float64) * table["entrants"]
    else:
        table = table.assign(absorption=float(1.0 if absorption is None else absorption)
                             * table["entrants"])
    return table.drop(columns="entrants").reset_index(drop=True)
