"""A cell's policy need shared over the plan's cells by skill level.

When ``[data] keys`` include ``skill_level``, the policy need of a region x
industry cell (the workforce's cell, :func:`workforce_keys`) goes to the
plan's level cells that train for the target, in proportion to what their
forecast supply adds to the targeted stock (:func:`need_by_level`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap import planning
from talentgap.cli._plan_inputs import FROM_TRAINING, spread_of
from talentgap.cli.config import Config
from talentgap.errors import ConfigError, DataQualityWarning, warn

__all__ = ["need_by_level", "workforce_keys"]


def workforce_keys(config: Config) -> list[str]:
    """The keys of the workforce's cells: ``[data] keys`` without ``skill_level``."""
    return [k for k in config.data.keys if k != "skill_level"]


def need_by_level(need: pd.DataFrame, pipeline: pd.DataFrame, config: Config,
                  plan_level: str, training: pd.DataFrame | None = None, *,
                  spread=FROM_TRAINING) -> pd.DataFrame:
    """A cell's policy need shared over the plan's cells by skill level that train for it.

    Every skilled level trains for the skilled target, the high-skilled
    levels for the high-skilled one; the need of a region x industry cell
    goes to those of its levels the plan has, in proportion to their
    forecast certified supply (equally where they forecast none). With the
    ``training`` table, a level's supply counts by the part of its recent
    training that joins the targeted stock
    (:func:`talentgap.planning.place_shares`): a level trained only by
    upgrades from a skilled level adds no skilled worker, and takes none of
    the skilled need. With ``[plan] crosswalk`` a level cell's training is
    that of the programmes feeding it, each weighted by its crosswalk share
    (:func:`talentgap.cli._plan_inputs.supply_crosswalk`, the run's when
    given as ``spread``), as its supply counts it: not the training recorded
    under the cell's own industry.
    """
    keys, cell_keys = list(config.data.keys), workforce_keys(config)
    levels = config.data.levels()
    if levels is None:
        raise ConfigError("[targets] with 'skill_level' among [data] keys need the levels "
                          "declared: set [data] skill_levels and high_skilled")
    serving = levels.high_skilled if plan_level == "high_skilled" else levels.skilled
    supply = pipeline.groupby(keys, observed=True)["supply"].sum().reset_index()
    supply = supply[supply["skill_level"].astype(str).isin(serving)].reset_index(drop=True)
    supply[keys] = supply[keys].astype(str)
    if training is not None and "skill_level" in training.columns:
        mix = planning.place_shares(training, skill_levels=levels, keys=keys,
                                    freq=config.data.freq,
                                    crosswalk=spread_of(spread, training, config))
        mix[keys] = mix[keys].astype(str)
        joins = supply[keys].merge(mix, on=keys, how="left")[plan_level].fillna(1.0)
        supply = supply[joins.to_numpy() > 0].reset_index(drop=True)  # adds none: no need
        supply["supply"] = supply["supply"] * joins[joins.to_numpy() > 0].to_numpy()
    grouped = supply.groupby(cell_keys)["supply"]
    total, count = grouped.transform("sum"), grouped.transform("size")
    supply["share"] = np.where(total > 0, supply["supply"] / total.where(total > 0, 1.0),
                               1.0 / count)
    need = need.assign(**{k: need[k].astype(str) for k in cell_keys})
    out = supply[[*keys, "share"]].merge(need, on=cell_keys, how="right", indicator=True)
    lost = out[(out["_merge"] == "right_only") & (out["policy_need"] > 0)]
    if not lost.empty:
        cells = lost[cell_keys].drop_duplicates()
        shown = "; ".join(" / ".join(map(str, row)) for row in cells.head(5).to_numpy())
        warn(f"{len(cells)} cell(s) have a policy need but no {plan_level} level to "
             f"train for it in the plan, e.g. {shown}; that need is left out of "
             "the plan", DataQualityWarning, stacklevel=2)
    out = out[out["_merge"] == "both"]
    return pd.DataFrame({**{k: out[k].to_numpy() for k in keys},
                         "period": out["period"].to_numpy(),
                         "policy_need": (out["policy_need"] * out["share"]).to_numpy()})
