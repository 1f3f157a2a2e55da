"""Argument and column checks shared by ``evaluate`` and the backtests.

Private to :mod:`talentgap.evaluation`: metric names, required columns,
numeric value columns and matching period frequencies, each raising the
error the public functions document.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._checks import did_you_mean
from talentgap.errors import ParameterError, SchemaError
from talentgap.evaluation._terms import INTERVAL_METRICS
from talentgap.evaluation.metrics import METRICS

__all__ = ["check_metric_names", "require", "numeric", "same_freq"]


def check_metric_names(metrics: Sequence[str], levels: list[float]) -> list[str]:
    """Known metric names, in order, without repeats; interval metrics need ``levels``.

    Raises
    ------
    ParameterError
        For no or unknown names, or interval metrics without a level.

    Examples
    --------
    >>> check_metric_names(["mae", "coverage", "mae"], [80.0])
    ['mae', 'coverage']
    >>> check_metric_names("mase", [])
    ['mase']
    """
    if isinstance(metrics, str):
        metrics = [metrics]
    names = list(dict.fromkeys(metrics))
    if not names:
        raise ParameterError("metrics is empty; name at least one of " + ", ".join(METRICS))
    for name in names:
        if name not in METRICS:
            raise ParameterError(f"unknown metric {name!r}{did_you_mean(name, METRICS)}; "
                                 f"known metrics: {', '.join(METRICS)}")
    needs_level = [n for n in names if n in INTERVAL_METRICS]
    if needs_level and not levels:
        raise ParameterError(f"{needs_level} judge prediction intervals and need a coverage "
                             "level (e.g. level=80 / levels=(80,))")
    return names


def require(frame: pd.DataFrame, columns: list[str], table: str) -> None:
    """Raise :class:`~talentgap.errors.ParameterError` naming the ``columns`` not in ``frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> require(pd.DataFrame({"id": [1]}), ["id", "period"], "forecasts")
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: columns ['period'] are not in forecasts; columns are ['id']
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(f"columns {missing} are not in {table}; columns are "
                             f"{list(frame.columns)}")


def numeric(frame: pd.DataFrame, column: str, table: str) -> np.ndarray:
    """Column ``column`` of ``frame`` as float64 (NaN for missing values).

    Raises
    ------
    ParameterError
        If the column is absent or not numeric (booleans included).
    SchemaError
        If it holds infinite values.

    Examples
    --------
    >>> import pandas as pd
    >>> numeric(pd.DataFrame({"value": pd.array([1, None], dtype="Int64")}), "value", "df")
    array([ 1., nan])
    """
    if column not in frame.columns:
        raise ParameterError(f"column {column!r} is not in {table}; columns are "
                             f"{list(frame.columns)}")
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(
            values.dtype):
        raise ParameterError(f"column {column!r} of {table} must be numeric, got {values.dtype}")
    y = values.to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isinf(y).any():
        raise SchemaError(f"column {column!r} of {table} holds infinite values", column=column,
                          reason="not_finite")
    return y


def same_freq(freq: str, other: str, table: str) -> None:
    """Raise :class:`~talentgap.errors.SchemaError` if ``table``'s frequency is not ``freq``.

    Examples
    --------
    >>> same_freq("Q", "Q", "actuals")
    >>> same_freq("Y", "Q", "actuals")
    Traceback (most recent call last):
    ...
    talentgap.errors.SchemaError: periods of actuals have frequency 'Q' but the forecasts have 'Y'
    """
    if freq != other:
        raise SchemaError(f"periods of {table} have frequency {other!r} but the forecasts "
                          f"have {freq!r}", reason="bad_period")
