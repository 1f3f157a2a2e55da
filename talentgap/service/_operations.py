"""What the endpoints do: forecasts, gap forecasts and plans from the served model.

The routers call these functions from plain (``def``) endpoints, so the ASGI
server runs each request in a worker thread, and requests run concurrently:
a fitted model's ``predict``, ``sample_paths`` and the planning functions only
read the fitted state, so no lock is taken around them. The library's warnings
are collected per request with :func:`talentgap.errors.collect_warnings`,
which keeps one collection per thread, and are returned in the response's
``warnings`` field.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd

from talentgap import planning
from talentgap._checks import closest
from talentgap.errors import (
    DataQualityWarning,
    ParameterError,
    PlanningError,
    SchemaError,
    collect_warnings,
    warn,
)
from talentgap.features.crosswalk import check_crosswalk, crosswalk_target
from talentgap.models import GapForecaster
from talentgap.periods import normalize_freq
from talentgap.planning._annual_needs import (
    annual_sample_paths,
    held_need_words,
    mark_held_years,
)
from talentgap.planning._place_entrants import (
    SHARE_COLUMNS,
    entrant_absorption,
    plan_units,
    policy_per_worker,
    shares_for,
    unit_keys,
    warn_mixed_programme_yields,
    with_per_worker,
)
from talentgap.service._plan_periods import (
    check_period,
    funding_years,
    lead_range,
    parse_labels,
    years_span,
)
from talentgap.service._plan_size import check_plan_size
from talentgap.service.errors import ServiceError, library_kind, plan_unsolved
from talentgap.service.schemas import MAX_FORECAST_HORIZON, PlanRequest

__all__ = ["records", "cells_of", "keys_of", "origin_of", "run_predict", "run_gap", "run_plan",
           "check_plan_size",
           "requests_warnings", "require_gap_model"]


logger = logging.getLogger("talentgap.service")


@contextmanager
def requests_warnings() -> Iterator[list[str]]:
    """Collect the library's warnings during a call, to return them with the answer.

    Enter it in the thread that makes the model call (the endpoint's body):
    the collection belongs to that thread only, so concurrent requests never
    see each other's warnings. On leaving, the yielded list is filled with the
    messages of the data-quality (``UserWarning``) warnings, each once, in the
    order first raised. Warnings of other categories, and numpy's
    floating-point errors in this thread (an overflow, a division by zero;
    numpy would print them as ``RuntimeWarning``), are logged on the
    ``talentgap.service`` logger instead, each once: they concern the
    service, not the request.

    Yields
    ------
    list of str
        Empty inside the block; the messages after it.
    """
    messages: list[str] = []
    floating: list[str] = []

    def _floating(kind: str, flag: int) -> None:
        floating.append(kind)

    with collect_warnings() as caught, np.errstate(divide="call", over="call",
                                                   invalid="call", call=_floating):
        yield messages
    for text in dict.fromkeys(f"{type(item).__name__}: {item}" for item in caught
                              if not isinstance(item, UserWarning)):
        logger.warning("during a request: %s", text)
    for kind in dict.fromkeys(floating):
        logger.warning("during a request: numpy floating-point error (%s); the "
                       "result holds what numpy gives (inf or nan)", kind)
    messages.extend(dict.fromkeys(str(item) for item in caught
                                  if isinstance(item, UserWarning)))


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: periods as labels, missing values as null."""
    frame = frame.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, (pd.PeriodDtype, pd.CategoricalDtype)):
            frame[column] = frame[column].astype(str)
    return json.loads(frame.to_json(orient="records"))


def keys_of(served) -> list[str]:
    """The model's key columns."""
    return list(served.metadata["input_schema"]["keys"])


def cells_of(served) -> pd.DataFrame:
    """Every cell (or series) of the model, key values as text, one row each."""
    return served.cells


def origin_of(served) -> str | None:
    """The model's last training period as a label (a forecaster's: its series' last)."""
    model = served.model
    origin = getattr(model, "origin_", None)
    arrays = getattr(model, "arrays_", None)
    if origin is None and arrays is not None and len(arrays.last_period):
        origin = pd.Period(ordinal=int(np.max(arrays.last_period)), freq=arrays.freq)
    return None if origin is None else str(origin)


