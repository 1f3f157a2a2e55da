"""The arithmetic behind every metric: per-point terms, their means per group, the scales.

Private to :mod:`talentgap.evaluation`. :mod:`~talentgap.evaluation.metrics`
computes one metric on 1-D arrays with these pieces;
:func:`~talentgap.evaluation.evaluate` and the backtests compute every metric
for all series (or series x window x step) at once with the same pieces, over
group codes and :func:`numpy.bincount`. The definitions are those of the
metrics module's table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap._arguments import interval_columns, level_label
from talentgap.errors import DataQualityWarning, ParameterError, SchemaError, warn

__all__ = [
    "MetricSpec",
    "SPECS",
    "INTERVAL_METRICS",
    "SCALED_METRICS",
    "point_terms",
    "group_means",
    "naive_scales",
    "lag_differences",
    "grouped_metrics",
    "long_metrics",
    "check_bounds",
    "warn_zero_actuals",
]


@dataclass(frozen=True)
class MetricSpec:
    """How a metric is computed: the mean of per-point terms, optionally square-rooted."""

    term: Callable[..., np.ndarray]
    uses_pred: bool = True       # NaN in y_pred drops the point
    interval: bool = False       # uses lower/upper (NaN there drops the point)
    scale: str | None = None     # "abs" or "sq": divides by a seasonal-naive scale
    root: bool = False           # sqrt of the mean


def _t_abs(y, f, lo, hi, scale, level, quantile):
    return np.abs(y - f)


def _t_sq(y, f, lo, hi, scale, level, quantile):
    return (y - f) ** 2


def _t_ape(y, f, lo, hi, scale, level, quantile):
    return np.where(y != 0, 100.0 * np.abs(y - f) / np.abs(y), np.nan)


def _t_sape(y, f, lo, hi, scale, level, quantile):
    denominator = np.abs(y) + np.abs(f)
    return np.where(denominator > 0, 200.0 * np.abs(y - f) / denominator, 0.0)


def _t_scaled_abs(y, f, lo, hi, scale, level, quantile):
    return np.abs(y - f) / scale


def _t_scaled_sq(y, f, lo, hi, scale, level, quantile):
    return (y - f) ** 2 / scale


def _t_bias(y, f, lo, hi, scale, level, quantile):
    return f - y


def _t_pinball(y, f, lo, hi, scale, level, quantile):
    d = y - f
    return np.maximum(quantile * d, (quantile - 1.0) * d)


def _t_cover(y, f, lo, hi, scale, level, quantile):
    return ((lo <= y) & (y <= hi)).astype(np.float64)


def _t_winkler(y, f, lo, hi, scale, level, quantile):
    penalty = 2.0 / (1.0 - level / 100.0)
    return (hi - lo) + penalty * np.maximum(lo - y, 0.0) + penalty * np.maximum(y - hi, 0.0)


#: Every metric's computation by name, in the order of ``METRICS``.
SPECS: dict[str, MetricSpec] = {
    "mae": MetricSpec(_t_abs),
    "rmse": MetricSpec(_t_sq, root=True),
    "mape": MetricSpec(_t_ape),
    "smape": MetricSpec(_t_sape),
    "mase": MetricSpec(_t_scaled_abs, scale="abs"),
    "rmsse": MetricSpec(_t_scaled_sq, scale="sq", root=True),
    "bias": MetricSpec(_t_bias),
    "pinball": MetricSpec(_t_pinball),
    "coverage": MetricSpec(_t_cover, uses_pred=False, interval=True),
    "interval_score": MetricSpec(_t_winkler, uses_pred=False, interval=True),
}

#: Metrics judged on prediction intervals (reported per level by ``evaluate``).
INTERVAL_METRICS = frozenset({"coverage", "interval_score", "pinball"})
#: Metrics scaled by the in-sample seasonal naive error (need training data).
SCALED_METRICS = frozenset({"mase", "rmsse"})


def point_terms(name: str, y, f, lo, hi, scale, level=None, quantile=None) -> np.ndarray:
    """Per-point terms of metric ``name``; NaN where the point is left out.

    A point is left out where ``y``, or an input the metric uses (``f``;
    ``lo`` and ``hi``; ``scale``), is NaN.

    Examples
    --------
    >>> import numpy as np
    >>> point_terms("mae", np.array([1.0, 2.0, np.nan]), np.array([2.0, 2.0, 5.0]),
    ...             None, None, None)
    array([ 1.,  0., nan])
    """
    spec = SPECS[name]
    valid = ~np.isnan(y)
    if spec.uses_pred:
        valid &= ~np.isnan(f)
    if spec.interval:
        valid &= ~np.isnan(lo) & ~np.isnan(hi)
    if spec.scale is not None:
        valid &= ~np.isnan(scale)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = spec.term(y, f, lo, hi, scale, level, quantile)
    return np.where(valid, terms, np.nan)


def group_means(terms: np.ndarray, codes: np.ndarray,
                n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the non-NaN terms per group code (NaN for an empty group), and the counts.

    Examples
    --------
    >>> import numpy as np
    >>> group_means(np.array([1.0, 3.0, np.nan, 4.0]), np.array([0, 0, 1, 2]), 3)
    (array([ 2., nan,  4.]), array([2, 0, 1]))
    """
    ok = ~np.isnan(terms)
    counts = np.bincount(codes[ok], minlength=n_groups)
    sums = np.bincount(codes[ok], weights=terms[ok], minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan), counts


