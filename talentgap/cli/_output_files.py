"""The files a run writes into ``--out``, by the step that writes them, and older runs' leftovers.

The commands of one workflow (``features``, ``backtest``, ``forecast``,
``plan``) may share an output folder: each writes its own files and leaves
the others'. :func:`stale_outputs` flags only the files of the steps a run
performs that it did not write this time (a chart turned off, a table a new
setting no longer makes): those are left by an older run of the same step
and do not match the files next to them. :func:`outdated_outputs` flags the
files of the steps built on a run's last one that the run does not redo: a
plan's files after a ``forecast`` (the plan was made from an earlier
forecast), the backtest's, forecast's and plan's after ``features`` (made
from an earlier panel); a backtest's files next to a forecast's are not built
on it and stay unflagged. :class:`OutdatedCheck` says them only when the
result they were built on changed (``forecast.csv`` or ``panel.csv`` written
again differently). ``report.html`` and ``results.xlsx`` describe the whole
run and belong to every command.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

__all__ = ["TABLE_NAMES", "OUTPUT_STEPS", "BUILT_ON", "output_step", "stale_outputs",
           "outdated_outputs", "outdated_message", "OutdatedCheck"]

#: The tables a run can write (``<name>.csv`` and ``<name>.parquet``).
TABLE_NAMES = ("panel", "forecast", "backtest", "leaderboard", "quotas", "plan_cells",
               "plan_summary", "plan_regions", "plan_binding", "plan_marginal_value",
               "plan_comparison", "budget_curve", "plan_years", "plan_places", "policy_need",
               "target_path", "target_path_national", "rejected", "masked_values",
               "plan_budget_cuts")

#: The step of a run that writes each table and chart (by file stem; ``fan_<n>`` charts
#: by pattern): ``features``, ``backtest``, ``forecast`` or ``plan``.
OUTPUT_STEPS = {
    "panel": "features", "rejected": "features",
    "backtest": "backtest", "leaderboard": "backtest", "error_by_horizon": "backtest",
    "forecast": "forecast", "masked_values": "forecast", "top_shortages": "forecast",
    "gap_heatmap": "forecast", "p_shortage_heatmap": "forecast",
    "gap_heatmap_by_level": "forecast", "p_shortage_heatmap_by_level": "forecast",
    "quotas": "plan", "plan_cells": "plan", "plan_summary": "plan", "plan_regions": "plan",
    "plan_binding": "plan",
    "plan_marginal_value": "plan", "plan_comparison": "plan", "budget_curve": "plan",
    "plan_years": "plan",
    "plan_places": "plan", "policy_need": "plan", "target_path": "plan",
    "target_path_national": "plan", "target_path_high_skilled": "plan",
    "shortfall_vs_budget": "plan", "plan_budget_cuts": "plan",
}
_FAN = re.compile(r"fan_\d+")

#: The steps built on each step's result (a plan on a forecast; a backtest, a forecast and
#: a plan on the panel): their files are made from that step's result as it was then.
BUILT_ON = {"features": ("backtest", "forecast", "plan"), "forecast": ("plan",),
            "backtest": (), "plan": ()}

#: The table of a step's result that later steps were built on (its CSV is compared).
_BASIS = {"features": "panel", "forecast": "forecast"}

#: What each step's files are called in messages.
_STEP_FILES = {"features": "the panel's", "backtest": "a backtest's",
               "forecast": "a forecast's", "plan": "a plan's"}


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
    done = {Path(path).name for path in written}
    performed = None if steps is None else set(steps)

    def stale(path: Path) -> bool:
        if not path.is_file() or path.name in done:
            return False
        if not _ours(path.name):
            return False
        step = output_step(path.name)
        return performed is None or step is None or step in performed

    return sorted(path.name for path in out.iterdir() if stale(path))


def _ours(name: str) -> bool:
    """A file name talentgap writes into an output folder (a table, workbook, report, chart)."""
    stem, suffix = Path(name).stem, Path(name).suffix
    return ((stem in TABLE_NAMES and suffix in (".csv", ".parquet")) or suffix == ".png"
            or name in ("results.xlsx", "report.html"))


def outdated_outputs(out: Path, steps) -> dict[str, list[str]]:
    """Files in ``out`` of the steps built on this run's last step, which it does not redo.

    A run that redoes a step (``talentgap forecast`` redoes the forecast)
    leaves the files of the steps built on it (a plan's ``quotas.csv``, ...)
    as an earlier run made them, from an earlier result: they may no longer
    match this run's (another horizon, other periods), while ``report.html``
    and ``results.xlsx`` now describe this run only. The steps a command
    runs only to get there (every command builds the panel first) do not
    count: a forecast's run leaves a backtest's files unflagged.

    Parameters
    ----------
    out : pathlib.Path
        The output folder.
    steps : sequence of str
        The steps the run performed, in pipeline order (``features``,
        ``backtest``, ``forecast``, ``plan``).

    Returns
    -------
    dict
        ``{step: sorted file names}`` for the steps built on the run's last
        one that have files in ``out``; empty when none has.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> for name in ("quotas.csv", "plan_cells.parquet", "backtest.csv", "forecast.csv"):
    ...     _ = (out / name).write_text("")
    >>> outdated_outputs(out, ("features", "forecast"))
    {'plan': ['plan_cells.parquet', 'quotas.csv']}
    >>> outdated_outputs(out, ("features", "backtest")), outdated_outputs(out, ("features",))
    ({}, {'backtest': ['backtest.csv'], 'forecast': ['forecast.csv'], 'plan': \
['plan_cells.parquet', 'quotas.csv']})
    """
    steps = list(steps)
    if not steps or not out.is_dir():
        return {}
    later = [step for step in BUILT_ON.get(steps[-1], ()) if step not in steps]
    found: dict[str, list[str]] = {}
    for path in sorted(out.iterdir()):
        step = output_step(path.name)
        if step in later and path.is_file() and _ours(path.name):
            found.setdefault(step, []).append(path.name)
    return {step: found[step] for step in later if step in found}


def outdated_message(out: Path, outdated: dict[str, list[str]], last_step: str) -> str:
    """The warning (and report note) naming :func:`outdated_outputs`' files.

    Examples
    --------
    >>> outdated_message(Path("out"), {"plan": ["plan_cells.csv", "quotas.csv",
    ...                                         "quotas.parquet"]}, "forecast")
    "the output folder out holds a plan's files of an earlier run (quotas.csv, plan_cells.csv), \
made from an earlier forecast than this run's: they may not match it (its periods, its \
figures), and report.html and results.xlsx now describe this run only; they are left as they \
were: rerun talentgap plan into this folder, remove them, or use a new --out folder"
    """
    names = [name for files in outdated.values() for name in files]
    # tables first, in the order they are listed (quotas first), one of CSV and Parquet
    order = {name: at for at, name in enumerate(TABLE_NAMES)}
    named = sorted({Path(n).stem if Path(n).stem in order else n for n in names},
                   key=lambda n: (order.get(n, len(order)), n))
    named = [f"{n}.csv" if f"{n}.csv" in names else f"{n}.parquet" if n in order else n
             for n in named]
    shown = ", ".join(named[:6]) + (f" and {len(named) - 6} more" if len(named) > 6 else "")
    whose = " and ".join(_STEP_FILES[step] for step in outdated)
    made = {"features": "panel", "forecast": "forecast"}.get(last_step, last_step)
    rerun = " and ".join(f"talentgap {step}" for step in outdated)
    return (f"the output folder {out} holds {whose} files of an earlier run ({shown}), made "
            f"from an earlier {made} than this run's: they may not match it (its periods, its "
            "figures), and report.html and results.xlsx now describe this run only; they are "
            f"left as they were: rerun {rerun} into this folder, remove them, or use a new "
            "--out folder")


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


class OutdatedCheck:
    """Other commands' files a run makes outdated, said only when its result changed.

    Made before the run writes its files; :meth:`message` after it wrote
    them. The files of :func:`outdated_outputs` are built on the run's last
    step; when that step's table (``forecast.csv``, ``panel.csv``) is written
    again byte for byte the same (the same inputs, settings and seed), they
    still match and nothing is said. Otherwise, or when there was no such
    table to compare, :meth:`message` is :func:`outdated_message`.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> for name, text in (("forecast.csv", "gap\\n1\\n"), ("quotas.csv", "")):
    ...     _ = (out / name).write_text(text)
    >>> check = OutdatedCheck(out, ("features", "forecast"))
    >>> _ = (out / "forecast.csv").write_text("gap\\n1\\n")   # the same forecast again
    >>> check.message() is None
    True
    >>> _ = (out / "forecast.csv").write_text("gap\\n2\\n")   # another forecast
    >>> check.message().startswith(f"the output folder {out} holds a plan's files")
    True
    """

    def __init__(self, out: Path, steps) -> None:
        self.out, self.steps = Path(out), list(steps)
        self.outdated = outdated_outputs(self.out, self.steps)
        self._basis = None
        if self.outdated and self.steps[-1] in _BASIS:
            self._basis = self.out / f"{_BASIS[self.steps[-1]]}.csv"
        self._before = _digest(self._basis) if self._basis is not None else None

    def message(self) -> str | None:
        """The warning naming the outdated files, or None when there are none or they match."""
        if not self.outdated:
            return None
        if self._before is not None and self._before == _digest(self._basis):
            return None
        return outdated_message(self.out, self.outdated, self.steps[-1])
