"""Fitting, backtesting and ranking the candidates of :class:`AutoForecaster`.

Module functions that :class:`~talentgap.models.AutoForecaster` composes: the
candidates fitted side by side (sharing form fits where one chooses among a
subset of another's forms), their backtests at shorter horizons without
fitting twice, the errors of the model each candidate issues, the horizon
each series is ranked on, and the half-pooled ranking scores.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from talentgap.models.base import BaseForecaster, backtest_actuals
from talentgap.models.ets import ETS

__all__ = ["ranking_scores", "ranking_horizons", "fit_candidates", "shorter_backtests",
           "issued_errors", "mean_errors", "form_subsets"]


def ranking_scores(errors: np.ndarray) -> np.ndarray:
    """Scores that rank the candidates per series, lower is better (see AutoForecaster).

    With ``e[i, j]`` the mean absolute backtest error of candidate ``j`` on
    series ``i``, the series' own evidence is ``r[i, j] = log(e[i, j] /
    min_j e[i, j])`` and the collection's is ``c[j]``, the mean of ``r[., j]``
    over the series whose best error is positive; the score is ``(r[i, j] +
    c[j]) / 2``: the geometric mean of the candidate's relative error on the
    series and across the collection, so each counts half, as in the
    half-pooled difficulty factors of the intervals. Relative errors are
    scale-free, so large and small series count alike. Where the series'
    best error is 0, candidates with error 0 score ``c[j] / 2`` and the
    others ``inf``; NaN errors give NaN.

    Parameters
    ----------
    errors : numpy.ndarray, shape (n_series, n_candidates)
        Mean absolute backtest error of each candidate on each series (NaN
        where a candidate has none).

    Returns
    -------
    numpy.ndarray, shape (n_series, n_candidates)

    Examples
    --------
    The second series alone would rank ``b`` first, but ``a`` does much
    better on the others and keeps the lead there:

    >>> import numpy as np
    >>> errors = np.array([[1.0, 2.0], [1.1, 1.0], [1.0, 3.0]])
    >>> scores = ranking_scores(errors)
    >>> scores.round(3).tolist()
    [[0.016, 0.645], [0.064, 0.299], [0.016, 0.848]]
    >>> np.argmin(scores, axis=1).tolist()
    [0, 0, 0]
    """
    errors = np.asarray(errors, dtype=np.float64)
    finite = np.isfinite(errors)
    best = np.min(np.where(finite, errors, np.inf), axis=1, keepdims=True)
    informative = np.isfinite(best) & (best > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        own = np.log(errors) - np.log(np.where(informative, best, 1.0))
    own = np.where(informative, own, np.where(errors > 0, np.inf, 0.0))
    own = np.where(finite, own, np.nan)
    counted = informative & np.isfinite(own)
    count = counted.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        collection = np.where(count > 0, np.where(counted, own, 0.0).sum(axis=0) / count, 0.0)
    return (own + collection[None, :]) / 2.0


def shorter_backtests(models: dict[str, BaseForecaster], horizon: int,
                       fitted: dict) -> dict[str, np.ndarray]:
    """``cv_forecasts(horizon)`` of every candidate, without fitting anything twice.

    Origin ``k`` of an ``h``-step backtest holds out ``h + k`` periods, as origin
    ``k - (H - h)`` of the fit's ``H``-step backtest does: its forecasts are the
    first ``h`` steps of those, for models whose first steps do not depend on the
    horizon (``_horizon_free_prefix``, see :class:`BaseForecaster`); only the
    other origins are refitted (4-step backtests after an 8-step fit: 4 of 5
    origins). And a candidate choosing among a subset of another's forms (the
    "damped" ETS) takes them from the same form fits, as at fit. The results are
    those of each candidate's own ``cv_forecasts`` (to rounding: the form fits of
    several origins are vectorised together).
    """
    windows = int(next(iter(models.values()))._fit_param("n_windows"))
    longer = [h for h in fitted if h > horizon]
    fresh = windows if not longer else min(windows, min(longer) - horizon)
    out: dict[str, np.ndarray] = {}
    shared = form_subsets(models)
    for name, model in models.items():
        if name in out or any(name in subsets for subsets in shared.values()):
            continue  # done with the candidate whose forms include its own
        reuse = fresh < windows and model._horizon_free_prefix
        origins = fresh if reuse else windows
        if name in shared:
            out[name], others = model.cv_forecasts_with_subsets(
                horizon, {n: models[n] for n in shared[name]}, n_windows=origins)
            out.update(others)
        elif origins:  # the fitted state, shared; only the origins differ
            out[name] = model._refitted_as(n_windows=origins).cv_forecasts(horizon)
        for done in [name, *shared.get(name, [])]:
            if reuse:
                older = fitted[min(longer)][done][:, :windows - fresh, :horizon]
                out[done] = older.copy() if not fresh else np.concatenate(
                    [out[done], older], axis=1)
    return {name: out[name] for name in models}


def fit_candidates(models: dict[str, BaseForecaster], arrays, labels: dict
                    ) -> dict[str, BaseForecaster]:
    """Fit the (unfitted) candidates to ``arrays``; candidates sharing form fits in one pass."""
    without_exog = replace(arrays, exog=None, exog_names=())
    shared = form_subsets(models)
    fitted = {}
    for name, model in models.items():
        if any(name in subsets for subsets in shared.values()):
            continue  # fitted with the candidate whose forms include its own
        data = arrays if model._supports_exog else without_exog
        if name in shared:  # one pass over the chunks fits the model and its subsets
            fitted.update(model.fit_arrays_with_subsets(
                data, {n: models[n] for n in shared[name]}, **labels))
            fitted[name] = model
        else:
            fitted[name] = model.fit_arrays(data, **labels)
    return {name: fitted[name] for name in models}


def issued_errors(candidates: dict[str, BaseForecaster], arrays, horizon: int,
                   windows: int, searched: dict[str, np.ndarray]) -> np.ndarray:
    """Absolute backtest errors (n, W, h, k) of the model each candidate issues.

    A candidate that searches among forms at every origin (ETS's forms,
    Theta's seasonality test) would otherwise be ranked on models it does not
    forecast with: on 48 months, Theta's test found no season at the backtest
    origins but did on the whole series. Its backtests with the final choice
    refitted (``_calibration_forecasts``) count instead, and its ``searched``
    ones where the final choice cannot be fitted at an origin.
    """
    actual, observed = backtest_actuals(arrays, horizon, windows)
    out = []
    for name, model in candidates.items():
        issued = model._calibration_forecasts(horizon, searched[name], quiet=True)
        forecast = np.where(np.isnan(issued), searched[name], issued)
        out.append(np.where(observed, np.abs(actual - forecast), np.nan))
    return np.stack(out, axis=-1)


def mean_errors(errors: np.ndarray) -> np.ndarray:
    """Mean absolute error (n, k) over the origins and steps of errors (n, W, h, k)."""
    flat = errors.reshape(errors.shape[0], int(np.prod(errors.shape[1:-1])), errors.shape[-1])
    count = np.sum(~np.isnan(flat), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN, not a warning, when none
        return np.where(count > 0, np.nansum(flat, axis=1) / count, np.nan)


def ranking_horizons(n_obs: np.ndarray, horizon: int, season_length: int,
                     n_windows: int) -> np.ndarray:
    """Per series, the horizon of the backtests that rank its candidates.

    Origin ``k`` of an ``h``-step backtest keeps a series' first ``n - h - k``
    observations. A seasonal candidate needs two seasons (``2 m``
    observations) to be seasonal: from fewer, an origin fits its nonseasonal
    forms, and the ranking measures a model other than the one the series'
    forecast uses (on 40 months with 24-step backtests, seasonal exponential
    smoothing was ranked on origins of 12 to 16 months and lost its weight to
    worse candidates). A series long enough to be forecast by seasonal forms
    (more than ``2 m`` observations) but too short for its earliest origin of
    ``horizon`` steps to keep ``2 m`` is therefore ranked on the longest
    horizon, among ``horizon`` halved repeatedly (``horizon``, ``horizon //
    2``, ..., 1), that does (or on one step if none does). Other series, and
    all series of nonseasonal data (``m = 1``), are ranked at ``horizon``.

    Parameters
    ----------
    n_obs : numpy.ndarray of int
        Observations of each series.
    horizon : int
        The selection horizon: the longest ranking horizon.
    season_length : int
    n_windows : int
        Rolling origins of the backtests.

    Returns
    -------
    numpy.ndarray of int, same shape as ``n_obs``

    Examples
    --------
    Monthly series of 40, 48, 60 and 20 observations, 24-step selection, 5
    origins (the earliest origin keeps ``n - h - 4`` observations):

    >>> ranking_horizons(np.array([40, 48, 60, 20]), 24, 12, 5).tolist()
    [12, 12, 24, 24]
    """
    n_obs = np.asarray(n_obs)
    out = np.full(n_obs.shape, int(horizon), dtype=np.int64)
    need = 2 * int(season_length)
    if season_length <= 1:
        return out
    longest = n_obs - (int(n_windows) - 1) - need     # longest h whose origins keep `need`
    short = (longest < horizon) & (n_obs > need)
    grid = sorted({max(int(horizon) >> j, 1) for j in range(int(horizon).bit_length())})
    choice = np.searchsorted(grid, np.maximum(longest, 1), side="right") - 1
    out[short] = np.asarray(grid)[np.maximum(choice[short], 0)]
    return out


def form_subsets(models: dict[str, BaseForecaster]) -> dict[str, list[str]]:
    """Candidates that choose among a subset of another candidate's forms.

    ``{source: [names...]}`` where each named candidate is the source
    restricted to some of its explicit forms (:meth:`ETS.is_form_subset_of`;
    the default "damped" ETS and "ets", say): its fit is chosen from the
    source's form fits (:meth:`ETS.fit_arrays_with_subsets`) instead of
    fitting those forms again.
    """
    out: dict[str, list[str]] = {}
    taken: set[str] = set()
    for name, model in models.items():
        if not isinstance(model, ETS) or name in taken:
            continue
        for other, candidate in models.items():
            if other in (name, *taken, *out):
                continue
            if isinstance(candidate, ETS) and candidate.is_form_subset_of(model):
                out.setdefault(name, []).append(other)
                taken.add(other)
        if name in out:
            taken.add(name)
    return out
