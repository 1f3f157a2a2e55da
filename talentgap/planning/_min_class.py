"""A minimum class size: every funded decision is 0 places or at least ``N``.

A training class needs enough trainees to run: a bureau cannot open a class
for 3 people. With ``min_class_size`` each decision (a cell, or a cell and
funding period in a multi-year plan) is either closed, ``q = 0``, or open,
``N <= q <= cap``. The set of allowed places is not convex (it is a
*semi-continuous* variable), so the plan is no longer a linear program:

* ``integer="exact"`` adds one binary ``z`` per decision the rule can affect,
  with ``q >= N z`` and ``q <= M z`` (``M`` the capacity, or when there is
  none the most places that can still remove something), to the integer
  program (:func:`class_columns`);
* the default rounding path decides open or close from the linear program
  (:func:`open_or_close`, driven by
  :mod:`talentgap.planning._min_class_solve`), then fixes every decision's
  state (:func:`fix_classes`) and solves and rounds as without the rule.

This module reads and checks the parameter and holds the rule's arithmetic;
it depends on nothing but the parameter readers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from talentgap.errors import PlanningError
from talentgap.planning._params import cell_names, examples, fmt, plural

__all__ = ["CLASS_TOL", "ClassRounds", "apply_min_class", "active_classes", "class_columns",
           "fix_classes", "open_or_close", "class_note"]

CLASS_TOL = 1e-6   # places within this of 0 or of N count as closed or as a full class
_MAX_SHOWN = 5


@dataclass(frozen=True)
class ClassRounds:
    """What the rounding path's rule did: decisions closed, raised, and LP rounds."""

    closed: int = 0
    raised: int = 0
    rounds: int = 0
    by_integer: bool = False   # a dead end: the integer program decided the classes


def apply_min_class(size: np.ndarray | None, minimum: np.ndarray, cap: np.ndarray, *,
                    integer: str, frame: pd.DataFrame, keys, unit: str = "cell"
                    ) -> tuple[np.ndarray, np.ndarray | None]:
    """Check ``min_class_size`` against the capacities and fold it into the minimums.

    ``size`` holds one checked value (>= 0, finite) per decision, or is None
    (no rule). Whole places (``integer`` other than ``"none"``) round the
    size up. A decision whose ``min_quota`` is above 0 always runs, so its
    minimum becomes at least the class size. Returns the minimums and the
    sizes (None when no decision has a class size above 0).

    Raises
    ------
    PlanningError
        If a decision's class size is above its capacity, naming the cells.

    Examples
    --------
    >>> cells = pd.DataFrame({"region": ["N", "N"], "industry": ["A", "B"]})
    >>> low, size = apply_min_class(np.array([20.0, 20.0]), np.array([0.0, 5.0]),
    ...                             np.array([np.inf, 40.0]), integer="round",
    ...                             frame=cells, keys=["region", "industry"])
    >>> low.tolist(), size.tolist()
    ([0.0, 20.0], [20.0, 20.0])
    >>> apply_min_class(np.array([20.0, 20.0]), np.zeros(2), np.array([15.0, 40.0]),
    ...                 integer="round", frame=cells, keys=["region", "industry"])
    Traceback (most recent call last):
    ...
    talentgap.errors.PlanningError: min_class_size is above the capacity in 1 cell, so no class could run there: A in N: min_class_size 20 > capacity 15 by 5 places; lower min_class_size there (a table gives it cell by cell) or raise the capacity
    """  # noqa: E501
    if size is None:
        return minimum, None
    if integer != "none":
        size = np.ceil(size - CLASS_TOL)
        cap = np.floor(cap + CLASS_TOL)
    over = np.flatnonzero(size > cap)
    if over.size:
        shown = over[:_MAX_SHOWN]
        raise PlanningError(
            f"min_class_size is above the capacity in {plural(over.size, unit)}, so no "
            "class could run there: "
            + examples(cell_names(frame, list(keys), shown),
                       [f"min_class_size {fmt(size[i])} > capacity {fmt(cap[i])} by "
                        f"{fmt(size[i] - cap[i])} places" for i in shown], over.size)
            + "; lower min_class_size there (a table gives it cell by cell) or raise the "
            "capacity")
    minimum = np.where(minimum > 0, np.maximum(minimum, size), minimum)
    return minimum, (size if (size > 0).any() else None)


def active_classes(size: np.ndarray | None, lower: np.ndarray, upper: np.ndarray
                   ) -> np.ndarray:
    """Decisions the rule can still affect: a class size above the minimum and room above 0."""
    if size is None:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero((size > lower + CLASS_TOL) & (upper > CLASS_TOL))


