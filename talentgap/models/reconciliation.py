"""Coherent forecasts for crossed hierarchies (region -> province -> all x industry -> ...).

Base forecasts made separately for every node of a hierarchy (a cell, a
province x sector total, the grand total, ...) do not add up. Reconciliation
replaces them by coherent forecasts ``y~ = S b``: the bottom-cell values
``b`` summed by the summing matrix ``S`` of a :class:`Hierarchy` to every
node, so reconciled cells add up to reconciled totals by construction. The
hierarchy (levels, nodes, ``S``) is defined next to :func:`talentgap.features.aggregate`
in :mod:`talentgap.features.hierarchy` and re-exported here.

The least-squares methods use the MinT formula of Wickramasuriya,
Athanasopoulos & Hyndman (2019, JASA 114(526), 804-819)::

    y~ = S (S' W^-1 S)^-1 S' W^-1 y^

with ``W = I`` (``ols``), ``diag(S 1)`` (``wls_struct``), the diagonal of the
residual variances (``wls_var``), or the shrunk residual covariance
``l*diag(Sigma^) + (1-l)*Sigma^`` with the Schäfer & Strimmer (2005) intensity
``l`` (``mint_shrink``). For diagonal ``W`` nothing dense is ever formed (the
sparse solvers are in :mod:`talentgap.models._reconcile_solvers`).

Typical use, with the node layout of :func:`talentgap.features.aggregate`::

    levels = {"region": provinces, "industry": sectors}
    hier = Hierarchy.from_mappings(panel, levels)
    totals = aggregate(panel, levels=levels)          # every node x period
    fc = AutoForecaster().fit(totals, target="gap", keys=hier.node_columns)
    base = fc.predict(horizon=4, level=[80])
    errors = fc.backtest_residuals(4)     # node columns, period, horizon_step, residual
    res = reconcile(base, hier, method="wls_var", residuals=errors)  # coherent rows

``errors``: the rolling-origin errors of every node
(:meth:`~talentgap.models.base.BaseForecaster.backtest_residuals`, the errors
of ``fc.cv_errors(4)`` as a long table), at the horizon being reconciled.
In-sample one-step residuals, the classic choice for ``wls_var``
(Wickramasuriya et al. 2019), are ``fc.fitted_values()`` (columns
``residual`` and the period) for the models that give them; ``mint_shrink``
pairs the nodes' residuals by period, so every node needs one for the same
periods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg, sparse

from talentgap._arguments import parse_interval_column
from talentgap.errors import DataQualityWarning, ParameterError, warn
from talentgap.features.hierarchy import TOP, Hierarchy
from talentgap.models._reconcile_solvers import nonnegative_solve, normal_operator, solve_normal

__all__ = ["Hierarchy", "ReconcileResult", "reconcile", "METHODS", "MAX_DENSE_NODES"]

#: Reconciliation methods accepted by :func:`reconcile`.
METHODS = ("bottom_up", "top_down", "ols", "wls_struct", "wls_var", "mint_shrink")

#: Largest node count for ``mint_shrink`` (it needs a dense n_nodes x n_nodes covariance).
MAX_DENSE_NODES = 5_000

#: A bottom value counts as adjusted when it moves by more than this share of the
#: period's largest absolute base forecast (at least 1).
_CHANGE_TOL = 1e-8

#: Column of a residual table that tells errors of different horizons apart (the
#: name used by :func:`talentgap.evaluation.backtest`).
_STEP = "horizon_step"


# ---- the result ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class ReconcileResult:
    """What :func:`reconcile` returns.

    Attributes
    ----------
    forecasts : pandas.DataFrame
        The input forecasts, same rows in the same order, with the value
        column reconciled and interval columns shifted or dropped.
    method : str
    n_negative : int
        Bottom cell-periods that were negative after unconstrained reconciliation.
    n_adjusted : int
        Bottom cell-periods the non-negative projection changed by more than
        1e-8 of the period's largest absolute base forecast (0 unless
        ``nonnegative=True``); the projection moves non-negative cells too.
    shrinkage : float or None
        The Schäfer-Strimmer intensity ``l`` used by ``mint_shrink``.

    Examples
    --------
    >>> import pandas as pd
    >>> hier = Hierarchy.from_mappings(pd.DataFrame({"region": ["a", "b"]}), keys=["region"])
    >>> base = hier.nodes[hier.node_columns].assign(period=pd.Period("2025", "Y"),
    ...                                              mean=[4.0, 6.0, 13.0])
    >>> res = reconcile(base, hier, method="ols")
    >>> res
    ReconcileResult(method='ols', rows=3, n_negative=0, n_adjusted=0)
    >>> res.forecasts[["region", "mean"]].to_numpy().tolist()  # the regions add up to all
    [['a', 5.0], ['b', 7.0], ['all', 12.0]]
    """

    forecasts: pd.DataFrame
    method: str
    n_negative: int
    n_adjusted: int
    shrinkage: float | None = None

    def __repr__(self) -> str:
        extra = "" if self.shrinkage is None else f", shrinkage={self.shrinkage:.4g}"
        return (f"ReconcileResult(method={self.method!r}, rows={len(self.forecasts):,}, "
                f"n_negative={self.n_negative}, n_adjusted={self.n_adjusted}{extra})")


# ---- laying tables out as node x period arrays ----------------------------------------------
def _layout(forecasts: pd.DataFrame, hierarchy: Hierarchy, value: str,
            time: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index]:
    """Base forecasts as an (n_nodes, n_periods) array and each row's node and period."""
    needed = [*hierarchy.node_columns, time, value]
    missing = [c for c in needed if c not in forecasts.columns]
    if missing:
        raise ParameterError(f"forecasts lack the columns {missing}; reconcile needs one row "
                             f"per node and period with columns {needed} (the node columns "
                             "as in talentgap.features.aggregate output)")
    if forecasts.empty:
        raise ParameterError("forecasts has no rows")
    node = hierarchy.node_positions(forecasts, what="forecasts")
    if forecasts[time].isna().any():
        raise ParameterError(f"forecasts has {int(forecasts[time].isna().sum())} rows without "
                             f"a {time!r}")
    period, periods = pd.factorize(forecasts[time], sort=True)
    n_nodes, n_periods = hierarchy.n_nodes, len(periods)
    flat = node * n_periods + period
    counts = np.bincount(flat, minlength=n_nodes * n_periods)
    if (counts > 1).any():
        twice = np.flatnonzero(counts > 1)
        raise ParameterError(
            f"forecasts has {len(twice)} node-periods with more than one row, e.g. "
            f"{hierarchy.node_examples(twice // n_periods)} at {periods[twice[0] % n_periods]}; "
            "pass one forecast per node and period")
    if (counts == 0).any():
        absent = np.flatnonzero(counts == 0)
        raise ParameterError(
            f"forecasts lack {len(absent)} of {n_nodes * n_periods} node-periods: every node "
            f"of the hierarchy needs a {value!r} for every {time!r}; missing e.g. "
            f"{hierarchy.node_examples(np.unique(absent // n_periods))} "
            f"(first missing period {periods[absent[0] % n_periods]})")
    base = np.empty(n_nodes * n_periods)
    base[flat] = forecasts[value].to_numpy(dtype=np.float64)
    base = base.reshape(n_nodes, n_periods)
    if np.isnan(base).any():
        bad = np.flatnonzero(np.isnan(base).any(axis=1))
        raise ParameterError(f"{value!r} is missing (NaN) for {len(bad)} nodes, e.g. "
                             f"{hierarchy.node_examples(bad)}")
    return base, node, period, periods


