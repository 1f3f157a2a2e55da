"""Which candidates of :class:`~talentgap.models.AutoForecaster` count with regressors.

Fitted with exogenous regressors, the combination is chosen among the
candidates that use them, on every series where one of them forecasts (has a
backtest score and no naive fallback); see the Notes of ``AutoForecaster``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["exog_aware", "restrict_to_exog", "window_weights"]


def exog_aware(fitted: dict) -> np.ndarray:
    """Per series and candidate (n, k): whether the candidate forecasts it from the regressors.

    True for the fitted candidates that use exogenous regressors, except on
    the series where they fell back to a naive forecast.
    """
    columns = [(model.fallback_reason_ == None)  # noqa: E711 - object array
               if model._supports_exog else np.zeros(model.arrays_.n_series, dtype=bool)
               for model in fitted.values()]
    return np.stack(columns, axis=1).astype(bool)


def restrict_to_exog(score: np.ndarray, aware: np.ndarray | None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(score, has_score, restricted)``: scores of the others NaN where ``aware`` ones score.

    ``restricted`` (n,) marks the series where at least one candidate in
    ``aware`` has a finite score; elsewhere (and when ``aware`` is None, a fit
    without regressors) the scores are returned as given.

    Examples
    --------
    >>> import numpy as np
    >>> score = np.array([[1.0, 2.0], [1.0, np.nan]])
    >>> aware = np.array([[False, True], [False, True]])
    >>> out, has, restricted = restrict_to_exog(score, aware)
    >>> out.tolist(), restricted.tolist()
    ([[nan, 2.0], [1.0, nan]], [True, False])
    """
    has_score = np.isfinite(score)
    restricted = np.zeros(score.shape[0], dtype=bool)
    if aware is None or aware.shape != score.shape:
        return score, has_score, restricted
    use = aware & has_score
    restricted = use.any(axis=1)
    has_score = np.where(restricted[:, None], use, has_score)
    return np.where(has_score, score, np.nan), has_score, restricted


def window_weights(candidates: dict, n_series: int, with_exog: bool) -> np.ndarray:
    """Equal weights (n, k) for series too short to backtest: with regressors, on their users."""
    weights = np.ones((n_series, len(candidates)))
    aware = np.array([bool(model._supports_exog) for model in candidates.values()])
    if with_exog and aware.any():
        weights[:, ~aware] = 0.0
    return weights
