"""The inner forecasters of :class:`~talentgap.models.GapForecaster`, one per quantity.

Demand and supply are each forecast by a clone of the gap model's
forecaster. Without a hierarchy the clone is fitted to the cells with at
least one observed value (:func:`fit_side`); with one, to the quantity
summed to every node of the crossed hierarchy (:func:`fit_nodes`), whose
forecasts are reconciled later (:func:`talentgap.models._gap_paths.
reconciled_means`). Either way the result is a :class:`Side`: the fitted
model and where each of its series sits among the gap model's cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone

from talentgap._registry import register_dataclass
from talentgap.errors import ParameterError
from talentgap.features.hierarchy import Hierarchy
from talentgap.models.auto import AutoForecaster
from talentgap.models.base import BaseForecaster

__all__ = ["Side", "inner_forecaster", "fit_side", "cell_rows", "resolve_hierarchy",
           "fit_nodes"]


@register_dataclass("GapSide")
@dataclass(frozen=True)
class Side:
    """The fitted model of one quantity (demand or supply) and how its series map to cells.

    ``rows[i]`` is the cell (row of ``cells_``) of the model's series ``i``, or -1
    for a hierarchy node above the cells. ``lag[i]`` is the number of periods
    between the series' last observation and the forecast origin.
    """

    model: BaseForecaster | None
    rows: np.ndarray
    lag: np.ndarray
    node: np.ndarray | None = None  # hierarchy node of each series (with a hierarchy)


def inner_forecaster(forecaster: BaseForecaster | None,
                     target: str = "demand") -> BaseForecaster:
    """An unfitted clone of ``forecaster`` (default ``AutoForecaster()``) set up for counts.

    Declared ``analogues`` serve the demand only: a new trade's supply is its
    own certified trainees, counted in the training records from its first
    cohort (0 before it), so the supply clone forecasts it from that history
    rather than from another trade's training output scaled to its demand.

    Examples
    --------
    >>> import talentgap as tg
    >>> inner_forecaster(tg.models.Naive()).get_params()["nonnegative"]
    True
    """
    if forecaster is None:
        model = AutoForecaster()
    else:
        model = clone(forecaster)
    if model.get_params().get("nonnegative", False) is None:
        model.set_params(nonnegative=True)  # demand and supply are counts
    if target == "supply" and model.get_params().get("analogues"):
        model.set_params(analogues=None)
    if int(model.get_params().get("n_windows", 0)) < 1:
        raise ParameterError("the forecaster's n_windows == 0: the gap's sample paths "
                             "need its rolling-origin backtest errors; use n_windows >= 1")
    return model


def fit_side(gap, work: pd.DataFrame, codes: np.ndarray, target: str,
             keys: list[str]) -> Side:
    """Fit a clone to the cells with at least one observed ``target`` value."""
    observed = ~np.isnan(work[target].to_numpy())
    with_data = np.unique(codes[observed])
    if with_data.size == 0:
        return Side(model=None, rows=np.zeros(0, dtype=np.int64),
                    lag=np.zeros(0, dtype=np.int64))
    rows = np.isin(codes, with_data)
    model = inner_forecaster(gap.forecaster, target).fit(
        work.loc[rows, [*keys, gap.time, target]], target=target, time=gap.time, keys=keys)
    return Side(model=model, rows=cell_rows(gap.cells_, model.arrays_.ids, keys),
                lag=(gap._origin - model.arrays_.last_period).astype(np.int64))


def cell_rows(cells: pd.DataFrame, ids: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Row of ``cells`` of each series (row of ``ids``) of an inner model.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"region": ["A", "A", "B"], "industry": ["x", "y", "x"]})
    >>> cell_rows(cells, cells.iloc[[2, 0]], ["region", "industry"]).tolist()
    [2, 0]
    """
    lookup = pd.MultiIndex.from_frame(cells[keys].astype(object))
    return lookup.get_indexer(pd.MultiIndex.from_frame(ids[keys].astype(object))).astype(
        np.int64)


def resolve_hierarchy(hierarchy, cells: pd.DataFrame, keys: list[str]):
    """The hierarchy over the cells and each cell's bottom position in it (None, None)."""
    if hierarchy is None:
        return None, None
    if not isinstance(hierarchy, Hierarchy):
        hierarchy = Hierarchy.from_mappings(cells, dict(hierarchy), keys=keys)
    if list(hierarchy.keys) != keys:
        raise ParameterError(f"the hierarchy's keys {list(hierarchy.keys)} differ from "
                             f"keys {keys}")
    where = hierarchy.cell_positions(cells)
    if (where < 0).any() or hierarchy.n_bottom != len(cells):
        raise ParameterError(
            f"the hierarchy's bottom cells ({hierarchy.n_bottom}) are not the panel's "
            f"cells ({len(cells)}); {int((where < 0).sum())} panel cells are not in it. "
            "Build it from the panel: Hierarchy.from_mappings(panel, levels)")
    return hierarchy, where


def fit_nodes(gap, values: np.ndarray, target: str, hierarchy, bottom_of_cell: np.ndarray,
              first: int) -> Side:
    """Fit a clone to ``target`` summed to every node (NaN where any cell is NaN)."""
    n_bottom = hierarchy.n_bottom
    bottom = np.full((n_bottom, values.shape[1]), np.nan)
    bottom[bottom_of_cell] = values
    totals = hierarchy.sum_to_nodes(bottom)
    empty = np.flatnonzero(np.isnan(totals).all(axis=1))
    if empty.size:
        fix = (" (cells that no training reaches have missing supply: build the panel with "
               "build_panel(..., supply_fill=0) to count their supply as 0, as a cell without "
               "training has none)" if target == "supply" else
               " (a cell not surveyed in a period has missing demand there)")
        raise ParameterError(
            f"reconciliation needs {target} at every node of the hierarchy, but "
            f"{empty.size} nodes have no period with {target} observed in all their "
            f"cells{fix}, e.g. {hierarchy.node_examples(empty)}")
    n_nodes, width = totals.shape
    frame = hierarchy.nodes[hierarchy.node_columns].iloc[
        np.repeat(np.arange(n_nodes), width)].reset_index(drop=True)
    frame[gap.time] = pd.PeriodIndex.from_ordinals(
        np.tile(first + np.arange(width), n_nodes), freq=gap.freq_)
    frame[target] = totals.ravel()
    model = inner_forecaster(gap.forecaster, target).fit(frame, target=target, time=gap.time,
                                                 keys=hierarchy.node_columns)
    node = hierarchy.node_positions(model.arrays_.ids, what="the fitted series")
    cell_of_bottom = np.full(n_bottom, -1, dtype=np.int64)
    cell_of_bottom[bottom_of_cell] = np.arange(len(bottom_of_cell))
    rows = np.where(node < n_bottom, cell_of_bottom[np.minimum(node, n_bottom - 1)], -1)
    return Side(model=model, rows=rows.astype(np.int64),
                lag=(gap._origin - model.arrays_.last_period).astype(np.int64),
                node=node.astype(np.int64))
