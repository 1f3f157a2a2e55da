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

import dataclasses
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
from talentgap.errors import ConfigError, DataQualityWarning, ParameterError, SchemaError

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
        of budgets (single-period plans).
    budget_curve : BudgetCurve or None
        :func:`talentgap.planning.budget_curve` of the optimised plan
        (single-period plans, measured in the plan's need period): the
        budget that closes :data:`CLOSING_SHARE` of the expected shortfall,
        or the most any budget can close under the capacities.
    workforce : pandas.DataFrame or None
        With ``[plan] years`` and ``[targets]``: per cell (without a
        ``skill_level`` key) and year, ``employment`` (projected persons
        employed) and the projected stock without the plan, ``skilled`` and
        ``high_skilled`` (persons): exits, plus the forecast certified supply
        by the skill level it joins (:func:`_stock_inflows`).
    policy : pandas.DataFrame or None
        With ``[targets]``: :func:`talentgap.planning.policy_need` per cell
        and year (target shares and stocks, projected stock, policy need).
    target_path : pandas.DataFrame or None
        With ``[targets]``: per region, skill level and year, the observed
        share (history), the target share, and the projected share without
        and with the plan's certified workers (shares on 0-1).
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
    budget_curve: planning.BudgetCurve | None = None
    workforce: pd.DataFrame | None = None
    policy: pd.DataFrame | None = None
    target_path: pd.DataFrame | None = None
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
            if config.plan.years:
                _plan_years(result, tables if needs_panel else {})
            else:
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
    data = config.data  # codes written differently across tables: an error unless allowed
    allow = [side for side in ("supply", "demand") if getattr(data, f"allow_missing_{side}")]
    features.codes.verify_codes(tables, keys=data.keys, codes="raise", allow=allow)
    panel = features.build_panel(
        tables["surveys"], tables.get("training"), tables.get("employment"),
        freq=config.data.freq, keys=tuple(config.data.keys),
        lead_time=config.panel.lead_time, absorption=config.panel.absorption,
        design=config.survey.design(), codes="ignore", skill_levels=data.levels())
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
#: Share of the expected shortfall whose closing budget the report states.
CLOSING_SHARE = 0.95


def _plan(result: RunResult) -> None:
    config = result.config
    settings = config.plan
    if isinstance(settings.budget, (str, dict)):
        raise ConfigError("[plan] budget per year (a table or a CSV) needs [plan] years")
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
              "integer": settings.integer or "round"}  # the single-period default
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
    # budget_curve's own ``period`` measures, it does not choose the need: with [plan] period
    # the curve is drawn on the paths up to that period, whose last period is then the need
    needs = paths
    if period is not None:
        need = pd.Period(str(result.plan.summary["period"]), freq=paths.periods.freq)
        stop = paths.periods.get_loc(need) + 1
        needs = dataclasses.replace(paths, periods=paths.periods[:stop],
                                    demand=paths.demand[:, :stop], supply=paths.supply[:, :stop])
    curve_args = {name: value for name, value in optimised.items() if name != "period"}
    result.budget_curve = planning.budget_curve(needs, 8, share=CLOSING_SHARE, **curve_args)


def _read_csv(path: str, name: str, text_columns: list[str], *,
              section: str = "plan") -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"[{section}] {name}: no such file {path}")
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


