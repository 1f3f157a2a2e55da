"""``[forecast.analogues]``: new trades forecast from a declared analogue trade.

A planner writes, for each new trade, the established trade whose demand it
is expected to follow::

    [forecast]
    min_history = 8                # default: the observations the forecaster's
                                   # models need (8 quarters)
    [forecast.analogues]           # new industry = its analogue industry
    live_streaming = "ecommerce"

The demand of a cell of ``live_streaming`` with fewer than ``min_history``
observations is then forecast from the ``ecommerce`` cell of the same region
(the other keys equal), scaled to its level
(:class:`~talentgap.models.AutoForecaster` ``analogues``). :func:`check_analogues`
checks the table when the configuration is read, :func:`check_analogue_values`
the industries against the data once it is read, and :func:`analogue_params`
turns the table into the forecaster's parameters.
"""

from __future__ import annotations

import difflib

import pandas as pd

from talentgap.errors import ConfigError

__all__ = ["ANALOGUE_KEY", "check_analogues", "check_analogue_values", "analogue_params"]

#: The key column that ``[forecast.analogues]`` maps (new industry -> its analogue).
ANALOGUE_KEY = "industry"


def check_analogues(forecast, keys, where: str) -> None:
    """Check ``[forecast] analogues`` and ``min_history`` against the other settings.

    ``analogues`` maps new industries to their analogues (``live_streaming =
    "ecommerce"``) or, as :class:`~talentgap.models.AutoForecaster` takes it,
    key columns to such tables (``industry = {live_streaming = "ecommerce"}``).

    Examples
    --------
    >>> from talentgap.cli.config import ForecastConfig
    >>> check_analogues(ForecastConfig(analogues={"live": 3}), ("region", "industry"), "")
    Traceback (most recent call last):
    ...
    talentgap.errors.ConfigError: [forecast.analogues] live must be a string (the analogue \
industry), got 3
    """
    if not forecast.analogues and forecast.min_history is None:
        return
    if forecast.model != "auto":
        key = "analogues" if forecast.analogues else "min_history"
        raise ConfigError(f"{where}[forecast] {key} needs model = 'auto' (the forecaster that "
                          f"forecasts short series from an analogue), got {forecast.model!r}")
    for column, mapping in _by_column(forecast.analogues).items():
        label = f"{where}[forecast.analogues{'' if column == ANALOGUE_KEY else '.' + column}]"
        if column not in keys:
            raise ConfigError(f"{label} maps {column!r} values, but [data] keys {list(keys)} "
                              f"have no {column!r}")
        for trade, analogue in mapping.items():
            if not isinstance(analogue, str) or not analogue:
                raise ConfigError(f"{label} {trade} must be a string (the analogue "
                                  f"{column}), got {analogue!r}")
            if analogue == trade:
                raise ConfigError(f"{label} {trade} = {analogue!r}: a value cannot be its own "
                                  "analogue")


def _by_column(analogues: dict | None) -> dict:
    """``{column: {value: analogue}}`` from either way of writing the table."""
    tables = {k: v for k, v in (analogues or {}).items() if isinstance(v, dict)}
    pairs = {k: v for k, v in (analogues or {}).items() if not isinstance(v, dict)}
    out = {column: dict(mapping) for column, mapping in tables.items()}
    if pairs:
        out[ANALOGUE_KEY] = {**out.get(ANALOGUE_KEY, {}), **pairs}
    return out


def check_analogue_values(forecast, panel: pd.DataFrame) -> None:
    """Every value of ``[forecast.analogues]``, new or analogue, must be in the data.

    Raises
    ------
    ConfigError
        Naming the key and listing the values of the surveys and training
        tables (with the closest one).

    Examples
    --------
    >>> from talentgap.cli.config import ForecastConfig
    >>> panel = pd.DataFrame({"industry": ["ecommerce", "textiles", "live_streaming"]})
    >>> check_analogue_values(ForecastConfig(analogues={"live_streaming": "ecomerce"}), panel)
    Traceback (most recent call last):
    ...
    talentgap.errors.ConfigError: [forecast.analogues] live_streaming = 'ecomerce': no \
industry 'ecomerce' in the surveys or training data (did you mean 'ecommerce'?); known \
industry values: 'ecommerce', 'live_streaming', 'textiles'
    """
    for column, mapping in _by_column(forecast.analogues).items():
        if column not in panel:
            continue
        known = sorted(set(panel[column].astype(str)))
        label = f"[forecast.analogues{'' if column == ANALOGUE_KEY else '.' + column}]"
        for trade, analogue in mapping.items():
            for value in (trade, analogue):
                if value not in known:
                    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    raise ConfigError(
                        f"{label} {trade} = {analogue!r}: no {column} {value!r} in the "
                        f"surveys or training data{hint}; known {column} values: "
                        f"{', '.join(map(repr, known))}")


def analogue_params(forecast) -> dict:
    """The :class:`~talentgap.models.AutoForecaster` parameters of ``[forecast]``'s analogues.

    Examples
    --------
    >>> from talentgap.cli.config import ForecastConfig
    >>> analogue_params(ForecastConfig(analogues={"live_streaming": "ecommerce"}))
    {'analogues': {'industry': {'live_streaming': 'ecommerce'}}}
    >>> analogue_params(ForecastConfig())
    {}
    """
    params = {}
    if forecast.analogues:
        params["analogues"] = _by_column(forecast.analogues)
    if forecast.min_history is not None:
        params["min_history"] = forecast.min_history
    return params
