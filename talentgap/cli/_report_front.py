"""What the report says before its sections: where the outputs are and how noisy the figures.

:func:`front_matter` gives the report's opening lines after its headline:
which files hold every row (``results.xlsx`` and the CSV files), how many
simulated futures the expected shortfall averages and its simulation noise,
and a note when the charts' names need a font the computer lacks.

The expected shortfall is a mean over the gap model's simulated futures
(``[forecast] n_samples`` sample paths), so it carries a Monte Carlo standard
error: the standard deviation over the paths divided by the square root of
their number. :func:`shortfall_error` measures it for a one-period plan from
the same paths the plan was made on (the gap model draws them again from its
fixed ``random_state``; the figure is given only when the redrawn paths give
the plan's own expected shortfall). :func:`simulation_text` words it for the
report, with a recommendation when the noise is large next to what the plan
changes.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from talentgap._words import percent_text
from talentgap.cli._notes import (
    plain_note,
    qualifies_intervals,
    short_history_lengths,
    short_history_note,
)
from talentgap.cli._result import RunResult
from talentgap.evaluation.plots.fonts import missing_font_note
from talentgap.models.gap_flags import POOLED_SHORT

__all__ = ["shortfall_error", "simulation_text", "outputs_sentence", "front_matter",
           "chart_texts", "chart_font_note", "interval_notes",
           "probability_words", "probability_cell",
           "FEW_SIMULATIONS", "NOISY_SHARE"]

#: Below this many sample paths the report recommends more (``[forecast] n_samples``).
FEW_SIMULATIONS = 1000
#: The noise is also "large" when the standard error of the shortfall the plan removes
#: exceeds this share of it.
NOISY_SHARE = 0.05


def shortfall_error(result: RunResult) -> dict | None:
    """The Monte Carlo standard errors of a one-period plan's expected shortfall.

    Parameters
    ----------
    result : RunResult
        A run with a one-period plan made on sample paths.

    Returns
    -------
    dict or None
        ``scenarios`` (the number of paths), ``after`` (standard error of the
        expected shortfall after the plan, persons) and ``reduction`` (of the
        shortfall the plan removes: before minus after, path by path). None
        for multi-year plans, plans on a forecast table, or when the redrawn
        paths do not reproduce the plan's expected shortfall.
    """
    plan, model = result.plan, result.gap_model
    if plan is None or model is None or result.config.plan.years:
        return None
    s, cells = plan.summary, plan.cells
    if s.get("source") != "samples" or not {"arrival_period", "expected_certified"} <= set(
            cells.columns):
        return None
    keys = list(result.config.data.keys)
    try:
        paths = model.sample_paths(result.config.forecast.horizon)
        period = pd.Period(str(cells["arrival_period"].iloc[0]), freq=paths.periods.freq)
        step = paths.periods.get_loc(period)
    except (KeyError, ValueError, TypeError, AttributeError):
        return None
    rows = paths.cells.reset_index(names="_row").merge(
        cells[[*keys, "expected_certified"]], on=keys, how="inner", validate="1:1")
    gap = paths.gap()[rows["_row"].to_numpy(), step, :].astype(np.float64)
    gap = np.nan_to_num(gap, nan=0.0)
    certified = rows["expected_certified"].to_numpy(dtype=np.float64)[:, None]
    after = np.maximum(gap - certified, 0.0).sum(axis=0)
    before = np.maximum(gap, 0.0).sum(axis=0)
    n = after.size
    expected = float(s["shortfall_after"])
    if n < 2 or not math.isclose(after.mean(), expected, rel_tol=1e-6, abs_tol=1e-6):
        return None
    root = math.sqrt(n)
    return {"scenarios": n, "after": float(after.std(ddof=1) / root),
            "reduction": float((before - after).std(ddof=1) / root)}


def simulation_text(result: RunResult, error: dict | None) -> tuple[str, str | None]:
    """The report's sentence on the simulations, and a note when their noise matters.

    Parameters
    ----------
    result : RunResult
    error : dict or None
        :func:`shortfall_error`.

    Returns
    -------
    (text, note) : tuple of str and (str or None)

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> import pandas as pd
    >>> result = NS(plan=NS(summary=pd.Series({"scenarios": 200, "shortfall_before": 9256.5,
    ...                                        "shortfall_after": 8709.4})),
    ...             config=NS(plan=NS(years=None)))
    >>> text, note = simulation_text(result, {"scenarios": 200, "after": 152.9,
    ...                                       "reduction": 2.9})
    >>> print(text)
    The expected shortfall is an average over 200 simulated futures of the gap, so it carries
    simulation noise. Its standard error is about 153 persons for the shortfall after the plan
    and 2.9 persons for the shortfall the plan removes (547 persons).
    >>> print(note)
    The plan rests on only 200 simulated futures of the gap. With so few, differences between
    cells' expected gaps of less than about 306 persons (two standard errors of the expected
    shortfall) may be simulation noise, and reordering or renaming cells can move places
    between cells. Run the forecast with 1,000 or more simulated futures for a plan to act on
    (the section for the analyst names the setting).
    """
    s = result.plan.summary
    n = s.get("scenarios")
    if n is None or not pd.notna(n):
        return "", None
    n = int(n)
    text = f"The expected shortfall is an average over {n:,} simulated futures of the gap"
    noisy = n < FEW_SIMULATIONS
    if error is not None:
        cut = float(s["shortfall_before"]) - float(s["shortfall_after"])
        text += (f", so it carries simulation noise. Its standard error is about "
                 f"{_persons(error['after'])} persons for the shortfall after the plan and "
                 f"{_persons(error['reduction'])} persons for the shortfall the plan removes "
                 f"({cut:,.0f} persons).")
        noisy = noisy or error["reduction"] > NOISY_SHARE * max(cut, 0.0)
    else:
        text += ", so it carries simulation noise that more simulations reduce."
    if not noisy:
        return text, None
    note = f"The plan rests on only {n:,} simulated futures of the gap. With so few, "
    if error is not None:
        note += (f"differences between cells' expected gaps of less than about "
                 f"{_persons(2 * error['after'])} persons (two standard errors of the expected "
                 "shortfall) may be simulation noise, and ")
    note += ("reordering or renaming cells can move places between cells. Run the forecast "
             f"with {FEW_SIMULATIONS:,} or more simulated futures for a plan to act on (the "
             "section for the analyst names the setting).")
    return text, note


def _persons(value: float) -> str:
    """``153``, ``2.9``: whole persons from 10 up, two significant figures below."""
    return f"{value:,.0f}" if value >= 10 else f"{value:.2g}"


def outputs_sentence(result: RunResult) -> str:
    """Where every row of the report's tables is: ``results.xlsx`` and the CSV files.

    Names only tables the run wrote: ``plan_budget_cuts.csv`` when a
    multi-year plan was solved again at smaller budgets, and the tables
    without a sheet in ``results.xlsx`` (the panel, the backtest and its
    leaderboard) as CSV only when the run has them.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> print(outputs_sentence(NS(plan=object(), forecast=object(), panel=object(),
    ...                           backtests={})))
    The report's tables show the main rows. Every row is in the output folder, in CSV files
    (quotas.csv, forecast.csv, ...). The plan and forecast tables are also in results.xlsx,
    one sheet per table, named as its CSV file and listed on its first sheet. The panel
    table, panel.csv, is CSV only.
    """
    cuts = getattr(result, "budget_cuts", None)
    names = [name for name, table in (("quotas", result.plan), ("forecast", result.forecast),
                                      ("plan_budget_cuts", cuts))
             if table is not None and (name != "plan_budget_cuts" or len(table) > 1)]
    files = ", ".join(f"{name}.csv" for name in names)
    only = [name for name, present in (
        ("panel", getattr(result, "panel", None) is not None),
        ("backtest", bool(getattr(result, "backtests", None))),
        ("leaderboard", bool(getattr(result, "backtests", None)))) if present]
    if not only:
        tail = ""
    elif len(only) == 1:
        tail = f" The {only[0]} table, {only[0]}.csv, is CSV only."
    else:
        tail = (f" The {', '.join(only[:-1])} and {only[-1]} tables ("
                + ", ".join(f"{name}.csv" for name in only) + ") are CSV only.")
    return ("The report's tables show the main rows. Every row is in the output folder, in "
            f"CSV files ({files + ', ' if files else ''}...). The plan and forecast tables are "
            "also in results.xlsx, one sheet per table, named as its CSV file and listed on "
            "its first sheet." + tail)


def front_matter(result: RunResult) -> list[tuple[str, str | None]]:
    """The report's lines after its headline: ``(text, note kind or None for text)``."""
    lines: list[tuple[str, str | None]] = [(outputs_sentence(result), None)]
    if result.plan is not None:
        text, note = simulation_text(result, shortfall_error(result))
        if text:
            lines.append((text, None))
        if note:
            lines.append((note, "warning"))
    font = chart_font_note(result) if result.forecast is not None else None
    if font:
        lines.append((font, "warning"))
    return lines


