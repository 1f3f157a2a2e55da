"""The Theta method of forecasting, standard and optimised, for many series at once.

The Theta method (Assimakopoulos & Nikolopoulos 2000) combines the linear
trend line of a series with simple exponential smoothing (SES) of a line that
amplifies its curvature. Hyndman & Billah (2003) showed that its forecasts
equal SES with a drift: with ``b`` the slope of the least-squares line
through the (seasonally adjusted) series, ``alpha`` the SES smoothing weight,
``level`` the last SES level and ``w = 1 - 1/theta``::

    forecast(h) = level + w * b * (h - 1 + (1 - (1 - alpha)**n) / alpha)

which is the formula of statsmodels' ``ThetaModel`` (SES started at the first
observation, ``alpha`` by least squares of the one-step errors); ``theta = 2``
is the classic method, ``theta = 1`` plain SES. The optimised Theta method
(OTM; Fiorucci, Pellegrini, Louzada & Petropoulos 2016) chooses ``theta``
together with ``alpha`` to minimise the in-sample one-step mean squared
error. For a fixed ``alpha`` that error is quadratic in ``w``, so the best
``theta`` follows in closed form and only ``alpha`` is searched.

Seasonal series are first adjusted by classical decomposition (centred
moving average, then the mean ratio or difference per season position, as
R's ``decompose`` and statsmodels' ``seasonal_decompose``) and the forecasts
re-seasonalised, where the autocorrelation at the seasonal lag is
significant at the 90% level (the test of R's ``forecast::thetaf``).

Everything works on right-aligned 2-D arrays (see
:mod:`talentgap.models._series`): the SES recursion loops over time steps
on a (series x candidate alphas) array and never over series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._registry import register
from talentgap.errors import ParameterError
from talentgap.models.base import BaseForecaster

__all__ = ["Theta", "seasonal_test", "seasonal_indices"]

#: Bounds of the SES weight, as in statsmodels' ``ExponentialSmoothing``.
ALPHA_BOUNDS = (1e-4, 1.0 - 1e-4)
#: Range of theta searched by ``method="optimized"``: theta >= 1 and, as in Fiorucci et al.
#: (2016), no upper limit other than a numerical one (theta = 1e6 is the SES-with-full-drift
#: limit ``w = 1`` to six digits). An upper limit of 5 cost 2% MASE on the Tourism yearly
#: series, where many series want the full trend.
THETA_BOUNDS = (1.0, 1e6)
#: Coarse grid of alphas, then refinement rounds of a finer grid around the best.
_GRID_POINTS = 25
_REFINE_POINTS = 9
_REFINE_ROUNDS = 4
#: Critical value of the seasonality test (two-sided 10%).
_SEASONAL_Z = 1.645

_NONE, _MULTIPLICATIVE, _ADDITIVE = 0, 1, 2
_SEASONAL_NAMES = np.array(["none", "multiplicative", "additive"], dtype=object)
_METHODS = ("standard", "optimized")
_DECOMPOSITIONS = ("multiplicative", "additive")


@register("Theta", config_name="theta")
class Theta(BaseForecaster):
    """Theta method forecasts (standard or optimised theta) for every series.

    Parameters
    ----------
    season_length : int, optional
        Season length ``m``; default from the period frequency (4 for
        quarterly, 12 for monthly, 1 for annual data).
    method : {"optimized", "standard"}, default "optimized"
        ``"standard"``: the given ``theta`` for every series (``theta=2`` is
        the method of Assimakopoulos & Nikolopoulos 2000). ``"optimized"``:
        per series, the ``theta`` >= 1 and ``alpha`` that minimise the
        in-sample one-step mean squared error (OTM, Fiorucci et al. 2016).
    theta : float, default 2.0
        Theta coefficient for ``method="standard"``, >= 1 (1 is simple
        exponential smoothing; larger values weight the trend more).
    deseasonalize : {"auto", True, False}, default "auto"
        ``"auto"``: seasonally adjust a series where its autocorrelation at
        lag ``m`` is significant at the 90% level,
        ``|r_m| > 1.645 * sqrt((1 + 2 * sum_{k<m} r_k**2) / n)``. ``True``:
        adjust every series. Either way only series with at least two full
        seasons (``n >= 2m``) and ``m > 1`` are adjusted. ``False``: never.
    decomposition : {"multiplicative", "additive"}, default "multiplicative"
        Classical decomposition used for the adjustment. A multiplicative
        adjustment needs positive data; series with a value <= 0 are adjusted
        additively instead (reported in ``fitted_summary_["seasonal"]``).
    nonnegative : bool, optional
        Keep forecasts and interval bounds >= 0; default: True for count data.
    n_windows : int, default 5
        Rolling origins for the conformal prediction intervals.
    n_jobs : int, default 1
        Parallel jobs over chunks of series.

    Attributes
    ----------
    fitted_summary_ : pandas.DataFrame
        One row per series with, besides the keys and the fallback reason,
        ``theta``, ``alpha``, ``drift`` (the trend added per step,
        ``(1 - 1/theta) * b``) and ``seasonal`` (``"multiplicative"``,
        ``"additive"`` or ``"none"``).

    Notes
    -----
    ``alpha`` is found by a grid over [1e-4, 0.9999] followed by local
    refinement rounds and a final parabolic step, per series and vectorised
    over series. With ``method="standard"`` it minimises the squared
    one-step errors of SES (as statsmodels' ``ThetaModel``); with
    ``"optimized"`` those of the Theta forecast itself, with the trend slope
    fixed at its full-sample value (the static OTM). The optimised fit never
    has a larger in-sample error than the standard ``theta = 2`` fit: that
    fit is one of its candidates.

    statsmodels' ``ThetaModel`` tests seasonality with the bound
    ``1.645 * sqrt(sum_{k<m} r_k**2 / n)`` (without Bartlett's factor 2), so
    with ``deseasonalize="auto"`` a few borderline series are adjusted there
    and not here.

    References
    ----------
    Assimakopoulos, V., & Nikolopoulos, K. (2000). The theta model: a
    decomposition approach to forecasting. *International Journal of
    Forecasting*, 16(4), 521-530.

    Hyndman, R. J., & Billah, B. (2003). Unmasking the Theta method.
    *International Journal of Forecasting*, 19(2), 287-290.

    Fiorucci, J. A., Pellegrini, T. R., Louzada, F., Petropoulos, F., &
    Koehler, A. B. (2016). Models for optimising the theta method and their
    relationship to state space models. *International Journal of
    Forecasting*, 32(4), 1151-1161.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": "a", "period": pd.period_range("2020", periods=6, freq="Y"),
    ...                    "value": [10.0, 12.0, 11.0, 14.0, 15.0, 17.0]})
    >>> fc = Theta(method="standard").fit(df, keys=["id"])
    >>> fc.predict(2)["mean"].round(2).tolist()
    [17.67, 18.34]
    >>> fc.fitted_summary_[["theta", "alpha", "drift", "seasonal"]].round(3)
       theta  alpha  drift seasonal
    0    2.0    1.0  0.671     none

    With ``method="optimized"`` theta is chosen per series; this steady trend
    keeps almost all of its slope (1.34 per year) in the drift:

    >>> Theta().fit(df, keys=["id"]).fitted_summary_[["theta", "drift"]].round(3)
        theta  drift
    0  25.855  1.291
    """

    _horizon_free_prefix = True  # a recursion per series: see BaseForecaster
    _has_fitted_values = True  # the SES pass's one-step forecasts: see fitted_values()

    def __init__(self, *, season_length: int | None = None, method: str = "optimized",
                 theta: float = 2.0, deseasonalize: bool | str = "auto",
                 decomposition: str = "multiplicative", nonnegative: bool | None = None,
                 n_windows: int = 5, n_jobs: int | None = 1) -> None:
        self.season_length = season_length
        self.method = method
        self.theta = theta
        self.deseasonalize = deseasonalize
        self.decomposition = decomposition
        self.nonnegative = nonnegative
        self.n_windows = n_windows
        self.n_jobs = n_jobs

    # ---- the BaseForecaster hooks -------------------------------------------------------
    def _min_obs(self, season_length: int) -> int:
        return 3

    def _check_params(self) -> None:
        if not isinstance(self.method, str) or self.method not in _METHODS:
            raise ParameterError(f"method == {self.method!r}, must be one of {list(_METHODS)}")
        theta = self.theta
        if (isinstance(theta, (bool, np.bool_)) or not isinstance(theta, (int, float, np.number))
                or not np.isfinite(theta) or theta < 1):
            raise ParameterError(f"theta == {theta!r}, must be a finite number >= 1 "
                                 "(1 is simple exponential smoothing, 2 the classic method)")
        if not (self.deseasonalize == "auto" or isinstance(self.deseasonalize, (bool, np.bool_))):
            raise ParameterError(f"deseasonalize == {self.deseasonalize!r}, must be 'auto', "
                                 "True or False")
        if not isinstance(self.decomposition, str) or self.decomposition not in _DECOMPOSITIONS:
            raise ParameterError(f"decomposition == {self.decomposition!r}, must be one of "
                                 f"{list(_DECOMPOSITIONS)}")

    def _fit_arrays(self, values: np.ndarray, n_obs: np.ndarray, season_length: int,
                    exog: np.ndarray | None, *, kind: np.ndarray | None = None) -> dict:
        m = int(season_length)
        kind, indices = self._seasonal_kind(values, n_obs, m, kind)
        adjusted = _adjust(values, n_obs, kind, indices, m)
        slope = _ols_slope(adjusted)
        alpha, _ = _search_alpha(adjusted, slope, optimise_theta=False)
        theta = np.full(values.shape[0], float(self.theta))
        w = 1.0 - 1.0 / theta
        if self.method == "optimized":
            w = np.full(values.shape[0], 0.5)  # the standard theta = 2 fit is a candidate
            standard = _ses_pass(adjusted, alpha[:, None], slope)
            standard_mse = _profile_loss(standard, w[:, None])[0][:, 0]
            alpha_opt, (mse, w_opt) = _search_alpha(adjusted, slope, optimise_theta=True)
            better = mse < standard_mse
            alpha = np.where(better, alpha_opt, alpha)
            w = np.where(better, w_opt, w)
            theta = np.where(better, 1.0 / (1.0 - w_opt), 2.0)
        final = _ses_pass(adjusted, alpha[:, None], slope)
        return {
            "level": final.level[:, 0],
            "c": final.c[:, 0],
            "slope": slope,
            "w": w,
            "theta": theta,
            "alpha": alpha,
            "n_obs": np.asarray(n_obs, dtype=np.int64).copy(),
            "kind": kind,
            "indices": indices,
            "m": m,
        }

    def _forecast_arrays(self, state: dict, horizon: int,
                         exog_future: np.ndarray | None) -> np.ndarray:
        steps = np.arange(horizon, dtype=np.float64)  # h - 1
        trend = state["w"] * state["slope"]
        mean = state["level"][:, None] + trend[:, None] * (steps[None, :] + state["c"][:, None])
        kind = state["kind"]
        if (kind != _NONE).any():
            m = state["m"]
            position = (state["n_obs"][:, None] + np.arange(horizon)[None, :]) % m
            factor = np.take_along_axis(state["indices"], position, axis=1)
            mean = np.where((kind == _MULTIPLICATIVE)[:, None], mean * factor,
                            np.where((kind == _ADDITIVE)[:, None], mean + factor, mean))
        return mean

    def _fitted_arrays(self, state: dict, values: np.ndarray, n_obs: np.ndarray) -> np.ndarray:
        """One-step Theta forecasts ``l_{t-1} + w b c_{t-1}`` (as scored by ``_ses_pass``),
        seasonally re-adjusted."""
        m, kind = state["m"], state["kind"]
        adjusted = _adjust(values, n_obs, kind, state["indices"], m)
        alpha, trend = state["alpha"], state["w"] * state["slope"]
        level, c = np.full(values.shape[0], np.nan), np.ones(values.shape[0])
        out = np.full(values.shape, np.nan)
        for j in range(values.shape[1]):  # a loop over time steps, all series at once
            out[:, j] = level + trend * c
            error = adjusted[:, j] - level
            ok = ~np.isnan(error)
            level = np.where(ok, level + alpha * error, adjusted[:, j])
            c = np.where(ok, 1.0 + (1.0 - alpha) * c, 1.0)
        if (kind != _NONE).any():
            factor = np.take_along_axis(state["indices"], _positions(values, n_obs, m), axis=1)
            out = np.where((kind == _MULTIPLICATIVE)[:, None], out * factor,
                           np.where((kind == _ADDITIVE)[:, None], out + factor, out))
        return out

    def _calibration_forecasts(self, horizon: int, searched: np.ndarray | None = None, *,
                               quiet: bool = False) -> np.ndarray:
        """Backtests with each series' final seasonal adjustment kept at every origin.

        The seasonality test is weak on short histories, so at a short origin
        a series adjusted on its whole history is often left unadjusted: the
        errors of that other model would calibrate its intervals. Here the
        final choice is kept and only the indices, smoothing and theta are
        refitted; an origin under two seasons is dropped, unless the series
        would keep none (then its :meth:`cv_forecasts`, or ``searched`` when
        given, stay). Cached.
        """
        return self._memo(("final_kind_cv", horizon),
                          lambda: self._final_kind_cv(horizon, searched))

    def _final_kind_cv(self, horizon: int, searched: np.ndarray | None) -> np.ndarray:
        if searched is None:
            searched = self.cv_forecasts(horizon)
        arrays, m = self.arrays_, self.season_length_
        refit = self._worker()  # the parameters of the fit, whatever was set since
        final = np.full(arrays.n_series, _NONE, dtype=np.int64)
        for rows, chunk in zip(self.chunks_, self.states_, strict=True):
            if chunk["state"] is not None:
                final[rows[chunk["usable"]]] = chunk["state"]["kind"]
        out = searched.copy()
        drop = np.zeros(out.shape[:2], dtype=bool)
        width = arrays.values.shape[1]
        parts, cells = [], []
        for k in range(out.shape[1]):  # a handful of origins
            cut = horizon + k
            if cut >= width:
                break
            train = arrays.truncate(cut)
            rows = np.flatnonzero((final != _NONE) & (train.n_obs >= self._min_obs(m)))
            if rows.size == 0:
                continue
            part = train.take(rows)
            # refit only where the searched backtest may have chosen another adjustment:
            # none (too short, or the test fails), or multiplicative for an additive one
            with np.errstate(invalid="ignore"):
                positive = ~(np.nanmin(part.values, axis=1) <= 0)
            differs = ((part.n_obs < 2 * m) | ~seasonal_test(part.values, part.n_obs, m)
                       | ((final[rows] == _ADDITIVE) & positive
                          & (refit.decomposition == "multiplicative")))
            if differs.any():
                keep = np.flatnonzero(differs)
                values = part.values[keep]  # right-aligned: pad on the left to one width
                parts.append((np.hstack([np.full((keep.size, cut), np.nan), values]),
                              part.n_obs[keep]))
                cells.append((rows[keep], k))
        if parts:  # every origin's refits in one vectorised fit
            values = np.vstack([v for v, _ in parts])
            n_obs = np.concatenate([n for _, n in parts])
            rows = np.concatenate([r for r, _ in cells])
            state = refit._fit_arrays(values, n_obs, m, None, kind=final[rows])
            mean = refit._forecast_arrays(state, horizon, None)
            ok = (state["kind"] != _NONE) & np.isfinite(mean).all(axis=1)
            origin = np.concatenate([np.full(r.size, k) for r, k in cells])
            out[rows[ok], origin[ok]] = mean[ok]
            drop[rows[~ok], origin[~ok]] = True
        kept = np.isfinite(searched).any(axis=2) & ~drop
        drop &= kept.any(axis=1)[:, None]
        out[drop] = np.nan
        return out

    def _describe(self, state: dict) -> pd.DataFrame:
        return pd.DataFrame({
            "theta": state["theta"],
            "alpha": state["alpha"],
            "drift": state["w"] * state["slope"],
            "seasonal": _SEASONAL_NAMES[state["kind"]],
        })

    # ---- seasonal adjustment ------------------------------------------------------------
    def _seasonal_kind(self, values: np.ndarray, n_obs: np.ndarray, m: int,
                       forced: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per series: which adjustment (code) and the seasonal indices (n_series, m).

        ``forced`` (codes per series): adjust exactly those series (no test),
        where two seasons allow it; the backtests that calibrate intervals.
        """
        n_series = values.shape[0]
        kind = np.full(n_series, _NONE, dtype=np.int64)
        indices = np.zeros((n_series, max(m, 1)))
        auto = isinstance(self.deseasonalize, str) and forced is None
        if m < 2 or not (auto or forced is not None or bool(self.deseasonalize)) or not (
                n_obs >= 2 * m).any():
            return kind, indices
        eligible = n_obs >= 2 * m
        if forced is not None:
            eligible &= forced != _NONE
        elif auto:
            eligible &= seasonal_test(values, n_obs, m)
        if not eligible.any():
            return kind, indices
        multiplicative = np.zeros(n_series, dtype=bool)
        if self.decomposition == "multiplicative":
            with np.errstate(invalid="ignore"):
                multiplicative = ~(np.nanmin(values, axis=1) <= 0)
        mult_index, add_index = seasonal_indices(values, n_obs, m)
        # A multiplicative index <= 0 (possible only from rounding) means additive, as statsmodels
        mult_ok = multiplicative & np.isfinite(mult_index).all(axis=1) & (mult_index > 0).all(
            axis=1)
        kind[eligible] = np.where(mult_ok, _MULTIPLICATIVE, _ADDITIVE)[eligible]
        indices = np.where((kind == _MULTIPLICATIVE)[:, None], mult_index,
                           np.where((kind == _ADDITIVE)[:, None], add_index, 0.0))
        return kind, indices


