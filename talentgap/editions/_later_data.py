"""What the later data say besides the scores: revised history, cells gone and cells new.

An edition is scored against a panel built from data received later. That
data can revise the periods the edition was fitted on (a re-sent quarter,
corrected survey weights), can lack a cell the edition forecast (a trade no
longer surveyed) and can have cells the edition never saw (a new trade).
None of these changes a score, but each changes what a score means, so
:func:`~talentgap.editions.score_edition` reports them:
:func:`history_revisions` compares the later values with the model's fitted
history (``history_``) on the periods both have, and :func:`cells_not_scored`
lists the cells left out as a whole.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.editions._actuals import QUANTITIES, cell_codes
from talentgap.editions._baselines import histories
from talentgap.errors import DataQualityWarning, warn

__all__ = ["history_revisions", "cells_not_scored", "REVISION_COLUMNS", "REVISION_RTOL",
           "REVISION_ATOL", "NOT_IN_EDITION", "NO_LATER_VALUE", "warn_revised"]

#: Columns of :attr:`~talentgap.editions.EditionScores.revised`, after the keys.
REVISION_COLUMNS = ["period", "quantity", "stored", "later", "change", "relative_change"]
#: A later value counts as a revision when it differs from the stored one by more than
#: ``REVISION_ATOL + REVISION_RTOL * |stored|`` (floating-point noise is not a revision).
REVISION_RTOL = 1e-9
REVISION_ATOL = 1e-6


def history_revisions(model, actual: pd.DataFrame, keys, time: str,
                      quantities=QUANTITIES) -> tuple[pd.DataFrame, dict]:
    """The cell-periods of the edition's history whose value the later data changed.

    Parameters
    ----------
    model : GapForecaster
        The edition's fitted model; ``history_`` holds its cells x periods
        demand and supply up to the origin (the gap is their difference).
    actual : pandas.DataFrame
        The later values: the keys (as text), ``time`` (periods at the
        model's frequency) and one column per quantity.
    keys : sequence of str
    time : str
    quantities : sequence of str

    Returns
    -------
    revised : pandas.DataFrame
        One row per revised cell-period and quantity: ``<keys...>, period,
        quantity, stored`` (the value the edition was fitted on), ``later``,
        ``change`` (later minus stored) and ``relative_change`` (change over
        ``|stored|``; NaN where the stored value is 0), largest absolute
        change first within each quantity.
    compared : dict
        Per quantity, the number of cell-periods with a value both in the
        history and in the later data.

    Examples
    --------
    >>> import tempfile, talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=1)
    >>> panel = tg.features.build_panel(data.surveys, data.training)
    >>> early = panel[panel["period"] <= panel["period"].max() - 2]
    >>> gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=20).fit(early)
    >>> later = panel.assign(region=panel["region"].astype(str),
    ...                      industry=panel["industry"].astype(str))
    >>> later.loc[later["period"] == early["period"].max(), "demand"] += 10.0
    >>> revised, compared = history_revisions(gap, later, ["region", "industry"], "period",
    ...                                       quantities=("demand",))
    >>> len(revised), compared["demand"], revised["change"].round(6).unique().tolist()
    (4, 40, [10.0])
    """
    code_of = cell_codes(model.cells_, keys)
    history, first = histories(model)
    width = history["demand"].shape[1]
    act = actual.merge(code_of, on=list(keys), how="inner")
    column = act[time].array.asi8 - first
    inside = (column >= 0) & (column < width)
    act, column = act.loc[inside].reset_index(drop=True), column[inside]
    cell = act["cell"].to_numpy()
    frames, compared = [], {}
    for quantity in quantities:
        stored = history[quantity][cell, column]
        later = act[quantity].to_numpy(dtype=np.float64)
        both = np.isfinite(stored) & np.isfinite(later)
        compared[quantity] = int(both.sum())
        changed = both & (np.abs(later - stored) > REVISION_ATOL + REVISION_RTOL * np.abs(stored))
        part = act.loc[changed, [*keys, time]].reset_index(drop=True)
        part["quantity"] = quantity
        part["stored"], part["later"] = stored[changed], later[changed]
        frames.append(part)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=[*keys, time, "quantity", "stored", "later"])
    out["change"] = out["later"] - out["stored"]
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = out["change"].to_numpy(dtype=np.float64) / np.abs(
            out["stored"].to_numpy(dtype=np.float64))
    out["relative_change"] = np.where(out["stored"].to_numpy(dtype=np.float64) == 0, np.nan,
                                      relative)
    order = {q: i for i, q in enumerate(quantities)}
    out = out.assign(_q=out["quantity"].map(order), _size=-out["change"].abs())
    out = out.sort_values(["_q", "_size", time, *keys], kind="stable").drop(
        columns=["_q", "_size"]).reset_index(drop=True)
    return out.rename(columns={time: "period"})[[*keys, *REVISION_COLUMNS]], compared


def warn_revised(revised: pd.DataFrame, compared: dict, name: str) -> None:
    """Warn (:class:`~talentgap.errors.DataQualityWarning`) when the later data changed the
    history edition ``name`` was fitted on, with the counts per quantity and the largest
    change; nothing when ``revised`` is empty."""
    if not len(revised):
        return
    counts = revised["quantity"].value_counts()
    measured = revised[revised["quantity"] != "gap"]  # the gap is their difference
    first = (measured if len(measured) else revised).iloc[0]
    example = "/".join(str(v) for v in first.iloc[:revised.columns.get_loc("period")])
    warn(f"the actuals revise the history edition {name!r} was fitted on: "
         + ", ".join(f"{q} {int(counts[q]):,} of {compared[q]:,} cell-periods"
                     for q in compared if q in counts)
         + f" up to the origin changed, e.g. {example} {first['period']} {first['quantity']} "
           f"{first['stored']:,.1f} -> {first['later']:,.1f}; the scores compare the forecast "
           "with data measured differently from the data it was made from (the list: "
           "EditionScores.revised)", DataQualityWarning, stacklevel=3)


#: Why a whole cell was not scored (column ``reason`` of ``EditionScores.other_cells``).
NOT_IN_EDITION = "not in the edition"
NO_LATER_VALUE = "no later value"


def cells_not_scored(model, forecast: pd.DataFrame, actual: pd.DataFrame, keys, time: str,
                     quantities=QUANTITIES) -> pd.DataFrame:
    """The cells left out of the scores as a whole, and why.

    ``reason`` is ``"not in the edition"`` for a cell with later values in
    the periods the edition forecast but no forecast of its own (a new
    trade or region), and ``"no later value"`` for a cell the edition
    forecast that has no later value of some quantity in any of those
    periods (gone from the later data, or not yet reported).
    ``quantities`` names the quantities concerned (space-separated),
    ``n_periods``, ``first_period`` and ``last_period`` the forecast periods
    concerned.

    Examples
    --------
    >>> import tempfile, talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=1)
    >>> panel = tg.features.build_panel(data.surveys, data.training)
    >>> early = panel[panel["period"] <= panel["period"].max() - 2]
    >>> gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=20).fit(early)
    >>> later = panel[panel["period"] > early["period"].max()].astype(
    ...     {"region": str, "industry": str})
    >>> new = later.iloc[:2].assign(industry="drones")
    >>> gone = later["industry"] == later["industry"].iloc[0]
    >>> out = cells_not_scored(gap, gap.predict(2), pd.concat([later[~gone], new]),
    ...                        ["region", "industry"], "period")
    >>> out[["industry", "reason", "quantities", "n_periods"]].values.tolist()[:2]
    [['drones', 'not in the edition', 'gap demand supply', 2],
     ['construction_engineering', 'no later value', 'gap demand supply', 2]]
    """
    keys, quantities = list(keys), list(quantities)
    code_of = cell_codes(model.cells_, keys)
    freq = model.origin_.freq
    fc = forecast[[*keys, time]].astype({k: str for k in keys}).merge(code_of, on=keys)
    ordinal = fc[time].array.asi8
    act = actual[[*keys, time, *quantities]].astype({k: str for k in keys})
    later = act[time].array.asi8
    act = act[(later >= ordinal.min()) & (later <= ordinal.max())] if len(fc) else act.iloc[:0]
    act = act.merge(code_of, on=keys, how="left")
    has = act[quantities].notna()
    columns = [*keys, "reason", "quantities", "n_periods", "first_period", "last_period"]
    # cells with later values in the forecast periods but no forecast of their own
    new = act[act["cell"].isna() & has.any(axis=1)]
    present = has[act["cell"].isna() & has.any(axis=1)].groupby(
        [new[k] for k in keys], sort=True).any()
    span = new.assign(_o=new[time].array.asi8).groupby(keys, sort=True)["_o"].agg(
        ["nunique", "min", "max"])
    new_rows = present.index.to_frame(index=False)
    new_rows["reason"] = NOT_IN_EDITION
    new_rows["quantities"] = _names(present.to_numpy(), quantities)
    new_rows["n_periods"] = span["nunique"].to_numpy()
    new_rows["first_period"], new_rows["last_period"] = span["min"].to_numpy(), span[
        "max"].to_numpy()
    # forecast cells without any later value of some quantity in those periods
    n_cells = len(code_of)
    seen = np.zeros((n_cells, len(quantities)), dtype=bool)
    known = act["cell"].notna().to_numpy()
    for j, quantity in enumerate(quantities):
        rows = act["cell"].to_numpy()[known & has[quantity].to_numpy()].astype(np.int64)
        seen[rows, j] = True
    forecast_cells = np.zeros(n_cells, dtype=bool)
    forecast_cells[fc["cell"].to_numpy()] = True
    lacking = ~seen & forecast_cells[:, None]
    gone = np.flatnonzero(lacking.any(axis=1))
    periods = fc.assign(_o=ordinal).groupby("cell")["_o"].agg(["nunique", "min", "max"])
    periods = periods.reindex(gone)
    gone_rows = code_of.iloc[gone][keys].reset_index(drop=True)
    gone_rows["reason"] = NO_LATER_VALUE
    gone_rows["quantities"] = _names(lacking[gone], quantities)
    gone_rows["n_periods"] = periods["nunique"].to_numpy()
    gone_rows["first_period"], gone_rows["last_period"] = (periods["min"].to_numpy(),
                                                           periods["max"].to_numpy())
    out = pd.concat([new_rows.astype({"n_periods": np.int64}),
                     gone_rows.astype({"n_periods": np.int64})], ignore_index=True)
    out = out.reindex(columns=columns)
    for column in ("first_period", "last_period"):
        out[column] = pd.PeriodIndex.from_ordinals(out[column].to_numpy(dtype=np.int64),
                                                   freq=freq)
    return out


def _names(flags: np.ndarray, quantities) -> list[str]:
    """Per row of a boolean rows x quantities array, the names of the true columns."""
    return [" ".join(q for q, on in zip(quantities, row, strict=True) if on) for row in flags]
