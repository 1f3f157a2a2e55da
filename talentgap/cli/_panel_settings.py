"""The ``[panel]`` settings a run builds its panel with: lead times, and unknown supply.

``[panel] lead_time`` is a whole number of periods or the path of a CSV with
a lead time per cell or programme (:func:`panel_lead_time`), read as the
per-cell files of ``[plan]`` are. A cell-period that no training row reaches
has unknown supply unless ``[panel] supply_fill`` says what to count there;
:func:`supply_missing_note` says how many such cell-periods a panel has.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._words import count_words, rows_fail
from talentgap.cli._plan_inputs import check_plan_csv, read_plan_csv
from talentgap.errors import ConfigError

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
    lead = table["lead_time"].to_numpy(dtype=np.float64)
    bad = np.flatnonzero((lead < 0) | (lead != np.floor(lead)))
    if bad.size:
        lines = table.attrs.get("line_numbers")
        lines = (np.asarray(lines) if lines is not None and len(lines) == len(table)
                 else np.arange(len(table)) + 2)
        shown = "; ".join(f"line {lines[i]}: {lead[i]:g}" for i in bad[:_SHOWN])
        raise ConfigError(f"[panel] lead_time: {value}: column 'lead_time' must be a whole "
                          f"number of periods >= 0; {rows_fail(bad.size)}, "
                          f"e.g. {shown}")
    return table.astype({"lead_time": np.int64})


def supply_missing_note(panel: pd.DataFrame, keys) -> str | None:
    """A sentence on the cell-periods no training row reaches, or None when there are none.

    Only the cell-periods from the first period that any training output
    reaches count: before it, every cell lacks supply because the training
    table starts there (they are named in the sentence, not counted as
    gaps). The sentence names how many, one of them and ``[panel]
    supply_fill``.

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
(it also fills the 1 cell-period before the first training output arrives)
    """
    if "supply_missing" not in panel.columns:
        return None
    missing = panel["supply_missing"].to_numpy(dtype=bool)
    if missing.all() or not missing.any():
        return None
    period = panel["period"]
    first = period[~missing].min()
    inside = missing & (period > first).to_numpy()
    if not inside.any():
        return None
    before = int((missing & ~inside).sum())
    row = panel.iloc[np.flatnonzero(inside)[0]]
    where = ", ".join([*(f"{k}={row[k]!r}" for k in keys), str(row["period"])])
    n = int(inside.sum())
    also = (f" (it also fills the {count_words(before, 'cell-period')} before the first "
            "training output arrives)" if before else "")
    return (f"supply is unknown in {count_words(n, 'cell-period')} that no training row "
            f"reaches, e.g. {where}: {'its' if n == 1 else 'their'} supply and gap are blank "
            "in panel.csv (not known); if no training row means that no one "
            f"certified there, set [panel] supply_fill = 0{also}")
