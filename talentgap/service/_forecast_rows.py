"""Answers of ``POST /v1/forecast`` at a cost proportional to the series asked for.

A forecaster's :meth:`~talentgap.models.BaseForecaster.predict` forecasts
every series and builds one pandas table; a service asked for one series at
a time would redo all of that per request. :class:`ForecastAnswers` is made
once per served model. It keeps the position of each series (a dictionary
keyed by the key values) and, per ``(horizon, levels)`` asked for, the
columns of ``predict``'s table as arrays, so a request only picks its own
series' rows out of them and builds the JSON rows from those.

``predict`` is a pure function of the fitted state, so a kept table is the
answer ``predict(horizon, level=levels)`` gives, number for number; the
warnings it raised are kept with it and returned with every answer built
from it, as a fresh ``predict`` would raise them. The tables kept are
bounded in bytes (least recently used first out), so the memory of a
long-running service stays flat whatever the requests; a table larger than
the bound is built for its request and not kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._arguments import check_horizon, check_levels
from talentgap.errors import collect_warnings, warn
from talentgap.service._gap_rows import json_values, page_rows
from talentgap.service._lookup import KeyLookup

__all__ = ["ForecastAnswers", "CACHE_BYTES"]

#: Bytes of forecast tables kept per served model (64 MiB).
CACHE_BYTES = 64 * 2**20


class _Table:
    """``predict``'s columns as arrays, the warnings it raised and its size in bytes."""

    __slots__ = ("columns", "values", "warnings", "nbytes")

    def __init__(self, frame: pd.DataFrame, caught: list[Warning]) -> None:
        self.columns = [str(c) for c in frame.columns]
        self.values = [_column(frame[c]) for c in frame.columns]
        self.warnings = list(caught)
        self.nbytes = sum(v.nbytes if v.dtype.kind != "O" else 64 * v.size
                          for v in self.values)


def _column(series: pd.Series) -> np.ndarray:
    """A column as the JSON values the service returns: periods and categories as text."""
    if isinstance(series.dtype, (pd.PeriodDtype, pd.CategoricalDtype)):
        series = series.astype(str)
    if series.dtype.kind in "fiub":
        return series.to_numpy()
    return series.to_numpy(dtype=object)


