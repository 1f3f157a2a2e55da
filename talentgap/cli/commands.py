"""``talentgap demo | features | forecast | backtest | plan``: the planner's commands.

Each command reads a TOML config (``--config``), applies flags on top (flags
win), runs its part of the pipeline (:mod:`talentgap.cli.pipeline`) and
writes tables, charts and ``report.html`` into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import textwrap
import tomllib
from pathlib import Path

from talentgap.cli._common import UsageError
from talentgap.cli._wording import model_name
from talentgap.cli.config import MODEL_NAMES, Config, load_config
from talentgap.cli.editions import (
    add_store_options,
    check_store_options,
    check_stored,
    edition_exit,
    store_run,
    stored_check,
)
from talentgap.errors import ConfigError

__all__ = ["add_pipeline_commands"]

logger = logging.getLogger("talentgap.cli")

_COMMANDS = {
    "demo": {
        "steps": ("features", "backtest", "forecast", "plan"),
        "help": "the whole job on the bundled demo data",
        "description": "Validate, estimate, backtest, forecast and plan on the bundled demo "
                       "data; write every table, chart and report.html into --out.",
        "example": "talentgap demo --out demo-out\n"
                   "  talentgap demo --out demo-out --horizon 8 --budget 2e6 --format json",
    },
    "features": {
        "steps": ("features",),
        "help": "build the cell x period panel from survey and training files",
        "description": "Validate the input files and build the panel of demand, supply and "
                       "gap per cell and period (panel.csv; its trained, certified and "
                       "pass_rate columns are, like supply, at the period the certified "
                       "workers become available: [panel] lead_time after training).",
        "example": "talentgap features --surveys surveys.csv --training training.csv "
                   "--out out",
    },
    "forecast": {
        "steps": ("features", "forecast"),
        "help": "forecast demand, supply and the gap per cell",
        "description": "Fit the gap forecaster to the panel (or load a saved one with "
                       "--model) and forecast; writes forecast.csv, charts and report.html.",
        "example": "talentgap forecast --config examples/plan.toml --out out "
                   "--save-model out/model\n"
                   "  talentgap forecast --model out/model --horizon 4 --out out2",
    },
    "backtest": {
        "steps": ("features", "backtest"),
        "help": "rolling-origin accuracy of the gap forecast against baselines",
        "description": "Refit at past cutoffs and compare the gap forecasts with what "
                       "happened; writes backtest.csv, leaderboard.csv and report.html.",
        "example": "talentgap backtest --config examples/plan.toml --out out "
                   "--set backtest.n_windows=4",
    },
    "plan": {
        "steps": ("features", "forecast", "plan"),
        "help": "allocate training places under a budget",
        "description": "Forecast the gap and allocate training places per cell to minimise "
                       "the expected shortfall within the budget; writes quotas.csv, the "
                       "plan tables, charts and report.html.",
        "example": "talentgap plan --config examples/plan.toml --budget 5e6 "
                   "--cost-per-trainee 6000 --out out",
    },
}

#: ``[data]`` settings of ``talentgap demo``: cells by region, industry and skill level, and
#: the demo files' skill levels, lowest first (employment also counts workers without a
#: skill certificate, ``unskilled``; vacancies and training are ``skilled`` or
#: ``high_skilled``).
DEMO_DATA = {"keys": ["region", "industry", "skill_level"],
             "skill_levels": ["unskilled", "skilled", "high_skilled"],
             "high_skilled": ["high_skilled"], "unskilled": ["unskilled"]}

# flag -> (table, key, type): flags override the config file
_FLAG_SETTINGS = {
    "surveys": ("data", "surveys", str),
    "training": ("data", "training", str),
    "employment": ("data", "employment", str),
    "freq": ("data", "freq", str),
    "horizon": ("forecast", "horizon", int),
    "forecaster": ("forecast", "model", str),
    "n_jobs": ("forecast", "n_jobs", int),
    "budget": ("plan", "budget", float),
    "cost_per_trainee": ("plan", "cost_per_trainee", str),
    "pass_rate": ("plan", "pass_rate", str),
    "out": ("output", "dir", str),
}


def _add_common(parser: argparse.ArgumentParser, name: str) -> None:
    inputs = parser.add_argument_group("inputs and settings (override the config file)")
    inputs.add_argument("--config", type=Path, metavar="TOML",
                        help="run configuration (see examples/plan.toml)")
    if name != "demo":
        inputs.add_argument("--surveys", metavar="PATH",
                            help="survey file (CSV, Excel .xlsx or Parquet)")
        inputs.add_argument("--training", metavar="PATH", help="training records file")
        inputs.add_argument("--employment", metavar="PATH", help="employment file")
        inputs.add_argument("--freq", choices=["Y", "Q", "M"], help="period frequency")
    if name != "features":
        inputs.add_argument("--horizon", type=int, metavar="N", help="periods ahead")
        inputs.add_argument("--forecaster", choices=MODEL_NAMES, metavar="NAME",
                            help="forecaster inside the gap model: %(choices)s (default auto)")
        inputs.add_argument("--n-jobs", type=int, metavar="N", help="parallel workers")
    if name in ("plan", "demo"):
        inputs.add_argument("--budget", type=float, metavar="MONEY", help=(
            "training budget" if name == "demo" else
            "training budget; with [plan] years, one total for the whole plan: it replaces "
            "a per-year [plan] budget (with a warning, as money may then move between "
            "years); to change one year's only, use --set plan.budget.2026=5e6"))
        inputs.add_argument("--cost-per-trainee", metavar="MONEY|CSV",
                            help="cost of one place: a number or a per-cell CSV")
        inputs.add_argument("--pass-rate", metavar="RATE|CSV",
                            help="share of trainees certified: a number or a per-cell CSV "
                                 "(default: the certified share of the training table's "
                                 "last year)")
    if name in ("forecast", "plan"):
        inputs.add_argument("--model", type=Path, metavar="DIR",
                            help="use a saved gap model instead of fitting one; its "
                            "saved run's [plan] settings are the defaults")
    if name in ("forecast", "plan", "demo"):
        inputs.add_argument("--save-model", type=Path, metavar="DIR",
                            help="save the fitted gap model as a safe artifact in DIR")
        add_store_options(parser)
    inputs.add_argument("--set", action="append", default=[], metavar="TABLE.KEY=VALUE",
                        help="any config setting, e.g. --set forecast.levels=[80,95], or "
                        "one entry of a table, e.g. --set plan.budget.2026=5e6 (repeatable; "
                        "the value is TOML, a bare word is a string)")
    out = parser.add_argument_group("outputs")
    out.add_argument("--out", metavar="DIR", help="output folder (default talentgap-out)")
    out.add_argument("--format", choices=["text", "json"], default="text",
                     help="text summary (default) or a JSON summary on stdout")
    out.add_argument("--no-report", action="store_true", help="skip report.html")
    out.add_argument("--no-charts", action="store_true", help="skip the PNG charts")


def add_pipeline_commands(commands) -> None:
    """Add the pipeline commands to an ``argparse`` sub-parser collection."""
    for name, spec in _COMMANDS.items():
        parser = commands.add_parser(
            name, help=spec["help"], description=spec["description"],
            epilog=textwrap.dedent(f"examples:\n  {spec['example']}\n"),
            formatter_class=argparse.RawDescriptionHelpFormatter)
        _add_common(parser, name)
        parser.set_defaults(run=_run_command, command_name=name)


# ---- running -------------------------------------------------------------------------------
def _parse_set(item: str) -> dict:
    setting, sep, text = item.partition("=")
    table, dot, key = setting.partition(".")
    if not sep or not dot or not table or not key:
        raise UsageError(f"--set {item}: expected TABLE.KEY=VALUE, e.g. forecast.horizon=8")
    try:
        value = tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        value = text  # a bare word: a string
    return {table.strip(): {key.strip(): value}}


def _merge(into: dict, update: dict) -> dict:
    for table, values in update.items():
        into.setdefault(table, {}).update(values)
    return into


def _dotted(overrides: dict, config: Config) -> dict:
    """``--set plan.budget.2026=1e6``: one entry of a table-valued setting, the others kept.

    A key with a dot (``budget.2026``) names an entry of the setting before
    the dot, which must be a table (a budget per year, a column map) or
    unset; several such flags for one setting add up. Any other key is left
    for the configuration's own check (an unknown key there gets a suggestion).
    """
    out: dict = {}
    for table, values in overrides.items():
        section = getattr(config, table, None)
        for key, value in values.items():
            head, dot, entry = key.partition(".")
            current = getattr(section, head, None) if section is not None else None
            if not dot or section is None or not hasattr(section, head):
                out.setdefault(table, {})[key] = value
                continue
            if current is not None and not isinstance(current, dict):
                raise UsageError(
                    f"--set {table}.{key}: [{table}] {head} is {current!r}, not a table, so "
                    f"it has no entry {entry!r}; set the whole setting instead, e.g. --set "
                    f"'{table}.{head}={{{entry} = {value!r}}}'")
            merged = out.setdefault(table, {}).get(head)
            if not isinstance(merged, dict):
                merged = dict(current or {})
            merged[entry.strip()] = value
            out[table][head] = merged
    return out


def _warn_budget_flag(per_year, years, budget) -> None:
    """Say what ``--budget`` does to a budget per year: one total, shared over the years.

    ``per_year`` is ``[plan] budget`` before the flag, ``years`` ``[plan] years``.
    """
    if not isinstance(per_year, (dict, str)) or not years:
        return
    given = (", ".join(f"{year}: {float(money):,.0f}" for year, money in per_year.items())
             + f"; {sum(float(m) for m in per_year.values()):,.0f} in all"
             if isinstance(per_year, dict) else f"the CSV {per_year}")
    logger.warning(
        "--budget replaces [plan] budget per year (%s) with one budget of %s for the whole "
        "plan: the plan may now move money between years, spending more in some and less in "
        "others; to change one year's money instead, use --set plan.budget.<year>=<money>",
        given, f"{float(budget):,.0f}")


def build_config(args: argparse.Namespace, *, saved: dict | None = None) -> Config:
    """The run configuration: defaults, then ``--config``, then ``--set``, then flags.

    ``talentgap demo`` starts from the demo data and plan settings
    (:data:`DEMO_DATA`, :data:`~talentgap.cli.pipeline.DEMO_PLAN`, whose
    absorption the panel uses too) instead of the defaults. With ``--model``,
    ``saved`` is the saved run's configuration (the artifact's
    ``metadata["config"]``): its plan settings are the defaults, as ``POST
    /v1/plan`` takes them, and a plan with an absorption other than the
    model's is refused (:mod:`talentgap.cli._saved_run`).
    """
    defaults = Config()
    model_dir = getattr(args, "model", None)
    if model_dir is not None:
        from talentgap.cli._saved_run import saved_run_defaults

        defaults = saved_run_defaults(defaults, saved, model_dir)
    if getattr(args, "command_name", None) == "demo":
        from talentgap.cli import pipeline

        # certified workers of past training (the panel's supply) stay in their trade at
        # the same rate as those of the planned places: 85%, the demo cells' mean (75-95%)
        defaults = defaults.with_overrides({
            "data": DEMO_DATA, "plan": pipeline.DEMO_PLAN,
            "panel": {"absorption": pipeline.DEMO_PLAN["absorption"]},
            "output": {"currency": "yuan"}})
    config = (load_config(args.config, defaults=defaults) if args.config is not None
              else defaults)
    overrides: dict = {}
    for item in args.set:
        _merge(overrides, _parse_set(item))
    overrides = _dotted(overrides, config)
    if getattr(args, "budget", None) is not None:  # before the flag replaces it
        plan = overrides.get("plan", {})
        _warn_budget_flag(plan.get("budget", config.plan.budget),
                          plan.get("years", config.plan.years), args.budget)
    for flag, (table, key, kind) in _FLAG_SETTINGS.items():
        value = getattr(args, flag, None)
        if value is None:
            continue
        if kind is str and flag in ("cost_per_trainee", "pass_rate"):
            value = _number_or_path(value)
        _merge(overrides, {table: {key: value}})
    config = config.with_overrides(overrides, source="command line") if overrides else config
    if model_dir is not None and getattr(args, "command_name", None) == "plan":
        from talentgap.cli._saved_run import check_model_absorption

        check_model_absorption(config, saved, model_dir)
    return config


def _number_or_path(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def _progress(enabled: bool, total: int):
    """A tqdm bar on a terminal; a logging callback otherwise."""
    if enabled:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit="step", file=sys.stderr, leave=False)

        def advance(step: str) -> None:
            bar.set_description(step)
            bar.update(1)

        advance.close = bar.close
        return advance

    def log(step: str) -> None:
        logger.info("%s ...", step)

    log.close = lambda: None
    return log


def _run_command(args: argparse.Namespace) -> int:
    # the steps, models and outputs load when a command runs, not for --help
    from talentgap import models
    from talentgap.cli import outputs, pipeline
    from talentgap.cli._output_files import OutdatedCheck
    from talentgap.planning._saved_run import saved_place_entrants

    name = args.command_name
    check_store_options(args)
    steps = _COMMANDS[name]["steps"]
    gap_model = saved = None
    if getattr(args, "model", None) is not None:
        from talentgap.models.persistence import load_with_metadata

        metadata, gap_model = load_with_metadata(args.model)   # the saved run's settings too
        saved = metadata.get("config")
    config = build_config(args, saved=saved)
    if gap_model is not None:
        if not isinstance(gap_model, models.GapForecaster):
            raise ConfigError(f"--model {args.model}: holds a {type(gap_model).__name__}, "
                              "not a GapForecaster")
        steps = tuple(s for s in steps if s != "features")
        # the cells are the model's: plan tables, charts and the report use its keys
        config = config.with_overrides({"data": {"keys": list(gap_model.cells_.columns)}})
    out = Path(config.output.dir)
    bar = _progress(sys.stderr.isatty() and not args.quiet, total=len(steps) + 2)
    stored: list[str] = []  # the edition store, checked before any work: this run already?
    try:
        if gap_model is not None:
            stored += filter(None, [check_stored(args, config, gap_model)])
        result = pipeline.run(config, steps=steps, demo=name == "demo", gap_model=gap_model,
                              progress=bar, before_fit=stored_check(args, config, stored),
                              place_entrants=saved_place_entrants(saved))
        bar("writing outputs")
        outdated = OutdatedCheck(out, steps)  # other commands' files built on this step's
        files = outputs.write_tables(result, out, parquet=config.output.parquet,
                                     csv_encoding=config.output.csv_encoding)
        _say_outdated(result, outdated)
        figures = {}
        if config.output.charts and not args.no_charts or (
                config.output.report and not args.no_report):
            figures = outputs.charts(result)
        if config.output.charts and not args.no_charts:
            files += outputs.write_charts(figures, out)
        if config.output.report and not args.no_report:
            from talentgap.cli.reporting import build_report

            files.append(build_report(result, figures, command=name).write(out / "report.html"))
        _close(figures)
        stale = outputs.stale_outputs(out, files, steps)  # this run's steps only
        if stale:
            shown = ", ".join(stale[:5]) + (f" and {len(stale) - 5} more" if len(stale) > 5
                                           else "")
            logger.warning("the output folder %s holds %d file(s) of an earlier run that this "
                           "run did not write: %s; they do not belong to these results: remove "
                           "them or use a new --out folder (files other commands write, such "
                           "as a backtest's next to a forecast's, are left alone)", out,
                           len(stale), shown)
        save_to = getattr(args, "save_model", None)
        if save_to is not None and result.gap_model is not None:
            result.gap_model.save(save_to, config=pipeline.saved_config(result))
            logger.info("model saved to %s", save_to)
            _say_saved_horizon(result.gap_model, config, save_to)
        edition = None if stored else store_run(args, result, config, written=files)
    finally:
        bar.close()
    _print_summary(result, args, name, out, files, stored=stored[0] if stored else None,
                   edition=edition)
    return edition_exit(edition)


def _say_outdated(result, outdated) -> None:
    """Warn of, and note in the report, another command's files this run makes outdated.

    A plan's files after another forecast, say: made from an earlier one,
    left as they were (:class:`~talentgap.cli._output_files.OutdatedCheck`).
    """
    note = outdated.message()
    if note is not None:
        logger.warning("%s", note)
        result.notes.append(note)


def _say_saved_horizon(gap_model, config: Config, save_to) -> None:
    """Say how far a saved model answers: the periods it simulates, fixed at the fit.

    A warning when the span came from the run's own needs (``[forecast]
    max_horizon`` not set): a model served later refuses longer horizons and
    plans that reach further.
    """
    if gap_model.horizon is None:
        return
    chosen = config.forecast.max_horizon is not None
    (logger.info if chosen else logger.warning)(
        "the model saved to %s answers forecasts and plans up to %d periods after %s "
        "(the span this run simulated%s); to serve longer horizons or multi-year plans, set "
        "[forecast] max_horizon (e.g. --set forecast.max_horizon=%d) and fit again",
        save_to, int(gap_model.horizon), gap_model.origin_,
        "" if chosen else ": [forecast] horizon, or the [plan] years' needs",
        max(8, 2 * int(gap_model.horizon)))


def _close(figures: dict) -> None:
    import matplotlib.pyplot as plt

    for fig in figures.values():
        plt.close(fig)


def _print_summary(result, args, name: str, out: Path, files: list[Path], *,
                   stored: str | None = None, edition=None) -> None:
    from talentgap.cli import outputs
    from talentgap.cli._known_supply import summary_line

    doc = outputs.summary(result, command=name, out=out, files=files)
    if stored is not None:  # the edition store holds this run already
        doc["already_stored"] = True
        doc["store_message"] = stored
    if edition is not None:  # --store: the edition stored, or why it was not
        doc["edition"] = edition.as_dict()
        stored = edition.message
    if args.format == "json":
        print(json.dumps(doc, indent=2, default=str))
        return
    lines = [f"talentgap {name}: wrote {len(files)} files to {out}"]
    for report in result.reports.values():  # "surveys: 120 rows in, ..."
        lines.append("  " + report.summary().replace("\n", "\n  "))
    if "forecast" in doc:
        f = doc["forecast"]
        lines.append(f"  forecast {f['periods'][0]}..{f['periods'][-1]} for {f['cells']} cells;"
                     f" in {f['last_period']}: net expected gap "
                     f"{f['net_expected_gap_last_period']:,.0f} persons, sum of positive "
                     f"expected gaps {f['sum_positive_expected_gaps_last_period']:,.0f} "
                     f"persons, {f['cells_likely_short']} cells short with a probability of "
                     f"{f['likely_short_min_p_shortage']:.0%} or more")
        known = summary_line(f.get("known_supply"))
        if known is not None:
            lines.append(f"  {known}")
    if result.leaderboard is not None:
        best = result.leaderboard.iloc[0]
        lines.append(f"  backtest: most accurate {model_name(str(best['model']))}; see "
                     "leaderboard.csv")
    if result.plan is not None:
        s = result.plan.summary
        currency = f" {result.config.output.currency}".rstrip()
        lines.append(f"  plan: {s['places']:,.0f} places for {s['total_cost']:,.0f} of "
                     f"{s['budget']:,.0f}{currency}; expected shortfall "
                     f"{s['shortfall_before']:,.0f} -> {s['shortfall_after']:,.0f}")
        lines.extend(_held_lines(doc["plan"]))
    if any(path.name == "report.html" for path in files):
        lines.append(f"  report: {out / 'report.html'}")
    if stored is not None:
        lines.append(f"  {stored}")
    print("\n".join(lines))


def _held_lines(plan: dict) -> list[str]:
    """The summary's line on how far a multi-year plan's needs were simulated, and held."""
    if "need_simulated" not in plan:
        return []
    first, last = plan["need_simulated"]
    line = f"  plan needs: gap simulated {first}..{last}"
    if plan["held_need_years"]:
        from talentgap.cli._pipeline_years import held_span
        from talentgap.planning._annual_needs import held_share_words

        carried = held_share_words(plan["held_need_share"])
        line += (f"; need years {held_span(plan['held_need_years'])} held at their "
                 f"{str(last)[:4]} level" + (f", carrying {carried}" if carried else ""))
    return [line]
