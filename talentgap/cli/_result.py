"""What one run of the ``talentgap`` pipeline produced.

:class:`RunResult` holds every intermediate result of
:func:`talentgap.cli.pipeline.run`: the data-quality reports of the inputs,
the panel, the backtests, the forecast, the plans and, for a multi-year plan
against policy targets, the workforce projections, the policy need and the
target paths. The commands write their files and reports from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from talentgap import models, planning
from talentgap.cli.config import Config

__all__ = ["RunResult"]


@dataclass
class RunResult:
    """Everything a run produced; a step that did not run leaves its field None.

    Attributes
    ----------
    config : Config
    reports : dict of str -> DataQualityReport
        Per input table: rows in, kept and rejected.
    rejected : pandas.DataFrame or None
        Every rejected row (``table, line, column, rule, value, ...``) when
        ``[data] on_invalid = "skip"`` dropped some.
    panel : pandas.DataFrame or None
        The cell x period panel (:func:`talentgap.features.build_panel`).
    known_supply : KnownSupply or None
        The supply the training table already holds for the periods after
        the panel (certified workers arriving after ``[panel] lead_time``),
        given to the gap model as ``future_supply``, with where each
        training row's output lands
        (:func:`talentgap.cli._known_supply.known_future_supply`); None
        without training rows, or with a given (``--model``) gap model.
    gap_model : GapForecaster or None
        The fitted gap forecaster.
    forecast : pandas.DataFrame or None
        :meth:`GapForecaster.predict` output.
    backtests : dict of str -> BacktestResult
        The gap forecaster's and each baseline's rolling-origin backtest.
    leaderboard : pandas.DataFrame or None
    plan, proportional : QuotaPlan or None
        The optimised plan and the proportional rule at the same budget.
    comparison : pandas.DataFrame or None
        :func:`talentgap.planning.compare_plans` of both rules over a range
        of budgets (single-period plans).
    budget_curve : BudgetCurve or None
        :func:`talentgap.planning.budget_curve` of the optimised plan
        (single-period plans, measured in the plan's need period): the
        budget that closes :data:`~talentgap.cli._budget_grid.CLOSING_SHARE` of the
        expected shortfall,
        or the most any budget can close under the plan's limits.
    curve_limit : dict or None
        What ends the budget curve (:func:`talentgap.cli._budget_grid.curve_limit`):
        the least budget with its smallest shortfall, the cells at their
        capacities there, whether places cost nothing, and the plan's objective.
    workforce : pandas.DataFrame or None
        With ``[plan] years`` and ``[targets]``: per cell (without a
        ``skill_level`` key) and year, ``employment`` (projected persons
        employed) and the projected stock without the plan, ``skilled`` and
        ``high_skilled`` (persons): exits, plus the forecast certified supply
        by the skill level it joins (:mod:`talentgap.cli._targets`).
    policy : pandas.DataFrame or None
        With ``[targets]``: :func:`talentgap.planning.policy_need` per cell
        and year (target shares and stocks, projected stock, policy need).
    target_path : pandas.DataFrame or None
        With ``[targets]``: per region, skill level and year, the observed
        share (history), the target share, and the projected share without
        and with the plan's certified workers (shares on 0-1).
    forecast_reach : pandas.Period or None
        With ``[plan] years``: the last period of the gap model's sample
        paths the plan's needs come from; the needs of later years are held
        at the level of this period's year.
    pass_rate_basis : str or None
        Where the plan's pass rate comes from when ``[plan] pass_rate`` is
        not set (the run's ``config`` then holds the rate used): the
        certified share observed in the training table, or 1.0 assumed
        (:func:`talentgap.cli._plan_inputs.observed_pass_rate`); None when it is set.
    place_entrants : list of pandas.DataFrame
        Per plan unit (cell; and programme and location with ``[plan]
        crosswalk``), the share of a place's certified workers new to its
        cell, which scales the plan's absorption
        (:func:`talentgap.cli._plan_levels.entrant_shares`; read from the
        saved run with ``--model``); empty when every place's workers count.
    budget_cuts : pandas.DataFrame or None
        A multi-year plan's key figures at smaller budgets (every year's budget
        scaled), see :func:`talentgap.cli._budget_cuts.budget_cuts`.
    notes : list of str
        Warnings raised on the way (data quality, fallbacks), for the report.
    """

    config: Config
    reports: dict = field(default_factory=dict)
    rejected: pd.DataFrame | None = None
    panel: pd.DataFrame | None = None
    known_supply: object | None = None
    gap_model: models.GapForecaster | None = None
    forecast: pd.DataFrame | None = None
    backtests: dict = field(default_factory=dict)
    leaderboard: pd.DataFrame | None = None
    plan: planning.QuotaPlan | None = None
    proportional: planning.QuotaPlan | None = None
    comparison: pd.DataFrame | None = None
    budget_cuts: pd.DataFrame | None = None
    budget_curve: planning.BudgetCurve | None = None
    curve_limit: dict | None = None
    workforce: pd.DataFrame | None = None
    policy: pd.DataFrame | None = None
    target_path: pd.DataFrame | None = None
    forecast_reach: pd.Period | None = None
    pass_rate_basis: str | None = None
    place_entrants: list = field(default_factory=list)
    notes: list = field(default_factory=list)