def _residual_matrix(residuals, hierarchy: Hierarchy, time: str, method: str) -> np.ndarray:
    """Residuals as an (n_obs, n_nodes) array, NaN where a node lacks an observation."""
    if residuals is None:
        raise ParameterError(
            f"method={method!r} needs residuals= (in-sample or backtest residuals of every "
            f"node: a long table with the node columns, {time!r}, 'residual' and optionally "
            f"{_STEP!r}); without them use method='wls_struct'")
    if isinstance(residuals, np.ndarray):
        if residuals.ndim != 2 or residuals.shape[1] != hierarchy.n_nodes:
            raise ParameterError(f"a residuals array must have shape (n_obs, n_nodes="
                                 f"{hierarchy.n_nodes}); got {residuals.shape}")
        matrix = residuals.astype(np.float64)
    elif isinstance(residuals, pd.DataFrame):
        needed = [*hierarchy.node_columns, time, "residual"]
        missing = [c for c in needed if c not in residuals.columns]
        if missing:
            raise ParameterError(f"residuals lack the columns {missing}; they need {needed}")
        node = hierarchy.node_positions(residuals, what="residuals")
        keys = [time, _STEP] if _STEP in residuals.columns else [time]
        observation = residuals.groupby(keys, sort=True, observed=True).ngroup().to_numpy()
        if (observation < 0).any():
            raise ParameterError(f"residuals have {int((observation < 0).sum())} rows without "
                                 f"a {' or '.join(map(repr, keys))}")
        n_obs = int(observation.max()) + 1
        flat = observation * hierarchy.n_nodes + node
        if len(np.unique(flat)) < len(flat):
            what = " and ".join(map(repr, keys))
            raise ParameterError(
                f"residuals have more than one row for some node and {what}; pass one "
                f"residual per node and {what} (errors of several horizons need a "
                f"{_STEP!r} column, as in talentgap.evaluation.backtest output)")
        matrix = np.full(n_obs * hierarchy.n_nodes, np.nan)
        matrix[flat] = residuals["residual"].to_numpy(dtype=np.float64)
        matrix = matrix.reshape(n_obs, hierarchy.n_nodes)
    else:
        raise ParameterError("residuals must be a DataFrame (node columns, time, 'residual'"
                             f" and optionally {_STEP!r}) or an (n_obs, n_nodes) array")
    absent = np.flatnonzero(np.isnan(matrix).all(axis=0))
    if len(absent):
        raise ParameterError(f"residuals are missing for {len(absent)} of {hierarchy.n_nodes} "
                             f"nodes, e.g. {hierarchy.node_examples(absent)}; {method} needs "
                             "residuals for every node")
    return matrix


