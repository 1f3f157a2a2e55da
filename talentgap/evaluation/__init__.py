"""Forecast accuracy metrics, rolling-origin backtests and model comparison.

>>> import talentgap as tg
>>> tg.evaluation.mae([1, 2, 3], [2, 2, 5])
1.0
"""

from talentgap.evaluation.backtest import BacktestResult, backtest, leaderboard
from talentgap.evaluation.backtest_gap import GAP_METRICS, backtest_gap
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
