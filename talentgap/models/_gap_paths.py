"""Joint sample paths of demand and supply for :class:`~talentgap.models.GapForecaster`.

How the paths are drawn is described in :mod:`talentgap.models.gap`: pairs of
scaled backtest error vectors (demand and supply of one cell and origin) are
pooled over cells and centred on their median, and each path of a cell adds
one drawn pair, scaled back by the cell's own scales, to its point forecasts;
a cell with a short history has its deviations stretched to its history
class's interval on each side (:func:`short_history_widening`, in
:mod:`talentgap.models._gap_widening`). These helpers hold the arithmetic:
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
from talentgap.models._conformal import calibration_scales, difficulty_factors
from talentgap.models._gap_analogues import analogue_widening
from talentgap.models._gap_sampling import sampling_error_removal
from talentgap.models._gap_widening import WIDENING_LEVEL as WIDENING_LEVEL
from talentgap.models._gap_widening import short_history_widening, warn_uncalibrated
from talentgap.models.reconciliation import reconcile

__all__ = ["side_forecast", "short_history_widening", "fenced", "reconciled_means", "simulate",
           "first_steps", "calibrated_short", "path_blocks"]

#: Values per block when drawing sample paths (bounds memory to ~ block x samples x horizon).
_BLOCK_VALUES = 4_000_000

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


def side_forecast(gap, side, horizon: int, fill: float, span: int | None = None):
    """Per cell: means (n, h), scaled errors, scales (n,), stretches (n,), lags (n,), and the
    short lengths no series calibrates (``{length: series}``, :func:`short_history_widening`).

    A path's deviation from its cell's point forecast is the drawn scaled
    error times the scale, times the stretch where it is above (the upper
    factor of :func:`short_history_widening` over the lower one; 1 for
    cells that are not short). Cells without a model get ``fill`` as mean,
    scale 0 and NaN errors.

    The scaled errors are a pair: those of the ``horizon``-step backtests
    (n, W, horizon), which every cell's paths draw from, and, when ``span``
    is longer, those of ``span``-step backtests (n, W, span) for the cells
    whose series ends before the origin (lag > 0), whose forecast periods
    are steps ``lag + 1 .. lag + horizon`` of their model (None otherwise).
    The scales, stretches and the other cells' errors come from the
    ``horizon``-step backtests alone, so a cell that lost its last period
    changes no other cell's calibration.
    """
    n = len(gap.cells_)
    span = horizon if span is None else int(span)
    if side.model is None:
        return (np.full((n, horizon), fill), None, None, np.zeros(n), np.ones(n),
                np.zeros(n, dtype=np.int64), {})
    model = side.model
    reach = horizon + int(side.lag.max())
    raw = model.predict(reach)["mean"].to_numpy(dtype=np.float64).reshape(-1, reach)
    steps = side.lag[:, None] + np.arange(horizon)[None, :]
    aligned = np.take_along_axis(raw, steps, axis=1)
    bottom = side.rows >= 0
    errors, calibration, difficulty = _calibration(model, horizon, bottom)
    # the scales of the model's own intervals: a short run of zeros takes its class's
    scale = model._series_scales(horizon) * difficulty
    if side.node is not None:
        aligned = reconciled_means(gap, side, aligned, errors)
    rows = side.rows[bottom]
    mean = np.full((n, horizon), fill)
    mean[rows] = aligned[bottom]
    scaled = _cell_errors(errors, calibration, rows, bottom, n)
    extended = None
    if span > horizon:
        errors_e, calibration_e, _ = _calibration(model, span, bottom)
        extended = _cell_errors(errors_e, calibration_e, rows, bottom, n)
    cell_scale = np.zeros(n) if fill == 0.0 else np.full(n, np.nan)
    stretch = np.ones(n)
    # short histories: their paths reach as far as their history class's intervals
    lower, upper, uncalibrated = short_history_widening(model, errors, calibration, horizon)
    cell_scale[rows] = (scale * lower)[bottom]
    stretch[rows] = (upper / lower)[bottom]
    lag = np.zeros(n, dtype=np.int64)
    lag[rows] = side.lag[bottom]
    return mean, scaled, extended, cell_scale, stretch, lag, uncalibrated


def _cell_errors(errors: np.ndarray, calibration: np.ndarray, rows: np.ndarray,
                 bottom: np.ndarray, n: int) -> np.ndarray:
    """Backtest errors over their per-origin scales, one row per cell (NaN: no series).

    A series that never changed has scale 0 and errors of 0: its scaled errors
    are 0, so its cell's (demand, supply) pairs stay in the pool.
    """
    scaled = np.full((n,) + errors.shape[1:], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled[rows] = errors[bottom] / calibration[bottom, :, None]
    still = np.zeros(scaled.shape, dtype=bool)
    still[rows] = (calibration[bottom] == 0)[:, :, None] & np.isfinite(errors[bottom])
    scaled[still] = 0.0
    return scaled


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
    frame[gap._fit_param("time")] = pd.PeriodIndex.from_ordinals(
        np.tile(gap.origin_.ordinal + 1 + np.arange(horizon), n_series), freq=gap.freq_)
    frame["mean"] = mean[order].ravel()
    residuals = None
    method = gap._fit_param("reconcile")
    if method in ("wls_var", "mint_shrink"):
        steps = min(horizon, errors.shape[2]) if method == "wls_var" else 1
        rows = errors[:, :, :steps].transpose(1, 2, 0).reshape(-1, n_series)
        residuals = np.full((rows.shape[0], hierarchy.n_nodes), np.nan)
        residuals[:, side.node] = rows
    result = reconcile(frame, hierarchy, method=method, residuals=residuals,
                       nonnegative=True)
    out = np.empty_like(mean)
    out[order] = result.forecasts["mean"].to_numpy().reshape(n_series, horizon)
    return out


def _error_pool(d_err: np.ndarray, s_err: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Centred, fenced (demand, supply) scaled errors of the usable (cell, origin) pairs.

    A pair is usable when both its errors are finite at every step. Centred:
    at every step half the paths lie above the point forecast, half below;
    gross errors are fenced in (:func:`fenced`). Shapes (pairs, steps); no
    rows when no pair is usable.
    """
    n = d_err.shape[0]
    windows = d_err.shape[1] if s_err is None else min(d_err.shape[1], s_err.shape[1])
    d_pool = d_err[:, :windows].reshape(n * windows, -1)
    usable = np.isfinite(d_pool).all(axis=1)
    if s_err is None:
        s_pool = np.zeros_like(d_pool)
    else:
        s_pool = s_err[:, :windows].reshape(n * windows, -1)
        usable &= np.isfinite(s_pool).all(axis=1)
    d_pool, s_pool = d_pool[usable], s_pool[usable]
    if not usable.any():
        return d_pool, s_pool
    d_pool, s_pool = d_pool - np.median(d_pool, axis=0), s_pool - np.median(s_pool, axis=0)
    return fenced(d_pool), fenced(s_pool)


