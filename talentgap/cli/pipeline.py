"""The steps behind the ``talentgap`` commands, as plain functions of a :class:`Config`.

Each command runs a prefix of one pipeline — read and validate the inputs,
build the panel, backtest, forecast, plan — and :func:`run` returns every
intermediate result in a :class:`RunResult`, so the command can write the
files and the report it promises and a script can do the same without the
command line.

Examples
--------
>>> from talentgap.cli.config import Config
>>> result = run(Config.from_dict({"forecast": {"model": "naive", "n_samples": 100}}),
...              steps=("forecast",), demo=True)
>>> list(result.forecast.columns[:6])
['region', 'industry', 'period', 'demand', 'supply', 'gap']
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from talentgap import datasets, evaluation, features, io, models, planning, schema
from talentgap._registry import config_names
from talentgap.cli._common import failures_as_text
from talentgap.cli.config import MODEL_NAMES, Config
from talentgap.errors import ConfigError, DataQualityWarning, SchemaError

__all__ = ["RunResult", "run", "make_forecaster", "STEPS"]

logger = logging.getLogger("talentgap.cli")

#: The pipeline's steps in order; a command names the last ones it needs.
STEPS = ("features", "backtest", "forecast", "plan")



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
        of budgets.
    notes : list of str
        Warnings raised on the way (data quality, fallbacks), for the report.
    """

    config: Config
    reports: dict = field(default_factory=dict)
    rejected: pd.DataFrame | None = None
    panel: pd.DataFrame | None = None
    gap_model: models.GapForecaster | None = None
    forecast: pd.DataFrame | None = None
    backtests: dict = field(default_factory=dict)
    leaderboard: pd.DataFrame | None = None
    plan: planning.QuotaPlan | None = None
    proportional: planning.QuotaPlan | None = None
    comparison: pd.DataFrame | None = None
    notes: list = field(default_factory=list)


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


def _gap_forecaster(config: Config) -> models.GapForecaster:
    fc = config.forecast
    return models.GapForecaster(forecaster=make_forecaster(fc.model, config),
                                n_samples=fc.n_samples, random_state=fc.random_state,
                                keys=tuple(config.data.keys))


def run(config: Config, *, steps: Sequence[str], demo: bool = False,
        gap_model: models.GapForecaster | None = None,
        progress: Callable[[str], None] | None = None) -> RunResult:
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

    Returns
    -------
    RunResult

    Raises
    ------
    ConfigError
        A required setting or file is missing.
    SchemaError
        An input file breaks its schema (with ``on_invalid = "error"``).
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
        if needs_panel:
            announce("reading inputs")
            tables = _read_inputs(config, demo, result)
            announce("building the panel")
            result.panel = _build_panel(tables, config)
        if "backtest" in steps:
            announce("backtesting")
            _backtest(result)
        if {"forecast", "plan"} & set(steps):
            announce("forecasting")
            _forecast(result, gap_model)
        if "plan" in steps:
            announce("planning quotas")
            _plan(result)
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
        if frame is not None:
            clean, report = schema.validate(frame, table=name, freq=data.freq,
                                            errors="report")
        else:
            clean, report = io.read_table(path, table=name, freq=data.freq, errors="report")
            if not report.ok and data.on_invalid == "error":
                raise _rejection_error(path, report)
        logger.info("%s: %s", path or f"demo {name}", report.summary())
        result.reports[name] = report
        if not report.ok:
            rejected.append(report.rejected.assign(table=name, file=str(path or "demo")))
        tables[name] = clean
    if rejected:
        frame = pd.concat(rejected, ignore_index=True)
        lead = ["table", "file"]
        result.rejected = failures_as_text(frame[[*lead, *frame.columns.drop(lead)]])
        warnings.warn(f"{len(result.rejected)} input row failure(s) skipped "
                      "([data] on_invalid = 'skip'); see rejected.csv", DataQualityWarning,
                      stacklevel=2)
    return tables


def _rejection_error(path, report) -> SchemaError:
    case = report.rejected.iloc[0]
    return SchemaError(
        f"{path}: {report.rows_rejected} of {report.rows_in} rows rejected, e.g. line "
        f"{case['line']}: column {case['column']!r} breaks rule {case['rule']!r} "
        f"({case['message']}); run 'talentgap validate' for every failure, or set "
        "[data] on_invalid = 'skip'", column=case["column"], reason=case["rule"],
        failure_cases=report.rejected)


