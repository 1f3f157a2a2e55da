"""Request and response bodies of the prediction service (pydantic models).

They define the OpenAPI page: every field has a description and an example,
so a client team can call the service from that page alone. The response
tables of a plan (:class:`PlanSummary`, :class:`QuotaRow`, :class:`YearRow`)
and a gap forecast's :class:`CellExplanation` are typed field by field; a
row's key columns, which vary with the model, are further properties. The
service checks its tables against them and answers them as produced (see
:func:`~talentgap.service.schemas._rows.as_produced`).

The models live in small modules by subject (limits and shared field types,
per-cell parameters, plan tables, plan requests, forecast requests and
responses, model descriptions, plan responses); this package gathers them.
"""

from __future__ import annotations

# the limits and shared field types, importable from here as before (not in __all__)
from talentgap.service.schemas._bounds import MAX_CELLS as MAX_CELLS
from talentgap.service.schemas._bounds import MAX_FORECAST_HORIZON as MAX_FORECAST_HORIZON
from talentgap.service.schemas._bounds import MAX_LEVELS as MAX_LEVELS
from talentgap.service.schemas._bounds import MAX_PERIODS as MAX_PERIODS
from talentgap.service.schemas._bounds import MAX_TABLE_ROWS as MAX_TABLE_ROWS
from talentgap.service.schemas._bounds import Cell as Cell
from talentgap.service.schemas._bounds import KeyValue as KeyValue
from talentgap.service.schemas._bounds import Level as Level
from talentgap.service.schemas._bounds import PeriodLabel as PeriodLabel
from talentgap.service.schemas._model_info import Health, ModelInfo, ModelInfoV1, Ready
from talentgap.service.schemas._per_cell import UNION_TAGS as UNION_TAGS
from talentgap.service.schemas._per_cell import CellParameter
from talentgap.service.schemas._plan_request import PlanRequest, PlanRequestV1
from talentgap.service.schemas._plan_response import ConstraintOut, PlanResponse
from talentgap.service.schemas._plan_rows import QuotaRow, YearRow
from talentgap.service.schemas._plan_summary import PlanSummary
from talentgap.service.schemas._plan_tables import (
    BudgetEnvelope,
    CapacityGroupMember,
    CommittedPlaces,
    CrosswalkRow,
    NeedWeights,
    PeriodBudget,
    PolicyNeed,
)
from talentgap.service.schemas._prediction import ForecastRequest, GapRequest, PredictRequest
from talentgap.service.schemas._prediction_response import (
    CellExplanation,
    ForecastResponse,
    GapResponse,
    PredictResponse,
)

__all__ = [
    "Health",
    "Ready",
    "ModelInfoV1",
    "ForecastRequest",
    "ForecastResponse",
    "GapRequest",
    "GapResponse",
    "PlanRequestV1",
    "ModelInfo",
    "CellParameter",
    "CrosswalkRow",
    "PredictRequest",
    "PredictResponse",
    "PeriodBudget",
    "PolicyNeed",
    "NeedWeights",
    "CapacityGroupMember",
    "BudgetEnvelope",
    "CommittedPlaces",
    "PlanRequest",
    "PlanResponse",
    "ConstraintOut",
    "PlanSummary",
    "QuotaRow",
    "YearRow",
    "CellExplanation",
]

