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

A place's workers new to its cell are not those its policy need counts: a
plan serving the high-skilled target counts the high-skilled workers a place
adds, upgrades included. The share tables then also carry
:data:`POLICY_SHARE`, the part of a place's certified workers joining the
stock the target counts, and :func:`policy_per_worker` turns the two shares
into the policy workers each worker new to the cell brings, the
``per_worker`` column of the multi-year plan's ``policy_need`` (each need
counted with its own yield: ``p a e_u`` vacancies filled, ``p a h_u``
policy workers). In a plan by programme that ratio is the cell's, from its
programmes' past mix, whichever programme a place is bought in: exact when
the programmes feeding a cell bring the same policy workers per new worker
(:func:`warn_mixed_programme_yields` warns where they do not).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap.errors import DataQualityWarning, warn

__all__ = ["plan_units", "unit_keys", "entrant_absorption", "shares_for", "policy_per_worker",
           "with_per_worker", "warn_mixed_programme_yields", "POLICY_SHARE", "SHARE_COLUMNS"]

#: Optional column of a share table: the part (0-1) of a place's certified workers joining
#: the stock the plan's policy target counts (``skilled`` or ``high_skilled`` of
#: :func:`talentgap.planning.place_shares`).
POLICY_SHARE = "policy_share"

#: The share columns of a share table; every other column is a unit key.
SHARE_COLUMNS = ("entrants", POLICY_SHARE)


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
        if [c for c in table.columns if c not in SHARE_COLUMNS] == list(columns):
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


def policy_per_worker(shares: Sequence[pd.DataFrame] | None,
                      keys: Sequence[str]) -> pd.DataFrame | None:
    """Per cell: the policy need's workers each of a place's workers new to the cell brings.

    A place of unit ``u`` yields ``p a e_u`` workers new to its cell (the
    plan's workers, which fill its vacancies) and ``p a h_u`` workers of the
    stock the policy target counts (``h_u`` the :data:`POLICY_SHARE`), so a
    cell counts ``r = h / e`` policy workers per plan worker, from the
    cell's own share table (the one keyed by ``keys``) in every plan, by
    cell or by programme. A cell fed by several programmes through a
    crosswalk has the shares of :func:`talentgap.planning.place_shares`
    with ``crosswalk``: each programme weighted by the certified workers it
    sends the cell, ``s_uc T_u`` (``T_u`` its recent certified output,
    ``s_uc`` its crosswalk share), so ``r = sum_u s_uc T_u h_u / sum_u s_uc
    T_u e_u``: the way a programme plan's places reach the cell (certified
    workers times the crosswalk share) and its supply counts them; the same
    shares scale a place's absorption in a plan by cell.
    Cells without workers new to them (``e = 0``) get ``per_worker`` 0:
    their places bring no plan worker.

    Parameters
    ----------
    shares : sequence of pandas.DataFrame
        The share tables (``<unit keys...>, entrants, policy_share``).
    keys : sequence of str
        The cells' key columns.

    Returns
    -------
    pandas.DataFrame or None
        ``<keys...>, per_worker, entrants, policy_share`` (key values as
        text; the shares per cell), or None when no table keyed by ``keys``
        has a :data:`POLICY_SHARE`.

    Examples
    --------
    Half of North's certified workers are upgraded to a high-skilled level,
    the other half are new high-skilled workers: each new worker comes with
    two high-skilled ones.

    >>> table = pd.DataFrame({"region": ["N", "S"], "entrants": [0.5, 1.0],
    ...                       "policy_share": [1.0, 0.25]})
    >>> policy_per_worker([table], ["region"])
      region  per_worker  entrants  policy_share
    0      N        2.00       0.5          1.00
    1      S        0.25       1.0          0.25
    """
    keys = list(keys)
    mix = shares_for(shares, keys)
    if mix is None or POLICY_SHARE not in mix.columns:
        return None
    entrants = mix["entrants"].to_numpy(dtype=np.float64)
    policy = mix[POLICY_SHARE].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(entrants > 0, policy / entrants, 0.0)
    return pd.DataFrame({**{k: mix[k].astype(str).to_numpy() for k in keys}, "per_worker": per,
                         "entrants": entrants, POLICY_SHARE: policy})


