"""The longest horizon a served model can forecast, from its fitted series.

A forecaster's intervals and a gap model's sample paths are calibrated on
rolling-origin backtests of the horizon asked for: origin ``k`` holds out
each series' last ``horizon + k`` periods (plus, for a gap model, the lag
between a series' last observation and the forecast origin), refits on the
rest and compares the forecasts with the held-out values. A horizon is
answerable only when some origin leaves both a long enough history to fit
and held-out values to compare with:

- a forecaster needs one series and origin whose history keeps at least the
  model's minimum number of observations (``min_observations()``; for a
  combination, the least of its candidates') and whose held-out periods
  hold at least one observed value;
- a gap model needs one cell and origin whose demand series and supply
  series both keep that history and have every held-out period observed
  (the paths draw whole backtest error paths of a cell).

:func:`forecastable_horizon` finds the largest such horizon from the fitted
series' lengths and observation masks alone, without running a backtest, so
``GET /v1/model`` can report it and every request is checked against it.

A gap model saved without a horizon (``GapForecaster(horizon=None)``) gets
one when the service loads it, :func:`horizon_at_load`: by default two years
of its periods (8 quarters, 24 months; at least the requests' default
horizon), not the longest it can calibrate. Every answer is cut from one
simulation of that span, calibrated on backtests that hold out the whole
span, so the longer the span, the older the origins behind even the first
quarter, and the further a period's numbers move from the library's
``predict(4)`` of the same model.
"""

from __future__ import annotations

import numpy as np

from talentgap._frequencies import periods_per_year

__all__ = ["forecastable_horizon", "horizon_at_load", "HORIZON_RULES"]

#: How :func:`horizon_at_load` picks the span of a gap model saved without one (besides a
#: number of periods): two years of periods, or the longest its backtests can calibrate.
HORIZON_RULES = ("two_years", "longest")


def _usable(model, horizons: np.ndarray, lag: int, windows: int, *,
            every_step: bool) -> np.ndarray:
    """Whether each series has backtest errors at each origin, for each horizon.

    Returns a boolean array (n_series, windows, len(horizons)): True where
    origin ``k`` of the horizon (held out: ``horizon + lag + k`` periods)
    leaves at least the model's minimum history and its held-out periods
    are observed (all of them with ``every_step``, else at least one).
    """
    arrays = model.arrays_
    observed = np.asarray(arrays.observed, dtype=bool)
    n_series, width = observed.shape
    n_obs = np.asarray(arrays.n_obs, dtype=np.int64)
    least = model.min_observations()
    # unobserved periods before each column: a window's count is a difference of two
    missing = np.zeros((n_series, width + 1), dtype=np.int64)
    np.cumsum(~observed, axis=1, out=missing[:, 1:])
    out = np.zeros((n_series, windows, horizons.size), dtype=bool)
    for j, horizon in enumerate(horizons):  # a few dozen horizons, each over every series
        span = int(horizon) + lag
        for k in range(windows):  # a handful of origins
            cut = span + k
            if cut >= width:
                break
            start = width - cut
            gaps = missing[:, start + span] - missing[:, start]
            held = gaps == 0 if every_step else gaps < span
            out[:, k, j] = held & (n_obs - cut >= least)
    return out


def _forecaster_horizon(model, horizons: np.ndarray) -> np.ndarray:
    windows = int(getattr(model, "n_windows", 0) or 0)
    if windows < 1:
        return np.ones(horizons.size, dtype=bool)  # no backtest, no limit from it
    return _usable(model, horizons, 0, windows, every_step=False).any(axis=(0, 1))


def _gap_horizon(model, horizons: np.ndarray) -> np.ndarray:
    n_cells = len(model.cells_)
    sides = [side for side in (model.demand_, model.supply_) if side.model is not None]
    windows = min(int(side.model.n_windows) for side in sides)
    cells = np.ones((n_cells, windows, horizons.size), dtype=bool)
    for side in sides:
        usable = _usable(side.model, horizons, int(np.max(side.lag, initial=0)), windows,
                         every_step=True)
        rows = np.asarray(side.rows)
        bottom = rows >= 0
        per_cell = np.zeros_like(cells)
        per_cell[rows[bottom]] = usable[bottom]
        cells &= per_cell
    return cells.any(axis=(0, 1))