# ---- seasonal helpers (vectorised over series) ---------------------------------------------
def _positions(values: np.ndarray, n_obs: np.ndarray, m: int) -> np.ndarray:
    """Season position of every cell, counted from each series' first observation."""
    start = values.shape[1] - np.asarray(n_obs)
    return (np.arange(values.shape[1])[None, :] - start[:, None]) % m


def seasonal_test(values: np.ndarray, n_obs: np.ndarray, m: int) -> np.ndarray:
    """Whether each series' autocorrelation at lag ``m`` is significant at the 90% level.

    The test of R's ``forecast::thetaf`` and statsforecast's ``AutoTheta``:
    ``|r_m| > 1.645 * sqrt((1 + 2 * sum_{k=1}^{m-1} r_k**2) / n)``, with
    ``r_k`` the sample autocorrelations. Constant series are never seasonal.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(24.0)
    >>> values = np.vstack([10 + np.tile([1.0, 3.0, 2.0, 5.0], 6), 10 + 0.5 * t])
    >>> seasonal_test(values, np.array([24, 24]), 4).tolist()
    [True, False]
    """
    n_obs = np.asarray(n_obs)
    with np.errstate(invalid="ignore", divide="ignore"):
        centred = values - np.nanmean(values, axis=1, keepdims=True)
        denominator = np.nansum(centred**2, axis=1)
        acf = np.stack([np.nansum(centred[:, k:] * centred[:, :-k], axis=1) / denominator
                        for k in range(1, m + 1)], axis=1)
        bound = _SEASONAL_Z * np.sqrt((1 + 2 * np.sum(acf[:, :-1] ** 2, axis=1)) / n_obs)
        return (denominator > 0) & (n_obs > m) & (np.abs(acf[:, -1]) > bound)


