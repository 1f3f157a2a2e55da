"""The linear ETS state-space recursions, run over all series and candidates at once.

:class:`~talentgap.models.ets.ETS` fits by the scheme of its module
docstring: for fixed smoothing parameters the one-step errors are affine in
the initial state, so a grid of parameters is scored for every series by one
pass over time (:func:`scan_errors`) and a least-squares solve for the
initial states (:func:`solve_initial_states`), with the data-free part of
the errors computed once per form (:func:`error_responses`). Here are the
model form (:class:`ETSForm`), the parameter grid, those recursions, the
grid fit of one form (:func:`fit_form`), the states and point forecasts of
the chosen fits (:func:`states_at`, :func:`forecast_states`) and the
one-series reference recursion the tests compare with statsmodels
(:func:`ets_filter`). Hyndman, Koehler, Ord & Snyder, *Forecasting with
Exponential Smoothing* (2008), ch. 2-3 for the state-space form.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

from talentgap._registry import register_dataclass

__all__ = ["ETSForm", "parameter_grid", "error_responses", "scan_errors",
           "solve_initial_states", "ets_filter", "forecast_states", "states_at", "FormFit",
           "fit_form", "left_align"]

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

    def min_length(self, m: int) -> int:
        """The fewest observations this form is fitted to: the one rule fit and checks share.

        AICc needs ``length > n_par + 1`` with ``n_par`` the free quantities
        plus the error variance, so ``n_free + 3``; a seasonal form also needs
        two full seasons. ANN: 5; AAdN: 8; AAdA with ``m = 4``: 12.

        Examples
        --------
        >>> ETSForm("N", "N").min_length(4), ETSForm("Ad", "N").min_length(4)
        (5, 8)
        >>> ETSForm("Ad", "A").min_length(4), ETSForm("N", "A").min_length(12)
        (12, 24)
        """
        return max(self.n_free(m) + 3, 2 * m if self.has_season else 0, 3)



def parameter_grid(form: ETSForm) -> np.ndarray:
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


def error_responses(form: ETSForm, m: int, params: np.ndarray, n_steps: int):
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


def scan_errors(form: ETSForm, m: int, params: np.ndarray, y: np.ndarray, g: np.ndarray,
                stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run ``x0 = 0`` for all series x candidates; sums of the errors up to ``stops``.

    Parameters
    ----------
    y : (n, T) left-aligned values (0 beyond each series' end)
    g : (T, c, free) error responses to the initial state (see :func:`error_responses`)
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


def solve_initial_states(gram: np.ndarray, stops: np.ndarray, cross: np.ndarray) -> np.ndarray:
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
    >>> fitted, state = ets_filter(np.array([1.0, 2.0, 3.0]), ETSForm("N", "N"),
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


def forecast_states(form: ETSForm, m: int, state: np.ndarray, params: np.ndarray,
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


def states_at(form: ETSForm, m: int, params: np.ndarray, x0: np.ndarray, y: np.ndarray,
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
class FormFit:
    """The best model of one form for every (series, stop)."""

    score: np.ndarray      # (n, S) AICc (inf where the form cannot be used)
    params: np.ndarray     # (n, S, 4)
    x0: np.ndarray         # (n, S, k)
    sigma2: np.ndarray     # (n, S)


def fit_form(form: ETSForm, m: int, y: np.ndarray, log_y: np.ndarray | None,
             scale: np.ndarray, stops: np.ndarray) -> FormFit:
    """Grid-fit one form to every series at every stop; AICc on the original scale."""
    data = log_y if form.log else y / scale[:, None]
    params = parameter_grid(form)
    g, gram = error_responses(form, m, params, y.shape[1])
    sse0, cross = scan_errors(form, m, params, data, g, stops)
    x0 = solve_initial_states(gram, stops, cross)     # (n, S, c, free)
    sse = np.maximum(sse0 - np.einsum("...i,...i->...", cross, x0), _TINY)
    length = stops[..., None].astype(np.float64)
    n_par = form.n_free(m) + 1                  # + the error variance
    with np.errstate(divide="ignore", invalid="ignore"):
        loglik = -0.5 * length * (np.log(2 * np.pi * sse / length) + 1.0)
        aicc = -2 * loglik + 2 * n_par + 2 * n_par * (n_par + 1) / (length - n_par - 1)
    aicc = np.where(length >= form.min_length(m), aicc, np.inf)  # the rule ETS checks
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
    return FormFit(
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


def left_align(values: np.ndarray, n_obs: np.ndarray) -> np.ndarray:
    """Right-aligned rows -> left-aligned rows (zeros after each series' end)."""
    n, width = values.shape
    col = np.arange(width)[None, :] + (width - n_obs)[:, None]
    inside = col < width
    out = np.take_along_axis(values, np.minimum(col, width - 1), axis=1)
    return np.where(inside, out, 0.0)
