"""The steps behind the ``talentgap`` commands, as plain functions of a :class:`Config`.

Each command runs a prefix of one pipeline — read and validate the inputs,
build the panel, backtest, forecast, plan — and :func:`run` returns every
intermediate result in a :class:`RunResult`, so the command can write the
files and the report it promises and a script can do the same without the
command line. The multi-year plan step (``[plan] years``) is in
:mod:`talentgap.cli._pipeline_years`, its workforce projections and policy
needs against targets in :mod:`talentgap.cli._targets`.

Examples
--------
>>> from talentgap.cli.config import Config
>>> result = run(Config.from_dict({"forecast": {"model": "naive", "n_samples": 100}}),
...              steps=("forecast",), demo=True)
>>> list(result.forecast.columns[:6])
['region', 'industry', 'period', 'demand', 'supply', 'gap']
"""

from __future__ import annotations

import dataclasses
import logging
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from talentgap import datasets, evaluation, features, io, models, planning, schema
from talentgap._failure_log import RULE_ADVICE
from talentgap._quality import reject_run_groups
from talentgap._registry import config_names
from talentgap.cli._budget_grid import (
    budget_comparison,
    curve_limit,
    minimum_cost,
    optimised_curve,
)
from talentgap.cli._coarse_keys import coarse_key_notes
from talentgap.cli._common import failures_as_text
from talentgap.cli._config_analogues import analogue_params, check_analogue_values
from talentgap.cli._employment_freq import coarser_employment, read_employment
from talentgap.cli._notes import skip_warning
from talentgap.cli._panel_settings import panel_lead_time, supply_missing_note
from talentgap.cli._pipeline_years import plan_years, unreachable_span
from talentgap.cli._plan_inputs import (
    check_employment_keys,
    observed_pass_rate,
    panel_absorption,
    panel_crosswalk,
    plan_parameter,
    plan_parameters,
)
from talentgap.cli._plan_levels import entrant_shares, place_absorption, upgrades_note
from talentgap.cli._result import RunResult
from talentgap.cli.config import MODEL_NAMES, Config
from talentgap.errors import (
    ConfigError,
    DataQualityWarning,
    ParameterError,
    SchemaError,
    collect_warnings,
    warn,
)
from talentgap.features.panel import input_cells
from talentgap.periods import year_end_ordinals
from talentgap.planning._saved_run import place_entrants_record

__all__ = ["RunResult", "run", "make_forecaster", "gap_forecaster", "saved_config", "STEPS"]

logger = logging.getLogger("talentgap.cli")

#: The pipeline's steps in order; a command names the last ones it needs.
STEPS = ("features", "backtest", "forecast", "plan")


def make_forecaster(name: str, config: Config) -> models.BaseForecaster:
    """An unfitted forecaster by its config name (see :data:`~talentgap.cli.config.MODEL_NAMES`).

    Examples
    --------
    >>> make_forecaster("ets", Config())
    ETS()
    """
    forecasters = config_names()
    if name not in forecasters:
        raise ConfigError(f"unknown model {name!r}; known: {', '.join(MODEL_NAMES)}")
    params = {"season_length": config.forecast.season_length}
    if config.forecast.n_jobs != 1:
        params["n_jobs"] = config.forecast.n_jobs
    return forecasters[name](**params)


def gap_forecaster(config: Config) -> models.GapForecaster:
    """The run's unfitted gap forecaster (``[forecast]`` settings; its horizon is fixed
    after the fit, before any prediction).

    Examples
    --------
    >>> gap = gap_forecaster(Config.from_dict({"forecast": {"model": "naive"}}))
    >>> gap.forecaster, gap.n_samples, gap.horizon
    (Naive(), 1000, None)
    """
    fc = config.forecast
    forecaster = make_forecaster(fc.model, config)
    if analogue_params(fc):  # new trades' demand from their analogues (model "auto")
        forecaster.set_params(**analogue_params(fc))
    return models.GapForecaster(forecaster=forecaster,
                                n_samples=fc.n_samples, random_state=fc.random_state,
                                keys=tuple(config.data.keys),
                                sampling_se="demand_se" if fc.intervals == "population"
                                else None, outliers=fc.outliers)