def seasonal_indices(values: np.ndarray, n_obs: np.ndarray,
                     m: int) -> tuple[np.ndarray, np.ndarray]:
    """Classical seasonal indices, multiplicative and additive, shape (n_series, m) each.

    The trend is the centred moving average of order ``m`` (``2 x m`` for even
    ``m``); each season position's index is the mean ratio (difference) of the
    series to the trend, normalised to mean 1 (0), as statsmodels'
    ``seasonal_decompose``. Position 0 is each series' first observation.
    Multiplicative indices of series with values <= 0 are meaningless.

    Examples
    --------
    >>> import numpy as np
    >>> values = np.array([[np.nan, np.nan, 2.0, 4.0, 2.0, 4.0, 2.0, 4.0]])
    >>> mult, add = seasonal_indices(values, np.array([6]), 2)
    >>> mult.round(3).tolist(), add.tolist()
    ([[0.667, 1.333]], [[-1.0, 1.0]])
    """
    n_series, width = values.shape
    half = m // 2
    weights = (np.r_[0.5, np.ones(m - 1), 0.5] if m % 2 == 0 else np.ones(m)) / m
    trend = np.full_like(values, np.nan)
    if width > 2 * half:
        inner = width - 2 * half
        total = np.zeros((n_series, inner))
        for k, weight in enumerate(weights):
            total += weight * values[:, k:k + inner]
        trend[:, half:half + inner] = total
    group = np.arange(n_series)[:, None] * m + _positions(values, n_obs, m)
    out = []
    with np.errstate(invalid="ignore", divide="ignore"):
        for detrended in (values / trend, values - trend):
            ok = np.isfinite(detrended)
            sums = np.bincount(group[ok], detrended[ok], minlength=n_series * m)
            counts = np.bincount(group[ok], minlength=n_series * m)
            average = (sums / counts).reshape(n_series, m)
            out.append(average)
        mult = out[0] / out[0].mean(axis=1, keepdims=True)
        add = out[1] - out[1].mean(axis=1, keepdims=True)
    return mult, add


