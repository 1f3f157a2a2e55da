"""The pipeline's panel: the validated tables counted per cell and period.

:func:`build_run_panel` builds the panel of a run from its validated input
tables (:func:`talentgap.features.build_panel`), and :func:`supply_settings`
says how training output counts as supply, the same for the panel and for
the supply its training table already knows after it
(:func:`talentgap.cli._known_supply.known_future_supply`).
:func:`talentgap.cli.pipeline.run` calls them for the ``features`` step.
"""

from __future__ import annotations

import logging

import pandas as pd

from talentgap import features
from talentgap.cli._employment_freq import coarser_employment
from talentgap.cli._panel_settings import panel_lead_time, supply_missing_note
from talentgap.cli._plan_inputs import check_employment_keys, panel_absorption, panel_crosswalk
from talentgap.cli._plan_levels import upgrades_note
from talentgap.cli.config import Config
from talentgap.errors import warn
from talentgap.features.panel import input_cells

__all__ = ["build_run_panel", "supply_settings"]

logger = logging.getLogger("talentgap.cli")


def supply_settings(tables: dict, config: Config, reports: dict | None = None) -> dict:
    """How the panel counts training output as supply (:func:`talentgap.features.build_panel`
    arguments), also those of the supply it already knows after the panel
    (:func:`talentgap.cli._known_supply.known_future_supply`)."""
    return {"freq": config.data.freq, "lead_time": panel_lead_time(config),
            "absorption": panel_absorption(config),
            "crosswalk": panel_crosswalk(tables, config, (reports or {}).get("surveys")),
            "skill_levels": config.data.levels(), "supply_fill": config.panel.supply_fill}


def build_run_panel(tables: dict, config: Config, reports: dict | None = None) -> pd.DataFrame:
    data = config.data  # codes written differently across tables: an error unless allowed
    # skipped rows: a cell that lost every row stays in the panel, its values missing; the
    # cells are those of the tables that define demand and supply, as in a run without
    # rejected rows (an employment table may name cells, such as an unskilled level, that
    # no survey or training row has)
    cells = (None if not reports or all(r.ok for r in reports.values())
             else input_cells([reports[name] for name in ("surveys", "training")
                               if name in reports], keys=data.keys))
    allow = [side for side in ("supply", "demand") if getattr(data, f"allow_missing_{side}")]
    features.codes.verify_codes(tables, keys=data.keys, codes="raise", allow=allow)
    check_employment_keys(tables.get("employment"), config)
    employment = tables.get("employment")  # a coarser one feeds the yearly projections only
    if coarser_employment(employment, data.freq):
        employment = None
    panel = features.build_panel(
        tables["surveys"], tables.get("training"), employment, keys=tuple(config.data.keys),
        design=config.survey.design(), codes="ignore", cells=cells,
        **supply_settings(tables, config, reports))
    note = supply_missing_note(panel, config.data.keys)
    if note is not None and config.panel.supply_fill is None:
        warn(note)
    upgrades = upgrades_note(tables.get("training"), config)
    if upgrades is not None:
        warn(upgrades)
    cells = panel.groupby(list(config.data.keys), observed=True).ngroups
    logger.info("panel: %d cells x %d periods", cells, panel["period"].nunique())
    return panel
