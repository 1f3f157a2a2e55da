"""Joint sample paths of demand and supply for :class:`~talentgap.models.GapForecaster`.

How the paths are drawn is described in :mod:`talentgap.models.gap`: pairs of
scaled backtest error vectors (demand and supply of one cell and origin) are
pooled over cells and centred on their median, and each path of a cell adds
one drawn pair, scaled back by the cell's own scales, to its point forecasts;
a cell with a short history has its deviations stretched to its history
class's interval on each side (:func:`short_history_widening`). These helpers hold the arithmetic:
:func:`simulate` gathers what the paths need for one horizon and the draws,
:func:`path_blocks` materialises the paths a block of cells at a time so
memory stays bounded (:mod:`talentgap.models._gap_statistics` reads the
forecast's numbers off those blocks).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from talentgap.errors import DataQualityWarning, ParameterError, collect_warnings, warn
from talentgap.models._conformal import (
    calibration_scales,
    conformal_quantiles,
    difficulty_factors,
    series_scale,
    short_histories,
)
from talentgap.models.reconciliation import reconcile

__all__ = ["side_forecast", "short_history_widening", "recent_sampling_se", "fenced",
           "sampling_error_removal", "reconciled_means", "simulate", "first_steps",
           "calibrated_short", "path_blocks"]

#: Values per block when drawing sample paths (bounds memory to ~ block x samples x horizon).
_BLOCK_VALUES = 4_000_000

#: Coverage level (percent) whose interval widths set a short history's widening factor.
WIDENING_LEVEL = 80.0

#: The largest share of a cell's predictive demand variance taken out as sampling error.
MAX_SAMPLING_SHARE = 0.5

#: How many interquartile ranges beyond the quartiles a pooled scaled error may lie
#: (:func:`fenced`).
FENCE_IQR = 10.0


def fenced(pool: np.ndarray) -> np.ndarray:
    """Pooled scaled errors with gross errors pulled in to a far fence, per step (column).

    A value beyond ``Q1 - k * IQR`` or ``Q3 + k * IQR`` of its column (``k`` =
    :data:`FENCE_IQR`, Tukey's fences made ten times as wide as his "far out"
    ones) is set to that fence. For normal errors the fence lies 14 standard
    deviations out and is never reached; it is there for a data error, a
    series multiplied by 50 in its last period, say, whose backtest error
    every cell's paths would otherwise draw now and then (in a synthetic
    panel of 32 cells, one such cell moved the other cells' expected gaps
    by up to 23% of their 80% interval width; 7% with the fence). The
    quantiles that make the intervals lie far inside the fences and do not
    move.

    Parameters
    ----------
    pool : numpy.ndarray, shape (pairs, steps)
        Scaled errors, one column per step.

    Returns
    -------
    numpy.ndarray
        The same shape, clipped per column.

    Examples
    --------
    >>> pool = np.array([[-1.0], [0.0], [0.5], [1.0], [400.0]])   # quartiles 0 and 1
    >>> fenced(pool).ravel().tolist()
    [-1.0, 0.0, 0.5, 1.0, 11.0]
    """
    if pool.shape[0] == 0:
        return pool
    q1, q3 = np.quantile(pool, [0.25, 0.75], axis=0)
    spread = FENCE_IQR * (q3 - q1)
    return np.clip(pool, q1 - spread, q3 + spread)


def recent_sampling_se(se: np.ndarray, periods: int) -> np.ndarray:
    """Per cell, the root mean square of its last ``periods`` known standard errors.

    Parameters
    ----------
    se : numpy.ndarray, shape (n_cells, n_periods)
        Standard errors of the demand estimates, oldest first; NaN where unknown.
    periods : int
        How many of each cell's last known values to use.

    Returns
    -------
    numpy.ndarray
        Shape (n_cells,); 0 for a cell without a known standard error.

    Examples
    --------
    >>> se = np.array([[9.0, 3.0, np.nan, 4.0], [np.nan, np.nan, np.nan, np.nan]])
    >>> recent_sampling_se(se, 2).tolist()    # sqrt((3**2 + 4**2) / 2)
    [3.5355339059327378, 0.0]
    """
    known = np.isfinite(se)
    from_end = np.cumsum(known[:, ::-1], axis=1)[:, ::-1]
    keep = known & (from_end <= periods)
    count = keep.sum(axis=1)
    total = np.where(keep, np.square(np.where(known, se, 0.0)), 0.0).sum(axis=1)
    return np.sqrt(total / np.maximum(count, 1))


def sampling_error_removal(pool: np.ndarray, lag: np.ndarray, scale: np.ndarray,
                           se: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Shift and multiplier that take the survey's sampling error out of the demand paths.

    The backtest errors in the pool compare forecasts with survey estimates,
    so their spread holds the estimates' sampling error as well as the
    forecast's own error. A path for the population demand keeps only the
    second: for cell ``c`` and step ``h``, the pool's deviations from their
    mean ``mu_h`` (variance ``var_h``, in scaled units) are multiplied by
    ``sqrt(1 - (se_c / s_c)**2 / var_h)``, with ``se_c`` the cell's standard
    error (:func:`recent_sampling_se`) and ``s_c`` its path scale, which takes
    the cell's sampling variance out of its predictive variance. At most
    :data:`MAX_SAMPLING_SHARE` of the variance is taken out: a standard error
    estimated from a few respondents can be far too large, and a cell whose
    estimates seemed to be all sampling error would otherwise get paths of
    no spread.

    Parameters
    ----------
    pool : numpy.ndarray, shape (steps, pairs)
        Scaled demand errors of the pool, step-major.
    lag : numpy.ndarray of int, shape (n_cells,)
        Each cell's first step in the pool.
    scale : numpy.ndarray, shape (n_cells,)
        Each cell's path scale (NaN or 0: left as it is).
    se : numpy.ndarray, shape (n_cells,)
        Each cell's sampling standard error, in persons (0: nothing taken out).
    horizon : int

    Returns
    -------
    shift, multiplier : numpy.ndarray, each (n_cells, horizon)
        The path of a draw with scaled error ``z`` is ``mean + shift +
        multiplier * scale * z``: its expectation is unchanged and its
        variance is reduced by the sampling variance.

    Examples
    --------
    >>> pool = np.array([[-2.0, -1.0, 1.0, 2.0]])         # one step: mean 0, variance 2.5
    >>> shift, multiplier = sampling_error_removal(pool, np.array([0, 0]), np.array([10.0, 10.0]),
    ...                                            np.array([5.0, 50.0]), 1)
    >>> multiplier.round(3).tolist()    # sqrt(1 - 0.5**2 / 2.5); the second: half taken out
    [[0.949], [0.707]]
    """
    mu, var = pool.mean(axis=1), pool.var(axis=1)
    steps = lag[:, None] + np.arange(horizon)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.square(se / scale)[:, None] / var[steps]
        multiplier = np.sqrt(1.0 - np.clip(share, 0.0, MAX_SAMPLING_SHARE))
    multiplier = np.where(np.isfinite(multiplier), multiplier, 1.0)
    with np.errstate(invalid="ignore"):
        shift = np.where(multiplier < 1.0, mu[steps] * scale[:, None] * (1.0 - multiplier), 0.0)
    return shift, multiplier