def _adjust(values: np.ndarray, n_obs: np.ndarray, kind: np.ndarray, indices: np.ndarray,
            m: int) -> np.ndarray:
    """Seasonally adjusted values (unchanged rows where ``kind`` is none)."""
    if not (kind != _NONE).any():
        return values
    factor = np.take_along_axis(indices, _positions(values, n_obs, m), axis=1)
    multiplicative = (kind == _MULTIPLICATIVE)[:, None]
    ratio = values / np.where(multiplicative, factor, 1.0)
    return np.where(multiplicative, ratio,
                    np.where((kind == _ADDITIVE)[:, None], values - factor, values))


# ---- trend and SES (vectorised over series x candidates) -----------------------------------
def _ols_slope(values: np.ndarray) -> np.ndarray:
    """Least-squares slope per row over its observed (non-NaN) values; 0 for one value."""
    t = np.broadcast_to(np.arange(values.shape[1], dtype=np.float64), values.shape)
    t = np.where(np.isnan(values), np.nan, t)
    with np.errstate(invalid="ignore", divide="ignore"):
        dt = t - np.nanmean(t, axis=1, keepdims=True)
        dy = values - np.nanmean(values, axis=1, keepdims=True)
        slope = np.nansum(dt * dy, axis=1) / np.nansum(dt * dt, axis=1)
    return np.where(np.isfinite(slope), slope, 0.0)


