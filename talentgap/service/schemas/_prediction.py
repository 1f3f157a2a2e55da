"""Forecast request bodies: ``POST /v1/forecast``, ``POST /v1/gap`` and ``POST /predict``."""

from __future__ import annotations

from pydantic import ConfigDict, Field, model_validator

from talentgap.service.schemas._bounds import (
    MAX_CELLS,
    MAX_FORECAST_HORIZON,
    MAX_LEVELS,
    SAME_HORIZON,
    Cell,
    Level,
    StrictRequest,
)

__all__ = ["PredictRequest", "ForecastRequest", "GapRequest"]


def _distinct(levels: list[float]) -> list[float]:
    """The levels, refused when two give the same column label (``lo_80``: ``{level:g}``)."""
    labels = [f"{level:g}" for level in levels]
    if len(set(labels)) != len(labels):
        raise ValueError("level: the interval levels must be distinct, also as the column "
                         "labels they give (lo_<level>, with 6 significant digits)")
    return levels


class PredictRequest(StrictRequest):
    """Forecast the next ``horizon`` periods, for all cells or the ones listed."""

    horizon: int = Field(4, ge=1, le=120, description="Periods ahead.")
    level: list[float] = Field([80.0], max_length=MAX_LEVELS,
                               description="Interval levels in percent (0-100), at most 10.",
                               examples=[[80, 95]])
    cells: list[Cell] | None = Field(
        None, min_length=1, max_length=MAX_CELLS,
        description="Cells to return, as {key column: value}; all when omitted.",
        examples=[[{"region": "Amberfield", "industry": "textiles"}]])


class _PredictionRequest(StrictRequest):
    horizon: int = Field(4, ge=1, le=MAX_FORECAST_HORIZON,
                         description="Periods ahead, at most the model's max_horizon "
                         "(GET /v1/model).")
    level: list[Level] = Field([80.0], min_length=1, max_length=MAX_LEVELS,
                               description="Interval levels in percent (0-100), distinct, "
                               "at most 10.", examples=[[80, 95]])

    @model_validator(mode="after")
    def _distinct_levels(self):
        _distinct(self.level)
        return self


class ForecastRequest(_PredictionRequest):
    """Forecast series of a fitted forecaster, all or the ones listed."""

    series: list[Cell] | None = Field(
        None, min_length=1, max_length=MAX_CELLS,
        description="Series to return, as {key column: value}; all when omitted. An entry "
        "with some of the key columns selects every series with those values. At most "
        "max_cells entries (GET /v1/model).",
        examples=[[{"region": "Amberfield", "industry": "textiles"}]])


class GapRequest(_PredictionRequest):
    """Forecast the skill gap of a gap model's cells, all or the ones listed."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"horizon": 4, "level": [80, 95],
         "cells": [{"region": "Amberfield", "industry": "textiles"}]}]})

    horizon: int = Field(4, ge=1, le=MAX_FORECAST_HORIZON,
                         description="Periods ahead, at most the model's max_horizon "
                         f"(GET /v1/model). {SAME_HORIZON}")

    cells: list[Cell] | None = Field(
        None, min_length=1, max_length=MAX_CELLS,
        description="Cells to return, as {key column: value}; all when omitted. An entry "
        "with some of the key columns selects every cell with those values. At most "
        "max_cells entries (GET /v1/model).",
        examples=[[{"region": "Amberfield", "industry": "textiles"}]])