class ForecastAnswers:
    """Forecast rows of a fitted forecaster for the series a request names.

    Parameters
    ----------
    model : BaseForecaster
        A fitted forecaster (any of :mod:`talentgap.models` but the gap
        model); only read.
    keys : list of str
        Its key columns, in order.
    max_bytes : int, default CACHE_BYTES
        Most bytes of forecast tables kept between requests.

    Examples
    --------
    >>> import pandas as pd
    >>> import talentgap as tg
    >>> df = pd.DataFrame({"id": ["a"] * 8 + ["b"] * 8,
    ...                    "period": list(pd.period_range("2022Q1", periods=8, freq="Q")) * 2,
    ...                    "value": [float(v) for v in range(16)]})
    >>> fc = tg.models.Naive(n_windows=2).fit(df, keys=["id"])
    >>> answers = ForecastAnswers(fc, ["id"])
    >>> columns, rows, caught = answers.answer(2, [80], [{"id": "b"}])
    >>> columns
    ['id', 'period', 'mean', 'lo_80', 'hi_80']
    >>> [(row["id"], row["period"], row["mean"]) for row in rows]
    [('b', '2024Q1', 15.0), ('b', '2024Q2', 15.0)]
    """

    def __init__(self, model, keys: Sequence[str], *, max_bytes: int = CACHE_BYTES) -> None:
        self.model = model
        self.keys = list(keys)
        self.max_bytes = int(max_bytes)
        ids = model.arrays_.ids[self.keys].astype(str).to_numpy(dtype=object)
        self._lookup = KeyLookup(self.keys, ids, what="series")
        self._n_series = len(ids)
        self._tables: OrderedDict[tuple, _Table] = OrderedDict()
        self._kept_bytes = 0
        self._lock = threading.Lock()

    @property
    def n_series(self) -> int:
        """Number of series of the model."""
        return self._n_series

    @property
    def kept_bytes(self) -> int:
        """Bytes of forecast tables kept now (at most ``max_bytes``)."""
        return self._kept_bytes

    def rows_of(self, series: list[dict] | None, field: str = "series") -> np.ndarray:
        """Positions of the requested series among the model's (all when None); see
        :meth:`~talentgap.service._lookup.KeyLookup.rows_of`."""
        return self._lookup.rows_of(series, field)

    def prepare(self, horizon: int, level: Sequence[float] = (80,)) -> None:
        """Build and keep the forecast table of ``(horizon, level)`` before the first request.

        A served model calls this when it is (re)loaded, with the requests'
        default horizon and level, so the first request is as fast as later ones.
        """
        self._table(check_horizon(horizon), check_levels(level))

    def prepared(self, horizon: int, level: Sequence[float] = (80,)) -> bool:
        """True when the table of ``(horizon, level)`` is kept.

        Examples
        --------
        >>> import pandas as pd
        >>> import talentgap as tg
        >>> df = pd.DataFrame({"id": ["a"] * 8,
        ...                    "period": pd.period_range("2022Q1", periods=8, freq="Q"),
        ...                    "value": [float(v) for v in range(8)]})
        >>> answers = ForecastAnswers(tg.models.Naive(n_windows=2).fit(df, keys=["id"]), ["id"])
        >>> answers.prepared(4), answers.prepare(4), answers.prepared(4)
        (False, None, True)
        """
        with self._lock:
            return (check_horizon(horizon), tuple(check_levels(level))) in self._tables

    def _table(self, horizon: int, levels: list[float]) -> _Table:
        """``predict(horizon, level=levels)`` as arrays: kept, or built (and kept if it fits)."""
        key = (horizon, tuple(levels))
        with self._lock:
            table = self._tables.get(key)
            if table is not None:
                self._tables.move_to_end(key)
                return table
        with collect_warnings() as caught:  # built outside the lock: requests run on
            frame = self.model.predict(horizon, level=levels or None)
        table = _Table(frame, caught)
        if table.nbytes > self.max_bytes:
            return table
        with self._lock:
            if key not in self._tables:  # another request may have built it meanwhile
                self._tables[key] = table
                self._kept_bytes += table.nbytes
            while self._kept_bytes > self.max_bytes:
                _, dropped = self._tables.popitem(last=False)
                self._kept_bytes -= dropped.nbytes
        return table

    def answer(self, horizon: int, level: Sequence[float], series: list[dict] | None,
               *, field: str = "series",
               page: tuple[int, int] | None = None) -> tuple[list[str], list[dict],
                                                             list[Warning]]:
        """The forecast rows of ``series`` (all when None), in the order asked.

        With ``page`` (``offset, limit``), only the series at positions
        ``offset`` to ``offset + limit - 1`` of those selected (see
        :func:`~talentgap.service._gap_rows.page_rows`).

        Returns
        -------
        columns : list of str
            As ``predict``: keys, period, mean, then ``lo_<level>``,
            ``hi_<level>`` per level (ascending).
        rows : list of dict
            One per series and period; NaN as None.
        warnings : list of Warning
            What ``predict`` warned; also issued again with :func:`warn`,
            so an enclosing :func:`~talentgap.errors.collect_warnings`
            receives them on every request.

        Raises
        ------
        ParameterError
            For a bad horizon, level or series.
        """
        horizon = check_horizon(horizon)
        levels = check_levels(level)
        rows = page_rows(self.rows_of(series, field), page)
        table = self._table(horizon, levels)
        for item in table.warnings:
            warn(str(item), type(item))
        take = (rows[:, None] * horizon + np.arange(horizon)).ravel()
        picked = [json_values(values[take]) for values in table.values]
        names = table.columns
        out = [dict(zip(names, values, strict=True)) for values in zip(*picked, strict=True)]
        return names, out, list(table.warnings)
