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
``edition_points.csv`` and ``report.html``.
"""

from __future__ import annotations

import argparse
import json
import logging
import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from talentgap.cli._common import EXIT_OK, UsageError
from talentgap.cli._wording import coverage_band, coverage_sentence, per_period
from talentgap.cli.config import Config, load_config
from talentgap.errors import ConfigError
from talentgap.report import Report

__all__ = ["add_edition_commands", "add_store_options", "check_store_options", "store_run",
           "stored_check", "check_stored"]

logger = logging.getLogger("talentgap.cli")

#: Files ``talentgap evaluate`` writes, by table of :class:`~talentgap.editions.EditionScores`.
SCORE_FILES = {"cells": "edition_scores.csv", "groups": "edition_scores_by_group.csv",
               "summary": "edition_scores_summary.csv", "points": "edition_points.csv"}


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
    if data_fingerprint(model) != editions.info(name)["fingerprint"]:
        changed.insert(0, "the data (its fingerprint)")
    if not changed:
        return (f"{named} is already in {store} from the same data and model and forecast "
                "settings; it was not stored again")
    more = f" and {len(changed) - 2} more" if len(changed) > 2 else ""
    raise UsageError(f"{named}: already in {store} from another run ({'; '.join(changed[:2])}"
                     f"{more}); editions are append-only: add --replace-edition to replace "
                     "it, or name a new edition with --edition NAME")


def stored_check(args: argparse.Namespace, config: Config,
                 found: list[str]) -> Callable | None:
    """The check of :func:`check_stored` on a run's panel, or None without ``--store``.

    Called with the panel before anything is fitted
    (``pipeline.run(before_fit=...)``): the data the run's gap model would be
    fitted on is read by fitting a naive one (its origin and data
    fingerprint are those of any gap model of the same settings). When the
    edition holds this run already, the message is appended to ``found``.
    """
    if getattr(args, "store", None) is None or args.replace_edition \
            or not Path(args.store).is_file():
        return None
    from talentgap import models
    from talentgap.cli import pipeline

    def check(panel) -> None:
        with warnings.catch_warnings():  # the run's own fit warns where it matters
            warnings.simplefilter("ignore")
            model = pipeline.gap_forecaster(config).set_params(
                forecaster=models.Naive(season_length=config.forecast.season_length),
                n_samples=10).fit(panel)
        message = check_stored(args, config, model)
        if message is not None:
            found.append(message)

    return check


def store_run(args: argparse.Namespace, result, config: Config) -> str | None:
    """Store the run's gap model and forecast as an edition when ``--store`` was given.

    Returns
    -------
    str or None
        The edition's name, or None when nothing was stored.
    """
    if getattr(args, "store", None) is None or result.gap_model is None \
            or result.forecast is None:
        return None
    from talentgap.editions import EditionStore

    name = args.edition or str(result.gap_model.origin_)
    EditionStore(args.store).add(name, result.gap_model, result.forecast,
                                 replace=args.replace_edition, config=config.to_dict())
    logger.info("edition %s stored in %s", name, args.store)
    return name


# ---- the commands ----------------------------------------------------------------------------
def add_edition_commands(commands) -> None:
    """Add ``editions`` and ``evaluate`` to an ``argparse`` sub-parser collection."""
    editions = commands.add_parser(
        "editions", help="list or remove stored forecast editions",
        description="List the forecast editions in an edition store (a SQLite file written "
                    "by 'talentgap forecast --store'), or remove one.",
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
                    "coverage. Writes edition_scores.csv, edition_scores_by_group.csv, "
                    "edition_scores_summary.csv, edition_points.csv and report.html (the "
                    "scores in words) into --out.",
        epilog=textwrap.dedent(
            "examples:\n  talentgap evaluate --store editions.sqlite --edition 2024Q4 "
            "--actuals new_data/ --out scores\n"
            "  talentgap evaluate --store editions.sqlite --actuals plan.toml --out scores\n"),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    evaluate.add_argument("--store", type=Path, metavar="FILE", required=True,
                          help="the edition store")
    evaluate.add_argument("--edition", metavar="NAME",
                          help="the edition to score (default: the latest stored)")
    evaluate.add_argument("--actuals", type=Path, metavar="DIR_OR_CONFIG", required=True,
                          help="the later data: a folder with surveys.csv and training.csv "
                               "(or .parquet), or a TOML run configuration naming them")
    evaluate.add_argument("--out", type=Path, metavar="DIR", default=Path("talentgap-out"),
                          help="output folder (default talentgap-out)")
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
        shown = listing.assign(fingerprint=listing["fingerprint"].str[:12],
                               created=listing["created"].dt.strftime("%Y-%m-%d %H:%M:%S"))
        columns = ["name", "origin", "created", "n_cells", "horizon", "fingerprint"]
        print(shown[columns].to_string(index=False))
    return EXIT_OK


def _run_remove(args: argparse.Namespace) -> int:
    from talentgap.editions import EditionStore

    EditionStore(args.store).remove(args.name)
    print(f"removed edition {args.name} from {args.store}")
    return EXIT_OK


def _actuals_config(path: Path, stored: dict | None, keys: list[str], freq: str) -> Config:
    """The run configuration that reads the later data, with the edition's panel settings."""
    base = Config()
    if stored:  # how the edition's panel was built (lead time, absorption, ...)
        try:
            data = {k: v for k, v in stored.get("data", {}).items()
                    if k not in ("surveys", "training", "employment")}
            base = Config.from_dict({"data": data, "panel": stored.get("panel", {})})
        except ConfigError:
            logger.warning("the edition's stored configuration is not readable; using defaults")
    base = base.with_overrides({"data": {"keys": keys, "freq": freq}})
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
        data = {"surveys": found["surveys"], "training": found["training"]}
        if "employment" in found:
            data["employment"] = found["employment"]
        return base.with_overrides({"data": data})
    if path.suffix.lower() == ".toml" and path.is_file():
        config = load_config(path, defaults=base)
        return config.with_overrides({"data": {"keys": keys, "freq": freq}})
    if not path.exists():
        raise FileNotFoundError(f"--actuals {path}: no such folder or file")
    raise UsageError(f"--actuals {path}: expected a folder with surveys.csv and training.csv "
                     "or a .toml run configuration")


