"""Fay-Herriot small-area shrinkage of direct survey estimates.

Direct estimates of thin cells (a handful of respondents) are noisy. The
area-level model of Fay & Herriot (1979) borrows strength across cells: with
the direct estimate ``y_i`` of cell i and its sampling variance ``psi_i``
(the squared standard error, treated as known),

    y_i = theta_i + e_i,   e_i ~ N(0, psi_i)
    theta_i = x_i'beta + u_i,   u_i ~ N(0, s2u)

and the empirical best linear unbiased predictor (EBLUP) of ``theta_i`` is
``g_i*y_i + (1-g_i)*x_i'beta^`` with ``g_i = s2u/(s2u + psi_i)``: cells with a
precise direct estimate keep it, thin cells move towards the regression
(synthetic) value. Formulas follow Rao & Molina, *Small Area Estimation*,
2nd ed., Wiley 2015, chapter 6 (sections 6.1-6.2). Shrunk totals no longer
add up to the direct total of the whole; ``benchmark="ratio"`` restores the
totals of given areas (section 6.4; :mod:`talentgap.features._fh_benchmark`),
the input checks and design matrix live in
:mod:`talentgap.features._fh_inputs`, and the fit of one model (REML or
Prasad-Rao variance, EBLUP and MSE) in :mod:`talentgap.features._fh_estimation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap.errors import DataQualityWarning, ParameterError, warn
from talentgap.features._fh_benchmark import (
    BENCHMARKS,
    TOTAL_TARGETS,
    benchmark_weights_of,
    ratio_benchmark,
    warn_unbenchmarked_total,
)
from talentgap.features._fh_estimation import MAX_ITER, eblup, prasad_rao, reml
from talentgap.features._fh_inputs import check_columns, check_values, collinear, design, take_all

__all__ = ["shrink", "FayHerriotFit"]

_METHODS = ("REML", "PR")
_SMOOTHING = ("gvf", "gvf_all", None)
_SOURCE_DIRECT, _SOURCE_MODEL, _SOURCE_NONE = "direct+model", "model", "none"
_SOURCE_EXACT = "direct"


@dataclass(frozen=True, eq=False)
class FayHerriotFit:
    """Fitted parameters of one Fay-Herriot model.

    Attributes
    ----------
    beta : pandas.Series
        Regression coefficients, indexed by term: ``"intercept"``, numeric
        covariates by name, one-hot levels as ``"<column>[<level>]"``.
    s2u : float
        Model (between-cell) variance, >= 0, in squared units of the target.
    method : {"REML", "PR"}
        How ``s2u`` was estimated.
    n_cells : int
        Cells with a usable direct estimate that entered the fit.
    converged : bool
        Whether the REML maximisation converged (always True for "PR").

    Notes
    -----
    Instances compare by identity (``beta`` is a Series).

    Examples
    --------
    What :func:`shrink` returns with ``return_fit=True``: five cells'
    shortage rates pooled around a common mean (no covariates):

    >>> cells = pd.DataFrame({"shortage_rate": [0.2, 0.5, 0.3, 0.8, 0.4],
    ...                       "shortage_rate_se": [0.1, 0.2, 0.05, 0.3, 0.1]})
    >>> _, fit = shrink(cells, return_fit=True, method="PR")
    >>> fit
    FayHerriotFit(method='PR', s2u=0.0225, n_cells=5, converged=True, beta={'intercept': 0.3605})
    """

    beta: pd.Series
    s2u: float
    method: str
    n_cells: int
    converged: bool

    def __repr__(self) -> str:
        beta = {name: round(float(value), 4) for name, value in self.beta.items()}
        return (f"{type(self).__name__}(method={self.method!r}, s2u={self.s2u:.4g}, "
                f"n_cells={self.n_cells}, converged={self.converged}, beta={beta})")


def _gvf(psi: np.ndarray, n: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Generalised variance function ``E[psi] = exp(a + b*log(n))`` for every cell.

    Fitted to the ``usable`` cells (a direct variance, zeros included, and at
    least 2 respondents) as a quasi-Poisson log-linear mean model by Newton
    steps (iteratively reweighted least squares) with step halving; with only
    one distinct ``n`` among them, ``b = 0`` (the mean variance).
    """
    v, log_n = psi[usable], np.log(n[usable])
    total = float(np.sum(v))
    if usable.sum() < 2 or not total > 0:
        raise ParameterError(
            f"cannot fit the generalised variance function: {int(usable.sum())} cells have "
            f"a direct variance and >= 2 respondents, with a total variance of {total}")
    scale = total / v.size
    v = v / scale  # solve on a unit scale, return on the original one
    Z = np.column_stack([np.ones(v.size), log_n])
    if np.ptp(log_n) == 0:
        Z = Z[:, :1]
    coef = np.zeros(Z.shape[1])

    def quasi_loglik(c: np.ndarray) -> float:
        eta = Z @ c
        return float(v @ eta - np.sum(np.exp(eta)))

    current = quasi_loglik(coef)
    for _ in range(MAX_ITER):
        mu = np.exp(Z @ coef)
        step = np.linalg.solve((Z * mu[:, None]).T @ Z, Z.T @ (v - mu))
        for _ in range(60):
            new = quasi_loglik(coef + step)
            if new >= current:
                break
            step /= 2
        coef, current = coef + step, max(new, current)
        if np.max(np.abs(step)) < 1e-10:
            break
    a, b = coef[0], (coef[1] if coef.size > 1 else 0.0)
    return scale * np.exp(a + b * np.log(n))


