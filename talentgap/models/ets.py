"""Exponential smoothing (ETS) fitted to all series at once.

The linear innovations state-space models of Hyndman, Koehler, Ord & Snyder
(*Forecasting with Exponential Smoothing*, 2008) with additive errors,
additive or damped trend and additive seasonality — ANN, AAN, AAdN, ANA,
AAA, AAdA — each also fitted to ``log(y)`` for positive series, which stands
in for multiplicative trend, seasonality and errors.

How the fit is vectorised
-------------------------
For fixed smoothing parameters the one-step errors of a linear ETS model are
an affine function of the initial state ``x0``: ``e_t = e0_t - g_t' x0``,
where ``e0`` are the errors of a run started from ``x0 = 0`` and ``g_t``
depends on the parameters only (not on the data). So for every candidate
parameter vector the least-squares optimal initial state, and with it the
sum of squared errors, follow from three running sums —
``sum e0^2``, ``sum g e0`` and ``sum g g'`` — without a numerical optimiser.
One pass over time, on arrays of (series x candidate parameters), evaluates
a whole grid of parameters for every series; the sums are read off at each
series' own length and at every rolling-origin cut, so backtests cost no
extra pass. Model forms are chosen per series by AICc (Hyndman et al. 2008,
§7.2), as ``forecast::ets`` and statsforecast's ``AutoETS`` do.
"""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd

from talentgap._registry import register, register_dataclass
from talentgap.errors import DataQualityWarning, ParameterError, warn
from talentgap.models.base import BaseForecaster

__all__ = ["ETS", "ETSForm", "ets_filter", "FORMS", "DEFAULT_FORMS"]

_ALPHAS = np.array([0.03, 0.12, 0.25, 0.42, 0.62, 0.9])
_BETA_SHARES = np.array([0.03, 0.15, 0.5])  # beta = share * alpha
_GAMMA_SHARES = np.array([0.03, 0.15, 0.45])  # gamma = share * (1 - alpha)
_PHIS = np.array([0.85, 0.95])
_TINY = 1e-10


@register_dataclass("ETSForm")
@dataclass(frozen=True)
class ETSForm:
    """One ETS model form: trend ``"N"``, ``"A"`` or ``"Ad"``; season ``"N"`` or ``"A"``.

    ``log=True`` fits the additive model to ``log(y)``.
    """

    trend: str
    season: str
    log: bool = False

    @property
    def name(self) -> str:
        core = f"A{self.trend}{self.season}"
        return f"log-{core}" if self.log else core

    @property
    def has_trend(self) -> bool:
        return self.trend != "N"

    @property
    def has_season(self) -> bool:
        return self.season != "N"

    def n_states(self, m: int) -> int:
        """Length of the state vector: level, trend, ``m`` seasonal states."""
        return 1 + self.has_trend + (m if self.has_season else 0)

    def n_initial(self, m: int) -> int:
        """Free initial states: the last seasonal state is fixed at 0 (the level absorbs it)."""
        return self.n_states(m) - (1 if self.has_season else 0)

    def n_free(self, m: int) -> int:
        """Estimated quantities (smoothing parameters + free initial states)."""
        smoothing = 1 + self.has_trend + self.has_season + (self.trend == "Ad")
        initial = 1 + self.has_trend + ((m - 1) if self.has_season else 0)
        return smoothing + initial


#: Every form the automatic search may use, by name.
FORMS = {f.name: f for f in (ETSForm(t, s, lg) for lg in (False, True)
                             for t in ("N", "A", "Ad") for s in ("N", "A"))}

#: Forms searched by default. Trended forms on the log scale (exponential
#: trends) are left out, as ``forecast::ets`` leaves out multiplicative trends
#: by default: they extrapolate growth too boldly at long horizons.
DEFAULT_FORMS = ("ANN", "AAN", "AAdN", "ANA", "AAA", "AAdA", "log-ANN", "log-ANA")


def _grid(form: ETSForm) -> np.ndarray:
    """Candidate (alpha, beta, gamma, phi) rows for a form."""
    betas = _BETA_SHARES if form.has_trend else [0.0]
    gammas = _GAMMA_SHARES if form.has_season else [0.0]
    phis = _PHIS if form.trend == "Ad" else [1.0]
    rows = [(a, b * a, g * (1 - a), p) for a, b, g, p in product(_ALPHAS, betas, gammas, phis)]
    return np.array(rows, dtype=np.float64)


class _Layout:
    """Indices of the state vector: level, trend (optional), seasonal buffer."""

    def __init__(self, form: ETSForm, m: int) -> None:
        self.form, self.m = form, (m if form.has_season else 0)
        self.trend = 1 if form.has_trend else None
        self.season0 = 1 + form.has_trend
        self.k = form.n_states(m)


