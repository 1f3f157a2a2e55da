"""Heat map of the gap (or the probability of shortage) over industry x region."""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.errors import ParameterError
from talentgap.evaluation.plots._common import (
    _MISSING_COLOR,
    _check_ax,
    _check_frame,
    _format_number,
    _is_probability,
    _new_axes,
    _numbers,
    _pick_period,
    _require,
    _value_label,
)

__all__ = ['gap_heatmap']


def _grid(frame: pd.DataFrame, rows: str, cols: str, value: str, name: str):
    """The values as a rows x cols array (NaN where absent), with sorted labels."""
    r_codes, r_labels = pd.factorize(frame[rows].astype(str), sort=True)
    c_codes, c_labels = pd.factorize(frame[cols].astype(str), sort=True)
    flat = r_codes * len(c_labels) + c_codes
    if np.unique(flat).size != flat.size:
        raise ParameterError(f"{name} has several rows per {rows} x {cols} in this period "
                             "(another key column, e.g. skill_level?); filter or sum them "
                             "first")
    grid = np.full((len(r_labels), len(c_labels)), np.nan)
    grid[r_codes, c_codes] = _numbers(frame, value, name)
    return grid, list(r_labels), list(c_labels)


def _thin_ticks(axis, labels: list[str], space_in: float, font_in: float) -> None:
    """Label every k-th category so that labels are at least one text height apart."""
    n = len(labels)
    k = max(1, int(np.ceil(font_in * 1.15 / max(space_in / max(n, 1), 1e-9))))
    positions = np.arange(0, n, k)
    axis.set_ticks(positions, [labels[i] for i in positions])


