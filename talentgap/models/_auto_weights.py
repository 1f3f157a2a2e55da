"""How :class:`~talentgap.models.AutoForecaster` weighs and combines its candidates.

Per series, the candidates get weights from their mean absolute backtest
errors (:func:`candidate_weights`): the ``top`` best-ranked plus the anchor
(``top_mean``), the single best (``best``), or all of them (``mean``,
``median``); with exogenous regressors only the candidates that use them,
where one of them forecasts. :func:`combine` then forms the weighted mean
(or the median of the weighted candidates) of their forecasts, leaving out a
candidate's non-finite forecast and renormalising the others' weights.
:func:`cross_fitted` combines backtests at each origin with weights chosen
on the other origins, for calibration errors not flattered by the choice. The
Notes of ``AutoForecaster`` give the reasons and the measurements.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from talentgap.models._auto_exog import restrict_to_exog
from talentgap.models._ranking import ranking_scores

__all__ = ["COMBINATIONS", "candidate_weights", "combine", "cross_fitted"]

#: The values of ``AutoForecaster(combination=...)``.
COMBINATIONS = ("top_mean", "mean", "median", "best")


def candidate_weights(score: np.ndarray, names: Sequence[str], *, combination: str, top: int,
                      anchor: str | None, pooled: bool, aware: np.ndarray | None) -> np.ndarray:
    """Per-series weights (n, k) from mean absolute backtest errors (n, k; NaN: none).

    Parameters
    ----------
    score : numpy.ndarray
        Mean absolute backtest error of each candidate (column, in the order
        of ``names``) on each series (row); NaN where it has none.
    names : sequence of str
        The candidates' names.
    combination : {"top_mean", "mean", "median", "best"}
        The combination rule (see ``AutoForecaster``).
    top : int
        Best-ranked candidates that ``top_mean`` weighs.
    anchor : str or None
        Candidate that ``top_mean`` always weighs where it has a score.
    pooled : bool
        Rank by :func:`~talentgap.models._ranking.ranking_scores` (True) or
        by each series' own scores (models saved before the pooled ranking).
    aware : numpy.ndarray of bool or None
        Per series and candidate, whether it forecasts from the exogenous
        regressors (None: fitted without them).

    Returns
    -------
    numpy.ndarray
        Shape (n, k); each row sums to 1. A series without any score
        weighs every candidate equally.

    Examples
    --------
    >>> import numpy as np
    >>> score = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, np.nan]])
    >>> candidate_weights(score, ["a", "b", "c"], combination="best", top=2, anchor=None,
    ...                   pooled=False, aware=None).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    >>> candidate_weights(score, ["a", "b", "c"], combination="top_mean", top=1, anchor="c",
    ...                   pooled=False, aware=None).tolist()
    [[0.5, 0.0, 0.5], [0.0, 1.0, 0.0]]
    """
    n_series, n_candidates = score.shape
    # with regressors, only the candidates that use them, where one has a score
    score, has_score, restricted = restrict_to_exog(score, aware)
    weights = np.zeros((n_series, n_candidates))
    if combination in ("mean", "median"):
        weights[:] = np.where(restricted[:, None], has_score, 1.0)
    else:
        count = 1 if combination == "best" else min(int(top), n_candidates)
        rank = np.where(has_score, ranking_scores(score) if pooled else score, np.inf)
        ranked = np.argsort(rank, axis=1, kind="stable")
        weights[np.arange(n_series)[:, None], ranked[:, :count]] = 1.0
        weights[restricted] *= has_score[restricted]  # fewer than `top` use them
        if combination == "top_mean" and anchor is not None:
            column = list(names).index(anchor)
            weights[has_score[:, column], column] = 1.0
        # series with no backtest at all: every candidate counts
        weights[~has_score.any(axis=1)] = 1.0
    return weights / weights.sum(axis=1, keepdims=True)


def combine(forecasts: dict[str, np.ndarray], names: Sequence[str], weights: np.ndarray, *,
            median: bool = False) -> np.ndarray:
    """Combine candidate forecasts (n, ...) with per-series weights (n, k).

    The weighted mean of the candidates' finite forecasts (weights
    renormalised over them; NaN where none is finite), or with ``median``
    the median of the candidates that have weight.

    Examples
    --------
    >>> import numpy as np
    >>> forecasts = {"a": np.array([[1.0, 2.0]]), "b": np.array([[3.0, np.nan]])}
    >>> combine(forecasts, ["a", "b"], np.array([[0.5, 0.5]])).tolist()
    [[2.0, 2.0]]
    """
    stacked = np.stack([forecasts[n] for n in names], axis=-1)      # (n, ..., k)
    shape = (weights.shape[0],) + (1,) * (stacked.ndim - 2) + (weights.shape[1],)
    w = np.broadcast_to(weights.reshape(shape), stacked.shape)
    if median:  # of the candidates with weight
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN cells stay NaN
            return np.nanmedian(np.where(w > 0, stacked, np.nan), axis=-1)
    usable = np.isfinite(stacked) & (w > 0)
    total = np.where(usable, w, 0.0).sum(axis=-1)
    combined = np.where(usable, stacked * w, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, combined / total, np.nan)


def cross_fitted(forecasts: dict[str, np.ndarray], errors: np.ndarray, names: Sequence[str], *,
                 weigh, combine, dropped: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Combine backtests (n, W, h) per origin with weights chosen on the other origins.

    ``errors`` are the candidates' absolute backtest errors (n, W, h, k);
    ``weigh(errors)`` gives weights (n, k) from those of the other origins and
    ``combine(forecasts, weights)`` the combination (``AutoForecaster``'s
    ``_weights_from`` and ``_combine``). ``dropped``: per candidate, cells
    (n, W, h) where the combination is left NaN if that candidate has weight there.
    """
    n_series, windows, horizon = errors.shape[:3]
    out = np.full((n_series, windows, horizon), np.nan)
    for k in range(windows):  # a handful of origins
        weights = weigh(np.delete(errors, k, axis=1))
        out[:, k] = combine({n: f[:, k] for n, f in forecasts.items()}, weights)
        for name, cells in (dropped or {}).items():
            weighted = weights[:, list(names).index(name)] > 0
            out[:, k][weighted[:, None] & cells[:, k]] = np.nan
    return out
