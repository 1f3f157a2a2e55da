"""The steps behind the ``talentgap`` commands, as plain functions of a :class:`Config`.

Each command runs a prefix of one pipeline — read and validate the inputs,
build the panel, backtest, forecast, plan — and :func:`run` returns every
intermediate result in a :class:`RunResult`, so the command can write the
files and the report it promises and a script can do the same without the
command line. The steps are in their own modules: reading the inputs
(:mod:`talentgap.cli._pipeline_inputs`), the panel
(:mod:`talentgap.cli._pipeline_panel`), the backtests and the forecast
(:mod:`talentgap.cli._pipeline_forecast`), the single-period plan
(:mod:`talentgap.cli._pipeline_plan`) and the multi-year plan (``[plan]
years``, :mod:`talentgap.cli._pipeline_years`, its workforce projections and
policy needs against targets in :mod:`talentgap.cli._targets`); the
configuration saved with a model is :mod:`talentgap.cli._pipeline_saved`.

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

import pandas as pd

from talentgap import models
from talentgap.cli._config_analogues import check_analogue_values
from talentgap.cli._known_supply import known_future_supply
from talentgap.cli._pipeline_forecast import backtest_step as _backtest
from talentgap.cli._pipeline_forecast import forecast_step as _forecast
from talentgap.cli._pipeline_forecast import gap_forecaster, make_forecaster
from talentgap.cli._pipeline_inputs import read_inputs as _read_inputs
from talentgap.cli._pipeline_panel import build_run_panel as _build_panel
from talentgap.cli._pipeline_panel import supply_settings as _supply_settings
from talentgap.cli._pipeline_plan import plan_one_period as _plan
from talentgap.cli._pipeline_saved import saved_config
from talentgap.cli._pipeline_years import plan_years
from talentgap.cli._plan_inputs import observed_pass_rate
from talentgap.cli._plan_levels import entrant_shares
from talentgap.cli._result import RunResult
from talentgap.cli.config import Config
from talentgap.errors import ConfigError, DataQualityWarning

__all__ = ["RunResult", "run", "make_forecaster", "gap_forecaster", "saved_config", "STEPS"]

logger = logging.getLogger("talentgap.cli")

#: The pipeline's steps in order; a command names the last ones it needs.
STEPS = ("features", "backtest", "forecast", "plan")


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
        Called with the panel once it is built, and as ``future_supply`` the
        supply its training table already knows after it (see
        :attr:`RunResult.known_supply`; None without), before any backtest
        or fit (the command checks its edition store there); an exception it
        raises ends the run.
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
            # the supply the training table already holds after the panel, as the panel counts
            result.known_supply = known_future_supply(
                tables.get("training"), result.panel, keys=config.data.keys,
                **_supply_settings(tables, config, result.reports))
            result.place_entrants = entrant_shares(config, tables.get("training"))
            check_analogue_values(config.forecast, result.panel)
            if before_fit is not None:  # the data the gap model is fitted on
                known = result.known_supply
                before_fit(result.panel, future_supply=None if known is None else known.table)
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


#: ``[plan]`` settings of ``talentgap demo`` where its config and flags leave them out.
DEMO_PLAN = {"budget": 5_000_000.0, "cost_per_trainee": 6000.0, "pass_rate": 0.67,
             "absorption": 0.85, "capacity": 150.0}