def gap_heatmap(gap_forecast: pd.DataFrame, *, value: str = "gap", period=None,
                time: str = "period", rows: str = "industry", cols: str = "region",
                cmap: str | None = None, annotate: bool | None = None,
                units: str | None = "persons", title: str | None = None, ax=None):
    """Heatmap of one period's gap (or shortage probability) per industry x region.

    Parameters
    ----------
    gap_forecast : pandas.DataFrame
        One row per cell and period: ``<rows>, <cols>, <time>, <value>``,
        e.g. the output of :class:`~talentgap.models.gap.GapForecaster` or
        the panel of :func:`talentgap.features.build_panel`.
    value : str, default "gap"
        Column to show. ``"gap"`` (and any column with negative values) uses
        a diverging colour map centred at 0, symmetric, red = shortage;
        ``"p_shortage"`` (any ``p_*`` column) a sequential map fixed to 0-1;
        other columns a sequential map over their range.
    period : period label or Period, optional
        The period to show; default the last one in the table.
    time : str, default "period"
    rows, cols : str, default "industry", "region"
        Columns giving the heatmap rows and columns (labels sorted).
    cmap : str, optional
        A matplotlib colour-map name overriding the default (``"RdBu_r"``,
        ``"YlOrRd"`` or ``"viridis"``). Missing cells are grey.
    annotate : bool, optional
        Write each cell's value in it; default when there are at most 200
        cells and they are wide enough to hold a number.
    units : str or None, default "persons"
        Shown on the colour-bar label (not for probabilities, on 0-1).
    title : str, optional
        Default ``"<value> by <rows> and <cols>, <period>"``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; default a new pyplot figure sized to the grid
        (about 0.65 x 0.4 inch per cell, smaller for large grids)
        (``matplotlib.pyplot.subplots``, as pandas and scikit-learn plots
        make, so a notebook shows it inline; it is never shown from here;
        close it with ``plt.close(ax.figure)`` when drawing many).

    Returns
    -------
    matplotlib.axes.Axes
        Holding one image (``ax.images[0]``, shape ``(n_rows, n_cols)``)
        with a colour bar (``ax.images[0].colorbar``). Column labels are
        rotated when they do not fit; with very many categories only every
        k-th is labelled.

    Raises
    ------
    ParameterError
        For missing or non-numeric columns, an unknown period, or several
        rows for one cell in the period.

    Examples
    --------
    >>> import pandas as pd
    >>> import matplotlib.pyplot as plt
    >>> g = pd.DataFrame({"region": ["North", "North", "South", "South"],
    ...                   "industry": ["textiles", "construction"] * 2,
    ...                   "period": pd.Period("2025Q1", freq="Q"),
    ...                   "gap": [120.0, -40, 15, None], "p_shortage": [0.9, 0.2, 0.6, None]})
    >>> ax = gap_heatmap(g)
    >>> ax.images[0].get_array().shape  # industries x regions
    (2, 2)
    >>> ax.images[0].colorbar.ax.get_ylabel()
    'gap (persons)'
    >>> plt.close(ax.figure)
    """
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    frame = _check_frame(gap_forecast, "gap_forecast")
    _check_ax(ax)
    _require(frame, [rows, cols, time, value], "gap_forecast")
    if rows == cols:
        raise ParameterError(f"rows and cols must be different columns, both are {rows!r}")
    frame, period_label = _pick_period(frame, time, period, "gap_forecast")
    grid, r_labels, c_labels = _grid(frame, rows, cols, value, "gap_forecast")
    n_rows, n_cols = grid.shape

    finite = grid[np.isfinite(grid)]
    probability = _is_probability(value)
    if probability:
        norm, default_cmap = Normalize(0.0, 1.0), "YlOrRd"
    elif "gap" in value or (finite.size and finite.min() < 0):
        half = float(np.max(np.abs(finite))) if finite.size else 1.0
        half = half if half > 0 else 1.0
        norm, default_cmap = Normalize(-half, half), "RdBu_r"
    else:
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        norm, default_cmap = Normalize(low, high if high > low else low + 1.0), "viridis"
    try:
        colormap = colormaps[cmap or default_cmap].with_extremes(bad=_MISSING_COLOR)
    except KeyError:
        raise ParameterError(f"cmap {cmap!r} is not a matplotlib colour map name") from None

    cell_w = min(0.7, max(0.12, 14.0 / n_cols))
    cell_h = min(0.4, max(0.12, 10.0 / n_rows))
    longest_row = max(len(s) for s in r_labels)
    longest_col = max(len(s) for s in c_labels)
    label_in = 0.075  # width of one tick-label character at 9 pt, inches
    rotate = longest_col * label_in > 0.92 * cell_w
    if ax is None:
        width = 1.0 + min(longest_row, 40) * label_in + n_cols * cell_w + 1.3
        height = (1.0 + n_rows * cell_h
                  + (min(longest_col, 40) * label_in * 0.72 if rotate else 0.25))
        ax = _new_axes((min(max(width, 5.0), 40.0), min(max(height, 3.0), 40.0)))
    fig = ax.figure

    image = ax.imshow(np.ma.masked_invalid(grid), cmap=colormap, norm=norm, aspect="auto",
                      interpolation="nearest")
    bar = fig.colorbar(image, ax=ax, fraction=0.06 if n_cols < 8 else 0.04, pad=0.02)
    bar.set_label(_value_label(value, units))

    size = ax.get_position().size * fig.get_size_inches()
    _thin_ticks(ax.xaxis, c_labels, size[0], 9 / 72 if rotate else longest_col * label_in)
    _thin_ticks(ax.yaxis, r_labels, size[1], 9 / 72)
    ax.tick_params(labelsize=9, length=0)
    if rotate:
        for label in ax.get_xticklabels():
            label.set(rotation=45, ha="right", rotation_mode="anchor")
    ax.set_xticks(np.arange(n_cols + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(n_rows + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1.0)
    ax.tick_params(which="minor", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)

    if annotate is None:
        annotate = n_rows * n_cols <= 200 and size[0] / n_cols >= 0.42
    if annotate:
        font = 8 if size[1] / n_rows >= 0.25 else 6.5
        for (i, j), v in np.ndenumerate(grid):
            if not np.isfinite(v):
                continue
            r, g, b, _ = colormap(norm(v))
            dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
            ax.text(j, i, _format_number(v, probability), ha="center", va="center",
                    fontsize=font, color="white" if dark else "black")

    ax.set_xlabel(cols)
    ax.set_ylabel(rows)
    if title is None:
        name = {"gap": "Skill gap", "p_shortage": "Probability of shortage"}.get(value, value)
        title = f"{name} by {rows} and {cols}, {period_label}"
    ax.set_title(title)
    return ax


# ---- error by horizon -------------------------------------------------------------------------