def _run_evaluate(args: argparse.Namespace) -> int:
    from talentgap.cli import pipeline
    from talentgap.editions import EditionStore, score_edition

    store = EditionStore(args.store)
    name = args.edition or store.latest()
    model = store.model(name)
    keys = list(model.cells_.columns)
    freq = model.origin_.freqstr[0]
    config = _actuals_config(args.actuals, store.metadata(name).get("config"), keys, freq)
    panel = pipeline.run(config, steps=("features",)).panel
    scores = score_edition(store, name, panel, keys=keys,
                           by=[k for k in ("industry", "region") if k in keys] or keys[:1])
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for attribute, filename in SCORE_FILES.items():
        path = out / filename
        getattr(scores, attribute).to_csv(path, index=False)
        files.append(path)
    files.append(_score_report(scores).write(out / "report.html"))
    _print_scores(args, scores, files)
    return EXIT_OK


#: The scores' methods in words: the stored forecast and the two simple rules.
_METHOD_WORDS = {"edition": "stored forecast",
                 "naive": "naive rule (the last value carries on)",
                 "seasonal_naive": "seasonal naive rule (the same season a year before)"}
_RULES = ("naive", "seasonal_naive")


def _score_headers(columns, per: str) -> dict[str, str]:
    """Plain headers with units of the score tables' columns (``coverage_<level>`` too)."""
    words = {"by": "Grouped by", "group": "Group", "quantity": "Quantity",
             "method": "Forecast", "n_points": "Cell-periods compared",
             "direction": "Share of changes in the right direction (0–1)",
             "mase": "MASE: error against the seasonal naive rule in sample (below 1 is "
                     "better)",
             "mae": f"Mean absolute error (persons per {per})",
             "bias": f"Mean error, forecast minus actual (persons per {per})"}
    for column in columns:
        if str(column).startswith("coverage_"):
            level = float(str(column).removeprefix("coverage_"))
            words[column] = f"Share of actual values inside the {level:g}% interval (0–1)"
    return {c: words[c] for c in columns if c in words}


def _score_verdict(summary: pd.DataFrame) -> str:
    """Per quantity: the stored forecast's MASE against the rules', coverage against its level.

    The thresholds are the backtest verdict's
    (:func:`talentgap.cli._wording.coverage_band`).
    """
    words = []
    for quantity, rows in summary.groupby("quantity", sort=False):
        own = rows[rows["method"] == "edition"]
        rules = rows[rows["method"].isin(_RULES)].dropna(subset=["mase"])
        if own.empty or pd.isna(own["mase"].iloc[0]):
            continue
        mase = float(own["mase"].iloc[0])
        text = f"{str(quantity).capitalize()}: the stored forecast's MASE is {mase:.2f}"
        if len(rules):
            best = rules.sort_values("mase").iloc[0]
            rule = _METHOD_WORDS[str(best["method"])].split(" (")[0]
            compared = ("below" if mase < best["mase"] else
                        "above" if mase > best["mase"] else "equal to")
            text += (f", {compared} the better simple rule's ({rule}, {best['mase']:.2f})"
                     + ("" if compared == "below" else ": it does not beat the simple rules"))
        for column in [c for c in rows.columns if str(c).startswith("coverage_")]:
            coverage = own[column].iloc[0]
            if pd.notna(coverage):
                level = float(str(column).removeprefix("coverage_"))
                text += f"; its {coverage_sentence(coverage, level, what='the actual values')}"
        words.append(text + ".")
    return " ".join(words)