def run(config: Config, *, steps: Sequence[str], demo: bool = False,
        gap_model: models.GapForecaster | None = None,
        progress: Callable[[str], None] | None = None,
        before_fit: Callable[[pd.DataFrame], None] | None = None,
        place_entrants: Sequence[pd.DataFrame] = ()) -> RunResult:
    """Run the pipeline steps a command needs.

    Parameters
    ----------
    config : Config
    steps : sequence of str
        From :data:`STEPS`; ``"features"`` (read, validate, build the panel)
        runs whenever a later step needs the panel.
    demo : bool, default False
        Use the bundled demo tables instead of ``[data]`` files.
    gap_model : GapForecaster, optional
        A fitted (e.g. loaded) gap forecaster: ``forecast`` and ``plan`` use
        it instead of fitting one, and no input files are needed for them.
    progress : callable, optional
        Called with each step's name as it starts.
    before_fit : callable, optional
        Called with the panel once it is built, before any backtest or fit
        (the command checks its edition store there); an exception it raises
        ends the run.
    place_entrants : sequence of pandas.DataFrame, optional
        With ``gap_model`` and no input tables read: the saved run's shares
        of a place's workers new to its cell
        (:func:`talentgap.planning._saved_run.saved_place_entrants`), which
        the plan scales its places' absorption by as the run's plan did
        (:func:`talentgap.cli._plan_levels.place_absorption`). A run that
        reads the training table takes them from it.

    Returns
    -------
    RunResult

    Raises
    ------
    ConfigError
        A required setting or file is missing.
    SchemaError
        An input file breaks its schema (with ``on_invalid = "error"``), or
        with ``"skip"`` no row of a table is left (``rejected.csv`` is then
        written to the output folder before the error is raised).
    """
    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        raise ConfigError(f"unknown steps {unknown}; steps are {list(STEPS)}")
    result = RunResult(config=config)
    announce = progress or (lambda _name: None)
    # The process-wide recorder, not errors.collect_warnings: the report's notes also take
    # other libraries' UserWarnings, in the order raised, and a run is one call at a time.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        needs_panel = "features" in steps or "backtest" in steps or (
            gap_model is None and {"forecast", "plan"} & set(steps))
        tables: dict = {}
        if needs_panel:
            announce("reading inputs")
            tables = _read_inputs(config, demo, result)
            announce("building the panel")
            result.panel = _build_panel(tables, config, result.reports)
            result.place_entrants = entrant_shares(config, tables.get("training"))
            check_analogue_values(config.forecast, result.panel)
            if before_fit is not None:
                before_fit(result.panel)
        else:  # a saved model's: the training table behind them is not read
            result.place_entrants = list(place_entrants)
        if config.plan.pass_rate is None:  # the observed one, said in the report
            config = _default_pass_rate(result, tables)
        if "backtest" in steps:
            announce("backtesting")
            _backtest(result)
        if {"forecast", "plan"} & set(steps):
            announce("forecasting")
            _forecast(result, gap_model, planning="plan" in steps)
        if "plan" in steps:
            announce("planning quotas")
            with warnings.catch_warnings():
                if config.plan.free_places:  # a cost of 0 is meant: no warning of a typo
                    warnings.filterwarnings("ignore", message=r"cost_per_trainee is 0",
                                            category=DataQualityWarning)
                if config.plan.years:
                    plan_years(result, tables)
                else:
                    _plan(result, tables)
    for item in caught:  # data and model warnings go to the report; others pass on
        if not issubclass(item.category, UserWarning):
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
            continue
        message = str(item.message)
        if message not in result.notes:
            result.notes.append(message)
            logger.warning("%s", message)
    return result


# ---- steps ---------------------------------------------------------------------------------
_TABLES = ("surveys", "training", "employment")


