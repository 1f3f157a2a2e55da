"""Checks of what :class:`~talentgap.models.GapForecaster` is given: parameters, panel, supply.

Each function raises the typed error that names the parameter, column or
rows at fault (:class:`~talentgap.errors.ParameterError`,
:class:`~talentgap.errors.SchemaError`) and otherwise returns the input as
arrays the model works with.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from talentgap._arguments import (
    check_count,
    key_list,
    random_generator,
    resolve_season_length,
)
from talentgap._keys import series_codes
from talentgap._words import rows_fail
from talentgap.errors import ParameterError, SchemaError, warn
from talentgap.features.hierarchy import Hierarchy
from talentgap.models._outliers import MASKED_COLUMNS, mask_outliers
from talentgap.models.base import BaseForecaster
from talentgap.models.reconciliation import METHODS as RECONCILE_METHODS
from talentgap.periods import check_calendar_labels, period_ordinals

__all__ = ["check_params", "panel_table", "sampling_column", "panel_history", "known_supply",
           "masked_panel", "OUTLIER_CHOICES"]

#: The panel column of the demand estimates' standard errors that GapForecaster uses by default.
DEFAULT_SAMPLING_SE = "demand_se"

#: What ``GapForecaster(outliers=...)`` does with values that look like data errors.
OUTLIER_CHOICES = ("keep", "mask")


def check_params(gap) -> list[str]:
    """Check the parameters of the gap model ``gap``; return its keys as a list.

    Examples
    --------
    >>> import talentgap as tg
    >>> check_params(tg.models.GapForecaster(keys=("region", "industry")))
    ['region', 'industry']
    >>> check_params(tg.models.GapForecaster(n_samples=0))
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: n_samples == 0, must be an integer >= 1 (e.g. 1000)
    """
    read = {"demand": "the demand column", "supply": "the supply column"}
    if isinstance(gap.sampling_se, str):
        read[gap.sampling_se] = "the sampling_se column"
    keys = key_list(gap.keys, allow_empty=False, distinct=True, strings=True,
                    time=gap.time, reserved=read)
    check_count(gap.n_samples, "n_samples", detail=" (e.g. 1000)")
    random_generator(gap.random_state)  # raises ParameterError for anything else
    if gap.horizon is not None:
        check_count(gap.horizon, "horizon", detail=" (the longest horizon the model will be "
                    "asked for) or None")
    if gap.sampling_se is not None and not isinstance(gap.sampling_se, str):
        raise ParameterError(f"sampling_se == {gap.sampling_se!r}, must be a column name "
                             "(e.g. 'demand_se') or None")
    if gap.forecaster is not None and not isinstance(gap.forecaster, BaseForecaster):
        raise ParameterError(
            f"forecaster must be a talentgap forecaster (e.g. AutoForecaster(), ETS()), "
            f"got {type(gap.forecaster).__name__}: the gap's sample paths need its "
            "rolling-origin backtests")
    if not isinstance(gap.outliers, str) or gap.outliers not in OUTLIER_CHOICES:
        raise ParameterError(f"outliers == {gap.outliers!r}, must be one of "
                             f"{list(OUTLIER_CHOICES)}: 'keep' fits the values as they are, "
                             "'mask' sets the values that look like data errors to missing")
    if gap.reconcile not in RECONCILE_METHODS:  # checked with or without a hierarchy
        raise ParameterError(f"reconcile == {gap.reconcile!r}, must be one of "
                             f"{list(RECONCILE_METHODS)}")
    if gap.hierarchy is not None:
        if not isinstance(gap.hierarchy, (Hierarchy, Mapping)):
            raise ParameterError("hierarchy must be a Hierarchy (Hierarchy.from_mappings"
                                 "(...)) or a mapping {key: grouping}")
    return keys


def panel_table(panel: pd.DataFrame, keys: list[str], time: str):
    """Check the panel; each row's cell code, period ordinal, the frequency and the cells.

    Returns ``(panel, codes, ordinal, freq, cells)``.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"region": "A", "industry": "x", "demand": [3.0, 4.0],
    ...                       "supply": [1.0, 2.0], "period": ["2024Q1", "2024Q1"]})
    >>> panel_table(panel, ["region", "industry"], "period")
    Traceback (most recent call last):
    ...
    talentgap.errors.SchemaError: repeated (region, industry, period) rows: the panel needs one row per cell and period
    """  # noqa: E501 - a doctest's expected output is one line
    if not isinstance(panel, pd.DataFrame):
        raise ParameterError(f"panel must be a pandas DataFrame, got {type(panel).__name__}")
    needed = [*keys, time, "demand", "supply"]
    missing = [c for c in needed if c not in panel.columns]
    if missing:
        raise SchemaError(f"the panel lacks the columns {missing}; GapForecaster needs "
                          f"{needed} (e.g. talentgap.features.build_panel output)",
                          column=missing[0], reason="missing_column")
    for column in ("demand", "supply"):
        dtype = panel[column].dtype
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            raise SchemaError(f"column {column!r} must be numeric, got {dtype}",
                              column=column, reason="dtype")
    if panel.empty:
        raise SchemaError("the panel has no rows", column=None, reason="empty")
    # fiscal quarters or years, as build_panel and the plans refuse them
    check_calendar_labels(panel[[time]], what="panel", action="forecasting and planning by them")
    ordinal, freq = period_ordinals(panel, time)
    codes, cells = series_codes(panel, keys)
    width = int(ordinal.max() - ordinal.min() + 1)
    flat = codes * width + (ordinal - ordinal.min())
    if np.unique(flat).size != flat.size:
        raise SchemaError(f"repeated ({', '.join([*keys, time])}) rows: the panel "
                          "needs one row per cell and period", column=time,
                          reason="duplicate_key")
    return panel, codes, ordinal, freq, cells


def masked_panel(gap, table: pd.DataFrame, ordinal: np.ndarray, freq: str, keys: list[str]):
    """The panel with outlying demand and supply values masked, and the table of them.

    With ``gap.outliers == "keep"`` the panel itself and an empty table. With
    ``"mask"``, :func:`~talentgap.models._outliers.mask_outliers` is applied
    to each of ``demand`` and ``supply`` over the rows the inner models see
    (up to the last period with an observed demand), with the inner
    forecaster's season length; the table of masked values lists both
    (``column`` says which).

    Examples
    --------
    >>> import pandas as pd
    >>> import talentgap as tg
    >>> panel = pd.DataFrame({"region": "A", "industry": "x",
    ...                       "period": pd.period_range("2021Q1", periods=12, freq="Q"),
    ...                       "demand": [10.0, 11, 10, 12, 11, 10, 500, 11, 12, 10, 11, 12],
    ...                       "supply": 5.0})
    >>> gap = tg.models.GapForecaster(forecaster=tg.models.Naive(season_length=1),
    ...                               outliers="mask")
    >>> ordinal = panel["period"].array.asi8
    >>> masked, found = masked_panel(gap, panel, ordinal, "Q-DEC", ["region", "industry"])
    >>> found[["period", "column", "value"]].to_dict("records")
    [{'period': Period('2022Q3', 'Q-DEC'), 'column': 'demand', 'value': 500.0}]
    >>> int(masked["demand"].isna().sum())
    1
    """
    empty = table.iloc[:0][[*keys, gap.time]].reset_index(drop=True)
    for name in MASKED_COLUMNS:
        empty[name] = pd.Series(dtype=object if name == "column" else
                                np.int64 if name == "lag" else np.float64)
    demand = table["demand"].to_numpy(dtype=np.float64, na_value=np.nan)
    if gap.outliers != "mask" or np.isnan(demand).all():
        return table, empty
    inside = np.flatnonzero(ordinal <= ordinal[~np.isnan(demand)].max())
    season = None if gap.forecaster is None else gap.forecaster.get_params().get(
        "season_length")
    season = resolve_season_length(season, freq)
    part = table.iloc[inside][[*keys, gap.time, "demand", "supply"]]
    out, found = table.copy(), [empty]
    for name in ("demand", "supply"):  # the two quantities
        if part[name].isna().all():
            continue
        masked, listed = mask_outliers(part, target=name, time=gap.time, keys=keys,
                                       season_length=season)
        if len(listed):
            values = out[name].to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
            values[inside] = masked[name].to_numpy(dtype=np.float64, na_value=np.nan)
            out[name] = values
            found.append(listed)
    if len(found) == 1:
        return table, empty
    return out, pd.concat(found[1:], ignore_index=True)


def sampling_column(gap, panel: pd.DataFrame) -> str | None:
    """The column of the demand estimates' standard errors the gap model uses, or None.

    ``gap.sampling_se`` names it; the default (``"demand_se"``) is used when
    the panel has it and otherwise nothing is, while any other name must be a
    column. Its values must be numeric and >= 0 (NaN: unknown).

    Examples
    --------
    >>> import pandas as pd
    >>> import talentgap as tg
    >>> panel = pd.DataFrame({"region": "A", "industry": "x", "period": ["2024Q1", "2024Q2"],
    ...                       "demand": [30.0, 40.0], "supply": [10.0, 20.0],
    ...                       "demand_se": [4.0, -1.0]})
    >>> sampling_column(tg.models.GapForecaster(sampling_se=None), panel) is None
    True
    >>> sampling_column(tg.models.GapForecaster(), panel)
    Traceback (most recent call last):
    ...
    talentgap.errors.SchemaError: panel column 'demand_se' (standard errors of the demand estimates) must be >= 0; 1 row fails, e.g. line 3 (region=A, industry=x, period=2024Q2): -1.0
    """  # noqa: E501 - a doctest's expected output is one line
    name = gap.sampling_se
    if name is None:
        return None
    if name not in panel.columns:
        if name == DEFAULT_SAMPLING_SE:
            return None
        raise SchemaError(f"sampling_se={name!r} is not a column of the panel; name the "
                          "column of the demand estimates' standard errors, or pass "
                          "sampling_se=None", column=name, reason="missing_column")
    dtype = panel[name].dtype
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        raise SchemaError(f"panel column {name!r} (standard errors of the demand estimates) "
                          f"must be numeric, got {dtype}", column=name, reason="dtype")
    values = panel[name].to_numpy(dtype=np.float64, na_value=np.nan)
    bad = values < 0
    if bad.any():
        at = np.flatnonzero(bad)
        shown = ", ".join(
            f"line {i + 2} ({', '.join(f'{c}={panel[c].iloc[i]}' for c in [*gap.keys, gap.time])})"
            f": {values[i]}" for i in at[:3])
        raise SchemaError(f"panel column {name!r} (standard errors of the demand estimates) "
                          f"must be >= 0; {rows_fail(at.size)}, e.g. {shown}", column=name,
                          reason="negative")
    return name


def panel_history(table: pd.DataFrame, codes: np.ndarray, ordinal: np.ndarray, n_cells: int,
                  keys: list[str], time: str, freq, *, sampling_se: str | None = None):
    """The observed history as (cells, periods) arrays and the rows the inner models see.

    ``table``, ``codes`` and ``ordinal`` are :func:`panel_table`'s output. The
    forecast origin is the last period with an observed demand in any cell;
    rows after it are not used.

    Returns
    -------
    tuple
        ``history`` (dict of ``demand``, ``supply`` and, when the panel has
        it, ``n_respondents`` (missing as 0), and ``demand_se`` (the
        ``sampling_se`` column, when given), each (cells, periods from the
        first to the origin), NaN where not observed), ``origin`` and
        ``first`` (period ordinals), ``work`` (the keys, time, ``demand``
        and ``supply`` of the rows up to the origin) and ``work_codes``
        (their cell codes).

    Raises
    ------
    SchemaError
        If no demand is observed.
    """
    demand = table["demand"].to_numpy(dtype=np.float64, na_value=np.nan)
    supply = table["supply"].to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isnan(demand).all():
        raise SchemaError("column 'demand' has no observed value", column="demand",
                          reason="missing_value")
    origin = int(ordinal[~np.isnan(demand)].max())
    first = int(ordinal.min())
    inside = ordinal <= origin
    width = origin - first + 1
    position = codes * width + (ordinal - first)

    def matrix(values: np.ndarray) -> np.ndarray:
        out = np.full(n_cells * width, np.nan)
        out[position[inside]] = values[inside]
        return out.reshape(n_cells, width)

    history = {"demand": matrix(demand), "supply": matrix(supply)}
    if "n_respondents" in table.columns:
        respondents = table["n_respondents"].to_numpy(dtype=np.float64, na_value=np.nan)
        history["n_respondents"] = np.nan_to_num(matrix(respondents), nan=0.0)
    if sampling_se is not None:
        se = table[sampling_se].to_numpy(dtype=np.float64, na_value=np.nan)
        history["demand_se"] = matrix(np.where(np.isnan(demand), np.nan, se))
    work = table.loc[inside, [*keys]].copy()
    work[time] = pd.PeriodIndex.from_ordinals(ordinal[inside], freq=freq)
    work["demand"] = demand[inside]
    work["supply"] = supply[inside]
    return history, origin, first, work, codes[inside]


def known_supply(gap, future: pd.DataFrame | None, keys: list[str]):
    """Known supply as (cell, step, value) arrays; step 1 is the period after the origin.

    ``gap`` is the gap model being fitted (its ``cells_``, ``freq_`` and
    origin are set). Rows for cells not in the panel are ignored with a
    :class:`~talentgap.errors.DataQualityWarning` pointing at the caller of
    ``fit``; rows at or before the origin are ignored.
    """
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    if future is None:
        return empty
    if not isinstance(future, pd.DataFrame):
        raise ParameterError("future_supply must be a DataFrame with columns "
                             f"{[*keys, gap.time, 'supply']}")
    needed = [*keys, gap.time, "supply"]
    missing = [c for c in needed if c not in future.columns]
    if missing:
        raise SchemaError(f"future_supply lacks the columns {missing}; it needs {needed}",
                          column=missing[0], reason="missing_column")
    if future.empty:
        return empty
    values = future["supply"].to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        rows = future.loc[bad, needed].head(5).astype(str).to_dict("records")
        raise SchemaError(f"future_supply['supply'] must be finite and >= 0; "
                          f"{rows_fail(int(bad.sum()))}, e.g. {rows}", column="supply",
                          reason="invalid_value")
    ordinal, freq = period_ordinals(future, gap.time)
    if freq != gap.freq_:
        raise SchemaError(f"future_supply periods have frequency {freq}, the panel "
                          f"{gap.freq_}", column=gap.time, reason="bad_period")
    lookup = pd.MultiIndex.from_frame(gap.cells_[keys].astype(object))
    cell = lookup.get_indexer(pd.MultiIndex.from_frame(future[keys].astype(object)))
    step = ordinal - gap._origin
    unknown = cell < 0
    if unknown.any():
        examples = future.loc[unknown, keys].drop_duplicates().head(3)
        warn(f"future_supply has {int(unknown.sum())} rows for cells not in the panel, "
             f"e.g. {examples.astype(str).to_dict('records')}; they are ignored",
             stacklevel=3)  # the caller of GapForecaster.fit
    keep = ~unknown & (step >= 1)
    cell, step, values = cell[keep].astype(np.int64), step[keep].astype(np.int64), values[
        keep]
    flat = cell * (int(step.max(initial=0)) + 1) + step
    if np.unique(flat).size != flat.size:
        raise SchemaError(f"future_supply has repeated ({', '.join(needed[:-1])}) rows; "
                          "pass one known supply per cell and period",
                          column=gap.time, reason="duplicate_key")
    return cell, step, values
