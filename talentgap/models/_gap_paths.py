"""Joint sample paths of demand and supply for :class:`~talentgap.models.GapForecaster`.

How the paths are drawn is described in :mod:`talentgap.models.gap`: pairs of
scaled backtest error vectors (demand and supply of one cell and origin) are
pooled over cells, and each path of a cell adds one drawn pair, scaled back
by the cell's own scales, to its mean forecasts. These helpers hold the
arithmetic: :func:`simulate` gathers what the paths need for one horizon and
the draws, :func:`path_blocks` materialises the paths a block of cells at a
time so memory stays bounded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.errors import ParameterError, collect_warnings
from talentgap.models._conformal import series_scale
from talentgap.models.reconciliation import reconcile

__all__ = ["side_forecast", "reconciled_means", "simulate", "path_blocks"]

#: Cells per block when drawing sample paths (bounds memory to ~ block x samples x horizon).
_BLOCK_VALUES = 4_000_000

def side_forecast(gap, side, horizon: int, fill: float):
    """Per cell: aligned means (n, h), scaled errors (n, W, H), scales (n,), lags (n,).

    Cells without a model get ``fill`` as mean, scale 0 and NaN errors.
    """
    n = len(gap.cells_)
    if side.model is None:
        return (np.full((n, horizon), fill), None, np.zeros(n), np.zeros(n, dtype=np.int64))
    model = side.model
    span = horizon + int(side.lag.max())
    raw = model.predict(span)["mean"].to_numpy(dtype=np.float64).reshape(-1, span)
    steps = side.lag[:, None] + np.arange(horizon)[None, :]
    aligned = np.take_along_axis(raw, steps, axis=1)
    with collect_warnings():  # the caller warns about the pool as a whole
        errors = model.cv_errors(span)
    scale = series_scale(model.arrays_.values, model.season_length_)
    if side.node is not None:
        aligned = reconciled_means(gap, side, aligned, errors)
    bottom = side.rows >= 0
    rows = side.rows[bottom]
    mean = np.full((n, horizon), fill)
    mean[rows] = aligned[bottom]
    scaled = np.full((n,) + errors.shape[1:], np.nan)
    scaled[rows] = errors[bottom] / scale[bottom, None, None]
    cell_scale = np.zeros(n) if fill == 0.0 else np.full(n, np.nan)
    # short histories: their paths widen as their own intervals do (history-class
    # calibration of the inner forecaster; a factor of 1 for long series)
    cell_scale[rows] = (scale * model.short_history_factors(span))[bottom]
    lag = np.zeros(n, dtype=np.int64)
    lag[rows] = side.lag[bottom]
    return mean, scaled, cell_scale, lag


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
    d_mean, d_err, d_scale, d_lag = side_forecast(gap, gap.demand_, horizon, np.nan)
    s_mean, s_err, s_scale, s_lag = side_forecast(gap, gap.supply_, horizon, 0.0)
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
    rng = np.random.default_rng(gap.seed_)
    pool_size = int(usable.sum())
    draws = rng.integers(0, pool_size, size=(n, int(gap.n_samples)))
    simulation = {
        "demand_mean": d_mean, "supply_mean": s_mean,
        "d_pool": d_pool[usable], "s_pool": s_pool[usable],
        "d_scale": d_scale, "s_scale": s_scale, "d_lag": d_lag, "s_lag": s_lag,
        "known": known, "draws": draws, "pool_size": pool_size,
    }
    return simulation

def path_blocks(sim: dict):
    """Yield ``(rows, demand, supply)`` samples, each (block, n_samples, horizon)."""
    horizon = sim["demand_mean"].shape[1]
    n, samples = sim["draws"].shape
    size = max(1, _BLOCK_VALUES // max(1, samples * horizon))
    steps = np.arange(horizon)
    for start in range(0, n, size):
        rows = np.arange(start, min(start + size, n))
        draw = sim["draws"][rows][:, :, None]
        d_steps = (sim["d_lag"][rows][:, None] + steps)[:, None, :]
        s_steps = (sim["s_lag"][rows][:, None] + steps)[:, None, :]
        demand = (sim["demand_mean"][rows][:, None, :]
                  + sim["d_pool"][draw, d_steps] * sim["d_scale"][rows][:, None, None])
        supply = (sim["supply_mean"][rows][:, None, :]
                  + sim["s_pool"][draw, s_steps] * sim["s_scale"][rows][:, None, None])
        known = sim["known"][rows][:, None, :]
        supply = np.where(known, sim["supply_mean"][rows][:, None, :], supply)
        yield rows, np.maximum(demand, 0.0), np.maximum(supply, 0.0)
