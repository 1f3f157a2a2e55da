"""A multi-year plan's places counted by the net-inflow rule of the stocks and supply.

A place trains like its cell's (with a crosswalk, its programme's) recent
training: some of its certified workers are new to the cell, some upgrade
workers the cell already employs (a ``from_level``). One rule counts them
everywhere (:func:`talentgap.planning.place_shares`): a cell without a
``skill_level`` key counts as supply only the certified who enter it from
outside, as :func:`talentgap.features.training_supply` does for past
training, and the skilled and high-skilled stocks take the net inflows of
:func:`talentgap.features.stock_pipeline`. :func:`place_absorption` scales
the plan's absorption so that a place yields the workers new to its cell
(the workers the plan's market need and skilled need count), and
:func:`plan_stock_workers` turns the plan's workers into what they add to
each stock for the target path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap import planning
from talentgap.cli._plan_inputs import plan_crosswalk
from talentgap.cli._result import RunResult
from talentgap.cli.config import Config
from talentgap.errors import DataQualityWarning, warn
from talentgap.features.supply import upgrades_within
from talentgap.planning._place_entrants import (
    entrant_absorption,
    plan_units,
    shares_for,
    unit_keys,
)

__all__ = ["counts_entrants", "entrant_shares", "place_absorption", "plan_stock_workers",
           "upgrades_note",
           "UPGRADES_LEFT_OUT", "JOINS", "joins_skilled", "high_joins_skilled"]

#: Column of the policy need (not written out): the share of a cell's
#: high-skilled places that add a skilled worker too (below 1 for upgrades).
JOINS = "high_skilled_adds_skilled"

#: How :func:`upgrades_note` begins, so the report's supply definition can refer to it.
UPGRADES_LEFT_OUT = "Upgrade training is left out of the supply"


def counts_entrants(config: Config, training: pd.DataFrame | None) -> bool:
    """Whether the plan's places yield only the workers new to their cells.

    So when the levels are declared, the training table records upgrades
    (``from_level``), the cells have no ``skill_level`` key (a level cell
    counts an upgrade into its level as supply) and the plan serves no
    high-skilled target alone (whose places are valued by the high-skilled
    workers they add, upgrades included).
    """
    return (config.data.levels() is not None and training is not None
            and {"skill_level", "from_level"} <= set(training.columns)
            and "skill_level" not in config.data.keys
            and not (config.targets.given
                     and tuple(config.targets.plan_levels) == ("high_skilled",)))


def upgrades_note(training: pd.DataFrame | None, config: Config) -> str | None:
    """The note saying how much upgrade training the supply leaves out, or None.

    Cells without a ``skill_level`` key count as supply only the certified
    new to them (:func:`talentgap.features.supply.upgrades_within`); the note
    gives the rows and certified workers left out, and says so when the
    levels are not declared (any non-blank ``from_level`` then counts as an
    upgrade between skilled levels).
    """
    if training is None or "from_level" not in training.columns:
        return None
    levels = config.data.levels()
    left = upgrades_within(training, keys=config.data.keys, skill_levels=levels)
    if not left.any():
        return None
    certified = pd.to_numeric(training["certified"], errors="coerce")[left].sum()
    rows = int(left.sum())
    basis = ("a from_level that is not an unskilled level" if levels is not None else
             "a from_level, taken for an upgrade between skilled levels since [data] "
             "skill_levels are not declared")
    return (f"{UPGRADES_LEFT_OUT} of cells without a skill level: {rows:,} training "
            f"row{'s' if rows != 1 else ''} with {basis} ({certified:,.0f} certified) train "
            "workers who already hold skilled jobs in their cell, so they fill no vacancy "
            "there; they still count in the skilled and high-skilled stocks by level.")


def _unit_keys(config: Config, crosswalk: pd.DataFrame | None) -> list[str]:
    """The columns of a plan's units: the cell keys, or ``program`` and the location keys."""
    return unit_keys(config.data.keys, crosswalk)


def entrant_shares(config: Config, training: pd.DataFrame | None) -> list[pd.DataFrame]:
    """Per plan unit, the share of a place's certified workers new to its cell; [] if none.

    With :func:`counts_entrants`, the ``entrants`` of
    :func:`talentgap.planning.place_shares` per cell, and with ``[plan]
    crosswalk`` also per programme and location: ``<unit keys...>,
    entrants``. The run keeps them (:attr:`RunResult.place_entrants`) for its
    plan and saves them with its model, so that plans against the model scale
    their places as the run's plan does.
    """
    if not counts_entrants(config, training):
        return []
    return _shares(config, training, plan_crosswalk(config))


