"""GapForecaster: demand, supply and the skill gap per cell, with joint uncertainty.

The gap of a cell is ``demand - supply`` (positive = shortage). Demand and
supply are forecast per cell by two clones of one forecaster, and their
uncertainty comes from joint sample paths (pooled, scaled backtest errors
drawn in pairs), never from subtracting interval bounds; every number
reported is a statistic of those paths. The paths are drawn by
:mod:`talentgap.models._gap_paths` and summarised by
:mod:`talentgap.models._gap_statistics`; the methods page (docs/methods.md,
"The gap model: joint sample paths and P(shortage)") gives the method.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from talentgap._arguments import check_horizon, check_levels, random_generator
from talentgap._registry import register
from talentgap.models._conformal import recent_periods
from talentgap.models._fit_params import FitParamsMixin
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
from talentgap.models._gap_paths import path_blocks
from talentgap.models._gap_sampling import recent_sampling_se
from talentgap.models._gap_sides import fit_nodes, fit_side, resolve_hierarchy
from talentgap.models._gap_simulation import GapSimulationMixin
from talentgap.models._gap_statistics import row_columns, warn_small_pool
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
class GapForecaster(GapSimulationMixin, FitParamsMixin, SaveMixin, BaseEstimator):
    """Forecast demand, supply and the skill gap per cell, with joint sample paths.

    A parameter changed after ``fit`` takes effect at the next ``fit`` (``horizon``
    aside, see :attr:`params_`), so a forecast never depends on the calls made before it.

    Parameters
    ----------
    forecaster : BaseForecaster, optional
        Unfitted forecaster cloned once for demand and once for supply; default
        :class:`~talentgap.models.AutoForecaster`. A clone whose
        ``nonnegative`` is None is fitted with ``nonnegative=True``: demand and
        supply are counts (design-weighted totals are not whole numbers, so the
        automatic count detection would not see it). Its ``n_windows`` rolling
        origins give the backtest errors behind the sample paths. Its
        ``analogues`` serve the demand only (a new trade's supply is its own
        training output).
    hierarchy : talentgap.models.reconciliation.Hierarchy or mapping, optional
        Reconcile the mean demand and supply forecasts over this crossed
        hierarchy (methods page). A mapping ``{key: grouping}`` is passed to
        ``Hierarchy.from_mappings(panel, hierarchy, keys=keys)`` at fit.
    reconcile : str, default "mint_shrink"
        Method of :func:`talentgap.models.reconciliation.reconcile` (used only with
        a hierarchy): ``"mint_shrink"``, ``"wls_var"``, ``"wls_struct"``,
        ``"ols"``, ``"bottom_up"`` or ``"top_down"``.
    n_samples : int, default 1000
        Sample paths per cell.
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default 0
        Seeds :func:`numpy.random.default_rng`; the same int gives the same
        paths. One seed is drawn from it at ``fit``, so ``predict`` and
        :meth:`sample_paths` of a fitted model always use the same paths. A
        Generator or RandomState is not advanced (the seed is drawn from a
        copy), so refitting with the same object gives the same paths.
    keys : sequence of str, default ("region", "industry")
        Columns of the panel defining a cell.
    time : str, default "period"
        Period column of the panel.
    sampling_se : str or None, default "demand_se"
        Panel column with each demand estimate's sampling standard error
        (:func:`talentgap.features.build_panel` writes ``demand_se``): its
        variance is taken out of the paths, which are then for the
        *population* demand and gap (methods page, "Population, not
        estimates"). Used when the panel has it; None (or a panel without it)
        gives paths for the series as observed.
    horizon : int, optional
        The longest horizon the model will be asked for. When given, every
        forecast, set of sample paths and explanation is cut from one
        simulation of this many periods, so a period's numbers are the same
        whatever horizon a call asks for; a longer horizon is refused. When
        None each horizon is simulated on its own, calibrated on the most
        recent origins its span allows, and a period's numbers can differ
        somewhat between horizons (methods page, "The span simulated").
    outliers : {"keep", "mask"}, default "keep"
        What to do with past demand and supply values that look like data
        errors (:func:`talentgap.models.mask_outliers`). ``"keep"`` fits them
        as they are and flags the cell ``outlier_in_history``; ``"mask"``
        sets those the series comes back from (a one-off spike) to missing
        before the fit, lists them in :attr:`masked_values_` and flags the
        cell ``outlier_masked`` (methods page, "Masking, on request").

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
    params_ : dict
        The parameters of the last fit. A parameter changed after ``fit``
        (``set_params`` or assignment) takes effect at the next ``fit``: until
        then every method, the kept sample-path inputs included, uses these;
        ``horizon`` alone is read at each call (a service sets it on a loaded
        model), and the kept inputs are those of its span.

    Notes
    -----
    Path ``k`` of a cell adds one drawn pair of pooled, scaled backtest errors
    (demand and supply of one cell and origin) to its point forecasts over the
    whole horizon, clipped at 0: a residual-bootstrap form of split-conformal
    prediction (Vovk, Gammerman & Shafer 2005) drawing whole error paths
    (Hyndman & Athanasopoulos 2021, section 5.5). ``demand``, ``supply`` and
    ``gap`` are the paths' means, the bounds their quantiles, ``p_shortage``
    their share with a gap above 0. The :doc:`methods page </methods>` ("The
    gap model") gives the steps, short histories and analogues, missing data,
    known supply, population paths, the hierarchy, the span simulated, the
    ``flag`` codes (:data:`FLAGS`) and the limits.

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
            A column is missing, a cell-period repeats, periods are unusable
            or fiscal (``period[Q-MAR]``: rule ``bad_period``, with the
            conversion), no demand is observed, or ``future_supply`` has
            missing, negative or repeated values.
        ParameterError
            A parameter is out of range.
        """
        self._record_params()
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
        self.seed_ = int(random_generator(self.random_state).integers(2**62))
        self.fitted_summary_ = fitted_summary(self)
        return self

    # ---- forecasts and sample paths ----------------------------------------------------------
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
            gap > 0, on 0-1), ``flag`` (reason codes, see the methods page),
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
        out[self._fit_param("time")] = pd.PeriodIndex.from_ordinals(
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
        n, samples = len(self.cells_), int(self._fit_param("n_samples"))
        demand = np.empty((n, horizon, samples), dtype=np.float32)
        supply = np.empty((n, horizon, samples), dtype=np.float32)
        path_blocks(self._simulation(horizon), out=(demand, supply), threads=self._threads(),
                    consume=lambda *block: None)  # each block is written into the arrays
        periods = pd.PeriodIndex.from_ordinals(self._origin + 1 + np.arange(horizon),
                                               freq=self.freq_)
        return SamplePaths(cells=self.cells_.reset_index(drop=True), periods=periods,
                           demand=demand, supply=supply, time=self._fit_param("time"))

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
        return {"target": ["demand", "supply"], "time": self._fit_param("time"),
                "keys": list(self._fit_param("keys")),
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
