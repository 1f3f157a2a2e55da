"""The multi-year plan step of the pipeline (``[plan] years``).

:func:`plan_years` plans places over the funding years against annual
needs: the gap model's sample paths averaged over each need year
(:func:`annual_paths`, kept as cells x years x samples arrays), the need
years past the forecast's reach held at its last year's need
(:func:`check_held`, marked in the plan tables), and,
with ``[targets]``, the policy need from :mod:`talentgap.cli._targets`.
:func:`talentgap.cli.pipeline.run` calls it for the ``plan`` step.
"""

from __future__ import annotations

import pandas as pd

from talentgap import planning
from talentgap._frequencies import periods_per_year
from talentgap.cli._budget_cuts import budget_cuts
from talentgap.cli._coarse_keys import coarse_key_notes
from talentgap.cli._committed_places import read_committed
from talentgap.cli._plan_inputs import (
    budget_envelopes,
    plan_budget,
    plan_parameter,
    plan_parameters,
    read_plan_csv,
    supply_crosswalk,
)
from talentgap.cli._plan_levels import place_absorption, policy_yields
from talentgap.cli._result import RunResult
from talentgap.cli._target_table import target_years
from talentgap.cli._targets import (
    exit_rates,
    plan_policy_need,
    policy_needs,
    target_paths,
)
from talentgap.cli._wording import per_period
from talentgap.errors import ConfigError, DataQualityWarning, ParameterError, warn
from talentgap.planning._annual_needs import (
    annual_sample_paths,
    held_need_words,
    held_shares,
    mark_held_years,
    path_means,
)

__all__ = ["plan_years", "check_held", "annual_paths", "unreachable_span",
           "warn_late_places", "warn_held", "held_span", "held_summary"]