def run_predict(served, horizon: int, level: list[float], cells: list[dict] | None,
                *, field: str = "cells", page: tuple[int, int] | None = None) -> dict:
    """A forecaster's forecast rows for ``cells`` (all when None), and the warnings.

    The work is proportional to the number of series asked for (see
    :class:`~talentgap.service._forecast_rows.ForecastAnswers`); with ``page``
    (``offset, limit``), to the series of that page of them.

    Returns
    -------
    dict
        ``columns``, ``rows`` and ``warnings``, the fields of
        :class:`~talentgap.service.schemas.ForecastResponse` that depend on
        the request.
    """
    with requests_warnings() as messages:
        columns, rows, _ = served.forecast_answers.answer(horizon, level, cells, field=field,
                                                          page=page)
    return dict(columns=columns, rows=rows, warnings=messages)


def run_gap(served, horizon: int, level: list[float], cells: list[dict] | None,
            *, page: tuple[int, int] | None = None) -> dict:
    """A gap model's rows and explanations for ``cells`` (all when None), and the warnings.

    The work is proportional to the number of cells asked for (see
    :class:`~talentgap.service._gap_rows.GapAnswers`); with ``page``
    (``offset, limit``), to the cells of that page of them.

    Returns
    -------
    dict
        ``columns``, ``rows``, ``explanations`` and ``warnings``, the fields of
        :class:`~talentgap.service.schemas.GapResponse` that depend on the request.
    """
    with requests_warnings() as messages:
        columns, rows, why = served.gap_answers.answer(horizon, level, cells, page=page)
    messages[:0] = [m for m in served.caveats if m not in messages]
    return dict(columns=columns, rows=rows, explanations=why, warnings=messages,
                intervals=served.intervals)


def _parameter(value, name: str, keys: list[str], programmes: set[str] | None = None,
               cells: pd.DataFrame | None = None):
    """A plan parameter: a number, or a table keyed by some or all of the key columns.

    Every entry gives the same key columns: all of them (one value per cell)
    or some (``{"skill_level": "high_skilled"}``: one value for every cell
    at that level). With a crosswalk (``programmes``, its programme names)
    an entry may also name a ``program``, which must be one of them. With
    ``cells`` (the model's), a key value no cell has is refused at its entry.
    """
    if value is None or isinstance(value, (int, float)):
        return value
    if not value:
        raise ServiceError(422, f"{name}: give one number or at least one entry",
                           loc=("body", name), kind="too_short")
    if programmes is not None and name in _PER_PROGRAMME:
        keys = [_PROGRAM, *keys]
        for i, entry in enumerate(value):
            program = entry.cell.get(_PROGRAM)
            if program is not None and program not in programmes:
                raise ServiceError(422, f"{name}[{i}]: programme {program!r} is not in the "
                                   f"crosswalk{_close(program, programmes)}",
                                   loc=("body", name, i, "cell", _PROGRAM),
                                   kind="invalid_value")
    given = {frozenset(entry.cell) for entry in value}
    columns = sorted(next(iter(given)), key=lambda k: keys.index(k) if k in keys else -1)
    if len(given) > 1 or not columns or not set(columns) <= set(keys):
        raise ParameterError(f"{name}: every entry's cell must give the same key columns, "
                             f"all or some of {keys}; got "
                             f"{sorted(sorted(k) for k in given)[:3]}")
    table = pd.DataFrame([{**{k: entry.cell[k] for k in columns}, name: entry.value}
                          for entry in value])
    repeated = np.flatnonzero(table.duplicated(subset=columns, keep="first").to_numpy())
    if repeated.size:  # at the entry, as a cell the model lacks is
        i = int(repeated[0])
        first = int(np.flatnonzero((table[columns] == table[columns].iloc[i])
                                   .all(axis=1).to_numpy())[0])
        raise ServiceError(422, f"{name}[{i}]: gives the same cell as {name}[{first}] "
                           f"({', '.join(f'{k} {table[k].iloc[i]!r}' for k in columns)}); "
                           "give one value per cell", loc=("body", name, i, "cell"),
                           kind="invalid_value")
    for column in columns if cells is not None else ():
        if column not in cells.columns:
            continue
        known = set(cells[column])
        bad = np.flatnonzero(~table[column].isin(known).to_numpy())
        if bad.size:
            i, given = int(bad[0]), str(table[column].iloc[bad[0]])
            raise ServiceError(422, f"{name}[{i}]: {column} {given!r} is not one of the "
                               f"model's (GET /v1/model, key_values){_close(given, known)}",
                               loc=("body", name, i, "cell", column), kind="invalid_value")
    return table


_WHY = "the most periods this service forecasts for the served model"


