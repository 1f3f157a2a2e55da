"""Forecast accuracy metrics, rolling-origin backtests and model comparison.

>>> import talentgap as tg
>>> tg.evaluation.mae([1, 2, 3], [2, 2, 5])
1.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from talentgap._lazy import attach

# eager: these two functions share their module's name
from talentgap.evaluation.backtest import BacktestResult, backtest, leaderboard
from talentgap.evaluation.backtest_gap import GAP_METRICS, backtest_gap

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ loads these
    from talentgap.evaluation.metrics import (
        METRICS,
        bias,
        coverage,
        interval_score,
        mae,
        mape,
        mase,
        pinball,
        rmse,
        rmsse,
        smape,
    )
    from talentgap.evaluation.plots import error_by_horizon, fan_chart, gap_heatmap, top_shortages
    from talentgap.evaluation.sampling_error import with_sampling_error
    from talentgap.evaluation.tables import evaluate

__all__ = [
    "METRICS",
    "GAP_METRICS",
    "mae",
    "rmse",
    "mape",
    "smape",
    "mase",
    "rmsse",
    "bias",
    "pinball",
    "coverage",
    "interval_score",
    "with_sampling_error",
    "evaluate",
    "backtest",
    "backtest_gap",
    "BacktestResult",
    "leaderboard",
    "fan_chart",
    "gap_heatmap",
    "error_by_horizon",
    "top_shortages",
]

if not TYPE_CHECKING:  # type checkers read the imports above, and flag unknown names
    __getattr__, __dir__ = attach(__name__, {
        "METRICS": "metrics",
        "bias": "metrics",
        "coverage": "metrics",
        "interval_score": "metrics",
        "mae": "metrics",
        "mape": "metrics",
        "mase": "metrics",
        "pinball": "metrics",
        "rmse": "metrics",
        "rmsse": "metrics",
        "smape": "metrics",
        "error_by_horizon": "plots",
        "fan_chart": "plots",
        "gap_heatmap": "plots",
        "top_shortages": "plots",
        "with_sampling_error": "sampling_error",
        "evaluate": "tables",
    })
