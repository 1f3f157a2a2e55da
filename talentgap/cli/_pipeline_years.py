"""The multi-year plan step of the pipeline (``[plan] years``).

:func:`plan_years` plans places over the funding years against annual
needs: the gap model's sample paths averaged over each need year
(:func:`annual_paths`), the need years past the forecast's reach held at
its last year's need (:func:`check_held`, marked in the plan tables), and,
with ``[targets]``, the policy need from :mod:`talentgap.cli._targets`.
:func:`talentgap.cli.pipeline.run` calls it for the ``plan`` step.
"""

from __future__ import annotations

import pandas as pd

from talentgap import planning
from talentgap._frequencies import periods_per_year
from talentgap.cli._plan_inputs import plan_budget, plan_parameters, read_plan_csv
from talentgap.cli._result import RunResult
from talentgap.cli._targets import (
    exit_rates,
    need_by_level,
    policy_needs,
    target_paths,
    workforce_keys,
)
from talentgap.errors import ConfigError, DataQualityWarning, warn
from talentgap.planning._annual_needs import annual_needs, hold_need_years, mark_held_years

__all__ = ["plan_years", "check_held", "annual_paths"]


def plan_years(result: RunResult, tables: dict) -> None:
    """``[plan] years``: one plan over the funding years against annual needs.

    The market need of a year is the average of its periods' gaps, per
    sample path (persons short on average over the year). With ``[targets]``
    the policy need comes from annual employment and skilled-stock
    projections; both needs count the same certified workers. With
    ``[plan] crosswalk`` places are planned per programme, region and
    funding year, and the parameter CSVs are keyed by ``program``.
    """
    config = result.config
    settings, targets = config.plan, config.targets
    if settings.budget is None or settings.cost_per_trainee is None:
        raise ConfigError("planning needs [plan] budget and cost_per_trainee (or --budget and "
                          "--cost-per-trainee)")
    keys = list(config.data.keys)
    years = [int(y) for y in settings.years]
    need_years = list(range(years[0], years[-1] + settings.lead_time + 1))
    held = check_held(result, need_years)
    paths, pipeline = annual_paths(result, need_years)
    crosswalk, params = plan_parameters(config)
    id_columns = ["program", *keys] if crosswalk is not None else keys
    params["exit_rate"] = exit_rates(result, tables)
    policy = None
    if targets.given:
        policy = policy_needs(result, tables, paths, pipeline, need_years)
        level = "policy_need" if targets.plan_level == "skilled" else "policy_need_high_skilled"
        if level not in policy.columns:
            raise ConfigError(f"[targets] plan_level = {targets.plan_level!r} but no "
                              f"{targets.plan_level} target is set")
        policy = policy[[*workforce_keys(config), "period", level]].rename(
            columns={level: "policy_need"})
        if "skill_level" in keys:
            policy = need_by_level(policy, pipeline, config, targets.plan_level)
    groups = None
    if settings.capacity_groups is not None:
        groups = read_plan_csv(settings.capacity_groups, "capacity_groups",
                               ["group", *id_columns], encoding=config.data.encoding)
    result.plan = planning.allocate_quotas(
        paths.drop(columns=["demand"]), periods=years,
        budget=plan_budget(settings.budget, encoding=config.data.encoding),
        **params, lead_time=settings.lead_time, risk=settings.risk,
        quantile=settings.quantile, surplus_penalty=settings.surplus_penalty,
        integer=settings.integer, keys=tuple(keys), policy_need=policy,
        need_weights={"market": 1.0, "policy": settings.policy_weight},
        capacity_groups=groups, crosswalk=crosswalk, time_limit=settings.time_limit)
    mark_held_years(result.plan, held)  # need_basis and a note, as POST /v1/plan
    if result.policy is not None:
        result.target_path = target_paths(result, tables, keys)


def check_held(result: RunResult, need_years: list[int]) -> list[int]:
    """The need years past the forecast's reach (held at its last year's need).

    More held years than forecast years is a ConfigError unless ``[plan]
    hold_need = true``: most of such a plan would rest on copies.
    """
    reach = result.forecast_reach
    held = [y for y in need_years if reach is not None and y > reach.year]
    if len(held) > len(need_years) - len(held) and not result.config.plan.hold_need:
        raise ConfigError(
            f"[plan] years need forecasts to {need_years[-1]}, but the gap model's sample "
            f"paths reach {reach.year}: {len(held)} of {len(need_years)} need years "
            f"({held[0]}-{held[-1]}) would hold the {reach.year} need, more than the "
            f"{len(need_years) - len(held)} forecast years; plan fewer years, or set [plan] "
            "hold_need = true to plan on the held needs (the plan tables mark them in "
            "need_basis)")
    return held


def annual_paths(result: RunResult,
                  need_years: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The gap model's sample paths averaged over each need year, and the supply pipeline.

    Returns the annual paths (``period`` annual) and the expected certified
    supply per cell and forecast period (``<keys>, period, supply``: the
    mean of the same paths), which the stock projections take as their
    inflow (split by skill level, see :mod:`talentgap.cli._targets`): training that
    goes on at its forecast trend, so that the policy need, like the market
    need, counts only what that training leaves short.
    """
    model, keys = result.gap_model, list(result.config.data.keys)
    last = pd.Period(model.origin_)
    per_year = periods_per_year(last.freqstr)
    # the last need year the model's one simulation reaches (pipeline._fix_horizon)
    end = result.forecast_reach
    reach = sum(year <= end.year for year in need_years)
    paths = model.sample_paths(int(end.ordinal - last.ordinal)).to_frame()
    pipeline = (paths.groupby([*keys, "period"], observed=True, sort=True)["supply"].mean()
                .reset_index())
    # the one roll-up POST /v1/plan also plans annual periods of a sub-annual model on
    annual = annual_needs(paths, keys=keys, first_year=need_years[0])
    if reach < len(need_years):
        held = need_years[reach - 1]
        warn(f"the gap model's sample paths reach {held}; the market need of "
             f"{need_years[reach]}-{need_years[-1]} is held at its {held} level "
             "(per sample path)", DataQualityWarning, stacklevel=2)
        annual = hold_need_years(annual, need_years[reach:])
        held_supply = pipeline[pipeline["period"].dt.year == held]
        pipeline = pd.concat([pipeline] + [
            held_supply.assign(period=held_supply["period"] + (y - held) * per_year)
            for y in need_years[reach:]], ignore_index=True)
    return annual, pipeline
