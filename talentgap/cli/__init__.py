"""The ``talentgap`` command line: validate, demo, features, forecast, backtest, plan.

Modules: :mod:`~talentgap.cli.main` (parser, exit codes),
:mod:`~talentgap.cli.config` (the TOML run configuration),
:mod:`~talentgap.cli.pipeline` (the steps), :mod:`~talentgap.cli.outputs`
(tables, charts, JSON summary) and :mod:`~talentgap.cli.reporting`
(``report.html``).
"""

from talentgap.cli.main import build_parser, main

__all__ = ["main", "build_parser"]
