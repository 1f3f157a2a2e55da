"""Exponential smoothing (ETS) fitted to all series at once.

The linear innovations state-space models of Hyndman, Koehler, Ord & Snyder
(*Forecasting with Exponential Smoothing*, 2008) with additive errors,
additive or damped trend and additive seasonality — ANN, AAN, AAdN, ANA,
AAA, AAdA — each also fitted to ``log(y)`` for positive series, which stands
in for multiplicative trend, seasonality and errors. For a log-scale form the
``mean`` column of the forecast is ``exp(mean of log)``: the median of the
forecast distribution, below its mean when the series is right-skewed (the
mean of a log-normal forecast would be ``exp(mu + sigma**2 / 2)``).

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

The model forms (:class:`ETSForm`, kept importable from here), the
recursions and the grid fit of one form are in
:mod:`talentgap.models._ets_state_space`; the sharing of form fits between
models restricted to subsets of one set of forms (the "damped" candidate of
:class:`~talentgap.models.AutoForecaster`) is in
:mod:`talentgap.models._ets_subsets`. This module holds the estimator: form
selection, the interval calibration on each series' final form, and the
forecasts.
"""

from __future__ import annotations

from copy import copy

import numpy as np
import pandas as pd

from talentgap._registry import register
from talentgap.errors import DataQualityWarning, ParameterError, warn
from talentgap.models._ets_state_space import (
    ETSForm,
    _Layout,
    _step,
    ets_filter,
    fit_form,
    forecast_states,
    left_align,
    states_at,
)
from talentgap.models._ets_subsets import FormSubsetsMixin
from talentgap.models.base import BaseForecaster

__all__ = ["ETS", "ETSForm", "ets_filter", "FORMS", "DEFAULT_FORMS"]

#: Every form the automatic search may use, by name.
FORMS = {f.name: f for f in (ETSForm(t, s, lg) for lg in (False, True)
                             for t in ("N", "A", "Ad") for s in ("N", "A"))}

#: Forms searched by default. Trended forms on the log scale (exponential
#: trends) are left out, as ``forecast::ets`` leaves out multiplicative trends
#: by default: they extrapolate growth too boldly at long horizons.
DEFAULT_FORMS = ("ANN", "AAN", "AAdN", "ANA", "AAA", "AAdA", "log-ANN", "log-ANA")