def plan_years(result: RunResult, tables: dict) -> None:
    """``[plan] years``: one plan over the funding years against annual needs.

    The market need of a year is the average of its periods' gaps, per
    sample path (persons short on average over the year). With ``[targets]``
    the policy need comes from annual employment and skilled-stock
    projections; both needs count the same places, each by its own yield
    (workers new to the cell, workers joining the targeted stock). With
    ``[plan] crosswalk`` places are planned per programme, region and
    funding year, and the parameter CSVs are keyed by ``program``. Places
    already funded (``[plan] committed``) count against both needs before
    the plan's places.
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
    paths, demand, pipeline = annual_paths(result, need_years)
    crosswalk, params = plan_parameters(config)
    params = place_absorption(params, config, tables, crosswalk, demand,  # new workers only
                              shares=result.place_entrants)
    id_columns = ["program", *keys] if crosswalk is not None else keys
    params["exit_rate"] = exit_rates(result, tables)
    policy = None
    if targets.given:
        spread = supply_crosswalk(tables, config)  # read once for the needs' shares
        policy = plan_policy_need(policy_needs(result, tables, demand, pipeline, need_years,
                                               spread=spread),
                                  pipeline, config, tables.get("training"), spread=spread)
        # each need counts a place by its own yield: new workers, workers of the stock
        policy = policy_yields(policy, config, tables, crosswalk, shares=result.place_entrants)
    groups = None
    if settings.capacity_groups is not None:
        groups = read_plan_csv(settings.capacity_groups, "capacity_groups",
                               ["group", *id_columns], encoding=config.data.encoding)
    envelopes = budget_envelopes(settings.budget_envelopes, id_columns,
                                 encoding=config.data.encoding)
    arguments = dict(
        periods=years, budget=plan_budget(settings.budget, encoding=config.data.encoding),
        **params, lead_time=settings.lead_time, risk=settings.risk,
        quantile=settings.quantile, surplus_penalty=settings.surplus_penalty,
        integer=settings.integer, keys=tuple(keys), policy_need=policy,
        need_weights={"market": 1.0, "policy": settings.policy_weight},
        capacity_groups=groups, budget_envelopes=envelopes, crosswalk=crosswalk,
        time_limit=settings.time_limit,
        committed=read_committed(settings.committed, id_columns, encoding=config.data.encoding),
        min_class_size=plan_parameter(settings.min_class_size, "min_class_size", id_columns,
                                      encoding=config.data.encoding))
    result.plan = planning.allocate_quotas(paths, **arguments)
    result.plan.notes.extend(coarse_key_notes(params, settings, id_columns, result.plan))
    if settings.compare_budgets:   # the same plan at smaller budgets, for the report
        result.budget_cuts, cut_notes = budget_cuts(result.plan, {"needs": paths, **arguments})
        result.plan.notes.extend(cut_notes)
    mark_held_years(result.plan, held)  # need_basis and a note, as POST /v1/plan
    warn_held(result.forecast_reach, held, result.plan.years)
    if result.policy is not None:
        result.target_path = target_paths(result, tables, keys)
        years = target_years(result.target_path)  # inline or a file's: each row's own
        warn_late_places(result.plan.quotas, years[-1] if years else None,
                         settings.lead_time)


def warn_late_places(quotas: pd.DataFrame, target_year: int | None, lead_time: int) -> None:
    """Warn when most of a plan's places certify after the target year.

    ``[plan] lead_time`` counts years from funding to certification (``[panel]
    lead_time`` counts periods): with a long one, places funded in the plan's
    later years arrive after ``[targets] target_year`` and cannot count
    towards it. Warned when more than half of the places do.

    Examples
    --------
    >>> import warnings
    >>> quotas = pd.DataFrame({"period": [2026, 2027, 2028], "arrival_period": [2030, 2031, 2032],
    ...                        "quota": [100.0, 120.0, 140.0]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_late_places(quotas, 2030, 4)
    >>> print(caught[0].message)  # doctest: +NORMALIZE_WHITESPACE
    260 of the plan's 360 places (72%), those funded in 2027-2028, certify after the target
    year 2030 and cannot count towards it: [plan] lead_time = 4 counts years from funding to
    certification (places funded in 2026 certify in 2030), unlike [panel] lead_time, which
    counts the data's periods; if 4 was meant as quarters, set [plan] lead_time = 1
    """
    if target_year is None or quotas is None or not {"period", "quota"} <= set(quotas.columns):
        return
    funded = pd.to_numeric(quotas["period"].astype(str).str[:4]).to_numpy()
    places = quotas["quota"].clip(lower=0).to_numpy(dtype=float)
    late = funded + int(lead_time) > int(target_year)
    total, after = float(places.sum()), float(places[late].sum())
    if not total > 0 or after <= total / 2:
        return
    years = sorted(set(funded[late & (places > 0)].tolist()))
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"
    first = int(funded.min())
    warn(f"{after:,.0f} of the plan's {total:,.0f} places ({after / total:.0%}), those funded "
         f"in {span}, certify after the target year {target_year} and cannot count towards "
         f"it: [plan] lead_time = {lead_time} counts years from funding to certification "
         f"(places funded in {first} certify in {first + int(lead_time)}), unlike [panel] "
         f"lead_time, which counts the data's periods; if {lead_time} was meant as quarters, "
         f"set [plan] lead_time = {max(1, -(-int(lead_time) // 4))}",
         DataQualityWarning, stacklevel=2)


def held_span(held) -> str:
    """``2029-2030`` for held need years 2029 and 2030; ``2029`` for one."""
    held = [int(y) for y in held]
    return str(held[0]) if len(held) == 1 else f"{held[0]}-{held[-1]}"


def warn_held(reach: pd.Period | None, held, years: pd.DataFrame | None) -> None:
    """Warn that the need years past the forecast's reach are held, and what they carry.

    ``held`` are the need years past ``reach`` (:func:`check_held`);
    ``years`` is the plan's per-year table marked by
    :func:`~talentgap.planning._annual_needs.mark_held_years`. The warning
    names the held years and their share of the expected market shortfall
    and of the policy need without the plan.

    Examples
    --------
    >>> import warnings
    >>> years = pd.DataFrame({"period": ["2027", "2028", "2029"],
    ...                       "shortfall_before": [30.0, 30.0, 40.0],
    ...                       "need_basis": ["forecast", "forecast", "held at 2028"]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_held(pd.Period("2028Q4"), [2029], years)
    >>> print(caught[0].message)  # doctest: +NORMALIZE_WHITESPACE
    the gap model's sample paths reach 2028; the market need of 2029 is held at its 2028
    level (per sample path); the held years carry 40% of the expected market shortfall
    without the plan (need_basis in plan_years.csv)
    """
    if reach is None or not len(held):
        return
    # the sentence POST /v1/plan returns in its warnings too
    warn(held_need_words(reach.year, held, years), DataQualityWarning, stacklevel=2)


def held_summary(result: RunResult) -> dict:
    """How far a multi-year plan's needs were simulated, and the need years held past it.

    Returns ``{}`` without ``[plan] years``; else ``need_simulated``
    (``[first, last]`` period of the gap model's sample paths),
    ``held_need_years`` (the need years held at the last simulated year's
    need) and ``held_need_share`` (:func:`~talentgap.planning._annual_needs.held_shares`,
    0-1), for the run's summary.

    Examples
    --------
    >>> from talentgap.cli.config import Config
    >>> held_summary(RunResult(Config.from_dict({})))
    {}
    """
    reach, plan = result.forecast_reach, result.plan
    if reach is None or plan is None or getattr(plan, "years", None) is None:
        return {}
    years = plan.years
    first = (pd.Period(result.gap_model.origin_) + 1 if result.gap_model is not None
             else None)
    held = (sorted({int(str(p)[:4]) for p in years.loc[years["need_basis"] != "forecast",
                                                        "period"]})
            if "need_basis" in years.columns else [])
    return {"need_simulated": [None if first is None else str(first), str(reach)],
            "held_need_years": held, "held_need_share": held_shares(years)}


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


def longest_span(model, below: int) -> int:
    """The most periods (< ``below``) whose backtests the gap model can calibrate; 0 if none.

    A bisection over :meth:`~talentgap.models.GapForecaster.prepare` (a
    longer span holds out more of each series, so a span that fails makes
    every longer one fail too); called only once the span a run needs has
    failed, to say how far the data reach.
    """
    low, high = 0, below  # low works (0: trivially), high fails
    while high - low > 1:
        mid = (low + high) // 2
        try:
            model.set_params(horizon=mid)
            model.prepare(mid)
        except ParameterError:
            high = mid
        else:
            low = mid
    return low


def unreachable_span(config, model, origin: pd.Period, needed: int, *,
                     planning: bool) -> ConfigError:
    """The error for a span the gap model's backtests cannot calibrate, in the config's terms.

    ``needed`` periods after ``origin`` (the last observed period) are what
    ``[plan] years`` (a plan run) or ``[forecast] horizon`` ask for. The
    message names the setting, how far the data reach (:func:`longest_span`),
    and so how late a plan can start and, without ``[plan] hold_need``, end.
    """
    freq = origin.freqstr
    unit = per_period(freq)
    reach = longest_span(model, needed)
    until = origin + reach
    data = (f"the data's backtests (rolling-origin, holding out the span asked for) "
            f"calibrate forecasts at most {reach} {unit}s ahead of the last observed period "
            f"{origin}, to {until}" if reach else
            f"the series are too short to calibrate a forecast of even one {unit} after the "
            f"last observed period {origin}")
    if not planning:
        return ConfigError(f"[forecast] horizon = {config.forecast.horizon} asks for "
                           f"{needed} {unit}s, but {data}; set a horizon of at most "
                           f"{max(reach, 1)}, or use longer series")
    settings = config.plan
    years, lead = [int(y) for y in settings.years], int(settings.lead_time)
    # the last year whose every period is within reach: the latest a plan can start
    last = until.year if (until + 1).year > until.year else until.year - 1
    start = origin.year + 1
    head = (f"[plan] years = {years} (need years {years[0]}-{years[-1] + lead} with "
            f"lead_time = {lead}) need forecasts to the end of {years[0]} at least, {needed} "
            f"{unit}s after the last observed period {origin}, but {data}")
    if last < start:
        return ConfigError(f"{head}: no plan year can be forecast; use longer series (the "
                           "gap model needs backtests of the span it forecasts)")
    forecast_years = last - start + 1
    return ConfigError(
        f"{head}. [plan] years can start in {last} at the latest; a plan starting in {start} "
        f"can end in {last + forecast_years - lead} at the latest (its need years past "
        f"{last} hold the {last} need, at most as many as the {forecast_years} forecast "
        f"year(s)), or later with [plan] hold_need = true (currently "
        f"{str(settings.hold_need).lower()}), which holds the need of every later year at "
        f"its {last} level")


def annual_paths(result: RunResult, need_years: list[int]
                 ) -> tuple[object, pd.DataFrame, pd.DataFrame]:
    """The gap model's sample paths averaged over each need year, their mean demand, and the
    supply pipeline.

    Returns the annual paths (compact ``SamplePaths``, cells x need years x
    samples, :func:`~talentgap.planning._annual_needs.annual_sample_paths`:
    the need years past the forecast's reach hold its last year's values),
    the expected annual demand per cell and need year (``<keys>, period,
    demand``: the mean of the annual paths) and the expected certified
    supply per cell and forecast period (``<keys>, period, supply``: the
    mean of the same paths), which the stock projections take as their
    inflow (split by skill level, see :mod:`talentgap.cli._targets`): training that
    goes on at its forecast trend, so that the policy need, like the market
    need, counts only what that training leaves short. No table with a row
    per cell, period and path is built: the memory stays that of the arrays.
    """
    model = result.gap_model
    last = pd.Period(model.origin_)
    per_year = periods_per_year(last.freqstr)
    # the last need year the model's one simulation reaches (pipeline._fix_horizon)
    end = result.forecast_reach
    reach = sum(year <= end.year for year in need_years)
    paths = model.sample_paths(int(end.ordinal - last.ordinal))
    pipeline = path_means(paths, "supply")
    # the one roll-up POST /v1/plan also plans annual periods of a sub-annual model on;
    # the need years past the reach (warned with their share once planned) hold the last
    annual = annual_sample_paths(paths, first_year=need_years[0], held=need_years[reach:])
    del paths   # the sub-annual paths are not needed past this point
    if reach < len(need_years):
        held = need_years[reach - 1]
        held_supply = pipeline[pipeline["period"].dt.year == held]
        pipeline = pd.concat([pipeline] + [
            held_supply.assign(period=held_supply["period"] + (y - held) * per_year)
            for y in need_years[reach:]], ignore_index=True)
    return annual, path_means(annual, "demand"), pipeline
