"""Several ETS models that choose among subsets of one set of forms, fitted once.

:func:`~talentgap.models.auto.default_candidates` offers both "ets" (the
default forms) and "damped" (the damped-trend forms only): the second is
the first restricted to some of its forms
(:meth:`~talentgap.models.ets.ETS.is_form_subset_of`). Fitting both alone
would fit the damped forms twice, at the full length and at every rolling
origin. Here every form is fitted once per chunk, and each model chooses
among its own forms from those fits, exactly as if it had been fitted alone
(same chunks, same rolling origins, the same choice and interval
calibration): :meth:`~talentgap.models.ets.ETS.fit_arrays_with_subsets` and
:meth:`~talentgap.models.ets.ETS.cv_forecasts_with_subsets`, which document
what the caller sees.

:class:`FormSubsetsMixin` holds the machinery. A parallel worker carries the
subsets' forms as ``_also_forms`` (:meth:`~FormSubsetsMixin._subset_worker`):
its ``_fit_stops`` then also chooses among each subset
(:meth:`~FormSubsetsMixin._choose_subsets`), and its ``_backtest_chunk``
returns each subset's backtests besides its own. The mixin relies on the
form fits of ``ETS`` (``_fit_stops``, ``_select``, ``_final_form``) and on
the fitting machinery of :class:`~talentgap.models.base.BaseForecaster`
(``_start_fit``, ``_end_fit``, ``_worker``, ``_parallel``, ``_chunks``,
``_check_fitted``).
"""

from __future__ import annotations

import numpy as np

from talentgap.errors import ParameterError

__all__ = ["FormSubsetsMixin"]


class FormSubsetsMixin:
    """Fits and backtests of ETS models restricted to subsets of this one's forms."""

    def _fit_with_subsets(self, arrays, subsets: dict, labels: dict) -> dict:
        """:meth:`~talentgap.models.ets.ETS.fit_arrays_with_subsets`, with its fit labels."""
        forms = self._subset_forms(subsets)
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

    def _cv_with_subsets(self, horizon: int, subsets: dict, n_windows: int | None
                         ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """:meth:`~talentgap.models.ets.ETS.cv_forecasts_with_subsets`."""
        self._check_fitted("cv_forecasts_with_subsets")
        forms = self._subset_forms(subsets)
        arrays = self.arrays_
        windows = int(self._fit_param("n_windows") if n_windows is None else n_windows)
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

    def _subset_forms(self, subsets: dict) -> dict[str, tuple[str, ...]]:
        """The forms of each model of ``subsets``, checked to be among this model's."""
        # is_form_subset_of holds only between models of one class
        wrong = [name for name, model in subsets.items() if type(model) is not type(self)
                 or not model.is_form_subset_of(self)]
        if wrong:
            raise ParameterError(f"{wrong} are not this ETS restricted to some of its forms "
                                 f"{self.forms!r} (see ETS.is_form_subset_of)")
        return {name: tuple(model.forms) for name, model in subsets.items()}

    def _subset_worker(self, subsets: tuple[tuple[str, ...], ...]):
        """A parallel worker (see ``_worker``) that also chooses among each subset of forms."""
        worker = self._worker()
        worker._also_forms = subsets
        return worker

    def _choose_subsets(self, state: dict, fits: list, fixed: dict, final_form: bool) -> None:
        """On a worker of :meth:`_subset_worker`: each subset's choice, under ``"also"``.

        Chosen from the same ``(form, choice, usable)`` fits as this model's
        (``fixed``: the arrays ``_fit_stops`` fitted them to), so no form is
        fitted twice; with ``final_form``, each subset's rolling origins
        refitted in its own final forms too.
        """
        subsets = self.__dict__.get("_also_forms") or ()
        if not subsets:
            return
        y, log_y, scale, m, stops = (fixed[k] for k in ("y", "log_y", "scale", "m", "stops"))
        state["also"] = {names: self._select([f for n in names for f in fits
                                              if f[0].name == n], y, log_y, scale, m, stops)
                         for names in subsets}
        if final_form:
            for chosen in state["also"].values():
                chosen["final_form"] = self._final_form(fits, chosen["winner"], **fixed)