def with_per_worker(policy: pd.DataFrame, per: pd.DataFrame | None,
                    keys: Sequence[str]) -> pd.DataFrame:
    """``policy`` (``<keys...>, period, policy_need``) with each cell's ``per_worker``.

    ``per`` is :func:`policy_per_worker`'s table (None: ``policy`` as it is);
    cells it lacks count one policy worker per worker (1). Rows of
    ``policy`` that give their own ``per_worker`` keep it. The multi-year
    plan reads the column (:func:`talentgap.planning.allocate_quotas`'
    ``policy_need``).

    Examples
    --------
    >>> policy = pd.DataFrame({"region": ["N", "S", "W"], "period": "2027",
    ...                        "policy_need": [30.0, 10.0, 5.0]})
    >>> per = pd.DataFrame({"region": ["N", "S"], "per_worker": [2.0, 0.25]})
    >>> with_per_worker(policy, per, ["region"])["per_worker"].tolist()
    [2.0, 0.25, 1.0]
    >>> own = policy.assign(per_worker=[1.0, None, None])
    >>> with_per_worker(own, per, ["region"])["per_worker"].tolist()
    [1.0, 0.25, 1.0]
    """
    given = (policy["per_worker"].to_numpy(dtype=np.float64) if "per_worker" in policy.columns
             else np.full(len(policy), np.nan))
    if per is None:
        return policy if np.isnan(given).all() else policy.assign(
            per_worker=np.where(np.isnan(given), 1.0, given))
    keys = [k for k in keys if k in policy.columns]
    found = policy[keys].astype(str).reset_index(drop=True).merge(
        per[[*keys, "per_worker"]].astype({k: str for k in keys}), on=keys, how="left")
    saved = found["per_worker"].fillna(1.0).to_numpy(dtype=np.float64)
    return policy.assign(per_worker=np.where(np.isnan(given), saved, given))


def warn_mixed_programme_yields(shares: Sequence[pd.DataFrame] | None, keys: Sequence[str],
                                crosswalk: pd.DataFrame | None) -> None:
    """Warn where a programme plan's programmes feeding one cell differ in policy yield.

    A programme plan counts its places' policy workers in a cell by the
    cell's ``per_worker`` (:func:`policy_per_worker`, ``h / e`` of the
    programmes' past mix there), not by the programme a place is bought in.
    That is exact when every programme feeding the cell (crosswalk share
    > 0) brings the same policy workers per worker new to the cell,
    ``h_u / e_u``; a DataQualityWarning names the cells where they differ
    (or where one trains only upgrades, ``e_u = 0`` with ``h_u > 0``, which
    the cell's ratio values at ``r_c`` per new worker it does not bring).
    Nothing for a plan by cell (``crosswalk`` None) or without the
    programmes' :data:`POLICY_SHARE`.

    Examples
    --------
    >>> import warnings
    >>> programmes = pd.DataFrame({"program": ["basic", "upgrade"], "region": "N",
    ...                            "entrants": [1.0, 0.0], "policy_share": [1.0, 1.0]})
    >>> crosswalk = pd.DataFrame({"program": ["basic", "basic", "upgrade"],
    ...                           "industry": ["A", "B", "B"], "share": [0.5, 0.5, 1.0]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_mixed_programme_yields([programmes], ["region", "industry"], crosswalk)
    >>> print(str(caught[0].message)[:70])
    1 cell(s) of the programme plan are fed by programmes whose places bri
    """
    if crosswalk is None:
        return
    mix = shares_for(shares, unit_keys(keys, crosswalk))
    if mix is None or POLICY_SHARE not in mix.columns:
        return
    entrants = mix["entrants"].to_numpy(dtype=np.float64)
    policy = mix[POLICY_SHARE].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(entrants > 0, policy / entrants, np.where(policy > 0, np.inf, np.nan))
    units = mix.drop(columns=[c for c in SHARE_COLUMNS if c in mix.columns]).astype(str)
    units = units.assign(per=per)[~np.isnan(per)]   # a programme adding neither: no value
    links = crosswalk[crosswalk["share"].astype(np.float64) > 0]
    on = [c for c in links.columns if c in units.columns]   # program (and location)
    flows = units.merge(links.drop(columns="share").astype(str), on=on, how="inner")
    cells = [k for k in keys if k in flows.columns]
    if flows.empty or not cells:
        return
    spread = flows.groupby(cells, sort=True)["per"].agg(["min", "max"])
    mixed = spread[~np.isclose(spread["min"], spread["max"], rtol=1e-9, atol=1e-12)
                   & ~(np.isinf(spread["min"]) & np.isinf(spread["max"]))]
    if mixed.empty:
        return
    shown = []
    for cell in mixed.index[:3]:
        cell = cell if isinstance(cell, tuple) else (cell,)
        rows = flows[(flows[cells].to_numpy() == np.array(cell, dtype=object)).all(axis=1)]
        each = ", ".join(f"{p} {'only upgrades' if np.isinf(v) else f'{v:.2f}'}"
                         for p, v in zip(rows["program"], rows["per"], strict=True))
        shown.append(f"{' / '.join(cell)} ({each})")
    warn(f"{len(mixed)} cell(s) of the programme plan are fed by programmes whose places "
         "bring different numbers of policy-target workers per worker new to the cell, "
         f"e.g. {'; '.join(shown)}: the plan values every place there at the cell's past "
         "programme mix (policy_share / entrants of the cell), not by the programme bought, "
         "so its policy workers in these cells are approximate", DataQualityWarning,
         stacklevel=2)
