"""GapForecaster: demand, supply and the skill gap per cell, with joint uncertainty.

The gap of a cell is ``demand - supply`` (positive = shortage). Demand (the
estimated skill-shortage vacancies) and supply (certified workers becoming
available) are forecast separately per cell by clones of one forecaster;
certified workers already in the training pipeline enter as *known* future
supply. Uncertainty comes from sample paths, never from subtracting
interval bounds:

1. Rolling-origin backtests of both inner models give errors
   ``actual - forecast`` per cell, origin and step (``cv_errors``).
2. Each error is scaled as for the inner forecasters' own conformal
   intervals: by its series' scale without the periods its origin forecast
   (:func:`~talentgap.models._conformal.calibration_scales`) times the
   series' difficulty (:func:`~talentgap.models._conformal.difficulty_factors`).
   The demand and supply errors of the same cell and origin form one *pair*,
   and pairs are pooled over all cells, then centred: the median of each
   step's demand errors, and of its supply errors, is subtracted from them.
3. A sample path of cell ``c`` draws one pair from the pool and adds its
   error vectors, multiplied back by ``c``'s own demand and supply scales
   (whole-series scale times difficulty), to ``c``'s point forecasts over the
   whole horizon. A cell with a short history has its deviations stretched,
   below and above its forecast separately, to its history class's interval.
   With ``sampling_se`` the demand errors are first shrunk so
   that the paths are for the population, not for survey estimates (see
   the Notes of :class:`GapForecaster`). The demand and supply
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

from collections.abc import Sequence

import numpy as np
import pandas as pd
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator

from talentgap._arguments import check_horizon, check_levels
from talentgap._registry import register
from talentgap.errors import NotFittedError, ParameterError
from talentgap.models._conformal import recent_periods
from talentgap.models._gap_cells import check_rows, rows_of
from talentgap.models._gap_explain import explain, fitted_summary, gap_drivers
from talentgap.models._gap_inputs import (
    check_params,
    known_supply,
    masked_panel,
    panel_history,
    panel_table,
    sampling_column,
)
from talentgap.models._gap_paths import first_steps, path_blocks, simulate
from talentgap.models._gap_sampling import recent_sampling_se
from talentgap.models._gap_sides import fit_nodes, fit_side, resolve_hierarchy
from talentgap.models._gap_statistics import path_statistics, row_columns, warn_small_pool
from talentgap.models._saving import SaveMixin
from talentgap.models.base import BaseForecaster
from talentgap.models.gap_flags import (
    FALLING_SUPPLY,
    FLAGS,
    LEAST_CHANGE,
    PERSISTENT_PERIODS,
    RISING_DEMAND,
    THIN_MISSING_SHARE,
    THIN_RESPONDENTS,
)
from talentgap.models.paths import SamplePaths

__all__ = [
    "GapForecaster",
    "FLAGS",
    "RISING_DEMAND",
    "FALLING_SUPPLY",
    "LEAST_CHANGE",
    "PERSISTENT_PERIODS",
    "THIN_RESPONDENTS",
    "THIN_MISSING_SHARE",
]

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
    sampling_se : str or None, default "demand_se"
        Column of the panel with the standard error of each demand estimate
        (the survey's sampling error; :func:`talentgap.features.build_panel`
        writes ``demand_se``). The paths are then for the *population* demand
        and gap: the sampling variance of a cell's estimates is taken out of
        its paths' spread (see *Population, not estimates* below). The default
        column is used when the panel has it; None (or a panel without it)
        makes the paths for the series as observed.
    horizon : int, optional
        The longest horizon the model will be asked for. When given, every
        forecast, set of sample paths and explanation is cut from one
        simulation of this many periods, so a period's numbers (expected
        values, intervals, ``p_shortage``) are the same whatever horizon a
        call asks for; a longer horizon is refused. When None (the default)
        each horizon is simulated on its own, calibrated on the most recent
        backtest origins its span allows (see *Calibration and the horizon
        asked* in the notes): the same period can then differ somewhat
        between, say, ``predict(4)`` and ``sample_paths(8)``.
    outliers : {"keep", "mask"}, default "keep"
        What to do with past demand and supply values that look like data
        errors (a change from the value before, a season before for seasonal
        series, more than 10 interquartile ranges beyond the cell's other
        changes; :func:`talentgap.models.mask_outliers`). ``"keep"`` fits
        them as they are: the intervals are protected from them, the point
        forecast may follow them, and the cell is flagged
        ``outlier_in_history``. ``"mask"`` sets those the series comes back
        from (a one-off spike) to missing before the fit, so they are
        interpolated like any missing value, lists them in
        :attr:`masked_values_` and flags the cell ``outlier_masked``; a value
        no later value confirms as a spike (one in the cell's last season,
        or the start of a new level that persists) is kept and flagged
        ``outlier_in_history``. Whether such a value is an error is a
        data-policy choice, hence off by default.

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
        ``demand_fallback``/``supply_fallback``, ``fallback_reason`` for
        cells this estimator handled itself (no demand or no supply data), and
        ``demand_masked``/``supply_masked`` (values masked as likely data
        errors, see ``outliers``).
    seed_ : int
        Seed of the sample paths.
    demand_se_ : numpy.ndarray or None
        Per cell (in ``cells_`` order), the sampling standard error taken out
        of its demand paths: the root mean square of its last
        ``max(4m, 8)`` known standard errors (0 without one); None when no
        ``sampling_se`` column is used.
    masked_values_ : pandas.DataFrame
        The values ``outliers="mask"`` set to missing, one row each (empty
        otherwise): ``<keys...>, <time>``, ``column`` (``"demand"`` or
        ``"supply"``), ``value``, ``change`` (from the value ``lag`` periods
        before), ``lag`` and ``fence`` (the cell's fence the change crossed).
        ``fitted_summary_`` counts them per cell (``demand_masked``,
        ``supply_masked``).

    Notes
    -----
    **Missing data.** Each quantity's series runs from its first to its last
    observed period (inner gaps are interpolated by the inner forecaster). A
    cell whose demand is never observed gets no forecast: NaN demand, gap,
    bounds and ``p_shortage``, the flag ``no_demand_data`` and a
    ``fallback_reason``. A cell whose supply is never observed (no training
    output reaches it) gets supply 0 without uncertainty, except where
    ``future_supply`` knows better, and the flag ``no_supply_data``. A series
    ending before the origin (a cell whose last period is missing, e.g. its
    rows were left out as invalid) is forecast from its own end, and steps
    ``lag + 1 .. lag + horizon`` of that forecast are reported for the same
    periods as every other cell's; its paths draw the errors of those steps
    from backtests that long (its own draws, so no other cell's paths
    change), its ``fallback_reason`` names its last observed period and its
    rows carry the flag ``last_period_missing``.

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
        :data:`RISING_DEMAND` (10%) and by at least :data:`LEAST_CHANGE` (one
        person per period). Comparing whole years keeps seasonal swings from
        raising the flag.
    ``falling_supply``
        The same for supply falling by more than :data:`FALLING_SUPPLY` (10%)
        and at least one person per period.
    ``persistent_gap``
        The observed gap was > 0 in each of the last
        :data:`PERSISTENT_PERIODS` (4) periods and the forecast gap is > 0.
    ``thin_data``
        Over the last ``max(2m, 4)`` periods, fewer than
        :data:`THIN_RESPONDENTS` (3) respondents per period on average
        (``n_respondents``, when the panel has it) or more than
        :data:`THIN_MISSING_SHARE` (25%) of periods without a demand estimate.
    ``last_period_missing``
        As under *Missing data*: the cell's demand or supply ends before the
        origin, so each of its forecasts is one step (or more) further ahead.
    ``outlier_in_history``
        A past demand or supply value of the cell changed from the one before
        (a season before, for seasonal series) by more than
        :data:`~talentgap.models.gap_flags.OUTLIER_FENCE_IQR` (10)
        interquartile ranges beyond the cell's other changes: likely a data
        error. The intervals leave it out of the cell's scale and hold it in
        its difficulty; the point forecast may still follow it. The inner
        forecaster's ``DataQualityWarning`` at ``fit`` names the cell, the
        period and the value.
    ``outlier_masked``
        With ``outliers="mask"``: such a value of the cell's demand or supply
        was set to missing before the fit and interpolated (listed in
        :attr:`masked_values_`).
    ``no_demand_data``, ``no_supply_data``
        As under *Missing data*.

    **One distribution.** ``predict``'s ``demand``, ``supply`` and ``gap``
    are the means of the sample paths (``sample_paths(h).to_frame().groupby([*keys,
    time]).mean()`` gives them to rounding), not the inner models' point
    forecasts on which the paths are centred (the pooled errors are shifted
    so that their median at each step is 0: half the paths lie above the
    point forecast, and one series with wild backtest errors cannot pull the
    bulk of every cell's paths away from its forecast). They differ from
    those by the skew of the errors (mean minus median, as far as the drawn
    pairs show it; a short history's asymmetric stretch adds to it) and by
    clipping at 0, which raises the mean of counts near 0. Being sample means they
    carry Monte Carlo error (about ``sd / sqrt(n_samples)``) and move a
    little with ``random_state``. ``gap_median`` is the paths' median.
    Intervals are the paths' equal-tailed quantiles, not widened: for skewed
    paths (small counts clipped at 0) a narrow interval may not contain the
    mean, while it always contains the median. A plan against the forecast
    table's ``gap`` minimises shortfall against ``max(E[g], 0)``; a plan
    against the sample paths against ``E[max(g, 0)]``. The two agree for a
    cell whose paths all lie on one side of 0 and otherwise the paths'
    expected shortfall is the larger (Jensen's inequality).

    **Calibration and the horizon asked.** The paths of an ``h``-period
    request draw their errors from backtests that hold out ``h`` periods
    (plus the supply lead), the most recent origins that span allows. A
    longer request therefore draws on older origins, and a period's
    expected values, intervals and ``p_shortage`` can differ between, say,
    ``predict(4)`` and ``sample_paths(8)`` (on the demo data by up to about
    a tenth of a cell's gap). Give ``horizon`` to fix the span: every
    request is then cut from one simulation of ``horizon`` periods, and a
    table, a plan and an explanation made from the model all agree.

    **Population, not estimates.** The demand series are survey estimates,
    each off the population value by its sampling error; the backtest errors
    behind the paths compare forecasts with such estimates, so their spread
    holds that sampling error as well as the forecast's own. What a planner
    needs is the population gap, so with ``sampling_se`` the paths keep only
    the forecast's error: per cell and step, the deviations of the pooled
    errors from their mean are shrunk so that the paths' variance falls by
    the cell's sampling variance (``demand_se_`` squared), taking out at most
    half of it (:func:`~talentgap.models._gap_sampling.sampling_error_removal`).
    The means are unchanged. A later survey estimate varies around the
    population value by its own sampling error as well, so it falls outside
    these intervals more often than their level says;
    :func:`talentgap.evaluation.backtest_gap` and
    :func:`talentgap.editions.score_edition` add each estimate's standard
    error before comparing (:func:`talentgap.evaluation.with_sampling_error`).

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
                 keys: Sequence[str] = ("region", "industry"), time: str = "period",
                 sampling_se: str | None = "demand_se", horizon: int | None = None,
                 outliers: str = "keep") -> None:
        self.forecaster = forecaster
        self.hierarchy = hierarchy
        self.reconcile = reconcile
        self.n_samples = n_samples
        self.random_state = random_state
        self.keys = keys
        self.time = time
        self.sampling_se = sampling_se
        self.horizon = horizon
        self.outliers = outliers

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
        keys = check_params(self)
        for derived in self._transient_attributes:  # from a previous fit
            self.__dict__.pop(derived, None)
        time = self.time
        table, codes, ordinal, freq, cells = panel_table(panel, keys, time)
        table, self.masked_values_ = masked_panel(self, table, ordinal, freq, keys)
        self.cells_ = cells
        sampling_se = sampling_column(self, table)
        history, origin, first, work, work_codes = panel_history(
            table, codes, ordinal, len(cells), keys, time, freq, sampling_se=sampling_se)
        self.history_ = history
        self.freq_ = freq
        self.origin_ = pd.PeriodIndex.from_ordinals([origin], freq=freq)[0]
        self._origin = origin

        hierarchy, bottom_of_cell = resolve_hierarchy(self.hierarchy, cells, keys)
        if hierarchy is None:
            self.demand_ = fit_side(self, work, work_codes, "demand", keys)
            self.supply_ = fit_side(self, work, work_codes, "supply", keys)
        else:
            self.demand_ = fit_nodes(self, history["demand"], "demand", hierarchy,
                                     bottom_of_cell, first)
            self.supply_ = fit_nodes(self, history["supply"], "supply", hierarchy,
                                     bottom_of_cell, first)
        self.hierarchy_ = hierarchy
        self.demand_model_ = self.demand_.model
        self.supply_model_ = self.supply_.model
        self.demand_se_ = (None if sampling_se is None else recent_sampling_se(
            history["demand_se"], recent_periods(self.demand_.model.season_length_)
            if self.demand_.model is not None else 8))
        self.known_supply_ = known_supply(self, future_supply, keys)
        self.seed_ = int(np.random.default_rng(self.random_state).integers(2**62))
        self.fitted_summary_ = fitted_summary(self)
        return self

    # ---- forecasts and sample paths ----------------------------------------------------------
    def _check_fitted(self, call: str) -> None:
        if not hasattr(self, "seed_"):
            raise NotFittedError(f"this GapForecaster is not fitted yet; call fit(panel) "
                                 f"before {call}()")

    def _threads(self) -> int:
        """Threads that draw and summarise the sample paths: the forecaster's ``n_jobs``."""
        n_jobs = None if self.forecaster is None else self.forecaster.get_params().get("n_jobs")
        return max(1, int(effective_n_jobs(n_jobs)))

    def _span(self, horizon: int) -> int:
        """Periods simulated to answer ``horizon``: the model's ``horizon`` when it has one."""
        if self.horizon is None:
            return horizon
        if horizon > self.horizon:
            raise ParameterError(
                f"horizon {horizon} is beyond the {self.horizon} periods this model simulates "
                f"(GapForecaster(horizon={self.horizon})); ask for at most {self.horizon}, or "
                "refit with a longer horizon")
        return int(self.horizon)

    def _simulation(self, horizon: int) -> dict:
        """Everything the sample paths need for ``horizon`` steps (see ``_transient_attributes``).

        Simulated over :meth:`_span` steps and cut to ``horizon``. Kept for
        the last span asked only (paths are large). The cache is replaced in
        one assignment, so concurrent calls at worst compute it twice.
        """
        span = self._span(horizon)
        cached = self.__dict__.get("_cache")
        if cached is not None and cached[0] == span:
            simulation = cached[1]
        else:
            simulation = simulate(self, span)
            self._cache = (span, simulation)
        return simulation if span == horizon else first_steps(simulation, horizon)

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
        rows = None if cells is None else rows_of(self, cells)
        sim = self._simulation(horizon)
        warn_small_pool(sim["pool_size"], levels)
        index = np.arange(len(self.cells_)) if rows is None else rows
        out = self.cells_.iloc[np.repeat(index, horizon)].reset_index(drop=True)
        out[self.time] = pd.PeriodIndex.from_ordinals(
            np.tile(self._origin + 1 + np.arange(horizon), index.size), freq=self.freq_)
        for name, values in row_columns(self, sim, levels, rows).items():
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
        if self.horizon is not None and horizon > self.horizon:
            return False
        return cached is not None and cached[0] == self._span(horizon)

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
        rows = check_rows(rows, len(self.cells_))
        sim = self._simulation(horizon)
        warn_small_pool(sim["pool_size"], levels)
        return row_columns(self, sim, levels, rows)

    def _path_statistics(self, sim: dict, levels: list[float], rows: np.ndarray | None = None,
                         *, means_only: bool = False):
        """Means, quantile bounds, gap median and P(gap > 0) of the paths (every forecast's).

        See :func:`talentgap.models._gap_statistics.path_statistics`; the blocks
        of cells run in the forecaster's ``n_jobs`` threads.
        """
        return path_statistics(sim, levels, rows, threads=self._threads(),
                               means_only=means_only)

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
        return explain(self, check_horizon(horizon))

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
            minus supply then: the last supply observed up to that period, 0
            when none ever was, as in the forecast), ``<time>`` (the forecast
            period), ``gap_then`` (the mean forecast gap, as in :meth:`predict`), ``due_to_demand``
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
        return gap_drivers(self, check_horizon(horizon), period)

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
