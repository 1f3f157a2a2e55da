"""The run's charts: ``{file stem: matplotlib Figure}`` and writing them as ``<stem>.png``.

One figure per chart of the report and of the output folder (every stem has a
step in :data:`talentgap.cli._output_files.OUTPUT_STEPS`); nothing is shown.
:func:`level_view` says how the report and the charts split the forecast by
skill level (or occupation).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from talentgap import evaluation, planning
from talentgap._arguments import parse_interval_column
from talentgap.cli._by_level import detail_keys, level_heatmaps
from talentgap.cli._report_front import chart_texts
from talentgap.cli._totals import ALL_REGIONS
from talentgap.cli._wording import level_words, levels_in_words, model_name, per_period
from talentgap.cli.pipeline import RunResult
from talentgap.evaluation.plots.fonts import font_context

__all__ = ["charts", "level_view", "target_path_figure", "top_shortages_table", "write_charts"]

_DPI = 110


def top_shortages_table(forecast: pd.DataFrame, *, keys, n: int, period=None) -> pd.DataFrame:
    """The ``n`` cells with the largest expected gap in one period (default the last)."""
    period = forecast["period"].max() if period is None else pd.Period(period)
    rows = forecast[forecast["period"] == period]
    rows = rows[rows["gap"] > 0].sort_values("gap", ascending=False).head(n)
    bounds = [c for c in rows.columns if parse_interval_column(c, prefix="gap")]
    columns = [*keys, "period", "demand", "supply", "gap", *bounds, "p_shortage", "flag"]
    return rows[columns].reset_index(drop=True)


def _save(ax_or_fig, path: Path) -> Path:
    fig = getattr(ax_or_fig, "figure", ax_or_fig)
    fig.savefig(path, dpi=_DPI, bbox_inches="tight")
    return path


def charts(result: RunResult) -> dict[str, object]:
    """The run's charts as ``{file stem: matplotlib Figure}`` (nothing is shown).

    Drawn with a CJK-capable fallback font when the cell names need one
    (:func:`talentgap.evaluation.plots.fonts.font_context`).
    """
    with font_context(chart_texts(result)):
        return _charts(result)


def _charts(result: RunResult) -> dict[str, object]:
    config, figures = result.config, {}
    keys = list(config.data.keys)
    fc = result.forecast
    if fc is not None and fc["gap"].notna().any():
        last = fc["period"].max()
        shown = levels_in_words(fc)  # labels in words: "high-skilled"
        flow = f"persons per {per_period(getattr(last, 'freqstr', 'Q'))}"
        figures["top_shortages"] = evaluation.top_shortages(
            shown, n=config.output.top, period=last, keys=keys,  # as the report's tables
            interval=config.forecast.levels[0], units=flow,
            title=f"Largest expected shortages, {last}").figure
        if len(keys) == 2:
            figures["gap_heatmap"] = evaluation.gap_heatmap(
                fc, value="gap", period=last, rows=keys[1], cols=keys[0], units=flow).figure
            figures["p_shortage_heatmap"] = evaluation.gap_heatmap(
                fc, value="p_shortage", period=last, rows=keys[1], cols=keys[0]).figure
        view = level_view(result)
        if view is not None and view["rows"] is not None:
            figures["gap_heatmap_by_level"] = level_heatmaps(
                fc, key=view["key"], rows=view["rows"], cols=view["cols"],
                order=view["order"], period=view["period"],
                unit=f"persons per {per_period(getattr(last, 'freqstr', 'Q'))}")
            if len(keys) == 3:  # a probability cannot be added over a fourth key
                figures["p_shortage_heatmap_by_level"] = level_heatmaps(
                    fc, key=view["key"], rows=view["rows"], cols=view["cols"],
                    order=view["order"], period=view["period"], value="p_shortage")
        top = top_shortages_table(shown, keys=keys, n=config.output.fan_charts)
        history = levels_in_words(result.panel)
        for rank, row in enumerate(top.itertuples(index=False), start=1):
            cell = {k: getattr(row, k) for k in keys}
            figures[f"fan_{rank}"] = evaluation.fan_chart(
                history, shown, keys=cell, value="gap", units=flow).figure
    if result.backtests:
        figures["error_by_horizon"] = evaluation.error_by_horizon(
            {model_name(name): res for name, res in result.backtests.items()},
            metric="mae", title="Mean absolute error by horizon (lower is better)").figure
        figures["error_by_horizon"].axes[0].set_ylabel("mean absolute error (persons)")
    if result.comparison is not None:
        curve, plan = result.budget_curve, result.plan
        # the chosen budget marked; the curve's wider grid reaches where money stops helping
        figure = planning.plot_shortfall_vs_budget(
            result.comparison,
            chosen_budget=None if plan is None else float(plan.summary["budget"]),
            curve=None if curve is None or "shortfall_after" not in curve.table
            else curve.table).figure
        _money_axis(figure, config.output.currency)
        _persons_axis(figure.axes[0].yaxis)
        figures["shortfall_vs_budget"] = figure
    if result.target_path is not None:
        figures["target_path"] = target_path_figure(result.target_path)
        if (result.target_path["skill_level"] == "high_skilled").any():
            figures["target_path_high_skilled"] = target_path_figure(
                result.target_path, skill_level="high_skilled")
    return figures


def level_view(result: RunResult) -> dict | None:
    """How the report splits the forecast by skill level (or occupation), or None.

    Returns
    -------
    dict or None
        ``key`` (the level column: ``skill_level`` before ``occupation``),
        ``order`` (the declared levels), ``period`` (a one-period plan's
        period, else the last forecast period) and the heatmap panels'
        ``rows`` and ``cols`` (None when fewer than two other keys). None
        when the cells carry no detail key or there is no forecast.
    """
    keys = list(result.config.data.keys)
    levels = detail_keys(keys)
    fc = result.forecast
    if not levels or fc is None or not fc["gap"].notna().any():
        return None
    key = levels[0]
    period = fc["period"].max()
    plan = result.plan
    if plan is not None and not result.config.plan.years and "arrival_period" in plan.cells:
        arrival = pd.Period(plan.cells["arrival_period"].iloc[0])
        period = arrival if (fc["period"] == arrival).any() else period
    order = tuple(result.config.data.skill_levels) if key == "skill_level" else ()
    others = [k for k in keys if k != key]
    rows, cols = (others[1], others[0]) if len(others) >= 2 else (None, None)
    return {"key": key, "order": order, "period": period, "rows": rows, "cols": cols}


def _money_axis(figure, currency: str) -> None:
    """Name the currency on a chart's money (x) axis: ``budget (millions of yuan)``."""
    if not currency or not figure.axes:
        return
    axis = figure.axes[0]
    label = axis.get_xlabel()
    if label.endswith(")"):
        axis.set_xlabel(f"{label[:-1]} of {currency})")
    elif label:
        axis.set_xlabel(f"{label} ({currency})")


