"""The report's last section, for the analyst: the settings and file columns behind the words.

The sentences a director reads say in words what a setting or a column
means ("the number of simulated futures of the gap"); the names an analyst
needs to change a setting or read a file (``[forecast] n_samples``, the
``need_basis`` column of ``plan_years.csv``) are listed once, here, in a
table: the setting or column, what it is, and its value in this run.
"""

from __future__ import annotations

import pandas as pd

from talentgap.cli.pipeline import RunResult
from talentgap.report import Report

__all__ = ["analyst_rows", "analyst_section"]


def _value(value) -> str:
    """A setting's value as the configuration file writes it.

    Examples
    --------
    >>> _value(None), _value(True), _value(0.85), _value(["skilled", "high_skilled"])
    ('not set', 'true', '0.85', 'skilled, high_skilled')
    """
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def analyst_rows(result: RunResult) -> pd.DataFrame:
    """The settings and file columns the report's words stand for, one row each.

    Only those the run used: the plan's settings with a plan, the targets'
    with targets, the held-need column when some need years lie past the
    forecast. Columns ``Setting or column``, ``What it is`` and ``In this
    run``; empty without a forecast or a plan.

    Examples
    --------
    >>> from talentgap.cli.config import Config
    >>> rows = analyst_rows(RunResult(Config.from_dict({"forecast": {"n_samples": 300}})))
    >>> rows.iloc[0].tolist()
    ['[forecast] n_samples', 'simulated futures of the gap behind every expected figure', '300']
    """
    config = result.config
    rows = [("[forecast] n_samples", "simulated futures of the gap behind every expected figure",
             _value(config.forecast.n_samples))]
    plan = getattr(result, "plan", None)
    if plan is not None:
        settings = config.plan
        years = bool(settings.years)
        rows += [
            ("[plan] lead_time", ("years" if years else "periods") + " from funding a place "
             "to its trainees certifying", _value(settings.lead_time)),
            ("[plan] pass_rate", "share of trainees who certify", _value(settings.pass_rate)),
            ("[plan] absorption", "share of certified trainees who take a job in their trade",
             _value(settings.absorption)),
            ("[plan] capacity", "training places per cell (and year) at most",
             _value(settings.capacity)),
            ("[plan] min_class_size", "the smallest class that can run: a cell (and year) gets "
             "no places or at least this many", _value(settings.min_class_size)),
            ("[plan] min_quota", "places every cell (and year) gets at least",
             _value(getattr(settings, "min_quota", None))),
        ]
        if years:
            rows.append(("[plan] compare_budgets", "make the plan again at 75% and 50% of the "
                         "budget (plan_budget_cuts.csv)", _value(settings.compare_budgets)))
        if getattr(result, "policy", None) is not None:
            targets = config.targets
            rows += [
                ("[plan] policy_weight", "how much a worker short of the target counts against "
                 "a vacancy left unfilled", _value(settings.policy_weight)),
                ("[targets] plan_level", "the targets the plan's places serve",
                 _value(targets.plan_level)),
                ("[targets] share_by", "how a region's shortfall against a target is shared out "
                 "among its cells", _value(targets.share_by)),
                ("[targets] base_year", "the year the target paths start from",
                 _value(getattr(targets, "base_year", None))),
                ("policy_need_skilled (policy_need.csv)", "the region's shortfall against the "
                 "skilled target (target stock minus projected stock, summed over its cells, "
                 "floored at 0) shared out among its cells; not a cell's own target_stock - "
                 "projected_stock", "per cell and year"),
                ("policy_need (plan_cells.csv)", "the need against the targets the plan serves "
                 "in each of its cells", "per cell and year"),
            ]
        held = getattr(plan, "years", None)
        if held is not None and "need_basis" in held.columns:
            marked = sorted({str(v) for v in held["need_basis"].dropna() if v != "forecast"})
            if marked:
                rows.append(("need_basis (plan_years.csv, plan_cells.csv)", "whether a year's "
                             "need is forecast or held at the last forecast year's level",
                             "; ".join(marked)))
    return pd.DataFrame(rows, columns=["Setting or column", "What it is", "In this run"])


def analyst_section(report: Report, result: RunResult) -> None:
    """Add the section that names the settings and columns behind the report's words."""
    if result.forecast is None and getattr(result, "plan", None) is None:
        return
    rows = analyst_rows(result)
    report.add_section(
        "For the analyst: settings and columns",
        intro="The report says in words what each setting and file column means. This table "
              "gives their names, to change a setting in the configuration file or find a "
              "figure in the output files.")
    report.add_table(rows, caption="Settings and columns behind the report's words",
                     index=False)
