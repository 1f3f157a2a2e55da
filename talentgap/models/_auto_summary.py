"""What produced each series' forecast in an :class:`~talentgap.models.AutoForecaster`.

Plain functions of a fitted ``AutoForecaster`` (``model``) behind its
``fallback_reason_`` and ``fitted_summary_``: the model labels (the
candidates and their combination weights, e.g. ``"ets 0.33 + theta 0.33 +
drift 0.33"``, with the forecast that stood in for candidates a series was
too short for), the fallback reasons in words, and the summary table.

Examples
--------
>>> fallback_name(2), fallback_name(5)
('mean', 'naive')
>>> series_are(np.array([True, False, True]))
'2 series are'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._words import count_words
from talentgap.models._analogues import observation_words

__all__ = ["fallback_reasons", "model_labels", "fitted_summary", "analogue_names",
           "too_short", "series_are", "fallback_name"]


def fallback_reasons(model, unused: np.ndarray) -> np.ndarray:
    """Per series: why its analogue or weighted candidates were not used, or None."""
    weighted = model.weights_.to_numpy() > 0
    fell_short = model.short_fallback_ & weighted
    names = np.array(list(model.candidates_), dtype=object)
    n_obs = model.arrays_.n_obs
    reasons = np.full(len(n_obs), None, dtype=object)
    hit = fell_short.any(axis=1)
    key = np.column_stack([fell_short, n_obs])[hit]
    patterns, inverse = np.unique(key, axis=0, return_inverse=True)
    text = np.array([f"series too short for {', '.join(names[row[:-1].astype(bool)])}: "
                     f"{count_words(int(row[-1]), 'observation')}; "
                     f"{fallback_name(row[-1])} forecast used"
                     for row in patterns], dtype=object)
    reasons[hit] = text[inverse.ravel()]
    missed = unused != None  # noqa: E711
    reasons[missed] = np.where(reasons[missed] == None, unused[missed],  # noqa: E711
                               unused[missed] + "; " + reasons[missed].astype(str))
    rows = np.flatnonzero(model.analogue_rows_ >= 0)
    if rows.size:
        reasons[rows] = (observation_words(n_obs[rows]) + " < min_history="
                         + str(model._min_history()) + ": forecast from the analogue "
                         + analogue_names(model, rows)
                         + " scaled to the series' level")
    return reasons


def model_labels(model) -> np.ndarray:
    """What produced each series' forecast: e.g. ``"ets 0.33 + theta 0.33 + drift 0.33"``.

    Candidates that were too short for a series are replaced by the
    forecast that stood in for them (naive, or the mean of fewer than 3
    observations), whose weights add up; the names of the candidates it
    stood in for follow in brackets.
    """
    weights = model.weights_.to_numpy().round(4)
    names = list(model.candidates_)
    n_obs = model.arrays_.n_obs
    fell_short = model.short_fallback_ & (weights > 0)
    key = np.column_stack([weights, fell_short, n_obs * fell_short.any(axis=1)])
    patterns, inverse = np.unique(key, axis=0, return_inverse=True)
    k = len(names)
    labels = []
    for row in patterns:  # one label per pattern of weights and fallbacks
        weight, short, obs = row[:k], row[k:2 * k].astype(bool), int(row[-1])
        parts: dict[str, float] = {}
        for name, w, fell in zip(names, weight, short, strict=True):
            if w > 0:
                shown = fallback_name(obs) if fell else name
                parts[shown] = parts.get(shown, 0.0) + w
        label = " + ".join(f"{n} {w:.2f}" for n, w in parts.items())
        if short.any():
            label += (f" (series too short for "
                      f"{', '.join(n for n, s in zip(names, short, strict=True) if s)}"
                      f": {count_words(obs, 'observation')})")
        labels.append(label)
    return np.array(labels, dtype=object)[inverse.ravel()]


def fitted_summary(model) -> pd.DataFrame:
    """The ``fitted_summary_`` table: per series its label, history, weights and fallbacks."""
    arrays = model.arrays_
    summary = arrays.ids.copy()
    weights = model.weights_
    summary["model"] = model_labels(model)
    rows = np.flatnonzero(model.analogue_rows_ >= 0)
    if rows.size:
        names = analogue_names(model, rows)
        ratio = pd.Series(model.analogue_ratio_[rows]).map("{:.3g}".format).to_numpy()
        summary.loc[rows, "model"] = ("analogue " + names + " x " + ratio
                                      + " (" + observation_words(arrays.n_obs[rows])
                                      + " < min_history " + str(model._min_history())
                                      + ")")
    summary["n_obs"] = arrays.n_obs
    summary["n_interpolated"] = arrays.n_interpolated
    # models saved before per-series ranking horizons have none
    ranking = model.__dict__.get("ranking_horizon_")
    if ranking is not None:
        summary["ranking_horizon"] = ranking
    for name in weights.columns:  # the candidates weigh nothing in an analogue's forecast
        summary[f"weight_{name}"] = np.where(model.analogue_rows_ >= 0, 0.0,
                                             weights[name].to_numpy())
    if "ets" in model.candidates_:
        summary["ets_form"] = model.candidates_["ets"].fitted_summary_.get("ets_form")
    reasons = model.fallback_reason_.copy()
    for name, candidate in model.candidates_.items():  # failures other than too few data
        other = ((candidate.fallback_reason_ != None) & ~too_short(candidate)  # noqa: E711
                 & (model.analogue_rows_ < 0))  # an analogue's forecast uses none of them
        found = f"{name}: " + candidate.fallback_reason_[other].astype(str)
        reasons[other] = np.where(reasons[other] == None, found,  # noqa: E711
                                  reasons[other].astype(str) + "; " + found)
    summary["fallback_reason"] = pd.Series(reasons, dtype=object)
    return summary


def analogue_names(model, rows: np.ndarray) -> np.ndarray:
    """``"<column>=<value>"`` of each analogue, for the declared column that maps it."""
    ids = model.arrays_.ids.astype(str)
    names = np.full(rows.size, "", dtype=object)
    for column in model._fit_param("analogues"):  # a declared column or two
        target = ids[column].to_numpy(dtype=object)[model.analogue_rows_[rows]]
        own = ids[column].to_numpy(dtype=object)[rows]
        names = np.where((names == "") & (own != target), column + "=" + target, names)
    return names


def too_short(model) -> np.ndarray:
    """Per series: whether ``model`` had too few observations to fit it."""
    return model.arrays_.n_obs < model.min_observations()


def series_are(rows: np.ndarray) -> str:
    """``"1 series is"``, ``"3 series are"``: the count of True in ``rows`` and its verb."""
    count = int(np.count_nonzero(rows))
    return f"{count} series {'is' if count == 1 else 'are'}"


def fallback_name(n_obs: int) -> str:
    """The forecast used where a model is too short: naive, or the mean of < 3 values."""
    return "naive" if n_obs >= 3 else "mean"
