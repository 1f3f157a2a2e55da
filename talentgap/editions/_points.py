"""The long table of scored points, and what of the edition was scored and why not.

Per quantity, the edition's forecast and stored bounds, the baselines'
forecasts and the later actual values are aligned on the cell-periods the
edition forecast and the later data observed (like for like: every method is
scored on the same points); the edition's demand and gap bounds are widened
by each actual's sampling error where that applies. Each point carries the
cell's base (last value at the origin) and MASE scale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._arguments import interval_columns, parse_interval_column
from talentgap.editions._actuals import QUANTITIES, cell_codes
from talentgap.editions._baselines import (
    BASELINES,
    METHODS,
    baseline,
    histories,
    last_observed,
    mase_scales,
)
from talentgap.errors import EditionError
from talentgap.evaluation import with_sampling_error

__all__ = ["scored_points", "SCORED_COLUMNS", "interval_levels"]


def scored_points(model, forecast, actual, cells, keys, time, m, name):
    """The long table of every scored point, and per quantity what was scored (and not)."""
    origin, freq = model.origin_.ordinal, model.origin_.freq
    code_of = cell_codes(cells, keys)
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
    history, first = histories(model)
    # the seasonal naive rule is the naive rule when the season is one period
    baselines = [kind for kind in BASELINES if not (kind == "seasonal_naive" and m == 1)]
    frames, scored = [], []
    for quantity in QUANTITIES:
        base = last_observed(history[quantity])
        scale = mase_scales(history[quantity], m)
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
            methods[kind] = baseline(kind, history[quantity], first, freq, m,
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
    bound_columns = [c for level in interval_levels(rest.columns)
                     for c in interval_columns(level)]
    rest = rest[["quantity", "method", "actual", "forecast", "base", "scale", *bound_columns,
                 "actual_se"]]
    out = pd.concat([lead, rest], axis=1)
    out = out.sort_values(["quantity", "method", "step"], kind="stable",
                          key=_method_order).reset_index(drop=True)
    return out, pd.DataFrame(scored, columns=SCORED_COLUMNS)


#: The columns of :attr:`EditionScores.scored`.
SCORED_COLUMNS = ["quantity", "first_period", "last_period", "n_periods", "periods", "n_cells",
                  "n_points", "n_forecast", "n_not_scored", "cell_missing", "not_in_actuals",
                  "actual_missing", "forecast_missing"]


def _scored_row(quantity: str, fc: pd.DataFrame, act: pd.DataFrame, truth: pd.DataFrame,
                freq) -> tuple:
    """What of the edition's cell-periods of ``quantity`` was scored, and why the rest not."""
    scored = truth.loc[truth["actual"].notna(), ["cell", "ordinal"]]
    edition = fc[["cell", "ordinal", quantity]].merge(
        act[["cell", "ordinal", quantity]].rename(columns={quantity: "_actual"}),
        on=["cell", "ordinal"], how="left", indicator=True)
    no_forecast = ~np.isfinite(edition[quantity].to_numpy(dtype=np.float64))
    # a cell without any later value of the quantity in the periods forecast: gone
    valued = act.loc[act[quantity].notna() & act["ordinal"].isin(fc["ordinal"].unique()), "cell"]
    gone = ~edition["cell"].isin(valued.unique()).to_numpy() & ~no_forecast
    absent = (edition["_merge"] == "left_only").to_numpy() & ~no_forecast & ~gone
    missing = edition["_actual"].isna().to_numpy() & ~absent & ~no_forecast & ~gone
    ordinals = scored["ordinal"].to_numpy()
    first, last = ((pd.Period(ordinal=int(ordinals.min()), freq=freq),
                    pd.Period(ordinal=int(ordinals.max()), freq=freq)) if ordinals.size
                   else (pd.NaT, pd.NaT))
    n_points = len(scored)
    labels = " ".join(str(pd.Period(ordinal=int(o), freq=freq)) for o in np.unique(ordinals))
    return (quantity, first, last, int(np.unique(ordinals).size), labels,
            int(scored["cell"].nunique()), n_points, len(edition), len(edition) - n_points,
            int(gone.sum()), int(absent.sum()), int(missing.sum()), int(no_forecast.sum()))


def _widen(part: pd.DataFrame) -> None:
    """Widen the stored bounds of ``part`` by each actual's sampling error, in place."""
    se = part["actual_se"].to_numpy(dtype=np.float64)
    for level in interval_levels(part.columns):
        lo, hi = interval_columns(level)
        part[lo], part[hi] = with_sampling_error(part[lo], part[hi], se, level=level,
                                                 center=part["forecast"])


def interval_levels(columns) -> list[float]:
    """The levels of the ``lo_<level>`` columns among ``columns``, ascending."""
    return sorted({parsed[1] for parsed in map(parse_interval_column, columns)
                   if parsed is not None and parsed[0] == "lo"})


def _method_order(column: pd.Series) -> pd.Series:
    """Sort key of the points: quantities as :data:`QUANTITIES`, methods as :data:`METHODS`,
    other columns as they are."""
    if column.name == "quantity":
        return column.map({q: i for i, q in enumerate(QUANTITIES)})
    if column.name == "method":
        return column.map({q: i for i, q in enumerate(METHODS)})
    return column