def short_history_widening(model, errors: np.ndarray, scale: np.ndarray,
                           horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Per series of ``model``: the factors that stretch its paths to its history class's interval.

    The paths of every cell draw scaled backtest errors from one pool (the
    errors divided by the series' scales ``scale``, centred on their median
    at each step). That pool says how far forecasts miss for series like those
    in it, not for a series with only a few observations of its own. A
    series is *short* when it has fewer than
    :func:`~talentgap.models._conformal.short_history_limit` observations or
    when none of its backtest origins leaves enough data to scale the errors
    without the periods they forecast
    (:func:`~talentgap.models._conformal.short_histories`, the rule the
    forecasters' own intervals use): its own backtests then say nothing
    honest about it. For each length ``k`` of a short series, windows of
    ``k`` observations of the longer series are forecast by the same model
    (``model.short_history_errors``), and their conformal interval at
    :data:`WIDENING_LEVEL` is the class's interval, in signed errors around
    the forecast. The *lower* factor is the class's lower bound divided by
    the centred pool's, the *upper* factor the same for the upper bounds,
    each averaged over the steps and at least 1: a path's deviations below
    its centre are multiplied by the first, those above by the second, so a
    short series' paths reach as far as its class's interval on each side.
    Short series tend to be new and growing, which their few observations
    undershoot (the class's upper bound is the further one), and the paths
    keep that asymmetry. Widths are compared in the units the paths use.

    Parameters
    ----------
    model : BaseForecaster
        The fitted inner forecaster.
    errors : numpy.ndarray, shape (n_series, n_windows, horizon)
        Its backtest errors (``model.cv_errors(horizon)``).
    scale : numpy.ndarray, shape (n_series,) or (n_series, n_windows)
        The scales the paths' pool divides the errors by, per series or per
        series and origin.
    horizon : int

    Returns
    -------
    lower, upper : numpy.ndarray
        Each of shape (n_series,), every value >= 1 (1 for series that are
        not short or whose length no longer series can calibrate).

    Examples
    --------
    >>> import talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=4, industries=2, n_periods=16, seed=0,
    ...                                   new_trades=["ecommerce"], new_trade_start=10)
    >>> model = tg.models.Naive().fit(data.truth.dropna(subset=["demand"]), target="demand",
    ...                               keys=["region", "industry"])
    >>> errors = model.cv_errors(2)
    >>> scale = series_scale(model.arrays_.values, model.season_length_)
    >>> lower, upper = short_history_widening(model, errors, scale, 2)
    >>> short = model.arrays_.n_obs < 8
    >>> bool((lower[~short] == 1).all() and (upper[~short] == 1).all())
    True
    >>> bool((upper[short] > 1).all())
    True
    """
    n_obs = model.arrays_.n_obs
    m = int(model.season_length_)
    lower, upper = np.ones(n_obs.size), np.ones(n_obs.size)
    with collect_warnings():  # the caller warns about the pool as a whole
        calibrated = calibration_scales(errors, model.arrays_.values, m)
    short = short_histories(n_obs, errors, calibrated, m)
    lengths = np.unique(n_obs[short])
    if lengths.size == 0:
        return lower, upper
    per_origin = np.asarray(scale, dtype=np.float64)
    if per_origin.ndim == 1:
        per_origin = np.repeat(per_origin[:, None], errors.shape[1], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = errors / per_origin[:, :, None]
    scaled[~np.isfinite(scaled)] = np.nan
    centre = _pool_medians(scaled.reshape(-1, scaled.shape[2]))
    with collect_warnings():
        pool_lo, pool_hi = conformal_quantiles(
            errors - centre[None, None, :] * per_origin[:, :, None], per_origin,
            [WIDENING_LEVEL])[WIDENING_LEVEL]
        classes = model.short_history_errors(lengths, horizon)
    uncalibrated = []
    for length in lengths:  # a handful of history lengths
        errors_k = classes[int(length)]
        if not np.isfinite(errors_k).any():
            uncalibrated.append(int(length))
            continue
        with collect_warnings():
            lo, hi = conformal_quantiles(errors_k[:, None, :], np.ones(errors_k.shape[0]),
                                         [WIDENING_LEVEL])[WIDENING_LEVEL]
        rows = short & (n_obs == length)
        lower[rows] = _mean_ratio(lo, pool_lo)
        upper[rows] = _mean_ratio(hi, pool_hi)
    if uncalibrated:
        warn(f"no series is long enough to calibrate the sample paths of series with "
             f"{uncalibrated} observations; their paths use the errors pooled over all series, "
             "which are likely too narrow for them", DataQualityWarning, stacklevel=4)
    return lower, upper


def _pool_medians(pool: np.ndarray) -> np.ndarray:
    """Median of each column's finite values (0 for a column without any)."""
    out = np.zeros(pool.shape[1])
    has = np.isfinite(pool).any(axis=0)
    out[has] = np.nanmedian(pool[:, has], axis=0)
    return out


def _mean_ratio(bound: np.ndarray, pool_bound: np.ndarray) -> float:
    """Mean over steps of ``bound / pool_bound`` (steps where the pool's is 0 skipped), >= 1."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(pool_bound != 0, bound / pool_bound, np.nan)
    if not np.isfinite(ratio).any():
        return 1.0
    return max(float(np.nanmean(ratio)), 1.0)


def side_forecast(gap, side, horizon: int, fill: float):
    """Per cell: means (n, h), scaled errors (n, W, H), scales (n,), stretches (n,), lags (n,).

    A path's deviation from its cell's point forecast is the drawn scaled
    error times the scale, times the stretch where it is above (the upper
    factor of :func:`short_history_widening` over the lower one; 1 for
    cells that are not short). Cells without a model get ``fill`` as mean,
    scale 0 and NaN errors.
    """
    n = len(gap.cells_)
    if side.model is None:
        return (np.full((n, horizon), fill), None, np.zeros(n), np.ones(n),
                np.zeros(n, dtype=np.int64))
    model = side.model
    span = horizon + int(side.lag.max())
    raw = model.predict(span)["mean"].to_numpy(dtype=np.float64).reshape(-1, span)
    steps = side.lag[:, None] + np.arange(horizon)[None, :]
    aligned = np.take_along_axis(raw, steps, axis=1)
    bottom = side.rows >= 0
    errors, calibration, difficulty = _calibration(model, span, bottom)
    scale = series_scale(model.arrays_.values, model.season_length_) * difficulty
    if side.node is not None:
        aligned = reconciled_means(gap, side, aligned, errors)
    rows = side.rows[bottom]
    mean = np.full((n, horizon), fill)
    mean[rows] = aligned[bottom]
    scaled = np.full((n,) + errors.shape[1:], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled[rows] = errors[bottom] / calibration[bottom, :, None]
    cell_scale = np.zeros(n) if fill == 0.0 else np.full(n, np.nan)
    stretch = np.ones(n)
    # short histories: their paths reach as far as their history class's intervals
    lower, upper = short_history_widening(model, errors, calibration, span)
    cell_scale[rows] = (scale * lower)[bottom]
    stretch[rows] = (upper / lower)[bottom]
    lag = np.zeros(n, dtype=np.int64)
    lag[rows] = side.lag[bottom]
    return mean, scaled, cell_scale, stretch, lag


def _calibration(model, span: int, cells: np.ndarray):
    """Backtest errors (every series), and the scales and difficulty of the ``cells`` rows.

    The calibration of the inner forecaster's own intervals
    (:mod:`talentgap.models._conformal`, steps 2 and 7): each origin's errors
    divided by the series' scale without the periods that origin forecast,
    times its difficulty from the other origins, and the difficulty of the
    forecast being issued. Difficulty is relative to the pool the paths draw
    from, the cells' errors, so with a hierarchy the nodes above the cells
    are left out of it (NaN there).
    """
    with collect_warnings():  # the caller warns about the pool as a whole
        if cells.all():
            return model._calibration(span)
        errors = model._calibration_errors(span)
        scale = np.full(errors.shape[:2], np.nan)
        difficulty = np.full(errors.shape[0], np.nan)
        scale[cells] = calibration_scales(errors[cells], model.arrays_.values[cells],
                                          model.season_length_)
        per_origin, difficulty[cells] = difficulty_factors(errors[cells], scale[cells])
        scale[cells] *= per_origin
    return errors, scale, difficulty


def reconciled_means(gap, side, mean: np.ndarray, errors: np.ndarray) -> np.ndarray:
    """Reconcile the aligned means (n_series, h) of every node of ``gap.hierarchy_``.

    ``errors`` are the nodes' backtest errors (n_series, W, H); ``wls_var``
    pools those of every step, ``mint_shrink`` uses the one-step errors.
    Returns the reconciled means in the same layout.
    """
    hierarchy = gap.hierarchy_
    n_series, horizon = mean.shape
    order = np.argsort(side.node)
    frame = hierarchy.nodes[hierarchy.node_columns].iloc[
        np.repeat(side.node[order], horizon)].reset_index(drop=True)
    frame[gap.time] = pd.PeriodIndex.from_ordinals(
        np.tile(gap.origin_.ordinal + 1 + np.arange(horizon), n_series), freq=gap.freq_)
    frame["mean"] = mean[order].ravel()
    residuals = None
    if gap.reconcile in ("wls_var", "mint_shrink"):
        steps = min(horizon, errors.shape[2]) if gap.reconcile == "wls_var" else 1
        rows = errors[:, :, :steps].transpose(1, 2, 0).reshape(-1, n_series)
        residuals = np.full((rows.shape[0], hierarchy.n_nodes), np.nan)
        residuals[:, side.node] = rows
    result = reconcile(frame, hierarchy, method=gap.reconcile, residuals=residuals,
                       nonnegative=True)
    out = np.empty_like(mean)
    out[order] = result.forecasts["mean"].to_numpy().reshape(n_series, horizon)
    return out


def simulate(gap, horizon: int) -> dict:
    """Means, scaled error pool, scales, lags and draws of the sample paths."""
    n = len(gap.cells_)
    d_mean, d_err, d_scale, d_stretch, d_lag = side_forecast(gap, gap.demand_, horizon, np.nan)
    s_mean, s_err, s_scale, s_stretch, s_lag = side_forecast(gap, gap.supply_, horizon, 0.0)
    d_mean, s_mean = np.maximum(d_mean, 0.0), np.maximum(s_mean, 0.0)

    # the pool: (cell, origin) pairs with demand and supply errors at every step needed
    windows = d_err.shape[1] if s_err is None else min(d_err.shape[1], s_err.shape[1])
    d_pool = d_err[:, :windows].reshape(n * windows, -1)
    usable = np.isfinite(d_pool).all(axis=1)
    if s_err is None:
        s_pool = np.zeros_like(d_pool)
    else:
        s_pool = s_err[:, :windows].reshape(n * windows, -1)
        usable &= np.isfinite(s_pool).all(axis=1)
    if not usable.any():
        raise ParameterError(
            "no cell has demand and supply backtest errors at every step needed: the "
            f"series are too short for {horizon}-step rolling-origin backtests; use "
            "longer series or a shorter horizon")
    known = np.zeros((n, horizon), dtype=bool)
    known_value = np.zeros((n, horizon))
    cell, step, value = gap.known_supply_
    inside = step <= horizon
    known[cell[inside], step[inside] - 1] = True
    known_value[cell[inside], step[inside] - 1] = value[inside]
    s_mean = np.where(known, known_value, s_mean)
    # centred: at every step half the paths lie above the point forecast, half below; gross
    # errors fenced in
    d_pool, s_pool = d_pool[usable], s_pool[usable]
    d_pool, s_pool = d_pool - np.median(d_pool, axis=0), s_pool - np.median(s_pool, axis=0)
    d_pool, s_pool = fenced(d_pool), fenced(s_pool)
    se = getattr(gap, "demand_se_", None)
    if se is not None:  # paths for the population demand
        shift, multiplier = sampling_error_removal(d_pool.T, d_lag, d_scale, se, horizon)
        d_mean = d_mean + shift
        d_scale = d_scale[:, None] * multiplier
    rng = np.random.default_rng(gap.seed_)
    pool_size = int(usable.sum())
    # int32 halves the largest array of the simulation (cells x samples); same stream as int64
    draws = rng.integers(0, pool_size, size=(n, int(gap.n_samples))).astype(np.int32)
    simulation = {
        "demand_mean": d_mean, "supply_mean": s_mean,
        # pools step-major (steps x pairs): a draw then gathers along contiguous rows
        "d_pool": np.ascontiguousarray(d_pool.T),
        "s_pool": np.ascontiguousarray(s_pool.T),
        "d_scale": d_scale, "s_scale": s_scale, "d_lag": d_lag, "s_lag": s_lag,
        "d_stretch": d_stretch, "s_stretch": s_stretch,
        "known": known, "draws": draws, "pool_size": pool_size,
        "calibrated_short": calibrated_short(gap, horizon),
    }
    return simulation


def first_steps(simulation: dict, horizon: int) -> dict:
    """The simulation of a longer span cut to its first ``horizon`` steps.

    The draws, pools, scales and stretches are the span's: every step keeps
    the distribution it has in the longer simulation.
    """
    out = dict(simulation)
    for name in ("demand_mean", "supply_mean", "known"):
        out[name] = simulation[name][:, :horizon]
    for name in ("d_scale", "s_scale"):
        if np.ndim(simulation[name]) == 2:  # one scale per step
            out[name] = simulation[name][:, :horizon]
    return out


def calibrated_short(gap, horizon: int) -> np.ndarray | None:
    """Per cell: whether the demand model calibrates it on its history class.

    The rule the sample paths widen by (over the same span of steps);
    None when the demand model has no backtests to judge by.
    """
    side = gap.demand_
    if side.model is None or not getattr(side.model, "n_windows", 0):
        return None
    span = horizon + int(side.lag.max())
    try:
        with collect_warnings():
            by_series = side.model._short_histories(span)
    except ParameterError:  # series too short for any backtest at this span
        return None
    out = np.zeros(len(gap.cells_), dtype=bool)
    present = side.rows >= 0
    out[side.rows[present]] = by_series[present]
    return out


def _drawn_errors(pool: np.ndarray, draw: np.ndarray, lag: np.ndarray,
                  horizon: int) -> np.ndarray:
    """Scaled errors of the drawn pairs at each cell's steps, (block, horizon, samples).

    ``pool`` is step-major (steps x pairs). Where every cell of the block has
    the same lag (the usual case) each step's row is gathered at once.
    """
    first = int(lag[0]) if lag.size else 0
    if (lag == first).all():
        return pool[first:first + horizon][:, draw].transpose(1, 0, 2)
    steps = lag[:, None, None] + np.arange(horizon)[None, :, None]
    return pool[steps, draw[:, None, :]]


def _centred(mean: np.ndarray, errors: np.ndarray, scale: np.ndarray,
             stretch: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``max(mean + errors x scale, 0)`` per cell, step and sample, into float32 ``out``.

    ``scale`` is per cell, shape (block,), or per cell and step, (block, h);
    deviations above ``mean`` (the point forecast) are multiplied by the
    cell's ``stretch`` (block,) as well.

    Computed in float64 in the memory order of ``errors`` (the gathered draws,
    often step-major), then rounded once into the C-ordered float32 result.
    """
    work = np.empty_like(errors)                 # errors' layout: no strided arithmetic
    np.multiply(errors, scale.reshape(scale.shape[0], -1, 1), out=work)  # per cell or step
    stretched = np.flatnonzero(stretch != 1.0)     # short histories only: usually none
    if stretched.size:
        part = work[stretched]
        part *= np.where(part > 0, stretch[stretched, None, None], 1.0)
        work[stretched] = part
    work += mean[:, :, None]
    np.maximum(work, 0.0, out=work)
    out = np.empty(errors.shape, dtype=np.float32) if out is None else out
    out[...] = work
    return out


def path_blocks(sim: dict, rows: np.ndarray | None = None,
                out: tuple[np.ndarray, np.ndarray] | None = None, *, threads: int = 1,
                consume=None):
    """Float32 paths of blocks of cells, ``(rows, demand, supply)`` each (block, h, samples).

    ``rows`` (default every cell) selects the cells; the paths of a cell do not
    depend on which other cells are asked for, so a subset costs O(its size).
    With ``out`` (demand and supply arrays of shape (cells, h, samples), every
    cell) the paths are written there and the blocks are views of it.

    Without ``consume`` the blocks are yielded in order. With it, ``consume(at,
    rows, demand, supply)`` is called for every block (``at`` is the block's
    slice of ``rows``) in ``threads`` threads and nothing is yielded: numpy
    releases the GIL for the arithmetic, the gathers and the sorts, so a block
    per core runs at once, each writing only its own slice.

    Each value is computed in float64 and rounded once to float32.
    """
    horizon = sim["demand_mean"].shape[1]
    n, samples = sim["draws"].shape
    if out is not None and rows is not None:
        raise ValueError("path_blocks writes into out only for every cell (rows=None)")
    rows = np.arange(n) if rows is None else np.asarray(rows, dtype=np.int64)
    size = max(1, _BLOCK_VALUES // max(1, samples * horizon))
    starts = range(0, rows.size, size)

    def one(start: int):
        block = rows[start:start + size]
        where = slice(start, start + block.size)
        draw = sim["draws"][block]                                # (b, S)
        demand = _centred(sim["demand_mean"][block],
                          _drawn_errors(sim["d_pool"], draw, sim["d_lag"][block], horizon),
                          sim["d_scale"][block], sim["d_stretch"][block],
                          None if out is None else out[0][where])
        supply = _centred(sim["supply_mean"][block],
                          _drawn_errors(sim["s_pool"], draw, sim["s_lag"][block], horizon),
                          sim["s_scale"][block], sim["s_stretch"][block],
                          None if out is None else out[1][where])
        known = sim["known"][block]
        if known.any():  # known supply: the given value in every path
            np.copyto(supply, sim["supply_mean"][block][:, :, None].astype(np.float32),
                      where=known[:, :, None])
        return where, block, demand, supply

    if consume is None:
        return (one(start)[1:] for start in starts)
    if threads <= 1 or len(starts) <= 1:
        for start in starts:
            consume(*one(start))
        return iter(())
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for _ in pool.map(lambda start: consume(*one(start)), starts):
            pass  # re-raises the first error of a block
    return iter(())
