"""The run configuration a model is saved with (``--save-model``).

:func:`saved_config` is the run's :meth:`~talentgap.cli.config.Config.to_dict`
plus what its plan used that the model does not hold: estimated exit rates,
the policy need planned against, the shares of a place's workers new to
its cell. ``talentgap plan --model`` and ``POST /v1/plan`` read them back;
public as :func:`talentgap.cli.pipeline.saved_config`.

Examples
--------
>>> from types import SimpleNamespace
>>> from talentgap.cli.config import Config
>>> saved = saved_config(SimpleNamespace(config=Config(), plan=None))
>>> saved == Config().to_dict()
True
"""

from __future__ import annotations

from talentgap.cli._result import RunResult
from talentgap.planning._saved_run import place_entrants_record

__all__ = ["saved_config"]


def saved_config(result: RunResult) -> dict:
    """The run configuration saved with its model (``--save-model``), as plain values.

    :meth:`Config.to_dict`, plus, when ``[plan] exit_rate = "estimate"`` gave
    a multi-year plan per-cell exit rates, those rates as ``[plan]
    exit_rate_estimated`` (``[{"cell": {key: value}, "value": rate}]``, one
    entry per cell): ``POST /v1/plan`` takes them as its default
    ``exit_rate``, so a served plan uses the rates the run's plan used (the
    data they were estimated from are not in the model). With ``[targets]``, the
    policy need the multi-year plan was made against, per cell and need year,
    as ``[plan] policy_need_planned`` in the column form (see
    :func:`_planned_policy_need`): the service applies it to plans of funding
    years by default, since the employment projections behind it are not in
    the model. When the run's places yield only the workers new to their
    cells (upgrade training in the training table), the shares that scale
    their absorption, as ``[plan] place_entrants``
    (:func:`talentgap.planning._saved_run.place_entrants_record`): plans
    against the model scale theirs by the same shares.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import pandas as pd
    >>> from talentgap.cli.config import Config
    >>> quotas = pd.DataFrame({"region": "N", "industry": ["A", "A", "B"],
    ...                        "exit_rate": [0.02, 0.02, 0.05]})
    >>> config = Config.from_dict({"plan": {"years": [2026], "exit_rate": "estimate"}})
    >>> saved = saved_config(SimpleNamespace(config=config, plan=SimpleNamespace(quotas=quotas)))
    >>> saved["plan"]["exit_rate"], saved["plan"]["exit_rate_estimated"][1]
    ('estimate', {'cell': {'region': 'N', 'industry': 'B'}, 'value': 0.05})
    """
    config = result.config
    saved = config.to_dict()
    plan = result.plan
    quotas = None if plan is None else plan.quotas
    keys = list(config.data.keys)
    need = _planned_policy_need(result, keys)
    if need is not None:
        saved["plan"]["policy_need_planned"] = need
    entrants = getattr(result, "place_entrants", None)
    if entrants:
        saved["plan"]["place_entrants"] = place_entrants_record(entrants)
    if (config.plan.exit_rate != "estimate" or not config.plan.years or quotas is None
            or "exit_rate" not in quotas.columns or not set(keys) <= set(quotas.columns)):
        return saved
    rates = quotas[[*keys, "exit_rate"]].drop_duplicates(subset=keys)
    cells = rates[keys].astype(str).to_dict("records")
    saved["plan"]["exit_rate_estimated"] = [
        {"cell": cell, "value": float(rate)}
        for cell, rate in zip(cells, rates["exit_rate"].to_numpy(dtype=float), strict=True)]
    return saved


def _planned_policy_need(result: RunResult, keys: list[str]) -> dict | None:
    """The policy need a multi-year plan with ``[targets]`` planned against, as saved.

    Taken from the plan's own cell table, in the column form: each cell's
    key values once (as text) and one list of persons per need year, in the
    order of the cells, ``null`` where the cell has no row that year::

        {"cells": {"region": ["N", "S"], ...},
         "policy_need": {"2026": [12.5, 2.5], "2027": [13.0, null], ...}}

    At national scale (34,000 cells x 6 need years) that is about a quarter
    of the ``metadata.json`` of one ``{<key>: value, "period": "2026",
    "policy_need": persons}`` row per cell and year (the form of ``POST
    /v1/plan``'s ``policy_need``, which models saved before hold and the
    service still reads: :func:`talentgap.service._saved_targets.saved_policy_need`).
    None without targets or such a plan.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import pandas as pd
    >>> from talentgap.cli.config import Config
    >>> cells = pd.DataFrame({"region": ["N", "N", "S"], "period": ["2026", "2027", "2026"],
    ...                       "policy_need": [12.5, 13.0, 2.5]})
    >>> config = Config.from_dict({"plan": {"years": [2026]}, "targets": {
    ...     "skilled_share": 0.3, "target_year": 2027}})
    >>> _planned_policy_need(SimpleNamespace(config=config, plan=SimpleNamespace(
    ...     cells=cells)), ["region"])
    {'cells': {'region': ['N', 'S']}, 'policy_need': {'2026': [12.5, 2.5], '2027': [13.0, None]}}
    """
    plan = result.plan
    cells = None if plan is None else getattr(plan, "cells", None)
    if (not result.config.targets.given or not result.config.plan.years or cells is None
            or "policy_need" not in cells.columns or not set(keys) <= set(cells.columns)):
        return None
    table = cells[[*keys, "period", "policy_need"]].astype({**dict.fromkeys(keys, str),
                                                             "period": str,
                                                             "policy_need": float})
    wide = table.pivot(index=keys, columns="period", values="policy_need")
    values = wide.astype(object).where(wide.notna(), None)
    return {"cells": {key: wide.index.get_level_values(key).tolist() for key in keys},
            "policy_need": {str(period): values[period].tolist() for period in wide.columns}}
