"""Score a stored edition against what was observed later, next to naive baselines.

Modelled on the US Bureau of Labor Statistics' evaluations of its
employment projections, which compare each vintage with naive models by
industry: the stored forecast of an edition (:class:`EditionStore`) is
compared with a later panel on the periods both have, and so are two
baselines fitted on the data the edition knew (its model's history up to
the origin): :class:`~talentgap.models.Naive` (no change) and
:class:`~talentgap.models.SeasonalNaive` (same season last year).

Scores, per cell, per group and overall, for ``gap``, ``demand`` and
``supply``:

``direction``
    Share (0-1) of cell-periods where the direction of change from the
    origin is right: ``sign(actual - base) == sign(forecast - base)``, with
    ``base`` the cell's last observed value at or before the origin (as
    the edition knew it). A no-change forecast gets a point only where the
    actual value did not change either, so the naive rule's score would be
    about 0 by construction: it is left out (NaN).
``mase``
    Mean absolute error divided by the cell's in-sample seasonal-naive
    error, ``mean(|y_t - y_{t-m}|)`` over the edition's history (Hyndman &
    Koehler 2006). For a group: the mean of the scaled errors of its
    cell-periods. Below 1: better than the seasonal naive in sample.
``coverage_<level>``
    Share (0-1) of actual values inside the stored ``<quantity>_lo_<level>``
    .. ``<quantity>_hi_<level>`` interval (the edition only; baselines have
    no stored intervals). An edition whose model forecast the population
    demand and gap (``GapForecaster(sampling_se=...)``) has its demand and gap
    intervals widened by the sampling error of each later estimate, the
    actuals' column of that name, before they are compared with it
    (:func:`talentgap.evaluation.with_sampling_error`; supply is counted,
    not estimated). The points table shows the ``actual_se`` used; a point
    whose estimate has no standard error (a single respondent) has no
    widened interval and is left out of the coverage, so
    ``n_coverage_<level>`` (the points the coverage counts) can be below
    ``n_points``.
``mae``, ``bias``
    In persons; ``bias`` > 0 means forecasts too high.

The metrics are those of :mod:`talentgap.evaluation.metrics` (missing values
are left out; a cell with a constant history has no MASE scale and gets NaN
with a :class:`~talentgap.errors.DataQualityWarning`). With a season length
of 1 (yearly editions) the seasonal naive rule is the naive rule and is left
out. Each table says which periods its scores cover (``first_period``,
``last_period``), and :attr:`EditionScores.scored` says per quantity how many
of the edition's cell-periods were scored and why the others were not: a
quantity can be scored on fewer periods than another (supply observed
before demand, a gap needing both).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from talentgap._arguments import interval_columns, level_label
from talentgap.editions._actuals import QUANTITIES, actual_values
from talentgap.editions._baselines import METHODS, check_season_length
from talentgap.editions._later_data import cells_not_scored, history_revisions, warn_revised
from talentgap.editions._points import SCORED_COLUMNS, interval_levels, scored_points
from talentgap.editions.store import EditionStore
from talentgap.errors import EditionError
from talentgap.evaluation import metrics

__all__ = ["EditionScores", "score_edition", "direction_accuracy", "QUANTITIES", "METHODS",
           "SCORED_COLUMNS"]


@dataclass(frozen=True)
class EditionScores:
    """The scores of one edition (see :func:`score_edition`).

    Attributes
    ----------
    edition : str
    origin : pandas.Period
        The edition's forecast origin.
    periods : list of pandas.Period
        Every period on which some quantity was scored (forecast by the
        edition and observed later); see ``scored`` for each quantity's.
    points : pandas.DataFrame
        One row per cell, period, quantity and method: ``<keys...>, period,
        step`` (periods after the origin), ``quantity, method, actual,
        forecast, base`` (last value known at the origin), ``scale`` (MASE
        denominator), the bounds ``lo_<level>, hi_<level>`` (stored, or widened
        by the actual's sampling error; see the module docstring) and
        ``actual_se`` (0 where none applies).
    cells : pandas.DataFrame
        Per cell, quantity and method: ``n_points, first_period,
        last_period`` (the periods of the points scored), ``direction, mase,
        mae, bias`` and per level ``coverage_<level>, n_coverage_<level>``
        (the points with an interval to count; NaN/0 for the baselines,
        which have no stored intervals). ``direction`` is NaN for the naive
        rule (about 0 by construction).
    groups : pandas.DataFrame
        The same per group: ``by`` (the key, e.g. ``"industry"``), ``group``
        (its value), then as ``cells``.
    summary : pandas.DataFrame
        The same over every cell, per quantity and method.
    scored : pandas.DataFrame
        Per quantity, what of the edition was scored: ``first_period,
        last_period, n_periods, periods`` (their labels, space-separated: a
        hole shows), ``n_cells, n_points`` (cell-periods scored),
        ``n_forecast`` (the edition's cell-periods), ``n_not_scored`` and why:
        ``cell_missing`` (the cell has no later value of this quantity in any
        period the edition forecast: gone from the later data),
        ``not_in_actuals`` (no row for the cell-period), ``actual_missing``
        (the row has no value of this quantity, e.g. no survey answers that
        period) and ``forecast_missing``; then ``history_compared`` and
        ``history_revised``: the cell-periods of the edition's history (up to
        the origin) with a later value, and how many of those the later data
        changed (see ``revised``).
    revised : pandas.DataFrame
        The cell-periods of the history the edition was fitted on whose later
        value differs (a re-sent or corrected period): ``<keys...>, period,
        quantity, stored, later, change, relative_change``, largest change
        first per quantity. Scores against revised data partly measure the
        revision, not the forecast; a :class:`~talentgap.errors.DataQualityWarning`
        says so.
    other_cells : pandas.DataFrame
        Cells left out as a whole: ``<keys...>, reason`` (``"not in the
        edition"``: later values, no forecast, e.g. a new trade; ``"no later
        value"``: forecast, but no later value of ``quantities`` in any
        period forecast), ``quantities, n_periods, first_period,
        last_period``.

    Examples
    --------
    An edition made two quarters before the end of the data, scored on them:

    >>> import tempfile, talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=1)
    >>> panel = tg.features.build_panel(data.surveys, data.training)
    >>> early = panel[panel["period"] <= panel["period"].max() - 2]
    >>> gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50).fit(early)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     store = EditionStore(f"{tmp}/editions.sqlite")
    ...     store.add("2021Q2", gap, gap.predict(2))
    ...     scores = score_edition(store, "2021Q2", panel)
    >>> scores.edition, scores.origin, [str(p) for p in scores.periods]
    ('2021Q2', Period('2021Q2', 'Q-DEC'), ['2021Q3', '2021Q4'])
    >>> scores.summary.loc[scores.summary["quantity"] == "gap", ["method", "n_points"]]
               method  n_points
    0         edition         8
    1           naive         8
    2  seasonal_naive         8
    >>> list(scores.cells.columns)
    ['region', 'industry', 'quantity', 'method', 'n_points', 'first_period', 'last_period',
     'direction', 'mase', 'mae', 'bias', 'coverage_80', 'n_coverage_80']
    >>> len(scores.points)   # 4 cells x 2 periods x 3 quantities x 3 methods
    72
    >>> scores.scored[["quantity", "first_period", "last_period", "n_points", "n_forecast"]]
      quantity first_period last_period  n_points  n_forecast
    0      gap       2021Q3      2021Q4         8           8
    1   demand       2021Q3      2021Q4         8           8
    2   supply       2021Q3      2021Q4         8           8
    """

    edition: str
    origin: pd.Period
    periods: list
    points: pd.DataFrame
    cells: pd.DataFrame
    groups: pd.DataFrame
    summary: pd.DataFrame
    scored: pd.DataFrame
    revised: pd.DataFrame = field(default_factory=pd.DataFrame)
    other_cells: pd.DataFrame = field(default_factory=pd.DataFrame)


def direction_accuracy(y_true, y_pred, *, y_base) -> float:
    """Share (0-1) of points where the forecast gets the direction of change right.

    Parameters
    ----------
    y_true, y_pred, y_base : array-like, 1-D
        Actual values, forecasts and the values at the origin they change
        from. Points where any of the three is NaN are left out.

    Returns
    -------
    float
        ``mean(sign(y_true - y_base) == sign(y_pred - y_base))``; NaN with no
        point left.

    Examples
    --------
    >>> direction_accuracy([12, 8, 10, 11], [11, 9, 10, 9], y_base=[10, 10, 10, 10])
    0.75

    (up/up, down/down, flat/flat right; up/down wrong.)
    """
    y, f, b = (np.asarray(v, dtype=np.float64) for v in (y_true, y_pred, y_base))
    if not (y.shape == f.shape == b.shape) or y.ndim != 1:
        raise EditionError(f"y_true, y_pred and y_base must be 1-D of one length, got shapes "
                           f"{y.shape}, {f.shape}, {b.shape}")
    ok = ~(np.isnan(y) | np.isnan(f) | np.isnan(b))
    if not ok.any():
        return float("nan")
    return float(np.mean(np.sign(y[ok] - b[ok]) == np.sign(f[ok] - b[ok])))


def score_edition(store: EditionStore | str | os.PathLike, name: str,
                  actuals: pd.DataFrame, *, keys: Sequence[str] = ("region", "industry"),
                  by: Sequence[str] = ("industry", "region"),
                  season_length: int | None = None) -> EditionScores:
    """Score a stored edition against a later panel, next to naive and seasonal-naive baselines.

    Parameters
    ----------
    store : EditionStore or path
        The edition store.
    name : str
        The edition to score.
    actuals : pandas.DataFrame
        What was observed later: a panel with the key columns, the model's
        time column (``period``) and ``gap``, ``demand`` and ``supply``
        (:func:`talentgap.features.build_panel` output on the new data).
        Only periods after the edition's origin that the edition forecast
        are used.
    keys : sequence of str, default ("region", "industry")
        The cell keys; they must be the edition model's keys.
    by : sequence of str, default ("industry", "region")
        Keys to break the scores down by, one breakdown each.
    season_length : int, optional
        ``m`` of the MASE scale and of the seasonal-naive baseline, from 1
        to one less than the number of periods in the edition's history;
        default the edition model's season length.

    Returns
    -------
    EditionScores

    Raises
    ------
    EditionError
        No such edition, keys or columns missing, or no period in common.
    SchemaError
        A period label of the actuals is not one of the edition's frequency
        (``"2023"`` or ``"2023-05"`` for a quarterly edition), parsed by
        :func:`talentgap.periods.parse_periods`; ``failure_cases`` lists the rows.
    ParameterError
        ``season_length`` is not a whole number >= 1 shorter than the history.

    Examples
    --------
    >>> import tempfile, talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=16, seed=1)
    >>> panel = tg.features.build_panel(data.surveys, data.training)
    >>> cut = panel[panel["period"] <= panel["period"].max() - 4]
    >>> gap = tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=100).fit(cut)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     store = EditionStore(f"{tmp}/editions.sqlite")
    ...     store.add("early", gap, gap.predict(4, level=[80]))
    ...     scores = score_edition(store, "early", panel)
    >>> len(scores.periods), scores.summary["method"].unique().tolist()
    (4, ['edition', 'naive', 'seasonal_naive'])
    >>> list(scores.summary.columns)
    ['quantity', 'method', 'n_points', 'first_period', 'last_period', 'direction', 'mase',
     'mae', 'bias', 'coverage_80', 'n_coverage_80']
    """
    if not isinstance(store, EditionStore):
        store = EditionStore(store)
    model = store.model(name)
    forecast = store.forecast(name)
    keys, by = list(keys), list(by)
    time = model.time
    if set(keys) != set(model.cells_.columns):
        raise EditionError(f"keys {keys} are not the keys of edition {name!r}: "
                           f"{list(model.cells_.columns)}")
    unknown = [b for b in by if b not in keys]
    if unknown:
        raise EditionError(f"by {unknown}: can only break scores down by the keys {keys}")
    m = check_season_length(season_length, model, name)
    actual = actual_values(actuals, keys, time, model, name)
    cells = model.cells_.reset_index(drop=True)
    points, scored = scored_points(model, forecast, actual, cells, keys, time, m, name)
    levels = interval_levels(points.columns)

    def table(groups: list[str]) -> pd.DataFrame:
        rows = []
        for label, part in points.groupby([*groups, "quantity", "method"], sort=False,
                                          observed=True):
            rows.append((*label, *_scores(part, levels, time)))
        columns = [*groups, "quantity", "method", "n_points", "first_period", "last_period",
                   "direction", "mase", "mae", "bias",
                   *[f"{kind}_{level_label(lv)}" for lv in levels
                     for kind in ("coverage", "n_coverage")]]
        out = pd.DataFrame(rows, columns=columns)
        for column in ("first_period", "last_period"):
            out[column] = pd.array(out[column], dtype=pd.PeriodDtype(model.origin_.freq))
        return out

    by_cell = table(keys)
    parts = []
    for key in by:
        part = table([key]).rename(columns={key: "group"})
        part.insert(0, "by", key)
        parts.append(part)
    groups = (pd.concat(parts, ignore_index=True) if parts
              else pd.DataFrame(columns=["by", "group", *by_cell.columns[len(keys):]]))
    summary = table([])
    used = points.loc[points["actual"].notna() & points["forecast"].notna()
                      & (points["method"] == "edition"), time]
    revised, compared = history_revisions(model, actual, keys, time, QUANTITIES)
    scored["history_compared"] = scored["quantity"].map(compared).astype(np.int64)
    scored["history_revised"] = scored["quantity"].map(
        revised["quantity"].value_counts()).fillna(0).astype(np.int64)
    warn_revised(revised, compared, name)
    return EditionScores(edition=name, origin=pd.Period(model.origin_),
                         periods=sorted(set(used)), points=points, cells=by_cell,
                         groups=groups, summary=summary, scored=scored, revised=revised,
                         other_cells=cells_not_scored(model, forecast, actual, keys, time,
                                                      QUANTITIES))


def _scores(part: pd.DataFrame, levels: list, time: str) -> tuple:
    """``n_points, first_period, last_period, direction, mase, mae, bias`` and per level
    ``coverage, n_coverage`` of one set of points (one method)."""
    y = part["actual"].to_numpy(dtype=np.float64)
    f = part["forecast"].to_numpy(dtype=np.float64)
    scale = part["scale"].to_numpy(dtype=np.float64)
    ok = ~(np.isnan(y) | np.isnan(f))
    if not ok.any():
        return (0, pd.NaT, pd.NaT, *[np.nan] * 4, *[np.nan, 0] * len(levels))
    periods = part[time].to_numpy()[ok]
    # the naive rule forecasts no change: its direction score is ~0 by construction
    direction = (np.nan if part["method"].iloc[0] == "naive" else
                 direction_accuracy(y, f, y_base=part["base"].to_numpy(dtype=np.float64)))
    scaled = ~np.isnan(scale) & ok
    mase = (metrics.mae(y[scaled] / scale[scaled], f[scaled] / scale[scaled])
            if scaled.any() else np.nan)
    coverage = []
    for lv in levels:
        lo_column, hi_column = interval_columns(lv)
        lo = part[lo_column].to_numpy(dtype=np.float64)
        hi = part[hi_column].to_numpy(dtype=np.float64)
        inside = ok & ~(np.isnan(lo) | np.isnan(hi))
        coverage += [metrics.coverage(y[inside], f[inside], lower=lo[inside], upper=hi[inside])
                     if inside.any() else np.nan, int(inside.sum())]
    return (int(ok.sum()), min(periods), max(periods), direction, mase,
            metrics.mae(y[ok], f[ok]), metrics.bias(y[ok], f[ok]), *coverage)