def _mean_squares(matrix: np.ndarray, hierarchy: Hierarchy) -> np.ndarray:
    """Per-node mean squared residual (residuals are taken as mean zero).

    A node whose residuals are all zero (a backtest that was exact, e.g. a thin
    cell at 0 throughout) would get an infinite weight; it gets the smallest
    positive mean square of the other nodes instead, with a warning.
    """
    squares = np.nanmean(matrix**2, axis=0)
    zero = np.flatnonzero(squares <= 0)
    if len(zero) == len(squares):
        raise ParameterError("residuals are all zero for every node; W would be 0 (use "
                             "method='wls_struct')")
    if len(zero):
        floor = squares[squares > 0].min()
        warn(f"residuals are all zero for {len(zero)} nodes, e.g. "
                      f"{hierarchy.node_examples(zero)}; a zero variance would give them an "
                      f"infinite weight, so they get the smallest positive mean square of "
                      f"the other nodes ({floor:.3g})", DataQualityWarning, stacklevel=3)
        squares[zero] = floor
    return squares


# ---- the estimators of W --------------------------------------------------------------------
def _shrunk_covariance(matrix: np.ndarray,
                       variances: np.ndarray) -> tuple[np.ndarray, float]:
    """``l*diag(Sigma^) + (1-l)*Sigma^`` and ``l`` (Schäfer & Strimmer 2005, target D).

    As in the reference implementation of MinT (R ``hts::MinT``, ``fabletools``),
    residuals are taken as mean zero: ``Sigma^ = R'R/n`` (not centred), and
    ``l = sum_{i!=j} Var^(r_ij) / sum_{i!=j} r_ij^2`` with ``r_ij`` the mean of
    ``w_kij = z_ki z_kj`` over the n rows (``z`` = residuals over their root mean
    square), ``Var^(r_ij) = sum_k (w_kij - r_ij)^2 / (n (n-1))``, truncated to [0, 1].
    ``variances`` is the diagonal of ``Sigma^`` as :func:`_mean_squares` returns it
    (zeros replaced).
    """
    n = matrix.shape[0]
    covariance = matrix.T @ matrix / n
    covariance[np.diag_indices_from(covariance)] = variances
    scale = np.sqrt(variances)
    z = matrix / scale
    correlation = z.T @ z / n
    squared = z**2
    variance = (squared.T @ squared - n * correlation**2) / (n * (n - 1))
    denominator = (correlation**2).sum() - np.trace(correlation**2)
    numerator = variance.sum() - np.trace(variance)
    shrinkage = 1.0 if denominator <= 0 else float(np.clip(numerator / denominator, 0.0, 1.0))
    weights = (1.0 - shrinkage) * covariance
    weights[np.diag_indices_from(weights)] = np.diag(covariance)
    return weights, shrinkage


