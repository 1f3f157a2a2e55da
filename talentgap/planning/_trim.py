"""Places that remove no shortfall, taken out of a plan.

When the money or the capacity is not all needed, the program's optimum is
not unique: places beyond the largest need of every period they serve change
nothing in the objective, so the solver (and the tie rule, which spreads the
money in proportion to need) may fund them. :func:`trim_places` takes them
out: the objective stays the same, every ``<=`` row (budgets, envelopes,
capacities) still holds, minimum quotas and the minimum places of capacity
groups are kept, and the money is left unspent. :func:`trim_unneeded` applies
it to a multi-year plan and
:func:`trim_network` to a single-period programme plan.

A target (a cell at a need period) is *covered* when its workers reach its
largest need: the largest scenario of the market need (when its weight is
positive) and the policy need (when its weight is positive). Funding
periods are visited from the latest to the earliest. In each, every place
funded then gets a share of each covered target's surplus of workers in
proportion to the workers it brings there, and a place is removed as far as
its share allows at every target it reaches. With one decision per target and
funding period (plans per cell) that is simply: remove places until one of
the need periods they serve would no longer be covered, and one pass ends it;
programmes that feed the same cell share its surplus, so the passes repeat
until they remove nothing more.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from talentgap.planning._crosswalk import Network
from talentgap.planning._multiyear_problem import YearsProblem

__all__ = ["trim_places", "trim_unneeded", "trim_network"]

_TOL = 1e-9
_SWEEPS = 50


def _largest(scenarios) -> np.ndarray:
    """Per cell of ``scenarios`` (sorted by cell, then value): its largest value (0 if none)."""
    count = np.asarray(scenarios.count)
    value = np.asarray(scenarios.value)
    if value.size == 0:
        return np.zeros(count.size)
    last = np.minimum(np.asarray(scenarios.start) + np.maximum(count, 1) - 1, value.size - 1)
    return np.where(count > 0, value[last], 0.0)


def covered_level(problem: YearsProblem) -> np.ndarray:
    """Per target: the workers above which more remove no weighted shortfall."""
    cell = problem.target_cell()
    top = _largest(problem.market_plan)
    level = np.where(problem.weight_market[cell] > 0, np.maximum(top, 0.0), 0.0)
    if problem.policy is not None:
        level = np.maximum(level, np.where(problem.weight_policy[cell] > 0, problem.policy, 0.0))
    return level


def trim_unneeded(problem: YearsProblem, q: np.ndarray, *, whole: bool = False
                  ) -> tuple[np.ndarray, float]:
    """The plan without the places that remove no shortfall, and how many were removed.

    Parameters
    ----------
    problem : YearsProblem
    q : numpy.ndarray
        Places per decision (index ``u * n_funding + s``).
    whole : bool, default False
        Remove whole places only (for whole-place plans).

    Returns
    -------
    tuple
        The places, and the number of places removed.

    Examples
    --------
    One cell, need 10 in 2027, places funded in 2026 arrive in 2027: of 25
    places, 15 remove no shortfall.

    >>> import numpy as np, pandas as pd
    >>> from talentgap.planning._multiyear_problem import build_years_problem
    >>> needs = pd.DataFrame({"region": "N", "industry": "A", "period": ["2027"],
    ...                       "gap": [10.0]})
    >>> problem = build_years_problem(
    ...     needs, periods=[2026], keys=["region", "industry"], value="gap",
    ...     budget=10_000, total_budget=None, cost_per_trainee=100, pass_rate=1.0,
    ...     absorption=1.0, capacity=None, min_quota=0, lead_time=1, exit_rate=0.0,
    ...     risk="expected", quantile=None, surplus_penalty=0.0, integer="none",
    ...     policy_need=None, need_weights=None, capacity_groups=None,
    ...     budget_envelopes=None, equity=None, tie_tolerance=1e-9)
    >>> places, removed = trim_unneeded(problem, np.array([25.0]))
    >>> places.tolist(), removed
    ([10.0], 15.0)
    """
    before = np.asarray(q, dtype=np.float64)
    q, removed = trim_places(problem.transfer, covered_level(problem), problem.lower,
                             problem.decision_year(), before, whole=whole)
    mins = problem.group_mins
    if mins is not None and mins.size:
        q = _keep_group_minimums(mins, before, q, whole=whole)
        removed = float(before.sum() - q.sum())
    return q, removed


def _keep_group_minimums(mins, before: np.ndarray, q: np.ndarray, *, whole: bool
                         ) -> np.ndarray:
    """Put back trimmed places where a capacity group's minimum needs them.

    Per group and funding period whose trimmed places fall short of its
    minimum, the members that lost the most places get theirs back first,
    until the minimum holds (the untrimmed plan met it). The places put
    back remove no shortfall either, and every ``<=`` row still holds: no
    decision gets more places than it had before the trim.
    """
    q = q.copy()
    matrix = sp.csr_matrix(mins.matrix)
    for r in np.flatnonzero(matrix @ q > mins.limit + _TOL):  # a few rows: groups x periods
        members = matrix.indices[matrix.indptr[r]:matrix.indptr[r + 1]]
        short = float((matrix[r] @ q)[0] - mins.limit[r])     # places missing (-sum q <= -min)
        short = float(np.ceil(short - _TOL)) if whole else short
        cut = before[members] - q[members]
        order = np.argsort(-cut, kind="stable")
        taken = np.minimum(cut[order], np.maximum(short - (np.cumsum(cut[order]) - cut[order]),
                                                  0.0))
        q[members[order]] += taken
    return q


def trim_network(problem: Network, places: np.ndarray, *, whole: bool = False
                 ) -> tuple[np.ndarray, float]:
    """:func:`trim_places` for a single-period programme plan (no surplus penalty).

    With a surplus penalty, places beyond the need already cost objective,
    so the plan has none to take out: the places are returned unchanged.
    """
    places = np.asarray(places, dtype=np.float64)
    if problem.surplus_penalty:
        return places, 0.0
    n_targets = len(problem.targets)
    transfer = sp.csr_matrix((problem.edge_yield, (problem.edge_target, problem.edge_unit)),
                             shape=(n_targets, problem.n_units))
    top = _largest(problem.plan)
    return trim_places(transfer, np.maximum(top, 0.0), problem.lower,
                       np.zeros(problem.n_units, dtype=np.int64), places, whole=whole)


def trim_places(transfer, covered: np.ndarray, lower: np.ndarray, period: np.ndarray,
                q: np.ndarray, *, whole: bool = False) -> tuple[np.ndarray, float]:
    """Take out the places whose workers only add to targets already covered.

    Parameters
    ----------
    transfer : scipy.sparse matrix
        Targets x decisions: workers present at each target per place.
    covered : numpy.ndarray
        Per target: the workers above which more remove nothing.
    lower : numpy.ndarray
        Per decision: places that must stay (minimum quotas).
    period : numpy.ndarray of int
        Per decision: its funding period (0 = the first); later ones go first.
    q : numpy.ndarray
        Places per decision.
    whole : bool, default False
        Remove whole places only.

    Returns
    -------
    tuple
        The places, and the number of places removed.
    """
    q = np.asarray(q, dtype=np.float64).copy()
    transfer = sp.csc_matrix(transfer)
    slack = transfer @ q - covered
    removed = 0.0
    for _ in range(_SWEEPS):  # one sweep is exact per cell; programmes sharing a cell need more
        q, slack, cut = _sweep(transfer, lower, np.asarray(period), q, slack, whole)
        removed += cut
        if cut <= _TOL * max(1.0, removed):
            break
    return q, removed


def _sweep(transfer: sp.csc_matrix, lower: np.ndarray, year: np.ndarray, q: np.ndarray,
           slack: np.ndarray, whole: bool) -> tuple[np.ndarray, np.ndarray, float]:
    """One pass over the funding periods, latest first (see the module docstring)."""
    removed = 0.0
    for s in range(int(year.max()) if year.size else -1, -1, -1):
        decisions = np.flatnonzero((year == s) & (q > lower + _TOL))
        if decisions.size == 0:
            continue
        part = transfer[:, decisions]                        # targets x these decisions
        brought = part @ q[decisions]                        # their workers per target
        with np.errstate(divide="ignore", invalid="ignore"):
            # per target: the share of its surplus each worker these places bring may take
            room = np.where(brought > _TOL, np.maximum(slack, 0.0) / brought, 0.0)
        # per decision: the least room over the targets it reaches (it reaches at least one)
        coo = part.tocoo()
        share = np.full(decisions.size, np.inf)
        np.minimum.at(share, coo.col, room[coo.row])
        share = np.where(np.isfinite(share), np.minimum(share, 1.0), 1.0)
        cut = np.minimum(share * q[decisions], q[decisions] - lower[decisions])
        if whole:
            cut = np.floor(cut + _TOL)
        cut = np.maximum(cut, 0.0)
        if not cut.any():
            continue
        q[decisions] -= cut
        slack -= part @ cut
        removed += float(cut.sum())
    return q, slack, removed
