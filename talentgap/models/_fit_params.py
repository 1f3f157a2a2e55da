"""What a fitted estimator uses after ``fit``: the parameters of that fit.

A parameter changed after ``fit`` (with ``set_params`` or by assignment) takes
effect at the next ``fit``. Until then ``predict`` and every other method use
the values the fit recorded in ``params_``, so a forecast never depends on
when a parameter was changed, nor on which methods ran before (the backtests
and sample paths kept between calls are derived from the fitted state only).
The one exception is ``n_jobs``: it only spreads the work and never changes a
number, so it is read when the work is done.

This is how a fitted scikit-learn model behaves for the parameters its
learned state depends on (``LogisticRegression(C=...)``): here the interval
backtests and sample paths computed after the fit are part of that state.

Examples
--------
>>> import talentgap as tg
>>> data = tg.datasets.make_synthetic(n_regions=1, industries=2, n_periods=12, seed=0)
>>> panel = tg.features.build_panel(data.surveys, data.training)
>>> fit = dict(target="demand", keys=["region", "industry"])
>>> model = tg.models.Naive(n_windows=4).fit(panel, **fit)
>>> model.set_params(n_windows=2).params_["n_windows"]    # predict still uses 4
4
>>> model.fit(panel, **fit).params_["n_windows"]
2
"""

from __future__ import annotations

from copy import copy

from sklearn.base import BaseEstimator, clone

__all__ = ["FitParamsMixin"]

#: Parameter values ``params_`` holds as copies: they can be changed in place.
_COPIED = (BaseEstimator, list, tuple, dict, set)


class FitParamsMixin:
    """``params_`` recorded at fit, and the methods that read parameters through it."""

    def _record_params(self) -> None:
        """Record the parameters in ``params_`` (the first step of every fit).

        Estimators and containers are copied (``set_params(forecaster__n_windows=2)``
        changes a parameter's estimator in place); other values (a hierarchy, say) are
        kept as they are, so that an artifact stores them once.
        """
        self.params_ = {name: (clone(value, safe=False) if isinstance(value, _COPIED)
                               else value)
                        for name, value in self.get_params(deep=False).items()}

    def _fit_param(self, name: str):
        """The value parameter ``name`` had at the last fit (its current value before one).

        Models saved before ``params_`` existed use the current value, which is
        the saved one unless it was changed after loading.
        """
        params = self.__dict__.get("params_")
        if params is None or name not in params:
            return getattr(self, name)
        return params[name]

    def _fit_clone(self):
        """An unfitted copy with the parameters of the last fit (the current ones before one)."""
        copy = clone(self)
        params = self.__dict__.get("params_")
        if params:
            copy.set_params(**{name: (clone(value, safe=False) if isinstance(value, _COPIED)
                                      else value)
                               for name, value in params.items() if name != "n_jobs"})
        return copy

    def _refitted_as(self, **params):
        """A shallow copy of this fitted model as if fitted with ``params`` changed.

        It shares the fitted state (nothing is copied or refitted) and none of the
        values kept between calls; for callers that need, say, the backtests of fewer
        rolling origins from the same fit (``_refitted_as(n_windows=2).cv_forecasts(h)``).
        """
        out = copy(self)
        for name in getattr(type(self), "_transient_attributes", ()):
            out.__dict__.pop(name, None)
        out.set_params(**params)
        if "params_" in self.__dict__:
            out.params_ = {**self.params_, **params}
        return out

