"""The periods of a plan request: one parser and one refusal for every period field.

``period``, ``periods``, ``budget_per_period`` and the like take the same
labels (``'2026'``, ``'2026Q1'``, ``'2026-03'`` or an ISO date, which stands
for the period it falls in) and are read by the library's one period parser,
:func:`talentgap.periods.parse_periods`, at the model's frequency. A label it
cannot read is refused the same way in every field: 422, ``type``
``invalid_value``, ``loc`` at the label, and a message that repeats at most
:data:`~talentgap.service.errors.MAX_ECHO` characters of it.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from talentgap.errors import ParameterError, SchemaError
from talentgap.periods import freq_name, normalize_freq, parse_periods, year_end_ordinals
from talentgap.service.errors import ServiceError, echo

__all__ = ["parse_labels", "lead_range", "check_period", "funding_years", "years_span"]

_YEAR = re.compile(r"\d{4}")

_EXAMPLE = {"Y": "'2026'", "Q": "'2026Q1'", "M": "'2026-03'"}


def parse_labels(labels, freq: str, field: str, tail: tuple = ()) -> pd.PeriodIndex:
    """Period labels at the model's frequency, or a 422 at the first one that is not.

    Parameters
    ----------
    labels : sequence of str
        The labels of one request field.
    freq : str
        The model's frequency (``"Y"``, ``"Q"`` or ``"M"``).
    field : str
        The request field (``"period"`` for one label, else a list field).
    tail : tuple, optional
        What follows the item's position in ``loc`` (``("period",)`` for the
        rows of ``budget_per_period``).

    Returns
    -------
    pandas.PeriodIndex

    Raises
    ------
    ServiceError
        422, ``type`` ``invalid_value``, at ``["body", field]`` (one label) or
        ``["body", field, i, *tail]``.

    Examples
    --------
    >>> parse_labels(["2026Q1", "2026-05-31"], "Q", "periods").astype(str).tolist()
    ['2026Q1', '2026Q2']
    >>> try:
    ...     parse_labels(["2026Q1", "2025"], "Q", "periods")
    ... except ServiceError as err:
    ...     print(err.loc, err.kind); print(err.msg)
    ['body', 'periods', 1] invalid_value
    periods: '2025' is annual; the model is quarterly (e.g. '2026Q1'; an ISO date \
'2026-03-31' stands for its period)
    """
    try:
        return parse_periods(list(labels), freq=freq, name=field)
    except (SchemaError, ParameterError) as err:
        cases = getattr(err, "failure_cases", None)
        if cases is None or not len(cases):
            raise ServiceError(422, f"{field}: {str(err).splitlines()[0]}",
                               loc=("body", field), kind="invalid_value") from err
        position, value = int(cases["row"].iloc[0]), str(cases["value"].iloc[0])
        reason = str(cases["message"].iloc[0]).replace(repr(value), repr(echo(value)))
        reason = reason.split(";")[0].split(" but the declared frequency")[0]
        reason = reason.removeprefix("period ")
        loc = ("body", field) if field == "period" else ("body", field, position, *tail)
        raise ServiceError(422, f"{field}: {reason}; the model is {freq_name(freq)} (e.g. "
                           f"{_EXAMPLE.get(freq, freq)}; an ISO date '2026-03-31' stands for "
                           "its period)", loc=loc, kind="invalid_value") from err


def lead_range(lead, limit: int) -> tuple[int, int]:
    """The shortest and longest ``lead_time`` of a request (a number or per-cell entries).

    Raises
    ------
    ParameterError
        A per-cell value that is not a whole number of periods in ``[0, limit]``.

    Examples
    --------
    >>> lead_range(None, 20), lead_range(1, 20)
    ((0, 0), (1, 1))
    """
    if isinstance(lead, list):
        values = [entry.value for entry in lead]
        if not all(math.isfinite(v) and 0 <= v <= limit and v == int(v) for v in values):
            raise ParameterError(f"lead_time: every cell's value must be a whole number of "
                                 f"periods in [0, {limit}]")
        return int(min(values)), int(max(values))
    lead = int(lead or 0)
    return lead, lead


def check_period(period: str, origin: pd.Period, horizon: int, limit: int,
                 lead: tuple[int, int] = (0, 0)) -> str:
    """A single-period plan's funding period, checked against the forecast it asks for.

    The places funded in ``period`` count ``lead_time`` periods later, in a
    forecast period: after the model's origin and at most ``horizon``
    periods on (as the library scores them).

    Returns
    -------
    str
        The period's label (an ISO date given as the period it falls in).

    Raises
    ------
    ServiceError
        422 at ``period``: not a period of the model's frequency
        (``invalid_value``, as every period field), or its places would
        count before the origin or past the horizon.
    """
    target = parse_labels([period], normalize_freq(origin.freqstr), "period")[0]
    shortest, longest = lead
    arrives = "" if longest == 0 else f" (funded then, places count {longest} period(s) later)"
    first = target + shortest
    if first <= origin:
        raise ServiceError(422, f"period: places funded in {target} count in {first}, not "
                           f"after the model's origin {origin}; fund from "
                           f"{origin + 1 - shortest} on", loc=("body", "period"),
                           kind="invalid_value")
    steps = int((target + longest - origin).n)
    if steps > horizon:
        hint = (f"ask with horizon >= {steps}" if steps <= limit else
                f"at most max_horizon = {limit} periods can be forecast (GET /v1/model), up "
                f"to {origin + limit}")
        raise ServiceError(422, f"period: {target}{arrives} is {steps} periods after the "
                           f"model's origin {origin}, past the last forecast period "
                           f"{origin + horizon} of horizon {horizon}; {hint}",
                           loc=("body", "period"), kind="invalid_value")
    return str(target)


def funding_years(labels, freq: str) -> pd.PeriodIndex | None:
    """The funding years of a plan on a quarterly or monthly model, or None.

    ``periods`` given as years (every label four digits, ``'2026'``) on a
    model of a shorter period ask for a plan of funding years against yearly
    needs (as ``talentgap plan`` with ``[plan] years``); any other labels are
    periods of the model's frequency (None: read them with
    :func:`parse_labels`).

    Examples
    --------
    >>> funding_years(["2026", "2027"], "Q").astype(str).tolist()
    ['2026', '2027']
    >>> funding_years(["2026Q1"], "Q") is None, funding_years(["2026"], "Y") is None
    (True, True)
    """
    if normalize_freq(freq) == "Y" or not labels:
        return None
    if not all(isinstance(label, str) and _YEAR.fullmatch(label.strip()) for label in labels):
        return None
    return parse_labels([label.strip() for label in labels], "Y", "periods")


def years_span(years: pd.PeriodIndex, lead: int, origin: pd.Period, limit: int,
               hold: bool = False) -> tuple[int, list[int]]:
    """Periods of the model a yearly plan reads, and its need years held past them.

    The need years run from the first funding year to the last plus the
    longest ``lead`` (in years); the first must begin after the origin. The
    plan reads the model's periods to the end of the last need year within
    ``limit`` periods of the origin (``max_horizon``); later need years hold
    that year's need, as ``talentgap plan`` holds them, when they are no more
    than the years forecast (or ``hold``, the saved run's ``[plan]
    hold_need``).

    Returns
    -------
    steps : int
        Periods from the origin to the end of the last need year forecast.
    held : list of int
        The need years past it.

    Raises
    ------
    ServiceError
        422 at ``periods`` otherwise.

    Examples
    --------
    >>> years = pd.PeriodIndex(["2025", "2026"], freq="Y")
    >>> years_span(years, 1, pd.Period("2024Q4", freq="Q"), 24)
    (12, [])
    >>> years_span(years, 1, pd.Period("2024Q4", freq="Q"), 10)
    (8, [2027])
    """
    early = [str(y) for y in years if y.year <= origin.year]
    if early:
        raise ServiceError(422, f"periods: funding year {early[0]} does not begin after the "
                           f"model's origin {origin}; yearly plans on a "
                           f"{freq_name(normalize_freq(origin.freqstr))} model fund from "
                           f"{origin.year + 1} on", loc=("body", "periods"),
                           kind="invalid_value")
    need = list(range(int(years.min().year), int(years.max().year) + int(lead) + 1))
    ends = (year_end_ordinals(need, origin.freqstr) - origin.ordinal).tolist()
    reach = sum(end <= limit for end in ends)
    held = need[reach:]
    if reach == 0 or (len(held) > reach and not hold):
        some = (f"reach {need[reach - 1]}: {len(held)} of {len(need)} need years would hold "
                f"its need, more than the {reach} forecast" if reach else
                f"end {origin + limit}, before the end of {need[0]}")
        raise ServiceError(422, f"periods: the needs of funding years {years.min()}-"
                           f"{years.max()} with lead_time {lead} (years) run to the end of "
                           f"{need[-1]}, {ends[-1]} periods after the model's origin {origin}; "
                           f"forecasts of at most max_horizon = {limit} periods (GET "
                           f"/v1/model) {some}; plan fewer or earlier years",
                           loc=("body", "periods"), kind="less_than_equal")
    return int(ends[reach - 1]), held