@register("ETS", config_name="ets")
class ETS(FormSubsetsMixin, BaseForecaster):
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
    the module docstring. Forms on the log scale (``log-ANN``, ``log-ANA``,
    ...) give median forecasts: their ``mean`` column is ``exp(mean of log)``,
    which is what absolute-error metrics such as MASE reward, and lies below
    the expected value of a right-skewed series. The expected values of
    :class:`~talentgap.models.GapForecaster` (``demand``, ``supply``, ``gap``:
    means of its sample paths) are centred on this point forecast as their
    median and add the backtest errors around it, so they pick up the skew.

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
    _has_fitted_values = True  # the filter's one-step predictions: see fitted_values()

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
        model, forms = self._fit_param("model"), self._fit_param("forms")  # also after fit
        if model != "auto":
            return [FORMS[model]]
        names = forms if forms is not None else DEFAULT_FORMS
        return [FORMS[n] for n in names if m > 1 or not FORMS[n].has_season]

    def _min_obs(self, season_length: int) -> int:
        # the shortest series one of the forms fits (ANN: 5, the damped forms: 8), by the
        # rule fit_form applies, so a series this long is fitted, not a non-finite fallback
        forms = self._candidate_forms(season_length) or [FORMS["ANN"]]
        return min(form.min_length(season_length) for form in forms)

    def _fit_arrays(self, values, n_obs, season_length, exog):
        stops = n_obs[:, None]
        horizon = getattr(self, "backtest_horizon_", None)
        if horizon:  # the rolling origins of the coming backtest, in the same pass
            stops = np.hstack([stops, self._backtest_stops(n_obs, horizon, season_length)])
        return self._fit_stops(values, n_obs, season_length, stops, final_form=bool(horizon))

    def _backtest_stops(self, n_obs: np.ndarray, horizon: int, m: int,
                        least: int | None = None) -> np.ndarray:
        """Series lengths at the rolling origins (0 where shorter than ``least``).

        ``least`` defaults to this model's minimum; a final form refitted alone
        keeps the origins of the search (those too short for it are marked).
        """
        windows = int(self._fit_param("n_windows"))
        stops = n_obs[:, None] - horizon - np.arange(windows)[None, :]
        least = self._min_obs(m) if least is None else least
        return np.where(stops >= least, stops, 0)

    def _fit_stops(self, values: np.ndarray, n_obs: np.ndarray, m: int,
                   stops: np.ndarray, *, final_form: bool = False) -> dict:
        """Choose and fit the best form for every series at every stop (length).

        With ``final_form`` (column 0 of ``stops`` is each series' full length),
        the state also holds, under ``"final_form"``, the rolling origins
        refitted in the form chosen at full length (:meth:`_final_form`).
        """
        y = left_align(values, n_obs)
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
            choice = fit_form(form, m, y, log_y, scale, stops)
            usable = stops >= form.min_length(m)
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
        self._choose_subsets(state, fits, fixed, final_form)
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
            states[rows] = states_at(form, m, choice.params[rows], choice.x0[rows], data,
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
            states = states_at(form, m, choice.params, choice.x0, data,
                                np.where(mask, stops, 0))
            result["forms"][name] = (form, mask, states, choice.params)
            # initial states of the full-length fit, for the in-sample fitted values
            result.setdefault("initial", {})[name] = choice.x0[:, 0].copy()
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
            fc = forecast_states(form, m, states[rows, stop], params[rows, stop],
                                  stops[rows, stop], horizon)
            out[rows] = np.exp(fc) if form.log else fc * state["scale"][rows, None]
        if fixed is not None:
            out[fixed["drop"][:, stop]] = np.nan
        return out

    def _forecast_arrays(self, state, horizon, exog_future):
        return self._forecast_stop(state, horizon)

    def _fitted_arrays(self, state, values, n_obs):
        """The filter's one-step predictions from the fitted initial states (see
        :func:`~talentgap.models._ets_state_space.ets_filter`), right-aligned."""
        if "initial" not in state:
            raise NotImplementedError("this ETS was fitted by a talentgap version that did "
                                      "not keep its initial states; refit it for fitted_values()")
        y, width = left_align(values, n_obs), values.shape[1]
        left = np.full(y.shape, np.nan)
        for name, (form, mask, _, params) in state["forms"].items():
            rows = np.flatnonzero(mask[:, 0])
            if rows.size == 0:
                continue
            data = (np.log(np.where(y[rows] > 0, y[rows], 1.0)) if form.log
                    else y[rows] / state["scale"][rows, None])
            layout, x = _Layout(form, state["m"]), state["initial"][name][rows].copy()
            mu = np.stack([_step(layout, x, params[rows, 0], t, data[:, t])[0]
                           for t in range(width)], axis=1)  # a loop over time steps
            left[rows] = np.exp(mu) if form.log else mu * state["scale"][rows, None]
        column = np.arange(width)[None, :] - (width - n_obs[:, None])  # right -> left
        inside = column >= 0
        return np.where(inside, np.take_along_axis(left, np.where(inside, column, 0), axis=1),
                        np.nan)

    def cv_forecasts(self, horizon: int) -> np.ndarray:
        """Forecasts from every rolling origin in one pass per chunk (see the module notes).

        When ``horizon`` was announced to :meth:`fit_arrays`, the origins were
        already fitted together with the final model and nothing is refitted.
        """
        arrays, windows = self.arrays_, int(self._fit_param("n_windows"))
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

    def _calibration_forecasts(self, horizon: int, searched: np.ndarray | None = None, *,
                               quiet: bool = False) -> np.ndarray:
        """Backtest forecasts of each series' final form (see :meth:`_final_form`), cached.

        The errors that calibrate the intervals (and rank the candidates of
        :class:`AutoForecaster`); :meth:`cv_forecasts` keeps the form search at
        every origin (how the model would have been chosen then). A series
        with no origin long enough for its final form keeps its searched
        backtests, with a :class:`DataQualityWarning` about its intervals
        unless ``quiet``.
        """
        out, searched_rows = self._memo(("final_form_cv", horizon),
                                        lambda: self._final_form_cv(horizon, searched))
        if searched_rows.any() and not quiet:
            examples = self.arrays_.ids.iloc[np.flatnonzero(searched_rows)[:3]].astype(str)
            count = int(searched_rows.sum())
            warn(f"{count} series {'is' if count == 1 else 'are'} too short at every "
                 f"{horizon}-step backtest origin to refit the form chosen on their whole "
                 f"history, e.g. "
                 f"{examples.to_dict('records')}; their prediction intervals are calibrated "
                 "on the errors of the forms the search chose at those origins instead, "
                 "often simpler ones with larger errors (docs/methods.md, forecast "
                 "intervals, step 1)", DataQualityWarning, stacklevel=5)
        return out

    def _final_form_cv(self, horizon: int, searched_forecasts: np.ndarray | None
                       ) -> tuple[np.ndarray, np.ndarray]:
        """The final forms' backtests, and which series kept their searched ones instead."""
        arrays, windows = self.arrays_, int(self._fit_param("n_windows"))
        out = np.full((arrays.n_series, windows, horizon), np.nan)
        searched = np.zeros(arrays.n_series, dtype=bool)
        if horizon == getattr(self, "backtest_horizon_", None):
            for rows, chunk in zip(self.chunks_, self.states_, strict=True):
                state = chunk["state"]
                if state is None or chunk["usable"].size == 0:
                    continue
                if "final_form" not in state:  # a model saved before: the searched forms
                    return (self.cv_forecasts(horizon) if searched_forecasts is None
                            else searched_forecasts), np.zeros(arrays.n_series, dtype=bool)
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
        return out, searched

    def _one_form_chunk(self, part, m: int, horizon: int, name: str):
        """:meth:`_final_form_chunk` of series whose final form is ``name``, fitting it alone."""
        alone = copy(self)
        alone.model = name
        return alone._final_form_chunk(part, m, horizon, least=self._min_obs(m))

    def _final_form_chunk(self, part, m: int, horizon: int, least: int | None = None):
        """A chunk's backtests in each series' final form, with the full length in the pass."""
        windows = int(self._fit_param("n_windows"))
        stops = np.hstack([part.n_obs[:, None],
                           self._backtest_stops(part.n_obs, horizon, m, least)])
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

        On a worker of ``_subset_worker`` (:mod:`talentgap.models._ets_subsets`)
        returns ``(out, {forms: out})``: the backtests of the models restricted
        to those forms, from the same fits.
        """
        windows = int(self._fit_param("n_windows"))
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
    # (the machinery is FormSubsetsMixin's, in talentgap.models._ets_subsets)
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
        labels = {"target": target, "time": time, "keys": keys,
                  "backtest_horizon": backtest_horizon}
        return self._fit_with_subsets(arrays, subsets, labels)

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
        return self._cv_with_subsets(horizon, subsets, n_windows)

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
