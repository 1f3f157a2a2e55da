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
from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap._arguments import (
    check_count,
    interval_columns,
    level_label,
    parse_interval_column,
    resolve_season_length,
)
from talentgap.editions.store import EditionStore
from talentgap.errors import DataQualityWarning, EditionError, ParameterError, SchemaError, warn
from talentgap.evaluation import metrics, with_sampling_error
from talentgap.evaluation._terms import naive_scales as _naive_scales
from talentgap.models import Naive, SeasonalNaive
from talentgap.periods import normalize_freq, parse_periods

__all__ = ["EditionScores", "score_edition", "direction_accuracy", "QUANTITIES", "METHODS",
           "SCORED_COLUMNS"]

#: The quantities scored.
QUANTITIES = ("gap", "demand", "supply")
#: The forecasts compared: the stored edition and the two baselines.
METHODS = ("edition", "naive", "seasonal_naive")
_BASELINES = {"naive": Naive, "seasonal_naive": SeasonalNaive}


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
        ``not_in_actuals`` (no row for the cell-period), ``actual_missing``
        (the row has no value of this quantity, e.g. supply in the first
        periods of a panel with a lead time) and ``forecast_missing``.

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
    m = _season_length(season_length, model, name)
    actual = _actual_values(actuals, keys, time, model, name)
    cells = model.cells_.reset_index(drop=True)
    points, scored = _points(model, forecast, actual, cells, keys, time, m, name)
    levels = _levels(points.columns)

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
    return EditionScores(edition=name, origin=pd.Period(model.origin_),
                         periods=sorted(set(used)), points=points, cells=by_cell,
                         groups=groups, summary=summary, scored=scored)


# ---- the pieces --------------------------------------------------------------------------------
def _actual_values(actuals, keys, time, model, name) -> pd.DataFrame:
    if not isinstance(actuals, pd.DataFrame):
        raise EditionError(f"actuals must be a DataFrame (a panel), got {type(actuals).__name__}")
    missing = [c for c in [*keys, time, *QUANTITIES] if c not in actuals.columns]
    if missing:
        raise EditionError(f"the actuals lack the column(s) {missing}; pass a panel as built "
                           "by talentgap.features.build_panel")
    se = _sampling_column(model, actuals)
    out = actuals[[*keys, time, *QUANTITIES, *([se] if se else [])]].copy()
    if se:
        out = out.rename(columns={se: "actual_se"})
        out["actual_se"] = pd.to_numeric(out["actual_se"], errors="coerce").astype(np.float64)
    out[time] = _actual_periods(out[time], time, model, name)
    for key in keys:
        out[key] = out[key].astype(str)
    repeated = out.duplicated([*keys, time])
    if repeated.any():
        first = out.loc[repeated].iloc[0]
        raise EditionError(f"the actuals repeat {int(repeated.sum())} cell-period(s), e.g. "
                           f"({', '.join(str(first[c]) for c in [*keys, time])})")
    for quantity in QUANTITIES:
        out[quantity] = pd.to_numeric(out[quantity], errors="coerce").astype(np.float64)
    return out


def _sampling_column(model, actuals: pd.DataFrame) -> str | None:
    """The actuals' standard-error column to widen the edition's intervals by, or None.

    Only for a model whose paths left the sampling error out (``demand_se_``
    set at fit); editions stored before that have none.
    """
    column = getattr(model, "sampling_se", None)
    if getattr(model, "demand_se_", None) is None or column not in actuals.columns:
        return None
    return column


def _histories(model) -> tuple[dict[str, np.ndarray], int]:
    """Cells x periods histories of each quantity, and the ordinal of the first column."""
    history = {"demand": model.history_["demand"], "supply": model.history_["supply"]}
    history["gap"] = history["demand"] - history["supply"]
    first = model.origin_.ordinal - history["demand"].shape[1] + 1
    return history, first


def _last_observed(values: np.ndarray) -> np.ndarray:
    """Per row, the last non-NaN value (NaN for an all-NaN row)."""
    observed = ~np.isnan(values)
    last = values.shape[1] - 1 - np.argmax(observed[:, ::-1], axis=1)
    out = values[np.arange(values.shape[0]), last]
    out[~observed.any(axis=1)] = np.nan
    return out


def _scales(values: np.ndarray, m: int) -> np.ndarray:
    """Per row, the in-sample seasonal-naive MAE ``mean(|y_t - y_{t-m}|)``; NaN if none or 0."""
    n, width = values.shape
    if width <= m:
        return np.full(n, np.nan)
    diff = (values[:, m:] - values[:, :-m]).ravel()
    scale, _ = _naive_scales(diff, np.repeat(np.arange(n), width - m), n)
    pairs = ~np.isnan(diff).reshape(n, width - m)
    constant = np.isnan(scale) & pairs.any(axis=1)
    if constant.any():
        warn(f"{int(constant.sum())} series have a constant history over every {m}-period "
             "step (MASE scale 0): their MASE is NaN", DataQualityWarning, stacklevel=4)
    return scale


