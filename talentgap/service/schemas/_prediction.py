"""Forecast request bodies: ``POST /v1/forecast``, ``POST /v1/gap`` and ``POST /predict``."""

from __future__ import annotations

from pydantic import ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from talentgap._arguments import check_levels
from talentgap.errors import ParameterError
from talentgap.service.schemas._bounds import (
    MAX_CELLS,
    MAX_FORECAST_HORIZON,
    MAX_LEVELS,
    SAME_HORIZON,
    Cell,
    Level,
    StrictRequest,
)
from talentgap.service.schemas._page import LIMIT_WORDS, MAX_OFFSET, OFFSET_WORDS

__all__ = ["PredictRequest", "ForecastRequest", "GapRequest"]


def _levels(levels: list[float]) -> list[float]:
    """The levels as the library takes them (:func:`talentgap._arguments.check_levels`).

    Sorted; a level that reads as a fraction, a level given twice, two whose
    column labels collide (``lo_80``), or one labelled 100 is refused with the
    library's message, as an ``invalid_value`` error at the field.

    Examples
    --------
    >>> _levels([95, 80])
    [80.0, 95.0]
    >>> _levels([80, 80])
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.PydanticCustomError: level=[80, 80]: 80 is given more than ...
    >>> _levels([80, 80.0000001])
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.PydanticCustomError: level=[80, 80.0000001]: the levels ...
    """
    try:
        return check_levels(levels)
    except ParameterError as err:
        raise PydanticCustomError("invalid_value", str(err)) from None


class PredictRequest(StrictRequest):
    """Forecast the next ``horizon`` periods, for all cells or the ones listed."""

    horizon: int = Field(4, ge=1, le=MAX_FORECAST_HORIZON, description="Periods ahead, at "
                         "most the model's max_horizon (GET /v1/model); default 4, or "
                         "max_horizon when it is less.")
    level: list[float] = Field([80.0], max_length=MAX_LEVELS,
                               description="Interval levels in percent (0-100), at most 10.",
                               examples=[[80, 95]])
    cells: list[Cell] | None = Field(
        None, min_length=1, max_length=MAX_CELLS,
        description="Cells to return, as {key column: value}; all when omitted.",
        examples=[[{"region": "Amberfield", "industry": "textiles"}]])

    _check_levels = field_validator("level")(_levels)


class _PredictionRequest(StrictRequest):
    horizon: int = Field(4, ge=1, le=MAX_FORECAST_HORIZON,
                         description="Periods ahead, at most the model's max_horizon "
                         "(GET /v1/model); default 4, or max_horizon when it is less.")
    level: list[Level] = Field([80.0], min_length=1, max_length=MAX_LEVELS,
                               description="Interval levels in percent, each above 1 and "
                               "below 100 (80 for an 80% interval; a level of 1 or less reads "
                               "as a fraction and is refused), at most 10; "
                               "a level is labelled with 6 significant digits (lo_80, "
                               "lo_97.5), so two levels must differ within them, and "
                               "each is given once (a repeat is refused).", examples=[[80, 95]])

    _check_levels = field_validator("level")(_levels)


def _page_fields(what: str, one: str, field: str) -> tuple:
    """The ``limit`` and ``offset`` fields of a request reading ``what`` (cells, series)."""
    words = {"what": what, "one": one, "field": field}
    return (Field(None, ge=1, le=MAX_CELLS, description=LIMIT_WORDS.format(**words),
                  examples=[1000]),
            Field(0, ge=0, le=MAX_OFFSET, description=OFFSET_WORDS.format(**words),
                  examples=[0]))


_SERIES_LIMIT, _SERIES_OFFSET = _page_fields("series", "series", "series")
_CELLS_LIMIT, _CELLS_OFFSET = _page_fields("cells", "cell", "cells")


class ForecastRequest(_PredictionRequest):
    """Forecast series of a fitted forecaster, all or the ones listed, a page at a time."""

    series: list[Cell] | None = Field(
        None, min_length=1, max_length=MAX_CELLS,
        description="Series to return, as {key column: value}; all when omitted, a page of "
        "at most limit series at a time (limit, offset). An entry "
        "with some of the key columns selects every series with those values. At most "
        "max_cells entries (GET /v1/model); entries selecting more than max_cells series are "
        "read in pages (limit, offset), else refused (422).",
        examples=[[{"region": "Amberfield", "industry": "textiles"}]])
    limit: int | None = _SERIES_LIMIT
    offset: int = _SERIES_OFFSET


class GapRequest(_PredictionRequest):
    """Forecast the skill gap of a gap model's cells, all or the ones listed, a page at a
    time."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"horizon": 4, "level": [80, 95],
         "cells": [{"region": "Amberfield", "industry": "textiles"}]},
        {"horizon": 4, "limit": 50, "offset": 50}]})

    horizon: int = Field(4, ge=1, le=MAX_FORECAST_HORIZON,
                         description="Periods ahead, at most the model's max_horizon "
                         "(GET /v1/model); default 4, or max_horizon when it is less. "
                         f"{SAME_HORIZON}")

    cells: list[Cell] | None = Field(
        None, min_length=1, max_length=MAX_CELLS,
        description="Cells to return, as {key column: value}; all when omitted, a page of "
        "at most limit cells at a time (limit, offset). An entry "
        "with some of the key columns selects every cell with those values. At most "
        "max_cells entries (GET /v1/model); entries selecting more than max_cells cells are "
        "read in pages (limit, offset), else refused (422).",
        examples=[[{"region": "Amberfield", "industry": "textiles"}]])
    limit: int | None = _CELLS_LIMIT
    offset: int = _CELLS_OFFSET
