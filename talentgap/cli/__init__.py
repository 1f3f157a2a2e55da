"""The ``talentgap`` command line: validate, demo, features, forecast, backtest, plan.

Modules: :mod:`~talentgap.cli.main` (parser, exit codes),
:mod:`~talentgap.cli.commands` (the planner's commands),
:mod:`~talentgap.cli.validate`, :mod:`~talentgap.cli.editions` and
:mod:`~talentgap.cli.serve` (the other commands),
:mod:`~talentgap.cli.config` (the TOML run configuration),
:mod:`~talentgap.cli.pipeline` (the steps) with their result
(:mod:`~talentgap.cli._result`), the plan's file inputs
(:mod:`~talentgap.cli._plan_inputs`) and the workforce projections and
policy targets (:mod:`~talentgap.cli._targets`),
:mod:`~talentgap.cli.outputs` (tables, charts, JSON summary) and
:mod:`~talentgap.cli.reporting` (``report.html``) with its plan sections
(:mod:`~talentgap.cli._report_plan`, their sentences in
:mod:`~talentgap.cli._report_plan_words`), shared table pieces
(:mod:`~talentgap.cli._report_tables`), the view by skill level
(:mod:`~talentgap.cli._by_level`), column headers and units in words
(:mod:`~talentgap.cli._wording`) and the library's notes in plain sentences
(:mod:`~talentgap.cli._notes`); :mod:`~talentgap.cli._common` holds the exit
codes shared by the commands.
"""

from talentgap.cli.main import build_parser, main

__all__ = ["main", "build_parser"]
