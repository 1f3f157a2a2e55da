"""Plan parameters given as one number or as a table of per-cell (or per-programme) values."""

from __future__ import annotations

from typing import Annotated

from pydantic import Discriminator, Field, Tag

from talentgap.service.schemas._bounds import MAX_CELLS, Cell, StrictRequest

__all__ = ["CellParameter", "CellShare", "UNION_TAGS", "per_cell", "Cost", "Share", "Places",
           "Rate", "Lead"]


class CellParameter(StrictRequest):
    """A plan parameter for one cell (or, with a crosswalk, one programme) plus ``value``.

    One entry of a per-cell table: the entries of a parameter together must
    give a value for every cell of the model (or every programme), e.g. one
    entry per industry with ``{"industry": ...}``, or one per cell.
    """

    cell: Cell = Field(description="The cell, as {key column: value}; or some of the key "
                       "columns, for every cell with those values (e.g. {\"skill_level\": "
                       "\"high_skilled\"}). With a ``crosswalk``, cost_per_trainee, "
                       "pass_rate, capacity, min_quota and lead_time are per programme: "
                       "name it by ``program`` and optionally the key columns other than "
                       "industry (e.g. {\"program\": \"welding\", \"region\": "
                       "\"Amberfield\"}); absorption may also give ``industry``. Every "
                       "entry of one parameter gives the same key columns.",
                       examples=[{"region": "Amberfield", "industry": "textiles"},
                                 {"program": "welding"}])
    value: float = Field(ge=0, le=1e12, description="The parameter's value for this cell, "
                         ">= 0.", examples=[6000])


class CellShare(CellParameter):
    """A share (``pass_rate``, ``absorption``) for one cell or programme, in (0, 1]."""

    value: float = Field(gt=0, le=1, description="The share for this cell, in (0, 1].",
                         examples=[0.67])


#: Tags of the two forms of a per-cell parameter; they are not part of an error's ``loc``.
UNION_TAGS = ("number", "table")


def _number_or_table(value) -> str:
    return "table" if isinstance(value, list) else "number"


def per_cell(number, entry: type[CellParameter] = CellParameter):
    """One number (``number``, with its bounds) or a non-empty list of per-cell entries.

    The form is chosen by the JSON type (a list is a table), so an invalid
    value gets one error, of that form.

    Examples
    --------
    >>> from pydantic import TypeAdapter
    >>> places = TypeAdapter(per_cell(Annotated[float, Field(ge=0)]))
    >>> places.validate_python(3.0)
    3.0
    >>> places.validate_python([{"cell": {"industry": "textiles"}, "value": 2}])[0].value
    2.0
    """
    table = Annotated[list[entry], Field(min_length=1, max_length=MAX_CELLS)]
    return Annotated[Annotated[number, Tag("number")] | Annotated[table, Tag("table")],
                     Discriminator(_number_or_table)]


#: Cost of one place.
Cost = per_cell(Annotated[float, Field(ge=0.01, le=1e12)])
#: A share in (0, 1] (pass rate, absorption).
Share = per_cell(Annotated[float, Field(gt=0, le=1)], CellShare)
#: A number of places (capacity, minimum quota).
Places = per_cell(Annotated[float, Field(ge=0, le=1e12)])
#: A rate in [0, 1] (exit rate).
Rate = per_cell(Annotated[float, Field(ge=0, le=1)])
#: Whole periods from funding to certification.
Lead = per_cell(Annotated[int, Field(ge=0, le=20)])
