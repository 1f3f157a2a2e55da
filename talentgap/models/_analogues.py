"""Cold start from declared analogues: which series use one, at what level, and why not.

:class:`~talentgap.models.auto.AutoForecaster` forecasts a short series whose
key is declared in ``analogues`` (``{"industry": {"live_streaming":
"ecommerce"}}``) as its analogue (the series with the analogue value and the
same other keys) times a level ratio. Here are the match of each series to its
analogue, the rules a match must pass (with the reason when it does not), and
the ratio.

The ratio is the series' mean over its last season (``m`` periods, at
least 2, or fewer where it is shorter) divided by the analogue's mean over its
last two seasons, both ending in the series' last period
(:func:`window_means`). A ratio from the one or two raw survey estimates
that overlap the series rests on the analogue's noisiest numbers (an
estimate of 9 where the truth was 54 made a ratio of 64.8); two seasons of
the analogue weigh every season alike and dilute one bad estimate eightfold
for quarters, and the series' last season is its current level, not the mean
of a ramp-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap.errors import DataQualityWarning, ParameterError, warn
from talentgap.periods import period_array

__all__ = ["AnalogueMatch", "match_analogues", "window_means", "observation_words"]


@dataclass(frozen=True)
class AnalogueMatch:
    """Per series: its analogue's row (-1: none), the level ratio, and why one is unused.

    ``unused`` is None for a series that uses its analogue or declares none,
    and for a series long enough for its own models; otherwise the reason.
    """

    rows: np.ndarray
    ratio: np.ndarray
    unused: np.ndarray


def observation_words(n_obs: np.ndarray) -> np.ndarray:
    """``"1 observation"``, ``"3 observations"`` for each count (object array).

    Examples
    --------
    >>> observation_words(np.array([1, 3])).tolist()
    ['1 observation', '3 observations']
    """
    n_obs = np.asarray(n_obs)
    return np.char.add(n_obs.astype(str), np.where(n_obs == 1, " observation",
                                                   " observations")).astype(object)


def match_analogues(arrays, keys: Sequence[str], analogues: dict | None,
                    min_history: int, season_length: int) -> AnalogueMatch:
    """Match every series to its declared analogue and compute the level ratio.

    Parameters
    ----------
    arrays : SeriesArrays
        The fitted series (right-aligned).
    keys : sequence of str
        The key columns.
    analogues : dict or None
        ``{key_column: {value: analogue_value}}``.
    min_history : int
        A series with fewer observations uses its analogue; the analogue
        needs at least as many.
    season_length : int
        Sets the windows of the level ratio (:func:`window_means`).

    Returns
    -------
    AnalogueMatch

    Raises
    ------
    ParameterError
        A declared column that is not a key, or an analogue value that names
        no series (a typo must not pass as "no analogue").
    """
    n = arrays.n_series
    rows = np.full(n, -1, dtype=np.int64)
    ratio = np.full(n, np.nan)
    unused = np.full(n, None, dtype=object)
    if not analogues:
        return AnalogueMatch(rows, ratio, unused)
    unknown = [c for c in analogues if c not in keys]
    if unknown:
        raise ParameterError(f"analogues names columns {unknown} that are not keys "
                             f"{list(keys)}")
    ids = arrays.ids.astype(str).reset_index(drop=True)
    _check_names(ids, analogues)
    _warn_absent(ids, analogues)
    lookup = ids.reset_index().rename(columns={"index": "analogue_row"})
    declared = np.zeros(n, dtype=bool)
    target = np.full(n, "", dtype=object)
    for column, mapping in analogues.items():  # a declared column or two
        wanted = ids.assign(**{column: ids[column].map(mapping)})
        found = wanted.merge(lookup, on=list(keys), how="left")["analogue_row"]
        hit = ids[column].isin(list(mapping)).to_numpy() & ~declared
        target[hit] = column + "=" + wanted[column].to_numpy(dtype=object)[hit]
        rows[hit] = found.fillna(-1).to_numpy(np.int64)[hit]
        declared |= hit
    short = declared & (arrays.n_obs < min_history)
    source = np.where(rows >= 0, rows, 0)
    mine, other = window_means(arrays.values, arrays.values[source], season_length)
    with np.errstate(invalid="ignore", divide="ignore"):
        level = mine / other
    window = max(int(season_length), 2)   # the windows of window_means
    others = [k for k in keys if k not in analogues]
    same = (" with the same " + ", ".join(others)) if others else ""
    checks = [  # (fails, reason), the first that fails is given
        (rows < 0, "no series " + target + same),
        (arrays.n_obs[source] < min_history,
         "the analogue has " + observation_words(arrays.n_obs[source])
         + f", fewer than min_history={min_history}"),
        (arrays.last_period[source] != arrays.last_period,
         "the analogue's last period is " + _periods(arrays, source)
         + ", the series' " + _periods(arrays, np.arange(n))),
        (~(other > 0), f"the analogue's mean over its last {2 * window} periods is not "
                       "positive"),
        (~(mine > 0), f"the series' mean over its last {window} periods is " + _figures(mine)),
    ]
    reason = np.full(n, None, dtype=object)
    for fails, text in reversed(checks):  # five rules, vectorised over series
        reason = np.where(fails, text, reason)
    usable = short & (reason == None)  # noqa: E711
    failed = short & ~usable
    unused[failed] = ("declared analogue " + target[failed] + " not used: "
                      + reason[failed].astype(str))
    rows = np.where(usable, rows, -1)
    return AnalogueMatch(rows, np.where(usable, level, np.nan), unused)


def _check_names(ids: pd.DataFrame, analogues: dict) -> None:
    """Every analogue value must be a value of its column (else: a typo)."""
    missing = [(column, f"analogues[{column!r}][{value!r}] == {name!r}")
               for column, mapping in analogues.items()
               for value, name in mapping.items()
               if name not in set(ids[column])]  # a few declarations
    if missing:
        column = missing[0][0]
        raise ParameterError(f"{', '.join(text for _, text in missing)}: no series has that "
                             f"value; analogues must name values of column {column!r}, e.g. "
                             f"{sorted(set(ids[column]))[:5]}")


def _warn_absent(ids: pd.DataFrame, analogues: dict) -> None:
    """Warn of declared values no series has (a trade declared before its first survey?)."""
    absent = [f"{column}={value!r} (analogue {name!r})"
              for column, mapping in analogues.items()
              for value, name in mapping.items()
              if value not in set(ids[column])]  # a few declarations
    if absent:
        column = next(iter(analogues))
        warn(f"analogues declare {', '.join(absent)}, but no series has that value: nothing "
             "is forecast from those analogues (a value spelt otherwise in the data, or a "
             f"series without data yet); values of {column!r} are e.g. "
             f"{sorted(set(ids[column]))[:5]}", DataQualityWarning, stacklevel=4)


def _periods(arrays, rows: np.ndarray) -> np.ndarray:
    """The last observed period of ``rows`` as text (object array)."""
    return np.asarray(period_array(arrays.last_period[rows], arrays.freq).astype(str),
                      dtype=object)


def _figures(values: np.ndarray) -> np.ndarray:
    return np.array([f"{v:.3g}" for v in values], dtype=object)


def window_means(values: np.ndarray, analogue: np.ndarray,
                 season_length: int) -> tuple[np.ndarray, np.ndarray]:
    """The level of each series and of its analogue, for the ratio between them.

    Parameters
    ----------
    values, analogue : numpy.ndarray, shape (n, T)
        Right-aligned values of the series and of their analogues (same last
        period), NaN where unobserved.
    season_length : int
        ``m``; at least 2 is used, so annual data compare two years with four.

    Returns
    -------
    tuple of numpy.ndarray
        The mean of each series over its observed values among the last
        ``m`` periods, and of its analogue over the last ``2m`` (NaN where
        the analogue has none there).

    Examples
    --------
    >>> series = np.array([[np.nan, 10.0, 20.0, 30.0]])
    >>> analogue = np.array([[10.0, 20.0, 30.0, 0.0]])
    >>> window_means(series, analogue, 2)       # (20 + 30) / 2 and (10 + 20 + 30 + 0) / 4
    (array([25.]), array([15.]))
    """
    width, m = values.shape[1], max(int(season_length), 2)
    column = np.arange(width)[None, :]
    recent = (column >= width - m) & np.isfinite(values)        # the series' last season
    counted = (column >= width - 2 * m) & np.isfinite(analogue)  # the analogue's last two
    mine = np.where(recent, values, 0.0).sum(axis=1) / np.maximum(recent.sum(axis=1), 1)
    other = np.where(counted, analogue, 0.0).sum(axis=1) / np.maximum(counted.sum(axis=1), 1)
    return mine, np.where(counted.any(axis=1), other, np.nan)