def _read_inputs(config: Config, demo: bool, result: RunResult) -> dict:
    data = config.data
    if demo:
        bundled = datasets.load_demo()
        raw = {name: (getattr(bundled, name), None) for name in _TABLES}
    else:
        if data.surveys is None:
            raise ConfigError("no survey file: set [data] surveys in the config or pass "
                              "--surveys PATH")
        raw = {name: (None, getattr(data, name)) for name in _TABLES
               if getattr(data, name) is not None}
    tables, rejected = {}, []
    for name, (frame, path) in raw.items():
        def read(freq, frame=frame, path=path, name=name):
            if frame is not None:
                return schema.validate(frame, table=name, freq=freq, errors="report")
            return io.read_table(path, table=name, freq=freq, errors="report",
                                 encoding=data.encoding, allowed=_skipped_levels(data, name),
                                 **data.read_options(name))

        # employment may be coarser than the run (a yearly census): its own frequency
        clean, report = (read_employment(read, data, str(path or "the demo employment table"))
                         if name == "employment" else read(data.freq))
        if frame is None and not report.ok and data.on_invalid == "error":
            raise _rejection_error(path, report)
        if not report.ok:  # a group that lost a row is left out whole, not undercounted
            # (as talentgap validate lists them: one rule, _quality.run_groups)
            clean, report = reject_run_groups(clean, report, table=name, keys=data.keys)
            if name == "surveys" and report.rows_kept:  # unit non-response: reweight
                clean, report = _reweight(clean, report, frame, config)
        logger.info("%s: %s", path or f"demo {name}", report.summary())
        result.reports[name] = report
        if not report.ok:
            rejected.append(report.rejected.assign(  # a folder of files: each row's own file
                table=name, file=report.rejected.get("file", str(path or "demo"))))
        tables[name] = clean
    if rejected:
        frame = pd.concat(rejected, ignore_index=True)
        lead = ["table", "file"]
        result.rejected = failures_as_text(frame[[*lead, *frame.columns.drop(lead)]])
        emptied = [name for name, report in result.reports.items() if report.rows_kept == 0]
        if emptied:
            raise _emptied_error(emptied, result, config)
        # rows, not failures: the report words the same counts (skip_sentence)
        warn(skip_warning(result.reports), DataQualityWarning, stacklevel=2)
    return tables


def _reweight(clean: pd.DataFrame, report, raw: pd.DataFrame | None, config: Config):
    """Kept respondents reweighted for the enterprise-periods left out, said in the report.

    Classes: the cell's enterprise-level keys, by period, split by the declared strata
    (:func:`talentgap.features.adjust_nonresponse`): a respondent never stands for
    another cell's enterprises, and a cell-period that lost every respondent has no
    survey estimate. A left-out weight the report cannot read is its class's mean kept
    weight; one given as a number <= 0 stands for no enterprise.
    """
    design = config.survey.design()
    by = [c for c in config.survey.strata if c in clean.columns]
    cells = [c for c in config.data.keys if c in clean.columns]
    clean, classes = features.adjust_nonresponse(clean, report, by=by, cells=cells, raw=raw,
                                                 design=design)
    text = features.nonresponse.describe_nonresponse(classes)
    if text is None:
        return clean, report
    warn(text, DataQualityWarning, stacklevel=3)
    return clean, dataclasses.replace(report, warnings=[*report.warnings, text])


#: The rows a rejected row takes with it (``[data] on_invalid = "skip"``): its
#: enterprise-period in the surveys; its cell-period in the other tables.
def _emptied_error(emptied: list[str], result: RunResult, config: Config) -> SchemaError:
    """No row of a table survived: say so, after writing ``rejected.csv``."""
    out = Path(config.output.dir)
    out.mkdir(parents=True, exist_ok=True)
    written = io.write_table(result.rejected, out / "rejected.csv",
                             encoding=config.output.csv_encoding)
    name = emptied[0]
    report = result.reports[name]
    own = report.rejected[report.rejected["rule"] != "group_incomplete"]
    case = (own if len(own) else report.rejected).iloc[0]
    return SchemaError(
        f"all {report.rows_in} rows of {name} were rejected ([data] on_invalid = 'skip'), "
        f"e.g. line {case['line']}: column {case['column']!r} breaks rule {case['rule']!r} "
        f"({case['message']}); every rejected row is listed in {written}",
        column=case["column"], reason=case["rule"], failure_cases=result.rejected)


def _skipped_levels(data, table: str) -> dict | None:
    """With ``on_invalid = "skip"``: the declared levels, so rows outside them are rejected."""
    if data.on_invalid != "skip" or not data.skill_levels:
        return None
    names = schema.get_schema(table).names
    levels = {c: list(data.skill_levels) for c in ("skill_level", "from_level") if c in names}
    return levels or None


def _rejection_error(path, report) -> SchemaError:
    case = report.rejected.iloc[0]
    advice = RULE_ADVICE.get((case["column"], case["rule"]))  # e.g. how to record re-sits
    return SchemaError(
        f"{path}: {report.rows_rejected} of {report.rows_in} rows rejected, e.g. line "
        f"{case['line']}: column {case['column']!r} breaks rule {case['rule']!r} "
        f"({case['message']}{'; ' + advice if advice else ''}); run 'talentgap validate' "
        "for every failure, or set "
        "[data] on_invalid = 'skip'", column=case["column"], reason=case["rule"],
        failure_cases=report.rejected)