def shrink(
    estimates: pd.DataFrame,
    *,
    target: str = "shortage_rate",
    se: str | None = None,
    covariates: Sequence[str] | None = None,
    by: str | Sequence[str] | None = None,
    method: str = "REML",
    variance_smoothing: str | None = "gvf",
    benchmark: str | None = None,
    benchmark_by: str | Sequence[str] | None = None,
    benchmark_weights: str | None = None,
    return_fit: bool = False,
):
    """Fay-Herriot EBLUP of a direct estimate per cell, borrowing strength across cells.

    Area-level model (Fay & Herriot 1979; Rao & Molina, *Small Area
    Estimation*, 2nd ed., 2015, ch. 6): ``y_i = theta_i + e_i`` with
    ``e_i ~ N(0, psi_i)``, ``psi_i = se_i^2`` known, and
    ``theta_i = x_i'beta + u_i``, ``u_i ~ N(0, s2u)``. The estimate is
    ``theta_i^ = g_i*y_i + (1-g_i)*x_i'beta^`` with ``g_i = s2u/(s2u+psi_i)``
    and ``beta^`` by weighted least squares with weights ``1/(s2u+psi_i)``.

    Parameters
    ----------
    estimates : pandas.DataFrame
        Direct estimates, one row per cell-period, e.g. the output of
        :func:`talentgap.features.estimate_cells`. Not modified.
    target : str, default "shortage_rate"
        Column of the direct estimate ``y_i``. Rows where it is missing get
        the model prediction ``x_i'beta^`` (source ``"model"``).
    se : str, optional
        Column of its standard error; default ``f"{target}_se"``.
    covariates : sequence of str, optional
        Columns of ``x_i``; an intercept is always included, so ``None``
        (the default) fits a common mean per fit. Numeric columns enter as
        they are (they must be finite); categorical ones (category, string,
        object, bool or period dtype, e.g. ``region``, ``industry``,
        ``period``) are one-hot encoded with the first level present among the
        fitted cells dropped. Cells with a level never seen among the fitted
        cells cannot be predicted: they get NaN and source ``"none"`` with a
        :class:`~talentgap.errors.DataQualityWarning`. The default is the
        intercept only because period fixed effects (``["period"]`` or
        ``by="period"``) did not lower the error on the synthetic data; see
        Notes.
    by : str or sequence of str, optional
        Fit a separate model (own ``beta`` and ``s2u``) within each group of
        these columns, e.g. ``by="period"``.
    method : {"REML", "PR"}, default "REML"
        Estimator of ``s2u``: restricted maximum likelihood over ``s2u >= 0``
        (Fisher scoring with step halving, bounded Brent search as a
        fallback), or the Prasad-Rao moment estimator truncated at 0.
    variance_smoothing : {"gvf", "gvf_all", None}, default "gvf"
        What to do with cells whose ``psi_i`` is missing (one respondent) or
        zero (e.g. all respondents reported a shortage, so the direct
        proportion is 1) while ``y_i`` is known. Needs an ``n_respondents``
        column when there are such cells.

        ``"gvf"``: give them the variance of a generalised variance function
        (GVF) ``E[psi] = exp(a + b*log(n_respondents))``, fitted as a
        quasi-Poisson log-linear model to the direct variances of every cell
        of the table (not per ``by`` group) with at least 2 respondents,
        *zeros included*; the cells then enter the model like the others.
        Fitting the mean of ``psi`` with the zeros in avoids the upward bias
        of a least-squares fit of ``log psi`` to the positive variances only
        (a cell of few respondents has ``psi > 0`` only when they disagree).
        No level term ``log(y)`` is used: the direct variance of a
        proportion is itself a function of ``y`` (zero at 0 and 1), so it
        would hand the cells with ``y = 1`` a near-zero variance again.

        ``"gvf_all"``: use the GVF variance for every cell, not only those
        without a usable one (Fay & Herriot 1979 smoothed all variances
        likewise). Suits rates and means, whose variance is driven by the
        number of respondents; not totals, whose variance scales with the
        cell size.

        ``None``: such a direct value cannot be weighed, so the cell is
        treated as having no direct estimate: it is left out of the fit and
        gets the synthetic estimate ``x_i'beta^`` (source ``"model"``).

        A zero variance that is *exact* is none of these: a cell flagged
        ``take_all`` (the column :func:`~talentgap.features.estimate_cells`
        adds with a design: every respondent in a stratum sampled in full)
        with standard error 0 has no sampling error. It keeps its direct
        estimate (``g_i = 1``, shrinkage 0, MSE 0, source ``"direct"``), is
        never given a GVF variance, and enters neither the GVF nor the model
        fit (``psi_i = 0`` would give it unbounded weight in ``beta^``).
    benchmark : {None, "ratio"}, default None
        ``"ratio"``: multiply the estimates of each benchmark area (a group
        of ``benchmark_by``; the whole table without it) by
        ``sum(y_i) / sum(theta_i^)`` over the area's shrunk cells (source
        ``"direct+model"``), so that the cells with a direct estimate add
        up to the area's direct total again (ratio benchmarking: Pfeffermann
        2013; Rao & Molina 2015, section 6.4). Cells of source ``"model"``
        get the same factor; ``"direct"`` and ``"none"`` cells are kept.
        The sums are unweighted, the constraint for totals (``demand``,
        ``vacancies``); a rate needs ``benchmark_weights``. The MSE becomes
        ``mse + (theta_b - theta^)^2`` (see Returns).
    benchmark_by : str or sequence of str, optional
        Columns whose combinations are the benchmark areas, e.g.
        ``"period"`` (the national total of each period) or
        ``["region", "period"]``. Only with ``benchmark``.
    benchmark_weights : str, optional
        Required to benchmark a rate (a ``target`` ending in ``_rate``,
        ``_share``, ``_density`` or ``_ratio``), refused for a total: the
        column ``a`` of each cell's denominator (``"enterprises"`` for
        ``shortage_rate``), so the factor is ``sum(a y) / sum(a theta^)`` and
        the ``a``-weighted mean of the shrunk rates is the direct rate.
    return_fit : bool, default False
        Also return the fitted parameters.

    Returns
    -------
    pandas.DataFrame
        A copy of ``estimates`` (same index and row order) with the columns

        ``<target>_fh``
            The EBLUP (source ``"direct+model"``) or the synthetic
            estimate ``x_i'beta^`` (source ``"model"``), times the
            benchmark factor with ``benchmark``. Not clipped. With
            the intercept only, or one categorical covariate, the synthetic
            part is a weighted mean of direct values, so a rate stays in
            [0, 1]; with numeric or several categorical covariates the
            linear model can leave the range.
        ``<target>_fh_mse``
            Estimated mean squared error. For "direct+model" cells the
            Prasad-Rao estimator ``g1 + g2 + 2*g3`` with
            ``g1 = g*psi``, ``g2 = (1-g)^2 x'(X'V^-1X)^-1 x``,
            ``g3 = psi^2/(s2u+psi)^3 * Vbar``; ``Vbar = 2/sum((s2u+psi)^-2)``
            for REML (second-order unbiased, Datta & Lahiri 2000) and
            ``Vbar = 2*sum((s2u+psi)^2)/m^2`` for PR (Prasad & Rao 1990).
            For "model" cells ``s2u + x'(X'V^-1X)^-1 x``: the cell's own
            ``u_i`` is unpredicted and independent of the fitted cells (the
            ``psi -> inf`` limit of ``g1 + g2 + 2*g3``). With
            ``benchmark``, plus the squared adjustment ``(theta_b -
            theta^)^2``: the MSE of ``theta^ + a`` for an adjustment ``a``
            held fixed (the EBLUP is model-unbiased). The adjustment is
            itself estimated, so this is approximate too (Steorts & Ghosh
            2013 give a second-order correction for benchmarked estimators).
        ``<target>_fh_se``
            ``sqrt(<target>_fh_mse)``.
        ``<target>_shrinkage``
            ``1 - g_i`` in [0, 1], the weight on the synthetic part (1 for
            "model" cells).
        ``<target>_fh_source``
            ``"direct+model"``, ``"model"``, ``"direct"`` (a take-all cell,
            kept as it is) or ``"none"`` (not predictable).
        ``<target>_benchmark``
            Only with ``benchmark``: the factor each row was multiplied by
            (1 for ``"direct"`` and ``"none"`` rows).

        With ``return_fit=True``, a tuple ``(frame, fit)`` where ``fit`` is a
        :class:`FayHerriotFit`, or, with ``by``, a dict from group key (a
        scalar for one ``by`` column, else a tuple) to :class:`FayHerriotFit`.

    Raises
    ------
    ParameterError
        If ``target``, ``se``, a covariate, a ``by`` column or (when needed
        for smoothing) ``n_respondents`` is missing; if ``method`` or
        ``variance_smoothing`` is unknown; if a fit has fewer usable cells
        than parameters + 1 or collinear covariates; if a covariate has
        missing values; if the GVF is needed but fewer than 2 cells have a
        direct variance and at least 2 respondents; if ``benchmark`` is
        unknown, ``benchmark_by`` or ``benchmark_weights`` is misused (see
        above; weights must be finite >= 0), or a benchmark area's
        direct and shrunk totals are of opposite signs (or only the shrunk
        one is 0).
    SchemaError
        If a standard error is negative or an estimate or SE is infinite.

    Warns
    -----
    DataQualityWarning
        When ``target`` is one of the totals of
        :func:`~talentgap.features.estimate_cells` (``demand``,
        ``vacancies``, ``employees``, ``enterprises``), ``benchmark`` is
        None, and the shrunk cells add up to more than 1% off their direct
        total. The model pulls large cells towards the level of the small
        ones (with the intercept only, national demand of the demo data fell
        22%; with ``covariates=["employees"]``, 24%): benchmark, or shrink a
        rate and multiply it by the cell size.

    Notes
    -----
    The EBLUP treats ``psi_i`` as known; with a handful of respondents it is
    itself a noisy estimate, so the MSE estimates are approximate.

    Measured on ``make_synthetic(n_regions=8, n_periods=8,
    sample_fraction=0.04)`` (512 cell-quarters, median 4 respondents, 31-52%
    with at most 3), seeds 0-2, defaults: the mean squared error of the
    shortage rate against the population truth falls from 0.052-0.083
    (direct) to 0.012-0.018 (FH), 0.21-0.24 times the direct one; in cells
    with at most 3 respondents from 0.082-0.134 to 0.015-0.025 (0.17-0.19
    times). At the default ``sample_fraction=0.15`` (24 quarters) the ratios
    are 0.38-0.49 overall and 0.16-0.34 in those cells. Period fixed effects
    (``covariates=["period"]`` or ``by="period"``) changed the overall MSE by
    -1% to +7%. The Prasad-Rao estimator with ``"gvf"`` put ``s2u`` at or
    near 0 in these runs (the filled-in variances make ``sum(psi)`` too
    large), pooling every cell towards the mean: REML is the default for
    that reason.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({
    ...     "region": list("ABCDEF"),
    ...     "shortage_rate": [0.9, 0.5, 0.7, 0.6, 1.0, 0.65],
    ...     "shortage_rate_se": [0.05, 0.20, 0.02, 0.10, float("nan"), 0.15],
    ...     "n_respondents": [40, 4, 300, 12, 1, 6]})
    >>> out, fit = shrink(cells, return_fit=True)
    >>> out[["shortage_rate", "shortage_rate_fh", "shortage_rate_shrinkage"]].round(3)
       shortage_rate  shortage_rate_fh  shortage_rate_shrinkage
    0           0.90             0.872                    0.154
    1           0.50             0.664                    0.745
    2           0.70             0.701                    0.028
    3           0.60             0.650                    0.422
    4           1.00             0.737                    0.937
    5           0.65             0.693                    0.622
    >>> fit.method, fit.n_cells, round(fit.s2u, 4), fit.beta.round(4).to_dict()
    ('REML', 6, 0.0137, {'intercept': 0.7195})

    A total, benchmarked so that each period's cells keep its direct total:

    >>> totals = pd.DataFrame({
    ...     "period": ["Q1"] * 4 + ["Q2"] * 4,
    ...     "demand": [120.0, 15, 30, 8, 110, 20, 25, 10],
    ...     "demand_se": [60.0, 6, 10, 4, 55, 8, 9, 5]})
    >>> out = shrink(totals, target="demand", benchmark="ratio", benchmark_by="period")
    >>> out.groupby("period")[["demand", "demand_fh"]].sum().round(6)
            demand  demand_fh
    period
    Q1       173.0      173.0
    Q2       165.0      165.0
    """
    if method not in _METHODS:
        raise ParameterError(f"method == {method!r}, must be one of {list(_METHODS)}")
    if variance_smoothing not in _SMOOTHING:
        raise ParameterError(f"variance_smoothing == {variance_smoothing!r}, must be "
                             f"'gvf', 'gvf_all' or None")
    if not isinstance(estimates, pd.DataFrame):
        raise ParameterError(f"estimates must be a pandas DataFrame, got "
                             f"{type(estimates).__name__}")
    se = f"{target}_se" if se is None else se
    if isinstance(covariates, str):
        covariates = [covariates]
    covariates = [] if covariates is None else list(covariates)
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if benchmark not in BENCHMARKS:
        raise ParameterError(f"benchmark == {benchmark!r}, must be 'ratio' or None")
    if benchmark is None and benchmark_by is not None:
        raise ParameterError(f"benchmark_by == {benchmark_by!r} needs benchmark='ratio'")
    bench_cols = ([] if benchmark_by is None
                  else [benchmark_by] if isinstance(benchmark_by, str) else list(benchmark_by))
    check_columns(estimates, target, se, covariates, by_cols, bench_cols)
    bench_weights = benchmark_weights_of(estimates, target, benchmark, benchmark_weights)

    y = estimates[target].to_numpy(dtype=np.float64, na_value=np.nan)
    s = estimates[se].to_numpy(dtype=np.float64, na_value=np.nan)
    check_values(estimates, y, s, target, se)
    psi = s**2
    has_y = ~np.isnan(y)
    exact = has_y & (psi == 0) & take_all(estimates)  # census cells: zero, not unknown
    needs = has_y & ~(psi > 0) & ~exact  # missing or zero sampling variance
    if variance_smoothing == "gvf_all":
        needs = has_y & ~exact
    if variance_smoothing is not None and needs.any():
        if "n_respondents" not in estimates.columns:
            raise ParameterError(
                f"variance_smoothing={variance_smoothing!r} needs column 'n_respondents' for "
                f"the {int(needs.sum())} cells "
                + ("to smooth" if variance_smoothing == "gvf_all"
                   else f"whose {se!r} is missing or zero"))
        n = estimates["n_respondents"].to_numpy(dtype=np.float64, na_value=np.nan)
        usable = has_y & ~np.isnan(psi) & (n >= 2) & ~exact
        with np.errstate(invalid="ignore", divide="ignore"):
            smooth = _gvf(psi, n, usable)
        psi = np.where(needs & (n >= 1), smooth, psi)
    fit_mask = has_y & (psi > 0) & ~exact

    n_rows = len(estimates)
    theta = np.full(n_rows, np.nan)
    mse = np.full(n_rows, np.nan)
    shrinkage = np.full(n_rows, np.nan)
    source = np.full(n_rows, _SOURCE_NONE, dtype=object)
    fits = {}
    if by_cols:
        grouper = by_cols[0] if len(by_cols) == 1 else by_cols
        groups = estimates.groupby(grouper, sort=True, observed=True, dropna=False).indices
    else:
        groups = {None: np.arange(n_rows)}
    for key, rows in groups.items():  # one model per group (a handful, e.g. periods)
        part = estimates.iloc[rows]
        fit_in = fit_mask[rows]
        X, names, unknown = design(part, covariates, fit_in)
        m, p = int(fit_in.sum()), X.shape[1]
        where = "" if key is None else f" in group {key!r}"
        if m < p + 1:
            raise ParameterError(f"{m} cells with a usable direct estimate{where}, need at "
                                 f"least {p + 1} for {p} parameters")
        Xf, yf, psif = X[fit_in], y[rows][fit_in], psi[rows][fit_in]
        if collinear(Xf):
            raise ParameterError(f"covariates {covariates} are collinear over the {m} fitted "
                                 f"cells{where}")
        if method == "REML":
            s2u, converged = reml(yf, Xf, psif)
        else:
            s2u, converged = prasad_rao(yf, Xf, psif), True
        res = eblup(yf, Xf, psif, s2u, method=method)
        fits[key] = FayHerriotFit(beta=pd.Series(res.beta, index=names, name=target),
                                  s2u=float(s2u), method=method, n_cells=m,
                                  converged=converged)
        idx = rows[fit_in]
        theta[idx], mse[idx], shrinkage[idx] = res.theta, res.mse, 1 - res.gamma
        source[idx] = _SOURCE_DIRECT
        other = ~fit_in & ~unknown & ~exact[rows]
        if other.any():
            Xo = X[other]
            idx = rows[other]
            theta[idx] = Xo @ res.beta
            mse[idx] = s2u + np.einsum("ij,jk,ik->i", Xo, res.cov_beta, Xo)
            shrinkage[idx] = 1.0
            source[idx] = _SOURCE_MODEL
    theta[exact], mse[exact], shrinkage[exact] = y[exact], 0.0, 0.0
    source[exact] = _SOURCE_EXACT
    if (source == _SOURCE_NONE).any():
        warn(f"{int((source == _SOURCE_NONE).sum())} cells have a covariate level "
                      f"not seen among the fitted cells of their group; their {target}_fh "
                      f"is NaN", DataQualityWarning, stacklevel=2)

    if benchmark == "ratio":
        factor = ratio_benchmark(estimates, y, theta, source, bench_cols, target=target,
                                 weights=bench_weights)
        benchmarked = theta * factor
        mse = mse + (benchmarked - theta) ** 2
        theta = benchmarked
    elif target in TOTAL_TARGETS:
        warn_unbenchmarked_total(y, theta, source, target=target, stacklevel=2)

    out = estimates.copy()
    out[f"{target}_fh"] = theta
    out[f"{target}_fh_mse"] = mse
    out[f"{target}_fh_se"] = np.sqrt(mse)
    out[f"{target}_shrinkage"] = shrinkage
    out[f"{target}_fh_source"] = source
    if benchmark is not None:
        out[f"{target}_benchmark"] = factor
    if not return_fit:
        return out
    return out, (fits if by_cols else fits[None])
