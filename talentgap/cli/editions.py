"""``talentgap editions`` and ``talentgap evaluate``: stored forecast editions and their scores.

``talentgap forecast ... --store FILE [--edition NAME]`` stores a run's model
and forecast as an edition (:func:`store_run`), after checking the store before
the work (:func:`check_stored`): running the same data and settings again
writes its files but does not store the edition again, another run under a
stored name is refused unless ``--replace-edition``; ``talentgap editions list
--store FILE`` lists the editions; ``talentgap evaluate --store FILE
--edition NAME --actuals DIR_OR_CONFIG --out OUT`` scores one against data
observed later and writes ``edition_scores.csv`` (per cell),
``edition_scores_by_group.csv``, ``edition_scores_summary.csv``,
``edition_scored.csv`` (per quantity: the periods and cells scored, and why the
edition's other cell-periods were not), ``edition_points.csv``,
``edition_revisions.csv`` (values of the edition's history that the later data
revise), ``edition_cells_not_scored.csv`` (cells not in the edition, cells
without any later value), ``edition_stocks.csv`` (an edition stored by
``talentgap plan`` with ``[targets]`` keeps the yearly workforce projection its
plan was funded on: its skilled and high-skilled stocks against those the later
employment table observes, per region and year; empty with a note when no year
overlaps) and
``evaluation_report.html`` (default folder ``talentgap-evaluation``, so that a
forecast's ``report.html`` is never overwritten). The CSV files are written in
the ``[output] csv_encoding`` of the ``--actuals`` configuration (for a
folder, the edition's own). The later panel is built with the edition's
stored panel settings; without ``--edition`` the edition with the latest
forecast origin is scored.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import textwrap
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from talentgap.cli._common import EXIT_BAD_INPUT, EXIT_OK, UsageError, logged_warnings
from talentgap.cli._edition_scores import labelled, print_scores, score_report
from talentgap.cli._edition_stocks import (
    STOCK_FILE,
    add_stock_section,
    later_stocks,
    stock_file,
    stored_projection,
)
from talentgap.cli.config import Config, load_config
from talentgap.errors import ConfigError, EditionError

__all__ = ["add_edition_commands", "add_store_options", "check_store_options", "store_run",
           "stored_check", "check_stored", "StoredEdition", "edition_exit"]

logger = logging.getLogger("talentgap.cli")

#: Files ``talentgap evaluate`` writes, by table of :class:`~talentgap.editions.EditionScores`.
SCORE_FILES = {"cells": "edition_scores.csv", "groups": "edition_scores_by_group.csv",
               "summary": "edition_scores_summary.csv", "scored": "edition_scored.csv",
               "points": "edition_points.csv", "revised": "edition_revisions.csv",
               "other_cells": "edition_cells_not_scored.csv"}
#: The report ``talentgap evaluate`` writes (its own name: never a forecast's ``report.html``).
REPORT_FILE = "evaluation_report.html"
#: The default output folder of ``talentgap evaluate`` (a forecast's is ``talentgap-out``).
DEFAULT_OUT = Path("talentgap-evaluation")


# ---- storing a run ---------------------------------------------------------------------------
def add_store_options(parser: argparse.ArgumentParser) -> None:
    """The ``--store``/``--edition``/``--replace-edition`` options of a forecasting command."""
    group = parser.add_argument_group("editions")
    group.add_argument("--store", type=Path, metavar="FILE",
                       help="store the model and forecast as an edition in this SQLite file "
                            "(checked before the work: when an edition holds the same data "
                            "and model and forecast settings, the files are written and the "
                            "edition is not stored again; another run under a stored name is "
                            "refused)")
    group.add_argument("--edition", metavar="NAME",
                       help="the edition's name (default: the forecast origin, e.g. 2024Q4)")
    group.add_argument("--replace-edition", action="store_true",
                       help="replace a stored edition of the same name (editions are "
                            "append-only otherwise)")


def check_store_options(args: argparse.Namespace) -> None:
    """Refuse edition options without ``--store`` (a stored name: :func:`check_stored`)."""
    store = getattr(args, "store", None)
    if store is None and (getattr(args, "edition", None) is not None
                          or getattr(args, "replace_edition", False)):
        raise UsageError("--edition and --replace-edition need --store FILE")


#: The tables of settings that make an edition's model and forecast (the plan, targets,
#: backtests and output are not stored in an edition), less those that change neither:
#: the input files' names and encoding (their contents are in the data fingerprint) and
#: the number of threads. ``[plan] years`` and ``lead_time`` are compared only where they
#: set the periods the model simulates (:func:`_compared`).
_COMPARED = {"data": ("surveys", "training", "employment", "encoding"), "panel": (),
             "survey": (), "forecast": ("n_jobs",)}


def _compared(config: dict | None) -> dict:
    """The settings of a run configuration that make its edition (JSON values).

    ``[data]``, ``[panel]``, ``[survey]`` and ``[forecast]`` (less the input
    file names, their encoding and ``n_jobs``), and, when ``[forecast]
    max_horizon`` is not set and ``[plan] years`` are, ``[plan] years`` and
    ``lead_time``: the model then simulates to the end of the plan's need
    years. A plan's budget, costs or rates change no edition.

    Examples
    --------
    >>> base = {"forecast": {"horizon": 4, "n_jobs": 2}, "plan": {"budget": 5e6, "years": []},
    ...         "output": {"dir": "out"}}
    >>> _compared(base)
    {'forecast': {'horizon': 4}}
    >>> _compared({**base, "plan": {"budget": 6e6, "years": [2026], "lead_time": 1}})
    {'forecast': {'horizon': 4}, 'plan': {'years': [2026], 'lead_time': 1}}
    """
    settings = json.loads(json.dumps(config or {}, default=str))
    out = {}
    for table, skipped in _COMPARED.items():
        if isinstance(settings.get(table), dict):
            out[table] = {k: v for k, v in settings[table].items() if k not in skipped}
    plan = settings.get("plan") if isinstance(settings.get("plan"), dict) else {}
    if plan.get("years") and out.get("forecast", {}).get("max_horizon") is None:
        out["plan"] = {"years": plan["years"], "lead_time": plan.get("lead_time")}
    return out


def _differences(stored: dict, now: dict) -> list[str]:
    """``[table] key: stored X, now Y`` for each setting that differs."""
    out = []
    for table in sorted(set(stored) | set(now)):
        old, new = stored.get(table) or {}, now.get(table) or {}
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                out.append(f"[{table}] {key}: stored {old.get(key)!r}, now {new.get(key)!r}")
    return out


def check_stored(args: argparse.Namespace, config: Config, model) -> str | None:
    """Check the edition store before the work: a stored name is this run, or refused.

    The edition's name is ``--edition`` or the forecast origin. When the store
    holds it (and ``--replace-edition`` is not given): from the same data
    (fingerprint) and the same model and forecast settings (:func:`_compared`),
    the run's files are still written but the edition is not stored again,
    and the message saying so is returned; otherwise the run is refused.

    Parameters
    ----------
    args : argparse.Namespace
        The command's options (``store``, ``edition``, ``replace_edition``).
    config : Config
        The run's configuration.
    model : GapForecaster
        A gap model fitted to the run's panel (only its data is read: its
        origin and data fingerprint), or the model given with ``--model``.

    Returns
    -------
    str or None
        What to tell the user when the edition holds this run already (the
        run then stores nothing); None when the run is to be stored.

    Raises
    ------
    UsageError
        The edition holds another run: the message names what differs,
        ``--replace-edition`` and ``--edition``.
    """
    store = getattr(args, "store", None)
    if store is None or args.replace_edition or not Path(store).is_file():
        return None
    from talentgap.editions import EditionStore
    from talentgap.models.persistence import data_fingerprint

    editions = EditionStore(store)
    name = args.edition or str(model.origin_)
    if name not in editions.names():
        return None
    named = f"--edition {name}" if args.edition else f"edition {name!r} (the forecast origin)"
    changed = _differences(_compared(editions.metadata(name).get("config")),
                           _compared(config.to_dict()))
    if data_fingerprint(model) != editions.info(name)["data_fingerprint"]:
        changed.insert(0, "the data (its fingerprint)")
    if not changed:
        plans = bool(config.plan.years) and config.targets.given and getattr(
            args, "command", "plan") == "plan"
        missing = (" (it holds no workforce projection, which this plan's would add: "
                   "--replace-edition stores the edition with it)"
                   if plans and editions.projection(name) is None else "")
        return (f"{named} is already in {store} from the same data and model and forecast "
                f"settings; it was not stored again{missing}")
    more = f" and {len(changed) - 2} more" if len(changed) > 2 else ""
    raise UsageError(f"{named}: already in {store} from another run ({'; '.join(changed[:2])}"
                     f"{more}); editions are append-only: add --replace-edition to replace "
                     "it, or name a new edition with --edition NAME")


def stored_check(args: argparse.Namespace, config: Config,
                 found: list[str]) -> Callable | None:
    """The check of :func:`check_stored` on a run's panel, or None without ``--store``.

    Called with the panel and the supply its training table already knows
    (``future_supply``) before anything is fitted
    (``pipeline.run(before_fit=...)``): the data the run's gap model would be
    fitted on is read by fitting a naive one on both (its origin and data
    fingerprint are those of any gap model of the same settings). When the
    edition holds this run already, the message is appended to ``found``.
    """
    if getattr(args, "store", None) is None or args.replace_edition \
            or not Path(args.store).is_file():
        return None
    from talentgap import models
    from talentgap.cli import pipeline

    def check(panel, future_supply=None) -> None:
        with warnings.catch_warnings():  # the run's own fit warns where it matters
            warnings.simplefilter("ignore")
            model = pipeline.gap_forecaster(config).set_params(
                forecaster=models.Naive(season_length=config.forecast.season_length),
                n_samples=10).fit(panel, future_supply=future_supply)
        message = check_stored(args, config, model)
        if message is not None:
            found.append(message)

    return check


@dataclass(frozen=True)
class StoredEdition:
    """What ``--store`` did with a run: the edition stored, or why it was not.

    Attributes
    ----------
    name : str
        The edition's name.
    store : str
        The edition store file.
    stored : bool
        True when the edition was stored.
    error : str or None
        Why it was not stored (the store locked by another process, damaged, ...).
    n_files : int
        Output files the run wrote either way.
    out : str or None
        Their folder.

    Examples
    --------
    >>> StoredEdition("2024Q4", "editions.sqlite", True).message
    'edition 2024Q4 stored in editions.sqlite'
    >>> StoredEdition("2024Q4", "editions.sqlite", False, "locked", 5, "out").message
    "edition 2024Q4 was NOT stored in editions.sqlite: locked; the run's 5 output files were \
written to out; run the command again to store the edition"
    """

    name: str
    store: str
    stored: bool
    error: str | None = None
    n_files: int = 0
    out: str | None = None

    @property
    def message(self) -> str:
        """One line for the command's text summary."""
        if self.stored:
            return f"edition {self.name} stored in {self.store}"
        where = f" to {self.out}" if self.out else ""
        return (f"edition {self.name} was NOT stored in {self.store}: {self.error}; the run's "
                f"{self.n_files} output files were written{where}; run the command again to "
                "store the edition")

    def as_dict(self) -> dict:
        """The JSON summary's ``edition`` entry."""
        return {"name": self.name, "store": self.store, "stored": self.stored,
                "error": self.error, "files_written": self.n_files}