def _persons_axis(axis) -> None:
    """Count persons on an axis the plot labelled in its own unit of workers.

    The plot's scale is kept: ``(millions of workers)`` reads
    ``(millions of persons)``, as the report's tables count persons.
    """
    label = axis.get_label_text()
    axis.set_label_text(re.sub(r"\bworkers\)$", "persons)", label))


def target_path_figure(path: pd.DataFrame, *, skill_level: str = "skilled"):
    """A target share per region and year: observed, target path, without and with the plan.

    The skilled share is of employment, the high-skilled share of skilled
    workers; the legend uses the words of the report's target table.

    Parameters
    ----------
    path : pandas.DataFrame
        :attr:`RunResult.target_path` (``region, skill_level, period,
        observed_share, target_share, share_without_plan, share_with_plan``).
    skill_level : {"skilled", "high_skilled"}, default "skilled"
        The share drawn: skilled workers as % of employment, or high-skilled
        workers as % of skilled workers.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per region (the rows of all regions together,
        :data:`~talentgap.cli._totals.ALL_REGIONS`, are not drawn: they are
        no region); shares in percent.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    rows = path[(path["skill_level"] == skill_level) & (path["region"] != ALL_REGIONS)]
    regions = list(dict.fromkeys(rows["region"]))
    n_cols = min(4, len(regions))
    n_rows = -(-len(regions) // n_cols)
    fig = Figure(figsize=(3.2 * n_cols, 2.6 * n_rows + 0.6), layout="constrained")
    axes = fig.subplots(n_rows, n_cols, sharex=True, sharey=True, squeeze=False).ravel()
    # observed_share is each year's share in the cells' last observed period of the year
    series = (("observed_share", "observed (last observed period of the year)", "black", "-"),
              ("target_share", "target path", "tab:red", "--"),
              ("share_without_plan", "projected without the plan", "tab:gray", ":"),
              ("share_with_plan", "projected with the plan", "tab:blue", "-"))
    for ax, region in zip(axes, regions, strict=False):
        part = rows[rows["region"] == region]
        for column, label, color, style in series:
            line = part[part[column].notna()]
            ax.plot(line["period"].dt.year, 100 * line[column], style, color=color,
                    label=label, marker="o", markersize=3)
        ax.set_title(str(region), fontsize=9)
        ax.grid(alpha=0.3)
    for ax in axes[len(regions):]:
        ax.set_visible(False)
    for ax in axes[::n_cols]:
        ax.set_ylabel("share (%)")
    for ax in axes[-n_cols:]:
        ax.set_xlabel("year")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    denominator = "employment" if skill_level == "skilled" else "skilled workers"
    fig.suptitle(f"{level_words(skill_level).capitalize()} workers as % of {denominator}, by "
                 "region",
                 fontsize=11)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=4 if n_cols > 2 else 2,
               fontsize=8)
    return fig


def write_charts(figures: dict, out: Path) -> list[Path]:
    """Save each figure as ``<stem>.png`` in ``out``; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    return [_save(fig, out / f"{stem}.png") for stem, fig in figures.items()]
