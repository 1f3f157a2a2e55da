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
(the workers the plan's market need counts), :func:`policy_yields` gives
the multi-year plan's policy need the workers of the targeted stock each of
them brings (so that each need counts a place by its own yield), and
:func:`plan_stock_workers` turns the plan's workers into what they add to
each stock for the target path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap import planning
from talentgap.cli._plan_inputs import FROM_TRAINING, plan_crosswalk, spread_of
from talentgap.cli._result import RunResult
from talentgap.cli.config import Config
from talentgap.errors import DataQualityWarning, warn
from talentgap.features.supply import upgrades_within
from talentgap.planning._place_entrants import (
    POLICY_SHARE,
    entrant_absorption,
    plan_units,
    policy_per_worker,
    shares_for,
    unit_keys,
    warn_mixed_programme_yields,
    with_per_worker,
)

__all__ = ["counts_entrants", "entrant_shares", "place_absorption", "plan_stock_workers",
           "policy_yields", "upgrades_note",
           "UPGRADES_LEFT_OUT", "JOINS", "joins_skilled", "high_joins_skilled"]

#: Column of the policy need (not written out): the share of a cell's
#: high-skilled places that add a skilled worker too (below 1 for upgrades).
JOINS = "high_skilled_adds_skilled"

#: How :func:`upgrades_note` begins, so the report's supply definition can refer to it.
UPGRADES_LEFT_OUT = "Upgrade training is left out of the supply"


def counts_entrants(config: Config, training: pd.DataFrame | None) -> bool:
    """Whether the plan's places yield only the workers new to their cells.

    So when the levels are declared, the training table records upgrades
    (``from_level``) and the cells have no ``skill_level`` key (a level cell
    counts an upgrade into its level as supply). A policy need counts the
    workers of its stock each of them brings (:func:`policy_yields`).
    """
    return (config.data.levels() is not None and training is not None
            and {"skill_level", "from_level"} <= set(training.columns)
            and "skill_level" not in config.data.keys)


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


def entrant_shares(config: Config, training: pd.DataFrame | None, *,
                   spread=FROM_TRAINING) -> list[pd.DataFrame]:
    """Per plan unit, the share of a place's certified workers new to its cell; [] if none.

    With :func:`counts_entrants`, the ``entrants`` of
    :func:`talentgap.planning.place_shares` per cell, and with ``[plan]
    crosswalk`` also per programme and location: ``<unit keys...>,
    entrants``, and with ``[targets]`` served at one level also
    ``policy_share``, the part joining that level's stock (``skilled`` or
    ``high_skilled`` of :func:`talentgap.planning.place_shares`, upgrades
    included; :func:`policy_yields`). The run keeps them (:attr:`RunResult.place_entrants`) for its
    plan and saves them with its model, so that plans against the model scale
    their places as the run's plan does. ``spread``: the run's
    :func:`talentgap.cli._plan_inputs.supply_crosswalk`, read from
    ``training`` when not given.
    """
    if not counts_entrants(config, training):
        return []
    return _shares(config, training, plan_crosswalk(config), spread=spread)


def _shares(config: Config, training: pd.DataFrame, crosswalk: pd.DataFrame | None, *,
            spread=FROM_TRAINING) -> list[pd.DataFrame]:
    """:func:`entrant_shares` per cell and, with ``crosswalk``, per programme and location.

    A cell's shares count past training as the panel's supply does: with a
    crosswalk, those of the programmes feeding the cell, each weighted by its
    crosswalk share (:func:`talentgap.cli._plan_inputs.supply_crosswalk`),
    not those of the training recorded under the cell's own industry.
    """
    levels, out = config.data.levels(), []
    parts = [(list(config.data.keys),
              None if crosswalk is None else spread_of(spread, training, config))]
    if crosswalk is not None:  # a programme's own training: no spreading
        parts.append((_unit_keys(config, crosswalk), None))
    for keys, spread in parts:
        mix = planning.place_shares(training, skill_levels=levels, keys=keys,
                                    freq=config.data.freq, crosswalk=spread)
        out.append(_with_policy_share(mix.assign(**{k: mix[k].astype(str) for k in keys}),
                                      keys, config))
    return out


def _with_policy_share(mix: pd.DataFrame, keys: list[str], config: Config) -> pd.DataFrame:
    """``<keys...>, entrants`` of :func:`talentgap.planning.place_shares`' ``mix``, plus
    ``policy_share`` (the ``skilled`` or ``high_skilled`` share) when ``[targets]`` are
    served at one level (with both, the cells are by ``skill_level``)."""
    levels = tuple(config.targets.plan_levels) if config.targets.given else ()
    if len(levels) != 1:
        return mix[[*keys, "entrants"]]
    return mix.assign(**{POLICY_SHARE: mix[levels[0]]})[[*keys, "entrants", POLICY_SHARE]]


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
    (:func:`entrant_shares`). The policy need of a multi-year plan counts
    the same places by its own yield (:func:`policy_yields`).
    """
    training = tables.get("training")
    if shares is None:
        shares = (_shares(config, training, crosswalk) if counts_entrants(config, training)
                  else [])
    mix = shares_for(shares, _unit_keys(config, crosswalk))
    if mix is None:
        return params
    units = plan_units(cells, config.data.keys, crosswalk)
    return {**params, "absorption": entrant_absorption(params.get("absorption"), mix, units)}


def policy_yields(policy: pd.DataFrame | None, config: Config, tables: dict,
                  crosswalk: pd.DataFrame | None, *,
                  shares: list[pd.DataFrame] | None = None) -> pd.DataFrame | None:
    """The plan's policy need with the workers of its stock each plan worker brings.

    Where the plan's workers are those new to their cells
    (:func:`place_absorption`), a place of unit ``u`` still adds ``p a h_u``
    workers to the stock the target counts (``h_u`` the ``policy_share`` of
    :func:`entrant_shares`: upgrades to a high-skilled level count toward the
    high-skilled target). The column ``per_worker`` (``h / e`` per cell, see
    :func:`talentgap.planning._place_entrants.policy_per_worker`) makes the
    multi-year plan count its policy need by that yield and its market need
    by ``p a e_u``. With ``[plan] crosswalk`` a cell's ``h`` and ``e`` are
    those of the programmes feeding it, each weighted by the certified
    workers it sends the cell (the per-cell table of :func:`entrant_shares`),
    in a plan by programme as in one by cell. ``shares`` as for
    :func:`place_absorption`. Cells whose
    recent training adds workers to the stock but none new to the cell are
    warned about: their places bring no worker the plan counts. A plan by
    programme counts a place by its cell's ratio, not its programme's: cells
    whose programmes differ in it are warned about
    (:func:`talentgap.planning._place_entrants.warn_mixed_programme_yields`).

    Examples
    --------
    Half of the second industry's certified workers are upgrades to a
    high-skilled level: each worker new to it brings two high-skilled ones.

    >>> config = Config.from_dict({
    ...     "data": {"skill_levels": ["ordinary", "technician"], "high_skilled": ["technician"]},
    ...     "plan": {"years": [2026]},
    ...     "targets": {"high_skilled_share": 0.4, "target_year": 2026,
    ...                 "plan_level": "high_skilled"}})
    >>> shares = [pd.DataFrame({"region": "N", "industry": ["A", "B"], "entrants": [1.0, 0.5],
    ...                         "policy_share": [1.0, 1.0]})]
    >>> need = pd.DataFrame({"region": "N", "industry": ["A", "B"], "period": "2026",
    ...                      "policy_need": [30.0, 20.0]})
    >>> policy_yields(need, config, {}, None, shares=shares)
      region industry period  policy_need  per_worker
    0      N        A   2026         30.0         1.0
    1      N        B   2026         20.0         2.0
    """
    if policy is None:
        return None
    training = tables.get("training")
    if shares is None:
        shares = (_shares(config, training, crosswalk) if counts_entrants(config, training)
                  else [])
    keys = [k for k in config.data.keys if k in policy.columns]
    per = policy_per_worker(shares, keys)   # per cell, whether by cell or by programme
    if per is None:
        return policy
    stuck = per[(per["entrants"] <= 0) & (per[POLICY_SHARE] > 0)]
    if not stuck.empty:
        shown = "; ".join(" / ".join(map(str, row)) for row in stuck[keys].head(5).to_numpy())
        warn(f"{len(stuck)} cell(s) train only workers they already employ (upgrade "
             f"training, no worker new to the cell), e.g. {shown}: the plan's places there "
             "fill no vacancy, and the plan cannot count the workers they add toward the "
             "policy target", DataQualityWarning, stacklevel=2)
    warn_mixed_programme_yields(shares, keys, crosswalk)
    return with_per_worker(policy, per, keys)


def plan_stock_workers(result: RunResult, tables: dict, *,
                       column: str = "workers") -> pd.DataFrame | None:
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
    ``column="committed_workers"`` counts the workers of the places already
    funded (``[plan] committed``) by the same shares.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``region, period``: ``skilled, high_skilled`` (persons);
        None when the plan's cells have no column ``column``.
    """
    plan, config = result.plan, result.config
    cells, levels = plan.cells, config.data.levels()
    if column not in cells.columns:
        return None
    training = tables.get("training")
    workers = cells[column].to_numpy(dtype=np.float64)
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


def joins_skilled(training: pd.DataFrame, config: Config, need: pd.DataFrame, *,
                  spread=FROM_TRAINING) -> np.ndarray:
    """Per row of ``need``: the share of its cell's high-skilled training adding a skilled worker.

    The certified-weighted skilled share (:func:`talentgap.planning.place_shares`)
    of the cell's training at high-skilled levels: below 1 where some of it
    upgrades workers who were skilled already; 1 for cells without it. With
    ``[plan] crosswalk`` a cell's training is that of the programmes feeding
    it, each weighted by the certified workers it sends there
    (:func:`talentgap.cli._plan_inputs.supply_crosswalk`; the run's when given
    as ``spread``), as for the cell's supply and its places' other shares
    (:func:`entrant_shares`).
    """
    levels = config.data.levels()
    keys = [k for k in config.data.keys if k != "skill_level"]  # the workforce cells
    mix = planning.place_shares(training, skill_levels=levels, keys=[*keys, "skill_level"],
                                freq=config.data.freq,
                                crosswalk=spread_of(spread, training, config))
    mix = mix[levels.flags(mix["skill_level"].astype(str))[1] & (mix["certified"] > 0)]
    mix = mix.assign(joins=mix["certified"] * mix["skilled"], **{
        k: mix[k].astype(str) for k in keys})
    sums = mix.groupby(keys, sort=False)[["certified", "joins"]].sum().reset_index()
    sums[JOINS] = sums["joins"] / sums["certified"]
    found = need[keys].astype(str).merge(sums[[*keys, JOINS]], on=keys, how="left")
    return found[JOINS].fillna(1.0).to_numpy(dtype=np.float64)
