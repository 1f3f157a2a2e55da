"""Answers of the forecast requests: forecast and gap rows, and what produced them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from talentgap.service.schemas._page import Page
from talentgap.service.schemas._rows import as_produced

__all__ = ["CellExplanation", "PredictResponse", "ForecastResponse", "GapResponse", "GapRow",
           "ForecastRow", "GAP_INTERVAL_COLUMN", "INTERVAL_COLUMN"]

#: The interval columns of a gap row, one pair per level asked for: ``gap_lo_80``,
#: ``demand_hi_97.5`` (the level as ``talentgap._arguments.level_label`` writes it).
GAP_INTERVAL_COLUMN = r"^(gap|demand|supply)_(lo|hi)_[0-9]+(\.[0-9]+)?$"
#: The interval columns of a forecast row: ``lo_80``, ``hi_97.5``.
INTERVAL_COLUMN = r"^(lo|hi)_[0-9]+(\.[0-9]+)?$"
#: A number or null (a missing value).
_NUMBER = {"anyOf": [{"type": "number"}, {"type": "null"}]}


def _row_schema(pattern: str, what: str):
    """The JSON schema of a row: its fields, the interval columns by ``pattern`` (numbers),
    and the key columns, which vary with the model, as further text properties."""

    def extra(schema: dict) -> None:
        schema["patternProperties"] = {pattern: {**_NUMBER, "description": what}}
        schema["additionalProperties"] = {
            "type": "string", "description": "A key column of the model (GET /v1/model, "
            "keys), e.g. region or industry, and its value."}

    return extra


class GapRow(BaseModel):
    """One cell and period of a gap forecast.

    Besides the fields below, a row has the cell's key columns (GET
    /v1/model, ``keys``; text values) and, for each level asked for, the
    bounds of the central interval of gap, demand and supply: ``gap_lo_80``,
    ``gap_hi_80``, ``demand_lo_80``, ... (numbers; the level as written in
    ``columns``, e.g. ``97.5``).
    """

    model_config = ConfigDict(extra="allow", json_schema_extra=_row_schema(
        GAP_INTERVAL_COLUMN, "A bound of the central interval of gap, demand or supply at a "
        "level asked for (gap_hi_80 is the 0.9 quantile of the gap); persons."))
    __pydantic_extra__: dict[str, str | float | None] = Field(init=False)

    period: str = Field(description="The forecast period, in the model's frequency.",
                        examples=["2025Q1"])
    demand: float | None = Field(description="Expected skill-shortage vacancies (the mean "
                                 "of the sample paths), persons.", examples=[7.8])
    supply: float | None = Field(description="Expected certified workers who become "
                                 "available to the cell, persons.", examples=[8.5])
    gap: float | None = Field(description="Expected demand - supply; positive: a shortage.",
                              examples=[-0.7])
    p_shortage: float | None = Field(description="Share of sample paths with a gap above 0, "
                                     "0-1.", examples=[0.39])
    flag: str = Field(description="Reason codes to look twice, ';'-separated; empty when "
                      "none (see the rows' description).", examples=["rising_demand"])
    gap_median: float | None = Field(description="Median of the gap over the sample paths.",
                                     examples=[-2.7])


class ForecastRow(BaseModel):
    """One series and period of a forecast.

    Besides the fields below, a row has the series' key columns (text) and,
    for each level asked for, ``lo_<level>`` and ``hi_<level>`` (numbers).
    """

    model_config = ConfigDict(extra="allow", json_schema_extra=_row_schema(
        INTERVAL_COLUMN, "A bound of the forecaster's central interval at a level asked for "
        "(hi_80 is the 0.9 quantile)."))
    __pydantic_extra__: dict[str, str | float | None] = Field(init=False)

    period: str = Field(description="The forecast period, in the model's frequency.",
                        examples=["2025Q1"])
    mean: float | None = Field(description="The forecaster's point forecast.",
                               examples=[41.2])


class CellExplanation(BaseModel):
    """What produced one cell's gap forecast: its models, history, fallbacks and flags.

    The row starts with the cell's key columns (e.g. ``region``,
    ``industry``; GET /v1/model, ``keys``) as further properties with text
    values, which vary with the model.
    """

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, str] = Field(init=False)

    demand_model: str = Field(description="What produced the demand forecast, with the "
                              "combination weights; 'none' without demand data.",
                              examples=["ets 0.5 + theta 0.5"])
    supply_model: str = Field(description="What produced the supply forecast; 'zero' "
                              "without supply data.", examples=["naive"])
    demand_n_obs: int = Field(description="Periods of demand history used.", examples=[24])
    supply_n_obs: int = Field(description="Periods of supply history used.", examples=[23])
    fallback_reason: str | None = Field(description="Every fallback of the cell in words "
                                        "('demand: ...' or 'supply: ...' for the inner "
                                        "forecasters'); null when none.", examples=[None])
    flags: str = Field(description="The flag codes (see the rows' flag) raised in any "
                       "returned period, ';'-separated; empty when none.",
                       examples=["rising_demand"])


#: One explanation per cell, checked against CellExplanation and answered as produced.
Explanations = as_produced(list[CellExplanation])


class PredictResponse(BaseModel):
    """Forecast rows: one per cell and period."""

    origin: str | None = Field(None, description="Last period of the training data; "
                               "the rows start the period after.", examples=["2024Q4"])
    freq: str = Field(description="Period frequency (pandas alias).", examples=["Q-DEC"])
    columns: list[str] = Field(description="Column names of every row, in order.")
    rows: list[dict] = Field(description="For a gap model: the key columns, period, demand, "
                             "supply, gap, gap_lo_<level>, gap_hi_<level>, p_shortage (0-1), "
                             "flag, ... (for the population values, as in POST /v1/gap); for "
                             "a forecaster: keys, period, mean (the forecaster's point "
                             "forecast, see POST /v1/forecast), lo_<level>, hi_<level>. "
                             "Missing values are null.")
    warnings: list[str] = Field([], description="Data-quality warnings raised while "
                                "forecasting (e.g. too few backtest errors for a level).")
    explanations: Explanations | None = Field(
        None, description="For a gap model, one per returned cell (see CellExplanation): the "
        "key columns, demand_model and supply_model, demand_n_obs and supply_n_obs, "
        "fallback_reason and flags. Null for other forecasters.",
        examples=[[{"region": "Amberfield", "industry": "textiles",
                    "demand_model": "ets 0.5 + theta 0.5", "supply_model": "naive",
                    "demand_n_obs": 24, "supply_n_obs": 23,
                    "fallback_reason": "supply: too short",
                    "flags": "rising_demand"}]])


class ForecastResponse(BaseModel):
    """Forecast rows: one per series and period."""

    origin: str | None = Field(None, description="Last period of the training data.",
                               examples=["2024Q4"])
    freq: str = Field(description="Period frequency (pandas alias).", examples=["Q-DEC"])
    columns: list[str] = Field(description="Column names of every row: the keys, period, "
                               "mean, lo_<level>, hi_<level>.")
    rows: as_produced(list[ForecastRow]) = Field(
                             description="One per series and period; missing values are "
                             "null. mean is the forecaster's point forecast (what "
                             "AutoForecaster.predict and the other forecasters return as "
                             "'mean'), lo_<level>/hi_<level> the bounds of its central "
                             "interval of that level. It is not a gap model's expected "
                             "demand: POST /v1/gap's demand is the mean of the gap model's "
                             "sample paths, which for the same series lies off the point "
                             "forecast by the mean of the backtest errors the paths draw and "
                             "by their clipping at 0 (on the demo data about a tenth of a "
                             "cell's demand).")
    warnings: list[str] = Field([], description="Data-quality warnings raised while "
                                "forecasting.")
    page: Page = Field(description="Where the answer's series lie among those the request "
                       "reads (see limit and offset): total, offset, limit, and next, the "
                       "offset of the next page (null at the end).",
                       examples=[{"total": 34000, "offset": 0, "limit": 1000, "next": 1000}])


class GapResponse(BaseModel):
    """Gap forecast rows and what produced them."""

    origin: str | None = Field(None, description="Last period of the training data.",
                               examples=["2024Q4"])
    freq: str = Field(description="Period frequency (pandas alias).", examples=["Q-DEC"])
    columns: list[str] = Field(description="Column names of every row, in order: the key "
                               "columns, period, demand, supply, gap, gap_lo_<level> and "
                               "gap_hi_<level> per level, p_shortage, flag, gap_median, then "
                               "demand_lo_<level>, demand_hi_<level>, supply_lo_<level> and "
                               "supply_hi_<level> per level.",
                               examples=[["region", "industry", "period", "demand", "supply",
                                          "gap", "gap_lo_80", "gap_hi_80", "p_shortage", "flag",
                                          "gap_median", "demand_lo_80", "demand_hi_80",
                                          "supply_lo_80", "supply_hi_80"]])
    rows: as_produced(list[GapRow]) = Field(
                             description="One per cell and period; missing values are null. "
                             "Units are persons in the period: demand is the skill-shortage "
                             "vacancies (hard-to-fill posts), supply the certified workers who "
                             "become available to the cell, gap = demand - supply (positive: "
                             "a shortage). demand, supply and gap are the means of the model's "
                             "sample paths (the expected values; not the inner forecasters' "
                             "point forecasts, which a forecaster's 'mean' in POST "
                             "/v1/forecast is), gap_median their median, <x>_lo_<level>/"
                             "<x>_hi_<level> the bounds of the central interval of that level "
                             "(gap_hi_80 is the 0.9 quantile), p_shortage (0-1) the share of "
                             "paths with a gap above 0. flag: reason codes to look twice, "
                             "';'-separated, empty when none: rising_demand (demand over the "
                             "year to the period >10% above the last observed year), "
                             "falling_supply (supply >10% below it), persistent_gap (a "
                             "shortage in each of the last 4 observed periods), thin_data "
                             "(few survey respondents or many periods without an estimate), "
                             "short_history (demand observed over few periods), "
                             "last_period_missing (demand or supply not observed in the "
                             "last period(s): forecast from the cell's last observed period, "
                             "further ahead, with the intervals of those steps), "
                             "outlier_in_history (a past value far outside the cell's "
                             "other changes: a data error, or a survey estimate one large "
                             "respondent moved), "
                             "outlier_masked (such a value was set to missing before the "
                             "fit and filled in from the periods around it: a model "
                             "fitted with outliers='mask'), "
                             "no_demand_data, no_supply_data, known_supply (the supply "
                             "was known at fit, e.g. certified workers of past training "
                             "arriving after the lead time, not forecast). A model "
                             "fitted with survey standard errors (the panel's demand_se, "
                             "as build_panel writes) forecasts the population values: the "
                             "sampling error of the survey's estimates is not in its "
                             "intervals, so a later estimate falls outside them more "
                             "often than the level says.")
    explanations: Explanations = Field(
        description="One per returned cell, in the order of the rows: the key columns and "
        "what produced the cell's forecasts (see CellExplanation).",
        examples=[[{"region": "Amberfield", "industry": "textiles",
                    "demand_model": "ets 0.5 + theta 0.5", "supply_model": "naive",
                    "demand_n_obs": 24, "supply_n_obs": 23,
                    "fallback_reason": "supply: too short",
                    "flags": "rising_demand"}]])
    warnings: list[str] = Field([], description="Data-quality warnings raised while "
                                "forecasting, and those raised once when the served model's "
                                "one simulation was built (every answer is cut from it, so "
                                "every answer repeats them), e.g. that the intervals of "
                                "series of some history length are likely too narrow.",
                                examples=[["no series is long enough to calibrate the sample "
                                           "paths of series with [24] observations; their "
                                           "paths use the errors pooled over all series, which "
                                           "are likely too narrow for them"]])
    intervals: Literal["population", "estimates"] = Field(
        "estimates", description="What the intervals, p_shortage and gap_median are for: "
        "'population', the true values in the population (the model was fitted with the "
        "survey's standard errors, [forecast] intervals = \"population\"): the sampling "
        "error of the survey's demand estimates is not in them, so a later survey estimate "
        "falls outside them more often than the level says; 'estimates', the values as the "
        "survey estimates them (sampling error kept in). The same as GET /v1/model's "
        "intervals.", examples=["population"])
    page: Page = Field(description="Where the answer's cells lie among those the request "
                       "reads (see limit and offset): total, offset, limit, and next, the "
                       "offset of the next page (null at the end).",
                       examples=[{"total": 34000, "offset": 0, "limit": 1000, "next": 1000}])
