"""The report's view by skill level (or occupation): totals per level and one heatmap per level.

When a run's cells carry a detail key (``skill_level`` and/or ``occupation``
besides region and industry), a planner asks how the gap and the plan split
over the levels: :func:`level_totals` adds demand, supply, expected gap,
places and cost per level (in the declared order of the levels), and
:func:`level_heatmaps` draws the expected gap per region x industry, one
panel per level on one shared colour scale.

Examples
--------
>>> import pandas as pd
>>> fc = pd.DataFrame({"region": ["N", "N", "S", "S"], "industry": "textiles",
...                    "skill_level": ["senior", "ordinary"] * 2,
...                    "period": pd.Period("2026Q1", "Q"), "demand": [30.0, 50, 20, 40],
...                    "supply": [10.0, 60, 5, 30]})
>>> fc["gap"] = fc["demand"] - fc["supply"]
>>> level_totals(fc, key="skill_level", order=["ordinary", "senior"])[
...     ["skill_level", "cells", "demand", "net_gap", "positive_gap"]]
  skill_level  cells  demand  net_gap  positive_gap
0    ordinary      2    90.0      0.0          10.0
1      senior      2    50.0     35.0          35.0
2  all levels      4   140.0     35.0          45.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.cli._wording import level_words
from talentgap.errors import ParameterError

__all__ = ["DETAIL_KEYS", "detail_keys", "level_order", "level_totals", "level_heatmaps",
           "ALL_LEVELS"]

#: Key columns that split a region x industry cell into finer cells.
DETAIL_KEYS = ("skill_level", "occupation")
#: Label of the total row of :func:`level_totals`.
ALL_LEVELS = "all levels"
_MAX_PANELS = 12


def detail_keys(keys) -> list[str]:
    """The detail keys among ``keys``, skill level first.

    Examples
    --------
    >>> detail_keys(["region", "occupation", "industry", "skill_level"])
    ['skill_level', 'occupation']
    """
    return [k for k in DETAIL_KEYS if k in list(keys)]


def level_order(values, declared=()) -> list:
    """The levels present in ``values``: the declared ones in their order, then the rest sorted.

    Examples
    --------
    >>> level_order(["senior", "ordinary", "senior"], declared=("ordinary", "senior", "master"))
    ['ordinary', 'senior']
    >>> level_order(["welder", "cnc"])
    ['cnc', 'welder']
    """
    present = pd.unique(pd.Series(list(values), dtype=object).dropna())
    known = [level for level in declared if level in set(present)]
    return known + sorted(set(present) - set(known), key=str)


def level_totals(forecast: pd.DataFrame, *, key: str, order=(), quotas=None,
                 cells=None) -> pd.DataFrame:
    """Totals per level of one period's forecast, and of a plan when given.

    Parameters
    ----------
    forecast : pandas.DataFrame
        One period's rows of the gap forecast (``<keys...>, demand, supply,
        gap``), one row per cell.
    key : str
        The level column, e.g. ``"skill_level"``.
    order : sequence, optional
        The declared order of the levels (:func:`level_order`).
    quotas : pandas.DataFrame, optional
        The plan's places (``<key>, quota, cost``, one row per cell or per
        cell and funding year): adds ``places`` and ``cost``.
    cells : pandas.DataFrame, optional
        The plan's per-cell results (``<key>, shortfall_before,
        shortfall_after``) of a one-period plan: adds those two columns.

    Returns
    -------
    pandas.DataFrame
        One row per level in order, then a row ``"all levels"``: ``<key>,
        cells, demand, supply, net_gap`` (demand minus supply: shortages net
        of surpluses), ``positive_gap`` (the sum of the cells' positive
        expected gaps) and the plan columns asked for. Sums of expected
        values are the expected sums, so the levels add up to the total row.
    """
    gap = forecast["gap"].to_numpy(np.float64)
    frame = pd.DataFrame({key: forecast[key].to_numpy(), "cells": 1,
                          "demand": forecast["demand"].to_numpy(np.float64),
                          "supply": forecast["supply"].to_numpy(np.float64),
                          "net_gap": gap, "positive_gap": np.clip(gap, 0.0, None)})
    parts = [frame.groupby(key, observed=True, sort=False).sum(min_count=1)]
    if quotas is not None and key in quotas.columns:
        parts.append(quotas.groupby(key, observed=True, sort=False)[["quota", "cost"]].sum()
                     .rename(columns={"quota": "places"}))
    if cells is not None and key in cells.columns and "shortfall_before" in cells.columns:
        parts.append(cells.groupby(key, observed=True, sort=False)[
            ["shortfall_before", "shortfall_after"]].sum())
    table = pd.concat(parts, axis=1)
    levels = level_order(table.index, order)
    table = table.reindex(levels)
    if "places" in table.columns:
        table[["places", "cost"]] = table[["places", "cost"]].fillna(0.0)
    total = table.sum(min_count=1).to_frame().T
    total.index = [ALL_LEVELS]
    table = pd.concat([table, total])
    table["cells"] = table["cells"].fillna(0).astype(np.int64)
    table.index.name = key
    return table.reset_index()


def level_heatmaps(forecast: pd.DataFrame, *, key: str, rows: str, cols: str, order=(),
                   period=None, unit: str = "persons", value: str = "gap"):
    """The expected gap per ``rows`` x ``cols``, one panel per level, on one colour scale.

    Parameters
    ----------
    forecast : pandas.DataFrame
        The gap forecast (``<keys...>, period, gap``). Other key columns are
        summed over (an expected gap is additive).
    key : str
        The level column: one panel per level, in ``order``.
    rows, cols : str
        The key columns of each panel's rows and columns, e.g.
        ``"industry"`` and ``"region"``.
    order : sequence, optional
        The declared order of the levels.
    period : pandas.Period, optional
        Default the last period of ``forecast``.
    unit : str, default "persons"
        Unit of the gap, on the colour bar.
    value : {"gap", "p_shortage"}, default "gap"
        ``"p_shortage"`` shows the probability of a shortage instead, on a
        fixed 0-1 scale; it cannot be summed, so every cell must be one of
        ``rows`` x ``cols`` x ``key`` (a ParameterError otherwise).

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per level (titled with the level) followed by one colour
        bar; every panel's image uses the same colour norm: for the gap
        symmetric about 0, red for shortages and blue for surpluses; for the
        probability 0-1, darker for likelier shortages.

    Examples
    --------
    >>> import pandas as pd
    >>> fc = pd.DataFrame({"region": ["N", "N", "S", "S"], "industry": "textiles",
    ...                    "skill_level": ["senior", "ordinary"] * 2,
    ...                    "period": pd.Period("2026Q1", "Q"), "gap": [20.0, -10, 15, 10]})
    >>> fig = level_heatmaps(fc, key="skill_level", rows="industry", cols="region",
    ...                      order=["ordinary", "senior"])
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['skill level: ordinary', 'skill level: senior']
    >>> {ax.images[0].norm.vmax for ax in fig.axes[:2]}
    {20.0}
    """
    from matplotlib import colormaps
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure

    period = forecast["period"].max() if period is None else period
    rows_now = forecast[forecast["period"] == period]
    levels = level_order(rows_now[key], order)[:_MAX_PANELS]
    r_labels = sorted(rows_now[rows].astype(str).unique())
    c_labels = sorted(rows_now[cols].astype(str).unique())
    summed = (rows_now.assign(**{rows: rows_now[rows].astype(str),
                                 cols: rows_now[cols].astype(str)})
              .groupby([key, rows, cols], observed=True)[value])
    if value == "p_shortage" and int(summed.size().max()) > 1:
        raise ParameterError(f"the probability of a shortage cannot be added over the keys "
                             f"other than {key!r}, {rows!r} and {cols!r}")
    summed = summed.sum(min_count=1)
    grids = [summed.xs(level, level=key).unstack(cols)
             .reindex(index=r_labels, columns=c_labels).to_numpy(np.float64)
             if level in summed.index.get_level_values(key) else
             np.full((len(r_labels), len(c_labels)), np.nan) for level in levels]
    finite = np.concatenate([g[np.isfinite(g)] for g in grids]) if grids else np.array([])
    half = float(np.abs(finite).max()) if finite.size else 1.0
    probability = value == "p_shortage"
    norm = Normalize(0.0, 1.0) if probability else Normalize(-(half or 1.0), half or 1.0)
    cmap = colormaps["YlOrRd" if probability else "RdBu_r"].with_extremes(bad="#d0d0d0")

    n_panels = max(len(levels), 1)
    # side by side only while a row of panels stays readable on a page: about 12 columns
    per_row = min(n_panels, 3, max(1, 12 // max(len(c_labels), 1)))
    n_lines = -(-n_panels // per_row)
    label_in = 0.075 * min(max(len(s) for s in r_labels), 32) if r_labels else 0.5
    width = min(1.0 + label_in + per_row * (0.7 * len(c_labels) + 0.4) + 1.0, 16.0)
    height = min(1.2 + n_lines * (0.42 * len(r_labels) + 1.1), 22.0)
    fig = Figure(figsize=(max(width, 6.0), max(height, 3.0)), layout="constrained")
    axes = fig.subplots(n_lines, per_row, squeeze=False, sharey=True).ravel()
    annotate = len(r_labels) * len(c_labels) <= 200
    image = None
    for ax, level, grid in zip(axes, levels, grids, strict=False):
        image = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, norm=norm, aspect="auto",
                          interpolation="nearest")
        ax.set_title(f"{key.replace('_', ' ')}: {level_words(str(level))}", fontsize=10)
        ax.set_xticks(np.arange(len(c_labels)), c_labels, rotation=45, ha="right",
                      rotation_mode="anchor", fontsize=8)
        ax.set_yticks(np.arange(len(r_labels)), r_labels, fontsize=8)
        ax.set_xlabel(cols.replace("_", " "), fontsize=9)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        if annotate:
            for (i, j), v in np.ndenumerate(grid):
                if np.isfinite(v):
                    r, g, b, _ = cmap(norm(v))
                    dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
                    text = (f"{v:.2f}" if probability else f"{v:,.0f}".removeprefix("-")
                            if abs(v) < 0.5 else f"{v:,.0f}")
                    ax.text(j, i, text, ha="center", va="center", fontsize=7,
                            color="white" if dark else "black")
    for ax in axes[::per_row]:
        ax.set_ylabel(rows.replace("_", " "), fontsize=9)
    for ax in axes[len(levels):]:
        ax.set_visible(False)
    if image is not None:
        bar = fig.colorbar(image, ax=list(axes[:len(levels)]), fraction=0.04, pad=0.02)
        bar.set_label("probability of a shortage (0-1)" if probability else
                      f"expected gap ({unit}); red = shortage", fontsize=9)
    what = "Probability of a shortage" if probability else "Expected gap"
    fig.suptitle(f"{what} in {period} by {rows.replace('_', ' ')} and "
                 f"{cols.replace('_', ' ')}, per {key.replace('_', ' ')}", fontsize=11)
    return fig
