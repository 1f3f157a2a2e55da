"""Workforce projections and policy targets for a multi-year plan of the ``talentgap`` command.

With ``[plan] years`` and ``[targets]`` the plan has to meet a policy need
as well as the market need: the persons short of a target share of skilled
(and high-skilled) workers, per cell and year. This module turns the
configuration and the input tables into that need. It projects employment
and the skilled stocks without the plan (exits at the configured or
estimated exit rates, inflows from the forecast certified supply split by
skill level), computes the policy need per cell and year with
:func:`talentgap.planning.policy_need`, shares a cell's need over its skill
levels when the plan's cells are per level, and, once the plan is made,
traces each region's observed, target and projected shares per year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap import features, planning
from talentgap.cli._level_needs import need_by_level, workforce_keys
from talentgap.cli._panel_settings import panel_lead_time
from talentgap.cli._plan_inputs import (
    FROM_TRAINING,
    panel_absorption,
    plan_parameter,
    spread_of,
    supply_crosswalk,
)
from talentgap.cli._plan_levels import JOINS, high_joins_skilled, joins_skilled, plan_stock_workers
from talentgap.cli._result import RunResult
from talentgap.cli._target_table import target_spans, targets_table
from talentgap.cli._totals import ALL_REGIONS, national_shares
from talentgap.cli.config import Config
from talentgap.errors import ConfigError, DataQualityWarning, SchemaError, warn

__all__ = ["exit_rates", "policy_needs", "need_by_level", "joint_need", "plan_policy_need",
           "policy_need_table",
           "target_paths",
           "high_skilled_share_falls", "workforce_keys"]


def exit_rates(result: RunResult, tables: dict, *, by_stock: bool = False):
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
    keys = workforce_keys(config)
    value = config.plan.exit_rate
    if value != "estimate":
        return plan_parameter(value, "exit_rate", list(config.data.keys),
                              encoding=config.data.encoding)
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
    skilled and high-skilled stocks, ``supply`` and ``supply_high_skilled``,
    each programme's output split over industries as the panel's supply is
    (:func:`talentgap.cli._plan_inputs.supply_crosswalk`).
    """
    keys, levels = workforce_keys(config), config.data.levels()
    training = tables.get("training")
    if levels is None or training is None or "skill_level" not in training.columns:
        supply = panel[[*config.data.keys, "period", "supply"]].dropna(subset=["supply"])
        return supply.groupby([*keys, "period"], observed=True)["supply"].sum().reset_index()
    return features.stock_pipeline(training, skill_levels=levels, keys=keys,
                                   freq=config.data.freq, lead_time=panel_lead_time(config),
                                   absorption=panel_absorption(config),
                                   crosswalk=supply_crosswalk(tables, config))


