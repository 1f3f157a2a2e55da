"""The policy need of a saved run's ``[targets]``, which ``POST /v1/plan`` applies by default.

A ``talentgap plan`` run with ``[plan] years`` and ``[targets]`` plans
against two needs: the forecast gap, and the workers short of the targets
(from employment and skilled-stock projections the model does not hold).
It saves the second one with the model, per cell and need year
(``[plan] policy_need_planned``, see :func:`talentgap.cli.pipeline.saved_config`),
with its weight (``[plan] policy_weight``). :func:`saved_policy_need` reads
it back, once, when the model is loaded (as a table, checked there),
:func:`saved_targets` describes it for ``GET /v1/model``, and
:func:`apply_saved_need` gives it to a plan of funding years that brings
no ``policy_need`` of its own, restricted to that plan's need years (a
filter of the loaded table: nothing is parsed or checked per request). A
model saved without it (an older one, or a run without targets) plans as
before.

``policy_need_planned`` is saved in the column form: each cell's key
values once and one list per need year,
``{"cells": {<key>: [value per cell]}, "policy_need": {<need year>:
[persons per cell, null where the cell has none]}}``. At national scale
(34,000 cells x 6 need years) that is about a quarter of the row form's
``metadata.json`` (one object per cell and year), and reading it builds
the table from whole columns. The row form ``[{<key>: value, "period":
label, "policy_need": persons}, ...]`` of models saved before is still
read.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype
from pydantic import TypeAdapter, ValidationError

from talentgap.errors import ParameterError
from talentgap.periods import normalize_freq
from talentgap.service._plan_periods import funding_years, lead_range, parse_labels
from talentgap.service.schemas import NeedWeights
from talentgap.service.schemas._bounds import MAX_VALUE, KeyValue, PeriodLabel

__all__ = ["saved_policy_need", "saved_targets", "need_weights", "apply_saved_need"]

logger = logging.getLogger("talentgap.service")

#: The key values and period labels of a request's ``policy_need`` rows (PolicyNeed), which
#: the distinct values of the saved ones are checked as.
_KEY_VALUES, _PERIODS = TypeAdapter(list[KeyValue]), TypeAdapter(list[PeriodLabel])
#: What ``pandas.api.types.infer_dtype`` calls a column of numbers (no bool, no text).
_NUMBERS = ("floating", "integer", "mixed-integer-float", "empty")


def _number(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _from_columns(form: dict) -> pd.DataFrame | None:
    """The column form as a table, cells repeated per need year (None: not of that form)."""
    cells, needs = form.get("cells"), form.get("policy_need")
    if (set(form) != {"cells", "policy_need"} or not isinstance(cells, dict)
            or not isinstance(needs, dict) or not cells or not needs
            or not all(isinstance(v, list) for v in (*cells.values(), *needs.values()))):
        return None
    n = len(next(iter(cells.values())))
    if any(len(v) != n for v in (*cells.values(), *needs.values())) or "period" in cells \
            or "policy_need" in cells:
        return None
    if not all(infer_dtype(v, skipna=True) in _NUMBERS for v in needs.values()):
        return None
    values = np.concatenate([np.array(column, dtype=float) for column in needs.values()])
    table = pd.DataFrame({key: np.tile(np.asarray(column, dtype=object), len(needs))
                          for key, column in cells.items()})
    table["period"] = np.repeat(np.asarray(list(needs), dtype=object), n)
    table["policy_need"] = values
    return table[~np.isnan(values)].reset_index(drop=True)   # null: the cell has none


def _from_rows(rows: list) -> pd.DataFrame | None:
    """The row form of older models as a table (None: not of that form)."""
    if not rows or not all(isinstance(row, dict) for row in rows):
        return None
    table = pd.DataFrame.from_records(rows)
    if (not {"period", "policy_need"} <= set(table.columns)
            or infer_dtype(table["policy_need"], skipna=False) not in _NUMBERS[:3]):
        return None
    return table.astype({"policy_need": float})


def _checked(table: pd.DataFrame | None, keys: list[str] | None) -> pd.DataFrame | None:
    """The table when it meets a request's ``policy_need`` rows (the model's key columns
    and period as text, persons in [0, 10^12], one row per cell and period), with
    ``period`` stripped; None otherwise."""
    if table is None or table.empty:
        return None
    named = [c for c in table.columns if c not in ("period", "policy_need")]
    if (not named or (keys is not None and sorted(named) != sorted(keys)) or not all(
            infer_dtype(table[c], skipna=False) == "string" for c in [*named, "period"])):
        return None
    values = table["policy_need"].to_numpy()
    try:  # the distinct values, as a request's rows are checked
        for column in named:
            _KEY_VALUES.validate_python(table[column].unique().tolist())
        _PERIODS.validate_python(table["period"].unique().tolist())
    except ValidationError:
        return None
    table = table.assign(period=table["period"].str.strip())
    if (not np.isfinite(values).all() or values.min() < 0 or values.max() > MAX_VALUE
            or table.duplicated(subset=[*named, "period"]).any()):
        return None
    return table[[*(keys or named), "period", "policy_need"]]


def saved_policy_need(plan: dict, keys: list[str] | None = None) -> pd.DataFrame | None:
    """The saved policy need of a run's ``[plan]`` as a table (None when it has none).

    Reads ``[plan] policy_need_planned`` in the column form (see the module
    docstring) or the row form of older models, and checks it as a
    request's ``policy_need`` rows are checked. Call it once per loaded
    model: the plans filter the table it returns.

    Parameters
    ----------
    plan : dict
        The ``[plan]`` table of the saved run configuration.
    keys : list of str, optional
        The model's key columns, which the need's must be (in this order in
        the table); any when not given.

    Returns
    -------
    pandas.DataFrame or None
        ``<keys...>, period, policy_need`` (key values and period labels as
        text, persons as float), one row per cell and need year; None when
        the run saved none, or a value that is not of either form or breaks
        a bound (logged: the plans are then made without it).

    Examples
    --------
    >>> saved_policy_need({"policy_need_planned": {
    ...     "cells": {"region": ["N", "S"]},
    ...     "policy_need": {"2026": [12.5, None], "2027": [13, 2.5]}}})
      region period  policy_need
    0      N   2026         12.5
    1      N   2027         13.0
    2      S   2027          2.5
    >>> saved_policy_need({"policy_need_planned": [
    ...     {"region": "N", "period": "2026", "policy_need": 12.5}]})
      region period  policy_need
    0      N   2026         12.5
    >>> saved_policy_need({}) is None
    True
    """
    form = plan.get("policy_need_planned")
    if form is None:
        return None
    table = _checked(_from_columns(form) if isinstance(form, dict)
                     else _from_rows(form) if isinstance(form, list) else None, keys)
    if table is None or table.empty:
        columns = ", ".join([*(keys or ["<keys>"]), "period", "policy_need"])
        logger.warning("the saved run's [plan] policy_need_planned is not a table of %s "
                       "(text keys and periods, one row per cell and period, persons in "
                       "[0, 10^12]); plans are made without it", columns)
        return None
    return table


def saved_targets(config: dict | None, need: pd.DataFrame | None = None) -> dict | None:
    """What ``GET /v1/model`` says of the saved run's targets (None without a saved need).

    The ``[targets]`` settings (without a file path, which is the server's),
    the need periods, cells and total of the saved policy need, and the
    need weights it is planned with.

    Parameters
    ----------
    config : dict or None
        The saved run configuration.
    need : pandas.DataFrame, optional
        Its policy need as :func:`saved_policy_need` read it (read from
        ``config`` when not given).

    Examples
    --------
    >>> about = saved_targets({"targets": {"skilled_share": 0.3, "target_year": 2029},
    ...                        "plan": {"policy_weight": 2.0, "policy_need_planned": {
    ...     "cells": {"region": ["N", "S"]}, "policy_need": {"2026": [12.5, 2.5]}}}})
    >>> about["targets"], about["need_periods"], about["cells"], about["policy_need_total"]
    ({'skilled_share': 0.3, 'target_year': 2029}, ['2026'], 2, 15.0)
    >>> about["need_weights"], about["applied_by_default"]
    ({'market': 1.0, 'policy': 2.0}, True)
    """
    config = config or {}
    plan = config.get("plan") or {}
    rows = saved_policy_need(plan) if need is None else need
    if rows is None:
        return None
    targets = {name: value for name, value in (config.get("targets") or {}).items()
               if name != "file" and value not in (None, [], ())}
    keys = list(rows.columns[:-2])
    return {"applied_by_default": True, "targets": targets,
            "from_file": (config.get("targets") or {}).get("file") is not None,
            "need_periods": sorted(rows["period"].unique().tolist()),
            "cells": int(len(rows[keys].drop_duplicates())),
            # exactly rounded, so the saved forms (rows or columns) give the same total
            "policy_need_total": math.fsum(rows["policy_need"].dropna()),
            "need_weights": need_weights(plan)}


def need_weights(plan: dict) -> dict[str, float]:
    """The market and policy weights of a run's plan (``[plan] policy_weight``, else 1)."""
    weight = plan.get("policy_weight")
    return {"market": 1.0, "policy": float(weight) if _number(weight) else 1.0}


def apply_saved_need(fields: dict, given: dict, saved: dict, *, origin: pd.Period,
                     limit: int) -> str | None:
    """Give a plan of funding years the saved policy need, unless it brings its own.

    ``fields`` are the plan's fields after the saved and library defaults,
    ``given`` those of the request, ``saved`` the model's ``plan_defaults``
    (the ``policy_need`` table :func:`saved_policy_need` read at load,
    ``need_weights``). The saved rows of the plan's need years are set as
    ``policy_need``, as that table's rows (the plan reads a table as it is;
    they were checked at load), and the saved ``need_weights`` unless given.
    The need years are those from the first funding year to the last plus
    ``lead_time`` (periods as years on a quarterly or monthly model), or the
    forecast periods an annual model's plan counts. A plan whose periods are
    quarters or months cannot take yearly needs and is planned without it.

    Returns
    -------
    str or None
        A warning for the answer when the saved need was left out or does
        not cover every need year of the plan; None otherwise.

    Examples
    --------
    >>> saved = {"policy_need": saved_policy_need({"policy_need_planned": {
    ...     "cells": {"region": ["N", "S"]},
    ...     "policy_need": {"2026": [12.5, 2.5], "2027": [13.0, 3.0]}}}),
    ...     "need_weights": {"market": 1.0, "policy": 2.0}}
    >>> fields = {"periods": ["2027"], "lead_time": 0}
    >>> apply_saved_need(fields, {"periods": ["2027"]}, saved, origin=pd.Period("2025Q4"),
    ...                  limit=20) is None
    True
    >>> fields["policy_need"]
      region period  policy_need
    2      N   2027         13.0
    3      S   2027          3.0
    """
    table = saved.get("policy_need")
    periods = fields.get("periods")
    if table is None or periods is None or "policy_need" in given:
        return None
    freq = normalize_freq(origin.freqstr)
    try:
        lead = lead_range(fields.get("lead_time"), limit)[1]
    except ParameterError:
        return None  # the plan refuses the lead time itself
    years = funding_years(periods, freq)
    if years is not None:
        need = [str(year) for year in range(years.min().year, years.max().year + lead + 1)]
    elif freq == "Y":
        funding = parse_labels(periods, freq, "periods")
        steps = max(int(fields.get("horizon") or 0), int((funding.max() - origin).n) + lead)
        need = [str(origin + step) for step in range(1, steps + 1)]
    else:
        return ("the saved run's policy need ([targets], GET /v1/model targets) is per year "
                "and this plan's periods are not years: it is planned without it; give "
                "periods as years (e.g. '2026') to apply it, or give policy_need")
    wanted = table["period"].isin(need).to_numpy()
    kept = table if wanted.all() else table[wanted]
    if len(kept):
        fields["policy_need"] = kept
        if "need_weights" not in given and saved.get("need_weights") is not None:
            fields["need_weights"] = NeedWeights(**saved["need_weights"])
    covered = set(table["period"].unique().tolist())
    missing = [period for period in need if period not in covered]
    if not missing:
        return None
    span = f"{min(covered)} to {max(covered)}"
    return (f"the saved run's policy need ([targets]) covers {span}; the need "
            f"period{'s' * (len(missing) > 1)} {', '.join(missing)} of this plan "
            f"{'have' if len(missing) > 1 else 'has'} none (only the forecast gap counts "
            "there); give policy_need to plan against other years' targets")
