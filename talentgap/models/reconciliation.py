"""Coherent forecasts for crossed hierarchies (region -> province -> all x industry -> ...).

Base forecasts made separately for every node of a hierarchy (a cell, a
province x sector total, the grand total, ...) do not add up. Reconciliation
replaces them by coherent forecasts ``y~ = S b``: the bottom-cell values
``b`` summed by the summing matrix ``S`` to every node, so reconciled cells
add up to reconciled totals by construction.

The least-squares methods use the MinT formula of Wickramasuriya,
Athanasopoulos & Hyndman (2019, JASA 114(526), 804-819)::

    y~ = S (S' W^-1 S)^-1 S' W^-1 y^

with ``W = I`` (``ols``), ``diag(S 1)`` (``wls_struct``), the diagonal of the
in-sample residual variances (``wls_var``), or the shrunk residual covariance
``l*diag(Sigma^) + (1-l)*Sigma^`` with the Schäfer & Strimmer (2005) intensity
``l`` (``mint_shrink``). For diagonal ``W`` nothing dense is ever formed: the
normal equations ``(S' W^-1 S) b = S' W^-1 y^`` are solved by conjugate
gradients on sparse products, which handles 34,000 cells and 41,625 nodes in
seconds (``benchmarks/reconcile_speed.py``).

Typical use, with the node layout of :func:`talentgap.features.aggregate`::

    levels = {"region": provinces, "industry": sectors}
    hier = Hierarchy.from_mappings(panel, levels)
    totals = aggregate(panel, levels=levels)          # every node x period
    fc = AutoForecaster().fit(totals, target="gap", keys=hier.node_columns)
    base = fc.predict(horizon=4, level=[80])
    res = reconcile(base, hier, method="wls_struct")  # res.forecasts: same rows, coherent
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg, sparse
from scipy.optimize import lsq_linear
from scipy.sparse.linalg import LinearOperator, cg
from threadpoolctl import threadpool_limits

from talentgap.errors import ParameterError
from talentgap.features.hierarchy import TOP, _levels_for

__all__ = ["Hierarchy", "ReconcileResult", "reconcile", "METHODS", "MAX_DENSE_NODES"]

#: Reconciliation methods accepted by :func:`reconcile`.
METHODS = ("bottom_up", "top_down", "ols", "wls_struct", "wls_var", "mint_shrink")

#: Largest node count for ``mint_shrink`` (it needs a dense n_nodes x n_nodes covariance).
MAX_DENSE_NODES = 5_000

#: Relative residual at which conjugate gradients stop (``||r|| <= rtol * ||rhs||``).
_CG_RTOL = 1e-12
_CG_MAXITER = 5_000
#: Above this many entries of the weighted S, the non-negative projection uses
#: bounded conjugate gradients (GPCG) instead of the exact dense BVLS solver.
_DENSE_NNLS_LIMIT = 4_000_000
#: GPCG stops when the projected gradient is below this share of ``||S' W^-1 y^||``.
_NN_RTOL = 1e-10
_NN_MAXITER = 500
_GP_STEPS = 5
#: A bottom value counts as adjusted when it moves by more than this share of the
#: period's largest absolute base forecast (at least 1).
_CHANGE_TOL = 1e-8

_NEEDS_RESIDUALS = ("wls_var", "mint_shrink")


# ---- the hierarchy ------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class Hierarchy:
    """A crossed hierarchy of cells and its summing matrix.

    Build it with :meth:`from_mappings`. Each key has a chain of levels from
    the bottom (the key itself) through its groupings to ``"all"``; a node
    is one combination of one level per key (e.g. province x sector, region
    x all), labelled exactly as in :func:`talentgap.features.aggregate`.

    Attributes
    ----------
    keys : tuple of str
        The key columns, e.g. ``("region", "industry")``.
    levels : dict of str to tuple of str
        For each key its level names, bottom first, ending in ``"all"``.
    nodes : pandas.DataFrame
        One row per node: for each key ``k`` the columns ``k`` (label) and
        ``k_level`` (level name), then ``n_cells`` (bottom cells under the
        node). Rows are ordered like ``aggregate`` output: blocks of level
        combinations (bottom x bottom first, all x all last), each sorted by
        labels. The first ``n_bottom`` rows are the bottom cells, in the
        order of ``bottom``.
    bottom : pandas.DataFrame
        The distinct bottom cells (the key columns), sorted.
    S : scipy.sparse.csr_matrix
        Summing matrix, shape (n_nodes, n_bottom), entry 1 where the bottom
        cell (column) lies under the node (row). Never densified here.
    """

    keys: tuple[str, ...]
    levels: dict[str, tuple[str, ...]]
    nodes: pd.DataFrame
    bottom: pd.DataFrame
    S: sparse.csr_matrix

    @classmethod
    def from_mappings(cls, bottom: pd.DataFrame,
                      levels: Mapping[str, object] | None = None, *,
                      keys: Sequence[str] = ("region", "industry")) -> Hierarchy:
        """Build the crossed hierarchy of the cells in ``bottom``.

        Parameters
        ----------
        bottom : pandas.DataFrame
            The bottom cells: a table with the ``keys`` columns (other columns
            are ignored and repeated cells count once, so a whole panel works).
        levels : mapping of str to DataFrame, Series or dict, optional
            For each key, how bottom values group into higher levels, in the
            forms :func:`talentgap.features.aggregate` accepts: a DataFrame
            with the key column and one column per higher level (low to
            high), a Series indexed by bottom values (its name is the level),
            or a dict bottom -> parent (level ``<key>_group``). Keys without a
            mapping have only the bottom level and ``"all"``.
        keys : sequence of str, default ("region", "industry")

        Returns
        -------
        Hierarchy

        Raises
        ------
        ParameterError
            A key column is missing or has missing values, or a mapping lacks
            a bottom value, lists one twice or gives it no parent.

        Examples
        --------
        >>> import pandas as pd
        >>> cells = pd.DataFrame({"region": ["a", "b", "c"], "industry": ["x", "x", "y"]})
        >>> hier = Hierarchy.from_mappings(cells, {"region": {"a": "N", "b": "N", "c": "S"}})
        >>> hier.levels["region"], hier.n_bottom, hier.n_nodes
        (('region', 'region_group', 'all'), 3, 13)
        >>> hier.nodes.tail(2)[["region", "industry", "n_cells"]].to_numpy().tolist()
        [['all', 'y', 1], ['all', 'all', 3]]
        """
        keys = list(keys)
        if not keys:
            raise ParameterError("keys is empty; name at least one key column")
        levels = dict(levels or {})
        unknown = [k for k in levels if k not in keys]
        if unknown:
            raise ParameterError(f"levels given for {unknown}, which are not among keys {keys}")
        missing = [k for k in keys if k not in bottom.columns]
        if missing:
            raise ParameterError(f"bottom lacks the key columns {missing}; it has "
                                 f"{list(bottom.columns)[:10]}")
        blank = [k for k in keys if bottom[k].isna().any()]
        if blank:
            raise ParameterError(f"key columns {blank} of bottom have missing values")
        cells = bottom[keys].astype(object).drop_duplicates()
        cells = cells.sort_values(keys, kind="stable").reset_index(drop=True)
        if cells.empty:
            raise ParameterError("bottom has no rows")

        chains, lookups = {}, {}
        for key in keys:
            values = pd.Index(pd.unique(cells[key]))
            chain, table = _levels_for(key, levels.get(key), values)
            chains[key] = tuple(chain)
            where = pd.Index(table[key]).get_indexer(cells[key])
            lookups[key] = {level: table[level].to_numpy(dtype=object)[where]
                            for level in chain}

        n_bottom = len(cells)
        blocks, rows, offset = [], [], 0
        for combo in itertools.product(*(chains[k] for k in keys)):
            labels = pd.DataFrame({k: lookups[k][level]
                                   for k, level in zip(keys, combo, strict=True)})
            grouped = labels.groupby(keys, sort=True)
            codes = grouped.ngroup().to_numpy()
            block = grouped.size().rename("n_cells").reset_index()
            for key, level in zip(keys, combo, strict=True):
                block.insert(block.columns.get_loc(key) + 1, f"{key}_level", level)
            blocks.append(block)
            rows.append(offset + codes)
            offset += len(block)
        nodes = pd.concat(blocks, ignore_index=True)
        node_columns = [c for k in keys for c in (k, f"{k}_level")]
        nodes = nodes.astype({c: object for c in node_columns})
        nodes["n_cells"] = nodes["n_cells"].astype(np.int64)
        summing = sparse.csr_matrix(
            (np.ones(n_bottom * len(rows)), (np.concatenate(rows),
                                             np.tile(np.arange(n_bottom), len(rows)))),
            shape=(len(nodes), n_bottom))
        return cls(keys=tuple(keys), levels=chains, nodes=nodes, bottom=cells, S=summing)

    @property
    def node_columns(self) -> list[str]:
        """The columns that name a node: ``<key>, <key>_level`` for every key."""
        return [c for k in self.keys for c in (k, f"{k}_level")]

    @property
    def n_nodes(self) -> int:
        return self.S.shape[0]

    @property
    def n_bottom(self) -> int:
        return self.S.shape[1]

    def __repr__(self) -> str:
        chains = " x ".join(" -> ".join(self.levels[k]) for k in self.keys)
        return (f"Hierarchy({chains}; {self.n_bottom:,} bottom cells, "
                f"{self.n_nodes:,} nodes)")


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
def _node_positions(frame: pd.DataFrame, hierarchy: Hierarchy, what: str) -> np.ndarray:
    columns = hierarchy.node_columns
    index = pd.MultiIndex.from_frame(hierarchy.nodes[columns].astype(object))
    target = pd.MultiIndex.from_frame(frame[columns].astype(object))
    where = index.get_indexer(target)
    unknown = where < 0
    if unknown.any():
        examples = frame.loc[unknown, columns].drop_duplicates().head(3)
        raise ParameterError(
            f"{what} has {int(unknown.sum())} rows for nodes that are not in the hierarchy, "
            f"e.g. {examples.astype(str).to_dict('records')}; check the level mappings")
    return where


def _describe(hierarchy: Hierarchy, positions: np.ndarray, limit: int = 3) -> str:
    rows = hierarchy.nodes.iloc[positions[:limit]][hierarchy.node_columns]
    return str(rows.astype(str).to_dict("records"))


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
    node = _node_positions(forecasts, hierarchy, "forecasts")
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
            f"{_describe(hierarchy, twice // n_periods)} at {periods[twice[0] % n_periods]}; "
            "pass one forecast per node and period")
    if (counts == 0).any():
        absent = np.flatnonzero(counts == 0)
        raise ParameterError(
            f"forecasts lack {len(absent)} of {n_nodes * n_periods} node-periods: every node "
            f"of the hierarchy needs a {value!r} for every {time!r}; missing e.g. "
            f"{_describe(hierarchy, np.unique(absent // n_periods))} "
            f"(first missing period {periods[absent[0] % n_periods]})")
    base = np.empty(n_nodes * n_periods)
    base[flat] = forecasts[value].to_numpy(dtype=np.float64)
    base = base.reshape(n_nodes, n_periods)
    if np.isnan(base).any():
        bad = np.flatnonzero(np.isnan(base).any(axis=1))
        raise ParameterError(f"{value!r} is missing (NaN) for {len(bad)} nodes, e.g. "
                             f"{_describe(hierarchy, bad)}")
    return base, node, period, periods


def _residual_matrix(residuals, hierarchy: Hierarchy, time: str, method: str) -> np.ndarray:
    """Residuals as an (n_obs, n_nodes) array, NaN where a node lacks an observation."""
    if residuals is None:
        raise ParameterError(
            f"method={method!r} needs residuals= (in-sample or backtest residuals of every "
            "node: a long table with the node columns, "
            f"{time!r} and 'residual'); without them use method='wls_struct'")
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
        node = _node_positions(residuals, hierarchy, "residuals")
        period, periods = pd.factorize(residuals[time], sort=True)
        if (period < 0).any():
            raise ParameterError(f"residuals have rows without a {time!r}")
        flat = period * hierarchy.n_nodes + node
        if len(np.unique(flat)) < len(flat):
            raise ParameterError(f"residuals have more than one row for some node and {time!r}"
                                 "; pass one residual per node and period (e.g. one-step-ahead"
                                 " errors, or one backtest horizon)")
        matrix = np.full(len(periods) * hierarchy.n_nodes, np.nan)
        matrix[flat] = residuals["residual"].to_numpy(dtype=np.float64)
        matrix = matrix.reshape(len(periods), hierarchy.n_nodes)
    else:
        raise ParameterError("residuals must be a DataFrame (node columns, time, 'residual') "
                             "or an (n_obs, n_nodes) array")
    absent = np.flatnonzero(np.isnan(matrix).all(axis=0))
    if len(absent):
        raise ParameterError(f"residuals are missing for {len(absent)} of {hierarchy.n_nodes} "
                             f"nodes, e.g. {_describe(hierarchy, absent)}; {method} needs "
                             "residuals for every node")
    return matrix


def _mean_squares(matrix: np.ndarray, hierarchy: Hierarchy) -> np.ndarray:
    """Per-node mean squared residual (residuals are taken as mean zero); rejects zeros."""
    squares = np.nanmean(matrix**2, axis=0)
    zero = np.flatnonzero(squares <= 0)
    if len(zero):
        raise ParameterError(f"residuals are all zero for {len(zero)} nodes, e.g. "
                             f"{_describe(hierarchy, zero)}; their weight would be infinite")
    return squares


# ---- the estimators of W --------------------------------------------------------------------
def _shrunk_covariance(matrix: np.ndarray) -> tuple[np.ndarray, float]:
    """``l*diag(Sigma^) + (1-l)*Sigma^`` and ``l`` (Schäfer & Strimmer 2005, target D).

    As in the reference implementation of MinT (R ``hts::MinT``, ``fabletools``),
    residuals are taken as mean zero: ``Sigma^ = R'R/n`` (not centred), and
    ``l = sum_{i!=j} Var^(r_ij) / sum_{i!=j} r_ij^2`` with ``r_ij`` the mean of
    ``w_kij = z_ki z_kj`` over the n rows (``z`` = residuals over their root mean
    square), ``Var^(r_ij) = sum_k (w_kij - r_ij)^2 / (n (n-1))``, truncated to [0, 1].
    """
    n = matrix.shape[0]
    covariance = matrix.T @ matrix / n
    scale = np.sqrt(np.diag(covariance))
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


# ---- solvers ------------------------------------------------------------------------------
def _normal_operator(summing: sparse.csr_matrix, inverse_weights: np.ndarray):
    """``x -> S' W^-1 S x`` on sparse products, its diagonal, and ``S'`` (CSR)."""
    transposed = summing.T.tocsr()

    def matvec(x):
        return transposed @ (inverse_weights * (summing @ np.ravel(x)))

    diagonal = transposed @ inverse_weights  # S is 0/1, so diag(S' W^-1 S) = S' W^-1 1
    return matvec, diagonal, transposed


def _operator(matvec, size: int) -> LinearOperator:
    return LinearOperator((size, size), matvec=matvec, rmatvec=matvec, dtype=np.float64)


def _jacobi(diagonal: np.ndarray) -> LinearOperator:
    return _operator(lambda x: np.ravel(x) / diagonal, len(diagonal))


def _one_blas_thread():
    """Iterative solvers do vector dot products, which threaded BLAS only slows down
    (by 20x on a busy 2-core machine)."""
    return threadpool_limits(limits=1, user_api="blas")


def _solve_diagonal(matvec, diagonal: np.ndarray, rhs: np.ndarray,
                    start: np.ndarray) -> np.ndarray:
    """``b`` solving ``(S' W^-1 S) b = S' W^-1 y^`` per period by Jacobi-preconditioned CG."""
    n_bottom = len(diagonal)
    operator, preconditioner = _operator(matvec, n_bottom), _jacobi(diagonal)
    out = np.empty_like(rhs)
    for t in range(rhs.shape[1]):  # a handful of periods, each a sparse CG solve
        with _one_blas_thread():
            solution, info = cg(operator, rhs[:, t], x0=start[:, t], rtol=_CG_RTOL,
                                atol=0.0, maxiter=_CG_MAXITER, M=preconditioner)
        if info != 0:
            residual = np.linalg.norm(matvec(solution) - rhs[:, t])
            warnings.warn(f"conjugate gradients stopped after {info} iterations at relative "
                          f"residual {residual / np.linalg.norm(rhs[:, t]):.2g} (period "
                          f"{t}); forecasts are coherent but not exactly optimal",
                          RuntimeWarning, stacklevel=3)
        out[:, t] = solution
    return out


def _backtrack(matvec, x, ax, gradient, direction, alpha):
    """Armijo backtracking along the projected path ``max(x + a*direction, 0)``.

    The change of the quadratic is computed from differences,
    ``g's + s'(A s)/2``, which stays accurate near the optimum where the
    objective itself has no digits left to compare.
    """
    for _ in range(60):
        y = np.maximum(x + alpha * direction, 0.0)
        step = y - x
        ay = matvec(y)
        slope = gradient @ step
        if slope < 0 and slope + 0.5 * step @ (ay - ax) <= 1e-4 * slope:
            return y, ay
        alpha *= 0.5
    return x, ax


def _bounded_cg(matvec, diagonal: np.ndarray, rhs: np.ndarray,
                start: np.ndarray) -> tuple[np.ndarray, bool]:
    """Minimise ``b'Ab/2 - rhs'b`` over ``b >= 0`` for a large SPD ``A`` given by products.

    Gradient projection to find the active set, then Jacobi-preconditioned
    conjugate gradients on the free face, with a projected search (GPCG; Moré
    & Toraldo 1991, SIAM J. Optim. 1(1), 93-113). Stops when the projected
    gradient is below ``_NN_RTOL * ||rhs||``.
    """
    n = len(rhs)
    x = np.maximum(start, 0.0)
    ax = matvec(x)
    target = _NN_RTOL * max(np.linalg.norm(rhs), np.finfo(np.float64).tiny)
    for _ in range(_NN_MAXITER):
        gradient = ax - rhs
        projected = np.where((x > 0) | (gradient < 0), gradient, 0.0)
        norm = np.linalg.norm(projected)
        if norm <= target:
            return x, True
        before = x
        for _ in range(_GP_STEPS):  # gradient projection: settle the active set
            curvature = projected @ matvec(projected)
            alpha = norm**2 / curvature if curvature > 0 else 1.0
            active = x == 0
            x, ax = _backtrack(matvec, x, ax, gradient, -gradient, alpha)
            gradient = ax - rhs
            projected = np.where((x > 0) | (gradient < 0), gradient, 0.0)
            norm = np.linalg.norm(projected)
            if norm <= target or np.array_equal(active, x == 0):
                break
        free = np.flatnonzero(x > 0)
        if free.size and norm > target:  # conjugate gradients on the free face

            def on_face(v, free=free):
                full = np.zeros(n)
                full[free] = np.ravel(v)
                return matvec(full)[free]

            step, _ = cg(_operator(on_face, free.size), -gradient[free],
                         rtol=min(0.1, norm / target * _NN_RTOL), atol=0.5 * target,
                         maxiter=_CG_MAXITER, M=_jacobi(diagonal[free]))
            direction = np.zeros(n)
            direction[free] = step
            if (x[free] + step >= 0).all():  # an unconstrained CG step on the face descends
                x = x + direction
                ax = matvec(x)
            else:
                x, ax = _backtrack(matvec, x, ax, gradient, direction, 1.0)
        if np.array_equal(x, before):
            break
    gradient = ax - rhs
    projected = np.where((x > 0) | (gradient < 0), gradient, 0.0)
    return x, bool(np.linalg.norm(projected) <= target)


def _nonnegative(system, n_rows: int, matvec, diagonal: np.ndarray, rhs: np.ndarray,
                 start: np.ndarray) -> np.ndarray:
    """``argmin (y^ - S b)' W^-1 (y^ - S b)`` over ``b >= 0`` for one period.

    When the weighted system ``system() = (W^-1/2 S, W^-1/2 y^)`` has at most
    ``_DENSE_NNLS_LIMIT`` entries it is solved exactly by bounded-variable
    least squares; larger problems use :func:`_bounded_cg` on the normal
    equations (``matvec``, ``rhs``), started from ``start``.
    """
    if n_rows * len(diagonal) <= _DENSE_NNLS_LIMIT:
        weighted_s, weighted_y = system()
        fit = lsq_linear(weighted_s, weighted_y, bounds=(0.0, np.inf), method="bvls",
                         tol=1e-12)
        solution, converged = fit.x, fit.status > 0
    else:
        with _one_blas_thread():
            solution, converged = _bounded_cg(matvec, diagonal, rhs, start)
    if not converged:
        warnings.warn("the non-negative projection stopped at its iteration limit; the "
                      "result is non-negative and coherent but may not be optimal",
                      RuntimeWarning, stacklevel=3)
    return np.maximum(solution, 0.0)


def _interval_columns(columns: Sequence[str], value: str) -> list[str]:
    prefix = "" if value == "mean" else f"{re.escape(value)}_"
    pattern = re.compile(rf"^{prefix}(lo|hi)_.+$")
    return [c for c in columns if isinstance(c, str) and pattern.match(c)]


# ---- reconcile ----------------------------------------------------------------------------
def reconcile(forecasts: pd.DataFrame, hierarchy: Hierarchy, *, method: str = "mint_shrink",
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
    method : {"mint_shrink", "wls_var", "wls_struct", "ols", "bottom_up", "top_down"}
        ``bottom_up``: the bottom-cell forecasts, summed. ``top_down``: the
        grand-total forecast split by forecast proportions (Athanasopoulos,
        Ahmed & Hyndman 2009); a crossed hierarchy has no unique path from a
        cell to the top, so the proportions are those of each bottom cell's
        base forecast in the sum of all bottom forecasts (needs non-negative
        bottom forecasts with a positive sum). The rest are the MinT family
        (Wickramasuriya, Athanasopoulos & Hyndman 2019) with ``W = I``
        (``ols``), ``diag(S 1)`` (``wls_struct``), the per-node mean squared
        residual (``wls_var``) or the shrunk covariance of the residuals
        (``mint_shrink``; dense, so at most :data:`MAX_DENSE_NODES` nodes).
    residuals : pandas.DataFrame or numpy.ndarray, optional
        Needed by ``wls_var`` and ``mint_shrink`` (ignored otherwise):
        in-sample or backtest residuals (actual minus forecast) of every
        node, a long table with the node columns, ``time`` and ``residual``
        (one row per node and period; rows of the same period are paired
        for the covariance), or an array (n_obs, n_nodes) in the order of
        ``hierarchy.nodes``. Residuals are taken as mean zero (variances are
        mean squares, as in ``hts``/``fabletools``); ``wls_var`` uses every
        residual of a node, ``mint_shrink`` only periods where all nodes
        have one (at least 2).
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
        _mean_squares(complete, hierarchy)
        weights, shrinkage = _shrunk_covariance(complete)
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
            return _nonnegative(lambda: (weighted_s, weighted_y[:, t]), hierarchy.n_nodes,
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
        matvec, diagonal, transposed = _normal_operator(summing, inverse)
        rhs = transposed @ (inverse[:, None] * base)
        bottom = _solve_diagonal(matvec, diagonal, rhs, bottom_base)
        root = np.sqrt(inverse)

        def solve_nonnegative(t):
            return _nonnegative(lambda: ((sparse.diags(root) @ summing).toarray(),
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
