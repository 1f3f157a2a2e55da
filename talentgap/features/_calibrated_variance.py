"""Standard errors of estimates made with calibrated weights (the calibration's residuals).

After :func:`talentgap.features.calibrate_weights` the margins it fixes are
known without error, and every estimate correlated with them is more precise
than its design variance on the final weights says. The calibration
(generalised regression, GREG) variance of Deville & Särndal (1992) takes
that into account: the linearised score ``w_i y_i`` of a domain total (or
``w_i (y_i - R x_i) / X`` of a ratio) is replaced by ``w_i e_i`` with

``e_i = y_i 1[i in domain] - x_i' B``,
``B = (sum_i d_i x_i x_i')^+ sum_i d_i x_i y_i 1[i in domain]``,

where ``x_i`` holds the indicators of unit i's category in every margin
(its enterprise's), ``w_i`` the calibrated weights, ``d_i`` the design
weights the calibration started from (column ``design_weight``; the
calibrated ones when the table has no such column), and the sums run over
every enterprise of the period (each period is calibrated and sampled on
its own) outside take-all strata: the calibration holds those weights
fixed, so their ``x_i`` is 0 and a take-all domain keeps SE 0. The design
variance of these residual scores (strata, PSUs, population counts and the
lonely-PSU rule as declared) is the calibration variance: Deville &
Särndal's ``g``-weighted residual variance, and what R's ``survey`` package
gives for ``calibrate()`` followed by ``svytotal``/``svyratio``/``svyby``
(which also fits ``B`` with the design weights; its ``rake()`` approximates
the same projection by ten rounds of backfitting). For post-stratification
(one margin) ``B`` is the weighted mean of each post-stratum, the same with
either weights, and the variance the post-stratified one. A total of a
margin category has residuals 0, so SE 0.

The residuals of one domain are non-zero in every PSU of its period, yet
their PSU totals are never stored as a dense (PSU x domain) array. With
``a_pc`` the PSU totals of the domain's scores (sparse: non-zero only in
the PSUs where the domain has rows), ``u_p`` the PSU totals of ``w x``
(sparse, PSU x categories) and ``B = G^+ C`` (``C``: categories x domains,
sparse, one entry per margin for a cell), the residual totals are
``z_pc = a_pc - u_p' B_c``, and each stratum's ``sum_p z_pc^2 - n_h
zbar_hc^2`` expands into sparse products and one categories x categories
matrix per period (``_Period``). Memory per period is O(rows + PSUs x
categories per PSU + categories^2 + domains x categories touched); nothing
is proportional to PSUs x domains (the degrees of freedom add the pair
grams below). The Satterthwaite degrees of freedom need every stratum's
part on its own. Strata whose PSUs all have the same
``w x`` (strata nested in the margins' categories with equal weights, as a
stratified sample by cell and size band raked to region and industry)
stay sparse. In the others (PSUs such as industrial parks, holding
enterprises of several industries) a stratum's sum of squares expands the
same way into sparse parts (the PSUs where the domain has rows) and ``B_c'
M_h B_c``, ``M_h = G^+ (sum_(p in h) v_p v_p') G^+`` with ``v_p`` the PSU's
``w x`` minus its stratum's mean; as ``C_c`` is non-zero only at the
domain's categories (a cell's region and industry), ``M_h`` is needed only
at those category pairs. One categories x categories gram per stratum
(BLAS) gives them, kept for the next score variable while strata x pairs
stays under 2**26 values (512 MB) over all periods, made again by each
call beyond (:mod:`talentgap.features._calibrated_strata`). The time grows
with strata x domains and PSUs x categories^2, not with PSUs x domains;
lonely strata are formed directly. Per period one small pseudo-inverse
(categories x categories); nothing loops over cells, PSUs or enterprises.

References
----------
Deville, J.-C. and Särndal, C.-E. (1992). Calibration estimators in survey
sampling. *JASA* 87(418), 376-382.

Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, section 7.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from talentgap.errors import DataQualityWarning, ParameterError, warn
from talentgap.features._calibrated_strata import _GRAM_VALUES, StrataParts, _one_blas_thread
from talentgap.features._groups import group_rows
from talentgap.features._margins import normalize_margins
from talentgap.features._sparse_forms import column_forms, row_max, weighted_squares
from talentgap.features._variance import NOISE
from talentgap.features.design import DesignIndex
from talentgap.schema import DETAIL_COLUMNS, unit_codes

__all__ = ["CALIBRATION_MARK", "DESIGN_WEIGHT", "calibration_margins", "CalibratedVariance"]

#: Key of ``DataFrame.attrs`` where :func:`~talentgap.features.calibrate_weights` records
#: the margins it calibrated to (with the weight column and ``by_period``).
CALIBRATION_MARK = "calibration"

#: Column that keeps the weights a calibration started from.
DESIGN_WEIGHT = "design_weight"



def calibration_margins(surveys, calibration, *, weight: str | None, function: str,
                        dask: bool = False) -> list[tuple[str, ...]] | None:
    """The margins whose residuals the standard errors use, or None for none.

    ``calibration`` is None (read ``surveys.attrs["calibration"]``, written
    by :func:`~talentgap.features.calibrate_weights`), False (ignore any
    calibration) or the margins themselves, e.g. ``[("region",),
    ("industry", "size_band")]``. Calibrated SEs need an in-memory table.
    The margins do not depend on the cells' keys or the design: the strata
    their residuals are summed in are the estimator's (with ``occupation``
    or ``skill_level`` keys and no design, the implied strata of
    :func:`~talentgap.features._detail_cells.detail_strata`).

    Raises
    ------
    ParameterError
        If given margins name a missing or a detail column, or cannot be
        used (a Dask table).

    Warns
    -----
    DataQualityWarning
        When ``calibration`` is None, the table has a ``design_weight``
        column (so its weights look calibrated) but no record of the margins
        (e.g. after a CSV round trip): the SEs then ignore the calibration
        and are conservative. Also when the record says the calibration
        pooled the periods (``by_period=False``), which these SEs do not
        cover.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"region": ["N"], "weight": [2.0]})
    >>> table.attrs["calibration"] = {"margins": [["region"]], "weight": "weight",
    ...                               "by_period": True}
    >>> calibration_margins(table, None, weight="weight", function="estimate_cells")
    [('region',)]
    >>> calibration_margins(table, False, weight="weight", function="estimate_cells") is None
    True
    """
    if calibration is False:
        return None
    if calibration is None:
        mark = getattr(surveys, "attrs", {}).get(CALIBRATION_MARK)
        if mark is None:
            if DESIGN_WEIGHT in surveys.columns:
                warn(f"{function}: the surveys have a {DESIGN_WEIGHT!r} column, so their "
                     "weights look calibrated, but the table does not record the margins "
                     "(the record does not survive a CSV or Parquet round trip); the "
                     "standard errors ignore the calibration and are conservative; pass "
                     "calibration=[...] (the margins, e.g. [('region',)]) for calibrated "
                     "ones, or calibration=False to silence this", DataQualityWarning,
                     stacklevel=3)
            return None
        if mark.get("weight") != weight:
            return None  # the estimates use other weights than the calibrated ones
        if not mark.get("by_period", True):
            warn(f"{function}: the weights were calibrated with the periods pooled "
                 "(by_period=False); the standard errors ignore that calibration and are "
                 "conservative", DataQualityWarning, stacklevel=3)
            return None
        calibration = mark["margins"]
    elif dask:
        raise ParameterError(
            f"{function}: calibrated standard errors need an in-memory table; pass "
            "calibration=False for the uncalibrated ones")
    margins = normalize_margins(calibration)
    for margin in margins:
        for column in margin:
            if column not in surveys.columns:
                raise ParameterError(
                    f"{function}: calibration margin {margin!r}: {column!r} is not a column "
                    f"of the surveys table; columns are {list(surveys.columns)}")
            if column in DETAIL_COLUMNS:
                raise ParameterError(
                    f"{function}: calibration margin {margin!r}: {column!r} describes "
                    "vacancies, not enterprises; calibration margins count enterprises")
    return margins


class CalibratedVariance:
    """Domain variances of the calibration residuals of many score variables.

    The same interface as :class:`~talentgap.features.design.DomainVariance`
    (a call gives the variances, :meth:`degrees_of_freedom` the
    Satterthwaite degrees of freedom), on the residual scores described in
    the module notes.

    Parameters
    ----------
    index : DesignIndex
        The design of ``table`` (row-aligned).
    codes : numpy.ndarray of int
        Domain of every row, 0..n_domains-1.
    n_domains : int
    table : pandas.DataFrame
        The rows (one per enterprise-period and domain), with ``enterprise_id``,
        ``period`` and the margin columns.
    margins : list of tuple of str
    weights : numpy.ndarray of float
        The calibrated weight of every row (the scores carry them).
    design_weights : numpy.ndarray of float, optional
        The weight of every row before calibration, for ``B``; default
        ``weights``.
    skip : numpy.ndarray of bool, optional
        Domains left out (no variance is computed for them).

    Examples
    --------
    Post-stratification by region: the region totals of enterprises have SE 0.

    >>> import numpy as np, pandas as pd
    >>> from talentgap.features.design import SurveyDesign, design_index
    >>> table = pd.DataFrame({
    ...     "period": pd.period_range("2024Q1", periods=1, freq="Q").repeat(4),
    ...     "enterprise_id": ["A", "B", "C", "D"], "region": ["N", "N", "S", "S"]})
    >>> index = design_index(table, SurveyDesign())
    >>> codes = np.array([0, 0, 1, 1])
    >>> variance = CalibratedVariance(index, codes, 2, table, [("region",)], np.full(4, 5.0))
    >>> variance(np.full(4, 5.0)).tolist()
    [0.0, 0.0]
    """

    def __init__(self, index: DesignIndex, codes: np.ndarray, n_domains: int,
                 table: pd.DataFrame, margins: Sequence[tuple[str, ...]], weights: np.ndarray,
                 skip: np.ndarray | None = None,
                 design_weights: np.ndarray | None = None) -> None:
        codes = np.asarray(codes, dtype=np.int64)
        weights = np.asarray(weights, dtype=np.float64)
        start = weights if design_weights is None else np.asarray(design_weights, np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            start_per_final = start / weights  # turns a score w y into d y
        period = np.asarray(index.period_of_row, dtype=np.int64)
        category = []  # per margin: (category, period) code of every row, global
        offset = 0
        for margin in margins:
            groups = group_rows(table, [*margin, "period"])
            category.append(groups.codes + offset)
            offset += groups.n_groups
        category = np.stack(category)  # margins x rows
        enterprise = np.unique(unit_codes(table[["enterprise_id", "period"]]),
                               return_index=True)[1]  # one row per enterprise-period
        used = np.ones(len(table), dtype=bool) if skip is None else ~np.asarray(skip)[codes]
        # take-all strata: weights held by the calibration, so outside the regression
        free = (np.ones(len(table), dtype=bool) if index.take_all is None
                else ~index.take_all[index.stratum_of_unit[index.unit]])
        self._periods = []
        budget = [_GRAM_VALUES]
        self._period_of_domain = np.zeros(n_domains, dtype=np.int64)
        for t in np.unique(period):  # one small regression per period
            psus = np.unique(index.unit[period == t])
            firms = enterprise[(period[enterprise] == t) & free[enterprise]]
            rows = np.flatnonzero((period == t) & used)
            domains = np.unique(codes[rows])
            if domains.size == 0:
                continue
            cats = np.unique(category[:, firms])
            k, p = cats.size, psus.size
            firm_cat = np.searchsorted(cats, category[:, firms])
            gram = np.zeros(k * k)
            for a in firm_cat:
                for b in firm_cat:
                    gram += np.bincount(a * k + b, weights=start[firms], minlength=k * k)
            psu_of_firm = np.searchsorted(psus, index.unit[firms])
            xw = sparse.csr_matrix(  # PSU totals of w x: one entry per firm and margin
                (np.tile(weights[firms], len(firm_cat)),
                 (np.tile(psu_of_firm, len(firm_cat)), firm_cat.ravel())), shape=(p, k))
            with _one_blas_thread():  # small products: more threads only wait
                inverse = (np.linalg.pinv(gram.reshape(k, k), rcond=1e-10, hermitian=True)
                           if k else np.zeros((0, 0)))
            row_cat = np.searchsorted(cats, category[:, rows])
            row_cat[:, ~free[rows]] = k  # a slot past the categories: dropped below
            self._periods.append(_Period(
                index, t, psus, xw, inverse, rows, row_cat,
                np.searchsorted(psus, index.unit[rows]), np.searchsorted(domains, codes[rows]),
                domains, start_per_final[rows], budget))
            self._period_of_domain[domains] = t
        self._n_domains = n_domains
        self._factor = index.period_factor

    def __call__(self, score: np.ndarray, size: np.ndarray | None = None) -> np.ndarray:
        """Variance of the domain totals of the calibration residuals of ``score``.

        ``size`` (default ``|score|``): the scores' magnitudes before any
        cancelling, as for :class:`~talentgap.features.design.DomainVariance`;
        a variance that is rounding noise against them is exactly 0.
        """
        variance = self._variance(score, size)
        if self._factor is not None:  # "average": the lonely strata at the others' mean
            variance *= self._factor[self._period_of_domain]
        return variance

    def _variance(self, score: np.ndarray, size: np.ndarray | None) -> np.ndarray:
        """Per domain the variance before the "average" factor."""
        if size is None:
            size = np.abs(score)
        variance = np.zeros(self._n_domains)
        for part in self._periods:
            variance[part.domains] = part.variance(score, size)
        return variance

    def degrees_of_freedom(self, score: np.ndarray, size: np.ndarray | None = None, *,
                           variance: np.ndarray | None = None) -> np.ndarray:
        """Satterthwaite degrees of freedom, as
        :meth:`~talentgap.features.design.DomainVariance.degrees_of_freedom`.

        NaN where the variance (a call with ``score`` and ``size``) is 0;
        ``variance``, that call's result when the caller has it, saves
        computing it again.
        """
        top, bottom = np.zeros(self._n_domains), np.zeros(self._n_domains)
        for part in self._periods:
            top[part.domains], bottom[part.domains] = part.satterthwaite(score)
        with np.errstate(invalid="ignore", divide="ignore"):
            df = top * top / bottom
        if variance is None:
            variance = self._variance(score, size)
        df[~(top > 0) | (variance == 0)] = np.nan
        if self._factor is not None:  # a constant factor leaves df alone; NaN stays NaN
            df[np.isnan(self._factor[self._period_of_domain])] = np.nan
        return df


class _Period(StrataParts):
    """One period's regression and design, for the residual scores of any score variable.

    With ``a_pc`` the PSU totals of the scores in domain c (sparse: PSU x
    domain), ``u_p`` the PSU totals of ``w x`` (PSU x categories) and ``B``
    (categories x domain) the regression coefficients, the residual PSU
    totals are ``z_pc = a_pc - u_p' B_c``. The variance is never formed from
    the dense ``z``: with ``s_p`` the variance scale of PSU p's stratum and
    ``t_h = s_h / n_h`` (0 for a lonely stratum),

    ``sum_h s_h (sum_(p in h) z_pc^2 - (sum_(p in h) z_pc)^2 / n_h)``
    ``= sum_p s_p z_pc^2 - sum_h t_h z_hc^2``,

    and each of the two sums of squares of ``z = a - u' B`` over rows r
    (PSUs, then strata) with weights q_r expands into
    ``sum_r q_r a_rc^2`` (sparse), ``- 2 (A' Q U)_c . B_c`` (sparse times
    small) and ``B_c' (U' Q U) B_c`` (one categories x categories matrix
    per period, summed over strata). As ``B = G^+ C`` with ``C`` sparse (a
    cell's column has one entry per margin), both products with ``B`` visit
    only pairs of non-zero entries of a column
    (:func:`~talentgap.features._sparse_forms.column_forms`).
    Lonely strata under "adjust" add ``s_h (z_hc - g_c)^2``, ``g_c = T_c /
    P`` the grand mean, which expands the same way. The Satterthwaite
    degrees of freedom need every stratum's part on its own: a flat stratum
    (every PSU the same ``u_p``) has ``z - zbar = a - abar``, sparse; the
    other ("regular") strata expand as in :meth:`_regular_strata`, and the
    lonely ones are formed directly (:meth:`_lonely_strata`).
    """

    def __init__(self, index: DesignIndex, t: int, psus: np.ndarray, xw, inverse: np.ndarray,
                 rows: np.ndarray, row_cat: np.ndarray, row_psu: np.ndarray,
                 row_domain: np.ndarray, domains: np.ndarray, ratio: np.ndarray,
                 budget: list[int]) -> None:
        self.rows, self.row_cat, self.row_psu, self.row_domain = rows, row_cat, row_psu, row_domain
        self.budget = budget  # pair-gram values the periods may still keep (shared)
        self.domains, self.ratio, self.inverse, self.xw = domains, ratio, inverse, xw
        p, d = xw.shape[0], domains.size
        self.shape = (p, d)
        strata, psu_stratum = np.unique(index.stratum_of_unit[psus], return_inverse=True)
        h = strata.size
        self.psu_stratum = psu_stratum
        self.n_psu = index.n_psu[strata]
        self.scale = index.scale[strata]  # finite-population and lonely-PSU rules of the design
        self.lonely = index.lonely[strata]
        self.units = index.units_per_period[t]
        in_stratum = sparse.csr_matrix((np.ones(p), (psu_stratum, np.arange(p))), shape=(h, p))
        self.in_stratum = in_stratum
        psu_scale = self.scale[psu_stratum]
        with np.errstate(divide="ignore", invalid="ignore"):
            stratum_scale = np.where(self.lonely, 0.0, self.scale / self.n_psu)
        lonely_scale = np.where(self.lonely, self.scale, 0.0)
        self.psu_scale, self.stratum_scale, self.lonely_scale = (
            psu_scale, stratum_scale, lonely_scale)
        xh = in_stratum @ xw  # stratum totals of w x
        self.xw_scaled = sparse.diags(psu_scale) @ xw
        self.xh_scaled = sparse.diags(stratum_scale) @ xh
        # B = inverse @ cross, so every product with B is one with cross: B' G B = cross' Q cross
        gram = ((xw.T @ self.xw_scaled) - (xh.T @ self.xh_scaled)).toarray()
        self.quad = inverse @ gram @ inverse
        self.x_total = np.asarray(xw.sum(axis=0)).ravel() @ inverse
        self.x_lonely = (xh.T @ lonely_scale) @ inverse
        self.lonely_total = float(lonely_scale.sum())
        # the degrees of freedom need each stratum's part: in a "flat"
        # stratum every PSU has the same w x (e.g. strata inside the margins' categories,
        # equal weights), so z - mean(z) = a - mean(a) is sparse: no dense block needed
        mean_x = in_stratum.T @ sparse.diags(1.0 / self.n_psu) @ xh
        spread = row_max(abs(xw - mean_x), p) <= 1e-12 * row_max(abs(xw), p)
        flat = (np.bincount(psu_stratum, weights=~spread, minlength=h) == 0) & ~self.lonely
        self.flat = flat & (self.scale > 0)
        # the other strata: "regular" ones (two PSUs or more) through the pair grams below,
        # lonely ones ("adjust": one PSU, centred at the grand mean) directly
        self.regular = np.flatnonzero(~flat & ~self.lonely & (self.scale > 0)
                                      & (self.n_psu > 1))
        self.lonely_psus = np.flatnonzero(self.lonely[psu_stratum] & (psu_scale > 0))
        self.stratum_mean = sparse.csr_matrix(sparse.diags(1.0 / self.n_psu) @ xh)
        self.xh = sparse.csr_matrix(xh)
        self._grams = None  # pair grams of the regular strata, made by the first call
        self._entry_index = self._linear = None  # score-free indexes, made by the first call

    def _coefficients(self, score: np.ndarray):
        """The domain scores' PSU totals (sparse) and ``cross``, with ``B = inverse @ cross``."""
        p, d = self.shape
        k = self.xw.shape[1]
        s = score[self.rows]
        sd = np.tile(s * self.ratio, len(self.row_cat))  # d y: the regression's right-hand side
        category, domain = self.row_cat.ravel(), np.tile(self.row_domain, len(self.row_cat))
        free = category < k  # rows of take-all strata have x = 0
        cross = sparse.csc_matrix((sd[free], (category[free], domain[free])), shape=(k, d))
        totals = sparse.csr_matrix((s, (self.row_psu, self.row_domain)), shape=(p, d))
        return totals, cross

    def _grand_mean(self, totals, cross: np.ndarray) -> np.ndarray:
        """Per domain, the mean residual PSU total of the period."""
        return (np.asarray(totals.sum(axis=0)).ravel() - cross.T @ self.x_total) / self.units

    def variance(self, score: np.ndarray, size: np.ndarray) -> np.ndarray:
        """Variance of each domain total of the residual scores (one value per domain).

        Rounding noise against the squares of the PSU totals of ``size`` (the
        scores' magnitudes before cancelling) and the regression's part is 0.
        """
        totals, cross = self._coefficients(score)
        d = self.shape[1]
        by_stratum = self.in_stratum @ totals
        squares = weighted_squares(totals, self.psu_scale, d)
        p = self.shape[0]
        size_totals = sparse.csr_matrix((size[self.rows], (self.row_psu, self.row_domain)),
                                        shape=(p, d))
        size_squares = weighted_squares(size_totals, self.psu_scale, d)
        square = squares - weighted_squares(by_stratum, self.stratum_scale, d)
        linear = self._linear_term(score, totals, by_stratum, cross)
        quadratic = column_forms(cross, self.quad, cross)
        variance = square - 2.0 * linear + quadratic
        if self.lonely_total > 0:  # "adjust": sum_h s_h (z_hc - g_c)^2 over lonely strata
            grand = self._grand_mean(totals, cross)
            lonely = by_stratum.T @ self.lonely_scale - cross.T @ self.x_lonely
            variance += grand * (grand * self.lonely_total - 2.0 * lonely)
        with np.errstate(invalid="ignore"):
            noise = variance <= NOISE * (size_squares + np.abs(quadratic))
        variance[noise] = 0.0  # rounding noise around an exact 0
        return variance

    def _linear_items(self) -> dict | None:
        """Score-free items of :meth:`variance`'s cross term, made by its first call.

        None when the sparse product of that term is small (strata inside the
        margins' categories: few categories per stratum), as it then costs
        less than the items' dense rows (one per PSU and stratum).
        """
        if self._linear is None:
            d, k = self.shape[1], self.xw.shape[1]
            psu, domain = self._entries()["pattern"]
            pairs, slot = np.unique(self.psu_stratum[psu] * d + domain, return_inverse=True)
            stratum, stratum_domain = np.divmod(pairs, d)
            product = np.diff(self.xh.indptr)[stratum].sum()  # entries of A_h' U_h
            self._linear = {"items": 8 * product > (self.xw.shape[0] + self.xh.shape[0]) * k}
            if self._linear["items"]:
                self._linear.update(
                    psu=self._items(psu, domain, lambda at: self.xw[at] @ self.inverse),
                    stratum=self._items(stratum, stratum_domain,
                                        lambda at: self.xh[at] @ self.inverse),
                    slot=slot, pair_stratum=stratum, pair_domain=stratum_domain)
        return self._linear if self._linear["items"] else None

    def _linear_term(self, score: np.ndarray, totals, by_stratum, cross) -> np.ndarray:
        """``(A' S U - A_h' T U_h)_c . B_c`` of :meth:`variance`, one value per domain.

        ``sum_p s_p a_pc u_p' B_c - sum_h t_h a_hc x_h' B_c``: either each
        ``u_p' B_c`` (``x_h' B_c``) from the items of the pair (p, c)
        ((h, c)), or the sparse product (domains x categories) first.
        """
        d = self.shape[1]
        items = self._linear_items()
        if items is None:
            product = (totals.T @ self.xw_scaled) - (by_stratum.T @ self.xh_scaled)
            return column_forms(sparse.csc_matrix(product.T), self.inverse, cross)
        value = self._entry_values(score)
        psu, domain = self._entries()["pattern"]
        a = np.bincount(self._entries()["pattern_of_row"], weights=score[self.rows],
                        minlength=psu.size)
        n_pairs = items["pair_stratum"].size
        item, entry, form = items["psu"]
        per_psu = np.bincount(item, weights=value[entry] * form, minlength=psu.size)
        item, entry, form = items["stratum"]
        per_stratum = np.bincount(item, weights=value[entry] * form, minlength=n_pairs)
        by_pair = np.bincount(items["slot"], weights=a, minlength=n_pairs)
        return (np.bincount(domain, weights=self.psu_scale[psu] * a * per_psu, minlength=d)
                - np.bincount(items["pair_domain"], minlength=d, weights=(
                    self.stratum_scale[items["pair_stratum"]] * by_pair * per_stratum)))