class _Pass:
    """Result of one SES pass: final level, ``c_n`` and sums of the one-step errors."""

    __slots__ = ("level", "c", "see", "sed", "sdd", "count")

    def __init__(self, level, c, see, sed, sdd, count):
        self.level, self.c, self.see, self.sed, self.sdd, self.count = (
            level, c, see, sed, sdd, count)


def _ses_pass(values: np.ndarray, alpha: np.ndarray, slope: np.ndarray) -> _Pass:
    """Run SES with every candidate ``alpha`` (n_series x k) over all series at once.

    SES starts at each series' first observation (``level = y_1``). With ``e_t``
    the one-step SES error of ``y_{t+1}`` and ``d_t = b * c_t``, where
    ``c_t = (1 - (1 - alpha)**t) / alpha`` after ``t`` observations, the
    Theta one-step error is ``e_t - w * d_t``; the pass accumulates
    ``sum e**2``, ``sum e*d`` and ``sum d**2`` so that any ``w`` can be scored.
    """
    n_series, width = values.shape
    shape = np.broadcast_shapes(alpha.shape, (n_series, 1))
    level = np.full(shape, np.nan)
    c = np.ones(shape)
    see, sed, sdd = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    decay = 1.0 - alpha
    b = slope[:, None]
    seen = np.zeros(n_series, dtype=bool)  # series with a level (observed before)
    for j in range(width):
        present = ~np.isnan(values[:, j])
        y = values[:, j, None]
        error = y - level
        if (present & seen).all():  # no series starts or skips here: the same sums, fewer passes
            d = b * c
            see += error * error
            sed += error * d
            sdd += d * d
            level = level + alpha * error
            c = 1.0 + decay * c
        else:
            ok = ~np.isnan(error)
            error = np.where(ok, error, 0.0)
            d = np.where(ok, b * c, 0.0)
            see += error * error
            sed += error * d
            sdd += d * d
            level = np.where(ok, level + alpha * error, y)
            c = np.where(ok, 1.0 + decay * c, 1.0)
        seen |= present
    count = np.maximum(np.sum(~np.isnan(values), axis=1) - 1, 1)[:, None]
    return _Pass(level, c, see, sed, sdd, count)


