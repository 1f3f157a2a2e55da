"""The pipeline's input tables: read, validated and their rejected rows accounted for.

:func:`read_inputs` reads ``[data]`` files (or the bundled demo tables) and
validates them; with ``[data] on_invalid = "skip"`` a group that lost a row
is left out whole, the kept survey respondents are reweighted for the
enterprise-periods left out, and the rejected rows are collected for
``rejected.csv``. :func:`talentgap.cli.pipeline.run` calls it for the
``features`` step, before the panel is built
(:mod:`talentgap.cli._pipeline_panel`).
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pandas as pd

from talentgap import datasets, features, io, schema
from talentgap._failure_log import RULE_ADVICE
from talentgap._quality import reject_run_groups
from talentgap.cli._common import failures_as_text
from talentgap.cli._employment_freq import read_employment
from talentgap.cli._notes import skip_warning
from talentgap.cli._result import RunResult
from talentgap.cli.config import Config
from talentgap.errors import ConfigError, DataQualityWarning, SchemaError, warn

__all__ = ["read_inputs"]

logger = logging.getLogger("talentgap.cli")


_TABLES = ("surveys", "training", "employment")


def read_inputs(config: Config, demo: bool, result: RunResult) -> dict:
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
