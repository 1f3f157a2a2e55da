"""Plan parameters given as one number or as a table of per-cell (or per-programme) values.

The bounds of every parameter come from the planners' own table of ranges,
:data:`talentgap.planning._params.PARAMETER_RANGES`, for one number and for
each entry of a table alike, so the service accepts what the library
accepts. On top of it the service puts its own ceilings on the size of an
input: :data:`MAX_VALUE` on money and places, :data:`MAX_LEAD_TIME` on a
lead time.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Discriminator, Field, Tag

from talentgap._words import exact_number
from talentgap.planning._params import PARAMETER_RANGES
from talentgap.service.schemas._bounds import MAX_CELLS, MAX_VALUE, Cell, StrictRequest

__all__ = ["CellParameter", "CellCostPerTrainee", "CellPassRate", "CellAbsorption",
           "CellCapacity", "CellMinQuota", "CellMinClassSize", "CellExitRate", "CellLeadTime",
           "UNION_TAGS",
           "MAX_VALUE", "MAX_LEAD_TIME", "WHOLE", "parameter_bounds",
           "parameter_words", "per_cell", "cell_entry", "number_of"]

#: The service's ceiling on a lead time, in periods: a plan also needs its last funding
#: period plus the lead time within ``max_horizon`` (GET /v1/model).
MAX_LEAD_TIME = 20
#: Parameters counted in whole periods: an integer, one number or each table entry.
WHOLE = frozenset({"lead_time"})


def parameter_bounds(name: str) -> dict:
    """The pydantic bounds of a plan parameter: its library range within the service's caps.

    Parameters
    ----------
    name : str
        A key of :data:`~talentgap.planning._params.PARAMETER_RANGES`.

    Returns
    -------
    dict
        ``gt`` or ``ge`` (the range's lower end, open or closed) and ``le``
        (the smaller of its upper end and the service's ceiling).

    Examples
    --------
    >>> parameter_bounds("pass_rate"), parameter_bounds("absorption")
    ({'gt': 0.0, 'le': 1.0}, {'ge': 0.0, 'le': 1.0})
    >>> parameter_bounds("cost_per_trainee"), parameter_bounds("lead_time")
    ({'ge': 0.0, 'le': 1000000000000.0}, {'ge': 0, 'le': 20})
    """
    rule = PARAMETER_RANGES[name]
    if name in WHOLE:
        return {"gt" if rule.low_open else "ge": int(rule.low),
                "le": int(min(rule.high, MAX_LEAD_TIME))}
    return {"gt" if rule.low_open else "ge": rule.low, "le": min(rule.high, MAX_VALUE)}


def parameter_words(name: str) -> str:
    """The bounds of :func:`parameter_bounds` in words, for field descriptions.

    Examples
    --------
    >>> parameter_words("pass_rate"), parameter_words("min_quota")
    ('in (0, 1]', '>= 0 (at most 1,000,000,000,000)')
    >>> parameter_words("lead_time")
    'a whole number in [0, 20]'
    """
    rule, bounds = PARAMETER_RANGES[name], parameter_bounds(name)
    whole = "a whole number " if name in WHOLE else ""
    if bounds["le"] == rule.high:
        return whole + rule.words()
    if whole:
        low, high = exact_number(rule.low), exact_number(bounds["le"])
        return f"{whole}in {'(' if rule.low_open else '['}{low}, {high}]"
    return f"{rule.words()} (at most {exact_number(bounds['le'])})"


def number_of(name: str):
    """The type of a plan parameter given as one number, with its bounds.

    Examples
    --------
    >>> from pydantic import TypeAdapter, ValidationError
    >>> TypeAdapter(number_of("absorption")).validate_python(0.0)
    0.0
    >>> try:
    ...     TypeAdapter(number_of("pass_rate")).validate_python(0.0)
    ... except ValidationError as err:
    ...     print(err.errors()[0]["type"])
    greater_than
    """
    kind = int if name in WHOLE else float
    return Annotated[kind, Field(allow_inf_nan=False, **parameter_bounds(name))]


class CellParameter(StrictRequest):
    """A plan parameter for one cell (or, with a crosswalk, one programme) plus ``value``.

    One entry of a per-cell table: the entries of a parameter together must
    give a value for every cell of the model (or every programme), e.g. one
    entry per industry with ``{"industry": ...}``, or one per cell. Each
    parameter's entries have their own schema (``CellCostPerTrainee``,
    ``CellPassRate``, ...), whose ``value`` has the parameter's bounds.
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
    value: float = Field(ge=0, le=MAX_VALUE, allow_inf_nan=False,
                         description="The parameter's value for this cell, >= 0.",
                         examples=[6000])


def _value(name: str, example: float):
    """The ``value`` field of an entry of ``name``'s table: the parameter's bounds."""
    words = parameter_words(name)
    return Field(allow_inf_nan=False, description=f"The {name} of this cell, {words}.",
                 examples=[example], **parameter_bounds(name))


class CellCostPerTrainee(CellParameter):
    """One cell's (or programme's) cost of a place."""

    value: float = _value("cost_per_trainee", 6000)


class CellPassRate(CellParameter):
    """One cell's (or programme's) share of trainees certified."""

    value: float = _value("pass_rate", 0.67)


class CellAbsorption(CellParameter):
    """One cell's (or programme-industry flow's) share of certified workers who stay."""

    value: float = _value("absorption", 0.85)


class CellCapacity(CellParameter):
    """One cell's (or programme's) most places."""

    value: float = _value("capacity", 500)


class CellMinQuota(CellParameter):
    """One cell's (or programme's) fewest places."""

    value: float = _value("min_quota", 20)


class CellMinClassSize(CellParameter):
    """One cell's (or programme's) smallest class: no places, or at least this many."""

    value: float = _value("min_class_size", 20)


class CellExitRate(CellParameter):
    """One cell's share of certified workers who leave it per year."""

    value: float = _value("exit_rate", 0.03)


class CellLeadTime(CellParameter):
    """One cell's (or programme's) periods from funding to certification."""

    value: int = _value("lead_time", 1)


_ENTRIES: dict[str, type[CellParameter]] = {
    "cost_per_trainee": CellCostPerTrainee, "pass_rate": CellPassRate,
    "absorption": CellAbsorption, "capacity": CellCapacity, "min_quota": CellMinQuota,
    "min_class_size": CellMinClassSize, "exit_rate": CellExitRate, "lead_time": CellLeadTime}


def cell_entry(name: str) -> type[CellParameter]:
    """The schema of one entry of a parameter's per-cell table (``CellPassRate``, ...).

    Its ``value`` has the bounds of :func:`number_of` (integers for the
    parameters in :data:`WHOLE`).

    Examples
    --------
    >>> value = cell_entry("lead_time").model_json_schema()["properties"]["value"]
    >>> cell_entry("lead_time").__name__, value["type"], value["minimum"], value["maximum"]
    ('CellLeadTime', 'integer', 0, 20)
    """
    return _ENTRIES[name]


#: Tags of the two forms of a per-cell parameter; they are not part of an error's ``loc``.
UNION_TAGS = ("number", "table")


def _number_or_table(value) -> str:
    return "table" if isinstance(value, list) else "number"


def per_cell(name: str):
    """A plan parameter: one number or a non-empty list of per-cell entries.

    Both forms take the bounds of ``name`` (:func:`parameter_bounds`). The
    form is chosen by the JSON type (a list is a table), so an invalid value
    gets one error, of that form.

    Examples
    --------
    >>> from pydantic import TypeAdapter
    >>> places = TypeAdapter(per_cell("capacity"))
    >>> places.validate_python(3.0)
    3.0
    >>> places.validate_python([{"cell": {"industry": "textiles"}, "value": 2}])[0].value
    2.0
    """
    table = Annotated[list[cell_entry(name)], Field(min_length=1, max_length=MAX_CELLS)]
    return Annotated[Annotated[number_of(name), Tag("number")] | Annotated[table, Tag("table")],
                     Discriminator(_number_or_table)]