def _season_length(season_length, model, name: str) -> int:
    """``m`` of the MASE scale and the seasonal naive rule: given, or the edition model's."""
    history = model.history_["demand"].shape[1]
    if season_length is None:
        inner = model.demand_model_ or model.supply_model_
        m = (int(inner.season_length_) if inner is not None
             else resolve_season_length(None, model.freq_))
    else:
        m = check_count(season_length, "season_length",
                        detail=" (the lag of the MASE scale and the season of the seasonal "
                               "naive rule, e.g. 4 for quarters)")
    if m >= history:
        raise ParameterError(f"season_length == {m}, must be below {history}, the number of "
                             f"periods in the history of edition {name!r}: no pair of values "
                             f"{m} periods apart there gives a MASE scale")
    return m


def _actual_periods(values: pd.Series, time: str, model, name: str) -> pd.Series:
    """The actuals' periods at the edition's frequency (its one parser; others refused)."""
    freq = model.origin_.freq
    if isinstance(values.dtype, pd.PeriodDtype) and values.dtype.freq == freq:
        return values
    try:
        return parse_periods(values.reset_index(drop=True), freq=normalize_freq(model.freq_),
                             name=time).set_axis(values.index)
    except SchemaError as exc:
        raise SchemaError(f"table 'actuals' (scoring edition {name!r}, which forecasts "
                          f"{normalize_freq(model.freq_)} periods): {exc}", column=time,
                          reason=exc.reason, failure_cases=exc.failure_cases) from exc


def _baseline(kind: str, values: np.ndarray, first: int, freq, m: int,
              until: int) -> pd.DataFrame:
    """``cell, ordinal, forecast`` of a baseline fitted to each row's observed history."""
    cell, column = np.nonzero(~np.isnan(values))
    if cell.size == 0:
        return pd.DataFrame({"cell": [], "ordinal": [], "forecast": []})
    long = pd.DataFrame({"cell": cell, "period": pd.PeriodIndex.from_ordinals(
        first + column, freq=freq), "value": values[cell, column]})
    model = _BASELINES[kind](season_length=m, nonnegative=False, n_windows=0)
    model.fit(long, target="value", time="period", keys=["cell"])
    ends = first + pd.Series(column).groupby(cell).max().to_numpy()
    out = model.predict(int(until - ends.min()), level=None)
    return pd.DataFrame({"cell": out["cell"].to_numpy(),
                         "ordinal": out["period"].array.asi8,
                         "forecast": out["mean"].to_numpy(dtype=np.float64)})