def naive_scales(diff: np.ndarray, codes: np.ndarray, n_groups: int, *,
                 mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """MASE and RMSSE scales per series from its seasonal lag differences, vectorised.

    The one home of the scales of :func:`~talentgap.evaluation.mase` and
    :func:`~talentgap.evaluation.rmsse` (also used per series by
    :func:`~talentgap.evaluation.evaluate`, the backtests and the scoring of
    stored editions).

    Parameters
    ----------
    diff : numpy.ndarray, 1-D
        ``y_t - y_{t-m}`` of every training row (NaN where either is missing).
    codes : numpy.ndarray of int, 1-D
        The series of each row (0..n_groups-1; negative: no series, left out).
    n_groups : int
        Number of series.
    mask : numpy.ndarray of bool, optional
        Rows to use (default all).

    Returns
    -------
    scale_abs, scale_sq : numpy.ndarray
        Per series ``mean(|diff|)`` and ``mean(diff^2)``; NaN where a series
        has no difference or its scale is 0 (a constant history).

    Examples
    --------
    >>> import numpy as np
    >>> values = np.array([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]])
    >>> diff = (values[:, 1:] - values[:, :-1]).ravel()
    >>> naive_scales(diff, np.repeat([0, 1], 2), 2)
    (array([1.5, nan]), array([2.5, nan]))
    """
    diff = np.asarray(diff, dtype=np.float64)
    codes = np.asarray(codes)
    keep = ~np.isnan(diff) & (codes >= 0)
    if mask is not None:
        keep &= mask
    safe = np.maximum(codes, 0)
    scale_abs, _ = group_means(np.where(keep, np.abs(diff), np.nan), safe, n_groups)
    scale_sq, _ = group_means(np.where(keep, diff ** 2, np.nan), safe, n_groups)
    return (np.where(scale_abs > 0, scale_abs, np.nan),
            np.where(scale_sq > 0, scale_sq, np.nan))


def lag_differences(codes: np.ndarray, ordinals: np.ndarray, y: np.ndarray,
                    season_length: int) -> np.ndarray:
    """``y_t - y_{t-m}`` for each row (same series, ``m`` periods earlier); NaN if absent.

    Rows are matched by period, not position: a missing period leaves NaN.

    Raises
    ------
    SchemaError
        If a (series, period) row repeats.

    Examples
    --------
    >>> import numpy as np
    >>> lag_differences(np.array([0, 0, 0, 1]), np.array([0, 1, 3, 0]),
    ...                 np.array([1.0, 2.0, 4.0, 9.0]), 1)
    array([nan,  1., nan, nan])
    """
    if codes.size == 0:
        return np.zeros(0)
    low = int(ordinals.min())
    width = int(ordinals.max()) - low + 1 + season_length
    key = codes * width + (ordinals - low + season_length)
    index = pd.Index(key)
    if not index.is_unique:
        raise SchemaError("repeated (series, period) rows in the training data: each series "
                          "needs one row per period", reason="duplicate_key")
    partner = index.get_indexer(key - season_length)
    previous = np.where(partner >= 0, y[np.maximum(partner, 0)], np.nan)
    return y - previous


def grouped_metrics(names: Sequence[str], levels: list[float], *, y: np.ndarray,
                    frame: pd.DataFrame, codes: np.ndarray, n_groups: int,
                    scale_abs: np.ndarray | None = None,
                    scale_sq: np.ndarray | None = None
                    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every metric per group code, vectorised: ``{label: (values, n_points)}``.

    ``frame`` holds ``mean`` and the ``lo_<level>``/``hi_<level>`` columns
    row by row with the actuals ``y``; ``scale_abs``/``scale_sq`` are each
    row's MASE/RMSSE scale (NaN where undefined). Interval metrics are
    reported per level; ``pinball`` at a level is the mean of the pinball
    losses of the lower bound (``q = a/2``) and the upper bound
    (``q = 1 - a/2``), ``a = 1 - level/100``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> out = grouped_metrics(["mae"], [], y=np.array([1.0, 2.0, 3.0]),
    ...                       frame=pd.DataFrame({"mean": [2.0, 2.0, 5.0]}),
    ...                       codes=np.array([0, 0, 1]), n_groups=2)
    >>> out["mae"]
    (array([0.5, 2. ]), array([2, 1]))
    """
    f = frame["mean"].to_numpy(dtype=np.float64, na_value=np.nan) if "mean" in frame else None
    out = {}
    for name in names:  # a handful of metrics; each is vectorised over all rows
        spec = SPECS[name]
        if name not in INTERVAL_METRICS:
            scale = {"abs": scale_abs, "sq": scale_sq, None: None}[spec.scale]
            if name == "mape":
                warn_zero_actuals(y, f)
            terms = point_terms(name, y, f, None, None, scale)
            means, counts = group_means(terms, codes, n_groups)
            out[name] = (np.sqrt(means) if spec.root else means, counts)
            continue
        for level in levels:
            lo_column, hi_column = interval_columns(level)
            lo = frame[lo_column].to_numpy(dtype=np.float64, na_value=np.nan)
            hi = frame[hi_column].to_numpy(dtype=np.float64, na_value=np.nan)
            if name == "pinball":
                a = 1.0 - level / 100.0
                terms = np.concatenate([
                    point_terms(name, y, lo, None, None, None, quantile=a / 2),
                    point_terms(name, y, hi, None, None, None, quantile=1 - a / 2)])
                means, counts = group_means(terms, np.concatenate([codes, codes]), n_groups)
                counts = counts // 2
            else:
                check_bounds(np.nan_to_num(lo, nan=-np.inf), np.nan_to_num(hi, nan=np.inf))
                terms = point_terms(name, y, None, lo, hi, None, level=level)
                means, counts = group_means(terms, codes, n_groups)
            out[f"{name}_{level_label(level)}"] = (means, counts)
    return out


def long_metrics(ids: pd.DataFrame, results: dict[str, tuple[np.ndarray, np.ndarray]]
                 ) -> pd.DataFrame:
    """``<ids...>, metric, value, n`` from :func:`grouped_metrics` output (metric-major).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> long_metrics(pd.DataFrame({"id": ["a", "b"]}),
    ...              {"mae": (np.array([0.5, 2.0]), np.array([2, 1]))})
      id metric  value  n
    0  a    mae    0.5  2
    1  b    mae    2.0  1
    """
    n_groups = len(ids)
    labels = list(results)
    out = ids.iloc[np.tile(np.arange(n_groups), len(labels))].reset_index(drop=True)
    out["metric"] = np.repeat(np.array(labels, dtype=object), n_groups)
    out["value"] = np.concatenate([results[k][0] for k in labels]) if labels else []
    out["n"] = np.concatenate([results[k][1] for k in labels]).astype(np.int64) if labels else []
    return out


def check_bounds(lo: np.ndarray, hi: np.ndarray) -> None:
    """Raise :class:`~talentgap.errors.ParameterError` where ``lower > upper``.

    Examples
    --------
    >>> import numpy as np
    >>> check_bounds(np.array([0.0, 3.0]), np.array([2.0, 1.0]))
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: lower > upper at 1 point(s), e.g. position 1: 3 > 1
    """
    crossed = lo > hi
    if crossed.any():
        first = int(np.flatnonzero(crossed)[0])
        raise ParameterError(f"lower > upper at {int(crossed.sum())} point(s), e.g. position "
                             f"{first}: {lo[first]:g} > {hi[first]:g}")


def warn_zero_actuals(y: np.ndarray, f: np.ndarray) -> None:
    """Warn how many points MAPE leaves out because the actual value is 0."""
    zeros = int(np.sum((y == 0) & ~np.isnan(f)))
    if zeros:
        warn(f"mape is undefined where the actual value is 0; {zeros} such point(s) "
             "left out (smape or mase handle zeros)", DataQualityWarning, stacklevel=3)
