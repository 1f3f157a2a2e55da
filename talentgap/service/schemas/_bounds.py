"""Limits of a request and the field types the request and response bodies share."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = ["MAX_FORECAST_HORIZON", "MAX_PERIODS", "MAX_TABLE_ROWS", "MAX_CELLS", "MAX_LEVELS",
           "MAX_VALUE", "MAX_BUDGET", "MAX_WEIGHT", "Cell", "PeriodLabel", "KeyValue",
           "Finite", "Money", "Weight", "Level", "SAME_HORIZON", "StrictRequest"]

#: Most periods a forecast (and a plan's need periods) may reach past the model's origin.
MAX_FORECAST_HORIZON = 120
#: Most funding periods in one plan.
MAX_PERIODS = 20
#: Most rows of a table sent with a plan (policy needs, capacity groups, envelopes).
MAX_TABLE_ROWS = 10_000
#: Most cells in a per-cell parameter list.
MAX_CELLS = 10_000
#: Most interval levels in one request.
MAX_LEVELS = 10
#: The service's ceiling on a cost, a number of places or of persons (the library has none).
MAX_VALUE = 1e12
#: The service's ceiling on money: a plan's budget, a period's budget, an envelope.
MAX_BUDGET = 1e15
#: The service's ceiling on a weight relative to one worker of shortfall (a need's weight, the
#: surplus penalty): only the ratios of the weights change a plan, and a ratio past 10^6 already
#: makes the lighter need count for nothing next to the heavier one.
MAX_WEIGHT = 1e6

#: A cell (or series), as {key column: value}.
Cell = dict[str, str]
#: A period label: a year ``2026``, a quarter ``2026Q1``, a month ``2026-03`` or an ISO date
#: ``2026-03-31`` (the period it falls in), of the model's frequency (GET /v1/model,
#: ``freq``). Every period field is read by one parser, the library's
#: (:func:`talentgap.periods.parse_periods`), and a label it cannot read is refused the same
#: way in each (422, ``invalid_value``; see :mod:`talentgap.service._plan_periods`).
PeriodLabel = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                               max_length=32)]
#: A key value of a cell (e.g. a region's or an industry's name).
KeyValue = Annotated[str, StringConstraints(min_length=1, max_length=200)]
#: A finite number of places or persons, in [0, MAX_VALUE].
Finite = Annotated[float, Field(ge=0, le=MAX_VALUE, allow_inf_nan=False)]
#: An amount of money, in [0, MAX_BUDGET].
Money = Annotated[float, Field(ge=0, le=MAX_BUDGET, allow_inf_nan=False)]
#: A weight relative to one worker of shortfall, in [0, MAX_WEIGHT].
Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]
#: An interval level in percent, in (1, 100): the library reads a level <= 1 as a fraction
#: written by mistake (0.8 for 80) and refuses it with that hint, so the published bound is
#: 1 while the field's own check stops at 0 and leaves the rest to the library's message.
Level = Annotated[float, Field(gt=0, lt=100, json_schema_extra={"exclusiveMinimum": 1})]

#: Why a gap model's numbers do not depend on the horizon asked for (/v1/gap and /v1/plan).
SAME_HORIZON = (
    "A period's numbers do not depend on the horizon asked: the served gap model simulates "
    "its horizon (GET /v1/model, model_horizon) once, and every answer is cut from that one "
    "simulation, so a period has the same expected demand, supply and gap, intervals and "
    "p_shortage in requests of any horizon; a horizon beyond it is refused (422).")


class StrictRequest(BaseModel):
    """Base of the request bodies: unknown fields, wrong JSON types, NaN and Infinity refused."""

    # strict: no true/false for numbers, no numbers for text; NaN and Infinity refused
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
