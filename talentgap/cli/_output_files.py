"""The files a run writes into ``--out``, by the step that writes them, and older runs' leftovers.

The commands of one workflow (``features``, ``backtest``, ``forecast``,
``plan``) may share an output folder: each writes its own files and leaves
the others'. :func:`stale_outputs` flags only the files of the steps a run
performs that it did not write this time (a chart turned off, a table a new
setting no longer makes): those are left by an older run of the same step
and do not match the files next to them. ``report.html`` and
``results.xlsx`` describe the whole run and belong to every command.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["TABLE_NAMES", "OUTPUT_STEPS", "output_step", "stale_outputs"]

#: The tables a run can write (``<name>.csv`` and ``<name>.parquet``).
TABLE_NAMES = ("panel", "forecast", "backtest", "leaderboard", "quotas", "plan_cells",
               "plan_summary", "plan_binding", "plan_marginal_value", "plan_comparison",
               "budget_curve", "plan_years", "plan_places", "policy_need", "target_path",
               "rejected", "masked_values")

#: The step of a run that writes each table and chart (by file stem; ``fan_<n>`` charts
#: by pattern): ``features``, ``backtest``, ``forecast`` or ``plan``.
OUTPUT_STEPS = {
    "panel": "features", "rejected": "features",
    "backtest": "backtest", "leaderboard": "backtest", "error_by_horizon": "backtest",
    "forecast": "forecast", "masked_values": "forecast", "top_shortages": "forecast",
    "gap_heatmap": "forecast", "p_shortage_heatmap": "forecast",
    "gap_heatmap_by_level": "forecast", "p_shortage_heatmap_by_level": "forecast",
    "quotas": "plan", "plan_cells": "plan", "plan_summary": "plan", "plan_binding": "plan",
    "plan_marginal_value": "plan", "plan_comparison": "plan", "budget_curve": "plan",
    "plan_years": "plan",
    "plan_places": "plan", "policy_need": "plan", "target_path": "plan",
    "shortfall_vs_budget": "plan",
}
_FAN = re.compile(r"fan_\d+")


def output_step(name: str) -> str | None:
    """The step that writes the output file ``name``; None for files of the whole run
    (``report.html``, ``results.xlsx``) and charts of no known step.

    Examples
    --------
    >>> [output_step(n) for n in ("leaderboard.csv", "fan_2.png", "plan_years.parquet",
    ...                           "report.html")]
    ['backtest', 'forecast', 'plan', None]
    """
    stem = Path(name).stem
    return "forecast" if _FAN.fullmatch(stem) else OUTPUT_STEPS.get(stem)


def stale_outputs(out: Path, written: list[Path], steps=None) -> list[str]:
    """Files in ``out`` of the steps this run performed that it did not write: an older run's.

    Parameters
    ----------
    out : pathlib.Path
        The output folder.
    written : list of pathlib.Path
        The files this run wrote.
    steps : sequence of str, optional
        The steps the run performed (``features``, ``backtest``, ``forecast``,
        ``plan``); default all of them. Files of other steps are left alone:
        another command of the same workflow wrote them (``backtest.csv`` next
        to a forecast's files).

    Returns
    -------
    list of str
        Sorted file names. Only names talentgap writes count (its tables as
        CSV or Parquet, ``results.xlsx``, ``report.html`` and PNG charts);
        other files in the folder are the user's own. ``report.html``,
        ``results.xlsx`` and charts of no known step count for every run.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> for name in ("forecast.csv", "fan_3.png", "plan_years.csv", "leaderboard.csv",
    ...              "my_notes.csv"):
    ...     _ = (out / name).write_text("")
    >>> stale_outputs(out, [out / "forecast.csv"], steps=("features", "forecast"))
    ['fan_3.png']
    >>> stale_outputs(out, [out / "forecast.csv"])
    ['fan_3.png', 'leaderboard.csv', 'plan_years.csv']
    """
    if not out.is_dir():
        return []
    ours = {f"{name}{suffix}" for name in TABLE_NAMES for suffix in (".csv", ".parquet")}
    ours |= {"results.xlsx", "report.html"}
    done = {Path(path).name for path in written}
    performed = None if steps is None else set(steps)

    def stale(path: Path) -> bool:
        if not path.is_file() or path.name in done:
            return False
        if path.name not in ours and path.suffix != ".png":
            return False
        step = output_step(path.name)
        return performed is None or step is None or step in performed

    return sorted(path.name for path in out.iterdir() if stale(path))
