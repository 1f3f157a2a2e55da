"""The settings of a saved run that plans against its model take by default.

``talentgap forecast --save-model`` saves the run configuration with the
model (``metadata["config"]``, ``{table: {key: value}}``). A plan made later
against that model, by ``talentgap plan --model`` or ``POST /v1/plan``, starts
from the same settings of that run: :func:`saved_plan_settings` is the one
place that says which.
"""

from __future__ import annotations

import logging

import pandas as pd

from talentgap.planning._place_entrants import POLICY_SHARE, SHARE_COLUMNS

__all__ = ["SAVED_PLAN_SETTINGS", "saved_plan_settings", "place_entrants_record",
           "saved_place_entrants"]

logger = logging.getLogger(__name__)

#: The ``[plan]`` settings of a saved run that plans against its model take by default,
#: when they are values (numbers; ``risk`` a word): a setting held in a file (a CSV of
#: costs, capacities, ...) is not, as the file need not be where the model is used.
SAVED_PLAN_SETTINGS = ("cost_per_trainee", "pass_rate", "absorption", "capacity", "min_quota",
                       "min_class_size", "risk", "quantile", "lead_time", "exit_rate",
                       "surplus_penalty", "budget")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def saved_plan_settings(config: dict | None) -> dict:
    """The settings of a saved run configuration that plans against its model start from.

    Parameters
    ----------
    config : dict or None
        ``{table: {key: value}}`` as ``talentgap forecast --save-model`` saves
        it (``metadata["config"]`` of the artifact); None for a model saved
        without one.

    Returns
    -------
    dict
        ``{table: {key: value}}``, tables without a setting left out:
        ``[forecast] horizon``; the ``[plan]`` settings of
        :data:`SAVED_PLAN_SETTINGS` that are numbers (``risk``:
        ``"expected"`` or ``"quantile"``); ``[plan] budget`` per year when
        every year's is a number (``{"2026": 5e6, ...}``); ``[plan]
        hold_need`` when true. The absorption is the model's own: its supply
        of past training was built with it (``[panel] absorption``, the same
        setting as ``[plan] absorption``), so a plan's places yield workers at
        the same rate. Settings held in files, and ``exit_rate =
        "estimate"`` (estimated from data the model does not hold), are left
        out.

    Examples
    --------
    >>> saved_plan_settings({"forecast": {"horizon": 4, "levels": [80]},
    ...                      "panel": {"absorption": 0.85},
    ...                      "plan": {"absorption": 0.85, "capacity": 150.0, "risk": "expected",
    ...                               "pass_rate": "pass.csv", "budget": {"2026": 5e6}}})
    {'forecast': {'horizon': 4}, 'plan': {'absorption': 0.85, 'capacity': 150.0, \
'risk': 'expected', 'budget': {'2026': 5000000.0}}}
    >>> saved_plan_settings(None)
    {}
    """
    config = config if isinstance(config, dict) else {}
    out: dict = {}
    forecast = config.get("forecast") if isinstance(config.get("forecast"), dict) else {}
    horizon = forecast.get("horizon")
    if isinstance(horizon, int) and not isinstance(horizon, bool):
        out["forecast"] = {"horizon": horizon}
    plan = config.get("plan") if isinstance(config.get("plan"), dict) else {}
    settings: dict = {}
    for name in SAVED_PLAN_SETTINGS:
        value = plan.get(name)
        if (name == "risk" and value in ("expected", "quantile")) or _number(value):
            settings[name] = value
    budget = plan.get("budget")
    if isinstance(budget, dict) and budget and all(_number(v) for v in budget.values()):
        settings["budget"] = {str(year): float(value) for year, value in budget.items()}
    if plan.get("hold_need") is True:   # need years past the forecast hold its last one
        settings["hold_need"] = True
    if settings:
        out["plan"] = settings
    return out


def place_entrants_record(shares) -> list[dict]:
    """The share of a place's workers new to its cell, per plan unit, as saved with the model.

    ``[plan] place_entrants`` of the saved run configuration: one entry per
    table of :func:`talentgap.planning.place_shares`' ``entrants`` (per cell,
    and per programme and location for a run with a crosswalk), in the
    column form ``{"keys": [...], "values": {key: [...]}, "entrants":
    [...]}`` (and ``"policy_share": [...]``, the part joining the stock the
    run's policy target counts, when the table has it:
    :func:`talentgap.planning._place_entrants.policy_per_worker`). Plans
    against the model (``talentgap plan --model``, ``POST /v1/plan``)
    scale their places' absorption by it as the run's plan did
    (:func:`talentgap.planning._place_entrants.entrant_absorption`): the
    training table behind it is not in the model.

    Examples
    --------
    >>> table = pd.DataFrame({"region": ["N", "S"], "entrants": [0.75, 1.0]})
    >>> place_entrants_record([table])
    [{'keys': ['region'], 'values': {'region': ['N', 'S']}, 'entrants': [0.75, 1.0]}]
    """
    out = []
    for table in shares or ():
        keys = [c for c in table.columns if c not in SHARE_COLUMNS]
        out.append({"keys": keys,
                    "values": {k: table[k].astype(str).tolist() for k in keys},
                    **{name: [float(v) for v in table[name].to_numpy(dtype=float)]
                       for name in SHARE_COLUMNS if name in table.columns}})
    return out


def saved_place_entrants(config: dict | None) -> list[pd.DataFrame]:
    """The share tables of :func:`place_entrants_record` read back from a saved run.

    An entry that is not of that form (lists of unequal lengths, a share
    outside 0-1) is left out and logged; a model saved without any (no
    upgrade training, or an older model) gives an empty list, and its plans
    count every place's workers as new.

    Examples
    --------
    >>> saved = {"plan": {"place_entrants": [
    ...     {"keys": ["region"], "values": {"region": ["N"]}, "entrants": [0.75]}]}}
    >>> saved_place_entrants(saved)[0]
      region  entrants
    0      N      0.75
    >>> saved_place_entrants({"plan": {}})
    []
    """
    plan = (config or {}).get("plan") if isinstance(config, dict) else None
    entries = plan.get("place_entrants") if isinstance(plan, dict) else None
    out: list[pd.DataFrame] = []
    for entry in entries if isinstance(entries, list) else ():
        try:
            keys, shares = list(entry["keys"]), list(entry["entrants"])
            table = pd.DataFrame({k: [str(v) for v in entry["values"][k]] for k in keys})
            table["entrants"] = pd.Series(shares, dtype="float64").to_numpy()
            if POLICY_SHARE in entry:
                table[POLICY_SHARE] = pd.Series(list(entry[POLICY_SHARE]),
                                                dtype="float64").to_numpy()
        except (KeyError, TypeError, ValueError) as err:
            logger.warning("the saved run's [plan] place_entrants entry is not of the saved "
                           "form and is left out: %s", err)
            continue
        shares_ = table[[c for c in SHARE_COLUMNS if c in table.columns]]
        if not keys or not shares_.apply(lambda s: s.between(0.0, 1.0).all()).all():
            logger.warning("the saved run's [plan] place_entrants entry keyed by %s has shares "
                           "outside 0-1 and is left out", keys)
            continue
        out.append(table)
    return out
