"""Response tables checked against a typed model but written back exactly as produced."""

from __future__ import annotations

from typing import Annotated

from pydantic import PlainSerializer, WrapValidator

__all__ = ["ROW_TYPES", "as_produced"]

#: What a key column's value (or a column the schema does not name) may be in a response row.
ROW_TYPES = str | int | float | bool | None


def _checked_as_given(value, handler):
    checked = handler(value)  # raises when a row does not fit the model
    return value if isinstance(value, dict | list) else checked


def _unchanged(value):
    return value


def as_produced(kind):
    """``kind`` (a row model, or a list of them) for the schema and the check, the value as given.

    The OpenAPI schema and the validation of a response use ``kind``; the
    response keeps the rows it was given (JSON-ready dicts) and writes them
    unchanged. So a row of one kind of plan carries no nulls for the
    optional fields of another, its keys stay in the order the library's
    table has them (the key columns first), numbers keep their JSON type,
    and a long table costs one check in pydantic's core, with no Python
    call per row.

    Examples
    --------
    >>> from pydantic import BaseModel, ConfigDict
    >>> class Row(BaseModel):
    ...     model_config = ConfigDict(extra="allow")
    ...     quota: int
    ...     feeds: str | None = None
    >>> class Answer(BaseModel):
    ...     rows: as_produced(list[Row])
    >>> Answer(rows=[{"region": "Ashmere", "quota": 3}]).model_dump()
    {'rows': [{'region': 'Ashmere', 'quota': 3}]}
    >>> Answer(rows=[{"quota": "many"}])
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Answer
    ...
    """
    return Annotated[kind, WrapValidator(_checked_as_given), PlainSerializer(_unchanged)]