def _build_panel(tables: dict, config: Config, reports: dict | None = None) -> pd.DataFrame:
    data = config.data  # codes written differently across tables: an error unless allowed
    # skipped rows: a cell that lost every row stays in the panel, its values missing; the
    # cells are those of the tables that define demand and supply, as in a run without
    # rejected rows (an employment table may name cells, such as an unskilled level, that
    # no survey or training row has)
    cells = (None if not reports or all(r.ok for r in reports.values())
             else input_cells([reports[name] for name in ("surveys", "training")
                               if name in reports], keys=data.keys))
    allow = [side for side in ("supply", "demand") if getattr(data, f"allow_missing_{side}")]
    features.codes.verify_codes(tables, keys=data.keys, codes="raise", allow=allow)
    check_employment_keys(tables.get("employment"), config)
    employment = tables.get("employment")  # a coarser one feeds the yearly projections only
    if coarser_employment(employment, data.freq):
        employment = None
    panel = features.build_panel(
        tables["surveys"], tables.get("training"), employment,
        freq=config.data.freq, keys=tuple(config.data.keys),
        lead_time=panel_lead_time(config), absorption=panel_absorption(config),
        crosswalk=panel_crosswalk(tables, config, (reports or {}).get("surveys")),
        design=config.survey.design(), codes="ignore", skill_levels=data.levels(),
        cells=cells, supply_fill=config.panel.supply_fill)
    note = supply_missing_note(panel, config.data.keys)
    if note is not None and config.panel.supply_fill is None:
        warn(note)
    upgrades = upgrades_note(tables.get("training"), config)
    if upgrades is not None:
        warn(upgrades)
    cells = panel.groupby(list(config.data.keys), observed=True).ngroups
    logger.info("panel: %d cells x %d periods", cells, panel["period"].nunique())
    return panel


def _default_pass_rate(result: RunResult, tables: dict) -> Config:
    """``[plan] pass_rate`` not set: the certified share of the training table's last year.

    The run's configuration then holds that rate (so plans, a saved model's
    plan defaults and the report use the same one), and
    :attr:`RunResult.pass_rate_basis` says where it comes from; without
    training data it is 1.0, and the basis says so
    (:func:`talentgap.cli._plan_inputs.observed_pass_rate`).
    """
    config = result.config
    rate, basis = observed_pass_rate(tables.get("training"), config.data.freq)
    result.config = dataclasses.replace(
        config, plan=dataclasses.replace(config.plan, pass_rate=float(rate)))
    result.pass_rate_basis = basis
    logger.info("[plan] pass_rate not set: %.3f, %s", rate, basis)
    return result.config


def _backtest(result: RunResult) -> None:
    config, panel = result.config, result.panel
    bt, keys = config.backtest, list(config.data.keys)
    horizon, levels = config.forecast.horizon, list(config.forecast.levels)
    metrics = (*evaluation.GAP_METRICS, "coverage")  # no sMAPE: gaps cross 0
    results = {"GapForecaster": evaluation.backtest_gap(
        gap_forecaster(config), panel, horizon=horizon, n_windows=bt.n_windows,
        step=bt.step, level=levels, metrics=metrics,
        season_length=config.forecast.season_length)}
    for name in dict.fromkeys(bt.baselines):
        results[name] = evaluation.backtest(
            make_forecaster(name, config), panel, target="gap", keys=keys,
            horizon=horizon, n_windows=bt.n_windows, step=bt.step, level=levels,
            metrics=metrics, season_length=config.forecast.season_length)
    result.backtests = results
    result.leaderboard = evaluation.leaderboard(results)


def _forecast(result: RunResult, gap_model, *, planning: bool) -> None:
    config = result.config
    loaded = gap_model is not None
    if gap_model is None:
        gap_model = gap_forecaster(config).fit(result.panel)
    result.gap_model = gap_model
    _fix_horizon(result, loaded=loaded, planning=planning)
    result.forecast = gap_model.predict(config.forecast.horizon,
                                        level=list(config.forecast.levels))