def fix_classes(size: np.ndarray, lower: np.ndarray, upper: np.ndarray, places: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Bounds with every decision's class settled by ``places``: closed at 0, or open.

    A decision with fewer than half a place is closed (``upper = 0``);
    any other is open (``lower >= N``). ``places`` must already keep the rule.
    """
    active = active_classes(size, lower, upper)
    lower, upper = lower.copy(), upper.copy()
    closed = active[places[active] <= CLASS_TOL]
    opened = active[places[active] > CLASS_TOL]
    upper[closed] = 0.0
    lower[opened] = np.maximum(lower[opened], size[opened])
    return lower, upper


def open_or_close(places: np.ndarray, size: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                  gain: np.ndarray, price: np.ndarray, rows: sp.csr_matrix, limit: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """One round of the rounding path's rule: which split decisions open and which close.

    A decision is *split* when the linear program gives it between 0 and
    ``N`` places. ``gain`` is the objective a full class of ``N`` places
    removes there compared with none (the other decisions as the program
    left them); ``price`` what one place takes from the binding rows at the
    program's values per unit (for one budget: the budget's value times the
    cost). A class whose value per place, ``gain / N``, is below its price
    is worth less than the money (or places) it would take elsewhere: every
    such decision closes, and the program is solved again. When every split
    decision is worth its price, they open best value per price first, as
    many as the rows' room left by the program's plan pays for (always the
    best one, if its class fits the rows at all; otherwise it closes).

    Returns the decisions to open and to close (both empty: no split left).

    Examples
    --------
    Two split cells, 10 places each per class, a place costs 1, money worth
    0.5 per unit: the first removes 3 per place, the second 0.2.

    >>> rows = sp.csr_matrix(np.ones((1, 2)))
    >>> open_or_close(np.array([4.0, 6.0]), np.full(2, 10.0), np.zeros(2), np.full(2, 50.0),
    ...               gain=np.array([30.0, 2.0]), price=np.full(2, 0.5), rows=rows,
    ...               limit=np.array([10.0]))
    (array([], dtype=int64), array([1]))
    """
    split = active_classes(size, lower, upper)
    split = split[(places[split] > CLASS_TOL) & (places[split] < size[split] - CLASS_TOL)]
    none = np.zeros(0, dtype=np.int64)
    if split.size == 0:
        return none, none
    per_place = gain[split] / size[split]
    # below its price (a tie is not: the class is worth what it takes), or worth nothing
    worse = (per_place < np.maximum(price[split], 0.0) * (1.0 - 1e-9)) | (per_place <= 1e-12)
    if worse.any():
        return none, split[worse]
    with np.errstate(divide="ignore"):
        ratio = np.where(price[split] > 0, per_place / price[split], np.inf)
    order = split[np.lexsort((split, -ratio))]
    first = order[:1]
    raised = lower.copy()
    raised[first] = size[first]
    if rows.shape[0] and (rows @ raised > limit + CLASS_TOL * np.maximum(1.0, limit)).any():
        return none, first    # its class does not fit even with nothing else funded
    if rows.shape[0] == 0:
        return order, none
    room = limit - rows @ places
    extra = rows[:, order].multiply((size[order] - places[order])[None, :]).toarray()
    fits = (np.cumsum(extra, axis=1) <= room[:, None] + CLASS_TOL).all(axis=0)
    take = max(1, int(np.minimum.accumulate(fits).sum()))
    return order[:take], none


def class_columns(size: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                  useful: np.ndarray, n_columns: int
                  ) -> tuple[np.ndarray, sp.csr_matrix] | None:
    """The integer program's binaries for the rule: which decisions, rows and the big M.

    For each decision ``i`` the rule can affect (``active_classes``), a
    binary column ``z_i`` and two rows over ``[x, z]`` (``x`` the program's
    ``n_columns`` columns, the places first): ``N_i z_i - q_i <= 0`` and
    ``q_i - M_i z_i <= 0`` with ``M_i`` the capacity, or, when it is
    infinite, ``useful_i`` (places beyond it remove nothing) but at least
    ``N_i``. Returns ``(decisions, rows)`` or None when no decision is
    affected; the rows' limits are all 0.
    """
    active = active_classes(size, lower, upper)
    if active.size == 0:
        return None
    k = active.size
    big = np.where(np.isfinite(upper[active]), upper[active],
                   np.maximum(useful[active], size[active]))
    row = np.arange(2 * k)
    column = np.concatenate([active, n_columns + np.arange(k), active, n_columns + np.arange(k)])
    data = np.concatenate([-np.ones(k), size[active], np.ones(k), -big])
    matrix = sp.csr_matrix((data, (np.concatenate([row[:k], row[:k], row[k:], row[k:]]),
                                   column)), shape=(2 * k, n_columns + k))
    return active, matrix


def class_note(size: np.ndarray, rounds: ClassRounds | None, *, exact: bool,
               decision: str = "cell") -> str:
    """The plan's note on the rule: the sizes and what the solver did with split classes."""
    given = size[size > 0]
    what = (f"{fmt(float(given.min()))}" if given.min() == given.max()
            else f"{fmt(float(given.min()))} to {fmt(float(given.max()))}")
    head = (f"minimum class size {what} places: each {decision} gets no places or at "
            "least a full class")
    if exact:
        return head + ("; the integer program chose which classes run (one yes/no "
                       f"decision per {decision})")
    if rounds is not None and rounds.by_integer:
        return head + ("; the continuous plan split some classes, and settling them one by one "
                       "left no whole plan that keeps every budget, capacity, minimum and "
                       f"equity rule (after {_how_many(rounds.closed)} closed and "
                       f"{_how_many(rounds.raised)} "
                       f"raised), so the integer program chose which classes run (one yes/no "
                       f"decision per {decision})")
    if rounds is None or rounds.closed + rounds.raised == 0:
        return head + (f"; the continuous plan already kept it ({decision}s the plan funds "
                       "have at least a class)")
    split = plural(rounds.closed + rounds.raised, decision)
    return (f"{head}; the continuous plan gave {split} some places but less than a class: "
            f"{_how_many(rounds.closed)} closed (no places) and {_how_many(rounds.raised)} "
            "raised to a full class, each closed where a class would remove less per place "
            "than the money or places it takes are worth elsewhere, the plan solved again "
            f"after each step ({plural(rounds.rounds, 'solve')}); integer=\"exact\" decides "
            "them by the integer program instead")


def _how_many(n: int) -> str:
    return "none was" if n == 0 else f"{fmt(n)} {'was' if n == 1 else 'were'}"
