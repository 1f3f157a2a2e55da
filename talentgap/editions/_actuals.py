"""Reading the later data: the panel an edition is scored against, as the edition reads it.

The actuals must have the cell keys, the model's time column and the
quantities scored (:data:`QUANTITIES`); their period labels are parsed at the
edition's frequency (:func:`talentgap.periods.parse_periods`, nothing else
accepted), a cell-period may appear once, and the values are taken as
numbers. An edition whose model left the sampling error out of its paths
also reads the actuals' standard-error column (``actual_se``), by which its
demand and gap intervals are widened before they are compared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.errors import EditionError, SchemaError
from talentgap.periods import normalize_freq, parse_periods

__all__ = ["QUANTITIES", "actual_values", "cell_codes"]

#: The quantities scored.
QUANTITIES = ("gap", "demand", "supply")


def actual_values(actuals, keys, time, model, name) -> pd.DataFrame:
    """The actuals as edition ``name`` reads them: the keys as text, ``time`` at the
    model's frequency, the quantities as floats and ``actual_se`` when read.

    Raises :class:`~talentgap.errors.EditionError` for a non-DataFrame, a
    missing column or a repeated cell-period, and
    :class:`~talentgap.errors.SchemaError` for a period label not of the
    edition's frequency.
    """
    if not isinstance(actuals, pd.DataFrame):
        raise EditionError(f"actuals must be a DataFrame (a panel), got {type(actuals).__name__}")
    missing = [c for c in [*keys, time, *QUANTITIES] if c not in actuals.columns]
    if missing:
        raise EditionError(f"the actuals lack the column(s) {missing}; pass a panel as built "
                           "by talentgap.features.build_panel")
    se = _sampling_column(model, actuals)
    out = actuals[[*keys, time, *QUANTITIES, *([se] if se else [])]].copy()
    if se:
        out = out.rename(columns={se: "actual_se"})
        out["actual_se"] = pd.to_numeric(out["actual_se"], errors="coerce").astype(np.float64)
    out[time] = _actual_periods(out[time], time, model, name)
    for key in keys:
        out[key] = out[key].astype(str)
    repeated = out.duplicated([*keys, time])
    if repeated.any():
        first = out.loc[repeated].iloc[0]
        raise EditionError(f"the actuals repeat {int(repeated.sum())} cell-period(s), e.g. "
                           f"({', '.join(str(first[c]) for c in [*keys, time])})")
    for quantity in QUANTITIES:
        out[quantity] = pd.to_numeric(out[quantity], errors="coerce").astype(np.float64)
    return out


def cell_codes(cells: pd.DataFrame, keys) -> pd.DataFrame:
    """The edition's cells as the actuals spell them: the keys as text, and ``cell``, the
    cell's row in ``cells`` (the model's ``cells_``), to merge forecasts and actuals on.

    >>> cell_codes(pd.DataFrame({"region": [1, 2], "industry": ["a", "b"]}),
    ...            ["region", "industry"]).to_dict("list")
    {'region': ['1', '2'], 'industry': ['a', 'b'], 'cell': [0, 1]}
    """
    cells = cells.reset_index(drop=True)
    code_of = pd.DataFrame({k: cells[k].astype(str) for k in keys})
    code_of["cell"] = np.arange(len(cells))
    return code_of


def _sampling_column(model, actuals: pd.DataFrame) -> str | None:
    """The actuals' standard-error column to widen the edition's intervals by, or None.

    Only for a model whose paths left the sampling error out (``demand_se_``
    set at fit); editions stored before that have none.
    """
    column = getattr(model, "sampling_se", None)
    if getattr(model, "demand_se_", None) is None or column not in actuals.columns:
        return None
    return column


def _actual_periods(values: pd.Series, time: str, model, name: str) -> pd.Series:
    """The actuals' periods at the edition's frequency (its one parser; others refused)."""
    freq = model.origin_.freq
    if isinstance(values.dtype, pd.PeriodDtype) and values.dtype.freq == freq:
        return values
    try:
        return parse_periods(values.reset_index(drop=True), freq=normalize_freq(model.freq_),
                             name=time).set_axis(values.index)
    except SchemaError as exc:
        raise SchemaError(f"table 'actuals' (scoring edition {name!r}, which forecasts "
                          f"{normalize_freq(model.freq_)} periods): {exc}", column=time,
                          reason=exc.reason, failure_cases=exc.failure_cases) from exc
