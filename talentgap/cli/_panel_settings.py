"""The ``[panel]`` settings a run builds its panel with: lead times, and unknown supply.

``[panel] lead_time`` is a whole number of periods or the path of a CSV with
a lead time per cell or programme (:func:`panel_lead_time`), read as the
per-cell files of ``[plan]`` are. A cell-period that no training row reaches
has unknown supply unless ``[panel] supply_fill`` says what to count there
(within the training table's reach and the cell's observed span);
:func:`supply_missing_note` says how many such cell-periods a panel has.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._words import count_words, rows_fail
from talentgap.cli._plan_inputs import check_plan_csv, read_plan_csv
from talentgap.errors import ConfigError
from talentgap.features._supply_fill import supply_fill_span

__all__ = ["lead_time_columns", "panel_lead_time", "supply_missing_note"]

#: Offending rows shown in a message.
_SHOWN = 3


def lead_time_columns(keys) -> list[str]:
    """The key columns a ``[panel] lead_time`` CSV may have: ``program``, the keys, the level.

    Examples
    --------
    >>> lead_time_columns(["region", "industry"])
    ['program', 'region', 'industry', 'skill_level']
    """
    return list(dict.fromkeys(["program", *keys, "skill_level"]))


def panel_lead_time(config) -> int | pd.DataFrame:
    """The lead time of past training's supply: a number, or a table per cell or programme.

    A ``[panel] lead_time`` CSV has a ``lead_time`` column (whole numbers of
    periods, >= 0) and key columns among ``program``, the run's keys and
    ``skill_level`` (:func:`lead_time_columns`); each training row takes the
    lead time of the file's row that matches it
    (:func:`talentgap.features.training_supply`).

    The table's ``attrs`` carry the setting and file (``source``) and each
    row's line in the file (``line_numbers``), so that the errors of the
    join with the training rows (a programme or cell the file has no row
    for) name them too.

    Raises
    ------
    ConfigError
        The file is missing, has another column, a repeated key, or a lead
        time that is not a whole number >= 0 (naming its lines).

    Examples
    --------
    >>> from talentgap.cli.config import Config
    >>> panel_lead_time(Config.from_dict({"panel": {"lead_time": 2}}))
    2
    """
    value = config.panel.lead_time
    if not isinstance(value, str):
        return value
    columns = lead_time_columns(config.data.keys)
    table = read_plan_csv(value, "lead_time", columns, section="panel",
                          encoding=config.data.encoding)
    if "lead_time" not in table.columns:
        raise ConfigError(f"[panel] lead_time: {value} has no column 'lead_time'; columns are "
                          f"{list(table.columns)}")
    table = check_plan_csv(table, "lead_time", value, keys=columns, section="panel")
    lines = table.attrs.get("line_numbers")  # each row's line in the file, header line 1
    lines = (np.asarray(lines) if lines is not None and len(lines) == len(table)
             else np.arange(len(table)) + 2)
    lead = table["lead_time"].to_numpy(dtype=np.float64)
    bad = np.flatnonzero((lead < 0) | (lead != np.floor(lead)))
    if bad.size:
        shown = "; ".join(f"line {lines[i]}: {lead[i]:g}" for i in bad[:_SHOWN])
        raise ConfigError(f"[panel] lead_time: {value}: column 'lead_time' must be a whole "
                          f"number of periods >= 0; {rows_fail(bad.size)}, "
                          f"e.g. {shown}")
    table = table.astype({"lead_time": np.int64})
    # the join with the training rows names the setting, the file and its lines
    table.attrs["source"] = f"[panel] lead_time: {value}"
    table.attrs["line_numbers"] = lines.tolist()   # a plain list, as attrs elsewhere
    return table


def supply_missing_note(panel: pd.DataFrame, keys) -> str | None:
    """A sentence on the cell-periods no training row reaches, or None when there are none.

    Only the cell-periods ``[panel] supply_fill`` would fill count
    (:func:`talentgap.features._supply_fill.supply_fill_span`): from the first
    period that any training output reaches, and in each cell from the
    first period its demand or supply is observed. Earlier ones lack supply
    because the training table starts there or the cell (a new trade) is
    not observed yet: they stay blank either way and are named in the
    sentence, not counted as gaps. The sentence names how many, one of them
    and ``[panel] supply_fill``.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"region": "North", "industry": "textiles",
    ...                       "period": pd.period_range("2024Q1", periods=3, freq="Q"),
    ...                       "supply_missing": [True, False, True]})
    >>> print(supply_missing_note(panel, ["region", "industry"]))
    supply is unknown in 1 cell-period that no training row reaches, e.g. region='North', \
industry='textiles', 2024Q3: its supply and gap are blank in panel.csv (not known); \
if no training row means that no one certified there, set [panel] supply_fill = 0 \
(the 1 cell-period before the first training output arrives or before its cell is first \
observed stays blank either way)
    """
    if "supply_missing" not in panel.columns:
        return None
    missing = panel["supply_missing"].to_numpy(dtype=bool)
    if missing.all() or not missing.any():
        return None
    keys = list(keys)
    cell = (panel.groupby(keys, observed=True, sort=False).ngroup().to_numpy()
            if keys else np.zeros(len(panel), dtype=np.int64))
    demand = (~panel["demand_missing"].to_numpy(dtype=bool) if "demand_missing" in panel
              else np.ones(len(panel), dtype=bool))
    inside = missing & supply_fill_span(cell, panel["period"].array.asi8, demand, ~missing)
    if not inside.any():
        return None
    before = int((missing & ~inside).sum())
    row = panel.iloc[np.flatnonzero(inside)[0]]
    where = ", ".join([*(f"{k}={row[k]!r}" for k in keys), str(row["period"])])
    n = int(inside.sum())
    also = (f" (the {count_words(before, 'cell-period')} before the first training output "
            f"arrives or before {'its' if before == 1 else 'their'} cell is first observed "
            f"{'stays' if before == 1 else 'stay'} blank either way)" if before else "")
    return (f"supply is unknown in {count_words(n, 'cell-period')} that no training row "
            f"reaches, e.g. {where}: {'its' if n == 1 else 'their'} supply and gap are blank "
            "in panel.csv (not known); if no training row means that no one "
            f"certified there, set [panel] supply_fill = 0{also}")