def _fix_horizon(result: RunResult, *, loaded: bool, planning: bool) -> None:
    """Fix the gap model's horizon, the periods it simulates, before any prediction.

    Every table, plan, explanation, stored edition and saved model of the run
    is then cut from one simulation (``GapForecaster(horizon=...)``), so a
    period's numbers are the same whatever horizon a later call asks for,
    and a saved model carries its horizon. ``[forecast] max_horizon`` sets it;
    by default it is the longest span the configuration needs: ``[forecast]
    horizon`` and, with ``[plan] years``, forecasts to the end of the last
    need year (a forecast run of that configuration simulates the same span
    as its plan run, so the two agree). When the backtests are too short for
    that span, the longest span of whole need years they allow is taken, as
    far as :attr:`RunResult.forecast_reach`; the plan holds later years'
    needs (:func:`talentgap.cli._pipeline_years.annual_paths`). A loaded
    model with a horizon keeps it.
    """
    config, model = result.config, result.gap_model
    horizon, wanted = int(config.forecast.horizon), config.forecast.max_horizon
    fixed = source = None
    if loaded and model.horizon is not None:
        fixed = int(model.horizon)
        source = f"the model given with --model simulates {fixed} periods (fixed at its fit)"
        if wanted is not None and int(wanted) != fixed:
            raise ConfigError(f"[forecast] max_horizon = {wanted}, but {source}; leave "
                              "max_horizon out, or fit a model with it (talentgap forecast "
                              "--save-model)")
    elif wanted is not None:
        fixed = int(wanted)
        source = f"[forecast] max_horizon = {fixed}"
    if fixed is not None and horizon > fixed:
        raise ConfigError(f"[forecast] horizon = {horizon} is more than the periods the gap "
                          f"model simulates: {source}; ask for at most {fixed} periods, or "
                          f"set [forecast] max_horizon to at least {horizon} and fit again")
    origin = pd.Period(model.origin_)
    ends = _need_spans(config, origin, planning)
    if fixed is not None:
        reach = sum(span <= fixed for span in ends)
        if ends and reach == 0:
            raise ConfigError(f"[plan] years need forecasts to at least "
                              f"{origin + ends[0]}, {ends[0]} periods after the origin "
                              f"{origin}; {source}: raise it to {ends[-1]} (the plan's span) "
                              "or leave it out")
        model.set_params(horizon=fixed)
        try:
            model.prepare(fixed)
        except ParameterError as err:
            raise ConfigError(f"{source}: {err}; set a smaller [forecast] max_horizon, or "
                              "leave it out (the run then simulates what it needs)") from err
    else:
        spans = [max(horizon, span) for span in ends] or [horizon]
        for reach in range(len(spans), 0, -1):
            try:
                model.set_params(horizon=spans[reach - 1])
                with collect_warnings() as caught:  # a span given up says nothing of the run
                    model.prepare(spans[reach - 1])
                for item in caught:  # those of the span kept concern every table and plan
                    warn(str(item), type(item))
                break
            except ParameterError as err:  # the backtest errors behind the paths are too short
                if reach == 1:
                    raise unreachable_span(config, model, origin, spans[0],
                                           planning=bool(ends) and planning) from err
    logger.info("gap model: %d periods simulated once for every forecast and plan",
                model.horizon)
    if ends and planning:
        result.forecast_reach = origin + ends[reach - 1]


def _need_spans(config: Config, origin: pd.Period, planning: bool) -> list[int]:
    """Periods from the origin to the end of each need year of ``[plan] years`` (none
    without years, or, in a run that does not plan, years that have passed)."""
    settings = config.plan
    if not settings.years:
        return []
    years = [int(y) for y in settings.years]
    need_years = range(years[0], years[-1] + settings.lead_time + 1)
    if need_years[0] <= origin.year:
        if planning:
            raise ConfigError(f"[plan] years must start after the data's last period "
                              f"{origin}; got {need_years[0]}")
        return []
    return (year_end_ordinals(list(need_years), origin.freqstr) - origin.ordinal).tolist()


#: ``[plan]`` settings of ``talentgap demo`` where its config and flags leave them out.
DEMO_PLAN = {"budget": 5_000_000.0, "cost_per_trainee": 6000.0, "pass_rate": 0.67,
             "absorption": 0.85, "capacity": 150.0}


def _plan(result: RunResult, tables: dict) -> None:
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