def _build_panel(tables: dict, config: Config) -> pd.DataFrame:
    panel = features.build_panel(
        tables["surveys"], tables.get("training"), tables.get("employment"),
        freq=config.data.freq, keys=tuple(config.data.keys),
        lead_time=config.panel.lead_time, absorption=config.panel.absorption)
    cells = panel.groupby(list(config.data.keys), observed=True).ngroups
    logger.info("panel: %d cells x %d periods", cells, panel["period"].nunique())
    return panel


def _backtest(result: RunResult) -> None:
    config, panel = result.config, result.panel
    bt, keys = config.backtest, list(config.data.keys)
    horizon, levels = config.forecast.horizon, [config.forecast.levels[0]]
    metrics = ("mae", "rmse", "smape", "mase", "bias", "coverage")
    results = {"GapForecaster": evaluation.backtest_gap(
        _gap_forecaster(config), panel, horizon=horizon, n_windows=bt.n_windows,
        step=bt.step, level=levels, metrics=metrics,
        season_length=config.forecast.season_length)}
    for name in dict.fromkeys(bt.baselines):
        results[name] = evaluation.backtest(
            make_forecaster(name, config), panel, target="gap", keys=keys,
            horizon=horizon, n_windows=bt.n_windows, step=bt.step, level=levels,
            metrics=metrics, season_length=config.forecast.season_length)
    result.backtests = results
    result.leaderboard = evaluation.leaderboard(results)


def _forecast(result: RunResult, gap_model) -> None:
    config = result.config
    if gap_model is None:
        gap_model = _gap_forecaster(config).fit(result.panel)
    result.gap_model = gap_model
    result.forecast = gap_model.predict(config.forecast.horizon,
                                        level=list(config.forecast.levels))


#: ``[plan]`` settings of ``talentgap demo`` where its config and flags leave them out.
DEMO_PLAN = {"budget": 5_000_000.0, "cost_per_trainee": 6000.0, "pass_rate": 0.67,
             "absorption": 0.85, "capacity": 150.0}

#: Budgets of the shortfall-vs-budget comparison, as multiples of the plan's budget.
BUDGET_MULTIPLES = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)


def _plan(result: RunResult) -> None:
    config = result.config
    settings = config.plan
    if settings.budget is None or settings.cost_per_trainee is None:
        raise ConfigError("planning needs [plan] budget and cost_per_trainee (or --budget and "
                          "--cost-per-trainee)")
    keys = list(config.data.keys)
    crosswalk = None
    if settings.crosswalk is not None:
        crosswalk = _read_csv(settings.crosswalk, "crosswalk", ["program", *keys])
    id_columns = ["program", *keys] if crosswalk is not None else keys
    params = {name: _parameter(getattr(settings, name), name, id_columns)
              for name in ("cost_per_trainee", "pass_rate", "absorption", "capacity",
                           "min_quota")}
    if crosswalk is not None:
        params["crosswalk"] = crosswalk
    horizon = config.forecast.horizon
    paths = result.gap_model.sample_paths(horizon)
    period = None if settings.period is None else str(settings.period)
    common = {**params, "keys": tuple(keys), "period": period,
              "integer": settings.integer}
    optimised = dict(common, risk=settings.risk, quantile=settings.quantile,
                     surplus_penalty=settings.surplus_penalty)
    result.plan = planning.allocate_quotas(paths, budget=settings.budget, **optimised)
    result.proportional = planning.proportional_plan(paths, budget=settings.budget, **common)
    plans = {}
    for multiple in BUDGET_MULTIPLES:
        budget = settings.budget * multiple
        plans[f"optimised, budget {budget:,.0f}"] = planning.allocate_quotas(
            paths, budget=budget, **optimised)
        plans[f"proportional, budget {budget:,.0f}"] = planning.proportional_plan(
            paths, budget=budget, **common)
    by = "industry" if "industry" in keys else keys[-1]  # places per group in the table
    result.comparison = planning.compare_plans(plans, by=by)


def _read_csv(path: str, name: str, text_columns: list[str]) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"[plan] {name}: no such file {path}")
    return pd.read_csv(path, dtype={c: str for c in text_columns})


def _parameter(value, name: str, id_columns: list[str]):
    """A plan parameter: a number as is, a string as a per-cell (or per-programme) CSV."""
    if value is None or not isinstance(value, str):
        return value
    table = _read_csv(value, name, id_columns)
    if name not in table.columns:
        raise ConfigError(f"[plan] {name}: {value} has no column {name!r}; columns are "
                          f"{list(table.columns)}")
    if not np.issubdtype(table[name].dtype, np.number):
        raise ConfigError(f"[plan] {name}: column {name!r} of {value} must be numeric")
    return table
