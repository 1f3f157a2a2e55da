"""Where a panel's ``supply_fill`` applies: the cell-periods the training table speaks for.

The rule of :func:`talentgap.features.build_panel`'s ``supply_fill``, shared
with the command line's supply known ahead (``talentgap.cli._known_supply``)
so that both fill the same cell-periods.
"""

from __future__ import annotations

import numpy as np

__all__ = ["supply_fill_span"]


def supply_fill_span(cell: np.ndarray, period: np.ndarray, demand_seen: np.ndarray,
                     supply_seen: np.ndarray) -> np.ndarray:
    """Where ``supply_fill`` applies: the cell-periods the training table speaks for.

    A cell-period is in the span from the first period with supply observed
    in any cell (the first training output the table reaches; every period
    when no cell has any) and, in its cell, from the first period with
    demand or supply observed. Earlier cell-periods stay missing: before the
    first arrival the table has no record, and a cell not yet observed (a
    new trade) has no series yet.

    Parameters
    ----------
    cell, period : numpy.ndarray of int
        Each cell-period's cell number and period (any integer order, such
        as period ordinals).
    demand_seen, supply_seen : numpy.ndarray of bool
        Whether its demand and its supply are observed.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    Two cells over four periods; the first arrival is in period 1, the
    second cell (a new trade) is first surveyed in period 2:

    >>> cell = np.repeat([0, 1], 4)
    >>> period = np.tile(np.arange(4), 2)
    >>> demand = np.array([1, 1, 1, 1, 0, 0, 1, 1], dtype=bool)
    >>> supply = np.array([0, 1, 0, 1, 0, 0, 0, 1], dtype=bool)
    >>> supply_fill_span(cell, period, demand, supply).astype(int).tolist()
    [0, 1, 1, 1, 0, 0, 1, 1]
    """
    cell, period = np.asarray(cell, dtype=np.int64), np.asarray(period, dtype=np.int64)
    supply_seen = np.asarray(supply_seen, dtype=bool)
    seen = np.asarray(demand_seen, dtype=bool) | supply_seen
    if cell.size == 0:
        return np.zeros(0, dtype=bool)
    reached = period[supply_seen].min() if supply_seen.any() else period.min()
    first = np.full(int(cell.max()) + 1, np.iinfo(np.int64).max)
    np.minimum.at(first, cell[seen], period[seen])
    return (period >= reached) & (period >= first[cell])