def _score_table(report: Report, table: pd.DataFrame, per: str, **options) -> None:
    """A score table with the methods and headers in words and numbers rounded to read."""
    formats = {c: "{:.2f}" for c in table.columns
               if c in ("direction", "mase") or str(c).startswith("coverage_")}
    formats.update({c: "{:,.1f}" for c in ("mae", "bias") if c in table.columns})
    table = table.assign(method=table["method"].map(_METHOD_WORDS).fillna(table["method"]))
    headers = _score_headers(table.columns, per)
    report.add_table(table.rename(columns=headers), max_rows=options.pop("max_rows", None),
                     float_format={headers.get(c, c): f for c, f in formats.items()},
                     **options)


def _sampling_words(scores) -> str:
    """What the stored demand and gap intervals were widened by, when they were."""
    sampled = scores.points.loc[scores.points["quantity"] != "supply", "actual_se"]
    if not (sampled > 0).any():
        return ""
    return ("The stored demand and gap intervals are for the true values in the population, "
            "while the values observed later are survey estimates with a sampling error of "
            "their own: each interval was widened by the standard error of the estimate it "
            "is compared with. Supply is counted from training records and compared as "
            "stored. ")


def _score_report(scores) -> Report:
    """A report section on how the edition did against what happened, next to the baselines."""
    per = per_period(scores.origin.freqstr)
    report = Report(f"Forecast edition {scores.edition} against what happened",
                    subtitle=f"origin {scores.origin}; scored on {scores.periods[0]}–"
                             f"{scores.periods[-1]}")
    levels = [float(str(c).removeprefix("coverage_")) for c in scores.summary.columns
              if str(c).startswith("coverage_")]
    bands = " and ".join(f"{coverage_band(level):g} percentage points of {level:g}%"
                         for level in levels)
    good = ("A good stored forecast has a MASE below the simple rules' and a share of actual "
            "values inside each interval near its level"
            + (f" (within {bands})" if bands else "") + ".")
    report.add_section(
        "How the stored forecast did",
        intro="Each stored forecast is compared with the values observed later, next to two "
              "simple rules fitted on the same history: the naive rule (the last value "
              "carries on) and the seasonal naive rule (the same season a year before). The "
              "share of changes in the right direction counts the cell-periods whose change "
              "from the origin went the way the forecast said; MASE divides the mean absolute "
              "error by the typical error of the seasonal naive rule in the history (below 1 "
              "beats that rule); the interval columns give the share of actual values inside "
              "the stored intervals. " + _sampling_words(scores) + good)
    _score_table(report, scores.summary, per,
                 caption="All cells, per quantity (gap, demand, supply) and forecast")
    verdict = _score_verdict(scores.summary)
    if verdict:
        report.add_text(verdict)
    gap = scores.groups[scores.groups["quantity"] == "gap"]
    if len(gap):
        report.add_text("Per industry and per region, for the gap: " + good[0].lower()
                        + good[1:] + " A group where the stored forecast's MASE is above the "
                        "simple rules' is one where the forecast did worse than repeating the "
                        "past.")
        _score_table(report, gap, per, caption="The gap per group (industry, region)",
                     max_rows=60)
    return report


def _print_scores(args: argparse.Namespace, scores, files: list[Path]) -> None:
    summary = scores.summary
    if args.format == "json":
        doc = {"edition": scores.edition, "origin": str(scores.origin),
               "periods": [str(p) for p in scores.periods],
               "summary": json.loads(summary.to_json(orient="records")),
               "files": [str(f) for f in files]}
        print(json.dumps(doc, indent=2))
        return
    lines = [f"talentgap evaluate: edition {scores.edition} (origin {scores.origin}) scored on "
             f"{scores.periods[0]}..{scores.periods[-1]}; wrote {len(files)} files to "
             f"{files[0].parent}"]
    shown = summary.copy()
    for column in shown.columns[2:]:
        if column != "n_points":
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    lines += ["  " + line for line in shown.to_string(index=False).splitlines()]
    print("\n".join(lines))