def saved_config(result: RunResult) -> dict:
    """The run configuration saved with its model (``--save-model``), as plain values.

    :meth:`Config.to_dict`, plus, when ``[plan] exit_rate = "estimate"`` gave
    a multi-year plan per-cell exit rates, those rates as ``[plan]
    exit_rate_estimated`` (``[{"cell": {key: value}, "value": rate}]``, one
    entry per cell): ``POST /v1/plan`` takes them as its default
    ``exit_rate``, so a served plan uses the rates the run's plan used (the
    data they were estimated from are not in the model). With ``[targets]``, the
    policy need the multi-year plan was made against, per cell and need year,
    as ``[plan] policy_need_planned`` in the column form (see
    :func:`_planned_policy_need`): the service applies it to plans of funding
    years by default, since the employment projections behind it are not in
    the model. When the run's places yield only the workers new to their
    cells (upgrade training in the training table), the shares that scale
    their absorption, as ``[plan] place_entrants``
    (:func:`talentgap.planning._saved_run.place_entrants_record`): plans
    against the model scale theirs by the same shares.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> quotas = pd.DataFrame({"region": "N", "industry": ["A", "A", "B"],
    ...                        "exit_rate": [0.02, 0.02, 0.05]})
    >>> config = Config.from_dict({"plan": {"years": [2026], "exit_rate": "estimate"}})
    >>> saved = saved_config(SimpleNamespace(config=config, plan=SimpleNamespace(quotas=quotas)))
    >>> saved["plan"]["exit_rate"], saved["plan"]["exit_rate_estimated"][1]
    ('estimate', {'cell': {'region': 'N', 'industry': 'B'}, 'value': 0.05})
    """
    config = result.config
    saved = config.to_dict()
    plan = result.plan
    quotas = None if plan is None else plan.quotas
    keys = list(config.data.keys)
    need = _planned_policy_need(result, keys)
    if need is not None:
        saved["plan"]["policy_need_planned"] = need
    entrants = getattr(result, "place_entrants", None)
    if entrants:
        saved["plan"]["place_entrants"] = place_entrants_record(entrants)
    if (config.plan.exit_rate != "estimate" or not config.plan.years or quotas is None
            or "exit_rate" not in quotas.columns or not set(keys) <= set(quotas.columns)):
        return saved
    rates = quotas[[*keys, "exit_rate"]].drop_duplicates(subset=keys)
    cells = rates[keys].astype(str).to_dict("records")
    saved["plan"]["exit_rate_estimated"] = [
        {"cell": cell, "value": float(rate)}
        for cell, rate in zip(cells, rates["exit_rate"].to_numpy(dtype=float), strict=True)]
    return saved


def _planned_policy_need(result: RunResult, keys: list[str]) -> dict | None:
    """The policy need a multi-year plan with ``[targets]`` planned against, as saved.

    Taken from the plan's own cell table, in the column form: each cell's
    key values once (as text) and one list of persons per need year, in the
    order of the cells, ``null`` where the cell has no row that year::

        {"cells": {"region": ["N", "S"], ...},
         "policy_need": {"2026": [12.5, 2.5], "2027": [13.0, null], ...}}

    At national scale (34,000 cells x 6 need years) that is about a quarter
    of the ``metadata.json`` of one ``{<key>: value, "period": "2026",
    "policy_need": persons}`` row per cell and year (the form of ``POST
    /v1/plan``'s ``policy_need``, which models saved before hold and the
    service still reads: :func:`talentgap.service._saved_targets.saved_policy_need`).
    None without targets or such a plan.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> cells = pd.DataFrame({"region": ["N", "N", "S"], "period": ["2026", "2027", "2026"],
    ...                       "policy_need": [12.5, 13.0, 2.5]})
    >>> config = Config.from_dict({"plan": {"years": [2026]}, "targets": {
    ...     "skilled_share": 0.3, "target_year": 2027}})
    >>> _planned_policy_need(SimpleNamespace(config=config, plan=SimpleNamespace(
    ...     cells=cells)), ["region"])
    {'cells': {'region': ['N', 'S']}, 'policy_need': {'2026': [12.5, 2.5], '2027': [13.0, None]}}
    """
    plan = result.plan
    cells = None if plan is None else getattr(plan, "cells", None)
    if (not result.config.targets.given or not result.config.plan.years or cells is None
            or "policy_need" not in cells.columns or not set(keys) <= set(cells.columns)):
        return None
    table = cells[[*keys, "period", "policy_need"]].astype({**dict.fromkeys(keys, str),
                                                             "period": str,
                                                             "policy_need": float})
    wide = table.pivot(index=keys, columns="period", values="policy_need")
    values = wide.astype(object).where(wide.notna(), None)
    return {"cells": {key: wide.index.get_level_values(key).tolist() for key in keys},
            "policy_need": {str(period): values[period].tolist() for period in wide.columns}}
