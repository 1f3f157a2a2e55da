"""The strata's parts of the calibration residual variances, for their degrees of freedom.

:class:`StrataParts` is the part of a period of
:class:`~talentgap.features._calibrated_variance.CalibratedVariance` that
gives, per domain, the sum of the strata's variance parts and of their
squares over their degrees of freedom (Satterthwaite), without forming the
dense residual PSU totals ``z`` (PSUs x domains). Three kinds of strata:

* flat (every PSU the same ``w x``): ``z - zbar = a - abar``, sparse;
* regular (two PSUs or more, e.g. industrial parks holding enterprises of
  several industries): with ``v_p`` the PSU's ``w x`` minus its stratum's
  mean, the stratum's sum of squares of ``z - zbar`` is ``sum a^2 - (sum
  a)^2 / n_h - 2 sum_p a_pc v_p' B_c + B_c' (sum_p v_p v_p') B_c``; the
  first two are sparse (the PSUs where the domain has rows), the last needs
  ``M_h = G^+ (sum_p v_p v_p') G^+`` only at the category pairs of the
  domain's entries (a cell: its region and industry), one gram per stratum;
* lonely ("adjust": one PSU, centred at the grand mean): formed directly.

Time grows with strata x domains and PSUs x categories^2, memory with
strata x category pairs (kept between score variables up to
``_GRAM_VALUES``), never with PSUs x domains.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import sparse
from threadpoolctl import ThreadpoolController

__all__ = ["StrataParts"]

_BLOCK_VALUES = 1 << 22  # values per dense block of the degrees of freedom (32 MB)
_GRAM_VALUES = 1 << 26  # strata x category pairs kept between calls, all periods (512 MB)


@functools.cache
def _blas_threads() -> ThreadpoolController:
    """The BLAS libraries loaded, found once (at the first calibrated variance)."""
    return ThreadpoolController()


def _one_blas_thread():
    """A context with one BLAS thread: small products gain nothing from more."""
    return _blas_threads().limit(limits=1, user_api="blas")


class StrataParts:
    """Per-stratum variance parts of one period (the base of its ``_Period``).

    Uses the period's attributes: ``shape`` (PSUs, domains), ``xw`` (PSU
    totals of ``w x``), ``inverse`` (``G^+``), ``rows``, ``row_cat``,
    ``row_psu``, ``row_domain``, ``ratio``, ``psu_stratum``, ``n_psu``,
    ``scale``, ``lonely``, ``flat``, ``regular``, ``lonely_psus``,
    ``stratum_mean``, ``units``, ``budget`` and ``_coefficients``.
    """

    def satterthwaite(self, score: np.ndarray):
        """Per domain, the sum of the strata's variance parts and of their squares / df."""
        totals, cross = self._coefficients(score)
        top, bottom = self._flat_strata(totals)
        if self.regular.size:
            part_top, part_bottom = self._regular_strata(score)
            top += part_top
            bottom += part_bottom
        if self.lonely_psus.size:
            part_top, part_bottom = self._lonely_strata(totals, cross)
            top += part_top
            bottom += part_bottom
        return top, bottom

    def _pairs(self):
        """Score-free index arrays of :meth:`_regular_strata`, made by its first call.

        Every domain's ``cross`` column is non-zero only at the categories of
        its rows (its "entries"), so ``B_c' M_h B_c`` needs ``M_h`` only at
        the category pairs of the domain's entries. The PSUs of the regular
        strata are cut in pieces of at most ``_BLOCK_VALUES / categories``,
        ordered by stratum; the pair grams of all strata are kept when they
        take at most ``_GRAM_VALUES`` values (else each call makes them again,
        block by block).
        """
        if self._grams is not None:
            return self._grams
        d, k = self.shape[1], self.xw.shape[1]
        entry_domain, entry_category = self._entries()["domain"], self._entries()["category"]
        count = np.bincount(entry_domain, minlength=d)
        first = np.cumsum(count) - count
        squares = count * count
        column = np.repeat(np.arange(d), squares)  # ordered pairs of a domain's entries
        within = np.arange(column.size) - np.repeat(np.cumsum(squares) - squares, squares)
        left = first[column] + within // np.maximum(count[column], 1)
        right = first[column] + within % np.maximum(count[column], 1)
        keep = left <= right  # entries are sorted by category within a domain
        left, right, column = left[keep], right[keep], column[keep]
        pairs, pair_of = np.unique(entry_category[left] * k + entry_category[right],
                                   return_inverse=True)  # flat index in a k x k gram
        rank = np.full(self.n_psu.size, -1)
        rank[self.regular] = np.arange(self.regular.size)
        psus = np.flatnonzero(rank[self.psu_stratum] >= 0)
        psus = psus[np.argsort(rank[self.psu_stratum[psus]], kind="stable")]
        stratum = rank[self.psu_stratum[psus]]
        new = np.r_[True, stratum[1:] != stratum[:-1]]
        position = np.arange(psus.size) - np.maximum.accumulate(
            np.where(new, np.arange(psus.size), 0))
        piece = np.cumsum(new | (position % max(1, _BLOCK_VALUES // max(k, 1)) == 0)) - 1
        size = np.bincount(piece)
        self._grams = {
            "left": left, "right": right, "column": column, "pair_of": pair_of,
            "pairs": pairs, "psus": psus, "stratum": stratum, "size": size,
            "piece_first": np.cumsum(size) - size,
            "piece_stratum": stratum[np.cumsum(size) - size],
            "mean_y": self.stratum_mean[self.regular] @ self.inverse,  # ubar_h' G^+
            "step": max(1, _BLOCK_VALUES // max(d, pairs.size, 1)), "blocks": None}
        # the (PSU, domain) pairs of the rows in regular strata, by PSU; v_p' G^+ at the
        # categories of the domain's entries ("items"), for the sparse cross term
        pattern_psu, pattern_domain = self._entries()["pattern"]
        at = np.full(self.shape[0], -1)
        at[psus] = np.arange(psus.size)
        pattern = np.flatnonzero(at[pattern_psu] >= 0)
        pattern = pattern[np.argsort(at[pattern_psu[pattern]], kind="stable")]
        active, slot = np.unique(rank[self.psu_stratum[pattern_psu[pattern]]] * d
                                 + pattern_domain[pattern], return_inverse=True)
        item, entry, value = self._items(at[pattern_psu[pattern]], pattern_domain[pattern],
                                         self._centred_y)
        self._grams.update(pattern=pattern, slot=slot, active=np.divmod(active, d),
                           item=item, item_entry=entry, item_value=value)
        if self.regular.size * pairs.size <= self.budget[0]:  # kept for the next calls
            self.budget[0] -= self.regular.size * pairs.size
            step = self._grams["step"]
            self._grams["blocks"] = [self._pair_grams(lo, min(self.regular.size, lo + step))
                                     for lo in range(0, self.regular.size, step)]
        return self._grams

    def _entries(self) -> dict:
        """Each domain's categories ("entries": ``cross`` is non-zero only there) and the
        (PSU, domain) pairs of the rows; score-free, made once."""
        if self._entry_index is None:
            d, k = self.shape[1], self.xw.shape[1]
            category = self.row_cat.ravel()
            domain = np.tile(self.row_domain, len(self.row_cat))
            free = category < k  # rows of take-all strata have x = 0
            entries, entry_of = np.unique(domain[free] * k + category[free],
                                          return_inverse=True)
            pattern, pattern_of_row = np.unique(self.row_psu * d + self.row_domain,
                                                return_inverse=True)
            self._entry_index = {"free": free, "entry_of": entry_of,
                                 "domain": entries // k, "category": entries % k,
                                 "pattern": np.divmod(pattern, d),
                                 "pattern_of_row": pattern_of_row}
        return self._entry_index

    def _entry_values(self, score: np.ndarray) -> np.ndarray:
        """``cross`` (``C``) at the entries."""
        index = self._entries()
        sd = np.tile(score[self.rows] * self.ratio, len(self.row_cat))[index["free"]]
        return np.bincount(index["entry_of"], weights=sd, minlength=index["domain"].size)

    def _items(self, owner: np.ndarray, domain: np.ndarray, dense) -> tuple[np.ndarray, ...]:
        """``(x_o' G^+)_j`` for every pair (owner o, domain c) and entry j of c.

        ``owner`` (sorted) numbers rows of a matrix whose ``x' G^+`` rows
        ``dense(numbers)`` gives, in blocks of ``_BLOCK_VALUES``. Returns the
        pair and entry of every item and its value: ``x_o' B_c`` is then the
        sum over the pair's items of value times ``C`` at the entry.
        """
        entry_domain, entry_category = self._entries()["domain"], self._entries()["category"]
        count = np.bincount(entry_domain, minlength=self.shape[1])
        first = np.cumsum(count) - count
        many = count[domain]
        item = np.repeat(np.arange(domain.size), many)
        entry = first[domain][item] + np.arange(item.size) - np.repeat(
            np.cumsum(many) - many, many)
        row = owner[item]
        value = np.empty(item.size)
        step = max(1, _BLOCK_VALUES // max(self.xw.shape[1], 1))
        end = int(owner.max(initial=-1)) + 1
        bounds = np.searchsorted(row, np.arange(0, end + step, step))
        for number, lo in enumerate(range(0, end, step)):
            inside = slice(bounds[number], bounds[number + 1])
            if inside.start < inside.stop:
                value[inside] = dense(np.arange(lo, min(end, lo + step)))[
                    row[inside] - lo, entry_category[entry[inside]]]
        return item, entry, value

    def _centred_y(self, at: np.ndarray) -> np.ndarray:
        """``v_p' G^+`` (dense) of the regular strata's PSUs number ``at``."""
        index = self._grams
        return (self.xw[index["psus"][at]] @ self.inverse) - index["mean_y"][index["stratum"][at]]

    def _pair_grams(self, lo: int, hi: int) -> np.ndarray:
        """``M_h`` at the category pairs, regular strata ``lo..hi-1`` (pairs x strata).

        ``M_h = G^+ (sum_(p in h) v_p v_p') G^+``, ``v_p`` the PSU's ``w x``
        minus its stratum's mean: one categories x categories gram per piece
        of PSUs (pieces of similar size stacked, one BLAS thread: the
        products are small).
        """
        index = self._grams
        k = self.xw.shape[1]
        size, piece_first, pairs = index["size"], index["piece_first"], index["pairs"]
        chosen = np.flatnonzero((index["piece_stratum"] >= lo) & (index["piece_stratum"] < hi))
        chosen = chosen[np.argsort(size[chosen], kind="stable")]
        grams = np.zeros((hi - lo, pairs.size))
        per_stack = max(1, _BLOCK_VALUES // max(k * k, 1))
        with _one_blas_thread():
            for start in range(0, chosen.size, per_stack):  # stacks of pieces
                stacked = chosen[start:start + per_stack]
                n, widest = stacked.size, int(size[stacked].max())
                local = np.repeat(np.arange(n), size[stacked])
                slot = np.arange(local.size) - np.repeat(np.cumsum(size[stacked])
                                                         - size[stacked], size[stacked])
                stack = np.zeros((n, widest, k))
                stack[local, slot] = self._centred_y(piece_first[stacked][local] + slot)
                gram = np.matmul(stack.transpose(0, 2, 1), stack).reshape(n, k * k)[:, pairs]
                strata, slot_of = np.unique(index["piece_stratum"][stacked] - lo,
                                            return_inverse=True)
                grams[strata] += sparse.csr_matrix(
                    (np.ones(n), (slot_of, np.arange(n))), shape=(strata.size, n)) @ gram
        return np.ascontiguousarray(grams.T)

    def _regular_strata(self, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`satterthwaite`'s sums over the regular strata, never forming ``z``.

        With ``v_p`` the PSU's ``w x`` minus its stratum's mean and ``a`` the
        domain scores' PSU totals, a stratum's sum of squares of ``z - zbar``
        is ``sum a^2 - (sum a)^2 / n_h`` (sparse) ``- 2 (sum_p a_pc v_p)' B_c``
        (sparse: the PSUs where the domain has rows) ``+ B_c' V_h' V_h B_c``
        (the pair grams, one row per stratum). Only the last is dense (strata
        x domains), in blocks of at most ``_BLOCK_VALUES``.
        """
        p, d = self.shape
        index = self._pairs()
        left, right = index["left"], index["right"]
        value = self._entry_values(score)
        twice = np.where(left < right, 2.0, 1.0)
        by_pair = sparse.csr_matrix((value[left] * value[right] * twice,
                                     (index["column"], index["pair_of"])),
                                    shape=(d, index["pairs"].size))
        # the (stratum, domain) pairs where the domain has rows: sums, squares, cross term
        pattern, slot, (h, c) = index["pattern"], index["slot"], index["active"]
        a = np.bincount(self._entries()["pattern_of_row"], weights=score[self.rows])[pattern]
        cross_term = a * np.bincount(index["item"], minlength=pattern.size,
                                     weights=value[index["item_entry"]] * index["item_value"])
        sums = np.bincount(slot, weights=a, minlength=h.size)
        squares = np.bincount(slot, weights=a * a, minlength=h.size)
        linear = np.bincount(slot, weights=cross_term, minlength=h.size)
        spread = squares - sums * sums / self.n_psu[self.regular[h]]
        top, bottom = np.zeros(d), np.zeros(d)
        step = index["step"]
        for number, lo in enumerate(range(0, self.regular.size, step)):  # blocks of strata
            hi = min(self.regular.size, lo + step)
            grams = (index["blocks"][number] if index["blocks"] is not None
                     else self._pair_grams(lo, hi))
            ss = by_pair @ grams  # B_c' M_h B_c, domains x strata
            inside = slice(*np.searchsorted(h, [lo, hi]))
            rows, cols = c[inside], h[inside] - lo
            quadratic = ss[rows, cols]
            value = quadratic + spread[inside] - 2.0 * linear[inside]
            value[value <= 1e-12 * (quadratic + squares[inside])] = 0.0  # rounding noise
            np.maximum(ss, 0.0, out=ss)  # elsewhere ss is B_c' M_h B_c alone: only noise < 0
            ss[rows, cols] = value
            strata = self.regular[lo:hi]
            scale = self.scale[strata]  # the strata's parts are scale * ss
            with _one_blas_thread():
                top += ss @ scale
                ss *= ss
                bottom += ss @ (scale * scale / (self.n_psu[strata] - 1.0))
        return top, bottom

    def _lonely_strata(self, totals, cross) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`satterthwaite`'s sums over the lonely strata ("adjust"), one df each.

        A lonely stratum's part is ``s_h (z_hc - g_c)^2``, ``g_c`` the grand
        mean of the period's residual PSU totals: ``a_hc - mean_p a_pc - (u_h -
        mean_p u_p)' B_c``, formed directly (lonely PSUs x domains, in blocks).
        """
        p, d = self.shape
        top, bottom = np.zeros(d), np.zeros(d)
        mean_a = np.asarray(totals.sum(axis=0)).ravel() / self.units
        mean_x = np.asarray(self.xw.sum(axis=0)).ravel() / self.units
        by_domain = sparse.csr_matrix(cross.T)  # C', domains x categories
        step = max(1, _BLOCK_VALUES // max(d, 1))
        for lo in range(0, self.lonely_psus.size, step):
            psus = self.lonely_psus[lo:lo + step]
            shifted = np.ascontiguousarray(((self.xw[psus].toarray() - mean_x)
                                            @ self.inverse).T)
            z = totals[psus].toarray() - mean_a - (by_domain @ shifted).T
            part = self.scale[self.psu_stratum[psus]][:, None] * z * z
            top += part.sum(axis=0)
            bottom += (part * part).sum(axis=0)
        return top, bottom

    def _flat_strata(self, totals) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`satterthwaite`'s sums over the flat strata, from the non-zero ``a_pc`` only."""
        d = self.shape[1]
        entries = totals.tocoo()
        stratum = self.psu_stratum[entries.row]
        keep = self.flat[stratum]
        if not keep.any():
            return np.zeros(d), np.zeros(d)
        pairs, slot = np.unique(stratum[keep] * d + entries.col[keep], return_inverse=True)
        h, c = np.divmod(pairs, d)
        values = entries.data[keep]
        sums = np.bincount(slot, weights=values, minlength=pairs.size)
        squares = np.bincount(slot, weights=values * values, minlength=pairs.size)
        part = self._parts(h, sums, squares, None)
        share = part * part / (self.n_psu[h] - 1.0)
        return (np.bincount(c, weights=part, minlength=d),
                np.bincount(c, weights=share, minlength=d))

    def _parts(self, h: np.ndarray, sums: np.ndarray, squares: np.ndarray,
               grand: np.ndarray | None) -> np.ndarray:
        """Variance parts of strata ``h`` (the last axis of ``sums`` and ``squares``)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            ss = squares - sums * sums / self.n_psu[h]
            ss[ss <= 1e-12 * squares] = 0.0  # rounding noise around an exact 0
            part = self.scale[h] * ss
            lonely = self.lonely[h]
            if lonely.any():  # "adjust": centred at the grand mean of the period (domains x h)
                part[:, lonely] = self.scale[h][lonely] * (sums[:, lonely] - grand[:, None]) ** 2
        return part
