"""GapForecaster: demand, supply and the skill gap per cell, with joint uncertainty.

The gap of a cell is ``demand - supply`` (positive = shortage). Demand (the
estimated skill-shortage vacancies) and supply (certified workers becoming
available) are forecast separately per cell by clones of one forecaster;
certified workers already in the training pipeline enter as *known* future
supply. Uncertainty comes from sample paths, never from subtracting
interval bounds:

1. Rolling-origin backtests of both inner models give errors
   ``actual - forecast`` per cell, origin and step (``cv_errors``).
2. Each error is divided by its series' scale (the MASE denominator,
   :func:`~talentgap.models._conformal.series_scale`); the demand and supply
   errors of the same cell and origin form one *pair*, and pairs are pooled
   over all cells, like the conformal intervals of the inner forecasters.
3. A sample path of cell ``c`` draws one pair from the pool and adds its
   error vectors, multiplied back by ``c``'s own demand and supply scales, to
   ``c``'s point forecasts over the whole horizon. The demand and supply
   errors of one draw come from the same cell and origin, so their
   correlation (a boom raising demand and training intake together, say) and
   the dependence across horizon steps are kept. Samples are clipped at 0
   (both are counts) and ``gap_k = demand_k - supply_k``.

One predictive distribution serves every number: the reported ``demand``,
``supply`` and ``gap`` are the means of the paths, ``gap_median`` their
median, quantiles of the ``gap_k`` give ``gap_lo_<level>``/``gap_hi_<level>``,
``p_shortage`` is the share of paths with ``gap_k > 0``, and plans drawn from
:meth:`GapForecaster.sample_paths` use the same paths. This is a residual
(bootstrap) version of split-conformal prediction (Vovk, Gammerman & Shafer
2005); drawing whole error vectors from past origins follows the
"empirical error paths" of Hyndman & Athanasopoulos, *Forecasting: Principles
and Practice*, 3rd ed., section 5.5 (bootstrapped residuals), applied to
backtest errors so that every horizon gets errors of its own distance.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, clone

from talentgap._arguments import check_horizon, check_levels
from talentgap._keys import series_codes
from talentgap._registry import register, register_dataclass
from talentgap.errors import (
    NotFittedError,
    ParameterError,
    SchemaError,
    collect_warnings,
    warn,
)
from talentgap.features.hierarchy import Hierarchy
from talentgap.models._gap_paths import path_blocks, simulate
from talentgap.models._saving import SaveMixin
from talentgap.models.auto import AutoForecaster
from talentgap.models.base import BaseForecaster
from talentgap.models.gap_flags import (
    FALLING_SUPPLY,
    FLAGS,
    PERSISTENT_PERIODS,
    RISING_DEMAND,
    THIN_MISSING_SHARE,
    THIN_RESPONDENTS,
    gap_flags,
)
from talentgap.models.paths import SamplePaths
from talentgap.models.reconciliation import METHODS as RECONCILE_METHODS
from talentgap.periods import period_ordinals

__all__ = [
    "GapForecaster",
    "FLAGS",
    "RISING_DEMAND",
    "FALLING_SUPPLY",
    "PERSISTENT_PERIODS",
    "THIN_RESPONDENTS",
    "THIN_MISSING_SHARE",
]

logger = logging.getLogger(__name__)


@register_dataclass("GapSide")
@dataclass(frozen=True)
class _Side:
    """The fitted model of one quantity (demand or supply) and how its series map to cells.

    ``rows[i]`` is the cell (row of ``cells_``) of the model's series ``i``, or -1
    for a hierarchy node above the cells. ``lag[i]`` is the number of periods
    between the series' last observation and the forecast origin.
    """

    model: BaseForecaster | None
    rows: np.ndarray
    lag: np.ndarray
    node: np.ndarray | None = None  # hierarchy node of each series (with a hierarchy)


@register("GapForecaster", kind="gap")
class GapForecaster(SaveMixin, BaseEstimator):
    """Forecast demand, supply and the skill gap per cell, with joint sample paths.

    Parameters
    ----------
    forecaster : BaseForecaster, optional
        Unfitted forecaster cloned once for demand and once for supply; default
        :class:`~talentgap.models.AutoForecaster`. A clone whose
        ``nonnegative`` is None is fitted with ``nonnegative=True``: demand and
        supply are counts (design-weighted totals are not whole numbers, so the
        automatic count detection would not see it). Its ``n_windows`` rolling
        origins give the backtest errors behind the sample paths.
    hierarchy : talentgap.models.reconciliation.Hierarchy or mapping, optional
        Reconcile the mean demand and supply forecasts over this crossed
        hierarchy (see below). A mapping ``{key: grouping}`` is passed to
        ``Hierarchy.from_mappings(panel, hierarchy, keys=keys)`` at fit.
    reconcile : str, default "mint_shrink"
        Method of :func:`talentgap.models.reconciliation.reconcile` (used only with
        a hierarchy): ``"mint_shrink"``, ``"wls_var"``, ``"wls_struct"``,
        ``"ols"``, ``"bottom_up"`` or ``"top_down"``.
    n_samples : int, default 1000
        Sample paths per cell.
    random_state : int, numpy.random.Generator or None, default 0
        Seeds :func:`numpy.random.default_rng`; the same int gives the same
        paths. One seed is drawn from it at ``fit``, so ``predict`` and
        :meth:`sample_paths` of a fitted model always use the same paths.
    keys : sequence of str, default ("region", "industry")
        Columns of the panel defining a cell.
    time : str, default "period"
        Period column of the panel.

    Attributes
    ----------
    cells_ : pandas.DataFrame
        The cells (key columns), in output order.
    origin_ : pandas.Period
        The forecast origin: the last period with an observed demand in any
        cell. Forecasts are for ``origin_ + 1, ..., origin_ + horizon``.
    demand_model_, supply_model_ : BaseForecaster or None
        The fitted inner forecasters (None when no cell has data).
    fitted_summary_ : pandas.DataFrame
        Per cell: ``demand_model``/``supply_model`` (the inner forecasters'
        ``model`` column, e.g. ``"ets 0.33 + theta 0.33 + drift 0.33"``),
        ``demand_n_obs``/``supply_n_obs``, the inner fallback reasons
        ``demand_fallback``/``supply_fallback``, and ``fallback_reason`` for
        cells this estimator handled itself (no demand or no supply data).
    seed_ : int
        Seed of the sample paths.

    Notes
    -----
    **Missing data.** Each quantity's series runs from its first to its last
    observed period (inner gaps are interpolated by the inner forecaster). A
    cell whose demand is never observed gets no forecast: NaN demand, gap,
    bounds and ``p_shortage``, the flag ``no_demand_data`` and a
    ``fallback_reason``. A cell whose supply is never observed (no training
    output reaches it) gets supply 0 without uncertainty, except where
    ``future_supply`` knows better, and the flag ``no_supply_data``. A series
    ending before the origin is forecast from its own end and the steps past
    the origin are used.

    **Known supply.** ``fit(panel, future_supply=...)`` takes certified
    workers already in the pipeline (e.g. :func:`talentgap.features.
    training_supply` of cohorts in training, whose output arrives after the
    origin). For those cell-periods the supply *is* the given value in every
    path: its forecast and its uncertainty are not used.

    **Flags** (per output row; codes joined by ``";"``, empty when none):

    ``rising_demand``
        Demand over the year (``m`` periods, ``m`` the season length) ending
        at the row's period, forecasts filling in after the origin, exceeds
        demand over the last observed year by more than
        :data:`RISING_DEMAND` (10%). Comparing whole years keeps seasonal
        swings from raising the flag.
    ``falling_supply``
        The same for supply falling by more than :data:`FALLING_SUPPLY` (10%).
    ``persistent_gap``
        The observed gap was > 0 in each of the last
        :data:`PERSISTENT_PERIODS` (4) periods and the forecast gap is > 0.
    ``thin_data``
        Over the last ``max(2m, 4)`` periods, fewer than
        :data:`THIN_RESPONDENTS` (3) respondents per period on average
        (``n_respondents``, when the panel has it) or more than
        :data:`THIN_MISSING_SHARE` (25%) of periods without a demand estimate.
    ``no_demand_data``, ``no_supply_data``
        As under *Missing data*.

    **One distribution.** ``predict``'s ``demand``, ``supply`` and ``gap``
    are the means of the sample paths (``sample_paths(h).to_frame().groupby([*keys,
    time]).mean()`` gives them to rounding), not the inner models' point
    forecasts on which the paths are centred. They differ from those by the
    mean of the drawn scaled errors (the backtests' bias) and by clipping
    at 0, which raises the mean of counts near 0. Being sample means they
    carry Monte Carlo error (about ``sd / sqrt(n_samples)``) and move a
    little with ``random_state``. ``gap_median`` is the paths' median.
    Intervals are the paths' equal-tailed quantiles, not widened: for skewed
    paths (small counts clipped at 0) a narrow interval may not contain the
    mean, while it always contains the median. A plan against the forecast
    table's ``gap`` minimises shortfall against ``max(E[g], 0)``; a plan
    against the sample paths against ``E[max(g, 0)]``. The two agree for a
    cell whose paths all lie on one side of 0 and otherwise the paths'
    expected shortfall is the larger (Jensen's inequality).

    **Hierarchy.** With ``hierarchy``, demand and supply are summed to every
    node of the crossed hierarchy (a node is NaN in a period where any of its
    cells is), the inner forecaster is fitted to every node, and the mean
    forecasts of all nodes are reconciled per quantity with
    :func:`talentgap.models.reconciliation.reconcile` (``nonnegative=True``).
    ``wls_var`` takes its variances from the nodes' backtest errors of every
    forecast step pooled, ``mint_shrink`` its shrunk covariance from the
    one-step errors. On ``make_synthetic`` truth over 40 seeds
    (``benchmarks/reconcile_accuracy.py``), pooled ``wls_var`` changed the
    cells' MASE by -1.3% on average (worst seed +4.1%) against -0.2% (worst
    +6.9%) for one-step ``mint_shrink``; ``reconcile="wls_var"`` is the better
    choice on such data. The cells' reconciled means replace their base
    forecasts, and the sample paths are centred on them (errors as without
    a hierarchy). Output stays at the cell level; the path centres add up
    to the reconciled totals, the reported means (see *One distribution*)
    only up to the cells' mean errors and clipping. Every node needs
    observed demand and supply.

    **Limits.** Paths are drawn independently for each cell, so they keep the
    correlation of demand with supply within a cell but not correlation
    across cells: sums of paths over cells understate the uncertainty of a
    total when cells share shocks. Pooled scaled errors assume the cells'
    errors are alike after scaling.

    Examples
    --------
    >>> import talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=16, seed=0)
    >>> panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    >>> gap = GapForecaster(forecaster=tg.models.Drift(), n_samples=200).fit(panel)
    >>> out = gap.predict(2, level=[80])
    >>> list(out.columns[:10])
    ['region', 'industry', 'period', 'demand', 'supply', 'gap', 'gap_lo_80', 'gap_hi_80',
     'p_shortage', 'flag']
    >>> len(out), bool((out["gap_lo_80"] <= out["gap_hi_80"]).all())
    (8, True)
    >>> paths = gap.sample_paths(2)
    >>> paths
    SamplePaths(4 cells x 2 periods x 200 samples, keys ['region', 'industry'], 2023Q1..2023Q2)
    >>> list(paths.to_frame().columns), len(paths)
    (['region', 'industry', 'period', 'sample', 'demand', 'supply', 'gap'], 1600)
    >>> one = gap.predict(2, level=[80], cells=out[["region", "industry"]].iloc[[2]])
    >>> len(one), bool(one["gap"].equals(out["gap"].iloc[2:4].reset_index(drop=True)))
    (2, True)
    """

    #: The sample-path cache (``_simulation``) and the cell lookup of ``predict(cells=...)``
    #: are derived from the fitted state and never saved: an artifact does not depend on the
    #: calls made before ``save``.
    _transient_attributes = ("_cache", "_lookup")

    def __init__(self, *, forecaster: BaseForecaster | None = None, hierarchy=None,
                 reconcile: str = "mint_shrink", n_samples: int = 1000, random_state=0,
                 keys: Sequence[str] = ("region", "industry"), time: str = "period") -> None:
        self.forecaster = forecaster
        self.hierarchy = hierarchy
        self.reconcile = reconcile
        self.n_samples = n_samples
        self.random_state = random_state
        self.keys = keys
        self.time = time

    # ---- parameters ------------------------------------------------------------------------
    def _check_params(self) -> list[str]:
        keys = self.keys
        if isinstance(keys, str) or not all(isinstance(k, str) for k in keys) or not keys:
            raise ParameterError(f"keys == {keys!r}, must be a non-empty sequence of column "
                                 "names, e.g. ('region', 'industry')")
        keys = list(keys)
        if len(set(keys)) != len(keys) or self.time in keys:
            raise ParameterError(f"keys {keys} and time {self.time!r} must be distinct columns")
        if (isinstance(self.n_samples, bool) or not isinstance(self.n_samples, (int, np.integer))
                or self.n_samples < 1):
            raise ParameterError(f"n_samples == {self.n_samples!r}, must be an integer >= 1 "
                                 "(e.g. 1000)")
        if self.forecaster is not None and not isinstance(self.forecaster, BaseForecaster):
            raise ParameterError(
                f"forecaster must be a talentgap forecaster (e.g. AutoForecaster(), ETS()), "
                f"got {type(self.forecaster).__name__}: the gap's sample paths need its "
                "rolling-origin backtests")
        if self.hierarchy is not None:
            if self.reconcile not in RECONCILE_METHODS:
                raise ParameterError(f"reconcile == {self.reconcile!r}, must be one of "
                                     f"{list(RECONCILE_METHODS)}")
            if not isinstance(self.hierarchy, (Hierarchy, Mapping)):
                raise ParameterError("hierarchy must be a Hierarchy (Hierarchy.from_mappings"
                                     "(...)) or a mapping {key: grouping}")
        return keys

    def _inner(self) -> BaseForecaster:
        if self.forecaster is None:
            model = AutoForecaster()
        else:
            model = clone(self.forecaster)
        if model.get_params().get("nonnegative", False) is None:
            model.set_params(nonnegative=True)  # demand and supply are counts
        if int(model.get_params().get("n_windows", 0)) < 1:
            raise ParameterError("the forecaster's n_windows == 0: the gap's sample paths "
                                 "need its rolling-origin backtest errors; use n_windows >= 1")
        return model

    # ---- fit -------------------------------------------------------------------------------
    def fit(self, panel: pd.DataFrame, *, future_supply: pd.DataFrame | None = None):
        """Fit the demand and supply forecasters to a cell x period panel.

        Parameters
        ----------
        panel : pandas.DataFrame
            Long table with the ``keys``, ``time``, ``demand`` and ``supply``
            columns (e.g. :func:`talentgap.features.build_panel` output; its
            ``n_respondents`` column is used for the ``thin_data`` flag). NaN
            means not observed. Rows after the forecast origin (the last
            period with an observed demand) are not used.
        future_supply : pandas.DataFrame, optional
            Supply already in the pipeline: ``<keys...>, <time>, supply`` for
            cell-periods after the origin (rows at or before the origin are
            ignored). These values replace the supply forecast, with no
            uncertainty, wherever a prediction reaches them.

        Returns
        -------
        self

        Raises
        ------
        SchemaError
            A column is missing, a cell-period repeats, periods are unusable,
            no demand is observed, or ``future_supply`` has missing, negative
            or repeated values.
        ParameterError
            A parameter is out of range.
        """
        keys = self._check_params()
        time = self.time
        table, codes, ordinal, freq, cells = self._panel_table(panel, keys)
        self.cells_ = cells
        n_cells = len(cells)
        demand = table["demand"].to_numpy(dtype=np.float64, na_value=np.nan)
        supply = table["supply"].to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isnan(demand).all():
            raise SchemaError("column 'demand' has no observed value", column="demand",
                              reason="missing_value")
        origin = int(ordinal[~np.isnan(demand)].max())
        first = int(ordinal.min())
        inside = ordinal <= origin
        width = origin - first + 1
        position = codes * width + (ordinal - first)

        def matrix(values: np.ndarray) -> np.ndarray:
            out = np.full(n_cells * width, np.nan)
            out[position[inside]] = values[inside]
            return out.reshape(n_cells, width)

        history = {"demand": matrix(demand), "supply": matrix(supply)}
        if "n_respondents" in table.columns:
            respondents = table["n_respondents"].to_numpy(dtype=np.float64, na_value=np.nan)
            history["n_respondents"] = np.nan_to_num(matrix(respondents), nan=0.0)
        self.history_ = history
        self.freq_ = freq
        self.origin_ = pd.PeriodIndex.from_ordinals([origin], freq=freq)[0]
        self._origin = origin

        work = table.loc[inside, [*keys]].copy()
        work[time] = pd.PeriodIndex.from_ordinals(ordinal[inside], freq=freq)
        work["demand"] = demand[inside]
        work["supply"] = supply[inside]
        work_codes = codes[inside]

        hierarchy, bottom_of_cell = self._resolve_hierarchy(cells, keys)
        if hierarchy is None:
            self.demand_ = self._fit_side(work, work_codes, "demand", keys)
            self.supply_ = self._fit_side(work, work_codes, "supply", keys)
        else:
            self.demand_ = self._fit_nodes(history["demand"], "demand", hierarchy,
                                          bottom_of_cell, first)
            self.supply_ = self._fit_nodes(history["supply"], "supply", hierarchy,
                                          bottom_of_cell, first)
        self.hierarchy_ = hierarchy
        self.demand_model_ = self.demand_.model
        self.supply_model_ = self.supply_.model
        self.known_supply_ = self._known_supply(future_supply, keys)
        self.seed_ = int(np.random.default_rng(self.random_state).integers(2**62))
        self.fitted_summary_ = self._summary()
        return self

    def _panel_table(self, panel: pd.DataFrame, keys: list[str]):
        """Check the panel; each row's cell code, period ordinal, the frequency and the cells."""
        if not isinstance(panel, pd.DataFrame):
            raise ParameterError(f"panel must be a pandas DataFrame, got {type(panel).__name__}")
        needed = [*keys, self.time, "demand", "supply"]
        missing = [c for c in needed if c not in panel.columns]
        if missing:
            raise SchemaError(f"the panel lacks the columns {missing}; GapForecaster needs "
                              f"{needed} (e.g. talentgap.features.build_panel output)",
                              column=missing[0], reason="missing_column")
        for column in ("demand", "supply"):
            dtype = panel[column].dtype
            if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
                raise SchemaError(f"column {column!r} must be numeric, got {dtype}",
                                  column=column, reason="dtype")
        if panel.empty:
            raise SchemaError("the panel has no rows", column=None, reason="empty")
        ordinal, freq = period_ordinals(panel, self.time)
        codes, cells = series_codes(panel, keys)
        width = int(ordinal.max() - ordinal.min() + 1)
        flat = codes * width + (ordinal - ordinal.min())
        if np.unique(flat).size != flat.size:
            raise SchemaError(f"repeated ({', '.join([*keys, self.time])}) rows: the panel "
                              "needs one row per cell and period", column=self.time,
                              reason="duplicate_key")
        return panel, codes, ordinal, freq, cells

    def _fit_side(self, work: pd.DataFrame, codes: np.ndarray, target: str,
                  keys: list[str]) -> _Side:
        """Fit a clone to the cells with at least one observed ``target`` value."""
        observed = ~np.isnan(work[target].to_numpy())
        with_data = np.unique(codes[observed])
        if with_data.size == 0:
            return _Side(model=None, rows=np.zeros(0, dtype=np.int64),
                         lag=np.zeros(0, dtype=np.int64))
        rows = np.isin(codes, with_data)
        model = self._inner().fit(work.loc[rows, [*keys, self.time, target]], target=target,
                                  time=self.time, keys=keys)
        return _Side(model=model, rows=self._cell_rows(model.arrays_.ids, keys),
                     lag=(self._origin - model.arrays_.last_period).astype(np.int64))

    def _cell_rows(self, ids: pd.DataFrame, keys: list[str]) -> np.ndarray:
        """Row of ``cells_`` of each series of an inner model."""
        lookup = pd.MultiIndex.from_frame(self.cells_[keys].astype(object))
        return lookup.get_indexer(pd.MultiIndex.from_frame(ids[keys].astype(object))).astype(
            np.int64)

    # ---- hierarchy ---------------------------------------------------------------------------
    def _resolve_hierarchy(self, cells: pd.DataFrame, keys: list[str]):
        """The hierarchy over the cells and each cell's bottom position in it (None, None)."""
        if self.hierarchy is None:
            return None, None
        hierarchy = self.hierarchy
        if not isinstance(hierarchy, Hierarchy):
            hierarchy = Hierarchy.from_mappings(cells, dict(hierarchy), keys=keys)
        if list(hierarchy.keys) != keys:
            raise ParameterError(f"the hierarchy's keys {list(hierarchy.keys)} differ from "
                                 f"keys {keys}")
        where = hierarchy.cell_positions(cells)
        if (where < 0).any() or hierarchy.n_bottom != len(cells):
            raise ParameterError(
                f"the hierarchy's bottom cells ({hierarchy.n_bottom}) are not the panel's "
                f"cells ({len(cells)}); {int((where < 0).sum())} panel cells are not in it. "
                "Build it from the panel: Hierarchy.from_mappings(panel, levels)")
        return hierarchy, where

    def _fit_nodes(self, values: np.ndarray, target: str, hierarchy, bottom_of_cell: np.ndarray,
                   first: int) -> _Side:
        """Fit a clone to ``target`` summed to every node (NaN where any cell is NaN)."""
        n_bottom = hierarchy.n_bottom
        bottom = np.full((n_bottom, values.shape[1]), np.nan)
        bottom[bottom_of_cell] = values
        totals = hierarchy.sum_to_nodes(bottom)
        empty = np.flatnonzero(np.isnan(totals).all(axis=1))
        if empty.size:
            raise ParameterError(
                f"reconciliation needs {target} at every node of the hierarchy, but "
                f"{empty.size} nodes have no period with {target} observed in all their "
                f"cells, e.g. {hierarchy.node_examples(empty)}")
        n_nodes, width = totals.shape
        frame = hierarchy.nodes[hierarchy.node_columns].iloc[
            np.repeat(np.arange(n_nodes), width)].reset_index(drop=True)
        frame[self.time] = pd.PeriodIndex.from_ordinals(
            np.tile(first + np.arange(width), n_nodes), freq=self.freq_)
        frame[target] = totals.ravel()
        model = self._inner().fit(frame, target=target, time=self.time,
                                  keys=hierarchy.node_columns)
        node = hierarchy.node_positions(model.arrays_.ids, what="the fitted series")
        cell_of_bottom = np.full(n_bottom, -1, dtype=np.int64)
        cell_of_bottom[bottom_of_cell] = np.arange(len(bottom_of_cell))
        rows = np.where(node < n_bottom, cell_of_bottom[np.minimum(node, n_bottom - 1)], -1)
        return _Side(model=model, rows=rows.astype(np.int64),
                     lag=(self._origin - model.arrays_.last_period).astype(np.int64),
                     node=node.astype(np.int64))

    # ---- known supply ----------------------------------------------------------------------
    def _known_supply(self, future: pd.DataFrame | None, keys: list[str]):
        """Known supply as (cell, step, value) arrays; step 1 is the period after the origin."""
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
        if future is None:
            return empty
        if not isinstance(future, pd.DataFrame):
            raise ParameterError("future_supply must be a DataFrame with columns "
                                 f"{[*keys, self.time, 'supply']}")
        needed = [*keys, self.time, "supply"]
        missing = [c for c in needed if c not in future.columns]
        if missing:
            raise SchemaError(f"future_supply lacks the columns {missing}; it needs {needed}",
                              column=missing[0], reason="missing_column")
        if future.empty:
            return empty
        values = future["supply"].to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            rows = future.loc[bad, needed].head(5).astype(str).to_dict("records")
            raise SchemaError(f"future_supply['supply'] must be finite and >= 0; "
                              f"{int(bad.sum())} rows fail, e.g. {rows}", column="supply",
                              reason="invalid_value")
        ordinal, freq = period_ordinals(future, self.time)
        if freq != self.freq_:
            raise SchemaError(f"future_supply periods have frequency {freq}, the panel "
                              f"{self.freq_}", column=self.time, reason="bad_period")
        lookup = pd.MultiIndex.from_frame(self.cells_[keys].astype(object))
        cell = lookup.get_indexer(pd.MultiIndex.from_frame(future[keys].astype(object)))
        step = ordinal - self._origin
        unknown = cell < 0
        if unknown.any():
            examples = future.loc[unknown, keys].drop_duplicates().head(3)
            warn(f"future_supply has {int(unknown.sum())} rows for cells not in the panel, "
                 f"e.g. {examples.astype(str).to_dict('records')}; they are ignored",
                 stacklevel=3)
        keep = ~unknown & (step >= 1)
        cell, step, values = cell[keep].astype(np.int64), step[keep].astype(np.int64), values[
            keep]
        flat = cell * (int(step.max(initial=0)) + 1) + step
        if np.unique(flat).size != flat.size:
            raise SchemaError(f"future_supply has repeated ({', '.join(needed[:-1])}) rows; "
                              "pass one known supply per cell and period",
                              column=self.time, reason="duplicate_key")
        return cell, step, values

    # ---- forecasts and sample paths ----------------------------------------------------------
    def _check_fitted(self, call: str) -> None:
        if not hasattr(self, "seed_"):
            raise NotFittedError(f"this GapForecaster is not fitted yet; call fit(panel) "
                                 f"before {call}()")

    def _threads(self) -> int:
        """Threads that draw and summarise the sample paths: the forecaster's ``n_jobs``."""
        n_jobs = None if self.forecaster is None else self.forecaster.get_params().get("n_jobs")
        return max(1, int(effective_n_jobs(n_jobs)))

    def _simulation(self, horizon: int) -> dict:
        """Everything the sample paths need for ``horizon`` steps (see ``_transient_attributes``).

        Kept for the last horizon asked only (paths are large). The cache is
        replaced in one assignment, so concurrent calls at worst compute it twice.
        """
        cached = self.__dict__.get("_cache")
        if cached is not None and cached[0] == horizon:
            return cached[1]
        simulation = simulate(self, horizon)
        self._cache = (horizon, simulation)
        return simulation

    def predict(self, horizon: int, level: Sequence[float] | None = (80,), *,
                cells: pd.DataFrame | None = None) -> pd.DataFrame:
        """Forecast demand, supply and gap per cell for ``horizon`` periods after the origin.

        Parameters
        ----------
        horizon : int
            Periods ahead (>= 1).
        level : sequence of float, default (80,)
            Interval coverage levels in percent, e.g. ``[80, 95]``.
        cells : pandas.DataFrame, optional
            Forecast only these cells: a table with the ``keys`` columns (other
            columns are ignored), one row per wanted cell, output in its row
            order. Each cell's numbers are the same as in the full forecast;
            after the first call for a horizon the cost is proportional to the
            number of cells asked for (what a service answering one cell needs).

        Returns
        -------
        pandas.DataFrame
            One row per cell and period, ordered by cell then period:
            ``<keys...>, <time>, demand, supply, gap`` (the means of the
            sample paths of :meth:`sample_paths`, so ``gap = demand -
            supply``; known supply exactly where given), per level
            ``gap_lo_<level>, gap_hi_<level>`` (equal-tailed quantiles of the
            same gap paths), ``p_shortage`` (share of those paths with
            gap > 0, on 0-1), ``flag`` (reason codes, see the class notes),
            ``gap_median`` (median of the gap paths) and per level
            ``demand_lo_<level>``, ``demand_hi_<level>``,
            ``supply_lo_<level>``, ``supply_hi_<level>`` (quantiles of the
            demand and supply paths). Intervals are quantiles and are not
            widened to contain the mean: when the paths are skewed (near 0,
            where they are clipped) a mean can fall outside a narrow
            interval, as it can for any skewed distribution.
            Units are those of the panel (persons).

        Raises
        ------
        NotFittedError
            If ``fit`` has not been called.
        ParameterError
            For a bad horizon or level, series too short for backtests, or
            ``cells`` naming a cell the model was not fitted to.

        Notes
        -----
        The paths are float32 (as :meth:`sample_paths`); means are summed in
        float64 and quantiles interpolated linearly between the sorted
        paths (numpy's default), so they agree with the float64 quantiles of
        the same paths to float32 rounding (about 1e-7 relative). The
        simulation inputs of a horizon (inner forecasts, backtest errors and
        the draws) are computed once and kept, not saved, for the last
        horizon asked; the paths themselves are drawn a block of cells at a
        time and never kept.
        """
        self._check_fitted("predict")
        horizon = check_horizon(horizon)
        levels = check_levels(level)
        rows = None if cells is None else self._rows_of(cells)
        sim = self._simulation(horizon)
        self._warn_small_pool(sim["pool_size"], levels)
        index = np.arange(len(self.cells_)) if rows is None else rows
        out = self.cells_.iloc[np.repeat(index, horizon)].reset_index(drop=True)
        out[self.time] = pd.PeriodIndex.from_ordinals(
            np.tile(self._origin + 1 + np.arange(horizon), index.size), freq=self.freq_)
        for name, values in self._row_columns(sim, levels, rows).items():
            out[name] = values
        return out

    def prepare(self, horizon: int) -> None:
        """Compute and keep the simulation inputs of ``horizon`` before the first forecast.

        :meth:`predict`, :meth:`predict_rows`, :meth:`sample_paths` and
        :meth:`explain` compute them on their first call for a horizon (inner
        forecasts, backtest errors and the draws) and keep them, never saved,
        for the last horizon asked. A service calls this when it loads a
        model, so that its first request is as fast as the later ones.

        Parameters
        ----------
        horizon : int
            Periods ahead (>= 1).

        Raises
        ------
        NotFittedError
            If ``fit`` has not been called.
        ParameterError
            For a bad horizon, or series too short for backtests.

        Examples
        --------
        >>> import talentgap as tg
        >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
        >>> panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
        >>> gap = GapForecaster(forecaster=tg.models.Naive(), n_samples=50).fit(panel)
        >>> gap.prepared(3), gap.prepare(3), gap.prepared(3), gap.prepared(4)
        (False, None, True, False)
        """
        self._check_fitted("prepare")
        self._simulation(check_horizon(horizon))

    def prepared(self, horizon: int) -> bool:
        """Whether the simulation inputs of ``horizon`` are kept (see :meth:`prepare`).

        Parameters
        ----------
        horizon : int
            Periods ahead.

        Returns
        -------
        bool
            True when a forecast for ``horizon`` starts from kept inputs.
        """
        cached = self.__dict__.get("_cache")
        return cached is not None and cached[0] == horizon

    def predict_rows(self, horizon: int, level: Sequence[float] | None = (80,), *,
                     rows: Sequence[int] | np.ndarray | None = None) -> dict[str, np.ndarray]:
        """The numbers of :meth:`predict` for cells given by position, as arrays.

        For callers that answer a few cells at a time and build their own
        output (a web service writing JSON): no table is built, and after the
        first call for a horizon the cost is proportional to the number of
        cells asked for. The values are exactly those of :meth:`predict` for
        the same cells.

        Parameters
        ----------
        horizon : int
            Periods ahead (>= 1).
        level : sequence of float, default (80,)
            Interval coverage levels in percent, e.g. ``[80, 95]``.
        rows : sequence of int, optional
            Positions of the wanted cells in :attr:`cells_` (0-based, repeats
            allowed), in the order wanted; default every cell.

        Returns
        -------
        dict of str to numpy.ndarray
            The columns of :meth:`predict` after the keys and the time
            column, in its order (``demand``, ``supply``, ``gap``, the gap
            bounds per level, ``p_shortage``, ``flag``, ``gap_median``, the
            demand and supply bounds per level), each of length ``len(rows)
            * horizon``, ordered by cell then period.

        Raises
        ------
        NotFittedError
            If ``fit`` has not been called.
        ParameterError
            For a bad horizon or level, or a position outside ``cells_``.

        Examples
        --------
        >>> import talentgap as tg
        >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
        >>> panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
        >>> gap = GapForecaster(forecaster=tg.models.Naive(), n_samples=50).fit(panel)
        >>> columns = gap.predict_rows(2, level=[80], rows=[3, 1])
        >>> list(columns)[:6], columns["gap"].shape
        (['demand', 'supply', 'gap', 'gap_lo_80', 'gap_hi_80', 'p_shortage'], (4,))
        >>> full = gap.predict(2, level=[80])
        >>> bool((columns["gap"][:2] == full["gap"].to_numpy()[6:8]).all())
        True
        """
        self._check_fitted("predict_rows")
        horizon = check_horizon(horizon)
        levels = check_levels(level)
        if rows is not None:
            rows = np.asarray(rows)
            n = len(self.cells_)
            if rows.ndim != 1 or (rows.size and rows.dtype.kind not in "iu"):
                raise ParameterError(f"rows must be a 1-D sequence of integer positions in "
                                     f"cells_, got shape {rows.shape} of {rows.dtype}")
            rows = rows.astype(np.int64)
            outside = (rows < 0) | (rows >= n)
            if outside.any():
                raise ParameterError(f"rows has {int(outside.sum())} positions outside cells_ "
                                     f"(0..{n - 1}), e.g. {rows[outside][:3].tolist()}")
        sim = self._simulation(horizon)
        self._warn_small_pool(sim["pool_size"], levels)
        return self._row_columns(sim, levels, rows)

    def _row_columns(self, sim: dict, levels: list[float],
                     rows: np.ndarray | None) -> dict[str, np.ndarray]:
        """The columns of ``predict`` after the keys and time (see :meth:`predict_rows`)."""
        means, bounds, median, p_shortage = self._path_statistics(sim, levels, rows)

        def bound(name: str, k: int, side: int) -> np.ndarray:
            return np.where(np.isnan(means[name]), np.nan, bounds[name][2 * k + side]).ravel()

        columns = {name: means[name].ravel() for name in ("demand", "supply", "gap")}
        for k, lv in enumerate(levels):
            columns[f"gap_lo_{lv:g}"] = bound("gap", k, 0)
            columns[f"gap_hi_{lv:g}"] = bound("gap", k, 1)
        columns["p_shortage"] = p_shortage.ravel()
        columns["flag"] = self._flags(means["demand"], means["supply"], means["gap"],
                                      rows).ravel()
        columns["gap_median"] = median.ravel()
        for name in ("demand", "supply"):
            for k, lv in enumerate(levels):
                columns[f"{name}_lo_{lv:g}"] = bound(name, k, 0)
                columns[f"{name}_hi_{lv:g}"] = bound(name, k, 1)
        return columns

    def _rows_of(self, cells: pd.DataFrame) -> np.ndarray:
        """Row of ``cells_`` of each row of ``cells`` (a table with the key columns)."""
        keys = list(self.keys)
        if not isinstance(cells, pd.DataFrame):
            raise ParameterError(f"cells must be a DataFrame with the key columns {keys}, "
                                 f"got {type(cells).__name__}")
        missing = [k for k in keys if k not in cells.columns]
        if missing:
            raise ParameterError(f"cells lacks the key columns {missing}; it needs {keys}")
        lookup = self.__dict__.get("_lookup")
        if lookup is None:  # derived from cells_, never saved (see _transient_attributes)
            lookup = pd.MultiIndex.from_frame(self.cells_[keys].astype(object))
            self._lookup = lookup
        rows = lookup.get_indexer(pd.MultiIndex.from_frame(cells[keys].astype(object)))
        unknown = rows < 0
        if unknown.any():
            examples = cells.loc[unknown, keys].head(3).astype(str).to_dict("records")
            raise ParameterError(f"cells has {int(unknown.sum())} rows for cells the model "
                                 f"was not fitted to, e.g. {examples}")
        return rows.astype(np.int64)

    def _path_statistics(self, sim: dict, levels: list[float], rows: np.ndarray | None = None,
                         *, means_only: bool = False):
        """Means, quantile bounds (2 per level), gap median and P(gap > 0) of the paths.

        With ``means_only`` nothing is sorted and median and bounds stay NaN.

        One pass over blocks of cells: each block's float32 paths are sorted
        along the sample axis once per quantity and every quantile is read off
        the sorted values (linear interpolation, numpy's default method).
        """
        horizon = sim["demand_mean"].shape[1]
        samples = sim["draws"].shape[1]
        index = np.arange(sim["draws"].shape[0]) if rows is None else rows
        n = index.size
        probs = [p for lv in levels for p in (0.5 - lv / 200.0, 0.5 + lv / 200.0)]
        names = ("demand", "supply", "gap")
        bounds = {name: np.full((len(probs), n, horizon), np.nan) for name in names}
        means = {name: np.full((n, horizon), np.nan) for name in ("demand", "supply")}
        median = np.full((n, horizon), np.nan)
        p_shortage = np.full((n, horizon), np.nan)
        # positions of the wanted quantiles in the sorted paths
        position = np.array([*probs, 0.5]) * (samples - 1)
        below = np.floor(position).astype(np.int64)
        above = np.minimum(below + 1, samples - 1)
        frac = position - below

        def read(sorted_paths: np.ndarray) -> np.ndarray:   # -> (n_probs + 1, block, h)
            lo = sorted_paths[:, :, below].astype(np.float64)
            hi = sorted_paths[:, :, above].astype(np.float64)
            return (lo + frac * (hi - lo)).transpose(2, 0, 1)

        def summarise(at: slice, block: np.ndarray, d: np.ndarray, s: np.ndarray) -> None:
            g = d - s
            means["demand"][at] = d.mean(axis=2, dtype=np.float64)
            means["supply"][at] = s.mean(axis=2, dtype=np.float64)
            p_shortage[at] = np.count_nonzero(g > 0, axis=2) / samples
            if means_only:
                return
            g.sort(axis=2)
            gap_q = read(g)
            median[at] = gap_q[-1]
            if probs:
                bounds["gap"][:, at] = gap_q[:-1]
                for name, paths in (("demand", d), ("supply", s)):
                    paths.sort(axis=2)
                    bounds[name][:, at] = read(paths)[:-1]

        # each block writes only its own rows: blocks run in threads (numpy releases the GIL)
        path_blocks(sim, index, threads=self._threads(), consume=summarise)
        # known supply is the same number in every path: report it exactly, not as an average
        means["supply"] = np.where(sim["known"][index], sim["supply_mean"][index],
                                   means["supply"])
        means["gap"] = means["demand"] - means["supply"]  # the gap paths' mean, to rounding
        p_shortage[np.isnan(means["demand"])] = np.nan
        median[np.isnan(means["gap"])] = np.nan
        return means, bounds, median, p_shortage

    @staticmethod
    def _warn_small_pool(pool_size: int, levels: list[float]) -> None:
        if not levels:
            return
        needed = int(np.ceil(2.0 / (1.0 - max(levels) / 100.0)))
        if pool_size < needed:
            warn(
                f"only {pool_size} (cell, origin) backtest error pairs for the sample paths; "
                f"{max(levels):g}% gap intervals need about {needed} to reach their tails and "
                "may be too narrow; use more cells, longer series or more n_windows",
                stacklevel=3)

    def sample_paths(self, horizon: int) -> SamplePaths:
        """The joint sample paths behind :meth:`predict`, as compact arrays.

        Parameters
        ----------
        horizon : int
            Periods ahead (>= 1).

        Returns
        -------
        SamplePaths
            ``cells`` (:attr:`cells_`), ``periods`` (the ``horizon`` periods
            after the origin) and float32 ``demand`` and ``supply`` arrays of
            shape (cells, periods, n_samples); the gap is computed when asked
            (``.gap()``). The same paths as ``predict`` (``p_shortage`` is the
            share of a cell-period's paths with ``gap > 0``). Path ``k`` of a
            cell is one draw over the whole horizon, so sums over periods keep
            the dependence between steps; paths of different cells are
            independent draws. Cells without demand data have NaN demand and
            gap. :func:`talentgap.planning.allocate_quotas` takes the object
            directly; ``.to_frame()`` gives the long table ``<keys...>,
            <time>, sample, demand, supply, gap`` (one row per cell, period and
            path, ordered by cell, period, then sample). At national scale
            (34,000 cells, 4 periods, 1,000 paths) the object holds 1.1 GB, the
            long table about 8 GB.

        Raises
        ------
        NotFittedError
            If ``fit`` has not been called.
        """
        self._check_fitted("sample_paths")
        horizon = check_horizon(horizon)
        n, samples = len(self.cells_), int(self.n_samples)
        demand = np.empty((n, horizon, samples), dtype=np.float32)
        supply = np.empty((n, horizon, samples), dtype=np.float32)
        path_blocks(self._simulation(horizon), out=(demand, supply), threads=self._threads(),
                    consume=lambda *block: None)  # each block is written into the arrays
        periods = pd.PeriodIndex.from_ordinals(self._origin + 1 + np.arange(horizon),
                                               freq=self.freq_)
        return SamplePaths(cells=self.cells_.reset_index(drop=True), periods=periods,
                           demand=demand, supply=supply, time=self.time)

    # ---- explanations ------------------------------------------------------------------------
    def explain(self, horizon: int) -> pd.DataFrame:
        """Why each cell's forecast is what it is: models, fallbacks, history and flags.

        Parameters
        ----------
        horizon : int
            Periods ahead (>= 1), as given to :meth:`predict`; ``flags``
            covers these periods.

        Returns
        -------
        pandas.DataFrame
            One row per cell, in the order of :attr:`cells_`:
            ``<keys...>``, ``demand_model`` and ``supply_model`` (what
            produced each forecast, with the combination weights, e.g.
            ``"ets 0.33 + theta 0.33 + naive 0.33"``; ``"none"`` without
            demand data, ``"zero"`` without supply data), ``demand_n_obs``
            and ``supply_n_obs`` (periods of history used), ``fallback_reason``
            (every fallback of the cell in words, ``"demand: ..."`` or
            ``"supply: ..."`` for the inner forecasters'; missing when there was
            none) and ``flags`` (the codes of :data:`FLAGS` raised in any of
            the ``horizon`` periods, joined by ``";"``; empty when none).

        Raises
        ------
        NotFittedError
            If ``fit`` has not been called.

        Examples
        --------
        >>> import talentgap as tg
        >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=16, seed=0)
        >>> panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
        >>> gap = GapForecaster(forecaster=tg.models.Drift(), n_samples=50).fit(panel)
        >>> why = gap.explain(2)
        >>> list(why.columns)
        ['region', 'industry', 'demand_model', 'supply_model', 'demand_n_obs', 'supply_n_obs',
         'fallback_reason', 'flags']
        >>> why["demand_model"].iloc[0], int(why["demand_n_obs"].iloc[0])
        ('Drift', 16)
        """
        self._check_fitted("explain")
        horizon = check_horizon(horizon)
        summary = self.fitted_summary_
        out = summary[list(self.keys)].reset_index(drop=True)
        for column in ("demand_model", "supply_model", "demand_n_obs", "supply_n_obs"):
            out[column] = summary[column].to_numpy()
        out["fallback_reason"] = self._fallback_text(summary)
        means = self._path_statistics(self._simulation(horizon), [], means_only=True)[0]
        flags = self._flags(means["demand"], means["supply"], means["gap"])
        text = pd.Series(flags.ravel(), dtype=object)
        raised = np.full(len(out), "", dtype=object)
        for code in FLAGS:  # a handful of codes, each vectorised over every row
            hit = text.str.contains(rf"(?:^|;){code}(?:;|$)").to_numpy(dtype=bool)
            hit = hit.reshape(flags.shape).any(axis=1)
            raised = np.where(hit, np.where(raised == "", code, raised + ";" + code), raised)
        out["flags"] = raised
        return out

    @staticmethod
    def _fallback_text(summary: pd.DataFrame) -> np.ndarray:
        """The cell's own fallback reason and the inner forecasters', joined by "; "."""
        joined = pd.Series(summary["fallback_reason"].to_numpy(dtype=object), dtype=object)
        for name in ("demand", "supply"):
            column = f"{name}_fallback"
            if column not in summary.columns:
                continue
            inner = pd.Series(summary[column].to_numpy(dtype=object), dtype=object)
            inner = (f"{name}: " + inner.astype(str)).where(inner.notna() & inner.ne(""))
            both = joined.astype(str) + "; " + inner.astype(str)
            joined = joined.where(inner.isna(), both.where(joined.notna(), inner))
        out = joined.to_numpy(dtype=object, copy=True)
        out[pd.isna(out)] = None
        return out

    def gap_drivers(self, horizon: int, *, period=None) -> pd.DataFrame:
        """Split each cell's change in gap into the part due to demand and to supply.

        Parameters
        ----------
        horizon : int
            Periods ahead (>= 1), as given to :meth:`predict`.
        period : str or pandas.Period, optional
            The forecast period to explain; default the last one.

        Returns
        -------
        pandas.DataFrame
            One row per cell: ``<keys...>``, ``last_observed`` (the cell's
            last period with observed demand), ``gap_now`` (observed demand
            minus supply then; supply not observed counts as 0, as in the
            forecast), ``<time>`` (the forecast period), ``gap_then`` (the
            mean forecast gap, as in :meth:`predict`), ``due_to_demand``
            (forecast minus observed demand) and ``due_to_supply`` (observed
            minus forecast supply: falling supply widens the gap). So
            ``gap_then - gap_now = due_to_demand + due_to_supply``. Cells
            without demand data have NaN. Persons.

        Raises
        ------
        NotFittedError
            If ``fit`` has not been called.
        ParameterError
            If ``period`` is not one of the forecast periods.
        """
        self._check_fitted("gap_drivers")
        horizon = check_horizon(horizon)
        step = horizon
        if period is not None:
            step = pd.Period(period, freq=self.freq_).ordinal - self._origin
            if not 1 <= step <= horizon:
                raise ParameterError(f"period {period} is not one of the {horizon} forecast "
                                     f"periods after the origin {self.origin_}")
        means = self._path_statistics(self._simulation(horizon), [], means_only=True)[0]
        hist_d, hist_s = self.history_["demand"], self.history_["supply"]
        observed = ~np.isnan(hist_d)
        width = hist_d.shape[1]
        last = np.where(observed.any(axis=1),
                        width - 1 - np.argmax(observed[:, ::-1], axis=1), -1)
        rows = np.arange(len(last))
        at = np.maximum(last, 0)
        demand_now = np.where(last >= 0, hist_d[rows, at], np.nan)
        supply_now = np.nan_to_num(hist_s[rows, at], nan=0.0)
        demand_then = means["demand"][:, step - 1]
        supply_then = means["supply"][:, step - 1]
        out = self.cells_.reset_index(drop=True).copy()
        first = self._origin - width + 1
        out["last_observed"] = pd.PeriodIndex.from_ordinals(first + at, freq=self.freq_)
        out.loc[last < 0, "last_observed"] = pd.NaT
        out["gap_now"] = demand_now - supply_now
        out[self.time] = pd.PeriodIndex.from_ordinals(
            np.full(len(out), self._origin + step), freq=self.freq_)
        out["gap_then"] = demand_then - supply_then
        out["due_to_demand"] = demand_then - demand_now
        out["due_to_supply"] = supply_now - supply_then
        return out

    # ---- flags -------------------------------------------------------------------------------
    def _season_length(self) -> int:
        model = self.demand_.model or self.supply_.model
        return int(model.season_length_) if model is not None else 1

    def _flags(self, demand: np.ndarray, supply: np.ndarray, gap: np.ndarray,
               rows: np.ndarray | None = None) -> np.ndarray:
        """Reason codes per cell (all, or ``rows``) and step, joined by ";" (class notes)."""
        n = len(self.cells_)
        has_demand = np.zeros(n, dtype=bool)
        has_demand[self.demand_.rows[self.demand_.rows >= 0]] = True
        has_supply = np.zeros(n, dtype=bool)
        has_supply[self.supply_.rows[self.supply_.rows >= 0]] = True
        short = self._calibrated_short(demand.shape[1])
        history = self.history_
        if rows is not None:
            history = {name: values[rows] for name, values in history.items()}
            has_demand, has_supply = has_demand[rows], has_supply[rows]
            short = None if short is None else short[rows]
        return gap_flags(history, demand, supply, gap,
                         season_length=self._season_length(), has_demand=has_demand,
                         has_supply=has_supply, calibrated_short=short)

    def _calibrated_short(self, horizon: int) -> np.ndarray | None:
        """Per cell: whether the demand model calibrates it on its history class.

        The rule the sample paths widen by (over the same span of steps);
        None when the demand model has no backtests to judge by.
        """
        side = self.demand_
        if side.model is None or not getattr(side.model, "n_windows", 0):
            return None
        span = horizon + int(side.lag.max())
        try:
            with collect_warnings():
                by_series = side.model._short_histories(span)
        except ParameterError:  # series too short for any backtest at this span
            return None
        out = np.zeros(len(self.cells_), dtype=bool)
        present = side.rows >= 0
        out[side.rows[present]] = by_series[present]
        return out

    # ---- summary -----------------------------------------------------------------------------
    def _summary(self) -> pd.DataFrame:
        summary = self.cells_.copy()
        n = len(summary)
        reasons = np.full(n, None, dtype=object)
        for name, side in (("demand", self.demand_), ("supply", self.supply_)):
            model_name = np.full(n, None, dtype=object)
            n_obs = np.zeros(n, dtype=np.int64)
            fallback = np.full(n, None, dtype=object)
            if side.model is not None:
                inner = side.model.fitted_summary_
                bottom = side.rows >= 0
                rows = side.rows[bottom]
                model_name[rows] = inner["model"].to_numpy(dtype=object)[bottom]
                n_obs[rows] = inner["n_obs"].to_numpy()[bottom]
                fallback[rows] = inner["fallback_reason"].to_numpy(dtype=object)[bottom]
            summary[f"{name}_model"] = model_name
            summary[f"{name}_n_obs"] = n_obs
            summary[f"{name}_fallback"] = fallback
            none = n_obs == 0
            model_name[none] = "none" if name == "demand" else "zero"
            summary[f"{name}_model"] = model_name
            text = ("no demand observed: no forecast (NaN demand and gap)" if name == "demand"
                    else "no supply observed: supply taken as 0 (known future supply still "
                         "used)")
            reasons[none] = np.where(reasons[none] == None, text,  # noqa: E711 - object array
                                     reasons[none].astype(str) + "; " + text)
        summary["fallback_reason"] = pd.Series(reasons, dtype=object)
        return summary

    # ---- what a saved artifact records ---------------------------------------------------------
    def _artifact_schema(self) -> dict:
        """Input columns, cells and frequency, for the artifact's metadata."""
        return {"target": ["demand", "supply"], "time": self.time, "keys": list(self.keys),
                "exog": [], "ids": self.cells_, "freq": self.freq_}

    def _fingerprint_parts(self) -> list[tuple[str, object]]:
        """The fitted data in canonical parts: cells, origin, histories and known supply."""
        parts = [("freq", self.freq_), ("cells", self.cells_),
                 ("origin", np.array([self.origin_.ordinal]))]
        parts += [(f"history.{name}", self.history_[name]) for name in sorted(self.history_)]
        parts += [(f"known_supply.{name}", part)
                  for name, part in zip(("cell", "step", "value"), self.known_supply_,
                                        strict=True)]
        return parts
