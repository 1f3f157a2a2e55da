"""Employment forecasts per cell: :func:`project_employment`.

The ``employment`` column of the employment table (and its ``skilled`` /
``high_skilled`` columns where present) forecast per cell with the library's
forecasting engine, with prediction intervals; public as
:func:`talentgap.planning.project_employment` (and from
:mod:`talentgap.planning.workforce`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sklearn.base import clone

from talentgap._arguments import check_horizon, key_list, parse_interval_column
from talentgap.models import AutoForecaster
from talentgap.periods import end_ordinals, normalize_freq
from talentgap.planning._tables import lookup, period_array, require, sub_periods
from talentgap.planning._workforce_tables import _by_cell, _prepare

__all__ = ["project_employment"]

_STOCKS = ("employment", "skilled", "high_skilled")


def project_employment(
    employment: pd.DataFrame,
    *,
    keys: Sequence[str] = ("region", "industry"),
    horizon: int,
    freq: str | None = None,
    level: Sequence[float] | None = (80,),
    forecaster=None,
    n_jobs: int | None = 1,
    skill_levels=None,
) -> pd.DataFrame:
    """Forecast employment (and skilled / high-skilled counts) per cell.

    Each count column is forecast separately, per cell, by a copy of the same
    forecaster. The columns are not forced to agree with each other (a
    skilled forecast may in rare cases exceed the employment forecast);
    the stock-and-flow projection of :func:`project_skilled_stock` is the
    one policy targets use.

    Parameters
    ----------
    employment : pandas.DataFrame
        The employment table: ``<keys...>, period, employment`` and optionally
        ``skilled`` and ``high_skilled`` (persons), one row per cell and period;
        or, with ``skill_levels``, one row per cell, period and ``skill_level``.
    keys : sequence of str, default ("region", "industry")
        Columns identifying a cell.
    horizon : int
        Periods ahead to forecast, in the output frequency (e.g. 6 for six
        years with ``freq="Y"``).
    freq : {"Y", "Q", "M"}, optional
        Output frequency. By default the table's own; with a coarser one the
        counts are forecast at the table's frequency and each output period
        gets its last sub-period (employment at the end of the year, as the
        skilled stock of :func:`project_skilled_stock`): the output periods
        are the ``horizon`` ones after the period holding the table's last
        observation (2025-2030 from data ending in 2024Q2 or 2024Q4).
    level : sequence of float, default (80,)
        Prediction-interval levels in percent; ``None`` or ``()`` for none.
    forecaster : talentgap forecaster, optional
        An unfitted forecaster, copied for each column; default
        ``AutoForecaster(nonnegative=True, n_jobs=n_jobs)`` (counts of
        persons: forecasts and bounds are kept >= 0).
    n_jobs : int, default 1
        Parallel jobs of the default forecaster (ignored with ``forecaster``).

    skill_levels : SkillLevels or sequence of str, optional
        The declared skill levels, for an employment table by ``skill_level``:
        its rows are summed per cell and period, with ``skilled`` and
        ``high_skilled`` derived from the levels
        (:func:`talentgap.features.skilled_employment`).

    Returns
    -------
    pandas.DataFrame
        One row per cell and forecast period: ``<keys...>, period,
        employment`` (the forecast mean, persons) and per level
        ``employment_lo_<level>``, ``employment_hi_<level>``; the same for
        ``skilled`` and ``high_skilled`` when the input has them.

    Raises
    ------
    SchemaError
        If a column is missing, a count is missing or negative, or two rows
        share a cell and period.
    ParameterError
        If ``horizon`` or ``freq`` is invalid.

    Examples
    --------
    >>> import pandas as pd
    >>> import talentgap as tg
    >>> table = pd.DataFrame({"region": "North", "industry": "textiles",
    ...                       "period": ["2022", "2023", "2024"],
    ...                       "employment": [1000, 1040, 1100], "skilled": [250, 262, 280]})
    >>> out = project_employment(table, horizon=2, level=None, forecaster=tg.models.Drift())
    >>> out[["period", "employment", "skilled"]]
      period  employment  skilled
    0   2025      1150.0    295.0
    1   2026      1200.0    310.0
    """
    keys = key_list(keys, allow_empty=False, distinct=True, time="period",
                    reserved={c: f"the {c} column" for c in _STOCKS})
    horizon = check_horizon(horizon)
    require(employment, "employment", [*keys, "period", "employment"], keys)
    employment = _by_cell(employment, skill_levels, keys)
    columns = [c for c in _STOCKS if c in employment.columns]
    frame, ordinals, source = _prepare(employment, "employment", keys, columns)
    frame["period"] = period_array(ordinals, source)
    code = source if freq is None else normalize_freq(freq)
    sub_periods(source, code, "employment")
    seen = int(ordinals.max())
    origin = int(end_ordinals([seen], source, code)[0])  # the period holding the last one
    steps = int(end_ordinals([origin + horizon], code, source)[0]) - seen
    model = (forecaster if forecaster is not None
             else AutoForecaster(nonnegative=True, n_jobs=n_jobs))
    levels = list(level) if level else None
    out = None
    for column in columns:
        fitted = clone(model).fit(frame[[*keys, "period", column]], target=column,
                                  time="period", keys=keys)
        forecast = _period_ends(fitted.predict(steps, level=levels), source, code, origin)
        forecast = forecast.rename(columns={
            c: (column if c == "mean" else f"{column}_{c}")
            for c in forecast.columns if c == "mean" or parse_interval_column(c)})
        if out is None:
            out = forecast
            continue
        position = lookup(forecast, out, [*keys, "period"])
        for name in forecast.columns.difference([*keys, "period"], sort=False):
            out[name] = forecast[name].to_numpy()[position]
    return out.reset_index(drop=True)


def _period_ends(forecast: pd.DataFrame, source: str, code: str, origin: int) -> pd.DataFrame:
    """The forecast rows at the last ``source`` period of each ``code`` period after ``origin``."""
    if code == source:
        return forecast
    ordinals = pd.PeriodIndex(forecast["period"]).asi8
    coarse = end_ordinals(ordinals, source, code)
    keep = (end_ordinals(coarse, code, source) == ordinals) & (coarse > origin)
    out = forecast[keep].reset_index(drop=True)
    out["period"] = period_array(coarse[keep], code)
    return out
