"""The sheets of ``results.xlsx``: a ``contents`` sheet, then one sheet per table, each capped.

Excel holds at most 1,048,576 rows a sheet (the header included). The
``rejected`` sheet shows the first :data:`REJECTED_SHEET_ROWS` rows (a file
with a million bad rows would otherwise make the workbook slow to write and
to open), every other sheet at most what Excel holds; the ``contents`` sheet
says for each sheet how many rows the table has and how many the sheet
shows, and that the CSV file has them all.

Examples
--------
>>> import pandas as pd
>>> tables = {"rejected": pd.DataFrame({"line": range(2, 7)})}
>>> sheets = workbook_sheets(tables, rejected_rows=3)
>>> list(sheets), len(sheets["rejected"])
(['contents', 'rejected'], 3)
>>> sheets["contents"].loc[0, "note"]
'the first 3 of 5 rows; rejected.csv has them all'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["WORKBOOK_SHEETS", "CONTENTS_SHEET", "REJECTED_SHEET_ROWS", "SHEET_ROWS",
           "workbook_contents", "workbook_sheets", "without_inf"]

#: Sheets of ``results.xlsx``, in order: each is named as the CSV file it mirrors
#: (``<name>.csv``), with what it holds; the workbook opens on a ``contents`` sheet
#: listing them (:func:`workbook_contents`). A new sheet goes last: scripts that read a
#: sheet by its place find the same table in every release.
WORKBOOK_SHEETS = {
    "quotas": "training places per cell or programme (and funding year, over several)",
    "plan_places": "places per cell (or programme and region), one column per funding year",
    "plan_years": "per year: places, cost, budget, workers added and shortfalls",
    "plan_summary": "the plan (and the proportional rule, for one period): cost, places, "
                    "expected shortfall before and after",
    "plan_binding": "the limits that shape the plan, one sentence each",
    "plan_cells": "per cell (and need year, over several): places or workers reaching it, "
                  "gaps and shortfalls before and after the plan",
    "plan_marginal_value": "shortfall removed per extra unit of each budget and binding limit",
    "plan_comparison": "the optimised plan and the proportional rule over a range of budgets "
                       "(one-period plans): cost, places, expected shortfall",
    "budget_curve": "the optimised plan's expected shortfall over a grid of budgets up to the "
                    "money that buys the smallest shortfall (one-period plans), and the "
                    "budgets that close the share asked",
    "policy_need": "target and projected skilled workers per cell (without skill level) and "
                   "year; policy_need_skilled is each region's skilled shortfall shared out "
                   "among its cells, not a cell's target_stock - projected_stock; with both "
                   "targets served, joint_need_* are the workers short of both at once",
    "target_path": "observed, target and projected shares per region and year, each "
                   "target's year and the share its path starts from",
    "forecast": "expected gap per cell and period, with intervals and warning flags",
    "rejected": "input rows left out, with the rule each breaks",
    # sheets added later come last, so that every earlier sheet keeps its place
    "plan_regions": "places and cost per region (the first key) and funding period, one row "
                    "each (no total row: the rows add up)",
    "target_path_national": "the shares of all regions together per year (summed workers "
                            "over summed employment), observed and projected",
    "plan_budget_cuts": "multi-year plans: the plan at its budget and solved again at 75% and "
                        "50% of it: places, workers added, expected shortfalls and how much "
                        "more a smaller budget leaves",
}
#: Name of the first sheet of ``results.xlsx``.
CONTENTS_SHEET = "contents"
#: Rows of the ``rejected`` sheet at most: the first ones; ``rejected.csv`` has them all.
REJECTED_SHEET_ROWS = 10_000
#: Rows of any other sheet at most: Excel's 1,048,576 less the header.
SHEET_ROWS = 1_048_575


def workbook_contents(names, rows=None, shown=None) -> pd.DataFrame:
    """The ``contents`` sheet of ``results.xlsx``: each sheet, its CSV file and what it holds.

    Parameters
    ----------
    names : iterable of str
        The tables the workbook holds (keys of :data:`WORKBOOK_SHEETS`).
    rows, shown : sequence of int, optional
        Per table, its rows and the rows its sheet shows: with them the
        sheet has ``rows`` and ``shown`` columns and a ``note`` on the sheets
        that show only the first rows.

    Examples
    --------
    >>> workbook_contents(["quotas", "forecast"])[["sheet", "file"]].to_dict("list")
    {'sheet': ['quotas', 'forecast'], 'file': ['quotas.csv', 'forecast.csv']}
    """
    names = list(names)
    frame = pd.DataFrame({"sheet": names, "file": [f"{name}.csv" for name in names],
                          "holds": [WORKBOOK_SHEETS[name] for name in names]})
    if rows is None:
        return frame
    shown = rows if shown is None else shown
    notes = [f"the first {s:,} of {r:,} rows; {name}.csv has them all" if s < r else ""
             for name, r, s in zip(names, rows, shown, strict=True)]
    return frame.assign(rows=list(rows), shown=list(shown), note=notes)


def without_inf(frame: pd.DataFrame) -> pd.DataFrame:
    """Infinite numbers (a capacity without limit) as empty cells: Excel has no infinity.

    Examples
    --------
    >>> without_inf(pd.DataFrame({"capacity": [150.0, np.inf]}))["capacity"].tolist()
    [150.0, nan]
    """
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])
              and np.isinf(frame[c].to_numpy(dtype=float, na_value=np.nan)).any()]
    if not floats:
        return frame
    return frame.assign(**{c: frame[c].where(~np.isinf(frame[c].to_numpy(
        dtype=float, na_value=np.nan))) for c in floats})


def workbook_sheets(tables: dict[str, pd.DataFrame], *,
                    rejected_rows: int = REJECTED_SHEET_ROWS,
                    max_rows: int = SHEET_ROWS) -> dict[str, pd.DataFrame]:
    """The sheets of ``results.xlsx`` for a run's tables, in order, the contents first.

    Only tables of :data:`WORKBOOK_SHEETS` get a sheet; ``rejected`` shows
    its first ``rejected_rows`` rows, every other sheet its first
    ``max_rows``; infinities become empty cells. Empty when no table has a
    sheet.
    """
    names = [name for name in WORKBOOK_SHEETS if name in tables]
    if not names:
        return {}
    caps = [min(rejected_rows, max_rows) if name == "rejected" else max_rows
            for name in names]
    rows = [len(tables[name]) for name in names]
    shown = [min(n, cap) for n, cap in zip(rows, caps, strict=True)]
    sheets = {CONTENTS_SHEET: workbook_contents(names, rows, shown)}
    for name, n in zip(names, shown, strict=True):
        frame = tables[name]
        sheets[name] = without_inf(frame.iloc[:n] if n < len(frame) else frame)
    return sheets