def _interval_columns(columns: Sequence[str], value: str) -> list[str]:
    prefix = "" if value == "mean" else value
    return [c for c in columns if parse_interval_column(c, prefix=prefix)]


# ---- reconcile ----------------------------------------------------------------------------
def reconcile(forecasts: pd.DataFrame, hierarchy: Hierarchy, *, method: str = "wls_var",
              residuals: pd.DataFrame | np.ndarray | None = None, nonnegative: bool = False,
              value: str = "mean", time: str = "period",
              intervals: str = "shift") -> ReconcileResult:
    """Make base forecasts of every node of a crossed hierarchy add up.

    Parameters
    ----------
    forecasts : pandas.DataFrame
        Base forecasts, exactly one row per node of ``hierarchy`` and period:
        the node columns ``<key>, <key>_level`` of every key (as in
        :func:`talentgap.features.aggregate` output, so a forecaster fitted
        on ``aggregate(panel)`` with ``keys=hierarchy.node_columns`` gives
        this layout), ``time`` and ``value``. Interval columns
        (``lo_<level>``/``hi_<level>``, or ``<value>_lo_<level>`` when
        ``value`` is not ``"mean"``) and any other columns are carried along.
    hierarchy : Hierarchy
    method : {"wls_var", "mint_shrink", "wls_struct", "ols", "bottom_up", "top_down"}
        ``bottom_up``: the bottom-cell forecasts, summed. ``top_down``: the
        grand-total forecast split by forecast proportions (Athanasopoulos,
        Ahmed & Hyndman 2009); a crossed hierarchy has no unique path from a
        cell to the top, so the proportions are those of each bottom cell's
        base forecast in the sum of all bottom forecasts (needs non-negative
        bottom forecasts with a positive sum). The rest are the MinT family
        (Wickramasuriya, Athanasopoulos & Hyndman 2019) with ``W = I``
        (``ols``), ``diag(S 1)`` (``wls_struct``), the per-node mean squared
        residual (``wls_var``, the default, as in ``fabletools::min_trace``)
        or the shrunk covariance of the residuals (``mint_shrink``; dense,
        so at most :data:`MAX_DENSE_NODES` nodes).
    residuals : pandas.DataFrame or numpy.ndarray, optional
        Needed by ``wls_var`` and ``mint_shrink`` (ignored otherwise):
        in-sample or backtest residuals (actual minus forecast) of every
        node, either a long table or an array (n_obs, n_nodes) in the order
        of ``hierarchy.nodes`` (one row per observation of all nodes). A
        forecaster fitted on every node gives the table directly:
        ``fc.backtest_residuals(horizon)`` (rolling-origin errors, with
        ``horizon_step``) or ``fc.fitted_values()`` (in-sample one-step
        residuals). ``fc.cv_errors(horizon)`` is neither layout: an array
        (n_series, n_windows, horizon). The
        table has the node columns, ``time`` and ``residual``, one row per
        node and period, and for backtest errors of several horizons also
        ``horizon_step`` (one row per node, period and step, as in
        :func:`talentgap.evaluation.backtest` output); rows with the same
        period (and step) are one observation, paired for the covariance.
        Residuals are taken as mean zero (variances are mean squares, as in
        ``hts``/``fabletools``); ``wls_var`` uses every residual of a node,
        ``mint_shrink`` only observations where all nodes have one (at
        least 2). A node whose residuals are all zero gets the smallest
        positive variance of the other nodes (with a warning) instead of an
        infinite weight. Pooling the errors of every horizon step of a
        backtest (``W_h`` taken proportional to ``W_1``, as in Wickramasuriya
        et al. 2019) gives ``wls_var`` several times as many residuals per
        node; on synthetic data (``benchmarks/reconcile_accuracy.py``) that
        did as well as one-step errors of the latest origins and better than
        the first step of each origin alone, while ``mint_shrink`` did worse
        with multi-step errors than with one-step errors.
    nonnegative : bool, default False
        Project the bottom values onto ``b >= 0`` minimising the same
        objective ``(y^ - S b)' W^-1 (y^ - S b)`` (bounded least squares,
        not clipping), then sum: exactly by bounded-variable least squares
        when ``W^-1/2 S`` has at most 4 million entries, otherwise by bounded
        conjugate gradients (GPCG, Moré & Toraldo 1991) to a projected
        gradient below ``1e-10 * ||S' W^-1 y^||``. Periods without a negative
        bottom value are left as they are. For ``bottom_up`` and ``top_down``,
        which minimise no W-weighted objective, it sets negative bottom values
        to 0 (their Euclidean projection). Shifted interval bounds are floored
        at 0.
    value : str, default "mean"
        The point-forecast column to reconcile.
    time : str, default "period"
    intervals : {"shift", "drop"}, default "shift"
        Reconciled intervals are not derived: with ``"shift"`` each interval
        bound moves by the same amount as its row's point forecast (its width
        stays that of the base forecast; bounds are not coherent across
        levels); ``"drop"`` removes the interval columns.

    Returns
    -------
    ReconcileResult
        ``.forecasts`` (the input rows, same order, reconciled), ``.method``,
        ``.n_negative``, ``.n_adjusted`` and ``.shrinkage``.

    Raises
    ------
    ParameterError
        Unknown method; forecasts missing a column, a node, a period or a
        value, or with duplicate rows; residuals missing or incomplete; too
        many nodes for ``mint_shrink``; bottom forecasts unusable as
        proportions for ``top_down``.

    Warns
    -----
    DataQualityWarning
        Some nodes have only zero residuals (their variance is replaced, see
        ``residuals``).

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"region": ["a", "b"], "industry": ["x", "x"]})
    >>> hier = Hierarchy.from_mappings(cells, keys=["region"])
    >>> base = hier.nodes[hier.node_columns].assign(period=pd.Period("2025", "Y"),
    ...                                              mean=[4.0, 6.0, 13.0])
    >>> res = reconcile(base, hier, method="ols")
    >>> res.forecasts["mean"].round(6).tolist()
    [5.0, 7.0, 12.0]
    >>> reconcile(base, hier, method="bottom_up").forecasts["mean"].tolist()
    [4.0, 6.0, 10.0]
    """
    if method not in METHODS:
        raise ParameterError(f"method={method!r}; choose one of {list(METHODS)}")
    if intervals not in ("shift", "drop"):
        raise ParameterError(f"intervals={intervals!r}; choose 'shift' or 'drop'")
    if not isinstance(hierarchy, Hierarchy):
        raise ParameterError("hierarchy must be a Hierarchy (Hierarchy.from_mappings(...))")
    if method == "mint_shrink" and hierarchy.n_nodes > MAX_DENSE_NODES:
        raise ParameterError(
            f"method='mint_shrink' needs a dense {hierarchy.n_nodes:,} x {hierarchy.n_nodes:,} "
            f"covariance; the limit is {MAX_DENSE_NODES:,} nodes. Use method='wls_var' "
            "(diagonal residual variances, sparse solver) or 'wls_struct'")
    base, node, period, _ = _layout(forecasts, hierarchy, value, time)
    summing, n_bottom = hierarchy.S, hierarchy.n_bottom
    bottom_base = base[:n_bottom]
    shrinkage = None
    solve_nonnegative = None

    if method == "bottom_up":
        bottom = bottom_base.copy()
    elif method == "top_down":
        if (bottom_base < 0).any():
            raise ParameterError(f"top_down splits the total by the shares of the bottom "
                                 f"forecasts, but {int((bottom_base < 0).sum())} are negative; "
                                 "use a least-squares method (e.g. wls_struct)")
        sums = bottom_base.sum(axis=0)
        if (sums <= 0).any():
            raise ParameterError("top_down needs bottom forecasts with a positive sum in every "
                                 "period; some periods sum to 0")
        at_top = (hierarchy.nodes[[f"{k}_level" for k in hierarchy.keys]] == TOP).all(axis=1)
        bottom = bottom_base / sums * base[np.flatnonzero(at_top.to_numpy())[0]]
    elif method == "mint_shrink":
        matrix = _residual_matrix(residuals, hierarchy, time, method)
        complete = matrix[~np.isnan(matrix).any(axis=1)]
        if len(complete) < 2:
            raise ParameterError(f"mint_shrink needs at least 2 periods with residuals for "
                                 f"every node; residuals have {len(complete)}")
        weights, shrinkage = _shrunk_covariance(complete, _mean_squares(complete, hierarchy))
        try:
            lower = linalg.cholesky(weights, lower=True)
        except linalg.LinAlgError:
            raise ParameterError("the shrunk residual covariance is singular; pass residuals "
                                 "of more periods or use method='wls_var'") from None
        weighted_s = linalg.solve_triangular(lower, summing.toarray(), lower=True)
        weighted_y = linalg.solve_triangular(lower, base, lower=True)
        normal, rhs = weighted_s.T @ weighted_s, weighted_s.T @ weighted_y
        bottom = linalg.solve(normal, rhs, assume_a="pos")

        def solve_nonnegative(t):
            return nonnegative_solve(lambda: (weighted_s, weighted_y[:, t]), hierarchy.n_nodes,
                                lambda x: normal @ x, np.diag(normal).copy(), rhs[:, t],
                                bottom[:, t])
    else:
        if method == "ols":
            inverse = np.ones(hierarchy.n_nodes)
        elif method == "wls_struct":
            inverse = 1.0 / hierarchy.nodes["n_cells"].to_numpy(dtype=np.float64)
        else:
            matrix = _residual_matrix(residuals, hierarchy, time, method)
            inverse = 1.0 / _mean_squares(matrix, hierarchy)
        matvec, diagonal, transposed = normal_operator(summing, inverse)
        rhs = transposed @ (inverse[:, None] * base)
        bottom = solve_normal(matvec, diagonal, rhs, bottom_base)
        root = np.sqrt(inverse)

        def solve_nonnegative(t):
            return nonnegative_solve(lambda: ((sparse.diags(root) @ summing).toarray(),
                                         root * base[:, t]),
                                hierarchy.n_nodes, matvec, diagonal, rhs[:, t], bottom[:, t])

    negative = bottom < 0
    n_negative, n_adjusted = int(negative.sum()), 0
    if nonnegative and n_negative:
        projected = bottom.copy()
        if solve_nonnegative is None:  # bottom_up, top_down
            projected = np.maximum(projected, 0.0)
        else:
            for t in np.flatnonzero(negative.any(axis=0)):
                projected[:, t] = solve_nonnegative(t)
        scale = np.maximum(np.abs(base).max(axis=0), 1.0)
        n_adjusted = int((np.abs(projected - bottom) > _CHANGE_TOL * scale).sum())
        bottom = projected

    coherent = summing @ bottom
    old = forecasts[value].to_numpy(dtype=np.float64)
    new = coherent[node, period]
    out = forecasts.copy()
    out[value] = new
    bounds = _interval_columns(forecasts.columns, value)
    if intervals == "drop":
        out = out.drop(columns=bounds)
    else:
        for column in bounds:
            moved = out[column].to_numpy(dtype=np.float64) + (new - old)
            out[column] = np.maximum(moved, 0.0) if nonnegative else moved
    return ReconcileResult(forecasts=out, method=method, n_negative=n_negative,
                           n_adjusted=n_adjusted, shrinkage=shrinkage)
