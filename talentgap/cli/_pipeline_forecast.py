"""The pipeline's gap model: its forecasters, the backtests and the forecast.

:func:`make_forecaster` and :func:`gap_forecaster` make the run's
(unfitted) forecasters from ``[forecast]``; :func:`backtest_step` backtests
the gap forecaster and the baselines on the panel, and
:func:`forecast_step` fits (or takes) the gap model, fixes once the span it
simulates for every table and plan of the run, and forecasts.
:func:`talentgap.cli.pipeline.run` calls them for the ``backtest`` and
``forecast`` steps (both public names are also in
:mod:`talentgap.cli.pipeline`).
"""

from __future__ import annotations

import logging

import pandas as pd

from talentgap import evaluation, models
from talentgap._registry import config_names
from talentgap.cli._config_analogues import analogue_params
from talentgap.cli._pipeline_years import unreachable_span
from talentgap.cli._result import RunResult
from talentgap.cli.config import MODEL_NAMES, Config
from talentgap.errors import ConfigError, ParameterError, collect_warnings, warn
from talentgap.periods import year_end_ordinals

__all__ = ["make_forecaster", "gap_forecaster", "backtest_step", "forecast_step"]

logger = logging.getLogger("talentgap.cli")


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


def backtest_step(result: RunResult) -> None:
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


def forecast_step(result: RunResult, gap_model, *, planning: bool) -> None:
    config = result.config
    loaded = gap_model is not None
    known = result.known_supply
    if gap_model is None:  # the supply the training table already holds is not forecast
        gap_model = gap_forecaster(config).fit(
            result.panel, future_supply=None if known is None else known.table)
    else:  # a given model keeps the known supply of its own fit (known_supply_)
        result.known_supply = known = None
    result.gap_model = gap_model
    _fix_horizon(result, loaded=loaded, planning=planning)
    if known is not None:  # every training row after the origin accounted for
        last = gap_model.origin_ + int(gap_model.horizon)
        note, unused = known.note(last), known.unused_note(last)
        if note is not None and note not in result.notes:
            result.notes.append(note)
            logger.info("%s", note)
        if unused is not None:
            warn(unused)
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