def _shares(config: Config, training: pd.DataFrame,
            crosswalk: pd.DataFrame | None) -> list[pd.DataFrame]:
    """:func:`entrant_shares` per cell and, with ``crosswalk``, per programme and location."""
    levels, out = config.data.levels(), []
    for keys in ([list(config.data.keys)] if crosswalk is None else
                 [list(config.data.keys), _unit_keys(config, crosswalk)]):
        mix = planning.place_shares(training, skill_levels=levels, keys=keys,
                                    freq=config.data.freq)
        out.append(mix.assign(**{k: mix[k].astype(str) for k in keys})[[*keys, "entrants"]])
    return out


def place_absorption(params: dict, config: Config, tables: dict,
                     crosswalk: pd.DataFrame | None, cells: pd.DataFrame, *,
                     shares: list[pd.DataFrame] | None = None) -> dict:
    """The plan's parameters with absorption times the share of a place's workers new to the cell.

    With :func:`counts_entrants`, a place of unit ``u`` (a cell, or a
    programme in a location) yields ``p_u a_u e_u`` workers, ``e_u`` the
    ``entrants`` share of its recent training
    (:func:`talentgap.planning.place_shares`): a place of upgrade training
    between skilled levels fills no vacancy of its cell and adds no skilled
    worker. The scaling is the planning layer's
    (:func:`talentgap.planning._place_entrants.entrant_absorption`), which
    ``POST /v1/plan`` applies with the shares saved with the model. Units
    without training keep their absorption. ``cells`` holds the plan's cells
    (the needs' key columns). ``shares``: the run's
    (:attr:`RunResult.place_entrants`, those of a saved run with
    ``--model``); None: from ``tables["training"]``
    (:func:`entrant_shares`). When a high-skilled target alone is served and
    the cells have no level key, the places keep their whole yield for both
    needs, which is warned about.
    """
    training = tables.get("training")
    if shares is None:
        shares = (_shares(config, training, crosswalk) if counts_entrants(config, training)
                  else [])
    if (not shares and training is not None and "from_level" in training.columns
            and "skill_level" not in config.data.keys and config.targets.given
            and tuple(config.targets.plan_levels) == ("high_skilled",)):
        warn("the plan serves the high-skilled target alone on cells without a skill "
             "level: its places in upgrade training count toward the cells' vacancies "
             "too, though their workers already hold jobs there", DataQualityWarning,
             stacklevel=2)
    mix = shares_for(shares, _unit_keys(config, crosswalk))
    if mix is None:
        return params
    units = plan_units(cells, config.data.keys, crosswalk)
    return {**params, "absorption": entrant_absorption(params.get("absorption"), mix, units)}


def plan_stock_workers(result: RunResult, tables: dict) -> pd.DataFrame:
    """The plan's workers per region and year who join the skilled and high-skilled stocks.

    With declared levels and training by ``skill_level``, by the net-inflow
    rule of the stocks (:func:`talentgap.planning.place_shares`): a place
    adds the shares of its cell's (a level cell's, or with a crosswalk its
    programme's) recent training that join each stock, so a place of upgrade
    training from a skilled to a high-skilled level adds a high-skilled
    worker and no new skilled one. Where the plan's workers are those new to
    their cells (:func:`counts_entrants`), the shares are per new worker. A
    cell fed by several programmes takes their shares weighted by the
    workers each has brought to the cell by the year (exits, the same for
    every programme of a cell, aside). Otherwise every worker is skilled,
    and high-skilled when the plan's cell is at a high-skilled level or,
    without level cells, when the plan serves the high-skilled target.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``region, period``: ``skilled, high_skilled`` (persons).
    """
    plan, config = result.plan, result.config
    cells, levels = plan.cells, config.data.levels()
    training = tables.get("training")
    workers = cells["workers"].to_numpy(dtype=np.float64)
    if levels is None or training is None or "skill_level" not in training.columns:
        if "skill_level" in cells.columns and levels is not None:
            high = levels.flags(cells["skill_level"].astype(str))[1].astype(np.float64)
        else:
            high = np.full(len(cells), float(config.targets.plan_level == "high_skilled"))
        shares = np.column_stack([np.ones(len(cells)), high])
    else:
        crosswalk = plan_crosswalk(config) if "fed_by" in cells.columns else None
        keys = _unit_keys(config, crosswalk)
        mix = planning.place_shares(training, skill_levels=levels, keys=keys,
                                    freq=config.data.freq)
        mix = mix.assign(**{k: mix[k].astype(str) for k in keys})
        per = np.where(mix["entrants"] > 0, mix["entrants"], np.inf) \
            if counts_entrants(config, training) else np.ones(len(mix))
        mix = mix.assign(skilled=mix["skilled"] / per, high_skilled=mix["high_skilled"] / per)
        if crosswalk is not None:
            shares = _programme_shares(plan, mix, keys, crosswalk)
        else:
            found = cells[keys].astype(str).merge(mix, on=keys, how="left")
            default = (levels.flags(cells["skill_level"].astype(str)) if "skill_level" in keys
                       else (np.ones(len(cells), bool), np.zeros(len(cells), bool)))
            shares = np.column_stack([
                np.where(found[name].isna(), flag, found[name]).astype(np.float64)
                for name, flag in zip(("skilled", "high_skilled"), default, strict=True)])
    out = pd.DataFrame({"region": cells["region"].to_numpy(),
                        "period": cells["period"].to_numpy(),
                        "skilled": workers * shares[:, 0],
                        "high_skilled": workers * shares[:, 1]})
    return out.groupby(["region", "period"], observed=True)[["skilled", "high_skilled"]].sum()


