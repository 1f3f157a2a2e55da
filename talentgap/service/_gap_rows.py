"""Answers of ``POST /v1/gap`` at a cost proportional to the cells asked for.

A gap model's :meth:`~talentgap.models.GapForecaster.predict` and
:meth:`~talentgap.models.GapForecaster.explain` build pandas tables, and
``explain`` covers every cell; for a service answering one cell at a time
that table building, not the arithmetic, is most of the work.
:class:`GapAnswers` is made once per served model: it keeps the position of
each cell (a dictionary keyed by the key values) and, after the first
request, the columns of the explanations that do not depend on the request.
Each request then reads the statistics of its own cells' sample paths
(:meth:`~talentgap.models.GapForecaster.predict_rows`, the computation behind
``predict``, restricted to those rows) and builds the JSON rows straight from
the arrays, so the answer is the same numbers as
``predict(horizon, level, cells=...)`` and ``explain(horizon)`` give for
those cells.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._arguments import check_horizon, check_levels
from talentgap.models import GapForecaster
from talentgap.models.gap_flags import FLAGS
from talentgap.service._lookup import KeyLookup

__all__ = ["GapAnswers", "json_values", "page_rows"]

#: Explanation columns that depend on the request (the rest are kept per served model).
_REQUEST_COLUMNS = ("flags",)


def json_values(values: np.ndarray) -> list:
    """A column as JSON-ready Python values: floats and text, NaN and missing as None.

    Examples
    --------
    >>> json_values(np.array([1.5, np.nan]))
    [1.5, None]
    >>> json_values(np.array(["a", None], dtype=object))
    ['a', None]
    """
    values = np.asarray(values)
    if values.dtype.kind == "f":
        missing = np.isnan(values)
        if not missing.any():
            return values.tolist()
        out = values.astype(object)
        out[missing] = None
        return out.tolist()
    if values.dtype.kind == "O":
        out = values.copy()
        out[pd.isna(values)] = None
        return out.tolist()
    return values.tolist()


def page_rows(rows: np.ndarray, page: tuple[int, int] | None) -> np.ndarray:
    """The positions of one page of ``rows``: ``limit`` of them from ``offset`` (all when
    ``page`` is None; none when ``offset`` is past the last).

    Examples
    --------
    >>> rows = np.arange(5)
    >>> page_rows(rows, (0, 2)).tolist(), page_rows(rows, (4, 2)).tolist()
    ([0, 1], [4])
    >>> page_rows(rows, (9, 2)).tolist(), page_rows(rows, None).tolist()
    ([], [0, 1, 2, 3, 4])
    """
    if page is None:
        return rows
    offset, limit = page
    return rows[offset:offset + limit]


class GapAnswers:
    """Gap forecast rows and explanations for the cells a request names.

    Parameters
    ----------
    model : GapForecaster
        A fitted gap model; only read.
    keys : list of str
        Its key columns, in order.

    Examples
    --------
    >>> import talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
    >>> panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    >>> gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50).fit(panel)
    >>> answers = GapAnswers(gap, ["region", "industry"])
    >>> cell = {k: str(v) for k, v in gap.cells_.iloc[1].items()}
    >>> columns, rows, why = answers.answer(2, [80], [cell])
    >>> len(rows), columns[:5], why[0]["industry"] == cell["industry"]
    (2, ['region', 'industry', 'period', 'demand', 'supply'], True)
    """

    def __init__(self, model: GapForecaster, keys: Sequence[str]) -> None:
        self.model = model
        self.keys = list(keys)
        values = model.cells_[self.keys].astype(str).to_numpy(dtype=object)
        self._values = values
        self._lookup = KeyLookup(self.keys, values, what="cell(s)")
        self._static: dict[str, np.ndarray] | None = None
        self._periods: dict[int, np.ndarray] = {}

    @property
    def n_cells(self) -> int:
        """Number of cells of the model."""
        return len(self._values)

    def rows_of(self, cells: list[dict] | None, field: str = "cells") -> np.ndarray:
        """Positions of the requested cells among the model's (all when None); see
        :meth:`~talentgap.service._lookup.KeyLookup.rows_of`."""
        return self._lookup.rows_of(cells, field)

    def prepare(self, horizon: int) -> None:
        """Build what the answers for ``horizon`` read, before the first request.

        The model's sample-path statistics for ``horizon`` (kept by the model
        for its last horizon), the explanation columns and the period labels;
        a served model calls this when it is (re)loaded, so the first request
        is as fast as later ones.
        """
        horizon = check_horizon(horizon)
        self.model.prepare(horizon)
        self._static_explanations(horizon)
        self._period_labels(horizon)

    def prepared(self, horizon: int) -> bool:
        """True when the answers for ``horizon`` need nothing built first.

        Examples
        --------
        >>> import talentgap as tg
        >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
        >>> panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
        >>> gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50).fit(panel)
        >>> answers = GapAnswers(gap, ["region", "industry"])
        >>> answers.prepared(4), answers.prepare(4), answers.prepared(4)
        (False, None, True)
        """
        return (self._static is not None and horizon in self._periods
                and self.model.prepared(horizon))

    def _period_labels(self, horizon: int) -> np.ndarray:
        labels = self._periods.get(horizon)
        if labels is None:
            model = self.model
            periods = pd.PeriodIndex.from_ordinals(
                pd.Period(model.origin_).ordinal + 1 + np.arange(horizon), freq=model.freq_)
            labels = np.asarray(periods.astype(str), dtype=object)
            self._periods[horizon] = labels
        return labels

    def _static_explanations(self, horizon: int) -> dict[str, np.ndarray]:
        """Explanation columns that do not depend on the request, kept after the first call."""
        if self._static is None:
            why = self.model.explain(horizon)
            self._static = {column: why[column].to_numpy(dtype=object)
                            for column in why.columns
                            if column not in self.keys and column not in _REQUEST_COLUMNS}
        return self._static

    def answer(self, horizon: int, level: Sequence[float], cells: list[dict] | None,
               *, field: str = "cells",
               page: tuple[int, int] | None = None) -> tuple[list[str], list[dict], list[dict]]:
        """The forecast rows and explanations of ``cells`` (all when None).

        With ``page`` (``offset, limit``), only the cells at positions
        ``offset`` to ``offset + limit - 1`` among those ``cells`` selects
        (every cell, in the model's order, when None); none past the last.

        Returns
        -------
        columns : list of str
            As ``predict``: keys, period, demand, supply, gap, the gap
            bounds per level, p_shortage, flag, gap_median, the demand and
            supply bounds per level.
        rows : list of dict
            One per cell and period, cells in the order asked.
        explanations : list of dict
            One per cell, as ``explain``'s rows.

        Raises
        ------
        ParameterError
            For a bad horizon, level or cell.
        """
        model = self.model
        horizon = check_horizon(horizon)
        levels = check_levels(level)
        rows = page_rows(self.rows_of(cells, field), page)
        numbers = model.predict_rows(horizon, levels, rows=rows)
        columns: dict[str, np.ndarray] = {}
        keyed = self._values[np.repeat(rows, horizon)]
        for j, key in enumerate(self.keys):
            columns[key] = keyed[:, j]
        columns[model.time] = np.tile(self._period_labels(horizon), rows.size)
        columns.update(numbers)
        names = list(columns)
        out = [dict(zip(names, values, strict=True))
               for values in zip(*(json_values(v) for v in columns.values()), strict=True)]
        flags = numbers["flag"].reshape(rows.size, horizon)
        return names, out, self._explanations(horizon, rows, flags)

    def _explanations(self, horizon: int, rows: np.ndarray, flags: np.ndarray) -> list[dict]:
        static = self._static_explanations(horizon)
        columns: dict[str, np.ndarray] = {}
        for j, key in enumerate(self.keys):
            columns[key] = self._values[rows, j]
        for name, values in static.items():
            columns[name] = values[rows]
        # the codes raised in any period, in the order of FLAGS, as explain() lists them
        text = np.asarray(flags, dtype=str)
        text = np.strings.add(np.strings.add(";", text), ";")
        raised = np.full(rows.size, "", dtype=object)
        for code in FLAGS:  # a handful of codes, each vectorised over every cell and period
            hit = (np.strings.find(text, f";{code};") >= 0).any(axis=1)
            raised = np.where(hit, np.where(raised == "", code, raised + ";" + code), raised)
        columns["flags"] = raised
        names = list(columns)
        return [dict(zip(names, values, strict=True))
                for values in zip(*(json_values(v) for v in columns.values()), strict=True)]
