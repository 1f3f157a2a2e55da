"""The weighted shortfall of many targets at many numbers of workers, fast.

A *target* is a cell at a need period of a multi-year plan. Rounding a
plan to whole places (:mod:`talentgap.planning._multiyear_round`) prices
every candidate place by the shortfall it removes, for tens of thousands of
targets at once and round after round; :class:`TargetShortfalls` keeps
each target's sorted scenarios with their suffix sums so that each price
is a search and two lookups.
"""

from __future__ import annotations

import numpy as np

from talentgap.planning._multiyear_problem import YearsProblem

__all__ = ["TargetShortfalls"]


class TargetShortfalls:
    """Weighted shortfall per target (a cell at a need period) at any number of workers.

    Each target's scenarios are sorted; with their suffix sums, the expected
    shortfall at ``x`` is ``sum_{g_k > x} w_k g_k - x sum_{g_k > x} w_k``,
    where the first scenario above ``x`` is found for many (target, x) pairs
    at once by a binary search vectorised over the pairs (``log2 K`` steps),
    or, from a known lower count, by a galloping search (:meth:`count_from`).
    The sums of the weights are kept once per distinct row when every target
    has the same equally weighted scenarios (sample paths).
    """

    def __init__(self, problem: YearsProblem) -> None:
        sc = problem.market_plan
        n_t = problem.n_cells * problem.n_need
        k = max(int(sc.count.max()) if sc.count.size else 1, 1)
        cell = problem.target_cell()
        weight_market = problem.weight_market[cell]
        self.k = k
        self.steps = int(np.ceil(np.log2(k + 1)))
        # sums over the scenarios from position j on (j = 0..k), per target, added up from
        # the last scenario down; the sums of the weights once per distinct weight row
        above_wg = np.zeros((n_t, k + 1))
        self.w_row = np.arange(n_t)
        if sc.value.size == n_t * k:  # every target has K scenarios (sample paths)
            value = sc.value.reshape(n_t, k)
            weight = np.reshape(sc.weight, (n_t, k))
            if n_t and (weight.strides[1] == 0 or (weight == weight.flat[0]).all()):
                one = sc.weight[0] * weight_market  # one weight per target: its row
                np.multiply(value, one[:, None], out=above_wg[:, :k])
                distinct, self.w_row = np.unique(one, return_inverse=True)
                above_w = np.zeros((distinct.size, k + 1))
                above_w[:, :k] = distinct[:, None]
            else:
                above_w = np.zeros((n_t, k + 1))
                np.multiply(weight, weight_market[:, None], out=above_w[:, :k])
                np.multiply(above_w[:, :k], value, out=above_wg[:, :k])
        else:
            position = np.arange(sc.value.size) - sc.start[sc.cell]
            top = np.zeros(n_t)
            has = sc.count > 0
            top[has] = sc.value[sc.start[has] + sc.count[has] - 1]
            value = np.repeat(top[:, None], k, axis=1)  # padding: the largest value, weight 0
            above_w = np.zeros((n_t, k + 1))
            value[sc.cell, position] = sc.value
            above_w[sc.cell, position] = sc.weight * weight_market[sc.cell]
            np.multiply(above_w[:, :k], value, out=above_wg[:, :k])
        self.value = value.ravel()
        for above in (above_wg, above_w):
            np.cumsum(above[:, k - 1::-1], axis=1, out=above[:, k - 1::-1])
        self.above_wg_flat, self.above_w_flat = above_wg.ravel(), above_w.ravel()
        self.policy = problem.policy
        self.weight_policy = problem.weight_policy[cell]

    def at(self, target: np.ndarray, workers: np.ndarray) -> np.ndarray:
        """Weighted shortfall of ``target[j]`` with ``workers[j]`` workers present."""
        return self.value_at(target, workers, self.count(target, workers))

    def count(self, target: np.ndarray, workers: np.ndarray) -> np.ndarray:
        """Per pair: how many of the target's (padded) scenarios are ``<= workers``."""
        low = np.zeros(target.size, dtype=np.int64)  # scenarios <= x: [0, low) of the row
        high = np.full(target.size, self.k, dtype=np.int64)
        row = target * self.k
        for _ in range(self.steps):  # a binary search, vectorised over the pairs
            active = low < high
            mid = (low + high) // 2
            below = self.value[row + np.minimum(mid, self.k - 1)] <= workers
            low = np.where(active & below, mid + 1, low)
            high = np.where(active & ~below, mid, high)
        return low

    def count_from(self, target: np.ndarray, workers: np.ndarray,
                   start: np.ndarray) -> np.ndarray:
        """:meth:`count` when at least ``start`` scenarios are known to be ``<= workers``.

        A galloping search from ``start`` (probes ``start``, ``start + 1``,
        ``start + 3``, ``start + 7``, ... then a binary search in the last
        gap), vectorised over the pairs, each dropped once found: a place
        moves a target by a few scenarios, so this takes a few steps over
        fewer and fewer pairs where :meth:`count` takes ``log2 K`` steps over
        every pair. The counts are the same.
        """
        k, value = self.k, self.value
        low = np.array(start, dtype=np.int64)
        row = target * k
        below = value[row + np.minimum(low, k - 1)] <= workers
        below &= low < k
        pair = np.flatnonzero(below)  # the pairs still searched, with their state
        lo, row, x = low[pair] + 1, row[pair], np.asarray(workers)[pair]
        span = 2
        while pair.size:
            probe = lo + (span - 1)
            below = value[row + np.minimum(probe, k - 1)] <= x
            below &= probe < k
            found = np.flatnonzero(~below)
            if found.size:  # the count is in [lo, min(probe, k)]: a binary search there
                a, b = lo[found], np.minimum(probe[found], k)
                xf, rf = x[found], row[found]
                for _ in range((span - 1).bit_length()):
                    mid = (a + b) >> 1
                    go = value[rf + np.minimum(mid, k - 1)] <= xf
                    active = a < b
                    a = np.where(active & go, mid + 1, a)
                    b = np.where(active & ~go, mid, b)
                low[pair[found]] = a
                keep = np.flatnonzero(below)
                pair, lo, row, x, probe = pair[keep], lo[keep], row[keep], x[keep], probe[keep]
            lo = probe + 1
            span *= 2
        return low

    def value_at(self, target: np.ndarray, workers: np.ndarray,
                 low: np.ndarray) -> np.ndarray:
        """Weighted shortfall of the pairs, given their :meth:`count`."""
        out = (self.above_wg_flat[target * (self.k + 1) + low]
               - workers * self.above_w_flat[self.w_row[target] * (self.k + 1) + low])
        out = np.maximum(out, 0.0)
        if self.policy is not None:
            out += self.weight_policy[target] * np.maximum(self.policy[target] - workers, 0.0)
        return out