def chart_texts(result: RunResult) -> np.ndarray:
    """The cell names the charts show (the key values of the forecast and the panel)."""
    names = []
    for table in (result.forecast, result.panel):
        if table is not None:
            names += [table[key].astype(str).unique() for key in result.config.data.keys
                      if key in table.columns]
    return np.concatenate(names) if names else np.array([], dtype=object)


def chart_font_note(result: RunResult) -> str | None:
    """The report's note when the charts' names need a font the computer lacks, or None.

    See :func:`talentgap.evaluation.plots.fonts.missing_font_note`.
    """
    return missing_font_note(chart_texts(result))


def interval_notes(result: RunResult, *, freq: str = "Q", levels=()) -> list[str]:
    """The run's notes that qualify the forecast intervals, merged, for the forecast tables.

    The library's "no series is long enough" messages (one per history
    length) become one note that says how many of the cells they concern;
    the other notes on too few past forecast errors follow in plain words.
    """
    messages = [m for m in result.notes if qualifies_intervals(m)]
    lengths = short_history_lengths(messages)
    notes = []
    if lengths:
        concerned = cells = None
        unscaled = False
        model, fc = result.gap_model, result.forecast
        if model is not None and fc is not None:
            why = model.explain(int(fc["period"].nunique()))
            obs = why[["demand_n_obs", "supply_n_obs"]].to_numpy(dtype=np.float64)
            # the cells the rule took: short by length (flagged), or of full length but
            # without a change to scale their past errors by (their fallback_reason says so)
            pooled = why["fallback_reason"].fillna("").astype(str).str.contains(
                POOLED_SHORT, regex=False).to_numpy()
            flagged = why["flags"].fillna("").astype(str).str.contains(
                "short_history", regex=False).to_numpy()
            concerned = int((pooled | (np.isin(obs, lengths).any(axis=1) & flagged)).sum())
            unscaled = bool(pooled.any())
            cells = len(why)
            concerned = concerned or None
        notes.append(short_history_note(lengths, freq=freq, concerned=concerned, cells=cells,
                                        unscaled=unscaled))
    notes += [plain_note(m, freq=freq, levels=levels) for m in messages
              if not short_history_lengths([m])]
    return list(dict.fromkeys(notes))


def probability_words(p: float, scenarios: int | None = None) -> str:
    """``shortage probability 98%``, or ``short in all 1,000 simulations`` when every one is.

    Examples
    --------
    >>> probability_words(0.975), probability_words(1.0, 1000)
    ('shortage probability 98%', 'short in all 1,000 simulations')
    """
    if float(p) >= 1 and scenarios:
        return f"short in all {int(scenarios):,} simulations"
    return f"shortage probability {percent_text(p)}"


def probability_cell(p: float) -> str:
    """A probability in a 0–1 table column, rounded as
    :func:`~talentgap._words.percent_text` rounds it.

    Examples
    --------
    >>> probability_cell(0.975), probability_cell(0.9999), probability_cell(1.0)
    ('0.98', '>0.999', '1.00')
    """
    text = percent_text(p)
    if text.startswith((">", "<")):
        return {">": ">0.999", "<": "<0.001"}[text[0]]
    return text if text == "—" else f"{int(text[:-1]) / 100:.2f}"