def _step(layout: _Layout, x: np.ndarray, params: np.ndarray, t: int,
          y: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """One step of the recursion for states ``x`` (..., k); returns (mu, e).

    Updates ``x`` in place. ``params`` broadcasts against ``x[..., 0]`` with
    a last axis (alpha, beta, gamma, phi). With ``y=None`` the observation is
    zero (used for the response of the errors to the initial state).
    """
    alpha, beta, gamma, phi = (params[..., i] for i in range(4))
    level = x[..., 0].copy()
    mu = level.copy()
    damped_trend = None
    if layout.trend is not None:
        damped_trend = phi * x[..., layout.trend]
        mu += damped_trend
    if layout.m:
        slot = layout.season0 + t % layout.m
        season = x[..., slot].copy()
        mu += season
    e = -mu if y is None else y - mu
    x[..., 0] = level + (damped_trend if damped_trend is not None else 0.0) + alpha * e
    if layout.trend is not None:
        x[..., layout.trend] = damped_trend + beta * e
    if layout.m:
        x[..., slot] = season + gamma * e
    return mu, e


def _responses(form: ETSForm, m: int, params: np.ndarray, n_steps: int):
    """The data-free part of the errors for every candidate.

    Returns ``g`` of shape (n_steps, c, k_free) with ``e_t = e0_t - g_t . x0``
    (``x0`` without its last seasonal state, which is fixed at 0), and
    ``gram`` (n_steps + 1, c, k_free, k_free), the running sums of ``g g'``.
    """
    layout = _Layout(form, m)
    c, k, free = params.shape[0], layout.k, form.n_initial(m)
    # x holds d(state)/d(x0): one state vector per free unit initial state -> (c, free, k)
    x = np.broadcast_to(np.eye(k)[:free], (c, free, k)).copy()
    g = np.empty((n_steps, c, free))
    for t in range(n_steps):
        mu, _ = _step(layout, x, params[:, None, :], t, None)
        g[t] = mu  # d mu_t / d x0
    gram = np.zeros((n_steps + 1, c, free, free))
    np.cumsum(g[:, :, :, None] * g[:, :, None, :], axis=0, out=gram[1:])
    return g, gram


def _scan(form: ETSForm, m: int, params: np.ndarray, y: np.ndarray, g: np.ndarray,
          stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run ``x0 = 0`` for all series x candidates; sums of the errors up to ``stops``.

    Parameters
    ----------
    y : (n, T) left-aligned values (0 beyond each series' end)
    g : (T, c, free) error responses to the initial state (see :func:`_responses`)
    stops : (n, S) lengths at which the sums are wanted (0 = not needed)

    Returns
    -------
    sse0 : (n, S, c) sums of ``e0^2``; cross : (n, S, c, free) sums of ``g e0``.

    The recursion keeps level, trend and seasonal states as separate
    (candidate x series) arrays updated in place, and stops each series at
    its longest stop. The stored errors are contracted with ``g`` by one
    batched matrix product; shorter stops subtract their few tail terms.
    """
    n, n_steps = y.shape
    c = params.shape[0]
    alpha, beta, gamma, phi = (params[:, i, None] for i in range(4))
    longest = stops.max(axis=1)
    active = (np.arange(n_steps)[None, :] < longest[:, None]).astype(np.float64)
    y_active = np.ascontiguousarray((y * active).T)          # (T, n)
    active_t = np.ascontiguousarray(active.T)
    level = np.zeros((c, n))
    trend = np.zeros((c, n)) if form.has_trend else None
    season = np.zeros((m, c, n)) if form.has_season else None
    damped = form.trend == "Ad"
    errors = np.empty((c, n, n_steps))
    e = np.empty((c, n))
    step_trend = np.empty((c, n))
    for t in range(n_steps):
        # e = y - (level + phi * trend + season), zero once a series has stopped
        if trend is not None:
            np.multiply(trend, phi, out=step_trend) if damped else np.copyto(step_trend, trend)
            np.add(level, step_trend, out=e)
        else:
            np.copyto(e, level)
        if season is not None:
            slot = season[t % m]
            e += slot
        np.subtract(y_active[t], e, out=e)
        e *= active_t[t]
        errors[:, :, t] = e
        if trend is not None:
            level += step_trend
            np.multiply(beta, e, out=trend)
            trend += step_trend
        level += alpha * e
        if season is not None:
            slot += gamma * e
    g_by_candidate = np.ascontiguousarray(g.transpose(1, 0, 2))       # (c, T, free)
    sse_full = np.einsum("cnt,cnt->nc", errors, errors)
    cross_full = np.matmul(errors, g_by_candidate).transpose(1, 0, 2)  # (n, c, free)
    n_stops = stops.shape[1]
    sse0 = np.repeat(sse_full[:, None, :], n_stops, axis=1)            # (n, S, c)
    cross = np.repeat(cross_full[:, None], n_stops, axis=1)            # (n, S, c, free)
    # Shorter stops: subtract the terms after them, counted back from each series'
    # longest stop. One batched product per stop and distinct (longest stop, terms
    # dropped): a loop over lengths, not series (a balanced panel has one per stop).
    drop = longest[:, None] - stops
    rows, cols = np.nonzero((drop > 0) & (stops > 0))
    if rows.size:
        key = (longest[rows] * (n_steps + 1) + drop[rows, cols]) * n_stops + cols
        for value in np.unique(key):
            r = rows[key == value]
            length, j = divmod(int(value), n_stops)
            end, width = divmod(length, n_steps + 1)
            if r[-1] - r[0] + 1 == r.size:  # consecutive series (the rule): a view, no copy
                r = slice(int(r[0]), int(r[-1]) + 1)
            tail = errors[:, r, end - width:end]                            # (c, p, width)
            sse0[r, j] -= np.einsum("cpt,cpt->pc", tail, tail)
            cross[r, j] -= np.matmul(tail, g_by_candidate[:, end - width:end]).transpose(1, 0, 2)
    return sse0, cross


def _solve_initial(gram: np.ndarray, stops: np.ndarray, cross: np.ndarray) -> np.ndarray:
    """Least-squares initial states ``x0 = (G'G)^-1 G'e0`` for every (series, stop, candidate).

    One batched solve per distinct length (a loop over lengths, not series);
    a tiny ridge keeps nearly singular systems of short series solvable.
    """
    x0 = np.zeros_like(cross)
    free = cross.shape[-1]
    for length in np.unique(stops[stops > 0]):
        a = gram[length]                                    # (c, free, free)
        ridge = 1e-9 * np.trace(a, axis1=1, axis2=2)[:, None, None] + 1e-12
        a = a + ridge * np.eye(free)
        rows, cols = np.nonzero(stops == length)
        inverse = np.linalg.inv(a)                           # the same for every series
        b = cross[rows, cols].transpose(1, 0, 2)             # (c, p, free)
        # one (p, free) x (free, free) product per candidate: BLAS-sized, not p x c tiny ones
        x0[rows, cols] = np.matmul(b, inverse.transpose(0, 2, 1)).transpose(1, 0, 2)
    return x0


def ets_filter(y: np.ndarray, form: ETSForm, params, x0: np.ndarray, m: int = 1
               ) -> tuple[np.ndarray, np.ndarray]:
    """One-step fitted values and the final state of one series (the reference recursion).

    Parameters
    ----------
    y : array of shape (T,)
    form : ETSForm
    params : (alpha, beta, gamma, phi)
    x0 : initial state ``[level, trend?, s_0, ..., s_{m-1}]``, where seasonal
        slot ``j`` is the seasonal state used by observations ``t = j (mod m)``.
    m : season length

    Returns
    -------
    fitted : (T,) one-step predictions; state : final state vector.

    Examples
    --------
    >>> import numpy as np
    >>> fitted, state = ets_filter(np.array([1.0, 2.0, 3.0]), FORMS["ANN"],
    ...                            (0.5, 0, 0, 1), np.array([0.0]))
    >>> fitted.tolist(), state.tolist()
    ([0.0, 0.5, 1.25], [2.125])
    """
    layout = _Layout(form, m)
    x = np.array(x0, dtype=np.float64).reshape(1, layout.k).copy()
    p = np.asarray(params, dtype=np.float64).reshape(1, 4)
    fitted = np.empty(len(y))
    for t, value in enumerate(np.asarray(y, dtype=np.float64)):
        mu, _ = _step(layout, x, p[0], t, np.array([value]))
        fitted[t] = mu[0]
    return fitted, x[0]


def _forecast_states(form: ETSForm, m: int, state: np.ndarray, params: np.ndarray,
                     length: np.ndarray, horizon: int) -> np.ndarray:
    """Point forecasts (..., horizon) from states after ``length`` observations."""
    layout = _Layout(form, m)
    steps = np.arange(1, horizon + 1)
    out = np.repeat(state[..., 0:1], horizon, axis=-1)
    if layout.trend is not None:
        damp = np.cumsum(params[..., 3:4] ** steps, axis=-1)
        out = out + damp * state[..., layout.trend:layout.trend + 1]
    if layout.m:
        target = (length[..., None] + steps - 1) % layout.m
        out = out + np.take_along_axis(state[..., layout.season0:], target, axis=-1)
    return out


def _states_at(form: ETSForm, m: int, params: np.ndarray, x0: np.ndarray, y: np.ndarray,
               stops: np.ndarray) -> np.ndarray:
    """Run each (series, stop) with its own parameters and initial state.

    ``params`` (n, S, 4), ``x0`` (n, S, k); returns the states after
    ``stops`` observations, shape (n, S, k).
    """
    layout = _Layout(form, m)
    x = x0.copy()
    out = np.zeros_like(x0)
    n_steps = int(stops.max())
    for t in range(n_steps):
        _step(layout, x, params, t, y[:, t, None])
        done = stops == t + 1
        if done.any():
            out[done] = x[done]
    return out


@dataclass
class _Choice:
    """The best model of one form for every (series, stop)."""

    score: np.ndarray      # (n, S) AICc (inf where the form cannot be used)
    params: np.ndarray     # (n, S, 4)
    x0: np.ndarray         # (n, S, k)
    sigma2: np.ndarray     # (n, S)


def _fit_form(form: ETSForm, m: int, y: np.ndarray, log_y: np.ndarray | None,
              scale: np.ndarray, stops: np.ndarray) -> _Choice:
    """Grid-fit one form to every series at every stop; AICc on the original scale."""
    data = log_y if form.log else y / scale[:, None]
    params = _grid(form)
    g, gram = _responses(form, m, params, y.shape[1])
    sse0, cross = _scan(form, m, params, data, g, stops)
    x0 = _solve_initial(gram, stops, cross)     # (n, S, c, free)
    sse = np.maximum(sse0 - np.einsum("...i,...i->...", cross, x0), _TINY)
    length = stops[..., None].astype(np.float64)
    n_par = form.n_free(m) + 1                  # + the error variance
    with np.errstate(divide="ignore", invalid="ignore"):
        loglik = -0.5 * length * (np.log(2 * np.pi * sse / length) + 1.0)
        aicc = -2 * loglik + 2 * n_par + 2 * n_par * (n_par + 1) / (length - n_par - 1)
    aicc = np.where(length - n_par - 1 > 0, aicc, np.inf)
    best = np.argmin(aicc, axis=-1)             # (n, S)
    pick = best[..., None]
    score = np.take_along_axis(aicc, pick, axis=-1)[..., 0]
    if form.log:  # Jacobian of the log transform, so scores compare across scales
        score = score + 2 * _log_sums(y, stops)
    else:
        score = score + 2 * stops * np.log(scale)[:, None]
    chosen_sse = np.take_along_axis(sse, pick, axis=-1)[..., 0]
    chosen_x0 = np.take_along_axis(x0, pick[..., None], axis=2)[:, :, 0, :]
    if form.has_season:  # the fixed last seasonal state
        chosen_x0 = np.concatenate([chosen_x0, np.zeros(chosen_x0.shape[:2] + (1,))], axis=-1)
    return _Choice(
        score=np.where(np.isfinite(score), score, np.inf),
        params=params[best],
        x0=chosen_x0,
        sigma2=chosen_sse / np.maximum(stops, 1),
    )


def _log_sums(y: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """``sum(log y_t)`` over each series' first ``stops`` values (y > 0 assumed)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(y > 0, np.log(np.where(y > 0, y, 1.0)), 0.0)
    prefix = np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(logs, axis=1)], axis=1)
    return np.take_along_axis(prefix, stops, axis=1)


def _left_align(values: np.ndarray, n_obs: np.ndarray) -> np.ndarray:
    """Right-aligned rows -> left-aligned rows (zeros after each series' end)."""
    n, width = values.shape
    col = np.arange(width)[None, :] + (width - n_obs)[:, None]
    inside = col < width
    out = np.take_along_axis(values, np.minimum(col, width - 1), axis=1)
    return np.where(inside, out, 0.0)


@register("ETS", config_name="ets")
class ETS(BaseForecaster):
    """Exponential smoothing with automatic model selection, fitted to all series at once.

    Parameters
    ----------
    season_length : int, optional
        Default from the period frequency (4 quarterly, 12 monthly, 1 annual).
    model : str, default "auto"
        ``"auto"`` picks, per series, the form with the lowest AICc among
        ``forms``; or one form name: ``"ANN"``, ``"AAN"``, ``"AAdN"``, ``"ANA"``,
        ``"AAA"``, ``"AAdA"`` (prefix ``"log-"`` to fit it to ``log(y)``).
    forms : sequence of str, optional
        Candidate forms for ``model="auto"``; default :data:`DEFAULT_FORMS`
        (seasonal forms only when ``season_length > 1``; log-scale forms only
        for series that are positive throughout).
    nonnegative : bool, optional
        Keep forecasts and bounds >= 0; default: True for count data.
    n_windows : int, default 5
        Rolling origins for conformal prediction intervals.
    n_jobs : int, default 1
        Parallel jobs over chunks of series.

    Notes
    -----
    Smoothing parameters are searched on a fixed grid (alpha one of 0.03,
    0.12, 0.25, 0.42, 0.62 and 0.90; beta 0.03, 0.15 or 0.5 times alpha;
    gamma 0.03, 0.15 or 0.45 times 1 - alpha; phi 0.85 or 0.95) with
    least-squares initial states for every grid point; see
    the module docstring. Forms on the log scale give median forecasts
    ``exp(mean of log)``, which is what absolute-error metrics such as MASE
    reward.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.arange(24)
    >>> df = pd.DataFrame({"id": "a", "period": pd.period_range("2019Q1", periods=24, freq="Q"),
    ...                    "value": 100 + 2 * t + 10 * (t % 4 == 3)})
    >>> fc = ETS().fit(df, keys=["id"])
    >>> fc.fitted_summary_.loc[0, "ets_form"]
    'AAA'
    >>> fc.predict(4)["mean"].round(0).tolist()
    [148.0, 150.0, 152.0, 164.0]
    """

    _horizon_free_prefix = True  # a recursion per series: see BaseForecaster

    def __init__(self, *, season_length: int | None = None, model: str = "auto",
                 forms=None, nonnegative: bool | None = None, n_windows: int = 5,
                 n_jobs: int | None = 1) -> None:
        self.season_length = season_length
        self.model = model
        self.forms = forms
        self.nonnegative = nonnegative
        self.n_windows = n_windows
        self.n_jobs = n_jobs

    def _check_params(self) -> None:
        names = [self.model] if self.model != "auto" else list(self.forms or [])
        unknown = [n for n in names if n not in FORMS]
        if unknown:
            raise ParameterError(f"unknown ETS form(s) {unknown}; use 'auto' or one of "
                                 f"{sorted(FORMS)}")

    def _candidate_forms(self, m: int) -> list[ETSForm]:
        if self.model != "auto":
            return [FORMS[self.model]]
        names = self.forms if self.forms is not None else DEFAULT_FORMS
        return [FORMS[n] for n in names if m > 1 or not FORMS[n].has_season]

    def _min_obs(self, season_length: int) -> int:
        return 5  # the simplest form, ANN, has 2 estimates and the error variance

    def _fit_arrays(self, values, n_obs, season_length, exog):
        stops = n_obs[:, None]
        horizon = getattr(self, "backtest_horizon_", None)
        if horizon:  # the rolling origins of the coming backtest, in the same pass
            stops = np.hstack([stops, self._backtest_stops(n_obs, horizon, season_length)])
        return self._fit_stops(values, n_obs, season_length, stops, final_form=bool(horizon))

    def _backtest_stops(self, n_obs: np.ndarray, horizon: int, m: int) -> np.ndarray:
        """Series lengths at the rolling origins (0 where too short to fit)."""
        stops = n_obs[:, None] - horizon - np.arange(int(self.n_windows))[None, :]
        return np.where(stops >= self._min_obs(m), stops, 0)

    def _fit_stops(self, values: np.ndarray, n_obs: np.ndarray, m: int,
                   stops: np.ndarray, *, final_form: bool = False) -> dict:
        """Choose and fit the best form for every series at every stop (length).

        With ``final_form`` (column 0 of ``stops`` is each series' full length),
        the state also holds, under ``"final_form"``, the rolling origins
        refitted in the form chosen at full length (:meth:`_final_form`).
        """
        y = _left_align(values, n_obs)
        # Log forms only where the first `stop` values are all > 0: each rolling origin
        # judges only the values it has seen.
        col = np.arange(y.shape[1])[None, :]
        first_bad = np.where((y <= 0) & (col < n_obs[:, None]), col, y.shape[1]).min(axis=1)
        positive = stops <= first_bad[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            log_y = np.where(y > 0, np.log(np.where(y > 0, y, 1.0)), 0.0)
        scale = np.nanmean(np.abs(values), axis=1)
        scale = np.where(scale > 0, scale, 1.0)
        fits = []
        for form in self._candidate_forms(m):
            if form.has_season and m < 2:
                continue
            choice = _fit_form(form, m, y, log_y, scale, stops)
            usable = stops >= max(form.n_free(m) + 3, 3)
            if form.has_season:
                usable &= stops >= 2 * m
            if form.log:
                usable &= positive
            fits.append((form, choice, usable))
        state = self._select(fits, y, log_y, scale, m, stops)
        fixed = {"y": y, "log_y": log_y, "scale": scale, "m": m, "stops": stops,
                 "positive": positive}
        if final_form:
            state["final_form"] = self._final_form(fits, state["winner"], **fixed)
        # ETS restricted to some of these forms (fit_arrays_with_subsets): chosen from
        # the same form fits, so they are not fitted twice
        subsets = self.__dict__.get("_also_forms") or ()
        if subsets:
            state["also"] = {names: self._select([f for n in names for f in fits
                                                  if f[0].name == n], y, log_y, scale, m, stops)
                             for names in subsets}
            if final_form:
                for chosen in state["also"].values():
                    chosen["final_form"] = self._final_form(fits, chosen["winner"], **fixed)
        return state

    @staticmethod
    def _final_form(fits, winner, *, y, log_y, scale, m, stops, positive) -> dict:
        """The rolling origins refitted in each series' final form (no form search).

        Interval calibration wants the errors of the model being issued: at an
        origin where the search picked another form (short origins favour
        level-only forms: AICc's small-sample penalty on seasonal states), the
        final form's parameters and initial states are refitted on that
        origin's history instead. It needs ``n_free + 3`` observations there
        (not the search's two full seasons); an origin too short even for that
        is dropped (``"drop"``), unless the series would keep no origin at
        all, in which case its searched forecasts stay (``"searched"``).
        Only the cells that differ from the search are stored.
        """
        final = winner[:, :1]
        differs = (winner != final) & (final != "") & (stops > 0)
        differs[:, 0] = False
        out = {"forms": {}, "drop": differs.copy()}
        for form, choice, _ in fits:
            usable = stops >= max(form.n_free(m) + 3, 3)
            if form.log:
                usable &= positive
            mask = differs & (final == form.name) & usable
            rows = np.flatnonzero(mask.any(axis=1))
            if rows.size == 0:
                continue
            out["drop"] &= ~mask
            data = (log_y if form.log else y / scale[:, None])[rows]
            states = np.zeros_like(choice.x0)
            states[rows] = _states_at(form, m, choice.params[rows], choice.x0[rows], data,
                                      np.where(mask[rows], stops[rows], 0))
            out["forms"][form.name] = (form, mask, states, choice.params)
        # a series keeps at least one origin: all dropped -> its searched forecasts stay
        kept = (stops[:, 1:] > 0) & ~out["drop"][:, 1:]
        out["searched"] = out["drop"][:, 1:].any(axis=1) & ~kept.any(axis=1)
        out["drop"][out["searched"]] = False
        return out

    def _select(self, fits, y, log_y, scale, m, stops) -> dict:
        """The state of the best of the fitted ``(form, choice, usable)`` per (series, stop)."""
        best_score = np.full(stops.shape, np.inf)
        best: dict = {}
        for form, choice, usable in fits:
            better = usable & (choice.score < best_score)
            best_score = np.where(better, choice.score, best_score)
            best[form.name] = (form, choice, better)
        return self._finish(best, best_score, y, log_y, scale, m, stops)

    def _finish(self, best, best_score, y, log_y, scale, m, stops) -> dict:
        """Keep, per (series, stop), the winning form's states and parameters."""
        n, n_stops = stops.shape
        winner = np.full(stops.shape, "", dtype=object)
        result = {"m": m, "stops": stops, "forms": {}, "scale": scale}
        for name, (form, choice, _) in best.items():
            mask = (choice.score == best_score) & np.isfinite(best_score) & (winner == "")
            if not mask.any():
                continue
            winner[mask] = name
            data = log_y if form.log else y / scale[:, None]
            states = _states_at(form, m, choice.params, choice.x0, data,
                                np.where(mask, stops, 0))
            result["forms"][name] = (form, mask, states, choice.params)
        # Too short for every form: a level-only model on the mean (ANN with x0 = mean).
        result["winner"] = winner
        return result

    def _forecast_stop(self, state: dict, horizon: int, stop: int = 0, *,
                       final_form: bool = False) -> np.ndarray:
        """Forecasts from stop column ``stop``; with ``final_form``, of the final form."""
        stops, m = state["stops"], state["m"]
        n = stops.shape[0]
        out = np.full((n, horizon), np.nan)
        fixed = state.get("final_form") if final_form else None
        forms = list(state["forms"].values())
        if fixed is not None:  # the refitted final forms replace the search where it differs
            forms += list(fixed["forms"].values())
        for form, mask, states, params in forms:
            rows = np.flatnonzero(mask[:, stop])
            if rows.size == 0:
                continue
            fc = _forecast_states(form, m, states[rows, stop], params[rows, stop],
                                  stops[rows, stop], horizon)
            out[rows] = np.exp(fc) if form.log else fc * state["scale"][rows, None]
        if fixed is not None:
            out[fixed["drop"][:, stop]] = np.nan
        return out

    def _forecast_arrays(self, state, horizon, exog_future):
        return self._forecast_stop(state, horizon)

    def cv_forecasts(self, horizon: int) -> np.ndarray:
        """Forecasts from every rolling origin in one pass per chunk (see the module notes).

        When ``horizon`` was announced to :meth:`fit_arrays`, the origins were
        already fitted together with the final model and nothing is refitted.
        """
        arrays, windows = self.arrays_, int(self.n_windows)
        if horizon == getattr(self, "backtest_horizon_", None):
            out = np.full((arrays.n_series, windows, horizon), np.nan)
            for rows, chunk in zip(self.chunks_, self.states_, strict=True):
                if chunk["state"] is None or chunk["usable"].size == 0:
                    continue
                for k in range(windows):
                    out[rows[chunk["usable"]], k] = self._forecast_stop(chunk["state"], horizon,
                                                                        k + 1)
            return out
        return super().cv_forecasts(horizon)

    def _calibration_forecasts(self, horizon: int,
                               searched: np.ndarray | None = None) -> np.ndarray:
        """Backtest forecasts of each series' final form (see :meth:`_final_form`), cached.

        The errors that calibrate the intervals; :meth:`cv_forecasts` keeps the
        form search at every origin (how the model would have been chosen then),
        which is what ranking candidate models needs.
        """
        return self._memo(("final_form_cv", horizon),
                          lambda: self._final_form_cv(horizon, searched))

    def _final_form_cv(self, horizon: int,
                       searched_forecasts: np.ndarray | None) -> np.ndarray:
        arrays, windows = self.arrays_, int(self.n_windows)
        out = np.full((arrays.n_series, windows, horizon), np.nan)
        searched = np.zeros(arrays.n_series, dtype=bool)
        if horizon == getattr(self, "backtest_horizon_", None):
            for rows, chunk in zip(self.chunks_, self.states_, strict=True):
                state = chunk["state"]
                if state is None or chunk["usable"].size == 0:
                    continue
                if "final_form" not in state:  # a model saved before: the searched forms
                    return (self.cv_forecasts(horizon) if searched_forecasts is None
                            else searched_forecasts)
                kept = rows[chunk["usable"]]
                for k in range(windows):
                    out[kept, k] = self._forecast_stop(state, horizon, k + 1, final_form=True)
                searched[kept] = state["final_form"]["searched"]
        else:  # refit each series' final form alone at the origins (no other form)
            final = np.full(arrays.n_series, "", dtype=object)
            for rows, chunk in zip(self.chunks_, self.states_, strict=True):
                if chunk["state"] is not None and chunk["usable"].size:
                    final[rows[chunk["usable"]]] = chunk["state"]["winner"][:, 0]
            tasks, places = [], []
            for name in sorted(set(final) - {""}):  # a handful of forms
                rows = np.flatnonzero(final == name)
                for part in self._chunks(rows.size):
                    tasks.append((arrays.take(rows[part]), self.season_length_, horizon, name))
                    places.append(rows[part])
            results = self._parallel(self._worker()._one_form_chunk, tasks)
            for rows, (result, chunk_searched) in zip(places, results, strict=True):
                out[rows], searched[rows] = result, chunk_searched
            if searched.any():  # no origin fits the final form: the searched backtests
                if searched_forecasts is None:
                    searched_forecasts = self.cv_forecasts(horizon)
                out[searched] = searched_forecasts[searched]
        if searched.any():
            examples = arrays.ids.iloc[np.flatnonzero(searched)[:3]].astype(str)
            count = int(searched.sum())
            warn(f"{count} series {'is' if count == 1 else 'are'} too short at every "
                 f"{horizon}-step backtest origin to refit the form chosen on their whole "
                 f"history, e.g. "
                 f"{examples.to_dict('records')}; their prediction intervals are calibrated "
                 "on the errors of the forms the search chose at those origins instead, "
                 "often simpler ones with larger errors (docs/methods.md, forecast "
                 "intervals, step 1)", DataQualityWarning, stacklevel=6)
        return out

    def _one_form_chunk(self, part, m: int, horizon: int, name: str):
        """:meth:`_final_form_chunk` of series whose final form is ``name``, fitting it alone."""
        alone = copy(self)
        alone.model = name
        return alone._final_form_chunk(part, m, horizon)

    def _final_form_chunk(self, part, m: int, horizon: int):
        """A chunk's backtests in each series' final form, with the full length in the pass."""
        windows = int(self.n_windows)
        stops = np.hstack([part.n_obs[:, None], self._backtest_stops(part.n_obs, horizon, m)])
        out = np.full((part.n_series, windows, horizon), np.nan)
        searched = np.zeros(part.n_series, dtype=bool)
        if stops[:, 1:].any():
            state = self._fit_stops(part.values, part.n_obs, m, stops, final_form=True)
            for k in range(windows):
                out[:, k] = self._forecast_stop(state, horizon, k + 1, final_form=True)
            searched = state["final_form"]["searched"]
        return out, searched

    def _backtest_chunk(self, part, m: int, horizon: int) -> np.ndarray:
        """Every rolling origin of a chunk in one pass (no refit per origin).

        On a worker of :meth:`_subset_worker` returns ``(out, {forms: out})``:
        the backtests of the models restricted to those forms, from the same fits.
        """
        windows = int(self.n_windows)
        stops = self._backtest_stops(part.n_obs, horizon, m)
        out = np.full((part.n_series, windows, horizon), np.nan)
        subsets = self.__dict__.get("_also_forms") or ()
        also = {names: out.copy() for names in subsets}
        if stops.any():
            state = self._fit_stops(part.values, part.n_obs, m, stops)
            for names, chosen in [((), state), *state.get("also", {}).items()]:
                for k in range(windows):
                    (also[names] if names else out)[:, k] = self._forecast_stop(chosen,
                                                                                horizon, k)
        return (out, also) if subsets else out

    # ---- several ETS models that choose among subsets of one set of forms -------------
    def is_form_subset_of(self, other: BaseForecaster) -> bool:
        """Whether this model is ``other`` restricted to some of its forms.

        True when both are of the same class, choose the form automatically
        among explicit ``forms`` and have equal other parameters, and this
        model's forms are all among ``other``'s. Such a model can take its fit
        and backtests from ``other``'s form fits
        (:meth:`fit_arrays_with_subsets`, :meth:`cv_forecasts_with_subsets`),
        as the "damped" candidate of
        :func:`~talentgap.models.auto.default_candidates` does from "ets".

        Parameters
        ----------
        other : BaseForecaster

        Returns
        -------
        bool

        Examples
        --------
        >>> ETS(forms=("AAdN",)).is_form_subset_of(ETS(forms=("ANN", "AAdN")))
        True
        >>> ETS(forms=("AAdN",), n_windows=3).is_form_subset_of(ETS(forms=("ANN", "AAdN")))
        False
        >>> ETS(forms=("AAdN",)).is_form_subset_of(ETS())  # no explicit forms
        False
        """
        if type(other) is not type(self):
            return False
        mine, theirs = self.get_params(), other.get_params()
        if theirs["model"] != "auto" or theirs["forms"] is None or mine["forms"] is None:
            return False
        mine_rest = {k: v for k, v in mine.items() if k != "forms"}
        theirs_rest = {k: v for k, v in theirs.items() if k != "forms"}
        return mine_rest == theirs_rest and set(mine["forms"]) <= set(theirs["forms"])

    def fit_arrays_with_subsets(self, arrays, subsets: dict[str, ETS], *,
                                target: str = "value", time: str = "period",
                                keys=(), backtest_horizon: int | None = None
                                ) -> dict[str, ETS]:
        """Fit this model and ``subsets`` of its forms in one pass over the chunks.

        Every form is fitted once; each model then chooses among its own
        forms exactly as if fitted alone with :meth:`fit_arrays` (same
        chunks, same rolling origins). Only a chunk where this model's fit
        fails (an exception) falls back for all of them.

        Parameters
        ----------
        arrays : SeriesArrays
            Series laid out by :func:`talentgap.models._series.to_arrays`.
        subsets : dict of str to ETS
            Models for which :meth:`is_form_subset_of` this one holds; they
            are fitted in place.
        target, time, keys, backtest_horizon
            As for :meth:`fit_arrays`.

        Returns
        -------
        dict of str to ETS
            ``subsets``, fitted (this model is fitted too).

        Raises
        ------
        ParameterError
            If a model of ``subsets`` is not a subset of this one.

        Examples
        --------
        >>> import talentgap as tg
        >>> from talentgap.models._series import to_arrays
        >>> data = tg.datasets.make_synthetic(n_regions=1, industries=2, n_periods=16, seed=0)
        >>> arrays = to_arrays(data.truth, target="demand", time="period",
        ...                    keys=["region", "industry"])
        >>> ets = ETS(forms=("ANN", "AAdN"))
        >>> damped = ets.fit_arrays_with_subsets(arrays, {"damped": ETS(forms=("AAdN",))},
        ...                                      target="demand", keys=["region", "industry"])
        >>> alone = ETS(forms=("AAdN",)).fit_arrays(arrays, target="demand",
        ...                                          keys=["region", "industry"])
        >>> bool((damped["damped"].point_forecasts(4) == alone.point_forecasts(4)).all())
        True
        """
        forms = self._subset_forms(subsets)
        labels = {"target": target, "time": time, "keys": keys,
                  "backtest_horizon": backtest_horizon}
        self._start_fit(arrays, **labels)
        worker = self._subset_worker(tuple(forms.values()))
        fits = self._parallel(worker._fit_chunk, [(arrays.take(rows), self.season_length_)
                                                  for rows in self.chunks_])
        for name, model in subsets.items():
            model._start_fit(arrays, **labels)
            own = [({"state": None if chunk["state"] is None
                     else chunk["state"]["also"][forms[name]],
                     "usable": chunk["usable"]}, reasons) for chunk, reasons in fits]
            model._end_fit(arrays, own)
        for chunk, _ in fits:  # this model keeps only its own state
            if chunk["state"] is not None:
                chunk["state"].pop("also", None)
        self._end_fit(arrays, fits)
        return subsets

    def cv_forecasts_with_subsets(self, horizon: int, subsets: dict[str, ETS], *,
                                  n_windows: int | None = None
                                  ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Backtest forecasts of this model and of ``subsets`` of its forms, fitted once.

        Every form is fitted once per chunk at all the rolling origins; each
        model then chooses among its own forms per origin. The forecasts are
        those of each model's own :meth:`cv_forecasts` when it refits the
        origins (to rounding: the fits of several origins are vectorised
        together).

        Parameters
        ----------
        horizon : int
            Steps forecast from each origin.
        subsets : dict of str to ETS
            Fitted models for which :meth:`is_form_subset_of` this one holds.
        n_windows : int, optional
            Forecast from the first ``n_windows`` origins only (origin ``k``
            holds out each series' last ``horizon + k`` periods); default
            ``self.n_windows``, all of them.

        Returns
        -------
        own : numpy.ndarray
            Shape (n_series, n_windows, horizon), as :meth:`cv_forecasts`.
        others : dict of str to numpy.ndarray
            The same for each model of ``subsets``.

        Raises
        ------
        ParameterError
            If a model of ``subsets`` is not a subset of this one.

        Examples
        --------
        >>> import numpy as np, talentgap as tg
        >>> from talentgap.models._series import to_arrays
        >>> data = tg.datasets.make_synthetic(n_regions=1, industries=2, n_periods=16, seed=0)
        >>> arrays = to_arrays(data.truth, target="demand", time="period",
        ...                    keys=["region", "industry"])
        >>> ets, damped = ETS(forms=("ANN", "AAdN")), {"damped": ETS(forms=("AAdN",))}
        >>> _ = ets.fit_arrays_with_subsets(arrays, damped, target="demand",
        ...                                 keys=["region", "industry"])
        >>> own, others = ets.cv_forecasts_with_subsets(4, damped)
        >>> own.shape, others["damped"].shape
        ((2, 5, 4), (2, 5, 4))
        >>> bool(np.allclose(others["damped"], damped["damped"].cv_forecasts(4), equal_nan=True))
        True
        """
        self._check_fitted("cv_forecasts_with_subsets")
        forms = self._subset_forms(subsets)
        arrays = self.arrays_
        windows = int(self.n_windows if n_windows is None else n_windows)
        own = np.full((arrays.n_series, windows, horizon), np.nan)
        others = {name: own.copy() for name in forms}
        if not windows:
            return own, others
        worker = self._subset_worker(tuple(forms.values())).set_params(n_windows=windows)
        chunks = self._chunks(arrays.n_series)
        results = self._parallel(worker._backtest_chunk,
                                 [(arrays.take(rows), self.season_length_, horizon)
                                  for rows in chunks])
        for rows, (mine, also) in zip(chunks, results, strict=True):
            own[rows] = mine
            for name, names in forms.items():
                others[name][rows] = also[names]
        return own, others

    def _subset_forms(self, subsets: dict[str, ETS]) -> dict[str, tuple[str, ...]]:
        """The forms of each model of ``subsets``, checked to be among this model's."""
        wrong = [name for name, model in subsets.items() if not isinstance(model, ETS)
                 or not model.is_form_subset_of(self)]
        if wrong:
            raise ParameterError(f"{wrong} are not this ETS restricted to some of its forms "
                                 f"{self.forms!r} (see ETS.is_form_subset_of)")
        return {name: tuple(model.forms) for name, model in subsets.items()}

    def _subset_worker(self, subsets: tuple[tuple[str, ...], ...]) -> ETS:
        """A parallel worker (see ``_worker``) that also chooses among each subset of forms."""
        worker = self._worker()
        worker._also_forms = subsets
        return worker

    def _describe(self, state):
        winner = state["winner"][:, 0]
        alpha = np.full(winner.shape, np.nan)
        beta, gamma, phi = alpha.copy(), alpha.copy(), alpha.copy()
        for _form, mask, _states, params in state["forms"].values():
            rows = mask[:, 0]
            alpha[rows], beta[rows] = params[rows, 0, 0], params[rows, 0, 1]
            gamma[rows], phi[rows] = params[rows, 0, 2], params[rows, 0, 3]
        return pd.DataFrame({"ets_form": winner, "alpha": alpha, "beta": beta,
                             "gamma": gamma, "phi": phi})