def _programme_shares(plan, mix: pd.DataFrame, unit_keys: list[str],
                      crosswalk: pd.DataFrame) -> np.ndarray:
    """Per row of a programme plan's cells: its workers' skilled and high-skilled shares.

    Each programme's shares are ``mix``'s (per worker the plan counts); a
    cell's are those of the programmes feeding it, weighted by the workers
    they bring (places x pass rate x absorption x crosswalk share) arriving
    by the cell's year. Rows without arrivals: 1 and 0.
    """
    cell_keys, quotas = list(plan.cell_keys), plan.quotas
    arrivals = quotas[[*unit_keys, "arrival_period"]].astype({k: str for k in unit_keys})
    arrivals["weight"] = (quotas["quota"].to_numpy(dtype=np.float64)
                          * quotas["pass_rate"].to_numpy(dtype=np.float64)
                          * quotas["absorption"].to_numpy(dtype=np.float64))
    arrivals = arrivals[arrivals["weight"] > 0].merge(mix, on=unit_keys, how="left")
    arrivals = arrivals.fillna({"skilled": 1.0, "high_skilled": 0.0})
    on = [c for c in crosswalk.columns if c in unit_keys]  # program (and location)
    flows = arrivals.merge(crosswalk.astype({c: str for c in on}), on=on, how="inner")
    flows["weight"] = flows["weight"] * flows["share"].astype(np.float64)
    flows[cell_keys] = flows[cell_keys].astype(str)
    flows["arrival"] = pd.PeriodIndex(flows["arrival_period"]).year
    cells = plan.cells[cell_keys].astype(str)
    years = pd.PeriodIndex(plan.cells["period"]).year.to_numpy()
    out = np.column_stack([np.ones(len(cells)), np.zeros(len(cells))])
    for year in np.unique(years):  # a loop over years, vectorised over the cells
        came = flows[flows["arrival"] <= year]
        sums = came.assign(k=came["weight"] * came["skilled"],
                           h=came["weight"] * came["high_skilled"]).groupby(
            cell_keys)[["weight", "k", "h"]].sum().reset_index()
        rows = np.flatnonzero(years == year)
        found = cells.iloc[rows].merge(sums, on=cell_keys, how="left")
        weight = found["weight"].to_numpy(dtype=np.float64)
        has = weight > 0
        out[rows[has], 0] = found["k"].to_numpy(dtype=np.float64)[has] / weight[has]
        out[rows[has], 1] = found["h"].to_numpy(dtype=np.float64)[has] / weight[has]
    return out


def high_joins_skilled(policy: pd.DataFrame) -> np.ndarray:
    """Per row of ``policy``: the share of its cell's high-skilled places adding a skilled worker.

    The column :data:`JOINS` (set by :func:`talentgap.cli._targets.policy_needs`); 1 without it.
    """
    if JOINS not in policy.columns:
        return np.ones(len(policy))
    return policy[JOINS].fillna(1.0).to_numpy(dtype=np.float64)


def joins_skilled(training: pd.DataFrame, config: Config, need: pd.DataFrame) -> np.ndarray:
    """Per row of ``need``: the share of its cell's high-skilled training adding a skilled worker.

    The certified-weighted skilled share (:func:`talentgap.planning.place_shares`)
    of the cell's training at high-skilled levels: below 1 where some of it
    upgrades workers who were skilled already; 1 for cells without it.
    """
    levels = config.data.levels()
    keys = [k for k in config.data.keys if k != "skill_level"]  # the workforce cells
    mix = planning.place_shares(training, skill_levels=levels, keys=[*keys, "skill_level"],
                                freq=config.data.freq)
    mix = mix[levels.flags(mix["skill_level"].astype(str))[1] & (mix["certified"] > 0)]
    mix = mix.assign(joins=mix["certified"] * mix["skilled"], **{
        k: mix[k].astype(str) for k in keys})
    sums = mix.groupby(keys, sort=False)[["certified", "joins"]].sum().reset_index()
    sums[JOINS] = sums["joins"] / sums["certified"]
    found = need[keys].astype(str).merge(sums[[*keys, JOINS]], on=keys, how="left")
    return found[JOINS].fillna(1.0).to_numpy(dtype=np.float64)
