"""The simulation a fitted gap model keeps, and the threads that draw and summarise it.

:class:`GapSimulationMixin` gives :class:`~talentgap.models.GapForecaster` the
private methods every forecast goes through: the span simulated for a horizon
(the model's ``horizon`` when it has one), the kept simulation inputs of the
last span asked (never saved), and the path statistics computed in the inner
forecaster's ``n_jobs`` threads. The paths themselves are drawn by
:mod:`talentgap.models._gap_paths` and summarised by
:mod:`talentgap.models._gap_statistics`.
"""

from __future__ import annotations

import numpy as np
from joblib import effective_n_jobs

from talentgap.errors import NotFittedError, ParameterError
from talentgap.models._gap_paths import first_steps, simulate
from talentgap.models._gap_statistics import path_statistics

__all__ = ["GapSimulationMixin"]


class GapSimulationMixin:
    """The fitted gap model's simulation cache, span, threads and path statistics."""

    def _check_fitted(self, call: str) -> None:
        if not hasattr(self, "seed_"):
            raise NotFittedError(f"this GapForecaster is not fitted yet; call fit(panel) "
                                 f"before {call}()")

    def _threads(self) -> int:
        """Threads that draw and summarise the sample paths: the forecaster's ``n_jobs``."""
        n_jobs = None if self.forecaster is None else self.forecaster.get_params().get("n_jobs")
        return max(1, int(effective_n_jobs(n_jobs)))

    def _span(self, horizon: int) -> int:
        """Periods simulated to answer ``horizon``: the model's ``horizon`` when it has one."""
        if self.horizon is None:
            return horizon
        if horizon > self.horizon:
            raise ParameterError(
                f"horizon {horizon} is beyond the {self.horizon} periods this model simulates "
                f"(GapForecaster(horizon={self.horizon})); ask for at most {self.horizon}, or "
                "refit with a longer horizon")
        return int(self.horizon)

    def _simulation(self, horizon: int) -> dict:
        """Everything the sample paths need for ``horizon`` steps (see ``_transient_attributes``).

        Simulated over :meth:`_span` steps and cut to ``horizon``. Kept for
        the last span asked only (paths are large). The cache is replaced in
        one assignment, so concurrent calls at worst compute it twice.
        """
        span = self._span(horizon)
        cached = self.__dict__.get("_cache")
        if cached is not None and cached[0] == span:
            simulation = cached[1]
        else:
            simulation = simulate(self, span)
            self._cache = (span, simulation)
        return simulation if span == horizon else first_steps(simulation, horizon)

    def _path_statistics(self, sim: dict, levels: list[float], rows: np.ndarray | None = None,
                         *, means_only: bool = False):
        """Means, quantile bounds, gap median and P(gap > 0) of the paths (every forecast's).

        See :func:`talentgap.models._gap_statistics.path_statistics`; the blocks
        of cells run in the forecaster's ``n_jobs`` threads.
        """
        return path_statistics(sim, levels, rows, threads=self._threads(),
                               means_only=means_only)
