"""Cells without a forecast: left out of a plan, and named in its notes.

A gap model makes no forecast for a cell whose demand it never observed (a
new trade not surveyed yet, or a cell whose survey rows were all rejected as
invalid): its demand and gap are missing at every period and in every sample
path, flagged ``no_demand_data``. No plan can weigh places there against
places elsewhere, and one such cell must not stop the plan of every other
cell: :func:`without_forecast` leaves those cells out (they get no places)
and words a note that names them. A cell with a forecast at some periods or
paths but not at others is not left out: the plan's own checks then say
which values are missing.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from talentgap.errors import SchemaError
from talentgap.planning._params import cell_names, plural

__all__ = ["without_forecast"]

_MAX_NAMED = 10


def without_forecast(fc) -> tuple[object, str] | None:
    """The forecast input without its cells that have no forecast, and a note naming them.

    Parameters
    ----------
    fc : Forecast
        A checked forecast, as read before cells are left out
        (``talentgap.planning._forecast._read_forecast``).

    Returns
    -------
    tuple of (DataFrame or sample paths, str), or None
        None when every cell has a value somewhere. Otherwise the input
        with only the cells that have one (the table's rows of those
        cells, or sample paths holding only them) and the note, e.g. ``"1
        cell has no demand forecast and gets no places: ecom in Ashmere"``.

    Raises
    ------
    SchemaError
        If no cell has a value (rule ``missing_value``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from talentgap.planning._forecast import _read_forecast
    >>> table = pd.DataFrame({"region": ["N", "N", "S", "S"], "industry": "textiles",
    ...                       "period": ["2026Q1", "2026Q2"] * 2,
    ...                       "demand": [5.0, 6.0, np.nan, np.nan],
    ...                       "gap": [2.0, 3.0, np.nan, np.nan]})
    >>> kept, note = without_forecast(_read_forecast(table, ["region", "industry"], "gap"))
    >>> kept["region"].tolist(), note
    (['N', 'N'], '1 cell has no demand forecast and gets no places: textiles in S')
    """
    if fc.paths is not None:
        missing, demand_gone = _missing_paths(fc)
    else:
        missing, demand_gone = _missing_rows(fc)
    if not missing.any():
        return None
    if missing.all():
        raise SchemaError(
            f"column {fc.value!r} of the gap forecast is missing for every cell, at every "
            "period (no demand data anywhere?): there is nothing to plan for",
            column=fc.value, reason="missing_value")
    gone = np.flatnonzero(missing)
    what = "demand" if demand_gone else repr(fc.value)
    names = cell_names(fc.cells, fc.keys, gone[:_MAX_NAMED])
    more = f"; and {gone.size - len(names)} more" if gone.size > len(names) else ""
    verb = "has" if gone.size == 1 else "have"
    gets = "gets" if gone.size == 1 else "get"
    note = (f"{plural(gone.size, 'cell')} {verb} no {what} forecast and {gets} no places: "
            + "; ".join(names) + more)
    if fc.paths is not None:
        return _paths_subset(fc, missing), note
    keep = ~missing[fc.codes]
    return fc.table[keep], note


def _missing_rows(fc) -> tuple[np.ndarray, bool]:
    """Per cell (key order): every row's value missing; and whether its demand is too."""
    n = len(fc.cells)
    blank = fc.table[fc.value].isna().to_numpy(dtype=bool)
    missing = np.bincount(fc.codes, weights=~blank, minlength=n) == 0
    demand_gone = fc.value in ("demand", "gap")
    if demand_gone and "demand" in fc.table.columns and fc.value != "demand":
        present = ~fc.table["demand"].isna().to_numpy(dtype=bool)
        demand_gone = not (present & missing[fc.codes]).any()
    return missing, demand_gone


def _missing_paths(fc) -> tuple[np.ndarray, bool]:
    """Per cell (key order): the value missing at every period and path; and its demand too.

    The first path screens the cells (one cells x periods slice), so only the
    few cells missing there are read in full.
    """
    paths = fc.paths
    demand = np.asarray(paths.demand[:, :, 0])
    first = np.isnan(demand)
    if fc.value != "demand":
        supply = np.isnan(np.asarray(paths.supply[:, :, 0]))
        first = first | supply if fc.value == "gap" else supply
    candidates = np.flatnonzero(first.all(axis=1))
    own = np.zeros(len(paths.cells), dtype=bool)   # in the paths' cell order
    if candidates.size:
        values = paths.values(fc.value, cells=candidates)
        own[candidates] = np.isnan(values).all(axis=(1, 2))
    horizon = len(paths.periods)
    rank = np.asarray(fc.codes[::horizon], dtype=np.int64)   # paths cell -> key order
    missing = np.zeros(own.size, dtype=bool)
    missing[rank] = own
    demand_gone = fc.value in ("demand", "gap") and bool(
        np.isnan(np.asarray(paths.demand[np.flatnonzero(own), :, 0])).all())
    return missing, demand_gone


def _paths_subset(fc, missing: np.ndarray):
    """The sample paths of the cells with a forecast (their long table when the
    paths cannot be rebuilt with fewer cells)."""
    paths = fc.paths
    horizon = len(paths.periods)
    keep = ~missing[np.asarray(fc.codes[::horizon], dtype=np.int64)]   # paths cell order
    if dataclasses.is_dataclass(paths):
        return dataclasses.replace(
            paths, cells=paths.cells[keep].reset_index(drop=True),
            demand=paths.demand[keep], supply=paths.supply[keep])
    table = paths.to_frame()
    cells = pd.MultiIndex.from_frame(table[fc.keys].astype(object))
    wanted = pd.MultiIndex.from_frame(paths.cells[fc.keys][keep].astype(object))
    return table[cells.isin(wanted)]