def _key_order(cells: pd.DataFrame) -> np.ndarray | None:
    """Positions that sort the cells by their key values as text; None when they are sorted.

    Category order, and the order rows came in, play no part: the cells of
    ``["Z", "B"]`` and of ``["B", "Z"]`` give the same order.
    """
    if len(cells) < 2 or cells.shape[1] == 0:
        return None
    codes = [pd.factorize(cells[c].astype(str).to_numpy(dtype=object), sort=True)[0]
             for c in cells.columns]
    order = np.lexsort(codes[::-1])
    return None if (order == np.arange(order.size)).all() else order


def _in_order(order: np.ndarray | None, *arrays):
    """``arrays`` (one row per cell, or None) with their rows in ``order``."""
    if order is None:
        return arrays
    return tuple(None if a is None else a[order] for a in arrays)


def simulate(gap, horizon: int) -> dict:
    """Means, scaled error pool, scales, lags and draws of the sample paths.

    Every cell draws its (demand, supply) error pairs from the pool of
    ``horizon``-step backtests. A cell whose demand or supply series ends
    ``lag`` periods before the origin (its last period missing, e.g. left
    out as invalid) is forecast ``lag + 1 .. lag + horizon`` steps from its
    own end; it draws from a second pool, of backtests that long, at those
    steps, with a draw stream of its own: the other cells draw the same pairs
    as without it, from a pool that differs only by that cell's own pairs.
    The pools and the draws follow the cells sorted by their key values
    (:func:`_key_order`), so the paths of a cell do not depend on the order
    the cells (or a key's categories) came in.
    """
    n = len(gap.cells_)
    by_key = _key_order(gap.cells_)
    lags = [side.lag for side in (gap.demand_, gap.supply_) if side.lag.size]
    span = horizon + max((int(lag.max()) for lag in lags), default=0)
    d_mean, d_err, d_ext, d_scale, d_stretch, d_lag, d_uncalibrated = side_forecast(
        gap, gap.demand_, horizon, np.nan, span)
    s_mean, s_err, s_ext, s_scale, s_stretch, s_lag, s_uncalibrated = side_forecast(
        gap, gap.supply_, horizon, 0.0, span)
    warn_uncalibrated({"demand": d_uncalibrated, "supply": s_uncalibrated})
    d_mean, s_mean = np.maximum(d_mean, 0.0), np.maximum(s_mean, 0.0)

    # the pool: (cell, origin) pairs with demand and supply errors at every step needed
    d_pool, s_pool = _error_pool(*_in_order(by_key, d_err, s_err))
    pool_size = d_pool.shape[0]
    if pool_size == 0:
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
    ends_early = np.maximum(d_lag, s_lag)  # periods between a cell's last data and the origin
    lagged = ends_early > 0
    d_ext_pool = s_ext_pool = np.zeros((0, span))
    if lagged.any():
        d_ext_pool, s_ext_pool = _error_pool(*_in_order(
            by_key, d_ext if d_ext is not None else np.full((n, d_err.shape[1], span), np.nan),
            s_ext if s_err is not None else None))
        if d_ext_pool.shape[0] == 0:  # too short for backtests this long: steps of the pool
            warn(f"{int(lagged.sum())} cells end before the forecast origin, and no series is "
                 f"long enough for {span}-step backtests: their paths use the errors of "
                 f"{horizon}-step forecasts, which are likely too narrow for them",
                 DataQualityWarning, stacklevel=4)
            d_lag, s_lag = np.zeros_like(d_lag), np.zeros_like(s_lag)
            lagged = np.zeros(n, dtype=bool)
    se = getattr(gap, "demand_se_", None)
    if se is not None:  # paths for the population demand
        shift, multiplier = sampling_error_removal(d_pool.T, np.where(lagged, 0, d_lag),
                                                   d_scale, se, horizon)
        if lagged.any():
            shift_e, multiplier_e = sampling_error_removal(d_ext_pool.T, d_lag, d_scale, se,
                                                           horizon)
            shift = np.where(lagged[:, None], shift_e, shift)
            multiplier = np.where(lagged[:, None], multiplier_e, multiplier)
        d_mean = d_mean + shift
        d_scale = d_scale[:, None] * multiplier
    rng = np.random.default_rng(gap.seed_)
    # int32 halves the largest array of the simulation (cells x samples); same stream as int64
    draws = rng.integers(0, pool_size, size=(n, int(gap._fit_param("n_samples")))).astype(np.int32)
    if by_key is not None:  # the k-th row of draws is the k-th cell by key values
        draws[by_key] = draws.copy()
    if lagged.any():  # the second pool after the first, drawn from a stream of its own
        d_pool = np.concatenate([np.pad(d_pool, ((0, 0), (0, span - horizon)),
                                        constant_values=np.nan), d_ext_pool])
        s_pool = np.concatenate([np.pad(s_pool, ((0, 0), (0, span - horizon)),
                                        constant_values=np.nan), s_ext_pool])
        own = np.random.default_rng([gap.seed_, 1])
        late = np.flatnonzero(lagged) if by_key is None else by_key[lagged[by_key]]
        draws[late] = pool_size + own.integers(0, d_ext_pool.shape[0],
                                               size=(late.size, draws.shape[1]))
    d_scale, d_stretch, d_tails = analogue_widening(gap, horizon, d_mean, d_scale, d_stretch,
                                                    d_pool.T, draws, d_lag)
    simulation = {
        "demand_mean": d_mean, "supply_mean": s_mean,
        # pools step-major (steps x pairs): a draw then gathers along contiguous rows
        "d_pool": np.ascontiguousarray(d_pool.T),
        "s_pool": np.ascontiguousarray(s_pool.T),
        "d_scale": d_scale, "s_scale": s_scale, "d_lag": d_lag, "s_lag": s_lag,
        "d_stretch": d_stretch, "s_stretch": s_stretch, "d_tails": d_tails,
        "known": known, "draws": draws, "pool_size": pool_size,
        "ends_early": ends_early,
        "calibrated_short": calibrated_short(gap, horizon),
        "s_calibrated_short": calibrated_short(gap, horizon, gap.supply_),
        # the lengths whose class no series calibrates (their paths keep the pool)
        "d_uncalibrated": sorted(d_uncalibrated), "s_uncalibrated": sorted(s_uncalibrated),
        "calibrated_horizon": horizon,
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
    for name in ("d_scale", "s_scale", "d_stretch", "s_stretch", "d_tails"):
        if np.ndim(simulation.get(name)) >= 2:  # one per step
            out[name] = simulation[name][:, :horizon]
    return out


def calibrated_short(gap, horizon: int, side=None) -> np.ndarray | None:
    """Per cell: whether the demand model (or ``side``'s) calibrates it on its history class.

    The rule the sample paths widen by (over the same ``horizon`` steps);
    None when the model has no backtests to judge by.
    """
    side = gap.demand_ if side is None else side
    if side.model is None or not getattr(side.model, "n_windows", 0):
        return None
    try:
        with collect_warnings():
            by_series = side.model._short_histories(horizon)
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
             stretch: np.ndarray, out: np.ndarray | None = None,
             tails: np.ndarray | None = None) -> np.ndarray:
    """``max(mean + errors x scale, 0)`` per cell, step and sample, into float32 ``out``.

    ``scale`` is per cell, shape (block,), or per cell and step, (block, h);
    deviations above ``mean`` (the point forecast) are multiplied by the
    cell's ``stretch`` (block,) or (block, h) as well, and with ``tails``
    (block, h, 4) deviations beyond a knot by its slope, from the knot out
    (:func:`~talentgap.models._gap_analogues.analogue_widening`).

    Computed in float64 in the memory order of ``errors`` (the gathered draws,
    often step-major), then rounded once into the C-ordered float32 result.
    """
    work = np.empty_like(errors)                 # errors' layout: no strided arithmetic
    np.multiply(errors, scale.reshape(scale.shape[0], -1, 1), out=work)  # per cell or step
    factor = stretch.reshape(stretch.shape[0], -1, 1)             # per cell or step
    stretched = np.flatnonzero((factor != 1.0).any(axis=(1, 2)))   # short histories only
    if stretched.size:
        part = work[stretched]
        part *= np.where(part > 0, factor[stretched], 1.0)
        work[stretched] = part
    bent = (np.zeros(0, dtype=np.int64) if tails is None else   # analogue cells only
            np.flatnonzero((tails[:, :, 1::2] != 1.0).any(axis=(1, 2))))
    if bent.size:
        knot_lo, slope_lo, knot_hi, slope_hi = np.moveaxis(tails[bent][:, :, :, None], 2, 0)
        part = work[bent]
        work[bent] = np.where(part < knot_lo, knot_lo + (part - knot_lo) * slope_lo,
                              np.where(part > knot_hi, knot_hi + (part - knot_hi) * slope_hi,
                                       part))
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
                          None if out is None else out[0][where],
                          None if sim.get("d_tails") is None else sim["d_tails"][block])
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