def _points(model, forecast, actual, cells, keys, time, m, name):
    """The long table of every scored point, and per quantity what was scored (and not)."""
    origin, freq = model.origin_.ordinal, model.origin_.freq
    code_of = pd.DataFrame({k: cells[k].astype(str) for k in keys})
    code_of["cell"] = np.arange(len(cells))
    fc = forecast.copy()
    for key in keys:
        fc[key] = fc[key].astype(str)
    fc = fc.merge(code_of, on=keys, how="inner")
    fc["ordinal"] = fc[time].array.asi8
    act = actual.merge(code_of, on=keys, how="inner")
    act["ordinal"] = act[time].array.asi8
    observed = act.loc[act[list(QUANTITIES)].notna().any(axis=1), "ordinal"]
    periods = np.intersect1d(fc["ordinal"].unique(), observed.unique())
    if periods.size == 0:
        seen = (f"end at {pd.Period(ordinal=int(act['ordinal'].max()), freq=freq)}"
                if len(act) else "have none of its cells")
        raise EditionError(f"nothing to score: edition {name!r} forecasts "
                           f"{fc[time].min()}..{fc[time].max()} and the actuals {seen}")
    history, first = _histories(model)
    # the seasonal naive rule is the naive rule when the season is one period
    baselines = [kind for kind in _BASELINES if not (kind == "seasonal_naive" and m == 1)]
    frames, scored = [], []
    for quantity in QUANTITIES:
        base = _last_observed(history[quantity])
        scale = _scales(history[quantity], m)
        sampled = quantity != "supply" and "actual_se" in act.columns
        truth = act.loc[act["ordinal"].isin(periods),
                        ["cell", "ordinal", quantity, *(["actual_se"] if sampled else [])]]
        truth = truth.rename(columns={quantity: "actual"})
        if not sampled:
            truth["actual_se"] = 0.0
        bounds = {}
        for column in fc.columns:
            parsed = parse_interval_column(column, prefix=quantity)
            if parsed is not None:  # stored as gap_lo_80, scored as lo_80
                side, level = parsed
                bounds[interval_columns(level)[side == "hi"]] = column
        stored = fc.loc[fc["ordinal"].isin(periods), ["cell", "ordinal", quantity,
                                                      *bounds.values()]]
        stored = stored.rename(columns={quantity: "forecast",
                                        **{v: k for k, v in bounds.items()}})
        # like for like: every method is scored on the points the edition forecast
        forecast_points = stored.loc[np.isfinite(stored["forecast"].to_numpy(dtype=np.float64)),
                                     ["cell", "ordinal"]]
        truth = truth.merge(forecast_points, on=["cell", "ordinal"], how="inner")
        scored.append(_scored_row(quantity, fc, act, truth, freq))
        methods = {"edition": stored}
        for kind in baselines:
            methods[kind] = _baseline(kind, history[quantity], first, freq, m,
                                      int(periods.max()))
        for method, table in methods.items():
            part = truth.merge(table, on=["cell", "ordinal"], how="left")
            if method == "edition" and sampled:
                _widen(part)
            part.insert(0, "method", method)
            part.insert(0, "quantity", quantity)
            part["base"] = base[part["cell"].to_numpy()]
            part["scale"] = scale[part["cell"].to_numpy()]
            frames.append(part)
    points = pd.concat(frames, ignore_index=True)
    lead = cells.iloc[points["cell"].to_numpy()].reset_index(drop=True)
    lead[time] = pd.PeriodIndex.from_ordinals(points["ordinal"].to_numpy(), freq=freq)
    lead["step"] = (points["ordinal"] - origin).to_numpy()
    rest = points.drop(columns=["cell", "ordinal"])
    bound_columns = [c for level in _levels(rest.columns) for c in interval_columns(level)]
    rest = rest[["quantity", "method", "actual", "forecast", "base", "scale", *bound_columns,
                 "actual_se"]]
    out = pd.concat([lead, rest], axis=1)
    out = out.sort_values(["quantity", "method", "step"], kind="stable",
                          key=_method_order).reset_index(drop=True)
    return out, pd.DataFrame(scored, columns=SCORED_COLUMNS)


#: The columns of :attr:`EditionScores.scored`.
SCORED_COLUMNS = ["quantity", "first_period", "last_period", "n_periods", "periods", "n_cells",
                  "n_points", "n_forecast", "n_not_scored", "not_in_actuals",
                  "actual_missing", "forecast_missing"]


def _scored_row(quantity: str, fc: pd.DataFrame, act: pd.DataFrame, truth: pd.DataFrame,
                freq) -> tuple:
    """What of the edition's cell-periods of ``quantity`` was scored, and why the rest not."""
    scored = truth.loc[truth["actual"].notna(), ["cell", "ordinal"]]
    edition = fc[["cell", "ordinal", quantity]].merge(
        act[["cell", "ordinal", quantity]].rename(columns={quantity: "_actual"}),
        on=["cell", "ordinal"], how="left", indicator=True)
    no_forecast = ~np.isfinite(edition[quantity].to_numpy(dtype=np.float64))
    absent = (edition["_merge"] == "left_only").to_numpy() & ~no_forecast
    missing = edition["_actual"].isna().to_numpy() & ~absent & ~no_forecast
    ordinals = scored["ordinal"].to_numpy()
    first, last = ((pd.Period(ordinal=int(ordinals.min()), freq=freq),
                    pd.Period(ordinal=int(ordinals.max()), freq=freq)) if ordinals.size
                   else (pd.NaT, pd.NaT))
    n_points = len(scored)
    labels = " ".join(str(pd.Period(ordinal=int(o), freq=freq)) for o in np.unique(ordinals))
    return (quantity, first, last, int(np.unique(ordinals).size), labels,
            int(scored["cell"].nunique()), n_points, len(edition), len(edition) - n_points,
            int(absent.sum()), int(missing.sum()), int(no_forecast.sum()))


def _widen(part: pd.DataFrame) -> None:
    """Widen the stored bounds of ``part`` by each actual's sampling error, in place."""
    se = part["actual_se"].to_numpy(dtype=np.float64)
    for level in _levels(part.columns):
        lo, hi = interval_columns(level)
        part[lo], part[hi] = with_sampling_error(part[lo], part[hi], se, level=level,
                                                 center=part["forecast"])


def _levels(columns) -> list[float]:
    """The levels of the ``lo_<level>`` columns among ``columns``, ascending."""
    return sorted({parsed[1] for parsed in map(parse_interval_column, columns)
                   if parsed is not None and parsed[0] == "lo"})


def _method_order(column: pd.Series) -> pd.Series:
    if column.name == "quantity":
        return column.map({q: i for i, q in enumerate(QUANTITIES)})
    if column.name == "method":
        return column.map({q: i for i, q in enumerate(METHODS)})
    return column


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
