"""Write a run's results: CSV (and Parquet) tables, PNG charts and a JSON-ready summary.

The file names are fixed, so scripts can rely on them:

============================  =====================================================
``panel.csv``                 the cell x period panel (demand, supply, gap, ...);
                              its ``trained``, ``certified`` and ``pass_rate`` are,
                              like ``supply``, at the period the certified workers
                              become available (``[panel] lead_time`` periods after
                              the training table's period)
``forecast.csv``              gap forecasts with intervals, ``p_shortage``, ``flag``
                              and per cell the models behind them (see
                              :func:`forecast_table`)
``backtest.csv``              backtest forecasts of every model (column ``model``)
``leaderboard.csv``           backtest accuracy per model, best first
``quotas.csv``                places per cell (or programme) of the optimised plan;
                              ``expected_certified`` is the expected workers added
                              (places x pass rate x absorption: certified and taking
                              jobs in the trade)
``plan_cells.csv``            per cell: places reaching it, gap before and after the plan
``plan_summary.csv``          the optimised plan (and, for a one-period plan, the
                              proportional rule): cost, shortfall, ``scenarios``, ...;
                              one-period plans fund places in ``period`` and close
                              the gap of ``arrival_period`` (``period + lead_time``),
                              the period of their shortfalls;
                              one-period plans: ``shortfall_after_mc_se`` and
                              ``shortage_reduction_mc_se`` (simulation noise)
``plan_regions.csv``          places and cost per region (the first key) and funding
                              period, one row each: ``<key>``, ``period`` (as the
                              plan names it: ``2025Q3``, ``2026``), ``places``,
                              ``cost``; no total row: the rows add up (see
                              :func:`~talentgap.cli._totals.region_places`)
``plan_binding.csv``          the plan's constraints, one row each: ``kind``, ``name``,
                              ``words``, ``binds``, ``limit``, ``used``, ``unit``,
                              ``value``, ``objective``, the key columns of the cell
                              (or programme) a row is about and, over several years,
                              its ``period`` (see
                              :attr:`~talentgap.planning.QuotaPlan.constraints`) and
                              last the ``sentence`` the report prints, with the
                              currency and the unit of shortfall
``plan_marginal_value.csv``   shortfall removed per extra unit of budget / capacity
                              (``marginal_value_objective`` names which shortfall)
``plan_comparison.csv``       both rules over a range of budgets (single-period plans);
                              ``marginal_value_objective`` names what an optimised
                              plan's ``marginal_value`` removes (the expected
                              shortfall, or with ``risk = "quantile"`` the shortfall
                              against the quantile gap)
``budget_curve.csv``          single-period plans: the optimised plan's budget curve,
                              one row per budget of its grid (see
                              :func:`budget_curve_table`)
``plan_years.csv``            multi-year plans: places, cost, budget (a total shared by
                              the funding years is shown on each of their rows),
                              ``budget_for`` (the year, or ``2025–2028 (shared)``),
                              ``cost_to_date``, workers and shortfalls per year
``plan_places.csv``           multi-year plans: places per cell (or programme and
                              region), one column per funding year, and the total
``plan_budget_cuts.csv``      multi-year plans (``[plan] compare_budgets``): the plan
                              and the same plan solved again at 75% and 50% of every
                              year's budget, one row each: ``share``, ``budget``,
                              ``places``, ``expected_certified``, shortfalls before
                              and after and ``shortfall_increase`` (more than at the
                              full budget), the same for the policy need (see
                              :func:`~talentgap.cli._budget_cuts.budget_cuts_file`)
``policy_need.csv``           with ``[targets]``: target and projected stock, policy
                              need per cell (without ``skill_level``) and year (see
                              :func:`~talentgap.cli._targets.policy_need_table`)
``target_path.csv``           with ``[targets]``: observed, target and projected shares
                              (0-1) per region, skill level and year, without and with
                              the plan, and the counts behind the projected shares
                              (``workers_*`` / ``denominator_*``; ``share_of``),
                              each target's ``target_year`` (an integer, empty
                              without a target), ``base_period`` and
                              ``base_share``: the regions only
``target_path_national.csv``  with ``[targets]``: the shares of all regions together
                              per skill level and year, from the summed counts (see
                              :func:`~talentgap.cli._totals.split_national`)
``rejected.csv``              input rows dropped with ``on_invalid = "skip"``
``masked_values.csv``         with ``[forecast] outliers = "mask"``: every demand and
                              supply value set to missing as a likely data error
                              (:attr:`GapForecaster.masked_values_`; empty when none)
``results.xlsx``              one workbook for people who work in Excel: a first
                              ``contents`` sheet, then one sheet per table, named as
                              its CSV file (``quotas``, ``plan_places``,
                              ``plan_years``, ``plan_summary``, ``plan_binding``,
                              ``plan_cells``, ``plan_marginal_value``,
                              ``plan_comparison``, ``budget_curve``, ``policy_need``,
                              ``target_path``, ``forecast``, ``rejected``, then
                              the later ``plan_regions``, ``target_path_national``,
                              ``plan_budget_cuts``:
                              those the run made, a new sheet always last; every
                              plan table has its sheet; ``panel``, ``backtest``,
                              ``leaderboard`` and ``masked_values`` are CSV only); a
                              capacity without
                              limit is an empty cell. The ``rejected`` sheet shows
                              the first 10,000 rows and no sheet more than Excel's
                              1,048,576 rows: the ``contents`` sheet gives each
                              table's ``rows``, the rows its sheet ``shown`` and a
                              ``note`` where the CSV file holds more
``*.png``                     the charts (see :func:`write_charts`)
============================  =====================================================

Examples
--------
>>> import tempfile, pathlib
>>> from talentgap.cli.config import Config
>>> from talentgap.cli.pipeline import run
>>> result = run(Config.from_dict({"forecast": {"model": "naive", "n_samples": 100}}),
...              steps=("forecast",), demo=True)
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> sorted(p.name for p in write_tables(result, out, parquet=False))
['forecast.csv', 'panel.csv', 'results.xlsx']
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from talentgap import io, planning
from talentgap.cli._budget_cuts import budget_cuts_file
from talentgap.cli._charts import (
    charts,
    level_view,
    target_path_figure,
    top_shortages_table,
    write_charts,
)
from talentgap.cli._file_dtypes import file_dtypes
from talentgap.cli._known_supply import run_counts
from talentgap.cli._output_files import TABLE_NAMES, stale_outputs
from talentgap.cli._pipeline_years import held_summary
from talentgap.cli._report_front import shortfall_error
from talentgap.cli._report_plan_tables import binding_table, plan_years_table
from talentgap.cli._targets import policy_need_table
from talentgap.cli._totals import last_period_totals, region_places, split_national
from talentgap.cli._workbook import (
    REJECTED_SHEET_ROWS,
    SHEET_ROWS,
    WORKBOOK_SHEETS,
    workbook_contents,
    workbook_sheets,
)
from talentgap.cli.pipeline import RunResult

__all__ = ["write_tables", "write_charts", "summary", "top_shortages_table", "parquet_available",
           "target_path_figure", "forecast_table", "EXPLANATION_COLUMNS", "level_view", "charts",
           "places_by_year", "stale_outputs", "budget_curve_table", "TABLE_NAMES",
           "WORKBOOK_SHEETS", "workbook_contents"]

#: Per-cell columns of :meth:`GapForecaster.explain` repeated on every row of ``forecast.csv``.
EXPLANATION_COLUMNS = ("demand_model", "supply_model", "demand_n_obs", "supply_n_obs",
                       "fallback_reason")

logger = logging.getLogger("talentgap.cli")

def parquet_available() -> bool:
    """True when pyarrow is installed, so Parquet copies can be written."""
    return importlib.util.find_spec("pyarrow") is not None


def _tables(result: RunResult) -> dict[str, pd.DataFrame]:
    tables = {}
    if result.panel is not None:
        tables["panel"] = result.panel
    if result.forecast is not None:
        tables["forecast"] = forecast_table(result)
    if result.backtests:
        tables["backtest"] = pd.concat(
            [res.forecasts.assign(model=name) for name, res in result.backtests.items()],
            ignore_index=True)
        tables["backtest"] = tables["backtest"][
            ["model", *tables["backtest"].columns.drop("model")]]
        tables["leaderboard"] = result.leaderboard
    if result.plan is not None:
        tables["quotas"] = result.plan.quotas
        tables["plan_cells"] = result.plan.cells
        tables["plan_summary"] = plan_summary(result)
        tables["plan_binding"] = binding_table(result)
        tables["plan_marginal_value"] = marginal_value_table(result.plan)
        regions = region_places(result.plan.quotas, result.config.data.keys)
        if regions is not None:
            tables["plan_regions"] = regions
        if result.comparison is not None:
            tables["plan_comparison"] = result.comparison.reset_index()
        if result.budget_curve is not None:
            tables["budget_curve"] = budget_curve_table(result)
        if result.config.plan.years:
            tables["plan_years"] = plan_years_table(result)
            tables["plan_places"] = places_by_year(result.plan.quotas)
        cuts = getattr(result, "budget_cuts", None)
        if cuts is not None and len(cuts) > 1:   # the plan at smaller budgets
            tables["plan_budget_cuts"] = budget_cuts_file(cuts)
    if result.policy is not None:
        tables["policy_need"] = policy_need_table(result)
    if result.target_path is not None:   # the regions apart from all regions together
        tables["target_path"], national = split_national(result.target_path)
        if len(national):
            tables["target_path_national"] = national
    if result.rejected is not None:
        tables["rejected"] = result.rejected
    model = result.gap_model
    if model is not None and model.get_params().get("outliers") == "mask":
        tables["masked_values"] = model.masked_values_
    return file_dtypes(tables, result.config.data.keys)  # key and year types, in one place


def budget_curve_table(result: RunResult) -> pd.DataFrame:
    """The optimised plan's budget curve as a table (what ``budget_curve.csv`` holds).

    One row per budget of the curve's grid (from 0, or from the cost of the
    minimum quotas, to the money that buys the smallest shortfall): the
    columns of :attr:`talentgap.planning.BudgetCurve.table` (``budget``,
    ``total_cost``, ``places``, ``shortfall_before``, ``shortfall_after``,
    ``share_closed``, ``marginal_value``, ...), then
    ``marginal_value_objective`` (what ``marginal_value`` removes per unit
    of money: the expected shortfall, or with ``risk = "quantile"`` the
    shortfall against the quantile gap, whose slope differs from the
    expected shortfall's), ``closes_share`` (the budget closes ``share`` of
    the shortfall) and ``share`` (the share asked, 0-1); the smallest budget
    with ``closes_share`` is the closing budget the report states.
    """
    curve = result.budget_curve
    table = curve.table.reset_index()
    table["closes_share"] = table["share_closed"].to_numpy(dtype=float) >= curve.share - 1e-9
    table["share"] = curve.share
    return table


def forecast_table(result: RunResult) -> pd.DataFrame:
    """The forecast rows with each cell's explanation (what ``forecast.csv`` holds).

    Parameters
    ----------
    result : RunResult

    Returns
    -------
    pandas.DataFrame
        :attr:`RunResult.forecast` followed by :data:`EXPLANATION_COLUMNS`
        from :meth:`GapForecaster.explain`: the demand and supply models with
        their weights, the periods of history they used and the fallback
        reason (empty when none). The row-level ``flag`` column stays as
        predicted. Without a fitted gap model the forecast is returned as is.
    """
    forecast = result.forecast
    model = result.gap_model
    if model is None or forecast is None:
        return forecast
    keys = list(model.keys)
    why = model.explain(int(forecast["period"].nunique()))[[*keys, *EXPLANATION_COLUMNS]]
    return forecast.merge(why, on=keys, how="left", validate="many_to_one", sort=False)


def places_by_year(quotas: pd.DataFrame) -> pd.DataFrame:
    """A multi-year plan's places with one column per funding year.

    Parameters
    ----------
    quotas : pandas.DataFrame
        :attr:`QuotaPlan.quotas <talentgap.planning.QuotaPlan>` of a plan
        over funding periods: ``[program,] <keys...>, period, quota, ...``.

    Returns
    -------
    pandas.DataFrame
        One row per programme and region (with a crosswalk) or per cell:
        the id columns, then the places funded in each funding period (a
        column named by the period) and ``total``. Rows keep the order of
        ``quotas``; ids that are not keys (``arrival_period``, costs and
        parameters) are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> quotas = pd.DataFrame({"program": ["sewing"] * 2 + ["welding"] * 2,
    ...                        "region": "North", "period": ["2026", "2027"] * 2,
    ...                        "quota": [15.0, 10.0, 0.0, 5.0], "cost": 1.0})
    >>> places_by_year(quotas)
       program region  2026  2027  total
    0   sewing  North  15.0  10.0   25.0
    1  welding  North   0.0   5.0    5.0
    """
    skip = {"period", "arrival_period", "quota", "cost", "expected_certified", "worker_periods",
            "need_at_arrival", "feeds", "capacity_value", "cost_per_certified"}
    ids = [c for c in quotas.columns
           if c not in skip and not pd.api.types.is_numeric_dtype(quotas[c])]
    labels = quotas["period"].astype(str)
    wide = (quotas.assign(period=labels)
            .pivot_table(index=ids, columns="period", values="quota", aggfunc="sum",
                         sort=False, observed=True))
    wide = wide[list(dict.fromkeys(sorted(labels)))]
    wide.columns = [str(c) for c in wide.columns]
    return wide.assign(total=wide.sum(axis=1)).reset_index()


def write_tables(result: RunResult, out: Path, *, parquet: bool | None = None,
                 csv_encoding: str = "utf-8", _rejected_rows: int = REJECTED_SHEET_ROWS,
                 _sheet_rows: int = SHEET_ROWS) -> list[Path]:
    """Write every table the run produced into ``out``; return the paths written.

    Parameters
    ----------
    result : RunResult
    out : pathlib.Path
        The output folder (created if needed).
    parquet : bool, optional
        Also write ``.parquet`` copies; default when pyarrow is installed.
    csv_encoding : str, default "utf-8"
        Of the CSV files (``[output] csv_encoding``; ``"utf-8-sig"`` for Excel).

    Every table is written whole as CSV (and Parquet); in ``results.xlsx``
    the ``rejected`` sheet shows the first 10,000 rows and no sheet more
    than Excel holds (:func:`talentgap.cli._workbook.workbook_sheets`).
    """
    out.mkdir(parents=True, exist_ok=True)
    parquet = parquet_available() if parquet is None else parquet
    written = []
    tables = _tables(result)
    for name, frame in tables.items():
        written.append(io.write_table(frame, out / f"{name}.csv", encoding=csv_encoding))
        if parquet:
            written.append(io.write_table(frame, out / f"{name}.parquet"))
    sheets = workbook_sheets(tables, rejected_rows=_rejected_rows, max_rows=_sheet_rows)
    if sheets:
        written.append(io.write_workbook(sheets, out / "results.xlsx"))
    return written


def plan_summary(result: RunResult) -> pd.DataFrame:
    """Optimised and proportional plans side by side (one row per plan).

    For a one-period plan on sample paths the optimised row also holds the
    Monte Carlo standard errors of its expected shortfall
    (``shortfall_after_mc_se``) and of the shortfall it removes
    (``shortage_reduction_mc_se``): the standard deviation over the paths
    divided by the square root of ``scenarios``
    (:func:`talentgap.cli._report_front.shortfall_error`).
    """
    rows = [result.plan.summary.rename("optimised")]
    error = shortfall_error(result)
    if error is not None:  # simulation noise of the optimised plan's expected shortfall
        rows[0] = pd.concat([rows[0], pd.Series(
            {"shortfall_after_mc_se": error["after"],
             "shortage_reduction_mc_se": error["reduction"]})]).rename("optimised")
    if result.proportional is not None:
        rows.append(result.proportional.summary.rename("proportional"))
    frame = pd.DataFrame(rows)
    frame.index.name = "plan"
    return frame.reset_index()


def marginal_value_table(plan: planning.QuotaPlan) -> pd.DataFrame:
    """The LP dual values: shortfall removed per extra unit of each binding limit, and
    ``marginal_value_objective``, the shortfall they are of (the plan's objective: the
    expected shortfall, or with ``risk = "quantile"`` the shortfall against the quantile
    gap)."""
    values = plan.marginal_value
    return pd.DataFrame({"constraint": values.index.astype(str),
                         "marginal_value": values.to_numpy(dtype=np.float64),
                         "marginal_value_objective": str(
                             plan.summary.get("objective_basis", ""))})


# ---- machine-readable summary --------------------------------------------------------------
def _plain(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, (pd.Period, pd.Timestamp)):
        return str(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def summary(result: RunResult, *, command: str, out: Path, files: list[Path]) -> dict:
    """A JSON-ready summary of the run (what ``--format json`` prints)."""
    doc = {"command": command, "out": str(out), "files": sorted(p.name for p in files)}
    if result.reports:
        doc["inputs"] = {name: report.to_dict() for name, report in result.reports.items()}
    if result.panel is not None:
        keys = list(result.config.data.keys)
        doc["panel"] = {"rows": len(result.panel),
                        "cells": int(result.panel.groupby(keys, observed=True).ngroups),
                        "first_period": str(result.panel["period"].min()),
                        "last_period": str(result.panel["period"].max())}
    if result.forecast is not None:
        totals = last_period_totals(result.forecast)
        doc["forecast"] = {
            "periods": [str(p) for p in result.forecast["period"].unique()],
            "cells": totals["cells"],
            "last_period": totals["last_period"],
            # expected gaps added over all cells: shortages minus surpluses
            "net_expected_gap_last_period": _plain(totals["net_expected_gap"]),
            # expected gaps added over the cells whose expected gap is above 0
            "sum_positive_expected_gaps_last_period": _plain(
                totals["sum_positive_expected_gaps"]),
            "cells_expected_short_last_period": totals["cells_expected_short"],
            "likely_short_min_p_shortage": totals["likely_short_min_p_shortage"],
            "cells_likely_short": totals["cells_likely_short"],
        }
        known = run_counts(result)  # training rows whose output is known future supply
        if known is not None:
            doc["forecast"]["known_supply"] = known
    if result.leaderboard is not None:
        doc["backtest"] = [{k: _plain(v) for k, v in row.items()}
                           for row in result.leaderboard.to_dict("records")]
    if result.plan is not None:
        doc["plan"] = {k: _plain(v) for k, v in result.plan.summary.items()}
        error = shortfall_error(result)  # simulation noise of the expected shortfall
        if error is not None:
            doc["plan"]["shortfall_after_mc_se"] = error["after"]
            doc["plan"]["shortage_reduction_mc_se"] = error["reduction"]
        doc["plan"].update(held_summary(result))  # need years simulated, and those held
        doc["plan"]["binding"] = list(result.plan.binding)
        doc["plan"]["constraints"] = [{k: _plain(v) for k, v in row.items()} for row in
                                      result.plan.constraints.to_dict("records")]
        if result.proportional is not None:
            doc["proportional"] = {k: _plain(v)
                                   for k, v in result.proportional.summary.items()}
    if result.notes:
        doc["notes"] = list(result.notes)
    return doc
