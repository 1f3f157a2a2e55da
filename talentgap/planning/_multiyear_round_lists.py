"""The places each unit lists in a round of multi-year rounding, and the order they are taken in.

Each round of :func:`~talentgap.planning._multiyear_round.round_years` lets
every unit (a cell, or a programme of a crosswalk) list up to :data:`STEPS`
places in the order adding one at a time would take them; all units' places
are then taken best first. :class:`PlaceLists` holds those lists and keeps a
unit's list from one round to the next when it would come out the same;
:func:`descending` is the order the listed places are taken in and
:func:`tie_key` the value they are compared by (to 10 significant digits, so
places of equal value tie).
"""

from __future__ import annotations

import numpy as np

from talentgap.planning._solve import tie_key

__all__ = ["PlaceLists", "descending", "tie_key", "STEPS"]

#: Places per cell priced in one round (in the order adding them one at a time takes them).
STEPS = 8


class PlaceLists:
    """Each unit's listed places of the last round it was listed in, kept between rounds.

    A unit's list depends only on its own places and open decisions (when no
    other unit reaches its targets) and, through the value per share of
    slack, on the rows' slack; that value only breaks ties. Each step takes
    the decision of the largest value; when no other decision had the same
    value, closing a decision the list does not take cannot change it. So a
    unit is listed again only when its places changed, a decision opened,
    a decision of its list closed or a tie was broken; otherwise only the
    value per share of slack is computed again.
    """

    def __init__(self, n_units: int, cell: np.ndarray, *, own: bool) -> None:
        self.cell, self.own = cell, own
        self.listed = np.zeros(n_units, dtype=bool)
        self.tied = np.zeros(n_units, dtype=bool)
        self.q = np.full(cell.size, np.nan)      # places and open decisions when listed
        self.open = np.zeros(cell.size, dtype=bool)
        self.member = np.zeros(cell.size, dtype=bool)  # taken by a list (or next in it)
        self.dec = np.full((n_units, STEPS), -1, dtype=np.int64)
        self.gain = np.zeros((n_units, STEPS))
        self.value = np.zeros((n_units, STEPS))
        self.key = np.zeros((n_units, STEPS))
        self.next_value = np.full(n_units, -np.inf)
        self.remainder0 = np.zeros(n_units)

    def stale(self, q: np.ndarray, open_: np.ndarray) -> np.ndarray:
        """Per unit: whether its list must be made again."""
        if not self.own:
            return np.ones(self.listed.size, dtype=bool)
        out = ~self.listed | self.tied
        out[self.cell[(q != self.q) | (open_ & ~self.open)
                      | (self.open & ~open_ & self.member)]] = True
        self.open = open_.copy()
        return out

    def clear(self, units: np.ndarray, q: np.ndarray, open_: np.ndarray) -> None:
        """Forget the lists of ``units`` (a mask) before they are made again."""
        self.listed |= units
        self.tied[units] = False
        mine = units[self.cell]
        self.q[mine], self.open[mine], self.member[mine] = q[mine], open_[mine], False
        self.dec[units] = -1
        self.next_value[units] = -np.inf
        self.remainder0[units] = 0.0

    def put(self, units, step, dec, gain, value, key) -> None:
        """The ``step``-th place of each of ``units``."""
        self.dec[units, step], self.gain[units, step] = dec, gain
        self.member[dec] = True
        self.value[units, step], self.key[units, step] = value, key

    def entries(self, worst: np.ndarray) -> tuple[np.ndarray, ...]:
        """Every listed place, by step then unit: decision, value, key, second value, step.

        The second value (by share of the tightest slack, for ties and places
        on no binding row) is the running minimum over the unit's places.
        """
        has = self.dec >= 0
        gain, dec = self.gain[has[:, 0]], self.dec[has[:, 0]]
        with np.errstate(divide="ignore", invalid="ignore"):
            share = worst[np.maximum(dec, 0)]
            second = np.where(share > 0, gain / share, np.inf)
        second = np.minimum.accumulate(second, axis=1)
        full = np.full(has.shape, np.inf)
        full[has[:, 0]] = second
        step, unit = np.nonzero(has.T)
        return (self.dec[unit, step], self.value[unit, step], self.key[unit, step],
                full[unit, step], step)


def descending(first: np.ndarray, second: np.ndarray, third: np.ndarray) -> np.ndarray:
    """``np.lexsort((-third, -second, -first))``: sorted by ``first`` alone, then the runs
    of equal ``first`` (few) by the other two; equal entries keep their order.

    Examples
    --------
    >>> descending(np.array([1.0, 2.0, 2.0]), np.array([0.0, 0.0, 1.0]), np.zeros(3))
    array([2, 1, 0])
    """
    order = np.argsort(-first, kind="stable")
    value = first[order]
    same = np.flatnonzero(value[1:] == value[:-1])
    if same.size:
        tied = np.zeros(order.size, dtype=bool)
        tied[same] = tied[same + 1] = True
        where = np.flatnonzero(tied)
        run = np.cumsum(np.r_[True, value[where[1:]] != value[where[:-1]]]
                        | np.r_[True, where[1:] != where[:-1] + 1])
        sub = order[where]
        order[where] = sub[np.lexsort((-third[sub], -second[sub], run))]
    return order
