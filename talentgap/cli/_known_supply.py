"""Supply the training table already holds for the periods after the panel: known, not forecast.

With ``[panel] lead_time`` L >= 1 the workers certified in period t become
available in t + L, so the training table fixes the supply of the first
periods after the panel's last period: every cohort that arrives in them
is already recorded. :func:`known_future_supply` builds that supply per
cell and period by the panel's own rules (the same
:func:`talentgap.features.training_supply` call as
:func:`talentgap.features.build_panel`: lead time per cell or programme,
absorption, crosswalk, upgrades between skilled levels, and ``[panel]
supply_fill`` within :func:`~talentgap.features._supply_fill.supply_fill_span`),
up to the last period the table fully determines, and the run passes it to
the gap model as ``future_supply`` (:meth:`talentgap.models.GapForecaster.fit`),
which keeps it with the fitted model as ``known_supply_``: saved models,
``talentgap plan --model`` and the service use the same values, and the
forecast flags those rows ``known_supply``.

A cell's supply is fully determined up to the training table's last period
plus the least lead time of the rows that reach the cell (a later period
waits for cohorts the table cannot hold yet); a cell no row reaches takes
the least lead time of the table. The table is taken as complete to its last
period, unless a period after the panel has no training row in any cell
while a later one has (rows entered ahead of time): then to the period
before that gap. Every training row is accounted for: its
output lands in the panel, in the known supply, or after the known span
(:meth:`KnownSupply.counts`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap._words import count_words
from talentgap.features._supply_fill import supply_fill_span
from talentgap.features.supply import training_supply

__all__ = ["KnownSupply", "known_future_supply", "run_counts", "summary_line"]

#: The column that makes each training row a cell of its own, for the accounting.
_ROW = "__training_row__"


@dataclass(frozen=True)
class KnownSupply:
    """The known supply after the forecast origin, and where each training row's output lands.

    Attributes
    ----------
    table : pandas.DataFrame
        ``<keys...>, period, supply``: one row per cell-period after the
        origin whose supply is known (persons, after absorption), sorted by
        cell then period; what the run passes as ``future_supply``.
    origin : pandas.Period
        The panel's last period with an observed demand (the gap model's
        forecast origin).
    last_period : pandas.Period
        The panel's last period.
    arrival : numpy.ndarray of int
        Per training row (in the table's row order): the period ordinal its
        certified workers arrive in (the latest, when a crosswalk splits it
        over cells with different lead times).
    used : numpy.ndarray of bool
        Per training row: its output is part of :attr:`table`.
    certified_by : pandas.Period or None
        The latest training period of the rows in :attr:`table`.
    last_trained : pandas.Period or None
        The training table's last period.
    complete_through : pandas.Period or None
        The training table's last period taken as complete: its last
        period, unless a period after the panel has no training row at all
        and a later one has (the rows after such a hole are not used).
    """

    table: pd.DataFrame
    origin: pd.Period
    last_period: pd.Period
    arrival: np.ndarray
    used: np.ndarray
    certified_by: pd.Period | None = None
    last_trained: pd.Period | None = None
    complete_through: pd.Period | None = None

    def counts(self, last_forecast: pd.Period | None = None) -> dict:
        """Training rows after the origin, by where their output lands.

        Parameters
        ----------
        last_forecast : pandas.Period, optional
            The last period the gap model simulates; known supply after it
            is kept with the model but no forecast reaches it.

        Returns
        -------
        dict
            ``rows_after_origin`` (rows whose workers arrive after the
            origin), ``rows_known`` (their output is the known supply of a
            forecast period), ``rows_after_forecast`` (known, but after
            ``last_forecast``), ``rows_not_determined`` (they arrive after
            the last period the training table fully determines for their
            cell: that period's supply is forecast), ``cell_periods`` (known
            cell-periods up to ``last_forecast``) and ``periods`` (the first
            and last of them, as text; empty when none).

        Examples
        --------
        >>> table = pd.DataFrame({"region": ["N", "N"], "period": pd.PeriodIndex(
        ...     ["2024Q1", "2024Q2"], freq="Q"), "supply": [5.0, 6.0]})
        >>> known = KnownSupply(table, pd.Period("2023Q4", "Q"), pd.Period("2023Q4", "Q"),
        ...                     pd.PeriodIndex(["2023Q3", "2024Q1", "2024Q2", "2024Q3"],
        ...                                    freq="Q").asi8,
        ...                     np.array([False, True, True, False]))
        >>> known.counts(pd.Period("2024Q1", "Q"))
        {'rows_after_origin': 3, 'rows_known': 1, 'rows_after_forecast': 1, \
'rows_not_determined': 1, 'cell_periods': 1, 'periods': ['2024Q1', '2024Q1']}
        """
        after = self.arrival > self.origin.ordinal
        stop = np.iinfo(np.int64).max if last_forecast is None else last_forecast.ordinal
        late = self.arrival > stop
        periods = self.table["period"]
        inside = (periods.array.asi8 <= stop) if len(periods) else np.zeros(0, dtype=bool)
        shown = periods[inside]
        return {"rows_after_origin": int(after.sum()),
                "rows_known": int((self.used & ~late).sum()),
                "rows_after_forecast": int((self.used & late).sum()),
                "rows_not_determined": int((after & ~self.used).sum()),
                "cell_periods": int(inside.sum()),
                "periods": [str(shown.min()), str(shown.max())] if len(shown) else []}

    def note(self, last_forecast: pd.Period | None = None) -> str | None:
        """A sentence for the run's notes on the known supply (None: none is known).

        Examples
        --------
        >>> table = pd.DataFrame({"region": ["N"], "period": pd.PeriodIndex(["2024Q1"],
        ...                       freq="Q"), "supply": [5.0]})
        >>> known = KnownSupply(table, pd.Period("2023Q4", "Q"), pd.Period("2023Q4", "Q"),
        ...                     pd.PeriodIndex(["2024Q1", "2024Q3"], freq="Q").asi8,
        ...                     np.array([True, False]), pd.Period("2023Q4", "Q"))
        >>> print(known.note(pd.Period("2024Q4", "Q")))
        the supply of 1 cell-period in 2024Q1 is known, not forecast: 1 training row \
(certified by 2023Q4) arrives then after [panel] lead_time; forecast.csv flags it known_supply
        """
        counts = self.counts(last_forecast)
        n, rows = counts["cell_periods"], counts["rows_known"]
        if not n:
            return None
        first, last = counts["periods"]
        span = first if first == last else f"{first}..{last}"
        return (f"the supply of {count_words(n, 'cell-period')} in {span} is known, not "
                f"forecast: {count_words(rows, 'training row')} (certified by "
                f"{self.certified_by or self.origin}) {'arrives' if rows == 1 else 'arrive'} "
                f"then after [panel] lead_time; forecast.csv flags "
                f"{'it' if n == 1 else 'them'} known_supply")

    def unused_note(self, last_forecast: pd.Period | None = None) -> str | None:
        """A warning on the training rows after the origin that no forecast uses (None: none).

        Examples
        --------
        >>> table = pd.DataFrame({"region": ["N"], "period": pd.PeriodIndex(["2024Q1"],
        ...                       freq="Q"), "supply": [5.0]})
        >>> known = KnownSupply(table, pd.Period("2023Q4", "Q"), pd.Period("2023Q4", "Q"),
        ...                     pd.PeriodIndex(["2024Q1", "2024Q3"], freq="Q").asi8,
        ...                     np.array([True, False]))
        >>> print(known.unused_note(pd.Period("2024Q4", "Q")))
        1 training row arrives after the last period the training table fully determines \
for its cell ([panel] lead_time after the table's last period) and is not used: that \
period's supply is forecast
        """
        counts = self.counts(last_forecast)
        parts = []
        late = counts["rows_after_forecast"]
        if late:
            parts.append(f"{count_words(late, 'training row')} "
                         f"{'arrives' if late == 1 else 'arrive'} after {last_forecast}, the "
                         "last period the gap model simulates, and "
                         f"{'is' if late == 1 else 'are'} not used")
        unknown = counts["rows_not_determined"]
        if unknown:
            parts.append(f"{count_words(unknown, 'training row')} "
                         f"{'arrives' if unknown == 1 else 'arrive'} after the last period "
                         "the training table fully determines for "
                         f"{'its' if unknown == 1 else 'their'} cell ([panel] lead_time "
                         "after the table's last period) and "
                         f"{'is' if unknown == 1 else 'are'} not used: that period's supply "
                         "is forecast")
            through = self.complete_through
            if through is not None and (self.arrival > through.ordinal).any() and (
                    through + 1 <= self.last_trained):
                parts[-1] += (f" (no training row is dated {through + 1}, so the table is "
                              f"taken as complete to {through} only; rows entered ahead of "
                              "time, such as planned places, are not certified output)")
        return "; ".join(parts) or None


def _complete_through(trained_in: np.ndarray, last_ordinal: int) -> int:
    """The training table's last period, as far as no period after the panel lacks every row.

    A period after the panel's last one in which no cell has a training row,
    followed by one that has rows, is a hole (rows entered ahead of time,
    such as planned places): the table is taken as complete only to the
    period before it.

    Examples
    --------
    >>> _complete_through(np.array([1, 2, 3, 4, 6]), 3)
    4
    >>> _complete_through(np.array([1, 2]), 3)
    2
    """
    present = np.unique(trained_in)
    before = present[present <= last_ordinal]
    through = int(before.max()) if before.size else last_ordinal
    later = present[present > through]
    run = later - through == np.arange(1, later.size + 1)  # contiguous from through + 1
    return through + int(np.argmin(run) if not run.all() else run.size)


def _period(ordinal: int, freq) -> pd.Period:
    return pd.PeriodIndex.from_ordinals([int(ordinal)], freq=freq)[0]


def known_future_supply(training: pd.DataFrame | None, panel: pd.DataFrame, *, keys,
                        freq: str, lead_time=0, absorption=1.0, crosswalk=None,
                        skill_levels=None, supply_fill: float | None = None
                        ) -> KnownSupply | None:
    """The supply the training table fully determines after the panel's forecast origin.

    Parameters
    ----------
    training : pandas.DataFrame or None
        The validated training table the panel was built from.
    panel : pandas.DataFrame
        :func:`talentgap.features.build_panel` output built from it with
        the same settings.
    keys, freq, lead_time, absorption, crosswalk, skill_levels, supply_fill
        The settings the panel was built with
        (:func:`talentgap.features.build_panel`).

    Returns
    -------
    KnownSupply or None
        None without training rows or an observed demand.

    Notes
    -----
    Known are, after the origin (the last period with an observed demand):
    the panel's own observed (or filled) supply of its periods after the
    origin, and for each later period up to the cell's last fully determined
    period (the table's last period plus the least lead time of the rows that
    reach the cell) the training output arriving then; a period no row reaches
    is known only with ``supply_fill``, within
    :func:`~talentgap.features._supply_fill.supply_fill_span` over the panel and
    these periods (as the panel fills its own).

    Examples
    --------
    >>> import talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=1, industries=2, n_periods=8, seed=1)
    >>> panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    >>> known = known_future_supply(data.training, panel, keys=["region", "industry"],
    ...                             freq="Q", lead_time=1)
    >>> last = panel["period"].max()
    >>> bool((known.table["period"] == last + 1).all()), len(known.table)
    (True, 2)
    """
    keys = list(keys)
    if training is None or len(training) == 0 or panel is None or len(panel) == 0:
        return None
    demand_seen = ~panel["demand_missing"].to_numpy(dtype=bool)
    if not demand_seen.any():
        return None
    ordinal = panel["period"].array.asi8
    origin_ordinal, last_ordinal = int(ordinal[demand_seen].max()), int(ordinal.max())
    freq_code = panel["period"].dtype.freq
    cell = panel.groupby(keys, observed=True, sort=False).ngroup().to_numpy(np.int64)
    first_row = np.unique(cell, return_index=True)[1]
    cells = panel[keys].iloc[first_row].reset_index(drop=True)
    lookup = pd.MultiIndex.from_frame(cells.astype(object))

    settings = {"keys": keys, "freq": freq, "lead_time": lead_time,
                "absorption": absorption, "crosswalk": crosswalk,
                "skill_levels": skill_levels}
    # the supply per cell-period, exactly as build_panel counts it
    supply = training_supply(training, **settings)
    # each training row as a cell of its own: its arrival period and lead time
    rows = training_supply(training.assign(**{_ROW: np.arange(len(training))}),
                           **{**settings, "keys": [*keys, _ROW]})
    row = rows[_ROW].astype(np.int64).to_numpy()
    row_cell = lookup.get_indexer(pd.MultiIndex.from_frame(rows[keys].astype(object)))
    arrival = rows["period"].array.asi8
    trained_in = training["period"].array.asi8
    lead = arrival - trained_in[row]
    through = _complete_through(trained_in, last_ordinal)
    reach = np.full(len(cells), through + (int(lead.min()) if lead.size else 0),
                    dtype=np.int64)
    reached = row_cell >= 0
    if reached.any():  # the least lead time of the rows that reach each cell
        least = np.full(len(cells), np.iinfo(np.int64).max)
        np.minimum.at(least, row_cell[reached], lead[reached])
        reach = np.where(least < np.iinfo(np.int64).max, through + least, reach)

    # the panel's own supply after the origin (observed, or filled by supply_fill)
    panel_supply = panel["supply"].to_numpy(dtype=np.float64, na_value=np.nan)
    in_panel = (ordinal > origin_ordinal) & np.isfinite(panel_supply)
    known_cell, known_period = [cell[in_panel]], [ordinal[in_panel]]
    known_value = [panel_supply[in_panel]]

    # the periods after the panel, up to each cell's last fully determined period
    stop = int(reach.max())
    if stop > last_ordinal:
        steps = stop - last_ordinal
        grid_cell = np.repeat(np.arange(len(cells)), steps)
        grid_period = np.tile(last_ordinal + 1 + np.arange(steps), len(cells))
        value = np.full(grid_cell.size, np.nan)
        s_cell = lookup.get_indexer(pd.MultiIndex.from_frame(supply[keys].astype(object)))
        s_period = supply["period"].array.asi8
        inside = (s_cell >= 0) & (s_period > last_ordinal) & (s_period <= stop)
        value[s_cell[inside] * steps + (s_period[inside] - last_ordinal - 1)] = (
            supply["supply"].to_numpy(dtype=np.float64)[inside])
        seen = np.isfinite(value)
        if supply_fill is not None:  # within the training table's reach and the cell's span
            span = supply_fill_span(
                np.concatenate([cell, grid_cell]), np.concatenate([ordinal, grid_period]),
                np.concatenate([demand_seen, np.zeros(grid_cell.size, dtype=bool)]),
                np.concatenate([~panel["supply_missing"].to_numpy(dtype=bool), seen]))
            value = np.where(~seen & span[len(cell):], float(supply_fill), value)
        keep = np.isfinite(value) & (grid_period <= reach[grid_cell])
        known_cell.append(grid_cell[keep])
        known_period.append(grid_period[keep])
        known_value.append(value[keep])
    k_cell, k_period = np.concatenate(known_cell), np.concatenate(known_period)
    order = np.lexsort((k_period, k_cell))
    k_cell, k_period = k_cell[order], k_period[order]
    table = cells.iloc[k_cell].reset_index(drop=True)
    table["period"] = pd.PeriodIndex.from_ordinals(k_period, freq=freq_code)
    table["supply"] = np.concatenate(known_value)[order]

    # each row: used when its output lands on a known cell-period
    width = int(max(k_period.max(initial=last_ordinal), arrival.max(initial=last_ordinal))
                - origin_ordinal + 1)
    known_code = np.unique(k_cell * width + (k_period - origin_ordinal))
    after = reached & (arrival > origin_ordinal)
    code = row_cell * width + (arrival - origin_ordinal)
    lands = np.zeros(len(row), dtype=bool)
    lands[after] = np.isin(code[after], known_code)
    used = np.zeros(len(training), dtype=bool)
    np.logical_or.at(used, row, lands)
    latest = np.full(len(training), np.iinfo(np.int64).min)
    np.maximum.at(latest, row, arrival)
    return KnownSupply(table=table, origin=_period(origin_ordinal, freq_code),
                       last_period=_period(last_ordinal, freq_code), arrival=latest,
                       used=used, certified_by=(_period(trained_in[used].max(), freq_code)
                                                if used.any() else None),
                       last_trained=_period(trained_in.max(), freq_code),
                       complete_through=_period(through, freq_code))


def run_counts(result) -> dict | None:
    """:meth:`KnownSupply.counts` of a run, up to the last period its gap model simulates.

    None when the run built no known supply (no training rows, or a given
    ``--model``) or fitted no gap model.
    """
    known, model = getattr(result, "known_supply", None), getattr(result, "gap_model", None)
    if known is None or model is None or getattr(model, "horizon", None) is None:
        return None
    return known.counts(model.origin_ + int(model.horizon))


def summary_line(counts: dict | None) -> str | None:
    """The run summary's line on the known supply and the training rows it takes.

    Examples
    --------
    >>> print(summary_line({"rows_after_origin": 70, "rows_known": 64,
    ...                     "rows_after_forecast": 0, "rows_not_determined": 6,
    ...                     "cell_periods": 64, "periods": ["2024Q1", "2024Q1"]}))
    known supply: 2024Q1 (64 cell-periods, not forecast) from 64 training rows; 6 later \
training rows not used (see the notes)
    """
    if counts is None or not counts["rows_after_origin"] and not counts["cell_periods"]:
        return None
    first, last = counts["periods"] or ["", ""]
    span = first if first == last else f"{first}..{last}"
    head = (f"known supply: {span} ({count_words(counts['cell_periods'], 'cell-period')}, "
            f"not forecast) from {count_words(counts['rows_known'], 'training row')}"
            if counts["cell_periods"] else "known supply: none")
    unused = counts["rows_after_forecast"] + counts["rows_not_determined"]
    if unused:
        head += (f"; {count_words(unused, 'later training row')} not used (see the notes)")
    return head
