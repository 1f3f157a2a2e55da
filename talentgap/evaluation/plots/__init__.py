"""Plots of forecasts, skill gaps and backtest errors, drawn with matplotlib.

Four charts a planner reads:

* :func:`fan_chart` -- one cell's history and forecast with shaded intervals;
* :func:`gap_heatmap` -- the gap (or the probability of a shortage) of every
  industry x region cell in one period;
* :func:`top_shortages` -- the cells with the largest expected shortage, ranked;
* :func:`error_by_horizon` -- backtest error against the number of periods ahead.

Conventions shared by every function:

* Each returns the :class:`matplotlib.axes.Axes` it drew on and never
  displays it; showing or saving is the caller's choice. Pass ``ax=`` to
  draw into an existing Axes (its figure is left as it is); without it a new figure is made with
  ``matplotlib.pyplot.subplots(layout="constrained")`` and sized to the
  content, so notebooks display it. Close it (``plt.close(ax.figure)``) when
  making many, e.g. in a loop that saves PNG files.
* No global state is changed: no ``rcParams``, style or backend.
* Periods (pandas ``Period`` values, or labels such as ``"2024Q1"`` parsed by
  :func:`talentgap.periods.parse_periods`) are placed at their ordinal
  (``Period.ordinal``) on the x axis and labelled as periods (``2024Q1``);
  dates and plain numbers are plotted as they are.
* NaN and infinite values are drawn as gaps (lines, bands) or grey cells
  (heatmap), and left out of rankings and error averages.
* A missing column or a bad argument raises
  :class:`~talentgap.errors.ParameterError` naming it.
"""

from talentgap.evaluation.plots.fan import fan_chart
from talentgap.evaluation.plots.heatmap import gap_heatmap
from talentgap.evaluation.plots.horizon import error_by_horizon
from talentgap.evaluation.plots.ranking import top_shortages

__all__ = ["fan_chart", "gap_heatmap", "error_by_horizon", "top_shortages"]
