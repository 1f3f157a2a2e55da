"""``--model DIR``: the saved run's settings under the command's own, one absorption.

A model saved by ``talentgap forecast --save-model`` carries its run
configuration. ``talentgap forecast --model`` and ``talentgap plan --model``
start from that run's settings (those
:func:`~talentgap.planning._saved_run.saved_plan_settings` names, as ``POST
/v1/plan`` on the same model does), and the config file, ``--set`` and flags
win over them. The absorption is the one setting they cannot change: the
model's supply of past training was built with it.
"""

from __future__ import annotations

import logging

from talentgap.cli.config import Config
from talentgap.errors import ConfigError
from talentgap.planning._saved_run import saved_plan_settings

__all__ = ["saved_run_defaults", "check_model_absorption"]

logger = logging.getLogger("talentgap.cli")


def saved_run_defaults(defaults: Config, saved: dict | None, model_dir) -> Config:
    """``defaults`` with the saved run's settings on top (the layer under ``--config``).

    A budget per year is left out: it needs the run's ``[plan] years``, and a
    plan against the model sets its own (the service's requests do too).

    Examples
    --------
    >>> saved = {"forecast": {"horizon": 3}, "panel": {"absorption": 0.85},
    ...          "plan": {"absorption": 0.85, "capacity": 150.0, "budget": {"2026": 5e6}}}
    >>> config = saved_run_defaults(Config(), saved, "model")
    >>> config.forecast.horizon, config.plan.absorption, config.panel.absorption
    (3, 0.85, 0.85)
    >>> config.plan.capacity, config.plan.budget
    (150.0, None)
    """
    settings = saved_plan_settings(saved)
    plan = settings.get("plan", {})
    if isinstance(plan.get("budget"), dict):
        del plan["budget"]
    settings = {table: values for table, values in settings.items() if values}
    if not settings:
        return defaults
    logger.info("--model %s: the saved run's settings %s are the defaults", model_dir,
                ", ".join(f"[{table}] {key} = {value!r}" for table, values in settings.items()
                          for key, value in values.items()))
    return defaults.with_overrides(settings, source=f"the saved run of --model {model_dir}")


def check_model_absorption(config: Config, saved: dict | None, model_dir) -> None:
    """Refuse an absorption other than the one the model's supply was built with.

    Absorption is one quantity, for the supply of past training (``[panel]``,
    built into the model) and for the plan's places (``[plan]``): a config
    file or ``--set`` giving another value is a ConfigError naming both, as
    two different values in one configuration are. A model built with a
    per-cell absorption (a CSV, not kept with the model) gets a warning
    instead when the run's differs.

    Examples
    --------
    >>> saved = {"panel": {"absorption": 0.85}}
    >>> check_model_absorption(Config.from_dict({"plan": {"absorption": 0.85}}), saved, "m")
    >>> check_model_absorption(Config.from_dict({"plan": {"absorption": 0.9}}), saved, "m")
    Traceback (most recent call last):
    ...
    talentgap.errors.ConfigError: --model m: [plan] absorption 0.9 differs from the model's ...
    """
    panel = (saved or {}).get("panel") if isinstance(saved, dict) else None
    built = panel.get("absorption") if isinstance(panel, dict) else None
    given = config.plan.absorption
    if built is None or built == given:
        return
    if isinstance(built, str):   # a CSV per cell: not kept with the model
        logger.warning("--model %s: the model's supply of past training was built with the "
                       "per-cell absorption of %s; this run's [plan] absorption is %r: the "
                       "plan's places yield workers at another rate than past training did",
                       model_dir, built, given)
        return
    raise ConfigError(
        f"--model {model_dir}: [plan] absorption {given!r} differs from the model's "
        f"[panel] absorption {built!r}, which its supply of past training was built with; "
        "both are the share of certified trainees who take jobs in their trade, so set it "
        f"once: leave [plan] absorption out to plan with the model's {built!r}, or fit the "
        f"model again with the new value (talentgap forecast --set plan.absorption=... "
        "--save-model DIR)")