def _employment(tables: dict, config: Config, *, by_cell: bool = False) -> pd.DataFrame:
    """The employment table the targets read, as given or (``by_cell``) one row per cell.

    With ``[data] skill_levels`` and a table by ``skill_level``, ``skilled``
    and ``high_skilled`` are the workers of the levels declared skilled and
    high-skilled (:func:`talentgap.features.skilled_employment`); otherwise
    the table must carry a ``skilled`` column, and a table by ``skill_level``
    without declared levels is summed over its levels per cell (as the panel
    sums them).
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
                                           keys=workforce_keys(config))
    if not by_level and "skill_level" in employment.columns:
        # levels not declared: the levels of a cell add up, as in the panel
        keys = [*workforce_keys(config), "period"]
        counts = [c for c in ("employment", "skilled", "high_skilled") if c in employment]
        return employment.groupby(keys, observed=True, sort=True)[counts].sum().reset_index()
    return employment


def joint_need(policy: pd.DataFrame) -> pd.DataFrame:
    """The workers short of both targets, per cell and year, split by the level they need.

    Per cell and year, with ``S`` the skilled need (``policy_need``), ``N``
    the high-skilled need (``policy_need_high_skilled``: ``h (K + S) - H``,
    measured against the skilled workers once the skilled target is met) and
    ``h`` the high-skilled target share of skilled workers: a high-skilled
    worker also counts as skilled, so the ``a`` high-skilled workers needed
    count toward ``S`` too and only ``b = max(0, S - a)`` further skilled
    workers (of any skilled level) are needed:

    - ``N <= S``: ``a = N``, ``b = S - N`` (the skilled target met exactly,
      ``N`` of its new workers high-skilled);
    - ``N > S``: the high-skilled workers alone raise the skilled count past
      ``K + S``, and with it the high-skilled target: ``(H + a) / (K + a) = h``
      gives ``a = (N - h S) / (1 - h)``, ``b = 0``.

    Neither worker is counted twice: ``a + b = max(S, a)``. A cell without a
    high-skilled target (``h`` missing) has ``a = 0``.

    Where the high-skilled places are upgrades from a skilled level, a
    high-skilled worker does not add a skilled one: with ``f`` the share of
    the cell's high-skilled places that bring a new skilled worker (its
    training at high-skilled levels by the net-inflow rule, kept by
    :func:`policy_needs` in the column ``high_skilled_adds_skilled``; 1 without it),
    ``a = N`` and ``b = S - f N`` while ``f N <= S``, else
    ``a = (N - h S) / (1 - h f)`` and ``b = 0`` (with ``f = 1`` the rules
    above; with ``f = 0`` the two needs are apart).

    Returns
    -------
    pandas.DataFrame
        ``policy`` with ``need_high_skilled`` (``a``) and ``need_skilled`` (``b``).

    Examples
    --------
    >>> policy = pd.DataFrame({"policy_need": [10.0, 2.0],
    ...                        "policy_need_high_skilled": [4.0, 7.0],
    ...                        "target_share_high_skilled": [0.4, 0.5]})
    >>> joint_need(policy)[["need_high_skilled", "need_skilled"]].to_numpy().tolist()
    [[4.0, 6.0], [12.0, 0.0]]
    """
    skilled = policy["policy_need"].to_numpy(dtype=float)
    high = policy["policy_need_high_skilled"].fillna(0.0).to_numpy(dtype=float)
    share = policy["target_share_high_skilled"].to_numpy(dtype=float)
    joins = high_joins_skilled(policy)
    with np.errstate(divide="ignore", invalid="ignore"):
        beyond = (high - share * skilled) / (1.0 - share * joins)
    a = np.where(joins * high <= skilled, high,
                 np.where(share * joins < 1.0, beyond, high))
    a = np.where(np.isnan(share) | (high <= 0), 0.0, np.maximum(a, 0.0))
    return policy.assign(need_high_skilled=a,
                         need_skilled=np.maximum(skilled - joins * a, 0.0))


def policy_need_table(result: RunResult) -> pd.DataFrame:
    """``policy_need.csv``: the policy need per cell (without ``skill_level``) and year.

    :attr:`RunResult.policy` with its skilled need named for its level,
    ``policy_need_skilled`` (as ``policy_need_high_skilled``), so that it is
    not taken for ``plan_cells.csv``'s ``policy_need``, the need the plan
    serves per plan cell. When the plan serves both targets, also the
    workers short of both at once (:func:`joint_need`):
    ``joint_need_high_skilled`` and ``joint_need_skilled``, whose sum over
    the cells of a year is the shortfall against the targets before the
    plan (``policy_shortfall_before`` of ``plan_years.csv``), up to the
    need of cells without a level to train for it (warned).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> policy = pd.DataFrame({"region": ["A"], "industry": ["x"], "period": [2029],
    ...                        "policy_need": [10.0], "policy_need_high_skilled": [4.0],
    ...                        "target_share_high_skilled": [0.4]})
    >>> result = SimpleNamespace(policy=policy, config=SimpleNamespace(
    ...     targets=SimpleNamespace(plan_levels=("skilled", "high_skilled"))))
    >>> policy_need_table(result).columns[-3:].tolist()
    ['target_share_high_skilled', 'joint_need_high_skilled', 'joint_need_skilled']
    """
    table = result.policy
    if len(result.config.targets.plan_levels) == 2 and {
            "policy_need_high_skilled", "target_share_high_skilled"} <= set(table.columns):
        parts = joint_need(table)
        table = table.assign(joint_need_high_skilled=parts["need_high_skilled"],
                             joint_need_skilled=parts["need_skilled"])
    return table.drop(columns=[JOINS], errors="ignore").rename(
        columns={"policy_need": "policy_need_skilled"})


def plan_policy_need(policy: pd.DataFrame, pipeline: pd.DataFrame,
                     config: Config, training: pd.DataFrame | None = None, *,
                     spread=FROM_TRAINING) -> pd.DataFrame:
    """``[targets] plan_level``: the policy need the plan serves, per plan cell and year.

    One level: that level's need (``policy_need`` or
    ``policy_need_high_skilled``), shared over the plan's skill levels that
    train for it when cells are per level (:func:`need_by_level`). Both
    levels: :func:`joint_need`'s high-skilled workers go to the high-skilled
    levels and the further skilled workers to every skilled level, added
    per cell; cells must then be per ``skill_level``. With the ``training``
    table, levels share a need by what their places add to its stock
    (:func:`need_by_level`; ``spread`` the run's supply crosswalk as for it).
    """
    targets, keys = config.targets, list(config.data.keys)
    cell_keys = workforce_keys(config)
    levels = targets.plan_levels
    for level in levels:
        column = "policy_need" if level == "skilled" else "policy_need_high_skilled"
        if column not in policy.columns:
            raise ConfigError(f"[targets] plan_level = {targets.plan_level!r} but no {level} "
                              "target is set")
    if len(levels) == 1:
        column = "policy_need" if levels[0] == "skilled" else "policy_need_high_skilled"
        need = policy[[*cell_keys, "period", column]].rename(columns={column: "policy_need"})
        return need_by_level(need, pipeline, config, levels[0], training, spread=spread) \
            if "skill_level" in keys else need
    if "skill_level" not in keys:
        raise ConfigError("[targets] plan_level = both levels needs the plan's cells by skill "
                          "level (\"skill_level\" in [data] keys), so that its high-skilled "
                          "places can be told from its other skilled places; or plan for one "
                          "level")
    parts = joint_need(policy)
    need = pd.concat([
        need_by_level(parts[[*cell_keys, "period", "need_high_skilled"]].rename(
            columns={"need_high_skilled": "policy_need"}), pipeline, config, "high_skilled",
            training, spread=spread),
        need_by_level(parts[[*cell_keys, "period", "need_skilled"]].rename(
            columns={"need_skilled": "policy_need"}), pipeline, config, "skilled", training,
            spread=spread)],
        ignore_index=True)
    return need.groupby([*keys, "period"], observed=True, sort=True)["policy_need"].sum(
        ).reset_index()


def policy_needs(result: RunResult, tables: dict, paths: pd.DataFrame, pipeline: pd.DataFrame,
                 need_years: list[int], *, spread=FROM_TRAINING) -> pd.DataFrame:
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
    keys, targets = workforce_keys(config), config.targets  # stocks per cell, not per level
    levels = config.data.levels()  # an employment table by skill_level: the declared levels
    employment = _employment(tables, config)
    spread = spread_of(spread, tables.get("training"), config)  # once: the supply crosswalk
    last_year = pd.PeriodIndex(employment["period"]).max().year
    horizon = need_years[-1] - last_year
    if horizon < 1:
        raise ConfigError(f"[plan] years must end after the employment table's last year "
                          f"{last_year}")
    total = _employment(tables, config, by_cell=True)  # persons employed, every level
    projected = planning.project_employment(
        total.drop(columns=[c for c in ("skilled", "high_skilled") if c in total.columns]),
        keys=keys, horizon=horizon, freq="Y", level=None, n_jobs=config.forecast.n_jobs)
    table = targets_table(config)
    if targets.file is not None:
        _check_file_years(table, targets.file, need_years)
    high_target = bool((table.get("skill_level") == "high_skilled").any())
    stock = planning.project_skilled_stock(
        employment, keys=keys, horizon=horizon, freq="Y",
        pipeline=_stock_inflows(config, tables, _with_observed_supply(
            pipeline, result.panel, employment, config), high_target=high_target,
            spread=spread),
        exit_rate=exit_rates(result, tables, by_stock=True), skill_levels=levels)
    demand = (paths.groupby([*config.data.keys, "period"], observed=True)["demand"].mean()
              .groupby([*keys, "period"], observed=True).sum().reset_index())
    need = planning.policy_need(projected, stock, table, observed=employment, keys=keys,
                                share_by=targets.share_by, demand=demand, skill_levels=levels)
    need = need[need["period"].dt.year >= need_years[0]].reset_index(drop=True)
    _check_surveyed(employment, need, paths, keys, config)
    training = tables.get("training")
    if levels is not None and training is not None and "skill_level" in training.columns:
        need[JOINS] = joins_skilled(training, config, need, spread=spread)
    result.policy = need
    wide = stock.pivot_table(index=[*keys, "period"], columns="skill_level", values="stock",
                             observed=True).reset_index()
    wide.columns.name = None
    position = projected.merge(wide, on=[*keys, "period"], how="left")
    result.workforce = position[position["period"].dt.year >= need_years[0]].reset_index(
        drop=True)
    return need


def _with_observed_supply(pipeline: pd.DataFrame, panel: pd.DataFrame | None,
                          employment: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The forecast supply, preceded by the supply observed after the employment table ends.

    The stock projection starts from each cell's last employment observation;
    the certified workers the panel observes after it and before the forecast
    (employment ending 2024Q2, surveys 2024Q4) join the stock too.
    """
    if panel is None or "supply" not in panel.columns:
        return pipeline
    keys = list(config.data.keys)
    ends = pd.PeriodIndex(employment["period"])
    cells = [k for k in workforce_keys(config) if k in employment.columns]
    start = (pd.Series(ends, index=pd.MultiIndex.from_frame(employment[cells]))
             .groupby(level=list(range(len(cells)))).max().min())
    period = pd.PeriodIndex(panel["period"])
    start = start.asfreq(period.freq, how="end")  # a yearly census: its year's last quarter
    later = (period > start) & (period < pd.PeriodIndex(pipeline["period"]).min())
    if not later.any():
        return pipeline
    observed = panel.loc[later, [*keys, "period", "supply"]].dropna(subset=["supply"])
    return pd.concat([observed, pipeline[[*keys, "period", "supply"]]], ignore_index=True)


def _check_surveyed(employment: pd.DataFrame, need: pd.DataFrame, paths: pd.DataFrame,
                    keys: list[str], config: Config) -> None:
    """Policy needs of cells the forecast does not have, named by their employment rows.

    Such a cell (an industry the surveys do not cover, or an all-industry
    row under a name that is not a totals label) has a policy need that no
    forecast cell can take; its employment rows are named with their input
    lines (the row label + 2, as validation keeps it).
    """
    known = pd.MultiIndex.from_frame(paths[keys].astype(object).drop_duplicates())
    lost = pd.MultiIndex.from_frame(need[keys].astype(object).drop_duplicates())
    lost = lost[~lost.isin(known)]
    if not len(lost):
        return
    bad = np.flatnonzero(pd.MultiIndex.from_frame(employment[keys].astype(object)).isin(lost))
    if not bad.size:  # not from the employment table: left to the plan's own check
        return
    index = employment.index
    lines = (index.to_numpy(dtype=np.int64)[bad] + 2
             if pd.api.types.is_integer_dtype(index.dtype) else bad + 2)
    values = employment[keys].astype(object).iloc[bad]
    shown = "; ".join(f"line {line} ({', '.join(map(str, row))})" for line, row in
                      zip(lines[:5], values.head(5).itertuples(index=False), strict=False))
    distinct = values.drop_duplicates()
    where = config.data.employment or "the employment table"
    raise SchemaError(
        f"{where}: employment: {len(bad)} row(s) name {len(distinct)} cell(s) "
        f"({', '.join(keys)}) that the surveys do not have, e.g. {shown}; a [targets] need "
        "is planned in surveyed cells only: leave these rows out of the employment file (a "
        "total of other rows always: totals are computed from the rows), or survey the cells "
        "[cell_not_surveyed]", column=keys[-1], reason="cell_not_surveyed",
        failure_cases=pd.DataFrame({"line": lines, "row": bad, "column": keys[-1],
                                    "rule": "cell_not_surveyed",
                                    "value": values[keys[-1]].to_numpy(dtype=object),
                                    "message": "cell not surveyed"}))


def _check_file_years(table: pd.DataFrame, path, need_years: list[int]) -> None:
    """The target years of a ``[targets] file`` within the need years the plan projects.

    As :func:`talentgap.cli._config_checks._check_target_year` for an inline
    ``target_year``: outside ``need_years`` there is no projection to meet it.
    """
    if "target_year" not in table.columns:
        return  # the targets table's own check names the missing column
    years = pd.to_numeric(table["target_year"], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero((years < need_years[0]) | (years > need_years[-1]))
    if bad.size:
        named = [c for c in ("region", "province", "skill_level") if c in table.columns]
        shown = "; ".join(
            f"row {i} ({', '.join(str(table[c].iloc[i]) for c in named)}): {years[i]:.0f}"
            for i in bad[:5])
        raise ConfigError(f"[targets] file {path}: column 'target_year' must be within the "
                          f"years the plan projects, {need_years[0]}-{need_years[-1]} ([plan] "
                          f"years and lead_time); {len(bad)} row(s) fail, e.g. {shown}")


def _stock_inflows(config: Config, tables: dict, pipeline: pd.DataFrame, *,
                   high_target: bool, spread=FROM_TRAINING) -> pd.DataFrame:
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
        return planning.pipeline_by_level(  # the mix of the training the supply counts
            pipeline, training, skill_levels=levels, keys=list(config.data.keys),
            freq=config.data.freq, lead_time=panel_lead_time(config),
            absorption=panel_absorption(config), crosswalk=spread_of(spread, training, config))
    if high_target:
        reason = ("[data] skill_levels are not declared" if levels is None else
                  "the training table has no 'skill_level' column")
        warn(f"the projected high-skilled stock gets no inflow from training, since "
             f"{reason}: certified workers count as skilled only, and the "
             "high-skilled need is that of exits alone", DataQualityWarning, stacklevel=2)
    return pipeline


def target_paths(result: RunResult, tables: dict, keys: list[str]) -> pd.DataFrame:
    """Per region, level and year: observed, target, projected and planned shares (0-1).

    Returns
    -------
    pandas.DataFrame
        ``region, skill_level, period, share_of, observed_share,
        target_share, share_without_plan, share_with_plan,
        workers_without_plan, workers_with_plan, denominator_without_plan,
        denominator_with_plan, target_year, base_period, base_share, base_year,
        base_year_from`` (whether the base year was set or is the last observed
        year, which moves with each year of new data). ``skill_level``
        ``"skilled"`` rows are
        skilled workers as a share of employment (``share_of`` is
        ``"employment"``), ``"high_skilled"`` rows high-skilled workers as a
        share of skilled workers (``share_of`` is ``"skilled"``; the skilled
        count includes the high-skilled). Observed years carry
        ``observed_share`` (at each cell's last observed period of the year, as
        the base share) only; projected years the target
        path and the projections, with the counts (persons) behind each
        projected share: ``share = workers / denominator``. The plan's
        certified workers add to the stocks by the net-inflow rule
        (:func:`talentgap.cli._plan_levels.plan_stock_workers`): new workers
        at a skilled level to the skilled workers, at a high-skilled level
        to both, and upgrades from a skilled to a high-skilled level to the
        high-skilled workers alone, so the plan's new skilled workers
        enlarge the denominator of the high-skilled share. Employment is the
        same with and without the plan.
        Rows with a target carry its ``target_year`` and the share its path
        starts from, ``base_share``, observed in ``base_period``
        (:func:`talentgap.cli._target_table.target_spans`), from whichever
        source the targets came (inline keys or a file, each row its own
        years). Last come the rows of all regions together
        (``region`` :data:`talentgap.cli._totals.ALL_REGIONS`, no target):
        shares of the summed workers and denominators
        (:func:`talentgap.cli._totals.national_shares`).
        With places already funded (``[plan] committed``) a column
        ``committed_workers`` gives the workers they add to the level's
        count (persons); they are in the stocks both without and with the
        plan (their skilled workers in the high-skilled share's denominator
        too), since the plan cannot undo them.
    """
    need = result.policy
    workers = plan_stock_workers(result, tables)
    # places already funded ([plan] committed): part of the stocks with and without the plan
    committed = plan_stock_workers(result, tables, column="committed_workers")
    frames = []
    levels = [("skilled", "")] + ([("high_skilled", "_high_skilled")]
                                  if "target_share_high_skilled" in need.columns else [])
    region_year = need.groupby(["region", "period"], observed=True)
    employment = region_year["employment"].sum()
    skilled = region_year["projected_stock"].sum()
    by_cell = _employment(tables, result.config, by_cell=True)
    # a year's stock is each cell's count in the last period of the year it was observed in
    quarters = pd.PeriodIndex(by_cell["period"])
    observed = (by_cell.assign(period=quarters.asfreq("Y"), _t=quarters.asi8)
                .sort_values("_t", kind="stable")
                .groupby([*workforce_keys(result.config), "period"], observed=True).tail(1)
                .drop(columns="_t"))
    history = observed.groupby(["region", "period"], observed=True)[
        [c for c in ("employment", "skilled", "high_skilled") if c in observed]].mean()
    for level, suffix in levels:
        target = region_year[f"target_share{suffix}"].first()
        stock = region_year[f"projected_stock{suffix}"].sum()
        added = workers.reindex(stock.index, fill_value=0.0)
        done = (added * 0.0 if committed is None
                else committed.reindex(stock.index, fill_value=0.0))
        stock = stock + done[level]
        if level == "skilled":
            share_of, with_workers = "employment", stock + added["skilled"]
            base, with_base = employment, employment
            past = history["skilled"] / history["employment"]
        else:
            share_of = "skilled"
            with_workers = stock + added["high_skilled"]
            base = skilled + done["skilled"]
            with_base = base + added["skilled"]
            past = history["high_skilled"] / history["skilled"]
        frames.append(pd.concat([
            past.rename("observed_share").reset_index(),
            pd.DataFrame({"target_share": target, "share_without_plan": stock / base,
                          "share_with_plan": with_workers / with_base,
                          "workers_without_plan": stock, "workers_with_plan": with_workers,
                          "denominator_without_plan": base,
                          "denominator_with_plan": with_base,
                          "committed_workers": done[level]}).reset_index()],
            ignore_index=True).assign(skill_level=level, share_of=share_of))
    columns = ["region", "skill_level", "period", "share_of", "observed_share", "target_share",
               "share_without_plan", "share_with_plan", "workers_without_plan",
               "workers_with_plan", "denominator_without_plan", "denominator_with_plan"]
    if committed is not None:   # labelled: the workers of places already funded
        columns.append("committed_workers")
    out = pd.concat(frames, ignore_index=True)[columns]
    spans = target_spans(targets_table(result.config), by_cell, workforce_keys(result.config))
    out = out.merge(spans, on=["region", "skill_level"], how="left")
    if committed is not None:   # a later column: last, so readers by position keep working
        out["committed_workers"] = out.pop("committed_workers")
    out.loc[out["target_share"].isna(), ["target_year", "base_period", "base_share",
                                         "base_year", "base_year_from"]] = np.nan
    out = out.sort_values(["skill_level", "region", "period"]).reset_index(drop=True)
    national = national_shares(out, observed)
    if committed is not None:   # all regions' committed workers, summed as the counts are
        summed = out.groupby(["skill_level", "period"], observed=True)[
            "committed_workers"].sum(min_count=1).rename("committed_workers").reset_index()
        national = national.drop(columns="committed_workers", errors="ignore").merge(
            summed, on=["skill_level", "period"], how="left")
    return pd.concat([out, national[national.columns.intersection(out.columns)]],
                     ignore_index=True)[out.columns]


def high_skilled_share_falls(path: pd.DataFrame, year, *, decimals: int = 1) -> pd.DataFrame:
    """Regions where the plan lowers the high-skilled share of skilled workers in ``year``.

    The plan's certified workers all join the skilled workers, the
    denominator of the high-skilled share, and only those at high-skilled
    levels its numerator. With ``H`` high-skilled of ``S`` skilled workers
    without the plan, and ``h`` high-skilled among the plan's ``a``
    workers, the share with the plan ``(H + h) / (S + a)`` is below
    ``H / S`` exactly when ``h / a < H / S``: when the plan's workers are
    less often high-skilled than the skilled workers already are.

    Parameters
    ----------
    path : pandas.DataFrame
        :func:`target_paths` output.
    year : pandas.Period or int
        The year to look at (``period`` may hold annual periods or years).
    decimals : int, default 1
        Only falls that show at this many decimals of a percentage count
        (the report's precision).

    Returns
    -------
    pandas.DataFrame
        ``region, period, share_without_plan, share_with_plan,
        plan_workers`` (``a``, persons), ``plan_high_skilled`` (``h``),
        ``plan_high_skilled_share`` (``h / a``, 0-1), largest fall first;
        empty where the share does not fall.

    Examples
    --------
    >>> path = pd.DataFrame({
    ...     "region": ["A", "B"], "skill_level": "high_skilled",
    ...     "period": pd.PeriodIndex(["2029", "2029"], freq="Y"),
    ...     "share_without_plan": [0.30, 0.30], "share_with_plan": [300 / 1100, 0.35],
    ...     "workers_without_plan": [300.0, 300.0], "workers_with_plan": [300.0, 350.0],
    ...     "denominator_without_plan": [1000.0, 1000.0],
    ...     "denominator_with_plan": [1100.0, 1000.0]})
    >>> high_skilled_share_falls(path, 2029)[["region", "plan_workers", "plan_high_skilled"]]
      region  plan_workers  plan_high_skilled
    0      A         100.0                0.0
    """
    year = pd.Period(str(year), "Y").year
    periods = path["period"]  # periods, or years as numbers (a target_path.csv read back)
    years = periods.dt.year if isinstance(periods.dtype, pd.PeriodDtype) else periods
    rows = path[(path["skill_level"] == "high_skilled") & (years.astype("int64") == year)
                & (path["region"] != ALL_REGIONS)]
    rows = rows.dropna(subset=["share_without_plan", "share_with_plan"])
    shown = 100 * rows[["share_without_plan", "share_with_plan"]]
    rows = rows[shown["share_with_plan"].round(decimals)
                < shown["share_without_plan"].round(decimals)]
    added = rows["denominator_with_plan"] - rows["denominator_without_plan"]
    high = rows["workers_with_plan"] - rows["workers_without_plan"]
    out = pd.DataFrame({"region": rows["region"], "period": rows["period"],
                        "share_without_plan": rows["share_without_plan"],
                        "share_with_plan": rows["share_with_plan"], "plan_workers": added,
                        "plan_high_skilled": high,
                        "plan_high_skilled_share": high / added.where(added > 0)})
    fall = out["share_without_plan"] - out["share_with_plan"]
    return out.loc[fall.sort_values(ascending=False, kind="stable").index].reset_index(
        drop=True)