def _best_w(result: _Pass) -> np.ndarray:
    """The ``w = 1 - 1/theta`` minimising the one-step errors, theta in THETA_BOUNDS."""
    low, high = (1.0 - 1.0 / t for t in THETA_BOUNDS)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = result.sed / result.sdd
    return np.where(result.sdd > 0, np.clip(w, low, high), 0.5)


def _profile_loss(result: _Pass, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean squared one-step error of the Theta forecast for trend weight ``w``."""
    sse = result.see - 2.0 * w * result.sed + w * w * result.sdd
    return np.maximum(sse, 0.0) / result.count, w


def _score(values, slope, alpha, optimise_theta):
    result = _ses_pass(values, alpha, slope)
    if optimise_theta:
        return _profile_loss(result, _best_w(result))
    return result.see / result.count, None


def _search_alpha(values: np.ndarray, slope: np.ndarray, *, optimise_theta: bool):
    """Per-series alpha (and w) minimising the one-step MSE: grid, refinement, parabola.

    Returns ``alpha`` and, for ``optimise_theta``, ``(mse, w)`` at that alpha.
    """
    n_series = values.shape[0]
    rows = np.arange(n_series)
    low, high = ALPHA_BOUNDS
    grid = np.broadcast_to(np.linspace(low, high, _GRID_POINTS), (n_series, _GRID_POINTS))
    best_alpha = np.full(n_series, low)
    best_loss = np.full(n_series, np.inf)
    spacing = np.full(n_series, (high - low) / (_GRID_POINTS - 1))
    for round_ in range(_REFINE_ROUNDS + 1):
        if round_:
            lo = np.clip(best_alpha - spacing, low, high)
            hi = np.clip(best_alpha + spacing, low, high)
            fraction = np.linspace(0.0, 1.0, _REFINE_POINTS)
            grid = lo[:, None] + (hi - lo)[:, None] * fraction[None, :]
            spacing = (hi - lo) / (_REFINE_POINTS - 1)
        loss, _ = _score(values, slope, grid, optimise_theta)
        loss = np.where(np.isfinite(loss), loss, np.inf)
        k = np.argmin(loss, axis=1)
        better = loss[rows, k] < best_loss
        best_alpha = np.where(better, grid[rows, k], best_alpha)
        best_loss = np.where(better, loss[rows, k], best_loss)
    # A parabola through the best point and its neighbours usually lands closer still.
    points = np.clip(best_alpha[:, None] + spacing[:, None] * np.array([-1.0, 0.0, 1.0]),
                     low, high)
    loss, _ = _score(values, slope, points, optimise_theta)
    left, mid, right = loss[:, 0], loss[:, 1], loss[:, 2]
    with np.errstate(invalid="ignore", divide="ignore"):
        curvature = left - 2.0 * mid + right
        shift = 0.5 * spacing * (left - right) / curvature
    usable = (curvature > 0) & (np.abs(shift) <= spacing) & np.isfinite(shift)
    vertex = np.clip(np.where(usable, best_alpha + shift, best_alpha), low, high)
    vertex_loss, _ = _score(values, slope, vertex[:, None], optimise_theta)
    best_alpha = np.where(vertex_loss[:, 0] < best_loss, vertex, best_alpha)
    if not optimise_theta:
        return best_alpha, None
    result = _ses_pass(values, best_alpha[:, None], slope)
    w = _best_w(result)
    mse, _ = _profile_loss(result, w)
    return best_alpha, (mse[:, 0], w[:, 0])