def _check_horizon(horizon: int, limit: int, field: str = "horizon",
                   what: str | None = None, why: str = _WHY) -> None:
    """Refuse (422 at ``field``) a forecast of more than ``limit`` periods, saying ``why``
    (:meth:`~talentgap.service.state.LoadedModel.horizon_reason`)."""
    if horizon > limit:
        what = f"{horizon} periods is" if what is None else what
        raise ServiceError(422, f"{field}: {what} more than max_horizon = {limit}, {why} "
                           "(GET /v1/model)", loc=("body", field), kind="less_than_equal")


def _funding_horizon(body: PlanRequest, origin: pd.Period,
                     limit: int = MAX_FORECAST_HORIZON,
                     why: str = _WHY) -> tuple[pd.PeriodIndex, int]:
    """The funding periods, checked, and the forecast horizon that covers their arrivals.

    The last funding period plus the lead time must lie at most ``limit``
    periods after the origin (the ``max_horizon`` of GET /v1/model): a plan
    needing more is refused, not extended past the model's horizon.
    """
    freq = normalize_freq(origin.freqstr)
    funding = parse_labels(body.periods, freq, "periods")
    early = [str(p) for p in funding if p <= origin]
    if early:
        raise ParameterError(f"periods: {', '.join(early)} "
                             f"{'is' if len(early) == 1 else 'are'} not after the model's origin "
                             f"{origin}; places can be funded from {origin + 1} on")
    lead = lead_range(body.lead_time, limit)[1]
    steps = int((funding.max() - origin).n) + lead
    _check_horizon(steps, limit, "periods",
                   f"the last funding period {funding.max()} plus lead_time {lead} is {steps} "
                   f"periods after the model's origin {origin},", why)
    return funding, max(body.horizon, steps)


def _budget_table(body: PlanRequest, funding: pd.PeriodIndex, freq: str) -> pd.DataFrame:
    rows = body.budget_per_period
    periods = parse_labels([row.period for row in rows], freq, "budget_per_period",
                           ("period",))
    labels = [str(p) for p in periods]
    twice = [i for i, label in enumerate(labels) if label in labels[:i]]
    foreign = [i for i, label in enumerate(labels) if label not in {str(p) for p in funding}]
    missing = [str(p) for p in funding if str(p) not in set(labels)]
    problem = (f"budget_per_period[{twice[0]}]: repeats {labels[twice[0]]}" if twice
               else f"budget_per_period[{foreign[0]}]: {labels[foreign[0]]} is not among "
               "periods" if foreign
               else f"budget_per_period: has no row for {', '.join(missing)}" if missing
               else None)
    if problem:  # at the row at fault, or at the field for a row that is missing
        at = twice or foreign
        raise ServiceError(422, f"{problem}; give one budget for each funding period "
                           f"({', '.join(str(p) for p in funding)})",
                           loc=("body", "budget_per_period", *([at[0], "period"] if at else [])),
                           kind="invalid_value")
    return pd.DataFrame({"period": [str(p) for p in periods],
                         "budget": [row.budget for row in rows]})


def _keyed_table(rows, field: str, columns: list[str]) -> pd.DataFrame | None:
    """A list of keyed rows as a table: the key columns given, then ``columns``; a table
    already (the saved run's policy need, read and checked when the model was loaded, see
    :func:`~talentgap.service._saved_targets.apply_saved_need`) as it is."""
    if isinstance(rows, pd.DataFrame):
        return rows
    if not rows:
        return None
    key_sets = {tuple(row.keys_given()) for row in rows}
    if len({frozenset(k) for k in key_sets}) > 1:
        raise ParameterError(f"{field}: every row must give the same key columns; got "
                             f"{sorted(sorted(k) for k in key_sets)[:3]}")
    table = pd.DataFrame([{**row.keys_given(),
                           **{c: getattr(row, c) for c in columns}} for row in rows])
    if not table.columns.difference(columns).size:
        raise ParameterError(f"{field}: each row must name its cells by key columns "
                             "(GET /model, keys), e.g. region")
    return table