def store_run(args: argparse.Namespace, result, config: Config, *,
              written: list | None = None) -> StoredEdition | None:
    """Store the run's gap model and forecast as an edition when ``--store`` was given.

    Called after the run's files are written: a store that cannot take the
    edition (locked by another process, damaged) does not lose them; the
    result says the edition was not stored, and :func:`edition_exit` makes
    the command fail.

    Returns
    -------
    StoredEdition or None
        The edition stored (or not, and why); None without ``--store``.
    """
    if getattr(args, "store", None) is None or result.gap_model is None \
            or result.forecast is None:
        return None
    from talentgap.cli.pipeline import saved_config
    from talentgap.editions import EditionStore

    name = args.edition or str(result.gap_model.origin_)
    n_files = len(written or [])
    saved = saved_config(result) if getattr(result, "config", None) is not None \
        else config.to_dict()
    try:
        EditionStore(args.store).add(name, result.gap_model, result.forecast,
                                     replace=args.replace_edition, config=saved,
                                     projection=stored_projection(result))
    except EditionError as exc:
        out = str(Path(written[0]).parent) if written else None
        return StoredEdition(name, str(args.store), False, str(exc), n_files, out)
    logger.info("edition %s stored in %s", name, args.store)
    return StoredEdition(name, str(args.store), True, None, n_files)