# ---- multi-year plan -----------------------------------------------------------------------
def _plan_years(result: RunResult, tables: dict) -> None:
    """``[plan] years``: one plan over the funding years against annual needs.

    The market need of a year is the average of its periods' gaps, per
    sample path (persons short on average over the year). With ``[targets]``
    the policy need comes from annual employment and skilled-stock
    projections; both needs count the same certified workers.
    """
    config = result.config
    settings, targets = config.plan, config.targets
    if settings.budget is None or settings.cost_per_trainee is None:
        raise ConfigError("planning needs [plan] budget and cost_per_trainee (or --budget and "
                          "--cost-per-trainee)")
    keys = list(config.data.keys)
    years = [int(y) for y in settings.years]
    need_years = list(range(years[0], years[-1] + settings.lead_time + 1))
    paths, pipeline = _annual_paths(result, need_years)
    params = {name: _parameter(getattr(settings, name), name, keys)
              for name in ("cost_per_trainee", "pass_rate", "absorption", "capacity",
                           "min_quota")}
    params["exit_rate"] = _exit_rate(result, tables)
    policy = None
    if targets.given:
        policy = _policy_need(result, tables, paths, pipeline, need_years)
        level = "policy_need" if targets.plan_level == "skilled" else "policy_need_high_skilled"
        if level not in policy.columns:
            raise ConfigError(f"[targets] plan_level = {targets.plan_level!r} but no "
                              f"{targets.plan_level} target is set")
        policy = policy[[*_cell_keys(config), "period", level]].rename(
            columns={level: "policy_need"})
        if "skill_level" in keys:
            policy = _need_by_level(policy, pipeline, config, targets.plan_level)
    groups = None
    if settings.capacity_groups is not None:
        groups = _read_csv(settings.capacity_groups, "capacity_groups", ["group", *keys])
    result.plan = planning.allocate_quotas(
        paths.drop(columns=["demand"]), periods=years, budget=_budget(settings.budget),
        **params, lead_time=settings.lead_time, risk=settings.risk,
        quantile=settings.quantile, surplus_penalty=settings.surplus_penalty,
        integer=settings.integer, keys=tuple(keys), policy_need=policy,
        need_weights={"market": 1.0, "policy": settings.policy_weight},
        capacity_groups=groups)
    if result.policy is not None:
        result.target_path = _target_path(result, tables, keys)