def _envelope_table(body: PlanRequest) -> pd.DataFrame | None:
    rows = body.budget_envelopes
    if not rows:
        return None
    dated = [row.period is not None for row in rows]
    if any(dated) and not all(dated):
        raise ParameterError("budget_envelopes: give a period on every row or on none")
    columns = ["budget", "period"] if all(dated) else ["budget"]
    table = _keyed_table(rows, "budget_envelopes", columns)
    groups = table.drop(columns="budget")
    repeated = np.flatnonzero(groups.duplicated(keep="first").to_numpy())
    if repeated.size:
        second = int(repeated[0])
        first = int(np.flatnonzero((groups == groups.iloc[second]).all(axis=1).to_numpy())[0])
        raise ServiceError(422, f"budget_envelopes: rows {first} and {second} give the same "
                           "cells" + (" and period" if all(dated) else "") + "; give one "
                           "budget per group of cells", loc=("body", "budget_envelopes",
                                                             int(second)),
                           kind="invalid_value")
    return table


_PROGRAM = "program"
#: Parameters given per programme with a crosswalk (absorption: per programme and cell).
_PER_PROGRAMME = ("cost_per_trainee", "pass_rate", "absorption", "capacity", "min_quota",
                  "min_class_size", "lead_time")


def _close(value: str, known) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``known``, or ``""``."""
    close = closest(value, sorted(known))
    return f"; did you mean {close!r}?" if close is not None else ""


def _crosswalk(body: PlanRequest, cells: pd.DataFrame | None,
               keys: list[str]) -> pd.DataFrame | None:
    """The request's crosswalk as the library's table, its key values checked against the model.

    The table itself (shares summing to 1, repeated rows, ...) is checked by
    :func:`~talentgap.features.crosswalk.check_crosswalk`, whose message names
    the rows by their items in the JSON array (``row_names="item"``, as ``loc``
    does) and is answered with the field and the first row at fault.
    """
    if not body.crosswalk:
        return None
    table = pd.DataFrame([{_PROGRAM: row.program,
                           **({} if row.industry is None else {"industry": row.industry}),
                           **row.keys_given(), "share": row.share} for row in body.crosswalk])
    for column in table.columns.drop([_PROGRAM, "share"]):
        given = table[column].notna().to_numpy()
        known = set(cells[column]) if column in keys else set()
        bad = np.flatnonzero(given & ~table[column].isin(known).to_numpy())
        if bad.size:
            i, value = int(bad[0]), str(table[column].iloc[bad[0]])
            why = (f"{value!r} is not one of the model's (GET /v1/model, key_values)"
                   f"{_close(value, known)}" if column in keys
                   else f"is not a key column of the model {keys}")
            raise ServiceError(422, f"crosswalk[{i}]: {column} {why}",
                               loc=("body", "crosswalk", i, column), kind="invalid_value")
    if table.isna().to_numpy().any():
        raise ParameterError("crosswalk: every row must give the same key columns (e.g. "
                             "program, industry, share on each row)")
    target = crosswalk_target(table)
    try:
        check_crosswalk(table, location=[k for k in keys if k != target and k in table.columns],
                        target=target, row_names="item")
    except SchemaError as err:
        cases = err.failure_cases
        where = [] if cases is None or not len(cases) else [int(cases["row"].iloc[0]),
                                                              str(cases["column"].iloc[0])]
        where = where if "," not in "".join(map(str, where)) else where[:1]
        raise ServiceError(422, str(err).strip().splitlines()[0],
                           loc=("body", "crosswalk", *where), kind="invalid_table") from err
    return table


def _links(table: pd.DataFrame | None, cells: pd.DataFrame | None, keys: list[str]) -> int:
    """Programme-to-cell links of a crosswalk: its rows spread over the places it leaves open."""
    if table is None:
        return 0
    free = [k for k in keys if k != crosswalk_target(table) and k not in table.columns]
    places = len(cells[free].drop_duplicates()) if free else 1
    return int((table["share"] > 0).sum()) * places


_NAMED_TABLE = re.compile(r"\bthe ([a-z_]+) table\b|^([a-z_]+) (?:must|is)\b")


def _named(err: PlanningError) -> ServiceError | None:
    """A library refusal whose message names a request field, answered at that field."""
    message = str(err).strip().splitlines()[0] if str(err).strip() else ""
    match = _NAMED_TABLE.search(message)
    field = match and (match.group(1) or match.group(2))
    if not field or field not in PlanRequest.model_fields:
        return None
    return ServiceError(422, message, loc=("body", field), kind=library_kind(err))


def _multi_year_arguments(body: PlanRequest, served, keys: list[str],
                          programmes: set[str] | None = None,
                          limit: int = MAX_FORECAST_HORIZON,
                          why: str = _WHY) -> tuple[int, dict, int | None, list[int]]:
    """The forecast horizon, the multi-year arguments of ``allocate_quotas`` and, for
    funding years on a quarterly or monthly model, the first need year (else None) and
    the need years held past the forecast."""
    origin = pd.Period(served.model.origin_)
    freq = normalize_freq(origin.freqstr)
    years = funding_years(body.periods, freq)
    held: list[int] = []
    if years is None:
        funding, horizon = _funding_horizon(body, origin, limit, why)
    else:  # yearly needs from the model's periods: the roll-up of ``talentgap plan``
        funding, freq = years, "Y"
        horizon, held = years_span(years, lead_range(body.lead_time, limit)[1], origin, limit,
                                   hold=bool(served.plan_defaults.get("hold_need")))
    args: dict = {"periods": [str(p) for p in funding]}
    args["budget"] = (body.budget if body.budget_per_period is None
                      else _budget_table(body, funding, freq))
    for name in ("exit_rate", "lead_time"):
        value = getattr(body, name)
        if value is not None:
            args[name] = _parameter(value, name, keys, programmes, cells_of(served))
    if body.need_weights is not None:
        args["need_weights"] = body.need_weights.model_dump()
    if body.equity is not None:
        args["equity"] = body.equity
    given = not isinstance(body.policy_need, pd.DataFrame) and any(
        row.per_worker is not None for row in body.policy_need or ())
    args["policy_need"] = _keyed_table(body.policy_need, "policy_need",
                                       ["period", "policy_need", *(["per_worker"] * given)])
    minimum = any(row.min_places is not None for row in body.capacity_groups or ())
    args["capacity_groups"] = _keyed_table(body.capacity_groups, "capacity_groups",
                                           ["group", "capacity", *(["min_places"] * minimum)])
    if minimum:   # a row without it: no minimum (a group's rows must still agree)
        args["capacity_groups"]["min_places"] = args["capacity_groups"]["min_places"].fillna(0.0)
    args["budget_envelopes"] = _envelope_table(body)
    args["committed"] = _keyed_table(body.committed, "committed", ["period", "places"])
    return horizon, args, None if years is None else int(years[0].year), held


def _with_lists(summary: dict, result, funding: list[str] | None) -> dict:
    """The summary with its periods as lists, next to their text (``periods`` after
    ``period``, ``need_periods_list`` after ``need_periods``)."""
    out = {}
    for name, value in summary.items():
        out[name] = value
        if name == "period":
            out["periods"] = [str(value)] if funding is None else [str(p) for p in funding]
        elif name == "need_periods" and funding is not None:
            need = pd.PeriodIndex(result.cells["period"]).unique().sort_values()
            out["need_periods_list"] = [str(p) for p in need]
    return out


def require_gap_model(served, endpoint: str) -> None:
    """Refuse (409) an endpoint that needs a gap model when another model is served."""
    if not isinstance(served.model, GapForecaster):
        raise ServiceError(409, f"{endpoint} needs a gap model (GapForecaster, saved by "
                           f"'talentgap forecast --save-model'); this service holds a "
                           f"{type(served.model).__name__}", kind="model_mismatch")


def run_plan(served, body: PlanRequest, *, max_size: int | None = None,
             max_horizon: int | None = None) -> dict:
    """Allocate places per cell to minimise the expected unmet gap within the budget.

    Uses the gap model's joint sample paths (see ``talentgap.planning.
    allocate_quotas``). With ``periods`` the plan funds places per cell in
    each funding period against the needs of every forecast period up to the
    horizon (extended to cover the last funding period plus the lead time).
    ``periods`` given as years on a quarterly or monthly model fund years
    against yearly needs, from the first funding year to the last plus the
    lead time (in years): each the mean of its periods' gaps per sample path
    (:func:`talentgap.planning._annual_needs.annual_sample_paths`, as ``talentgap
    plan`` with ``[plan] years``).
    A plan over ``max_size`` values (see :func:`check_plan_size`), or one
    that needs more forecast periods than ``max_horizon`` (default: the
    served model's ``max_horizon``), is refused before anything is computed.

    Returns
    -------
    dict
        The fields of :class:`~talentgap.service.schemas.PlanResponse`.

    Raises
    ------
    ServiceError
        422 for a plan over ``max_size`` or ``max_horizon``, or one the solver
        fails on numerically (type ``plan_unsolved``, never the solver's own
        status); 409 when the model is no gap model.
    """
    require_gap_model(served, "planning")
    keys = keys_of(served)
    cells = cells_of(served) if body.crosswalk else None
    crosswalk = _crosswalk(body, cells, keys)
    programmes = None if crosswalk is None else set(crosswalk[_PROGRAM])
    params = {name: _parameter(getattr(body, name), name, keys, programmes, cells_of(served))
              for name in ("cost_per_trainee", "pass_rate", "absorption", "capacity",
                           "min_quota", "min_class_size")}
    saved_shares = getattr(served, "place_entrants", None) or []
    entrants = shares_for(saved_shares, unit_keys(keys, crosswalk))
    if entrants is not None:  # a place yields the workers new to its cell, as the run's plan
        params["absorption"] = entrant_absorption(
            params["absorption"], entrants, plan_units(cells_of(served), keys, crosswalk))
    if crosswalk is not None:
        params["crosswalk"] = crosswalk
    limit = served.max_horizon if max_horizon is None else min(max_horizon, served.max_horizon)
    why = served.horizon_reason(limit)
    horizon = body.horizon
    _check_horizon(horizon, limit, why=why)
    first_year, held = None, []  # funding years on a quarterly model: yearly needs from here
    if body.periods is not None:
        horizon, multi_year, first_year, held = _multi_year_arguments(
            body, served, keys, programmes, limit, why)
        if isinstance(multi_year["policy_need"], pd.DataFrame):  # by the saved yield, as
            multi_year["policy_need"] = with_per_worker(  # the run's plan (rows' own kept)
                multi_year["policy_need"], policy_per_worker(saved_shares, keys), keys)
            warn_mixed_programme_yields(saved_shares, keys, crosswalk)
        params.update(multi_year)
    else:
        params["budget"] = body.budget
        if body.lead_time is not None:  # funded in period, counted lead_time later
            params["lead_time"] = _parameter(body.lead_time, "lead_time", keys, programmes,
                                             cells_of(served))
    if body.period is not None:
        params["period"] = check_period(body.period, pd.Period(served.model.origin_), horizon,
                                        limit, lead_range(body.lead_time, limit))
    if body.periods is not None:  # every need period: to the last arrival, or the horizon
        longer = first_year is None and horizon == body.horizon
        read, field = horizon, "horizon" if longer else "periods"
    else:  # the periods its places arrive in, one per lead time
        shortest, longest = lead_range(body.lead_time, limit)
        read, field = longest - shortest + 1, (None if longest == shortest else "lead_time")
    tables = {name: len(params[name]) for name in ("capacity_groups", "budget_envelopes")
              if isinstance(params.get(name), pd.DataFrame)}
    check_plan_size(served, read, max_size, _links(crosswalk, cells, keys), field=field,
                    rows=tables)
    with requests_warnings() as messages:
        if saved_shares and entrants is None:
            warn("the saved run's training has upgrade places, whose workers already hold "
                 "jobs in their cells, but no shares for this plan's "
                 f"{' x '.join(unit_keys(keys, crosswalk))} units (the run planned by "
                 f"{' x '.join(c for c in saved_shares[0].columns if c not in SHARE_COLUMNS)}): "
                 "every place's certified workers count as new", DataQualityWarning)
        paths = served.model.sample_paths(horizon)
        if first_year is not None:  # later need years hold the last one forecast
            paths = annual_sample_paths(paths, first_year=first_year, held=held)
        try:
            result = planning.allocate_quotas(paths, risk=body.risk, quantile=body.quantile,
                                              surplus_penalty=body.surplus_penalty,
                                              keys=tuple(keys), **params)
        except (PlanningError, ValueError, ArithmeticError) as err:
            unsolved = plan_unsolved(err)
            if unsolved is not None:
                raise unsolved from err
            named = _named(err) if isinstance(err, PlanningError) else None
            if named is None:
                raise
            raise named from err
        if body.periods is not None:  # need_basis: "forecast", or "held at <year>"
            mark_held_years(result, held)
        if held:  # warned as talentgap plan warns it, with the held years' share
            warn(held_need_words(held[0] - 1, held, result.years, where="the answer's years"),
                 DataQualityWarning)
    messages[:0] = [m for m in served.caveats if m not in messages]
    summary = _with_lists(records(result.summary.to_frame().T)[0], result,
                          params.get("periods") if body.periods is not None else None)
    return dict(summary=summary, quotas=records(result.quotas),
                binding=list(result.binding), constraints=records(result.constraints),
                marginal_value={str(k): float(v) for k, v in result.marginal_value.items()},
                years=None if body.periods is None else records(result.years),
                notes=list(result.notes), warnings=messages)