def edition_exit(edition: StoredEdition | None) -> int:
    """The command's exit code: an error when ``--store`` could not store the edition.

    Examples
    --------
    >>> edition_exit(None), edition_exit(StoredEdition("2024Q4", "e.sqlite", True))
    (0, 0)
    """
    if edition is None or edition.stored:
        return EXIT_OK
    print(f"talentgap: error: {edition.message}", file=sys.stderr)
    return EXIT_BAD_INPUT


# ---- the commands ----------------------------------------------------------------------------
def add_edition_commands(commands) -> None:
    """Add ``editions`` and ``evaluate`` to an ``argparse`` sub-parser collection."""
    editions = commands.add_parser(
        "editions", help="list or remove stored forecast editions",
        description="List the forecast editions in an edition store (a SQLite file written "
                    "by 'talentgap forecast --store'), or remove one. The list is ordered by "
                    "forecast origin (ties: by when stored); its last edition is the latest, "
                    "the one 'talentgap serve --store' and 'talentgap evaluate' use when no "
                    "edition is named. data_fingerprint is the sha256 of the data the model "
                    "was fitted on; model_fingerprint is the artifact's metadata sha256, the "
                    "X-Model-Fingerprint the service answers with; projection_years are the "
                    "years of the workforce projection stored with an edition of a "
                    "multi-year plan with targets ('talentgap evaluate' compares its stocks "
                    "with those observed later).",
        epilog=textwrap.dedent("examples:\n  talentgap editions list --store editions.sqlite\n"
                               "  talentgap editions remove 2024Q4 --store editions.sqlite\n"),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = editions.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="one line per stored edition")
    listing.add_argument("--store", type=Path, metavar="FILE", required=True,
                         help="the edition store")
    listing.add_argument("--format", choices=["text", "json"], default="text")
    listing.set_defaults(run=_run_list)
    remove = actions.add_parser("remove", help="delete one edition (cannot be undone)")
    remove.add_argument("name", help="the edition to delete")
    remove.add_argument("--store", type=Path, metavar="FILE", required=True,
                        help="the edition store")
    remove.set_defaults(run=_run_remove)

    evaluate = commands.add_parser(
        "evaluate", help="score a stored edition against what happened",
        description="Score a stored forecast edition against data observed later, per cell, "
                    "industry and region, next to naive and seasonal-naive baselines fitted "
                    "on the data the edition knew: direction of change, MASE and interval "
                    "coverage. The later panel is built with the edition's stored panel "
                    "settings (keys, frequency, lead time, absorption, survey design); a "
                    "--actuals configuration that sets them otherwise gets a warning. Says "
                    "per quantity which periods and cells were scored and why the edition's "
                    "other cell-periods were not, which cells of the later data the edition "
                    "does not have, and which values of the history it was fitted on the "
                    "later data revise. An edition stored by 'talentgap plan' with [targets] "
                    "keeps the workforce projection its plan was funded on: its projected "
                    "skilled (and high-skilled) stocks are compared with those the later "
                    "employment table observes at the end of each year, per region and in "
                    "total (edition_stocks.csv). Writes edition_scores.csv, "
                    "edition_scores_by_group.csv, edition_scores_summary.csv, "
                    "edition_scored.csv, edition_points.csv, edition_revisions.csv, "
                    "edition_cells_not_scored.csv, edition_stocks.csv and "
                    "evaluation_report.html into --out.",
        epilog=textwrap.dedent(
            "examples:\n  talentgap evaluate --store editions.sqlite --edition 2024Q4 "
            "--actuals new_data/ --out scores\n"
            "  talentgap evaluate --store editions.sqlite --actuals plan.toml --out scores\n"),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    evaluate.add_argument("--store", type=Path, metavar="FILE", required=True,
                          help="the edition store")
    evaluate.add_argument("--edition", metavar="NAME",
                          help="the edition to score (default: the latest forecast origin; "
                               "of editions with that origin, the one stored last)")
    evaluate.add_argument("--actuals", type=Path, metavar="DIR_OR_CONFIG", required=True,
                          help="the later data: a folder with surveys.csv and training.csv "
                               "(or .parquet), or a TOML run configuration naming them")
    evaluate.add_argument("--out", type=Path, metavar="DIR", default=DEFAULT_OUT,
                          help=f"output folder (default {DEFAULT_OUT}; the report is "
                               f"{REPORT_FILE}, so a forecast's report.html is never "
                               "overwritten); its CSV files are in the [output] "
                               "csv_encoding of --actuals (of the edition for a folder)")
    evaluate.add_argument("--format", choices=["text", "json"], default="text",
                          help="text summary (default) or a JSON summary on stdout")
    evaluate.set_defaults(run=_run_evaluate)


def _run_list(args: argparse.Namespace) -> int:
    from talentgap.editions import EditionStore

    listing = EditionStore(args.store).list()
    if args.format == "json":
        print(listing.to_json(orient="records", date_format="iso", indent=2))
    elif listing.empty:
        print(f"{args.store}: no editions")
    else:
        shown = listing.assign(
            data_fingerprint=listing["data_fingerprint"].str[:12],
            model_fingerprint=listing["model_fingerprint"].fillna("").str[:12],
            created=listing["created"].dt.strftime("%Y-%m-%d %H:%M:%S"))
        columns = ["name", "origin", "created", "n_cells", "horizon", "data_fingerprint",
                   "model_fingerprint", "projection_years"]
        print(shown[columns].to_string(index=False))
        print(f"(by forecast origin; the latest, {listing['name'].iloc[-1]}, is the one "
              "'serve --store' and 'evaluate' use without --edition)")
    return EXIT_OK


def _run_remove(args: argparse.Namespace) -> int:
    from talentgap.editions import EditionStore

    EditionStore(args.store).remove(args.name)
    print(f"removed edition {args.name} from {args.store}")
    return EXIT_OK


#: Settings of ``[data]`` that say how to read the later files, not how the panel is built:
#: they are the actuals' own. Every other setting of ``[data]``, ``[panel]`` and ``[survey]``
#: builds the panel and is the edition's.
_ACTUALS_OWN = ("surveys", "training", "employment", "encoding", "on_invalid",
                "allow_missing_supply", "allow_missing_demand")
_PANEL_TABLES = ("data", "panel", "survey")
#: ``talentgap.features.build_panel``'s own defaults, for an edition stored from Python that
#: names only some (or none) of its panel settings.
_BUILD_PANEL_DEFAULTS = {"lead_time": 0, "absorption": 1.0}


def _panel_settings(config: dict) -> dict:
    """The settings of a configuration (``Config.to_dict()``) that build the panel."""
    return {table: {k: v for k, v in (config.get(table) or {}).items()
                    if not (table == "data" and k in _ACTUALS_OWN)}
            for table in _PANEL_TABLES}


def _edition_settings(stored: dict | None, keys: list[str], freq: str,
                      name: str) -> tuple[Config, bool]:
    """The configuration that builds a panel as the edition's was, and whether it is known.

    An edition stored by ``talentgap forecast --store`` records its whole
    configuration. One stored from Python records its keys and frequency,
    and its ``[panel]`` settings only when they were given
    (``EditionStore.add(..., config={"panel": {...}})``); settings it does not
    name take :func:`talentgap.features.build_panel`'s defaults.
    """
    stored = stored if isinstance(stored, dict) else {}
    settings = _panel_settings(stored)
    settings["data"].update(keys=list(keys), freq=freq)
    known = isinstance(stored.get("panel"), dict)
    settings["panel"] = {**_BUILD_PANEL_DEFAULTS, **settings["panel"]}
    try:
        return Config().with_overrides(settings), known
    except ConfigError as exc:
        raise ConfigError(f"edition {name!r}: its stored panel settings cannot build the "
                          f"later panel the same way ({exc}); the scores would not compare "
                          "like with like") from exc


def _actuals_config(path: Path, stored: dict | None, keys: list[str], freq: str,
                    name: str = "") -> Config:
    """The run configuration that reads the later data and builds its panel as the edition's.

    The files (and how to read them) are the actuals'; the panel settings
    (``[data]`` keys, frequency and skill levels, ``[panel]`` lead time and
    absorption, ``[survey]`` design) are the edition's, so that the later
    panel is built the way the edition's was. A TOML configuration that sets
    one of them differently gets a warning naming it. An edition that does
    not record its panel settings (stored from Python without them) is
    scored with the configuration's settings, or ``build_panel``'s defaults
    for a folder, with a warning that they are assumed.
    """
    edition, known = _edition_settings(stored, keys, freq, name)
    if path.is_dir():
        found = {}
        for table in ("surveys", "training", "employment"):
            for suffix in (".csv", ".parquet"):
                if (path / f"{table}{suffix}").is_file():
                    found[table] = str(path / f"{table}{suffix}")
                    break
        missing = [t for t in ("surveys", "training") if t not in found]
        if missing:
            raise UsageError(f"--actuals {path}: no {' or '.join(f'{t}.csv' for t in missing)} "
                             "in this folder")
        if not known:
            panel = edition.panel
            logger.warning(
                "edition %s does not record how its panel was built (it was stored without "
                "[panel] settings); the later panel is built with talentgap.features."
                "build_panel's defaults, lead_time = %s and absorption = %s: if the edition "
                "was built otherwise the supply and gap scores are not like for like (give "
                "--actuals a TOML configuration with its [panel] settings, or store editions "
                "with config={'panel': {...}})", name, panel.lead_time, panel.absorption)
        return edition.with_overrides({"data": {t: found[t] for t in found},
                                       **_stored_output(stored)})
    if path.suffix.lower() == ".toml" and path.is_file():
        if not known:  # the configuration's own settings, as a run of it would build
            config = load_config(path, defaults=Config().with_overrides(
                {"data": {"keys": list(keys), "freq": freq}}))
            panel = config.panel
            logger.warning(
                "edition %s does not record how its panel was built (it was stored without "
                "[panel] settings); the later panel is built with the settings of %s "
                "(lead_time = %s, absorption = %s), which cannot be checked against the "
                "edition's", name, path, panel.lead_time, panel.absorption)
            return config.with_overrides({"data": {"keys": list(keys), "freq": freq}})
        config = load_config(path, defaults=edition)
        ours, theirs = _panel_settings(edition.to_dict()), _panel_settings(config.to_dict())
        changed = [f"[{table}] {key} = {theirs[table].get(key)!r} (the edition's: "
                   f"{ours[table].get(key)!r})"
                   for table in _PANEL_TABLES
                   for key in sorted(set(ours[table]) | set(theirs[table]))
                   if ours[table].get(key) != theirs[table].get(key)]
        if changed:
            logger.warning(
                "%s sets %d panel setting(s) differently from edition %s: %s; the later panel "
                "is built with the edition's settings so that its scores compare like with "
                "like (to score other settings, store an edition made with them)",
                path, len(changed), name, "; ".join(changed))
        own = {k: getattr(config.data, k) for k in _ACTUALS_OWN}
        return dataclasses.replace(config, data=dataclasses.replace(edition.data, **own),
                                   panel=edition.panel, survey=edition.survey)
    if not path.exists():
        raise FileNotFoundError(f"--actuals {path}: no such folder or file")
    raise UsageError(f"--actuals {path}: expected a folder with surveys.csv and training.csv "
                     "or a .toml run configuration")


def _stored_output(stored: dict | None) -> dict:
    """The edition's own ``[output] csv_encoding``, for ``--actuals`` given as a folder.

    A folder of files has no configuration of its own: the score files are
    then written in the encoding the edition's run wrote its files in (an
    edition stored from Python records none: UTF-8).

    Examples
    --------
    >>> _stored_output({"output": {"csv_encoding": "utf-8-sig"}})
    {'output': {'csv_encoding': 'utf-8-sig'}}
    >>> _stored_output({"panel": {"lead_time": 1}}), _stored_output(None)
    ({}, {})
    """
    output = stored.get("output") if isinstance(stored, dict) else None
    value = output.get("csv_encoding") if isinstance(output, dict) else None
    return {"output": {"csv_encoding": value}} if isinstance(value, str) else {}


def _run_evaluate(args: argparse.Namespace) -> int:
    from talentgap import io
    from talentgap.cli import pipeline
    from talentgap.editions import EditionStore, score_edition

    store = EditionStore(args.store)
    name = args.edition or store.latest()
    if args.edition is None:
        logger.info("scoring edition %s: the latest forecast origin in %s", name, args.store)
    model = store.model(name)
    keys = list(model.cells_.columns)
    freq = model.origin_.freqstr[0]
    config = _actuals_config(args.actuals, store.metadata(name).get("config"), keys, freq,
                             name)
    panel = pipeline.run(config, steps=("features",)).panel
    with logged_warnings():   # as the other commands say them: logged, each once
        scores = score_edition(store, name, panel, keys=keys,
                               by=[k for k in ("industry", "region") if k in keys] or keys[:1])
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for attribute, filename in SCORE_FILES.items():
        path = out / filename
        files.append(io.write_table(labelled(getattr(scores, attribute), scores), path,
                                    encoding=config.output.csv_encoding))
    stocks, stock_words = later_stocks(store, name, config)
    files.append(io.write_table(stock_file(stocks, scores.origin), out / STOCK_FILE,
                                encoding=config.output.csv_encoding))
    report = score_report(scores)
    add_stock_section(report, stocks, stock_words)
    files.append(report.write(out / REPORT_FILE))
    print_scores(args, scores, files, latest=args.edition is None, stocks=stocks,
                 stock_notes=stock_words)
    return EXIT_OK