def forecastable_horizon(model, cap: int) -> int:
    """The largest horizon, at most ``cap``, whose backtests the model can calibrate.

    Parameters
    ----------
    model : GapForecaster or BaseForecaster
        A fitted model; only read.
    cap : int
        The most periods to consider (the service's configured maximum).

    Returns
    -------
    int
        Between 0 (no horizon can be forecast) and ``cap``. A forecaster
        without rolling origins (``n_windows == 0``) gets ``cap``; a gap
        model fitted with a fixed ``horizon`` (which it simulates for every
        request) gets that horizon, or 0 when its backtests cannot reach it.

    Examples
    --------
    >>> import talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
    >>> panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    >>> gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50).fit(panel)
    >>> forecastable_horizon(gap, 40), forecastable_horizon(gap, 4)
    (10, 4)
    """
    sides = getattr(model, "demand_", None), getattr(model, "supply_", None)
    gap = any(side is not None for side in sides)
    # a gap model fitted with a fixed span simulates it for every request, up to it only
    fixed = getattr(model, "horizon", None) if gap else None
    fixed = int(fixed) if isinstance(fixed, (int, np.integer)) and fixed >= 1 else None
    horizons = np.arange(1, max(int(cap), fixed or 0) + 1)
    if horizons.size == 0:
        return 0
    if gap and not any(side is not None and side.model is not None for side in sides):
        ok = np.ones(horizons.size, dtype=bool)
    elif gap:
        ok = _gap_horizon(model, horizons)
    else:
        ok = _forecaster_horizon(model, horizons)
    # the longest horizon up to which every shorter one is answerable too
    failing = np.flatnonzero(~ok)
    longest = int(failing[0]) if failing.size else int(horizons[-1])
    if fixed is not None:
        return min(fixed, int(cap)) if longest >= fixed else 0
    return min(longest, int(cap))


def horizon_at_load(model, cap: int, *, rule: str | int = "two_years", least: int = 4) -> int:
    """The horizon the service fixes for a gap model saved without one.

    Parameters
    ----------
    model : GapForecaster
        A fitted gap model with ``horizon=None``; only read.
    cap : int
        The most periods the service forecasts (its ``max_horizon``).
    rule : {"two_years", "longest"} or int, default "two_years"
        ``"two_years"``: two years of the model's periods (8 quarters,
        24 months, 2 years), and at least ``least``; ``"longest"``: the
        longest span its backtests can calibrate; a number: that many
        periods.
    least : int, default 4
        The requests' default horizon (the saved run's ``[forecast]
        horizon``, else 4), which ``"two_years"`` always covers.

    Returns
    -------
    int
        The span, at most the longest the model's backtests can calibrate
        within ``cap`` (:func:`forecastable_horizon`); 0 when it can
        forecast nothing.

    Raises
    ------
    ParameterError
        If the model's frequency is not annual, quarterly or monthly and
        ``rule`` is ``"two_years"``.

    Examples
    --------
    >>> import talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=16, seed=0)
    >>> panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    >>> gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50).fit(panel)
    >>> horizon_at_load(gap, 40), horizon_at_load(gap, 40, rule="longest")
    (8, 14)
    >>> horizon_at_load(gap, 6), horizon_at_load(gap, 40, least=12)
    (6, 12)
    >>> horizon_at_load(gap, 40, rule=5), horizon_at_load(gap, 40, rule=30)
    (5, 14)
    """
    longest = forecastable_horizon(model, cap)
    if rule == "longest":
        return longest
    if isinstance(rule, str):
        rule = max(2 * periods_per_year(str(model.freq_)), int(least))
    return min(int(rule), longest)