def _annual_paths(result: RunResult,
                  need_years: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The gap model's sample paths averaged over each need year, and the supply pipeline.

    Returns the annual paths (``period`` annual) and the expected certified
    supply per cell and forecast period (``<keys>, period, supply``: the
    mean of the same paths), which the stock projections take as their
    inflow (split by skill level in :func:`_stock_inflows`): training that
    goes on at its forecast trend, so that the policy need, like the market
    need, counts only what that training leaves short.
    """
    model, keys = result.gap_model, list(result.config.data.keys)
    last = result.forecast["period"].min() - 1
    if need_years[0] <= last.year:
        raise ConfigError(f"[plan] years must start after the data's last period {last}; "
                          f"got {need_years[0]}")
    paths, reach = None, len(need_years)
    periods_per_year = int(pd.Period("2001", freq="Y").asfreq(last.freqstr, how="end").ordinal
                           - pd.Period("2000", freq="Y").asfreq(last.freqstr, how="end").ordinal)
    while paths is None:
        end = pd.Period(str(need_years[reach - 1]), freq="Y").asfreq(last.freqstr, how="end")
        try:
            paths = model.sample_paths(int(end.ordinal - last.ordinal)).to_frame()
        except ParameterError:  # the backtest errors behind the paths are too short
            reach -= 1
            if reach == 0:
                raise
    pipeline = (paths.groupby([*keys, "period"], observed=True, sort=True)["supply"].mean()
                .reset_index())
    paths = paths.assign(period=pd.PeriodIndex(paths["period"]).asfreq("Y"))
    paths = paths[paths["period"].dt.year >= need_years[0]]
    annual = (paths.groupby([*keys, "period", "sample"], observed=True, sort=True)
              [["demand", "gap"]].mean().reset_index())
    if reach < len(need_years):
        held = need_years[reach - 1]
        warnings.warn(f"the gap model's sample paths reach {held}; the market need of "
                      f"{need_years[reach]}-{need_years[-1]} is held at its {held} level "
                      "(per sample path)", DataQualityWarning, stacklevel=2)
        last_year = annual[annual["period"].dt.year == held]
        annual = pd.concat([annual] + [
            last_year.assign(period=pd.Period(str(y), freq="Y"))
            for y in need_years[reach:]], ignore_index=True)
        held_supply = pipeline[pipeline["period"].dt.year == held]
        pipeline = pd.concat([pipeline] + [
            held_supply.assign(period=held_supply["period"] + (y - held) * periods_per_year)
            for y in need_years[reach:]], ignore_index=True)
    return annual, pipeline


def _exit_rate(result: RunResult, tables: dict, *, by_stock: bool = False):
    """``[plan] exit_rate``: a number, a per-cell CSV, or ``"estimate"`` from the data.

    ``"estimate"`` takes, per cell, the mean yearly share of the skilled
    stock that the observed stock changes and certified inflows imply left
    (:func:`talentgap.planning.estimate_exit_rate`), so that the stock
    projection reproduces the data's own turnover. With training by skill
    level the inflows are the stocks' net inflows
    (:func:`talentgap.features.stock_pipeline`), and ``by_stock`` adds the
    high-skilled stock's own rates (rows with ``skill_level``), estimated
    from the high-skilled stock and its inflows.
    """
    config = result.config
    keys = _cell_keys(config)
    value = config.plan.exit_rate
    if value != "estimate":
        return _parameter(value, "exit_rate", list(config.data.keys))
    if result.panel is None:
        raise ConfigError("[plan] exit_rate = \"estimate\" needs the panel (observed supply)")
    stock = _employment(tables, config, by_cell=True)
    inflows = _observed_inflows(config, tables, result.panel)
    rates = planning.estimate_exit_rate(stock, inflows, keys=keys)[[*keys, "exit_rate"]]
    high = rates
    if "supply_high_skilled" in inflows.columns and "high_skilled" in stock.columns and (
            by_stock or "skill_level" in config.data.keys):
        high = planning.estimate_exit_rate(stock, inflows, keys=keys, column="high_skilled",
                                           inflow="supply_high_skilled")[[*keys, "exit_rate"]]
    if by_stock:
        return pd.concat([rates.assign(skill_level="skilled"),
                          high.assign(skill_level="high_skilled")], ignore_index=True)
    if "skill_level" not in config.data.keys:
        return rates
    # plan cells by level: a high-skilled level's workers leave at the high-skilled stock's rate
    levels = config.data.levels()
    if levels is None:
        return rates
    return pd.concat([(high if levels.flags([name])[1][0] else rates).assign(skill_level=name)
                      for name in levels.order], ignore_index=True)


def _observed_inflows(config: Config, tables: dict, panel: pd.DataFrame) -> pd.DataFrame:
    """Certified workers who joined the stocks per cell and period, as the data record them.

    The panel's supply, or with declared levels and training by
    ``skill_level`` (cells without a level key) the net inflows of the
    skilled and high-skilled stocks, ``supply`` and ``supply_high_skilled``.
    """
    keys, levels = _cell_keys(config), config.data.levels()
    training = tables.get("training")
    if levels is None or training is None or "skill_level" not in training.columns:
        supply = panel[[*config.data.keys, "period", "supply"]].dropna(subset=["supply"])
        return supply.groupby([*keys, "period"], observed=True)["supply"].sum().reset_index()
    return features.stock_pipeline(training, skill_levels=levels, keys=keys,
                                   freq=config.data.freq, lead_time=config.panel.lead_time,
                                   absorption=config.panel.absorption)


def _employment(tables: dict, config: Config, *, by_cell: bool = False) -> pd.DataFrame:
    """The employment table the targets read, as given or (``by_cell``) one row per cell.

    With ``[data] skill_levels`` and a table by ``skill_level``, ``skilled``
    and ``high_skilled`` are the workers of the levels declared skilled and
    high-skilled (:func:`talentgap.features.skilled_employment`); otherwise
    the table must carry a ``skilled`` column.
    """
    employment = tables.get("employment")
    levels = config.data.levels()
    by_level = (employment is not None and levels is not None
                and "skill_level" in employment.columns)
    if employment is None or not (by_level or "skilled" in employment.columns):
        raise ConfigError("[targets] need the employment table with a 'skilled' column, or "
                          "by 'skill_level' with [data] skill_levels declared (set [data] "
                          "employment)")
    if by_level and by_cell:
        return features.skilled_employment(employment, skill_levels=levels,
                                           keys=_cell_keys(config))
    return employment


def _cell_keys(config: Config) -> list[str]:
    """The keys of the workforce's cells: ``[data] keys`` without ``skill_level``."""
    return [k for k in config.data.keys if k != "skill_level"]


def _need_by_level(need: pd.DataFrame, pipeline: pd.DataFrame, config: Config,
                   plan_level: str) -> pd.DataFrame:
    """A cell's policy need shared over the plan's cells by skill level that train for it.

    Every skilled level trains for the skilled target, the high-skilled
    levels for the high-skilled one; the need of a region x industry cell
    goes to those of its levels the plan has, in proportion to their
    forecast certified supply (equally where they forecast none).
    """
    keys, cell_keys = list(config.data.keys), _cell_keys(config)
    levels = config.data.levels()
    if levels is None:
        raise ConfigError("[targets] with 'skill_level' among [data] keys need the levels "
                          "declared: set [data] skill_levels and high_skilled")
    serving = levels.high_skilled if plan_level == "high_skilled" else levels.skilled
    supply = pipeline.groupby(keys, observed=True)["supply"].sum().reset_index()
    supply = supply[supply["skill_level"].astype(str).isin(serving)].reset_index(drop=True)
    supply[keys] = supply[keys].astype(str)
    grouped = supply.groupby(cell_keys)["supply"]
    total, count = grouped.transform("sum"), grouped.transform("size")
    supply["share"] = np.where(total > 0, supply["supply"] / total.where(total > 0, 1.0),
                               1.0 / count)
    need = need.assign(**{k: need[k].astype(str) for k in cell_keys})
    out = supply[[*keys, "share"]].merge(need, on=cell_keys, how="right", indicator=True)
    lost = out[(out["_merge"] == "right_only") & (out["policy_need"] > 0)]
    if not lost.empty:
        cells = lost[cell_keys].drop_duplicates()
        shown = "; ".join(" / ".join(map(str, row)) for row in cells.head(5).to_numpy())
        warnings.warn(f"{len(cells)} cell(s) have a policy need but no {plan_level} level to "
                      f"train for it in the plan, e.g. {shown}; that need is left out of "
                      "the plan", DataQualityWarning, stacklevel=2)
    out = out[out["_merge"] == "both"]
    return pd.DataFrame({**{k: out[k].to_numpy() for k in keys},
                         "period": out["period"].to_numpy(),
                         "policy_need": (out["policy_need"] * out["share"]).to_numpy()})


def _policy_need(result: RunResult, tables: dict, paths: pd.DataFrame, pipeline: pd.DataFrame,
                 need_years: list[int]) -> pd.DataFrame:
    """Annual employment and skilled-stock projections, and the policy need per cell-year.

    The skilled stock takes the forecast certified supply (``pipeline``) as
    its inflow, and the high-skilled stock the part of it trained at
    high-skilled levels (:func:`_stock_inflows`), so the policy need is what
    training at its trend leaves short of the target, the same basis as the
    market need (demand minus forecast supply); the plan's places come on
    top of both. Stocks, employment and needs are per cell without the
    ``skill_level`` key (targets are shares of a cell's workers over all
    levels).
    """
    config = result.config
    keys, targets = _cell_keys(config), config.targets  # stocks per cell, not per level
    levels = config.data.levels()  # an employment table by skill_level: the declared levels
    employment = _employment(tables, config)
    last_year = pd.PeriodIndex(employment["period"]).max().year
    horizon = need_years[-1] - last_year
    if horizon < 1:
        raise ConfigError(f"[plan] years must end after the employment table's last year "
                          f"{last_year}")
    total = _employment(tables, config, by_cell=True)  # persons employed, every level
    projected = planning.project_employment(
        total.drop(columns=[c for c in ("skilled", "high_skilled") if c in total.columns]),
        keys=keys, horizon=horizon, freq="Y", level=None, n_jobs=config.forecast.n_jobs)
    if targets.file is not None:
        table = _read_csv(targets.file, "file", ["region", "province", "skill_level"],
                          section="targets")
    else:
        table = pd.DataFrame(targets.rows())
    high_target = bool((table.get("skill_level") == "high_skilled").any())
    stock = planning.project_skilled_stock(
        employment, keys=keys, horizon=horizon, freq="Y",
        pipeline=_stock_inflows(config, tables, pipeline, high_target=high_target),
        exit_rate=_exit_rate(result, tables, by_stock=True), skill_levels=levels)
    demand = (paths.groupby([*config.data.keys, "period"], observed=True)["demand"].mean()
              .groupby([*keys, "period"], observed=True).sum().reset_index())
    need = planning.policy_need(projected, stock, table, observed=employment, keys=keys,
                                share_by=targets.share_by, demand=demand, skill_levels=levels)
    need = need[need["period"].dt.year >= need_years[0]].reset_index(drop=True)
    result.policy = need
    wide = stock.pivot_table(index=[*keys, "period"], columns="skill_level", values="stock",
                             observed=True).reset_index()
    wide.columns.name = None
    position = projected.merge(wide, on=[*keys, "period"], how="left")
    result.workforce = position[position["period"].dt.year >= need_years[0]].reset_index(
        drop=True)
    return need


def _stock_inflows(config: Config, tables: dict, pipeline: pd.DataFrame, *,
                   high_target: bool) -> pd.DataFrame:
    """The forecast certified supply as inflows of the skilled and high-skilled stocks.

    With declared skill levels and training by ``skill_level``, each cell's
    forecast supply is split by the mix of its last year of training
    (:func:`talentgap.planning.pipeline_by_level`): training at a
    high-skilled level feeds both stocks, at another skilled level the
    skilled stock only. Otherwise every certified worker counts as skilled
    and none as high-skilled, which a high-skilled target is warned about.
    """
    levels = config.data.levels()
    training = tables.get("training")
    if levels is not None and training is not None and "skill_level" in training.columns:
        return planning.pipeline_by_level(
            pipeline, training, skill_levels=levels, keys=list(config.data.keys),
            freq=config.data.freq, lead_time=config.panel.lead_time,
            absorption=config.panel.absorption)
    if high_target:
        reason = ("[data] skill_levels are not declared" if levels is None else
                  "the training table has no 'skill_level' column")
        warnings.warn(f"the projected high-skilled stock gets no inflow from training, since "
                      f"{reason}: certified workers count as skilled only, and the "
                      "high-skilled need is that of exits alone", DataQualityWarning,
                      stacklevel=2)
    return pipeline


def _target_path(result: RunResult, tables: dict, keys: list[str]) -> pd.DataFrame:
    """Per region, level and year: observed, target, projected and planned shares (0-1)."""
    need, plan = result.policy, result.plan
    plan_level = result.config.targets.plan_level
    workers = plan.cells.groupby(["region", "period"], observed=True)["workers"].sum()
    frames = []
    levels = [("skilled", "")] + ([("high_skilled", "_high_skilled")]
                                  if "target_share_high_skilled" in need.columns else [])
    region_year = need.groupby(["region", "period"], observed=True)
    employment = region_year["employment"].sum()
    skilled = region_year["projected_stock"].sum()
    observed = _employment(tables, result.config, by_cell=True).copy()
    observed["period"] = pd.PeriodIndex(observed["period"]).asfreq("Y")
    history = observed.groupby(["region", "period"], observed=True)[
        [c for c in ("employment", "skilled", "high_skilled") if c in observed]].mean()
    for level, suffix in levels:
        target = region_year[f"target_share{suffix}"].first()
        stock = region_year[f"projected_stock{suffix}"].sum()
        added = workers.reindex(stock.index, fill_value=0.0)
        if level == "skilled":
            without, with_plan = stock / employment, (stock + added) / employment
            past = history["skilled"] / history["employment"]
        else:
            high = stock + _high_skilled_workers(result, plan_level).reindex(
                stock.index, fill_value=0.0)
            without, with_plan = stock / skilled, high / (skilled + added)
            past = history["high_skilled"] / history["skilled"]
        frames.append(pd.concat([
            past.rename("observed_share").reset_index().assign(skill_level=level),
            pd.DataFrame({"target_share": target, "share_without_plan": without,
                          "share_with_plan": with_plan}).reset_index().assign(
                skill_level=level)], ignore_index=True))
    out = pd.concat(frames, ignore_index=True)
    columns = ["region", "skill_level", "period", "observed_share", "target_share",
               "share_without_plan", "share_with_plan"]
    return out[columns].sort_values(["skill_level", "region", "period"]).reset_index(drop=True)


def _high_skilled_workers(result: RunResult, plan_level: str) -> pd.Series:
    """The plan's certified workers per region and year who are high-skilled.

    Those of the plan's cells at a high-skilled level when the plan is per
    skill level; otherwise all of them when the plan serves the high-skilled
    target, and none when it serves the skilled one.
    """
    cells, levels = result.plan.cells, result.config.data.levels()
    if "skill_level" in cells.columns and levels is not None:
        cells = cells[levels.flags(cells["skill_level"].astype(str))[1]]
    elif plan_level != "high_skilled":
        cells = cells.iloc[:0]
    return cells.groupby(["region", "period"], observed=True)["workers"].sum()


def _budget(value):
    """``[plan] budget``: a number, or per year (``{"2026": money}`` or a CSV)."""
    if isinstance(value, dict):
        return pd.DataFrame({"period": list(value), "budget": list(value.values())})
    if isinstance(value, str):
        table = _read_csv(value, "budget", ["period"])
        if not {"period", "budget"} <= set(table.columns):
            raise ConfigError(f"[plan] budget: {value} needs columns 'period' and 'budget'; "
                              f"columns are {list(table.columns)}")
        return table[["period", "budget"]]
    return value
