"""The pipeline's single-period plan step (no ``[plan] years``).

:func:`plan_one_period` plans places against the gap model's sample paths
of one need period (:func:`talentgap.planning.allocate_quotas`), with the
proportional rule, the plans at other budgets and the budget curve the
report compares it with. The multi-year step is
:mod:`talentgap.cli._pipeline_years`; :func:`talentgap.cli.pipeline.run`
calls one of them for the ``plan`` step.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from talentgap import planning
from talentgap.cli._budget_grid import (
    budget_comparison,
    curve_limit,
    minimum_cost,
    optimised_curve,
)
from talentgap.cli._coarse_keys import coarse_key_notes
from talentgap.cli._plan_inputs import plan_parameter, plan_parameters
from talentgap.cli._plan_levels import place_absorption
from talentgap.cli._result import RunResult
from talentgap.errors import ConfigError

__all__ = ["plan_one_period"]


def plan_one_period(result: RunResult, tables: dict) -> None:
    config = result.config
    settings = config.plan
    if isinstance(settings.budget, (str, dict)):
        raise ConfigError("[plan] budget per year (a table or a CSV) needs [plan] years")
    if settings.budget is None or settings.cost_per_trainee is None:
        raise ConfigError("planning needs [plan] budget and cost_per_trainee (or --budget and "
                          "--cost-per-trainee)")
    keys = list(config.data.keys)
    crosswalk, params = plan_parameters(config)
    horizon = config.forecast.horizon
    paths = result.gap_model.sample_paths(horizon)
    # a place yields the workers new to its cell, as in multi-year plans and POST /v1/plan
    params = place_absorption(params, config, tables, crosswalk, paths.cells,
                              shares=result.place_entrants)
    if crosswalk is not None:
        params["crosswalk"] = crosswalk
    period = None if settings.period is None else str(settings.period)
    # places funded in ``period`` count lead_time periods later, as POST /v1/plan counts them
    common = {**params, "keys": tuple(keys), "period": period, "lead_time": settings.lead_time,
              "integer": settings.integer or "round"}  # the single-period default
    optimised = dict(common, risk=settings.risk, quantile=settings.quantile,
                     surplus_penalty=settings.surplus_penalty, time_limit=settings.time_limit,
                     min_class_size=plan_parameter(settings.min_class_size, "min_class_size",
                                                   keys, encoding=config.data.encoding))
    result.plan = planning.allocate_quotas(paths, budget=settings.budget, **optimised)
    result.plan.notes.extend(coarse_key_notes(
        params, settings, ["program", *keys] if crosswalk is not None else keys, result.plan))
    result.proportional = planning.proportional_plan(paths, budget=settings.budget, **common)
    currency = config.output.currency
    # budgets below the minimum quotas' cost, or above one that buys the least shortfall,
    # are left out with a note (the first would stop the run, the second adds nothing)
    plans, notes = budget_comparison(
        result.plan, result.proportional,
        lambda b: (planning.allocate_quotas(paths, budget=b, **optimised),
                   planning.proportional_plan(paths, budget=b, **common)),
        budget=float(settings.budget), currency=currency)
    result.plan.notes.extend(notes)
    by = "industry" if "industry" in keys else keys[-1]  # places per group in the table
    result.comparison = planning.compare_plans(plans, by=by)
    # budget_curve's own ``period`` measures, it does not choose the need: with [plan] period
    # the curve is drawn on the paths up to its places' arrival, which is then the need
    needs = paths
    if period is not None:
        need = pd.Period(str(result.plan.quotas["arrival_period"].iloc[0]),
                         freq=paths.periods.freq)
        stop = paths.periods.get_loc(need) + 1
        needs = dataclasses.replace(paths, periods=paths.periods[:stop],
                                    demand=paths.demand[:, :stop], supply=paths.supply[:, :stop])
    curve_args = {name: value for name, value in optimised.items() if name != "period"}
    result.budget_curve = optimised_curve(needs, minimum_cost(result.plan), **curve_args)
    if not np.isfinite(result.budget_curve.closing_budget):   # the report says what stops it
        result.curve_limit = curve_limit(
            result.budget_curve,
            lambda b: planning.allocate_quotas(needs, budget=b, **curve_args),
            min_class=settings.min_class_size is not None)
